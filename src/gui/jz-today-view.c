/* jz-today-view.c: Today (首页)
 *
 * Everything here is read with bounded queries (counts on partial
 * indexes, the first rows only), so the view costs about the same on a
 * store of a million people as on an empty one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-today"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "jz-actions.h"
#include "jz-case-list-model.h"
#include "jz-due.h"
#include "jz-gui-util.h"
#include "jz-demo.h"
#include "jz-today-view.h"

/* Deadlines move with the clock ("due in 5 hours"). */
#define REFRESH_SECONDS 300

struct _JzTodayView
{
  GtkWidget     parent_instance;

  /* template widgets */
  GtkWidget    *scroller;
  GtkLabel     *date_label;
  GtkLabel     *in_station_value;
  GtkLabel     *in_station_caption;
  GtkLabel     *beds_value;
  GtkLabel     *beds_caption;
  GtkLabel     *overdue_value;
  GtkLabel     *overdue_caption;
  GtkLabel     *unsynced_value;
  GtkLabel     *unsynced_caption;
  AdwPreferencesGroup *due_group;
  AdwPreferencesGroup *people_group;
  GtkListBox   *due_list;
  GtkListBox   *beds_list;
  GtkListBox   *people_list;

  /* owned */
  JzStore      *store;
  guint         refresh_id;
  guint         timer_id;
  guint         in_station;
  JzTodayBeds   beds;
  guint         overdue;
  guint         due;
  guint         unsynced;
  gboolean      demo;          /* a profile of made-up people */
};

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (JzTodayView, jz_today_view, GTK_TYPE_WIDGET)

/* Pure helpers. */

static const char * const room_kind_ids[JZ_ROOM_N_KINDS] = { "men", "women", "minors", "family" };

gboolean
jz_room_kind_from_string (const char *text,
                          JzRoomKind *out)
{
  for (guint i = 0; i < JZ_ROOM_N_KINDS; i++)
    if (g_strcmp0 (text, room_kind_ids[i]) == 0)
      {
        *out = (JzRoomKind) i;
        return TRUE;
      }
  return FALSE;
}

const char *
jz_room_kind_get_label (JzRoomKind kind)
{
  switch (kind)
    {
    case JZ_ROOM_KIND_MEN: return C_("room kind", "Men");
    case JZ_ROOM_KIND_WOMEN: return C_("room kind", "Women");
    case JZ_ROOM_KIND_MINORS: return C_("room kind", "Minors");
    case JZ_ROOM_KIND_FAMILY: return C_("room kind", "Families");
    case JZ_ROOM_N_KINDS: break;
    }
  g_return_val_if_reached (NULL);
}

void
jz_today_count_beds (GPtrArray   *occupancy,
                     JzTodayBeds *out)
{
  memset (out, 0, sizeof *out);
  for (guint i = 0; occupancy != NULL && i < occupancy->len; i++)
    {
      const JzBedOccupancy *bed = occupancy->pdata[i];
      JzRoomKind kind;

      if (!jz_room_kind_from_string (bed->room_kind, &kind))
        continue;
      out->total[kind]++;
      if (bed->episode_id == NULL)
        out->free[kind]++;
    }
}

