/*
 * letters - one Surat Rekomendasi per accepted applicant,
 * outbox/letters/<NIP>.pdf.
 *
 * Input: applicants in state VALID; tte.conf [instansi],
 * [pemberi_rekomendasi], [surat]. Output: the PDFs; a `letters` row per
 * letter (id, version, data_hash, day, SHA-256, file); applicants.letter_id;
 * VALID -> LETTER in the history.
 *
 * Letters are made in batches. Each PDF is drawn in memory and handed to a
 * writer thread that enters it like every tte output (dot-named temporary,
 * fsync, rename), so the disk's flushes overlap the drawing of the next
 * letter; once a batch's files are in place and the folder is synced, one
 * transaction records the whole batch. A run killed anywhere leaves only
 * whole PDFs (temporaries go with the next run), and a letter written but
 * not recorded is simply made again: its id and its bytes are functions of
 * the applicant's data, the version and the letter date.
 *
 * Data corrected before bundling (intake puts the applicant back to VALID)
 * gives a new version with a new id; the old letter is marked superseded.
 * An applicant REJECTED after a correction loses their letter the same way.
 * At the end, PDFs in outbox/letters/ that no current letter claims (an old
 * NIP's letter, a killed run's leftovers) are removed.
 *
 * Fails with exit 1 (the batch not recorded) on a write or database error.
 * When the recommender is not configured: exit 2 with the reason; under
 * `tte run` a warning instead, so that the rest of the night (bundles of
 * letters already made, the report) still happens.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>

#include "config.h"
#include "dates.h"
#include "fsutil.h"
#include "letter_pdf.h"
#include "log.h"
#include "rules.h"
#include "stage.h"
#include "states.h"
#include "store.h"
#include "tte.h"

#define BATCH 64		/* letters per transaction */
#define QUEUE_MAX 8		/* PDFs drawn but not yet written */
#define LETTER_ID_LEN 29	/* "20261124-7K3Q-X9M2-D4TP-8WZ5" + NUL */

/* ---- the writer thread ----------------------------------------------------- */

struct wjob {
	char *final;
	GByteArray *pdf;
	int rc;
};

struct writer {
	GThread *thread;
	GAsyncQueue *todo;	/* struct wjob *, or &writer_stop */
	GAsyncQueue *done;
	int pending;		/* submitted, not yet collected */
	int failed;
	GPtrArray *spare;	/* byte arrays to draw the next letters into */
};

static struct wjob writer_stop;

static gpointer writer_main(gpointer data)
{
	struct writer *w = data;

	for (;;) {
		struct wjob *j = g_async_queue_pop(w->todo);
		struct afile af;

		if (j == &writer_stop)
			break;
		j->rc = -1;
		if (!afile_open(&af, j->final)) {
			if (afile_write(&af, j->pdf->data, j->pdf->len))
				afile_abort(&af);
			else
				j->rc = afile_commit_nodirsync(&af);
		}
		g_async_queue_push(w->done, j);
	}
	return NULL;
}

static void writer_start(struct writer *w)
{
	w->todo = g_async_queue_new();
	w->done = g_async_queue_new();
	w->spare = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
	w->thread = g_thread_new("letters-writer", writer_main, w);
}

/* Take one finished job back (waiting for it). */
static void writer_collect(struct writer *w)
{
	struct wjob *j = g_async_queue_pop(w->done);

	w->pending--;
	if (j->rc)
		w->failed++;
	g_byte_array_set_size(j->pdf, 0);
	g_ptr_array_add(w->spare, j->pdf);
	g_free(j->final);
	g_free(j);
}

/* A buffer to draw into (empty). */
static GByteArray *writer_buffer(struct writer *w)
{
	if (w->spare->len)
		return g_ptr_array_steal_index_fast(w->spare, w->spare->len - 1);
	return g_byte_array_sized_new(64 * 1024);
}

