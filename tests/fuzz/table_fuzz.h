/*
 * table_fuzz.h - what the table-reader fuzzers share: the bytes in a
 * memfd, a set of wanted columns, and callbacks that touch every value
 * handed over (so ASan sees any read past a field).
 */
#ifndef TTE_TABLE_FUZZ_H
#define TTE_TABLE_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <glib.h>

#include "table.h"

static const char *const fz_a_nik[] = { "nik", "no ktp", NULL };
static const char *const fz_a_email[] = { "email", "emailaddress", "email address", NULL };
static const char *const fz_a_status[] = { "status sertifikat", "status", NULL };
static const char *const fz_a_name[] = { "nama tanpa gelar", "nama", NULL };
static const struct table_col fz_cols[] = {
	{ fz_a_nik, false, "NIK" }, { fz_a_email, false, "Email" },
	{ fz_a_status, false, "Status" }, { fz_a_name, true, "Nama" },
};

static int fz_header(void *ud, const struct table_header *h, char **why)
{
	int found = 0;

	(void)ud;
	for (int c = 0; c < 4; c++)
		if (h->names[c])
			found += (int)strlen(h->names[c]) >= 0;
	if (!found) {
		*why = g_strdup("no column");
		return TABLE_BAD;
	}
	return TABLE_OK;
}

static int fz_row(void *ud, const struct table_row *r)
{
	size_t *sum = ud;

	for (int c = 0; c < 4; c++) {
		if (strlen(r->val[c]) != r->len[c])
			abort();
		*sum += r->len[c] + (r->bad_utf8[c] ? 1 : 0);
	}
	return TABLE_OK;
}

typedef int (*fz_reader)(int fd, const struct table_col *cols, int ncols, table_header_fn header,
			 table_row_fn row, void *ud, char **why);

static int fz_run(fz_reader read, const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz", 0);
	size_t sum = 0, off = 0;
	char *why = NULL;

	if (fd < 0)
		abort();
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	if (read(fd, fz_cols, 4, fz_header, fz_row, &sum, &why) == TABLE_BAD && !why)
		abort();	/* a bad file always says why */
	g_free(why);
	close(fd);
	return 0;
}

#endif
