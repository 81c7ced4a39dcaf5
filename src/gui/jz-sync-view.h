/* jz-sync-view.h: the "Hub & sync" area of the main window
 *
 * The sync's state, what waits to be sent, the recent sync runs, and the
 * Conflicts list where a person keeps one of two values. Without an
 * enrolment it explains how to enrol (app.hub-preferences).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-store.h"
#include "jz-sync-client.h"

G_BEGIN_DECLS

#define JZ_TYPE_SYNC_VIEW (jz_sync_view_get_type ())
G_DECLARE_FINAL_TYPE (JzSyncView, jz_sync_view, JZ, SYNC_VIEW, GtkWidget)

JzSyncView   *jz_sync_view_new            (JzStore      *store,
                                           JzSyncClient *client);
void          jz_sync_view_set_store      (JzSyncView   *self,
                                           JzStore      *store);
void          jz_sync_view_set_client     (JzSyncView   *self,
                                           JzSyncClient *client);
/* The undecided conflicts shown (for tests). */
guint         jz_sync_view_get_n_conflicts (JzSyncView  *self);
/* The card of conflict @id, whose buttons are named "keep-set-aside" and
 * "keep-current" (for tests); NULL when not shown. */
GtkWidget    *jz_sync_view_get_conflict_card (JzSyncView *self,
                                              const char *id);
/* The number of sync runs listed under Recent Sync Runs. */
guint         jz_sync_view_get_n_history  (JzSyncView   *self);

G_END_DECLS
