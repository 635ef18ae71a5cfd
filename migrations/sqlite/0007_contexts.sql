-- Contexts other than the default, numbered in the order they were first used. Each counts its
-- own schema ids: `last_id` is the highest handed out or imported, never lowered, so a context's
-- ids are not reused. Their schemas are stored under negative ids (see model::context).
CREATE TABLE contexts (
    name    TEXT    PRIMARY KEY,
    number  INTEGER NOT NULL UNIQUE,
    last_id INTEGER NOT NULL DEFAULT 0
);
