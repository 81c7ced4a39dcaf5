/* jz-gui-util.h: small helpers shared by the views
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void     jz_gui_init               (void);
/* Before GTK draws anything: GTK's own software renderer (cairo) when the
 * machine has no GPU. */
void     jz_gui_choose_renderer    (void);
/* A tooltip given when GTK asks for it. gtk_widget_set_tooltip_text()
 * asks the display where the pointer is, a round trip to the X server
 * for each of the rows of a list. */
void     jz_widget_set_lazy_tooltip (GtkWidget  *widget,
                                     const char *text);
gboolean jz_widget_save_png        (GtkWidget   *widget,
                                    const char  *path,
                                    GError     **error);
void     jz_window_save_png_when_drawn (GtkWindow  *window,
                                        const char *path,
                                        gboolean    quit_after);

G_END_DECLS