/* Hand PDF (taken over) to the writer for FINAL. */
static void writer_submit(struct writer *w, const char *final, GByteArray *pdf)
{
	struct wjob *j = g_new0(struct wjob, 1);

	while (w->pending >= QUEUE_MAX)
		writer_collect(w);
	j->final = g_strdup(final);
	j->pdf = pdf;
	w->pending++;
	g_async_queue_push(w->todo, j);
}

/* Wait until everything submitted is written. 0, or -1 when a write
 * failed (logged by fsutil). */
static int writer_drain(struct writer *w)
{
	int failed;

	while (w->pending)
		writer_collect(w);
	failed = w->failed;
	w->failed = 0;
	return failed ? -1 : 0;
}

static void writer_stop_join(struct writer *w)
{
	if (!w->thread)
		return;
	writer_drain(w);
	g_async_queue_push(w->todo, &writer_stop);
	g_thread_join(w->thread);
	w->thread = NULL;
	g_async_queue_unref(w->todo);
	g_async_queue_unref(w->done);
	g_ptr_array_free(w->spare, TRUE);
}

/* ---- the stage -------------------------------------------------------------- */

struct letters {
	struct tte_ctx *ctx;
	struct letter_renderer *rend;
	struct writer w;
	char *dir;			/* absolute outbox/letters */
	char pdf_date[20];		/* metadata date of today's letters */

	/* What every letter of the run shares. */
	struct letter_fields base;
	char *sign_date, *instansi_up, *unit_up, *kontak, *rec_pangkat;

	long made, renewed, kept, withdrawn, skipped, removed;
};

/* One applicant in state VALID, as read. */
struct app {
	long long id;
	char *nik_hmac, *nik, *nip, *name, *email, *golongan, *jabatan, *unit, *phone;
	char *data_hash;
	char *cur_id, *cur_hash, *cur_file, *cur_sha;	/* current letter, if any */
	int max_version;
};

/* A letter to record once its batch is on disk. */
struct made {
	long long applicant;
	char id[LETTER_ID_LEN];
	int version;
	char *data_hash;
	char sha[65];
	char *file;		/* relative to the root */
	char *name, *unit, *nip;	/* for the verification page */
	char *old_id;		/* letter it supersedes, or NULL */
	bool kept;		/* the current letter already fits: no new one */
};

static char *col_dup(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? g_strdup(s) : NULL;
}

static void app_release(struct app *a)
{
	g_free(a->nik_hmac);
	g_free(a->nik);
	g_free(a->nip);
	g_free(a->name);
	g_free(a->email);
	g_free(a->golongan);
	g_free(a->jabatan);
	g_free(a->unit);
	g_free(a->phone);
	g_free(a->data_hash);
	g_free(a->cur_id);
	g_free(a->cur_hash);
	g_free(a->cur_file);
	g_free(a->cur_sha);
}

static void made_free(gpointer p)
{
	struct made *m = p;

	g_free(m->data_hash);
	g_free(m->file);
	g_free(m->name);
	g_free(m->unit);
	g_free(m->nip);
	g_free(m->old_id);
	g_free(m);
}

static bool all_digits(const char *s, size_t n)
{
	if (!s || strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!g_ascii_isdigit(s[i]))
			return false;
	return true;
}

/*
 * Why letters cannot be signed by the configured recommender, in
 * Indonesian, or NULL when they can. New string.
 */
static char *recommender_problem(const struct tte_config *cfg)
{
	GString *missing = g_string_new(NULL);
	char *nip = rules_clean_number(cfg->rec_nip), *nik = rules_clean_number(cfg->rec_nik);
	char *why = NULL;

	if (!*cfg->rec_nama)
		g_string_append(missing, "nama");
	if (!*nip)
		g_string_append_printf(missing, "%snip", missing->len ? ", " : "");
	if (!*nik)
		g_string_append_printf(missing, "%snik", missing->len ? ", " : "");
	if (missing->len)
		why = g_strdup_printf("[pemberi_rekomendasi] %s di tte.conf belum diisi; surat "
				      "rekomendasi memerlukan identitas penanda tangan", missing->str);
	else if (!all_digits(nip, 18))
		why = g_strdup("[pemberi_rekomendasi] nip di tte.conf harus 18 digit");
	else if (!all_digits(nik, 16))
		why = g_strdup("[pemberi_rekomendasi] nik di tte.conf harus 16 digit");
	g_string_free(missing, TRUE);
	g_free(nip);
	g_free(nik);
	return why;
}

