/* test-sync.c: stations and a real jiuzhu-hub on 127.0.0.1, over HTTP(S)
 *
 * Each test starts its own hub process (port 0: the hub prints the URL it
 * bound) and its own station stores, made with the store API.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <curl/curl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

#include "jz-check.h"
#include "jz-hub-store.h"
#include "jz-records.h"
#include "jz-sync-client.h"
#include "jz-sync-engine.h"
#include "jz-uuid.h"

#define A   "320481-01"
#define B   "320382-01"
#define HUB "320300-01"

typedef struct
{
  char        *dir;
  char        *hub_db;
  GSubprocess *hub;
  char        *url;
  char        *pin;
  char        *cert;
  char        *key;
  JzStore     *a;
  JzStore     *b;
  JzStore     *h;
} Fixture;

/* Helpers */

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static const char *
hub_program (void)
{
  const char *p = g_getenv ("JZ_HUB_PROGRAM");

  g_assert_nonnull (p);
  return p;
}

static JzHubStore *
hub_store (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  JzHubStore *hub = jz_hub_store_open (f->hub_db, TRUE, &error);

  g_assert_no_error (error);
  return hub;
}

/* The hub goes when the test goes, even when it fails. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
hub_start (Fixture     *f,
           const char  *listen,
           const char **extra)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *line = NULL;

  g_ptr_array_add (argv, (gpointer) hub_program ());
  g_ptr_array_add (argv, (gpointer) "serve");
  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, f->hub_db);
  g_ptr_array_add (argv, (gpointer) "--listen");
  g_ptr_array_add (argv, (gpointer) (listen ? listen : "127.0.0.1:0"));
  g_ptr_array_add (argv, (gpointer) "--quiet");
  if (f->cert != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--tls-cert");
      g_ptr_array_add (argv, f->cert);
      g_ptr_array_add (argv, (gpointer) "--tls-key");
      g_ptr_array_add (argv, f->key);
    }
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  f->hub = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->hub));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Listening on "));
  g_free (f->url);
  f->url = g_strdup (line + strlen ("Listening on "));
  if (f->cert != NULL)
    {
      g_autofree char *pin = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);

      g_assert_nonnull (pin);
      g_assert_true (g_str_has_prefix (pin, "Certificate pin: "));
      g_free (f->pin);
      f->pin = g_strdup (pin + strlen ("Certificate pin: "));
    }
}

static void
hub_stop (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  if (f->hub == NULL)
    return;
  g_subprocess_send_signal (f->hub, SIGTERM);
  g_assert_true (g_subprocess_wait (f->hub, NULL, &error));
  g_assert_no_error (error);
  /* A clean stop on SIGTERM. */
  g_assert_true (g_subprocess_get_if_exited (f->hub));
  g_assert_cmpint (g_subprocess_get_exit_status (f->hub), ==, 0);
  g_clear_object (&f->hub);
}

static JzStore *
make_store (Fixture        *f,
            const char     *name,
            const char     *code,
            JzStationLevel  level)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  JzStore *store = jz_store_create (path, code, name, level, &error);

  g_assert_no_error (error);
  return store;
}

static void
enrol (Fixture *f,
       JzStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzHubStore) hub = hub_store (f);
  g_autofree char *code = jz_hub_store_enrol_device (hub, jz_store_get_station_code (store), NULL, NULL, &error);

  g_assert_no_error (error);
  g_clear_object (&hub);
  g_assert_true (jz_sync_enrol (store, f->url, code, f->pin, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzHubStore) hub = NULL;
  gboolean tls = GPOINTER_TO_INT (data);

  f->dir = g_dir_make_tmp ("jz-test-sync-XXXXXX", &error);
  g_assert_no_error (error);
  f->hub_db = g_build_filename (f->dir, "hub.db", NULL);
  hub = hub_store (f);
  g_assert_true (jz_hub_store_add_station (hub, A, "新沂市救助站", FALSE, &error));
  g_assert_true (jz_hub_store_add_station (hub, B, "邳州市救助站", FALSE, &error));
  g_assert_true (jz_hub_store_add_station (hub, HUB, "徐州市救助管理站", TRUE, &error));
  g_clear_object (&hub);

  if (tls)
    {
      const char *openssl = g_find_program_in_path ("openssl") ? "openssl" : NULL;
      g_autoptr(GSubprocess) gen = NULL;

      if (openssl == NULL)
        return;
      f->cert = g_build_filename (f->dir, "cert.pem", NULL);
      f->key = g_build_filename (f->dir, "key.pem", NULL);
      gen = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                              "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                              "-nodes", "-keyout", f->key, "-out", f->cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                              NULL);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_wait_check (gen, NULL, &error));
    }
  hub_start (f, NULL, NULL);

  f->a = make_store (f, "a.db", A, JZ_STATION_LEVEL_COUNTY);
  f->b = make_store (f, "b.db", B, JZ_STATION_LEVEL_COUNTY);
  f->h = make_store (f, "h.db", HUB, JZ_STATION_LEVEL_HUB);
}

