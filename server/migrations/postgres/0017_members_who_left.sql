-- A member who left a plan on their own (issue 14, item 7: the member's own removal),
-- with when. The server refuses them from that request on: their rights are kept as
-- nothing, and stay nothing each time the membership log grows. Until the log removes
-- them, the person's phones are told (the plan list's count of members to remove, Who
-- can see your plan, the access log); removing them starts new keys.
ALTER TABLE plan_members ADD COLUMN left_ms BIGINT;
