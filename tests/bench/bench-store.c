/* bench-store.c: the store's speed on a big station (tests/bench/README.md,
 * "Store")
 *
 * Builds a store with `demo` (1,000,000 people by default) in a temporary
 * directory, then measures:
 *   demo       rows written per second (change capture and search on)
 *   size       bytes per person, and where they go (dbstat)
 *   import     records per second importing a demo export into a fresh store
 *   register   a person + episode + belonging as one user action
 *              (jz_store_register_intake, synchronous=FULL): p50/p95/p99,
 *              paced (each after the checkpoint the one before started)
 *              and back to back (reg-burst)
 *   search     search as you type (jz_search_people, 20 rows): p50/p95/p99
 *   dups       duplicate candidates of an intake (jz_search_duplicates)
 *   due        jz_store_list_due over the whole store
 *   open       jz_store_open + the first 50 rows of the case list
 * Latencies are wall clock; "cpu" is the thread's CPU time, which the other
 * processes on a shared machine do not inflate.
 *
 * Usage: bench-store [--people N] [--import-people N] [--store PATH]
 *   --store PATH   use (and keep) an existing demo store instead of
 *                  building one
 * Environment: JZ_BENCH_PEOPLE, JZ_BENCH_IMPORT_PEOPLE, JZ_BENCH_STORE;
 * JZ_BENCH_WRITE_ONLY=1 measures only demo, size and import;
 * JZ_BENCH_ONLY=demo,size,search,dups,due,register,open,import picks some
 * (import alone builds no big store); JZ_BENCH_IMPORT_JSON=PATH keeps the
 * import's export there, or imports the one there;
 * JZ_BENCH_REGISTER_N (300) saves per register run, and
 * JZ_BENCH_CHECKPOINT_INLINE=1 checkpoints inside the commit as SQLite does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jz-actions.h"
#include "jz-demo.h"
#include "jz-due.h"
#include "jz-export.h"
#include "jz-pinyin.h"
#include "jz-records.h"
#include "jz-search.h"
#include "jz-store.h"

#define SEED 20261122

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

typedef struct
{
  GArray *wall;
  GArray *cpu;
} Samples;

static void
samples_init (Samples *s)
{
  s->wall = g_array_new (FALSE, FALSE, sizeof (double));
  s->cpu = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
samples_add (Samples *s,
             double   wall,
             double   cpu)
{
  g_array_append_val (s->wall, wall);
  g_array_append_val (s->cpu, cpu);
}

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
pct (GArray *a,
     double  p)
{
  guint i;

  if (a->len == 0)
    return 0;
  g_array_sort (a, cmp_double);
  i = (guint) (p / 100.0 * (a->len - 1) + 0.5);
  return g_array_index (a, double, MIN (i, a->len - 1));
}

static void
report (const char *name,
        Samples    *s)
{
  printf ("%-10s n=%-5u wall ms p50 %7.2f p95 %7.2f p99 %7.2f max %7.2f | cpu ms p50 %6.2f p95 %6.2f p99 %6.2f\n",
          name, s->wall->len, pct (s->wall, 50), pct (s->wall, 95), pct (s->wall, 99), pct (s->wall, 100),
          pct (s->cpu, 50), pct (s->cpu, 95), pct (s->cpu, 99));
  fflush (stdout);
  g_array_unref (s->wall);
  g_array_unref (s->cpu);
}

/* JZ_BENCH_ONLY=register,search,…: only these measurements (all when unset). */
static gboolean
wanted (const char *measurement)
{
  const char *only = g_getenv ("JZ_BENCH_ONLY");
  g_auto(GStrv) names = NULL;

  if (only == NULL || *only == '\0')
    return TRUE;
  names = g_strsplit (only, ",", -1);
  return g_strv_contains ((const char * const *) names, measurement);
}

/* The last batch's end, to print each batch's own rate: it falls as the
 * store grows. */
typedef struct
{
  double  wall;
  double  cpu;
  guint64 rows;
} Progress;

static void
demo_progress (const JzDemoStats *s,
               guint              n_people,
               gpointer           user_data)
{
  Progress *last = user_data;
  double wall = now_ms ();
  double cpu = cpu_ms ();

  fprintf (stderr, "  demo: %" G_GUINT64_FORMAT " of %u people, %" G_GUINT64_FORMAT " rows, %.0f rows/s; "
           "this batch %.0f rows/s, %.0f per CPU second\n",
           s->people, n_people, s->rows, s->rows / s->seconds,
           (s->rows - last->rows) / ((wall - last->wall) / 1000), (s->rows - last->rows) / ((cpu - last->cpu) / 1000));
  *last = (Progress) { wall, cpu, s->rows };
}

