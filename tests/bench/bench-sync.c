/* bench-sync.c: sync figures on loopback (tests/bench/README.md, "Sync")
 *
 *   bench-sync push [N]     N changes (persons) from jiuzhu-cli to a jiuzhu-hub
 *                           process, end to end over HTTP; bytes per change
 *   bench-sync push-tls [N] the same over HTTPS (a certificate made with
 *                           openssl, pinned at enrolment)
 *   bench-sync bytes [N]    the same with batches of 50 (JIUZHU_SYNC_BATCH)
 *   bench-sync ingest [N]   the hub's store alone: N inserts, then N updates;
 *                           then as many again in the same process (the
 *                           "running hub" lines); JZ_BENCH_FAULTS=1 adds
 *                           each phase's page faults
 *   bench-sync latency [N]  N edits in a running JzSyncClient; save → acked
 *   bench-sync pull [N]     a new county store's first pull of an N-person
 *                           registry, with jiuzhu-cli
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "jz-hlc.h"
#include "jz-hub-store.h"
#include "jz-idcard.h"
#include "jz-records.h"
#include "jz-sync-client.h"
#include "jz-sync-engine.h"
#include "jz-uuid.h"

#define A   "320481-01"
#define B   "320382-01"
#define HUB "320300-01"

static const char *surnames[] = { "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭" };
static const char *given[] = { "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建华", "国强" };
static const char *regions[] = { "320481", "320382", "320311", "510722", "412726", "340321", "130632", "370883" };

typedef struct
{
  char        *dir;
  char        *hub_db;
  char        *data_dir;
  GSubprocess *hub;
  char        *url;
  char        *cert;      /* with a key: the hub serves HTTPS */
  char        *key;
} Bench;

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
check (gboolean      ok,
       const GError *error)
{
  if (!ok)
    g_error ("%s", error ? error->message : "failed");
}

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

static void
bench_init (Bench *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzHubStore) hub = NULL;

  b->dir = g_dir_make_tmp ("jz-bench-sync-XXXXXX", &error);
  check (b->dir != NULL, error);
  b->hub_db = g_build_filename (b->dir, "hub.db", NULL);
  b->data_dir = g_build_filename (b->dir, "data", NULL);
  hub = jz_hub_store_open (b->hub_db, TRUE, &error);
  check (hub != NULL, error);
  check (jz_hub_store_add_station (hub, A, "新沂市救助站", FALSE, &error), error);
  check (jz_hub_store_add_station (hub, B, "邳州市救助站", FALSE, &error), error);
  check (jz_hub_store_add_station (hub, HUB, "徐州市救助管理站", TRUE, &error), error);
}

static void
hub_start (Bench *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  const char *program = g_getenv ("JZ_HUB_PROGRAM");

  g_assert (program != NULL);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* JZ_BENCH_HUB_LOG=1: the hub's line per request on stderr. */
  if (b->cert != NULL)
    b->hub = g_subprocess_launcher_spawn (launcher, &error, program, "serve", "--db", b->hub_db,
                                          "--listen", "127.0.0.1:0", "--rate", "0", "--tls-cert", b->cert,
                                          "--tls-key", b->key, g_getenv ("JZ_BENCH_HUB_LOG") ? NULL : "--quiet", NULL);
  else
    b->hub = g_subprocess_launcher_spawn (launcher, &error, program, "serve", "--db", b->hub_db,
                                          "--listen", "127.0.0.1:0", "--rate", "0",
                                          g_getenv ("JZ_BENCH_HUB_LOG") ? NULL : "--quiet", NULL);
  check (b->hub != NULL, error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (b->hub));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  check (line != NULL && g_str_has_prefix (line, "Listening on "), error);
  b->url = g_strdup (line + strlen ("Listening on "));
}

