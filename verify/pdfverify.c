/*
 * pdfverify.c - the verifier's entry points: trust anchors, the order of
 * the checks, problem codes and the verdicts.
 *
 * In: a file (or a buffer) and the trust anchors. Out: a struct
 * pdfverify_result (see pdfverify.h). The checks themselves live in
 * scan.c, objects.c, cms.c, hash.c and diff.c; this file runs them in
 * order and turns the problems they found into verdicts: a problem
 * weighs INVALID (integrity, byte ranges, changes after signing),
 * INDETERMINATE (trust, time, key usage, unsupported formats) or is a
 * note. A signature's verdict is its heaviest problem; the document's is
 * the worst of its signatures' and its own.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "log.h"
#include "pv.h"
#include "tte.h"

/* ---- problems -------------------------------------------------------------- */

struct problem_def {
	const char *code;
	enum pv_weight weight;
	const char *text;	/* Indonesian, for verifiers */
};

static const struct problem_def problems[] = {
	{ "NOT_PDF", PV_W_INVALID, "Berkas ini bukan dokumen PDF." },
	{ "NO_EOF", PV_W_INVALID, "Dokumen terpotong: tidak diakhiri startxref dan %%EOF." },
	{ "XREF_BROKEN", PV_W_INVALID, "Tabel referensi silang (startxref) dokumen rusak." },
	{ "TRAILING_DATA", PV_W_INVALID,
	  "Ada data yang ditambahkan setelah akhir dokumen yang bukan pembaruan PDF." },
	{ "PDF_UNPARSABLE", PV_W_INVALID, "Struktur PDF rusak sehingga dokumen tidak dapat dibaca." },
	{ "TOO_MANY_SIGNATURES", PV_W_INDETERMINATE,
	  "Dokumen memuat lebih dari 100 tanda tangan; sisanya tidak diperiksa." },
	{ "BYTERANGE_MALFORMED", PV_W_INVALID,
	  "Rentang byte yang ditandatangani (/ByteRange) tidak wajar." },
	{ "BYTERANGE_OUTSIDE_FILE", PV_W_INVALID,
	  "Rentang byte yang ditandatangani (/ByteRange) melampaui akhir berkas." },
	{ "GAP_NOT_CONTENTS", PV_W_INVALID,
	  "Bagian yang tidak ditandatangani bukan tepat nilai tanda tangan itu sendiri "
	  "(indikasi signature wrapping)." },
	{ "REVISION_NOT_COVERED", PV_W_INVALID,
	  "Bagian yang ditandatangani tidak mencakup revisinya sampai akhir." },
	{ "SIGNATURE_DICT_DIRECT", PV_W_INVALID,
	  "Kamus tanda tangan tidak disimpan sebagai objek tersendiri." },
	{ "SIGNATURE_DICT_DAMAGED", PV_W_INVALID, "Kamus tanda tangan rusak." },
	{ "SUBFILTER_UNSUPPORTED", PV_W_INDETERMINATE,
	  "Format tanda tangan (/SubFilter) ini tidak didukung sehingga tidak dapat diperiksa." },
	{ "CMS_MALFORMED", PV_W_INVALID, "Data tanda tangan (CMS) rusak atau kosong." },
	{ "SIGNER_INFO_COUNT", PV_W_INVALID,
	  "Data tanda tangan harus memuat tepat satu penanda tangan (SignerInfo)." },
	{ "ECONTENT_PRESENT", PV_W_INVALID,
	  "Tanda tangan terpisah (detached) justru membawa isi sendiri (eContent)." },
	{ "CONTENT_TYPE_MISMATCH", PV_W_INVALID, "Atribut contentType tanda tangan tidak sesuai." },
	{ "WEAK_DIGEST", PV_W_INDETERMINATE, "Algoritme hash SHA-1 sudah tidak aman." },
	{ "DIGEST_BROKEN", PV_W_INVALID, "Algoritme hash yang dipakai (MD5) tidak aman." },
	{ "DIGEST_UNSUPPORTED", PV_W_INDETERMINATE, "Algoritme hash yang dipakai tidak dikenal." },
	{ "DIGEST_NOT_ALLOWED", PV_W_INVALID,
	  "Algoritme hash tidak diizinkan untuk jenis kunci penanda tangan." },
	{ "SIGNER_CERT_MISSING", PV_W_INVALID, "Sertifikat penanda tangan tidak ada dalam dokumen." },
	{ "DIGEST_MISMATCH", PV_W_INVALID,
	  "Isi dokumen tidak cocok dengan tanda tangan (nilai hash berbeda)." },
	{ "SIGNATURE_INVALID", PV_W_INVALID, "Tanda tangan elektronik tidak valid." },
	{ "ESS_CERT_MISMATCH", PV_W_INVALID,
	  "Atribut signing-certificate tidak menunjuk sertifikat penanda tangan." },
	{ "TIMESTAMP_INVALID", PV_W_INDETERMINATE,
	  "Stempel waktu (TSA) pada tanda tangan tidak valid." },
	{ "TIMESTAMP_UNTRUSTED", PV_W_NOTE,
	  "Otoritas stempel waktu (TSA) tidak terpercaya; yang dipakai waktu yang dinyatakan "
	  "penanda tangan." },
	{ "CHAIN_UNTRUSTED", PV_W_INDETERMINATE,
	  "Sertifikat tidak terhubung ke sertifikat akar yang terpercaya." },
	{ "CERT_EXPIRED", PV_W_INDETERMINATE,
	  "Sertifikat sudah kedaluwarsa pada waktu penandatanganan." },
	{ "CERT_NOT_YET_VALID", PV_W_INDETERMINATE,
	  "Sertifikat belum berlaku pada waktu penandatanganan." },
	{ "CHAIN_INVALID", PV_W_INDETERMINATE, "Rantai sertifikat tidak dapat diverifikasi." },
	{ "KEY_USAGE", PV_W_INDETERMINATE,
	  "Penggunaan kunci sertifikat bukan untuk tanda tangan elektronik." },
	{ "CERT_REVOKED", PV_W_INVALID, "Sertifikat sudah dicabut sebelum waktu penandatanganan." },
	{ "REVISION_UNPARSABLE", PV_W_INVALID, "Revisi yang ditandatangani tidak dapat dibaca." },
	{ "SIGNATURE_DICT_CHANGED", PV_W_INVALID,
	  "Data tanda tangan (mis. alasan atau waktu) diubah setelah ditandatangani." },
	{ "MODIFIED_AFTER_SIGNING", PV_W_INVALID,
	  "Konten dokumen mengalami perubahan oleh pihak yang tidak berhak setelah "
	  "ditandatangani." },
	{ "MODIFICATION_NOT_PERMITTED", PV_W_INVALID,
	  "Perubahan setelah penandatanganan tidak diizinkan oleh penanda tangan "
	  "(DocMDP/FieldMDP)." },
	{ "DIFF_TOO_LARGE", PV_W_INDETERMINATE,
	  "Dokumen terlalu besar untuk memeriksa perubahan setelah penandatanganan." },
	{ "SIGNATURE_OBJECT_WARNING", PV_W_INDETERMINATE,
	  "Objek tanda tangan dalam PDF tidak sepenuhnya sesuai standar." },
	{ "ENCRYPTED", PV_W_INDETERMINATE,
	  "Dokumen terenkripsi sehingga isinya tidak dapat diperiksa." },
	{ "DECOMPRESSION_LIMIT", PV_W_INDETERMINATE,
	  "Data terkompresi dalam dokumen mengembang melebihi batas pemeriksaan "
	  "([verify] max_stream_mb / max_inflate_mb); pemeriksaan dihentikan." },
	{ "STREAM_FILTER_UNSUPPORTED", PV_W_INDETERMINATE,
	  "Aliran objek dokumen memakai filter kompresi yang ukurannya tidak dapat dibatasi "
	  "(LZW, RunLength); pemeriksaan dihentikan." },
};

