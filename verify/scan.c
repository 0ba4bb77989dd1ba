/*
 * scan.c - the byte-level checks of a signed PDF, done on the raw bytes
 * and never through a PDF library's view of them.
 *
 * In: the file's bytes. Out: the revisions (each "startxref N %%EOF"),
 * and per signature whether its /ByteRange is four integers starting at
 * 0, ordered and inside the file; whether the gap is exactly the <hex>
 * string that stands after that very dictionary's /Contents key (found
 * by tokenizing the object "N G obj << ... >>" the signature field names,
 * which defeats signature wrapping: a /ByteRange pointing at a /Contents
 * moved elsewhere); and whether the signed bytes end exactly at the end
 * of a revision. Failures are problem codes on the result, never errors.
 */
#include <string.h>
#include <glib.h>

#include "pv.h"
#include "tte.h"

/* ---- a tokenizer for one PDF object (ISO 32000-1, 7.2) ---------------------- */

enum tok_type {
	T_END, T_BAD, T_NAME, T_NUM, T_HEX, T_STR, T_DICT, T_DICT_END, T_ARR, T_ARR_END,
	T_WORD,
};

struct tok {
	enum tok_type type;
	size_t start, end;	/* the token's bytes */
};

static bool is_ws(unsigned char c)
{
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static bool is_delim(unsigned char c)
{
	return strchr("()<>[]{}/%", c) != NULL && c != 0;
}

static bool is_regular(unsigned char c)
{
	return !is_ws(c) && !is_delim(c);
}

static void skip_ws(const unsigned char *b, size_t len, size_t *pos)
{
	while (*pos < len) {
		if (is_ws(b[*pos])) {
			(*pos)++;
		} else if (b[*pos] == '%') {
			while (*pos < len && b[*pos] != '\n' && b[*pos] != '\r')
				(*pos)++;
		} else {
			break;
		}
	}
}

static void next_tok(const unsigned char *b, size_t len, size_t *pos, struct tok *t)
{
	size_t p;

	skip_ws(b, len, pos);
	p = *pos;
	t->start = p;
	t->type = T_BAD;
	if (p >= len) {
		t->type = T_END;
		t->end = p;
		return;
	}
	switch (b[p]) {
	case '/':
		p++;
		while (p < len && is_regular(b[p]))
			p++;
		t->type = T_NAME;
		break;
	case '<':
		if (p + 1 < len && b[p + 1] == '<') {
			p += 2;
			t->type = T_DICT;
			break;
		}
		p++;
		while (p < len && b[p] != '>') {
			if (!g_ascii_isxdigit(b[p]) && !is_ws(b[p]))
				goto out;
			p++;
		}
		if (p >= len)
			goto out;
		p++;
		t->type = T_HEX;
		break;
	case '>':
		if (p + 1 < len && b[p + 1] == '>') {
			p += 2;
			t->type = T_DICT_END;
		}
		break;
	case '[':
		p++;
		t->type = T_ARR;
		break;
	case ']':
		p++;
		t->type = T_ARR_END;
		break;
	case '(': {
		int depth = 0;

		for (; p < len; p++) {
			if (b[p] == '\\') {
				p++;
			} else if (b[p] == '(') {
				depth++;
			} else if (b[p] == ')' && --depth == 0) {
				p++;
				t->type = T_STR;
				break;
			}
		}
		break;
	}
	default:
		if (!is_regular(b[p]))
			break;
		if (g_ascii_isdigit(b[p]) || b[p] == '+' || b[p] == '-' || b[p] == '.') {
			while (p < len && (g_ascii_isdigit(b[p]) || b[p] == '+' || b[p] == '-' ||
					   b[p] == '.'))
				p++;
			t->type = p < len && is_regular(b[p]) ? T_BAD : T_NUM;
		} else {
			while (p < len && is_regular(b[p]))
				p++;
			t->type = T_WORD;
		}
		break;
	}
out:
	t->end = p;
	*pos = t->type == T_BAD ? *pos : p;
}

static bool tok_is(const unsigned char *b, const struct tok *t, const char *s)
{
	size_t n = strlen(s);

	return t->end - t->start == n && !memcmp(b + t->start, s, n);
}

/* A non-negative integer token's value, or -1. */
static long long tok_int(const unsigned char *b, const struct tok *t)
{
	long long v = 0;

	if (t->type != T_NUM || t->end == t->start || t->end - t->start > 15)
		return -1;
	for (size_t i = t->start; i < t->end; i++) {
		if (!g_ascii_isdigit(b[i]))
			return -1;
		v = v * 10 + (b[i] - '0');
	}
	return v;
}

/* Skip one value whose first token is T (containers to their end). */
static bool skip_value(const unsigned char *b, size_t len, size_t *pos, const struct tok *t)
{
	int depth = 0;
	struct tok u = *t;

	for (;;) {
		switch (u.type) {
		case T_DICT:
		case T_ARR:
			depth++;
			break;
		case T_DICT_END:
		case T_ARR_END:
			if (--depth < 0)
				return false;
			break;
		case T_END:
		case T_BAD:
			return false;
		default:
			break;
		}
		if (depth == 0)
			return true;
		if (depth > 64)
			return false;
		next_tok(b, len, pos, &u);
	}
}

/* Skip the value of a dictionary entry at *POS, "N G R" included. */
static bool skip_entry_value(const unsigned char *b, size_t len, size_t *pos)
{
	struct tok t, r1, r2;
	size_t save;

	next_tok(b, len, pos, &t);
	if (!skip_value(b, len, pos, &t))
		return false;
	save = *pos;
	if (t.type == T_NUM) {
		next_tok(b, len, pos, &r1);
		next_tok(b, len, pos, &r2);
		if (!(r1.type == T_NUM && r2.type == T_WORD && tok_is(b, &r2, "R")))
			*pos = save;
	}
	return true;
}

/*
 * Is there, at OBJ (the offset of "obj" in "N G obj"), a dictionary whose
 * /Contents value is the hex string occupying exactly [GAP0, GAP1) and
 * whose /ByteRange is BR? Each key at most once.
 */
static bool dict_has_gap(const unsigned char *b, size_t len, size_t obj, size_t gap0,
			 size_t gap1, const long long br[4])
{
	size_t pos = obj + 3;
	struct tok t;
	bool contents = false, byterange = false;

	next_tok(b, len, &pos, &t);
	if (t.type != T_DICT)
		return false;
	for (;;) {
		next_tok(b, len, &pos, &t);
		if (t.type == T_DICT_END)
			break;
		if (t.type != T_NAME)
			return false;
		if (tok_is(b, &t, "/Contents")) {
			if (contents)
				return false;
			next_tok(b, len, &pos, &t);
			if (t.type != T_HEX || t.start != gap0 || t.end != gap1)
				return false;
			contents = true;
		} else if (tok_is(b, &t, "/ByteRange")) {
			if (byterange)
				return false;
			next_tok(b, len, &pos, &t);
			if (t.type != T_ARR)
				return false;
			for (int i = 0; i < 4; i++) {
				next_tok(b, len, &pos, &t);
				if (tok_int(b, &t) != br[i])
					return false;
			}
			next_tok(b, len, &pos, &t);
			if (t.type != T_ARR_END)
				return false;
			byterange = true;
		} else if (!skip_entry_value(b, len, &pos)) {
			return false;
		}
	}
	next_tok(b, len, &pos, &t);
	return contents && byterange && t.type == T_WORD && tok_is(b, &t, "endobj");
}

/* Parse the decimal integer ending just before END backwards; its start
 * into *START. -1 when there is none. */
static long long int_before(const unsigned char *b, size_t end, size_t *start)
{
	size_t p = end;
	long long v = 0, mul = 1;

	while (p > 0 && g_ascii_isdigit(b[p - 1]) && end - p < 12) {
		v += (b[p - 1] - '0') * mul;
		mul *= 10;
		p--;
	}
	if (p == end)
		return -1;
	*start = p;
	return v;
}

/*
 * Find the object "NUM GEN obj" that holds the gap [GAP0, GAP1) as the
 * value of its own /Contents key: look backwards from the gap for "obj"
 * keywords (at most 1 MiB back) and tokenize each candidate forwards.
 */
static bool find_sig_dict(const unsigned char *b, size_t len, size_t gap0, size_t gap1,
			  int num, int gen, const long long br[4])
{
	size_t lo = gap0 > (1u << 20) ? gap0 - (1u << 20) : 0;

	for (size_t p = gap0; p-- > lo + 1;) {
		size_t q, s;
		long long g, n;

		if (b[p] != 'o' || p + 3 > len || memcmp(b + p, "obj", 3) ||
		    (p + 3 < len && is_regular(b[p + 3])) || !is_ws(b[p - 1]))
			continue;
		q = p;
		while (q > 0 && is_ws(b[q - 1]))
			q--;
		g = int_before(b, q, &s);
		if (g < 0 || g != gen)
			continue;
		q = s;
		if (q == 0 || !is_ws(b[q - 1]))
			continue;
		while (q > 0 && is_ws(b[q - 1]))
			q--;
		n = int_before(b, q, &s);
		if (n < 0 || n != num || (s > 0 && is_regular(b[s - 1])))
			continue;
		if (dict_has_gap(b, len, p, gap0, gap1, br))
			return true;
	}
	return false;
}

/* ---- revisions ------------------------------------------------------------- */

bool pv_is_pdf(const unsigned char *buf, size_t len)
{
	return memmem(buf, len < 1024 ? len : 1024, "%PDF-", 5) != NULL;
}

/* Does "startxref\s+N\s+" end just before P? N into *XREF. */
static bool startxref_before(const unsigned char *b, size_t p, long long *xref)
{
	size_t q = p, s;
	long long n;

	while (q > 0 && is_ws(b[q - 1]))
		q--;
	n = int_before(b, q, &s);
	if (n < 0 || s == 0 || !is_ws(b[s - 1]))
		return false;
	q = s;
	while (q > 0 && is_ws(b[q - 1]))
		q--;
	if (q < 9 || memcmp(b + q - 9, "startxref", 9))
		return false;
	*xref = n;
	return true;
}

/* Does the cross-reference section a startxref names start at OFF: "xref"
 * or "N G obj" (a cross-reference stream)? Whitespace before it is a
 * common harmless quirk (node-signpdf points at the newline before
 * "xref"); qpdf accepts it too. */
static bool xref_at(const unsigned char *b, size_t len, long long off)
{
	size_t pos;
	struct tok t1, t2, t3;

	if (off < 0 || (size_t)off >= len)
		return false;
	pos = (size_t)off;
	while (pos < len && is_ws(b[pos]) && pos - (size_t)off < 16)
		pos++;
	if (len - pos >= 4 && !memcmp(b + pos, "xref", 4))
		return true;
	next_tok(b, len, &pos, &t1);
	next_tok(b, len, &pos, &t2);
	next_tok(b, len, &pos, &t3);
	return tok_int(b, &t1) >= 0 && tok_int(b, &t2) >= 0 && t3.type == T_WORD &&
	       tok_is(b, &t3, "obj");
}

/* The value token of KEY in the dictionary starting at POS (at "<<"). */
static bool dict_find(const unsigned char *b, size_t len, size_t pos, const char *key,
		      struct tok *val)
{
	struct tok t;

	next_tok(b, len, &pos, &t);
	if (t.type != T_DICT)
		return false;
	for (int n = 0; n < 10000; n++) {
		next_tok(b, len, &pos, &t);
		if (t.type != T_NAME)
			return false;
		if (tok_is(b, &t, key)) {
			next_tok(b, len, &pos, val);
			return true;
		}
		if (!skip_entry_value(b, len, &pos))
			return false;
	}
	return false;
}

/* /Prev of the cross-reference section at X (a table's trailer or a
 * stream's dictionary): its value, -1 when there is none. */
static long long section_prev(const unsigned char *b, size_t len, long long x)
{
	size_t pos = (size_t)x;
	struct tok t, v;

	while (pos < len && is_ws(b[pos]))
		pos++;
	if (len - pos >= 4 && !memcmp(b + pos, "xref", 4)) {
		const unsigned char *tr = memmem(b + pos, len - pos, "trailer", 7);

		if (!tr)
			return -1;
		pos = (size_t)(tr - b) + 7;
	} else {
		for (int i = 0; i < 3; i++)
			next_tok(b, len, &pos, &t);
	}
	if (!dict_find(b, len, pos, "/Prev", &v))
		return -1;
	return tok_int(b, &v);
}

static void set_end(const unsigned char *b, size_t len, struct pv_rev *r)
{
	r->end = r->eof;
	if (r->end < len && b[r->end] == '\r')
		r->end++;
	if (r->end < len && b[r->end] == '\n')
		r->end++;
}

/* The first "startxref N %%EOF" at or after FROM. */
static bool eof_after(const unsigned char *b, size_t len, size_t from, struct pv_rev *r)
{
	const unsigned char *hit;

	while (from < len && (hit = memmem(b + from, len - from, "%%EOF", 5))) {
		size_t p = (size_t)(hit - b);

		from = p + 5;
		if (startxref_before(b, p, &r->startxref)) {
			r->eof = p + 5;
			set_end(b, len, r);
			return true;
		}
	}
	return false;
}

/* The last "startxref N %%EOF" of the file. */
static bool last_eof(const unsigned char *b, size_t len, struct pv_rev *r)
{
	size_t p = len;
	const unsigned char *hit;

	while (p > 0 && (hit = memrchr(b, '%', p))) {
		p = (size_t)(hit - b);
		if (len - p >= 5 && !memcmp(hit, "%%EOF", 5) && startxref_before(b, p, &r->startxref)) {
			r->eof = p + 5;
			set_end(b, len, r);
			return true;
		}
	}
	return false;
}

static int by_eof(gconstpointer a, gconstpointer b)
{
	const struct pv_rev *x = a, *y = b;

	return x->eof < y->eof ? -1 : x->eof > y->eof;
}

/*
 * The revisions are the cross-reference sections a reader follows: from
 * the last startxref back along /Prev. Each ends at the first
 * "startxref N %%EOF" after its section. Walking the chain rather than
 * scanning the whole file for "%%EOF" keeps a 100 MB file from being read
 * twice, and ignores "%%EOF" bytes that are no revision's end.
 */
void pv_scan_revisions(struct pv_work *w)
{
	const unsigned char *b = w->buf;
	size_t len = w->len, tail, oldest = 0;
	struct pv_rev last;
	long long x;
	GHashTable *seen;

	w->first_rev = -1;
	if (!last_eof(b, len, &last)) {
		pv_problem(w, NULL, "NO_EOF", "no \"startxref N %%%%EOF\" in the file");
		return;
	}
	for (tail = last.end; tail < len && is_ws(b[tail]); tail++)
		;
	if (tail < len)
		pv_problem(w, NULL, "TRAILING_DATA", "%zu byte(s) after the last %%%%EOF are not "
			   "an incremental update", len - last.end);
	g_array_append_val(w->revs, last);
	oldest = last.eof;
	seen = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	for (x = last.startxref; x >= 0 && w->revs->len < 10000;) {
		struct pv_rev r;
		long long *key;

		if (g_hash_table_contains(seen, &x)) {
			pv_problem(w, NULL, "XREF_BROKEN", "the /Prev chain loops at %lld", x);
			break;
		}
		key = g_new(long long, 1);
		*key = x;
		g_hash_table_add(seen, key);
		if (!xref_at(b, len, x)) {
			pv_problem(w, NULL, "XREF_BROKEN", "startxref or /Prev %lld does not point at "
				   "a cross-reference section", x);
			break;
		}
		if (x != last.startxref) {
			if (!eof_after(b, len, (size_t)x, &r)) {
				pv_problem(w, NULL, "XREF_BROKEN", "the cross-reference section at %lld "
					   "is not followed by startxref and %%%%EOF", x);
				break;
			}
			if (pv_rev_at(w, r.eof) < 0)
				g_array_append_val(w->revs, r);
			oldest = r.eof;
		}
		x = section_prev(b, len, x);
	}
	g_hash_table_destroy(seen);
	g_array_sort(w->revs, by_eof);
	w->first_rev = pv_rev_at(w, oldest);
	w->r->revisions = (int)w->revs->len;
}

int pv_rev_at(const struct pv_work *w, size_t off)
{
	for (guint i = 0; i < w->revs->len; i++) {
		const struct pv_rev *r = &g_array_index(w->revs, struct pv_rev, i);

		if (r->eof == off || r->end == off)
			return (int)i;
	}
	return -1;
}

/* ---- filters of the streams qpdf decodes unasked ------------------------------- */

/* The name token T without its slash and with #xx escapes decoded, into
 * OUT (CAP bytes, cut short if longer). */
static void name_text(const unsigned char *b, const struct tok *t, char *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = t->start + 1; i < t->end && n + 1 < cap; i++) {
		if (b[i] == '#' && i + 2 < t->end && g_ascii_isxdigit(b[i + 1]) &&
		    g_ascii_isxdigit(b[i + 2])) {
			out[n++] = (char)(g_ascii_xdigit_value((char)b[i + 1]) << 4 |
					  g_ascii_xdigit_value((char)b[i + 2]));
			i += 2;
		} else {
			out[n++] = (char)b[i];
		}
	}
	out[n] = 0;
}

