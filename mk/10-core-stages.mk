# Form intake and the report.
STAGES += intake report
report_PKGS := xlsxwriter
TOOLS += gen-forms
TESTS += unit_rules e2e_intake
unit_rules_PKGS := xlsxwriter
BENCHES += intake
# What the mandated libraries alone cost on the same export (bench/floor.sh).
TOOLS += floor
floor_PKGS := xlsxwriter
BENCHES += floor