static void
bench_clear (Bench *b)
{
  if (b->hub != NULL)
    {
      g_subprocess_send_signal (b->hub, SIGTERM);
      g_subprocess_wait (b->hub, NULL, NULL);
      g_clear_object (&b->hub);
    }
  remove_tree (b->dir);
  g_free (b->dir);
  g_free (b->cert);
  g_free (b->key);
  g_free (b->hub_db);
  g_free (b->data_dir);
  g_free (b->url);
}

/* A profile store at $data_dir/NAME/station.db, for jiuzhu-cli. */
static JzStore *
make_profile (Bench          *b,
              const char     *profile,
              const char     *code,
              JzStationLevel  level)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (b->data_dir, profile, NULL);
  g_autofree char *path = g_build_filename (dir, "station.db", NULL);
  JzStore *store;

  g_mkdir_with_parents (dir, 0700);
  store = jz_store_create (path, code, profile, level, &error);
  check (store != NULL, error);
  return store;
}

static void
enrol (Bench   *b,
       JzStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzHubStore) hub = jz_hub_store_open (b->hub_db, FALSE, &error);
  g_autofree char *code = NULL;

  check (hub != NULL, error);
  code = jz_hub_store_enrol_device (hub, jz_store_get_station_code (store), NULL, NULL, &error);
  check (code != NULL, error);
  g_clear_object (&hub);
  check (jz_sync_enrol (store, b->url, code, NULL, NULL, &error), error);
}

static char *
random_id_number (GRand *rand)
{
  g_autofree char *first = g_strdup_printf ("%s%04d%02d%02d%03d", regions[g_rand_int_range (rand, 0, G_N_ELEMENTS (regions))],
                                            g_rand_int_range (rand, 1940, 2010), g_rand_int_range (rand, 1, 13),
                                            g_rand_int_range (rand, 1, 29), g_rand_int_range (rand, 0, 1000));

  return g_strdup_printf ("%s%c", first, jz_idcard_check_digit (first));
}

/* A person as staff enter one at intake: name, sex, birth, 户籍地, half
 * of them with an ID number, some with a description. */
static void
fill_person (JzPerson *p,
             GRand    *rand)
{
  p->name = g_strdup_printf ("%s%s%s", surnames[g_rand_int_range (rand, 0, G_N_ELEMENTS (surnames))],
                             given[g_rand_int_range (rand, 0, G_N_ELEMENTS (given))],
                             g_rand_boolean (rand) ? given[g_rand_int_range (rand, 0, G_N_ELEMENTS (given))] : "");
  p->sex = g_strdup (g_rand_boolean (rand) ? "male" : "female");
  p->birth_precision = g_strdup ("year");
  p->birth_date = g_strdup_printf ("%d-01-01", g_rand_int_range (rand, 1940, 2010));
  p->hukou_region = g_strdup (regions[g_rand_int_range (rand, 0, G_N_ELEMENTS (regions))]);
  if (g_rand_boolean (rand))
    p->id_number = random_id_number (rand);
  if (g_rand_int_range (rand, 0, 4) == 0)
    p->description = g_strdup ("身材偏瘦，穿深色外套");
}

static void
add_people (JzStore *store,
            guint    n,
            guint    seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  for (guint done = 0; done < n;)
    {
      check (jz_store_write_begin (store, &error), error);
      for (guint i = 0; i < 10000 && done < n; i++, done++)
        {
          g_autoptr(JzPerson) p = jz_person_new ();

          fill_person (p, rand);
          check (jz_store_insert_person (store, p, &error), error);
        }
      check (jz_store_write_end (store, TRUE, &error), error);
    }
}

static double
children_cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_CHILDREN, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* CPU seconds a running process has used (/proc/PID/stat utime + stime). */
static double
process_cpu_seconds (GSubprocess *proc)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", g_subprocess_get_identifier (proc));
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (after = strrchr (text, ')')) == NULL)
    return 0;
  fields = g_strsplit (after + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return 0;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) / sysconf (_SC_CLK_TCK);
}

static double cli_cpu;