/*
 * The letter id: the letter date, then 80 bits of an HMAC (under the
 * installation's key, var/nik.key) of the applicant's NIK hash, the
 * version, the data and the date, in Crockford's base32 (no I, L, O, U),
 * grouped by four: "20261124-7K3Q-X9M2-D4TP-8WZ5". Unique in practice
 * (the table's key enforces it), stable (a function of what the letter
 * says), and not computable from the NIK or any other field without the
 * key.
 */
static void make_letter_id(const char *nik_hmac, int version, const char *data_hash,
			   const char *day_compact, char out[LETTER_ID_LEN])
{
	static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	char *msg = g_strdup_printf("tte-letter-id\x1f%s\x1f%d\x1f%s\x1f%s", nik_hmac, version,
				    data_hash, day_compact);
	unsigned char mac[32];
	char code[17];
	guint64 hi, lo;

	store_key_hmac(msg, strlen(msg), mac);
	g_free(msg);
	hi = 0;
	lo = 0;
	for (int i = 0; i < 5; i++) {
		hi = hi << 8 | mac[i];
		lo = lo << 8 | mac[5 + i];
	}
	for (int i = 0; i < 8; i++) {
		code[7 - i] = b32[hi & 31];
		code[15 - i] = b32[lo & 31];
		hi >>= 5;
		lo >>= 5;
	}
	code[16] = 0;
	g_snprintf(out, LETTER_ID_LEN, "%s-%.4s-%.4s-%.4s-%.4s", day_compact, code, code + 4,
		   code + 8, code + 12);
}

static char *upper(const char *s)
{
	return g_utf8_strup(s ? s : "", -1);
}

/* The fields every letter of this run shares. */
static void base_init(struct letters *L)
{
	const struct tte_config *cfg = L->ctx->cfg;
	struct letter_fields *f = &L->base;
	GDate today;
	char *gol = NULL, *note = NULL;
	problem_list *pl = problems_new();

	date_parse_iso(L->ctx->today, &today);
	L->sign_date = date_long_id(&today);
	g_snprintf(L->pdf_date, sizeof(L->pdf_date), "%sT00:00:00", L->ctx->today);
	L->instansi_up = upper(cfg->instansi);
	L->unit_up = upper(cfg->rec_unit);
	if (*cfg->telepon && *cfg->laman)
		L->kontak = g_strdup_printf("Telepon %s \u00b7 Laman %s", cfg->telepon, cfg->laman);
	else if (*cfg->telepon)
		L->kontak = g_strdup_printf("Telepon %s", cfg->telepon);
	else
		L->kontak = g_strdup(cfg->laman);
	/* The configured golongan however written ("Pembina, IV/a"). */
	if (*cfg->rec_golongan && rules_golongan(cfg->rec_golongan, 0, &gol, &note, pl))
		L->rec_pangkat = rules_pangkat_golongan(gol);
	else
		L->rec_pangkat = g_strdup(cfg->rec_golongan);
	g_free(gol);
	g_free(note);
	problems_free(pl);

	f->pdf_date = L->pdf_date;
	f->sign_place = cfg->kota;
	f->sign_date = L->sign_date;
	f->kementerian = cfg->kementerian;
	f->instansi = L->instansi_up;
	f->unit = L->unit_up;
	f->alamat = cfg->alamat;
	f->kontak = L->kontak;
	f->rec[0] = (struct letter_row){ "1.", "Nama Lengkap", cfg->rec_nama };
	f->rec[1] = (struct letter_row){ "2.", "NIP", cfg->rec_nip };
	f->rec[2] = (struct letter_row){ "3.", "NIK", cfg->rec_nik };
	f->rec[3] = (struct letter_row){ "4.", "Pangkat/Golongan", L->rec_pangkat };
	f->rec[4] = (struct letter_row){ "5.", "Jabatan", cfg->rec_jabatan };
	f->rec[5] = (struct letter_row){ "6.", "Instansi", cfg->instansi };
	f->rec[6] = (struct letter_row){ "7.", "Unit Kerja", cfg->rec_unit };
	f->rec[7] = (struct letter_row){ "8.", "Alamat Email", cfg->rec_email };
	f->use[0] = (struct letter_row){ "a.", "Sistem", cfg->sistem };
	f->use[1] = (struct letter_row){ "b.", "Kegunaan", cfg->kegunaan };
	f->signer_nama = cfg->rec_nama;
	f->signer_nip = cfg->rec_nip;
}

