-- Schema version 11: the partial index of open episodes without an IN list.
--
-- SQLite evaluates `status IN ('screening', 'admitted', 'hospital',
-- 'police')` by building a temporary b-tree of the four values, and it
-- evaluates a partial index's condition at every insert and update of the
-- table: one b-tree per episode written (two per update). The same
-- condition as OR terms is four comparisons. (Lists of one or two values
-- are compared directly: episode_bed and referral_open stay as they are.)
--
-- SQLite uses a partial index only for a query whose WHERE repeats its
-- condition: the queries that read episode_open write it with
-- JZ_EPISODE_OPEN (jz-store.h), word for word.

DROP INDEX IF EXISTS episode_open;
CREATE INDEX episode_open ON episode (status, admitted_at)
  WHERE (status = 'screening' OR status = 'admitted' OR status = 'hospital' OR status = 'police')
    AND deleted = 0;
