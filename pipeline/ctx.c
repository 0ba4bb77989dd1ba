/*
 * ctx.c - setting up a command or stage: root, date, config, umask,
 * folders, lock; and stage_main(), the skeleton of every stage program.
 *
 * The lock is flock(2) on var/lock. `tte run` takes it once and hands the
 * descriptor to its stage programs (TTE_LOCK_FD), which share the same open
 * file description and so the same lock; a second `tte run` started by an
 * overlapping cron gets EWOULDBLOCK and exits 3.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <glib.h>

#include "config.h"
#include "dates.h"
#include "fsutil.h"
#include "log.h"
#include "stage.h"
#include "store.h"
#include "tte.h"

const char *const tte_dirs[] = {
	"inbox/forms", "inbox/status", "inbox/signed",
	"outbox/letters", "outbox/bundles", "outbox/notices", "outbox/reports",
	"outbox/verification",
	"var/processed", "var/quarantine", "var/log", "var/tmp", "var/signed",
	NULL,
};

/* Folders holding personal data: their mode follows the umask. */
static const char *const private_dirs[] = {
	"outbox", "outbox/letters", "outbox/bundles", "outbox/notices", "outbox/reports",
	"outbox/verification", "var", "var/processed", "var/quarantine", "var/log", "var/tmp",
	"var/signed", NULL,
};

char *tte_path(const struct tte_ctx *ctx, const char *first, ...)
{
	GPtrArray *parts = g_ptr_array_new();
	va_list ap;
	char *path;

	g_ptr_array_add(parts, ctx->root);
	va_start(ap, first);
	for (const char *p = first; p; p = va_arg(ap, const char *))
		g_ptr_array_add(parts, (gpointer)p);
	va_end(ap);
	g_ptr_array_add(parts, NULL);
	path = g_build_filenamev((gchar **)parts->pdata);
	g_ptr_array_free(parts, TRUE);
	return path;
}

int ctx_setup(struct tte_ctx *ctx, const char *root, const char *date)
{
	char real[PATH_MAX];
	char *conf;
	struct stat st;

	if (!root || !*root)
		root = getenv("TTE_ROOT");
	if (!root || !*root)
		root = ".";
	if (!realpath(root, real) || stat(real, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "tte: folder root %s tidak ada atau bukan folder\n", root);
		return TTE_EXIT_USAGE;
	}
	ctx->root = g_strdup(real);
	ctx->now = (long long)time(NULL);
	if (date && *date) {
		GDate d;

		if (date_parse_iso(date, &d)) {
			fprintf(stderr, "tte: --date harus berbentuk YYYY-MM-DD, bukan \"%s\"\n", date);
			return TTE_EXIT_USAGE;
		}
		date_iso(&d, ctx->today);
	} else {
		struct tm tm;
		time_t t = (time_t)ctx->now;

		localtime_r(&t, &tm);
		strftime(ctx->today, sizeof(ctx->today), "%Y-%m-%d", &tm);
	}
	g_snprintf(ctx->today_compact, sizeof(ctx->today_compact), "%.4s%.2s%.2s", ctx->today,
		   ctx->today + 5, ctx->today + 8);

	conf = tte_path(ctx, "tte.conf", NULL);
	ctx->cfg = config_load(conf);
	g_free(conf);
	if (!ctx->cfg)
		return TTE_EXIT_USAGE;
	umask(ctx->cfg->umask);
	ctx->tty = isatty(STDERR_FILENO);
	if (!ctx->actor)
		ctx->actor = "cron";

	for (const char *const *d = tte_dirs; *d; d++) {
		char *p = tte_path(ctx, *d, NULL);

		if (fs_mkdir_p(p, 0777)) {
			g_free(p);
			return TTE_EXIT_FAIL;
		}
		g_free(p);
	}
	for (const char *const *d = private_dirs; *d; d++) {
		char *p = tte_path(ctx, *d, NULL);

		/* Only our own folders: a shared root may hold others'. */
		if (!lstat(p, &st) && S_ISDIR(st.st_mode) && st.st_uid == geteuid())
			chmod(p, 0777 & ~ctx->cfg->umask);
		g_free(p);
	}
	return 0;
}

