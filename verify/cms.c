/*
 * cms.c - the cryptography of one PDF signature, with OpenSSL 3.
 *
 * In: the signature's /Contents (CMS SignedData, or an RFC 3161 token for
 * a document timestamp), the digest of its byte ranges (hash.c), the
 * certificates, CRLs and OCSP responses the document carries (CMS, the
 * adbe-revocationInfoArchival attribute, /DSS), the trust anchors.
 * Out: problem codes and the signer/time/trust fields of the signature.
 *
 * Checks: exactly one SignerInfo; detached (no eContent); contentType and
 * messageDigest signed attributes (or, without signed attributes, the
 * signature over the digest itself); the signature; the digest allowed
 * for the key (Ed25519: SHA-512, Ed448: SHAKE256); ESS signing-certificate
 * v1/v2 naming the signer; the RFC 3161 timestamp token over the
 * signature value with its own chain; the signer's chain to a trust
 * anchor at signing time (TSA time when the TSA is trusted, else the
 * claimed time); key usage; revocation where data is embedded.
 */
#include <string.h>
#include <time.h>
#include <glib.h>
#include <openssl/asn1t.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/ocsp.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "pv.h"
#include "tte.h"

DEFINE_STACK_OF(OCSP_RESPONSE)

/* adbe-revocationInfoArchival (1.2.840.113583.1.1.8), Adobe's signed
 * attribute carrying CRLs and OCSP responses. */
typedef struct {
	STACK_OF(X509_CRL) *crl;
	STACK_OF(OCSP_RESPONSE) *ocsp;
	STACK_OF(ASN1_TYPE) *other;
} PV_RIA;

ASN1_SEQUENCE(PV_RIA) = {
	ASN1_EXP_SEQUENCE_OF_OPT(PV_RIA, crl, X509_CRL, 0),
	ASN1_EXP_SEQUENCE_OF_OPT(PV_RIA, ocsp, OCSP_RESPONSE, 1),
	ASN1_EXP_SEQUENCE_OF_OPT(PV_RIA, other, ASN1_ANY, 2),
} static_ASN1_SEQUENCE_END(PV_RIA)

#define OID_RIA "1.2.840.113583.1.1.8"

char *pv_asn1_time_iso(const ASN1_TIME *t)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return NULL;
	return g_strdup_printf("%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
			       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static bool asn1_time_t(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return false;
	*out = timegm(&tm);
	return true;
}

static char *time_iso(time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	return g_strdup_printf("%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
			       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A PDF date "D:YYYYMMDDHHmmSSOHH'mm'" (parts from the month on are
 * optional) as a time_t. */
static bool pdf_date(const char *s, time_t *out)
{
	int f[6] = { 0, 1, 1, 0, 0, 0 };
	static const int width[6] = { 4, 2, 2, 2, 2, 2 };
	const char *p = s;
	struct tm tm = { 0 };
	long off = 0;

	if (!p)
		return false;
	if (p[0] == 'D' && p[1] == ':')
		p += 2;
	for (int i = 0; i < 6; i++) {
		int v = 0, k;

		for (k = 0; k < width[i] && g_ascii_isdigit(p[k]); k++)
			v = v * 10 + (p[k] - '0');
		if (k != width[i]) {
			if (i == 0)
				return false;
			break;
		}
		f[i] = v;
		p += k;
	}
	if (*p == '+' || *p == '-') {
		int h = 0, m = 0;

		if (g_ascii_isdigit(p[1]) && g_ascii_isdigit(p[2]))
			h = (p[1] - '0') * 10 + (p[2] - '0');
		if (p[3] == '\'' && g_ascii_isdigit(p[4]) && g_ascii_isdigit(p[5]))
			m = (p[4] - '0') * 10 + (p[5] - '0');
		off = (h * 60L + m) * 60L * (*p == '-' ? -1 : 1);
	}
	if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 60)
		return false;
	tm.tm_year = f[0] - 1900;
	tm.tm_mon = f[1] - 1;
	tm.tm_mday = f[2];
	tm.tm_hour = f[3];
	tm.tm_min = f[4];
	tm.tm_sec = f[5];
	*out = timegm(&tm) - off;
	return true;
}

/* ---- names ---------------------------------------------------------------------- */

static char *name_dn(const X509_NAME *n)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *s;
	long len;

	if (!b)
		return NULL;
	X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	len = BIO_get_mem_data(b, &data);
	s = g_utf8_make_valid(data, len);
	BIO_free(b);
	return s;
}

static char *name_cn(const X509_NAME *n)
{
	int i = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
	unsigned char *u = NULL;
	char *s;
	int len;

	if (i < 0)
		return name_dn(n);
	len = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)));
	if (len < 0)
		return name_dn(n);
	s = g_utf8_make_valid((const char *)u, len);
	OPENSSL_free(u);
	return s;
}

static char *serial_hex(const X509 *x)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *h = bn ? BN_bn2hex(bn) : NULL, *s = g_strdup(h ? h : "");

	OPENSSL_free(h);
	BN_free(bn);
	return s;
}

