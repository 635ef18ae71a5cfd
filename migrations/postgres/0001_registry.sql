-- Schema ids come from one counter row, so they are global across every Herald instance on this
-- database and never handed out twice: a purged id stays spent, and IMPORT moves the counter
-- past any id it brings in.
CREATE TABLE schema_id_counter (
    singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    next_id   BIGINT  NOT NULL
);
INSERT INTO schema_id_counter (next_id) VALUES (1);

CREATE TABLE schemas (
    id          BIGINT PRIMARY KEY,
    schema_type TEXT   NOT NULL,
    schema      TEXT   NOT NULL,
    metadata    TEXT,
    rule_set    TEXT,
    hash        TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);
-- Not unique: IMPORT mode may bring the same schema in under two ids.
CREATE INDEX schemas_by_hash ON schemas (hash);

CREATE TABLE schema_references (
    schema_id BIGINT  NOT NULL REFERENCES schemas (id) ON DELETE CASCADE,
    ordinal   INTEGER NOT NULL,
    name      TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    version   INTEGER NOT NULL,
    PRIMARY KEY (schema_id, ordinal)
);
CREATE INDEX schema_references_by_target ON schema_references (subject, version);

CREATE TABLE subject_versions (
    subject    TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    schema_id  BIGINT  NOT NULL REFERENCES schemas (id),
    deleted    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (subject, version)
);
CREATE INDEX subject_versions_by_schema ON subject_versions (schema_id);

-- scope '' is the global level; any other scope is a subject name.
CREATE TABLE configs (
    scope         TEXT PRIMARY KEY,
    compatibility TEXT,
    normalize     BOOLEAN
);

CREATE TABLE modes (
    scope TEXT PRIMARY KEY,
    mode  TEXT NOT NULL
);
