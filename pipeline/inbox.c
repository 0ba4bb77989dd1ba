/*
 * inbox.c - the inbox skeleton intake, ingest and verify share: scan,
 * take, recognise earlier inputs, one transaction per file around the
 * stage's read callback, quarantine or commit, retire (inbox.h).
 *
 * Reading is O_RDONLY|O_NOFOLLOW|O_NONBLOCK then fstat on the descriptor:
 * what is checked is what is read, even if the name is swapped meanwhile.
 * Moves are renames within the root's file system that never replace a
 * file, so a file is always in exactly one place: the inbox,
 * var/processed or var/quarantine. Every decision about a file that is
 * not simply read (unreadable, seen before, not movable) is made here, so
 * that the three stages behave alike.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "config.h"
#include "fsutil.h"
#include "inbox.h"
#include "log.h"
#include "store.h"
#include "testhook.h"
#include "tte.h"

void inbox_item_free(struct inbox_item *item)
{
	if (!item)
		return;
	if (item->fd >= 0)
		close(item->fd);
	g_free(item->name);
	g_free(item->path);
	g_free(item);
}

static bool has_ext(const char *name, const char *const *exts)
{
	size_t n = strlen(name);

	for (const char *const *e = exts; *e; e++) {
		size_t m = strlen(*e);

		if (n > m && !g_ascii_strcasecmp(name + n - m, *e))
			return true;
	}
	return false;
}

static gint by_age(gconstpointer a, gconstpointer b)
{
	const struct inbox_item *x = *(struct inbox_item *const *)a;
	const struct inbox_item *y = *(struct inbox_item *const *)b;

	if (x->st.st_mtime != y->st.st_mtime)
		return x->st.st_mtime < y->st.st_mtime ? -1 : 1;
	return strcmp(x->name, y->name);
}

static char *ext_list(const char *const *exts)
{
	GString *s = g_string_new(NULL);

	for (const char *const *e = exts; *e; e++)
		g_string_append_printf(s, "%s%s", s->len ? ", " : "", *e);
	return g_string_free(s, FALSE);
}

static int quarantine(struct tte_ctx *ctx, const char *kind, struct inbox_item *it,
		      const char *why);
static int sweep_processed(struct tte_ctx *ctx, const char *kind);

/* A file taken back (by a verifier or a sync tool) between the listing and
 * the moment tte opens or moves it: nothing was read, nothing to do. */
static void warn_gone(const char *kind, const char *name)
{
	log_warn("%s/%s hilang dari inbox sebelum dibaca; dilewati", kind, name);
}

/* TTE_TEST_VANISH: the entry disappears right after readdir named it (a
 * verifier or a sync tool taking it back). */
static void vanish_hook(const struct inbox_item *it)
{
	const char *name = tte_test_value("VANISH");

	if (name && !strcmp(name, it->name))
		unlink(it->path);
}

