-- A member's own document of suggestions to one section (issue 14), named in the plan's
-- membership log: the account whose suggestions it holds. Its kind is the section's
-- number with the high bit set (129 for About me, ...); a section's own document has none.
ALTER TABLE documents ADD COLUMN suggester TEXT;
