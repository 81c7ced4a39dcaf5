/* jz-followup-rate.h: the one-year follow-up rate, and the follow-up reads
 *
 * The seed plan asks for a one-year follow-up rate of at least 50 % of
 * the people sent home, and 100 % of the minors (DOMAIN.md, 回访). The
 * rate is computed by a pure function from one subject per departure, so
 * the figures can be checked without a store; the reads below feed it and
 * the follow-ups view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jz-actions.h"

G_BEGIN_DECLS

/* Targets in per cent. */
#define JZ_FOLLOWUP_RATE_TARGET         50
#define JZ_FOLLOWUP_RATE_TARGET_MINORS  100
/* The first follow-up is due a month after departure: people who left
 * more recently and are not followed up yet are not counted as missed. */
#define JZ_FOLLOWUP_RATE_GRACE_DAYS     30

/* One person sent home. */
typedef struct
{
  gint64   departed_at;      /* Unix seconds */
  gboolean minor;            /* a minor on the day of departure */
  gint64   first_done_at;    /* the first follow-up made after departure; 0: none */
} JzFollowupRateSubject;

typedef struct
{
  guint    counted;          /* people whose follow-up was due in the year */
  guint    followed_up;      /* of them, followed up within a year of leaving */
  /* followed_up * 100 / counted, rounded down so that 99.6 % never shows
   * as a met 100 % target; -1 when nobody is counted. */
  int      percent;
  gboolean meets_target;     /* TRUE when nobody is counted: nothing was missed */
} JzFollowupRateFigure;

typedef struct
{
  JzFollowupRateFigure all;
  JzFollowupRateFigure minors;
} JzFollowupRate;

/* The rate over the departures in the year before @now (Unix seconds):
 * a person counts once their first follow-up is due (@grace_days after
 * leaving) or once they were followed up, whichever is first; a
 * follow-up counts when it was made within 365 days of leaving and not
 * after @now. Pure. */
void        jz_followup_rate_compute      (const JzFollowupRateSubject *subjects,
                                           guint                        n_subjects,
                                           gint64                       now,
                                           guint                        grace_days,
                                           JzFollowupRate              *out);

/* Departure modes that send a person home, the ones the rate counts:
 * ticket, self_return, escorted, collected. */
gboolean    jz_followup_rate_counts_mode  (JzDepartureMode              mode);

/* The subjects for jz_followup_rate_compute() from the store: departures
 * home since @now minus 365 days. Returns a GArray of
 * JzFollowupRateSubject, or NULL with @error. */
GArray     *jz_store_followup_rate_subjects (JzStore                   *store,
                                             gint64                     now,
                                             GError                   **error);

/* A follow-up not yet made, with what the list shows about it. */
typedef struct
{
  char       *person_id;
  char       *episode_id;    /* NULL: a follow-up of the person, not of a stay */
  char       *followup_id;   /* the scheduled follow-up it answers, or NULL */
  gint64      due_at;        /* Unix seconds */
  guint       months;        /* months after departure; 0: scheduled by hand */
  char       *person_name;   /* display name (无名氏N for the unnamed) */
  char       *episode_number;
  gint64      departed_at;   /* 0 when the episode has no departure */
  char       *mode;          /* departure mode id, or NULL */
  gboolean    minor;         /* minor at departure (at the due date without one) */
} JzPendingFollowup;

void        jz_pending_followup_free      (JzPendingFollowup           *pending);

/* The follow-ups not yet made that fall due between @from and @until
 * (Unix seconds, both included), earliest first: those the deadline
 * rules give after a departure (the ones the Today view lists; see
 * jz-due.h), each with the scheduled follow-up record of the same date
 * when there is one, and the scheduled records the rules do not give
 * (a date set by hand, a stay not departed). At most @limit (0: all);
 * @n_total (may be NULL): how many there are in all. @from must not be
 * more than a year before now (the rules' window). Returns a GPtrArray
 * of JzPendingFollowup, or NULL with @error. */
GPtrArray  *jz_store_list_pending_followups (JzStore                   *store,
                                             gint64                     from,
                                             gint64                     until,
                                             guint                      limit,
                                             guint                     *n_total,
                                             GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzPendingFollowup, jz_pending_followup_free)

G_END_DECLS
