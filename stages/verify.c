/*
 * verify - the verification stage: signed PDFs, offline.
 *
 *   tte verify                                   nightly: inbox/signed/
 *   tte verify [--trust PATH] [--json] FILE...   these files, now
 *
 * Nightly: every settled PDF in inbox/signed/ is verified (the verify/ modules);
 * the result goes to outbox/verification/<file name>.json (never replaced:
 * a second result of the same name is <file name>.1.json; a long name is
 * shortened, fsutil.h fs_fit_name) and to the
 * verifications table, and the file moves to var/processed/signed/. A
 * PDF whose first revision is a stored tte letter (same SHA-256) is that
 * letter signed: when VALID the letter gets its signed_* columns, the
 * signed file is kept as var/signed/<letter id>.pdf for the bundle, and
 * the applicant moves LETTER -> SIGNED; a signer whose certificate CN is
 * not tte.conf's recommender is flagged. A file that is not a PDF is
 * quarantined.
 *
 * With files: no lock, no store, no folders created; prints an Indonesian
 * summary per file (or, with --json, the JSON documents one after the
 * other) and exits 0 when every file is VALID, 1 when one is not, 2 when
 * one cannot be read at all. Trust anchors: --trust, else tte.conf
 * [verify] trust (relative paths against the root).
 */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "config.h"
#include "fsutil.h"
#include "inbox.h"
#include "log.h"
#include "pdfverify.h"
#include "stage.h"
#include "states.h"
#include "store.h"
#include "tte.h"

static char *opt_trust;
static gboolean opt_json;

