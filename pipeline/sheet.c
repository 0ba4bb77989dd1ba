/*
 * sheet.c - table sheets on libxlsxwriter in constant-memory mode.
 *
 * Constant-memory mode writes each row to a temporary file as the next one
 * starts, so rows must come in order and cells of a row may come in any
 * order; all of tte's tables are written that way.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "fsutil.h"
#include "log.h"
#include "rules.h"
#include "sheet.h"
#include "testhook.h"
#include "tte.h"

/*
 * libxlsxwriter zips each part of the workbook through the system's minizip
 * at zlib's default level (6), with no option to change it; deflate took
 * over 40% of the report's time. minizip's entry point is defined here too:
 * the dynamic linker binds libxlsxwriter's call to the executable's
 * definition first, which passes it on to minizip with level 1 (deflate
 * about three times faster, the workbook some 15% larger). Should a
 * libxlsxwriter carry its own minizip, this is simply never called.
 * Pointer arguments are passed through untouched, so they are void * here.
 */
#define SHEET_ZIP_LEVEL 1
#define ZIP_INTERNALERROR (-104)	/* minizip's zip.h */

typedef int zip_open_fn(void *, const char *, const void *, const void *, unsigned,
			const void *, unsigned, const char *, int, int, int, int, int, int,
			const char *, unsigned long, unsigned long, unsigned long, int);
zip_open_fn zipOpenNewFileInZip4_64;

int zipOpenNewFileInZip4_64(void *file, const char *filename, const void *zipfi,
			    const void *extra_local, unsigned size_extra_local,
			    const void *extra_global, unsigned size_extra_global,
			    const char *comment, int method, int level, int raw, int window_bits,
			    int mem_level, int strategy, const char *password,
			    unsigned long crc_for_crypting, unsigned long version_made_by,
			    unsigned long flag_base, int zip64)
{
	static zip_open_fn *next;

	if (!next)
		*(void **)&next = dlsym(RTLD_NEXT, "zipOpenNewFileInZip4_64");
	if (!next)
		return ZIP_INTERNALERROR;
	if (level != 0)		/* 0: stored, as asked */
		level = SHEET_ZIP_LEVEL;
	return next(file, filename, zipfi, extra_local, size_extra_local, extra_global,
		    size_extra_global, comment, method, level, raw, window_bits, mem_level,
		    strategy, password, crc_for_crypting, version_made_by, flag_base, zip64);
}

long long sheet_rows_per_part(void)
{
	const char *v = tte_test_value("SHEET_ROWS");
	long long n = v ? g_ascii_strtoll(v, NULL, 10) : 0;

	return n > 0 && n < LXW_ROW_MAX - 1 ? n : LXW_ROW_MAX - 1;
}

long long sheet_parts(long long rows)
{
	long long per = sheet_rows_per_part();

	return rows > per ? (rows + per - 1) / per : 1;
}

#define PAPER_A4 9
#define MARGIN_SIDE 0.4		/* inches */
/* A4 landscape less the side margins, in points. */
#define PRINT_WIDTH_PT ((11.69 - 2 * MARGIN_SIDE) * 72)

/* What every printed page shows: A4 landscape, the sheet's name and the
 * date on top, "Halaman N dari M" below, so loose pages can be sorted.
 * 0, or -1 when libxlsxwriter refused a header (too long). */
static int print_common(lxw_worksheet *ws)
{
	worksheet_set_paper(ws, PAPER_A4);
	worksheet_set_landscape(ws);
	worksheet_set_margins(ws, MARGIN_SIDE, MARGIN_SIDE, 0.7, 0.7);
	return worksheet_set_header(ws, "&L&A&R&D") ||
	       worksheet_set_footer(ws, "&CHalaman &P dari &N") ? -1 : 0;
}

