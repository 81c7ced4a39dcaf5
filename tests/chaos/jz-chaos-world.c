/* jz-chaos-world.c: the chaos test's world of processes, its workload and
 * its faults
 *
 * Processes (all on 127.0.0.1):
 *   jiuzhu-hub serve            on a port chosen once and kept, so that a
 *                               kill -9 and a restart (or a restore from a
 *                               backup) bring it back where stations look
 *   jz-fault-proxy × 4          one per replica, between it and the hub
 *   jz-chaos-station × 4        the writes (saves) of each replica
 *   jiuzhu-cli sync [--once]    each replica's sync process
 * Stations' processes (agent and sync) may run under libfaketime with a
 * clock days ahead or behind.
 *
 * Nothing here waits by sleeping for something to happen: a process is
 * known to be up when it says so on stdout, a save when its reply arrives,
 * quiescence when a full pass of syncs moves nothing. The pauses between
 * steps only pace the workload so that syncs run while it goes on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-chaos"

#include "jz-chaos-world.h"
#include "jz-chaos-oracle.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gprintf.h>
#include <glib/gstdio.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

/* Requests of a sync that stalls (a blackhole) are given up after this;
 * short, so that a round sees many syncs. */
#define SYNC_TIMEOUT_MS          "2000"
#define SYNC_CONNECT_TIMEOUT_MS  "1000"
#define MAX_QUIESCE_PASSES       14
#define MAX_QUIESCE_US           (90 * G_USEC_PER_SEC)

static const char *county_codes[] = { "320505-01", "320506-01", "320507-01" };
static const char *hub_code = "320500-01";
static const char letters[] = "abch";

static char *programs[4];
static const char *program_names[] = { "jiuzhu-hub", "jiuzhu-cli", "jz-fault-proxy", "jz-chaos-station" };
static const char *program_envs[] = { "JIUZHU_HUB", "JIUZHU_CLI", "JZ_FAULT_PROXY", "JZ_CHAOS_STATION" };
static const char *program_paths[] = { "src/hub/jiuzhu-hub", "src/cli/jiuzhu-cli", "tests/jz-fault-proxy",
                                       "tests/chaos/jz-chaos-station" };
static char *faketime_lib;

/* Programs */

gboolean
jz_chaos_find_programs (GError **error)
{
  const char *build = g_getenv ("JIUZHU_BUILD_ROOT");
  static const char *faketime_paths[] = {
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1",
    "/usr/lib/faketime/libfaketimeMT.so.1",
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    {
      const char *env = g_getenv (program_envs[i]);

      g_free (programs[i]);
      if (env != NULL)
        programs[i] = g_strdup (env);
      else if (build != NULL)
        programs[i] = g_build_filename (build, program_paths[i], NULL);
      else
        programs[i] = NULL;
      if (programs[i] == NULL || !g_file_test (programs[i], G_FILE_TEST_IS_EXECUTABLE))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "%s not found (set %s or JIUZHU_BUILD_ROOT)", program_names[i], program_envs[i]);
          return FALSE;
        }
    }

  g_clear_pointer (&faketime_lib, g_free);
  if (g_getenv ("JZ_FAKETIME_LIB") != NULL)
    faketime_lib = g_strdup (g_getenv ("JZ_FAKETIME_LIB"));
  for (guint i = 0; faketime_lib == NULL && i < G_N_ELEMENTS (faketime_paths); i++)
    if (g_file_test (faketime_paths[i], G_FILE_TEST_EXISTS))
      faketime_lib = g_strdup (faketime_paths[i]);
  if (faketime_lib != NULL && *faketime_lib == '\0')
    g_clear_pointer (&faketime_lib, g_free);
  return TRUE;
}

gboolean
jz_chaos_have_faketime (void)
{
  return faketime_lib != NULL;
}

const char *
jz_chaos_program (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    if (g_str_equal (name, program_names[i]))
      return programs[i];
  g_return_val_if_reached (NULL);
}

/* Log of a round: what was drawn, for the report of a failure. */
static void
note (JzChaosWorld *w,
      const char   *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
note (JzChaosWorld *w,
      const char   *format,
      ...)
{
  va_list args;

  g_string_append_printf (w->log, "  r%u s%u ", w->round, w->step);
  va_start (args, format);
  g_string_append_vprintf (w->log, format, args);
  va_end (args);
  g_string_append_c (w->log, '\n');
  if (g_getenv ("JZ_CHAOS_VERBOSE") != NULL)
    {
      va_start (args, format);
      g_printerr ("[%" G_GUINT64_FORMAT " r%u s%u] ", w->seed, w->round, w->step);
      g_vfprintf (stderr, format, args);
      g_printerr ("\n");
      va_end (args);
    }
}

/* Processes */

static GSubprocess *
spawn (JzChaosWorld        *w,
       JzChaosReplica      *r,
       GSubprocessFlags     flags,
       const char          *log_name,
       const char * const  *argv,
       GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *data_dir = g_build_filename (w->dir, "data", NULL);

  env = g_environ_setenv (env, "JIUZHU_DATA_DIR", data_dir, TRUE);
  env = g_environ_setenv (env, "JIUZHU_SYNC_TIMEOUT_MS", SYNC_TIMEOUT_MS, TRUE);
  env = g_environ_setenv (env, "JIUZHU_SYNC_CONNECT_TIMEOUT_MS", SYNC_CONNECT_TIMEOUT_MS, TRUE);
  env = g_environ_unsetenv (env, "LD_PRELOAD");
  env = g_environ_unsetenv (env, "FAKETIME");
  /* MALLOC_CHECK_ and gc-friendly from the test environment would only
   * slow the children down. */
  env = g_environ_unsetenv (env, "MALLOC_CHECK_");
  env = g_environ_unsetenv (env, "G_DEBUG");
  if (r != NULL && r->skew != NULL && faketime_lib != NULL)
    {
      env = g_environ_setenv (env, "LD_PRELOAD", faketime_lib, TRUE);
      env = g_environ_setenv (env, "FAKETIME", r->skew, TRUE);
      env = g_environ_setenv (env, "FAKETIME_DONT_FAKE_MONOTONIC", "1", TRUE);
    }
  g_subprocess_launcher_set_environ (launcher, env);

  if (log_name != NULL)
    {
      g_autofree char *path = g_build_filename (w->dir, "logs", log_name, NULL);
      int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

      if (fd < 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot open %s", path);
          return NULL;
        }
      if (!(flags & G_SUBPROCESS_FLAGS_STDOUT_PIPE))
        g_subprocess_launcher_take_stdout_fd (launcher, dup (fd));
      g_subprocess_launcher_take_stderr_fd (launcher, fd);
    }
  return g_subprocess_launcher_spawnv (launcher, argv, error);
}

static char *
read_line (GDataInputStream  *in,
           const char        *who,
           GError           **error)
{
  g_autoptr(GError) local = NULL;
  char *line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &local);

  if (line == NULL)
    {
      if (local != NULL)
        g_propagate_prefixed_error (error, g_steal_pointer (&local), "%s: ", who);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "%s went away", who);
    }
  return line;
}

static gboolean
write_line (GOutputStream  *out,
            const char     *line,
            GError        **error)
{
  g_autofree char *text = g_strconcat (line, "\n", NULL);

  return g_output_stream_write_all (out, text, strlen (text), NULL, NULL, error) &&
         g_output_stream_flush (out, NULL, error);
}

