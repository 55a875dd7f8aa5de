-- Invites in the room (issue 14, SHARING decision 5). The server sees only an invite's
-- id, kept hashed; the secrets stay on the two phones. Exactly one redemption succeeds
-- (an update that needs joiner_id still empty); an invite works for 15 minutes.
CREATE TABLE invites (
    id_hash BLOB PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    joiner_id TEXT REFERENCES accounts (id) ON DELETE CASCADE,
    commitment BLOB,
    proof BLOB,
    scanned BOOLEAN,
    redeemed_ms INTEGER,
    person_nonce BLOB,
    joiner_nonce BLOB
);
CREATE INDEX invites_by_plan ON invites (plan_id, expires_ms);
