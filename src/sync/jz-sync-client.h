/* jz-sync-client.h: the background sync, as a GObject the UI binds to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "jz-store.h"
#include "jz-sync-engine.h"

G_BEGIN_DECLS

#define JZ_TYPE_SYNC_CLIENT (jz_sync_client_get_type ())
G_DECLARE_FINAL_TYPE (JzSyncClient, jz_sync_client, JZ, SYNC_CLIENT, GObject)

/* @db_path: the profile's store; the worker thread opens its own
 * connection to it. @ui_store (optional): the UI thread's store; its
 * "changed" signal wakes the sync, and tables written by a pull are
 * announced on it ("changed") so that open views refresh. Properties
 * change and signals are emitted on the thread-default main context of
 * the caller of jz_sync_client_new(). */
JzSyncClient  *jz_sync_client_new            (const char    *db_path,
                                              JzStore       *ui_store);
void           jz_sync_client_start          (JzSyncClient  *self);
/* Cancels what is under way and joins the thread. */
void           jz_sync_client_stop           (JzSyncClient  *self);
/* "Sync now": also forgets any backoff. */
void           jz_sync_client_sync_now       (JzSyncClient  *self);
/* A local change was saved (called for ui_store's "changed"). */
void           jz_sync_client_local_change   (JzSyncClient  *self);
/* Re-read the enrolment (after jz_sync_enrol / unenrol). */
void           jz_sync_client_reload         (JzSyncClient  *self);
/* Seconds between syncs when nothing happens (default 60). */
void           jz_sync_client_set_interval   (JzSyncClient  *self,
                                              guint          seconds);

JzSyncState    jz_sync_client_get_state      (JzSyncClient  *self);
gint64         jz_sync_client_get_pending    (JzSyncClient  *self);
gint64         jz_sync_client_get_last_success (JzSyncClient *self);
const char    *jz_sync_client_get_last_error (JzSyncClient  *self);
/* The GError domain and code of last-error (notified with it), so that
 * the UI can explain it in the user's language; 0 and 0 when there is
 * none, or when it was read from the store (a previous run). */
void           jz_sync_client_get_last_error_code (JzSyncClient *self,
                                                   GQuark       *domain,
                                                   int          *code);
const char    *jz_sync_client_get_hub_url    (JzSyncClient  *self);
gboolean       jz_sync_client_get_enrolled   (JzSyncClient  *self);
guint          jz_sync_client_get_cycles     (JzSyncClient  *self);

G_END_DECLS
