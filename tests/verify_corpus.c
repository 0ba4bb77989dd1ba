/*
 * verify_corpus - `tte verify` on the public signed-PDF corpus
 * (../shared/corpus/pdf): every file comes out as EXPECTED.tsv says, the
 * JSON is read back with jq, the exit codes follow the contract.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "testutil.h"

static char *trust_arg(void)
{
	char *root = tu_shared("corpus/pdf/pyhanko/root.cert.pem");
	char *interm = tu_shared("corpus/pdf/pyhanko/interm.cert.pem");
	char *t = g_strdup_printf("%s;%s", root, interm);

	g_free(root);
	g_free(interm);
	return t;
}

/* jq -r FILTER over the JSON stream in FILE (one line of output). */
static char *jq(const char *file, const char *filter)
{
	char *out = NULL;
	size_t n;

	if (tu_sh(&out, "jq -r '%s' '%s'", filter, file))
		fail_msg("jq %s failed", filter);
	n = strlen(out);
	while (n && out[n - 1] == '\n')
		out[--n] = 0;
	return out;
}

/* Every file of EXPECTED.tsv, in one run of `tte verify --json`. */
static void test_expected(void **state)
{
	char *root = tu_root_new(NULL), *trust = trust_arg();
	char *tsv = tu_shared("corpus/pdf/EXPECTED.tsv"), *data = tu_read(tsv, NULL);
	char *out = NULL, *json = tu_path(root, "all.json");
	gchar **lines = g_strsplit(data, "\n", -1);
	GPtrArray *args = g_ptr_array_new_with_free_func(g_free);
	int checked = 0;

	(void)state;
	for (gchar **l = lines; *l; l++) {
		gchar **f;

		if (!**l || **l == '#')
			continue;
		f = g_strsplit(*l, "\t", 3);
		{
			char *rel = g_strdup_printf("corpus/pdf/%s", f[0]);

			g_ptr_array_add(args, tu_shared(rel));
			g_free(rel);
		}
		g_strfreev(f);
	}
	{
		GString *cmd = g_string_new("");

		g_string_append_printf(cmd, "'%s' --root '%s' verify --json --trust '%s'", tu_bin(),
				       root, trust);
		for (guint i = 0; i < args->len; i++)
			g_string_append_printf(cmd, " '%s'", (char *)g_ptr_array_index(args, i));
		g_string_append_printf(cmd, " > '%s'", json);
		/* Some files are not VALID: exit 1, never 2 (all are PDFs). */
		assert_int_equal(tu_sh(NULL, "%s", cmd->str), 1);
		g_string_free(cmd, TRUE);
	}
	for (gchar **l = lines; *l; l++) {
		gchar **f;
		char *filter, *c, *integ, *path;

		if (!**l || **l == '#')
			continue;
		f = g_strsplit(*l, "\t", 3);
		path = g_ptr_array_index(args, checked);
		filter = g_strdup_printf("select(.file == \"%s\") | .conclusion", path);
		c = jq(json, filter);
		g_free(filter);
		filter = g_strdup_printf("select(.file == \"%s\") | [.signatures[].integrity] | "
					 "(length > 0 and all)", path);
		integ = jq(json, filter);
		g_free(filter);
		if (!strcmp(f[1], "intact")) {
			if (strcmp(c, "VALID") && strcmp(c, "INDETERMINATE"))
				fail_msg("%s: %s, expected intact", f[0], c);
			if (strcmp(integ, "true"))
				fail_msg("%s: a signature's integrity is false", f[0]);
		} else if (!strcmp(f[1], "invalid")) {
			if (strcmp(c, "INVALID"))
				fail_msg("%s: %s, expected INVALID", f[0], c);
		} else if (!strcmp(f[1], "not-valid")) {
			if (!strcmp(c, "VALID"))
				fail_msg("%s: VALID, expected anything but", f[0]);
		} else {
			assert_true(!strcmp(f[1], "no-crash"));
			assert_true(*c);
		}
		g_free(c);
		g_free(integ);
		g_strfreev(f);
		checked++;
	}
	assert_int_equal(checked, 26);
	g_free(out);
	g_free(json);
	g_ptr_array_free(args, TRUE);
	g_strfreev(lines);
	g_free(data);
	g_free(tsv);
	g_free(trust);
	tu_root_free(root);
}

