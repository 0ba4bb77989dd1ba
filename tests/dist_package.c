/*
 * dist_package - `make install` into a DESTDIR tree that runs as it is,
 * and `make uninstall` leaving nothing behind; then the Debian package, as
 * far as a container allows: `make
 * deb` builds it (lintian without errors), `dpkg -i` installs it (the tte
 * system user, /var/lib/tte 0750 made by `tte init`, /etc/tte/tte.conf a
 * conffile tte can read, units that systemd-analyze verifies), the night
 * runs as the tte user, `dpkg -r` and `dpkg --purge` leave the data.
 *
 * The package test needs root; skipped otherwise. It installs a package on the machine, so
 * it refuses to touch a tte package or a /var/lib/tte it did not make
 * itself (the marker file), and cleans up after itself: the data, then the
 * user. A lock file keeps two suites on one machine from overlapping.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>

#include "testutil.h"

#define ROOT "/var/lib/tte"
#define MARKER ROOT "/.dist-package-test"

static bool installed(void)
{
	char *out = NULL;
	bool yes = !tu_sh(&out, "dpkg-query -W -f='${Status}' tte 2>/dev/null") &&
		   strstr(out, "install ok installed");

	g_free(out);
	return yes;
}

/* Run a shell command that must succeed; its output is shown when not. */
static void sh_ok(const char *what, const char *cmd)
{
	char *out = NULL;

	if (tu_sh(&out, "%s 2>&1", cmd))
		fail_msg("%s failed:\n%s", what, out);
	g_free(out);
}

static void assert_stat(const char *path, const char *want)
{
	char *out = NULL;

	assert_int_equal(tu_sh(&out, "stat -c '%%U:%%G %%a' '%s'", path), 0);
	g_strstrip(out);
	if (strcmp(out, want))
		fail_msg("%s is %s, want %s", path, out, want);
	g_free(out);
}

static void cleanup(void)
{
	if (installed())
		sh_ok("dpkg --purge tte", "dpkg --purge tte");
	tu_sh(NULL, "rm -rf " ROOT "; deluser --quiet --system tte >/dev/null 2>&1;"
	      " delgroup --quiet --system tte >/dev/null 2>&1; true");
}

