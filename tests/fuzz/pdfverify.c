/*
 * pdfverify - libFuzzer harness over the signed-PDF verifier's entry
 * point (pdfverify_buffer), then the JSON and the summary of its result.
 *
 * The trust anchors of the pyHanko corpus are loaded when $TTE_SHARED
 * points at the shared folder, so that chain building runs too. Seeds:
 * the signed-PDF corpus (tests/fuzz/pdfverify.seeds).
 */
#include <stdint.h>
#include <stdlib.h>
#include <glib.h>

#include "pdfverify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pdfverify_ctx *context(void)
{
	static struct pdfverify_ctx *vc;
	const char *shared = getenv("TTE_SHARED");
	struct pdfverify_opts o = { .now = 1700000000 };
	char *trust = NULL, *err = NULL;

	if (vc)
		return vc;
	if (shared && *shared)
		trust = g_strdup_printf("%s/corpus/pdf/pyhanko/root.cert.pem;"
					"%s/corpus/pdf/pyhanko/interm.cert.pem", shared, shared);
	o.trust = trust;
	vc = pdfverify_ctx_new(&o, &err);
	if (!vc) {
		/* Anchors missing: fuzz without them. */
		g_free(err);
		o.trust = NULL;
		vc = pdfverify_ctx_new(&o, &err);
	}
	g_free(trust);
	return vc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pdfverify_result *r = NULL;

	if (pdfverify_buffer(context(), data, size, "fuzz.pdf", &r) == 0) {
		char *j = pdfverify_result_json(r), *s = pdfverify_result_summary(r);

		g_free(j);
		g_free(s);
		pdfverify_result_free(r);
	}
	return 0;
}
