/* jz-sync-view.c: the "Hub & sync" area
 *
 * The state rows follow the JzSyncClient's properties (notify::). The
 * Conflicts list is read from the UI's store and read again when the
 * store says that conflicts (or the records they name) changed, which it
 * also does for changes pulled from the hub, so a conflict decided on
 * another device leaves the list here without a restart.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-sync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "jz-conflicts.h"
#include "jz-gui-util.h"
#include "jz-sync-text.h"
#include "jz-sync-view.h"

#define REFRESH_SECONDS   30
#define MAX_CONFLICTS     100
#define MAX_HISTORY       10

struct _JzSyncView
{
  GtkWidget             parent_instance;

  /* template widgets */
  GtkStack             *stack;
  AdwStatusPage        *not_enrolled_page;
  GtkLabel             *not_enrolled_pending_label;
  GtkWidget            *sync_now_button;
  AdwActionRow         *state_row;
  GtkStack             *state_icon_stack;
  GtkImage             *state_icon;
  GtkSpinner           *state_spinner;
  AdwActionRow         *problem_row;
  AdwActionRow         *hub_row;
  AdwActionRow         *last_row;
  AdwActionRow         *pending_row;
  AdwActionRow         *scope_row;
  GtkLabel             *conflicts_title;
  GtkLabel             *conflicts_feedback;
  GtkWidget            *no_conflicts_list;
  GtkBox               *conflicts_list;
  AdwPreferencesGroup  *history_group;
  GtkWidget            *no_history_row;

  /* owned */
  JzStore              *store;
  JzSyncClient         *client;
  GPtrArray            *cards;          /* conflict cards in conflicts_list */
  GPtrArray            *history_rows;   /* newest first */
  GHashTable           *received;       /* tables pulled since the last run ended */
  char                 *signature;      /* of the conflicts shown */
  guint                 reload_id;
  guint                 refresh_id;
};

enum {
  PROP_0,
  PROP_STORE,
  PROP_CLIENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (JzSyncView, jz_sync_view, GTK_TYPE_WIDGET)

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

static void
update_status (JzSyncView *self)
{
  JzSyncStatus status = { 0 };
  JzSyncState state = JZ_SYNC_STATE_NOT_ENROLLED;
  gint64 pending = 0, last_success = 0;
  const char *last_error = NULL, *hub_url = NULL;
  gboolean enrolled = FALSE;
  GQuark domain = 0;
  int code = 0;
  g_autofree char *when = NULL;
  g_autofree char *pending_text = NULL;
  g_autofree char *explained = NULL;
  gboolean syncing;

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
  else if (self->store != NULL)
    {
      /* No sync running (e.g. a window made without the application):
       * what the store remembers. */
      enrolled = jz_sync_read_status (self->store, &status);
      state = enrolled ? JZ_SYNC_STATE_OFFLINE : JZ_SYNC_STATE_NOT_ENROLLED;
      pending = status.pending;
      last_success = status.last_success;
      last_error = status.last_error;
      hub_url = status.hub_url;
    }
  if (!enrolled)
    state = JZ_SYNC_STATE_NOT_ENROLLED;
  syncing = state == JZ_SYNC_STATE_SYNCING;

  gtk_stack_set_visible_child_name (self->stack, enrolled ? "enrolled" : "not-enrolled");
  if (!enrolled)
    {
      g_autofree char *text = NULL;

      if (pending > 0)
        text = g_strdup_printf (ngettext ("%d change recorded here will be sent to the hub once this device is enrolled.",
                                          "%d changes recorded here will be sent to the hub once this device is enrolled.",
                                          (gulong) MIN (pending, G_MAXINT)),
                                (int) MIN (pending, G_MAXINT));
      gtk_label_set_text (self->not_enrolled_pending_label, text ? text : "");
      gtk_widget_set_visible (GTK_WIDGET (self->not_enrolled_pending_label), text != NULL);
    }

  when = jz_sync_format_when (last_success, g_get_real_time () / G_USEC_PER_SEC);
  pending_text = jz_sync_format_pending (pending);
  explained = state == JZ_SYNC_STATE_OFFLINE || state == JZ_SYNC_STATE_ERROR
                ? jz_sync_explain_error (domain, code, last_error, hub_url) : NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->state_row), jz_sync_state_label (state));
  adw_action_row_set_subtitle (self->state_row, jz_sync_state_description (state));
  gtk_image_set_from_icon_name (self->state_icon, jz_sync_state_icon_name (state));
  set_class (GTK_WIDGET (self->state_icon), "error", state == JZ_SYNC_STATE_ERROR);
  set_class (GTK_WIDGET (self->state_icon), "success", state == JZ_SYNC_STATE_UP_TO_DATE);
  gtk_stack_set_visible_child_name (self->state_icon_stack, syncing ? "spinner" : "icon");
  gtk_spinner_set_spinning (self->state_spinner, syncing);

  gtk_widget_set_visible (GTK_WIDGET (self->problem_row), explained != NULL);
  adw_action_row_set_subtitle (self->problem_row, explained ? explained : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->problem_row), last_error);

  adw_action_row_set_subtitle (self->hub_row, hub_url ? hub_url : "");
  adw_action_row_set_subtitle (self->last_row, when);
  adw_action_row_set_subtitle (self->pending_row, pending_text);
  if (self->store != NULL)
    adw_action_row_set_subtitle (self->scope_row,
                                 jz_store_get_station_level (self->store) == JZ_STATION_LEVEL_HUB
                                   ? _("Every station’s records in the region, as a hub workstation. Open a case to transfer it to another station (提级办理 / 转送).")
                                   : _("This station’s records, cases transferred to it, and the regional person registry, so that intake finds people already known at other stations (跑站)."));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sync.now", self->client != NULL && enrolled && !syncing);
  jz_sync_status_clear (&status);
}

