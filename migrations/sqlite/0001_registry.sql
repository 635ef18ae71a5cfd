-- Schemas are global and immutable; an id is never handed out twice (AUTOINCREMENT keeps the
-- high-water mark even after the row is deleted).
CREATE TABLE schemas (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    schema_type TEXT    NOT NULL,
    schema      TEXT    NOT NULL,
    metadata    TEXT,
    rule_set    TEXT,
    hash        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
-- Not unique: IMPORT mode may bring the same schema in under two ids.
CREATE INDEX schemas_by_hash ON schemas (hash);

CREATE TABLE schema_references (
    schema_id INTEGER NOT NULL REFERENCES schemas (id) ON DELETE CASCADE,
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
    schema_id  INTEGER NOT NULL REFERENCES schemas (id),
    deleted    INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (subject, version)
);
CREATE INDEX subject_versions_by_schema ON subject_versions (schema_id);

-- scope '' is the global level; any other scope is a subject name.
CREATE TABLE configs (
    scope         TEXT PRIMARY KEY,
    compatibility TEXT,
    normalize     INTEGER
);

CREATE TABLE modes (
    scope TEXT PRIMARY KEY,
    mode  TEXT NOT NULL
);
