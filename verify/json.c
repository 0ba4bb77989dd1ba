/*
 * json.c - a verification result as JSON (CONTRACT.md "Verification")
 * and as an Indonesian summary in the manner of BSrE's verifier.
 *
 * In: a struct pdfverify_result. Out: new strings. JSON is written by
 * hand with GString: the shape is fixed and small, and every string goes
 * through json_string() (json.h), so no JSON library is needed.
 */
#include <string.h>
#include <glib.h>

#include "json.h"
#include "pv.h"
#include "tte.h"

static const struct {
	unsigned bit;
	const char *name;
} mod_names[] = {
	{ PV_MOD_TIMESTAMP | PV_MOD_SIGNATURES, "SIGNATURES" },
	{ PV_MOD_DSS, "DSS" },
	{ PV_MOD_FORM, "FORM_FILLING" },
	{ PV_MOD_ANNOTS, "ANNOTATIONS" },
	{ PV_MOD_OTHER, "OTHER" },
};

const char *pdfverify_mods_name(unsigned mods)
{
	static char buf[128];
	size_t n = 0;

	if (!mods)
		return "NONE";
	buf[0] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(mod_names); i++) {
		if (mods & mod_names[i].bit)
			n += (size_t)g_snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? "," : "",
						mod_names[i].name);
	}
	return buf;
}

/* ---- JSON -------------------------------------------------------------------- */

static void jkey(GString *j, int indent, const char *key)
{
	g_string_append_printf(j, "%*s", indent, "");
	json_string(j, key, false);
	g_string_append(j, ": ");
}

static void jkv_str(GString *j, int indent, const char *key, const char *v, bool last)
{
	jkey(j, indent, key);
	json_string(j, v, false);
	g_string_append(j, last ? "\n" : ",\n");
}

static void jkv_bool(GString *j, int indent, const char *key, bool v, bool last)
{
	jkey(j, indent, key);
	g_string_append(j, v ? "true" : "false");
	g_string_append(j, last ? "\n" : ",\n");
}

static void jkv_int(GString *j, int indent, const char *key, long long v, bool last)
{
	jkey(j, indent, key);
	g_string_append_printf(j, "%lld", v);
	g_string_append(j, last ? "\n" : ",\n");
}

static void jkv_list(GString *j, int indent, const char *key, GPtrArray *a, bool last)
{
	jkey(j, indent, key);
	g_string_append_c(j, '[');
	for (guint i = 0; i < a->len; i++) {
		if (i)
			g_string_append(j, ", ");
		json_string(j, g_ptr_array_index(a, i), false);
	}
	g_string_append(j, last ? "]\n" : "],\n");
}

static void json_sig(GString *j, const struct pv_signature *p, bool last)
{
	const int in = 6;

	g_string_append(j, "    {\n");
	jkv_str(j, in, "field", p->field, false);
	jkv_str(j, in, "conclusion", pdfverify_conclusion_name(p->status), false);
	jkv_str(j, in, "signer", p->signer, false);
	jkv_str(j, in, "signerDn", p->signer_dn, false);
	jkv_str(j, in, "issuerDn", p->issuer_dn, false);
	jkv_str(j, in, "serial", p->serial, false);
	jkv_str(j, in, "notBefore", p->not_before, false);
	jkv_str(j, in, "notAfter", p->not_after, false);
	jkv_str(j, in, "keyUsage", p->key_usage, false);
	jkv_str(j, in, "signingTime", p->signing_time, false);
	jkv_str(j, in, "timeSource", p->time_source, false);
	jkv_str(j, in, "claimedTime", p->claimed_time, false);
	jkv_str(j, in, "tsa", p->tsa, false);
	jkv_str(j, in, "tsaTime", p->tsa_time, false);
	jkv_bool(j, in, "tsaTrusted", p->tsa_trusted, false);
	jkv_str(j, in, "subFilter", p->subfilter, false);
	jkv_str(j, in, "digest", p->digest, false);
	jkv_str(j, in, "format", p->format, false);
	jkv_bool(j, in, "documentTimestamp", p->doc_timestamp, false);
	jkv_bool(j, in, "certification", p->certification, false);
	jkv_int(j, in, "docMdp", p->docmdp, false);
	jkv_str(j, in, "reason", p->reason, false);
	jkv_str(j, in, "location", p->location, false);
	jkv_str(j, in, "contactInfo", p->contact, false);
	jkey(j, in, "byteRange");
	g_string_append_printf(j, "[%lld, %lld, %lld, %lld],\n", p->byte_range[0], p->byte_range[1],
			       p->byte_range[2], p->byte_range[3]);
	jkv_int(j, in, "revision", p->revision, false);
	jkv_bool(j, in, "integrity", p->integrity, false);
	jkv_bool(j, in, "coversWholeDocument", p->covers_whole, false);
	jkv_bool(j, in, "modifiedAfterSigning", p->modified_after, false);
	jkv_str(j, in, "modifications", pdfverify_mods_name(p->mods), false);
	jkv_bool(j, in, "trusted", p->trusted, false);
	jkv_str(j, in, "revocation", p->revocation, false);
	jkv_str(j, in, "revocationSource", p->revocation_source, false);
	jkv_list(j, in, "problems", p->problems, false);
	jkv_list(j, in, "notes", p->notes, true);
	g_string_append(j, last ? "    }\n" : "    },\n");
}

