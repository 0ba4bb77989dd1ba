/*
 * config.h - tte.conf, the admin's INI file, read with GLib's GKeyFile.
 *
 * One table in config.c holds every key with its default (Undiksha's),
 * except the recommender's [pemberi_rekomendasi], which defaults to empty:
 * no letter is made until it is filled in. A missing file means all
 * defaults. config_default_text() is the commented file that `tte init`
 * writes. Values are checked on load: a bad value is a configuration
 * error (exit 2), an unknown key only a warning.
 */
#ifndef TTE_CONFIG_H
#define TTE_CONFIG_H

#include <stdbool.h>
#include <sys/types.h>

struct tte_config {
	mode_t umask;			/* [tte] umask, default 077 */
	char *timezone;			/* [tte] timezone, default Asia/Makassar */
	int cache_mb;			/* [tte] cache_mb: SQLite page cache */

	/* [instansi]: the institution, letterhead and defaults */
	char *instansi;			/* nama */
	char *instansi_singkat;		/* singkatan (Undiksha) */
	char *kementerian;		/* header line above the name */
	char *alamat;
	char *telepon;
	char *laman;
	char *kota;
	char *provinsi;
	char *email_domain;		/* domain_email: staff domain, lower case */

	/* [pemberi_rekomendasi]: the recommender, head of UPT TIK; no
	 * defaults */
	char *rec_nama;
	char *rec_nip;
	char *rec_nik;
	char *rec_golongan;		/* normalised, e.g. IV/a */
	char *rec_jabatan;
	char *rec_unit;
	char *rec_email;

	/* [inbox] */
	int settle_seconds;		/* a file younger than this waits */
	long long max_file_bytes;	/* max_file_mb, in bytes: larger inputs are
					 * quarantined */

	/* [surat] letters */
	char *verify_base_url;		/* url_verifikasi; QR: base URL + letter id */
	char *sistem;
	char *kegunaan;

	/* [bundle] */
	bool require_signed_letters;

	/* [ingest] */
	long long max_xlsx_inflated_bytes;	/* a workbook unpacking to more is quarantined */

	/* [notices] */
	int remind_days;

	/* [purge] */
	int grace_days;
	int retention_days;

	/* [verify] */
	char *trust;			/* PEM file(s) or directory, ';'-separated */
	long long verify_max_stream;	/* bytes one PDF stream may inflate to */
	long long verify_max_inflate;	/* bytes all of one PDF's streams may */
};

/*
 * Load PATH (may be absent: defaults) into a new config. On a syntax
 * error or a bad value, prints the reason to stderr (Indonesian, naming
 * the key) and returns NULL. Unknown groups and keys are warned about.
 */
struct tte_config *config_load(const char *path);

/* Defaults only (for tools and tests). */
struct tte_config *config_new_default(void);

void config_free(struct tte_config *cfg);

/* The commented tte.conf that `tte init` writes (static string). */
const char *config_default_text(void);

#endif