/* Conflicts */

static void
show_feedback (JzSyncView *self,
               const char *text,
               gboolean    is_error)
{
  gtk_label_set_text (self->conflicts_feedback, text);
  set_class (GTK_WIDGET (self->conflicts_feedback), "error", is_error);
  set_class (GTK_WIDGET (self->conflicts_feedback), "success", !is_error);
  gtk_widget_set_visible (GTK_WIDGET (self->conflicts_feedback), text != NULL);
}

static void reload_conflicts (JzSyncView *self);
static char *conflicts_signature (JzSyncView *self);

static void
on_keep_clicked (GtkButton  *button,
                 JzSyncView *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), "conflict-id");
  const char *done = g_object_get_data (G_OBJECT (button), "done-text");
  JzConflictChoice choice = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "choice"));
  g_autoptr(GError) error = NULL;

  if (self->store == NULL || id == NULL)
    return;
  if (!jz_store_resolve_conflict (self->store, id, choice, &error))
    {
      g_autofree char *text = g_strdup_printf (_("The decision was not saved: %s"), error->message);

      show_feedback (self, text, TRUE);
      reload_conflicts (self);
      return;
    }
  show_feedback (self, done, FALSE);
  /* The store's "changed" reloads the list and wakes the sync. */
}

static GtkWidget *
make_label (const char *text,
            const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static GtkWidget *
make_side (JzSyncView     *self,
           JzConflictInfo *info,
           const char     *what,
           gboolean        set_aside)
{
  const JzConflictSide *side = set_aside ? &info->set_aside : &info->current;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *caption, *value, *who, *when, *button;
  g_autofree char *shown = jz_sync_format_value (info->field, side->value);
  g_autofree char *who_text = NULL;
  g_autofree char *when_text = NULL;
  g_autofree char *a11y = NULL;
  g_autofree char *done = NULL;

  caption = make_label (set_aside ? _("Set aside") : _("In the record now"), "caption-heading");
  gtk_widget_add_css_class (caption, "dim-label");
  value = make_label (shown, "title-4");
  gtk_label_set_selectable (GTK_LABEL (value), TRUE);

  if (side->station != NULL && side->staff_name != NULL)
    who_text = g_strdup_printf (_("Station %s · %s"), side->station, side->staff_name);
  else if (side->station != NULL)
    who_text = g_strdup_printf (_("Station %s"), side->station);
  else
    who_text = g_strdup (_("Station not known"));
  who = make_label (who_text, "caption");
  if (side->at > 0)
    when_text = jz_sync_format_when (side->at, g_get_real_time () / G_USEC_PER_SEC);
  when = make_label (when_text ? when_text : _("Time not known"), "caption");
  gtk_widget_add_css_class (when, "dim-label");

  button = gtk_button_new_with_mnemonic (_("_Keep This Value"));
  gtk_widget_set_halign (button, GTK_ALIGN_START);
  gtk_widget_set_valign (button, GTK_ALIGN_END);
  gtk_widget_set_vexpand (button, TRUE);
  gtk_widget_set_margin_top (button, 6);
  gtk_widget_set_name (button, set_aside ? "keep-set-aside" : "keep-current");
  gtk_widget_set_sensitive (button, !set_aside || (info->field != NULL && info->record_exists));
  a11y = g_strdup_printf (_("Keep “%s” for %s"), shown, what);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  done = g_strdup_printf (_("Kept “%s” for %s. The decision goes to the hub with the next sync."), shown, what);
  g_object_set_data_full (G_OBJECT (button), "conflict-id", g_strdup (info->conflict->rec.id), g_free);
  g_object_set_data_full (G_OBJECT (button), "done-text", g_steal_pointer (&done), g_free);
  g_object_set_data (G_OBJECT (button), "choice",
                     GINT_TO_POINTER (set_aside ? JZ_CONFLICT_KEEP_SET_ASIDE : JZ_CONFLICT_KEEP_CURRENT));
  g_signal_connect (button, "clicked", G_CALLBACK (on_keep_clicked), self);

  gtk_box_append (GTK_BOX (box), caption);
  gtk_box_append (GTK_BOX (box), value);
  gtk_box_append (GTK_BOX (box), who);
  gtk_box_append (GTK_BOX (box), when);
  gtk_box_append (GTK_BOX (box), button);
  gtk_widget_set_hexpand (box, TRUE);
  return box;
}

static GtkWidget *
make_card (JzSyncView     *self,
           JzConflictInfo *info)
{
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *sides = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 24);
  const char *entity = jz_sync_entity_label (info->conflict->entity);
  const char *field = jz_sync_field_label (info->conflict->entity, info->field, info->conflict->field);
  g_autofree char *title = NULL;
  g_autofree char *what = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *heading, *sub, *titles;

  if (info->record_label != NULL)
    {
      title = g_strdup_printf ("%s · %s", info->record_label, field);
      what = g_strdup_printf (_("%s of %s"), field, info->record_label);
    }
  else
    {
      title = g_strdup_printf ("%s · %s", entity, field);
      what = g_strdup (field);
    }
  if (!info->record_exists)
    subtitle = g_strdup_printf (_("%s (deleted or not on this device)"), entity);

  heading = make_label (title, "heading");
  sub = make_label (subtitle ? subtitle : entity, "caption");
  gtk_widget_add_css_class (sub, "dim-label");

  gtk_box_set_homogeneous (GTK_BOX (sides), TRUE);
  gtk_box_append (GTK_BOX (sides), make_side (self, info, what, TRUE));
  gtk_box_append (GTK_BOX (sides), make_side (self, info, what, FALSE));

  titles = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_box_append (GTK_BOX (titles), heading);
  gtk_box_append (GTK_BOX (titles), sub);
  gtk_box_append (GTK_BOX (card), titles);
  gtk_box_append (GTK_BOX (card), sides);
  gtk_widget_set_margin_top (titles, 12);
  gtk_widget_set_margin_start (titles, 12);
  gtk_widget_set_margin_end (titles, 12);
  gtk_widget_set_margin_start (sides, 12);
  gtk_widget_set_margin_end (sides, 12);
  gtk_widget_set_margin_bottom (sides, 12);
  gtk_widget_add_css_class (card, "card");
  gtk_widget_set_name (card, info->conflict->rec.id);
  gtk_accessible_update_property (GTK_ACCESSIBLE (card), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  return card;
}

static void
reload_conflicts (JzSyncView *self)
{
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&self->reload_id, g_source_remove);
  g_free (self->signature);
  self->signature = conflicts_signature (self);
  for (guint i = 0; i < self->cards->len; i++)
    gtk_box_remove (self->conflicts_list, self->cards->pdata[i]);
  g_ptr_array_set_size (self->cards, 0);

  if (self->store != NULL)
    conflicts = jz_store_list_open_conflicts (self->store, MAX_CONFLICTS, &error);
  if (error != NULL)
    g_warning ("Cannot read the conflicts: %s", error->message);
  for (guint i = 0; conflicts != NULL && i < conflicts->len; i++)
    {
      GtkWidget *card = make_card (self, conflicts->pdata[i]);

      gtk_box_append (self->conflicts_list, card);
      g_ptr_array_add (self->cards, card);
    }
  if (self->cards->len > 0)
    {
      g_autofree char *title = g_strdup_printf (ngettext ("Conflicts (%u)", "Conflicts (%u)", self->cards->len),
                                                self->cards->len);

      gtk_label_set_text (self->conflicts_title, title);
    }
  else
    gtk_label_set_text (self->conflicts_title, _("Conflicts"));
  gtk_widget_set_visible (self->no_conflicts_list, self->cards->len == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->conflicts_list), self->cards->len > 0);
}

