/*
 * diff.c - what changed after a signature: the signed revision against
 * the final document, object by object.
 *
 * In: the revision a signature closes (parsed by qpdf from the prefix of
 * the file up to its %%EOF) and the final document. Out: the classes of
 * change (enum pv_mod) and, when a change is OTHER or not permitted by
 * the document's /DocMDP /P or the signature's /FieldMDP lock, problems
 * that make the signature INVALID.
 *
 * How: walk both documents from the trailer and record, for every
 * reachable indirect object, who refers to it. Every object of the final
 * document is SAME, CHANGED (its value differs: see same_value; streams
 * by their decoded data) or NEW.
 * Then the structures a permitted update may touch are judged by rules
 * (catalog keys, AcroForm, fields and widgets, pages' /Annots, /DSS,
 * /Info, XMP), and the new objects they bring in inherit their class.
 * Whatever changed and no rule explains is OTHER: page content replaced,
 * pages added or removed, overlays, a signature dictionary rewritten, an
 * object changed in place that something else also uses (shadow attacks,
 * pyHanko's "sneaky" appearance overrides), a reference of an unchanged
 * object that was dangling and is now filled in.
 */
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "pv.h"
#include "tte.h"

#define MAX_OBJECTS 500000

enum state { ST_SAME, ST_CHANGED, ST_NEW };

struct dobj {
	int num, gen;
	GArray *parents;	/* int: referring objects, 0 = the trailer */
	GArray *children;	/* int: objects it refers to (final document only) */
	enum state st;
	bool judged;		/* a structural rule took care of it */
	bool explained;
	bool bad;		/* counted as OTHER already */
	unsigned cls;		/* enum pv_mod bits it was explained with */
};

struct graph {
	qpdf_data q;
	GHashTable *objs;	/* num -> struct dobj */
	bool truncated;
};

struct diff {
	struct pv_work *w;
	struct pv_sigwork *s;
	struct graph S, F;
	unsigned mods;
	int notes;
	GHashTable *changed_fields;	/* field names whose value changed */
	long budget;			/* array entries the rules may still look at */
};

static void dobj_free(gpointer p)
{
	struct dobj *o = p;

	g_array_free(o->parents, TRUE);
	if (o->children)
		g_array_free(o->children, TRUE);
	g_free(o);
}

static void note(struct diff *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct diff *d, const char *fmt, ...)
{
	va_list ap;
	char *m;

	if (d->notes++ >= 20)
		return;
	va_start(ap, fmt);
	m = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	pv_note(d->w, d->s, "%s", m);
	g_free(m);
}

