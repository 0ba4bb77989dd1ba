/*
 * unit_rules - every validation rule of the contract with its edge cases,
 * the golongan parser, titles versus Balinese names, and form timestamps.
 * "Today" is 2026-11-24 throughout.
 */
#include <string.h>
#include <glib.h>

#include "testutil.h"
#include "dates.h"
#include "rules.h"
#include "sheet.h"
#include "states.h"

static GDate today;

static int setup(void **state)
{
	(void)state;
	g_date_clear(&today, 1);
	g_date_set_dmy(&today, 24, 11, 2026);
	return 0;
}

/* The code of the only problem in PL (fails when there is not exactly one). */
static const char *only_code(problem_list *pl)
{
	assert_int_equal(pl->len, 1);
	return g_array_index(pl, struct problem, 0).code;
}

static const char *only_reason(problem_list *pl)
{
	assert_int_equal(pl->len, 1);
	return g_array_index(pl, struct problem, 0).reason;
}

static bool nik_ok(const char *raw, struct nik_info *out)
{
	problem_list *pl = problems_new();
	bool ok = rules_nik(raw, 0, &today, out, pl);

	if (ok)
		assert_int_equal(pl->len, 0);
	problems_free(pl);
	return ok;
}

static const char *nik_code(const char *raw, int hint)
{
	static char code[32];
	problem_list *pl = problems_new();
	struct nik_info n;

	assert_false(rules_nik(raw, hint, &today, &n, pl));
	g_strlcpy(code, only_code(pl), sizeof(code));
	problems_free(pl);
	return code;
}

static void test_nik_valid(void **state)
{
	struct nik_info n;

	(void)state;
	assert_true(nik_ok("5108050101900001", &n));
	assert_string_equal(n.digits, "5108050101900001");
	assert_int_equal(n.province, 51);
	assert_false(n.female);
	assert_int_equal(g_date_get_year(&n.birth), 1990);
	/* the clean-up: spaces, dots, dashes, a leading apostrophe, NBSP */
	assert_true(nik_ok("'5108050101900001", &n));
	assert_true(nik_ok("5108.0501.0190.0001", &n));
	assert_true(nik_ok(" 5108 0501 0190 0001 ", &n));
	assert_true(nik_ok("5108-0501-0190-0001", &n));
	assert_true(nik_ok("5108\xc2\xa0" "050101900001", &n));
	assert_string_equal(n.digits, "5108050101900001");
}

static void test_nik_women(void **state)
{
	struct nik_info n;

	(void)state;
	/* women: day + 40 */
	assert_true(nik_ok("5108054101900002", &n));
	assert_true(n.female);
	assert_int_equal(g_date_get_day(&n.birth), 1);
	assert_true(nik_ok("5108057101900002", &n));	/* 31 January */
	assert_int_equal(g_date_get_day(&n.birth), 31);
	assert_string_equal(nik_code("5108057201900002", 0), "BIRTH_DATE");	/* 72 */
	assert_string_equal(nik_code("5108053501900001", 0), "BIRTH_DATE");	/* 35 */
	assert_string_equal(nik_code("5108054002900001", 0), "BIRTH_DATE");	/* 40 */
	assert_string_equal(nik_code("5108057002900001", 0), "BIRTH_DATE");	/* 30 Feb */
	assert_string_equal(nik_code("5108050001900001", 0), "BIRTH_DATE");	/* day 0 */
}

static void test_nik_leap(void **state)
{
	struct nik_info n;

	(void)state;
	assert_true(nik_ok("5108052902000001", &n));	/* 29-02-2000: leap */
	assert_int_equal(g_date_get_year(&n.birth), 2000);
	assert_true(nik_ok("5108056902960001", &n));	/* woman, 29-02-1996 */
	assert_true(nik_ok("5108052902840001", &n));	/* 29-02-1984 */
	assert_string_equal(nik_code("5108052902010001", 0), "BIRTH_DATE");	/* 2001 */
	assert_string_equal(nik_code("5108056902970001", 0), "BIRTH_DATE");	/* 1997 */
	/* century from the NIP: 29-02-1900 is not a date, 29-02-2000 is */
	assert_string_equal(nik_code("5108052902000001", 1900), "BIRTH_DATE");
}

static void test_nik_century(void **state)
{
	struct nik_info n;
	problem_list *pl = problems_new();

	(void)state;
	/* YY=20 in 2026: 6 or 106 years old, neither is staff */
	assert_string_equal(nik_code("5108050101200001", 0), "BIRTH_DATE");
	/* YY=05: 2005 makes 21 years old */
	assert_true(nik_ok("5108050101050001", &n));
	assert_int_equal(g_date_get_year(&n.birth), 2005);
	/* the NIP's year wins when its last digits agree */
	assert_true(rules_nik("5108050101500001", 1950, &today, &n, pl));
	assert_int_equal(g_date_get_year(&n.birth), 1950);
	problems_free(pl);
}

