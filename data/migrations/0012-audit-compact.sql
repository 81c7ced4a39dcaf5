-- Schema version 12: the audit log stored compactly (audit_log).
--
-- The log held every entry's table, operation, record id and actor as
-- text, a 32-byte hash and the first bytes of the previous one: about
-- 110 of an entry's 200 bytes, and the text ids again in its index by
-- record. Now:
-- * entity: the table's number in audit_table (frozen: jz-audit.c
--   numbers the tables the same way; a number is never reused);
-- * entity_id, actor: the 16 bytes of a UUID (jz_uuid_pack), or the text
--   as it was when it is not one (a holiday's date);
-- * op: 1 insert, 2 update, 3 delete;
-- * hash: the first 16 bytes of the SHA-256 (entries written before this
--   migration keep their 32), chained over the entry before's stored
--   hash; no prev_hash (a gap shows as missing sequence numbers, an edit
--   as a hash that does not match).
-- What is hashed is unchanged: the entry as text (jz-audit.c), so the
-- entries copied here verify as they did. The view `audit` shows the log
-- with its old columns, as text, in any SQLite shell.

CREATE TABLE audit_table (
  n     INTEGER PRIMARY KEY,
  name  TEXT NOT NULL UNIQUE
) STRICT;
INSERT INTO audit_table (n, name) VALUES
  (1, 'staff'), (2, 'room'), (3, 'bed'), (4, 'person'), (5, 'episode'),
  (6, 'belonging'), (7, 'service_log'), (8, 'tracing_step'), (9, 'stay_extension'),
  (10, 'departure'), (11, 'escort_trip'), (12, 'placement'), (13, 'settlement'),
  (14, 'followup'), (15, 'patrol'), (16, 'encounter'), (17, 'encounter_item'),
  (18, 'sighting_report'), (19, 'referral'), (20, 'expenditure'), (21, 'attachment'),
  (22, 'conflict'), (23, 'holiday');
-- A name no table has (only in a log written behind Jiuzhu's back) keeps
-- a number of its own, so that `check` still reports its entries.
INSERT INTO audit_table (n, name)
  SELECT 1000 + row_number () OVER (ORDER BY entity), entity
  FROM (SELECT DISTINCT entity FROM audit WHERE entity NOT IN (SELECT name FROM audit_table));

CREATE TABLE audit_log (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  at         INTEGER NOT NULL,
  actor      ANY,
  device     INTEGER NOT NULL,
  entity     INTEGER NOT NULL,
  entity_id  ANY NOT NULL,
  op         INTEGER NOT NULL,
  fields     BLOB NOT NULL,
  hash       BLOB NOT NULL
) STRICT;

-- An operation other than the three (again only behind Jiuzhu's back) is
-- kept as 0: its entry no longer matches its hash, and `check` says so.
INSERT INTO audit_log (seq, at, actor, device, entity, entity_id, op, fields, hash)
  SELECT a.seq, a.at, jz_uuid_pack (a.actor), a.device, t.n, jz_uuid_pack (a.entity_id),
         CASE a.op WHEN 'insert' THEN 1 WHEN 'update' THEN 2 WHEN 'delete' THEN 3 ELSE 0 END,
         a.fields_json, a.hash
  FROM audit a JOIN audit_table t ON t.name = a.entity
  ORDER BY a.seq;
-- The counter goes on from where the old one was, even past deleted entries.
DELETE FROM sqlite_sequence WHERE name = 'audit_log';
INSERT INTO sqlite_sequence (name, seq)
  SELECT 'audit_log', seq FROM sqlite_sequence WHERE name = 'audit';

DROP TABLE audit;

CREATE INDEX audit_log_entity ON audit_log (entity_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE (ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE (ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_table_no_update BEFORE UPDATE ON audit_table
BEGIN
  SELECT RAISE (ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_table_no_delete BEFORE DELETE ON audit_table
BEGIN
  SELECT RAISE (ABORT, 'the audit log is append-only');
END;

CREATE VIEW audit (seq, at, actor, device, entity, entity_id, op, fields_json, hash) AS
  SELECT l.seq, l.at,
         CASE WHEN typeof (l.actor) = 'blob' AND length (l.actor) = 16
              THEN lower (substr (hex (l.actor), 1, 8) || '-' || substr (hex (l.actor), 9, 4) || '-' ||
                          substr (hex (l.actor), 13, 4) || '-' || substr (hex (l.actor), 17, 4) || '-' ||
                          substr (hex (l.actor), 21))
              ELSE l.actor END,
         l.device, t.name,
         CASE WHEN typeof (l.entity_id) = 'blob' AND length (l.entity_id) = 16
              THEN lower (substr (hex (l.entity_id), 1, 8) || '-' || substr (hex (l.entity_id), 9, 4) || '-' ||
                          substr (hex (l.entity_id), 13, 4) || '-' || substr (hex (l.entity_id), 17, 4) || '-' ||
                          substr (hex (l.entity_id), 21))
              ELSE l.entity_id END,
         CASE l.op WHEN 1 THEN 'insert' WHEN 2 THEN 'update' WHEN 3 THEN 'delete' END,
         l.fields, l.hash
  FROM audit_log l LEFT JOIN audit_table t ON t.n = l.entity;
