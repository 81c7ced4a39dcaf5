/* jz-gui-util.c: small helpers shared by the views
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-gui"

#include "jz-gui-util.h"
#include "jz-gui-resources.h"

/* Renders @widget as it is now drawn into a PNG at @path. */
gboolean
jz_widget_save_png (GtkWidget   *widget,
                    const char  *path,
                    GError     **error)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkNative *native = gtk_widget_get_native (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (native == NULL || width <= 0 || height <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                   "The window is not drawn yet");
      return FALSE;
    }

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The window drew nothing");
      return FALSE;
    }
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (native), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot write %s", path);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  char     *path;
  gboolean  quit_after;
  guint     frames;
} ShotData;

static void
shot_data_free (gpointer data)
{
  ShotData *shot = data;

  g_free (shot->path);
  g_free (shot);
}

/* Waits for two painted frames, so that what was laid out on the first is
 * drawn, then writes the PNG. */
static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  ShotData *shot = user_data;
  g_autoptr(GError) error = NULL;

  if (++shot->frames < 3)
    return G_SOURCE_CONTINUE;

  if (!jz_widget_save_png (widget, shot->path, &error))
    g_printerr ("jiuzhu: screenshot: %s\n", error->message);
  if (shot->quit_after)
    g_application_quit (g_application_get_default ());
  return G_SOURCE_REMOVE;
}

void
jz_window_save_png_when_drawn (GtkWindow  *window,
                               const char *path,
                               gboolean    quit_after)
{
  ShotData *shot = g_new0 (ShotData, 1);

  shot->path = g_strdup (path);
  shot->quit_after = quit_after;
  gtk_widget_add_tick_callback (GTK_WIDGET (window), on_tick, shot, shot_data_free);
}

static gboolean
has_gpu_render_node (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/dev/dri", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "renderD"))
      return TRUE;
  return FALSE;
}

/* GTK 4 draws with OpenGL by default. A machine without a GPU (no DRM
 * render node: many county PCs, virtual machines, remote sessions) gets
 * OpenGL emulated on the CPU by Mesa's llvmpipe, which costs about 100 MB
 * of memory and more CPU than GTK's own cairo renderer for the same lists
 * and forms (tests/bench/README.md, "App"). GTK reads GSK_RENDERER when it
 * makes its first renderer; a value the user set wins. */
void
jz_gui_choose_renderer (void)
{
  if (g_getenv ("GSK_RENDERER") != NULL || has_gpu_render_node ())
    return;
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
}

static gboolean
on_lazy_query_tooltip (GtkWidget  *widget,
                       int         x,
                       int         y,
                       gboolean    keyboard,
                       GtkTooltip *tooltip)
{
  gtk_tooltip_set_text (tooltip, g_object_get_data (G_OBJECT (widget), "jz-tooltip"));
  return TRUE;
}

void
jz_widget_set_lazy_tooltip (GtkWidget  *widget,
                            const char *text)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));

  if (g_object_get_data (G_OBJECT (widget), "jz-tooltip") == NULL)
    g_signal_connect (widget, "query-tooltip", G_CALLBACK (on_lazy_query_tooltip), NULL);
  g_object_set_data_full (G_OBJECT (widget), "jz-tooltip", g_strdup (text), g_free);
  gtk_widget_set_has_tooltip (widget, text != NULL);
}

/* Registers the UI's GResource (templates, icons) once; every widget with a
 * template calls this from class_init. */
void
jz_gui_init (void)
{
  static gsize once;

  if (g_once_init_enter (&once))
    {
      jz_gui_register_resource ();
      g_once_init_leave (&once, 1);
    }
}
