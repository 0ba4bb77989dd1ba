/*
 * e2e_publish - the verification site behind the letters' QR codes, end
 * to end: letters made by the real stages, their QR codes read back with
 * pdftoppm + zbarimg, the URL's path followed to a file under outbox/web/,
 * the pages validated with tidy and searched with grep for anything
 * personal, corrected, signed (test PKI) and purged letters, and the
 * pages in Debian's chromium driven over DevTools (tests/web/check.mjs).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "testutil.h"
#include "letters_fixture.h"
#include "pdfsign.h"

#define HOST "https://tte.undiksha.ac.id"

static void run(const char *root, const char *date, const char *what)
{
	char *err = NULL;
	int rc = tu_tte(root, date, NULL, &err, what, NULL);

	if (rc)
		fail_msg("tte %s on %s exited %d: %s", what, date, rc, err);
	g_free(err);
}

/* The page a QR URL leads to: outbox/web/<the URL's path>/index.html. */
static char *page_for_url(const char *root, const char *url)
{
	char *rel, *p;

	if (!g_str_has_prefix(url, HOST "/"))
		fail_msg("QR URL %s is not under %s", url, HOST);
	rel = g_strdup_printf("outbox/web%s/index.html", url + strlen(HOST));
	p = tu_path(root, rel);
	g_free(rel);
	return p;
}

static char *page_of(const char *root, const char *id, const char *file)
{
	char *rel = g_strdup_printf("outbox/web/verifikasi/%s/%s", id, file);
	char *p = tu_path(root, rel);

	g_free(rel);
	return p;
}

/* jq -r FILTER on letter ID's index.json. */
static char *json_of(const char *root, const char *id, const char *filter)
{
	char *p = page_of(root, id, "index.json"), *out = NULL;

	assert_int_equal(tu_sh(&out, "jq -r '%s' '%s'", filter, p), 0);
	g_strchomp(out);
	g_free(p);
	return out;
}

static void assert_state(const char *root, const char *id, const char *state)
{
	char *s = json_of(root, id, ".state"), *p = page_of(root, id, "index.html");
	char *html = tu_read(p, NULL), *want = g_strdup_printf("data-status=\"%s\"", state);

	if (strcmp(s, state))
		fail_msg("letter %s: state %s, expected %s", id, s, state);
	assert_non_null(strstr(html, want));
	g_free(s);
	g_free(p);
	g_free(html);
	g_free(want);
}

static char *sha_hex(GBytes *b)
{
	return g_compute_checksum_for_data(G_CHECKSUM_SHA256, g_bytes_get_data(b, NULL),
					   g_bytes_get_size(b));
}

static GBytes *read_bytes(const char *path)
{
	size_t n;
	char *d = tu_read(path, &n);

	return g_bytes_new_take(d, n);
}

static void write_bytes(const char *path, GBytes *b)
{
	tu_write(path, g_bytes_get_data(b, NULL), g_bytes_get_size(b));
}

/* Whatever is personal never reaches the site; nothing in it points
 * elsewhere; every page is valid HTML; no file names another letter. */
static void assert_site_clean(const char *root, const struct person *const *ps, int n)
{
	char *web = tu_path(root, "outbox/web"), *out = NULL;

	for (int i = 0; i < n; i++) {
		assert_false(tu_file_contains(web, ps[i]->nik));
		assert_false(tu_file_contains(web, ps[i]->email));
		assert_false(tu_file_contains(web, ps[i]->nip));
		if (ps[i]->phone)
			assert_false(tu_file_contains(web, ps[i]->phone));
	}
	assert_false(tu_file_contains(web, "drive.google.com"));
	assert_false(tu_file_contains(web, "@undiksha.ac.id"));
	/* No external reference: no URL, link, source, import or form. */
	assert_int_equal(tu_sh(&out, "grep -rlE '://|(src|href|action)=|url\\(|@import' '%s'", web), 1);
	g_free(out);
	assert_int_equal(tu_sh(&out, "for f in $(find '%s' -name '*.html'); do"
			       " tidy -errors -q \"$f\" || { echo \"$f\"; exit 1; }; done", web), 0);
	g_free(out);
	/* Each page names its own id only: count the ids in each file. */
	assert_int_equal(tu_sh(&out, "cd '%s' && for f in $(find . -type f); do"
			       " n=$(grep -oE '20[0-9]{6}(-[0-9A-Z]{4}){4}' \"$f\" | sort -u | wc -l);"
			       " d=$(dirname \"$f\"); case $f in ./verifikasi/*) [ $n = 1 ] &&"
			       " grep -q \"$(basename \"$d\")\" \"$f\" ;; *) [ $n = 0 ] ;; esac ||"
			       " { echo \"$f\"; exit 1; }; done", web), 0);
	g_free(out);
	g_free(web);
}

