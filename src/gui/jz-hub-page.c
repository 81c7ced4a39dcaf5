/* jz-hub-page.c: Preferences → Hub
 *
 * The address and code are checked here first, so that a typo is
 * explained next to the field at once instead of after a network
 * timeout. The enrolment then runs on a connection of its own in a GTask
 * thread (the UI thread's store is never used from another thread), and
 * the result comes back to the UI thread; the page stays usable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-hub-page"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "jz-gui-util.h"
#include "jz-hub-page.h"
#include "jz-sync-engine.h"
#include "jz-sync-text.h"

enum
{
  FIELD_URL,
  FIELD_CODE,
  FIELD_PIN,
  N_FIELDS
};

struct _JzHubPage
{
  AdwPreferencesPage    parent_instance;

  /* template widgets */
  AdwPreferencesGroup  *enrol_group;
  AdwPreferencesGroup  *enrol_actions_group;
  AdwEntryRow          *url_row;
  AdwEntryRow          *code_row;
  AdwEntryRow          *pin_row;
  GtkLabel             *url_error;
  GtkLabel             *code_error;
  GtkLabel             *pin_error;
  GtkSpinner           *spinner;
  GtkWidget            *working_label;
  GtkWidget            *enrol_button;
  AdwPreferencesGroup  *device_group;
  AdwActionRow         *state_row;
  AdwActionRow         *hub_row;
  AdwActionRow         *station_row;
  AdwActionRow         *level_row;
  AdwActionRow         *device_row;
  AdwActionRow         *since_row;
  AdwActionRow         *pin_info_row;
  AdwPreferencesGroup  *unenrol_group;

  /* owned */
  JzStore              *store;
  JzSyncClient         *client;
  gboolean              busy;
  gboolean              disposed;
};

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (JzHubPage, jz_hub_page, ADW_TYPE_PREFERENCES_PAGE)

typedef struct
{
  char *db_path;
  char *url;
  char *code;
  char *pin;
} EnrolData;

static void
enrol_data_free (EnrolData *d)
{
  g_free (d->db_path);
  g_free (d->url);
  g_free (d->code);
  g_free (d->pin);
  g_free (d);
}

