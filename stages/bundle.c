/*
 * bundle - the applicants ready for the BSrE portal, in one upload bundle
 * per run: outbox/bundles/bsre-YYYYMMDD-NN.zip.
 *
 * Input: applicants in state LETTER or SIGNED (only SIGNED when [bundle]
 * require_signed_letters = true) that are in no bundle yet, and their
 * current letters: the signed file where one was verified, else the
 * generated one. Output: a zip holding pendaftaran.xlsx (one row per
 * applicant), surat/<NIP>.pdf and MANIFEST.sha256 (for `sha256sum -c`);
 * a `bundles` row; applicants.bundle and -> BUNDLED.
 *
 * Order of commitment: the zip is written under a dot-named temporary
 * name, fsynced and renamed; only then does one transaction record the
 * bundle and its members. A run killed before the rename leaves only a
 * temporary, which the next run removes. Killed between rename and commit,
 * it leaves a zip that no row names: the next run removes it and builds
 * again from the same applicants, under the same name when it is the same
 * day. So every recorded bundle exists whole and every applicant is
 * recorded in exactly one.
 *
 * Each letter is checked against its stored SHA-256 before it goes in. A
 * generated letter deleted or changed in the outbox sends its applicant
 * back to VALID, so that the letters stage makes a new version; a verified
 * signed letter that went missing holds the applicant back, with a warning.
 * Fails with exit 1 (nothing recorded, no zip left) on a write or database
 * error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <glib.h>
#include <openssl/evp.h>

#include "config.h"
#include "dates.h"
#include "fsutil.h"
#include "log.h"
#include "rules.h"
#include "sheet.h"
#include "stage.h"
#include "states.h"
#include "store.h"
#include "tte.h"

/* One applicant going into the bundle. */
struct member {
	long long id;
	char *state;		/* LETTER or SIGNED */
	char *nip;
	char *src;		/* the PDF, relative to the root (or absolute) */
	char *sha;		/* its expected SHA-256 */
};

struct bundle {
	struct tte_ctx *ctx;
	GArray *members;	/* struct member */
	char *name;		/* bsre-YYYYMMDD-NN.zip */
	int seq;
	char *final, *xlsx;	/* absolute paths */
	time_t mtime;		/* entries' time: noon of the run date */
	long back, held;	/* sent back to VALID; held for a missing signed file */
};

static char *col_dup(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? g_strdup(s) : NULL;
}

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void member_clear(gpointer p)
{
	struct member *m = p;

	g_free(m->state);
	g_free(m->nip);
	g_free(m->src);
	g_free(m->sha);
}

static char *abs_path(struct bundle *b, const char *rel)
{
	return g_path_is_absolute(rel) ? g_strdup(rel) : tte_path(b->ctx, rel, NULL);
}

/* Open a letter for reading: a regular file, not through a link. -1 with
 * errno set otherwise. */
static int open_letter(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/* ---- before: bundles a killed run left unrecorded --------------------------- */

static int reconcile(struct bundle *b)
{
	char *dir = tte_path(b->ctx, "outbox", "bundles", NULL);
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		rc = log_error("tidak dapat membuka %s: %s", dir, strerror(errno));
		goto out;
	}
	while ((e = readdir(d))) {
		sqlite3_stmt *st;
		int r;

		if (!g_str_has_prefix(e->d_name, "bsre-") || !g_str_has_suffix(e->d_name, ".zip"))
			continue;
		st = store_stmt(b->ctx->db, "SELECT 1 FROM bundles WHERE name=?");
		if (!st) {
			rc = -1;
			break;
		}
		store_bind_text(st, 1, e->d_name);
		r = store_row(st);
		sqlite3_reset(st);
		if (r == 0) {
			char *p = g_build_filename(dir, e->d_name, NULL);

			/* Written whole but never recorded: its applicants are
			 * still waiting and go into the bundle built below. */
			log_warn("bundel %s tidak tercatat (run sebelumnya terhenti); dihapus dan "
				 "disusun ulang", e->d_name);
			rc = fs_unlink(p);
			g_free(p);
		} else if (r < 0) {
			rc = -1;
		}
		if (rc)
			break;
	}
	closedir(d);
out:
	g_free(dir);
	return rc;
}

/* ---- who goes in ---------------------------------------------------------------- */

