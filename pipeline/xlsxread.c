/*
 * xlsxread.c - XLSX workbooks to rows of named columns (table.h), for
 * status exports from the BSrE portal and whatever tool re-saved them.
 *
 * Input: an untrusted file. The zip is read with libarchive (seekable mode,
 * so members with data descriptors work), the XML with libxml2's SAX2 push
 * parser, member by member, in 64 KiB chunks: nothing is unpacked to disk
 * and no tree is built. Pass 1 reads the small members (workbook, its
 * relationships, core properties) and the shared-strings table, which
 * cells refer to by index and so must be in memory (capped); then each
 * worksheet, in workbook order, is streamed until one has a header the
 * caller accepts, and its rows are handed over.
 *
 * Failure: every problem with the file is TABLE_BAD with a reason in
 * Indonesian for the verifier (bad zip, encryption, XML errors, DOCTYPE,
 * caps exceeded, no recognisable header); TABLE_ABORT only for the
 * caller's own errors and system errors (logged).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <glib.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "log.h"
#include "table.h"
#include "tte.h"

#define CHUNK (64 * 1024)

/* Unpacked bytes one workbook may yield, all members together: without it
 * a small zip whose members are each just under their own cap (or whose
 * sheet entries all name one huge member) still costs minutes. */
static long long max_inflated = TABLE_XLSX_MAX_INFLATED;

void table_xlsx_set_max_inflated(long long bytes)
{
	max_inflated = bytes > 0 ? bytes : TABLE_XLSX_MAX_INFLATED;
}

struct sheet_ref {
	char *name;		/* as shown on the tab */
	char *rid;		/* r:id in workbook.xml */
	char *member;		/* zip member, once resolved */
};

struct xlsx {
	int fd;
	off_t size, pos;
	unsigned char in[CHUNK];	/* the zip as read (libarchive's input) */
	unsigned char out[CHUNK];	/* a member as unpacked (the parser's input) */

	const struct table_col *cols;
	int ncols;
	table_header_fn header_fn;
	table_row_fn row_fn;
	void *ud;

	/* pass 1 */
	GPtrArray *sheets;		/* struct sheet_ref *, workbook order */
	GHashTable *rels;		/* rid -> member */
	GPtrArray *fallback;		/* xl/worksheets/ members, archive order */
	char *created;
	GString *sst;			/* shared strings, NUL-separated */
	GArray *sst_off;		/* guint32 offsets into sst */

	long long inflated;		/* bytes unpacked so far, all members together */
	GHashTable *read;		/* worksheet members already streamed (lower case) */

	int status;			/* TABLE_OK, or what stopped the read */
	char *why;			/* the reason for TABLE_BAD */
	bool accepted;			/* a header was accepted */
	int best_found;			/* columns matched by the best rejected header */
	char *best_why;
};

/* ---- the zip -------------------------------------------------------------------- */

static la_ssize_t z_read(struct archive *a, void *p, const void **out)
{
	struct xlsx *x = p;
	ssize_t n;

	for (;;) {
		n = pread(x->fd, x->in, sizeof(x->in), x->pos);
		if (n >= 0 || errno != EINTR)
			break;
	}
	if (n < 0) {
		archive_set_error(a, errno, "read: %s", strerror(errno));
		return -1;
	}
	x->pos += n;
	*out = x->in;
	return n;
}

static la_int64_t z_seek(struct archive *a, void *p, la_int64_t off, int whence)
{
	struct xlsx *x = p;
	la_int64_t to = whence == SEEK_SET ? off : whence == SEEK_CUR ? x->pos + off : x->size + off;

	(void)a;
	if (to < 0)
		return ARCHIVE_FATAL;
	x->pos = to;
	return to;
}

static la_int64_t z_skip(struct archive *a, void *p, la_int64_t n)
{
	struct xlsx *x = p;

	(void)a;
	if (n < 0)
		return 0;
	if (x->pos + n > x->size)
		n = x->size - x->pos;
	x->pos += n;
	return n;
}

static void set_bad(struct xlsx *x, char *why)
{
	if (x->status) {
		g_free(why);
		return;
	}
	x->status = TABLE_BAD;
	x->why = why;
}

static struct archive *zip_open(struct xlsx *x)
{
	struct archive *a = archive_read_new();

