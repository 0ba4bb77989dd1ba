/*
 * tte - the front command: one table of commands (after git.c).
 *
 *   tte [--root DIR] [--date YYYY-MM-DD] [--allow-future-date] COMMAND [ARGS]
 *   tte --help | --version | help [COMMAND]
 *
 * The global options are parsed with GOptionContext up to the command.
 * Stage commands (the lines of include/stages.def) exec the stage's own
 * program, found beside this binary: <bindir>/TTE_LIBEXEC_REL/<stage> when
 * installed, <dir of tte>/stages/<stage> in a build tree, or
 * $TTE_STAGES_DIR/<stage>. `tte run` runs every stage in stages.def order
 * as a child process under one lock and one log, stopping at the first
 * failure; a child dies with the driver (PR_SET_PDEATHSIG), so a killed run
 * leaves no stage holding the lock. `run` and `purge` refuse a --date past
 * tomorrow unless --allow-future-date is given. init, show, accept and
 * help are small enough to live here. Reading the table below tells the
 * whole program.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <glib.h>

#include "config.h"
#include "dates.h"
#include "fsutil.h"
#include "log.h"
#include "rules.h"
#include "stage.h"
#include "store.h"
#include "tte.h"

/* Set by the Makefile: VERSION, plus `git describe` in a git checkout. */
#ifndef TTE_VERSION
#define TTE_VERSION "unknown"
#endif

/* Where an installed tte finds its stage programs, relative to the
 * directory of the tte binary. */
#ifndef TTE_LIBEXEC_REL
#define TTE_LIBEXEC_REL "../libexec/tte"
#endif

struct global {
	char *root;
	char *date;
	gboolean allow_future_date;
	char *self_dir;		/* where the tte binary is */
};

struct cmd {
	const char *name;
	int (*fn)(struct global *g, const struct cmd *c, int argc, char **argv);
	const char *args;
	const char *help;	/* one line, for `tte --help` */
	const char *more;	/* what `tte help NAME` adds */
};

/* The nightly batch, in order. Each reads only what the ones before it
 * committed. */
static const char *const run_order[] = {
#define TTE_STAGE(name, args, help, more) #name,
#include "stages.def"
#undef TTE_STAGE
	NULL,
};

static int cmd_init(struct global *g, const struct cmd *c, int argc, char **argv);
static int cmd_run(struct global *g, const struct cmd *c, int argc, char **argv);
static int cmd_stage(struct global *g, const struct cmd *c, int argc, char **argv);
static int cmd_show(struct global *g, const struct cmd *c, int argc, char **argv);
static int cmd_accept(struct global *g, const struct cmd *c, int argc, char **argv);
static int cmd_help(struct global *g, const struct cmd *c, int argc, char **argv);

static const struct cmd commands[] = {
	{ "init", cmd_init, "", "membuat folder dan tte.conf berisi nilai bawaan",
	  "Membuat inbox/, outbox/ dan var/, tte.conf berisi setiap kunci dengan nilai bawaan\n"
	  "dan komentarnya (bila belum ada), database var/tte.db dan kunci var/nik.key.\n"
	  "tte.conf yang sudah ada tidak diubah; bila ada konfigurasi sistem\n"
	  "(/etc/tte/tte.conf) tidak ada tte.conf yang dibuat di root." },
	{ "run", cmd_run, "", "batch malam: semua tahap berurutan (untuk cron)",
	  "Menjalankan setiap tahap berurutan, masing-masing sebagai programnya sendiri, di\n"
	  "bawah satu kunci (var/lock) dan satu log (var/log/); berhenti pada tahap pertama\n"
	  "yang gagal. Di terminal menampilkan kemajuan; di bawah cron diam kecuali ada yang\n"
	  "perlu diperhatikan." },
#define TTE_STAGE(name, args, help, more) { #name, cmd_stage, args, help, more },
#include "stages.def"
#undef TTE_STAGE
	{ "show", cmd_show, "NIP|NIK|EMAIL", "data, status, dan riwayat satu pemohon",
	  "Menampilkan data pemohon, statusnya, setiap pengajuan beserta masalahnya, dan\n"
	  "riwayat perubahan status." },
	{ "accept", cmd_accept, "NIP --reason TEXT",
	  "verifikator mengecualikan aturan yang boleh dikecualikan untuk satu pemohon",
	  "Mencatat pengecualian (siapa dan mengapa) di riwayat; run berikutnya menerima data\n"
	  "pemohon saat ini bila hanya aturan yang dapat dikecualikan yang dilanggar. Yang\n"
	  "tercatat adalah login verifikator ($SUDO_USER bila lewat sudo).\n\n"
	  "Opsi:\n  --reason TEXT  alasan pengecualian (wajib)" },
	{ "help", cmd_help, "[PERINTAH]", "bantuan umum, atau pemakaian satu perintah", "" },
};

