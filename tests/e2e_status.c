/*
 * e2e_status - the built binary on temporary roots: BSrE status exports
 * into inbox/status/ (CSV, XLSX from libxlsxwriter, XLSX shaped the way
 * other tools write it), the day's WhatsApp notices, and the report's
 * history, funnel and unmatched sheets.
 *
 * People come from the shared form samples (synthetic); applicants reach
 * BUNDLED by the letters and bundle stages of the same night.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "testutil.h"
#include "statusfix.h"
#include "xlsxfix.h"

/* No run of 16 or more digits, nor any of the NIPs, in TEXT. */
static void assert_no_ids(const char *text)
{
	GRegex *re = g_regex_new("[0-9]{16}", 0, 0, NULL);

	if (g_regex_match(re, text, 0, NULL))
		fail_msg("a 16-digit number in: %s", text);
	g_regex_unref(re);
	for (size_t i = 0; i < G_N_ELEMENTS(P); i++)
		assert_null(strstr(text, P[i].nip));
}

/* ---- a portal CSV ------------------------------------------------------------------ */

static void test_csv_export(void **state)
{
	char *root = setup_root(NULL, "2026-11-20", true);
	char *s, *xlsx;
	long long hist;
	GPtrArray *rows;
	int r;

	(void)state;
	assert_state(root, P[0].nip, "BUNDLED");

	drop_sample(root, "status", "status/portal-users.csv");
	set_mtime(root, "status", "portal-users.csv", "2026-11-21 00:00:00 UTC");
	run(root, "2026-11-21", "run");
	/* Certificate status wins; user status alone gives the account state. */
	assert_state(root, P[0].nip, "ISSUE");
	assert_state(root, P[1].nip, "NEW");
	assert_state(root, P[2].nip, "NEW");		/* VERIFIED user, NEW certificate */
	assert_state(root, P[3].nip, "EXPIRED");
	assert_state(root, P[4].nip, "ISSUE");
	assert_state(root, P[5].nip, "NEW");		/* user NEW, no certificate */
	assert_state(root, G_NIP, "BUNDLED");		/* not in the export */
	s = tu_sql(root, "SELECT h.day, h.from_state, h.to_state, h.source, h.note FROM history h"
		   " JOIN applicants a ON a.id=h.applicant_id WHERE a.nip='196806131993062103'"
		   " AND h.source='portal-users.csv'");
	assert_string_equal(s, "2026-11-21|BUNDLED|NEW|portal-users.csv|baris 4; status pengguna "
			    "VERIFIED");
	g_free(s);
	s = tu_sql(root, "SELECT issued_day, cert_serial, cert_not_after, bsre_user_status,"
		   " status_time FROM applicants WHERE nip='199705072025042101'");
	assert_string_equal(s, "2026-11-21|B3F9E5C798297C0A|2028-11-10|VERIFIED|2026-11-21T00:00:00Z");
	g_free(s);
	assert_int_equal(count(root, "SELECT count(*) FROM status_unmatched"), 0);

	/* Step 6 and step 9 in the group, by name only. */
	s = read_rel(root, "outbox/notices/wa-20261121.txt");
	assert_non_null(strstr(s, "*Akun esign BSrE telah dibuat*"));
	assert_non_null(strstr(s, "buat passphrase"));
	assert_non_null(strstr(s, "Ni Komang Sudiarta Sari (Fakultas Kedokteran)"));
	assert_non_null(strstr(s, "Komang Pratama Utami"));
	assert_non_null(strstr(s, "*Sertifikat elektronik telah terbit*"));
	assert_non_null(strstr(s, "Ida Bagus Dewi Wibawa"));
	assert_non_null(strstr(s, "boleh keluar dari grup ini"));
	assert_null(strstr(s, "Sudiarta Suarta"));	/* EXPIRED: none of these sections */
	assert_null(strstr(s, "Formulir perlu diperbaiki"));	/* nothing rejected today */
	assert_no_ids(s);
	g_free(s);
	/* The day before: the rejected rows, with the column at fault. */
	s = read_rel(root, "outbox/notices/wa-20261120.txt");
	assert_non_null(strstr(s, "*Formulir perlu diperbaiki*"));
	assert_non_null(strstr(s, "Ni Komang Kusuma Mahendra (Fakultas Hukum dan Ilmu Sosial) - "
				  "perbaiki kolom: Email Undiksha"));
	assert_non_null(strstr(s, "Komang Sudiarta Sudiarta (Fakultas Bahasa dan Seni) - perbaiki "
				  "kolom: NIK"));
	assert_null(strstr(s, "gmail"));
	assert_no_ids(s);
	g_free(s);

	/* The same export again, under another name: nothing changes, and the
	 * copy is deleted. */
	hist = count(root, "SELECT count(*) FROM history");
	drop_sample(root, "status", "status/portal-users.csv");
	{
		char *a = tu_path(root, "inbox/status/portal-users.csv");
		char *b = tu_path(root, "inbox/status/portal-users (1).csv");

		assert_int_equal(rename(a, b), 0);
		g_free(a);
		g_free(b);
	}
	run(root, "2026-11-22", "run");
	assert_int_equal(count(root, "SELECT count(*) FROM history"), hist);
	assert_int_equal(count(root, "SELECT count(*) FROM inputs WHERE kind='status'"), 1);
	/* one copy of an input is kept, the recorded one */
	assert_false(exists(root, "inbox/status/portal-users (1).csv"));
	assert_false(exists(root, "var/processed/status/20261122/portal-users (1).csv"));
	assert_false(exists(root, "outbox/notices/wa-20261122.txt"));	/* nothing happened */

	/* Accounts waiting remind_days (7) with no change are reminded, and
	 * again every 7 days, not every day. */
	run(root, "2026-11-28", "notices");
	s = read_rel(root, "outbox/notices/wa-20261128.txt");
	assert_non_null(strstr(s, "*Pengingat: passphrase belum dibuat*"));
	assert_non_null(strstr(s, "belum berlanjut selama 7 hari atau lebih"));
	assert_non_null(strstr(s, "1. I Nyoman Sudiarta Artha (Fakultas Ekonomi), menunggu sejak 21 "
				  "November 2026"));
	assert_non_null(strstr(s, "Ni Komang Sudiarta Sari"));
	assert_non_null(strstr(s, "Komang Pratama Utami"));
	assert_null(strstr(s, "Ida Bagus"));
	assert_null(strstr(s, "Akun esign BSrE telah dibuat"));
	assert_no_ids(s);
	g_free(s);
	run(root, "2026-11-28", "notices");	/* the same day again: the same file */
	s = read_rel(root, "outbox/notices/wa-20261128.txt");
	assert_non_null(strstr(s, "Komang Pratama Utami"));
	g_free(s);
	run(root, "2026-11-29", "notices");
	assert_false(exists(root, "outbox/notices/wa-20261129.txt"));
	run(root, "2026-12-05", "notices");
	s = read_rel(root, "outbox/notices/wa-20261205.txt");
	assert_non_null(strstr(s, "Komang Pratama Utami"));
	g_free(s);

	/* The report: the history sheet, the funnel and lead times, charts. */
	xlsx = tu_path(root, "outbox/reports/laporan-20261121.xlsx");
	rows = tu_xlsx_sheet(xlsx, "Riwayat");
	assert_non_null(rows);
	r = tu_find_row(rows, tu_col(rows, "NIP"), P[0].nip);
	assert_true(r > 0);
	assert_string_equal(tu_cell(rows, (guint)r, (guint)tu_col(rows, "Ke")), "VALID");
	assert_int_equal(count(root, "SELECT count(*) FROM history"), (long long)rows->len - 1);
	g_ptr_array_unref(rows);
	rows = tu_xlsx_sheet(xlsx, "Ringkasan");
	r = tu_find_row(rows, 0, "Alur permohonan");
	assert_true(r > 0);
	assert_string_equal(tu_cell(rows, (guint)r + 1, 0), "Mengajukan");
	assert_string_equal(tu_cell(rows, (guint)r + 1, 1), "12");	/* 11 people + 1 without NIK */
	assert_string_equal(tu_cell(rows, (guint)r + 4, 0), "Dibundel");
	assert_string_equal(tu_cell(rows, (guint)r + 4, 1), "8");
	assert_string_equal(tu_cell(rows, (guint)r + 5, 1), "6");	/* registered */
	assert_string_equal(tu_cell(rows, (guint)r + 6, 0), "ISSUE");
	assert_string_equal(tu_cell(rows, (guint)r + 6, 1), "2");
	r = tu_find_row(rows, 0, "Median");
	assert_true(r > 0);
	/* Submitted 10 and 14 November (GMT+8), issued 21 November. */
	assert_string_equal(tu_cell(rows, (guint)r, 1), "9");
	assert_string_equal(tu_cell(rows, (guint)r + 1, 1), "11");
	g_ptr_array_unref(rows);
	assert_int_equal(tu_sh(NULL, "unzip -l '%s' | grep -c 'xl/charts/chart[12].xml' | grep -qx 2",
			       xlsx), 0);
	assert_int_equal(tu_sh(NULL, "unzip -p '%s' xl/charts/chart1.xml | grep -q "
			       "'Ringkasan!\\$A\\$6:\\$A\\$'", xlsx), 0);
	g_free(xlsx);
	tu_root_free(root);
}

