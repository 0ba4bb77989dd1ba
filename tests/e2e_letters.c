/*
 * e2e_letters - the letters and bundle stages, end to end: drop form
 * exports, run the built binary, and read what it wrote with the tools a
 * verifier would use: pdftotext, pdftoppm + zbarimg, unzip, sha256sum,
 * the workbook parsed back, sqlite3.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "testutil.h"

#define DAY "2026-11-24"
#define BASE_URL "https://tte.undiksha.ac.id/verifikasi/"

/* A made-up applicant as typed into the form. */
struct person {
	const char *ts, *nik, *nip, *name, *email, *gol, *jabatan, *unit, *phone;
};

static const struct person alice = {
	"2026/11/10 1:00:00 PM GMT+8", "5108010705970001", "199705072022011001",
	"I Gusti Ngurah \xc3\x91 \xc4\x80rya D'Souza", "ngurah.arya@undiksha.ac.id", "III/d",
	"Dosen", "Fakultas Teknik dan Kejuruan", "081234567890",
};
static const struct person bella = {
	"2026/11/10 2:00:00 PM GMT+8", "5108015203900002", "199003122015032002",
	"Ni Luh Putu O'Neil Sari", "putu.sari@undiksha.ac.id", "IV/a", "Lektor Kepala",
	"Fakultas Ekonomi", NULL,
};
static const struct person carlo = {
	"2026/11/10 3:00:00 PM GMT+8", "5108011508850003", "198508152022211003",
	"Made Wijaya", "made.wijaya@undiksha.ac.id", "IX", "Pranata Komputer", "UPT TIK",
	"0362 22570",
};

static void csv_field(GString *s, const char *v)
{
	g_string_append_c(s, '"');
	for (; v && *v; v++) {
		if (*v == '"')
			g_string_append_c(s, '"');
		g_string_append_c(s, *v);
	}
	g_string_append_c(s, '"');
}

/* Write inbox/forms/NAME with the people given. */
static void drop_form(const char *root, const char *name, const struct person *const *p, int n)
{
	GString *s = g_string_new("Timestamp,Email Address,NIK,NIP,Nama (Tanpa Gelar),"
				  "Email Undiksha,Golongan,Jabatan,Foto KTP,Unit Kerja,No. Telepon\n");
	char *rel = g_strdup_printf("inbox/forms/%s", name);
	char *path = tu_path(root, rel);
	char *dir = g_path_get_dirname(path);

	assert_int_equal(g_mkdir_with_parents(dir, 0700), 0);
	g_free(dir);
	for (int i = 0; i < n; i++) {
		const char *v[] = { p[i]->ts, p[i]->email, p[i]->nik, p[i]->nip, p[i]->name,
				    p[i]->email, p[i]->gol, p[i]->jabatan,
				    "https://drive.google.com/open?id=K1", p[i]->unit,
				    p[i]->phone ? p[i]->phone : "" };

		for (size_t c = 0; c < G_N_ELEMENTS(v); c++) {
			if (c)
				g_string_append_c(s, ',');
			csv_field(s, v[c]);
		}
		g_string_append_c(s, '\n');
	}
	tu_write_str(path, s->str);
	g_string_free(s, TRUE);
	g_free(rel);
	g_free(path);
}

static char *letter_path(const char *root, const char *nip)
{
	char *rel = g_strdup_printf("outbox/letters/%s.pdf", nip);
	char *p = tu_path(root, rel);

	g_free(rel);
	return p;
}

static char *pdftotext(const char *pdf, bool layout)
{
	char *out = NULL;

	assert_int_equal(tu_sh(&out, "pdftotext %s -enc UTF-8 '%s' -", layout ? "-layout" : "", pdf), 0);
	return out;
}

/* Is there a line "LABEL   : VALUE" (pdftotext -layout)? */
static bool has_field(const char *text, const char *label, const char *value)
{
	gchar **lines = g_strsplit(text, "\n", -1);
	bool found = false;

	for (gchar **l = lines; *l && !found; l++) {
		const char *p = *l;

		while (*p == ' ')
			p++;
		if (strncmp(p, label, strlen(label)))
			continue;
		p += strlen(label);
		while (*p == ' ')
			p++;
		if (*p++ != ':')
			continue;
		while (*p == ' ')
			p++;
		found = !strcmp(g_strchomp((char *)p), value);
	}
	g_strfreev(lines);
	return found;
}

static void assert_field(const char *text, const char *label, const char *value)
{
	if (!has_field(text, label, value))
		fail_msg("no line \"%s : %s\" in the letter:\n%s", label, value, text);
}

