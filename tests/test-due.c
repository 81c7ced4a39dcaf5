/* test-due.c: deadlines due and overdue across the station
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "jz-actions.h"
#include "jz-demo.h"
#include "jz-due.h"
#include "jz-records.h"
#include "jz-store.h"
#include "jz-test-cases.h"

#define DAY 86400

typedef struct
{
  char    *dir;
  JzStore *store;
  gint64   now;
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
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("jz-test-due-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "station.db", NULL);
  f->store = jz_store_create (path, "320481-01", "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);
  g_assert_no_error (error);
  f->now = g_get_real_time () / G_USEC_PER_SEC;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  remove_tree (f->dir);
  g_free (f->dir);
}

/* An adult admitted @days_ago days ago; identified or not. */
static JzEpisode *
admit (Fixture    *f,
       const char *name,
       gboolean    identified,
       double      days_ago)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = jz_person_new ();
  JzEpisode *e = jz_episode_new ();

  p->name = g_strdup (name);
  p->sex = g_strdup ("male");
  p->birth_date = g_strdup ("1980-05-05");
  p->birth_precision = g_strdup ("exact");
  p->identity_status = g_strdup (identified ? "verified" : "unknown");
  e->admitted_at = f->now - (gint64) (days_ago * DAY);
  e->source = g_strdup ("walk_in");
  e->status = g_strdup ("admitted");
  e->eligibility = g_strdup ("admit");
  g_assert_true (jz_store_register_intake (f->store, p, e, NULL, 0, &error));
  g_assert_no_error (error);
  return e;
}

