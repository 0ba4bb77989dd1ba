/*
 * rules.c - the contract's validation rules.
 *
 * Every reason is written for the staff member who must fix the form, in
 * Indonesian, and names the value it objects to (never a NIK in full: the
 * reasons end up in the admins' workbook, where NIKs are masked).
 *
 * Dates are GDate; the golongan parser uses GRegex (PCRE2), compiled once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "dates.h"
#include "rules.h"
#include "tte.h"

static const char *const field_ids[F_COUNT] = {
	[F_TIMESTAMP] = "timestamp", [F_FORM_EMAIL] = "email_form", [F_NIK] = "nik",
	[F_NIP] = "nip", [F_NAME] = "nama", [F_EMAIL] = "email", [F_GOLONGAN] = "golongan",
	[F_JABATAN] = "jabatan", [F_KTP] = "ktp", [F_UNIT] = "unit", [F_PHONE] = "telepon",
};

const char *field_id(enum field f)
{
	return f < F_COUNT ? field_ids[f] : "-";
}

static void problem_clear(gpointer p)
{
	g_free(((struct problem *)p)->reason);
}

problem_list *problems_new(void)
{
	GArray *a = g_array_new(FALSE, TRUE, sizeof(struct problem));

	g_array_set_clear_func(a, problem_clear);
	return a;
}

void problems_free(problem_list *pl)
{
	if (pl)
		g_array_free(pl, TRUE);
}

void problems_clear(problem_list *pl)
{
	g_array_set_size(pl, 0);
}

static void vadd(problem_list *pl, enum field f, enum field f2, const char *code, bool waivable,
		 const char *fmt, va_list ap)
{
	struct problem p = { .field = f, .field2 = f2, .code = code, .waivable = waivable };

	p.reason = g_strdup_vprintf(fmt, ap);
	g_array_append_val(pl, p);
}

void problems_add(problem_list *pl, enum field f, const char *code, bool waivable,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(pl, f, F_COUNT, code, waivable, fmt, ap);
	va_end(ap);
}

static void problems_add2(problem_list *pl, enum field f, enum field f2, const char *code,
			  bool waivable, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void problems_add2(problem_list *pl, enum field f, enum field f2, const char *code,
			  bool waivable, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(pl, f, f2, code, waivable, fmt, ap);
	va_end(ap);
}

/* ---- text helpers ---------------------------------------------------------- */

/* S without leading and trailing ASCII whitespace, as g_strstrip() leaves
 * it, found without copying: [*START, *END). */
static void trim_bounds(const char *s, const char **start, const char **end)
{
	const char *p = s ? s : "", *e;

	while (g_ascii_isspace(*p))
		p++;
	e = p + strlen(p);
	while (e > p && g_ascii_isspace(e[-1]))
		e--;
	*start = p;
	*end = e;
}

/* ---- numbers ------------------------------------------------------------- */

char *rules_clean_number(const char *raw)
{
	const char *p = raw ? raw : "";
	char *out, *o;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\'')
		p++;
	/* The result is never longer than what is left: one allocation. */
	o = out = g_malloc(strlen(p) + 1);
	for (; *p; p++) {
		/* U+00A0 no-break space and U+202F narrow no-break space */
		if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0) {
			p++;
			continue;
		}
		if ((unsigned char)p[0] == 0xE2 && (unsigned char)p[1] == 0x80 &&
		    (unsigned char)p[2] == 0xAF) {
			p += 2;
			continue;
		}
		if (*p == ' ' || *p == '.' || *p == '-' || *p == '\t' || *p == '\r' || *p == '\n')
			continue;
		*o++ = *p;
	}
	*o = 0;
	return out;
}

bool rules_is_scientific(const char *raw)
{
	const char *p = raw;
	int mant = 0;

	if (!p)
		return false;
	while (*p == ' ' || *p == '\'')
		p++;
	if (!g_ascii_isdigit(*p))
		return false;
	while (g_ascii_isdigit(*p) || *p == '.' || *p == ',') {
		mant += g_ascii_isdigit(*p);
		p++;
	}
	if (*p != 'E' && *p != 'e')
		return false;
	p++;
	if (*p == '+')
		p++;
	if (!g_ascii_isdigit(*p))
		return false;
	while (g_ascii_isdigit(*p))
		p++;
	while (*p == ' ')
		p++;
	return *p == 0 && mant > 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!g_ascii_isdigit(*s))
			return false;
	return true;
}

