/*
 * ctx.c - setting up a command or stage: root (and whether we may write
 * it), date, config lookup, umask, folders, lock; and stage_main(), the
 * skeleton of every stage program (stage.h).
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
#include "testhook.h"
#include "tte.h"

/* Where the system-wide tte.conf lives: SYSCONFDIR/tte/tte.conf. */
#ifndef TTE_SYSCONFDIR
#define TTE_SYSCONFDIR "/etc"
#endif

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

const char *ctx_sysconfdir(void)
{
	const char *etc = getenv("TTE_TEST_SYSCONFDIR");	/* tests only */

	return etc && *etc ? etc : TTE_SYSCONFDIR;
}

char *ctx_config_path(const char *root)
{
	char *p = g_build_filename(root, "tte.conf", NULL);
	struct stat st;

	if (!lstat(p, &st))
		return p;
	g_free(p);
	p = g_build_filename(ctx_sysconfdir(), "tte", "tte.conf", NULL);
	if (!lstat(p, &st))
		return p;
	g_free(p);
	return NULL;
}

static char *user_name(uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	return pw ? g_strdup(pw->pw_name) : g_strdup_printf("uid %u", (unsigned)uid);
}

/* Can we write the root and what tte keeps in it? Says who owns the first
 * that we cannot, before anything is written; -1 then. */
static int root_writable(const char *root)
{
	static const char *const parts[] = { "", "var", "var/tte.db", "var/log", "var/lock", NULL };

	for (const char *const *p = parts; *p; p++) {
		char *path = **p ? g_build_filename(root, *p, NULL) : g_strdup(root);
		struct stat st;
		int e;

		if (lstat(path, &st) || !faccessat(AT_FDCWD, path, W_OK, AT_EACCESS)) {
			g_free(path);
			continue;
		}
		e = errno;
		if (e == EROFS) {
			fprintf(stderr, "tte: %s berada di sistem berkas hanya-baca; tidak ada yang "
				"ditulis\n", path);
		} else {
			char *who = user_name(st.st_uid), *me = user_name(geteuid());

			fprintf(stderr, "tte: %s tidak dapat ditulis oleh pengguna %s (pemilik: %s, "
				"mode %04o): %s; tidak ada yang ditulis. Jalankan sebagai pemiliknya, "
				"mis. sudo -u %s tte ...\n", path, me, who,
				(unsigned)(st.st_mode & 07777), strerror(e), who);
			g_free(who);
			g_free(me);
		}
		g_free(path);
		return -1;
	}
	return 0;
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

	if (root_writable(ctx->root))
		return TTE_EXIT_USAGE;
	conf = ctx_config_path(ctx->root);
	ctx->cfg = conf ? config_load(conf) : config_new_default();
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

	if (d->direct && argc > 1) {
		rc = d->direct(root, argc - 1, argv + 1);
		goto out;
	}
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
		tte_test_point("start");
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
