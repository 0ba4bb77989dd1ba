/*
 * letter_pdf.h - drawing one Surat Rekomendasi Permohonan Penerbitan
 * Sertifikat Elektronik as PDF bytes, with cairo + pango and a QR code
 * from libqrencode. Private to the letters stage (and its benchmark).
 *
 * The renderer keeps what is costly to build (the pango font map and
 * context, the font descriptions) across letters, so memory stays flat
 * and each letter costs only its own drawing. The output is a pure
 * function of the fields: the PDF's dates come from LETTER_FIELDS.pdf_date,
 * never from the clock, so the same fields give the same bytes.
 */
#ifndef TTE_LETTER_PDF_H
#define TTE_LETTER_PDF_H

#include <glib.h>

/* One "num label : value" row of the letter. */
struct letter_row {
	const char *num;	/* "1.", "a.", or NULL for an unnumbered row */
	const char *label;
	const char *value;	/* NULL or "" prints "-" */
};

enum {
	LETTER_REC_ROWS = 8,	/* recommender: Nama Lengkap .. Alamat Email */
	LETTER_APP_ROWS = 11,	/* applicant: Nama Lengkap .. No. Telepon */
	LETTER_USE_ROWS = 2,	/* Sistem, Kegunaan */
};

/* Everything a letter shows. All strings are UTF-8 and borrowed. */
struct letter_fields {
	const char *id;			/* letter id, printed and in the QR */
	const char *url;		/* verification URL (the QR's content) */
	const char *pdf_date;		/* "YYYY-MM-DDThh:mm:ss" for the PDF metadata */

	/* letterhead */
	const char *kementerian;
	const char *instansi;
	const char *unit;
	const char *alamat;
	const char *kontak;		/* telephone and web, one line */

	struct letter_row rec[LETTER_REC_ROWS];
	struct letter_row app[LETTER_APP_ROWS];
	struct letter_row use[LETTER_USE_ROWS];

	/* signature block: "Ditanda tangan di : kota", "Tanggal : date" */
	const char *sign_place;
	const char *sign_date;
	const char *signer_nama;
	const char *signer_nip;
	const char *title_meta;		/* PDF /Title */
};

struct letter_renderer;

/* A renderer with its fonts loaded. NULL (logged) when pango finds no
 * usable font. Free with letter_renderer_free(). */
struct letter_renderer *letter_renderer_new(void);
void letter_renderer_free(struct letter_renderer *r);

/* letter_render() result: the fields do not fit on one page. */
#define LETTER_TOO_LONG 1

/*
 * Draw F as an A4 PDF into OUT (appended; the caller truncates). Returns 0;
 * LETTER_TOO_LONG (nothing logged) when the fields would run past the page;
 * or -1 (logged) when cairo or libqrencode fails.
 */
int letter_render(struct letter_renderer *r, const struct letter_fields *f, GByteArray *out);

#endif
