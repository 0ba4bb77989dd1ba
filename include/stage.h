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
 * stage_main parses the common options (--root, --date), sets the umask from
 * tte.conf, creates the folders, takes the run lock (or inherits it from
 * `tte run` through TTE_LOCK_FD), opens the log and the store, removes
 * temporaries a killed run left in outbox/, calls run(), and turns its
 * result into the exit code. Stages never call each other: each reads what
 * earlier stages committed.
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
};

int stage_main(const struct stage_desc *d, int argc, char **argv);

/*
 * The pieces, for the front command, which sets up some commands itself:
 *
 * ctx_setup: resolve the root (--root, $TTE_ROOT, cwd), the date, load
 * tte.conf, apply the umask, create the folders. Prints the reason and
 * returns TTE_EXIT_USAGE on a bad argument or configuration, else 0.
 */
int ctx_setup(struct tte_ctx *ctx, const char *root, const char *date);

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