gboolean
jz_chaos_run_program (JzChaosWorld    *w,
                      JzChaosReplica  *r,
                      const char     **argv,
                      char           **out,
                      int             *status,
                      GError         **error)
{
  g_autoptr(GSubprocess) proc = spawn (w, r, G_SUBPROCESS_FLAGS_STDOUT_PIPE, "programs.log", argv, error);

  if (proc == NULL)
    return FALSE;
  if (!g_subprocess_communicate_utf8 (proc, NULL, NULL, out, NULL, error))
    return FALSE;
  if (status != NULL)
    *status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
  return TRUE;
}

static gboolean
on_pause_done (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Paces the workload; the main context runs (sync relaunches). */
static void
pause_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_pause_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static guint16
free_port (GError **error)
{
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  if (sock == NULL || !g_socket_bind (sock, any, TRUE, error))
    return 0;
  bound = g_socket_get_local_address (sock, error);
  if (bound == NULL)
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* The hub */

static gboolean
hub_start (JzChaosWorld  *w,
           GError       **error)
{
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", w->hub_port);
  const char *argv[] = { programs[0], "--db", w->hub_db, "serve", "--listen", listen, "--quiet", NULL };

  g_return_val_if_fail (w->hub == NULL, FALSE);

  /* A port just freed by a killed hub can take a moment to be bindable. */
  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_autoptr(GSubprocess) proc = NULL;
      g_autoptr(GDataInputStream) out = NULL;
      g_autoptr(GError) local = NULL;
      g_autofree char *line = NULL;

      proc = spawn (w, NULL, G_SUBPROCESS_FLAGS_STDOUT_PIPE, "hub.log", argv, error);
      if (proc == NULL)
        return FALSE;
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
      line = read_line (out, "jiuzhu-hub", &local);
      if (line != NULL && g_str_has_prefix (line, "Listening on "))
        {
          w->hub = g_steal_pointer (&proc);
          w->hub_out = g_steal_pointer (&out);
          w->hub_generation++;
          return TRUE;
        }
      g_subprocess_wait (proc, NULL, NULL);
      pause_ms (20);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "jiuzhu-hub did not start on port %u (see hub.log)",
               w->hub_port);
  return FALSE;
}

static void
hub_kill (JzChaosWorld *w,
          gboolean      clean)
{
  if (w->hub == NULL)
    return;
  if (clean)
    g_subprocess_send_signal (w->hub, SIGTERM);
  else
    g_subprocess_force_exit (w->hub);
  g_subprocess_wait (w->hub, NULL, NULL);
  g_clear_object (&w->hub_out);
  g_clear_object (&w->hub);
}

static gboolean
hub_backup (JzChaosWorld  *w,
            GError       **error)
{
  g_autofree char *name = g_strdup_printf ("hub-backup-%u.db", w->backups->len + 1);
  g_autofree char *path = g_build_filename (w->dir, name, NULL);
  sqlite3 *src = NULL;
  sqlite3 *dst = NULL;
  sqlite3_backup *b;
  int rc = SQLITE_ERROR;

  /* The online backup API: a consistent copy while the hub writes, as an
   * administrator's nightly backup would be. */
  if (sqlite3_open_v2 (w->hub_db, &src, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_open_v2 (path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) == SQLITE_OK)
    {
      sqlite3_busy_timeout (src, 5000);
      b = sqlite3_backup_init (dst, "main", src, "main");
      if (b != NULL)
        {
          do
            {
              rc = sqlite3_backup_step (b, -1);
              if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                sqlite3_sleep (5);
            }
          while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
          sqlite3_backup_finish (b);
        }
    }
  sqlite3_close_v2 (src);
  sqlite3_close_v2 (dst);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "backup of the hub failed: %s", sqlite3_errstr (rc));
      return FALSE;
    }
  g_ptr_array_add (w->backups, g_steal_pointer (&path));
  return TRUE;
}

static gboolean
hub_restore (JzChaosWorld  *w,
             const char    *backup,
             GError       **error)
{
  g_autoptr(GFile) src = g_file_new_for_path (backup);
  g_autoptr(GFile) dst = g_file_new_for_path (w->hub_db);
  g_autofree char *wal = g_strconcat (w->hub_db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (w->hub_db, "-shm", NULL);

  /* The machine died; the administrator puts back last night's copy. */
  hub_kill (w, FALSE);
  g_unlink (wal);
  g_unlink (shm);
  if (!g_file_copy (src, dst, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error))
    return FALSE;
  return hub_start (w, error);
}

/* Proxies */

static gboolean
proxy_command (JzChaosReplica  *r,
               const char      *command,
               GError         **error)
{
  g_autofree char *reply = NULL;

  if (!write_line (r->proxy_in, command, error))
    return FALSE;
  reply = read_line (r->proxy_out, "jz-fault-proxy", error);
  if (reply == NULL)
    return FALSE;
  if (!g_str_has_prefix (reply, "ok"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "proxy %c: “%s” → %s", r->letter, command, reply);
      return FALSE;
    }
  return TRUE;
}

static gboolean
proxy_start (JzChaosWorld    *w,
             JzChaosReplica  *r,
             GError         **error)
{
  g_autofree char *upstream = g_strdup_printf ("127.0.0.1:%u", w->hub_port);
  g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, w->seed * 8 + (guint64) (r->letter - 'a'));
  g_autofree char *log_name = g_strdup_printf ("proxy-%c.log", r->letter);
  g_autofree char *log_path = g_build_filename (w->dir, "logs", log_name, NULL);
  g_autofree char *line = NULL;
  const char *argv[] = {
    programs[2], "--upstream", upstream, "--seed", seed, "--fault-rate", "0",
    "--schedule-by", "request", "--idle-timeout-ms", "3000", "--max-delay-ms", "150",
    "--bandwidth", "16384", "--lifetime-s", "7200", "--log-file", log_path, NULL
  };

  r->proxy = spawn (w, NULL, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, NULL, argv, error);
  if (r->proxy == NULL)
    return FALSE;
  r->proxy_in = g_object_ref (g_subprocess_get_stdin_pipe (r->proxy));
  r->proxy_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (r->proxy));
  line = read_line (r->proxy_out, "jz-fault-proxy", error);
  if (line == NULL)
    return FALSE;
  if (sscanf (line, "PORT %hu", &r->proxy_port) != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "jz-fault-proxy said “%s”", line);
      return FALSE;
    }
  return TRUE;
}

/* Agents */

static gboolean
agent_start (JzChaosWorld    *w,
             JzChaosReplica  *r,
             GError         **error)
{
  g_autofree char *actor = g_strdup_printf ("staff-%c", r->letter);
  g_autofree char *log_name = g_strdup_printf ("agent-%c.log", r->letter);
  g_autofree char *line = NULL;
  g_auto(GStrv) words = NULL;
  const char *argv[] = { programs[3], r->db_path, actor, NULL };

  r->agent = spawn (w, r, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, log_name, argv, error);
  if (r->agent == NULL)
    return FALSE;
  r->agent_in = g_object_ref (g_subprocess_get_stdin_pipe (r->agent));
  r->agent_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (r->agent));
  line = read_line (r->agent_out, "jz-chaos-station", error);
  if (line == NULL)
    return FALSE;
  words = g_strsplit (line, " ", 3);
  if (g_strv_length (words) != 3 || !g_str_equal (words[0], "ready"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "jz-chaos-station %c said “%s”", r->letter, line);
      return FALSE;
    }
  g_free (r->epoch);
  r->epoch = g_strdup (words[2]);
  return TRUE;
}

