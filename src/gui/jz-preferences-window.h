/* jz-preferences-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-store.h"

G_BEGIN_DECLS

#define JZ_TYPE_PREFERENCES_WINDOW (jz_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (JzPreferencesWindow, jz_preferences_window, JZ, PREFERENCES_WINDOW, AdwPreferencesWindow)

JzPreferencesWindow *jz_preferences_window_new (GtkWindow *parent,
                                                GSettings *settings,
                                                JzStore   *store);

G_END_DECLS
