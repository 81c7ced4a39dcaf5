/* jz-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-preferences"

#include "config.h"

#include "jz-gui-util.h"

#include <glib/gi18n.h>

#include "jz-preferences-window.h"
#include "jz-staff.h"

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
  AdwPreferencesGroup  *staff_group;
  AdwPreferencesGroup  *add_staff_group;
  AdwEntryRow          *staff_name_row;
  AdwComboRow          *staff_role_row;
  AdwPasswordEntryRow  *staff_pin_row;
  AdwPasswordEntryRow  *staff_pin_again_row;
  GtkLabel             *add_staff_error;
  GtkWidget            *add_staff_button;

  /* owned */
  GSettings            *settings;
  JzStore              *store;
  GPtrArray            *staff_rows;
  gboolean              is_admin;
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

/* The first problem with a name and PIN pair typed for a staff member, or
 * NULL. Shared by the sign-in's first administrator and this page. */
static char *
check_staff_form (const char *name,
                  const char *pin,
                  const char *again)
{
  if (name != NULL && name[0] == '\0')
    return g_strdup (_("Type the staff member’s full name."));
  if (name != NULL && g_utf8_strlen (name, -1) > 64)
    return g_strdup (_("The name is longer than 64 characters; shorten it."));
  if (!jz_staff_pin_is_valid (pin, NULL))
    return g_strdup_printf (_("The PIN needs %d to %d digits, and digits only."),
                            JZ_STAFF_PIN_MIN_LEN, JZ_STAFF_PIN_MAX_LEN);
  if (g_strcmp0 (pin, again) != 0)
    return g_strdup (_("The two PINs differ; type the same PIN twice."));
  return NULL;
}

static void reload_staff (JzPreferencesWindow *self);

static void
toast (JzPreferencesWindow *self,
       const char          *text)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
}

static void
on_active_changed (GtkSwitch           *sw,
                   GParamSpec          *pspec,
                   JzPreferencesWindow *self)
{
  const char *id = g_object_get_data (G_OBJECT (sw), "staff-id");
  const char *name = g_object_get_data (G_OBJECT (sw), "staff-name");
  gboolean active = gtk_switch_get_active (sw);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!jz_store_set_staff_active (self->store, id, active, &error))
    {
      toast (self, error->message);
      /* Put the switch back without coming here again. */
      g_signal_handlers_block_by_func (sw, on_active_changed, self);
      gtk_switch_set_active (sw, !active);
      g_signal_handlers_unblock_by_func (sw, on_active_changed, self);
      return;
    }
  text = g_strdup_printf (active ? _("%s can sign in again") : _("%s can no longer sign in"), name);
  toast (self, text);
}

typedef struct
{
  JzPreferencesWindow *self;
  char                *staff_id;
  GtkEditable         *pin;
  GtkEditable         *again;
  GtkLabel            *hint;
} PinDialog;

static void
pin_dialog_free (gpointer data)
{
  PinDialog *d = data;

  g_free (d->staff_id);
  g_free (d);
}

static void
on_pin_dialog_changed (PinDialog *d)
{
  const char *pin = gtk_editable_get_text (d->pin);
  const char *again = gtk_editable_get_text (d->again);
  g_autofree char *problem = check_staff_form (NULL, pin, again);
  GtkWidget *dialog = gtk_widget_get_ancestor (GTK_WIDGET (d->pin), ADW_TYPE_MESSAGE_DIALOG);

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "set", problem == NULL);
  gtk_label_set_text (d->hint, problem != NULL && again[0] != '\0' ? problem : "");
}

static void
on_pin_dialog_response (AdwMessageDialog *dialog,
                        const char       *response,
                        PinDialog        *d)
{
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "set"))
    return;
  if (!jz_store_reset_staff_pin (d->self->store, d->staff_id, gtk_editable_get_text (d->pin), 0, &error))
    toast (d->self, error->message);
  else
    toast (d->self, _("The new PIN is set"));
}

