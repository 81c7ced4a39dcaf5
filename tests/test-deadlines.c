/* test-deadlines.c: time limits, working days, holidays, month ends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>

#include "jz-deadlines.h"

/* The State Council's 2025 holiday arrangement (国办发明电〔2024〕12号). */
static const char holidays_2025[] =
  "# 2025\n"
  "2025-01-01 holiday          # 元旦\n"
  "2025-01-28..2025-02-04 holiday  # 春节\n"
  "2025-01-26 workday\n"
  "2025-02-08 workday\n"
  "2025-04-04..2025-04-06      # 清明\n"
  "2025-05-01..2025-05-05 holiday\n"
  "2025-04-27 workday\n"
  "2025-05-31..2025-06-02 holiday\n"
  "2025-10-01..2025-10-08 holiday  # 国庆、中秋\n"
  "2025-09-28 workday\n"
  "2025-10-11 workday\n";

static GTimeZone *shanghai;

static GDateTime *
at (int y, int m, int d, int hh, int mm)
{
  return g_date_time_new (shanghai, y, m, d, hh, mm, 0);
}

static void
assert_time (GDateTime  *dt,
             const char *expected)
{
  g_autofree char *s = g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");

  g_assert_cmpstr (s, ==, expected);
}

static void
assert_date (const GDate *date,
             const char  *expected)
{
  char s[16];

  g_snprintf (s, sizeof s, "%04d-%02d-%02d", g_date_get_year (date),
              g_date_get_month (date), g_date_get_day (date));
  g_assert_cmpstr (s, ==, expected);
}

static JzWorkCalendar *
calendar_2025 (void)
{
  g_autoptr(GError) error = NULL;
  JzWorkCalendar *cal = jz_work_calendar_new ();

  g_assert_true (jz_work_calendar_load_text (cal, holidays_2025, &error));
  g_assert_no_error (error);
  return cal;
}

/* The one deadline of @kind (and @months for follow-ups) in @list. */
static JzDeadline *
find (GPtrArray      *list,
      JzDeadlineKind  kind,
      guint           months)
{
  JzDeadline *found = NULL;

  for (guint i = 0; i < list->len; i++)
    {
      JzDeadline *d = g_ptr_array_index (list, i);

      if (d->kind == kind && d->months == months)
        {
          g_assert_null (found);
          found = d;
        }
    }
  return found;
}

static void
subject_adult (JzDeadlineSubject *s,
               GDateTime         *admitted)
{
  jz_deadline_subject_init (s);
  s->admitted_at = admitted;
  jz_birth_init_exact (&s->person.birth, 1980, 1, 1);
}

static void
test_working_days (void)
{
  static const struct { const char *from; guint n; const char *plain; const char *with_holidays; } cases[] = {
    /* Monday → the Wednesday after next. */
    { "2026-03-02", 7, "2026-03-11", "2026-03-11" },
    /* Friday and Saturday admissions reach the same Tuesday. */
    { "2026-03-06", 7, "2026-03-17", "2026-03-17" },
    { "2026-03-07", 7, "2026-03-17", "2026-03-17" },
    { "2026-03-08", 7, "2026-03-17", "2026-03-17" },
    /* National Day 2025: 1–8 October off, Sunday 28 September and
     * Saturday 11 October worked. */
    { "2025-09-26", 7, "2025-10-07", "2025-10-13" },
    { "2025-09-30", 7, "2025-10-09", "2025-10-16" },
    /* Spring Festival 2025: 28 January – 4 February off, 26 January and
     * 8 February worked. */
    { "2025-01-24", 7, "2025-02-04", "2025-02-10" },
    /* New Year's Day. */
    { "2024-12-31", 1, "2025-01-01", "2025-01-02" },
    /* Zero working days: the same day. */
    { "2025-10-03", 0, "2025-10-03", "2025-10-03" },
  };
  g_autoptr(JzWorkCalendar) cal = calendar_2025 ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GDate d;
      int y, m, dd;

      g_test_message ("%s + %u", cases[i].from, cases[i].n);
      g_assert_cmpint (sscanf (cases[i].from, "%d-%d-%d", &y, &m, &dd), ==, 3);
      g_date_clear (&d, 1);
      g_date_set_dmy (&d, dd, m, y);
      jz_work_calendar_add_working_days (NULL, &d, cases[i].n);
      assert_date (&d, cases[i].plain);

      g_date_set_dmy (&d, dd, m, y);
      jz_work_calendar_add_working_days (cal, &d, cases[i].n);
      assert_date (&d, cases[i].with_holidays);
    }

  {
    GDate d;

    g_date_clear (&d, 1);
    g_date_set_dmy (&d, 28, 9, 2025);   /* a Sunday worked */
    g_assert_true (jz_work_calendar_is_working_day (cal, &d));
    g_assert_false (jz_work_calendar_is_working_day (NULL, &d));
    g_date_set_dmy (&d, 1, 10, 2025);   /* a Wednesday off */
    g_assert_false (jz_work_calendar_is_working_day (cal, &d));
    g_assert_true (jz_work_calendar_is_working_day (NULL, &d));
  }
}

