/*
 * notices - the day's messages for the applicants' WhatsApp group,
 * outbox/notices/wa-YYYYMMDD.txt, in the verifier's voice (SOP steps 6
 * and 9).
 *
 * Input: the store: history rows of today (--date), and the applicants
 * waiting for themselves to act. Output: one text file per day, written
 * atomically; a second run the same day writes the same file again. When
 * nothing happened there is no file. Sections:
 *   - accounts created (first seen on the portal today): check your e-mail
 *     and set the passphrase (step 6);
 *   - reminders: accounts waiting notices.remind_days or more with no
 *     change, repeated every remind_days (applicants.reminded_day);
 *   - certificates issued today: you may leave the group (step 9);
 *   - requests BSrE denied, suspended or revoked today: contact us;
 *   - form rows rejected today: the name and the columns at fault.
 * People are named by name (and unit, to tell namesakes apart): never a
 * NIK, NIP or e-mail, and no rejection reason (reasons quote the data).
 * Names are shown as plain text (append_plain); a row rejected because its
 * name or unit is not plain text or is a number is only counted.
 *
 * Failure (a full disk): exit 1, no file, reminders not recorded.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "config.h"
#include "dates.h"
#include "fsutil.h"
#include "log.h"
#include "rules.h"
#include "stage.h"
#include "states.h"
#include "store.h"
#include "tte.h"

/* BSrE states in which an account exists and a certificate is awaited. */
#define ACCOUNT_STATES SQ_NEW "," SQ_WAITING_FOR_VERIFICATION "," SQ_NO_CERTIFICATE "," SQ_ENROLL
/* States before the portal knew the person. */
#define BEFORE_STATES SQ_REJECTED "," SQ_VALID "," SQ_LETTER "," SQ_SIGNED "," SQ_BUNDLED "," \
	SQ_NOT_REGISTERED
/* Where the applicant, not BSrE or the verifier, has to act. */
#define WAITING_STATES SQ_NEW "," SQ_NO_CERTIFICATE
/* Submission SUB was rejected for a name or unit that is not plain text
 * (rules_plain_text) or is a number: it is not shown, only counted. */
#define UNSHOWABLE(sub) "EXISTS(SELECT 1 FROM problems p WHERE p.submission_id=" sub \
	" AND p.field IN ('nama','unit') AND p.code IN ('LINE_BREAK','CONTROL','BIDI'," \
	"'INVISIBLE','DIGITS'))"

static const char *text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

/*
 * S as it may appear in the group: fit for display, on one line, NIK-like
 * numbers masked, and WhatsApp's markup characters replaced by lookalikes
 * WhatsApp does not format (* _ ~ ` become U+2217, U+02CD, U+223C,
 * U+02CB), so a name can neither bold a paragraph nor open a code block.
 * Appended to OUT.
 */
static const char *const lookalike[128] = {
	['*'] = "\u2217", ['_'] = "\u02CD", ['~'] = "\u223C", ['`'] = "\u02CB",
};

static void append_plain(GString *out, const char *s)
{
	char *shown = fs_display_name(s);
	char *masked = rules_mask_id_runs(shown, false);

	for (const char *p = masked; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 128 && lookalike[c])
			g_string_append(out, lookalike[c]);
		else
			g_string_append_c(out, *p);
	}
	g_free(masked);
	g_free(shown);
}

/*
 * Numbered "Nama (Unit)" lines from a query of (name, unit[, extra]) with
 * ?1 today and ?2 the reminder cut-off, numbering from FIRST. Returns how
 * many, or -1.
 */
static int list(sqlite3 *db, const char *sql, const char *day, const char *due, GString *out,
		const char *(*extra)(sqlite3_stmt *st, char *buf, size_t n), int first)
{
	sqlite3_stmt *st = store_prepare(db, sql);
	int n = 0, rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, day);
	if (sqlite3_bind_parameter_count(st) >= 2)
		store_bind_text(st, 2, due);
	while ((rc = store_row(st)) > 0) {
		char buf[200] = "";
		const char *x = extra ? extra(st, buf, sizeof(buf)) : "";

		g_string_append_printf(out, "%d. ", first + n++);
		append_plain(out, text(st, 0));
		if (*text(st, 1)) {
			g_string_append(out, " (");
			append_plain(out, text(st, 1));
			g_string_append_c(out, ')');
		}
		append_plain(out, x);
		g_string_append_c(out, '\n');
	}
	sqlite3_finalize(st);
	return rc < 0 ? -1 : n;
}