static void
on_set_pin_clicked (GtkButton           *button,
                    JzPreferencesWindow *self)
{
  const char *name = g_object_get_data (G_OBJECT (button), "staff-name");
  PinDialog *d = g_new0 (PinDialog, 1);
  GtkWidget *dialog, *box, *pin, *again, *hint;

  d->self = self;
  d->staff_id = g_strdup (g_object_get_data (G_OBJECT (button), "staff-id"));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Set a New PIN"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("%s signs in with this PIN from now on. Tell them in person."), name);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  pin = gtk_password_entry_new ();
  again = gtk_password_entry_new ();
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (pin), TRUE);
  g_object_set (pin, "placeholder-text", _("New PIN (4–12 digits)"), NULL);
  g_object_set (again, "placeholder-text", _("Repeat the new PIN"), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (pin), GTK_ACCESSIBLE_PROPERTY_LABEL, _("New PIN"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (again), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Repeat the new PIN"), -1);
  hint = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_widget_add_css_class (hint, "error");
  gtk_box_append (GTK_BOX (box), pin);
  gtk_box_append (GTK_BOX (box), again);
  gtk_box_append (GTK_BOX (box), hint);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  d->pin = GTK_EDITABLE (pin);
  d->again = GTK_EDITABLE (again);
  d->hint = GTK_LABEL (hint);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "set", _("_Set PIN"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "set", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "set", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "set");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_swapped (pin, "changed", G_CALLBACK (on_pin_dialog_changed), d);
  g_signal_connect_swapped (again, "changed", G_CALLBACK (on_pin_dialog_changed), d);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_pin_dialog_response), d,
                         (GClosureNotify) (void (*) (void)) pin_dialog_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
make_staff_row (JzPreferencesWindow *self,
                const JzStaff       *staff)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *sw = gtk_switch_new ();
  GtkWidget *pin = gtk_button_new_with_mnemonic (_("Set _PIN…"));
  g_autofree char *label = g_strdup_printf (_("%s can sign in"), staff->name);
  g_autofree char *pin_label = g_strdup_printf (_("Set a new PIN for %s"), staff->name);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), staff->name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               g_strcmp0 (staff->role, "admin") == 0 ? _("Administrator") : _("Worker"));
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), adw_avatar_new (32, staff->name, TRUE));

  gtk_widget_set_valign (pin, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (pin, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (pin), GTK_ACCESSIBLE_PROPERTY_LABEL, pin_label, -1);
  g_object_set_data_full (G_OBJECT (pin), "staff-id", g_strdup (staff->rec.id), g_free);
  g_object_set_data_full (G_OBJECT (pin), "staff-name", g_strdup (staff->name), g_free);
  g_signal_connect (pin, "clicked", G_CALLBACK (on_set_pin_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), pin);

  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  gtk_switch_set_active (GTK_SWITCH (sw), staff->active);
  gtk_widget_set_tooltip_text (sw, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_object_set_data_full (G_OBJECT (sw), "staff-id", g_strdup (staff->rec.id), g_free);
  g_object_set_data_full (G_OBJECT (sw), "staff-name", g_strdup (staff->name), g_free);
  g_signal_connect (sw, "notify::active", G_CALLBACK (on_active_changed), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
  gtk_widget_set_name (row, staff->rec.id);
  return row;
}

static void
reload_staff (JzPreferencesWindow *self)
{
  g_autoptr(GPtrArray) staff = NULL;
  g_autoptr(JzStaff) me = NULL;
  const char *actor;

  for (guint i = 0; i < self->staff_rows->len; i++)
    adw_preferences_group_remove (self->staff_group, self->staff_rows->pdata[i]);
  g_ptr_array_set_size (self->staff_rows, 0);
  if (self->store == NULL)
    return;

  actor = jz_store_get_actor (self->store);
  if (actor != NULL)
    me = jz_store_get_staff (self->store, actor, NULL);
  self->is_admin = me != NULL && me->active && g_strcmp0 (me->role, "admin") == 0;

  staff = jz_store_list_staff (self->store, FALSE, NULL);
  for (guint i = 0; staff != NULL && i < staff->len; i++)
    {
      GtkWidget *row = make_staff_row (self, staff->pdata[i]);

      gtk_widget_set_sensitive (row, self->is_admin);
      adw_preferences_group_add (self->staff_group, row);
      g_ptr_array_add (self->staff_rows, row);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_staff_group), self->is_admin);
  adw_preferences_group_set_description (self->add_staff_group,
                                         self->is_admin ? NULL
                                           : _("Only an administrator can add staff, set PINs and deactivate staff. Sign in as an administrator to change them."));
}

static void
on_add_staff_changed (JzPreferencesWindow *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->staff_name_row))));
  const char *pin = gtk_editable_get_text (GTK_EDITABLE (self->staff_pin_row));
  const char *again = gtk_editable_get_text (GTK_EDITABLE (self->staff_pin_again_row));
  g_autofree char *problem = check_staff_form (name, pin, again);

  gtk_widget_set_sensitive (self->add_staff_button, self->is_admin && problem == NULL);
  gtk_label_set_text (self->add_staff_error, problem ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->add_staff_error), problem != NULL && again[0] != '\0');
}

