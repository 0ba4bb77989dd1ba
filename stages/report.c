/*
 * report - the admins' workbook, outbox/reports/laporan-YYYYMMDD.xlsx.
 *
 * Input: the store only. Output: one XLSX per day (a second run the same
 * day replaces it), written to a temporary name and renamed, so the
 * outbox shows the old workbook or the new one, never half of one. Sheets:
 *   Ringkasan   counts by state and by unit, today's inputs and quarantine,
 *               the funnel, lead times, charts by state and by unit
 *   Pemohon     one row per applicant (NIK masked)
 *   Ditolak     rejected rows not superseded, one row per problem
 *   Verifikasi  one row per verified PDF
 *   Riwayat     the history: every state change, oldest first
 *   Status tak dikenal   status-export rows that matched nobody or carried
 *               a status tte does not know (NIK masked)
 * The stage writes nothing to the store, so a failure (a full disk) leaves
 * the state as it was: exit 1, no workbook change.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "config.h"
#include "dates.h"
#include "log.h"
#include "rules.h"
#include "sheet.h"
#include "stage.h"
#include "states.h"
#include "store.h"
#include "tte.h"

static const char *text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* The table sheets, in the workbook's order. Their row counts are counted
 * once (for Ringkasan's note on sheets continued past Excel's row limit,
 * which comes first) in the report's one read transaction, and used again
 * by each sheet. */
enum table_sheet { T_APPLICANTS, T_REJECTED, T_VERIFY, T_HISTORY, T_UNMATCHED, T_COUNT };

struct report;
struct table_desc {
	const char *sheet;
	const char *count;	/* its rows' count */
	const char *sql;	/* its rows, in order */
	const struct sheet_col *cols;
	int ncols;
	/* Column C of the row is result column C written as its kind: 't'
	 * text, 'i' integer, 'd' a UTC date-time as is, 'l' a UTC date-time
	 * in local time ... */
	const char *kinds;
	/* ... or the row's cells are written by this (NO counts rows from 1). */
	void (*row)(struct report *r, struct sheet *s, sqlite3_stmt *st, long long no);
};
static const struct table_desc table_sheets[T_COUNT];	/* defined with the row writers */

struct report {
	struct tte_ctx *ctx;
	struct book book;
	int offset;		/* seconds east of UTC, for timestamps */
	lxw_worksheet *sum;
	uint32_t srow;		/* next row on Ringkasan */
	uint32_t state_rows[2];	/* first and last row of the by-state table */
	uint32_t unit_rows[2];	/* ... and of the by-unit table (for the charts) */
	bool failed;		/* a Ringkasan cell was refused (logged) */
	long long rows[T_COUNT];	/* rows of each table sheet (continued_sheets) */
	struct tally *tally;	/* Ringkasan's counts over the applicants */
	GString *note;		/* Pemohon's Catatan, when it has parts to join */
};

/* Cells of Ringkasan's current row; a refused write fails the report. */
static void put_text(struct report *r, int col, const char *s, lxw_format *f)
{
	if (book_text(&r->book, r->sum, r->srow, col, s, f))
		r->failed = true;
}

static void put_num(struct report *r, int col, double v, lxw_format *f)
{
	if (sheet_cell_number(r->sum, r->srow, col, v, f))
		r->failed = true;
}

static void sum_line(struct report *r, const char *a, const char *b, lxw_format *f)
{
	put_text(r, 0, a, f);
	put_text(r, 1, b, f);
	r->srow++;
}

static void sum_heading(struct report *r, const char *const *cols, int n)
{
	r->srow++;
	for (int i = 0; i < n; i++)
		put_text(r, i, cols[i], r->book.bold);
	r->srow++;
}

/* The funnel's stages (summary_progress): the first five are the steps of
 * include/states.h, the last counts those whose certificate was ever
 * issued. */
#define FUNNEL_ISSUED (STEP_REGISTERED + 1)

/*
 * Everything Ringkasan counts over the applicants - by state, by unit and
 * state, how far each got, how many are in a bundle, the lead times - from
 * one pass over the table, added up here: a GROUP BY per table sorted all
 * the applicants again for each (the larger part of the report's time in
 * the store). What is held grows with the units and the issued
 * certificates, not with the applicants.
 */
