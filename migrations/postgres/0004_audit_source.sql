-- The client address behind each audited change (NULL for changes made on the command line).
ALTER TABLE audit_log ADD COLUMN source TEXT;
