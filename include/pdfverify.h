/*
 * pdfverify.h - offline verification of signed PDFs (the verify/ modules).
 *
 * Stricter than poppler's pdfsig: besides the cryptography (CMS, RFC 3161
 * timestamps, the certificate chain at signing time) it checks the bytes
 * themselves (each /ByteRange covers exactly one revision, its gap is
 * exactly that dictionary's /Contents, revisions end in startxref/%%EOF)
 * and compares every signed revision with the final document object by
 * object, so that signature wrapping, incremental saving and shadow
 * attacks come out INVALID.
 *
 * Use:
 *
 *	struct pdfverify_ctx *vc = pdfverify_ctx_new(trust, NULL, &err);
 *	struct pdfverify_result *r;
 *	if (pdfverify_file(vc, path, &r) == 0) {
 *		char *json = pdfverify_result_json(r);
 *		...
 *		pdfverify_result_free(r);
 *	}
 *	pdfverify_ctx_free(vc);
 *
 * A context holds the trust anchors and may verify any number of files,
 * one at a time (not thread-safe). Results own all their strings.
 */
#ifndef TTE_PDFVERIFY_H
#define TTE_PDFVERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <glib.h>

/* Verdicts, for one signature and for the document (names in JSON). */
enum pv_conclusion {
	PV_VALID,
	PV_INVALID,
	PV_INDETERMINATE,
	PV_NO_SIGNATURE,
};

/* What changed after a signature, as a bit set (0: NONE). */
enum pv_mod {
	PV_MOD_TIMESTAMP = 1 << 0,	/* document timestamps added */
	PV_MOD_SIGNATURES = 1 << 1,	/* further signatures */
	PV_MOD_DSS = 1 << 2,		/* /DSS validation data */
	PV_MOD_FORM = 1 << 3,		/* form filling */
	PV_MOD_ANNOTS = 1 << 4,		/* annotations (comments) */
	PV_MOD_OTHER = 1 << 5,		/* anything else: never permitted */
};

struct pv_signature {
	char *field;		/* fully qualified field name */
	char *subfilter;	/* /SubFilter without the slash */
	bool doc_timestamp;	/* a /DocTimeStamp (ETSI.RFC3161) */
	bool certification;	/* this signature carries /DocMDP */
	int docmdp;		/* the document's DocMDP /P in force, 0 none */
	char *signer;		/* subject CN (or the whole DN) */
	char *signer_dn, *issuer_dn, *serial;	/* RFC 2253, serial hex */
	char *not_before, *not_after;		/* ISO 8601 UTC */
	char *key_usage;	/* "digitalSignature, nonRepudiation", ... */
	char *digest;		/* digest algorithm name, e.g. "SHA256" */
	char *signing_time;	/* ISO 8601 UTC, the time validated at */
	const char *time_source;	/* "tsa", "cms", "pdf" or "none" */
	char *claimed_time;	/* signingTime attribute or /M */
	char *tsa, *tsa_time;	/* timestamp authority CN and genTime */
	bool tsa_trusted;
	char *reason, *location, *contact;
	char *format;		/* "PAdES-BASELINE-B/-T/-LT/-LTA", "PKCS#7 ..." */
	const char *revocation;	/* "good", "revoked", "not checked" */
	char *revocation_source;	/* "CRL", "OCSP" or NULL */
	bool integrity;		/* digest and signature verify */
	bool covers_whole;	/* the signed range reaches the end of the file */
	bool modified_after;	/* anything follows the signed revision */
	unsigned mods;		/* enum pv_mod bits found after it */
	bool trusted;		/* the chain reaches a trust anchor */
	long long byte_range[4];
	int revision;		/* 1-based revision the signature closes, 0 none */
	GPtrArray *problems;	/* codes (char *), see pdfverify_problem_text */
	GPtrArray *notes;	/* details in English (char *) */
	enum pv_conclusion status;
};