static void
on_add_staff (JzPreferencesWindow *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->staff_name_row))));
  const char *pin = gtk_editable_get_text (GTK_EDITABLE (self->staff_pin_row));
  const char *again = gtk_editable_get_text (GTK_EDITABLE (self->staff_pin_again_row));
  g_autofree char *problem = check_staff_form (name, pin, again);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  const char *role = adw_combo_row_get_selected (self->staff_role_row) == 1 ? "admin" : "worker";

  if (!self->is_admin || problem != NULL)
    {
      gtk_label_set_text (self->add_staff_error, problem ? problem
                          : _("Only an administrator can add staff."));
      gtk_widget_set_visible (GTK_WIDGET (self->add_staff_error), TRUE);
      return;
    }
  if (!jz_store_add_staff (self->store, name, role, pin, 0, NULL, &error))
    {
      gtk_label_set_text (self->add_staff_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->add_staff_error), TRUE);
      return;
    }
  text = g_strdup_printf (_("%s can now sign in"), name);
  gtk_editable_set_text (GTK_EDITABLE (self->staff_name_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->staff_pin_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->staff_pin_again_row), "");
  gtk_widget_set_visible (GTK_WIDGET (self->add_staff_error), FALSE);
  reload_staff (self);
  toast (self, text);
}

static void
jz_preferences_window_dispose (GObject *object)
{
  JzPreferencesWindow *self = JZ_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_pointer (&self->staff_rows, g_ptr_array_unref);
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
  gtk_widget_class_bind_template_child (widget_class, JzPreferencesWindow, staff_group);
  gtk_widget_class_bind_template_child (widget_class, JzPreferencesWindow, add_staff_group);
  gtk_widget_class_bind_template_child (widget_class, JzPreferencesWindow, staff_name_row);
  gtk_widget_class_bind_template_child (widget_class, JzPreferencesWindow, staff_role_row);
  gtk_widget_class_bind_template_child (widget_class, JzPreferencesWindow, staff_pin_row);
  gtk_widget_class_bind_template_child (widget_class, JzPreferencesWindow, staff_pin_again_row);
  gtk_widget_class_bind_template_child (widget_class, JzPreferencesWindow, add_staff_error);
  gtk_widget_class_bind_template_child (widget_class, JzPreferencesWindow, add_staff_button);
  gtk_widget_class_bind_template_callback (widget_class, on_add_staff_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_add_staff);
}

static void
jz_preferences_window_init (JzPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->staff_rows = g_ptr_array_new ();
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
      self->store = g_object_ref (store);
    }
  reload_staff (self);

  return self;
}
