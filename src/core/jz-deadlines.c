/* jz-deadlines.c: the time limits of an episode, with working days
 *
 * Clocks start at admission (规程; DOMAIN.md "Identification and family
 * tracing"). Periods in days, working days and months follow 民法典
 * art. 200–203: the starting day does not count, a month ends on the same
 * day of the month (or the month's last day when it has none), and a
 * period ends at 24:00 of its last day, written 23:59:59 here. Only the
 * 24-hour notice is counted in hours.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-deadlines"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "jz-deadlines.h"

G_DEFINE_QUARK (jz-deadlines-error-quark, jz_deadlines_error)

struct _JzWorkCalendar
{
  gint        ref_count;
  GHashTable *holidays;   /* julian day → itself */
  GHashTable *workdays;   /* julian day → itself */
};

G_DEFINE_BOXED_TYPE (JzWorkCalendar, jz_work_calendar, jz_work_calendar_ref, jz_work_calendar_unref)

/* How long before its end a limit shows as "due". */
#define NOTICE_WARNING     (6 * G_TIME_SPAN_HOUR)
#define DNA_WARNING        (2 * G_TIME_SPAN_DAY)
#define DNA_RESULT_WARNING (7 * G_TIME_SPAN_DAY)
#define STAY_WARNING       (2 * G_TIME_SPAN_DAY)
#define FOLLOW_UP_WARNING  (JZ_DEADLINE_FOLLOW_UP_WARNING_DAYS * G_TIME_SPAN_DAY)

G_STATIC_ASSERT (NOTICE_WARNING <= JZ_DEADLINE_MAX_WARNING_DAYS * G_TIME_SPAN_DAY);
G_STATIC_ASSERT (DNA_WARNING <= JZ_DEADLINE_MAX_WARNING_DAYS * G_TIME_SPAN_DAY);
G_STATIC_ASSERT (DNA_RESULT_WARNING <= JZ_DEADLINE_MAX_WARNING_DAYS * G_TIME_SPAN_DAY);
G_STATIC_ASSERT (STAY_WARNING <= JZ_DEADLINE_MAX_WARNING_DAYS * G_TIME_SPAN_DAY);
G_STATIC_ASSERT (FOLLOW_UP_WARNING <= JZ_DEADLINE_MAX_WARNING_DAYS * G_TIME_SPAN_DAY);

#define STAY_LIMIT_DAYS       10
#define DNA_REQUEST_WORKDAYS  7
#define SETTLEMENT_MONTHS     3

static const guint default_follow_ups[] = { 1, 3, 6, 12 };

static const struct { const char *id; const char *label; } kinds[JZ_DEADLINE_N_KINDS] = {
  [JZ_DEADLINE_STAY_LIMIT]     = { "stay_limit", N_("Stay limit (10 days)") },
  [JZ_DEADLINE_TRACING_NOTICE] = { "tracing_notice", N_("Publish a family-tracing notice (24 hours)") },
  [JZ_DEADLINE_DNA_REQUEST]    = { "dna_request", N_("Ask the police for a DNA sample (7 working days)") },
  [JZ_DEADLINE_DNA_RESULT]     = { "dna_result", N_("DNA result from the police (1 month)") },
  [JZ_DEADLINE_LONG_STAY]      = { "long_stay", N_("Stay over 10 days: decide on care or placement") },
  [JZ_DEADLINE_SETTLEMENT]     = { "settlement", N_("Unidentified over 3 months: apply for household registration") },
  [JZ_DEADLINE_FOLLOW_UP]      = { "follow_up", N_("Follow-up after departure") },
};

static const char *status_ids[] = { "upcoming", "due", "overdue", "done" };

JzWorkCalendar *
jz_work_calendar_new (void)
{
  JzWorkCalendar *cal = g_new0 (JzWorkCalendar, 1);

  cal->ref_count = 1;
  cal->holidays = g_hash_table_new (NULL, NULL);
  cal->workdays = g_hash_table_new (NULL, NULL);
  return cal;
}

JzWorkCalendar *
jz_work_calendar_ref (JzWorkCalendar *calendar)
{
  g_return_val_if_fail (calendar != NULL, NULL);
  g_atomic_int_inc (&calendar->ref_count);
  return calendar;
}

