-- Who besides the owner may reach a plan's documents, and how (SHARING decision 4).
-- Derived by the server from the membership log it verified, each time the log grows;
-- never taken from what a phone says. One byte per section, by its wire code (about me
-- first): 0 nothing, 1 read, 2 suggest, 3 edit.
CREATE TABLE plan_members (
    plan_id TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    rights BLOB NOT NULL,
    PRIMARY KEY (plan_id, account_id)
);
CREATE INDEX plan_members_by_account ON plan_members (account_id);