static void
agent_stop (JzChaosReplica *r)
{
  if (r->agent == NULL)
    return;
  write_line (r->agent_in, "quit", NULL);
  g_output_stream_close (r->agent_in, NULL, NULL);
  g_subprocess_wait (r->agent, NULL, NULL);
  g_clear_object (&r->agent_in);
  g_clear_object (&r->agent_out);
  g_clear_object (&r->agent);
}

static void
save_free (gpointer data)
{
  JzChaosSave *s = data;

  g_free (s->station);
  g_free (s->epoch);
  g_free (s->entity);
  g_free (s->id);
  g_free (s->op);
  g_free (s->field);
  g_free (s->value);
  g_free (s);
}

static void
entry_free (gpointer data)
{
  JzChaosEntry *e = data;

  g_free (e->entity);
  g_free (e->id);
  g_free (e->owner);
  g_free (e->parent);
  g_clear_pointer (&e->visible, g_ptr_array_unref);
  g_free (e);
}

static void
catalog_add (JzChaosWorld *w,
             const char   *entity,
             const char   *id,
             const char   *owner,
             const char   *parent,
             gboolean      deleted)
{
  char *key = g_strconcat (entity, "/", id, NULL);
  JzChaosEntry *e;

  if (g_hash_table_contains (w->catalog, key))
    {
      g_free (key);
      return;
    }
  e = g_new0 (JzChaosEntry, 1);
  e->entity = g_strdup (entity);
  e->id = g_strdup (id);
  e->owner = g_strdup (owner);
  e->parent = g_strdup (parent);
  e->deleted = deleted;
  e->round = w->round;
  e->visible = g_ptr_array_new_with_free_func (g_free);
  g_hash_table_insert (w->catalog, key, e);
  g_ptr_array_add (w->catalog_keys, key);
}

/* Sends one command; on "ok" records the saves it wrote and returns the
 * record's id. Any other reply is a refused save (NULL, no error); only a
 * dead agent is an error. */
static char *
agent_call (JzChaosWorld    *w,
            JzChaosReplica  *r,
            const char      *field,
            const char      *value,
            GError         **error,
            const char      *format,
            ...) G_GNUC_PRINTF (6, 7);

static char *
agent_call (JzChaosWorld    *w,
            JzChaosReplica  *r,
            const char      *field,
            const char      *value,
            GError         **error,
            const char      *format,
            ...)
{
  g_autofree char *command = NULL;
  g_autofree char *reply = NULL;
  g_auto(GStrv) words = NULL;
  g_auto(GStrv) seqs = NULL;
  va_list args;

  va_start (args, format);
  command = g_strdup_vprintf (format, args);
  va_end (args);

  w->stats.ops++;
  if (!write_line (r->agent_in, command, error))
    return NULL;
  reply = read_line (r->agent_out, "jz-chaos-station", error);
  if (reply == NULL)
    return NULL;
  if (!g_str_has_prefix (reply, "ok "))
    {
      w->stats.refused++;
      note (w, "%c: %s → %s", r->letter, command, reply);
      return NULL;
    }
  words = g_strsplit (reply, " ", 4);
  if (g_strv_length (words) != 4)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "agent %c: bad reply “%s”", r->letter, reply);
      return NULL;
    }
  note (w, "%c: %s → ok %s", r->letter, command, words[2]);
  if (!g_str_equal (words[2], "-"))
    {
      seqs = g_strsplit (words[2], ",", -1);
      for (guint i = 0; seqs[i] != NULL; i++)
        {
          g_auto(GStrv) parts = g_strsplit (seqs[i], ":", 4);
          JzChaosSave *s;

          if (g_strv_length (parts) != 4)
            continue;
          s = g_new0 (JzChaosSave, 1);
          s->station = g_strdup (r->station);
          s->epoch = g_strdup (r->epoch);
          s->seq = g_ascii_strtoll (parts[0], NULL, 10);
          s->entity = g_strdup (parts[1]);
          s->id = g_strdup (parts[2]);
          s->op = g_strdup (parts[3]);
          s->round = w->round;
          s->cursor = g_ascii_strtoll (words[3], NULL, 10);
          s->restores = w->stats.hub_restores;
          /* The edit's own row carries the field written. */
          if (field != NULL && g_str_equal (s->id, words[1]) && g_str_equal (s->op, "update"))
            {
              s->field = g_strdup (field);
              s->value = g_strdup (value);
            }
          g_ptr_array_add (w->saves, s);
          w->stats.saves++;
        }
    }
  return g_strdup (words[1]);
}

/* Sync processes */

typedef struct
{
  JzChaosReplica *r;
  guint           gen;
} SyncWait;

static void sync_launch (JzChaosReplica *r);

static gboolean
on_sync_timer (gpointer data)
{
  JzChaosReplica *r = data;

  r->sync_timer = 0;
  if (r->sync_active && r->sync == NULL)
    sync_launch (r);
  return G_SOURCE_REMOVE;
}

static void
on_sync_exit (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  SyncWait *sw = data;
  g_autoptr(GError) error = NULL;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      JzChaosReplica *r = sw->r;

      if (r->sync == (GSubprocess *) source && r->sync_gen == sw->gen)
        {
          g_clear_object (&r->sync);
          if (r->sync_active && r->sync_timer == 0)
            r->sync_timer = g_timeout_add (g_rand_int_range (r->world->timing, 150, 500), on_sync_timer, r);
        }
    }
  g_free (sw);
}

static void
sync_launch (JzChaosReplica *r)
{
  JzChaosWorld *w = r->world;
  g_autofree char *log_name = g_strdup_printf ("sync-%c.log", r->letter);
  g_autoptr(GError) error = NULL;
  const char *once[] = { programs[1], "--profile", r->profile, "sync", "--once", NULL };
  const char *daemon[] = { programs[1], "--profile", r->profile, "sync", "--interval", "1", NULL };
  SyncWait *sw;

  r->sync = spawn (w, r, G_SUBPROCESS_FLAGS_NONE, log_name, r->sync_daemon ? daemon : once, &error);
  if (r->sync == NULL)
    {
      g_warning ("cannot start the sync of %c: %s", r->letter, error->message);
      return;
    }
  r->sync_gen++;
  r->sync_runs++;
  sw = g_new0 (SyncWait, 1);
  sw->r = r;
  sw->gen = r->sync_gen;
  g_subprocess_wait_async (r->sync, w->cancellable, on_sync_exit, sw);
}

static void
sync_start (JzChaosReplica *r)
{
  r->sync_active = TRUE;
  if (r->sync == NULL && r->sync_timer == 0)
    sync_launch (r);
}

/* Stops the sync process: a daemon with SIGTERM (a clean stop is part of
 * what is tested), a --once run is let finish. */
static gboolean
sync_stop (JzChaosReplica  *r,
           GError         **error)
{
  r->sync_active = FALSE;
  if (r->sync_timer != 0)
    {
      g_source_remove (r->sync_timer);
      r->sync_timer = 0;
    }
  if (r->sync == NULL)
    return TRUE;
  if (r->sync_daemon)
    g_subprocess_send_signal (r->sync, SIGTERM);
  {
    gboolean timed_out = FALSE;
    guint timer = g_timeout_add (15000, on_pause_done, &timed_out);

    /* on_sync_exit clears r->sync when the process has gone. */
    while (r->sync != NULL && !timed_out)
      g_main_context_iteration (NULL, TRUE);
    if (!timed_out)
      g_source_remove (timer);
  }
  if (r->sync != NULL)
    {
      g_subprocess_force_exit (r->sync);
      g_subprocess_wait (r->sync, NULL, NULL);
      g_clear_object (&r->sync);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "the sync process of %c did not stop within 15 s of %s", r->letter,
                   r->sync_daemon ? "SIGTERM" : "the heal");
      return FALSE;
    }
  return TRUE;
}