static const GOptionEntry options[] = {
	{ "trust", 0, 0, G_OPTION_ARG_FILENAME, &opt_trust,
	  "sertifikat akar terpercaya (berkas PEM atau folder, dipisah ';')", "PATH" },
	{ "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "cetak hasil sebagai JSON", NULL },
	G_OPTION_ENTRY_NULL,
};

static struct pdfverify_ctx *load_trust(const char *trust, const char *base,
					const struct tte_config *cfg)
{
	struct pdfverify_opts o = { .trust = trust, .base_dir = base,
				    .max_stream_bytes = (unsigned long long)cfg->verify_max_stream,
				    .max_file_bytes = (unsigned long long)cfg->verify_max_inflate };
	char *err = NULL;
	struct pdfverify_ctx *vc = pdfverify_ctx_new(&o, &err);

	if (!vc) {
		fprintf(stderr, "tte verify: %s\n", err);
		g_free(err);
	}
	return vc;
}

/* ---- letters ------------------------------------------------------------------- */

/* How a certificate CN and tte.conf's name are compared: Unicode NFKC
 * (an accent typed as one character or as a letter and a combining mark,
 * full-width letters), case-folded, single spaces. */
static char *name_key(const char *s)
{
	char *valid = g_utf8_make_valid(s ? s : "", -1);
	char *norm = g_utf8_normalize(valid, -1, G_NORMALIZE_NFKC);
	char *u = g_utf8_casefold(norm ? norm : "", -1);
	gchar **w = g_strsplit_set(u, " \t\n\r", -1);
	GString *k = g_string_new("");

	for (gchar **p = w; *p; p++) {
		if (**p)
			g_string_append_printf(k, "%s%s", k->len ? " " : "", *p);
	}
	g_strfreev(w);
	g_free(u);
	g_free(norm);
	g_free(valid);
	return g_string_free(k, FALSE);
}

/* The signer of a letter: its first signature that is not a document
 * timestamp. */
static const struct pv_signature *letter_signature(const struct pdfverify_result *r)
{
	for (guint i = 0; i < r->sigs->len; i++) {
		const struct pv_signature *p = g_ptr_array_index(r->sigs, i);

		if (!p->doc_timestamp)
			return p;
	}
	return NULL;
}

struct letter {
	char *id;
	long long applicant;
	bool current;		/* the applicant's current letter */
	bool purged;		/* the applicant's data was purged */
};

/*
 * Is R's first revision a stored letter? Sets L (L->id NULL when not),
 * R's letter fields and, when the signer is not tte.conf's recommender,
 * *FLAG (a reason, g_free). 0, or -1 on a database error (logged).
 */
static int find_letter(sqlite3 *db, const struct tte_config *cfg, struct pdfverify_result *r,
		       struct letter *l, char **flag)
{
	sqlite3_stmt *st = store_prepare(db, "SELECT l.id, l.applicant_id, a.letter_id = l.id,"
					 " a.purged_day IS NOT NULL"
					 " FROM letters l JOIN applicants a ON a.id = l.applicant_id"
					 " WHERE l.sha256 IN (?, ?) ORDER BY l.version DESC LIMIT 1");
	const struct pv_signature *sig = letter_signature(r);
	int rc;

	memset(l, 0, sizeof(*l));
	*flag = NULL;
	if (!st)
		return -1;
	if (!r->first_rev_sha256[0][0]) {
		sqlite3_finalize(st);
		return 0;
	}
	store_bind_text(st, 1, r->first_rev_sha256[0]);
	store_bind_text(st, 2, r->first_rev_sha256[1][0] ? r->first_rev_sha256[1]
			: r->first_rev_sha256[0]);
	rc = store_row(st);
	if (rc > 0) {
		l->id = g_strdup((const char *)sqlite3_column_text(st, 0));
		l->applicant = sqlite3_column_int64(st, 1);
		l->current = sqlite3_column_int(st, 2) == 1;
		l->purged = sqlite3_column_int(st, 3) == 1;
	} else if (rc < 0) {
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	if (l->id) {
		char *a = name_key(sig ? sig->signer : NULL), *b = name_key(cfg->rec_nama);

		r->letter = g_strdup(l->id);
		if (!*b)
			*flag = g_strdup("pemberi rekomendasi belum diisi di tte.conf");
		else if (strcmp(a, b))
			*flag = g_strdup_printf("penanda tangan %s bukan pemberi rekomendasi %s",
						sig && sig->signer ? sig->signer : "(tidak ada)",
						cfg->rec_nama);
		r->letter_signer_mismatch = *flag != NULL;
		g_free(a);
		g_free(b);
	}
	return 0;
}

/* The store of ROOT opened read-only, or NULL when there is none. */
static sqlite3 *store_peek(const char *root)
{
	char *path = g_build_filename(root, "var", "tte.db", NULL);
	sqlite3 *db = NULL;

	if (access(path, R_OK) ||
	    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		if (db)
			sqlite3_close(db);
		db = NULL;
	}
	if (db)
		sqlite3_busy_timeout(db, 5000);
	g_free(path);
	return db;
}



/* ---- files given: verify now ------------------------------------------------- */

static int verify_files(const char *root, int argc, char **argv)
{
	struct tte_config *cfg = NULL;
	struct pdfverify_ctx *vc = NULL;
	sqlite3 *db = NULL;
	char real[PATH_MAX];
	int rc = TTE_EXIT_OK;

	/* Only the configuration is read: nothing is created under the root. */
	if (!root || !*root)
		root = getenv("TTE_ROOT");
	if (!root || !*root)
		root = ".";
	if (!realpath(root, real)) {
		fprintf(stderr, "tte: folder root %s tidak ada\n", root);
		return TTE_EXIT_USAGE;
	}
	{
		char *conf = ctx_config_path(real);

		cfg = conf ? config_load(conf) : config_new_default();
		g_free(conf);
		if (!cfg)
			return TTE_EXIT_USAGE;
	}
	vc = load_trust(opt_trust ? opt_trust : cfg->trust, opt_trust ? NULL : real, cfg);
	db = store_peek(real);
	if (!vc) {
		rc = TTE_EXIT_USAGE;
		goto out;
	}
	if (!pdfverify_ctx_anchors(vc) && !opt_json)
		fprintf(stderr, "tte verify: peringatan: tidak ada sertifikat akar terpercaya "
			"(--trust atau [verify] trust di tte.conf); tidak ada tanda tangan yang "
			"dapat dinyatakan VALID\n");
	for (int i = 0; i < argc; i++) {
		struct pdfverify_result *r = NULL;
		char *text;

		if (pdfverify_file(vc, argv[i], &r)) {
			rc = TTE_EXIT_USAGE;
			continue;
		}
		if (db) {
			/* A tte letter? Say so; only the nightly stage records it. */
			struct letter l;
			char *flag = NULL;

			if (!find_letter(db, cfg, r, &l, &flag)) {
				g_free(l.id);
				g_free(flag);
			}
		}
		text = opt_json ? pdfverify_result_json(r) : pdfverify_result_summary(r);
		if (!opt_json && i)
			putchar('\n');
		fputs(text, stdout);
		g_free(text);
		if (r->not_pdf) {
			fprintf(stderr, "tte verify: %s bukan berkas PDF\n", argv[i]);
			rc = TTE_EXIT_USAGE;
		} else if (r->conclusion != PV_VALID && rc == TTE_EXIT_OK) {
			rc = TTE_EXIT_FAIL;
		}
		pdfverify_result_free(r);
	}
out:
	if (db)
		sqlite3_close(db);
	pdfverify_ctx_free(vc);
	config_free(cfg);
	return rc;
}

/* ---- nightly: inbox/signed/ ---------------------------------------------------- */

struct night {
	struct tte_ctx *ctx;
	struct pdfverify_ctx *vc;
	long files, valid, letters;

	/* the file at hand, for its summary once committed */
	enum pv_conclusion conclusion;
	unsigned sigs;
	char *letter;			/* the letter it names, or NULL */
	bool signed_letter;		/* VALID: that letter is now signed */
};

/* A letter id as a file name. */
static char *safe_name(const char *id)
{
	char *s = g_strdup(id);

	for (char *p = s; *p; p++) {
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
			*p = '_';
	}
	if (s[0] == '.')
		s[0] = '_';
	return s;
}

/* Copy the open file FD to PATH (atomically). */
static int copy_fd(int fd, const char *path)
{
	struct afile af;
	char buf[1 << 16];
	off_t off = 0;
	ssize_t k;

	if (afile_open(&af, path))
		return -1;
	while ((k = pread(fd, buf, sizeof(buf), off)) > 0) {
		if (afile_write(&af, buf, (size_t)k)) {
			afile_abort(&af);
			return -1;
		}
		off += k;
	}
	if (k < 0) {
		log_error("%s: %s", path, strerror(errno));
		afile_abort(&af);
		return -1;
	}
	return afile_commit(&af);
}

/* The letter's columns and the applicant's state, in the caller's
 * transaction. */
static int record_letter(struct night *n, struct inbox_item *it, const struct letter *l,
			 const struct pv_signature *sig, const char *flag, const char *signed_rel)
{
	struct tte_ctx *ctx = n->ctx;
	sqlite3_stmt *st = store_stmt(ctx->db, "UPDATE letters SET signed_sha256=?, signed_file=?,"
				      " signed_day=?, signer=?, signer_flag=? WHERE id=?");
	char *state = NULL, *note;
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, it->sha256);
	store_bind_text(st, 2, signed_rel);
	store_bind_text(st, 3, ctx->today);
	store_bind_text(st, 4, sig ? sig->signer : NULL);
	store_bind_text(st, 5, flag);
	store_bind_text(st, 6, l->id);
	if (store_step_done(st))
		return -1;
	if (!l->current)
		return 0;
	st = store_stmt(ctx->db, "SELECT state FROM applicants WHERE id=?");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, l->applicant);
	rc = store_row(st);
	if (rc > 0)
		state = g_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc < 0)
		return -1;
	if (g_strcmp0(state, ST_LETTER)) {
		g_free(state);
		return 0;
	}
	note = g_strdup_printf("surat %s ditandatangani oleh %s%s%s", l->id,
			       sig && sig->signer ? sig->signer : "?", flag ? "; " : "",
			       flag ? flag : "");
	rc = store_set_state(ctx, l->applicant, ST_LETTER, ST_SIGNED, it->name, note);
	g_free(note);
	g_free(state);
	return rc;
}

