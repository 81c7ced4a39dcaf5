/* jz-episode-rules.c: episode status machine, departure rules, age bands
 *
 * The rules of 381, its 细则 and the 规程 that decide what staff may
 * record. Pure functions: the store calls them before a write, the forms
 * call them to disable what is not allowed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-episode-rules"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jz-episode-rules.h"

G_DEFINE_QUARK (jz-episode-rules-error-quark, jz_episode_rules_error)

/* The name is the status inside a sentence ("cannot go from “admitted”
 * to …"), translated with the context STATUS_IN_SENTENCE. */
#define STATUS_IN_SENTENCE "episode status in a sentence"

static const struct { const char *id; const char *label; const char *name; } statuses[JZ_EPISODE_N_STATUSES] = {
  [JZ_EPISODE_STATUS_SCREENING] = { "screening", N_("Screening"), NC_("episode status in a sentence", "screening") },
  [JZ_EPISODE_STATUS_ADMITTED]  = { "admitted", N_("Admitted"), NC_("episode status in a sentence", "admitted") },
  [JZ_EPISODE_STATUS_REFUSED]   = { "refused", N_("Refused"), NC_("episode status in a sentence", "refused") },
  [JZ_EPISODE_STATUS_HOSPITAL]  = { "hospital", N_("In hospital"), NC_("episode status in a sentence", "in hospital") },
  [JZ_EPISODE_STATUS_POLICE]    = { "police", N_("Handed to the police"), NC_("episode status in a sentence", "handed to the police") },
  [JZ_EPISODE_STATUS_DEPARTED]  = { "departed", N_("Departed"), NC_("episode status in a sentence", "departed") },
};

static const struct { const char *id; const char *label; const char *form; } modes[JZ_DEPARTURE_N_MODES] = {
  [JZ_DEPARTURE_PLACED]      = { "placed", N_("Placed"), "安置" },
  [JZ_DEPARTURE_TICKET]      = { "ticket", N_("Travel ticket provided"), "提供乘车凭证" },
  [JZ_DEPARTURE_SELF_RETURN] = { "self_return", N_("Returned home on their own"), "自行返乡" },
  [JZ_DEPARTURE_HELP_ENDED]  = { "help_ended", N_("Help ended"), "终止救助" },
  [JZ_DEPARTURE_LEFT]        = { "left", N_("Left without notice"), "擅自离站" },
  [JZ_DEPARTURE_ESCORTED]    = { "escorted", N_("Escorted home"), "护送返乡" },
  [JZ_DEPARTURE_COLLECTED]   = { "collected", N_("Collected by family or guardian"), "接领返乡" },
  [JZ_DEPARTURE_DEATH]       = { "death", N_("Died"), "死亡" },
  [JZ_DEPARTURE_OTHER]       = { "other", N_("Other"), "其他" },
};

static const struct { const char *id; const char *label; } bands[JZ_AGE_BAND_N] = {
  [JZ_AGE_BAND_UNKNOWN] = { "unknown", N_("Age unknown") },
  [JZ_AGE_BAND_0_6]     = { "0-6", N_("6 and under") },
  [JZ_AGE_BAND_7_18]    = { "7-18", N_("7 to 18") },
  [JZ_AGE_BAND_19_59]   = { "19-59", N_("19 to 59") },
  [JZ_AGE_BAND_60_PLUS] = { "60+", N_("60 and over") },
};

/* The status machine. Refused and departed are closed: a person who comes
 * back starts a new episode, which keeps the monthly counts (人次) right. */
