/*
 * ingest - BSrE status exports from inbox/status/ into the applicants'
 * states.
 *
 * Input: *.csv and *.xlsx in inbox/status/ (user and certificate lists from
 * the BSrE portal or a tool that re-saved them; the reader is chosen by
 * content, not by name). Rows name a person by NIK, else by e-mail, and
 * carry a certificate status and/or a user status. Output: applicants'
 * state (the certificate's status wins; the user status goes into the
 * history note), BSrE user status, certificate serial and validity,
 * issued_day; one history row per change; rows that match nobody or carry
 * a status tte does not know in status_unmatched (the report's sheet
 * "Status tak dikenal"). The file moves to var/processed/status/ once
 * committed.
 *
 * Age: every export gets an export time (README "Status exports"): a date
 * in its file name, else an XLSX's creation time, else the file's mtime.
 * An applicant whose status came from a newer export is not touched by an
 * older one, so no one moves backwards when exports arrive out of order.
 * Several rows for one person in one export (old and new certificates)
 * give one change: the row of the most current certificate.
 *
 * One transaction per file; rows are staged in a temporary table while the
 * file streams (constant memory), then applied per applicant. An
 * unreadable file is quarantined; the stage goes on with the others.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "config.h"
#include "dates.h"
#include "fsutil.h"
#include "inbox.h"
#include "log.h"
#include "rules.h"
#include "stage.h"
#include "states.h"
#include "store.h"
#include "table.h"
#include "tte.h"

enum col { C_NIK, C_EMAIL, C_CERT, C_USER, C_NAME, C_SERIAL, C_NOT_BEFORE, C_NOT_AFTER, C_COUNT };

/* Header spellings, normalised (table.h), in order of preference. */
static const char *const a_nik[] = { "nik", "no ktp", "nomor ktp", "nomor induk kependudukan",
	"nik ktp", "no nik", "nomor nik", NULL };
static const char *const a_email[] = { "email", "emailaddress", "email address", "alamat email",
	"e mail", "surel", "email pengguna", "user email", "mail", NULL };
static const char *const a_cert[] = { "status sertifikat", "certificate status",
	"status certificate", "cert status", "certstatus", "certificatestatus", "status cert",
	"status", NULL };
static const char *const a_user[] = { "status pengguna", "user status", "status user",
	"userstatus", "status akun", "account status", NULL };
static const char *const a_name[] = { "nama", "name", "nama lengkap", "full name", "fullname",
	NULL };
static const char *const a_serial[] = { "serial number", "serialnumber", "nomor seri",
	"no seri", "nomor seri sertifikat", "serial", NULL };
static const char *const a_not_before[] = { "notbeforedate", "notbefore", "not before",
	"berlaku dari", "berlaku sejak", "berlaku mulai", "mulai berlaku", "tanggal terbit",
	"valid from", "issued date", "issue date", NULL };
static const char *const a_not_after[] = { "notafterdate", "notafter", "not after",
	"berlaku sampai", "berlaku hingga", "valid until", "valid to", "masa berlaku",
	"tanggal kedaluwarsa", "tanggal kadaluarsa", "expired date", "expiry date",
	"expiration date", NULL };

static const struct table_col status_cols[C_COUNT] = {
	[C_NIK] = { a_nik, false, "NIK" },
	[C_EMAIL] = { a_email, false, "Email" },
	[C_CERT] = { a_cert, false, "Status Sertifikat" },
	[C_USER] = { a_user, false, "Status Pengguna" },
	[C_NAME] = { a_name, false, "Nama" },
	[C_SERIAL] = { a_serial, false, "Serial Number" },
	[C_NOT_BEFORE] = { a_not_before, false, "Berlaku Dari" },
	[C_NOT_AFTER] = { a_not_after, false, "Berlaku Sampai" },
};

/* ---- status values ----------------------------------------------------------- */

/*
 * BSrE's certificate/API statuses and the words export tools and people
 * write for them, normalised like headers (lower case, '_' as space).
 * RANK orders the rows of one person within one export: the most current
 * certificate wins (an issued certificate beats an old revoked one; a
 * request in progress beats an expired certificate).
 */
