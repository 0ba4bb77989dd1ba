/*
 * inbox.c - scanning, opening, retiring and quarantining inbox files.
 *
 * Reading is O_RDONLY|O_NOFOLLOW|O_NONBLOCK then fstat on the descriptor:
 * what is checked is what is read, even if the name is swapped meanwhile.
 * Moves are renames within the root's file system, so a file is always in
 * exactly one place: the inbox, var/processed or var/quarantine.
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

GPtrArray *inbox_scan(struct tte_ctx *ctx, const char *kind, const char *const *exts,
		      int *waiting)
{
	char *dir = tte_path(ctx, "inbox", kind, NULL);
	GPtrArray *items = g_ptr_array_new_with_free_func((GDestroyNotify)inbox_item_free);
	DIR *d = opendir(dir);
	struct dirent *e;

	*waiting = 0;
	if (!d) {
		log_error("tidak dapat membuka %s: %s", dir, strerror(errno));
		g_ptr_array_free(items, TRUE);
		g_free(dir);
		return NULL;
	}
	while ((e = readdir(d))) {
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
		if (lstat(it->path, &it->st)) {
			inbox_item_free(it);
			continue;
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
			inbox_quarantine(ctx, kind, it,
					 "berkas ini tautan simbolik (symlink); tte tidak mengikuti "
					 "tautan. Salin berkas aslinya ke inbox.");
			inbox_item_free(it);
			continue;
		}
		if (!has_ext(it->name, exts)) {
			char *list = ext_list(exts);
			char *why = g_strdup_printf("jenis berkas tidak dikenal di inbox/%s/: yang "
						    "diterima hanya %s", kind, list);

			inbox_quarantine(ctx, kind, it, why);
			g_free(why);
			g_free(list);
			inbox_item_free(it);
			continue;
		}
		g_ptr_array_add(items, it);
	}
	closedir(d);
	g_free(dir);
	g_ptr_array_sort(items, by_age);
	return items;
}

int inbox_open(struct tte_ctx *ctx, struct inbox_item *it, char **why)
{
	int fd = open(it->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	*why = NULL;
	if (fd < 0) {
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

char *inbox_done_dir(struct tte_ctx *ctx, const char *kind)
{
	return g_build_filename("var", "processed", kind, ctx->today_compact, NULL);
}

int inbox_done(struct tte_ctx *ctx, const char *kind, struct inbox_item *it, char **stored)
{
	char *rel = inbox_done_dir(ctx, kind);
	char *dir = tte_path(ctx, rel, NULL);
	char *dst = NULL;
	int rc = -1;

	if (it->fd >= 0) {
		close(it->fd);
		it->fd = -1;
	}
	if (fs_mkdir_p(dir, 0777) || fs_move_into(it->path, dir, &dst))
		goto out;
	private_mode(dst);
	if (stored)
		*stored = g_build_filename(rel, strrchr(dst, '/') + 1, NULL);
	rc = 0;
out:
	g_free(dst);
	g_free(dir);
	g_free(rel);
	return rc;
}

int inbox_known(struct tte_ctx *ctx, const struct inbox_item *it, bool *known)
{
	sqlite3_stmt *st = store_stmt(ctx->db, "SELECT 1 FROM inputs WHERE sha256=?");
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, it->sha256);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return log_error("database: %s", sqlite3_errmsg(ctx->db));
	*known = rc == SQLITE_ROW;
	return 0;
}

int inbox_take(struct tte_ctx *ctx, const char *kind, struct inbox_item *it)
{
	char *why = NULL;
	bool known = false;
	int rc = inbox_open(ctx, it, &why);

	if (rc == -1) {
		rc = inbox_quarantine(ctx, kind, it, why);
		g_free(why);
		return rc;
	}
	if (rc || inbox_known(ctx, it, &known))
		return -1;
	if (!known)
		return 1;
	/* Committed by an earlier run (perhaps killed before the move), or
	 * dropped again: nothing to apply. */
	log_info("%s/%s: already processed (sha256 %.12s), moved aside", kind, it->name,
		 it->sha256);
	if (inbox_done_again(ctx, kind, it))
		log_warn("%s/%s sudah pernah diproses tetapi tidak dapat dipindahkan dari inbox",
			 kind, it->name);
	return 0;
}

long long inbox_record(struct tte_ctx *ctx, const char *kind, const struct inbox_item *it)
{
	char *dir = inbox_done_dir(ctx, kind);
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

/* Record where input ID (or the input with SHA, when ID is 0 and its file
 * had been deleted) now lies. */
static int set_stored(struct tte_ctx *ctx, long long id, const char *sha, const char *stored)
{
	sqlite3_stmt *st = id ? store_stmt(ctx->db, "UPDATE inputs SET stored=?1 WHERE id=?2")
			      : store_stmt(ctx->db, "UPDATE inputs SET stored=?1, deleted_day=NULL"
					   " WHERE sha256=?3 AND stored IS NULL");

	if (!st)
		return -1;
	store_bind_text(st, 1, stored);
	if (id)
		sqlite3_bind_int64(st, 2, id);
	else
		store_bind_text(st, 3, sha);
	return store_step_done(st);
}

int inbox_retire(struct tte_ctx *ctx, const char *kind, struct inbox_item *it, long long input_id)
{
	char *stored = NULL;
	int rc = inbox_done(ctx, kind, it, &stored);

	/* The record keeps the folder if this fails (logged): the purge
	 * finds the file there by its name. */
	if (!rc)
		set_stored(ctx, input_id, NULL, stored);
	g_free(stored);
	return rc;
}

int inbox_done_again(struct tte_ctx *ctx, const char *kind, struct inbox_item *it)
{
	char sha[65];
	char *stored = NULL;
	int rc;

	g_strlcpy(sha, it->sha256, sizeof(sha));
	if (inbox_done(ctx, kind, it, &stored))
		return -1;
	rc = set_stored(ctx, 0, sha, stored);
	g_free(stored);
	return rc;
}

static void record(struct tte_ctx *ctx, const char *kind, const char *name, const char *stored,
		   const char *why)
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

int inbox_quarantine(struct tte_ctx *ctx, const char *kind, struct inbox_item *it,
		     const char *why)
{
	char *dir = tte_path(ctx, "var", "quarantine", kind, NULL);
	char *dst = NULL, *whypath = NULL, *text = NULL, *rel = NULL;
	int rc = -1;

	if (it->fd >= 0) {
		close(it->fd);
		it->fd = -1;
	}
	if (fs_mkdir_p(dir, 0777) || fs_move_into(it->path, dir, &dst))
		goto out;
	private_mode(dst);
	whypath = g_strdup_printf("%s.why", dst);
	text = g_strdup_printf("Berkas   : %s\n"
			       "Dari     : inbox/%s/\n"
			       "Tanggal  : %s\n"
			       "Alasan   : %s\n\n"
			       "Berkas ini TIDAK diproses dan tidak dihapus. Perbaiki atau unduh "
			       "ulang, lalu taruh kembali di inbox/%s/.\n",
			       it->name, kind, store_now(), why, kind);
	if (fs_write_atomic(whypath, text, strlen(text)))
		goto out;
	rel = g_strdup(dst + strlen(ctx->root) + 1);
	record(ctx, kind, it->name, rel, why);
	log_warn("berkas %s/%s dikarantina ke %s: %s", kind, it->name, rel, why);
	rc = 0;
out:
	g_free(rel);
	g_free(text);
	g_free(whypath);
	g_free(dst);
	g_free(dir);
	return rc;
}