static void
test_calendar_text (void)
{
  static const char *bad[] = {
    "2025-02-30 holiday",                 /* not a date */
    "2025-10-01..2025-09-01 holiday",     /* backwards */
    "2025-01-01..2025-03-01 holiday",     /* too long */
    "2025-10-01 vacation",
    "2025-10-01 holiday extra",
    "2025-09-29 workday",                 /* a Monday */
    "25-10-01",
    "2025-10-01..",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JzWorkCalendar) cal = jz_work_calendar_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *text = g_strdup_printf ("2025-12-01 holiday\n%s\n", bad[i]);
      GDate d;

      g_test_message ("%s", bad[i]);
      g_assert_false (jz_work_calendar_load_text (cal, text, &error));
      g_assert_error (error, JZ_DEADLINES_ERROR, JZ_DEADLINES_ERROR_PARSE);
      g_assert_nonnull (strstr (error->message, "Line 2"));

      /* Nothing was added, not even the good first line. */
      g_date_clear (&d, 1);
      g_date_set_dmy (&d, 1, 12, 2025);
      g_assert_true (jz_work_calendar_is_working_day (cal, &d));
    }

  {
    g_autoptr(JzWorkCalendar) cal = jz_work_calendar_new ();
    JzWorkCalendar *ref = jz_work_calendar_ref (cal);

    g_assert_true (jz_work_calendar_load_text (cal, "\n# nothing\n   \n", NULL));
    jz_work_calendar_unref (ref);
    g_assert_true (G_TYPE_IS_BOXED (JZ_TYPE_WORK_CALENDAR));
  }
}