static void other(struct diff *d, struct dobj *o, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void other(struct diff *d, struct dobj *o, const char *fmt, ...)
{
	va_list ap;
	char *m;

	d->mods |= PV_MOD_OTHER;
	if (o) {
		if (o->bad)
			return;
		o->bad = true;
		o->judged = true;
	}
	va_start(ap, fmt);
	m = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	note(d, "changed after signing: %s", m);
	g_free(m);
}

/* ---- qpdf helpers ----------------------------------------------------------- */

static void clear_error(qpdf_data q)
{
	if (qpdf_has_error(q))
		qpdf_get_error(q);
}

static qpdf_oh obj(qpdf_data q, int num, int gen)
{
	return qpdf_get_object_by_id(q, num, gen);
}

static bool has(qpdf_data q, qpdf_oh oh, const char *key)
{
	return qpdf_oh_is_dictionary(q, oh) && qpdf_oh_has_key(q, oh, key);
}

/* A dictionary's keys (new strings). */
static GPtrArray *keys_of(qpdf_data q, qpdf_oh oh)
{
	GPtrArray *k = g_ptr_array_new_with_free_func(g_free);

	if (qpdf_oh_is_stream(q, oh))
		oh = qpdf_oh_get_dict(q, oh);
	if (!qpdf_oh_is_dictionary(q, oh))
		return k;
	qpdf_oh_begin_dict_key_iter(q, oh);
	while (qpdf_oh_dict_more_keys(q) && k->len < 100000)
		g_ptr_array_add(k, g_strdup(qpdf_oh_dict_next_key(q)));
	return k;
}

/*
 * Values, not bytes: an unchanged object put back by another writer may
 * order its keys differently, write 1 as 1.0, a string in hex, a name
 * with #xx escapes, or a stream compressed otherwise. Two values are the
 * same when they mean the same: numbers by value, strings and names by
 * their bytes, arrays item by item, dictionaries key by key (a null value
 * is an absent key), references by the object they name (not what that
 * object holds: it is compared on its own).
 */
static bool same_value(qpdf_data qa, qpdf_oh a, qpdf_data qb, qpdf_oh b, int depth);

/* A or B as a direct value or a reference: references must name the same
 * object. */
static bool same_item(qpdf_data qa, qpdf_oh a, qpdf_data qb, qpdf_oh b, int depth)
{
	bool ia = qpdf_oh_is_indirect(qa, a), ib = qpdf_oh_is_indirect(qb, b);

	if (ia || ib)
		return ia && ib && qpdf_oh_get_object_id(qa, a) == qpdf_oh_get_object_id(qb, b) &&
		       qpdf_oh_get_generation(qa, a) == qpdf_oh_get_generation(qb, b);
	return same_value(qa, a, qb, b, depth + 1);
}

/* Dictionaries A and B: the same value for every key of either, but the
 * keys in IGNORE (NULL-ended). */
static bool same_dict(qpdf_data qa, qpdf_oh a, qpdf_data qb, qpdf_oh b, int depth,
		      const char *const *ignore);

static bool same_value(qpdf_data qa, qpdf_oh a, qpdf_data qb, qpdf_oh b, int depth)
{
	enum qpdf_object_type_e ta = qpdf_oh_get_type_code(qa, a), tb = qpdf_oh_get_type_code(qb, b);

	if (depth > 100)
		return false;
	if ((ta == ot_integer || ta == ot_real) && (tb == ot_integer || tb == ot_real)) {
		if (ta == ot_integer && tb == ot_integer)
			return qpdf_oh_get_int_value(qa, a) == qpdf_oh_get_int_value(qb, b);
		return qpdf_oh_get_numeric_value(qa, a) == qpdf_oh_get_numeric_value(qb, b);
	}
	if (ta != tb)
		return false;
	switch (ta) {
	case ot_null:
		return true;
	case ot_boolean:
		return !qpdf_oh_get_bool_value(qa, a) == !qpdf_oh_get_bool_value(qb, b);
	case ot_name:
		return !g_strcmp0(qpdf_oh_get_name(qa, a), qpdf_oh_get_name(qb, b));
	case ot_string: {
		size_t la = 0, lb = 0;
		const char *sa = qpdf_oh_get_binary_string_value(qa, a, &la);
		const char *sb = qpdf_oh_get_binary_string_value(qb, b, &lb);

		return la == lb && (!la || (sa && sb && !memcmp(sa, sb, la)));
	}
	case ot_array: {
		int n = qpdf_oh_get_array_n_items(qa, a);

		if (n != qpdf_oh_get_array_n_items(qb, b))
			return false;
		for (int i = 0; i < n; i++) {
			if (!same_item(qa, qpdf_oh_get_array_item(qa, a, i), qb,
				       qpdf_oh_get_array_item(qb, b, i), depth))
				return false;
		}
		return true;
	}
	case ot_dictionary:
		return same_dict(qa, a, qb, b, depth, NULL);
	default: {
		/* Nothing else is a value of an object. */
		char *ua = g_strdup(qpdf_oh_unparse(qa, a));
		bool same = !strcmp(ua, qpdf_oh_unparse(qb, b));

		g_free(ua);
		return same;
	}
	}
}

/* The value of KEY in dictionaries A and B. */
static bool same_raw(qpdf_data qa, qpdf_oh a, qpdf_data qb, qpdf_oh b, const char *key)
{
	if (qpdf_oh_is_stream(qa, a))
		a = qpdf_oh_get_dict(qa, a);
	if (qpdf_oh_is_stream(qb, b))
		b = qpdf_oh_get_dict(qb, b);
	return same_item(qa, qpdf_oh_get_key(qa, a, key), qb, qpdf_oh_get_key(qb, b, key), 0);
}

static bool same_dict(qpdf_data qa, qpdf_oh a, qpdf_data qb, qpdf_oh b, int depth,
		      const char *const *ignore)
{
	GPtrArray *ka = keys_of(qa, a), *kb = keys_of(qb, b);
	bool same = true;

	for (int pass = 0; pass < 2 && same; pass++) {
		GPtrArray *k = pass ? kb : ka;

		for (guint i = 0; i < k->len && same; i++) {
			const char *key = g_ptr_array_index(k, i);
			bool skip = false;

			for (const char *const *ig = ignore; ig && *ig; ig++)
				skip |= !strcmp(*ig, key);
			if (!skip)
				same = same_item(qa, qpdf_oh_get_key(qa, a, key), qb,
						 qpdf_oh_get_key(qb, b, key), depth);
		}
	}
	g_ptr_array_free(ka, TRUE);
	g_ptr_array_free(kb, TRUE);
	return same;
}

/* The keys whose values differ between dictionaries A (signed) and B
 * (final), minus IGNORE (NULL-ended). */
static GPtrArray *changed_keys(qpdf_data qa, qpdf_oh a, qpdf_data qb, qpdf_oh b,
			       const char *const *ignore)
{
	GPtrArray *ka = keys_of(qa, a), *kb = keys_of(qb, b);
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);

	if (qpdf_oh_is_stream(qa, a))
		a = qpdf_oh_get_dict(qa, a);
	if (qpdf_oh_is_stream(qb, b))
		b = qpdf_oh_get_dict(qb, b);
	for (int pass = 0; pass < 2; pass++) {
		GPtrArray *k = pass ? kb : ka;

		for (guint i = 0; i < k->len; i++) {
			const char *key = g_ptr_array_index(k, i);
			bool skip = false;

			if (g_hash_table_contains(seen, key))
				continue;
			g_hash_table_add(seen, (gpointer)key);
			for (const char *const *ig = ignore; ig && *ig; ig++)
				skip |= !strcmp(*ig, key);
			if (!skip && !same_raw(qa, a, qb, b, key))
				g_ptr_array_add(out, g_strdup(key));
		}
	}
	g_hash_table_destroy(seen);
	g_ptr_array_free(ka, TRUE);
	g_ptr_array_free(kb, TRUE);
	return out;
}

/* ---- the graphs -------------------------------------------------------------- */

static struct dobj *gobj(struct graph *g, int num)
{
	return g_hash_table_lookup(g->objs, GINT_TO_POINTER(num));
}