static void base_release(struct letters *L)
{
	g_free(L->sign_date);
	g_free(L->instansi_up);
	g_free(L->unit_up);
	g_free(L->kontak);
	g_free(L->rec_pangkat);
}

/* Draw A's letter ID (version VERSION) into PDF. */
static int render(struct letters *L, const struct app *a, const char *id, GByteArray *pdf)
{
	const struct tte_config *cfg = L->ctx->cfg;
	struct letter_fields f = L->base;
	char *pangkat = rules_pangkat_golongan(a->golongan);
	char *url = g_strconcat(cfg->verify_base_url, id, NULL);
	char *title = g_strdup_printf("Surat Rekomendasi Permohonan Penerbitan Sertifikat "
				      "Elektronik - %s", a->name);
	int rc;

	f.id = id;
	f.url = url;
	f.title_meta = title;
	f.app[0] = (struct letter_row){ "1.", "Nama Lengkap", a->name };
	f.app[1] = (struct letter_row){ "2.", "NIP", a->nip };
	f.app[2] = (struct letter_row){ "3.", "NIK", a->nik };
	f.app[3] = (struct letter_row){ "4.", "Pangkat/Golongan", pangkat };
	f.app[4] = (struct letter_row){ "5.", "Jabatan", a->jabatan };
	f.app[5] = (struct letter_row){ "6.", "Unit Kerja", a->unit };
	f.app[6] = (struct letter_row){ "7.", "Instansi", cfg->instansi };
	f.app[7] = (struct letter_row){ NULL, "Kota", cfg->kota };
	f.app[8] = (struct letter_row){ NULL, "Provinsi", cfg->provinsi };
	f.app[9] = (struct letter_row){ "8.", "Alamat Email", a->email };
	f.app[10] = (struct letter_row){ "9.", "No. Telepon", a->phone };
	rc = letter_render(L->rend, &f, pdf);
	g_free(pangkat);
	g_free(url);
	g_free(title);
	return rc;
}

/* Is the file at REL (under the root) there with SHA? */
static bool file_matches(struct letters *L, const char *rel, const char *sha)
{
	char *path = tte_path(L->ctx, rel, NULL);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char hex[65];
	bool ok = false;

	if (fd >= 0) {
		ok = !fs_sha256_fd(fd, hex) && !strcmp(hex, sha);
		close(fd);
	}
	g_free(path);
	return ok;
}

/* Does another live applicant carry A's NIP? (The letter's file is named
 * after it: two people cannot share one.) -1 on a database error. */
static int nip_shared(struct letters *L, const struct app *a)
{
	sqlite3_stmt *st = store_stmt(L->ctx->db, "SELECT count(*) FROM applicants WHERE nip=?"
				      " AND id<>? AND state<>" SQ_REJECTED);
	int n;

	if (!st)
		return -1;
	store_bind_text(st, 1, a->nip);
	sqlite3_bind_int64(st, 2, a->id);
	n = store_row(st);
	if (n > 0)
		n = sqlite3_column_int(st, 0) > 0;
	sqlite3_reset(st);
	return n;
}

