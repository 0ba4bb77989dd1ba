/*
 * pdfsign.h - test support: a PKI shaped like BSrE's and a small PDF
 * signer, built on OpenSSL, qpdf and cairo, so that tests (and the
 * benchmark's generator) make their own signed PDFs and tamper with them.
 *
 * Not for production: keys live in memory, errors abort (g_error).
 * Everything returned is newly allocated; free GBytes with g_bytes_unref.
 */
#ifndef TTE_PDFSIGN_H
#define TTE_PDFSIGN_H

#include <stdbool.h>
#include <time.h>
#include <glib.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* A root CA, an intermediate ("BSRE CA DS G1"-like), a signer
 * (description=<id>_Tanda Tangan Elektronik, CN, O, C=ID; digitalSignature
 * + nonRepudiation) and a TSA under the root; plus the variants the
 * tamper tests need and a second, untrusted root with its own signer. */
struct ps_pki {
	EVP_PKEY *root_key, *ca_key, *signer_key, *tsa_key, *rogue_key;
	X509 *root, *ca, *signer, *tsa;
	X509 *expired;		/* the signer's key, expired yesterday */
	X509 *bad_ku;		/* the signer's key, keyEncipherment only */
	X509 *rogue_root, *rogue_signer;	/* not trusted */
};

/* SIGNER_CN is the signer's CN (e.g. the recommender's name). */
struct ps_pki *ps_pki_new(const char *signer_cn);
void ps_pki_free(struct ps_pki *p);

/* Write the trust anchors (root and intermediate, PEM) to PATH. */
void ps_pki_write_trust(const struct ps_pki *p, const char *path);

struct ps_obj;

struct ps_sign_opts {
	EVP_PKEY *key;
	X509 *cert;
	X509 *ca;		/* intermediate to embed, or NULL */
	EVP_PKEY *tsa_key;	/* NULL: no timestamp */
	X509 *tsa_cert;
	time_t tsa_time;	/* 0: now */
	const char *field;	/* field name; NULL: "sig_<n>" */
	const char *reason;	/* NULL: empty */
	size_t reserve;		/* bytes reserved for the CMS; 0: 16384 */
	bool cades;		/* ETSI.CAdES.detached with ESS v2 */
	bool two_signers;	/* a second SignerInfo (tamper test) */
	int docmdp;		/* certify with this /P (1..3), 0: approval */
	long long extra_d;	/* added to the written /ByteRange's last number */
	X509_CRL *crl;		/* embedded in the CMS, or NULL */
	X509 *ess_cert;		/* ESS signing-certificate-v2 naming this one
				 * instead of the signer (tamper test) */
	const struct ps_obj *also;	/* further objects the signing update */
	int n_also;			/* rewrites, as some signers do */
};

/* A CRL from the intermediate, revoking the signer (serial 100) as of
 * yesterday when REVOKE, else empty. */
X509_CRL *ps_make_crl(const struct ps_pki *p, bool revoke);

/* Sign the PDF BASE by an incremental update: a new signature field on
 * page 1 (widget /Rect [0 0 0 0]), detached CMS, SHA-256. */
GBytes *ps_sign(GBytes *base, const struct ps_sign_opts *o);

/* One object of an incremental update: NUM's new body ("<< ... >>", or
 * a dictionary followed by "stream\n...\nendstream"), as bytes. */
struct ps_obj {
	int num;
	GBytes *body;
};

/* Append an incremental update redefining or adding OBJS. */
GBytes *ps_update(GBytes *base, const struct ps_obj *objs, int n);

/* Facts about a PDF (through qpdf). */
struct ps_info {
	int size;		/* /Size */
	int root;		/* catalog object */
	int page;		/* first page object */
	int contents;		/* first page's /Contents stream (0 if an array) */
	int font;		/* an indirect font of the first page, 0 none */
	char *page_text;	/* the first page dictionary as written by qpdf */
};
void ps_info_get(GBytes *pdf, struct ps_info *info);
void ps_info_release(struct ps_info *info);

/* The object NUM's body as qpdf unparses it (dictionaries only). */
char *ps_object_text(GBytes *pdf, int num);

/* Stream object NUM put back decoded (no /Filter), keys reversed: the same
 * value, other bytes. */
GBytes *ps_stream_recoded(GBytes *pdf, int num);

/* The same with the dictionary's keys in reverse order, the way another
 * writer may put an unchanged object back. */
char *ps_object_text_reversed(GBytes *pdf, int num);

/* An A4 letter-like PDF drawn with cairo, LINES of text. */
GBytes *ps_make_letter(const char *const *lines);

/* A minimal hand-written one-page PDF with content TEXT; with HIDDEN an
 * extra content stream (object 6) that nothing refers to. The page is
 * object 3, its content object 5. */
GBytes *ps_make_minimal(const char *text, const char *hidden);

/* A one-page PDF of about BYTES bytes (an uncompressed noise image). */
GBytes *ps_make_big(size_t bytes);

/* A one-page PDF 1.5 whose catalog lives in an object stream that
 * inflates to INFLATED bytes (FlateDecode; the file is about a thousandth
 * of that), found through a cross-reference stream. With FILTER (e.g.
 * "/LZWDecode") the object stream names that filter instead and is stored
 * as is, INFLATED ignored. */
GBytes *ps_make_bomb(guint64 inflated, const char *filter);

/* An empty PDF 1.5 whose cross-reference stream (FlateDecode, a few KB)
 * lists ENTRIES objects, all at the catalog's offset. */
GBytes *ps_make_xref_bomb(int entries);

/* Release cairo's and fontconfig's caches (at the end of a test program). */
void ps_cleanup(void);

/* Offset of the first occurrence of NEEDLE in PDF at or after FROM; -1. */
long long ps_find(GBytes *pdf, const char *needle, size_t from);

/* A copy of PDF with byte AT xor'ed with 1 / cut to LEN bytes. */
GBytes *ps_flip(GBytes *pdf, size_t at);
GBytes *ps_truncate(GBytes *pdf, size_t len);

#endif
