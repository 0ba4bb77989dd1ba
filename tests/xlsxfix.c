/*
 * xlsxfix.c - see xlsxfix.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <archive.h>
#include <archive_entry.h>
#include <glib.h>
#include <xlsxwriter.h>

#include "testutil.h"
#include "xlsxfix.h"

static void zip_add(struct archive *a, const char *name, const char *data)
{
	struct archive_entry *e = archive_entry_new();
	size_t n = strlen(data);

	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, (la_int64_t)n);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, 1767225600, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    (n && archive_write_data(a, data, n) != (la_ssize_t)n))
		fail_msg("zip %s: %s", name, archive_error_string(a));
	archive_entry_free(e);
}

void xf_zip(const char *path, ...)
{
	struct archive *a = archive_write_new();
	va_list ap;

	archive_write_set_format_zip(a);
	if (archive_write_open_filename(a, path) != ARCHIVE_OK)
		fail_msg("zip %s: %s", path, archive_error_string(a));
	va_start(ap, path);
	for (const char *name = va_arg(ap, const char *); name; name = va_arg(ap, const char *))
		zip_add(a, name, va_arg(ap, const char *));
	va_end(ap);
	if (archive_write_close(a) != ARCHIVE_OK)
		fail_msg("zip %s: %s", path, archive_error_string(a));
	archive_write_free(a);
}

char *xf_istr(const char *ref, const char *text)
{
	char *esc = g_markup_escape_text(text, -1);
	char *c = g_strdup_printf("<c r=\"%s\" t=\"inlineStr\"><is><t>%s</t></is></c>", ref, esc);

	g_free(esc);
	return c;
}

#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

void xf_xlsx_raw(const char *path, int nsheets, const char *const *names,
		 const char *const *data, const char *sst, const char *created)
{
	GString *wb = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
				   "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\"><sheets>");
	GString *rels = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships "
				     "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
	GString *ct = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Types xmlns=\""
				   "http://schemas.openxmlformats.org/package/2006/content-types\">"
				   "<Default Extension=\"rels\" ContentType=\"application/"
				   "vnd.openxmlformats-package.relationships+xml\"/>"
				   "<Default Extension=\"xml\" ContentType=\"application/xml\"/>");
	struct archive *a = archive_write_new();

	for (int i = 0; i < nsheets; i++) {
		char *esc = g_markup_escape_text(names[i], -1);

		g_string_append_printf(wb, "<sheet name=\"%s\" sheetId=\"%d\" r:id=\"rId%d\"/>", esc,
				       i + 1, i + 1);
		g_string_append_printf(rels, "<Relationship Id=\"rId%d\" Type=\"" NS_REL "/worksheet\" "
				       "Target=\"worksheets/sheet%d.xml\"/>", i + 1, i + 1);
		g_free(esc);
	}
	g_string_append(wb, "</sheets></workbook>");
	g_string_append(rels, "</Relationships>");
	g_string_append(ct, "</Types>");

	archive_write_set_format_zip(a);
	if (archive_write_open_filename(a, path) != ARCHIVE_OK)
		fail_msg("zip %s: %s", path, archive_error_string(a));
	zip_add(a, "[Content_Types].xml", ct->str);
	zip_add(a, "_rels/.rels", "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas."
		"openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\""
		NS_REL "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
	if (created) {
		char *core = g_strdup_printf("<?xml version=\"1.0\"?><cp:coreProperties xmlns:cp=\""
					     "http://schemas.openxmlformats.org/package/2006/metadata/"
					     "core-properties\" xmlns:dcterms=\"http://purl.org/dc/terms/\""
					     " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
					     "<dcterms:created xsi:type=\"dcterms:W3CDTF\">%s"
					     "</dcterms:created></cp:coreProperties>", created);

		zip_add(a, "docProps/core.xml", core);
		g_free(core);
	}
	/* Sheets before the workbook, as some tools order them. */
	for (int i = 0; i < nsheets; i++) {
		char *name = g_strdup_printf("xl/worksheets/sheet%d.xml", i + 1);
		char *xml = g_strdup_printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<worksheet "
					    "xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\"><sheetData>"
					    "%s</sheetData></worksheet>", data[i]);

		zip_add(a, name, xml);
		g_free(name);
		g_free(xml);
	}
	zip_add(a, "xl/workbook.xml", wb->str);
	zip_add(a, "xl/_rels/workbook.xml.rels", rels->str);
	if (sst) {
		char *x = g_strdup_printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sst xmlns=\""
					  NS_MAIN "\">%s</sst>", sst);

		zip_add(a, "xl/sharedStrings.xml", x);
		g_free(x);
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		fail_msg("zip %s: %s", path, archive_error_string(a));
	archive_write_free(a);
	g_string_free(wb, TRUE);
	g_string_free(rels, TRUE);
	g_string_free(ct, TRUE);
}