	x->pos = 0;
	if (!a) {
		x->status = TABLE_ABORT;
		log_error("libarchive: out of memory");
		return NULL;
	}
	archive_read_support_format_zip_seekable(a);
	archive_read_set_read_callback(a, z_read);
	archive_read_set_seek_callback(a, z_seek);
	archive_read_set_skip_callback(a, z_skip);
	archive_read_set_callback_data(a, x);
	if (archive_read_open1(a) != ARCHIVE_OK) {
		set_bad(x, g_strdup_printf("berkas bukan XLSX yang dapat dibaca (arsip ZIP rusak atau "
					   "terpotong: %s); unduh ulang ekspornya",
					   archive_error_string(a) ? archive_error_string(a) : "?"));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Member name with '\' as '/' and without a leading '/', for comparison. */
static char *member_name(struct archive_entry *e)
{
	const char *p = archive_entry_pathname(e);
	char *s = g_strdup(p ? p : "");

	g_strdelimit(s, "\\", '/');
	if (*s == '/')
		memmove(s, s + 1, strlen(s));
	return s;
}

/*
 * Next member of A. 1 with *NAME (g_free), 0 at the end, -1 after setting
 * the status. Counts members against the cap.
 */
static int zip_next(struct xlsx *x, struct archive *a, struct archive_entry **e, char **name,
		    int *count)
{
	int r = archive_read_next_header(a, e);

	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
		set_bad(x, g_strdup_printf("arsip XLSX rusak (%s); unduh ulang ekspornya",
					   archive_error_string(a) ? archive_error_string(a) : "?"));
		return -1;
	}
	if (++*count > TABLE_XLSX_MAX_ENTRIES) {
		set_bad(x, g_strdup_printf("arsip berisi lebih dari %d bagian; bukan ekspor XLSX "
					   "yang wajar", TABLE_XLSX_MAX_ENTRIES));
		return -1;
	}
	/* A member that says it unpacks to more than the whole workbook may is
	 * refused before a byte is inflated; parse_member's count catches a
	 * member that lies about its size. */
	if (archive_entry_size_is_set(*e) && archive_entry_size(*e) > max_inflated) {
		set_bad(x, g_strdup_printf("bagian %s berukuran %lld MiB setelah diekstrak, lebih "
					   "dari batas %lld MiB ([ingest] max_xlsx_inflated_mb); "
					   "bukan ekspor yang wajar", archive_entry_pathname(*e),
					   (long long)((archive_entry_size(*e) + (1 << 20) - 1) >> 20),
					   max_inflated >> 20));
		return -1;
	}
	if (archive_entry_is_encrypted(*e)) {
		set_bad(x, g_strdup("XLSX berisi bagian terenkripsi (dilindungi kata sandi); buka di "
				    "Excel lalu simpan ulang tanpa kata sandi"));
		return -1;
	}
	*name = member_name(*e);
	return 1;
}

/* ---- XML members ------------------------------------------------------------ */

/* What a member parser gets: the SAX handlers' user data starts with this. */
struct xml_part {
	struct xlsx *x;
	xmlParserCtxtPtr ctxt;
	const char *member;
	bool doctype;
	char *error;		/* first XML error, English from libxml2 */
	int error_line;
};

static void stop(struct xml_part *p)
{
	if (p->ctxt)
		xmlStopParser(p->ctxt);
}

static void on_error(void *ud, xmlErrorPtr err)
{
	struct xml_part *p = ud;

	if (p->error || !err)
		return;
	p->error = g_strstrip(g_strdup(err->message ? err->message : "?"));
	p->error_line = err->line;
}

/* XLSX never has a DTD; refusing one also refuses entity expansion. */
static void on_dtd(void *ud, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	struct xml_part *p = ud;

	(void)name;
	(void)ext;
	(void)sys;
	p->doctype = true;
	stop(p);
}

static const char *attr(int nb, const xmlChar **attrs, const char *local, bool any_ns,
			size_t *len)
{
	/* SAX2 attributes: localname, prefix, URI, value, end (5 per attribute). */
	for (int i = 0; i < nb; i++) {
		const xmlChar **a = attrs + 5 * i;

		if (strcmp((const char *)a[0], local))
			continue;
		if (!any_ns && a[2])
			continue;
		*len = (size_t)(a[4] - a[3]);
		return (const char *)a[3];
	}
	return NULL;
}

static char *attr_dup(int nb, const xmlChar **attrs, const char *local, bool any_ns)
{
	size_t len;
	const char *v = attr(nb, attrs, local, any_ns, &len);

	return v ? g_strndup(v, len) : NULL;
}

/*
 * Stream the current member of A through SAX with user data P (whose
 * first member is a struct xml_part), at most CAP bytes unpacked.
 * Returns 0, or -1 with the status set.
 */
static int parse_member(struct xlsx *x, struct archive *a, xmlSAXHandler *sax,
			struct xml_part *p, long long cap)
{
	long long total = 0;
	int rc = -1;

