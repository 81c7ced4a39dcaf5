-- Schema version 5: indexes for the app's case list (src/gui/jz-case-list-model.c).
--
-- The list pages through every episode with LIMIT/OFFSET in a chosen
-- order, filtered by status, category, the minor flag and the date of
-- departure. These indexes hold every column the filters read, so the
-- count and the offset scan never visit table rows: a page near the end
-- of a million episodes costs milliseconds instead of seconds.

-- The number after admitted_at makes the order total (numbers are unique),
-- so that OFFSET pages neither skip nor repeat rows admitted in the same
-- second.
CREATE INDEX episode_case_admitted ON episode (admitted_at, number, status, category, flags, departed_at)
  WHERE deleted = 0;
CREATE INDEX episode_case_number ON episode (number, status, category, flags, departed_at)
  WHERE deleted = 0;
-- Sorting by name walks people in name order, then their episodes.
CREATE INDEX person_case_name ON person (name, placeholder_no)
  WHERE deleted = 0;
