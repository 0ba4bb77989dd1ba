/*
 * store.c - SQLite state: open, migrate, transactions, history.
 *
 * Migrations are append-only: migrations[i] takes the schema from version i
 * to i + 1. Never edit a published migration; add the next one.
 *
 * Why these pragmas: WAL lets `tte show` read while a run writes;
 * synchronous=FULL makes a COMMIT durable before an input leaves the inbox;
 * secure_delete overwrites deleted rows (the purge promises no recoverable
 * copy); the page cache ([tte] cache_mb) bounds memory whatever the row
 * count.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <glib.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "config.h"
#include "fsutil.h"
#include "log.h"
#include "states.h"
#include "store.h"
#include "testhook.h"
#include "tte.h"

/* Rebuild applicants from its own definition with the state CHECK as
 * applicants_with_check() writes it (migrations 3 and 6). */
#define REBUILD_APPLICANTS \
	"@APPLICANTS_WITH_STATE_CHECK@;" \
	"INSERT INTO applicants_new SELECT * FROM applicants;" \
	"DROP TABLE applicants;" \
	"ALTER TABLE applicants_new RENAME TO applicants;" \
	"CREATE INDEX applicants_nip ON applicants(nip);" \
	"CREATE INDEX applicants_email ON applicants(email);"

static const char *const migrations[] = {
	/* 0 -> 1: the whole first schema. */
	"CREATE TABLE meta("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT);"

	/* Every input file taken from the inbox and committed. */
	"CREATE TABLE inputs("
	"  id INTEGER PRIMARY KEY,"
	"  sha256 TEXT NOT NULL UNIQUE,"
	"  kind TEXT NOT NULL,"			/* forms | status | signed */
	"  name TEXT NOT NULL,"			/* file name as dropped */
	"  size INTEGER NOT NULL,"
	"  day TEXT NOT NULL,"			/* run date */
	"  at TEXT NOT NULL,"			/* wall-clock time */
	"  stored TEXT,"			/* path under the root; NULL once deleted */
	"  rows INTEGER NOT NULL DEFAULT 0,"
	"  new_rows INTEGER NOT NULL DEFAULT 0,"
	"  rejected_rows INTEGER NOT NULL DEFAULT 0,"
	"  export_time TEXT,"			/* status exports: how old the data is */
	"  deleted_day TEXT);"

	"CREATE TABLE quarantine("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  day TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  stored TEXT NOT NULL,"
	"  why TEXT NOT NULL);"

	"CREATE TABLE applicants("
	"  id INTEGER PRIMARY KEY,"
	"  nik_hmac TEXT NOT NULL UNIQUE,"
	"  nik TEXT,"				/* NULL once purged */
	"  nip TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  email TEXT NOT NULL,"
	"  golongan TEXT,"
	"  jabatan TEXT,"
	"  unit TEXT,"
	"  phone TEXT,"
	"  ktp TEXT,"				/* NULL once purged */
	"  data_hash TEXT,"			/* of the fields a letter shows */
	"  submission_id INTEGER,"		/* the current submission */
	"  submitted_at TEXT NOT NULL,"		/* its form timestamp, UTC */
	"  first_day TEXT NOT NULL,"		/* run date of the first submission */
	"  state TEXT NOT NULL,"
	"  state_day TEXT NOT NULL,"
	"  state_at TEXT NOT NULL,"
	"  waiver TEXT,"			/* tte accept --reason */
	"  waiver_by TEXT,"
	"  waiver_at TEXT,"
	"  letter_id TEXT,"			/* current letter */
	"  bundle TEXT,"			/* bundle name once BUNDLED */
	"  bsre_user_status TEXT,"
	"  status_time TEXT,"			/* export time of the last status applied */
	"  cert_serial TEXT,"
	"  cert_not_before TEXT,"
	"  cert_not_after TEXT,"
	"  issued_day TEXT,"			/* first day seen ISSUE: the purge clock */
	"  reminded_day TEXT,"			/* last passphrase reminder (notices) */
	"  purged_day TEXT);"
	"CREATE INDEX applicants_nip ON applicants(nip);"
	"CREATE INDEX applicants_email ON applicants(email);"

	"CREATE TABLE submissions("
	"  id INTEGER PRIMARY KEY,"
	"  input_id INTEGER NOT NULL REFERENCES inputs(id),"
	"  row_no INTEGER NOT NULL,"		/* spreadsheet row: header is 1 */
	"  row_key BLOB NOT NULL UNIQUE,"	/* identity across cumulative exports */
	"  submitted_at TEXT NOT NULL,"
	"  applicant_id INTEGER REFERENCES applicants(id),"
	"  nik TEXT,"
	"  nip TEXT,"
	"  name TEXT,"
	"  email TEXT,"
	"  form_email TEXT,"
	"  golongan TEXT,"
	"  jabatan TEXT,"
	"  unit TEXT,"
	"  phone TEXT,"
	"  ktp TEXT,"
	"  verdict TEXT NOT NULL,"		/* VALID | REJECTED | LATE */
	"  superseded INTEGER NOT NULL DEFAULT 0,"
	"  note TEXT);"
	/* Rows without a usable NIK belong to nobody; a later submission with
	 * the same e-mail or NIP supersedes them. Partial indexes keep that
	 * lookup cheap without indexing every row. */
	"CREATE INDEX submissions_orphan_email ON submissions(email) WHERE applicant_id IS NULL;"
	"CREATE INDEX submissions_orphan_form_email ON submissions(form_email) WHERE applicant_id IS NULL;"
	"CREATE INDEX submissions_orphan_nip ON submissions(nip) WHERE applicant_id IS NULL;"
	"CREATE INDEX submissions_applicant ON submissions(applicant_id);"

	"CREATE TABLE problems("
	"  submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,"
	"  field TEXT NOT NULL,"		/* canonical field: nik, nip, ... */
	"  col TEXT NOT NULL,"			/* the column header as in the file */
	"  code TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"		/* Indonesian */
	"  waivable INTEGER NOT NULL);"
	"CREATE INDEX problems_submission ON problems(submission_id);"

	"CREATE TABLE history("
	"  id INTEGER PRIMARY KEY,"
	"  applicant_id INTEGER NOT NULL REFERENCES applicants(id),"
	"  day TEXT NOT NULL,"			/* run date (--date) */
	"  at TEXT NOT NULL,"			/* wall-clock time */
	"  from_state TEXT,"
	"  to_state TEXT NOT NULL,"
	"  source TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"		/* cron | verifier:<user> */
	"  note TEXT);"
	"CREATE INDEX history_applicant ON history(applicant_id);"

	"CREATE TABLE letters("
	"  id TEXT PRIMARY KEY,"		/* letter id in the QR URL */
	"  applicant_id INTEGER NOT NULL REFERENCES applicants(id),"
	"  version INTEGER NOT NULL,"
	"  data_hash TEXT NOT NULL,"
	"  day TEXT NOT NULL,"			/* letter date */
	"  sha256 TEXT NOT NULL,"
	"  file TEXT,"				/* path under the root; NULL once removed */
	"  superseded_day TEXT,"
	"  signed_sha256 TEXT,"
	"  signed_file TEXT,"
	"  signed_day TEXT,"
	"  signer TEXT,"
	"  signer_flag TEXT,"
	"  UNIQUE(applicant_id, version));"
	/* The letters stage asks of each PDF in the outbox whose it is. */
	"CREATE INDEX letters_file ON letters(file);"

	"CREATE TABLE bundles("
	"  name TEXT PRIMARY KEY,"
	"  day TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  sha256 TEXT,"
	"  file TEXT,"
	"  applicants INTEGER NOT NULL DEFAULT 0,"
	"  deleted_day TEXT);"

	"CREATE TABLE verifications("
	"  id INTEGER PRIMARY KEY,"
	"  input_id INTEGER REFERENCES inputs(id),"
	"  name TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  day TEXT NOT NULL,"
	"  conclusion TEXT NOT NULL,"
	"  signatures INTEGER NOT NULL,"
	"  signer TEXT,"
	"  letter_id TEXT,"
	"  summary TEXT,"
	"  json TEXT NOT NULL);"

	/* Which applicants a status export named (the purge deletes the file
	 * early once all of them are purged). */
	"CREATE TABLE input_applicants("
	"  input_id INTEGER NOT NULL REFERENCES inputs(id),"
	"  applicant_id INTEGER NOT NULL REFERENCES applicants(id),"
	"  PRIMARY KEY(input_id, applicant_id)) WITHOUT ROWID;"

	"CREATE TABLE status_unmatched("
	"  id INTEGER PRIMARY KEY,"
	"  input_id INTEGER NOT NULL REFERENCES inputs(id),"
	"  row_no INTEGER NOT NULL,"
	"  nik_masked TEXT,"
	"  email TEXT,"
	"  name TEXT,"
	"  status TEXT,"
	"  reason TEXT NOT NULL);",

	/* 1 -> 2: the NIK HMAC and the letter data hash keep 128 bits (32 hex
	 * digits, was 64): a third less applicants index and table to write
	 * at intake. Truncation keeps every applicant matchable. */
	"UPDATE applicants SET nik_hmac=substr(nik_hmac, 1, 32), data_hash=substr(data_hash, 1, 32);"
	"UPDATE letters SET data_hash=substr(data_hash, 1, 32);",

	/* 2 -> 3: applicants.state may hold only a known state. SQLite cannot
	 * add a CHECK to a table, so the table is rebuilt (the documented
	 * twelve steps; foreign keys are off while migrating) from its own
	 * definition with the CHECK added, filled in by migration_sql(). */
	REBUILD_APPLICANTS,

	/* 3 -> 4: what a letter's verification page shows, as the letter
	 * said it (the applicant's row holds later corrections, tte.conf a
	 * later recommender). NULL in letters written before: the publish
	 * stage then takes the applicant's row and tte.conf. */
	"ALTER TABLE letters ADD COLUMN page_instansi TEXT;"
	"ALTER TABLE letters ADD COLUMN page_rec_name TEXT;"
	"ALTER TABLE letters ADD COLUMN page_rec_position TEXT;"
	"ALTER TABLE letters ADD COLUMN page_name TEXT;"
	"ALTER TABLE letters ADD COLUMN page_unit TEXT;"
	"ALTER TABLE letters ADD COLUMN page_nip TEXT;",

	/* 4 -> 5: each submission keeps 128 bits of SHA-256 of its cells as
	 * read (raw_key), so a cumulative export's known rows are recognised
	 * without validation or a write. Older rows get theirs the first time
	 * a later export repeats them. */
	"ALTER TABLE submissions ADD COLUMN raw_key BLOB;"
	"CREATE INDEX submissions_raw_key ON submissions(raw_key) WHERE raw_key IS NOT NULL;"
	/* The orphan indexes also cover applicant_id, so intake reads the
	 * orphans' keys from them alone, not from every stored row. */
	"DROP INDEX submissions_orphan_email;"
	"DROP INDEX submissions_orphan_form_email;"
	"DROP INDEX submissions_orphan_nip;"
	"CREATE INDEX submissions_orphan_email ON submissions(email, applicant_id)"
	"  WHERE applicant_id IS NULL;"
	"CREATE INDEX submissions_orphan_form_email ON submissions(form_email, applicant_id)"
	"  WHERE applicant_id IS NULL;"
	"CREATE INDEX submissions_orphan_nip ON submissions(nip, applicant_id)"
	"  WHERE applicant_id IS NULL;"
	/* Intake looks for waived applicants every run: a few, among all. */
	"CREATE INDEX applicants_waiver ON applicants(id) WHERE waiver IS NOT NULL;",

	/* 5 -> 6: the state CHECK compares with each state in turn (state='A'
	 * OR ...). Written as state IN (...), SQLite built a temporary B-tree of
	 * the list for every row written: a fifth of intake's time. The table
	 * is rebuilt as in 3 (its indexes go with it and are made again). */
	REBUILD_APPLICANTS
	"CREATE INDEX applicants_waiver ON applicants(id) WHERE waiver IS NOT NULL;",
};
_Static_assert(ARRAY_SIZE(migrations) == STORE_VERSION, "one migration per version");

