-- The event catalog: domains, teams, services (with their produce/consume links) and events
-- (with their schema versions and examples), each one JSON document keyed by kind and name.
CREATE TABLE catalog_entities (
    kind       TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    body       TEXT   NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (kind, name)
);

-- Every change to the registry or the catalog: what, when, by whom, before and after.
CREATE TABLE audit_log (
    id     BIGSERIAL PRIMARY KEY,
    at     BIGINT NOT NULL,
    actor  TEXT   NOT NULL,
    action TEXT   NOT NULL,
    target TEXT   NOT NULL,
    before TEXT,
    after  TEXT
);
CREATE INDEX audit_log_by_target ON audit_log (target);
