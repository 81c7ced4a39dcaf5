/* jz-due.c: what is due and overdue across the station
 *
 * The rules are jz-deadlines.c's; this file finds the episodes they apply
 * to and keeps their results.
 *
 * Computed afresh (jz_due_list_direct): the open episodes (the partial
 * index episode_open) and those that left on dates whose follow-ups fall
 * in the window shown (the partial index episode_departed, one range per
 * follow-up month), each read with what its deadlines depend on in one
 * statement (tracing steps, extensions, settlement, departure mode,
 * follow-ups made), the same facts the case page uses. On a large store
 * that is tens of thousands of episodes and seconds.
 *
 * Kept (the cache, migration 0007): the deadlines not yet met are stored
 * in due_item when an episode's facts change. Triggers mark the episodes
 * a write touches in due_dirty; jz_due_cache_flush() recomputes them just
 * before the transaction commits, so the cache is exactly as current as
 * the records. A list is then one indexed read of the deadlines whose
 * warning time has come. Follow-ups are kept from the meta key due_floor
 * on (a little before the last rebuild); a question about an older window,
 * or any other deadline configuration than the store's, is computed
 * afresh.
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

/* An item and its strings in one block (a list can hold tens of
 * thousands): the strings are copied after the struct. */
static JzDueItem *
due_item_new (const char *episode_id,
              const char *episode_number,
              const char *episode_status,
              const char *person_id,
              const char *person_name,
              const char *assigned_to)
{
  const char *texts[] = { episode_id, episode_number, episode_status, person_id, person_name, assigned_to };
  gsize lengths[G_N_ELEMENTS (texts)];
  gsize size = sizeof (JzDueItem);
  char **slots[G_N_ELEMENTS (texts)];
  JzDueItem *item;
  char *p;

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      lengths[i] = texts[i] != NULL ? strlen (texts[i]) + 1 : 0;
      size += lengths[i];
    }
  item = g_malloc0 (size);
  slots[0] = &item->episode_id;
  slots[1] = &item->episode_number;
  slots[2] = &item->episode_status;
  slots[3] = &item->person_id;
  slots[4] = &item->person_name;
  slots[5] = &item->assigned_to;
  p = (char *) (item + 1);
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    if (texts[i] != NULL)
      {
        memcpy (p, texts[i], lengths[i]);
        *slots[i] = p;
        p += lengths[i];
      }
  return item;
}

