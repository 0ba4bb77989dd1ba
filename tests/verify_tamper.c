/*
 * verify_tamper - tte's own fixtures: a BSrE-shaped PKI and TSA made
 * with OpenSSL (tests/pdfsign.c), a letter drawn with cairo and signed by
 * incremental update, then tampered with in the ways signed PDFs are
 * attacked. Each variant goes through `tte verify --json` and is read
 * back with jq; `pdfsig -nocert -no-ocsp` cross-checks the cryptographic
 * part (and shows where it says "Signature is Valid." and tte must not).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "pdfsign.h"
#include "testutil.h"

static const char *const CN = "MADE CONTOH REKOMENDASI";

static struct {
	struct ps_pki *pki;
	char *root;		/* a tte root (for tte.conf) and scratch folder */
	char *trust;
	GBytes *letter;
	int seq;
} F;

static int setup(void **state)
{
	static const char *const lines[] = {
		"KEMENTERIAN PENDIDIKAN TINGGI, SAINS, DAN TEKNOLOGI",
		"UNIVERSITAS PENDIDIKAN GANESHA",
		"SURAT REKOMENDASI PERMOHONAN PENERBITAN SERTIFIKAT ELEKTRONIK",
		"Nama Lengkap : Ni Luh Contoh Pemohon",
		"NIP : 199001012015042001",
		"Singaraja, 24 November 2026",
		NULL,
	};

	(void)state;
	F.pki = ps_pki_new(CN);
	F.root = tu_root_new(NULL);
	F.trust = tu_path(F.root, "trust.pem");
	ps_pki_write_trust(F.pki, F.trust);
	F.letter = ps_make_letter(lines);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ps_pki_free(F.pki);
	g_bytes_unref(F.letter);
	g_free(F.trust);
	tu_root_free(F.root);
	ps_cleanup();
	return 0;
}

static struct ps_sign_opts good(void)
{
	struct ps_sign_opts o = {
		.key = F.pki->signer_key, .cert = F.pki->signer, .ca = F.pki->ca,
		.tsa_key = F.pki->tsa_key, .tsa_cert = F.pki->tsa,
	};

	return o;
}

/* Write PDF under the scratch root; the path (g_free). */
static char *save(GBytes *pdf)
{
	char *name = g_strdup_printf("f%02d.pdf", ++F.seq), *p = tu_path(F.root, name);
	gsize n;
	const char *d = g_bytes_get_data(pdf, &n);

	tu_write(p, d, n);
	g_free(name);
	return p;
}

struct run {
	int rc;
	char *pdf, *json;
};

/* `tte verify --json` on PDF; the JSON's path in R->json. */
static void verify(GBytes *pdf, struct run *r)
{
	char *out = NULL;

	r->pdf = save(pdf);
	r->rc = tu_tte(F.root, NULL, &out, NULL, "verify", "--json", "--trust", F.trust, r->pdf,
		       NULL);
	r->json = g_strdup_printf("%s.json", r->pdf);
	tu_write_str(r->json, out ? out : "");
	g_free(out);
}

static void run_free(struct run *r)
{
	g_free(r->pdf);
	g_free(r->json);
}

static char *jq(const struct run *r, const char *filter)
{
	char *out = NULL;
	size_t n;

	if (tu_sh(&out, "jq -r '%s' '%s'", filter, r->json))
		fail_msg("jq %s failed on %s", filter, r->json);
	n = strlen(out);
	while (n && out[n - 1] == '\n')
		out[--n] = 0;
	return out;
}

static void expect(const struct run *r, const char *filter, const char *want)
{
	char *got = jq(r, filter);

	if (strcmp(got, want))
		fail_msg("%s: %s is \"%s\", expected \"%s\"", r->pdf, filter, got, want);
	g_free(got);
}

/* Does any signature of R have problem CODE? */
static void expect_problem(const struct run *r, const char *code)
{
	char *f = g_strdup_printf("[.signatures[].problems[], .problems[]] | index(\"%s\") != null",
				  code);

	expect(r, f, "true");
	g_free(f);
}