void
jz_work_calendar_unref (JzWorkCalendar *calendar)
{
  if (calendar == NULL)
    return;
  if (g_atomic_int_dec_and_test (&calendar->ref_count))
    {
      g_hash_table_unref (calendar->holidays);
      g_hash_table_unref (calendar->workdays);
      g_free (calendar);
    }
}

static gpointer
julian_key (const GDate *date)
{
  return GUINT_TO_POINTER (g_date_get_julian (date));
}

void
jz_work_calendar_add_holiday (JzWorkCalendar *calendar,
                              const GDate    *date)
{
  g_return_if_fail (calendar != NULL);
  g_return_if_fail (date != NULL && g_date_valid (date));
  g_hash_table_add (calendar->holidays, julian_key (date));
}

void
jz_work_calendar_add_workday (JzWorkCalendar *calendar,
                              const GDate    *date)
{
  g_return_if_fail (calendar != NULL);
  g_return_if_fail (date != NULL && g_date_valid (date));
  g_hash_table_add (calendar->workdays, julian_key (date));
}

static gboolean
parse_date (const char *s,
            GDate      *out)
{
  unsigned y, m, d;
  char tail;

  g_date_clear (out, 1);
  if (strlen (s) != 10 || sscanf (s, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3)
    return FALSE;
  if (!g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_set_dmy (out, d, m, y);
  return TRUE;
}

static gboolean
is_weekend (const GDate *date)
{
  GDateWeekday w = g_date_get_weekday (date);

  return w == G_DATE_SATURDAY || w == G_DATE_SUNDAY;
}

gboolean
jz_work_calendar_load_text (JzWorkCalendar  *calendar,
                            const char      *text,
                            GError         **error)
{
  g_auto(GStrv) lines = NULL;
  g_autoptr(GArray) holidays = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) workdays = g_array_new (FALSE, FALSE, sizeof (guint32));

  g_return_val_if_fail (calendar != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = NULL;
      char *hash = strchr (lines[i], '#');
      char *dots;
      gboolean workday = FALSE;
      GDate from, to;
      guint n_words;

      if (hash)
        *hash = '\0';
      g_strstrip (lines[i]);
      if (*lines[i] == '\0')
        continue;

      words = g_strsplit_set (lines[i], " \t", -1);
      n_words = 0;
      for (guint k = 0; words[k]; k++)
        if (*words[k])
          words[n_words++] = words[k];
        else
          g_free (words[k]);
      words[n_words] = NULL;

      if (n_words > 2 || (n_words == 2 && !g_str_equal (words[1], "holiday") && !g_str_equal (words[1], "workday")))
        {
          g_set_error (error, JZ_DEADLINES_ERROR, JZ_DEADLINES_ERROR_PARSE,
                       /* Translators: “holiday” and “workday” are keywords of the
                        * table's file: keep them in English. */
                       _("Line %u of the holiday table: write a date or a range and then “holiday” or “workday”, "
                         "e.g. “2025-10-01..2025-10-08 holiday”"), i + 1);
          return FALSE;
        }
      workday = n_words == 2 && g_str_equal (words[1], "workday");

      dots = strstr (words[0], "..");
      if (dots)
        {
          *dots = '\0';
          if (!parse_date (words[0], &from) || !parse_date (dots + 2, &to))
            {
              g_set_error (error, JZ_DEADLINES_ERROR, JZ_DEADLINES_ERROR_PARSE,
                           _("Line %u of the holiday table: the range must be two real dates written YYYY-MM-DD..YYYY-MM-DD"),
                           i + 1);
              return FALSE;
            }
        }
      else if (parse_date (words[0], &from))
        to = from;
      else
        {
          g_set_error (error, JZ_DEADLINES_ERROR, JZ_DEADLINES_ERROR_PARSE,
                       /* Translators: %s is the word found where a date should be. */
                       _("Line %u of the holiday table: “%s” is not a real date written YYYY-MM-DD"),
                       i + 1, words[0]);
          return FALSE;
        }

      if (g_date_compare (&from, &to) > 0 || g_date_days_between (&from, &to) > 31)
        {
          g_set_error (error, JZ_DEADLINES_ERROR, JZ_DEADLINES_ERROR_PARSE,
                       _("Line %u of the holiday table: a range must go forward and last at most a month"),
                       i + 1);
          return FALSE;
        }

      for (GDate d = from; g_date_compare (&d, &to) <= 0; g_date_add_days (&d, 1))
        {
          guint32 j = g_date_get_julian (&d);

          if (workday && !is_weekend (&d))
            {
              g_set_error (error, JZ_DEADLINES_ERROR, JZ_DEADLINES_ERROR_PARSE,
                           /* Translators: %04d-%02d-%02d is a date; “workday” is a keyword
                            * of the table's file: keep it in English. */
                           _("Line %u of the holiday table: %04d-%02d-%02d is a weekday, so it is a working day anyway; "
                             "“workday” is for a Saturday or Sunday worked in exchange (调休)"),
                           i + 1, g_date_get_year (&d), g_date_get_month (&d), g_date_get_day (&d));
              return FALSE;
            }
          g_array_append_val (workday ? workdays : holidays, j);
        }
    }

  for (guint i = 0; i < holidays->len; i++)
    g_hash_table_add (calendar->holidays, GUINT_TO_POINTER (g_array_index (holidays, guint32, i)));
  for (guint i = 0; i < workdays->len; i++)
    g_hash_table_add (calendar->workdays, GUINT_TO_POINTER (g_array_index (workdays, guint32, i)));
  return TRUE;
}

gboolean
jz_work_calendar_is_working_day (JzWorkCalendar *calendar,
                                 const GDate    *date)
{
  g_return_val_if_fail (date != NULL && g_date_valid (date), FALSE);

  if (calendar != NULL)
    {
      if (g_hash_table_contains (calendar->workdays, julian_key (date)))
        return TRUE;
      if (g_hash_table_contains (calendar->holidays, julian_key (date)))
        return FALSE;
    }
  return !is_weekend (date);
}

void
jz_work_calendar_add_working_days (JzWorkCalendar *calendar,
                                   GDate          *date,
                                   guint           n)
{
  g_return_if_fail (date != NULL && g_date_valid (date));

  while (n > 0)
    {
      g_date_add_days (date, 1);
      if (jz_work_calendar_is_working_day (calendar, date))
        n--;
    }
}

void
jz_deadline_free (JzDeadline *deadline)
{
  if (deadline == NULL)
    return;
  g_clear_pointer (&deadline->due_at, g_date_time_unref);
  g_clear_pointer (&deadline->done_at, g_date_time_unref);
  g_free (deadline);
}

const char *
jz_deadline_kind_to_string (JzDeadlineKind kind)
{
  g_return_val_if_fail ((guint) kind < JZ_DEADLINE_N_KINDS, NULL);
  return kinds[kind].id;
}

gboolean
jz_deadline_kind_from_string (const char     *text,
                              JzDeadlineKind *out)
{
  for (guint i = 0; text != NULL && i < JZ_DEADLINE_N_KINDS; i++)
    if (g_str_equal (text, kinds[i].id))
      {
        *out = (JzDeadlineKind) i;
        return TRUE;
      }
  return FALSE;
}

const char *
jz_deadline_kind_get_label (JzDeadlineKind kind)
{
  g_return_val_if_fail ((guint) kind < JZ_DEADLINE_N_KINDS, NULL);
  return kinds[kind].label;
}

const char *
jz_deadline_status_to_string (JzDeadlineStatus status)
{
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (status_ids), NULL);
  return status_ids[status];
}