static char *key_usage_text(X509 *x)
{
	static const struct { unsigned bit; const char *name; } ku[] = {
		{ KU_DIGITAL_SIGNATURE, "digitalSignature" }, { KU_NON_REPUDIATION, "nonRepudiation" },
		{ KU_KEY_ENCIPHERMENT, "keyEncipherment" }, { KU_DATA_ENCIPHERMENT, "dataEncipherment" },
		{ KU_KEY_AGREEMENT, "keyAgreement" }, { KU_KEY_CERT_SIGN, "keyCertSign" },
		{ KU_CRL_SIGN, "cRLSign" },
	};
	uint32_t k = X509_get_key_usage(x);
	GString *s = g_string_new("");

	if (k == UINT32_MAX)
		return g_string_free(s, FALSE);
	for (size_t i = 0; i < ARRAY_SIZE(ku); i++) {
		if (k & ku[i].bit)
			g_string_append_printf(s, "%s%s", s->len ? ", " : "", ku[i].name);
	}
	return g_string_free(s, FALSE);
}

static void describe_signer(struct pv_signature *p, X509 *x)
{
	p->signer = name_cn(X509_get_subject_name(x));
	p->signer_dn = name_dn(X509_get_subject_name(x));
	p->issuer_dn = name_dn(X509_get_issuer_name(x));
	p->serial = serial_hex(x);
	p->not_before = pv_asn1_time_iso(X509_get0_notBefore(x));
	p->not_after = pv_asn1_time_iso(X509_get0_notAfter(x));
	p->key_usage = key_usage_text(x);
}

/* ---- digests -------------------------------------------------------------------- */

/* The digest a CMS names, fetched; NULL (with *CODE) when not allowed. */
static EVP_MD *digest_for(const X509_ALGOR *alg, const char **code, size_t *len)
{
	const ASN1_OBJECT *obj;
	int nid;
	EVP_MD *md;

	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	nid = OBJ_obj2nid(obj);
	switch (nid) {
	case NID_sha1:
		*code = "WEAK_DIGEST";
		break;
	case NID_sha224:
	case NID_sha256:
	case NID_sha384:
	case NID_sha512:
	case NID_sha3_256:
	case NID_sha3_384:
	case NID_sha3_512:
	case NID_shake256:
		break;
	case NID_md5:
	case NID_md2:
	case NID_md4:
		*code = "DIGEST_BROKEN";
		return NULL;
	default:
		*code = "DIGEST_UNSUPPORTED";
		return NULL;
	}
	md = EVP_MD_fetch(NULL, OBJ_nid2sn(nid), NULL);
	if (!md) {
		*code = "DIGEST_UNSUPPORTED";
		return NULL;
	}
	*len = nid == NID_shake256 ? 64 : (size_t)EVP_MD_get_size(md);
	return md;
}

static bool digest_buf(const EVP_MD *md, size_t mdlen, const unsigned char *data, size_t len,
		       unsigned char *out)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int n = 0;
	bool ok = c && EVP_DigestInit_ex(c, md, NULL) && EVP_DigestUpdate(c, data, len);

	if (ok)
		ok = EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF ? EVP_DigestFinalXOF(c, out, mdlen)
			: EVP_DigestFinal_ex(c, out, &n);
	EVP_MD_CTX_free(c);
	return ok;
}

/* ---- parsing, before the hash pass -------------------------------------------------- */

static bool subfilter_is(const struct pv_signature *p, const char *name)
{
	return p->subfilter && !strcmp(p->subfilter, name);
}

static TS_TST_INFO *tst_info(CMS_ContentInfo *cms)
{
	ASN1_OCTET_STRING **pc = CMS_get0_content(cms);
	const unsigned char *p;

	if (!pc || !*pc || OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_id_smime_ct_TSTInfo)
		return NULL;
	p = ASN1_STRING_get0_data(*pc);
	return d2i_TS_TST_INFO(NULL, &p, ASN1_STRING_length(*pc));
}