static void
test_stay_limit (void)
{
  g_autoptr(GDateTime) admitted = at (2026, 3, 2, 10, 0);
  JzDeadlineSubject s;
  JzDeadline *d;

  subject_adult (&s, admitted);
  s.identified = TRUE;

  {
    g_autoptr(GDateTime) now = at (2026, 3, 9, 23, 0);
    g_autoptr(GPtrArray) list = jz_deadlines_compute (&s, NULL, now);

    /* An identified adult in the station: only the stay limit. */
    g_assert_cmpuint (list->len, ==, 1);
    d = find (list, JZ_DEADLINE_STAY_LIMIT, 0);
    assert_time (d->due_at, "2026-03-12 23:59:59");
    g_assert_cmpint (d->status, ==, JZ_DEADLINE_UPCOMING);
    g_assert_cmpstr (d->label, ==, "Stay limit (10 days)");
  }
  {
    g_autoptr(GDateTime) now = at (2026, 3, 11, 8, 0);
    g_autoptr(GPtrArray) list = jz_deadlines_compute (&s, NULL, now);

    g_assert_cmpint (find (list, JZ_DEADLINE_STAY_LIMIT, 0)->status, ==, JZ_DEADLINE_DUE);
  }
  {
    g_autoptr(GDateTime) now = at (2026, 3, 13, 0, 0);
    g_autoptr(GPtrArray) list = jz_deadlines_compute (&s, NULL, now);

    g_assert_cmpint (find (list, JZ_DEADLINE_STAY_LIMIT, 0)->status, ==, JZ_DEADLINE_OVERDUE);
  }
  {
    /* An extension moves it. */
    g_autoptr(GDateTime) now = at (2026, 3, 13, 0, 0);
    g_autoptr(GDateTime) until = at (2026, 3, 20, 23, 59);
    g_autoptr(GPtrArray) list = NULL;

    s.stay_extended_until = until;
    list = jz_deadlines_compute (&s, NULL, now);
    d = find (list, JZ_DEADLINE_STAY_LIMIT, 0);
    assert_time (d->due_at, "2026-03-20 23:59:00");
    g_assert_cmpint (d->status, ==, JZ_DEADLINE_UPCOMING);
    s.stay_extended_until = NULL;
  }
  {
    /* An "extension" to before the 10 days does not shorten the limit. */
    g_autoptr(GDateTime) now = at (2026, 3, 3, 0, 0);
    g_autoptr(GDateTime) until = at (2026, 3, 5, 0, 0);
    g_autoptr(GPtrArray) list = NULL;

    s.stay_extended_until = until;
    list = jz_deadlines_compute (&s, NULL, now);
    assert_time (find (list, JZ_DEADLINE_STAY_LIMIT, 0)->due_at, "2026-03-12 23:59:59");
    s.stay_extended_until = NULL;
  }
  {
    /* Departed late: done, and counted as late. */
    g_autoptr(GDateTime) departed = at (2026, 3, 14, 9, 0);
    g_autoptr(GDateTime) now = at (2026, 3, 15, 0, 0);
    g_autoptr(GPtrArray) list = NULL;
    JzDeadlineConfig config;

    jz_deadline_config_init (&config);
    config.follow_up_adults = FALSE;
    s.departed_at = departed;
    s.departure_mode = JZ_DEPARTURE_SELF_RETURN;
    list = jz_deadlines_compute (&s, &config, now);
    g_assert_cmpuint (list->len, ==, 1);
    d = find (list, JZ_DEADLINE_STAY_LIMIT, 0);
    g_assert_cmpint (d->status, ==, JZ_DEADLINE_DONE);
    g_assert_true (d->late);
    g_assert_true (g_date_time_equal (d->done_at, departed));
    s.departed_at = NULL;
  }

  /* No limit under 16 or with a mental or intellectual disability; an
   * unknown age counts as an adult unless flagged a minor. */
  {
    g_autoptr(GDateTime) now = at (2026, 3, 3, 0, 0);
    struct { int year; gboolean mental, intellectual, minor, unknown; gboolean has_limit; } cases[] = {
      { 2010, FALSE, FALSE, FALSE, FALSE, TRUE },    /* 16 on admission day */
      { 2011, FALSE, FALSE, FALSE, FALSE, FALSE },   /* 15 */
      { 1980, TRUE, FALSE, FALSE, FALSE, FALSE },
      { 1980, FALSE, TRUE, FALSE, FALSE, FALSE },
      { 0, FALSE, FALSE, FALSE, TRUE, TRUE },
      { 0, FALSE, FALSE, TRUE, TRUE, FALSE },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(GPtrArray) list = NULL;

        subject_adult (&s, admitted);
        s.identified = TRUE;
        if (cases[i].unknown)
          jz_birth_init_unknown (&s.person.birth);
        else
          jz_birth_init_exact (&s.person.birth, cases[i].year, 3, 2);
        s.person.mental_disability = cases[i].mental;
        s.person.intellectual_disability = cases[i].intellectual;
        s.person.minor = cases[i].minor;
        list = jz_deadlines_compute (&s, NULL, now);
        g_test_message ("case %u", i);
        g_assert_cmpint (find (list, JZ_DEADLINE_STAY_LIMIT, 0) != NULL, ==, cases[i].has_limit);
      }
  }
}

