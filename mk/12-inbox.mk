# The inbox skeleton intake, ingest and verify share (pipeline/inbox.c).
TESTS += e2e_inbox