static void test_nik_shape(void **state)
{
	problem_list *pl = problems_new();
	struct nik_info n;

	(void)state;
	assert_string_equal(nik_code("", 0), "EMPTY");
	assert_string_equal(nik_code("510805630478010", 0), "LENGTH");
	assert_string_equal(nik_code("51080563047801012", 0), "LENGTH");
	assert_string_equal(nik_code("5108O50101900001", 0), "NOT_DIGITS");
	assert_string_equal(nik_code("9908050101900001", 0), "PROVINCE");
	assert_string_equal(nik_code("2008050101900001", 0), "PROVINCE");
	assert_string_equal(nik_code("9708050101900001", 0), "PROVINCE");
	assert_true(nik_ok("9608050101900001", &n));	/* Papua's new provinces */
	assert_true(nik_ok("2108050101900001", &n));
	assert_string_equal(nik_code("5108050101900000", 0), "SEQUENCE");
	assert_string_equal(nik_code("5108050113900001", 0), "BIRTH_DATE");	/* month 13 */
	/* a spreadsheet ate it */
	assert_false(rules_nik("5.10802E+15", 0, &today, &n, pl));
	assert_string_equal(only_code(pl), "SCIENTIFIC");
	assert_non_null(strstr(only_reason(pl), "5.10802E+15"));
	assert_non_null(strstr(only_reason(pl), "mengisi ulang"));
	problems_clear(pl);
	assert_false(rules_nik("5,10805E+15", 0, &today, &n, pl));
	assert_string_equal(only_code(pl), "SCIENTIFIC");
	problems_clear(pl);
	assert_false(rules_nik("'5.108050101900001e15", 0, &today, &n, pl));
	assert_string_equal(only_code(pl), "SCIENTIFIC");
	problems_free(pl);
	assert_true(rules_is_scientific("1.99001E+17"));
	assert_false(rules_is_scientific("5108050101900001"));
	assert_false(rules_is_scientific("E+15"));
}

static void test_nik_mask(void **state)
{
	char m[32];

	(void)state;
	rules_mask_nik("5108050101900001", m, sizeof(m));
	assert_string_equal(m, "5108**********01");
	rules_mask_nik("510805", m, sizeof(m));
	assert_null(strstr(m, "0805"));
	rules_mask_nik("", m, sizeof(m));
	assert_string_equal(m, "");
	rules_mask_nik("5", m, sizeof(m));
	assert_string_equal(m, "5**************");
	rules_mask_nik("51080501019000011", m, sizeof(m));	/* 17 characters */
	assert_string_equal(m, "51**************");
	rules_mask_nik(NULL, m, sizeof(m));
	assert_string_equal(m, "");
	rules_mask_nik("5108050101900001", m, 9);	/* cut to the room there is */
	assert_string_equal(m, "5108****");
}

static const char *nip_code(const char *raw)
{
	static char code[32];
	problem_list *pl = problems_new();
	struct nip_info n;

	assert_false(rules_nip(raw, &today, &n, pl));
	g_strlcpy(code, only_code(pl), sizeof(code));
	problems_free(pl);
	return code;
}

static bool nip_ok(const char *raw, struct nip_info *n)
{
	problem_list *pl = problems_new();
	bool ok = rules_nip(raw, &today, n, pl);

	if (!ok)
		print_error("%s: %s\n", raw, g_array_index(pl, struct problem, 0).reason);
	problems_free(pl);
	return ok;
}

static void test_nip_pns(void **state)
{
	struct nip_info n;

	(void)state;
	assert_true(nip_ok("199001012015031001", &n));
	assert_int_equal(n.kind, NIP_PNS);
	assert_int_equal(n.tmt_year, 2015);
	assert_int_equal(n.tmt_month, 3);
	assert_false(n.female);
	assert_true(nip_ok("19730910 201512 2 001", &n));	/* as people write it */
	assert_true(n.female);
	assert_true(nip_ok("'199001012015031001", &n));
	assert_string_equal(nip_code("199001012015131001"), "TMT_MONTH");
	assert_string_equal(nip_code("199001012015001001"), "TMT_MONTH");
	/* TMT CPNS not before the 18th birthday (2008-01-01) */
	assert_string_equal(nip_code("199001012007121001"), "TMT_BEFORE_18");
	assert_true(nip_ok("199001012008011001", &n));
	assert_string_equal(nip_code("199001012015033001"), "GENDER");
	assert_string_equal(nip_code("199001012015031000"), "SEQUENCE");
	assert_string_equal(nip_code("199002302015031001"), "BIRTH_DATE");
	/* 29 February */
	assert_true(nip_ok("200002292019031001", &n));
	assert_string_equal(nip_code("200102292019031001"), "BIRTH_DATE");
	assert_string_equal(nip_code("190002292019031001"), "BIRTH_DATE");
}

static void test_nip_pppk(void **state)
{
	struct nip_info n;

	(void)state;
	/* YYYYMMDD YYYY 2 N G SSS: the 13th digit tells them apart */
	assert_true(nip_ok("199001012023211001", &n));
	assert_int_equal(n.kind, NIP_PPPK);
	assert_int_equal(n.tmt_year, 2023);
	assert_true(nip_ok("198512312022292123", &n));
	assert_true(n.female);
	assert_string_equal(nip_code("199001012023201001"), "PPPK_COUNT");
	assert_string_equal(nip_code("199001012023213001"), "GENDER");
	assert_string_equal(nip_code("199001012005211001"), "PPPK_YEAR");
	assert_string_equal(nip_code("199001012023211000"), "SEQUENCE");
}

static void test_nip_shape(void **state)
{
	(void)state;
	assert_string_equal(nip_code(""), "EMPTY");
	assert_string_equal(nip_code("131234567"), "OLD_NIP");
	assert_string_equal(nip_code("13123456"), "LENGTH");
	assert_string_equal(nip_code("19900101201503100"), "LENGTH");
	assert_string_equal(nip_code("1.99001E+17"), "SCIENTIFIC");
	assert_string_equal(nip_code("19900101201503100X"), "NOT_DIGITS");
	assert_string_equal(nip_code("199001012015331001"), "TMT_MONTH");	/* 13th digit 3 */
}