/* How many signatures pdfsig calls "Signature is Valid.". */
static int pdfsig_valid(const struct run *r)
{
	char *out = NULL;
	int n = 0;

	tu_sh(&out, "pdfsig -nocert -no-ocsp '%s' 2>&1", r->pdf);
	for (const char *p = out; (p = strstr(p, "Signature is Valid.")); p++)
		n++;
	g_free(out);
	return n;
}

static GBytes *sign_letter(void)
{
	struct ps_sign_opts o = good();

	return ps_sign(F.letter, &o);
}

/* The sig dictionary and widget a fresh ps_sign of BASE creates. */
static void sig_objects(GBytes *base, int *sig, int *widget)
{
	struct ps_info in;

	ps_info_get(base, &in);
	*sig = in.size;
	*widget = in.size + 1;
	ps_info_release(&in);
}

/* A stream object's body holding CONTENT. */
static GBytes *stream(const char *content)
{
	char *b = g_strdup_printf("<< /Length %zu >>\nstream\n%s\nendstream", strlen(content),
				  content);

	return g_bytes_new_take(b, strlen(b));
}

static char *replace(const char *s, const char *from, const char *to)
{
	gchar **parts = g_strsplit(s, from, 2);
	char *r;

	if (!parts[1])
		fail_msg("\"%s\" not in %s", from, s);
	r = g_strconcat(parts[0], to, parts[1], NULL);
	g_strfreev(parts);
	return r;
}

/* ---- the tests ------------------------------------------------------------------ */

static void test_valid(void **state)
{
	GBytes *s = sign_letter();
	struct ps_sign_opts o = good();
	GBytes *nots;
	struct run r;
	char *out = NULL, *dn;

	(void)state;
	verify(s, &r);
	assert_int_equal(r.rc, 0);
	expect(&r, "[.conclusion, .signatureCount, .signatures[0].signer, "
		   ".signatures[0].timeSource, .signatures[0].integrity, "
		   ".signatures[0].coversWholeDocument, .signatures[0].modifiedAfterSigning, "
		   ".signatures[0].modifications, .signatures[0].trusted, .signatures[0].format, "
		   ".signatures[0].subFilter, .signatures[0].digest] | @tsv",
	       "VALID\t1\tMADE CONTOH REKOMENDASI\ttsa\ttrue\ttrue\tfalse\tNONE\ttrue\t"
	       "PAdES-BASELINE-T\tadbe.pkcs7.detached\tSHA256");
	dn = jq(&r, ".signatures[0].signerDn");
	assert_non_null(strstr(dn, "description=1234567890_Tanda Tangan Elektronik"));
	assert_non_null(strstr(dn, "C=ID"));
	g_free(dn);
	expect(&r, ".signatures[0].tsa", "Timestamp Authority Badan Siber dan Sandi Negara Uji");
	assert_int_equal(pdfsig_valid(&r), 1);
	/* The summary, in BSrE's words. */
	assert_int_equal(tu_tte(F.root, NULL, &out, NULL, "verify", "--trust", F.trust, r.pdf,
				NULL), 0);
	assert_non_null(strstr(out, "Dokumen valid, Sertifikat yang digunakan terpercaya."));
	assert_non_null(strstr(out, "(waktu TSA)"));
	g_free(out);
	run_free(&r);

	/* Without a timestamp: valid, on the signer's claimed time. */
	o.tsa_key = NULL;
	nots = ps_sign(F.letter, &o);
	verify(nots, &r);
	assert_int_equal(r.rc, 0);
	expect(&r, "[.conclusion, .signatures[0].timeSource, .signatures[0].format] | @tsv",
	       "VALID\tcms\tPAdES-BASELINE-B");
	assert_int_equal(tu_tte(F.root, NULL, &out, NULL, "verify", "--trust", F.trust, r.pdf,
				NULL), 0);
	assert_non_null(strstr(out, "tidak menggunakan waktu TSA"));
	g_free(out);
	run_free(&r);
	g_bytes_unref(nots);

	/* ETSI.CAdES.detached with ESS signing-certificate v2. */
	o = good();
	o.cades = true;
	nots = ps_sign(F.letter, &o);
	verify(nots, &r);
	expect(&r, "[.conclusion, .signatures[0].subFilter] | @tsv", "VALID\tETSI.CAdES.detached");
	run_free(&r);
	g_bytes_unref(nots);
	g_bytes_unref(s);
}

