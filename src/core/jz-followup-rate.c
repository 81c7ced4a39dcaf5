/* jz-followup-rate.c: the one-year follow-up rate, and the follow-up reads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-followup"

#include <string.h>

#include "jz-followup-rate.h"
#include "jz-deadlines.h"
#include "jz-due.h"
#include "jz-records-private.h"

#define YEAR_S (365 * (gint64) 24 * 3600)
#define DAY_S  ((gint64) 24 * 3600)

static void
figure_finish (JzFollowupRateFigure *f,
               int                   target)
{
  if (f->counted == 0)
    {
      f->percent = -1;
      f->meets_target = TRUE;
      return;
    }
  f->percent = (int) ((guint64) f->followed_up * 100 / f->counted);
  f->meets_target = f->percent >= target;
}

void
jz_followup_rate_compute (const JzFollowupRateSubject *subjects,
                          guint                        n_subjects,
                          gint64                       now,
                          guint                        grace_days,
                          JzFollowupRate              *out)
{
  g_return_if_fail (subjects != NULL || n_subjects == 0);
  g_return_if_fail (out != NULL);

  memset (out, 0, sizeof *out);
  for (guint i = 0; i < n_subjects; i++)
    {
      const JzFollowupRateSubject *s = &subjects[i];
      gboolean done;

      /* The year before now; a departure in the future is a clock error,
       * not a person to count. */
      if (s->departed_at > now || s->departed_at <= now - YEAR_S)
        continue;
      done = s->first_done_at != 0 &&
             s->first_done_at >= s->departed_at &&
             s->first_done_at <= s->departed_at + YEAR_S &&
             s->first_done_at <= now;
      if (!done && now - s->departed_at < (gint64) grace_days * DAY_S)
        continue;

      out->all.counted++;
      if (done)
        out->all.followed_up++;
      if (s->minor)
        {
          out->minors.counted++;
          if (done)
            out->minors.followed_up++;
        }
    }
  figure_finish (&out->all, JZ_FOLLOWUP_RATE_TARGET);
  figure_finish (&out->minors, JZ_FOLLOWUP_RATE_TARGET_MINORS);
}

gboolean
jz_followup_rate_counts_mode (JzDepartureMode mode)
{
  return mode == JZ_DEPARTURE_TICKET || mode == JZ_DEPARTURE_SELF_RETURN ||
         mode == JZ_DEPARTURE_ESCORTED || mode == JZ_DEPARTURE_COLLECTED;
}

/* Whether the person of @facts was a minor on the (Shanghai) day of @at. */
static gboolean
minor_at (const JzPersonFacts *facts,
          gint64               at)
{
  GTimeZone *tz = jz_deadlines_time_zone ();
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (at);
  g_autoptr(GDateTime) local = NULL;
  GDate day;

  if (utc == NULL)
    return FALSE;
  local = g_date_time_to_timezone (utc, tz);
  g_date_clear (&day, 1);
  g_date_set_dmy (&day, g_date_time_get_day_of_month (local), g_date_time_get_month (local),
                  g_date_time_get_year (local));
  return jz_person_is_minor_on (facts, &day);
}

/* The same from the records. */
static gboolean
record_minor_at (const JzPerson  *person,
                 const JzEpisode *episode,
                 gint64           at)
{
  JzPersonFacts facts;

  jz_person_get_facts (person, episode, &facts);
  return minor_at (&facts, at);
}