static GPtrArray *
due (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *items = jz_store_list_due (f->store, f->now, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (items);
  return items;
}

static JzDueItem *
find (GPtrArray      *items,
      const char     *episode_id,
      JzDeadlineKind  kind)
{
  for (guint i = 0; i < items->len; i++)
    {
      JzDueItem *d = items->pdata[i];

      if (g_str_equal (d->episode_id, episode_id) && d->kind == kind)
        return d;
    }
  return NULL;
}

static void
test_open_episodes (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(JzEpisode) old = admit (f, "张伟", FALSE, 12);
  g_autoptr(JzEpisode) nine = admit (f, "李强", TRUE, 9.5);
  g_autoptr(JzEpisode) fresh = admit (f, "王磊", TRUE, 1);
  g_autoptr(GPtrArray) items = due (f);
  JzDueItem *d;

  d = find (items, old->rec.id, JZ_DEADLINE_STAY_LIMIT);
  g_assert_nonnull (d);
  g_assert_cmpint (d->status, ==, JZ_DEADLINE_OVERDUE);
  g_assert_cmpstr (d->person_name, ==, "张伟");
  g_assert_cmpstr (d->episode_number, ==, old->number);
  g_assert_nonnull (find (items, old->rec.id, JZ_DEADLINE_TRACING_NOTICE));
  g_assert_nonnull (find (items, old->rec.id, JZ_DEADLINE_DNA_REQUEST));
  g_assert_nonnull (find (items, old->rec.id, JZ_DEADLINE_LONG_STAY));

  d = find (items, nine->rec.id, JZ_DEADLINE_STAY_LIMIT);
  g_assert_nonnull (d);
  g_assert_cmpint (d->status, ==, JZ_DEADLINE_DUE);
  g_assert_null (find (items, nine->rec.id, JZ_DEADLINE_TRACING_NOTICE));

  for (guint i = 0; i < items->len; i++)
    g_assert_cmpstr (((JzDueItem *) items->pdata[i])->episode_id, !=, fresh->rec.id);

  /* Overdue first, then due. */
  for (guint i = 1; i < items->len; i++)
    {
      JzDueItem *a = items->pdata[i - 1], *b = items->pdata[i];
      g_assert_true (a->status == b->status ? a->due_at <= b->due_at : a->status == JZ_DEADLINE_OVERDUE);
    }

  /* A published notice settles the tracing deadline. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JzTracingStep) step = jz_tracing_step_new ();
    g_autoptr(GPtrArray) after = NULL;

    step->episode_id = g_strdup (old->rec.id);
    step->at = f->now - 11 * DAY;
    step->method = g_strdup ("notice");
    g_assert_true (jz_store_insert_tracing_step (f->store, step, &error));
    g_assert_no_error (error);
    after = due (f);
    g_assert_null (find (after, old->rec.id, JZ_DEADLINE_TRACING_NOTICE));
    g_assert_nonnull (find (after, old->rec.id, JZ_DEADLINE_STAY_LIMIT));
  }
}

static void
depart (Fixture   *f,
        JzEpisode *e,
        double     days_ago)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzDepartureRecord) d = jz_departure_new ();

  d->departed_at = f->now - (gint64) (days_ago * DAY);
  d->mode = g_strdup ("escorted");
  g_assert_true (jz_store_record_departure (f->store, e, d, &error));
  g_assert_no_error (error);
}

static void
test_follow_ups (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  /* A month ago less three days: the 1-month follow-up is due soon. */
  g_autoptr(JzEpisode) soon = admit (f, "赵敏", TRUE, 40);
  g_autoptr(JzEpisode) late = admit (f, "钱进", TRUE, 110);
  g_autoptr(JzEpisode) long_ago = admit (f, "孙立", TRUE, 800);
  g_autoptr(GPtrArray) items = NULL;
  JzDueItem *d;

  depart (f, soon, 27);
  depart (f, late, 100);     /* 3 months + ~9 days: overdue */
  depart (f, long_ago, 790); /* everything long past: missed, not listed */

  items = due (f);
  d = find (items, soon->rec.id, JZ_DEADLINE_FOLLOW_UP);
  g_assert_nonnull (d);
  g_assert_cmpint (d->status, ==, JZ_DEADLINE_DUE);
  g_assert_cmpuint (d->months, ==, 1);
  g_assert_cmpint (d->departed_at, >, 0);
  d = find (items, late->rec.id, JZ_DEADLINE_FOLLOW_UP);
  g_assert_nonnull (d);
  g_assert_cmpint (d->status, ==, JZ_DEADLINE_OVERDUE);
  g_assert_null (find (items, long_ago->rec.id, JZ_DEADLINE_FOLLOW_UP));
  /* Departed episodes show only their follow-ups. */
  g_assert_null (find (items, soon->rec.id, JZ_DEADLINE_STAY_LIMIT));

  /* Follow-ups made: nothing left for them. The 3-month one answers the
   * first two scheduled (1 and 3 months). */
  {
    g_autoptr(JzFollowup) a = jz_followup_new ();
    g_autoptr(JzFollowup) b = jz_followup_new ();
    g_autoptr(JzFollowup) c = jz_followup_new ();
    g_autoptr(GPtrArray) after = NULL;

    a->person_id = g_strdup (soon->person_id);
    a->episode_id = g_strdup (soon->rec.id);
    a->due_at = f->now;
    a->done_at = f->now - 3600;
    a->method = g_strdup ("phone");
    g_assert_true (jz_store_insert_followup (f->store, a, &error));
    g_assert_no_error (error);
    for (int i = 0; i < 2; i++)
      {
        JzFollowup *x = i ? c : b;

        x->person_id = g_strdup (late->person_id);
        x->episode_id = g_strdup (late->rec.id);
        x->due_at = f->now - (i ? 10 : 60) * DAY;
        x->done_at = f->now - (i ? 2 : 65) * DAY;
        x->method = g_strdup ("visit");
        g_assert_true (jz_store_insert_followup (f->store, x, &error));
        g_assert_no_error (error);
      }
    after = due (f);
    g_assert_null (find (after, soon->rec.id, JZ_DEADLINE_FOLLOW_UP));
    g_assert_null (find (after, late->rec.id, JZ_DEADLINE_FOLLOW_UP));
  }
}

static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) items = due (f);

  g_assert_cmpuint (items->len, ==, 0);
}

/* The kept deadlines (migration 0007) against the same list computed
 * afresh from the records, at several moments around @f->now. */
