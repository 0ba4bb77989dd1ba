/*
 * inbox.h - the one skeleton every stage that reads inbox/<kind>/ runs
 * (intake: forms, ingest: status, verify: signed).
 *
 * A stage lists its candidates (inbox_scan) and hands them to
 * inbox_process() with a read callback, the way Postfix's programs hand
 * callbacks to one server skeleton. For each file, oldest first:
 *
 *   take      open it without following links; it must be a regular file
 *             with one link and under [inbox] max_file_mb, else it is
 *             quarantined; hash it (SHA-256). A file gone since the
 *             listing is skipped with a warning.
 *   earlier   a file whose SHA-256 an earlier run committed is not read as
 *             new: one that run could not move (the move failed, or the run
 *             was killed after its commit) is only retired now; one dropped
 *             again is deleted (read again first under the earlier record
 *             when the stage asks for that: verify), since tte keeps one
 *             copy of an input, the recorded one; only when that recorded
 *             file is missing (not purged: deleted by hand) does the new
 *             copy take its place in the record
 *   begin     one SQLite transaction per file
 *   record    its inputs row (name, size, hash, the folder it goes to)
 *   read      the stage's callback: reads the file, writes the store
 *   commit    or roll back and quarantine it (the callback found it
 *             unusable), or roll back and leave it for the next run
 *   retire    move it to var/processed/KIND/YYYYMMDD/ (a ".N" before the
 *             extension when the name is taken) and record where
 *
 * A move that fails after the commit: the data is committed, so the stage
 * succeeds and warns; the next run recognises the file by its SHA-256 and
 * only retires it. A run killed at any moment leaves each file wholly
 * applied or not at all.
 *
 * Moves never replace a file (fs_move_into). A file is always in exactly
 * one place: the inbox, var/processed or var/quarantine; bad input is
 * quarantined with a "<name>.why" beside it and never deleted. Names in
 * var/ are shortened (fs_fit_name) when the dropped name is too long to
 * take a suffix; the inputs row, the quarantine row and the .why keep the
 * name as dropped. An inbox on another file system (a network share) is
 * moved from by copy + fsync + rename + unlink (fs_move_into): a crash
 * after the copy leaves the file in both places, and the next run knows
 * it by its hash.
 *
 * Every file under var/processed/KIND/ is named by an inputs row, so the
 * purge sees it: inbox_scan first puts files no row names (left by older
 * versions or a crash) under the rules above (a copy of a recorded input
 * is deleted, an input's lost copy is recorded where it lies).
 */
#ifndef TTE_INBOX_H
#define TTE_INBOX_H

#include <stdbool.h>
#include <sys/stat.h>
#include <glib.h>

struct tte_ctx;

/* A file in the inbox. Owned by the array inbox_scan() returns. */
struct inbox_item {
	char *name;		/* base name as dropped */
	char *path;		/* absolute path in the inbox */
	int fd;			/* open read-only while the stage reads it, else -1 */
	struct stat st;		/* of the open file (lstat of the entry before) */
	char sha256[65];	/* set once taken */
};

/* What the read callback gets. */
struct inbox_file {
	struct inbox_item *item;	/* borrowed; fd open, read it with pread */
	const char *kind;		/* "forms", "status" or "signed" */
	long long input_id;		/* its inputs row, in the open transaction */
	bool again;			/* the same bytes as an input committed and
					 * retired before, read again (read_again):
					 * INPUT_ID is that input's row */
};

/* What the read callback returns. */
enum inbox_read {
	INBOX_READ_OK = 0,	/* commit, then retire the file */
	INBOX_READ_BAD = 1,	/* unusable (*WHY, Indonesian, set by the callback):
				 * roll back, quarantine the file, go on */
	INBOX_READ_LATER = 2,	/* roll back and leave the file in the inbox for
				 * the next run (it changed while being read) */
	INBOX_READ_FAIL = -1,	/* an error of the stage's own, logged: roll back,
				 * the stage fails */
};

/*
 * A stage's part.
 *
 * read() runs inside the file's transaction, after its inputs row was
 * inserted. It reads F->item->fd from offset 0 (by pread or after its own
 * lseek), writes what it learned to the store, and may update the inputs
 * row (rows, new_rows, ...) by F->input_id. It must not begin, commit or
 * roll back, and must not move, rename or close the file: the skeleton
 * does. It may write outputs of its own (temp + rename) before returning;
 * they stay when the transaction is rolled back.
 *
 * done() (may be NULL) runs after the commit and the attempt to retire,
 * for the stage's counts and its summary line of the file.
 */
struct inbox_stage {
	const char *kind;		/* inbox/KIND/: "forms", "status", "signed" */
	const char *const *exts;	/* accepted name endings, e.g. { ".csv", NULL } */
	bool read_again;		/* a re-drop of a retired input is read again
					 * under its record instead of set aside */
	int (*read)(void *arg, const struct inbox_file *f, char **why);
	void (*done)(void *arg, const struct inbox_file *f);
	void *arg;
};

/* What inbox_process() did. */
struct inbox_counts {
	long files;		/* candidates taken */
	long read;		/* read and committed */
	long quarantined;	/* set aside as unreadable or unusable */
	long earlier;		/* committed by an earlier run: retired or set aside */
	long later;		/* left in the inbox for the next run */
	long unmoved;		/* committed but still in the inbox (warned) */
};

/*
 * List the candidates in inbox/KIND (STAGE's kind): not dot-files, not "*.part", not a
 * README, settled (neither modified nor moved in for [inbox]
 * settle_seconds), oldest first, then by name. Entries that can never be
 * read (symlinks, names not ending in one of STAGE's exts, case-insensitive) are
 * quarantined on the way; a folder is warned about and left; an entry
 * gone before it could be looked at is skipped; files still settling are
 * counted in *WAITING and left alone. Returns a GPtrArray of struct
 * inbox_item * (g_ptr_array_free frees the items), or NULL on a system
 * error (logged).
 */
GPtrArray *inbox_scan(struct tte_ctx *ctx, const struct inbox_stage *stage, int *waiting);

/*
 * Run the skeleton above over ITEMS (from inbox_scan with STAGE)
 * with STAGE's callbacks; ctx->db must be open and outside a transaction.
 * Adds to *COUNTS (zero it first). Returns 0 when every file was dealt
 * with (read, quarantined, set aside or left for later), -1 when the stage
 * must fail (logged; the file at hand is rolled back and stays in the
 * inbox, the files before it stay committed).
 */
int inbox_process(struct tte_ctx *ctx, const struct inbox_stage *stage, GPtrArray *items,
		  struct inbox_counts *counts);

void inbox_item_free(struct inbox_item *item);

#endif