int sheet_print_fixed(lxw_worksheet *ws, double width_chars, lxw_row_t last_row,
		      lxw_col_t last_col, lxw_row_t *breaks)
{
	/* A column of W characters is 7 W + 5 pixels of 0.75 pt (Calibri 11). */
	double pt = (width_chars * 7 + 5 * (last_col + 1)) * 0.75;
	int scale = (int)(100 * PRINT_WIDTH_PT / pt);

	/* Fit-to-page would make Excel ignore the page breaks that keep the
	 * charts whole, so the width is fitted with a fixed scale instead. */
	worksheet_set_print_scale(ws, (uint16_t)(scale > 100 ? 100 : scale < 10 ? 10 : scale));
	if (print_common(ws) || worksheet_print_area(ws, 0, 0, last_row, last_col) ||
	    (breaks && breaks[0] && worksheet_set_h_pagebreaks(ws, breaks)))
		return log_error("buku kerja: tata letak cetak tidak dapat diatur");
	return 0;
}

/* Excel holds at most 32,767 characters (UTF-16 code units) in a cell, and
 * libxlsxwriter refuses a longer string: the cell would stay empty. */
#define CELL_MAX 32767

/* Text of LEN bytes longer than a cell holds: its start and SHEET_CUT_MARK
 * (g_free), or NULL when TEXT fits. Cut between characters, never inside
 * one. */
static char *fit_cell(const char *text, size_t len)
{
	size_t units = 0, keep = 0, room;
	const char *p;

	if (len <= CELL_MAX)
		return NULL;	/* a code unit takes at least one byte */
	room = CELL_MAX - (size_t)g_utf8_strlen(SHEET_CUT_MARK, -1);
	for (p = text; *p; p = g_utf8_next_char(p)) {
		units += g_utf8_get_char(p) > 0xFFFF ? 2 : 1;
		if (units <= room)
			keep = (size_t)(g_utf8_next_char(p) - text);
		if (units > CELL_MAX)
			break;
	}
	if (units <= CELL_MAX)
		return NULL;
	{
		GString *cut = g_string_new_len(text, (gssize)keep);

		g_string_append(cut, SHEET_CUT_MARK);
		return g_string_free(cut, FALSE);
	}
}

int sheet_cell_number(lxw_worksheet *ws, uint32_t row, int col, double v, lxw_format *f)
{
	lxw_error err = worksheet_write_number(ws, row, (lxw_col_t)col, v, f);

	if (err != LXW_NO_ERROR)
		return log_error("buku kerja: sel %u,%d tidak dapat ditulis: %s", row, col,
				 lxw_strerror(err));
	return 0;
}

int book_open(struct book *b, const struct tte_ctx *ctx, const char *path)
{
	char *tmpdir = tte_path(ctx, "var", "tmp", NULL);
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE, .tmpdir = tmpdir,
				     .use_zip64 = LXW_TRUE };

	memset(b, 0, sizeof(*b));
	b->path = g_strdup(path);
	b->tmp = fs_temp_name(path);
	unlink(b->tmp);
	b->wb = workbook_new_opt(b->tmp, &opt);
	g_free(tmpdir);
	if (!b->wb) {
		log_error("tidak dapat membuat buku kerja %s", path);
		g_free(b->path);
		g_free(b->tmp);
		return -1;
	}
	b->bold = workbook_add_format(b->wb);
	format_set_bold(b->bold);
	format_set_bg_color(b->bold, 0xDDEBF7);
	format_set_border(b->bold, LXW_BORDER_THIN);
	b->title = workbook_add_format(b->wb);
	format_set_bold(b->title);
	format_set_font_size(b->title, 14);
	b->date = workbook_add_format(b->wb);
	format_set_num_format(b->date, "dd-mm-yyyy");
	b->datetime = workbook_add_format(b->wb);
	format_set_num_format(b->datetime, "dd-mm-yyyy hh:mm");
	b->wrap = workbook_add_format(b->wb);
	format_set_text_wrap(b->wrap);
	b->num = workbook_add_format(b->wb);
	format_set_num_format(b->num, "0");
	return 0;
}

int book_close(struct book *b)
{
	lxw_error err = workbook_close(b->wb);
	int rc;

	b->wb = NULL;
	if (err != LXW_NO_ERROR) {
		log_error("buku kerja %s gagal ditulis: %s (disk penuh?)", b->path,
			  lxw_strerror(err));
		unlink(b->tmp);
		rc = -1;
	} else {
		rc = fs_commit_path(b->tmp, b->path);
	}
	g_free(b->tmp);
	g_free(b->path);
	b->tmp = b->path = NULL;
	return rc;
}

