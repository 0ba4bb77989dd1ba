/*
 * e2e_intake - the built binary on temporary roots: drop Google Form
 * exports into inbox/forms/, run `tte`, read back the workbook (unzip +
 * XML), the database (sqlite3) and the folders.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>

#include "store.h"
#include "testutil.h"

#define DAY "2026-11-24"

/* What schema 5 added, taken away: a database as schema 4 left it. */
#define DROP_SCHEMA_5 \
	"DROP INDEX submissions_raw_key; DROP INDEX applicants_waiver;" \
	" ALTER TABLE submissions DROP COLUMN raw_key;" \
	" DROP INDEX submissions_orphan_email; DROP INDEX submissions_orphan_form_email;" \
	" DROP INDEX submissions_orphan_nip;" \
	" CREATE INDEX submissions_orphan_email ON submissions(email) WHERE applicant_id IS NULL;" \
	" CREATE INDEX submissions_orphan_form_email ON submissions(form_email)" \
	"  WHERE applicant_id IS NULL;" \
	" CREATE INDEX submissions_orphan_nip ON submissions(nip) WHERE applicant_id IS NULL;"

static const char *const HEADER_EN =
	"\"Timestamp\",\"Email Address\",\"Password\",\"NIK\",\"NIP\",\"Nama (Tanpa Gelar)\","
	"\"Email Undiksha\",\"Golongan\",\"Jabatan\",\"Foto KTP\",\"Unit Kerja\"\n";

/* One English-export row: the form e-mail is the Undiksha e-mail. */
static char *row(const char *ts, const char *nik, const char *nip, const char *name,
		 const char *email, const char *gol)
{
	return g_strdup_printf("\"%s\",\"%s\",\"rahasia-123\",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\","
			       "\"Dosen\",\"https://drive.google.com/open?id=KTP%s\",\"Fakultas Teknik\"\n",
			       ts, email, nik, nip, name, email, gol, nik);
}

static void drop(const char *root, const char *name, const char *content)
{
	char *rel = g_build_filename("inbox", "forms", name, NULL);
	char *p = tu_path(root, rel);

	tu_write_str(p, content);
	g_free(rel);
	g_free(p);
}

/* Drop HEADER_EN + rows (NULL-terminated, each freed). */
static void drop_rows(const char *root, const char *name, ...)
{
	GString *s = g_string_new(HEADER_EN);
	va_list ap;

	va_start(ap, name);
	for (char *r = va_arg(ap, char *); r; r = va_arg(ap, char *)) {
		g_string_append(s, r);
		g_free(r);
	}
	va_end(ap);
	drop(root, name, s->str);
	g_string_free(s, TRUE);
}

static void drop_sample(const char *root, const char *name)
{
	char *src = tu_sample(name);
	char *base = g_path_get_basename(name);
	char *rel = g_build_filename("inbox", "forms", base, NULL);
	char *dst = tu_path(root, rel);

	tu_copy(src, dst);
	g_free(src);
	g_free(base);
	g_free(rel);
	g_free(dst);
}

/* The two stages this suite is about: intake, then the report. Tests of intake's
 * rules run these two so that later stages (letters, bundles) do not move
 * applicants on; `tte run` itself is tested in test_samples and below. */
static void run_ok(const char *root, const char *date)
{
	char *err = NULL;
	int rc = tu_tte(root, date, NULL, &err, "intake", NULL);

	if (rc)
		fail_msg("tte intake exited %d: %s", rc, err);
	g_free(err);
	rc = tu_tte(root, date, NULL, &err, "report", NULL);
	if (rc)
		fail_msg("tte report exited %d: %s", rc, err);
	g_free(err);
}

static void run_all_ok(const char *root, const char *date)
{
	char *err = NULL;
	int rc = tu_tte(root, date, NULL, &err, "run", NULL);

	if (rc)
		fail_msg("tte run exited %d: %s", rc, err);
	g_free(err);
}

static GPtrArray *sheet(const char *root, const char *compact_day, const char *name)
{
	char *rel = g_strdup_printf("outbox/reports/laporan-%s.xlsx", compact_day);
	char *p = tu_path(root, rel);
	GPtrArray *rows = tu_xlsx_sheet(p, name);

	if (!rows)
		fail_msg("no sheet %s in %s", name, p);
	g_free(rel);
	g_free(p);
	return rows;
}

static char *state_of(const char *root, const char *nip)
{
	char *q = g_strdup_printf("SELECT state FROM applicants WHERE nip='%s'", nip);
	char *s = tu_sql(root, q);

	g_free(q);
	return s;
}

static void assert_state(const char *root, const char *nip, const char *want)
{
	char *s = state_of(root, nip);

	if (strcmp(s, want))
		fail_msg("NIP %s: state %s, expected %s", nip, s, want);
	g_free(s);
}

/* ---- the samples ---------------------------------------------------------- */

static void test_samples(void **state)
{
	char *root = tu_root_new(NULL);
	GPtrArray *p, *d;
	int st, nik, r;

	(void)state;
	assert_int_equal(tu_tte(root, NULL, NULL, NULL, "init", NULL), 0);
	drop_sample(root, "forms/form-responses-en.csv");
	drop_sample(root, "forms/form-responses-id-sheet.csv");
	run_all_ok(root, DAY);
	p = sheet(root, "20261124", "Pemohon");
	assert_int_equal(p->len, 1 + 11);	/* header + one row per NIK */
	st = tu_col(p, "Status");
	nik = tu_col(p, "NIK");
	assert_true(st >= 0 && nik >= 0);
	for (const char *const *h = (const char *const[]){ "NIP", "Nama", "Email", "Unit Kerja",
							   "Golongan", "Jabatan", NULL }; *h; h++)
		assert_true(tu_col(p, *h) >= 0);
	r = tu_find_row(p, tu_col(p, "NIP"), "199705072025042101");
	assert_true(r > 0);
	/* accepted, and the same night given a letter and bundled */
	assert_string_equal(tu_cell(p, (guint)r, (guint)st), "BUNDLED");
	assert_string_equal(tu_cell(p, (guint)r, (guint)nik), "5107**********01");
	assert_string_equal(tu_cell(p, (guint)r, (guint)tu_col(p, "Golongan")), "III/d");
	r = tu_find_row(p, tu_col(p, "NIP"), "198303072007051105");	/* "IIId" */
	assert_string_equal(tu_cell(p, (guint)r, (guint)tu_col(p, "Golongan")), "III/d");
	r = tu_find_row(p, tu_col(p, "NIP"), "199611242019082108");
	assert_string_equal(tu_cell(p, (guint)r, (guint)st), "REJECTED");

	d = sheet(root, "20261124", "Ditolak");
	for (const char *const *h = (const char *const[]){ "Berkas", "Baris", "NIP", "Nama",
							   "Email", "Kolom", "Alasan", NULL }; *h; h++)
		assert_true(tu_col(d, *h) >= 0);
	assert_int_equal(d->len, 1 + 4);
	r = tu_find_row(d, tu_col(d, "Kolom"), "NIK");
	assert_true(r > 0);
	assert_string_equal(tu_cell(d, (guint)r, (guint)tu_col(d, "Alasan")),
			    "NIK harus 16 digit, terisi 15 digit");
	assert_string_equal(tu_cell(d, (guint)r, (guint)tu_col(d, "Berkas")),
			    "form-responses-id-sheet.csv");
	assert_string_equal(tu_cell(d, (guint)r, (guint)tu_col(d, "Baris")), "2");
	r = tu_find_row(d, tu_col(d, "NIP"), "199611242019082108");
	assert_string_equal(tu_cell(d, (guint)r, (guint)tu_col(d, "Kolom")), "Email Undiksha");

	/* inputs left the inbox for var/processed/ */
	assert_int_equal(tu_count_files(root, "inbox/forms"), 0);
	assert_int_equal(tu_count_files(root, "var/processed/forms/20261124"), 2);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM inputs"), 2);
	/* the Password column is never stored or written */
	{
		char *db = tu_path(root, "var/tte.db");
		char *out = tu_path(root, "outbox");

		assert_false(tu_file_contains(db, "contoh-sandi"));
		assert_false(tu_file_contains(out, "contoh-sandi"));
		g_free(db);
		g_free(out);
	}
	g_ptr_array_unref(p);
	g_ptr_array_unref(d);
	tu_root_free(root);
}

/* ---- idempotency ------------------------------------------------------------ */

static void test_redrop_and_cumulative(void **state)
{
	char *root = tu_root_new(NULL);
	char *a = tu_path(root, "inbox/forms/jawaban-1.csv");
	char *b = tu_path(root, "inbox/forms/jawaban-2.csv");
	char *before, *after;
	GPtrArray *p;

	(void)state;
	tu_gen_forms(a, "--rows 40 --seed 3");
	run_ok(root, DAY);
	before = tu_sql(root, "SELECT count(*), sum(state='VALID') FROM applicants");

	/* the same export again under another name: nothing new */
	tu_gen_forms(b, "--rows 40 --seed 3");
	run_ok(root, DAY);
	after = tu_sql(root, "SELECT count(*), sum(state='VALID') FROM applicants");
	assert_string_equal(before, after);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM submissions"), 40);
	assert_int_equal(tu_count_files(root, "inbox/forms"), 0);

	/* a cumulative export: the 40 rows again plus 25 new ones */
	tu_gen_forms(a, "--rows 65 --seed 3");
	run_ok(root, DAY);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM submissions"), 65);
	assert_int_equal(tu_sql_int(root, "SELECT new_rows FROM inputs ORDER BY id DESC LIMIT 1"), 25);
	/* one row per NIK, no second row for anybody */
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM (SELECT nik FROM applicants"
				    " GROUP BY nik HAVING count(*) > 1)"), 0);
	p = sheet(root, "20261124", "Pemohon");
	assert_int_equal((long long)p->len - 1, tu_sql_int(root, "SELECT count(*) FROM applicants"));
	g_ptr_array_unref(p);
	g_free(before);
	g_free(after);
	g_free(a);
	g_free(b);
	tu_root_free(root);
}