static int num(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

bool rules_province_valid(int c)
{
	return (c >= 11 && c <= 19) || c == 21 || (c >= 31 && c <= 36) ||
	       (c >= 51 && c <= 53) || (c >= 61 && c <= 65) || (c >= 71 && c <= 76) ||
	       (c >= 81 && c <= 82) || (c >= 91 && c <= 96);
}

void rules_mask_nik(const char *nik, char *out, size_t outlen)
{
	size_t n = nik ? strlen(nik) : 0;
	char m[17] = "****************";

	/* Built by hand, not printed: the report masks every applicant's. */
	if (n == 16) {
		memcpy(m, nik, 4);
		memcpy(m + 14, nik + 14, 2);
	} else if (n == 0) {
		m[0] = '\0';
	} else {
		memcpy(m, nik, n < 2 ? n : 2);
		m[(n < 2 ? n : 2) + 14] = '\0';
	}
	g_strlcpy(out, m, outlen);	/* cut to OUTLEN, as before */
}

/* Empty, scientific notation, non-digits, or the wrong length: the problems
 * NIK and NIP share. Returns the cleaned digits, or NULL after a problem. */
static char *clean_digits(const char *raw, enum field f, const char *label, size_t want,
			  problem_list *pl)
{
	char *d = rules_clean_number(raw);
	size_t len;

	if (!*d) {
		problems_add(pl, f, "EMPTY", false, "%s belum diisi", label);
		goto bad;
	}
	if (rules_is_scientific(raw)) {
		problems_add(pl, f, "SCIENTIFIC", false,
			     "%s tertulis sebagai angka ilmiah (%s): spreadsheet telah mengubahnya "
			     "dan digit aslinya hilang; minta pemohon mengisi ulang %s",
			     label, raw, label);
		goto bad;
	}
	if (!all_digits(d)) {
		problems_add(pl, f, "NOT_DIGITS", false, "%s hanya boleh berisi angka", label);
		goto bad;
	}
	len = strlen(d);
	if (len != want) {
		if (f == F_NIP && len == 9)
			problems_add(pl, f, "OLD_NIP", false,
				     "NIP lama 9 digit sudah tidak berlaku; isi NIP baru 18 digit");
		else
			problems_add(pl, f, "LENGTH", false, "%s harus %zu digit, terisi %zu digit",
				     label, want, len);
		goto bad;
	}
	return d;
bad:
	g_free(d);
	return NULL;
}

bool rules_nik(const char *raw, int birth_year_hint, const GDate *today,
	       struct nik_info *out, problem_list *pl)
{
	char *d = clean_digits(raw, F_NIK, "NIK", 16, pl);
	int prov, day, mon, yy, year = 0;
	bool female, ok = false;

	if (!d)
		return false;
	prov = num(d, 2);
	if (!rules_province_valid(prov)) {
		problems_add(pl, F_NIK, "PROVINCE", false,
			     "Kode provinsi pada NIK (%02d) tidak dikenal", prov);
		goto out;
	}
	day = num(d + 6, 2);
	mon = num(d + 8, 2);
	yy = num(d + 10, 2);
	female = day > 40;
	if (female)
		day -= 40;
	if (birth_year_hint > 0 && birth_year_hint % 100 == yy) {
		year = birth_year_hint;
	} else {
		/* The century that makes the person 15 to 100 years old today. */
		int ty = (int)g_date_get_year(today);

		for (int c = 1900; c <= 2000; c += 100) {
			int age = ty - (c + yy);

			if (age >= 15 && age <= 100)
				year = c + yy;
		}
	}
	if (day < 1 || mon < 1 || mon > 12 || !year ||
	    !g_date_valid_dmy((GDateDay)day, (GDateMonth)mon, (GDateYear)year)) {
		problems_add(pl, F_NIK, "BIRTH_DATE", false,
			     "Tanggal lahir pada NIK (%.6s) bukan tanggal yang mungkin%s", d + 6,
			     num(d + 6, 2) > 71 || (num(d + 6, 2) > 31 && num(d + 6, 2) < 41)
				     ? " (tanggal harus 01-31, atau 41-71 untuk perempuan)" : "");
		goto out;
	}
	if (!strcmp(d + 12, "0000")) {
		problems_add(pl, F_NIK, "SEQUENCE", false, "Nomor urut NIK (4 digit terakhir) tidak boleh 0000");
		goto out;
	}
	memcpy(out->digits, d, 17);
	out->province = prov;
	out->female = female;
	g_date_clear(&out->birth, 1);
	g_date_set_dmy(&out->birth, (GDateDay)day, (GDateMonth)mon, (GDateYear)year);
	ok = true;
out:
	g_free(d);
	return ok;
}

/* ---- NIP ------------------------------------------------------------------ */

bool rules_nip(const char *raw, const GDate *today, struct nip_info *out, problem_list *pl)
{
	char *d = clean_digits(raw, F_NIP, "NIP", 18, pl);
	int by, bm, bd, gender, seq;
	GDate birth, adult;
	bool ok = false;

	if (!d)
		return false;
	by = num(d, 4);
	bm = num(d + 4, 2);
	bd = num(d + 6, 2);
	if (!g_date_valid_dmy((GDateDay)bd, (GDateMonth)bm, (GDateYear)by) || by < 1900) {
		problems_add(pl, F_NIP, "BIRTH_DATE", false,
			     "Tanggal lahir pada NIP (%.8s) bukan tanggal yang mungkin", d);
		goto out;
	}
	g_date_clear(&birth, 1);
	g_date_set_dmy(&birth, (GDateDay)bd, (GDateMonth)bm, (GDateYear)by);
	if (g_date_compare(&birth, today) > 0) {
		problems_add(pl, F_NIP, "BIRTH_DATE", false,
			     "Tanggal lahir pada NIP (%.8s) ada di masa depan", d);
		goto out;
	}
	adult = birth;
	if (bm == 2 && bd == 29)
		g_date_set_day(&adult, 28);	/* 18 years after 29 February */
	g_date_add_years(&adult, 18);

	memset(out, 0, sizeof(*out));
	if (d[12] == '2') {
		/* PPPK: YYYYMMDD YYYY 2 N G SSS */
		int year = num(d + 8, 4), count = d[13] - '0';

		out->kind = NIP_PPPK;
		out->tmt_year = year;
		if (year < (int)g_date_get_year(&adult) || year > (int)g_date_get_year(today) + 1) {
			problems_add(pl, F_NIP, "PPPK_YEAR", false,
				     "Tahun pengangkatan PPPK pada NIP (%04d) tidak mungkin untuk "
				     "kelahiran %04d", year, by);
			goto out;
		}
		if (count < 1 || count > 9) {
			problems_add(pl, F_NIP, "PPPK_COUNT", false,
				     "Digit ke-14 NIP PPPK (jumlah perjanjian kerja) harus 1-9, terisi %d",
				     count);
			goto out;
		}
		gender = d[14] - '0';
	} else {
		/* PNS: YYYYMMDD YYYYMM G SSS */
		int ty = num(d + 8, 4), tm = num(d + 12, 2);

		out->kind = NIP_PNS;
		out->tmt_year = ty;
		out->tmt_month = tm;
		if (tm < 1 || tm > 12) {
			problems_add(pl, F_NIP, "TMT_MONTH", false,
				     "Bulan TMT CPNS pada NIP (%.6s) tidak ada: bulan %02d", d + 8, tm);
			goto out;
		}
		if (ty * 12 + tm < (int)g_date_get_year(&adult) * 12 + (int)g_date_get_month(&adult)) {
			problems_add(pl, F_NIP, "TMT_BEFORE_18", false,
				     "TMT CPNS pada NIP (%02d-%04d) sebelum pemohon berusia 18 tahun "
				     "(lahir %02d-%02d-%04d)", tm, ty, bd, bm, by);
			goto out;
		}
		if (ty > (int)g_date_get_year(today) + 1) {
			problems_add(pl, F_NIP, "TMT_FUTURE", false,
				     "TMT CPNS pada NIP (%02d-%04d) ada di masa depan", tm, ty);
			goto out;
		}
		gender = d[14] - '0';
	}
	if (gender != 1 && gender != 2) {
		problems_add(pl, F_NIP, "GENDER", false,
			     "Digit jenis kelamin pada NIP harus 1 (laki-laki) atau 2 (perempuan), "
			     "terisi %d", gender);
		goto out;
	}
	seq = num(d + 15, 3);
	if (seq < 1) {
		problems_add(pl, F_NIP, "SEQUENCE", false, "Nomor urut NIP (3 digit terakhir) tidak boleh 000");
		goto out;
	}
	memcpy(out->digits, d, 19);
	out->birth = birth;
	out->female = gender == 2;
	ok = true;
out:
	g_free(d);
	return ok;
}

void rules_nik_nip_agree(const struct nik_info *nik, const struct nip_info *nip, problem_list *pl)
{
	if (g_date_compare(&nik->birth, &nip->birth)) {
		problems_add2(pl, F_NIK, F_NIP, "BIRTH_MISMATCH", true,
			      "Tanggal lahir pada NIK (%02u-%02u-%04u) tidak sama dengan NIP "
			      "(%02u-%02u-%04u)",
			      g_date_get_day(&nik->birth), g_date_get_month(&nik->birth),
			      g_date_get_year(&nik->birth), g_date_get_day(&nip->birth),
			      g_date_get_month(&nip->birth), g_date_get_year(&nip->birth));
	}
	if (nik->female != nip->female) {
		problems_add2(pl, F_NIK, F_NIP, "GENDER_MISMATCH", true,
			      "Jenis kelamin pada NIK (%s) tidak sama dengan NIP (%s)",
			      nik->female ? "perempuan" : "laki-laki",
			      nip->female ? "perempuan" : "laki-laki");
	}
}

/* ---- e-mail ------------------------------------------------------------------ */

bool rules_email(const char *raw, const char *domain, char **out, problem_list *pl)
{
	const char *start, *end;
	char *e;
	const char *at;
	bool ok = false;

	/* Trimmed, then lowered (ASCII only): lowering leaves the whitespace
	 * that trimming removes, so the order is free; one copy. */
	trim_bounds(raw, &start, &end);
	e = g_ascii_strdown(start, end - start);
	if (!*e) {
		problems_add(pl, F_EMAIL, "EMPTY", false, "Email belum diisi");
		goto out;
	}
	at = strchr(e, '@');
	if (!at || at == e || strchr(at + 1, '@') || strpbrk(e, " \t,;<>()[]\\\"") ||
	    !strchr(at + 1, '.') || at[1] == '.' || e[end - start - 1] == '.' ||
	    !g_utf8_validate(e, end - start, NULL)) {
		problems_add(pl, F_EMAIL, "FORMAT", false, "Email \"%s\" bukan alamat email yang sah", e);
		goto out;
	}
	if (strcmp(at + 1, domain)) {
		size_t dl = strlen(domain), al = strlen(at + 1);

		if (al > dl && !strcmp(at + 1 + al - dl, domain) && at[al - dl] == '.')
			problems_add(pl, F_EMAIL, "SUBDOMAIN", false,
				     "Email %s bukan email pegawai: gunakan alamat @%s (bukan @%s)",
				     e, domain, at + 1);
		else
			problems_add(pl, F_EMAIL, "DOMAIN", false,
				     "Email harus alamat @%s, terisi @%s", domain, at + 1);
		goto out;
	}
	ok = true;
	*out = e;
	e = NULL;
out:
	g_free(e);
	return ok;
}

/* ---- golongan ------------------------------------------------------------------ */

static const struct {
	const char *name;	/* normalised tokens, longest first */
	const char *gol;
	const char *pangkat;
} pangkats[] = {
	{ "PEMBINA UTAMA MADYA", "IV/d", "Pembina Utama Madya" },
	{ "PEMBINA UTAMA MUDA", "IV/c", "Pembina Utama Muda" },
	{ "PENGATUR MUDA TK I", "II/b", "Pengatur Muda Tingkat I" },
	{ "PENATA MUDA TK I", "III/b", "Penata Muda Tingkat I" },
	{ "JURU MUDA TK I", "I/b", "Juru Muda Tingkat I" },
	{ "PEMBINA UTAMA", "IV/e", "Pembina Utama" },
	{ "PENGATUR TK I", "II/d", "Pengatur Tingkat I" },
	{ "PEMBINA TK I", "IV/b", "Pembina Tingkat I" },
	{ "PENGATUR MUDA", "II/a", "Pengatur Muda" },
	{ "PENATA TK I", "III/d", "Penata Tingkat I" },
	{ "PENATA MUDA", "III/a", "Penata Muda" },
	{ "JURU MUDA", "I/a", "Juru Muda" },
	{ "JURU TK I", "I/d", "Juru Tingkat I" },
	{ "PENGATUR", "II/c", "Pengatur" },
	{ "PEMBINA", "IV/a", "Pembina" },
	{ "PENATA", "III/c", "Penata" },
	{ "JURU", "I/c", "Juru" },
};

static const char *const romans[] = {
	"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X",
	"XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII",
};

const char *rules_pangkat(const char *gol)
{
	for (size_t i = 0; gol && i < ARRAY_SIZE(pangkats); i++)
		if (!strcmp(pangkats[i].gol, gol))
			return pangkats[i].pangkat;
	return NULL;
}

char *rules_pangkat_golongan(const char *gol)
{
	const char *p = rules_pangkat(gol);

	if (p)
		return g_strdup_printf("%s / %s", p, gol);
	if (gol && *gol)
		return g_strdup_printf("Golongan %s (PPPK)", gol);
	return g_strdup("-");
}

static GRegex *re_ruang, *re_pppk;

static void golongan_init(void)
{
	static gsize once;

	if (g_once_init_enter(&once)) {
		re_ruang = g_regex_new("(?<![A-Z])(IV|III|II|I|[1-4])\\s*[/\\-.]?\\s*([A-E])(?![A-Z])",
				       G_REGEX_OPTIMIZE, 0, NULL);
		re_pppk = g_regex_new("^(?:PPPK\\s*)?(?:GOL(?:ONGAN)?\\.?\\s*)?([IVX]+|\\d{1,2})"
				      "(?:\\s*\\(?PPPK\\)?)?$", G_REGEX_OPTIMIZE, 0, NULL);
		g_assert(re_ruang && re_pppk);
		g_once_init_leave(&once, 1);
	}
}

/* "PENATA TKT. I (III/D)" -> "PENATA TK I III D": letters and digits as
 * words, Tingkat/Tkt/Tk as TK, and "1" after TK as "I". UP is upper case. */
static char *pangkat_tokens(const char *up)
{
	GString *s = g_string_sized_new(32);
	bool after_tk = false;
	const char *p = up;

	while (*p) {
		const char *w;
		size_t n;

		while (*p && !g_ascii_isalnum(*p))
			p++;
		w = p;
		while (g_ascii_isalnum(*p))
			p++;
		n = (size_t)(p - w);
		if (!n)
			break;
		if (s->len)
			g_string_append_c(s, ' ');
		if ((n == 7 && !memcmp(w, "TINGKAT", 7)) || (n == 3 && !memcmp(w, "TKT", 3)) ||
		    (n == 2 && !memcmp(w, "TK", 2))) {
			g_string_append(s, "TK");
			after_tk = true;
			continue;
		}
		if (after_tk && n == 1 && *w == '1')
			g_string_append_c(s, 'I');
		else
			g_string_append_len(s, w, (gssize)n);
		after_tk = false;
	}
	return g_string_free(s, FALSE);
}

static const char *find_pangkat(const char *tokens)
{
	for (size_t i = 0; i < ARRAY_SIZE(pangkats); i++) {
		size_t n = strlen(pangkats[i].name);
		const char *p = tokens;

		while ((p = strstr(p, pangkats[i].name))) {
			bool start = p == tokens || p[-1] == ' ';
			bool end = p[n] == 0 || p[n] == ' ';

			if (start && end)
				return pangkats[i].gol;
			p++;
		}
	}
	return NULL;
}

static int roman_value(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(romans); i++)
		if (!strcmp(romans[i], s))
			return (int)i + 1;
	return 0;
}