static void test_package(void **state)
{
	char *out = NULL, *deb;
	int lock;

	(void)state;
	if (geteuid() != 0) {
		print_message("SKIPPED dist_package: installing a package needs root\n");
		skip();
	}
	lock = open("/run/lock/tte-dist-package.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(lock >= 0);
	assert_int_equal(flock(lock, LOCK_EX), 0);
	if ((installed() || g_file_test(ROOT, G_FILE_TEST_EXISTS)) &&
	    !g_file_test(MARKER, G_FILE_TEST_EXISTS)) {
		print_message("SKIPPED dist_package: a tte package or " ROOT " this test did not"
			      " make is on this machine; not touching it\n");
		close(lock);
		skip();
	}
	cleanup();

	/* Build: `make deb` in a copy of the tree, lintian included. */
	if (tu_sh(&out, "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory deb 2>&1"))
		fail_msg("make deb:\n%s", out);
	g_free(out);
	assert_int_equal(tu_sh(&deb, "ls build/tte_*_$(dpkg --print-architecture).deb | tail -n 1"), 0);
	g_strstrip(deb);

	/* Install. */
	if (tu_sh(&out, "dpkg -i '%s' 2>&1", deb))
		fail_msg("dpkg -i %s:\n%s", deb, out);
	g_free(out);
	tu_write_str(MARKER, "made by tests/dist_package\n");
	assert_int_equal(tu_sh(&out, "getent passwd tte | cut -d: -f3"), 0);
	assert_true(atoi(out) > 0 && atoi(out) < 1000);	/* a system user */
	g_free(out);
	assert_stat(ROOT, "tte:tte 750");
	assert_stat(ROOT "/var/tte.db", "tte:tte 600");
	assert_stat(ROOT "/var/nik.key", "tte:tte 600");
	assert_stat("/etc/tte/tte.conf", "root:tte 640");
	/* The root has no tte.conf of its own: /etc/tte/tte.conf applies. */
	assert_false(g_file_test(ROOT "/tte.conf", G_FILE_TEST_EXISTS));
	assert_int_equal(tu_sh(&out, "dpkg-query -W -f='${Conffiles}' tte"), 0);
	assert_non_null(strstr(out, "/etc/tte/tte.conf"));
	g_free(out);
	assert_true(g_file_test("/usr/libexec/tte/report", G_FILE_TEST_IS_EXECUTABLE));
	assert_int_equal(tu_sh(&out, "MANPAGER=cat man 5 tte.conf 2>&1"), 0);
	assert_non_null(strstr(out, "retention_days"));
	g_free(out);
	/* The units as installed, their man: documentation resolving. */
	sh_ok("systemd-analyze verify",
	      "systemd-analyze verify /lib/systemd/system/tte.service /lib/systemd/system/tte.timer");

	/* A night as the tte user, configured in /etc/tte/tte.conf only: no
	 * settling time, and a recommender, so letters are written. */
	sh_ok("configure", "printf '[inbox]\\nsettle_seconds = 0\\n[pemberi_rekomendasi]\\n"
	      "nama = Made Contoh Rekomendasi\\nnip = 197501012000031001\\n"
	      "nik = 5108010101750001\\n' >> /etc/tte/tte.conf");
	sh_ok("drop a form", "install -o tte -g tte -m 0600"
	      " tests/data/samples/forms/form-responses-en.csv " ROOT "/inbox/forms/");
	if (tu_sh(&out, "runuser -u tte -- /usr/bin/tte --root " ROOT " run 2>&1"))
		fail_msg("tte run as tte:\n%s", out);
	g_free(out);
	assert_int_equal(tu_sh(&out, "ls " ROOT "/outbox/reports/"), 0);
	assert_non_null(strstr(out, "laporan-"));
	g_free(out);
	assert_int_equal(tu_sh(NULL, "test \"$(stat -c '%%U %%a' " ROOT "/outbox/reports/laporan-*.xlsx)\""
			       " = 'tte 600'"), 0);
	assert_int_equal(tu_sh(NULL, "ls " ROOT "/var/log/run-*.log"), 0);
	assert_true(tu_sql_int(ROOT, "SELECT count(*) FROM applicants") > 0);
	assert_int_equal(tu_sh(NULL, "ls " ROOT "/outbox/letters/*.pdf"), 0);

	/* Remove: the program goes, the config and the data stay. */
	sh_ok("dpkg -r tte", "dpkg -r tte");
	assert_false(g_file_test("/usr/bin/tte", G_FILE_TEST_EXISTS));
	assert_false(g_file_test("/usr/libexec/tte", G_FILE_TEST_EXISTS));
	assert_true(g_file_test("/etc/tte/tte.conf", G_FILE_TEST_EXISTS));
	assert_true(g_file_test(ROOT "/var/tte.db", G_FILE_TEST_EXISTS));
	/* Purge: the config and units go, the data and its owner stay. */
	sh_ok("dpkg --purge tte", "dpkg --purge tte");
	assert_false(g_file_test("/etc/tte", G_FILE_TEST_EXISTS));
	assert_false(g_file_test("/lib/systemd/system/tte.service", G_FILE_TEST_EXISTS));
	assert_true(g_file_test(ROOT "/var/tte.db", G_FILE_TEST_EXISTS));
	assert_true(tu_sql_int(ROOT, "SELECT count(*) FROM applicants") > 0);
	assert_int_equal(tu_sh(NULL, "getent passwd tte >/dev/null"), 0);

	cleanup();
	g_free(deb);
	close(lock);
}

/* make install DESTDIR=...: the tree runs from where it is (the stages
 * found beside the binary), and make uninstall takes it all away. */
static void test_install(void **state)
{
	char *dest, *out = NULL, *root;

	(void)state;
	dest = g_dir_make_tmp("tte-install-XXXXXX", NULL);
	if (tu_sh(&out, "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory install"
		  " DESTDIR='%s' 2>&1", dest))
		fail_msg("make install:\n%s", out);
	g_free(out);
	assert_int_equal(tu_sh(&out, "cd '%s' && find . -type f | sort", dest), 0);
	for (const char *const *f = (const char *const[]){ "./usr/local/bin/tte",
		"./usr/local/libexec/tte/intake", "./usr/local/libexec/tte/report",
		"./usr/local/share/man/man1/tte.1", "./usr/local/share/man/man5/tte.conf.5",
		"./usr/local/lib/systemd/system/tte.service", "./usr/local/lib/systemd/system/tte.timer",
		"./usr/local/share/doc/tte/README.md", "./etc/tte/tte.conf", NULL }; *f; f++)
		if (!strstr(out, *f))
			fail_msg("make install did not install %s:\n%s", *f, out);
	g_free(out);
	/* The unit runs the installed binary on the packaged root. */
	out = g_build_filename(dest, "usr/local/lib/systemd/system/tte.service", NULL);
	assert_true(tu_file_contains(out, "ExecStart=/usr/local/bin/tte --root /var/lib/tte run\n"));
	g_free(out);
	/* A night from the DESTDIR tree. */
	root = tu_root_new(NULL);
	assert_int_equal(tu_sh(NULL, "mkdir -p '%s'/inbox/forms && cp"
			       " tests/data/samples/forms/form-responses-en.csv '%s'/inbox/forms/",
			       root, root), 0);
	if (tu_sh(&out, "'%s'/usr/local/bin/tte --root '%s' --date 2026-11-20 run 2>&1", dest, root))
		fail_msg("installed tte run:\n%s", out);
	g_free(out);
	assert_true(tu_sql_int(root, "SELECT count(*) FROM applicants") > 0);
	tu_root_free(root);
	if (tu_sh(&out, "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory uninstall"
		  " DESTDIR='%s' 2>&1", dest))
		fail_msg("make uninstall:\n%s", out);
	g_free(out);
	assert_int_equal(tu_sh(&out, "cd '%s' && find . -type f", dest), 0);
	if (*out)
		fail_msg("left after make uninstall:\n%s", out);
	g_free(out);
	tu_sh(NULL, "rm -rf '%s'", dest);
	g_free(dest);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_install),
		cmocka_unit_test(test_package),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