static const gboolean transitions[JZ_EPISODE_N_STATUSES][JZ_EPISODE_N_STATUSES] = {
  [JZ_EPISODE_STATUS_SCREENING] = {
    [JZ_EPISODE_STATUS_ADMITTED] = TRUE, [JZ_EPISODE_STATUS_REFUSED] = TRUE,
    [JZ_EPISODE_STATUS_HOSPITAL] = TRUE, [JZ_EPISODE_STATUS_POLICE] = TRUE,
    [JZ_EPISODE_STATUS_DEPARTED] = TRUE,
  },
  [JZ_EPISODE_STATUS_ADMITTED] = {
    [JZ_EPISODE_STATUS_HOSPITAL] = TRUE, [JZ_EPISODE_STATUS_DEPARTED] = TRUE,
  },
  [JZ_EPISODE_STATUS_HOSPITAL] = {
    [JZ_EPISODE_STATUS_ADMITTED] = TRUE, [JZ_EPISODE_STATUS_REFUSED] = TRUE,
    [JZ_EPISODE_STATUS_DEPARTED] = TRUE,
  },
  [JZ_EPISODE_STATUS_POLICE] = {
    [JZ_EPISODE_STATUS_ADMITTED] = TRUE, [JZ_EPISODE_STATUS_REFUSED] = TRUE,
    [JZ_EPISODE_STATUS_DEPARTED] = TRUE,
  },
};

/* Why a transition that is not in the table is refused, in words staff
 * can act on. Translated: the hint ends the sentence of
 * jz_episode_check_transition()'s message. */
static const char *
transition_hint (JzEpisodeStatus from,
                 JzEpisodeStatus to)
{
  if (from == to)
    return _("the episode already has that status");
  switch (from)
    {
    case JZ_EPISODE_STATUS_REFUSED:
      return _("a refused episode is closed; if the person comes back, register a new episode");
    case JZ_EPISODE_STATUS_DEPARTED:
      return _("a departed episode is closed; if the person comes back, register a new episode");
    case JZ_EPISODE_STATUS_ADMITTED:
      if (to == JZ_EPISODE_STATUS_SCREENING)
        return _("screening ends with admission and cannot be reopened");
      if (to == JZ_EPISODE_STATUS_REFUSED)
        return _("an admitted person is not refused; record a departure with the mode “help ended” (终止救助)");
      if (to == JZ_EPISODE_STATUS_POLICE)
        return _("a person handed to the police from the station departs; record a departure (mode “other”)");
      break;
    case JZ_EPISODE_STATUS_HOSPITAL:
    case JZ_EPISODE_STATUS_POLICE:
      if (to == JZ_EPISODE_STATUS_SCREENING)
        return _("screening is not repeated; admit the person, refuse help or record a departure");
      if (to == JZ_EPISODE_STATUS_HOSPITAL || to == JZ_EPISODE_STATUS_POLICE)
        return _("admit the person back to the station first");
      break;
    case JZ_EPISODE_STATUS_SCREENING:
    case JZ_EPISODE_N_STATUSES:
    default:
      break;
    }
  return _("that change is not part of the relief process");
}

void
jz_person_facts_init (JzPersonFacts *facts)
{
  memset (facts, 0, sizeof *facts);
  jz_birth_init_unknown (&facts->birth);
}

static void
today_local (GDate *out)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  g_date_clear (out, 1);
  g_date_set_dmy (out, g_date_time_get_day_of_month (now),
                  g_date_time_get_month (now), g_date_time_get_year (now));
}

static void
date_of (GDateTime *dt,
         GDate     *out)
{
  g_date_clear (out, 1);
  if (dt == NULL)
    today_local (out);
  else
    g_date_set_dmy (out, g_date_time_get_day_of_month (dt),
                    g_date_time_get_month (dt), g_date_time_get_year (dt));
}

gboolean
jz_person_is_minor_on (const JzPersonFacts *facts,
                       const GDate         *on)
{
  GDate today;
  int age;

  g_return_val_if_fail (facts != NULL, FALSE);

  if (facts->minor)
    return TRUE;
  if (on == NULL)
    {
      today_local (&today);
      on = &today;
    }
  age = jz_birth_age_at (&facts->birth, on);
  return age >= 0 && age < JZ_ADULT_AGE;
}

gboolean
jz_person_is_under_16_on (const JzPersonFacts *facts,
                          const GDate         *on)
{
  GDate today;
  int age;

  g_return_val_if_fail (facts != NULL, FALSE);

  if (on == NULL)
    {
      today_local (&today);
      on = &today;
    }
  age = jz_birth_age_at (&facts->birth, on);
  if (age >= 0)
    return age < JZ_SELF_DEPARTURE_MIN_AGE;
  return facts->minor;
}