struct tally {
	long long states[STATE_COUNT];
	long long total;
	GHashTable *other;	/* a state tte does not know -> long long * */
	GHashTable *units;	/* unit as stored ("" for none) -> long long[STATE_COUNT + 1],
				 * the last one every state's */
	long long step[FUNNEL_ISSUED + 1];	/* applicants whose furthest stage is this */
	long long bundled;
	GArray *days;		/* lead times of issued certificates, sorted */
};

static void tally_free(struct tally *t)
{
	if (!t)
		return;
	g_hash_table_destroy(t->other);
	g_hash_table_destroy(t->units);
	g_array_free(t->days, TRUE);
	g_free(t);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keys of H sorted as SQLite's ORDER BY sorts text (bytewise); the strings
 * belong to H. g_free the array. */
static char **sorted_keys(GHashTable *h, guint *n)
{
	char **keys = (char **)g_hash_table_get_keys_as_array(h, n);

	if (*n > 1)
		qsort(keys, *n, sizeof(*keys), cmp_str);
	return keys;
}

/* Lead time in days from submission (the form's timestamp, local date, or
 * the day tte first read it when earlier) to the first ISSUE; NULL for an
 * applicant without one, or with a date SQLite cannot read. */
#define LEAD_DAYS_SQL \
	"CASE WHEN issued_day IS NOT NULL THEN julianday(issued_day) - julianday(min(first_day," \
	" coalesce(date(nullif(submitted_at, ''), '%+d seconds'), first_day))) END"

static struct tally *tally_applicants(struct report *r)
{
	struct tally *t = g_new0(struct tally, 1);
	char *sql = g_strdup_printf("SELECT unit, state, issued_day IS NOT NULL, bundle IS NOT NULL, "
				    LEAD_DAYS_SQL " FROM applicants", r->offset);
	sqlite3_stmt *st = store_prepare(r->ctx->db, sql);
	int rc;

	g_free(sql);
	t->other = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	t->units = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	t->days = g_array_new(FALSE, FALSE, sizeof(double));
	if (!st) {
		tally_free(t);
		return NULL;
	}
	while ((rc = store_row(st)) > 0) {
		const char *unit = text(st, 0) ? text(st, 0) : "", *state = text(st, 1);
		int si = state_index(state);
		bool issued = sqlite3_column_int(st, 2);
		long long *u = g_hash_table_lookup(t->units, unit);

		if (!u) {
			u = g_new0(long long, STATE_COUNT + 1);
			g_hash_table_insert(t->units, g_strdup(unit), u);
		}
		u[STATE_COUNT]++;
		t->total++;
		if (si >= 0) {
			t->states[si]++;
			u[si]++;
		} else {
			long long *o = g_hash_table_lookup(t->other, state ? state : "");

			if (!o) {
				o = g_new0(long long, 1);
				g_hash_table_insert(t->other, g_strdup(state ? state : ""), o);
			}
			(*o)++;
		}
		t->step[issued ? FUNNEL_ISSUED : si >= 0 ? (int)state_table[si].step : 0]++;
		t->bundled += sqlite3_column_int(st, 3);
		if (issued) {
			/* NULL (an unreadable date) sorts first, as in ORDER BY,
			 * and then counts as 0 days, as sqlite3_column_double
			 * read it. */
			double d = sqlite3_column_type(st, 4) == SQLITE_NULL ?
					   -INFINITY : sqlite3_column_double(st, 4);

			g_array_append_val(t->days, d);
		}
	}
	sqlite3_finalize(st);
	if (rc < 0) {
		tally_free(t);
		return NULL;
	}
	if (t->days->len > 1)
		qsort(t->days->data, t->days->len, sizeof(double), cmp_double);
	for (guint i = 0; i < t->days->len && g_array_index(t->days, double, i) == -INFINITY; i++)
		g_array_index(t->days, double, i) = 0;
	return t;
}

/* Letters and bundles made, all time and today. */
static int letters_bundles(struct report *r)
{
	static const struct {
		const char *label, *sql;
	} rows[] = {
		{ "Surat rekomendasi dibuat", "SELECT count(*) FROM letters" },
		{ "Surat rekomendasi dibuat hari ini", "SELECT count(*) FROM letters WHERE day=?" },
		{ "Surat rekomendasi digantikan (data diperbaiki)",
		  "SELECT count(*) FROM letters WHERE superseded_day IS NOT NULL" },
		{ "Surat bertanda tangan terverifikasi",
		  "SELECT count(*) FROM letters WHERE signed_sha256 IS NOT NULL" },
		{ "Bundel unggahan BSrE", "SELECT count(*) FROM bundles" },
		{ "Bundel dibuat hari ini", "SELECT count(*) FROM bundles WHERE day=?" },
		{ "Pemohon dalam bundel", NULL },	/* counted by tally_applicants */
	};
	static const char *const h[] = { "Surat dan bundel", "Jumlah" };

	sum_heading(r, h, 2);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		sqlite3_stmt *st;
		int rc;

		if (!rows[i].sql) {
			put_text(r, 0, rows[i].label, NULL);
			put_num(r, 1, (double)r->tally->bundled, NULL);
			r->srow++;
			continue;
		}
		st = store_prepare(r->ctx->db, rows[i].sql);
		if (!st)
			return -1;
		if (sqlite3_bind_parameter_count(st))
			store_bind_text(st, 1, r->ctx->today);
		put_text(r, 0, rows[i].label, NULL);
		rc = store_row(st);
		if (rc > 0)
			put_num(r, 1, (double)sqlite3_column_int64(st, 0), NULL);
		sqlite3_finalize(st);
		if (rc < 0)
			return -1;
		r->srow++;
	}
	return 0;
}

