-- The table behind examples/sqlite_store.rs and tests/concurrency.rs.
-- Everything twostep needs to remember about a user is in these three
-- text columns; the library itself stores nothing.
CREATE TABLE IF NOT EXISTS users (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    -- The TOTP secret, which must be encrypted at rest. The example writes
    -- a PLACEHOLDER here (the base32 secret behind a "plaintext:" tag):
    -- a real application seals it with an AEAD under a key from a KMS.
    secret_enc  TEXT NOT NULL,
    -- GuardState text form, "g1.<last_step>.<drift>.<failures>.<blocked_until>".
    guard_state TEXT NOT NULL,
    -- backup::CodeSet storage string, "$twostep-bc$v=2$...", hashes only;
    -- NULL while the user has no backup codes.
    backup_set  TEXT
) STRICT;
