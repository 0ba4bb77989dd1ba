/*
 * rules.h - the validation rules of the contract, and the domain tables
 * they rest on (provinces, golongan and pangkat, titles).
 *
 * Each rule takes what the applicant typed, normalises it and either
 * accepts it or says why not: a problem carries the field, a stable code,
 * and a reason in Indonesian that a staff member understands. Problems of
 * the waivable rules (NIK/NIP agreement, titles in the name) are marked so;
 * `tte accept` waives exactly those.
 *
 * Nothing here touches the store or the file system: pure functions of
 * their arguments and "today", tested in tests/unit_rules.c.
 */
#ifndef TTE_RULES_H
#define TTE_RULES_H

#include <stdbool.h>
#include <glib.h>

/* The form's fields tte uses. Order is stable (stored as names). */
enum field {
	F_TIMESTAMP,
	F_FORM_EMAIL,
	F_NIK,
	F_NIP,
	F_NAME,
	F_EMAIL,
	F_GOLONGAN,
	F_JABATAN,
	F_KTP,
	F_UNIT,
	F_PHONE,
	F_COUNT
};

/* Stable lower-case id of a field ("nik", "nip", "nama", ...). */
const char *field_id(enum field f);

/* A rule failure. REASON is newly allocated (g_free); CODE is static. */
struct problem {
	enum field field;
	enum field field2;	/* second column for agreement rules, else F_COUNT */
	const char *code;
	char *reason;
	bool waivable;
};

/* A growable list of problems. */
typedef GArray problem_list;	/* of struct problem */
problem_list *problems_new(void);
void problems_free(problem_list *pl);
void problems_clear(problem_list *pl);
/* Add a problem; REASON is a printf format. */
void problems_add(problem_list *pl, enum field f, const char *code, bool waivable,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* ---- NIK ---------------------------------------------------------------- */

struct nik_info {
	char digits[17];
	int province;
	GDate birth;		/* with century resolved */
	bool female;		/* day + 40 */
};

/*
 * Remove spaces (also non-breaking), dots, dashes and one leading
 * apostrophe from RAW into a new string.
 */
char *rules_clean_number(const char *raw);

/* True when RAW looks like a number a spreadsheet turned into scientific
 * notation ("5.10802E+15", "5,10802E+15"). */
bool rules_is_scientific(const char *raw);

/*
 * Check a NIK. BIRTH_YEAR_HINT (from a valid NIP, else 0) resolves the
 * century of YY when its last two digits agree; otherwise the century that
 * makes the person 15 to 100 years old on TODAY. Returns true and fills
 * OUT when valid; otherwise adds one problem to PL.
 */
bool rules_nik(const char *raw, int birth_year_hint, const GDate *today,
	       struct nik_info *out, problem_list *pl);

/* True for the 38 province codes (11-19, 21, 31-36, 51-53, 61-65, 71-76,
 * 81-82, 91-96). */
bool rules_province_valid(int code);

/* "5108**********03" into OUT (17 bytes); NIK must be 16 characters,
 * otherwise the whole value is masked but for its first 2 characters. */
void rules_mask_nik(const char *nik, char *out, size_t outlen);

/* ---- NIP ---------------------------------------------------------------- */

enum nip_kind { NIP_PNS = 1, NIP_PPPK = 2 };

struct nip_info {
	char digits[19];
	enum nip_kind kind;
	GDate birth;
	int tmt_year, tmt_month;	/* PNS: TMT CPNS; PPPK: year, month 0 */
	bool female;
};

/* Check a NIP (18 digits, PNS or PPPK layout). True and OUT, or a problem. */
bool rules_nip(const char *raw, const GDate *today, struct nip_info *out, problem_list *pl);

/* Waivable agreement of NIK and NIP on birth date and gender. */
void rules_nik_nip_agree(const struct nik_info *nik, const struct nip_info *nip,
			 problem_list *pl);

/* ---- e-mail, golongan, name ------------------------------------------------ */

/* Check an e-mail at DOMAIN. True and a new lower-case copy in *OUT. */
bool rules_email(const char *raw, const char *domain, char **out, problem_list *pl);

/*
 * Normalise a golongan however written ("III/d", "IIId", "Penata Tk. I,
 * III/d", "Penata Muda Tingkat 1", "IX", "09"). KIND (0 when the NIP is not
 * known) decides between PNS golongan/ruang and PPPK golongan I-XVII.
 * True and a new string in *OUT ("III/d", "IX"); *NOTE gets a remark when
 * the pangkat named disagrees with the ruang (the ruang wins), else NULL.
 * Verdicts are remembered per spelling and KIND (a bounded set, shared by
 * all threads): an export repeats a few dozen spellings. RAW that is not
 * UTF-8 is checked with its bad bytes replaced by U+FFFD.
 */
bool rules_golongan(const char *raw, int kind, char **out, char **note, problem_list *pl);

/* Pangkat of a PNS golongan ("III/d" -> "Penata Tingkat I"); NULL for a
 * PPPK golongan or an unknown one. Static string. */
const char *rules_pangkat(const char *golongan);

/* "Penata Tingkat I / III/d", or "Golongan IX (PPPK)". New string. */
char *rules_pangkat_golongan(const char *golongan);

/*
 * Check a name: not empty, no academic or religious titles (waivable), not
 * mistaking Balinese names (I Gusti Ngurah, Ida Bagus, Ni Luh, A.A., I.G.)
 * for titles; plain text (rules_plain_text) and not a number ("Nama berisi
 * angka": more digits than letters, or a run of 8 digits). *OUT gets the
 * name with whitespace collapsed whenever it is not empty, also when it
 * was rejected. True when no problem.
 */
bool rules_name(const char *raw, char **out, problem_list *pl);

/*
 * Not empty (after trimming): Jabatan, Unit Kerja, Foto KTP. Jabatan and
 * Unit Kerja must also be plain text and not a number, as a name. *OUT
 * gets the trimmed value whenever it is not empty, also when rejected.
 */
bool rules_required(const char *raw, enum field f, char **out, problem_list *pl);

/* ---- text fit to show ------------------------------------------------------ */

/* What a character can do to the text around it when shown. */
enum char_hazard {
	HAZARD_NONE,
	HAZARD_LINE_BREAK,	/* LF, CR, VT, FF, NEL, U+2028, U+2029 */
	HAZARD_CONTROL,		/* other C0 and C1 controls, DEL (not TAB) */
	HAZARD_BIDI,		/* U+202A-U+202E, U+2066-U+2069, LRM, RLM, ALM */
	HAZARD_INVISIBLE,	/* U+200B-U+200D, U+2060, U+FEFF, other format characters */
};

/* The hazard of code point C. */
enum char_hazard rules_char_hazard(gunichar c);

/*
 * A field of field F (Nama, Jabatan, Unit Kerja) that will be shown to
 * people, in the WhatsApp group among other places, must be plain text of
 * one line: no line breaks, control characters, bidi overrides or
 * invisible characters (leading and trailing whitespace aside). True, or
 * one problem (codes LINE_BREAK, CONTROL, BIDI, INVISIBLE) naming the
 * first such character.
 */
bool rules_plain_text(const char *raw, enum field f, problem_list *pl);

/*
 * A copy of S in which every run of 16 or more digits (digits separated by
 * single spaces, dots or dashes count as one run) keeps its first four
 * digits and has the rest replaced by '*', so that a NIK typed into any
 * column never shows. KEEP_NIP: a run of exactly 18 digits with no
 * separator (a NIP) stays. New string.
 */
char *rules_mask_id_runs(const char *s, bool keep_nip);

#endif
