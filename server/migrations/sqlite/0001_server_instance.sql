-- One row naming this server's database, so that a phone can tell a restored or replaced
-- server from the one it last synced with.
CREATE TABLE server_instance (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    instance_id TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
