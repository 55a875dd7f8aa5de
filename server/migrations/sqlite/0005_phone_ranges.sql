-- Each phone's range of Yrs client ids (docs/history.md): registered at sign-in, never
-- shared by two phones of an account, and the only range its changes may claim.
ALTER TABLE phones ADD COLUMN range_start INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX phones_range_per_account ON phones (account_id, range_start)
    WHERE range_start > 0;