char *
jz_today_format_beds (const JzTodayBeds *beds)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint k = 0; k < JZ_ROOM_N_KINDS; k++)
    {
      if (beds->total[k] == 0)
        continue;
      if (text->len > 0)
        g_string_append (text, " · ");
      /* TRANSLATORS: a room kind and its number of free beds, e.g. "Men 3" */
      g_string_append_printf (text, C_("free beds", "%s %u"), jz_room_kind_get_label (k), beds->free[k]);
    }
  if (text->len == 0)
    return g_strdup (_("No beds set up yet"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

char *
jz_today_format_when (JzDeadlineStatus status,
                      gint64           due_at,
                      gint64           now)
{
  gint64 delta = status == JZ_DEADLINE_OVERDUE ? now - due_at : due_at - now;
  gint64 days = delta / 86400;
  gint64 hours = delta / 3600;

  if (status == JZ_DEADLINE_OVERDUE)
    {
      if (days >= 1)
        return g_strdup_printf (ngettext ("Overdue by %d day", "Overdue by %d days", (gulong) days), (int) days);
      if (hours >= 1)
        return g_strdup_printf (ngettext ("Overdue by %d hour", "Overdue by %d hours", (gulong) hours), (int) hours);
      return g_strdup (_("Overdue since less than an hour"));
    }
  if (delta <= 0)
    return g_strdup (_("Due now"));
  if (days >= 1)
    return g_strdup_printf (ngettext ("Due in %d day", "Due in %d days", (gulong) days), (int) days);
  if (hours >= 1)
    return g_strdup_printf (ngettext ("Due in %d hour", "Due in %d hours", (gulong) hours), (int) hours);
  return g_strdup (_("Due within the hour"));
}

char *
jz_today_format_count (guint n,
                       guint cap)
{
  if (cap > 0 && n >= cap)
    return g_strdup_printf ("%'u+", cap);
  return g_strdup_printf ("%'u", n);
}

/* Reads. */

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static GtkWidget *
case_row (const char *title,
          const char *subtitle,
          const char *person_id,
          const char *icon,
          const char *icon_class)
{
  GtkWidget *row = adw_action_row_new ();

  /* Names and numbers are text, not markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  /* One line each, ellipsized, the whole text in the tooltip: wrapping
   * labels are measured again and again at each width GTK tries, which on
   * a slow PC made Today take seconds to appear. */
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
  {
    g_autofree char *tip = subtitle ? g_strdup_printf ("%s\n%s", title, subtitle) : g_strdup (title);

    jz_widget_set_lazy_tooltip (row, tip);
  }
  if (icon != NULL)
    {
      GtkWidget *image = gtk_image_new_from_icon_name (icon);

      if (icon_class != NULL)
        gtk_widget_add_css_class (image, icon_class);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), image);
    }
  if (person_id != NULL)
    {
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "person-id", g_strdup (person_id), g_free);
    }
  return row;
}

static GtkWidget *
placeholder_row (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_top (label, 12);
  gtk_widget_set_margin_bottom (label, 12);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_add_css_class (label, "dim-label");
  return label;
}

/* The condition of the partial index episode_open (migration 0011). */
#define OPEN_EPISODE(t) JZ_EPISODE_OPEN (t)

static guint
count (JzStore    *store,
       const char *sql,
       gint64      bind)
{
  sqlite3_stmt *stmt = jz_store_prepare (store, sql, NULL);
  guint n = 0;

  if (stmt == NULL)
    return 0;
  if (sqlite3_bind_parameter_count (stmt) > 0)
    sqlite3_bind_int64 (stmt, 1, bind);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = (guint) sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

static void
load_due (JzTodayView *self,
          gint64       now)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) due = NULL;
  JzDueOptions options;

  jz_due_options_init (&options);
  options.now = now;
  clear_list (self->due_list);
  self->overdue = self->due = 0;
  due = jz_store_list_due_first (self->store, &options, JZ_TODAY_MAX_DUE_ROWS,
                                 &self->overdue, &self->due, &error);
  if (due == NULL)
    {
      gtk_list_box_append (self->due_list, placeholder_row (error->message));
      return;
    }
  for (guint i = 0; i < due->len; i++)
    {
      JzDueItem *item = due->pdata[i];
      g_autofree char *title = NULL;
      g_autofree char *when = NULL;
      g_autofree char *subtitle = NULL;
      gboolean overdue = item->status == JZ_DEADLINE_OVERDUE;

      /* TRANSLATORS: a deadline and the person it is about */
      title = g_strdup_printf (C_("deadline row", "%s — %s"), _(item->label), item->person_name);
      when = jz_today_format_when (item->status, item->due_at, now);
      subtitle = g_strdup_printf ("%s · %s", when, item->episode_number);
      gtk_list_box_append (self->due_list,
                           case_row (title, subtitle, item->person_id,
                                     overdue ? "dialog-warning-symbolic" : "alarm-symbolic",
                                     overdue ? "error" : "warning"));
    }
  if (due->len == 0)
    gtk_list_box_append (self->due_list, placeholder_row (_("Nothing is due. Deadlines of tracing, DNA requests, stay limits, settlement and follow-ups appear here when they come near.")));
  else if (self->overdue + self->due > due->len)
    {
      guint more = self->overdue + self->due - due->len;
      g_autofree char *text = g_strdup_printf (ngettext ("%u more deadline: see the overdue cases in People & cases",
                                                         "%u more deadlines: see the overdue cases in People & cases",
                                                         more),
                                               more);
      GtkWidget *row = case_row (text, NULL, NULL, NULL, NULL);

      gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "today.show-overdue");
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_list_box_append (self->due_list, row);
    }
}

