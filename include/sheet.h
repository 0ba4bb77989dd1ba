/*
 * sheet.h - writing tables into XLSX workbooks with libxlsxwriter, the
 * way every tte workbook looks: a bold frozen header row with an
 * autofilter, set column widths, dates as real Excel dates, and tables
 * longer than Excel's row limit continued on "<name> (2)", "<name> (3)".
 * Printed, a table sheet is A4 landscape, one page wide, with its header
 * row repeated on every page and the sheet's name in the page header.
 *
 * Workbooks are opened in constant-memory mode with their temporary files
 * under var/tmp (they hold personal data), written to a dot-named temporary
 * file and renamed into place by book_close(); memory stays flat whatever
 * the row count.
 */
#ifndef TTE_SHEET_H
#define TTE_SHEET_H

#include <stdbool.h>
#include <stdint.h>
#include <xlsxwriter.h>

struct tte_ctx;

struct book {
	lxw_workbook *wb;
	char *path;		/* final path */
	char *tmp;		/* temporary path being written */
	lxw_format *bold, *title, *date, *datetime, *wrap, *num;
	bool mask_ids;		/* runs of 16+ digits masked in text cells (NIPs kept) */
};

/* A column of a table sheet. */
struct sheet_col {
	const char *header;
	double width;
};

struct sheet {
	struct book *book;
	lxw_worksheet *ws;
	char *name;
	int part;
	const struct sheet_col *cols;
	int ncols;
	long long rows_left;	/* data rows expected (for the autofilter) */
	long long per_part;	/* data rows a worksheet holds (sheet_rows_per_part) */
	uint32_t row;		/* next row to write in this worksheet */
	bool failed;
};

/* Begin the workbook that will be PATH. 0 / -1 (logged). */
int book_open(struct book *b, const struct tte_ctx *ctx, const char *path);

/* Write it out and rename into place; on failure (a full disk) the
 * temporary file is removed and the old PATH, if any, stays. 0 / -1. */
int book_close(struct book *b);

/* Drop an unfinished workbook. */
void book_abort(struct book *b);

/* A table sheet NAME with COLS; TOTAL is the number of data rows that will
 * follow (sizes the autofilter; more rows still work). */
void sheet_begin(struct sheet *s, struct book *b, const char *name, const struct sheet_col *cols,
		 int ncols, long long total);

/* Data rows one worksheet of a table holds: Excel's 1,048,576 rows less the
 * header. Test builds take a smaller figure from TTE_TEST_SHEET_ROWS
 * (testhook.h), so a test can pass the limit with a few rows. */
long long sheet_rows_per_part(void);

/* Worksheets a table of ROWS data rows takes: "<name>", "<name> (2)", ... */
long long sheet_parts(long long rows);

/* Start the next data row (rolling over to a new worksheet when full). */
void sheet_row(struct sheet *s);

/*
 * Write TEXT (NULL or "": nothing) at ROW, COL of WS in B with format F
 * (may be NULL), fit for display (fs_display_name: valid UTF-8, control
 * characters escaped, so the sheet's XML stays well-formed) and, when
 * B->mask_ids, with every run of 16 or more digits masked
 * (rules_mask_id_runs), and cut to what a cell holds (32,767 characters)
 * ending in SHEET_CUT_MARK. Every text cell of a tte workbook goes through
 * it. 0, or -1 (logged) when libxlsxwriter refuses the cell: the caller
 * must not commit the workbook (book_abort).
 */
int book_text(struct book *b, lxw_worksheet *ws, uint32_t row, int col, const char *text,
	      lxw_format *f);

/* Cells of the current row (book_text). NULL or "" text writes nothing. A
 * refused write is logged and sets s->failed. */
void sheet_text(struct sheet *s, int col, const char *text);
void sheet_int(struct sheet *s, int col, long long v);
/* A UTC "YYYY-MM-DDTHH:MM:SSZ" shown as local date-time with OFFSET
 * seconds east of UTC; a bare "YYYY-MM-DD" as a date. Unparseable text is
 * written as text. */
void sheet_time(struct sheet *s, int col, const char *iso, int offset);

void sheet_release(struct sheet *s);

/* What ends a text cut to fit a cell, so a reader sees it is not whole. */
#define SHEET_CUT_MARK "\u2026 [dipotong]"

/* A number in one cell outside a table sheet (a summary). 0 / -1
 * (logged). */
int sheet_cell_number(lxw_worksheet *ws, uint32_t row, int col, double v, lxw_format *f);

/* Print setup of a free-form sheet WS (not a table: Ringkasan): A4
 * landscape like the tables, columns 0..LAST_COL and rows 0..LAST_ROW
 * printed, at the scale that fits WIDTH_CHARS (the printed columns' widths
 * added up, in characters) one page wide. BREAKS (0-terminated, may be
 * NULL) are rows that start a new page, so that a chart beginning there
 * prints whole. 0 / -1 (logged). */
int sheet_print_fixed(lxw_worksheet *ws, double width_chars, lxw_row_t last_row,
		       lxw_col_t last_col, lxw_row_t *breaks);

/* Parse "YYYY-MM-DD[THH:MM:SS[Z]]" to unix seconds (UTC). 0 / -1. */
int sheet_parse_utc(const char *iso, int64_t *out, bool *has_time);

#endif
