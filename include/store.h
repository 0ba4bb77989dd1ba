/*
 * store.h - the state of tte: SQLite var/tte.db.
 *
 * The schema is versioned with PRAGMA user_version; store_open() applies
 * missing migrations (each in its own transaction) and refuses a database
 * newer than this program. The database runs in WAL mode with
 * synchronous=FULL (a lost commit could lose an applicant), foreign keys
 * on, and secure_delete on (deleted personal data is overwritten).
 *
 * Applicants are keyed by an HMAC-SHA256 of the NIK under a key kept in
 * var/nik.key (0600), so that the NIK itself can be destroyed at purge and a
 * later resubmission still finds the person.
 *
 * Tables (see pipeline/store.c for the columns; applicants.state holds
 * only the states of include/states.h, checked by the schema):
 *   inputs        processed input files, by SHA-256
 *   quarantine    input files set aside, with the reason
 *   applicants    one per person (NIK); current data, state, waiver
 *   submissions   every distinct form row ever read, with its verdict
 *   problems      the rule failures of each rejected submission
 *   history       every state change: when, from, to, source, by whom
 *   letters, bundles, verifications   letters, bundle and verify stages
 *   status_unmatched   status rows that matched nobody or had an unknown status
 *   input_applicants   the applicants each status export named (for the purge)
 *
 * All functions log their own errors and return 0 / -1 unless said.
 */
#ifndef TTE_STORE_H
#define TTE_STORE_H

#include <sqlite3.h>
#include <stdbool.h>

struct tte_ctx;

/* Current schema version (PRAGMA user_version). */
#define STORE_VERSION 6

/* Open var/tte.db under ctx->root into ctx->db, creating and migrating it,
 * and load (or create) the NIK key. */
int store_open(struct tte_ctx *ctx);

/* Close ctx->db (checkpointing the WAL). */
void store_close(struct tte_ctx *ctx);

/* Create var/nik.key (32 random bytes, mode 0600) when it does not exist. */
int store_key_init(const struct tte_ctx *ctx);

/* Run SQL without results. */
int store_exec(sqlite3 *db, const char *sql);

/* Transactions: BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int store_begin(sqlite3 *db);
int store_commit(sqlite3 *db);
void store_rollback(sqlite3 *db);

/* Prepare SQL; NULL (logged) on error. Caller finalizes. */
sqlite3_stmt *store_prepare(sqlite3 *db, const char *sql);

/* A cached prepared statement for SQL, which must be a string literal (the
 * cache keys on its address). Reset and with bindings cleared; owned by the
 * store, finalized by store_close(). */
sqlite3_stmt *store_stmt(sqlite3 *db, const char *sql);

/* Step a statement expected to finish (INSERT/UPDATE/DELETE), then reset
 * it. */
int store_step_done(sqlite3_stmt *st);

/*
 * Step a query: 1 when a row is ready, 0 when it is done, -1 on an error
 * (logged; the statement is reset). Every loop over rows ends on 0 or
 * fails, so an error is never mistaken for the end of the rows:
 *
 *	while ((rc = store_row(st)) > 0)
 *		...;
 *	if (rc < 0)
 *		goto fail;
 *
 * Tests: TTE_TEST_FAULT=step:N in the environment makes the Nth step in
 * the process (through store_row, store_step_done or store_int) fail
 * with SQLITE_IOERR, as a failing disk would; only in builds with
 * TTE_TEST_HOOKS (include/testhook.h).
 */
int store_row(sqlite3_stmt *st);

/* Bind TEXT or NULL (when S is NULL) at position I (copied). */
void store_bind_text(sqlite3_stmt *st, int i, const char *s);

/* The same without a copy: S must stay valid until the statement is
 * reset (hot paths that step right after binding). */
void store_bind_static(sqlite3_stmt *st, int i, const char *s);

/* The HMAC-SHA256 of a cleaned 16-digit NIK under the store's key, its
 * first 128 bits as 32 hex digits: the applicants' key. */
#define STORE_HMAC_HEX 33
void store_nik_hmac(const char *nik, char hex[STORE_HMAC_HEX]);

/* HMAC-SHA256 of MSG under the same key, for identifiers that must be
 * stable in this installation yet unguessable outside it (letter ids).
 * Callers prefix MSG with their own label so the uses never collide. */
void store_key_hmac(const void *msg, size_t len, unsigned char mac[32]);

/*
 * Record a state change of an applicant: history row with ctx->today,
 * the wall-clock time, FROM (may be NULL), TO, SOURCE (input file name,
 * stage or command), ctx->actor and NOTE (may be NULL); and set the
 * applicant's state, state_day and state_at. Must run inside the caller's
 * transaction.
 */
int store_set_state(struct tte_ctx *ctx, long long applicant_id, const char *from,
		    const char *to, const char *source, const char *note);

/* Append a history row without changing the state (waivers, notes). */
int store_history(struct tte_ctx *ctx, long long applicant_id, const char *from,
		  const char *to, const char *source, const char *note);

/* Wall-clock time now, "YYYY-MM-DDTHH:MM:SS+ZZZZ" local (static buffer). */
const char *store_now(void);

/* The integer in the first column of the first row of SQL (no
 * parameters) into *V: 0 when there is no row or it is NULL. 0 / -1 (a
 * database error, logged), so no caller acts on a made-up value. */
int store_int(sqlite3 *db, const char *sql, long long *v);

/* Make deleted data unrecoverable: checkpoint and truncate the WAL, VACUUM
 * (secure_delete is already on). For the purge stage. */
int store_scrub(sqlite3 *db);

#endif