static void test_flipped_bytes(void **state)
{
	GBytes *s = sign_letter(), *f1, *f2;
	long long m;
	struct run r;

	(void)state;
	/* First range: the "%PDF-1.x" header's version digit. */
	f1 = ps_flip(s, 7);
	verify(f1, &r);
	assert_int_equal(r.rc, 1);
	expect(&r, ".conclusion", "INVALID");
	expect_problem(&r, "DIGEST_MISMATCH");
	assert_int_equal(pdfsig_valid(&r), 0);
	run_free(&r);
	/* Second range: a digit of /M, after /Contents. */
	m = ps_find(s, "/M (D:", (size_t)ps_find(s, "/Contents <", 0));
	assert_true(m > 0);
	f2 = ps_flip(s, (size_t)m + 8);
	verify(f2, &r);
	expect(&r, ".conclusion", "INVALID");
	expect_problem(&r, "DIGEST_MISMATCH");
	assert_int_equal(pdfsig_valid(&r), 0);
	run_free(&r);
	g_bytes_unref(f1);
	g_bytes_unref(f2);
	g_bytes_unref(s);
}

static void test_content_changed(void **state)
{
	GBytes *s = sign_letter(), *t, *t2;
	struct ps_info in;
	const char *content = "BT /F1 30 Tf 72 700 Td (DIGANTI) Tj ET";
	char *page;
	struct ps_obj o;
	struct run r;

	(void)state;
	ps_info_get(s, &in);
	assert_true(in.contents > 0);
	/* The page's content stream replaced in an appended update. */
	o.num = in.contents;
	o.body = stream(content);
	t = ps_update(s, &o, 1);
	g_bytes_unref(o.body);
	verify(t, &r);
	assert_int_equal(r.rc, 1);
	expect(&r, "[.conclusion, .signatures[0].modifications, "
		   ".signatures[0].modifiedAfterSigning] | @tsv", "INVALID\tOTHER\ttrue");
	expect_problem(&r, "MODIFIED_AFTER_SIGNING");
	/* pdfsig finds nothing wrong with it. */
	assert_int_equal(pdfsig_valid(&r), 1);
	run_free(&r);

	/* An overlay: the page's /Contents becomes an array with a new
	 * stream on top. */
	{
		char *c = g_strdup_printf("/Contents %d 0 R", in.contents);
		char *arr = g_strdup_printf("/Contents [ %d 0 R %d 0 R ]", in.contents, in.size);
		struct ps_obj two[2];

		page = replace(in.page_text, c, arr);
		two[0].num = in.page;
		two[0].body = g_bytes_new(page, strlen(page));
		two[1].num = in.size;
		two[1].body = stream(content);
		t2 = ps_update(s, two, 2);
		g_bytes_unref(two[0].body);
		g_bytes_unref(two[1].body);
		g_free(c);
		g_free(arr);
	}
	verify(t2, &r);
	expect(&r, "[.conclusion, .signatures[0].modifications] | @tsv", "INVALID\tOTHER");
	run_free(&r);
	g_free(page);
	ps_info_release(&in);
	g_bytes_unref(t);
	g_bytes_unref(t2);
	g_bytes_unref(s);
}