void book_abort(struct book *b)
{
	if (b->wb) {
		/* libxlsxwriter has no discard: write it out, then delete. */
		workbook_close(b->wb);
		b->wb = NULL;
	}
	if (b->tmp)
		unlink(b->tmp);
	g_free(b->tmp);
	g_free(b->path);
	b->tmp = b->path = NULL;
}

static void new_part(struct sheet *s)
{
	char *name = s->part == 1 ? g_strdup(s->name) : g_strdup_printf("%s (%d)", s->name, s->part);
	long long n = s->rows_left < s->per_part ? s->rows_left : s->per_part;

	s->ws = workbook_add_worksheet(s->book->wb, name);
	g_free(name);
	if (!s->ws) {
		s->failed = true;
		return;
	}
	for (int c = 0; c < s->ncols; c++)
		if (worksheet_set_column(s->ws, (lxw_col_t)c, (lxw_col_t)c, s->cols[c].width, NULL) ||
		    book_text(s->book, s->ws, 0, c, s->cols[c].header, s->book->bold))
			s->failed = true;
	worksheet_freeze_panes(s->ws, 1, 0);
	if (worksheet_autofilter(s->ws, 0, 0, (lxw_row_t)(n > 0 ? n : 1), (lxw_col_t)(s->ncols - 1)))
		s->failed = true;
	/* Printed: every column on one page wide, as many pages down as it
	 * takes, each starting with the header row. */
	worksheet_fit_to_pages(s->ws, 1, 0);
	if (print_common(s->ws) || worksheet_repeat_rows(s->ws, 0, 0))
		s->failed = true;
	s->row = 0;
}

void sheet_begin(struct sheet *s, struct book *b, const char *name, const struct sheet_col *cols,
		 int ncols, long long total)
{
	memset(s, 0, sizeof(*s));
	s->book = b;
	s->name = g_strdup(name);
	s->cols = cols;
	s->ncols = ncols;
	s->rows_left = total;
	s->part = 1;
	s->per_part = sheet_rows_per_part();
	new_part(s);
}

void sheet_row(struct sheet *s)
{
	if (s->failed)
		return;
	if (s->row >= s->per_part) {
		s->part++;
		new_part(s);
	}
	s->row++;
	s->rows_left--;
}

/* The length of a NIP: a cell that is one run of exactly this many digits
 * is what rules_mask_id_runs(.., true) leaves as it is. */
#define NIP_DIGITS 18

int book_text(struct book *b, lxw_worksheet *ws, uint32_t row, int col, const char *text,
	      lxw_format *f)
{
	char *shown = NULL, *masked = NULL, *cut;
	const char *p;
	lxw_error err;
	size_t len, digits = 0;
	bool plain = true;

	if (!text || !*text)
		return 0;
	/* Most cells are short printable ASCII: one pass over them says that
	 * no copy is needed, how long they are, and whether a NIK can hide in
	 * them. */
	for (p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;

		digits += g_ascii_isdigit(c);
		if (c < 0x20 || c >= 0x7F)
			plain = false;
	}
	len = (size_t)(p - text);
	if (!plain) {
		text = shown = fs_display_name(text);
		len = strlen(text);
	}
	/* A NIP alone in its cell (every table has a NIP column) is kept by
	 * the masking; anything else with 16 digits goes through it. */
	if (b->mask_ids && digits >= 16 && !(plain && digits == NIP_DIGITS && len == NIP_DIGITS))
		text = masked = rules_mask_id_runs(text, true);	/* same length */
	cut = fit_cell(text, len);
	err = worksheet_write_string(ws, row, (lxw_col_t)col, cut ? cut : text, f);
	g_free(cut);
	g_free(masked);
	g_free(shown);
	if (err != LXW_NO_ERROR)
		return log_error("buku kerja: sel %u,%d tidak dapat ditulis: %s", row, col,
				 lxw_strerror(err));
	return 0;
}

void sheet_text(struct sheet *s, int col, const char *text)
{
	if (s->failed)
		return;
	if (book_text(s->book, s->ws, s->row, col, text, NULL))
		s->failed = true;
}

void sheet_int(struct sheet *s, int col, long long v)
{
	if (s->failed)
		return;
	if (sheet_cell_number(s->ws, s->row, col, (double)v, NULL))
		s->failed = true;
}

