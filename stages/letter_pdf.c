/*
 * letter_pdf.c - one Surat Rekomendasi as PDF bytes (see letter_pdf.h).
 *
 * Input: the fields of one letter. Output: an A4 PDF appended to a byte
 * array. The layout is BSSN's template for the Surat Rekomendasi
 * Permohonan Penerbitan Sertifikat Elektronik (the form the BSrE portal
 * takes) under the institution's letterhead: title, the recommender's
 * numbered fields, the applicant's, the system and purpose (a., b.), the
 * closing sentence, the signature block (place, date, "Hormat saya,"),
 * the QR code with the verification URL beside it, and the SOP's
 * three-line Catatan footer. Text is laid out by pango
 * with DejaVu (embedded as subsets, with ToUnicode maps, so pdftotext
 * returns it); the QR code is drawn as filled vector squares.
 *
 * Deterministic bytes: cairo 1.16 writes the creation date from the clock
 * unless told otherwise, so both PDF dates are set from the letter date;
 * the rest of what it writes (producer, subset tags derived from the glyph
 * set, object order) depends only on what is drawn. Fails (-1, logged)
 * when cairo reports an error or libqrencode cannot encode the URL.
 */
#include <string.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include "letter_pdf.h"
#include "log.h"
#include "tte.h"

#define MM (72.0 / 25.4)

static const double page_w = 210 * MM, page_h = 297 * MM;
static const double left = 25 * MM, right = 20 * MM, top = 14 * MM;

struct letter_renderer {
	PangoFontMap *fontmap;
	PangoContext *pc;
	PangoFontDescription *body, *bold, *head, *head_big, *title, *small, *note;
	/* Shaped layouts of the text every letter of a run repeats (labels,
	 * letterhead, recommender, fixed sentences): shaping is most of
	 * pango's cost, and these never change while the context does not. */
	GHashTable *cache;	/* "font|width|align|text" -> PangoLayout */
};

/* More distinct fixed texts than any letter has: a bound, not a tuning. */
#define CACHE_MAX 512

static PangoFontDescription *font(const char *desc)
{
	return pango_font_description_from_string(desc);
}

struct letter_renderer *letter_renderer_new(void)
{
	struct letter_renderer *r = g_new0(struct letter_renderer, 1);
	cairo_font_options_t *fo = cairo_font_options_create();
	PangoFont *probe;

	/* A font map of our own, not the process default: its caches live as
	 * long as the renderer and no longer. */
	r->fontmap = pango_cairo_font_map_new();
	r->pc = pango_font_map_create_context(r->fontmap);
	/* Unhinted outlines and metrics: what a PDF needs, and independent of
	 * any screen settings. */
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	pango_cairo_context_set_font_options(r->pc, fo);
	/* Font sizes in points: one cairo unit of a PDF surface is a point. */
	pango_cairo_context_set_resolution(r->pc, 72);
	/* Glyphs where the font puts them: rounded positions differ from the
	 * widths cairo writes into the PDF, and every difference becomes a
	 * kerning number in the page's text (three times the bytes). */
	pango_context_set_round_glyph_positions(r->pc, FALSE);
	cairo_font_options_destroy(fo);
	pango_context_set_language(r->pc, pango_language_from_string("id"));
	r->cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);

	r->body = font("DejaVu Serif 10");
	r->bold = font("DejaVu Serif Bold 10");
	r->head = font("DejaVu Serif Bold 11");
	r->head_big = font("DejaVu Serif Bold 13");
	r->title = font("DejaVu Serif Bold 10");
	r->small = font("DejaVu Serif 7.5");
	r->note = font("DejaVu Serif 6.5");

	/* Fail early and clearly when the fonts are not installed. */
	probe = pango_context_load_font(r->pc, r->body);
	if (!probe) {
		log_error("huruf DejaVu tidak ditemukan (paket fonts-dejavu-core)");
		letter_renderer_free(r);
		return NULL;
	}
	g_object_unref(probe);
	return r;
}

