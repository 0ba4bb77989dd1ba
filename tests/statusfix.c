/*
 * statusfix.c - see statusfix.h.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "testutil.h"
#include "statusfix.h"
#include "xlsxfix.h"

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
void bring_to_bundled(const char *root, const char *day, const char *bundle,
			     const char *cond)
{
	char *q = g_strdup_printf("SELECT id, nip, nik, name FROM applicants WHERE state='VALID'"
				  " AND (%s) ORDER BY id", cond);
	char *rows = tu_sql(root, q);
	gchar **lines = g_strsplit(rows, "\n", -1);
	char *stage = g_build_filename(root, "var", "tmp", bundle, NULL);
	char *surat = g_build_filename(stage, "surat", NULL);
	GPtrArray *cells = g_ptr_array_new_with_free_func(g_free);
	GString *sql = g_string_new("BEGIN;");
	int n = 0;

	g_free(q);
	g_mkdir_with_parents(surat, 0700);
	g_ptr_array_add(cells, g_strdup("NIK"));
	g_ptr_array_add(cells, g_strdup("NIP"));
	g_ptr_array_add(cells, g_strdup("Nama Lengkap"));
	for (int i = 0; lines[i] && *lines[i]; i++) {
		gchar **f = g_strsplit(lines[i], "|", 4);
		char *letter = g_strdup_printf("%%PDF-1.4\n%% Surat Rekomendasi\nNIK: %s\nNIP: %s\n",
					       f[2], f[1]);
		char *name = g_strdup_printf("%s.pdf", f[1]);
		char *path = g_build_filename(root, "outbox", "letters", name, NULL);
		char *copy = g_build_filename(surat, name, NULL);

		tu_write_str(path, letter);
		tu_write_str(copy, letter);
		g_string_append_printf(sql,
			"INSERT INTO letters(id, applicant_id, version, data_hash, day, sha256, file)"
			" VALUES('L%s', %s, 1, 'h', '%s', 'sha-%s', 'outbox/letters/%s');"
			"INSERT INTO history(applicant_id, day, at, from_state, to_state, source, actor)"
			" VALUES(%s, '%s', '%sT20:00:00+0800', 'VALID', 'LETTER', 'letters', 'cron'),"
			" (%s, '%s', '%sT20:00:01+0800', 'LETTER', 'BUNDLED', 'bundle', 'cron');"
			"UPDATE applicants SET state='BUNDLED', state_day='%s', letter_id='L%s',"
			" bundle='%s' WHERE id=%s;",
			f[0], f[0], day, f[0], name, f[0], day, day, f[0], day, day, day, f[0], bundle,
			f[0]);
		g_ptr_array_add(cells, g_strdup(f[2]));
		g_ptr_array_add(cells, g_strdup(f[1]));
		g_ptr_array_add(cells, g_strdup(f[3]));
		n++;
		g_free(letter);
		g_free(name);
		g_free(path);
		g_free(copy);
		g_strfreev(f);
	}
	{
		char *x = g_build_filename(stage, "pendaftaran.xlsx", NULL);

		xf_xlsx_writer(x, "Pendaftaran", n + 1, 3, (const char *const *)cells->pdata, NULL, 0);
		g_free(x);
	}
	assert_int_equal(tu_sh(NULL, "cd '%s' && zip -qr '%s/outbox/bundles/%s.zip' pendaftaran.xlsx"
			       " surat && rm -rf '%s'", stage, root, bundle, stage), 0);
	g_string_append_printf(sql, "INSERT INTO bundles(name, day, seq, sha256, file, applicants)"
			       " VALUES('%s', '%s', 1, 'x', 'outbox/bundles/%s.zip', %d); COMMIT;",
			       bundle, day, bundle, n);
	g_free(tu_sql(root, sql->str));
	g_string_free(sql, TRUE);
	g_ptr_array_unref(cells);
	g_strfreev(lines);
	g_free(rows);
	g_free(stage);
	g_free(surat);
}

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

