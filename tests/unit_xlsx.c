/*
 * unit_xlsx - the XLSX reader (table_read_xlsx) on workbooks written by
 * libxlsxwriter and by hand: shared and inline strings, numbers, several
 * sheets, a title above the header, and the bad files a verifier can drop.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "testutil.h"
#include "xlsxfix.h"
#include "table.h"

static const char *const a_nik[] = { "nik", "no ktp", NULL };
static const char *const a_email[] = { "email", "emailaddress", NULL };
static const char *const a_status[] = { "status sertifikat", "status", NULL };
static const char *const a_name[] = { "nama", "name", NULL };
static const struct table_col cols[] = {
	{ a_nik, false, "NIK" }, { a_email, false, "Email" }, { a_status, false, "Status" },
	{ a_name, false, "Nama" },
};

struct got {
	GPtrArray *rows;	/* "row|nik|email|status|nama" */
	char *sheet, *created;
	long header_row;
	int header_calls;
};

static int on_header(void *ud, const struct table_header *h, char **why)
{
	struct got *g = ud;

	g->header_calls++;
	if ((!h->names[0] && !h->names[1]) || !h->names[2]) {
		*why = g_strdup_printf("kolom NIK/Email dan Status tidak ada (%d kolom)",
				       h->file_columns);
		return TABLE_BAD;
	}
	g_free(g->sheet);
	g_free(g->created);
	g->sheet = g_strdup(h->sheet);
	g->created = g_strdup(h->created);
	g->header_row = h->row_no;
	return TABLE_OK;
}

static int on_row(void *ud, const struct table_row *r)
{
	struct got *g = ud;

	g_ptr_array_add(g->rows, g_strdup_printf("%ld|%s|%s|%s|%s", r->row_no, r->val[0], r->val[1],
						 r->val[2], r->val[3]));
	return TABLE_OK;
}

/* Read PATH; returns the status, rows in G, reason in *WHY. */
static int readx(const char *path, struct got *g, char **why)
{
	int fd = open(path, O_RDONLY);
	int rc;

	assert_true(fd >= 0);
	memset(g, 0, sizeof(*g));
	g->rows = g_ptr_array_new_with_free_func(g_free);
	rc = table_read_xlsx(fd, cols, 4, on_header, on_row, g, why);
	close(fd);
	return rc;
}

static void got_free(struct got *g)
{
	g_ptr_array_unref(g->rows);
	g_free(g->sheet);
	g_free(g->created);
}

static char *tmpfile_path(const char *name)
{
	return g_build_filename(g_get_tmp_dir(), name, NULL);
}

/* libxlsxwriter: shared strings, NIK as a number, a title row and a blank
 * row above the header. */
static void test_writer(void **state)
{
	char *p = tmpfile_path("unit-xlsx-writer.xlsx");
	const char *cells[] = {
		"Daftar Pengguna BSrE", NULL, NULL, NULL, NULL,
		NULL, NULL, NULL, NULL, NULL,
		"No", "Nama", "NIK", "Email", "Status Sertifikat",
		"1", "Ni Made Contoh", "5108050101900001", "a@undiksha.ac.id", "ISSUE",
		"2", "I Wayan & <Contoh>", "'5108050101900002", "b@undiksha.ac.id", "issued",
		NULL, NULL, NULL, NULL, NULL,
		"3", "Kadek Ketiga", "5108050101900003", "", "NEW",
	};
	const bool numeric[] = { true, false, true, false, false };
	struct got g;
	char *why = NULL;

	(void)state;
	xf_xlsx_writer(p, "Data Pengguna", 7, 5, cells, numeric, 1795000000);
	assert_int_equal(readx(p, &g, &why), TABLE_OK);
	assert_null(why);
	assert_string_equal(g.sheet, "Data Pengguna");
	assert_int_equal(g.header_row, 3);
	assert_int_equal(g.header_calls, 2);	/* the title row, then the header */
	assert_non_null(g.created);
	assert_string_equal(g.created, "2026-11-18T11:06:40Z");
	assert_int_equal(g.rows->len, 3);
	assert_string_equal(g.rows->pdata[0], "4|5108050101900001|a@undiksha.ac.id|ISSUE|Ni Made Contoh");
	assert_string_equal(g.rows->pdata[1],
			    "5|'5108050101900002|b@undiksha.ac.id|issued|I Wayan & <Contoh>");
	assert_string_equal(g.rows->pdata[2], "7|5108050101900003||NEW|Kadek Ketiga");
	got_free(&g);
	unlink(p);
	g_free(p);
}

/* By hand, as other tools write: an "Info" sheet first, inline strings,
 * NIKs as numbers in exponent form (one with its digits lost), rich text
 * and phonetic runs, a shared string, booleans, core properties. */