static void visit_value(struct graph *g, qpdf_oh v, int parent, int depth, GQueue *todo,
			GArray *children)
{
	qpdf_data q = g->q;

	if (depth > 100)
		return;
	if (qpdf_oh_is_indirect(q, v)) {
		int num = qpdf_oh_get_object_id(q, v), gen = qpdf_oh_get_generation(q, v);
		struct dobj *o;

		if (num <= 0)
			return;
		o = gobj(g, num);
		if (!o) {
			if (g_hash_table_size(g->objs) >= MAX_OBJECTS) {
				g->truncated = true;
				return;
			}
			o = g_new0(struct dobj, 1);
			o->num = num;
			o->gen = gen;
			o->parents = g_array_new(FALSE, FALSE, sizeof(int));
			g_hash_table_insert(g->objs, GINT_TO_POINTER(num), o);
			g_queue_push_tail(todo, o);
		}
		g_array_append_val(o->parents, parent);
		if (children)
			g_array_append_val(children, num);
		return;
	}
	if (qpdf_oh_is_array(q, v)) {
		int n = qpdf_oh_get_array_n_items(q, v);

		for (int i = 0; i < n; i++) {
			qpdf_oh it = qpdf_oh_get_array_item(q, v, i);

			visit_value(g, it, parent, depth + 1, todo, children);
			qpdf_oh_release(q, it);
		}
	} else if (qpdf_oh_is_dictionary(q, v)) {
		GPtrArray *k = keys_of(q, v);

		for (guint i = 0; i < k->len; i++) {
			qpdf_oh it = qpdf_oh_get_key(q, v, g_ptr_array_index(k, i));

			visit_value(g, it, parent, depth + 1, todo, children);
			qpdf_oh_release(q, it);
		}
		g_ptr_array_free(k, TRUE);
	}
}

/* Every object reachable from the trailer, with its referrers (and, for
 * the final document, what it refers to). */
static void graph_walk(struct graph *g, bool children)
{
	qpdf_data q = g->q;
	GQueue todo = G_QUEUE_INIT;
	qpdf_oh t = qpdf_get_trailer(q);
	GPtrArray *k = keys_of(q, t);
	struct dobj *o;

	g->objs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, dobj_free);
	for (guint i = 0; i < k->len; i++) {
		const char *key = g_ptr_array_index(k, i);

		if (!strcmp(key, "/Prev") || !strcmp(key, "/XRefStm"))
			continue;
		visit_value(g, qpdf_oh_get_key(q, t, key), 0, 0, &todo, NULL);
	}
	g_ptr_array_free(k, TRUE);
	qpdf_oh_release_all(q);
	while ((o = g_queue_pop_head(&todo))) {
		qpdf_oh h = obj(q, o->num, o->gen);
		qpdf_oh body = qpdf_oh_is_stream(q, h) ? qpdf_oh_get_dict(q, h) : h;

		if (children)
			o->children = g_array_new(FALSE, FALSE, sizeof(int));
		if (qpdf_oh_is_dictionary(q, body)) {
			GPtrArray *ks = keys_of(q, body);

			for (guint i = 0; i < ks->len; i++) {
				qpdf_oh it = qpdf_oh_get_key(q, body, g_ptr_array_index(ks, i));

				visit_value(g, it, o->num, 1, &todo, o->children);
			}
			g_ptr_array_free(ks, TRUE);
		} else if (qpdf_oh_is_array(q, body)) {
			visit_value(g, body, o->num, 0, &todo, o->children);
		}
		qpdf_oh_release_all(q);
		clear_error(q);
	}
}

/* Stream ST's data at LEVEL (malloc'd into *DATA) if every filter was
 * applied and none expands without limits.c seeing it. */
static bool stream_data(qpdf_data q, qpdf_oh st, enum qpdf_stream_decode_level_e level,
			unsigned char **data, size_t *len)
{
	QPDF_BOOL filtered = QPDF_FALSE;

	*data = NULL;
	*len = 0;
	if (level != qpdf_dl_none && !pv_filters_bounded(q, st))
		return false;
	if (qpdf_oh_get_stream_data(q, st, level, level == qpdf_dl_none ? NULL : &filtered, data,
				    len) & QPDF_ERRORS) {
		clear_error(q);
		return false;
	}
	return level == qpdf_dl_none || filtered;
}

/* Streams A and B: the same dictionary and bytes, or the same dictionary
 * but for how the bytes are encoded and the same bytes once decoded. */
static bool same_stream(qpdf_data qs, qpdf_oh a, qpdf_data qf, qpdf_oh b)
{
	static const char *const coding[] = { "/Length", "/Filter", "/DecodeParms", "/DL", NULL };
	qpdf_oh da = qpdf_oh_get_dict(qs, a), db = qpdf_oh_get_dict(qf, b);
	bool same = false;

	if (!same_dict(qs, da, qf, db, 0, coding))
		return false;
	for (int pass = 0; pass < 2 && !same; pass++) {
		enum qpdf_stream_decode_level_e level = pass ? qpdf_dl_generalized : qpdf_dl_none;
		unsigned char *x = NULL, *y = NULL;
		size_t lx = 0, ly = 0;

		if (!pass && !(same_raw(qs, da, qf, db, "/Filter") &&
			       same_raw(qs, da, qf, db, "/DecodeParms")))
			continue;
		same = stream_data(qs, a, level, &x, &lx) && stream_data(qf, b, level, &y, &ly) &&
		       lx == ly && (!lx || (x && y && !memcmp(x, y, lx)));
		free(x);
		free(y);
	}
	return same;
}

/* Same value (see same_value), streams by their data? */
static bool same_object(qpdf_data qs, qpdf_data qf, int num, int gen, bool *exists)
{
	qpdf_oh a = obj(qs, num, gen), b = obj(qf, num, gen);
	bool same = false;

	*exists = !qpdf_oh_is_null(qs, a);
	if (!*exists)
		goto out;
	if (qpdf_oh_is_stream(qs, a) != qpdf_oh_is_stream(qf, b))
		goto out;
	if (qpdf_oh_is_stream(qs, a))
		same = same_stream(qs, a, qf, b);
	else
		same = same_value(qs, a, qf, b, 0);
out:
	clear_error(qs);
	clear_error(qf);
	qpdf_oh_release_all(qs);
	qpdf_oh_release_all(qf);
	return same;
}