/* What identifies the open conflicts: rebuilding the cards for any other
 * change would take the keyboard focus away from them. */
static char *
conflicts_signature (JzSyncView *self)
{
  sqlite3_stmt *stmt;
  char *signature = NULL;

  if (self->store == NULL)
    return NULL;
  stmt = jz_store_prepare (self->store,
                           "SELECT count (*), max (hlc), total (hlc) FROM conflict"
                           " WHERE decided_at IS NULL AND deleted = 0", NULL);
  if (stmt == NULL)
    return NULL;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    signature = g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%.0f",
                                 (gint64) sqlite3_column_int64 (stmt, 0), (gint64) sqlite3_column_int64 (stmt, 1),
                                 sqlite3_column_double (stmt, 2));
  sqlite3_reset (stmt);
  return signature;
}

static gboolean
on_reload_idle (gpointer user_data)
{
  JzSyncView *self = user_data;
  g_autofree char *signature = conflicts_signature (self);

  self->reload_id = 0;
  if (g_strcmp0 (signature, self->signature) != 0)
    reload_conflicts (self);
  return G_SOURCE_REMOVE;
}

static void
on_store_changed (JzSyncView *self,
                  const char *table)
{
  /* A pull that records a conflict announces only the tables of the
   * records it changed: look whether the open conflicts changed after any
   * change, once for the several tables of one pull. */
  if (self->reload_id == 0)
    self->reload_id = g_idle_add (on_reload_idle, self);
  if (self->client == NULL)
    update_status (self);
}

