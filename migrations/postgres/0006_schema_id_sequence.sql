-- New ids come from a sequence instead of the counter row: every registration held the row's
-- lock until it committed, so registrations of every instance waited for one another's commits.
-- A sequence never waits; ids stay global, and a purged or imported id is never handed out again.
CREATE SEQUENCE schema_ids AS BIGINT MINVALUE 1;
SELECT setval('schema_ids', next_id, false) FROM schema_id_counter;
DROP TABLE schema_id_counter;
