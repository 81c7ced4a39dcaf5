/* jz-gui-util.h: small helpers shared by the views
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void     jz_gui_init               (void);
gboolean jz_widget_save_png        (GtkWidget   *widget,
                                    const char  *path,
                                    GError     **error);
void     jz_window_save_png_when_drawn (GtkWindow  *window,
                                        const char *path,
                                        gboolean    quit_after);

G_END_DECLS