static int send_back(struct bundle *b, GArray *ids, GPtrArray *letter_ids)
{
	sqlite3 *db = b->ctx->db;

	if (!ids->len)
		return 0;
	if (store_begin(db))
		return -1;
	for (guint i = 0; i < ids->len; i++) {
		char *note = g_strdup_printf("berkas surat %s hilang atau berubah di outbox; "
					     "surat dibuat ulang", (char *)letter_ids->pdata[i]);
		int rc = store_set_state(b->ctx, g_array_index(ids, long long, i), ST_LETTER,
					 ST_VALID, "bundle", note);

		g_free(note);
		if (rc) {
			store_rollback(db);
			return -1;
		}
	}
	if (store_commit(db))
		return -1;
	b->back = ids->len;
	return 0;
}

/* The applicants ready, with letters that check out, into b->members. */
static int select_members(struct bundle *b)
{
	sqlite3_stmt *st = store_prepare(b->ctx->db,
		"SELECT a.id, a.state, a.nip, l.id, l.file, l.sha256, l.signed_file, l.signed_sha256,"
		" a.name, a.email"
		" FROM applicants a JOIN letters l ON l.id=a.letter_id"
		" WHERE a.bundle IS NULL AND (a.state=" SQ_SIGNED " OR (a.state=" SQ_LETTER " AND ?1=0))"
		" ORDER BY a.id");
	GArray *back = g_array_new(FALSE, FALSE, sizeof(long long));
	GPtrArray *back_letters = g_ptr_array_new_with_free_func(g_free);
	int rc = -1, r;

	if (!st)
		goto out;
	sqlite3_bind_int(st, 1, b->ctx->cfg->require_signed_letters);
	while ((r = store_row(st)) > 0) {
		struct member m = { .id = sqlite3_column_int64(st, 0) };
		bool signed_copy = col(st, 6) != NULL;
		char *path, hex[65];
		int fd;
		bool ok = false;

		m.state = col_dup(st, 1);
		m.nip = col_dup(st, 2);
		m.src = col_dup(st, signed_copy ? 6 : 4);
		m.sha = col_dup(st, signed_copy ? 7 : 5);
		if (m.src && m.sha) {
			path = abs_path(b, m.src);
			fd = open_letter(path);
			if (fd >= 0) {
				ok = !fs_sha256_fd(fd, hex) && !strcmp(hex, m.sha);
				close(fd);
			}
			g_free(path);
		}
		if (ok) {
			g_array_append_val(b->members, m);
			continue;
		}
		if (signed_copy) {
			log_warn("surat bertanda tangan %s (%s, %s) hilang atau berubah: %s; pemohon "
				 "belum dimasukkan ke bundel", col(st, 3), col(st, 8), col(st, 9), m.src);
			b->held++;
		} else if (!strcmp(m.state, ST_LETTER)) {
			log_warn("surat %s (%s, %s) hilang atau berubah di outbox; surat akan dibuat "
				 "ulang dan pemohon masuk bundel berikutnya", col(st, 3), col(st, 8),
				 col(st, 9));
			g_array_append_val(back, m.id);
			g_ptr_array_add(back_letters, col_dup(st, 3));
		} else {
			log_warn("surat %s (%s, %s) tidak dapat dibaca; pemohon belum dimasukkan ke "
				 "bundel", col(st, 3), col(st, 8), col(st, 9));
			b->held++;
		}
		member_clear(&m);
	}
	if (r < 0)
		goto out;
	rc = send_back(b, back, back_letters);
out:
	if (st)
		sqlite3_finalize(st);
	g_array_free(back, TRUE);
	g_ptr_array_free(back_letters, TRUE);
	return rc;
}

/* The next free bsre-YYYYMMDD-NN.zip of the day. */
static int choose_name(struct bundle *b)
{
	sqlite3_stmt *st = store_stmt(b->ctx->db, "SELECT coalesce(max(seq), 0) FROM bundles"
				      " WHERE day=?");
	int r;

	if (!st)
		return -1;
	store_bind_text(st, 1, b->ctx->today);
	r = store_row(st);
	b->seq = r > 0 ? sqlite3_column_int(st, 0) + 1 : 1;
	sqlite3_reset(st);
	if (r < 0)
		return -1;
	for (;; b->seq++) {
		g_free(b->name);
		g_free(b->final);
		b->name = g_strdup_printf("bsre-%s-%02d.zip", b->ctx->today_compact, b->seq);
		b->final = tte_path(b->ctx, "outbox", "bundles", b->name, NULL);
		if (access(b->final, F_OK))
			break;
	}
	return 0;
}

