/* test-foundation.c: profiles, station codes, regions, store lifecycle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "jz-profile.h"
#include "jz-regions.h"
#include "jz-station.h"
#include "jz-store.h"
#include "jz-uuid.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("jz-foundation-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  g_setenv ("JIUZHU_DATA_DIR", f->dir, TRUE);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_remove (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      remove_tree (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->dir);
}

static char *
file_digest (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) contents, len);
}

static void
test_profile_paths (Fixture *f, gconstpointer data)
{
  g_autofree char *path = jz_profile_db_path ("outreach-laptop");
  g_autofree char *expected = g_build_filename (f->dir, "outreach-laptop", "station.db", NULL);

  g_assert_cmpstr (path, ==, expected);
  g_assert_true (jz_profile_name_is_valid ("default"));
  g_assert_true (jz_profile_name_is_valid ("county_2"));
  g_assert_false (jz_profile_name_is_valid (""));
  g_assert_false (jz_profile_name_is_valid (".."));
  g_assert_false (jz_profile_name_is_valid ("a/b"));
  g_assert_false (jz_profile_name_is_valid ("张"));
}

static void
test_profile_unwritable (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_build_filename (f->dir, "a-file", NULL);
  g_autofree char *below = g_build_filename (file, "data", NULL);

  /* A data dir below a regular file cannot be made, even by root. */
  g_assert_true (g_file_set_contents (file, "x", 1, NULL));
  g_setenv ("JIUZHU_DATA_DIR", below, TRUE);
  g_assert_false (jz_profile_ensure_dir ("default", &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, below));
}

static void
test_regions (void)
{
  const JzRegion *r;
  g_autofree char *full = NULL;

  g_assert_cmpuint (jz_regions_count (), >, 6000);

  r = jz_regions_lookup ("320582");
  g_assert_nonnull (r);
  g_assert_cmpstr (r->name, ==, "张家港市");
  g_assert_false (r->abolished);
  g_assert_cmpint (r->level, ==, JZ_REGION_LEVEL_COUNTY);
  g_assert_cmpstr (r->parent, ==, "320500");

  r = jz_regions_lookup ("110104");
  g_assert_nonnull (r);
  g_assert_cmpstr (r->name, ==, "宣武区");
  g_assert_true (r->abolished);

  g_assert_null (jz_regions_lookup ("999999"));
  g_assert_null (jz_regions_lookup ("12345"));
  g_assert_null (jz_regions_lookup (NULL));

  full = jz_regions_full_name ("320582");
  g_assert_cmpstr (full, ==, "江苏省 苏州市 张家港市");
}