static const struct status_word {
	const char *word;
	const char *state;
	int rank;
} cert_words[] = {
	{ "issue", ST_ISSUE, 9 }, { "issued", ST_ISSUE, 9 }, { "terbit", ST_ISSUE, 9 },
	{ "diterbitkan", ST_ISSUE, 9 }, { "aktif", ST_ISSUE, 9 }, { "active", ST_ISSUE, 9 },
	{ "renew", ST_RENEW, 8 }, { "renewed", ST_RENEW, 8 }, { "renewal", ST_RENEW, 8 },
	{ "perpanjang", ST_RENEW, 8 }, { "perpanjangan", ST_RENEW, 8 },
	{ "enroll", ST_ENROLL, 7 }, { "enrol", ST_ENROLL, 7 }, { "enrolled", ST_ENROLL, 7 },
	{ "enrollment", ST_ENROLL, 7 }, { "enrolment", ST_ENROLL, 7 },
	{ "waiting for verification", ST_WAITING_FOR_VERIFICATION, 6 },
	{ "waiting verification", ST_WAITING_FOR_VERIFICATION, 6 },
	{ "menunggu verifikasi", ST_WAITING_FOR_VERIFICATION, 6 },
	{ "waiting", ST_WAITING_FOR_VERIFICATION, 6 },
	{ "no certificate", ST_NO_CERTIFICATE, 5 }, { "tidak ada sertifikat", ST_NO_CERTIFICATE, 5 },
	{ "belum ada sertifikat", ST_NO_CERTIFICATE, 5 },
	{ "new", ST_NEW, 4 }, { "baru", ST_NEW, 4 },
	{ "suspend", ST_SUSPEND, 3 }, { "suspended", ST_SUSPEND, 3 }, { "dibekukan", ST_SUSPEND, 3 },
	{ "expired", ST_EXPIRED, 2 }, { "expire", ST_EXPIRED, 2 }, { "kedaluwarsa", ST_EXPIRED, 2 },
	{ "kadaluarsa", ST_EXPIRED, 2 }, { "kadaluwarsa", ST_EXPIRED, 2 },
	{ "kedaluarsa", ST_EXPIRED, 2 },
	{ "revoke", ST_REVOKE, 2 }, { "revoked", ST_REVOKE, 2 }, { "dicabut", ST_REVOKE, 2 },
	{ "denied", ST_DENIED, 2 }, { "deny", ST_DENIED, 2 }, { "ditolak", ST_DENIED, 2 },
	{ "rejected", ST_DENIED, 2 }, { "reject", ST_DENIED, 2 },
	{ "not registered", ST_NOT_REGISTERED, 1 }, { "unregistered", ST_NOT_REGISTERED, 1 },
	{ "belum terdaftar", ST_NOT_REGISTERED, 1 }, { "tidak terdaftar", ST_NOT_REGISTERED, 1 },
};

/*
 * Portal user statuses, and the applicant's state when a row has no
 * certificate status (an inference, README "Status exports"): NEW is an
 * account whose request is not complete; VERIFIED an account verified but
 * without a certificate yet (the API's NO_CERTIFICATE); UPDATE data changed
 * and awaiting verification again.
 */
static const struct status_word user_words[] = {
	{ "verified", "VERIFIED", 0 }, { "terverifikasi", "VERIFIED", 0 },
	{ "new", "NEW", 0 }, { "baru", "NEW", 0 },
	{ "update", "UPDATE", 0 }, { "updated", "UPDATE", 0 }, { "diperbarui", "UPDATE", 0 },
};

static const struct status_word *lookup_word(const struct status_word *w, size_t n,
					     const char *raw)
{
	char *norm;
	const struct status_word *found = NULL;

	if (!*raw)
		return NULL;
	norm = table_normalise(raw);
	for (size_t i = 0; i < n && !found; i++)
		if (!strcmp(norm, w[i].word))
			found = &w[i];
	g_free(norm);
	return found;
}

static const char *user_state(const char *user)
{
	if (!strcmp(user, "NEW"))
		return ST_NEW;
	if (!strcmp(user, "VERIFIED"))
		return ST_NO_CERTIFICATE;
	return ST_WAITING_FOR_VERIFICATION;
}

static int state_rank(const char *state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cert_words); i++)
		if (!strcmp(cert_words[i].state, state))
			return cert_words[i].rank;
	return 0;
}


/* ---- dates ------------------------------------------------------------------------ */

/*
 * A validity date as exports write it: "2028-11-10 10:00:00", "10/11/2028"
 * (day first), an Excel serial number (XLSX date cells), or epoch seconds
 * or milliseconds (API dumps). "YYYY-MM-DD" into OUT, or false.
 */
