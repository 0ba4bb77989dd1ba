/*
 * e2e_verify - the nightly verify stage on a temporary root: signed PDFs
 * dropped into inbox/signed/, `tte run`, then the JSON in
 * outbox/verification/, the verifications and letters tables, the
 * applicant's state and history, var/signed/, the quarantine and the
 * report's Verifikasi sheet, all read back with jq, sqlite3 and the
 * workbook reader.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "pdfsign.h"
#include "testutil.h"

static const char *const letter_lines[] = {
	"SURAT REKOMENDASI PERMOHONAN PENERBITAN SERTIFIKAT ELEKTRONIK",
	"Nama Lengkap : Ni Luh Contoh Pemohon",
	"NIP : 199001012015042001",
	NULL,
};

static void drop(const char *root, const char *name, GBytes *pdf)
{
	char *rel = g_build_filename("inbox", "signed", name, NULL), *p = tu_path(root, rel);
	gsize n;
	const char *d = g_bytes_get_data(pdf, &n);

	tu_write(p, d, n);
	g_free(rel);
	g_free(p);
}

static char *sha256_hex(GBytes *b)
{
	return g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, b);
}

/* An applicant in state LETTER with letter ID over PDF (as the letters
 * stage would leave them). */
static void add_letter(const char *root, int n, const char *id, GBytes *pdf)
{
	char *sha = sha256_hex(pdf), *sql;

	sql = g_strdup_printf(
		"INSERT INTO applicants(id, nik_hmac, nip, name, email, submitted_at, first_day, state,"
		" state_day, state_at, letter_id) VALUES(%d, 'hmac%d', '19900101201504200%d',"
		" 'Pemohon %d', 'p%d@undiksha.ac.id', '2026-11-20T00:00:00Z', '2026-11-20', 'LETTER',"
		" '2026-11-21', '2026-11-21T00:00:00+0800', '%s');"
		"INSERT INTO letters(id, applicant_id, version, data_hash, day, sha256, file)"
		" VALUES('%s', %d, 1, 'h', '2026-11-21', '%s', 'outbox/letters/x.pdf');",
		n, n, n, n, n, id, id, n, sha);
	g_free(tu_sql(root, sql));
	g_free(sql);
	g_free(sha);
}

static char *jq_file(const char *file, const char *filter)
{
	char *out = NULL;
	size_t n;

	if (tu_sh(&out, "jq -r '%s' '%s'", filter, file))
		fail_msg("jq %s on %s failed", filter, file);
	n = strlen(out);
	while (n && out[n - 1] == '\n')
		out[--n] = 0;
	return out;
}

