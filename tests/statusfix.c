/*
 * statusfix.c - see statusfix.h.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "testutil.h"
#include "statusfix.h"

/* The people of samples/forms/form-responses-en.csv. */
const struct person P[6] = {
	{ "5107054705970101", "199705072025042101", "Ida Bagus Dewi Wibawa", "p0000100@undiksha.ac.id" },
	{ "5104080309810102", "198109032005091102", "Ni Komang Sudiarta Sari", "p0000101@undiksha.ac.id" },
	{ "5106065306680103", "196806131993062103", "I Nyoman Sudiarta Artha", "p0000102@undiksha.ac.id" },
	{ "5105096801740104", "197401282001102104", "I Gusti Ngurah Sudiarta Suarta", "p0000103@undiksha.ac.id" },
	{ "5106080703830105", "198303072007051105", "I Nyoman Artha Artha", "p0000104@undiksha.ac.id" },
	{ "5102020706680106", "196806071992011106", "Komang Pratama Utami", "p0000105@undiksha.ac.id" },
};
/* Valid people of samples/forms/form-responses-id-sheet.csv. */
const char *const G_NIP = "199110262014032110", *const G_EMAIL = "p0000109@undiksha.ac.id";
const char *const H_NIP = "197108112000122112", *const H_NIK = "5105085108710112";

void drop_file(const char *root, const char *kind, const char *name, const char *src)
{
	char *rel = g_build_filename("inbox", kind, name, NULL);
	char *dst = tu_path(root, rel);

	tu_copy(src, dst);
	g_free(rel);
	g_free(dst);
}

void drop_sample(const char *root, const char *kind, const char *sample)
{
	char *src = tu_sample(sample);
	char *base = g_path_get_basename(sample);

	drop_file(root, kind, base, src);
	g_free(src);
	g_free(base);
}

void drop_text(const char *root, const char *kind, const char *name, const char *text)
{
	char *rel = g_build_filename("inbox", kind, name, NULL);
	char *dst = tu_path(root, rel);

	tu_write_str(dst, text);
	g_free(rel);
	g_free(dst);
}

void set_mtime(const char *root, const char *kind, const char *name, const char *when)
{
	assert_int_equal(tu_sh(NULL, "touch -d '%s' '%s/inbox/%s/%s'", when, root, kind, name), 0);
}

char *setup_root(const char *extra_conf, const char *day, bool both)
{
	char *root = tu_root_new(extra_conf);

	run(root, NULL, "init");
	drop_sample(root, "forms", "forms/form-responses-en.csv");
	if (both)
		drop_sample(root, "forms", "forms/form-responses-id-sheet.csv");
	run(root, day, "run");
	return root;
}

void run(const char *root, const char *date, const char *cmd)
{
	char *err = NULL;
	int rc = tu_tte(root, date, NULL, &err, cmd, NULL);

	if (rc)
		fail_msg("tte %s on %s: exit %d: %s", cmd, date, rc, err);
	g_free(err);
}

static char *state_of(const char *root, const char *nip)
{
	char *q = g_strdup_printf("SELECT state FROM applicants WHERE nip='%s'", nip);
	char *s = tu_sql(root, q);

	g_free(q);
	return s;
}

void assert_state(const char *root, const char *nip, const char *want)
{
	char *s = state_of(root, nip);

	if (strcmp(s, want))
		fail_msg("applicant %s: state %s, expected %s", nip, s, want);
	g_free(s);
}

long long count(const char *root, const char *sql)
{
	return tu_sql_int(root, sql);
}

/* See statusfix.h. */

char *read_rel(const char *root, const char *rel)
{
	char *p = tu_path(root, rel);
	char *s = tu_read(p, NULL);

	g_free(p);
	return s;
}

bool exists(const char *root, const char *rel)
{
	char *p = tu_path(root, rel);
	bool e = g_file_test(p, G_FILE_TEST_EXISTS);

	g_free(p);
	return e;
}