static const char global_opts[] =
	"Opsi global (sebelum PERINTAH):\n"
	"  --root DIR            folder root (bawaan: $TTE_ROOT, atau folder saat ini)\n"
	"  --date YYYY-MM-DD     tanggal \"hari ini\" untuk seluruh perintah (bawaan: tanggal lokal)\n"
	"  --allow-future-date   izinkan --date lebih dari besok untuk run dan purge\n"
	"                        (hanya untuk uji dan putar ulang)\n"
	"  -h, --help            bantuan ini\n"
	"  --version             versi tte\n";

static void usage(FILE *f)
{
	fprintf(f, "pemakaian: tte [OPSI] PERINTAH [ARGUMEN]\n\n%s\nPerintah:\n", global_opts);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-8s %-20s %s\n", commands[i].name, commands[i].args, commands[i].help);
	fprintf(f, "\nUrutan tahap `tte run`:");
	for (const char *const *s = run_order; *s; s++)
		fprintf(f, " %s", *s);
	fprintf(f, "\n`tte help PERINTAH` menjelaskan satu perintah.\n"
		   "\nRoot: --root DIR, atau $TTE_ROOT, atau folder saat ini.\n"
		   "Konfigurasi: <root>/tte.conf, atau %s/tte/tte.conf, atau nilai bawaan.\n"
		   "Kode keluar: 0 selesai, 1 tahap gagal, 2 pemakaian/konfigurasi, 3 proses lain "
		   "sedang berjalan.\n", ctx_sysconfdir());
}

static const struct cmd *find_cmd(const char *name)
{
	for (size_t k = 0; k < ARRAY_SIZE(commands); k++)
		if (!strcmp(commands[k].name, name))
			return &commands[k];
	return NULL;
}

static int cmd_help(struct global *g, const struct cmd *c, int argc, char **argv)
{
	const struct cmd *h;

	(void)g;
	(void)c;
	if (!argc) {
		usage(stdout);
		return TTE_EXIT_OK;
	}
	h = argc == 1 ? find_cmd(argv[0]) : NULL;
	if (!h) {
		fprintf(stderr, "tte help: perintah tidak dikenal: %s\n\n", argc ? argv[0] : "");
		usage(stderr);
		return TTE_EXIT_USAGE;
	}
	printf("pemakaian: tte [OPSI] %s%s%s\n\n%c%s.\n", h->name, *h->args ? " " : "", h->args,
	       g_ascii_toupper(h->help[0]), h->help + 1);
	if (*h->more)
		printf("\n%s\n", h->more);
	printf("\n%s", global_opts);
	return TTE_EXIT_OK;
}

/* The stage program NAME: $TTE_STAGES_DIR/NAME, else the installed
 * <bindir>/TTE_LIBEXEC_REL/NAME, else the build tree's <dir of tte>/stages/
 * NAME. NULL, after saying where it looked, when none is executable. */
