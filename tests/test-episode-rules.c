/* test-episode-rules.c: status machine, departure rules, age bands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "jz-episode-rules.h"

static GDateTime *departure_time;

static void
adult (JzPersonFacts *p)
{
  jz_person_facts_init (p);
  jz_birth_init_exact (&p->birth, 1980, 5, 1);
}

static void
test_machine (void)
{
  /* The legal changes, all of them. */
  static const struct { JzEpisodeStatus from, to; } legal[] = {
    { JZ_EPISODE_STATUS_SCREENING, JZ_EPISODE_STATUS_ADMITTED },
    { JZ_EPISODE_STATUS_SCREENING, JZ_EPISODE_STATUS_REFUSED },
    { JZ_EPISODE_STATUS_SCREENING, JZ_EPISODE_STATUS_HOSPITAL },
    { JZ_EPISODE_STATUS_SCREENING, JZ_EPISODE_STATUS_POLICE },
    { JZ_EPISODE_STATUS_SCREENING, JZ_EPISODE_STATUS_DEPARTED },
    { JZ_EPISODE_STATUS_ADMITTED, JZ_EPISODE_STATUS_HOSPITAL },
    { JZ_EPISODE_STATUS_ADMITTED, JZ_EPISODE_STATUS_DEPARTED },
    { JZ_EPISODE_STATUS_HOSPITAL, JZ_EPISODE_STATUS_ADMITTED },
    { JZ_EPISODE_STATUS_HOSPITAL, JZ_EPISODE_STATUS_REFUSED },
    { JZ_EPISODE_STATUS_HOSPITAL, JZ_EPISODE_STATUS_DEPARTED },
    { JZ_EPISODE_STATUS_POLICE, JZ_EPISODE_STATUS_ADMITTED },
    { JZ_EPISODE_STATUS_POLICE, JZ_EPISODE_STATUS_REFUSED },
    { JZ_EPISODE_STATUS_POLICE, JZ_EPISODE_STATUS_DEPARTED },
  };
  guint n_legal = 0;
  JzPersonFacts p;

  adult (&p);

  for (JzEpisodeStatus from = 0; from < JZ_EPISODE_N_STATUSES; from++)
    for (JzEpisodeStatus to = 0; to < JZ_EPISODE_N_STATUSES; to++)
      {
        g_autoptr(GError) error = NULL;
        gboolean expected = FALSE;
        JzDeparture d;
        gboolean ok;

        for (guint i = 0; i < G_N_ELEMENTS (legal); i++)
          if (legal[i].from == from && legal[i].to == to)
            expected = TRUE;
        n_legal += expected;

        g_test_message ("%s → %s", jz_episode_status_to_string (from), jz_episode_status_to_string (to));
        g_assert_cmpint (jz_episode_status_can_change (from, to), ==, expected);

        jz_departure_init (&d, JZ_DEPARTURE_LEFT);
        d.at = departure_time;
        ok = jz_episode_check_transition (from, to, &p, to == JZ_EPISODE_STATUS_DEPARTED ? &d : NULL, &error);
        g_assert_cmpint (ok, ==, expected);
        if (!expected)
          {
            g_assert_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_TRANSITION);
            /* The message says which change and why. */
            g_assert_nonnull (strstr (error->message, jz_episode_status_to_string (from)));
            g_assert_nonnull (strstr (error->message, ": "));
          }
      }
  g_assert_cmpuint (n_legal, ==, G_N_ELEMENTS (legal));

  {
    JzEpisodeStatus next[JZ_EPISODE_N_STATUSES];

    g_assert_cmpuint (jz_episode_status_next (JZ_EPISODE_STATUS_SCREENING, next), ==, 5);
    g_assert_cmpuint (jz_episode_status_next (JZ_EPISODE_STATUS_ADMITTED, next), ==, 2);
    g_assert_cmpint (next[0], ==, JZ_EPISODE_STATUS_HOSPITAL);
    g_assert_cmpint (next[1], ==, JZ_EPISODE_STATUS_DEPARTED);
    g_assert_cmpuint (jz_episode_status_next (JZ_EPISODE_STATUS_DEPARTED, next), ==, 0);
    g_assert_cmpuint (jz_episode_status_next (JZ_EPISODE_STATUS_REFUSED, next), ==, 0);
  }

  g_assert_true (jz_episode_status_is_closed (JZ_EPISODE_STATUS_DEPARTED));
  g_assert_true (jz_episode_status_is_closed (JZ_EPISODE_STATUS_REFUSED));
  g_assert_false (jz_episode_status_is_closed (JZ_EPISODE_STATUS_HOSPITAL));
  g_assert_true (jz_episode_status_is_in_station (JZ_EPISODE_STATUS_ADMITTED));
  g_assert_false (jz_episode_status_is_in_station (JZ_EPISODE_STATUS_SCREENING));
}

