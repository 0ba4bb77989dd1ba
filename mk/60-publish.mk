# Issue 10: the static verification site behind the letters' QR codes
# (stages/publish.c), checked end to end and in a real browser.
STAGES += publish
TESTS += e2e_publish
e2e_publish_SRCS := tests/letters_fixture.c tests/pdfsign.c
e2e_publish_PKGS := libqpdf cairo fontconfig
BENCHES += publish