static char *sql1(const char *root, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *sql1(const char *root, const char *fmt, ...)
{
	va_list ap;
	char *q, *r;

	va_start(ap, fmt);
	q = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	r = tu_sql(root, q);

	g_free(q);
	return r;
}

static char *file_sha256(const char *path)
{
	char *out = NULL;

	assert_int_equal(tu_sh(&out, "sha256sum '%s' | cut -c1-64", path), 0);
	g_strchomp(out);
	return out;
}

/* Decode the QR code of PDF: rendered by pdftoppm, read by zbarimg. */
static char *qr_of(const char *pdf)
{
	char *out = NULL;
	char *png = g_strdup_printf("%s-qr", pdf);

	assert_int_equal(tu_sh(NULL, "pdftoppm -r 150 -png -singlefile '%s' '%s'", pdf, png), 0);
	assert_int_equal(tu_sh(&out, "zbarimg -q --raw '%s.png' 2>/dev/null", png), 0);
	tu_sh(NULL, "rm -f '%s.png'", png);
	g_free(png);
	g_strchomp(out);
	return out;
}

static gboolean id_shaped(const char *id)
{
	return g_regex_match_simple("^20261124-[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$",
				    id, 0, 0);
}

/* ---- letters ------------------------------------------------------------------ */

/* Every field of the template is in the letter, names intact, and the QR
 * code holds the verification URL of the stored letter id. */
static void test_letter_fields_and_qr(void **state)
{
	const struct person *ps[] = { &alice, &bella, &carlo };
	char *root = tu_root_new("[bundle]\nrequire_signed_letters = true");

	(void)state;
	drop_form(root, "a.csv", ps, 3);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "run", NULL), 0);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants WHERE state='LETTER'"), 3);
	for (int i = 0; i < 3; i++) {
		const struct person *p = ps[i];
		char *pdf = letter_path(root, p->nip);
		char *text = pdftotext(pdf, true), *plain = pdftotext(pdf, false);
		char *id = sql1(root, "SELECT letter_id FROM applicants WHERE nip='%s'", p->nip);
		char *sha = sql1(root, "SELECT l.sha256 FROM letters l JOIN applicants a ON"
				 " a.letter_id=l.id WHERE a.nip='%s'", p->nip);
		char *fsha = file_sha256(pdf), *qr = qr_of(pdf), *url;

		assert_true(id_shaped(id));
		assert_string_equal(sha, fsha);
		url = g_strconcat(BASE_URL, id, NULL);
		assert_string_equal(qr, url);

		assert_non_null(strstr(text, "SURAT REKOMENDASI PERMOHONAN PENERBITAN SERTIFIKAT "
					     "ELEKTRONIK"));
		assert_non_null(strstr(text, "UNIVERSITAS PENDIDIKAN GANESHA"));
		assert_non_null(strstr(text, "Saya yang bertanda tangan di bawah ini"));
		/* the recommender */
		assert_field(text, "Nama Lengkap", "Made Contoh Rekomendasi");
		assert_field(text, "NIP", "197501012000031001");
		assert_field(text, "NIK", "5108010101750001");
		assert_field(text, "Pangkat/Golongan", "Pembina / IV/a");
		assert_field(text, "Jabatan", "Kepala UPT Teknologi Informasi dan Komunikasi");
		assert_field(text, "Unit Kerja", "UPT Teknologi Informasi dan Komunikasi");
		assert_field(text, "Alamat Email", "kepala.tik@undiksha.ac.id");
		assert_non_null(strstr(text, "Dengan ini memberikan rekomendasi kepada"));
		/* the applicant */
		assert_field(text, "Nama Lengkap", p->name);
		assert_field(text, "NIP", p->nip);
		assert_field(text, "NIK", p->nik);
		assert_field(text, "Jabatan", p->jabatan);
		assert_field(text, "Unit Kerja", p->unit);
		assert_field(text, "Instansi", "Universitas Pendidikan Ganesha");
		assert_field(text, "Kota", "Singaraja");
		assert_field(text, "Provinsi", "Bali");
		assert_field(text, "Alamat Email", p->email);
		assert_field(text, "No. Telepon", p->phone ? p->phone : "\xe2\x80\x93");
		assert_field(text, "Sistem", "Aplikasi persuratan dan layanan elektronik Universitas");
		assert_field(text, "Kegunaan", "Penandatanganan dokumen elektronik kedinasan");
		assert_non_null(strstr(text, "Demikian surat rekomendasi ini saya buat"));
		assert_non_null(strstr(text, "Singaraja, 24 November 2026"));
		assert_non_null(strstr(text, "NIP 197501012000031001"));
		assert_non_null(strstr(text, "Undang-Undang Nomor 11 Tahun 2008"));
		/* reading order too: the name whole in plain pdftotext */
		assert_non_null(strstr(plain, p->name));
		assert_non_null(strstr(plain, id));
		g_free(url);
		g_free(pdf);
		g_free(text);
		g_free(plain);
		g_free(id);
		g_free(sha);
		g_free(fsha);
		g_free(qr);
	}
	{
		char *pa = letter_path(root, alice.nip), *pc = letter_path(root, carlo.nip);
		char *ta = pdftotext(pa, true), *tc = pdftotext(pc, true);
		char *logs = tu_path(root, "var/log");

		assert_field(ta, "Pangkat/Golongan", "Penata Tingkat I / III/d");
		assert_field(tc, "Pangkat/Golongan", "Golongan IX (PPPK)");
		/* The NIK never reaches a log. */
		assert_false(tu_file_contains(logs, alice.nik));
		g_free(pa);
		g_free(pc);
		g_free(ta);
		g_free(tc);
		g_free(logs);
	}
	/* Held back: nobody is bundled until a signed letter is verified. */
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM bundles"), 0);
	tu_root_free(root);
}

