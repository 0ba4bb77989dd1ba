/*
 * testhook.h - test-only stop points, so crash tests kill a stage at a
 * step it announces instead of after a sleep. Nothing here runs unless the
 * test environment variable is set; production never sets it.
 *
 *	TTE_TEST_STOP_AT=PROGRAM:STEP[:N]	stop the Nth time (default 1st)
 *						PROGRAM reaches STEP
 *	TTE_TEST_STOP_FD=FD			where to announce it
 *
 * At the point the process writes "<pid>\n" to FD (a pipe the test holds
 * the other end of) and stops itself with SIGSTOP; the test then kills
 * whatever it means to (the driver, the group) or sends SIGCONT. PROGRAM is
 * the program's name ("intake", "tte"). The steps:
 *
 *	start	stage_main(): lock taken, log and store open, before the work
 *	commit	store_commit(): before the COMMIT of a transaction
 *	rename	fsutil's commit: an output written and synced, before its rename
 */
#ifndef TTE_TESTHOOK_H
#define TTE_TESTHOOK_H

/* A stop point named STEP (see above). Thread-safe; returns at once when
 * TTE_TEST_STOP_AT does not name this program and STEP. */
void tte_test_point(const char *step);

#endif
