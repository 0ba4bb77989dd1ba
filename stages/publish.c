/*
 * publish - the static site behind the letters' QR codes, outbox/web/.
 *
 * Input: every letter tte ever issued (the letters table, with the
 * verified signed copy's facts and, for letters written before the pages
 * existed, the applicant's row and tte.conf); [surat] url_verifikasi.
 * Output: outbox/web/, the document root of the site the URL names: for
 * each letter id, <url path>/<id>/index.html (a self-contained page in
 * Indonesian: the letter's facts, its state in words, its SHA-256 and the
 * signed copy's, and a checker that hashes a PDF in the reader's browser)
 * and index.json beside it; 404.html and robots.txt at the top.
 *
 * What a page may say is fixed here and nowhere else: the institution,
 * the letter id and date, the recommender's name and position, the
 * applicant's name and unit, the NIP masked, the state, the hashes and
 * the signed copy's verification. Never a NIK, e-mail, phone, KTP link or
 * form answer, and no file lists any letter id but its own, so the site
 * cannot be enumerated (nor indexed: noindex, robots.txt).
 *
 * Cheap and atomic: every page is built in memory and compared with the
 * file in place; only a page whose bytes differ is written. New files are
 * written under outbox/.web-tmp/ (beside the site, so a publish caught
 * half-way never ships a temporary), flushed to disk with one syncfs() per
 * batch instead of one fsync per file (ten thousand fsyncs would cost more
 * than everything else together; syncfs gives the same guarantee for all
 * of them at once), renamed into place, and the renames made durable by a
 * last syncfs. A reader of the site sees each page old or new, never half.
 * The stage changes nothing in the store.
 *
 * Fails with exit 1 when a file cannot be written or renamed (a full disk,
 * a read-only outbox/web/): pages not yet renamed keep their previous
 * bytes, so the site stays as it was or partly newer, each page whole.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>

#include "config.h"
#include "dates.h"
#include "fsutil.h"
#include "json.h"
#include "log.h"
#include "stage.h"
#include "store.h"
#include "tte.h"

/* Files staged before they are flushed and renamed together: bounds the
 * temporaries on disk, not a tuning. */
#define BATCH 4096
/* Longer than any page can be (the fields are bounded by the letter's
 * one page): what the comparison reads at most. */
#define SCRATCH (256 * 1024)

/* A page's state, in the words the page uses. The state is the letter's,
 * not the applicant's: it follows from the letter row alone. */
enum page_state { PS_CURRENT, PS_SIGNED, PS_REPLACED, PS_WITHDRAWN };

static const struct {
	const char *key;	/* index.json "state" */
	const char *words;	/* the page's headline */
} states[] = {
	[PS_CURRENT] = { "berlaku", "berlaku" },
	[PS_SIGNED] = { "ditandatangani", "telah ditandatangani secara elektronik" },
	[PS_REPLACED] = { "digantikan", "digantikan" },
	[PS_WITHDRAWN] = { "dibatalkan", "dibatalkan" },
};

/* One letter as its page shows it. Strings borrowed from the statement. */
struct page {
	const char *id, *day, *sha256, *superseded_day;
	bool replaced;		/* a later version of the same applicant exists */
	const char *signed_sha256, *signed_day, *signer, *issuer;
	const char *instansi, *rec_name, *rec_position, *name, *unit, *nip;
};

struct staged {
	char *tmp;		/* under outbox/.web-tmp */
	char *final;		/* under outbox/web */
	int files;		/* files it holds (2 for a new page's folder) */
};

struct site {
	struct tte_ctx *ctx;
	char *web;		/* outbox/web, absolute */
	char *tmpdir;		/* outbox/.web-tmp, absolute */
	char *pages;		/* folder of the pages under web ("verifikasi") */
	int web_fd, tmp_fd;
	char *scratch;		/* reads of pages in place */
	GHashTable *issuers;	/* "id|sha256" -> issuer DN of the signed copy */
	GPtrArray *staged;	/* struct staged *, waiting for their rename */
	unsigned seq;		/* temporary names */
	long letters, written, unchanged;
};

/* ---- text -------------------------------------------------------------------- */

static void html_text(GString *s, const char *t)
{
	char *e = g_markup_escape_text(t ? t : "", -1);

	g_string_append(s, e);
	g_free(e);
}

/* The NIP as the page shows it: the first and last four digits, the rest
 * (birth date and TMT, which identify the person) starred. */