/* The inbox skeleton's read callback (inbox.h): one PDF, in its
 * transaction. */
static int read_file(void *arg, const struct inbox_file *f, char **why)
{
	struct night *n = arg;
	struct inbox_item *it = f->item;
	struct tte_ctx *ctx = n->ctx;
	sqlite3 *db = ctx->db;
	struct pdfverify_result *r = NULL;
	struct letter l = { 0 };
	const struct pv_signature *sig;
	char *json = NULL, *head = NULL, *jname, *jdir;
	char *flag = NULL, *signed_rel = NULL, *shown;
	sqlite3_stmt *st;
	int rc, ret = INBOX_READ_FAIL;

	/* The JSON names the file as the log and the workbook do. */
	shown = fs_display_name(it->name);
	rc = pdfverify_fd(n->vc, it->fd, shown, &r);
	g_free(shown);
	if (rc)
		goto out;
	if (strcmp(r->sha256, it->sha256)) {
		/* Written to while we read it: leave it for the next run. */
		log_warn("signed/%s berubah ketika diperiksa; diperiksa lagi pada run berikutnya",
			 it->name);
		ret = INBOX_READ_LATER;
		goto out;
	}
	if (r->not_pdf) {
		*why = g_strdup("berkas ini bukan dokumen PDF");
		ret = INBOX_READ_BAD;
		goto out;
	}
	if (find_letter(db, ctx->cfg, r, &l, &flag))
		goto out;
	sig = letter_signature(r);
	json = pdfverify_result_json(r);
	head = pdfverify_result_headline(r);
	jdir = g_strdup_printf("%s.json", it->name);
	jname = fs_fit_name(jdir, FS_NAME_ROOM);
	g_free(jdir);
	jdir = tte_path(ctx, "outbox", "verification", NULL);
	rc = fs_write_new(jdir, jname, json, strlen(json), NULL);
	g_free(jdir);
	g_free(jname);
	if (rc)
		goto out;
	/* A purged applicant's letter keeps no signed copy: the purge that
	 * deleted it will not come back for a new one. */
	if (l.id && !l.purged && r->conclusion == PV_VALID) {
		char *fname = safe_name(l.id), *base = g_strdup_printf("%s.pdf", fname);
		char *path = tte_path(ctx, "var", "signed", base, NULL);

		signed_rel = g_build_filename("var", "signed", base, NULL);
		rc = copy_fd(it->fd, path);
		g_free(path);
		g_free(base);
		g_free(fname);
		if (rc)
			goto out;
	}

	st = store_stmt(db, "INSERT INTO verifications(input_id, name, sha256, day, conclusion,"
			" signatures, signer, letter_id, summary, json) VALUES(?,?,?,?,?,?,?,?,?,?)");
	if (!st)
		goto out;
	sqlite3_bind_int64(st, 1, f->input_id);
	store_bind_text(st, 2, it->name);
	store_bind_text(st, 3, r->sha256);
	store_bind_text(st, 4, ctx->today);
	store_bind_text(st, 5, pdfverify_conclusion_name(r->conclusion));
	sqlite3_bind_int(st, 6, (int)r->sigs->len);
	store_bind_text(st, 7, sig ? sig->signer : NULL);
	store_bind_text(st, 8, l.id);
	{
		char *sum = flag ? g_strdup_printf("%s Surat %s: %s.", head, l.id, flag)
			: g_strdup(head);

		store_bind_text(st, 9, sum);
		g_free(sum);
	}
	store_bind_text(st, 10, json);
	if (store_step_done(st))
		goto out;
	if (l.id && !l.purged && r->conclusion == PV_VALID &&
	    record_letter(n, it, &l, sig, flag, signed_rel))
		goto out;
	n->conclusion = r->conclusion;
	n->sigs = r->sigs->len;
	g_free(n->letter);
	n->letter = g_strdup(l.id);
	n->signed_letter = l.id && !l.purged && r->conclusion == PV_VALID;
	ret = INBOX_READ_OK;
out:
	pdfverify_result_free(r);
	g_free(l.id);
	g_free(json);
	g_free(head);
	g_free(flag);
	g_free(signed_rel);
	return ret;
}

