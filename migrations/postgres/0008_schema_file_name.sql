-- The file name a Protobuf schema was registered under (a serializer's descriptor names its
-- file), answered with `format=serialized`; not part of the schema's identity.
ALTER TABLE schemas ADD COLUMN file_name TEXT;
