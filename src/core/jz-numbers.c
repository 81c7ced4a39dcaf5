/* jz-numbers.c: episode numbers (救助编号) and 无名氏 placeholders
 *
 * An episode number is <station code>-<year>-<6-digit sequence>, e.g.
 * 320481-01-2026-000123. The station code (GB/T 2260 county + station
 * number) makes it unique nationally; inside a station, several devices
 * (the workstation, an outreach laptop, a hub workstation) issue numbers
 * while offline, so the sequence space is split into blocks:
 *
 * - Each store holds one or more blocks of the 6-digit sequence
 *   (table number_block, local, never synced). A new store gets
 *   000001–099999, so the station's first device numbers 000001, 000002 …
 *   as people expect. The hub gives every further device of the station
 *   its own block at enrolment (e.g. 100000–199999) through
 *   jz_store_set_number_blocks(); blocks of one station never overlap, so
 *   two devices can never issue the same number, online or not.
 * - A block applies to every year: the sequence restarts each year
 *   (counter per year in number_counter) inside the same blocks, so a
 *   device never needs the network to start a new year.
 * - Numbers are never reused: the counter only moves forward, episodes are
 *   never removed (tombstones keep their number), and the number column is
 *   UNIQUE. A store restored from a backup gets a new epoch and must be
 *   enrolled again, which gives it a fresh block, so numbers issued after
 *   the backup was taken cannot come back.
 * - A block of 99,999 per year is far above a station's volume (a busy
 *   district reported 737 people in 7 months); when a device does use its
 *   blocks up, the write fails with JZ_STORE_ERROR_FULL and says to sync.
 *
 * 无名氏 placeholders use the same blocks with their own counter, so they
 * are unique per station too and never repeat.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-numbers"

#include "config.h"

#include <glib/gi18n-lib.h>
#include "jz-deadlines.h"
#include "jz-numbers.h"

static gboolean
counter_get (JzStore     *store,
             const char  *scope,
             gint64      *last,
             GError     **error)
{
  sqlite3_stmt *stmt = jz_store_prepare (store, "SELECT last FROM number_counter WHERE scope = ?1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, scope, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  *last = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return jz_store_set_error_from_db (store, rc, error);
  return TRUE;
}

static gboolean
counter_set (JzStore     *store,
             const char  *scope,
             gint64       last,
             GError     **error)
{
  sqlite3_stmt *stmt = jz_store_prepare (store,
                                         "INSERT INTO number_counter (scope, last) VALUES (?1, ?2) "
                                         "ON CONFLICT (scope) DO UPDATE SET last = excluded.last",
                                         error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, scope, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, last);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return jz_store_set_error_from_db (store, rc, error);
  return TRUE;
}

/* The first number after @after inside the blocks, or 0. */
static gint64
next_in_blocks (GArray *blocks,
                gint64  after)
{
  for (guint i = 0; i < blocks->len; i++)
    {
      JzNumberBlock *b = &g_array_index (blocks, JzNumberBlock, i);

      if (after + 1 > b->last)
        continue;
      return MAX (after + 1, b->first);
    }
  return 0;
}

typedef gboolean (*TakenFunc) (JzStore *store, gint64 n, gpointer data, gboolean *taken, GError **error);

static gint64
allocate (JzStore     *store,
          const char  *scope,
          TakenFunc    taken_func,
          gpointer     data,
          GError     **error)
{
  g_autoptr(GArray) blocks = jz_store_get_number_blocks (store, error);
  gint64 last = 0;
  gint64 n;

  if (blocks == NULL || !counter_get (store, scope, &last, error))
    return 0;

  for (n = next_in_blocks (blocks, last); n != 0; n = next_in_blocks (blocks, n))
    {
      gboolean taken = FALSE;

      /* A number may already exist if it came in by import. */
      if (!taken_func (store, n, data, &taken, error))
        return 0;
      if (!taken)
        break;
    }
  if (n == 0)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_FULL,
                   /* Translators: %s is what the numbers are for, e.g. a year (2026). */
                   _("This device has used up its block of numbers (%s); sync with the hub to get a new block"),
                   scope);
      return 0;
    }
  if (!counter_set (store, scope, n, error))
    return 0;
  return n;
}

static char *
format_episode_number (JzStore *store,
                       int      year,
                       gint64   n)
{
  return g_strdup_printf ("%s-%04d-%06" G_GINT64_FORMAT, jz_store_get_station_code (store), year, n);
}

