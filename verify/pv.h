/*
 * pv.h - private to the verify/ modules: the work state of one verification and
 * the functions the modules share. The public API is include/pdfverify.h.
 *
 * One file is verified in this order (pdfverify.c):
 *   scan.c     revisions (startxref / %%EOF), the filters of the streams
 *              qpdf decodes unasked, and the byte-level checks
 *   limits.c   from here on, every byte qpdf inflates is counted and capped
 *   objects.c  qpdf: the signature fields, their dictionaries, the DSS
 *   cms.c      parse each CMS (to learn its digest algorithm)
 *   hash.c     one pass over the file hashes every signed range
 *   cms.c      signatures, timestamps, chains, revocation
 *   diff.c     each signed revision against the final document
 *   json.c     JSON and the Indonesian summary
 */
#ifndef TTE_PV_H
#define TTE_PV_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <qpdf/qpdf-c.h>

#include "pdfverify.h"

/* A revision: the bytes up to a "startxref N %%EOF". */
struct pv_rev {
	size_t eof;		/* offset just after "%%EOF" */
	size_t end;		/* after the end-of-line that follows, if any */
	long long startxref;
};

/* FieldMDP lock actions. */
enum pv_lock { PV_LOCK_NONE, PV_LOCK_ALL, PV_LOCK_INCLUDE, PV_LOCK_EXCLUDE };

struct pv_sigwork {
	struct pv_signature *pub;
	int field_obj, field_gen;
	int sig_obj, sig_gen;		/* 0 when /V is a direct dictionary */
	bool unreadable;		/* /V is there but qpdf cannot read it */
	/* From the signature dictionary (final document). */
	long long br[4];
	int nbr;			/* integers in /ByteRange (-1: not an array of ints) */
	unsigned char *contents;	/* /Contents bytes */
	size_t contents_len;
	bool has_contents;
	char *m;			/* /M as written */
	int docmdp_p;			/* /Reference DocMDP /P in this dict, else 0 */
	enum pv_lock lock;		/* FieldMDP from /Reference or the field's /Lock */
	GPtrArray *lock_fields;		/* char * */
	GPtrArray *certs_der;		/* /Cert (adbe.x509.rsa_sha1) */
	/* Byte level. */
	bool ranges_ok;			/* ByteRange sane, gap = /Contents */
	size_t signed_end;		/* end of the second range */
	int rev;			/* index into work->revs, -1 none */
	/* Cryptography. */
	CMS_ContentInfo *cms;
	CMS_SignerInfo *si;
	EVP_MD *md;			/* digest of the signed ranges */
	size_t md_len;			/* output length (XOF: 64) */
	unsigned char digest[64];
	bool digest_done;
};

struct pv_work {
	struct pdfverify_ctx *vc;
	const unsigned char *buf;
	size_t len;
	int fd;				/* the file BUF maps, or -1 (hash.c reads it) */
	struct pdfverify_result *r;
	GArray *revs;			/* struct pv_rev, in file order */
	int first_rev;			/* the oldest revision (index into revs), -1 */
	GPtrArray *sigs;		/* struct pv_sigwork *, in file order of their ranges */
	qpdf_data final;		/* the whole document, NULL if unparsable */
	int docmdp_p;			/* the certification's /P, 0 none */
	int docmdp_sig;			/* index of the certification signature, -1 */
	bool limited;			/* stopped at an inflate cap or filter */
	/* Validation data found in /DSS. */
	STACK_OF(X509) *dss_certs;
	STACK_OF(X509_CRL) *dss_crls;
	GPtrArray *dss_ocsps;		/* GBytes * of DER OCSPResponse */
};

struct pdfverify_ctx {
	STACK_OF(X509) *anchors;
	time_t now;
	unsigned long long max_stream, max_file;	/* inflate caps (limits.c) */
	/* Kept from file to file: mapping and unmapping, or mallocing and
	 * freeing large blocks, costs TLB shootdowns that a batch of small
	 * files notices. */
	unsigned char *read_buf;	/* small files are read whole into it */
	size_t read_cap;
	unsigned char *chunk;		/* hash.c's read buffer (PV_CHUNK bytes) */
};

#define PV_CHUNK (256 * 1024)
#define PV_MAX_XREF_ENTRIES (1 << 20)	/* objects listed by cross-reference streams */
#define PV_READ_MAX (8 * 1024 * 1024)	/* larger files are mapped */

/* Free a stack of certificates and the certificates (NULL is fine). */
static inline void sk_X509_pop_free_all(STACK_OF(X509) *sk)
{
	sk_X509_pop_free(sk, X509_free);
}

