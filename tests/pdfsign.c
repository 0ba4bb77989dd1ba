/*
 * pdfsign.c - test support: a BSrE-shaped PKI and a small incremental-
 * update PDF signer (see pdfsign.h). Inputs are the tests' own documents;
 * failures abort with g_error, which fails the test that called.
 */
#include <string.h>
#include <time.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>
#include <glib.h>
#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>
#include <qpdf/qpdf-c.h>
#include <zlib.h>

#include "pdfsign.h"
#include "tte.h"

/* ---- the PKI -------------------------------------------------------------------- */

static void check(int ok, const char *what)
{
	if (!ok) {
		ERR_print_errors_fp(stderr);
		g_error("pdfsign: %s failed", what);
	}
}

static X509_NAME *dn(const char *c, const char *o, const char *ou, const char *cn,
		     const char *description)
{
	X509_NAME *n = X509_NAME_new();

	check(n != NULL, "X509_NAME_new");
	if (c)
		X509_NAME_add_entry_by_txt(n, "C", MBSTRING_UTF8, (const unsigned char *)c, -1, -1, 0);
	if (o)
		X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)o, -1, -1, 0);
	if (ou)
		X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_UTF8, (const unsigned char *)ou, -1, -1,
					   0);
	if (cn)
		X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
					   0);
	if (description)
		X509_NAME_add_entry_by_txt(n, "description", MBSTRING_UTF8,
					   (const unsigned char *)description, -1, -1, 0);
	return n;
}

static void add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e;

	if (!value)
		return;
	e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	check(e != NULL, value);
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
}

/* A certificate for KEY named SUBJECT (taken), issued by ISSUER/IKEY (NULL:
 * self-signed), valid FROM..TO days from now. */
static X509 *mkcert(EVP_PKEY *key, X509_NAME *subject, X509 *issuer, EVP_PKEY *ikey, long from,
		    long to, long serial, const char *bc, const char *ku, const char *eku)
{
	X509 *x = X509_new();
	X509V3_CTX ctx;

	check(x != NULL, "X509_new");
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_set_subject_name(x, subject);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : subject);
	X509_gmtime_adj(X509_getm_notBefore(x), from * 86400L);
	X509_gmtime_adj(X509_getm_notAfter(x), to * 86400L);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	add_ext(x, &ctx, NID_basic_constraints, bc);
	add_ext(x, &ctx, NID_key_usage, ku);
	add_ext(x, &ctx, NID_ext_key_usage, eku);
	add_ext(x, &ctx, NID_subject_key_identifier, "hash");
	add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
	check(X509_sign(x, ikey ? ikey : key, EVP_sha256()) > 0, "X509_sign");
	X509_NAME_free(subject);
	return x;
}

struct ps_pki *ps_pki_new(const char *signer_cn)
{
	struct ps_pki *p = g_new0(struct ps_pki, 1);
	const char *inst = "Universitas Pendidikan Ganesha";
	const char *sku = "critical,digitalSignature,nonRepudiation";
	const char *seku = "1.2.840.113583.1.1.5";

	p->root_key = EVP_EC_gen("P-256");
	p->ca_key = EVP_EC_gen("P-256");
	p->rogue_key = EVP_EC_gen("P-256");
	p->signer_key = EVP_RSA_gen(2048);
	p->tsa_key = EVP_EC_gen("P-256");
	check(p->root_key && p->ca_key && p->rogue_key && p->signer_key && p->tsa_key, "keygen");
	p->root = mkcert(p->root_key, dn("ID", "Uji Coba Kominfo", NULL, "Root CA Uji DS G1", NULL),
			 NULL, NULL, -3650, 7300, 1, "critical,CA:TRUE", "critical,keyCertSign,cRLSign",
			 NULL);
	p->ca = mkcert(p->ca_key, dn("ID", "Badan Siber dan Sandi Negara Uji", NULL,
				     "BSRE CA Uji DS G1", NULL),
		       p->root, p->root_key, -3000, 5000, 2, "critical,CA:TRUE,pathlen:0",
		       "critical,keyCertSign,cRLSign", NULL);
	p->signer = mkcert(p->signer_key, dn("ID", inst, NULL, signer_cn,
					     "1234567890_Tanda Tangan Elektronik"),
			   p->ca, p->ca_key, -30, 700, 100, "critical,CA:FALSE", sku, seku);
	p->tsa = mkcert(p->tsa_key, dn("ID", "Badan Siber dan Sandi Negara Uji", NULL,
				       "Timestamp Authority Badan Siber dan Sandi Negara Uji", NULL),
			p->root, p->root_key, -3000, 5000, 3, "critical,CA:FALSE",
			"critical,digitalSignature", "critical,timeStamping");
	p->expired = mkcert(p->signer_key, dn("ID", inst, NULL, signer_cn,
					      "1234567890_Tanda Tangan Elektronik"),
			    p->ca, p->ca_key, -800, -1, 101, "critical,CA:FALSE", sku, seku);
	p->bad_ku = mkcert(p->signer_key, dn("ID", inst, NULL, signer_cn,
					     "1234567890_Tanda Tangan Elektronik"),
			   p->ca, p->ca_key, -30, 700, 102, "critical,CA:FALSE",
			   "critical,keyEncipherment", NULL);
	p->rogue_root = mkcert(p->rogue_key, dn("ID", "Bukan BSrE", NULL, "Root CA Palsu", NULL),
			       NULL, NULL, -3650, 7300, 1, "critical,CA:TRUE",
			       "critical,keyCertSign,cRLSign", NULL);
	p->rogue_signer = mkcert(p->signer_key, dn("ID", inst, NULL, signer_cn,
						   "1234567890_Tanda Tangan Elektronik"),
				 p->rogue_root, p->rogue_key, -30, 700, 5, "critical,CA:FALSE", sku,
				 seku);
	return p;
}

