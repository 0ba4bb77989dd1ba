/*
 * xlsx_read - libFuzzer harness for table_read_xlsx (status exports from
 * the BSrE portal are untrusted zips of XML). Seeds: tests/fuzz/seeds/xlsx_read.
 */
#include "table_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_run(table_read_xlsx, data, size);
}
