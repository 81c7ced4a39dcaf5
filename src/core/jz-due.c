/* jz-due.c: what is due and overdue across the station
 *
 * The rules are jz-deadlines.c's; this file only finds the episodes they
 * can apply to without reading every episode on file: the open ones (the
 * partial index episode_open) and those that left on dates whose
 * follow-ups fall in the window shown (the partial index episode_departed,
 * one range per follow-up month). Each is read with what its deadlines
 * depend on in one statement (tracing steps, extensions, settlement,
 * departure mode, follow-ups made), the same facts the case page uses.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-due"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "jz-actions.h"
#include "jz-due.h"

static const guint default_follow_ups[] = { 1, 3, 6, 12 };

/* A follow-up is "due" this long before its date (jz-deadlines.c). */
#define FOLLOW_UP_WARNING_DAYS 7

void
jz_due_item_free (JzDueItem *item)
{
  if (item == NULL)
    return;
  g_free (item->episode_id);
  g_free (item->episode_number);
  g_free (item->episode_status);
  g_free (item->person_id);
  g_free (item->person_name);
  g_free (item->assigned_to);
  g_free (item);
}

JzWorkCalendar *
jz_store_load_work_calendar (JzStore  *store,
                             GError  **error)
{
  g_autoptr(JzWorkCalendar) calendar = jz_work_calendar_new ();
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);

  stmt = jz_store_prepare (store, "SELECT date, workday FROM holiday", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, 0);
      int y, m, d;
      GDate date;

      if (text == NULL || sscanf (text, "%4d-%2d-%2d", &y, &m, &d) != 3 || !g_date_valid_dmy (d, m, y))
        continue;
      g_date_clear (&date, 1);
      g_date_set_dmy (&date, d, m, y);
      if (sqlite3_column_int (stmt, 1))
        jz_work_calendar_add_workday (calendar, &date);
      else
        jz_work_calendar_add_holiday (calendar, &date);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      jz_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&calendar);
}

/* The columns every query below returns, in this order. */
#define FACTS_COLUMNS \
  "e.id, e.number, e.status, e.admitted_at, e.departed_at, e.health, e.flags, e.assigned_to, " \
  "p.id, p.name, p.placeholder_no, p.birth_date, p.birth_precision, p.estimated_age, " \
  "p.estimated_on, p.flags, p.identity_status, " \
  "(SELECT min (t.at) FROM tracing_step t WHERE t.episode_id = e.id AND t.method = 'notice' AND t.deleted = 0), " \
  "(SELECT min (t.at) FROM tracing_step t WHERE t.episode_id = e.id AND t.method = 'dna_request' AND t.deleted = 0), " \
  "(SELECT min (t.at) FROM tracing_step t WHERE t.episode_id = e.id AND t.method = 'dna_result' AND t.deleted = 0), " \
  "(SELECT min (t.at) FROM tracing_step t WHERE t.episode_id = e.id AND t.success = 1 AND t.deleted = 0), " \
  "(SELECT max (x.new_deadline) FROM stay_extension x WHERE x.episode_id = e.id AND x.deleted = 0), " \
  "(SELECT min (s.settled_at) FROM settlement s WHERE s.person_id = p.id AND s.status = 'settled' AND s.deleted = 0), " \
  "(SELECT d.mode FROM departure d WHERE d.episode_id = e.id AND d.deleted = 0 LIMIT 1), " \
  "(SELECT group_concat (f.done_at) FROM followup f WHERE f.episode_id = e.id AND f.done_at IS NOT NULL AND f.deleted = 0) "

/* For departed episodes only their follow-ups matter: the other facts
 * are left NULL (each subquery is a few page reads per row). */
#define DEPARTED_COLUMNS \
  "e.id, e.number, e.status, e.admitted_at, e.departed_at, e.health, e.flags, e.assigned_to, " \
  "p.id, p.name, p.placeholder_no, p.birth_date, p.birth_precision, p.estimated_age, " \
  "p.estimated_on, p.flags, p.identity_status, NULL, NULL, NULL, NULL, NULL, NULL, " \
  "(SELECT d.mode FROM departure d WHERE d.episode_id = e.id AND d.deleted = 0 LIMIT 1), " \
  "(SELECT group_concat (f.done_at) FROM followup f WHERE f.episode_id = e.id AND f.done_at IS NOT NULL AND f.deleted = 0) "