static void test_raw(void **state)
{
	char *p = tmpfile_path("unit-xlsx-raw.xlsx");
	const char *names[] = { "Info", "Pengguna" };
	char *info, *users;
	const char *data[2];
	struct got g;
	char *why = NULL;

	(void)state;
	{
		char *a1 = xf_istr("A1", "Diekspor dari portal"), *a2 = xf_istr("A2", "Tanggal");
		char *b2 = xf_istr("B2", "2026-11-24");

		info = g_strdup_printf("<row r=\"1\">%s</row><row r=\"2\">%s%s</row>", a1, a2, b2);
		g_free(a1);
		g_free(a2);
		g_free(b2);
	}
	users = g_strconcat(
		"<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>emailAddress</t></is></c>"
		"<c r=\"B1\" t=\"inlineStr\"><is><t>nik</t></is></c>"
		"<c r=\"C1\" t=\"inlineStr\"><is><t>status</t></is></c>"
		"<c r=\"E1\" t=\"s\"><v>0</v></c></row>",
		"<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>x@undiksha.ac.id</t></is></c>"
		"<c r=\"B2\"><v>5.108050101900001E+15</v></c>"
		"<c r=\"C2\" t=\"inlineStr\"><is><r><t>IS</t></r><r><rPr><b/></rPr><t>SUE</t></r>"
		"<rPh sb=\"0\" eb=\"1\"><t>ignored</t></rPh></is></c>"
		"<c r=\"E2\" t=\"inlineStr\"><is><t xml:space=\"preserve\"> Dewa  Ayu </t></is></c></row>",
		"<row r=\"4\"><c r=\"B4\" t=\"n\"><v>5.10805E+15</v></c>"
		"<c r=\"C4\" t=\"str\"><f>A1</f><v>expired</v></c><c r=\"D4\" t=\"b\"><v>1</v></c>"
		"<c r=\"E4\" t=\"s\"><v>1</v></c></row>",
		"<row><c t=\"inlineStr\"><is><t>y@undiksha.ac.id</t></is></c><c><v>5108050101900009.0</v>"
		"</c><c t=\"inlineStr\"><is><t><![CDATA[Revoke]]></t></is></c></row>",
		NULL);
	data[0] = info;
	data[1] = users;
	xf_xlsx_raw(p, 2, names, data, "<si><t>Nama</t></si><si><r><t>I Gede</t></r>"
		    "<r><t xml:space=\"preserve\"> Uji &amp; Coba</t></r></si>",
		    "2026-11-24T02:30:00Z");
	assert_int_equal(readx(p, &g, &why), TABLE_OK);
	assert_string_equal(g.sheet, "Pengguna");
	assert_string_equal(g.created, "2026-11-24T02:30:00Z");
	assert_int_equal(g.header_row, 1);
	assert_int_equal(g.rows->len, 3);
	assert_string_equal(g.rows->pdata[0], "2|5108050101900001|x@undiksha.ac.id|ISSUE| Dewa  Ayu ");
	assert_string_equal(g.rows->pdata[1], "4|5.10805E+15||expired|I Gede Uji & Coba");
	assert_string_equal(g.rows->pdata[2], "5|5108050101900009|y@undiksha.ac.id|Revoke|");
	got_free(&g);
	g_free(info);
	g_free(users);
	unlink(p);
	g_free(p);
}

/* Expect TABLE_BAD with a reason containing NEEDLE. */
static void expect_bad(const char *path, const char *needle)
{
	struct got g;
	char *why = NULL;
	int rc = readx(path, &g, &why);

	if (rc != TABLE_BAD || !why || !strstr(why, needle))
		fail_msg("%s: rc %d, why \"%s\", wanted \"%s\"", path, rc, why ? why : "(null)",
			 needle);
	assert_int_equal(g.rows->len, 0);
	got_free(&g);
	g_free(why);
}

