-- The hourly purge (server/src/retention.rs) finds audit rows by age.
CREATE INDEX audit_by_time ON audit (at_ms);