static void
assert_store_ok (JzStore *store)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  gboolean ok = jz_store_check (store, problems, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < problems->len; i++)
    g_test_message ("%s: %s", jz_store_get_station_code (store), (char *) problems->pdata[i]);
  g_assert_true (ok);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  hub_stop (f);
  if (f->dir != NULL && f->hub_db != NULL && g_file_test (f->hub_db, G_FILE_TEST_EXISTS))
    {
      g_autoptr(JzHubStore) hub = hub_store (f);
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);

      if (!jz_hub_store_check (hub, problems, NULL))
        g_error ("hub check: %s", (char *) problems->pdata[0]);
    }
  g_clear_object (&f->a);
  g_clear_object (&f->b);
  g_clear_object (&f->h);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->hub_db);
  g_free (f->url);
  g_free (f->pin);
  g_free (f->cert);
  g_free (f->key);
}

static JzSyncStats
sync_ok (JzStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzSyncEngine) engine = jz_sync_engine_new (store, NULL);
  JzSyncStats stats;

  jz_sync_stats_init (&stats);
  g_assert_true (jz_sync_engine_run_once (engine, NULL, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpint (jz_sync_engine_count_pending (engine), ==, 0);
  jz_sync_stats_clear (&stats);
  return stats;
}

static char *
add_person (JzStore    *store,
            const char *name,
            const char *description)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = jz_person_new ();

  p->name = g_strdup (name);
  p->sex = g_strdup ("male");
  p->description = g_strdup (description);
  g_assert_true (jz_store_insert_person (store, p, &error));
  g_assert_no_error (error);
  return g_strdup (p->rec.id);
}

static char *
add_episode (JzStore    *store,
             const char *person_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzEpisode) e = jz_episode_new ();

  e->person_id = g_strdup (person_id);
  e->admitted_at = g_get_real_time () / G_USEC_PER_SEC - 3600;
  e->source = g_strdup ("walk_in");
  g_assert_true (jz_store_insert_episode (store, e, &error));
  g_assert_no_error (error);
  return g_strdup (e->rec.id);
}

static void
rename_person (JzStore    *store,
               const char *id,
               const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = jz_store_get_person (store, id, &error);

  g_assert_no_error (error);
  g_free (p->name);
  p->name = g_strdup (name);
  g_assert_true (jz_store_update_person (store, p, &error));
  g_assert_no_error (error);
}

