/* jz-sync-indicator.c: the header-bar sync indicator
 *
 * Everything shown follows the client's properties (notify::), which the
 * client only changes on the UI thread. Relative times ("5 minutes ago")
 * are redrawn every half minute.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-sync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "jz-gui-util.h"
#include "jz-sync-indicator.h"
#include "jz-sync-text.h"

#define REFRESH_SECONDS 30
#define POPOVER_WIDTH   340

struct _JzSyncIndicator
{
  GtkWidget      parent_instance;

  /* template widgets */
  GtkMenuButton *button;
  GtkStack      *icon_stack;
  GtkImage      *state_icon;
  GtkSpinner    *spinner;
  GtkLabel      *state_label;
  GtkLabel      *pending_label;
  GtkLabel      *when_label;
  GtkPopover    *popover;
  GtkWidget     *popover_box;
  GtkImage      *popover_icon;
  GtkLabel      *popover_title;
  GtkLabel      *popover_description;
  GtkWidget     *details_grid;
  GtkLabel      *hub_label;
  GtkLabel      *last_label;
  GtkLabel      *pending_detail_label;
  GtkLabel      *error_label;
  GtkWidget     *enrol_button;
  GtkWidget     *sync_now_button;

  /* owned */
  JzSyncClient  *client;
  char          *summary;
  guint          refresh_id;
  guint          present_id;
  gboolean       compact;
};

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_SUMMARY,
  PROP_COMPACT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (JzSyncIndicator, jz_sync_indicator, GTK_TYPE_WIDGET)

static void
set_class (GtkWidget  *widget,
           const char *css_class,
           gboolean    on)
{
  if (on)
    gtk_widget_add_css_class (widget, css_class);
  else
    gtk_widget_remove_css_class (widget, css_class);
}

static gboolean
present_popover (gpointer user_data)
{
  JzSyncIndicator *self = user_data;

  self->present_id = 0;
  if (gtk_widget_get_visible (GTK_WIDGET (self->popover)))
    gtk_popover_present (self->popover);
  return G_SOURCE_REMOVE;
}