enum
{
  C_EPISODE_ID, C_NUMBER, C_STATUS, C_ADMITTED, C_DEPARTED, C_HEALTH, C_EFLAGS, C_ASSIGNED,
  C_PERSON_ID, C_NAME, C_PLACEHOLDER, C_BIRTH_DATE, C_BIRTH_PRECISION, C_ESTIMATED_AGE,
  C_ESTIMATED_ON, C_PFLAGS, C_IDENTITY,
  C_NOTICE, C_DNA_REQUEST, C_DNA_RESULT, C_IDENTIFIED, C_EXTENDED, C_SETTLED, C_MODE, C_FOLLOW_UPS,
};

static GDateTime *
column_time (sqlite3_stmt *stmt,
             int           col)
{
  gint64 t = sqlite3_column_int64 (stmt, col);

  return t > 0 ? g_date_time_new_from_unix_utc (t) : NULL;
}

static char *
dup_col (sqlite3_stmt *stmt,
         int           col)
{
  const char *t = (const char *) sqlite3_column_text (stmt, col);

  return t ? g_strdup (t) : NULL;
}

static void
clear_time (GDateTime **slot)
{
  g_clear_pointer (slot, g_date_time_unref);
}

/* Computes the deadlines of the current row and adds those due or
 * overdue to @out. @follow_ups_only: the episode was found for its
 * follow-ups; its other deadlines are over. */