/* PPPK golongan I..XVII (or 1..17); 0 when not one. */
static int pppk_value(const char *up)
{
	GMatchInfo *mi = NULL;
	int v = 0;

	if (g_regex_match(re_pppk, up, 0, &mi)) {
		char *g = g_match_info_fetch(mi, 1);

		if (g_ascii_isdigit(g[0]))
			v = (int)g_ascii_strtoll(g, NULL, 10);
		else
			v = roman_value(g);
		if (v < 1 || v > 17)
			v = 0;
		g_free(g);
	}
	g_match_info_free(mi);
	return v;
}

static bool golongan_check(const char *raw, int kind, char **out, char **note,
			   problem_list *pl)
{
	char *up = g_ascii_strup(raw ? raw : "", -1);
	char *tokens = NULL, *ruang = NULL;
	const char *by_name;
	GMatchInfo *mi = NULL;
	int pppk;
	bool ok = false;

	golongan_init();
	*note = NULL;
	g_strstrip(up);
	if (!*up) {
		problems_add(pl, F_GOLONGAN, "EMPTY", false, "Golongan belum diisi");
		goto out;
	}
	if (g_regex_match(re_ruang, up, 0, &mi)) {
		char *g = g_match_info_fetch(mi, 1);
		char *r = g_match_info_fetch(mi, 2);
		const char *rom = g;

		if (g_ascii_isdigit(g[0]))
			rom = romans[g[0] - '1'];
		if (r[0] == 'E' && strcmp(rom, "IV")) {
			problems_add(pl, F_GOLONGAN, "RUANG", false,
				     "Golongan \"%s\" tidak ada: ruang e hanya ada pada golongan IV",
				     raw);
			g_free(g);
			g_free(r);
			goto out;
		}
		ruang = g_strdup_printf("%s/%c", rom, g_ascii_tolower(r[0]));
		g_free(g);
		g_free(r);
	}
	tokens = pangkat_tokens(up);
	by_name = find_pangkat(tokens);
	pppk = ruang || by_name ? 0 : pppk_value(up);

	if (ruang || by_name) {
		if (kind == NIP_PPPK) {
			problems_add(pl, F_GOLONGAN, "PNS_FOR_PPPK", false,
				     "Golongan \"%s\" adalah golongan PNS, tetapi NIP adalah NIP PPPK "
				     "(golongan PPPK I-XVII)", raw);
			goto out;
		}
		if (ruang && by_name && strcmp(ruang, by_name))
			*note = g_strdup_printf("Pangkat pada isian golongan (\"%s\") tidak sesuai "
						"dengan ruang %s; yang dipakai %s", raw, ruang, ruang);
		*out = g_strdup(ruang ? ruang : by_name);
		ok = true;
		goto out;
	}
	if (pppk) {
		if (kind == NIP_PNS) {
			problems_add(pl, F_GOLONGAN, "INCOMPLETE", false,
				     "Golongan \"%s\" tidak lengkap: untuk PNS tulis golongan dan "
				     "ruang, misalnya III/d", raw);
			goto out;
		}
		*out = g_strdup(romans[pppk - 1]);
		ok = true;
		goto out;
	}
	problems_add(pl, F_GOLONGAN, "UNKNOWN", false,
		     "Golongan \"%s\" tidak dikenali: tulis seperti III/d (PNS) atau IX (PPPK)", raw);
out:
	g_match_info_free(mi);
	g_free(tokens);
	g_free(ruang);
	g_free(up);
	return ok;
}

