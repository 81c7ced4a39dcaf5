/* jz-episode-rules.h: episode status machine, departure rules, age bands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "jz-idcard.h"

G_BEGIN_DECLS

#define JZ_EPISODE_RULES_ERROR (jz_episode_rules_error_quark ())
GQuark jz_episode_rules_error_quark (void);

typedef enum
{
  JZ_EPISODE_RULES_ERROR_TRANSITION,        /* not a legal status change */
  JZ_EPISODE_RULES_ERROR_SELF_DEPARTURE,    /* under 16 or mental/intellectual disability */
  JZ_EPISODE_RULES_ERROR_COLLECTOR,         /* collector's name or ID missing or invalid */
  JZ_EPISODE_RULES_ERROR_CASH,              /* cash over 20 yuan without a reason, or negative */
  JZ_EPISODE_RULES_ERROR_INVALID,           /* other inconsistent input */
} JzEpisodeRulesError;

/* Status of an episode (救助记录). Stable ids in parentheses. */
typedef enum
{
  JZ_EPISODE_STATUS_SCREENING,   /* "screening": received, being screened (接待/甄别) */
  JZ_EPISODE_STATUS_ADMITTED,    /* "admitted": in the station */
  JZ_EPISODE_STATUS_REFUSED,     /* "refused": not eligible (不予救助), closed */
  JZ_EPISODE_STATUS_HOSPITAL,    /* "hospital": sent to hospital (先救治后救助) */
  JZ_EPISODE_STATUS_POLICE,      /* "police": handed to the police (drunk, drugs, suspected crime) */
  JZ_EPISODE_STATUS_DEPARTED,    /* "departed": left the station (离站), closed */
  JZ_EPISODE_N_STATUSES
} JzEpisodeStatus;

/* Departure modes of the national monthly form. 滞站 ("still staying")
 * is not a departure: it is an episode that is still admitted. */
typedef enum
{
  JZ_DEPARTURE_PLACED,          /* "placed"        安置 */
  JZ_DEPARTURE_TICKET,          /* "ticket"        提供乘车凭证 */
  JZ_DEPARTURE_SELF_RETURN,     /* "self_return"   自行返乡 */
  JZ_DEPARTURE_HELP_ENDED,      /* "help_ended"    终止救助 */
  JZ_DEPARTURE_LEFT,            /* "left"          擅自离站 */
  JZ_DEPARTURE_ESCORTED,        /* "escorted"      护送返乡 (cross-province flag) */
  JZ_DEPARTURE_COLLECTED,       /* "collected"     接领返乡 (cross-province flag) */
  JZ_DEPARTURE_DEATH,           /* "death"         死亡 */
  JZ_DEPARTURE_OTHER,           /* "other"         其他 */
  JZ_DEPARTURE_N_MODES
} JzDepartureMode;

/* Monthly-form age bands: ≤6 / 7–18 / 19–59 / ≥60. */
typedef enum
{
  JZ_AGE_BAND_UNKNOWN,          /* "unknown" */
  JZ_AGE_BAND_0_6,              /* "0-6" */
  JZ_AGE_BAND_7_18,             /* "7-18" */
  JZ_AGE_BAND_19_59,            /* "19-59" */
  JZ_AGE_BAND_60_PLUS,          /* "60+" */
  JZ_AGE_BAND_N
} JzAgeBand;

/* Cash handed out at departure above this (20 yuan) needs a reason. */
#define JZ_CASH_WITHOUT_REASON_MAX_FEN 2000
/* Below this age a person may not leave on their own. */
#define JZ_SELF_DEPARTURE_MIN_AGE 16
#define JZ_ADULT_AGE 18

/* What the rules need to know about the person. */
typedef struct
{
  JzBirth  birth;
  gboolean mental_disability;        /* 精神障碍, or signs of it */
  gboolean intellectual_disability;  /* 智力障碍, or signs of it */
  gboolean minor;                    /* known to be a minor when the age is not */
} JzPersonFacts;

void     jz_person_facts_init        (JzPersonFacts       *facts);
/* Minor (< 18) on @on: by age, or by the minor flag when the age is unknown
 * (the flag also wins when set: staff saw a child). */