void pv_cms_parse(struct pv_work *w, struct pv_sigwork *s)
{
	struct pv_signature *p = s->pub;
	const unsigned char *d = s->contents, *q;
	STACK_OF(CMS_SignerInfo) *sis;
	X509_ALGOR *dig = NULL;
	const char *code = NULL;
	bool detached = subfilter_is(p, "adbe.pkcs7.detached") ||
			subfilter_is(p, "ETSI.CAdES.detached");

	if (!detached && !p->doc_timestamp) {
		pv_problem(w, s, "SUBFILTER_UNSUPPORTED", "/SubFilter /%s is not supported",
			   p->subfilter ? p->subfilter : "(none)");
		return;
	}
	if (!s->has_contents || !s->contents_len) {
		pv_problem(w, s, "CMS_MALFORMED", "no /Contents");
		return;
	}
	q = d;
	s->cms = d2i_CMS_ContentInfo(NULL, &q, (long)s->contents_len);
	if (!s->cms) {
		pv_problem(w, s, "CMS_MALFORMED", "/Contents is not a DER CMS ContentInfo");
		return;
	}
	for (size_t i = (size_t)(q - d); i < s->contents_len; i++) {
		if (d[i]) {
			pv_problem(w, s, "CMS_MALFORMED", "non-zero bytes after the CMS in /Contents");
			break;
		}
	}
	if (OBJ_obj2nid(CMS_get0_type(s->cms)) != NID_pkcs7_signed) {
		pv_problem(w, s, "CMS_MALFORMED", "the CMS is not SignedData");
		return;
	}
	sis = CMS_get0_SignerInfos(s->cms);
	if (sk_CMS_SignerInfo_num(sis) != 1) {
		pv_problem(w, s, "SIGNER_INFO_COUNT", "the CMS has %d SignerInfos, not exactly 1",
			   sk_CMS_SignerInfo_num(sis));
		return;
	}
	s->si = sk_CMS_SignerInfo_value(sis, 0);
	if (p->doc_timestamp) {
		/* The ranges are hashed with the token's imprint algorithm. */
		TS_TST_INFO *tst = tst_info(s->cms);

		if (!tst) {
			pv_problem(w, s, "CMS_MALFORMED", "the document timestamp holds no TSTInfo");
			return;
		}
		s->md = digest_for(TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(tst)), &code,
				   &s->md_len);
		TS_TST_INFO_free(tst);
	} else {
		ASN1_OCTET_STRING **pc = CMS_get0_content(s->cms);

		if (pc && *pc) {
			pv_problem(w, s, "ECONTENT_PRESENT", "/SubFilter /%s is detached but the CMS "
				   "carries the content", p->subfilter);
		}
		if (OBJ_obj2nid(CMS_get0_eContentType(s->cms)) != NID_pkcs7_data)
			pv_problem(w, s, "CONTENT_TYPE_MISMATCH", "eContentType is not id-data");
		CMS_SignerInfo_get0_algs(s->si, NULL, NULL, &dig, NULL);
		s->md = digest_for(dig, &code, &s->md_len);
	}
	if (code)
		pv_problem(w, s, code, "digest algorithm not accepted for the signed bytes");
	if (s->md)
		p->digest = g_strdup(OBJ_nid2sn(EVP_MD_get_type(s->md)));
}

/* ---- one SignerInfo ------------------------------------------------------------------ */

/* Every certificate the document offers (new stack, refs held). */
static STACK_OF(X509) *all_certs(struct pv_work *w, CMS_ContentInfo *cms, struct pv_sigwork *s)
{
	STACK_OF(X509) *c = CMS_get1_certs(cms);

	if (!c)
		c = sk_X509_new_null();
	for (int i = 0; i < sk_X509_num(w->dss_certs); i++) {
		X509 *x = sk_X509_value(w->dss_certs, i);

		X509_up_ref(x);
		sk_X509_push(c, x);
	}
	for (guint i = 0; s && i < s->certs_der->len; i++) {
		gsize n;
		const unsigned char *p = g_bytes_get_data(g_ptr_array_index(s->certs_der, i), &n);
		X509 *x = d2i_X509(NULL, &p, (long)n);

		if (x)
			sk_X509_push(c, x);
	}
	return c;
}

struct sd_result {
	X509 *signer;			/* ref held */
	const char *code;		/* first failure, or NULL */
	char *detail;
	bool has_time;
	time_t signing_time;
};

static void sd_fail(struct sd_result *r, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void sd_fail(struct sd_result *r, const char *code, const char *fmt, ...)
{
	va_list ap;

	if (r->code)
		return;
	r->code = code;
	va_start(ap, fmt);
	r->detail = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

/* Which digests a key type may be used with inside CMS (RFC 8419, 8032). */
static bool digest_allowed_for_key(EVP_PKEY *pk, const X509_ALGOR *dig)
{
	const ASN1_OBJECT *obj;
	int nid;

	X509_ALGOR_get0(&obj, NULL, NULL, dig);
	nid = OBJ_obj2nid(obj);
	if (EVP_PKEY_is_a(pk, "ED448"))
		return nid == NID_shake256;
	if (EVP_PKEY_is_a(pk, "ED25519"))
		return nid == NID_sha512;
	return true;
}

/* The signature over a digest, for a SignerInfo without signed
 * attributes. */
static bool verify_raw(X509 *signer, CMS_SignerInfo *si, const EVP_MD *md,
		       const unsigned char *dg, size_t dlen)
{
	EVP_PKEY *pk = X509_get0_pubkey(signer);
	ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
	EVP_PKEY_CTX *c;
	bool ok;

	if (!pk || !sig || EVP_PKEY_is_a(pk, "ED25519") || EVP_PKEY_is_a(pk, "ED448") ||
	    EVP_PKEY_is_a(pk, "RSA-PSS"))
		return false;
	c = EVP_PKEY_CTX_new(pk, NULL);
	ok = c && EVP_PKEY_verify_init(c) > 0 && EVP_PKEY_CTX_set_signature_md(c, md) > 0 &&
	     EVP_PKEY_verify(c, ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig), dg,
			     dlen) == 1;
	EVP_PKEY_CTX_free(c);
	return ok;
}

static void check_ess(CMS_SignerInfo *si, X509 *signer, STACK_OF(X509) *certs,
		      struct sd_result *r)
{
	ASN1_STRING *v1 = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_id_smime_aa_signingCertificate),
						      -3, V_ASN1_SEQUENCE);
	ASN1_STRING *v2 = CMS_signed_get0_data_by_OBJ(si,
						      OBJ_nid2obj(NID_id_smime_aa_signingCertificateV2),
						      -3, V_ASN1_SEQUENCE);
	ESS_SIGNING_CERT *ss = NULL;
	ESS_SIGNING_CERT_V2 *ss2 = NULL;
	STACK_OF(X509) *chain;
	const unsigned char *p;

	if (!v1 && !v2)
		return;
	if (v1) {
		p = ASN1_STRING_get0_data(v1);
		ss = d2i_ESS_SIGNING_CERT(NULL, &p, ASN1_STRING_length(v1));
	}
	if (v2) {
		p = ASN1_STRING_get0_data(v2);
		ss2 = d2i_ESS_SIGNING_CERT_V2(NULL, &p, ASN1_STRING_length(v2));
	}
	if ((v1 && !ss) || (v2 && !ss2)) {
		sd_fail(r, "ESS_CERT_MISMATCH", "the ESS signing-certificate attribute is malformed");
		goto out;
	}
	chain = sk_X509_new_null();
	sk_X509_push(chain, signer);
	for (int i = 0; i < sk_X509_num(certs); i++) {
		if (X509_cmp(sk_X509_value(certs, i), signer))
			sk_X509_push(chain, sk_X509_value(certs, i));
	}
	if (OSSL_ESS_check_signing_certs(ss, ss2, chain, 0) <= 0)
		sd_fail(r, "ESS_CERT_MISMATCH", "the ESS signing-certificate attribute does not "
			"name the signer's certificate");
	sk_X509_free(chain);
	ERR_clear_error();
