/*
 * intake - Google Form exports from inbox/forms/ into the store.
 *
 * Input: *.csv in inbox/forms/ (Forms "Download responses" or the linked
 * Sheet, English or Indonesian locale; cumulative exports are normal).
 * Output: submissions (every distinct row, with its verdict and problems),
 * applicants (one per NIK, holding the latest submission's data and state),
 * history rows; the file moves to var/processed/forms/ once committed.
 *
 * One transaction per input file: a crash leaves a file either wholly
 * applied (and, if it is still in the inbox, recognised by its SHA-256 and
 * only moved) or not applied at all. An unreadable file is quarantined and
 * the stage goes on with the others. Before the files, waivers recorded by
 * `tte accept` since the last run are applied (own transaction).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <glib.h>
#include <openssl/evp.h>
#include <xxhash.h>

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
#include "testhook.h"
#include "tte.h"

/* Header spellings, normalised (see table.h), in order of preference. */
static const char *const a_timestamp[] = { "timestamp", "stempel waktu", "cap waktu",
	"tanda waktu", "waktu", NULL };
static const char *const a_form_email[] = { "email address", "alamat email", "username",
	"nama pengguna", NULL };
static const char *const a_nik[] = { "nik", "no ktp", "nomor ktp", "nomor induk kependudukan",
	"nik ktp", "no nik", "nomor nik", NULL };
static const char *const a_nip[] = { "nip", "nomor induk pegawai", "nip nipppk", "nip nippk",
	"no nip", "nomor nip", NULL };
static const char *const a_name[] = { "nama tanpa gelar", "nama lengkap tanpa gelar", "nama",
	"nama lengkap", "nama pegawai", "nama pemohon", NULL };
static const char *const a_email[] = { "email undiksha", "alamat email undiksha", "email",
	"e mail", "surel", "email pegawai", "email institusi", "email dinas", NULL };
static const char *const a_golongan[] = { "golongan", "pangkat golongan", "golongan ruang",
	"pangkat golongan ruang", "golongan pangkat", "gol", "pangkat", NULL };
static const char *const a_jabatan[] = { "jabatan", "jabatan fungsional", "jabatan struktural",
	NULL };
static const char *const a_ktp[] = { "foto ktp", "unggah foto ktp", "upload foto ktp",
	"scan ktp", "file ktp", "ktp", NULL };
static const char *const a_unit[] = { "unit kerja", "unit", "satuan kerja", "fakultas unit kerja",
	NULL };
static const char *const a_phone[] = { "no telepon", "nomor telepon", "no telp", "no hp",
	"nomor hp", "no hp wa", "nomor hp wa", "no wa", "nomor wa", "nomor whatsapp",
	"no whatsapp", "whatsapp", "telepon", NULL };

/* Indexed by enum field. */
static const struct table_col form_cols[F_COUNT] = {
	[F_TIMESTAMP] = { a_timestamp, false, "Timestamp" },
	[F_FORM_EMAIL] = { a_form_email, false, "Email Address" },
	[F_NIK] = { a_nik, true, "NIK" },
	[F_NIP] = { a_nip, true, "NIP" },
	[F_NAME] = { a_name, true, "Nama (Tanpa Gelar)" },
	[F_EMAIL] = { a_email, false, "Email Undiksha" },
	[F_GOLONGAN] = { a_golongan, true, "Golongan" },
	[F_JABATAN] = { a_jabatan, true, "Jabatan" },
	[F_KTP] = { a_ktp, true, "Foto KTP" },
	[F_UNIT] = { a_unit, true, "Unit Kerja" },
	[F_PHONE] = { a_phone, false, "No. Telepon" },
};

struct counts {
	long rows, fresh, dup, valid, rejected, late, applicants_new, applicants_changed, purged;
};

struct intake {
	struct tte_ctx *ctx;
	GTimeZone *tz;
	GDate today;
	problem_list *pl;

	/* per file */
	const char *file;		/* name as dropped */
	long long next_applicant;	/* ids handed out in this run (we hold the lock) */
	long long next_submission;
	unsigned char *bloom;		/* keys of live orphans; see orphan_key() */
	EVP_MD_CTX *md;			/* reused for the row hashes */
	EVP_MD *sha256;			/* fetched once, not per row */
	GString *buf;
	long long input_id;
	char *cols[F_COUNT];		/* header texts as written */
	bool day_first;
	bool email_from_form;		/* no Email Undiksha column: use Email Address */
	XXH64_hash_t raw_seed;		/* secret: from the NIK key */
	unsigned char *known;		/* raw keys of stored submissions: a table of
					 * 2^known_bits slots of 16 bytes, 0 = empty */
	int known_bits;
	bool known_in_db;		/* too many to hold: ask the index per row */
	struct counts c;
	struct counts total;		/* of the committed files */
	gint64 t0;			/* when the file's reading began */
	gint64 t_last;
};

/* ---- the rows ------------------------------------------------------------ */

/* What a row says, normalised where valid, cleaned where not. */
struct row {
	char ts[21];
	char *nik, *nip, *name, *email, *form_email, *golongan, *jabatan, *ktp, *unit, *phone;
	char *note;
	bool nik_ok;
	char nik_hmac[STORE_HMAC_HEX];
	unsigned char key[16];
	unsigned char raw_key[16];	/* of the cells as read; see raw_key() */
	char data_hash[2 * 16 + 1];	/* 128 bits of SHA-256, hex */
};

