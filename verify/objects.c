/*
 * objects.c - the PDF objects of a signed document, through qpdf's C API.
 *
 * In: the file's bytes. Out: the signature fields of the final document
 * (AcroForm /Fields and their /Kids, plus signature widgets that only a
 * page's /Annots names), each with its signature dictionary's values,
 * the document's DocMDP and the fields' FieldMDP locks, and what /DSS
 * holds. qpdf runs with recovery off, so a damaged file is an error here
 * rather than silently repaired; its warnings are kept verbatim for the
 * result. Errors of qpdf on one object become problems, never aborts.
 */
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <openssl/x509.h>

#include "pv.h"
#include "tte.h"

/* qpdf's warnings, verbatim: they start with the description given to
 * qpdf_read_memory ("final", "revision 2"). */
static void drain_warnings(struct pv_work *w, qpdf_data q)
{
	while (qpdf_more_warnings(q)) {
		qpdf_error e = qpdf_next_warning(q);
		const char *t = qpdf_get_error_full_text(q, e);

		if (w->r->warnings->len < 200)
			g_ptr_array_add(w->r->warnings, g_strdup(t ? t : "?"));
	}
}

qpdf_data pv_qpdf_open(struct pv_work *w, const unsigned char *buf, size_t len,
		       const char *what, char **err)
{
	qpdf_data q = qpdf_init();

	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	qpdf_set_attempt_recovery(q, QPDF_FALSE);
	if (qpdf_read_memory(q, what, (const char *)buf, len, "") & QPDF_ERRORS) {
		const char *t = qpdf_has_error(q) ? qpdf_get_error_full_text(q, qpdf_get_error(q))
			: NULL;

		*err = g_strdup(t ? t : "qpdf cannot read it");
		drain_warnings(w, q);
		qpdf_cleanup(&q);
		return NULL;
	}
	/* Parse the page tree now, so that its warnings are collected. */
	qpdf_get_num_pages(q);
	if (qpdf_has_error(q))
		qpdf_get_error(q);
	drain_warnings(w, q);
	return q;
}

void pv_qpdf_close(qpdf_data *q)
{
	if (*q) {
		/* An error left unread makes qpdf_cleanup complain on stderr. */
		if (qpdf_has_error(*q))
			qpdf_get_error(*q);
		qpdf_cleanup(q);
	}
	*q = NULL;
}

qpdf_oh pv_dget(qpdf_data q, qpdf_oh oh, const char *key)
{
	if (qpdf_oh_is_stream(q, oh))
		oh = qpdf_oh_get_dict(q, oh);
	if (!qpdf_oh_is_dictionary(q, oh))
		return qpdf_oh_new_null(q);
	return qpdf_oh_get_key(q, oh, key);
}

static bool is_name(qpdf_data q, qpdf_oh oh, const char *name)
{
	return qpdf_oh_is_name_and_equals(q, oh, name);
}

char *pv_qpdf_text(qpdf_data q, qpdf_oh oh)
{
	const char *v = NULL;
	size_t n = 0;

	if (!qpdf_oh_get_value_as_utf8(q, oh, &v, &n) || !v)
		return NULL;
	/* A NUL in a text string ends it for our purposes. */
	return g_utf8_make_valid(v, (gssize)strnlen(v, n));
}

static char *name_of(qpdf_data q, qpdf_oh oh)
{
	const char *v = NULL;
	size_t n = 0;

	if (!qpdf_oh_get_value_as_name(q, oh, &v, &n) || !v || !n)
		return NULL;
	return g_utf8_make_valid(v[0] == '/' ? v + 1 : v, (gssize)strnlen(v, n) - (v[0] == '/'));
}

static long long int_of(qpdf_data q, qpdf_oh oh, long long def)
{
	long long v;

	return qpdf_oh_get_value_as_longlong(q, oh, &v) ? v : def;
}

