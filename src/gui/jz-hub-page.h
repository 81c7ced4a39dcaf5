/* jz-hub-page.h: Preferences → Hub
 *
 * Enrolment with a regional hub (address and one-time code, checked before
 * anything is sent; the enrolment itself runs in a worker thread so the
 * window never waits on the network), the device's enrolment, and unenrol
 * (confirmed; the data stays).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-store.h"
#include "jz-sync-client.h"

G_BEGIN_DECLS

#define JZ_TYPE_HUB_PAGE (jz_hub_page_get_type ())
G_DECLARE_FINAL_TYPE (JzHubPage, jz_hub_page, JZ, HUB_PAGE, AdwPreferencesPage)

/* @client (optional): told to reload (and started) after an enrolment
 * or unenrol. */
JzHubPage *jz_hub_page_new          (JzStore      *store,
                                     JzSyncClient *client);
gboolean   jz_hub_page_is_busy      (JzHubPage    *self);

/* The meta key (local, never synced) with the Unix time of the enrolment. */
#define JZ_HUB_ENROLLED_AT_KEY "hub_enrolled_at"

G_END_DECLS