void ps_pki_free(struct ps_pki *p)
{
	if (!p)
		return;
	EVP_PKEY_free(p->root_key);
	EVP_PKEY_free(p->ca_key);
	EVP_PKEY_free(p->signer_key);
	EVP_PKEY_free(p->tsa_key);
	EVP_PKEY_free(p->rogue_key);
	X509_free(p->root);
	X509_free(p->ca);
	X509_free(p->signer);
	X509_free(p->tsa);
	X509_free(p->expired);
	X509_free(p->bad_ku);
	X509_free(p->rogue_root);
	X509_free(p->rogue_signer);
	g_free(p);
}

X509_CRL *ps_make_crl(const struct ps_pki *p, bool revoke)
{
	X509_CRL *c = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_new();

	check(c && t, "X509_CRL_new");
	X509_CRL_set_version(c, 1);
	X509_CRL_set_issuer_name(c, X509_get_subject_name(p->ca));
	X509_gmtime_adj(t, -2 * 86400L);
	X509_CRL_set1_lastUpdate(c, t);
	X509_gmtime_adj(t, 30 * 86400L);
	X509_CRL_set1_nextUpdate(c, t);
	if (revoke) {
		X509_REVOKED *r = X509_REVOKED_new();

		X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(p->signer));
		X509_gmtime_adj(t, -86400L);
		X509_REVOKED_set_revocationDate(r, t);
		X509_CRL_add0_revoked(c, r);
	}
	X509_CRL_sort(c);
	check(X509_CRL_sign(c, p->ca_key, EVP_sha256()) > 0, "X509_CRL_sign");
	ASN1_TIME_free(t);
	return c;
}

void ps_pki_write_trust(const struct ps_pki *p, const char *path)
{
	BIO *b = BIO_new_file(path, "w");

	check(b != NULL, path);
	check(PEM_write_bio_X509(b, p->root) && PEM_write_bio_X509(b, p->ca), "PEM write");
	BIO_free(b);
}

/* ---- reading a PDF ------------------------------------------------------------- */

static qpdf_data open_pdf(GBytes *pdf)
{
	gsize n;
	const char *d = g_bytes_get_data(pdf, &n);
	qpdf_data q = qpdf_init();

	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	if (qpdf_read_memory(q, "pdf", d, n, "") & QPDF_ERRORS)
		g_error("pdfsign: qpdf cannot read the PDF: %s",
			qpdf_get_error_full_text(q, qpdf_get_error(q)));
	return q;
}

void ps_info_get(GBytes *pdf, struct ps_info *info)
{
	qpdf_data q = open_pdf(pdf);
	qpdf_oh t = qpdf_get_trailer(q), page, c;

	info->size = (int)qpdf_oh_get_int_value(q, qpdf_oh_get_key(q, t, "/Size"));
	info->root = qpdf_oh_get_object_id(q, qpdf_get_root(q));
	page = qpdf_get_page_n(q, 0);
	info->page = qpdf_oh_get_object_id(q, page);
	c = qpdf_oh_get_key(q, page, "/Contents");
	info->contents = qpdf_oh_is_stream(q, c) ? qpdf_oh_get_object_id(q, c) : 0;
	info->font = 0;
	c = qpdf_oh_get_key(q, qpdf_oh_get_key(q, page, "/Resources"), "/Font");
	if (qpdf_oh_is_dictionary(q, c)) {
		qpdf_oh_begin_dict_key_iter(q, c);
		while (!info->font && qpdf_oh_dict_more_keys(q)) {
			qpdf_oh f = qpdf_oh_get_key(q, c, qpdf_oh_dict_next_key(q));

			if (qpdf_oh_is_indirect(q, f))
				info->font = qpdf_oh_get_object_id(q, f);
		}
	}
	info->page_text = g_strdup(qpdf_oh_unparse_resolved(q, page));
	qpdf_cleanup(&q);
}

void ps_info_release(struct ps_info *info)
{
	g_free(info->page_text);
	info->page_text = NULL;
}

char *ps_object_text(GBytes *pdf, int num)
{
	qpdf_data q = open_pdf(pdf);
	char *s = g_strdup(qpdf_oh_unparse_resolved(q, qpdf_get_object_by_id(q, num, 0)));

	qpdf_cleanup(&q);
	return s;
}

char *ps_object_text_reversed(GBytes *pdf, int num)
{
	qpdf_data q = open_pdf(pdf);
	qpdf_oh d = qpdf_get_object_by_id(q, num, 0);
	GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
	GString *s = g_string_new("<<");

	g_assert(qpdf_oh_is_dictionary(q, d));
	qpdf_oh_begin_dict_key_iter(q, d);
	while (qpdf_oh_dict_more_keys(q))
		g_ptr_array_add(keys, g_strdup(qpdf_oh_dict_next_key(q)));
	for (guint i = keys->len; i-- > 0;) {
		const char *k = g_ptr_array_index(keys, i);

		g_string_append_printf(s, "\n  %s %s", k, qpdf_oh_unparse(q, qpdf_oh_get_key(q, d, k)));
	}
	g_string_append(s, "\n>>");
	g_ptr_array_free(keys, TRUE);
	qpdf_cleanup(&q);
	return g_string_free(s, FALSE);
}

