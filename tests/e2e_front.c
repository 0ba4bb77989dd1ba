/*
 * e2e_front - the front command and the run driver: help and version, the
 * stage table, finding the stage programs (build tree, install layout,
 * missing), a `tte run` killed while a stage works, a root this user cannot
 * write, the config lookup order, SUDO_USER in `tte accept`, and
 * --allow-future-date.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define DAY "2026-11-24"

/* The stage names of include/stages.def, in order. */
static GPtrArray *def_stages(void)
{
	char *text = tu_read("include/stages.def", NULL);
	gchar **lines = g_strsplit(text, "\n", -1);
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

	for (gchar **l = lines; *l; l++) {
		if (g_str_has_prefix(*l, "TTE_STAGE("))
			g_ptr_array_add(a, g_strndup(*l + 10, strcspn(*l + 10, ",")));
	}
	g_strfreev(lines);
	g_free(text);
	return a;
}

static int tte_raw(char **out, char **err, const char *const *args)
{
	GPtrArray *a = g_ptr_array_new();
	gchar *o = NULL, *e = NULL;
	gint status;

	g_ptr_array_add(a, (gpointer)tu_bin());
	for (; *args; args++)
		g_ptr_array_add(a, (gpointer)*args);
	g_ptr_array_add(a, NULL);
	assert_true(g_spawn_sync(NULL, (char **)a->pdata, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL,
				 NULL, &o, &e, &status, NULL));
	g_ptr_array_free(a, TRUE);
	if (out)
		*out = o;
	else
		g_free(o);
	if (err)
		*err = e;
	else
		g_free(e);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- help, version, the stage table -------------------------------------------- */

static void test_help_version(void **state)
{
	GPtrArray *st = def_stages();
	char *out = NULL, *err = NULL, *mk = NULL;
	GString *order = g_string_new("Urutan tahap `tte run`:");

	(void)state;
	assert_true(st->len >= 8);
	assert_int_equal(tte_raw(&out, NULL, (const char *[]){ "--version", NULL }), 0);
	assert_true(g_str_has_prefix(out, "tte 0.9.0"));
	/* built in a git checkout: the describe follows */
	if (!tu_sh(NULL, "git rev-parse --show-toplevel >/dev/null 2>&1"))
		assert_non_null(strstr(out, "(git "));
	g_free(out);

	assert_int_equal(tte_raw(&out, NULL, (const char *[]){ "--help", NULL }), 0);
	assert_non_null(strstr(out, "--allow-future-date"));
	assert_non_null(strstr(out, "/tte/tte.conf"));
	for (guint i = 0; i < st->len; i++) {
		char *line = g_strdup_printf("\n  %-8s ", (char *)st->pdata[i]);

		assert_non_null(strstr(out, line));
		g_string_append_printf(order, " %s", (char *)st->pdata[i]);
		g_free(line);
	}
	assert_non_null(strstr(out, order->str));
	g_free(out);
	/* the Makefile builds exactly the stages of the table */
	assert_int_equal(tu_sh(&mk, "make -s --no-print-directory -f Makefile -f - print-stages"
			       " <<'EOF'\nprint-stages:\n\t@echo $(STAGES)\nEOF"), 0);
	{
		GString *names = g_string_new("");

		for (guint i = 0; i < st->len; i++)
			g_string_append_printf(names, "%s%s", i ? " " : "", (char *)st->pdata[i]);
		assert_string_equal(g_strstrip(mk), names->str);
		g_string_free(names, TRUE);
	}
	g_free(mk);

	assert_int_equal(tte_raw(&out, NULL, (const char *[]){ "help", "verify", NULL }), 0);
	assert_non_null(strstr(out, "pemakaian: tte [OPSI] verify [--trust PATH] [--json]"));
	assert_non_null(strstr(out, "--trust PATH"));
	assert_non_null(strstr(out, "--root DIR"));
	g_free(out);
	assert_int_equal(tte_raw(&out, NULL, (const char *[]){ "help", "accept", NULL }), 0);
	assert_non_null(strstr(out, "--reason TEXT"));
	assert_non_null(strstr(out, "SUDO_USER"));
	g_free(out);
	assert_int_equal(tte_raw(NULL, &err, (const char *[]){ "help", "terbang", NULL }), 2);
	assert_non_null(strstr(err, "tidak dikenal"));
	g_free(err);
	assert_int_equal(tte_raw(NULL, &err, (const char *[]){ "--terbang", "run", NULL }), 2);
	assert_non_null(strstr(err, "opsi salah"));
	g_free(err);
	g_string_free(order, TRUE);
	g_ptr_array_unref(st);
}

/* `tte run` runs the stages in the table's order. */
static void test_run_order(void **state)
{
	char *root = tu_root_new(NULL);
	GPtrArray *st = def_stages();
	char *log = NULL;
	GString *want = g_string_new("");

	(void)state;
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "run", NULL), 0);
	assert_int_equal(tu_sh(&log, "cat '%s'/var/log/*.log | sed -n 's/.*stage \\([a-z_]*\\) start.*/\\1/p'"
			       " | tr '\\n' ' '", root), 0);
	for (guint i = 0; i < st->len; i++)
		g_string_append_printf(want, "%s ", (char *)st->pdata[i]);
	assert_string_equal(log, want->str);
	g_free(log);
	g_string_free(want, TRUE);
	g_ptr_array_unref(st);
	tu_root_free(root);
}

