-- Accounts without email (docs/accounts.md): the server keeps a hash of the passphrase's
-- verifier, the public keys, and the private keys wrapped under keys it never sees.
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    verifier_hash BYTEA NOT NULL,
    stretch_memory_kib BIGINT NOT NULL,
    stretch_passes BIGINT NOT NULL,
    signing_key BYTEA NOT NULL,
    receiving_key BYTEA NOT NULL,
    wrapped_keys BYTEA NOT NULL,
    -- Both cleared when the recovery code is used, until the next one is set.
    recovery_hash BYTEA,
    recovery_wrapped_keys BYTEA,
    created_ms BIGINT NOT NULL
);

-- The phones signed in to an account, with the names the person gave them.
CREATE TABLE phones (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    signed_in_ms BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL
);
CREATE INDEX phones_by_account ON phones (account_id);

-- Sessions by the SHA-256 of their token (the token itself is only in the phone's cookie).
CREATE TABLE sessions (
    token_hash BYTEA PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    phone_id TEXT NOT NULL REFERENCES phones (id) ON DELETE CASCADE,
    created_ms BIGINT NOT NULL,
    last_used_ms BIGINT NOT NULL
);
CREATE INDEX sessions_by_phone ON sessions (phone_id);

-- Token buckets for the limits on guessing, keyed by a hash of what they count (a
-- username, an address), never the text itself.
CREATE TABLE limits (
    key BYTEA PRIMARY KEY,
    tokens DOUBLE PRECISION NOT NULL,
    at_ms BIGINT NOT NULL
);
