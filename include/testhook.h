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

/*
 * Rare file-system events on demand. These change what happens to a
 * verifier's files, so only builds compiled with TTE_TEST_HOOKS (the ASan
 * build the tests run) read them; in any other build tte_test_value()
 * returns NULL whatever the environment says.
 *
 *	TTE_TEST_MOVE_FAIL=NAME		fs_move_into fails (EIO) for a file NAME
 *	TTE_TEST_NO_RENAMEAT2=1		fs_move_into acts as on a file system
 *					without RENAME_NOREPLACE (link + unlink)
 *	TTE_TEST_VANISH=NAME		inbox_scan deletes inbox entry NAME
 *					between listing it and its lstat
 *	TTE_TEST_VANISH_OPEN=NAME	the skeleton deletes inbox file NAME
 *					right before it opens it
 *	TTE_TEST_EXDEV=1		fs_move_into acts as if every source
 *					were on another file system (EXDEV):
 *					copy, sync, rename, remove the source
 *	TTE_TEST_FAULT=step:N		the Nth database step of the process
 *					fails with SQLITE_IOERR (store.h)
 *	TTE_TEST_SHEET_ROWS=N		a table sheet holds N data rows, not
 *					Excel's 1,048,575 (sheet.h)
 *	TTE_TEST_KNOWN_CAP=N		intake holds at most N known rows'
 *					keys in memory, then asks the index
 *
 * The value of TTE_TEST_<NAME>, or NULL.
 */
const char *tte_test_value(const char *name);

#endif