/* Runs jiuzhu-cli sync --once --json; returns its JSON and wall time. */
static JzJson *
cli_sync (Bench      *b,
          const char *profile,
          const char *batch,
          double     *wall)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  const char *program = g_getenv ("JZ_CLI_PROGRAM");
  gint64 start;

  g_assert (program != NULL);
  g_subprocess_launcher_setenv (launcher, "JIUZHU_DATA_DIR", b->data_dir, TRUE);
  if (batch != NULL)
    g_subprocess_launcher_setenv (launcher, "JIUZHU_SYNC_BATCH", batch, TRUE);
  start = g_get_monotonic_time ();
  cli_cpu = children_cpu_seconds ();
  /* JZ_BENCH_WRAP="perf record -g -o FILE --": run jiuzhu-cli under a profiler. */
  {
    g_auto(GStrv) wrap = g_getenv ("JZ_BENCH_WRAP") ? g_strsplit (g_getenv ("JZ_BENCH_WRAP"), " ", 0) : NULL;
    g_autoptr(GPtrArray) argv = g_ptr_array_new ();

    for (guint i = 0; wrap != NULL && wrap[i] != NULL; i++)
      g_ptr_array_add (argv, wrap[i]);
    g_ptr_array_add (argv, (gpointer) program);
    g_ptr_array_add (argv, (gpointer) "--profile");
    g_ptr_array_add (argv, (gpointer) profile);
    g_ptr_array_add (argv, (gpointer) "sync");
    g_ptr_array_add (argv, (gpointer) "--once");
    g_ptr_array_add (argv, (gpointer) "--json");
    g_ptr_array_add (argv, NULL);
    proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  }
  check (proc != NULL, error);
  check (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error), error);
  *wall = (g_get_monotonic_time () - start) / 1e6;
  cli_cpu = children_cpu_seconds () - cli_cpu;
  if (!g_subprocess_get_successful (proc))
    g_error ("jiuzhu-cli sync failed: %s", out);
  return json_tokener_parse (out);
}

static gint64
jint (json_object *obj,
      const char  *key)
{
  return json_object_get_int64 (json_object_object_get (obj, key));
}

static double
jdouble (json_object *obj,
         const char  *key)
{
  return json_object_get_double (json_object_object_get (obj, key));
}

/* A self-signed certificate for the hub, as an administrator makes one. */
static void
make_certificate (Bench *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) gen = NULL;

  b->cert = g_build_filename (b->dir, "cert.pem", NULL);
  b->key = g_build_filename (b->dir, "key.pem", NULL);
  gen = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                          "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                          "-nodes", "-keyout", b->key, "-out", b->cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                          NULL);
  check (gen != NULL, error);
  check (g_subprocess_wait_check (gen, NULL, &error), error);
}