static bool parse_day(const char *raw, char out[11])
{
	unsigned a, b, c;
	GDate d;

	g_date_clear(&d, 1);
	if (sscanf(raw, "%4u-%2u-%2u", &a, &b, &c) == 3 && strlen(raw) >= 10 && raw[4] == '-') {
		if (!g_date_valid_dmy((GDateDay)c, (GDateMonth)b, (GDateYear)a))
			return false;
		g_date_set_dmy(&d, (GDateDay)c, (GDateMonth)b, (GDateYear)a);
	} else if (sscanf(raw, "%2u%*1[/.-]%2u%*1[/.-]%4u", &a, &b, &c) == 3 && c >= 1900) {
		if (!g_date_valid_dmy((GDateDay)a, (GDateMonth)b, (GDateYear)c))
			return false;
		g_date_set_dmy(&d, (GDateDay)a, (GDateMonth)b, (GDateYear)c);
	} else {
		char *end;
		double v = g_ascii_strtod(raw, &end);

		if (end == raw || *end || v <= 0)
			return false;
		if (v >= 20000 && v < 80000) {		/* Excel serial, 1900 system */
			g_date_set_dmy(&d, 30, 12, 1899);
			g_date_add_days(&d, (guint)v);
		} else if ((v >= 1e9 && v < 4e9) || (v >= 1e12 && v < 4e12)) {	/* epoch s, ms */
			gint64 s = (gint64)(v >= 1e12 ? v / 1000 : v);

			g_date_set_time_t(&d, (time_t)s);
		} else {
			return false;
		}
	}
	date_iso(&d, out);
	return true;
}

/* ---- the stage ---------------------------------------------------------------------- */

struct counts {
	long rows, matched, unmatched, unknown, stale, changed, same, dup, waiting;
};

struct ingest {
	struct tte_ctx *ctx;
	GTimeZone *tz;

	/* per file */
	const char *file;
	long long input_id;
	char *created;			/* XLSX creation time as written */
	struct counts c;
	struct counts total;		/* of the committed files */
	gint64 t0;			/* when the file's reading began */
	gint64 t_last;
};

static int on_header(void *ud, const struct table_header *h, char **why)
{
	struct ingest *in = ud;

	if ((!h->names[C_NIK] && !h->names[C_EMAIL]) || (!h->names[C_CERT] && !h->names[C_USER])) {
		*why = g_strdup_printf("kolom yang diperlukan tidak ditemukan: %s%s%s (judul kolom yang "
				       "ada: %d kolom); periksa apakah ini ekspor pengguna atau "
				       "sertifikat dari portal BSrE",
				       !h->names[C_NIK] && !h->names[C_EMAIL] ? "NIK atau Email" : "",
				       !h->names[C_NIK] && !h->names[C_EMAIL] &&
				       !h->names[C_CERT] && !h->names[C_USER] ? ", dan " : "",
				       !h->names[C_CERT] && !h->names[C_USER]
				       ? "Status (Status Sertifikat atau Status Pengguna)" : "",
				       h->file_columns);
		return TABLE_BAD;
	}
	g_free(in->created);
	in->created = g_strdup(h->created);
	if (h->sheet)
		log_info("status/%s: sheet \"%s\", header on row %ld", in->file, h->sheet, h->row_no);
	return TABLE_OK;
}

static int unmatched(struct ingest *in, long row_no, const char *nik, const char *email,
		     const char *name, const char *status, const char *reason)
{
	sqlite3_stmt *st = store_stmt(in->ctx->db,
		"INSERT INTO status_unmatched(input_id, row_no, nik_masked, email, name, status,"
		" reason) VALUES(?,?,?,?,?,?,?)");
	char masked[24] = "";

	if (!st)
		return -1;
	if (*nik)
		rules_mask_nik(nik, masked, sizeof(masked));
	sqlite3_bind_int64(st, 1, in->input_id);
	sqlite3_bind_int64(st, 2, row_no);
	store_bind_text(st, 3, *masked ? masked : NULL);
	store_bind_text(st, 4, *email ? email : NULL);
	store_bind_text(st, 5, *name ? name : NULL);
	store_bind_text(st, 6, *status ? status : NULL);
	store_bind_text(st, 7, reason);
	return store_step_done(st);
}

/* The applicant a row names: by NIK, else by e-mail. 1 found (*ID), 0 not
 * (*WHY says why, static), -1 error. */
