# Fails a browser test whose runner is missing, saying what to install (MISSING).
message(FATAL_ERROR "${MISSING}")
