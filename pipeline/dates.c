/*
 * dates.c - strict ISO dates, Indonesian long dates, form timestamps.
 *
 * The timestamp parser tokenises rather than pattern-matching one format:
 * Google's exports vary with the account's locale and with whether the file
 * came from Forms or from the linked Sheet, and new variants appear without
 * notice. What is fixed is the order: a date, a time, maybe AM/PM, maybe a
 * zone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "dates.h"
#include "tte.h"

static const char *const months_id[] = {
	"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
	"Agustus", "September", "Oktober", "November", "Desember",
};

const char *date_month_id(int month)
{
	return month >= 1 && month <= 12 ? months_id[month - 1] : "?";
}

int date_parse_iso(const char *s, GDate *d)
{
	unsigned y, m, dd;
	char tail;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if (sscanf(s, "%4u-%2u-%2u%c", &y, &m, &dd, &tail) != 3)
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !g_ascii_isdigit(s[i]))
			return -1;
	if (!g_date_valid_dmy((GDateDay)dd, (GDateMonth)m, (GDateYear)y))
		return -1;
	g_date_clear(d, 1);
	g_date_set_dmy(d, (GDateDay)dd, (GDateMonth)m, (GDateYear)y);
	return 0;
}

void date_iso(const GDate *d, char buf[11])
{
	g_snprintf(buf, 11, "%04u-%02u-%02u", g_date_get_year(d), g_date_get_month(d),
		   g_date_get_day(d));
}

char *date_long_id(const GDate *d)
{
	return g_strdup_printf("%u %s %u", g_date_get_day(d), date_month_id(g_date_get_month(d)),
			       g_date_get_year(d));
}

/* Read up to MAXN unsigned numbers separated by any of SEPS from *P.
 * Returns the count; DIGITS[i] gets each number's digit count. */
static int numbers(const char **p, const char *seps, int maxn, int *v, int *digits)
{
	int n = 0;

	while (n < maxn && g_ascii_isdigit(**p)) {
		int x = 0, nd = 0;

		while (g_ascii_isdigit(**p) && nd < 5) {
			x = x * 10 + (**p - '0');
			(*p)++;
			nd++;
		}
		if (g_ascii_isdigit(**p))
			return -1;
		v[n] = x;
		digits[n++] = nd;
		if (**p && strchr(seps, **p) && g_ascii_isdigit((*p)[1]))
			(*p)++;
		else
			break;
	}
	return n;
}

static void skip_space(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == ',')
		(*p)++;
}

/* "+8", "+07:00", "-0530", "+0700" after GMT/UTC; offset in seconds. */
static int parse_offset(const char *p, int *secs)
{
	int sign, h = 0, m = 0, nd = 0;

	if (*p == 0) {
		*secs = 0;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	while (g_ascii_isdigit(*p) && nd < 4) {
		h = h * 10 + (*p++ - '0');
		nd++;
	}
	if (nd == 4) {		/* +0700 */
		m = h % 100;
		h /= 100;
	} else if (*p == ':' || *p == '.') {
		p++;
		if (!g_ascii_isdigit(p[0]) || !g_ascii_isdigit(p[1]))
			return -1;
		m = (p[0] - '0') * 10 + (p[1] - '0');
		p += 2;
	}
	if (*p || nd == 0 || h > 14 || m > 59)
		return -1;
	*secs = sign * (h * 3600 + m * 60);
	return 0;
}

int date_parse_form_ts(const char *s, bool day_first, GTimeZone *tz, char out[21])
{
	const char *p = s;
	int dv[3], dd[3], tv[3] = { 0, 0, 0 }, td[3];
	int y, mo, d, nt, n;
	int offset = 0;
	bool has_offset = false;

	if (!s)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	n = numbers(&p, "/-.", 3, dv, dd);
	if (n != 3)
		return -1;
	if (dd[0] == 4) {			/* 2026/11/10 */
		y = dv[0];
		mo = dv[1];
		d = dv[2];
	} else {
		if (dd[2] == 4)
			y = dv[2];
		else if (dd[2] == 2)
			y = 2000 + dv[2];	/* 10/11/26: a form submitted this century */
		else
			return -1;
		if (dv[0] > 12 || (day_first && dv[1] <= 12)) {
			d = dv[0];
			mo = dv[1];
		} else {
			mo = dv[0];
			d = dv[1];
		}
	}
	if (*p == 'T')
		p++;
	skip_space(&p);
	nt = numbers(&p, ":.", 3, tv, td);
	if (nt < 0 || nt == 1)
		return -1;
	skip_space(&p);
	if (!g_ascii_strncasecmp(p, "AM", 2) || !g_ascii_strncasecmp(p, "PM", 2) ||
	    !g_ascii_strncasecmp(p, "a.m.", 4) || !g_ascii_strncasecmp(p, "p.m.", 4)) {
		bool pm = g_ascii_tolower(*p) == 'p';

		if (nt == 0 || tv[0] < 1 || tv[0] > 12)
			return -1;
		if (pm && tv[0] != 12)
			tv[0] += 12;
		else if (!pm && tv[0] == 12)
			tv[0] = 0;
		p += p[1] == '.' ? 4 : 2;
		skip_space(&p);
	}
	if (*p == 'Z' && p[1] == 0) {
		has_offset = true;
		p++;
	} else if (!g_ascii_strncasecmp(p, "GMT", 3) || !g_ascii_strncasecmp(p, "UTC", 3)) {
		if (parse_offset(p + 3, &offset))
			return -1;
		has_offset = true;
		p += strlen(p);
	} else if (*p == '+' || *p == '-') {
		if (parse_offset(p, &offset))
			return -1;
		has_offset = true;
		p += strlen(p);
	} else if (!g_ascii_strcasecmp(p, "WIB")) {
		offset = 7 * 3600, has_offset = true, p += 3;
	} else if (!g_ascii_strcasecmp(p, "WITA")) {
		offset = 8 * 3600, has_offset = true, p += 4;
	} else if (!g_ascii_strcasecmp(p, "WIT")) {
		offset = 9 * 3600, has_offset = true, p += 3;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p)
		return -1;
	if (!g_date_valid_dmy((GDateDay)d, (GDateMonth)mo, (GDateYear)y) || y < 2000 || y > 2200)
		return -1;
	if (tv[0] > 23 || tv[1] > 59 || tv[2] > 60)
		return -1;
	{
		/* The form's own offset, else TZ (which also knows any
		 * daylight-saving rule); GDateTime does the calendar. */
		int sec = tv[2] > 59 ? 59 : tv[2];
		GDateTime *local = has_offset ? g_date_time_new_utc(y, mo, d, tv[0], tv[1], sec)
					      : g_date_time_new(tz, y, mo, d, tv[0], tv[1], sec);
		GDateTime *utc;
		int uy, um, ud;

		if (!local)
			return -1;
		utc = has_offset ? g_date_time_add_seconds(local, -offset) : g_date_time_to_utc(local);
		g_date_time_unref(local);
		if (!utc)
			return -1;
		g_date_time_get_ymd(utc, &uy, &um, &ud);
		g_snprintf(out, 21, "%04d-%02d-%02dT%02d:%02d:%02dZ", uy, um, ud,
			   g_date_time_get_hour(utc), g_date_time_get_minute(utc),
			   g_date_time_get_second(utc));
		g_date_time_unref(utc);
	}
	return 0;
}
