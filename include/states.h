/*
 * states.h - the applicant states: one table of names, what each means to
 * an admin (Indonesian, for the report), and how far along the funnel an
 * applicant in that state has come.
 *
 * The tte states (REJECTED, VALID, LETTER, SIGNED, BUNDLED) come first in
 * the order an applicant moves through them, then the BSrE status values
 * ingest copies from the portal's exports. applicants.state holds only
 * these names: the schema checks it with a CHECK built from this table, so
 * adding a state also needs a store migration that rebuilds that CHECK.
 *
 * In C, use the ST_* names; in SQL literals, the SQ_* forms ('NAME' with
 * the quotes), which concatenate with the rest of a string literal:
 *	"SELECT count(*) FROM applicants WHERE state=" SQ_VALID
 * A misspelt ST_/SQ_ name does not compile.
 */
#ifndef TTE_STATES_H
#define TTE_STATES_H

#include <stdbool.h>

#define ST_REJECTED "REJECTED"
#define ST_VALID "VALID"
#define ST_LETTER "LETTER"
#define ST_SIGNED "SIGNED"
#define ST_BUNDLED "BUNDLED"
#define ST_NOT_REGISTERED "NOT_REGISTERED"
#define ST_NEW "NEW"
#define ST_WAITING_FOR_VERIFICATION "WAITING_FOR_VERIFICATION"
#define ST_NO_CERTIFICATE "NO_CERTIFICATE"
#define ST_ENROLL "ENROLL"
#define ST_ISSUE "ISSUE"
#define ST_RENEW "RENEW"
#define ST_EXPIRED "EXPIRED"
#define ST_SUSPEND "SUSPEND"
#define ST_REVOKE "REVOKE"
#define ST_DENIED "DENIED"

#define SQ_(s) "'" s "'"
#define SQ_REJECTED SQ_(ST_REJECTED)
#define SQ_VALID SQ_(ST_VALID)
#define SQ_LETTER SQ_(ST_LETTER)
#define SQ_SIGNED SQ_(ST_SIGNED)
#define SQ_BUNDLED SQ_(ST_BUNDLED)
#define SQ_NOT_REGISTERED SQ_(ST_NOT_REGISTERED)
#define SQ_NEW SQ_(ST_NEW)
#define SQ_WAITING_FOR_VERIFICATION SQ_(ST_WAITING_FOR_VERIFICATION)
#define SQ_NO_CERTIFICATE SQ_(ST_NO_CERTIFICATE)
#define SQ_ENROLL SQ_(ST_ENROLL)
#define SQ_ISSUE SQ_(ST_ISSUE)
#define SQ_RENEW SQ_(ST_RENEW)
#define SQ_EXPIRED SQ_(ST_EXPIRED)
#define SQ_SUSPEND SQ_(ST_SUSPEND)
#define SQ_REVOKE SQ_(ST_REVOKE)
#define SQ_DENIED SQ_(ST_DENIED)

/* How far an applicant in a state has come, as the report's funnel counts
 * it (each step includes the ones before). */
enum state_step {
	STEP_SUBMITTED,		/* filled in the form */
	STEP_VALID,		/* data valid or waived */
	STEP_LETTER,		/* a recommendation letter exists */
	STEP_BUNDLED,		/* handed to BSrE in an upload bundle */
	STEP_REGISTERED,	/* known to the BSrE portal */
};

/* Which side set the state. */
enum state_kind {
	STATE_TTE,		/* tte's own stages and commands */
	STATE_BSRE,		/* a BSrE status export (ingest) */
};

struct state_info {
	const char *name;	/* ST_* */
	enum state_kind kind;
	enum state_step step;
	const char *meaning;	/* Indonesian, one line */
};

/* Every state, in funnel order (the order the report lists them). */
#define STATE_COUNT 16
extern const struct state_info state_table[STATE_COUNT];

/* The entry for NAME, or NULL when NAME is no state. */
const struct state_info *state_find(const char *name);

/* Index of NAME in state_table[], or -1. */
int state_index(const char *name);

/* The states of KIND (or all, when KIND is -1) whose step is between
 * MIN_STEP and MAX_STEP, as an SQL list "'A','B'" (g_free). Built from the
 * table, so SQL that must name every state of a kind stays in step with it. */
char *state_sql_list(int kind, enum state_step min_step, enum state_step max_step);

/* Is NAME one of tte's states before the bundle (REJECTED, VALID, LETTER,
 * SIGNED)? The applicant's data may still be replaced by a new submission,
 * and BSrE cannot know the applicant yet, so a status export saying
 * NOT_REGISTERED is no news. */
bool state_before_bundle(const char *name);

#endif