static gint64
store_count (JzStore    *store,
             const char *sql,
             const char *arg)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (jz_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static char *
store_text (JzStore    *store,
            const char *sql,
            const char *arg)
{
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (jz_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

static gint64
hub_count (Fixture    *f,
           const char *sql)
{
  g_autoptr(JzHubStore) hub = hub_store (f);
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (jz_hub_store_get_db (hub), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static size_t
collect (char   *data,
         size_t  size,
         size_t  nmemb,
         void   *user_data)
{
  g_string_append_len (user_data, data, size * nmemb);
  return size * nmemb;
}

/* A raw request, for what the engine never sends. */
static long
raw (Fixture     *f,
     const char  *method,
     const char  *path,
     const char  *token,
     const char  *body,
     gsize        len,
     char       **reply)
{
  g_autofree char *url = g_strconcat (f->url, path[0] == '/' ? path + 1 : path, NULL);
  g_autofree char *auth = token ? g_strconcat ("Authorization: Bearer ", token, NULL) : NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  struct curl_slist *headers = NULL;
  CURL *curl = curl_easy_init ();
  long status = 0;

  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, out);
  if (auth != NULL)
    headers = curl_slist_append (headers, auth);
  headers = curl_slist_append (headers, "Expect:");
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  if (body != NULL)
    {
      curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) len);
    }
  curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);
  g_assert_cmpint (curl_easy_perform (curl), ==, CURLE_OK);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all (headers);
  curl_easy_cleanup (curl);
  if (reply != NULL)
    *reply = g_strdup (out->str);
  return status;
}

static char *
token_of (JzStore *store)
{
  return store_text (store, "SELECT value FROM sync_state WHERE key = 'token'", NULL);
}

static void
assert_error_code (const char *reply,
                   const char *code)
{
  g_autoptr(JzJson) obj = json_tokener_parse (reply);
  json_object *err = NULL;

  g_assert_nonnull (obj);
  g_assert_true (json_object_object_get_ex (obj, "error", &err));
  g_assert_cmpstr (json_object_get_string (json_object_object_get (err, "code")), ==, code);
  g_assert_nonnull (json_object_get_string (json_object_object_get (err, "message")));
}

/* Tests */

static void
test_roundtrip (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *p1 = NULL;
  g_autofree char *p2 = NULL;
  g_autofree char *ep = NULL;
  g_autofree char *desc = NULL;
  g_autofree char *name = NULL;
  gint64 a_changes;
  JzSyncStats stats;

  enrol (f, f->a);
  enrol (f, f->b);
  enrol (f, f->h);

  p1 = add_person (f->a, "张三", "左臂有纹身");
  add_person (f->a, "李四", NULL);
  ep = add_episode (f->a, p1);
  p2 = add_person (f->b, "王五", NULL);
  add_person (f->b, "赵六", NULL);
  a_changes = store_count (f->a, "SELECT count (*) FROM outbox", NULL);
  g_assert_cmpint (a_changes, >=, 3);

  stats = sync_ok (f->a);
  g_assert_cmpint (stats.pushed, ==, a_changes);
  sync_ok (f->b);

  /* At the hub exactly once, each stream without a gap. */
  g_assert_cmpint (hub_count (f, "SELECT count (*) FROM change WHERE station = '" A "'"), ==, a_changes);
  g_assert_cmpint (hub_count (f, "SELECT count (*) FROM record WHERE entity = 'person'"), ==, 4);
  g_assert_cmpint (hub_count (f, "SELECT count (*) FROM (SELECT 1 FROM change GROUP BY station, epoch, seq"
                                 " HAVING count (*) > 1)"), ==, 0);

  /* Again: nothing new is sent and nothing doubles. */
  stats = sync_ok (f->a);
  g_assert_cmpint (stats.pushed, ==, 0);
  g_assert_cmpint (hub_count (f, "SELECT count (*) FROM change WHERE station = '" A "'"), ==, a_changes);

  /* The hub workstation receives the whole region. */
  sync_ok (f->h);
  g_assert_cmpint (store_count (f->h, "SELECT count (*) FROM person", NULL), ==, 4);
  g_assert_cmpint (store_count (f->h, "SELECT count (*) FROM episode WHERE id = ?1", ep), ==, 1);
  desc = store_text (f->h, "SELECT description FROM person WHERE id = ?1", p1);
  g_assert_cmpstr (desc, ==, "左臂有纹身");

  /* A county station receives the registry of the others' people, and
   * nothing else of theirs. */
  sync_ok (f->b);
  g_assert_cmpint (store_count (f->b, "SELECT count (*) FROM person", NULL), ==, 4);
  g_assert_cmpint (store_count (f->b, "SELECT count (*) FROM episode", NULL), ==, 0);
  name = store_text (f->b, "SELECT name FROM person WHERE id = ?1", p1);
  g_assert_cmpstr (name, ==, "张三");
  g_clear_pointer (&desc, g_free);
  desc = store_text (f->b, "SELECT description FROM person WHERE id = ?1", p1);
  g_assert_null (desc);
  /* Pulled rows are not queued to go back. */
  g_assert_cmpint (store_count (f->b, "SELECT count (*) FROM outbox WHERE acked = 0", NULL), ==, 0);
  g_assert_cmpint (store_count (f->a, "SELECT count (*) FROM person WHERE id = ?1", p2), ==, 1);

  assert_store_ok (f->a);
  assert_store_ok (f->b);
  assert_store_ok (f->h);
}

static void
test_conflict (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *p = NULL;
  g_autofree char *name_a = NULL;
  g_autofree char *name_h = NULL;
  g_autofree char *local = NULL;
  g_autofree char *remote = NULL;
  g_autofree char *remote_station = NULL;

  enrol (f, f->a);
  enrol (f, f->h);
  p = add_person (f->a, "张三", NULL);
  sync_ok (f->a);
  sync_ok (f->h);

  /* Both change the same field while apart; hub staff sync first. */
  rename_person (f->a, p, "张山");
  rename_person (f->h, p, "张叁");
  sync_ok (f->h);
  sync_ok (f->a);

  /* Hub staff's value stands everywhere; A's is kept as a conflict. */
  name_a = store_text (f->a, "SELECT name FROM person WHERE id = ?1", p);
  g_assert_cmpstr (name_a, ==, "张叁");
  g_assert_cmpint (store_count (f->a, "SELECT count (*) FROM conflict WHERE entity_id = ?1", p), ==, 1);
  local = store_text (f->a, "SELECT local_value FROM conflict WHERE entity_id = ?1", p);
  remote = store_text (f->a, "SELECT remote_value FROM conflict WHERE entity_id = ?1", p);
  remote_station = store_text (f->a, "SELECT remote_station FROM conflict WHERE entity_id = ?1", p);
  g_assert_cmpstr (local, ==, "\"张山\"");
  g_assert_cmpstr (remote, ==, "\"张叁\"");
  g_assert_cmpstr (remote_station, ==, HUB);
  g_assert_cmpint (hub_count (f, "SELECT count (*) FROM conflict WHERE field = 'name'"), ==, 1);

  /* The conflict itself syncs, so that a person can resolve it anywhere. */
  sync_ok (f->a);
  sync_ok (f->h);
  name_h = store_text (f->h, "SELECT name FROM person WHERE id = ?1", p);
  g_assert_cmpstr (name_h, ==, "张叁");
  g_assert_cmpint (store_count (f->h, "SELECT count (*) FROM conflict WHERE entity_id = ?1", p), ==, 1);

  /* The other order of arrival ends the same way. */
  rename_person (f->a, p, "张山二");
  rename_person (f->h, p, "张叁二");
  sync_ok (f->a);
  sync_ok (f->h);
  sync_ok (f->a);
  g_clear_pointer (&name_a, g_free);
  g_clear_pointer (&name_h, g_free);
  name_a = store_text (f->a, "SELECT name FROM person WHERE id = ?1", p);
  name_h = store_text (f->h, "SELECT name FROM person WHERE id = ?1", p);
  g_assert_cmpstr (name_a, ==, "张叁二");
  g_assert_cmpstr (name_h, ==, "张叁二");
  g_assert_cmpint (store_count (f->a, "SELECT count (*) FROM conflict WHERE local_value = '\"张山二\"'", NULL), ==, 1);

  assert_store_ok (f->a);
  assert_store_ok (f->h);
}

static void
test_refusals (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pa = NULL;
  g_autofree char *token_b = NULL;
  g_autofree char *body = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *big = NULL;
  g_autofree char *device_b = NULL;
  g_autoptr(JzSyncEngine) engine = NULL;
  g_autoptr(JzJson) obj = NULL;
  const char *epoch_b = jz_store_get_epoch (f->b);
  gint64 changes;
  gint64 pending_b;

  const char *limits[] = { "--max-body", "1048576", NULL };
  const char *no_changes = "{\"v\":1,\"station\":\"" B "\"}";

  hub_stop (f);
  hub_start (f, NULL, limits);
  enrol (f, f->a);
  enrol (f, f->b);
  pa = add_person (f->a, "张三", NULL);
  add_person (f->b, "王五", NULL);
  sync_ok (f->a);
  sync_ok (f->b);
  token_b = token_of (f->b);
  changes = hub_count (f, "SELECT count (*) FROM change");

  /* B may not change A's person: 403, nothing written. */
  body = g_strdup_printf ("{\"v\":1,\"station\":\"" B "\",\"epoch\":\"%s\",\"changes\":["
                          "{\"seq\":2,\"entity\":\"person\",\"id\":\"%s\",\"op\":\"update\",\"base_rev\":1,"
                          "\"hlc\":%" G_GUINT64_FORMAT ",\"fields\":{\"name\":\"改\"}}]}",
                          epoch_b, pa, (guint64) g_get_real_time () << 6);
  g_assert_cmpint (raw (f, "POST", "/v1/push", token_b, body, strlen (body), &reply), ==, 403);
  assert_error_code (reply, "forbidden");
  g_assert_cmpint (hub_count (f, "SELECT count (*) FROM change"), ==, changes);
  g_assert_cmpint (hub_count (f, "SELECT high_seq FROM mark WHERE station = '" B "'"), ==, 1);

  /* Malformed: refused whole. */
  g_clear_pointer (&reply, g_free);
  g_assert_cmpint (raw (f, "POST", "/v1/push", token_b, "{\"v\":1,", 7, &reply), ==, 400);
  assert_error_code (reply, "malformed");
  g_clear_pointer (&reply, g_free);
  g_assert_cmpint (raw (f, "POST", "/v1/push", token_b, no_changes, strlen (no_changes), &reply), ==, 400);
  assert_error_code (reply, "malformed");

  /* Too large (the hub of this test takes at most 1 MiB). */
  big = g_malloc (2 * 1024 * 1024 + 1);
  memset (big, ' ', 2 * 1024 * 1024);
  big[0] = '{';
  big[2 * 1024 * 1024 - 1] = '}';
  g_clear_pointer (&reply, g_free);
  g_assert_cmpint (raw (f, "POST", "/v1/push", token_b, big, 2 * 1024 * 1024, &reply), ==, 413);
  assert_error_code (reply, "too_large");

  /* A duplicate is skipped; a gap is refused with the hub's mark. */
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&reply, g_free);
  body = g_strdup_printf ("{\"v\":1,\"station\":\"" B "\",\"epoch\":\"%s\",\"changes\":["
                          "{\"seq\":1,\"entity\":\"person\",\"id\":\"%s\",\"op\":\"insert\","
                          "\"hlc\":5,\"fields\":{\"name\":\"重复\"}}]}", epoch_b, pa);
  g_assert_cmpint (raw (f, "POST", "/v1/push", token_b, body, strlen (body), &reply), ==, 200);
  obj = json_tokener_parse (reply);
  g_assert_cmpint (json_object_get_int (json_object_object_get (obj, "accepted")), ==, 0);
  g_assert_cmpint (json_object_get_int (json_object_object_get (obj, "skipped")), ==, 1);
  g_clear_pointer (&obj, json_object_put);
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&reply, g_free);
  body = g_strdup_printf ("{\"v\":1,\"station\":\"" B "\",\"epoch\":\"%s\",\"changes\":["
                          "{\"seq\":9,\"entity\":\"person\",\"id\":\"%s\",\"op\":\"insert\","
                          "\"hlc\":5,\"fields\":{\"name\":\"跳号\",\"station\":\"" B "\"}}]}",
                          epoch_b, "0190f3a2-7c4e-7a10-8b2c-0000000000b9");
  g_assert_cmpint (raw (f, "POST", "/v1/push", token_b, body, strlen (body), &reply), ==, 409);
  assert_error_code (reply, "gap");
  obj = json_tokener_parse (reply);
  g_assert_cmpint (json_object_get_int (json_object_object_get (json_object_object_get (obj, "error"), "high_seq")),
                   ==, 1);
  g_assert_cmpint (hub_count (f, "SELECT count (*) FROM change"), ==, changes);

  /* No token, an unknown token: 401. */
  g_clear_pointer (&reply, g_free);
  g_assert_cmpint (raw (f, "GET", "/v1/pull?since=0", NULL, NULL, 0, &reply), ==, 401);
  assert_error_code (reply, "unauthorized");
  g_clear_pointer (&reply, g_free);
  g_assert_cmpint (raw (f, "GET", "/v1/pull?since=0", "not-a-token", NULL, 0, &reply), ==, 401);
  g_clear_pointer (&reply, g_free);
  g_assert_cmpint (raw (f, "GET", "/v1/pull?since=-1", token_b, NULL, 0, &reply), ==, 400);

  /* Revoked: 401, and B's new change waits in its outbox. */
  device_b = store_text (f->b, "SELECT value FROM sync_state WHERE key = 'device'", NULL);
  {
    g_autoptr(JzHubStore) hub = hub_store (f);

    g_assert_true (jz_hub_store_revoke_device (hub, device_b, &error));
    g_assert_no_error (error);
  }
  add_person (f->b, "孙七", NULL);
  pending_b = store_count (f->b, "SELECT count (*) FROM outbox WHERE acked = 0", NULL);
  engine = jz_sync_engine_new (f->b, NULL);
  g_assert_false (jz_sync_engine_run_once (engine, NULL, NULL, &error));
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_UNAUTHORIZED);
  g_assert_nonnull (strstr (error->message, "revoked"));
  g_assert_cmpint (store_count (f->b, "SELECT count (*) FROM outbox WHERE acked = 0", NULL), ==, pending_b);
  g_assert_cmpint (hub_count (f, "SELECT count (*) FROM change"), ==, changes);
}