GArray *
jz_store_followup_rate_subjects (JzStore  *store,
                                 gint64    now,
                                 GError  **error)
{
  g_autoptr(GArray) out = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);

  /* One read with what minor_at() needs of the person and the stay (a
   * station with a busy year has tens of thousands of departures). */
  stmt = jz_store_prepare (store,
                           "SELECT d.departed_at, d.mode, "
                           "       (SELECT min (f.done_at) FROM followup f "
                           "         WHERE f.episode_id = d.episode_id AND f.deleted = 0 "
                           "           AND f.done_at IS NOT NULL AND f.done_at >= d.departed_at), "
                           "       p.birth_date, p.birth_precision, p.estimated_age, p.estimated_on, p.flags, "
                           "       e.health, e.flags "
                           "FROM departure d JOIN episode e ON e.id = d.episode_id JOIN person p ON p.id = e.person_id "
                           "WHERE d.deleted = 0 AND d.departed_at > ?1",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, now - YEAR_S);
  out = g_array_new (FALSE, TRUE, sizeof (JzFollowupRateSubject));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JzDepartureMode mode;
      JzFollowupRateSubject s = { 0, };
      JzPersonFacts facts;

      if (!jz_departure_mode_from_string ((const char *) sqlite3_column_text (stmt, 1), &mode) ||
          !jz_followup_rate_counts_mode (mode))
        continue;
      s.departed_at = sqlite3_column_int64 (stmt, 0);
      s.first_done_at = sqlite3_column_int64 (stmt, 2);
      jz_person_get_facts_from_row (stmt, 3, 8, &facts);
      s.minor = minor_at (&facts, s.departed_at);
      g_array_append_val (out, s);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      jz_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&out);
}

void
jz_pending_followup_free (JzPendingFollowup *pending)
{
  if (pending == NULL)
    return;
  g_free (pending->person_id);
  g_free (pending->episode_id);
  g_free (pending->followup_id);
  g_free (pending->person_name);
  g_free (pending->episode_number);
  g_free (pending->mode);
  g_free (pending);
}

static int
compare_pending (gconstpointer a,
                 gconstpointer b)
{
  const JzPendingFollowup *x = *(JzPendingFollowup * const *) a;
  const JzPendingFollowup *y = *(JzPendingFollowup * const *) b;

  if (x->due_at != y->due_at)
    return x->due_at < y->due_at ? -1 : 1;
  return g_strcmp0 (x->episode_number, y->episode_number);
}

/* The follow-ups the deadline rules give between @from and @until: the
 * due list (jz-due.h) as it will read when @until's warning time comes,
 * looking back to @from. */
static GPtrArray *
list_rule_followups (JzStore  *store,
                     gint64    from,
                     gint64    until,
                     GError  **error)
{
  g_autoptr(GPtrArray) items = NULL;
  GPtrArray *out;
  JzDueOptions options;

  jz_due_options_init (&options);
  options.follow_ups_only = TRUE;
  options.now = until - JZ_DEADLINE_FOLLOW_UP_WARNING_DAYS * DAY_S;
  options.follow_up_lookback_days = options.now > from ? (guint) ((options.now - from + DAY_S - 1) / DAY_S) : 0;
  items = jz_store_list_due_with (store, &options, error);
  if (items == NULL)
    return NULL;

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_pending_followup_free);
  for (guint i = 0; i < items->len; i++)
    {
      const JzDueItem *item = items->pdata[i];
      JzPendingFollowup *p;

      if (item->kind != JZ_DEADLINE_FOLLOW_UP || item->due_at < from || item->due_at > until)
        continue;
      p = g_new0 (JzPendingFollowup, 1);
      p->person_id = g_strdup (item->person_id);
      p->episode_id = g_strdup (item->episode_id);
      p->due_at = item->due_at;
      p->months = item->months;
      p->person_name = g_strdup (item->person_name);
      p->episode_number = g_strdup (item->episode_number);
      p->departed_at = item->departed_at;
      g_ptr_array_add (out, p);
    }
  return out;
}

/* Fills in what the rules' list does not carry (mode, minor), or, for a
 * scheduled record the rules do not give, everything. */
static gboolean
pending_complete (JzStore            *store,
                  JzPendingFollowup  *p,
                  GError            **error)
{
  g_autoptr(JzPerson) person = jz_store_get_person (store, p->person_id, error);
  g_autoptr(JzEpisode) episode = NULL;

  if (person == NULL)
    return FALSE;
  if (p->person_name == NULL)
    p->person_name = jz_person_display_name (person);
  if (p->episode_id == NULL)
    {
      p->minor = record_minor_at (person, NULL, p->due_at);
      return TRUE;
    }
  episode = jz_store_get_episode (store, p->episode_id, error);
  if (episode == NULL)
    return FALSE;
  if (p->episode_number == NULL)
    p->episode_number = g_strdup (episode->number);
  p->departed_at = episode->departed_at;
  if (episode->departed_at != 0)
    {
      g_autoptr(GPtrArray) deps = jz_store_list (store, &jz_entity_departure, "episode_id",
                                                 episode->rec.id, NULL, FALSE, 1, error);

      if (deps == NULL)
        return FALSE;
      if (deps->len > 0)
        p->mode = g_strdup (((JzDepartureRecord *) deps->pdata[0])->mode);
      p->minor = record_minor_at (person, episode, episode->departed_at);
    }
  else
    p->minor = record_minor_at (person, episode, p->due_at);
  return TRUE;
}

