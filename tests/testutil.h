/*
 * testutil.h - helpers for tte's tests: temporary roots, running the built
 * binary, reading back what it wrote with the tools a user would (unzip,
 * sqlite3), and parsing XLSX sheets with libxml2.
 *
 * Everything aborts the test (cmocka fail) on a setup error; helpers return
 * newly allocated memory the caller frees with g_free / g_ptr_array_unref.
 */
#ifndef TTE_TESTUTIL_H
#define TTE_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <setjmp.h>
#include <cmocka.h>
#include <glib.h>

/* The tte binary under test: $TTE_BIN, else build/asan/tte. */
const char *tu_bin(void);

/* A fresh root under $TMPDIR with tte.conf (settle_seconds = 0, a made-up
 * recommender) and EXTRA_CONF appended (may be NULL). */
char *tu_root_new(const char *extra_conf);

/* rm -rf ROOT and free it. */
void tu_root_free(char *root);

/* Run `tte --root ROOT [--date DATE --allow-future-date] ARGS...`
 * (NULL-terminated): tests replay fixed days, ahead of the clock or not.
 * Returns the exit status; *OUT and *ERR (may be NULL) get stdout and
 * stderr. */
int tu_tte(const char *root, const char *date, char **out, char **err, ...)
	__attribute__((sentinel));

/* Start `tte --root ROOT --date DATE run` in a process group of its own
 * (output to /dev/null) with the test-only stop point SPEC
 * ("PROGRAM:STEP[:N]", include/testhook.h), and wait until a program of
 * the run announces it has stopped there. Returns the pid of `tte run`
 * (the group leader); *STOPPED gets the pid of the stopped program, or 0
 * when the run ended without reaching the point. The caller kills and
 * reaps. */
pid_t tu_run_stop_at(const char *root, const char *date, const char *spec, pid_t *stopped);

/* Kill the whole run RUN (from tu_run_stop_at) with SIGKILL, reap it,
 * and wait until its stopped program STOPPED (not our child: it was the
 * run's) has exited too, so that its lock is released when this returns.
 * Waits on a pidfd, bounded at 60 s. Returns RUN's wait status. */
int tu_kill_run(pid_t run, pid_t stopped);

/* Run a shell command; returns its exit status. Output into *OUT if not NULL. */
int tu_sh(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write / read / copy whole files. */
void tu_write(const char *path, const char *data, size_t len);
void tu_write_str(const char *path, const char *text);
char *tu_read(const char *path, size_t *len);
void tu_copy(const char *src, const char *dst);
char *tu_path(const char *root, const char *rel);
/* Path of a sample export (tests/data/samples, copied from ../shared). */
char *tu_sample(const char *rel);
/* Path in ../shared ($TTE_SHARED). */
char *tu_shared(const char *rel);

/* Query ROOT/var/tte.db with the sqlite3 command-line tool; rows separated
 * by '\n', columns by '|', trailing newline removed. */
char *tu_sql(const char *root, const char *sql);
long long tu_sql_int(const char *root, const char *sql);

/* A sheet of an XLSX file, read with unzip -p and libxml2: a GPtrArray of
 * rows, each a GPtrArray of cell texts (char *, "" for empty cells), by
 * column from A. Shared and inline strings resolved. NULL when the sheet
 * is missing. */
GPtrArray *tu_xlsx_sheet(const char *xlsx, const char *sheet);

/* Cell text at ROW (0 = first row) and COL, "" when absent. */
const char *tu_cell(GPtrArray *rows, guint row, guint col);

/* Index of the column whose header (row 0) is NAME, or -1. */
int tu_col(GPtrArray *rows, const char *name);

/* Row index whose column COL equals VALUE, or -1. */
int tu_find_row(GPtrArray *rows, int col, const char *value);

/* Path of a helper program built beside tte (tools/NAME). */
char *tu_tool(const char *name);

/* Write an export of N synthetic submissions (tools/gen-forms ARGS) to PATH. */
void tu_gen_forms(const char *path, const char *args);

/* Does FILE (or any file under a directory) contain NEEDLE? */
gboolean tu_file_contains(const char *path, const char *needle);

/* How many entries folder REL under ROOT holds (0 when it does not exist). */
int tu_count_files(const char *root, const char *rel);

#endif