/* Same data and --date: the same bytes, also in another root sharing the
 * configuration and the installation key; a second run makes nothing new. */
static void test_byte_identical(void **state)
{
	const struct person *ps[] = { &alice, &bella };
	char *r1 = tu_root_new(NULL), *r2 = tu_root_new(NULL);
	char *key1, *key2;

	(void)state;
	drop_form(r1, "a.csv", ps, 2);
	drop_form(r2, "b.csv", ps, 2);
	assert_int_equal(tu_tte(r1, DAY, NULL, NULL, "intake", NULL), 0);
	assert_int_equal(tu_tte(r1, DAY, NULL, NULL, "letters", NULL), 0);
	key1 = tu_path(r1, "var/nik.key");
	key2 = tu_path(r2, "var");
	assert_int_equal(g_mkdir_with_parents(key2, 0700), 0);
	g_free(key2);
	key2 = tu_path(r2, "var/nik.key");
	tu_copy(key1, key2);
	assert_int_equal(tu_tte(r2, DAY, NULL, NULL, "intake", NULL), 0);
	assert_int_equal(tu_tte(r2, DAY, NULL, NULL, "letters", NULL), 0);
	for (int i = 0; i < 2; i++) {
		char *a = letter_path(r1, ps[i]->nip), *b = letter_path(r2, ps[i]->nip);
		size_t la, lb;
		char *da = tu_read(a, &la), *db = tu_read(b, &lb);

		assert_int_equal(la, lb);
		assert_memory_equal(da, db, la);
		g_free(da);
		g_free(db);
		g_free(a);
		g_free(b);
	}
	/* Nothing new on a second run. */
	assert_int_equal(tu_tte(r1, DAY, NULL, NULL, "letters", NULL), 0);
	assert_int_equal(tu_sql_int(r1, "SELECT count(*) FROM letters"), 2);
	g_free(key1);
	g_free(key2);
	tu_root_free(r1);
	tu_root_free(r2);
}

/* Corrected data before bundling: a new version with a new id, the old one
 * superseded; a changed NIP takes the old file out of the outbox; data
 * corrected into something rejected withdraws the letter. */