/* FieldMDP settings from a /TransformParams or /Lock dictionary. */
static void read_lock(qpdf_data q, qpdf_oh d, struct pv_sigwork *s)
{
	qpdf_oh fields = pv_dget(q, d, "/Fields");
	int n = qpdf_oh_is_array(q, fields) ? qpdf_oh_get_array_n_items(q, fields) : 0;
	qpdf_oh action = pv_dget(q, d, "/Action");

	if (is_name(q, action, "/All"))
		s->lock = PV_LOCK_ALL;
	else if (is_name(q, action, "/Include"))
		s->lock = PV_LOCK_INCLUDE;
	else if (is_name(q, action, "/Exclude"))
		s->lock = PV_LOCK_EXCLUDE;
	else
		return;
	for (int i = 0; i < n && i < 1000; i++) {
		char *t = pv_qpdf_text(q, qpdf_oh_get_array_item(q, fields, i));

		if (t)
			g_ptr_array_add(s->lock_fields, t);
	}
}

/* What the signature dictionary V says. */
static void read_sig_dict(struct pv_work *w, qpdf_data q, qpdf_oh v, struct pv_sigwork *s)
{
	struct pv_signature *p = s->pub;
	qpdf_oh br = pv_dget(q, v, "/ByteRange"), contents = pv_dget(q, v, "/Contents");
	qpdf_oh refs = pv_dget(q, v, "/Reference"), cert = pv_dget(q, v, "/Cert");
	const char *bin;
	size_t n = 0;

	p->subfilter = name_of(q, pv_dget(q, v, "/SubFilter"));
	p->doc_timestamp = is_name(q, pv_dget(q, v, "/Type"), "/DocTimeStamp") ||
			   (p->subfilter && !strcmp(p->subfilter, "ETSI.RFC3161"));
	s->nbr = -1;
	if (qpdf_oh_is_array(q, br)) {
		int k = qpdf_oh_get_array_n_items(q, br);

		s->nbr = k;
		for (int i = 0; i < k; i++) {
			long long x;

			if (!qpdf_oh_get_value_as_longlong(q, qpdf_oh_get_array_item(q, br, i), &x)) {
				s->nbr = -1;
				break;
			}
			if (i < 4)
				s->br[i] = x;
		}
	}
	if (qpdf_oh_is_string(q, contents)) {
		bin = qpdf_oh_get_binary_string_value(q, contents, &n);
		s->contents = g_memdup2(bin, n);
		s->contents_len = n;
		s->has_contents = true;
	}
	s->m = pv_qpdf_text(q, pv_dget(q, v, "/M"));
	p->reason = pv_qpdf_text(q, pv_dget(q, v, "/Reason"));
	p->location = pv_qpdf_text(q, pv_dget(q, v, "/Location"));
	p->contact = pv_qpdf_text(q, pv_dget(q, v, "/ContactInfo"));
	if (qpdf_oh_is_array(q, refs)) {
		int k = qpdf_oh_get_array_n_items(q, refs);

		for (int i = 0; i < k && i < 16; i++) {
			qpdf_oh r = qpdf_oh_get_array_item(q, refs, i);
			qpdf_oh tm = pv_dget(q, r, "/TransformMethod");
			qpdf_oh tp = pv_dget(q, r, "/TransformParams");

			if (is_name(q, tm, "/DocMDP")) {
				s->docmdp_p = (int)int_of(q, pv_dget(q, tp, "/P"), 2);
				if (s->docmdp_p < 1 || s->docmdp_p > 3)
					s->docmdp_p = 2;
			} else if (is_name(q, tm, "/FieldMDP")) {
				read_lock(q, tp, s);
			}
		}
	}
	if (qpdf_oh_is_string(q, cert) || qpdf_oh_is_array(q, cert)) {
		int k = qpdf_oh_is_array(q, cert) ? qpdf_oh_get_array_n_items(q, cert) : 1;

		for (int i = 0; i < k && i < 16; i++) {
			qpdf_oh c = qpdf_oh_is_array(q, cert) ? qpdf_oh_get_array_item(q, cert, i) : cert;

			if (!qpdf_oh_is_string(q, c))
				continue;
			bin = qpdf_oh_get_binary_string_value(q, c, &n);
			g_ptr_array_add(s->certs_der, g_bytes_new(bin, n));
		}
	}
	if (qpdf_has_error(q)) {
		qpdf_get_error(q);
		pv_problem(w, s, "SIGNATURE_DICT_DAMAGED", "qpdf could not read the signature "
			   "dictionary");
	}
}

static struct pv_sigwork *sig_new(void)
{
	struct pv_sigwork *s = g_new0(struct pv_sigwork, 1);