/* A table longer than a worksheet holds continues on "<name> (2)", ...:
 * Ringkasan says so, so nobody takes the first sheet for the whole. */
static int continued_sheets(struct report *r)
{
	for (size_t i = 0; i < T_COUNT; i++) {
		const char *name = table_sheets[i].sheet;
		long long n, parts;
		char *a, *b;

		if (store_int(r->ctx->db, table_sheets[i].count, &r->rows[i]))
			return -1;
		n = r->rows[i];
		parts = sheet_parts(n);
		if (parts < 2)
			continue;
		a = g_strdup_printf("Lembar %s berlanjut", name);
		if (parts == 2)
			b = g_strdup_printf("%lld baris; lanjutannya di lembar %s (2) (batas Excel"
					    " %lld baris per lembar)", n, name, sheet_rows_per_part());
		else
			b = g_strdup_printf("%lld baris; lanjutannya di lembar %s (2) sampai %s (%lld)"
					    " (batas Excel %lld baris per lembar)", n, name, name,
					    parts, sheet_rows_per_part());
		sum_line(r, a, b, NULL);
		g_free(a);
		g_free(b);
	}
	return r->failed ? -1 : 0;
}

static int summary(struct report *r)
{
	sqlite3 *db = r->ctx->db;
	GDate today;
	char *longdate;
	long long counts[STATE_COUNT] = { 0 };
	GPtrArray *other = g_ptr_array_new_with_free_func(g_free);
	sqlite3_stmt *st;
	long long total = 0, open_rejected;
	int rc;

	r->sum = workbook_add_worksheet(r->book.wb, "Ringkasan");
	if (!r->sum)
		return -1;
	worksheet_set_column(r->sum, 0, 0, 42, NULL);
	worksheet_set_column(r->sum, 1, 1, 14, NULL);
	worksheet_set_column(r->sum, 2, 20, 14, NULL);
	date_parse_iso(r->ctx->today, &today);
	longdate = date_long_id(&today);
	{
		char *t = g_strdup_printf("Laporan Penerbitan Sertifikat Elektronik (TTE) - %s",
					  r->ctx->cfg->instansi);

		put_text(r, 0, t, r->book.title);
		r->srow++;
		g_free(t);
	}
	sum_line(r, "Tanggal laporan", longdate, NULL);
	g_free(longdate);
	sum_line(r, "Dibuat", store_now(), NULL);

	/* By state; states tte does not know (a database edited by hand)
	 * after them, in name order. */
	r->tally = tally_applicants(r);
	if (!r->tally)
		goto fail;
	memcpy(counts, r->tally->states, sizeof(counts));
	total = r->tally->total;
	{
		guint n;
		char **keys = sorted_keys(r->tally->other, &n);

		for (guint i = 0; i < n; i++)
			g_ptr_array_add(other, g_strdup_printf("%s\t%lld", keys[i],
				*(long long *)g_hash_table_lookup(r->tally->other, keys[i])));
		g_free(keys);
	}
	{
		static const char *const h[] = { "Status", "Jumlah", "Arti" };

		sum_heading(r, h, 3);
	}
	r->state_rows[0] = r->srow;
	for (size_t i = 0; i < STATE_COUNT; i++) {
		if (!counts[i] && state_table[i].kind == STATE_BSRE)
			continue;	/* BSrE states only once they occur */
		put_text(r, 0, state_table[i].name, NULL);
		put_num(r, 1, (double)counts[i], NULL);
		put_text(r, 2, state_table[i].meaning, NULL);
		r->srow++;
	}
	for (guint i = 0; i < other->len; i++) {
		gchar **kv = g_strsplit(g_ptr_array_index(other, i), "\t", 2);

		put_text(r, 0, kv[0], NULL);
		put_num(r, 1, g_ascii_strtod(kv[1], NULL), NULL);
		r->srow++;
		g_strfreev(kv);
	}
	r->state_rows[1] = r->srow - 1;
	put_text(r, 0, "Jumlah pemohon", r->book.bold);
	put_num(r, 1, (double)total, r->book.bold);
	r->srow++;
	if (store_int(db, "SELECT count(*) FROM submissions WHERE"
		      " verdict IN (" SQ_REJECTED ",'LATE') AND superseded=0", &open_rejected))
		goto fail;
	put_text(r, 0, "Baris ditolak yang belum diperbaiki", NULL);
	put_num(r, 1, (double)open_rejected, NULL);
	r->srow++;
	if (continued_sheets(r))
		goto fail;
	if (letters_bundles(r))
		goto fail;

	/* By unit: the states present as columns; no unit (NULL or "") is
	 * "(kosong)". Units in name order, a row for each name shown. */
	{
		GPtrArray *cols = g_ptr_array_new();
		GHashTable *units = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
		GPtrArray *order = g_ptr_array_new();
		guint nkeys;
		char **keys = sorted_keys(r->tally->units, &nkeys);
		int ncols;

		for (size_t i = 0; i < STATE_COUNT; i++)
			if (counts[i])
				g_ptr_array_add(cols, (gpointer)state_table[i].name);
		ncols = (int)cols->len;
		for (guint k = 0; k < nkeys; k++) {
			const long long *n = g_hash_table_lookup(r->tally->units, keys[k]);
			const char *u = *keys[k] ? keys[k] : "(kosong)";
			long long *row = g_hash_table_lookup(units, u);

			if (!row) {
				row = g_new0(long long, ncols + 1);
				g_hash_table_insert(units, (gpointer)u, row);
				g_ptr_array_add(order, (gpointer)u);
			}
			row[ncols] += n[STATE_COUNT];
			for (int c = 0; c < ncols; c++)
				row[c] += n[state_index(cols->pdata[c])];
		}
		g_free(keys);
		r->srow++;
		put_text(r, 0, "Unit Kerja", r->book.bold);
		put_text(r, 1, "Jumlah", r->book.bold);
		for (int c = 0; c < ncols; c++)
			put_text(r, c + 2, cols->pdata[c], r->book.bold);
		r->srow++;
		r->unit_rows[0] = r->srow;
		r->unit_rows[1] = r->srow + order->len - 1;
		for (guint i = 0; i < order->len; i++) {
			long long *row = g_hash_table_lookup(units, order->pdata[i]);

			put_text(r, 0, order->pdata[i], NULL);
			put_num(r, 1, (double)row[ncols], NULL);
			for (int c = 0; c < ncols; c++)
				put_num(r, c + 2, (double)row[c], NULL);
			r->srow++;
		}
		g_ptr_array_free(cols, TRUE);
		g_ptr_array_free(order, TRUE);
		g_hash_table_destroy(units);
	}

	/* Today's inputs and quarantine. */
	{
		static const char *const h[] = { "Berkas diproses hari ini", "Baris", "Baris baru",
						 "Ditolak", "Jenis" };

		sum_heading(r, h, 5);
	}
	st = store_prepare(db, "SELECT name, rows, new_rows, rejected_rows, kind FROM inputs"
			   " WHERE day=? ORDER BY id");
	if (!st)
		goto fail;
	store_bind_text(st, 1, r->ctx->today);
	while ((rc = store_row(st)) > 0) {
		put_text(r, 0, text(st, 0), NULL);
		for (int c = 1; c <= 3; c++)
			put_num(r, c, (double)sqlite3_column_int64(st, c), NULL);
		put_text(r, 4, text(st, 4), NULL);
		r->srow++;
	}
	sqlite3_finalize(st);
	if (rc < 0)
		goto fail;
	{
		static const char *const h[] = { "Berkas dikarantina hari ini", "Alasan" };

		sum_heading(r, h, 2);
	}
	st = store_prepare(db, "SELECT kind || '/' || name, why, stored FROM quarantine WHERE day=?"
			   " ORDER BY id");
	if (!st)
		goto fail;
	store_bind_text(st, 1, r->ctx->today);
	while ((rc = store_row(st)) > 0) {
		put_text(r, 0, text(st, 0), NULL);
		put_text(r, 1, text(st, 1), NULL);
		r->srow++;
	}
	sqlite3_finalize(st);
	if (rc < 0)
		goto fail;
	g_ptr_array_free(other, TRUE);
	return r->failed ? -1 : 0;
fail:
	g_ptr_array_free(other, TRUE);
	return -1;
}