static void test_correction(void **state)
{
	const struct person *ps[] = { &alice, &bella, &carlo };
	struct person a2 = alice, b2 = bella, c2 = carlo;
	const struct person *ps2[] = { &a2, &b2, &c2 };
	char *root = tu_root_new(NULL);
	char *old_a, *old_b, *new_a, *new_b, *t, *p;

	(void)state;
	drop_form(root, "a.csv", ps, 3);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "intake", NULL), 0);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "letters", NULL), 0);
	old_a = sql1(root, "SELECT letter_id FROM applicants WHERE nip='%s'", alice.nip);
	old_b = sql1(root, "SELECT letter_id FROM applicants WHERE nip='%s'", bella.nip);

	a2.ts = b2.ts = c2.ts = "2026/11/12 9:00:00 AM GMT+8";
	a2.jabatan = "Lektor";			/* corrected field */
	b2.nip = "199003122016032002";		/* corrected NIP */
	c2.email = "made.wijaya@gmail.com";	/* now rejected */
	drop_form(root, "b.csv", ps2, 3);
	assert_int_equal(tu_tte(root, "2026-11-25", NULL, NULL, "intake", NULL), 0);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants WHERE state='VALID'"), 2);
	assert_int_equal(tu_tte(root, "2026-11-25", NULL, NULL, "letters", NULL), 0);

	new_a = sql1(root, "SELECT letter_id FROM applicants WHERE nip='%s'", alice.nip);
	new_b = sql1(root, "SELECT letter_id FROM applicants WHERE nip='%s'", b2.nip);
	assert_string_not_equal(new_a, old_a);
	assert_string_not_equal(new_b, old_b);
	assert_true(g_str_has_prefix(new_a, "20261125-"));
	p = sql1(root, "SELECT version || '|' || coalesce(superseded_day, '') || '|' ||"
		 " coalesce(file, '') FROM letters WHERE id='%s'", old_a);
	assert_string_equal(p, "1|2026-11-25|");
	g_free(p);
	p = sql1(root, "SELECT version || '|' || coalesce(superseded_day, '') FROM letters"
		 " WHERE id='%s'", new_a);
	assert_string_equal(p, "2|");
	g_free(p);
	p = letter_path(root, alice.nip);
	t = pdftotext(p, true);
	assert_field(t, "Jabatan", "Lektor");
	assert_non_null(strstr(t, "Singaraja, 25 November 2026"));
	g_free(t);
	g_free(p);
	/* the old NIP's letter has left the outbox, the new one is there */
	p = letter_path(root, bella.nip);
	assert_false(g_file_test(p, G_FILE_TEST_EXISTS));
	g_free(p);
	p = letter_path(root, b2.nip);
	assert_true(g_file_test(p, G_FILE_TEST_EXISTS));
	g_free(p);
	/* the rejected applicant's letter is withdrawn */
	p = letter_path(root, carlo.nip);
	assert_false(g_file_test(p, G_FILE_TEST_EXISTS));
	g_free(p);
	p = sql1(root, "SELECT state || '|' || coalesce(letter_id, '-') FROM applicants"
		 " WHERE nip='%s'", carlo.nip);
	assert_string_equal(p, "REJECTED|-");
	g_free(p);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM letters WHERE superseded_day"
				    " IS NOT NULL"), 3);
	/* Only current letters are in the outbox, and they go into the bundle. */
	assert_int_equal(tu_sh(&p, "ls '%s/outbox/letters' | wc -l", root), 0);
	assert_int_equal(g_ascii_strtoll(p, NULL, 10), 2);
	g_free(p);
	assert_int_equal(tu_tte(root, "2026-11-25", NULL, NULL, "bundle", NULL), 0);
	assert_int_equal(tu_sh(&p, "unzip -Z1 '%s/outbox/bundles/bsre-20261125-01.zip' | sort | tr '\\n' ' '",
			       root), 0);
	t = g_strdup_printf("MANIFEST.sha256 pendaftaran.xlsx surat/%s.pdf surat/%s.pdf ",
			    b2.nip, alice.nip);
	assert_string_equal(p, t);
	g_free(p);
	g_free(t);
	g_free(old_a);
	g_free(old_b);
	g_free(new_a);
	g_free(new_b);
	tu_root_free(root);
}

/* Applicants whose letter cannot be made are skipped with the reason and
 * stay VALID; the others get theirs. */
static void test_skipped(void **state)
{
	struct person twin = bella, wordy = carlo;
	const struct person *ps[] = { &alice, &bella, &twin, &wordy };
	char *root = tu_root_new(NULL), *err = NULL;
	GString *jab = g_string_new(NULL);

	(void)state;
	twin.nik = "5108015203900005";		/* another person, the same NIP */
	twin.name = "Ni Made Kembar";
	twin.email = "made.kembar@undiksha.ac.id";
	for (int i = 0; i < 300; i++)
		g_string_append(jab, "Koordinator ");
	wordy.jabatan = jab->str;
	drop_form(root, "a.csv", ps, 4);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "intake", NULL), 0);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants WHERE state='VALID'"), 4);
	assert_int_equal(tu_tte(root, DAY, NULL, &err, "letters", NULL), 0);
	assert_non_null(strstr(err, "NIP pemohon Ni Made Kembar (made.kembar@undiksha.ac.id) juga dipakai"));
	assert_non_null(strstr(err, "terlalu panjang untuk satu halaman"));
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants WHERE state='LETTER'"), 1);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM letters"), 1);
	g_free(err);
	g_string_free(jab, TRUE);
	tu_root_free(root);
}

/* ---- bundles -------------------------------------------------------------------- */

/* The bundle passes unzip -t and sha256sum -c; pendaftaran.xlsx holds one
 * row per applicant with the letter's fields; everyone is BUNDLED once. */