static void row_release(struct row *r)
{
	g_free(r->nik);
	g_free(r->nip);
	g_free(r->name);
	g_free(r->email);
	g_free(r->form_email);
	g_free(r->golongan);
	g_free(r->jabatan);
	g_free(r->ktp);
	g_free(r->unit);
	g_free(r->phone);
	g_free(r->note);
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* Hash of fields joined with a separator no field contains (0x1F), in one
 * update: per-field updates cost more than the hashing itself. */
static void fields_hash(struct intake *in, const char *const *f, size_t n, unsigned char *out,
			size_t outlen)
{
	unsigned char dig[32];

	g_string_truncate(in->buf, 0);
	for (size_t i = 0; i < n; i++) {
		g_string_append(in->buf, nz(f[i]));
		g_string_append_c(in->buf, '\x1f');
	}
	EVP_DigestInit_ex(in->md, in->sha256, NULL);
	EVP_DigestUpdate(in->md, in->buf->str, in->buf->len);
	EVP_DigestFinal_ex(in->md, dig, NULL);
	memcpy(out, dig, outlen);
}


/* Validate one row into R; problems into in->pl. */
static void check_row(struct intake *in, const struct table_row *t, struct row *r)
{
	const char *const *v = t->val;
	struct nik_info nik;
	struct nip_info nip;
	bool nip_ok;
	char *tmp = NULL;
	const char *email_raw = in->email_from_form ? v[F_FORM_EMAIL] : v[F_EMAIL];

	memset(r, 0, sizeof(*r));
	problems_clear(in->pl);

	if (!in->cols[F_TIMESTAMP]) {
		g_strlcpy(r->ts, "", sizeof(r->ts));
	} else if (date_parse_form_ts(v[F_TIMESTAMP], in->day_first, in->tz, r->ts)) {
		problems_add(in->pl, F_TIMESTAMP, "TIMESTAMP", false,
			     "Stempel waktu \"%s\" tidak dikenali", v[F_TIMESTAMP]);
		g_strlcpy(r->ts, "", sizeof(r->ts));
	}

	nip_ok = rules_nip(v[F_NIP], &in->today, &nip, in->pl);
	r->nip = nip_ok ? g_strdup(nip.digits) : rules_clean_number(v[F_NIP]);
	r->nik_ok = rules_nik(v[F_NIK], nip_ok ? (int)g_date_get_year(&nip.birth) : 0, &in->today,
			      &nik, in->pl);
	r->nik = r->nik_ok ? g_strdup(nik.digits) : rules_clean_number(v[F_NIK]);
	if (r->nik_ok && nip_ok)
		rules_nik_nip_agree(&nik, &nip, in->pl);

	if (!rules_email(email_raw, in->ctx->cfg->email_domain, &r->email, in->pl))
		r->email = g_strstrip(g_ascii_strdown(nz(email_raw), -1));
	if (in->cols[F_FORM_EMAIL])
		r->form_email = g_strstrip(g_ascii_strdown(v[F_FORM_EMAIL], -1));
	if (!rules_golongan(v[F_GOLONGAN], nip_ok ? (int)nip.kind : 0, &r->golongan, &r->note,
			    in->pl))
		r->golongan = g_strstrip(g_strdup(v[F_GOLONGAN]));
	if (!rules_name(v[F_NAME], &r->name, in->pl) && !r->name)
		r->name = g_strdup("");
	if (!rules_required(v[F_JABATAN], F_JABATAN, &r->jabatan, in->pl) && !r->jabatan)
		r->jabatan = g_strdup("");
	if (!rules_required(v[F_UNIT], F_UNIT, &r->unit, in->pl) && !r->unit)
		r->unit = g_strdup("");
	if (!rules_required(v[F_KTP], F_KTP, &r->ktp, in->pl))
		r->ktp = g_strdup("");
	if (in->cols[F_PHONE]) {
		tmp = g_strstrip(g_strdup(v[F_PHONE]));
		r->phone = *tmp ? tmp : NULL;
		if (!r->phone)
			g_free(tmp);
	}
	for (int f = 0; f < F_COUNT; f++)
		if (t->bad_utf8[f] && in->cols[f])
			problems_add(in->pl, (enum field)f, "UTF8", false,
				     "Isian berisi karakter yang tidak terbaca (bukan UTF-8); "
				     "simpan ulang berkas sebagai CSV UTF-8");

	if (r->nik_ok)
		store_nik_hmac(r->nik, r->nik_hmac);
	{
		/* Identity of the row across cumulative exports: its timestamp
		 * and everything it says. */
		const char *ts = *r->ts ? r->ts : nz(v[F_TIMESTAMP]);
		const char *k[] = { ts, r->nik, r->nip, r->name, r->email, r->form_email,
				    r->golongan, r->jabatan, r->ktp, r->unit, r->phone };
		const char *d[] = { r->nik, r->nip, r->name, r->email, r->golongan, r->jabatan,
				    r->unit, r->phone };
		unsigned char dh[16];

		fields_hash(in, k, ARRAY_SIZE(k), r->key, sizeof(r->key));
		fields_hash(in, d, ARRAY_SIZE(d), dh, sizeof(dh));
		fs_hex(dh, sizeof(dh), r->data_hash);
	}
}

/* The column header(s) a problem names. */
static char *problem_columns(struct intake *in, const struct problem *p)
{
	enum field f = p->field;
	const char *a;

	if (f >= F_COUNT)
		return g_strdup("-");
	if (f == F_EMAIL && in->email_from_form)
		f = F_FORM_EMAIL;
	a = in->cols[f] ? in->cols[f] : form_cols[f].label;
	if (p->field2 < F_COUNT)
		return g_strdup_printf("%s, %s", a, in->cols[p->field2] ? in->cols[p->field2]
						    : form_cols[p->field2].label);
	return g_strdup(a);
}

static int insert_problems(struct intake *in, long long sub_id)
{
	sqlite3_stmt *st = store_stmt(in->ctx->db, "INSERT INTO problems(submission_id, field,"
				      " col, code, reason, waivable) VALUES(?,?,?,?,?,?)");

	if (!st)
		return -1;
	for (guint i = 0; i < in->pl->len; i++) {
		struct problem *p = &g_array_index(in->pl, struct problem, i);
		char *col = problem_columns(in, p);

		sqlite3_bind_int64(st, 1, sub_id);
		store_bind_text(st, 2, field_id(p->field));
		store_bind_text(st, 3, col);
		store_bind_text(st, 4, p->code);
		store_bind_text(st, 5, p->reason);
		sqlite3_bind_int(st, 6, p->waivable);
		g_free(col);
		if (store_step_done(st))
			return -1;
	}
	return 0;
}

static bool all_waivable(problem_list *pl)
{
	for (guint i = 0; i < pl->len; i++)
		if (!g_array_index(pl, struct problem, i).waivable)
			return false;
	return true;
}

/* A short summary of the problems for the history. */
static char *problems_summary(problem_list *pl)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < pl->len; i++)
		g_string_append_printf(s, "%s%s", i ? "; " : "",
				       g_array_index(pl, struct problem, i).reason);
	return g_string_free(s, FALSE);
}

