/*
 * purge - destroy the form data once a certificate is issued, as the SOP
 * promises, and the files whose work is done.
 *
 * Input: the store and the root's files. What goes:
 *   - applicants first seen ISSUE purge.grace_days or more ago: NIK
 *     (applicants stay keyed by the NIK's HMAC, so a later export or
 *     resubmission still finds them), KTP link, e-mail, phone, golongan,
 *     jabatan, the data hash, their raw submissions with their problems,
 *     history notes quoting the form, and their letters' files (outbox and
 *     var/signed copies); what stays for audit: name, NIP, unit, states and
 *     dates, letter ids and hashes;
 *   - rejected rows that belong to nobody (no usable NIK), and their
 *     problems, once their file is older than purge.retention_days;
 *   - processed inputs under var/processed once every applicant whose data
 *     came from them (forms: their submissions; status exports: the
 *     applicants they named; signed PDFs: their letters' applicants) is
 *     purged, or once older than retention_days, with the unmatched status
 *     rows they left;
 *   - bundles in outbox/bundles once every applicant in them is purged or
 *     older than retention_days;
 *   - notices and reports in the outbox older than retention_days;
 *   - run logs in var/log older than retention_days (by the date in their
 *     name), except the one this run writes.
 * Then the database is checkpointed, vacuumed and its WAL truncated
 * (secure_delete is on), so nothing is left in free pages or the WAL.
 *
 * Files are deleted inside the database transaction, before the commit:
 * if the commit fails, the next run deletes them again (a missing file is
 * success), so a failure can never leave a file the database forgot.
 * The log line holds counts only.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>

#include "config.h"
#include "dates.h"
#include "fsutil.h"
#include "log.h"
#include "stage.h"
#include "store.h"
#include "tte.h"

struct purge {
	struct tte_ctx *ctx;
	char grace_day[11];		/* issued on or before: purge */
	char keep_day[11];		/* older than retention: on or before this */
	GHashTable *dirs;		/* directories to fsync after unlinks */
	long applicants, submissions, letters, inputs, bundles, outbox, unmatched, logs;
};

/*
 * The absolute path of a file tte recorded as REL (relative to the root,
 * or absolute inside it), provided it lies under UNDER/ and has no ".."
 * component; NULL otherwise (logged: tte never deletes outside its folders).
 */
static char *root_file(struct purge *p, const char *rel, const char *under)
{
	const char *root = p->ctx->root;
	size_t rl = strlen(root), ul = strlen(under);
	gchar **parts;
	bool ok = true;

	if (rel[0] == '/') {
		if (strncmp(rel, root, rl) || rel[rl] != '/')
			goto bad;
		rel += rl + 1;
	}
	if (strncmp(rel, under, ul) || rel[ul] != '/')
		goto bad;
	parts = g_strsplit(rel, "/", -1);
	for (gchar **q = parts; *q; q++)
		if (!strcmp(*q, ".."))
			ok = false;
	g_strfreev(parts);
	if (ok)
		return g_build_filename(root, rel, NULL);
bad:
	log_warn("purge: %s lies outside %s/; not deleted", rel, under);
	return NULL;
}

/* Unlink PATH (a missing file is fine); the directory is fsynced later. */
static int remove_file(struct purge *p, const char *path)
{
	struct stat st;

	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		return log_error("%s: %s", path, strerror(errno));
	}
	if (S_ISDIR(st.st_mode))
		return log_error("purge: %s is a folder, not deleted", path);
	if (unlink(path) && errno != ENOENT)
		return log_error("tidak dapat menghapus %s: %s", path, strerror(errno));
	g_hash_table_add(p->dirs, g_path_get_dirname(path));
	return 1;
}

static int remove_recorded(struct purge *p, const char *rel, const char *under)
{
	char *path = root_file(p, rel, under);
	int rc;

	if (!path)
		return 0;
	rc = remove_file(p, path);
	g_free(path);
	return rc;
}

static int sync_dirs(struct purge *p)
{
	GHashTableIter it;
	gpointer k;
	int rc = 0;

	g_hash_table_iter_init(&it, p->dirs);
	while (g_hash_table_iter_next(&it, &k, NULL))
		if (fs_sync_dir(k))
			rc = -1;
	g_hash_table_remove_all(p->dirs);
	return rc;
}

