/*
 * limits.c - how much compressed data one verification may inflate.
 *
 * A PDF's object and cross-reference streams are decompressed by qpdf
 * into memory, whole, before their objects can be read: a 3 MB file
 * whose object stream inflates to 3 GiB would take gigabytes. qpdf 11
 * offers no limit, but it inflates through zlib's inflate(), which this
 * program defines over zlib's own (the dynamic linker binds libqpdf's
 * calls to the program's definition first). While a budget is armed,
 * every call is passed to zlib's inflate and then charged: the bytes one
 * z_stream produced (total_out) against the per-stream cap, all bytes
 * against the per-file cap. Past either cap the call fails with
 * Z_DATA_ERROR, so qpdf stops that stream at once (its buffer holds at
 * most one stream's cap) and every later stream of the file too, and the
 * verifier concludes INDETERMINATE (DECOMPRESSION_LIMIT). Unarmed, the
 * definition only forwards to zlib.
 *
 * qpdf's other expanding decoders (LZW, RunLength) do not go through
 * zlib; scan.c refuses them where qpdf would decode them unasked.
 *
 * One budget for the process: verifications run one at a time.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "pv.h"

typedef int (*inflate_fn)(z_streamp, int);

static struct {
	bool armed;
	unsigned long long max_stream, max_total, total;
	enum pv_limit hit;
	inflate_fn real;
} B;

static inflate_fn real_inflate(void)
{
	if (!B.real) {
		B.real = (inflate_fn)dlsym(RTLD_NEXT, "inflate");
		if (!B.real) {
			/* Without zlib's inflate nothing can be inflated at all. */
			fprintf(stderr, "tte: zlib inflate() not found: %s\n", dlerror());
			abort();
		}
	}
	return B.real;
}

int inflate(z_streamp strm, int flush)
{
	uLong before;
	int rc;

	if (!B.armed)
		return real_inflate()(strm, flush);
	if (B.hit == PV_LIMIT_FILE) {
		strm->msg = (char *)"decompression budget of the file used up";
		return Z_DATA_ERROR;
	}
	before = strm->total_out;
	rc = real_inflate()(strm, flush);
	B.total += strm->total_out - before;
	if (strm->total_out > B.max_stream || B.total > B.max_total) {
		if (B.hit == PV_LIMIT_NONE || B.total > B.max_total)
			B.hit = B.total > B.max_total ? PV_LIMIT_FILE : PV_LIMIT_STREAM;
		strm->msg = (char *)"decompression limit reached";
		return Z_DATA_ERROR;
	}
	return rc;
}

void pv_limits_arm(unsigned long long max_stream, unsigned long long max_total)
{
	B.armed = true;
	B.max_stream = max_stream;
	B.max_total = max_total;
	B.total = 0;
	B.hit = PV_LIMIT_NONE;
}

enum pv_limit pv_limits_hit(void)
{
	return B.armed ? B.hit : PV_LIMIT_NONE;
}

unsigned long long pv_limits_total(void)
{
	return B.total;
}

void pv_limits_disarm(void)
{
	B.armed = false;
	B.hit = PV_LIMIT_NONE;
}