static const struct sheet_col applicant_cols[] = {
	{ "No", 7 }, { "NIP", 21 }, { "Nama", 32 }, { "NIK", 19 }, { "Email", 30 },
	{ "Unit Kerja", 30 }, { "Golongan", 10 }, { "Pangkat", 24 }, { "Jabatan", 22 },
	{ "No. Telepon", 16 }, { "Status", 14 }, { "Sejak", 12 }, { "Diajukan", 17 },
	{ "Catatan", 60 }, { "ID Surat", 30 }, { "Tanggal Surat", 13 }, { "Bundel", 24 },
};

#define APPLICANTS_SQL \
	"SELECT a.nip, a.name, a.nik, a.email, a.unit, a.golongan, a.jabatan, a.phone," \
	" a.state, a.state_day, a.submitted_at, a.waiver, a.waiver_by, a.purged_day," \
	" CASE WHEN a.state=" SQ_REJECTED " THEN (SELECT group_concat(p.reason, '; ')" \
	"   FROM problems p WHERE p.submission_id=a.submission_id) END," \
	" a.letter_id, l.day, a.bundle, s.note" \
	" FROM applicants a LEFT JOIN letters l ON l.id=a.letter_id" \
	" LEFT JOIN submissions s ON s.id=a.submission_id ORDER BY a.id"

