/*
 * e2e_purge - the purge on temporary roots: after ISSUE and the grace
 * days, form data leaves the store, the outbox and var/ (searched byte by
 * byte, zip and XLSX members unpacked, the database included); old
 * rejected rows and files go at the retention age.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "testutil.h"
#include "statusfix.h"

/* ---- the purge ------------------------------------------------------------------------- */

/*
 * Search every file under ROOT, zip and XLSX members unpacked (bundles
 * hold XLSX: twice), the database and its WAL included, for the digits of
 * the NIKs of P[0..N-1]. Fails naming the files that hold one.
 */
static void assert_niks_gone(const char *root, size_t n)
{
	GString *pat = g_string_new(NULL);
	char *out = NULL;
	int rc;

	for (size_t i = 0; i < n; i++)
		g_string_append_printf(pat, " -e %s", P[i].nik);
	rc = tu_sh(&out,
		   "set -u; t=$(mktemp -d); cp -a '%s' \"$t/root\";"
		   " for pass in 1 2 3; do"
		   "  find \"$t/root\" -type f ! -name '*.unpacked' | while read -r f; do"
		   "   if [ \"$(head -c 2 \"$f\")\" = PK ] && [ ! -d \"$f.d\" ]; then"
		   "    mkdir \"$f.d\" && unzip -qo \"$f\" -d \"$f.d\" || echo \"UNZIP FAILED $f\"; fi;"
		   "  done; done;"
		   " echo files: $(find \"$t/root\" -type f | wc -l);"
		   " grep -rlaF %s \"$t/root\"; rc=$?; rm -rf \"$t\"; exit $rc", root, pat->str);
	if (rc != 1)
		fail_msg("purged NIKs still found (grep exit %d):\n%s", rc, out);
	assert_null(strstr(out, "UNZIP FAILED"));
	g_free(out);
	g_string_free(pat, TRUE);
}

