/* bench-app.c: the app's views on a big store against an empty one
 *
 * Measures, with real widgets drawn by GTK (under Xvfb when there is no
 * display: the program re-runs itself with xvfb-run):
 *   today    time until the Today view is drawn, empty store vs big store
 *   search   search as you type: keystroke → results drawn
 *   case     opening a case page → drawn
 *   memory   resident memory after dragging through the whole case list
 *
 * The big store is $JZ_BENCH_STORE (a station.db made by `jiuzhu-cli demo
 * --people 1000000`), else one made here with $JZ_BENCH_PEOPLE people
 * (default 100,000) through $JZ_CLI_PROGRAM demo. Figures go to stdout
 * and into tests/bench/README.md by hand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jz-case-list-model.h"
#include "jz-case-page.h"
#include "jz-cases-view.h"
#include "jz-gui-util.h"
#include "jz-today-view.h"
#include "jz-window.h"
#include "jz-pinyin.h"

static gint64 painted_at;

/* One measurement: wall time, the process's CPU time (all threads: GTK's
 * GL renderer on llvmpipe draws on threads of its own) and the main
 * thread's. On a shared machine the CPU figures are the steadier ones. */
typedef struct
{
  gint64 wall;
  gint64 cpu;
  gint64 main_cpu;
} Sample;

static gint64
clock_us (clockid_t id)
{
  struct timespec ts;

  clock_gettime (id, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static Sample
sample_start (void)
{
  return (Sample) { g_get_monotonic_time (), clock_us (CLOCK_PROCESS_CPUTIME_ID),
                    clock_us (CLOCK_THREAD_CPUTIME_ID) };
}

/* The CPU used since @start; the wall time is given (when painted). */
static void
sample_add (GArray       *samples,
            const Sample *start,
            gint64        wall)
{
  Sample s = { wall, clock_us (CLOCK_PROCESS_CPUTIME_ID) - start->cpu,
               clock_us (CLOCK_THREAD_CPUTIME_ID) - start->main_cpu };

  g_array_append_val (samples, s);
}

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  painted_at = g_get_monotonic_time ();
}

/* Runs the main loop until a frame is painted after @since. */
static gint64
wait_painted (GtkWidget *window,
              gint64     since)
{
  GdkFrameClock *clock;

  clock = gtk_widget_get_frame_clock (window);
  if (clock != NULL)
    gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_PAINT);
  while (painted_at <= since)
    g_main_context_iteration (NULL, TRUE);
  return painted_at - since;
}

/* With JZ_BENCH_PERF_CTL=FIFO and `perf record -D -1
 * --control=fifo:FIFO`, only the measured part is profiled. */
static void
perf_control (const char *command)
{
  const char *fifo = g_getenv ("JZ_BENCH_PERF_CTL");
  FILE *f;

  if (fifo == NULL || (f = fopen (fifo, "w")) == NULL)
    return;
  fprintf (f, "%s\n", command);
  fclose (f);
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* How many widgets there are under @widget, itself included. */
static guint
count_widgets (GtkWidget *widget)
{
  guint n = 1;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    n += count_widgets (c);
  return n;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
report (const char *what,
        GArray     *us)
{
  g_array_sort (us, compare_gint64);
  printf ("%-44s n=%-3u median %7.1f ms   p95 %7.1f ms   max %7.1f ms\n", what, us->len,
          g_array_index (us, gint64, us->len / 2) / 1000.0,
          g_array_index (us, gint64, MIN (us->len - 1, us->len * 95 / 100)) / 1000.0,
          g_array_index (us, gint64, us->len - 1) / 1000.0);
  fflush (stdout);
}

/* Wall time as report(), then the medians of CPU time. */
static void
report_samples (const char *what,
                GArray     *samples)
{
  g_autoptr(GArray) wall = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) cpu = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) main_cpu = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (samples->len == 0)
    return;
  for (guint i = 0; i < samples->len; i++)
    {
      Sample *s = &g_array_index (samples, Sample, i);

      g_array_append_val (wall, s->wall);
      g_array_append_val (cpu, s->cpu);
      g_array_append_val (main_cpu, s->main_cpu);
    }
  report (what, wall);
  g_array_sort (cpu, compare_gint64);
  g_array_sort (main_cpu, compare_gint64);
  printf ("%-44s        CPU median %7.1f ms   p95 %7.1f ms   (main thread: median %.1f ms, p95 %.1f ms)\n", "",
          g_array_index (cpu, gint64, cpu->len / 2) / 1000.0,
          g_array_index (cpu, gint64, MIN (cpu->len - 1, cpu->len * 95 / 100)) / 1000.0,
          g_array_index (main_cpu, gint64, main_cpu->len / 2) / 1000.0,
          g_array_index (main_cpu, gint64, MIN (main_cpu->len - 1, main_cpu->len * 95 / 100)) / 1000.0);
  fflush (stdout);
}