static const struct problem_def *problem_find(const char *code)
{
	for (size_t i = 0; i < ARRAY_SIZE(problems); i++) {
		if (!strcmp(problems[i].code, code))
			return &problems[i];
	}
	return NULL;
}

enum pv_weight pv_problem_weight(const char *code)
{
	const struct problem_def *p = problem_find(code);

	return p ? p->weight : PV_W_INVALID;
}

const char *pdfverify_problem_text(const char *code)
{
	const struct problem_def *p = problem_find(code);

	return p ? p->text : "";
}

static bool has_str(GPtrArray *a, const char *s)
{
	for (guint i = 0; i < a->len; i++) {
		if (!strcmp(g_ptr_array_index(a, i), s))
			return true;
	}
	return false;
}

void pv_note(struct pv_work *w, struct pv_sigwork *s, const char *fmt, ...)
{
	GPtrArray *notes = s ? s->pub->notes : w->r->notes;
	va_list ap;

	if (notes->len >= 50)
		return;
	va_start(ap, fmt);
	g_ptr_array_add(notes, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

void pv_problem(struct pv_work *w, struct pv_sigwork *s, const char *code, const char *fmt, ...)
{
	GPtrArray *list = s ? s->pub->problems : w->r->problems;
	GPtrArray *notes = s ? s->pub->notes : w->r->notes;
	va_list ap;

	if (!has_str(list, code))
		g_ptr_array_add(list, g_strdup(code));
	if (fmt && notes->len < 50) {
		char *m;

		va_start(ap, fmt);
		m = g_strdup_vprintf(fmt, ap);
		va_end(ap);
		g_ptr_array_add(notes, g_strdup_printf("%s: %s", code, m));
		g_free(m);
	}
}

/* ---- trust anchors ---------------------------------------------------------- */

/* Certificates in FILE (PEM, several allowed, or one DER) onto SK.
 * Returns how many. */
static int load_certs(const char *file, STACK_OF(X509) *sk)
{
	gchar *data = NULL;
	gsize len = 0;
	int n = 0;

	if (!g_file_get_contents(file, &data, &len, NULL))
		return -1;
	if (len > 16 * 1024 * 1024) {
		g_free(data);
		return 0;
	}
	{
		BIO *b = BIO_new_mem_buf(data, (int)len);
		X509 *x;

		while (b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
			sk_X509_push(sk, x);
			n++;
		}
		BIO_free(b);
	}
	if (!n) {
		const unsigned char *p = (const unsigned char *)data;
		X509 *x = d2i_X509(NULL, &p, (long)len);

		if (x) {
			sk_X509_push(sk, x);
			n++;
		}
	}
	ERR_clear_error();
	g_free(data);
	return n;
}

static int load_dir(const char *dir, STACK_OF(X509) *sk)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *e;
	int n = 0;

	if (!d) {
		g_ptr_array_free(names, TRUE);
		return -1;
	}
	while ((e = g_dir_read_name(d))) {
		if (e[0] != '.')
			g_ptr_array_add(names, g_strdup(e));
	}
	g_dir_close(d);
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
	for (guint i = 0; i < names->len; i++) {
		char *p = g_build_filename(dir, (char *)g_ptr_array_index(names, i), NULL);
		int k;

		if (g_file_test(p, G_FILE_TEST_IS_REGULAR) && (k = load_certs(p, sk)) > 0)
			n += k;
		g_free(p);
	}
	g_ptr_array_free(names, TRUE);
	return n;
}

struct pdfverify_ctx *pdfverify_ctx_new(const struct pdfverify_opts *o, char **err)
{
	struct pdfverify_ctx *vc = g_new0(struct pdfverify_ctx, 1);
	gchar **parts = NULL;

	*err = NULL;
	vc->anchors = sk_X509_new_null();
	vc->now = o ? o->now : 0;
	vc->max_stream = o && o->max_stream_bytes ? o->max_stream_bytes
		: PDFVERIFY_MAX_STREAM_DEFAULT;
	vc->max_file = o && o->max_file_bytes ? o->max_file_bytes : PDFVERIFY_MAX_FILE_DEFAULT;
	if (!o || !o->trust || !*o->trust)
		return vc;
	parts = g_strsplit(o->trust, ";", -1);
	for (gchar **p = parts; *p; p++) {
		char *path = g_strstrip(*p), *full;
		int n;

		if (!*path)
			continue;
		full = g_path_is_absolute(path) || !o->base_dir ? g_strdup(path)
			: g_build_filename(o->base_dir, path, NULL);
		n = g_file_test(full, G_FILE_TEST_IS_DIR) ? load_dir(full, vc->anchors)
			: load_certs(full, vc->anchors);
		if (n < 0)
			*err = g_strdup_printf("sertifikat terpercaya %s tidak dapat dibaca", full);
		else if (n == 0 && !g_file_test(full, G_FILE_TEST_IS_DIR))
			*err = g_strdup_printf("%s tidak memuat sertifikat (PEM atau DER)", full);
		g_free(full);
		if (*err) {
			g_strfreev(parts);
			pdfverify_ctx_free(vc);
			return NULL;
		}
	}
	g_strfreev(parts);
	return vc;
}

void pdfverify_ctx_free(struct pdfverify_ctx *vc)
{
	if (!vc)
		return;
	sk_X509_pop_free_all(vc->anchors);
	g_free(vc->read_buf);
	g_free(vc->chunk);
	g_free(vc);
}

int pdfverify_ctx_anchors(const struct pdfverify_ctx *vc)
{
	return sk_X509_num(vc->anchors);
}

/* ---- results ------------------------------------------------------------------ */

static void sig_free(struct pv_signature *p)
{
	g_free(p->field);
	g_free(p->subfilter);
	g_free(p->signer);
	g_free(p->signer_dn);
	g_free(p->issuer_dn);
	g_free(p->serial);
	g_free(p->not_before);
	g_free(p->not_after);
	g_free(p->key_usage);
	g_free(p->digest);
	g_free(p->signing_time);
	g_free(p->claimed_time);
	g_free(p->tsa);
	g_free(p->tsa_time);
	g_free(p->reason);
	g_free(p->location);
	g_free(p->contact);
	g_free(p->format);
	g_free(p->revocation_source);
	g_ptr_array_free(p->problems, TRUE);
	g_ptr_array_free(p->notes, TRUE);
	g_free(p);
}

void pdfverify_result_free(struct pdfverify_result *r)
{
	if (!r)
		return;
	g_free(r->file);
	g_ptr_array_free(r->sigs, TRUE);
	g_ptr_array_free(r->problems, TRUE);
	g_ptr_array_free(r->notes, TRUE);
	g_ptr_array_free(r->warnings, TRUE);
	g_free(r->letter);
	g_free(r);
}

static struct pdfverify_result *result_new(const char *name, size_t len)
{
	struct pdfverify_result *r = g_new0(struct pdfverify_result, 1);

	r->file = g_strdup(name ? name : "");
	r->size = len;
	r->sigs = g_ptr_array_new_with_free_func((GDestroyNotify)sig_free);
	r->problems = g_ptr_array_new_with_free_func(g_free);
	r->notes = g_ptr_array_new_with_free_func(g_free);
	r->warnings = g_ptr_array_new_with_free_func(g_free);
	return r;
}

static void sigwork_free(struct pv_sigwork *s)
{
	if (s->pub)
		sig_free(s->pub);
	g_free(s->contents);
	g_free(s->m);
	g_ptr_array_free(s->lock_fields, TRUE);
	g_ptr_array_free(s->certs_der, TRUE);
	CMS_ContentInfo_free(s->cms);
	EVP_MD_free(s->md);
	g_free(s);
}

const char *pdfverify_conclusion_name(enum pv_conclusion c)
{
	switch (c) {
	case PV_VALID:
		return "VALID";
	case PV_INVALID:
		return "INVALID";
	case PV_INDETERMINATE:
		return "INDETERMINATE";
	default:
		return "NO_SIGNATURE";
	}
}

static enum pv_weight worst(GPtrArray *codes)
{
	enum pv_weight w = PV_W_NOTE;

	for (guint i = 0; i < codes->len; i++) {
		enum pv_weight x = pv_problem_weight(g_ptr_array_index(codes, i));

		if (x > w)
			w = x;
	}
	return w;
}

static enum pv_conclusion from_weight(enum pv_weight w)
{
	return w == PV_W_INVALID ? PV_INVALID : w == PV_W_INDETERMINATE ? PV_INDETERMINATE : PV_VALID;
}

static void conclude(struct pv_work *w)
{
	struct pdfverify_result *r = w->r;
	enum pv_weight doc = worst(r->problems);
	enum pv_conclusion c;

	if (r->not_pdf) {
		r->conclusion = PV_INVALID;
		return;
	}
	if (w->limited) {
		/* Stopped at a cap: nothing after it was checked, and what was
		 * may be an artefact of the stop. */
		for (guint i = 0; i < r->sigs->len; i++)
			((struct pv_signature *)g_ptr_array_index(r->sigs, i))->status =
				PV_INDETERMINATE;
		r->conclusion = PV_INDETERMINATE;
		return;
	}
	if (!r->sigs->len) {
		/* Unreadable is not "unsigned". */
		r->conclusion = doc == PV_W_NOTE ? PV_NO_SIGNATURE : from_weight(doc);
		return;
	}
	c = from_weight(doc);
	for (guint i = 0; i < r->sigs->len; i++) {
		struct pv_signature *p = g_ptr_array_index(r->sigs, i);
		enum pv_weight sw = worst(p->problems);

		/* Nothing checked the signature at all: cannot be VALID. */
		if (sw < PV_W_INDETERMINATE && !p->integrity)
			sw = PV_W_INDETERMINATE;
		p->status = from_weight(sw);
		if (p->status == PV_INVALID || (p->status == PV_INDETERMINATE && c == PV_VALID))
			c = p->status;
	}
	r->conclusion = c;
}

static int by_signed_end(gconstpointer a, gconstpointer b)
{
	const struct pv_sigwork *x = *(struct pv_sigwork *const *)a;
	const struct pv_sigwork *y = *(struct pv_sigwork *const *)b;
	long long ex = x->nbr == 4 ? x->br[2] + x->br[3] : G_MAXINT64;
	long long ey = y->nbr == 4 ? y->br[2] + y->br[3] : G_MAXINT64;

	return ex < ey ? -1 : ex > ey;
}

/* qpdf's warnings are kept but weigh only where they bear on what was
 * signed: the signature's own dictionary or field. */
static void warnings_on_signature(struct pv_work *w, struct pv_sigwork *s)
{
	for (guint i = 0; i < w->r->warnings->len; i++) {
		const char *t = g_ptr_array_index(w->r->warnings, i);

		for (int k = 0; k < 2; k++) {
			int num = k ? s->field_obj : s->sig_obj, gen = k ? s->field_gen : s->sig_gen;
			char *tag = g_strdup_printf("(object %d %d", num, gen);
			bool hit = num > 0 && strstr(t, tag);

			g_free(tag);
			if (hit) {
				pv_problem(w, s, "SIGNATURE_OBJECT_WARNING", "qpdf: %s", t);
				return;
			}
		}
	}
}

/* Did qpdf stop at an inflate cap? Then say so once and stop. */
static bool limited(struct pv_work *w)
{
	enum pv_limit hit = pv_limits_hit();

	if (hit == PV_LIMIT_NONE)
		return w->limited;
	if (!w->limited)
		pv_problem(w, NULL, "DECOMPRESSION_LIMIT", hit == PV_LIMIT_STREAM
			   ? "a stream inflates past %llu bytes; verification stopped"
			   : "the file's streams inflate past %llu bytes in all; verification "
			   "stopped", hit == PV_LIMIT_STREAM ? w->vc->max_stream : w->vc->max_file);
	w->limited = true;
	return true;
}

/* Verify BUF; FD is the file it maps, or -1. */
static int verify(struct pdfverify_ctx *vc, const unsigned char *buf, size_t len, int fd,
		  const char *name, struct pdfverify_result **out)
{
	struct pv_work w = { .vc = vc, .buf = buf, .len = len, .fd = fd, .docmdp_sig = -1,
			     .first_rev = -1 };
	char *err = NULL;
	int rc = 0;

	w.r = result_new(name, len);
	w.revs = g_array_new(FALSE, FALSE, sizeof(struct pv_rev));
	w.sigs = g_ptr_array_new_with_free_func((GDestroyNotify)sigwork_free);
	w.dss_certs = sk_X509_new_null();
	w.dss_crls = sk_X509_CRL_new_null();
	w.dss_ocsps = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);

	if (!pv_is_pdf(buf, len)) {
		w.r->not_pdf = true;
		pv_problem(&w, NULL, "NOT_PDF", NULL);
		rc = pv_hash_all(&w);
		goto done;
	}
	pv_scan_revisions(&w);
	if (!pv_scan_filters(&w)) {
		w.limited = true;
		rc = pv_hash_all(&w);
		goto done;
	}
	pv_limits_arm(vc->max_stream, vc->max_file);
	w.final = pv_qpdf_open(&w, buf, len, "final", &err);
	if (!w.final) {
		/* qpdf knows only the standard security handler. */
		if (!limited(&w))
			pv_problem(&w, NULL, strstr(err, "encryption") ? "ENCRYPTED"
				   : "PDF_UNPARSABLE", "%s", err);
		g_free(err);
		rc = pv_hash_all(&w);
		goto done;
	}
	if (qpdf_is_encrypted(w.final))
		pv_note(&w, NULL, "the document is encrypted");
	pv_find_signatures(&w);
	if (limited(&w)) {
		rc = pv_hash_all(&w);
		goto done;
	}
	g_ptr_array_sort(w.sigs, by_signed_end);
	for (guint i = 0; i < w.sigs->len; i++) {
		struct pv_sigwork *s = g_ptr_array_index(w.sigs, i);

		if (s->unreadable)
			continue;	/* SIGNATURE_DICT_DAMAGED says it all */
		pv_scan_signature(&w, s);
		pv_cms_parse(&w, s);
	}
	rc = pv_hash_all(&w);
	for (guint i = 0; !rc && i < w.sigs->len; i++)
		pv_cms_verify(&w, g_ptr_array_index(w.sigs, i));
	for (guint i = 0; !rc && i < w.sigs->len && !limited(&w); i++)
		pv_diff(&w, g_ptr_array_index(w.sigs, i));
	for (guint i = 0; !rc && i < w.sigs->len; i++)
		warnings_on_signature(&w, g_ptr_array_index(w.sigs, i));
done:
	limited(&w);
	pv_limits_disarm();
	for (guint i = 0; i < w.sigs->len; i++) {
		struct pv_sigwork *s = g_ptr_array_index(w.sigs, i);

		g_ptr_array_add(w.r->sigs, s->pub);
		s->pub = NULL;
	}
	conclude(&w);
	pv_qpdf_close(&w.final);
	g_array_free(w.revs, TRUE);
	g_ptr_array_free(w.sigs, TRUE);
	sk_X509_pop_free_all(w.dss_certs);
	sk_X509_CRL_pop_free(w.dss_crls, X509_CRL_free);
	g_ptr_array_free(w.dss_ocsps, TRUE);
	ERR_clear_error();
	if (rc) {
		pdfverify_result_free(w.r);
		return -1;
	}
	*out = w.r;
	return 0;
}

