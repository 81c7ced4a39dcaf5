/* jz-hub-store.h: the regional hub's SQLite store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

#include "jz-protocol.h"

G_BEGIN_DECLS

/* "JZHB": marks a SQLite file as a Jiuzhu hub store. */
#define JZ_HUB_STORE_APPLICATION_ID 0x4A5A4842

#define JZ_HUB_ERROR (jz_hub_error_quark ())

typedef enum
{
  JZ_HUB_ERROR_NOT_FOUND,
  JZ_HUB_ERROR_NOT_A_HUB,
  JZ_HUB_ERROR_TOO_NEW,
  JZ_HUB_ERROR_EXISTS,
  JZ_HUB_ERROR_INVALID,
  JZ_HUB_ERROR_IO,
} JzHubError;

typedef struct
{
  char     *id;
  char     *station;
  gboolean  hub_level;      /* hub staff: sees and may change every station's records */
  char     *label;
  char     *epoch;
  gint64    created_at;
  gint64    enrolled_at;    /* 0: the code has not been redeemed */
  gint64    revoked_at;     /* 0: not revoked */
  gint64    last_seen_at;
} JzHubDevice;

typedef struct
{
  gint64 accepted;
  gint64 skipped;
  gint64 losses;
  gint64 refused_seq;   /* the change a refused push was refused for */
} JzHubIngestStats;

#define JZ_TYPE_HUB_STORE (jz_hub_store_get_type ())
G_DECLARE_FINAL_TYPE (JzHubStore, jz_hub_store, JZ, HUB_STORE, GObject)

GQuark        jz_hub_error_quark            (void);

JzHubStore   *jz_hub_store_open             (const char        *path,
                                             gboolean           create,
                                             GError           **error);
sqlite3      *jz_hub_store_get_db           (JzHubStore        *self);
const char   *jz_hub_store_get_incarnation  (JzHubStore        *self);
const char   *jz_hub_store_get_path         (JzHubStore        *self);

/* Administration */
gboolean      jz_hub_store_add_station      (JzHubStore        *self,
                                             const char        *code,
                                             const char        *name,
                                             gboolean           hub_level,
                                             GError           **error);
char         *jz_hub_store_enrol_device     (JzHubStore        *self,
                                             const char        *station,
                                             const char        *label,
                                             char             **device_id,
                                             GError           **error);
gboolean      jz_hub_store_revoke_device    (JzHubStore        *self,
                                             const char        *device_id,
                                             GError           **error);
GPtrArray    *jz_hub_store_list_devices     (JzHubStore        *self,
                                             GError           **error);
char         *jz_hub_store_stats            (JzHubStore        *self,
                                             gboolean           json,
                                             GError           **error);
gboolean      jz_hub_store_check            (JzHubStore        *self,
                                             GPtrArray         *problems,
                                             GError           **error);

/* Devices */
JzHubDevice  *jz_hub_store_redeem           (JzHubStore        *self,
                                             const JzEnrolRequest *request,
                                             JzEnrolReply     **reply,
                                             GError           **error);
JzHubDevice  *jz_hub_store_authenticate     (JzHubStore        *self,
                                             const char        *token,
                                             GError           **error);
void          jz_hub_device_free            (JzHubDevice       *device);

/* Sync. Errors are in JZ_PROTOCOL_ERROR so that the server can answer
 * them as they are. */
gboolean      jz_hub_store_hello            (JzHubStore        *self,
                                             const JzHubDevice *device,
                                             const JzHelloRequest *request,
                                             JzHelloReply      *reply,
                                             GError           **error);
gboolean      jz_hub_store_push             (JzHubStore        *self,
                                             const JzHubDevice *device,
                                             JzPushRequest     *request,
                                             JzPushReply       *reply,
                                             JzHubIngestStats  *stats,
                                             gint64            *high_seq,
                                             GError           **error);
char         *jz_hub_store_pull             (JzHubStore        *self,
                                             const JzHubDevice *device,
                                             const char        *epoch,
                                             gint64             since,
                                             guint              limit,
                                             gsize             *len,
                                             GError           **error);

/* As jz_hub_store_pull(); @whole: the device's own changes in full, not
 * as stubs (a replica building its state again after a restore). */
char         *jz_hub_store_pull_full        (JzHubStore        *self,
                                             const JzHubDevice *device,
                                             const char        *epoch,
                                             gint64             since,
                                             guint              limit,
                                             gboolean           whole,
                                             gsize             *len,
                                             GError           **error);

/* Whether the change at @hub_seq closes the history @anchor names. */
gboolean      jz_hub_store_check_anchor     (JzHubStore        *self,
                                             gint64             hub_seq,
                                             const char        *anchor);

/* The current state of one record as this device may see it, in the
 * form of a pull reply with that one change. */
char         *jz_hub_store_get_record       (JzHubStore        *self,
                                             const JzHubDevice *device,
                                             const char        *entity,
                                             const char        *id,
                                             gsize             *len,
                                             GError           **error);

/* Blobs: content-addressed by their SHA-256 (lower-case hex). */
gboolean      jz_hub_store_put_blob         (JzHubStore        *self,
                                             const JzHubDevice *device,
                                             const char        *sha256,
                                             const void        *data,
                                             gsize              len,
                                             gboolean          *created,
                                             GError           **error);
GBytes       *jz_hub_store_get_blob         (JzHubStore        *self,
                                             const char        *sha256,
                                             GError           **error);

/* The regional person registry: links between records of the same person
 * at several stations. Never a merge; a decision is kept. */
char         *jz_hub_store_list_links       (JzHubStore        *self,
                                             const JzHubDevice *device,
                                             gboolean           json,
                                             GError           **error);
gboolean      jz_hub_store_decide_link      (JzHubStore        *self,
                                             const char        *person_a,
                                             const char        *person_b,
                                             const char        *decision,
                                             const char        *decided_by,
                                             GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzHubDevice, jz_hub_device_free)

G_END_DECLS