static GHashTable *stmt_cache;	/* SQL text (static) -> prepared statement */
static unsigned char nik_key[32];

static void finalize_cache(void);
static bool nik_key_loaded;

int store_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_error("database: %s", err ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

int store_begin(sqlite3 *db)
{
	return store_exec(db, "BEGIN IMMEDIATE");
}

int store_commit(sqlite3 *db)
{
	tte_test_point("commit");
	return store_exec(db, "COMMIT");
}

void store_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3_stmt *store_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_error("database: %s (%s)", sqlite3_errmsg(db), sql);
		return NULL;
	}
	return st;
}

/* TTE_TEST_FAULT=step:N makes the Nth step through the store fail as a
 * disk error would, so tests can prove that every caller fails its stage
 * instead of acting on half a result. Test builds only (testhook.h). */
static long fault_step(void)
{
	static long at = -1;

	if (at < 0) {
		const char *env = tte_test_value("FAULT");

		at = env && g_str_has_prefix(env, "step:") ? strtol(env + 5, NULL, 10) : 0;
		if (at < 0)
			at = 0;
	}
	return at;
}

/* sqlite3_step, or the injected fault: an SQLite result code. */
static int step(sqlite3_stmt *st)
{
	static long steps;
	long at = fault_step();

	if (at && ++steps == at) {
		log_error("database: disk I/O error (TTE_TEST_FAULT step %ld)", at);
		return SQLITE_IOERR;
	}
	return sqlite3_step(st);
}

