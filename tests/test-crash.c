/* test-crash.c: kill -9 of a writer at random moments
 *
 * A child process writes user actions in a loop (registration with
 * belongings, a person update, now and then a departure) and reports
 * through a pipe each write whose commit returned. The parent kills it
 * with SIGKILL at a random moment, then opens the store: `check` must pass
 * and every reported write must be there. Repeated JZ_CRASH_ROUNDS times
 * (default 60); the seed is printed so a failure can be replayed with
 * JZ_CRASH_SEED.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "jz-actions.h"
#include "jz-check.h"
#include "jz-records.h"
#include "jz-store.h"

#include <sqlite3.h>

static void
write_line (int         fd,
            const char *line)
{
  gsize len = strlen (line);
  gsize done = 0;

  while (done < len)
    {
      gssize n = write (fd, line + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        _exit (3);
      done += n;
    }
}

/* Whether @store's journal mode is @mode. */
static gboolean
in_journal_mode (JzStore    *store,
                 const char *mode)
{
  sqlite3_stmt *stmt = NULL;
  gboolean in = FALSE;

  if (sqlite3_prepare_v2 (jz_store_get_db (store), "PRAGMA journal_mode", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    in = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), mode) == 0;
  sqlite3_finalize (stmt);
  return in;
}

/* The child: writes until killed. Never returns. */
static void
child_main (const char *path,
            int         fd,
            guint32     seed,
            gboolean    bulk)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = jz_store_open (path, &error);
  GRand *rand = g_rand_new_with_seed (seed);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (store == NULL)
    {
      g_printerr ("child: %s\n", error->message);
      _exit (2);
    }
  if (bulk)
    {
      /* Alone with the store: the rollback journal, as the demo has it. */
      jz_store_set_bulk (store, TRUE);
      if (!in_journal_mode (store, "truncate"))
        {
          g_printerr ("child: bulk writes kept the WAL\n");
          _exit (2);
        }
    }
  jz_store_set_actor (store, "0190a0b0-0000-7000-8000-00000000c0de");

  for (guint i = 0;; i++)
    {
      g_autoptr(JzPerson) p = jz_person_new ();
      g_autoptr(JzEpisode) e = jz_episode_new ();
      g_autoptr(JzBelonging) b1 = jz_belonging_new ();
      g_autoptr(JzBelonging) b2 = jz_belonging_new ();
      JzBelonging *items[] = { b1, b2 };
      char line[128];

      p->name = g_strdup_printf ("测试%u", g_rand_int (rand) % 100000);
      p->sex = g_strdup (i % 2 ? "male" : "female");
      p->description = g_strnfill (g_rand_int_range (rand, 10, 400), 'x');
      e->admitted_at = now - g_rand_int_range (rand, 60, 86400);
      e->source = g_strdup ("walk_in");
      e->status = g_strdup ("admitted");
      b1->item = g_strdup ("手机");
      b2->item = g_strdup ("钱包");
      if (!jz_store_register_intake (store, p, e, items, 2, &error))
        {
          g_printerr ("child: intake: %s\n", error->message);
          _exit (2);
        }
      g_snprintf (line, sizeof line, "P %s %s\n", p->rec.id, e->rec.id);
      write_line (fd, line);

      g_free (p->dialect);
      p->dialect = g_strdup_printf ("方言%u", i);
      if (!jz_store_update_person (store, p, &error))
        {
          g_printerr ("child: update: %s\n", error->message);
          _exit (2);
        }
      g_snprintf (line, sizeof line, "H %s %" G_GINT64_FORMAT "\n", p->rec.id, p->rec.hlc);
      write_line (fd, line);

      if (i % 3 == 0)
        {
          g_autoptr(JzDepartureRecord) d = jz_departure_new ();

          d->mode = g_strdup ("ticket");
          d->ticket_kind = g_strdup ("train");
          if (!jz_store_record_departure (store, e, d, &error))
            {
              g_printerr ("child: departure: %s\n", error->message);
              _exit (2);
            }
          g_snprintf (line, sizeof line, "D %s\n", e->rec.id);
          write_line (fd, line);
        }
    }
}

typedef struct
{
  GHashTable *persons;     /* id → minimum hlc */
  GHashTable *departed;    /* episode ids */
  GString    *partial;
  guint       lines;
} Reported;

static void
parse_lines (Reported   *r,
             const char *buf,
             gssize      n)
{
  g_string_append_len (r->partial, buf, n);
  for (;;)
    {
      char *nl = memchr (r->partial->str, '\n', r->partial->len);
      g_auto(GStrv) parts = NULL;

      if (nl == NULL)
        break;
      *nl = '\0';
      parts = g_strsplit (r->partial->str, " ", 3);
      if (g_str_equal (parts[0], "P"))
        g_hash_table_insert (r->persons, g_strdup (parts[1]), GINT_TO_POINTER (0));
      else if (g_str_equal (parts[0], "H"))
        g_hash_table_insert (r->persons, g_strdup (parts[1]),
                             g_memdup2 (&(gint64) { g_ascii_strtoll (parts[2], NULL, 10) }, sizeof (gint64)));
      else if (g_str_equal (parts[0], "D"))
        g_hash_table_add (r->departed, g_strdup (parts[1]));
      else
        g_error ("unexpected line from the child: %s", r->partial->str);
      r->lines++;
      g_string_erase (r->partial, 0, nl - r->partial->str + 1);
    }
}

