/*
 * unit_table - the CSV reader (table_read_csv) cell by cell: what a row
 * hands over for each wanted column (text, length, the invalid-UTF-8
 * flag), wherever in a cell an invalid byte sits (the reader checks
 * cells eight bytes at a time before GLib's validation), and that a
 * column nobody asked for is never looked at.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "testutil.h"
#include "table.h"

static const char *const a_nik[] = { "nik", NULL };
static const char *const a_name[] = { "nama", NULL };
static const struct table_col cols[] = {
	{ a_nik, true, "NIK" }, { a_name, true, "Nama" },
};

/* "row|nik|nama|len of nama|bad nik|bad nama" per row */
static int on_row(void *ud, const struct table_row *r)
{
	g_ptr_array_add(ud, g_strdup_printf("%ld|%s|%s|%zu|%d|%d", r->row_no, r->val[0], r->val[1],
					    r->len[1], r->bad_utf8[0], r->bad_utf8[1]));
	return TABLE_OK;
}

static int on_header(void *ud, const struct table_header *h, char **why)
{
	(void)ud;
	(void)why;
	assert_non_null(h->names[0]);
	assert_non_null(h->names[1]);
	return TABLE_OK;
}

/* The rows of CSV TEXT, as on_row writes them. */
static GPtrArray *read_csv(const char *text)
{
	char *path = g_build_filename(g_get_tmp_dir(), "unit-table.csv", NULL);
	GPtrArray *rows = g_ptr_array_new_with_free_func(g_free);
	char *why = NULL;
	int fd;

	tu_write_str(path, text);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(table_read_csv(fd, cols, 2, on_header, on_row, rows, &why), TABLE_OK);
	assert_null(why);
	close(fd);
	unlink(path);
	g_free(path);
	return rows;
}

static void test_cells(void **state)
{
	/* A Latin-1 byte where the reader wants UTF-8 becomes U+FFFD. */
	static const struct {
		const char *cell, *want;
		bool bad;
	} cases[] = {
		{ "Ida Bagus Made Adnyana Putra Wijaya", "Ida Bagus Made Adnyana Putra Wijaya", false },
		{ "Ida Bagus Made Adnyana Putr\xc3\xa9", "Ida Bagus Made Adnyana Putr\xc3\xa9", false },
		{ "\xc3\xa9", "\xc3\xa9", false },
		{ "Ida Bagus Made\xe9 Adnyana", "Ida Bagus Made\xef\xbf\xbd Adnyana", true },
		{ "Ida Bagus Made \xe9", "Ida Bagus Made \xef\xbf\xbd", true },	/* 16th byte */
		{ "Ida Bagus\xe9", "Ida Bagus\xef\xbf\xbd", true },		/* past the last 8 */
		{ "\xe9", "\xef\xbf\xbd", true },
		{ "Ni Luh Putu Sari Dewi Ayu\xe2\x80",	/* a cut sequence: one per byte */
		  "Ni Luh Putu Sari Dewi Ayu\xef\xbf\xbd\xef\xbf\xbd", true },
		{ "", "", false },
	};
	GString *csv = g_string_new("NIK,Catatan,Nama\n");
	GPtrArray *rows;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		g_string_append_printf(csv, "51080%zu,\"catatan \xff%zu\",\"%s\"\n", i, i,
				       cases[i].cell);
	rows = read_csv(csv->str);
	assert_int_equal(rows->len, G_N_ELEMENTS(cases));
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *want = g_strdup_printf("%zu|51080%zu|%s|%zu|0|%d", i + 2, i, cases[i].want,
					     strlen(cases[i].want), cases[i].bad);

		assert_string_equal(g_ptr_array_index(rows, i), want);
		g_free(want);
	}
	g_ptr_array_unref(rows);
	g_string_free(csv, TRUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cells),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