static char *stage_program(struct global *g, const char *name)
{
	const char *env = getenv("TTE_STAGES_DIR");
	char *dirs[2] = { NULL, NULL };
	char *found = NULL;
	GString *tried = g_string_new("");

	if (env && *env) {
		dirs[0] = g_canonicalize_filename(env, NULL);
	} else {
		dirs[0] = g_canonicalize_filename(TTE_LIBEXEC_REL, g->self_dir);
		dirs[1] = g_build_filename(g->self_dir, "stages", NULL);
	}
	for (size_t i = 0; i < ARRAY_SIZE(dirs) && dirs[i]; i++) {
		char *p = g_build_filename(dirs[i], name, NULL);

		if (!access(p, X_OK)) {
			found = p;
			break;
		}
		g_string_append_printf(tried, "%s%s", tried->len ? ", " : "", p);
		g_free(p);
	}
	if (!found)
		fprintf(stderr, "tte: program tahap %s tidak ditemukan; dicari di: %s\n", name,
			tried->str);
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		g_free(dirs[i]);
	g_string_free(tried, TRUE);
	return found;
}

/* argv for a stage program: PROG --root R [--date D] ARGS... */
static char **stage_argv(struct global *g, const char *prog, const char *root, int argc,
			 char **argv)
{
	GPtrArray *a = g_ptr_array_new();

	g_ptr_array_add(a, g_strdup(prog));
	g_ptr_array_add(a, g_strdup("--root"));
	g_ptr_array_add(a, g_strdup(root));
	if (g->date) {
		g_ptr_array_add(a, g_strdup("--date"));
		g_ptr_array_add(a, g_strdup(g->date));
	}
	for (int i = 0; i < argc; i++)
		g_ptr_array_add(a, g_strdup(argv[i]));
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

static int cmd_stage(struct global *g, const struct cmd *c, int argc, char **argv)
{
	char *prog = stage_program(g, c->name);
	char **av;

	if (!prog)
		return TTE_EXIT_USAGE;
	av = stage_argv(g, prog, g->root ? g->root : (getenv("TTE_ROOT") ? getenv("TTE_ROOT")
						     : "."), argc, argv);
	fflush(NULL);
	execv(prog, av);
	fprintf(stderr, "tte: program tahap %s tidak dapat dijalankan: %s\n", prog, strerror(errno));
	g_strfreev(av);
	g_free(prog);
	return TTE_EXIT_FAIL;
}

static void keep_open(int fd)
{
	fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) & ~FD_CLOEXEC);
}

/* Run stage program PROG under our lock and log; its exit code, or 1 when
 * it died. The child dies with us: an admin's kill -9 of `tte run` (or a
 * `timeout -s KILL`) must not leave a stage running unsupervised and
 * holding the lock the next run needs. */