/* The finer points pdfsig misses, and the fields of the contract. */
static void test_details(void **state)
{
	char *root = tu_root_new(NULL), *trust = trust_arg(), *out = NULL, *json;
	char *sneaky = tu_shared("corpus/pdf/pyhanko/form-update-override-appearance-stream-sneaky.pdf");
	char *legit = tu_shared("corpus/pdf/pyhanko/form-update-override-appearance-stream.pdf");
	char *lta = tu_shared("corpus/pdf/pyhanko/pades-lta-dss-indirect-arrs-test.pdf");
	char *c;

	(void)state;
	json = tu_path(root, "x.json");
	assert_int_equal(tu_tte(root, NULL, &out, NULL, "verify", "--json", "--trust", trust, lta,
				NULL), 0);
	tu_write_str(json, out);
	g_free(out);
	c = jq(json, "[.conclusion, .signatureCount, .signatures[0].timeSource, "
		  ".signatures[0].modifications, .signatures[1].documentTimestamp, "
		  ".signatures[0].revocation, .signatures[0].trusted, .letter] | @tsv");
	assert_string_equal(c, "VALID\t2\ttsa\tSIGNATURES,DSS\ttrue\tgood\ttrue\t");
	g_free(c);
	c = jq(json, ".sha256");
	assert_int_equal(strlen(c), 64);
	g_free(c);

	/* The same appearance stream is also the catalog's /FooBar: OTHER. */
	assert_int_equal(tu_tte(root, NULL, &out, NULL, "verify", "--json", "--trust", trust, sneaky,
				NULL), 1);
	tu_write_str(json, out);
	g_free(out);
	c = jq(json, "[.signatures[0].modifications, (.signatures[0].problems | "
		  "index(\"MODIFIED_AFTER_SIGNING\") != null)] | @tsv");
	assert_string_equal(c, "SIGNATURES,OTHER\ttrue");
	g_free(c);
	/* Legitimately filled: further signatures only. */
	assert_int_equal(tu_tte(root, NULL, &out, NULL, "verify", "--json", "--trust", trust, legit,
				NULL), 1);
	tu_write_str(json, out);
	g_free(out);
	c = jq(json, ".signatures[0].modifications");
	assert_string_equal(c, "SIGNATURES");
	g_free(c);

	/* The Indonesian summary, BSrE's wording. */
	assert_int_equal(tu_tte(root, NULL, &out, NULL, "verify", "--trust", trust, sneaky, NULL), 1);
	assert_non_null(strstr(out, "Dokumen telah diubah setelah ditandatangani"));
	g_free(out);
	assert_int_equal(tu_tte(root, NULL, &out, NULL, "verify", "--trust", trust, lta, NULL), 0);
	assert_non_null(strstr(out, "Dokumen valid"));
	assert_non_null(strstr(out, "Penanda tangan     : Alice"));
	g_free(out);

	g_free(json);
	g_free(sneaky);
	g_free(legit);
	g_free(lta);
	g_free(trust);
	tu_root_free(root);
}

/* Exit codes: 2 for a file that cannot be read or is not a PDF, and
 * nothing is created under a root by `tte verify FILE`. */
static void test_exit_codes(void **state)
{
	char *root = tu_root_new(NULL), *txt = tu_path(root, "note.pdf"), *err = NULL;
	char *lta = tu_shared("corpus/pdf/pyhanko/pades-lta-dss-indirect-arrs-test.pdf");
	char *missing = tu_path(root, "missing.pdf"), *outbox = tu_path(root, "outbox");

	(void)state;
	tu_write_str(txt, "bukan PDF\n");
	assert_int_equal(tu_tte(root, NULL, NULL, &err, "verify", txt, NULL), 2);
	assert_non_null(strstr(err, "bukan berkas PDF"));
	g_free(err);
	assert_int_equal(tu_tte(root, NULL, NULL, NULL, "verify", missing, lta, NULL), 2);
	/* No trust anchors: intact but INDETERMINATE, exit 1, and a warning. */
	assert_int_equal(tu_tte(root, NULL, NULL, &err, "verify", lta, NULL), 1);
	assert_non_null(strstr(err, "tidak ada sertifikat akar terpercaya"));
	g_free(err);
	assert_false(g_file_test(outbox, G_FILE_TEST_EXISTS));
	assert_int_equal(tu_tte(root, NULL, NULL, &err, "verify", "--trust", missing, lta, NULL), 2);
	g_free(err);
	g_free(outbox);
	g_free(missing);
	g_free(lta);
	g_free(txt);
	tu_root_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expected),
		cmocka_unit_test(test_details),
		cmocka_unit_test(test_exit_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
