/*
 * inbox.h - taking files from inbox/<kind>/ safely.
 *
 * A file is a candidate when it is not a dot-file, not "*.part", and has
 * settled (neither modified nor moved in for settle_seconds). It is opened
 * without following links and must be a regular file with one link and a
 * size under the cap; anything else is quarantined with its reason, never
 * deleted. Once the stage has committed what it learned from a file,
 * inbox_done() moves it to var/processed/<kind>/<YYYYMMDD>/.
 */
#ifndef TTE_INBOX_H
#define TTE_INBOX_H

#include <stdbool.h>
#include <sys/stat.h>
#include <glib.h>

struct tte_ctx;

struct inbox_item {
	char *name;		/* base name as dropped */
	char *path;		/* absolute path in the inbox */
	int fd;			/* open read-only after inbox_open(), else -1 */
	struct stat st;
	char sha256[65];
};

/*
 * List the candidates in inbox/KIND (oldest first, then by name) whose
 * names end in one of EXTS (case-insensitive, e.g. ".csv"). Entries that
 * can never be read (symlinks, other extensions) are quarantined on the
 * way; files still settling are counted in *WAITING and left alone.
 * Returns a GPtrArray of struct inbox_item * (free with g_ptr_array_free),
 * or NULL on a system error (logged).
 */
GPtrArray *inbox_scan(struct tte_ctx *ctx, const char *kind, const char *const *exts,
		      int *waiting);

/* Open ITEM safely and hash it. 0; -1 with *WHY (quarantine it); -2 on a
 * system error (logged). */
int inbox_open(struct tte_ctx *ctx, struct inbox_item *item, char **why);

/* Move a committed ITEM to var/processed/KIND/YYYYMMDD/. *STORED (may be
 * NULL) gets the new path relative to the root. */
int inbox_done(struct tte_ctx *ctx, const char *kind, struct inbox_item *item, char **stored);

/*
 * The input bookkeeping every stage that reads the inbox shares, in this
 * order: inbox_take() (open it; set aside what cannot be read or was
 * committed before), inbox_record() inside the stage's transaction (the
 * inputs row), commit, then inbox_retire() (move it and record where it
 * went).
 */

/*
 * Open ITEM (inbox_open) and decide: 1 it is new, open and hashed: read
 * it; 0 it was dealt with here: quarantined as unreadable, or a copy of an
 * input committed before, moved aside (inbox_done_again); -1 a system
 * error (logged).
 */
int inbox_take(struct tte_ctx *ctx, const char *kind, struct inbox_item *item);

/* Whether an input with ITEM's SHA-256 was committed. 0 with *KNOWN; -1
 * (logged). */
int inbox_known(struct tte_ctx *ctx, const struct inbox_item *item, bool *known);

/* Insert ITEM's inputs row (kind KIND, today, the folder it will move to)
 * in the caller's transaction. Its id, or 0 (logged). */
long long inbox_record(struct tte_ctx *ctx, const char *kind, const struct inbox_item *item);

/* After the commit: inbox_done(), then the final path into input INPUT_ID
 * (on a database error there the record keeps the folder). A failed move
 * is retried by the next run, which finds the file by its hash. 0 / -1. */
int inbox_retire(struct tte_ctx *ctx, const char *kind, struct inbox_item *item,
		 long long input_id);

/*
 * ITEM has the SHA-256 of an input committed earlier (dropped again, or
 * left behind by a run killed before its move): move it aside like
 * inbox_done(). When the purge had already deleted the earlier copy, this
 * copy is recorded in its place (inputs.stored), so the purge deletes it
 * in turn instead of leaving personal data behind unrecorded.
 */
int inbox_done_again(struct tte_ctx *ctx, const char *kind, struct inbox_item *item);

/* The path relative to the root where inbox_done() will put ITEM (for
 * recording it in the same transaction that consumes the file). New
 * string; the final name may differ only by a ".N" when the name is taken. */
char *inbox_done_dir(struct tte_ctx *ctx, const char *kind);

/*
 * Move ITEM (or the entry at PATH when ITEM has not been opened) to
 * var/quarantine/KIND/ with a "<name>.why" beside it saying WHY
 * (Indonesian), record it in the store when one is open (own
 * transaction), and warn on stderr. 0 / -1.
 */
int inbox_quarantine(struct tte_ctx *ctx, const char *kind, struct inbox_item *item,
		     const char *why);

void inbox_item_free(struct inbox_item *item);

#endif
