/* test-import.c: export and import (round trip, bad files change nothing)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "jz-demo.h"
#include "jz-export.h"
#include "jz-records.h"
#include "jz-search.h"
#include "jz-store.h"

#define DEMO_NOW G_GINT64_CONSTANT (1772294400)

typedef struct
{
  char    *dir;
  JzStore *source;
  char    *json;       /* the source exported */
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

static JzStore *
new_store (Fixture    *f,
           const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  JzStore *store = jz_store_create (path, "320481-01", "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);

  g_assert_no_error (error);
  return store;
}

static void
export_to (JzStore    *store,
           const char *path)
{
  g_autoptr(GError) error = NULL;
  FILE *out = fopen (path, "wb");
  JzTransferStats stats;

  g_assert_nonnull (out);
  g_assert_true (jz_store_export (store, JZ_EXPORT_JSON, NULL, out, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fclose (out), ==, 0);
  g_assert_cmpuint (stats.rows, >, 0);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  JzDemoOptions options;

  f->dir = g_dir_make_tmp ("jz-test-import-XXXXXX", &error);
  g_assert_no_error (error);
  f->source = new_store (f, "source.db");
  jz_demo_options_init (&options);
  options.seed = 5;
  options.now = DEMO_NOW;
  g_assert_true (jz_demo_generate (f->source, 300, &options, NULL, &error));
  g_assert_no_error (error);

  /* A tombstone and an update, so that the file is not only inserts. */
  {
    g_autoptr(JzPerson) p = jz_person_new ();

    p->name = g_strdup ("删除者");
    p->sex = g_strdup ("male");
    g_assert_true (jz_store_insert_person (f->source, p, &error));
    g_assert_no_error (error);
    g_assert_true (jz_store_delete (f->source, &jz_entity_person, p->rec.id, 0, &error));
    g_assert_no_error (error);
  }
  f->json = g_build_filename (f->dir, "export.json", NULL);
  export_to (f->source, f->json);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->source);
  remove_tree (f->dir);
  g_free (f->json);
  g_free (f->dir);
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

static void
assert_same_tables (JzStore *a,
                    JzStore *b)
{
  const JzEntity * const *entities;
  guint n;

  entities = jz_schema_entities (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *da = jz_store_table_digest (a, entities[i], &error);
      g_autofree char *db = jz_store_table_digest (b, entities[i], &error);

      g_assert_no_error (error);
      if (g_strcmp0 (da, db) != 0)
        g_error ("table %s differs after the round trip", entities[i]->name);
    }
}

/* An import writes with the rollback journal and gives the WAL back. */
static void
assert_wal (JzStore *store)
{
  g_assert_cmpint (count (store, "SELECT count (*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), ==, 1);
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) target = new_store (f, "target.db");
  g_autoptr(JzStore) again = new_store (f, "again.db");
  g_autofree char *second = g_build_filename (f->dir, "second.json", NULL);
  JzTransferStats stats;

  g_assert_true (jz_store_import_json (target, f->json, &stats, &error));
  g_assert_no_error (error);
  assert_wal (target);
  g_assert_cmpint (count (target, "SELECT count (*) FROM person"), ==, count (f->source, "SELECT count (*) FROM person"));
  assert_same_tables (f->source, target);

  /* Imported records are searchable and captured for sync. */
  {
    g_autoptr(GPtrArray) rows = jz_search_people (target, "wang", 5, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (rows->len, >, 0);
  }
  g_assert_cmpint (count (target, "SELECT count (*) FROM outbox"), ==, (gint64) stats.rows);
  g_assert_cmpint (count (target, "SELECT count (*) FROM person WHERE deleted = 1"), ==, 1);

  /* Export of the import imports to the same again. */
  export_to (target, second);
  g_assert_true (jz_store_import_json (again, second, NULL, &error));
  g_assert_no_error (error);
  assert_same_tables (f->source, again);

  /* New writes order after the imported clocks, and new numbers do not
   * collide with imported ones. */
  {
    g_autoptr(JzPerson) p = jz_person_new ();
    g_autoptr(JzEpisode) e = jz_episode_new ();
    gint64 newest = count (target, "SELECT max (hlc) FROM (SELECT hlc FROM person UNION ALL SELECT hlc FROM episode)");

    p->name = g_strdup ("新来者");
    p->sex = g_strdup ("male");
    e->admitted_at = DEMO_NOW;
    e->source = g_strdup ("walk_in");
    g_assert_true (jz_store_insert_person (target, p, &error));
    g_assert_no_error (error);
    e->person_id = g_strdup (p->rec.id);
    g_assert_true (jz_store_insert_episode (target, e, &error));
    g_assert_no_error (error);
    g_assert_cmpint (p->rec.hlc, >, newest);
    g_assert_cmpint (count (target, "SELECT count (DISTINCT number) FROM episode"), ==,
                     count (target, "SELECT count (*) FROM episode"));
  }
}

/* Writes @text to a file in the fixture's directory. */
static char *
write_file (Fixture    *f,
            const char *name,
            const char *text)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
  return path;
}

/* The export with one line changed: @old → @new in the @nth line that
 * contains @marker. */
static char *
tamper (Fixture    *f,
        const char *marker,
        guint       nth,
        const char *old,
        const char *new)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *joined = NULL;
  guint seen = 0;

  g_assert_true (g_file_get_contents (f->json, &text, NULL, &error));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], marker) != NULL && ++seen == nth)
      {
        char *at = strstr (lines[i], old);
        g_autofree char *head = NULL;
        char *line;

        g_assert_nonnull (at);
        head = g_strndup (lines[i], at - lines[i]);
        line = g_strconcat (head, new, at + strlen (old), NULL);
        g_free (lines[i]);
        lines[i] = line;
        break;
      }
  g_assert_cmpuint (seen, ==, nth);
  joined = g_strjoinv ("\n", lines);
  return write_file (f, "tampered.json", joined);
}

