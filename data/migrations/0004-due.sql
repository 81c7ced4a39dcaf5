-- Schema version 4: indexes for what is due (jz-due.c).
--
-- Follow-ups after departure are found by the date of departure, one
-- range per follow-up month, and each episode's follow-ups by episode.

CREATE INDEX episode_departed ON episode (departed_at)
  WHERE status = 'departed' AND deleted = 0;
CREATE INDEX followup_episode ON followup (episode_id)
  WHERE episode_id IS NOT NULL;