/* A row stored before its raw key was (schema 4) gets it the first time
 * an export repeats it, so the next export skips it early. */
static int remember_raw_key(struct intake *in, const struct row *r)
{
	sqlite3_stmt *st = store_stmt(in->ctx->db, "UPDATE submissions SET raw_key=?"
				      " WHERE row_key=? AND raw_key IS NULL");

	if (!st)
		return -1;
	sqlite3_bind_blob(st, 1, r->raw_key, sizeof(r->raw_key), SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, r->key, sizeof(r->key), SQLITE_STATIC);
	return store_step_done(st);
}

/* Insert the row as submission *ID (taken from the run's counter). 0 new,
 * 1 when the same row is already stored (a re-drop or cumulative export),
 * -1 on error. */
static int insert_submission(struct intake *in, const struct row *r, long row_no,
			     long long applicant_id, const char *verdict, int superseded,
			     long long *id)
{
	sqlite3_stmt *st = store_stmt(in->ctx->db,
		"INSERT INTO submissions(id, input_id, row_no, row_key, submitted_at, applicant_id,"
		" nik, nip, name, email, form_email, golongan, jabatan, unit, phone, ktp,"
		" verdict, superseded, note, raw_key)"
		" VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
		" ON CONFLICT(row_key) DO NOTHING");

	if (!st)
		return -1;
	*id = in->next_submission;
	sqlite3_bind_int64(st, 1, *id);
	sqlite3_bind_int64(st, 2, in->input_id);
	sqlite3_bind_int64(st, 3, row_no);
	sqlite3_bind_blob(st, 4, r->key, sizeof(r->key), SQLITE_STATIC);
	store_bind_static(st, 5, r->ts);
	if (applicant_id)
		sqlite3_bind_int64(st, 6, applicant_id);
	else
		sqlite3_bind_null(st, 6);
	store_bind_static(st, 7, r->nik);
	store_bind_static(st, 8, r->nip);
	store_bind_static(st, 9, r->name);
	store_bind_static(st, 10, r->email);
	store_bind_static(st, 11, r->form_email);
	store_bind_static(st, 12, r->golongan);
	store_bind_static(st, 13, r->jabatan);
	store_bind_static(st, 14, r->unit);
	store_bind_static(st, 15, r->phone);
	store_bind_static(st, 16, r->ktp);
	store_bind_static(st, 17, verdict);
	sqlite3_bind_int(st, 18, superseded);
	store_bind_static(st, 19, r->note);
	sqlite3_bind_blob(st, 20, r->raw_key, sizeof(r->raw_key), SQLITE_STATIC);
	if (store_step_done(st))
		return -1;
	if (!sqlite3_changes(in->ctx->db))
		return remember_raw_key(in, r) ? -1 : 1;
	in->next_submission++;
	return 0;
}

/*
 * Rows without a usable NIK ("orphans") belong to nobody; a later row by
 * the same person (same e-mail, Google account or NIP) supersedes them.
 * Each key has its own partial index over orphans only; INDEXED BY keeps
 * the planner on it. Most rows have no orphan to supersede, so a Bloom
 * filter of fixed size over the keys of live orphans answers "surely not"
 * without touching the database; a "maybe" is checked in SQL, so the
 * result is exact and memory does not grow with the row count.
 */
#define BLOOM_BITS (1u << 24)	/* 2 MiB */

static const char *const orphan_update[3] = {
	"UPDATE submissions INDEXED BY submissions_orphan_email SET superseded=1"
	" WHERE applicant_id IS NULL AND email=?1 AND superseded=0 AND submitted_at<=?2",
	"UPDATE submissions INDEXED BY submissions_orphan_form_email SET superseded=1"
	" WHERE applicant_id IS NULL AND form_email=?1 AND superseded=0 AND submitted_at<=?2",
	"UPDATE submissions INDEXED BY submissions_orphan_nip SET superseded=1"
	" WHERE applicant_id IS NULL AND nip=?1 AND superseded=0 AND submitted_at<=?2",
};
static const char *const orphan_newer[3] = {
	"SELECT 1 FROM submissions INDEXED BY submissions_orphan_email"
	" WHERE applicant_id IS NULL AND email=?1 AND submitted_at>?2",
	"SELECT 1 FROM submissions INDEXED BY submissions_orphan_form_email"
	" WHERE applicant_id IS NULL AND form_email=?1 AND submitted_at>?2",
	"SELECT 1 FROM submissions INDEXED BY submissions_orphan_nip"
	" WHERE applicant_id IS NULL AND nip=?1 AND submitted_at>?2",
};

static const char *key_value(const char *v)
{
	return v && *v ? v : NULL;
}

static const char *orphan_key(const struct row *r, int k)
{
	return key_value(k == 0 ? r->email : k == 1 ? r->form_email : r->nip);
}

/* Four probes from one 64-bit hash of the key's text, seeded by its kind. */
static guint64 bloom_hash(int kind, const char *v)
{
	return XXH3_64bits_withSeed(v, strlen(v), (XXH64_hash_t)kind);
}

static void bloom_add(unsigned char *bloom, int kind, const char *v)
{
	guint64 h = bloom_hash(kind, v);

	for (int i = 0; i < 4; i++) {
		guint32 bit = (guint32)(h >> (16 * i)) * 2654435761u % BLOOM_BITS;

		bloom[bit / 8] |= (unsigned char)(1u << (bit % 8));
	}
}

static bool bloom_maybe(const unsigned char *bloom, int kind, const char *v)
{
	guint64 h = bloom_hash(kind, v);

	for (int i = 0; i < 4; i++) {
		guint32 bit = (guint32)(h >> (16 * i)) * 2654435761u % BLOOM_BITS;

		if (!(bloom[bit / 8] & (1u << (bit % 8))))
			return false;
	}
	return true;
}

/* The orphans' keys, each read from its partial index alone (a scan of
 * the submissions table would read every row ever stored). */