void
jz_deadline_config_init (JzDeadlineConfig *config)
{
  memset (config, 0, sizeof *config);
  config->follow_up_months = default_follow_ups;
  config->n_follow_up_months = G_N_ELEMENTS (default_follow_ups);
  config->follow_up_adults = TRUE;
}

void
jz_deadline_subject_init (JzDeadlineSubject *subject)
{
  memset (subject, 0, sizeof *subject);
  jz_person_facts_init (&subject->person);
  subject->departure_mode = JZ_DEPARTURE_OTHER;
}

GTimeZone *
jz_deadlines_time_zone (void)
{
  static gsize once;
  static GTimeZone *tz;

  if (g_once_init_enter (&once))
    {
      tz = g_time_zone_new_identifier ("Asia/Shanghai");
      if (tz == NULL)
        tz = g_time_zone_new_offset (8 * 3600);
      g_once_init_leave (&once, 1);
    }
  return tz;
}

static void
local_date (GDateTime *dt,
            GDate     *out)
{
  g_autoptr(GDateTime) local = g_date_time_to_timezone (dt, jz_deadlines_time_zone ());

  g_date_clear (out, 1);
  g_date_set_dmy (out, g_date_time_get_day_of_month (local),
                  g_date_time_get_month (local), g_date_time_get_year (local));
}

