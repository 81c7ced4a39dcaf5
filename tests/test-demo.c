/* test-demo.c: synthetic data is valid, varied and deterministic
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "jz-check.h"
#include "jz-demo.h"
#include "jz-sync-engine.h"
#include "jz-export.h"
#include "jz-idcard.h"
#include "jz-records.h"
#include "jz-search.h"
#include "jz-store.h"

/* 2026-03-01 00:00 Beijing time: tests do not depend on today. */
#define DEMO_NOW G_GINT64_CONSTANT (1772294400)

typedef struct
{
  char *dir;
} Fixture;

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
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("jz-test-demo-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  remove_tree (f->dir);
  g_free (f->dir);
}

static JzStore *
make_store (Fixture    *f,
            const char *name,
            guint       n_people,
            guint64     seed,
            gboolean    validate)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  JzStore *store = jz_store_create (path, "320481-01", "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);
  JzDemoOptions options;
  JzDemoStats stats;

  g_assert_no_error (error);
  jz_demo_options_init (&options);
  options.seed = seed;
  options.now = DEMO_NOW;
  options.validate = validate;
  options.batch = 97;   /* several transactions */
  g_assert_true (jz_demo_generate (store, n_people, &options, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.people, ==, n_people);
  g_assert_cmpuint (stats.episodes, >, n_people);
  g_assert_cmpuint (stats.rows, >, stats.episodes);
  return store;
}

static gint64
count (JzStore    *store,
       const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (jz_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static GPtrArray *
digests (JzStore *store)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  const JzEntity * const *entities;
  guint n;

  entities = jz_schema_entities (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      char *d = jz_store_table_digest (store, entities[i], &error);

      g_assert_no_error (error);
      g_ptr_array_add (out, d);
    }
  return out;
}

/* Every record passes the checks a typed write makes, and the store
 * passes `check`. */
static void
test_valid (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = make_store (f, "valid.db", 300, 7, TRUE);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  gboolean ok = jz_store_check (store, problems, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < problems->len; i++)
    g_test_message ("problem: %s", (char *) problems->pdata[i]);
  g_assert_true (ok);
}

/* Without validation the records are written many to a statement
 * (jz_store_insert_many_as_is); with it, one by one. The same records
 * either way, each captured once in the audit log, and `check` passes. */
static void
test_batched (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) one = make_store (f, "one.db", 300, 7, TRUE);
  g_autoptr(JzStore) many = make_store (f, "many.db", 300, 7, FALSE);
  g_autoptr(GPtrArray) d1 = digests (one);
  g_autoptr(GPtrArray) dm = digests (many);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  gboolean ok;

  for (guint i = 0; i < d1->len; i++)
    g_assert_cmpstr (d1->pdata[i], ==, dm->pdata[i]);
  g_assert_cmpint (count (many, "SELECT count (*) FROM audit"), ==,
                   count (one, "SELECT count (*) FROM audit"));
  g_assert_cmpint (count (many, "SELECT count (DISTINCT entity_id) FROM audit"), ==,
                   count (many, "SELECT count (*) FROM audit"));
  g_assert_cmpint (count (many, "SELECT count (*) FROM person_fts"), ==,
                   count (many, "SELECT count (*) FROM person WHERE deleted = 0"));
  /* The bulk page cache and the WAL were given back. */
  g_assert_cmpint (count (many, "PRAGMA cache_size"), ==, -16384);
  g_assert_cmpint (count (many, "SELECT count (*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), ==, 1);
  /* Each search index is left merged into one segment: its FTS5
   * structure record is a 4-byte cookie, then the number of levels and
   * of segments as varints. */
  for (guint i = 0; i < 3; i++)
    {
      static const char * const tables[] = { "person_fts_data", "person_ftx_data", "person_idn_data" };
      g_autofree char *sql = g_strdup_printf ("SELECT block FROM %s WHERE id = 10", tables[i]);
      sqlite3_stmt *stmt = NULL;
      const guint8 *block;

      g_assert_cmpint (sqlite3_prepare_v2 (jz_store_get_db (many), sql, -1, &stmt, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpint (sqlite3_column_bytes (stmt, 0), >, 6);
      block = sqlite3_column_blob (stmt, 0);
      g_assert_cmpuint (block[4], <, 0x80);
      g_assert_cmpuint (block[5], ==, 1);
      sqlite3_finalize (stmt);
    }
  ok = jz_store_check (many, problems, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < problems->len; i++)
    g_test_message ("problem: %s", (char *) problems->pdata[i]);
  g_assert_true (ok);
}

static void
test_deterministic (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(JzStore) a = make_store (f, "a.db", 400, 42, FALSE);
  g_autoptr(JzStore) b = make_store (f, "b.db", 400, 42, FALSE);
  g_autoptr(JzStore) c = make_store (f, "c.db", 400, 43, FALSE);
  g_autoptr(GPtrArray) da = digests (a);
  g_autoptr(GPtrArray) db = digests (b);
  g_autoptr(GPtrArray) dc = digests (c);
  guint same_as_c = 0;

  for (guint i = 0; i < da->len; i++)
    {
      g_assert_cmpstr (da->pdata[i], ==, db->pdata[i]);
      same_as_c += g_str_equal (da->pdata[i], dc->pdata[i]);
    }
  /* Another seed: the people differ (empty tables may agree). */
  g_assert_cmpuint (same_as_c, <, da->len / 2);
  g_assert_cmpint (count (a, "SELECT count (*) FROM person"), ==, 400);
}

static void
test_shapes (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(JzStore) s = make_store (f, "shapes.db", 3000, 1, FALSE);
  const char *statuses[] = { "screening", "admitted", "refused", "departed" };
  const char *modes[] = { "placed", "ticket", "self_return", "help_ended", "left", "escorted", "collected" };
  gint64 people = count (s, "SELECT count (*) FROM person");
  gint64 episodes = count (s, "SELECT count (*) FROM episode");
  gint64 male = count (s, "SELECT count (*) FROM person WHERE sex = 'male'");
  gint64 unnamed = count (s, "SELECT count (*) FROM person WHERE name IS NULL AND placeholder_no IS NOT NULL");
  gint64 with_id = count (s, "SELECT count (*) FROM person WHERE id_number IS NOT NULL");
  gint64 wang = count (s, "SELECT count (*) FROM person WHERE name GLOB '王*'");
  gint64 repeaters = count (s, "SELECT count (*) FROM (SELECT person_id FROM episode GROUP BY person_id HAVING count (*) >= 3)");

  g_test_message ("%" G_GINT64_FORMAT " people, %" G_GINT64_FORMAT " episodes, %" G_GINT64_FORMAT
                  " men, %" G_GINT64_FORMAT " unnamed, %" G_GINT64_FORMAT " with ID, %" G_GINT64_FORMAT
                  " 王, %" G_GINT64_FORMAT " repeaters", people, episodes, male, unnamed, with_id, wang, repeaters);
  g_assert_cmpfloat ((double) episodes / people, >, 1.3);
  g_assert_cmpfloat ((double) episodes / people, <, 1.7);
  g_assert_cmpfloat ((double) male / people, >, 0.7);
  g_assert_cmpfloat ((double) unnamed / people, >, 0.02);
  g_assert_cmpfloat ((double) unnamed / people, <, 0.1);
  g_assert_cmpfloat ((double) with_id / people, >, 0.2);
  g_assert_cmpfloat ((double) wang / people, >, 0.05);
  g_assert_cmpfloat ((double) wang / people, <, 0.1);
  g_assert_cmpint (repeaters, >, 0);
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM episode WHERE status = '%s'", statuses[i]);
      g_assert_cmpint (count (s, sql), >, 0);
    }
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM departure WHERE mode = '%s'", modes[i]);
      g_assert_cmpint (count (s, sql), >, 0);
    }
  g_assert_cmpint (count (s, "SELECT count (DISTINCT status) FROM episode "
                             "WHERE status IN ('screening', 'admitted', 'hospital', 'police')"), >=, 2);
  g_assert_cmpint (count (s, "SELECT count (*) FROM belonging"), >, 0);
  g_assert_cmpint (count (s, "SELECT count (*) FROM tracing_step"), >, 0);
  g_assert_cmpint (count (s, "SELECT count (*) FROM followup"), >, 0);
  g_assert_cmpint (count (s, "SELECT count (*) FROM staff"), >, 0);
  /* Every ID number has a right check digit. */
  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (jz_store_get_db (s), "SELECT id_number FROM person WHERE id_number IS NOT NULL",
                                         -1, &stmt, NULL), ==, SQLITE_OK);
    while (sqlite3_step (stmt) == SQLITE_ROW)
      g_assert_true (jz_idcard_is_valid ((const char *) sqlite3_column_text (stmt, 0)));
    sqlite3_finalize (stmt);
  }
  /* The demo data is searchable. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) rows = jz_search_people (s, "王", 10, 0, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (rows->len, ==, 10);
  }
  /* Logged like any data, but never queued for a hub: a demo store never
   * syncs. */
  g_assert_cmpint (count (s, "SELECT count (*) FROM audit WHERE entity = 'episode'"), ==, episodes);
  g_assert_cmpint (count (s, "SELECT count (*) FROM outbox"), ==, 0);
}

static void
test_refuses_nonempty (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) s = make_store (f, "full.db", 10, 1, FALSE);
  JzDemoOptions options;

  jz_demo_options_init (&options);
  options.now = DEMO_NOW;
  g_assert_false (jz_demo_generate (s, 10, &options, NULL, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_EXISTS);
  g_assert_cmpint (count (s, "SELECT count (*) FROM person"), ==, 10);
}

/* Made-up people must never reach the region's registry: a demo store
 * is marked, and neither enrols nor syncs. */
static void
test_never_syncs (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) s = make_store (f, "demo.db", 10, 1, FALSE);
  g_autofree char *mark = jz_store_get_meta (s, "demo");
  g_autofree char *pin = NULL;

  g_assert_cmpstr (mark, ==, "1");
  g_assert_false (jz_sync_enrol (s, "http://127.0.0.1:9", "7KQ2MXP4RT", NULL, &pin, &error));
  g_assert_error (error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_DEMO);
  g_assert_cmpint (count (s, "SELECT count (*) FROM sync_state WHERE key = 'hub_url'"), ==, 0);

  /* So nothing is queued for a hub, not even later edits; the audit log
   * still records them. */
  {
    gint64 audit = count (s, "SELECT count (*) FROM audit");

    g_clear_error (&error);
    g_assert_true (jz_store_exec (s, "UPDATE person SET dialect = 'demo' "
                                     "WHERE rowid = (SELECT min (rowid) FROM person)", &error));
    g_assert_no_error (error);
    g_assert_cmpint (count (s, "SELECT count (*) FROM audit"), ==, audit + 1);
    g_assert_cmpint (count (s, "SELECT count (*) FROM outbox"), ==, 0);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/demo/valid", test_valid);
  ADD ("/demo/deterministic", test_deterministic);
  ADD ("/demo/batched", test_batched);
  ADD ("/demo/shapes", test_shapes);
  ADD ("/demo/refuses-nonempty", test_refuses_nonempty);
  ADD ("/demo/never-syncs", test_never_syncs);
#undef ADD

  return g_test_run ();
}
