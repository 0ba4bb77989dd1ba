/*
 * letters_fixture - what the letters and bundle end-to-end suites share:
 * made-up applicants, dropping them as a form export, and reading letters
 * back with pdftotext, zbarimg and sha256sum.
 */
#ifndef TTE_LETTERS_FIXTURE_H
#define TTE_LETTERS_FIXTURE_H

#include <stdbool.h>
#include <glib.h>

#define DAY "2026-11-24"
#define BASE_URL "https://tte.undiksha.ac.id/verifikasi/"

/* A made-up applicant as typed into the form. */
struct person {
	const char *ts, *nik, *nip, *name, *email, *gol, *jabatan, *unit, *phone;
};

/* Three valid applicants: a name with an apostrophe and non-ASCII letters
 * and a phone number (alice); an apostrophe, no phone (bella); a PPPK
 * golongan (carlo). */
extern const struct person alice, bella, carlo;

/* Write inbox/forms/NAME (creating the folders) with the people given. */
void drop_form(const char *root, const char *name, const struct person *const *p, int n);

/* ROOT/outbox/letters/NIP.pdf (g_free). */
char *letter_path(const char *root, const char *nip);

/* The text of PDF by pdftotext, with -layout or without (g_free). */
char *pdftotext(const char *pdf, bool layout);

/* Is there a line "LABEL   : VALUE" in TEXT (pdftotext -layout)? */
bool has_field(const char *text, const char *label, const char *value);

/* Fail the test, showing TEXT, when has_field() is false. */
void assert_field(const char *text, const char *label, const char *value);

/* tu_sql() of a formatted query (g_free). */
char *sql1(const char *root, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* SHA-256 of the file at PATH as hex (g_free). */
char *file_sha256(const char *path);

/* The QR code of PDF: rendered by pdftoppm, read by zbarimg (g_free). */
char *qr_of(const char *pdf);

/* Has ID the letter id's shape for 24 November 2026? */
gboolean id_shaped(const char *id);

#endif