/* ---- explaining changes ---------------------------------------------------------- */

/* Are all of O's referrers in both documents PARENT? */
static bool only_parent(struct diff *d, struct dobj *o, int parent)
{
	struct dobj *so = gobj(&d->S, o->num);

	for (guint i = 0; i < o->parents->len; i++) {
		if (g_array_index(o->parents, int, i) != parent)
			return false;
	}
	for (guint i = 0; so && i < so->parents->len; i++) {
		if (g_array_index(so->parents, int, i) != parent)
			return false;
	}
	return true;
}

/*
 * Object NUM (referred to by PARENT) and what it brings along are changes
 * of class CLS. A CHANGED object is accepted only with ALLOW_CHANGED and
 * when PARENT alone refers to it, before and after; structures judged by
 * their own rule are left to it.
 */
static void explain(struct diff *d, int num, int parent, unsigned cls, bool allow_changed,
		    int depth)
{
	struct dobj *o = gobj(&d->F, num);

	if (!o || o->st == ST_SAME || o->judged || depth > 200)
		return;
	if (o->explained && (o->cls | cls) == o->cls)
		return;
	if (o->st == ST_CHANGED && !o->explained) {
		if (!allow_changed) {
			other(d, o, "object %d %d was rewritten", o->num, o->gen);
			return;
		}
		if (!only_parent(d, o, parent)) {
			other(d, o, "object %d %d was rewritten in place but is also used "
			      "elsewhere", o->num, o->gen);
			return;
		}
	}
	o->explained = true;
	o->cls |= cls;
	for (guint i = 0; o->children && i < o->children->len; i++)
		explain(d, g_array_index(o->children, int, i), o->num, cls, allow_changed, depth + 1);
}

/* Explain the object that KEY of dictionary DICT (in object PARENT) refers
 * to, or the objects a direct value there refers to. */
static void explain_key(struct diff *d, qpdf_oh dict, int parent, const char *key, unsigned cls,
			bool allow_changed)
{
	qpdf_data q = d->F.q;
	qpdf_oh v = pv_dget(q, dict, key);
	GArray *kids = g_array_new(FALSE, FALSE, sizeof(int));
	GQueue dummy = G_QUEUE_INIT;
	struct graph tmp = { .q = q };

	/* Collect the indirect objects the value names, without touching the
	 * main graph's referrer lists. */
	tmp.objs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, dobj_free);
	visit_value(&tmp, v, parent, 0, &dummy, kids);
	g_queue_clear(&dummy);
	g_hash_table_destroy(tmp.objs);
	for (guint i = 0; i < kids->len; i++)
		explain(d, g_array_index(kids, int, i), parent, cls, allow_changed, 0);
	g_array_free(kids, TRUE);
}

static int num_of(qpdf_data q, qpdf_oh oh)
{
	return qpdf_oh_is_indirect(q, oh) ? qpdf_oh_get_object_id(q, oh) : 0;
}

static enum state state_of(struct diff *d, int num)
{
	struct dobj *o = gobj(&d->F, num);

	return o ? o->st : ST_SAME;
}

static void judge(struct diff *d, int num, unsigned cls)
{
	struct dobj *o = gobj(&d->F, num);

	if (!o)
		return;
	o->judged = true;
	o->cls |= cls;
}

/* ---- the rules --------------------------------------------------------------------- */

/* Metadata: /Info and the catalog's XMP stream may change. */
static void rule_metadata(struct diff *d, qpdf_oh ftrailer, qpdf_oh fcat, int cat)
{
	explain_key(d, ftrailer, 0, "/Info", 0, true);
	explain_key(d, fcat, cat, "/Metadata", 0, true);
}

static void rule_trailer(struct diff *d, qpdf_oh st, qpdf_oh ft)
{
	static const char *const ignore[] = {
		"/Prev", "/XRefStm", "/Size", "/ID", "/Type", "/W", "/Index", "/Length", "/Filter",
		"/DecodeParms", "/DL", "/Info", NULL,
	};
	GPtrArray *ch = changed_keys(d->S.q, st, d->F.q, ft, ignore);

	for (guint i = 0; i < ch->len; i++)
		other(d, NULL, "trailer %s", (char *)g_ptr_array_index(ch, i));
	g_ptr_array_free(ch, TRUE);
}

static bool field_locked(struct diff *d, const char *name)
{
	struct pv_sigwork *s = d->s;
	bool listed = false;

	for (guint i = 0; i < s->lock_fields->len; i++) {
		const char *f = g_ptr_array_index(s->lock_fields, i);
		size_t n = strlen(f);

		/* A lock on a field covers its descendants. */
		if (!strncmp(name, f, n) && (name[n] == 0 || name[n] == '.'))
			listed = true;
	}
	switch (s->lock) {
	case PV_LOCK_ALL:
		return true;
	case PV_LOCK_INCLUDE:
		return listed;
	case PV_LOCK_EXCLUDE:
		return !listed;
	default:
		return false;
	}
}

static bool is_docts(qpdf_data q, qpdf_oh v)
{
	qpdf_oh sf = pv_dget(q, v, "/SubFilter");

	return qpdf_oh_is_name_and_equals(q, pv_dget(q, v, "/Type"), "/DocTimeStamp") ||
	       qpdf_oh_is_name_and_equals(q, sf, "/ETSI.RFC3161");
}

/*
 * A widget or field object NUM (of field NAME; SIG: a signature field;
 * HAS_T: the field itself, not only a widget; SIGNING: the field gets its
 * first /V in this update) that existed and changed: only its value,
 * appearance state and appearance may change, and for a signature field
 * being signed also the widget's flags and default appearance.
 */
