-- Schema version 10: the search index is written once per transaction.
--
-- FTS5 writes the terms it holds in memory out as a new segment at the
-- start of every statement of a transaction that touched it (its
-- savepoint method): with the triggers of migration 0003 writing the
-- index in each person's statement, a transaction that writes 2,000
-- people (demo, import, a sync pull) wrote 2,000 segments and merged
-- them, some 17 % of the cost of a demo row.
--
-- Inside a transaction (jz_search_deferred () is true: the connection is
-- not in autocommit) the triggers now only note the person's rowid in
-- search_dirty, and the store rewrites the documents of the people noted
-- just before it commits (jz_search_flush, called by jz_store_commit: the
-- same transaction, so the index is exactly as current as the records
-- once committed). A search inside a transaction flushes first, so it
-- sees the transaction's own writes. A statement outside a transaction
-- (autocommit) keeps writing the index at once, as before.
--
-- person_idn has external content (the ID numbers are read from person):
-- deleting a document needs the number it was indexed with, so the first
-- note of a person in a transaction keeps the number the index holds for
-- it (OLD.id_number of a live row; NULL when it is not indexed). fresh = 1:
-- the person was inserted in this transaction, nothing of it is indexed.
--
-- Derived data, like due_dirty: never synced, never audited. A note left
-- by a writer that committed without jz_store_commit (a migration after
-- this one, another program) is taken up by the next commit or search.

CREATE TABLE IF NOT EXISTS search_dirty (
  person_rowid INTEGER PRIMARY KEY,
  fresh        INTEGER NOT NULL,
  id_number    TEXT
);

DROP TRIGGER IF EXISTS search_person_ai;
DROP TRIGGER IF EXISTS search_person_ad;
DROP TRIGGER IF EXISTS search_person_au;
DROP TRIGGER IF EXISTS search_person_ai_later;
DROP TRIGGER IF EXISTS search_person_ad_later;
DROP TRIGGER IF EXISTS search_person_au_later;

-- Outside a transaction: as in migration 0003.
CREATE TRIGGER search_person_ai AFTER INSERT ON person
WHEN NEW.deleted = 0 AND NOT jz_search_deferred ()
BEGIN
  INSERT INTO person_fts (rowid, whole, chars, pinyin, compact, initials, tail)
  VALUES (NEW.rowid,
          jz_search_names (0, NEW.name, NEW.aliases, NEW.placeholder_no),
          jz_search_names (1, NEW.name, NEW.aliases, NEW.placeholder_no),
          jz_search_names (2, NEW.name, NEW.aliases, NEW.placeholder_no),
          jz_search_names (3, NEW.name, NEW.aliases, NEW.placeholder_no),
          jz_search_names (4, NEW.name, NEW.aliases, NEW.placeholder_no),
          jz_search_names (5, NEW.name, NEW.aliases, NEW.placeholder_no));
  INSERT INTO person_ftx (rowid, facets, descr)
  VALUES (NEW.rowid,
          jz_search_facets (NEW.name, NEW.aliases, NEW.sex, NEW.birth_date, NEW.birth_precision,
                            NEW.estimated_age, NEW.estimated_on, NEW.hukou_region),
          jz_search_text (NEW.description, NEW.marks, NEW.clothing, NEW.dialect, NEW.residence));
  INSERT INTO person_idn (rowid, id_number)
  SELECT NEW.rowid, NEW.id_number WHERE NEW.id_number IS NOT NULL;
END;

CREATE TRIGGER search_person_ad AFTER DELETE ON person
WHEN NOT jz_search_deferred ()
BEGIN
  DELETE FROM person_fts WHERE rowid = OLD.rowid;
  DELETE FROM person_ftx WHERE rowid = OLD.rowid;
  INSERT INTO person_idn (person_idn, rowid, id_number)
  SELECT 'delete', OLD.rowid, OLD.id_number WHERE OLD.id_number IS NOT NULL AND OLD.deleted = 0;
END;