static void
set_field_error (JzHubPage  *self,
                 int         field,
                 const char *text)
{
  AdwEntryRow *rows[N_FIELDS] = { self->url_row, self->code_row, self->pin_row };
  GtkLabel *labels[N_FIELDS] = { self->url_error, self->code_error, self->pin_error };
  const char *names[N_FIELDS] = { _("Hub address"), _("Enrolment code"), _("Certificate pin") };
  /* Translators: a field's name, then what is wrong with it. */
  g_autofree char *shown = text ? g_strdup_printf (_("%s: %s"), names[field], text) : NULL;

  gtk_label_set_text (labels[field], shown ? shown : "");
  gtk_widget_set_visible (GTK_WIDGET (labels[field]), text != NULL);
  if (text != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (rows[field]), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (rows[field]), "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (rows[field]),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text ? text : "", -1);
  if (text != NULL)
    gtk_accessible_update_state (GTK_ACCESSIBLE (rows[field]), GTK_ACCESSIBLE_STATE_INVALID,
                                 GTK_ACCESSIBLE_INVALID_TRUE, -1);
  else
    gtk_accessible_reset_state (GTK_ACCESSIBLE (rows[field]), GTK_ACCESSIBLE_STATE_INVALID);
}

static char *
row_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static void
refresh (JzHubPage *self)
{
  JzSyncStatus status = { 0 };
  gboolean enrolled = FALSE;
  g_autofree char *since = NULL;
  g_autofree char *station = NULL;
  gint64 since_s = 0;

  if (self->disposed)
    return;
  if (self->store != NULL)
    {
      g_autofree char *at = jz_store_get_meta (self->store, JZ_HUB_ENROLLED_AT_KEY);

      enrolled = jz_sync_read_status (self->store, &status);
      since_s = at ? g_ascii_strtoll (at, NULL, 10) : 0;
      station = g_strdup_printf ("%s (%s)", jz_store_get_station_name (self->store),
                                 jz_store_get_station_code (self->store));
    }

  gtk_widget_set_visible (GTK_WIDGET (self->enrol_group), !enrolled);
  gtk_widget_set_visible (GTK_WIDGET (self->enrol_actions_group), !enrolled);
  gtk_widget_set_visible (GTK_WIDGET (self->device_group), enrolled);
  gtk_widget_set_visible (GTK_WIDGET (self->unenrol_group), enrolled);

  if (enrolled)
    {
      JzSyncState state = self->client ? jz_sync_client_get_state (self->client) : JZ_SYNC_STATE_OFFLINE;

      adw_action_row_set_subtitle (self->state_row, jz_sync_state_label (state));
      adw_action_row_set_subtitle (self->hub_row, status.hub_url);
      adw_action_row_set_subtitle (self->station_row, station);
      adw_action_row_set_subtitle (self->level_row,
                                   g_strcmp0 (status.level, "hub") == 0
                                     ? _("Hub workstation: receives every station’s records")
                                     : _("Station device: sends this station’s records, receives the regional registry"));
      adw_action_row_set_subtitle (self->device_row, status.device);
      if (since_s > 0)
        {
          g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (since_s);
          since = g_date_time_format (dt, "%Y-%m-%d %H:%M");
        }
      adw_action_row_set_subtitle (self->since_row, since ? since : _("Not recorded (enrolled with an older version or the command line)"));
      gtk_widget_set_visible (GTK_WIDGET (self->pin_info_row), status.pin != NULL);
      adw_action_row_set_subtitle (self->pin_info_row, status.pin ? status.pin : "");
    }
  jz_sync_status_clear (&status);
}

static void
set_busy (JzHubPage *self,
          gboolean   busy)
{
  self->busy = busy;
  if (!self->disposed)
    {
      gtk_spinner_set_spinning (self->spinner, busy);
      gtk_widget_set_visible (self->working_label, busy);
      gtk_widget_set_sensitive (self->enrol_button, !busy);
      gtk_widget_set_sensitive (GTK_WIDGET (self->enrol_group), !busy);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
on_field_changed (JzHubPage *self,
                  GtkEditable *editable)
{
  g_autofree char *url = row_text (self->url_row);

  /* A new attempt: the old complaint about this field no longer applies. */
  if (editable == GTK_EDITABLE (self->url_row))
    set_field_error (self, FIELD_URL, NULL);
  else if (editable == GTK_EDITABLE (self->code_row))
    set_field_error (self, FIELD_CODE, NULL);
  else if (editable == GTK_EDITABLE (self->pin_row))
    set_field_error (self, FIELD_PIN, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->pin_row), g_str_has_prefix (url, "https://"));
}

/* Worker thread: a connection of its own. */
static void
enrol_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  EnrolData *d = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = jz_store_open (d->db_path, &error);
  g_autofree char *pin = NULL;
  g_autofree char *now = NULL;

  if (store == NULL || !jz_sync_enrol (store, d->url, d->code, d->pin, &pin, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  now = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);
  if (!jz_store_set_meta (store, JZ_HUB_ENROLLED_AT_KEY, now, &error))
    g_debug ("Cannot note the enrolment time: %s", error->message);
  g_task_return_pointer (task, g_steal_pointer (&pin), g_free);
}

static void
on_enrolled (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  JzHubPage *self = JZ_HUB_PAGE (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *pin = g_task_propagate_pointer (G_TASK (result), &error);

  set_busy (self, FALSE);
  if (error == NULL && self->client != NULL)
    {
      jz_sync_client_reload (self->client);
      jz_sync_client_start (self->client);
    }
  if (self->disposed)
    return;

  if (error != NULL)
    {
      int field = jz_sync_enrol_error_field (error);
      g_autofree char *text = NULL;

      if (field == FIELD_URL && (g_error_matches (error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_NETWORK) ||
                                 g_error_matches (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_UNAVAILABLE)))
        text = g_strdup_printf (_("No hub answers at this address. Check the address with the hub’s staff "
                                  "and that this computer is connected to the network. (%s)"), error->message);
      else if (field == FIELD_CODE && error->domain == JZ_PROTOCOL_ERROR &&
               error->code == JZ_PROTOCOL_ERROR_UNAUTHORIZED)
        text = g_strdup_printf (_("The hub does not accept this code: it may be mistyped, used already or "
                                  "expired. Ask the hub’s staff for a new one. (%s)"), error->message);
      else if (field == FIELD_CODE && error->domain == JZ_PROTOCOL_ERROR &&
               error->code == JZ_PROTOCOL_ERROR_RATE_LIMITED)
        text = g_strdup (_("Too many attempts in a short time; wait a minute and try again."));
      else if (field == FIELD_CODE)
        text = g_strdup_printf (_("This code was made for another station or level; ask the hub’s staff for a "
                                  "code for this station. (%s)"), error->message);
      else if (field == FIELD_PIN)
        text = g_strdup_printf (_("The hub’s certificate does not match this pin. Check the pin with the "
                                  "hub’s staff; do not enrol until it matches. (%s)"), error->message);
      else
        text = g_strdup_printf (_("The enrolment did not succeed: %s"), error->message);
      set_field_error (self, field, text);
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  refresh (self);
  {
    g_autofree char *toast = pin != NULL
      ? g_strdup_printf (_("Enrolled. Check with the hub’s staff that the hub’s certificate pin is %s"), pin)
      : g_strdup (_("Enrolled. The first sync starts now."));
    GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_PREFERENCES_WINDOW);

    if (window != NULL)
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (window), adw_toast_new (toast));
  }
}

static void
on_enrol (JzHubPage *self)
{
  g_autofree char *url = row_text (self->url_row);
  g_autofree char *code = row_text (self->code_row);
  g_autofree char *pin = row_text (self->pin_row);
  g_autofree char *url_problem = jz_sync_check_hub_url (url);
  g_autofree char *code_problem = jz_sync_check_enrol_code (code);
  g_autofree char *pin_problem = NULL;
  g_autoptr(GTask) task = NULL;
  EnrolData *d;

  if (self->busy || self->store == NULL)
    return;
  if (!g_str_has_prefix (url, "https://") || pin[0] == '\0')
    g_clear_pointer (&pin, g_free);
  if (pin != NULL && (!g_str_has_prefix (pin, "sha256//") || strlen (pin) < 20))
    pin_problem = g_strdup (_("A pin looks like sha256//… followed by 44 letters and digits, as the hub’s staff read it out; or leave it empty and compare the pin shown after enrolling"));
  set_field_error (self, FIELD_URL, url_problem);
  set_field_error (self, FIELD_CODE, code_problem);
  set_field_error (self, FIELD_PIN, pin_problem);
  if (url_problem != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->url_row));
  else if (code_problem != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
  else if (pin_problem != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->pin_row));
  if (url_problem != NULL || code_problem != NULL || pin_problem != NULL)
    return;

  d = g_new0 (EnrolData, 1);
  d->db_path = g_strdup (jz_store_get_path (self->store));
  d->url = g_steal_pointer (&url);
  d->code = g_steal_pointer (&code);
  d->pin = g_steal_pointer (&pin);
  task = g_task_new (self, NULL, on_enrolled, NULL);
  g_task_set_source_tag (task, on_enrol);
  g_task_set_task_data (task, d, (GDestroyNotify) enrol_data_free);
  set_busy (self, TRUE);
  g_task_run_in_thread (task, enrol_thread);
}

static void
on_unenrol_response (AdwMessageDialog *dialog,
                     const char       *response,
                     JzHubPage        *self)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *window;

  if (!g_str_equal (response, "unenrol") || self->store == NULL)
    return;
  if (!jz_sync_unenrol (self->store, &error))
    {
      g_autofree char *text = g_strdup_printf (_("The device could not be unenrolled: %s"), error->message);

      window = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_PREFERENCES_WINDOW);
      if (window != NULL)
        adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (window), adw_toast_new (text));
      return;
    }
  jz_store_set_meta (self->store, JZ_HUB_ENROLLED_AT_KEY, "", NULL);
  if (self->client != NULL)
    jz_sync_client_reload (self->client);
  refresh (self);
  window = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_PREFERENCES_WINDOW);
  if (window != NULL)
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (window),
                                      adw_toast_new (_("Unenrolled. Everything recorded here stays on this computer.")));
}