static void
bench_push (guint       n,
            const char *batch,
            gboolean    tls)
{
  Bench b = { 0 };
  g_autoptr(JzStore) store = NULL;
  g_autoptr(JzJson) result = NULL;
  double wall;
  double hub_cpu;
  gint64 t0;
  gint64 pushed;

  bench_init (&b);
  if (tls)
    make_certificate (&b);
  hub_start (&b);
  store = make_profile (&b, "a", A, JZ_STATION_LEVEL_COUNTY);
  enrol (&b, store);
  t0 = g_get_monotonic_time ();
  add_people (store, n, 1);
  printf ("# %u persons saved in %.1f s (setup)\n", n, (g_get_monotonic_time () - t0) / 1e6);
  g_clear_object (&store);

  hub_cpu = process_cpu_seconds (b.hub);
  result = cli_sync (&b, "a", batch, &wall);
  hub_cpu = process_cpu_seconds (b.hub) - hub_cpu;
  pushed = jint (result, "pushed");
  if (pushed != n)
    g_error ("pushed %" G_GINT64_FORMAT " of %u", pushed, n);
  printf ("push%s%s: %" G_GINT64_FORMAT " changes in %" G_GINT64_FORMAT " requests\n",
          tls ? " over HTTPS" : "", batch ? " (batches of 50)" : "", pushed, jint (result, "push_requests"));
  printf ("  push phase:              %.2f s = %.0f changes/s\n", jdouble (result, "push_seconds"),
          pushed / jdouble (result, "push_seconds"));
  printf ("  jiuzhu-cli end to end:   %.2f s = %.0f changes/s (process start, hello, push, pull of own acks)\n",
          wall, pushed / wall);
  printf ("  CPU: jiuzhu-cli %.2f s, jiuzhu-hub %.2f s; %.0f changes per CPU second of the two together\n",
          cli_cpu, hub_cpu, pushed / (cli_cpu + hub_cpu));
  printf ("  request bodies (gzip):   %.1f bytes/change\n", (double) jint (result, "body_bytes_sent") / pushed);
  printf ("  on the wire (+headers):  %.1f bytes/change sent, %.1f bytes/change received\n",
          (double) jint (result, "wire_bytes_sent") / pushed, (double) jint (result, "wire_bytes_received") / pushed);
  bench_clear (&b);
}

static JzPushRequest *
decode_or_die (GString *json)
{
  g_autoptr(GError) error = NULL;
  JzPushRequest *req = jz_push_request_decode_lean (json->str, json->len, &error);

  check (req != NULL, error);
  return req;
}

/* @count new persons from seq @first_seq on; their ids and hlcs are
 * appended to @ids and @hlcs. */
static JzPushRequest *
insert_batch (const char *epoch,
              gint64      first_seq,
              guint       count,
              GRand      *rand,
              GPtrArray  *ids,
              GArray     *hlcs)
{
  g_autoptr(GString) json = g_string_new (NULL);
  gint64 now = g_get_real_time () / 1000;

  g_string_append_printf (json, "{\"v\":1,\"station\":\"" A "\",\"epoch\":\"%s\",\"changes\":[", epoch);
  for (guint i = 0; i < count; i++)
    {
      gint64 seq = first_seq + i;
      gint64 hlc = JZ_HLC_MAKE (now, seq % 60000);
      g_autoptr(JzPerson) p = jz_person_new ();
      char *id = jz_uuid_v7_new ();

      fill_person (p, rand);
      g_string_append_printf (json, "%s{\"seq\":%" G_GINT64_FORMAT ",\"entity\":\"person\",\"id\":\"%s\","
                              "\"op\":\"insert\",\"hlc\":%" G_GINT64_FORMAT ",\"fields\":{\"station\":\"" A "\","
                              "\"hlc\":%" G_GINT64_FORMAT ",\"deleted\":0,\"name\":\"%s\",\"name_quality\":\"full\","
                              "\"sex\":\"%s\",\"birth_date\":\"%s\",\"birth_precision\":\"year\",\"hukou_region\":\"%s\"",
                              i ? "," : "", seq, id, hlc, hlc, p->name, p->sex, p->birth_date, p->hukou_region);
      if (p->id_number)
        g_string_append_printf (json, ",\"id_number\":\"%s\"", p->id_number);
      if (p->description)
        g_string_append_printf (json, ",\"description\":\"%s\"", p->description);
      g_string_append (json, ",\"identity_status\":\"unknown\",\"dibao\":\"unknown\",\"flags\":0}}");
      g_ptr_array_add (ids, id);
      g_array_append_val (hlcs, hlc);
    }
  g_string_append (json, "]}");
  return decode_or_die (json);
}

