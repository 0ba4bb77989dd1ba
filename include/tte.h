/*
 * tte.h - what every tte module shares: exit codes, the run context, and
 * the banned-function list.
 *
 * Include it after all system and library headers: it ends by including
 * banned.h, which poisons unsafe libc functions for the code that follows.
 */
#ifndef TTE_H
#define TTE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sqlite3;
struct tte_config;

/* Exit codes: published in CONTRACT.md, never renumbered. */
enum tte_exit {
	TTE_EXIT_OK = 0,	/* the run completed (rejected rows are data) */
	TTE_EXIT_FAIL = 1,	/* a stage failed, state as before the stage */
	TTE_EXIT_USAGE = 2,	/* usage, configuration or unreadable argument */
	TTE_EXIT_LOCKED = 3,	/* another run holds the lock */
};

/*
 * The context of one command or stage: where the root is, what "today" is,
 * the configuration, the store. Filled by stage_main() / the front command;
 * modules borrow it and never free it.
 */
struct tte_ctx {
	char *root;		/* absolute path of the root directory */
	char today[11];		/* YYYY-MM-DD, fixed by --date or the local date */
	char today_compact[9];	/* YYYYMMDD, for output file names */
	long long now;		/* unix time at start (for ages and settle) */
	struct tte_config *cfg;
	struct sqlite3 *db;	/* open store, or NULL for commands without one */
	const char *actor;	/* "cron" for stages; "verifier:<user>" for accept */
	const char *stage;	/* name of the running stage or command */
	bool tty;		/* stderr is a terminal: show progress */
	bool in_run;		/* a stage of `tte run` (not run alone) */
};

/* Build a path under the root: tte_path(ctx, "var", "tte.db", NULL).
 * Returns a newly allocated string (g_free). In pipeline/path.c, which
 * needs nothing else, so the modules that build paths do not need ctx.c. */
char *tte_path(const struct tte_ctx *ctx, const char *first, ...)
	__attribute__((sentinel));

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#include "banned.h"

#endif