/* ---- pendaftaran.xlsx -------------------------------------------------------- */

static const struct sheet_col reg_cols[] = {
	{ "No", 6 }, { "Nama Lengkap", 32 }, { "NIP", 21 }, { "NIK", 19 },
	{ "Pangkat/Golongan", 28 }, { "Jabatan", 24 }, { "Unit Kerja", 32 }, { "Instansi", 32 },
	{ "Kota", 14 }, { "Provinsi", 12 }, { "Email", 30 }, { "No. Telepon", 16 },
	{ "Produk", 26 }, { "Jenis Sertifikat", 16 }, { "Surat Rekomendasi", 30 },
};

static int write_register(struct bundle *b)
{
	const struct tte_config *cfg = b->ctx->cfg;
	lxw_doc_properties props = {
		.title = (char *)"Pendaftaran Sertifikat Elektronik BSrE",
		.company = cfg->instansi,
		.created = b->mtime,	/* the same bundle, the same bytes */
	};
	struct book bk;
	struct sheet s;

	if (book_open(&bk, b->ctx, b->xlsx))
		return -1;
	workbook_set_properties(bk.wb, &props);
	sheet_begin(&s, &bk, "Pendaftaran", reg_cols, (int)ARRAY_SIZE(reg_cols),
		    (long long)b->members->len);
	for (guint i = 0; i < b->members->len && !s.failed; i++) {
		const struct member *m = &g_array_index(b->members, struct member, i);
		sqlite3_stmt *st = store_stmt(b->ctx->db,
			"SELECT name, nip, nik, golongan, jabatan, unit, email, phone FROM applicants"
			" WHERE id=?");
		char *pangkat, *file;

		if (!st)
			goto fail;
		sqlite3_bind_int64(st, 1, m->id);
		if (store_row(st) <= 0) {
			log_error("database: pemohon #%lld tidak terbaca", m->id);
			goto fail;
		}
		pangkat = rules_pangkat_golongan(col(st, 3));
		file = g_strdup_printf("surat/%s.pdf", m->nip);
		sheet_row(&s);
		sheet_int(&s, 0, (long long)i + 1);
		sheet_text(&s, 1, col(st, 0));
		sheet_text(&s, 2, col(st, 1));
		sheet_text(&s, 3, col(st, 2));
		sheet_text(&s, 4, pangkat);
		sheet_text(&s, 5, col(st, 4));
		sheet_text(&s, 6, col(st, 5));
		sheet_text(&s, 7, cfg->instansi);
		sheet_text(&s, 8, cfg->kota);
		sheet_text(&s, 9, cfg->provinsi);
		sheet_text(&s, 10, col(st, 6));
		sheet_text(&s, 11, col(st, 7));
		sheet_text(&s, 12, "Tanda Tangan Elektronik");
		sheet_text(&s, 13, "INDIVIDU");
		sheet_text(&s, 14, file);
		sqlite3_reset(st);
		g_free(pangkat);
		g_free(file);
	}
	sheet_release(&s);
	if (s.failed) {
		book_abort(&bk);
		return -1;
	}
	return book_close(&bk);
fail:
	sheet_release(&s);
	book_abort(&bk);
	return -1;
}

/* ---- the zip ------------------------------------------------------------------- */

struct zout {
	struct afile af;
	EVP_MD_CTX *md;		/* SHA-256 of the whole zip as written */
};

static la_ssize_t zip_write(struct archive *a, void *cd, const void *buf, size_t len)
{
	struct zout *z = cd;

	if (afile_write(&z->af, buf, len)) {
		archive_set_error(a, EIO, "write failed");
		return -1;
	}
	EVP_DigestUpdate(z->md, buf, len);
	return (la_ssize_t)len;
}

static int zip_fail(struct archive *a, const char *what)
{
	return log_error("bundel: %s: %s", what, archive_error_string(a) ? archive_error_string(a)
								      : "gagal");
}

