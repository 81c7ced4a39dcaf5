/* jz-check.h: verifying a store (jiuzhu-cli check)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jz-store.h"

G_BEGIN_DECLS

typedef struct
{
  guint64 audit_entries;
  guint64 outbox_pending;
  guint64 outbox_acked;
  guint64 blobs_checked;
  guint64 blobs_missing;    /* not a problem: blobs may still be on their way */
} JzCheckSummary;

/* Runs PRAGMA integrity_check and foreign_key_check, compares the schema
 * and triggers with the code's description, walks the audit hash chain,
 * replays the audit log against every table and checks the outbox.
 * Appends one English line per problem to @problems and returns FALSE when
 * there is any; @error only when the check itself could not run. */
gboolean jz_store_check (JzStore         *store,
                         GPtrArray       *problems,
                         JzCheckSummary  *summary,
                         GError         **error);

G_END_DECLS