static char *mask_nip(const char *nip)
{
	size_t n = nip ? strlen(nip) : 0;
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < n; i++)
		g_string_append_c(s, n >= 12 && (i < 4 || i >= n - 4) ? nip[i] : '*');
	return g_string_free(s, FALSE);
}

/* "24 November 2026" of an ISO day; the day itself when it is not one. */
static char *long_day(const char *iso)
{
	GDate d;

	if (!iso || date_parse_iso(iso, &d))
		return g_strdup(iso ? iso : "");
	return date_long_id(&d);
}

static enum page_state page_state(const struct page *p)
{
	if (p->superseded_day)
		return p->replaced ? PS_REPLACED : PS_WITHDRAWN;
	return p->signed_sha256 ? PS_SIGNED : PS_CURRENT;
}

/* ---- the pages ------------------------------------------------------------------ */

/* What every page shares: small, inline, no external reference of any
 * kind (the CSP forbids them, so a later edit cannot add one unnoticed). */
static const char head[] =
	"<!DOCTYPE html>\n"
	"<html lang=\"id\">\n"
	"<head>\n"
	"<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<meta name=\"robots\" content=\"noindex, nofollow, noarchive\">\n"
	"<meta name=\"referrer\" content=\"no-referrer\">\n"
	"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	"style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n";

static const char style[] =
	"<style>\n"
	"body{margin:0;background:#f4f4f1;color:#1b1b1b;font:16px/1.5 system-ui,sans-serif}\n"
	"main{max-width:44em;margin:0 auto;padding:1em}\n"
	"h1{font-size:1.25em;margin:.2em 0 .8em}\n"
	".inst{margin:0;font-weight:600;color:#444}\n"
	".status{padding:.8em 1em;border-radius:.4em;border:2px solid;font-size:1.1em}\n"
	".berlaku,.ditandatangani,.surat,.ttd{border-color:#1d6b2f;background:#e6f4e9}\n"
	".digantikan,.dibatalkan,.bukan{border-color:#9b1c1c;background:#fbe9e9}\n"
	"table{border-collapse:collapse;width:100%;margin:1em 0}\n"
	"th,td{text-align:left;vertical-align:top;padding:.35em .4em;border-bottom:1px solid #ccc}\n"
	"th{width:38%;font-weight:600}\n"
	"code{font-size:.85em;word-break:break-all}\n"
	"#cek{border:2px dashed #777;border-radius:.4em;padding:1em;margin:1em 0}\n"
	"#cek.di{background:#e8eef9}\n"
	".hasil{margin:.8em 0 0;padding:.6em;border:2px solid transparent;border-radius:.4em}\n"
	".hasil:empty{display:none}\n"
	"small{color:#555}\n"
	"@media print{body{background:#fff}#cek{display:none}}\n"
	"</style>\n";

/* The checker: the reader's PDF is hashed here, in the browser (Web
 * Crypto), and compared with the two hashes the page carries; nothing is
 * sent anywhere (the CSP would stop it). */
static const char script[] =
	"<script>\n"
	"(function(){var c=document.getElementById('cek');if(!c)return;c.hidden=false;\n"
	"var f=document.getElementById('berkas'),h=document.getElementById('hasil');\n"
	"function say(k,t){h.className='hasil '+k;h.setAttribute('data-hasil',k);h.textContent=t;}\n"
	"function hex(b){var a=new Uint8Array(b),s='';for(var i=0;i<a.length;i++)"
	"s+=(a[i]<16?'0':'')+a[i].toString(16);return s;}\n"
	"function cek(b){if(!b)return;\n"
	"if(!window.crypto||!crypto.subtle){say('galat','Peramban ini tidak dapat menghitung "
	"SHA-256 di halaman ini (diperlukan https).');return;}\n"
	"say('proses','Menghitung SHA-256 ...');\n"
	"b.arrayBuffer().then(function(d){return crypto.subtle.digest('SHA-256',d);}).then("
	"function(d){var x=hex(d),s=c.getAttribute('data-surat'),t=c.getAttribute('data-ttd');\n"
	"if(x===s)say('surat','Berkas ini sama persis dengan surat sebagaimana diterbitkan. "
	"SHA-256: '+x);\n"
	"else if(t&&x===t)say('ttd','Berkas ini sama persis dengan salinan bertanda tangan "
	"elektronik yang telah diverifikasi. SHA-256: '+x);\n"
	"else say('bukan','Berkas ini BUKAN salinan asli surat ini. SHA-256: '+x);},\n"
	"function(){say('galat','Berkas tidak dapat dibaca.');});}\n"
	"f.addEventListener('change',function(){cek(f.files[0]);});\n"
	"c.addEventListener('dragover',function(e){e.preventDefault();c.className='di';});\n"
	"c.addEventListener('dragleave',function(){c.className='';});\n"
	"c.addEventListener('drop',function(e){e.preventDefault();c.className='';"
	"cek(e.dataTransfer.files[0]);});})();\n"
	"</script>\n";