static long
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line ? strtol (line + 6, NULL, 10) : -1;
}

/* Where resident memory is, by mapping (JZ_BENCH_SMAPS=1): the heap and
 * anonymous maps, the fonts, the GL driver's libraries… */
static void
print_memory_map (const char *when)
{
  g_autofree char *smaps = NULL;
  g_autoptr(GHashTable) by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GList) names = NULL;
  const char *current = "[anon]";
  long anon_total = 0;

  if (g_getenv ("JZ_BENCH_SMAPS") == NULL ||
      !g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL))
    return;
  lines = g_strsplit (smaps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      long *kib;

      if (g_ascii_isxdigit (line[0]) && strchr (line, '-') != NULL && strchr (line, ' ') > strchr (line, '-'))
        {
          /* "start-end perms offset dev inode   name" */
          char **f = g_strsplit_set (line, " ", -1);
          guint n = g_strv_length (f);

          current = "[anon]";
          for (guint j = n; j > 5; j--)
            if (*f[j - 1] != '\0')
              {
                current = g_intern_string (f[j - 1]);
                break;
              }
          g_strfreev (f);
          continue;
        }
      if (g_str_has_prefix (line, "Anonymous:"))
        anon_total += strtol (line + 10, NULL, 10);
      if (!g_str_has_prefix (line, "Rss:"))
        continue;
      kib = g_hash_table_lookup (by_name, current);
      if (kib == NULL)
        {
          kib = g_new0 (long, 1);
          g_hash_table_insert (by_name, g_strdup (current), kib);
        }
      *kib += strtol (line + 4, NULL, 10);
    }
  printf ("resident memory by mapping, %s (anonymous in all: %ld KiB):\n", when, anon_total);
  names = g_hash_table_get_keys (by_name);
  for (guint shown = 0; shown < 15 && names != NULL; shown++)
    {
      GList *best = names;

      for (GList *l = names; l != NULL; l = l->next)
        if (*(long *) g_hash_table_lookup (by_name, l->data) > *(long *) g_hash_table_lookup (by_name, best->data))
          best = l;
      printf ("  %8ld KiB  %s\n", *(long *) g_hash_table_lookup (by_name, best->data), (char *) best->data);
      names = g_list_delete_link (names, best);
    }
  fflush (stdout);
}