/* Is the /Filter value at *POS one limits.c can bound? Its reason for
 * refusing into WHY otherwise. */
static bool filter_bounded(const unsigned char *b, size_t len, size_t pos, const char **why)
{
	struct tok t, r1, r2;
	bool flate = false, array;
	char name[64];

	next_tok(b, len, &pos, &t);
	if (t.type == T_NUM) {
		next_tok(b, len, &pos, &r1);
		next_tok(b, len, &pos, &r2);
		if (r1.type == T_NUM && r2.type == T_WORD && tok_is(b, &r2, "R")) {
			*why = "an indirect /Filter";
			return false;
		}
		return true;
	}
	array = t.type == T_ARR;
	for (int i = 0; i < 64; i++) {
		if (array)
			next_tok(b, len, &pos, &t);
		if (t.type != T_NAME)
			return true;	/* the end, or nothing qpdf decodes */
		name_text(b, &t, name, sizeof(name));
		if (!strcmp(name, "LZWDecode") || !strcmp(name, "LZW") ||
		    !strcmp(name, "RunLengthDecode") || !strcmp(name, "RL")) {
			*why = "LZW or RunLength";
			return false;
		}
		if (!strcmp(name, "FlateDecode") || !strcmp(name, "Fl"))
			flate = true;
		else if (flate && (!strcmp(name, "ASCII85Decode") || !strcmp(name, "A85")))
			/* 'z' makes four bytes of one, after what was inflated. */
			return (*why = "ASCII85 after Flate"), false;
		if (!array)
			return true;
	}
	*why = "too many filters";
	return false;
}