static void test_agreement(void **state)
{
	problem_list *pl = problems_new();
	struct nik_info k;
	struct nip_info p;

	(void)state;
	/* the issue's example: 10-05-1987 against 01-05-1987 */
	assert_true(rules_nik("5108051005870001", 1987, &today, &k, pl));
	assert_true(rules_nip("198705012010121001", &today, &p, pl));
	rules_nik_nip_agree(&k, &p, pl);
	assert_string_equal(only_reason(pl),
			    "Tanggal lahir pada NIK (10-05-1987) tidak sama dengan NIP (01-05-1987)");
	assert_true(g_array_index(pl, struct problem, 0).waivable);
	assert_int_equal(g_array_index(pl, struct problem, 0).field, F_NIK);
	assert_int_equal(g_array_index(pl, struct problem, 0).field2, F_NIP);
	problems_clear(pl);
	/* a woman's NIK against a man's NIP */
	assert_true(rules_nik("5108054105870001", 1987, &today, &k, pl));
	assert_true(rules_nip("198705012010121001", &today, &p, pl));
	rules_nik_nip_agree(&k, &p, pl);
	assert_string_equal(only_code(pl), "GENDER_MISMATCH");
	assert_true(g_array_index(pl, struct problem, 0).waivable);
	problems_clear(pl);
	/* agreeing */
	assert_true(rules_nik("5108054105870001", 1987, &today, &k, pl));
	assert_true(rules_nip("198705012010122001", &today, &p, pl));
	rules_nik_nip_agree(&k, &p, pl);
	assert_int_equal(pl->len, 0);
	problems_free(pl);
}

static void test_email(void **state)
{
	problem_list *pl = problems_new();
	char *e = NULL;

	(void)state;
	assert_true(rules_email(" Made.Sari@Undiksha.AC.ID ", "undiksha.ac.id", &e, pl));
	assert_string_equal(e, "made.sari@undiksha.ac.id");
	g_free(e);
	assert_false(rules_email("made@student.undiksha.ac.id", "undiksha.ac.id", &e, pl));
	assert_string_equal(only_code(pl), "SUBDOMAIN");
	assert_non_null(strstr(only_reason(pl), "@undiksha.ac.id"));
	problems_clear(pl);
	assert_false(rules_email("made@gmail.com", "undiksha.ac.id", &e, pl));
	assert_string_equal(only_code(pl), "DOMAIN");
	assert_string_equal(only_reason(pl), "Email harus alamat @undiksha.ac.id, terisi @gmail.com");
	problems_clear(pl);
	assert_false(rules_email("made@undiksha.ac.id.evil.com", "undiksha.ac.id", &e, pl));
	assert_string_equal(only_code(pl), "DOMAIN");
	problems_clear(pl);
	assert_false(rules_email("made", "undiksha.ac.id", &e, pl));
	assert_string_equal(only_code(pl), "FORMAT");
	problems_clear(pl);
	assert_false(rules_email("a@b@undiksha.ac.id", "undiksha.ac.id", &e, pl));
	assert_string_equal(only_code(pl), "FORMAT");
	problems_clear(pl);
	assert_false(rules_email("", "undiksha.ac.id", &e, pl));
	assert_string_equal(only_code(pl), "EMPTY");
	problems_free(pl);
}

static void gol_is(const char *raw, int kind, const char *want, bool want_note)
{
	problem_list *pl = problems_new();
	char *out = NULL, *note = NULL;

	if (!rules_golongan(raw, kind, &out, &note, pl))
		fail_msg("golongan \"%s\": %s", raw, g_array_index(pl, struct problem, 0).reason);
	assert_string_equal(out, want);
	if (want_note)
		assert_non_null(note);
	else
		assert_null(note);
	g_free(out);
	g_free(note);
	problems_free(pl);
}

static const char *gol_code(const char *raw, int kind)
{
	static char code[32];
	problem_list *pl = problems_new();
	char *out = NULL, *note = NULL;

	assert_false(rules_golongan(raw, kind, &out, &note, pl));
	g_strlcpy(code, only_code(pl), sizeof(code));
	problems_free(pl);
	return code;
}

static void test_golongan(void **state)
{
	(void)state;
	/* not UTF-8: read as repaired (GRegex would pass it to PCRE2 unchecked) */
	gol_is("III/d\xff", NIP_PNS, "III/d", false);
	assert_string_equal(gol_code("\xc3\x28\xa0\xa1 IX", NIP_PNS), "UNKNOWN");
	/* found by fuzzing: PCRE2 read past the end of this one */
	assert_string_equal(gol_code("&&&&2\xf9\x0c", 2), "UNKNOWN");
	gol_is("III/d", NIP_PNS, "III/d", false);
	gol_is("IIId", NIP_PNS, "III/d", false);
	gol_is("III d", NIP_PNS, "III/d", false);
	gol_is("III/D", 0, "III/d", false);
	gol_is("iii-a", 0, "III/a", false);
	gol_is("1/b", NIP_PNS, "I/b", false);
	gol_is("Penata Tk. I, III/d", NIP_PNS, "III/d", false);
	gol_is("Penata Tkt. I (III/d)", NIP_PNS, "III/d", false);
	gol_is("Penata Muda Tk. I - III/b", NIP_PNS, "III/b", false);
	gol_is("Penata Muda / III-a", NIP_PNS, "III/a", false);
	gol_is("Penata Muda Tingkat 1", NIP_PNS, "III/b", false);
	gol_is("Penata Muda Tk. I (I", NIP_PNS, "III/b", false);	/* truncated */
	gol_is("Pembina", NIP_PNS, "IV/a", false);
	gol_is("Pembina Utama", NIP_PNS, "IV/e", false);
	gol_is("IV/e", NIP_PNS, "IV/e", false);
	gol_is("Juru Muda Tingkat I", NIP_PNS, "I/b", false);
	/* wrong pair: the ruang wins, the mismatch is noted */
	gol_is("Pembina Utama Madya - IV/c", NIP_PNS, "IV/c", true);
	/* PPPK */
	gol_is("IX", NIP_PPPK, "IX", false);
	gol_is("09", NIP_PPPK, "IX", false);
	gol_is("17", NIP_PPPK, "XVII", false);
	gol_is("Golongan XI", NIP_PPPK, "XI", false);
	gol_is("V", 0, "V", false);
	assert_string_equal(gol_code("18", NIP_PPPK), "UNKNOWN");
	assert_string_equal(gol_code("XVIII", NIP_PPPK), "UNKNOWN");
	assert_string_equal(gol_code("III/e", NIP_PNS), "RUANG");
	assert_string_equal(gol_code("III", NIP_PNS), "INCOMPLETE");
	assert_string_equal(gol_code("III/d", NIP_PPPK), "PNS_FOR_PPPK");
	assert_string_equal(gol_code("Golongan V/f", NIP_PNS), "UNKNOWN");
	assert_string_equal(gol_code("dosen", 0), "UNKNOWN");
	assert_string_equal(gol_code("", 0), "EMPTY");
}