static JzWindow *
show_window (JzStore *store,
             gint64  *elapsed)
{
  gint64 start = g_get_monotonic_time ();
  JzWindow *window = jz_window_new (NULL, store);
  GdkFrameClock *clock;

  /* The same as a signed-in worker sees; signing in is not measured. */
  jz_window_show_without_sign_in (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
  *elapsed = wait_painted (GTK_WIDGET (window), start);
  return window;
}

/* The big store is shared and read, never written: its file is opened
 * read-only by a VFS that wraps the default one, so that a migration, a
 * trigger reinstalled or a write by a view fails instead of changing it. */
static sqlite3_vfs *real_vfs;
static sqlite3_vfs read_only_vfs;
static char *read_only_path;

static int
read_only_open (sqlite3_vfs  *vfs,
                const char   *name,
                sqlite3_file *file,
                int           flags,
                int          *out_flags)
{
  if ((flags & SQLITE_OPEN_MAIN_DB) && name != NULL && g_strcmp0 (name, read_only_path) == 0)
    flags = (flags & ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_READONLY;
  return real_vfs->xOpen (real_vfs, name, file, flags, out_flags);
}

static void
open_read_only (const char *path)
{
  char resolved[PATH_MAX];

  if (realpath (path, resolved) == NULL)
    g_error ("Cannot find %s: %s", path, g_strerror (errno));
  read_only_path = g_strdup (resolved);
  real_vfs = sqlite3_vfs_find (NULL);
  read_only_vfs = *real_vfs;
  read_only_vfs.zName = "jz-bench-read-only";
  read_only_vfs.xOpen = read_only_open;
  if (sqlite3_vfs_register (&read_only_vfs, 1) != SQLITE_OK)
    g_error ("Cannot register the read-only VFS");
}

static JzStore *
open_store (const char *path,
            gint64     *elapsed)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  JzStore *store = jz_store_open (path, &error);

  if (store == NULL)
    g_error ("Cannot open %s: %s", path, error->message);
  *elapsed = g_get_monotonic_time () - start;
  return store;
}

static char *
make_big_store (const char *dir)
{
  const char *cli = g_getenv ("JZ_CLI_PROGRAM");
  const char *people = g_getenv ("JZ_BENCH_PEOPLE");
  g_autofree char *cmd = NULL;

  if (cli == NULL)
    g_error ("Set JZ_BENCH_STORE to a big station.db, or JZ_CLI_PROGRAM to jiuzhu-cli");
  g_setenv ("JIUZHU_DATA_DIR", dir, TRUE);
  cmd = g_strdup_printf ("'%s' --profile big init --station-code 320481-01 --station-name 溧阳市救助管理站 >/dev/null && "
                         "'%s' --profile big demo --people %s --seed 1 >/dev/null",
                         cli, cli, people ? people : "100000");
  printf ("making a store with %s people (jiuzhu-cli demo)…\n", people ? people : "100000");
  fflush (stdout);
  if (system (cmd) != 0)
    g_error ("jiuzhu-cli demo failed");
  return g_build_filename (dir, "big", "station.db", NULL);
}

static void
bench_today (const char *empty_path,
             const char *big_path)
{
  g_autoptr(GArray) empty = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) big = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) empty_open = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) big_open = g_array_new (FALSE, FALSE, sizeof (gint64));

  /* Alternating, so both see the same machine load. */
  for (int i = 0; i < 5; i++)
    for (int which = 0; which < 2; which++)
      {
        gint64 open_us, show_us;
        g_autoptr(JzStore) store = open_store (which ? big_path : empty_path, &open_us);
        JzWindow *window;

        /* With JZ_BENCH_PERF_CTL: the big store's Today only. */
        if (which)
          perf_control ("enable");
        window = show_window (store, &show_us);
        if (which)
          perf_control ("disable");

        g_array_append_val (which ? big_open : empty_open, open_us);
        g_array_append_val (which ? big : empty, show_us);
        gtk_window_destroy (GTK_WINDOW (window));
        drain ();
      }
  report ("open store, empty", empty_open);
  report ("open store, big", big_open);
  report ("Today view drawn, empty store", empty);
  report ("Today view drawn, big store", big);
  printf ("%-44s %.2f× (target ≤ 1.5×)\n", "Today: big / empty (medians)",
          (double) g_array_index (big, gint64, big->len / 2) / (double) g_array_index (empty, gint64, empty->len / 2));
}

static void
bench_search (JzWindow *window)
{
  /* What people type, one keystroke at a time. */
  const char *default_words[] = { "张伟", "zhangwei", "zw", "王芳", "liu", "无名氏1", "3204", "320481198", "李", "chen", NULL };
  /* JZ_BENCH_WORDS=a,b: other words (to profile one keystroke). */
  g_auto(GStrv) chosen = g_getenv ("JZ_BENCH_WORDS") ? g_strsplit (g_getenv ("JZ_BENCH_WORDS"), ",", -1) : NULL;
  const char * const *words = chosen ? (const char * const *) chosen : default_words;
  g_autoptr(GArray) drawn = g_array_new (FALSE, FALSE, sizeof (Sample));
  g_autoptr(GArray) updated = g_array_new (FALSE, FALSE, sizeof (Sample));
  JzCasesView *view = JZ_CASES_VIEW (gtk_widget_get_template_child (GTK_WIDGET (window), JZ_TYPE_WINDOW, "cases_view"));
  GtkWidget *entry = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (view), JZ_TYPE_CASES_VIEW, "search_entry"));
  JzCaseListModel *model = jz_cases_view_get_model (view);

  /* JZ_BENCH_PERF_TYPED=a,b: profile only the keystrokes that make
   * these texts (with JZ_BENCH_PERF_CTL). */
  g_auto(GStrv) profiled = g_getenv ("JZ_BENCH_PERF_TYPED") ? g_strsplit (g_getenv ("JZ_BENCH_PERF_TYPED"), ",", -1) : NULL;

  jz_window_set_view (window, "cases");
  wait_painted (GTK_WIDGET (window), g_get_monotonic_time ());
  if (profiled == NULL)
    perf_control ("enable");
  for (guint w = 0; words[w] != NULL; w++)
    {
      const char *p = words[w];

      gtk_editable_set_text (GTK_EDITABLE (entry), "");
      drain ();
      while (*p)
        {
          g_autofree char *typed = NULL;
          const char *next = g_utf8_next_char (p);
          Sample start;
          gint64 t, u;
          int position = -1;

          typed = g_strndup (words[w], next - words[w]);
          if (profiled != NULL && g_strv_contains ((const char * const *) profiled, typed))
            perf_control ("enable");
          start = sample_start ();
          /* A keystroke adds a character at the end (set_text would
           * clear the entry first: two changes). */
          gtk_editable_insert_text (GTK_EDITABLE (entry), p, next - p, &position);
          /* The entry reports the change from the main loop (after its
           * search delay, if it has one: that counts in the figures). */
          while (g_strcmp0 (jz_case_list_model_get_query (model)->search, typed) != 0)
            g_main_context_iteration (NULL, TRUE);
          u = g_get_monotonic_time () - start.wall;
          sample_add (updated, &start, u);
          t = wait_painted (GTK_WIDGET (window), start.wall);
          sample_add (drawn, &start, t);
          if (profiled != NULL && g_strv_contains ((const char * const *) profiled, typed))
            perf_control ("disable");
          if (g_getenv ("JZ_BENCH_VERBOSE") != NULL)
            printf ("  “%s”: list updated after %.1f ms, drawn after %.1f ms, CPU %.1f ms (%u rows, %u widgets)\n",
                    typed, u / 1000.0, t / 1000.0, g_array_index (drawn, Sample, drawn->len - 1).cpu / 1000.0,
                    g_list_model_get_n_items (G_LIST_MODEL (model)), count_widgets (GTK_WIDGET (view)));
          p = next;
        }
    }
  if (profiled == NULL)
    perf_control ("disable");
  report_samples ("search: keystroke → list updated", updated);
  report_samples ("search: keystroke → results drawn", drawn);
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  drain ();
}

