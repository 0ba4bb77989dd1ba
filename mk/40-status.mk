# BSrE status ingestion, WhatsApp notices, the privacy purge.
#
# The table readers (CSV and XLSX) are core: XLSX reading needs libarchive
# (the zip) and libxml2 (the XML). Programs that never read XLSX do not
# pull xlsxread.o out of libtte.a.
CORE_PKGS += libarchive libxml-2.0


# Status exports for the benchmark, fuzz seeds and demo.
TOOLS += gen-status

TESTS += unit_xlsx e2e_status e2e_purge
unit_xlsx_SRCS := tests/xlsxfix.c
unit_xlsx_PKGS := xlsxwriter libarchive
e2e_status_SRCS := tests/xlsxfix.c tests/statusfix.c
e2e_status_PKGS := xlsxwriter libarchive
e2e_purge_SRCS := tests/xlsxfix.c tests/statusfix.c
e2e_purge_PKGS := xlsxwriter libarchive

# Untrusted-input parsers: the XLSX reader (whole files, and its XML inside
# a valid zip), and the CSV reader both intake and ingest use. The fuzz
# build compiles every core source, sheet.c (libxlsxwriter) among them.
FUZZERS += xlsx_read xlsx_xml csv_read
xlsx_read_PKGS := xlsxwriter
xlsx_xml_PKGS := xlsxwriter
csv_read_PKGS := xlsxwriter

BENCHES += ingest

# The rules that read one form field or one file name (fsutil, rules).
FUZZERS += field_rules
field_rules_PKGS := xlsxwriter
