/* test-audit.c: the audit log detects tampering; migrations; backup
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "jz-actions.h"
#include "jz-audit.h"
#include "jz-check.h"
#include "jz-cli.h"
#include "jz-records.h"
#include "jz-store.h"
#include "jz-test-audit-v11.h"

typedef struct
{
  char    *dir;
  char    *path;
  JzStore *store;
  char    *person_id;
  char    *other_person_id;
} Fixture;

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static JzPerson *
make_person (const char *name)
{
  JzPerson *p = jz_person_new ();

  p->name = g_strdup (name);
  p->sex = g_strdup ("female");
  return p;
}

static void
fill (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  jz_store_set_actor (f->store, "0190a0b0-0000-7000-8000-000000000007");
  for (int i = 0; i < 4; i++)
    {
      g_autoptr(JzPerson) p = make_person (i % 2 ? "何静" : "罗敏");
      g_autoptr(JzEpisode) e = jz_episode_new ();
      g_autoptr(JzBelonging) b = jz_belonging_new ();
      JzBelonging *items[] = { b };

      e->admitted_at = now_s () - 86400 + i;
      e->source = g_strdup ("walk_in");
      b->item = g_strdup ("雨伞");
      g_assert_true (jz_store_register_intake (f->store, p, e, items, 1, &error));
      g_assert_no_error (error);
      g_free (p->dialect);
      p->dialect = g_strdup ("四川话");
      g_assert_true (jz_store_update_person (f->store, p, &error));
      g_assert_no_error (error);
      if (i == 0)
        f->person_id = g_strdup (p->rec.id);
    }
  {
    g_autoptr(JzPerson) p = make_person ("唐亮");
    g_assert_true (jz_store_insert_person (f->store, p, &error));
    f->other_person_id = g_strdup (p->rec.id);
  }
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *profile_dir = NULL;

  f->dir = g_dir_make_tmp ("jz-test-audit-XXXXXX", &error);
  g_assert_no_error (error);
  profile_dir = g_build_filename (f->dir, "default", NULL);
  g_mkdir (profile_dir, 0700);
  f->path = g_build_filename (profile_dir, "station.db", NULL);
  f->store = jz_store_create (f->path, "320481-01", "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);
  g_assert_no_error (error);
  fill (f);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);

      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        remove_tree (p);
      else
        g_unlink (p);
    }
  g_rmdir (dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
  g_free (f->person_id);
  g_free (f->other_person_id);
}

/* Runs check; returns the problems found (empty when fine). */
static GPtrArray *
run_check (JzStore *store)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  gboolean ok = jz_store_check (store, problems, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (ok == (problems->len == 0));
  for (guint i = 0; i < problems->len; i++)
    g_test_message ("problem: %s", (char *) problems->pdata[i]);
  return problems;
}