/* History */

static void
on_applied (JzSyncView  *self,
            char       **tables)
{
  for (guint i = 0; tables != NULL && tables[i] != NULL; i++)
    g_hash_table_add (self->received, g_strdup (tables[i]));
}

static void
on_cycles (JzSyncView *self)
{
  JzSyncState state = jz_sync_client_get_state (self->client);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *clock = g_date_time_format (now, "%H:%M:%S");
  g_autofree char *subtitle = NULL;
  g_autofree char *title = NULL;
  GtkWidget *row;

  if (state == JZ_SYNC_STATE_UP_TO_DATE)
    {
      g_autoptr(GString) tables = g_string_new (NULL);
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, self->received);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          if (g_str_equal (key, "conflict") && g_hash_table_size (self->received) > 1)
            continue;
          g_string_append_printf (tables, "%s%s", tables->len ? _(", ") : "",
                                  g_str_equal (key, "conflict") ? _("Conflicts") : jz_sync_entity_label (key));
        }
      subtitle = tables->len > 0 ? g_strdup_printf (_("Received changes: %s"), tables->str)
                                 : g_strdup (_("Nothing new from the hub"));
    }
  else
    {
      GQuark domain;
      int code;

      jz_sync_client_get_last_error_code (self->client, &domain, &code);
      subtitle = jz_sync_explain_error (domain, code, jz_sync_client_get_last_error (self->client),
                                        jz_sync_client_get_hub_url (self->client));
    }
  g_hash_table_remove_all (self->received);

  title = g_strdup_printf ("%s · %s", clock, jz_sync_state_label (state));
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name (jz_sync_state_icon_name (state)));

  /* Newest first: the group only appends, so rebuild its order. */
  for (guint i = 0; i < self->history_rows->len; i++)
    adw_preferences_group_remove (self->history_group, self->history_rows->pdata[i]);
  g_ptr_array_insert (self->history_rows, 0, g_object_ref_sink (row));
  if (self->history_rows->len > MAX_HISTORY)
    g_ptr_array_set_size (self->history_rows, MAX_HISTORY);
  for (guint i = 0; i < self->history_rows->len; i++)
    adw_preferences_group_add (self->history_group, self->history_rows->pdata[i]);
  gtk_widget_set_visible (self->no_history_row, FALSE);
}

