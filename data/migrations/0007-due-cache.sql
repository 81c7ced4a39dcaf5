-- Schema version 7: what is due, kept current (jz-due.c).
--
-- Listing what is due used to compute the deadlines of every open episode
-- and of every episode whose follow-ups fall in the window shown, at each
-- call: seconds on a large store, on every Today view. The deadlines of an
-- episode change only when a record they depend on changes, so they are
-- kept here instead: each write marks the episodes it touches in due_dirty
-- (the triggers below), and the store recomputes those episodes before the
-- transaction commits (jz_due_cache_flush, with jz-deadlines.c's rules). A
-- query then reads the deadlines that are due at its time by index.
--
-- due_item holds every deadline not yet met of the open episodes, and the
-- follow-ups not yet made of departed episodes whose date is on or after
-- the meta key due_floor (unix seconds, two months before the last
-- rebuild; moved forward monthly). With the key absent (a new store, the
-- holiday table changed) the store rebuilds the whole cache at the next
-- commit. It is derived data: never synced, never audited; a list is
-- computed afresh when asked about a window before the floor.

-- Stored in the order lists read it (kind, then date): a list of tens of
-- thousands of deadlines is one sequential range, not a look-up per row.
CREATE TABLE due_item (
  kind           INTEGER NOT NULL,   -- JzDeadlineKind
  due_at         INTEGER NOT NULL,   -- unix seconds
  episode_id     TEXT NOT NULL,
  months         INTEGER NOT NULL,   -- follow-ups: months after departure
  warn_at        INTEGER NOT NULL,   -- due (shown) from this time on
  prompt         INTEGER NOT NULL,   -- never overdue
  episode_number TEXT,
  episode_status TEXT NOT NULL,
  person_id      TEXT NOT NULL,
  person_name    TEXT NOT NULL,      -- display name (无名氏N for the unnamed)
  assigned_to    TEXT,
  admitted_at    INTEGER,
  departed_at    INTEGER,
  PRIMARY KEY (kind, due_at, episode_id, months)
) WITHOUT ROWID;
CREATE INDEX due_item_episode ON due_item (episode_id);
-- What Today counts and sorts by, so that counting the deadlines due and
-- picking the first few read this index only, then a dozen rows.
CREATE INDEX due_item_warn ON due_item (kind, due_at, warn_at, prompt, episode_number);

CREATE TABLE due_dirty (
  episode_id TEXT PRIMARY KEY
) WITHOUT ROWID;


CREATE TRIGGER due_episode_ai AFTER INSERT ON episode
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT NEW.id WHERE NEW.id IS NOT NULL;
END;

CREATE TRIGGER due_episode_au AFTER UPDATE ON episode
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT NEW.id WHERE NEW.id IS NOT NULL;
END;

CREATE TRIGGER due_episode_ad AFTER DELETE ON episode
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT OLD.id WHERE OLD.id IS NOT NULL;
END;

CREATE TRIGGER due_person_ai AFTER INSERT ON person
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT id FROM episode WHERE person_id = NEW.id;
END;

CREATE TRIGGER due_person_au AFTER UPDATE ON person
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT id FROM episode WHERE person_id = NEW.id;
END;

CREATE TRIGGER due_tracing_step_ai AFTER INSERT ON tracing_step
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT NEW.episode_id WHERE NEW.episode_id IS NOT NULL;
END;

CREATE TRIGGER due_tracing_step_au AFTER UPDATE ON tracing_step
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT NEW.episode_id WHERE NEW.episode_id IS NOT NULL;
  INSERT OR IGNORE INTO due_dirty SELECT OLD.episode_id WHERE OLD.episode_id IS NOT NULL;
END;

CREATE TRIGGER due_tracing_step_ad AFTER DELETE ON tracing_step
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT OLD.episode_id WHERE OLD.episode_id IS NOT NULL;
END;

CREATE TRIGGER due_stay_extension_ai AFTER INSERT ON stay_extension
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT NEW.episode_id WHERE NEW.episode_id IS NOT NULL;
END;

CREATE TRIGGER due_stay_extension_au AFTER UPDATE ON stay_extension
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT NEW.episode_id WHERE NEW.episode_id IS NOT NULL;
  INSERT OR IGNORE INTO due_dirty SELECT OLD.episode_id WHERE OLD.episode_id IS NOT NULL;
END;

CREATE TRIGGER due_stay_extension_ad AFTER DELETE ON stay_extension
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT OLD.episode_id WHERE OLD.episode_id IS NOT NULL;
END;

CREATE TRIGGER due_departure_ai AFTER INSERT ON departure
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT NEW.episode_id WHERE NEW.episode_id IS NOT NULL;
END;

CREATE TRIGGER due_departure_au AFTER UPDATE ON departure
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT NEW.episode_id WHERE NEW.episode_id IS NOT NULL;
  INSERT OR IGNORE INTO due_dirty SELECT OLD.episode_id WHERE OLD.episode_id IS NOT NULL;
END;

CREATE TRIGGER due_departure_ad AFTER DELETE ON departure
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT OLD.episode_id WHERE OLD.episode_id IS NOT NULL;
END;

CREATE TRIGGER due_followup_ai AFTER INSERT ON followup
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT NEW.episode_id WHERE NEW.episode_id IS NOT NULL;
END;

CREATE TRIGGER due_followup_au AFTER UPDATE ON followup
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT NEW.episode_id WHERE NEW.episode_id IS NOT NULL;
  INSERT OR IGNORE INTO due_dirty SELECT OLD.episode_id WHERE OLD.episode_id IS NOT NULL;
END;

CREATE TRIGGER due_followup_ad AFTER DELETE ON followup
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT OLD.episode_id WHERE OLD.episode_id IS NOT NULL;
END;

CREATE TRIGGER due_settlement_ai AFTER INSERT ON settlement
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT id FROM episode WHERE person_id = NEW.person_id;
END;

CREATE TRIGGER due_settlement_au AFTER UPDATE ON settlement
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT id FROM episode WHERE person_id = NEW.person_id;
  INSERT OR IGNORE INTO due_dirty SELECT id FROM episode WHERE person_id = OLD.person_id;
END;

CREATE TRIGGER due_settlement_ad AFTER DELETE ON settlement
BEGIN
  INSERT OR IGNORE INTO due_dirty SELECT id FROM episode WHERE person_id = OLD.person_id;
END;

CREATE TRIGGER due_holiday_ai AFTER INSERT ON holiday
BEGIN
  DELETE FROM meta WHERE key = 'due_floor';
END;

CREATE TRIGGER due_holiday_au AFTER UPDATE ON holiday
BEGIN
  DELETE FROM meta WHERE key = 'due_floor';
END;

CREATE TRIGGER due_holiday_ad AFTER DELETE ON holiday
BEGIN
  DELETE FROM meta WHERE key = 'due_floor';
END;

-- A demo store never syncs (jz_store_is_demo; since this version its
-- triggers queue nothing): what an older one queued is never sent.
DELETE FROM outbox WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'demo' AND value = '1');