static void
sync_kill (JzChaosReplica *r)
{
  if (r->sync != NULL)
    g_subprocess_force_exit (r->sync);
}

/* Setup */

static gboolean
hub_admin (JzChaosWorld  *w,
           const char   **args,
           char         **out,
           GError       **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  int status = 0;

  g_ptr_array_add (argv, programs[0]);
  g_ptr_array_add (argv, "--db");
  g_ptr_array_add (argv, w->hub_db);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!jz_chaos_run_program (w, NULL, (const char **) argv->pdata, out, &status, error))
    return FALSE;
  if (status != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "jiuzhu-hub %s %s exited with %d", args[0], args[1], status);
      return FALSE;
    }
  return TRUE;
}

static char *
enrol_code (JzChaosWorld  *w,
            const char    *station,
            GError       **error)
{
  const char *args[] = { "device", "enrol", "--station", station, "--json", NULL };
  g_autofree char *out = NULL;
  json_object *obj;
  json_object *code = NULL;
  char *text = NULL;

  if (!hub_admin (w, args, &out, error))
    return NULL;
  obj = json_tokener_parse (out);
  if (obj != NULL && json_object_object_get_ex (obj, "code", &code))
    text = g_strdup (json_object_get_string (code));
  json_object_put (obj);
  if (text == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "device enrol printed “%s”", out);
  return text;
}

static const char *skews[] = { "+2d", "-2d", "+36h", "-3d", "+5h", "-30m", "+1d" };

static gboolean
replica_setup (JzChaosWorld    *w,
               JzChaosReplica  *r,
               GError         **error)
{
  g_autofree char *code = NULL;
  g_autofree char *url = NULL;
  g_autofree char *out = NULL;
  g_autofree char *name = g_strdup_printf ("Chaos %c", r->letter);
  int status = 0;
  const char *init[] = { programs[1], "--profile", r->profile, "init", "--station-code", r->station,
                         "--station-name", name, "--level", r->hub_level ? "hub" : "county", NULL };
  const char *enrol[] = { programs[1], "--profile", r->profile, "enrol", NULL, NULL, NULL };

  if (!proxy_start (w, r, error))
    return FALSE;
  code = enrol_code (w, r->station, error);
  if (code == NULL)
    return FALSE;
  if (!jz_chaos_run_program (w, r, init, &out, &status, error))
    return FALSE;
  if (status != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "jiuzhu-cli init for %c exited with %d", r->letter, status);
      return FALSE;
    }
  url = g_strdup_printf ("http://127.0.0.1:%u", r->proxy_port);
  enrol[4] = url;
  enrol[5] = code;
  g_clear_pointer (&out, g_free);
  if (!jz_chaos_run_program (w, r, enrol, &out, &status, error))
    return FALSE;
  if (status != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "jiuzhu-cli enrol for %c exited with %d", r->letter, status);
      return FALSE;
    }
  if (!agent_start (w, r, error))
    return FALSE;

  /* A room with two beds at each county station. */
  if (!r->hub_level)
    {
      g_autofree char *room = agent_call (w, r, NULL, NULL, error, "create room R%c", r->letter);

      if (room == NULL)
        return FALSE;
      catalog_add (w, "room", room, r->station, NULL, FALSE);
      for (int i = 1; i <= 2; i++)
        {
          char *bed = agent_call (w, r, NULL, NULL, error, "create bed %s %c%d", room, r->letter, i);

          if (bed == NULL)
            return FALSE;
          catalog_add (w, "bed", bed, r->station, room, FALSE);
          g_ptr_array_add (r->beds, bed);
        }
    }
  return TRUE;
}

JzChaosWorld *
jz_chaos_world_new (guint64            seed,
                    JzChaosWorldFlags  flags,
                    GError           **error)
{
  g_autoptr(JzChaosWorld) w = g_new0 (JzChaosWorld, 1);
  guint32 seeds[2] = { (guint32) seed, (guint32) (seed >> 32) };
  g_autofree char *logs = NULL;
  g_autofree char *data = NULL;
  const char *rate = g_getenv ("JZ_CHAOS_BED_RATE");
  g_auto(GStrv) avoid = g_strsplit (g_getenv ("JZ_CHAOS_AVOID") ? g_getenv ("JZ_CHAOS_AVOID") : "", ",", -1);

  w->seed = seed;
  w->rand = g_rand_new_with_seed_array (seeds, 2);
  seeds[1] ^= 0x5eed;
  w->timing = g_rand_new_with_seed_array (seeds, 2);
  w->cancellable = g_cancellable_new ();
  w->backups = g_ptr_array_new_with_free_func (g_free);
  w->saves = g_ptr_array_new_with_free_func (save_free);
  w->catalog = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);
  w->catalog_keys = g_ptr_array_new ();
  w->log = g_string_new (NULL);
  w->keep = g_getenv ("JZ_CHAOS_KEEP") != NULL;
  w->bed_rate = rate != NULL ? g_ascii_strtod (rate, NULL) : 0.3;
  /* JZ_CHAOS_AVOID=beds,restore,delete,transfer leaves a kind of step out,
   * to look past a known failure; the draws stay the same. */
  w->restores_allowed = !g_strv_contains ((const char * const *) avoid, "restore");
  w->deletes_allowed = !g_strv_contains ((const char * const *) avoid, "delete");
  w->transfers_allowed = !g_strv_contains ((const char * const *) avoid, "transfer");
  if (g_strv_contains ((const char * const *) avoid, "beds"))
    w->bed_rate = 0;

  w->dir = g_dir_make_tmp ("jz-chaos-XXXXXX", error);
  if (w->dir == NULL)
    return NULL;
  logs = g_build_filename (w->dir, "logs", NULL);
  data = g_build_filename (w->dir, "data", NULL);
  g_mkdir_with_parents (logs, 0700);
  g_mkdir_with_parents (data, 0700);
  w->hub_db = g_build_filename (w->dir, "hub.db", NULL);

  for (guint i = 0; i < JZ_CHAOS_N_REPLICAS; i++)
    {
      JzChaosReplica *r = g_new0 (JzChaosReplica, 1);
      guint skew = g_rand_int_range (w->rand, 0, 2 * G_N_ELEMENTS (skews));

      r->world = w;
      r->letter = letters[i];
      r->hub_level = i == JZ_CHAOS_HUB_REPLICA;
      r->station = g_strdup (r->hub_level ? hub_code : county_codes[i]);
      r->profile = g_strdup_printf ("%c", r->letter);
      r->db_path = g_build_filename (data, r->profile, "station.db", NULL);
      /* Half of the replicas have a clock days or hours off. */
      r->skew = skew < G_N_ELEMENTS (skews) && faketime_lib != NULL && !(flags & JZ_CHAOS_WORLD_NO_SKEW)
              ? g_strdup (skews[skew]) : NULL;
      if ((flags & JZ_CHAOS_WORLD_FAST_H) && r->hub_level && faketime_lib != NULL)
        r->skew = g_strdup ("+36h");
      r->beds = g_ptr_array_new_with_free_func (g_free);
      w->replicas[i] = r;
    }

  /* The hub: four stations (one of them the city's hub level), a device
   * for each, served on a port kept for the world's life. */
  for (guint i = 0; i < JZ_CHAOS_N_REPLICAS; i++)
    {
      JzChaosReplica *r = w->replicas[i];
      g_autofree char *name = g_strdup_printf ("Chaos station %c", r->letter);
      const char *args[] = { "station", "add", "--code", r->station, "--name", name,
                             "--level", r->hub_level ? "hub" : "county", NULL };

      if (!hub_admin (w, args, NULL, error))
        return NULL;
    }
  w->hub_port = free_port (error);
  if (w->hub_port == 0 || !hub_start (w, error))
    return NULL;

  for (guint i = 0; i < JZ_CHAOS_N_REPLICAS; i++)
    if (!replica_setup (w, w->replicas[i], error))
      return NULL;

  for (guint i = 0; i < JZ_CHAOS_N_REPLICAS; i++)
    note (w, "replica %c station %s epoch %s clock %s", w->replicas[i]->letter, w->replicas[i]->station,
          w->replicas[i]->epoch, w->replicas[i]->skew ? w->replicas[i]->skew : "true");
  return g_steal_pointer (&w);
}