out:
	ESS_SIGNING_CERT_free(ss);
	ESS_SIGNING_CERT_V2_free(ss2);
}

/*
 * Check the single SignerInfo SI of CMS over content whose digest (under
 * SI's own digest algorithm MD) is DG. CERTS: certificates to find the
 * signer among.
 */
static void check_signer(CMS_ContentInfo *cms, CMS_SignerInfo *si, const EVP_MD *md,
			 const unsigned char *dg, size_t dlen, STACK_OF(X509) *certs,
			 struct sd_result *r)
{
	X509_ALGOR *dalg = NULL;
	ASN1_OCTET_STRING *mdattr;
	ASN1_OBJECT *ct;
	ASN1_TIME *st;

	for (int i = 0; i < sk_X509_num(certs); i++) {
		if (!CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, i))) {
			r->signer = sk_X509_value(certs, i);
			X509_up_ref(r->signer);
			break;
		}
	}
	if (!r->signer) {
		sd_fail(r, "SIGNER_CERT_MISSING", "the signer's certificate is not in the document");
		return;
	}
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dalg, NULL);
	if (!digest_allowed_for_key(X509_get0_pubkey(r->signer), dalg)) {
		sd_fail(r, "DIGEST_NOT_ALLOWED", "this digest algorithm is not allowed with the "
			"signer's key type");
		return;
	}
	if (CMS_signed_get_attr_count(si) < 0) {
		if (!verify_raw(r->signer, si, md, dg, dlen))
			sd_fail(r, "SIGNATURE_INVALID", "the signature does not verify (no signed "
				"attributes)");
		return;
	}
	ct = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT);
	if (!ct || OBJ_cmp(ct, CMS_get0_eContentType(cms)))
		sd_fail(r, "CONTENT_TYPE_MISMATCH", "the contentType attribute is missing or wrong");
	mdattr = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
					     V_ASN1_OCTET_STRING);
	if (!mdattr || (size_t)ASN1_STRING_length(mdattr) != dlen ||
	    memcmp(ASN1_STRING_get0_data(mdattr), dg, dlen))
		sd_fail(r, "DIGEST_MISMATCH", "messageDigest differs from the digest of the signed "
			"data");
	CMS_SignerInfo_set1_signer_cert(si, r->signer);
	if (CMS_SignerInfo_verify(si) != 1)
		sd_fail(r, "SIGNATURE_INVALID", "the signature over the signed attributes does not "
			"verify");
	ERR_clear_error();
	check_ess(si, r->signer, certs, r);
	st = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_signingTime), -3, V_ASN1_UTCTIME);
	if (!st)
		st = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_signingTime), -3,
						 V_ASN1_GENERALIZEDTIME);
	if (st && asn1_time_t(st, &r->signing_time))
		r->has_time = true;
}

/* ---- chains ------------------------------------------------------------------- */

enum chain_err {
	CE_UNTRUSTED = 1 << 0,
	CE_EXPIRED = 1 << 1,
	CE_NOT_YET = 1 << 2,
	CE_PURPOSE = 1 << 3,
	CE_OTHER = 1 << 4,
};

struct chain_state {
	unsigned errs;
	int other;		/* first other X509_V_ERR */
};

static int chain_ex_idx = -1;