/*
 * The verdicts of golongan_check, kept: it is a function of RAW and KIND
 * alone, and an export repeats a few dozen spellings over a million rows,
 * each of which would otherwise cost two regex searches and a dozen
 * allocations. Bounded: spellings up to GOL_MEMO_KEY bytes, at most
 * GOL_MEMO_MAX of them (later ones are checked every time). Locked: the
 * rules may be called from any thread (letters runs a writer thread).
 */
#define GOL_MEMO_KEY 64
#define GOL_MEMO_MAX 512

struct gol_verdict {
	bool ok;
	char *out, *note;	/* ok: as golongan_check gives them */
	const char *code;	/* not ok: the one problem, or NULL */
	char *reason;
};

static GHashTable *gol_memo;	/* "<kind><raw>" -> struct gol_verdict */
G_LOCK_DEFINE_STATIC(gol_memo);

static void gol_verdict_free(gpointer p)
{
	struct gol_verdict *v = p;

	g_free(v->out);
	g_free(v->note);
	g_free(v->reason);
	g_free(v);
}

/* The kept verdict for KEY, handed over as golongan_check would (the
 * strings copied, the problem added to PL); false when none is kept. */
static bool gol_memo_get(const char *key, char **out, char **note, problem_list *pl,
			 bool *ok)
{
	struct gol_verdict *v;

	G_LOCK(gol_memo);
	v = gol_memo ? g_hash_table_lookup(gol_memo, key) : NULL;
	if (v) {
		*ok = v->ok;
		*note = g_strdup(v->note);
		if (v->ok)
			*out = g_strdup(v->out);
		else if (v->code)
			problems_add(pl, F_GOLONGAN, v->code, false, "%s", v->reason);
	}
	G_UNLOCK(gol_memo);
	return v != NULL;
}