static void row(GString *s, const char *label, const char *value)
{
	g_string_append(s, "<tr><th>");
	g_string_append(s, label);
	g_string_append(s, "</th><td>");
	html_text(s, value && *value ? value : "\u2013");
	g_string_append(s, "</td></tr>\n");
}

static void row_code(GString *s, const char *label, const char *hex)
{
	g_string_append_printf(s, "<tr><th>%s</th><td><code>", label);
	html_text(s, hex);
	g_string_append(s, "</code></td></tr>\n");
}

static void page_html(GString *s, const struct page *p, const char *nip_masked)
{
	enum page_state ps = page_state(p);
	char *day = long_day(p->day), *sup = long_day(p->superseded_day);
	char *sig = long_day(p->signed_day);

	g_string_append(s, head);
	g_string_append(s, "<title>Verifikasi surat ");
	html_text(s, p->id);
	g_string_append(s, "</title>\n");
	g_string_append(s, style);
	g_string_append(s, "</head>\n<body>\n<main>\n<p class=\"inst\">");
	html_text(s, p->instansi);
	g_string_append(s, "</p>\n<h1>Verifikasi Surat Rekomendasi Permohonan Penerbitan "
			   "Sertifikat Elektronik</h1>\n");
	g_string_append_printf(s, "<p class=\"status %s\" id=\"status\" data-status=\"%s\">",
			       states[ps].key, states[ps].key);
	switch (ps) {
	case PS_CURRENT:
		g_string_append(s, "Surat ini <strong>berlaku</strong>: diterbitkan pada ");
		html_text(s, day);
		g_string_append(s, " dan belum digantikan.");
		break;
	case PS_SIGNED:
		g_string_append(s, "Surat ini <strong>telah ditandatangani secara elektronik"
				   "</strong>: salinan bertanda tangan diverifikasi pada ");
		html_text(s, sig);
		g_string_append(s, ".");
		break;
	case PS_REPLACED:
		g_string_append(s, "Surat ini <strong>digantikan</strong> sejak ");
		html_text(s, sup);
		g_string_append(s, " oleh surat lain karena data pemohon diperbaiki, dan tidak "
				   "berlaku lagi.");
		break;
	case PS_WITHDRAWN:
		g_string_append(s, "Surat ini <strong>dibatalkan</strong> sejak ");
		html_text(s, sup);
		g_string_append(s, " dan tidak berlaku lagi.");
		break;
	}
	g_string_append(s, "</p>\n<table>\n");
	row(s, "ID surat", p->id);
	row(s, "Tanggal surat", day);
	row(s, "Instansi", p->instansi);
	row(s, "Pemberi rekomendasi", p->rec_name);
	row(s, "Jabatan pemberi rekomendasi", p->rec_position);
	row(s, "Pemohon", p->name);
	row(s, "Unit kerja pemohon", p->unit);
	row(s, "NIP pemohon", nip_masked);
	row_code(s, "SHA-256 surat yang diterbitkan", p->sha256);
	if (p->signed_sha256) {
		row_code(s, "SHA-256 salinan bertanda tangan", p->signed_sha256);
		row(s, "Tanda tangan diverifikasi", sig);
		row(s, "Penanda tangan", p->signer);
		row(s, "Penerbit sertifikat penanda tangan", p->issuer);
	}
	g_string_append(s, "</table>\n");
	g_string_append(s, "<section id=\"cek\" hidden data-surat=\"");
	html_text(s, p->sha256);
	g_string_append(s, "\" data-ttd=\"");
	html_text(s, p->signed_sha256);
	g_string_append(s, "\">\n<h2>Periksa berkas PDF yang Anda pegang</h2>\n"
			   "<p><label for=\"berkas\">Pilih atau seret berkas PDF surat ke kotak "
			   "ini.</label> Berkas diperiksa di peramban Anda dan tidak dikirim ke mana "
			   "pun.</p>\n"
			   "<p><input type=\"file\" id=\"berkas\" accept=\"application/pdf,.pdf\">"
			   "</p>\n<p id=\"hasil\" class=\"hasil\" aria-live=\"polite\"></p>\n"
			   "</section>\n");
	g_string_append(s, "<p><small>Bandingkan SHA-256 berkas Anda (misalnya "
			   "<code>sha256sum surat.pdf</code>) dengan nilai di atas. Halaman ini "
			   "diterbitkan oleh ");
	html_text(s, p->instansi);
	g_string_append(s, " untuk membuktikan keaslian surat melalui kode QR.</small></p>\n"
			   "</main>\n");
	g_string_append(s, script);
	g_string_append(s, "</body>\n</html>\n");
	g_free(day);
	g_free(sup);
	g_free(sig);
}

