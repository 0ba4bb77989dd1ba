/*
 * config.c - load tte.conf with GKeyFile.
 *
 * One table describes every key: group, name, type, where it lands in
 * struct tte_config, its default and its comment. The loader and the
 * commented default file that `tte init` writes both come from that table,
 * so they cannot drift apart. Fails (NULL) on unreadable syntax or a bad
 * value; unknown keys are only warned about, so an old tte.conf keeps
 * working after an upgrade.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "config.h"
#include "tte.h"

enum ktype { K_STR, K_INT, K_BOOL, K_UMASK, K_MB, K_URL };

struct key {
	const char *group;
	const char *name;
	enum ktype type;
	size_t off;
	const char *def;
	const char *comment;
	long long min, max;		/* for K_INT / K_MB */
};

#define O(f) offsetof(struct tte_config, f)

static const struct key keys[] = {
	{ "tte", "umask", K_UMASK, O(umask), "077",
	  "Mode mask for everything under outbox/ and var/ (personal data).\n"
	  "077: owner only. 027: also readable by the owner's group (a tte group).", 0, 0 },
	{ "tte", "timezone", K_STR, O(timezone), "Asia/Makassar",
	  "Time zone of form timestamps that carry none (Sheets exports). WITA.", 0, 0 },
	{ "tte", "cache_mb", K_INT, O(cache_mb), "256",
	  "SQLite page cache per stage, in MiB: the bound of a run's memory. Smaller\n"
	  "works, but a large intake then rereads pages (64: about 25% slower at 1M rows).",
	  8, 65536 },

	{ "instansi", "nama", K_STR, O(instansi), "Universitas Pendidikan Ganesha",
	  "Institution, as on the letterhead and in the BSrE registration.", 0, 0 },
	{ "instansi", "singkatan", K_STR, O(instansi_singkat), "Undiksha", NULL, 0, 0 },
	{ "instansi", "kementerian", K_STR, O(kementerian),
	  "KEMENTERIAN PENDIDIKAN TINGGI, SAINS, DAN TEKNOLOGI",
	  "Letterhead line above the institution's name.", 0, 0 },
	{ "instansi", "alamat", K_STR, O(alamat), "Jalan Udayana Nomor 11, Singaraja, Bali 81116", NULL, 0, 0 },
	{ "instansi", "telepon", K_STR, O(telepon), "(0362) 22570", NULL, 0, 0 },
	{ "instansi", "laman", K_STR, O(laman), "https://undiksha.ac.id", NULL, 0, 0 },
	{ "instansi", "kota", K_STR, O(kota), "Singaraja", "Kota and Provinsi of every applicant.", 0, 0 },
	{ "instansi", "provinsi", K_STR, O(provinsi), "Bali", NULL, 0, 0 },
	{ "instansi", "domain_email", K_STR, O(email_domain), "undiksha.ac.id",
	  "Applicants must use an address at exactly this domain.", 0, 0 },

	{ "pemberi_rekomendasi", "nama", K_STR, O(rec_nama), "",
	  "The recommender who signs the letters: the head of UPT TIK.\n"
	  "Letters are not written until nama, nip and nik are filled in.", 0, 0 },
	{ "pemberi_rekomendasi", "nip", K_STR, O(rec_nip), "", NULL, 0, 0 },
	{ "pemberi_rekomendasi", "nik", K_STR, O(rec_nik), "", NULL, 0, 0 },
	{ "pemberi_rekomendasi", "golongan", K_STR, O(rec_golongan), "", "For example IV/a.", 0, 0 },
	{ "pemberi_rekomendasi", "jabatan", K_STR, O(rec_jabatan),
	  "Kepala UPT Teknologi Informasi dan Komunikasi", NULL, 0, 0 },
	{ "pemberi_rekomendasi", "unit", K_STR, O(rec_unit),
	  "UPT Teknologi Informasi dan Komunikasi", NULL, 0, 0 },
	{ "pemberi_rekomendasi", "email", K_STR, O(rec_email), "", NULL, 0, 0 },

	{ "inbox", "settle_seconds", K_INT, O(settle_seconds), "60",
	  "A file modified less than this many seconds ago waits for the next run\n"
	  "(a copy may still be in progress).", 0, 86400 },
	{ "inbox", "max_file_mb", K_MB, O(max_file_bytes), "1024",
	  "Larger inputs are quarantined unread.", 1, 65536 },

	{ "surat", "url_verifikasi", K_URL, O(verify_base_url),
	  "https://tte.undiksha.ac.id/verifikasi/",
	  "The letter's QR code holds this URL followed by the letter id. An https://\n"
	  "URL whose path ends in /; its path is where the publish stage puts the pages\n"
	  "under outbox/web/ (the site's document root).", 0, 0 },
	{ "surat", "sistem", K_STR, O(sistem),
	  "Aplikasi persuratan dan layanan elektronik Universitas Pendidikan Ganesha", NULL, 0, 0 },
	{ "surat", "kegunaan", K_STR, O(kegunaan),
	  "Penandatanganan dokumen elektronik kedinasan", NULL, 0, 0 },

	{ "bundle", "require_signed_letters", K_BOOL, O(require_signed_letters), "false",
	  "true: an applicant enters a bundle only once the signed letter was verified.", 0, 0 },

	{ "ingest", "max_xlsx_inflated_mb", K_MB, O(max_xlsx_inflated_bytes), "1024",
	  "A status workbook (XLSX, a zip) that unpacks to more than this, all its\n"
	  "parts together, is quarantined. Real exports unpack to a few MiB.", 1, 65536 },

	{ "notices", "remind_days", K_INT, O(remind_days), "7",
	  "Remind applicants whose status has not changed for this many days.", 1, 3650 },

	{ "purge", "grace_days", K_INT, O(grace_days), "7",
	  "Days after ISSUE before an applicant's personal data is destroyed.", 0, 3650 },
	{ "purge", "retention_days", K_INT, O(retention_days), "14",
	  "Processed inputs and bundles older than this are deleted.", 1, 3650 },

	{ "verify", "trust", K_STR, O(trust), "",
	  "Trust anchors for signed PDFs: PEM files or directories, separated by ';'.", 0, 0 },
	{ "verify", "max_stream_mb", K_MB, O(verify_max_stream), "32",
	  "A PDF's object and cross-reference streams are inflated in memory: one that\n"
	  "inflates past this many MiB stops its verification (INDETERMINATE,\n"
	  "DECOMPRESSION_LIMIT). Real letters need well under 1.", 1, 4096 },
	{ "verify", "max_inflate_mb", K_MB, O(verify_max_inflate), "512",
	  "The same for all the streams of one PDF together, every signed revision\n"
	  "read counted.", 1, 65536 },
};