static int match(struct ingest *in, const char *nik, const char *email, long long *id,
		 const char **why)
{
	sqlite3_stmt *st;
	int rc, n = 0;

	*why = NULL;
	if (strlen(nik) == 16 && strspn(nik, "0123456789") == 16) {
		char hmac[STORE_HMAC_HEX];

		store_nik_hmac(nik, hmac);
		st = store_stmt(in->ctx->db, "SELECT id FROM applicants WHERE nik_hmac=?");
		if (!st)
			return -1;
		store_bind_text(st, 1, hmac);
		rc = store_row(st);
		if (rc > 0)
			*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (rc)
			return rc;
	}
	if (*email) {
		st = store_stmt(in->ctx->db, "SELECT id FROM applicants WHERE email=? LIMIT 2");
		if (!st)
			return -1;
		store_bind_text(st, 1, email);
		while ((rc = store_row(st)) > 0) {
			*id = sqlite3_column_int64(st, 0);
			n++;
		}
		sqlite3_reset(st);
		if (rc < 0)
			return -1;
		if (n == 1)
			return 1;
	}
	if (n > 1)
		*why = "NIK tidak cocok dan email ini dipakai lebih dari satu pemohon; baris tidak "
		       "dapat dicocokkan";
	else if (!*nik && !*email)
		*why = "baris tanpa NIK maupun email";
	else if (rules_is_scientific(nik))
		*why = "NIK tertulis sebagai angka ilmiah (digit hilang) dan email tidak cocok dengan "
		       "pemohon mana pun";
	else
		*why = "NIK dan email tidak cocok dengan pemohon mana pun di tte";
	return 0;
}

static char *field(const struct table_row *r, int c, size_t cap)
{
	char *s = g_strstrip(g_strdup(r->val[c]));

	if (strlen(s) > cap) {
		s[cap] = 0;
		while (!g_utf8_validate(s, -1, NULL))	/* do not cut a character */
			s[strlen(s) - 1] = 0;
	}
	return s;
}

static int on_row(void *ud, const struct table_row *r)
{
	struct ingest *in = ud;
	char *raw_nik = field(r, C_NIK, 64), *raw_email = field(r, C_EMAIL, 254);
	char *name = field(r, C_NAME, 200), *cert_raw = field(r, C_CERT, 64);
	char *user_raw = field(r, C_USER, 64), *serial = field(r, C_SERIAL, 128);
	char *nb_raw = field(r, C_NOT_BEFORE, 64), *na_raw = field(r, C_NOT_AFTER, 64);
	char *nik = rules_clean_number(raw_nik), *email = g_ascii_strdown(raw_email, -1);
	char *shown = NULL, *reason = NULL;
	const struct status_word *cert = lookup_word(cert_words, ARRAY_SIZE(cert_words), cert_raw);
	const struct status_word *user = lookup_word(user_words, ARRAY_SIZE(user_words), user_raw);
	const char *state = NULL, *why;
	char nb[11] = "", na[11] = "";
	long long id = 0;
	int found, rc = TABLE_ABORT;

	in->c.rows++;
	/* A lone "Status" column of a user list holds user statuses. */
	if (!cert && *cert_raw && !*user_raw &&
	    (user = lookup_word(user_words, ARRAY_SIZE(user_words), cert_raw))) {
		g_free(user_raw);
		user_raw = cert_raw;
		cert_raw = g_strdup("");
	}
	if (cert)
		state = cert->state;
	else if (!*cert_raw && user)
		state = user_state(user->state);
	shown = *cert_raw && *user_raw ? g_strdup_printf("%s / %s", cert_raw, user_raw)
				       : g_strdup(*cert_raw ? cert_raw : user_raw);

	found = match(in, rules_is_scientific(raw_nik) ? raw_nik : nik, email, &id, &why);
	if (found < 0)
		goto out;
	if (!found) {
		in->c.unmatched++;
		if (unmatched(in, r->row_no, *nik ? nik : raw_nik, email, name, shown, why))
			goto out;
		rc = TABLE_OK;
		goto out;
	}
	if (!state || (*user_raw && !user)) {
		if (!*cert_raw && !*user_raw)
			reason = g_strdup("status kosong");
		else if (*cert_raw && !cert)
			reason = g_strdup_printf("status sertifikat \"%s\" tidak dikenal", cert_raw);
		else
			reason = g_strdup_printf("status pengguna \"%s\" tidak dikenal%s", user_raw,
						 state ? " (status sertifikat tetap diterapkan)" : "");
		in->c.unknown++;
		if (unmatched(in, r->row_no, *nik ? nik : raw_nik, email, name, shown, reason))
			goto out;
		if (!state) {
			rc = TABLE_OK;
			goto out;
		}
	}
	in->c.matched++;
	if (*nb_raw)
		parse_day(nb_raw, nb);
	if (*na_raw)
		parse_day(na_raw, na);
	{
		sqlite3_stmt *st = store_stmt(in->ctx->db,
			"INSERT INTO temp.stage(applicant_id, row_no, state, user_status, serial,"
			" not_before, not_after, rank) VALUES(?,?,?,?,?,?,?,?)");

		if (!st)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, r->row_no);
		store_bind_text(st, 3, state);
		store_bind_text(st, 4, user ? user->state : NULL);
		store_bind_text(st, 5, *serial ? serial : NULL);
		store_bind_text(st, 6, *nb ? nb : NULL);
		store_bind_text(st, 7, *na ? na : NULL);
		sqlite3_bind_int(st, 8, state_rank(state));
		if (store_step_done(st))
			goto out;
	}
	rc = TABLE_OK;