static void rule_changed_widget(struct diff *d, int num, int gen, const char *name, bool sig,
				bool has_t, bool signing)
{
	static const char *const ignore[] = { "/V", "/AP", "/AS", "/MK", NULL };
	static const char *const ignore_signing[] = { "/V", "/AP", "/AS", "/MK", "/F", "/DA", NULL };
	qpdf_data qs = d->S.q, qf = d->F.q;
	qpdf_oh a = obj(qs, num, gen), b = obj(qf, num, gen);
	GPtrArray *ch = changed_keys(qs, a, qf, b, signing ? ignore_signing : ignore);
	unsigned cls = sig ? PV_MOD_SIGNATURES : PV_MOD_FORM;
	struct dobj *o = gobj(&d->F, num);

	if (ch->len) {
		other(d, o, "field %s: %s changed", name, (char *)g_ptr_array_index(ch, 0));
		goto out;
	}
	if (has_t && !same_raw(qs, a, qf, b, "/V")) {
		qpdf_oh v = pv_dget(qf, b, "/V");

		if (sig) {
			if (has(qs, a, "/V")) {
				other(d, o, "the value of signature field %s was replaced", name);
				goto out;
			}
			if (is_docts(qf, v))
				cls = PV_MOD_TIMESTAMP;
		}
		explain_key(d, b, num, "/V", cls, false);
		g_hash_table_add(d->changed_fields, g_strdup(name));
	}
	if (!same_raw(qs, a, qf, b, "/AP")) {
		qpdf_oh oldap = pv_dget(qs, a, "/AP");
		int apn = num_of(qs, oldap);
		struct dobj *so = apn ? gobj(&d->S, apn) : NULL;

		/* An indirect appearance dictionary used elsewhere too must not
		 * be swapped out from under those other users' eyes. */
		if (so && (so->parents->len != 1 || g_array_index(so->parents, int, 0) != num)) {
			other(d, o, "field %s: its shared appearance dictionary %d was replaced",
			      name, apn);
			goto out;
		}
	}
	explain_key(d, b, num, "/AP", cls, true);
	explain_key(d, b, num, "/MK", cls, false);
	d->mods |= cls;
	judge(d, num, cls);
out:
	g_ptr_array_free(ch, TRUE);
}

/* Does the signature field F get its first value in this update? */
static bool being_signed(struct diff *d, qpdf_oh f, int num, int gen)
{
	return has(d->F.q, f, "/V") && !has(d->S.q, obj(d->S.q, num, gen), "/V");
}

struct fwalk {
	GHashTable *seen;
	GHashTable *widgets;	/* object numbers of widgets of known fields */
};

static void rule_fields(struct diff *d, qpdf_oh arr, const char *parent, const char *ft,
			int depth, struct fwalk *fw)
{
	qpdf_data q = d->F.q;
	int n;

	if (!qpdf_oh_is_array(q, arr) || depth > 32)
		return;
	n = qpdf_oh_get_array_n_items(q, arr);
	for (int i = 0; i < n && i < 100000 && d->budget-- > 0; i++) {
		qpdf_oh f = qpdf_oh_get_array_item(q, arr, i);
		int num = num_of(q, f), gen = num ? qpdf_oh_get_generation(q, f) : 0;
		char *t = pv_qpdf_text(q, pv_dget(q, f, "/T")), *name, *myft = NULL;
		const char *ftn;
		bool sig;
		enum state st;
		qpdf_oh kids;

		if (!num || g_hash_table_contains(fw->seen, GINT_TO_POINTER(num))) {
			g_free(t);
			continue;
		}
		g_hash_table_add(fw->seen, GINT_TO_POINTER(num));
		name = parent ? g_strdup_printf("%s.%s", parent, t ? t : "") : g_strdup(t ? t : "");
		ftn = qpdf_oh_is_name(q, pv_dget(q, f, "/FT")) ? qpdf_oh_get_name(q, pv_dget(q, f, "/FT"))
			: NULL;
		myft = g_strdup(ftn ? ftn : ft);
		sig = myft && !strcmp(myft, "/Sig");
		st = state_of(d, num);
		g_hash_table_add(fw->widgets, GINT_TO_POINTER(num));
		if (st == ST_NEW) {
			qpdf_oh v = pv_dget(q, f, "/V");
			unsigned cls = PV_MOD_SIGNATURES;

			if (!sig) {
				other(d, gobj(&d->F, num), "form field %s was added", name);
			} else {
				if (qpdf_oh_is_dictionary(q, v) && is_docts(q, v))
					cls = PV_MOD_TIMESTAMP;
				judge(d, num, cls);
				explain_key(d, f, num, "/V", cls, false);
				explain_key(d, f, num, "/AP", cls, false);
				explain_key(d, f, num, "/MK", cls, false);
				d->mods |= cls;
				if (t)
					g_hash_table_add(d->changed_fields, g_strdup(name));
			}
		} else if (st == ST_CHANGED) {
			rule_changed_widget(d, num, gen, name, sig, t != NULL,
					    sig && being_signed(d, f, num, gen));
		} else {
			judge(d, num, 0);
		}
		kids = pv_dget(q, f, "/Kids");
		if (qpdf_oh_is_array(q, kids)) {
			int nk = qpdf_oh_get_array_n_items(q, kids);
			int kn = num_of(q, kids);

			/* An indirect /Kids array may gain entries only when the
			 * field changed legitimately; it is compared there. */
			if (kn)
				judge(d, kn, 0);
			for (int k = 0; k < nk && k < 10000 && d->budget-- > 0; k++) {
				qpdf_oh kid = qpdf_oh_get_array_item(q, kids, k);
				int knum = num_of(q, kid);

				if (!knum || has(q, kid, "/T"))
					continue;
				/* A widget of this field. */
				g_hash_table_add(fw->widgets, GINT_TO_POINTER(knum));
				if (state_of(d, knum) == ST_CHANGED)
					rule_changed_widget(d, knum, qpdf_oh_get_generation(q, kid), name,
							    sig, false, sig && being_signed(d, f, num, gen));
				else if (state_of(d, knum) == ST_NEW)
					other(d, gobj(&d->F, knum), "a widget was added to field %s",
					      name);
				else
					judge(d, knum, 0);
			}
			rule_fields(d, kids, name, myft, depth + 1, fw);
		}
		g_free(myft);
		g_free(name);
		g_free(t);
	}
}

