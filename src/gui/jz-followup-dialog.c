/* jz-followup-dialog.c: recording a follow-up (回访)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-followup"

#include "config.h"

#include <glib/gi18n.h>

#include "jz-casework.h"
#include "jz-followup-dialog.h"
#include "jz-gui-util.h"

struct _JzFollowupDialog
{
  AdwWindow        parent_instance;

  /* template widgets */
  AdwWindowTitle  *window_title;
  GtkWidget       *error_group;
  GtkWidget       *error_row;
  AdwPreferencesGroup *about_group;
  GtkWidget       *method_row;
  GtkWidget       *method_message;
  GtkWidget       *visit_button;
  GtkWidget       *phone_button;
  GtkWidget       *local_button;
  GtkWidget       *time_row;
  GtkWidget       *time_message;
  GtkWidget       *situation_row;
  GtkWidget       *situation_message;
  GtkWidget       *help_row;
  GtkWidget       *risk_row;
  GtkWidget       *risk_message;
  GtkWidget       *risk_low_button;
  GtkWidget       *risk_medium_button;
  GtkWidget       *risk_high_button;

  /* owned */
  JzStore         *store;
  JzPerson        *person;
  char            *episode_id;
  JzFollowup      *followup;   /* the scheduled one answered, or NULL */
  gint64           departed_at;
  gboolean         tried;      /* Save was pressed: show every missing field */
};

enum {
  SIGNAL_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (JzFollowupDialog, jz_followup_dialog, ADW_TYPE_WINDOW)

static const char *
chosen_method (JzFollowupDialog *self)
{
  if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->visit_button)))
    return "visit";
  if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->phone_button)))
    return "phone";
  if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->local_button)))
    return "via_local";
  return NULL;
}

static const char *
chosen_risk (JzFollowupDialog *self)
{
  if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->risk_low_button)))
    return "low";
  if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->risk_medium_button)))
    return "medium";
  if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->risk_high_button)))
    return "high";
  return NULL;
}

static gboolean
validate (JzFollowupDialog *self)
{
  JzMessageKind missing = self->tried ? JZ_MESSAGE_ERROR : JZ_MESSAGE_NONE;
  g_autofree char *situation = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->situation_row))));
  gboolean ok = TRUE;
  gint64 t = 0;

  if (chosen_method (self) == NULL)
    {
      jz_casework_set_message (self->method_row, self->method_message, missing,
                               _("Choose how the person was reached"));
      ok = FALSE;
    }
  else
    jz_casework_set_message (self->method_row, self->method_message, JZ_MESSAGE_NONE, NULL);

  if (!jz_casework_parse_time (gtk_editable_get_text (GTK_EDITABLE (self->time_row)), &t))
    {
      jz_casework_set_message (self->time_row, self->time_message, JZ_MESSAGE_ERROR,
                               _("Type the time as YYYY-MM-DD HH:MM, e.g. 2026-05-01 14:30"));
      ok = FALSE;
    }
  else if (t > jz_casework_now () + 300)
    {
      jz_casework_set_message (self->time_row, self->time_message, JZ_MESSAGE_ERROR,
                               _("This is in the future; record a follow-up once it was made"));
      ok = FALSE;
    }
  else if (self->departed_at > 0 && t < self->departed_at)
    {
      g_autofree char *departed = jz_casework_format_time (self->departed_at);
      g_autofree char *msg = g_strdup_printf (_("This is before the person left the station (%s); check the date"),
                                              departed);

      jz_casework_set_message (self->time_row, self->time_message, JZ_MESSAGE_ERROR, msg);
      ok = FALSE;
    }
  else
    jz_casework_set_message (self->time_row, self->time_message, JZ_MESSAGE_NONE, NULL);

  if (situation[0] == '\0')
    {
      jz_casework_set_message (self->situation_row, self->situation_message, missing,
                               _("Describe how the person is doing at home, e.g. living with family, working"));
      ok = FALSE;
    }
  else
    jz_casework_set_message (self->situation_row, self->situation_message, JZ_MESSAGE_NONE, NULL);

  if (chosen_risk (self) == NULL)
    {
      jz_casework_set_message (self->risk_row, self->risk_message, missing,
                               _("Judge the risk of the person leaving home again"));
      ok = FALSE;
    }
  else
    jz_casework_set_message (self->risk_row, self->risk_message,
                             g_str_equal (chosen_risk (self), "high") ? JZ_MESSAGE_WARNING : JZ_MESSAGE_NONE,
                             _("High risk: consider help through the local civil affairs office and an earlier next follow-up"));
  return ok;
}

