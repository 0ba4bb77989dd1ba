/*
 * dist_man - what gets installed, checked against the code it describes:
 * the man pages against the config key table and the command table (a
 * key or command missing from its page fails), rendered by man, groff
 * and mandoc without a warning; one version in the Makefile, the Debian
 * changelog and the pages; the systemd units verified and scored by
 * systemd-analyze.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "config.h"
#include "testutil.h"

static const char *const pages[] = { "man/tte.1", "man/tte.conf.5" };

/* "group/key" of every key of the config key table, from the default
 * file it writes (the same table loads tte.conf). */
static GPtrArray *config_keys(void)
{
	GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
	gchar **lines = g_strsplit(config_default_text(), "\n", -1);
	char group[64] = "";

	for (gchar **l = lines; *l; l++) {
		if (**l == '[') {
			g_strlcpy(group, *l + 1, sizeof(group));
			*strchrnul(group, ']') = 0;
		} else if (**l && **l != '#') {
			gchar **kv = g_strsplit(*l, " = ", 2);

			g_ptr_array_add(keys, g_strdup_printf("%s/%s", group, g_strstrip(kv[0])));
			g_strfreev(kv);
		}
	}
	g_strfreev(lines);
	return keys;
}

/* The first word of the lines that follow ".TP" (the tagged paragraphs'
 * tags), without font macros or quotes; with GROUPED, "group/word" where
 * ".SS [group]" names the group. Only within section SECTION. */
static GPtrArray *page_tags(const char *page, const char *section, bool grouped)
{
	GPtrArray *tags = g_ptr_array_new_with_free_func(g_free);
	char *text = tu_read(page, NULL);
	gchar **lines = g_strsplit(text, "\n", -1);
	char group[64] = "";
	bool in = false;

	for (gchar **l = lines; *l; l++) {
		if (g_str_has_prefix(*l, ".SH ")) {
			in = !strcmp(*l + 4, section);
		} else if (in && g_str_has_prefix(*l, ".SS [")) {
			g_strlcpy(group, *l + 5, sizeof(group));
			*strchrnul(group, ']') = 0;
		} else if (in && !strcmp(*l, ".TP") && l[1]) {
			const char *t = l[1];
			size_t n;

			if (*t == '.')
				t = strchrnul(t, ' ');
			t += strspn(t, " \"");
			n = strcspn(t, " \"\\");
			if (n)
				g_ptr_array_add(tags, grouped ? g_strdup_printf("%s/%.*s", group, (int)n, t)
							      : g_strndup(t, n));
		}
	}
	g_strfreev(lines);
	g_free(text);
	return tags;
}

static bool has(GPtrArray *a, const char *s)
{
	for (guint i = 0; i < a->len; i++)
		if (!strcmp(a->pdata[i], s))
			return true;
	return false;
}

static void test_conf_keys(void **state)
{
	GPtrArray *keys = config_keys(), *doc = page_tags("man/tte.conf.5", "KEYS", true);

	(void)state;
	assert_true(keys->len >= 25);
	for (guint i = 0; i < keys->len; i++)
		if (!has(doc, keys->pdata[i]))
			fail_msg("config key [%s] is not in man/tte.conf.5 (KEYS, under its group)",
				 (char *)keys->pdata[i]);
	for (guint i = 0; i < doc->len; i++)
		if (!has(keys, doc->pdata[i]))
			fail_msg("man/tte.conf.5 documents %s, which tte does not know",
				 (char *)doc->pdata[i]);
	g_ptr_array_unref(keys);
	g_ptr_array_unref(doc);
}

/* Every command `tte --help` lists has its entry in tte(1). */
static void test_commands(void **state)
{
	GPtrArray *doc = page_tags("man/tte.1", "COMMANDS", false);
	char *out = NULL;
	gchar **lines;
	int n = 0;

	(void)state;
	assert_int_equal(tu_sh(&out, "'%s' --help 2>&1", tu_bin()), 0);
	lines = g_strsplit(out, "\n", -1);
	for (gchar **l = lines; *l; l++) {
		char name[32];

		if (strncmp(*l, "  ", 2) || !g_ascii_islower(l[0][2]) ||
		    sscanf(*l, "  %31[a-z]", name) != 1)
			continue;
		n++;
		if (!has(doc, name))
			fail_msg("command %s (tte --help) is not in man/tte.1 COMMANDS", name);
	}
	assert_true(n >= 12);
	g_strfreev(lines);
	g_free(out);
	g_ptr_array_unref(doc);
}

