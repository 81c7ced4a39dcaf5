/* jz-sign-in.c: who is on duty
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-sign-in"

#include "config.h"

#include <glib/gi18n.h>

#include "jz-gui-util.h"
#include "jz-sign-in.h"
#include "jz-staff.h"

struct _JzSignIn
{
  GtkWidget             parent_instance;

  /* template widgets */
  AdwWindowTitle       *window_title;
  GtkLabel             *heading_label;
  GtkLabel             *description_label;
  GtkStack             *mode_stack;
  GtkListBox           *staff_list;
  AdwPasswordEntryRow  *pin_row;
  GtkLabel             *sign_in_error;
  GtkWidget            *sign_in_button;
  AdwEntryRow          *name_row;
  AdwPasswordEntryRow  *new_pin_row;
  AdwPasswordEntryRow  *repeat_pin_row;
  GtkLabel             *create_error;
  GtkWidget            *create_button;

  /* owned */
  JzStore              *store;
  GPtrArray            *staff;        /* JzStaff, in list order */
  guint                 failures;
  guint                 wait_id;
};

enum {
  SIGNAL_SIGNED_IN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (JzSignIn, jz_sign_in, GTK_TYPE_WIDGET)

static void
show_error (GtkLabel   *label,
            const char *message)
{
  gtk_label_set_text (label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
}

static const JzStaff *
selected_staff (JzSignIn *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->staff_list);
  int i = row ? gtk_list_box_row_get_index (row) : -1;

  if (self->staff == NULL || i < 0 || (guint) i >= self->staff->len)
    return NULL;
  return self->staff->pdata[i];
}

static void
update_sign_in_button (JzSignIn *self)
{
  const char *pin = gtk_editable_get_text (GTK_EDITABLE (self->pin_row));

  gtk_widget_set_sensitive (self->sign_in_button,
                            self->wait_id == 0 && selected_staff (self) != NULL && pin[0] != '\0');
}

static GtkWidget *
make_staff_row (const JzStaff *staff)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *avatar = adw_avatar_new (32, staff->name, TRUE);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), staff->name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               g_strcmp0 (staff->role, "admin") == 0 ? _("Administrator") : _("Worker"));
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), avatar);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  return row;
}

static void
set_mode (JzSignIn   *self,
          const char *mode)
{
  gtk_stack_set_visible_child_name (self->mode_stack, mode);
  if (g_str_equal (mode, "create"))
    {
      gtk_label_set_text (self->heading_label, _("Create the First Administrator"));
      gtk_label_set_text (self->description_label,
                          _("Nobody works at this station in Jiuzhu yet. The administrator adds the other staff members in Preferences. Every change is recorded with the name of who made it."));
    }
  else
    {
      gtk_label_set_text (self->heading_label, _("Who Is on Duty?"));
      gtk_label_set_text (self->description_label,
                          _("Choose your name and type your PIN. What you record is saved under your name."));
    }
}

static void
on_staff_selected (JzSignIn      *self,
                   GtkListBoxRow *row)
{
  /* The list unselects its row while the template is disposed. */
  if (self->sign_in_error == NULL)
    return;
  show_error (self->sign_in_error, NULL);
  update_sign_in_button (self);
}

static void
on_staff_activated (JzSignIn      *self,
                    GtkListBoxRow *row)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->pin_row));
}

static void
on_pin_changed (JzSignIn *self)
{
  update_sign_in_button (self);
}

static gboolean
on_wait_over (gpointer user_data)
{
  JzSignIn *self = user_data;

  self->wait_id = 0;
  self->failures = 0;
  show_error (self->sign_in_error, NULL);
  update_sign_in_button (self);
  return G_SOURCE_REMOVE;
}

