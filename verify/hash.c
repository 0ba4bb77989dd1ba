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
 *
 * When the file is open (W->fd), the bytes are read with pread into a
 * small buffer that stays in the CPU cache rather than through the
 * mapping: faulting 25,000 pages of a mapping in costs more than copying
 * them (a third more CPU in a VM), and the mapping's pages are then only
 * touched where the other checks look.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <glib.h>
#include <openssl/evp.h>

#include "fsutil.h"
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

/* Feed bytes [FROM, TO) of the file to C (second ranges: small). */
static bool feed(const struct pv_work *w, EVP_MD_CTX *c, size_t from, size_t to)
{
	unsigned char *chunk = w->vc->chunk;

	if (w->fd < 0)
		return to <= from || EVP_DigestUpdate(c, w->buf + from, to - from);
	while (from < to) {
		size_t want = to - from < PV_CHUNK ? to - from : PV_CHUNK;
		ssize_t k = pread(w->fd, chunk, want, (off_t)from);

		if (k <= 0 || !EVP_DigestUpdate(c, chunk, (size_t)k))
			return false;
		from += (size_t)k;
	}
	return true;
}

/*
 * Sequential reading of [FROM, TO) in chunks. From memory, or by pread
 * into a buffer; for a long range a second thread reads ahead into a ring
 * of buffers, so that copying from the page cache runs on the other core
 * while this one hashes.
 */
#define RING 4
#define RING_CHUNK (1024 * 1024)
#define THREAD_MIN (4 * 1024 * 1024)

struct rbuf {
	unsigned char *data;
	size_t len;
	bool err;
};

struct reader {
	const struct pv_work *w;
	size_t pos, to;
	GThread *thread;
	GAsyncQueue *empty, *full;
	struct rbuf bufs[RING], stop;
	void *ring;			/* the buffers' memory */
	struct rbuf *held;		/* handed to the caller, to be recycled */
	bool failed;
};

static gpointer reader_main(gpointer p)
{
	struct reader *rd = p;

	for (size_t off = rd->pos; off < rd->to;) {
		struct rbuf *b = g_async_queue_pop(rd->empty);
		size_t want = rd->to - off < RING_CHUNK ? rd->to - off : RING_CHUNK;
		ssize_t k;

		if (b == &rd->stop)
			break;
		do
			k = pread(rd->w->fd, b->data, want, (off_t)off);
		while (k < 0 && errno == EINTR);
		b->len = k > 0 ? (size_t)k : 0;
		b->err = k <= 0;
		g_async_queue_push(rd->full, b);
		if (b->err)
			break;
		off += (size_t)k;
	}
	return NULL;
}

static void reader_start(struct reader *rd, const struct pv_work *w, size_t from, size_t to)
{
	memset(rd, 0, sizeof(*rd));
	rd->w = w;
	rd->pos = from;
	rd->to = to;
	if (w->fd < 0 || to - from < THREAD_MIN)
		return;
	/* One block in huge pages where the kernel allows: faulting in 4 MiB
	 * page by page is itself a cost worth avoiding. */
	if (posix_memalign(&rd->ring, 2 * 1024 * 1024, RING * RING_CHUNK))
		return;
	madvise(rd->ring, RING * RING_CHUNK, MADV_HUGEPAGE);
	rd->empty = g_async_queue_new();
	rd->full = g_async_queue_new();
	for (int i = 0; i < RING; i++) {
		rd->bufs[i].data = (unsigned char *)rd->ring + (size_t)i * RING_CHUNK;
		g_async_queue_push(rd->empty, &rd->bufs[i]);
	}
	rd->thread = g_thread_try_new("pv-read", reader_main, rd, NULL);
	if (!rd->thread) {
		/* No thread: read in this one. */
		free(rd->ring);
		rd->ring = NULL;
		g_async_queue_unref(rd->empty);
		g_async_queue_unref(rd->full);
		rd->empty = rd->full = NULL;
	}
}