static void
load_beds (JzTodayView *self,
           GHashTable  *bed_of_episode)
{
  g_autoptr(GPtrArray) beds = jz_store_list_bed_occupancy (self->store, NULL);
  g_autoptr(GHashTable) rooms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();

  clear_list (self->beds_list);
  jz_today_count_beds (beds, &self->beds);
  for (guint i = 0; beds != NULL && i < beds->len; i++)
    {
      JzBedOccupancy *bed = beds->pdata[i];
      guint *counts = g_hash_table_lookup (rooms, bed->room_id);

      if (counts == NULL)
        {
          counts = g_new0 (guint, 2);
          g_hash_table_insert (rooms, g_strdup (bed->room_id), counts);
          g_ptr_array_add (order, bed);
        }
      counts[1]++;
      if (bed->episode_id == NULL)
        counts[0]++;
      else if (bed_of_episode != NULL)
        g_hash_table_insert (bed_of_episode, g_strdup (bed->episode_id),
                             g_strdup_printf ("%s %s", bed->room_name, bed->bed_label));
    }
  for (guint i = 0; i < order->len; i++)
    {
      JzBedOccupancy *bed = order->pdata[i];
      guint *counts = g_hash_table_lookup (rooms, bed->room_id);
      g_autofree char *free_text = g_strdup_printf (_("%u of %u free"), counts[0], counts[1]);
      JzRoomKind kind;
      GtkWidget *row, *label;

      row = case_row (bed->room_name,
                      jz_room_kind_from_string (bed->room_kind, &kind) ? jz_room_kind_get_label (kind) : NULL,
                      NULL, NULL, NULL);
      label = gtk_label_new (free_text);
      gtk_widget_add_css_class (label, counts[0] == 0 ? "error" : "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      gtk_list_box_append (self->beds_list, row);
    }
  if (order->len == 0)
    gtk_list_box_append (self->beds_list, placeholder_row (_("No rooms are set up yet.")));
}

static void
load_people (JzTodayView *self,
             gint64       now,
             GHashTable  *bed_of_episode)
{
  sqlite3_stmt *stmt;
  int rc;

  clear_list (self->people_list);
  /* Both read the partial index episode_open, whose condition they
   * repeat word for word (SQLite uses a partial index only then); without
   * it they walk every episode on file. */
  self->in_station = count (self->store,
                            "SELECT count(*) FROM episode "
                            "WHERE " OPEN_EPISODE ("") " AND status IN ('screening', 'admitted')",
                            0);
  /* The longest stays first: they are the ones with deadlines. */
  stmt = jz_store_prepare (self->store,
                           "SELECT e.person_id, e.number, e.admitted_at, e.id, p.name, p.placeholder_no "
                           "FROM (SELECT person_id, number, admitted_at, id FROM episode "
                           "      WHERE " OPEN_EPISODE ("") " AND status IN ('screening', 'admitted') "
                           "      ORDER BY admitted_at LIMIT ?1) e "
                           "JOIN person p ON p.id = e.person_id ORDER BY e.admitted_at", NULL);
  if (stmt == NULL)
    return;
  sqlite3_bind_int (stmt, 1, JZ_TODAY_MAX_PEOPLE_ROWS);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 4);
      const char *bed = g_hash_table_lookup (bed_of_episode, sqlite3_column_text (stmt, 3));
      gint64 days = (now - sqlite3_column_int64 (stmt, 2)) / 86400 + 1;
      g_autofree char *placeholder = NULL;
      g_autofree char *day = NULL;
      g_autofree char *subtitle = NULL;

      if (name == NULL)
        name = placeholder = g_strdup_printf ("无名氏%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 5));
      day = g_strdup_printf (_("day %d"), (int) MAX (days, 1));
      subtitle = bed ? g_strdup_printf ("%s · %s · %s", sqlite3_column_text (stmt, 1), day, bed)
                     : g_strdup_printf ("%s · %s · %s", sqlite3_column_text (stmt, 1), day, _("no bed"));
      gtk_list_box_append (self->people_list,
                           case_row (name, subtitle, (const char *) sqlite3_column_text (stmt, 0), NULL, NULL));
    }
  sqlite3_reset (stmt);
  if (self->in_station == 0)
    gtk_list_box_append (self->people_list, placeholder_row (_("Nobody is staying in the station.")));
  else if (self->in_station > JZ_TODAY_MAX_PEOPLE_ROWS)
    {
      g_autofree char *more = g_strdup_printf (ngettext ("%u more person: see People & cases",
                                                         "%u more people: see People & cases",
                                                         self->in_station - JZ_TODAY_MAX_PEOPLE_ROWS),
                                               self->in_station - JZ_TODAY_MAX_PEOPLE_ROWS);
      GtkWidget *row = case_row (more, NULL, NULL, NULL, NULL);

      gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "today.show-in-station");
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_list_box_append (self->people_list, row);
    }
}