GBytes *ps_stream_recoded(GBytes *pdf, int num)
{
	qpdf_data q = open_pdf(pdf);
	qpdf_oh st = qpdf_get_object_by_id(q, num, 0), d;
	GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
	GString *s = g_string_new("<<");
	unsigned char *data = NULL;
	size_t len = 0;
	QPDF_BOOL filtered = QPDF_FALSE;

	g_assert(qpdf_oh_is_stream(q, st));
	g_assert(!(qpdf_oh_get_stream_data(q, st, qpdf_dl_generalized, &filtered, &data, &len) &
		   QPDF_ERRORS) && filtered);
	d = qpdf_oh_get_dict(q, st);
	qpdf_oh_begin_dict_key_iter(q, d);
	while (qpdf_oh_dict_more_keys(q))
		g_ptr_array_add(keys, g_strdup(qpdf_oh_dict_next_key(q)));
	for (guint i = keys->len; i-- > 0;) {
		const char *k = g_ptr_array_index(keys, i);

		if (strcmp(k, "/Length") && strcmp(k, "/Filter") && strcmp(k, "/DecodeParms"))
			g_string_append_printf(s, " %s %s", k,
					       qpdf_oh_unparse(q, qpdf_oh_get_key(q, d, k)));
	}
	g_string_append_printf(s, " /Length %zu >>\nstream\n", len);
	g_string_append_len(s, (const char *)data, (gssize)len);
	g_string_append(s, "\nendstream");
	free(data);
	g_ptr_array_free(keys, TRUE);
	qpdf_cleanup(&q);
	return g_string_free_to_bytes(s);
}

long long ps_find(GBytes *pdf, const char *needle, size_t from)
{
	gsize n;
	const char *d = g_bytes_get_data(pdf, &n);
	const char *hit;

	if (from >= n)
		return -1;
	hit = memmem(d + from, n - from, needle, strlen(needle));
	return hit ? hit - d : -1;
}

GBytes *ps_flip(GBytes *pdf, size_t at)
{
	gsize n;
	const char *d = g_bytes_get_data(pdf, &n);
	char *c = g_memdup2(d, n);

	g_assert(at < n);
	c[at] ^= 1;
	return g_bytes_new_take(c, n);
}

GBytes *ps_truncate(GBytes *pdf, size_t len)
{
	gsize n;
	const char *d = g_bytes_get_data(pdf, &n);

	g_assert(len <= n);
	return g_bytes_new(d, len);
}

/* The last startxref of PDF. */
static long long last_startxref(GBytes *pdf)
{
	gsize n;
	const char *d = g_bytes_get_data(pdf, &n);
	const char *p = NULL;

	for (gsize i = n >= 9 ? n - 9 + 1 : 0; i-- > 0;) {
		if (!memcmp(d + i, "startxref", 9)) {
			p = d + i;
			break;
		}
	}
	g_assert(p);
	return g_ascii_strtoll(p + 9, NULL, 10);
}

/* ---- writing an incremental update ------------------------------------------------ */

struct upd {
	GByteArray *out;
	GArray *nums, *offs;	/* objects written and where */
};

static void upd_begin(struct upd *u, GBytes *base)
{
	gsize n;
	const guint8 *d = g_bytes_get_data(base, &n);

	u->out = g_byte_array_sized_new((guint)n + 65536);
	g_byte_array_append(u->out, d, (guint)n);
	if (!n || d[n - 1] != '\n')
		g_byte_array_append(u->out, (const guint8 *)"\n", 1);
	u->nums = g_array_new(FALSE, FALSE, sizeof(int));
	u->offs = g_array_new(FALSE, FALSE, sizeof(gsize));
}

static void put(struct upd *u, const void *d, size_t n)
{
	g_byte_array_append(u->out, d, (guint)n);
}

static void puts_(struct upd *u, const char *s)
{
	put(u, s, strlen(s));
}

/* Start object NUM; the caller writes the body, then obj_end. */
static void obj_begin(struct upd *u, int num)
{
	gsize off = u->out->len;
	char h[32];

	g_array_append_val(u->nums, num);
	g_array_append_val(u->offs, off);
	g_snprintf(h, sizeof(h), "%d 0 obj\n", num);
	puts_(u, h);
}

static void obj_end(struct upd *u)
{
	puts_(u, "\nendobj\n");
}

static GBytes *upd_finish(struct upd *u, GBytes *base)
{
	qpdf_data q = open_pdf(base);
	qpdf_oh t = qpdf_get_trailer(q);
	gsize xref = u->out->len;
	int size = (int)qpdf_oh_get_int_value(q, qpdf_oh_get_key(q, t, "/Size"));
	char *line;

	puts_(u, "xref\n0 1\n0000000000 65535 f \n");
	for (guint i = 0; i < u->nums->len; i++) {
		int num = g_array_index(u->nums, int, i);

		line = g_strdup_printf("%d 1\n%010zu 00000 n \n", num, g_array_index(u->offs, gsize, i));
		puts_(u, line);
		g_free(line);
		if (num + 1 > size)
			size = num + 1;
	}
	line = g_strdup_printf("trailer\n<< /Size %d /Root %d 0 R", size,
			       qpdf_oh_get_object_id(q, qpdf_get_root(q)));
	puts_(u, line);
	g_free(line);
	if (qpdf_oh_has_key(q, t, "/Info")) {
		line = g_strdup_printf(" /Info %s", qpdf_oh_unparse(q, qpdf_oh_get_key(q, t, "/Info")));
		puts_(u, line);
		g_free(line);
	}
	if (qpdf_oh_has_key(q, t, "/ID")) {
		line = g_strdup_printf(" /ID %s", qpdf_oh_unparse(q, qpdf_oh_get_key(q, t, "/ID")));
		puts_(u, line);
		g_free(line);
	}
	line = g_strdup_printf(" /Prev %lld >>\nstartxref\n%zu\n%%%%EOF\n", last_startxref(base),
			       xref);
	puts_(u, line);
	g_free(line);
	qpdf_cleanup(&q);
	g_array_free(u->nums, TRUE);
	g_array_free(u->offs, TRUE);
	return g_byte_array_free_to_bytes(u->out);
}