void
jz_chaos_world_free (JzChaosWorld *w)
{
  if (w == NULL)
    return;
  if (w->cancellable != NULL)
    g_cancellable_cancel (w->cancellable);
  for (guint i = 0; i < JZ_CHAOS_N_REPLICAS; i++)
    {
      JzChaosReplica *r = w->replicas[i];

      if (r == NULL)
        continue;
      r->sync_active = FALSE;
      if (r->sync_timer != 0)
        g_source_remove (r->sync_timer);
      if (r->sync != NULL)
        {
          g_subprocess_force_exit (r->sync);
          g_subprocess_wait (r->sync, NULL, NULL);
          g_clear_object (&r->sync);
        }
      agent_stop (r);
      if (r->proxy != NULL)
        {
          write_line (r->proxy_in, "quit", NULL);
          g_output_stream_close (r->proxy_in, NULL, NULL);
          g_subprocess_wait (r->proxy, NULL, NULL);
        }
      g_clear_object (&r->proxy_in);
      g_clear_object (&r->proxy_out);
      g_clear_object (&r->proxy);
      g_free (r->station);
      g_free (r->profile);
      g_free (r->db_path);
      g_free (r->epoch);
      g_free (r->skew);
      g_free (r->device);
      g_clear_pointer (&r->beds, g_ptr_array_unref);
      g_free (r);
    }
  hub_kill (w, TRUE);
  /* Let cancelled waits run their callbacks before the memory goes. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (w->dir != NULL && !w->keep)
    {
      g_autofree char *quoted = g_shell_quote (w->dir);
      g_autofree char *cmd = g_strdup_printf ("rm -rf %s", quoted);

      if (!g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL))
        g_warning ("could not remove %s", w->dir);
    }
  g_clear_pointer (&w->rand, g_rand_free);
  g_clear_pointer (&w->timing, g_rand_free);
  g_clear_object (&w->cancellable);
  g_clear_pointer (&w->backups, g_ptr_array_unref);
  g_clear_pointer (&w->saves, g_ptr_array_unref);
  g_clear_pointer (&w->catalog_keys, g_ptr_array_unref);
  g_clear_pointer (&w->catalog, g_hash_table_unref);
  if (w->log != NULL)
    g_string_free (w->log, TRUE);
  g_free (w->dir);
  g_free (w->hub_db);
  g_free (w);
}

/* The workload */

typedef struct
{
  const char *entity;
  const char *field;
  gboolean    text;
  int         min;
  int         max;
} EditField;

/* Fields a person edits often; service_log is append-only by design and is
 * never edited. */
static const EditField edit_fields[] = {
  { "person", "description", TRUE, 0, 0 },
  { "person", "dialect", TRUE, 0, 0 },
  { "person", "marks", TRUE, 0, 0 },
  { "person", "clothing", TRUE, 0, 0 },
  { "person", "height_cm", FALSE, 100, 200 },
  { "episode", "reason", TRUE, 0, 0 },
  { "episode", "history", TRUE, 0, 0 },
  { "episode", "handover_form_no", TRUE, 0, 0 },
  { "episode", "assistance", FALSE, 0, 127 },
  { "belonging", "storage", TRUE, 0, 0 },
  { "belonging", "qty", FALSE, 1, 20 },
};

static JzChaosReplica *
replica_for_station (JzChaosWorld *w,
                     const char   *station)
{
  for (guint i = 0; i < JZ_CHAOS_N_REPLICAS; i++)
    if (g_strcmp0 (w->replicas[i]->station, station) == 0)
      return w->replicas[i];
  return NULL;
}

static gboolean
may_change (JzChaosReplica *r,
            JzChaosEntry   *e)
{
  if (r->hub_level || g_strcmp0 (e->owner, r->station) == 0)
    return TRUE;
  for (guint i = 0; i < e->visible->len; i++)
    if (g_str_equal (e->visible->pdata[i], r->station))
      return TRUE;
  return FALSE;
}

/* A record of @entity (NULL: person, episode or belonging) that @r may
 * change (@owned: that it owns), drawn with @pick. */
static JzChaosEntry *
pick_entry (JzChaosWorld   *w,
            JzChaosReplica *r,
            const char     *entity,
            gboolean        owned,
            guint32         pick)
{
  g_autoptr(GPtrArray) candidates = g_ptr_array_new ();

  for (guint i = 0; i < w->catalog_keys->len; i++)
    {
      JzChaosEntry *e = g_hash_table_lookup (w->catalog, w->catalog_keys->pdata[i]);

      if (e->deleted)
        continue;
      /* What was created this round is only at its creator yet. */
      if (e->round != 0 && g_strcmp0 (e->owner, r->station) != 0)
        continue;
      if (entity != NULL ? !g_str_equal (e->entity, entity)
                         : !(g_str_equal (e->entity, "person") || g_str_equal (e->entity, "episode") ||
                             g_str_equal (e->entity, "belonging")))
        continue;
      if (owned ? g_strcmp0 (e->owner, r->station) != 0 : !may_change (r, e))
        continue;
      g_ptr_array_add (candidates, e);
    }
  if (candidates->len == 0)
    return NULL;
  return candidates->pdata[pick % candidates->len];
}

static const EditField *
pick_field (const char *entity,
            guint32     pick)
{
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (edit_fields); i++)
    n += g_str_equal (edit_fields[i].entity, entity);
  if (n == 0)
    return NULL;
  pick %= n;
  for (guint i = 0; i < G_N_ELEMENTS (edit_fields); i++)
    if (g_str_equal (edit_fields[i].entity, entity) && pick-- == 0)
      return &edit_fields[i];
  return NULL;
}

/* A value no other save writes, so that the oracle can follow it. */
static char *
edit_value (JzChaosWorld      *w,
            JzChaosReplica    *r,
            const EditField   *f,
            guint32            draw,
            char             **canon)
{
  if (f->text)
    {
      char *v = g_strdup_printf ("%c.%" G_GUINT64_FORMAT ".%u.%u", r->letter, w->seed, w->round, w->step);

      *canon = jz_chaos_canon_text (v);
      return v;
    }
  else
    {
      gint64 v = f->min + (gint64) (draw % (guint32) (f->max - f->min + 1));

      *canon = jz_chaos_canon_int (v);
      return g_strdup_printf ("%" G_GINT64_FORMAT, v);
    }
}