static void
test_transition_messages (void)
{
  g_autoptr(GError) error = NULL;
  JzPersonFacts p;

  adult (&p);
  g_assert_false (jz_episode_check_transition (JZ_EPISODE_STATUS_DEPARTED, JZ_EPISODE_STATUS_ADMITTED,
                                               &p, NULL, &error));
  g_assert_nonnull (strstr (error->message, "new episode"));
  g_clear_error (&error);

  g_assert_false (jz_episode_check_transition (JZ_EPISODE_STATUS_ADMITTED, JZ_EPISODE_STATUS_REFUSED,
                                               &p, NULL, &error));
  g_assert_nonnull (strstr (error->message, "help ended"));
  g_clear_error (&error);

  /* → departed needs the departure. */
  g_assert_false (jz_episode_check_transition (JZ_EPISODE_STATUS_ADMITTED, JZ_EPISODE_STATUS_DEPARTED,
                                               &p, NULL, &error));
  g_assert_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_INVALID);
  g_clear_error (&error);

  /* A departure given for a change that is not a departure. */
  {
    JzDeparture d;

    jz_departure_init (&d, JZ_DEPARTURE_TICKET);
    g_assert_false (jz_episode_check_transition (JZ_EPISODE_STATUS_SCREENING, JZ_EPISODE_STATUS_ADMITTED,
                                                 &p, &d, &error));
    g_assert_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_INVALID);
    g_clear_error (&error);

    /* From screening, only leaving without notice, death or other. */
    g_assert_false (jz_episode_check_transition (JZ_EPISODE_STATUS_SCREENING, JZ_EPISODE_STATUS_DEPARTED,
                                                 &p, &d, &error));
    g_assert_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_TRANSITION);
    g_clear_error (&error);
    d.mode = JZ_DEPARTURE_DEATH;
    g_assert_true (jz_episode_check_transition (JZ_EPISODE_STATUS_SCREENING, JZ_EPISODE_STATUS_DEPARTED,
                                                &p, &d, &error));
    g_assert_no_error (error);
  }
}