static void gol_memo_put(const char *key, bool ok, const char *out, const char *note,
			 const struct problem *p)
{
	struct gol_verdict *v;

	G_LOCK(gol_memo);
	if (!gol_memo)
		gol_memo = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						 gol_verdict_free);
	if (g_hash_table_size(gol_memo) < GOL_MEMO_MAX &&
	    !g_hash_table_contains(gol_memo, key)) {
		v = g_new0(struct gol_verdict, 1);
		v->ok = ok;
		v->out = ok ? g_strdup(out) : NULL;
		v->note = g_strdup(note);
		v->code = p ? p->code : NULL;
		v->reason = p ? g_strdup(p->reason) : NULL;
		g_hash_table_insert(gol_memo, g_strdup(key), v);
	}
	G_UNLOCK(gol_memo);
}

bool rules_golongan(const char *raw, int kind, char **out, char **note, problem_list *pl)
{
	const char *r = raw ? raw : "";
	size_t n = strlen(r);
	char key[GOL_MEMO_KEY + 2];
	guint before = pl->len;
	bool ok;

	if (!g_utf8_validate(r, (gssize)n, NULL)) {
		/* GRegex hands its subject to PCRE2 unchecked: invalid UTF-8
		 * would be read past. Checked as repaired, reported as such. */
		char *valid = g_utf8_make_valid(r, (gssize)n);

		ok = rules_golongan(valid, kind, out, note, pl);
		g_free(valid);
		return ok;
	}
	if (n > GOL_MEMO_KEY || kind < 0 || kind > 9)
		return golongan_check(raw, kind, out, note, pl);
	key[0] = (char)('0' + kind);
	memcpy(key + 1, r, n + 1);
	if (gol_memo_get(key, out, note, pl, &ok))
		return ok;
	ok = golongan_check(raw, kind, out, note, pl);
	gol_memo_put(key, ok, ok ? *out : NULL, *note,
		     pl->len > before ? &g_array_index(pl, struct problem, pl->len - 1) : NULL);
	return ok;
}