	s->pub = g_new0(struct pv_signature, 1);
	s->pub->problems = g_ptr_array_new_with_free_func(g_free);
	s->pub->notes = g_ptr_array_new_with_free_func(g_free);
	s->pub->time_source = "none";
	s->pub->revocation = "not checked";
	s->lock_fields = g_ptr_array_new_with_free_func(g_free);
	s->certs_der = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	s->rev = -1;
	return s;
}

static bool have_sig(struct pv_work *w, int num, int gen, int field)
{
	for (guint i = 0; i < w->sigs->len; i++) {
		struct pv_sigwork *s = g_ptr_array_index(w->sigs, i);

		if (num > 0 ? s->sig_obj == num && s->sig_gen == gen : s->field_obj == field)
			return true;
	}
	return false;
}

/* A signature field NODE named NAME whose /V is a dictionary, or (UNREADABLE)
 * is there but cannot be read. */
static void add_sig(struct pv_work *w, qpdf_data q, qpdf_oh node, const char *name,
		    bool unreadable)
{
	qpdf_oh v = pv_dget(q, node, "/V"), lock = pv_dget(q, node, "/Lock");
	struct pv_sigwork *s;
	int num = qpdf_oh_is_indirect(q, v) ? qpdf_oh_get_object_id(q, v) : 0;
	int gen = num ? qpdf_oh_get_generation(q, v) : 0;
	int field = qpdf_oh_get_object_id(q, node);

	if (qpdf_has_error(q))
		qpdf_get_error(q);
	if (have_sig(w, num, gen, field))
		return;
	if (w->sigs->len >= 100) {
		pv_problem(w, NULL, "TOO_MANY_SIGNATURES", "more than 100 signatures; the rest "
			   "are not verified");
		return;
	}
	s = sig_new();
	s->pub->field = g_strdup(name);
	s->field_obj = field;
	s->field_gen = qpdf_oh_get_generation(q, node);
	s->sig_obj = num;
	s->sig_gen = gen;
	g_ptr_array_add(w->sigs, s);
	if (unreadable) {
		s->nbr = -1;
		s->unreadable = true;
		pv_problem(w, s, "SIGNATURE_DICT_DAMAGED", "the value of signature field %s "
			   "(object %d %d) cannot be read", name, num, gen);
		return;
	}
	read_sig_dict(w, q, v, s);
	if (!num)
		pv_problem(w, s, "SIGNATURE_DICT_DIRECT", "the signature dictionary of field %s is "
			   "not an indirect object", name);
	if (s->lock == PV_LOCK_NONE && qpdf_oh_is_dictionary(q, lock))
		read_lock(q, lock, s);
}

/* Did qpdf warn about object NUM GEN (it could not read it)? */
static bool warned_about(struct pv_work *w, qpdf_data q, int num, int gen)
{
	char *tags[2] = { g_strdup_printf("(object %d %d,", num, gen),
			  g_strdup_printf("object %d/%d:", num, gen) };
	bool hit = false;

	drain_warnings(w, q);
	for (guint i = 0; i < w->r->warnings->len && !hit; i++) {
		const char *t = g_ptr_array_index(w->r->warnings, i);

		hit = strstr(t, tags[0]) || strstr(t, tags[1]);
	}
	g_free(tags[0]);
	g_free(tags[1]);
	return hit;
}

/*
 * Does signature field NODE have a /V that is not a dictionary qpdf can
 * read (a number that overflows, nesting deeper than qpdf parses, a
 * dangling reference)? An unsigned field has no /V (or a direct null):
 * anything else that cannot be read is a damaged signature, never none.
 */
static bool sig_value_unreadable(qpdf_data q, qpdf_oh node)
{
	qpdf_oh v;
	bool bad;

	if (qpdf_has_error(q))
		qpdf_get_error(q);
	/* qpdf hides keys whose value is null, an unreadable object among
	 * them, but still hands out the reference. */
	v = qpdf_oh_get_key(q, node, "/V");
	bad = !qpdf_oh_is_dictionary(q, v) && (qpdf_oh_is_indirect(q, v) || !qpdf_oh_is_null(q, v));
	if (qpdf_has_error(q)) {
		qpdf_get_error(q);
		bad = true;
	}
	return bad;
}

