/*
 * stage.h - the skeleton every stage program and the front command share:
 * root, date, configuration, umask, folders, the lock, the log, the store.
 *
 * A stage's main() is one call:
 *
 *	int main(int argc, char **argv)
 *	{
 *		static const struct stage_desc d = { .name = "intake", .run = intake_run };
 *		return stage_main(&d, argc, argv);
 *	}
 *
 * stage_main parses the common options (--root, --date) and the stage's own
 * with GOptionContext. When the stage has a direct mode and file arguments
 * are left, it runs that instead and nothing below happens. Otherwise it
 * resolves the root and refuses one it cannot write (naming the owner),
 * loads the configuration (ctx_config_path), sets the umask, creates the
 * folders, takes the run lock (or inherits it from `tte run` through
 * TTE_LOCK_FD), opens the log and the store, removes temporaries a killed
 * run left in outbox/ and var/, calls run(), and turns its result into the
 * exit code. Stages never call each other: each reads what earlier stages
 * committed. The list of stages and their order is include/stages.def.
 *
 * Under `tte run` a stage is a child of the driver and dies with it
 * (PR_SET_PDEATHSIG): a killed driver never leaves a stage holding the lock.
 */
#ifndef TTE_STAGE_H
#define TTE_STAGE_H

#include <glib.h>

#include "tte.h"

struct stage_desc {
	const char *name;
	/* The work. ARGC/ARGV are what follows the common options. Returns an
	 * exit code (enum tte_exit). */
	int (*run)(struct tte_ctx *ctx, int argc, char **argv);
	const char *usage;		/* extra arguments, for --help */
	const GOptionEntry *options;	/* stage's own options, or NULL */
	/* Optional: with file arguments left after the options, run this
	 * instead of the nightly work: ROOT is --root or NULL; no lock, no
	 * store, no folders created (`tte verify FILE...`). Returns an exit
	 * code. */
	int (*direct)(const char *root, int argc, char **argv);
};

int stage_main(const struct stage_desc *d, int argc, char **argv);

/*
 * The pieces, for the front command, which sets up some commands itself:
 *
 * ctx_setup: resolve the root (--root, $TTE_ROOT, cwd), check that this
 * user can write it (the root, var/, var/tte.db, var/log/, var/lock: the
 * first that cannot be written is named with its owner, before anything is
 * written), the date, load the configuration (ctx_config_path), apply the
 * umask, create the folders. Prints the reason and returns TTE_EXIT_USAGE
 * on a bad argument, an unwritable root or a bad or unreadable
 * configuration; TTE_EXIT_FAIL when a folder cannot be made; else 0.
 */
int ctx_setup(struct tte_ctx *ctx, const char *root, const char *date);

/* The configuration file for ROOT, in this order: ROOT/tte.conf if it
 * exists, else SYSCONFDIR/tte/tte.conf (TTE_SYSCONFDIR, default /etc; the
 * test-only $TTE_TEST_SYSCONFDIR replaces it) if it exists, else NULL: the
 * built-in defaults. A file that exists but cannot be read is returned,
 * so that config_load() says why. g_free the result. */
char *ctx_config_path(const char *root);

/* SYSCONFDIR as above (for messages). */
const char *ctx_sysconfdir(void);

/* Take the run lock var/lock (flock), or adopt TTE_LOCK_FD. Returns the fd,
 * or -1 with errno EWOULDBLOCK when another run holds it (exit 3), or -2 on
 * another error (logged). */
int ctx_lock(struct tte_ctx *ctx);

/* ctx_lock() for a command: 0 with the descriptor in *FD (may be NULL)
 * when taken; otherwise says why on stderr and returns the exit code
 * (TTE_EXIT_LOCKED or TTE_EXIT_FAIL). */
int ctx_lock_or_say(struct tte_ctx *ctx, int *fd);

/* Free what ctx_setup allocated (not the store: store_close). */
void ctx_release(struct tte_ctx *ctx);

/* The folders every root has, relative to it (NULL-ended). */
extern const char *const tte_dirs[];

#endif
