/* jz-due.h: what is due and overdue across the station (the Today view,
 * `jiuzhu-cli due`)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jz-deadlines.h"
#include "jz-records.h"

G_BEGIN_DECLS

/* Overdue follow-ups stay on the list this long after their date; older
 * ones are missed, and counted by the follow-up rate (jz-followup-rate.h). */
#define JZ_DUE_FOLLOW_UP_LOOKBACK_DAYS 30

/* One deadline due or overdue, with the episode it belongs to. The item
 * and its strings are one allocation: read them, never free or replace
 * them. */
typedef struct
{
  JzDeadlineKind    kind;
  JzDeadlineStatus  status;          /* JZ_DEADLINE_DUE or JZ_DEADLINE_OVERDUE */
  gint64            due_at;          /* Unix seconds */
  guint             months;          /* FOLLOW_UP: months after departure */
  const char       *label;           /* English, N_() marked: translate with _() */
  char             *episode_id;
  char             *episode_number;
  char             *episode_status;
  char             *person_id;
  char             *person_name;     /* display name (无名氏N for the unnamed) */
  char             *assigned_to;     /* staff id, or NULL */
  gint64            admitted_at;
  gint64            departed_at;     /* 0: still here */
} JzDueItem;

void        jz_due_item_free              (JzDueItem              *item);

/* The deadlines due or overdue at @now (Unix seconds; 0 = now): those of
 * every open episode (screening, admitted, hospital, police), and the
 * follow-ups after departure whose date is within their warning window or
 * passed less than JZ_DUE_FOLLOW_UP_LOOKBACK_DAYS ago. Overdue first,
 * oldest first, then due, soonest first. @config NULL: the defaults with
 * the store's holiday table (jz_store_load_work_calendar()).
 * Returns: (element-type JzDueItem): a GPtrArray that frees its items. */
GPtrArray  *jz_store_list_due             (JzStore                *store,
                                           gint64                  now,
                                           const JzDeadlineConfig *config,
                                           GError                **error);

typedef struct
{
  gint64                  now;                 /* Unix seconds; 0 = now */
  const JzDeadlineConfig *config;              /* NULL: defaults + holiday table */
  gboolean                follow_ups;          /* list follow-ups after departure */
  guint                   follow_up_lookback_days;
  gboolean                afresh;              /* compute from the records, not the cache (check, tests) */
  gboolean                follow_ups_only;     /* only the follow-ups (the follow-ups area) */
} JzDueOptions;

/* now 0, config NULL, follow-ups on, lookback JZ_DUE_FOLLOW_UP_LOOKBACK_DAYS. */
void        jz_due_options_init           (JzDueOptions           *options);

/* jz_store_list_due() with options: without follow-ups it reads only the
 * open episodes (for a first section that must show at once). */
GPtrArray  *jz_store_list_due_with        (JzStore                *store,
                                           const JzDueOptions     *options,
                                           GError                **error);

/* The first @limit items of jz_store_list_due_with()'s list (0: all of
 * them), and how many deadlines the whole list holds overdue and due
 * (either may be NULL): what a summary such as Today shows, without
 * making tens of thousands of items. */
GPtrArray  *jz_store_list_due_first       (JzStore                *store,
                                           const JzDueOptions     *options,
                                           guint                   limit,
                                           guint                  *n_overdue,
                                           guint                  *n_due,
                                           GError                **error);

/* Brings the kept deadlines (migration 0007) up to date with the records:
 * recomputes the episodes the transaction's writes marked, or everything
 * when the cache is not built or the holiday table changed. JzStore calls
 * it inside every write transaction just before COMMIT. */
gboolean    jz_due_cache_flush            (JzStore                *store,
                                           GError                **error);

/* The working-day calendar from the store's holiday table. */
JzWorkCalendar *jz_store_load_work_calendar (JzStore              *store,
                                             GError              **error);

/* Every deadline of one episode as of @now (Unix seconds; 0 = now), in
 * every status, from the same facts and rules as the due list (the case
 * page, the tracing area). @calendar: the store's holiday table, or NULL
 * to read it. An episode without an admission has none.
 * Returns: (element-type JzDeadline): or NULL with
 * JZ_STORE_ERROR_NOT_FOUND when there is no such episode. */
GPtrArray  *jz_store_get_episode_deadlines (JzStore               *store,
                                            const char            *episode_id,
                                            JzWorkCalendar        *calendar,
                                            gint64                 now,
                                            GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzDueItem, jz_due_item_free)

G_END_DECLS