static void
test_self_departure (void)
{
  JzPersonFacts p;
  JzDeparture d;
  GDate on;

  g_date_clear (&on, 1);
  g_date_set_dmy (&on, 15, 3, 2026);

  /* 16 today: allowed; 15 and 364 days: not. */
  jz_person_facts_init (&p);
  jz_birth_init_exact (&p.birth, 2010, 3, 15);
  g_assert_true (jz_departure_mode_allowed (JZ_DEPARTURE_SELF_RETURN, &p, &on, NULL));
  jz_birth_init_exact (&p.birth, 2010, 3, 16);
  for (JzDepartureMode m = 0; m < JZ_DEPARTURE_N_MODES; m++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = jz_departure_mode_allowed (m, &p, &on, &error);

      g_test_message ("under 16, %s", jz_departure_mode_to_string (m));
      g_assert_cmpint (ok, ==, !jz_departure_mode_is_unaccompanied (m));
      if (!ok)
        {
          g_assert_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_SELF_DEPARTURE);
          g_assert_nonnull (strstr (error->message, "under 16"));
          g_assert_nonnull (strstr (error->message, "接领"));
        }
    }

  /* An estimated age counts like an age. */
  jz_birth_init_estimated (&p.birth, 12, &on);
  g_assert_false (jz_departure_mode_allowed (JZ_DEPARTURE_SELF_RETURN, &p, &on, NULL));
  jz_birth_init_estimated (&p.birth, 30, &on);
  g_assert_true (jz_departure_mode_allowed (JZ_DEPARTURE_SELF_RETURN, &p, &on, NULL));

  /* Unknown age flagged as a minor: not alone. Unknown age, no flag: allowed. */
  jz_birth_init_unknown (&p.birth);
  g_assert_true (jz_departure_mode_allowed (JZ_DEPARTURE_SELF_RETURN, &p, &on, NULL));
  p.minor = TRUE;
  g_assert_false (jz_departure_mode_allowed (JZ_DEPARTURE_SELF_RETURN, &p, &on, NULL));

  /* Disabilities. */
  adult (&p);
  p.mental_disability = TRUE;
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (jz_departure_mode_allowed (JZ_DEPARTURE_SELF_RETURN, &p, &on, &error));
    g_assert_nonnull (strstr (error->message, "mental"));
  }
  g_assert_false (jz_departure_mode_allowed (JZ_DEPARTURE_TICKET, &p, &on, NULL));
  g_assert_true (jz_departure_mode_allowed (JZ_DEPARTURE_ESCORTED, &p, &on, NULL));
  p.mental_disability = FALSE;
  p.intellectual_disability = TRUE;
  g_assert_false (jz_departure_mode_allowed (JZ_DEPARTURE_SELF_RETURN, &p, &on, NULL));

  /* Through the transition: the departure's own date decides the age. */
  jz_person_facts_init (&p);
  jz_birth_init_exact (&p.birth, 2010, 3, 16);
  jz_departure_init (&d, JZ_DEPARTURE_SELF_RETURN);
  d.at = g_date_time_new_local (2026, 3, 15, 10, 0, 0);
  g_assert_false (jz_episode_check_transition (JZ_EPISODE_STATUS_ADMITTED, JZ_EPISODE_STATUS_DEPARTED,
                                               &p, &d, NULL));
  g_date_time_unref (d.at);
  d.at = g_date_time_new_local (2026, 3, 16, 10, 0, 0);
  g_assert_true (jz_episode_check_transition (JZ_EPISODE_STATUS_ADMITTED, JZ_EPISODE_STATUS_DEPARTED,
                                              &p, &d, NULL));
  g_date_time_unref (d.at);
}

static void
test_collected (void)
{
  g_autoptr(GError) error = NULL;
  JzPersonFacts p;
  JzDeparture d;

  jz_person_facts_init (&p);
  jz_birth_init_exact (&p.birth, 2015, 1, 1);
  jz_departure_init (&d, JZ_DEPARTURE_COLLECTED);
  d.at = departure_time;

  g_assert_false (jz_departure_check (&d, &p, &error));
  g_assert_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_COLLECTOR);
  g_assert_nonnull (strstr (error->message, "name"));
  g_clear_error (&error);

  d.collector_name = "  ";
  g_assert_false (jz_departure_check (&d, &p, &error));
  g_assert_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_COLLECTOR);
  g_clear_error (&error);

  d.collector_name = "张建国";
  g_assert_false (jz_departure_check (&d, &p, &error));
  g_assert_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_COLLECTOR);
  g_assert_nonnull (strstr (error->message, "ID number"));
  g_clear_error (&error);

  /* A resident ID with a wrong check digit is caught. */
  d.collector_id_number = "110105194912310021";
  g_assert_false (jz_departure_check (&d, &p, &error));
  g_assert_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_COLLECTOR);
  g_assert_nonnull (strstr (error->message, "should be X"));
  g_clear_error (&error);

  d.collector_id_number = "11010519491231002x";
  g_assert_true (jz_departure_check (&d, &p, &error));
  g_assert_no_error (error);

  /* Another document (a passport) is taken as typed. */
  d.collector_id_number = "E12345678";
  g_assert_true (jz_departure_check (&d, &p, NULL));

  d.cross_province = TRUE;
  g_assert_true (jz_departure_check (&d, &p, NULL));
}