static void test_render(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(pages); i++) {
		char *out = NULL;

		/* groff: every warning; mandoc: lint down to style level. */
		assert_int_equal(tu_sh(&out, "groff -man -ww -z '%s' 2>&1", pages[i]), 0);
		if (*out)
			fail_msg("groff -man -ww %s:\n%s", pages[i], out);
		g_free(out);
		if (tu_sh(&out, "mandoc -Tlint -W style '%s' 2>&1", pages[i]) || *out)
			fail_msg("mandoc -Tlint %s:\n%s", pages[i], out);
		g_free(out);
		assert_int_equal(tu_sh(&out, "MANPAGER=cat MANWIDTH=80 man -l '%s' 2>&1", pages[i]), 0);
		assert_non_null(strstr(out, "NAME"));
		assert_non_null(strstr(out, "DESCRIPTION"));
		assert_null(strstr(out, "\\f"));
		g_free(out);
	}
}

/* One version: the Makefile's, in debian/changelog and on the pages. */
static void test_version(void **state)
{
	char *mk = tu_read("Makefile", NULL), *v, *out = NULL;
	const char *p = strstr(mk, "\nVERSION := ");

	(void)state;
	assert_non_null(p);
	p += strlen("\nVERSION := ");
	v = g_strndup(p, strcspn(p, "\n"));
	assert_int_equal(tu_sh(&out, "dpkg-parsechangelog -l debian/changelog -S Version"), 0);
	g_strstrip(out);
	if (strcmp(out, v))
		fail_msg("debian/changelog is at %s, the Makefile's VERSION at %s", out, v);
	g_free(out);
	for (size_t i = 0; i < G_N_ELEMENTS(pages); i++) {
		char *want = g_strdup_printf("\"tte %s\"", v);

		assert_int_equal(tu_sh(&out, "grep '^\\.TH ' '%s'", pages[i]), 0);
		if (!strstr(out, want))
			fail_msg("%s: .TH says %s, want %s", pages[i], out, want);
		g_free(out);
		g_free(want);
	}
	g_free(v);
	g_free(mk);
}

/*
 * The units as `make install` writes them, pointed at the tte under test:
 * systemd-analyze verify passes, and the service's exposure score is in
 * the OK band or better (at most 3.9 of 10).
 */
static void test_units(void **state)
{
	char *dir = g_dir_make_tmp("tte-units-XXXXXX", NULL), *bindir, *out = NULL;
	double score;
	char band[16];
	const char *p;

	(void)state;
	bindir = g_path_get_dirname(tu_bin());
	if (bindir[0] != '/') {
		char *cwd = g_get_current_dir(), *abs = g_build_filename(cwd, bindir, NULL);

		g_free(bindir);
		g_free(cwd);
		bindir = abs;
	}
	assert_int_equal(tu_sh(NULL, "sed -e 's|@BINDIR@|%s|g' -e 's|@ROOTDIR@|%s|g'"
			       " systemd/tte.service.in > '%s/tte.service' &&"
			       " cp systemd/tte.timer '%s/'", bindir, dir, dir, dir), 0);
	if (tu_sh(&out, "cd '%s' && systemd-analyze verify --man=no tte.service tte.timer 2>&1",
		  dir))
		fail_msg("systemd-analyze verify:\n%s", out);
	g_free(out);
	assert_int_equal(tu_sh(&out, "systemd-analyze security --offline=yes --no-pager"
			       " '%s/tte.service' 2>&1", dir), 0);
	p = strstr(out, "Overall exposure level for tte.service: ");
	assert_non_null(p);
	assert_int_equal(sscanf(p + strlen("Overall exposure level for tte.service: "), "%lf %15s",
				&score, band), 2);
	if (score > 3.9 || (strcmp(band, "OK") && strcmp(band, "SAFE")))
		fail_msg("exposure %.1f %s", score, band);
	print_message("systemd-analyze security tte.service: %.1f %s\n", score, band);
	/* What the issue names, literally. */
	g_free(out);
	out = tu_read("systemd/tte.service.in", NULL);
	for (const char *const *d = (const char *const[]){ "ProtectSystem=strict\n",
		"ReadWritePaths=@ROOTDIR@\n", "PrivateTmp=yes\n", "NoNewPrivileges=yes\n",
		"ProtectHome=yes\n", "UMask=0077\n", "PrivateNetwork=yes\n", "CapabilityBoundingSet=\n",
		"SystemCallFilter=@system-service\n", "User=tte\n", "StandardError=journal\n", NULL };
	     *d; d++)
		if (!strstr(out, *d))
			fail_msg("tte.service lacks %s", *d);
	g_free(out);
	out = tu_read("systemd/tte.timer", NULL);
	assert_non_null(strstr(out, "Persistent=true\n"));
	assert_non_null(strstr(out, "RandomizedDelaySec="));
	g_free(out);
	tu_sh(NULL, "rm -rf '%s'", dir);
	g_free(dir);
	g_free(bindir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_keys),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_units),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
