/*
 * states.c - the applicant state table and the SQL built from it.
 *
 * The meanings are what the report's "Arti" column shows; the steps are
 * what its funnel counts. Nothing here touches the store.
 */
#include <string.h>
#include <glib.h>

#include "states.h"
#include "tte.h"

const struct state_info state_table[] = {
	{ ST_REJECTED, STATE_TTE, STEP_SUBMITTED,
	  "Ditolak: data formulir harus diperbaiki pemohon (lihat lembar Ditolak)" },
	{ ST_VALID, STATE_TTE, STEP_VALID, "Data valid; menunggu surat rekomendasi" },
	{ ST_LETTER, STATE_TTE, STEP_LETTER,
	  "Surat rekomendasi dibuat; menunggu tanda tangan atau bundel" },
	{ ST_SIGNED, STATE_TTE, STEP_LETTER,
	  "Surat rekomendasi bertanda tangan elektronik telah diverifikasi" },
	{ ST_BUNDLED, STATE_TTE, STEP_BUNDLED, "Masuk bundel unggahan portal BSrE" },
	{ ST_NOT_REGISTERED, STATE_BSRE, STEP_BUNDLED, "BSrE: belum terdaftar" },
	{ ST_NEW, STATE_BSRE, STEP_REGISTERED, "BSrE: akun dibuat, permohonan belum lengkap" },
	{ ST_WAITING_FOR_VERIFICATION, STATE_BSRE, STEP_REGISTERED, "BSrE: menunggu verifikasi" },
	{ ST_NO_CERTIFICATE, STATE_BSRE, STEP_REGISTERED, "BSrE: belum memiliki sertifikat" },
	{ ST_ENROLL, STATE_BSRE, STEP_REGISTERED, "BSrE: pendaftaran sertifikat berjalan" },
	{ ST_ISSUE, STATE_BSRE, STEP_REGISTERED, "BSrE: sertifikat terbit" },
	{ ST_RENEW, STATE_BSRE, STEP_REGISTERED, "BSrE: pembaruan sertifikat" },
	{ ST_EXPIRED, STATE_BSRE, STEP_REGISTERED, "BSrE: sertifikat kedaluwarsa" },
	{ ST_SUSPEND, STATE_BSRE, STEP_REGISTERED, "BSrE: sertifikat dibekukan" },
	{ ST_REVOKE, STATE_BSRE, STEP_REGISTERED, "BSrE: sertifikat dicabut" },
	{ ST_DENIED, STATE_BSRE, STEP_REGISTERED, "BSrE: permohonan ditolak" },
};
_Static_assert(ARRAY_SIZE(state_table) == STATE_COUNT, "STATE_COUNT is the table's length");

int state_index(const char *name)
{
	for (unsigned i = 0; name && i < STATE_COUNT; i++)
		if (!strcmp(state_table[i].name, name))
			return (int)i;
	return -1;
}

const struct state_info *state_find(const char *name)
{
	int i = state_index(name);

	return i < 0 ? NULL : &state_table[i];
}

char *state_sql_list(int kind, enum state_step min_step, enum state_step max_step)
{
	GString *s = g_string_new(NULL);

	for (unsigned i = 0; i < STATE_COUNT; i++) {
		if ((kind >= 0 && (int)state_table[i].kind != kind) || state_table[i].step < min_step ||
		    state_table[i].step > max_step)
			continue;
		g_string_append_printf(s, "%s'%s'", s->len ? "," : "", state_table[i].name);
	}
	return g_string_free(s, FALSE);
}

bool state_before_bundle(const char *name)
{
	const struct state_info *s = state_find(name);

	return s && s->kind == STATE_TTE && s->step < STEP_BUNDLED;
}
