/*
 * json.h - JSON strings for the documents tte writes by hand (the
 * verification results, the verification site's index.json): their shapes
 * are fixed and small, so no JSON library is needed, but every string goes
 * through this one escaper.
 */
#ifndef TTE_JSON_H
#define TTE_JSON_H

#include <stdbool.h>
#include <glib.h>

/*
 * Append S to OUT as a JSON string: quoted, invalid UTF-8 repaired (U+FFFD),
 * '"' and '\' escaped, \n \r \t as such and the other control characters as
 * \u00XX. With HTML_SAFE, '<', '>' and '&' become \u003c, \u003e, \u0026
 * too, so the document stays inert wherever it is pasted. NULL gives null.
 */
void json_string(GString *out, const char *s, bool html_safe);

#endif