static void
on_unenrol_clicked (JzHubPage *self)
{
  JzSyncStatus status = { 0 };
  GtkWidget *dialog;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  jz_sync_read_status (self->store, &status);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Unenrol This Device?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("This device stops syncing with the hub at %s. Everything recorded here stays "
                                    "on this computer, including %s. To sync again it needs a new enrolment code "
                                    "from the hub’s staff."),
                                  status.hub_url ? status.hub_url : _("the hub"),
                                  status.pending > 0 ? ngettext ("the change not yet sent", "the changes not yet sent", (gulong) status.pending)
                                                     : _("what was synced"));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "unenrol", _("_Unenrol"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "unenrol", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_unenrol_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  jz_sync_status_clear (&status);
}

static void
jz_hub_page_dispose (GObject *object)
{
  JzHubPage *self = JZ_HUB_PAGE (object);

  self->disposed = TRUE;
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->store);
  /* The client is kept until a running enrolment has told it. */
  if (!self->busy)
    g_clear_object (&self->client);
  gtk_widget_dispose_template (GTK_WIDGET (self), JZ_TYPE_HUB_PAGE);
  G_OBJECT_CLASS (jz_hub_page_parent_class)->dispose (object);
}

static void
jz_hub_page_finalize (GObject *object)
{
  JzHubPage *self = JZ_HUB_PAGE (object);

  g_clear_object (&self->client);
  G_OBJECT_CLASS (jz_hub_page_parent_class)->finalize (object);
}