/* The one-value answer of SQL on ROOT's database is WANT. */
static void sql_is(const char *root, const char *sql, const char *want)
{
	char *h = tu_sql(root, sql);

	assert_string_equal(h, want);
	g_free(h);
}

/*
 * A cumulative export's known rows are recognised from their cells alone:
 * every stored submission keeps its raw key, a repeated row is counted as
 * a duplicate without being validated again (so a setting that would read
 * its timestamp otherwise does not make it new), and a row whose cells
 * changed (a corrected response) is a new submission.
 */
static void test_known_rows(void **state)
{
	char *root = tu_root_new(NULL);
	char *conf = tu_path(root, "tte.conf"), *h;

	(void)state;
	drop_rows(root, "a.csv",
		  row("2026/11/10 1:00:00 PM GMT+8", "5108050101900001", "199001012015031001",
		      "I Made Contoh", "made.contoh@undiksha.ac.id", "III/b"),
		  row("2026/11/10 2:00:00 PM GMT+8", "5108054505880002", "198805052012122001",
		      "Ni Luh Contoh", "luh.contoh@undiksha.ac.id", "III/a"),
		  row("2026/11/10 3:00:00 PM GMT+8", "51080501019000", "198703032010121001",
		      "I Nyoman Yatim", "nyoman@undiksha.ac.id", "III/c"), NULL);
	run_ok(root, DAY);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM submissions"
				    " WHERE length(raw_key) = 16"), 3);
	/* the first load built the indexes it deferred, each as defined */
	sql_is(root, "SELECT group_concat(sql, '; ') FROM (SELECT sql FROM sqlite_schema"
	       " WHERE name IN ('submissions_raw_key', 'submissions_applicant', 'history_applicant',"
	       " 'problems_submission') ORDER BY name)",
	       "CREATE INDEX history_applicant ON history(applicant_id); "
	       "CREATE INDEX problems_submission ON problems(submission_id); "
	       "CREATE INDEX submissions_applicant ON submissions(applicant_id); "
	       "CREATE INDEX submissions_raw_key ON submissions(raw_key) WHERE raw_key IS NOT NULL");
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM submissions INDEXED BY"
				    " submissions_raw_key WHERE raw_key IS NOT NULL"), 3);

	/* Another time zone would read the timestamps otherwise: the full
	 * path would take the known rows for new ones. */
	tu_write_str(conf, "[inbox]\nsettle_seconds = 0\n[tte]\ntimezone = Asia/Jakarta\n");
	drop_rows(root, "b.csv",
		  row("2026/11/10 1:00:00 PM GMT+8", "5108050101900001", "199001012015031001",
		      "I Made Contoh", "made.contoh@undiksha.ac.id", "III/b"),
		  /* corrected in place: same timestamp, another golongan */
		  row("2026/11/10 2:00:00 PM GMT+8", "5108054505880002", "198805052012122001",
		      "Ni Luh Contoh", "luh.contoh@undiksha.ac.id", "III/b"),
		  row("2026/11/10 3:00:00 PM GMT+8", "51080501019000", "198703032010121001",
		      "I Nyoman Yatim", "nyoman@undiksha.ac.id", "III/c"),
		  row("2026/11/11 9:00:00 AM GMT+8", "5108051212850003", "198512122010121002",
		      "Putu Baru", "putu.baru@undiksha.ac.id", "IV/a"), NULL);
	run_ok(root, DAY);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM submissions"), 5);
	h = tu_sql(root, "SELECT rows || '|' || new_rows FROM inputs ORDER BY id DESC LIMIT 1");
	assert_string_equal(h, "4|2");
	g_free(h);
	h = tu_sql(root, "SELECT golongan FROM applicants WHERE nip='198805052012122001'");
	assert_string_equal(h, "III/b");
	g_free(h);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants"), 3);
	g_free(conf);
	tu_root_free(root);
}

/* A schema-4 database has no raw keys: its rows are recognised the old way
 * (by their row key, after validation) and get their raw key then, so the
 * next export skips them early; nothing is lost or stored twice. */
static void test_migrate_v4_raw_keys(void **state)
{
	char *root = tu_root_new(NULL);
	char *a = tu_path(root, "inbox/forms/jawaban.csv");

	(void)state;
	tu_gen_forms(a, "--rows 40 --seed 5");
	run_ok(root, DAY);
	g_free(tu_sql(root, DROP_SCHEMA_5 " PRAGMA user_version=4"));
	tu_gen_forms(a, "--rows 50 --seed 5");
	run_ok(root, DAY);
	assert_int_equal(tu_sql_int(root, "PRAGMA user_version"), STORE_VERSION);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM submissions"), 50);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM submissions WHERE raw_key IS NULL"), 0);
	/* the next cumulative export: the 50 are known, 10 new */
	tu_gen_forms(a, "--rows 60 --seed 5");
	run_ok(root, DAY);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM submissions"), 60);
	assert_int_equal(tu_sql_int(root, "SELECT new_rows FROM inputs ORDER BY id DESC LIMIT 1"), 10);
	/* too many known rows to hold (a cap of 5 here): the index answers, the same */
	tu_gen_forms(a, "--rows 70 --seed 5");
	g_setenv("TTE_TEST_KNOWN_CAP", "5", TRUE);
	run_ok(root, DAY);
	g_unsetenv("TTE_TEST_KNOWN_CAP");
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM submissions"), 70);
	assert_int_equal(tu_sql_int(root, "SELECT new_rows FROM inputs ORDER BY id DESC LIMIT 1"), 10);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM submissions WHERE raw_key IS NULL"), 0);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM (SELECT nik FROM applicants"
				    " GROUP BY nik HAVING count(*) > 1)"), 0);
	g_free(a);
	tu_root_free(root);
}

/* Rows of A (each a GPtrArray of cells) with C in any cell of the row. */
static bool any_row_has(GPtrArray *a, const char *c)
{
	for (guint i = 0; i < a->len; i++) {
		GPtrArray *row = g_ptr_array_index(a, i);

		for (guint j = 0; j < row->len; j++)
			if (strstr(g_ptr_array_index(row, j), c))
				return true;
	}
	return false;
}

/* A table longer than a worksheet holds (Excel's limit, made 10 rows by
 * the test hook) continues on "Pemohon (2)", ... with every row kept once,
 * in order, and Ringkasan says so. */
static void test_sheet_row_limit(void **state)
{
	char *root = tu_root_new(NULL);
	char *a = tu_path(root, "inbox/forms/jawaban.csv");
	long long apps, hist, seen = 0;
	GPtrArray *p;

	(void)state;
	tu_gen_forms(a, "--rows 25 --seed 4");
	g_setenv("TTE_TEST_SHEET_ROWS", "10", TRUE);
	run_ok(root, DAY);
	g_unsetenv("TTE_TEST_SHEET_ROWS");
	apps = tu_sql_int(root, "SELECT count(*) FROM applicants");
	hist = tu_sql_int(root, "SELECT count(*) FROM history");
	assert_true(apps > 20 && apps <= 30);
	for (long long part = 1; part <= 3; part++) {
		char *name = part == 1 ? g_strdup("Pemohon") : g_strdup_printf("Pemohon (%lld)", part);

		p = sheet(root, "20261124", name);
		assert_string_equal(tu_cell(p, 0, 0), "No");
		assert_true(p->len - 1 <= 10);
		for (guint i = 1; i < p->len; i++)
			assert_int_equal(g_ascii_strtoll(tu_cell(p, i, 0), NULL, 10), ++seen);
		g_ptr_array_unref(p);
		g_free(name);
	}
	assert_int_equal(seen, apps);
	p = sheet(root, "20261124", "Riwayat (3)");
	g_ptr_array_unref(p);
	p = sheet(root, "20261124", "Ringkasan");
	assert_true(any_row_has(p, "Lembar Pemohon berlanjut"));
	assert_true(any_row_has(p, "lanjutannya di lembar Pemohon (2) sampai Pemohon (3)"));
	assert_true(any_row_has(p, "Lembar Riwayat berlanjut"));
	assert_false(any_row_has(p, "Lembar Verifikasi"));
	g_ptr_array_unref(p);
	assert_true(hist > 20);

	/* the real limit: one sheet each */
	run_ok(root, DAY);
	p = sheet(root, "20261124", "Ringkasan");
	assert_false(any_row_has(p, "berlanjut"));
	g_ptr_array_unref(p);
	g_free(a);
	tu_root_free(root);
}

/* ---- the latest submission wins ---------------------------------------------------- */

