/* jz-audit.h: the SQL functions behind change capture, and the audit log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* SHA-256; an entry stores the first JZ_AUDIT_STORED_HASH_LEN bytes
 * (entries written before schema 12 the whole of it). */
#define JZ_AUDIT_HASH_LEN 32
#define JZ_AUDIT_STORED_HASH_LEN 16

/* audit_log.op */
typedef enum
{
  JZ_AUDIT_OP_INSERT = 1,
  JZ_AUDIT_OP_UPDATE = 2,
  JZ_AUDIT_OP_DELETE = 3,
} JzAuditOp;

/* Per-connection state read by the triggers. Owned by the JzStore that
 * owns the connection; it must outlive the connection's statements. */
typedef struct
{
  gboolean  applying;  /* the sync is applying pulled changes */
  char     *actor;     /* staff id of the person working, or NULL */
  gint64    device;    /* audit_device.n of this store's epoch */
  gpointer  packer;    /* deflate state, made on first use */
  gpointer  prev;      /* sqlite3_stmt reading the newest entry's hash */
} JzAuditState;

void     jz_audit_state_clear        (JzAuditState  *state);

/* Registers jz_applying(), jz_actor(), jz_device(), jz_now(), jz_row(),
 * jz_changed(), jz_audit_prev(), jz_audit_hash(), jz_audit_pack(),
 * jz_audit_json(), jz_uuid_pack() and jz_uuid_text() on @db. */
gboolean jz_audit_register_functions (sqlite3       *db,
                                      JzAuditState  *state,
                                      GError       **error);

/* The audit_device number of @epoch, adding it the first time. */
gboolean jz_audit_ensure_device      (sqlite3       *db,
                                      const char    *epoch,
                                      gint64        *device,
                                      GError       **error);

/* The JSON text of a stored fields_json value; NULL if it is damaged. */
char    *jz_audit_unpack             (gconstpointer  data,
                                      gsize          len);

/* The number of @name in audit_log.entity (audit_table), 0 if none. */
guint    jz_audit_table_number       (const char    *name);

/* "insert", "update", "delete" for a JzAuditOp, else NULL. */
const char *jz_audit_op_name         (gint64         op);

/* SHA-256 (prev_hash || canonical entry), as the triggers compute it;
 * @prev_hash is the entry before's stored hash (16 or 32 bytes). */
void     jz_audit_compute_hash       (const guint8  *prev_hash,
                                      gsize          prev_len,
                                      gint64         at,
                                      const char    *actor,
                                      gint64         device,
                                      const char    *entity,
                                      const char    *entity_id,
                                      const char    *op,
                                      const char    *fields_json,
                                      guint8         out[JZ_AUDIT_HASH_LEN]);

/* Walks the hash chain. Appends one line per problem to @problems (at most
 * @max_report lines, then a count) and returns FALSE when there is any.
 * @n_entries: the number of entries checked. */
gboolean jz_audit_verify_chain       (sqlite3       *db,
                                      GPtrArray     *problems,
                                      guint          max_report,
                                      guint64       *n_entries);

/* Replays the log entity by entity and compares the result with every
 * audited table: a row written, changed or removed without passing
 * through the triggers (e.g. by a shell with the triggers dropped) is
 * reported. */
gboolean jz_audit_verify_rows        (sqlite3       *db,
                                      GPtrArray     *problems,
                                      guint          max_report);

G_END_DECLS
