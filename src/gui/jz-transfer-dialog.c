/* jz-transfer-dialog.c: 提级办理 / 转送
 *
 * The stations offered are those whose records are on this hub
 * workstation; another code can be typed. The transfer itself is one
 * transaction (jz_sync_transfer) that the sync sends to the hub.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-transfer"

#include "config.h"

#include <glib/gi18n.h>

#include "jz-records.h"
#include "jz-station.h"
#include "jz-sync-engine.h"
#include "jz-transfer-dialog.h"

struct _JzTransferDialog
{
  AdwMessageDialog  parent_instance;

  /* owned */
  JzStore          *store;
  JzEpisode        *episode;
  GtkStringList    *stations;
  AdwComboRow      *station_row;
  AdwEntryRow      *code_row;
  GtkLabel         *error_label;
  char             *target;
};

G_DEFINE_FINAL_TYPE (JzTransferDialog, jz_transfer_dialog, ADW_TYPE_MESSAGE_DIALOG)

static GtkStringList *
known_stations (JzStore    *store,
                const char *except)
{
  GtkStringList *list = gtk_string_list_new (NULL);
  sqlite3_stmt *stmt;

  stmt = jz_store_prepare (store,
                           "SELECT station FROM person UNION SELECT station FROM episode"
                           " ORDER BY 1", NULL);
  if (stmt == NULL)
    return list;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *code = (const char *) sqlite3_column_text (stmt, 0);

      if (code != NULL && g_strcmp0 (code, except) != 0 && jz_station_code_validate (code, NULL))
        gtk_string_list_append (list, code);
    }
  sqlite3_reset (stmt);
  return list;
}

static void
update_target (JzTransferDialog *self)
{
  g_autofree char *typed = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->code_row))));
  const char *problem = NULL;

  g_clear_pointer (&self->target, g_free);
  if (typed[0] != '\0')
    {
      if (!jz_station_code_validate (typed, NULL))
        problem = _("A station code is the 6-digit region code, a dash and two digits, e.g. 320481-01.");
      else if (self->episode != NULL && g_strcmp0 (typed, self->episode->rec.station) == 0)
        problem = _("The case already belongs to this station; choose another one.");
      else
        self->target = g_steal_pointer (&typed);
    }
  else if (adw_combo_row_get_selected (self->station_row) != GTK_INVALID_LIST_POSITION &&
           g_list_model_get_n_items (G_LIST_MODEL (self->stations)) > 0)
    self->target = g_strdup (gtk_string_list_get_string (self->stations,
                                                         adw_combo_row_get_selected (self->station_row)));

  gtk_label_set_text (self->error_label, problem ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), problem != NULL);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "transfer",
                                           self->target != NULL && self->episode != NULL);
}

static void
show_refusal (GtkWindow  *parent,
              const char *message)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, _("The Case Was Not Transferred"), message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
jz_transfer_dialog_response (AdwMessageDialog *dialog,
                             const char       *response)
{
  JzTransferDialog *self = JZ_TRANSFER_DIALOG (dialog);
  g_autoptr(GError) error = NULL;

  if (g_str_equal (response, "transfer") && !jz_transfer_dialog_apply (self, &error))
    show_refusal (gtk_window_get_transient_for (GTK_WINDOW (self)), error->message);

  if (ADW_MESSAGE_DIALOG_CLASS (jz_transfer_dialog_parent_class)->response != NULL)
    ADW_MESSAGE_DIALOG_CLASS (jz_transfer_dialog_parent_class)->response (dialog, response);
}

static void
jz_transfer_dialog_dispose (GObject *object)
{
  JzTransferDialog *self = JZ_TRANSFER_DIALOG (object);

  g_clear_object (&self->store);
  g_clear_object (&self->stations);
  g_clear_pointer (&self->episode, jz_episode_free);
  g_clear_pointer (&self->target, g_free);
  G_OBJECT_CLASS (jz_transfer_dialog_parent_class)->dispose (object);
}

static void
jz_transfer_dialog_class_init (JzTransferDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->dispose = jz_transfer_dialog_dispose;
  dialog_class->response = jz_transfer_dialog_response;
}

static void
jz_transfer_dialog_init (JzTransferDialog *self)
{
}

JzTransferDialog *
jz_transfer_dialog_new (GtkWindow  *parent,
                        JzStore    *store,
                        const char *episode_id)
{
  JzTransferDialog *self;
  g_autoptr(JzPerson) person = NULL;
  g_autofree char *name = NULL;
  GtkWidget *box, *list;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);
  g_return_val_if_fail (episode_id != NULL, NULL);

  self = g_object_new (JZ_TYPE_TRANSFER_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       "heading", _("Transfer the Case to Another Station"),
                       NULL);
  self->store = g_object_ref (store);
  self->episode = jz_store_get_episode (store, episode_id, NULL);
  if (self->episode != NULL)
    person = jz_store_get_person (store, self->episode->person_id, NULL);
  name = person ? jz_person_display_name (person) : g_strdup (_("this person"));
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (self),
                                  _("Episode %s of %s belongs to station %s. After the transfer (提级办理 / 转送) the "
                                    "receiving station takes the case over and receives the person’s whole file. "
                                    "The hub commits the transfer when this device next syncs."),
                                  self->episode && self->episode->number ? self->episode->number : "",
                                  name,
                                  self->episode ? self->episode->rec.station : "");

  self->stations = known_stations (store, self->episode ? self->episode->rec.station : NULL);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  self->station_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->station_row), _("Receiving station"));
  adw_combo_row_set_model (self->station_row, G_LIST_MODEL (self->stations));
  gtk_widget_set_visible (GTK_WIDGET (self->station_row),
                          g_list_model_get_n_items (G_LIST_MODEL (self->stations)) > 0);
  self->code_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->code_row),
                                 g_list_model_get_n_items (G_LIST_MODEL (self->stations)) > 0
                                   ? _("Or type another station code") : _("Station code"));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (self->station_row));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (self->code_row));
  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_box_append (GTK_BOX (box), list);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->error_label));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (self), box);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (self),
                                    "cancel", _("_Cancel"),
                                    "transfer", _("_Transfer"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (self), "transfer", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (self), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (self), "cancel");

  g_signal_connect_object (self->station_row, "notify::selected", G_CALLBACK (update_target), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->code_row, "changed", G_CALLBACK (update_target), self, G_CONNECT_SWAPPED);
  update_target (self);
  return self;
}

const char *
jz_transfer_dialog_get_target (JzTransferDialog *self)
{
  g_return_val_if_fail (JZ_IS_TRANSFER_DIALOG (self), NULL);
  return self->target;
}

void
jz_transfer_dialog_set_target (JzTransferDialog *self,
                               const char       *code)
{
  g_return_if_fail (JZ_IS_TRANSFER_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), code ? code : "");
}

gboolean
jz_transfer_dialog_apply (JzTransferDialog  *self,
                          GError           **error)
{
  g_return_val_if_fail (JZ_IS_TRANSFER_DIALOG (self), FALSE);

  if (self->episode == NULL || self->target == NULL)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID, "%s", _("Choose the receiving station first."));
      return FALSE;
    }
  return jz_sync_transfer (self->store, "episode", self->episode->rec.id, self->target, error);
}