static void
add_row (sqlite3_stmt           *stmt,
         const JzDeadlineConfig *config,
         GDateTime              *now,
         gint64                  follow_up_since,
         gboolean                follow_ups_only,
         GPtrArray              *out)
{
  g_autoptr(GPtrArray) deadlines = NULL;
  g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func ((GDestroyNotify) g_date_time_unref);
  JzDeadlineSubject subject;
  JzPerson person = { 0 };
  JzEpisode episode = { 0 };
  const char *identity = (const char *) sqlite3_column_text (stmt, C_IDENTITY);
  const char *mode = (const char *) sqlite3_column_text (stmt, C_MODE);
  const char *follow_ups = (const char *) sqlite3_column_text (stmt, C_FOLLOW_UPS);

  /* Borrowed column text: jz_person_get_facts only reads. */
  person.birth_date = (char *) sqlite3_column_text (stmt, C_BIRTH_DATE);
  person.birth_precision = (char *) sqlite3_column_text (stmt, C_BIRTH_PRECISION);
  person.estimated_age = sqlite3_column_type (stmt, C_ESTIMATED_AGE) == SQLITE_NULL
                         ? -1 : sqlite3_column_int64 (stmt, C_ESTIMATED_AGE);
  person.estimated_on = (char *) sqlite3_column_text (stmt, C_ESTIMATED_ON);
  person.flags = (guint) sqlite3_column_int64 (stmt, C_PFLAGS);
  episode.health = (guint) sqlite3_column_int64 (stmt, C_HEALTH);
  episode.flags = (guint) sqlite3_column_int64 (stmt, C_EFLAGS);

  jz_deadline_subject_init (&subject);
  jz_person_get_facts (&person, &episode, &subject.person);
  subject.admitted_at = column_time (stmt, C_ADMITTED);
  subject.identified_at = column_time (stmt, C_IDENTIFIED);
  subject.identified = g_strcmp0 (identity, "verified") == 0 || g_strcmp0 (identity, "settled") == 0 ||
                       subject.identified_at != NULL;
  subject.notice_published_at = column_time (stmt, C_NOTICE);
  subject.dna_requested_at = column_time (stmt, C_DNA_REQUEST);
  subject.dna_result_at = column_time (stmt, C_DNA_RESULT);
  subject.stay_extended_until = column_time (stmt, C_EXTENDED);
  subject.settled_at = column_time (stmt, C_SETTLED);
  subject.departed_at = column_time (stmt, C_DEPARTED);
  if (mode != NULL)
    jz_departure_mode_from_string (mode, &subject.departure_mode);
  if (follow_ups != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (follow_ups, ",", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          gint64 t = g_ascii_strtoll (parts[i], NULL, 10);
          if (t > 0)
            g_ptr_array_add (done, g_date_time_new_from_unix_utc (t));
        }
    }
  subject.follow_ups_done = (GDateTime **) done->pdata;
  subject.n_follow_ups_done = done->len;

  if (subject.admitted_at != NULL)
    deadlines = jz_deadlines_compute (&subject, config, now);

  for (guint i = 0; deadlines != NULL && i < deadlines->len; i++)
    {
      JzDeadline *d = deadlines->pdata[i];
      JzDueItem *item;
      gint64 due_at = g_date_time_to_unix (d->due_at);

      if (d->status != JZ_DEADLINE_DUE && d->status != JZ_DEADLINE_OVERDUE)
        continue;
      if (d->kind == JZ_DEADLINE_FOLLOW_UP && due_at < follow_up_since)
        continue;
      if (follow_ups_only && d->kind != JZ_DEADLINE_FOLLOW_UP)
        continue;

      item = g_new0 (JzDueItem, 1);
      item->kind = d->kind;
      item->status = d->status;
      item->due_at = due_at;
      item->months = d->months;
      item->label = d->label;
      item->episode_id = dup_col (stmt, C_EPISODE_ID);
      item->episode_number = dup_col (stmt, C_NUMBER);
      item->episode_status = dup_col (stmt, C_STATUS);
      item->person_id = dup_col (stmt, C_PERSON_ID);
      if (sqlite3_column_type (stmt, C_NAME) != SQLITE_NULL)
        item->person_name = dup_col (stmt, C_NAME);
      else
        item->person_name = g_strdup_printf ("无名氏%" G_GINT64_FORMAT,
                                             (gint64) sqlite3_column_int64 (stmt, C_PLACEHOLDER));
      item->assigned_to = dup_col (stmt, C_ASSIGNED);
      item->admitted_at = sqlite3_column_int64 (stmt, C_ADMITTED);
      item->departed_at = sqlite3_column_int64 (stmt, C_DEPARTED);
      g_ptr_array_add (out, item);
    }

  clear_time (&subject.admitted_at);
  clear_time (&subject.identified_at);
  clear_time (&subject.notice_published_at);
  clear_time (&subject.dna_requested_at);
  clear_time (&subject.dna_result_at);
  clear_time (&subject.stay_extended_until);
  clear_time (&subject.settled_at);
  clear_time (&subject.departed_at);
}

static int
compare_items (gconstpointer a,
               gconstpointer b)
{
  const JzDueItem *x = *(JzDueItem * const *) a;
  const JzDueItem *y = *(JzDueItem * const *) b;

  if (x->status != y->status)
    return x->status == JZ_DEADLINE_OVERDUE ? -1 : 1;
  if (x->due_at != y->due_at)
    return x->due_at < y->due_at ? -1 : 1;
  if (x->kind != y->kind)
    return (int) x->kind - (int) y->kind;
  return g_strcmp0 (x->episode_number, y->episode_number);
}

static gboolean
step_all (JzStore                *store,
          sqlite3_stmt           *stmt,
          const JzDeadlineConfig *config,
          GDateTime              *now,
          gint64                  follow_up_since,
          gboolean                follow_ups_only,
          GHashTable             *seen,
          GPtrArray              *out,
          GError                **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, C_EPISODE_ID);

      /* An episode in two follow-up windows is computed once. */
      if (seen != NULL)
        {
          if (g_hash_table_contains (seen, id))
            continue;
          g_hash_table_add (seen, g_strdup (id));
        }
      add_row (stmt, config, now, follow_up_since, follow_ups_only, out);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      jz_store_set_error_from_db (store, rc, error);
      /* Translators: the reason follows. */
      g_prefix_error (error, _("Cannot list what is due: "));

      return FALSE;
    }
  return TRUE;
}

void
jz_due_options_init (JzDueOptions *options)
{
  memset (options, 0, sizeof *options);
  options->follow_ups = TRUE;
  options->follow_up_lookback_days = JZ_DUE_FOLLOW_UP_LOOKBACK_DAYS;
}

