/*
 * e2e_inbox - the inbox skeleton the three inbox stages share (intake:
 * forms, ingest: status, verify: signed), run through the built binary:
 * a move that fails after the commit, a file that vanishes while the
 * inbox is listed or before it is opened, names of 255 bytes, the same
 * PDF name twice, an inbox on another file system, and moves that never
 * replace a file. Rare events are
 * forced with the TTE_TEST_* hooks (testhook.h) of the ASan build.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>

#include "testutil.h"

#define DAY "2026-11-24"
#define NEXT_DAY "2026-11-25"

static const char *const HEADER =
	"\"Timestamp\",\"Email Address\",\"Password\",\"NIK\",\"NIP\",\"Nama (Tanpa Gelar)\","
	"\"Email Undiksha\",\"Golongan\",\"Jabatan\",\"Foto KTP\",\"Unit Kerja\"\n";

/* A one-row form export whose bytes differ with N. */
static char *form_export(int n)
{
	return g_strdup_printf("%s\"2026/11/10 1:%02d:%02d PM GMT+8\",\"made@undiksha.ac.id\","
			       "\"x\",\"5108050101900001\",\"199001012015031001\","
			       "\"I Made Contoh\",\"made@undiksha.ac.id\",\"III/b\",\"Dosen\","
			       "\"https://drive.google.com/open?id=KTP\",\"Fakultas Teknik\"\n",
			       HEADER, n / 60, n % 60);
}

static void put(const char *root, const char *rel, const char *content)
{
	char *p = tu_path(root, rel);

	tu_write_str(p, content);
	g_free(p);
}

static bool exists(const char *root, const char *rel)
{
	char *p = tu_path(root, rel);
	bool e = g_file_test(p, G_FILE_TEST_EXISTS);

	g_free(p);
	return e;
}

static char *sql(const char *root, const char *q)
{
	return tu_sql(root, q);
}

/* ---- a move that fails after the commit ------------------------------------ */

struct kind {
	const char *kind;	/* inbox folder */
	const char *stage;	/* the command of the first night: the stage, or "run" */
	const char *name;	/* the file dropped */
	const char *source;	/* its content: a file under tests/data */
	const char *count;	/* SQL: what the stage committed from it */
};

static const struct kind kinds[] = {
	{ "forms", "intake", "jawaban.csv", "samples/forms/form-responses-en.csv",
	  "SELECT count(*) FROM submissions" },
	/* the whole night once: ingest comes fifth, the report last */
	{ "status", "run", "status-2026-11-24.csv", "samples/status/portal-users.csv",
	  "SELECT sum(rows) FROM inputs WHERE kind='status'" },
	{ "signed", "verify", "surat.pdf",
	  "corpus/pdf/other/node-signpdf__resources_signed-once.pdf",
	  "SELECT count(*) FROM verifications" },
};

/*
 * One behaviour for every inbox stage: the move after the commit fails,
 * the data is committed, so the stage succeeds (in `tte run` the later
 * stages run: the report is written) and warns; the next run retires the
 * file without reading it again.
 */
