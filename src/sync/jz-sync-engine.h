/* jz-sync-engine.h: one sync session with the hub (enrol, hello, push,
 * pull and apply), synchronous, on a connection of its own
 *
 * The engine is used by one thread at a time: JzSyncClient's worker
 * thread in the application, or `jiuzhu-cli sync --once` directly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "jz-protocol.h"
#include "jz-store.h"

G_BEGIN_DECLS

#define JZ_SYNC_ERROR (jz_sync_error_quark ())

typedef enum
{
  JZ_SYNC_ERROR_NOT_ENROLLED,
  JZ_SYNC_ERROR_NETWORK,     /* the hub cannot be reached: offline */
  JZ_SYNC_ERROR_PIN,         /* the hub's certificate is not the pinned one */
  JZ_SYNC_ERROR_OUTBOX,      /* the local outbox cannot continue the stream */
  JZ_SYNC_ERROR_STORE,
  JZ_SYNC_ERROR_DEMO,        /* a store of made-up people never syncs */
} JzSyncError;

typedef enum
{
  JZ_SYNC_STATE_NOT_ENROLLED,
  JZ_SYNC_STATE_OFFLINE,
  JZ_SYNC_STATE_SYNCING,
  JZ_SYNC_STATE_UP_TO_DATE,
  JZ_SYNC_STATE_ERROR,
} JzSyncState;

typedef struct
{
  gint64 pushed;          /* changes the hub accepted */
  gint64 push_requests;
  gint64 pulled;          /* changes received (stubs included) */
  gint64 applied;         /* changes written to the store */
  gint64 skipped;         /* changes that could not be applied here */
  gint64 conflicts;       /* losing values recorded */
  gint64 body_bytes_sent; /* request bodies as sent (gzip) */
  gint64 wire_bytes_sent; /* request headers and bodies */
  gint64 wire_bytes_received;
  gint64 push_us;         /* time spent pushing */
  gint64 pull_us;         /* time spent pulling and applying */
  GHashTable *tables;     /* tables written by pulls (interned names) */
} JzSyncStats;

/* What `sync-status` and the application show, read from the store. */
typedef struct
{
  gboolean  enrolled;
  char     *hub_url;
  char     *device;
  char     *level;
  char     *pin;
  gint64    pending;
  gint64    cursor;
  gint64    last_success;   /* Unix seconds, 0: never */
  gint64    last_attempt;
  char     *last_error;     /* NULL when the last attempt succeeded */
} JzSyncStatus;

typedef struct _JzSyncEngine JzSyncEngine;

GQuark         jz_sync_error_quark          (void);

const char    *jz_sync_state_to_string      (JzSyncState      state);
GType          jz_sync_state_get_type       (void);
#define JZ_TYPE_SYNC_STATE (jz_sync_state_get_type ())

/* Enrolment stores the hub's URL, the device id, its token and (for
 * https) the pin of the hub's certificate in the store's sync_state.
 * Without @pin an https hub's pin is taken on first use and returned in
 * @pin_out, to be compared with what the hub's staff read out. */
gboolean       jz_sync_enrol                (JzStore         *store,
                                             const char      *url,
                                             const char      *code,
                                             const char      *pin,
                                             char           **pin_out,
                                             GError         **error);
gboolean       jz_sync_unenrol              (JzStore         *store,
                                             GError         **error);
gboolean       jz_sync_read_status          (JzStore         *store,
                                             JzSyncStatus    *status);
void           jz_sync_status_clear         (JzSyncStatus    *status);

/* 提级办理 / 转送 on a hub workstation: moves @id of @entity (an episode,
 * and at the hub what hangs off it) to station @to. Queued like any
 * change; the hub commits it. */
gboolean       jz_sync_transfer             (JzStore         *store,
                                             const char      *entity,
                                             const char      *id,
                                             const char      *to,
                                             GError         **error);

void           jz_sync_stats_init           (JzSyncStats     *stats);
void           jz_sync_stats_clear          (JzSyncStats     *stats);

JzSyncEngine  *jz_sync_engine_new           (JzStore         *store,
                                             GError         **error);
void           jz_sync_engine_free          (JzSyncEngine    *self);
/* Reads the enrolment again (after enrol/unenrol on another connection). */
gboolean       jz_sync_engine_reload        (JzSyncEngine    *self,
                                             GError         **error);
gboolean       jz_sync_engine_is_enrolled   (JzSyncEngine    *self);
const char    *jz_sync_engine_get_hub_url   (JzSyncEngine    *self);
/* hello, push everything pending, pull everything new. */
gboolean       jz_sync_engine_run_once      (JzSyncEngine    *self,
                                             GCancellable    *cancellable,
                                             JzSyncStats     *stats,
                                             GError         **error);
/* Only the push (used when a local change should reach the hub fast). */
gboolean       jz_sync_engine_push          (JzSyncEngine    *self,
                                             GCancellable    *cancellable,
                                             JzSyncStats     *stats,
                                             GError         **error);
gint64         jz_sync_engine_count_pending (JzSyncEngine    *self);
void           jz_sync_engine_record_result (JzSyncEngine    *self,
                                             const GError    *error);

/* Blobs (content-addressed). */
gboolean       jz_sync_engine_put_blob      (JzSyncEngine    *self,
                                             GBytes          *data,
                                             char           **sha256,
                                             GCancellable    *cancellable,
                                             GError         **error);
GBytes        *jz_sync_engine_get_blob      (JzSyncEngine    *self,
                                             const char      *sha256,
                                             GCancellable    *cancellable,
                                             GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzSyncEngine, jz_sync_engine_free)

G_END_DECLS
