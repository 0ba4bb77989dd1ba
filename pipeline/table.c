/*
 * table.c - CSV exports to rows of named columns, with libcsv.
 *
 * Memory is bounded by the caps, not by the file: libcsv holds one field
 * at a time (its buffer may not grow past TABLE_MAX_FIELD, enforced through
 * csv_set_realloc_func), and the row under construction holds only the
 * wanted columns. A 1 GB export streams through in 256 KiB reads.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <csv.h>
#include <glib.h>

#include "log.h"
#include "table.h"
#include "tte.h"

/* libcsv's realloc hook has no user pointer; one parse runs at a time. */
static bool field_too_big;

static void *capped_realloc(void *p, size_t n)
{
	if (n > TABLE_MAX_FIELD + 64) {
		field_too_big = true;
		return NULL;
	}
	return realloc(p, n);
}

char *table_normalise(const char *header)
{
	char *folded = g_utf8_validate(header, -1, NULL) ? g_utf8_casefold(header, -1)
							 : g_ascii_strdown(header, -1);
	GString *s = g_string_new(NULL);
	bool space = false;

	for (const char *p = folded; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (g_ascii_isalnum(c) || c >= 0x80) {
			if (space && s->len)
				g_string_append_c(s, ' ');
			space = false;
			g_string_append_c(s, (char)c);
		} else {
			space = true;
		}
	}
	g_free(folded);
	return g_string_free(s, FALSE);
}