static void test_move_fails_after_commit(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		const struct kind *K = &kinds[k];
		char *root = tu_root_new(NULL);
		char *src = tu_shared(K->source);
		char *rel = g_build_filename("inbox", K->kind, K->name, NULL);
		char *dst = tu_path(root, rel);
		char *err = NULL, *v, *want;
		long long committed;
		int rc;

		print_message("inbox/%s/\n", K->kind);
		tu_copy(src, dst);
		setenv("TTE_TEST_MOVE_FAIL", K->name, 1);
		rc = tu_tte(root, DAY, NULL, &err, K->stage, NULL);
		unsetenv("TTE_TEST_MOVE_FAIL");
		if (rc)
			fail_msg("%s: tte %s exited %d: %s", K->kind, K->stage, rc, err);
		want = g_strdup_printf("%s/%s sudah diproses tetapi belum dapat dipindahkan dari "
				       "inbox; run berikutnya memindahkannya", K->kind, K->name);
		if (!strstr(err, want))
			fail_msg("%s: no warning in: %s", K->kind, err);
		g_free(want);
		g_free(err);
		/* committed, still in the inbox, and the night went on */
		assert_true(exists(root, rel));
		committed = tu_sql_int(root, K->count);
		assert_true(committed > 0);
		if (!strcmp(K->stage, "run"))
			assert_true(exists(root, "outbox/reports/laporan-20261124.xlsx"));
		v = sql(root, "SELECT stored FROM inputs");
		want = g_strdup_printf("var/processed/%s/20261124", K->kind);
		assert_string_equal(v, want);
		g_free(want);
		g_free(v);

		/* The next run only retires it. */
		err = NULL;
		rc = tu_tte(root, NEXT_DAY, NULL, &err, K->stage, NULL);
		if (rc)
			fail_msg("%s: the next tte %s exited %d: %s", K->kind, K->stage, rc, err);
		assert_null(strstr(err, "belum dapat dipindahkan"));
		g_free(err);
		assert_false(exists(root, rel));
		assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM inputs"), 1);
		assert_int_equal(tu_sql_int(root, K->count), committed);
		v = sql(root, "SELECT stored FROM inputs");
		want = g_strdup_printf("var/processed/%s/20261125/%s", K->kind, K->name);
		assert_string_equal(v, want);
		assert_true(exists(root, want));
		g_free(want);
		g_free(v);

		g_free(dst);
		g_free(rel);
		g_free(src);
		tu_root_free(root);
	}
}

/* ---- a file that vanishes ------------------------------------------------------ */

/* hilang.csv is taken back at the moment HOOK (a TTE_TEST_* hook) names,
 * during `tte CMD`: skipped with WARNING, nothing freed twice (ASan aborts
 * the stage otherwise), the stage succeeds, the other file is read as
 * usual and, in `tte run`, the night goes on to its report. */
static void vanish(const char *hook, const char *cmd, const char *warning)
{
	char *root = tu_root_new(NULL);
	char *a = form_export(1), *b = form_export(2), *err = NULL;
	int rc;

	put(root, "inbox/forms/a.csv", a);
	put(root, "inbox/forms/hilang.csv", b);
	setenv(hook, "hilang.csv", 1);
	rc = tu_tte(root, DAY, NULL, &err, cmd, NULL);
	unsetenv(hook);
	if (rc)
		fail_msg("tte %s exited %d: %s", cmd, rc, err);
	assert_non_null(strstr(err, warning));
	g_free(err);
	assert_false(exists(root, "inbox/forms/hilang.csv"));
	assert_int_equal(tu_count_files(root, "var/quarantine/forms"), 0);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM quarantine"), 0);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM inputs WHERE name='a.csv'"), 1);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM inputs"), 1);
	assert_true(exists(root, "var/processed/forms/20261124/a.csv"));
	if (!strcmp(cmd, "run"))
		assert_true(exists(root, "outbox/reports/laporan-20261124.xlsx"));
	g_free(a);
	g_free(b);
	tu_root_free(root);
}

/* Taken back between readdir and lstat. */
static void test_vanish_while_listed(void **state)
{
	(void)state;
	vanish("TTE_TEST_VANISH", "intake", "forms/hilang.csv hilang dari inbox sebelum dibaca");
}

/* Listed, then taken back before open(). */
static void test_vanish_before_open(void **state)
{
	(void)state;
	vanish("TTE_TEST_VANISH_OPEN", "run", "forms/hilang.csv hilang dari inbox sebelum dibaca");
}

/* ---- long names ------------------------------------------------------------- */

/* A name of exactly LEN bytes: two-byte characters (so a shortened name
 * must cut between characters), TAG, then EXT. */
static char *long_name(size_t len, const char *tag, const char *ext)
{
	GString *s = g_string_new(NULL);

	while (s->len + 2 + strlen(tag) + strlen(ext) <= len)
		g_string_append(s, "\xc3\xb1");		/* n with tilde */
	while (s->len + strlen(tag) + strlen(ext) < len)
		g_string_append_c(s, 'a');
	g_string_append(s, tag);
	g_string_append(s, ext);
	assert_int_equal(s->len, len);
	return g_string_free(s, FALSE);
}

/* PATH (a name too long for a temporary beside it) written with CONTENT,
 * or a copy of the file SRC. */
