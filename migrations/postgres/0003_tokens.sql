-- API tokens: only the SHA-256 of the secret is kept; the secret is shown once at creation.
CREATE TABLE tokens (
    name       TEXT PRIMARY KEY,
    hash       TEXT    NOT NULL UNIQUE,
    role       TEXT    NOT NULL,
    subjects   TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
