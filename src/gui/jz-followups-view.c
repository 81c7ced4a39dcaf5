/* jz-followups-view.c: the follow-ups area (回访)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-followups"

#include "config.h"

#include <glib/gi18n.h>

#include "jz-casework.h"
#include "jz-due.h"
#include "jz-followup-dialog.h"
#include "jz-followup-rate.h"
#include "jz-followups-view.h"
#include "jz-gui-util.h"

#define DAY_S ((gint64) 86400)
/* "Coming up" looks this far ahead. */
#define COMING_WINDOW_S (30 * DAY_S)
/* Each group shows this many rows, then says how many more there are. */
#define MAX_ROWS 50

struct _JzFollowupsView
{
  GtkWidget            parent_instance;

  /* template widgets */
  AdwToastOverlay     *toasts;
  GtkWidget           *rate_card;
  GtkWidget           *rate_value;
  GtkWidget           *rate_detail;
  GtkWidget           *minor_card;
  GtkWidget           *minor_value;
  GtkWidget           *minor_detail;
  AdwPreferencesGroup *due_group;
  GtkWidget           *no_due_row;
  AdwPreferencesGroup *upcoming_group;
  GtkWidget           *no_upcoming_row;

  /* owned */
  JzStore             *store;
  GPtrArray           *due_rows;
  GPtrArray           *upcoming_rows;
  guint                n_due;          /* due and overdue follow-ups, shown or not */
  guint                reload_id;
};

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (JzFollowupsView, jz_followups_view, GTK_TYPE_WIDGET)

static void
show_figure (GtkWidget                  *value,
             GtkWidget                  *detail,
             const JzFollowupRateFigure *f,
             int                         target)
{
  g_autofree char *text = NULL;
  g_autofree char *sub = NULL;

  gtk_widget_remove_css_class (value, "success");
  gtk_widget_remove_css_class (value, "error");
  if (f->percent < 0)
    {
      text = g_strdup ("—");
      /* TRANSLATORS: the rate card when nobody went home in the year; %d is the target */
      sub = g_strdup_printf (_("No one sent home in the last year is due yet · target %d %%"), target);
    }
  else
    {
      /* TRANSLATORS: a percentage, e.g. “62 %” */
      text = g_strdup_printf (_("%d %%"), f->percent);
      /* TRANSLATORS: “31 of 50 people sent home followed up · target at least 50 % · below target” */
      sub = g_strdup_printf (ngettext ("%u of %u person sent home followed up · target %s%d %% · %s",
                                       "%u of %u people sent home followed up · target %s%d %% · %s", f->counted),
                             f->followed_up, f->counted, target < 100 ? _("at least ") : "", target,
                             f->meets_target ? _("met") : _("below target"));
      gtk_widget_add_css_class (value, f->meets_target ? "success" : "error");
    }
  gtk_label_set_label (GTK_LABEL (value), text);
  gtk_label_set_label (GTK_LABEL (detail), sub);
}

static void
on_record_clicked (GtkButton *button)
{
  JzFollowupsView *self = g_object_get_data (G_OBJECT (button), "view");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (button));
  JzFollowupDialog *dialog;

  dialog = jz_followup_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->store,
                                   g_object_get_data (G_OBJECT (button), "person-id"),
                                   g_object_get_data (G_OBJECT (button), "episode-id"),
                                   g_object_get_data (G_OBJECT (button), "followup-id"));
  if (dialog != NULL)
    gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_open_clicked (GtkButton *button)
{
  gtk_widget_activate_action (GTK_WIDGET (button), "win.show-case", "s",
                              g_object_get_data (G_OBJECT (button), "person-id"));
}

static int
months_after (gint64 departed_at,
              gint64 due_at)
{
  return (int) ((due_at - departed_at + 15 * 86400) / (gint64) (30.44 * 86400));
}