void
jz_departure_init (JzDeparture     *departure,
                   JzDepartureMode  mode)
{
  memset (departure, 0, sizeof *departure);
  departure->mode = mode;
}

const char *
jz_episode_status_to_string (JzEpisodeStatus status)
{
  g_return_val_if_fail ((guint) status < JZ_EPISODE_N_STATUSES, NULL);
  return statuses[status].id;
}

gboolean
jz_episode_status_from_string (const char      *text,
                               JzEpisodeStatus *out)
{
  for (guint i = 0; text != NULL && i < JZ_EPISODE_N_STATUSES; i++)
    if (g_str_equal (text, statuses[i].id))
      {
        *out = (JzEpisodeStatus) i;
        return TRUE;
      }
  return FALSE;
}

const char *
jz_episode_status_get_label (JzEpisodeStatus status)
{
  g_return_val_if_fail ((guint) status < JZ_EPISODE_N_STATUSES, NULL);
  return statuses[status].label;
}

gboolean
jz_episode_status_is_closed (JzEpisodeStatus status)
{
  return status == JZ_EPISODE_STATUS_REFUSED || status == JZ_EPISODE_STATUS_DEPARTED;
}

gboolean
jz_episode_status_is_in_station (JzEpisodeStatus status)
{
  return status == JZ_EPISODE_STATUS_ADMITTED;
}

const char *
jz_departure_mode_to_string (JzDepartureMode mode)
{
  g_return_val_if_fail ((guint) mode < JZ_DEPARTURE_N_MODES, NULL);
  return modes[mode].id;
}

gboolean
jz_departure_mode_from_string (const char      *text,
                               JzDepartureMode *out)
{
  for (guint i = 0; text != NULL && i < JZ_DEPARTURE_N_MODES; i++)
    if (g_str_equal (text, modes[i].id))
      {
        *out = (JzDepartureMode) i;
        return TRUE;
      }
  return FALSE;
}

const char *
jz_departure_mode_get_label (JzDepartureMode mode)
{
  g_return_val_if_fail ((guint) mode < JZ_DEPARTURE_N_MODES, NULL);
  return modes[mode].label;
}

const char *
jz_departure_mode_get_form_name (JzDepartureMode mode)
{
  g_return_val_if_fail ((guint) mode < JZ_DEPARTURE_N_MODES, NULL);
  return modes[mode].form;
}

gboolean
jz_departure_mode_has_cross_province (JzDepartureMode mode)
{
  return mode == JZ_DEPARTURE_ESCORTED || mode == JZ_DEPARTURE_COLLECTED;
}

gboolean
jz_departure_mode_is_unaccompanied (JzDepartureMode mode)
{
  return mode == JZ_DEPARTURE_SELF_RETURN || mode == JZ_DEPARTURE_TICKET;
}

gboolean
jz_episode_status_can_change (JzEpisodeStatus from,
                              JzEpisodeStatus to)
{
  if ((guint) from >= JZ_EPISODE_N_STATUSES || (guint) to >= JZ_EPISODE_N_STATUSES)
    return FALSE;
  return transitions[from][to];
}

guint
jz_episode_status_next (JzEpisodeStatus from,
                        JzEpisodeStatus out[JZ_EPISODE_N_STATUSES])
{
  guint n = 0;

  for (guint to = 0; to < JZ_EPISODE_N_STATUSES; to++)
    if (jz_episode_status_can_change (from, to))
      out[n++] = (JzEpisodeStatus) to;
  return n;
}