static int step_failed(sqlite3_stmt *st, int rc)
{
	if (rc != SQLITE_IOERR || !fault_step())
		log_error("database: %s", sqlite3_errmsg(sqlite3_db_handle(st)));
	sqlite3_reset(st);
	return -1;
}

int store_step_done(sqlite3_stmt *st)
{
	int rc = step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return step_failed(st, rc);
	sqlite3_reset(st);
	return 0;
}

int store_row(sqlite3_stmt *st)
{
	int rc = step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return step_failed(st, rc);
}

void store_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

void store_bind_static(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

int store_int(sqlite3 *db, const char *sql, long long *v)
{
	sqlite3_stmt *st = store_prepare(db, sql);
	int rc;

	*v = 0;
	if (!st)
		return -1;
	rc = store_row(st);
	if (rc > 0)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}

/* A bulk intake touches every index page of applicants and submissions;
 * once those outgrow the cache, SQLite spills dirty pages to the WAL and
 * reads them back, row after row. 256 MiB holds them for a million rows. */
static int set_cache(sqlite3 *db, int mb)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA cache_size=-%d;", mb * 1024);
	return store_exec(db, sql);
}

/* The end of the state column's definition in SQL from AT (just past
 * "state TEXT NOT NULL"): the ',' after it, past a CHECK(...) already
 * there (a database set back to an older version by hand). NULL if none. */