/* ---- XLSX exports, out of order ------------------------------------------------------- */

/* Newer: written by libxlsxwriter (shared strings), NIKs as numbers,
 * statuses in lower case, a person twice, a stranger, an unknown status. */
static void write_newer(const char *path)
{
	const char *cells[] = {
		"No", "Nama", "NIK", "Email", "Status Sertifikat", "Status Pengguna",
		"Serial Number", "Berlaku Sampai",
		"1", P[0].name, P[0].nik, P[0].email, "issue", "verified", "AA01", "2028-11-23",
		"2", P[1].name, "", P[1].email, "waiting_for_verification", "", "", "",
		"3", P[2].name, P[2].nik, P[2].email, "revoke", "verified", "OLD3", "2025-01-01",
		"4", P[2].name, P[2].nik, P[2].email, "Issued", "verified", "NEW3", "2028-11-23",
		"5", P[3].name, P[3].nik, P[3].email, "enroll", "verified", "", "",
		"6", "Orang Lain", "3171010101900001", "lain@example.go.id", "issue", "", "X9", "",
		"7", P[4].name, P[4].nik, P[4].email, "aktifkan?", "", "", "",
	};
	const bool numeric[] = { true, false, true, false, false, false, false, false };

	/* Created 23 November 2026 02:00 UTC; no date in the file name. */
	xf_xlsx_writer(path, "Sertifikat", 8, 8, cells, numeric, 1795399200);
}