static gboolean
on_refresh (gpointer user_data)
{
  update_status (user_data);
  return G_SOURCE_CONTINUE;
}

/* Names in the cards may have changed meanwhile. */
static void
jz_sync_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (jz_sync_view_parent_class)->map (widget);
  reload_conflicts (JZ_SYNC_VIEW (widget));
}

static void
sync_now_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  JzSyncView *self = JZ_SYNC_VIEW (widget);

  if (self->client != NULL)
    jz_sync_client_sync_now (self->client);
}

static void
jz_sync_view_dispose (GObject *object)
{
  JzSyncView *self = JZ_SYNC_VIEW (object);

  g_clear_handle_id (&self->reload_id, g_source_remove);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->client);
  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (self), JZ_TYPE_SYNC_VIEW);
  G_OBJECT_CLASS (jz_sync_view_parent_class)->dispose (object);
}

static void
jz_sync_view_finalize (GObject *object)
{
  JzSyncView *self = JZ_SYNC_VIEW (object);

  g_clear_pointer (&self->cards, g_ptr_array_unref);
  g_clear_pointer (&self->history_rows, g_ptr_array_unref);
  g_clear_pointer (&self->received, g_hash_table_unref);
  g_free (self->signature);
  G_OBJECT_CLASS (jz_sync_view_parent_class)->finalize (object);
}