static const char *state_column_end(const char *at)
{
	int depth = 0;

	for (; *at; at++) {
		if (*at == '(')
			depth++;
		else if (*at == ')')
			depth--;
		else if (*at == ',' && !depth)
			return at;
	}
	return NULL;
}

/* "CREATE TABLE applicants_new(...)": applicants as it stands, its state
 * column checked against include/states.h (an OR of equalities: an IN list
 * costs a temporary B-tree per row written). NULL (logged) when the table is
 * not as schema 1 made it. */
static char *applicants_with_check(sqlite3 *db)
{
	static const char col[] = "  state TEXT NOT NULL";
	sqlite3_stmt *st = store_prepare(db, "SELECT sql FROM sqlite_schema WHERE type='table'"
					 " AND name='applicants'");
	const char *sql, *paren, *at, *end;
	char *out = NULL;

	if (!st)
		return NULL;
	if (store_row(st) > 0) {
		sql = (const char *)sqlite3_column_text(st, 0);
		paren = sql ? strchr(sql, '(') : NULL;
		at = sql ? strstr(sql, col) : NULL;
		end = at ? state_column_end(at + sizeof(col) - 1) : NULL;
		if (paren && at > paren && end) {
			char *list = state_sql_list(-1, STEP_SUBMITTED, STEP_REGISTERED);
			char **names = g_strsplit(list, ",", -1);
			char *ors = g_strjoinv(" OR state=", names);

			out = g_strdup_printf("CREATE TABLE applicants_new%.*s%s CHECK(state=%s)%s",
					      (int)(at - paren), paren, col, ors, end);
			g_free(ors);
			g_strfreev(names);
			g_free(list);
		}
	}
	sqlite3_finalize(st);
	if (!out)
		log_error("database: tabel applicants tidak dikenali");
	return out;
}

/* Migration V's SQL (g_free), with the parts built at run time filled in;
 * NULL (logged) on error. */
static char *migration_sql(sqlite3 *db, long long v)
{
	static const char mark[] = "@APPLICANTS_WITH_STATE_CHECK@";
	const char *at = strstr(migrations[v], mark);
	char *create, *sql;

	if (!at)
		return g_strdup(migrations[v]);
	create = applicants_with_check(db);
	if (!create)
		return NULL;
	sql = g_strdup_printf("%.*s%s%s", (int)(at - migrations[v]), migrations[v], create,
			      at + sizeof(mark) - 1);
	g_free(create);
	return sql;
}

/* Foreign keys are off while migrating (a table rebuild drops the table
 * others refer to) and checked before each migration commits. */