static void test_pangkat(void **state)
{
	char *s;

	(void)state;
	assert_string_equal(rules_pangkat("III/d"), "Penata Tingkat I");
	assert_string_equal(rules_pangkat("IV/e"), "Pembina Utama");
	assert_null(rules_pangkat("IX"));
	s = rules_pangkat_golongan("III/d");
	assert_string_equal(s, "Penata Tingkat I / III/d");
	g_free(s);
	s = rules_pangkat_golongan("IX");
	assert_string_equal(s, "Golongan IX (PPPK)");
	g_free(s);
}

static void name_ok(const char *raw, const char *want)
{
	problem_list *pl = problems_new();
	char *out = NULL;

	if (!rules_name(raw, &out, pl))
		fail_msg("name \"%s\": %s", raw, g_array_index(pl, struct problem, 0).reason);
	assert_string_equal(out, want ? want : raw);
	g_free(out);
	problems_free(pl);
}

static void name_title(const char *raw, const char *mentions)
{
	problem_list *pl = problems_new();
	char *out = NULL;

	if (rules_name(raw, &out, pl))
		fail_msg("name \"%s\": no title found", raw);
	assert_string_equal(only_code(pl), "TITLE");
	assert_true(g_array_index(pl, struct problem, 0).waivable);
	if (mentions && !strstr(only_reason(pl), mentions))
		fail_msg("\"%s\": reason \"%s\" lacks %s", raw, only_reason(pl), mentions);
	assert_non_null(out);
	g_free(out);
	problems_free(pl);
}

static void test_names(void **state)
{
	problem_list *pl = problems_new();
	char *out = NULL;

	(void)state;
	/* Balinese and other names that are not titles */
	name_ok("I Gusti Ngurah Putu Wijaya", NULL);
	name_ok("Ida Bagus Made Adnyana", NULL);
	name_ok("Ni Luh Putu Sari", NULL);
	name_ok("Ida Ayu Komang Dewi", NULL);
	name_ok("A.A. Ngurah Bagus", NULL);
	name_ok("A.A. Istri Mas", NULL);
	name_ok("I.G.A. Putri Utami", NULL);
	name_ok("I.G. Ngurah Suarta", NULL);
	name_ok("IGN Suarta", NULL);
	name_ok("Cok. Istri Agung", NULL);
	name_ok("Anak Agung Ayu Sri", NULL);
	name_ok("Desak Made Sukerti", NULL);
	name_ok("Dewa Ayu Eka", NULL);
	name_ok("M. Ali Akbar", NULL);
	name_ok("Moh. Hasan", NULL);
	name_ok("Gede D'Souza", NULL);
	name_ok("  I  Made   Sutama ", "I Made Sutama");
	/* titles */
	name_title("Dr. I Made Sutama", "Dr.");
	name_title("I Made Sutama, S.Pd., M.Pd.", "S.Pd.");
	name_title("Prof. Dr. Ida Bagus Putra", "Prof.");
	name_title("Drs. Nyoman Suarta", "Drs.");
	name_title("Dra. Ketut Sari", "Dra.");
	name_title("dr. Ketut Sari", "dr.");
	name_title("H. Ahmad Fauzi", "H.");
	name_title("Hj. Siti Aminah", "Hj.");
	name_title("Ir. Wayan Sudira", "Ir.");
	name_title("Made Sutama S.Pd", "S.Pd");
	name_title("Made Sutama M.Kom", "M.Kom");
	name_title("Putu Arsana Ph.D.", "Ph.D.");
	name_title("Wayan Sudira SPd", "SPd");
	name_title("Nyoman Sari A.Md.Kom", "A.Md.Kom");
	name_title("Komang Sari S.T., M.T.", NULL);
	name_title("Ketut Yasa MBA", "MBA");
	name_title("Putu Dewi Sp.PD", "Sp.PD");
	name_title("Ketut Yasa Dr.rer.nat.", "Dr.rer.nat.");
	assert_false(rules_name("   ", &out, pl));
	assert_string_equal(only_code(pl), "EMPTY");
	problems_free(pl);
}

static void test_required(void **state)
{
	problem_list *pl = problems_new();
	char *out = NULL;

	(void)state;
	assert_false(rules_required("  ", F_KTP, &out, pl));
	assert_string_equal(only_reason(pl), "Foto KTP belum diunggah");
	problems_clear(pl);
	assert_false(rules_required("", F_JABATAN, &out, pl));
	assert_string_equal(only_reason(pl), "Jabatan belum diisi");
	problems_clear(pl);
	assert_true(rules_required(" Dosen ", F_JABATAN, &out, pl));
	assert_string_equal(out, "Dosen");
	g_free(out);
	problems_free(pl);
}

