/*
 * e2e_bundle - the bundle stage end to end, and crashes of letters and
 * bundle: unzip -t, sha256sum -c, pendaftaran.xlsx read back row by row,
 * SIGKILL in the middle of a nightly run.
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
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "bundle", NULL), 0);
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
 * accepted applicant in exactly one bundle, the zips whole, no temporaries.
 * The runs stop where the stages announce it (include/testhook.h): after
 * 15 letters, and with the bundle zip written but not yet renamed (its
 * second rename: the first is the pendaftaran.xlsx that goes inside). */
static void test_sigkill(void **state)
{
	char *root = tu_root_new(NULL);
	char *letters = tu_path(root, "outbox/letters"), *bundles = tu_path(root, "outbox/bundles");
	char *bindir = g_path_get_dirname(tu_bin());
	char *gen = g_strdup_printf("mkdir -p '%s/inbox/forms' && '%s/tools/gen-forms' --rows 60"
				    " --invalid 5 > '%s/inbox/forms/g.csv'", root, bindir, root);
	char *out = NULL;
	long long valid;

	(void)state;
	assert_int_equal(tu_sh(NULL, "%s", gen), 0);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "intake", NULL), 0);
	valid = tu_sql_int(root, "SELECT count(*) FROM applicants WHERE state='VALID'");
	assert_true(valid > 40);

	for (int round = 0; round < 2; round++) {
		pid_t stage, pid = tu_run_stop_at(root, DAY, round ? "bundle:rename:2"
						  : "letters:rename:16", &stage);
		int status;

		assert_true(stage > 0);
		if (round == 0) {
			assert_true(count_files(letters, ".pdf") >= 15);
		} else {
			/* the zip is whole under its temporary name */
			assert_true(has_prefix(bundles, ".bsre-"));
			assert_int_equal(count_files(bundles, ".zip"), 0);
		}
		status = tu_kill_run(pid, stage);
		assert_true(WIFSIGNALED(status));
		/* Nothing half-made is visible: PDFs that exist are whole. */
		assert_int_equal(tu_sh(NULL, "cd '%s' && for f in *.pdf; do [ -e \"$f\" ] || continue;"
				       " pdfinfo \"$f\" >/dev/null 2>&1 || exit 1; done", letters), 0);
	}
	/* the bundle never committed */
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM bundles"), 0);

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
		cmocka_unit_test(test_bundle),
		cmocka_unit_test(test_require_signed),
		cmocka_unit_test(test_missing_letter),
		cmocka_unit_test(test_crash_windows),
		cmocka_unit_test(test_sigkill),
	};

	/* TEST_FILTER=test_sigkill runs one test while working on it. */
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
