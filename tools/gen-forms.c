/*
 * gen-forms - synthetic Google Form exports for the demo, tests and
 * benchmarks. Every person is made up.
 *
 *   gen-forms [--rows N] [--seed S] [--style en|id] [--invalid PCT]
 *             [--resubmit PCT] [--start N] > export.csv
 *
 * A realistic mix: most rows valid, PCT percent invalid in the ways real
 * forms go wrong (short or scientific-notation NIK, wrong or student e-mail
 * domain, titles in the name, NIK/NIP birth date mismatch, impossible TMT,
 * unknown golongan, missing KTP), and some people submitting twice. The
 * same arguments always give the same bytes. Style "en" is Forms'
 * "Download responses" (every field quoted, LF, "2026/11/10 1:00:00 PM
 * GMT+8"); "id" is the linked Sheet in Indonesian locale (BOM, CRLF,
 * "Stempel waktu", DD/MM/YYYY).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "synth.h"
#include "tte.h"

static const char *const first_m[] = { "I Made", "I Wayan", "I Nyoman", "I Ketut", "I Putu",
	"I Gede", "I Komang", "I Kadek", "Ida Bagus", "I Gusti Ngurah", "Anak Agung Gede",
	"Dewa Gede", "Cokorda Gede", "Muhammad", "Agus", "Budi" };
static const char *const first_f[] = { "Ni Made", "Ni Wayan", "Ni Nyoman", "Ni Ketut",
	"Ni Luh Putu", "Ni Putu", "Ni Komang", "Ni Kadek", "Ida Ayu", "I Gusti Ayu",
	"Anak Agung Istri", "Desak Made", "Dewa Ayu", "Siti", "Dewi", "Ni Luh Gede" };
static const char *const last[] = { "Sudiarta", "Suarta", "Wijaya", "Pratama", "Santika",
	"Mahendra", "Adnyana", "Suryawan", "Kusuma", "Artha", "Wibawa", "Sari", "Utami",
	"Dharmawan", "Yasa", "Juliantara", "Sukerta", "D'Souza", "Sugiharta", "Arsana" };
static const char *const units[] = { "Fakultas Bahasa dan Seni", "Fakultas Ekonomi",
	"Fakultas Hukum dan Ilmu Sosial", "Fakultas Ilmu Pendidikan",
	"Fakultas Matematika dan Ilmu Pengetahuan Alam", "Fakultas Olahraga dan Kesehatan",
	"Fakultas Teknik dan Kejuruan", "Fakultas Kedokteran", "Pascasarjana", "LPPM", "LP3M",
	"UPT TIK", "UPT Perpustakaan", "Biro Umum dan Keuangan", "Biro Akademik, Kemahasiswaan, "
	"Perencanaan, dan Kerja Sama" };
static const char *const jabatans[] = { "Dosen", "Lektor", "Lektor Kepala", "Asisten Ahli",
	"Guru Besar", "Pranata Komputer", "Arsiparis", "Pustakawan", "Analis Kepegawaian",
	"Kepala Bagian", "Pengadministrasi Umum" };
static const char *const golongans[] = { "III/a", "III/b", "III/c", "III/d", "IV/a", "IV/b",
	"IV/c", "IIId", "III d", "Penata Tk. I, III/d", "Penata Muda Tk. I - III/b", "II/c",
	"Pembina Tingkat I (IV/b)", "Penata Muda / III-a", "IV/A" };
static const char *const pppk_gol[] = { "IX", "X", "XI", "VII", "IX", "XII" };

#define PICK(a) (a)[rnd() % ARRAY_SIZE(a)]

struct person {
	char nik[17], nip[19], name[96], email[64], gol[40], ktp[64];
	const char *unit, *jabatan;
	bool female;
};

static void make_person(long i, struct person *p)
{
	int by = 1960 + (int)(rnd() % 40), bm = 1 + (int)(rnd() % 12), bd = 1 + (int)(rnd() % 28);
	bool pppk = rnd() % 10 == 0;
	int ty = by + 22 + (int)(rnd() % 15), tm = 1 + (int)(rnd() % 12);
	long k = i / 9999;

	if (ty > 2025)
		ty = 2025;
	p->female = rnd() % 2;
	g_snprintf(p->nik, sizeof(p->nik), "51%02ld%02ld%02d%02d%02d%04ld", (k / 20) % 9 + 1,
		   k % 20 + 1, bd + (p->female ? 40 : 0), bm, by % 100, i % 9999 + 1);
	if (pppk)
		g_snprintf(p->nip, sizeof(p->nip), "%04d%02d%02d%04d2%d%d%03d", by, bm, bd,
			   ty < 2019 ? 2022 : ty, 1 + (int)(rnd() % 3), p->female ? 2 : 1,
			   1 + (int)(rnd() % 999));
	else
		g_snprintf(p->nip, sizeof(p->nip), "%04d%02d%02d%04d%02d%d%03d", by, bm, bd, ty, tm,
			   p->female ? 2 : 1, 1 + (int)(rnd() % 999));
	g_snprintf(p->name, sizeof(p->name), "%s %s %s", p->female ? PICK(first_f) : PICK(first_m),
		   PICK(last), PICK(last));
	g_snprintf(p->email, sizeof(p->email), "p%07ld@undiksha.ac.id", i);
	g_snprintf(p->gol, sizeof(p->gol), "%s", pppk ? PICK(pppk_gol) : PICK(golongans));
	g_snprintf(p->ktp, sizeof(p->ktp), "https://drive.google.com/open?id=K%07ld", i);
	p->unit = PICK(units);
	p->jabatan = PICK(jabatans);
}

/* Spoil one field the way real submissions go wrong. */
static void spoil(struct person *p)
{
	switch (rnd() % 10) {
	case 0:	/* a digit lost */
		p->nik[15] = 0;
		break;
	case 1: {	/* a spreadsheet ate it */
		char digits[17];

		g_strlcpy(digits, p->nik, sizeof(digits));
		g_snprintf(p->nik, sizeof(p->nik), "%c.%.5sE+15", digits[0], digits + 1);
		break;
	}
	case 2:
		g_strlcpy(strchr(p->email, '@'), "@gmail.com", 12);
		break;
	case 3:
		g_strlcpy(strchr(p->email, '@'), "@student.undiksha.ac.id", 25);
		break;
	case 4: {
		char n[96];

		g_snprintf(n, sizeof(n), "Dr. %s, M.Pd.", p->name);
		g_strlcpy(p->name, n, sizeof(p->name));
		break;
	}
	case 5:	/* NIP birth day differs from the NIK's */
		p->nip[7] = p->nip[7] == '1' ? '2' : '1';
		break;
	case 6:	/* impossible TMT month */
		if (p->nip[12] != '2') {
			p->nip[12] = '1';
			p->nip[13] = '3';
		} else {
			p->nip[13] = '0';
		}
		break;
	case 7:
		g_strlcpy(p->gol, "Golongan V/f", sizeof(p->gol));
		break;
	case 8:
		p->ktp[0] = 0;
		break;
	default:	/* province code that does not exist */
		p->nik[0] = '9';
		p->nik[1] = '9';
		break;
	}
}

