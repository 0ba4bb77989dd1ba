/*
 * gen-status - synthetic BSrE status exports for the benchmark, the fuzz
 * seeds and the demo, naming the people of a form export (gen-forms or a
 * sample), so that they match the applicants intake made of it.
 *
 *   gen-status --forms FORMS.CSV [--rows N] [--seed S] [--unknown PCT]
 *              [--dup PCT] [--format csv|xlsx|xlsx-inline] -o OUT
 *
 * One row per form row (or N rows, cycling), in the portal's shape: No,
 * Nama, NIK, NIP, Email, Status Pengguna, Status Sertifikat, Serial Number,
 * Berlaku Sampai. Statuses are mixed (mostly ISSUE) and written the ways
 * tools write them ("ISSUE", "Issued", "issue", "New" ...). PCT percent of
 * rows name people tte does not know, and PCT percent repeat a person
 * with an older, revoked certificate. Formats: CSV; XLSX as Excel writes
 * it (a shared-strings table of distinct texts, numbers and dates as
 * numbers); XLSX with inline strings and NIKs as numbers in exponent form,
 * as other tools write. The XLSX is streamed through libarchive,
 * so a million rows need no memory to speak of. Same arguments, same bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <glib.h>

#include "table.h"
#include "synth.h"
#include "tte.h"

static const char *const a_nik[] = { "nik", NULL };
static const char *const a_nip[] = { "nip", NULL };
static const char *const a_name[] = { "nama tanpa gelar", "nama", NULL };
static const char *const a_email[] = { "email undiksha", "email", NULL };
static const struct table_col form_cols[] = {
	{ a_nik, true, "NIK" }, { a_nip, true, "NIP" }, { a_name, true, "Nama" },
	{ a_email, true, "Email Undiksha" },
};

struct person {
	char nik[17], nip[19], name[128], email[128];
};

static GArray *people;	/* struct person */

static int on_header(void *ud, const struct table_header *h, char **why)
{
	(void)ud;
	for (int i = 0; i < 4; i++)
		if (!h->names[i]) {
			*why = g_strdup_printf("no %s column", form_cols[i].label);
			return TABLE_BAD;
		}
	return TABLE_OK;
}

static int on_row(void *ud, const struct table_row *r)
{
	struct person p;

	(void)ud;
	g_strlcpy(p.nik, r->val[0], sizeof(p.nik));
	g_strlcpy(p.nip, r->val[1], sizeof(p.nip));
	g_strlcpy(p.name, r->val[2], sizeof(p.name));
	g_strlcpy(p.email, r->val[3], sizeof(p.email));
	g_array_append_val(people, p);
	return TABLE_OK;
}

/* The cells of one generated row. */
struct row {
	char no[16], nik[20], nip[20], name[128], email[128], user[16], cert[32], serial[20],
	     until[24];
};

#define NCOLS 9
static const char *const header[NCOLS] = { "No", "Nama", "NIK", "NIP", "Email",
	"Status Pengguna", "Status Sertifikat", "Serial Number", "Berlaku Sampai" };

static const char *cells(const struct row *r, int c)
{
	const char *v[NCOLS] = { r->no, r->name, r->nik, r->nip, r->email, r->user, r->cert,
				 r->serial, r->until };

	return v[c];
}

static int unknown_pct, dup_pct, seed = 1;