static int spawn_stage(struct global *g, struct tte_ctx *ctx, const char *name, const char *prog,
		       int lock_fd, int log_fd)
{
	char **av = stage_argv(g, prog, ctx->root, 0, NULL);
	pid_t pid, parent = getpid();
	int status, rc;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		rc = log_error("fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		char buf[16];

		/* If we were already orphaned before prctl took effect, the
		 * signal will never come: leave now. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(TTE_EXIT_FAIL);
		keep_open(lock_fd);
		g_snprintf(buf, sizeof(buf), "%d", lock_fd);
		setenv("TTE_LOCK_FD", buf, 1);
		setenv("TTE_RUN", "1", 1);
		if (log_fd >= 0) {
			keep_open(log_fd);
			g_snprintf(buf, sizeof(buf), "%d", log_fd);
			setenv("TTE_LOG_FD", buf, 1);
		}
		execv(prog, av);
		fprintf(stderr, "tte: program tahap %s tidak dapat dijalankan: %s\n", prog,
			strerror(errno));
		_exit(TTE_EXIT_FAIL);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			rc = log_error("waitpid: %s", strerror(errno));
			goto out;
		}
	}
	if (WIFEXITED(status)) {
		rc = WEXITSTATUS(status);
	} else {
		log_error("tahap %s berhenti karena sinyal %d", name, WTERMSIG(status));
		rc = TTE_EXIT_FAIL;
	}
out:
	g_strfreev(av);
	return rc;
}

static int open_log_fd(void)
{
	const char *p = log_path();

	return p ? open(p, O_WRONLY | O_APPEND | O_CLOEXEC) : -1;
}

static int cmd_run(struct global *g, const struct cmd *c, int argc, char **argv)
{
	struct tte_ctx ctx = { .stage = "run" };
	char *progs[ARRAY_SIZE(run_order)] = { NULL };
	int lock, log_fd = -1, rc = 0;
	gint64 t0 = g_get_monotonic_time();

	(void)c;
	(void)argv;
	if (argc) {
		fprintf(stderr, "tte run: tidak menerima argumen\n");
		return TTE_EXIT_USAGE;
	}
	/* Every stage program is there, or nothing starts. */
	for (size_t i = 0; run_order[i]; i++) {
		progs[i] = stage_program(g, run_order[i]);
		if (!progs[i]) {
			rc = TTE_EXIT_USAGE;
			goto out;
		}
	}
	rc = ctx_setup(&ctx, g->root, g->date);
	if (rc)
		goto out;
	rc = ctx_lock_or_say(&ctx, &lock);
	if (rc)
		goto out;
	log_open(&ctx);
	log_fd = open_log_fd();
	log_info("run start: root %s, date %s", ctx.root, ctx.today);
	for (size_t i = 0; run_order[i]; i++) {
		const char *name = run_order[i];

		log_tty("tte: %s\n", name);
		rc = spawn_stage(g, &ctx, name, progs[i], lock, log_fd);
		if (rc) {
			log_error("tahap %s gagal (kode %d); tahap berikutnya tidak dijalankan; "
				  "lihat log %s", name, rc, log_path() ? log_path() : "var/log/");
			if (rc != TTE_EXIT_USAGE)
				rc = TTE_EXIT_FAIL;
			break;
		}
	}
	log_info("run end: exit %d, %.3f s", rc, (double)(g_get_monotonic_time() - t0) / 1e6);
	if (!rc)
		log_tty("tte: selesai dalam %.1f s; log: %s\n",
			(double)(g_get_monotonic_time() - t0) / 1e6, log_path() ? log_path() : "-");
	if (log_fd >= 0)
		close(log_fd);
	log_close();
out:
	ctx_release(&ctx);
	for (size_t i = 0; i < ARRAY_SIZE(progs); i++)
		g_free(progs[i]);
	return rc;
}

static int cmd_init(struct global *g, const struct cmd *c, int argc, char **argv)
{
	struct tte_ctx ctx = { .stage = "init" };
	char *conf = NULL, *found = NULL;
	int rc;

	(void)c;
	(void)argv;
	if (argc) {
		fprintf(stderr, "tte init: tidak menerima argumen\n");
		return TTE_EXIT_USAGE;
	}
	rc = ctx_setup(&ctx, g->root, g->date);
	if (rc)
		goto out;
	rc = ctx_lock_or_say(&ctx, NULL);
	if (rc)
		goto out;
	log_open(&ctx);
	rc = TTE_EXIT_FAIL;
	conf = tte_path(&ctx, "tte.conf", NULL);
	found = ctx_config_path(ctx.root);
	if (found && strcmp(found, conf)) {
		/* The system config (the package's /etc/tte/tte.conf): a root
		 * tte.conf would hide it, so none is written. */
		printf("konfigurasi sistem dipakai, tte.conf tidak dibuat di root: %s\n", found);
	} else if (!found) {
		const char *text = config_default_text();

		/* tte.conf holds no personal data; admins edit it. */
		umask(022);
		if (fs_write_atomic(conf, text, strlen(text)))
			goto out;
		umask(ctx.cfg->umask);
		printf("tte.conf dibuat: %s\n", conf);
	} else {
		printf("tte.conf sudah ada, tidak diubah: %s\n", conf);
	}
	if (store_key_init(&ctx) || store_open(&ctx))
		goto out;
	store_close(&ctx);
	printf("folder siap di %s (inbox/, outbox/, var/); database var/tte.db dan kunci "
	       "var/nik.key siap\n", ctx.root);
	printf("Isi [pemberi_rekomendasi] di tte.conf sebelum surat rekomendasi dibuat.\n");
	rc = TTE_EXIT_OK;
out:
	log_close();
	g_free(conf);
	g_free(found);
	ctx_release(&ctx);
	return rc;
}

/* ---- show ------------------------------------------------------------------ */

static const char *t(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

static int open_store(struct global *g, struct tte_ctx *ctx, const char *name)
{
	int rc;

	ctx->stage = name;
	rc = ctx_setup(ctx, g->root, g->date);
	if (rc)
		return rc;
	log_open(ctx);
	return store_open(ctx) ? TTE_EXIT_FAIL : 0;
}

/* Find applicants by NIP, NIK or e-mail; ids into IDS. */
static int lookup(struct tte_ctx *ctx, const char *key, GArray *ids)
{
	char *clean = rules_clean_number(key);
	sqlite3_stmt *st;
	char hmac[STORE_HMAC_HEX];
	int rc;

	if (strchr(key, '@')) {
		char *low = g_ascii_strdown(key, -1);

		st = store_prepare(ctx->db, "SELECT id FROM applicants WHERE email=? ORDER BY id");
		if (st)
			store_bind_text(st, 1, g_strstrip(low));
		g_free(low);
	} else if (strlen(clean) == 16) {
		store_nik_hmac(clean, hmac);
		st = store_prepare(ctx->db, "SELECT id FROM applicants WHERE nik_hmac=?");
		if (st)
			store_bind_text(st, 1, hmac);
	} else if (strlen(clean) == 18) {
		st = store_prepare(ctx->db, "SELECT id FROM applicants WHERE nip=? ORDER BY id");
		if (st)
			store_bind_text(st, 1, clean);
	} else {
		fprintf(stderr, "tte: \"%s\" bukan NIP (18 digit), NIK (16 digit), atau email\n", key);
		g_free(clean);
		return TTE_EXIT_USAGE;
	}
	g_free(clean);
	if (!st)
		return TTE_EXIT_FAIL;
	while ((rc = store_row(st)) > 0) {
		long long id = sqlite3_column_int64(st, 0);

		g_array_append_val(ids, id);
	}
	sqlite3_finalize(st);
	return rc < 0 ? TTE_EXIT_FAIL : 0;
}

/* One applicant on stdout. -1 when the store could not be read whole. */
static int show_one(struct tte_ctx *ctx, long long id)
{
	sqlite3_stmt *st = store_prepare(ctx->db,
		"SELECT name, nip, nik, email, golongan, jabatan, unit, phone, ktp, state, state_day,"
		" submitted_at, waiver, waiver_by, waiver_at, letter_id, bundle, cert_serial,"
		" cert_not_after, purged_day, submission_id FROM applicants WHERE id=?");
	long long sub = 0;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = store_row(st);
	if (rc > 0) {
		char *pg = rules_pangkat_golongan(t(st, 4));

		printf("Nama          : %s\n", t(st, 0));
		printf("NIP           : %s\n", t(st, 1));
		printf("NIK           : %s\n", *t(st, 19) ? "dihapus" : t(st, 2));
		printf("Email         : %s\n", t(st, 3));
		printf("Pangkat/Gol.  : %s\n", pg);
		printf("Jabatan       : %s\n", t(st, 5));
		printf("Unit Kerja    : %s\n", t(st, 6));
		printf("No. Telepon   : %s\n", *t(st, 7) ? t(st, 7) : "-");
		printf("Foto KTP      : %s\n", *t(st, 19) ? "dihapus" : t(st, 8));
		printf("Status        : %s (sejak %s)\n", t(st, 9), t(st, 10));
		printf("Diajukan      : %s\n", t(st, 11));
		if (*t(st, 12))
			printf("Pengecualian  : %s (oleh %s, %s)\n", t(st, 12), t(st, 13), t(st, 14));
		if (*t(st, 15))
			printf("Surat         : %s\n", t(st, 15));
		if (*t(st, 16))
			printf("Bundel        : %s\n", t(st, 16));
		if (*t(st, 17))
			printf("Sertifikat    : %s, berlaku sampai %s\n", t(st, 17), t(st, 18));
		if (*t(st, 19))
			printf("Data pribadi dihapus pada %s\n", t(st, 19));
		sub = sqlite3_column_int64(st, 20);
		g_free(pg);
	}
	sqlite3_finalize(st);
	if (rc < 0)
		return -1;

	st = store_prepare(ctx->db,
		"SELECT s.id, s.submitted_at, i.name, s.row_no, s.verdict, s.superseded,"
		" (SELECT group_concat(p.col || ': ' || p.reason, char(10) || '      ')"
		"  FROM problems p WHERE p.submission_id=s.id)"
		" FROM submissions s JOIN inputs i ON i.id=s.input_id WHERE s.applicant_id=?"
		" ORDER BY s.submitted_at, s.id");
	if (!st)
		return -1;
	printf("\nPengajuan:\n");
	sqlite3_bind_int64(st, 1, id);
	while ((rc = store_row(st)) > 0) {
		printf("  %s  %s baris %lld  %s%s\n", t(st, 1), t(st, 2),
		       sqlite3_column_int64(st, 3), t(st, 4),
		       sqlite3_column_int64(st, 0) == sub ? " (berlaku)"
		       : sqlite3_column_int(st, 5) ? " (digantikan)" : "");
		if (*t(st, 6))
			printf("      %s\n", t(st, 6));
	}
	sqlite3_finalize(st);
	if (rc < 0)
		return -1;
	st = store_prepare(ctx->db, "SELECT at, coalesce(from_state, '-'), to_state, source, actor,"
			   " coalesce(note, '') FROM history WHERE applicant_id=? ORDER BY id");
	if (!st)
		return -1;
	printf("\nRiwayat:\n");
	sqlite3_bind_int64(st, 1, id);
	while ((rc = store_row(st)) > 0)
		printf("  %s  %s -> %s  (%s, %s)%s%s\n", t(st, 0), t(st, 1), t(st, 2), t(st, 3),
		       t(st, 4), *t(st, 5) ? ": " : "", t(st, 5));
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}

static int cmd_show(struct global *g, const struct cmd *c, int argc, char **argv)
{
	struct tte_ctx ctx = { 0 };
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(long long));
	int rc;

	(void)c;
	if (argc != 1) {
		fprintf(stderr, "pemakaian: tte show NIP|NIK|EMAIL\n");
		g_array_free(ids, TRUE);
		return TTE_EXIT_USAGE;
	}
	rc = open_store(g, &ctx, "show");
	if (rc)
		goto out;
	rc = lookup(&ctx, argv[0], ids);
	if (rc)
		goto out;
	if (!ids->len) {
		fprintf(stderr, "tte: tidak ada pemohon dengan %s\n", argv[0]);
		rc = TTE_EXIT_USAGE;
		goto out;
	}
	for (guint i = 0; i < ids->len; i++) {
		if (i)
			printf("\n----\n\n");
		if (show_one(&ctx, g_array_index(ids, long long, i))) {
			/* What was printed is not the whole record: say so. */
			fprintf(stderr, "tte show: data pemohon tidak terbaca utuh dari database\n");
			rc = TTE_EXIT_FAIL;
			goto out;
		}
	}
out:
	store_close(&ctx);
	log_close();
	ctx_release(&ctx);
	g_array_free(ids, TRUE);
	return rc;
}

/* ---- accept ----------------------------------------------------------------- */

static char *verifier_name(void)
{
	const char *u = getenv("SUDO_USER");
	struct passwd *pw;

	if (!u || !*u)
		u = getenv("LOGNAME");
	if (!u || !*u) {
		pw = getpwuid(getuid());
		u = pw ? pw->pw_name : "unknown";
	}
	return g_strdup_printf("verifier:%s", u);
}

static int cmd_accept(struct global *g, const struct cmd *c, int argc, char **argv)
{
	struct tte_ctx ctx = { 0 };
	char *reason = NULL, *actor = verifier_name();
	GOptionEntry entries[] = {
		/* FILENAME, not STRING: GOption would convert a STRING from the
		 * locale's charset, and under cron or sudo that is often "C",
		 * which refuses "Pak Made — sudah dicek". The bytes are taken as
		 * typed and must be UTF-8. */
		{ "reason", 0, 0, G_OPTION_ARG_FILENAME, &reason, "alasan pengecualian", "TEXT" },
		G_OPTION_ENTRY_NULL,
	};
	GOptionContext *oc = g_option_context_new("NIP --reason TEXT");
	GError *err = NULL;
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(long long));
	sqlite3_stmt *st = NULL;
	int rc = TTE_EXIT_USAGE;
	long long id;
	char *state = NULL;

	(void)c;
	g_option_context_add_main_entries(oc, entries, NULL);
	argc++;
	argv--;		/* GOption wants a program name first */
	if (!g_option_context_parse(oc, &argc, &argv, &err)) {
		fprintf(stderr, "tte accept: %s\n", err->message);
		g_error_free(err);
		goto out0;
	}
	if (argc != 2 || !reason || !*g_strstrip(reason)) {
		fprintf(stderr, "pemakaian: tte accept NIP --reason \"alasan\"\n");
		goto out0;
	}
	if (!g_utf8_validate(reason, -1, NULL)) {
		fprintf(stderr, "tte accept: alasan harus teks UTF-8\n");
		goto out0;
	}
	ctx.actor = actor;
	rc = open_store(g, &ctx, "accept");
	if (rc)
		goto out;
	rc = ctx_lock_or_say(&ctx, NULL);
	if (rc)
		goto out;
	if (strlen(argv[1]) && strchr(argv[1], '@')) {
		fprintf(stderr, "tte accept: sebutkan NIP pemohon, bukan email\n");
		rc = TTE_EXIT_USAGE;
		goto out;
	}
	rc = lookup(&ctx, argv[1], ids);
	if (rc)
		goto out;
	if (ids->len != 1) {
		fprintf(stderr, ids->len ? "tte: NIP %s dipakai oleh %u pemohon; perbaiki datanya "
					   "lebih dulu\n"
			: "tte: tidak ada pemohon dengan NIP %s\n", argv[1], ids->len);
		rc = TTE_EXIT_USAGE;
		goto out;
	}
	id = g_array_index(ids, long long, 0);
	rc = TTE_EXIT_FAIL;
	if (store_begin(ctx.db))
		goto out;
	st = store_prepare(ctx.db, "SELECT state FROM applicants WHERE id=?");
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	if (store_row(st) <= 0)
		goto fail;
	state = g_strdup(t(st, 0));
	sqlite3_finalize(st);
	st = store_prepare(ctx.db, "UPDATE applicants SET waiver=?, waiver_by=?, waiver_at=?"
			   " WHERE id=?");
	if (!st)
		goto fail;
	store_bind_text(st, 1, reason);
	store_bind_text(st, 2, actor);
	store_bind_text(st, 3, store_now());
	sqlite3_bind_int64(st, 4, id);
	if (store_step_done(st))
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	{
		char *note = g_strdup_printf("pengecualian dicatat: %s", reason);

		rc = store_history(&ctx, id, state, state, "accept", note);
		g_free(note);
		if (rc)
			goto fail;
	}
	if (store_commit(ctx.db))
		goto fail;

	printf("Pengecualian dicatat untuk NIP %s oleh %s.\n", argv[1], actor);
	st = store_prepare(ctx.db, "SELECT p.col, p.reason, p.waivable FROM problems p JOIN"
			   " applicants a ON a.submission_id=p.submission_id WHERE a.id=?");
	if (st) {
		int n = 0, r;

		sqlite3_bind_int64(st, 1, id);
		while ((r = store_row(st)) > 0) {
			printf("  %s %s: %s\n", sqlite3_column_int(st, 2) ? "dikecualikan   "
					       : "TETAP DITOLAK  ", t(st, 0), t(st, 1));
			n++;
		}
		sqlite3_finalize(st);
		st = NULL;
		if (r < 0) {
			/* The waiver is committed; only the list is short. */
			fprintf(stderr, "tte accept: daftar masalah tidak terbaca utuh dari database\n");
			rc = TTE_EXIT_FAIL;
			goto out;
		}
		if (!n)
			printf("  (pengajuan saat ini tidak memiliki masalah)\n");
	}
	printf("Status %s; run berikutnya menerima data pemohon saat ini bila hanya aturan yang "
	       "dapat dikecualikan yang dilanggar.\n", state);
	rc = TTE_EXIT_OK;
	goto out;
fail:
	if (st)
		sqlite3_finalize(st);
	store_rollback(ctx.db);
	rc = TTE_EXIT_FAIL;
out:
	store_close(&ctx);
	log_close();
	ctx_release(&ctx);
out0:
	g_free(state);
	g_free(reason);
	g_free(actor);
	g_option_context_free(oc);
	g_array_free(ids, TRUE);
	return rc;
}

