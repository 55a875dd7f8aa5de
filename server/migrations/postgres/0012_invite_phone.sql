-- Which phone redeemed an invite (issue 14): the person's phone adds that phone, with its
-- range of client ids, to the plan's membership log when the person accepts.
ALTER TABLE invites ADD COLUMN joiner_phone TEXT;