/* Row I (0-based) of the export, the same on every call. */
static void make_row(long i, struct row *r, bool *dup_next)
{
	static const char *const issued[] = { "ISSUE", "Issued", "issue", "ISSUE", "ISSUE" };
	static const char *const other[] = { "NEW", "New", "ENROLL", "WAITING_FOR_VERIFICATION",
		"EXPIRED", "Renew", "revoke", "SUSPEND", "DENIED", "Expired" };
	const struct person *p;
	uint32_t k;

	rng_state = ((uint64_t)seed << 40) ^ (0x5151ull * (uint64_t)(i + 1));
	memset(r, 0, sizeof(*r));
	g_snprintf(r->no, sizeof(r->no), "%ld", i + 1);
	p = &g_array_index(people, struct person, (guint)i % people->len);
	k = rnd() % 100;
	if ((int)k < unknown_pct) {
		/* Someone tte never saw: a Jakarta NIK nobody submitted. */
		g_snprintf(r->nik, sizeof(r->nik), "31710101%02u%02u%04u", 1 + rnd() % 28,
			   1 + rnd() % 12, 1 + rnd() % 9999);
		g_snprintf(r->nip, sizeof(r->nip), "19800101200501100%u", rnd() % 10);
		g_snprintf(r->name, sizeof(r->name), "Pengguna Lain %ld", i + 1);
		g_snprintf(r->email, sizeof(r->email), "lain%ld@example.go.id", i + 1);
	} else {
		g_strlcpy(r->nik, p->nik, sizeof(r->nik));
		g_strlcpy(r->nip, p->nip, sizeof(r->nip));
		g_strlcpy(r->name, p->name, sizeof(r->name));
		g_strlcpy(r->email, p->email, sizeof(r->email));
	}
	k = rnd() % 100;
	if (k < 60) {
		g_strlcpy(r->cert, issued[rnd() % ARRAY_SIZE(issued)], sizeof(r->cert));
		g_strlcpy(r->user, "VERIFIED", sizeof(r->user));
		g_snprintf(r->until, sizeof(r->until), "2028-%02u-%02u 10:00:00", 1 + rnd() % 12,
			   1 + rnd() % 28);
	} else if (k < 70) {
		g_strlcpy(r->user, "NEW", sizeof(r->user));	/* account, no certificate */
	} else {
		g_strlcpy(r->cert, other[rnd() % ARRAY_SIZE(other)], sizeof(r->cert));
		g_strlcpy(r->user, rnd() % 2 ? "VERIFIED" : "UPDATE", sizeof(r->user));
	}
	if (*r->cert)
		g_snprintf(r->serial, sizeof(r->serial), "%08X%08X", rnd(), rnd());
	*dup_next = (int)(rnd() % 100) < dup_pct;
}

/* The same person again with an old, revoked certificate. */
static void make_dup(struct row *r)
{
	g_strlcpy(r->cert, "REVOKE", sizeof(r->cert));
	g_strlcpy(r->until, "2025-01-01 10:00:00", sizeof(r->until));
	g_snprintf(r->serial, sizeof(r->serial), "%08X%08X", rnd(), rnd());
}

/* Calls FN for every row of the export, duplicates included. */
static void each_row(long n, void (*fn)(const struct row *r, void *ud), void *ud)
{
	for (long i = 0; i < n; i++) {
		struct row r;
		bool dup;

		make_row(i, &r, &dup);
		fn(&r, ud);
		if (dup) {
			make_dup(&r);
			fn(&r, ud);
		}
	}
}

/* ---- CSV ------------------------------------------------------------------------- */

static void csv_field(FILE *f, const char *s, bool last)
{
	if (strpbrk(s, ",\"\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputc(last ? '\n' : ',', f);
}

static void csv_row(const struct row *r, void *ud)
{
	for (int c = 0; c < NCOLS; c++)
		csv_field(ud, cells(r, c), c == NCOLS - 1);
}

/* ---- XLSX, streamed ------------------------------------------------------------------ */

struct zw {
	struct archive *a;
	GString *buf;
	bool inline_strings;
	long row, sst_next;
};

static void zw_flush(struct zw *z, bool force)
{
	if (z->buf->len < (1 << 20) && !force)
		return;
	if (z->buf->len && archive_write_data(z->a, z->buf->str, z->buf->len) < 0) {
		fprintf(stderr, "gen-status: %s\n", archive_error_string(z->a));
		exit(1);
	}
	g_string_truncate(z->buf, 0);
}

static void zw_begin(struct zw *z, const char *name)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, 1767225600, 0);
	/* Size unknown: the zip entry gets a data descriptor, as streaming
	 * writers produce. */
	if (archive_write_header(z->a, e) != ARCHIVE_OK) {
		fprintf(stderr, "gen-status: %s\n", archive_error_string(z->a));
		exit(1);
	}
	archive_entry_free(e);
}

static void zw_member(struct zw *z, const char *name, const char *text)
{
	zw_begin(z, name);
	g_string_append(z->buf, text);
	zw_flush(z, true);
}

static void xml_text(GString *s, const char *t)
{
	for (; *t; t++) {
		if (*t == '&')
			g_string_append(s, "&amp;");
		else if (*t == '<')
			g_string_append(s, "&lt;");
		else if (*t == '>')
			g_string_append(s, "&gt;");
		else
			g_string_append_c(s, *t);
	}
}

static void col_ref(GString *s, int c, long row)
{
	g_string_append_printf(s, "%c%ld", 'A' + c, row);
}