/* RAW in field F is rejected with CODE, the reason mentioning MENTIONS. */
static void shown_bad(enum field f, const char *raw, const char *code, const char *mentions)
{
	problem_list *pl = problems_new();
	char *out = NULL;
	bool ok = f == F_NAME ? rules_name(raw, &out, pl) : rules_required(raw, f, &out, pl);

	if (ok || pl->len != 1)
		fail_msg("%s \"%s\": %u problem(s), wanted %s", field_id(f), raw, pl->len, code);
	assert_string_equal(only_code(pl), code);
	if (!strstr(only_reason(pl), mentions))
		fail_msg("\"%s\": reason \"%s\" lacks \"%s\"", raw, only_reason(pl), mentions);
	assert_int_equal(g_array_index(pl, struct problem, 0).field, f);
	assert_false(g_array_index(pl, struct problem, 0).waivable);
	assert_non_null(out);		/* kept for the verifier's workbook */
	g_free(out);
	problems_free(pl);
}

static void test_shown_text(void **state)
{
	static const enum field fields[] = { F_NAME, F_JABATAN, F_UNIT };
	static const struct {
		const char *text, *code, *mentions;
	} bad[] = {
		{ "Ida Bagus\n\n*PENGUMUMAN RESMI*: kirim kata sandi BSrE Anda ke wa.me/6281234567890",
		  "LINE_BREAK", "baris baru" },
		{ "Ida\rBagus", "LINE_BREAK", "baris baru" },
		{ "Ida\xe2\x80\xa8" "Bagus", "LINE_BREAK", "baris baru" },		/* U+2028 */
		{ "Ida\xc2\x85" "Bagus", "LINE_BREAK", "baris baru" },		/* NEL */
		{ "Ida\x1b[2JBagus", "CONTROL", "U+001B" },
		{ "Ida\x7f", "CONTROL", "U+007F" },
		{ "Ida\xc2\x9b Bagus", "CONTROL", "U+009B" },
		{ "Ida \xe2\x80\xae" "amaN", "BIDI", "U+202E" },
		{ "Ida \xe2\x80\xaa" "Bagus", "BIDI", "U+202A" },
		{ "Ida \xe2\x81\xa6" "Bagus\xe2\x81\xa9", "BIDI", "U+2066" },
		{ "Ida \xe2\x81\xa9" "Bagus", "BIDI", "U+2069" },
		{ "Ida \xe2\x80\x8f" "Bagus", "BIDI", "U+200F" },
		{ "Ida\xe2\x80\x8b" "Bagus", "INVISIBLE", "U+200B" },
		{ "Ida\xe2\x80\x8d" "Bagus", "INVISIBLE", "U+200D" },
		{ "Ida\xe2\x81\xa0" "Bagus", "INVISIBLE", "U+2060" },
		{ "Ida\xef\xbb\xbf" "Bagus", "INVISIBLE", "U+FEFF" },
		{ "5108011234560003", "DIGITS", "berisi angka" },
		{ "5108 0112 3456 0003", "DIGITS", "berisi angka" },
		{ "Ida 5108011234560003", "DIGITS", "berisi angka" },
		{ "Ida Bagus Made Adnyana Putra 12345678", "DIGITS", "berisi angka" },
	};
	char *out = NULL;
	problem_list *pl = problems_new();

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		for (size_t k = 0; k < G_N_ELEMENTS(fields); k++)
			shown_bad(fields[k], bad[i].text, bad[i].code, bad[i].mentions);
	shown_bad(F_NAME, "5108011234560003", "DIGITS", "Nama berisi angka");
	shown_bad(F_JABATAN, "5108011234560003", "DIGITS", "Jabatan berisi angka");
	shown_bad(F_UNIT, "Ida\nBagus", "LINE_BREAK", "Unit Kerja berisi baris baru");
	/* Trailing line breaks of a spreadsheet cell, tabs, accents, an
	 * apostrophe and a few digits are a name still. */
	name_ok("Ida Bagus\n", "Ida Bagus");
	name_ok("\tNi Luh\tPutu ", "Ni Luh Putu");
	name_ok("Ni Komang Ayu Sri Rahayu", NULL);
	name_ok("Gede D'Souza", NULL);
	name_ok("Andr\xc3\xa9 Ngurah", NULL);
	assert_true(rules_required("Lektor Kepala", F_JABATAN, &out, pl));
	g_free(out);
	assert_true(rules_required("Fakultas Teknik dan Kejuruan, Prodi S1 PTI 2", F_UNIT, &out, pl));
	g_free(out);
	/* Foto KTP is a link, never shown: only required. */
	assert_true(rules_required("https://drive.google.com/open?id=1234567890123456", F_KTP, &out,
				   pl));
	g_free(out);
	assert_int_equal(pl->len, 0);
	problems_free(pl);
}

/* Printable ASCII is classified without GLib's tables, the rest with
 * them: the same verdicts wherever the two meet in one field. */
