-- Schema version 1: the store's identity.
-- meta is local to this file and never synced.
CREATE TABLE meta (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) STRICT;