static void sst_item(const char *t, struct zw *z)
{
	g_string_append(z->buf, "<si><t>");
	xml_text(z->buf, t);
	g_string_append(z->buf, "</t></si>");
	zw_flush(z, false);
}

/*
 * Excel's shape: one shared-strings item per distinct text. Columns of a
 * few values (statuses, dates) come first, from a fixed list; every other
 * text is unique in practice and gets its own item, in sheet order. "No"
 * is a number.
 */
static const char *const common[] = { "VERIFIED", "NEW", "UPDATE", "ISSUE", "Issued", "issue",
	"New", "ENROLL", "WAITING_FOR_VERIFICATION", "EXPIRED", "Renew", "revoke", "SUSPEND",
	"DENIED", "Expired", "REVOKE" };

static int common_index(const char *v)
{
	for (size_t i = 0; i < ARRAY_SIZE(common); i++)
		if (!strcmp(common[i], v))
			return (int)i;
	return -1;
}

static bool is_number_col(int c)
{
	return c == 0;
}

static void sst_row(const struct row *r, void *ud)
{
	for (int c = 0; c < NCOLS; c++)
		if (*cells(r, c) && !is_number_col(c) && common_index(cells(r, c)) < 0 &&
		    !(c == 8))
			sst_item(cells(r, c), ud);
}