static void
test_station_codes (void)
{
  const struct { const char *code; gboolean ok; const char *says; } cases[] = {
    { "320481-01", TRUE, NULL },
    { "320500-02", TRUE, NULL },   /* a city hub */
    { "", FALSE, "empty" },
    { "32048101", FALSE, "form" },
    { "320481-1", FALSE, "form" },
    { "32048a-01", FALSE, "digit" },
    { "320481-00", FALSE, "01 to 99" },
    { "999999-01", FALSE, "not a GB/T 2260" },
    { "320000-01", FALSE, "province" },
    { "320482-01", FALSE, "abolished" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = jz_station_code_validate (cases[i].code, &error);

      g_assert_cmpint (ok, ==, cases[i].ok);
      if (!ok)
        {
          g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
          if (strstr (error->message, cases[i].says) == NULL)
            g_error ("“%s”: “%s” does not say “%s”", cases[i].code, error->message, cases[i].says);
        }
    }
}

static void
test_uuid (void)
{
  char prev[37] = "";

  for (int i = 0; i < 10000; i++)
    {
      char id[37];

      jz_uuid_v7_generate (id);
      g_assert_true (jz_uuid_is_valid (id));
      g_assert_cmpint (id[14], ==, '7');
      g_assert_cmpint (strcmp (prev, id), <, 0);  /* time-ordered */
      memcpy (prev, id, sizeof id);
    }
  g_assert_cmpint (ABS (jz_uuid_v7_get_ms (prev) - g_get_real_time () / 1000), <, 60000);
  g_assert_false (jz_uuid_is_valid ("not-a-uuid"));
}

static void
test_store_create_open (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = NULL;
  g_autoptr(JzStore) again = NULL;
  g_autofree char *path = NULL;
  g_autofree char *epoch = NULL;

  g_assert_true (jz_profile_ensure_dir ("default", &error));
  g_assert_no_error (error);
  path = jz_profile_db_path ("default");

  store = jz_store_create (path, "320481-01", "  溧阳市救助管理站 ", JZ_STATION_LEVEL_COUNTY, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (jz_store_get_station_code (store), ==, "320481-01");
  g_assert_cmpstr (jz_store_get_station_name (store), ==, "溧阳市救助管理站");
  g_assert_cmpint (jz_store_get_station_level (store), ==, JZ_STATION_LEVEL_COUNTY);
  g_assert_cmpint (jz_store_get_schema_version (store), ==, jz_store_get_code_schema_version ());
  g_assert_true (jz_uuid_is_valid (jz_store_get_epoch (store)));
  epoch = g_strdup (jz_store_get_epoch (store));
  g_clear_object (&store);

  /* The temporary file used while creating is gone. */
  {
    g_autofree char *tmp = g_strdup_printf ("%s.new", path);
    g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
  }

  again = jz_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (jz_store_get_epoch (again), ==, epoch);

  /* Creating over an existing store is refused. */
  g_assert_null (jz_store_create (path, "320481-02", "x", JZ_STATION_LEVEL_HUB, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_EXISTS);
}

static void
test_store_bad_input (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "s.db", NULL);

  g_assert_null (jz_store_create (path, "999999-01", "x", JZ_STATION_LEVEL_COUNTY, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (jz_store_create (path, "320481-01", "   ", JZ_STATION_LEVEL_COUNTY, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_assert_null (jz_store_open (path, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_NOT_FOUND);
}

static void
test_store_foreign_file (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_build_filename (f->dir, "notes.db", NULL);
  g_autofree char *other = g_build_filename (f->dir, "other.db", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  sqlite3 *db = NULL;

  /* Not SQLite at all. */
  g_assert_true (g_file_set_contents (text, "This is a text file, not a database. It is long enough to have a header.", -1, NULL));
  before = file_digest (text);
  g_assert_null (jz_store_open (text, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_NOT_A_STORE);
  g_assert_nonnull (strstr (error->message, "not a Jiuzhu store"));
  after = file_digest (text);
  g_assert_cmpstr (before, ==, after);
  g_clear_error (&error);
  g_clear_pointer (&before, g_free);
  g_clear_pointer (&after, g_free);

  /* SQLite, but somebody else's. */
  g_assert_cmpint (sqlite3_open (other, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE t (x); INSERT INTO t VALUES (1);", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  before = file_digest (other);
  g_assert_null (jz_store_open (other, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_NOT_A_STORE);
  after = file_digest (other);
  g_assert_cmpstr (before, ==, after);
  {
    g_autofree char *wal = g_strdup_printf ("%s-wal", other);
    g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  }
}

static void
test_store_too_new (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = NULL;
  g_autofree char *path = g_build_filename (f->dir, "s.db", NULL);
  g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %d", jz_store_get_code_schema_version () + 1);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  sqlite3 *db = NULL;

  store = jz_store_create (path, "320481-01", "溧阳", JZ_STATION_LEVEL_COUNTY, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  before = file_digest (path);
  g_assert_null (jz_store_open (path, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_TOO_NEW);
  g_assert_nonnull (strstr (error->message, "newer version"));
  after = file_digest (path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_store_migrates_from_v1 (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = NULL;
  g_autofree char *path = g_build_filename (f->dir, "v1.db", NULL);
  g_autofree char *sql = g_strdup_printf ("PRAGMA application_id = %d", JZ_STORE_APPLICATION_ID);
  sqlite3 *db = NULL;

  /* A store as version 1 of the schema left it. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) STRICT;"
                                 "INSERT INTO meta VALUES ('station_code', '320481-01'), ('station_name', '溧阳'),"
                                 " ('station_level', 'county'), ('epoch', '01a204ea-e93e-7024-b90f-694e55d141c4'),"
                                 " ('created_at', '2026-01-01T00:00:00Z');"
                                 "PRAGMA user_version = 1;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = jz_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (jz_store_get_schema_version (store), ==, jz_store_get_code_schema_version ());
  g_assert_cmpstr (jz_store_get_station_name (store), ==, "溧阳");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/profile/paths", Fixture, NULL, fixture_setup, test_profile_paths, fixture_teardown);
  g_test_add ("/profile/unwritable", Fixture, NULL, fixture_setup, test_profile_unwritable, fixture_teardown);
  g_test_add_func ("/regions/lookup", test_regions);
  g_test_add_func ("/station/codes", test_station_codes);
  g_test_add_func ("/uuid/v7", test_uuid);
  g_test_add ("/store/create-open", Fixture, NULL, fixture_setup, test_store_create_open, fixture_teardown);
  g_test_add ("/store/bad-input", Fixture, NULL, fixture_setup, test_store_bad_input, fixture_teardown);
  g_test_add ("/store/foreign-file", Fixture, NULL, fixture_setup, test_store_foreign_file, fixture_teardown);
  g_test_add ("/store/too-new", Fixture, NULL, fixture_setup, test_store_too_new, fixture_teardown);
  g_test_add ("/store/migrates-from-v1", Fixture, NULL, fixture_setup, test_store_migrates_from_v1, fixture_teardown);

  return g_test_run ();
}