static JzStore *
build (const char *path,
       guint       people,
       gboolean    quiet)
{
  g_autoptr(GError) error = NULL;
  JzStore *store = jz_store_create (path, "320481-01", "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);
  JzDemoOptions options;
  JzDemoStats stats;
  double cpu0 = cpu_ms ();
  Progress progress = { now_ms (), cpu0, 0 };

  if (store == NULL)
    g_error ("%s", error->message);
  jz_demo_options_init (&options);
  options.seed = SEED;
  if (!quiet)
    {
      options.progress = demo_progress;
      options.user_data = &progress;
    }
  if (!jz_demo_generate (store, people, &options, &stats, &error))
    g_error ("%s", error->message);
  if (!quiet)
    printf ("demo       %u people, %" G_GUINT64_FORMAT " episodes, %" G_GUINT64_FORMAT " rows in %.0f s: "
            "%.0f rows/s wall, %.0f rows/s per CPU second\n",
            people, stats.episodes, stats.rows, stats.seconds, stats.rows / stats.seconds,
            stats.rows / ((cpu_ms () - cpu0) / 1000.0));
  return store;
}

static gint64
query_int (JzStore    *store,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = 0;

  if (sqlite3_prepare_v2 (jz_store_get_db (store), sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static void
bench_size (JzStore    *store,
            const char *path)
{
  static const struct { const char *label; const char *where; } groups[] = {
    { "outbox", "name LIKE 'outbox%'" },
    { "audit", "name LIKE 'audit%' OR name = 'sqlite_sequence'" },
    { "search (FTS)", "name LIKE 'person_ft%' OR name LIKE 'person_idn%'" },
    { "records and indexes", "NOT (name LIKE 'outbox%' OR name LIKE 'audit%' OR name LIKE 'person_ft%' "
                             "OR name LIKE 'person_idn%' OR name = 'sqlite_sequence')" },
  };
  GStatBuf st;
  gint64 people = query_int (store, "SELECT count (*) FROM person");
  gint64 page_size = query_int (store, "PRAGMA page_size");
  gint64 free_pages = query_int (store, "PRAGMA freelist_count");

  jz_store_exec (store, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
  if (g_stat (path, &st) != 0 || people == 0)
    return;
  printf ("size       %.2f GB file, %" G_GINT64_FORMAT " people: %.0f bytes per person (free pages %"
          G_GINT64_FORMAT ")\n", st.st_size / 1e9, people, (double) st.st_size / people, free_pages);
  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM dbstat WHERE %s", groups[i].where);
      gint64 pages = query_int (store, sql);

      printf ("             %-22s %7.0f bytes per person\n", groups[i].label, (double) pages * page_size / people);
    }
  fflush (stdout);
}

/* JZ_BENCH_IMPORT_JSON=PATH keeps the export there, or imports the one
 * already there without building its source, so that a profiler sees the
 * import alone. */
static void
bench_import (const char *dir,
              guint       people)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *src_path = g_build_filename (dir, "import-source.db", NULL);
  g_autofree char *dst_path = g_build_filename (dir, "import-target.db", NULL);
  const char *kept = g_getenv ("JZ_BENCH_IMPORT_JSON");
  g_autofree char *json = kept != NULL ? g_strdup (kept) : g_build_filename (dir, "export.json", NULL);
  g_autoptr(JzStore) dst = NULL;
  JzTransferStats im;
  double cpu0;

  if (kept == NULL || !g_file_test (json, G_FILE_TEST_EXISTS))
    {
      g_autoptr(JzStore) src = build (src_path, people, TRUE);
      JzTransferStats ex;
      FILE *out = fopen (json, "wb");

      if (out == NULL)
        g_error ("cannot write %s", json);
      if (!jz_store_export (src, JZ_EXPORT_JSON, NULL, out, &ex, &error))
        g_error ("%s", error->message);
      fclose (out);
      printf ("export     %" G_GUINT64_FORMAT " records in %.2f s: %.0f records/s\n",
              ex.rows, ex.seconds, ex.rows / ex.seconds);
    }
  dst = jz_store_create (dst_path, "320481-01", "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);
  if (dst == NULL)
    g_error ("%s", error->message);
  cpu0 = cpu_ms ();
  if (!jz_store_import_json (dst, json, &im, &error))
    g_error ("%s", error->message);
  printf ("import     %" G_GUINT64_FORMAT " records in %.1f s: %.0f records/s wall, %.0f per CPU second\n",
          im.rows, im.seconds, im.rows / im.seconds, im.rows / ((cpu_ms () - cpu0) / 1000.0));
  fflush (stdout);
  g_clear_object (&dst);
  if (kept == NULL)
    g_unlink (json);
  for (int i = 0; i < 2; i++)
    {
      const char *base = i ? dst_path : src_path;
      g_autofree char *wal = g_strconcat (base, "-wal", NULL);
      g_autofree char *shm = g_strconcat (base, "-shm", NULL);
      g_unlink (base);
      g_unlink (wal);
      g_unlink (shm);
    }
}

/* One intake as a user saves it: a person, an episode and a belonging in
 * one action. @paced: each save starts only after the checkpoint the one
 * before started has ended, as when a person types between saves (seconds,
 * where a checkpoint takes tens of milliseconds); otherwise back to back. */
static void
bench_register (JzStore    *store,
                const char *name,
                gboolean    paced)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED);
  const char *env = g_getenv ("JZ_BENCH_REGISTER_N");
  int n = env != NULL ? atoi (env) : 300;
  Samples s;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  /* As the app does; JZ_BENCH_CHECKPOINT_INLINE=1: as SQLite does. */
  jz_store_set_checkpoint_aside (store, g_strcmp0 (g_getenv ("JZ_BENCH_CHECKPOINT_INLINE"), "1") != 0);
  samples_init (&s);
  for (int i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JzPerson) p = jz_person_new ();
      g_autoptr(JzEpisode) e = jz_episode_new ();
      g_autoptr(JzBelonging) b = jz_belonging_new ();
      JzBelonging *bs[1] = { b };
      double w, c;

      p->name = g_strdup_printf ("测试%c%c", 'a' + g_rand_int_range (rand, 0, 26), 'a' + g_rand_int_range (rand, 0, 26));
      p->sex = g_strdup ("male");
      p->birth_precision = g_strdup ("estimated");
      p->estimated_age = 40;
      p->hukou_region = g_strdup ("320481");
      p->marks = g_strdup ("左脸有疤");
      e->admitted_at = now - 60;
      e->source = g_strdup ("walk_in");
      e->reason = g_strdup ("务工返乡路费不足");
      b->item = g_strdup ("手机");
      if (paced)
        jz_store_wait_checkpoint (store);
      w = now_ms ();
      c = cpu_ms ();
      if (!jz_store_register_intake (store, p, e, bs, 1, &error))
        g_error ("%s", error->message);
      samples_add (&s, now_ms () - w, cpu_ms () - c);
    }
  report (name, &s);
  jz_store_set_checkpoint_aside (store, FALSE);
}

/* Queries as a person types them: names of people on file, character by
 * character, their pinyin letter by letter, initials, ID digits, episode
 * numbers, words of descriptions. */
static GPtrArray *
make_queries (JzStore *store)
{
  GPtrArray *q = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  const char *fixed[] = { "张", "王", "李", "zhang", "wang", "z", "w", "l", "zw", "wf", "lj", "无名氏",
                          "疤", "纹身", "蓝色", "3204", "1985", "320481-01-2026", "wu" };

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (q, g_strdup (fixed[i]));

  sqlite3_prepare_v2 (jz_store_get_db (store),
                      "SELECT name, id_number FROM person WHERE rowid IN "
                      "(SELECT abs (random ()) % (SELECT max (rowid) FROM person) FROM generate_series (1, 80))",
                      -1, &stmt, NULL);
  if (stmt == NULL)
    sqlite3_prepare_v2 (jz_store_get_db (store),
                        "SELECT name, id_number FROM person WHERE rowid % 12347 = 1 LIMIT 80", -1, &stmt, NULL);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      const char *id = (const char *) sqlite3_column_text (stmt, 1);

      if (name != NULL)
        {
          g_autoptr(JzPinyin) py = jz_pinyin_new_for_name (name);
          glong n = g_utf8_strlen (name, -1);

          for (glong k = 1; k <= n; k++)
            g_ptr_array_add (q, g_utf8_substring (name, 0, k));
          for (gsize k = 1; k <= strlen (py->compact); k += 2)
            g_ptr_array_add (q, g_strndup (py->compact, k));
          g_ptr_array_add (q, g_strdup (py->full));
          g_ptr_array_add (q, g_strdup (py->initials));
        }
      if (id != NULL)
        {
          g_ptr_array_add (q, g_strndup (id, 6));
          g_ptr_array_add (q, g_strndup (id + 10, 4));
          g_ptr_array_add (q, g_strndup (id + 6, 8));
        }
    }
  sqlite3_finalize (stmt);
  return q;
}

