/* jz-deadlines.h: the time limits of an episode, with working days
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "jz-episode-rules.h"

G_BEGIN_DECLS

/* Working days: Monday to Friday, minus public holidays, plus the
 * weekend days worked in exchange (调休). Reference counted. */
typedef struct _JzWorkCalendar JzWorkCalendar;

#define JZ_TYPE_WORK_CALENDAR (jz_work_calendar_get_type ())
GType           jz_work_calendar_get_type        (void) G_GNUC_CONST;

#define JZ_DEADLINES_ERROR (jz_deadlines_error_quark ())
GQuark jz_deadlines_error_quark (void);

typedef enum
{
  JZ_DEADLINES_ERROR_PARSE,
} JzDeadlinesError;

JzWorkCalendar *jz_work_calendar_new             (void);
JzWorkCalendar *jz_work_calendar_ref             (JzWorkCalendar  *calendar);
void            jz_work_calendar_unref           (JzWorkCalendar  *calendar);
void            jz_work_calendar_add_holiday     (JzWorkCalendar  *calendar,
                                                  const GDate     *date);
/* A Saturday or Sunday that is a working day (调休). */
void            jz_work_calendar_add_workday     (JzWorkCalendar  *calendar,
                                                  const GDate     *date);
/* Adds lines of text, one entry a line, '#' starts a comment:
 *   2025-10-01..2025-10-08 holiday
 *   2025-09-28 workday
 * A date alone means "holiday". Nothing is added if any line is wrong;
 * the error names the line. */
gboolean        jz_work_calendar_load_text       (JzWorkCalendar  *calendar,
                                                  const char      *text,
                                                  GError         **error);
gboolean        jz_work_calendar_is_working_day  (JzWorkCalendar  *calendar,
                                                  const GDate     *date);
/* Moves @date to the @n-th working day after it (the day itself never
 * counts, as in 民法典 art. 201). @calendar may be NULL: weekends only. */
void            jz_work_calendar_add_working_days (JzWorkCalendar *calendar,
                                                   GDate          *date,
                                                   guint           n);

typedef enum
{
  JZ_DEADLINE_STAY_LIMIT,      /* "stay_limit": 10 days (细则 art. 12), moved by extensions */
  JZ_DEADLINE_TRACING_NOTICE,  /* "tracing_notice": 寻亲公告 within 24 h, unidentified */
  JZ_DEADLINE_DNA_REQUEST,     /* "dna_request": ask police for DNA within 7 working days */
  JZ_DEADLINE_DNA_RESULT,      /* "dna_result": result within 1 month of the request */
  JZ_DEADLINE_LONG_STAY,       /* "long_stay": prompt, > 10 days unidentified (托养 etc.) */
  JZ_DEADLINE_SETTLEMENT,      /* "settlement": prompt, > 3 months unidentified (落户安置) */
  JZ_DEADLINE_FOLLOW_UP,       /* "follow_up": 回访 N months after departure */
  JZ_DEADLINE_N_KINDS
} JzDeadlineKind;

/* No deadline is shown as due more than this many days before its date. */
#define JZ_DEADLINE_MAX_WARNING_DAYS 7
/* A follow-up after departure is due this many days before its date. */
#define JZ_DEADLINE_FOLLOW_UP_WARNING_DAYS 7

typedef enum
{
  JZ_DEADLINE_UPCOMING,        /* "upcoming" */
  JZ_DEADLINE_DUE,             /* "due": inside its warning window, or a prompt that applies */
  JZ_DEADLINE_OVERDUE,         /* "overdue": past and not done */
  JZ_DEADLINE_DONE,            /* "done": done, or no longer needed (departed, identified) */
} JzDeadlineStatus;

typedef struct
{
  JzDeadlineKind    kind;
  GDateTime        *due_at;      /* Asia/Shanghai; limits end at 23:59:59 of their last day */
  JzDeadlineStatus  status;
  const char       *label;       /* English, N_() marked: translate with _() */
  guint             months;      /* FOLLOW_UP: months after departure; else 0 */
  GDateTime        *done_at;     /* DONE: when (may be NULL) */
  gboolean          late;        /* DONE after due_at (for the monthly "overdue" count) */
  gboolean          prompt;      /* due from due_at on and never overdue (long stay, settlement) */
  gint64            warn_at;     /* Unix seconds from which it is DUE when not done */
} JzDeadline;

void            jz_deadline_free                 (JzDeadline      *deadline);
const char     *jz_deadline_kind_to_string       (JzDeadlineKind   kind);
gboolean        jz_deadline_kind_from_string     (const char      *text,
                                                  JzDeadlineKind  *out);
const char     *jz_deadline_kind_get_label       (JzDeadlineKind   kind);
const char     *jz_deadline_status_to_string     (JzDeadlineStatus status);

/* Settings that are the station's choice. */
typedef struct
{
  JzWorkCalendar *calendar;            /* NULL: weekends only */
  const guint    *follow_up_months;    /* NULL: 1, 3, 6, 12 */
  guint           n_follow_up_months;
  gboolean        follow_up_adults;    /* minors always get follow-ups */
} JzDeadlineConfig;

void            jz_deadline_config_init          (JzDeadlineConfig *config);

/* What is known about one episode. GDateTimes may be NULL ("not yet"). */
typedef struct
{
  GDateTime       *admitted_at;           /* required */
  JzPersonFacts    person;
  gboolean         identified;            /* identity known (verified or found by tracing) */
  GDateTime       *identified_at;         /* when it became known; NULL with identified = from the start */
  GDateTime       *notice_published_at;   /* 寻亲公告 */
  GDateTime       *dna_requested_at;
  GDateTime       *dna_result_at;
  GDateTime       *stay_extended_until;   /* the latest filed extension's new limit */
  GDateTime       *settled_at;            /* 落户安置 done */
  GDateTime       *departed_at;
  JzDepartureMode  departure_mode;        /* when departed_at is set */
  GDateTime      **follow_ups_done;       /* when each follow-up was made */
  guint            n_follow_ups_done;
} JzDeadlineSubject;

void            jz_deadline_subject_init         (JzDeadlineSubject *subject);

/* The episode's deadlines as of @now, sorted by due_at: a GPtrArray of
 * JzDeadline (owned). Kinds that do not apply (an identified person has
 * no tracing notice; a person with a mental or intellectual disability or
 * under 16 has no stay limit) are left out. */
GPtrArray      *jz_deadlines_compute             (const JzDeadlineSubject *subject,
                                                  const JzDeadlineConfig  *config,
                                                  GDateTime               *now);

/* The time zone of every deadline (Asia/Shanghai, or +08:00 when the
 * system has no tzdata). */
GTimeZone      *jz_deadlines_time_zone           (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzWorkCalendar, jz_work_calendar_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzDeadline, jz_deadline_free)

G_END_DECLS