static const char *const annot_types[] = {
	"/Text", "/Link", "/FreeText", "/Line", "/Square", "/Circle", "/Polygon", "/PolyLine",
	"/Highlight", "/Underline", "/Squiggly", "/StrikeOut", "/Stamp", "/Caret", "/Ink", "/Popup",
	"/FileAttachment", "/Sound", "/Redact", NULL,
};

/* Refs in an array as object numbers (0 for direct entries), charged to
 * the diff's work budget. */
static GArray *ref_list(struct diff *d, qpdf_data q, qpdf_oh arr)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(int));
	int n = qpdf_oh_is_array(q, arr) ? qpdf_oh_get_array_n_items(q, arr) : 0;

	for (int i = 0; i < n && i < 100000 && d->budget > 0; i++, d->budget--) {
		int x = num_of(q, qpdf_oh_get_array_item(q, arr, i));

		g_array_append_val(a, x);
	}
	return a;
}

static GHashTable *int_set(GArray *a)
{
	GHashTable *h = g_hash_table_new(g_direct_hash, g_direct_equal);

	for (guint i = 0; i < a->len; i++)
		g_hash_table_add(h, GINT_TO_POINTER(g_array_index(a, int, i)));
	return h;
}

static bool has_int(GHashTable *set, int x)
{
	return g_hash_table_contains(set, GINT_TO_POINTER(x));
}

static void rule_page(struct diff *d, int num, int gen, int pageno, struct fwalk *fw)
{
	static const char *const ignore[] = { "/Annots", NULL };
	qpdf_data qs = d->S.q, qf = d->F.q;
	qpdf_oh a = obj(qs, num, gen), b = obj(qf, num, gen);
	struct dobj *o = gobj(&d->F, num);
	GPtrArray *ch;
	GArray *olda, *newa;
	GHashTable *olds, *news;
	int an;

	if (!o || o->st == ST_SAME || o->judged || d->budget <= 0)
		return;
	if (o->st == ST_NEW) {
		other(d, o, "page %d was added", pageno);
		return;
	}
	ch = changed_keys(qs, a, qf, b, ignore);
	if (ch->len) {
		other(d, o, "page %d: %s changed", pageno, (char *)g_ptr_array_index(ch, 0));
		g_ptr_array_free(ch, TRUE);
		return;
	}
	g_ptr_array_free(ch, TRUE);
	judge(d, num, 0);
	an = num_of(qf, pv_dget(qf, b, "/Annots"));
	if (an)
		judge(d, an, 0);
	olda = ref_list(d, qs, pv_dget(qs, a, "/Annots"));
	newa = ref_list(d, qf, pv_dget(qf, b, "/Annots"));
	olds = int_set(olda);
	news = int_set(newa);
	for (guint i = 0; i < olda->len; i++) {
		if (!has_int(news, g_array_index(olda, int, i)))
			other(d, o, "page %d: an annotation was removed", pageno);
	}
	for (guint i = 0; i < newa->len; i++) {
		int x = g_array_index(newa, int, i);
		qpdf_oh an_oh;
		const char *sub;
		bool known = false;

		if (has_int(olds, x))
			continue;
		if (!x) {
			other(d, o, "page %d: a direct annotation was added", pageno);
			continue;
		}
		if (g_hash_table_contains(fw->widgets, GINT_TO_POINTER(x))) {
			/* A widget of a (new) field: judged by the field rules. */
			continue;
		}
		an_oh = obj(qf, x, gobj(&d->F, x) ? gobj(&d->F, x)->gen : 0);
		sub = qpdf_oh_is_name(qf, pv_dget(qf, an_oh, "/Subtype"))
			? qpdf_oh_get_name(qf, pv_dget(qf, an_oh, "/Subtype")) : "";
		for (const char *const *t = annot_types; *t; t++)
			known |= !strcmp(*t, sub);
		if (!known || state_of(d, x) != ST_NEW) {
			other(d, o, "page %d: annotation %d (%s) was added", pageno, x,
			      *sub ? sub : "no /Subtype");
			continue;
		}
		d->mods |= PV_MOD_ANNOTS;
		explain(d, x, an ? an : num, PV_MOD_ANNOTS, false, 0);
	}
	/* Existing annotations that changed (not widgets: fields do those). */
	for (guint i = 0; i < newa->len; i++) {
		int x = g_array_index(newa, int, i);
		struct dobj *ao = gobj(&d->F, x);

		if (!x || !ao || ao->st != ST_CHANGED || ao->judged ||
		    g_hash_table_contains(fw->widgets, GINT_TO_POINTER(x)))
			continue;
		d->mods |= PV_MOD_ANNOTS;
		ao->judged = true;
		ao->cls |= PV_MOD_ANNOTS;
		note(d, "page %d: annotation %d was changed", pageno, x);
	}
	g_array_free(olda, TRUE);
	g_array_free(newa, TRUE);
	g_hash_table_destroy(olds);
	g_hash_table_destroy(news);
}