static void test_bundle(void **state)
{
	const struct person *ps[] = { &alice, &bella, &carlo };
	char *root = tu_root_new(NULL);
	char *zip = tu_path(root, "outbox/bundles/bsre-20261124-01.zip");
	char *dir = g_strdup_printf("%s/x", root), *xlsx, *out = NULL;
	GPtrArray *rows;
	static const char *const header[] = { "No", "Nama Lengkap", "NIP", "NIK",
		"Pangkat/Golongan", "Jabatan", "Unit Kerja", "Instansi", "Kota", "Provinsi", "Email",
		"No. Telepon", "Produk", "Jenis Sertifikat", "Surat Rekomendasi" };

	(void)state;
	drop_form(root, "a.csv", ps, 3);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "run", NULL), 0);
	assert_int_equal(tu_sh(NULL, "unzip -tq '%s' >/dev/null", zip), 0);
	assert_int_equal(tu_sh(NULL, "mkdir '%s' && cd '%s' && unzip -q '%s'", dir, dir, zip), 0);
	assert_int_equal(tu_sh(&out, "cd '%s' && sha256sum -c MANIFEST.sha256", dir), 0);
	assert_non_null(strstr(out, "pendaftaran.xlsx: OK"));
	g_free(out);
	for (int i = 0; i < 3; i++) {
		char *a = g_strdup_printf("%s/surat/%s.pdf", dir, ps[i]->nip);
		char *b = letter_path(root, ps[i]->nip);
		char *ha = file_sha256(a), *hb = file_sha256(b);

		assert_string_equal(ha, hb);
		g_free(a);
		g_free(b);
		g_free(ha);
		g_free(hb);
	}
	xlsx = g_strdup_printf("%s/pendaftaran.xlsx", dir);
	rows = tu_xlsx_sheet(xlsx, "Pendaftaran");
	assert_non_null(rows);
	assert_int_equal(rows->len, 4);
	for (guint c = 0; c < G_N_ELEMENTS(header); c++)
		assert_string_equal(tu_cell(rows, 0, c), header[c]);
	for (guint r = 1; r <= 3; r++) {
		const struct person *p = ps[r - 1];
		char *file = g_strdup_printf("surat/%s.pdf", p->nip);
		char no[4];

		g_snprintf(no, sizeof(no), "%u", r);
		assert_string_equal(tu_cell(rows, r, 0), no);
		assert_string_equal(tu_cell(rows, r, 1), p->name);
		assert_string_equal(tu_cell(rows, r, 2), p->nip);
		assert_string_equal(tu_cell(rows, r, 3), p->nik);
		assert_string_equal(tu_cell(rows, r, 5), p->jabatan);
		assert_string_equal(tu_cell(rows, r, 6), p->unit);
		assert_string_equal(tu_cell(rows, r, 7), "Universitas Pendidikan Ganesha");
		assert_string_equal(tu_cell(rows, r, 8), "Singaraja");
		assert_string_equal(tu_cell(rows, r, 9), "Bali");
		assert_string_equal(tu_cell(rows, r, 10), p->email);
		assert_string_equal(tu_cell(rows, r, 11), p->phone ? p->phone : "");
		assert_string_equal(tu_cell(rows, r, 12), "Tanda Tangan Elektronik");
		assert_string_equal(tu_cell(rows, r, 13), "INDIVIDU");
		assert_string_equal(tu_cell(rows, r, 14), file);
		g_free(file);
	}
	assert_string_equal(tu_cell(rows, 1, 4), "Penata Tingkat I / III/d");
	assert_string_equal(tu_cell(rows, 2, 4), "Pembina / IV/a");
	g_ptr_array_unref(rows);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants WHERE state='BUNDLED'"
				    " AND bundle='bsre-20261124-01.zip'"), 3);
	out = tu_sql(root, "SELECT applicants || '|' || file || '|' || sha256 FROM bundles");
	{
		char *h = file_sha256(zip);
		char *want = g_strdup_printf("3|outbox/bundles/bsre-20261124-01.zip|%s", h);

		assert_string_equal(out, want);
		g_free(h);
		g_free(want);
	}
	g_free(out);

	/* The report shows letter id, date and bundle; Ringkasan counts them. */
	{
		char *rep = tu_path(root, "outbox/reports/laporan-20261124.xlsx");
		GPtrArray *p = tu_xlsx_sheet(rep, "Pemohon"), *s = tu_xlsx_sheet(rep, "Ringkasan");
		int r = tu_find_row(p, tu_col(p, "NIP"), alice.nip);
		char *id = sql1(root, "SELECT letter_id FROM applicants WHERE nip='%s'", alice.nip);
		int lr = -1, br = -1;

		assert_true(r > 0 && tu_col(p, "ID Surat") > 0 && tu_col(p, "Bundel") > 0);
		assert_string_equal(tu_cell(p, (guint)r, (guint)tu_col(p, "ID Surat")), id);
		assert_string_equal(tu_cell(p, (guint)r, (guint)tu_col(p, "Bundel")),
				    "bsre-20261124-01.zip");
		/* a real date: the serial number of 24 November 2026 */
		assert_string_equal(tu_cell(p, (guint)r, (guint)tu_col(p, "Tanggal Surat")), "46350");
		lr = tu_find_row(s, 0, "Surat rekomendasi dibuat");
		br = tu_find_row(s, 0, "Bundel unggahan BSrE");
		assert_true(lr > 0 && br > 0);
		assert_string_equal(tu_cell(s, (guint)lr, 1), "3");
		assert_string_equal(tu_cell(s, (guint)br, 1), "1");
		g_ptr_array_unref(p);
		g_ptr_array_unref(s);
		g_free(rep);
		g_free(id);
	}

	/* Next applicant the same day: the next number, only the newcomer. */
	{
		struct person d = carlo;
		const struct person *pp[] = { &d };

		d.nik = "5108011609880004";
		d.nip = "198809162022211004";
		d.name = "Komang Dharma";
		d.email = "komang.dharma@undiksha.ac.id";
		drop_form(root, "c.csv", pp, 1);
	}
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "run", NULL), 0);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants WHERE"
				    " bundle='bsre-20261124-02.zip'"), 1);
	/* Nobody ready: no third bundle. */
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "run", NULL), 0);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM bundles"), 2);
	assert_int_equal(tu_sh(&out, "ls '%s/outbox/bundles'", root), 0);
	assert_string_equal(out, "bsre-20261124-01.zip\nbsre-20261124-02.zip\n");
	g_free(out);
	g_free(xlsx);
	g_free(zip);
	g_free(dir);
	tu_root_free(root);
}