static void test_nightly(void **state)
{
	char *root = tu_root_new("[verify]\ntrust = anchors\n");
	char *anchors = tu_path(root, "anchors"), *trust = tu_path(root, "anchors/bsre.pem");
	char *trust2 = tu_path(root, "anchors/lain.pem");
	struct ps_pki *pki = ps_pki_new("MADE CONTOH REKOMENDASI");
	struct ps_pki *other = ps_pki_new("I PUTU BUKAN PEJABAT");
	GBytes *l1, *l2, *s1, *s2, *bad, *plain;
	struct ps_sign_opts o = { .key = pki->signer_key, .cert = pki->signer, .ca = pki->ca,
				  .tsa_key = pki->tsa_key, .tsa_cert = pki->tsa };
	char *json, *v, *kept, *sha, *xlsx;
	GPtrArray *sheet;
	int r, c;

	(void)state;
	/* The anchors: a folder holding both test PKIs' roots. */
	g_mkdir(anchors, 0700);
	ps_pki_write_trust(pki, trust);
	ps_pki_write_trust(other, trust2);
	assert_int_equal(tu_tte(root, NULL, NULL, NULL, "init", NULL), 0);

	/* Two letters: one signed by the recommender, one by someone else
	 * (under the same CA: a valid signature, the wrong person). */
	l1 = ps_make_letter(letter_lines);
	{
		const char *lines2[] = { "SURAT REKOMENDASI", "NIP : 199001012015042002", NULL };

		l2 = ps_make_letter(lines2);
	}
	add_letter(root, 1, "L-0001", l1);
	add_letter(root, 2, "L-0002", l2);
	s1 = ps_sign(l1, &o);
	{
		struct ps_sign_opts o2 = o;

		o2.key = other->signer_key;
		o2.cert = other->signer;
		o2.ca = other->ca;
		s2 = ps_sign(l2, &o2);
	}
	/* Tampered after the first revision: still recognisably letter 1. */
	bad = ps_flip(s1, (size_t)ps_find(s1, "/M (D:", (size_t)ps_find(s1, "/Contents <", 0)) + 8);
	plain = ps_make_minimal("tanpa tanda tangan", NULL);

	drop(root, "surat-ttd.pdf", s1);
	drop(root, "surat-lain.pdf", s2);
	drop(root, "rusak.pdf", bad);
	drop(root, "polos.pdf", plain);
	{
		char *p = tu_path(root, "inbox/signed/catatan.pdf");

		tu_write_str(p, "ini bukan PDF\n");
		g_free(p);
	}

	/* The nightly verify stage, then the report (the letters here are
	 * rows made by hand, so the rest of `tte run` is not involved). */
	assert_int_equal(tu_tte(root, "2026-11-24", NULL, NULL, "verify", NULL), 0);
	assert_int_equal(tu_tte(root, "2026-11-24", NULL, NULL, "report", NULL), 0);

	/* The JSON per input file. */
	json = tu_path(root, "outbox/verification/surat-ttd.pdf.json");
	v = jq_file(json, "[.conclusion, .letter, .letterSignerMismatch, .signatures[0].signer] "
			  "| @tsv");
	assert_string_equal(v, "VALID\tL-0001\tfalse\tMADE CONTOH REKOMENDASI");
	g_free(v);
	g_free(json);
	json = tu_path(root, "outbox/verification/surat-lain.pdf.json");
	v = jq_file(json, "[.conclusion, .letter, .letterSignerMismatch] | @tsv");
	assert_string_equal(v, "VALID\tL-0002\ttrue");
	g_free(v);
	g_free(json);
	json = tu_path(root, "outbox/verification/rusak.pdf.json");
	v = jq_file(json, "[.conclusion, .letter] | @tsv");
	assert_string_equal(v, "INVALID\tL-0001");
	g_free(v);
	g_free(json);
	json = tu_path(root, "outbox/verification/polos.pdf.json");
	v = jq_file(json, ".conclusion");
	assert_string_equal(v, "NO_SIGNATURE");
	g_free(v);
	g_free(json);

	/* The store: rows, the letters, the applicants' states. */
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM verifications"), 4);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM inputs WHERE kind='signed'"), 4);
	v = tu_sql(root, "SELECT conclusion || '|' || coalesce(letter_id,'-') FROM verifications"
			 " ORDER BY name");
	assert_string_equal(v, "NO_SIGNATURE|-\nINVALID|L-0001\nVALID|L-0002\nVALID|L-0001");
	g_free(v);
	v = tu_sql(root, "SELECT state FROM applicants ORDER BY id");
	assert_string_equal(v, "SIGNED\nSIGNED");
	g_free(v);
	v = tu_sql(root, "SELECT from_state || '>' || to_state || '|' || source FROM history"
			 " WHERE applicant_id=1");
	assert_string_equal(v, "LETTER>SIGNED|surat-ttd.pdf");
	g_free(v);
	v = tu_sql(root, "SELECT signed_file || '|' || signer || '|' || coalesce(signer_flag, '-')"
			 " FROM letters ORDER BY id");
	assert_non_null(strstr(v, "var/signed/L-0001.pdf|MADE CONTOH REKOMENDASI|-\n"));
	assert_non_null(strstr(v, "var/signed/L-0002.pdf|I PUTU BUKAN PEJABAT|penanda tangan"));
	g_free(v);

	/* The signed file kept for the bundle, byte for byte. */
	kept = tu_path(root, "var/signed/L-0001.pdf");
	{
		size_t n;
		char *d = tu_read(kept, &n);
		GBytes *b = g_bytes_new_take(d, n);
		char *h1 = sha256_hex(b), *h2 = sha256_hex(s1);

		assert_string_equal(h1, h2);
		g_free(h1);
		g_free(h2);
		g_bytes_unref(b);
	}
	g_free(kept);
	sha = sha256_hex(s1);
	v = tu_sql(root, "SELECT signed_sha256 FROM letters WHERE id='L-0001'");
	assert_string_equal(v, sha);
	g_free(v);
	g_free(sha);

	/* Inputs left the inbox: processed, or quarantined with a reason. */
	{
		char *p = tu_path(root, "var/processed/signed/20261124/surat-ttd.pdf");
		char *q = tu_path(root, "var/quarantine/signed/catatan.pdf.why");
		char *in = tu_path(root, "inbox/signed/surat-ttd.pdf");

		assert_true(g_file_test(p, G_FILE_TEST_IS_REGULAR));
		assert_true(tu_file_contains(q, "bukan dokumen PDF"));
		assert_false(g_file_test(in, G_FILE_TEST_EXISTS));
		g_free(p);
		g_free(q);
		g_free(in);
	}

	/* The report's Verifikasi sheet. */
	xlsx = tu_path(root, "outbox/reports/laporan-20261124.xlsx");
	sheet = tu_xlsx_sheet(xlsx, "Verifikasi");
	assert_non_null(sheet);
	assert_int_equal(sheet->len, 1 + 4);
	r = tu_find_row(sheet, tu_col(sheet, "Berkas"), "rusak.pdf");
	assert_true(r > 0);
	c = tu_col(sheet, "Kesimpulan");
	assert_string_equal(tu_cell(sheet, (guint)r, (guint)c), "INVALID");
	assert_non_null(strstr(tu_cell(sheet, (guint)r, (guint)tu_col(sheet, "Keterangan")),
			       "Dokumen telah diubah setelah ditandatangani"));
	r = tu_find_row(sheet, tu_col(sheet, "Berkas"), "surat-lain.pdf");
	assert_string_equal(tu_cell(sheet, (guint)r, (guint)tu_col(sheet, "Surat")), "L-0002");
	assert_non_null(strstr(tu_cell(sheet, (guint)r, (guint)tu_col(sheet, "Keterangan")),
			       "bukan pemberi rekomendasi"));
	g_ptr_array_unref(sheet);
	g_free(xlsx);

	/* `tte verify FILE` names the letter too (read-only), records nothing. */
	{
		char *f = tu_path(root, "var/signed/L-0002.pdf"), *out = NULL;
		char *j = tu_path(root, "again.json");

		assert_int_equal(tu_tte(root, NULL, &out, NULL, "verify", "--json", f, NULL), 0);
		tu_write_str(j, out);
		v = jq_file(j, "[.letter, .letterSignerMismatch] | @tsv");
		assert_string_equal(v, "L-0002\ttrue");
		g_free(v);
		assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM verifications"), 4);
		g_free(out);
		g_free(j);
		g_free(f);
	}

	/* Dropping the same file again: verified again, no duplicate input. */
	drop(root, "surat-ttd.pdf", s1);
	assert_int_equal(tu_tte(root, "2026-11-25", NULL, NULL, "verify", NULL), 0);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM verifications"), 5);
	assert_int_equal(tu_sql_int(root, "SELECT count(*) FROM inputs WHERE kind='signed'"), 4);

	g_bytes_unref(l1);
	g_bytes_unref(l2);
	g_bytes_unref(s1);
	g_bytes_unref(s2);
	g_bytes_unref(bad);
	g_bytes_unref(plain);
	ps_pki_free(pki);
	ps_pki_free(other);
	g_free(anchors);
	g_free(trust);
	g_free(trust2);
	tu_root_free(root);
	ps_cleanup();
}