static void
test_cross_province (void)
{
  JzPersonFacts p;

  adult (&p);
  for (JzDepartureMode m = 0; m < JZ_DEPARTURE_N_MODES; m++)
    {
      g_autoptr(GError) error = NULL;
      JzDeparture d;
      gboolean ok;

      jz_departure_init (&d, m);
      d.at = departure_time;
      d.cross_province = TRUE;
      d.collector_name = "李四";
      d.collector_id_number = "130503670401001";
      ok = jz_departure_check (&d, &p, &error);
      g_assert_cmpint (ok, ==, jz_departure_mode_has_cross_province (m));
      if (!ok)
        g_assert_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_INVALID);
    }
  g_assert_true (jz_departure_mode_has_cross_province (JZ_DEPARTURE_ESCORTED));
  g_assert_true (jz_departure_mode_has_cross_province (JZ_DEPARTURE_COLLECTED));
}

static void
test_cash (void)
{
  g_autoptr(GError) error = NULL;
  JzPersonFacts p;
  JzDeparture d;

  adult (&p);
  jz_departure_init (&d, JZ_DEPARTURE_SELF_RETURN);
  d.at = departure_time;

  d.cash_fen = 2000;   /* exactly 20 yuan: fine */
  g_assert_true (jz_departure_check (&d, &p, &error));
  g_assert_no_error (error);

  d.cash_fen = 2001;
  g_assert_false (jz_departure_check (&d, &p, &error));
  g_assert_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_CASH);
  g_assert_nonnull (strstr (error->message, "20.01 yuan"));
  g_clear_error (&error);

  d.cash_reason = "";
  g_assert_false (jz_departure_check (&d, &p, NULL));
  d.cash_reason = "长途车票差价";
  g_assert_true (jz_departure_check (&d, &p, NULL));

  d.cash_fen = -1;
  g_assert_false (jz_departure_check (&d, &p, &error));
  g_assert_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_CASH);
}

static void
test_age_bands (void)
{
  static const struct { int age; JzAgeBand band; } cases[] = {
    { -1, JZ_AGE_BAND_UNKNOWN }, { 0, JZ_AGE_BAND_0_6 }, { 6, JZ_AGE_BAND_0_6 },
    { 7, JZ_AGE_BAND_7_18 }, { 18, JZ_AGE_BAND_7_18 }, { 19, JZ_AGE_BAND_19_59 },
    { 59, JZ_AGE_BAND_19_59 }, { 60, JZ_AGE_BAND_60_PLUS }, { 104, JZ_AGE_BAND_60_PLUS },
  };
  JzBirth b;
  GDate on;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (jz_age_band_for_age (cases[i].age), ==, cases[i].band);

  g_date_clear (&on, 1);
  g_date_set_dmy (&on, 1, 1, 2026);
  /* Turns 7 on 2 January 2026: still in the ≤6 band on the 1st. */
  jz_birth_init_exact (&b, 2019, 1, 2);
  g_assert_cmpint (jz_age_band_on (&b, &on), ==, JZ_AGE_BAND_0_6);
  jz_birth_init_exact (&b, 2019, 1, 1);
  g_assert_cmpint (jz_age_band_on (&b, &on), ==, JZ_AGE_BAND_7_18);
  jz_birth_init_estimated (&b, 60, &on);
  g_assert_cmpint (jz_age_band_on (&b, &on), ==, JZ_AGE_BAND_60_PLUS);
  jz_birth_init_unknown (&b);
  g_assert_cmpint (jz_age_band_on (&b, &on), ==, JZ_AGE_BAND_UNKNOWN);
  jz_birth_init_year (&b, 1966);   /* taken as born 1 July 1966: 59 */
  g_assert_cmpint (jz_age_band_on (&b, &on), ==, JZ_AGE_BAND_19_59);
}