/* require_signed_letters holds LETTER applicants back; a verified signed
 * letter (as the verify stage records it) goes in instead of the
 * generated one. */
static void test_require_signed(void **state)
{
	const struct person *ps[] = { &alice, &bella };
	char *root = tu_root_new("[bundle]\nrequire_signed_letters = true");
	char *signed_rel = g_strdup("var/signed/signed-alice.pdf");
	char *signed_abs = tu_path(root, signed_rel), *src, *sha, *q, *out = NULL, *h;

	(void)state;
	drop_form(root, "a.csv", ps, 2);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "run", NULL), 0);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM bundles"), 0);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants WHERE state='LETTER'"), 2);

	/* What the verify stage records for a signed copy of alice's letter:
	 * the original plus an incremental update. */
	src = letter_path(root, alice.nip);
	assert_int_equal(tu_sh(NULL, "cat '%s' > '%s' && printf '%%%%signed\\n' >> '%s'", src,
			       signed_abs, signed_abs), 0);
	sha = file_sha256(signed_abs);
	q = g_strdup_printf("UPDATE letters SET signed_file='%s', signed_sha256='%s',"
			    " signed_day='%s' WHERE id=(SELECT letter_id FROM applicants WHERE nip='%s');"
			    "UPDATE applicants SET state='SIGNED' WHERE nip='%s'",
			    signed_rel, sha, DAY, alice.nip, alice.nip);
	g_free(tu_sql(root, q));
	g_free(q);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "bundle", NULL), 0);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants WHERE state='BUNDLED'"), 1);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants WHERE state='LETTER'"), 1);
	assert_int_equal(tu_sh(&out, "cd '%s' && unzip -p outbox/bundles/bsre-20261124-01.zip"
			       " surat/%s.pdf | sha256sum | cut -c1-64", root, alice.nip), 0);
	g_strchomp(out);
	assert_string_equal(out, sha);
	g_free(out);
	h = g_strdup_printf("%s  surat/%s.pdf", sha, alice.nip);
	assert_int_equal(tu_sh(&out, "cd '%s' && unzip -p outbox/bundles/bsre-20261124-01.zip"
			       " MANIFEST.sha256", root), 0);
	assert_non_null(strstr(out, h));
	g_free(out);
	g_free(h);
	g_free(src);
	g_free(sha);
	g_free(signed_rel);
	g_free(signed_abs);
	tu_root_free(root);
}

/* A letter deleted from the outbox before bundling is made again (new
 * version) instead of bundling a missing file. */
static void test_missing_letter(void **state)
{
	const struct person *ps[] = { &alice, &bella };
	char *root = tu_root_new(NULL), *p;

	(void)state;
	drop_form(root, "a.csv", ps, 2);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "intake", NULL), 0);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "letters", NULL), 0);
	p = letter_path(root, alice.nip);
	assert_int_equal(g_unlink(p), 0);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "bundle", NULL), 0);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants WHERE state='VALID'"), 1);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "run", NULL), 0);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants WHERE state='BUNDLED'"), 2);
	assert_int_equal(tu_sql_int(root, "SELECT count(DISTINCT bundle) FROM applicants"), 2);
	assert_true(g_file_test(p, G_FILE_TEST_EXISTS));
	g_free(p);
	tu_root_free(root);
}

/* ---- the recommender ---------------------------------------------------------- */