GBytes *ps_update(GBytes *base, const struct ps_obj *objs, int n)
{
	struct upd u;

	upd_begin(&u, base);
	for (int i = 0; i < n; i++) {
		gsize len;
		const void *d = g_bytes_get_data(objs[i].body, &len);

		obj_begin(&u, objs[i].num);
		put(&u, d, len);
		obj_end(&u);
	}
	return upd_finish(&u, base);
}

/* ---- the CMS --------------------------------------------------------------------- */

static time_t tsa_now;

static int tsa_time_cb(struct TS_resp_ctx *ctx, void *data, long *sec, long *usec)
{
	(void)ctx;
	(void)data;
	*sec = (long)tsa_now;
	*usec = 0;
	return 1;
}

static ASN1_INTEGER *tsa_serial_cb(struct TS_resp_ctx *ctx, void *data)
{
	static long serial = 1;
	ASN1_INTEGER *i = ASN1_INTEGER_new();

	(void)ctx;
	(void)data;
	ASN1_INTEGER_set(i, serial++);
	return i;
}

/* An RFC 3161 token over SHA-256(DATA) as DER. */
static GBytes *make_token(const struct ps_sign_opts *o, const unsigned char *data, size_t len)
{
	unsigned char md[32];
	TS_REQ *req = TS_REQ_new();
	TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	TS_RESP_CTX *ctx = TS_RESP_CTX_new();
	ASN1_OBJECT *policy = OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1);
	BIO *rb = BIO_new(BIO_s_mem());
	TS_RESP *resp;
	unsigned char *der = NULL;
	int n;
	GBytes *out;

	SHA256(data, len, md);
	X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL);
	TS_MSG_IMPRINT_set_algo(mi, alg);
	TS_MSG_IMPRINT_set_msg(mi, md, 32);
	TS_REQ_set_version(req, 1);
	TS_REQ_set_msg_imprint(req, mi);
	TS_REQ_set_cert_req(req, 1);
	check(i2d_TS_REQ_bio(rb, req) > 0, "TS request");
	tsa_now = o->tsa_time ? o->tsa_time : time(NULL);
	check(TS_RESP_CTX_set_signer_cert(ctx, o->tsa_cert) &&
	      TS_RESP_CTX_set_signer_key(ctx, o->tsa_key) &&
	      TS_RESP_CTX_set_def_policy(ctx, policy) && TS_RESP_CTX_add_md(ctx, EVP_sha256()) &&
	      TS_RESP_CTX_set_ess_cert_id_digest(ctx, EVP_sha256()), "TS context");
	TS_RESP_CTX_set_time_cb(ctx, tsa_time_cb, NULL);
	TS_RESP_CTX_set_serial_cb(ctx, tsa_serial_cb, NULL);
	resp = TS_RESP_create_response(ctx, rb);
	check(resp && TS_RESP_get_token(resp), "TS response");
	n = i2d_PKCS7(TS_RESP_get_token(resp), &der);
	check(n > 0, "TS token DER");
	out = g_bytes_new(der, (gsize)n);
	OPENSSL_free(der);
	TS_RESP_free(resp);
	TS_RESP_CTX_free(ctx);
	BIO_free(rb);
	ASN1_OBJECT_free(policy);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
	TS_REQ_free(req);
	return out;
}

/* The CMS over DATA (the signed ranges) as DER. */
static GBytes *make_cms(const struct ps_sign_opts *o, const unsigned char *data, size_t len)
{
	BIO *in = BIO_new_mem_buf(data, (int)len);
	unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP | (o->cades ? CMS_CADES : 0);
	STACK_OF(X509) *chain = sk_X509_new_null();
	CMS_ContentInfo *cms;
	CMS_SignerInfo *si;
	unsigned char *der = NULL;
	int n;
	GBytes *out;

	if (o->ca)
		sk_X509_push(chain, o->ca);
	if (o->ess_cert) {
		ESS_SIGNING_CERT_V2 *ess = OSSL_ESS_signing_cert_v2_new_init(EVP_sha256(), o->ess_cert,
									     NULL, 0);
		unsigned char *e = NULL;
		int en = i2d_ESS_SIGNING_CERT_V2(ess, &e);

		cms = CMS_sign(NULL, NULL, chain, NULL, flags | CMS_PARTIAL);
		check(cms && en > 0, "ESS attribute");
		flags &= ~(unsigned)CMS_CADES;
		si = CMS_add1_signer(cms, o->cert, o->key, EVP_sha256(), flags | CMS_PARTIAL);
		check(si && CMS_signed_add1_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2,
							V_ASN1_SEQUENCE, e, en) &&
		      CMS_final(cms, in, NULL, flags), "CMS with a foreign ESS");
		OPENSSL_free(e);
		ESS_SIGNING_CERT_V2_free(ess);
	} else if (o->two_signers) {
		cms = CMS_sign(NULL, NULL, chain, NULL, flags | CMS_PARTIAL);
		check(cms && CMS_add1_signer(cms, o->cert, o->key, EVP_sha256(), flags | CMS_PARTIAL) &&
		      CMS_add1_signer(cms, o->cert, o->key, EVP_sha384(),
				      flags | CMS_PARTIAL | CMS_NOCERTS) &&
		      CMS_final(cms, in, NULL, flags), "CMS with two signers");
	} else {
		cms = CMS_sign(o->cert, o->key, chain, in, flags);
		check(cms != NULL, "CMS_sign");
	}
	if (o->crl)
		check(CMS_add1_crl(cms, o->crl), "CMS_add1_crl");
	if (o->tsa_key) {
		ASN1_OCTET_STRING *sig;
		GBytes *tok;
		gsize tn;
		const void *td;

		si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
		sig = CMS_SignerInfo_get0_signature(si);
		tok = make_token(o, ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig));
		td = g_bytes_get_data(tok, &tn);
		check(CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken,
						    V_ASN1_SEQUENCE, td, (int)tn), "token attribute");
		g_bytes_unref(tok);
	}
	n = i2d_CMS_ContentInfo(cms, &der);
	check(n > 0, "CMS DER");
	out = g_bytes_new(der, (gsize)n);
	OPENSSL_free(der);
	CMS_ContentInfo_free(cms);
	sk_X509_free(chain);
	BIO_free(in);
	return out;
}