/* Older (by its file name, users_20261122.xlsx): shaped the way other
 * tools write: an "Info" sheet first, inline strings, NIKs as numbers in
 * exponent form, a NIK that lost its digits, camelCase headers. */
static void write_older(const char *path)
{
	const char *names[] = { "Info", "Users" };
	GString *u = g_string_new(NULL);
	char *title = xf_istr("A1", "Ekspor pengguna esign");
	char *info = g_strconcat("<row r=\"1\">", title, "</row>", NULL);
	const char *data[2];
	struct {
		const char *nik, *email, *status, *user;
	} rows[] = {
		{ "<v>5.107054705970101E+15</v>", P[0].email, "new", "NEW" },	/* stale for A */
		{ "<v>5102020706680106</v>", P[5].email, "NEW", "NEW" },		/* only here */
		{ "<v>5.10303E+15</v>", G_EMAIL, "New", "" },			/* by e-mail */
		{ NULL, "", "Not Registered", "" },					/* H, inline NIK */
	};
	static const char *const hdr[] = { "nik", "emailAddress", "status", "userStatus" };
	char *cell;

	g_string_append(u, "<row r=\"1\">");
	for (int c = 0; c < 4; c++) {
		char ref[4] = { (char)('A' + c), '1', 0 };

		cell = xf_istr(ref, hdr[c]);
		g_string_append(u, cell);
		g_free(cell);
	}
	g_string_append(u, "</row>");
	for (int i = 0; i < 4; i++) {
		char ref[8];

		g_string_append_printf(u, "<row r=\"%d\">", i + 2);
		g_snprintf(ref, sizeof(ref), "A%d", i + 2);
		if (rows[i].nik)
			g_string_append_printf(u, "<c r=\"%s\">%s</c>", ref, rows[i].nik);
		else {
			cell = xf_istr(ref, H_NIK);
			g_string_append(u, cell);
			g_free(cell);
		}
		g_snprintf(ref, sizeof(ref), "B%d", i + 2);
		cell = xf_istr(ref, rows[i].email);
		g_string_append(u, cell);
		g_free(cell);
		g_snprintf(ref, sizeof(ref), "C%d", i + 2);
		cell = xf_istr(ref, rows[i].status);
		g_string_append(u, cell);
		g_free(cell);
		if (*rows[i].user) {
			g_snprintf(ref, sizeof(ref), "D%d", i + 2);
			cell = xf_istr(ref, rows[i].user);
			g_string_append(u, cell);
			g_free(cell);
		}
		g_string_append(u, "</row>");
	}
	data[0] = info;
	data[1] = u->str;
	xf_xlsx_raw(path, 2, names, data, NULL, NULL);
	g_free(title);
	g_free(info);
	g_string_free(u, TRUE);
}