/* ---- name ------------------------------------------------------------------- */

/* Titles that stand before a name; compared without case and trailing dot. */
static const char *const prefix_titles[] = {
	"prof", "dr", "drs", "dra", "drg", "drh", "ir", "hj", "kh",
};

/* Degrees written without dots, as seen after names; compared exactly. */
static const char *const plain_degrees[] = {
	"SPd", "MPd", "SKom", "MKom", "MSi", "SSi", "MSc", "BSc", "MEng", "PhD", "MBA", "MM",
	"MT", "ST", "SE", "SH", "MH", "SSos", "MSos", "SS", "MHum", "SKM", "SKed", "SKep",
	"SFarm", "SIP", "MAP", "MAk", "MPH", "SAg", "MAg", "SSn", "MSn", "SPdI", "MPdI",
	"Lc", "Ak", "Apt", "Ns", "CPA",
};

/* Second segments of dotted degrees after S. or M. (S.Pd., M.Kom, S.T.). */
static const char *const degree_parts[] = {
	"pd", "kom", "t", "e", "si", "sc", "eng", "h", "hum", "kes", "kep", "psi", "sn", "ag",
	"ip", "kn", "farm", "ked", "or", "ds", "sos", "ak", "m", "stat", "gz", "tr", "th",
	"pt", "pi", "p", "mat", "li", "ikom", "fil", "hut", "ars", "tp", "ling", "inf", "cs",
	"ba", "a", "ab", "ap", "hut", "kel", "pwk", "mb", "kesos", "ant", "sy", "hi", "ft",
	"gz", "pst", "mi", "pdi", "tek", "li",
};

/* The lists as sets, built once: a name has several words and a 1M-row
 * export has a million names. Keys of the case-insensitive sets are lower
 * case. */
static GHashTable *set_prefix, *set_plain, *set_parts;
static size_t undotted_max;	/* longest entry of set_prefix and set_plain */

static void name_sets_init(void)
{
	static gsize once;

	if (g_once_init_enter(&once)) {
		set_prefix = g_hash_table_new(g_str_hash, g_str_equal);
		set_plain = g_hash_table_new(g_str_hash, g_str_equal);
		set_parts = g_hash_table_new(g_str_hash, g_str_equal);
		for (size_t i = 0; i < ARRAY_SIZE(prefix_titles); i++) {
			g_hash_table_add(set_prefix, (gpointer)prefix_titles[i]);
			undotted_max = MAX(undotted_max, strlen(prefix_titles[i]));
		}
		for (size_t i = 0; i < ARRAY_SIZE(plain_degrees); i++) {
			g_hash_table_add(set_plain, (gpointer)plain_degrees[i]);
			undotted_max = MAX(undotted_max, strlen(plain_degrees[i]));
		}
		for (size_t i = 0; i < ARRAY_SIZE(degree_parts); i++)
			g_hash_table_add(set_parts, (gpointer)degree_parts[i]);
		g_once_init_leave(&once, 1);
	}
}