/* The objects a cross-reference stream lists: the counts of its /Index
 * (pairs of first object, count), else its /Size (at IPOS or SPOS, 0 when
 * absent). -1 when they are not plain integers. */
static long long xref_entries(const unsigned char *b, size_t len, size_t ipos, size_t spos)
{
	struct tok t, r1, r2;
	long long sum = 0, v;

	if (!ipos) {
		if (!spos)
			return 0;	/* qpdf refuses it */
		next_tok(b, len, &spos, &t);
		v = tok_int(b, &t);
		next_tok(b, len, &spos, &r1);
		next_tok(b, len, &spos, &r2);
		return r1.type == T_NUM && r2.type == T_WORD && tok_is(b, &r2, "R") ? -1 : v;
	}
	next_tok(b, len, &ipos, &t);
	if (t.type != T_ARR)
		return -1;
	for (int i = 0;; i++) {
		next_tok(b, len, &ipos, &t);
		if (t.type == T_ARR_END)
			return sum;
		v = tok_int(b, &t);
		if (v < 0 || i > 20000)
			return -1;
		if (i % 2)
			sum += v;
	}
}

/*
 * qpdf decodes object streams and cross-reference streams by itself, with
 * whatever /Filter they name, as soon as an object in them is wanted.
 * Every stream's dictionary stands in the file's bytes as "N G obj <<"
 * (dictionaries are never compressed or encrypted): look at each one.
 * qpdf also keeps an entry for every object a cross-reference stream
 * lists (some 80 bytes each, a bit or two of inflated data): at most
 * PV_MAX_XREF_ENTRIES in all.
 */
