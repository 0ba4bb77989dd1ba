# Form intake and the report.
report_PKGS := xlsxwriter
# intake's raw keys of known rows (XXH3-128).
intake_PKGS := libxxhash
TOOLS += gen-forms
TESTS += unit_rules e2e_intake
# The CSV reader, cell by cell.
TESTS += unit_table
unit_rules_PKGS := xlsxwriter
BENCHES += intake
# What the mandated libraries alone cost on the same export (bench/floor.sh).
TOOLS += floor
floor_PKGS := xlsxwriter
# Not in BENCHES: bench/intake.sh runs the floor beside tte; floor.sh
# gives its breakdown (make bench BENCHES=floor).
# The front command: help, version, stage lookup, the driver's signals,
# root permissions, config lookup, --allow-future-date.
TESTS += e2e_front