static void sheet_row(const struct row *r, void *ud)
{
	struct zw *z = ud;

	z->row++;
	g_string_append_printf(z->buf, "<row r=\"%ld\">", z->row);
	for (int c = 0; c < NCOLS; c++) {
		const char *v = r ? cells(r, c) : header[c];

		if (!*v)
			continue;
		g_string_append(z->buf, "<c r=\"");
		col_ref(z->buf, c, z->row);
		if (z->inline_strings && r && (c == 0 || c == 2)) {
			/* No and NIK as numbers, the NIK in exponent form. */
			if (c == 2 && strlen(v) == 16)
				g_string_append_printf(z->buf, "\"><v>%c.%sE+15</v></c>", v[0], v + 1);
			else
				g_string_append_printf(z->buf, "\"><v>%s</v></c>", v);
		} else if (z->inline_strings) {
			g_string_append(z->buf, "\" t=\"inlineStr\"><is><t>");
			xml_text(z->buf, v);
			g_string_append(z->buf, "</t></is></c>");
		} else if (r && is_number_col(c)) {
			g_string_append_printf(z->buf, "\"><v>%s</v></c>", v);
		} else if (r && c == 8) {
			/* A date cell: Excel's serial number (days since 1899-12-30). */
			unsigned y, m, d;
			GDate g;

			sscanf(v, "%4u-%2u-%2u", &y, &m, &d);
			g_date_clear(&g, 1);
			g_date_set_dmy(&g, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
			g_string_append_printf(z->buf, "\" s=\"1\"><v>%u.4166666667</v></c>",
					       g_date_get_julian(&g) - 693594);
		} else if (r && common_index(v) >= 0) {
			g_string_append_printf(z->buf, "\" t=\"s\"><v>%d</v></c>", common_index(v));
		} else {
			g_string_append_printf(z->buf, "\" t=\"s\"><v>%ld</v></c>", z->sst_next++);
		}
	}
	g_string_append(z->buf, "</row>");
	zw_flush(z, false);
}

#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

static void write_xlsx(const char *path, long n, bool inline_strings)
{
	struct zw z = { .buf = g_string_new(NULL), .inline_strings = inline_strings,
			.sst_next = (long)ARRAY_SIZE(common) };

	z.a = archive_write_new();
	archive_write_set_format_zip(z.a);
	if (archive_write_open_filename(z.a, path) != ARCHIVE_OK) {
		fprintf(stderr, "gen-status: %s: %s\n", path, archive_error_string(z.a));
		exit(1);
	}
	zw_member(&z, "[Content_Types].xml",
		  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Types xmlns=\"http://schemas."
		  "openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" "
		  "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
		  "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
		  "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd."
		  "openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
		  "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd."
		  "openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
		  "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd."
		  "openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/></Types>");
	zw_member(&z, "_rels/.rels",
		  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships xmlns=\"http://schemas."
		  "openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\""
		  NS_REL "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
	zw_member(&z, "xl/workbook.xml",
		  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<workbook xmlns=\"" NS_MAIN "\" "
		  "xmlns:r=\"" NS_REL "\"><sheets><sheet name=\"Pengguna\" sheetId=\"1\" "
		  "r:id=\"rId1\"/></sheets></workbook>");
	zw_member(&z, "xl/_rels/workbook.xml.rels",
		  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships xmlns=\"http://schemas."
		  "openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\""
		  NS_REL "/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" "
		  "Type=\"" NS_REL "/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>");
	if (!inline_strings) {
		/* Every cell its own item, in sheet order: the sheet then counts. */
		zw_begin(&z, "xl/sharedStrings.xml");
		g_string_append(z.buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sst xmlns=\""
				NS_MAIN "\">");
		for (size_t i = 0; i < ARRAY_SIZE(common); i++)
			sst_item(common[i], &z);
		for (int c = 0; c < NCOLS; c++)
			sst_item(header[c], &z);
		each_row(n, sst_row, &z);
		g_string_append(z.buf, "</sst>");
		zw_flush(&z, true);
	}
	zw_begin(&z, "xl/worksheets/sheet1.xml");
	g_string_append(z.buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<worksheet xmlns=\""
			NS_MAIN "\" xmlns:r=\"" NS_REL "\"><sheetData>");
	sheet_row(NULL, &z);
	each_row(n, sheet_row, &z);
	g_string_append(z.buf, "</sheetData></worksheet>");
	zw_flush(&z, true);
	if (archive_write_close(z.a) != ARCHIVE_OK) {
		fprintf(stderr, "gen-status: %s: %s\n", path, archive_error_string(z.a));
		exit(1);
	}
	archive_write_free(z.a);
	g_string_free(z.buf, TRUE);
}

int main(int argc, char **argv)
{
	char *forms = NULL, *format = NULL, *out = NULL, *why = NULL;
	gint64 rows = 0;
	GOptionEntry entries[] = {
		{ "forms", 0, 0, G_OPTION_ARG_FILENAME, &forms, "form export naming the people", "CSV" },
		{ "rows", 0, 0, G_OPTION_ARG_INT64, &rows, "rows (default: one per form row)", "N" },
		{ "seed", 0, 0, G_OPTION_ARG_INT, &seed, "variation", "S" },
		{ "unknown", 0, 0, G_OPTION_ARG_INT, &unknown_pct, "percent unknown people", "PCT" },
		{ "dup", 0, 0, G_OPTION_ARG_INT, &dup_pct, "percent repeated people", "PCT" },
		{ "format", 0, 0, G_OPTION_ARG_STRING, &format, "csv, xlsx or xlsx-inline", "F" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &out, "output file", "PATH" },
		G_OPTION_ENTRY_NULL,
	};
	GOptionContext *oc = g_option_context_new("- synthetic BSrE status exports");
	GError *err = NULL;
	int fd;

	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &err) || !forms || !out) {
		fprintf(stderr, "gen-status: %s\n", err ? err->message : "--forms and -o are required");
		return 2;
	}
	g_option_context_free(oc);
	people = g_array_new(FALSE, FALSE, sizeof(struct person));
	fd = open(forms, O_RDONLY);
	if (fd < 0 || table_read_csv(fd, form_cols, 4, on_header, on_row, NULL, &why) ||
	    !people->len) {
		fprintf(stderr, "gen-status: %s: %s\n", forms, why ? why : fd < 0 ? strerror(errno)
			: "no rows");
		return 1;
	}
	close(fd);
	if (rows <= 0)
		rows = people->len;
	if (!format || !strcmp(format, "csv")) {
		FILE *f = fopen(out, "w");

		if (!f) {
			fprintf(stderr, "gen-status: %s: %s\n", out, strerror(errno));
			return 1;
		}
		for (int c = 0; c < NCOLS; c++)
			csv_field(f, header[c], c == NCOLS - 1);
		each_row(rows, csv_row, f);
		if (fclose(f)) {
			fprintf(stderr, "gen-status: %s: %s\n", out, strerror(errno));
			return 1;
		}
	} else if (!strcmp(format, "xlsx") || !strcmp(format, "xlsx-inline")) {
		write_xlsx(out, rows, !strcmp(format, "xlsx-inline"));
	} else {
		fprintf(stderr, "gen-status: unknown format %s\n", format);
		return 2;
	}
	g_array_free(people, TRUE);
	g_free(forms);
	g_free(format);
	g_free(out);
	return 0;
}