static void test_xlsx_exports(void **state)
{
	char *root = setup_root(NULL, "2026-11-20", true);
	char *p, *s, *xlsx;
	GPtrArray *rows;
	int r, nik;

	(void)state;

	p = tu_path(root, "inbox/status/Sertifikat BSrE.xlsx");
	write_newer(p);
	g_free(p);
	run(root, "2026-11-23", "run");
	assert_state(root, P[0].nip, "ISSUE");
	assert_state(root, P[1].nip, "WAITING_FOR_VERIFICATION");	/* matched by e-mail */
	assert_state(root, P[2].nip, "ISSUE");		/* the current of two certificates */
	assert_state(root, P[3].nip, "ENROLL");
	assert_state(root, P[4].nip, "BUNDLED");		/* unknown status */
	s = tu_sql(root, "SELECT cert_serial, note FROM applicants a JOIN history h ON"
		   " h.applicant_id=a.id WHERE a.nip='196806131993062103' AND h.to_state='ISSUE'");
	assert_string_equal(s, "NEW3|baris 5 (dipilih dari 2 baris untuk orang yang sama); status "
			    "pengguna VERIFIED");
	g_free(s);
	assert_int_equal(count(root, "SELECT count(*) FROM history h JOIN applicants a ON"
			       " a.id=h.applicant_id WHERE a.nip='196806131993062103' AND"
			       " h.source='Sertifikat BSrE.xlsx'"), 1);
	s = tu_sql(root, "SELECT export_time FROM inputs WHERE name='Sertifikat BSrE.xlsx'");
	assert_string_equal(s, "2026-11-23T02:00:00Z");	/* the workbook's creation time */
	g_free(s);
	s = tu_sql(root, "SELECT row_no, nik_masked, email, status, reason FROM status_unmatched"
		   " ORDER BY row_no");
	assert_string_equal(s, "7|3171**********01|lain@example.go.id|issue|NIK dan email tidak "
			    "cocok dengan pemohon mana pun di tte\n"
			    "8|5106**********05|p0000104@undiksha.ac.id|aktifkan?|status sertifikat "
			    "\"aktifkan?\" tidak dikenal");
	g_free(s);

	/* An older export arrives later: it moves nobody backwards, but tells
	 * what the newer one did not. */
	p = tu_path(root, "inbox/status/users_20261122.xlsx");
	write_older(p);
	g_free(p);
	run(root, "2026-11-24", "run");
	s = tu_sql(root, "SELECT export_time FROM inputs WHERE name='users_20261122.xlsx'");
	assert_string_equal(s, "2026-11-21T16:00:00Z");	/* 22 November 00:00 WITA */
	g_free(s);
	assert_state(root, P[0].nip, "ISSUE");		/* not back to NEW */
	assert_int_equal(count(root, "SELECT count(*) FROM history WHERE"
			       " source='users_20261122.xlsx'"), 3);
	assert_state(root, P[5].nip, "NEW");
	assert_state(root, G_NIP, "NEW");			/* NIK lost its digits; e-mail matched */
	assert_state(root, H_NIP, "NOT_REGISTERED");

	/* The report lists what could not be used, NIK masked. */
	xlsx = tu_path(root, "outbox/reports/laporan-20261124.xlsx");
	rows = tu_xlsx_sheet(xlsx, "Status tak dikenal");
	assert_non_null(rows);
	assert_int_equal(rows->len, 1 + 2);
	nik = tu_col(rows, "NIK");
	r = tu_find_row(rows, nik, "3171**********01");
	assert_true(r > 0);
	assert_string_equal(tu_cell(rows, (guint)r, (guint)tu_col(rows, "Berkas")),
			    "Sertifikat BSrE.xlsx");
	assert_string_equal(tu_cell(rows, (guint)r, (guint)tu_col(rows, "Baris")), "7");
	for (guint i = 0; i < rows->len; i++)
		assert_no_ids(tu_cell(rows, i, (guint)nik));
	g_ptr_array_unref(rows);
	g_free(xlsx);
	tu_root_free(root);
}

