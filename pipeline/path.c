/*
 * path.c - tte_path(), paths under the root (declared in tte.h).
 *
 * A file of its own so that the modules building paths (log, store, inbox,
 * sheet) depend on nothing but the context struct, and ctx.c, which uses
 * them, is not needed by them in turn.
 */
#include <stdarg.h>
#include <glib.h>

#include "tte.h"

char *tte_path(const struct tte_ctx *ctx, const char *first, ...)
{
	GPtrArray *parts = g_ptr_array_new();
	va_list ap;
	char *path;

	g_ptr_array_add(parts, ctx->root);
	va_start(ap, first);
	for (const char *p = first; p; p = va_arg(ap, const char *))
		g_ptr_array_add(parts, (gpointer)p);
	va_end(ap);
	g_ptr_array_add(parts, NULL);
	path = g_build_filenamev((gchar **)parts->pdata);
	g_ptr_array_free(parts, TRUE);
	return path;
}