	p->ctxt = NULL;
	sax->initialized = XML_SAX2_MAGIC;
	sax->serror = on_error;
	sax->internalSubset = on_dtd;
	for (;;) {
		la_ssize_t n = archive_read_data(a, x->out, sizeof(x->out));

		if (n < 0) {
			set_bad(x, g_strdup_printf("arsip XLSX rusak pada bagian %s (%s); unduh ulang "
						   "ekspornya", p->member,
						   archive_error_string(a) ? archive_error_string(a) : "?"));
			goto out;
		}
		total += n;
		x->inflated += n;
		if (x->inflated > max_inflated) {
			set_bad(x, g_strdup_printf("XLSX lebih dari %lld MiB setelah diekstrak (batas "
						   "[ingest] max_xlsx_inflated_mb); bukan ekspor yang "
						   "wajar", max_inflated >> 20));
			goto out;
		}
		if (total > cap) {
			set_bad(x, g_strdup_printf("bagian %s lebih dari %lld MiB setelah diekstrak; "
						   "bukan ekspor yang wajar", p->member, cap >> 20));
			goto out;
		}
		if (!p->ctxt) {
			if (n == 0) {
				set_bad(x, g_strdup_printf("bagian %s kosong; XLSX ini rusak", p->member));
				goto out;
			}
			p->ctxt = xmlCreatePushParserCtxt(sax, p, (const char *)x->out, (int)n,
							  p->member);
			if (!p->ctxt) {
				x->status = TABLE_ABORT;
				log_error("libxml2: out of memory");
				goto out;
			}
			xmlCtxtUseOptions(p->ctxt, XML_PARSE_NONET | XML_PARSE_NOCDATA);
			if (n > 0 && !x->status && !p->doctype && p->ctxt->wellFormed)
				continue;
		} else {
			xmlParseChunk(p->ctxt, (const char *)x->out, (int)n, n == 0);
		}
		if (x->status || p->doctype || !p->ctxt->wellFormed || p->ctxt->disableSAX || n == 0)
			break;
	}
	if (x->status)
		goto out;
	if (p->doctype) {
		set_bad(x, g_strdup_printf("bagian %s berisi deklarasi DOCTYPE; XLSX dari Excel atau "
					   "portal tidak pernah memilikinya", p->member));
		goto out;
	}
	if (!p->ctxt->wellFormed) {
		set_bad(x, g_strdup_printf("isi XLSX rusak: %s bukan XML yang sah (baris %d: %s)",
					   p->member, p->error_line, p->error ? p->error : "?"));
		goto out;
	}
	rc = 0;
out:
	if (p->ctxt)
		xmlFreeParserCtxt(p->ctxt);
	p->ctxt = NULL;
	g_free(p->error);
	p->error = NULL;
	return rc;
}

/* ---- workbook.xml, its relationships, core properties ---------------------------- */

/* SAX2 element callbacks; most use only the local name and attributes. */
#define SAX_START_ARGS void *ud, const xmlChar *lname, const xmlChar *prefix G_GNUC_UNUSED, \
	const xmlChar *uri G_GNUC_UNUSED, int nns G_GNUC_UNUSED, \
	const xmlChar **ns G_GNUC_UNUSED, int nattr G_GNUC_UNUSED, int ndef G_GNUC_UNUSED, \
	const xmlChar **attrs G_GNUC_UNUSED
#define SAX_END_ARGS void *ud, const xmlChar *lname, const xmlChar *prefix G_GNUC_UNUSED, \
	const xmlChar *uri G_GNUC_UNUSED

static void wb_start(SAX_START_ARGS)
{
	struct xml_part *p = ud;
	struct xlsx *x = p->x;
	struct sheet_ref *s;

	if (strcmp((const char *)lname, "sheet") || x->sheets->len >= TABLE_XLSX_MAX_SHEETS)
		return;
	s = g_new0(struct sheet_ref, 1);
	s->name = attr_dup(nattr, attrs, "name", false);
	s->rid = attr_dup(nattr, attrs, "id", true);
	if (!s->name || !g_utf8_validate(s->name, -1, NULL)) {
		g_free(s->name);
		s->name = g_strdup_printf("Sheet%u", x->sheets->len + 1);
	}
	g_ptr_array_add(x->sheets, s);
}

/* Resolve a relationship target against xl/. */
static char *rel_target(const char *t)
{
	GString *s;
	gchar **parts;

	if (*t == '/')
		return g_strdup(t + 1);
	s = g_string_new("xl");
	parts = g_strsplit(t, "/", -1);
	for (gchar **q = parts; *q; q++) {
		if (!**q || !strcmp(*q, "."))
			continue;
		if (!strcmp(*q, "..")) {
			char *slash = strrchr(s->str, '/');

			g_string_truncate(s, slash ? (gsize)(slash - s->str) : 0);
			continue;
		}
		g_string_append_printf(s, "%s%s", s->len ? "/" : "", *q);
	}
	g_strfreev(parts);
	return g_string_free(s, FALSE);
}

static void rels_start(SAX_START_ARGS)
{
	struct xml_part *p = ud;
	char *id, *target;

	if (strcmp((const char *)lname, "Relationship") ||
	    g_hash_table_size(p->x->rels) >= TABLE_XLSX_MAX_ENTRIES)
		return;
	id = attr_dup(nattr, attrs, "Id", false);
	target = attr_dup(nattr, attrs, "Target", false);
	if (id && target) {
		char *m = rel_target(target);

		g_strdelimit(m, "\\", '/');
		g_hash_table_replace(p->x->rels, id, m);
		id = NULL;
	}
	g_free(id);
	g_free(target);
}

struct core_part {
	struct xml_part p;
	bool in_created;
	GString *text;
};

static void core_start(SAX_START_ARGS)
{
	struct core_part *c = ud;

	c->in_created = !strcmp((const char *)lname, "created");
}

static void core_end(SAX_END_ARGS)
{
	struct core_part *c = ud;

	if (c->in_created && !strcmp((const char *)lname, "created") && !c->p.x->created)
		c->p.x->created = g_strstrip(g_strdup(c->text->str));
	c->in_created = false;
}

static void core_chars(void *ud, const xmlChar *ch, int len)
{
	struct core_part *c = ud;

	if (c->in_created && c->text->len < 64)
		g_string_append_len(c->text, (const char *)ch, len);
}

/* ---- shared strings --------------------------------------------------------------- */

/* Text of a string item: <t> directly or in rich-text runs <r>, never in
 * phonetic runs <rPh>. Shared by sst items and inline-string cells. */
struct text_state {
	int rph;		/* depth inside <rPh> */
	bool in_t;
	GString *buf;
	bool too_big;
};

static void text_start(struct text_state *t, const char *local)
{
	if (!strcmp(local, "rPh"))
		t->rph++;
	else if (!strcmp(local, "t") && !t->rph)
		t->in_t = true;
}

static void text_end(struct text_state *t, const char *local)
{
	if (!strcmp(local, "rPh") && t->rph)
		t->rph--;
	else if (!strcmp(local, "t"))
		t->in_t = false;
}

static void text_add(struct text_state *t, const xmlChar *ch, int len)
{
	if (t->buf->len + (size_t)len > TABLE_MAX_FIELD) {
		t->too_big = true;
		return;
	}
	g_string_append_len(t->buf, (const char *)ch, len);
}

struct sst_part {
	struct xml_part p;
	bool in_si;
	struct text_state t;
};

static void sst_start(SAX_START_ARGS)
{
	struct sst_part *s = ud;

	if (!strcmp((const char *)lname, "si")) {
		s->in_si = true;
		s->t.rph = 0;
		s->t.in_t = false;
		g_string_truncate(s->t.buf, 0);
	} else if (s->in_si) {
		text_start(&s->t, (const char *)lname);
	}
}

static void sst_end(SAX_END_ARGS)
{
	struct sst_part *s = ud;
	struct xlsx *x = s->p.x;
	guint32 off;

	if (!s->in_si)
		return;
	if (strcmp((const char *)lname, "si")) {
		text_end(&s->t, (const char *)lname);
		return;
	}
	s->in_si = false;
	if (s->t.too_big) {
		set_bad(x, g_strdup_printf("tabel string bersama berisi teks lebih dari %d KiB dalam "
					   "satu sel; bukan ekspor yang wajar", TABLE_MAX_FIELD / 1024));
		stop(&s->p);
		return;
	}
	if (x->sst_off->len >= TABLE_XLSX_MAX_STRINGS ||
	    x->sst->len + s->t.buf->len + 1 > TABLE_XLSX_MAX_STRING_BYTES) {
		set_bad(x, g_strdup_printf("tabel string bersama terlalu besar (lebih dari %d string "
					   "atau %d MiB); bukan ekspor yang wajar",
					   TABLE_XLSX_MAX_STRINGS, TABLE_XLSX_MAX_STRING_BYTES >> 20));
		stop(&s->p);
		return;
	}
	off = (guint32)x->sst->len;
	g_array_append_val(x->sst_off, off);
	g_string_append_len(x->sst, s->t.buf->str, (gssize)s->t.buf->len);
	g_string_append_c(x->sst, 0);
}

static void sst_chars(void *ud, const xmlChar *ch, int len)
{
	struct sst_part *s = ud;

	if (s->in_si && s->t.in_t && !s->t.rph)
		text_add(&s->t, ch, len);
}

/* ---- pass 1 ------------------------------------------------------------------------ */

static bool name_is(const char *name, const char *want)
{
	return !g_ascii_strcasecmp(name, want);
}

static int read_meta(struct xlsx *x)
{
	struct archive *a = zip_open(x);
	struct archive_entry *e;
	char *name = NULL;
	int count = 0, r, rc = -1;

	if (!a)
		return -1;
	while ((r = zip_next(x, a, &e, &name, &count)) == 1) {
		xmlSAXHandler sax = { 0 };

		if (name_is(name, "xl/workbook.xml")) {
			struct xml_part p = { .x = x, .member = "xl/workbook.xml" };

			sax.startElementNs = wb_start;
			if (parse_member(x, a, &sax, &p, TABLE_XLSX_MAX_META))
				goto out;
		} else if (name_is(name, "xl/_rels/workbook.xml.rels")) {
			struct xml_part p = { .x = x, .member = "xl/_rels/workbook.xml.rels" };

			sax.startElementNs = rels_start;
			if (parse_member(x, a, &sax, &p, TABLE_XLSX_MAX_META))
				goto out;
		} else if (name_is(name, "docProps/core.xml")) {
			struct core_part c = { .p = { .x = x, .member = "docProps/core.xml" } };
			int prc;

			c.text = g_string_new(NULL);
			sax.startElementNs = core_start;
			sax.endElementNs = core_end;
			sax.characters = core_chars;
			prc = parse_member(x, a, &sax, &c.p, TABLE_XLSX_MAX_META);
			g_string_free(c.text, TRUE);
			/* Properties are a hint only: a broken core.xml is ignored. */
			if (prc && x->status == TABLE_BAD) {
				g_free(x->why);
				x->why = NULL;
				x->status = TABLE_OK;
			} else if (prc) {
				goto out;
			}
		} else if (name_is(name, "xl/sharedStrings.xml")) {
			struct sst_part s = { .p = { .x = x, .member = "xl/sharedStrings.xml" } };
			int prc;

			s.t.buf = g_string_new(NULL);
			sax.startElementNs = sst_start;
			sax.endElementNs = sst_end;
			sax.characters = sst_chars;
			sax.ignorableWhitespace = sst_chars;
			prc = parse_member(x, a, &sax, &s.p, TABLE_XLSX_MAX_SST_XML);
			g_string_free(s.t.buf, TRUE);
			if (prc)
				goto out;
		} else if (!g_ascii_strncasecmp(name, "xl/worksheets/", 14) &&
			   !strchr(name + 14, '/') && g_str_has_suffix(name, ".xml")) {
			if (x->fallback->len < TABLE_XLSX_MAX_SHEETS)
				g_ptr_array_add(x->fallback, g_strdup(name));
		}
		g_free(name);
		name = NULL;
	}
	if (r < 0)
		goto out;
	rc = 0;
out:
	g_free(name);
	archive_read_free(a);
	return rc;
}

/* ---- worksheets -------------------------------------------------------------------- */

struct sheet_part {
	struct xml_part p;
	const char *sheet;		/* name for messages and the header */