static void
assert_nothing_imported (JzStore *store)
{
  assert_wal (store);
  g_assert_cmpint (count (store, "SELECT count (*) FROM person"), ==, 0);
  g_assert_cmpint (count (store, "SELECT count (*) FROM episode"), ==, 0);
  g_assert_cmpint (count (store, "SELECT count (*) FROM staff"), ==, 0);
  g_assert_cmpint (count (store, "SELECT count (*) FROM outbox"), ==, 0);
  g_assert_cmpint (count (store, "SELECT count (*) FROM audit"), ==, 0);
  g_assert_cmpint (count (store, "SELECT count (*) FROM person_fts"), ==, 0);
}

static void
test_bad_field (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) target = new_store (f, "target.db");
  /* The 12th person gets an impossible sex. */
  g_autofree char *bad = tamper (f, "\"name_quality\":", 12, "\"sex\": \"male\"", "\"sex\": \"x\"");

  g_assert_false (jz_store_import_json (target, bad, NULL, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "nothing was imported"));
  g_assert_nonnull (strstr (error->message, "person 12 (id "));
  g_assert_nonnull (strstr (error->message, "sex “x” is not one of"));
  assert_nothing_imported (target);
}

static void
test_bad_files (Fixture       *f,
                gconstpointer  data)
{
  struct { const char *name; const char *text; const char *expect; } cases[] = {
    { "empty.json", "", "not a Jiuzhu export" },
    { "array.json", "[1, 2]", "not a Jiuzhu export" },
    { "format.json", "{\"format\": \"other\", \"version\": 1, \"tables\": {}}", "format" },
    { "version.json", "{\"format\": \"jiuzhu-export\", \"version\": 9, \"tables\": {}}", "format version" },
    { "schema.json", "{\"format\": \"jiuzhu-export\", \"version\": 1, \"schema_version\": 999, \"tables\": {}}", "newer version" },
    { "notables.json", "{\"format\": \"jiuzhu-export\", \"version\": 1}", "no “tables”" },
    { "table.json", "{\"format\": \"jiuzhu-export\", \"version\": 1, \"tables\": {\"people\": []}}", "“people” is not a table" },
    { "field.json", "{\"format\": \"jiuzhu-export\", \"version\": 1, \"tables\": {\"staff\": [{\"id\": \"01941f29-7c00-7000-8510-c70f6daff2b3\", \"station\": \"320481-01\", \"hlc\": 5, \"name\": \"王\", \"colour\": \"red\"}]}}", "staff 1 (id 01941f29-7c00-7000-8510-c70f6daff2b3): “colour” is not a field" },
    { "type.json", "{\"format\": \"jiuzhu-export\", \"version\": 1, \"tables\": {\"staff\": [{\"id\": \"01941f29-7c00-7000-8510-c70f6daff2b3\", \"station\": \"320481-01\", \"hlc\": \"5\", \"name\": \"王\"}]}}", "hlc must be a whole number" },
    { "truncated.json", "{\"format\": \"jiuzhu-export\", \"version\": 1, \"tables\": {\"staff\": [{\"id\": \"01941f29-7c00-7000-8510-c70f6daff2b3\", \"station\": \"320481-01\", \"hlc\": 5, \"name\": \"王\"},\n{\"id\": \"01", "ends" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *dbname = g_strdup_printf ("t%u.db", i);
      g_autoptr(JzStore) target = new_store (f, dbname);
      g_autofree char *path = write_file (f, cases[i].name, cases[i].text);

      g_assert_false (jz_store_import_json (target, path, NULL, &error));
      g_assert_nonnull (error);
      g_test_message ("%s: %s", cases[i].name, error->message);
      if (strstr (error->message, cases[i].expect) == NULL)
        g_error ("%s: “%s” does not say “%s”", cases[i].name, error->message, cases[i].expect);
      assert_nothing_imported (target);
    }

  /* A truncated real export. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JzStore) target = new_store (f, "cut.db");
    g_autofree char *text = NULL;
    gsize len;
    g_autofree char *path = NULL;

    g_assert_true (g_file_get_contents (f->json, &text, &len, &error));
    text[len * 2 / 3] = '\0';
    path = write_file (f, "cut.json", text);
    g_assert_false (jz_store_import_json (target, path, NULL, &error));
    g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
    assert_nothing_imported (target);
  }
}

/* Records already in the store are refused, and the store keeps what it
 * had. */
static void
test_existing (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 before = count (f->source, "SELECT count (*) FROM audit");

  g_assert_false (jz_store_import_json (f->source, f->json, NULL, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "already in the store"));
  g_assert_cmpint (count (f->source, "SELECT count (*) FROM audit"), ==, before);
}

/* The export with the @nth episode given the number of the one before:
 * a UNIQUE constraint that only the INSERT checks. */
static char *
with_repeated_number (Fixture *f,
                      guint    nth)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *joined = NULL;
  g_autofree char *previous = NULL;
  guint seen = 0;

  g_assert_true (g_file_get_contents (f->json, &text, NULL, &error));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && seen < nth; i++)
    {
      char *at = strstr (lines[i], "\"number\": \"320481-01-");

      if (at == NULL || strstr (lines[i], "\"person_id\"") == NULL)
        continue;
      at += strlen ("\"number\": \"");
      if (++seen < nth)
        {
          g_free (previous);
          previous = g_strndup (at, strlen ("320481-01-2026-000123"));
        }
      else
        memcpy (at, previous, strlen (previous));
    }
  g_assert_cmpuint (seen, ==, nth);
  joined = g_strjoinv ("\n", lines);
  return write_file (f, "repeated.json", joined);
}