static void
test_tracing_notice (void)
{
  g_autoptr(GDateTime) admitted = at (2026, 3, 2, 10, 0);
  JzDeadlineSubject s;
  JzDeadline *d;

  subject_adult (&s, admitted);
  {
    g_autoptr(GDateTime) now = at (2026, 3, 2, 12, 0);
    g_autoptr(GPtrArray) list = jz_deadlines_compute (&s, NULL, now);

    d = find (list, JZ_DEADLINE_TRACING_NOTICE, 0);
    assert_time (d->due_at, "2026-03-03 10:00:00");
    g_assert_cmpint (d->status, ==, JZ_DEADLINE_UPCOMING);
    /* Unidentified: all four tracing kinds, sorted by time. */
    g_assert_cmpuint (list->len, ==, 5);
    g_assert_cmpint (((JzDeadline *) g_ptr_array_index (list, 0))->kind, ==, JZ_DEADLINE_TRACING_NOTICE);
    g_assert_cmpint (((JzDeadline *) g_ptr_array_index (list, 1))->kind, ==, JZ_DEADLINE_DNA_REQUEST);
    g_assert_cmpint (((JzDeadline *) g_ptr_array_index (list, 2))->kind, ==, JZ_DEADLINE_STAY_LIMIT);
    g_assert_cmpint (((JzDeadline *) g_ptr_array_index (list, 3))->kind, ==, JZ_DEADLINE_LONG_STAY);
    g_assert_cmpint (((JzDeadline *) g_ptr_array_index (list, 4))->kind, ==, JZ_DEADLINE_SETTLEMENT);
  }
  {
    g_autoptr(GDateTime) now = at (2026, 3, 3, 6, 0);
    g_autoptr(GPtrArray) list = jz_deadlines_compute (&s, NULL, now);

    g_assert_cmpint (find (list, JZ_DEADLINE_TRACING_NOTICE, 0)->status, ==, JZ_DEADLINE_DUE);
  }
  {
    g_autoptr(GDateTime) now = at (2026, 3, 3, 10, 1);
    g_autoptr(GPtrArray) list = jz_deadlines_compute (&s, NULL, now);

    g_assert_cmpint (find (list, JZ_DEADLINE_TRACING_NOTICE, 0)->status, ==, JZ_DEADLINE_OVERDUE);
  }
  {
    g_autoptr(GDateTime) published = at (2026, 3, 2, 15, 0);
    g_autoptr(GDateTime) now = at (2026, 3, 4, 0, 0);
    g_autoptr(GPtrArray) list = NULL;

    s.notice_published_at = published;
    list = jz_deadlines_compute (&s, NULL, now);
    d = find (list, JZ_DEADLINE_TRACING_NOTICE, 0);
    g_assert_cmpint (d->status, ==, JZ_DEADLINE_DONE);
    g_assert_false (d->late);
    s.notice_published_at = NULL;
  }
  {
    /* Identified after two days without a notice: closed, but late. */
    g_autoptr(GDateTime) identified = at (2026, 3, 4, 9, 0);
    g_autoptr(GDateTime) now = at (2026, 3, 5, 0, 0);
    g_autoptr(GPtrArray) list = NULL;

    s.identified = TRUE;
    s.identified_at = identified;
    list = jz_deadlines_compute (&s, NULL, now);
    d = find (list, JZ_DEADLINE_TRACING_NOTICE, 0);
    g_assert_cmpint (d->status, ==, JZ_DEADLINE_DONE);
    g_assert_true (d->late);
    d = find (list, JZ_DEADLINE_DNA_REQUEST, 0);
    g_assert_cmpint (d->status, ==, JZ_DEADLINE_DONE);
    g_assert_false (d->late);
    g_assert_cmpint (find (list, JZ_DEADLINE_SETTLEMENT, 0)->status, ==, JZ_DEADLINE_DONE);
  }
  {
    /* Identified at intake: no tracing deadlines at all. */
    g_autoptr(GDateTime) now = at (2026, 3, 5, 0, 0);
    g_autoptr(GPtrArray) list = NULL;

    s.identified = TRUE;
    s.identified_at = NULL;
    list = jz_deadlines_compute (&s, NULL, now);
    g_assert_null (find (list, JZ_DEADLINE_TRACING_NOTICE, 0));
    g_assert_null (find (list, JZ_DEADLINE_DNA_REQUEST, 0));
    g_assert_null (find (list, JZ_DEADLINE_LONG_STAY, 0));
    g_assert_null (find (list, JZ_DEADLINE_SETTLEMENT, 0));
  }
}

static void
test_time_zone (void)
{
  /* 18:30 UTC on 1 March is 02:30 on 2 March in China: the day counts
   * from 2 March whatever zone the caller used. */
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) admitted = g_date_time_new (utc, 2026, 3, 1, 18, 30, 0);
  g_autoptr(GDateTime) now = g_date_time_new (utc, 2026, 3, 1, 19, 0, 0);
  g_autoptr(GPtrArray) list = NULL;
  JzDeadlineSubject s;

  subject_adult (&s, admitted);
  list = jz_deadlines_compute (&s, NULL, now);
  assert_time (find (list, JZ_DEADLINE_STAY_LIMIT, 0)->due_at, "2026-03-12 23:59:59");
  assert_time (find (list, JZ_DEADLINE_DNA_REQUEST, 0)->due_at, "2026-03-11 23:59:59");
  g_assert_cmpint (g_date_time_get_utc_offset (find (list, JZ_DEADLINE_STAY_LIMIT, 0)->due_at),
                   ==, 8 * G_TIME_SPAN_HOUR);
  {
    /* The notice counts 24 real hours. */
    g_autoptr(GDateTime) due = g_date_time_to_timezone (find (list, JZ_DEADLINE_TRACING_NOTICE, 0)->due_at, shanghai);
    assert_time (due, "2026-03-03 02:30:00");
  }
}