/* ---- where the stage programs are ------------------------------------------------ */

static void test_stage_lookup(void **state)
{
	char *root = tu_root_new(NULL);
	char *tree = g_strdup_printf("%s/inst", root);
	char *bindir = g_path_get_dirname(tu_bin());
	char *tte = g_strdup_printf("%s/bin/tte", tree);
	char *err = NULL;
	const char *args[] = { "--root", root, "--date", DAY, "run", NULL };
	GPtrArray *st = def_stages();
	int rc;

	(void)state;
	/* an installed tte without its stages: says where it looked, exit 2,
	 * nothing written */
	assert_int_equal(tu_sh(NULL, "mkdir -p '%s/bin' && cp '%s' '%s/bin/tte'", tree, tu_bin(),
			       tree), 0);
	{
		GPtrArray *a = g_ptr_array_new();
		gchar *e = NULL;
		gint status;

		g_ptr_array_add(a, tte);
		for (const char *const *p = args; *p; p++)
			g_ptr_array_add(a, (gpointer)*p);
		g_ptr_array_add(a, NULL);
		assert_true(g_spawn_sync(NULL, (char **)a->pdata, NULL, 0, NULL, NULL, NULL, &e,
					 &status, NULL));
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 2);
		err = g_strdup_printf("%s/libexec/tte/%s", tree, (char *)st->pdata[0]);
		assert_non_null(strstr(e, err));
		g_free(err);
		err = g_strdup_printf("%s/bin/stages/%s", tree, (char *)st->pdata[0]);
		assert_non_null(strstr(e, err));
		g_free(err);
		g_free(e);
		g_ptr_array_free(a, TRUE);
	}
	err = tu_path(root, "var/tte.db");
	assert_false(g_file_test(err, G_FILE_TEST_EXISTS));
	g_free(err);

	/* the install layout: <bindir>/../libexec/tte/<stage> */
	assert_int_equal(tu_sh(NULL, "mkdir -p '%s/libexec/tte' && for s in '%s'/stages/*; do"
			       " ln -s \"$s\" '%s/libexec/tte/'; done", tree, bindir, tree), 0);
	rc = tu_sh(NULL, "'%s' --root '%s' --date %s run >/dev/null 2>&1", tte, root, DAY);
	assert_int_equal(rc, 0);
	assert_true(tu_sql_int(root, "SELECT count(*) FROM inputs") >= 0);
	assert_int_equal(tu_sh(NULL, "ls '%s'/outbox/reports/laporan-20261124.xlsx", root), 0);
	g_ptr_array_unref(st);
	g_free(tte);
	g_free(bindir);
	g_free(tree);
	tu_root_free(root);
}