static guint
assert_cache_matches (Fixture    *f,
                      const char *after)
{
  static const int offsets_days[] = { 0, -20, 3, 9, 40, 200 };
  guint total = 0;

  for (guint n = 0; n < G_N_ELEMENTS (offsets_days); n++)
    for (int follow_ups = 0; follow_ups <= 1; follow_ups++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) kept = NULL;
        g_autoptr(GPtrArray) fresh = NULL;
        JzDueOptions options;

        jz_due_options_init (&options);
        options.now = f->now + (gint64) offsets_days[n] * DAY;
        options.follow_ups = follow_ups;
        kept = jz_store_list_due_with (f->store, &options, &error);
        g_assert_no_error (error);
        options.afresh = TRUE;
        fresh = jz_store_list_due_with (f->store, &options, &error);
        g_assert_no_error (error);

        g_test_message ("after %s, at now%+d days, follow-ups %d", after, offsets_days[n], follow_ups);
        if (kept->len != fresh->len)
          g_error ("after %s, at now%+d days: %u deadlines kept, %u computed afresh",
                   after, offsets_days[n], kept->len, fresh->len);
        for (guint i = 0; i < kept->len; i++)
          {
            JzDueItem *a = kept->pdata[i], *b = fresh->pdata[i];

            g_assert_cmpint (a->kind, ==, b->kind);
            g_assert_cmpint (a->status, ==, b->status);
            g_assert_cmpint (a->due_at, ==, b->due_at);
            g_assert_cmpuint (a->months, ==, b->months);
            g_assert_cmpstr (a->label, ==, b->label);
            g_assert_cmpstr (a->episode_id, ==, b->episode_id);
            g_assert_cmpstr (a->episode_number, ==, b->episode_number);
            g_assert_cmpstr (a->episode_status, ==, b->episode_status);
            g_assert_cmpstr (a->person_id, ==, b->person_id);
            g_assert_cmpstr (a->person_name, ==, b->person_name);
            g_assert_cmpstr (a->assigned_to, ==, b->assigned_to);
            g_assert_cmpint (a->admitted_at, ==, b->admitted_at);
            g_assert_cmpint (a->departed_at, ==, b->departed_at);
          }
        total += kept->len;

        /* The first few, and the counts of the whole list (Today). */
        {
          g_autoptr(GPtrArray) first = NULL;
          guint n_overdue = G_MAXUINT, n_due = G_MAXUINT, overdue = 0;

          options.afresh = FALSE;
          first = jz_store_list_due_first (f->store, &options, 5, &n_overdue, &n_due, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (first->len, ==, MIN (5, fresh->len));
          for (guint i = 0; i < first->len; i++)
            {
              JzDueItem *a = first->pdata[i], *b = fresh->pdata[i];

              g_assert_cmpint (a->kind, ==, b->kind);
              g_assert_cmpint (a->due_at, ==, b->due_at);
              g_assert_cmpstr (a->episode_id, ==, b->episode_id);
            }
          for (guint i = 0; i < fresh->len; i++)
            if (((JzDueItem *) fresh->pdata[i])->status == JZ_DEADLINE_OVERDUE)
              overdue++;
          g_assert_cmpuint (n_overdue, ==, overdue);
          g_assert_cmpuint (n_due, ==, fresh->len - overdue);
        }
      }
  return total;
}

static void
exec_in_transaction (Fixture    *f,
                     const char *sql)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (jz_store_write_begin (f->store, &error));
  g_assert_no_error (error);
  g_assert_true (jz_store_exec (f->store, sql, &error));
  g_assert_no_error (error);
  g_assert_true (jz_store_write_end (f->store, TRUE, &error));
  g_assert_no_error (error);
}