static void test_latest_wins(void **state)
{
	char *root = tu_root_new(NULL);
	GPtrArray *d;
	char *h;

	(void)state;
	/* first a wrong domain, then corrected */
	drop_rows(root, "a.csv",
		  row("2026/11/10 1:00:00 PM GMT+8", "5108050101900001", "199001012015031001",
		      "I Made Contoh", "made.contoh@gmail.com", "III/b"), NULL);
	run_ok(root, DAY);
	assert_state(root, "199001012015031001", "REJECTED");
	drop_rows(root, "b.csv",
		  row("2026/11/12 9:00:00 AM GMT+8", "5108050101900001", "199001012015031001",
		      "I Made Contoh", "made.contoh@undiksha.ac.id", "III/b"), NULL);
	run_ok(root, DAY);
	assert_state(root, "199001012015031001", "VALID");
	h = tu_sql(root, "SELECT group_concat(coalesce(from_state,'-') || '>' || to_state, ' ')"
		   " FROM history");
	assert_string_equal(h, "->REJECTED REJECTED>VALID");
	g_free(h);
	d = sheet(root, "20261124", "Ditolak");
	assert_int_equal(d->len, 1);	/* the rejection is superseded */
	g_ptr_array_unref(d);

	/* an older row read late does not replace the newer one */
	drop_rows(root, "c.csv",
		  row("2026/11/11 9:00:00 AM GMT+8", "5108050101900001", "199001012015031001",
		      "I Made Contoh Lama", "made.contoh@undiksha.ac.id", "III/a"), NULL);
	run_ok(root, DAY);
	assert_state(root, "199001012015031001", "VALID");
	h = tu_sql(root, "SELECT name || '|' || golongan FROM applicants");
	assert_string_equal(h, "I Made Contoh|III/b");
	g_free(h);

	/* a newer correction of valid data replaces it, still VALID */
	drop_rows(root, "d.csv",
		  row("2026/11/13 9:00:00 AM GMT+8", "5108050101900001", "199001012015031001",
		      "I Made Contoh", "made.contoh@undiksha.ac.id", "III/c"), NULL);
	run_ok(root, DAY);
	h = tu_sql(root, "SELECT golongan || '|' || state FROM applicants");
	assert_string_equal(h, "III/c|VALID");
	g_free(h);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM submissions WHERE superseded=0"), 1);
	tu_root_free(root);
}

/* What schema 4 added: the letters' page columns (for going back to an
 * older schema). */
#define DROP_SCHEMA_4 \
	" ALTER TABLE letters DROP COLUMN page_instansi;" \
	" ALTER TABLE letters DROP COLUMN page_rec_name;" \
	" ALTER TABLE letters DROP COLUMN page_rec_position;" \
	" ALTER TABLE letters DROP COLUMN page_name;" \
	" ALTER TABLE letters DROP COLUMN page_unit;" \
	" ALTER TABLE letters DROP COLUMN page_nip;"

/* applicants' SQL without its state CHECK (the first ')' after it closes it:
 * the CHECK compares with each state in turn). */
#define STRIP_CHECK \
	"substr(sql, 1, instr(sql, ' CHECK(') - 1)" \
	" || substr(sql, instr(sql, ' CHECK(') + instr(substr(sql, instr(sql, ' CHECK(')), ')'))"

/* A database of schema 5 (the state CHECK as an IN list) is rebuilt with the
 * CHECK as equalities: every row, the applicants indexes (the waiver's too)
 * and the refusal of an unknown state kept. */
static void test_migrate_v5_check(void **state)
{
	char *root = tu_root_new(NULL);
	char *db = tu_path(root, "var/tte.db");

	(void)state;
	drop_rows(root, "a.csv", row("2026/11/10 2:00:00 PM GMT+8", "5108054505880002",
				     "19880505201212200", "Ni Luh Contoh",
				     "luh.contoh@undiksha.ac.id", "III/a"), NULL);
	run_ok(root, DAY);
	g_free(tu_sql(root, "PRAGMA writable_schema=ON;"
		      " UPDATE sqlite_schema SET sql=replace(" STRIP_CHECK ", 'state TEXT NOT NULL',"
		      " 'state TEXT NOT NULL CHECK(state IN (''REJECTED'',''VALID''))')"
		      " WHERE name='applicants';"
		      " PRAGMA writable_schema=OFF; PRAGMA user_version=5;"));
	sql_is(root, "SELECT sql LIKE '%CHECK(state IN (''REJECTED'',''VALID''))%'"
	       " FROM sqlite_schema WHERE name='applicants'", "1");
	run_ok(root, DAY);
	assert_int_equal(tu_sql_int(root, "PRAGMA user_version"), STORE_VERSION);
	sql_is(root, "SELECT (sql LIKE '%CHECK(state=''REJECTED'' OR state=''VALID'' OR %')"
	       " || (sql NOT LIKE '% IN (%') FROM sqlite_schema WHERE name='applicants'", "11");
	sql_is(root, "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema"
	       " WHERE type='index' AND tbl_name='applicants' AND sql IS NOT NULL ORDER BY name)",
	       "applicants_email applicants_nip applicants_waiver");
	sql_is(root, "SELECT group_concat(nip || ':' || state, ' ') FROM applicants",
	       "19880505201212200:REJECTED");
	/* an unknown state still cannot be written; a known one can */
	assert_int_not_equal(tu_sh(NULL, "sqlite3 '%s' \"UPDATE applicants SET state='BOGUS'\""
				   " 2>/dev/null", db), 0);
	assert_int_equal(tu_sh(NULL, "sqlite3 '%s' \"UPDATE applicants SET state='LETTER'"
			       " WHERE id=1\"", db), 0);
	g_free(db);
	tu_root_free(root);
}

/* A database of schema 1 (NIK keys of 64 hex digits) is migrated when a
 * run opens it, and its applicants are still found by their NIK. */
static void test_migrate_v1(void **state)
{
	char *root = tu_root_new(NULL);
	char *h, *out = NULL;

	(void)state;
	drop_rows(root, "a.csv",
		  row("2026/11/10 1:00:00 PM GMT+8", "5108050101900001", "199001012015031001",
		      "I Made Contoh", "made.contoh@undiksha.ac.id", "III/b"), NULL);
	run_ok(root, DAY);
	h = tu_sql(root, "SELECT length(nik_hmac) || '|' || length(data_hash) FROM applicants");
	assert_string_equal(h, "32|32");
	g_free(h);
	/* Back to what schema 1 stored: 64 digits, the first 32 the same. */
	g_free(tu_sql(root, DROP_SCHEMA_5
		      "UPDATE applicants SET nik_hmac=nik_hmac || 'ffffffffffffffffffffffffffffffff',"
		      " data_hash=data_hash || 'ffffffffffffffffffffffffffffffff';"
		      DROP_SCHEMA_4 " PRAGMA user_version=1"));
	drop_rows(root, "b.csv",
		  row("2026/11/12 9:00:00 AM GMT+8", "5108050101900001", "199001012015031001",
		      "I Made Contoh", "made.contoh@undiksha.ac.id", "III/c"), NULL);
	run_ok(root, DAY);
	assert_int_equal(tu_sql_int(root, "PRAGMA user_version"), STORE_VERSION);
	h = tu_sql(root, "SELECT count(*) || '|' || length(nik_hmac) || '|' || length(data_hash) || '|'"
		   " || golongan FROM applicants");
	assert_string_equal(h, "1|32|32|III/c");
	g_free(h);
	assert_int_equal(tu_tte(root, DAY, &out, NULL, "show", "5108050101900001", NULL), 0);
	assert_non_null(strstr(out, "III/c"));
	g_free(out);
	tu_root_free(root);
}

/* Schema 3 checks applicants.state against the state table. A schema-2
 * database (no CHECK) is rebuilt in place, keeping every row and every
 * reference to it; one holding a state tte does not know is refused whole
 * and left as it was. */
static void test_migrate_v2_check(void **state)
{
	char *root = tu_root_new(NULL);
	char *db = tu_path(root, "var/tte.db"), *err = NULL, *h;
	int rc;

	(void)state;
	drop_rows(root, "a.csv",
		  row("2026/11/10 1:00:00 PM GMT+8", "5108050101900001", "199001012015031001",
		      "I Made Contoh", "made.contoh@undiksha.ac.id", "III/b"),
		  row("2026/11/10 2:00:00 PM GMT+8", "51080501019000", "198805052012122001",
		      "Ni Luh Contoh", "luh.contoh@undiksha.ac.id", "III/a"),
		  row("2026/11/10 3:00:00 PM GMT+8", "5108054505880002", "198805052012122001",
		      "Ni Luh Contoh", "luh.contoh@undiksha.ac.id", "III/a"), NULL);
	run_ok(root, DAY);
	assert_int_equal(tu_sql_int(root, "PRAGMA user_version"), STORE_VERSION);
	/* an unknown state cannot be written */
	assert_int_not_equal(tu_sh(NULL, "sqlite3 '%s' \"UPDATE applicants SET state='BOGUS'\""
				   " 2>/dev/null", db), 0);
	/* Back to schema 2: the same table without the CHECK (removing a
	 * CHECK this way is what SQLite documents as safe). */
	g_free(tu_sql(root, DROP_SCHEMA_5 DROP_SCHEMA_4 " PRAGMA writable_schema=ON;"
		      " UPDATE sqlite_schema SET sql=" STRIP_CHECK " WHERE name='applicants';"
		      " PRAGMA writable_schema=OFF; PRAGMA user_version=2;"));
	h = tu_sql(root, "SELECT sql LIKE '%CHECK%' FROM sqlite_schema WHERE name='applicants'");
	assert_string_equal(h, "0");
	g_free(h);
	g_free(tu_sql(root, "UPDATE applicants SET state='BOGUS' WHERE nip='199001012015031001'"));
	/* a state the table does not know: the migration refuses, nothing moves */
	rc = tu_tte(root, DAY, NULL, &err, "report", NULL);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(err, "migrasi database ke versi 3 gagal"));
	g_free(err);
	err = NULL;
	assert_int_equal(tu_sql_int(root, "PRAGMA user_version"), 2);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants WHERE state='BOGUS'"), 1);
	/* fixed by hand, the next run migrates */
	g_free(tu_sql(root, "UPDATE applicants SET state='VALID' WHERE nip='199001012015031001'"));
	run_ok(root, DAY);
	assert_int_equal(tu_sql_int(root, "PRAGMA user_version"), STORE_VERSION);
	h = tu_sql(root, "SELECT sql LIKE '%CHECK(state=''REJECTED'' OR state=''VALID'' OR %'"
		   " FROM sqlite_schema WHERE name='applicants'");
	assert_string_equal(h, "1");
	g_free(h);
	h = tu_sql(root, "SELECT group_concat(nip || ':' || state, ' ') FROM"
		   " (SELECT nip, state FROM applicants ORDER BY id)");
	assert_string_equal(h, "199001012015031001:VALID 198805052012122001:VALID");
	g_free(h);
	h = tu_sql(root, "SELECT count(*) || '|' || (SELECT count(*) FROM history) || '|'"
		   " || (SELECT count(*) FROM pragma_foreign_key_check)"
		   " || '|' || (SELECT count(*) FROM pragma_index_list('applicants'))"
		   " FROM submissions");
	assert_string_equal(h, "3|2|0|4");	/* 3 indexes + the UNIQUE key */
	g_free(h);
	assert_int_not_equal(tu_sh(NULL, "sqlite3 '%s' \"UPDATE applicants SET state='BOGUS'\""
				   " 2>/dev/null", db), 0);
	g_free(db);
	tu_root_free(root);
}