static void walk_pages(struct diff *d, qpdf_oh node, int depth, int *pageno, struct fwalk *fw,
		       GHashTable *seen)
{
	qpdf_data q = d->F.q;
	int num = num_of(q, node), gen = num ? qpdf_oh_get_generation(q, node) : 0;
	qpdf_oh kids;
	int n;

	if (!num || depth > 64 || g_hash_table_contains(seen, GINT_TO_POINTER(num)))
		return;
	g_hash_table_add(seen, GINT_TO_POINTER(num));
	kids = pv_dget(q, node, "/Kids");
	if (!qpdf_oh_is_array(q, kids)) {
		(*pageno)++;
		rule_page(d, num, gen, *pageno, fw);
		return;
	}
	/* An inner node of the page tree: any change adds, removes or
	 * reorders pages or changes inherited attributes. */
	if (state_of(d, num) != ST_SAME)
		other(d, gobj(&d->F, num), "the page tree node %d %d changed", num, gen);
	else
		judge(d, num, 0);
	n = qpdf_oh_get_array_n_items(q, kids);
	for (int i = 0; i < n && i < 100000; i++)
		walk_pages(d, qpdf_oh_get_array_item(q, kids, i), depth + 1, pageno, fw, seen);
}

static void rule_acroform(struct diff *d, qpdf_oh scat, qpdf_oh fcat, int cat)
{
	static const char *const ignore[] = {
		"/Fields", "/SigFlags", "/NeedAppearances", "/DA", "/DR", NULL,
	};
	qpdf_data qs = d->S.q, qf = d->F.q;
	qpdf_oh sa = pv_dget(qs, scat, "/AcroForm"), fa = pv_dget(qf, fcat, "/AcroForm");
	int an = num_of(qf, fa), fn;
	GPtrArray *ch;
	GArray *oldf, *newf;
	GHashTable *news;

	if (!qpdf_oh_is_dictionary(qf, fa)) {
		if (qpdf_oh_is_dictionary(qs, sa))
			other(d, NULL, "the AcroForm was removed");
		return;
	}
	if (an)
		judge(d, an, 0);
	ch = changed_keys(qs, sa, qf, fa, ignore);
	for (guint i = 0; i < ch->len; i++)
		other(d, an ? gobj(&d->F, an) : NULL, "AcroForm %s",
		      (char *)g_ptr_array_index(ch, i));
	g_ptr_array_free(ch, TRUE);
	if (!same_raw(qs, sa, qf, fa, "/SigFlags"))
		d->mods |= PV_MOD_SIGNATURES;
	if (!same_raw(qs, sa, qf, fa, "/NeedAppearances") || !same_raw(qs, sa, qf, fa, "/DA") ||
	    !same_raw(qs, sa, qf, fa, "/DR")) {
		d->mods |= PV_MOD_FORM;
		explain_key(d, fa, an ? an : cat, "/DR", PV_MOD_FORM, false);
	}
	fn = num_of(qf, pv_dget(qf, fa, "/Fields"));
	if (fn)
		judge(d, fn, 0);
	oldf = ref_list(d, qs, pv_dget(qs, sa, "/Fields"));
	newf = ref_list(d, qf, pv_dget(qf, fa, "/Fields"));
	news = int_set(newf);
	for (guint i = 0; i < oldf->len; i++) {
		if (!has_int(news, g_array_index(oldf, int, i)))
			other(d, NULL, "a form field was removed from the AcroForm");
	}
	g_hash_table_destroy(news);
	g_array_free(oldf, TRUE);
	g_array_free(newf, TRUE);
}

static void rule_catalog(struct diff *d, qpdf_oh scat, qpdf_oh fcat, int cat)
{
	static const char *const ignore[] = {
		"/AcroForm", "/DSS", "/Extensions", "/Metadata", NULL,
	};
	GPtrArray *ch = changed_keys(d->S.q, scat, d->F.q, fcat, ignore);

	for (guint i = 0; i < ch->len; i++)
		other(d, gobj(&d->F, cat), "catalog %s", (char *)g_ptr_array_index(ch, i));
	g_ptr_array_free(ch, TRUE);
	judge(d, cat, 0);
	/* Validation data may be added, also into an existing /DSS. */
	if (!same_raw(d->S.q, scat, d->F.q, fcat, "/DSS") ||
	    !same_raw(d->S.q, scat, d->F.q, fcat, "/Extensions"))
		d->mods |= PV_MOD_DSS;
	explain_key(d, fcat, cat, "/DSS", PV_MOD_DSS, true);
	explain_key(d, fcat, cat, "/Extensions", PV_MOD_DSS, true);
}

/* ---- the comparison -------------------------------------------------------------- */

static void compute_states(struct diff *d)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, d->F.objs);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct dobj *o = v;
		bool exists;

		if (same_object(d->S.q, d->F.q, o->num, o->gen, &exists))
			o->st = ST_SAME;
		else
			o->st = exists ? ST_CHANGED : ST_NEW;
	}
}

static void leftovers(struct diff *d)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, d->F.objs);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct dobj *o = v;

		if (o->st == ST_SAME || o->bad)
			continue;
		if (!o->judged && !o->explained) {
			other(d, o, "object %d %d was %s", o->num, o->gen,
			      o->st == ST_NEW ? "added" : "rewritten");
			continue;
		}
		if (o->st == ST_NEW) {
			/* Who points at a new object must have changed to do so,
			 * unless it pointed at nothing before. */
			for (guint i = 0; i < o->parents->len; i++) {
				int p = g_array_index(o->parents, int, i);

				if (p && state_of(d, p) == ST_SAME) {
					other(d, o, "object %d %d fills a dangling reference of "
					      "unchanged object %d", o->num, o->gen, p);
					break;
				}
			}
		}
		d->mods |= o->cls;
	}
}