char *pdfverify_result_json(const struct pdfverify_result *r)
{
	GString *j = g_string_new("{\n");
	char *head = pdfverify_result_headline(r);

	jkv_str(j, 2, "file", r->file, false);
	jkv_str(j, 2, "sha256", r->sha256, false);
	jkv_int(j, 2, "size", (long long)r->size, false);
	jkv_str(j, 2, "conclusion", pdfverify_conclusion_name(r->conclusion), false);
	jkv_str(j, 2, "summary", head, false);
	jkv_int(j, 2, "signatureCount", r->sigs->len, false);
	jkv_int(j, 2, "revisions", r->revisions, false);
	jkey(j, 2, "signatures");
	if (!r->sigs->len) {
		g_string_append(j, "[],\n");
	} else {
		g_string_append(j, "[\n");
		for (guint i = 0; i < r->sigs->len; i++)
			json_sig(j, g_ptr_array_index(r->sigs, i), i + 1 == r->sigs->len);
		g_string_append(j, "  ],\n");
	}
	jkv_list(j, 2, "problems", r->problems, false);
	jkv_list(j, 2, "notes", r->notes, false);
	jkv_list(j, 2, "warnings", r->warnings, false);
	jkv_str(j, 2, "letter", r->letter, false);
	jkv_bool(j, 2, "letterSignerMismatch", r->letter_signer_mismatch, true);
	g_string_append(j, "}\n");
	g_free(head);
	return g_string_free(j, FALSE);
}

/* ---- the Indonesian summary ---------------------------------------------------- */

static bool any_problem(const struct pdfverify_result *r, const char *const *codes)
{
	for (guint i = 0; i < r->sigs->len; i++) {
		const struct pv_signature *p = g_ptr_array_index(r->sigs, i);

		for (guint k = 0; k < p->problems->len; k++) {
			for (const char *const *c = codes; *c; c++) {
				if (!strcmp(g_ptr_array_index(p->problems, k), *c))
					return true;
			}
		}
	}
	return false;
}

/* The first problem of weight WANT, the document's first. */
static const char *first_problem(const struct pdfverify_result *r, enum pv_weight want)
{
	for (guint i = 0; i < r->problems->len; i++) {
		if (pv_problem_weight(g_ptr_array_index(r->problems, i)) == want)
			return g_ptr_array_index(r->problems, i);
	}
	for (guint i = 0; i < r->sigs->len; i++) {
		const struct pv_signature *p = g_ptr_array_index(r->sigs, i);

		for (guint k = 0; k < p->problems->len; k++) {
			if (pv_problem_weight(g_ptr_array_index(p->problems, k)) == want)
				return g_ptr_array_index(p->problems, k);
		}
	}
	return NULL;
}

char *pdfverify_result_headline(const struct pdfverify_result *r)
{
	static const char *const changed[] = {
		"MODIFIED_AFTER_SIGNING", "MODIFICATION_NOT_PERMITTED", "SIGNATURE_DICT_CHANGED",
		"DIGEST_MISMATCH", "REVISION_NOT_COVERED", "GAP_NOT_CONTENTS", NULL,
	};
	bool all_tsa = true;
	const char *code;

	switch (r->conclusion) {
	case PV_NO_SIGNATURE:
		return g_strdup("Dokumen tidak memiliki tanda tangan elektronik.");
	case PV_VALID:
		for (guint i = 0; i < r->sigs->len; i++) {
			const struct pv_signature *p = g_ptr_array_index(r->sigs, i);

			all_tsa &= !strcmp(p->time_source, "tsa");
		}
		return g_strdup(all_tsa ? "Dokumen valid, Sertifikat yang digunakan terpercaya. "
					  "Tanda tangan elektronik valid dan dokumen merupakan "
					  "dokumen asli sejak ditandatangani."
				: "Dokumen asli dan valid, Sertifikat yang digunakan terpercaya, "
				  "tetapi dokumen tidak menggunakan waktu TSA.");
	case PV_INDETERMINATE:
		code = first_problem(r, PV_W_INDETERMINATE);
		return g_strdup_printf("Keaslian dokumen belum dapat dipastikan. %s",
				       code ? pdfverify_problem_text(code)
				       : "Tanda tangan tidak dapat diperiksa sepenuhnya.");
	default:
		if (any_problem(r, changed))
			return g_strdup("Dokumen telah diubah setelah ditandatangani. Konten "
					"Dokumen mengalami perubahan oleh pihak yang tidak berhak.");
		code = first_problem(r, PV_W_INVALID);
		return g_strdup_printf("Dokumen tidak valid. %s",
				       code ? pdfverify_problem_text(code) : "");
	}
}

