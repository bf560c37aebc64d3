-- The table behind examples/sqlite_store.rs and tests/concurrency*.rs.
-- Everything twostep needs to remember about a user is in one text column;
-- the library itself stores nothing.
CREATE TABLE IF NOT EXISTS users (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    -- twostep::account::Account text form, "a1;<guard>;<totp>;…;d1;…":
    -- the guard state, the sealed TOTP secret (XChaCha20-Poly1305, bound to
    -- this id), the phone hint, the backup-code hashes, the delivered-code
    -- state and the remembered devices. NULL until two-step verification
    -- is set up. Written only with compare-and-swap on the whole text.
    account TEXT
) STRICT;
