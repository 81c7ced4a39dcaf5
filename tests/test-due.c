/* test-due.c: deadlines due and overdue across the station
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "jz-actions.h"
#include "jz-due.h"
#include "jz-records.h"
#include "jz-store.h"

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/due/empty", test_empty);
  ADD ("/due/open-episodes", test_open_episodes);
  ADD ("/due/follow-ups", test_follow_ups);
#undef ADD

  return g_test_run ();
}
