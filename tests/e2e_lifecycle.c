/*
 * e2e_lifecycle - one applicant's whole way through tte, night by night,
 * with every stage real: the form export, the letter, the letter signed by
 * the recommender (test PKI shaped like BSrE's) and verified, the bundle
 * carrying the signed file, the BSrE status export, the WhatsApp notice,
 * and the purge that leaves no trace of the NIK.
 */
#include <string.h>
#include <glib.h>

#include "testutil.h"
#include "pdfsign.h"

#define NIP0 "199705072025042101"	/* Ida Bagus Dewi Wibawa, samples en */
#define NIK0 "5107054705970101"

static void run(const char *root, const char *date)
{
	char *err = NULL;
	int rc = tu_tte(root, date, NULL, &err, "run", NULL);

	if (rc)
		fail_msg("tte run on %s exited %d: %s", date, rc, err);
	g_free(err);
}

static char *state(const char *root, const char *nip)
{
	char *q = g_strdup_printf("SELECT state FROM applicants WHERE nip='%s'", nip);
	char *s = tu_sql(root, q);

	g_free(q);
	return s;
}

static void assert_state(const char *root, const char *nip, const char *want)
{
	char *s = state(root, nip);

	if (strcmp(s, want))
		fail_msg("%s: %s, expected %s", nip, s, want);
	g_free(s);
}

static void test_lifecycle(void **st)
{
	char *root = tu_root_new("[verify]\ntrust = anchors.pem\n"
				 "[bundle]\nrequire_signed_letters = true\n"
				 "[purge]\ngrace_days = 7\n");
	char *anchors = tu_path(root, "anchors.pem");
	char *letter = tu_path(root, "outbox/letters/" NIP0 ".pdf");
	char *signed_path = tu_path(root, "inbox/signed/surat-ditandatangani.pdf");
	char *src = tu_sample("forms/form-responses-en.csv");
	char *dst = tu_path(root, "inbox/forms/jawaban.csv");
	struct ps_pki *pki = ps_pki_new("MADE CONTOH REKOMENDASI");
	struct ps_sign_opts o = { .key = pki->signer_key, .cert = pki->signer, .ca = pki->ca,
				  .tsa_key = pki->tsa_key, .tsa_cert = pki->tsa };
	GBytes *plain, *sig;
	char *s, *out = NULL, *bundle;
	size_t n;

	(void)st;
	ps_pki_write_trust(pki, anchors);
	tu_copy(src, dst);

	/* Night 1: accepted, a letter each; nobody bundled before signing. */
	run(root, "2026-11-10");
	assert_state(root, NIP0, "LETTER");
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM bundles"), 0);
	assert_int_equal(tu_sh(&out, "pdftotext -layout '%s' -", letter), 0);
	assert_non_null(strstr(out, NIK0));	/* the letter carries the NIK by design */
	assert_non_null(strstr(out, "Ida Bagus Dewi Wibawa"));
	g_free(out);

	/* The recommender signs the real letter; the verifier drops it. */
	{
		char *d = tu_read(letter, &n);

		plain = g_bytes_new_take(d, n);
	}
	sig = ps_sign(plain, &o);
	tu_write(signed_path, g_bytes_get_data(sig, NULL), g_bytes_get_size(sig));

	/* Night 2: verified, SIGNED, and bundled with the signed file. */
	run(root, "2026-11-11");
	assert_state(root, NIP0, "BUNDLED");
	s = tu_sql(root, "SELECT conclusion || '|' || coalesce(letter_id, '-') FROM verifications");
	assert_true(g_str_has_prefix(s, "VALID|2026"));
	g_free(s);
	s = tu_sql(root, "SELECT group_concat(to_state, '>') FROM (SELECT to_state FROM history h"
		   " JOIN applicants a ON a.id=h.applicant_id WHERE a.nip='" NIP0 "' ORDER BY h.id)");
	assert_string_equal(s, "VALID>LETTER>SIGNED>BUNDLED");
	g_free(s);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM applicants WHERE state='LETTER'"), 5);
	bundle = tu_sql(root, "SELECT file FROM bundles");
	assert_string_equal(bundle, "outbox/bundles/bsre-20261111-01.zip");
	assert_int_equal(tu_sh(&out, "cd '%s' && d=$(mktemp -d) && unzip -q '%s' -d \"$d\" &&"
			       " cd \"$d\" && sha256sum -c MANIFEST.sha256 && sha256sum surat/%s.pdf;"
			       " rc=$?; rm -rf \"$d\"; exit $rc", root, bundle, NIP0), 0);
	{
		char hex[65];
		GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);

		g_checksum_update(c, g_bytes_get_data(sig, NULL), g_bytes_get_size(sig));
		g_strlcpy(hex, g_checksum_get_string(c), sizeof(hex));
		g_checksum_free(c);
		assert_non_null(strstr(out, hex));	/* the signed file went to BSrE */
	}
	g_free(out);

	/* Night 3: BSrE reports the certificate issued. */
	{
		char *p = tu_path(root, "inbox/status/pengguna-2026-11-12.csv");

		tu_write_str(p, "NIK,Email,Status Pengguna,Status Sertifikat,Serial Number\n"
				NIK0 ",p0000100@undiksha.ac.id,VERIFIED,Issued,ABCDEF0123\n");
		g_free(p);
	}
	run(root, "2026-11-12");
	assert_state(root, NIP0, "ISSUE");
	{
		char *p = tu_path(root, "outbox/notices/wa-20261112.txt");
		char *text = tu_read(p, NULL);

		assert_non_null(strstr(text, "Ida Bagus Dewi Wibawa"));
		assert_null(strstr(text, NIK0));
		assert_null(strstr(text, NIP0));
		g_free(text);
		g_free(p);
	}

	/* A week on: the purge. The bundle's only member is purged, so the
	 * bundle goes; the NIK is nowhere, the database included. */
	run(root, "2026-11-19");
	s = tu_sql(root, "SELECT coalesce(nik, 'dihapus') || '|' || state || '|' || purged_day"
		   " FROM applicants WHERE nip='" NIP0 "'");
	assert_string_equal(s, "dihapus|ISSUE|2026-11-19");
	g_free(s);
	{
		char *p = tu_path(root, bundle);

		assert_false(g_file_test(p, G_FILE_TEST_EXISTS));
		assert_false(g_file_test(letter, G_FILE_TEST_EXISTS));
		g_free(p);
	}
	assert_int_equal(tu_sh(NULL, "test -z \"$(ls -A '%s/var/signed')\"", root), 0);
	/* Only the raw export is left: it holds five people not yet issued,
	 * and goes after retention_days (14). */
	assert_int_equal(tu_sh(&out, "grep -rlaF %s '%s'", NIK0, root), 0);
	assert_true(g_str_has_suffix(g_strstrip(out), "var/processed/forms/20261110/jawaban.csv"));
	g_free(out);
	run(root, "2026-11-25");
	assert_int_equal(tu_sh(NULL, "grep -rqaF %s '%s'", NIK0, root), 1);

	g_free(bundle);
	g_bytes_unref(plain);
	g_bytes_unref(sig);
	ps_pki_free(pki);
	ps_cleanup();
	g_free(anchors);
	g_free(letter);
	g_free(signed_path);
	g_free(src);
	g_free(dst);
	tu_root_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