/* Problem codes and their weight (pdfverify.c). */
enum pv_weight { PV_W_NOTE, PV_W_INDETERMINATE, PV_W_INVALID };
enum pv_weight pv_problem_weight(const char *code);

/* Add a problem code to S (or to the document when S is NULL); duplicates
 * are dropped. A printf-style detail (may be NULL) goes to the notes. */
void pv_problem(struct pv_work *w, struct pv_sigwork *s, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void pv_note(struct pv_work *w, struct pv_sigwork *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- limits.c ---- */

/* Which inflate cap was reached, if any. */
enum pv_limit { PV_LIMIT_NONE, PV_LIMIT_STREAM, PV_LIMIT_FILE };

/* Start charging every inflate of this process to a new budget:
 * MAX_STREAM bytes out of one z_stream, MAX_TOTAL in all. */
void pv_limits_arm(unsigned long long max_stream, unsigned long long max_total);
enum pv_limit pv_limits_hit(void);
unsigned long long pv_limits_total(void);	/* bytes inflated since arming */
void pv_limits_disarm(void);

/* ---- scan.c ---- */

/* Does BUF start like a PDF ("%PDF-" within its first 1024 bytes)? */
bool pv_is_pdf(const unsigned char *buf, size_t len);

/* Find every "startxref N %%EOF" into W->revs and check the last one and
 * what follows it. */
void pv_scan_revisions(struct pv_work *w);

/* The byte-level checks of one signature: /ByteRange shape, bounds, the
 * gap being exactly the /Contents hex string of that very dictionary,
 * the signed bytes ending a revision. Sets S->ranges_ok, S->rev. */
void pv_scan_signature(struct pv_work *w, struct pv_sigwork *s);

/* Do the streams qpdf decodes by itself (object and cross-reference
 * streams: dictionaries with /N and /First, or /W) use only filters whose
 * output limits.c bounds? No for LZW and RunLength, an indirect /Filter,
 * or ASCII85 after Flate, and when cross-reference streams list more than
 * PV_MAX_XREF_ENTRIES objects (a problem on the document). */
bool pv_scan_filters(struct pv_work *w);

/* Index of the revision ending at OFF (at its %%EOF or after its EOL), or
 * -1. */
int pv_rev_at(const struct pv_work *w, size_t off);

/* ---- objects.c ---- */

/* Open BUF[0..LEN) with qpdf, recovery off, warnings kept: each warning
 * goes to W's warnings prefixed by WHAT. NULL on error (*ERR, g_free). */
qpdf_data pv_qpdf_open(struct pv_work *w, const unsigned char *buf, size_t len,
		       const char *what, char **err);
void pv_qpdf_close(qpdf_data *q);

/* Collect the signatures of the final document into W->sigs, with the
 * DocMDP and FieldMDP settings, and the /DSS contents. */
int pv_find_signatures(struct pv_work *w);

/* The value of KEY in a dictionary (or a stream's dictionary); a null
 * handle, without a qpdf warning, for anything else. */
qpdf_oh pv_dget(qpdf_data q, qpdf_oh oh, const char *key);

/* Does stream ST use only filters whose output limits.c bounds (no LZW,
 * no RunLength, at most 8)? */
bool pv_filters_bounded(qpdf_data q, qpdf_oh st);

/* A qpdf string value as a new UTF-8 C string (NULL when OH is not a
 * string). */
char *pv_qpdf_text(qpdf_data q, qpdf_oh oh);

/* ---- hash.c ---- */

/* One pass over the file: every signature's ranges (where ranges_ok and an
 * md is known), the whole file (SHA-256) and the first revision. */
int pv_hash_all(struct pv_work *w);

/* ---- cms.c ---- */

/* Parse S's /Contents as CMS and pick the digest (before hashing). */
void pv_cms_parse(struct pv_work *w, struct pv_sigwork *s);

/* After hashing: digest, signature, ESS, timestamp, chain, revocation. */
void pv_cms_verify(struct pv_work *w, struct pv_sigwork *s);

/* ASN.1 time as ISO 8601 UTC "YYYY-MM-DDTHH:MM:SSZ" (new string). */
char *pv_asn1_time_iso(const ASN1_TIME *t);

/* ---- diff.c ---- */

/* Compare the revision S signs with the final document; set mods,
 * modified_after and problems on S. */
void pv_diff(struct pv_work *w, struct pv_sigwork *s);

#endif