static int chain_cb(int ok, X509_STORE_CTX *ctx)
{
	struct chain_state *cs = X509_STORE_CTX_get_ex_data(ctx, chain_ex_idx);
	int e = X509_STORE_CTX_get_error(ctx);

	if (ok || !cs)
		return ok;
	switch (e) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_CERT_UNTRUSTED:
		cs->errs |= CE_UNTRUSTED;
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		cs->errs |= CE_EXPIRED;
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		cs->errs |= CE_NOT_YET;
		break;
	case X509_V_ERR_INVALID_PURPOSE:
		cs->errs |= CE_PURPOSE;
		break;
	default:
		cs->errs |= CE_OTHER;
		if (!cs->other)
			cs->other = e;
		break;
	}
	return 1;	/* go on: report every error, not the first */
}

/*
 * Validate LEAF at time T with the document's certificates as
 * intermediates. TSA: require the timeStamping purpose. Returns the error
 * bits (0: a trusted, valid chain); *CHAIN gets the built chain when not
 * NULL (caller frees with OSSL_STACK_OF_X509_free).
 */
static unsigned chain_check(struct pv_work *w, X509 *leaf, STACK_OF(X509) *untrusted, time_t t,
			    bool tsa, STACK_OF(X509) **chain, int *other)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	struct chain_state cs = { 0 };
	X509_VERIFY_PARAM *vp;

	if (chain)
		*chain = NULL;
	if (chain_ex_idx < 0)
		chain_ex_idx = X509_STORE_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if (!st || !ctx)
		goto fail;
	for (int i = 0; i < sk_X509_num(w->vc->anchors); i++)
		X509_STORE_add_cert(st, sk_X509_value(w->vc->anchors, i));
	X509_STORE_set_verify_cb(st, chain_cb);
	if (!X509_STORE_CTX_init(ctx, st, leaf, untrusted))
		goto fail;
	X509_STORE_CTX_set_ex_data(ctx, chain_ex_idx, &cs);
	vp = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(vp, t);
	X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_PARTIAL_CHAIN);
	if (tsa)
		X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_TIMESTAMP_SIGN);
	if (X509_verify_cert(ctx) <= 0 && !cs.errs)
		cs.errs |= CE_UNTRUSTED;
	if (!sk_X509_num(w->vc->anchors))
		cs.errs |= CE_UNTRUSTED;
	if (chain)
		*chain = X509_STORE_CTX_get1_chain(ctx);
	goto out;
fail:
	cs.errs |= CE_OTHER;
out:
	if (other)
		*other = cs.other;
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	ERR_clear_error();
	return cs.errs;
}

static void chain_problems(struct pv_work *w, struct pv_sigwork *s, unsigned errs, int other,
			   const char *who, const char *at)
{
	if (errs & CE_UNTRUSTED)
		pv_problem(w, s, "CHAIN_UNTRUSTED", "%s: no chain to a trust anchor", who);
	if (errs & CE_EXPIRED)
		pv_problem(w, s, "CERT_EXPIRED", "%s: a certificate had expired at %s", who, at);
	if (errs & CE_NOT_YET)
		pv_problem(w, s, "CERT_NOT_YET_VALID", "%s: a certificate was not yet valid at %s",
			   who, at);
	if (errs & CE_PURPOSE)
		pv_problem(w, s, "KEY_USAGE", "%s: certificate purpose not allowed", who);
	if (errs & CE_OTHER)
		pv_problem(w, s, "CHAIN_INVALID", "%s: %s", who,
			   other ? X509_verify_cert_error_string(other) : "chain not verifiable");
}

/* ---- revocation ------------------------------------------------------------------ */

static X509 *find_issuer(X509 *x, STACK_OF(X509) *pool, STACK_OF(X509) *anchors)
{
	for (int k = 0; k < 2; k++) {
		STACK_OF(X509) *sk = k ? anchors : pool;

		for (int i = 0; i < sk_X509_num(sk); i++) {
			X509 *c = sk_X509_value(sk, i);

			if (X509_check_issued(c, x) == X509_V_OK)
				return c;
		}
	}
	return NULL;
}

struct revinfo {
	STACK_OF(X509_CRL) *crls;	/* borrowed entries */
	GPtrArray *ocsps;		/* OCSP_RESPONSE *, owned */
};

/* 1 revoked at or before T, 0 good, -1 no usable data. */
static int check_crls(struct revinfo *ri, X509 *leaf, X509 *issuer, time_t t)
{
	int verdict = -1;

	for (int i = 0; i < sk_X509_CRL_num(ri->crls); i++) {
		X509_CRL *crl = sk_X509_CRL_value(ri->crls, i);
		X509_REVOKED *rev = NULL;
		time_t rt;

		if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_issuer_name(leaf)) ||
		    X509_CRL_verify(crl, X509_get0_pubkey(issuer)) != 1)
			continue;
		if (X509_CRL_get0_by_cert(crl, &rev, leaf) == 1 && rev &&
		    asn1_time_t(X509_REVOKED_get0_revocationDate(rev), &rt) && rt <= t)
			return 1;
		verdict = 0;
	}
	ERR_clear_error();
	return verdict;
}