GPtrArray *inbox_scan(struct tte_ctx *ctx, const struct inbox_stage *stage, int *waiting)
{
	const char *kind = stage->kind;
	const char *const *exts = stage->exts;
	char *dir = tte_path(ctx, "inbox", kind, NULL);
	GPtrArray *items = g_ptr_array_new_with_free_func((GDestroyNotify)inbox_item_free);
	DIR *d = NULL;
	struct dirent *e;

	*waiting = 0;
	if (ctx->db && sweep_processed(ctx, kind)) {
		g_ptr_array_free(items, TRUE);
		g_free(dir);
		return NULL;
	}
	d = opendir(dir);
	if (!d) {
		log_error("tidak dapat membuka %s: %s", dir, strerror(errno));
		g_ptr_array_free(items, TRUE);
		g_free(dir);
		return NULL;
	}
	for (errno = 0; (e = readdir(d)); errno = 0) {
		struct inbox_item *it;
		size_t n = strlen(e->d_name);
		time_t changed;

		if (e->d_name[0] == '.')
			continue;
		if (n > 5 && !strcmp(e->d_name + n - 5, ".part"))
			continue;
		if (!g_ascii_strcasecmp(e->d_name, "README.md") ||
		    !g_ascii_strcasecmp(e->d_name, "README"))
			continue;
		it = g_new0(struct inbox_item, 1);
		it->fd = -1;
		it->name = g_strdup(e->d_name);
		it->path = g_build_filename(dir, e->d_name, NULL);
		vanish_hook(it);
		if (lstat(it->path, &it->st)) {
			int err = errno;

			inbox_item_free(it);
			if (err == ENOENT) {
				warn_gone(kind, e->d_name);
				continue;
			}
			log_error("tidak dapat memeriksa %s/%s: %s", kind, e->d_name, strerror(err));
			goto fail;
		}
		if (S_ISDIR(it->st.st_mode)) {
			log_warn("folder %s/%s di inbox diabaikan: taruh berkasnya langsung di inbox/%s/",
				 kind, it->name, kind);
			inbox_item_free(it);
			continue;
		}
		changed = it->st.st_mtime > it->st.st_ctime ? it->st.st_mtime : it->st.st_ctime;
		if (!S_ISLNK(it->st.st_mode) &&
		    (long long)changed > ctx->now - ctx->cfg->settle_seconds) {
			(*waiting)++;
			log_info("%s/%s changed %llds ago: waits for the next run", kind, it->name,
				 ctx->now - (long long)changed);
			inbox_item_free(it);
			continue;
		}
		if (S_ISLNK(it->st.st_mode)) {
			int rc = quarantine(ctx, kind, it,
					    "berkas ini tautan simbolik (symlink); tte tidak "
					    "mengikuti tautan. Salin berkas aslinya ke inbox.");

			inbox_item_free(it);
			if (rc < 0)
				goto fail;
			continue;
		}
		if (!has_ext(it->name, exts)) {
			char *list = ext_list(exts);
			char *why = g_strdup_printf("jenis berkas tidak dikenal di inbox/%s/: yang "
						    "diterima hanya %s", kind, list);
			int rc = quarantine(ctx, kind, it, why);

			g_free(why);
			g_free(list);
			inbox_item_free(it);
			if (rc < 0)
				goto fail;
			continue;
		}
		g_ptr_array_add(items, it);
	}
	if (errno) {
		log_error("tidak dapat membaca folder %s: %s", dir, strerror(errno));
		goto fail;
	}
	closedir(d);
	g_free(dir);
	g_ptr_array_sort(items, by_age);
	return items;
fail:
	closedir(d);
	g_free(dir);
	g_ptr_array_free(items, TRUE);
	return NULL;
}

/* Open IT safely and hash it. 0; -1 with *WHY (quarantine it); -2 on a
 * system error (logged); -3 when it is gone. */
