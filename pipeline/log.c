/*
 * log.c - run log and stderr messages.
 *
 * The log file is append-only and written with one write(2) per line, so
 * stage programs sharing it through an inherited descriptor never
 * interleave within a line. Failing to write the log is not fatal to the
 * run (the run's outputs matter more than its diary) but is said once on
 * stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <glib.h>

#include "fsutil.h"
#include "log.h"
#include "rules.h"
#include "tte.h"

static int log_fd = -1;
static bool owns_fd;
static bool is_tty;
static bool write_failed;
static char *own_path;
static const char *stage_name = "tte";

char *log_scrub(char *s)
{
	char *m = rules_mask_id_runs(s, false);

	memcpy(s, m, strlen(s));	/* masking keeps the length */
	g_free(m);
	return s;
}

/* The message of FMT, AP as one line fit for display: NIK-like runs masked
 * and control characters escaped (a newline in a file name must not start
 * a forged log line). New string. */
static char *one_line(const char *fmt, va_list ap)
{
	char *raw = log_scrub(g_strdup_vprintf(fmt, ap));
	char *msg = fs_display_name(raw);

	g_free(raw);
	return msg;
}

int log_open(const struct tte_ctx *ctx)
{
	const char *env = getenv("TTE_LOG_FD");
	char stamp[32];
	struct tm tm;
	time_t t = time(NULL);
	char *dir;

	is_tty = isatty(STDERR_FILENO);
	stage_name = ctx->stage ? ctx->stage : "tte";
	if (env && *env) {
		char *end;
		long fd = strtol(env, &end, 10);

		if (!*end && fd > 2 && fcntl((int)fd, F_GETFD) >= 0) {
			log_fd = (int)fd;
			return 0;
		}
	}
	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	dir = tte_path(ctx, "var", "log", NULL);
	own_path = g_strdup_printf("%s/%s-%s-%ld.log", dir, stage_name, stamp, (long)getpid());
	g_free(dir);
	log_fd = open(own_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (log_fd < 0) {
		fprintf(stderr, "tte: log %s tidak dapat dibuat: %s\n", own_path, strerror(errno));
		return -1;
	}
	owns_fd = true;
	return 0;
}

const char *log_path(void)
{
	return own_path;
}

bool log_is_current(const char *path)
{
	struct stat a, b;

	return log_fd >= 0 && !fstat(log_fd, &a) && !lstat(path, &b) && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

void log_close(void)
{
	if (log_fd >= 0 && owns_fd) {
		if (fsync(log_fd) && errno != EINVAL)
			fprintf(stderr, "tte: log: fsync: %s\n", strerror(errno));
		if (close(log_fd))
			fprintf(stderr, "tte: log: close: %s\n", strerror(errno));
	}
	log_fd = -1;
}

void log_rows_progress(gint64 *last, const char *stage, const char *file, long rows)
{
	gint64 now;

	if (!is_tty || rows % 20000)
		return;
	now = g_get_monotonic_time();
	if (now - *last > 500000) {
		*last = now;
		log_tty("\r  %s %s: %ld baris", stage, file, rows);
	}
}

static void emit(const char *level, const char *fmt, va_list ap)
{
	char *msg = one_line(fmt, ap);
	char stamp[32];
	struct tm tm;
	time_t t = time(NULL);
	char *line;
	size_t len;

	if (log_fd < 0)
		goto out;
	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S%z", &tm);
	line = g_strdup_printf("%s %s[%ld] %s%s\n", stamp, stage_name, (long)getpid(), level, msg);
	len = strlen(line);
	if (write(log_fd, line, len) != (ssize_t)len && !write_failed) {
		write_failed = true;
		fprintf(stderr, "tte: log tidak dapat ditulis: %s\n", strerror(errno));
	}
	g_free(line);
out:
	g_free(msg);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	emit("warning: ", fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	msg = one_line(fmt, ap);
	va_end(ap);
	fprintf(stderr, "tte: peringatan: %s\n", msg);
	g_free(msg);
}

int log_error(const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	emit("error: ", fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	msg = one_line(fmt, ap);
	va_end(ap);
	fprintf(stderr, "tte: %s\n", msg);
	g_free(msg);
	return -1;
}

void log_tty(const char *fmt, ...)
{
	va_list ap;
	char *raw, *mid, *body;
	size_t lead = 0, len;

	if (!is_tty)
		return;
	va_start(ap, fmt);
	raw = log_scrub(g_strdup_vprintf(fmt, ap));
	va_end(ap);
	/* A line may start with "\r" (progress) and end with "\n": those are
	 * ours; anything else in between came with a name. */
	len = strlen(raw);
	while (raw[lead] == '\r')
		lead++;
	while (len > lead && raw[len - 1] == '\n')
		len--;
	mid = g_strndup(raw + lead, len - lead);
	body = fs_display_name(mid);
	fprintf(stderr, "%.*s%s%s", (int)lead, raw, body, raw + len);
	g_free(body);
	g_free(mid);
	g_free(raw);
}