int pdfverify_buffer(struct pdfverify_ctx *vc, const unsigned char *buf, size_t len,
		     const char *name, struct pdfverify_result **out)
{
	return verify(vc, buf, len, -1, name, out);
}

/* Read all LEN bytes of FD into VC's read buffer. */
static int read_all(struct pdfverify_ctx *vc, int fd, size_t len, const char *name)
{
	size_t got = 0;

	if (vc->read_cap < len) {
		g_free(vc->read_buf);
		vc->read_cap = len < 65536 ? 65536 : len;
		vc->read_buf = g_malloc(vc->read_cap);
	}
	while (got < len) {
		ssize_t k = pread(fd, vc->read_buf + got, len - got, (off_t)got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return log_error("%s: tidak dapat dibaca: %s", name,
					 k < 0 ? strerror(errno) : "berkas memendek");
		got += (size_t)k;
	}
	return 0;
}

int pdfverify_fd(struct pdfverify_ctx *vc, int fd, const char *name,
		 struct pdfverify_result **out)
{
	struct stat st;
	void *map = NULL;
	size_t len;
	int rc;

	if (fstat(fd, &st))
		return log_error("%s: %s", name, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return log_error("%s: bukan berkas biasa", name);
	len = (size_t)st.st_size;
	if (len <= PV_READ_MAX) {
		/* Small files: one read into a buffer kept from file to file. */
		if (read_all(vc, fd, len, name))
			return -1;
		return verify(vc, len ? vc->read_buf : (const unsigned char *)"", len, -1, name, out);
	}
	/* Large files are mapped for the structure; the hash pass reads
	 * through FD. */
	map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return log_error("%s: tidak dapat dibaca: %s", name, strerror(errno));
	rc = verify(vc, map, len, fd, name, out);
	munmap(map, len);
	return rc;
}

int pdfverify_file(struct pdfverify_ctx *vc, const char *path, struct pdfverify_result **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	int rc;

	if (fd < 0)
		return log_error("%s: tidak dapat dibuka: %s", path, strerror(errno));
	rc = pdfverify_fd(vc, fd, path, out);
	close(fd);
	return rc;
}