/* Letters, a correction, a signed copy and the purge, night by night;
 * the pages checked at each step, and in chromium. */
static void test_site(void **state)
{
	struct person a2 = alice;
	const struct person *ps[] = { &alice, &bella, &carlo }, *ps2[] = { &a2 };
	char *root = tu_root_new("[verify]\ntrust = anchors.pem\n"
				 "[bundle]\nrequire_signed_letters = true\n");
	char *anchors = tu_path(root, "anchors.pem"), *web = tu_path(root, "outbox/web");
	struct ps_pki *pki = ps_pki_new("Made Contoh Rekomendasi");
	struct ps_sign_opts o = { .key = pki->signer_key, .cert = pki->signer, .ca = pki->ca };
	char *ids[3], *old_alice, *new_alice, *s, *p, *out = NULL, *check;
	GBytes *alice1, *bella1, *bella_signed, *carlo1;
	char *bella_page_before;

	(void)state;
	ps_pki_write_trust(pki, anchors);
	drop_form(root, "a.csv", ps, 3);
	run(root, DAY, "run");

	/* Every QR leads to a page that names the letter, its state and hash. */
	for (int i = 0; i < 3; i++) {
		char *pdf = letter_path(root, ps[i]->nip), *url = qr_of(pdf), *page;
		char *sha = file_sha256(pdf), *html, *nip;

		ids[i] = sql1(root, "SELECT letter_id FROM applicants WHERE nip='%s'", ps[i]->nip);
		page = page_for_url(root, url);
		assert_true(g_str_has_suffix(url, ids[i]));
		html = tu_read(page, NULL);
		assert_non_null(strstr(html, ids[i]));
		assert_non_null(strstr(html, sha));
		assert_non_null(strstr(html, "<strong>berlaku</strong>"));
		assert_non_null(strstr(html, "noindex"));
		assert_non_null(strstr(html, "Universitas Pendidikan Ganesha"));
		assert_non_null(strstr(html, "Made Contoh Rekomendasi"));
		assert_non_null(strstr(html, "Kepala UPT Teknologi Informasi dan Komunikasi"));
		assert_non_null(strstr(html, ps[i]->unit));
		nip = g_strdup_printf("%.4s**********%s", ps[i]->nip, ps[i]->nip + 14);
		assert_non_null(strstr(html, nip));
		s = json_of(root, ids[i], ".applicant.nipMasked + \"|\" + .sha256");
		p = g_strdup_printf("%s|%s", nip, sha);
		assert_string_equal(s, p);
		g_free(s);
		g_free(p);
		g_free(nip);
		assert_state(root, ids[i], "berlaku");
		g_free(pdf);
		g_free(url);
		g_free(page);
		g_free(sha);
		g_free(html);
	}
	s = json_of(root, ids[2], ".applicant.name + \"|\" + .letterDate + \"|\" + (.signed|tostring)");
	assert_string_equal(s, "Made Wijaya|2026-11-24|null");
	g_free(s);
	/* An apostrophe in a name is escaped in HTML, kept in JSON. */
	p = page_of(root, ids[1], "index.html");
	assert_true(tu_file_contains(p, "O&apos;Neil"));
	g_free(p);
	s = json_of(root, ids[1], ".applicant.name");
	assert_string_equal(s, bella.name);
	g_free(s);
	p = tu_path(root, "outbox/web/robots.txt");
	s = tu_read(p, NULL);
	assert_string_equal(s, "User-agent: *\nDisallow: /\n");
	g_free(s);
	g_free(p);
	p = tu_path(root, "outbox/web/404.html");
	assert_true(tu_file_contains(p, "Surat tidak ditemukan"));
	g_free(p);
	assert_site_clean(root, ps, 3);

	/* Same state, same bytes: nothing is rewritten, mtimes stay. */
	assert_int_equal(tu_sh(NULL, "find '%s' -type f -exec touch -d 2020-01-01 {} +", web), 0);
	run(root, DAY, "publish");
	assert_int_equal(tu_sh(&out, "find '%s' -type f -newermt 2020-01-02 | wc -l", web), 0);
	assert_int_equal(g_ascii_strtoll(out, NULL, 10), 0);
	g_free(out);

	/* Night 2: alice corrects her data; the recommender's signed copy of
	 * bella's letter is dropped and verified. */
	p = letter_path(root, alice.nip);
	alice1 = read_bytes(p);
	g_free(p);
	p = letter_path(root, bella.nip);
	bella1 = read_bytes(p);
	g_free(p);
	p = letter_path(root, carlo.nip);
	carlo1 = read_bytes(p);
	g_free(p);
	bella_signed = ps_sign(bella1, &o);
	p = tu_path(root, "inbox/signed/surat-bella-ttd.pdf");
	write_bytes(p, bella_signed);
	g_free(p);
	a2.ts = "2026/11/12 9:00:00 AM GMT+8";
	a2.jabatan = "Lektor";
	drop_form(root, "b.csv", ps2, 1);
	run(root, "2026-11-25", "run");

	old_alice = ids[0];
	new_alice = sql1(root, "SELECT letter_id FROM applicants WHERE nip='%s'", alice.nip);
	assert_string_not_equal(old_alice, new_alice);
	assert_state(root, old_alice, "digantikan");
	assert_state(root, new_alice, "berlaku");
	p = page_of(root, old_alice, "index.html");
	assert_false(tu_file_contains(p, new_alice));	/* no link to the new letter */
	assert_true(tu_file_contains(p, "25 November 2026"));
	g_free(p);
	s = json_of(root, old_alice, ".supersededDate");
	assert_string_equal(s, "2026-11-25");
	g_free(s);
	{
		char *pdf = letter_path(root, alice.nip), *url = qr_of(pdf), *page = page_for_url(root, url);

		assert_true(tu_file_contains(page, new_alice));
		g_free(pdf);
		g_free(url);
		g_free(page);
	}
	/* bella's page: signed, with the signed file's hash and its issuer. */
	assert_state(root, ids[1], "ditandatangani");
	{
		char *hex = sha_hex(bella_signed), *orig = sha_hex(bella1);

		s = json_of(root, ids[1], ".signed.sha256 + \"|\" + .signed.verifiedDate + \"|\" +"
			    " .signed.signer + \"|\" + .sha256");
		p = g_strdup_printf("%s|2026-11-25|Made Contoh Rekomendasi|%s", hex, orig);
		assert_string_equal(s, p);
		g_free(s);
		g_free(p);
		s = json_of(root, ids[1], ".signed.issuerDn");
		assert_string_not_equal(s, "null");
		p = page_of(root, ids[1], "index.html");
		assert_true(tu_file_contains(p, hex));
		assert_true(tu_file_contains(p, "telah ditandatangani secara elektronik"));
		g_free(p);
		g_free(s);
		g_free(hex);
		g_free(orig);
	}
	/* carlo's page did not change: not rewritten. */
	p = page_of(root, ids[2], "index.html");
	assert_int_equal(tu_sh(&out, "find '%s' -newermt 2020-01-02 | wc -l", p), 0);
	assert_int_equal(g_ascii_strtoll(out, NULL, 10), 0);
	g_free(out);
	g_free(p);
	{
		const struct person *all[] = { &alice, &bella, &carlo, &a2 };

		assert_site_clean(root, all, 4);
	}

	/* In chromium: each state rendered, and the three answers. */
	{
		char *dir = tu_path(root, "check"), *cases;
		GBytes *flipped = ps_flip(bella_signed, g_bytes_get_size(bella_signed) / 2);
		GBytes *alice2;
		const char *names[] = { "alice1.pdf", "alice2.pdf", "bella1.pdf", "bella-ttd.pdf",
					"bella-ttd-ubah.pdf", "carlo1.pdf" };
		char *f[6];

		p = letter_path(root, alice.nip);
		alice2 = read_bytes(p);
		g_free(p);
		g_mkdir_with_parents(dir, 0700);
		for (int i = 0; i < 6; i++)
			f[i] = g_build_filename(dir, names[i], NULL);
		write_bytes(f[0], alice1);
		write_bytes(f[1], alice2);
		write_bytes(f[2], bella1);
		write_bytes(f[3], bella_signed);
		write_bytes(f[4], flipped);
		write_bytes(f[5], carlo1);
		cases = g_strdup_printf(
			"[{\"path\": \"/verifikasi/%s\", \"id\": \"%s\", \"state\": \"digantikan\","
			"  \"files\": [{\"file\": \"%s\", \"expect\": \"surat\"},"
			"             {\"file\": \"%s\", \"expect\": \"bukan\"}]},"
			" {\"path\": \"/verifikasi/%s\", \"id\": \"%s\", \"state\": \"berlaku\","
			"  \"files\": [{\"file\": \"%s\", \"expect\": \"surat\"},"
			"             {\"file\": \"%s\", \"expect\": \"bukan\"}]},"
			" {\"path\": \"/verifikasi/%s\", \"id\": \"%s\", \"state\": \"ditandatangani\","
			"  \"files\": [{\"file\": \"%s\", \"expect\": \"surat\"},"
			"             {\"file\": \"%s\", \"expect\": \"ttd\"},"
			"             {\"file\": \"%s\", \"expect\": \"bukan\"}]},"
			" {\"path\": \"/verifikasi/%s/\", \"id\": \"%s\", \"state\": \"berlaku\","
			"  \"files\": [{\"file\": \"%s\", \"expect\": \"surat\"}]}]",
			old_alice, old_alice, f[0], f[1], new_alice, new_alice, f[1], f[0],
			ids[1], ids[1], f[2], f[3], f[4], ids[2], ids[2], f[5]);
		check = g_build_filename(dir, "cases.json", NULL);
		tu_write_str(check, cases);
		if (tu_sh(&out, "node tests/web/check.mjs '%s' '%s' 2>&1", web, check))
			fail_msg("the pages in chromium:\n%s", out);
		assert_non_null(strstr(out, "ok "));
		assert_non_null(strstr(out, "BUKAN salinan asli surat ini"));
		g_free(out);
		for (int i = 0; i < 6; i++)
			g_free(f[i]);
		g_free(check);
		g_free(cases);
		g_free(dir);
		g_bytes_unref(flipped);
		g_bytes_unref(alice2);
	}

	/* The certificate is issued, and a week later bella's form data is
	 * purged: her page stays as it was, byte for byte. */
	p = page_of(root, ids[1], "index.html");
	bella_page_before = tu_read(p, NULL);
	g_free(p);
	p = tu_path(root, "inbox/status/pengguna-2026-11-26.csv");
	s = g_strdup_printf("NIK,Email,Status Pengguna,Status Sertifikat,Serial Number\n"
			    "%s,%s,VERIFIED,Issued,ABCDEF0123\n", bella.nik, bella.email);
	tu_write_str(p, s);
	g_free(s);
	g_free(p);
	run(root, "2026-11-26", "run");
	run(root, "2026-12-03", "run");
	s = sql1(root, "SELECT coalesce(nik, 'dihapus') FROM applicants WHERE nip='%s'", bella.nip);
	assert_string_equal(s, "dihapus");
	g_free(s);
	p = page_of(root, ids[1], "index.html");
	s = tu_read(p, NULL);
	assert_string_equal(s, bella_page_before);
	g_free(s);
	g_free(p);
	assert_state(root, ids[1], "ditandatangani");
	assert_false(tu_file_contains(web, bella.nik));

	g_bytes_unref(alice1);
	g_bytes_unref(bella1);
	g_bytes_unref(bella_signed);
	g_bytes_unref(carlo1);
	g_free(bella_page_before);
	for (int i = 0; i < 3; i++)
		g_free(ids[i]);
	g_free(new_alice);
	ps_pki_free(pki);
	ps_cleanup();
	g_free(anchors);
	g_free(web);
	tu_root_free(root);
}