/* ---- signing ----------------------------------------------------------------- */

/* DICT ("<< ... >>") with TEXT inserted after "<<". */
static char *dict_add(const char *dict, const char *text)
{
	const char *p = strstr(dict, "<<");

	g_assert(p);
	return g_strdup_printf("%.*s<< %s %s", (int)(p - dict), dict, text, p + 2);
}

/* The dictionary object NUM of Q with KEY removed (as text), and KEY's
 * old value's array items (for arrays) into *ITEMS. */
static char *without_key(qpdf_data q, qpdf_oh d, const char *key, char **items)
{
	qpdf_oh v = qpdf_oh_get_key(q, d, key);
	char *s;

	*items = g_strdup("");
	if (qpdf_oh_is_array(q, v)) {
		GString *g = g_string_new("");
		int n = qpdf_oh_get_array_n_items(q, v);

		for (int i = 0; i < n; i++)
			g_string_append_printf(g, "%s ",
					       qpdf_oh_unparse(q, qpdf_oh_get_array_item(q, v, i)));
		g_free(*items);
		*items = g_string_free(g, FALSE);
	}
	qpdf_oh_remove_key(q, d, key);
	s = g_strdup(qpdf_oh_unparse_resolved(q, d));
	return s;
}

/* Object NUM: dictionary DICT with ADD inserted. */
static void dict_obj(struct upd *u, int num, const char *dict, const char *add)
{
	char *d = dict_add(dict, add);

	obj_begin(u, num);
	puts_(u, d);
	obj_end(u);
	g_free(d);
}

static char *pdf_date(void)
{
	GDateTime *now = g_date_time_new_now_utc();
	char *s = g_date_time_format(now, "D:%Y%m%d%H%M%S+00'00'");

	g_date_time_unref(now);
	return s;
}

