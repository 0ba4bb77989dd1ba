/*
 * mksigned - signed PDFs for the benchmark and the fuzzer's seeds, made
 * with the test signer (tests/pdfsign.c) under a throw-away BSrE-shaped
 * PKI. Every key is made up and lives only for the run.
 *
 *   mksigned big MB OUT.pdf TRUST.pem     one ~MB MB PDF, signed once (TSA)
 *   mksigned small N DIR TRUST.pem        N small letters, signed (TSA)
 *   mksigned seeds DIR                    a few variants for fuzzing
 *   mksigned bomb MIB OUT.pdf             an unsigned PDF whose object stream
 *                                         inflates to MIB MiB (~MIB KB file)
 *   mksigned sign IN.pdf OUT.pdf TRUST.pem [CN]
 *                                         IN signed by incremental update
 *                                         by a signer named CN (the demo)
 *
 * TRUST.pem gets the root and intermediate to verify them with. Exit 0,
 * or 1 with a message when a file cannot be written.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "../tests/pdfsign.h"
#include "tte.h"

static int write_file(const char *path, GBytes *b)
{
	GError *err = NULL;
	gsize n;
	const char *d = g_bytes_get_data(b, &n);

	if (!g_file_set_contents(path, d, (gssize)n, &err)) {
		fprintf(stderr, "mksigned: %s\n", err->message);
		g_error_free(err);
		return -1;
	}
	return 0;
}

static struct ps_sign_opts opts(struct ps_pki *p)
{
	struct ps_sign_opts o = {
		.key = p->signer_key, .cert = p->signer, .ca = p->ca,
		.tsa_key = p->tsa_key, .tsa_cert = p->tsa,
	};

	return o;
}

static int big(struct ps_pki *p, long mb, const char *out)
{
	GBytes *base = ps_make_big((size_t)mb * 1000 * 1000), *s;
	struct ps_sign_opts o = opts(p);
	int rc;

	s = ps_sign(base, &o);
	rc = write_file(out, s);
	g_bytes_unref(base);
	g_bytes_unref(s);
	return rc;
}

static int small(struct ps_pki *p, long n, const char *dir)
{
	struct ps_sign_opts o = opts(p);
	int rc = 0;

	g_mkdir_with_parents(dir, 0755);
	for (long i = 0; i < n && !rc; i++) {
		char *nip = g_strdup_printf("NIP : 19900101201504%04ld", i);
		const char *lines[] = {
			"SURAT REKOMENDASI PERMOHONAN PENERBITAN SERTIFIKAT ELEKTRONIK",
			"Nama Lengkap : Pemohon Contoh", nip, "Singaraja, 24 November 2026", NULL,
		};
		GBytes *l = ps_make_letter(lines), *s = ps_sign(l, &o);
		char *name = g_strdup_printf("%s/surat-%04ld.pdf", dir, i);

		rc = write_file(name, s);
		g_free(name);
		g_free(nip);
		g_bytes_unref(l);
		g_bytes_unref(s);
	}
	return rc;
}

/* S with the first FROM replaced by TO (FROM must be there). */
static char *subst(const char *s, const char *from, const char *to)
{
	gchar **parts = g_strsplit(s, from, 2);
	char *r;

	g_assert(parts[1]);
	r = g_strconcat(parts[0], to, parts[1], NULL);
	g_strfreev(parts);
	return r;
}

/* Object NUM of PDF redefined by an update with its text's FROM as TO. */
static GBytes *redefine(GBytes *pdf, int num, const char *from, const char *to)
{
	char *text = ps_object_text(pdf, num), *bad = subst(text, from, to);
	struct ps_obj o = { .num = num, .body = g_bytes_new_take(bad, strlen(bad)) };
	GBytes *out = ps_update(pdf, &o, 1);

	g_bytes_unref(o.body);
	g_free(text);
	return out;
}

/* Seeds for what is hard to read: a decompression bomb, an object stream
 * in LZW, a cross-reference stream listing 6 million objects, signature dictionaries qpdf cannot read, and an approval
 * signature whose update puts back an unchanged font (a certified letter). */
static int hostile_seeds(struct ps_pki *p, const char *dir, GBytes *once, int sig,
			 GBytes *letter)
{
	struct ps_sign_opts o = opts(p);
	struct ps_info in;
	struct ps_obj font;
	GBytes *f[6], *cert;
	GString *deep = g_string_new("/Reason ");
	static const char *const names[] = {
		"bomb-objstm.pdf", "lzw-objstm.pdf", "byterange-overflow.pdf", "sigdict-deep.pdf",
		"approval-rewrite.pdf", "xref-entries.pdf",
	};
	char *text;
	int rc = 0;

	for (int i = 0; i < 600; i++)
		g_string_append_c(deep, '[');
	for (int i = 0; i < 600; i++)
		g_string_append_c(deep, ']');
	f[0] = ps_make_bomb(40ULL << 20, NULL);
	f[1] = ps_make_bomb(0, "/LZWDecode");
	f[2] = redefine(once, sig, "/ByteRange [ 0 ", "/ByteRange [ 0 99999999999999999999 ");
	f[3] = redefine(once, sig, "/Reason ()", deep->str);
	o.docmdp = 2;
	o.tsa_key = NULL;
	o.reserve = 8192;
	cert = ps_sign(letter, &o);
	ps_info_get(cert, &in);
	text = ps_object_text_reversed(cert, in.font);
	font.num = in.font;
	font.body = g_bytes_new_take(text, strlen(text));
	o = opts(p);
	o.tsa_key = NULL;
	o.reserve = 8192;
	o.field = "persetujuan";
	o.also = &font;
	o.n_also = 1;
	f[4] = ps_sign(cert, &o);
	f[5] = ps_make_xref_bomb(6000000);
	for (int i = 0; i < 6; i++) {
		char *path = g_build_filename(dir, names[i], NULL);

		rc |= write_file(path, f[i]);
		g_free(path);
		g_bytes_unref(f[i]);
	}
	g_bytes_unref(font.body);
	g_bytes_unref(cert);
	ps_info_release(&in);
	g_string_free(deep, TRUE);
	return rc;
}