static int exec_bind(struct purge *p, const char *sql, const char *a, const char *b, long *changes)
{
	sqlite3_stmt *st = store_prepare(p->ctx->db, sql);
	int rc;

	if (!st)
		return -1;
	if (a)
		store_bind_text(st, 1, a);
	if (b)
		store_bind_text(st, 2, b);
	rc = store_step_done(st);
	sqlite3_finalize(st);
	if (!rc && changes)
		*changes += sqlite3_changes(p->ctx->db);
	return rc;
}

/* ---- applicants --------------------------------------------------------------------- */

static int purge_letters(struct purge *p)
{
	sqlite3 *db = p->ctx->db;
	sqlite3_stmt *st;
	int rc;

	st = store_prepare(db, "SELECT file, signed_file FROM letters"
			   " WHERE applicant_id IN (SELECT id FROM temp.purge_ids)"
			   " AND (file IS NOT NULL OR signed_file IS NOT NULL)");
	if (!st)
		return -1;
	while ((rc = store_row(st)) > 0) {
		const char *f = (const char *)sqlite3_column_text(st, 0);
		const char *s = (const char *)sqlite3_column_text(st, 1);
		int r1 = f ? remove_recorded(p, f, "outbox") : 0;
		int r2 = s ? remove_recorded(p, s, "var") : 0;

		if (r1 < 0 || r2 < 0) {
			sqlite3_finalize(st);
			return -1;
		}
		p->letters += r1 + r2;
	}
	sqlite3_finalize(st);
	if (rc < 0)
		return -1;
	/* The current letter by its contract name, even if unrecorded, unless
	 * another applicant still waiting has the same NIP. */
	st = store_prepare(db, "SELECT a.nip FROM applicants a WHERE a.id IN (SELECT id FROM"
			   " temp.purge_ids) AND NOT EXISTS(SELECT 1 FROM applicants b WHERE"
			   " b.nip=a.nip AND b.purged_day IS NULL AND b.id NOT IN"
			   " (SELECT id FROM temp.purge_ids))");
	if (!st)
		return -1;
	while ((rc = store_row(st)) > 0) {
		const char *nip = (const char *)sqlite3_column_text(st, 0);
		char *name, *path;
		int r;

		if (!nip || strchr(nip, '/') || !*nip || *nip == '.')
			continue;
		name = g_strdup_printf("%s.pdf", nip);
		path = tte_path(p->ctx, "outbox", "letters", name, NULL);
		r = remove_file(p, path);
		g_free(path);
		g_free(name);
		if (r < 0) {
			sqlite3_finalize(st);
			return -1;
		}
		p->letters += r;
	}
	sqlite3_finalize(st);
	if (rc < 0)
		return -1;
	/* The letters' data hash is a hash of the form's fields (the NIK among
	 * them): with the NIP known it could be brute-forced. The file's own
	 * hash stays (the contract's audit trail). */
	return exec_bind(p, "UPDATE letters SET file=NULL, signed_file=NULL, data_hash=''"
			 " WHERE applicant_id IN (SELECT id FROM temp.purge_ids)", NULL, NULL, NULL);
}