/* Work out A's letter: keep the current one, or draw a new version and
 * hand it to the writer. Adds to MADE; skipped applicants add nothing. */
static int plan(struct letters *L, const struct app *a, GPtrArray *made)
{
	struct made *m;
	GByteArray *pdf;
	char *path;
	int shared, rc;

	/* Named by name and e-mail: the log masks long digit runs, NIPs too. */
	if (!all_digits(a->nip, 18)) {
		log_warn("NIP pemohon %s (%s) tidak sah untuk nama berkas; surat tidak dibuat",
			 a->name, a->email);
		L->skipped++;
		return 0;
	}
	shared = nip_shared(L, a);
	if (shared < 0)
		return -1;
	if (shared) {
		log_warn("NIP pemohon %s (%s) juga dipakai pemohon lain; surat tidak dibuat sampai "
			 "datanya diperbaiki (tte show %s)", a->name, a->email, a->email);
		L->skipped++;
		return 0;
	}

	m = g_new0(struct made, 1);
	m->applicant = a->id;
	m->data_hash = g_strdup(a->data_hash);
	m->file = g_strdup_printf("outbox/letters/%s.pdf", a->nip);
	m->name = g_strdup(a->name);
	m->unit = g_strdup(a->unit);
	m->nip = g_strdup(a->nip);
	if (a->cur_id && !g_strcmp0(a->cur_hash, a->data_hash) && a->cur_file && a->cur_sha &&
	    !strcmp(a->cur_file, m->file) && file_matches(L, a->cur_file, a->cur_sha)) {
		/* Back to data its current letter already shows. */
		m->kept = true;
		g_strlcpy(m->id, a->cur_id, sizeof(m->id));
		g_ptr_array_add(made, m);
		return 0;
	}
	m->version = a->max_version + 1;
	m->old_id = g_strdup(a->cur_id);
	make_letter_id(a->nik_hmac, m->version, a->data_hash, L->ctx->today_compact, m->id);
	pdf = writer_buffer(&L->w);
	rc = render(L, a, m->id, pdf);
	if (rc) {
		g_byte_array_unref(pdf);
		made_free(m);
		if (rc != LETTER_TOO_LONG)
			return -1;
		log_warn("data %s (%s) terlalu panjang untuk satu halaman surat; surat tidak dibuat, "
			 "periksa isian Jabatan dan Unit Kerja", a->name, a->email);
		L->skipped++;
		return 0;
	}
	fs_sha256_hex(pdf->data, pdf->len, m->sha);
	path = tte_path(L->ctx, m->file, NULL);
	writer_submit(&L->w, path, pdf);
	g_free(path);
	g_ptr_array_add(made, m);
	return 0;
}

/* Mark letter ID superseded today; its file is replaced or left for the
 * sweep. Inside the caller's transaction. */
static int supersede(struct letters *L, const char *id)
{
	sqlite3_stmt *st = store_stmt(L->ctx->db, "UPDATE letters SET superseded_day=?, file=NULL"
				      " WHERE id=?");

	if (!st)
		return -1;
	store_bind_text(st, 1, L->ctx->today);
	store_bind_text(st, 2, id);
	return store_step_done(st);
}