static void put_long(const char *path, const char *content, const char *src)
{
	int rc = src ? tu_sh(NULL, "cp '%s' '%s'", src, path)
		     : tu_sh(NULL, "printf '%%s' '%s' > '%s'", content, path);

	assert_int_equal(rc, 0);
}

/* Fails unless every path in LINES (one a line, relative to ROOT) exists
 * with a base name that fits FS_NAME_ROOM (200) and is valid UTF-8. */
static void assert_stored_fit(const char *root, const char *lines, int want)
{
	gchar **v = g_strsplit(lines, "\n", -1);
	int n = 0;

	for (gchar **p = v; *p; p++) {
		char *base;

		if (!**p)
			continue;
		base = g_path_get_basename(*p);
		if (!exists(root, *p))
			fail_msg("recorded %s is missing", *p);
		assert_true(strlen(base) <= 200);
		assert_true(g_utf8_validate(base, -1, NULL));
		g_free(base);
		n++;
	}
	assert_int_equal(n, want);
	g_strfreev(v);
}

/*
 * 255-byte names in all three inboxes through `tte run`: every file is
 * read and moved under a shortened name (the records keep the full name),
 * a bad one is quarantined with its full name in the .why, the PDF's
 * result is written, and the night's report is there. The same long PDF
 * name again the next night gets a second result.
 */
static void test_long_names(void **state)
{
	char *root = tu_root_new(NULL);
	char *f1 = long_name(255, "-1", ".csv"), *f2 = long_name(255, "-2", ".csv");
	char *bad = long_name(255, "", ".txt"), *st = long_name(255, "", ".csv");
	char *pdf = long_name(255, "", ".pdf");
	char *a = form_export(1), *b = form_export(2), *err = NULL, *v, *p, *why, *text;
	char *status = tu_shared("samples/status/portal-users.csv");
	char *signed_pdf = tu_shared("corpus/pdf/other/node-signpdf__resources_signed-once.pdf");
	int rc;

	(void)state;
	p = g_build_filename(root, "inbox", "forms", f1, NULL);
	put_long(p, a, NULL);
	g_free(p);
	p = g_build_filename(root, "inbox", "forms", f2, NULL);
	put_long(p, b, NULL);
	g_free(p);
	p = g_build_filename(root, "inbox", "forms", bad, NULL);
	put_long(p, "bukan ekspor", NULL);
	g_free(p);
	p = g_build_filename(root, "inbox", "status", st, NULL);
	put_long(p, NULL, status);
	g_free(p);
	p = g_build_filename(root, "inbox", "signed", pdf, NULL);
	put_long(p, NULL, signed_pdf);
	g_free(p);

	rc = tu_tte(root, DAY, NULL, &err, "run", NULL);
	if (rc)
		fail_msg("tte run exited %d: %s", rc, err);
	g_free(err);
	assert_int_equal(tu_count_files(root, "inbox/forms"), 0);
	assert_int_equal(tu_count_files(root, "inbox/status"), 0);
	assert_int_equal(tu_count_files(root, "inbox/signed"), 0);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM inputs WHERE length(CAST(name AS"
				    " BLOB))=255"), 4);
	v = sql(root, "SELECT stored FROM inputs ORDER BY id");
	assert_stored_fit(root, v, 4);
	g_free(v);
	assert_int_equal(tu_count_files(root, "var/processed/forms/20261124"), 2);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM submissions"), 2);
	/* quarantined under a shortened name, the full name in the .why */
	v = sql(root, "SELECT stored FROM quarantine WHERE length(CAST(name AS BLOB))=255");
	assert_stored_fit(root, v, 1);
	why = g_strdup_printf("%s.why", v);
	p = tu_path(root, why);
	text = tu_read(p, NULL);
	assert_non_null(strstr(text, bad));
	g_free(text);
	g_free(p);
	g_free(why);
	g_free(v);
	/* the PDF's result */
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM verifications WHERE"
				    " length(CAST(name AS BLOB))=255"), 1);
	assert_int_equal(tu_count_files(root, "outbox/verification"), 1);
	assert_true(exists(root, "outbox/reports/laporan-20261124.xlsx"));
	assert_int_equal(tu_sh(NULL, "find '%s' -name '.*.tmp-*' | grep -q .", root), 1);

	/* The same long name again: read again, a second result beside the
	 * first, the copy not kept twice. */
	p = g_build_filename(root, "inbox", "signed", pdf, NULL);
	put_long(p, NULL, signed_pdf);
	g_free(p);
	err = NULL;
	rc = tu_tte(root, NEXT_DAY, NULL, &err, "run", NULL);
	if (rc)
		fail_msg("the next tte run exited %d: %s", rc, err);
	g_free(err);
	assert_int_equal(tu_count_files(root, "inbox/signed"), 0);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM verifications"), 2);
	assert_int_equal(tu_count_files(root, "outbox/verification"), 2);
	assert_int_equal(tu_sh(NULL, "test $(find '%s/var/processed/signed' -type f | wc -l) = 1",
			       root), 0);

	g_free(signed_pdf);
	g_free(status);
	g_free(a);
	g_free(b);
	g_free(pdf);
	g_free(st);
	g_free(bad);
	g_free(f2);
	g_free(f1);
	tu_root_free(root);
}

