/*
 * floor - what the mandated libraries alone cost on a form export, for
 * `make bench` (bench/floor.sh). It does the least any intake + report must
 * do with them, and nothing of tte's own:
 *
 *   floor parse FILE        parse FILE with libcsv (CSV_STRICT), count rows:
 *                           the bare parse, nothing copied
 *   floor csv FILE          parse FILE with libcsv (CSV_STRICT), copying each
 *                           field out as any reader must
 *   floor sqlite FILE DB    parse, and insert every row once (10 text fields
 *                           and a 16-byte SHA-256 row key, UNIQUE) into one
 *                           table in one transaction; WAL, synchronous=FULL,
 *                           16 KiB pages, the pragmas tte uses
 *   floor xlsx FILE OUT     parse, and write one sheet with a row per form
 *                           row and the 7 columns the contract requires of
 *                           `Pemohon`, libxlsxwriter in constant-memory mode
 *
 * Each mode includes the parse, so the bench subtracts the csv figure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <csv.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <xlsxwriter.h>

#define MAXF 16

struct floor {
	char *f[MAXF];
	size_t n;
	long rows;
	int mode;		/* 0 csv, 1 sqlite, 2 xlsx, 3 parse */
	sqlite3 *db;
	sqlite3_stmt *ins;
	lxw_worksheet *ws;
	EVP_MD_CTX *md;
};

static void on_field(void *s, size_t len, void *ud)
{
	struct floor *fl = ud;

	if (fl->mode != 3 && fl->n < MAXF) {
		fl->f[fl->n] = realloc(fl->f[fl->n], len + 1);
		memcpy(fl->f[fl->n], s, len);
		fl->f[fl->n][len] = 0;
	}
	fl->n++;
}

static void row_sqlite(struct floor *fl)
{
	unsigned char key[32];
	unsigned int klen;

	EVP_DigestInit_ex(fl->md, EVP_sha256(), NULL);
	for (size_t i = 0; i < fl->n && i < MAXF; i++)
		EVP_DigestUpdate(fl->md, fl->f[i], strlen(fl->f[i]) + 1);
	EVP_DigestFinal_ex(fl->md, key, &klen);
	sqlite3_bind_blob(fl->ins, 1, key, 16, SQLITE_STATIC);
	/* Fields 0-1 and 3-10: all but the form's Password column. */
	for (int i = 0, c = 2; i < 11 && (size_t)i < fl->n; i++)
		if (i != 2)
			sqlite3_bind_text(fl->ins, c++, fl->f[i], -1, SQLITE_STATIC);
	if (sqlite3_step(fl->ins) != SQLITE_DONE) {
		fprintf(stderr, "floor: %s\n", sqlite3_errmsg(fl->db));
		exit(1);
	}
	sqlite3_reset(fl->ins);
}

static void row_xlsx(struct floor *fl)
{
	/* NIP, Nama, Email, Unit Kerja, Golongan, Jabatan, Status. */
	static const int from[] = { 4, 5, 6, 10, 7, 8 };
	lxw_row_t r = (lxw_row_t)fl->rows;

	for (int c = 0; c < 6 && (size_t)from[c] < fl->n; c++)
		worksheet_write_string(fl->ws, r, (lxw_col_t)c, fl->f[from[c]], NULL);
	worksheet_write_string(fl->ws, r, 6, "VALID", NULL);
}

static void on_row(int c, void *ud)
{
	struct floor *fl = ud;

	(void)c;
	/* Row 0 is the header; a sheet ends at Excel's last row. */
	if (fl->rows > 0 && fl->mode == 1)
		row_sqlite(fl);
	else if (fl->rows > 0 && fl->mode == 2 && fl->rows < 1048576)
		row_xlsx(fl);
	fl->rows++;
	fl->n = 0;
}

static void exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "floor: %s: %s\n", sql, err);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct floor fl = { 0 };
	struct csv_parser p;
	lxw_workbook *wb = NULL;
	char buf[1 << 16];
	size_t got;
	FILE *in;

	if (argc < 3 || (strcmp(argv[1], "csv") && strcmp(argv[1], "parse") && argc < 4)) {
		fprintf(stderr, "usage: floor parse|csv|sqlite|xlsx FILE [OUT]\n");
		return 2;
	}
	fl.mode = !strcmp(argv[1], "sqlite") ? 1 : !strcmp(argv[1], "xlsx") ? 2
		: !strcmp(argv[1], "parse") ? 3 : 0;
	in = fopen(argv[2], "rb");
	if (!in || csv_init(&p, CSV_STRICT | CSV_APPEND_NULL) != 0) {
		perror(argv[2]);
		return 1;
	}
	if (fl.mode == 1) {
		if (sqlite3_open(argv[3], &fl.db) != SQLITE_OK)
			return 1;
		exec(fl.db, "PRAGMA page_size=16384; PRAGMA journal_mode=WAL;"
			    " PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;"
			    " CREATE TABLE s(id INTEGER PRIMARY KEY, k BLOB NOT NULL UNIQUE,"
			    " ts TEXT, fe TEXT, nik TEXT, nip TEXT, name TEXT, email TEXT,"
			    " gol TEXT, jab TEXT, ktp TEXT, unit TEXT); BEGIN");
		if (sqlite3_prepare_v2(fl.db, "INSERT INTO s(k, ts, fe, nik, nip, name, email, gol,"
				       " jab, ktp, unit) VALUES(?,?,?,?,?,?,?,?,?,?,?)", -1, &fl.ins,
				       NULL) != SQLITE_OK)
			return 1;
		fl.md = EVP_MD_CTX_new();
	} else if (fl.mode == 2) {
		lxw_workbook_options o = { .constant_memory = LXW_TRUE };

		wb = workbook_new_opt(argv[3], &o);
		fl.ws = wb ? workbook_add_worksheet(wb, "Pemohon") : NULL;
		if (!fl.ws)
			return 1;
	}
	while ((got = fread(buf, 1, sizeof(buf), in)) > 0)
		if (csv_parse(&p, buf, got, on_field, on_row, &fl) != got) {
			fprintf(stderr, "floor: %s\n", csv_strerror(csv_error(&p)));
			return 1;
		}
	csv_fini(&p, on_field, on_row, &fl);
	csv_free(&p);
	fclose(in);
	if (fl.mode == 1) {
		sqlite3_finalize(fl.ins);
		exec(fl.db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)");
		sqlite3_close(fl.db);
		EVP_MD_CTX_free(fl.md);
	} else if (fl.mode == 2 && workbook_close(wb) != LXW_NO_ERROR) {
		return 1;
	}
	for (int i = 0; i < MAXF; i++)
		free(fl.f[i]);
	printf("%ld\n", fl.rows > 0 ? fl.rows - 1 : 0);
	return 0;
}