/* Record one batch (its files are on disk). */
static int record(struct letters *L, GPtrArray *made)
{
	sqlite3 *db = L->ctx->db;
	const struct tte_config *cfg = L->ctx->cfg;

	if (store_begin(db))
		return -1;
	for (guint i = 0; i < made->len; i++) {
		struct made *m = made->pdata[i];
		sqlite3_stmt *st;
		char *note;
		int rc;

		if (!m->kept) {
			if (m->old_id && supersede(L, m->old_id))
				goto fail;
			st = store_stmt(db, "INSERT INTO letters(id, applicant_id, version, data_hash,"
					" day, sha256, file, page_instansi, page_rec_name,"
					" page_rec_position, page_name, page_unit, page_nip)"
					" VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)");
			if (!st)
				goto fail;
			store_bind_text(st, 1, m->id);
			sqlite3_bind_int64(st, 2, m->applicant);
			sqlite3_bind_int(st, 3, m->version);
			store_bind_text(st, 4, m->data_hash);
			store_bind_text(st, 5, L->ctx->today);
			store_bind_text(st, 6, m->sha);
			store_bind_text(st, 7, m->file);
			store_bind_text(st, 8, cfg->instansi);
			store_bind_text(st, 9, cfg->rec_nama);
			store_bind_text(st, 10, cfg->rec_jabatan);
			store_bind_text(st, 11, m->name);
			store_bind_text(st, 12, m->unit);
			store_bind_text(st, 13, m->nip);
			if (store_step_done(st))
				goto fail;
			st = store_stmt(db, "UPDATE applicants SET letter_id=? WHERE id=?");
			if (!st)
				goto fail;
			store_bind_text(st, 1, m->id);
			sqlite3_bind_int64(st, 2, m->applicant);
			if (store_step_done(st))
				goto fail;
		}
		if (m->kept)
			note = g_strdup_printf("surat %s tetap berlaku (data sama)", m->id);
		else if (m->old_id)
			note = g_strdup_printf("surat %s versi %d menggantikan %s", m->id, m->version,
					       m->old_id);
		else
			note = g_strdup_printf("surat %s versi %d", m->id, m->version);
		rc = store_set_state(L->ctx, m->applicant, ST_VALID, ST_LETTER, "letters", note);
		g_free(note);
		if (rc)
			goto fail;
	}
	return store_commit(db);
fail:
	store_rollback(db);
	return -1;
}

/* The applicants in state VALID after AFTER, up to BATCH, into APPS. */
static int read_batch(struct letters *L, long long after, GArray *apps)
{
	sqlite3_stmt *st = store_stmt(L->ctx->db,
		"SELECT a.id, a.nik_hmac, a.nik, a.nip, a.name, a.email, a.golongan, a.jabatan,"
		" a.unit, a.phone, a.data_hash, l.id, l.data_hash, l.file, l.sha256,"
		" (SELECT coalesce(max(version), 0) FROM letters WHERE applicant_id=a.id)"
		" FROM applicants a LEFT JOIN letters l ON l.id=a.letter_id AND l.superseded_day IS NULL"
		" WHERE a.state=" SQ_VALID " AND a.id>? ORDER BY a.id LIMIT ?");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, BATCH);
	while ((rc = store_row(st)) > 0) {
		struct app a = { .id = sqlite3_column_int64(st, 0) };

		a.nik_hmac = col_dup(st, 1);
		a.nik = col_dup(st, 2);
		a.nip = col_dup(st, 3);
		a.name = col_dup(st, 4);
		a.email = col_dup(st, 5);
		a.golongan = col_dup(st, 6);
		a.jabatan = col_dup(st, 7);
		a.unit = col_dup(st, 8);
		a.phone = col_dup(st, 9);
		a.data_hash = col_dup(st, 10);
		a.cur_id = col_dup(st, 11);
		a.cur_hash = col_dup(st, 12);
		a.cur_file = col_dup(st, 13);
		a.cur_sha = col_dup(st, 14);
		a.max_version = sqlite3_column_int(st, 15);
		g_array_append_val(apps, a);
	}
	sqlite3_reset(st);
	return rc;
}