static void walk_fields(struct pv_work *w, qpdf_data q, qpdf_oh arr, const char *parent,
			const char *ft, int depth, GHashTable *seen, long *budget)
{
	int n;

	if (!qpdf_oh_is_array(q, arr) || depth > 32)
		return;
	n = qpdf_oh_get_array_n_items(q, arr);
	for (int i = 0; i < n && i < 100000 && (*budget)-- > 0; i++) {
		qpdf_oh f = qpdf_oh_get_array_item(q, arr, i);
		int id = qpdf_oh_get_object_id(q, f);
		char *t, *name, *myft;
		qpdf_oh kids;

		if (!qpdf_oh_is_dictionary(q, f)) {
			/* It may have been a signature field. */
			if (qpdf_has_error(q))
				qpdf_get_error(q);
			if (id > 0 && warned_about(w, q, id, qpdf_oh_get_generation(q, f)))
				pv_problem(w, NULL, "SIGNATURE_DICT_DAMAGED", "form field object %d "
					   "cannot be read", id);
			continue;
		}
		if (id > 0) {
			if (g_hash_table_contains(seen, GINT_TO_POINTER(id)))
				continue;
			g_hash_table_add(seen, GINT_TO_POINTER(id));
		}
		t = pv_qpdf_text(q, pv_dget(q, f, "/T"));
		if (!t && parent) {
			/* A widget of its parent field, not a field. */
			continue;
		}
		name = parent ? g_strdup_printf("%s.%s", parent, t) : g_strdup(t ? t : "");
		myft = name_of(q, pv_dget(q, f, "/FT"));
		if (!myft && ft)
			myft = g_strdup(ft);
		if (myft && !strcmp(myft, "Sig") && sig_value_unreadable(q, f))
			add_sig(w, q, f, name, true);
		else if (myft && !strcmp(myft, "Sig") && qpdf_oh_is_dictionary(q, pv_dget(q, f, "/V")))
			add_sig(w, q, f, name, false);
		kids = pv_dget(q, f, "/Kids");
		walk_fields(w, q, kids, name, myft, depth + 1, seen, budget);
		g_free(myft);
		g_free(name);
		g_free(t);
	}
}

/* Signature widgets a page shows though /Fields does not list them. */
static void walk_page_widgets(struct pv_work *w, qpdf_data q)
{
	int pages = qpdf_get_num_pages(q);
	GHashTable *arrays = g_hash_table_new(g_direct_hash, g_direct_equal);
	long budget = 1000000;	/* annotations looked at, over all pages */

	for (int i = 0; i < pages && i < 100000 && budget > 0; i++) {
		qpdf_oh annots = pv_dget(q, qpdf_get_page_n(q, (size_t)i), "/Annots");
		int n = qpdf_oh_is_array(q, annots) ? qpdf_oh_get_array_n_items(q, annots) : 0;
		int an = qpdf_oh_is_indirect(q, annots) ? qpdf_oh_get_object_id(q, annots) : 0;

		/* Pages may share one /Annots array: look at it once. */
		if (an && !g_hash_table_add(arrays, GINT_TO_POINTER(an)))
			n = 0;
		for (int k = 0; k < n && k < 10000 && budget-- > 0; k++) {
			qpdf_oh a = qpdf_oh_get_array_item(q, annots, k);

			if (is_name(q, pv_dget(q, a, "/FT"), "/Sig") && sig_value_unreadable(q, a)) {
				char *t = pv_qpdf_text(q, pv_dget(q, a, "/T"));

				add_sig(w, q, a, t ? t : "", true);
				g_free(t);
			} else if (is_name(q, pv_dget(q, a, "/FT"), "/Sig") &&
			    qpdf_oh_is_dictionary(q, pv_dget(q, a, "/V"))) {
				int num = 0, gen = 0;
				qpdf_oh v = pv_dget(q, a, "/V");
				char *t;

				if (qpdf_oh_is_indirect(q, v)) {
					num = qpdf_oh_get_object_id(q, v);
					gen = qpdf_oh_get_generation(q, v);
				}
				if (have_sig(w, num, gen, qpdf_oh_get_object_id(q, a)))
					continue;
				t = pv_qpdf_text(q, pv_dget(q, a, "/T"));
				add_sig(w, q, a, t ? t : "", false);
				pv_note(w, NULL, "signature widget %s on page %d is not in the "
					"AcroForm", t ? t : "?", i + 1);
				g_free(t);
			}
		}
		qpdf_oh_release_all(q);
	}
	g_hash_table_destroy(arrays);
	if (qpdf_has_error(q))
		qpdf_get_error(q);
}