static void
test_foreign_edit (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pb = NULL;
  g_autofree char *mine = NULL;
  g_autofree char *name = NULL;
  g_autofree char *local = NULL;

  enrol (f, f->a);
  enrol (f, f->b);
  pb = add_person (f->b, "王五", NULL);
  sync_ok (f->b);
  sync_ok (f->a);

  /* A changes B's person (a registry row): the hub refuses it (403)… */
  {
    g_autoptr(JzPerson) p = jz_store_get_person (f->a, pb, &error);

    g_assert_no_error (error);
    g_free (p->name);
    p->name = g_strdup ("王伍");
    if (!jz_store_update_person (f->a, p, &error))
      {
        g_test_skip ("the store refuses edits of other stations' people");
        return;
      }
  }
  mine = add_person (f->a, "赵六", NULL);

  /* …but that does not hold back what A did after it. */
  sync_ok (f->a);
  g_assert_cmpint (hub_count (f, "SELECT count (*) FROM record WHERE entity = 'person' AND owner = '" A "'"), ==, 1);
  g_assert_cmpint (hub_count (f, "SELECT count (*) FROM change WHERE op = 'void'"), ==, 1);
  /* The refused value is kept for a person to see; the row shows the hub's. */
  local = store_text (f->a, "SELECT local_value FROM conflict WHERE entity_id = ?1 AND field = 'name'", pb);
  g_assert_cmpstr (local, ==, "\"王伍\"");
  name = store_text (f->a, "SELECT name FROM person WHERE id = ?1", pb);
  g_assert_cmpstr (name, ==, "王五");
  g_clear_pointer (&name, g_free);
  name = store_text (f->b, "SELECT name FROM person WHERE id = ?1", pb);
  g_assert_cmpstr (name, ==, "王五");

  /* And it stays that way. */
  sync_ok (f->a);
  sync_ok (f->b);
  assert_store_ok (f->a);
}