typedef struct
{
  int year;
} EpisodeScope;

static gboolean
episode_number_taken (JzStore   *store,
                      gint64     n,
                      gpointer   data,
                      gboolean  *taken,
                      GError   **error)
{
  EpisodeScope *scope = data;
  g_autofree char *number = format_episode_number (store, scope->year, n);
  sqlite3_stmt *stmt = jz_store_prepare (store, "SELECT 1 FROM episode WHERE number = ?1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, number, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  *taken = rc == SQLITE_ROW;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return jz_store_set_error_from_db (store, rc, error);
  return TRUE;
}

char *
jz_numbers_next_episode_number (JzStore  *store,
                                gint64    admitted_at,
                                GError  **error)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (admitted_at);
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *scope_name = NULL;
  EpisodeScope scope;
  gint64 n;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);

  if (utc == NULL)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   _("The admission time is not a valid time; check the date"));

      return NULL;
    }
  local = g_date_time_to_timezone (utc, jz_deadlines_time_zone ());
  scope.year = g_date_time_get_year (local);
  scope_name = g_strdup_printf ("%04d", scope.year);
  n = allocate (store, scope_name, episode_number_taken, &scope, error);
  if (n == 0)
    return NULL;
  return format_episode_number (store, scope.year, n);
}

static gboolean
placeholder_taken (JzStore   *store,
                   gint64     n,
                   gpointer   data,
                   gboolean  *taken,
                   GError   **error)
{
  sqlite3_stmt *stmt = jz_store_prepare (store,
                                         "SELECT 1 FROM person WHERE placeholder_no = ?1 AND station = ?2",
                                         error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, n);
  sqlite3_bind_text (stmt, 2, jz_store_get_station_code (store), -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  *taken = rc == SQLITE_ROW;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return jz_store_set_error_from_db (store, rc, error);
  return TRUE;
}

gint64
jz_numbers_next_placeholder (JzStore  *store,
                             GError  **error)
{
  g_return_val_if_fail (JZ_IS_STORE (store), 0);
  return allocate (store, "placeholder", placeholder_taken, NULL, error);
}

GArray *
jz_store_get_number_blocks (JzStore  *store,
                            GError  **error)
{
  sqlite3_stmt *stmt;
  GArray *blocks;
  int rc;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);

  stmt = jz_store_prepare (store, "SELECT first, last FROM number_block ORDER BY first", error);
  if (stmt == NULL)
    return NULL;
  blocks = g_array_new (FALSE, FALSE, sizeof (JzNumberBlock));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JzNumberBlock b = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1) };
      g_array_append_val (blocks, b);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      g_array_unref (blocks);
      jz_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  return blocks;
}

gboolean
jz_store_set_number_blocks (JzStore              *store,
                            const JzNumberBlock  *blocks,
                            guint                 n_blocks,
                            GError              **error)
{
  sqlite3_stmt *stmt;
  gboolean ok = TRUE;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (blocks != NULL || n_blocks == 0, FALSE);

  for (guint i = 0; i < n_blocks; i++)
    {
      if (blocks[i].first < 1 || blocks[i].last > 999999 || blocks[i].first > blocks[i].last)
        {
          g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                       "The number block %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT " is not inside 1–999999",
                       blocks[i].first, blocks[i].last);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        if (blocks[i].first <= blocks[j].last && blocks[j].first <= blocks[i].last)
          {
            g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                         "The number blocks %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT " and %"
                         G_GINT64_FORMAT "–%" G_GINT64_FORMAT " overlap",
                         blocks[j].first, blocks[j].last, blocks[i].first, blocks[i].last);
            return FALSE;
          }
    }

  if (!jz_store_write_begin (store, error))
    return FALSE;
  ok = jz_store_exec (store, "DELETE FROM number_block", error);
  stmt = ok ? jz_store_prepare (store, "INSERT INTO number_block (first, last) VALUES (?1, ?2)", error) : NULL;
  ok = stmt != NULL;
  for (guint i = 0; ok && i < n_blocks; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, blocks[i].first);
      sqlite3_bind_int64 (stmt, 2, blocks[i].last);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        ok = jz_store_set_error_from_db (store, sqlite3_errcode (jz_store_get_db (store)), error);
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return jz_store_write_end (store, ok, ok ? error : NULL) && ok;
}
