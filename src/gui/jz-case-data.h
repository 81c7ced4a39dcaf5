/* jz-case-data.h: what the case page shows, read in one go, and how it
 * is put into words
 *
 * The reads are a handful of indexed queries (the person, their
 * episodes, the open episode's deadline facts and its audit entries), so
 * a case opens in milliseconds on a store of a million people. The
 * formatting functions are pure, for tests without a display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jz-deadlines.h"
#include "jz-records.h"

G_BEGIN_DECLS

/* Audit entries shown in a timeline at most. */
#define JZ_CASE_TIMELINE_MAX 200

/* One change to the episode or a record that belongs to it (全程留痕). */
typedef struct
{
  gint64  seq;
  gint64  at;              /* Unix seconds */
  char   *actor_id;        /* staff id, or NULL (the system) */
  char   *actor_name;      /* the staff member's name when known here */
  gboolean from_sync;      /* pulled from the hub (made on another device) */
  char   *entity;          /* table */
  char   *entity_id;
  char   *op;              /* insert | update | delete */
  char   *fields_json;     /* as in the audit log */
} JzTimelineEntry;

void        jz_timeline_entry_free      (JzTimelineEntry   *entry);

typedef struct
{
  JzPerson   *person;
  GPtrArray  *episodes;     /* JzEpisode, newest admission first */
  JzEpisode  *open;         /* the open episode (screening, admitted, hospital, police), or NULL */
  GPtrArray  *deadlines;    /* JzDeadline of @open (or of the latest departed episode), by due date */
  GPtrArray  *timeline;     /* JzTimelineEntry of @open (or the latest episode), newest first */
  char       *bed_label;    /* "男宿舍一 3" of @open's bed, or NULL */
  char       *bed_room_kind;
} JzCaseData;

void        jz_case_data_free           (JzCaseData        *data);
/* Everything about @person_id as of @now (Unix seconds; 0 = now). NULL
 * with JZ_STORE_ERROR_NOT_FOUND when there is no such person. */
JzCaseData *jz_case_data_load           (JzStore           *store,
                                         const char        *person_id,
                                         gint64             now,
                                         GError           **error);

/* The index in @deadlines of the next step to take: the first overdue,
 * else the first due, else the first upcoming; -1 when none. */
int         jz_case_next_deadline       (GPtrArray         *deadlines);
/* "in 3 days", "in 5 hours", "2 days ago", "done" … for a deadline row. */
char       *jz_case_format_countdown    (const JzDeadline  *deadline,
                                         gint64             now);

/* What a timeline entry says, in the UI language: "Service recorded:
 * meal × 1", "Bed assigned", "Tracing step: notice published". Pure. */
char       *jz_timeline_describe        (const JzTimelineEntry *entry);
/* "王芳", "System" or "From the hub (王芳)". Pure. */
char       *jz_timeline_who             (const JzTimelineEntry *entry);
/* "2026-03-05 14:30", Beijing time. Pure. */
char       *jz_case_format_time         (gint64             unix_time);

/* Whether a person may sleep in a room of @room_kind: rooms are
 * separated by sex (381 art. 8) and minors are kept apart from adults.
 * FALSE with a translated message saying which room to choose. Pure. */
gboolean    jz_bed_check_room           (const char        *room_kind,
                                         const char        *room_name,
                                         const char        *sex,
                                         gboolean           minor,
                                         char             **message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzCaseData, jz_case_data_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzTimelineEntry, jz_timeline_entry_free)

G_END_DECLS