/* ---- bad status files ---------------------------------------------------------------- */

/* Fails unless ROOT/REL (a .why) mentions NEEDLE. */
static void assert_why(const char *root, const char *rel, const char *needle)
{
	char *s = read_rel(root, rel);

	if (!strstr(s, needle))
		fail_msg("%s: \"%s\" lacks \"%s\"", rel, s, needle);
	g_free(s);
}

static void test_bad_files(void **state)
{
	char *root = setup_root(NULL, "2026-11-20", false);
	char *err = NULL, *s, *p;
	size_t n;

	(void)state;

	drop_text(root, "status", "tanpa-status.csv", "NIK,Nama\n5107054705970101,Ida\n");
	/* A download cut short. */
	p = tu_path(root, "inbox/status/putus.xlsx");
	write_newer(p);
	s = tu_read(p, &n);
	tu_write(p, s, n / 2);
	g_free(s);
	g_free(p);
	/* A CSV saved under an .xlsx name is read by its content. */
	drop_text(root, "status", "salah-nama.xlsx", "nik;status\n5104080309810102;ISSUE\n");
	assert_int_equal(tu_tte(root, "2026-11-21", NULL, &err, "run", NULL), 0);
	assert_non_null(strstr(err, "tanpa-status.csv"));
	g_free(err);
	assert_why(root, "var/quarantine/status/tanpa-status.csv.why", "kolom yang diperlukan tidak "
		   "ditemukan: Status (Status Sertifikat atau Status Pengguna)");
	assert_why(root, "var/quarantine/status/putus.xlsx.why", "rusak");
	assert_true(exists(root, "var/quarantine/status/putus.xlsx"));
	assert_state(root, P[1].nip, "ISSUE");
	assert_state(root, P[0].nip, "BUNDLED");
	tu_root_free(root);
}

/* A 1 MB workbook whose 64 sheet entries all name one 1 GiB member: the
 * night goes on in seconds and the file is quarantined, saying why. */
static void test_xlsx_bomb(void **state)
{
	char *root = setup_root("[ingest]\nmax_xlsx_inflated_mb = 64\n", "2026-11-20", false);
	char *p = tu_path(root, "inbox/status/ekspor-bom.xlsx"), *err = NULL;
	gint64 t0;

	(void)state;
	xf_xlsx_shared_member(p, 64, 1LL << 30);
	set_mtime(root, "status", "ekspor-bom.xlsx", "2026-11-21 00:00 UTC");
	t0 = g_get_monotonic_time();
	assert_int_equal(tu_tte(root, "2026-11-21", NULL, &err, "ingest", NULL), 0);
	assert_true(g_get_monotonic_time() - t0 < 30 * G_USEC_PER_SEC);
	assert_non_null(strstr(err, "ekspor-bom.xlsx"));
	g_free(err);
	assert_why(root, "var/quarantine/status/ekspor-bom.xlsx.why",
		   "bagian xl/worksheets/sheet1.xml berukuran 1024 MiB setelah diekstrak, lebih dari"
		   " batas 64 MiB");
	assert_false(exists(root, "inbox/status/ekspor-bom.xlsx"));
	assert_state(root, P[0].nip, "BUNDLED");
	g_free(p);
	tu_root_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_export),
		cmocka_unit_test(test_xlsx_exports),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_xlsx_bomb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