void
jz_due_item_free (JzDueItem *item)
{
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

/* Every open episode with its facts (the partial index episode_open). */
#define OPEN_FACTS \
  "SELECT " FACTS_COLUMNS \
  "FROM episode e JOIN person p ON p.id = e.person_id " \
  "WHERE " JZ_EPISODE_OPEN ("e.")

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

typedef struct
{
  JzDeadlineSubject subject;
  GPtrArray        *done;       /* GDateTime: follow-ups made */
} Facts;

/* Reads the current row's facts (GDateTimes owned by @facts). */
static void
facts_load (Facts        *facts,
            sqlite3_stmt *stmt)
{
  JzDeadlineSubject *subject = &facts->subject;
  const char *identity = (const char *) sqlite3_column_text (stmt, C_IDENTITY);
  const char *mode = (const char *) sqlite3_column_text (stmt, C_MODE);
  const char *follow_ups = (const char *) sqlite3_column_text (stmt, C_FOLLOW_UPS);

  G_STATIC_ASSERT (C_EFLAGS == C_HEALTH + 1);
  G_STATIC_ASSERT (C_PFLAGS == C_BIRTH_DATE + 4);
  facts->done = g_ptr_array_new_with_free_func ((GDestroyNotify) g_date_time_unref);
  jz_deadline_subject_init (subject);
  jz_person_get_facts_from_row (stmt, C_BIRTH_DATE, C_HEALTH, &subject->person);
  subject->admitted_at = column_time (stmt, C_ADMITTED);
  subject->identified_at = column_time (stmt, C_IDENTIFIED);
  subject->identified = g_strcmp0 (identity, "verified") == 0 || g_strcmp0 (identity, "settled") == 0 ||
                        subject->identified_at != NULL;
  subject->notice_published_at = column_time (stmt, C_NOTICE);
  subject->dna_requested_at = column_time (stmt, C_DNA_REQUEST);
  subject->dna_result_at = column_time (stmt, C_DNA_RESULT);
  subject->stay_extended_until = column_time (stmt, C_EXTENDED);
  subject->settled_at = column_time (stmt, C_SETTLED);
  subject->departed_at = column_time (stmt, C_DEPARTED);
  if (mode != NULL)
    jz_departure_mode_from_string (mode, &subject->departure_mode);
  if (follow_ups != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (follow_ups, ",", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          gint64 t = g_ascii_strtoll (parts[i], NULL, 10);
          if (t > 0)
            g_ptr_array_add (facts->done, g_date_time_new_from_unix_utc (t));
        }
    }
  subject->follow_ups_done = (GDateTime **) facts->done->pdata;
  subject->n_follow_ups_done = facts->done->len;
}

static void
facts_clear (Facts *facts)
{
  JzDeadlineSubject *subject = &facts->subject;

  clear_time (&subject->admitted_at);
  clear_time (&subject->identified_at);
  clear_time (&subject->notice_published_at);
  clear_time (&subject->dna_requested_at);
  clear_time (&subject->dna_result_at);
  clear_time (&subject->stay_extended_until);
  clear_time (&subject->settled_at);
  clear_time (&subject->departed_at);
  g_clear_pointer (&facts->done, g_ptr_array_unref);
}

/* The current row's deadlines as of @now, or NULL without an admission. */
static GPtrArray *
row_deadlines (sqlite3_stmt           *stmt,
               const JzDeadlineConfig *config,
               GDateTime              *now)
{
  Facts facts;
  GPtrArray *deadlines = NULL;

  facts_load (&facts, stmt);
  if (facts.subject.admitted_at != NULL)
    deadlines = jz_deadlines_compute (&facts.subject, config, now);
  facts_clear (&facts);
  return deadlines;
}

static char *
row_person_name (sqlite3_stmt *stmt)
{
  if (sqlite3_column_type (stmt, C_NAME) != SQLITE_NULL)
    return dup_col (stmt, C_NAME);
  return g_strdup_printf ("无名氏%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, C_PLACEHOLDER));
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
  g_autoptr(GPtrArray) deadlines = row_deadlines (stmt, config, now);
  g_autofree char *name = NULL;

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

      if (name == NULL)
        name = row_person_name (stmt);
      item = due_item_new ((const char *) sqlite3_column_text (stmt, C_EPISODE_ID),
                           (const char *) sqlite3_column_text (stmt, C_NUMBER),
                           (const char *) sqlite3_column_text (stmt, C_STATUS),
                           (const char *) sqlite3_column_text (stmt, C_PERSON_ID),
                           name,
                           (const char *) sqlite3_column_text (stmt, C_ASSIGNED));
      item->kind = d->kind;
      item->status = d->status;
      item->due_at = due_at;
      item->months = d->months;
      item->label = d->label;
      item->admitted_at = sqlite3_column_int64 (stmt, C_ADMITTED);
      item->departed_at = sqlite3_column_int64 (stmt, C_DEPARTED);
      g_ptr_array_add (out, item);
    }
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

/* Computes the list afresh from the records (see the top of the file). */
static GPtrArray *
list_direct (JzStore             *store,
             const JzDueOptions  *options,
             gint64               now,
             GError             **error)
{
  const JzDeadlineConfig *config = options->config;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_due_item_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JzWorkCalendar) calendar = NULL;
  g_autoptr(GDateTime) now_dt = g_date_time_new_from_unix_utc (now);
  JzDeadlineConfig defaults;
  const guint *months;
  guint n_months;
  gint64 follow_up_since;
  sqlite3_stmt *stmt;

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
  if (!options->follow_ups_only)
    {
      stmt = jz_store_prepare (store, OPEN_FACTS, error);
      if (stmt == NULL ||
          !step_all (store, stmt, config, now_dt, follow_up_since, FALSE, NULL, out, error))
        return NULL;
    }

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
      g_autoptr(GDateTime) until = g_date_time_new_from_unix_utc (now + (JZ_DEADLINE_FOLLOW_UP_WARNING_DAYS + 1) * 86400);
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

/* ---- The cache -------------------------------------------------------- */

/* Follow-ups are kept from this long before a rebuild on, so that a list
 * for a moment a little in the past (the lookback, a test's fixed date)
 * is still read from the cache. */
#define FLOOR_MARGIN_DAYS 62
/* The floor moves forward (and older follow-ups are dropped) once it is
 * this much further behind than a rebuild would put it. */
#define FLOOR_SLACK_DAYS 31
/* The latest follow-up month of the store's configuration (the defaults). */
#define MAX_FOLLOW_UP_MONTHS 12

G_STATIC_ASSERT (JZ_DEADLINE_FOLLOW_UP == JZ_DEADLINE_N_KINDS - 1);

static gboolean
is_open_status (const char *status)
{
  return g_strcmp0 (status, "screening") == 0 || g_strcmp0 (status, "admitted") == 0 ||
         g_strcmp0 (status, "hospital") == 0 || g_strcmp0 (status, "police") == 0;
}

static gboolean
step_done (JzStore       *store,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      jz_store_set_error_from_db (store, rc, error);
      return FALSE;
    }
  return TRUE;
}

/* Stores the deadlines not yet met of the current row: all of them for an
 * open episode, the follow-ups from @floor on for a departed one. */
static gboolean
cache_row (JzStore                *store,
           sqlite3_stmt           *row,
           const JzDeadlineConfig *config,
           GDateTime              *now,
           gint64                  floor,
           GError                **error)
{
  g_autoptr(GPtrArray) deadlines = row_deadlines (row, config, now);
  gboolean open = is_open_status ((const char *) sqlite3_column_text (row, C_STATUS));
  g_autofree char *name = NULL;
  sqlite3_stmt *insert;

  if (deadlines == NULL)
    return TRUE;
  /* One row per kind, date, episode and month: should two ever coincide
   * the save goes on (a cache must never make a save fail). */
  insert = jz_store_prepare (store,
                             "INSERT OR REPLACE INTO due_item (episode_id, kind, months, due_at, warn_at, prompt, "
                             "  episode_number, episode_status, person_id, person_name, assigned_to, "
                             "  admitted_at, departed_at) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                             error);
  if (insert == NULL)
    return FALSE;

  for (guint i = 0; i < deadlines->len; i++)
    {
      JzDeadline *d = deadlines->pdata[i];
      gint64 due_at = g_date_time_to_unix (d->due_at);

      if (d->status == JZ_DEADLINE_DONE)
        continue;
      if (!open && (d->kind != JZ_DEADLINE_FOLLOW_UP || due_at < floor))
        continue;
      if (name == NULL)
        name = row_person_name (row);

      sqlite3_bind_value (insert, 1, sqlite3_column_value (row, C_EPISODE_ID));
      sqlite3_bind_int (insert, 2, d->kind);
      sqlite3_bind_int (insert, 3, (int) d->months);
      sqlite3_bind_int64 (insert, 4, due_at);
      sqlite3_bind_int64 (insert, 5, d->warn_at);
      sqlite3_bind_int (insert, 6, d->prompt);
      sqlite3_bind_value (insert, 7, sqlite3_column_value (row, C_NUMBER));
      sqlite3_bind_value (insert, 8, sqlite3_column_value (row, C_STATUS));
      sqlite3_bind_value (insert, 9, sqlite3_column_value (row, C_PERSON_ID));
      sqlite3_bind_text (insert, 10, name, -1, SQLITE_STATIC);
      sqlite3_bind_value (insert, 11, sqlite3_column_value (row, C_ASSIGNED));
      sqlite3_bind_value (insert, 12, sqlite3_column_value (row, C_ADMITTED));
      sqlite3_bind_value (insert, 13, sqlite3_column_value (row, C_DEPARTED));
      if (!step_done (store, insert, error))
        return FALSE;
    }
  sqlite3_clear_bindings (insert);
  return TRUE;
}

/* Departures before this cannot have a follow-up from @floor on. */
static gint64
departed_since (gint64 floor)
{
  g_autoptr(GDateTime) f = g_date_time_new_from_unix_utc (floor - 2 * 86400);
  g_autoptr(GDateTime) d = g_date_time_add_months (f, -MAX_FOLLOW_UP_MONTHS);

  return g_date_time_to_unix (d);
}

static gboolean
cache_rows (JzStore                *store,
            sqlite3_stmt           *stmt,
            const JzDeadlineConfig *config,
            GDateTime              *now,
            gint64                  floor,
            GError                **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (!cache_row (store, stmt, config, now, floor, error))
      {
        sqlite3_reset (stmt);
        return FALSE;
      }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      jz_store_set_error_from_db (store, rc, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
cache_rebuild (JzStore                *store,
               const JzDeadlineConfig *config,
               GDateTime              *now,
               GError                **error)
{
  gint64 floor = g_date_time_to_unix (now) - FLOOR_MARGIN_DAYS * 86400;
  g_autofree char *floor_text = g_strdup_printf ("%" G_GINT64_FORMAT, floor);
  sqlite3_stmt *stmt;

  if (!jz_store_exec (store, "DELETE FROM due_item; DELETE FROM due_dirty", error))
    return FALSE;

  stmt = jz_store_prepare (store, OPEN_FACTS, error);
  if (stmt == NULL || !cache_rows (store, stmt, config, now, floor, error))
    return FALSE;

  stmt = jz_store_prepare (store,
                           "SELECT " FACTS_COLUMNS
                           "FROM episode e JOIN person p ON p.id = e.person_id "
                           "WHERE e.status = 'departed' AND e.deleted = 0 AND e.departed_at >= ?1",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, departed_since (floor));
  if (!cache_rows (store, stmt, config, now, floor, error))
    return FALSE;

  return jz_store_set_meta (store, "due_floor", floor_text, error);
}

static gboolean
cache_update (JzStore                *store,
              const JzDeadlineConfig *config,
              GDateTime              *now,
              gint64                  floor,
              GError                **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  sqlite3_stmt *drop;
  int rc;

  stmt = jz_store_prepare (store, "SELECT episode_id FROM due_dirty", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      jz_store_set_error_from_db (store, rc, error);
      return FALSE;
    }

  drop = jz_store_prepare (store, "DELETE FROM due_item WHERE episode_id = ?1", error);
  stmt = jz_store_prepare (store,
                           "SELECT " FACTS_COLUMNS
                           "FROM episode e JOIN person p ON p.id = e.person_id "
                           "WHERE e.id = ?1 AND e.deleted = 0 "
                           /* No IN list: it would build a b-tree per episode. */
                           "  AND (e.status = 'screening' OR e.status = 'admitted' "
                           "       OR e.status = 'hospital' OR e.status = 'police' "
                           "       OR (e.status = 'departed' AND e.departed_at >= ?2))",
                           error);
  if (drop == NULL || stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 2, departed_since (floor));
  for (guint i = 0; i < ids->len; i++)
    {
      sqlite3_bind_text (drop, 1, ids->pdata[i], -1, SQLITE_STATIC);
      if (!step_done (store, drop, error))
        return FALSE;
      sqlite3_bind_text (stmt, 1, ids->pdata[i], -1, SQLITE_STATIC);
      if (!cache_rows (store, stmt, config, now, floor, error))
        return FALSE;
    }
  sqlite3_clear_bindings (drop);
  sqlite3_clear_bindings (stmt);
  return jz_store_exec (store, "DELETE FROM due_dirty", error);
}

/* Drops the follow-ups the floor has passed and moves it forward. */
static gboolean
cache_advance (JzStore  *store,
               gint64    floor,
               GError  **error)
{
  g_autofree char *floor_text = g_strdup_printf ("%" G_GINT64_FORMAT, floor);
  sqlite3_stmt *stmt;

  stmt = jz_store_prepare (store, "DELETE FROM due_item WHERE kind = ?1 AND due_at < ?2", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, JZ_DEADLINE_FOLLOW_UP);
  sqlite3_bind_int64 (stmt, 2, floor);
  if (!step_done (store, stmt, error))
    return FALSE;
  return jz_store_set_meta (store, "due_floor", floor_text, error);
}

/* The cache's floor, or -1 when the cache is not built; @dirty: episodes
 * are waiting to be recomputed. */
static gboolean
cache_state (JzStore   *store,
             gint64    *floor,
             gboolean  *dirty,
             GError   **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = jz_store_prepare (store,
                           "SELECT (SELECT value FROM meta WHERE key = 'due_floor'), "
                           "       EXISTS (SELECT 1 FROM due_dirty)",
                           error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      jz_store_set_error_from_db (store, rc, error);
      return FALSE;
    }
  *floor = sqlite3_column_type (stmt, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 0);
  *dirty = sqlite3_column_int (stmt, 1) != 0;
  sqlite3_reset (stmt);
  return TRUE;
}

gboolean
jz_due_cache_flush (JzStore  *store,
                    GError  **error)
{
  g_autoptr(JzWorkCalendar) calendar = NULL;
  g_autoptr(GDateTime) now = NULL;
  JzDeadlineConfig config;
  gint64 floor;
  gint64 wanted_floor;
  gboolean dirty;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);

  if (!cache_state (store, &floor, &dirty, error))
    return FALSE;
  now = g_date_time_new_now_utc ();
  wanted_floor = g_date_time_to_unix (now) - FLOOR_MARGIN_DAYS * 86400;
  /* The clock was put back past what the cache can answer for now: it
   * is rebuilt for the new date. */
  if (floor > wanted_floor + (FLOOR_MARGIN_DAYS - JZ_DUE_FOLLOW_UP_LOOKBACK_DAYS) * 86400)
    floor = -1;
  if (floor >= 0 && !dirty && floor >= wanted_floor - FLOOR_SLACK_DAYS * 86400)
    return TRUE;

  calendar = jz_store_load_work_calendar (store, error);
  if (calendar == NULL)
    return FALSE;
  jz_deadline_config_init (&config);
  config.calendar = calendar;

  if (floor < 0)
    return cache_rebuild (store, &config, now, error);
  if (floor < wanted_floor - FLOOR_SLACK_DAYS * 86400)
    {
      if (!cache_advance (store, wanted_floor, error))
        return FALSE;
      floor = wanted_floor;
    }
  return !dirty || cache_update (store, &config, now, floor, error);
}

/* The deadlines whose warning time has come at ?3, with @cols: follow-ups
 * by their date (after the lookback ?2, before the longest warning ?5;
 * none when ?4 is 0), the other deadlines (open episodes only) all, or
 * none when ?6 is 1. The
 * table is ordered by kind and date: two ranges read in order. */
#define CACHED_HITS(cols) \
  "SELECT " cols " FROM due_item " \
  "WHERE kind = ?1 AND ?4 AND due_at >= ?2 AND due_at <= ?3 + ?5 AND warn_at <= ?3 " \
  "UNION ALL " \
  "SELECT " cols " FROM due_item WHERE kind < ?1 AND warn_at <= ?3 AND NOT ?6"

#define LATE "(NOT prompt AND due_at < ?3)"

#define CACHED_COLUMNS \
  "kind, months, due_at, prompt, episode_id, episode_number, episode_status, person_id, " \
  "person_name, assigned_to, admitted_at, departed_at"

static void
bind_hits (sqlite3_stmt       *stmt,
           const JzDueOptions *options,
           gint64              now)
{
  sqlite3_bind_int (stmt, 1, JZ_DEADLINE_FOLLOW_UP);
  sqlite3_bind_int64 (stmt, 2, now - (gint64) options->follow_up_lookback_days * 86400);
  sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_int (stmt, 4, options->follow_ups);
  sqlite3_bind_int64 (stmt, 5, JZ_DEADLINE_MAX_WARNING_DAYS * 86400);
  sqlite3_bind_int (stmt, 6, options->follow_ups_only);
}

static gboolean
cached_counts (JzStore            *store,
               const JzDueOptions *options,
               gint64              now,
               guint              *n_overdue,
               guint              *n_due,
               GError            **error)
{
  sqlite3_stmt *stmt = jz_store_prepare (store, "SELECT count (*), total (late) FROM (" CACHED_HITS (LATE " AS late") ")", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  bind_hits (stmt, options, now);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      guint late = (guint) sqlite3_column_double (stmt, 1);

      *n_overdue = late;
      *n_due = (guint) sqlite3_column_int64 (stmt, 0) - late;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return jz_store_set_error_from_db (store, rc, error);
  return TRUE;
}

/* The list read from the cache (the first @limit items; 0: all); NULL
 * with no error: the cache cannot answer (not built, or the window starts
 * before its floor). */
static GPtrArray *
list_cached (JzStore             *store,
             const JzDueOptions  *options,
             gint64               now,
             guint                limit,
             guint               *n_overdue,
             guint               *n_due,
             GError             **error)
{
  g_autoptr(GPtrArray) out = NULL;
  gint64 since = now - (gint64) options->follow_up_lookback_days * 86400;
  gint64 floor;
  gboolean dirty;
  sqlite3_stmt *stmt;
  int rc;

  if (!cache_state (store, &floor, &dirty, error))
    return NULL;
  if (dirty && sqlite3_get_autocommit (jz_store_get_db (store)))
    {
      /* Written outside a transaction (nothing in Jiuzhu does; a repair
       * might): bring the cache up to date now. */
      g_autoptr(GError) local_error = NULL;

      if (jz_store_write_begin (store, &local_error))
        jz_store_write_end (store, TRUE, &local_error);
      if (local_error != NULL || !cache_state (store, &floor, &dirty, error))
        return NULL;
    }
  if (floor < 0 || dirty || (options->follow_ups && since < floor))
    return NULL;

  if ((n_overdue != NULL || n_due != NULL))
    {
      guint overdue = 0, due = 0;

      if (!cached_counts (store, options, now, &overdue, &due, error))
        return NULL;
      if (n_overdue != NULL)
        *n_overdue = overdue;
      if (n_due != NULL)
        *n_due = due;
    }

  /* The first few are picked in the index due_item_warn, then read. */
  if (limit > 0)
    stmt = jz_store_prepare (store,
                             "SELECT " CACHED_COLUMNS " FROM "
                             "(SELECT * FROM (" CACHED_HITS ("kind AS k, due_at AS t, episode_id AS e, months AS m, "
                                                             "episode_number AS n, " LATE " AS late") ") "
                             " ORDER BY late DESC, t, k, n LIMIT ?7) "
                             "JOIN due_item ON kind = k AND due_at = t AND episode_id = e AND months = m "
                             "ORDER BY late DESC, t, k, n",
                             error);
  else
    stmt = jz_store_prepare (store, CACHED_HITS (CACHED_COLUMNS), error);
  if (stmt == NULL)
    return NULL;
  bind_hits (stmt, options, now);
  if (limit > 0)
    sqlite3_bind_int64 (stmt, 7, limit);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_due_item_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JzDueItem *item = due_item_new ((const char *) sqlite3_column_text (stmt, 4),
                                      (const char *) sqlite3_column_text (stmt, 5),
                                      (const char *) sqlite3_column_text (stmt, 6),
                                      (const char *) sqlite3_column_text (stmt, 7),
                                      (const char *) sqlite3_column_text (stmt, 8),
                                      (const char *) sqlite3_column_text (stmt, 9));
      gboolean prompt = sqlite3_column_int (stmt, 3);

      item->kind = (JzDeadlineKind) sqlite3_column_int (stmt, 0);
      item->months = (guint) sqlite3_column_int (stmt, 1);
      item->due_at = sqlite3_column_int64 (stmt, 2);
      item->status = !prompt && now > item->due_at ? JZ_DEADLINE_OVERDUE : JZ_DEADLINE_DUE;
      item->label = jz_deadline_kind_get_label (item->kind);
      item->admitted_at = sqlite3_column_int64 (stmt, 10);
      item->departed_at = sqlite3_column_int64 (stmt, 11);
      g_ptr_array_add (out, item);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      jz_store_set_error_from_db (store, rc, error);
      /* Translators: the reason follows. */
      g_prefix_error (error, _("Cannot list what is due: "));
      return NULL;
    }
  g_ptr_array_sort (out, compare_items);
  return g_steal_pointer (&out);
}

GPtrArray *
jz_store_list_due_first (JzStore             *store,
                         const JzDueOptions  *options,
                         guint                limit,
                         guint               *n_overdue,
                         guint               *n_due,
                         GError             **error)
{
  g_autoptr(GPtrArray) list = NULL;
  gint64 now;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);
  g_return_val_if_fail (options != NULL, NULL);

  now = options->now != 0 ? options->now : g_get_real_time () / G_USEC_PER_SEC;
  if (options->config == NULL && !options->afresh)
    {
      GError *local_error = NULL;

      list = list_cached (store, options, now, limit, n_overdue, n_due, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      if (list != NULL)
        return g_steal_pointer (&list);
    }

  list = list_direct (store, options, now, error);
  if (list == NULL)
    return NULL;
  if (n_overdue != NULL || n_due != NULL)
    {
      guint overdue = 0;

      for (guint i = 0; i < list->len; i++)
        if (((JzDueItem *) list->pdata[i])->status == JZ_DEADLINE_OVERDUE)
          overdue++;
      if (n_overdue != NULL)
        *n_overdue = overdue;
      if (n_due != NULL)
        *n_due = list->len - overdue;
    }
  if (limit > 0 && list->len > limit)
    g_ptr_array_set_size (list, limit);
  return g_steal_pointer (&list);
}

GPtrArray *
jz_store_list_due_with (JzStore             *store,
                        const JzDueOptions  *options,
                        GError             **error)
{
  return jz_store_list_due_first (store, options, 0, NULL, NULL, error);
}

GPtrArray *
jz_store_get_episode_deadlines (JzStore         *store,
                                const char      *episode_id,
                                JzWorkCalendar  *calendar,
                                gint64           now,
                                GError         **error)
{
  g_autoptr(JzWorkCalendar) own_calendar = NULL;
  g_autoptr(GDateTime) now_dt = NULL;
  JzDeadlineConfig config;
  GPtrArray *deadlines;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);
  g_return_val_if_fail (episode_id != NULL, NULL);

  if (calendar == NULL)
    {
      calendar = own_calendar = jz_store_load_work_calendar (store, error);
      if (calendar == NULL)
        return NULL;
    }
  stmt = jz_store_prepare (store,
                           "SELECT " FACTS_COLUMNS
                           "FROM episode e JOIN person p ON p.id = e.person_id WHERE e.id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, episode_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      if (rc == SQLITE_DONE)
        g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_NOT_FOUND, "There is no episode %s", episode_id);
      else
        jz_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  jz_deadline_config_init (&config);
  config.calendar = calendar;
  now_dt = g_date_time_new_from_unix_utc (now > 0 ? now : g_get_real_time () / G_USEC_PER_SEC);
  deadlines = row_deadlines (stmt, &config, now_dt);
  sqlite3_reset (stmt);
  if (deadlines == NULL)
    deadlines = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_deadline_free);
  return deadlines;
}