static void
update (JzSyncIndicator *self)
{
  JzSyncState state = JZ_SYNC_STATE_NOT_ENROLLED;
  gint64 pending = 0, last_success = 0;
  const char *last_error = NULL, *hub_url = NULL;
  gboolean enrolled = FALSE;
  GQuark domain = 0;
  int code = 0;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *when = NULL;
  g_autofree char *pending_text = NULL;
  g_autofree char *explained = NULL;
  g_autofree char *count = NULL;
  g_autofree char *when_short = NULL;
  g_autoptr(GString) summary = g_string_new (NULL);
  gboolean syncing, show_when;

  if (self->client != NULL)
    {
      state = jz_sync_client_get_state (self->client);
      pending = jz_sync_client_get_pending (self->client);
      last_success = jz_sync_client_get_last_success (self->client);
      last_error = jz_sync_client_get_last_error (self->client);
      hub_url = jz_sync_client_get_hub_url (self->client);
      enrolled = jz_sync_client_get_enrolled (self->client);
      jz_sync_client_get_last_error_code (self->client, &domain, &code);
    }
  if (!enrolled)
    state = JZ_SYNC_STATE_NOT_ENROLLED;
  syncing = state == JZ_SYNC_STATE_SYNCING;

  when = jz_sync_format_when (last_success, now);
  pending_text = jz_sync_format_pending (pending);
  explained = state == JZ_SYNC_STATE_UP_TO_DATE || state == JZ_SYNC_STATE_NOT_ENROLLED || syncing
                ? NULL : jz_sync_explain_error (domain, code, last_error, hub_url);

  /* The button */
  gtk_image_set_from_icon_name (self->state_icon, jz_sync_state_icon_name (state));
  gtk_stack_set_visible_child_name (self->icon_stack, syncing ? "spinner" : "icon");
  gtk_spinner_set_spinning (self->spinner, syncing);
  gtk_label_set_text (self->state_label, jz_sync_state_label (state));
  gtk_widget_set_visible (GTK_WIDGET (self->state_label), !self->compact);
  set_class (GTK_WIDGET (self->state_icon), "error", state == JZ_SYNC_STATE_ERROR);
  set_class (GTK_WIDGET (self->state_label), "error", state == JZ_SYNC_STATE_ERROR);
  set_class (GTK_WIDGET (self->state_icon), "success", state == JZ_SYNC_STATE_UP_TO_DATE);
  set_class (GTK_WIDGET (self->state_label), "dim-label", state == JZ_SYNC_STATE_NOT_ENROLLED);

  count = g_strdup_printf ("%" G_GINT64_FORMAT, pending);
  gtk_label_set_text (self->pending_label, count);
  gtk_widget_set_visible (GTK_WIDGET (self->pending_label), enrolled && pending > 0);

  /* How stale things are matters when the hub is not reached. */
  show_when = !self->compact && enrolled && last_success > 0 &&
              (state == JZ_SYNC_STATE_OFFLINE || state == JZ_SYNC_STATE_ERROR);
  when_short = g_strdup_printf (_("last sync %s"), when);
  gtk_label_set_text (self->when_label, when_short);
  gtk_widget_set_visible (GTK_WIDGET (self->when_label), show_when);

  g_string_append (summary, jz_sync_state_label (state));
  if (enrolled)
    {
      g_string_append (summary, " · ");
      g_string_append (summary, pending_text);
      g_string_append (summary, " · ");
      g_string_append (summary, when_short);
    }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), summary->str);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, summary->str, -1);
  if (g_strcmp0 (self->summary, summary->str) != 0)
    {
      g_free (self->summary);
      self->summary = g_strdup (summary->str);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
    }

  /* The popover */
  gtk_image_set_from_icon_name (self->popover_icon, jz_sync_state_icon_name (state));
  gtk_label_set_text (self->popover_title, jz_sync_state_label (state));
  gtk_label_set_text (self->popover_description, jz_sync_state_description (state));
  gtk_widget_set_visible (self->details_grid, enrolled);
  gtk_label_set_text (self->hub_label, hub_url ? hub_url : "");
  gtk_label_set_text (self->last_label, when);
  gtk_label_set_text (self->pending_detail_label, pending_text);
  gtk_label_set_text (self->error_label, explained ? explained : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), explained != NULL);
  /* Offline is ordinary for a station; red is for what needs a person. */
  set_class (GTK_WIDGET (self->error_label), "error", state == JZ_SYNC_STATE_ERROR);
  gtk_widget_set_visible (self->enrol_button, !enrolled);
  gtk_widget_set_visible (self->sync_now_button, enrolled);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sync.now", enrolled && !syncing);

  /* GTK 4.8 sizes a popover from a height measured without a width, too
   * short for wrapped text (more so in Chinese): the content, whose width
   * is fixed, asks for the height it needs at that width. */
  {
    int width, height;

    gtk_widget_set_size_request (self->popover_box, POPOVER_WIDTH, -1);
    gtk_widget_measure (self->popover_box, GTK_ORIENTATION_HORIZONTAL, -1, &width, NULL, NULL, NULL);
    gtk_widget_measure (self->popover_box, GTK_ORIENTATION_VERTICAL, width, &height, NULL, NULL, NULL);
    /* The measure includes the margins; the request does not. */
    height -= gtk_widget_get_margin_top (self->popover_box) + gtk_widget_get_margin_bottom (self->popover_box);
    gtk_widget_set_size_request (self->popover_box, POPOVER_WIDTH, height);
  }

  /* An open popover whose text grew (the sync failed while it was shown)
   * keeps its old size unless it is presented again. */
  if (gtk_widget_get_visible (GTK_WIDGET (self->popover)) && self->present_id == 0)
    self->present_id = g_idle_add_full (G_PRIORITY_LOW, present_popover, self, NULL);
}

static gboolean
on_refresh (gpointer user_data)
{
  update (user_data);
  return G_SOURCE_CONTINUE;
}

static void
on_popover_button_clicked (JzSyncIndicator *self)
{
  gtk_popover_popdown (self->popover);
}

static void
sync_now_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  JzSyncIndicator *self = JZ_SYNC_INDICATOR (widget);

  if (self->client != NULL)
    jz_sync_client_sync_now (self->client);
  gtk_popover_popdown (self->popover);
}