/* The recommender's name in tte.conf and in the certificate may be the
 * same text in different Unicode forms and case: a precomposed é in the
 * config, E and a combining acute in the CN. The signer is the recommender. */
static void test_signer_name_forms(void **state)
{
	char *root = tu_root_new("[verify]\ntrust = anchors\n");
	char *anchors = tu_path(root, "anchors"), *trust = tu_path(root, "anchors/bsre.pem");
	char *conf = tu_path(root, "tte.conf");
	struct ps_pki *pki = ps_pki_new("MADE  CONTOH RE\xcc\x81KOMENDASI");
	struct ps_sign_opts o = { .key = pki->signer_key, .cert = pki->signer, .ca = pki->ca,
				  .tsa_key = pki->tsa_key, .tsa_cert = pki->tsa };
	GBytes *l1, *s1;
	char *v;

	(void)state;
	assert_int_equal(tu_sh(NULL, "sed -i 's/^nama = .*/nama = Made Contoh R\xc3\xa9komendasi/' '%s'",
			       conf), 0);
	assert_true(tu_file_contains(conf, "R\xc3\xa9komendasi"));
	g_mkdir(anchors, 0700);
	ps_pki_write_trust(pki, trust);
	assert_int_equal(tu_tte(root, NULL, NULL, NULL, "init", NULL), 0);
	l1 = ps_make_letter(letter_lines);
	add_letter(root, 1, "L-0001", l1);
	s1 = ps_sign(l1, &o);
	drop(root, "surat-ttd.pdf", s1);
	assert_int_equal(tu_tte(root, "2026-11-24", NULL, NULL, "verify", NULL), 0);
	v = tu_sql(root, "SELECT a.state || '|' || coalesce(l.signer_flag, '-') FROM applicants a"
			 " JOIN letters l ON l.id=a.letter_id");
	assert_string_equal(v, "SIGNED|-");
	g_free(v);
	g_bytes_unref(l1);
	g_bytes_unref(s1);
	ps_pki_free(pki);
	g_free(conf);
	g_free(anchors);
	g_free(trust);
	tu_root_free(root);
	/* ps_cleanup() at the end of the last test only */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signer_name_forms),
		cmocka_unit_test(test_nightly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
