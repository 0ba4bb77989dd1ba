/*
 * field_rules - libFuzzer harness for the rules that read one form field
 * or one file name: the NIK, NIP, e-mail, golongan and name checks, the
 * plain-text check of Nama/Jabatan/Unit Kerja, the masking of digit runs
 * and the display form of file names. Every one of them sees bytes typed
 * by an applicant or chosen by whoever dropped a file. Besides memory
 * errors it asserts what the callers rely on: the display name and the
 * masked text are valid UTF-8, the display name is one line, and no run
 * of 16 digits survives the masking. Seeds: tests/fuzz/seeds/field_rules.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "fsutil.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The longest run of digits in S, separators of one space, dot or dash
 * between digits included, as rules_mask_id_runs counts them. */
static size_t longest_digit_run(const char *s)
{
	size_t best = 0, run = 0;

	for (const char *p = s; *p; p++) {
		if (g_ascii_isdigit(*p))
			run++;
		else if (run && strchr(" .-", *p) && g_ascii_isdigit(p[1]))
			continue;
		else
			run = 0;
		if (run > best)
			best = run;
	}
	return best;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = g_strndup((const char *)data, size);	/* up to the first NUL */
	problem_list *pl = problems_new();
	GDate *today = g_date_new_dmy(24, G_DATE_NOVEMBER, 2026);
	struct nik_info nik;
	struct nip_info nip;
	char *out = NULL, *note = NULL, *shown, *masked;

	shown = fs_display_name(s);
	if (!g_utf8_validate(shown, -1, NULL) || strchr(shown, '\n') || strchr(shown, '\r'))
		abort();
	g_free(shown);
	if (g_utf8_validate(s, -1, NULL)) {
		masked = rules_mask_id_runs(s, false);
		if (!g_utf8_validate(masked, -1, NULL) || longest_digit_run(masked) >= 16)
			abort();
		g_free(masked);
		rules_name(s, &out, pl);
		g_free(out);
		out = NULL;
		rules_required(s, F_JABATAN, &out, pl);
		g_free(out);
		out = NULL;
		rules_plain_text(s, F_UNIT, pl);
		rules_email(s, "undiksha.ac.id", &out, pl);
		g_free(out);
		out = NULL;
	}
	/* any bytes: it must repair what is not UTF-8 before GRegex sees it */
	rules_golongan(s, size ? data[0] % 3 : 0, &out, &note, pl);
	g_free(out);
	g_free(note);
	rules_nip(s, today, &nip, pl);
	rules_nik(s, 1987, today, &nik, pl);
	g_free(rules_clean_number(s));
	(void)rules_is_scientific(s);
	problems_free(pl);
	g_date_free(today);
	g_free(s);
	return 0;
}