/* ---- the same PDF name twice ---------------------------------------------------- */

/*
 * surat.pdf on three nights (two different PDFs, then the first again):
 * three results, none replaced, each file holding its own verification
 * (the hash the database recorded for it); one copy of each PDF kept.
 */
static void test_same_pdf_name_twice(void **state)
{
	static const char *const pdfs[] = {
		"corpus/pdf/other/node-signpdf__resources_signed-once.pdf",
		"corpus/pdf/other/node-signpdf__resources_signed-twice.pdf",
		"corpus/pdf/other/node-signpdf__resources_signed-once.pdf",
	};
	static const char *const days[] = { "2026-11-24", "2026-11-25", "2026-11-26" };
	static const char *const json[] = { "surat.pdf.json", "surat.pdf.1.json",
					    "surat.pdf.2.json" };
	char *root = tu_root_new(NULL);

	(void)state;
	for (int i = 0; i < 3; i++) {
		char *src = tu_shared(pdfs[i]), *dst = tu_path(root, "inbox/signed/surat.pdf");
		char *err = NULL;
		int rc;

		tu_copy(src, dst);
		rc = tu_tte(root, days[i], NULL, &err, "verify", NULL);
		if (rc)
			fail_msg("night %d: tte verify exited %d: %s", i, rc, err);
		g_free(err);
		g_free(dst);
		g_free(src);
	}
	assert_int_equal(tu_count_files(root, "outbox/verification"), 3);
	for (int i = 0; i < 3; i++) {
		char *q = g_strdup_printf("SELECT sha256 FROM verifications WHERE id=%d", i + 1);
		char *sha = sql(root, q), *rel = g_build_filename("outbox/verification", json[i],
								 NULL);
		char *p = tu_path(root, rel), *text = tu_read(p, NULL);

		assert_non_null(strstr(text, sha));
		g_free(text);
		g_free(p);
		g_free(rel);
		g_free(sha);
		g_free(q);
	}
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM inputs"), 2);
	assert_int_equal(tu_sh(NULL, "test $(find '%s/var/processed/signed' -type f | wc -l) = 2",
			       root), 0);
	tu_root_free(root);
}

/* ---- an inbox on another file system ------------------------------------------------ */

/* Fails unless REL under ROOT holds CONTENT, with one link. */
static void assert_file(const char *root, const char *rel, const char *content)
{
	char *p = tu_path(root, rel), *got = tu_read(p, NULL);
	struct stat st;

	assert_string_equal(got, content);
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_nlink, 1);
	g_free(got);
	g_free(p);
}

/*
 * Every move is across file systems (TTE_TEST_EXDEV): the files of all
 * three inboxes are copied, synced, renamed into var/ and removed from
 * the inbox; a bad file and a symlink are quarantined the same way.
 */