static int open_item(struct tte_ctx *ctx, struct inbox_item *it, char **why)
{
	const char *vanish = tte_test_value("VANISH_OPEN");
	int fd;

	if (vanish && !strcmp(vanish, it->name))
		unlink(it->path);
	fd = open(it->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	*why = NULL;
	if (fd < 0) {
		if (errno == ENOENT)
			return -3;
		if (errno == ELOOP) {
			*why = g_strdup("berkas ini tautan simbolik (symlink); tte tidak mengikuti tautan");
			return -1;
		}
		if (errno == EACCES) {
			*why = g_strdup_printf("berkas tidak dapat dibaca oleh tte (izin akses): %s",
					       strerror(errno));
			return -1;
		}
		log_error("tidak dapat membuka %s: %s", it->path, strerror(errno));
		return -2;
	}
	if (fstat(fd, &it->st)) {
		log_error("fstat %s: %s", it->path, strerror(errno));
		close(fd);
		return -2;
	}
	if (!S_ISREG(it->st.st_mode)) {
		*why = g_strdup("bukan berkas biasa (mungkin perangkat, pipa, atau soket)");
		close(fd);
		return -1;
	}
	if (it->st.st_nlink != 1) {
		*why = g_strdup("berkas memiliki lebih dari satu tautan (hard link); salin berkasnya "
				"ke inbox, jangan ditautkan");
		close(fd);
		return -1;
	}
	if ((long long)it->st.st_size > ctx->cfg->max_file_bytes) {
		*why = g_strdup_printf("berkas terlalu besar (%lld MiB; batas %lld MiB, [inbox] "
				       "max_file_mb)", (long long)it->st.st_size >> 20,
				       ctx->cfg->max_file_bytes >> 20);
		close(fd);
		return -1;
	}
	/* Reads block normally from here on. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if (fs_sha256_fd(fd, it->sha256)) {
		close(fd);
		return -2;
	}
	it->fd = fd;
	return 0;
}

/* An input moved under var/ holds personal data: give it the mode the umask
 * gives tte's own files. A file dropped by another user (group tte) stays
 * as it is: only its owner may change it, and var/'s folders already keep
 * others out. Symlinks (quarantined as such) are left alone. */
static void private_mode(const char *path)
{
	struct stat st;
	mode_t mask = umask(0);

	umask(mask);
	if (!lstat(path, &st) && S_ISREG(st.st_mode) && st.st_uid == geteuid())
		chmod(path, 0666 & ~mask);
}

/*
 * Move IT out of the inbox into DIR (created when missing) under a free
 * name, owner-only; *DST gets the new path. Every move of an inbox file,
 * to var/processed or var/quarantine, is this one.
 */
static int move_item(struct inbox_item *it, const char *dir, char **dst)
{
	if (it->fd >= 0) {
		close(it->fd);
		it->fd = -1;
	}
	if (fs_mkdir_p(dir, 0777) || fs_move_into(it->path, dir, dst))
		return -1;
	private_mode(*dst);
	return 0;
}

/* The quarantine row, when a store is open (its own statement: the file's
 * transaction, if any, was rolled back). A failure is logged only: the
 * file and its .why are in place, which is what the verifier reads. */
static void record_quarantine(struct tte_ctx *ctx, const char *kind, const char *name,
			      const char *stored, const char *why)
{
	sqlite3_stmt *st;

	if (!ctx->db)
		return;
	st = store_prepare(ctx->db, "INSERT INTO quarantine(kind, name, day, at, stored, why)"
			   " VALUES(?,?,?,?,?,?)");
	if (!st)
		return;
	store_bind_text(st, 1, kind);
	store_bind_text(st, 2, name);
	store_bind_text(st, 3, ctx->today);
	store_bind_text(st, 4, store_now());
	store_bind_text(st, 5, stored);
	store_bind_text(st, 6, why);
	store_step_done(st);
	sqlite3_finalize(st);
}

/*
 * Move IT (open or not) to var/quarantine/KIND/ with a "<name>.why" beside
 * it saying WHY (Indonesian; "<name>.N.why" when a quarantined file has
 * that name), record it in the store when one is open (own
 * transaction), and warn on stderr. 0; 1 when IT was gone before it could
 * be moved (warned); -1.
 */
static int quarantine(struct tte_ctx *ctx, const char *kind, struct inbox_item *it,
		      const char *why)
{
	char *dir = tte_path(ctx, "var", "quarantine", kind, NULL);
	char *dst = NULL, *whyname = NULL, *text = NULL, *rel = NULL;
	int rc = -1;

	if (move_item(it, dir, &dst)) {
		if (errno == ENOENT) {
			warn_gone(kind, it->name);
			rc = 1;
		}
		goto out;
	}
	text = g_strdup_printf("Berkas   : %s\n"
			       "Dari     : inbox/%s/\n"
			       "Tanggal  : %s\n"
			       "Alasan   : %s\n\n"
			       "Berkas ini TIDAK diproses dan tidak dihapus. Perbaiki atau unduh "
			       "ulang, lalu taruh kembali di inbox/%s/.\n",
			       it->name, kind, store_now(), why, kind);
	/* "<name>.why", or "<name>.N.why" when a quarantined file is already
	 * called that (someone dropped "a.csv.why"): never replaced. DST's
	 * base is fitted, so the name leaves room for the suffix. */
	whyname = g_strdup_printf("%s.why", strrchr(dst, '/') + 1);
	if (fs_write_new(dir, whyname, text, strlen(text), NULL))
		goto out;
	rel = g_strdup(dst + strlen(ctx->root) + 1);
	record_quarantine(ctx, kind, it->name, rel, why);
	log_warn("berkas %s/%s dikarantina ke %s: %s", kind, it->name, rel, why);
	rc = 0;
out:
	g_free(rel);
	g_free(text);
	g_free(whyname);
	g_free(dst);
	g_free(dir);
	return rc;
}

/* var/processed/KIND/YYYYMMDD: where a file committed on day DAY goes, and
 * what its inputs row says until the move is done. */
static char *processed_dir(const char *kind, const char *day)
{
	char compact[9];
	size_t n = 0;

	for (const char *p = day; *p && n < 8; p++)
		if (*p != '-')
			compact[n++] = *p;
	compact[n] = 0;
	return g_build_filename("var", "processed", kind, compact, NULL);
}

/* Move IT to var/processed/KIND/<today>/; *STORED gets the new path
 * relative to the root. */
static int move_processed(struct tte_ctx *ctx, const char *kind, struct inbox_item *it,
			  char **stored)
{
	char *rel = processed_dir(kind, ctx->today);
	char *dir = tte_path(ctx, rel, NULL);
	char *dst = NULL;
	int rc = -1;

	if (move_item(it, dir, &dst))
		goto out;
	*stored = g_build_filename(rel, strrchr(dst, '/') + 1, NULL);
	rc = 0;
out:
	g_free(dst);
	g_free(dir);
	g_free(rel);
	return rc;
}

/* IT's inputs row (kind KIND, today, the folder it will move to), in the
 * caller's transaction. Its id, or 0 (logged). */
static long long record_input(struct tte_ctx *ctx, const char *kind,
			      const struct inbox_item *it)
{
	char *dir = processed_dir(kind, ctx->today);
	sqlite3_stmt *st = store_stmt(ctx->db, "INSERT INTO inputs(sha256, kind, name, size, day,"
				      " at, stored) VALUES(?,?,?,?,?,?,?)");
	long long id = 0;

	if (st) {
		store_bind_text(st, 1, it->sha256);
		store_bind_text(st, 2, kind);
		store_bind_text(st, 3, it->name);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)it->st.st_size);
		store_bind_text(st, 5, ctx->today);
		store_bind_text(st, 6, store_now());
		store_bind_text(st, 7, dir);
		if (!store_step_done(st))
			id = sqlite3_last_insert_rowid(ctx->db);
	}
	g_free(dir);
	return id;
}

