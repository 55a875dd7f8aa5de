-- An account the service turned off (issue 14: a worker who left), with when: the server
-- refuses its sessions and sign-ins from then on ("account_disabled"), and the people of
-- each plan it was a member of are told, so they can remove it and start new keys.
ALTER TABLE accounts ADD COLUMN disabled_ms INTEGER;