static int bloom_load(struct intake *in)
{
	static const char *const sql[3] = {
		"SELECT email FROM submissions INDEXED BY submissions_orphan_email"
		" WHERE applicant_id IS NULL",
		"SELECT form_email FROM submissions INDEXED BY submissions_orphan_form_email"
		" WHERE applicant_id IS NULL",
		"SELECT nip FROM submissions INDEXED BY submissions_orphan_nip"
		" WHERE applicant_id IS NULL",
	};
	int rc = 0;

	in->bloom = g_malloc0(BLOOM_BITS / 8);
	for (int k = 0; k < 3 && rc >= 0; k++) {
		sqlite3_stmt *st = store_prepare(in->ctx->db, sql[k]);

		if (!st)
			return -1;
		while ((rc = store_row(st)) > 0) {
			const char *v = key_value((const char *)sqlite3_column_text(st, 0));

			if (v)
				bloom_add(in->bloom, k, v);
		}
		sqlite3_finalize(st);
	}
	return rc < 0 ? -1 : 0;
}

/* Older orphans of the same person are superseded by this row. */
static int supersede_orphans(struct intake *in, const struct row *r)
{
	for (int k = 0; k < 3; k++) {
		const char *v = orphan_key(r, k);
		sqlite3_stmt *st;

		if (!v || !bloom_maybe(in->bloom, k, v))
			continue;
		st = store_stmt(in->ctx->db, orphan_update[k]);
		if (!st)
			return -1;
		store_bind_text(st, 1, v);
		store_bind_text(st, 2, r->ts);
		if (store_step_done(st))
			return -1;
	}
	return 0;
}

/* Is there a newer orphan row of the same person than this one? (Newer
 * applicants' rows are looked for once the file is read: stale_orphans().) */
static int orphan_is_stale(struct intake *in, const struct row *r, bool *stale)
{
	*stale = false;
	for (int k = 0; k < 3 && !*stale; k++) {
		const char *v = orphan_key(r, k);
		sqlite3_stmt *st;
		int rc;

		if (!v || !bloom_maybe(in->bloom, k, v))
			continue;
		st = store_stmt(in->ctx->db, orphan_newer[k]);
		if (!st)
			return -1;
		store_bind_text(st, 1, v);
		store_bind_text(st, 2, r->ts);
		rc = store_row(st);
		if (rc < 0)
			return -1;
		*stale = rc > 0;
		sqlite3_reset(st);
	}
	return 0;
}

/*
 * The file's new orphans that an applicant's newer data (same e-mail or
 * NIP, the applicant's latest submission newer than the orphan) replaces
 * are superseded, in one statement once the whole file is read: the
 * applicants as the file leaves them, whatever the order of its rows.
 * Asking per row would need applicants' e-mail and NIP indexes during the
 * read, which a large first load defers (defer_indexes()).
 */
static int stale_orphans(struct intake *in, long long first_id)
{
	sqlite3_stmt *st = store_stmt(in->ctx->db,
		"UPDATE submissions SET superseded=1 WHERE id IN (SELECT s.id FROM submissions s"
		" WHERE s.id>=?1 AND s.applicant_id IS NULL AND s.superseded=0 AND EXISTS("
		"  SELECT 1 FROM applicants a WHERE ((s.email<>'' AND a.email=s.email)"
		"   OR (s.nip<>'' AND a.nip=s.nip)) AND a.submitted_at>s.submitted_at))");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, first_id);
	return store_step_done(st);
}

static void remember_orphan(struct intake *in, const struct row *r)
{
	for (int k = 0; k < 3; k++)
		if (orphan_key(r, k))
			bloom_add(in->bloom, k, orphan_key(r, k));
}

struct applicant {
	long long id;
	char *state, *submitted_at, *data_hash, *bundle, *waiver, *waiver_by;
	long long submission_id;
	bool purged;		/* form data destroyed after ISSUE */
};

static void applicant_release(struct applicant *a)
{
	g_free(a->state);
	g_free(a->submitted_at);
	g_free(a->data_hash);
	g_free(a->bundle);
	g_free(a->waiver);
	g_free(a->waiver_by);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? g_strdup((const char *)s) : NULL;
}

/* 1 found, 0 not, -1 error. */
static int find_applicant(struct intake *in, const char *hmac, struct applicant *a)
{
	sqlite3_stmt *st = store_stmt(in->ctx->db,
		"SELECT id, state, submitted_at, data_hash, bundle, waiver, waiver_by, submission_id,"
		" purged_day IS NOT NULL FROM applicants WHERE nik_hmac=?");
	int rc;

	if (!st)
		return -1;
	store_bind_static(st, 1, hmac);
	rc = store_row(st);
	if (rc <= 0) {
		sqlite3_reset(st);
		return rc;
	}
	a->id = sqlite3_column_int64(st, 0);
	a->state = col_dup(st, 1);
	a->submitted_at = col_dup(st, 2);
	a->data_hash = col_dup(st, 3);
	a->bundle = col_dup(st, 4);
	a->waiver = col_dup(st, 5);
	a->waiver_by = col_dup(st, 6);
	a->submission_id = sqlite3_column_int64(st, 7);
	a->purged = sqlite3_column_int(st, 8);
	sqlite3_reset(st);
	return 1;
}

static int write_applicant(struct intake *in, const struct row *r, long long id,
			   long long sub_id, const char *state)
{
	sqlite3_stmt *st;

	/* STATE set: a new applicant ID; NULL: update applicant ID. */
	if (state) {
		st = store_stmt(in->ctx->db,
			"INSERT INTO applicants(id, nik_hmac, nik, nip, name, email, golongan, jabatan,"
			" unit, phone, ktp, data_hash, submission_id, submitted_at, first_day, state,"
			" state_day, state_at) VALUES(?17,?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,"
			" ?14,?15,?14,?16)");
	} else {
		st = store_stmt(in->ctx->db,
			"UPDATE applicants SET nik=?2, nip=?3, name=?4, email=?5, golongan=?6,"
			" jabatan=?7, unit=?8, phone=?9, ktp=?10, data_hash=?11, submission_id=?12,"
			" submitted_at=?13 WHERE id=?17");
	}
	if (!st)
		return -1;
	store_bind_static(st, 1, r->nik_hmac);
	store_bind_static(st, 2, r->nik);
	store_bind_static(st, 3, r->nip);
	store_bind_static(st, 4, r->name);
	store_bind_static(st, 5, r->email);
	store_bind_static(st, 6, r->golongan);
	store_bind_static(st, 7, r->jabatan);
	store_bind_static(st, 8, r->unit);
	store_bind_static(st, 9, r->phone);
	store_bind_static(st, 10, r->ktp);
	store_bind_static(st, 11, r->data_hash);
	sqlite3_bind_int64(st, 12, sub_id);
	store_bind_static(st, 13, r->ts);
	if (!state) {
		sqlite3_bind_int64(st, 17, id);
	} else {
		store_bind_static(st, 14, in->ctx->today);
		store_bind_static(st, 15, state);
		store_bind_static(st, 16, store_now());
		sqlite3_bind_int64(st, 17, id);
	}
	return store_step_done(st);
}