static void
jz_sync_indicator_dispose (GObject *object)
{
  JzSyncIndicator *self = JZ_SYNC_INDICATOR (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_handle_id (&self->present_id, g_source_remove);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  gtk_widget_dispose_template (GTK_WIDGET (self), JZ_TYPE_SYNC_INDICATOR);
  G_OBJECT_CLASS (jz_sync_indicator_parent_class)->dispose (object);
}

static void
jz_sync_indicator_finalize (GObject *object)
{
  JzSyncIndicator *self = JZ_SYNC_INDICATOR (object);

  g_free (self->summary);
  G_OBJECT_CLASS (jz_sync_indicator_parent_class)->finalize (object);
}

static void
jz_sync_indicator_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  JzSyncIndicator *self = JZ_SYNC_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;
    case PROP_COMPACT:
      g_value_set_boolean (value, self->compact);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_sync_indicator_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  JzSyncIndicator *self = JZ_SYNC_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      jz_sync_indicator_set_client (self, g_value_get_object (value));
      break;
    case PROP_COMPACT:
      jz_sync_indicator_set_compact (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_sync_indicator_class_init (JzSyncIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jz_sync_indicator_dispose;
  object_class->finalize = jz_sync_indicator_finalize;
  object_class->get_property = jz_sync_indicator_get_property;
  object_class->set_property = jz_sync_indicator_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, JZ_TYPE_SYNC_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Only the icon and the count, for narrow header bars. */
  properties[PROP_COMPACT] =
    g_param_spec_boolean ("compact", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  jz_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiuzhu/Station/ui/jz-sync-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, JzSyncIndicator, button);
  gtk_widget_class_bind_template_child (widget_class, JzSyncIndicator, icon_stack);
  gtk_widget_class_bind_template_child (widget_class, JzSyncIndicator, state_icon);
  gtk_widget_class_bind_template_child (widget_class, JzSyncIndicator, spinner);
  gtk_widget_class_bind_template_child (widget_class, JzSyncIndicator, state_label);
  gtk_widget_class_bind_template_child (widget_class, JzSyncIndicator, pending_label);
  gtk_widget_class_bind_template_child (widget_class, JzSyncIndicator, when_label);
  gtk_widget_class_bind_template_child (widget_class, JzSyncIndicator, popover);
  gtk_widget_class_bind_template_child (widget_class, JzSyncIndicator, popover_box);
  gtk_widget_class_bind_template_child (widget_class, JzSyncIndicator, popover_icon);
  gtk_widget_class_bind_template_child (widget_class, JzSyncIndicator, popover_title);
  gtk_widget_class_bind_template_child (widget_class, JzSyncIndicator, popover_description);
  gtk_widget_class_bind_template_child (widget_class, JzSyncIndicator, details_grid);
  gtk_widget_class_bind_template_child (widget_class, JzSyncIndicator, hub_label);
  gtk_widget_class_bind_template_child (widget_class, JzSyncIndicator, last_label);
  gtk_widget_class_bind_template_child (widget_class, JzSyncIndicator, pending_detail_label);
  gtk_widget_class_bind_template_child (widget_class, JzSyncIndicator, error_label);
  gtk_widget_class_bind_template_child (widget_class, JzSyncIndicator, enrol_button);
  gtk_widget_class_bind_template_child (widget_class, JzSyncIndicator, sync_now_button);
  gtk_widget_class_bind_template_callback (widget_class, on_popover_button_clicked);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "jzsyncindicator");

  gtk_widget_class_install_action (widget_class, "sync.now", NULL, sync_now_action);
}

static void
jz_sync_indicator_init (JzSyncIndicator *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update (self);
}

JzSyncIndicator *
jz_sync_indicator_new (JzSyncClient *client)
{
  return g_object_new (JZ_TYPE_SYNC_INDICATOR, "client", client, NULL);
}

JzSyncClient *
jz_sync_indicator_get_client (JzSyncIndicator *self)
{
  g_return_val_if_fail (JZ_IS_SYNC_INDICATOR (self), NULL);
  return self->client;
}

void
jz_sync_indicator_set_client (JzSyncIndicator *self,
                              JzSyncClient    *client)
{
  g_return_if_fail (JZ_IS_SYNC_INDICATOR (self));
  g_return_if_fail (client == NULL || JZ_IS_SYNC_CLIENT (client));

  if (self->client == client)
    return;
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_set_object (&self->client, client);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (client != NULL)
    {
      g_signal_connect_object (client, "notify", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
      self->refresh_id = g_timeout_add_seconds (REFRESH_SECONDS, on_refresh, self);
    }
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

void
jz_sync_indicator_set_compact (JzSyncIndicator *self,
                               gboolean         compact)
{
  g_return_if_fail (JZ_IS_SYNC_INDICATOR (self));

  if (self->compact == !!compact)
    return;
  self->compact = !!compact;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPACT]);
}

const char *
jz_sync_indicator_get_summary (JzSyncIndicator *self)
{
  g_return_val_if_fail (JZ_IS_SYNC_INDICATOR (self), NULL);
  return self->summary;
}