GBytes *ps_sign(GBytes *base, const struct ps_sign_opts *o)
{
	qpdf_data q = open_pdf(base);
	qpdf_oh t = qpdf_get_trailer(q), root = qpdf_get_root(q), page = qpdf_get_page_n(q, 0);
	qpdf_oh acro = qpdf_oh_get_key(q, root, "/AcroForm");
	int size = (int)qpdf_oh_get_int_value(q, qpdf_oh_get_key(q, t, "/Size"));
	int sig = size, widget = size + 1, acro_num = 0, rootn = qpdf_oh_get_object_id(q, root);
	int pagen = qpdf_oh_get_object_id(q, page);
	size_t reserve = o->reserve ? o->reserve : 16384;
	char *field = o->field ? g_strdup(o->field) : g_strdup_printf("sig_%d", size);
	char *items, *text, *text2, *date = pdf_date(), *zeros, *sigdict;
	struct upd u;
	gsize br_at, b, c, len;
	GBytes *cms, *out;
	const guint8 *cd;
	gsize cn;
	char num[64];

	upd_begin(&u, base);

	/* The page, with the widget in /Annots. */
	text = without_key(q, page, "/Annots", &items);
	text2 = g_strdup_printf("/Annots [ %s%d 0 R ]", items, widget);
	g_free(items);
	dict_obj(&u, pagen, text, text2);
	g_free(text);
	g_free(text2);

	/* The AcroForm: a new one, or the existing (indirect) one extended. */
	if (qpdf_oh_is_dictionary(q, acro) && qpdf_oh_is_indirect(q, acro)) {
		acro_num = qpdf_oh_get_object_id(q, acro);
		text = without_key(q, acro, "/Fields", &items);
		text2 = g_strdup_printf("/Fields [ %s%d 0 R ]", items, widget);
		g_free(items);
	} else {
		acro_num = size + 2;
		text = g_strdup("<< /SigFlags 3 >>");
		text2 = g_strdup_printf("/Fields [ %d 0 R ]", widget);
	}
	dict_obj(&u, acro_num, text, text2);
	g_free(text);
	g_free(text2);
	if (acro_num == size + 2 || o->docmdp) {
		char *add;

		text = without_key(q, root, "/AcroForm", &items);
		g_free(items);
		if (o->docmdp) {
			char *t2 = text;

			text = without_key(q, root, "/Perms", &items);
			g_free(items);
			g_free(t2);
		}
		add = o->docmdp ? g_strdup_printf("/AcroForm %d 0 R /Perms << /DocMDP %d 0 R >>",
						  acro_num, sig)
			: g_strdup_printf("/AcroForm %d 0 R", acro_num);
		dict_obj(&u, rootn, text, add);
		g_free(add);
		g_free(text);
	}

	for (int i = 0; i < o->n_also; i++) {
		gsize n;
		const void *d = g_bytes_get_data(o->also[i].body, &n);

		obj_begin(&u, o->also[i].num);
		put(&u, d, n);
		obj_end(&u);
	}

	/* The widget, which is the field. */
	obj_begin(&u, widget);
	text = g_strdup_printf("<< /Type /Annot /Subtype /Widget /FT /Sig /T (%s) /F 132 "
			       "/Rect [ 0 0 0 0 ] /P %d 0 R /V %d 0 R >>", field, pagen, sig);
	puts_(&u, text);
	g_free(text);
	obj_end(&u);

	/* The signature dictionary, /Contents reserved, /ByteRange patched
	 * once the layout is known. */
	obj_begin(&u, sig);
	sigdict = g_strdup_printf("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /%s "
				  "/Reason (%s) /Location () ",
				  o->cades ? "ETSI.CAdES.detached" : "adbe.pkcs7.detached",
				  o->reason ? o->reason : "");
	puts_(&u, sigdict);
	g_free(sigdict);
	if (o->docmdp) {
		text = g_strdup_printf("/Reference [ << /Type /SigRef /TransformMethod /DocMDP "
				       "/TransformParams << /Type /TransformParams /P %d /V /1.2 >> "
				       ">> ] ", o->docmdp);
		puts_(&u, text);
		g_free(text);
	}
	puts_(&u, "/ByteRange ");
	br_at = u.out->len;
	puts_(&u, "[ 0 0000000000 0000000000 0000000000 ] /Contents ");
	b = u.out->len;
	zeros = g_strnfill(reserve * 2, '0');
	puts_(&u, "<");
	puts_(&u, zeros);
	puts_(&u, ">");
	g_free(zeros);
	c = u.out->len;
	text = g_strdup_printf(" /M (%s) >>", date);
	puts_(&u, text);
	g_free(text);
	obj_end(&u);
	g_free(date);
	g_free(field);
	qpdf_cleanup(&q);

	out = upd_finish(&u, base);
	{
		guint8 *d = g_bytes_unref_to_data(out, &len);

		g_snprintf(num, sizeof(num), "[ 0 %010zu %010zu %010lld ]", b, c,
			   (long long)(len - c) + o->extra_d);
		memcpy(d + br_at, num, strlen(num));
		{
			guint8 *signed_data = g_malloc(b + (len - c));

			memcpy(signed_data, d, b);
			memcpy(signed_data + b, d + c, len - c);
			cms = make_cms(o, signed_data, b + (len - c));
			g_free(signed_data);
		}
		cd = g_bytes_get_data(cms, &cn);
		if (cn * 2 > c - b - 2)
			g_error("pdfsign: the CMS (%zu bytes) does not fit in /Contents", cn);
		for (gsize i = 0; i < cn; i++) {
			static const char hex[] = "0123456789ABCDEF";

			d[b + 1 + 2 * i] = (guint8)hex[cd[i] >> 4];
			d[b + 2 + 2 * i] = (guint8)hex[cd[i] & 15];
		}
		g_bytes_unref(cms);
		return g_bytes_new_take(d, len);
	}
}

/* ---- base documents -------------------------------------------------------------- */

static cairo_status_t to_array(void *closure, const unsigned char *data, unsigned int len)
{
	g_byte_array_append(closure, data, len);
	return CAIRO_STATUS_SUCCESS;
}

GBytes *ps_make_letter(const char *const *lines)
{
	GByteArray *a = g_byte_array_new();
	cairo_surface_t *s = cairo_pdf_surface_create_for_stream(to_array, a, 595.28, 841.89);
	cairo_t *cr = cairo_create(s);
	double y = 72;

	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 11);
	for (const char *const *l = lines; *l; l++) {
		cairo_move_to(cr, 72, y);
		cairo_show_text(cr, *l);
		y += 16;
	}
	cairo_show_page(cr);
	cairo_destroy(cr);
	cairo_surface_finish(s);
	check(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS, "cairo PDF");
	cairo_surface_destroy(s);
	return g_byte_array_free_to_bytes(a);
}

