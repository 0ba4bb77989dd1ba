/*
 * xlsxfix.h - XLSX files for tests, made two ways: with libxlsxwriter (as
 * tte and Excel write them: shared strings) and by hand with libarchive
 * (as other tools write them: inline strings, numbers in exponent form,
 * extra sheets, whatever XML a test needs).
 */
#ifndef TTE_XLSXFIX_H
#define TTE_XLSXFIX_H

#include <stdbool.h>

/* A zip at PATH from (member name, NUL-terminated content) pairs, NULL-ended. */
void xf_zip(const char *path, ...) __attribute__((sentinel));

/*
 * A hand-made workbook at PATH: NSHEETS sheets named NAMES whose
 * <sheetData> bodies are DATA (rows as XML); SST is the body of
 * sharedStrings.xml (<si> items) or NULL for none; CREATED the
 * dcterms:created value or NULL.
 */
void xf_xlsx_raw(const char *path, int nsheets, const char *const *names,
		 const char *const *data, const char *sst, const char *created);

/*
 * A hostile workbook at PATH: NENTRIES sheet entries in workbook.xml, all
 * pointing at the one member xl/worksheets/sheet1.xml, which holds about
 * MEMBER_BYTES of blank rows (deflated to about a thousandth of that).
 * Streamed: memory stays small whatever MEMBER_BYTES.
 */
void xf_xlsx_shared_member(const char *path, int nentries, long long member_bytes);

/* An inline-string cell <c r="REF" t="inlineStr"><is><t>TEXT</t></is></c>,
 * TEXT escaped. New string. */
char *xf_istr(const char *ref, const char *text);

/*
 * A workbook written with libxlsxwriter (shared strings): sheet SHEET with
 * ROWS rows of NCOLS cells (row-major, NULL for empty). Cells of the
 * columns flagged in NUMERIC (may be NULL) that hold digits only are
 * written as numbers. CREATED (unix time, 0 for now) sets the document's
 * creation time.
 */
void xf_xlsx_writer(const char *path, const char *sheet, int nrows, int ncols,
		    const char *const *cells, const bool *numeric, long long created);

#endif