static void
on_sign_in (JzSignIn *self)
{
  const JzStaff *staff = selected_staff (self);
  const char *pin = gtk_editable_get_text (GTK_EDITABLE (self->pin_row));
  g_autofree char *id = NULL;

  if (self->wait_id != 0)
    return;
  if (staff == NULL)
    {
      show_error (self->sign_in_error, _("Choose your name in the list first."));
      return;
    }
  if (!jz_staff_check_pin (staff, pin))
    {
      g_autofree char *message = NULL;

      gtk_editable_set_text (GTK_EDITABLE (self->pin_row), "");
      if (++self->failures >= JZ_SIGN_IN_MAX_FAILURES)
        {
          message = g_strdup_printf (ngettext ("Too many wrong PINs. Wait %d second, then try again.",
                                               "Too many wrong PINs. Wait %d seconds, then try again.",
                                               JZ_SIGN_IN_WAIT_SECONDS),
                                     JZ_SIGN_IN_WAIT_SECONDS);
          self->wait_id = g_timeout_add_seconds (JZ_SIGN_IN_WAIT_SECONDS, on_wait_over, self);
        }
      else
        message = g_strdup_printf (_("That is not %s’s PIN. Type it again, or ask an administrator to set a new one in Preferences."),
                                   staff->name);
      show_error (self->sign_in_error, message);
      update_sign_in_button (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->pin_row));
      return;
    }

  self->failures = 0;
  id = g_strdup (staff->rec.id);
  gtk_editable_set_text (GTK_EDITABLE (self->pin_row), "");
  show_error (self->sign_in_error, NULL);
  g_signal_emit (self, signals[SIGNAL_SIGNED_IN], 0, id);
}

/* The first problem with the create form, or NULL. */
static char *
check_create_form (JzSignIn *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  const char *pin = gtk_editable_get_text (GTK_EDITABLE (self->new_pin_row));
  const char *again = gtk_editable_get_text (GTK_EDITABLE (self->repeat_pin_row));
  g_autoptr(GError) error = NULL;

  if (name[0] == '\0')
    return g_strdup (_("Type the administrator’s full name."));
  if (g_utf8_strlen (name, -1) > 64)
    return g_strdup (_("The name is longer than 64 characters; shorten it."));
  if (!jz_staff_pin_is_valid (pin, NULL))
    return g_strdup_printf (_("The PIN needs %d to %d digits, and digits only."),
                            JZ_STAFF_PIN_MIN_LEN, JZ_STAFF_PIN_MAX_LEN);
  if (g_strcmp0 (pin, again) != 0)
    return g_strdup (_("The two PINs differ; type the same PIN twice."));
  return NULL;
}

static void
on_create_changed (JzSignIn *self)
{
  g_autofree char *problem = check_create_form (self);
  const char *pin = gtk_editable_get_text (GTK_EDITABLE (self->new_pin_row));
  const char *again = gtk_editable_get_text (GTK_EDITABLE (self->repeat_pin_row));

  gtk_widget_set_sensitive (self->create_button, problem == NULL);
  /* Say what is wrong only once there is something to judge. */
  show_error (self->create_error, problem != NULL && pin[0] != '\0' && again[0] != '\0' ? problem : NULL);
}

static void
on_create (JzSignIn *self)
{
  g_autofree char *problem = check_create_form (self);
  g_autofree char *name = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GError) error = NULL;

  if (problem != NULL)
    {
      show_error (self->create_error, problem);
      return;
    }
  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  if (!jz_store_add_staff (self->store, name, "admin",
                           gtk_editable_get_text (GTK_EDITABLE (self->new_pin_row)), 0, &id, &error))
    {
      show_error (self->create_error, error->message);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->new_pin_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->repeat_pin_row), "");
  jz_sign_in_reset (self, id);
  g_signal_emit (self, signals[SIGNAL_SIGNED_IN], 0, id);
}

static void
jz_sign_in_dispose (GObject *object)
{
  JzSignIn *self = JZ_SIGN_IN (object);
  GtkWidget *child;

  g_clear_handle_id (&self->wait_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), JZ_TYPE_SIGN_IN);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->store);
  g_clear_pointer (&self->staff, g_ptr_array_unref);
  G_OBJECT_CLASS (jz_sign_in_parent_class)->dispose (object);
}