static void
test_minor (void)
{
  JzPersonFacts p;
  GDate on;

  g_date_clear (&on, 1);
  g_date_set_dmy (&on, 1, 6, 2026);
  jz_person_facts_init (&p);
  g_assert_false (jz_person_is_minor_on (&p, &on));
  p.minor = TRUE;
  g_assert_true (jz_person_is_minor_on (&p, &on));
  p.minor = FALSE;
  jz_birth_init_exact (&p.birth, 2008, 6, 2);
  g_assert_true (jz_person_is_minor_on (&p, &on));
  g_assert_false (jz_person_is_under_16_on (&p, &on));
  jz_birth_init_exact (&p.birth, 2008, 6, 1);
  g_assert_false (jz_person_is_minor_on (&p, &on));
}

static void
test_strings (void)
{
  for (JzEpisodeStatus s = 0; s < JZ_EPISODE_N_STATUSES; s++)
    {
      JzEpisodeStatus back;

      g_assert_true (jz_episode_status_from_string (jz_episode_status_to_string (s), &back));
      g_assert_cmpint (back, ==, s);
      g_assert_nonnull (jz_episode_status_get_label (s));
    }
  for (JzDepartureMode m = 0; m < JZ_DEPARTURE_N_MODES; m++)
    {
      JzDepartureMode back;

      g_assert_true (jz_departure_mode_from_string (jz_departure_mode_to_string (m), &back));
      g_assert_cmpint (back, ==, m);
      g_assert_nonnull (jz_departure_mode_get_label (m));
      g_assert_nonnull (jz_departure_mode_get_form_name (m));
    }
  for (JzAgeBand b = 0; b < JZ_AGE_BAND_N; b++)
    {
      JzAgeBand back;

      g_assert_true (jz_age_band_from_string (jz_age_band_to_string (b), &back));
      g_assert_cmpint (back, ==, b);
      g_assert_nonnull (jz_age_band_get_label (b));
    }
  /* Stable ids other code and files rely on. */
  g_assert_cmpstr (jz_departure_mode_to_string (JZ_DEPARTURE_SELF_RETURN), ==, "self_return");
  g_assert_cmpstr (jz_departure_mode_get_form_name (JZ_DEPARTURE_COLLECTED), ==, "接领返乡");
  g_assert_cmpstr (jz_episode_status_to_string (JZ_EPISODE_STATUS_HOSPITAL), ==, "hospital");
  g_assert_cmpstr (jz_age_band_to_string (JZ_AGE_BAND_60_PLUS), ==, "60+");
  {
    JzDepartureMode m;
    g_assert_false (jz_departure_mode_from_string ("staying", &m));   /* 滞站 is no departure */
    g_assert_false (jz_departure_mode_from_string (NULL, &m));
  }
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  departure_time = g_date_time_new_local (2026, 6, 1, 9, 30, 0);

  g_test_add_func ("/episode-rules/machine", test_machine);
  g_test_add_func ("/episode-rules/transition-messages", test_transition_messages);
  g_test_add_func ("/episode-rules/self-departure", test_self_departure);
  g_test_add_func ("/episode-rules/collected", test_collected);
  g_test_add_func ("/episode-rules/cross-province", test_cross_province);
  g_test_add_func ("/episode-rules/cash", test_cash);
  g_test_add_func ("/episode-rules/age-bands", test_age_bands);
  g_test_add_func ("/episode-rules/minor", test_minor);
  g_test_add_func ("/episode-rules/strings", test_strings);

  ret = g_test_run ();
  g_date_time_unref (departure_time);
  return ret;
}