static void applicant_row(struct report *r, struct sheet *s, sqlite3_stmt *st, long long no)
{
	const char *problems = text(st, 14), *waiver = text(st, 11), *extra = text(st, 18);
	char masked[24];

	sheet_int(s, 0, no);
	sheet_text(s, 1, text(st, 0));
	sheet_text(s, 2, text(st, 1));
	if (text(st, 13))
		g_strlcpy(masked, "dihapus", sizeof(masked));
	else
		rules_mask_nik(text(st, 2), masked, sizeof(masked));
	sheet_text(s, 3, masked);
	sheet_text(s, 4, text(st, 3));
	sheet_text(s, 5, text(st, 4));
	sheet_text(s, 6, text(st, 5));
	sheet_text(s, 7, rules_pangkat(text(st, 5)));
	sheet_text(s, 8, text(st, 6));
	sheet_text(s, 9, text(st, 7));
	sheet_text(s, 10, text(st, 8));
	sheet_time(s, 11, text(st, 9), r->offset);
	sheet_time(s, 12, text(st, 10), r->offset);
	/* Catatan: the problems, the waiver, the submission's note, "; "
	 * between them. Most rows have one part or none: no copy then. */
	if (!waiver && !(problems && extra)) {
		sheet_text(s, 13, problems ? problems : extra);
	} else {
		GString *note = r->note;

		g_string_truncate(note, 0);
		if (problems)
			g_string_append(note, problems);
		if (waiver) {
			if (note->len)
				g_string_append(note, "; ");
			g_string_append(note, "Pengecualian oleh ");
			if (text(st, 12))
				g_string_append(note, text(st, 12));
			g_string_append(note, ": ");
			g_string_append(note, waiver);
		}
		if (extra) {
			if (note->len)
				g_string_append(note, "; ");
			g_string_append(note, extra);
		}
		sheet_text(s, 13, note->str);
	}
	sheet_text(s, 14, text(st, 15));
	sheet_time(s, 15, text(st, 16), r->offset);
	sheet_text(s, 16, text(st, 17));
}