static void
test_cache (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  JzDemoOptions demo;
  JzDueItem *follow_up = NULL;
  g_autofree char *open_episode = NULL;
  g_autofree char *open_person = NULL;
  g_autofree char *made_id = NULL;
  guint before;

  jz_demo_options_init (&demo);
  demo.seed = 11;
  demo.now = f->now;
  g_assert_true (jz_demo_generate (f->store, 400, &demo, NULL, &error));
  g_assert_no_error (error);

  /* The demo's writes were recomputed as they committed. */
  g_assert_cmpint (jz_test_count (f->store, "SELECT count (*) FROM due_dirty", NULL), ==, 0);
  g_assert_cmpint (jz_test_count (f->store, "SELECT count (*) FROM due_item", NULL), >, 0);
  before = assert_cache_matches (f, "the demo");
  g_assert_cmpuint (before, >, 0);

  items = jz_store_list_due (f->store, f->now, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < items->len; i++)
    {
      JzDueItem *d = items->pdata[i];

      if (follow_up == NULL && d->kind == JZ_DEADLINE_FOLLOW_UP)
        follow_up = d;
    }
  g_assert_nonnull (follow_up);
  /* The stay admitted last: its deadlines are kept whether or not one is
   * due today (which depends on the day the test runs). */
  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (jz_store_get_db (f->store),
                                         "SELECT id, person_id FROM episode WHERE status = 'admitted' "
                                         "AND deleted = 0 ORDER BY admitted_at DESC LIMIT 1", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    open_episode = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    open_person = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    sqlite3_finalize (stmt);
  }

  /* A follow-up made. */
  {
    g_autoptr(JzFollowup) x = jz_followup_new ();

    x->person_id = g_strdup (follow_up->person_id);
    x->episode_id = g_strdup (follow_up->episode_id);
    x->due_at = follow_up->due_at;
    x->done_at = f->now - 60;
    x->method = g_strdup ("phone");
    g_assert_true (jz_store_insert_followup (f->store, x, &error));
    g_assert_no_error (error);
    made_id = g_strdup (x->rec.id);
    assert_cache_matches (f, "a follow-up");
  }

  /* A tracing notice, a DNA request, and a stay extension. */
  {
    const char *methods[] = { "notice", "dna_request" };

    for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
      {
        g_autoptr(JzTracingStep) step = jz_tracing_step_new ();

        step->episode_id = g_strdup (open_episode);
        step->at = f->now - 3600;
        step->method = g_strdup (methods[i]);
        g_assert_true (jz_store_insert_tracing_step (f->store, step, &error));
        g_assert_no_error (error);
        assert_cache_matches (f, methods[i]);
      }
  }

  /* The person renamed: the list shows the new name. */
  {
    g_autoptr(JzPerson) p = jz_store_get_person (f->store, open_person, &error);

    g_assert_no_error (error);
    g_free (p->name);
    p->name = g_strdup ("欧阳明");
    g_assert_true (jz_store_update_person (f->store, p, &error));
    g_assert_no_error (error);
    assert_cache_matches (f, "a rename");
  }

  /* The open episode departs: its other deadlines end, follow-ups begin. */
  {
    g_autoptr(JzEpisode) e = jz_store_get_episode (f->store, open_episode, &error);
    g_autoptr(JzDepartureRecord) d = jz_departure_new ();

    g_assert_no_error (error);
    d->departed_at = f->now - 2 * 3600;
    d->mode = g_strdup ("escorted");
    g_assert_true (jz_store_record_departure (f->store, e, d, &error));
    g_assert_no_error (error);
    assert_cache_matches (f, "a departure");
  }

  /* The follow-up deleted again: due again. */
  g_assert_true (jz_store_delete (f->store, &jz_entity_followup, made_id, 0, &error));
  g_assert_no_error (error);
  assert_cache_matches (f, "a deletion");

  /* A public holiday moves the working-day deadlines: all recomputed. */
  {
    g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (f->now + 2 * DAY);
    g_autofree char *day = g_date_time_format (t, "%Y-%m-%d");
    g_autofree char *sql = g_strdup_printf ("INSERT INTO holiday (date, name, workday) VALUES ('%s', '节日', 0)", day);

    exec_in_transaction (f, sql);
    assert_cache_matches (f, "a holiday");
  }

  /* A write outside any transaction (a repair by hand): the next list
   * brings the cache up to date first. */
  {
    g_autofree char *sql = g_strdup_printf ("UPDATE episode SET assigned_to = NULL WHERE id = '%s'", open_episode);

    g_assert_true (jz_store_exec (f->store, sql, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (jz_test_count (f->store, "SELECT count (*) FROM due_dirty", NULL), >, 0);
  assert_cache_matches (f, "a write outside a transaction");

  /* The list is read from the cache: emptied behind the store's back, the
   * list is empty; a rebuild brings it back. */
  g_assert_true (jz_store_exec (f->store, "DELETE FROM due_item", &error));
  g_assert_no_error (error);
  g_clear_pointer (&items, g_ptr_array_unref);
  items = jz_store_list_due (f->store, f->now, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 0);
  exec_in_transaction (f, "DELETE FROM meta WHERE key = 'due_floor'");
  g_assert_cmpuint (assert_cache_matches (f, "a rebuild"), >, 0);

  /* Built when the clock was months ahead (then put right): rebuilt for
   * today at the next commit, not left unable to answer. */
  {
    g_autofree char *sql = g_strdup_printf ("UPDATE meta SET value = '%" G_GINT64_FORMAT "' WHERE key = 'due_floor'",
                                            f->now + 100 * DAY);
    g_autofree char *floor = NULL;

    exec_in_transaction (f, sql);
    floor = jz_store_get_meta (f->store, "due_floor");
    g_assert_cmpint (g_ascii_strtoll (floor, NULL, 10), <, f->now);
    g_assert_cmpint (g_ascii_strtoll (floor, NULL, 10), >, f->now - 90 * DAY);
    assert_cache_matches (f, "the clock put back");
  }
}

/* One episode's deadlines (the case page, the tracing area) say what the
 * due list says: every item of the list is among its episode's deadlines
 * with the same date and status, and every due or overdue deadline of an
 * open episode is in the list. */
static void
test_episode_deadlines (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JzDemoOptions demo;
  JzDueOptions options;
  guint n_checked = 0;

  jz_demo_options_init (&demo);
  demo.seed = 5;
  demo.now = f->now;
  g_assert_true (jz_demo_generate (f->store, 1000, &demo, NULL, &error));
  g_assert_no_error (error);
  jz_due_options_init (&options);
  options.now = f->now;
  items = jz_store_list_due_with (f->store, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, >, 0);

  for (guint i = 0; i < items->len; i++)
    {
      JzDueItem *item = items->pdata[i];
      g_autoptr(GPtrArray) deadlines = jz_store_get_episode_deadlines (f->store, item->episode_id, NULL,
                                                                       f->now, &error);
      gboolean found = FALSE;

      g_assert_no_error (error);
      for (guint k = 0; k < deadlines->len && !found; k++)
        {
          JzDeadline *d = deadlines->pdata[k];

          found = d->kind == item->kind && d->months == item->months && d->status == item->status &&
                  g_date_time_to_unix (d->due_at) == item->due_at;
        }
      if (!found)
        g_error ("due item %u (kind %d) is not among its episode's deadlines", i, item->kind);
      g_hash_table_add (listed, g_strdup_printf ("%s/%d/%u", item->episode_id, item->kind, item->months));
    }

  open = jz_store_list_open_episodes (f->store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < open->len; i++)
    {
      JzEpisode *e = open->pdata[i];
      g_autoptr(GPtrArray) deadlines = jz_store_get_episode_deadlines (f->store, e->rec.id, NULL, f->now, &error);

      g_assert_no_error (error);
      for (guint k = 0; k < deadlines->len; k++)
        {
          JzDeadline *d = deadlines->pdata[k];
          g_autofree char *key = g_strdup_printf ("%s/%d/%u", e->rec.id, d->kind, d->months);

          if (d->status == JZ_DEADLINE_DUE || d->status == JZ_DEADLINE_OVERDUE)
            {
              g_assert_true (g_hash_table_contains (listed, key));
              n_checked++;
            }
        }
    }
  /* The demo's people come in time order, so few are still in the
   * station with a deadline due: with seed 5, 1,000 people leave one. */
  g_test_message ("%u due or overdue deadlines of %u open episodes checked", n_checked, open->len);
  g_assert_cmpuint (n_checked, >, 0);

  g_assert_null (jz_store_get_episode_deadlines (f->store, "01941f29-7c00-7000-8000-000000000000", NULL,
                                                 f->now, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/due/empty", test_empty);
  ADD ("/due/open-episodes", test_open_episodes);
  ADD ("/due/follow-ups", test_follow_ups);
  ADD ("/due/cache", test_cache);
  ADD ("/due/episode-deadlines", test_episode_deadlines);
#undef ADD

  return g_test_run ();
}