/* The next chunk, or false at the end (RD->failed on a read error). */
static bool reader_next(struct reader *rd, const unsigned char **p, size_t *n)
{
	if (rd->pos >= rd->to || rd->failed)
		return false;
	if (rd->w->fd < 0) {
		*p = rd->w->buf + rd->pos;
		*n = rd->to - rd->pos;
	} else if (!rd->thread) {
		size_t want = rd->to - rd->pos < PV_CHUNK ? rd->to - rd->pos : PV_CHUNK;
		ssize_t k = pread(rd->w->fd, rd->w->vc->chunk, want, (off_t)rd->pos);

		if (k <= 0) {
			rd->failed = true;
			return false;
		}
		*p = rd->w->vc->chunk;
		*n = (size_t)k;
	} else {
		if (rd->held)
			g_async_queue_push(rd->empty, rd->held);
		rd->held = g_async_queue_pop(rd->full);
		if (rd->held->err) {
			rd->failed = true;
			return false;
		}
		*p = rd->held->data;
		*n = rd->held->len;
	}
	rd->pos += *n;
	return true;
}

/* Stop the reader thread; false when a read failed. */
static bool reader_end(struct reader *rd)
{
	if (rd->thread) {
		if (rd->held)
			g_async_queue_push(rd->empty, rd->held);
		g_async_queue_push(rd->empty, &rd->stop);
		g_thread_join(rd->thread);
		free(rd->ring);
		g_async_queue_unref(rd->empty);
		g_async_queue_unref(rd->full);
	}
	return !rd->failed;
}

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


int pv_hash_all(struct pv_work *w)
{
	GArray *jobs = g_array_new(FALSE, TRUE, sizeof(struct job));
	unsigned char file_md[32], rev_md[2][32];
	EVP_MD *sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	EVP_MD_CTX *spine = EVP_MD_CTX_new();
	int rc = -1;

	if (w->fd >= 0 && !w->vc->chunk)
		w->vc->chunk = g_malloc(PV_CHUNK);

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

	/* One spine per digest algorithm, in order of first use: read the
	 * file once from 0 to the longest prefix, and copy the spine's state
	 * into each job as it passes the job's prefix. */
	for (guint i = 0; i < jobs->len; i++) {
		struct job *lead = &g_array_index(jobs, struct job, i);
		struct reader rd;
		size_t pos = 0, end = 0;
		const unsigned char *p = NULL;
		size_t n = 0;
		guint k = i;
		bool ok = true;

		if (lead->ctx)
			continue;
		if (!EVP_DigestInit_ex(spine, lead->md, NULL))
			goto out;
		for (guint x = i; x < jobs->len; x++) {
			struct job *j = &g_array_index(jobs, struct job, x);

			if (!j->ctx && EVP_MD_get_type(j->md) == EVP_MD_get_type(lead->md) &&
			    j->prefix > end)
				end = j->prefix;
		}
		reader_start(&rd, w, 0, end);
		for (;;) {
			bool more = reader_next(&rd, &p, &n);
			size_t stop = more ? pos + n : pos;

			/* Every job whose prefix this chunk reaches. */
			for (; ok && k < jobs->len; k++) {
				struct job *j = &g_array_index(jobs, struct job, k);

				if (j->ctx || EVP_MD_get_type(j->md) != EVP_MD_get_type(lead->md))
					continue;
				if (j->prefix > stop)
					break;
				ok = (j->prefix == pos || EVP_DigestUpdate(spine, p, j->prefix - pos)) &&
				     (j->ctx = EVP_MD_CTX_new()) && EVP_MD_CTX_copy_ex(j->ctx, spine);
				if (ok && more) {
					p += j->prefix - pos;
					n -= j->prefix - pos;
				}
				pos = j->prefix;
			}
			if (!more || !ok)
				break;
			if (n && !EVP_DigestUpdate(spine, p, n))
				ok = false;
			pos = stop;
		}
		if (!reader_end(&rd) || !ok)
			goto out;
	}
	for (guint i = 0; i < jobs->len; i++) {
		struct job *j = &g_array_index(jobs, struct job, i);

		if (!j->ctx || !feed(w, j->ctx, j->from, j->to))
			goto out;
		if (!finish(j))
			goto out;
	}
	fs_hex(file_md, 32, w->r->sha256);
	if (w->first_rev >= 0) {
		const struct pv_rev *r = &g_array_index(w->revs, struct pv_rev, w->first_rev);

		fs_hex(rev_md[0], 32, w->r->first_rev_sha256[0]);
		if (r->end != r->eof)
			fs_hex(rev_md[1], 32, w->r->first_rev_sha256[1]);
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