GPtrArray *
jz_store_list_pending_followups (JzStore  *store,
                                 gint64    from,
                                 gint64    until,
                                 guint     limit,
                                 guint    *n_total,
                                 GError  **error)
{
  g_autoptr(GPtrArray) out = NULL;
  g_autoptr(GHashTable) by_date = NULL;
  g_autoptr(GHashTable) by_episode = NULL;
  g_autoptr(GPtrArray) scheduled = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);

  out = list_rule_followups (store, from, until, error);
  if (out == NULL)
    return NULL;
  /* The rules' follow-ups by episode and date, and each episode's in date
   * order, to find the scheduled record of each: a departure schedules
   * them on the rules' dates; one moved by hand answers the earliest the
   * rules give (the n-th made answers the n-th due). */
  by_date = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  by_episode = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < out->len; i++)
    {
      JzPendingFollowup *p = out->pdata[i];
      GPtrArray *list = g_hash_table_lookup (by_episode, p->episode_id);

      g_hash_table_insert (by_date, g_strdup_printf ("%s/%" G_GINT64_FORMAT, p->episode_id, p->due_at), p);
      if (list == NULL)
        g_hash_table_insert (by_episode, p->episode_id, list = g_ptr_array_new ());
      g_ptr_array_add (list, p);
    }

  /* The WHERE clause matches the partial index followup_due. */
  stmt = jz_store_prepare (store,
                           "SELECT id, person_id, episode_id, due_at FROM followup "
                           "WHERE done_at IS NULL AND deleted = 0 AND due_at >= ?1 AND due_at <= ?2 "
                           "ORDER BY due_at",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, until);
  scheduled = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_pending_followup_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *episode_id = (const char *) sqlite3_column_text (stmt, 2);
      gint64 due_at = sqlite3_column_int64 (stmt, 3);
      JzPendingFollowup *p = NULL;

      if (episode_id != NULL)
        {
          g_autofree char *key = g_strdup_printf ("%s/%" G_GINT64_FORMAT, episode_id, due_at);

          p = g_hash_table_lookup (by_date, key);
        }
      if (p != NULL && p->followup_id == NULL)
        {
          p->followup_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          continue;
        }
      p = g_new0 (JzPendingFollowup, 1);
      p->followup_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      p->person_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      p->episode_id = g_strdup (episode_id);
      p->due_at = due_at;
      g_ptr_array_add (scheduled, p);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      jz_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  for (guint i = 0; i < scheduled->len; i++)
    {
      JzPendingFollowup *p = scheduled->pdata[i];
      GPtrArray *list = p->episode_id ? g_hash_table_lookup (by_episode, p->episode_id) : NULL;
      JzPendingFollowup *rule = NULL;

      for (guint j = 0; list != NULL && j < list->len && rule == NULL; j++)
        if (((JzPendingFollowup *) list->pdata[j])->followup_id == NULL)
          rule = list->pdata[j];
      if (rule != NULL)
        rule->followup_id = g_strdup (p->followup_id);
      else
        g_ptr_array_add (out, g_steal_pointer (&scheduled->pdata[i]));
    }

  g_ptr_array_sort (out, compare_pending);
  if (n_total != NULL)
    *n_total = out->len;
  if (limit > 0 && out->len > limit)
    g_ptr_array_set_size (out, limit);
  for (guint i = 0; i < out->len; i++)
    if (!pending_complete (store, out->pdata[i], error))
      return NULL;
  return g_steal_pointer (&out);
}