static void test_bad(void **state)
{
	char *p = tmpfile_path("unit-xlsx-bad.xlsx");
	const char *one[] = { "Sheet1" };
	const char *data[1];
	char *big;
	size_t n;
	char *zip;

	(void)state;
	tu_write_str(p, "NIK,Status\n5108050101900001,ISSUE\n");
	expect_bad(p, "bukan XLSX (bukan arsip ZIP)");

	{
		static const char ole[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 rest of an OLE file";

		tu_write(p, ole, sizeof(ole) - 1);
	}
	expect_bad(p, "Excel lama (.xls) atau XLSX yang dilindungi kata sandi");

	/* A workbook cut short by an interrupted download. */
	data[0] = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>NIK</t></is></c></row>";
	xf_xlsx_raw(p, 1, one, data, NULL, NULL);
	zip = tu_read(p, &n);
	tu_write(p, zip, n / 2);
	g_free(zip);
	expect_bad(p, "rusak");

	data[0] = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Laporan</t></is></c></row>";
	xf_xlsx_raw(p, 1, one, data, NULL, NULL);
	expect_bad(p, "tidak ada lembar dengan judul kolom yang dikenali; lembar \"Sheet1\" baris 1:"
		   " kolom NIK/Email dan Status tidak ada (1 kolom)");

	data[0] = "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>7</v></c><c r=\"B1\" t=\"inlineStr\"><is><t>"
		  "Status</t></is></c></row>";
	xf_xlsx_raw(p, 1, one, data, "<si><t>NIK</t></si>", NULL);
	expect_bad(p, "merujuk string bersama yang tidak ada");

	data[0] = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>NIK</t></is></c>";	/* unclosed */
	xf_xlsx_raw(p, 1, one, data, NULL, NULL);
	expect_bad(p, "bukan XML yang sah");

	xf_zip(p, "xl/workbook.xml", "<?xml version=\"1.0\"?><!DOCTYPE lol [<!ENTITY a \"aaaa\">]>"
	       "<workbook><sheets><sheet name=\"x\" r:id=\"rId1\"/></sheets></workbook>", NULL);
	expect_bad(p, "DOCTYPE");

	xf_zip(p, "docProps/app.xml", "<x/>", NULL);
	expect_bad(p, "tidak berisi lembar kerja");

	/* A zip bomb in miniature: a 17 MiB workbook.xml. */
	big = g_malloc(17 << 20);
	memset(big, ' ', 17 << 20);
	big[(17 << 20) - 1] = 0;
	memcpy(big, "<workbook>", 10);
	xf_zip(p, "xl/workbook.xml", big, NULL);
	expect_bad(p, "lebih dari 16 MiB setelah diekstrak");

	/* One cell over the field cap. */
	{
		GString *s = g_string_new("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>NIK</t></is>"
					  "</c><c r=\"B1\" t=\"inlineStr\"><is><t>Status</t></is></c>"
					  "</row><row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>");

		memset(big, 'x', (1 << 20) + 10);
		g_string_append_len(s, big, (1 << 20) + 10);
		g_string_append(s, "</t></is></c></row>");
		data[0] = s->str;
		xf_xlsx_raw(p, 1, one, data, NULL, NULL);
		g_string_free(s, TRUE);
		expect_bad(p, "baris 2 berisi sel lebih dari 1024 KiB");
	}
	g_free(big);
	unlink(p);
	g_free(p);
}

/* 64 sheet entries naming one member: the member is unpacked once, and
 * all members together count against the workbook's cap. */
static void test_shared_member(void **state)
{
	char *p = tmpfile_path("unit-xlsx-shared.xlsx");
	gint64 t0;

	(void)state;
	xf_xlsx_shared_member(p, 64, 8LL << 20);
	/* 64 reads of 8 MiB would pass 100 MiB; one read does not. */
	table_xlsx_set_max_inflated(100LL << 20);
	t0 = g_get_monotonic_time();
	expect_bad(p, "buku kerja kosong");
	assert_true(g_get_monotonic_time() - t0 < 20 * G_USEC_PER_SEC);
	/* a member that declares more than the cap is refused before it is
	 * inflated */
	table_xlsx_set_max_inflated(4LL << 20);
	expect_bad(p, "bagian xl/worksheets/sheet1.xml berukuran 8 MiB setelah diekstrak, lebih "
		   "dari batas 4 MiB");
	table_xlsx_set_max_inflated(0);
	unlink(p);
	g_free(p);
}

/* A row callback's error stops the read with TABLE_ABORT. */
static int abort_row(void *ud, const struct table_row *r)
{
	(void)ud;
	(void)r;
	return TABLE_ABORT;
}

static void test_abort(void **state)
{
	char *p = tmpfile_path("unit-xlsx-abort.xlsx");
	const char *cells[] = { "NIK", "Status", "5108050101900001", "ISSUE" };
	struct got g = { 0 };
	char *why = NULL;
	int fd;

	(void)state;
	xf_xlsx_writer(p, "S", 2, 2, cells, NULL, 0);
	fd = open(p, O_RDONLY);
	g.rows = g_ptr_array_new_with_free_func(g_free);
	assert_int_equal(table_read_xlsx(fd, cols, 4, on_header, abort_row, &g, &why), TABLE_ABORT);
	assert_null(why);
	close(fd);
	got_free(&g);
	unlink(p);
	g_free(p);
}

/* What the first bytes say, for ingest (which reader) and the CSV reader
 * (which complaint): one table of magic numbers. */
static void test_sniff(void **state)
{
	static const struct {
		const char *head;
		size_t n;
		enum table_sniff kind;
	} cases[] = {
		{ "PK\x03\x04\x14\x00", 6, TABLE_SNIFF_ZIP },
		{ "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8, TABLE_SNIFF_OLE2 },
		{ "%PDF-1.7\n", 9, TABLE_SNIFF_PDF },
		{ "\xFF\xFEN\x00", 4, TABLE_SNIFF_UTF16 },
		{ "NIK\x00,Status", 11, TABLE_SNIFF_BINARY },
		{ "NIK,Status\n", 11, TABLE_SNIFF_TEXT },
		{ "PK", 2, TABLE_SNIFF_TEXT },
		{ "", 0, TABLE_SNIFF_TEXT },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const unsigned char *h = (const unsigned char *)cases[i].head;
		char *why = table_sniff_binary(h, cases[i].n);

		assert_int_equal(table_sniff(h, cases[i].n), cases[i].kind);
		if (cases[i].kind == TABLE_SNIFF_TEXT)
			assert_null(why);
		else
			assert_non_null(why);
		g_free(why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_abort),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_shared_member),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
