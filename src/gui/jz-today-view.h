/* jz-today-view.h: Today (首页)
 *
 * People in the station now, free beds by room, the deadlines due and
 * overdue with one click to the case, and the changes not yet synced.
 * Follows the store's "changed" signal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-deadlines.h"
#include "jz-store.h"

G_BEGIN_DECLS

/* Rows shown before "show all" takes over. */
#define JZ_TODAY_MAX_DUE_ROWS      12
#define JZ_TODAY_MAX_PEOPLE_ROWS   10
/* Unsynced changes are counted up to this; more shows as "100,000+". */
#define JZ_TODAY_UNSYNCED_CAP      100000

typedef enum
{
  JZ_ROOM_KIND_MEN,
  JZ_ROOM_KIND_WOMEN,
  JZ_ROOM_KIND_MINORS,
  JZ_ROOM_KIND_FAMILY,
  JZ_ROOM_N_KINDS
} JzRoomKind;

typedef struct
{
  guint free[JZ_ROOM_N_KINDS];
  guint total[JZ_ROOM_N_KINDS];
} JzTodayBeds;

/* Pure helpers (tests call them). */
gboolean    jz_room_kind_from_string     (const char        *text,
                                          JzRoomKind        *out);
const char *jz_room_kind_get_label       (JzRoomKind         kind);   /* translated */
/* Counts free and all beds by room kind from jz_store_list_bed_occupancy(). */
void        jz_today_count_beds          (GPtrArray         *occupancy,
                                          JzTodayBeds       *out);
/* "Men 3 · Women 2 · Minors 1" (free beds; kinds without beds left out). */
char       *jz_today_format_beds         (const JzTodayBeds *beds);
/* "Overdue by 3 days", "Due in 5 hours", … from @due_at and @now. */
char       *jz_today_format_when         (JzDeadlineStatus   status,
                                          gint64             due_at,
                                          gint64             now);
/* "1,234", or "100,000+" when @n reached the cap. */
char       *jz_today_format_count        (guint              n,
                                          guint              cap);

#define JZ_TYPE_TODAY_VIEW (jz_today_view_get_type ())
G_DECLARE_FINAL_TYPE (JzTodayView, jz_today_view, JZ, TODAY_VIEW, GtkWidget)

JzTodayView *jz_today_view_new              (JzStore     *store);
void         jz_today_view_set_store        (JzTodayView *self,
                                             JzStore     *store);
/* Reads everything again now (the view also does it after "changed"). */
void         jz_today_view_refresh          (JzTodayView *self);
/* What the cards show, for tests. */
guint        jz_today_view_get_in_station   (JzTodayView *self);
guint        jz_today_view_get_free_beds    (JzTodayView *self,
                                             JzRoomKind   kind);
guint        jz_today_view_get_overdue      (JzTodayView *self);
guint        jz_today_view_get_due          (JzTodayView *self);
guint        jz_today_view_get_unsynced     (JzTodayView *self);
/* The deadline rows' list (each row's "person-id" data is the case). */
GtkListBox  *jz_today_view_get_due_list     (JzTodayView *self);

G_END_DECLS
