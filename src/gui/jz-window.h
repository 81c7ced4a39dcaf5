/* jz-window.h: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-case-page.h"
#include "jz-sign-in.h"
#include "jz-store.h"
#include "jz-sync-client.h"

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
/* The application's background sync, shown in the header bar and the
 * Hub & sync area ("sync-client"; NULL when none runs). */
JzSyncClient *jz_window_get_sync_client (JzWindow     *self);
void          jz_window_set_sync_client (JzWindow     *self,
                                         JzSyncClient *client);

/* Sign-in and lock. The window opens locked on the sign-in page; the
 * staff member who signs in becomes the store's actor until the window
 * locks (win.lock, Ctrl+L, or "lock-idle-minutes" without input). */
void        jz_window_lock          (JzWindow   *self);
gboolean    jz_window_is_locked     (JzWindow   *self);
/* The staff member signed in, or NULL while locked. */
const char *jz_window_get_staff_id  (JzWindow   *self);
JzSignIn   *jz_window_get_sign_in   (JzWindow   *self);
/* Only for --screenshot, which quits once the window is drawn: shows the
 * areas with nobody signed in. */
void        jz_window_show_without_sign_in (JzWindow *self);
/* Whether a window idle since @last_input_us should lock at @now_us. */
gboolean    jz_idle_should_lock     (gint64      last_input_us,
                                     gint64      now_us,
                                     guint       minutes);

G_END_DECLS