static GDateTime *
end_of_day (const GDate *date)
{
  return g_date_time_new (jz_deadlines_time_zone (), g_date_get_year (date),
                          g_date_get_month (date), g_date_get_day (date), 23, 59, 59);
}

/* The earliest of the non-NULL times, or NULL. */
static GDateTime *
earliest (GDateTime *a,
          GDateTime *b,
          GDateTime *c)
{
  GDateTime *all[] = { a, b, c };
  GDateTime *min = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    if (all[i] != NULL && (min == NULL || g_date_time_compare (all[i], min) < 0))
      min = all[i];
  return min;
}

/* Takes @due_at. @warning < 0: a prompt, due from @due_at on, never overdue. */
static void
add (GPtrArray      *out,
     JzDeadlineKind  kind,
     GDateTime      *due_at,
     GTimeSpan       warning,
     GDateTime      *done_at,
     GDateTime      *now)
{
  JzDeadline *d = g_new0 (JzDeadline, 1);

  d->kind = kind;
  d->label = kinds[kind].label;
  d->due_at = due_at;
  d->prompt = warning < 0;
  d->warn_at = g_date_time_to_unix (due_at) - (warning < 0 ? 0 : warning / G_TIME_SPAN_SECOND);

  if (done_at != NULL)
    {
      d->status = JZ_DEADLINE_DONE;
      d->done_at = g_date_time_ref (done_at);
      d->late = warning >= 0 && g_date_time_compare (done_at, due_at) > 0;
    }
  else if (warning < 0)
    d->status = g_date_time_compare (now, due_at) >= 0 ? JZ_DEADLINE_DUE : JZ_DEADLINE_UPCOMING;
  else if (g_date_time_compare (now, due_at) > 0)
    d->status = JZ_DEADLINE_OVERDUE;
  else if (g_date_time_difference (due_at, now) <= warning)
    d->status = JZ_DEADLINE_DUE;
  else
    d->status = JZ_DEADLINE_UPCOMING;

  g_ptr_array_add (out, d);
}

static int
compare_deadlines (gconstpointer a,
                   gconstpointer b)
{
  const JzDeadline *x = *(JzDeadline * const *) a;
  const JzDeadline *y = *(JzDeadline * const *) b;
  int c = g_date_time_compare (x->due_at, y->due_at);

  return c != 0 ? c : (int) x->kind - (int) y->kind;
}

static int
compare_times (gconstpointer a,
               gconstpointer b)
{
  return g_date_time_compare (*(GDateTime * const *) a, *(GDateTime * const *) b);
}

