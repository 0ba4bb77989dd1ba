/*
 * dates.h - dates the way tte's users write and read them.
 *
 * Form timestamps arrive in the shapes Google Forms and Sheets write
 * (README "Timestamps"); letters carry Indonesian long dates. Calendar
 * arithmetic is GLib's (GDate, GDateTime); nothing here counts days by hand.
 */
#ifndef TTE_DATES_H
#define TTE_DATES_H

#include <stdbool.h>
#include <glib.h>

/* Parse a strict YYYY-MM-DD into D. 0 / -1 (nothing logged). */
int date_parse_iso(const char *s, GDate *d);

/* Format D as YYYY-MM-DD into BUF (11 bytes). */
void date_iso(const GDate *d, char buf[11]);

/* "24 November 2026". Newly allocated (g_free). */
char *date_long_id(const GDate *d);

/* Indonesian month name, 1..12. */
const char *date_month_id(int month);

/*
 * Parse a form timestamp S into UTC "YYYY-MM-DDTHH:MM:SSZ" (OUT, 21 bytes).
 * Accepted: "2026/11/10 1:00:00 PM GMT+8", "12/11/2026 08:00:00",
 * "5/15/2020 12:44:55", "2026-11-10 13:00", ISO 8601 with an offset, time
 * separators ':' or '.', AM/PM, and zones GMT+N, UTC+N, WIB, WITA, WIT.
 * A day/month order that the numbers cannot decide follows DAY_FIRST
 * (true for Indonesian-locale exports). A timestamp without a zone is in
 * TZ. Returns 0, or -1 when S is not a timestamp.
 */
int date_parse_form_ts(const char *s, bool day_first, GTimeZone *tz, char out[21]);

#endif
