# Issue 4: BSrE status ingestion, WhatsApp notices, the privacy purge.
#
# The table readers (CSV and XLSX) are core: XLSX reading needs libarchive
# (the zip) and libxml2 (the XML). Programs that never read XLSX do not
# pull xlsxread.o out of libtte.a.
CORE_PKGS += libarchive libxml-2.0

TESTS += unit_xlsx
unit_xlsx_SRCS := tests/xlsxfix.c
unit_xlsx_PKGS := xlsxwriter libarchive

STAGES += ingest notices purge

TOOLS += gen-status

# Untrusted-input parsers: the XLSX reader, and the CSV reader both
# stages use.
FUZZERS += xlsx_read xlsx_xml csv_read
# The fuzz build compiles every core source, sheet.c among them.
xlsx_read_PKGS := xlsxwriter
csv_read_PKGS := xlsxwriter
xlsx_xml_PKGS := xlsxwriter

TESTS += e2e_status
e2e_status_SRCS := tests/xlsxfix.c tests/statusfix.c
e2e_status_PKGS := xlsxwriter libarchive
TESTS += e2e_purge
e2e_purge_SRCS := tests/xlsxfix.c tests/statusfix.c
e2e_purge_PKGS := xlsxwriter libarchive

BENCHES += ingest