/* ---- database errors: a stage fails rather than write a short output ------------ */

static void same_file(const char *path, const char *before, size_t n0, const struct stat *sb0)
{
	size_t n;
	char *now = tu_read(path, &n);
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	assert_true(n == n0 && !memcmp(now, before, n));
	assert_true(sb.st_mtim.tv_sec == sb0->st_mtim.tv_sec &&
		    sb.st_mtim.tv_nsec == sb0->st_mtim.tv_nsec);
	g_free(now);
}

/* `tte CMD` with the Nth database step failing (TTE_TEST_FAULT). Returns
 * the exit code; *ERR gets stderr. */
static int tte_fault(const char *root, int n, char **err, const char *cmd, const char *arg)
{
	char env[32];
	int rc;

	g_snprintf(env, sizeof(env), "step:%d", n);
	g_setenv("TTE_TEST_FAULT", env, TRUE);
	rc = tu_tte(root, DAY, NULL, err, cmd, arg, NULL);
	g_unsetenv("TTE_TEST_FAULT");
	return rc;
}

/* Every database step of the report fails it when it fails: exit 1, the
 * day's workbook as it was (same bytes, same mtime), the store untouched.
 * A step whose error went unnoticed would show as exit 0 with the fault
 * in the log. */
static void test_db_fault_report(void **state)
{
	char *root = tu_root_new(NULL);
	char *xlsx = tu_path(root, "outbox/reports/laporan-20261124.xlsx");
	char *dump1 = NULL, *dump2 = NULL, *before, *err = NULL;
	struct stat sb0;
	size_t n0;
	int n, rc;

	(void)state;
	drop_sample(root, "forms/form-responses-en.csv");
	run_all_ok(root, DAY);
	g_free(tu_sql(root, "UPDATE applicants SET state='ISSUE', issued_day='2026-11-24'"
		      " WHERE id=1"));	/* every part of Ringkasan has rows */
	run_ok(root, DAY);
	before = tu_read(xlsx, &n0);
	assert_int_equal(stat(xlsx, &sb0), 0);
	tu_sh(&dump1, "sqlite3 '%s/var/tte.db' .dump", root);
	for (n = 1;; n++) {
		rc = tte_fault(root, n, &err, "report", NULL);
		if (rc == 0)
			break;
		assert_int_equal(rc, 1);
		assert_non_null(strstr(err, "TTE_TEST_FAULT"));
		same_file(xlsx, before, n0, &sb0);
		g_free(err);
		err = NULL;
		assert_true(n < 500);
	}
	/* the first run past the last step: no fault fired, a whole workbook */
	assert_null(strstr(err, "TTE_TEST_FAULT"));
	assert_true(n > 20);	/* every sheet's count and rows, Ringkasan's tables */
	{
		GPtrArray *p = sheet(root, "20261124", "Pemohon");

		assert_int_equal(p->len, 1 + 6);
		g_ptr_array_unref(p);
	}
	tu_sh(&dump2, "sqlite3 '%s/var/tte.db' .dump", root);
	assert_string_equal(dump1, dump2);
	g_free(err);
	g_free(dump1);
	g_free(dump2);
	g_free(before);
	g_free(xlsx);
	tu_root_free(root);
}

/* Intake: a failed step rolls the file back (the store as it was, the file
 * still in the inbox for the next run); `tte show` says it could not read
 * the record whole instead of printing part of it. */
static void test_db_fault_intake_show(void **state)
{
	char *root = tu_root_new(NULL);
	char *inbox = tu_path(root, "inbox/forms/b.csv");
	char *dump1 = NULL, *dump2 = NULL, *err = NULL, *out = NULL;
	int n, rc, failed = 0;

	(void)state;
	drop_rows(root, "a.csv",
		  row("2026/11/10 1:00:00 PM GMT+8", "5108050101900001", "199001012015031001",
		      "I Made Contoh", "made.contoh@undiksha.ac.id", "III/b"), NULL);
	run_ok(root, DAY);
	drop_rows(root, "b.csv",
		  row("2026/11/11 1:00:00 PM GMT+8", "5108050101900001", "199001012015031001",
		      "I Made Contoh", "made.contoh@undiksha.ac.id", "III/c"),
		  row("2026/11/11 2:00:00 PM GMT+8", "51080501019000", "198805052012122001",
		      "Ni Luh Contoh", "luh.contoh@undiksha.ac.id", "III/a"),
		  row("2026/11/11 3:00:00 PM GMT+8", "5108054505880002", "198805052012122002",
		      "Ni Luh Contoh", "luh.contoh@undiksha.ac.id", "III/a"), NULL);
	tu_sh(&dump1, "sqlite3 '%s/var/tte.db' .dump", root);
	for (n = 1;; n++) {
		rc = tte_fault(root, n, &err, "intake", NULL);
		if (rc == 0)
			break;
		failed++;
		assert_int_equal(rc, 1);
		assert_non_null(strstr(err, "TTE_TEST_FAULT"));
		assert_true(g_file_test(inbox, G_FILE_TEST_IS_REGULAR));
		tu_sh(&dump2, "sqlite3 '%s/var/tte.db' .dump", root);
		assert_string_equal(dump1, dump2);
		g_free(dump2);
		g_free(err);
		dump2 = err = NULL;
		assert_true(n < 500);
	}
	/* Past the commit (a failed retire only warns: the next run retires
	 * the file), or past the last step. */
	assert_true(failed > 10);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants"), 2);
	g_free(err);
	err = NULL;
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "intake", NULL), 0);
	assert_false(g_file_test(inbox, G_FILE_TEST_EXISTS));
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants"), 2);

	for (n = 1;; n++) {
		rc = tte_fault(root, n, &err, "show", "199001012015031001");
		if (rc == 0)
			break;
		assert_int_equal(rc, 1);
		assert_non_null(strstr(err, "TTE_TEST_FAULT"));
		g_free(err);
		err = NULL;
		assert_true(n < 100);
	}
	assert_true(n > 4);	/* lookup, applicant, submissions, history */
	g_free(err);
	err = NULL;
	g_setenv("TTE_TEST_FAULT", "step:4", TRUE);
	rc = tu_tte(root, DAY, &out, &err, "show", "199001012015031001", NULL);
	g_unsetenv("TTE_TEST_FAULT");
	assert_int_equal(rc, 1);
	assert_non_null(strstr(err, "tidak terbaca utuh"));
	g_free(out);
	g_free(err);
	g_free(dump1);
	g_free(inbox);
	tu_root_free(root);
}

/* A cell longer than Excel holds (32,767 characters) is cut at a character
 * boundary and marked, not left empty. */
static void test_long_cell_cut(void **state)
{
	char *root = tu_root_new(NULL);
	GString *name = g_string_new(NULL);
	GPtrArray *p;
	const char *cell;

	(void)state;
	for (int i = 0; i < 20000; i++)
		g_string_append(name, "\xc3\xa9");	/* é: two bytes, one character */
	for (int i = 0; i < 20000; i++)
		g_string_append_c(name, 'x');
	drop_rows(root, "a.csv",
		  row("2026/11/10 1:00:00 PM GMT+8", "5108050101900001", "199001012015031001",
		      name->str, "made.contoh@undiksha.ac.id", "III/b"), NULL);
	run_ok(root, DAY);
	assert_int_equal(tu_sql_int(root, "SELECT length(name) FROM applicants"), 40000);
	p = sheet(root, "20261124", "Pemohon");
	assert_int_equal(p->len, 1 + 1);
	cell = tu_cell(p, 1, (guint)tu_col(p, "Nama"));
	assert_true(g_utf8_validate(cell, -1, NULL));
	assert_int_equal(g_utf8_strlen(cell, -1), 32767);
	assert_true(g_str_has_prefix(cell, "\xc3\xa9\xc3\xa9"));
	assert_true(g_str_has_suffix(cell, "xx\xe2\x80\xa6 [dipotong]"));
	/* the other cells of the row are whole */
	assert_string_equal(tu_cell(p, 1, (guint)tu_col(p, "NIP")), "199001012015031001");
	g_ptr_array_unref(p);
	g_string_free(name, TRUE);
	tu_root_free(root);
}

/* A row whose NIK is unusable belongs to nobody; the same person's later
 * row (same e-mail) supersedes it, whichever file comes first. */