out:
	log_rows_progress(&in->t_last, "ingest", in->file, in->c.rows);
	g_free(raw_nik);
	g_free(raw_email);
	g_free(name);
	g_free(cert_raw);
	g_free(user_raw);
	g_free(serial);
	g_free(nb_raw);
	g_free(na_raw);
	g_free(nik);
	g_free(email);
	g_free(shown);
	g_free(reason);
	return rc;
}

/* ---- applying the staged rows ---------------------------------------------------- */

struct staged {
	long long id;
	long row_no;
	char *state, *user, *serial, *nb, *na;
	/* the applicant as stored */
	char *cur_state, *cur_user, *status_time, *cur_serial;
	int rows;		/* rows for this applicant in the export */
};

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? g_strdup((const char *)s) : NULL;
}

static void staged_release(struct staged *s)
{
	g_free(s->state);
	g_free(s->user);
	g_free(s->serial);
	g_free(s->nb);
	g_free(s->na);
	g_free(s->cur_state);
	g_free(s->cur_user);
	g_free(s->status_time);
	g_free(s->cur_serial);
	memset(s, 0, sizeof(*s));
}

/* Apply the winning row of one applicant. */
static int apply(struct ingest *in, const struct staged *s, const char *export_time)
{
	sqlite3_stmt *st;
	GString *note;
	bool state_changed, user_changed, serial_changed;
	const char *to = s->state;
	int rc = -1;

	if (s->status_time && strcmp(export_time, s->status_time) < 0) {
		in->c.stale++;	/* a newer export said otherwise */
		return 0;
	}
	/* The portal not knowing someone tte has not sent yet is no news. */
	if (state_before_bundle(s->cur_state) && !strcmp(to, ST_NOT_REGISTERED)) {
		in->c.waiting++;
		to = s->cur_state;
	}
	state_changed = strcmp(s->cur_state, to) != 0;
	user_changed = s->user && g_strcmp0(s->user, s->cur_user);
	serial_changed = s->serial && s->cur_serial && strcmp(s->serial, s->cur_serial);
	note = g_string_new(NULL);
	g_string_append_printf(note, "baris %ld", s->row_no);
	if (s->rows > 1)
		g_string_append_printf(note, " (dipilih dari %d baris untuk orang yang sama)", s->rows);
	if (s->user)
		g_string_append_printf(note, "; status pengguna %s%s%s", user_changed && s->cur_user
				       ? s->cur_user : "", user_changed && s->cur_user ? " -> " : "",
				       s->user);
	if (serial_changed)
		g_string_append_printf(note, "; sertifikat baru %s", s->serial);
	if (state_changed) {
		if (store_set_state(in->ctx, s->id, s->cur_state, to, in->file, note->str))
			goto out;
		in->c.changed++;
	} else if (user_changed || serial_changed) {
		if (store_history(in->ctx, s->id, s->cur_state, to, in->file, note->str))
			goto out;
		in->c.changed++;
	} else {
		in->c.same++;
	}
	st = store_stmt(in->ctx->db,
		"UPDATE applicants SET bsre_user_status=coalesce(?1, bsre_user_status),"
		" status_time=?2, cert_serial=coalesce(?3, cert_serial),"
		" cert_not_before=coalesce(?4, cert_not_before),"
		" cert_not_after=coalesce(?5, cert_not_after),"
		" issued_day=CASE WHEN ?6=" SQ_ISSUE " AND issued_day IS NULL THEN ?7 ELSE issued_day END"
		" WHERE id=?8");
	if (!st)
		goto out;
	store_bind_text(st, 1, s->user);
	store_bind_text(st, 2, export_time);
	store_bind_text(st, 3, s->serial);
	store_bind_text(st, 4, s->nb);
	store_bind_text(st, 5, s->na);
	store_bind_text(st, 6, to);
	store_bind_text(st, 7, in->ctx->today);
	sqlite3_bind_int64(st, 8, s->id);
	rc = store_step_done(st);
out:
	g_string_free(note, TRUE);
	return rc;
}