static int seeds(struct ps_pki *p, const char *dir)
{
	const char *lines[] = { "SURAT", "Singaraja", NULL };
	GBytes *l = ps_make_minimal("Rp 1.000.000", "Rp 9.000.000"), *a, *b, *c;
	struct ps_sign_opts o = opts(p);
	struct ps_info in;
	int rc = 0;
	char *path;

	g_mkdir_with_parents(dir, 0755);
	ps_info_get(l, &in);	/* ps_sign's signature dictionary is object /Size */
	ps_info_release(&in);
	o.reserve = 8192;
	a = ps_sign(l, &o);
	o.cades = true;
	o.field = "kedua";
	b = ps_sign(a, &o);
	o = opts(p);
	o.reserve = 8192;
	o.docmdp = 2;
	o.tsa_key = NULL;
	g_bytes_unref(l);
	l = ps_make_letter(lines);
	c = ps_sign(l, &o);
	path = g_build_filename(dir, "tte-once.pdf", NULL);
	rc |= write_file(path, a);
	g_free(path);
	path = g_build_filename(dir, "tte-twice-cades.pdf", NULL);
	rc |= write_file(path, b);
	g_free(path);
	path = g_build_filename(dir, "tte-certified.pdf", NULL);
	rc |= write_file(path, c);
	g_free(path);
	rc |= hostile_seeds(p, dir, a, in.size, l);
	g_bytes_unref(l);
	g_bytes_unref(a);
	g_bytes_unref(b);
	g_bytes_unref(c);
	return rc;
}

/* Sign an existing PDF (a tte letter, in the demo). */
static int sign_file(struct ps_pki *p, const char *in, const char *out)
{
	gchar *d = NULL;
	gsize n = 0;
	GError *err = NULL;
	GBytes *base, *sig;
	struct ps_sign_opts o = opts(p);
	int rc;

	if (!g_file_get_contents(in, &d, &n, &err)) {
		fprintf(stderr, "mksigned: %s\n", err->message);
		g_error_free(err);
		return -1;
	}
	base = g_bytes_new_take(d, n);
	sig = ps_sign(base, &o);
	rc = write_file(out, sig);
	g_bytes_unref(base);
	g_bytes_unref(sig);
	return rc;
}

/* A decompression bomb (no keys needed). */
static int bomb(long mib, const char *out)
{
	GBytes *b;
	int rc;

	if (mib < 4) {
		fprintf(stderr, "mksigned: bomb: at least 4 MiB\n");
		return -1;
	}
	b = ps_make_bomb((guint64)mib << 20, NULL);
	rc = write_file(out, b);
	g_bytes_unref(b);
	return rc;
}

int main(int argc, char **argv)
{
	struct ps_pki *p;
	int rc = 2;
	bool sign = argc >= 5 && !strcmp(argv[1], "sign");

	if (argc == 4 && !strcmp(argv[1], "bomb"))
		return bomb(strtol(argv[2], NULL, 10), argv[3]) ? 1 : 0;
	if (argc < 3 || (strcmp(argv[1], "seeds") && argc != 5 && !(sign && argc == 6))) {
		fprintf(stderr, "usage: mksigned big MB OUT.pdf TRUST.pem | small N DIR TRUST.pem | "
				"seeds DIR | bomb MIB OUT.pdf | sign IN.pdf OUT.pdf TRUST.pem [CN]\n");
		return 2;
	}
	p = ps_pki_new(sign && argc == 6 ? argv[5] : "MADE CONTOH REKOMENDASI");
	if (!strcmp(argv[1], "big"))
		rc = big(p, strtol(argv[2], NULL, 10), argv[3]) ? 1 : 0;
	else if (!strcmp(argv[1], "small"))
		rc = small(p, strtol(argv[2], NULL, 10), argv[3]) ? 1 : 0;
	else if (!strcmp(argv[1], "seeds"))
		rc = seeds(p, argv[2]) ? 1 : 0;
	else if (sign)
		rc = sign_file(p, argv[2], argv[3]) ? 1 : 0;
	if (argc >= 5 && !rc)
		ps_pki_write_trust(p, argv[4]);
	ps_pki_free(p);
	ps_cleanup();
	return rc;
}