static void test_orphan_superseded(void **state)
{
	char *root = tu_root_new(NULL);
	GPtrArray *d;

	(void)state;
	drop_rows(root, "a.csv",
		  row("2026/11/10 1:00:00 PM GMT+8", "5.10805E+15", "199001012015031001",
		      "I Made Contoh", "made.contoh@undiksha.ac.id", "III/b"),
		  row("2026/11/10 2:00:00 PM GMT+8", "51080501019000", "198805052012122001",
		      "Ni Luh Contoh", "luh.contoh@undiksha.ac.id", "III/a"), NULL);
	run_ok(root, DAY);
	d = sheet(root, "20261124", "Ditolak");
	assert_int_equal(d->len, 1 + 2);
	assert_true(strstr(tu_cell(d, 1, (guint)tu_col(d, "Alasan")), "angka ilmiah") != NULL);
	g_ptr_array_unref(d);
	drop_rows(root, "b.csv",
		  row("2026/11/11 1:00:00 PM GMT+8", "5108050101900001", "199001012015031001",
		      "I Made Contoh", "made.contoh@undiksha.ac.id", "III/b"), NULL);
	run_ok(root, DAY);
	d = sheet(root, "20261124", "Ditolak");
	assert_int_equal(d->len, 1 + 1);
	assert_string_equal(tu_cell(d, 1, (guint)tu_col(d, "Nama")), "Ni Luh Contoh");
	g_ptr_array_unref(d);
	tu_root_free(root);
}

/* An orphan older than the applicant's row it shares an e-mail with is
 * superseded too: in one file (a first load, whose applicants' indexes are
 * built after the rows) whichever row comes first, and in a later file. */
static void test_orphan_older_than_applicant(void **state)
{
	char *root = tu_root_new(NULL);
	GPtrArray *d;

	(void)state;
	drop_rows(root, "a.csv",
		  row("2026/11/11 1:00:00 PM GMT+8", "5108050101900001", "199001012015031001",
		      "I Made Contoh", "made.contoh@undiksha.ac.id", "III/b"),
		  row("2026/11/10 1:00:00 PM GMT+8", "5.10805E+15", "199001012015031001",
		      "I Made Contoh", "made.contoh@undiksha.ac.id", "III/b"),
		  row("2026/11/10 2:00:00 PM GMT+8", "51080501019000", "198805052012122001",
		      "Ni Luh Contoh", "luh.contoh@undiksha.ac.id", "III/a"), NULL);
	run_ok(root, DAY);
	d = sheet(root, "20261124", "Ditolak");
	assert_int_equal(d->len, 1 + 1);
	assert_string_equal(tu_cell(d, 1, (guint)tu_col(d, "Nama")), "Ni Luh Contoh");
	g_ptr_array_unref(d);
	/* a later file: an older orphan of Made's (NIP only), and one of a
	 * person nobody else matches, which stays */
	drop_rows(root, "b.csv",
		  row("2026/11/09 1:00:00 PM GMT+8", "5108", "199001012015031001",
		      "I Made Contoh", "", "III/b"),
		  row("2026/11/09 2:00:00 PM GMT+8", "5108", "197001012000031001",
		      "Wayan Contoh", "", "III/b"), NULL);
	run_ok(root, DAY);
	d = sheet(root, "20261124", "Ditolak");
	assert_true(tu_find_row(d, tu_col(d, "Nama"), "I Made Contoh") < 0);
	assert_true(tu_find_row(d, tu_col(d, "Nama"), "Wayan Contoh") > 0);
	assert_true(tu_find_row(d, tu_col(d, "Nama"), "Ni Luh Contoh") > 0);
	g_ptr_array_unref(d);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM submissions WHERE applicant_id IS NULL"
				    " AND superseded=1"), 2);
	tu_root_free(root);
}

/* ---- tte accept ------------------------------------------------------------------ */

static void test_accept_waiver(void **state)
{
	char *root = tu_root_new(NULL);
	char *out = NULL, *err = NULL, *h;
	GPtrArray *d;

	(void)state;
	/* NIK says 10-05-1987, NIP says 01-05-1987; and a title in a name */
	drop_rows(root, "a.csv",
		  row("2026/11/10 1:00:00 PM GMT+8", "5108051005870003", "198705012010121001",
		      "Komang Contoh", "komang@undiksha.ac.id", "IV/a"),
		  row("2026/11/10 1:05:00 PM GMT+8", "5108050101900001", "199001012015031001",
		      "Dr. Made Contoh", "made@undiksha.ac.id", "IV/a"),
		  row("2026/11/10 1:10:00 PM GMT+8", "5108054505880002", "198805052012122001",
		      "Ni Luh Contoh", "luh@gmail.com", "III/a"), NULL);
	run_ok(root, DAY);
	assert_state(root, "198705012010121001", "REJECTED");
	d = sheet(root, "20261124", "Ditolak");
	assert_true(tu_find_row(d, tu_col(d, "Alasan"), "Tanggal lahir pada NIK (10-05-1987) tidak "
				"sama dengan NIP (01-05-1987)") > 0);
	assert_true(tu_find_row(d, tu_col(d, "Kolom"), "NIK, NIP") > 0);
	g_ptr_array_unref(d);

	assert_int_equal(tu_tte(root, DAY, &out, &err, "accept", "19870501 201012 1 001", "--reason",
				"BKN: tanggal lahir NIP berbeda dari akta", NULL), 0);
	assert_non_null(strstr(out, "dikecualikan"));
	g_free(out);
	g_free(err);
	assert_state(root, "198705012010121001", "REJECTED");	/* until the next run */
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "accept", "199001012015031001", "--reason",
				"gelar tercantum di KTP", NULL), 0);
	/* a non-waivable rule stays: the verifier is told */
	assert_int_equal(tu_tte(root, DAY, &out, NULL, "accept", "198805052012122001", "--reason",
				"coba", NULL), 0);
	assert_non_null(strstr(out, "TETAP DITOLAK"));
	g_free(out);
	run_ok(root, DAY);
	assert_state(root, "198705012010121001", "VALID");
	assert_state(root, "199001012015031001", "VALID");
	assert_state(root, "198805052012122001", "REJECTED");
	h = tu_sql(root, "SELECT count(*) FROM history WHERE actor LIKE 'verifier:%' AND source='accept'"
		   " AND note LIKE '%BKN%'");
	assert_string_equal(h, "1");
	g_free(h);
	h = tu_sql(root, "SELECT note FROM history h JOIN applicants a ON a.id=h.applicant_id"
		   " WHERE a.nip='198705012010121001' AND h.to_state='VALID'");
	assert_non_null(strstr(h, "BKN"));
	g_free(h);
	d = sheet(root, "20261124", "Pemohon");
	assert_true(strstr(tu_cell(d, (guint)tu_find_row(d, tu_col(d, "NIP"), "198705012010121001"),
				   (guint)tu_col(d, "Catatan")), "Pengecualian") != NULL);
	g_ptr_array_unref(d);

	/* usage errors */
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "accept", "199901012020121001", "--reason", "x",
				NULL), 2);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "accept", "198705012010121001", NULL), 2);
	tu_root_free(root);
}

/* ---- bad input: a clear message, nothing lost --------------------------------------- */

static char *why_of(const char *root, const char *name)
{
	char *rel = g_strdup_printf("var/quarantine/forms/%s.why", name);
	char *p = tu_path(root, rel);
	char *t = tu_read(p, NULL);

	g_free(rel);
	g_free(p);
	return t;
}

static void assert_quarantined(const char *root, const char *name, const char *says)
{
	char *why = why_of(root, name);
	char *rel = g_strdup_printf("var/quarantine/forms/%s", name);
	char *p = tu_path(root, rel);

	if (!strstr(why, says))
		fail_msg("%s.why does not say \"%s\": %s", name, says, why);
	assert_true(g_file_test(p, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK) ||
		    g_file_test(p, G_FILE_TEST_IS_SYMLINK));
	g_free(why);
	g_free(rel);
	g_free(p);
}

static void test_bad_inputs(void **state)
{
	char *root = tu_root_new(NULL);
	char *err = NULL, *p;
	GString *big;
	unsigned char bin[512];

	(void)state;
	drop(root, "kosong.csv", "");
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 7);
	p = tu_path(root, "inbox/forms/biner.csv");
	tu_write(p, (const char *)bin, sizeof(bin));
	g_free(p);
	p = tu_path(root, "inbox/forms/laporan.csv");	/* an .xlsx renamed */
	tu_write(p, "PK\x03\x04\x14\x00\x06\x00\x08\x00", 10);
	g_free(p);
	drop(root, "kurang.csv", "\"Timestamp\",\"NIK\",\"NIP\",\"Nama\",\"Email Undiksha\","
	     "\"Golongan\",\"Jabatan\"\n\"2026/11/10 1:00:00 PM GMT+8\",\"5108050101900001\","
	     "\"199001012015031001\",\"A\",\"a@undiksha.ac.id\",\"III/a\",\"Dosen\"\n");
	/* a quote never closed: the file was cut while being copied */
	{
		char *cut = g_strdup_printf("%s\"2026/11/10 1:00:00 PM GMT+8\",\"a@undiksha.ac.id\","
					    "\"x\",\"51080501", HEADER_EN);

		drop(root, "kutip.csv", cut);
		g_free(cut);
	}
	/* a 50 MB field */
	big = g_string_sized_new(51 << 20);
	g_string_append(big, HEADER_EN);
	g_string_append(big, "\"2026/11/10 1:00:00 PM GMT+8\",\"a@undiksha.ac.id\",\"x\",\"");
	for (int i = 0; i < 50 << 20; i += 64)
		g_string_append(big, "5108050101900001510805010190000151080501019000015108050101900001");
	g_string_append(big, "\",\"199001012015031001\",\"A\",\"a@undiksha.ac.id\",\"III/a\",\"Dosen\","
			     "\"k\",\"FT\"\n");
	drop(root, "besar.csv", big->str);
	g_string_free(big, TRUE);
	drop(root, "catatan.txt", "bukan ekspor");
	/* and one good export in the same night */
	drop_rows(root, "baik.csv",
		  row("2026/11/10 1:00:00 PM GMT+8", "5108050101900001", "199001012015031001",
		      "I Made Contoh", "made@undiksha.ac.id", "III/b"), NULL);

	assert_int_equal(tu_tte(root, DAY, NULL, &err, "run", NULL), 0);
	assert_non_null(strstr(err, "dikarantina"));	/* cron mails the warnings */
	g_free(err);
	assert_quarantined(root, "kosong.csv", "berkas kosong");
	assert_quarantined(root, "biner.csv", "bukan teks");
	assert_quarantined(root, "laporan.csv", "XLSX");
	assert_quarantined(root, "kurang.csv", "kolom wajib tidak ditemukan: Foto KTP, Unit Kerja");
	assert_quarantined(root, "kutip.csv", "tanda kutip");
	assert_quarantined(root, "besar.csv", "baris 2 berisi isian lebih dari");
	assert_quarantined(root, "catatan.txt", "hanya .csv");
	/* nothing lost: every bad file kept byte for byte */
	p = tu_path(root, "var/quarantine/forms/besar.csv");
	{
		struct stat st;

		assert_int_equal(stat(p, &st), 0);
		assert_true(st.st_size > 50 << 20);
	}
	g_free(p);
	assert_int_equal(tu_count_files(root, "inbox/forms"), 0);
	/* the good export went all the way through the night */
	assert_state(root, "199001012015031001", "BUNDLED");
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM quarantine"), 7);
	{
		GPtrArray *s = sheet(root, "20261124", "Ringkasan");
		gboolean found = FALSE;

		for (guint r = 0; r < s->len; r++)
			if (!strcmp(tu_cell(s, r, 0), "forms/kurang.csv"))
				found = TRUE;
		assert_true(found);
		g_ptr_array_unref(s);
	}
	tu_root_free(root);
}