static void test_no_recommender(void **state)
{
	const struct person *ps[] = { &alice };
	char *root = tu_root_new(NULL), *conf = tu_path(root, "tte.conf"), *err = NULL, *rep;

	(void)state;
	tu_write_str(conf, "[inbox]\nsettle_seconds = 0\n");
	drop_form(root, "a.csv", ps, 1);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "intake", NULL), 0);
	assert_int_equal(tu_tte(root, DAY, NULL, &err, "letters", NULL), 2);
	assert_non_null(strstr(err, "[pemberi_rekomendasi] nama, nip, nik di tte.conf belum diisi"));
	g_free(err);
	/* The night goes on: a warning, the report, the applicant waits. */
	assert_int_equal(tu_tte(root, DAY, NULL, &err, "run", NULL), 0);
	assert_non_null(strstr(err, "peringatan: surat rekomendasi tidak dibuat"));
	g_free(err);
	rep = tu_path(root, "outbox/reports/laporan-20261124.xlsx");
	assert_true(g_file_test(rep, G_FILE_TEST_EXISTS));
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants WHERE state='VALID'"), 1);
	tu_write_str(conf, "[inbox]\nsettle_seconds = 0\n[pemberi_rekomendasi]\nnama = X\n"
		     "nip = 1975\nnik = 5108010101750001\n");
	assert_int_equal(tu_tte(root, DAY, NULL, &err, "letters", NULL), 2);
	assert_non_null(strstr(err, "nip di tte.conf harus 18 digit"));
	g_free(err);
	g_free(rep);
	g_free(conf);
	tu_root_free(root);
}

/* ---- crashes ---------------------------------------------------------------------- */

static void snapshot_db(const char *root, const char *tag, bool restore)
{
	assert_int_equal(tu_sh(NULL, "cd '%s/var' && for f in tte.db tte.db-wal tte.db-shm; do "
			       "if %s; then rm -f $f; [ -e $f.%s ] && cp $f.%s $f; else "
			       "rm -f $f.%s; [ -e $f ] && cp $f $f.%s; fi; done; true", root,
			       restore ? "true" : "false", tag, tag, tag, tag), 0);
}

/* Killed after the files were renamed but before the transaction: the
 * database as it was, the files there. The next run makes the same letters
 * byte for byte, and removes an unrecorded bundle before building it again
 * under the same name. */
static void test_crash_windows(void **state)
{
	const struct person *ps[] = { &alice, &bella, &carlo };
	char *root = tu_root_new(NULL), *zip = tu_path(root, "outbox/bundles/bsre-20261124-01.zip");
	char *a1, *a2, *z1, *z2, *pdf;

	(void)state;
	drop_form(root, "a.csv", ps, 3);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "intake", NULL), 0);
	snapshot_db(root, "pre", false);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "letters", NULL), 0);
	pdf = letter_path(root, alice.nip);
	a1 = file_sha256(pdf);
	snapshot_db(root, "pre", true);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM letters"), 0);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "letters", NULL), 0);
	a2 = file_sha256(pdf);
	g_free(pdf);
	assert_string_equal(a1, a2);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM letters"), 3);

	snapshot_db(root, "mid", false);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "bundle", NULL), 0);
	z1 = file_sha256(zip);
	snapshot_db(root, "mid", true);
	assert_true(g_file_test(zip, G_FILE_TEST_EXISTS));
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM bundles"), 0);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "bundle", NULL), 0);
	z2 = file_sha256(zip);
	assert_string_equal(z1, z2);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants WHERE"
				    " bundle='bsre-20261124-01.zip' AND state='BUNDLED'"), 3);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM bundles"), 1);
	g_free(a1);
	g_free(a2);
	g_free(z1);
	g_free(z2);
	g_free(zip);
	tu_root_free(root);
}

static void new_group(gpointer data)
{
	(void)data;
	setpgid(0, 0);
}

/* Count of the files in DIR (not dot-files) ending in SUFFIX. */
static int count_files(const char *dir, const char *suffix)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;
	int c = 0;

	if (!d)
		return 0;
	while ((n = g_dir_read_name(d)))
		if (n[0] != '.' && g_str_has_suffix(n, suffix))
			c++;
	g_dir_close(d);
	return c;
}

/* Is there a file in DIR whose name starts with PREFIX? */
static bool has_prefix(const char *dir, const char *prefix)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;
	bool found = false;

	if (!d)
		return false;
	while (!found && (n = g_dir_read_name(d)))
		found = g_str_has_prefix(n, prefix);
	g_dir_close(d);
	return found;
}

/* `tte run` killed (SIGKILL, the whole process group) while it writes
 * letters, and again while it bundles; a clean run then completes: every
 * accepted applicant in exactly one bundle, the zips whole, no temporaries. */
