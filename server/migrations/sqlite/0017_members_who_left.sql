-- A member who left a plan on their own (issue 14, item 7: the member's own removal),
-- with when. The server refuses them from that request on: their rights are kept as
-- nothing, and stay nothing each time the membership log grows. The person's phone is
-- told (Who can see your plan, the access log) and removes them from the log, which
-- starts new keys (and never lets the same account in again).
ALTER TABLE plan_members ADD COLUMN left_ms INTEGER;
