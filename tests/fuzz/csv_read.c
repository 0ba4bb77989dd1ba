/*
 * csv_read - libFuzzer harness for table_read_csv (form and status
 * exports). Seeds: tests/fuzz/seeds/csv_read.
 */
#include "table_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_run(table_read_csv, data, size);
}
