# Offline verification of signed PDFs (verify/, stages/verify.c).
VERIFY_SRCS := verify/scan.c verify/objects.c verify/cms.c verify/hash.c verify/diff.c \
               verify/json.c verify/limits.c verify/pdfverify.c

verify_SRCS := $(VERIFY_SRCS)
verify_PKGS := libqpdf

TESTS += verify_corpus
TESTS += verify_tamper
verify_tamper_SRCS := tests/pdfsign.c
verify_tamper_PKGS := libqpdf cairo fontconfig zlib
TESTS += e2e_verify
e2e_verify_SRCS := tests/pdfsign.c
e2e_verify_PKGS := libqpdf cairo fontconfig zlib

FUZZERS += pdfverify
pdfverify_SRCS := $(VERIFY_SRCS)
pdfverify_PKGS := libqpdf xlsxwriter  # the fuzz rule links all of pipeline/, sheet.c too

TOOLS += mksigned
mksigned_SRCS := tests/pdfsign.c
mksigned_PKGS := libqpdf cairo fontconfig zlib
BENCHES += verify

# The whole way of one applicant through every stage, form to certificate.
TESTS += e2e_lifecycle
e2e_lifecycle_SRCS := tests/pdfsign.c
e2e_lifecycle_PKGS := libqpdf cairo fontconfig zlib