static void test_shown_text_ascii_and_unicode(void **state)
{
	static const enum field fields[] = { F_NAME, F_JABATAN, F_UNIT };
	char *out = NULL;
	problem_list *pl = problems_new();

	(void)state;
	for (size_t k = 0; k < G_N_ELEMENTS(fields); k++) {
		/* a hazard right after a long ASCII run, and as the last character */
		shown_bad(fields[k], "Ida Bagus Made Adnyana Putra Wijaya Kusuma\xe2\x80\x8b" "Sari",
			  "INVISIBLE", "U+200B");
		shown_bad(fields[k], "Ida Bagus Made Adnyana Putra Wijaya Kusuma \xe2\x80\xae",
			  "BIDI", "U+202E");
		shown_bad(fields[k], "Ida Bagus\x01", "CONTROL", "U+0001");
		shown_bad(fields[k], "Ida Bagus\x1f  ", "CONTROL", "U+001F");
		shown_bad(fields[k], "Ida Bagus\xc2\x9f", "CONTROL", "U+009F");
		/* letters and digits outside ASCII count as letters and digits */
		shown_bad(fields[k], "\xc3\x91 12", "DIGITS", "berisi angka");
		shown_bad(fields[k], "Wayan \xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6\xd9\xa7"
			  "\xd9\xa8", "DIGITS", "berisi angka");		/* 8 Arabic-Indic digits */
		shown_bad(fields[k], "Ngurah Rai 12345678", "DIGITS", "berisi angka");
	}
	name_ok("\xc3\x91\xc3\x91\xc3\x91 12", NULL);
	name_ok("Ngurah Rai 1234\xc3\xa9" "567", NULL);	/* a letter ends the run */
	assert_true(rules_required("Dosen\tTetap", F_JABATAN, &out, pl));	/* TAB is no hazard */
	g_free(out);
	assert_true(rules_required("Fakultas Ilmu Pendidikan \xe2\x80\x94 Jurusan PGSD", F_UNIT,
				   &out, pl));
	g_free(out);
	assert_int_equal(pl->len, 0);
	problems_free(pl);
}

/* A title written without a dot is short; longer words are no title
 * unless dotted. */
static void test_title_lengths(void **state)
{
	(void)state;
	name_title("Komang Sari SFarm", "SFarm");
	name_ok("Komang Sari SFarmasi", NULL);
	name_title("Komang Sari S.Farm.", "S.Farm.");
	name_title("Komang Sari Prof", "Prof");
	name_ok("Profesionalita Sari", NULL);
}

/* Golongan verdicts are kept per spelling and kind: asked again, the same
 * spelling gives the same answer, problem and note, whatever was asked
 * in between, and a long spelling is still read. */
static void test_golongan_again(void **state)
{
	char *reason = NULL;

	(void)state;
	for (int i = 0; i < 3; i++) {
		problem_list *pl = problems_new();
		char *out = NULL, *note = NULL;

		gol_is("III/d", NIP_PNS, "III/d", false);
		assert_string_equal(gol_code("III/d", NIP_PPPK), "PNS_FOR_PPPK");
		gol_is("III/d", 0, "III/d", false);
		assert_false(rules_golongan("III/e", NIP_PNS, &out, &note, pl));
		assert_null(out);
		assert_null(note);
		if (!reason)
			reason = g_strdup(only_reason(pl));
		assert_string_equal(only_reason(pl), reason);
		assert_true(rules_golongan("Pembina Utama Madya - IV/c", NIP_PNS, &out, &note, pl));
		assert_string_equal(out, "IV/c");
		assert_non_null(strstr(note, "ruang IV/c"));
		assert_int_equal(pl->len, 1);	/* the one problem of III/e */
		g_free(out);
		g_free(note);
		problems_free(pl);
	}
	g_free(reason);
	gol_is("Penata Muda Tingkat I, golongan ruang III/b sesuai SK kenaikan pangkat terakhir",
	       NIP_PNS, "III/b", false);
}

static void mask_is(const char *s, bool keep_nip, const char *want)
{
	char *m = rules_mask_id_runs(s, keep_nip);

	assert_string_equal(m, want);
	g_free(m);
}

static void test_mask_id_runs(void **state)
{
	(void)state;
	mask_is("Jabatan: 5108011234560003.", false, "Jabatan: 5108************.");
	mask_is("5108 0112 3456 0003", false, "5108 **** **** ****");
	mask_is("5108-0112-3456-0003", true, "5108-****-****-****");
	mask_is("198001012005011001", true, "198001012005011001");
	mask_is("198001012005011001", false, "1980**************");
	mask_is("51080112345600039", true, "5108*************");
	mask_is("NIP 19800101 200501 1 001", true, "NIP 1980**** ****** * ***");
	mask_is("2026-11-24 10:30, baris 12, +62 812-3456-7890", false,
		"2026-11-24 10:30, baris 12, +62 812-3456-7890");
	mask_is("", false, "");
	mask_is(NULL, false, "");
}

static void ts_is(const char *s, bool day_first, const char *want)
{
	GTimeZone *tz = g_time_zone_new_identifier("Asia/Makassar");
	char out[21];

	assert_non_null(tz);
	if (date_parse_form_ts(s, day_first, tz, out))
		fail_msg("timestamp \"%s\" not parsed", s);
	assert_string_equal(out, want);
	g_time_zone_unref(tz);
}