enum table_sniff table_sniff(const unsigned char *h, size_t n)
{
	if (n >= 4 && h[0] == 'P' && h[1] == 'K' && h[2] == 3 && h[3] == 4)
		return TABLE_SNIFF_ZIP;
	if (n >= 5 && !memcmp(h, "%PDF-", 5))
		return TABLE_SNIFF_PDF;
	if (n >= 8 && !memcmp(h, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
		return TABLE_SNIFF_OLE2;
	if (n >= 2 && ((h[0] == 0xFF && h[1] == 0xFE) || (h[0] == 0xFE && h[1] == 0xFF)))
		return TABLE_SNIFF_UTF16;
	if (memchr(h, 0, n))
		return TABLE_SNIFF_BINARY;
	return TABLE_SNIFF_TEXT;
}

char *table_sniff_binary(const unsigned char *h, size_t n)
{
	switch (table_sniff(h, n)) {
	case TABLE_SNIFF_ZIP:
		return g_strdup("berkas ini arsip ZIP atau XLSX yang diberi nama .csv, bukan CSV; "
				"unduh ulang jawaban formulir sebagai .csv (ekstrak dulu bila "
				"terunduh sebagai .zip)");
	case TABLE_SNIFF_PDF:
		return g_strdup("berkas ini PDF, bukan CSV");
	case TABLE_SNIFF_OLE2:
		return g_strdup("berkas ini dokumen Excel lama (.xls), bukan CSV; simpan sebagai "
				"CSV UTF-8");
	case TABLE_SNIFF_UTF16:
		return g_strdup("berkas ini teks UTF-16 (\"Unicode Text\"); simpan ulang sebagai "
				"CSV UTF-8");
	case TABLE_SNIFF_BINARY:
		return g_strdup("berkas ini bukan teks (berisi byte biner), bukan ekspor CSV");
	case TABLE_SNIFF_TEXT:
		break;
	}
	return NULL;
}

/* The delimiter of the header line: the most frequent of , ; TAB outside
 * quotes (Excel in Indonesian locale saves with ';'). */
static char guess_delimiter(const unsigned char *buf, size_t n)
{
	int counts[3] = { 0, 0, 0 };
	bool quoted = false;

	for (size_t i = 0; i < n && (quoted || (buf[i] != '\n' && buf[i] != '\r')); i++) {
		if (buf[i] == '"')
			quoted = !quoted;
		else if (!quoted && buf[i] == ',')
			counts[0]++;
		else if (!quoted && buf[i] == ';')
			counts[1]++;
		else if (!quoted && buf[i] == '\t')
			counts[2]++;
	}
	if (counts[1] > counts[0] && counts[1] >= counts[2])
		return ';';
	if (counts[2] > counts[0] && counts[2] > counts[1])
		return '\t';
	return ',';
}

struct parse {
	const struct table_col *cols;
	int ncols;
	table_header_fn header_fn;
	table_row_fn row_fn;
	void *ud;

	long records;			/* records seen, the header included */
	int field;			/* index of the field within the record */
	bool in_header;
	GPtrArray *header;		/* header texts as written */
	int *map;			/* file column -> caller column, or -1 */
	int map_len;

	GString **val;			/* per caller column */
	bool *bad;
	size_t *lens;
	const char **vptr;
	bool blank;			/* every field of this record empty so far */

	char delimiter;
	int status;
	char *why;
};

static void header_field(struct parse *ps, const char *s, size_t len)
{
	g_ptr_array_add(ps->header, g_strstrip(g_strndup(s, len)));
}

static bool matches(const char *norm, const char *alias, bool prefix)
{
	size_t n = strlen(alias);

	if (!prefix)
		return !strcmp(norm, alias);
	return !strncmp(norm, alias, n) && norm[n] == ' ';
}

int table_map_header(const struct table_col *cols, int ncols, char *const *names, int n,
		     int *map, const char **found, bool *indonesian)
{
	char **norm = g_new0(char *, n);
	int nfound = 0;

	*indonesian = false;
	for (int c = 0; c < ncols; c++)
		found[c] = NULL;
	for (int i = 0; i < n; i++) {
		map[i] = -1;
		norm[i] = table_normalise(names[i] ? names[i] : "");
		if (!strcmp(norm[i], "stempel waktu") || !strcmp(norm[i], "cap waktu") ||
		    !strcmp(norm[i], "alamat email") || !strcmp(norm[i], "nama pengguna"))
			*indonesian = true;
	}
	/* Alias order is preference order: "nama tanpa gelar" beats "nama". */
	for (int pass = 0; pass < 2; pass++) {
		for (int c = 0; c < ncols; c++) {
			for (const char *const *a = cols[c].aliases; *a && !found[c]; a++) {
				for (int i = 0; i < n; i++) {
					if (map[i] >= 0 || !*norm[i] || !matches(norm[i], *a, pass == 1))
						continue;
					map[i] = c;
					found[c] = names[i];
					nfound++;
					break;
				}
			}
		}
	}
	for (int i = 0; i < n; i++)
		g_free(norm[i]);
	g_free(norm);
	return nfound;
}

static int finish_header(struct parse *ps)
{
	int n = (int)ps->header->len;
	const char **names = g_new0(const char *, ps->ncols);
	struct table_header h = { .file_columns = n, .row_no = 1 };
	int rc;

	ps->map = g_new(int, n ? n : 1);
	ps->map_len = n;
	table_map_header(ps->cols, ps->ncols, (char *const *)ps->header->pdata, n, ps->map, names,
			 &h.indonesian);
	h.names = names;
	h.delimiter = ps->delimiter;
	rc = ps->header_fn(ps->ud, &h, &ps->why);
	g_free(names);
	return rc;
}

/* True when the N bytes at S are all ASCII and none is NUL: valid UTF-8
 * that g_utf8_validate() need not walk byte by byte. Eight at a time:
 * nearly every cell of an export is ASCII. */
static bool plain_ascii(const unsigned char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		/* a high bit set, or a zero byte ((w - ones) & ~w sets its high bit) */
		if ((w | ((w - ones) & ~w)) & highs)
			return false;
	}
	for (; i < n; i++)
		if (!s[i] || s[i] >= 0x80)
			return false;
	return true;
}

static void cb_field(void *s, size_t len, void *ud)
{
	struct parse *ps = ud;
	int c;

	if (ps->status)
		return;
	if (ps->field >= TABLE_MAX_FIELDS) {
		ps->status = TABLE_BAD;
		ps->why = g_strdup_printf("baris %ld berisi lebih dari %d kolom", ps->records + 1,
					  TABLE_MAX_FIELDS);
		return;
	}
	if (ps->in_header) {
		header_field(ps, s ? s : "", s ? len : 0);
		ps->field++;
		return;
	}
	c = ps->field < ps->map_len ? ps->map[ps->field] : -1;
	ps->field++;
	if (c < 0 || !s)
		return;
	if (len)
		ps->blank = false;
	/* A field seen twice keeps the last; set_size + memcpy is the
	 * cheapest copy GString offers (this runs for every cell). */
	g_string_set_size(ps->val[c], len);
	memcpy(ps->val[c]->str, s, len);
	if (!plain_ascii((const unsigned char *)s, len) &&
	    !g_utf8_validate(ps->val[c]->str, (gssize)len, NULL)) {
		char *fixed = g_utf8_make_valid(ps->val[c]->str, (gssize)len);

		g_string_assign(ps->val[c], fixed);
		g_free(fixed);
		ps->bad[c] = true;
	}
}

static void cb_record(int term, void *ud)
{
	struct parse *ps = ud;

	(void)term;
	if (ps->status)
		return;
	ps->records++;
	if (ps->in_header) {
		ps->in_header = false;
		ps->status = finish_header(ps);
		goto reset;
	}
	if (!ps->blank) {
		struct table_row r = { .row_no = ps->records, .val = ps->vptr, .len = ps->lens,
				       .bad_utf8 = ps->bad };

		for (int c = 0; c < ps->ncols; c++) {
			ps->vptr[c] = ps->val[c]->str;
			ps->lens[c] = ps->val[c]->len;
		}
		ps->status = ps->row_fn(ps->ud, &r);
	}
reset:
	for (int c = 0; c < ps->ncols; c++) {
		ps->val[c]->len = 0;	/* g_string_truncate(, 0), inline */
		ps->val[c]->str[0] = 0;
		ps->bad[c] = false;
	}
	ps->field = 0;
	ps->blank = true;
}

static char *describe_csv_error(struct parse *ps, int err)
{
	if (err == CSV_ENOMEM && field_too_big)
		return g_strdup_printf("baris %ld berisi isian lebih dari %d KiB; berkas ini bukan "
				       "ekspor jawaban formulir yang wajar", ps->records + 1,
				       TABLE_MAX_FIELD / 1024);
	if (err == CSV_EPARSE)
		return g_strdup_printf("format CSV rusak di sekitar baris %ld (tanda kutip tidak "
				       "berpasangan atau berkas terpotong)", ps->records + 1);
	return g_strdup_printf("CSV tidak dapat dibaca di sekitar baris %ld: %s", ps->records + 1,
			       csv_strerror(err));
}

int table_read_csv(int fd, const struct table_col *cols, int ncols, table_header_fn header,
		   table_row_fn row, void *ud, char **why)
{
	struct csv_parser p;
	struct parse ps = { .cols = cols, .ncols = ncols, .header_fn = header, .row_fn = row,
			    .ud = ud, .in_header = true, .blank = true };
	size_t bufsz = 256 * 1024;
	unsigned char *buf = g_malloc(bufsz);
	bool first = true, any_text = false;
	int rc = TABLE_ABORT;

	*why = NULL;
	field_too_big = false;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)) {
		log_error("libcsv: init failed");
		g_free(buf);
		return TABLE_ABORT;
	}
	csv_set_realloc_func(&p, capped_realloc);
	/* libcsv grows its field buffer by a fixed step (128 bytes by
	 * default): a field up to the cap would cost thousands of reallocs,
	 * each copying the field so far (seconds for one hostile field, far
	 * more under ASan). 64 KiB steps reach the cap in 16. */
	csv_set_blk_size(&p, 64 * 1024);
	ps.header = g_ptr_array_new_with_free_func(g_free);
	ps.val = g_new(GString *, ncols);
	ps.bad = g_new0(bool, ncols);
	ps.lens = g_new0(size_t, ncols);
	ps.vptr = g_new0(const char *, ncols);
	for (int c = 0; c < ncols; c++)
		ps.val[c] = g_string_new(NULL);

	for (off_t off = 0;;) {
		ssize_t n = pread(fd, buf, bufsz, off);
		size_t skip = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("gagal membaca: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		off += n;
		if (first) {
			first = false;
			ps.why = table_sniff_binary(buf, (size_t)n);
			if (ps.why) {
				rc = TABLE_BAD;
				goto out;
			}
			if (n >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
				skip = 3;
			ps.delimiter = guess_delimiter(buf + skip, (size_t)n - skip);
			csv_set_delim(&p, (unsigned char)ps.delimiter);
		} else if (memchr(buf, 0, (size_t)n)) {
			ps.why = g_strdup_printf("berkas berisi byte biner setelah baris %ld; bukan "
						 "ekspor CSV", ps.records);
			rc = TABLE_BAD;
			goto out;
		}
		for (size_t i = skip; i < (size_t)n && !any_text; i++)
			if (!g_ascii_isspace(buf[i]))
				any_text = true;
		if (csv_parse(&p, buf + skip, (size_t)n - skip, cb_field, cb_record, &ps) !=
		    (size_t)n - skip) {
			if (!ps.status) {
				ps.why = describe_csv_error(&ps, csv_error(&p));
				ps.status = TABLE_BAD;
			}
		}
		if (ps.status) {
			rc = ps.status;
			goto out;
		}
	}
	if (!any_text) {
		ps.why = g_strdup("berkas kosong: tidak ada baris judul maupun data");
		rc = TABLE_BAD;
		goto out;
	}
	if (csv_fini(&p, cb_field, cb_record, &ps)) {
		if (!ps.status) {
			ps.why = describe_csv_error(&ps, csv_error(&p));
			ps.status = TABLE_BAD;
		}
	}
	rc = ps.status;
out:
	if (rc == TABLE_BAD)
		*why = ps.why;
	else
		g_free(ps.why);
	csv_free(&p);
	for (int c = 0; c < ncols; c++)
		g_string_free(ps.val[c], TRUE);
	g_free(ps.val);
	g_free(ps.bad);
	g_free(ps.lens);
	g_free(ps.vptr);
	g_free(ps.map);
	g_ptr_array_free(ps.header, TRUE);
	g_free(buf);
	return rc;
}
