/* jz-conflicts.h: sync conflicts as a person sees and decides them
 *
 * The sync keeps every value that lost a merge in the conflict table
 * (jz-sync-engine.c): local_value is the value set aside, from the station
 * that recorded the conflict (conflict.station); remote_value is the value
 * that won and is in the record, from remote_station at remote_hlc.
 * A person keeps one of the two. Keeping the value set aside writes it to
 * the record as an ordinary change; either way the conflict row is marked
 * decided. Both are writes of synced tables in one transaction, so the
 * decision reaches the hub and every other device like any edit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jz-records.h"

G_BEGIN_DECLS

typedef enum
{
  JZ_CONFLICT_KEEP_SET_ASIDE,   /* decision "kept_local": the losing value */
  JZ_CONFLICT_KEEP_CURRENT,     /* decision "took_remote": what won */
} JzConflictChoice;

/* One side of a conflict: where and when the value was written, and by
 * whom when that is known here. */
typedef struct
{
  char     *value;        /* JSON text; "null" for an empty field */
  char     *station;      /* station code, or NULL when not known */
  gint64    at;           /* Unix seconds; 0 when not known */
  char     *staff_id;     /* NULL when not known */
  char     *staff_name;   /* NULL when the staff member is not known here */
} JzConflictSide;

typedef struct
{
  JzConflict     *conflict;      /* the row as stored */
  const JzEntity *entity;        /* NULL for a table this build does not know */
  const JzField  *field;         /* NULL likewise */
  char           *record_label;  /* the person's name, the episode number …; NULL if unknown */
  gboolean        record_exists;
  JzConflictSide  set_aside;     /* local_value */
  JzConflictSide  current;       /* remote_value */
} JzConflictInfo;

void            jz_conflict_info_free          (JzConflictInfo   *info);

/* Undecided conflicts, newest first, at most @limit (0: all).
 * Returns: (element-type JzConflictInfo): a GPtrArray that frees them. */
GPtrArray      *jz_store_list_open_conflicts   (JzStore          *store,
                                                guint             limit,
                                                GError          **error);
gint64          jz_store_count_open_conflicts  (JzStore          *store);

/* Decides conflict @id in one transaction, recording the store's actor
 * as who decided. JZ_STORE_ERROR_NOT_FOUND when it does not exist or was
 * decided already (perhaps on another device). */
gboolean        jz_store_resolve_conflict      (JzStore          *store,
                                                const char       *id,
                                                JzConflictChoice  choice,
                                                GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzConflictInfo, jz_conflict_info_free)

G_END_DECLS