/* SEP, then "KEY": VALUE as a JSON string (null when VALUE is NULL). */
static void jkv(GString *s, const char *sep, const char *key, const char *value)
{
	g_string_append_printf(s, "%s\"%s\": ", sep, key);
	json_string(s, value, true);
}

static void page_json(GString *s, const struct page *p, const char *nip_masked)
{
	enum page_state ps = page_state(p);

	jkv(s, "{\n  ", "letterId", p->id);
	jkv(s, ",\n  ", "letterDate", p->day);
	jkv(s, ",\n  ", "institution", p->instansi);
	jkv(s, ",\n  \"recommender\": { ", "name", p->rec_name);
	jkv(s, ", ", "position", p->rec_position);
	jkv(s, " },\n  \"applicant\": { ", "name", p->name);
	jkv(s, ", ", "unit", p->unit);
	jkv(s, ", ", "nipMasked", nip_masked);
	jkv(s, " },\n  ", "state", states[ps].key);
	jkv(s, ",\n  ", "stateText", states[ps].words);
	jkv(s, ",\n  ", "supersededDate", p->superseded_day);
	jkv(s, ",\n  ", "sha256", p->sha256);
	if (p->signed_sha256) {
		jkv(s, ",\n  \"signed\": { ", "sha256", p->signed_sha256);
		jkv(s, ", ", "verifiedDate", p->signed_day);
		jkv(s, ", ", "signer", p->signer);
		jkv(s, ", ", "issuerDn", p->issuer);
		g_string_append(s, " }\n}\n");
	} else {
		g_string_append(s, ",\n  \"signed\": null\n}\n");
	}
}

static const char page_404[] =
	"<title>Surat tidak ditemukan</title>\n"
	"</head>\n<body>\n<main>\n"
	"<h1>Surat tidak ditemukan</h1>\n"
	"<p class=\"status bukan\">Tidak ada surat dengan alamat ini. Surat yang kode QR-nya "
	"mengarah ke sini tidak diterbitkan oleh sistem ini, atau alamatnya salah ketik.</p>\n"
	"<p>Pindai kembali kode QR pada surat, atau hubungi penerbit surat.</p>\n"
	"</main>\n</body>\n</html>\n";

static const char robots[] = "User-agent: *\nDisallow: /\n";

/* ---- writing ------------------------------------------------------------------- */

/* Does REL under DFD hold exactly BUF? One open and one read: a file of
 * another size reads short or long. When not, errno is ENOENT for a file
 * that is not there (or the open's error), EEXIST for other bytes. */
