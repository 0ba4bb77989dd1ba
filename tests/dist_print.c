/*
 * dist_print - the admins' workbook as printed: the XLSX says every table
 * sheet is landscape, one page wide, its header row repeated, frozen and
 * filtered; LibreOffice (headless, Calibri's metrics through Carlito)
 * turns it into a PDF where Ringkasan is four pages, its charts whole on
 * pages of their own, and every page of Pemohon holds all its columns.
 * Pages are told apart by the sheet name each page header carries.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "testutil.h"

static const char *const tables[] = { "Pemohon", "Ditolak", "Verifikasi", "Riwayat",
				      "Status tak dikenal" };

static const char *const pemohon_cols[] = { "No", "NIP", "Nama", "NIK", "Email", "Unit Kerja",
	"Golongan", "Pangkat", "Jabatan", "No. Telepon", "Status", "Sejak", "Diajukan", "Catatan",
	"ID Surat", "Tanggal Surat", "Bundel" };

struct fixture {
	char *root;
	char *xlsx;
	char *tmp;
};

/* A night of 300 synthetic applicants (a tenth rejected) in 13 units. */
static int setup(void **state)
{
	struct fixture *f = g_new0(struct fixture, 1);
	char *csv, *err = NULL;

	f->root = tu_root_new(NULL);
	f->tmp = g_dir_make_tmp("tte-print-XXXXXX", NULL);
	assert_int_equal(tu_tte(f->root, NULL, NULL, NULL, "init", NULL), 0);
	csv = tu_path(f->root, "inbox/forms/form.csv");
	tu_gen_forms(csv, "--rows 300 --seed 7 --invalid 10");
	if (tu_tte(f->root, "2026-11-20", NULL, &err, "run", NULL))
		fail_msg("tte run: %s", err);
	f->xlsx = tu_path(f->root, "outbox/reports/laporan-20261120.xlsx");
	g_free(err);
	g_free(csv);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tu_root_free(f->root);
	tu_sh(NULL, "rm -rf '%s'", f->tmp);
	g_free(f->tmp);
	g_free(f->xlsx);
	g_free(f);
	return 0;
}

/* Member MEMBER of the XLSX, whole. */
static char *member(const char *xlsx, const char *name)
{
	char *out = NULL;

	if (tu_sh(&out, "unzip -p '%s' '%s'", xlsx, name))
		fail_msg("unzip %s %s", xlsx, name);
	return out;
}

static void test_page_setup(void **state)
{
	struct fixture *f = *state;
	char *wb = member(f->xlsx, "xl/workbook.xml");

	for (size_t t = 0; t < G_N_ELEMENTS(tables); t++) {
		/* Sheets are numbered in the order workbook.xml lists them. */
		char *tag = g_strdup_printf("<sheet name=\"%s\"", tables[t]), *ws, *sheet, *want;
		const char *p = strstr(wb, tag);
		int n = 1;

		assert_non_null(p);
		for (const char *q = strstr(wb, "<sheet name="); q && q < p;
		     q = strstr(q + 1, "<sheet name="))
			n++;
		sheet = g_strdup_printf("xl/worksheets/sheet%d.xml", n);
		ws = member(f->xlsx, sheet);
		assert_non_null(strstr(ws, "orientation=\"landscape\""));
		assert_non_null(strstr(ws, "<pageSetUpPr fitToPage=\"1\"/>"));
		assert_non_null(strstr(ws, "fitToHeight=\"0\""));
		assert_null(strstr(ws, "fitToWidth="));	/* the default: 1 */
		assert_non_null(strstr(ws, "<pane ySplit=\"1\" topLeftCell=\"A2\""
				       " activePane=\"bottomLeft\" state=\"frozen\"/>"));
		assert_non_null(strstr(ws, "<autoFilter ref=\"A1:"));
		/* The header row printed on every page. */
		want = g_strdup_printf("<definedName name=\"_xlnm.Print_Titles\""
				       " localSheetId=\"%d\">", n - 1);
		assert_non_null(strstr(wb, want));
		g_free(want);
		g_free(ws);
		g_free(sheet);
		g_free(tag);
	}
	g_free(wb);
}

/* The text of each page of PDF, and the sheet each came from (the page
 * header's left part). */
