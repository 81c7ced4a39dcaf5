/* jz-setup-window.h: first run, the station's identity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-store.h"

G_BEGIN_DECLS

#define JZ_TYPE_SETUP_WINDOW (jz_setup_window_get_type ())
G_DECLARE_FINAL_TYPE (JzSetupWindow, jz_setup_window, JZ, SETUP_WINDOW, AdwApplicationWindow)

JzSetupWindow *jz_setup_window_new            (AdwApplication *application,
                                               const char     *profile);
gboolean       jz_setup_window_get_can_create (JzSetupWindow  *self);

G_END_DECLS
