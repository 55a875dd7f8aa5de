-- Compaction by phones (issue 13): a phone uploads a sealed snapshot of a document that
-- says which part of the log it covers (its header's "covers", copied here so the server
-- need not read bodies to find snapshots). Once a snapshot has outlived the grace period
-- with no phone reporting it, it becomes the document's base: a phone behind what it
-- covers is sent it instead, and the entries it covers are dropped.
ALTER TABLE envelopes ADD COLUMN covers BIGINT;
-- A phone found this snapshot does not cover what it claims, or could not open it: it
-- never becomes a base.
ALTER TABLE envelopes ADD COLUMN reported BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX envelopes_snapshots ON envelopes (document_id, seq) WHERE covers IS NOT NULL;

-- The base: the snapshot a phone behind base_covers is sent first (0: none yet).
ALTER TABLE documents ADD COLUMN base_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN base_covers BIGINT NOT NULL DEFAULT 0;

-- The highest counter of each phone's entries dropped from a document's log: a push at or
-- below it is answered "counter reused" (the phone seals it again under a new counter, a
-- harmless repeat if the server had it), since the bytes to compare it with are gone.
CREATE TABLE dropped_counters (
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    device_id TEXT NOT NULL,
    counter BIGINT NOT NULL,
    PRIMARY KEY (document_id, device_id)
);