static void apply_permissions(struct diff *d)
{
	struct pv_work *w = d->w;
	struct pv_sigwork *s = d->s;
	unsigned allowed = PV_MOD_TIMESTAMP | PV_MOD_DSS;
	int p = w->docmdp_p;
	GHashTableIter it;
	gpointer k, v;

	/* DocMDP binds from the certification on. */
	if (w->docmdp_sig >= 0) {
		struct pv_sigwork *cert = g_ptr_array_index(w->sigs, w->docmdp_sig);

		if (cert->signed_end > s->signed_end)
			p = 0;
	}
	s->pub->docmdp = p;
	if (p == 0 || p == 3)
		allowed |= PV_MOD_SIGNATURES | PV_MOD_FORM | PV_MOD_ANNOTS;
	else if (p == 2)
		allowed |= PV_MOD_SIGNATURES | PV_MOD_FORM;
	if (d->mods & PV_MOD_OTHER)
		pv_problem(w, s, "MODIFIED_AFTER_SIGNING", "the document was changed after this "
			   "signature beyond what a signature permits");
	if (d->mods & ~allowed & ~PV_MOD_OTHER)
		pv_problem(w, s, "MODIFICATION_NOT_PERMITTED", "changes (%s) after this signature "
			   "that /DocMDP /P %d forbids", pdfverify_mods_name(d->mods & ~allowed), p);
	g_hash_table_iter_init(&it, d->changed_fields);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		if (field_locked(d, k)) {
			pv_problem(w, s, "MODIFICATION_NOT_PERMITTED", "field %s is locked by this "
				   "signature (/FieldMDP) but changed after it", (char *)k);
			break;
		}
	}
}

void pv_diff(struct pv_work *w, struct pv_sigwork *s)
{
	struct diff d = { .w = w, .s = s, .budget = 2000000 };
	const struct pv_rev *rv, *last;
	char *err = NULL, *what;
	qpdf_oh st, ft, scat, fcat;
	int cat, pageno = 0;
	struct fwalk fw;
	GHashTable *seen;
	bool exists;

	if (s->rev < 0 || !w->final || !w->revs->len)
		return;
	rv = &g_array_index(w->revs, struct pv_rev, s->rev);
	last = &g_array_index(w->revs, struct pv_rev, w->revs->len - 1);
	s->pub->covers_whole = (guint)s->rev == w->revs->len - 1 &&
			       !g_ptr_array_find_with_equal_func(w->r->problems, "TRAILING_DATA",
								 g_str_equal, NULL);
	s->pub->modified_after = !s->pub->covers_whole;
	if ((guint)s->rev == w->revs->len - 1) {
		(void)last;
		return;	/* nothing follows but, perhaps, trailing data (a document problem) */
	}
	what = g_strdup_printf("revision %d", s->rev + 1);
	d.S.q = pv_qpdf_open(w, w->buf, rv->end, what, &err);
	g_free(what);
	if (!d.S.q) {
		pv_problem(w, s, "REVISION_UNPARSABLE", "the signed revision cannot be read: %s", err);
		g_free(err);
		return;
	}
	d.F.q = w->final;
	d.changed_fields = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	graph_walk(&d.S, false);
	graph_walk(&d.F, true);
	if (d.S.truncated || d.F.truncated) {
		pv_problem(w, s, "DIFF_TOO_LARGE", "more than %d objects: changes not analysed",
			   MAX_OBJECTS);
		goto out;
	}
	compute_states(&d);

	/* The signature's own dictionary must be exactly what was signed. */
	if (s->sig_obj > 0 && !same_object(d.S.q, d.F.q, s->sig_obj, s->sig_gen, &exists))
		pv_problem(w, s, "SIGNATURE_DICT_CHANGED", "the signature dictionary %d %d was "
			   "rewritten after signing", s->sig_obj, s->sig_gen);

	st = qpdf_get_trailer(d.S.q);
	ft = qpdf_get_trailer(d.F.q);
	rule_trailer(&d, st, ft);
	scat = qpdf_get_root(d.S.q);
	fcat = qpdf_get_root(d.F.q);
	cat = num_of(d.F.q, fcat);
	if (!cat || cat != num_of(d.S.q, scat)) {
		other(&d, NULL, "the document catalog was replaced");
		goto out;
	}
	rule_catalog(&d, scat, fcat, cat);
	rule_acroform(&d, qpdf_get_root(d.S.q), qpdf_get_root(d.F.q), cat);
	fw.seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	fw.widgets = g_hash_table_new(g_direct_hash, g_direct_equal);
	rule_fields(&d, pv_dget(d.F.q, pv_dget(d.F.q, qpdf_get_root(d.F.q), "/AcroForm"), "/Fields"), NULL,
		    NULL, 0, &fw);
	seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	walk_pages(&d, pv_dget(d.F.q, qpdf_get_root(d.F.q), "/Pages"), 0, &pageno, &fw, seen);
	g_hash_table_destroy(seen);
	g_hash_table_destroy(fw.seen);
	g_hash_table_destroy(fw.widgets);
	rule_metadata(&d, qpdf_get_trailer(d.F.q), qpdf_get_root(d.F.q), cat);
	leftovers(&d);
	if (d.budget <= 0)
		pv_problem(w, s, "DIFF_TOO_LARGE", "too many annotations or fields to compare");
	apply_permissions(&d);
	s->pub->mods = d.mods;
out:
	clear_error(d.F.q);
	qpdf_oh_release_all(d.F.q);
	if (d.S.objs)
		g_hash_table_destroy(d.S.objs);
	if (d.F.objs)
		g_hash_table_destroy(d.F.objs);
	if (d.changed_fields)
		g_hash_table_destroy(d.changed_fields);
	pv_qpdf_close(&d.S.q);
}