static bool same_bytes(int dfd, const char *rel, const GString *buf, char *scratch)
{
	int fd = openat(dfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	size_t got = 0;
	bool same;

	if (fd < 0)
		return false;	/* errno says why: ENOENT, not there */
	for (;;) {
		ssize_t n = read(fd, scratch + got, buf->len + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got > buf->len)
			break;
	}
	close(fd);
	same = got == buf->len && !memcmp(scratch, buf->str, buf->len);
	errno = same ? 0 : EEXIST;
	return same;
}

/* Create REL under DFD holding BUF (not yet synced: flush_batch does). */
static int write_at(struct site *S, const char *rel, const GString *buf)
{
	const char *p = buf->str;
	size_t left = buf->len;
	int fd = openat(S->tmp_fd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);

	if (fd < 0)
		return log_error("tidak dapat membuat outbox/.web-tmp/%s: %s", rel, strerror(errno));
	while (left) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_error("gagal menulis outbox/.web-tmp/%s: %s", rel, strerror(errno));
			close(fd);
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	if (close(fd))
		return log_error("gagal menulis outbox/.web-tmp/%s: %s", rel, strerror(errno));
	return 0;
}

static void stage(struct site *S, char *tmp, const char *final, int files)
{
	struct staged *st = g_new(struct staged, 1);

	st->tmp = tmp;
	st->final = g_strdup(final);
	st->files = files;
	g_ptr_array_add(S->staged, st);
}

/* BUF, for FINAL (under outbox/web), into a temporary that flush_batch()
 * renames. */
static int stage_write(struct site *S, const char *final, const GString *buf)
{
	char *tmp = g_strdup_printf("%u", S->seq++);

	if (write_at(S, tmp, buf)) {
		unlinkat(S->tmp_fd, tmp, 0);
		g_free(tmp);
		return -1;
	}
	stage(S, tmp, final, 1);
	return 0;
}

/* FINAL is to hold BUF: an unchanged file is left alone (bytes and
 * mtime), another one staged. */
static int stage_file(struct site *S, const char *final, const GString *buf)
{
	if (same_bytes(S->web_fd, final, buf, S->scratch)) {
		S->unchanged++;
		return 0;
	}
	return stage_write(S, final, buf);
}

/* A letter's page folder DIR (under outbox/web) with HTML and JSON. A new
 * page is made whole in the staging folder and renamed in as a folder: one
 * rename, and it appears with both files at once. */
static int stage_page(struct site *S, const char *dir, const GString *html, const GString *json)
{
	struct stat sb;
	char *tmp, *f;
	int rc;

	/* Most nights every page is there and unchanged: ask the file first,
	 * the folder only when the file is missing. */
	f = g_strconcat(dir, "/index.html", NULL);
	rc = same_bytes(S->web_fd, f, html, S->scratch) ? 0 : errno;
	if (rc != ENOENT || fstatat(S->web_fd, dir, &sb, AT_SYMLINK_NOFOLLOW) == 0 ||
	    errno != ENOENT) {
		if (rc)
			rc = stage_write(S, f, html);	/* compared above: it differs */
		else
			S->unchanged++;
		g_free(f);
		if (rc)
			return -1;
		f = g_strconcat(dir, "/index.json", NULL);
		rc = stage_file(S, f, json);
		g_free(f);
		return rc;
	}
	g_free(f);
	tmp = g_strdup_printf("%u", S->seq++);
	if (mkdirat(S->tmp_fd, tmp, 0777)) {
		log_error("tidak dapat membuat outbox/.web-tmp/%s: %s", tmp, strerror(errno));
		g_free(tmp);
		return -1;
	}
	stage(S, tmp, dir, 2);
	f = g_strconcat(tmp, "/index.html", NULL);
	rc = write_at(S, f, html);
	g_free(f);
	if (rc)
		return -1;
	f = g_strconcat(tmp, "/index.json", NULL);
	rc = write_at(S, f, json);
	g_free(f);
	return rc;
}

static void staged_free(gpointer p)
{
	struct staged *st = p;

	g_free(st->tmp);
	g_free(st->final);
	g_free(st);
}

/* Remove NAME under DFD: a file, or a staged page folder and its files. */
static int remove_entry(int dfd, const char *name)
{
	DIR *d;
	struct dirent *e;
	int fd;

	if (!unlinkat(dfd, name, 0) || errno == ENOENT)
		return 0;
	if (errno != EISDIR)
		return -1;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	return unlinkat(dfd, name, AT_REMOVEDIR);
}

/* The staged files on disk, then in place. */
static int flush_batch(struct site *S)
{
	if (!S->staged->len)
		return 0;
	if (syncfs(S->tmp_fd))
		return log_error("syncfs outbox/.web-tmp: %s", strerror(errno));
	for (guint i = 0; i < S->staged->len; i++) {
		struct staged *st = S->staged->pdata[i];

		if (renameat(S->tmp_fd, st->tmp, S->web_fd, st->final))
			return log_error("tidak dapat menempatkan outbox/web/%s: %s", st->final,
					 strerror(errno));
		S->written += st->files;
		st->files = 0;		/* placed: nothing left to clean up */
	}
	g_ptr_array_set_size(S->staged, 0);
	return 0;
}

/* Open the folders, and empty the staging folder (a killed run's
 * temporaries). */
static int open_dirs(struct site *S)
{
	DIR *d;
	struct dirent *e;
	char *pages = g_build_filename(S->web, S->pages, NULL);
	int rc = fs_mkdir_p(pages, 0777);

	g_free(pages);
	if (rc || fs_mkdir_p(S->tmpdir, 0777))
		return -1;
	S->web_fd = open(S->web, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (S->web_fd < 0)
		return log_error("tidak dapat membuka %s: %s", S->web, strerror(errno));
	S->tmp_fd = open(S->tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (S->tmp_fd < 0)
		return log_error("tidak dapat membuka %s: %s", S->tmpdir, strerror(errno));
	d = opendir(S->tmpdir);
	if (!d)
		return log_error("tidak dapat membuka %s: %s", S->tmpdir, strerror(errno));
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (remove_entry(dirfd(d), e->d_name)) {
			rc = log_error("tidak dapat menghapus %s/%s: %s", S->tmpdir, e->d_name,
				       strerror(errno));
			break;
		}
	}
	closedir(d);
	return rc;
}

/* ---- the letters ---------------------------------------------------------------- */

/* Letter ids are made by the letters stage ("20261124-FQWZ-7TRK-4GQW-DSYV");
 * anything else would not be a safe folder name. */
static bool id_ok(const char *id)
{
	if (!id || !*id || strlen(id) > 64)
		return false;
	for (const char *p = id; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '-')
			return false;
	return true;
}

/* Issuer DN of each verified signed copy's signer: "id|sha256" -> DN. */
static int load_issuers(struct site *S)
{
	sqlite3_stmt *st = store_prepare(S->ctx->db,
		"SELECT v.letter_id || '|' || v.sha256, json_extract(s.value, '$.issuerDn')"
		" FROM verifications v, json_each(v.json, '$.signatures') s"
		" WHERE v.letter_id IS NOT NULL AND v.conclusion='VALID'"
		" AND NOT coalesce(json_extract(s.value, '$.documentTimestamp'), 0)"
		" ORDER BY v.id, s.key");
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *v = (const char *)sqlite3_column_text(st, 1);

		/* The letter's signer is its first signature (verify.c). */
		if (k && v && !g_hash_table_contains(S->issuers, k))
			g_hash_table_insert(S->issuers, g_strdup(k), g_strdup(v));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return log_error("database: %s", sqlite3_errmsg(S->ctx->db));
	return 0;
}

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int publish_letters(struct site *S)
{
	const struct tte_config *cfg = S->ctx->cfg;
	sqlite3_stmt *st = store_prepare(S->ctx->db,
		"SELECT l.id, l.day, l.sha256, l.superseded_day,"
		" EXISTS(SELECT 1 FROM letters n WHERE n.applicant_id=l.applicant_id"
		"  AND n.version>l.version),"
		" l.signed_sha256, l.signed_day, l.signer,"
		" coalesce(l.page_instansi, ?1), coalesce(l.page_rec_name, ?2),"
		" coalesce(l.page_rec_position, ?3), coalesce(l.page_name, a.name),"
		" coalesce(l.page_unit, a.unit), coalesce(l.page_nip, a.nip)"
		" FROM letters l JOIN applicants a ON a.id=l.applicant_id");
	GString *html = g_string_sized_new(16384), *json = g_string_sized_new(2048);
	int rc = -1, step;

	if (!st)
		goto out;
	store_bind_static(st, 1, cfg->instansi);
	store_bind_static(st, 2, cfg->rec_nama);
	store_bind_static(st, 3, cfg->rec_jabatan);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct page p = {
			.id = col(st, 0), .day = col(st, 1), .sha256 = col(st, 2),
			.superseded_day = col(st, 3), .replaced = sqlite3_column_int(st, 4),
			.signed_sha256 = col(st, 5), .signed_day = col(st, 6), .signer = col(st, 7),
			.instansi = col(st, 8), .rec_name = col(st, 9), .rec_position = col(st, 10),
			.name = col(st, 11), .unit = col(st, 12), .nip = col(st, 13),
		};
		char *nip, *dir, *key;
		int r;

		if (!id_ok(p.id)) {
			log_warn("surat dengan ID tidak lazim dilewati (tidak ada halamannya)");
			continue;
		}
		if (p.signed_sha256) {
			key = g_strconcat(p.id, "|", p.signed_sha256, NULL);
			p.issuer = g_hash_table_lookup(S->issuers, key);
			g_free(key);
		}
		nip = mask_nip(p.nip);
		g_string_truncate(html, 0);
		g_string_truncate(json, 0);
		page_html(html, &p, nip);
		page_json(json, &p, nip);
		g_free(nip);
		if (html->len >= SCRATCH || json->len >= SCRATCH) {
			log_warn("halaman surat %s terlalu panjang; dilewati", p.id);
			continue;
		}
		dir = *S->pages ? g_strconcat(S->pages, "/", p.id, NULL) : g_strdup(p.id);
		r = stage_page(S, dir, html, json);
		g_free(dir);
		if (r || (S->staged->len >= BATCH && flush_batch(S)))
			goto out;
		S->letters++;
	}
	if (step != SQLITE_DONE) {
		log_error("database: %s", sqlite3_errmsg(S->ctx->db));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	g_string_free(html, TRUE);
	g_string_free(json, TRUE);
	return rc;
}

/* The folder of the pages: the path of url_verifikasi without its slashes
 * ("https://host/verifikasi/" -> "verifikasi", "https://host/" -> ""). The
 * configuration has checked its shape. */
static char *pages_folder(const char *url)
{
	const char *p = strchr(url + strlen("https://"), '/');
	char *f = g_strdup(p ? p + 1 : "");
	size_t n = strlen(f);

	if (n && f[n - 1] == '/')
		f[n - 1] = 0;
	return f;
}

static int publish_run(struct tte_ctx *ctx, int argc, char **argv)
{
	struct site S = { .ctx = ctx };
	gint64 t0 = g_get_monotonic_time();
	GString *buf = g_string_new(NULL);
	double secs;
	int rc = TTE_EXIT_FAIL;

	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "tte publish: tidak menerima argumen\n");
		g_string_free(buf, TRUE);
		return TTE_EXIT_USAGE;
	}
	S.web = tte_path(ctx, "outbox", "web", NULL);
	S.tmpdir = tte_path(ctx, "outbox", ".web-tmp", NULL);
	S.pages = pages_folder(ctx->cfg->verify_base_url);
	S.issuers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	S.staged = g_ptr_array_new_with_free_func(staged_free);
	S.web_fd = S.tmp_fd = -1;
	S.scratch = g_malloc(SCRATCH + 1);
	if (open_dirs(&S) || load_issuers(&S))
		goto out;

	g_string_assign(buf, robots);
	if (stage_file(&S, "robots.txt", buf))
		goto out;
	g_string_assign(buf, head);
	g_string_append(buf, style);
	g_string_append(buf, page_404);
	if (stage_file(&S, "404.html", buf))
		goto out;

	if (publish_letters(&S) || flush_batch(&S))
		goto out;
	/* The renames themselves, durable. */
	if (S.written && syncfs(S.web_fd)) {
		log_error("syncfs %s: %s", S.web, strerror(errno));
		goto out;
	}
	secs = (double)(g_get_monotonic_time() - t0) / 1e6;
	log_info("publish: %ld letters, %ld files written, %ld unchanged; %.3f s (%.0f pages/s)",
		 S.letters, S.written, S.unchanged, secs, secs > 0 ? (double)S.letters / secs : 0.0);
	if (S.written)
		log_tty("  situs verifikasi: %ld halaman surat, %ld berkas diperbarui; outbox/web/\n",
			S.letters, S.written);
	rc = TTE_EXIT_OK;
out:
	if (rc != TTE_EXIT_OK) {
		for (guint i = 0; i < S.staged->len; i++) {
			struct staged *st = S.staged->pdata[i];

			if (st->files > 0)
				remove_entry(S.tmp_fd, st->tmp);
		}
		log_error("situs verifikasi outbox/web/ tidak diperbarui seluruhnya; halaman yang "
			  "ada tetap utuh");
	}
	/* Empty by now: the outbox keeps no dot-named leftovers. */
	rmdir(S.tmpdir);
	g_ptr_array_free(S.staged, TRUE);
	g_hash_table_destroy(S.issuers);
	g_string_free(buf, TRUE);
	g_free(S.web);
	g_free(S.tmpdir);
	g_free(S.pages);
	g_free(S.scratch);
	if (S.web_fd >= 0)
		close(S.web_fd);
	if (S.tmp_fd >= 0)
		close(S.tmp_fd);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct stage_desc d = { .name = "publish", .run = publish_run };

	return stage_main(&d, argc, argv);
}