/* After the commit: the file's summary and the night's counts. */
static void file_done(void *arg, const struct inbox_file *f)
{
	struct night *n = arg;
	const char *name = f->item->name;
	const char *conclusion = pdfverify_conclusion_name(n->conclusion);

	n->files++;
	n->valid += n->conclusion == PV_VALID;
	n->letters += n->signed_letter;
	log_info("signed/%s: %s, %u signature(s)%s%s", name, conclusion, n->sigs,
		 n->letter ? ", letter " : "", n->letter ? n->letter : "");
	log_tty("  %s: %s\n", name, conclusion);
}

static int verify_nightly(struct tte_ctx *ctx)
{
	static const char *const exts[] = { ".pdf", NULL };
	struct night n = { .ctx = ctx };
	/* A PDF dropped again is verified again (today's trust anchors and
	 * letters may give another verdict), under its first record. */
	const struct inbox_stage stage = { .kind = "signed", .exts = exts, .read_again = true,
					   .read = read_file, .done = file_done, .arg = &n };
	struct inbox_counts counts = { 0 };
	GPtrArray *items;
	int waiting, rc = TTE_EXIT_FAIL;

	items = inbox_scan(ctx, &stage, &waiting);
	if (!items)
		return TTE_EXIT_FAIL;
	if (!items->len) {
		g_ptr_array_free(items, TRUE);
		log_info("verify: nothing in inbox/signed/; %d waiting", waiting);
		return TTE_EXIT_OK;
	}
	n.vc = load_trust(ctx->cfg->trust, ctx->root, ctx->cfg);
	if (!n.vc) {
		g_ptr_array_free(items, TRUE);
		if (!ctx->in_run)
			return TTE_EXIT_USAGE;
		/* A configuration slip must not cost the night's bundle and
		 * report: the PDFs wait in the inbox, cron mails the warning. */
		log_warn("verify: [verify] trust di tte.conf tidak dapat dibaca; PDF di inbox/signed/ "
			 "menunggu run berikutnya");
		return TTE_EXIT_OK;
	}
	if (items->len && !pdfverify_ctx_anchors(n.vc))
		log_warn("verify: tidak ada sertifikat akar terpercaya ([verify] trust di tte.conf); "
			 "tidak ada tanda tangan yang dapat dinyatakan VALID");
	if (inbox_process(ctx, &stage, items, &counts)) {
		g_ptr_array_free(items, TRUE);
		goto out;
	}
	g_ptr_array_free(items, TRUE);
	log_info("verify: %ld file(s), %ld valid, %ld signed letter(s); %d waiting", n.files,
		 n.valid, n.letters, waiting);
	rc = TTE_EXIT_OK;
out:
	pdfverify_ctx_free(n.vc);
	g_free(n.letter);
	return rc;
}

static int verify_run(struct tte_ctx *ctx, int argc, char **argv)
{
	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "tte verify: gunakan `tte verify FILE...` tanpa batch\n");
		return TTE_EXIT_USAGE;
	}
	return verify_nightly(ctx);
}

int main(int argc, char **argv)
{
	static const struct stage_desc d = {
		.name = "verify", .run = verify_run, .options = options,
		.usage = "[--trust PATH] [--json] [FILE...]", .direct = verify_files,
	};
	int rc;

	/* Verifying file after file allocates and frees the same large
	 * blocks: keep them instead of giving them back to the kernel each
	 * time (each return costs a TLB shootdown, dear in a VM). */
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	rc = stage_main(&d, argc, argv);
	g_free(opt_trust);
	return rc;
}