gboolean jz_person_is_minor_on       (const JzPersonFacts *facts,
                                      const GDate         *on);
/* Under 16 on @on, by the same logic: an unknown age with the minor flag
 * counts as under 16, since nobody knows better. */
gboolean jz_person_is_under_16_on    (const JzPersonFacts *facts,
                                      const GDate         *on);

/* A departure as the user records it. Strings may be NULL. */
typedef struct
{
  JzDepartureMode  mode;
  GDateTime       *at;                    /* when; NULL = now */
  gboolean         cross_province;        /* only for escorted / collected */
  const char      *collector_name;        /* collected: required */
  const char      *collector_id_number;   /* collected: required (resident ID checked if it is one) */
  gint64           cash_fen;              /* cash handed out, in fen */
  const char      *cash_reason;           /* required above 20 yuan */
} JzDeparture;

void     jz_departure_init           (JzDeparture         *departure,
                                      JzDepartureMode      mode);

const char *jz_episode_status_to_string   (JzEpisodeStatus  status);
gboolean    jz_episode_status_from_string (const char      *text,
                                           JzEpisodeStatus *out);
const char *jz_episode_status_get_label   (JzEpisodeStatus  status);  /* N_() English */
gboolean    jz_episode_status_is_closed   (JzEpisodeStatus  status);
gboolean    jz_episode_status_is_in_station (JzEpisodeStatus status);

const char *jz_departure_mode_to_string   (JzDepartureMode  mode);
gboolean    jz_departure_mode_from_string (const char      *text,
                                           JzDepartureMode *out);
const char *jz_departure_mode_get_label   (JzDepartureMode  mode);    /* N_() English */
/* The column name of the national monthly form (Chinese, not translated). */
const char *jz_departure_mode_get_form_name (JzDepartureMode mode);
gboolean    jz_departure_mode_has_cross_province (JzDepartureMode mode);
/* The person travels alone: 自行返乡 and 提供乘车凭证. */
gboolean    jz_departure_mode_is_unaccompanied   (JzDepartureMode mode);

/* Whether @from → @to is in the status machine at all (for menus). */
gboolean    jz_episode_status_can_change  (JzEpisodeStatus  from,
                                           JzEpisodeStatus  to);
/* The statuses reachable from @from, in menu order; returns the count. */
guint       jz_episode_status_next        (JzEpisodeStatus  from,
                                           JzEpisodeStatus  out[JZ_EPISODE_N_STATUSES]);

/* Whether @mode may be chosen for this person on @on (NULL = today): FALSE
 * with a reason for self-departure of under-16s and people with mental or
 * intellectual disability. Lets a form disable the choice in advance. */
gboolean    jz_departure_mode_allowed     (JzDepartureMode      mode,
                                           const JzPersonFacts *person,
                                           const GDate         *on,
                                           GError             **error);
/* All departure rules: mode allowed for the person, collector for 接领,
 * cash reason above 20 yuan, cross-province only where it applies. */
gboolean    jz_departure_check            (const JzDeparture   *departure,
                                           const JzPersonFacts *person,
                                           GError             **error);
/* A status change: legal in the machine, and for → departed, @departure
 * must be given and pass jz_departure_check(); from screening only
 * "left", "death" and "other" are possible (the person never stayed). */
gboolean    jz_episode_check_transition   (JzEpisodeStatus      from,
                                           JzEpisodeStatus      to,
                                           const JzPersonFacts *person,
                                           const JzDeparture   *departure,
                                           GError             **error);

JzAgeBand   jz_age_band_for_age           (int                  age);
/* The band of the best-guess age on @on (see jz_birth_age_at). */
JzAgeBand   jz_age_band_on                (const JzBirth       *birth,
                                           const GDate         *on);
const char *jz_age_band_to_string         (JzAgeBand            band);
gboolean    jz_age_band_from_string       (const char          *text,
                                           JzAgeBand           *out);
const char *jz_age_band_get_label         (JzAgeBand            band);    /* N_() English */

G_END_DECLS