static void
test_dna (void)
{
  g_autoptr(JzWorkCalendar) cal = calendar_2025 ();
  g_autoptr(GDateTime) admitted = at (2025, 9, 26, 16, 0);   /* Friday before National Day */
  JzDeadlineConfig config;
  JzDeadlineSubject s;
  JzDeadline *d;

  jz_deadline_config_init (&config);
  config.calendar = cal;
  subject_adult (&s, admitted);

  {
    g_autoptr(GDateTime) now = at (2025, 10, 8, 12, 0);
    g_autoptr(GPtrArray) list = jz_deadlines_compute (&s, &config, now);
    g_autoptr(GPtrArray) plain = jz_deadlines_compute (&s, NULL, now);

    d = find (list, JZ_DEADLINE_DNA_REQUEST, 0);
    assert_time (d->due_at, "2025-10-13 23:59:59");
    g_assert_cmpint (d->status, ==, JZ_DEADLINE_UPCOMING);
    /* Without the holiday table it would have been overdue already. */
    d = find (plain, JZ_DEADLINE_DNA_REQUEST, 0);
    assert_time (d->due_at, "2025-10-07 23:59:59");
    g_assert_cmpint (d->status, ==, JZ_DEADLINE_OVERDUE);
  }
  {
    g_autoptr(GDateTime) now = at (2025, 10, 12, 12, 0);
    g_autoptr(GPtrArray) list = jz_deadlines_compute (&s, &config, now);

    g_assert_cmpint (find (list, JZ_DEADLINE_DNA_REQUEST, 0)->status, ==, JZ_DEADLINE_DUE);
  }

  /* The result: one month after the request. */
  {
    g_autoptr(GDateTime) requested = at (2025, 10, 9, 11, 0);
    g_autoptr(GDateTime) now = at (2025, 11, 10, 0, 0);
    g_autoptr(GPtrArray) list = NULL;

    s.dna_requested_at = requested;
    list = jz_deadlines_compute (&s, &config, now);
    d = find (list, JZ_DEADLINE_DNA_REQUEST, 0);
    g_assert_cmpint (d->status, ==, JZ_DEADLINE_DONE);
    d = find (list, JZ_DEADLINE_DNA_RESULT, 0);
    assert_time (d->due_at, "2025-11-09 23:59:59");
    g_assert_cmpint (d->status, ==, JZ_DEADLINE_OVERDUE);
  }
  {
    g_autoptr(GDateTime) requested = at (2025, 10, 9, 11, 0);
    g_autoptr(GDateTime) result = at (2025, 10, 30, 11, 0);
    g_autoptr(GDateTime) now = at (2025, 11, 10, 0, 0);
    g_autoptr(GPtrArray) list = NULL;

    s.dna_requested_at = requested;
    s.dna_result_at = result;
    list = jz_deadlines_compute (&s, &config, now);
    d = find (list, JZ_DEADLINE_DNA_RESULT, 0);
    g_assert_cmpint (d->status, ==, JZ_DEADLINE_DONE);
    g_assert_false (d->late);
  }
}