static void test_timestamps(void **state)
{
	GTimeZone *tz = g_time_zone_new_identifier("Asia/Makassar");
	char out[21];

	(void)state;
	ts_is("2026/11/10 1:00:00 PM GMT+8", false, "2026-11-10T05:00:00Z");
	ts_is("2025/10/24 6:46:43 PM GMT+7", false, "2025-10-24T11:46:43Z");
	ts_is("2026/11/10 12:00:00 AM GMT+8", false, "2026-11-09T16:00:00Z");
	ts_is("2026/11/10 12:30:00 PM GMT+8", false, "2026-11-10T04:30:00Z");
	ts_is("12/11/2026 08:00:00", true, "2026-11-12T00:00:00Z");	/* id: DD/MM */
	ts_is("5/15/2020 12:44:55", false, "2020-05-15T04:44:55Z");	/* en_US: M/D */
	ts_is("13/11/2026 09:05:13", false, "2026-11-13T01:05:13Z");	/* 13 > 12: D/M */
	ts_is("11/13/2026 09:05:13", true, "2026-11-13T01:05:13Z");	/* 13 > 12: M/D */
	ts_is("12/11/2026 08.00.00", true, "2026-11-12T00:00:00Z");
	ts_is("2026-11-10T05:00:00Z", false, "2026-11-10T05:00:00Z");
	ts_is("2026-11-10 13:00", false, "2026-11-10T05:00:00Z");
	ts_is("2026-11-10 13:00:00 WIB", false, "2026-11-10T06:00:00Z");
	ts_is("2026/11/10 1:00:00 PM GMT+07:00", false, "2026-11-10T06:00:00Z");
	assert_int_equal(date_parse_form_ts("kemarin", false, tz, out), -1);
	assert_int_equal(date_parse_form_ts("31/02/2026 10:00:00", true, tz, out), -1);
	assert_int_equal(date_parse_form_ts("2026/11/10 25:00:00", false, tz, out), -1);
	assert_int_equal(date_parse_form_ts("", false, tz, out), -1);
	g_time_zone_unref(tz);
}

/* Converting to UTC crosses days, months, years and 29 February the way
 * the calendar does (GDateTime's, not a hand count). */
static void test_timestamps_calendar(void **state)
{
	GTimeZone *tz = g_time_zone_new_identifier("Asia/Makassar");
	char out[21];

	(void)state;
	ts_is("2024/03/01 3:00:00 AM GMT+8", false, "2024-02-29T19:00:00Z");	/* leap */
	ts_is("2023/03/01 3:00:00 AM GMT+8", false, "2023-02-28T19:00:00Z");
	ts_is("2000-03-01 00:30 WIB", false, "2000-02-29T17:30:00Z");	/* 400-year leap */
	ts_is("2100-03-01 00:30 WIB", false, "2100-02-28T17:30:00Z");	/* century, no leap */
	ts_is("2024/02/29 11:30:00 PM GMT-5", false, "2024-03-01T04:30:00Z");
	ts_is("2027/01/01 7:59:59 AM", false, "2026-12-31T23:59:59Z");	/* in TZ, UTC+8 */
	ts_is("2026/12/31 11:00:00 PM GMT-14", false, "2027-01-01T13:00:00Z");
	ts_is("29/02/2028 12:00:00", true, "2028-02-29T04:00:00Z");
	ts_is("2026/06/30 23:59:60", false, "2026-06-30T15:59:59Z");	/* leap second kept in its minute */
	assert_int_equal(date_parse_form_ts("29/02/2027 12:00:00", true, tz, out), -1);
	assert_int_equal(date_parse_form_ts("2100/02/29 12:00:00", false, tz, out), -1);
	assert_int_equal(date_parse_form_ts("2026/04/31 12:00:00", false, tz, out), -1);
	g_time_zone_unref(tz);
}

/* The report's date cells: unix seconds of a UTC text, 29 February too. */
static void test_sheet_dates(void **state)
{
	int64_t t;
	bool has_time;

	(void)state;
	assert_int_equal(sheet_parse_utc("2024-02-29T12:00:00Z", &t, &has_time), 0);
	assert_true(has_time);
	assert_int_equal(t, 1709208000);
	assert_int_equal(sheet_parse_utc("2000-03-01", &t, &has_time), 0);
	assert_false(has_time);
	assert_int_equal(t, 951868800);
	assert_int_equal(sheet_parse_utc("1970-01-01T00:00:00Z", &t, &has_time), 0);
	assert_int_equal(t, 0);
	assert_int_equal(sheet_parse_utc("2023-02-29", &t, &has_time), -1);
	assert_int_equal(sheet_parse_utc("2026-04-31T00:00:00Z", &t, &has_time), -1);
	assert_int_equal(sheet_parse_utc("2026-11-24T25:00:00Z", &t, &has_time), -1);
}

/* sheet_parse_utc reads the store's dates by hand: it agrees with
 * GDateTime on every day of years that test the leap rules, the first
 * and the last year GDateTime knows, and days that do not exist. */
static void test_sheet_dates_calendar(void **state)
{
	static const int years[] = { 1, 2, 3, 4, 99, 100, 400, 1582, 1600, 1899, 1900, 1969, 1970,
				     1999, 2000, 2024, 2026, 2100, 2400, 9999 };
	int64_t t;
	bool has_time;
	char iso[32];

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(years); i++)
		for (int m = 0; m <= 13; m++)
			for (int d = 0; d <= 32; d++) {
				GDateTime *want = g_date_time_new_utc(years[i], m, d, 23, 59, 58);

				g_snprintf(iso, sizeof(iso), "%04d-%02d-%02dT23:59:58Z", years[i], m, d);
				assert_int_equal(sheet_parse_utc(iso, &t, &has_time), want ? 0 : -1);
				if (want) {
					assert_true(has_time);
					assert_int_equal(t, g_date_time_to_unix(want));
				}
				iso[10] = '\0';
				assert_int_equal(sheet_parse_utc(iso, &t, &has_time), want ? 0 : -1);
				if (want) {
					assert_false(has_time);
					assert_int_equal(t, g_date_time_to_unix(want) - (23 * 3600 + 59 * 60 + 58));
					g_date_time_unref(want);
				}
			}
	assert_int_equal(sheet_parse_utc("0000-01-01", &t, &has_time), -1);
	assert_int_equal(sheet_parse_utc("2026-06-30T23:59:60Z", &t, &has_time), 0);
	assert_int_equal(t, 1782863999);	/* a leap second kept in its minute */
	assert_int_equal(sheet_parse_utc("2026-06-30T23:59:61Z", &t, &has_time), -1);
	assert_int_equal(sheet_parse_utc("2026-06-30T23:60:00Z", &t, &has_time), -1);
	assert_int_equal(sheet_parse_utc("2026-06-30T12:00:00+08:00", &t, &has_time), 0);
	assert_int_equal(t, 1782820800);	/* what follows the seconds is not read */
	assert_int_equal(sheet_parse_utc("2026-06-30T12:00", &t, &has_time), -1);
	assert_int_equal(sheet_parse_utc("2026-06-30 12:00:00", &t, &has_time), -1);
	assert_int_equal(sheet_parse_utc("2026-06-3", &t, &has_time), -1);
	assert_int_equal(sheet_parse_utc("2026-0a-30", &t, &has_time), -1);
	assert_int_equal(sheet_parse_utc("", &t, &has_time), -1);
	assert_int_equal(sheet_parse_utc(NULL, &t, &has_time), -1);
}