static const char *since(sqlite3_stmt *st, char *buf, size_t n)
{
	GDate d;
	char *l;

	if (date_parse_iso(text(st, 2), &d))
		return "";
	l = date_long_id(&d);
	g_snprintf(buf, n, ", menunggu sejak %s", l);
	g_free(l);
	return buf;
}

static const char *what_bsre(sqlite3_stmt *st, char *buf, size_t n)
{
	const char *s = text(st, 2);

	g_snprintf(buf, n, ": %s", !strcmp(s, ST_DENIED) ? "permohonan ditolak BSrE"
			   : !strcmp(s, ST_SUSPEND) ? "sertifikat dibekukan" : "sertifikat dicabut");
	return buf;
}

static const char *columns(sqlite3_stmt *st, char *buf, size_t n)
{
	g_snprintf(buf, n, " - perbaiki kolom: %s", *text(st, 2) ? text(st, 2) : "(lihat verifikator)");
	return buf;
}

static const char *const weekdays[] = { "", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu",
	"Minggu" };

static void section(GString *out, const char *title, const char *intro, GString *items,
		    const char *outro)
{
	if (items->len)
		g_string_append_printf(out, "\n*%s*\n%s\n%s%s\n", title, intro, items->str, outro);
}

static int notices_run(struct tte_ctx *ctx, int argc, char **argv)
{
	sqlite3 *db = ctx->db;
	GString *out = g_string_new(NULL);
	GString *acc = g_string_new(NULL), *rem = g_string_new(NULL), *iss = g_string_new(NULL);
	GString *bad = g_string_new(NULL), *rej = g_string_new(NULL);
	char *name = g_strdup_printf("wa-%s.txt", ctx->today_compact);
	char *path = tte_path(ctx, "outbox", "notices", name, NULL);
	char *due = NULL, *longdate = NULL;
	int n_acc, n_rem, n_iss, n_bad, n_rej, n_rej2 = 0, rc = TTE_EXIT_FAIL;
	long long nameless = 0, unshowable = 0;
	GDate today;

	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "tte notices: tidak menerima argumen\n");
		rc = TTE_EXIT_USAGE;
		goto out;
	}
	date_parse_iso(ctx->today, &today);
	{
		GDate d = today;

		g_date_subtract_days(&d, (guint)ctx->cfg->remind_days);
		due = g_malloc(11);
		date_iso(&d, due);
	}

	n_acc = list(db,
		"SELECT a.name, a.unit FROM applicants a WHERE a.state IN (" ACCOUNT_STATES ")"
		" AND EXISTS(SELECT 1 FROM history h WHERE h.applicant_id=a.id AND h.day=?1"
		"   AND h.to_state IN (" ACCOUNT_STATES ")"
		"   AND (h.from_state IS NULL OR h.from_state IN (" BEFORE_STATES ")))"
		" ORDER BY a.unit, a.name", ctx->today, due, acc, NULL, 1);
	/* Due: waiting remind_days or more since the last change or reminder;
	 * or reminded today already (a second run the same day). */
	n_rem = list(db,
		"SELECT a.name, a.unit, a.state_day FROM applicants a"
		" WHERE a.state IN (" WAITING_STATES ") AND a.state_day<?1 AND"
		" (a.reminded_day=?1 OR max(a.state_day, coalesce(a.reminded_day, ''))<=?2)"
		" ORDER BY a.state_day, a.unit, a.name", ctx->today, due, rem, since, 1);
	n_iss = list(db,
		"SELECT a.name, a.unit FROM applicants a WHERE a.state=" SQ_ISSUE
		" AND EXISTS(SELECT 1 FROM history h WHERE h.applicant_id=a.id AND h.day=?1"
		"   AND h.to_state=" SQ_ISSUE " AND coalesce(h.from_state, '')<>" SQ_ISSUE ")"
		" ORDER BY a.unit, a.name", ctx->today, due, iss, NULL, 1);
	n_bad = list(db,
		"SELECT a.name, a.unit, a.state FROM applicants a"
		" WHERE a.state IN (" SQ_DENIED "," SQ_SUSPEND "," SQ_REVOKE ")"
		" AND EXISTS(SELECT 1 FROM history h WHERE h.applicant_id=a.id AND h.day=?1"
		"   AND h.to_state=a.state AND coalesce(h.from_state, '')<>a.state)"
		" ORDER BY a.unit, a.name", ctx->today, due, bad, what_bsre, 1);
	/* Rejected today: applicants, then rows without a usable NIK. */
	n_rej = list(db,
		"SELECT a.name, a.unit, (SELECT group_concat(col, ', ') FROM (SELECT DISTINCT p.col"
		"   FROM problems p WHERE p.submission_id=a.submission_id ORDER BY p.rowid))"
		" FROM applicants a WHERE a.state=" SQ_REJECTED
		" AND EXISTS(SELECT 1 FROM history h WHERE h.applicant_id=a.id AND h.day=?1"
		"   AND h.to_state=" SQ_REJECTED ") AND NOT " UNSHOWABLE("a.submission_id")
		" ORDER BY a.unit, a.name", ctx->today, due, rej, columns, 1);
	if (n_rej >= 0)
		n_rej2 = list(db,
			"SELECT s.name, s.unit, (SELECT group_concat(col, ', ') FROM (SELECT DISTINCT"
			"   p.col FROM problems p WHERE p.submission_id=s.id ORDER BY p.rowid))"
			" FROM submissions s WHERE s.applicant_id IS NULL AND s.verdict=" SQ_REJECTED
			" AND s.superseded=0 AND coalesce(s.name, '')<>'' AND NOT " UNSHOWABLE("s.id")
			" AND s.input_id IN (SELECT id FROM inputs WHERE day=?1 AND kind='forms')"
			" ORDER BY s.unit, s.name", ctx->today, due, rej, columns, n_rej + 1);
	if (n_acc < 0 || n_rem < 0 || n_iss < 0 || n_bad < 0 || n_rej < 0 || n_rej2 < 0)
		goto out;
	{
		int r;
		sqlite3_stmt *st = store_prepare(db,
			"SELECT (SELECT count(*) FROM submissions s WHERE s.applicant_id IS NULL"
			"   AND s.verdict=" SQ_REJECTED " AND s.superseded=0 AND coalesce(s.name, '')=''"
			"   AND s.input_id IN (SELECT id FROM inputs WHERE day=?1 AND kind='forms')),"
			" (SELECT count(*) FROM applicants a WHERE a.state=" SQ_REJECTED
			"   AND EXISTS(SELECT 1 FROM history h WHERE h.applicant_id=a.id AND h.day=?1"
			"     AND h.to_state=" SQ_REJECTED ") AND " UNSHOWABLE("a.submission_id") ")"
			" + (SELECT count(*) FROM submissions s WHERE s.applicant_id IS NULL"
			"   AND s.verdict=" SQ_REJECTED " AND s.superseded=0 AND coalesce(s.name, '')<>''"
			"   AND " UNSHOWABLE("s.id")
			"   AND s.input_id IN (SELECT id FROM inputs WHERE day=?1 AND kind='forms'))");

		if (!st)
			goto out;
		store_bind_text(st, 1, ctx->today);
		r = store_row(st);
		if (r > 0) {
			nameless = sqlite3_column_int64(st, 0);
			unshowable = sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
		if (r < 0)
			goto out;
	}
	if (nameless)
		g_string_append_printf(rej, "Serta %lld isian tanpa nama; verifikator akan menghubungi "
				       "pengisinya langsung.\n", nameless);
	if (unshowable)
		g_string_append_printf(rej, "Serta %lld isian dengan nama atau unit kerja yang tidak "
				       "dapat ditampilkan di sini; verifikator akan menghubungi "
				       "pengisinya langsung.\n", unshowable);

	longdate = date_long_id(&today);
	g_string_append_printf(out, "*Informasi Penerbitan Sertifikat Elektronik (TTE) %s*\n%s, %s\n",
			       ctx->cfg->instansi_singkat, weekdays[g_date_get_weekday(&today)],
			       longdate);
	{
		const char *org = ctx->cfg->instansi_singkat;
		char *a_intro = g_strdup_printf("Yth. Bapak/Ibu berikut, akun esign BSrE Anda telah "
						"dibuat dan email dari BSrE telah dikirim ke email "
						"%s Anda:", org);
		char *a_outro = g_strdup_printf("Mohon periksa kotak masuk email %s (juga folder "
						"Spam), ikuti petunjuk dalam email tersebut, lalu buat "
						"passphrase. Passphrase bersifat rahasia: jangan "
						"diberitahukan kepada siapa pun, termasuk verifikator. "
						"Setelah passphrase dibuat, mohon sampaikan di grup "
						"ini.", org);
		char *r_intro = g_strdup_printf("Yth. Bapak/Ibu berikut, permohonan sertifikat Anda "
						"belum berlanjut selama %d hari atau lebih:",
						ctx->cfg->remind_days);
		char *r_outro = g_strdup_printf("Mohon periksa email dari BSrE di email %s (juga "
						"folder Spam) dan buat passphrase, lalu sampaikan di "
						"grup ini. Bila email tidak ditemukan, hubungi "
						"verifikator.", org);

		section(out, "Akun esign BSrE telah dibuat", a_intro, acc, a_outro);
		section(out, "Pengingat: passphrase belum dibuat", r_intro, rem, r_outro);
		g_free(a_intro);
		g_free(a_outro);
		g_free(r_intro);
		g_free(r_outro);
	}
	section(out, "Sertifikat elektronik telah terbit",
		"Selamat, sertifikat elektronik Bapak/Ibu berikut telah terbit dan sudah dapat "
		"digunakan untuk menandatangani dokumen secara elektronik:", iss,
		"Bapak/Ibu sudah boleh keluar dari grup ini. Terima kasih.");
	section(out, "Perlu menghubungi verifikator",
		"Permohonan atau sertifikat Bapak/Ibu berikut perlu ditindaklanjuti:", bad,
		"Mohon menghubungi verifikator melalui pesan pribadi.");
	section(out, "Formulir perlu diperbaiki",
		"Data formulir Bapak/Ibu berikut belum dapat diproses:", rej,
		"Mohon isi ulang formulir pendaftaran TTE dengan memperbaiki kolom yang disebutkan. "
		"Rincian dapat ditanyakan kepada verifikator melalui pesan pribadi.");

	if (!acc->len && !rem->len && !iss->len && !bad->len && !rej->len) {
		log_info("notices: nothing to tell today, no file");
		rc = TTE_EXIT_OK;
		goto out;
	}
	if (fs_write_atomic(path, out->str, out->len))
		goto out;
	if (n_rem > 0) {
		sqlite3_stmt *st = store_prepare(db,
			"UPDATE applicants SET reminded_day=?1 WHERE state IN (" WAITING_STATES ")"
			" AND state_day<?1 AND max(state_day, coalesce(reminded_day, ''))<=?2");

		if (!st || store_begin(db)) {
			sqlite3_finalize(st);
			goto out;
		}
		store_bind_text(st, 1, ctx->today);
		store_bind_text(st, 2, due);
		if (store_step_done(st) || store_commit(db)) {
			sqlite3_finalize(st);
			store_rollback(db);
			goto out;
		}
		sqlite3_finalize(st);
	}
	log_info("notices: outbox/notices/%s: %d account(s), %d reminder(s), %d issued, %d to contact,"
		 " %d rejected", name, n_acc, n_rem, n_iss, n_bad, n_rej + n_rej2 + (int)(nameless + unshowable));
	log_tty("  pesan grup: outbox/notices/%s\n", name);
	rc = TTE_EXIT_OK;
out:
	g_string_free(out, TRUE);
	g_string_free(acc, TRUE);
	g_string_free(rem, TRUE);
	g_string_free(iss, TRUE);
	g_string_free(bad, TRUE);
	g_string_free(rej, TRUE);
	g_free(longdate);
	g_free(due);
	g_free(path);
	g_free(name);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct stage_desc d = { .name = "notices", .run = notices_run };

	return stage_main(&d, argc, argv);
}