static void test_reason_changed(void **state)
{
	GBytes *s = sign_letter(), *t;
	int sig, widget;
	char *text, *spoof;
	struct ps_obj o;
	struct run r;

	(void)state;
	sig_objects(F.letter, &sig, &widget);
	text = ps_object_text(s, sig);
	spoof = replace(text, "/Reason ()", "/Reason (Disetujui oleh Rektor)");
	o.num = sig;
	o.body = g_bytes_new(spoof, strlen(spoof));
	t = ps_update(s, &o, 1);
	verify(t, &r);
	assert_int_equal(r.rc, 1);
	expect(&r, "[.conclusion, .signatures[0].reason] | @tsv",
	       "INVALID\tDisetujui oleh Rektor");
	expect_problem(&r, "SIGNATURE_DICT_CHANGED");
	run_free(&r);
	g_bytes_unref(o.body);
	g_free(text);
	g_free(spoof);
	g_bytes_unref(t);
	g_bytes_unref(s);
}

static void test_truncated(void **state)
{
	GBytes *s = sign_letter(), *t;
	gsize n = g_bytes_get_size(s);
	struct run r;

	(void)state;
	t = ps_truncate(s, n - 8);
	verify(t, &r);
	assert_int_equal(r.rc, 1);
	expect(&r, ".conclusion", "INVALID");
	run_free(&r);
	g_bytes_unref(t);
	/* Cut inside the signature's /Contents. */
	t = ps_truncate(s, (size_t)ps_find(s, "/Contents <", 0) + 100);
	verify(t, &r);
	assert_int_equal(r.rc, 1);
	expect(&r, ".conclusion", "INVALID");
	run_free(&r);
	g_bytes_unref(t);
	g_bytes_unref(s);
}

/* Signature wrapping: a new signature dictionary reuses the signed
 * /ByteRange and /Contents, so the digest still matches, but the gap it
 * names is the old dictionary's /Contents. */
static void test_wrapping(void **state)
{
	GBytes *s = sign_letter(), *t;
	int sig, widget, fresh;
	char *stext, *wtext, *nsig, *nwid, *from, *to;
	struct ps_obj o[2];
	struct ps_info in;
	struct run r;

	(void)state;
	sig_objects(F.letter, &sig, &widget);
	ps_info_get(s, &in);
	fresh = in.size;
	ps_info_release(&in);
	stext = ps_object_text(s, sig);
	wtext = ps_object_text(s, widget);
	nsig = replace(stext, "/Reason ()", "/Reason (Disetujui oleh Rektor)");
	from = g_strdup_printf("/V %d 0 R", sig);
	to = g_strdup_printf("/V %d 0 R", fresh);
	nwid = replace(wtext, from, to);
	o[0].num = widget;
	o[0].body = g_bytes_new(nwid, strlen(nwid));
	o[1].num = fresh;
	o[1].body = g_bytes_new(nsig, strlen(nsig));
	t = ps_update(s, o, 2);
	verify(t, &r);
	assert_int_equal(r.rc, 1);
	expect(&r, ".conclusion", "INVALID");
	expect_problem(&r, "GAP_NOT_CONTENTS");
	/* The digest itself still matches: integrity of the bytes is intact. */
	expect(&r, ".signatures[0].integrity", "true");
	assert_int_equal(pdfsig_valid(&r), 1);
	run_free(&r);
	g_bytes_unref(o[0].body);
	g_bytes_unref(o[1].body);
	g_free(stext);
	g_free(wtext);
	g_free(nsig);
	g_free(nwid);
	g_free(from);
	g_free(to);
	g_bytes_unref(t);
	g_bytes_unref(s);
}

static void test_byterange_past_eof(void **state)
{
	struct ps_sign_opts o = good();
	GBytes *s;
	struct run r;

	(void)state;
	o.extra_d = 4096;
	s = ps_sign(F.letter, &o);
	verify(s, &r);
	assert_int_equal(r.rc, 1);
	expect(&r, "[.conclusion, .signatures[0].integrity] | @tsv", "INVALID\tfalse");
	expect_problem(&r, "BYTERANGE_OUTSIDE_FILE");
	run_free(&r);
	g_bytes_unref(s);
}