/* A name or unit with <, & or quotes is escaped in the page and in the
 * JSON (the letter's own facts, set in the store as a form could not). */
static void test_escaping(void **state)
{
	const struct person *ps[] = { &carlo };
	const char *name = "Ni Luh <b>Ayu</b> & \"Sari\" O'Neil";
	const char *unit = "Unit <script>alert(1)</script> & R&D";
	char *root = tu_root_new(NULL), *id, *p, *html, *s, *q;

	(void)state;
	drop_form(root, "a.csv", ps, 1);
	run(root, DAY, "intake");
	run(root, DAY, "letters");
	id = sql1(root, "SELECT letter_id FROM applicants");
	q = g_strdup_printf("UPDATE letters SET page_name='%s', page_unit='%s'", name, unit);
	{
		/* single quotes doubled for SQL */
		char **parts = g_strsplit(q, "O'Neil", 2);

		g_free(q);
		q = g_strjoinv("O''Neil", parts);
		g_strfreev(parts);
	}
	g_free(tu_sql(root, q));
	g_free(q);
	run(root, DAY, "publish");
	p = page_of(root, id, "index.html");
	html = tu_read(p, NULL);
	assert_non_null(strstr(html, "Ni Luh &lt;b&gt;Ayu&lt;/b&gt; &amp; &quot;Sari&quot; O&apos;Neil"));
	assert_non_null(strstr(html, "Unit &lt;script&gt;alert(1)&lt;/script&gt; &amp; R&amp;D"));
	assert_null(strstr(html, "<b>Ayu"));
	assert_null(strstr(html, "<script>alert"));
	assert_int_equal(tu_sh(NULL, "tidy -errors -q '%s'", p), 0);
	g_free(p);
	g_free(html);
	s = json_of(root, id, ".applicant.name");
	assert_string_equal(s, name);
	g_free(s);
	s = json_of(root, id, ".applicant.unit");
	assert_string_equal(s, unit);
	g_free(s);
	p = page_of(root, id, "index.json");
	html = tu_read(p, NULL);
	assert_null(strchr(html, '<'));
	assert_non_null(strstr(html, "\\\"Sari\\\""));
	g_free(html);
	g_free(p);
	g_free(id);
	tu_root_free(root);
}

