/* jz-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-preferences"

#include "config.h"

#include "jz-gui-util.h"

#include <glib/gi18n.h>

#include "jz-preferences-window.h"

struct _JzPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* template widgets */
  AdwActionRow         *station_name_row;
  AdwActionRow         *station_code_row;
  AdwActionRow         *station_level_row;
  AdwActionRow         *store_path_row;
  GtkSpinButton        *lock_spin;
  AdwComboRow          *color_scheme_row;

  /* owned */
  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (JzPreferencesWindow, jz_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static gboolean
scheme_to_index (GValue   *value,
                 GVariant *variant,
                 gpointer  user_data)
{
  const char *s = g_variant_get_string (variant, NULL);

  g_value_set_uint (value, g_str_equal (s, "light") ? 1 : g_str_equal (s, "dark") ? 2 : 0);
  return TRUE;
}

static GVariant *
index_to_scheme (const GValue       *value,
                 const GVariantType *type,
                 gpointer            user_data)
{
  static const char *names[] = { "default", "light", "dark" };
  guint i = g_value_get_uint (value);

  return g_variant_new_string (names[MIN (i, 2)]);
}

static void
jz_preferences_window_dispose (GObject *object)
{
  JzPreferencesWindow *self = JZ_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (jz_preferences_window_parent_class)->dispose (object);
}

static void
jz_preferences_window_class_init (JzPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jz_preferences_window_dispose;

  jz_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiuzhu/Station/ui/jz-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, JzPreferencesWindow, station_name_row);
  gtk_widget_class_bind_template_child (widget_class, JzPreferencesWindow, station_code_row);
  gtk_widget_class_bind_template_child (widget_class, JzPreferencesWindow, station_level_row);
  gtk_widget_class_bind_template_child (widget_class, JzPreferencesWindow, store_path_row);
  gtk_widget_class_bind_template_child (widget_class, JzPreferencesWindow, lock_spin);
  gtk_widget_class_bind_template_child (widget_class, JzPreferencesWindow, color_scheme_row);
}

static void
jz_preferences_window_init (JzPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

JzPreferencesWindow *
jz_preferences_window_new (GtkWindow *parent,
                           GSettings *settings,
                           JzStore   *store)
{
  JzPreferencesWindow *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (JZ_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       NULL);
  self->settings = g_object_ref (settings);

  g_settings_bind (settings, "lock-idle-minutes",
                   gtk_spin_button_get_adjustment (self->lock_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (settings, "color-scheme",
                                self->color_scheme_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                scheme_to_index, index_to_scheme, NULL, NULL);

  if (store != NULL)
    {
      adw_action_row_set_subtitle (self->station_name_row, jz_store_get_station_name (store));
      adw_action_row_set_subtitle (self->station_code_row, jz_store_get_station_code (store));
      adw_action_row_set_subtitle (self->station_level_row,
                                   jz_store_get_station_level (store) == JZ_STATION_LEVEL_HUB
                                     ? _("City hub (regional centre)") : _("County station"));
      adw_action_row_set_subtitle (self->store_path_row, jz_store_get_path (store));
    }

  return self;
}