static int purge_applicants(struct purge *p)
{
	sqlite3 *db = p->ctx->db;
	sqlite3_stmt *st;

	if (store_exec(db, "DROP TABLE IF EXISTS temp.purge_ids;"
		       "CREATE TEMP TABLE purge_ids(id INTEGER PRIMARY KEY)"))
		return -1;
	st = store_prepare(db, "INSERT INTO temp.purge_ids SELECT id FROM applicants"
			   " WHERE purged_day IS NULL AND issued_day IS NOT NULL AND issued_day<=?");
	if (!st)
		return -1;
	store_bind_text(st, 1, p->grace_day);
	if (store_step_done(st)) {
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	p->applicants = sqlite3_changes(db);
	if (!p->applicants)
		return 0;
	if (purge_letters(p))
		return -1;
	/* History notes written from the form (rejection reasons quote it). */
	if (exec_bind(p, "UPDATE history SET note=NULL WHERE applicant_id IN"
		      " (SELECT id FROM temp.purge_ids) AND note IS NOT NULL AND source IN"
		      " (SELECT name FROM inputs WHERE kind='forms')", NULL, NULL, NULL))
		return -1;
	if (exec_bind(p, "DELETE FROM problems WHERE submission_id IN (SELECT id FROM submissions"
		      " WHERE applicant_id IN (SELECT id FROM temp.purge_ids))", NULL, NULL, NULL) ||
	    exec_bind(p, "DELETE FROM submissions WHERE applicant_id IN"
		      " (SELECT id FROM temp.purge_ids)", NULL, NULL, &p->submissions))
		return -1;
	st = store_prepare(db, "INSERT INTO history(applicant_id, day, at, from_state, to_state,"
			   " source, actor, note) SELECT id, ?1, ?2, state, state, 'purge', ?3,"
			   " 'data pribadi formulir dihapus' FROM applicants"
			   " WHERE id IN (SELECT id FROM temp.purge_ids)");
	if (!st)
		return -1;
	store_bind_text(st, 1, p->ctx->today);
	store_bind_text(st, 2, store_now());
	store_bind_text(st, 3, p->ctx->actor);
	if (store_step_done(st)) {
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return exec_bind(p, "UPDATE applicants SET nik=NULL, ktp=NULL, email='', phone=NULL,"
			 " golongan=NULL, jabatan=NULL, data_hash=NULL, submission_id=NULL,"
			 " purged_day=?1 WHERE id IN (SELECT id FROM temp.purge_ids)",
			 p->ctx->today, NULL, NULL);
}

/* ---- inputs, bundles, old outbox files ------------------------------------------------ */

/*
 * Processed inputs whose work is done. Forms exports go early once every
 * submission first read from them is gone (purged); status exports once
 * every applicant they named is purged; signed PDFs once every letter
 * verified from them belongs to a purged applicant; all kinds at the
 * retention age.
 */
static int purge_inputs(struct purge *p)
{
	sqlite3 *db = p->ctx->db;
	sqlite3_stmt *st = store_prepare(db,
		"SELECT id, stored, name FROM inputs i WHERE stored IS NOT NULL AND deleted_day IS NULL"
		" AND (day<=?1"
		"  OR (kind='forms' AND new_rows>0 AND NOT EXISTS(SELECT 1 FROM submissions s"
		"      WHERE s.input_id=i.id))"
		"  OR (kind='status' AND EXISTS(SELECT 1 FROM input_applicants x"
		"      WHERE x.input_id=i.id) AND NOT EXISTS(SELECT 1 FROM input_applicants x"
		"      JOIN applicants a ON a.id=x.applicant_id WHERE x.input_id=i.id"
		"      AND a.purged_day IS NULL))"
		"  OR (kind='signed' AND EXISTS(SELECT 1 FROM verifications v WHERE v.input_id=i.id)"
		"      AND NOT EXISTS(SELECT 1 FROM verifications v LEFT JOIN letters l"
		"        ON l.id=v.letter_id LEFT JOIN applicants a ON a.id=l.applicant_id"
		"        WHERE v.input_id=i.id AND a.purged_day IS NULL)))");
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(long long));
	int rc, ret = -1;

	if (!st)
		goto out;
	store_bind_text(st, 1, p->keep_day);
	while ((rc = store_row(st)) > 0) {
		long long id = sqlite3_column_int64(st, 0);
		const char *stored = (const char *)sqlite3_column_text(st, 1);
		const char *name = (const char *)sqlite3_column_text(st, 2);
		char *path = root_file(p, stored, "var/processed");
		struct stat sb;
		int r;

		/* A run killed between the commit and the move recorded the
		 * folder only. */
		if (path && !lstat(path, &sb) && S_ISDIR(sb.st_mode) && name && !strchr(name, '/')) {
			char *f = g_build_filename(path, name, NULL);

			g_free(path);
			path = f;
		}
		r = path ? remove_file(p, path) : 0;
		g_free(path);
		if (r < 0)
			goto out;
		g_array_append_val(ids, id);
	}
	if (rc < 0)
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	for (guint i = 0; i < ids->len; i++) {
		long long id = g_array_index(ids, long long, i);
		sqlite3_stmt *u = store_stmt(db, "UPDATE inputs SET stored=NULL, deleted_day=?"
					     " WHERE id=?");
		sqlite3_stmt *d = store_stmt(db, "DELETE FROM status_unmatched WHERE input_id=?");
		sqlite3_stmt *x = store_stmt(db, "DELETE FROM input_applicants WHERE input_id=?");

		if (!u || !d || !x)
			goto out;
		sqlite3_bind_int64(x, 1, id);
		if (store_step_done(x))
			goto out;
		store_bind_text(u, 1, p->ctx->today);
		sqlite3_bind_int64(u, 2, id);
		if (store_step_done(u))
			goto out;
		sqlite3_bind_int64(d, 1, id);
		if (store_step_done(d))
			goto out;
		p->unmatched += sqlite3_changes(db);
	}
	p->inputs = ids->len;
	ret = 0;
out:
	sqlite3_finalize(st);
	g_array_free(ids, TRUE);
	return ret;
}

static int purge_bundles(struct purge *p)
{
	sqlite3 *db = p->ctx->db;
	sqlite3_stmt *st = store_prepare(db,
		"SELECT name, file FROM bundles b WHERE file IS NOT NULL AND deleted_day IS NULL"
		" AND (day<=?1 OR NOT EXISTS(SELECT 1 FROM applicants a WHERE a.bundle=b.name"
		"   AND a.purged_day IS NULL))");
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	int rc, ret = -1;

	if (!st)
		goto out;
	store_bind_text(st, 1, p->keep_day);
	while ((rc = store_row(st)) > 0) {
		const char *f = (const char *)sqlite3_column_text(st, 1);

		if (remove_recorded(p, f, "outbox") < 0)
			goto out;
		g_ptr_array_add(names, g_strdup((const char *)sqlite3_column_text(st, 0)));
	}
	if (rc < 0)
		goto out;
	for (guint i = 0; i < names->len; i++)
		if (exec_bind(p, "UPDATE bundles SET file=NULL, deleted_day=?1 WHERE name=?2",
			      p->ctx->today, names->pdata[i], NULL))
			goto out;
	p->bundles = names->len;
	ret = 0;
out:
	sqlite3_finalize(st);
	g_ptr_array_free(names, TRUE);
	return ret;
}

/* The YYYYMMDD in N when N is PREFIX-YYYYMMDD.EXT (a notice, a report), else NULL. */
static const char *outbox_day(const char *n, const char *prefix, const char *ext)
{
	size_t pl = strlen(prefix), el = strlen(ext);

	if (strlen(n) != pl + 8 + el || strncmp(n, prefix, pl) || strcmp(n + pl + 8, ext) ||
	    strspn(n + pl, "0123456789") != 8)
		return NULL;
	return n + pl;
}

/* The YYYYMMDD in N when N is a run log NAME-YYYYMMDD-HHMMSS-PID.log, else NULL. */
static const char *log_day(const char *n, const char *unused1, const char *unused2)
{
	const char *day = strchr(n, '-');
	size_t len = strlen(n);

	(void)unused1;
	(void)unused2;
	if (!day || len < 4 || strcmp(n + len - 4, ".log") || strspn(day + 1, "0123456789") != 8 ||
	    day[9] != '-' || strspn(day + 10, "0123456789") != 6 || day[16] != '-')
		return NULL;
	return day + 1;
}

/*
 * Delete the files in DIR (relative to the root) whose name DAY_OF dates
 * on or before the retention day, counting them in *COUNT; files it does
 * not date are left alone, and so is the log this run writes.
 */
static int purge_old(struct purge *p, const char *dir,
		     const char *(*day_of)(const char *, const char *, const char *),
		     const char *a, const char *b, long *count)
{
	char *path = tte_path(p->ctx, dir, NULL);
	DIR *d = opendir(path);
	struct dirent *e;
	char keep[9];
	int rc = 0;

	if (!d) {
		g_free(path);
		return errno == ENOENT ? 0 : log_error("%s: %s", dir, strerror(errno));
	}
	/* keep_day as YYYYMMDD */
	g_snprintf(keep, sizeof(keep), "%.4s%.2s%.2s", p->keep_day, p->keep_day + 5,
		   p->keep_day + 8);
	while ((e = readdir(d))) {
		const char *day = day_of(e->d_name, a, b);
		char *f;
		int r;

		if (!day || strncmp(day, keep, 8) > 0)
			continue;
		f = g_build_filename(path, e->d_name, NULL);
		r = log_is_current(f) ? 0 : remove_file(p, f);
		g_free(f);
		if (r < 0) {
			rc = -1;
			break;
		}
		*count += r;
	}
	closedir(d);
	g_free(path);
	return rc;
}

static void day_minus(const char *today, int days, char out[11])
{
	GDate d;

	date_parse_iso(today, &d);
	g_date_subtract_days(&d, (guint)days);
	date_iso(&d, out);
}

static int purge_run(struct tte_ctx *ctx, int argc, char **argv)
{
	struct purge p = { .ctx = ctx };
	sqlite3 *db = ctx->db;
	int rc = TTE_EXIT_FAIL;
	gint64 t0 = g_get_monotonic_time();

	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "tte purge: tidak menerima argumen\n");
		return TTE_EXIT_USAGE;
	}
	day_minus(ctx->today, ctx->cfg->grace_days, p.grace_day);
	/* "Older than retention_days": made that many days ago or earlier. */
	day_minus(ctx->today, ctx->cfg->retention_days, p.keep_day);
	p.dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	if (store_begin(db))
		goto out;
	if (purge_applicants(&p))
		goto fail;
	/* Rejected rows that belong to nobody, once their file is old. */
	if (exec_bind(&p, "DELETE FROM problems WHERE submission_id IN (SELECT id FROM submissions"
		      " WHERE applicant_id IS NULL AND input_id IN (SELECT id FROM inputs"
		      " WHERE day<=?1))", p.keep_day, NULL, NULL) ||
	    exec_bind(&p, "DELETE FROM submissions WHERE applicant_id IS NULL AND input_id IN"
		      " (SELECT id FROM inputs WHERE day<=?1)", p.keep_day, NULL, &p.submissions))
		goto fail;
	if (purge_inputs(&p) || purge_bundles(&p) ||
	    purge_old(&p, "outbox/notices", outbox_day, "wa-", ".txt", &p.outbox) ||
	    purge_old(&p, "outbox/reports", outbox_day, "laporan-", ".xlsx", &p.outbox) ||
	    /* Run logs hold counts, never personal data, but would grow forever. */
	    purge_old(&p, "var/log", log_day, NULL, NULL, &p.logs))
		goto fail;
	if (sync_dirs(&p) || store_exec(db, "DROP TABLE IF EXISTS temp.purge_ids") ||
	    store_commit(db))
		goto fail;
	/* Deleted rows must not survive in free pages or the WAL. */
	if ((p.applicants || p.submissions || p.unmatched || p.inputs) && store_scrub(db))
		goto out;
	log_info("purge: %ld applicant(s) purged, %ld submission(s) deleted, %ld letter file(s),"
		 " %ld processed input(s), %ld bundle(s), %ld old notice/report file(s), %ld"
		 " unmatched status row(s), %ld old run log(s); %.3f s", p.applicants, p.submissions,
		 p.letters, p.inputs, p.bundles, p.outbox, p.unmatched, p.logs,
		 (double)(g_get_monotonic_time() - t0) / 1e6);
	if (p.applicants || p.inputs || p.bundles)
		log_tty("  data pribadi dihapus: %ld pemohon, %ld berkas masukan, %ld bundel\n",
			p.applicants, p.inputs, p.bundles);
	rc = TTE_EXIT_OK;
	goto out;
fail:
	store_rollback(db);
out:
	g_hash_table_destroy(p.dirs);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct stage_desc d = { .name = "purge", .run = purge_run };

	return stage_main(&d, argc, argv);
}