void xf_xlsx_shared_member(const char *path, int nentries, long long member_bytes)
{
	static const char head[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<worksheet xmlns=\""
				   NS_MAIN "\"><sheetData>";
	static const char tail[] = "</sheetData></worksheet>";
	GString *wb = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<workbook xmlns=\""
				   NS_MAIN "\" xmlns:r=\"" NS_REL "\"><sheets>");
	GString *rels = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships "
				     "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	char *rows = g_malloc(1 << 20);
	long long body = member_bytes - (long long)(sizeof(head) - 1) - (long long)(sizeof(tail) - 1);

	for (int i = 0; i < nentries; i++) {
		g_string_append_printf(wb, "<sheet name=\"S%d\" sheetId=\"%d\" r:id=\"rId%d\"/>", i + 1,
				       i + 1, i + 1);
		g_string_append_printf(rels, "<Relationship Id=\"rId%d\" Type=\"" NS_REL "/worksheet\" "
				       "Target=\"%sworksheets/sheet1.xml\"/>", i + 1,
				       i % 2 ? "/xl/" : "");
	}
	g_string_append(wb, "</sheets></workbook>");
	g_string_append(rels, "</Relationships>");
	for (size_t i = 0; i < (1 << 20); i += 6)
		memcpy(rows + i, "<row/>", (1 << 20) - i < 6 ? (1 << 20) - i : 6);
	body -= body % 6;

	archive_write_set_format_zip(a);
	if (archive_write_open_filename(a, path) != ARCHIVE_OK)
		fail_msg("zip %s: %s", path, archive_error_string(a));
	zip_add(a, "xl/workbook.xml", wb->str);
	zip_add(a, "xl/_rels/workbook.xml.rels", rels->str);
	archive_entry_set_pathname(e, "xl/worksheets/sheet1.xml");
	archive_entry_set_size(e, (la_int64_t)(sizeof(head) - 1 + body + sizeof(tail) - 1));
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, 1767225600, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    archive_write_data(a, head, sizeof(head) - 1) != (la_ssize_t)(sizeof(head) - 1))
		fail_msg("zip %s: %s", path, archive_error_string(a));
	/* Whole chunks of 1 MiB minus a remainder of "<row/>" (6 bytes). */
	for (long long left = body; left > 0;) {
		size_t n = left > (1 << 20) - (1 << 20) % 6 ? (size_t)((1 << 20) - (1 << 20) % 6)
							    : (size_t)left;

		if (archive_write_data(a, rows, n) != (la_ssize_t)n)
			fail_msg("zip %s: %s", path, archive_error_string(a));
		left -= (long long)n;
	}
	if (archive_write_data(a, tail, sizeof(tail) - 1) != (la_ssize_t)(sizeof(tail) - 1) ||
	    archive_write_close(a) != ARCHIVE_OK)
		fail_msg("zip %s: %s", path, archive_error_string(a));
	archive_entry_free(e);
	archive_write_free(a);
	g_free(rows);
	g_string_free(wb, TRUE);
	g_string_free(rels, TRUE);
}

static bool digits_only(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

void xf_xlsx_writer(const char *path, const char *sheet, int nrows, int ncols,
		    const char *const *cells, const bool *numeric, long long created)
{
	lxw_workbook *wb = workbook_new(path);
	lxw_worksheet *ws;
	lxw_doc_properties props = { 0 };

	if (!wb)
		fail_msg("libxlsxwriter: cannot create %s", path);
	if (created) {
		props.created = (time_t)created;
		workbook_set_properties(wb, &props);
	}
	ws = workbook_add_worksheet(wb, sheet);
	for (int r = 0; r < nrows; r++) {
		for (int c = 0; c < ncols; c++) {
			const char *v = cells[r * ncols + c];

			if (!v)
				continue;
			if (numeric && numeric[c] && r > 0 && digits_only(v))
				worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)c, strtod(v, NULL),
						       NULL);
			else
				worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, v, NULL);
		}
	}
	if (workbook_close(wb) != LXW_NO_ERROR)
		fail_msg("libxlsxwriter: cannot write %s", path);
}