/* ---- a killed driver takes its stage with it --------------------------------------- */

static char *state_of(const char *root)
{
	char *db = tu_sql(root, "SELECT nip, state, state_day FROM applicants ORDER BY nip;"
			  "SELECT count(*) FROM letters;"
			  "SELECT count(*), coalesce(sum(applicants), 0) FROM bundles;"
			  "SELECT name, rows FROM inputs ORDER BY name;");
	char *files = NULL;
	char *all;

	/* Verification pages are named by letter id, which each root's own
	 * key makes: compared by shape and number. */
	assert_int_equal(tu_sh(&files, "cd '%s' && find inbox outbox var/processed var/quarantine"
			       " -type f | sed 's|^outbox/web/verifikasi/[^/]*/|outbox/web/verifikasi/ID/|'"
			       " | sort", root), 0);
	all = g_strconcat(db, "\n", files, NULL);
	g_free(db);
	g_free(files);
	return all;
}

static void kill_driver_at(const char *spec)
{
	char *a = tu_root_new(NULL), *b = tu_root_new(NULL);
	char *fa = tu_path(a, "inbox/forms/g.csv"), *fb = tu_path(b, "inbox/forms/g.csv");
	char *sa, *sb;
	pid_t run, stage, w;
	int status;

	tu_gen_forms(fa, "--rows 40 --invalid 4 --seed 3");
	tu_gen_forms(fb, "--rows 40 --invalid 4 --seed 3");
	/* the store exists, so the first commit of intake is the file's */
	assert_int_equal(tu_tte(a, DAY, NULL, NULL, "init", NULL), 0);
	assert_int_equal(tu_tte(b, DAY, NULL, NULL, "init", NULL), 0);
	assert_int_equal(tu_tte(b, DAY, NULL, NULL, "run", NULL), 0);

	run = tu_run_stop_at(a, DAY, spec, &stage);
	assert_true(stage > 0);
	assert_int_not_equal(stage, run);
	/* kill only the driver, as `kill -9 PID` or `timeout -s KILL` would */
	assert_int_equal(kill(run, SIGKILL), 0);
	assert_int_equal(waitpid(run, &status, 0), run);
	assert_true(WIFSIGNALED(status));
	/* the orphaned stage comes to us (a subreaper); it must be killed by
	 * the driver's death, not stay stopped or run on holding the lock */
	alarm(120);
	w = waitpid(stage, &status, 0);
	alarm(0);
	assert_int_equal(w, stage);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);

	/* a run started right after takes the lock and ends as if nothing
	 * had happened */
	assert_int_equal(tu_tte(a, DAY, NULL, NULL, "run", NULL), 0);
	sa = state_of(a);
	sb = state_of(b);
	assert_string_equal(sa, sb);
	g_free(sa);
	g_free(sb);
	g_free(fa);
	g_free(fb);
	tu_root_free(a);
	tu_root_free(b);
}

static void test_driver_killed_in_intake(void **state)
{
	(void)state;
	kill_driver_at("intake:commit");
}

static void test_driver_killed_in_letters(void **state)
{
	(void)state;
	kill_driver_at("letters:rename:3");
}

static void test_driver_killed_in_report(void **state)
{
	(void)state;
	kill_driver_at("report:start");
}

/* ---- a root this user cannot write; a config it cannot read ------------------------ */

static int as_nobody(char **err, const char *root, const char *cmd)
{
	return tu_sh(err, "setpriv --reuid=nobody --regid=nogroup --clear-groups '%s' --root '%s'"
		     " --date %s --allow-future-date %s 2>&1", tu_bin(), root, DAY, cmd);
}