static void
jz_sync_view_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  JzSyncView *self = JZ_SYNC_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_sync_view_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  JzSyncView *self = JZ_SYNC_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      jz_sync_view_set_store (self, g_value_get_object (value));
      break;
    case PROP_CLIENT:
      jz_sync_view_set_client (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_sync_view_class_init (JzSyncViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jz_sync_view_dispose;
  object_class->finalize = jz_sync_view_finalize;
  object_class->get_property = jz_sync_view_get_property;
  object_class->set_property = jz_sync_view_set_property;
  widget_class->map = jz_sync_view_map;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, JZ_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, JZ_TYPE_SYNC_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  jz_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiuzhu/Station/ui/jz-sync-view.ui");
  gtk_widget_class_bind_template_child (widget_class, JzSyncView, stack);
  gtk_widget_class_bind_template_child (widget_class, JzSyncView, not_enrolled_page);
  gtk_widget_class_bind_template_child (widget_class, JzSyncView, not_enrolled_pending_label);
  gtk_widget_class_bind_template_child (widget_class, JzSyncView, sync_now_button);
  gtk_widget_class_bind_template_child (widget_class, JzSyncView, state_row);
  gtk_widget_class_bind_template_child (widget_class, JzSyncView, state_icon_stack);
  gtk_widget_class_bind_template_child (widget_class, JzSyncView, state_icon);
  gtk_widget_class_bind_template_child (widget_class, JzSyncView, state_spinner);
  gtk_widget_class_bind_template_child (widget_class, JzSyncView, problem_row);
  gtk_widget_class_bind_template_child (widget_class, JzSyncView, hub_row);
  gtk_widget_class_bind_template_child (widget_class, JzSyncView, last_row);
  gtk_widget_class_bind_template_child (widget_class, JzSyncView, pending_row);
  gtk_widget_class_bind_template_child (widget_class, JzSyncView, scope_row);
  gtk_widget_class_bind_template_child (widget_class, JzSyncView, conflicts_title);
  gtk_widget_class_bind_template_child (widget_class, JzSyncView, conflicts_feedback);
  gtk_widget_class_bind_template_child (widget_class, JzSyncView, no_conflicts_list);
  gtk_widget_class_bind_template_child (widget_class, JzSyncView, conflicts_list);
  gtk_widget_class_bind_template_child (widget_class, JzSyncView, history_group);
  gtk_widget_class_bind_template_child (widget_class, JzSyncView, no_history_row);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  gtk_widget_class_install_action (widget_class, "sync.now", NULL, sync_now_action);
}

static void
jz_sync_view_init (JzSyncView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cards = g_ptr_array_new ();
  self->history_rows = g_ptr_array_new_with_free_func (g_object_unref);
  self->received = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->refresh_id = g_timeout_add_seconds (REFRESH_SECONDS, on_refresh, self);
  update_status (self);
  reload_conflicts (self);
}

JzSyncView *
jz_sync_view_new (JzStore      *store,
                  JzSyncClient *client)
{
  JzSyncView *self = g_object_new (JZ_TYPE_SYNC_VIEW, NULL);

  jz_sync_view_set_store (self, store);
  jz_sync_view_set_client (self, client);
  return self;
}

void
jz_sync_view_set_store (JzSyncView *self,
                        JzStore    *store)
{
  g_return_if_fail (JZ_IS_SYNC_VIEW (self));
  g_return_if_fail (store == NULL || JZ_IS_STORE (store));

  if (self->store == store)
    return;
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  if (store != NULL)
    g_signal_connect_object (store, "changed", G_CALLBACK (on_store_changed), self, G_CONNECT_SWAPPED);
  update_status (self);
  reload_conflicts (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

void
jz_sync_view_set_client (JzSyncView   *self,
                         JzSyncClient *client)
{
  g_return_if_fail (JZ_IS_SYNC_VIEW (self));
  g_return_if_fail (client == NULL || JZ_IS_SYNC_CLIENT (client));

  if (self->client == client)
    return;
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_set_object (&self->client, client);
  if (client != NULL)
    {
      g_signal_connect_object (client, "notify", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (client, "notify::cycles", G_CALLBACK (on_cycles), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (client, "applied", G_CALLBACK (on_applied), self, G_CONNECT_SWAPPED);
    }
  update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

guint
jz_sync_view_get_n_conflicts (JzSyncView *self)
{
  g_return_val_if_fail (JZ_IS_SYNC_VIEW (self), 0);
  return self->cards->len;
}

GtkWidget *
jz_sync_view_get_conflict_card (JzSyncView *self,
                                const char *id)
{
  g_return_val_if_fail (JZ_IS_SYNC_VIEW (self), NULL);

  for (guint i = 0; i < self->cards->len; i++)
    if (g_strcmp0 (gtk_widget_get_name (self->cards->pdata[i]), id) == 0)
      return self->cards->pdata[i];
  return NULL;
}

guint
jz_sync_view_get_n_history (JzSyncView *self)
{
  g_return_val_if_fail (JZ_IS_SYNC_VIEW (self), 0);
  return self->history_rows->len;
}