/* Changes the persons @offset … @offset + @count - 1 of @ids. */
static JzPushRequest *
update_batch (const char *epoch,
              gint64      first_seq,
              guint       count,
              GRand      *rand,
              GPtrArray  *ids,
              GArray     *hlcs,
              guint       offset)
{
  g_autoptr(GString) json = g_string_new (NULL);
  gint64 now = g_get_real_time () / 1000 + 1000;

  g_string_append_printf (json, "{\"v\":1,\"station\":\"" A "\",\"epoch\":\"%s\",\"changes\":[", epoch);
  for (guint i = 0; i < count; i++)
    {
      gint64 seq = first_seq + i;
      gint64 hlc = JZ_HLC_MAKE (now, seq % 60000);
      g_autoptr(JzPerson) p = jz_person_new ();

      fill_person (p, rand);
      g_string_append_printf (json, "%s{\"seq\":%" G_GINT64_FORMAT ",\"entity\":\"person\",\"id\":\"%s\","
                              "\"op\":\"update\",\"base_rev\":%" G_GINT64_FORMAT ",\"hlc\":%" G_GINT64_FORMAT
                              ",\"fields\":{\"hlc\":%" G_GINT64_FORMAT ",\"name\":\"%s\",\"dialect\":\"徐州话\"}}",
                              i ? "," : "", seq, (char *) ids->pdata[offset + i],
                              g_array_index (hlcs, gint64, offset + i), hlc, hlc, p->name);
    }
  g_string_append (json, "]}");
  return decode_or_die (json);
}

static JzHubDevice *
enrol_in_process (JzHubStore *hub,
                  const char *epoch)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = jz_hub_store_enrol_device (hub, A, NULL, NULL, &error);
  g_autoptr(JzEnrolReply) reply = NULL;
  JzEnrolRequest req = { code, (char *) A, (char *) "county", (char *) epoch, NULL };
  JzHubDevice *device = jz_hub_store_redeem (hub, &req, &reply, &error);

  check (device != NULL, error);
  return device;
}

static double
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static long
minor_faults (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

/* Wall seconds; CPU seconds in @cpu (the machine is shared, so the CPU
 * time is the steadier figure). */
static double
push_all (JzHubStore  *hub,
          JzHubDevice *device,
          GPtrArray   *batches,
          double      *cpu)
{
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  double c0 = cpu_seconds ();
  long f0 = minor_faults ();

  for (guint i = 0; i < batches->len; i++)
    {
      JzPushReply r;

      check (jz_hub_store_push (hub, device, batches->pdata[i], &r, NULL, NULL, &error), error);
    }
  if (cpu != NULL)
    *cpu = cpu_seconds () - c0;
  if (g_getenv ("JZ_BENCH_FAULTS"))
    printf ("  (%ld page faults)\n", minor_faults () - f0);
  return (g_get_monotonic_time () - t0) / 1e6;
}

/* N inserts of new persons from @first_seq, then N updates of them (the
 * merge against stored tags), timed apart. */
static void
ingest_round (JzHubStore  *hub,
              JzHubDevice *device,
              const char  *epoch,
              guint        n,
              gint64       first_seq,
              GRand       *rand,
              GPtrArray   *ids,
              GArray      *hlcs,
              const char  *label)
{
  g_autoptr(GPtrArray) batches = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_push_request_free);
  guint offset = ids->len;
  double seconds;
  double cpu;

  for (guint i = 0; i < n; i += JZ_PROTOCOL_MAX_BATCH)
    g_ptr_array_add (batches, insert_batch (epoch, first_seq + i, MIN (JZ_PROTOCOL_MAX_BATCH, n - i), rand, ids, hlcs));
  seconds = push_all (hub, device, batches, &cpu);
  printf ("ingest%s: %u inserts (new persons) in batches of %d: %.2f s = %.0f changes/s (CPU %.2f s = %.0f/s)\n",
          label, n, JZ_PROTOCOL_MAX_BATCH, seconds, n / seconds, cpu, n / cpu);

  g_ptr_array_set_size (batches, 0);
  for (guint i = 0; i < n; i += JZ_PROTOCOL_MAX_BATCH)
    g_ptr_array_add (batches, update_batch (epoch, first_seq + n + i, MIN (JZ_PROTOCOL_MAX_BATCH, n - i), rand, ids,
                                            hlcs, offset + i));
  seconds = push_all (hub, device, batches, &cpu);
  printf ("ingest%s: %u updates (merged field by field): %.2f s = %.0f changes/s (CPU %.2f s = %.0f/s)\n",
          label, n, seconds, n / seconds, cpu, n / cpu);
}