static void test_exdev_everywhere(void **state)
{
	char *root = tu_root_new(NULL);
	char *a = form_export(1), *err = NULL, *v;
	char *status = tu_shared("samples/status/portal-users.csv");
	char *pdf = tu_shared("corpus/pdf/other/node-signpdf__resources_signed-once.pdf");
	char *p, *link_path;
	struct stat st;
	int rc;

	(void)state;
	put(root, "inbox/forms/a.csv", a);
	put(root, "inbox/forms/x.txt", "bukan ekspor");
	link_path = tu_path(root, "inbox/forms/tautan.csv");
	assert_int_equal(symlink("/etc/passwd", link_path), 0);
	p = tu_path(root, "inbox/status/status.csv");
	tu_copy(status, p);
	g_free(p);
	p = tu_path(root, "inbox/signed/surat.pdf");
	tu_copy(pdf, p);
	g_free(p);
	setenv("TTE_TEST_EXDEV", "1", 1);
	rc = tu_tte(root, DAY, NULL, &err, "run", NULL);
	unsetenv("TTE_TEST_EXDEV");
	if (rc)
		fail_msg("tte run exited %d: %s", rc, err);
	assert_null(strstr(err, "belum dapat dipindahkan"));
	g_free(err);
	assert_int_equal(tu_count_files(root, "inbox/forms"), 0);
	assert_int_equal(tu_count_files(root, "inbox/status"), 0);
	assert_int_equal(tu_count_files(root, "inbox/signed"), 0);
	assert_file(root, "var/processed/forms/20261124/a.csv", a);
	v = sql(root, "SELECT stored FROM inputs ORDER BY kind");
	assert_string_equal(v, "var/processed/forms/20261124/a.csv\n"
			    "var/processed/signed/20261124/surat.pdf\n"
			    "var/processed/status/20261124/status.csv");
	g_free(v);
	assert_int_equal(tu_sh(NULL, "cmp -s '%s' '%s/var/processed/status/20261124/status.csv' &&"
			       " cmp -s '%s' '%s/var/processed/signed/20261124/surat.pdf'",
			       status, root, pdf, root), 0);
	assert_file(root, "var/quarantine/forms/x.txt", "bukan ekspor");
	assert_true(exists(root, "var/quarantine/forms/x.txt.why"));
	p = tu_path(root, "var/quarantine/forms/tautan.csv");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	g_free(p);
	assert_int_equal(tu_sh(NULL, "find '%s' -name '.*.tmp-*' | grep -q .", root), 1);
	g_free(link_path);
	g_free(pdf);
	g_free(status);
	g_free(a);
	tu_root_free(root);
}

/*
 * A crash of a move across file systems after the copy was renamed into
 * var/ but before its record and the removal from the inbox: the record
 * names the folder, the file is in both places. The next run records the
 * copy in var/ (its hash is the input's) and deletes the inbox copy.
 */
static void test_exdev_crash_after_copy(void **state)
{
	char *root = tu_root_new(NULL);
	char *a = form_export(1), *err = NULL, *v;
	int rc;

	(void)state;
	put(root, "inbox/forms/x.csv", a);
	setenv("TTE_TEST_MOVE_FAIL", "x.csv", 1);
	rc = tu_tte(root, DAY, NULL, &err, "intake", NULL);
	unsetenv("TTE_TEST_MOVE_FAIL");
	if (rc)
		fail_msg("tte intake exited %d: %s", rc, err);
	g_free(err);
	/* what the copy had done before the crash */
	put(root, "var/processed/forms/20261124/x.csv", a);
	err = NULL;
	setenv("TTE_TEST_EXDEV", "1", 1);
	rc = tu_tte(root, NEXT_DAY, NULL, &err, "intake", NULL);
	unsetenv("TTE_TEST_EXDEV");
	if (rc)
		fail_msg("the next tte intake exited %d: %s", rc, err);
	g_free(err);
	assert_false(exists(root, "inbox/forms/x.csv"));
	assert_int_equal(tu_count_files(root, "var/processed/forms/20261125"), 0);
	assert_file(root, "var/processed/forms/20261124/x.csv", a);
	v = sql(root, "SELECT stored FROM inputs");
	assert_string_equal(v, "var/processed/forms/20261124/x.csv");
	g_free(v);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM submissions"), 1);
	g_free(a);
	tu_root_free(root);
}

/*
 * A real other file system: a tmpfs mounted over inbox/forms/ (skipped
 * with a message where the test may not mount).
 */
