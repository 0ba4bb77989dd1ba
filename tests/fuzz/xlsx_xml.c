/*
 * xlsx_xml - libFuzzer harness for the XML side of table_read_xlsx. A
 * mutated zip rarely gets past its CRCs, so here the input is the XML
 * itself: up to three parts separated by a line "----" (the worksheet,
 * sharedStrings.xml, workbook.xml; defaults for missing ones), stored in
 * a valid zip built on the fly. Seeds: tests/fuzz/seeds/xlsx_xml.
 */
#include <archive.h>
#include <archive_entry.h>

#include "table_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const default_wb =
	"<workbook xmlns:r=\"r\"><sheets><sheet name=\"S\" r:id=\"rId1\"/></sheets></workbook>";
static const char *const rels =
	"<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/>"
	"</Relationships>";

static void add(struct archive *a, const char *name, const void *p, size_t n)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, (la_int64_t)n);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	if (archive_write_header(a, e) != ARCHIVE_OK || (n && archive_write_data(a, p, n) < 0))
		abort();
	archive_entry_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[3] = { NULL, NULL, NULL };
	size_t len[3] = { 0, 0, 0 };
	size_t start = 0;
	int k = 0;
	struct archive *a = archive_write_new();
	void *zip = malloc(size + 65536);
	size_t used = 0;

	/* Split on "\n----\n". */
	for (size_t i = 0; i + 6 <= size && k < 2; i++) {
		if (!memcmp(data + i, "\n----\n", 6)) {
			part[k] = data + start;
			len[k++] = i - start;
			start = i + 6;
			i += 5;
		}
	}
	part[k] = data + start;
	len[k] = size - start;

	archive_write_set_format_zip(a);
	archive_write_set_options(a, "zip:compression=store");
	if (archive_write_open_memory(a, zip, size + 65536, &used) != ARCHIVE_OK)
		abort();
	add(a, "xl/workbook.xml", part[2] ? (const void *)part[2] : default_wb,
	    part[2] ? len[2] : strlen(default_wb));
	add(a, "xl/_rels/workbook.xml.rels", rels, strlen(rels));
	if (part[1])
		add(a, "xl/sharedStrings.xml", part[1], len[1]);
	add(a, "xl/worksheets/sheet1.xml", part[0], len[0]);
	archive_write_close(a);
	archive_write_free(a);
	fz_run(table_read_xlsx, zip, used);
	free(zip);
	return 0;
}
