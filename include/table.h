/*
 * table.h - reading tabular exports (CSV and XLSX) into rows of named
 * columns.
 *
 * The caller names the columns it wants, each with the header spellings
 * it accepts (normalised: lower case, words separated by single spaces,
 * punctuation dropped: "Nama (Tanpa Gelar)" is "nama tanpa gelar"). The
 * reader finds them by header, hands over one row at a time, and never
 * copies a column nobody asked for (the form's Password column stays in
 * libcsv's buffer and is gone with the next field).
 *
 * Hostile input is expected: sizes are capped (field, fields per row),
 * binary and mis-named files are recognised and described, invalid UTF-8
 * is replaced and flagged per field. CSV parsing is libcsv with CSV_STRICT;
 * XLSX is libarchive (the zip) and libxml2's SAX2 push parser (the XML),
 * streamed, so a sheet of a million rows reads in constant memory (only
 * the workbook's shared-strings table is held, and it is capped).
 */
#ifndef TTE_TABLE_H
#define TTE_TABLE_H

#include <stdbool.h>
#include <stddef.h>

/* A column the caller wants. */
struct table_col {
	const char *const *aliases;	/* normalised header names, NULL-ended */
	bool required;
	const char *label;		/* how to name it when missing */
};

/* The header as found. Arrays are indexed by the caller's column index. */
struct table_header {
	int file_columns;		/* columns in the file's header row */
	const char *const *names;	/* header text as written; NULL if absent */
	bool indonesian;		/* header written in Indonesian locale */
	char delimiter;			/* ',' ';' or '\t'; 0 for XLSX */
	long row_no;			/* row of the header (1 for CSV) */
	const char *sheet;		/* XLSX: the worksheet's name; NULL for CSV */
	const char *created;		/* XLSX: docProps/core.xml dcterms:created as
					 * written (W3CDTF), or NULL */
};

/* One data row. Arrays are indexed by the caller's column index. */
struct table_row {
	long row_no;			/* spreadsheet row: CSV counts the header as
					 * row 1; XLSX gives the sheet's own row number */
	const char *const *val;		/* NUL-terminated text; "" when absent */
	const size_t *len;
	const bool *bad_utf8;		/* the field had invalid UTF-8 (replaced) */
};

/* Return 0 to go on; TABLE_BAD to reject the file (set *WHY); TABLE_ABORT to
 * stop because of an error of the caller's own (already logged). */
typedef int (*table_header_fn)(void *ud, const struct table_header *h, char **why);
typedef int (*table_row_fn)(void *ud, const struct table_row *r);

enum {
	TABLE_OK = 0,
	TABLE_BAD = -1,		/* the input is unusable: *WHY says why (Indonesian) */
	TABLE_ABORT = -2,	/* a callback or the system failed (logged) */
};

/* Caps on what one file may hold. */
#define TABLE_MAX_FIELD (1 << 20)	/* bytes in one field */
#define TABLE_MAX_FIELDS 2000		/* fields in one row (XLSX: cells right of
					 * this column are ignored) */

/* Caps on an XLSX workbook (a zip of XML members). */
#define TABLE_XLSX_MAX_ENTRIES 10000		/* members in the zip */
#define TABLE_XLSX_MAX_META (16 << 20)		/* workbook, rels, core.xml, unpacked */
#define TABLE_XLSX_MAX_SST_XML (1LL << 30)	/* sharedStrings.xml, unpacked */
#define TABLE_XLSX_MAX_SHEET_XML (4LL << 30)	/* one worksheet, unpacked */
#define TABLE_XLSX_MAX_STRINGS (16 << 20)	/* shared strings */
#define TABLE_XLSX_MAX_STRING_BYTES (256 << 20)	/* their text, together */
#define TABLE_XLSX_MAX_SHEETS 256		/* worksheets tried */
#define TABLE_XLSX_HEADER_ROWS 20		/* non-blank rows searched for a header */
#define TABLE_XLSX_MAX_INFLATED (1LL << 30)	/* default: all members together, unpacked */

/*
 * Cap the bytes one workbook may unpack, all members together (the
 * default TABLE_XLSX_MAX_INFLATED; 0 or less restores it). A workbook over
 * the cap is TABLE_BAD. Process-wide; set once before reading (ingest sets
 * it from [ingest] max_xlsx_inflated_mb).
 */
void table_xlsx_set_max_inflated(long long bytes);

/* Normalise a header text as described above. New string. */
char *table_normalise(const char *header);

/*
 * Read the CSV on FD from its start. Calls HEADER once (the caller checks
 * that what it needs is there), then ROW per non-blank data row. On
 * TABLE_BAD, *WHY (g_free) describes the problem for the verifier,
 * mentioning the row where one applies.
 */
int table_read_csv(int fd, const struct table_col *cols, int ncols, table_header_fn header,
		   table_row_fn row, void *ud, char **why);

/*
 * Read the XLSX workbook on FD (read by pread: FD's offset is not used).
 * The header is searched, sheet by sheet in workbook order, among the
 * first TABLE_XLSX_HEADER_ROWS non-blank rows (portal exports may have a
 * title above it): HEADER is called for each candidate row until it
 * accepts one (TABLE_OK), so it must not keep state from a call it
 * rejected. Each member is unpacked at most once, however many sheet
 * entries name it. The rows below the accepted header are then handed to ROW, in
 * the sheet's order; other sheets are not read. When no candidate in any
 * sheet is accepted, the reason HEADER gave for the candidate that matched
 * the most columns is returned as *WHY (TABLE_BAD).
 *
 * Cell values: shared and inline strings (rich-text runs joined, phonetic
 * runs dropped), formula results as cached, booleans as TRUE/FALSE, and
 * numbers as written in the file, except that an integer written in
 * exponent form with all its digits ("5.108050101900001E+15") is expanded
 * to its digits. A number whose digits were lost ("5.10802E+15") stays as
 * written, so the caller can say so. Dates arrive as Excel serial numbers.
 */
int table_read_xlsx(int fd, const struct table_col *cols, int ncols, table_header_fn header,
		    table_row_fn row, void *ud, char **why);

/*
 * Map a header row to the caller's columns, as both readers do: exact
 * (normalised) names first in alias order, then names that begin with an
 * alias ("NIK (sesuai KTP)"), each file column claimed once. NAMES holds
 * the N header texts as written (NULL for an empty cell). MAP[i] gets the
 * caller column of file column i, or -1; FOUND[c] the header text of
 * caller column c, or NULL. Returns how many caller columns were found;
 * *INDONESIAN tells an Indonesian-locale Forms header.
 */
int table_map_header(const struct table_col *cols, int ncols, char *const *names, int n,
		     int *map, const char **found, bool *indonesian);

/* What a file's first N bytes HEAD say it is. */
enum table_sniff {
	TABLE_SNIFF_TEXT,	/* might be CSV text */
	TABLE_SNIFF_ZIP,	/* a zip: XLSX, or an archive */
	TABLE_SNIFF_OLE2,	/* an OLE2 compound file: old Excel (.xls) */
	TABLE_SNIFF_PDF,
	TABLE_SNIFF_UTF16,	/* a UTF-16 byte order mark */
	TABLE_SNIFF_BINARY,	/* NUL bytes */
};
enum table_sniff table_sniff(const unsigned char *head, size_t n);

/* Describe a file's first bytes when they are clearly not CSV text (zip/xlsx,
 * PDF, old Excel, UTF-16, binary), for the verifier; NULL when they might be
 * text (table_sniff). New string. */
char *table_sniff_binary(const unsigned char *head, size_t n);

#endif