static void
test_blobs (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzSyncEngine) engine = NULL;
  g_autoptr(JzSyncEngine) other = NULL;
  g_autoptr(GBytes) photo = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *again = NULL;
  g_autofree char *token = NULL;
  g_autofree char *reply = NULL;
  guint8 bytes[3000];

  enrol (f, f->a);
  enrol (f, f->b);
  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) (i * 7);
  photo = g_bytes_new (bytes, sizeof bytes);

  /* Content-addressed: the same bytes are stored once. */
  engine = jz_sync_engine_new (f->a, NULL);
  g_assert_true (jz_sync_engine_put_blob (engine, photo, &sha, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (jz_sync_engine_put_blob (engine, photo, &again, NULL, &error));
  g_assert_cmpstr (sha, ==, again);
  g_assert_cmpint (hub_count (f, "SELECT count (*) FROM blob"), ==, 1);

  other = jz_sync_engine_new (f->b, NULL);
  back = jz_sync_engine_get_blob (other, sha, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, photo));

  /* Bytes that do not match their name are refused. */
  token = token_of (f->a);
  {
    g_autofree char *path = g_strconcat ("/v1/blobs/", sha, NULL);

    g_assert_cmpint (raw (f, "PUT", path, token, "not the photo", 13, &reply), ==, 400);
    assert_error_code (reply, "malformed");
  }
  g_clear_pointer (&reply, g_free);
  g_assert_cmpint (raw (f, "GET", "/v1/blobs/0000000000000000000000000000000000000000000000000000000000000000",
                        token, NULL, 0, &reply), ==, 404);
}