GPtrArray *
jz_store_list_due (JzStore                 *store,
                   gint64                   now,
                   const JzDeadlineConfig  *config,
                   GError                 **error)
{
  JzDueOptions options;

  jz_due_options_init (&options);
  options.now = now;
  options.config = config;
  return jz_store_list_due_with (store, &options, error);
}

GPtrArray *
jz_store_list_due_with (JzStore             *store,
                        const JzDueOptions  *options,
                        GError             **error)
{
  const JzDeadlineConfig *config = options->config;
  gint64 now = options->now;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_due_item_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JzWorkCalendar) calendar = NULL;
  g_autoptr(GDateTime) now_dt = NULL;
  JzDeadlineConfig defaults;
  const guint *months;
  guint n_months;
  gint64 follow_up_since;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);
  g_return_val_if_fail (options != NULL, NULL);

  if (now == 0)
    now = g_get_real_time () / G_USEC_PER_SEC;
  now_dt = g_date_time_new_from_unix_utc (now);
  if (config == NULL)
    {
      calendar = jz_store_load_work_calendar (store, error);
      if (calendar == NULL)
        return NULL;
      jz_deadline_config_init (&defaults);
      defaults.calendar = calendar;
      config = &defaults;
    }
  follow_up_since = now - (gint64) options->follow_up_lookback_days * 86400;

  /* Open episodes: the partial index episode_open. */
  stmt = jz_store_prepare (store,
                           "SELECT " FACTS_COLUMNS
                           "FROM episode e JOIN person p ON p.id = e.person_id "
                           "WHERE e.status IN ('screening', 'admitted', 'hospital', 'police') AND e.deleted = 0",
                           error);
  if (stmt == NULL ||
      !step_all (store, stmt, config, now_dt, follow_up_since, FALSE, NULL, out, error))
    return NULL;

  /* Departures whose m-month follow-up falls between the lookback and the
   * warning window: departed_at in [since − m months, now + warning − m
   * months], a day wider each side for the end-of-day rounding. */
  months = config->follow_up_months ? config->follow_up_months : default_follow_ups;
  n_months = config->follow_up_months ? config->n_follow_up_months : G_N_ELEMENTS (default_follow_ups);
  if (!options->follow_ups)
    n_months = 0;
  stmt = jz_store_prepare (store,
                           "SELECT " DEPARTED_COLUMNS
                           "FROM episode e JOIN person p ON p.id = e.person_id "
                           "WHERE e.status = 'departed' AND e.deleted = 0 "
                           "  AND e.departed_at >= ?1 AND e.departed_at <= ?2 "
                           /* Only if this follow-up is not made yet (the
                            * n-th made answers the n-th scheduled) and the
                            * person did not die. */
                           "  AND (SELECT count (*) FROM followup f WHERE f.episode_id = e.id "
                           "       AND f.done_at >= e.departed_at AND f.deleted = 0) <= ?3 "
                           "  AND NOT EXISTS (SELECT 1 FROM departure x WHERE x.episode_id = e.id "
                           "                  AND x.mode = 'death' AND x.deleted = 0)",
                           error);
  if (stmt == NULL)
    return NULL;
  for (guint i = 0; i < n_months; i++)
    {
      g_autoptr(GDateTime) since = g_date_time_new_from_unix_utc (follow_up_since - 86400);
      g_autoptr(GDateTime) until = g_date_time_new_from_unix_utc (now + (FOLLOW_UP_WARNING_DAYS + 1) * 86400);
      g_autoptr(GDateTime) from = g_date_time_add_months (since, -(int) months[i]);
      g_autoptr(GDateTime) to = g_date_time_add_months (until, -(int) months[i]);

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, g_date_time_to_unix (from));
      sqlite3_bind_int64 (stmt, 2, g_date_time_to_unix (to));
      sqlite3_bind_int64 (stmt, 3, i);
      if (!step_all (store, stmt, config, now_dt, follow_up_since, TRUE, seen, out, error))
        return NULL;
    }

  g_ptr_array_sort (out, compare_items);
  return g_steal_pointer (&out);
}
