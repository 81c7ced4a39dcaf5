/* jz-sync-indicator.h: the header-bar sync indicator
 *
 * Shows the state of a JzSyncClient (offline / syncing / up to date /
 * error), the changes waiting to be sent and the last successful sync;
 * its popover has the details and "Sync Now" (the widget action
 * "sync.now"), "Details" (win.show-view 'sync') and, when the device is
 * not enrolled, "Enrol…" (app.hub-preferences).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-sync-client.h"

G_BEGIN_DECLS

#define JZ_TYPE_SYNC_INDICATOR (jz_sync_indicator_get_type ())
G_DECLARE_FINAL_TYPE (JzSyncIndicator, jz_sync_indicator, JZ, SYNC_INDICATOR, GtkWidget)

JzSyncIndicator *jz_sync_indicator_new        (JzSyncClient    *client);
JzSyncClient    *jz_sync_indicator_get_client (JzSyncIndicator *self);
void             jz_sync_indicator_set_client (JzSyncIndicator *self,
                                               JzSyncClient    *client);
/* Only the icon and the count (for narrow header bars). */
void             jz_sync_indicator_set_compact (JzSyncIndicator *self,
                                                gboolean         compact);
/* What the button says, for tests and screen readers. */
const char      *jz_sync_indicator_get_summary (JzSyncIndicator *self);

G_END_DECLS