static void
verify (const char *path,
        Reported   *r)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = jz_store_open (path, &error);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_assert_no_error (error);
  /* Opening rolled back a hot journal, if the kill left one, and put the
   * store back in WAL. */
  g_assert_true (in_journal_mode (store, "wal"));
  if (!jz_store_check (store, problems, NULL, &error))
    {
      for (guint i = 0; i < problems->len; i++)
        g_test_message ("problem: %s", (char *) problems->pdata[i]);
      g_assert_no_error (error);
      g_assert_cmpuint (problems->len, ==, 0);
    }

  g_hash_table_iter_init (&iter, r->persons);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr(JzPerson) p = jz_store_get_person (store, key, &error);

      g_assert_no_error (error);
      g_assert_nonnull (p);
      /* An "H" line means the update committed: the row is at least that new. */
      if (value != NULL)
        {
          g_assert_cmpint (p->rec.hlc, >=, *(gint64 *) value);
          g_assert_nonnull (p->dialect);
        }
    }
  g_hash_table_iter_init (&iter, r->departed);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_autoptr(JzEpisode) e = jz_store_get_episode (store, key, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (e->status, ==, "departed");
    }
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (dir);
}

/* @data: non-NULL for a writer in bulk mode (jz_store_set_bulk). */
static void
test_kill_writer (gconstpointer data)
{
  gboolean bulk = data != NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jz-test-crash-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "station.db", NULL);
  const char *rounds_env = g_getenv ("JZ_CRASH_ROUNDS");
  const char *seed_env = g_getenv ("JZ_CRASH_SEED");
  guint rounds = rounds_env ? (guint) g_ascii_strtoull (rounds_env, NULL, 10) : 60;
  guint32 seed = seed_env ? (guint32) g_ascii_strtoull (seed_env, NULL, 10) : g_random_int ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  Reported r = { 0, };
  guint killed_mid_write = 0;
  guint hot_journals = 0;

  g_test_message ("seed %u (replay with JZ_CRASH_SEED=%u), %u rounds", seed, seed, rounds);
  {
    g_autoptr(JzStore) store = jz_store_create (path, "320481-01", "溧阳市救助管理站",
                                                JZ_STATION_LEVEL_COUNTY, &error);
    g_assert_no_error (error);
  }
  r.persons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  r.departed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  r.partial = g_string_new (NULL);

  for (guint round = 0; round < rounds; round++)
    {
      int fds[2];
      pid_t pid;
      guint wait_lines = g_rand_int_range (rand, 1, 8);
      guint start_lines = r.lines;
      char buf[4096];
      gssize n;
      int status = 0;

      g_assert_cmpint (pipe (fds), ==, 0);
      fflush (stdout);
      fflush (stderr);
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          close (fds[0]);
          child_main (path, fds[1], g_rand_int (rand), bulk);
          _exit (0);
        }
      close (fds[1]);

      /* Let it commit a few writes, then kill it a random time later:
       * somewhere inside a transaction, a commit, or a checkpoint. */
      while (r.lines - start_lines < wait_lines && (n = read (fds[0], buf, sizeof buf)) > 0)
        parse_lines (&r, buf, n);
      g_usleep (g_rand_int_range (rand, 0, 4000));
      kill (pid, SIGKILL);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
      killed_mid_write++;

      /* Everything the child reported before it died. */
      while ((n = read (fds[0], buf, sizeof buf)) > 0)
        parse_lines (&r, buf, n);
      close (fds[0]);
      g_string_truncate (r.partial, 0);   /* a half line was not reported */
      {
        g_autofree char *journal = g_strconcat (path, "-journal", NULL);
        GStatBuf st;

        if (g_stat (journal, &st) == 0 && st.st_size > 0)
          hot_journals++;
      }

      verify (path, &r);
    }
  g_test_message ("%u kills (%u left a rollback journal), %u persons and %u departures "
                  "reported committed and found", killed_mid_write, hot_journals,
                  g_hash_table_size (r.persons), g_hash_table_size (r.departed));
  g_assert_cmpuint (killed_mid_write, ==, rounds);

  g_hash_table_unref (r.persons);
  g_hash_table_unref (r.departed);
  g_string_free (r.partial, TRUE);
  remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/crash/kill-writer", NULL, test_kill_writer);
  g_test_add_data_func ("/crash/kill-bulk-writer", GINT_TO_POINTER (1), test_kill_writer);
  return g_test_run ();
}
