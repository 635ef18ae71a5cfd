-- Config fields besides the level and normalize (compatibilityGroup, default and override
-- metadata and rule sets, ...), as one JSON document; NULL when none is set.
ALTER TABLE configs ADD COLUMN settings TEXT;
