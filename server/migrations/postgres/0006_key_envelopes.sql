-- Key envelopes (SHARING decision 3): each document's key for an epoch, wrapped by the
-- person's phone to one reader's receiving key and signed. The server cannot open them;
-- it keeps the first one stored for each (document, epoch, recipient) and hands each
-- reader only their own.
CREATE TABLE key_envelopes (
    plan_id TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    epoch BIGINT NOT NULL,
    recipient BYTEA NOT NULL,
    body BYTEA NOT NULL,
    PRIMARY KEY (document_id, epoch, recipient)
);
CREATE INDEX key_envelopes_by_plan ON key_envelopes (plan_id, recipient);