static void
test_rate_limit (Fixture       *f,
                 gconstpointer  data)
{
  const char *limits[] = { "--rate", "0.01", "--burst", "3", NULL };
  g_autofree char *token = NULL;
  g_autofree char *reply = NULL;
  long last = 0;

  hub_stop (f);
  hub_start (f, NULL, limits);
  enrol (f, f->a);
  token = token_of (f->a);
  for (int i = 0; i < 4; i++)
    {
      g_clear_pointer (&reply, g_free);
      last = raw (f, "GET", "/v1/pull?since=0", token, NULL, 0, &reply);
    }
  g_assert_cmpint (last, ==, 429);
  assert_error_code (reply, "rate_limited");
}

typedef struct
{
  JzSyncClient *client;
  guint         cycles;
} Wait;

static gboolean
on_timeout (gpointer data)
{
  g_error ("timed out waiting for the sync thread");
  return G_SOURCE_REMOVE;
}

static void
wait_cycles (JzSyncClient *client,
             guint         cycles)
{
  guint timeout = g_timeout_add_seconds (20, on_timeout, NULL);

  while (jz_sync_client_get_cycles (client) < cycles)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
}

static void
on_applied (JzSyncClient  *client,
            char         **tables,
            gpointer       user_data)
{
  *(gboolean *) user_data = g_strv_contains ((const char * const *) tables, "person");
}

static void
on_changed (JzStore    *store,
            const char *table,
            gpointer    user_data)
{
  if (g_strcmp0 (table, "person") == 0)
    (*(guint *) user_data)++;
}