static const struct sheet_col rejected_cols[] = {
	{ "Berkas", 30 }, { "Baris", 7 }, { "Diajukan", 17 }, { "NIP", 21 }, { "Nama", 30 },
	{ "Email", 30 }, { "Kolom", 22 }, { "Alasan", 80 },
};

#define REJECTED_SQL \
	"SELECT i.name, s.row_no, s.submitted_at, s.nip, s.name, s.email, p.col, p.reason" \
	" FROM submissions s JOIN inputs i ON i.id=s.input_id" \
	" JOIN problems p ON p.submission_id=s.id" \
	" WHERE s.verdict IN (" SQ_REJECTED ",'LATE') AND s.superseded=0" \
	" ORDER BY s.id, p.rowid"

static const struct sheet_col verify_cols[] = {
	{ "Berkas", 34 }, { "Tanggal", 12 }, { "Kesimpulan", 16 }, { "Tanda tangan", 12 },
	{ "Penanda tangan", 30 }, { "Surat", 22 }, { "Keterangan", 70 }, { "SHA-256", 66 },
};

#define VERIFY_SQL \
	"SELECT name, day, conclusion, signatures, signer, letter_id, summary, sha256" \
	" FROM verifications ORDER BY id"

/* ---- progress: funnel, lead times, charts, history, unmatched status rows ---- */

/* The funnel's stages (FUNNEL_ISSUED + 1 of them): how far applicants got,
 * whatever they are now. */
static const struct {
	const char *label;
	const char *meaning;
} funnel[FUNNEL_ISSUED + 1] = {
	{ "Mengajukan", "orang yang mengisi formulir (termasuk isian tanpa NIK yang sah)" },
	{ "Data valid", "lolos validasi atau dikecualikan" },
	{ "Surat rekomendasi", "surat rekomendasi dibuat" },
	{ "Dibundel", "masuk bundel unggahan portal BSrE" },
	{ "Terdaftar di BSrE", "tercatat di portal BSrE (status BSrE apa pun)" },
	{ ST_ISSUE, "sertifikat pernah terbit" },
};

/* Nearest-rank percentile P (0..100) of sorted V[N]; the median averages
 * the middle pair. */
static double percentile(const double *v, size_t n, int p)
{
	size_t k;

	if (p == 50)
		return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	k = (size_t)((p * n + 99) / 100);
	return v[k ? k - 1 : 0];
}

static void insert_chart(struct report *r, lxw_chart_type type, const char *title,
			 const uint32_t rows[2], uint32_t at, double y_scale)
{
	lxw_chart *ch;
	lxw_chart_series *se;
	lxw_chart_options opt = { .x_scale = 1.6, .y_scale = y_scale };

	if (rows[1] < rows[0])
		return;
	ch = workbook_add_chart(r->book.wb, (uint8_t)type);
	if (!ch) {
		r->failed = true;
		return;
	}
	se = chart_add_series(ch, NULL, NULL);
	chart_series_set_categories(se, "Ringkasan", rows[0], 0, rows[1], 0);
	chart_series_set_values(se, "Ringkasan", rows[0], 1, rows[1], 1);
	chart_title_set_name(ch, title);
	chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
	if (!se || worksheet_insert_chart_opt(r->sum, at, 0, ch, &opt) != LXW_NO_ERROR) {
		log_error("buku kerja: grafik \"%s\" tidak dapat disisipkan", title);
		r->failed = true;
	}
}

/* Appended to Ringkasan: the funnel, lead times, and the charts (which
 * refer to the by-state and by-unit tables summary() wrote). */