static void test_root_not_writable(void **state)
{
	char *root = tu_root_new(NULL);
	char *out = NULL, *before = NULL, *after = NULL;

	(void)state;
	if (geteuid() != 0) {
		print_message("not root: cannot switch to another user; skipped\n");
		tu_root_free(root);
		skip();
	}
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "init", NULL), 0);
	/* readable by everyone, writable by root only */
	assert_int_equal(tu_sh(NULL, "chmod -R a+rX '%s'", root), 0);
	assert_int_equal(tu_sh(&before, "cd '%s' && find . | sort", root), 0);
	for (const char *const *c = (const char *const[]){ "run", "intake", "show 198705012010121001",
							   NULL }; *c; c++) {
		assert_int_equal(as_nobody(&out, root, *c), 2);
		assert_non_null(strstr(out, "tidak dapat ditulis oleh pengguna nobody"));
		assert_non_null(strstr(out, "pemilik: root"));
		g_free(out);
	}
	assert_int_equal(tu_sh(&after, "cd '%s' && find . | sort", root), 0);
	assert_string_equal(before, after);
	g_free(before);
	g_free(after);

	/* the root is nobody's now, but tte.conf is root's alone */
	assert_int_equal(tu_sh(NULL, "chown -R nobody:nogroup '%s' && chown root '%s/tte.conf' &&"
			       " chmod 600 '%s/tte.conf'", root, root, root), 0);
	assert_int_equal(as_nobody(&out, root, "run"), 2);
	assert_non_null(strstr(out, "tte.conf tidak dapat dibaca"));
	g_free(out);
	assert_int_equal(tu_sh(NULL, "chmod 644 '%s/tte.conf'", root), 0);
	assert_int_equal(as_nobody(&out, root, "run"), 0);
	g_free(out);
	tu_root_free(root);
}

/* ---- where the configuration comes from ------------------------------------------- */

static void test_config_lookup(void **state)
{
	char *root = tu_root_new(NULL);
	char *etc = g_strdup_printf("%s/etc", root);
	char *conf = tu_path(root, "tte.conf"), *sysconf;
	char *err = NULL;

	(void)state;
	sysconf = g_strdup_printf("%s/tte/tte.conf", etc);
	assert_int_equal(tu_sh(NULL, "mkdir -p '%s/tte'", etc), 0);
	tu_write_str(sysconf, "[inbox]\nsettle_seconds = banyak\n");
	g_setenv("TTE_TEST_SYSCONFDIR", etc, TRUE);
	/* the root's own tte.conf wins */
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "report", NULL), 0);
	/* without it, SYSCONFDIR/tte/tte.conf is read */
	assert_int_equal(unlink(conf), 0);
	assert_int_equal(tu_tte(root, DAY, NULL, &err, "report", NULL), 2);
	assert_non_null(strstr(err, sysconf));
	assert_non_null(strstr(err, "settle_seconds"));
	g_free(err);
	/* tte init writes no root tte.conf that would hide the system one */
	tu_write_str(sysconf, "[inbox]\nsettle_seconds = 0\n");
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "init", NULL), 0);
	assert_int_equal(access(conf, F_OK), -1);
	/* without either, the built-in defaults */
	assert_int_equal(unlink(sysconf), 0);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "report", NULL), 0);
	g_unsetenv("TTE_TEST_SYSCONFDIR");
	g_free(sysconf);
	g_free(conf);
	g_free(etc);
	tu_root_free(root);
}

/* ---- tte accept through sudo records the verifier --------------------------------- */