/* Is the word TOK (LEN bytes) a title? FIRST: the name's first word. */
static bool is_title(const char *tok, size_t len, bool first)
{
	char w[32], low[32];
	char *seg[4] = { NULL, NULL, NULL, NULL };
	size_t n = len;
	int nseg = 0;

	if (len >= sizeof(w))
		return false;	/* no title is that long */
	/* "H." and "Hj." count only with the dot: a bare H may be an initial. */
	if (len == 2 && g_ascii_tolower(tok[0]) == 'h' && tok[1] == '.')
		return true;
	while (n && (tok[n - 1] == '.' || tok[n - 1] == ',' || tok[n - 1] == ';'))
		n--;
	if (!n)
		return false;
	/* Most words of a name are longer than any title written without a
	 * dot and have no dot: they are none, with no copy and no lookup. */
	if (n > undotted_max && !memchr(tok, '.', n))
		return false;
	memcpy(w, tok, n);
	w[n] = 0;
	for (size_t i = 0; i <= n; i++)
		low[i] = g_ascii_tolower(w[i]);
	if (g_hash_table_contains(set_prefix, low))
		return true;
	if (!first && g_hash_table_contains(set_plain, w))
		return true;
	if (!strchr(low, '.'))
		return false;
	/* Dotted: look at the first two segments (S.Pd., A.Md.Kom, Ph.D.). */
	for (char *p = low, *start = low; nseg < 4; p++) {
		if (*p == '.' || !*p) {
			bool end = !*p;

			*p = 0;
			if (*start)
				seg[nseg++] = start;
			start = p + 1;
			if (end)
				break;
		}
	}
	if (nseg < 2)
		return false;
	if ((!strcmp(seg[0], "s") || !strcmp(seg[0], "m")) && g_hash_table_contains(set_parts, seg[1]))
		return true;
	if (!strcmp(seg[0], "a") && !strcmp(seg[1], "md"))
		return true;		/* A.Md.Kom */
	if (!strcmp(seg[0], "ph") && !strcmp(seg[1], "d"))
		return true;
	if (!strcmp(seg[0], "sp") || !strcmp(seg[0], "prof") || !strcmp(seg[0], "dr") ||
	    !strcmp(seg[0], "drs") || !strcmp(seg[0], "d3") || !strcmp(seg[0], "d4"))
		return true;		/* Sp.PD, Prof.Dr., Dr.rer.nat. */
	return false;
}

/* ---- text fit to show -------------------------------------------------------- */

enum char_hazard rules_char_hazard(gunichar c)
{
	if (c >= 0x20 && c < 0x7F)
		return HAZARD_NONE;	/* printable ASCII: most of what is typed */
	if (c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x85 || c == 0x2028 ||
	    c == 0x2029)
		return HAZARD_LINE_BREAK;
	if (c == '\t')
		return HAZARD_NONE;
	if (g_unichar_iscntrl(c))	/* C0, DEL, C1 */
		return HAZARD_CONTROL;
	if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E ||
	    c == 0x200F || c == 0x061C)
		return HAZARD_BIDI;
	/* The other format characters (Unicode Cf: zero-width space and
	 * joiners, word joiner, BOM, soft hyphen, invisible operators, ...):
	 * nothing a name typed on a form needs, and each can hide or split
	 * what is shown. */
	if (g_unichar_type(c) == G_UNICODE_FORMAT)
		return HAZARD_INVISIBLE;
	return HAZARD_NONE;
}

static const char *field_label(enum field f)
{
	return f == F_NAME ? "Nama" : f == F_JABATAN ? "Jabatan" : f == F_UNIT ? "Unit Kerja"
		: field_id(f);
}

/*
 * One pass over a shown field, trimmed of ASCII whitespace as g_strstrip()
 * trims: the first character that is a hazard (returned, with the
 * character in *HC), and whether the text reads as a number (*NUMBER,
 * when not NULL): more digits than letters, or a run of 8 digits, counted
 * up to the first invalid UTF-8 sequence (skipped by the hazard check:
 * invalid UTF-8 is its own problem, the reader's). Whitespace is neither
 * digit nor letter and ends a run, so the verdict is the same whether the
 * whitespace inside is collapsed (Nama) or not.
 *
 * Printable ASCII is what forms hold nearly always: it is classified here
 * without a call into GLib's Unicode tables.
 */
static enum char_hazard scan_shown(const char *raw, gunichar *hc, bool *number)
{
	const char *p, *end;
	long digits = 0, letters = 0, run = 0;
	bool counting = true, many = false;

	trim_bounds(raw, &p, &end);
	while (p < end) {
		unsigned char b = (unsigned char)*p;
		bool digit, letter;

		if (b >= 0x20 && b < 0x7F) {
			p++;
			digit = b >= '0' && b <= '9';
			letter = (b | 0x20) >= 'a' && (b | 0x20) <= 'z';
		} else {
			gunichar c = b < 0x80 ? b : g_utf8_get_char_validated(p, end - p);
			enum char_hazard hz;

			if (c == (gunichar)-1 || c == (gunichar)-2) {
				counting = false;
				p++;
				continue;
			}
			hz = rules_char_hazard(c);
			if (hz != HAZARD_NONE) {
				*hc = c;
				return hz;
			}
			p = g_utf8_next_char(p);
			if (!counting)
				continue;
			digit = g_unichar_isdigit(c);
			letter = !digit && g_unichar_isalpha(c);
		}
		if (!counting)
			continue;
		if (digit) {
			digits++;
			if (++run >= 8) {
				many = true;
				counting = false;
			}
		} else {
			run = 0;
			letters += letter;
		}
	}
	if (number)
		*number = many || digits > letters;
	return HAZARD_NONE;
}

/* Add the problem of hazard HZ (character C) in field F and return false;
 * true, adding nothing, for HAZARD_NONE. */