gboolean
jz_departure_mode_allowed (JzDepartureMode      mode,
                           const JzPersonFacts *person,
                           const GDate         *on,
                           GError             **error)
{
  g_return_val_if_fail ((guint) mode < JZ_DEPARTURE_N_MODES, FALSE);
  g_return_val_if_fail (person != NULL, FALSE);

  /* 细则 art. 13 and the 规程: only a person of 16 or more with no sign of
   * mental or intellectual disability may leave alone; the others are
   * collected (接领) or escorted (护送). */
  if (!jz_departure_mode_is_unaccompanied (mode))
    return TRUE;

  if (jz_person_is_under_16_on (person, on))
    {
      g_set_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_SELF_DEPARTURE,
                   /* Translators: %s is a departure mode, e.g. “Travel ticket provided”. */
                   _("A person under 16 may not leave on their own (“%s”); "
                     "record a collection by a guardian (接领) with the collector's ID, or an escort home (护送)"),
                   _(modes[mode].label));
      return FALSE;
    }
  if (person->mental_disability || person->intellectual_disability)
    {
      if (person->mental_disability)
        g_set_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_SELF_DEPARTURE,
                     /* Translators: %s is a departure mode, e.g. “Travel ticket provided”. */
                     _("A person with signs of mental disability may not leave on their own (“%s”); "
                       "record a collection by a guardian (接领) with the collector's ID, or an escort home (护送)"),
                     _(modes[mode].label));
      else
        g_set_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_SELF_DEPARTURE,
                     /* Translators: %s is a departure mode, e.g. “Travel ticket provided”. */
                     _("A person with signs of intellectual disability may not leave on their own (“%s”); "
                       "record a collection by a guardian (接领) with the collector's ID, or an escort home (护送)"),
                     _(modes[mode].label));
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_blank (const char *s)
{
  if (s == NULL)
    return TRUE;
  for (; *s; s = g_utf8_next_char (s))
    if (!g_unichar_isspace (g_utf8_get_char (s)))
      return FALSE;
  return TRUE;
}

/* A collector may show a passport or another document: only a number that
 * looks like a resident ID is checked as one. */
static gboolean
looks_like_resident_id (const char *s)
{
  gsize n = 0;

  for (; *s; s++)
    {
      if (*s == ' ')
        continue;
      if (!g_ascii_isdigit (*s) && *s != 'x' && *s != 'X')
        return FALSE;
      n++;
    }
  return n == 15 || n == 18;
}

gboolean
jz_departure_check (const JzDeparture   *departure,
                    const JzPersonFacts *person,
                    GError             **error)
{
  GDate on;

  g_return_val_if_fail (departure != NULL, FALSE);
  g_return_val_if_fail (person != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((guint) departure->mode >= JZ_DEPARTURE_N_MODES)
    {
      g_set_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_INVALID,
                   _("Choose how the person left (the departure mode)"));
      return FALSE;
    }

  date_of (departure->at, &on);
  if (!jz_departure_mode_allowed (departure->mode, person, &on, error))
    return FALSE;

  if (departure->cross_province && !jz_departure_mode_has_cross_province (departure->mode))
    {
      g_set_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_INVALID,
                   /* Translators: %s is a departure mode, e.g. “Placed”. */
                   _("“Cross-province” applies only to an escort home (护送) or a collection (接领), not to “%s”"),
                   _(modes[departure->mode].label));
      return FALSE;
    }

  if (departure->mode == JZ_DEPARTURE_COLLECTED)
    {
      if (is_blank (departure->collector_name))
        {
          g_set_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_COLLECTOR,
                       _("Type the name of the person who collects them (接领人)"));
          return FALSE;
        }
      if (is_blank (departure->collector_id_number))
        {
          g_set_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_COLLECTOR,
                       _("Type the ID number of the person who collects them, and keep a copy of the document"));
          return FALSE;
        }
      if (looks_like_resident_id (departure->collector_id_number))
        {
          g_autoptr(GError) id_error = NULL;
          JzIdCard card;

          if (!jz_idcard_parse (departure->collector_id_number, &card, &id_error))
            {
              g_set_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_COLLECTOR,
                           /* Translators: %s is the ID-number error, a whole sentence. */
                           _("The collector's ID number is not valid: %s"), id_error->message);
              return FALSE;
            }
        }
    }

  if (departure->cash_fen < 0)
    {
      g_set_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_CASH,
                   _("The cash handed out cannot be negative"));
      return FALSE;
    }
  if (departure->cash_fen > JZ_CASH_WITHOUT_REASON_MAX_FEN && is_blank (departure->cash_reason))
    {
      /* Formatted apart: xgettext cannot read G_GINT64_FORMAT in a msgid. */
      g_autofree char *amount = g_strdup_printf ("%" G_GINT64_FORMAT ".%02d",
                                                 departure->cash_fen / 100,
                                                 (int) (departure->cash_fen % 100));

      g_set_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_CASH,
                   /* Translators: %s is an amount in yuan, e.g. 25.00. */
                   _("Cash of %s yuan is more than the 20 yuan for local fares; "
                     "type the reason, and have the person sign the receipt"),
                   amount);
      return FALSE;
    }
  return TRUE;
}

