/* test-followup-rate.c: the one-year follow-up rate and its store reads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "jz-due.h"
#include "jz-followup-rate.h"

#define DAY ((gint64) 86400)

/* 2026-06-01 12:00 Beijing time. */
static const gint64 now = 1780286400;

static void
test_empty (void)
{
  JzFollowupRate rate;

  jz_followup_rate_compute (NULL, 0, now, JZ_FOLLOWUP_RATE_GRACE_DAYS, &rate);
  g_assert_cmpuint (rate.all.counted, ==, 0);
  g_assert_cmpint (rate.all.percent, ==, -1);
  g_assert_true (rate.all.meets_target);
  g_assert_cmpint (rate.minors.percent, ==, -1);
  g_assert_true (rate.minors.meets_target);
}

static void
test_window_and_grace (void)
{
  const JzFollowupRateSubject s[] = {
    /* Left 100 days ago, followed up a month later: counted, done. */
    { now - 100 * DAY, FALSE, now - 70 * DAY },
    /* Left 200 days ago, never followed up: counted, missed. */
    { now - 200 * DAY, FALSE, 0 },
    /* Left 10 days ago, not yet followed up: not due, not counted. */
    { now - 10 * DAY, FALSE, 0 },
    /* Left 10 days ago and already followed up: counted, done. */
    { now - 10 * DAY, FALSE, now - 2 * DAY },
    /* Left 400 days ago: outside the year. */
    { now - 400 * DAY, FALSE, now - 380 * DAY },
    /* A departure in the future (a clock error): ignored. */
    { now + DAY, FALSE, 0 },
  };
  JzFollowupRate rate;

  jz_followup_rate_compute (s, G_N_ELEMENTS (s), now, JZ_FOLLOWUP_RATE_GRACE_DAYS, &rate);
  g_assert_cmpuint (rate.all.counted, ==, 3);
  g_assert_cmpuint (rate.all.followed_up, ==, 2);
  g_assert_cmpint (rate.all.percent, ==, 66);
  g_assert_true (rate.all.meets_target);
  g_assert_cmpuint (rate.minors.counted, ==, 0);

  /* Without grace, the recent departure counts as missed. */
  jz_followup_rate_compute (s, G_N_ELEMENTS (s), now, 0, &rate);
  g_assert_cmpuint (rate.all.counted, ==, 4);
  g_assert_cmpint (rate.all.percent, ==, 50);
  g_assert_true (rate.all.meets_target);
}

static void
test_follow_up_timing (void)
{
  const JzFollowupRateSubject s[] = {
    /* A "follow-up" before the departure is not one. */
    { now - 100 * DAY, FALSE, now - 120 * DAY },
    /* One made after now (a clock error) does not count yet. */
    { now - 100 * DAY, FALSE, now + DAY },
    /* Exactly at the departure time counts. */
    { now - 100 * DAY, FALSE, now - 100 * DAY },
  };
  JzFollowupRate rate;

  jz_followup_rate_compute (s, G_N_ELEMENTS (s), now, JZ_FOLLOWUP_RATE_GRACE_DAYS, &rate);
  g_assert_cmpuint (rate.all.counted, ==, 3);
  g_assert_cmpuint (rate.all.followed_up, ==, 1);
  g_assert_cmpint (rate.all.percent, ==, 33);
  g_assert_false (rate.all.meets_target);
}

static void
test_minors_target (void)
{
  JzFollowupRateSubject s[300];
  JzFollowupRate rate;

  /* 250 minors, all but one followed up: 99.6 % must not read as 100 %. */
  for (guint i = 0; i < G_N_ELEMENTS (s); i++)
    {
      s[i].departed_at = now - (40 + i % 300) * DAY;
      s[i].minor = i < 250;
      s[i].first_done_at = i == 7 ? 0 : s[i].departed_at + 30 * DAY;
    }
  jz_followup_rate_compute (s, G_N_ELEMENTS (s), now, JZ_FOLLOWUP_RATE_GRACE_DAYS, &rate);
  g_assert_cmpuint (rate.minors.counted, ==, 250);
  g_assert_cmpuint (rate.minors.followed_up, ==, 249);
  g_assert_cmpint (rate.minors.percent, ==, 99);
  g_assert_false (rate.minors.meets_target);
  g_assert_cmpuint (rate.all.counted, ==, 300);
  g_assert_cmpint (rate.all.percent, ==, 99);
  g_assert_true (rate.all.meets_target);

  s[7].first_done_at = s[7].departed_at + DAY;
  jz_followup_rate_compute (s, G_N_ELEMENTS (s), now, JZ_FOLLOWUP_RATE_GRACE_DAYS, &rate);
  g_assert_cmpint (rate.minors.percent, ==, 100);
  g_assert_true (rate.minors.meets_target);
}