static int check_ocsps(struct revinfo *ri, X509 *leaf, X509 *issuer, STACK_OF(X509) *pool,
		       time_t t)
{
	int verdict = -1;

	for (guint i = 0; i < ri->ocsps->len; i++) {
		OCSP_RESPONSE *resp = g_ptr_array_index(ri->ocsps, i);
		OCSP_BASICRESP *bs;
		OCSP_CERTID *id;
		X509 *responder = NULL;
		int status = -1, reason;
		ASN1_GENERALIZEDTIME *revtime = NULL, *thisupd, *nextupd;
		time_t rt;

		if (OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL)
			continue;
		bs = OCSP_response_get1_basic(resp);
		if (!bs)
			continue;
		/* Signature only here; who may answer is checked below. */
		if (OCSP_basic_verify(bs, pool, NULL, OCSP_NOVERIFY) <= 0 ||
		    !OCSP_resp_get0_signer(bs, &responder, pool) || !responder ||
		    !(X509_cmp(responder, issuer) == 0 ||
		      (X509_check_issued(issuer, responder) == X509_V_OK &&
		       (X509_get_extended_key_usage(responder) & XKU_OCSP_SIGN)))) {
			OCSP_BASICRESP_free(bs);
			continue;
		}
		id = OCSP_cert_to_id(NULL, leaf, issuer);
		if (id && OCSP_resp_find_status(bs, id, &status, &reason, &revtime, &thisupd,
						&nextupd)) {
			if (status == V_OCSP_CERTSTATUS_REVOKED && asn1_time_t(revtime, &rt) &&
			    rt <= t) {
				OCSP_CERTID_free(id);
				OCSP_BASICRESP_free(bs);
				return 1;
			}
			if (status == V_OCSP_CERTSTATUS_GOOD)
				verdict = 0;
		}
		OCSP_CERTID_free(id);
		OCSP_BASICRESP_free(bs);
	}
	ERR_clear_error();
	return verdict;
}

static void gather_revinfo(struct pv_work *w, CMS_ContentInfo *cms, CMS_SignerInfo *si,
			   struct revinfo *ri, STACK_OF(X509_CRL) **owned)
{
	ASN1_OBJECT *oid = OBJ_txt2obj(OID_RIA, 1);
	ASN1_STRING *a = oid ? CMS_signed_get0_data_by_OBJ(si, oid, -3, V_ASN1_SEQUENCE) : NULL;

	*owned = CMS_get1_crls(cms);
	if (!*owned)
		*owned = sk_X509_CRL_new_null();
	ri->crls = sk_X509_CRL_dup(*owned);
	for (int i = 0; i < sk_X509_CRL_num(w->dss_crls); i++)
		sk_X509_CRL_push(ri->crls, sk_X509_CRL_value(w->dss_crls, i));
	ri->ocsps = g_ptr_array_new_with_free_func((GDestroyNotify)OCSP_RESPONSE_free);
	if (a) {
		const unsigned char *p = ASN1_STRING_get0_data(a);
		PV_RIA *ria = (PV_RIA *)ASN1_item_d2i(NULL, &p, ASN1_STRING_length(a),
						      ASN1_ITEM_rptr(PV_RIA));

		if (ria) {
			for (int i = 0; i < sk_X509_CRL_num(ria->crl); i++) {
				X509_CRL *c = sk_X509_CRL_value(ria->crl, i);

				X509_CRL_up_ref(c);
				sk_X509_CRL_push(*owned, c);
				sk_X509_CRL_push(ri->crls, c);
			}
			for (int i = 0; i < sk_OCSP_RESPONSE_num(ria->ocsp); i++) {
				OCSP_RESPONSE *o = sk_OCSP_RESPONSE_value(ria->ocsp, i);
				unsigned char *der = NULL;
				int n = i2d_OCSP_RESPONSE(o, &der);
				const unsigned char *dp = der;

				if (n > 0) {
					OCSP_RESPONSE *copy = d2i_OCSP_RESPONSE(NULL, &dp, n);

					if (copy)
						g_ptr_array_add(ri->ocsps, copy);
				}
				OPENSSL_free(der);
			}
			ASN1_item_free((ASN1_VALUE *)ria, ASN1_ITEM_rptr(PV_RIA));
		}
	}
	for (guint i = 0; i < w->dss_ocsps->len; i++) {
		gsize n;
		const unsigned char *p = g_bytes_get_data(g_ptr_array_index(w->dss_ocsps, i), &n);
		OCSP_RESPONSE *o = d2i_OCSP_RESPONSE(NULL, &p, (long)n);

		if (o)
			g_ptr_array_add(ri->ocsps, o);
	}
	ASN1_OBJECT_free(oid);
	ERR_clear_error();
}

static void check_revocation(struct pv_work *w, struct pv_sigwork *s, X509 *leaf,
			     STACK_OF(X509) *pool, time_t t)
{
	struct revinfo ri;
	STACK_OF(X509_CRL) *owned = NULL;
	X509 *issuer = find_issuer(leaf, pool, w->vc->anchors);
	int c = -1, o = -1;

	gather_revinfo(w, s->cms, s->si, &ri, &owned);
	if (issuer) {
		c = check_crls(&ri, leaf, issuer, t);
		o = check_ocsps(&ri, leaf, issuer, pool, t);
	}
	if (c == 1 || o == 1) {
		s->pub->revocation = "revoked";
		s->pub->revocation_source = g_strdup(c == 1 ? "CRL" : "OCSP");
		pv_problem(w, s, "CERT_REVOKED", "the signer's certificate was revoked before the "
			   "signing time");
	} else if (c == 0 || o == 0) {
		s->pub->revocation = "good";
		s->pub->revocation_source = g_strdup(o == 0 ? "OCSP" : "CRL");
	}
	sk_X509_CRL_free(ri.crls);
	sk_X509_CRL_pop_free(owned, X509_CRL_free);
	g_ptr_array_free(ri.ocsps, TRUE);
}

