/*
 * e2e_inbox - the inbox skeleton the three inbox stages share (intake:
 * forms, ingest: status, verify: signed), run through the built binary:
 * a move that fails after the commit, a file that vanishes while the
 * inbox is listed, and moves that never replace a file. Rare events are
 * forced with the TTE_TEST_* hooks (testhook.h) of the ASan build.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>

#include "testutil.h"

#define DAY "2026-11-24"
#define NEXT_DAY "2026-11-25"

static const char *const HEADER =
	"\"Timestamp\",\"Email Address\",\"Password\",\"NIK\",\"NIP\",\"Nama (Tanpa Gelar)\","
	"\"Email Undiksha\",\"Golongan\",\"Jabatan\",\"Foto KTP\",\"Unit Kerja\"\n";

/* A one-row form export whose bytes differ with N. */
static char *form_export(int n)
{
	return g_strdup_printf("%s\"2026/11/10 1:%02d:%02d PM GMT+8\",\"made@undiksha.ac.id\","
			       "\"x\",\"5108050101900001\",\"199001012015031001\","
			       "\"I Made Contoh\",\"made@undiksha.ac.id\",\"III/b\",\"Dosen\","
			       "\"https://drive.google.com/open?id=KTP\",\"Fakultas Teknik\"\n",
			       HEADER, n / 60, n % 60);
}

static void put(const char *root, const char *rel, const char *content)
{
	char *p = tu_path(root, rel);

	tu_write_str(p, content);
	g_free(p);
}

static bool exists(const char *root, const char *rel)
{
	char *p = tu_path(root, rel);
	bool e = g_file_test(p, G_FILE_TEST_EXISTS);

	g_free(p);
	return e;
}

static char *sql(const char *root, const char *q)
{
	return tu_sql(root, q);
}

/* ---- a move that fails after the commit ------------------------------------ */

struct kind {
	const char *kind;	/* inbox folder */
	const char *stage;	/* the command of the first night: the stage, or "run" */
	const char *name;	/* the file dropped */
	const char *source;	/* its content: a file under tests/data */
	const char *count;	/* SQL: what the stage committed from it */
};

static const struct kind kinds[] = {
	{ "forms", "intake", "jawaban.csv", "samples/forms/form-responses-en.csv",
	  "SELECT count(*) FROM submissions" },
	/* the whole night once: ingest comes fifth, the report last */
	{ "status", "run", "status-2026-11-24.csv", "samples/status/portal-users.csv",
	  "SELECT sum(rows) FROM inputs WHERE kind='status'" },
	{ "signed", "verify", "surat.pdf",
	  "corpus/pdf/other/node-signpdf__resources_signed-once.pdf",
	  "SELECT count(*) FROM verifications" },
};

/*
 * One behaviour for every inbox stage: the move after the commit fails,
 * the data is committed, so the stage succeeds (in `tte run` the later
 * stages run: the report is written) and warns; the next run retires the
 * file without reading it again.
 */
static void test_move_fails_after_commit(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		const struct kind *K = &kinds[k];
		char *root = tu_root_new(NULL);
		char *src = tu_shared(K->source);
		char *rel = g_build_filename("inbox", K->kind, K->name, NULL);
		char *dst = tu_path(root, rel);
		char *err = NULL, *v, *want;
		long long committed;
		int rc;

		print_message("inbox/%s/\n", K->kind);
		tu_copy(src, dst);
		setenv("TTE_TEST_MOVE_FAIL", K->name, 1);
		rc = tu_tte(root, DAY, NULL, &err, K->stage, NULL);
		unsetenv("TTE_TEST_MOVE_FAIL");
		if (rc)
			fail_msg("%s: tte %s exited %d: %s", K->kind, K->stage, rc, err);
		want = g_strdup_printf("%s/%s sudah diproses tetapi belum dapat dipindahkan dari "
				       "inbox; run berikutnya memindahkannya", K->kind, K->name);
		if (!strstr(err, want))
			fail_msg("%s: no warning in: %s", K->kind, err);
		g_free(want);
		g_free(err);
		/* committed, still in the inbox, and the night went on */
		assert_true(exists(root, rel));
		committed = tu_sql_int(root, K->count);
		assert_true(committed > 0);
		if (!strcmp(K->stage, "run"))
			assert_true(exists(root, "outbox/reports/laporan-20261124.xlsx"));
		v = sql(root, "SELECT stored FROM inputs");
		want = g_strdup_printf("var/processed/%s/20261124", K->kind);
		assert_string_equal(v, want);
		g_free(want);
		g_free(v);

		/* The next run only retires it. */
		err = NULL;
		rc = tu_tte(root, NEXT_DAY, NULL, &err, K->stage, NULL);
		if (rc)
			fail_msg("%s: the next tte %s exited %d: %s", K->kind, K->stage, rc, err);
		assert_null(strstr(err, "belum dapat dipindahkan"));
		g_free(err);
		assert_false(exists(root, rel));
		assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM inputs"), 1);
		assert_int_equal(tu_sql_int(root, K->count), committed);
		v = sql(root, "SELECT stored FROM inputs");
		want = g_strdup_printf("var/processed/%s/20261125/%s", K->kind, K->name);
		assert_string_equal(v, want);
		assert_true(exists(root, want));
		g_free(want);
		g_free(v);

		g_free(dst);
		g_free(rel);
		g_free(src);
		tu_root_free(root);
	}
}

/* ---- a file that vanishes while the inbox is listed ---------------------------- */

/* Taken back between readdir and lstat: skipped, nothing freed twice (ASan
 * aborts the stage otherwise), the other file read as usual. */