static void
update_cards (JzTodayView *self)
{
  g_autofree char *in_station = jz_today_format_count (self->in_station, 0);
  g_autofree char *beds = NULL;
  g_autofree char *beds_caption = NULL;
  g_autofree char *overdue = jz_today_format_count (self->overdue, 0);
  g_autofree char *overdue_caption = NULL;
  g_autofree char *unsynced = jz_today_format_count (self->unsynced, JZ_TODAY_UNSYNCED_CAP);
  guint free_beds = 0;

  for (guint k = 0; k < JZ_ROOM_N_KINDS; k++)
    free_beds += self->beds.free[k];
  beds = jz_today_format_count (free_beds, 0);
  {
    g_autofree char *by_kind = jz_today_format_beds (&self->beds);

    /* TRANSLATORS: under the number of free beds; %s is "Men 3 · Women 2" */
    beds_caption = g_strdup_printf (_("free beds: %s"), by_kind);
  }
  overdue_caption = g_strdup_printf (ngettext ("overdue, and %u more due soon", "overdue, and %u more due soon",
                                               self->due), self->due);

  gtk_label_set_text (self->in_station_value, in_station);
  gtk_label_set_text (self->in_station_caption,
                      ngettext ("person in the station now", "people in the station now", self->in_station));
  gtk_label_set_text (self->beds_value, beds);
  gtk_label_set_text (self->beds_caption, beds_caption);
  gtk_label_set_text (self->overdue_value, overdue);
  gtk_label_set_text (self->overdue_caption, overdue_caption);
  if (self->overdue > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->overdue_value), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->overdue_value), "error");
  gtk_label_set_text (self->unsynced_value, unsynced);
  if (self->demo)
    /* Its changes are never sent (jz-sync-engine.c): say so, not a count
     * that would never go down. */
    gtk_label_set_text (self->unsynced_caption,
                        ngettext ("change in this demo profile, which never syncs",
                                  "changes in this demo profile, which never syncs", self->unsynced));
  else
    gtk_label_set_text (self->unsynced_caption,
                        ngettext ("change not yet sent to the hub", "changes not yet sent to the hub",
                                  self->unsynced));
}

