-- Schema version 6: the case page's timeline (src/gui/jz-case-data.c).
--
-- The timeline of a case (全程留痕) is read from the audit log by the ids
-- of the episode, its person and the records that belong to them; without
-- this index each case page would scan the whole log.

CREATE INDEX audit_entity ON audit (entity_id);