/* Record that input ID now lies at STORED: the purge will see it. */
static int set_stored(struct tte_ctx *ctx, long long id, const char *stored)
{
	sqlite3_stmt *st = store_stmt(ctx->db, "UPDATE inputs SET stored=?1, deleted_day=NULL"
				      " WHERE id=?2");

	if (!st)
		return -1;
	store_bind_text(st, 1, stored);
	sqlite3_bind_int64(st, 2, id);
	return store_step_done(st);
}

/*
 * After the commit: move IT to var/processed/ and record the final path in
 * input INPUT_ID. A failed move leaves the record naming the folder, which
 * is how the next run (earlier_input) and the purge know the file was
 * never moved. A database error after the move also leaves the folder
 * there; the purge looks for the file in it by name.
 */
static int retire(struct tte_ctx *ctx, const char *kind, struct inbox_item *it,
		  long long input_id)
{
	char *stored = NULL;
	int rc = move_processed(ctx, kind, it, &stored);

	if (!rc)
		set_stored(ctx, input_id, stored);
	g_free(stored);
	return rc;
}

/*
 * IT holds the bytes of input INPUT_ID, whose copy under var/processed is
 * recorded (or was deleted by the purge): tte keeps one copy of an input,
 * the recorded one, so this one is deleted. Were it kept, no record would
 * name it and no purge would ever delete the personal data in it.
 */
static int drop_copy(const char *kind, struct inbox_item *it)
{
	if (it->fd >= 0) {
		close(it->fd);
		it->fd = -1;
	}
	if (fs_unlink(it->path))
		return -1;
	log_info("%s/%s: the same bytes as an input already recorded (sha256 %.12s): deleted",
		 kind, it->name, it->sha256);
	return 0;
}

/* What the store knows of a file's bytes. */
enum earlier {
	EARLIER_NONE,		/* new */
	EARLIER_UNMOVED,	/* committed, never moved: its record names the folder */
	EARLIER_KEPT,		/* committed and retired: its recorded copy is there,
				 * or the purge deleted it */
	EARLIER_LOST,		/* committed and retired, but the file its record
				 * names is missing (deleted by hand) */
};

/* The record of SHA (an input's hash): *HOW and its *ID when there is
 * one. */
static int earlier_input(struct tte_ctx *ctx, const char *sha, enum earlier *how,
			 long long *id)
{
	sqlite3_stmt *st = store_stmt(ctx->db, "SELECT id, kind, day, stored FROM inputs"
				      " WHERE sha256=?");
	int rc;

	if (!st)
		return -1;
	*how = EARLIER_NONE;
	*id = 0;
	store_bind_text(st, 1, sha);
	rc = store_row(st);
	if (rc > 0) {
		const char *rel = (const char *)sqlite3_column_text(st, 3);
		char *dir = processed_dir((const char *)sqlite3_column_text(st, 1),
					  (const char *)sqlite3_column_text(st, 2));

		*id = sqlite3_column_int64(st, 0);
		if (rel && !strcmp(rel, dir)) {
			*how = EARLIER_UNMOVED;
		} else if (rel) {
			char *path = tte_path(ctx, rel, NULL);
			struct stat sb;

			*how = lstat(path, &sb) && errno == ENOENT ? EARLIER_LOST : EARLIER_KEPT;
			g_free(path);
		} else {
			*how = EARLIER_KEPT;	/* purged */
		}
		g_free(dir);
	}
	sqlite3_reset(st);
	return rc < 0 ? -1 : 0;
}