static void test_purge(void **state)
{
	/* The six people of the English export are letters and bundle -01
	 * that night; the Indonesian export, dropped later the same day, makes
	 * bundle -02. */
	char *root = setup_root("[purge]\ngrace_days = 7\nretention_days = 14", "2026-11-10",
				false);
	GString *csv = g_string_new("NIK,Email,Status Sertifikat,Status Pengguna\n");
	char *s, *out = NULL, *xlsx;
	GPtrArray *rows;

	(void)state;
	assert_true(exists(root, "outbox/bundles/bsre-20261110-01.zip"));
	drop_sample(root, "forms", "forms/form-responses-id-sheet.csv");
	run(root, "2026-11-10", "run");
	assert_true(exists(root, "outbox/bundles/bsre-20261110-02.zip"));
	assert_state(root, P[0].nip, "BUNDLED");
	for (size_t i = 0; i < G_N_ELEMENTS(P); i++)
		g_string_append_printf(csv, "%s,%s,ISSUE,VERIFIED\n", P[i].nik, P[i].email);
	drop_text(root, "status", "status-2026-11-12.csv", csv->str);
	run(root, "2026-11-12", "run");
	assert_state(root, P[3].nip, "ISSUE");

	/* Six days on: within the grace period, nothing goes. */
	run(root, "2026-11-18", "run");
	assert_int_equal(count(root, "SELECT count(*) FROM applicants WHERE nik IS NOT NULL"), 11);
	assert_true(exists(root, "outbox/letters/199705072025042101.pdf"));

	/* Seven days on: the data of the six is destroyed. */
	run(root, "2026-11-19", "run");
	assert_int_equal(count(root, "SELECT count(*) FROM applicants WHERE purged_day='2026-11-19'"
			       " AND nik IS NULL AND ktp IS NULL AND email='' AND phone IS NULL"
			       " AND data_hash IS NULL"), 6);
	assert_int_equal(count(root, "SELECT count(*) FROM applicants WHERE nik IS NOT NULL"), 5);
	assert_int_equal(count(root, "SELECT count(*) FROM submissions s JOIN applicants a ON"
			       " a.id=s.applicant_id WHERE a.purged_day IS NOT NULL"), 0);
	assert_int_equal(count(root, "SELECT count(*) FROM letters WHERE file IS NOT NULL AND"
			       " applicant_id IN (SELECT id FROM applicants WHERE purged_day IS NOT"
			       " NULL)"), 0);
	s = tu_sql(root, "SELECT name, nip, unit, state, issued_day FROM applicants"
		   " WHERE nip='199705072025042101'");
	assert_string_equal(s, "Ida Bagus Dewi Wibawa|199705072025042101|Fakultas Bahasa dan "
			    "Seni|ISSUE|2026-11-12");	/* what stays for audit */
	g_free(s);
	assert_false(exists(root, "outbox/letters/199705072025042101.pdf"));
	assert_true(exists(root, "outbox/letters/199110262014032110.pdf"));	/* not issued */
	assert_false(exists(root, "outbox/bundles/bsre-20261110-01.zip"));
	assert_true(exists(root, "outbox/bundles/bsre-20261110-02.zip"));
	assert_false(exists(root, "var/processed/forms/20261110/form-responses-en.csv"));
	assert_true(exists(root, "var/processed/forms/20261110/form-responses-id-sheet.csv"));
	assert_false(exists(root, "var/processed/status/20261112/status-2026-11-12.csv"));
	assert_int_equal(tu_sh(NULL, "grep -q 'purge: 6 applicant(s) purged' '%s'/var/log/run-*.log",
			       root), 0);
	assert_niks_gone(root, G_N_ELEMENTS(P));
	assert_int_equal(tu_sh(NULL, "test \"$(stat -c %%a '%s/var/nik.key')\" = 600", root), 0);

	/* Still known by the NIK's keyed hash; NIK shown as removed. */
	assert_int_equal(tu_tte(root, "2026-11-19", &out, NULL, "show", P[0].nik, NULL), 0);
	assert_non_null(strstr(out, "NIK           : dihapus"));
	assert_non_null(strstr(out, "Data pribadi dihapus pada 2026-11-19"));
	g_free(out);
	xlsx = tu_path(root, "outbox/reports/laporan-20261119.xlsx");
	rows = tu_xlsx_sheet(xlsx, "Pemohon");
	assert_string_equal(tu_cell(rows, (guint)tu_find_row(rows, tu_col(rows, "NIP"), P[0].nip),
				    (guint)tu_col(rows, "NIK")), "dihapus");
	g_ptr_array_unref(rows);
	g_free(xlsx);

	/* The old cumulative export dropped again: its bytes were read and
	 * purged, so this copy is deleted at once, never kept unrecorded. */
	drop_sample(root, "forms", "forms/form-responses-en.csv");
	run(root, "2026-11-20", "intake");
	assert_false(exists(root, "inbox/forms/form-responses-en.csv"));
	assert_int_equal(tu_count_files(root, "var/processed/forms/20261120"), 0);
	assert_niks_gone(root, G_N_ELEMENTS(P));

	/* A newer cumulative export still carries their rows: not stored again. */
	drop_sample(root, "forms", "forms/form-responses-en.csv");
	{
		char *a = tu_path(root, "inbox/forms/form-responses-en.csv");

		assert_int_equal(tu_sh(NULL, "printf '%%s\\n' '\"2026/11/21 9:00:00 AM GMT+8\","
				       "\"x@undiksha.ac.id\",\"\",\"5108054507900001\","
				       "\"199007052015042001\",\"Ni Made Baru\",\"x@undiksha.ac.id\","
				       "\"III/a\",\"Dosen\",\"https://drive.google.com/open?id=Y\","
				       "\"LPPM\"' >> '%s'", a), 0);
		g_free(a);
	}
	run(root, "2026-11-21", "run");
	assert_state(root, "199007052015042001", "BUNDLED");
	for (size_t i = 0; i < G_N_ELEMENTS(P); i++) {
		char *q = g_strdup_printf("SELECT count(*) FROM submissions WHERE nik='%s'", P[i].nik);

		assert_int_equal(count(root, q), 0);
		g_free(q);
	}
	assert_int_equal(count(root, "SELECT count(*) FROM applicants WHERE nik IS NOT NULL"), 6);
	g_string_free(csv, TRUE);
	tu_root_free(root);
}