/* Certificates that are intact but not to be trusted: INDETERMINATE. */
static void test_certificates(void **state)
{
	struct {
		X509 *cert;
		X509 *ca;
		const char *code;
	} cases[] = {
		{ F.pki->expired, F.pki->ca, "CERT_EXPIRED" },
		{ F.pki->rogue_signer, F.pki->rogue_root, "CHAIN_UNTRUSTED" },
		{ F.pki->bad_ku, F.pki->ca, "KEY_USAGE" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ps_sign_opts o = good();
		GBytes *s;
		struct run r;

		o.cert = cases[i].cert;
		o.ca = cases[i].ca;
		s = ps_sign(F.letter, &o);
		verify(s, &r);
		assert_int_equal(r.rc, 1);
		expect(&r, "[.conclusion, .signatures[0].integrity] | @tsv", "INDETERMINATE\ttrue");
		expect_problem(&r, cases[i].code);
		/* The cryptography itself is sound. */
		assert_int_equal(pdfsig_valid(&r), 1);
		run_free(&r);
		g_bytes_unref(s);
	}
}

/* Revocation from a CRL embedded in the CMS: good, then revoked. */
static void test_revocation(void **state)
{
	(void)state;
	for (int revoked = 0; revoked < 2; revoked++) {
		struct ps_sign_opts o = good();
		GBytes *s;
		struct run r;

		o.crl = ps_make_crl(F.pki, revoked);
		s = ps_sign(F.letter, &o);
		verify(s, &r);
		if (revoked) {
			expect(&r, "[.conclusion, .signatures[0].revocation, "
				   ".signatures[0].revocationSource] | @tsv", "INVALID\trevoked\tCRL");
			expect_problem(&r, "CERT_REVOKED");
		} else {
			expect(&r, "[.conclusion, .signatures[0].revocation, .signatures[0].format] | @tsv",
			       "VALID\tgood\tPAdES-BASELINE-LT");
		}
		run_free(&r);
		X509_CRL_free(o.crl);
		g_bytes_unref(s);
	}
}

/* An ESS signing-certificate-v2 attribute naming another certificate. */
static void test_ess_mismatch(void **state)
{
	struct ps_sign_opts o = good();
	GBytes *s;
	struct run r;

	(void)state;
	o.ess_cert = F.pki->ca;
	s = ps_sign(F.letter, &o);
	verify(s, &r);
	expect(&r, ".conclusion", "INVALID");
	expect_problem(&r, "ESS_CERT_MISMATCH");
	run_free(&r);
	g_bytes_unref(s);
}

static void test_two_signerinfos(void **state)
{
	struct ps_sign_opts o = good();
	GBytes *s;
	struct run r;

	(void)state;
	o.two_signers = true;
	s = ps_sign(F.letter, &o);
	verify(s, &r);
	assert_int_equal(r.rc, 1);
	expect(&r, ".conclusion", "INVALID");
	expect_problem(&r, "SIGNER_INFO_COUNT");
	run_free(&r);
	g_bytes_unref(s);
}

static void test_two_signatures(void **state)
{
	GBytes *s1 = sign_letter(), *s2;
	struct ps_sign_opts o = good();
	struct run r;

	(void)state;
	o.field = "sig_kedua";
	s2 = ps_sign(s1, &o);
	verify(s2, &r);
	assert_int_equal(r.rc, 0);
	expect(&r, "[.conclusion, .signatureCount, .signatures[0].modifiedAfterSigning, "
		   ".signatures[0].modifications, .signatures[0].coversWholeDocument, "
		   ".signatures[1].field, .signatures[1].coversWholeDocument, "
		   ".signatures[1].modifications] | @tsv",
	       "VALID\t2\ttrue\tSIGNATURES\tfalse\tsig_kedua\ttrue\tNONE");
	assert_int_equal(pdfsig_valid(&r), 2);
	run_free(&r);
	g_bytes_unref(s1);
	g_bytes_unref(s2);
}

/* A certification signature's /DocMDP /P: 1 forbids a second signature,
 * 2 allows it. */
static void test_docmdp(void **state)
{
	(void)state;
	for (int p = 1; p <= 2; p++) {
		struct ps_sign_opts o = good();
		GBytes *s1, *s2;
		struct run r;

		o.docmdp = p;
		s1 = ps_sign(F.letter, &o);
		o = good();
		o.field = "persetujuan";
		s2 = ps_sign(s1, &o);
		verify(s2, &r);
		if (p == 1) {
			expect(&r, "[.conclusion, .signatures[0].certification, .signatures[0].docMdp]"
				   " | @tsv", "INVALID\ttrue\t1");
			expect_problem(&r, "MODIFICATION_NOT_PERMITTED");
		} else {
			expect(&r, "[.conclusion, .signatures[0].docMdp] | @tsv", "VALID\t2");
		}
		run_free(&r);
		g_bytes_unref(s1);
		g_bytes_unref(s2);
	}
}

/* An approval signature on a certified (DocMDP P=2) letter whose update
 * also puts back the page's font (shared by the page and its text) with
 * its keys in another order and 684 written 684.0, and the font's
 * ToUnicode stream uncompressed, as Acrobat and Word rewrite objects they
 * did not change: no modification. With one value of the font changed,
 * a modification. */
static void test_rewritten_unchanged(void **state)
{
	struct ps_sign_opts o = good();
	GBytes *cert, *s2;
	struct ps_info in;
	struct ps_obj also[2];
	char *text, *same, *changed, *tu;
	int tun;
	struct run r;

	(void)state;
	o.docmdp = 2;
	cert = ps_sign(F.letter, &o);
	ps_info_get(cert, &in);
	assert_true(in.font > 0);
	text = ps_object_text_reversed(cert, in.font);
	same = replace(text, " 684 ", " 684.0 ");
	changed = replace(same, "/FirstChar 32", "/FirstChar 33");
	tu = strstr(text, "/ToUnicode ");
	assert_non_null(tu);
	tun = (int)g_ascii_strtoll(tu + strlen("/ToUnicode "), NULL, 10);
	also[1].num = tun;
	also[1].body = ps_stream_recoded(cert, tun);
	for (int k = 0; k < 2; k++) {
		also[0].num = in.font;
		also[0].body = g_bytes_new_static(k ? changed : same, strlen(k ? changed : same));
		o = good();
		o.field = "persetujuan";
		o.also = also;
		o.n_also = 2;
		s2 = ps_sign(cert, &o);
		verify(s2, &r);
		if (!k) {
			assert_int_equal(r.rc, 0);
			expect(&r, "[.conclusion, .signatures[0].certification, .signatures[0].docMdp, "
				   ".signatures[0].modifications, (.signatures[0].problems | length)] "
				   "| @tsv", "VALID\ttrue\t2\tSIGNATURES\t0");
		} else {
			expect(&r, "[.conclusion, .signatures[0].modifications] | @tsv",
			       "INVALID\tSIGNATURES,OTHER");
			expect_problem(&r, "MODIFIED_AFTER_SIGNING");
		}
		run_free(&r);
		g_bytes_unref(also[0].body);
		g_bytes_unref(s2);
	}
	g_bytes_unref(also[1].body);
	g_free(text);
	g_free(same);
	g_free(changed);
	ps_info_release(&in);
	g_bytes_unref(cert);
}

/* Shadow attacks: content hidden in the signed revision and revealed, or
 * an object replaced, by an update. */
static void test_shadow(void **state)
{
	GBytes *base = ps_make_minimal("Rp 1.000.000", "Rp 9.000.000"), *s, *t;
	struct ps_sign_opts o = good();
	struct ps_info in;
	struct ps_obj ob;
	struct run r;
	char *page;

	(void)state;
	s = ps_sign(base, &o);
	verify(s, &r);
	expect(&r, ".conclusion", "VALID");
	run_free(&r);
	/* Hide-and-show: the page now shows the hidden object 6. */
	ps_info_get(s, &in);
	assert_int_equal(in.page, 3);
	page = replace(in.page_text, "/Contents 5 0 R", "/Contents 6 0 R");
	ps_info_release(&in);
	ob.num = 3;
	ob.body = g_bytes_new_take(page, strlen(page));
	t = ps_update(s, &ob, 1);
	verify(t, &r);
	expect(&r, "[.conclusion, .signatures[0].modifications] | @tsv", "INVALID\tOTHER");
	assert_int_equal(pdfsig_valid(&r), 1);
	run_free(&r);
	g_bytes_unref(t);
	g_bytes_unref(ob.body);
	/* Replace: object 5 itself redefined. */
	ob.num = 5;
	ob.body = stream("BT /F1 24 Tf 72 700 Td (Rp 9.000.000) Tj ET");
	t = ps_update(s, &ob, 1);
	verify(t, &r);
	expect(&r, "[.conclusion, .signatures[0].modifications] | @tsv", "INVALID\tOTHER");
	run_free(&r);
	g_bytes_unref(ob.body);
	g_bytes_unref(t);
	g_bytes_unref(s);
	g_bytes_unref(base);
}

/* A comment added after an approval signature: permitted, and said. */
static void test_annotation(void **state)
{
	GBytes *s = sign_letter(), *t;
	struct ps_info in;
	char *annots, *page, *note;
	struct ps_obj o[2];
	struct run r;

	(void)state;
	ps_info_get(s, &in);
	annots = g_strdup_printf("/Annots [ %d 0 R ", in.size);
	page = replace(in.page_text, "/Annots [ ", annots);
	note = g_strdup_printf("<< /Type /Annot /Subtype /Text /Rect [ 10 10 30 30 ] "
			       "/Contents (catatan) /P %d 0 R >>", in.page);
	o[0].num = in.page;
	o[0].body = g_bytes_new(page, strlen(page));
	o[1].num = in.size;
	o[1].body = g_bytes_new(note, strlen(note));
	t = ps_update(s, o, 2);
	verify(t, &r);
	expect(&r, "[.conclusion, .signatures[0].modifications, "
		   ".signatures[0].modifiedAfterSigning] | @tsv", "VALID\tANNOTATIONS\ttrue");
	run_free(&r);
	g_bytes_unref(o[0].body);
	g_bytes_unref(o[1].body);
	g_free(annots);
	g_free(page);
	g_free(note);
	ps_info_release(&in);
	g_bytes_unref(t);
	g_bytes_unref(s);
}

/* A signature dictionary qpdf cannot read (a /ByteRange number that
 * overflows, nesting deeper than qpdf parses) is a damaged signature,
 * never "no signature". */
static void test_unreadable_sig_dict(void **state)
{
	GBytes *s = sign_letter(), *t;
	int sig, widget;
	char *text, *wtext, *bad, *deep;
	GString *nest = g_string_new("/Reason ");
	struct ps_obj o;
	struct run r;

	(void)state;
	sig_objects(F.letter, &sig, &widget);
	text = ps_object_text(s, sig);
	wtext = ps_object_text(s, widget);
	for (int i = 0; i < 600; i++)
		g_string_append_c(nest, '[');
	for (int i = 0; i < 600; i++)
		g_string_append_c(nest, ']');
	for (int k = 0; k < 3; k++) {
		/* The signature dictionary twice, then the field itself. */
		bad = k == 2 ? replace(wtext, "/Rect [ 0 ", "/Rect [ 99999999999999999999 ")
			: k ? replace(text, "/Reason ()", nest->str)
			: replace(text, "/ByteRange [ 0 ", "/ByteRange [ 0 99999999999999999999 ");
		o.num = k == 2 ? widget : sig;
		o.body = g_bytes_new(bad, strlen(bad));
		t = ps_update(s, &o, 1);
		verify(t, &r);
		assert_int_equal(r.rc, 1);
		deep = jq(&r, ".conclusion");
		if (!strcmp(deep, "NO_SIGNATURE"))
			fail_msg("case %d: NO_SIGNATURE", k);
		g_free(deep);
		expect(&r, ".conclusion", "INVALID");
		expect_problem(&r, "SIGNATURE_DICT_DAMAGED");
		run_free(&r);
		g_bytes_unref(o.body);
		g_bytes_unref(t);
		g_free(bad);
	}
	g_string_free(nest, TRUE);
	g_free(text);
	g_free(wtext);
	g_bytes_unref(s);
}

/* PDF's conclusion and document problems, "CONCLUSION\tCODE,...". */
static void expect_doc(GBytes *pdf, const char *want)
{
	struct run r;

	verify(pdf, &r);
	expect(&r, "[.conclusion, (.problems | join(\",\"))] | @tsv", want);
	if (strcmp(want, "VALID"))
		assert_int_equal(r.rc, 1);
	run_free(&r);
}

/* A decompression bomb: an object stream inflating to 3 GiB in a 3 MB
 * file stops at the cap, INDETERMINATE, never NO_SIGNATURE; the caps come
 * from tte.conf; filters that cannot be capped are refused, and so are
 * cross-reference streams listing millions of objects. */
static void test_bomb(void **state)
{
	GBytes *big = ps_make_bomb(3ULL << 30, NULL), *small = ps_make_bomb(8 << 20, NULL);
	GBytes *lzw = ps_make_bomb(0, "/LZWDecode");
	GBytes *xref = ps_make_xref_bomb(6000000), *xok = ps_make_xref_bomb(1000);
	char *conf = tu_path(F.root, "tte.conf");
	struct run r;

	(void)state;
	assert_true(g_bytes_get_size(big) < 4u << 20);
	expect_doc(big, "INDETERMINATE\tDECOMPRESSION_LIMIT");
	/* The same construction, small: an ordinary unsigned PDF. */
	expect_doc(small, "NO_SIGNATURE\t");
	/* Caps from [verify]: per stream, then per file. */
	tu_write_str(conf, "[verify]\nmax_stream_mb = 4\n");
	expect_doc(small, "INDETERMINATE\tDECOMPRESSION_LIMIT");
	tu_write_str(conf, "[verify]\nmax_inflate_mb = 2\n");
	verify(small, &r);
	expect(&r, "[.conclusion, (.notes[0] | test(\"in all\"))] | @tsv", "INDETERMINATE\ttrue");
	run_free(&r);
	assert_int_equal(unlink(conf), 0);
	expect_doc(lzw, "INDETERMINATE\tSTREAM_FILTER_UNSUPPORTED");
	/* 6 million objects listed in a 44 KB file (qpdf: 500 MB, 3 s). */
	assert_true(g_bytes_get_size(xref) < 64 * 1024);
	expect_doc(xref, "INDETERMINATE\tDECOMPRESSION_LIMIT");
	expect_doc(xok, "NO_SIGNATURE\t");
	g_bytes_unref(xref);
	g_bytes_unref(xok);
	g_free(conf);
	g_bytes_unref(big);
	g_bytes_unref(small);
	g_bytes_unref(lzw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_flipped_bytes),
		cmocka_unit_test(test_content_changed),
		cmocka_unit_test(test_reason_changed),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_wrapping),
		cmocka_unit_test(test_byterange_past_eof),
		cmocka_unit_test(test_certificates),
		cmocka_unit_test(test_revocation),
		cmocka_unit_test(test_ess_mismatch),
		cmocka_unit_test(test_two_signerinfos),
		cmocka_unit_test(test_two_signatures),
		cmocka_unit_test(test_docmdp),
		cmocka_unit_test(test_rewritten_unchanged),
		cmocka_unit_test(test_shadow),
		cmocka_unit_test(test_annotation),
		cmocka_unit_test(test_bomb),
		cmocka_unit_test(test_unreadable_sig_dict),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
