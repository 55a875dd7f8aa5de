-- Every plan has a card (issue 14): a document of kind 6 that every member may read and
-- only the person's phones write (the name the person goes by, the next review date,
-- sealed like any section). Plans attached before this get theirs here; the person's
-- phone makes its key at its next round.
INSERT INTO documents (id, log_id, plan_id, kind)
SELECT lower(hex(randomblob(16))), d.log_id, d.plan_id, 6 FROM documents d
WHERE d.kind = 1 AND d.suggester IS NULL
  AND NOT EXISTS (SELECT 1 FROM documents c WHERE c.plan_id = d.plan_id AND c.kind = 6);
