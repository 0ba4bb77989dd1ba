/*
 * hash.c - every digest a verification needs, in one pass over the file.
 *
 * In: the signatures' byte ranges and digest algorithms. Out: each
 * signature's digest, the file's SHA-256 and the first revision's.
 *
 * Every job starts with a prefix [0, p) of the file: a signature's first
 * range, the whole file, the first revision. So per digest algorithm one
 * "spine" context runs from 0 to the largest prefix, and each job gets a
 * copy of the spine's state when the spine reaches its p; only a
 * signature's second range (from the end of /Contents to the end of its
 * revision, usually a few KiB) is hashed on its own. A 100 MB file signed
 * once or twice is read once, at the speed of the digest.
 */
#include <string.h>
#include <glib.h>
#include <openssl/evp.h>

#include "log.h"
#include "pv.h"
#include "tte.h"

struct job {
	const EVP_MD *md;
	size_t prefix;			/* hash [0, prefix) ... */
	size_t from, to;		/* ... then [from, to) (empty if from == to) */
	EVP_MD_CTX *ctx;
	unsigned char *out;		/* where the result goes */
	size_t outlen;
};

static int by_prefix(gconstpointer a, gconstpointer b)
{
	const struct job *x = a, *y = b;

	return x->prefix < y->prefix ? -1 : x->prefix > y->prefix;
}

static bool finish(struct job *j)
{
	unsigned int n = 0;

	if (EVP_MD_get_flags(j->md) & EVP_MD_FLAG_XOF)
		return EVP_DigestFinalXOF(j->ctx, j->out, j->outlen) == 1;
	return EVP_DigestFinal_ex(j->ctx, j->out, &n) == 1 && n == j->outlen;
}

static void to_hex(const unsigned char *d, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * n] = 0;
}

int pv_hash_all(struct pv_work *w)
{
	GArray *jobs = g_array_new(FALSE, TRUE, sizeof(struct job));
	unsigned char file_md[32], rev_md[2][32];
	EVP_MD *sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	EVP_MD_CTX *spine = EVP_MD_CTX_new();
	int rc = -1;

	if (!sha256 || !spine)
		goto out;
	{
		struct job j = { .md = sha256, .prefix = w->len, .from = w->len, .to = w->len,
				 .out = file_md, .outlen = 32 };

		g_array_append_val(jobs, j);
	}
	if (w->first_rev >= 0) {
		const struct pv_rev *r = &g_array_index(w->revs, struct pv_rev, w->first_rev);
		struct job j = { .md = sha256, .prefix = r->eof, .from = r->eof, .to = r->eof,
				 .out = rev_md[0], .outlen = 32 };

		g_array_append_val(jobs, j);
		if (r->end != r->eof) {
			j.prefix = j.from = j.to = r->end;
			j.out = rev_md[1];
			g_array_append_val(jobs, j);
		}
	}
	for (guint i = 0; i < w->sigs->len; i++) {
		struct pv_sigwork *s = g_ptr_array_index(w->sigs, i);
		struct job j = { .md = s->md, .prefix = (size_t)s->br[1], .from = (size_t)s->br[2],
				 .to = s->signed_end, .out = s->digest, .outlen = s->md_len };

		if (!s->ranges_ok || !s->md || s->md_len > sizeof(s->digest))
			continue;
		g_array_append_val(jobs, j);
	}
	g_array_sort(jobs, by_prefix);

	/* One spine per digest algorithm, in order of first use. */
	for (guint i = 0; i < jobs->len; i++) {
		struct job *lead = &g_array_index(jobs, struct job, i);
		size_t pos = 0;

		if (lead->ctx)
			continue;
		if (!EVP_DigestInit_ex(spine, lead->md, NULL))
			goto out;
		for (guint k = i; k < jobs->len; k++) {
			struct job *j = &g_array_index(jobs, struct job, k);

			if (j->ctx || EVP_MD_get_type(j->md) != EVP_MD_get_type(lead->md))
				continue;
			if (j->prefix > pos && !EVP_DigestUpdate(spine, w->buf + pos, j->prefix - pos))
				goto out;
			pos = j->prefix;
			j->ctx = EVP_MD_CTX_new();
			if (!j->ctx || !EVP_MD_CTX_copy_ex(j->ctx, spine))
				goto out;
		}
	}
	for (guint i = 0; i < jobs->len; i++) {
		struct job *j = &g_array_index(jobs, struct job, i);

		if (j->to > j->from && !EVP_DigestUpdate(j->ctx, w->buf + j->from, j->to - j->from))
			goto out;
		if (!finish(j))
			goto out;
	}
	to_hex(file_md, 32, w->r->sha256);
	if (w->first_rev >= 0) {
		const struct pv_rev *r = &g_array_index(w->revs, struct pv_rev, w->first_rev);

		to_hex(rev_md[0], 32, w->r->first_rev_sha256[0]);
		if (r->end != r->eof)
			to_hex(rev_md[1], 32, w->r->first_rev_sha256[1]);
	}
	for (guint i = 0; i < w->sigs->len; i++) {
		struct pv_sigwork *s = g_ptr_array_index(w->sigs, i);

		s->digest_done = s->ranges_ok && s->md && s->md_len <= sizeof(s->digest);
	}
	rc = 0;
out:
	if (rc)
		log_error("verify: digest computation failed");
	for (guint i = 0; i < jobs->len; i++)
		EVP_MD_CTX_free(g_array_index(jobs, struct job, i).ctx);
	g_array_free(jobs, TRUE);
	EVP_MD_CTX_free(spine);
	EVP_MD_free(sha256);
	return rc;
}