/* Add the file at PATH as NAME, hashing what goes in into HEX. */
static int add_file(struct archive *a, struct bundle *b, const char *path, const char *name,
		    char hex[65])
{
	struct archive_entry *e = archive_entry_new();
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char dig[32], *buf = g_malloc(1 << 16);
	int fd = open_letter(path), rc = -1;
	struct stat st;

	if (fd < 0 || fstat(fd, &st)) {
		log_error("tidak dapat membaca %s: %s", path, strerror(errno));
		goto out;
	}
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, st.st_size);
	archive_entry_set_mtime(e, b->mtime, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK) {
		zip_fail(a, name);
		goto out;
	}
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = read(fd, buf, 1 << 16);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_error("gagal membaca %s: %s", path, n ? strerror(errno) : "berkas memendek");
			goto out;
		}
		EVP_DigestUpdate(md, buf, (size_t)n);
		if (archive_write_data(a, buf, (size_t)n) != n) {
			zip_fail(a, name);
			goto out;
		}
		done += n;
	}
	if (archive_write_finish_entry(a) != ARCHIVE_OK) {
		zip_fail(a, name);
		goto out;
	}
	EVP_DigestFinal_ex(md, dig, NULL);
	for (int i = 0; i < 32; i++)
		g_snprintf(hex + 2 * i, 3, "%02x", dig[i]);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(md);
	archive_entry_free(e);
	g_free(buf);
	return rc;
}

static int add_buffer(struct archive *a, struct bundle *b, const char *name, const char *data,
		      size_t len)
{
	struct archive_entry *e = archive_entry_new();
	int rc = -1;

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_mtime(e, b->mtime, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    archive_write_data(a, data, len) != (la_ssize_t)len ||
	    archive_write_finish_entry(a) != ARCHIVE_OK)
		zip_fail(a, name);
	else
		rc = 0;
	archive_entry_free(e);
	return rc;
}

/* Write the zip to its temporary name and rename it into place; its
 * SHA-256 into HEX. */
static int write_zip(struct bundle *b, char hex[65])
{
	struct archive *a = archive_write_new();
	struct zout z = { .md = EVP_MD_CTX_new() };
	GString *manifest = g_string_new(NULL);
	unsigned char dig[32];
	char h[65];
	bool opened = false;
	int rc = -1;

	if (afile_open(&z.af, b->final))
		goto out;
	EVP_DigestInit_ex(z.md, EVP_sha256(), NULL);
	/* PDFs and the workbook are compressed already: stored, they cost a
	 * checksum only. */
	if (archive_write_set_format_zip(a) != ARCHIVE_OK ||
	    archive_write_zip_set_compression_store(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open2(a, &z, NULL, zip_write, NULL, NULL) != ARCHIVE_OK) {
		zip_fail(a, b->name);
		goto fail;
	}
	opened = true;
	if (add_file(a, b, b->xlsx, "pendaftaran.xlsx", h))
		goto fail;
	g_string_append_printf(manifest, "%s  pendaftaran.xlsx\n", h);
	for (guint i = 0; i < b->members->len; i++) {
		const struct member *m = &g_array_index(b->members, struct member, i);
		char *src = abs_path(b, m->src);
		char *name = g_strdup_printf("surat/%s.pdf", m->nip);
		int r = add_file(a, b, src, name, h);

		if (!r && strcmp(h, m->sha))
			r = log_error("surat %s berubah saat bundel disusun; bundel dibatalkan", src);
		if (!r)
			g_string_append_printf(manifest, "%s  %s\n", h, name);
		g_free(src);
		g_free(name);
		if (r)
			goto fail;
		if (b->ctx->tty && !(i % 500))
			log_tty("\r  bundel %s: %u/%u", b->name, i, b->members->len);
	}
	log_tty(b->ctx->tty ? "\r" : "");
	if (archive_write_zip_set_compression_deflate(a) != ARCHIVE_OK ||
	    add_buffer(a, b, "MANIFEST.sha256", manifest->str, manifest->len))
		goto fail;
	if (archive_write_close(a) != ARCHIVE_OK) {
		zip_fail(a, b->name);
		goto fail;
	}
	opened = false;
	EVP_DigestFinal_ex(z.md, dig, NULL);
	for (int i = 0; i < 32; i++)
		g_snprintf(hex + 2 * i, 3, "%02x", dig[i]);
	rc = afile_commit(&z.af);
	goto out;
fail:
	if (opened)
		archive_write_close(a);
	afile_abort(&z.af);
out:
	archive_write_free(a);
	EVP_MD_CTX_free(z.md);
	g_string_free(manifest, TRUE);
	return rc;
}

/* ---- recording ------------------------------------------------------------------ */

static int record(struct bundle *b, const char *sha)
{
	sqlite3 *db = b->ctx->db;
	sqlite3_stmt *st;
	char *rel = g_strdup_printf("outbox/bundles/%s", b->name);
	int rc = -1;

	if (store_begin(db))
		goto out;
	st = store_stmt(db, "INSERT INTO bundles(name, day, seq, sha256, file, applicants)"
			" VALUES(?,?,?,?,?,?)");
	if (!st)
		goto fail;
	store_bind_text(st, 1, b->name);
	store_bind_text(st, 2, b->ctx->today);
	sqlite3_bind_int(st, 3, b->seq);
	store_bind_text(st, 4, sha);
	store_bind_text(st, 5, rel);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)b->members->len);
	if (store_step_done(st))
		goto fail;
	for (guint i = 0; i < b->members->len; i++) {
		const struct member *m = &g_array_index(b->members, struct member, i);

		st = store_stmt(db, "UPDATE applicants SET bundle=? WHERE id=? AND bundle IS NULL");
		if (!st)
			goto fail;
		store_bind_text(st, 1, b->name);
		sqlite3_bind_int64(st, 2, m->id);
		if (store_step_done(st))
			goto fail;
		if (sqlite3_changes(db) != 1) {
			log_error("pemohon #%lld sudah masuk bundel lain", m->id);
			goto fail;
		}
		if (store_set_state(b->ctx, m->id, m->state, ST_BUNDLED, b->name, NULL))
			goto fail;
	}
	rc = store_commit(db);
	if (rc)
		goto fail;
	goto out;