/*
 * Identical re-drops of a form export and a status export on two nights
 * each, and copies an older tte left unrecorded under var/processed/:
 * tte keeps one copy of an input, the recorded one, so after the purge
 * night nothing under the root holds a purged NIK.
 */
static void test_redrops_purged(void **state)
{
	char *root = setup_root("[purge]\ngrace_days = 7\nretention_days = 60", "2026-11-10",
				false);
	GString *csv = g_string_new("NIK,Email,Status Sertifikat,Status Pengguna\n");
	char *src = tu_sample("forms/form-responses-en.csv"), *dir, *stray;

	(void)state;
	/* what an older tte left: a re-drop moved aside without a record */
	dir = tu_path(root, "var/processed/forms/20261109");
	g_mkdir_with_parents(dir, 0700);
	stray = g_build_filename(dir, "form-responses-en.csv", NULL);
	tu_copy(src, stray);
	g_free(stray);
	g_free(dir);
	/* the same export again, on the next night: read before, deleted now */
	drop_sample(root, "forms", "forms/form-responses-en.csv");
	run(root, "2026-11-11", "run");
	assert_false(exists(root, "inbox/forms/form-responses-en.csv"));
	assert_false(exists(root, "var/processed/forms/20261109/form-responses-en.csv"));
	assert_int_equal(tu_count_files(root, "var/processed/forms/20261111"), 0);
	assert_true(exists(root, "var/processed/forms/20261110/form-responses-en.csv"));
	assert_int_equal(count(root, "SELECT count(*) FROM inputs WHERE kind='forms'"), 1);

	for (size_t i = 0; i < G_N_ELEMENTS(P); i++)
		g_string_append_printf(csv, "%s,%s,ISSUE,VERIFIED\n", P[i].nik, P[i].email);
	drop_text(root, "status", "status-2026-11-12.csv", csv->str);
	run(root, "2026-11-12", "run");
	assert_state(root, P[0].nip, "ISSUE");
	/* the status export again, under another name, on two nights */
	drop_text(root, "status", "status-lagi.csv", csv->str);
	drop_sample(root, "forms", "forms/form-responses-en.csv");
	run(root, "2026-11-13", "run");
	drop_text(root, "status", "status-2026-11-12.csv", csv->str);
	run(root, "2026-11-14", "run");
	assert_int_equal(tu_count_files(root, "inbox/status"), 0);
	assert_int_equal(tu_count_files(root, "var/processed/status/20261113"), 0);
	assert_int_equal(tu_count_files(root, "var/processed/status/20261114"), 0);
	assert_int_equal(count(root, "SELECT count(*) FROM inputs WHERE kind='status'"), 1);

	/* The purge night: the six are purged, their files with them. */
	run(root, "2026-11-19", "run");
	assert_int_equal(count(root, "SELECT count(*) FROM applicants WHERE purged_day="
			       "'2026-11-19'"), 6);
	assert_int_equal(tu_count_files(root, "var/processed/status/20261112"), 0);

	/* Dropped after the purge: deleted at once, and a stray copy of a
	 * purged input is deleted by the next run's sweep. */
	dir = tu_path(root, "var/processed/status/20261115");
	g_mkdir_with_parents(dir, 0700);
	stray = g_build_filename(dir, "status-2026-11-12.csv", NULL);
	tu_write_str(stray, csv->str);
	g_free(stray);
	g_free(dir);
	drop_text(root, "status", "status-2026-11-12.csv", csv->str);
	run(root, "2026-11-20", "run");
	assert_int_equal(tu_count_files(root, "inbox/status"), 0);
	assert_int_equal(tu_count_files(root, "var/processed/status/20261115"), 0);
	assert_int_equal(tu_count_files(root, "var/processed/status/20261120"), 0);
	assert_niks_gone(root, G_N_ELEMENTS(P));
	g_string_free(csv, TRUE);
	g_free(src);
	tu_root_free(root);
}