static void test_invalid_utf8_and_locales(void **state)
{
	char *root = tu_root_new(NULL);
	GPtrArray *d;
	int r;

	(void)state;
	/* Latin-1 bytes in a name; CRLF, BOM, Indonesian headers, ';' as
	 * Excel in id_ID saves, columns in another order, extra columns, a
	 * newline inside a quoted field */
	drop(root, "sheet-id.csv",
	     "\xEF\xBB\xBFNIP;Nama (Tanpa Gelar);Stempel waktu;Alamat email;NIK;Golongan;Jabatan;"
	     "Unit Kerja;Foto KTP;Catatan tambahan\r\n"
	     "199001012015031001;I Made Jos\xE9;12/11/2026 08:00:00;made@undiksha.ac.id;"
	     "5108050101900001;III/b;Dosen;FT;https://drive.google.com/open?id=K1;\"baris\r\nkedua\"\r\n"
	     "198805052012122001;Ni Luh Contoh;13/11/2026 08:00:00;luh@undiksha.ac.id;"
	     "5108054505880002;Penata Muda / III-a;Dosen;FT;https://drive.google.com/open?id=K2;-\r\n");
	/* and, the same night, an export of another form (Forms' English
	 * download, another column set) */
	drop_rows(root, "form-lain.csv",
		  row("2026/11/12 9:00:00 AM GMT+8", "5108051005870003", "198705102010121001",
		      "Komang Contoh", "komang@undiksha.ac.id", "IV/a"), NULL);
	run_ok(root, DAY);
	assert_state(root, "198705102010121001", "VALID");
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM inputs"), 2);
	assert_state(root, "198805052012122001", "VALID");
	assert_state(root, "199001012015031001", "REJECTED");
	d = sheet(root, "20261124", "Ditolak");
	r = tu_find_row(d, tu_col(d, "NIP"), "199001012015031001");
	assert_true(r > 0);
	assert_string_equal(tu_cell(d, (guint)r, (guint)tu_col(d, "Kolom")), "Nama (Tanpa Gelar)");
	assert_non_null(strstr(tu_cell(d, (guint)r, (guint)tu_col(d, "Alasan")), "UTF-8"));
	g_ptr_array_unref(d);
	/* the Indonesian-locale timestamp was read day first */
	{
		char *t = tu_sql(root, "SELECT submitted_at FROM applicants WHERE nip='198805052012122001'");

		assert_string_equal(t, "2026-11-13T00:00:00Z");
		g_free(t);
	}
	tu_root_free(root);
}

static void test_symlink_settle_and_dotfiles(void **state)
{
	char *root = tu_root_new(NULL);
	char *outside = tu_path(root, "rahasia.csv");
	char *link = tu_path(root, "inbox/forms/tautan.csv");
	char *part = tu_path(root, "inbox/forms/unduhan.csv.part");
	char *dot = tu_path(root, "inbox/forms/.sementara.csv");
	char *conf, *fresh;

	(void)state;
	tu_write_str(outside, "\"Timestamp\",\"NIK\"\n\"x\",\"5108050101900001\"\n");
	assert_int_equal(symlink(outside, link), 0);
	tu_write_str(part, "setengah");
	tu_write_str(dot, "tersembunyi");
	run_ok(root, DAY);
	/* the link itself went to quarantine; its target was not read */
	assert_quarantined(root, "tautan.csv", "symlink");
	assert_true(g_file_test(outside, G_FILE_TEST_IS_REGULAR));
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM submissions"), 0);
	assert_true(g_file_test(part, G_FILE_TEST_EXISTS));
	assert_true(g_file_test(dot, G_FILE_TEST_EXISTS));

	/* a file still being copied waits for the next run */
	conf = tu_path(root, "tte.conf");
	tu_write_str(conf, "[inbox]\nsettle_seconds = 3600\n");
	drop_rows(root, "baru.csv",
		  row("2026/11/10 1:00:00 PM GMT+8", "5108050101900001", "199001012015031001",
		      "I Made Contoh", "made@undiksha.ac.id", "III/b"), NULL);
	run_ok(root, DAY);
	fresh = tu_path(root, "inbox/forms/baru.csv");
	assert_true(g_file_test(fresh, G_FILE_TEST_EXISTS));
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants"), 0);
	g_free(fresh);
	g_free(conf);
	g_free(outside);
	g_free(link);
	g_free(part);
	g_free(dot);
	tu_root_free(root);
}

/* ---- a full disk during the report -------------------------------------------------- */

static void test_disk_full_report(void **state)
{
	char *root = tu_root_new(NULL);
	char *reports = tu_path(root, "outbox/reports");
	char *dump1 = NULL, *dump2 = NULL, *err = NULL, *ls = NULL;
	int rc;
	bool mounted;

	(void)state;
	drop_sample(root, "forms/form-responses-en.csv");
	run_all_ok(root, DAY);
	tu_sh(&dump1, "sqlite3 '%s/var/tte.db' .dump", root);
	/* the next night, where the workbook goes, a file system nearly full */
	tu_sh(NULL, "mkdir -p '%s/../simpan' && mv '%s'/* '%s/../simpan/'", reports, reports, reports);
	mounted = tu_sh(NULL, "mount -t tmpfs -o size=64k tmpfs '%s' 2>/dev/null", reports) == 0;
	if (mounted) {
		tu_sh(NULL, "dd if=/dev/zero of='%s/isi' bs=1k count=56 2>/dev/null", reports);
		rc = tu_tte(root, "2026-11-25", NULL, &err, "run", NULL);
	} else {
		/* no mount here: a file-size limit gives the same write errors */
		char *q = g_shell_quote(tu_bin());

		rc = tu_sh(&err, "ulimit -f 8; %s --root '%s' --date 2026-11-25 run 2>&1", q, root);
		g_free(q);
	}
	assert_int_equal(rc, 1);
	assert_non_null(strstr(err, "gagal"));
	tu_sh(&dump2, "sqlite3 '%s/var/tte.db' .dump", root);
	assert_string_equal(dump1, dump2);	/* the state is as it was */
	tu_sh(&ls, "ls -A '%s'", reports);
	assert_null(strstr(ls, "laporan"));	/* no half workbook, no temp file */
	g_free(ls);
	if (mounted)
		assert_int_equal(tu_sh(NULL, "umount '%s'", reports), 0);
	/* with space again the next run finishes the job */
	run_all_ok(root, "2026-11-25");
	{
		GPtrArray *p = sheet(root, "20261125", "Pemohon");

		assert_int_equal(p->len, 1 + 6);
		g_ptr_array_unref(p);
	}
	g_free(dump1);
	g_free(dump2);
	g_free(err);
	g_free(reports);
	tu_root_free(root);
}

/* ---- crash safety: SIGKILL in the middle of intake --------------------------------------- */

static char *state_dump(const char *root)
{
	return tu_sql(root,
		"SELECT nik, nip, name, email, golongan, state, submitted_at FROM applicants ORDER BY nik;"
		"SELECT count(*), sum(superseded), sum(verdict='REJECTED') FROM submissions;"
		"SELECT count(*) FROM problems;"
		"SELECT count(*), group_concat(to_state) FROM (SELECT to_state FROM history ORDER BY id);"
		"SELECT name, rows, new_rows FROM inputs ORDER BY id;");
}