static void test_accept_sudo_user(void **state)
{
	char *root = tu_root_new(NULL);
	char *f = tu_path(root, "inbox/forms/a.csv");
	char *nip, *actor;

	(void)state;
	tu_gen_forms(f, "--rows 10 --invalid 10 --seed 5");
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "intake", NULL), 0);
	nip = tu_sql(root, "SELECT nip FROM applicants WHERE state='REJECTED' AND length(nip)=18"
		     " ORDER BY id LIMIT 1");
	assert_int_equal(strlen(nip), 18);
	g_setenv("SUDO_USER", "wayan.verif", TRUE);
	g_setenv("LOGNAME", "tte", TRUE);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "accept", nip, "--reason", "uji sudo", NULL), 0);
	g_unsetenv("SUDO_USER");
	actor = tu_sql(root, "SELECT waiver_by FROM applicants WHERE waiver='uji sudo'");
	assert_string_equal(actor, "verifier:wayan.verif");
	g_free(actor);
	actor = tu_sql(root, "SELECT actor FROM history WHERE source='accept'");
	assert_string_equal(actor, "verifier:wayan.verif");
	g_free(actor);
	/* A reason with non-ASCII text under the C locale (cron, sudo):
	 * taken as typed, not refused by a charset conversion. */
	g_setenv("LC_ALL", "C", TRUE);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "accept", nip, "--reason",
				"Pak Made — NIP BKN beda", NULL), 0);
	assert_int_equal(tu_tte(root, DAY, NULL, NULL, "accept", nip, "--reason", "bukan \xff teks",
				NULL), 2);
	g_unsetenv("LC_ALL");
	actor = tu_sql(root, "SELECT count(*) FROM history WHERE source='accept' AND"
		       " note LIKE '%Pak Made — NIP BKN beda%'");
	assert_string_equal(actor, "1");
	g_free(actor);
	g_free(nip);
	g_free(f);
	tu_root_free(root);
}

/* ---- a --date typo cannot destroy data -------------------------------------------- */

static void test_future_date(void **state)
{
	char *root = tu_root_new(NULL);
	char far[11], tomorrow[11];
	char *err = NULL, *before = NULL, *after = NULL;
	GDate d;

	(void)state;
	g_date_clear(&d, 1);
	g_date_set_time_t(&d, time(NULL));
	g_date_add_days(&d, 1);
	g_date_strftime(tomorrow, sizeof(tomorrow), "%Y-%m-%d", &d);
	g_date_add_years(&d, 36);
	g_date_strftime(far, sizeof(far), "%Y-%m-%d", &d);

	assert_int_equal(tu_tte(root, NULL, NULL, NULL, "init", NULL), 0);
	assert_int_equal(tu_sh(&before, "cd '%s' && find . | sort", root), 0);
	for (const char *const *c = (const char *const[]){ "run", "purge", NULL }; *c; c++) {
		assert_int_equal(tte_raw(NULL, &err, (const char *[]){ "--root", root, "--date", far,
								 *c, NULL }), 2);
		assert_non_null(strstr(err, "lebih dari besok"));
		assert_non_null(strstr(err, "--allow-future-date"));
		g_free(err);
	}
	assert_int_equal(tu_sh(&after, "cd '%s' && find . | sort", root), 0);
	assert_string_equal(before, after);
	/* tomorrow is fine (a run just before midnight); other commands too */
	assert_int_equal(tte_raw(NULL, NULL, (const char *[]){ "--root", root, "--date", tomorrow,
						      "run", NULL }), 0);
	assert_int_equal(tte_raw(NULL, NULL, (const char *[]){ "--root", root, "--date", far,
						      "report", NULL }), 0);
	/* said on purpose */
	assert_int_equal(tte_raw(NULL, NULL, (const char *[]){ "--root", root, "--date", far,
						      "--allow-future-date", "purge", NULL }), 0);
	g_free(before);
	g_free(after);
	tu_root_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_run_order),
		cmocka_unit_test(test_stage_lookup),
		cmocka_unit_test(test_driver_killed_in_intake),
		cmocka_unit_test(test_driver_killed_in_letters),
		cmocka_unit_test(test_driver_killed_in_report),
		cmocka_unit_test(test_root_not_writable),
		cmocka_unit_test(test_config_lookup),
		cmocka_unit_test(test_accept_sudo_user),
		cmocka_unit_test(test_future_date),
	};

	/* Orphans of a killed `tte run` come to us, so a test can reap them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
