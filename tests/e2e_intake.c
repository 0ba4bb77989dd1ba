/*
 * e2e_intake - the built binary on temporary roots: drop Google Form
 * exports into inbox/forms/, run `tte run`, read the workbook back.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "testutil.h"

static char *report(const char *root, const char *day)
{
	char *rel = g_strdup_printf("outbox/reports/laporan-%s.xlsx", day);
	char *p = tu_path(root, rel);

	g_free(rel);
	return p;
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

/* The two sample exports: 11 people, the Indonesian sheet's bad rows
 * rejected with their column and reason; NIK masked. */
static void test_samples(void **state)
{
	char *root = tu_root_new(NULL);
	char *xlsx;
	GPtrArray *p, *d;
	int st, nik, r;

	(void)state;
	assert_int_equal(tu_tte(root, NULL, NULL, NULL, "init", NULL), 0);
	drop_sample(root, "forms/form-responses-en.csv");
	drop_sample(root, "forms/form-responses-id-sheet.csv");
	assert_int_equal(tu_tte(root, "2026-11-24", NULL, NULL, "run", NULL), 0);
	xlsx = report(root, "20261124");
	p = tu_xlsx_sheet(xlsx, "Pemohon");
	assert_non_null(p);
	assert_int_equal(p->len, 1 + 11);	/* header + one row per NIK */
	st = tu_col(p, "Status");
	nik = tu_col(p, "NIK");
	assert_true(st >= 0 && nik >= 0);
	r = tu_find_row(p, tu_col(p, "NIP"), "199705072025042101");
	assert_true(r > 0);
	/* accepted, and the same night given a letter and bundled */
	assert_string_equal(tu_cell(p, (guint)r, (guint)st), "BUNDLED");
	assert_string_equal(tu_cell(p, (guint)r, (guint)nik), "5107**********01");
	r = tu_find_row(p, tu_col(p, "NIP"), "199611242019082108");
	assert_string_equal(tu_cell(p, (guint)r, (guint)st), "REJECTED");

	d = tu_xlsx_sheet(xlsx, "Ditolak");
	assert_non_null(d);
	assert_int_equal(d->len, 1 + 4);
	r = tu_find_row(d, tu_col(d, "Kolom"), "NIK");
	assert_true(r > 0);
	assert_string_equal(tu_cell(d, (guint)r, (guint)tu_col(d, "Alasan")),
			    "NIK harus 16 digit, terisi 15 digit");
	assert_string_equal(tu_cell(d, (guint)r, (guint)tu_col(d, "Berkas")),
			    "form-responses-id-sheet.csv");
	assert_string_equal(tu_cell(d, (guint)r, (guint)tu_col(d, "Baris")), "2");
	g_ptr_array_unref(p);
	g_ptr_array_unref(d);
	g_free(xlsx);
	tu_root_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
