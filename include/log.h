/*
 * log.h - the run log under var/log/ and messages on stderr.
 *
 * One log file per run: `tte run` opens var/log/run-YYYYMMDD-HHMMSS.log and
 * passes it to its stage programs (TTE_LOG_FD); a stage run alone opens its
 * own. Log lines are English, timestamped and prefixed with the stage name.
 * Every line goes through a scrubber that masks any run of 16 or more
 * digits, so a NIK can never reach a log even by way of a file name, and
 * is made fit for display (fs_display_name): valid UTF-8, control
 * characters escaped, so a newline in a file name cannot forge a line.
 * The same holds for what goes to stderr.
 *
 * Messages for people go to stderr: warnings and errors always (cron mails
 * them), progress and summaries only at a terminal.
 */
#ifndef TTE_LOG_H
#define TTE_LOG_H

#include <stdbool.h>
#include <glib.h>

struct tte_ctx;

/* Open or inherit the run log for CTX (var/log must exist). 0 / -1. */
int log_open(const struct tte_ctx *ctx);

/* Path of the run log file when this process opened it, else NULL. */
const char *log_path(void);

/* Is PATH the log file this process writes (opened or inherited)? Lets
 * the purge of old logs spare the log of the run doing the purge. */
bool log_is_current(const char *path);

/* Flush and close the log (at exit). */
void log_close(void);

/* A line in the log only. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A warning: to the log and to stderr as "tte: peringatan: ...". */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* An error: to the log and to stderr as "tte: ...". Returns -1 so that
 * library code can `return log_error(...)`. */
int log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Progress or summary for a person at a terminal (stderr); nothing under
 * cron. Not logged. */
void log_tty(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "\r  STAGE FILE: N baris" at a terminal while a long file is read, every
 * 20000 rows and at most twice a second; *LAST keeps the time of the last
 * line (monotonic microseconds, start at 0). */
void log_rows_progress(gint64 *last, const char *stage, const char *file, long rows);

/* Replace every run of 16+ digits in S (in place; digits separated by
 * single spaces, dots or dashes count as one run) with its first four
 * digits and asterisks (rules_mask_id_runs). Returns S. */
char *log_scrub(char *s);

#endif