/* NIK dates for women (day + 40) at the edges of February. */
static void test_nik_women_february(void **state)
{
	struct nik_info n;

	(void)state;
	assert_true(nik_ok("5108056902000002", &n));	/* woman, 29-02-2000 */
	assert_true(n.female);
	assert_int_equal(g_date_get_day(&n.birth), 29);
	assert_int_equal(g_date_get_month(&n.birth), 2);
	assert_true(nik_ok("5108056802990002", &n));	/* woman, 28-02-1999 */
	assert_int_equal(g_date_get_day(&n.birth), 28);
	assert_string_equal(nik_code("5108056902990002", 0), "BIRTH_DATE");	/* 29-02-1999 */
	assert_string_equal(nik_code("5108057002000002", 0), "BIRTH_DATE");	/* 30-02-2000 */
	assert_string_equal(nik_code("5108056902000002", 1900), "BIRTH_DATE");	/* 1900: no leap */
	assert_true(nik_ok("5108057103880002", &n));	/* woman, 31-03-1988 */
	assert_string_equal(nik_code("5108057104880002", 0), "BIRTH_DATE");	/* 31 April */
}

/* The state table: names unique, funnel order, the SQL lists built from it. */
static void test_state_table(void **state)
{
	char *s;

	(void)state;
	for (unsigned i = 0; i < STATE_COUNT; i++) {
		assert_non_null(state_table[i].name);
		assert_non_null(state_table[i].meaning);
		assert_int_equal(state_index(state_table[i].name), (int)i);
		if (i)
			assert_true(state_table[i].step >= state_table[i - 1].step);
	}
	assert_int_equal(state_index("BOGUS"), -1);
	assert_null(state_find(NULL));
	assert_string_equal(state_table[0].name, ST_REJECTED);
	assert_int_equal(state_find(ST_ISSUE)->kind, STATE_BSRE);
	assert_int_equal(state_find(ST_BUNDLED)->kind, STATE_TTE);
	s = state_sql_list(STATE_TTE, STEP_SUBMITTED, STEP_REGISTERED);
	assert_string_equal(s, "'REJECTED','VALID','LETTER','SIGNED','BUNDLED'");
	g_free(s);
	s = state_sql_list(-1, STEP_BUNDLED, STEP_BUNDLED);
	assert_string_equal(s, "'BUNDLED','NOT_REGISTERED'");
	g_free(s);
	s = state_sql_list(-1, STEP_SUBMITTED, STEP_REGISTERED);
	assert_int_equal(strlen(s), 2 + 3 * 15 + strlen("REJECTEDVALIDLETTERSIGNEDBUNDLEDNOT_REGISTERED"
							 "NEWWAITING_FOR_VERIFICATIONNO_CERTIFICATE"
							 "ENROLLISSUERENEWEXPIREDSUSPENDREVOKEDENIED"));
	g_free(s);
	assert_true(state_before_bundle(ST_REJECTED));
	assert_true(state_before_bundle(ST_SIGNED));
	assert_false(state_before_bundle(ST_BUNDLED));
	assert_false(state_before_bundle(ST_NOT_REGISTERED));
	assert_false(state_before_bundle("BOGUS"));
	assert_string_equal(SQ_VALID, "'VALID'");
}

static void test_long_date(void **state)
{
	GDate d;
	char *s;

	(void)state;
	assert_int_equal(date_parse_iso("2026-11-24", &d), 0);
	s = date_long_id(&d);
	assert_string_equal(s, "24 November 2026");
	g_free(s);
	assert_int_equal(date_parse_iso("2026-02-29", &d), -1);
	assert_int_equal(date_parse_iso("2026-1-24", &d), -1);
	assert_int_equal(date_parse_iso("2024-02-29", &d), 0);
	assert_string_equal(date_month_id(8), "Agustus");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nik_valid),
		cmocka_unit_test(test_nik_women),
		cmocka_unit_test(test_nik_leap),
		cmocka_unit_test(test_nik_century),
		cmocka_unit_test(test_nik_shape),
		cmocka_unit_test(test_nik_mask),
		cmocka_unit_test(test_nip_pns),
		cmocka_unit_test(test_nip_pppk),
		cmocka_unit_test(test_nip_shape),
		cmocka_unit_test(test_agreement),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_golongan),
		cmocka_unit_test(test_pangkat),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_shown_text),
		cmocka_unit_test(test_shown_text_ascii_and_unicode),
		cmocka_unit_test(test_title_lengths),
		cmocka_unit_test(test_golongan_again),
		cmocka_unit_test(test_mask_id_runs),
		cmocka_unit_test(test_required),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_timestamps_calendar),
		cmocka_unit_test(test_sheet_dates),
		cmocka_unit_test(test_sheet_dates_calendar),
		cmocka_unit_test(test_nik_women_february),
		cmocka_unit_test(test_state_table),
		cmocka_unit_test(test_long_date),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