static void
test_modes (void)
{
  g_assert_true (jz_followup_rate_counts_mode (JZ_DEPARTURE_SELF_RETURN));
  g_assert_true (jz_followup_rate_counts_mode (JZ_DEPARTURE_TICKET));
  g_assert_true (jz_followup_rate_counts_mode (JZ_DEPARTURE_ESCORTED));
  g_assert_true (jz_followup_rate_counts_mode (JZ_DEPARTURE_COLLECTED));
  g_assert_false (jz_followup_rate_counts_mode (JZ_DEPARTURE_DEATH));
  g_assert_false (jz_followup_rate_counts_mode (JZ_DEPARTURE_LEFT));
  g_assert_false (jz_followup_rate_counts_mode (JZ_DEPARTURE_PLACED));
}

/* The reads: two people sent home (a child and an adult), one followed up. */
static void
test_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jz-test-followup-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "station.db", NULL);
  g_autoptr(JzStore) store = jz_store_create (path, "320481-01", "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);
  gint64 t = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GDateTime) today = g_date_time_new_now_local ();
  g_autoptr(GDateTime) born = g_date_time_add_years (today, -12);
  g_autoptr(GArray) subjects = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  JzFollowupRate rate;
  const char *names[] = { "小明", "高山" };
  char *episode_ids[3];

  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JzPerson) p = jz_person_new ();
      g_autoptr(JzEpisode) e = jz_episode_new ();
      g_autoptr(JzDepartureRecord) d = jz_departure_new ();
      g_autoptr(JzFollowup) fu = jz_followup_new ();

      p->name = g_strdup (names[i]);
      if (i == 0)
        {
          p->birth_date = g_date_time_format (born, "%Y-%m-%d");
          p->birth_precision = g_strdup ("exact");
        }
      e->admitted_at = t - 90 * DAY;
      e->source = g_strdup ("walk_in");
      e->status = g_strdup ("admitted");
      e->eligibility = g_strdup ("admit");
      g_assert_true (jz_store_register_intake (store, p, e, NULL, 0, &error));
      g_assert_no_error (error);

      d->mode = g_strdup (i == 0 ? "collected" : "self_return");
      d->departed_at = t - 80 * DAY;
      if (i == 0)
        {
          d->collector_name = g_strdup ("小明爸爸");
          d->collector_id_number = g_strdup ("11010519491231002X");
        }
      d->declaration_signed = i == 1;
      g_assert_true (jz_store_record_departure (store, e, d, &error));
      g_assert_no_error (error);

      fu->person_id = g_strdup (p->rec.id);
      fu->episode_id = g_strdup (e->rec.id);
      fu->due_at = t - 50 * DAY;
      if (i == 1)
        {
          fu->done_at = t - 49 * DAY;
          fu->method = g_strdup ("phone");
        }
      g_assert_true (jz_store_insert_followup (store, fu, &error));
      g_assert_no_error (error);
      episode_ids[i] = g_strdup (e->rec.id);
    }

  subjects = jz_store_followup_rate_subjects (store, t, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (subjects->len, ==, 2);
  jz_followup_rate_compute ((JzFollowupRateSubject *) subjects->data, subjects->len, t,
                            JZ_FOLLOWUP_RATE_GRACE_DAYS, &rate);
  g_assert_cmpuint (rate.all.counted, ==, 2);
  g_assert_cmpuint (rate.all.followed_up, ==, 1);
  g_assert_cmpint (rate.all.percent, ==, 50);
  g_assert_true (rate.all.meets_target);
  g_assert_cmpuint (rate.minors.counted, ==, 1);
  g_assert_cmpuint (rate.minors.followed_up, ==, 0);
  g_assert_false (rate.minors.meets_target);

  /* A third person sent home 35 days ago, with no follow-up scheduled
   * (as a demo store, or a departure recorded without the schedule): the
   * rules make the first follow-up due 5 days ago. */
  {
    g_autoptr(JzPerson) p = jz_person_new ();
    g_autoptr(JzEpisode) e = jz_episode_new ();
    g_autoptr(JzDepartureRecord) d = jz_departure_new ();

    p->name = g_strdup ("李四");
    e->admitted_at = t - 40 * DAY;
    e->source = g_strdup ("walk_in");
    e->status = g_strdup ("admitted");
    e->eligibility = g_strdup ("admit");
    g_assert_true (jz_store_register_intake (store, p, e, NULL, 0, &error));
    g_assert_no_error (error);
    d->mode = g_strdup ("ticket");
    d->departed_at = t - 35 * DAY;
    g_assert_true (jz_store_record_departure (store, e, d, &error));
    g_assert_no_error (error);
    episode_ids[2] = g_strdup (e->rec.id);
  }

  /* Due and overdue as the Today view has them: the same follow-ups. */
  {
    g_autoptr(GPtrArray) due = jz_store_list_due (store, t, NULL, &error);
    guint n_rules = 0, n_total = 0;

    g_assert_no_error (error);
    pending = jz_store_list_pending_followups (store, t - JZ_DUE_FOLLOW_UP_LOOKBACK_DAYS * DAY,
                                              t + JZ_DEADLINE_FOLLOW_UP_WARNING_DAYS * DAY, 0, &n_total, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < due->len; i++)
      {
        JzDueItem *item = due->pdata[i];

        if (item->kind != JZ_DEADLINE_FOLLOW_UP)
          continue;
        n_rules++;
        g_assert_cmpuint (pending->len, >=, n_rules);
        g_assert_cmpstr (((JzPendingFollowup *) pending->pdata[n_rules - 1])->episode_id, ==, item->episode_id);
        g_assert_cmpint (((JzPendingFollowup *) pending->pdata[n_rules - 1])->due_at, ==, item->due_at);
      }
    g_assert_cmpuint (n_rules, ==, 1);
    g_assert_cmpuint (pending->len, ==, 1);
    g_assert_cmpuint (n_total, ==, 1);
    {
      JzPendingFollowup *p = pending->pdata[0];

      g_assert_cmpstr (p->person_name, ==, "李四");
      g_assert_cmpstr (p->episode_id, ==, episode_ids[2]);
      g_assert_null (p->followup_id);
      g_assert_cmpuint (p->months, ==, 1);
      g_assert_cmpstr (p->mode, ==, "ticket");
      g_assert_false (p->minor);
      g_assert_cmpint (p->departed_at, ==, t - 35 * DAY);
    }
    g_clear_pointer (&pending, g_ptr_array_unref);
  }

  /* Further back: 小明's first follow-up, which the record scheduled 50
   * days ago answers (moved by hand from the rules' date). */
  pending = jz_store_list_pending_followups (store, t - 60 * DAY, t, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 2);
  {
    JzPendingFollowup *p = pending->pdata[0];

    g_assert_cmpstr (p->person_name, ==, "小明");
    g_assert_cmpstr (p->episode_id, ==, episode_ids[0]);
    g_assert_nonnull (p->followup_id);
    g_assert_cmpuint (p->months, ==, 1);
    g_assert_cmpstr (p->mode, ==, "collected");
    g_assert_true (p->minor);
    g_assert_cmpint (p->departed_at, ==, t - 80 * DAY);
    g_assert_cmpstr (((JzPendingFollowup *) pending->pdata[1])->episode_id, ==, episode_ids[2]);
  }
  g_clear_pointer (&pending, g_ptr_array_unref);

  /* Ahead: everyone's 3-month follow-up (小明, 高山) comes 9–13 days from
   * now; the first two of the four, and how many in all. */
  {
    guint n_total = 0;

    pending = jz_store_list_pending_followups (store, t - 60 * DAY, t + 15 * DAY, 2, &n_total, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (pending->len, ==, 2);
    g_assert_cmpuint (n_total, ==, 4);
    g_clear_pointer (&pending, g_ptr_array_unref);
  }

  /* A follow-up of the person, not of a stay, scheduled by hand: the
   * rules do not give it; it is listed on its own. */
  {
    g_autoptr(JzEpisode) e = jz_store_get_episode (store, episode_ids[2], &error);
    g_autoptr(JzFollowup) fu = jz_followup_new ();

    g_assert_no_error (error);
    fu->person_id = g_strdup (e->person_id);
    fu->due_at = t + 20 * DAY;
    g_assert_true (jz_store_insert_followup (store, fu, &error));
    g_assert_no_error (error);
    pending = jz_store_list_pending_followups (store, t + 16 * DAY, t + 25 * DAY, 0, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (pending->len, ==, 1);
    g_assert_cmpstr (((JzPendingFollowup *) pending->pdata[0])->followup_id, ==, fu->rec.id);
    g_assert_null (((JzPendingFollowup *) pending->pdata[0])->episode_id);
    g_assert_cmpstr (((JzPendingFollowup *) pending->pdata[0])->person_name, ==, "李四");
    g_assert_cmpuint (((JzPendingFollowup *) pending->pdata[0])->months, ==, 0);
    g_clear_pointer (&pending, g_ptr_array_unref);
  }

  g_free (episode_ids[0]);
  g_free (episode_ids[1]);
  g_free (episode_ids[2]);
  g_clear_object (&store);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    g_assert_cmpint (system (cmd), ==, 0);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/followup-rate/empty", test_empty);
  g_test_add_func ("/followup-rate/window-and-grace", test_window_and_grace);
  g_test_add_func ("/followup-rate/follow-up-timing", test_follow_up_timing);
  g_test_add_func ("/followup-rate/minors-target", test_minors_target);
  g_test_add_func ("/followup-rate/modes", test_modes);
  g_test_add_func ("/followup-rate/store", test_store);

  return g_test_run ();
}