static void
on_input_changed (JzFollowupDialog *self)
{
  if (self->person != NULL)
    validate (self);
}

static void
show_error (JzFollowupDialog *self,
            const char       *message)
{
  gtk_widget_set_visible (self->error_group, message != NULL);
  if (message != NULL)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->error_row), message);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  JzFollowupDialog *self = JZ_FOLLOWUP_DIALOG (widget);
  g_autoptr(JzFollowup) f = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  gboolean ok;
  AdwToast *toast;
  gint64 t = 0;

  self->tried = TRUE;
  show_error (self, NULL);
  if (!validate (self))
    {
      show_error (self, _("Some fields need attention; see the messages under them."));
      return;
    }
  jz_casework_parse_time (gtk_editable_get_text (GTK_EDITABLE (self->time_row)), &t);

  if (self->followup != NULL)
    f = jz_record_copy (&jz_entity_followup, self->followup);
  else
    {
      f = jz_followup_new ();
      f->person_id = g_strdup (self->person->rec.id);
      f->episode_id = g_strdup (self->episode_id);
      f->due_at = t;
    }
  f->done_at = t;
  g_free (f->method);
  f->method = g_strdup (chosen_method (self));
  g_free (f->situation);
  f->situation = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->situation_row))));
  g_free (f->help);
  f->help = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->help_row))));
  g_free (f->risk_of_leaving);
  f->risk_of_leaving = g_strdup (chosen_risk (self));
  g_free (f->staff_id);
  f->staff_id = g_strdup (jz_store_get_actor (self->store));

  ok = self->followup != NULL ? jz_store_update_followup (self->store, f, &error)
                              : jz_store_insert_followup (self->store, f, &error);
  if (!ok)
    {
      show_error (self, error->message);
      return;
    }

  name = jz_person_display_name (self->person);
  /* TRANSLATORS: toast after saving a follow-up; %s is the person's name */
  toast = adw_toast_new_format (_("Follow-up of %s saved"), name);
  g_signal_emit (self, signals[SIGNAL_SAVED], 0, f->rec.id);
  if (gtk_window_get_transient_for (GTK_WINDOW (self)) != NULL)
    jz_casework_add_toast (GTK_WIDGET (gtk_window_get_transient_for (GTK_WINDOW (self))), toast);
  else
    g_object_unref (toast);
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
load (JzFollowupDialog  *self,
      const char        *person_id,
      const char        *episode_id,
      const char        *followup_id,
      GError           **error)
{
  g_autofree char *name = NULL;
  g_autofree char *now = jz_casework_format_time (jz_casework_now ());

  if (followup_id != NULL)
    {
      self->followup = jz_store_get_followup (self->store, followup_id, error);
      if (self->followup == NULL)
        return FALSE;
      person_id = self->followup->person_id;
      episode_id = self->followup->episode_id;
    }
  self->person = jz_store_get_person (self->store, person_id, error);
  if (self->person == NULL)
    return FALSE;

  /* The earliest follow-up still open answers "record a follow-up". */
  if (self->followup == NULL)
    {
      g_autoptr(GPtrArray) list = jz_store_list (self->store, &jz_entity_followup,
                                                 episode_id ? "episode_id" : "person_id",
                                                 episode_id ? episode_id : person_id,
                                                 "due_at", FALSE, 0, error);

      if (list == NULL)
        return FALSE;
      for (guint i = 0; i < list->len && self->followup == NULL; i++)
        if (((JzFollowup *) list->pdata[i])->done_at == 0)
          self->followup = jz_record_copy (&jz_entity_followup, list->pdata[i]);
      if (self->followup != NULL && episode_id == NULL)
        episode_id = self->followup->episode_id;
    }
  self->episode_id = g_strdup (episode_id);
  if (episode_id != NULL)
    {
      g_autoptr(JzEpisode) episode = jz_store_get_episode (self->store, episode_id, error);

      if (episode == NULL)
        return FALSE;
      self->departed_at = episode->departed_at;
    }

  name = jz_person_display_name (self->person);
  adw_window_title_set_subtitle (self->window_title, name);
  if (self->followup != NULL)
    {
      g_autofree char *due = jz_casework_format_date (self->followup->due_at);
      g_autofree char *desc = g_strdup_printf (_("Scheduled follow-up, due %s"), due);

      adw_preferences_group_set_description (self->about_group, desc);
      if (self->followup->done_at > 0)
        {
          g_autofree char *done = jz_casework_format_time (self->followup->done_at);

          gtk_editable_set_text (GTK_EDITABLE (self->time_row), done);
        }
    }
  else
    adw_preferences_group_set_description (self->about_group, _("Not scheduled: recorded as an extra follow-up"));
  if (gtk_editable_get_text (GTK_EDITABLE (self->time_row))[0] == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->time_row), now);
  return TRUE;
}