void
jz_today_view_refresh (JzTodayView *self)
{
  g_autoptr(GHashTable) bed_of_episode = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GDateTime) now_dt = g_date_time_new_now (jz_deadlines_time_zone ());
  g_autofree char *date = NULL;
  gint64 now = g_date_time_to_unix (now_dt);

  g_return_if_fail (JZ_IS_TODAY_VIEW (self));

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  /* TRANSLATORS: the date at the top of Today, strftime format */
  date = g_date_time_format (now_dt, _("%A, %e %B %Y"));
  gtk_label_set_text (self->date_label, date ? date : "");
  if (self->store == NULL)
    return;

  load_beds (self, bed_of_episode);
  load_people (self, now, bed_of_episode);
  load_due (self, now);
  /* Bounded: a device that never synced may hold millions. */
  self->demo = jz_store_is_demo (self->store);
  self->unsynced = count (self->store,
                          "SELECT count(*) FROM (SELECT 1 FROM outbox WHERE acked = 0 LIMIT ?1)",
                          JZ_TODAY_UNSYNCED_CAP);
  update_cards (self);
}

static gboolean
on_refresh_idle (gpointer user_data)
{
  JzTodayView *self = user_data;

  self->refresh_id = 0;
  jz_today_view_refresh (self);
  return G_SOURCE_REMOVE;
}

static gboolean
on_timer (gpointer user_data)
{
  jz_today_view_refresh (user_data);
  return G_SOURCE_CONTINUE;
}

static void
on_store_changed (JzTodayView *self,
                  const char  *table)
{
  /* Not while hidden: the view reads again when it is shown. */
  if (self->refresh_id == 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->refresh_id = g_idle_add (on_refresh_idle, self);
  else if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    g_object_set_data (G_OBJECT (self), "stale", GINT_TO_POINTER (1));
}

static void
on_row_activated (JzTodayView   *self,
                  GtkListBoxRow *row)
{
  const char *person_id = g_object_get_data (G_OBJECT (row), "person-id");

  if (person_id != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-case", "s", person_id);
}

static void
show_filtered (JzTodayView *self,
               const char  *filter)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-cases", "s", filter);
}

static void
show_in_station_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  show_filtered (JZ_TODAY_VIEW (widget), "in-station");
}

static void
show_overdue_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  show_filtered (JZ_TODAY_VIEW (widget), "overdue");
}

static void
show_beds_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  JzTodayView *self = JZ_TODAY_VIEW (widget);
  GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->beds_list, 0);

  if (first != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (first));
}

static void
jz_today_view_map (GtkWidget *widget)
{
  JzTodayView *self = JZ_TODAY_VIEW (widget);

  GTK_WIDGET_CLASS (jz_today_view_parent_class)->map (widget);
  if (g_object_get_data (G_OBJECT (self), "stale") != NULL)
    {
      g_object_set_data (G_OBJECT (self), "stale", NULL);
      jz_today_view_refresh (self);
    }
}

static void
jz_today_view_dispose (GObject *object)
{
  JzTodayView *self = JZ_TODAY_VIEW (object);
  GtkWidget *child;

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), JZ_TYPE_TODAY_VIEW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (jz_today_view_parent_class)->dispose (object);
}