static void
bench_ingest (guint n)
{
  Bench b = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JzHubStore) hub = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (2);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) hlcs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *epoch = jz_uuid_v7_new ();
  g_autoptr(JzHubDevice) device = NULL;

  bench_init (&b);
  hub = jz_hub_store_open (b.hub_db, FALSE, &error);
  device = enrol_in_process (hub, epoch);

  /* The target's figure: a hub process's first pushes to a new store. */
  ingest_round (hub, device, epoch, n, 1, rand, ids, hlcs, "");
  /* The same again in the same process, on a store that already holds
   * N persons changed once: SQLite's page cache has grown, the WAL file
   * is being overwritten in place. */
  ingest_round (hub, device, epoch, n, 2 * (gint64) n + 1, rand, ids, hlcs, ", running hub");

  g_clear_object (&hub);
  bench_clear (&b);
}

typedef struct
{
  gint64  saved_us;
  gint64  acked_us;
  guint   cycles;
} Probe;

static void
on_pending (JzSyncClient *client,
            GParamSpec   *pspec,
            Probe        *probe)
{
  if (jz_sync_client_get_pending (client) == 0 && probe->saved_us != 0 && probe->acked_us == 0)
    probe->acked_us = g_get_monotonic_time ();
}

static int
cmp_gint64 (gconstpointer a,
            gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static gboolean
on_timeout (gpointer data)
{
  g_error ("an edit did not reach the hub within 30 s");
  return G_SOURCE_REMOVE;
}

static void
bench_latency (guint n)
{
  Bench b = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = NULL;
  g_autoptr(JzStore) ui = NULL;
  g_autoptr(JzSyncClient) client = NULL;
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  g_autoptr(JzPerson) p = jz_person_new ();
  g_autofree char *id = NULL;
  Probe probe = { 0 };
  gint64 *v;

  bench_init (&b);
  hub_start (&b);
  store = make_profile (&b, "a", A, JZ_STATION_LEVEL_COUNTY);
  enrol (&b, store);
  add_people (store, 1000, 4);
  ui = jz_store_open (jz_store_get_path (store), &error);
  check (ui != NULL, error);
  fill_person (p, rand);
  check (jz_store_insert_person (ui, p, &error), error);
  id = g_strdup (p->rec.id);

  client = jz_sync_client_new (jz_store_get_path (store), ui);
  g_signal_connect (client, "notify::pending", G_CALLBACK (on_pending), &probe);
  jz_sync_client_start (client);
  while (jz_sync_client_get_cycles (client) < 1 || jz_sync_client_get_pending (client) != 0)
    g_main_context_iteration (NULL, TRUE);

  for (guint i = 0; i < n; i++)
    {
      guint timeout;

      /* One edit at a time, as a person types and saves. */
      g_clear_pointer (&p, jz_person_free);
      p = jz_store_get_person (ui, id, &error);
      check (p != NULL, error);
      g_free (p->name);
      p->name = g_strdup_printf ("%s%u", surnames[i % G_N_ELEMENTS (surnames)], i);
      memset (&probe, 0, sizeof probe);
      probe.saved_us = g_get_monotonic_time ();
      check (jz_store_update_person (ui, p, &error), error);
      timeout = g_timeout_add_seconds (30, on_timeout, NULL);
      while (probe.acked_us == 0)
        g_main_context_iteration (NULL, TRUE);
      g_source_remove (timeout);
      {
        gint64 dt = probe.acked_us - probe.saved_us;

        g_array_append_val (samples, dt);
      }
    }
  jz_sync_client_stop (client);

  g_array_sort (samples, cmp_gint64);
  v = (gint64 *) samples->data;
  printf ("edit to hub (saved → the hub's commit acknowledged), %u edits, one at a time:\n", n);
  printf ("  p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
          v[n / 2] / 1000.0, v[n * 9 / 10] / 1000.0, v[MIN (n - 1, n * 99 / 100)] / 1000.0, v[n - 1] / 1000.0);
  g_clear_object (&client);
  bench_clear (&b);
}

static void
bench_pull (guint n)
{
  Bench b = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JzHubStore) hub = NULL;
  g_autoptr(JzStore) store = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  g_autoptr(JzJson) result = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) hlcs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *epoch = jz_uuid_v7_new ();
  g_autofree char *path = NULL;
  g_autoptr(JzHubDevice) device = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 persons;
  double wall;
  double hub_cpu;

  /* The registry: n persons of station A, committed at the hub. */
  bench_init (&b);
  hub = jz_hub_store_open (b.hub_db, FALSE, &error);
  device = enrol_in_process (hub, epoch);
  for (guint seq = 1; seq <= n; seq += JZ_PROTOCOL_MAX_BATCH)
    {
      g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_push_request_free);

      g_ptr_array_add (one, insert_batch (epoch, seq, MIN (JZ_PROTOCOL_MAX_BATCH, n - seq + 1), rand, ids, hlcs));
      push_all (hub, device, one, NULL);
    }
  g_clear_object (&hub);
  hub_start (&b);

  /* A new laptop of station B. */
  store = make_profile (&b, "b", B, JZ_STATION_LEVEL_COUNTY);
  enrol (&b, store);
  path = g_strdup (jz_store_get_path (store));
  g_clear_object (&store);
  hub_cpu = process_cpu_seconds (b.hub);
  result = cli_sync (&b, "b", NULL, &wall);
  hub_cpu = process_cpu_seconds (b.hub) - hub_cpu;

  store = jz_store_open (path, &error);
  check (store != NULL, error);
  sqlite3_prepare_v2 (jz_store_get_db (store), "SELECT count (*) FROM person", -1, &stmt, NULL);
  sqlite3_step (stmt);
  persons = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (persons != n)
    g_error ("pulled %" G_GINT64_FORMAT " persons of %u", persons, n);
  printf ("first pull of a %u-person registry by a new county store (jiuzhu-cli sync --once):\n", n);
  printf ("  end to end:    %.2f s = %.0f persons/s\n", wall, n / wall);
  printf ("  pull phase:    %.2f s; %.1f bytes/person received\n", jdouble (result, "pull_seconds"),
          (double) jint (result, "wire_bytes_received") / n);
  printf ("  CPU: jiuzhu-cli %.2f s (%.0f persons per CPU second), jiuzhu-hub %.2f s\n",
          cli_cpu, n / cli_cpu, hub_cpu);
  g_clear_object (&store);
  bench_clear (&b);
}

int
main (int    argc,
      char **argv)
{
  const char *mode = argc > 1 ? argv[1] : "all";
  guint n = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 0;
  gboolean all = g_str_equal (mode, "all");

  setvbuf (stdout, NULL, _IOLBF, 0);
  if (all || g_str_equal (mode, "ingest"))
    bench_ingest (n ? n : 100000);
  if (all || g_str_equal (mode, "push"))
    bench_push (n ? n : 100000, NULL, FALSE);
  if (all || g_str_equal (mode, "push-tls"))
    bench_push (n ? n : 100000, NULL, TRUE);
  if (all || g_str_equal (mode, "bytes"))
    bench_push (n ? n : 10000, "50", FALSE);
  if (all || g_str_equal (mode, "latency"))
    bench_latency (n ? n : 300);
  if (all || g_str_equal (mode, "pull"))
    bench_pull (n ? n : 100000);
  return 0;
}