static void
jz_hub_page_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  JzHubPage *self = JZ_HUB_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_hub_page_class_init (JzHubPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jz_hub_page_dispose;
  object_class->finalize = jz_hub_page_finalize;
  object_class->get_property = jz_hub_page_get_property;

  /* TRUE while an enrolment is under way. */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  jz_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiuzhu/Station/ui/jz-hub-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, enrol_group);
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, enrol_actions_group);
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, url_row);
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, code_row);
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, pin_row);
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, url_error);
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, code_error);
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, pin_error);
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, working_label);
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, enrol_button);
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, device_group);
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, state_row);
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, hub_row);
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, station_row);
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, level_row);
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, device_row);
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, since_row);
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, pin_info_row);
  gtk_widget_class_bind_template_child (widget_class, JzHubPage, unenrol_group);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_enrol);
  gtk_widget_class_bind_template_callback (widget_class, on_unenrol_clicked);
}

static void
jz_hub_page_init (JzHubPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

JzHubPage *
jz_hub_page_new (JzStore      *store,
                 JzSyncClient *client)
{
  JzHubPage *self;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);
  g_return_val_if_fail (client == NULL || JZ_IS_SYNC_CLIENT (client), NULL);

  self = g_object_new (JZ_TYPE_HUB_PAGE, NULL);
  self->store = g_object_ref (store);
  if (client != NULL)
    {
      self->client = g_object_ref (client);
      g_signal_connect_object (client, "notify::state", G_CALLBACK (refresh), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (client, "notify::enrolled", G_CALLBACK (refresh), self, G_CONNECT_SWAPPED);
    }
  refresh (self);
  return self;
}

gboolean
jz_hub_page_is_busy (JzHubPage *self)
{
  g_return_val_if_fail (JZ_IS_HUB_PAGE (self), FALSE);
  return self->busy;
}