static const char *ya_tidak(bool b)
{
	return b ? "ya" : "tidak";
}

static void summary_sig(GString *s, int i, const struct pv_signature *p)
{
	g_string_append_printf(s, "  Tanda tangan %d%s%s%s: %s\n", i, p->field ? " (" : "",
			       p->field ? p->field : "", p->field ? ")" : "",
			       pdfverify_conclusion_name(p->status));
	if (p->doc_timestamp)
		g_string_append(s, "    Jenis              : stempel waktu dokumen (RFC 3161)\n");
	if (p->signer)
		g_string_append_printf(s, "    Penanda tangan     : %s\n", p->signer);
	if (p->signer_dn)
		g_string_append_printf(s, "    Subjek (DN)        : %s\n", p->signer_dn);
	if (p->issuer_dn)
		g_string_append_printf(s, "    Penerbit           : %s\n", p->issuer_dn);
	if (p->not_before)
		g_string_append_printf(s, "    Masa berlaku       : %s s.d. %s\n", p->not_before,
				       p->not_after ? p->not_after : "?");
	if (p->signing_time)
		g_string_append_printf(s, "    Waktu tanda tangan : %s (%s)\n", p->signing_time,
				       !strcmp(p->time_source, "tsa") ? "waktu TSA"
				       : !strcmp(p->time_source, "cms") ? "dinyatakan penanda tangan"
				       : !strcmp(p->time_source, "pdf") ? "dari dokumen (/M)"
				       : "tidak ada; diperiksa pada waktu sekarang");
	if (p->tsa)
		g_string_append_printf(s, "    TSA                : %s, %s%s\n", p->tsa,
				       p->tsa_time ? p->tsa_time : "?",
				       p->tsa_trusted ? "" : " (tidak terpercaya)");
	g_string_append_printf(s, "    Format             : %s (%s%s%s)\n",
			       p->format ? p->format : "-", p->subfilter ? p->subfilter : "-",
			       p->digest ? ", " : "", p->digest ? p->digest : "");
	g_string_append_printf(s, "    Integritas         : %s\n", p->integrity ? "utuh" : "rusak");
	g_string_append_printf(s, "    Terpercaya         : %s\n", ya_tidak(p->trusted));
	g_string_append_printf(s, "    Diubah sesudahnya  : %s%s%s%s\n", ya_tidak(p->modified_after),
			       p->modified_after ? " (" : "",
			       p->modified_after ? pdfverify_mods_name(p->mods) : "",
			       p->modified_after ? ")" : "");
	g_string_append_printf(s, "    Pencabutan         : %s\n",
			       !strcmp(p->revocation, "good") ? "tidak dicabut"
			       : !strcmp(p->revocation, "revoked") ? "DICABUT" : "tidak diperiksa");
	if (p->reason && *p->reason)
		g_string_append_printf(s, "    Alasan             : %s\n", p->reason);
	if (p->location && *p->location)
		g_string_append_printf(s, "    Lokasi             : %s\n", p->location);
	for (guint k = 0; k < p->problems->len; k++) {
		const char *c = g_ptr_array_index(p->problems, k);

		g_string_append_printf(s, "    - %s [%s]\n", pdfverify_problem_text(c), c);
	}
}

char *pdfverify_result_summary(const struct pdfverify_result *r)
{
	GString *s = g_string_new("");
	char *head = pdfverify_result_headline(r);

	g_string_append_printf(s, "%s: %s\n", r->file, head);
	g_free(head);
	for (guint k = 0; k < r->problems->len; k++) {
		const char *c = g_ptr_array_index(r->problems, k);

		g_string_append_printf(s, "  - %s [%s]\n", pdfverify_problem_text(c), c);
	}
	if (r->letter)
		g_string_append_printf(s, "  Surat rekomendasi tte: %s%s\n", r->letter,
				       r->letter_signer_mismatch
				       ? " (PERHATIAN: penanda tangan bukan pemberi rekomendasi "
					 "yang dikonfigurasi)" : "");
	for (guint i = 0; i < r->sigs->len; i++)
		summary_sig(s, (int)i + 1, g_ptr_array_index(r->sigs, i));
	return g_string_free(s, FALSE);
}