static void
jz_today_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, JZ_TODAY_VIEW (object)->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_today_view_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_STORE:
      jz_today_view_set_store (JZ_TODAY_VIEW (object), g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_today_view_class_init (JzTodayViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jz_today_view_dispose;
  object_class->get_property = jz_today_view_get_property;
  object_class->set_property = jz_today_view_set_property;
  widget_class->map = jz_today_view_map;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, JZ_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  jz_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiuzhu/Station/ui/jz-today-view.ui");
  gtk_widget_class_bind_template_child (widget_class, JzTodayView, scroller);
  gtk_widget_class_bind_template_child (widget_class, JzTodayView, date_label);
  gtk_widget_class_bind_template_child (widget_class, JzTodayView, in_station_value);
  gtk_widget_class_bind_template_child (widget_class, JzTodayView, in_station_caption);
  gtk_widget_class_bind_template_child (widget_class, JzTodayView, beds_value);
  gtk_widget_class_bind_template_child (widget_class, JzTodayView, beds_caption);
  gtk_widget_class_bind_template_child (widget_class, JzTodayView, overdue_value);
  gtk_widget_class_bind_template_child (widget_class, JzTodayView, overdue_caption);
  gtk_widget_class_bind_template_child (widget_class, JzTodayView, unsynced_value);
  gtk_widget_class_bind_template_child (widget_class, JzTodayView, unsynced_caption);
  gtk_widget_class_bind_template_child (widget_class, JzTodayView, due_group);
  gtk_widget_class_bind_template_child (widget_class, JzTodayView, people_group);
  gtk_widget_class_bind_template_child (widget_class, JzTodayView, due_list);
  gtk_widget_class_bind_template_child (widget_class, JzTodayView, beds_list);
  gtk_widget_class_bind_template_child (widget_class, JzTodayView, people_list);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  gtk_widget_class_install_action (widget_class, "today.show-in-station", NULL, show_in_station_action);
  gtk_widget_class_install_action (widget_class, "today.show-overdue", NULL, show_overdue_action);
  gtk_widget_class_install_action (widget_class, "today.show-beds", NULL, show_beds_action);
}

static void
jz_today_view_init (JzTodayView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->timer_id = g_timeout_add_seconds (REFRESH_SECONDS, on_timer, self);
}

JzTodayView *
jz_today_view_new (JzStore *store)
{
  JzTodayView *self = g_object_new (JZ_TYPE_TODAY_VIEW, NULL);

  jz_today_view_set_store (self, store);
  return self;
}

void
jz_today_view_set_store (JzTodayView *self,
                         JzStore     *store)
{
  g_return_if_fail (JZ_IS_TODAY_VIEW (self));

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  if (!g_set_object (&self->store, store))
    return;
  if (store != NULL)
    g_signal_connect_swapped (store, "changed", G_CALLBACK (on_store_changed), self);
  jz_today_view_refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

guint
jz_today_view_get_in_station (JzTodayView *self)
{
  g_return_val_if_fail (JZ_IS_TODAY_VIEW (self), 0);
  return self->in_station;
}

guint
jz_today_view_get_free_beds (JzTodayView *self,
                             JzRoomKind   kind)
{
  g_return_val_if_fail (JZ_IS_TODAY_VIEW (self), 0);
  g_return_val_if_fail (kind < JZ_ROOM_N_KINDS, 0);
  return self->beds.free[kind];
}

guint
jz_today_view_get_overdue (JzTodayView *self)
{
  g_return_val_if_fail (JZ_IS_TODAY_VIEW (self), 0);
  return self->overdue;
}

guint
jz_today_view_get_due (JzTodayView *self)
{
  g_return_val_if_fail (JZ_IS_TODAY_VIEW (self), 0);
  return self->due;
}

guint
jz_today_view_get_unsynced (JzTodayView *self)
{
  g_return_val_if_fail (JZ_IS_TODAY_VIEW (self), 0);
  return self->unsynced;
}

GtkListBox *
jz_today_view_get_due_list (JzTodayView *self)
{
  g_return_val_if_fail (JZ_IS_TODAY_VIEW (self), NULL);
  return self->due_list;
}