/* Records are written many to a statement (a table's records before the
 * next table's are checked): a row that fails in the database still
 * names its record, and the records that refer to it are not checked. */
static void
test_insert_fails (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) target = new_store (f, "target.db");
  g_autofree char *bad = with_repeated_number (f, 12);

  g_assert_false (jz_store_import_json (target, bad, NULL, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "has 1 problem; nothing was imported"));
  g_assert_nonnull (strstr (error->message, "episode 12 (id "));
  g_assert_nonnull (strstr (error->message, "UNIQUE constraint failed: episode.number"));
  g_assert_nonnull (strstr (error->message, "referring to these were not checked"));
  assert_nothing_imported (target);
}

/* A record twice in the same file: the second is refused like one already
 * in the store, although the first is not written yet when it is checked. */
static void
test_same_id_twice (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) target = new_store (f, "target.db");
  const char *text =
    "{\"format\": \"jiuzhu-export\", \"version\": 1, \"tables\": {\"staff\": ["
    "{\"id\": \"01941f29-7c00-7000-8510-c70f6daff2b3\", \"station\": \"320481-01\", \"hlc\": 5, \"name\": \"王\"},\n"
    "{\"id\": \"01941f29-7c00-7000-8510-c70f6daff2b3\", \"station\": \"320481-01\", \"hlc\": 6, \"name\": \"李\"}]}}";
  g_autofree char *path = write_file (f, "twice.json", text);

  g_assert_false (jz_store_import_json (target, path, NULL, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "staff 2 (id 01941f29-7c00-7000-8510-c70f6daff2b3): "
                                            "this staff member is already in the store"));
  assert_nothing_imported (target);
}

