-- Plans attached to accounts (issue 12): the server gives each plan its id, and each of
-- its sections a document; the phone keeps its own id as a local alias. A retried attach
-- carries the same request id and gets the same plan back.
CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    request_id TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    UNIQUE (owner_id, request_id)
);

ALTER TABLE documents ADD COLUMN plan_id TEXT REFERENCES plans (id) ON DELETE CASCADE;
ALTER TABLE documents ADD COLUMN kind BIGINT NOT NULL DEFAULT 0;
CREATE INDEX documents_by_plan ON documents (plan_id);

-- When the server received each envelope, for history ("written offline on 3 May,
-- arrived 5 May").
ALTER TABLE envelopes ADD COLUMN received_ms BIGINT NOT NULL DEFAULT 0;

-- Every authorisation decision: who asked to do what to which plan or document, and
-- whether it was allowed. Never content.
CREATE TABLE audit (
    at_ms BIGINT NOT NULL,
    account_id TEXT,
    phone_id TEXT,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    allowed BOOLEAN NOT NULL
);
CREATE INDEX audit_by_account ON audit (account_id, at_ms);
