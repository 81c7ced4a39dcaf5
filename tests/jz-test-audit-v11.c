/* jz-test-audit-v11.c: a store's audit log as schema 11 kept it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <sqlite3.h>
#include <string.h>

#include "jz-audit.h"
#include "jz-test-audit-v11.h"

static void
exec_ok (sqlite3    *db,
         const char *sql)
{
  char *msg = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error ("%s: %s", sql, msg);
}

static const char table_v11[] =
  "CREATE TABLE %s ("
  "  seq          INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  at           INTEGER NOT NULL,"
  "  actor        TEXT,"
  "  device       INTEGER NOT NULL,"
  "  entity       TEXT NOT NULL,"
  "  entity_id    TEXT NOT NULL,"
  "  op           TEXT NOT NULL CHECK (op = 'insert' OR op = 'update' OR op = 'delete'),"
  "  fields_json  BLOB NOT NULL,"
  "  prev_hash    BLOB NOT NULL,"
  "  hash         BLOB NOT NULL"
  ") STRICT";

void
jz_test_audit_to_v11 (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *read = NULL;
  sqlite3_stmt *write = NULL;
  guint8 prev[JZ_AUDIT_HASH_LEN] = { 0, };
  char *create;

  /* A plain connection, as the view `audit` needs no Jiuzhu function. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  exec_ok (db, "BEGIN");
  create = g_strdup_printf (table_v11, "audit_v11");
  exec_ok (db, create);
  g_clear_pointer (&create, g_free);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT seq, at, actor, device, entity, entity_id, op, fields_json "
                                           "FROM audit ORDER BY seq", -1, &read, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO audit_v11 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                                       -1, &write, NULL), ==, SQLITE_OK);
  while (sqlite3_step (read) == SQLITE_ROW)
    {
      guint8 hash[JZ_AUDIT_HASH_LEN];
      g_autofree char *fields = jz_audit_unpack (sqlite3_column_blob (read, 7), sqlite3_column_bytes (read, 7));

      g_assert_nonnull (fields);
      jz_audit_compute_hash (prev, sizeof prev,
                             sqlite3_column_int64 (read, 1),
                             (const char *) sqlite3_column_text (read, 2),
                             sqlite3_column_int64 (read, 3),
                             (const char *) sqlite3_column_text (read, 4),
                             (const char *) sqlite3_column_text (read, 5),
                             (const char *) sqlite3_column_text (read, 6),
                             fields, hash);
      for (int i = 0; i < 8; i++)
        sqlite3_bind_value (write, i + 1, sqlite3_column_value (read, i));
      sqlite3_bind_blob (write, 9, prev, 4, SQLITE_TRANSIENT);
      sqlite3_bind_blob (write, 10, hash, sizeof hash, SQLITE_TRANSIENT);
      g_assert_cmpint (sqlite3_step (write), ==, SQLITE_DONE);
      sqlite3_reset (write);
      memcpy (prev, hash, sizeof prev);
    }
  sqlite3_finalize (read);
  sqlite3_finalize (write);

  /* Copied, not renamed: renaming rereads every trigger, and the
   * triggers name audit_log (they are reinstalled when the store opens). */
  exec_ok (db, "DROP VIEW audit; DROP TABLE audit_log; DROP TABLE audit_table");
  create = g_strdup_printf (table_v11, "audit");
  exec_ok (db, create);
  g_free (create);
  exec_ok (db,
    "INSERT INTO audit SELECT * FROM audit_v11 ORDER BY seq;"
    "DROP TABLE audit_v11;"
    "CREATE INDEX audit_entity ON audit (entity_id);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
    "BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
    "BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;"
    "COMMIT");
  sqlite3_close (db);
}