static int mark_superseded(struct intake *in, long long sub_id)
{
	sqlite3_stmt *st = store_stmt(in->ctx->db, "UPDATE submissions SET superseded=1 WHERE id=?");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, sub_id);
	return store_step_done(st);
}

/*
 * Apply one checked row. The submission insert doubles as the duplicate
 * check (ON CONFLICT(row_key) DO NOTHING): a row seen before, in this file
 * or an earlier cumulative export, changes nothing.
 */
static int apply_row(struct intake *in, struct row *r, long row_no)
{
	struct applicant a = { 0 };
	bool valid;
	long long sub_id;
	int found, dup, rc = -1;
	char *note = NULL;

	if (!r->nik_ok) {
		bool stale = false;

		if (orphan_is_stale(in, r, &stale))
			return -1;
		dup = insert_submission(in, r, row_no, 0, ST_REJECTED, stale, &sub_id);
		if (dup)
			goto counted;
		if (insert_problems(in, sub_id) || supersede_orphans(in, r))
			return -1;
		remember_orphan(in, r);
		in->c.rejected++;
		in->c.fresh++;
		return 0;
	}

	found = find_applicant(in, r->nik_hmac, &a);
	if (found < 0)
		return -1;
	if (found && a.purged) {
		/* A cumulative export still carries the rows of people whose
		 * data the purge destroyed: storing them again would undo it. */
		in->c.purged++;
		applicant_release(&a);
		return 0;
	}
	valid = in->pl->len == 0 || (found && a.waiver && all_waivable(in->pl));
	if (!valid)
		note = problems_summary(in->pl);
	else if (in->pl->len)
		note = g_strdup_printf("pengecualian oleh %s: %s", a.waiver_by, a.waiver);

	if (!found) {
		const char *state = valid ? ST_VALID : ST_REJECTED;

		/* A NIK never seen cannot be a duplicate row: the row key
		 * covers the NIK. The applicant goes first (foreign key). */
		a.id = in->next_applicant;
		if (write_applicant(in, r, a.id, in->next_submission, state))
			goto out;
		dup = insert_submission(in, r, row_no, a.id, state, 0, &sub_id);
		if (dup)
			goto counted;
		if (insert_problems(in, sub_id) ||
		    store_history(in->ctx, a.id, NULL, state, in->file, note))
			goto out;
		in->next_applicant++;
		in->c.applicants_new++;
	} else if (strcmp(r->ts, a.submitted_at) < 0) {
		/* Older than what we hold (an earlier row of a cumulative
		 * export, read late): kept for the record, replaced already. */
		dup = insert_submission(in, r, row_no, a.id, valid ? ST_VALID : ST_REJECTED, 1,
				       &sub_id);
		if (dup)
			goto counted;
		if (insert_problems(in, sub_id))
			goto out;
	} else if (!state_before_bundle(a.state)) {
		/* Already sent to BSrE: a resubmission cannot change it. */
		bool same = valid && !g_strcmp0(r->data_hash, a.data_hash);

		if (!same)
			problems_add(in->pl, F_COUNT, "LATE", false,
				     "Pengajuan ulang diterima setelah data dikirim ke BSrE (bundel %s);"
				     " perubahan tidak diterapkan, hubungi pemohon bila perlu",
				     a.bundle ? a.bundle : "-");
		dup = insert_submission(in, r, row_no, a.id, same ? ST_VALID : "LATE", same, &sub_id);
		if (dup)
			goto counted;
		if (insert_problems(in, sub_id))
			goto out;
		if (!same) {
			in->c.late++;
			if (store_history(in->ctx, a.id, a.state, a.state, in->file,
					  "pengajuan ulang setelah dibundel tidak diterapkan"))
				goto out;
		}
	} else {
		const char *state = valid ? ST_VALID : ST_REJECTED;
		bool same = !g_strcmp0(r->data_hash, a.data_hash);

		/* Same data, already further along: keep the letter. */
		if (valid && same && (!strcmp(a.state, ST_LETTER) || !strcmp(a.state, ST_SIGNED)))
			state = a.state;
		dup = insert_submission(in, r, row_no, a.id, valid ? ST_VALID : ST_REJECTED, 0,
				       &sub_id);
		if (dup)
			goto counted;
		if (insert_problems(in, sub_id) || write_applicant(in, r, a.id, sub_id, NULL) ||
		    mark_superseded(in, a.submission_id))
			goto out;
		if (strcmp(state, a.state)) {
			if (store_set_state(in->ctx, a.id, a.state, state, in->file, note))
				goto out;
		} else if (!same) {
			if (store_history(in->ctx, a.id, a.state, state, in->file,
					  note ? note : "data diperbarui dari pengajuan ulang"))
				goto out;
		}
		in->c.applicants_changed++;
	}
	if (supersede_orphans(in, r))
		goto out;
	valid ? in->c.valid++ : in->c.rejected++;
	in->c.fresh++;
	rc = 0;
	goto out;
counted:
	if (dup > 0) {
		in->c.dup++;
		rc = 0;
	}
out:
	g_free(note);
	applicant_release(&a);
	return rc;
}

/* ---- known rows ---------------------------------------------------------- */

/*
 * A cumulative export repeats every earlier row. Such a row is known by
 * its raw key: XXH3-128 over the cells as read (the columns
 * tte uses, each with its length and UTF-8 flag) and how the header reads
 * them (date order, which e-mail column, which optional columns). Equal
 * raw keys mean the same cells read the same way: a row already stored,
 * which would change nothing. It is counted as a duplicate without
 * validation, date parsing or a write. A changed row (a correction) has
 * another raw key and takes the full path. XXH3 is no cryptographic hash,
 * but it is seeded with a secret of the store (derived from the NIK key),
 * so nobody outside can aim a row at another's key; it costs a tenth of
 * SHA-256 a row, and a known row costs little else.
 *
 * The stored raw keys are read once per file from their index into an
 * open-addressing table (linear probing, at most half full) whose home
 * slot is the key's top bits: the keys are uniform, so a lookup costs one
 * cache miss. Memory stays bounded by [tte] cache_mb: the table is taken
 * from SQLite's page cache (which shrinks by its size for the rest of the
 * run), and a table that would need over half of it is not built: each
 * row asks the index instead (slower, same answer).
 */
