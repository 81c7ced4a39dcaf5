/* jz-check.c: verifying a store (jiuzhu-cli check)
 *
 * Runs in one read transaction, so a writer (the app, the sync thread) can
 * go on meanwhile and the check still sees one consistent state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-check"

#include "jz-audit.h"
#include "jz-blobs.h"
#include "jz-check.h"
#include "jz-schema.h"

#define MAX_REPORT 20

static void
add (GPtrArray  *problems,
     const char *format,
     ...) G_GNUC_PRINTF (2, 3);

static void
add (GPtrArray  *problems,
     const char *format,
     ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (problems, g_strdup_vprintf (format, args));
  va_end (args);
}

static gboolean
check_integrity (sqlite3   *db,
                 GPtrArray *problems)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok = TRUE;
  int rc;

  rc = sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL);
  while (rc == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *line = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (line, "ok") != 0)
        {
          add (problems, "integrity: %s", line);
          ok = FALSE;
        }
    }
  if (rc != SQLITE_OK)
    {
      add (problems, "integrity: cannot run the check: %s", sqlite3_errmsg (db));
      ok = FALSE;
    }
  sqlite3_finalize (stmt);
  return ok;
}

static gboolean
check_foreign_keys (sqlite3   *db,
                    GPtrArray *problems)
{
  sqlite3_stmt *stmt = NULL;
  guint count = 0;

  if (sqlite3_prepare_v2 (db, "PRAGMA foreign_key_check", -1, &stmt, NULL) != SQLITE_OK)
    {
      add (problems, "foreign keys: cannot run the check: %s", sqlite3_errmsg (db));
      return FALSE;
    }
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      if (++count <= MAX_REPORT)
        add (problems, "foreign keys: a row of %s (rowid %lld) refers to a missing row of %s",
             (const char *) sqlite3_column_text (stmt, 0),
             (long long) sqlite3_column_int64 (stmt, 1),
             (const char *) sqlite3_column_text (stmt, 2));
    }
  sqlite3_finalize (stmt);
  if (count > MAX_REPORT)
    add (problems, "foreign keys: %u more broken references", count - MAX_REPORT);
  return count == 0;
}

static gint64
query_int (sqlite3    *db,
           const char *sql,
           gint64      fallback)
{
  sqlite3_stmt *stmt = NULL;
  gint64 v = fallback;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

static gboolean
check_outbox (sqlite3        *db,
              GPtrArray      *problems,
              JzCheckSummary *summary)
{
  gboolean ok = TRUE;
  gint64 max_acked = query_int (db, "SELECT max(seq) FROM outbox WHERE acked = 1", 0);
  gint64 min_pending = query_int (db, "SELECT min(seq) FROM outbox WHERE acked = 0", G_MAXINT64);
  gint64 max_seq = query_int (db, "SELECT max(seq) FROM outbox", 0);
  gint64 sequence = query_int (db, "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'", 0);
  sqlite3_stmt *stmt = NULL;
  guint bad = 0;

  summary->outbox_pending = query_int (db, "SELECT count(*) FROM outbox WHERE acked = 0", 0);
  summary->outbox_acked = query_int (db, "SELECT count(*) FROM outbox WHERE acked = 1", 0);

  /* The hub acknowledges contiguous sequences: acked changes come first. */
  if (max_acked > min_pending)
    {
      add (problems, "outbox: change %" G_GINT64_FORMAT " is acknowledged but the earlier change %"
           G_GINT64_FORMAT " is not", max_acked, min_pending);
      ok = FALSE;
    }
  if (sequence < max_seq)
    {
      add (problems, "outbox: the sequence counter (%" G_GINT64_FORMAT ") is behind the newest change (%"
           G_GINT64_FORMAT "); numbers could be reused", sequence, max_seq);
      ok = FALSE;
    }

  if (sqlite3_prepare_v2 (db, "SELECT seq, entity, entity_id, fields_json FROM outbox WHERE acked = 0 ORDER BY seq",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      add (problems, "outbox: unreadable: %s", sqlite3_errmsg (db));
      return FALSE;
    }
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *entity = (const char *) sqlite3_column_text (stmt, 1);
      const JzEntity *e = jz_schema_lookup (entity);
      const char *fields = (const char *) sqlite3_column_text (stmt, 3);
      g_autofree char *problem = NULL;

      if (e == NULL || !(e->flags & JZ_ENTITY_SYNCED))
        problem = g_strdup_printf ("is for “%s”, which is not a synced table", entity);
      else if (fields == NULL || fields[0] != '{')
        problem = g_strdup ("has no field object");
      if (problem != NULL)
        {
          if (++bad <= MAX_REPORT)
            add (problems, "outbox: change %lld %s", (long long) sqlite3_column_int64 (stmt, 0), problem);
        }
    }
  sqlite3_finalize (stmt);
  stmt = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT count(*) FROM outbox WHERE acked = 0 AND NOT json_valid (fields_json)",
                          -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int64 (stmt, 0) > 0)
    {
      add (problems, "outbox: %lld pending changes hold invalid JSON", (long long) sqlite3_column_int64 (stmt, 0));
      ok = FALSE;
    }
  sqlite3_finalize (stmt);

  /* Every pending change of a synced row must match a row of its table,
   * and no row may be newer than its newest queued change's clock. */
  for (guint i = 0; jz_schema_entities (NULL)[i] != NULL; i++)
    {
      const JzEntity *e = jz_schema_entities (NULL)[i];
      g_autofree char *sql = NULL;
      gint64 n;

      if (!(e->flags & JZ_ENTITY_SYNCED))
        continue;
      sql = g_strdup_printf ("SELECT count(*) FROM outbox o WHERE o.acked = 0 AND o.entity = '%s' "
                             "AND o.op <> 'delete' AND NOT EXISTS (SELECT 1 FROM %s t WHERE t.id = o.entity_id "
                             "AND t.hlc >= o.hlc)", e->name, e->name);
      n = query_int (db, sql, 0);
      if (n > 0)
        {
          add (problems, "outbox: %" G_GINT64_FORMAT " pending %s changes have no matching row", n, e->name);
          ok = FALSE;
        }
    }
  return ok && bad == 0;
}