static int summary_progress(struct report *r)
{
	sqlite3 *db = r->ctx->db;
	long long reached[ARRAY_SIZE(funnel)] = { 0 };
	const GArray *days = r->tally->days;	/* sorted (tally_applicants) */
	uint32_t n_units;
	double y_units;
	long long orphans;

	/* Those who got to a stage got to every stage before it. */
	for (int i = FUNNEL_ISSUED; i >= 0; i--)
		reached[i] = r->tally->step[i] + (i < FUNNEL_ISSUED ? reached[i + 1] : 0);
	if (store_int(db, "SELECT count(*) FROM submissions WHERE applicant_id IS NULL"
		      " AND superseded=0", &orphans))
		return -1;
	reached[0] += orphans;
	{
		static const char *const h[] = { "Alur permohonan", "Jumlah", "Arti" };

		sum_heading(r, h, 3);
	}
	for (size_t i = 0; i < ARRAY_SIZE(funnel); i++) {
		put_text(r, 0, funnel[i].label, NULL);
		put_num(r, 1, (double)reached[i], NULL);
		put_text(r, 2, funnel[i].meaning, NULL);
		r->srow++;
	}

	{
		static const char *const h[] = { "Lama proses, pengajuan sampai ISSUE", "Hari" };

		sum_heading(r, h, 2);
	}
	put_text(r, 0, "Median", NULL);
	if (days->len)
		put_num(r, 1, percentile((double *)days->data, days->len, 50), NULL);
	r->srow++;
	put_text(r, 0, "Persentil ke-90", NULL);
	if (days->len)
		put_num(r, 1, percentile((double *)days->data, days->len, 90), NULL);
	r->srow++;
	put_text(r, 0, "Jumlah pemohon dengan sertifikat terbit", NULL);
	put_num(r, 1, (double)days->len, NULL);
	r->srow++;

	r->srow += 2;
	insert_chart(r, LXW_CHART_COLUMN, "Pemohon menurut status", r->state_rows, r->srow, 1.2);
	n_units = r->unit_rows[1] >= r->unit_rows[0] ? r->unit_rows[1] - r->unit_rows[0] + 1 : 0;
	/* Taller with more units, but never taller than a printed page. */
	y_units = n_units > 12 ? n_units / 12.0 : 1.0;
	if (y_units > 2.0)
		y_units = 2.0;
	insert_chart(r, LXW_CHART_BAR, "Pemohon menurut unit kerja", r->unit_rows, r->srow + 19,
		     y_units);
	{
		/* Printed one page wide, each chart starting a page: the tables'
		 * columns, the state meanings spilling over C:G, the charts over
		 * A:F (columns B on are 14 characters wide). */
		lxw_row_t breaks[] = { r->srow, r->srow + 19, 0 };
		lxw_col_t last = r->sum->dim_colmax > 6 ? r->sum->dim_colmax : 6;

		if (sheet_print_fixed(r->sum, 42 + 14.0 * last,
				      r->srow + 19 + (lxw_row_t)(y_units * 288 / 20) + 1, last, breaks))
			r->failed = true;
	}
	return r->failed ? -1 : 0;
}

static const struct sheet_col history_cols[] = {
	{ "Tanggal", 12 }, { "Waktu", 25 }, { "NIP", 21 }, { "Nama", 32 }, { "Dari", 16 },
	{ "Ke", 16 }, { "Sumber", 30 }, { "Oleh", 18 }, { "Catatan", 70 },
};

#define HISTORY_SQL \
	"SELECT h.day, h.at, a.nip, a.name, h.from_state, h.to_state, h.source, h.actor," \
	" h.note FROM history h JOIN applicants a ON a.id=h.applicant_id ORDER BY h.id"

static const struct sheet_col unmatched_cols[] = {
	{ "Berkas", 30 }, { "Diproses", 12 }, { "Baris", 7 }, { "NIK", 19 }, { "Email", 30 },
	{ "Nama", 30 }, { "Status", 24 }, { "Alasan", 70 },
};

#define UNMATCHED_SQL \
	"SELECT i.name, i.day, u.row_no, u.nik_masked, u.email, u.name, u.status, u.reason" \
	" FROM status_unmatched u JOIN inputs i ON i.id=u.input_id ORDER BY u.id"

