-- An account's second factor (issue 14, item 10): the secret of a time-based code
-- (RFC 6238) that its authenticator app makes, and the last 30-second step a code was
-- taken for, so no code is taken twice. An account that is a member of someone else's
-- plan must have one: it is asked for at every sign-in and recovery.
CREATE TABLE second_factors (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    secret BYTEA NOT NULL,
    last_step BIGINT NOT NULL,
    added_ms BIGINT NOT NULL
);