static void
jz_followup_dialog_dispose (GObject *object)
{
  JzFollowupDialog *self = JZ_FOLLOWUP_DIALOG (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->person, jz_person_free);
  g_clear_pointer (&self->followup, jz_followup_free);
  g_clear_pointer (&self->episode_id, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), JZ_TYPE_FOLLOWUP_DIALOG);
  G_OBJECT_CLASS (jz_followup_dialog_parent_class)->dispose (object);
}

static void
jz_followup_dialog_class_init (JzFollowupDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jz_followup_dialog_dispose;

  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  jz_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiuzhu/Station/ui/jz-followup-dialog.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, JzFollowupDialog, name)
  BIND (window_title);
  BIND (error_group);
  BIND (error_row);
  BIND (about_group);
  BIND (method_row);
  BIND (method_message);
  BIND (visit_button);
  BIND (phone_button);
  BIND (local_button);
  BIND (time_row);
  BIND (time_message);
  BIND (situation_row);
  BIND (situation_message);
  BIND (help_row);
  BIND (risk_row);
  BIND (risk_message);
  BIND (risk_low_button);
  BIND (risk_medium_button);
  BIND (risk_high_button);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, on_input_changed);

  gtk_widget_class_install_action (widget_class, "followup.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "followup.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "followup.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
jz_followup_dialog_init (JzFollowupDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

JzFollowupDialog *
jz_followup_dialog_new (GtkWindow  *parent,
                        JzStore    *store,
                        const char *person_id,
                        const char *episode_id,
                        const char *followup_id)
{
  g_autoptr(GError) error = NULL;
  JzFollowupDialog *self;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);
  g_return_val_if_fail (person_id != NULL || followup_id != NULL, NULL);

  self = g_object_new (JZ_TYPE_FOLLOWUP_DIALOG, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  if (!load (self, person_id, episode_id, followup_id, &error))
    {
      GtkWidget *dialog = adw_message_dialog_new (parent, _("Cannot Record a Follow-up"), error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      gtk_window_destroy (GTK_WINDOW (self));
      return NULL;
    }
  validate (self);
  return self;
}

const char *
jz_followup_dialog_get_followup_id (JzFollowupDialog *self)
{
  g_return_val_if_fail (JZ_IS_FOLLOWUP_DIALOG (self), NULL);
  return self->followup ? self->followup->rec.id : NULL;
}