static void raw_key(struct intake *in, const struct table_row *t, unsigned char *out)
{
	unsigned char sig = (unsigned char)(in->day_first | in->email_from_form << 1);
	size_t need = 1;
	XXH128_canonical_t c;
	char *p;

	for (int f = 0; f < F_COUNT; f++)
		need += 5 + (in->cols[f] ? t->len[f] : 0);
	g_string_set_size(in->buf, need);
	p = in->buf->str;
	*p++ = (char)sig;
	for (int f = 0; f < F_COUNT; f++) {
		guint32 len = in->cols[f] ? (guint32)t->len[f] : G_MAXUINT32;

		memcpy(p, &len, sizeof(len));
		p += sizeof(len);
		*p++ = (char)t->bad_utf8[f];
		if (in->cols[f]) {
			memcpy(p, t->val[f], t->len[f]);
			p += t->len[f];
		}
	}
	XXH128_canonicalFromHash(&c, XXH3_128bits_withSeed(in->buf->str, need, in->raw_seed));
	memcpy(out, c.digest, 16);
}

static const unsigned char no_key[16];

/* The home slot of key K: its top known_bits. */
static size_t known_home(const struct intake *in, const unsigned char *k)
{
	guint64 top = 0;

	for (int i = 0; i < 8; i++)
		top = top << 8 | k[i];
	return (size_t)(top >> (64 - in->known_bits));
}

static void known_add(struct intake *in, const unsigned char *k)
{
	size_t mask = ((size_t)1 << in->known_bits) - 1, i = known_home(in, k);

	if (!memcmp(k, no_key, 16))
		return;		/* the empty mark: left to the full path */
	while (memcmp(in->known + 16 * i, no_key, 16))
		i = (i + 1) & mask;
	memcpy(in->known + 16 * i, k, 16);
}

/* Zeroed memory for the table (fresh anonymous pages: no memset), on huge
 * pages where the kernel has them (madvise mode): a lookup's one cache
 * miss then costs no TLB miss. NULL when the kernel refuses. */
static unsigned char *known_alloc(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (bytes >= (2u << 20))
		(void)madvise(p, bytes, MADV_HUGEPAGE);	/* a hint: fine if refused */
	return p;
}

static void known_free(struct intake *in)
{
	if (in->known)
		munmap(in->known, (size_t)16 << in->known_bits);
	in->known = NULL;
}

static int known_load(struct intake *in)
{
	/* The table takes up to 64 bytes a key (at most half full). */
	size_t cache = (size_t)in->ctx->cfg->cache_mb << 20, cap = cache / 2 / 64;
	const char *test_cap = tte_test_value("KNOWN_CAP");
	long long n;
	sqlite3_stmt *st;
	int rc = 0;

	known_free(in);
	in->known_in_db = false;
	if (test_cap)
		cap = (size_t)g_ascii_strtoull(test_cap, NULL, 10);
	if (store_int(in->ctx->db, "SELECT count(*) FROM submissions INDEXED BY submissions_raw_key"
		      " WHERE raw_key IS NOT NULL", &n))
		return -1;
	if ((unsigned long long)n > cap) {
		in->known_in_db = true;
		log_info("known rows: %lld, over half of [tte] cache_mb; looked up in the index"
			 " instead", n);
	} else if (n > 0) {
		for (in->known_bits = 4; ((size_t)1 << in->known_bits) < 2 * (size_t)n;)
			in->known_bits++;
		in->known = known_alloc((size_t)16 << in->known_bits);
		if (!in->known)
			return log_error("intake: no memory for the known rows' table (%lld rows)", n);
		st = store_prepare(in->ctx->db, "SELECT raw_key FROM submissions INDEXED BY"
				   " submissions_raw_key WHERE raw_key IS NOT NULL");
		if (!st)
			return -1;
		while ((rc = store_row(st)) > 0)
			if (sqlite3_column_bytes(st, 0) == 16)
				known_add(in, sqlite3_column_blob(st, 0));
		sqlite3_finalize(st);
		if (rc < 0)
			return -1;
	}
	{
		char sql[64];
		size_t table = in->known ? (size_t)16 << in->known_bits : 0;

		snprintf(sql, sizeof(sql), "PRAGMA cache_size=-%zu", (cache - table) >> 10);
		return store_exec(in->ctx->db, sql);
	}
}

/* 1 known, 0 not, -1 error. */
static int known_row(struct intake *in, const unsigned char *k)
{
	sqlite3_stmt *st;
	int rc;

	if (!in->known_in_db) {
		size_t mask, i;

		if (!in->known)
			return 0;
		mask = ((size_t)1 << in->known_bits) - 1;
		for (i = known_home(in, k); memcmp(in->known + 16 * i, no_key, 16);
		     i = (i + 1) & mask)
			if (!memcmp(in->known + 16 * i, k, 16))
				return 1;
		return 0;
	}
	st = store_stmt(in->ctx->db, "SELECT 1 FROM submissions INDEXED BY submissions_raw_key"
			" WHERE raw_key=?");
	if (!st)
		return -1;
	sqlite3_bind_blob(st, 1, k, 16, SQLITE_STATIC);
	rc = store_row(st);
	sqlite3_reset(st);
	return rc;
}

static int on_row(void *ud, const struct table_row *t)
{
	struct intake *in = ud;
	struct row r;
	unsigned char rk[16];
	int rc;

	in->c.rows++;
	raw_key(in, t, rk);
	rc = known_row(in, rk);
	if (rc) {
		in->c.dup += rc > 0;
		log_rows_progress(&in->t_last, "intake", in->file, in->c.rows);
		return rc > 0 ? TABLE_OK : TABLE_ABORT;
	}
	check_row(in, t, &r);
	memcpy(r.raw_key, rk, sizeof(rk));
	rc = apply_row(in, &r, t->row_no);
	row_release(&r);
	log_rows_progress(&in->t_last, "intake", in->file, in->c.rows);
	return rc ? TABLE_ABORT : TABLE_OK;
}