/* ---- The JSON reader ---------------------------------------------------- */

#define HEAD "{\"format\": \"jiuzhu-export\", \"version\": 1, \"tables\": {"
#define STAFF_ID "01941f29-7c00-7000-8510-c70f6daff2b3"

/* The reader's tests need no demo export: a directory alone. */
static void
dir_set_up (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("jz-test-import-XXXXXX", &error);
  g_assert_no_error (error);
}

/* Imports @text into @store; on failure checks that nothing was. */
static gboolean
import_text (Fixture     *f,
             JzStore     *store,
             const char  *text,
             GError     **error)
{
  g_autofree char *path = write_file (f, "reader.json", text);
  gboolean ok = jz_store_import_json (store, path, NULL, error);

  if (!ok)
    assert_nothing_imported (store);
  return ok;
}

/* Everything JSON allows in a text or a number is read as JSON means it. */
static void
test_reader_valid (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = new_store (f, "valid.db");
  g_autoptr(JzStaff) staff = NULL;
  g_autoptr(JzEncounter) enc = NULL;
  const char *text =
    " \t\r\n{\"format\" : \"jiuzhu-export\",\"version\":1, \"schema_version\": 1, "
    "\"extra\": {\"a\": [1, -2.5e-3, true, false, null, {\"b\": []}, \"\\u00e9\"], \"c\": {}},"
    "\"tables\":{\"staff\":[{\"station\": \"320481-01\", \"hlc\": 5, \"name\": "
    "\"\\u738B\\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t z\", \"role\": null, "
    "\"id\": \"" STAFF_ID "\"}],"
    "\"room\": [],"
    "\"encounter\": ["
    "{\"id\": \"01941f29-7c00-7000-8510-c70f6daff2b4\", \"station\": \"320481-01\", \"hlc\": 6, "
    "\"at\": 1772294400, \"latitude\": 3.15e1, \"longitude\": -1.2E+2, \"action\": \"other\"},"
    "{\"id\": \"01941f29-7c00-7000-8510-c70f6daff2b5\", \"station\": \"320481-01\", \"hlc\": 7, "
    "\"at\": 1772294400, \"latitude\": -0, \"longitude\": 120, \"action\": \"other\"}"
    "]} } \n";

  g_assert_true (import_text (f, store, text, &error));
  g_assert_no_error (error);
  staff = jz_store_get_staff (store, STAFF_ID, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (staff->name, ==, "王😀 \"q\" \\ / \b\f\n\r\t z");
  g_assert_cmpstr (staff->role, ==, "worker");
  g_assert_cmpint (staff->rec.hlc, ==, 5);
  enc = jz_store_get_encounter (store, "01941f29-7c00-7000-8510-c70f6daff2b4", &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (enc->latitude, ==, 31.5);
  g_assert_cmpfloat (enc->longitude, ==, -120.0);
}

/* Text that is not JSON: nothing is imported and the error says where. */
static void
test_reader_malformed (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(JzStore) store = new_store (f, "malformed.db");
#define REC(fields) HEAD "\"staff\": [{\"id\": \"" STAFF_ID "\", \"station\": \"320481-01\", \"hlc\": 5, " fields "}]}}"
  const char *cases[] = {
    REC ("\"name\": \"王"),                       /* the file ends inside a text */
    REC ("\"name\": \"a\\x\""),                    /* unknown escape */
    REC ("\"name\": \"\\u12G4\""),                 /* \u without four hex digits */
    REC ("\"name\": \"\\u12\""),
    REC ("\"name\": \"a\tb\""),                    /* a raw control character */
    REC ("\"name\": \"a\nb\""),
    REC ("\"name\": 'a'"),                         /* single quotes */
    REC ("\"name\": \"a\",}"),                     /* trailing comma in a record */
    REC ("\"name\" \"a\""),                        /* no colon */
    REC ("name: \"a\""),                           /* a name without quotes */
    REC ("\"pin_rounds\": 01"),                    /* leading zero */
    REC ("\"pin_rounds\": 1."),                    /* no digit after the point */
    REC ("\"pin_rounds\": .5"),
    REC ("\"pin_rounds\": -"),
    REC ("\"pin_rounds\": 1e"),
    REC ("\"pin_rounds\": 1e+"),
    REC ("\"pin_rounds\": +1"),
    REC ("\"pin_rounds\": NaN"),
    REC ("\"pin_rounds\": Infinity"),
    REC ("\"pin_rounds\": 0x10"),
    REC ("\"active\": tru"),
    REC ("\"active\": True"),
    REC ("\"active\": nul"),
    REC ("\"name\": \"a\" /* comment */"),
    REC ("\"name\": [1, 2,]"),                     /* trailing comma in a list */
    REC ("\"name\": {\"a\" 1}"),
    REC ("\"name\": {1: 2}"),
    REC ("\"name\": [1 2]"),
    HEAD "\"staff\": [{\"id\": \"" STAFF_ID "\"},]}}",   /* trailing comma after a record */
    HEAD "\"staff\": []},}",                            /* trailing comma in the header */
    HEAD "\"staff\": []}} x",                           /* text after the end */
    HEAD "\"staff\": []}}}",
    HEAD "\"staff\": []}",                              /* the file ends */
    "\xEF\xBB\xBF" HEAD "\"staff\": []}}",             /* a byte-order mark is not JSON */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      if (import_text (f, store, cases[i], &error))
        g_error ("case %u was imported: %s", i, cases[i]);
      g_test_message ("%u: %s", i, error->message);
      g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
      if (strstr (error->message, "not a Jiuzhu export") == NULL || strstr (error->message, "(at byte ") == NULL)
        g_error ("case %u: “%s” does not say where", i, error->message);
    }

  /* Values nested deeper than 64 levels. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) deep = g_string_new (HEAD "\"staff\": [{\"name\": ");

    for (guint i = 0; i < 100; i++)
      g_string_append_c (deep, '[');
    for (guint i = 0; i < 100; i++)
      g_string_append_c (deep, ']');
    g_string_append (deep, "}]}}");
    g_assert_false (import_text (f, store, deep->str, &error));
    g_assert_nonnull (strstr (error->message, "nested too deeply"));
  }
#undef REC
}

/* JSON that does not fit a field is a problem of the record's field,
 * named with the record's id even where the id comes last, and the rest
 * of the file is still checked. */
static void
test_reader_field_problems (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(JzStore) store = new_store (f, "problems.db");
  struct { const char *fields; const char *expect; } cases[] = {
    { "\"name\": \"\\ud800\"", "name is not text" },                 /* a lone high surrogate */
    { "\"name\": \"\\udc00a\"", "name is not text" },                /* a lone low surrogate */
    { "\"name\": \"\\ud800\\u0041\"", "name is not text" },          /* a high one not followed by a low one */
    { "\"name\": \"a\\u0000b\"", "name is not text" },
    { "\"name\": \"\xff\xfe\"", "name is not text" },                /* not UTF-8 */
    { "\"name\": \"\xe7\x8e\"", "name is not text" },                /* UTF-8 cut short */
    { "\"name\": 5", "name must be text" },
    { "\"name\": {\"a\": [1, {\"b\": null}]}", "name must be text" },
    { "\"name\": [\"王\"]", "name must be text" },
    { "\"name\": \"王\", \"hlc\": 5.0", "hlc must be a whole number" },
    { "\"name\": \"王\", \"hlc\": 5e2", "hlc must be a whole number" },
    { "\"name\": \"王\", \"hlc\": 9223372036854775808", "hlc is out of range" },
    { "\"name\": \"王\", \"hlc\": -92233720368547758080", "hlc is out of range" },
    { "\"name\": \"王\", \"active\": 1", "active must be true or false" },
    { "\"name\": \"王\", \"active\": \"true\"", "active must be true or false" },
    { "\"name\": \"王\", \"deleted\": null, \"colour\": \"red\"", "“colour” is not a field of a staff member" },
    { "\"name\": \"王\", \"\\ud800\": 1", "“\xEF\xBF\xBD” is not a field of a staff member" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = g_strdup_printf (HEAD "\"staff\": ["
                                               "{\"station\": \"320481-01\", \"hlc\": 5, %s, \"id\": \"" STAFF_ID "\"},"
                                               "{\"id\": \"01941f29-7c00-7000-8510-c70f6daff2b4\", \"station\": \"320481-01\", "
                                               "\"hlc\": 6, \"name\": \"王\", \"role\": \"boss\"}]}}",
                                               cases[i].fields);
      g_autofree char *expect = g_strdup_printf ("staff 1 (id " STAFF_ID "): %s", cases[i].expect);

      g_assert_false (import_text (f, store, text, &error));
      g_test_message ("%u: %s", i, error->message);
      g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
      if (strstr (error->message, expect) == NULL)
        g_error ("case %u: “%s” does not say “%s”", i, error->message, expect);
      /* The second record was checked too. */
      g_assert_nonnull (strstr (error->message, "staff 2 (id 01941f29-7c00-7000-8510-c70f6daff2b4): "));
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }

  /* Not a record at all. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (import_text (f, store, HEAD "\"staff\": [[1], \"x\"]}}", &error));
    g_assert_nonnull (strstr (error->message, "staff 1: a record must be a JSON object"));
    g_assert_nonnull (strstr (error->message, "staff 2: a record must be a JSON object"));
  }
}

/* Small files changed at random (bytes replaced, cut, duplicated): the
 * reader never reads past what it has and never imports part of a file.
 * Reproducible with --seed. */
static void
test_reader_mangled (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JzStore) store = new_store (f, "mangled.db");
  const char *good =
    HEAD "\"staff\": [{\"id\": \"" STAFF_ID "\", \"station\": \"320481-01\", \"hlc\": 5, \"deleted\": false, "
    "\"name\": \"王\\u4e00\\ud83d\\ude00\\n\", \"role\": \"admin\", \"active\": true},\n"
    "{\"id\": \"01941f29-7c00-7000-8510-c70f6daff2b4\", \"station\": \"320481-01\", \"hlc\": 6, "
    "\"name\": \"李\", \"pin_rounds\": 1000}],\n"
    "\"encounter\": [{\"id\": \"01941f29-7c00-7000-8510-c70f6daff2b5\", \"station\": \"320481-01\", \"hlc\": 7, "
    "\"at\": 1772294400, \"latitude\": 31.5e0, \"longitude\": -1.25E+2, \"action\": \"other\", "
    "\"extra\": {\"a\": [1, 2.5, null, \"x\"]}}]}}";
  static const char alphabet[] = "{}[]\":,\\u0123456789abcdefE.-+ tfnrl\x80\xe7\xff";
  gsize len = strlen (good);

  for (guint i = 0; i < 300; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GString) text = g_string_new_len (good, len);
      guint edits = g_test_rand_int_range (1, 4);
      gint64 before = count (store, "SELECT count (*) FROM audit");

      g_autofree char *path = NULL;

      for (guint e = 0; e < edits && text->len > 1; e++)
        {
          gsize at = (gsize) g_test_rand_int_range (0, (gint32) text->len);

          switch (g_test_rand_int_range (0, 4))
            {
            case 0:
              text->str[at] = alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];
              break;
            case 1:
              g_string_truncate (text, at);
              break;
            case 2:
              {
                gsize n = (gsize) g_test_rand_int_range (1, 8);

                g_string_erase (text, at, MIN (text->len - at, n));
              }
              break;
            default:
              g_string_insert_len (text, at, good + at % len, MIN (len - at % len, 6));
              break;
            }
        }
      path = write_file (f, "mangled.json", text->str);
      if (jz_store_import_json (store, path, NULL, &error))
        continue;
      g_assert_nonnull (error);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_cmpint (count (store, "SELECT count (*) FROM audit"), ==, before);
    }
}

/* The file is read 256 KB at a time: every part of a text, an escape, a
 * surrogate pair, a number and a word can fall on the seam. */
static void
test_reader_seams (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JzStore) store = new_store (f, "seams.db");
  const gsize chunk = 256 * 1024;
  g_autofree char *path = g_build_filename (f->dir, "seams.json", NULL);
  gsize tail_len = 0;

  for (gsize shift = 0; shift == 0 || shift < tail_len; shift++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JzStaff) staff = NULL;
      g_autoptr(GString) text = g_string_new ("{\"format\": \"jiuzhu-export\", \"version\": 1, \"pad\": \"");
      /* One store: each file has a staff member of its own. */
      g_autofree char *id = g_strdup_printf ("01941f29-7c00-7000-8510-c70f6daff%03x", (guint) shift);
      g_autofree char *tail = g_strdup_printf ("\"tables\": {\"staff\": [{\"id\": \"%s\", \"station\": \"320481-01\", "
                                               "\"hlc\": 123456789, \"deleted\": false, "
                                               "\"name\": \"a\\u738b\\ud83d\\ude00\\\"\xe7\x8e\x8b\"}]}}", id);

      tail_len = strlen (tail);
      /* The pad's text ends so that byte @shift of the tail is the
       * first of the file's second 256 KB. */
      while (text->len < chunk - shift - 4)
        g_string_append (text, text->len % 7 ? "x" : "\\n");
      while (text->len < chunk - shift - 3)
        g_string_append_c (text, 'y');
      g_string_append (text, "\", ");
      g_assert_cmpuint (text->len, ==, chunk - shift);
      g_string_append (text, tail);
      g_assert_true (g_file_set_contents (path, text->str, -1, &error));

      if (!jz_store_import_json (store, path, NULL, &error))
        g_error ("shift %" G_GSIZE_FORMAT ": %s", shift, error->message);
      staff = jz_store_get_staff (store, id, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (staff->name, ==, "a王😀\"王");
      g_assert_cmpint (staff->rec.hlc, ==, 123456789);
    }
  g_assert_cmpint (count (store, "SELECT count (*) FROM staff"), ==, (gint64) tail_len);
}

/* @n rooms, and a bed in each, as an export has them; @edit changes the
 * text of a record: (room or bed, its number from 1, its JSON). */
static char *
rooms_and_beds (guint n,
                char *(*edit) (const char *table, guint i, char *record))
{
  GString *s = g_string_new ("{\"format\": \"jiuzhu-export\", \"version\": 1, \"tables\": {\"room\": [\n");

  for (guint t = 0; t < 2; t++)
    {
      for (guint i = 1; i <= n; i++)
        {
          char *record = t == 0
            ? g_strdup_printf ("{\"id\": \"01941f29-7c00-7000-8000-%012x\", \"station\": \"320481-01\", "
                               "\"hlc\": %u, \"name\": \"%u号\", \"kind\": \"men\"}", i, i, i)
            : g_strdup_printf ("{\"id\": \"01941f29-7c00-7000-9000-%012x\", \"station\": \"320481-01\", "
                               "\"hlc\": %u, \"room_id\": \"01941f29-7c00-7000-8000-%012x\", \"label\": \"%u\"}",
                               i, n + i, i, i);

          if (edit != NULL)
            record = edit (t == 0 ? "room" : "bed", i, record);
          g_string_append (s, record);
          g_string_append (s, i < n ? ",\n" : "\n");
          g_free (record);
        }
      g_string_append (s, t == 0 ? "],\n\"bed\": [\n" : "]}}\n");
    }
  return g_string_free (s, FALSE);
}

/* Room 3,000 is room 1 again (so bed 3,000's room is missing); bed 2,999
 * is in a room that is not in the store; room 7 is a tombstone, so its
 * bed may not be in it. */
static char *
edit_rooms (const char *table,
            guint       i,
            char       *record)
{
  char *edited = NULL;

  if (g_str_equal (table, "room") && i == 3000)
    edited = g_strdup ("{\"id\": \"01941f29-7c00-7000-8000-000000000001\", \"station\": \"320481-01\", "
                       "\"hlc\": 3000, \"name\": \"又一号\", \"kind\": \"men\"}");
  else if (g_str_equal (table, "room") && i == 7)
    edited = g_strdup ("{\"id\": \"01941f29-7c00-7000-8000-000000000007\", \"station\": \"320481-01\", "
                       "\"hlc\": 7, \"deleted\": true, \"name\": \"7号\", \"kind\": \"men\"}");
  else if (g_str_equal (table, "bed") && i == 2999)
    edited = g_strdup ("{\"id\": \"01941f29-7c00-7000-9000-000000000bb7\", \"station\": \"320481-01\", "
                       "\"hlc\": 5999, \"room_id\": \"01941f29-7c00-7000-8000-0000ffffffff\", \"label\": \"x\"}");
  if (edited == NULL)
    return record;
  g_free (record);
  return edited;
}

/* References to the import's own records are checked without asking the
 * store, which must not change what is accepted; a record again, long
 * after its first copy was written, is still refused by name. */
static void
test_many_rooms (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = new_store (f, "rooms.db");
  g_autofree char *good = rooms_and_beds (3000, NULL);
  g_autofree char *bad = rooms_and_beds (3000, edit_rooms);

  g_assert_false (import_text (f, store, bad, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "has 4 problems; nothing was imported"));
  g_assert_nonnull (strstr (error->message, "room 3000 (id 01941f29-7c00-7000-8000-000000000001): "
                                            "this room is already in the store"));
  g_assert_nonnull (strstr (error->message, "bed 7 (id 01941f29-7c00-7000-9000-000000000007): "
                                            "The bed's room was deleted"));
  g_assert_nonnull (strstr (error->message, "bed 2999 (id 01941f29-7c00-7000-9000-000000000bb7): "
                                            "The bed's room does not exist in this store"));
  g_assert_nonnull (strstr (error->message, "bed 3000 (id 01941f29-7c00-7000-9000-000000000bb8): "
                                            "The bed's room does not exist in this store"));
  /* Bed 1, in the room that came twice, is not checked. */
  g_assert_nonnull (strstr (error->message, "(1 record referring to these were not checked)"));
  g_clear_error (&error);

  g_assert_true (import_text (f, store, good, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (store, "SELECT count (*) FROM bed"), ==, 3000);
  g_assert_cmpint (count (store, "SELECT count (*) FROM bed b JOIN room r ON r.id = b.room_id "
                                 "WHERE b.label = substr (r.name, 1, length (r.name) - 1)"), ==, 3000);

  /* Into a store that has them, every one is refused. */
  {
    g_autofree char *path = write_file (f, "again.json", good);
    gint64 audit = count (store, "SELECT count (*) FROM audit");

    g_assert_false (jz_store_import_json (store, path, NULL, &error));
    g_assert_cmpint (count (store, "SELECT count (*) FROM audit"), ==, audit);
  }
  g_assert_nonnull (strstr (error->message, "has 3000 problems"));
  g_assert_nonnull (strstr (error->message, "room 1 (id 01941f29-7c00-7000-8000-000000000001): "
                                            "this room is already in the store"));
}

static void
test_csv (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "person.csv", NULL);
  g_autofree char *text = NULL;
  FILE *out = fopen (path, "wb");
  JzTransferStats stats;
  g_auto(GStrv) lines = NULL;

  g_assert_true (jz_store_export (f->source, JZ_EXPORT_CSV, "person", out, &stats, &error));
  g_assert_no_error (error);
  fclose (out);
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_true (g_str_has_prefix (text, "\xEF\xBB\xBFid,station,hlc,updated_by,deleted,name,"));
  lines = g_strsplit (text, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines) - 2, ==, stats.rows);
  g_assert_cmpint ((gint64) stats.rows, ==, count (f->source, "SELECT count (*) FROM person"));

  out = fopen (path, "wb");
  g_assert_false (jz_store_export (f->source, JZ_EXPORT_CSV, NULL, out, NULL, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (jz_store_export (f->source, JZ_EXPORT_JSON, "people", out, NULL, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
  fclose (out);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/import/round-trip", test_round_trip);
  ADD ("/import/bad-field", test_bad_field);
  ADD ("/import/bad-files", test_bad_files);
  ADD ("/import/existing", test_existing);
  ADD ("/import/insert-fails", test_insert_fails);
  ADD ("/import/same-id-twice", test_same_id_twice);
#define ADD_READER(path, fn) g_test_add (path, Fixture, NULL, dir_set_up, fn, fixture_tear_down)
  ADD_READER ("/import/reader/valid", test_reader_valid);
  ADD_READER ("/import/reader/malformed", test_reader_malformed);
  ADD_READER ("/import/reader/field-problems", test_reader_field_problems);
  ADD_READER ("/import/reader/seams", test_reader_seams);
  ADD_READER ("/import/reader/mangled", test_reader_mangled);
  ADD_READER ("/import/many-rooms", test_many_rooms);
#undef ADD_READER
  ADD ("/export/csv", test_csv);
#undef ADD

  return g_test_run ();
}
