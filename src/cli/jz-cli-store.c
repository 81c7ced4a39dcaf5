/* jz-cli-store.c: jiuzhu-cli check, stats and backup
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-cli"

#include <errno.h>
#include <json.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

#include "jz-check.h"
#include "jz-cli.h"
#include "jz-schema.h"

int
jz_cli_cmd_check (JzCliContext  *ctx,
                  int            argc,
                  char         **argv)
{
  g_autoptr(JzStore) store = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  JzCheckSummary summary = { 0, };

  if (argc > 1)
    return jz_cli_fail (ctx, "check: takes no arguments");
  store = jz_cli_open_store (ctx);
  if (store == NULL)
    return JZ_CLI_ERROR;

  if (!jz_store_check (store, problems, &summary, &error) && error != NULL)
    return jz_cli_fail (ctx, "check: %s", error->message);

  if (problems->len > 0)
    {
      for (guint i = 0; i < problems->len; i++)
        printf ("%s\n", (char *) problems->pdata[i]);
      printf ("%s: %u problem%s found. Keep the file as it is for inspection and restore the last good backup.\n",
              jz_store_get_path (store), problems->len, problems->len == 1 ? "" : "s");
      return JZ_CLI_FOUND;
    }
  printf ("%s: ok (integrity, foreign keys, schema and triggers, audit chain of %" G_GUINT64_FORMAT
          " entries and every row against it, outbox with %" G_GUINT64_FORMAT " pending change%s)\n",
          jz_store_get_path (store), summary.audit_entries, summary.outbox_pending,
          summary.outbox_pending == 1 ? "" : "s");
  return JZ_CLI_OK;
}

static gint64
query_int (JzStore    *store,
           const char *sql)
{
  sqlite3_stmt *stmt = jz_store_prepare (store, sql, NULL);
  gint64 v = 0;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return v;
}

int
jz_cli_cmd_stats (JzCliContext  *ctx,
                  int            argc,
                  char         **argv)
{
  g_autoptr(JzStore) store = NULL;
  gboolean json = FALSE;
  guint n_entities;
  const JzEntity * const *entities = jz_schema_entities (&n_entities);
  json_object *root, *tables;
  gint64 page_size, page_count, persons;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else
        return jz_cli_fail (ctx, "stats: unknown argument “%s”; the only option is --json", argv[i]);
    }
  store = jz_cli_open_store (ctx);
  if (store == NULL)
    return JZ_CLI_ERROR;

  root = json_object_new_object ();
  tables = json_object_new_object ();
  for (guint e = 0; e < n_entities; e++)
    {
      g_autofree char *sql_live = NULL;
      g_autofree char *sql_deleted = NULL;
      json_object *t = json_object_new_object ();
      gboolean synced = (entities[e]->flags & JZ_ENTITY_SYNCED) != 0;

      /* Table names come from the code's own list. */
      sql_live = g_strdup_printf ("SELECT count(*) FROM %s%s", entities[e]->name, synced ? " WHERE deleted = 0" : "");
      json_object_object_add (t, "rows", json_object_new_int64 (query_int (store, sql_live)));
      if (synced)
        {
          sql_deleted = g_strdup_printf ("SELECT count(*) FROM %s WHERE deleted = 1", entities[e]->name);
          json_object_object_add (t, "deleted", json_object_new_int64 (query_int (store, sql_deleted)));
        }
      json_object_object_add (tables, entities[e]->name, t);
    }
  json_object_object_add (root, "tables", tables);
  json_object_object_add (root, "outbox_pending",
                          json_object_new_int64 (query_int (store, "SELECT count(*) FROM outbox WHERE acked = 0")));
  json_object_object_add (root, "outbox_acked",
                          json_object_new_int64 (query_int (store, "SELECT count(*) FROM outbox WHERE acked = 1")));
  json_object_object_add (root, "audit_entries",
                          json_object_new_int64 (query_int (store, "SELECT count(*) FROM audit")));
  page_size = query_int (store, "PRAGMA page_size");
  page_count = query_int (store, "PRAGMA page_count");
  persons = query_int (store, "SELECT count(*) FROM person");
  json_object_object_add (root, "file_bytes", json_object_new_int64 (page_size * page_count));
  json_object_object_add (root, "bytes_per_person",
                          json_object_new_int64 (persons > 0 ? page_size * page_count / persons : 0));
  json_object_object_add (root, "schema_version", json_object_new_int (jz_store_get_schema_version (store)));

  if (json)
    printf ("%s\n", json_object_to_json_string_ext (root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
  else
    {
      printf ("%-18s %12s %10s\n", "table", "rows", "deleted");
      for (guint e = 0; e < n_entities; e++)
        {
          json_object *t = json_object_object_get (tables, entities[e]->name);
          json_object *d = json_object_object_get (t, "deleted");

          printf ("%-18s %12" G_GINT64_FORMAT " %10s\n", entities[e]->name,
                  json_object_get_int64 (json_object_object_get (t, "rows")),
                  d ? json_object_get_string (d) : "-");
        }
      printf ("\noutbox: %" G_GINT64_FORMAT " pending, %" G_GINT64_FORMAT " acknowledged\n",
              json_object_get_int64 (json_object_object_get (root, "outbox_pending")),
              json_object_get_int64 (json_object_object_get (root, "outbox_acked")));
      printf ("audit log: %" G_GINT64_FORMAT " entries\n",
              json_object_get_int64 (json_object_object_get (root, "audit_entries")));
      printf ("file: %" G_GINT64_FORMAT " bytes (%" G_GINT64_FORMAT " per person)\n",
              page_size * page_count, persons > 0 ? page_size * page_count / persons : 0);
    }
  json_object_put (root);
  return JZ_CLI_OK;
}

/* Copies the store with SQLite's online backup API in one step: it reads
 * one snapshot, so the copy is consistent even while the app or the sync
 * writes. The copy is made beside FILE and renamed into place when
 * complete and verified, so FILE is never half written. */
int
jz_cli_cmd_backup (JzCliContext  *ctx,
                   int            argc,
                   char         **argv)
{
  g_autoptr(JzStore) store = NULL;
  g_autofree char *tmp = NULL;
  const char *target;
  sqlite3 *dest = NULL;
  sqlite3_backup *backup;
  sqlite3_stmt *stmt = NULL;
  gboolean ok;
  int rc;

  if (argc != 2)
    return jz_cli_fail (ctx, "backup: give the file to write, e.g. backup /media/usb/station-2026-05-01.db");
  target = argv[1];
  if (g_file_test (target, G_FILE_TEST_EXISTS))
    return jz_cli_fail (ctx, "backup: %s already exists; choose a new file name", target);
  store = jz_cli_open_store (ctx);
  if (store == NULL)
    return JZ_CLI_ERROR;

  tmp = g_strdup_printf ("%s.partial", target);
  g_unlink (tmp);
  rc = sqlite3_open_v2 (tmp, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      jz_cli_fail (ctx, "backup: cannot create %s: %s", tmp, dest ? sqlite3_errmsg (dest) : sqlite3_errstr (rc));
      sqlite3_close (dest);
      return JZ_CLI_ERROR;
    }
  backup = sqlite3_backup_init (dest, "main", jz_store_get_db (store), "main");
  if (backup == NULL)
    {
      jz_cli_fail (ctx, "backup: %s", sqlite3_errmsg (dest));
      sqlite3_close (dest);
      g_unlink (tmp);
      return JZ_CLI_ERROR;
    }
  do
    {
      rc = sqlite3_backup_step (backup, -1);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        g_usleep (50 * 1000);
    }
  while (rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish (backup);
  ok = rc == SQLITE_DONE;
  if (!ok)
    jz_cli_fail (ctx, "backup: copying failed: %s", sqlite3_errstr (rc));

  /* A standalone file: no -wal beside it, and checked before it counts. */
  if (ok)
    ok = sqlite3_exec (dest, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) == SQLITE_OK;
  if (ok && sqlite3_prepare_v2 (dest, "PRAGMA quick_check", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    {
      ok = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") == 0;
      if (!ok)
        jz_cli_fail (ctx, "backup: the copy does not verify: %s", sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);
  if (sqlite3_close (dest) != SQLITE_OK)
    ok = FALSE;

  if (ok && g_rename (tmp, target) != 0)
    {
      int saved = errno;
      jz_cli_fail (ctx, "backup: cannot rename %s to %s: %s", tmp, target, g_strerror (saved));
      ok = FALSE;
    }
  if (!ok)
    {
      g_unlink (tmp);
      return JZ_CLI_ERROR;
    }
  printf ("Wrote %s\n", target);
  return JZ_CLI_OK;
}