/* url_verifikasi must be an https:// URL whose path ends in '/': anything
 * else stops the stage with exit 2 naming the key. Another URL puts the
 * pages at its path. */
static void test_url(void **state)
{
	const char *bad[] = {
		"http://tte.undiksha.ac.id/verifikasi/", "https://tte.undiksha.ac.id/verifikasi",
		"https://tte.undiksha.ac.id/verifikasi/?id=", "https:///verifikasi/",
		"https://tte.undiksha.ac.id/a/../b/", "tte.undiksha.ac.id/verifikasi/",
		"https://tte.undiksha.ac.id/ver ifikasi/", "https://tte.undiksha.ac.id//",
	};
	const struct person *ps[] = { &carlo };
	char *root = tu_root_new(NULL), *conf = tu_path(root, "tte.conf"), *base = tu_read(conf, NULL);

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *c = g_strdup_printf("%s\n[surat]\nurl_verifikasi = %s\n", base, bad[i]);
		char *err = NULL;

		tu_write_str(conf, c);
		if (tu_tte(root, DAY, NULL, &err, "publish", NULL) != 2 ||
		    !strstr(err, "[surat] url_verifikasi tidak sah") ||
		    !strstr(err, "harus URL https:// dengan path berakhiran /"))
			fail_msg("url_verifikasi = %s: %s", bad[i], err);
		g_free(err);
		g_free(c);
	}
	{
		char *c = g_strdup_printf("%s\n[surat]\nurl_verifikasi = "
					  "https://sertifikat.example.ac.id/cek/surat-tte/\n", base);
		char *pdf, *qr, *id, *want, *page;

		tu_write_str(conf, c);
		drop_form(root, "a.csv", ps, 1);
		run(root, DAY, "run");
		pdf = letter_path(root, carlo.nip);
		qr = qr_of(pdf);
		id = sql1(root, "SELECT letter_id FROM applicants");
		want = g_strconcat("https://sertifikat.example.ac.id/cek/surat-tte/", id, NULL);
		assert_string_equal(qr, want);
		g_free(want);
		want = g_strdup_printf("outbox/web/cek/surat-tte/%s/index.html", id);
		page = tu_path(root, want);
		assert_true(tu_file_contains(page, id));
		g_free(page);
		g_free(want);
		g_free(pdf);
		g_free(qr);
		g_free(id);
		g_free(c);
	}
	g_free(base);
	g_free(conf);
	tu_root_free(root);
}