/* GDate's day number of 1970-01-01 (its day 1 is 0001-01-01). */
#define JULIAN_UNIX_EPOCH 719163

/* Y-M-D H:MI:SE UTC (a leap second read as :59) in seconds since the
 * epoch into *OUT: 0, or -1 when there is no such date or time (31 April,
 * year 0). GDate is a plain struct: no allocation per cell. */
static int utc_seconds(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi,
		       unsigned se, int64_t *out)
{
	GDate date;

	if (y > G_MAXUINT16 || mo > 12 || d > 31 ||
	    !g_date_valid_dmy((GDateDay)d, (GDateMonth)mo, (GDateYear)y) || h > 23 || mi > 59 ||
	    se > 60)
		return -1;
	g_date_clear(&date, 1);
	g_date_set_dmy(&date, (GDateDay)d, (GDateMonth)mo, (GDateYear)y);
	*out = ((int64_t)g_date_get_julian(&date) - JULIAN_UNIX_EPOCH) * 86400 + h * 3600 +
	       mi * 60 + (se > 59 ? 59 : se);
	return 0;
}

static bool digits2(const char *p, unsigned *v)
{
	if (!g_ascii_isdigit(p[0]) || !g_ascii_isdigit(p[1]))
		return false;
	*v = (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
	return true;
}

/* The store's own form, "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS..." (what
 * follows the seconds is not read, as in the general path): 1 and *OUT,
 * 0 when ISO is in any other form, -1 when it is that form but no date
 * (31 April, year 0). Every date cell of a report comes this way, so it
 * takes no sscanf. */
static int parse_utc_fixed(const char *iso, int64_t *out, bool *has_time)
{
	unsigned c, yy, mo, d, h = 0, mi = 0, se = 0, y;

	if (!digits2(iso, &c) || !digits2(iso + 2, &yy) || iso[4] != '-' ||
	    !digits2(iso + 5, &mo) || iso[7] != '-' || !digits2(iso + 8, &d))
		return 0;
	if (iso[10] == 'T') {
		if (!digits2(iso + 11, &h) || iso[13] != ':' || !digits2(iso + 14, &mi) ||
		    iso[16] != ':' || !digits2(iso + 17, &se))
			return 0;
		*has_time = true;
	} else if (iso[10]) {
		return 0;
	} else {
		*has_time = false;
	}
	y = c * 100 + yy;
	return utc_seconds(y, mo, d, h, mi, se, out) ? -1 : 1;
}

int sheet_parse_utc(const char *iso, int64_t *out, bool *has_time)
{
	unsigned y, mo, d, h = 0, mi = 0, se = 0;
	int fixed = iso ? parse_utc_fixed(iso, out, has_time) : 0;	/* stops at a NUL */
	size_t n;

	if (fixed)
		return fixed > 0 ? 0 : -1;
	n = iso ? strlen(iso) : 0;
	if (n < 10 || sscanf(iso, "%4u-%2u-%2u", &y, &mo, &d) != 3)
		return -1;
	*has_time = false;
	if (n >= 19 && iso[10] == 'T') {
		if (sscanf(iso + 11, "%2u:%2u:%2u", &h, &mi, &se) != 3)
			return -1;
		*has_time = true;
	} else if (n != 10) {
		return -1;
	}
	return utc_seconds(y, mo, d, h, mi, se, out);
}

void sheet_time(struct sheet *s, int col, const char *iso, int offset)
{
	int64_t t;
	bool has_time;
	lxw_error err;

	if (s->failed || !iso || !*iso)
		return;
	if (sheet_parse_utc(iso, &t, &has_time)) {
		sheet_text(s, col, iso);
		return;
	}
	if (has_time)
		err = worksheet_write_unixtime(s->ws, s->row, (lxw_col_t)col, t + offset,
					       s->book->datetime);
	else
		err = worksheet_write_unixtime(s->ws, s->row, (lxw_col_t)col, t, s->book->date);
	if (err != LXW_NO_ERROR) {
		log_error("buku kerja: sel %u,%d tidak dapat ditulis: %s", s->row, col,
			  lxw_strerror(err));
		s->failed = true;
	}
}

void sheet_release(struct sheet *s)
{
	g_free(s->name);
	s->name = NULL;
}