struct pdfverify_result {
	char *file;		/* name as given */
	char sha256[65];	/* of the whole file */
	size_t size;
	bool not_pdf;		/* not a PDF at all: "could not be read" */
	enum pv_conclusion conclusion;
	int revisions;
	GPtrArray *sigs;	/* struct pv_signature * */
	GPtrArray *problems;	/* document-level codes (char *) */
	GPtrArray *notes;	/* document-level details (char *) */
	GPtrArray *warnings;	/* qpdf's warnings, verbatim (char *) */
	/* SHA-256 of the first revision (bytes 0 to its %%EOF, then with its
	 * end-of-line), for recognising a signed tte letter; "" if unknown. */
	char first_rev_sha256[2][65];
	/* Set by the caller after matching letters (JSON "letter"). */
	char *letter;
	bool letter_signer_mismatch;
};

struct pdfverify_opts {
	/* ';'-separated PEM/DER certificate files or directories of them;
	 * NULL or "" for none (nothing is then trusted). Relative paths are
	 * taken against BASE_DIR when it is not NULL. */
	const char *trust;
	const char *base_dir;
	/* "Now", for signatures with no time at all; 0: time(NULL). */
	time_t now;
	/* Bytes qpdf may inflate for one stream and for one file (every
	 * revision it reads counted); 0: the defaults below. Past either,
	 * verification stops: INDETERMINATE, DECOMPRESSION_LIMIT. */
	unsigned long long max_stream_bytes;
	unsigned long long max_file_bytes;
};

#define PDFVERIFY_MAX_STREAM_DEFAULT (32ULL << 20)	/* [verify] max_stream_mb */
#define PDFVERIFY_MAX_FILE_DEFAULT (512ULL << 20)	/* [verify] max_inflate_mb */

struct pdfverify_ctx;

/* Load the trust anchors. NULL on error with *ERR (Indonesian, g_free)
 * naming the file. */
struct pdfverify_ctx *pdfverify_ctx_new(const struct pdfverify_opts *o, char **err);
void pdfverify_ctx_free(struct pdfverify_ctx *vc);

/* Number of trust anchors loaded. */
int pdfverify_ctx_anchors(const struct pdfverify_ctx *vc);

/*
 * Verify the PDF in BUF (LEN bytes; borrowed for the call). Always
 * produces a result (a non-PDF gives not_pdf and INVALID); returns 0, or
 * -1 only when out of resources (logged).
 */
int pdfverify_buffer(struct pdfverify_ctx *vc, const unsigned char *buf, size_t len,
		     const char *name, struct pdfverify_result **out);

/* Verify the regular file open at FD (mapped read-only). -1 with a
 * logged reason when it cannot be read at all. */
int pdfverify_fd(struct pdfverify_ctx *vc, int fd, const char *name,
		 struct pdfverify_result **out);

/* Open PATH and verify it; -1 (logged) when it cannot be read. */
int pdfverify_file(struct pdfverify_ctx *vc, const char *path, struct pdfverify_result **out);

void pdfverify_result_free(struct pdfverify_result *r);

/* "VALID", "INVALID", "INDETERMINATE", "NO_SIGNATURE". */
const char *pdfverify_conclusion_name(enum pv_conclusion c);

/* "NONE" or the classes in MODS joined by ",", e.g. "SIGNATURES,DSS"
 * (document timestamps count as SIGNATURES). A static buffer that the
 * next call overwrites; never NULL. */
const char *pdfverify_mods_name(unsigned mods);

/* The Indonesian explanation of a problem code ("" for unknown codes). */
const char *pdfverify_problem_text(const char *code);

/* The result as JSON (CONTRACT.md "Verification"), newline-terminated.
 * Newly allocated. */
char *pdfverify_result_json(const struct pdfverify_result *r);

/* A summary in Indonesian in the manner of BSrE's verifier: a first line
 * "<file>: Dokumen valid ..." / "Dokumen telah diubah setelah
 * ditandatangani ...", then one block per signature. Newly allocated. */
char *pdfverify_result_summary(const struct pdfverify_result *r);

/* The first line of the summary without the file name (for the report's
 * Keterangan column). Newly allocated. */
char *pdfverify_result_headline(const struct pdfverify_result *r);

#endif