static int apply_staged(struct ingest *in, const char *export_time)
{
	sqlite3_stmt *st = store_prepare(in->ctx->db,
		"SELECT s.applicant_id, s.row_no, s.state, s.user_status, s.serial, s.not_before,"
		" s.not_after, a.state, a.bsre_user_status, a.status_time, a.cert_serial"
		" FROM temp.stage s JOIN applicants a ON a.id=s.applicant_id"
		" ORDER BY s.applicant_id, s.rank DESC, s.not_before DESC, s.row_no DESC");
	struct staged cur = { 0 };
	int rc;

	if (!st)
		return -1;
	while ((rc = store_row(st)) > 0) {
		long long id = sqlite3_column_int64(st, 0);

		if (cur.id == id) {
			cur.rows++;
			in->c.dup++;
			continue;
		}
		if (cur.id && apply(in, &cur, export_time))
			goto fail;
		staged_release(&cur);
		cur.id = id;
		cur.rows = 1;
		cur.row_no = (long)sqlite3_column_int64(st, 1);
		cur.state = col_dup(st, 2);
		cur.user = col_dup(st, 3);
		cur.serial = col_dup(st, 4);
		cur.nb = col_dup(st, 5);
		cur.na = col_dup(st, 6);
		cur.cur_state = col_dup(st, 7);
		cur.cur_user = col_dup(st, 8);
		cur.status_time = col_dup(st, 9);
		cur.cur_serial = col_dup(st, 10);
	}
	if (rc < 0)
		goto fail;
	if (cur.id && apply(in, &cur, export_time))
		goto fail;
	staged_release(&cur);
	sqlite3_finalize(st);
	return 0;
fail:
	staged_release(&cur);
	sqlite3_finalize(st);
	return -1;
}

/* ---- how old an export is --------------------------------------------------------- */

static bool utc_string(GDateTime *t, char out[21])
{
	GDateTime *u;
	char *s;

	if (!t)
		return false;
	u = g_date_time_to_utc(t);
	s = g_date_time_format(u, "%Y-%m-%dT%H:%M:%SZ");
	g_strlcpy(out, s, 21);
	g_free(s);
	g_date_time_unref(u);
	return true;
}

/* A date (and time) in a file name: 2026-11-24, 20261124_1030, 24-11-2026.
 * The name is bytes, maybe not UTF-8: matched raw (GRegex passes a UTF-8
 * subject to PCRE2 unchecked). */
static GDateTime *name_time(const char *name, GTimeZone *tz)
{
	static const char *const pats[] = {
		"(?<![0-9])(20[0-9]{2})[-_.]?([01][0-9])[-_.]?([0-3][0-9])"
		"(?:[ _T.-]?([0-2][0-9])[-_.:h]?([0-5][0-9])(?:[-_.:m]?([0-5][0-9]))?)?(?![0-9])",
		"(?<![0-9])([0-3][0-9])[-_.]([01][0-9])[-_.](20[0-9]{2})(?![0-9])",
	};
	GDateTime *t = NULL;

	for (size_t p = 0; p < ARRAY_SIZE(pats) && !t; p++) {
		GRegex *re = g_regex_new(pats[p], G_REGEX_OPTIMIZE | G_REGEX_RAW, 0, NULL);
		GMatchInfo *mi = NULL;

		g_regex_match(re, name, 0, &mi);
		while (g_match_info_matches(mi) && !t) {
			int v[6] = { 0, 0, 0, 0, 0, 0 };

			for (int i = 0; i < 6; i++) {
				char *g = g_match_info_fetch(mi, i + 1);

				v[i] = g && *g ? (int)g_ascii_strtoll(g, NULL, 10) : 0;
				g_free(g);
			}
			if (p == 1) {	/* day first */
				int d = v[0];

				v[0] = v[2];
				v[2] = d;
			}
			if (g_date_valid_dmy((GDateDay)v[2], (GDateMonth)v[1], (GDateYear)v[0]) &&
			    v[3] < 24)
				t = g_date_time_new(tz, v[0], v[1], v[2], v[3], v[4], v[5]);
			g_match_info_next(mi, NULL);
		}
		g_match_info_free(mi);
		g_regex_unref(re);
	}
	return t;
}

