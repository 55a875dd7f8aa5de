-- The cursor log of SHARING decision 2: each document (a plan section, or a member's
-- suggestions for one) numbers the sealed envelopes it accepts 1, 2, 3…, in commit order,
-- under its own row lock (never a global sequence, which commits out of order); a device
-- pulls "everything after N". The server never reads a body.
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    -- The last number given; 0 before the first envelope.
    head BIGINT NOT NULL DEFAULT 0 CHECK (head >= 0),
    -- Changes when the log is reset or the server restored from a backup, so a device can
    -- tell its cursor no longer means what it did.
    log_id TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE envelopes (
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL CHECK (seq > 0),
    -- The sending device and its own counter for this document: a push is idempotent on
    -- the pair, and a repeated counter with another body is refused.
    device_id TEXT NOT NULL,
    counter BIGINT NOT NULL CHECK (counter >= 0),
    body BYTEA NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (document_id, seq),
    UNIQUE (document_id, device_id, counter)
);