/* Old rejected rows without a usable NIK, and old files, go at retention. */
static void test_retention(void **state)
{
	char *root = tu_root_new("[purge]\nretention_days = 14");

	(void)state;
	run(root, NULL, "init");
	drop_sample(root, "forms", "forms/form-responses-id-sheet.csv");
	run(root, "2026-11-10", "run");
	assert_int_equal(count(root, "SELECT count(*) FROM submissions WHERE applicant_id IS NULL"), 1);
	assert_true(exists(root, "outbox/notices/wa-20261110.txt"));
	run(root, "2026-11-23", "run");
	assert_int_equal(count(root, "SELECT count(*) FROM submissions WHERE applicant_id IS NULL"), 1);
	assert_true(exists(root, "var/processed/forms/20261110/form-responses-id-sheet.csv"));
	run(root, "2026-11-24", "run");
	assert_int_equal(count(root, "SELECT count(*) FROM submissions WHERE applicant_id IS NULL"), 0);
	assert_int_equal(count(root, "SELECT count(*) FROM problems WHERE submission_id NOT IN"
			       " (SELECT id FROM submissions)"), 0);
	assert_false(exists(root, "var/processed/forms/20261110/form-responses-id-sheet.csv"));
	assert_false(exists(root, "outbox/notices/wa-20261110.txt"));
	assert_false(exists(root, "outbox/reports/laporan-20261110.xlsx"));
	assert_true(exists(root, "outbox/reports/laporan-20261124.xlsx"));
	assert_int_equal(count(root, "SELECT count(*) FROM inputs WHERE deleted_day='2026-11-24'"
			       " AND stored IS NULL"), 1);
	tu_root_free(root);
}

/* Run logs in var/log go at the retention age, by the date in their name;
 * other files stay, and so does the log of the run doing the purge. */
static void test_log_retention(void **state)
{
	char *root = tu_root_new("[purge]\nretention_days = 14");
	static const char *const old[] = { "run-20261001-013000-111.log",
					   "intake-20261109-235959-222.log" };
	static const char *const keep[] = { "run-20261110-013000-333.log", "notes.txt",
					    "run-2026.log", "run-20261001-013000-444.txt" };
	char *out = NULL;

	(void)state;
	run(root, NULL, "init");
	for (size_t i = 0; i < 2; i++) {
		char *f = g_strdup_printf("%s/var/log/%s", root, old[i]);

		tu_write_str(f, "old\n");
		g_free(f);
	}
	for (size_t i = 0; i < 4; i++) {
		char *f = g_strdup_printf("%s/var/log/%s", root, keep[i]);

		tu_write_str(f, "keep\n");
		g_free(f);
	}
	/* 2026-11-23 less 14 days: logs of 2026-11-09 and before go. */
	run(root, "2026-11-23", "purge");
	for (size_t i = 0; i < 2; i++) {
		char *f = g_strdup_printf("var/log/%s", old[i]);

		assert_false(exists(root, f));
		g_free(f);
	}
	for (size_t i = 0; i < 4; i++) {
		char *f = g_strdup_printf("var/log/%s", keep[i]);

		assert_true(exists(root, f));
		g_free(f);
	}
	assert_int_equal(tu_sh(&out, "grep -h 'purge:' '%s'/var/log/purge-*.log", root), 0);
	assert_non_null(strstr(out, ", 2 old run log(s)"));
	g_free(out);
	/* A date far ahead makes every log old, the run's own log included:
	 * that one stays and holds the purge's line. */
	run(root, "2027-06-30", "run");
	assert_int_equal(tu_sh(&out, "ls '%s'/var/log", root), 0);
	assert_null(strstr(out, "run-20261110"));
	assert_int_equal(tu_sh(NULL, "grep -l 'purge:.*old run log' '%s'/var/log/run-*.log", root),
			 0);
	g_free(out);
	tu_root_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_purge),
		cmocka_unit_test(test_retention),
		cmocka_unit_test(test_log_retention),
		cmocka_unit_test(test_redrops_purged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