void letter_renderer_free(struct letter_renderer *r)
{
	if (!r)
		return;
	pango_font_description_free(r->body);
	pango_font_description_free(r->bold);
	pango_font_description_free(r->head);
	pango_font_description_free(r->head_big);
	pango_font_description_free(r->title);
	pango_font_description_free(r->small);
	pango_font_description_free(r->note);
	if (r->cache)
		g_hash_table_destroy(r->cache);
	if (r->pc)
		g_object_unref(r->pc);
	if (r->fontmap)
		g_object_unref(r->fontmap);
	g_free(r);
}

/* ---- drawing ------------------------------------------------------------ */

/* How a text block is set. */
enum align { AL_LEFT, AL_CENTER, AL_JUSTIFY };

struct pen {
	cairo_t *cr;
	struct letter_renderer *r;
	double y;		/* top of the next line */
};

static PangoLayout *layout_new(struct letter_renderer *r, double width,
			       const PangoFontDescription *fd, enum align align, const char *text)
{
	PangoLayout *l = pango_layout_new(r->pc);

	pango_layout_set_font_description(l, fd);
	pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(l, align == AL_CENTER ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
	pango_layout_set_justify(l, align == AL_JUSTIFY);
	/* An en dash for an empty value: pdftotext would take a hyphen at the
	 * end of a line for a broken word and join it to the next line. */
	pango_layout_set_text(l, text && *text ? text : "\u2013", -1);
	return l;
}

/*
 * Draw TEXT at (X, P->y) within WIDTH (wrapping at word boundaries) and
 * return its height; P->y is left alone. FIXED text is the same in every
 * letter of the run: its shaped layout is kept for the next letter.
 */
static double text_at(struct pen *p, double x, double width, const PangoFontDescription *fd,
		      enum align align, const char *text, bool fixed)
{
	struct letter_renderer *r = p->r;
	PangoLayout *l = NULL;
	char *key = NULL;
	int h;

	if (fixed) {
		key = g_strdup_printf("%p|%.2f|%d|%s", (const void *)fd, width, (int)align,
				      text ? text : "");
		l = g_hash_table_lookup(r->cache, key);
		if (l)
			g_object_ref(l);
	}
	if (!l) {
		l = layout_new(r, width, fd, align, text);
		if (key && g_hash_table_size(r->cache) < CACHE_MAX) {
			g_hash_table_insert(r->cache, key, g_object_ref(l));
			key = NULL;
		}
	}
	g_free(key);
	cairo_move_to(p->cr, x, p->y);
	pango_cairo_show_layout(p->cr, l);
	pango_layout_get_size(l, NULL, &h);
	g_object_unref(l);
	return (double)h / PANGO_SCALE;
}

/* A fixed paragraph across the text width; advances by its height plus
 * GAP. */
static void para(struct pen *p, const PangoFontDescription *fd, enum align align,
		 const char *text, double gap)
{
	p->y += text_at(p, left, page_w - left - right, fd, align, text, true) + gap;
}

/* "num label : value" rows, the value wrapping in its own column. FIXED:
 * the values are the same in every letter. */
static void rows(struct pen *p, const struct letter_row *rw, int n, bool fixed)
{
	const double x_num = left + 4 * MM, x_label = x_num + 6 * MM;
	const double x_colon = left + 50 * MM, x_value = x_colon + 3 * MM;

	for (int i = 0; i < n; i++) {
		double h1 = text_at(p, x_label, x_colon - x_label - 2, p->r->body, AL_LEFT,
				    rw[i].label, true);
		double h2;

		if (rw[i].num)
			text_at(p, x_num, x_label - x_num, p->r->body, AL_LEFT, rw[i].num, true);

		text_at(p, x_colon, 3 * MM, p->r->body, AL_LEFT, ":", true);
		h2 = text_at(p, x_value, page_w - right - x_value, p->r->body, AL_LEFT,
			     rw[i].value, fixed);
		p->y += MAX(h1, h2) + 1.2;
	}
}

static void hline(cairo_t *cr, double y, double w)
{
	cairo_set_line_width(cr, w);
	cairo_move_to(cr, left, y);
	cairo_line_to(cr, page_w - right, y);
	cairo_stroke(cr);
}

/*
 * The QR code of URL, SIZE wide with its quiet zone, top-left at (X, Y).
 * Each run of dark modules in a row is one line of the module's width with
 * square (butt) ends, drawn in module units: that is the same black
 * rectangle a fill would give, in a third of the bytes, because cairo
 * writes stroked paths in user space (small integers) and filled ones in
 * page space (long decimals).
 */
static int qr_draw(cairo_t *cr, const char *url, double x, double y, double size)
{
	QRcode *qr = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	const int quiet = 4;

	if (!qr)
		return log_error("kode QR untuk %s tidak dapat dibuat", url);
	cairo_save(cr);
	cairo_translate(cr, x, y);
	cairo_scale(cr, size / (qr->width + 2 * quiet), size / (qr->width + 2 * quiet));
	for (int row = 0; row < qr->width; row++) {
		const unsigned char *d = qr->data + (size_t)row * (size_t)qr->width;

		for (int col = 0; col < qr->width;) {
			int run = 0;

			while (col + run < qr->width && (d[col + run] & 1))
				run++;
			if (run) {
				cairo_move_to(cr, quiet + col, quiet + row + 0.5);
				cairo_line_to(cr, quiet + col + run, quiet + row + 0.5);
				col += run;
			} else {
				col++;
			}
		}
	}
	cairo_set_line_width(cr, 1);
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_stroke(cr);
	cairo_restore(cr);
	QRcode_free(qr);
	return 0;
}

static cairo_status_t append_bytes(void *closure, const unsigned char *data, unsigned int len)
{
	g_byte_array_append(closure, data, len);
	return CAIRO_STATUS_SUCCESS;
}

/* The template's sentences, word for word. */
static const char intro_rec[] = "Saya yang bertanda tangan di bawah ini :";
static const char intro_app[] = "Dengan ini memberikan rekomendasi kepada :";
static const char purpose[] =
	"Untuk melakukan pendaftaran sertifikat elektronik sekaligus menjadi pemegang "
	"sertifikat elektronik yang digunakan pada:";
static const char closing[] =
	"Demikian surat rekomendasi ini saya buat, agar dapat digunakan sebagaimana mestinya.";
/* The Catatan footer of the SOP's documents. */
static const char catatan[] =
	"Catatan:\n"
	"1. UU ITE No. 11 Tahun 2008 Pasal 5 ayat 1: \u201cInformasi Elektronik dan/atau Dokumen "
	"Elektronik dan/atau hasil cetaknya merupakan alat bukti hukum yang sah.\u201d\n"
	"2. Dokumen ini ditandatangani secara elektronik menggunakan sertifikat elektronik yang "
	"diterbitkan oleh Balai Besar Sertifikasi Elektronik (BSrE), BSSN.\n"
	"3. Surat ini dapat dibuktikan keasliannya dengan menggunakan qr code yang telah "
	"tersedia.";

/* "label : value" lines of the signature block, from X in WIDTH. */
static void sign_line(struct pen *p, double x, double w, const char *label, const char *value)
{
	const double x_colon = x + 36 * MM;
	double h1 = text_at(p, x, x_colon - x, p->r->body, AL_LEFT, label, true), h2;

	text_at(p, x_colon, 3 * MM, p->r->body, AL_LEFT, ":", true);
	h2 = text_at(p, x_colon + 3 * MM, x + w - x_colon - 3 * MM, p->r->body, AL_LEFT, value,
		     true);
	p->y += MAX(h1, h2) + 1;
}

int letter_render(struct letter_renderer *r, const struct letter_fields *f, GByteArray *out)
{
	cairo_surface_t *s = cairo_pdf_surface_create_for_stream(append_bytes, out, page_w, page_h);
	cairo_t *cr = cairo_create(s);
	struct pen p = { .cr = cr, .r = r, .y = top };
	const double text_w = page_w - left - right;
	double sig_top, qr_size = 27 * MM;
	int rc = -1;

	cairo_pdf_surface_restrict_to_version(s, CAIRO_PDF_VERSION_1_5);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, f->title_meta);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR, f->signer_nama);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_SUBJECT,
				       "Surat Rekomendasi Permohonan Penerbitan Sertifikat Elektronik");
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_KEYWORDS, f->id);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "tte");
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, f->pdf_date);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, f->pdf_date);
	/* No pango_cairo_update_context() here: it resets the context's
	 * matrix, which invalidates every cached layout, and nothing it would
	 * bring from the surface matters: the font options are set on the
	 * context and the matrix is the identity for every letter. */
	cairo_set_source_rgb(cr, 0, 0, 0);

	/* Letterhead. */
	para(&p, r->head, AL_CENTER, f->kementerian, 1);
	para(&p, r->head_big, AL_CENTER, f->instansi, 1);
	para(&p, r->head, AL_CENTER, f->unit, 1);
	para(&p, r->small, AL_CENTER, f->alamat, 0);
	para(&p, r->small, AL_CENTER, f->kontak, 3);
	hline(cr, p.y, 1.6);
	hline(cr, p.y + 2.4, 0.5);
	p.y += 12;

	/* Title. */
	para(&p, r->title, AL_CENTER,
	     "SURAT REKOMENDASI PERMOHONAN PENERBITAN SERTIFIKAT ELEKTRONIK", 11);

	para(&p, r->body, AL_LEFT, intro_rec, 3);
	rows(&p, f->rec, LETTER_REC_ROWS, true);
	p.y += 6;
	para(&p, r->body, AL_LEFT, intro_app, 3);
	rows(&p, f->app, LETTER_APP_ROWS, false);
	p.y += 6;
	para(&p, r->body, AL_LEFT, purpose, 3);
	rows(&p, f->use, LETTER_USE_ROWS, true);
	p.y += 6;
	para(&p, r->body, AL_LEFT, closing, 14);

	/* Signature block on the right, the QR code on the left beside it. */
	sig_top = p.y;
	{
		double x = left + text_w * 0.52, w = text_w * 0.48;

		sign_line(&p, x, w, "Ditanda tangan di", f->sign_place);
		sign_line(&p, x, w, "Tanggal", f->sign_date);
		p.y += 2;
		p.y += text_at(&p, x, w, r->body, AL_LEFT, "Hormat saya,", true);
		p.y += 48;	/* room for the electronic signature */
		p.y += text_at(&p, x, w, r->bold, AL_LEFT, f->signer_nama, true) + 1;
		{
			char *nip = g_strdup_printf("NIP. %s", f->signer_nip);

			p.y += text_at(&p, x, w, r->body, AL_LEFT, nip, true);
			g_free(nip);
		}
	}
	if (qr_draw(cr, f->url, left, sig_top, qr_size))
		goto out;
	{
		double y = p.y;
		char *cap = g_strdup_printf("ID surat: %s\n%s", f->id, f->url);

		p.y = sig_top + qr_size;
		p.y += text_at(&p, left, text_w * 0.5, r->small, AL_LEFT, cap, false);
		g_free(cap);
		p.y = MAX(p.y, y);
	}

	/* The Catatan at the foot of the page; what would run into it
	 * (absurdly long field values) is refused rather than cut. */
	if (p.y + 8 > page_h - 24 * MM) {
		rc = LETTER_TOO_LONG;
		goto out;
	}
	p.y = page_h - 24 * MM;
	hline(cr, p.y - 3, 0.4);
	text_at(&p, left, text_w, r->note, AL_LEFT, catatan, true);

	cairo_show_page(cr);
	cairo_destroy(cr);
	cr = NULL;
	cairo_surface_finish(s);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		log_error("PDF surat %s gagal dibuat: %s", f->id,
			  cairo_status_to_string(cairo_surface_status(s)));
		goto out;
	}
	rc = 0;
out:
	if (cr)
		cairo_destroy(cr);
	cairo_surface_destroy(s);
	return rc;
}