static GPtrArray *
sample_people (JzStore *store,
               guint    n)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = jz_store_prepare (store,
                                         "SELECT person_id FROM episode WHERE rowid = ?1", NULL);
  sqlite3_stmt *max = jz_store_prepare (store, "SELECT max (rowid) FROM episode", NULL);
  gint64 top;
  GRand *rand = g_rand_new_with_seed (7);

  sqlite3_step (max);
  top = sqlite3_column_int64 (max, 0);
  sqlite3_reset (max);
  for (guint tries = 0; ids->len < n && tries < n * 10; tries++)
    {
      sqlite3_bind_int64 (stmt, 1, g_rand_int_range (rand, 1, (gint32) MAX (top, 2)));
      if (sqlite3_step (stmt) == SQLITE_ROW)
        g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      sqlite3_reset (stmt);
    }
  g_rand_free (rand);
  return ids;
}

static void
bench_case (JzWindow *window,
            JzStore  *store)
{
  g_autoptr(GPtrArray) people = sample_people (store, 40);
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (Sample));

  perf_control ("enable");
  for (guint i = 0; i < people->len; i++)
    {
      Sample start = sample_start ();

      if (!jz_window_show_case (window, people->pdata[i]))
        continue;
      sample_add (samples, &start, wait_painted (GTK_WIDGET (window), start.wall));
    }
  perf_control ("disable");
  report_samples ("case page: open → drawn", samples);
}