/* ---- timestamps ---------------------------------------------------------------- */

struct tst_result {
	bool present, valid, trusted;
	time_t gen;
	char *tsa;
	char *detail;
};

/*
 * Verify the RFC 3161 token TCMS: its single signer over the TSTInfo, the
 * imprint against IMPRINTED (hashed with the token's imprint algorithm,
 * or compared directly when PREHASHED), and the TSA's chain at genTime.
 */
static void check_token(struct pv_work *w, CMS_ContentInfo *tcms, const unsigned char *imprinted,
			size_t ilen, bool prehashed, struct tst_result *tr)
{
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(tcms);
	TS_TST_INFO *tst = tst_info(tcms);
	struct sd_result sd = { 0 };
	STACK_OF(X509) *certs = NULL;
	CMS_SignerInfo *si;
	TS_MSG_IMPRINT *mi;
	ASN1_OCTET_STRING *msg, **pc;
	X509_ALGOR *dalg = NULL;
	EVP_MD *md = NULL, *imd = NULL;
	const char *code = NULL;
	unsigned char dg[64];
	size_t dlen = 0, ilen2 = 0;
	unsigned errs;

	tr->present = true;
	if (!tst || OBJ_obj2nid(CMS_get0_type(tcms)) != NID_pkcs7_signed ||
	    sk_CMS_SignerInfo_num(sis) != 1) {
		tr->detail = g_strdup("the timestamp token is malformed");
		goto out;
	}
	si = sk_CMS_SignerInfo_value(sis, 0);
	mi = TS_TST_INFO_get_msg_imprint(tst);
	msg = TS_MSG_IMPRINT_get_msg(mi);
	if (prehashed) {
		if ((size_t)ASN1_STRING_length(msg) != ilen ||
		    memcmp(ASN1_STRING_get0_data(msg), imprinted, ilen)) {
			tr->detail = g_strdup("the timestamp's imprint is not the digest of the "
					      "signed bytes");
			goto out;
		}
	} else {
		imd = digest_for(TS_MSG_IMPRINT_get_algo(mi), &code, &ilen2);
		if (!imd || !digest_buf(imd, ilen2, imprinted, ilen, dg) ||
		    (size_t)ASN1_STRING_length(msg) != ilen2 ||
		    memcmp(ASN1_STRING_get0_data(msg), dg, ilen2)) {
			tr->detail = g_strdup("the timestamp's imprint is not the digest of the "
					      "signature value");
			goto out;
		}
	}
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dalg, NULL);
	code = NULL;
	md = digest_for(dalg, &code, &dlen);
	pc = CMS_get0_content(tcms);
	if (!md || !pc || !*pc ||
	    !digest_buf(md, dlen, ASN1_STRING_get0_data(*pc), (size_t)ASN1_STRING_length(*pc), dg)) {
		tr->detail = g_strdup("the timestamp token's digest algorithm is not accepted");
		goto out;
	}
	certs = all_certs(w, tcms, NULL);
	check_signer(tcms, si, md, dg, dlen, certs, &sd);
	if (sd.code) {
		tr->detail = g_strdup_printf("timestamp token: %s", sd.detail);
		goto out;
	}
	if (!asn1_time_t(TS_TST_INFO_get_time(tst), &tr->gen)) {
		tr->detail = g_strdup("the timestamp has no readable genTime");
		goto out;
	}
	tr->valid = true;
	tr->tsa = name_cn(X509_get_subject_name(sd.signer));
	errs = chain_check(w, sd.signer, certs, tr->gen, true, NULL, NULL);
	tr->trusted = errs == 0;
	if (!tr->trusted)
		tr->detail = g_strdup("the timestamp authority is not trusted at its own time");
out:
	if (sd.signer)
		X509_free(sd.signer);
	g_free(sd.detail);
	sk_X509_pop_free_all(certs);
	TS_TST_INFO_free(tst);
	EVP_MD_free(md);
	EVP_MD_free(imd);
	ERR_clear_error();
}

static void signature_token(struct pv_work *w, struct pv_sigwork *s, struct tst_result *tr)
{
	ASN1_STRING *a = CMS_unsigned_get0_data_by_OBJ(s->si,
						       OBJ_nid2obj(NID_id_smime_aa_timeStampToken), -3,
						       V_ASN1_SEQUENCE);
	ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(s->si);
	const unsigned char *p;
	CMS_ContentInfo *tcms;

	if (!a)
		return;
	p = ASN1_STRING_get0_data(a);
	tcms = d2i_CMS_ContentInfo(NULL, &p, ASN1_STRING_length(a));
	if (!tcms) {
		tr->present = true;
		tr->detail = g_strdup("the timestamp token is not a CMS ContentInfo");
		return;
	}
	check_token(w, tcms, ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig), false, tr);
	CMS_ContentInfo_free(tcms);
}

