/*
 * testhook.c - test-only stop points (testhook.h): a stage announces a
 * named step on a pipe and stops, so a test kills it there, not after a
 * guessed sleep. Without TTE_TEST_STOP_AT it is one getenv(). And the
 * TTE_TEST_* values that force rare file-system events, read only by the
 * test build.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "testhook.h"
#include "tte.h"

void tte_test_point(const char *step)
{
	static int hits;
	const char *spec = getenv("TTE_TEST_STOP_AT");
	const char *fd_env = getenv("TTE_TEST_STOP_FD");
	size_t plen = strlen(program_invocation_short_name), slen = strlen(step);
	long want = 1;
	char msg[32];
	int n;

	if (!spec || strncmp(spec, program_invocation_short_name, plen) || spec[plen] != ':' ||
	    strncmp(spec + plen + 1, step, slen))
		return;
	spec += plen + 1 + slen;
	if (*spec == ':')
		want = strtol(spec + 1, NULL, 10);
	else if (*spec)
		return;
	if (__atomic_add_fetch(&hits, 1, __ATOMIC_SEQ_CST) != want)
		return;
	n = g_snprintf(msg, sizeof(msg), "%ld\n", (long)getpid());
	if (fd_env && *fd_env) {
		int fd = (int)strtol(fd_env, NULL, 10);

		while (write(fd, msg, (size_t)n) < 0 && errno == EINTR)
			;
	}
	raise(SIGSTOP);
}

const char *tte_test_value(const char *name)
{
#ifdef TTE_TEST_HOOKS
	char var[64];

	g_snprintf(var, sizeof(var), "TTE_TEST_%s", name);
	return getenv(var);
#else
	(void)name;
	return NULL;
#endif
}