static int migrate(sqlite3 *db, const char *path)
{
	long long v, bad;
	int rc = -1;

	if (store_int(db, "PRAGMA user_version", &v))
		return -1;
	if (v > STORE_VERSION)
		return log_error("database %s berversi %lld, lebih baru dari tte ini (%d); "
				 "gunakan tte yang lebih baru", path, v, STORE_VERSION);
	if (v < STORE_VERSION && store_exec(db, "PRAGMA foreign_keys=OFF"))
		return -1;
	for (; v < STORE_VERSION; v++) {
		char *bump = g_strdup_printf("PRAGMA user_version = %lld", v + 1);
		char *sql = NULL;
		int fail = store_begin(db) || !(sql = migration_sql(db, v)) || store_exec(db, sql) ||
			   store_int(db, "SELECT count(*) FROM pragma_foreign_key_check", &bad) ||
			   bad || store_exec(db, bump) || store_commit(db);

		g_free(sql);
		g_free(bump);
		if (fail) {
			store_rollback(db);
			log_error("migrasi database ke versi %lld gagal", v + 1);
			goto out;
		}
		log_info("database migrated to schema version %lld", v + 1);
	}
	rc = 0;
out:
	if (store_exec(db, "PRAGMA foreign_keys=ON"))
		rc = -1;
	return rc;
}

int store_key_init(const struct tte_ctx *ctx)
{
	char *path = tte_path(ctx, "var", "nik.key", NULL);
	unsigned char key[32];
	struct afile af;
	int rc = -1;

	if (!access(path, F_OK)) {
		rc = 0;
		goto out;
	}
	if (RAND_bytes(key, sizeof(key)) != 1) {
		log_error("tidak dapat membuat kunci acak");
		goto out;
	}
	if (afile_open(&af, path))
		goto out;
	if (fchmod(af.fd, 0600) || afile_write(&af, key, sizeof(key))) {
		afile_abort(&af);
		goto out;
	}
	rc = afile_commit(&af);
	if (!rc)
		log_info("created var/nik.key");
out:
	OPENSSL_cleanse(key, sizeof(key));
	g_free(path);
	return rc;
}

static int load_key(const struct tte_ctx *ctx)
{
	char *path = tte_path(ctx, "var", "nik.key", NULL);
	int fd, rc = -1;
	ssize_t n;

	if (store_key_init(ctx))
		goto out;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		log_error("kunci %s tidak dapat dibuka: %s", path, strerror(errno));
		goto out;
	}
	n = read(fd, nik_key, sizeof(nik_key));
	close(fd);
	if (n != (ssize_t)sizeof(nik_key)) {
		log_error("kunci %s rusak (harus 32 byte)", path);
		goto out;
	}
	nik_key_loaded = true;
	rc = 0;
out:
	g_free(path);
	return rc;
}

void store_key_hmac(const void *msg, size_t len, unsigned char mac[32])
{
	static EVP_MAC_CTX *keyed;	/* keyed once; duplicated per message */
	EVP_MAC_CTX *c;
	size_t n = 0;

	g_assert(nik_key_loaded);
	if (!keyed) {
		EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
			OSSL_PARAM_construct_end(),
		};

		keyed = m ? EVP_MAC_CTX_new(m) : NULL;
		EVP_MAC_free(m);
		if (!keyed || !EVP_MAC_init(keyed, nik_key, sizeof(nik_key), params))
			g_error("HMAC-SHA256 unavailable");
	}
	c = EVP_MAC_CTX_dup(keyed);
	if (!c || !EVP_MAC_update(c, msg, len) || !EVP_MAC_final(c, mac, &n, 32))
		g_error("HMAC-SHA256 failed");
	EVP_MAC_CTX_free(c);
}

void store_nik_hmac(const char *nik, char hex[STORE_HMAC_HEX])
{
	unsigned char md[32];

	store_key_hmac(nik, strlen(nik), md);
	fs_hex(md, (STORE_HMAC_HEX - 1) / 2, hex);
}