/* Every blob that is here must match its name and its rows' size. */
static gboolean
check_blobs (JzStore        *store,
             GPtrArray      *problems,
             JzCheckSummary *summary)
{
  sqlite3_stmt *stmt = NULL;
  guint bad = 0;

  if (sqlite3_prepare_v2 (jz_store_get_db (store),
                          "SELECT sha256, min (size), max (size) FROM attachment WHERE deleted = 0 GROUP BY sha256",
                          -1, &stmt, NULL) != SQLITE_OK)
    return TRUE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *sha = (const char *) sqlite3_column_text (stmt, 0);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;

      if (!jz_sha256_is_valid (sha))
        continue;
      bytes = jz_store_read_blob (store, sha, &error);
      if (g_error_matches (error, JZ_STORE_ERROR, JZ_STORE_ERROR_NOT_FOUND))
        {
          summary->blobs_missing++;
          continue;
        }
      summary->blobs_checked++;
      if (bytes == NULL)
        {
          if (++bad <= MAX_REPORT)
            add (problems, "attachments: %s", error->message);
        }
      else if ((gint64) g_bytes_get_size (bytes) != sqlite3_column_int64 (stmt, 1) ||
               sqlite3_column_int64 (stmt, 1) != sqlite3_column_int64 (stmt, 2))
        {
          if (++bad <= MAX_REPORT)
            add (problems, "attachments: blob %s has %" G_GSIZE_FORMAT " bytes, its records say %lld",
                 sha, g_bytes_get_size (bytes), (long long) sqlite3_column_int64 (stmt, 1));
        }
    }
  sqlite3_finalize (stmt);
  return bad == 0;
}

gboolean
jz_store_check (JzStore         *store,
                GPtrArray       *problems,
                JzCheckSummary  *summary,
                GError         **error)
{
  sqlite3 *db;
  JzCheckSummary local_summary = { 0, };
  g_autoptr(GString) schema_problems = g_string_new (NULL);
  gboolean ok = TRUE;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (problems != NULL, FALSE);

  if (summary == NULL)
    summary = &local_summary;
  db = jz_store_get_db (store);

  /* The replay sorts the whole audit log: let it spill to disk rather
   * than hold a million stores' worth in memory. */
  if (!jz_store_exec (store, "PRAGMA temp_store = FILE", error))
    return FALSE;
  /* One snapshot for every part of the check. */
  if (!jz_store_exec (store, "BEGIN", error))
    {
      jz_store_exec (store, "PRAGMA temp_store = MEMORY", NULL);
      return FALSE;
    }
  if (!jz_store_exec (store, "SELECT count(*) FROM meta", error))
    {
      jz_store_rollback (store);
      jz_store_exec (store, "PRAGMA temp_store = MEMORY", NULL);
      return FALSE;
    }

  ok &= check_integrity (db, problems);
  ok &= check_foreign_keys (db, problems);
  if (!jz_schema_verify (db, schema_problems))
    {
      g_auto(GStrv) lines = g_strsplit (schema_problems->str, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        if (*lines[i] != '\0')
          add (problems, "schema: %s", lines[i]);
      ok = FALSE;
    }
  ok &= jz_audit_verify_chain (db, problems, MAX_REPORT, &summary->audit_entries);
  ok &= jz_audit_verify_rows (db, problems, MAX_REPORT);
  ok &= check_outbox (db, problems, summary);
  ok &= check_blobs (store, problems, summary);

  jz_store_rollback (store);
  jz_store_exec (store, "PRAGMA temp_store = MEMORY", NULL);
  return ok;
}