static void
bench_search (JzStore *store)
{
  g_autoptr(GPtrArray) queries = make_queries (store);
  Samples s;
  double worst = 0;
  const char *worst_q = NULL;
  guint64 rows = 0;

  /* Warm the caches once, as a running app would be. */
  for (guint i = 0; i < queries->len; i++)
    g_ptr_array_unref (jz_search_people (store, queries->pdata[i], 20, 0, NULL));

  samples_init (&s);
  for (guint i = 0; i < queries->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) r = NULL;
      double w = now_ms (), c = cpu_ms (), dt;

      r = jz_search_people (store, queries->pdata[i], 20, 0, &error);
      dt = now_ms () - w;
      if (r == NULL)
        g_error ("%s", error->message);
      samples_add (&s, dt, cpu_ms () - c);
      rows += r->len;
      if (dt > worst)
        {
          worst = dt;
          worst_q = queries->pdata[i];
        }
    }
  printf ("search     %u queries, %.1f rows on average; slowest “%s”\n", queries->len,
          (double) rows / queries->len, worst_q ? worst_q : "");
  report ("search", &s);
}

static void
bench_duplicates (JzStore *store)
{
  sqlite3_stmt *stmt = NULL;
  Samples s;
  guint64 found = 0;
  guint n = 0;
  GDate today;

  g_date_clear (&today, 1);
  g_date_set_time_t (&today, time (NULL));
  samples_init (&s);
  sqlite3_prepare_v2 (jz_store_get_db (store),
                      "SELECT name, sex, birth_date, birth_precision, estimated_age, hukou_region, id_number "
                      "FROM person WHERE name IS NOT NULL AND rowid % 4999 = 7 LIMIT 200",
                      -1, &stmt, NULL);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) r = NULL;
      const char *birth = (const char *) sqlite3_column_text (stmt, 2);
      const char *precision = (const char *) sqlite3_column_text (stmt, 3);
      JzDupPerson intake;
      double w, c;
      int y = 0, m = 0, d = 0;

      jz_dup_person_init (&intake);
      intake.name = (const char *) sqlite3_column_text (stmt, 0);
      jz_sex_from_string ((const char *) sqlite3_column_text (stmt, 1), &intake.sex);
      /* Half come back with their ID number, half without, ages guessed. */
      if (n % 2 == 0)
        intake.id_number = (const char *) sqlite3_column_text (stmt, 6);
      if (birth != NULL && sscanf (birth, "%d-%d-%d", &y, &m, &d) == 3 && g_strcmp0 (precision, "exact") == 0 && n % 2 == 0)
        jz_birth_init_exact (&intake.birth, y, m, d);
      else if (birth != NULL && y > 1900)
        jz_birth_init_estimated (&intake.birth, g_date_get_year (&today) - y, &today);
      else if (sqlite3_column_type (stmt, 4) != SQLITE_NULL)
        jz_birth_init_estimated (&intake.birth, sqlite3_column_int (stmt, 4) + 2, &today);
      intake.region_code = (const char *) sqlite3_column_text (stmt, 5);

      w = now_ms ();
      c = cpu_ms ();
      r = jz_search_duplicates (store, &intake, 10, &error);
      if (r == NULL)
        g_error ("%s", error->message);
      samples_add (&s, now_ms () - w, cpu_ms () - c);
      found += r->len;
      n++;
    }
  sqlite3_finalize (stmt);
  printf ("dups       %u intakes, %.1f candidates on average\n", n, n ? (double) found / n : 0.0);
  report ("dups", &s);
}