static gboolean
do_edit (JzChaosWorld     *w,
         JzChaosReplica   *r,
         JzChaosEntry     *e,
         const EditField  *f,
         guint32           draw,
         GError          **error)
{
  g_autofree char *canon = NULL;
  g_autofree char *value = edit_value (w, r, f, draw, &canon);
  g_autofree char *id = NULL;
  g_autoptr(GError) local = NULL;

  id = agent_call (w, r, f->field, canon, &local, "edit %s %s %s %s", e->entity, e->id, f->field, value);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

typedef enum
{
  OP_CREATE_PERSON,
  OP_CREATE_EPISODE,
  OP_CREATE_BELONGING,
  OP_CREATE_SERVICE_LOG,
  OP_EDIT,
  OP_DELETE,
  OP_TRANSFER,
  OP_PAIR,
  N_OPS
} OpKind;

static const guint op_weights[N_OPS] = { 13, 12, 8, 6, 30, 6, 7, 14 };

static guint
weighted (GRand        *rand,
          const guint  *weights,
          guint         n)
{
  guint total = 0;
  guint x;

  for (guint i = 0; i < n; i++)
    total += weights[i];
  x = g_rand_int_range (rand, 0, total);
  for (guint i = 0; i < n; i++)
    {
      if (x < weights[i])
        return i;
      x -= weights[i];
    }
  return n - 1;
}

static gboolean
do_op (JzChaosWorld  *w,
       GError       **error)
{
  /* Every draw happens whatever the state, so that the sequence of draws
   * (and so the schedule) depends on the seed alone. */
  OpKind kind = weighted (w->rand, op_weights, N_OPS);
  guint ri = g_rand_int_range (w->rand, 0, JZ_CHAOS_N_REPLICAS);
  guint32 pick = g_rand_int (w->rand);
  guint32 pick2 = g_rand_int (w->rand);
  guint32 draw = g_rand_int (w->rand);
  gdouble chance = g_rand_double (w->rand);
  JzChaosReplica *r = w->replicas[ri];
  JzChaosReplica *h = w->replicas[JZ_CHAOS_HUB_REPLICA];
  g_autoptr(GError) local = NULL;
  g_autofree char *id = NULL;
  JzChaosEntry *e;

  switch (kind)
    {
    case OP_CREATE_PERSON:
      {
        static const char *sexes[] = { "male", "female", "unknown" };
        g_autofree char *number = NULL;

        /* Some share an ID number with someone at another station: the
         * hub links them (跑站). */
        if (chance < 0.25)
          number = g_strdup_printf ("3205051980010100%u", pick2 % 8);
        id = agent_call (w, r, NULL, NULL, &local, "create person P%" G_GUINT64_FORMAT "x%ux%u %s %s",
                         w->seed % 1000, w->round, w->step, sexes[pick2 % 3], number ? number : "-");
        if (id != NULL)
          catalog_add (w, "person", id, r->station, NULL, FALSE);
      }
      break;

    case OP_CREATE_EPISODE:
      e = pick_entry (w, r, "person", TRUE, pick);
      if (e != NULL)
        {
          const char *bed = "-";

          if (!r->hub_level && chance < w->bed_rate && r->beds->len > 0)
            bed = r->beds->pdata[pick2 % r->beds->len];
          id = agent_call (w, r, NULL, NULL, &local, "create episode %s %s", e->id, bed);
          if (id != NULL)
            catalog_add (w, "episode", id, r->station, e->id, FALSE);
        }
      break;

    case OP_CREATE_BELONGING:
    case OP_CREATE_SERVICE_LOG:
      e = pick_entry (w, r, "episode", TRUE, pick);
      if (e != NULL)
        {
          gboolean belonging = kind == OP_CREATE_BELONGING;

          if (belonging)
            id = agent_call (w, r, NULL, NULL, &local, "create belonging %s item%u %u", e->id, w->step,
                             1 + pick2 % 5);
          else
            id = agent_call (w, r, NULL, NULL, &local, "create service_log %s n%u.%u", e->id, w->round, w->step);
          if (id != NULL)
            catalog_add (w, belonging ? "belonging" : "service_log", id, r->station, e->id, FALSE);
        }
      break;

    case OP_EDIT:
      e = pick_entry (w, r, NULL, FALSE, pick);
      if (e != NULL)
        return do_edit (w, r, e, pick_field (e->entity, pick2), draw, error);
      break;

    case OP_DELETE:
      {
        static const char *entities[] = { "belonging", "service_log", "belonging", "person", "episode" };

        e = pick_entry (w, r, entities[pick2 % G_N_ELEMENTS (entities)], FALSE, pick);
        if (e != NULL && w->deletes_allowed)
          {
            id = agent_call (w, r, NULL, NULL, &local, "delete %s %s", e->entity, e->id);
            if (id != NULL)
              e->deleted = TRUE;
          }
      }
      break;

    case OP_TRANSFER:
      /* 提级办理 / 转送: the hub workstation moves a county's episode to
       * another county. */
      e = pick_entry (w, h, "episode", FALSE, pick);
      if (e != NULL && w->transfers_allowed && replica_for_station (w, e->owner) != NULL &&
          !replica_for_station (w, e->owner)->hub_level)
        {
          const char *to = county_codes[pick2 % 3];

          if (g_str_equal (to, e->owner))
            to = county_codes[(pick2 + 1) % 3];
          id = agent_call (w, h, NULL, NULL, &local, "transfer episode %s %s", e->id, to);
          if (id != NULL)
            w->stats.transfers++;
        }
      break;

    case OP_PAIR:
      /* The same field of one record changed at two replicas with no
       * sync between: the owner (or a station that sees it) and the hub
       * workstation, or two stations that share a transferred episode. */
      e = pick_entry (w, r, NULL, FALSE, pick);
      if (e != NULL)
        {
          const EditField *f = pick_field (e->entity, pick2);
          JzChaosReplica *first = replica_for_station (w, e->owner);
          JzChaosReplica *second = h;

          if (first == NULL)
            break;
          if (e->visible->len > 0 && chance < 0.5)
            second = replica_for_station (w, e->visible->pdata[draw % e->visible->len]);
          if (second == NULL || second == first)
            second = h;
          if (first == second)
            break;
          w->stats.pairs++;
          if (g_str_equal (e->entity, "belonging") && chance > 0.85 && w->deletes_allowed)
            {
              /* A delete against a concurrent edit. */
              id = agent_call (w, first, NULL, NULL, &local, "delete %s %s", e->entity, e->id);
              if (local == NULL && !do_edit (w, second, e, f, draw, error))
                return FALSE;
              break;
            }
          if (!do_edit (w, first, e, f, draw, error) || !do_edit (w, second, e, f, draw ^ 0x9e3779b9, error))
            return FALSE;
        }
      break;

    default:
      g_assert_not_reached ();
    }

  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

typedef enum
{
  F_PARTITION,
  F_UNPARTITION,
  F_SINGLE_KIND,
  F_RESET,
  F_KILL_SYNC,
  F_KILL_HUB,
  F_TERM_HUB,
  F_BACKUP,
  F_RESTORE,
  N_FAULTS
} FaultKind;

static const guint fault_weights[N_FAULTS] = { 16, 14, 16, 5, 22, 8, 3, 7, 4 };
static const char *single_kinds[] = { "delay", "slow", "cut-request", "close-after-request",
                                      "truncate-response", "rst" };

static gboolean
do_fault (JzChaosWorld  *w,
          guint         *hub_down_until,
          guint         *restores,
          GError       **error)
{
  FaultKind kind = weighted (w->rand, fault_weights, N_FAULTS);
  guint ri = g_rand_int_range (w->rand, 0, JZ_CHAOS_N_REPLICAS);
  guint32 pick = g_rand_int (w->rand);
  JzChaosReplica *r = w->replicas[ri];

  switch (kind)
    {
    case F_PARTITION:
      note (w, "partition %c", r->letter);
      w->stats.proxy_events++;
      return proxy_command (r, "mode blackhole", error);
    case F_UNPARTITION:
      note (w, "faults again at %c", r->letter);
      w->stats.proxy_events++;
      return proxy_command (r, "mode faults", error);
    case F_SINGLE_KIND:
      {
        g_autofree char *cmd = g_strdup_printf ("mode %s", single_kinds[pick % G_N_ELEMENTS (single_kinds)]);

        note (w, "%s at %c", cmd, r->letter);
        w->stats.proxy_events++;
        return proxy_command (r, cmd, error);
      }
    case F_RESET:
      note (w, "reset connections at %c", r->letter);
      w->stats.proxy_events++;
      return proxy_command (r, "reset", error);
    case F_KILL_SYNC:
      if (r->sync != NULL)
        {
          note (w, "kill -9 sync of %c", r->letter);
          w->stats.sync_kills++;
          sync_kill (r);
        }
      return TRUE;
    case F_KILL_HUB:
      if (w->hub != NULL)
        {
          note (w, "kill -9 hub (down %u steps)", 1 + pick % 4);
          w->stats.hub_kills++;
          hub_kill (w, FALSE);
          *hub_down_until = w->step + 1 + pick % 4;
        }
      return TRUE;
    case F_TERM_HUB:
      if (w->hub != NULL)
        {
          note (w, "SIGTERM hub, restart");
          w->stats.hub_terms++;
          hub_kill (w, TRUE);
          return hub_start (w, error);
        }
      return TRUE;
    case F_BACKUP:
      if (w->hub != NULL)
        {
          note (w, "backup of the hub #%u", w->backups->len + 1);
          w->stats.hub_backups++;
          return hub_backup (w, error);
        }
      return TRUE;
    case F_RESTORE:
      if (w->backups->len > 0 && *restores == 0 && w->restores_allowed)
        {
          const char *backup = w->backups->pdata[pick % w->backups->len];

          note (w, "hub restored from %s", backup);
          w->stats.hub_restores++;
          (*restores)++;
          *hub_down_until = 0;
          return hub_restore (w, backup, error);
        }
      return TRUE;
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

gboolean
jz_chaos_world_run_round (JzChaosWorld  *w,
                          guint          round,
                          GError       **error)
{
  static const double rates[] = { 0.0, 0.05, 0.15, 0.3, 0.5 };
  guint steps;
  guint hub_down_until = 0;
  guint restores = 0;
  gint64 start = g_get_monotonic_time ();

  w->round = round;
  w->step = 0;
  steps = g_rand_int_range (w->rand, 16, 40);

  for (guint i = 0; i < JZ_CHAOS_N_REPLICAS; i++)
    {
      JzChaosReplica *r = w->replicas[i];
      double rate = rates[g_rand_int_range (w->rand, 0, G_N_ELEMENTS (rates))];
      g_autofree char *cmd = g_strdup_printf ("rate %.2f", rate);

      r->sync_daemon = g_rand_double (w->rand) < 0.5;
      note (w, "%c: fault rate %.2f, sync %s", r->letter, rate, r->sync_daemon ? "daemon" : "--once loop");
      if (!proxy_command (r, cmd, error) || !proxy_command (r, "mode faults", error))
        return FALSE;
      sync_start (r);
    }

  for (w->step = 1; w->step <= steps; w->step++)
    {
      double x = g_rand_double (w->rand);
      guint pace = g_rand_int_range (w->rand, 0, 30);

      if (w->hub == NULL && w->step >= hub_down_until)
        {
          note (w, "hub restarted");
          if (!hub_start (w, error))
            return FALSE;
        }
      if (x < 0.25 ? !do_fault (w, &hub_down_until, &restores, error) : !do_op (w, error))
        return FALSE;
      pause_ms (pace);
    }
  w->stats.run_s += (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  return TRUE;
}

/* Heal and quiescence */

typedef struct
{
  gboolean ok;
  gint64   pushed;
  gint64   pulled;
  gint64   pending;
  char    *error;
} OnceResult;

static gboolean
parse_once (const char *text,
            OnceResult *res)
{
  const char *brace = text ? strrchr (text, '{') : NULL;
  json_object *obj = brace ? json_tokener_parse (brace) : NULL;
  json_object *v = NULL;

  g_clear_pointer (&res->error, g_free);
  memset (res, 0, sizeof *res);
  if (obj == NULL)
    return FALSE;
  res->ok = json_object_object_get_ex (obj, "ok", &v) && json_object_get_boolean (v);
  if (json_object_object_get_ex (obj, "error", &v))
    res->error = g_strdup (json_object_get_string (v));
  if (json_object_object_get_ex (obj, "pushed", &v))
    res->pushed = json_object_get_int64 (v);
  if (json_object_object_get_ex (obj, "pulled", &v))
    res->pulled = json_object_get_int64 (v);
  if (json_object_object_get_ex (obj, "pending", &v))
    res->pending = json_object_get_int64 (v);
  json_object_put (obj);
  return TRUE;
}

static char *
last_error_of (JzChaosWorld   *w,
               JzChaosReplica *r)
{
  const char *argv[] = { programs[1], "--profile", r->profile, "sync-status", "--json", NULL };
  g_autofree char *out = NULL;
  json_object *obj;
  json_object *v = NULL;
  char *text = NULL;

  if (!jz_chaos_run_program (w, r, argv, &out, NULL, NULL))
    return g_strdup ("(sync-status failed)");
  obj = json_tokener_parse (out);
  if (obj != NULL && json_object_object_get_ex (obj, "last_error", &v) && v != NULL)
    text = g_strdup (json_object_get_string (v));
  json_object_put (obj);
  return text;
}

gboolean
jz_chaos_world_heal (JzChaosWorld  *w,
                     gboolean       status,
                     GError       **error)
{
  gint64 start = g_get_monotonic_time ();
  gboolean quiet = FALSE;
  guint passes = 0;
  g_autoptr(GString) why = g_string_new (NULL);

  w->step = 0;
  note (w, "heal");
  if (w->hub == NULL && !hub_start (w, error))
    return FALSE;
  for (guint i = 0; i < JZ_CHAOS_N_REPLICAS; i++)
    {
      JzChaosReplica *r = w->replicas[i];

      /* Dark connections never recover by themselves: reset them. */
      if (!proxy_command (r, "mode pass", error) || !proxy_command (r, "reset", error))
        return FALSE;
    }
  for (guint i = 0; i < JZ_CHAOS_N_REPLICAS; i++)
    if (!sync_stop (w->replicas[i], error))
      return FALSE;

  /* Passes of one sync session per replica, all four at once, until a
   * pass where every sync succeeded, nobody pushed anything and nothing is
   * pending: only a push changes the hub, so nobody changed it during the
   * pass and every pull went to its end (a pull that still brought
   * something left its replica at the end too; a conflict it recorded
   * would be pending). The agents run the sessions (the steps of
   * `jiuzhu-cli sync --once`, which the rounds run): a process launch per
   * session would cost more than the session. */
  for (guint pass = 0, idle = 0; pass < MAX_QUIESCE_PASSES && !quiet && idle < 3; pass++)
    {
      gboolean moved = FALSE;

      if (g_get_monotonic_time () - start > MAX_QUIESCE_US)
        break;
      w->stats.quiesce_passes++;
      passes++;
      g_string_truncate (why, 0);
      quiet = TRUE;
      for (guint i = 0; i < JZ_CHAOS_N_REPLICAS; i++)
        if (!write_line (w->replicas[i]->agent_in, "sync", error))
          return FALSE;
      for (guint i = 0; i < JZ_CHAOS_N_REPLICAS; i++)
        {
          JzChaosReplica *r = w->replicas[i];
          g_autofree char *out = read_line (r->agent_out, "jz-chaos-station", error);
          OnceResult res = { 0 };

          if (out == NULL)
            return FALSE;
          parse_once (out, &res);
          /* A failed pull is rolled back: it moved nothing. */
          if (res.pushed > 0 || (res.ok && res.pulled > 0))
            moved = TRUE;
          if (!res.ok || res.pushed > 0 || res.pending > 0)
            {
              quiet = FALSE;
              g_string_append_printf (why, " %c: %s pushed %" G_GINT64_FORMAT " pulled %" G_GINT64_FORMAT
                                      " pending %" G_GINT64_FORMAT ";", r->letter, res.ok ? "ok" : "FAILED",
                                      res.pushed, res.pulled, res.pending);
              if (!res.ok)
                g_string_append_printf (why, " (%s)", res.error ? res.error : "?");
            }
          g_free (res.error);
        }
      note (w, "quiescence pass %u:%s", pass + 1, quiet ? " quiet" : why->str);
      /* Three passes in a row that move nothing and still fail: stuck. */
      idle = moved ? 0 : idle + 1;
    }
  /* What a person would look at: sync-status says up to date, nothing
   * pending, no error. */
  for (guint i = 0; quiet && status && i < JZ_CHAOS_N_REPLICAS; i++)
    {
      JzChaosReplica *r = w->replicas[i];
      const char *argv[] = { programs[1], "--profile", r->profile, "sync-status", "--json", NULL };
      g_autofree char *out = NULL;
      json_object *obj = NULL;
      json_object *state = NULL;
      json_object *pending = NULL;

      if (!jz_chaos_run_program (w, r, argv, &out, NULL, error))
        return FALSE;
      obj = json_tokener_parse (out);
      if (obj == NULL || !json_object_object_get_ex (obj, "state", &state) ||
          !json_object_object_get_ex (obj, "pending", &pending) ||
          g_strcmp0 (json_object_get_string (state), "up to date") != 0 || json_object_get_int64 (pending) != 0)
        {
          quiet = FALSE;
          g_string_append_printf (why, " %c: sync-status says %s;", r->letter, out ? g_strstrip (out) : "nothing");
        }
      json_object_put (obj);
    }
  w->stats.heal_s += (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  if (!quiet)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "no quiescence after the heal (%u passes, %.1f s):%s", passes,
                   (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC, why->str);
      return FALSE;
    }
  return TRUE;
}

/* The catalog, as the hub has it now. */
gboolean
jz_chaos_world_load_catalog (JzChaosWorld  *w,
                             GError       **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_open_v2 (w->hub_db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot open the hub's store: %s", sqlite3_errmsg (db));
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_busy_timeout (db, 5000);
  w->round = 0;
  g_hash_table_remove_all (w->catalog);
  g_ptr_array_set_size (w->catalog_keys, 0);
  /* Rooms and beds stay known even if a restore lost them for a while. */
  sqlite3_prepare_v2 (db,
                      "SELECT entity, id, owner, deleted, coalesce (json_extract (f, '$.episode_id'),"
                      " json_extract (f, '$.person_id'), json_extract (f, '$.room_id'))"
                      " FROM (SELECT r.entity, r.id, r.owner, r.deleted,"
                      "       coalesce (r.fields_json, (SELECT c.fields_json FROM change c WHERE c.hub_seq = r.hub_seq)) AS f"
                      "       FROM record r) ORDER BY entity, id", -1, &stmt, NULL);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    catalog_add (w, (const char *) sqlite3_column_text (stmt, 0), (const char *) sqlite3_column_text (stmt, 1),
                 (const char *) sqlite3_column_text (stmt, 2), (const char *) sqlite3_column_text (stmt, 4),
                 sqlite3_column_int (stmt, 3) != 0);
  sqlite3_finalize (stmt);
  stmt = NULL;
  sqlite3_prepare_v2 (db, "SELECT entity || '/' || id, station FROM visibility ORDER BY 1, 2", -1, &stmt, NULL);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      JzChaosEntry *e = g_hash_table_lookup (w->catalog, sqlite3_column_text (stmt, 0));

      if (e != NULL)
        g_ptr_array_add (e->visible, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return TRUE;
}

/* Scripted steps */

char *
jz_chaos_world_exec (JzChaosWorld  *w,
                     guint          replica,
                     GError       **error,
                     const char    *format,
                     ...)
{
  JzChaosReplica *r = w->replicas[replica];
  g_autofree char *command = NULL;
  g_autofree char *reply = NULL;
  g_auto(GStrv) words = NULL;
  va_list args;

  va_start (args, format);
  command = g_strdup_vprintf (format, args);
  va_end (args);
  /* agent_call keeps the saves for the oracle; a refusal has no error. */
  reply = agent_call (w, r, NULL, NULL, error, "%s", command);
  if (reply == NULL && error != NULL && *error == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%c refused “%s” (see the round's log)", r->letter, command);
  return g_steal_pointer (&reply);
}

gboolean
jz_chaos_world_sync_once (JzChaosWorld  *w,
                          guint          replica,
                          GError       **error)
{
  JzChaosReplica *r = w->replicas[replica];
  const char *argv[] = { programs[1], "--profile", r->profile, "sync", "--once", "--json", NULL };
  g_autofree char *out = NULL;
  OnceResult res = { 0 };
  gboolean parsed;

  if (!jz_chaos_run_program (w, r, argv, &out, NULL, error))
    return FALSE;
  note (w, "%c: sync --once: %s", r->letter, out ? g_strstrip (out) : "");
  parsed = parse_once (out, &res);
  g_free (res.error);
  if (!parsed || !res.ok)
    {
      g_autofree char *last = last_error_of (w, r);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "sync of %c failed: %s", r->letter, last ? last : "?");
      return FALSE;
    }
  return TRUE;
}

gboolean
jz_chaos_world_backup_hub (JzChaosWorld  *w,
                           GError       **error)
{
  return hub_backup (w, error);
}

gboolean
jz_chaos_world_restore_hub (JzChaosWorld  *w,
                            guint          backup,
                            GError       **error)
{
  g_return_val_if_fail (backup < w->backups->len, FALSE);
  note (w, "hub restored from %s", (char *) w->backups->pdata[backup]);
  w->stats.hub_restores++;
  return hub_restore (w, w->backups->pdata[backup], error);
}