/*
 * After the commit, or for a file committed by an earlier run: leave tte's
 * one copy of input ID under var/processed (HOW: its recorded copy is kept,
 * so this one is deleted; else this one is moved there). A file that stays
 * in the inbox is warned about, once, and the next run finishes the job.
 */
static void settle(struct tte_ctx *ctx, const char *kind, struct inbox_item *it,
		   enum earlier how, long long id, struct inbox_counts *n)
{
	if (how == EARLIER_KEPT ? drop_copy(kind, it) : retire(ctx, kind, it, id)) {
		log_warn("%s/%s sudah diproses tetapi belum dapat dipindahkan dari inbox; run "
			 "berikutnya memindahkannya", kind, it->name);
		n->unmoved++;
	}
}

/* ---- files under var/processed that no record names ---------------------------- */

/*
 * A file REL under var/processed/ that no inputs row names. Known by its
 * hash, it gets the rules of a re-drop: a copy of an input whose recorded
 * copy is there (or was purged) is deleted; the one copy of an input whose
 * record names only the folder or a missing file is recorded where it
 * lies; a file tte never read is left alone and warned about. -1 on a
 * database error, else 0 (a file that cannot be read or deleted is
 * logged and left for the next run).
 */
static int sweep_one(struct tte_ctx *ctx, const char *rel)
{
	char *path = tte_path(ctx, rel, NULL);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	char sha[65];
	struct stat sb;
	enum earlier how;
	long long id;
	int rc = 0;

	if (fd < 0)
		goto out;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || fs_sha256_fd(fd, sha)) {
		close(fd);
		goto out;
	}
	close(fd);
	rc = earlier_input(ctx, sha, &how, &id);
	if (rc)
		goto out;
	switch (how) {
	case EARLIER_NONE:
		log_warn("%s tidak tercatat di database dan tidak dikenali; tte tidak menyentuhnya",
			 rel);
		break;
	case EARLIER_KEPT:
		if (!fs_unlink(path))
			log_info("%s: a copy of an input already recorded (sha256 %.12s): deleted",
				 rel, sha);
		break;
	case EARLIER_UNMOVED:
	case EARLIER_LOST:
		rc = set_stored(ctx, id, rel);
		if (!rc)
			log_info("%s: recorded as input %lld", rel, id);
		break;
	}
out:
	g_free(path);
	return rc;
}

/*
 * Every file tte keeps under var/processed/KIND/ is named by the store, so
 * that the purge sees it: files left unrecorded (by versions that moved a
 * re-dropped file aside, or by a crash between a move and its record) are
 * put under the same rules here, before the inbox is read. -1 on a
 * database error (logged): the stage fails as it would on its own reads.
 */
static int sweep_processed(struct tte_ctx *ctx, const char *kind)
{
	char *top = tte_path(ctx, "var", "processed", kind, NULL);
	GHashTable *known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GPtrArray *strays = g_ptr_array_new_with_free_func(g_free);
	sqlite3_stmt *st = NULL;
	DIR *d = opendir(top), *dd;
	struct dirent *e, *f;
	int rc, ret = -1;

	if (!d) {
		ret = 0;
		goto out;
	}
	st = store_prepare(ctx->db, "SELECT stored FROM inputs WHERE kind=? AND stored IS NOT NULL");
	if (!st)
		goto out;
	store_bind_text(st, 1, kind);
	while ((rc = store_row(st)) > 0) {
		/* A record naming only the folder does not name a file in it:
		 * such a file is hashed, and recorded when it is that input. */
		g_hash_table_add(known, g_strdup((const char *)sqlite3_column_text(st, 0)));
	}
	if (rc < 0)
		goto out;
	while ((e = readdir(d))) {
		char *day = g_build_filename(top, e->d_name, NULL);

		if (e->d_name[0] != '.' && (dd = opendir(day))) {
			while ((f = readdir(dd))) {
				char *rel;

				if (f->d_name[0] == '.')
					continue;
				rel = g_build_filename("var", "processed", kind, e->d_name,
						       f->d_name, NULL);
				if (g_hash_table_contains(known, rel))
					g_free(rel);
				else
					g_ptr_array_add(strays, rel);
			}
			closedir(dd);
		}
		g_free(day);
	}
	for (guint i = 0; i < strays->len; i++)
		if (sweep_one(ctx, g_ptr_array_index(strays, i)))
			goto out;
	ret = 0;
out:
	sqlite3_finalize(st);
	if (d)
		closedir(d);
	g_ptr_array_free(strays, TRUE);
	g_hash_table_destroy(known);
	g_free(top);
	return ret;
}

