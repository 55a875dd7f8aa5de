-- Each plan's membership log (SHARING decision 3): entries signed by the person, chained
-- by hash, numbered from 0 with no gaps. The server checks each against the log before it
-- and the owner's key, and never changes one; phones check the whole log again.
CREATE TABLE membership_entries (
    plan_id TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    body BYTEA NOT NULL,
    PRIMARY KEY (plan_id, number)
);