static void
test_client_thread (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(JzSyncClient) client = NULL;
  g_autoptr(JzStore) ui = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *p = NULL;
  g_autofree char *name = NULL;
  gboolean applied = FALSE;
  guint person_changed = 0;
  guint cycles;

  enrol (f, f->a);
  enrol (f, f->b);
  add_person (f->b, "王五", NULL);
  sync_ok (f->b);

  /* The UI's own connection; the client opens another one. */
  ui = jz_store_open (jz_store_get_path (f->a), &error);
  g_assert_no_error (error);
  client = jz_sync_client_new (jz_store_get_path (f->a), ui);
  g_assert_true (jz_sync_client_get_enrolled (client));
  g_signal_connect (client, "applied", G_CALLBACK (on_applied), &applied);
  g_signal_connect (ui, "changed", G_CALLBACK (on_changed), &person_changed);
  jz_sync_client_start (client);
  wait_cycles (client, 1);
  g_assert_cmpint (jz_sync_client_get_state (client), ==, JZ_SYNC_STATE_UP_TO_DATE);
  g_assert_cmpint (jz_sync_client_get_last_success (client), >, 0);
  g_assert_null (jz_sync_client_get_last_error (client));
  /* B's person came in, and the views were told. */
  g_assert_true (applied);
  g_assert_cmpuint (person_changed, >=, 1);

  /* A change saved in the UI goes out without anyone asking. */
  cycles = jz_sync_client_get_cycles (client);
  p = add_person (ui, "赵六", NULL);
  wait_cycles (client, cycles + 1);
  g_assert_cmpint (jz_sync_client_get_pending (client), ==, 0);
  g_assert_cmpint (hub_count (f, "SELECT count (*) FROM record WHERE entity = 'person'"), ==, 2);

  /* The hub goes away: offline, and the change waits. */
  hub_stop (f);
  rename_person (ui, p, "赵陆");
  cycles = jz_sync_client_get_cycles (client);
  jz_sync_client_sync_now (client);
  wait_cycles (client, cycles + 1);
  /* The rename woke the thread too: the cycle "Sync now" asked for may
   * start just after the one waited for. Wait for it to report. */
  while (jz_sync_client_get_state (client) == JZ_SYNC_STATE_SYNCING)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (jz_sync_client_get_state (client), ==, JZ_SYNC_STATE_OFFLINE);
  g_assert_cmpint (jz_sync_client_get_pending (client), ==, 1);
  g_assert_nonnull (jz_sync_client_get_last_error (client));

  /* Stop is prompt and joins the thread. */
  jz_sync_client_stop (client);
  g_assert_cmpint (store_count (ui, "SELECT count (*) FROM outbox WHERE acked = 0", NULL), ==, 1);
  name = store_text (ui, "SELECT name FROM person WHERE id = ?1", p);
  g_assert_cmpstr (name, ==, "赵陆");
}

static void
test_transfer (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *p = NULL;
  g_autofree char *e = NULL;
  g_autofree char *station = NULL;

  enrol (f, f->a);
  enrol (f, f->b);
  enrol (f, f->h);
  p = add_person (f->a, "张三", "高个子");
  e = add_episode (f->a, p);
  sync_ok (f->a);
  sync_ok (f->h);

  /* A county workstation cannot transfer. */
  g_assert_false (jz_sync_transfer (f->a, "episode", e, B, &error));
  g_clear_error (&error);

  /* 提级办理 by hub staff: the episode moves to B. */
  g_assert_true (jz_sync_transfer (f->h, "episode", e, B, &error));
  g_assert_no_error (error);
  sync_ok (f->h);
  sync_ok (f->b);
  station = store_text (f->b, "SELECT station FROM episode WHERE id = ?1", e);
  g_assert_cmpstr (station, ==, B);
  g_clear_pointer (&station, g_free);
  /* B sees all of the person now, not only the registry's part. */
  station = store_text (f->b, "SELECT description FROM person WHERE id = ?1", p);
  g_assert_cmpstr (station, ==, "高个子");
  g_clear_pointer (&station, g_free);

  sync_ok (f->a);
  station = store_text (f->a, "SELECT station FROM episode WHERE id = ?1", e);
  g_assert_cmpstr (station, ==, B);
  g_assert_cmpint (hub_count (f, "SELECT count (*) FROM record WHERE entity = 'episode' AND owner = '" B "'"), ==, 1);
}