gboolean
jz_episode_check_transition (JzEpisodeStatus      from,
                             JzEpisodeStatus      to,
                             const JzPersonFacts *person,
                             const JzDeparture   *departure,
                             GError             **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((guint) from >= JZ_EPISODE_N_STATUSES || (guint) to >= JZ_EPISODE_N_STATUSES)
    {
      g_set_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_INVALID,
                   _("Unknown episode status"));
      return FALSE;
    }

  if (!transitions[from][to])
    {
      g_set_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_TRANSITION,
                   /* Translators: two episode statuses (context “episode status in a
                    * sentence”) and the reason, e.g. “a departed episode is closed; …”. */
                   _("An episode cannot go from “%s” to “%s”: %s"),
                   g_dpgettext2 (GETTEXT_PACKAGE, STATUS_IN_SENTENCE, statuses[from].name),
                   g_dpgettext2 (GETTEXT_PACKAGE, STATUS_IN_SENTENCE, statuses[to].name),
                   transition_hint (from, to));
      return FALSE;
    }

  if (to != JZ_EPISODE_STATUS_DEPARTED)
    {
      if (departure != NULL)
        {
          g_set_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_INVALID,
                       _("A departure is recorded only when the episode becomes “departed”"));
          return FALSE;
        }
      return TRUE;
    }

  if (departure == NULL || person == NULL)
    {
      g_set_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_INVALID,
                   _("Record how and when the person left (the departure form)"));
      return FALSE;
    }

  if (from == JZ_EPISODE_STATUS_SCREENING &&
      departure->mode != JZ_DEPARTURE_LEFT &&
      departure->mode != JZ_DEPARTURE_DEATH &&
      departure->mode != JZ_DEPARTURE_OTHER)
    {
      g_set_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_TRANSITION,
                   /* Translators: %s is a departure mode, e.g. “Escorted home”. */
                   _("A person still in screening can only leave without notice, die or leave for another reason; "
                     "admit them first to record “%s”"),
                   (guint) departure->mode < JZ_DEPARTURE_N_MODES ? _(modes[departure->mode].label) : "?");
      return FALSE;
    }

  return jz_departure_check (departure, person, error);
}

JzAgeBand
jz_age_band_for_age (int age)
{
  if (age < 0)
    return JZ_AGE_BAND_UNKNOWN;
  if (age <= 6)
    return JZ_AGE_BAND_0_6;
  if (age <= 18)
    return JZ_AGE_BAND_7_18;
  if (age <= 59)
    return JZ_AGE_BAND_19_59;
  return JZ_AGE_BAND_60_PLUS;
}

JzAgeBand
jz_age_band_on (const JzBirth *birth,
                const GDate   *on)
{
  g_return_val_if_fail (on != NULL, JZ_AGE_BAND_UNKNOWN);
  return jz_age_band_for_age (jz_birth_age_at (birth, on));
}

const char *
jz_age_band_to_string (JzAgeBand band)
{
  g_return_val_if_fail ((guint) band < JZ_AGE_BAND_N, NULL);
  return bands[band].id;
}

gboolean
jz_age_band_from_string (const char *text,
                         JzAgeBand  *out)
{
  for (guint i = 0; text != NULL && i < JZ_AGE_BAND_N; i++)
    if (g_str_equal (text, bands[i].id))
      {
        *out = (JzAgeBand) i;
        return TRUE;
      }
  return FALSE;
}

const char *
jz_age_band_get_label (JzAgeBand band)
{
  g_return_val_if_fail ((guint) band < JZ_AGE_BAND_N, NULL);
  return bands[band].label;
}