fail:
	store_rollback(db);
	rc = -1;
out:
	g_free(rel);
	return rc;
}

static int bundle_run(struct tte_ctx *ctx, int argc, char **argv)
{
	struct bundle b = { .ctx = ctx };
	gint64 t0 = g_get_monotonic_time();
	char sha[65];
	long long waiting;
	int rc = TTE_EXIT_FAIL;

	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "tte bundle: tidak menerima argumen\n");
		return TTE_EXIT_USAGE;
	}
	b.members = g_array_new(FALSE, TRUE, sizeof(struct member));
	g_array_set_clear_func(b.members, member_clear);
	{
		GDate d;
		struct tm tm = { 0 };

		date_parse_iso(ctx->today, &d);
		g_date_to_struct_tm(&d, &tm);
		tm.tm_hour = 12;
		b.mtime = timegm(&tm);
	}
	{
		char *tmp = tte_path(ctx, "var", "tmp", "pendaftaran.xlsx", NULL);

		/* Dot-named like every temporary, so a killed run's copy (it
		 * holds NIKs) is removed by the next one. */
		b.xlsx = fs_temp_name(tmp);
		g_free(tmp);
	}
	if (reconcile(&b) || select_members(&b))
		goto out;
	waiting = 0;
	if (ctx->cfg->require_signed_letters &&
	    store_int(ctx->db, "SELECT count(*) FROM applicants WHERE state=" SQ_LETTER
		      " AND bundle IS NULL", &waiting))
		goto out;
	if (waiting)
		log_tty("  %lld pemohon menunggu surat bertanda tangan (bundle.require_signed_letters)\n",
			waiting);
	if (!b.members->len) {
		log_info("bundle: nobody ready (%lld waiting for a signed letter, %ld held, %ld sent "
			 "back)", waiting, b.held, b.back);
		rc = TTE_EXIT_OK;
		goto out;
	}
	if (choose_name(&b) || write_register(&b) || write_zip(&b, sha))
		goto out;
	if (record(&b, sha)) {
		/* Not recorded: the zip must not stay to be uploaded. */
		fs_unlink(b.final);
		goto out;
	}
	log_info("bundle %s: %u applicant(s), sha256 %.12s, %.3f s; %lld waiting for a signed "
		 "letter, %ld held, %ld sent back", b.name, b.members->len, sha,
		 (double)(g_get_monotonic_time() - t0) / 1e6, waiting, b.held, b.back);
	log_tty("  bundel: outbox/bundles/%s (%u pemohon)\n", b.name, b.members->len);
	rc = TTE_EXIT_OK;
out:
	if (b.xlsx)
		unlink(b.xlsx);
	g_array_free(b.members, TRUE);
	g_free(b.name);
	g_free(b.final);
	g_free(b.xlsx);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct stage_desc d = { .name = "bundle", .run = bundle_run };

	return stage_main(&d, argc, argv);
}