bool pv_scan_filters(struct pv_work *w)
{
	const unsigned char *b = w->buf, *hit;
	size_t len = w->len, from = 0;
	long long entries = 0;

	while (from < len && (hit = memmem(b + from, len - from, "obj", 3))) {
		size_t p = (size_t)(hit - b), pos = p + 3, fpos = 0, ipos = 0, spos = 0;
		bool n = false, first = false, wkey = false, filter = false;
		const char *why = NULL;
		struct tok t;

		from = p + 3;
		if ((p > 0 && is_regular(b[p - 1])) || (pos < len && is_regular(b[pos])))
			continue;
		next_tok(b, len, &pos, &t);
		if (t.type != T_DICT)
			continue;
		for (int k = 0; k < 10000; k++) {
			next_tok(b, len, &pos, &t);
			if (t.type != T_NAME)
				break;
			if (tok_is(b, &t, "/Filter")) {
				filter = true;
				fpos = pos;
			}
			n |= tok_is(b, &t, "/N");
			first |= tok_is(b, &t, "/First");
			wkey |= tok_is(b, &t, "/W");
			if (tok_is(b, &t, "/Index"))
				ipos = pos;
			if (tok_is(b, &t, "/Size"))
				spos = pos;
			if (!skip_entry_value(b, len, &pos))
				break;
		}
		if (t.type != T_DICT_END || !((n && first) || wkey))
			continue;
		next_tok(b, len, &pos, &t);
		if (t.type != T_WORD || !tok_is(b, &t, "stream"))
			continue;
		if (wkey) {
			long long k = xref_entries(b, len, ipos, spos);

			entries += k < 0 ? PV_MAX_XREF_ENTRIES + 1 : k;
			if (entries > PV_MAX_XREF_ENTRIES) {
				pv_problem(w, NULL, "DECOMPRESSION_LIMIT", "the cross-reference streams "
					   "list more than %d objects (or not as plain integers)",
					   PV_MAX_XREF_ENTRIES);
				return false;
			}
		}
		if (filter && !filter_bounded(b, len, fpos, &why)) {
			pv_problem(w, NULL, "STREAM_FILTER_UNSUPPORTED", "the object or "
				   "cross-reference stream at offset %zu uses %s, whose output "
				   "cannot be bounded", p, why);
			return false;
		}
		from = pos;
	}
	return true;
}