static void test_inbox_on_tmpfs(void **state)
{
	char *root = tu_root_new(NULL);
	char *dir = tu_path(root, "inbox/forms");
	char *a = form_export(1), *err = NULL, *v = NULL;
	bool gone_a, gone_x;
	int rc;

	(void)state;
	g_mkdir_with_parents(dir, 0700);
	if (tu_sh(NULL, "mount -t tmpfs -o size=4m tmpfs '%s' 2>/dev/null", dir)) {
		print_message("skipped: cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN)\n");
		g_free(a);
		g_free(dir);
		tu_root_free(root);
		skip();
	}
	put(root, "inbox/forms/a.csv", a);
	put(root, "inbox/forms/x.txt", "bukan ekspor");
	rc = tu_tte(root, DAY, NULL, &err, "intake", NULL);
	gone_a = !exists(root, "inbox/forms/a.csv");
	gone_x = !exists(root, "inbox/forms/x.txt");
	if (tu_sh(NULL, "umount '%s'", dir))
		fail_msg("umount %s failed", dir);
	if (rc)
		fail_msg("tte intake exited %d: %s", rc, err);
	g_free(err);
	assert_true(gone_a);
	assert_true(gone_x);
	assert_file(root, "var/processed/forms/20261124/a.csv", a);
	assert_file(root, "var/quarantine/forms/x.txt", "bukan ekspor");
	v = sql(root, "SELECT stored FROM inputs");
	assert_string_equal(v, "var/processed/forms/20261124/a.csv");
	g_free(v);
	g_free(a);
	g_free(dir);
	tu_root_free(root);
}

/* ---- moves never replace a file ---------------------------------------------- */

/* Drop N exports all named x.csv, one a run: each lands under its own
 * name, byte for byte, beside a file that was there before. */
static void same_name_drops(int n, bool no_renameat2)
{
	char *root = tu_root_new(NULL);
	char *dir = tu_path(root, "var/processed/forms/20261124");

	g_mkdir_with_parents(dir, 0700);
	put(root, "var/processed/forms/20261124/x.2.csv", "there before");
	if (no_renameat2)
		setenv("TTE_TEST_NO_RENAMEAT2", "1", 1);
	for (int i = 0; i < n; i++) {
		char *data = form_export(i), *err = NULL;
		int rc;

		put(root, "inbox/forms/x.csv", data);
		rc = tu_tte(root, DAY, NULL, &err, "intake", NULL);
		if (rc)
			fail_msg("drop %d: tte intake exited %d: %s", i, rc, err);
		g_free(err);
		g_free(data);
	}
	unsetenv("TTE_TEST_NO_RENAMEAT2");
	assert_int_equal(tu_count_files(root, "inbox/forms"), 0);
	assert_int_equal(tu_count_files(root, "var/processed/forms/20261124"), n + 1);
	{
		char *p = tu_path(root, "var/processed/forms/20261124/x.2.csv");
		char *old = tu_read(p, NULL);

		assert_string_equal(old, "there before");
		g_free(old);
		g_free(p);
	}
	/* the i-th drop, under the i-th free name, as recorded */
	for (int i = 0, slot = 0; i < n; i++, slot++) {
		char *name, *rel, *p, *got, *want = form_export(i), *q, *v;
		struct stat st;

		if (slot == 2)
			slot++;
		name = slot ? g_strdup_printf("x.%d.csv", slot) : g_strdup("x.csv");
		rel = g_build_filename("var/processed/forms/20261124", name, NULL);
		p = tu_path(root, rel);
		got = tu_read(p, NULL);
		assert_string_equal(got, want);
		assert_int_equal(lstat(p, &st), 0);
		assert_int_equal(st.st_nlink, 1);
		q = g_strdup_printf("SELECT stored FROM inputs WHERE id=%d", i + 1);
		v = sql(root, q);
		assert_string_equal(v, rel);
		g_free(v);
		g_free(q);
		g_free(got);
		g_free(want);
		g_free(p);
		g_free(rel);
		g_free(name);
	}
	g_free(dir);
	tu_root_free(root);
}

static void test_same_name_drops(void **state)
{
	(void)state;
	same_name_drops(6, false);
}