static void
test_month_ends (void)
{
  static const struct { int y, m, d; const char *result_due; } requests[] = {
    { 2026, 1, 31, "2026-02-28 23:59:59" },
    { 2028, 1, 31, "2028-02-29 23:59:59" },   /* leap year */
    { 2026, 3, 31, "2026-04-30 23:59:59" },
    { 2026, 12, 31, "2027-01-31 23:59:59" },
    { 2028, 2, 29, "2028-03-29 23:59:59" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autoptr(GDateTime) admitted = at (requests[i].y, requests[i].m, requests[i].d, 9, 0);
      g_autoptr(GDateTime) requested = at (requests[i].y, requests[i].m, requests[i].d, 10, 0);
      g_autoptr(GPtrArray) list = NULL;
      JzDeadlineSubject s;

      subject_adult (&s, admitted);
      s.dna_requested_at = requested;
      list = jz_deadlines_compute (&s, NULL, admitted);
      assert_time (find (list, JZ_DEADLINE_DNA_RESULT, 0)->due_at, requests[i].result_due);
    }

  /* Settlement after three months, from a month end. */
  {
    g_autoptr(GDateTime) admitted = at (2023, 11, 30, 9, 0);
    g_autoptr(GDateTime) now = at (2024, 2, 29, 12, 0);
    g_autoptr(GDateTime) later = at (2024, 3, 1, 0, 0);
    g_autoptr(GPtrArray) list = NULL;
    g_autoptr(GPtrArray) list2 = NULL;
    JzDeadlineSubject s;
    JzDeadline *d;

    subject_adult (&s, admitted);
    list = jz_deadlines_compute (&s, NULL, now);
    d = find (list, JZ_DEADLINE_SETTLEMENT, 0);
    assert_time (d->due_at, "2024-02-29 23:59:59");
    g_assert_cmpint (d->status, ==, JZ_DEADLINE_UPCOMING);
    /* A prompt: due once passed, never overdue. */
    list2 = jz_deadlines_compute (&s, NULL, later);
    g_assert_cmpint (find (list2, JZ_DEADLINE_SETTLEMENT, 0)->status, ==, JZ_DEADLINE_DUE);
    g_assert_cmpint (find (list2, JZ_DEADLINE_LONG_STAY, 0)->status, ==, JZ_DEADLINE_DUE);
    g_assert_cmpint (find (list2, JZ_DEADLINE_STAY_LIMIT, 0)->status, ==, JZ_DEADLINE_OVERDUE);
  }
  {
    g_autoptr(GDateTime) admitted = at (2025, 11, 30, 9, 0);
    g_autoptr(GPtrArray) list = NULL;
    JzDeadlineSubject s;

    subject_adult (&s, admitted);
    list = jz_deadlines_compute (&s, NULL, admitted);
    assert_time (find (list, JZ_DEADLINE_SETTLEMENT, 0)->due_at, "2026-02-28 23:59:59");
  }

  /* Ten days across the end of February. */
  {
    g_autoptr(GDateTime) leap = at (2028, 2, 20, 9, 0);
    g_autoptr(GDateTime) common = at (2026, 2, 20, 9, 0);
    g_autoptr(GPtrArray) l1 = NULL;
    g_autoptr(GPtrArray) l2 = NULL;
    JzDeadlineSubject s;

    subject_adult (&s, leap);
    l1 = jz_deadlines_compute (&s, NULL, leap);
    assert_time (find (l1, JZ_DEADLINE_STAY_LIMIT, 0)->due_at, "2028-03-01 23:59:59");
    assert_time (find (l1, JZ_DEADLINE_LONG_STAY, 0)->due_at, "2028-03-01 23:59:59");
    subject_adult (&s, common);
    l2 = jz_deadlines_compute (&s, NULL, common);
    assert_time (find (l2, JZ_DEADLINE_STAY_LIMIT, 0)->due_at, "2026-03-02 23:59:59");
  }
}

static void
test_follow_ups (void)
{
  g_autoptr(GDateTime) admitted = at (2027, 1, 20, 9, 0);
  g_autoptr(GDateTime) departed = at (2027, 1, 31, 15, 0);
  JzDeadlineConfig config;
  JzDeadlineSubject s;

  jz_deadline_config_init (&config);
  subject_adult (&s, admitted);
  s.identified = TRUE;
  s.departed_at = departed;
  s.departure_mode = JZ_DEPARTURE_ESCORTED;

  {
    static const char *dues[] = { "2027-02-28 23:59:59", "2027-04-30 23:59:59",
                                  "2027-07-31 23:59:59", "2028-01-31 23:59:59" };
    static const guint months[] = { 1, 3, 6, 12 };
    g_autoptr(GDateTime) now = at (2027, 3, 1, 0, 0);
    g_autoptr(GPtrArray) list = jz_deadlines_compute (&s, &config, now);

    g_assert_cmpuint (list->len, ==, 5);   /* stay limit (done) + 4 follow-ups */
    for (guint i = 0; i < 4; i++)
      {
        JzDeadline *d = find (list, JZ_DEADLINE_FOLLOW_UP, months[i]);

        assert_time (d->due_at, dues[i]);
        g_assert_cmpint (d->status, ==, i == 0 ? JZ_DEADLINE_OVERDUE : JZ_DEADLINE_UPCOMING);
      }
  }

  /* Made follow-ups answer the schedule in order; ones before departure
   * do not count. */
  {
    g_autoptr(GDateTime) before = at (2027, 1, 25, 0, 0);
    g_autoptr(GDateTime) f1 = at (2027, 2, 20, 0, 0);
    g_autoptr(GDateTime) f2 = at (2027, 5, 3, 0, 0);
    GDateTime *done[] = { f2, before, f1 };
    g_autoptr(GDateTime) now = at (2027, 7, 28, 0, 0);
    g_autoptr(GPtrArray) list = NULL;
    JzDeadline *d;

    s.follow_ups_done = done;
    s.n_follow_ups_done = G_N_ELEMENTS (done);
    list = jz_deadlines_compute (&s, &config, now);
    d = find (list, JZ_DEADLINE_FOLLOW_UP, 1);
    g_assert_cmpint (d->status, ==, JZ_DEADLINE_DONE);
    g_assert_false (d->late);
    d = find (list, JZ_DEADLINE_FOLLOW_UP, 3);
    g_assert_cmpint (d->status, ==, JZ_DEADLINE_DONE);
    g_assert_true (d->late);
    g_assert_cmpint (find (list, JZ_DEADLINE_FOLLOW_UP, 6)->status, ==, JZ_DEADLINE_DUE);
    g_assert_cmpint (find (list, JZ_DEADLINE_FOLLOW_UP, 12)->status, ==, JZ_DEADLINE_UPCOMING);
    s.follow_ups_done = NULL;
    s.n_follow_ups_done = 0;
  }

  /* Adults only when configured; minors always; nobody after death. */
  {
    static const guint custom[] = { 2, 24 };
    g_autoptr(GDateTime) now = at (2027, 3, 1, 0, 0);
    g_autoptr(GPtrArray) l1 = NULL;
    g_autoptr(GPtrArray) l2 = NULL;
    g_autoptr(GPtrArray) l3 = NULL;

    config.follow_up_adults = FALSE;
    config.follow_up_months = custom;
    config.n_follow_up_months = G_N_ELEMENTS (custom);
    l1 = jz_deadlines_compute (&s, &config, now);
    g_assert_null (find (l1, JZ_DEADLINE_FOLLOW_UP, 2));

    jz_birth_init_exact (&s.person.birth, 2012, 5, 1);   /* 14 */
    l2 = jz_deadlines_compute (&s, &config, now);
    assert_time (find (l2, JZ_DEADLINE_FOLLOW_UP, 2)->due_at, "2027-03-31 23:59:59");
    assert_time (find (l2, JZ_DEADLINE_FOLLOW_UP, 24)->due_at, "2029-01-31 23:59:59");

    s.departure_mode = JZ_DEPARTURE_DEATH;
    l3 = jz_deadlines_compute (&s, &config, now);
    g_assert_null (find (l3, JZ_DEADLINE_FOLLOW_UP, 2));
  }
}

static void
test_strings (void)
{
  for (JzDeadlineKind k = 0; k < JZ_DEADLINE_N_KINDS; k++)
    {
      JzDeadlineKind back;

      g_assert_true (jz_deadline_kind_from_string (jz_deadline_kind_to_string (k), &back));
      g_assert_cmpint (back, ==, k);
      g_assert_nonnull (jz_deadline_kind_get_label (k));
    }
  g_assert_cmpstr (jz_deadline_status_to_string (JZ_DEADLINE_OVERDUE), ==, "overdue");
  g_assert_cmpstr (jz_deadline_kind_to_string (JZ_DEADLINE_DNA_REQUEST), ==, "dna_request");
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  shanghai = g_time_zone_new_identifier ("Asia/Shanghai");
  g_assert_nonnull (shanghai);

  g_test_add_func ("/deadlines/working-days", test_working_days);
  g_test_add_func ("/deadlines/calendar-text", test_calendar_text);
  g_test_add_func ("/deadlines/stay-limit", test_stay_limit);
  g_test_add_func ("/deadlines/tracing-notice", test_tracing_notice);
  g_test_add_func ("/deadlines/time-zone", test_time_zone);
  g_test_add_func ("/deadlines/dna", test_dna);
  g_test_add_func ("/deadlines/month-ends", test_month_ends);
  g_test_add_func ("/deadlines/follow-ups", test_follow_ups);
  g_test_add_func ("/deadlines/strings", test_strings);

  ret = g_test_run ();
  g_time_zone_unref (shanghai);
  return ret;
}