/* ---- one signature ------------------------------------------------------------ */

/* Hex digit values, -1 for anything else. */
static signed char hexval[256];

static void hex_init(void)
{
	static bool done;

	if (done)
		return;
	memset(hexval, -1, sizeof(hexval));
	for (int c = 0; c < 10; c++)
		hexval['0' + c] = (signed char)c;
	for (int c = 0; c < 6; c++) {
		hexval['a' + c] = (signed char)(10 + c);
		hexval['A' + c] = (signed char)(10 + c);
	}
	done = true;
}

static bool hex_equals(const unsigned char *hex, size_t n, const unsigned char *bin, size_t blen)
{
	size_t j = 0;
	int half = -1;

	for (size_t i = 0; i < n; i++) {
		int v = hexval[hex[i]];

		if (v < 0)
			continue;
		if (half < 0) {
			half = v;
		} else {
			if (j >= blen || bin[j] != (half << 4 | v))
				return false;
			j++;
			half = -1;
		}
	}
	if (half >= 0) {
		if (j >= blen || bin[j] != half << 4)
			return false;
		j++;
	}
	return j == blen;
}

void pv_scan_signature(struct pv_work *w, struct pv_sigwork *s)
{
	const unsigned char *b = w->buf;
	long long a, r1, c, d, n = (long long)w->len;
	size_t gap0, gap1;
	bool ok = true;

	hex_init();
	s->ranges_ok = false;
	s->rev = -1;
	if (s->nbr != 4) {
		pv_problem(w, s, "BYTERANGE_MALFORMED", "/ByteRange has %d integer(s), not 4",
			   s->nbr < 0 ? 0 : s->nbr);
		return;
	}
	memcpy(s->pub->byte_range, s->br, sizeof(s->br));
	a = s->br[0];
	r1 = s->br[1];
	c = s->br[2];
	d = s->br[3];
	if (a != 0 || r1 <= 0 || c <= r1 || d <= 0) {
		pv_problem(w, s, "BYTERANGE_MALFORMED", "/ByteRange [%lld %lld %lld %lld] is not "
			   "[0 a b c] with 0 < a < b, c > 0", a, r1, c, d);
		return;
	}
	if (r1 > n || c > n || d > n - c) {
		pv_problem(w, s, "BYTERANGE_OUTSIDE_FILE", "/ByteRange [%lld %lld %lld %lld] "
			   "reaches past the end of the file (%lld bytes)", a, r1, c, d, n);
		return;
	}
	gap0 = (size_t)r1;
	gap1 = (size_t)c;
	s->signed_end = (size_t)(c + d);

	/* The gap must be one hex string, nothing more. */
	if (b[gap0] != '<' || b[gap1 - 1] != '>' || gap1 - gap0 < 2) {
		pv_problem(w, s, "GAP_NOT_CONTENTS", "the unsigned gap [%zu, %zu) is not a <hex> "
			   "string", gap0, gap1);
		ok = false;
	} else {
		for (size_t i = gap0 + 1; i < gap1 - 1; i++) {
			if (hexval[b[i]] < 0) {
				pv_problem(w, s, "GAP_NOT_CONTENTS", "the unsigned gap holds a "
					   "non-hex byte at offset %zu", i);
				ok = false;
				break;
			}
		}
	}
	if (ok && (!s->has_contents ||
		   !hex_equals(b + gap0 + 1, gap1 - gap0 - 2, s->contents, s->contents_len))) {
		pv_problem(w, s, "GAP_NOT_CONTENTS", "the unsigned gap is not this signature's "
			   "/Contents value");
		ok = false;
	}
	if (ok && (s->sig_obj <= 0 ||
		   !find_sig_dict(b, w->len, gap0, gap1, s->sig_obj, s->sig_gen, s->br))) {
		pv_problem(w, s, "GAP_NOT_CONTENTS", "the gap is not the /Contents of signature "
			   "object %d %d (wrapped or moved signature)", s->sig_obj, s->sig_gen);
		ok = false;
	}
	s->rev = pv_rev_at(w, s->signed_end);
	if (s->rev < 0) {
		pv_problem(w, s, "REVISION_NOT_COVERED", "the signed bytes end at %zu, which is "
			   "not the end of a revision", s->signed_end);
		ok = false;
	} else {
		const struct pv_rev *rv = &g_array_index(w->revs, struct pv_rev, s->rev);

		s->pub->revision = s->rev + 1;
		if (!xref_at(b, rv->eof, rv->startxref)) {
			pv_problem(w, s, "XREF_BROKEN", "the signed revision's startxref (%lld) does "
				   "not point at a cross-reference section", rv->startxref);
			ok = false;
		}
	}
	/* Hash even a dubious range: the digest check tells more. */
	s->ranges_ok = true;
	(void)ok;
}
