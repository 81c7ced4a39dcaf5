/* jz-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-store.h"
#include "jz-sync-client.h"

G_BEGIN_DECLS

#define JZ_TYPE_APPLICATION (jz_application_get_type ())
G_DECLARE_FINAL_TYPE (JzApplication, jz_application, JZ, APPLICATION, AdwApplication)

JzApplication *jz_application_new          (void);
const char    *jz_application_get_profile  (JzApplication *self);
JzStore       *jz_application_get_store    (JzApplication *self);
GSettings     *jz_application_get_settings (JzApplication *self);
/* The profile's background sync (NULL until the store is open). */
JzSyncClient  *jz_application_get_sync_client (JzApplication *self);

G_END_DECLS