static int make_letters(struct letters *L)
{
	GArray *apps = g_array_new(FALSE, TRUE, sizeof(struct app));
	GPtrArray *made = g_ptr_array_new_with_free_func(made_free);
	long long after = 0, total;
	long done = 0;
	int rc = -1;

	if (store_int(L->ctx->db, "SELECT count(*) FROM applicants WHERE state=" SQ_VALID, &total))
		goto out;
	for (;;) {
		for (guint i = 0; i < apps->len; i++)
			app_release(&g_array_index(apps, struct app, i));
		g_array_set_size(apps, 0);
		g_ptr_array_set_size(made, 0);
		if (read_batch(L, after, apps))
			goto out;
		if (!apps->len)
			break;
		for (guint i = 0; i < apps->len; i++)
			if (plan(L, &g_array_index(apps, struct app, i), made)) {
				writer_drain(&L->w);
				goto out;
			}
		after = g_array_index(apps, struct app, apps->len - 1).id;
		/* Everything on disk before anything is recorded. */
		if (writer_drain(&L->w) || fs_sync_dir(L->dir) || record(L, made))
			goto out;
		for (guint i = 0; i < made->len; i++) {
			struct made *m = made->pdata[i];

			if (m->kept)
				L->kept++;
			else if (m->old_id)
				L->renewed++;
			else
				L->made++;
		}
		done += apps->len;
		log_tty("\r  surat rekomendasi: %ld/%lld", done, total);
	}
	if (done)
		log_tty("\n");
	rc = 0;
out:
	for (guint i = 0; i < apps->len; i++)
		app_release(&g_array_index(apps, struct app, i));
	g_array_free(apps, TRUE);
	g_ptr_array_free(made, TRUE);
	return rc;
}

/* Withdraw letter ID of applicant APP, whose corrected data was rejected. */
static int withdraw(struct letters *L, long long app, const char *id)
{
	sqlite3_stmt *st;
	char *note;
	int rc;

	if (supersede(L, id))
		return -1;
	st = store_stmt(L->ctx->db, "UPDATE applicants SET letter_id=NULL WHERE id=?");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, app);
	if (store_step_done(st))
		return -1;
	note = g_strdup_printf("surat %s dibatalkan: data baru pemohon ditolak", id);
	rc = store_history(L->ctx, app, ST_REJECTED, ST_REJECTED, "letters", note);
	g_free(note);
	return rc;
}

/* Letters of applicants whose corrected data was rejected no longer hold:
 * withdrawn in one transaction, their files left for the sweep. */
static int withdraw_rejected(struct letters *L)
{
	sqlite3 *db = L->ctx->db;
	sqlite3_stmt *st = store_prepare(db, "SELECT a.id, l.id FROM applicants a JOIN letters l"
					 " ON l.id=a.letter_id WHERE a.state=" SQ_REJECTED
					 " AND l.superseded_day IS NULL");
	GArray *apps = g_array_new(FALSE, FALSE, sizeof(long long));
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	int rc = -1, r;

	if (!st)
		goto out;
	while ((r = store_row(st)) > 0) {
		long long id = sqlite3_column_int64(st, 0);

		g_array_append_val(apps, id);
		g_ptr_array_add(ids, col_dup(st, 1));
	}
	sqlite3_finalize(st);
	if (r < 0)
		goto out;
	if (!ids->len) {
		rc = 0;
		goto out;
	}
	if (store_begin(db))
		goto out;
	for (guint i = 0; i < ids->len; i++)
		if (withdraw(L, g_array_index(apps, long long, i), ids->pdata[i])) {
			store_rollback(db);
			goto out;
		}
	if (store_commit(db))
		goto out;
	L->withdrawn = ids->len;
	rc = 0;
out:
	g_ptr_array_free(ids, TRUE);
	g_array_free(apps, TRUE);
	return rc;
}

/* Remove PDFs in outbox/letters/ that no current letter claims. */
static int sweep(struct letters *L)
{
	DIR *d = opendir(L->dir);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return log_error("tidak dapat membuka %s: %s", L->dir, strerror(errno));
	while ((e = readdir(d))) {
		sqlite3_stmt *st;
		char *rel;
		int r;

		if (e->d_name[0] == '.' || !g_str_has_suffix(e->d_name, ".pdf"))
			continue;
		rel = g_strdup_printf("outbox/letters/%s", e->d_name);
		st = store_stmt(L->ctx->db, "SELECT 1 FROM letters WHERE file=?"
				" AND superseded_day IS NULL");
		if (!st) {
			g_free(rel);
			rc = -1;
			break;
		}
		store_bind_text(st, 1, rel);
		r = store_row(st);
		sqlite3_reset(st);
		if (r == 0) {
			char *path = g_build_filename(L->dir, e->d_name, NULL);
			struct stat sb;

			if (!lstat(path, &sb) && S_ISREG(sb.st_mode)) {
				log_info("removed %s: no current letter", rel);
				if (fs_unlink(path))
					rc = -1;
				else
					L->removed++;
			}
			g_free(path);
		} else if (r < 0) {
			rc = -1;
		}
		g_free(rel);
		if (rc)
			break;
	}
	closedir(d);
	return rc;
}