static bool hazard_problem(enum char_hazard hz, gunichar c, enum field f, problem_list *pl)
{
	const char *label = field_label(f);

	switch (hz) {
	case HAZARD_NONE:
		return true;
	case HAZARD_LINE_BREAK:
		problems_add(pl, f, "LINE_BREAK", false,
			     "%s berisi baris baru; isi dalam satu baris saja", label);
		break;
	case HAZARD_CONTROL:
		problems_add(pl, f, "CONTROL", false,
			     "%s berisi karakter kendali U+%04X yang tidak terlihat; ketik "
			     "ulang isian ini", label, c);
		break;
	case HAZARD_BIDI:
		problems_add(pl, f, "BIDI", false,
			     "%s berisi karakter pengatur arah teks U+%04X yang dapat "
			     "membalik tampilan tulisan; ketik ulang isian ini", label, c);
		break;
	case HAZARD_INVISIBLE:
		problems_add(pl, f, "INVISIBLE", false,
			     "%s berisi karakter tak terlihat U+%04X; ketik ulang isian ini",
			     label, c);
		break;
	}
	return false;
}

bool rules_plain_text(const char *raw, enum field f, problem_list *pl)
{
	gunichar c = 0;
	enum char_hazard hz = scan_shown(raw, &c, NULL);

	return hazard_problem(hz, c, f, pl);
}

/* Plain text and not a number (a NIK or NIP typed into the wrong box):
 * what Nama, Jabatan and Unit Kerja share. */
static bool shown_text_ok(const char *raw, enum field f, problem_list *pl)
{
	gunichar c = 0;
	bool number = false;
	enum char_hazard hz = scan_shown(raw, &c, &number);

	if (!hazard_problem(hz, c, f, pl))
		return false;
	if (number) {
		problems_add(pl, f, "DIGITS", false,
			     "%s berisi angka; NIK dan NIP diisi pada kolomnya sendiri",
			     field_label(f));
		return false;
	}
	return true;
}

static bool is_id_sep(char c)
{
	return c == ' ' || c == '.' || c == '-';
}

char *rules_mask_id_runs(const char *s, bool keep_nip)
{
	char *out = g_strdup(s ? s : "");
	size_t i = 0;

	while (out[i]) {
		size_t j = i, digits = 0;
		bool sep = false;

		if (!g_ascii_isdigit(out[i])) {
			i++;
			continue;
		}
		for (;;) {
			while (g_ascii_isdigit(out[j])) {
				digits++;
				j++;
			}
			if (is_id_sep(out[j]) && g_ascii_isdigit(out[j + 1])) {
				sep = true;
				j++;
				continue;
			}
			break;
		}
		if (digits >= 16 && !(keep_nip && digits == 18 && !sep)) {
			size_t seen = 0;

			for (size_t k = i; k < j; k++)
				if (g_ascii_isdigit(out[k]) && ++seen > 4)
					out[k] = '*';
		}
		i = j;
	}
	return out;
}

bool rules_name(const char *raw, char **out, problem_list *pl)
{
	const char *src = raw ? raw : "", *comma;
	char *name = g_malloc(strlen(src) + 1), *o = name;
	GString *titles = NULL;
	bool first = true, ok;

	name_sets_init();
	/* Collapse whitespace, into one buffer that becomes *OUT. */
	for (const char *p = src; *p;) {
		const char *w;

		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		w = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			p++;
		if (p > w) {
			if (o > name)
				*o++ = ' ';
			memcpy(o, w, (size_t)(p - w));
			o += p - w;
		}
	}
	*o = 0;
	if (o == name) {
		problems_add(pl, F_NAME, "EMPTY", false, "Nama belum diisi");
		g_free(name);
		return false;
	}
	*out = name;
	if (!shown_text_ok(raw, F_NAME, pl))
		return false;

	/* Indonesian names have no comma: what follows one is a title. */
	comma = strchr(name, ',');
	if (comma) {
		const char *rest = comma + 1;

		while (*rest == ' ')
			rest++;
		titles = g_string_new(*rest ? rest : ",");
	}
	for (const char *p = name, *end = comma ? comma : o; p < end;) {
		const char *w = p;

		while (p < end && *p != ' ')
			p++;
		if (is_title(w, (size_t)(p - w), first)) {
			if (!titles)
				titles = g_string_new(NULL);
			if (titles->len)
				g_string_append(titles, ", ");
			g_string_append_len(titles, w, p - w);
		}
		first = false;
		while (p < end && *p == ' ')
			p++;
	}
	ok = !titles;
	if (titles) {
		problems_add(pl, F_NAME, "TITLE", true,
			     "Nama berisi gelar (%s); tulis nama tanpa gelar seperti pada KTP",
			     titles->str);
		g_string_free(titles, TRUE);
	}
	return ok;
}

bool rules_required(const char *raw, enum field f, char **out, problem_list *pl)
{
	static const char *const what[F_COUNT] = {
		[F_JABATAN] = "Jabatan belum diisi",
		[F_UNIT] = "Unit Kerja belum diisi",
		[F_KTP] = "Foto KTP belum diunggah",
	};
	const char *start, *end;

	trim_bounds(raw, &start, &end);
	if (start == end) {
		problems_add(pl, f, "EMPTY", false, "%s", what[f] ? what[f] : "Belum diisi");
		return false;
	}
	*out = g_strndup(start, (gsize)(end - start));
	if (f == F_JABATAN || f == F_UNIT)
		return shown_text_ok(raw, f, pl);
	return true;
}