static void test_sigkill(void **state)
{
	char *root = tu_root_new(NULL);
	char *letters = tu_path(root, "outbox/letters"), *bundles = tu_path(root, "outbox/bundles");
	char *bindir = g_path_get_dirname(tu_bin());
	char *gen = g_strdup_printf("mkdir -p '%s/inbox/forms' && '%s/tools/gen-forms' --rows 100"
				    " --invalid 5 > '%s/inbox/forms/g.csv'", root, bindir, root);
	char *out = NULL;
	long long valid;
	int killed = 0, killed_bundling = 0;

	(void)state;
	assert_int_equal(tu_sh(NULL, "%s", gen), 0);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "intake", NULL), 0);
	valid = tu_sql_int(root, "SELECT count(*) FROM applicants WHERE state='VALID'");
	assert_true(valid > 60);

	for (int round = 0; round < 2; round++) {
		char *argv[] = { (char *)tu_bin(), (char *)"--root", root, (char *)"--date",
				 (char *)DAY, (char *)"run", NULL };
		GPid pid;
		gint64 t0 = g_get_monotonic_time();
		int status;

		assert_true(g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
					  G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
					  new_group, NULL, &pid, NULL));
		/* Round 0: some letters written; round 1: while the bundle is
		 * being put together (or as late as we can catch it). */
		for (;;) {
			int n = count_files(letters, ".pdf");
			bool bundling = round == 1 && has_prefix(bundles, ".bsre-");

			if ((round == 0 && n >= 25) || bundling ||
			    g_get_monotonic_time() - t0 > 60 * G_USEC_PER_SEC)
				break;
			if (waitpid(pid, &status, WNOHANG) == pid)
				goto reaped;
			g_usleep(2000);
		}
		kill(-pid, SIGKILL);
		killed++;
		killed_bundling += round == 1;
		waitpid(pid, &status, 0);
reaped:
		g_spawn_close_pid(pid);
		/* Nothing half-made is visible: PDFs that exist are whole. */
		assert_int_equal(tu_sh(NULL, "cd '%s' && for f in *.pdf; do [ -e \"$f\" ] || continue;"
				       " pdfinfo \"$f\" >/dev/null 2>&1 || exit 1; done", letters), 0);
	}
	/* Catching the bundle half-written is a race the test may lose (the
	 * crash-window test covers the state after the rename for sure). */
	print_message("killed %d time(s), %d while bundling\n", killed, killed_bundling);
	assert_true(killed >= 1);

	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "run", NULL), 0);
	/* Everyone accepted is bundled, once. */
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants WHERE state='BUNDLED'"),
			 valid);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants WHERE state IN"
				    " ('VALID','LETTER','SIGNED')"), 0);
	assert_int_equal(tu_sql_int(root, "SELECT sum(applicants) FROM bundles"), valid);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM letters"), valid);
	assert_int_equal(count_files(letters, ".pdf"), (int)valid);
	/* No temporaries anywhere in outbox/ or var/tmp. */
	assert_int_equal(tu_sh(&out, "find '%s/outbox' '%s/var/tmp' -name '.*' | wc -l", root, root), 0);
	assert_int_equal(g_ascii_strtoll(out, NULL, 10), 0);
	g_free(out);
	/* The zips on disk are exactly the recorded ones, whole, and name every
	 * bundled applicant exactly once. */
	assert_int_equal(count_files(bundles, ".zip"),
			 (int)tu_sql_int(root, "SELECT count(*) FROM bundles"));
	assert_int_equal(tu_sh(&out, "cd '%s' && for z in *.zip; do unzip -tq \"$z\" >/dev/null || "
			       "exit 1; unzip -Z1 \"$z\" 'surat/*'; done | sort | uniq -d | wc -l",
			       bundles), 0);
	assert_int_equal(g_ascii_strtoll(out, NULL, 10), 0);
	g_free(out);
	assert_int_equal(tu_sh(&out, "cd '%s' && for z in *.zip; do unzip -Z1 \"$z\" 'surat/*';"
			       " done | wc -l", bundles), 0);
	assert_int_equal(g_ascii_strtoll(out, NULL, 10), valid);
	g_free(out);
	g_free(gen);
	g_free(bindir);
	g_free(letters);
	g_free(bundles);
	tu_root_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_letter_fields_and_qr),
		cmocka_unit_test(test_byte_identical),
		cmocka_unit_test(test_correction),
		cmocka_unit_test(test_skipped),
		cmocka_unit_test(test_bundle),
		cmocka_unit_test(test_require_signed),
		cmocka_unit_test(test_missing_letter),
		cmocka_unit_test(test_no_recommender),
		cmocka_unit_test(test_crash_windows),
		cmocka_unit_test(test_sigkill),
	};

	/* TEST_FILTER=test_sigkill runs one test while working on it. */
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