/* A file system without RENAME_NOREPLACE: link + unlink, same result. */
static void test_same_name_drops_without_renameat2(void **state)
{
	(void)state;
	same_name_drops(6, true);
}

/*
 * Whatever the count: with x.txt and x.1.txt to x.9999.txt already taken,
 * a new x.txt becomes x.10000.txt and replaces none of them. The taken
 * names are hard links to one file (cheap to make): its link count says
 * that every one of them still stands.
 */
static void test_ten_thousand_taken_names(void **state)
{
	char *root = tu_root_new(NULL);
	char *dir = tu_path(root, "var/quarantine/forms");
	char *keep = tu_path(root, "keep");
	char *err = NULL, *p, *got;
	struct stat st;
	int rc, taken = 10000;

	(void)state;
	g_mkdir_with_parents(dir, 0700);
	tu_write_str(keep, "there before");
	for (int i = 0; i < taken; i++) {
		char *name = i ? g_strdup_printf("x.%d.txt", i) : g_strdup("x.txt");

		p = g_build_filename(dir, name, NULL);
		if (link(keep, p))
			fail_msg("link %s: %s", p, strerror(errno));
		g_free(p);
		g_free(name);
	}
	put(root, "inbox/forms/x.txt", "bukan ekspor");
	rc = tu_tte(root, DAY, NULL, &err, "intake", NULL);
	if (rc)
		fail_msg("tte intake exited %d: %s", rc, err);
	g_free(err);
	assert_int_equal(stat(keep, &st), 0);
	assert_int_equal(st.st_nlink, taken + 1);
	p = g_build_filename(dir, "x.10000.txt", NULL);
	got = tu_read(p, NULL);
	assert_string_equal(got, "bukan ekspor");
	g_free(got);
	g_free(p);
	assert_true(exists(root, "var/quarantine/forms/x.10000.txt.why"));
	assert_false(exists(root, "inbox/forms/x.txt"));
	g_free(keep);
	g_free(dir);
	tu_root_free(root);
}

/* A dropped file named like another's reason ("a.csv.why") is kept: the
 * reason written later for "a.csv" takes a free name instead. */
static void test_why_never_replaces(void **state)
{
	char *root = tu_root_new(NULL);
	char *kept = tu_path(root, "var/quarantine/forms/a.csv.why");
	char *reason = tu_path(root, "var/quarantine/forms/a.csv.1.why");
	char *err = NULL, *got;
	int rc;

	(void)state;
	put(root, "inbox/forms/a.csv.why", "berkas verifikator");
	rc = tu_tte(root, DAY, NULL, &err, "intake", NULL);
	if (rc)
		fail_msg("tte intake exited %d: %s", rc, err);
	g_free(err);
	assert_true(exists(root, "var/quarantine/forms/a.csv.why"));
	put(root, "inbox/forms/a.csv", "\x01\x02 bukan ekspor formulir\n");
	rc = tu_tte(root, NEXT_DAY, NULL, &err, "intake", NULL);
	if (rc)
		fail_msg("tte intake exited %d: %s", rc, err);
	g_free(err);
	got = tu_read(kept, NULL);
	assert_string_equal(got, "berkas verifikator");
	g_free(got);
	assert_true(exists(root, "var/quarantine/forms/a.csv"));
	got = tu_read(reason, NULL);
	assert_non_null(strstr(got, "Berkas   : a.csv\n"));
	g_free(got);
	assert_int_equal(tu_count_files(root, "inbox/forms"), 0);
	g_free(kept);
	g_free(reason);
	tu_root_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_move_fails_after_commit),
		cmocka_unit_test(test_vanish_while_listed),
		cmocka_unit_test(test_vanish_before_open),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_same_pdf_name_twice),
		cmocka_unit_test(test_exdev_everywhere),
		cmocka_unit_test(test_exdev_crash_after_copy),
		cmocka_unit_test(test_inbox_on_tmpfs),
		cmocka_unit_test(test_same_name_drops),
		cmocka_unit_test(test_same_name_drops_without_renameat2),
		cmocka_unit_test(test_ten_thousand_taken_names),
		cmocka_unit_test(test_why_never_replaces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