static int on_header(void *ud, const struct table_header *h, char **why)
{
	struct intake *in = ud;
	GString *missing = g_string_new(NULL);

	for (int f = 0; f < F_COUNT; f++)
		in->cols[f] = h->names[f] ? g_strdup(h->names[f]) : NULL;
	in->day_first = h->indonesian;
	in->email_from_form = !in->cols[F_EMAIL] && in->cols[F_FORM_EMAIL];
	for (int f = 0; f < F_COUNT; f++) {
		if (in->cols[f] || !(form_cols[f].required || f == F_EMAIL))
			continue;
		if (f == F_EMAIL && in->email_from_form)
			continue;
		g_string_append_printf(missing, "%s%s", missing->len ? ", " : "", form_cols[f].label);
	}
	if (missing->len) {
		*why = g_strdup_printf("kolom wajib tidak ditemukan: %s (judul kolom yang ada: %d "
				       "kolom; periksa apakah ini ekspor formulir pendaftaran TTE)",
				       missing->str, h->file_columns);
		g_string_free(missing, TRUE);
		return TABLE_BAD;
	}
	g_string_free(missing, TRUE);
	return TABLE_OK;
}

/* ---- waivers ---------------------------------------------------------------- */

/* Applicants rejected only for waivable reasons whose waiver was recorded
 * by `tte accept` become VALID. */
static int apply_waivers(struct intake *in)
{
	sqlite3 *db = in->ctx->db;
	sqlite3_stmt *st;
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(long long));
	int rc = -1, r;

	st = store_prepare(db,
		"SELECT a.id FROM applicants a INDEXED BY applicants_waiver"
		" WHERE a.state=" SQ_REJECTED " AND a.waiver IS NOT NULL"
		" AND NOT EXISTS(SELECT 1 FROM problems p WHERE p.submission_id=a.submission_id"
		"   AND p.waivable=0)");
	if (!st)
		goto out;
	while ((r = store_row(st)) > 0) {
		long long id = sqlite3_column_int64(st, 0);

		g_array_append_val(ids, id);
	}
	sqlite3_finalize(st);
	if (r < 0)
		goto out;
	if (!ids->len) {
		rc = 0;
		goto out;
	}
	if (store_begin(db))
		goto out;
	for (guint i = 0; i < ids->len; i++) {
		long long id = g_array_index(ids, long long, i);
		char *note;
		char *who = NULL, *why = NULL;

		st = store_prepare(db, "SELECT waiver_by, waiver FROM applicants WHERE id=?");
		if (!st)
			goto fail;
		sqlite3_bind_int64(st, 1, id);
		r = store_row(st);
		if (r > 0) {
			who = col_dup(st, 0);
			why = col_dup(st, 1);
		}
		sqlite3_finalize(st);
		if (r < 0)
			goto fail;
		note = g_strdup_printf("pengecualian oleh %s: %s", nz(who), nz(why));
		g_free(who);
		g_free(why);
		if (store_set_state(in->ctx, id, ST_REJECTED, ST_VALID, "accept", note)) {
			g_free(note);
			goto fail;
		}
		g_free(note);
		st = store_prepare(db, "UPDATE submissions SET verdict=" SQ_VALID " WHERE id="
				   "(SELECT submission_id FROM applicants WHERE id=?)");
		if (!st)
			goto fail;
		sqlite3_bind_int64(st, 1, id);
		if (store_step_done(st)) {
			sqlite3_finalize(st);
			goto fail;
		}
		sqlite3_finalize(st);
	}
	if (store_commit(db))
		goto fail;
	log_info("waivers applied: %u applicant(s) now VALID", ids->len);
	log_tty("  pengecualian diterapkan: %u pemohon kini VALID\n", ids->len);
	rc = 0;
	goto out;
fail:
	store_rollback(db);
out:
	g_array_free(ids, TRUE);
	return rc;
}

/* ---- the files ---------------------------------------------------------------- */

static void reset_file(struct intake *in)
{
	for (int f = 0; f < F_COUNT; f++) {
		g_free(in->cols[f]);
		in->cols[f] = NULL;
	}
	memset(&in->c, 0, sizeof(in->c));
}

/* The ids the file's new applicants and submissions start from. A failed
 * read fails the file: a guessed id would collide with a stored one. */
static int pick_keys(struct intake *in)
{
	sqlite3 *db = in->ctx->db;

	return store_int(db, "SELECT coalesce(max(id), 0) + 1 FROM applicants",
			 &in->next_applicant) ||
	       store_int(db, "SELECT coalesce(max(id), 0) + 1 FROM submissions",
			 &in->next_submission) ? -1 : 0;
}

/*
 * A file far larger than the store (the first load, typically) fills
 * indexes that no statement of the row loop reads (the applicants' e-mail
 * and NIP serve stale_orphans(), after it); inserting each key into a large
 * B-tree costs a random descent a row, while building the index afterwards
 * sorts the keys once. Such indexes are dropped before the read and
 * rebuilt from their own stored definitions after it, within the file's
 * transaction: a crash or a failed file rolls both back. Only indexes no
 * statement of the row loop uses belong here.
 */
static const char deferred_sql[] =
	"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL AND name IN"
	" ('submissions_raw_key', 'submissions_applicant', 'history_applicant',"
	" 'problems_submission', 'applicants_nip', 'applicants_email')";

/* Bytes a form row takes at least, for a lower bound of a file's rows. */
#define ROW_BYTES_MIN 256

/* Drop the deferred indexes when the file holds more rows (estimated low)
 * than twice the stored submissions; *SQLS gets their definitions. */