CREATE TRIGGER search_person_au AFTER UPDATE ON person
WHEN (NEW.deleted IS NOT OLD.deleted OR NEW.name IS NOT OLD.name OR NEW.aliases IS NOT OLD.aliases
  OR NEW.placeholder_no IS NOT OLD.placeholder_no OR NEW.sex IS NOT OLD.sex
  OR NEW.birth_date IS NOT OLD.birth_date OR NEW.birth_precision IS NOT OLD.birth_precision
  OR NEW.estimated_age IS NOT OLD.estimated_age OR NEW.estimated_on IS NOT OLD.estimated_on
  OR NEW.hukou_region IS NOT OLD.hukou_region OR NEW.id_number IS NOT OLD.id_number
  OR NEW.description IS NOT OLD.description OR NEW.marks IS NOT OLD.marks
  OR NEW.clothing IS NOT OLD.clothing OR NEW.dialect IS NOT OLD.dialect
  OR NEW.residence IS NOT OLD.residence)
  AND NOT jz_search_deferred ()
BEGIN
  DELETE FROM person_fts WHERE rowid = OLD.rowid;
  DELETE FROM person_ftx WHERE rowid = OLD.rowid;
  INSERT INTO person_idn (person_idn, rowid, id_number)
  SELECT 'delete', OLD.rowid, OLD.id_number WHERE OLD.id_number IS NOT NULL AND OLD.deleted = 0;
  INSERT INTO person_fts (rowid, whole, chars, pinyin, compact, initials, tail)
  SELECT NEW.rowid,
         jz_search_names (0, NEW.name, NEW.aliases, NEW.placeholder_no),
         jz_search_names (1, NEW.name, NEW.aliases, NEW.placeholder_no),
         jz_search_names (2, NEW.name, NEW.aliases, NEW.placeholder_no),
         jz_search_names (3, NEW.name, NEW.aliases, NEW.placeholder_no),
         jz_search_names (4, NEW.name, NEW.aliases, NEW.placeholder_no),
         jz_search_names (5, NEW.name, NEW.aliases, NEW.placeholder_no)
  WHERE NEW.deleted = 0;
  INSERT INTO person_ftx (rowid, facets, descr)
  SELECT NEW.rowid,
         jz_search_facets (NEW.name, NEW.aliases, NEW.sex, NEW.birth_date, NEW.birth_precision,
                           NEW.estimated_age, NEW.estimated_on, NEW.hukou_region),
         jz_search_text (NEW.description, NEW.marks, NEW.clothing, NEW.dialect, NEW.residence)
  WHERE NEW.deleted = 0;
  INSERT INTO person_idn (rowid, id_number)
  SELECT NEW.rowid, NEW.id_number WHERE NEW.id_number IS NOT NULL AND NEW.deleted = 0;
END;

-- Inside a transaction: noted, written by jz_search_flush before COMMIT.
-- The first note of a person in the transaction wins (OR IGNORE): it
-- describes what the index held when the transaction began.
CREATE TRIGGER search_person_ai_later AFTER INSERT ON person
WHEN NEW.deleted = 0 AND jz_search_deferred ()
BEGIN
  INSERT OR IGNORE INTO search_dirty (person_rowid, fresh, id_number)
  VALUES (NEW.rowid, 1, NULL);
END;

CREATE TRIGGER search_person_ad_later AFTER DELETE ON person
WHEN jz_search_deferred ()
BEGIN
  INSERT OR IGNORE INTO search_dirty (person_rowid, fresh, id_number)
  VALUES (OLD.rowid, 0, CASE WHEN OLD.deleted = 0 THEN OLD.id_number END);
END;

CREATE TRIGGER search_person_au_later AFTER UPDATE ON person
WHEN (NEW.deleted IS NOT OLD.deleted OR NEW.name IS NOT OLD.name OR NEW.aliases IS NOT OLD.aliases
  OR NEW.placeholder_no IS NOT OLD.placeholder_no OR NEW.sex IS NOT OLD.sex
  OR NEW.birth_date IS NOT OLD.birth_date OR NEW.birth_precision IS NOT OLD.birth_precision
  OR NEW.estimated_age IS NOT OLD.estimated_age OR NEW.estimated_on IS NOT OLD.estimated_on
  OR NEW.hukou_region IS NOT OLD.hukou_region OR NEW.id_number IS NOT OLD.id_number
  OR NEW.description IS NOT OLD.description OR NEW.marks IS NOT OLD.marks
  OR NEW.clothing IS NOT OLD.clothing OR NEW.dialect IS NOT OLD.dialect
  OR NEW.residence IS NOT OLD.residence)
  AND jz_search_deferred ()
BEGIN
  INSERT OR IGNORE INTO search_dirty (person_rowid, fresh, id_number)
  VALUES (OLD.rowid, 0, CASE WHEN OLD.deleted = 0 THEN OLD.id_number END);
END;