/*
 * The export time of a file, UTC, into OUT; HOW names the source for the
 * log. A time later than now (or than the end of --date) is not believed.
 */
static const char *export_time(struct ingest *in, const struct inbox_item *it, char out[21])
{
	GDateTime *limit, *t;
	GDateTime *end_of_today = NULL;
	GDate today;
	const char *how = NULL;

	if (!date_parse_iso(in->ctx->today, &today))
		end_of_today = g_date_time_new(in->tz, g_date_get_year(&today),
					       g_date_get_month(&today), g_date_get_day(&today),
					       23, 59, 59);
	limit = g_date_time_new_from_unix_utc(in->ctx->now);
	if (end_of_today && g_date_time_compare(end_of_today, limit) > 0) {
		g_date_time_unref(limit);
		limit = g_date_time_ref(end_of_today);
	}
	t = name_time(it->name, in->tz);
	if (t && g_date_time_compare(t, limit) <= 0)
		how = "file name";
	if (!how && t) {
		g_date_time_unref(t);
		t = NULL;
	}
	if (!how && in->created) {
		/* A creation time a month before the file itself was written is
		 * a template's, not the export's. */
		t = g_date_time_new_from_iso8601(in->created, in->tz);
		if (t && g_date_time_compare(t, limit) <= 0 &&
		    g_date_time_to_unix(t) > (gint64)it->st.st_mtime - 31 * 86400) {
			how = "XLSX creation time";
		} else if (t) {
			g_date_time_unref(t);
			t = NULL;
		}
	}
	if (!how) {
		t = g_date_time_new_from_unix_utc((gint64)it->st.st_mtime);
		how = "file mtime";
	}
	utc_string(t, out);
	g_date_time_unref(t);
	g_date_time_unref(limit);
	if (end_of_today)
		g_date_time_unref(end_of_today);
	return how;
}

/* ---- the files ----------------------------------------------------------------------- */

static bool has_suffix_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !g_ascii_strcasecmp(s + n - m, suffix);
}

/* A zip (XLSX) or an old Excel file, by its first bytes: the XLSX reader
 * reads the one and describes the other. */
static bool is_workbook(int fd)
{
	unsigned char h[8];
	ssize_t n = pread(fd, h, sizeof(h), 0);
	enum table_sniff kind = table_sniff(h, n > 0 ? (size_t)n : 0);

	return kind == TABLE_SNIFF_ZIP || kind == TABLE_SNIFF_OLE2;
}

/* The inbox skeleton's read callback (inbox.h): one export, in its
 * transaction. */
static int read_file(void *arg, const struct inbox_file *f, char **why)
{
	struct ingest *in = arg;
	struct inbox_item *it = f->item;
	sqlite3 *db = in->ctx->db;
	char when[21] = "";
	const char *how;
	bool xlsx;
	int rc;
	sqlite3_stmt *st;

	in->t0 = g_get_monotonic_time();
	memset(&in->c, 0, sizeof(in->c));
	g_free(in->created);
	in->created = NULL;
	in->file = it->name;
	in->input_id = f->input_id;
	if (store_exec(db, "DELETE FROM temp.stage"))
		return INBOX_READ_FAIL;

	xlsx = is_workbook(it->fd);
	if (xlsx != has_suffix_ci(it->name, ".xlsx"))
		log_info("status/%s: read as %s by its content", it->name, xlsx ? "XLSX" : "CSV");
	rc = xlsx ? table_read_xlsx(it->fd, status_cols, C_COUNT, on_header, on_row, in, why)
		  : table_read_csv(it->fd, status_cols, C_COUNT, on_header, on_row, in, why);
	log_tty("\r");
	if (rc == TABLE_BAD)
		return INBOX_READ_BAD;
	if (rc)
		return INBOX_READ_FAIL;
	how = export_time(in, it, when);
	log_info("status/%s: export time %s (from the %s); read in %.3f s", it->name, when, how,
		 (double)(g_get_monotonic_time() - in->t0) / 1e6);
	if (apply_staged(in, when))
		return INBOX_READ_FAIL;
	st = store_stmt(db, "INSERT OR IGNORE INTO input_applicants(input_id, applicant_id)"
			" SELECT DISTINCT ?, applicant_id FROM temp.stage");
	if (!st)
		return INBOX_READ_FAIL;
	sqlite3_bind_int64(st, 1, in->input_id);
	if (store_step_done(st))
		return INBOX_READ_FAIL;
	st = store_stmt(db, "UPDATE inputs SET rows=?, new_rows=?, rejected_rows=?, export_time=?"
			" WHERE id=?");
	if (!st)
		return INBOX_READ_FAIL;
	sqlite3_bind_int64(st, 1, in->c.rows);
	sqlite3_bind_int64(st, 2, in->c.changed);
	sqlite3_bind_int64(st, 3, in->c.unmatched + in->c.unknown);
	store_bind_text(st, 4, when);
	sqlite3_bind_int64(st, 5, in->input_id);
	if (store_step_done(st) || store_exec(db, "DELETE FROM temp.stage"))
		return INBOX_READ_FAIL;
	return INBOX_READ_OK;
}

