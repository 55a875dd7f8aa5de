-- Each document's key epoch (issue 14): 0 until someone who could read it is removed,
-- then moved on by one, in the same commit as the membership log entry that starts the
-- epoch and its key envelopes. A change sealed under an earlier epoch is answered
-- "stale epoch" and sealed again under the new key by its phone; it never moves back.
ALTER TABLE documents ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