int store_open(struct tte_ctx *ctx)
{
	char *path = tte_path(ctx, "var", "tte.db", NULL);
	sqlite3 *db = NULL;
	int rc = -1;

	if (load_key(ctx))
		goto out;
	/* SQLite's temporary files (sorts, temp tables, VACUUM's copy) hold
	 * personal data: keep them under var/tmp, private and on the same
	 * file system, not in /var/tmp. Read once, when SQLite initialises. */
	{
		char *tmp = tte_path(ctx, "var", "tmp", NULL);

		setenv("SQLITE_TMPDIR", tmp, 1);
		g_free(tmp);
	}
	/* No memory statistics (nothing reads them; they cost a global mutex
	 * per allocation). Only possible before SQLite initialises, so a second
	 * open in the same process just gets SQLITE_MISUSE here. NOMUTEX: one
	 * connection, used by one thread; every bind, step and column call
	 * would otherwise take and drop a mutex. */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_error("database %s tidak dapat dibuka: %s", path,
			  db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(db, 10000);
	sqlite3_extended_result_codes(db, 1);
	/* Larger pages: fewer b-tree splits and WAL frames per row on bulk
	 * intake (takes effect when the database is created). */
	if (store_exec(db, "PRAGMA page_size=16384;") ||
	    store_exec(db, "PRAGMA journal_mode=WAL;"
			   "PRAGMA synchronous=FULL;"
			   "PRAGMA foreign_keys=ON;"
			   "PRAGMA secure_delete=ON;"
			   "PRAGMA temp_store=FILE;") ||
	    set_cache(db, ctx->cfg->cache_mb) ||
	    migrate(db, path))
		goto out;
	ctx->db = db;
	db = NULL;
	rc = 0;
out:
	if (db)
		sqlite3_close(db);
	g_free(path);
	return rc;
}

void store_close(struct tte_ctx *ctx)
{
	if (!ctx->db)
		return;
	finalize_cache();
	sqlite3_exec(ctx->db, "PRAGMA wal_checkpoint(PASSIVE)", NULL, NULL, NULL);
	if (sqlite3_close(ctx->db) != SQLITE_OK)
		log_error("database tidak tertutup bersih: %s", sqlite3_errmsg(ctx->db));
	ctx->db = NULL;
}

const char *store_now(void)
{
	static char buf[40];
	static time_t last = -1;
	time_t t = time(NULL);
	struct tm tm;

	if (t != last) {
		localtime_r(&t, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", &tm);
		last = t;
	}
	return buf;
}

sqlite3_stmt *store_stmt(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;

	/* Keyed by address: SQL passed here is always a string literal. */
	if (!stmt_cache)
		stmt_cache = g_hash_table_new(g_direct_hash, g_direct_equal);
	st = g_hash_table_lookup(stmt_cache, sql);
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	st = store_prepare(db, sql);
	if (st)
		g_hash_table_insert(stmt_cache, (gpointer)sql, st);
	return st;
}

static void finalize_cache(void)
{
	GHashTableIter it;
	gpointer k, v;

	if (!stmt_cache)
		return;
	g_hash_table_iter_init(&it, stmt_cache);
	while (g_hash_table_iter_next(&it, &k, &v))
		sqlite3_finalize(v);
	g_hash_table_destroy(stmt_cache);
	stmt_cache = NULL;
}

int store_history(struct tte_ctx *ctx, long long applicant_id, const char *from,
		  const char *to, const char *source, const char *note)
{
	sqlite3_stmt *st = store_stmt(ctx->db,
				      "INSERT INTO history(applicant_id, day, at, from_state, to_state,"
				      " source, actor, note) VALUES(?,?,?,?,?,?,?,?)");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, applicant_id);
	store_bind_text(st, 2, ctx->today);
	store_bind_text(st, 3, store_now());
	store_bind_text(st, 4, from);
	store_bind_text(st, 5, to);
	store_bind_text(st, 6, source);
	store_bind_text(st, 7, ctx->actor);
	store_bind_text(st, 8, note);
	return store_step_done(st);
}

int store_set_state(struct tte_ctx *ctx, long long applicant_id, const char *from,
		    const char *to, const char *source, const char *note)
{
	sqlite3_stmt *st = store_stmt(ctx->db, "UPDATE applicants SET state=?, state_day=?,"
				      " state_at=? WHERE id=?");

	if (!st)
		return -1;
	store_bind_text(st, 1, to);
	store_bind_text(st, 2, ctx->today);
	store_bind_text(st, 3, store_now());
	sqlite3_bind_int64(st, 4, applicant_id);
	if (store_step_done(st))
		return -1;
	return store_history(ctx, applicant_id, from, to, source, note);
}

int store_scrub(sqlite3 *db)
{
	if (store_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)") || store_exec(db, "VACUUM") ||
	    store_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)"))
		return -1;
	return 0;
}
