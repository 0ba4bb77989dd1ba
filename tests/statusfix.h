/*
 * statusfix.h - what the status and purge end-to-end suites share: the
 * synthetic people of the form samples, dropping files into a root's
 * inbox, running tte and reading the store back. A night's `tte run` takes
 * accepted applicants through letters to BUNDLED.
 */
#ifndef TTE_STATUSFIX_H
#define TTE_STATUSFIX_H

#include <stdbool.h>
#include <stddef.h>

struct person {
	const char *nik, *nip, *name, *email;
};

/* The six people of samples/forms/form-responses-en.csv, all valid. */
extern const struct person P[6];
/* Valid people of samples/forms/form-responses-id-sheet.csv. */
extern const char *const G_NIP, *const G_EMAIL, *const H_NIP, *const H_NIK;

/* Copy SRC / a shared sample / TEXT into ROOT/inbox/KIND/NAME. */
void drop_file(const char *root, const char *kind, const char *name, const char *src);
void drop_sample(const char *root, const char *kind, const char *sample);
void drop_text(const char *root, const char *kind, const char *name, const char *text);

/* Set the modification time of inbox/KIND/NAME ("2026-11-21 00:00 UTC"). */
void set_mtime(const char *root, const char *kind, const char *name, const char *when);

/* A new root (EXTRA_CONF appended to tte.conf, may be NULL) after `tte
 * init` and a night on DAY with the English form sample dropped, and the
 * Indonesian one too when BOTH. */
char *setup_root(const char *extra_conf, const char *day, bool both);

/* `tte --root ROOT --date DATE CMD`, which must succeed. */
void run(const char *root, const char *date, const char *cmd);

/* Fails unless the applicant with NIP is in state WANT. */
void assert_state(const char *root, const char *nip, const char *want);

/* A single integer from the store. */
long long count(const char *root, const char *sql);

/* ROOT/REL read whole (g_free) / whether it exists. */
char *read_rel(const char *root, const char *rel);
bool exists(const char *root, const char *rel);

#endif