/* A read-only outbox/web/ fails the stage (exit 1) and leaves the site as
 * it was; once writable again, the next publish brings it up to date. */
static void test_read_only(void **state)
{
	struct person c2 = carlo;
	const struct person *ps[] = { &carlo, &bella }, *ps2[] = { &c2 };
	char *root = tu_root_new("[bundle]\nrequire_signed_letters = true\n");
	char *web = tu_path(root, "outbox/web");
	char *before = NULL, *after = NULL, *out = NULL, *id;
#define LIST "cd '%s' && find . -printf '%%p %%m %%s %%T@\\n' | sort && " \
	     "find . -type f -exec sha256sum {} + | sort"
	int rc;

	(void)state;
	drop_form(root, "a.csv", ps, 2);
	run(root, DAY, "run");
	id = sql1(root, "SELECT letter_id FROM applicants WHERE nip='%s'", carlo.nip);
	c2.ts = "2026/11/12 9:00:00 AM GMT+8";
	c2.unit = "UPT Teknologi Informasi dan Komunikasi";
	drop_form(root, "b.csv", ps2, 1);
	run(root, "2026-11-25", "intake");
	run(root, "2026-11-25", "letters");
	assert_int_equal(tu_sh(&before, LIST, web), 0);
	if (geteuid() == 0)	/* root writes through mode bits: a read-only mount */
		rc = tu_sh(&out, "unshare -m sh -c \"mount --bind -o ro '%s' '%s' &&"
			   " exec '%s' --root '%s' --date 2026-11-25 publish\" 2>&1",
			   web, web, tu_bin(), root);
	else
		rc = tu_sh(&out, "chmod -R a-w '%s' && '%s' --root '%s' --date 2026-11-25 publish"
			   " 2>&1; rc=$?; chmod -R u+w '%s'; exit $rc", web, tu_bin(), root, web);
	if (rc != 1)
		fail_msg("publish on a read-only site exited %d: %s", rc, out);
	assert_non_null(strstr(out, "outbox/web/ tidak diperbarui"));
	g_free(out);
	assert_int_equal(tu_sh(&after, LIST, web), 0);
	assert_string_equal(before, after);
	/* Nothing left behind beside the site either. */
	assert_int_equal(tu_sh(&out, "find '%s/outbox' -name '.*' | wc -l", root), 0);
	assert_int_equal(g_ascii_strtoll(out, NULL, 10), 0);
	g_free(out);
	/* A killed run's temporaries go with the next run. */
	assert_int_equal(tu_sh(NULL, "cd '%s/outbox' && mkdir -p .web-tmp/7 && echo x >.web-tmp/7/index.html"
			       " && echo y >.web-tmp/9", root), 0);
	run(root, "2026-11-25", "publish");
	assert_state(root, id, "digantikan");
	assert_int_equal(tu_sh(&out, "find '%s/outbox' -name '.*' | wc -l", root), 0);
	assert_int_equal(g_ascii_strtoll(out, NULL, 10), 0);
	g_free(out);
	g_free(before);
	g_free(after);
	g_free(id);
	g_free(web);
	tu_root_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_site),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_read_only),
	};

	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