	bool in_data, in_row, in_cell, in_v, in_is;
	long row_no, next_row;
	int col, next_col;
	char type[12];			/* the cell's t attribute */
	GString *cell;
	struct text_state t;
	bool cell_too_big;
	bool blank;			/* no cell with a value in this row yet */

	/* Searching for the header: every cell of the row, by column. */
	bool header_mode;
	int candidates;
	GPtrArray *hdr;			/* char *, NULL for empty */

	/* Data rows: file column -> caller column. */
	int *map;
	int map_len;
	GString **val;
	size_t *lens;
	const char **vptr;
	bool *bad;
};

/* "BC12" -> 54 (0-based), or -1. */
static int ref_col(const char *ref, size_t len)
{
	int c = 0;
	size_t i = 0;

	for (; i < len && i < 4 && g_ascii_isupper(ref[i]); i++)
		c = c * 26 + (ref[i] - 'A' + 1);
	if (!i || i > 3 || (i < len && !g_ascii_isdigit(ref[i])))
		return -1;
	return c - 1;
}

static long parse_long(const char *s, size_t len)
{
	long v = 0;

	if (!len || len > 9)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!g_ascii_isdigit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * A number as an export tool wrote it. An integer in exponent form whose
 * mantissa carries every digit ("5.108050101900001E+15") is expanded, and
 * "5108050101900001.0" loses its ".0"; an exponent form that would need
 * padding zeros lost digits and stays as written, as do real fractions.
 */
static void number_text(GString *v)
{
	const char *s = v->str, *dot = NULL, *e, *q;
	GString *d;
	bool neg = false;
	size_t frac;
	long exp = 0;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (!g_ascii_isdigit(*s))
		return;
	e = strpbrk(s, "eE");
	d = g_string_new(NULL);
	for (q = s; *q && q != e; q++) {
		if (g_ascii_isdigit(*q))
			g_string_append_c(d, *q);
		else if (*q == '.' && !dot)
			dot = q;
		else
			goto keep;
	}
	frac = dot ? (size_t)(q - dot - 1) : 0;
	if (e) {
		const char *x = e + 1;
		char *end;

		if (*x == '+')
			x++;
		if (!g_ascii_isdigit(*x))
			goto keep;
		exp = strtol(x, &end, 10);
		if (*end || exp > 30)
			goto keep;
	} else {
		/* "123.000": an integer with a decimal tail. */
		for (const char *z = dot ? dot + 1 : q; *z; z++)
			if (*z != '0')
				goto keep;
		g_string_truncate(d, d->len - frac);
		frac = 0;
	}
	if ((long)frac != exp)
		goto keep;	/* a fraction, or digits lost */
	while (d->len > 1 && d->str[0] == '0')
		g_string_erase(d, 0, 1);
	if (neg)
		g_string_prepend_c(d, '-');
	g_string_assign(v, d->str);
keep:
	g_string_free(d, TRUE);
}

static void header_row_reset(struct sheet_part *s)
{
	for (guint i = 0; i < s->hdr->len; i++)
		g_free(s->hdr->pdata[i]);
	g_ptr_array_set_size(s->hdr, 0);
}

/* A candidate header row ended: offer it to the caller. */
static void try_header(struct sheet_part *s)
{
	struct xlsx *x = s->p.x;
	int n = (int)s->hdr->len, found, rc, cells = 0;
	const char **names = g_new0(const char *, x->ncols);
	struct table_header h = { .row_no = s->row_no, .sheet = s->sheet, .created = x->created };
	char *why = NULL;
	int *map = g_new(int, n ? n : 1);

	for (int i = 0; i < n; i++)
		if (s->hdr->pdata[i])
			cells++;
	h.file_columns = cells;
	found = table_map_header(x->cols, x->ncols, (char *const *)s->hdr->pdata, n, map, names,
				 &h.indonesian);
	h.names = names;
	rc = x->header_fn(x->ud, &h, &why);
	g_free(names);
	if (rc == TABLE_OK) {
		x->accepted = true;
		s->header_mode = false;
		s->map = map;
		s->map_len = n;
		g_free(why);
		return;
	}
	g_free(map);
	if (rc == TABLE_BAD) {
		if (!x->best_why || found > x->best_found) {
			g_free(x->best_why);
			x->best_why = g_strdup_printf("lembar \"%s\" baris %ld: %s", s->sheet, s->row_no,
						      why ? why : "judul kolom tidak dikenali");
			x->best_found = found;
		}
		g_free(why);
		if (++s->candidates >= TABLE_XLSX_HEADER_ROWS)
			stop(&s->p);
		return;
	}
	g_free(why);
	x->status = TABLE_ABORT;
	stop(&s->p);
}

static void data_row(struct sheet_part *s)
{
	struct xlsx *x = s->p.x;
	struct table_row r = { .row_no = s->row_no, .val = s->vptr, .len = s->lens, .bad_utf8 = s->bad };
	int rc;

	for (int c = 0; c < x->ncols; c++) {
		s->vptr[c] = s->val[c]->str;
		s->lens[c] = s->val[c]->len;
	}
	rc = x->row_fn(x->ud, &r);
	if (rc) {
		x->status = rc == TABLE_BAD ? TABLE_BAD : TABLE_ABORT;
		stop(&s->p);
	}
}

static void row_reset(struct sheet_part *s)
{
	for (int c = 0; c < s->p.x->ncols; c++)
		g_string_truncate(s->val[c], 0);
	s->blank = true;
	s->next_col = 0;
}

static void sh_start(SAX_START_ARGS)
{
	struct sheet_part *s = ud;
	const char *local = (const char *)lname;
	size_t len;
	const char *v;

	if (!s->in_data) {
		if (!strcmp(local, "sheetData"))
			s->in_data = true;
		return;
	}
	if (!strcmp(local, "row")) {
		long r = -1;

		v = attr(nattr, attrs, "r", false, &len);
		if (v)
			r = parse_long(v, len);
		s->row_no = r > 0 ? r : s->next_row;
		s->next_row = s->row_no + 1;
		s->in_row = true;
		row_reset(s);
		if (s->header_mode)
			header_row_reset(s);
		return;
	}
	if (!s->in_row)
		return;
	if (!strcmp(local, "c")) {
		int c = -1;

		v = attr(nattr, attrs, "r", false, &len);
		if (v)
			c = ref_col(v, len);
		s->col = c >= 0 ? c : s->next_col;
		s->next_col = s->col + 1;
		v = attr(nattr, attrs, "t", false, &len);
		g_strlcpy(s->type, "", sizeof(s->type));
		if (v && len < sizeof(s->type)) {
			memcpy(s->type, v, len);
			s->type[len] = 0;
		}
		s->in_cell = true;
		s->cell_too_big = false;
		g_string_truncate(s->cell, 0);
		return;
	}
	if (!s->in_cell)
		return;
	if (!strcmp(local, "v")) {
		s->in_v = true;
	} else if (!strcmp(local, "is")) {
		s->in_is = true;
		s->t.rph = 0;
		s->t.in_t = false;
	} else if (s->in_is) {
		text_start(&s->t, local);
	}
}

/* The cell ended: its value into the row. */
static void end_cell(struct sheet_part *s)
{
	struct xlsx *x = s->p.x;
	GString *v = s->cell;
	int c;

	s->in_cell = false;
	if (s->cell_too_big) {
		set_bad(x, g_strdup_printf("lembar \"%s\" baris %ld berisi sel lebih dari %d KiB",
					   s->sheet, s->row_no, TABLE_MAX_FIELD / 1024));
		stop(&s->p);
		return;
	}
	if (!strcmp(s->type, "s")) {
		long k = parse_long(v->str, v->len);

		if (!v->len)
			return;
		if (k < 0 || (guint)k >= x->sst_off->len) {
			set_bad(x, g_strdup_printf("lembar \"%s\" baris %ld merujuk string bersama yang "
						   "tidak ada; XLSX ini rusak", s->sheet, s->row_no));
			stop(&s->p);
			return;
		}
		g_string_assign(v, x->sst->str + g_array_index(x->sst_off, guint32, k));
	} else if (!strcmp(s->type, "b")) {
		if (v->len)
			g_string_assign(v, strcmp(v->str, "0") ? "TRUE" : "FALSE");
	} else if (!*s->type || !strcmp(s->type, "n")) {
		g_strstrip(v->str);
		v->len = strlen(v->str);
		number_text(v);
	}
	if (!v->len)
		return;
	s->blank = false;
	if (s->col >= TABLE_MAX_FIELDS)
		return;
	if (s->header_mode) {
		while ((int)s->hdr->len <= s->col)
			g_ptr_array_add(s->hdr, NULL);
		g_free(s->hdr->pdata[s->col]);
		s->hdr->pdata[s->col] = g_strstrip(g_strdup(v->str));
		return;
	}
	c = s->col < s->map_len ? s->map[s->col] : -1;
	if (c >= 0)
		g_string_assign(s->val[c], v->str);
}

static void sh_end(SAX_END_ARGS)
{
	struct sheet_part *s = ud;
	const char *local = (const char *)lname;

	if (!s->in_data)
		return;
	if (s->in_cell) {
		if (!strcmp(local, "c"))
			end_cell(s);
		else if (!strcmp(local, "v"))
			s->in_v = false;
		else if (!strcmp(local, "is"))
			s->in_is = false;
		else if (s->in_is)
			text_end(&s->t, local);
		return;
	}
	if (!strcmp(local, "row") && s->in_row) {
		s->in_row = false;
		if (s->blank)
			return;
		if (s->header_mode)
			try_header(s);
		else
			data_row(s);
		return;
	}
	if (!strcmp(local, "sheetData")) {
		s->in_data = false;
		stop(&s->p);	/* nothing after the data matters */
	}
}

static void sh_chars(void *ud, const xmlChar *ch, int len)
{
	struct sheet_part *s = ud;

	if (!s->in_cell)
		return;
	if (s->in_v || (s->in_is && s->t.in_t && !s->t.rph)) {
		if (s->cell->len + (size_t)len > TABLE_MAX_FIELD) {
			s->cell_too_big = true;
			return;
		}
		g_string_append_len(s->cell, (const char *)ch, len);
	}
}

/* Stream worksheet MEMBER (tab NAME). 0 read (accepted or not); -1 stop. */
static int read_sheet(struct xlsx *x, const char *member, const char *name)
{
	struct archive *a;
	struct archive_entry *e;
	char *mname = NULL;
	int count = 0, r, rc = -1;
	struct sheet_part s = { .p = { .x = x, .member = member }, .sheet = name,
				.header_mode = true, .next_row = 1 };
	xmlSAXHandler sax = { 0 };
	char *key = g_ascii_strdown(member, -1);

	/* Sheet entries may all name one member: what was read once had
	 * nothing to offer the first time either. */
	if (!g_hash_table_add(x->read, key))
		return 0;
	a = zip_open(x);
	if (!a)
		return -1;
	while ((r = zip_next(x, a, &e, &mname, &count)) == 1 && !name_is(mname, member)) {
		g_free(mname);
		mname = NULL;
	}
	if (r < 0)
		goto out;
	if (r == 0) {
		rc = 0;		/* the workbook names a sheet that is not there */
		goto out;
	}
	s.cell = g_string_new(NULL);
	s.t.buf = s.cell;
	s.hdr = g_ptr_array_new();
	s.val = g_new(GString *, x->ncols);
	s.lens = g_new0(size_t, x->ncols);
	s.vptr = g_new0(const char *, x->ncols);
	s.bad = g_new0(bool, x->ncols);
	for (int c = 0; c < x->ncols; c++)
		s.val[c] = g_string_new(NULL);
	sax.startElementNs = sh_start;
	sax.endElementNs = sh_end;
	sax.characters = sh_chars;
	sax.ignorableWhitespace = sh_chars;
	/* Parsing stops early on purpose (the header search gave up, or the
	 * data ended); parse_member fails only with the status set. */
	if (!parse_member(x, a, &sax, &s.p, TABLE_XLSX_MAX_SHEET_XML))
		rc = 0;
	header_row_reset(&s);
	g_ptr_array_free(s.hdr, TRUE);
	for (int c = 0; c < x->ncols; c++)
		g_string_free(s.val[c], TRUE);
	g_free(s.val);
	g_free(s.lens);
	g_free(s.vptr);
	g_free(s.bad);
	g_free(s.map);
	g_string_free(s.cell, TRUE);
out:
	g_free(mname);
	archive_read_free(a);
	return rc;
}

static void sheet_ref_free(gpointer p)
{
	struct sheet_ref *s = p;

	g_free(s->name);
	g_free(s->rid);
	g_free(s->member);
	g_free(s);
}

static char *sniff(int fd)
{
	unsigned char h[8];
	ssize_t n = pread(fd, h, sizeof(h), 0);

	if (n <= 0)
		return g_strdup("berkas kosong");
	if (n >= 8 && !memcmp(h, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
		return g_strdup("berkas ini dokumen Excel lama (.xls) atau XLSX yang dilindungi kata "
				"sandi; buka di Excel lalu simpan sebagai .xlsx tanpa kata sandi");
	if (n < 4 || memcmp(h, "PK\x03\x04", 4))
		return g_strdup("berkas ini bukan XLSX (bukan arsip ZIP); bila isinya CSV, ganti "
				"akhiran namanya menjadi .csv");
	return NULL;
}

int table_read_xlsx(int fd, const struct table_col *cols, int ncols, table_header_fn header,
		    table_row_fn row, void *ud, char **why)
{
	struct xlsx *x = g_new0(struct xlsx, 1);
	struct stat st;
	int rc;

	*why = NULL;
	x->fd = fd;
	x->cols = cols;
	x->ncols = ncols;
	x->header_fn = header;
	x->row_fn = row;
	x->ud = ud;
	x->sheets = g_ptr_array_new_with_free_func(sheet_ref_free);
	x->rels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	x->fallback = g_ptr_array_new_with_free_func(g_free);
	x->sst = g_string_new(NULL);
	x->sst_off = g_array_new(FALSE, FALSE, sizeof(guint32));
	x->read = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	xmlInitParser();

	if (fstat(fd, &st)) {
		x->status = TABLE_ABORT;
		log_error("fstat: %s", strerror(errno));
		goto out;
	}
	x->size = st.st_size;
	x->why = sniff(fd);
	if (x->why) {
		x->status = TABLE_BAD;
		goto out;
	}
	if (read_meta(x))
		goto out;

	if (x->sheets->len) {
		for (guint i = 0; i < x->sheets->len && !x->accepted && !x->status; i++) {
			struct sheet_ref *s = x->sheets->pdata[i];
			const char *m = s->rid ? g_hash_table_lookup(x->rels, s->rid) : NULL;

			if (m && read_sheet(x, m, s->name))
				goto out;
		}
	} else {
		/* No usable workbook.xml: every worksheet member, in zip order. */
		for (guint i = 0; i < x->fallback->len && !x->accepted && !x->status; i++) {
			const char *m = x->fallback->pdata[i];

			if (read_sheet(x, m, strrchr(m, '/') + 1))
				goto out;
		}
	}
	if (x->status || x->accepted)
		goto out;
	if (!x->sheets->len && !x->fallback->len)
		set_bad(x, g_strdup("XLSX tidak berisi lembar kerja (worksheet); unduh ulang "
				    "ekspornya"));
	else if (x->best_why)
		set_bad(x, g_strdup_printf("tidak ada lembar dengan judul kolom yang dikenali; %s",
					   x->best_why));
	else
		set_bad(x, g_strdup("buku kerja kosong: tidak ada baris judul maupun data"));
out:
	rc = x->status;
	if (rc == TABLE_BAD)
		*why = g_steal_pointer(&x->why);
	g_free(x->why);
	g_free(x->best_why);
	g_free(x->created);
	g_ptr_array_free(x->sheets, TRUE);
	g_hash_table_destroy(x->rels);
	g_ptr_array_free(x->fallback, TRUE);
	g_string_free(x->sst, TRUE);
	g_array_free(x->sst_off, TRUE);
	g_hash_table_destroy(x->read);
	g_free(x);
	return rc;
}
