/* jz-window.h: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-case-page.h"
#include "jz-store.h"

G_BEGIN_DECLS

#define JZ_TYPE_WINDOW (jz_window_get_type ())
G_DECLARE_FINAL_TYPE (JzWindow, jz_window, JZ, WINDOW, AdwApplicationWindow)

JzWindow   *jz_window_new       (AdwApplication *application,
                                 JzStore        *store);
JzStore    *jz_window_get_store (JzWindow       *self);
const char *jz_window_get_view  (JzWindow       *self);
gboolean    jz_window_set_view  (JzWindow       *self,
                                 const char     *name);
const char * const *jz_window_list_views (void);
/* Opens @person_id's case page (what win.show-case does); FALSE when
 * there is no such person. */
gboolean    jz_window_show_case (JzWindow       *self,
                                 const char     *person_id);
JzCasePage *jz_window_get_case_page (JzWindow   *self);

G_END_DECLS