static void
bench_due (JzStore *store)
{
  for (int open_only = 1; open_only >= 0; open_only--)
    {
      JzDueOptions options;
      Samples s;
      guint items = 0, follow_ups = 0;

      jz_due_options_init (&options);
      options.follow_ups = !open_only;
      samples_init (&s);
      for (int i = 0; i < 10; i++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GPtrArray) r = NULL;
          double w = now_ms (), c = cpu_ms ();

          r = jz_store_list_due_with (store, &options, &error);
          if (r == NULL)
            g_error ("%s", error->message);
          samples_add (&s, now_ms () - w, cpu_ms () - c);
          items = r->len;
          follow_ups = 0;
          for (guint k = 0; k < r->len; k++)
            follow_ups += ((JzDueItem *) r->pdata[k])->kind == JZ_DEADLINE_FOLLOW_UP;
        }
      printf ("due        %s: %u items (%u follow-ups); %" G_GINT64_FORMAT " open episodes\n",
              open_only ? "open episodes only" : "with follow-ups", items, follow_ups,
              query_int (store, "SELECT count (*) FROM episode WHERE status IN ('screening', 'admitted', 'hospital', 'police')"));
      report (open_only ? "due-open" : "due-all", &s);
    }
}

static void
bench_open (const char *path)
{
  Samples s;

  samples_init (&s);
  for (int i = 0; i < 20; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JzStore) store = NULL;
      g_autoptr(GPtrArray) rows = NULL;
      double w = now_ms (), c = cpu_ms ();

      store = jz_store_open (path, &error);
      if (store == NULL)
        g_error ("%s", error->message);
      rows = jz_store_list_cases (store, 0, 50, &error);
      if (rows == NULL || rows->len != 50)
        g_error ("case list: %s", error ? error->message : "short");
      samples_add (&s, now_ms () - w, cpu_ms () - c);
    }
  report ("open+50", &s);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  const char *env;
  guint people = 1000000, import_people = 20000;
  gboolean keep = FALSE;
  gboolean store_wanted = wanted ("demo") || wanted ("size") || wanted ("search") || wanted ("dups") ||
                          wanted ("due") || wanted ("register") || wanted ("open");
  gboolean write_only = g_strcmp0 (g_getenv ("JZ_BENCH_WRITE_ONLY"), "1") == 0;

  if ((env = g_getenv ("JZ_BENCH_PEOPLE")) != NULL)
    people = (guint) atoi (env);
  if ((env = g_getenv ("JZ_BENCH_IMPORT_PEOPLE")) != NULL)
    import_people = (guint) atoi (env);
  if ((env = g_getenv ("JZ_BENCH_STORE")) != NULL)
    path = g_strdup (env);
  for (int i = 1; i + 1 < argc; i += 2)
    {
      if (g_str_equal (argv[i], "--people"))
        people = (guint) atoi (argv[i + 1]);
      else if (g_str_equal (argv[i], "--import-people"))
        import_people = (guint) atoi (argv[i + 1]);
      else if (g_str_equal (argv[i], "--store"))
        {
          g_free (path);
          path = g_strdup (argv[i + 1]);
        }
    }

  dir = g_dir_make_tmp ("jz-bench-store-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);

  if (!store_wanted)
    {
      /* JZ_BENCH_ONLY=import: the import builds its own source. */
      keep = TRUE;
    }
  else if (path != NULL && g_file_test (path, G_FILE_TEST_EXISTS))
    {
      keep = TRUE;
      store = jz_store_open (path, &error);
      if (store == NULL)
        g_error ("%s", error->message);
      printf ("store      %s (kept)\n", path);
    }
  else
    {
      keep = path != NULL;
      if (path == NULL)
        path = g_build_filename (dir, "station.db", NULL);
      store = build (path, people, FALSE);
    }

  if (store != NULL && wanted ("size"))
    bench_size (store, path);
  if (store != NULL && !write_only)
    {
      if (wanted ("search"))
        bench_search (store);
      if (wanted ("dups"))
        bench_duplicates (store);
      if (wanted ("due"))
        bench_due (store);
      if (wanted ("register"))
        {
          bench_register (store, "register", TRUE);
          bench_register (store, "reg-burst", FALSE);
        }
    }
  g_clear_object (&store);
  if (store_wanted && !write_only && wanted ("open"))
    bench_open (path);
  if (import_people > 0 && wanted ("import"))
    bench_import (dir, import_people);

  if (!keep)
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);
      g_unlink (path);
      g_unlink (wal);
      g_unlink (shm);
    }
  g_rmdir (dir);
  return 0;
}
