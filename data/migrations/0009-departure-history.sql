-- Schema version 9: the case page's timeline finds departures taken back.
--
-- The timeline (src/gui/jz-case-data.c) reads the audit entries of every
-- record of an episode. The only index on departure (episode_id) holds
-- the live departures, one per episode; a departure taken back (Undo) is a
-- tombstone outside it, and finding it without an index meant scanning
-- every departure on file (1.4 million on the benchmark's store) at each
-- case page. Tombstones get a partial index of their own: a few rows.

CREATE INDEX IF NOT EXISTS departure_taken_back ON departure (episode_id) WHERE deleted = 1;
