/*
 * testutil.c - see testutil.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "testutil.h"

const char *tu_bin(void)
{
	const char *b = getenv("TTE_BIN");

	return b && *b ? b : "build/asan/tte";
}

char *tu_shared(const char *rel)
{
	/* tests/data holds copies of what the tests use from ../shared
	 * (samples, the signed-PDF corpus), so a clean clone tests on its own;
	 * $TTE_SHARED is the fallback for anything not copied. */
	char *local = g_build_filename("tests", "data", rel, NULL);
	const char *s;

	if (g_file_test(local, G_FILE_TEST_EXISTS))
		return local;
	g_free(local);
	s = getenv("TTE_SHARED");
	return g_build_filename(s && *s ? s : "../shared", rel, NULL);
}

char *tu_sample(const char *rel)
{
	/* Copies of ../shared/samples live in the repository, so a clean
	 * clone tests on its own. */
	return g_build_filename("tests", "data", "samples", rel, NULL);
}

void tu_write(const char *path, const char *data, size_t len)
{
	GError *err = NULL;

	if (!g_file_set_contents(path, data, (gssize)len, &err))
		fail_msg("write %s: %s", path, err->message);
}

void tu_write_str(const char *path, const char *text)
{
	tu_write(path, text, strlen(text));
}

char *tu_read(const char *path, size_t *len)
{
	gchar *data = NULL;
	gsize n = 0;
	GError *err = NULL;

	if (!g_file_get_contents(path, &data, &n, &err))
		fail_msg("read %s: %s", path, err->message);
	if (len)
		*len = n;
	return data;
}

void tu_copy(const char *src, const char *dst)
{
	size_t n;
	char *d = tu_read(src, &n);

	tu_write(dst, d, n);
	g_free(d);
}

char *tu_path(const char *root, const char *rel)
{
	return g_build_filename(root, rel, NULL);
}

char *tu_root_new(const char *extra)
{
	char *tmpl = g_build_filename(g_get_tmp_dir(), "tte-test-XXXXXX", NULL);
	char *root = g_mkdtemp(tmpl);
	char *conf;
	GString *s;

	if (!root)
		fail_msg("mkdtemp: %s", strerror(errno));
	s = g_string_new("[inbox]\nsettle_seconds = 0\n\n"
			 "[pemberi_rekomendasi]\n"
			 "nama = Made Contoh Rekomendasi\n"
			 "nip = 197501012000031001\n"
			 "nik = 5108010101750001\n"
			 "golongan = IV/a\n"
			 "email = kepala.tik@undiksha.ac.id\n");
	if (extra)
		g_string_append_printf(s, "\n%s\n", extra);
	conf = g_build_filename(root, "tte.conf", NULL);
	tu_write_str(conf, s->str);
	/* as after `tte init`: the verifier's drop folders exist */
	for (const char *const *d = (const char *const[]){ "inbox/forms", "inbox/status",
							   "inbox/signed", NULL }; *d; d++) {
		char *p = g_build_filename(root, *d, NULL);

		g_mkdir_with_parents(p, 0700);
		g_free(p);
	}
	g_free(conf);
	g_string_free(s, TRUE);
	return root;
}

void tu_root_free(char *root)
{
	if (!root)
		return;
	if (!getenv("TTE_KEEP"))
		tu_sh(NULL, "rm -rf '%s'", root);
	g_free(root);
}