/* ---- the whole check ---------------------------------------------------------------- */

static void verify_doc_timestamp(struct pv_work *w, struct pv_sigwork *s)
{
	struct pv_signature *p = s->pub;
	struct tst_result tr = { 0 };
	STACK_OF(X509) *certs = all_certs(w, s->cms, s);
	X509 *tsa = NULL;

	check_token(w, s->cms, s->digest, s->md_len, true, &tr);
	if (!tr.valid) {
		const char *code = tr.detail && strstr(tr.detail, "imprint") ? "DIGEST_MISMATCH"
			: "SIGNATURE_INVALID";

		pv_problem(w, s, code, "%s", tr.detail ? tr.detail : "invalid document timestamp");
		goto out;
	}
	p->integrity = true;
	p->signing_time = time_iso(tr.gen);
	p->time_source = "tsa";
	p->tsa = g_strdup(tr.tsa);
	p->tsa_time = time_iso(tr.gen);
	p->tsa_trusted = tr.trusted;
	p->trusted = tr.trusted;
	p->format = g_strdup("RFC 3161 document timestamp");
	for (int i = 0; i < sk_X509_num(certs); i++) {
		if (!CMS_SignerInfo_cert_cmp(s->si, sk_X509_value(certs, i))) {
			tsa = sk_X509_value(certs, i);
			break;
		}
	}
	if (tsa) {
		unsigned errs;
		int other = 0;

		describe_signer(p, tsa);
		errs = chain_check(w, tsa, certs, tr.gen, true, NULL, &other);
		chain_problems(w, s, errs, other, "timestamp authority", p->signing_time);
	}
out:
	g_free(tr.tsa);
	g_free(tr.detail);
	sk_X509_pop_free_all(certs);
}

void pv_cms_verify(struct pv_work *w, struct pv_sigwork *s)
{
	struct pv_signature *p = s->pub;
	struct sd_result sd = { 0 };
	struct tst_result tr = { 0 };
	STACK_OF(X509) *certs = NULL;
	time_t t, claimed = 0;
	bool has_claim = false;
	unsigned errs;
	int other = 0;
	uint32_t ku;

	if (!s->cms || !s->si || !s->md || !s->digest_done)
		return;
	if (p->doc_timestamp) {
		verify_doc_timestamp(w, s);
		return;
	}
	certs = all_certs(w, s->cms, s);
	check_signer(s->cms, s->si, s->md, s->digest, s->md_len, certs, &sd);
	if (sd.signer)
		describe_signer(p, sd.signer);
	if (sd.code) {
		pv_problem(w, s, sd.code, "%s", sd.detail);
		goto out;
	}
	p->integrity = true;

	/* Time: the TSA's when it is trusted, else what the signer claims. */
	if (sd.has_time) {
		claimed = sd.signing_time;
		has_claim = true;
		p->time_source = "cms";
	} else if (pdf_date(s->m, &claimed)) {
		has_claim = true;
		p->time_source = "pdf";
	}
	if (has_claim)
		p->claimed_time = time_iso(claimed);
	signature_token(w, s, &tr);
	if (tr.present && !tr.valid)
		pv_problem(w, s, "TIMESTAMP_INVALID", "%s", tr.detail);
	if (tr.valid) {
		p->tsa = g_strdup(tr.tsa);
		p->tsa_time = time_iso(tr.gen);
		p->tsa_trusted = tr.trusted;
		if (!tr.trusted)
			pv_problem(w, s, "TIMESTAMP_UNTRUSTED", "%s", tr.detail);
	}
	if (tr.valid && tr.trusted) {
		t = tr.gen;
		p->time_source = "tsa";
	} else if (has_claim) {
		t = claimed;
	} else {
		t = w->vc->now ? w->vc->now : time(NULL);
		p->time_source = "none";
		pv_note(w, s, "no signing time: the chain was checked at the current time");
	}
	p->signing_time = time_iso(t);

	errs = chain_check(w, sd.signer, certs, t, false, NULL, &other);
	chain_problems(w, s, errs, other, "signer", p->signing_time);
	p->trusted = !(errs & (CE_UNTRUSTED | CE_OTHER));
	ku = X509_get_key_usage(sd.signer);
	if (ku != UINT32_MAX && !(ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
		pv_problem(w, s, "KEY_USAGE", "the signer's key usage allows neither "
			   "digitalSignature nor nonRepudiation");
	check_revocation(w, s, sd.signer, certs, t);

	if (tr.valid)
		p->format = g_strdup(sk_X509_CRL_num(w->dss_crls) || w->dss_ocsps->len ||
				     strcmp(p->revocation, "not checked") ? "PAdES-BASELINE-LT"
				     : "PAdES-BASELINE-T");
	else
		p->format = g_strdup("PAdES-BASELINE-B");
out:
	if (sd.signer)
		X509_free(sd.signer);
	g_free(sd.detail);
	g_free(tr.tsa);
	g_free(tr.detail);
	sk_X509_pop_free_all(certs);
	ERR_clear_error();
}