GBytes *ps_make_minimal(const char *text, const char *hidden)
{
	GString *s = g_string_new("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
	gsize off[7];
	char *content = g_strdup_printf("BT /F1 24 Tf 72 700 Td (%s) Tj ET", text);
	char *hid = hidden ? g_strdup_printf("BT /F1 24 Tf 72 650 Td (%s) Tj ET", hidden) : NULL;
	int n = hidden ? 6 : 5;
	gsize xref;

	off[1] = s->len;
	g_string_append(s, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
	off[2] = s->len;
	g_string_append(s, "2 0 obj\n<< /Type /Pages /Kids [ 3 0 R ] /Count 1 >>\nendobj\n");
	off[3] = s->len;
	g_string_append(s, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [ 0 0 612 792 ] "
			   "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>\nendobj\n");
	off[4] = s->len;
	g_string_append(s, "4 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\n"
			   "endobj\n");
	off[5] = s->len;
	g_string_append_printf(s, "5 0 obj\n<< /Length %zu >>\nstream\n%s\nendstream\nendobj\n",
			       strlen(content), content);
	if (hid) {
		off[6] = s->len;
		g_string_append_printf(s, "6 0 obj\n<< /Length %zu >>\nstream\n%s\nendstream\n"
				       "endobj\n", strlen(hid), hid);
	}
	xref = s->len;
	g_string_append_printf(s, "xref\n0 %d\n0000000000 65535 f \n", n + 1);
	for (int i = 1; i <= n; i++)
		g_string_append_printf(s, "%010zu 00000 n \n", off[i]);
	g_string_append_printf(s, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
			       n + 1, xref);
	g_free(content);
	g_free(hid);
	return g_string_free_to_bytes(s);
}

GBytes *ps_make_big(size_t bytes)
{
	GByteArray *a = g_byte_array_sized_new((guint)(bytes + 4096));
	guint64 x = 0x9e3779b97f4a7c15ull;
	gsize off[6], xref, n = bytes / 3 / 1000, img;
	char *h;

	h = g_strdup("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
	g_byte_array_append(a, (const guint8 *)h, (guint)strlen(h));
	g_free(h);
	off[1] = a->len;
	h = g_strdup("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
	g_byte_array_append(a, (const guint8 *)h, (guint)strlen(h));
	g_free(h);
	off[2] = a->len;
	h = g_strdup("2 0 obj\n<< /Type /Pages /Kids [ 3 0 R ] /Count 1 >>\nendobj\n");
	g_byte_array_append(a, (const guint8 *)h, (guint)strlen(h));
	g_free(h);
	off[3] = a->len;
	h = g_strdup("3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [ 0 0 612 792 ] "
		     "/Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>\nendobj\n");
	g_byte_array_append(a, (const guint8 *)h, (guint)strlen(h));
	g_free(h);
	off[4] = a->len;
	h = g_strdup("4 0 obj\n<< /Length 34 >>\nstream\nq 612 0 0 792 0 0 cm /Im1 Do Q\n\n"
		     "endstream\nendobj\n");
	g_byte_array_append(a, (const guint8 *)h, (guint)strlen(h));
	g_free(h);
	/* A 1000 x N RGB image of noise: incompressible, like a scan. */
	off[5] = a->len;
	img = 1000 * n * 3;
	h = g_strdup_printf("5 0 obj\n<< /Type /XObject /Subtype /Image /Width 1000 /Height %zu "
			    "/ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %zu >>\nstream\n",
			    n, img);
	g_byte_array_append(a, (const guint8 *)h, (guint)strlen(h));
	g_free(h);
	{
		gsize at = a->len;

		g_byte_array_set_size(a, (guint)(at + img));
		for (gsize i = 0; i + 8 <= img; i += 8) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			memcpy(a->data + at + i, &x, 8);
		}
	}
	h = g_strdup("\nendstream\nendobj\n");
	g_byte_array_append(a, (const guint8 *)h, (guint)strlen(h));
	g_free(h);
	xref = a->len;
	h = g_strdup_printf("xref\n0 6\n0000000000 65535 f \n%010zu 00000 n \n%010zu 00000 n \n"
			    "%010zu 00000 n \n%010zu 00000 n \n%010zu 00000 n \n"
			    "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
			    off[1], off[2], off[3], off[4], off[5], xref);
	g_byte_array_append(a, (const guint8 *)h, (guint)strlen(h));
	g_free(h);
	return g_byte_array_free_to_bytes(a);
}

/* Deflate PREFIX then spaces up to TOTAL bytes. A full flush after each
 * 1 MiB of spaces makes every such block compress to the same bytes, so
 * one is made and repeated: gigabytes cost a few milliseconds. */
static GByteArray *deflate_bomb(const char *prefix, guint64 total)
{
	const size_t chunk = 1 << 20;
	unsigned char *spaces = g_malloc(chunk), *out = g_malloc(2 * chunk);
	GByteArray *a = g_byte_array_new(), *block = NULL;
	guint64 left = total - strlen(prefix), n = left / chunk;
	uLong adler = adler32(0L, (const Bytef *)prefix, (uInt)strlen(prefix));
	uLong cadler;
	z_stream z = { 0 };

	memset(spaces, ' ', chunk);
	cadler = adler32(0L, spaces, (uInt)chunk);
	g_assert(n >= 3 && deflateInit(&z, 9) == Z_OK);
	z.next_in = (Bytef *)prefix;
	z.avail_in = (uInt)strlen(prefix);
	for (guint64 i = 0; i <= n; i++) {
		int flush = i == n ? Z_FINISH : Z_FULL_FLUSH;

		if (i > 0) {
			z.next_in = spaces;
			z.avail_in = i == n ? 0 : (uInt)chunk;
		}
		if (i >= 3 && i < n) {
			/* The same block as the last one. */
			g_byte_array_append(a, block->data, block->len);
			adler = adler32_combine(adler, cadler, (z_off_t)chunk);
			continue;
		}
		z.next_out = out;
		z.avail_out = (uInt)(2 * chunk);
		g_assert(deflate(&z, flush) == (flush == Z_FINISH ? Z_STREAM_END : Z_OK));
		if (i == n) {
			/* The final block, then the checksum of all the spaces. */
			size_t k = (size_t)(z.next_out - out) - 4;

			g_byte_array_append(a, out, (guint)k);
			out[0] = (unsigned char)(adler >> 24);
			out[1] = (unsigned char)(adler >> 16);
			out[2] = (unsigned char)(adler >> 8);
			out[3] = (unsigned char)adler;
			g_byte_array_append(a, out, 4);
			break;
		}
		g_byte_array_append(a, out, (guint)(z.next_out - out));
		if (i > 0)
			adler = adler32_combine(adler, cadler, (z_off_t)chunk);
		if (i == 2) {
			g_assert(block && block->len == (guint)(z.next_out - out) &&
				 !memcmp(block->data, out, block->len));
		} else if (i == 1) {
			block = g_byte_array_new();
			g_byte_array_append(block, out, (guint)(z.next_out - out));
		}
	}
	deflateEnd(&z);
	g_byte_array_free(block, TRUE);
	g_free(spaces);
	g_free(out);
	return a;
}

GBytes *ps_make_bomb(guint64 inflated, const char *filter)
{
	GByteArray *a = g_byte_array_new(), *data;
	const char *cat = "<< /Type /Catalog /Pages 2 0 R >>";
	char *prefix = g_strdup_printf("1 0 %s", cat), *h;
	gsize off[7];
	unsigned char xref[7 * 7];

#define PUT(s) g_byte_array_append(a, (const guint8 *)(s), (guint)strlen(s))
	if (filter) {
		data = g_byte_array_new();
		g_byte_array_append(data, (const guint8 *)prefix, (guint)strlen(prefix));
	} else {
		data = deflate_bomb(prefix, inflated);
	}
	PUT("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n");
	off[2] = a->len;
	PUT("2 0 obj\n<< /Type /Pages /Kids [ 3 0 R ] /Count 1 >>\nendobj\n");
	off[3] = a->len;
	PUT("3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [ 0 0 612 792 ] >>\nendobj\n");
	off[5] = a->len;
	h = g_strdup_printf("5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter %s /Length %u >>\n"
			    "stream\n", filter ? filter : "/FlateDecode", data->len);
	PUT(h);
	g_free(h);
	g_byte_array_append(a, data->data, data->len);
	PUT("\nendstream\nendobj\n");
	off[6] = a->len;
	/* Entries of 1 + 4 + 2 bytes: type, offset or object stream, gen or index. */
	memset(xref, 0, sizeof(xref));
	for (int i = 0; i < 7; i++) {
		unsigned char *e = xref + 7 * i;
		guint32 v = i == 1 ? 5 : i == 2 || i == 3 || i == 5 || i == 6 ? (guint32)off[i] : 0;

		e[0] = i == 0 || i == 4 ? 0 : i == 1 ? 2 : 1;
		e[1] = (unsigned char)(v >> 24);
		e[2] = (unsigned char)(v >> 16);
		e[3] = (unsigned char)(v >> 8);
		e[4] = (unsigned char)v;
		if (i == 0)
			e[5] = e[6] = 0xff;
	}
	h = g_strdup_printf("6 0 obj\n<< /Type /XRef /Size 7 /W [ 1 4 2 ] /Root 1 0 R /Length %zu "
			    ">>\nstream\n", sizeof(xref));
	PUT(h);
	g_free(h);
	g_byte_array_append(a, xref, sizeof(xref));
	h = g_strdup_printf("\nendstream\nendobj\nstartxref\n%zu\n%%%%EOF\n", off[6]);
	PUT(h);
	g_free(h);
#undef PUT
	g_byte_array_free(data, TRUE);
	g_free(prefix);
	return g_byte_array_free_to_bytes(a);
}

GBytes *ps_make_xref_bomb(int entries)
{
	GString *s = g_string_new("%PDF-1.5\n");
	gsize o1, o2, x, raw_len = 5 * ((gsize)entries + 4);
	unsigned char *raw = g_malloc0(raw_len), *z;
	uLongf zlen = compressBound((uLong)raw_len);

	o1 = s->len;
	g_string_append(s, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
	o2 = s->len;
	g_string_append(s, "2 0 obj\n<< /Type /Pages /Kids [ ] /Count 0 >>\nendobj\n");
	x = s->len;
	/* W [1 4 0]: objects 0 (free), 1, 2, 3 (this stream), then ENTRIES
	 * more from 4 on, each "type 1 at the catalog". */
	for (gsize i = 1; i < (gsize)entries + 4; i++) {
		gsize off = i == 2 ? o2 : i == 3 ? x : o1;

		raw[5 * i] = 1;
		raw[5 * i + 1] = (unsigned char)(off >> 24);
		raw[5 * i + 2] = (unsigned char)(off >> 16);
		raw[5 * i + 3] = (unsigned char)(off >> 8);
		raw[5 * i + 4] = (unsigned char)off;
	}
	z = g_malloc(zlen);
	g_assert(compress2(z, &zlen, raw, (uLong)raw_len, 9) == Z_OK);
	g_string_append_printf(s, "3 0 obj\n<< /Type /XRef /Size %d /W [ 1 4 0 ] /Root 1 0 R "
			       "/Filter /FlateDecode /Length %lu >>\nstream\n", entries + 4,
			       (unsigned long)zlen);
	g_string_append_len(s, (const char *)z, (gssize)zlen);
	g_string_append_printf(s, "\nendstream\nendobj\nstartxref\n%zu\n%%%%EOF\n", x);
	g_free(raw);
	g_free(z);
	return g_string_free_to_bytes(s);
}

void ps_cleanup(void)
{
	/* cairo and fontconfig keep caches for the process' lifetime; drop
	 * them so that the leak checker sees only real leaks. */
	cairo_debug_reset_static_data();
	FcFini();
}