static void
bench_memory (JzWindow *window)
{
  JzCasesView *view = JZ_CASES_VIEW (gtk_widget_get_template_child (GTK_WIDGET (window), JZ_TYPE_WINDOW, "cases_view"));
  GtkWidget *scroller = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (view), JZ_TYPE_CASES_VIEW, "scroller"));
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  JzCaseListModel *model = jz_cases_view_get_model (view);
  const int steps = g_getenv ("JZ_BENCH_SCROLL_STEPS") ? atoi (g_getenv ("JZ_BENCH_SCROLL_STEPS")) : 1000;
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GArray) us = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint max_cache = 0;
  Sample cpu_start;

  jz_window_set_view (window, "cases");
  wait_painted (GTK_WIDGET (window), g_get_monotonic_time ());
  printf ("%-44s %ld KiB (%u rows in the list)\n", "resident memory before scrolling", rss_kib (),
          g_list_model_get_n_items (G_LIST_MODEL (model)));
  print_memory_map ("before scrolling");
  perf_control ("enable");
  cpu_start = sample_start ();
  /* Dragging the scroll bar from the top to the bottom. */
  for (int i = 1; i <= steps; i++)
    {
      gint64 t0 = g_get_monotonic_time (), t;

      gtk_adjustment_set_value (adj, (gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj)) * i / steps);
      t = wait_painted (GTK_WIDGET (window), t0);
      g_array_append_val (us, t);
      max_cache = MAX (max_cache, jz_case_list_model_get_cache_size (model));
    }
  printf ("scrolled the whole list in %d steps: %.1f s (CPU %.1f s, main thread %.1f s), %u pages read, "
          "cache at most %u rows\n", steps, (g_get_monotonic_time () - start) / 1e6,
          (clock_us (CLOCK_PROCESS_CPUTIME_ID) - cpu_start.cpu) / 1e6,
          (clock_us (CLOCK_THREAD_CPUTIME_ID) - cpu_start.main_cpu) / 1e6,
          jz_case_list_model_get_pages_read (model), max_cache);
  perf_control ("disable");
  report ("scroll step → drawn", us);
  printf ("%-44s %ld KiB (target ≤ 200 MB)\n", "resident memory after scrolling", rss_kib ());
  print_memory_map ("after scrolling");
  fflush (stdout);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *empty_path = NULL;
  g_autofree char *big_path = NULL;
  g_autoptr(JzStore) empty = NULL;
  g_autoptr(JzStore) big = NULL;
  g_autoptr(GError) error = NULL;
  JzWindow *window;
  gint64 open_us, show_us;
  const char *mode;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL &&
      g_getenv ("JZ_BENCH_NO_XVFB") == NULL)
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new ();

      /* A benchmark of drawing needs a display; give it a private one. */
      g_setenv ("JZ_BENCH_NO_XVFB", "1", TRUE);
      g_ptr_array_add (args, "xvfb-run");
      g_ptr_array_add (args, "-a");
      g_ptr_array_add (args, "-s");
      g_ptr_array_add (args, "-screen 0 1344x864x24 -nolisten tcp");
      for (int i = 0; i < argc; i++)
        g_ptr_array_add (args, argv[i]);
      g_ptr_array_add (args, NULL);
      execvp ("xvfb-run", (char **) args->pdata);
      g_error ("Cannot run xvfb-run: %s", g_strerror (errno));
    }

  setlocale (LC_ALL, "");
  setvbuf (stdout, NULL, _IOLBF, 0);
  /* The renderer the app would choose here (main.c); GSK_RENDERER=gl
   * measures OpenGL (llvmpipe without a GPU). */
  jz_gui_choose_renderer ();
  printf ("renderer: %s\n", g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "GTK's default (OpenGL)");
  gtk_init ();
  adw_init ();
  jz_pinyin_warm_up (); /* as the app's startup does */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  mode = argc > 1 ? argv[1] : NULL;
  dir = g_dir_make_tmp ("jz-bench-app-XXXXXX", &error);
  g_assert_no_error (error);
  if (g_getenv ("JZ_BENCH_EMPTY") != NULL)
    empty_path = g_strdup (g_getenv ("JZ_BENCH_EMPTY"));
  else
    {
      empty_path = g_build_filename (dir, "empty.db", NULL);
      empty = jz_store_create (empty_path, "320481-01", "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);
      g_assert_no_error (error);
      g_clear_object (&empty);
    }
  if (g_getenv ("JZ_BENCH_STORE") != NULL)
    {
      big_path = g_strdup (g_getenv ("JZ_BENCH_STORE"));
      open_read_only (big_path);
    }
  else
    big_path = make_big_store (dir);
  if (mode == NULL)
    printf ("big store: %s\n", big_path);

  /* Each figure in a process of its own, so that memory and caches of
   * one do not count in the next. */
  if (mode == NULL)
    {
      const char *modes[] = { "today", "search", "case", "memory" };

      g_setenv ("JZ_BENCH_STORE", big_path, TRUE);
      g_setenv ("JZ_BENCH_EMPTY", empty_path, TRUE);
      for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
        {
          const char *child_argv[] = { argv[0], modes[i], NULL };
          int status = 0;

          if (!g_spawn_sync (NULL, (char **) child_argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL,
                             NULL, NULL, &status, &error))
            g_error ("%s", error->message);
        }
    }
  else if (g_str_equal (mode, "today"))
    bench_today (empty_path, big_path);
  else
    {
      big = open_store (big_path, &open_us);
      window = show_window (big, &show_us);
      if (g_str_equal (mode, "search"))
        bench_search (window);
      else if (g_str_equal (mode, "case"))
        bench_case (window, big);
      else if (g_str_equal (mode, "memory"))
        bench_memory (window);
      gtk_window_destroy (GTK_WINDOW (window));
      drain ();
    }

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    if (system (cmd) != 0)
      g_warning ("Cannot remove %s", dir);
  }
  return 0;
}
