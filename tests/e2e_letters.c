/*
 * e2e_letters - the letters stage end to end: drop form exports, run the
 * built binary, read the letters back with pdftotext and pdftoppm +
 * zbarimg, and the store with sqlite3.
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
#include "letters_fixture.h"

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
		char *fsha = file_sha256(pdf), *qr = qr_of(pdf), *url, *flat;

		assert_true(id_shaped(id));
		assert_string_equal(sha, fsha);
		url = g_strconcat(BASE_URL, id, NULL);
		assert_string_equal(qr, url);

		assert_non_null(strstr(text, "SURAT REKOMENDASI PERMOHONAN PENERBITAN SERTIFIKAT "
					     "ELEKTRONIK"));
		assert_non_null(strstr(text, "UNIVERSITAS PENDIDIKAN GANESHA"));
		/* BSSN's template: its sentences and numbered fields, in order */
		assert_non_null(strstr(text, "Saya yang bertanda tangan di bawah ini :"));
		/* the recommender */
		assert_field(text, "1. Nama Lengkap", "Made Contoh Rekomendasi");
		assert_field(text, "2. NIP", "197501012000031001");
		assert_field(text, "3. NIK", "5108010101750001");
		assert_field(text, "4. Pangkat/Golongan", "Pembina / IV/a");
		assert_field(text, "5. Jabatan", "Kepala UPT Teknologi Informasi dan Komunikasi");
		assert_field(text, "6. Instansi", "Universitas Pendidikan Ganesha");
		assert_field(text, "7. Unit Kerja", "UPT Teknologi Informasi dan Komunikasi");
		assert_field(text, "8. Alamat Email", "kepala.tik@undiksha.ac.id");
		assert_non_null(strstr(text, "Dengan ini memberikan rekomendasi kepada :"));
		/* the applicant */
		assert_field(text, "1. Nama Lengkap", p->name);
		assert_field(text, "2. NIP", p->nip);
		assert_field(text, "3. NIK", p->nik);
		assert_field(text, "5. Jabatan", p->jabatan);
		assert_field(text, "6. Unit Kerja", p->unit);
		assert_field(text, "7. Instansi", "Universitas Pendidikan Ganesha");
		assert_field(text, "Kota", "Singaraja");
		assert_field(text, "Provinsi", "Bali");
		assert_field(text, "8. Alamat Email", p->email);
		assert_field(text, "9. No. Telepon", p->phone ? p->phone : "\xe2\x80\x93");
		flat = g_strdelimit(g_strdup(plain), "\n", ' ');
		assert_non_null(strstr(flat, "Untuk melakukan pendaftaran sertifikat elektronik "
					     "sekaligus menjadi pemegang sertifikat elektronik yang "
					     "digunakan pada:"));
		g_free(flat);
		assert_field(text, "a. Sistem", "Aplikasi persuratan dan layanan elektronik Universitas");
		assert_field(text, "b. Kegunaan", "Penandatanganan dokumen elektronik kedinasan");
		assert_non_null(strstr(text, "Demikian surat rekomendasi ini saya buat, agar dapat "
					     "digunakan sebagaimana mestinya."));
		/* the signature block */
		assert_field(text, "Ditanda tangan di", "Singaraja");
		assert_field(text, "Tanggal", "24 November 2026");
		assert_non_null(strstr(text, "Hormat saya,"));
		assert_non_null(strstr(text, "NIP. 197501012000031001"));
		/* the SOP's three-line Catatan */
		assert_non_null(strstr(plain, "Catatan:\n1. UU ITE No. 11 Tahun 2008 Pasal 5 ayat 1"));
		assert_non_null(strstr(plain, "\n2. Dokumen ini ditandatangani secara elektronik "
					      "menggunakan sertifikat elektronik yang diterbitkan"));
		assert_non_null(strstr(plain, "\n3. Surat ini dapat dibuktikan keasliannya dengan "
					      "menggunakan qr code"));
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

		assert_field(ta, "4. Pangkat/Golongan", "Penata Tingkat I / III/d");
		assert_field(tc, "4. Pangkat/Golongan", "Golongan IX (PPPK)");
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

/* Every database step of the letters stage fails it when it fails: exit 1,
 * and the store either as it was or with the whole batch committed (a
 * letter, its history row and the applicant's LETTER state together),
 * never a part of one. Each step is tried on a fresh copy of the root. */
static void test_db_fault(void **state)
{
	const struct person *ps[] = { &alice };
	char *root = tu_root_new(NULL), *copy = g_strconcat(root, ".orig", NULL);
	char *err = NULL, *v;
	int n, rc;

	(void)state;
	drop_form(root, "a.csv", ps, 1);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "intake", NULL), 0);
	assert_int_equal(tu_sh(NULL, "cp -a '%s' '%s'", root, copy), 0);
	for (n = 1;; n++) {
		char env[32];

		assert_int_equal(tu_sh(NULL, "rm -rf '%s' && cp -a '%s' '%s'", root, copy, root), 0);
		g_snprintf(env, sizeof(env), "step:%d", n);
		g_setenv("TTE_TEST_FAULT", env, TRUE);
		rc = tu_tte(root, DAY, NULL, &err, "letters", NULL);
		g_unsetenv("TTE_TEST_FAULT");
		if (rc == 0)
			break;
		assert_int_equal(rc, 1);
		assert_non_null(strstr(err, "TTE_TEST_FAULT"));
		v = tu_sql(root, "SELECT state || '|' || (SELECT count(*) FROM letters) || '|' ||"
			   " (SELECT count(*) FROM history) FROM applicants");
		if (strcmp(v, "VALID|0|1") && strcmp(v, "LETTER|1|2"))
			fail_msg("step %d left a part of a batch: %s", n, v);
		g_free(v);
		g_free(err);
		err = NULL;
		assert_true(n < 200);
	}
	assert_null(strstr(err, "TTE_TEST_FAULT"));
	assert_true(n > 8);
	v = tu_sql(root, "SELECT state || '|' || (SELECT count(*) FROM letters) FROM applicants");
	assert_string_equal(v, "LETTER|1");
	g_free(v);
	g_free(err);
	tu_root_free(copy);
	tu_root_free(root);
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
	assert_field(t, "5. Jabatan", "Lektor");
	assert_field(t, "Tanggal", "25 November 2026");
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_letter_fields_and_qr),
		cmocka_unit_test(test_byte_identical),
		cmocka_unit_test(test_db_fault),
		cmocka_unit_test(test_correction),
		cmocka_unit_test(test_skipped),
		cmocka_unit_test(test_no_recommender),
	};

	/* TEST_FILTER=test_correction runs one test while working on it. */
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