/* ---- one file --------------------------------------------------------------------- */

/*
 * Open IT and decide what becomes of it: 1 read it (F->input_id and
 * F->again set when it is read again under an earlier record, *HOW says
 * whether the earlier copy is kept); 0 it was dealt with here (quarantined
 * as unreadable, gone, or committed before: retired or deleted as a copy
 * now); -1 the stage fails (logged).
 */
static int take(struct tte_ctx *ctx, const struct inbox_stage *s, struct inbox_item *it,
		struct inbox_file *f, enum earlier *how, struct inbox_counts *n)
{
	char *why = NULL;
	long long id;
	int rc = open_item(ctx, it, &why);

	if (rc == -3) {
		warn_gone(s->kind, it->name);
		return 0;
	}
	if (rc == -1) {
		rc = quarantine(ctx, s->kind, it, why);
		n->quarantined += !rc;
		g_free(why);
		return rc < 0 ? -1 : 0;
	}
	if (rc || earlier_input(ctx, it->sha256, how, &id))
		return -1;
	if (*how == EARLIER_NONE)
		return 1;
	if (*how != EARLIER_UNMOVED && s->read_again) {
		f->input_id = id;
		f->again = true;
		return 1;
	}
	n->earlier++;
	if (*how == EARLIER_UNMOVED)
		/* A move that failed, or a run killed after its commit. */
		log_info("%s/%s: committed before but not moved (sha256 %.12s); moved now",
			 s->kind, it->name, it->sha256);
	settle(ctx, s->kind, it, *how, id, n);
	return 0;
}

/* One file through the skeleton (inbox.h). 0 dealt with; -1 stage failure. */
static int process_one(struct tte_ctx *ctx, const struct inbox_stage *s, struct inbox_item *it,
		       struct inbox_counts *n)
{
	sqlite3 *db = ctx->db;
	struct inbox_file f = { .item = it, .kind = s->kind };
	enum earlier how = EARLIER_NONE;
	char *why = NULL;
	int rc, ret = -1;

	n->files++;
	rc = take(ctx, s, it, &f, &how, n);
	if (rc <= 0)
		return rc;
	if (store_begin(db))
		goto out;
	if (!f.again && !(f.input_id = record_input(ctx, s->kind, it)))
		goto fail;
	switch (s->read(s->arg, &f, &why)) {
	case INBOX_READ_OK:
		break;
	case INBOX_READ_BAD:
		store_rollback(db);
		ret = quarantine(ctx, s->kind, it, why ? why : "berkas tidak dapat dibaca");
		n->quarantined += !ret;
		if (ret > 0)
			ret = 0;
		goto out;
	case INBOX_READ_LATER:
		store_rollback(db);
		n->later++;
		ret = 0;
		goto out;
	default:
		goto fail;
	}
	if (store_commit(db))
		goto fail;
	n->read++;
	/* Committed: the stage's work on this file is done whatever happens
	 * to the move. A file left in the inbox is recognised by its hash
	 * next time (EARLIER_UNMOVED) and only moved then. Read again, its
	 * recorded copy stays the one copy. */
	settle(ctx, s->kind, it, how, f.input_id, n);
	if (s->done)
		s->done(s->arg, &f);
	ret = 0;
	goto out;
fail:
	store_rollback(db);
out:
	if (it->fd >= 0) {
		close(it->fd);
		it->fd = -1;
	}
	g_free(why);
	return ret;
}

int inbox_process(struct tte_ctx *ctx, const struct inbox_stage *stage, GPtrArray *items,
		  struct inbox_counts *counts)
{
	for (guint i = 0; i < items->len; i++)
		if (process_one(ctx, stage, g_ptr_array_index(items, i), counts))
			return -1;
	return 0;
}