int ctx_lock(struct tte_ctx *ctx)
{
	const char *env = getenv("TTE_LOCK_FD");
	char *path;
	int fd;

	if (env && *env) {
		char *end;
		long v = strtol(env, &end, 10);

		if (!*end && v > 2 && fcntl((int)v, F_GETFD) >= 0)
			return (int)v;
	}
	path = tte_path(ctx, "var", "lock", NULL);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0) {
		log_error("tidak dapat membuka %s: %s", path, strerror(errno));
		g_free(path);
		return -2;
	}
	g_free(path);
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int e = errno;

		close(fd);
		errno = e;
		if (e == EWOULDBLOCK)
			return -1;
		log_error("flock var/lock: %s", strerror(e));
		return -2;
	}
	return fd;
}

int ctx_lock_or_say(struct tte_ctx *ctx, int *fd)
{
	int lock = ctx_lock(ctx);

	if (fd)
		*fd = lock;
	if (lock == -1) {
		fprintf(stderr, "tte: proses tte lain sedang berjalan (var/lock); coba lagi nanti\n");
		return TTE_EXIT_LOCKED;
	}
	return lock < -1 ? TTE_EXIT_FAIL : 0;
}

void ctx_release(struct tte_ctx *ctx)
{
	config_free(ctx->cfg);
	ctx->cfg = NULL;
	g_free(ctx->root);
	ctx->root = NULL;
}

static void clean_outbox_temps(struct tte_ctx *ctx)
{
	for (const char *const *d = tte_dirs; *d; d++) {
		if (strncmp(*d, "outbox/", 7) && strncmp(*d, "var/", 4))
			continue;
		{
			char *p = tte_path(ctx, *d, NULL);
			int n = fs_clean_temps(p);

			if (n)
				log_info("removed %d leftover temporary file(s) in %s", n, *d);
			g_free(p);
		}
	}
}

int stage_main(const struct stage_desc *d, int argc, char **argv)
{
	struct tte_ctx ctx = { .stage = d->name };
	char *root = NULL, *date = NULL;
	GOptionEntry common[] = {
		{ "root", 0, 0, G_OPTION_ARG_FILENAME, &root, "root folder", "DIR" },
		{ "date", 0, 0, G_OPTION_ARG_STRING, &date, "today's date", "YYYY-MM-DD" },
		G_OPTION_ENTRY_NULL,
	};
	GOptionContext *oc = g_option_context_new(d->usage ? d->usage : "");
	GError *err = NULL;
	int rc;

	/* A file-size limit must fail a write (EFBIG), not kill the stage. */
	signal(SIGXFSZ, SIG_IGN);
	g_option_context_add_main_entries(oc, common, NULL);
	if (d->options)
		g_option_context_add_main_entries(oc, d->options, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &err)) {
		fprintf(stderr, "tte %s: %s\n", d->name, err->message);
		g_error_free(err);
		g_option_context_free(oc);
		return TTE_EXIT_USAGE;
	}
	g_option_context_free(oc);

	rc = ctx_setup(&ctx, root, date);
	if (rc)
		goto out;
	ctx.in_run = getenv("TTE_RUN") != NULL;
	rc = ctx_lock_or_say(&ctx, NULL);
	if (rc)
		goto out;
	log_open(&ctx);
	clean_outbox_temps(&ctx);
	if (store_open(&ctx)) {
		rc = TTE_EXIT_FAIL;
		goto out;
	}
	{
		gint64 t0 = g_get_monotonic_time();
		struct rusage ru = { 0 };

		log_info("stage %s start (root %s, date %s)", d->name, ctx.root, ctx.today);
		rc = d->run(&ctx, argc - 1, argv + 1);
		getrusage(RUSAGE_SELF, &ru);
		log_info("stage %s end: exit %d, %.3f s, peak RSS %ld KiB", d->name, rc,
			 (double)(g_get_monotonic_time() - t0) / 1e6, ru.ru_maxrss);
	}
out:
	store_close(&ctx);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "tte: gagal menulis keluaran: %s\n", strerror(errno));
		if (!rc)
			rc = TTE_EXIT_FAIL;
	}
	log_close();
	ctx_release(&ctx);
	g_free(root);
	g_free(date);
	return rc;
}
