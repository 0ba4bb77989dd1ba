# Recommendation letters and BSrE upload bundles.
letters_SRCS := stages/letter_pdf.c
letters_PKGS := pangocairo cairo-pdf libqrencode
bundle_PKGS := libarchive xlsxwriter
TESTS += e2e_letters e2e_bundle
e2e_letters_SRCS := tests/letters_fixture.c
e2e_bundle_SRCS := tests/letters_fixture.c
BENCHES += letters