GPtrArray *
jz_deadlines_compute (const JzDeadlineSubject *s,
                      const JzDeadlineConfig  *config,
                      GDateTime               *now)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_deadline_free);
  JzDeadlineConfig defaults;
  GDateTime *identified_later = NULL;
  gboolean unidentified_at_admission;
  GDate admitted;

  g_return_val_if_fail (s != NULL, out);
  g_return_val_if_fail (s->admitted_at != NULL, out);
  g_return_val_if_fail (now != NULL, out);

  if (config == NULL)
    {
      jz_deadline_config_init (&defaults);
      config = &defaults;
    }

  local_date (s->admitted_at, &admitted);

  if (!s->identified)
    unidentified_at_admission = TRUE;
  else if (s->identified_at != NULL && g_date_time_compare (s->identified_at, s->admitted_at) > 0)
    {
      unidentified_at_admission = TRUE;
      identified_later = s->identified_at;
    }
  else
    unidentified_at_admission = FALSE;

  /* The 10-day limit is for residents of 16 or more with no sign of mental
   * or intellectual disability (细则 art. 12). */
  if (!jz_person_is_under_16_on (&s->person, &admitted) &&
      !s->person.mental_disability && !s->person.intellectual_disability)
    {
      GDate last = admitted;
      GDateTime *due;

      g_date_add_days (&last, STAY_LIMIT_DAYS);
      due = end_of_day (&last);
      if (s->stay_extended_until != NULL && g_date_time_compare (s->stay_extended_until, due) > 0)
        {
          g_date_time_unref (due);
          due = g_date_time_to_timezone (s->stay_extended_until, jz_deadlines_time_zone ());
        }
      add (out, JZ_DEADLINE_STAY_LIMIT, due, STAY_WARNING, s->departed_at, now);
    }

  if (unidentified_at_admission)
    {
      g_autoptr(GDateTime) local = g_date_time_to_timezone (s->admitted_at, jz_deadlines_time_zone ());
      GDate date;

      add (out, JZ_DEADLINE_TRACING_NOTICE,
           g_date_time_add (local, 24 * G_TIME_SPAN_HOUR), NOTICE_WARNING,
           earliest (s->notice_published_at, identified_later, s->departed_at), now);

      date = admitted;
      jz_work_calendar_add_working_days (config->calendar, &date, DNA_REQUEST_WORKDAYS);
      add (out, JZ_DEADLINE_DNA_REQUEST, end_of_day (&date), DNA_WARNING,
           earliest (s->dna_requested_at, identified_later, s->departed_at), now);

      date = admitted;
      g_date_add_days (&date, STAY_LIMIT_DAYS);
      add (out, JZ_DEADLINE_LONG_STAY, end_of_day (&date), -1,
           earliest (identified_later, s->departed_at, NULL), now);

      date = admitted;
      g_date_add_months (&date, SETTLEMENT_MONTHS);
      add (out, JZ_DEADLINE_SETTLEMENT, end_of_day (&date), -1,
           earliest (s->settled_at, identified_later, s->departed_at), now);
    }

  /* A DNA request made even for a person identified otherwise still has
   * its answer to wait for, until the identity is known. */
  if (s->dna_requested_at != NULL)
    {
      GDate date;

      local_date (s->dna_requested_at, &date);
      g_date_add_months (&date, 1);
      add (out, JZ_DEADLINE_DNA_RESULT, end_of_day (&date), DNA_RESULT_WARNING,
           earliest (s->dna_result_at, identified_later, NULL), now);
    }

  if (s->departed_at != NULL && s->departure_mode != JZ_DEPARTURE_DEATH)
    {
      GDate departed;

      local_date (s->departed_at, &departed);
      if (config->follow_up_adults || jz_person_is_minor_on (&s->person, &departed))
        {
          g_autoptr(GPtrArray) done = g_ptr_array_new ();
          const guint *months = config->follow_up_months ? config->follow_up_months : default_follow_ups;
          guint n_months = config->follow_up_months ? config->n_follow_up_months : G_N_ELEMENTS (default_follow_ups);

          for (guint i = 0; i < s->n_follow_ups_done; i++)
            if (s->follow_ups_done[i] != NULL &&
                g_date_time_compare (s->follow_ups_done[i], s->departed_at) >= 0)
              g_ptr_array_add (done, s->follow_ups_done[i]);
          g_ptr_array_sort (done, compare_times);

          /* Follow-ups are counted in order: the first one made answers the
           * first that was scheduled. */
          for (guint i = 0; i < n_months; i++)
            {
              GDate date = departed;

              g_date_add_months (&date, months[i]);
              add (out, JZ_DEADLINE_FOLLOW_UP, end_of_day (&date), FOLLOW_UP_WARNING,
                   i < done->len ? g_ptr_array_index (done, i) : NULL, now);
              ((JzDeadline *) g_ptr_array_index (out, out->len - 1))->months = months[i];
            }
        }
    }

  g_ptr_array_sort (out, compare_deadlines);
  return out;
}
