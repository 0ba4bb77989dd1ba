# The static verification site behind the letters' QR codes
# (stages/publish.c, a line in include/stages.def), checked end to end and
# in a real browser (tests/web/).
TESTS += e2e_publish
e2e_publish_SRCS := tests/letters_fixture.c tests/pdfsign.c
e2e_publish_PKGS := libqpdf cairo fontconfig zlib
BENCHES += publish
