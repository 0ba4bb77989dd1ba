/*
 * json.c - the one JSON string escaper (json.h).
 */
#include <glib.h>

#include "json.h"

void json_string(GString *out, const char *s, bool html_safe)
{
	char *v;

	if (!s) {
		g_string_append(out, "null");
		return;
	}
	v = g_utf8_make_valid(s, -1);
	g_string_append_c(out, '"');
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		switch (*p) {
		case '"':
			g_string_append(out, "\\\"");
			break;
		case '\\':
			g_string_append(out, "\\\\");
			break;
		case '\n':
			g_string_append(out, "\\n");
			break;
		case '\r':
			g_string_append(out, "\\r");
			break;
		case '\t':
			g_string_append(out, "\\t");
			break;
		case '<':
		case '>':
		case '&':
			if (html_safe) {
				g_string_append_printf(out, "\\u%04x", *p);
				break;
			}
			/* fall through */
		default:
			if (*p < 0x20)
				g_string_append_printf(out, "\\u%04x", *p);
			else
				g_string_append_c(out, (char)*p);
		}
	}
	g_string_append_c(out, '"');
	g_free(v);
}