static int letters_run(struct tte_ctx *ctx, int argc, char **argv)
{
	struct letters L = { .ctx = ctx };
	long long any;
	char *why;
	gint64 t0 = g_get_monotonic_time();
	double secs;
	int rc = TTE_EXIT_FAIL;

	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "tte letters: tidak menerima argumen\n");
		return TTE_EXIT_USAGE;
	}
	why = recommender_problem(ctx->cfg);
	if (why) {
		long long waiting;

		if (store_int(ctx->db, "SELECT count(*) FROM applicants WHERE state=" SQ_VALID,
			      &waiting)) {
			g_free(why);
			return TTE_EXIT_FAIL;
		}
		/* Under `tte run` (which hands its lock down) a missing
		 * recommender must not cost the admins their morning report. */
		if (ctx->in_run) {
			/* Said when someone is waiting for a letter: a nightly
			 * mail about an empty queue would teach admins to
			 * ignore these. */
			if (waiting)
				log_warn("surat rekomendasi tidak dibuat: %s; %lld pemohon VALID "
					 "menunggu", why, waiting);
			else
				log_info("letters: recommender not configured, nobody waiting");
			rc = TTE_EXIT_OK;
		} else {
			log_error("surat rekomendasi tidak dibuat: %s; %lld pemohon VALID menunggu",
				  why, waiting);
			rc = TTE_EXIT_USAGE;
		}
		g_free(why);
		return rc;
	}

	L.dir = tte_path(ctx, "outbox", "letters", NULL);
	if (withdraw_rejected(&L))
		goto out;
	if (store_int(ctx->db, "SELECT EXISTS(SELECT 1 FROM applicants WHERE state=" SQ_VALID ")",
		      &any))
		goto out;
	if (any) {
		L.rend = letter_renderer_new();
		if (!L.rend)
			goto out;
		base_init(&L);
		writer_start(&L.w);
		if (make_letters(&L))
			goto out;
	}
	if (sweep(&L))
		goto out;
	secs = (double)(g_get_monotonic_time() - t0) / 1e6;
	log_info("letters: %ld new, %ld new versions, %ld kept, %ld withdrawn, %ld skipped, "
		 "%ld stale files removed; %.3f s (%.0f letters/s)",
		 L.made, L.renewed, L.kept, L.withdrawn, L.skipped, L.removed, secs,
		 secs > 0 ? (double)(L.made + L.renewed) / secs : 0.0);
	if (L.made + L.renewed + L.kept + L.withdrawn)
		log_tty("  surat rekomendasi: %ld baru, %ld versi baru (data diperbaiki), "
			"%ld dibatalkan; outbox/letters/\n", L.made + L.kept, L.renewed, L.withdrawn);
	rc = TTE_EXIT_OK;
out:
	writer_stop_join(&L.w);
	if (L.rend) {
		letter_renderer_free(L.rend);
		base_release(&L);
	}
	g_free(L.dir);
	return rc;
}

#ifdef __SANITIZE_ADDRESS__
/* fontconfig keeps its configuration for the life of the process by
 * design (pango offers no way to release it); not a leak of ours. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}
#endif

int main(int argc, char **argv)
{
	static const struct stage_desc d = { .name = "letters", .run = letters_run };

	/* Each letter allocates and frees the same few hundred kilobytes;
	 * without this glibc hands them back to the kernel every time
	 * (a brk and a TLB flush per letter). */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	return stage_main(&d, argc, argv);
}