static void pdf_pages(const char *pdf, GPtrArray *texts, GPtrArray *sheets)
{
	char *out = NULL;
	int pages = 0;

	assert_int_equal(tu_sh(&out, "pdfinfo '%s' | sed -n 's/^Pages: *//p'", pdf), 0);
	pages = atoi(out);
	g_free(out);
	assert_true(pages > 0);
	for (int i = 1; i <= pages; i++) {
		char *t = NULL;
		const char *h;

		assert_int_equal(tu_sh(&t, "pdftotext -layout -f %d -l %d '%s' -", i, i, pdf), 0);
		h = t + strspn(t, " \n");
		g_ptr_array_add(sheets, g_strndup(h, strstr(h, "  ") ? (size_t)(strstr(h, "  ") - h)
								     : strcspn(h, "\n")));
		g_ptr_array_add(texts, t);
	}
}

static void test_pdf(void **state)
{
	struct fixture *f = *state;
	GPtrArray *texts = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *sheets = g_ptr_array_new_with_free_func(g_free);
	char *pdf = g_build_filename(f->tmp, "laporan-20261120.pdf", NULL), *out = NULL;
	GPtrArray *ring = g_ptr_array_new(), *pemohon = g_ptr_array_new();

	if (tu_sh(&out, "cd '%s' && HOME='%s' soffice --headless"
		  " -env:UserInstallation=file://'%s'/lo --convert-to pdf --outdir '%s' '%s' 2>&1",
		  f->tmp, f->tmp, f->tmp, f->tmp, f->xlsx) ||
	    !g_file_test(pdf, G_FILE_TEST_EXISTS))
		fail_msg("soffice --convert-to pdf: %s", out);
	g_free(out);
	pdf_pages(pdf, texts, sheets);
	for (guint i = 0; i < sheets->len; i++) {
		if (!strcmp(sheets->pdata[i], "Ringkasan"))
			g_ptr_array_add(ring, texts->pdata[i]);
		if (!strcmp(sheets->pdata[i], "Pemohon"))
			g_ptr_array_add(pemohon, texts->pdata[i]);
	}
	/* Ringkasan: two pages of tables one page wide (the by-unit table's
	 * last column on the first), then each chart whole on its own page:
	 * title and categories on the same page. (LibreOffice writes a chart's
	 * text clipped onto the page above too, so only presence is asserted.) */
	assert_int_equal(ring->len, 4);
	assert_non_null(strstr(ring->pdata[0], "BUNDLED"));
	assert_non_null(strstr(ring->pdata[2], "Pemohon menurut status"));
	assert_non_null(strstr(ring->pdata[2], "REJECTED"));
	assert_non_null(strstr(ring->pdata[2], "BUNDLED"));
	assert_non_null(strstr(ring->pdata[3], "Pemohon menurut unit kerja"));
	assert_non_null(strstr(ring->pdata[3], "UPT TIK"));
	assert_non_null(strstr(ring->pdata[3], "Fakultas Bahasa dan Seni"));
	/* Pemohon: several pages down, each with the header row and so every
	 * column: none on a page of its own. */
	assert_true(pemohon->len >= 2);
	for (guint i = 0; i < pemohon->len; i++)
		for (size_t c = 0; c < G_N_ELEMENTS(pemohon_cols); c++)
			if (!strstr(pemohon->pdata[i], pemohon_cols[c]))
				fail_msg("Pemohon page %u of %u lacks column %s", i + 1, pemohon->len,
					 pemohon_cols[c]);
	/* Every page belongs to a sheet of the workbook. */
	for (guint i = 0; i < sheets->len; i++) {
		bool known = !strcmp(sheets->pdata[i], "Ringkasan");

		for (size_t t = 0; t < G_N_ELEMENTS(tables); t++)
			known = known || !strcmp(sheets->pdata[i], tables[t]);
		if (!known)
			fail_msg("page %u has header \"%s\"", i + 1, (char *)sheets->pdata[i]);
	}
	print_message("PDF: %u pages, Ringkasan %u, Pemohon %u\n", sheets->len, ring->len,
		      pemohon->len);
	g_ptr_array_unref(ring);
	g_ptr_array_unref(pemohon);
	g_ptr_array_unref(texts);
	g_ptr_array_unref(sheets);
	g_free(pdf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_setup),
		cmocka_unit_test(test_pdf),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