static void test_vanish_while_listed(void **state)
{
	char *root = tu_root_new(NULL);
	char *a = form_export(1), *b = form_export(2), *err = NULL;
	int rc;

	(void)state;
	put(root, "inbox/forms/a.csv", a);
	put(root, "inbox/forms/hilang.csv", b);
	setenv("TTE_TEST_VANISH", "hilang.csv", 1);
	rc = tu_tte(root, DAY, NULL, &err, "intake", NULL);
	unsetenv("TTE_TEST_VANISH");
	if (rc)
		fail_msg("tte intake exited %d: %s", rc, err);
	g_free(err);
	assert_false(exists(root, "inbox/forms/hilang.csv"));
	assert_int_equal(tu_count_files(root, "var/quarantine/forms"), 0);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM quarantine"), 0);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM inputs WHERE name='a.csv'"), 1);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM inputs"), 1);
	assert_true(exists(root, "var/processed/forms/20261124/a.csv"));
	g_free(a);
	g_free(b);
	tu_root_free(root);
}

/* ---- moves never replace a file ---------------------------------------------- */

/* Drop N exports all named x.csv, one a run: each lands under its own
 * name, byte for byte, beside a file that was there before. */
static void same_name_drops(int n, bool no_renameat2)
{
	char *root = tu_root_new(NULL);
	char *dir = tu_path(root, "var/processed/forms/20261124");

	g_mkdir_with_parents(dir, 0700);
	put(root, "var/processed/forms/20261124/x.2.csv", "there before");
	if (no_renameat2)
		setenv("TTE_TEST_NO_RENAMEAT2", "1", 1);
	for (int i = 0; i < n; i++) {
		char *data = form_export(i), *err = NULL;
		int rc;

		put(root, "inbox/forms/x.csv", data);
		rc = tu_tte(root, DAY, NULL, &err, "intake", NULL);
		if (rc)
			fail_msg("drop %d: tte intake exited %d: %s", i, rc, err);
		g_free(err);
		g_free(data);
	}
	unsetenv("TTE_TEST_NO_RENAMEAT2");
	assert_int_equal(tu_count_files(root, "inbox/forms"), 0);
	assert_int_equal(tu_count_files(root, "var/processed/forms/20261124"), n + 1);
	{
		char *p = tu_path(root, "var/processed/forms/20261124/x.2.csv");
		char *old = tu_read(p, NULL);

		assert_string_equal(old, "there before");
		g_free(old);
		g_free(p);
	}
	/* the i-th drop, under the i-th free name, as recorded */
	for (int i = 0, slot = 0; i < n; i++, slot++) {
		char *name, *rel, *p, *got, *want = form_export(i), *q, *v;
		struct stat st;

		if (slot == 2)
			slot++;
		name = slot ? g_strdup_printf("x.%d.csv", slot) : g_strdup("x.csv");
		rel = g_build_filename("var/processed/forms/20261124", name, NULL);
		p = tu_path(root, rel);
		got = tu_read(p, NULL);
		assert_string_equal(got, want);
		assert_int_equal(lstat(p, &st), 0);
		assert_int_equal(st.st_nlink, 1);
		q = g_strdup_printf("SELECT stored FROM inputs WHERE id=%d", i + 1);
		v = sql(root, q);
		assert_string_equal(v, rel);
		g_free(v);
		g_free(q);
		g_free(got);
		g_free(want);
		g_free(p);
		g_free(rel);
		g_free(name);
	}
	g_free(dir);
	tu_root_free(root);
}

static void test_same_name_drops(void **state)
{
	(void)state;
	same_name_drops(6, false);
}

/* A file system without RENAME_NOREPLACE: link + unlink, same result. */
static void test_same_name_drops_without_renameat2(void **state)
{
	(void)state;
	same_name_drops(6, true);
}

/*
 * Whatever the count: with x.txt and x.1.txt to x.9999.txt already taken,
 * a new x.txt becomes x.10000.txt and replaces none of them. The taken
 * names are hard links to one file (cheap to make): its link count says
 * that every one of them still stands.
 */
static void test_ten_thousand_taken_names(void **state)
{
	char *root = tu_root_new(NULL);
	char *dir = tu_path(root, "var/quarantine/forms");
	char *keep = tu_path(root, "keep");
	char *err = NULL, *p, *got;
	struct stat st;
	int rc, taken = 10000;

	(void)state;
	g_mkdir_with_parents(dir, 0700);
	tu_write_str(keep, "there before");
	for (int i = 0; i < taken; i++) {
		char *name = i ? g_strdup_printf("x.%d.txt", i) : g_strdup("x.txt");

		p = g_build_filename(dir, name, NULL);
		if (link(keep, p))
			fail_msg("link %s: %s", p, strerror(errno));
		g_free(p);
		g_free(name);
	}
	put(root, "inbox/forms/x.txt", "bukan ekspor");
	rc = tu_tte(root, DAY, NULL, &err, "intake", NULL);
	if (rc)
		fail_msg("tte intake exited %d: %s", rc, err);
	g_free(err);
	assert_int_equal(stat(keep, &st), 0);
	assert_int_equal(st.st_nlink, taken + 1);
	p = g_build_filename(dir, "x.10000.txt", NULL);
	got = tu_read(p, NULL);
	assert_string_equal(got, "bukan ekspor");
	g_free(got);
	g_free(p);
	assert_true(exists(root, "var/quarantine/forms/x.10000.txt.why"));
	assert_false(exists(root, "inbox/forms/x.txt"));
	g_free(keep);
	g_free(dir);
	tu_root_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_move_fails_after_commit),
		cmocka_unit_test(test_vanish_while_listed),
		cmocka_unit_test(test_same_name_drops),
		cmocka_unit_test(test_same_name_drops_without_renameat2),
		cmocka_unit_test(test_ten_thousand_taken_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
