/*
 * letters_fixture.c - see letters_fixture.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "testutil.h"
#include "letters_fixture.h"

const struct person alice = {
	"2026/11/10 1:00:00 PM GMT+8", "5108010705970001", "199705072022011001",
	"I Gusti Ngurah \xc3\x91 \xc4\x80rya D'Souza", "ngurah.arya@undiksha.ac.id", "III/d",
	"Dosen", "Fakultas Teknik dan Kejuruan", "081234567890",
};
const struct person bella = {
	"2026/11/10 2:00:00 PM GMT+8", "5108015203900002", "199003122015032002",
	"Ni Luh Putu O'Neil Sari", "putu.sari@undiksha.ac.id", "IV/a", "Lektor Kepala",
	"Fakultas Ekonomi", NULL,
};
const struct person carlo = {
	"2026/11/10 3:00:00 PM GMT+8", "5108011508850003", "198508152022211003",
	"Made Wijaya", "made.wijaya@undiksha.ac.id", "IX", "Pranata Komputer", "UPT TIK",
	"0362 22570",
};

static void csv_field(GString *s, const char *v)
{
	g_string_append_c(s, '"');
	for (; v && *v; v++) {
		if (*v == '"')
			g_string_append_c(s, '"');
		g_string_append_c(s, *v);
	}
	g_string_append_c(s, '"');
}

/* Write inbox/forms/NAME with the people given. */
void drop_form(const char *root, const char *name, const struct person *const *p, int n)
{
	GString *s = g_string_new("Timestamp,Email Address,NIK,NIP,Nama (Tanpa Gelar),"
				  "Email Undiksha,Golongan,Jabatan,Foto KTP,Unit Kerja,No. Telepon\n");
	char *rel = g_strdup_printf("inbox/forms/%s", name);
	char *path = tu_path(root, rel);
	char *dir = g_path_get_dirname(path);

	assert_int_equal(g_mkdir_with_parents(dir, 0700), 0);
	g_free(dir);
	for (int i = 0; i < n; i++) {
		const char *v[] = { p[i]->ts, p[i]->email, p[i]->nik, p[i]->nip, p[i]->name,
				    p[i]->email, p[i]->gol, p[i]->jabatan,
				    "https://drive.google.com/open?id=K1", p[i]->unit,
				    p[i]->phone ? p[i]->phone : "" };

		for (size_t c = 0; c < G_N_ELEMENTS(v); c++) {
			if (c)
				g_string_append_c(s, ',');
			csv_field(s, v[c]);
		}
		g_string_append_c(s, '\n');
	}
	tu_write_str(path, s->str);
	g_string_free(s, TRUE);
	g_free(rel);
	g_free(path);
}

char *letter_path(const char *root, const char *nip)
{
	char *rel = g_strdup_printf("outbox/letters/%s.pdf", nip);
	char *p = tu_path(root, rel);

	g_free(rel);
	return p;
}

char *pdftotext(const char *pdf, bool layout)
{
	char *out = NULL;

	assert_int_equal(tu_sh(&out, "pdftotext %s -enc UTF-8 '%s' -", layout ? "-layout" : "", pdf), 0);
	return out;
}

/* Is there a line "LABEL   : VALUE" (pdftotext -layout)? */
/* Does P start with LABEL, where a space in LABEL stands for any run of
 * spaces (pdftotext -layout spaces a row's number from its label by
 * position)? The end of the match, or NULL. */
static const char *label_at(const char *p, const char *label)
{
	for (; *label; label++) {
		if (*label == ' ') {
			if (*p != ' ')
				return NULL;
			while (*p == ' ')
				p++;
		} else if (*p++ != *label) {
			return NULL;
		}
	}
	return p;
}

bool has_field(const char *text, const char *label, const char *value)
{
	gchar **lines = g_strsplit(text, "\n", -1);
	bool found = false;

	for (gchar **l = lines; *l && !found; l++) {
		const char *p = *l;

		while (*p == ' ')
			p++;
		p = label_at(p, label);
		if (!p)
			continue;
		while (*p == ' ')
			p++;
		if (*p++ != ':')
			continue;
		while (*p == ' ')
			p++;
		found = !strcmp(g_strchomp((char *)p), value);
	}
	g_strfreev(lines);
	return found;
}

void assert_field(const char *text, const char *label, const char *value)
{
	if (!has_field(text, label, value))
		fail_msg("no line \"%s : %s\" in the letter:\n%s", label, value, text);
}

char *sql1(const char *root, const char *fmt, ...)
{
	va_list ap;
	char *q, *r;

	va_start(ap, fmt);
	q = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	r = tu_sql(root, q);

	g_free(q);
	return r;
}

char *file_sha256(const char *path)
{
	char *out = NULL;

	assert_int_equal(tu_sh(&out, "sha256sum '%s' | cut -c1-64", path), 0);
	g_strchomp(out);
	return out;
}

/* Decode the QR code of PDF: rendered by pdftoppm, read by zbarimg. */
char *qr_of(const char *pdf)
{
	char *out = NULL;
	char *png = g_strdup_printf("%s-qr", pdf);

	assert_int_equal(tu_sh(NULL, "pdftoppm -r 150 -png -singlefile '%s' '%s'", pdf, png), 0);
	assert_int_equal(tu_sh(&out, "zbarimg -q --raw '%s.png' 2>/dev/null", png), 0);
	tu_sh(NULL, "rm -f '%s.png'", png);
	g_free(png);
	g_strchomp(out);
	return out;
}

gboolean id_shaped(const char *id)
{
	return g_regex_match_simple("^20261124-[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$",
				    id, 0, 0);
}