/* After the commit: the file's summary and the night's totals. */
static void file_done(void *arg, const struct inbox_file *f)
{
	struct ingest *in = arg;
	const char *name = f->item->name;

	log_info("status/%s: %ld rows, %ld matched, %ld changed, %ld unchanged, %ld older than"
		 " what is known, %ld duplicate, %ld not yet sent, %ld unmatched, %ld unknown"
		 " status; %.3f s", name, in->c.rows, in->c.matched, in->c.changed, in->c.same,
		 in->c.stale, in->c.dup, in->c.waiting, in->c.unmatched, in->c.unknown,
		 (double)(g_get_monotonic_time() - in->t0) / 1e6);
	log_tty("  %s: %ld baris, %ld pemohon berubah status, %ld tidak cocok, %ld status tidak "
		"dikenal%s\n", name, in->c.rows, in->c.changed, in->c.unmatched, in->c.unknown,
		in->c.stale ? " (sebagian lebih lama dari ekspor yang sudah diproses)" : "");
	in->total.rows += in->c.rows;
	in->total.changed += in->c.changed;
	in->total.unmatched += in->c.unmatched;
	in->total.unknown += in->c.unknown;
}

static int ingest_run(struct tte_ctx *ctx, int argc, char **argv)
{
	static const char *const exts[] = { ".csv", ".xlsx", NULL };
	struct ingest in = { .ctx = ctx };
	const struct inbox_stage stage = { .kind = "status", .exts = exts, .read = read_file,
					   .done = file_done, .arg = &in };
	struct inbox_counts n = { 0 };
	GPtrArray *items = NULL;
	int waiting, rc = TTE_EXIT_FAIL;

	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "tte ingest: tidak menerima argumen\n");
		return TTE_EXIT_USAGE;
	}
	in.tz = g_time_zone_new_identifier(ctx->cfg->timezone);
	if (!in.tz) {
		fprintf(stderr, "tte: zona waktu [tte] timezone \"%s\" tidak dikenal\n",
			ctx->cfg->timezone);
		return TTE_EXIT_USAGE;
	}
	table_xlsx_set_max_inflated(ctx->cfg->max_xlsx_inflated_bytes);
	/* Rows wait here while a file streams; only ids and statuses, no NIK. */
	if (store_exec(ctx->db, "CREATE TEMP TABLE IF NOT EXISTS stage(applicant_id INTEGER,"
		       " row_no INTEGER, state TEXT, user_status TEXT, serial TEXT, not_before TEXT,"
		       " not_after TEXT, rank INTEGER)"))
		goto out;
	items = inbox_scan(ctx, &stage, &waiting);
	if (!items)
		goto out;
	if (inbox_process(ctx, &stage, items, &n))
		goto out;
	log_info("ingest: %ld file(s), %ld rows, %ld applicants changed, %ld unmatched, %ld unknown"
		 " status; %d waiting", n.files, in.total.rows, in.total.changed, in.total.unmatched,
		 in.total.unknown, waiting);
	if (waiting)
		log_tty("  %d berkas masih disalin (baru berubah); diproses pada run berikutnya\n",
			waiting);
	rc = TTE_EXIT_OK;
out:
	if (items)
		g_ptr_array_free(items, TRUE);
	g_free(in.created);
	g_time_zone_unref(in.tz);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct stage_desc d = { .name = "ingest", .run = ingest_run };

	return stage_main(&d, argc, argv);
}