static gboolean
any_contains (GPtrArray  *problems,
              const char *needle)
{
  for (guint i = 0; i < problems->len; i++)
    if (strstr (problems->pdata[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

/* What someone with the sqlite3 shell would do: a plain connection
 * without Jiuzhu's functions. */
static void
raw_exec (Fixture    *f,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *msg = NULL;

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error ("%s: %s", sql, msg);
  sqlite3_close (db);
}

/* Drops every trigger on @table, as a tamperer must: the triggers call
 * functions a plain connection does not have. */
static void
raw_drop_triggers (Fixture    *f,
                   const char *table)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?1",
                      -1, &stmt, NULL);
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *sql = g_strdup_printf ("DROP TRIGGER \"%s\"", (char *) names->pdata[i]);
      g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    }
  sqlite3_close (db);
}

static int
raw_exec_rc (Fixture    *f,
             const char *sql,
             char      **msg_out)
{
  sqlite3 *db = NULL;
  char *msg = NULL;
  int rc;

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  rc = sqlite3_exec (db, sql, NULL, NULL, &msg);
  *msg_out = g_strdup (msg);
  sqlite3_free (msg);
  sqlite3_close (db);
  return rc;
}

static int
cli (Fixture    *f,
     const char *command,
     const char *arg)
{
  char *argv[] = { (char *) "jiuzhu-cli", (char *) "--profile", (char *) "default",
                   (char *) command, (char *) arg, NULL };

  g_setenv ("JIUZHU_DATA_DIR", f->dir, TRUE);
  return jz_cli_main (arg ? 5 : 4, argv);
}

static void
test_clean (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = run_check (f->store);

  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_cmpint (cli (f, "check", NULL), ==, JZ_CLI_OK);
  g_assert_cmpint (cli (f, "stats", "--json"), ==, JZ_CLI_OK);
}

/* Every audited table has its frozen number, the same in audit_table as
 * in the code that writes the triggers. */
static void
test_table_numbers (Fixture       *f,
                    gconstpointer  data)
{
  guint n_entities;
  const JzEntity * const *entities = jz_schema_entities (&n_entities);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (jz_store_get_db (f->store),
                                       "SELECT n FROM audit_table WHERE name = ?1", -1, &stmt, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < n_entities; i++)
    {
      guint n = jz_audit_table_number (entities[i]->name);

      if (!(entities[i]->flags & JZ_ENTITY_AUDITED))
        continue;
      g_assert_cmpuint (n, !=, 0);
      sqlite3_bind_text (stmt, 1, entities[i]->name, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, n);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (jz_audit_table_number ("audit"), ==, 0);
}

static void
test_append_only (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (jz_store_exec (f->store, "UPDATE audit_log SET actor = NULL WHERE seq = 1", &error));
  g_assert_nonnull (strstr (error->message, "append-only"));
  g_clear_error (&error);
  g_assert_false (jz_store_exec (f->store, "DELETE FROM audit_log WHERE seq = 1", &error));
  g_assert_nonnull (strstr (error->message, "append-only"));
  g_clear_error (&error);
  /* The tables' numbers are part of what the entries say. */
  g_assert_false (jz_store_exec (f->store, "UPDATE audit_table SET name = 'room' WHERE n = 4", &error));
  g_assert_nonnull (strstr (error->message, "append-only"));
  g_clear_error (&error);
  g_assert_false (jz_store_exec (f->store, "DELETE FROM audit_table WHERE n = 4", &error));
  g_assert_nonnull (strstr (error->message, "append-only"));
}

/* A shell cannot even write a synced table without Jiuzhu's functions. */
static void
test_shell_write_refused (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *msg = NULL;
  g_autofree char *sql = g_strdup_printf ("UPDATE person SET name = '假名' WHERE id = '%s'", f->person_id);

  g_assert_cmpint (raw_exec_rc (f, sql, &msg), !=, SQLITE_OK);
  g_assert_nonnull (strstr (msg, "jz_"));
}

static void
test_edited_entry (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = NULL;

  raw_exec (f, "DROP TRIGGER audit_log_no_update;"
               "UPDATE audit_log SET fields = CAST ('{\"name\":\"罗某\"}' AS BLOB) WHERE seq = 1");
  problems = run_check (f->store);
  g_assert_true (any_contains (problems, "entry 1 does not match its hash"));
  g_assert_cmpint (cli (f, "check", NULL), ==, JZ_CLI_FOUND);
}

static void
test_edited_actor (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = NULL;

  raw_exec (f, "DROP TRIGGER audit_log_no_update;"
               "UPDATE audit_log SET actor = '0190a0b0-0000-7000-8000-000000000999' WHERE seq = 3");
  problems = run_check (f->store);
  g_assert_true (any_contains (problems, "entry 3 does not match its hash"));
}

/* Editing an entry and recomputing its hash breaks the next link. */
static void
test_rehashed_entry (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = NULL;
  sqlite3 *db = jz_store_get_db (f->store);

  /* Use Jiuzhu's own hash function to forge entry 2 consistently. */
  g_assert_cmpint (sqlite3_exec (db,
    "DROP TRIGGER audit_log_no_update;"
    "UPDATE audit_log SET device = 99, hash = jz_audit_hash ((SELECT hash FROM audit_log WHERE seq = 1), "
    "  at, jz_uuid_text (actor), 99, (SELECT name FROM audit_table WHERE n = entity), "
    "  jz_uuid_text (entity_id), CASE op WHEN 1 THEN 'insert' WHEN 2 THEN 'update' ELSE 'delete' END, "
    "  jz_audit_json (fields)) WHERE seq = 2",
    NULL, NULL, NULL), ==, SQLITE_OK);
  problems = run_check (f->store);
  g_assert_false (any_contains (problems, "entry 2 "));
  g_assert_true (any_contains (problems, "entry 3 does not match its hash"));
}

static void
test_deleted_entry (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = NULL;

  raw_exec (f, "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 4");
  problems = run_check (f->store);
  g_assert_true (any_contains (problems, "entries 4–4 are missing"));
  g_assert_true (any_contains (problems, "entry 5 does not match its hash"));
}

static void
test_deleted_tail (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = NULL;

  raw_exec (f, "DROP TRIGGER audit_log_no_delete;"
               "DELETE FROM audit_log WHERE seq = (SELECT max (seq) FROM audit_log)");
  problems = run_check (f->store);
  g_assert_true (any_contains (problems, "newest entries were deleted"));
  g_assert_true (any_contains (problems, "no audit history"));
}

static void
test_row_changed_behind_back (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *sql = g_strdup_printf ("UPDATE person SET name = '假名' WHERE id = '%s'", f->person_id);

  raw_drop_triggers (f, "person");
  raw_exec (f, sql);
  problems = run_check (f->store);
  g_assert_true (any_contains (problems, "changed behind the log's back"));
  g_assert_true (any_contains (problems, f->person_id));
  g_assert_true (any_contains (problems, "trigger jz_person_au is missing"));
  g_assert_cmpint (cli (f, "check", NULL), ==, JZ_CLI_FOUND);
}

/* Putting the trigger back afterwards does not hide the change. */
static void
test_row_changed_triggers_restored (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("UPDATE person SET flags = 8 WHERE id = '%s'", f->person_id);

  raw_drop_triggers (f, "person");
  raw_exec (f, sql);
  /* Reopening reinstalls the missing trigger. */
  g_clear_object (&f->store);
  f->store = jz_store_open (f->path, &error);
  g_assert_no_error (error);
  problems = run_check (f->store);
  g_assert_false (any_contains (problems, "trigger"));
  g_assert_true (any_contains (problems, "changed behind the log's back"));
}

static void
test_row_inserted_behind_back (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = NULL;

  raw_drop_triggers (f, "person");
  raw_exec (f, "INSERT INTO person (id, station, hlc, name) "
               "VALUES ('0190a0b0-0000-7000-8000-0000000000ff', '320481-01', 1, '幽灵')");
  problems = run_check (f->store);
  g_assert_true (any_contains (problems, "no audit history"));
}

static void
test_row_deleted_behind_back (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *sql = g_strdup_printf ("DELETE FROM person WHERE id = '%s'", f->other_person_id);

  raw_drop_triggers (f, "person");
  raw_exec (f, sql);
  problems = run_check (f->store);
  g_assert_true (any_contains (problems, "removed behind the log's back"));
}

static void
test_outbox_tampered (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = NULL;

  raw_exec (f, "UPDATE outbox SET acked = 1 WHERE seq = 3;"
               "UPDATE sqlite_sequence SET seq = 1 WHERE name = 'outbox'");
  problems = run_check (f->store);
  g_assert_true (any_contains (problems, "acknowledged but the earlier change"));
  g_assert_true (any_contains (problems, "sequence counter"));
}

/* A store made by a program that knew only schema 1 is upgraded in one
 * transaction, and the result is indistinguishable from a new one. */
static void
test_migrate_from_1 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jz-test-migrate-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "station.db", NULL);
  g_autoptr(JzStore) store = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JzPerson) p = make_person ("老用户");
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
    "PRAGMA application_id = 1247430741;"   /* JZHU */
    "PRAGMA journal_mode = WAL;"
    "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) STRICT;"
    "INSERT INTO meta VALUES ('station_code', '320481-01'), ('station_name', '旧站'),"
    "  ('station_level', 'county'), ('epoch', '0190a0b0-0000-7000-8000-0000000000e1'),"
    "  ('created_at', '2026-01-01T00:00:00Z');"
    "PRAGMA user_version = 1;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_cmpint (JZ_STORE_APPLICATION_ID, ==, 1247430741);

  store = jz_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (jz_store_get_schema_version (store), ==, jz_store_get_code_schema_version ());
  g_assert_cmpstr (jz_store_get_station_name (store), ==, "旧站");
  g_assert_true (jz_store_insert_person (store, p, &error));
  g_assert_no_error (error);
  g_assert_true (jz_store_check (store, problems, NULL, &error));
  g_assert_cmpuint (problems->len, ==, 0);
  g_clear_object (&store);

  /* Opening again changes nothing (no second migration). */
  store = jz_store_open (path, &error);
  g_assert_no_error (error);
  g_clear_object (&store);
  remove_tree (dir);
}