/*
 * A base URL the QR codes can carry and the publish stage can map onto
 * folders: "https://", a host, and a path ending in '/' made of plain
 * segments (unreserved characters only, no "." or ".."), nothing after it.
 * The letter id is appended as is, so a query or fragment would swallow it.
 */
static bool url_ok(const char *val)
{
	const char *p, *seg;
	gchar *v = g_strstrip(g_strdup(val));
	bool ok = false;

	if (!g_str_has_prefix(v, "https://"))
		goto out;
	p = v + strlen("https://");
	for (seg = p; *p && *p != '/'; p++)
		if (!g_ascii_isalnum(*p) && !strchr(".-:[]", *p))
			goto out;
	if (p == seg || *p != '/' || !g_str_has_suffix(p, "/"))
		goto out;
	for (p++; *p; p++) {
		seg = p;
		while (*p != '/') {
			if (!*p || (!g_ascii_isalnum(*p) && !strchr("-._~", *p)))
				goto out;
			p++;
		}
		if (p == seg || (p - seg == 1 && *seg == '.') ||
		    (p - seg == 2 && !strncmp(seg, "..", 2)))
			goto out;
	}
	ok = true;
out:
	g_free(v);
	return ok;
}

static int set_value(struct tte_config *cfg, const struct key *k, const char *val)
{
	char *p = (char *)cfg + k->off;
	char *end;
	long long n;

	switch (k->type) {
	case K_URL:
		if (!url_ok(val))
			return -1;
		/* fall through */
	case K_STR:
		g_free(*(char **)p);
		*(char **)p = g_strstrip(g_strdup(val));
		return 0;
	case K_BOOL:
		if (!g_ascii_strcasecmp(val, "true") || !strcmp(val, "1") ||
		    !g_ascii_strcasecmp(val, "yes") || !g_ascii_strcasecmp(val, "ya")) {
			*(bool *)p = true;
			return 0;
		}
		if (!g_ascii_strcasecmp(val, "false") || !strcmp(val, "0") ||
		    !g_ascii_strcasecmp(val, "no") || !g_ascii_strcasecmp(val, "tidak")) {
			*(bool *)p = false;
			return 0;
		}
		return -1;
	case K_UMASK:
		errno = 0;
		n = g_ascii_strtoll(val, &end, 8);
		if (errno || end == val || *end || n < 0 || n > 0777)
			return -1;
		/* The owner must always be able to read and write its own state. */
		*(mode_t *)p = (mode_t)n & 0077;
		return 0;
	case K_INT:
	case K_MB:
		errno = 0;
		n = g_ascii_strtoll(val, &end, 10);
		if (errno || end == val || *end || n < k->min || n > k->max)
			return -1;
		if (k->type == K_INT)
			*(int *)p = (int)n;
		else
			*(long long *)p = n * 1024 * 1024;
		return 0;
	}
	return -1;
}