static void test_sigkill_during_intake(void **state)
{
	char *a = tu_root_new(NULL), *b = tu_root_new(NULL);
	char *fa = tu_path(a, "inbox/forms/besar.csv"), *fb = tu_path(b, "inbox/forms/besar.csv");
	char *log = tu_path(a, "var/log");
	char *da, *db;
	int killed = 0;

	(void)state;
	/* No recommender configured: tonight's letters wait (a warning), so
	 * the runs stay about intake. */
	for (char **r = (char *[]){ a, b, NULL }; *r; r++) {
		char *conf = tu_path(*r, "tte.conf");

		tu_write_str(conf, "[inbox]\nsettle_seconds = 0\n");
		g_free(conf);
	}
	tu_gen_forms(fa, "--rows 2000 --seed 9");
	tu_gen_forms(fb, "--rows 2000 --seed 9");
	run_all_ok(b, DAY);	/* the uninterrupted reference */

	/* Stop intake just before it commits the file's rows, then kill the
	 * whole run there. */
	assert_int_equal(tu_tte(a, DAY, NULL, NULL, "init", NULL), 0);
	{
		pid_t stage, pid = tu_run_stop_at(a, DAY, "intake:commit", &stage);
		int st;
		char *ended = NULL;

		assert_true(stage > 0);
		st = tu_kill_run(pid, stage);
		/* it died inside intake, not before or after */
		tu_sh(&ended, "grep -h 'stage intake end' '%s'/* 2>/dev/null", log);
		killed = WIFSIGNALED(st) && !(ended && *ended);
		g_free(ended);
	}
	assert_true(killed);
	/* nothing half applied: the rows were never committed */
	assert_int_equal(tu_sql_int(a, "SELECT count(*) FROM applicants"), 0);
	assert_int_equal(tu_sql_int(a, "SELECT count(*) FROM inputs"), 0);
	run_all_ok(a, DAY);
	da = state_dump(a);
	db = state_dump(b);
	assert_string_equal(da, db);
	assert_int_equal(tu_count_files(a, "inbox/forms"), 0);
	g_free(da);
	g_free(db);
	g_free(fa);
	g_free(fb);
	g_free(log);
	tu_root_free(a);
	tu_root_free(b);
}

/* ---- the rest of the contract: lock, exit codes, modes, logs, show --------------------- */

static void test_lock_and_exit_codes(void **state)
{
	char *root = tu_root_new(NULL);
	char *lock, *conf, *err = NULL;
	int fd;

	(void)state;
	assert_int_equal(tu_tte(root, NULL, NULL, NULL, "init", NULL), 0);
	/* another run holds the lock: we take it ourselves */
	lock = tu_path(root, "var/lock");
	fd = open(lock, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(tu_tte(root, DAY, NULL, &err, "run", NULL), 3);
	assert_non_null(strstr(err, "sedang berjalan"));
	g_free(err);
	assert_int_equal(close(fd), 0);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "run", NULL), 0);

	assert_int_equal(tu_tte(root, "2026-02-30", NULL, NULL, "run", NULL), 2);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "terbang", NULL), 2);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "show", "bukan-nip", NULL), 2);
	conf = tu_path(root, "tte.conf");
	tu_write_str(conf, "[inbox]\nsettle_seconds = banyak\n");
	assert_int_equal(tu_tte(root, DAY, NULL, &err, "run", NULL), 2);
	assert_non_null(strstr(err, "settle_seconds"));
	assert_non_null(strstr(err, "harus bilangan bulat 0-86400"));
	g_free(err);
	tu_write_str(conf, "[tte]\ncache_mb = 4\n");
	assert_int_equal(tu_tte(root, DAY, NULL, &err, "run", NULL), 2);
	assert_non_null(strstr(err, "cache_mb"));
	g_free(err);
	{
		char *nowhere = g_strdup_printf("%s/tidak-ada", root);

		assert_int_equal(tu_tte(nowhere, DAY, NULL, NULL, "run", NULL), 2);
		g_free(nowhere);
	}
	g_free(conf);
	g_free(lock);
	tu_root_free(root);
}

static void test_modes_logs_show(void **state)
{
	char *root = tu_root_new(NULL);
	char *out = NULL, *modes = NULL, *conf;

	(void)state;
	drop_sample(root, "forms/form-responses-en.csv");
	run_ok(root, DAY);
	/* owner-only by default */
	tu_sh(&modes, "stat -c '%%a %%n' '%s'/outbox/reports/*.xlsx '%s'/var/tte.db '%s'/var/log/* "
	      "'%s'/outbox/reports '%s'/var '%s'/var/processed/forms/*/*", root, root, root, root,
	      root, root);
	{
		gchar **lines = g_strsplit(modes, "\n", -1);
		int checked = 0;

		for (gchar **l = lines; *l; l++) {
			if (!**l)
				continue;
			if (strncmp(*l, "600 ", 4) && strncmp(*l, "700 ", 4))
				fail_msg("not owner-only: %s", *l);
			checked++;
		}
		g_strfreev(lines);
		assert_true(checked >= 6);	/* the stat found the files it was asked about */
	}
	g_free(modes);
	/* no NIK in any log */
	{
		char *logs = tu_path(root, "var/log");

		assert_false(tu_file_contains(logs, "5107054705970101"));
		assert_false(tu_file_contains(logs, "5106080703830105"));
		g_free(logs);
	}
	/* tte show by NIP, NIK and e-mail */
	assert_int_equal(tu_tte(root, DAY, &out, NULL, "show", "198303072007051105", NULL), 0);
	assert_non_null(strstr(out, "I Nyoman Artha Artha"));
	assert_non_null(strstr(out, "Penata Tingkat I / III/d"));
	assert_non_null(strstr(out, "VALID"));
	assert_non_null(strstr(out, "Riwayat"));
	g_free(out);
	assert_int_equal(tu_tte(root, DAY, &out, NULL, "show", "5106080703830105", NULL), 0);
	assert_non_null(strstr(out, "198303072007051105"));
	g_free(out);
	assert_int_equal(tu_tte(root, DAY, &out, NULL, "show", "P0000104@undiksha.ac.id", NULL), 0);
	assert_non_null(strstr(out, "198303072007051105"));
	g_free(out);

	/* a site that lets a tte group read the outbox */
	conf = tu_path(root, "tte.conf");
	tu_write_str(conf, "[tte]\numask = 027\n[inbox]\nsettle_seconds = 0\n");
	run_ok(root, "2026-11-25");
	tu_sh(&modes, "stat -c '%%a' '%s'/outbox/reports/laporan-20261125.xlsx", root);
	assert_string_equal(modes, "640\n");
	g_free(modes);
	g_free(conf);
	tu_root_free(root);
}

/* ---- what reaches the WhatsApp group ------------------------------------- */

/* One English-export row with every shown field given. */
static char *row_full(const char *nik, const char *nip, const char *name, const char *email,
		      const char *jabatan, const char *unit)
{
	return g_strdup_printf("\"2026/11/20 9:00:00 AM GMT+8\",\"%s\",\"rahasia-123\",\"%s\","
			       "\"%s\",\"%s\",\"%s\",\"III/b\",\"%s\",\"https://drive.google.com/"
			       "open?id=K%s\",\"%s\"\n", email, nik, nip, name, email, jabatan, nik,
			       unit);
}

/* NIKs typed into other columns: none may show anywhere. */
static const char *const STRAY_NIKS[] = { "5171014101950007", "5171024202960008",
					  "5171034303970009" };

static void assert_no_stray_nik(const char *what, const char *text)
{
	GRegex *re = g_regex_new("(^|[^0-9])[0-9]{16}([^0-9]|$)", 0, 0, NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(STRAY_NIKS); i++)
		if (strstr(text, STRAY_NIKS[i]))
			fail_msg("%s shows %s", what, STRAY_NIKS[i]);
	if (g_regex_match(re, text, 0, NULL))
		fail_msg("%s shows a 16-digit number", what);
	g_regex_unref(re);
}

/* What `CMD 'ROOT/REL'GLOB` prints shows no stray NIK. */
static void assert_cmd_no_stray_nik(const char *root, const char *cmd, const char *rel,
				    const char *glob)
{
	char *p = tu_path(root, rel), *text = NULL;

	tu_sh(&text, "%s '%s'%s", cmd, p, glob);
	assert_no_stray_nik(rel, text);
	g_free(text);
	g_free(p);
}