/* A failed upgrade leaves the file exactly as it was. */
static void
test_migration_failure_leaves_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jz-test-migrate-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "station.db", NULL);
  g_autoptr(JzStore) store = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  /* A table in the way of migration 2 makes it fail half-way. */
  g_assert_cmpint (sqlite3_exec (db,
    "PRAGMA application_id = 1247430741;"
    "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) STRICT;"
    "INSERT INTO meta VALUES ('station_code', '320481-01'), ('station_name', '旧站'),"
    "  ('station_level', 'county'), ('epoch', '0190a0b0-0000-7000-8000-0000000000e1');"
    "CREATE TABLE referral (x INTEGER);"
    "PRAGMA user_version = 1;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = jz_store_open (path, &error);
  g_assert_null (store);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_prepare_v2 (db, "SELECT (SELECT user_version FROM pragma_user_version), "
                          "(SELECT count(*) FROM sqlite_master WHERE name = 'person')", -1, &stmt, NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
  g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  remove_tree (dir);
}

/* The backup holds what was committed, even while a write is open. */
static void
test_backup_while_writing (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *target = g_build_filename (f->dir, "backup.db", NULL);
  g_autoptr(JzStore) copy = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JzPerson) p = make_person ("未提交");
  gint64 persons;
  sqlite3_stmt *stmt = NULL;

  g_assert_true (jz_store_write_begin (f->store, &error));
  g_assert_true (jz_store_insert_person (f->store, p, &error));

  g_assert_cmpint (cli (f, "backup", target), ==, JZ_CLI_OK);
  g_assert_cmpint (cli (f, "backup", target), ==, JZ_CLI_ERROR);  /* never overwrites */
  g_assert_false (jz_store_write_end (f->store, FALSE, NULL));

  copy = jz_store_open (target, &error);
  g_assert_no_error (error);
  g_assert_true (jz_store_check (copy, problems, NULL, &error));
  sqlite3_prepare_v2 (jz_store_get_db (copy), "SELECT count(*) FROM person", -1, &stmt, NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  persons = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  g_assert_cmpint (persons, ==, 5);
}

/* jz_row() writes the JSON that is hashed and sent: its exact text. */
static void
test_row_json (Fixture       *f,
               gconstpointer  data)
{
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (jz_store_get_db (f->store),
    "SELECT jz_row ('a', 'x\"y\\z' || char (10) || char (9) || char (13) || char (1) || '末', "
    "'b', -9223372036854775807 - 1, 'c', 0, 'd', NULL, 'e', 1.5, 'f', 9223372036854775807, 'g', '')",
    -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==,
                   "{\"a\":\"x\\\"y\\\\z\\n\\t\\r\\u0001末\",\"b\":-9223372036854775808,\"c\":0,"
                   "\"e\":1.5,\"f\":9223372036854775807,\"g\":\"\"}");
  sqlite3_finalize (stmt);
}

static gint64
count_sql (JzStore    *store,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (jz_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* The whole log as text, an entry a line, as the view `audit` shows it. */
static char *
log_text (JzStore *store)
{
  GString *s = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (jz_store_get_db (store),
                                       "SELECT seq, at, actor, device, entity, entity_id, op, "
                                       "       jz_audit_json (fields_json) FROM audit ORDER BY seq",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int i = 0; i < 8; i++)
        g_string_append_printf (s, "%s%s", i ? "|" : "",
                                sqlite3_column_type (stmt, i) == SQLITE_NULL
                                  ? "NULL" : (const char *) sqlite3_column_text (stmt, i));
      g_string_append_c (s, '\n');
    }
  sqlite3_finalize (stmt);
  return g_string_free (s, FALSE);
}

/* Migration 0012 moves a log kept as schema 11 kept it into audit_log:
 * every entry reads back the same, the old entries' whole hashes still
 * verify, new entries chain on with 16 bytes, and an old entry edited is
 * still caught. */
static void
test_migrate_from_11 (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) clean = NULL;
  g_autoptr(GPtrArray) still_clean = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(JzPerson) p = make_person ("郑洁");
  g_autofree char *before = log_text (f->store);
  g_autofree char *after = NULL;
  gint64 entries = count_sql (f->store, "SELECT count (*) FROM audit");

  g_assert_cmpint (entries, >, 10);
  g_clear_object (&f->store);
  jz_test_audit_to_v11 (f->path);
  raw_exec (f, "PRAGMA user_version = 11");

  f->store = jz_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (jz_store_get_schema_version (f->store), ==, jz_store_get_code_schema_version ());
  after = log_text (f->store);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (count_sql (f->store, "SELECT count (*) FROM audit_log WHERE length (hash) = 32"), ==, entries);
  g_assert_cmpint (count_sql (f->store, "SELECT count (*) FROM sqlite_master WHERE name = 'audit' AND type = 'view'"),
                   ==, 1);
  clean = run_check (f->store);
  g_assert_cmpuint (clean->len, ==, 0);

  jz_store_set_actor (f->store, "0190a0b0-0000-7000-8000-000000000007");
  g_assert_true (jz_store_insert_person (f->store, p, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_sql (f->store, "SELECT count (*) FROM audit_log WHERE length (hash) = 16"), ==, 1);
  g_assert_cmpint (count_sql (f->store, "SELECT count (*) FROM audit_log WHERE typeof (entity_id) = 'blob' "
                                        "AND length (entity_id) = 16 AND typeof (actor) = 'blob'"), ==, entries + 1);
  still_clean = run_check (f->store);
  g_assert_cmpuint (still_clean->len, ==, 0);

  raw_exec (f, "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET at = at + 1 WHERE seq = 2");
  problems = run_check (f->store);
  g_assert_true (any_contains (problems, "entry 2 does not match its hash"));
  g_assert_false (any_contains (problems, "entry 1 "));
}

/* What the triggers store for @json (jz_audit_pack on a store connection). */
static GBytes *
pack_sql (JzStore    *store,
          const char *json)
{
  sqlite3_stmt *stmt = NULL;
  GBytes *bytes;

  g_assert_cmpint (sqlite3_prepare_v2 (jz_store_get_db (store), "SELECT jz_audit_pack (?1)", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, json, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  bytes = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  sqlite3_finalize (stmt);
  return bytes;
}

/* Every entry reads back as exactly the JSON text that was hashed, in
 * whichever form it was stored; the usual rows are stored as tokens
 * (format 2), anything else deflated (format 1) or as text. */
static void
test_pack_round_trip (Fixture       *f,
                      gconstpointer  data)
{
  static const struct { const char *json; guint8 format; } cases[] = {
    { "{\"name\":\"吕浩中\",\"name_quality\":\"full\",\"sex\":\"male\",\"ethnicity\":1,"
      "\"birth_date\":\"1991-02-04\",\"birth_precision\":\"exact\",\"id_number\":\"41092619910204409X\","
      "\"hukou_region\":\"410926\",\"dialect\":\"中原官话\",\"identity_status\":\"verified\",\"dibao\":\"dibao\"}", 0x02 },
    { "{\"number\":\"320481-01-2023-000001\",\"person_id\":\"01941f29-7c00-704e-8ae9-a2b80d65511d\","
      "\"admitted_at\":1699066993,\"source\":\"walk_in\",\"refusal_reason\":\"有固定住所和收入，不符合救助条件\","
      "\"in_station\":1,\"health\":1,\"stay_deadline\":1699977599,\"status\":\"refused\"}", 0x02 },
    /* numbers: small, the edges of one byte, negative, 18 and 19 digits,
     * not canonical, real */
    { "{\"qty\":0,\"a\":127,\"b\":128,\"c\":-1,\"d\":-9223372036854775807,\"e\":999999999999999999,"
      "\"f\":9223372036854775807,\"g\":-0,\"h\":007,\"latitude\":31.25,\"longitude\":-1e-07}", 0x02 },
    /* cleared fields, keys and values outside the dictionary, escapes, an
     * upper-case and a malformed UUID, digits of odd length, empty strings */
    { "{\"note\":null,\"unknown_column\":\"walk_in\",\"\":\"\",\"item\":\"a\\\"b\\\\c\\n\\u0001\","
      "\"owner_id\":\"01941F29-7C00-704E-8AE9-A2B80D65511D\",\"x\":\"01941f29-7c00-704e-8ae9-a2b80d65511\","
      "\"y\":\"01941f29x7c00-704e-8ae9-a2b80d65511d\",\"z\":\"123\",\"t\":\"2026-11-23T08:00:00\",\"w\":\"X\"}", 0x02 },
    { "{}", 0x02 },
    /* Not a flat object of numbers, strings and nulls: deflated. */
    { "{\"aliases\":[\"老王\",\"王二\"],\"active\":true,\"name\":\"王某某\",\"description\":\"穿蓝色外套\"}", 0x01 },
    { "{\"name\":\"王某某\",\"description\":\"穿蓝色外套，左手有疤\"", 0x01 },
    /* Short and not packable: kept as text. */
    { "{\"a\":[1]}", '{' },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) packed = pack_sql (f->store, cases[i].json);
      gsize len;
      const guint8 *bytes = g_bytes_get_data (packed, &len);
      g_autofree char *back = jz_audit_unpack (bytes, len);

      g_test_message ("case %u: %zu bytes of JSON, %zu stored", i, strlen (cases[i].json), len);
      g_assert_cmpstr (back, ==, cases[i].json);
      g_assert_cmpint (bytes[0], ==, cases[i].format);
      if (cases[i].format != '{')
        g_assert_cmpuint (len, <, strlen (cases[i].json));

      /* A cut entry never reads past its end. */
      for (gsize cut = 1; cut < len; cut++)
        g_free (jz_audit_unpack (bytes, cut));
    }
  /* Damaged tokens: an unknown tag, a key number past the dictionary. */
  {
    static const guint8 bad_tag[] = { 0x02, 0x00, 0x07 };
    static const guint8 bad_key[] = { 0x02, 0xfe, 0x80 };
    static const guint8 long_string[] = { 0x02, 0x00, 0x02, 0x10, 'a' };

    g_assert_null (jz_audit_unpack (bad_tag, sizeof bad_tag));
    g_assert_null (jz_audit_unpack (bad_key, sizeof bad_key));
    g_assert_null (jz_audit_unpack (long_string, sizeof long_string));
  }
}

/* The rows this fixture wrote were packed as tokens, and a damaged one is
 * reported. */
static void
test_damaged_tokens (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (jz_store_get_db (f->store),
                                       "SELECT count (*) FROM audit WHERE substr (fields_json, 1, 1) <> x'02'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, 0);
  sqlite3_finalize (stmt);

  raw_exec (f, "DROP TRIGGER audit_log_no_update;"
               "UPDATE audit_log SET fields = x'020007' WHERE seq = 2");
  problems = run_check (f->store);
  g_assert_true (any_contains (problems, "entry 2 has unreadable fields"));
}

/* The chain's hash is SHA-256 of the previous hash, the time, the actor
 * (0x1e when none) and the device, entity, id, operation and fields, each
 * after a 0x1f: stores written before the hash moved to nettle verify, and
 * the hash is the one GChecksum gives. */
static void
test_hash_is_sha256 (void)
{
  guint8 prev[JZ_AUDIT_HASH_LEN];
  guint8 ours[JZ_AUDIT_HASH_LEN];
  guint8 theirs[JZ_AUDIT_HASH_LEN];
  g_autoptr(GString) fields = g_string_new ("{\"name\":\"张伟\"");

  for (guint i = 0; i < sizeof prev; i++)
    prev[i] = (guint8) (i * 7 + 1);
  /* Fields long enough to cross several 64-byte blocks. */
  for (guint i = 0; i < 40; i++)
    g_string_append_printf (fields, ",\"k%u\":%u", i, i * i);
  g_string_append_c (fields, '}');

  for (guint with_actor = 0; with_actor < 2; with_actor++)
    {
      g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
      const char *actor = with_actor ? "01941f29-7c00-700a-9a90-2783287063da" : NULL;
      g_autofree char *text = NULL;
      gsize len = sizeof theirs;

      jz_audit_compute_hash (prev, sizeof prev, 1795000000123, actor, 42, "person",
                             "01941f29-7c00-76f9-a4f5-16d612995a08", "insert", fields->str, ours);
      text = g_strdup_printf ("1795000000123\x1f%s\x1f" "42\x1fperson\x1f"
                              "01941f29-7c00-76f9-a4f5-16d612995a08\x1finsert\x1f%s",
                              actor ? actor : "\x1e", fields->str);
      g_checksum_update (sum, prev, sizeof prev);
      g_checksum_update (sum, (const guchar *) text, -1);
      g_checksum_get_digest (sum, theirs, &len);
      g_assert_cmpmem (ours, sizeof ours, theirs, len);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add ("/audit/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("clean", test_clean);
  ADD ("append-only", test_append_only);
  ADD ("table-numbers", test_table_numbers);
  ADD ("shell-write-refused", test_shell_write_refused);
  ADD ("edited-entry", test_edited_entry);
  ADD ("edited-actor", test_edited_actor);
  ADD ("rehashed-entry", test_rehashed_entry);
  ADD ("deleted-entry", test_deleted_entry);
  ADD ("deleted-tail", test_deleted_tail);
  ADD ("row-changed", test_row_changed_behind_back);
  ADD ("row-changed-triggers-restored", test_row_changed_triggers_restored);
  ADD ("row-inserted", test_row_inserted_behind_back);
  ADD ("row-deleted", test_row_deleted_behind_back);
  ADD ("outbox-tampered", test_outbox_tampered);
  ADD ("backup-while-writing", test_backup_while_writing);
  ADD ("pack-round-trip", test_pack_round_trip);
  ADD ("damaged-tokens", test_damaged_tokens);
  ADD ("migrate-from-11", test_migrate_from_11);
  ADD ("row-json", test_row_json);
#undef ADD
  g_test_add_func ("/audit/hash-is-sha256", test_hash_is_sha256);
  g_test_add_func ("/audit/migrate-from-1", test_migrate_from_1);
  g_test_add_func ("/audit/migration-failure-leaves-file", test_migration_failure_leaves_file);
  return g_test_run ();
}
