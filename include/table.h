/*
 * table.h - reading tabular exports (CSV now; the status stage adds XLSX)
 * into rows of named columns.
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
 * is replaced and flagged per field. Parsing is libcsv with CSV_STRICT.
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
	char delimiter;			/* ',' ';' or '\t' */
};

/* One data row. Arrays are indexed by the caller's column index. */
struct table_row {
	long row_no;			/* spreadsheet row: the header is row 1 */
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
#define TABLE_MAX_FIELDS 2000		/* fields in one row */

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

/* Describe FD's first bytes when they are clearly not CSV text (zip/xlsx,
 * PDF, UTF-16, binary); NULL when they might be text. New string. */
char *table_sniff_binary(const unsigned char *head, size_t n);

#endif