static GtkWidget *
followup_row (JzFollowupsView         *self,
              const JzPendingFollowup *p,
              gint64                   now)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *record = gtk_button_new_with_mnemonic (_("_Record"));
  GtkWidget *open = gtk_button_new_from_icon_name ("go-next-symbolic");
  g_autofree char *due = jz_casework_format_date (p->due_at);
  GString *sub = g_string_new (NULL);
  g_autofree char *title = NULL;
  g_autofree char *desc = NULL;

  if (p->departed_at > 0)
    {
      int months = p->months > 0 ? (int) p->months : months_after (p->departed_at, p->due_at);
      g_autofree char *left = jz_casework_format_date (p->departed_at);

      /* TRANSLATORS: “3-month follow-up” */
      g_string_append_printf (sub, ngettext ("%d-month follow-up", "%d-month follow-up", months), months);
      if (p->mode != NULL)
        /* TRANSLATORS: “ · left 2026-05-01 (Escorted home)” */
        g_string_append_printf (sub, _(" · left %s (%s)"), left, jz_casework_mode_label (p->mode));
      else
        g_string_append_printf (sub, _(" · left %s"), left);
    }
  else
    g_string_append (sub, _("Follow-up"));
  if (p->due_at < now)
    {
      int days = (int) ((now - p->due_at) / 86400);

      g_string_append (sub, " · ");
      if (days == 0)
        g_string_append_printf (sub, _("due today (%s)"), due);
      else
        g_string_append_printf (sub, ngettext ("overdue by %d day (%s)", "overdue by %d days (%s)", days), days, due);
      gtk_widget_add_css_class (row, "jz-overdue");
    }
  else
    g_string_append_printf (sub, _(" · due %s"), due);

  title = p->minor ? g_strdup_printf (_("%s (minor)"), p->person_name) : g_strdup (p->person_name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sub->str);
  g_string_free (sub, TRUE);
  {
    /* Every row has its mark, so the names line up. */
    gboolean late = p->due_at < now;
    GtkWidget *icon = gtk_image_new_from_icon_name (late ? "dialog-warning-symbolic" : "x-office-calendar-symbolic");

    gtk_widget_add_css_class (icon, late ? "error" : "dim-label");
    gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    late ? _("Overdue") : _("Due"), -1);
    adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  }

  gtk_widget_set_valign (record, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (open, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (open, "flat");
  gtk_widget_set_tooltip_text (open, _("Open the person's file"));
  /* TRANSLATORS: accessible descriptions of the row's buttons; %s is a name */
  desc = g_strdup_printf (_("Record the follow-up of %s"), p->person_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (record), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, desc, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (open), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Open the person's file"), -1);
  g_object_set_data (G_OBJECT (record), "view", self);
  g_object_set_data_full (G_OBJECT (record), "followup-id", g_strdup (p->followup_id), g_free);
  g_object_set_data_full (G_OBJECT (record), "episode-id", g_strdup (p->episode_id), g_free);
  g_object_set_data_full (G_OBJECT (record), "person-id", g_strdup (p->person_id), g_free);
  g_object_set_data_full (G_OBJECT (open), "person-id", g_strdup (p->person_id), g_free);
  g_signal_connect (record, "clicked", G_CALLBACK (on_record_clicked), NULL);
  g_signal_connect (open, "clicked", G_CALLBACK (on_open_clicked), NULL);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), record);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), open);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), record);

  g_object_set_data_full (G_OBJECT (row), "followup-id", g_strdup (p->followup_id), g_free);
  g_object_set_data_full (G_OBJECT (row), "person-id", g_strdup (p->person_id), g_free);
  g_object_set_data (G_OBJECT (row), "record-button", record);
  return row;
}

static void
clear_rows (AdwPreferencesGroup *group,
            GPtrArray           *rows)
{
  for (guint i = 0; i < rows->len; i++)
    adw_preferences_group_remove (group, rows->pdata[i]);
  g_ptr_array_set_size (rows, 0);
}

/* Adds the rows of @list to @group, and a last row saying how many of
 * @n_total are not shown. */
static void
fill_group (JzFollowupsView     *self,
            AdwPreferencesGroup *group,
            GPtrArray           *rows,
            GPtrArray           *list,
            guint                n_total,
            gint64               now)
{
  for (guint i = 0; i < list->len; i++)
    {
      GtkWidget *row = followup_row (self, list->pdata[i], now);

      adw_preferences_group_add (group, row);
      g_ptr_array_add (rows, row);
    }
  if (n_total > list->len)
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *text = g_strdup_printf (ngettext ("%u more follow-up, after these",
                                                         "%u more follow-ups, after these",
                                                         n_total - list->len),
                                               n_total - list->len);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text);
      gtk_widget_add_css_class (row, "dim-label");
      adw_preferences_group_add (group, row);
      g_ptr_array_add (rows, row);
    }
}

void
jz_followups_view_reload (JzFollowupsView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) subjects = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GPtrArray) coming = NULL;
  JzFollowupRate rate;
  gint64 now = jz_casework_now ();
  gint64 due_until = now + JZ_DEADLINE_FOLLOW_UP_WARNING_DAYS * DAY_S;
  guint n_due = 0, n_coming = 0;

  g_return_if_fail (JZ_IS_FOLLOWUPS_VIEW (self));

  g_clear_handle_id (&self->reload_id, g_source_remove);
  clear_rows (self->due_group, self->due_rows);
  clear_rows (self->upcoming_group, self->upcoming_rows);
  self->n_due = 0;
  if (self->store == NULL)
    return;

  /* "Due" is what the Today view lists as follow-ups: late by up to the
   * due list's look-back, or inside the week before the date. */
  subjects = jz_store_followup_rate_subjects (self->store, now, &error);
  if (subjects != NULL)
    due = jz_store_list_pending_followups (self->store, now - JZ_DUE_FOLLOW_UP_LOOKBACK_DAYS * DAY_S,
                                           due_until, MAX_ROWS, &n_due, &error);
  if (due != NULL)
    coming = jz_store_list_pending_followups (self->store, due_until + 1, now + COMING_WINDOW_S,
                                              MAX_ROWS, &n_coming, &error);
  if (coming == NULL)
    {
      AdwToast *toast = adw_toast_new_format (_("Cannot read the follow-ups: %s"), error->message);

      adw_toast_overlay_add_toast (self->toasts, toast);
      return;
    }
  jz_followup_rate_compute ((JzFollowupRateSubject *) subjects->data, subjects->len, now,
                            JZ_FOLLOWUP_RATE_GRACE_DAYS, &rate);
  show_figure (self->rate_value, self->rate_detail, &rate.all, JZ_FOLLOWUP_RATE_TARGET);
  show_figure (self->minor_value, self->minor_detail, &rate.minors, JZ_FOLLOWUP_RATE_TARGET_MINORS);

  self->n_due = n_due;
  fill_group (self, self->due_group, self->due_rows, due, n_due, now);
  fill_group (self, self->upcoming_group, self->upcoming_rows, coming, n_coming, now);
  gtk_widget_set_visible (self->no_due_row, self->due_rows->len == 0);
  gtk_widget_set_visible (self->no_upcoming_row, self->upcoming_rows->len == 0);
}