struct tte_config *config_new_default(void)
{
	struct tte_config *cfg = g_new0(struct tte_config, 1);

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (set_value(cfg, &keys[i], keys[i].def))
			g_error("bad built-in default for %s.%s", keys[i].group, keys[i].name);
	return cfg;
}

static const struct key *find_key(const char *group, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strcmp(keys[i].group, group) && !strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

struct tte_config *config_load(const char *path)
{
	struct tte_config *cfg = config_new_default();
	GKeyFile *kf = g_key_file_new();
	GError *err = NULL;
	gchar **groups = NULL;

	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &err)) {
		if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
			g_clear_error(&err);
			goto out;
		}
		fprintf(stderr, "tte: konfigurasi %s tidak dapat dibaca: %s\n", path, err->message);
		goto fail;
	}
	groups = g_key_file_get_groups(kf, NULL);
	for (gchar **g = groups; *g; g++) {
		gchar **names = g_key_file_get_keys(kf, *g, NULL, NULL);

		for (gchar **n = names; n && *n; n++) {
			const struct key *k = find_key(*g, *n);
			gchar *val;

			if (!k) {
				fprintf(stderr, "tte: peringatan: kunci [%s] %s di %s tidak dikenal, diabaikan\n",
					*g, *n, path);
				continue;
			}
			val = g_key_file_get_string(kf, *g, *n, &err);
			if (!val || set_value(cfg, k, val)) {
				char range[64] = "";

				if (k->type == K_INT || k->type == K_MB)
					snprintf(range, sizeof(range), " (harus bilangan bulat %lld-%lld)",
						 k->min, k->max);
				else if (k->type == K_URL)
					g_strlcpy(range, " (harus URL https:// dengan path berakhiran /)",
						  sizeof(range));
				fprintf(stderr, "tte: konfigurasi %s: nilai [%s] %s tidak sah: \"%s\"%s\n",
					path, *g, *n, val ? val : (err ? err->message : ""), range);
				g_free(val);
				g_strfreev(names);
				goto fail;
			}
			g_free(val);
		}
		g_strfreev(names);
	}
out:
	{
		char *d = g_ascii_strdown(cfg->email_domain, -1);

		g_free(cfg->email_domain);
		cfg->email_domain = d;
	}
	g_strfreev(groups);
	g_key_file_free(kf);
	return cfg;
fail:
	g_clear_error(&err);
	g_strfreev(groups);
	g_key_file_free(kf);
	config_free(cfg);
	return NULL;
}

void config_free(struct tte_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].type == K_STR || keys[i].type == K_URL)
			g_free(*(char **)((char *)cfg + keys[i].off));
	g_free(cfg);
}

const char *config_default_text(void)
{
	static char *text;
	GString *s;
	const char *group = NULL;

	if (text)
		return text;
	s = g_string_new("# tte.conf - configuration of tte (INI). Every key is optional;\n"
			 "# the values shown are the defaults. Lines starting with # are comments.\n");
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const struct key *k = &keys[i];

		if (!group || strcmp(group, k->group)) {
			group = k->group;
			g_string_append_printf(s, "\n[%s]\n", group);
		}
		if (k->comment) {
			gchar **lines = g_strsplit(k->comment, "\n", -1);

			for (gchar **l = lines; *l; l++)
				g_string_append_printf(s, "# %s\n", *l);
			g_strfreev(lines);
		}
		g_string_append_printf(s, "%s = %s\n", k->name, k->def);
	}
	text = g_string_free(s, FALSE);
	return text;
}