static int spawn(char **argv, char **out, char **err)
{
	gchar *o = NULL, *e = NULL;
	gint status = 0;
	GError *gerr = NULL;

	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL, NULL,
			  NULL, &o, &e, &status, &gerr))
		fail_msg("spawn %s: %s", argv[0], gerr->message);
	if (out)
		*out = o;
	else
		g_free(o);
	if (err)
		*err = e;
	else {
		if (e && *e && getenv("TTE_VERBOSE"))
			fprintf(stderr, "%s", e);
		g_free(e);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int tu_tte(const char *root, const char *date, char **out, char **err, ...)
{
	GPtrArray *a = g_ptr_array_new();
	va_list ap;
	int rc;

	g_ptr_array_add(a, (gpointer)tu_bin());
	g_ptr_array_add(a, (gpointer)"--root");
	g_ptr_array_add(a, (gpointer)root);
	if (date) {
		/* Tests replay fixed days, which may lie ahead of the clock. */
		g_ptr_array_add(a, (gpointer)"--date");
		g_ptr_array_add(a, (gpointer)date);
		g_ptr_array_add(a, (gpointer)"--allow-future-date");
	}
	va_start(ap, err);
	for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
		g_ptr_array_add(a, (gpointer)s);
	va_end(ap);
	g_ptr_array_add(a, NULL);
	rc = spawn((char **)a->pdata, out, err);
	g_ptr_array_free(a, TRUE);
	return rc;
}

pid_t tu_run_stop_at(const char *root, const char *date, const char *spec, pid_t *stopped)
{
	int fds[2];
	pid_t pid;
	char buf[32];
	ssize_t n, got = 0;

	if (pipe2(fds, O_CLOEXEC))
		fail_msg("pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		char fd[16];

		setpgid(0, 0);
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		/* the write end goes down to the stage; the read end does not */
		dup2(fds[1], 100);
		g_snprintf(fd, sizeof(fd), "%d", 100);
		setenv("TTE_TEST_STOP_FD", fd, 1);
		setenv("TTE_TEST_STOP_AT", spec, 1);
		execl(tu_bin(), "tte", "--root", root, "--date", date, "--allow-future-date", "run",
		      (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	close(fds[1]);
	/* The stage writes its pid and stops; EOF means the run ended (or
	 * died) without reaching the point. */
	while (got < (ssize_t)sizeof(buf) - 1) {
		n = read(fds[0], buf + got, sizeof(buf) - 1 - (size_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
		if (memchr(buf, '\n', (size_t)got))
			break;
	}
	close(fds[0]);
	buf[got] = 0;
	*stopped = got ? (pid_t)g_ascii_strtoll(buf, NULL, 10) : 0;
	return pid;
}

int tu_kill_run(pid_t run, pid_t stopped)
{
	int pidfd = stopped > 0 ? (int)syscall(SYS_pidfd_open, stopped, 0) : -1;
	int status;

	if (stopped > 0 && pidfd < 0 && errno != ESRCH)
		fail_msg("pidfd_open: %s", strerror(errno));
	if (kill(-run, SIGKILL))
		fail_msg("kill: %s", strerror(errno));
	if (waitpid(run, &status, 0) != run)
		fail_msg("waitpid: %s", strerror(errno));
	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		int n;

		/* readable once the process has exited (its files closed) */
		while ((n = poll(&p, 1, 60000)) < 0 && errno == EINTR)
			;
		close(pidfd);
		if (n != 1)
			fail_msg("the stopped program %d did not exit", (int)stopped);
	}
	return status;
}

int tu_sh(char **out, const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", NULL, NULL };
	int rc;

	va_start(ap, fmt);
	cmd = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	argv[2] = cmd;
	rc = spawn(argv, out, NULL);
	g_free(cmd);
	return rc;
}

char *tu_sql(const char *root, const char *sql)
{
	char *db = g_build_filename(root, "var", "tte.db", NULL);
	char *argv[] = { (char *)"sqlite3", (char *)"-batch", db, (char *)sql, NULL };
	char *out = NULL, *err = NULL;
	int rc = spawn(argv, &out, &err);
	size_t n;

	if (rc)
		fail_msg("sqlite3 %s: %s", sql, err);
	g_free(err);
	g_free(db);
	n = strlen(out);
	while (n && out[n - 1] == '\n')
		out[--n] = 0;
	return out;
}

long long tu_sql_int(const char *root, const char *sql)
{
	char *s = tu_sql(root, sql);
	long long v = g_ascii_strtoll(s, NULL, 10);

	g_free(s);
	return v;
}

/* unzip -p XLSX MEMBER; NULL when the member is absent. */
static char *unzip_member(const char *xlsx, const char *member, size_t *len)
{
	char *argv[] = { (char *)"unzip", (char *)"-p", (char *)xlsx, (char *)member, NULL };
	gchar *o = NULL;
	gint status;
	gsize n;
	GError *e = NULL;

	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
			  NULL, &o, NULL, &status, &e))
		fail_msg("unzip: %s", e->message);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		g_free(o);
		return NULL;
	}
	n = strlen(o);	/* XML has no NUL */
	if (len)
		*len = n;
	return o;
}

static xmlXPathObjectPtr xp(xmlDocPtr doc, const char *expr, xmlNodePtr ctx)
{
	xmlXPathContextPtr c = xmlXPathNewContext(doc);
	xmlXPathObjectPtr r;

	xmlXPathRegisterNs(c, BAD_CAST "m",
			   BAD_CAST "http://schemas.openxmlformats.org/spreadsheetml/2006/main");
	xmlXPathRegisterNs(c, BAD_CAST "r",
			   BAD_CAST "http://schemas.openxmlformats.org/officeDocument/2006/relationships");
	xmlXPathRegisterNs(c, BAD_CAST "pr",
			   BAD_CAST "http://schemas.openxmlformats.org/package/2006/relationships");
	if (ctx)
		c->node = ctx;
	r = xmlXPathEvalExpression(BAD_CAST expr, c);
	xmlXPathFreeContext(c);
	return r;
}

static char *node_text(xmlNodePtr n)
{
	xmlChar *s = xmlNodeGetContent(n);
	char *r = g_strdup(s ? (const char *)s : "");

	xmlFree(s);
	return r;
}

/* Concatenated <t> texts under N (rich text runs included). */
static char *string_item(xmlDocPtr doc, xmlNodePtr n)
{
	xmlXPathObjectPtr ts = xp(doc, ".//m:t", n);
	GString *s = g_string_new(NULL);

	for (int i = 0; ts && ts->nodesetval && i < ts->nodesetval->nodeNr; i++) {
		char *t = node_text(ts->nodesetval->nodeTab[i]);

		g_string_append(s, t);
		g_free(t);
	}
	xmlXPathFreeObject(ts);
	return g_string_free(s, FALSE);
}

static guint col_index(const char *ref)
{
	guint c = 0;

	for (; *ref >= 'A' && *ref <= 'Z'; ref++)
		c = c * 26 + (guint)(*ref - 'A' + 1);
	return c - 1;
}

static xmlDocPtr parse_member(const char *xlsx, const char *member)
{
	size_t n;
	char *x = unzip_member(xlsx, member, &n);
	xmlDocPtr d;

	if (!x)
		return NULL;
	d = xmlReadMemory(x, (int)n, member, NULL, XML_PARSE_NONET | XML_PARSE_HUGE);
	g_free(x);
	return d;
}

GPtrArray *tu_xlsx_sheet(const char *xlsx, const char *sheet)
{
	xmlDocPtr wb = parse_member(xlsx, "xl/workbook.xml");
	xmlDocPtr rels = parse_member(xlsx, "xl/_rels/workbook.xml.rels");
	xmlDocPtr ss = parse_member(xlsx, "xl/sharedStrings.xml");
	xmlDocPtr sh = NULL;
	GPtrArray *strings = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *rows = NULL;
	char *expr, *rid = NULL, *target = NULL, *member;
	xmlXPathObjectPtr o;

	if (!wb || !rels)
		fail_msg("%s is not an XLSX workbook", xlsx);
	expr = g_strdup_printf("//m:sheet[@name='%s']", sheet);
	o = xp(wb, expr, NULL);
	g_free(expr);
	if (o && o->nodesetval && o->nodesetval->nodeNr) {
		xmlChar *r = xmlGetNsProp(o->nodesetval->nodeTab[0], BAD_CAST "id",
					  BAD_CAST "http://schemas.openxmlformats.org/officeDocument/2006/relationships");

		rid = g_strdup((const char *)r);
		xmlFree(r);
	}
	xmlXPathFreeObject(o);
	if (!rid)
		goto out;
	expr = g_strdup_printf("//pr:Relationship[@Id='%s']", rid);
	o = xp(rels, expr, NULL);
	g_free(expr);
	if (o && o->nodesetval && o->nodesetval->nodeNr) {
		xmlChar *t = xmlGetProp(o->nodesetval->nodeTab[0], BAD_CAST "Target");

		target = g_strdup((const char *)t);
		xmlFree(t);
	}
	xmlXPathFreeObject(o);
	if (!target)
		goto out;
	member = target[0] == '/' ? g_strdup(target + 1) : g_strdup_printf("xl/%s", target);
	sh = parse_member(xlsx, member);
	g_free(member);
	if (!sh)
		goto out;
	if (ss) {
		o = xp(ss, "/m:sst/m:si", NULL);
		for (int i = 0; o && o->nodesetval && i < o->nodesetval->nodeNr; i++)
			g_ptr_array_add(strings, string_item(ss, o->nodesetval->nodeTab[i]));
		xmlXPathFreeObject(o);
	}
	rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	o = xp(sh, "//m:sheetData/m:row", NULL);
	for (int i = 0; o && o->nodesetval && i < o->nodesetval->nodeNr; i++) {
		xmlNodePtr rn = o->nodesetval->nodeTab[i];
		xmlChar *rattr = xmlGetProp(rn, BAD_CAST "r");
		guint rix = rattr ? (guint)g_ascii_strtoull((const char *)rattr, NULL, 10) - 1 : rows->len;
		GPtrArray *row;
		xmlXPathObjectPtr cs;

		xmlFree(rattr);
		while (rows->len <= rix)
			g_ptr_array_add(rows, g_ptr_array_new_with_free_func(g_free));
		row = rows->pdata[rix];
		cs = xp(sh, "m:c", rn);
		for (int j = 0; cs && cs->nodesetval && j < cs->nodesetval->nodeNr; j++) {
			xmlNodePtr c = cs->nodesetval->nodeTab[j];
			xmlChar *ref = xmlGetProp(c, BAD_CAST "r");
			xmlChar *type = xmlGetProp(c, BAD_CAST "t");
			guint ci = ref ? col_index((const char *)ref) : row->len;
			char *val = NULL;

			if (type && !strcmp((const char *)type, "inlineStr")) {
				val = string_item(sh, c);
			} else {
				xmlXPathObjectPtr v = xp(sh, "m:v", c);

				if (v && v->nodesetval && v->nodesetval->nodeNr)
					val = node_text(v->nodesetval->nodeTab[0]);
				xmlXPathFreeObject(v);
				if (val && type && !strcmp((const char *)type, "s")) {
					guint k = (guint)g_ascii_strtoull(val, NULL, 10);

					g_free(val);
					val = g_strdup(k < strings->len ? (char *)strings->pdata[k] : "");
				}
			}
			while (row->len <= ci)
				g_ptr_array_add(row, g_strdup(""));
			g_free(row->pdata[ci]);
			row->pdata[ci] = val ? val : g_strdup("");
			xmlFree(ref);
			xmlFree(type);
		}
		xmlXPathFreeObject(cs);
	}
	xmlXPathFreeObject(o);
out:
	g_free(rid);
	g_free(target);
	g_ptr_array_unref(strings);
	if (wb)
		xmlFreeDoc(wb);
	if (rels)
		xmlFreeDoc(rels);
	if (ss)
		xmlFreeDoc(ss);
	if (sh)
		xmlFreeDoc(sh);
	return rows;
}

const char *tu_cell(GPtrArray *rows, guint r, guint c)
{
	GPtrArray *row;

	if (!rows || r >= rows->len)
		return "";
	row = rows->pdata[r];
	return c < row->len ? row->pdata[c] : "";
}

int tu_col(GPtrArray *rows, const char *name)
{
	GPtrArray *h;

	if (!rows || !rows->len)
		return -1;
	h = rows->pdata[0];
	for (guint i = 0; i < h->len; i++)
		if (!strcmp(h->pdata[i], name))
			return (int)i;
	return -1;
}

int tu_find_row(GPtrArray *rows, int col, const char *value)
{
	if (col < 0)
		return -1;
	for (guint r = 0; rows && r < rows->len; r++)
		if (!strcmp(tu_cell(rows, r, (guint)col), value))
			return (int)r;
	return -1;
}

gboolean tu_file_contains(const char *path, const char *needle)
{
	char *q = g_shell_quote(needle);
	char *p = g_shell_quote(path);
	int rc = tu_sh(NULL, "grep -rqaF -e %s %s", q, p);

	g_free(q);
	g_free(p);
	return rc == 0;
}

char *tu_tool(const char *name)
{
	char *dir = g_path_get_dirname(tu_bin());
	char *p = g_build_filename(dir, "tools", name, NULL);

	g_free(dir);
	return p;
}

void tu_gen_forms(const char *path, const char *args)
{
	char *gen = tu_tool("gen-forms");

	if (tu_sh(NULL, "'%s' %s > '%s'", gen, args ? args : "", path))
		fail_msg("gen-forms %s failed", args ? args : "");
	g_free(gen);
}

int tu_count_files(const char *root, const char *rel)
{
	char *p = tu_path(root, rel);
	GDir *d = g_dir_open(p, 0, NULL);
	int n = 0;

	if (d) {
		while (g_dir_read_name(d))
			n++;
		g_dir_close(d);
	}
	g_free(p);
	return n;
}