static void test_hostile_text(void **state)
{
	char *root = tu_root_new(NULL);
	char *out = NULL, *err = NULL, *wa, *p;
	GPtrArray *d;
	int r;

	(void)state;
	drop_rows(root, "hostile.csv",
		  row_full("5108050101900001", "199001012015031001",
			   "Ida Bagus\n\n*PENGUMUMAN RESMI*: kirim kata sandi BSrE Anda ke "
			   "wa.me/\xe2\x80\xa6", "ida@undiksha.ac.id", "Dosen", "Fakultas Teknik"),
		  row_full("5108054505880002", "198805052012122001", "Ni Luh Contoh",
			   "luh@undiksha.ac.id", STRAY_NIKS[0], "Fakultas Teknik"),
		  row_full("5108051005870003", STRAY_NIKS[2], STRAY_NIKS[1], "komang@undiksha.ac.id",
			   "Dosen", "Fakultas Teknik"),
		  row_full("5108050202900004", "199002022015031002",
			   "Dr. I Made *Sutama* _Putra_ ~Jaya~ `x`", "made@undiksha.ac.id", "Dosen",
			   "Fakultas \xe2\x80\xaeTeknik"),
		  row_full("5108050303900005", "199003032015031003", "I Ketut *Valid*",
			   "ketut@undiksha.ac.id", "Dosen", "Fakultas Teknik"), NULL);
	assert_int_equal(tu_tte(root, DAY, &out, &err, "run", NULL), 0);
	assert_no_stray_nik("stdout", out);
	assert_no_stray_nik("stderr", err);
	assert_state(root, "199001012015031001", "REJECTED");
	assert_state(root, "198805052012122001", "REJECTED");
	assert_state(root, "199002022015031002", "REJECTED");
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM problems WHERE field='nama' AND "
				    "code='LINE_BREAK'"), 1);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM problems WHERE field='jabatan' AND "
				    "code='DIGITS'"), 1);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM problems WHERE field='nama' AND "
				    "code='DIGITS'"), 1);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM problems WHERE field='unit' AND "
				    "code='BIDI'"), 1);

	/* The group's message: no announcement of the applicant's, no stray
	 * NIK, markup shown as plain lookalikes. */
	p = tu_path(root, "outbox/notices/wa-20261124.txt");
	wa = tu_read(p, NULL);
	g_free(p);
	assert_null(strstr(wa, "PENGUMUMAN"));
	assert_null(strstr(wa, "wa.me"));
	assert_no_stray_nik("wa-20261124.txt", wa);
	assert_non_null(strstr(wa, "Ni Luh Contoh (Fakultas Teknik) - perbaiki kolom: Jabatan"));
	assert_non_null(strstr(wa, "Serta 3 isian dengan nama atau unit kerja yang tidak dapat "
				   "ditampilkan"));
	{
		/* Only tte's own section titles are bold: every '*' opens or
		 * closes a title line. */
		gchar **lines = g_strsplit(wa, "\n", -1);

		for (gchar **l = lines; *l; l++) {
			size_t n = strlen(*l);

			if (strpbrk(*l, "_~`"))
				fail_msg("markup in notice line: %s", *l);
			if (strchr(*l, '*') && !((*l)[0] == '*' && n > 1 && (*l)[n - 1] == '*' &&
						 !strchr(*l + 1, '*')[1]))
				fail_msg("'*' inside notice line: %s", *l);
		}
		g_strfreev(lines);
	}
	g_free(wa);

	/* The workbook, every part of it unpacked. */
	assert_cmd_no_stray_nik(root, "unzip -p", "outbox/reports/laporan-20261124.xlsx", "");
	d = sheet(root, "20261124", "Ditolak");
	r = tu_find_row(d, tu_col(d, "NIP"), "199001012015031001");
	assert_true(r > 0);
	assert_non_null(strstr(tu_cell(d, (guint)r, (guint)tu_col(d, "Alasan")), "baris baru"));
	r = tu_find_row(d, tu_col(d, "NIP"), "5171************");
	assert_true(r > 0);
	assert_string_equal(tu_cell(d, (guint)r, (guint)tu_col(d, "Nama")), "5171************");
	g_ptr_array_unref(d);
	d = sheet(root, "20261124", "Pemohon");
	r = tu_find_row(d, tu_col(d, "NIP"), "198805052012122001");
	assert_true(r > 0);
	assert_string_equal(tu_cell(d, (guint)r, (guint)tu_col(d, "Jabatan")), "5171************");
	g_ptr_array_unref(d);

	/* The run log. */
	assert_cmd_no_stray_nik(root, "cat", "var/log", "/*");
	g_free(out);
	g_free(err);
	tu_root_free(root);
}

/* ---- file names that are not fit to print ----------------------------------- */

/* SRC (or TEXT when SRC is NULL) as ROOT/inbox/KIND/NAME, NAME raw bytes. */
static void drop_named(const char *root, const char *kind, const char *name, const char *src,
		       const char *text)
{
	char *dir = g_build_filename(root, "inbox", kind, NULL);
	char *p = g_build_filename(dir, name, NULL);

	if (src)
		tu_copy(src, p);
	else
		tu_write_str(p, text);
	g_free(p);
	g_free(dir);
}

/* The first row of SHEET whose column 0 (or any column when COL < 0)
 * contains NEEDLE, or -1. */
static int row_containing(GPtrArray *sheet_rows, int col, const char *needle)
{
	for (guint r = 0; r < sheet_rows->len; r++) {
		GPtrArray *cells = sheet_rows->pdata[r];

		for (guint c = 0; c < cells->len; c++)
			if ((col < 0 || (guint)col == c) && strstr(cells->pdata[c], needle))
				return (int)r;
	}
	return -1;
}

static void test_odd_file_names(void **state)
{
	static const char *const sheets[] = { "Ringkasan", "Pemohon", "Ditolak", "Verifikasi",
					      "Riwayat", "Status tak dikenal" };
	char *root = tu_root_new(NULL);
	char *err = NULL, *out = NULL, *src, *p;
	GPtrArray *d;

	(void)state;
	src = tu_sample("forms/form-responses-en.csv");
	drop_named(root, "forms", "\xff\xfe-ekspor.csv", src, NULL);
	g_free(src);
	src = tu_sample("forms/form-responses-id-sheet.csv");
	drop_named(root, "forms", "a\n2026-11-24T01:00:00+0800 intake[1] FORGED.csv", src, NULL);
	g_free(src);
	drop_named(root, "forms", "bad\xc3-\x1b[31m.csv", NULL, "nik,nama\n1,2\n");
	src = tu_sample("status/portal-users.csv");
	drop_named(root, "status", "\xff\xfe-status.csv", src, NULL);
	g_free(src);
	drop_named(root, "status", "q\xff\nFORGED2.csv", NULL, "x\n");
	src = tu_shared("corpus/pdf/other/endesive__pdf-acrobat.pdf");
	drop_named(root, "signed", "\xff\xfe-ttd\n.pdf", src, NULL);
	g_free(src);
	drop_named(root, "signed", "z\xfe.pdf", NULL, "bukan pdf");
	assert_int_equal(tu_tte(root, DAY, NULL, &err, "run", NULL), 0);
	/* stderr: escaped names, no line of the file name's own */
	assert_non_null(strstr(err, "q\\xFF\\nFORGED2.csv"));
	assert_true(g_utf8_validate(err, -1, NULL));
	assert_null(strstr(err, "\nFORGED2"));
	assert_null(strchr(err, '\x1b'));

	/* Every XML part of the workbook parses; every sheet is there and
	 * complete, the rows after the odd names included. */
	p = tu_path(root, "outbox/reports");
	assert_int_equal(tu_sh(NULL, "cd '%s' && rm -rf x && mkdir x && cd x && unzip -q "
			       "../laporan-20261124.xlsx && find . -type f -exec xmllint --noout {} +",
			       p), 0);
	g_free(p);
	for (size_t i = 0; i < G_N_ELEMENTS(sheets); i++) {
		d = sheet(root, "20261124", sheets[i]);
		g_ptr_array_unref(d);
	}
	d = sheet(root, "20261124", "Ringkasan");
	assert_true(row_containing(d, 0, "\\xFF\\xFE-ekspor.csv") > 0);
	assert_true(row_containing(d, 0, "a\\n2026-11-24T01:00:00+0800 intake[1] FORGED.csv") > 0);
	assert_true(row_containing(d, 0, "\\xFF\\xFE-status.csv") > 0);
	assert_true(row_containing(d, 0, "forms/bad\\xC3-\\x1B[31m.csv") >
		    row_containing(d, 0, "Berkas dikarantina hari ini"));
	assert_true(row_containing(d, 0, "status/q\\xFF\\nFORGED2.csv") > 0);
	assert_true(row_containing(d, 0, "signed/z\\xFE.pdf") > 0);
	g_ptr_array_unref(d);
	d = sheet(root, "20261124", "Verifikasi");
	assert_true(row_containing(d, -1, "\\xFF\\xFE-ttd\\n.pdf") > 0);
	g_ptr_array_unref(d);
	d = sheet(root, "20261124", "Riwayat");
	assert_true(row_containing(d, -1, "\\xFF\\xFE-ekspor.csv") > 0);
	assert_true(row_containing(d, -1, "\\xFF\\xFE-status.csv") > 0);
	assert_true(d->len > 12);	/* 12 form rows and the status changes */
	g_ptr_array_unref(d);

	/* The verification JSON parses and names the file the same way. */
	p = tu_path(root, "outbox/verification");
	assert_int_equal(tu_sh(&out, "jq -r .file '%s'/*.json", p), 0);
	assert_string_equal(out, "\\xFF\\xFE-ttd\\n.pdf\n");
	g_free(out);
	g_free(p);

	/* The log: every line is one of tte's, none of a file name's. */
	p = tu_path(root, "var/log");
	assert_int_equal(tu_sh(&out, "cat '%s'/*", p), 0);
	{
		GRegex *re = g_regex_new("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
					 "[+-][0-9]{4} [a-z]+\\[[0-9]+\\] ", 0, 0, NULL);
		gchar **lines = g_strsplit(out, "\n", -1);
		int n = 0;

		assert_true(g_utf8_validate(out, -1, NULL));
		for (gchar **l = lines; *l; l++) {
			if (!**l)
				continue;
			if (!g_regex_match(re, *l, 0, NULL) ||
			    g_str_has_prefix(*l, "2026-11-24T01:00:00+0800 intake[1]"))
				fail_msg("not a line of tte's: %s", *l);
			n++;
		}
		assert_true(n > 20);
		g_strfreev(lines);
		g_regex_unref(re);
	}
	assert_non_null(strstr(out, "forms/a\\n2026-11-24T01:00:00+0800 intake[1] FORGED.csv: 6 rows"));
	g_free(out);
	g_free(p);
	g_free(err);
	tu_root_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_redrop_and_cumulative),
		cmocka_unit_test(test_known_rows),
		cmocka_unit_test(test_sheet_row_limit),
		cmocka_unit_test(test_migrate_v4_raw_keys),
		cmocka_unit_test(test_latest_wins),
		cmocka_unit_test(test_migrate_v1),
		cmocka_unit_test(test_migrate_v2_check),
		cmocka_unit_test(test_migrate_v5_check),
		cmocka_unit_test(test_db_fault_report),
		cmocka_unit_test(test_db_fault_intake_show),
		cmocka_unit_test(test_long_cell_cut),
		cmocka_unit_test(test_orphan_superseded),
		cmocka_unit_test(test_orphan_older_than_applicant),
		cmocka_unit_test(test_accept_waiver),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_invalid_utf8_and_locales),
		cmocka_unit_test(test_symlink_settle_and_dotfiles),
		cmocka_unit_test(test_disk_full_report),
		cmocka_unit_test(test_sigkill_during_intake),
		cmocka_unit_test(test_lock_and_exit_codes),
		cmocka_unit_test(test_modes_logs_show),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_odd_file_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