static void
jz_sign_in_class_init (JzSignInClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jz_sign_in_dispose;

  signals[SIGNAL_SIGNED_IN] =
    g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  jz_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiuzhu/Station/ui/jz-sign-in.ui");
  gtk_widget_class_bind_template_child (widget_class, JzSignIn, window_title);
  gtk_widget_class_bind_template_child (widget_class, JzSignIn, heading_label);
  gtk_widget_class_bind_template_child (widget_class, JzSignIn, description_label);
  gtk_widget_class_bind_template_child (widget_class, JzSignIn, mode_stack);
  gtk_widget_class_bind_template_child (widget_class, JzSignIn, staff_list);
  gtk_widget_class_bind_template_child (widget_class, JzSignIn, pin_row);
  gtk_widget_class_bind_template_child (widget_class, JzSignIn, sign_in_error);
  gtk_widget_class_bind_template_child (widget_class, JzSignIn, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, JzSignIn, name_row);
  gtk_widget_class_bind_template_child (widget_class, JzSignIn, new_pin_row);
  gtk_widget_class_bind_template_child (widget_class, JzSignIn, repeat_pin_row);
  gtk_widget_class_bind_template_child (widget_class, JzSignIn, create_error);
  gtk_widget_class_bind_template_child (widget_class, JzSignIn, create_button);
  gtk_widget_class_bind_template_callback (widget_class, on_staff_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_staff_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_pin_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_in);
  gtk_widget_class_bind_template_callback (widget_class, on_create_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_create);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
jz_sign_in_init (JzSignIn *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  set_mode (self, "sign-in");
}

JzSignIn *
jz_sign_in_new (JzStore *store)
{
  JzSignIn *self = g_object_new (JZ_TYPE_SIGN_IN, NULL);

  jz_sign_in_set_store (self, store);
  return self;
}

void
jz_sign_in_set_store (JzSignIn *self,
                      JzStore  *store)
{
  g_return_if_fail (JZ_IS_SIGN_IN (self));

  if (g_set_object (&self->store, store))
    {
      adw_window_title_set_title (self->window_title, store ? jz_store_get_station_name (store) : "");
      jz_sign_in_reset (self, NULL);
    }
}

void
jz_sign_in_reset (JzSignIn   *self,
                  const char *staff_id)
{
  GtkWidget *child;

  g_return_if_fail (JZ_IS_SIGN_IN (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->staff_list))) != NULL)
    gtk_list_box_remove (self->staff_list, child);
  g_clear_pointer (&self->staff, g_ptr_array_unref);
  gtk_editable_set_text (GTK_EDITABLE (self->pin_row), "");
  show_error (self->sign_in_error, NULL);
  show_error (self->create_error, NULL);

  if (self->store != NULL)
    self->staff = jz_store_list_staff (self->store, TRUE, NULL);
  if (self->staff == NULL || self->staff->len == 0)
    {
      set_mode (self, "create");
      return;
    }

  set_mode (self, "sign-in");
  for (guint i = 0; i < self->staff->len; i++)
    gtk_list_box_append (self->staff_list, make_staff_row (self->staff->pdata[i]));
  if (staff_id == NULL || !jz_sign_in_select_staff (self, staff_id))
    {
      if (self->staff->len == 1)
        gtk_list_box_select_row (self->staff_list, gtk_list_box_get_row_at_index (self->staff_list, 0));
    }
  update_sign_in_button (self);
}

const char *
jz_sign_in_get_mode (JzSignIn *self)
{
  g_return_val_if_fail (JZ_IS_SIGN_IN (self), NULL);
  return gtk_stack_get_visible_child_name (self->mode_stack);
}

gboolean
jz_sign_in_select_staff (JzSignIn   *self,
                         const char *staff_id)
{
  g_return_val_if_fail (JZ_IS_SIGN_IN (self), FALSE);

  for (guint i = 0; self->staff != NULL && i < self->staff->len; i++)
    {
      const JzStaff *staff = self->staff->pdata[i];

      if (g_strcmp0 (staff->rec.id, staff_id) == 0)
        {
          gtk_list_box_select_row (self->staff_list, gtk_list_box_get_row_at_index (self->staff_list, (int) i));
          return TRUE;
        }
    }
  return FALSE;
}

const char *
jz_sign_in_get_error (JzSignIn *self)
{
  GtkLabel *label;

  g_return_val_if_fail (JZ_IS_SIGN_IN (self), NULL);

  label = g_str_equal (jz_sign_in_get_mode (self), "create") ? self->create_error : self->sign_in_error;
  return gtk_widget_get_visible (GTK_WIDGET (label)) ? gtk_label_get_text (label) : NULL;
}
