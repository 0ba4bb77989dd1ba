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

#include "log.h"
#include "tte.h"

static int log_fd = -1;
static bool owns_fd;
static bool is_tty;
static bool write_failed;
static char *own_path;
static const char *stage_name = "tte";

char *log_scrub(char *s)
{
	size_t i = 0;

	while (s[i]) {
		size_t j = i;

		while (g_ascii_isdigit(s[j]))
			j++;
		if (j - i >= 16) {
			for (size_t k = i + 4; k < j; k++)
				s[k] = '*';
		}
		i = j > i ? j : i + 1;
	}
	return s;
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
	char *msg = g_strdup_vprintf(fmt, ap);
	char stamp[32];
	struct tm tm;
	time_t t = time(NULL);
	char *line;
	size_t len;

	if (log_fd < 0)
		goto out;
	log_scrub(msg);
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
	msg = log_scrub(g_strdup_vprintf(fmt, ap));
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
	msg = log_scrub(g_strdup_vprintf(fmt, ap));
	va_end(ap);
	fprintf(stderr, "tte: %s\n", msg);
	g_free(msg);
	return -1;
}

void log_tty(const char *fmt, ...)
{
	va_list ap;

	if (!is_tty)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}
