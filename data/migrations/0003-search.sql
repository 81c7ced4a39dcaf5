-- Schema version 3: full-text search over people (jz-search.c).
--
-- The search documents are derived from person rows by triggers, so that
-- every writer (typed writes, import, the sync applying a pull) keeps them
-- current. The triggers call SQL functions that JzStore registers on its
-- connections (jz_search_names, jz_search_facets, jz_search_text); they
-- compute pinyin with jz-pinyin.c, which SQL cannot.
--
-- The triggers are named search_* on purpose: JzStore drops and recreates
-- every jz_* trigger when the change-capture triggers change.
--
-- The FTS rowid is person.rowid. VACUUM keeps the rowids of this SQLite
-- (3.40, transfer optimisation), the backup API copies pages; should they
-- ever drift, jz_search_rebuild() recreates the documents.

-- Names, aliases and their pinyin, for search as you type. Every column
-- holds tokens made by jz_search_names (n, …):
--   whole     0  each name and alias as one token ("张伟"; 无名氏12)
--   chars     1  their Han characters one by one ("张 伟"), for phrases
--   pinyin    2  syllables ("zhang wei")
--   compact   3  syllables run together ("zhangwei")
--   initials  4  first letters ("zw")
--   tail      5  compact from the second syllable on, 2+ syllables ("weimin")
CREATE VIRTUAL TABLE person_fts USING fts5 (
  whole, chars, pinyin, compact, initials, tail,
  tokenize = 'unicode61',
  prefix = '1 2 3'
);

-- Tokens without prefix queries:
--   facets  for duplicate candidates (jz_search_facets): initials, sex and
--           5-year birth bucket ("izwm397"), exact birth date
--           ("d19850312"), 户籍地 with sex and bucket ("r320481m397")
--   descr   description, marks, clothing, dialect and residence, Han
--           characters one by one (jz_search_text)
CREATE VIRTUAL TABLE person_ftx USING fts5 (
  facets, descr,
  tokenize = 'unicode61'
);

-- ID numbers, for any substring of 3+ digits. External content: the
-- numbers are read from person, not stored twice.
CREATE VIRTUAL TABLE person_idn USING fts5 (
  id_number,
  content = 'person', content_rowid = 'rowid',
  tokenize = 'trigram'
);

CREATE TRIGGER search_person_ai AFTER INSERT ON person WHEN NEW.deleted = 0
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
BEGIN
  DELETE FROM person_fts WHERE rowid = OLD.rowid;
  DELETE FROM person_ftx WHERE rowid = OLD.rowid;
  INSERT INTO person_idn (person_idn, rowid, id_number)
  SELECT 'delete', OLD.rowid, OLD.id_number WHERE OLD.id_number IS NOT NULL AND OLD.deleted = 0;
END;

-- Only when a searched column changes: a typed update sets every column.
CREATE TRIGGER search_person_au AFTER UPDATE ON person
WHEN NEW.deleted IS NOT OLD.deleted OR NEW.name IS NOT OLD.name OR NEW.aliases IS NOT OLD.aliases
  OR NEW.placeholder_no IS NOT OLD.placeholder_no OR NEW.sex IS NOT OLD.sex
  OR NEW.birth_date IS NOT OLD.birth_date OR NEW.birth_precision IS NOT OLD.birth_precision
  OR NEW.estimated_age IS NOT OLD.estimated_age OR NEW.estimated_on IS NOT OLD.estimated_on
  OR NEW.hukou_region IS NOT OLD.hukou_region OR NEW.id_number IS NOT OLD.id_number
  OR NEW.description IS NOT OLD.description OR NEW.marks IS NOT OLD.marks
  OR NEW.clothing IS NOT OLD.clothing OR NEW.dialect IS NOT OLD.dialect
  OR NEW.residence IS NOT OLD.residence
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

-- People already on file (a store upgraded from version 2).
INSERT INTO person_fts (rowid, whole, chars, pinyin, compact, initials, tail)
SELECT rowid,
       jz_search_names (0, name, aliases, placeholder_no),
       jz_search_names (1, name, aliases, placeholder_no),
       jz_search_names (2, name, aliases, placeholder_no),
       jz_search_names (3, name, aliases, placeholder_no),
       jz_search_names (4, name, aliases, placeholder_no),
       jz_search_names (5, name, aliases, placeholder_no)
FROM person WHERE deleted = 0;
INSERT INTO person_ftx (rowid, facets, descr)
SELECT rowid,
       jz_search_facets (name, aliases, sex, birth_date, birth_precision,
                         estimated_age, estimated_on, hukou_region),
       jz_search_text (description, marks, clothing, dialect, residence)
FROM person WHERE deleted = 0;
INSERT INTO person_idn (rowid, id_number)
SELECT rowid, id_number FROM person WHERE id_number IS NOT NULL AND deleted = 0;