static int defer_indexes(struct intake *in, const struct inbox_file *f, GPtrArray **sqls)
{
	sqlite3 *db = in->ctx->db;
	sqlite3_stmt *st;
	GPtrArray *drops;
	long long stored = in->next_submission - 1;
	int rc;

	*sqls = NULL;
	if (f->item->st.st_size / ROW_BYTES_MIN <= 2 * stored)
		return 0;
	st = store_prepare(db, deferred_sql);
	if (!st)
		return -1;
	*sqls = g_ptr_array_new_with_free_func(g_free);
	drops = g_ptr_array_new_with_free_func(g_free);
	while ((rc = store_row(st)) > 0) {
		g_ptr_array_add(drops, g_strdup_printf("DROP INDEX \"%s\"",
						       sqlite3_column_text(st, 0)));
		g_ptr_array_add(*sqls, g_strdup((const char *)sqlite3_column_text(st, 1)));
	}
	sqlite3_finalize(st);	/* a table is locked while its reader runs */
	for (guint i = 0; i < drops->len && rc == 0; i++)
		rc = store_exec(db, drops->pdata[i]);
	g_ptr_array_free(drops, TRUE);
	if (rc < 0) {
		g_ptr_array_free(*sqls, TRUE);
		*sqls = NULL;
		return -1;
	}
	return 0;
}

/* Build the indexes defer_indexes() dropped; frees SQLS. */
static int build_deferred(struct intake *in, GPtrArray *sqls)
{
	int rc = 0;

	if (!sqls)
		return 0;
	for (guint i = 0; i < sqls->len && !rc; i++)
		rc = store_exec(in->ctx->db, sqls->pdata[i]);
	g_ptr_array_free(sqls, TRUE);
	return rc;
}

/* The inbox skeleton's read callback (inbox.h): one export, in its
 * transaction. */
static int read_file(void *arg, const struct inbox_file *f, char **why)
{
	struct intake *in = arg;
	sqlite3 *db = in->ctx->db;
	sqlite3_stmt *st;
	GPtrArray *deferred;
	long long first_id;
	int rc;

	in->t0 = g_get_monotonic_time();
	reset_file(in);
	in->file = f->item->name;
	in->input_id = f->input_id;
	if (pick_keys(in) || known_load(in) || defer_indexes(in, f, &deferred))
		return INBOX_READ_FAIL;
	first_id = in->next_submission;

	rc = table_read_csv(f->item->fd, form_cols, F_COUNT, on_header, on_row, in, why);
	log_tty("\r");
	if (build_deferred(in, deferred))
		return INBOX_READ_FAIL;
	if (rc == TABLE_BAD)
		return INBOX_READ_BAD;
	if (rc || stale_orphans(in, first_id))
		return INBOX_READ_FAIL;
	st = store_stmt(db, "UPDATE inputs SET rows=?, new_rows=?, rejected_rows=? WHERE id=?");
	if (!st)
		return INBOX_READ_FAIL;
	sqlite3_bind_int64(st, 1, in->c.rows);
	sqlite3_bind_int64(st, 2, in->c.fresh);
	sqlite3_bind_int64(st, 3, in->c.rejected);
	sqlite3_bind_int64(st, 4, in->input_id);
	return store_step_done(st) ? INBOX_READ_FAIL : INBOX_READ_OK;
}

/* After the commit: the file's summary and the night's totals. */
static void file_done(void *arg, const struct inbox_file *f)
{
	struct intake *in = arg;
	const char *name = f->item->name;

	log_info("forms/%s: %ld rows, %ld new, %ld duplicate, %ld valid, %ld rejected, %ld late;"
		 " %ld new applicants, %ld updated; %ld of purged applicants ignored; %.3f s",
		 name, in->c.rows, in->c.fresh, in->c.dup, in->c.valid, in->c.rejected,
		 in->c.late, in->c.applicants_new, in->c.applicants_changed, in->c.purged,
		 (double)(g_get_monotonic_time() - in->t0) / 1e6);
	log_tty("  %s: %ld baris (%ld baru, %ld sudah ada), %ld valid, %ld ditolak\n", name,
		in->c.rows, in->c.fresh, in->c.dup, in->c.valid, in->c.rejected);
	in->total.rows += in->c.rows;
	in->total.fresh += in->c.fresh;
	in->total.valid += in->c.valid;
	in->total.rejected += in->c.rejected;
}

static int intake_run(struct tte_ctx *ctx, int argc, char **argv)
{
	static const char *const exts[] = { ".csv", NULL };
	struct intake in = { .ctx = ctx };
	const struct inbox_stage stage = { .kind = "forms", .exts = exts, .read = read_file,
					   .done = file_done, .arg = &in };
	struct inbox_counts n = { 0 };
	GPtrArray *items;
	int waiting, rc = TTE_EXIT_FAIL;

	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "tte intake: tidak menerima argumen\n");
		return TTE_EXIT_USAGE;
	}
	in.tz = g_time_zone_new_identifier(ctx->cfg->timezone);
	if (!in.tz) {
		fprintf(stderr, "tte: zona waktu [tte] timezone \"%s\" tidak dikenal\n",
			ctx->cfg->timezone);
		return TTE_EXIT_USAGE;
	}
	date_parse_iso(ctx->today, &in.today);
	in.pl = problems_new();

	if (apply_waivers(&in))
		goto out;
	in.md = EVP_MD_CTX_new();
	in.sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	in.buf = g_string_sized_new(512);
	if (!in.md || !in.sha256 || bloom_load(&in))
		goto out;
	{
		char seed[STORE_HMAC_HEX];

		store_nik_hmac("raw key seed", seed);
		seed[16] = 0;
		in.raw_seed = g_ascii_strtoull(seed, NULL, 16);
	}
	items = inbox_scan(ctx, &stage, &waiting);
	if (!items)
		goto out;
	if (inbox_process(ctx, &stage, items, &n)) {
		g_ptr_array_free(items, TRUE);
		goto out;
	}
	g_ptr_array_free(items, TRUE);
	log_info("intake: %ld file(s), %ld rows, %ld new, %ld valid, %ld rejected; %d waiting",
		 n.files, in.total.rows, in.total.fresh, in.total.valid, in.total.rejected,
		 waiting);
	if (waiting)
		log_tty("  %d berkas masih disalin (baru berubah); diproses pada run berikutnya\n",
			waiting);
	rc = TTE_EXIT_OK;
out:
	reset_file(&in);
	problems_free(in.pl);
	g_free(in.bloom);
	known_free(&in);
	EVP_MD_CTX_free(in.md);
	EVP_MD_free(in.sha256);
	if (in.buf)
		g_string_free(in.buf, TRUE);
	g_time_zone_unref(in.tz);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct stage_desc d = { .name = "intake", .run = intake_run };

	return stage_main(&d, argc, argv);
}