static const struct table_desc table_sheets[T_COUNT] = {
	[T_APPLICANTS] = { "Pemohon", "SELECT count(*) FROM applicants", APPLICANTS_SQL,
			   applicant_cols, (int)ARRAY_SIZE(applicant_cols), NULL, applicant_row },
	[T_REJECTED] = { "Ditolak", "SELECT count(*) FROM problems p JOIN submissions s ON"
			 " s.id=p.submission_id WHERE s.verdict IN (" SQ_REJECTED ",'LATE')"
			 " AND s.superseded=0", REJECTED_SQL,
			 rejected_cols, (int)ARRAY_SIZE(rejected_cols), "tilttttt", NULL },
	[T_VERIFY] = { "Verifikasi", "SELECT count(*) FROM verifications", VERIFY_SQL,
		       verify_cols, (int)ARRAY_SIZE(verify_cols), "tdtitttt", NULL },
	[T_HISTORY] = { "Riwayat", "SELECT count(*) FROM history", HISTORY_SQL,
			history_cols, (int)ARRAY_SIZE(history_cols), "dtttttttt", NULL },
	[T_UNMATCHED] = { "Status tak dikenal", "SELECT count(*) FROM status_unmatched",
			  UNMATCHED_SQL, unmatched_cols, (int)ARRAY_SIZE(unmatched_cols),
			  "tdittttt", NULL },
};

/* Table sheet T, in the order of its query. 0, or -1 on a failed read or a
 * refused cell. */
static int table_sheet(struct report *r, enum table_sheet t)
{
	const struct table_desc *d = &table_sheets[t];
	sqlite3_stmt *st = store_prepare(r->ctx->db, d->sql);
	struct sheet s;
	long long no = 0;
	int rc;

	if (!st)
		return -1;
	sheet_begin(&s, &r->book, d->sheet, d->cols, d->ncols, r->rows[t]);
	while ((rc = store_row(st)) > 0) {
		sheet_row(&s);
		no++;
		if (d->row) {
			d->row(r, &s, st, no);
			continue;
		}
		for (int c = 0; c < d->ncols && d->kinds[c]; c++) {
			switch (d->kinds[c]) {
			case 'i':
				sheet_int(&s, c, sqlite3_column_int64(st, c));
				break;
			case 'd':
			case 'l':
				sheet_time(&s, c, text(st, c), d->kinds[c] == 'l' ? r->offset : 0);
				break;
			default:
				sheet_text(&s, c, text(st, c));
			}
		}
	}
	sqlite3_finalize(st);
	sheet_release(&s);
	return rc < 0 || s.failed ? -1 : 0;
}

static int report_run(struct tte_ctx *ctx, int argc, char **argv)
{
	struct report r = { .ctx = ctx, .note = g_string_new(NULL) };
	char *name = g_strdup_printf("laporan-%s.xlsx", ctx->today_compact);
	char *path = tte_path(ctx, "outbox", "reports", name, NULL);
	GTimeZone *tz = g_time_zone_new_identifier(ctx->cfg->timezone);
	int rc = TTE_EXIT_FAIL;
	bool bad;

	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "tte report: tidak menerima argumen\n");
		rc = TTE_EXIT_USAGE;
		goto out;
	}
	if (!tz) {
		fprintf(stderr, "tte: zona waktu \"%s\" tidak dikenal\n", ctx->cfg->timezone);
		rc = TTE_EXIT_USAGE;
		goto out;
	}
	r.offset = g_time_zone_get_offset(tz, g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL,
									 (gint64)ctx->now));
	if (book_open(&r.book, ctx, path))
		goto out;
	r.book.mask_ids = true;		/* a NIK typed into any column stays masked */
	/* Read everything in one snapshot, so the sheets agree with each other. */
	bad = store_exec(ctx->db, "BEGIN") || summary(&r) || summary_progress(&r);
	for (int t = 0; t < T_COUNT && !bad; t++)
		bad = table_sheet(&r, t) != 0;
	if (bad) {
		store_rollback(ctx->db);
		book_abort(&r.book);
		goto out;
	}
	store_rollback(ctx->db);
	if (book_close(&r.book))
		goto out;
	log_info("report written: outbox/reports/%s", name);
	log_tty("  laporan: outbox/reports/%s\n", name);
	rc = TTE_EXIT_OK;
out:
	tally_free(r.tally);
	g_string_free(r.note, TRUE);
	if (tz)
		g_time_zone_unref(tz);
	g_free(path);
	g_free(name);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct stage_desc d = { .name = "report", .run = report_run };

	return stage_main(&d, argc, argv);
}