bool pv_filters_bounded(qpdf_data q, qpdf_oh st)
{
	qpdf_oh f = pv_dget(q, st, "/Filter");
	int n = qpdf_oh_is_array(q, f) ? qpdf_oh_get_array_n_items(q, f) : 1;

	for (int i = 0; i < n; i++) {
		qpdf_oh x = qpdf_oh_is_array(q, f) ? qpdf_oh_get_array_item(q, f, i) : f;

		if (is_name(q, x, "/LZWDecode") || is_name(q, x, "/LZW") ||
		    is_name(q, x, "/RunLengthDecode") || is_name(q, x, "/RL") || n > 8)
			return false;
	}
	return true;
}

static void read_dss(struct pv_work *w, qpdf_data q, qpdf_oh dss)
{
	static const char *const keys[] = { "/Certs", "/CRLs", "/OCSPs" };

	for (int k = 0; k < 3; k++) {
		qpdf_oh arr = pv_dget(q, dss, keys[k]);
		int n = qpdf_oh_is_array(q, arr) ? qpdf_oh_get_array_n_items(q, arr) : 0;

		for (int i = 0; i < n && i < 1000; i++) {
			qpdf_oh st = qpdf_oh_get_array_item(q, arr, i);
			unsigned char *data = NULL;
			size_t len = 0;
			const unsigned char *p;
			QPDF_BOOL filtered = QPDF_FALSE;

			if (!qpdf_oh_is_stream(q, st))
				continue;
			if (!pv_filters_bounded(q, st)) {
				pv_note(w, NULL, "a /DSS stream with LZW or RunLength data was not "
					"read");
				continue;
			}
			if (qpdf_oh_get_stream_data(q, st, qpdf_dl_generalized, &filtered, &data,
						    &len) & QPDF_ERRORS || !data) {
				if (qpdf_has_error(q))
					qpdf_get_error(q);
				free(data);
				continue;
			}
			p = data;
			if (k == 0) {
				X509 *x = d2i_X509(NULL, &p, (long)len);

				if (x)
					sk_X509_push(w->dss_certs, x);
			} else if (k == 1) {
				X509_CRL *c = d2i_X509_CRL(NULL, &p, (long)len);

				if (c)
					sk_X509_CRL_push(w->dss_crls, c);
			} else {
				g_ptr_array_add(w->dss_ocsps, g_bytes_new(data, len));
			}
			free(data);
		}
	}
}

int pv_find_signatures(struct pv_work *w)
{
	qpdf_data q = w->final;
	qpdf_oh root = qpdf_get_root(q);
	qpdf_oh acro = pv_dget(q, root, "/AcroForm");
	qpdf_oh perms = pv_dget(q, root, "/Perms"), dss = pv_dget(q, root, "/DSS");
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	long budget = 1000000;	/* field entries looked at */
	qpdf_oh docmdp;

	walk_fields(w, q, pv_dget(q, acro, "/Fields"), NULL, NULL, 0, seen, &budget);
	g_hash_table_destroy(seen);
	walk_page_widgets(w, q);

	root = qpdf_get_root(q);
	perms = pv_dget(q, root, "/Perms");
	dss = pv_dget(q, root, "/DSS");
	docmdp = pv_dget(q, perms, "/DocMDP");
	w->docmdp_sig = -1;
	if (qpdf_oh_is_dictionary(q, docmdp)) {
		int num = qpdf_oh_get_object_id(q, docmdp);

		for (guint i = 0; i < w->sigs->len; i++) {
			struct pv_sigwork *s = g_ptr_array_index(w->sigs, i);

			if (num > 0 && s->sig_obj == num) {
				w->docmdp_sig = (int)i;
				s->pub->certification = true;
				w->docmdp_p = s->docmdp_p ? s->docmdp_p : 2;
			}
		}
		if (w->docmdp_sig < 0)
			pv_note(w, NULL, "/Perms /DocMDP names no signature field's value");
	}
	if (qpdf_oh_is_dictionary(q, dss))
		read_dss(w, q, dss);
	if (qpdf_has_error(q))
		qpdf_get_error(q);
	drain_warnings(w, q);
	qpdf_oh_release_all(q);
	(void)acro;
	return 0;
}
