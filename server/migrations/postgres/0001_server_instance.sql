-- One row naming this server's database, so that a phone can tell a restored or replaced
-- server from the one it last synced with.
CREATE TABLE server_instance (
    singleton SMALLINT PRIMARY KEY CHECK (singleton = 1),
    instance_id TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