static void field(GString *s, const char *v, bool quote_all)
{
	bool q = quote_all || strpbrk(v, ",\"\r\n");

	if (!q) {
		g_string_append(s, v);
		return;
	}
	g_string_append_c(s, '"');
	for (; *v; v++) {
		if (*v == '"')
			g_string_append_c(s, '"');
		g_string_append_c(s, *v);
	}
	g_string_append_c(s, '"');
}

int main(int argc, char **argv)
{
	gint64 rows = 100, start = 100;
	gint seed = 1, invalid = 15, resubmit = 5;
	gchar *style = NULL;
	GOptionEntry e[] = {
		{ "rows", 0, 0, G_OPTION_ARG_INT64, &rows, "submissions to write", "N" },
		{ "start", 0, 0, G_OPTION_ARG_INT64, &start, "first person number", "N" },
		{ "seed", 0, 0, G_OPTION_ARG_INT, &seed, "random seed", "S" },
		{ "style", 0, 0, G_OPTION_ARG_STRING, &style, "en or id", "STYLE" },
		{ "invalid", 0, 0, G_OPTION_ARG_INT, &invalid, "percent invalid rows", "PCT" },
		{ "resubmit", 0, 0, G_OPTION_ARG_INT, &resubmit, "percent resubmissions", "PCT" },
		G_OPTION_ENTRY_NULL,
	};
	GOptionContext *oc = g_option_context_new("- synthetic form export on stdout");
	GError *err = NULL;
	GString *s = g_string_sized_new(1 << 20);
	bool id;
	const char *eol;
	long long t0 = 1794286800;	/* 2026-11-10 01:00:00 UTC */

	g_option_context_add_main_entries(oc, e, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &err)) {
		fprintf(stderr, "gen-forms: %s\n", err->message);
		return 2;
	}
	g_option_context_free(oc);
	id = style && !strcmp(style, "id");
	eol = id ? "\r\n" : "\n";
	rng_state = (uint64_t)seed;
	if (id)
		g_string_append(s, "\xEF\xBB\xBFStempel waktu,Alamat email,Password,NIK,NIP,"
				   "Nama (Tanpa Gelar),Email Undiksha,Golongan,Jabatan,Foto KTP,"
				   "Unit Kerja");
	else
		g_string_append(s, "\"Timestamp\",\"Email Address\",\"Password\",\"NIK\",\"NIP\","
				   "\"Nama (Tanpa Gelar)\",\"Email Undiksha\",\"Golongan\",\"Jabatan\","
				   "\"Foto KTP\",\"Unit Kerja\"");
	g_string_append(s, eol);
	for (gint64 r = 0; r < rows; r++) {
		struct person p;
		long who = (long)(start + r);
		long long t = t0 + r * 37;
		char ts[64];
		GDateTime *dt;
		const char *v[11];

		/* A resubmission: an earlier person again, corrected. */
		if (r > 10 && (int)(rnd() % 100) < resubmit)
			who = (long)(start + (long)(rnd() % (unsigned)r));
		rng_state = (uint64_t)seed * 0x100000001B3ull + (uint64_t)who;
		make_person(who, &p);
		rng_state = (uint64_t)seed * 31 + (uint64_t)r * 0x9E3779B97F4A7C15ull + 7;
		if ((int)(rnd() % 100) < invalid)
			spoil(&p);
		dt = g_date_time_new_from_unix_utc(t);
		{
			GDateTime *l = g_date_time_add_hours(dt, 8);
			char *f = id ? g_date_time_format(l, "%d/%m/%Y %H:%M:%S")
				     : g_date_time_format(l, "%Y/%m/%d %-I:%M:%S %p GMT+8");

			g_strlcpy(ts, f, sizeof(ts));
			g_free(f);
			g_date_time_unref(l);
		}
		g_date_time_unref(dt);
		v[0] = ts;
		v[1] = p.email;
		v[2] = "contoh-sandi";
		v[3] = p.nik;
		v[4] = p.nip;
		v[5] = p.name;
		v[6] = p.email;
		v[7] = p.gol;
		v[8] = p.jabatan;
		v[9] = p.ktp;
		v[10] = p.unit;
		for (int c = 0; c < 11; c++) {
			if (c)
				g_string_append_c(s, ',');
			field(s, v[c], !id);
		}
		g_string_append(s, eol);
		if (s->len > (1 << 20)) {
			if (fwrite(s->str, 1, s->len, stdout) != s->len)
				return 1;
			g_string_truncate(s, 0);
		}
	}
	if (fwrite(s->str, 1, s->len, stdout) != s->len || fflush(stdout) || ferror(stdout)) {
		perror("gen-forms");
		return 1;
	}
	g_string_free(s, TRUE);
	g_free(style);
	return 0;
}