/* ---- main ---------------------------------------------------------------------- */

/* A --date past tomorrow by the system clock, for a command that destroys
 * data by age (run, purge), is most likely a typo: refuse it unless the
 * admin said --allow-future-date (tests, replays). 0 when fine. */
static int check_future_date(const struct global *g, const char *cmd)
{
	GDate d, tomorrow;

	if (!g->date || g->allow_future_date || (strcmp(cmd, "run") && strcmp(cmd, "purge")))
		return 0;
	if (date_parse_iso(g->date, &d))
		return 0;	/* ctx_setup says what is wrong with it */
	g_date_clear(&tomorrow, 1);
	g_date_set_time_t(&tomorrow, time(NULL));
	g_date_add_days(&tomorrow, 1);
	if (g_date_compare(&d, &tomorrow) <= 0)
		return 0;
	fprintf(stderr, "tte %s: --date %s lebih dari besok menurut jam sistem; tanggal yang "
		"salah ketik dapat menghapus data pemohon. Bila memang disengaja (uji, putar "
		"ulang), tambahkan --allow-future-date sebelum perintah.\n", cmd, g->date);
	return TTE_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct global g = { 0 };
	gboolean help = FALSE, version = FALSE;
	GOptionEntry entries[] = {
		{ "root", 0, 0, G_OPTION_ARG_FILENAME, &g.root, "folder root", "DIR" },
		{ "date", 0, 0, G_OPTION_ARG_STRING, &g.date, "tanggal hari ini", "YYYY-MM-DD" },
		{ "allow-future-date", 0, 0, G_OPTION_ARG_NONE, &g.allow_future_date,
		  "izinkan --date lebih dari besok", NULL },
		{ "help", 'h', 0, G_OPTION_ARG_NONE, &help, "bantuan", NULL },
		{ "version", 0, 0, G_OPTION_ARG_NONE, &version, "versi", NULL },
		G_OPTION_ENTRY_NULL,
	};
	GOptionContext *oc = g_option_context_new("PERINTAH [ARGUMEN]");
	GError *err = NULL;
	const struct cmd *c;
	char self[PATH_MAX];
	ssize_t n;
	int rc;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fprintf(stderr, "tte: /proc/self/exe: %s\n", strerror(errno));
		g_option_context_free(oc);
		return TTE_EXIT_FAIL;
	}
	self[n] = 0;
	g.self_dir = g_path_get_dirname(self);

	/* Options up to the command; the command's own follow it. */
	g_option_context_set_strict_posix(oc, TRUE);
	g_option_context_set_help_enabled(oc, FALSE);
	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &err)) {
		fprintf(stderr, "tte: opsi salah: %s\n\n", err->message);
		g_error_free(err);
		usage(stderr);
		rc = TTE_EXIT_USAGE;
		goto out;
	}
	if (help || version) {
		if (help)
			usage(stdout);
		else
			printf("tte %s\n", TTE_VERSION);
		rc = TTE_EXIT_OK;
		goto flush;
	}
	if (argc < 2) {
		usage(stderr);
		rc = TTE_EXIT_USAGE;
		goto out;
	}
	c = find_cmd(argv[1]);
	if (!c) {
		fprintf(stderr, "tte: perintah tidak dikenal: %s\n\n", argv[1]);
		usage(stderr);
		rc = TTE_EXIT_USAGE;
		goto out;
	}
	rc = check_future_date(&g, c->name);
	if (rc)
		goto out;
	rc = c->fn(&g, c, argc - 2, argv + 2);
flush:
	if (fflush(stdout) || ferror(stdout) || fclose(stdout)) {
		fprintf(stderr, "tte: gagal menulis keluaran: %s\n", strerror(errno));
		if (!rc)
			rc = TTE_EXIT_FAIL;
	}
out:
	g_option_context_free(oc);
	g_free(g.root);
	g_free(g.date);
	g_free(g.self_dir);
	return rc;
}