static void
reload_idle (gpointer data)
{
  JzFollowupsView *self = data;

  self->reload_id = 0;
  jz_followups_view_reload (self);
}

static void
on_store_changed (JzFollowupsView *self,
                  const char      *table)
{
  static const char * const tables[] = { "followup", "departure", "episode", "person", NULL };

  if (table != NULL && !g_strv_contains (tables, table))
    return;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && self->reload_id == 0)
    self->reload_id = g_idle_add_once (reload_idle, self);
}

static void
jz_followups_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (jz_followups_view_parent_class)->map (widget);
  /* "Due" moves with the clock: read again each time it is shown. */
  jz_followups_view_reload (JZ_FOLLOWUPS_VIEW (widget));
}

static void
jz_followups_view_dispose (GObject *object)
{
  JzFollowupsView *self = JZ_FOLLOWUPS_VIEW (object);

  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (self), JZ_TYPE_FOLLOWUPS_VIEW);
  G_OBJECT_CLASS (jz_followups_view_parent_class)->dispose (object);
}

static void
jz_followups_view_finalize (GObject *object)
{
  JzFollowupsView *self = JZ_FOLLOWUPS_VIEW (object);

  g_ptr_array_unref (self->due_rows);
  g_ptr_array_unref (self->upcoming_rows);
  G_OBJECT_CLASS (jz_followups_view_parent_class)->finalize (object);
}

static void
jz_followups_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, JZ_FOLLOWUPS_VIEW (object)->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_followups_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_STORE:
      jz_followups_view_set_store (JZ_FOLLOWUPS_VIEW (object), g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_followups_view_class_init (JzFollowupsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jz_followups_view_dispose;
  object_class->finalize = jz_followups_view_finalize;
  object_class->get_property = jz_followups_view_get_property;
  object_class->set_property = jz_followups_view_set_property;
  widget_class->map = jz_followups_view_map;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, JZ_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  jz_gui_init ();
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiuzhu/Station/ui/jz-followups-view.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, JzFollowupsView, name)
  BIND (toasts);
  BIND (rate_card);
  BIND (rate_value);
  BIND (rate_detail);
  BIND (minor_card);
  BIND (minor_value);
  BIND (minor_detail);
  BIND (due_group);
  BIND (no_due_row);
  BIND (upcoming_group);
  BIND (no_upcoming_row);
#undef BIND
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
jz_followups_view_init (JzFollowupsView *self)
{
  self->due_rows = g_ptr_array_new ();
  self->upcoming_rows = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
jz_followups_view_new (void)
{
  return g_object_new (JZ_TYPE_FOLLOWUPS_VIEW, NULL);
}

JzStore *
jz_followups_view_get_store (JzFollowupsView *self)
{
  g_return_val_if_fail (JZ_IS_FOLLOWUPS_VIEW (self), NULL);
  return self->store;
}

void
jz_followups_view_set_store (JzFollowupsView *self,
                             JzStore         *store)
{
  g_return_if_fail (JZ_IS_FOLLOWUPS_VIEW (self));
  g_return_if_fail (store == NULL || JZ_IS_STORE (store));

  if (self->store == store)
    return;
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  if (store != NULL)
    g_signal_connect_object (store, "changed", G_CALLBACK (on_store_changed), self, G_CONNECT_SWAPPED);
  /* A hidden area reads the store when it is shown (map): opening the
   * window reads only what the first area shows. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    jz_followups_view_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

guint
jz_followups_view_get_n_due (JzFollowupsView *self)
{
  g_return_val_if_fail (JZ_IS_FOLLOWUPS_VIEW (self), 0);
  return self->n_due;
}

GtkWidget *
jz_followups_view_get_due_row (JzFollowupsView *self,
                               guint            index)
{
  g_return_val_if_fail (JZ_IS_FOLLOWUPS_VIEW (self), NULL);
  return index < self->due_rows->len ? self->due_rows->pdata[index] : NULL;
}

const char *
jz_followups_view_get_rate_text (JzFollowupsView *self,
                                 gboolean         minors)
{
  g_return_val_if_fail (JZ_IS_FOLLOWUPS_VIEW (self), NULL);
  return gtk_label_get_label (GTK_LABEL (minors ? self->minor_value : self->rate_value));
}