static void
test_hub_restored (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *backup = g_build_filename (f->dir, "hub-backup.db", NULL);
  g_autofree char *listen = NULL;
  g_autoptr(GFile) src = g_file_new_for_path (f->hub_db);
  g_autoptr(GFile) dst = g_file_new_for_path (backup);
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  gint64 total;

  enrol (f, f->a);
  enrol (f, f->h);
  add_person (f->a, "张三", NULL);
  sync_ok (f->a);
  sync_ok (f->h);

  /* A backup of the hub, taken while stopped. */
  hub_stop (f);
  g_assert_true (g_file_copy (src, dst, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error));
  uri = g_uri_parse (f->url, G_URI_FLAGS_NONE, &error);
  listen = g_strdup_printf ("127.0.0.1:%d", g_uri_get_port (uri));
  hub_start (f, listen, NULL);

  add_person (f->a, "李四", NULL);
  add_person (f->a, "王五", NULL);
  sync_ok (f->a);
  sync_ok (f->h);
  total = store_count (f->a, "SELECT count (*) FROM outbox", NULL);
  g_assert_cmpint (hub_count (f, "SELECT count (*) FROM change WHERE station = '" A "'"), ==, total);

  /* The hub's disk dies; it comes back from the older backup. */
  hub_stop (f);
  g_unlink (f->hub_db);
  {
    g_autofree char *wal = g_strconcat (f->hub_db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (f->hub_db, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  g_assert_true (g_file_copy (dst, src, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error));
  hub_start (f, listen, NULL);

  /* The stations notice and send again what the hub lost. */
  sync_ok (f->a);
  g_assert_cmpint (hub_count (f, "SELECT count (*) FROM change WHERE station = '" A "'"), ==, total);
  sync_ok (f->h);
  g_assert_cmpint (store_count (f->h, "SELECT count (*) FROM person", NULL), ==, 3);
  assert_store_ok (f->h);
}

static void
test_tls (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzHubStore) hub = NULL;
  g_autofree char *code = NULL;
  g_autofree char *pin = NULL;
  g_autoptr(JzStore) c = NULL;

  if (f->cert == NULL)
    {
      g_test_skip ("openssl is not installed");
      return;
    }
  g_assert_true (g_str_has_prefix (f->url, "https://"));
  g_assert_true (g_str_has_prefix (f->pin, "sha256//"));

  /* Taken on first use, and it is the hub's. */
  hub = hub_store (f);
  code = jz_hub_store_enrol_device (hub, A, NULL, NULL, &error);
  g_clear_object (&hub);
  g_assert_true (jz_sync_enrol (f->a, f->url, code, NULL, &pin, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (pin, ==, f->pin);
  add_person (f->a, "张三", NULL);
  sync_ok (f->a);
  g_assert_cmpint (hub_count (f, "SELECT count (*) FROM change"), ==, 1);

  /* Another certificate than the pinned one: nothing is sent. */
  g_clear_pointer (&code, g_free);
  hub = hub_store (f);
  code = jz_hub_store_enrol_device (hub, B, NULL, NULL, &error);
  g_clear_object (&hub);
  g_assert_false (jz_sync_enrol (f->b, f->url, code, "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                                 NULL, &error));
  g_assert_error (error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_PIN);
}

/* A hub that refuses a push as too large (one that takes fewer changes
 * per push, here a small body limit): the station pushes smaller batches,
 * and everything arrives once. */
static void
test_smaller_batches (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *limits[] = { "--max-body", "16384", NULL };
  guint n = JZ_PROTOCOL_MAX_BATCH + 100;
  JzSyncStats stats;

  hub_stop (f);
  hub_start (f, NULL, limits);
  enrol (f, f->a);
  g_assert_true (jz_store_write_begin (f->a, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("人员%u", i * 7919);
      g_autofree char *id = add_person (f->a, name, i % 3 ? NULL : "身材偏瘦，穿深色外套");
    }
  g_assert_true (jz_store_write_end (f->a, TRUE, &error));
  g_assert_no_error (error);

  stats = sync_ok (f->a);
  g_assert_cmpint (stats.pushed, ==, n);
  /* Two pushes would have carried them at the protocol's largest batch. */
  g_assert_cmpint (stats.push_requests, >, 2);
  g_assert_cmpint (hub_count (f, "SELECT count (*) FROM change WHERE station = '" A "'"), ==, n);
  g_assert_cmpint (hub_count (f, "SELECT count (DISTINCT seq) FROM change WHERE station = '" A "'"), ==, n);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  curl_global_init (CURL_GLOBAL_DEFAULT);

#define ADD(path, func, tls) \
  g_test_add (path, Fixture, GINT_TO_POINTER (tls), fixture_setup, func, fixture_teardown)
  ADD ("/sync/roundtrip", test_roundtrip, FALSE);
  ADD ("/sync/conflict", test_conflict, FALSE);
  ADD ("/sync/refusals", test_refusals, FALSE);
  ADD ("/sync/smaller-batches", test_smaller_batches, FALSE);
  ADD ("/sync/foreign-edit", test_foreign_edit, FALSE);
  ADD ("/sync/blobs", test_blobs, FALSE);
  ADD ("/sync/rate-limit", test_rate_limit, FALSE);
  ADD ("/sync/client-thread", test_client_thread, FALSE);
  ADD ("/sync/transfer", test_transfer, FALSE);
  ADD ("/sync/hub-restored", test_hub_restored, FALSE);
  ADD ("/sync/tls", test_tls, TRUE);
#undef ADD

  return g_test_run ();
}
