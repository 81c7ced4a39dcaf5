/* jz-case-page.c: one person's file (一人一档)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-case-page"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "jz-actions.h"
#include "jz-blobs.h"
#include "jz-case-action-dialog.h"
#include "jz-case-data.h"
#include "jz-case-labels.h"
#include "jz-case-list-model.h"
#include "jz-case-page.h"
#include "jz-gui-util.h"
#include "jz-idcard.h"
#include "jz-records.h"
#include "jz-regions.h"

/* Larger files are refused: a photo or a scanned form is far smaller. */
#define MAX_ATTACHMENT_BYTES (20 * 1024 * 1024)

struct _JzCasePage
{
  GtkWidget             parent_instance;

  /* template widgets */
  AdwToastOverlay      *toasts;
  GtkWidget            *scroller;
  AdwAvatar            *avatar;
  GtkLabel             *name_label;
  GtkLabel             *facts_label;
  GtkLabel             *flags_label;
  GtkFlowBox           *actions_box;
  AdwPreferencesGroup  *episode_group;
  AdwPreferencesGroup  *deadlines_group;
  AdwPreferencesGroup  *identity_group;
  AdwPreferencesGroup  *timeline_group;
  AdwPreferencesGroup  *episodes_group;

  /* owned */
  JzStore              *store;
  char                 *person_id;
  JzCaseData           *data;
  char                 *title;
  GPtrArray            *rows;        /* widgets added to the groups, removed on reload */
  guint                 reload_id;
  /* What Undo takes back. */
  char                 *undo_entity;
  char                 *undo_id;
  char                 *undo_bed;    /* bed to go back to ("" none) for a bed change */
  GtkFileChooserNative *chooser;
};

enum {
  PROP_0,
  PROP_STORE,
  PROP_PERSON_ID,
  PROP_TITLE,
  N_PROPS
};

enum {
  SIGNAL_DEPART,
  SIGNAL_FOLLOWUP,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (JzCasePage, jz_case_page, GTK_TYPE_WIDGET)

/* The quick actions, in the order of their buttons. */
static const struct
{
  const char *action;        /* widget action, "case.…" */
  const char *label;
  const char *icon;
  gboolean    needs_open;    /* only with an open episode */
} quick[] = {
  { "case.service", N_("_Service"), "emblem-ok-symbolic", TRUE },
  { "case.bed", N_("_Bed"), "view-list-symbolic", TRUE },
  { "case.tracing", N_("_Tracing Step"), "edit-find-symbolic", TRUE },
  { "case.referral", N_("_Referral"), "mail-send-symbolic", TRUE },
  { "case.expenditure", N_("S_pending"), "accessories-calculator-symbolic", TRUE },
  { "case.attach", N_("_Attachment"), "mail-attachment-symbolic", FALSE },
  { "case.extend", N_("E_xtend Stay"), "appointment-new-symbolic", TRUE },
  { "case.escort", N_("_Escort Trip"), "find-location-symbolic", TRUE },
  { "case.placement", N_("_Placement"), "go-home-symbolic", FALSE },
  { "case.settlement", N_("Se_ttlement"), "document-edit-symbolic", FALSE },
  { "case.depart", N_("_Departure"), "system-log-out-symbolic", TRUE },
  { "case.followup", N_("_Follow-up"), "call-start-symbolic", FALSE },
};

static void
clear_rows (JzCasePage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = self->rows->pdata[i];
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      if (group != NULL)
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->rows, 0);
}

/* Texts longer than this may not fit a row of the narrower column: the
 * row's tooltip then shows them whole. */
#define ROW_TEXT_FITS 16

/* A row of one line for its title and one for its subtitle, unless
 * @wrap_subtitle (free text: a reason, a description). Rows of one line
 * are shaped once; a label that wraps is shaped again for every width
 * GTK measures it at, which made a case page take 160 ms of CPU, most of
 * it in HarfBuzz shaping Chinese text. */
static GtkWidget *
add_row (JzCasePage          *self,
         AdwPreferencesGroup *group,
         const char          *title,
         const char          *subtitle,
         gboolean             wrap_subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  gboolean has_subtitle = subtitle != NULL && subtitle[0] != '\0';

  /* Names, notes and reasons are text, never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  if (has_subtitle)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (!wrap_subtitle)
        adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
    }
  if (g_utf8_strlen (title, -1) > ROW_TEXT_FITS ||
      (has_subtitle && !wrap_subtitle && g_utf8_strlen (subtitle, -1) > ROW_TEXT_FITS))
    {
      g_autofree char *tip = has_subtitle ? g_strdup_printf ("%s\n%s", title, subtitle) : g_strdup (title);

      jz_widget_set_lazy_tooltip (row, tip);
    }
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->rows, row);
  return row;
}

/* A property row: the label small above, the value as the row's text. */
static void
add_property_row (JzCasePage          *self,
                  AdwPreferencesGroup *group,
                  const char          *label,
                  const char          *value,
                  gboolean             wrap)
{
  GtkWidget *row;

  if (value == NULL || value[0] == '\0')
    return;
  row = add_row (self, group, label, value, wrap);
  gtk_widget_add_css_class (row, "property");
}

/* A short value: a number, a date, a status. */
static void
add_property (JzCasePage          *self,
              AdwPreferencesGroup *group,
              const char          *label,
              const char          *value)
{
  add_property_row (self, group, label, value, FALSE);
}

/* Free text, shown whole on as many lines as it needs. */
static void
add_text_property (JzCasePage          *self,
                   AdwPreferencesGroup *group,
                   const char          *label,
                   const char          *value)
{
  add_property_row (self, group, label, value, TRUE);
}

static void
update_actions (JzCasePage *self)
{
  gboolean open = self->data != NULL && self->data->open != NULL;
  gboolean person = self->data != NULL;

  for (guint i = 0; i < G_N_ELEMENTS (quick); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), quick[i].action,
                                   quick[i].needs_open ? open : person);
  /* The Departure and Follow-up dialogs are another file's: only when
   * someone listens. */
  if (!g_signal_has_handler_pending (self, signals[SIGNAL_DEPART], 0, TRUE))
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "case.depart", FALSE);
  if (!g_signal_has_handler_pending (self, signals[SIGNAL_FOLLOWUP], 0, TRUE))
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "case.followup", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "case.undo", self->undo_id != NULL);
}

static char *
age_text (const JzPerson  *person,
          const JzEpisode *episode)
{
  JzPersonFacts facts;
  g_autoptr(GDateTime) now = g_date_time_new_now (jz_deadlines_time_zone ());
  GDate today;
  int age;

  jz_person_get_facts (person, episode, &facts);
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
  age = jz_birth_age_at (&facts.birth, &today);
  if (age < 0)
    return NULL;
  if (facts.birth.precision == JZ_DATE_PRECISION_EXACT)
    return g_strdup_printf (ngettext ("%d year old", "%d years old", age), age);
  return g_strdup_printf (ngettext ("about %d year old", "about %d years old", age), age);
}

static char *
flags_text (guint flags)
{
  static const struct { guint flag; const char *label; } names[] = {
    { JZ_FLAG_MINOR, N_("Minor") },
    { JZ_FLAG_ELDERLY, N_("Elderly") },
    { JZ_FLAG_DISABLED, N_("Disabled") },
    { JZ_FLAG_MENTAL, N_("Mental disorder") },
    { JZ_FLAG_INTELLECTUAL, N_("Intellectual disability") },
    { JZ_FLAG_DOMESTIC_VIOLENCE, N_("Domestic violence: never disclose where they stay") },
    { JZ_FLAG_TRAFFICKING, N_("Trafficking") },
    { JZ_FLAG_PRISONER_CHILD, N_("Child of a prisoner") },
    { JZ_FLAG_LEFT_BEHIND, N_("Left-behind child") },
    { JZ_FLAG_HK_MO_TW, N_("Hong Kong, Macao or Taiwan") },
    { JZ_FLAG_FOREIGN, N_("Foreign national") },
  };
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (flags & names[i].flag)
      g_string_append_printf (text, "%s%s", text->len ? " · " : "", _(names[i].label));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
show_photo (JzCasePage *self)
{
  sqlite3_stmt *stmt;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  adw_avatar_set_custom_image (self->avatar, NULL);
  stmt = jz_store_prepare (self->store,
                           "SELECT sha256 FROM attachment WHERE owner_id = ?1 AND kind = 'photo' "
                           "AND deleted = 0 AND mime LIKE 'image/%' ORDER BY hlc DESC LIMIT 1", NULL);
  if (stmt == NULL)
    return;
  sqlite3_bind_text (stmt, 1, self->person_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    bytes = jz_store_read_blob (self->store, (const char *) sqlite3_column_text (stmt, 0), NULL);
  sqlite3_reset (stmt);
  /* A photo not yet here (blobs travel apart from rows) shows initials. */
  if (bytes != NULL && (texture = gdk_texture_new_from_bytes (bytes, NULL)) != NULL)
    adw_avatar_set_custom_image (self->avatar, GDK_PAINTABLE (texture));
}

static void
fill_header (JzCasePage *self)
{
  const JzPerson *p = self->data->person;
  const JzEpisode *e = self->data->open;
  g_autoptr(GPtrArray) facts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *age = age_text (p, e);
  g_autofree char *flags = flags_text (p->flags | (e ? e->flags : 0));
  g_autofree char *joined = NULL;
  JzSex sex;

  adw_avatar_set_text (self->avatar, self->title);
  gtk_label_set_text (self->name_label, self->title);
  if (jz_sex_from_string (p->sex, &sex) && sex != JZ_SEX_UNKNOWN)
    g_ptr_array_add (facts, g_strdup (_(jz_sex_get_label (sex))));
  if (age != NULL)
    g_ptr_array_add (facts, g_steal_pointer (&age));
  if (p->id_number != NULL)
    g_ptr_array_add (facts, g_strdup (p->id_number));
  if (p->hukou_region != NULL)
    {
      char *region = jz_regions_full_name (p->hukou_region);

      g_ptr_array_add (facts, region ? region : g_strdup (p->hukou_region));
    }
  g_ptr_array_add (facts, g_strdup (jz_case_label ("identity_status", p->identity_status)));
  g_ptr_array_add (facts, NULL);
  joined = g_strjoinv (" · ", (char **) facts->pdata);
  gtk_label_set_text (self->facts_label, joined);
  gtk_label_set_text (self->flags_label, flags);
  gtk_widget_set_visible (GTK_WIDGET (self->flags_label), flags[0] != '\0');
  show_photo (self);
}

static void
fill_episode (JzCasePage *self,
              gint64      now)
{
  const JzEpisode *e = self->data->open;
  g_autofree char *admitted = NULL;
  g_autofree char *admitted_text = NULL;
  g_autofree char *deadline = NULL;
  gint64 stay = e ? e->stay_deadline : 0;

  if (e == NULL)
    {
      adw_preferences_group_set_description (self->episode_group,
                                             _("Not in the station now. Earlier cases are listed under “All Cases of This Person”."));
      return;
    }
  adw_preferences_group_set_description (self->episode_group, NULL);
  admitted = jz_case_format_time (e->admitted_at);
  admitted_text = g_strdup_printf ("%s · %s", admitted, jz_case_label ("source", e->source));
  add_property (self, self->episode_group, _("Case number"), e->number);
  add_property (self, self->episode_group, _("Status"), jz_case_label ("status", e->status));
  add_property (self, self->episode_group, _("Admitted"), admitted_text);
  add_property (self, self->episode_group, _("Group"), jz_case_label ("category", e->category));
  add_property (self, self->episode_group, _("Bed"),
                self->data->bed_label ? self->data->bed_label : _("No bed assigned yet"));
  /* The limit as the deadline rules see it (extensions included). */
  for (guint i = 0; self->data->deadlines != NULL && i < self->data->deadlines->len; i++)
    {
      JzDeadline *d = self->data->deadlines->pdata[i];

      if (d->kind == JZ_DEADLINE_STAY_LIMIT)
        stay = g_date_time_to_unix (d->due_at);
    }
  if (stay > 0)
    {
      g_autofree char *date = jz_case_format_date (stay);
      gint64 days = (stay - now) / 86400;

      deadline = days >= 0
        ? g_strdup_printf (ngettext ("%s (%d day left)", "%s (%d days left)", (gulong) days), date, (int) days)
        : g_strdup_printf (ngettext ("%s (%d day over)", "%s (%d days over)", (gulong) -days), date, (int) -days);
      add_property (self, self->episode_group, _("Stay limit"), deadline);
    }
  if (e->reason != NULL)
    add_text_property (self, self->episode_group, _("Reason for seeking help"), e->reason);
}

static void
fill_deadlines (JzCasePage *self,
                gint64      now)
{
  GPtrArray *deadlines = self->data->deadlines;
  int next = jz_case_next_deadline (deadlines);

  if (deadlines == NULL || deadlines->len == 0)
    {
      adw_preferences_group_set_description (self->deadlines_group, _("No deadlines apply."));
      return;
    }
  adw_preferences_group_set_description (self->deadlines_group, NULL);
  for (guint i = 0; i < deadlines->len; i++)
    {
      JzDeadline *d = deadlines->pdata[i];
      g_autofree char *date = jz_case_format_time (g_date_time_to_unix (d->due_at));
      g_autofree char *countdown = jz_case_format_countdown (d, now);
      g_autofree char *subtitle = g_strdup_printf ("%s · %s", date, countdown);
      GtkWidget *row = add_row (self, self->deadlines_group, _(d->label), subtitle, FALSE);
      const char *icon = d->status == JZ_DEADLINE_DONE ? "emblem-ok-symbolic"
                         : d->status == JZ_DEADLINE_OVERDUE ? "dialog-warning-symbolic"
                         : d->status == JZ_DEADLINE_DUE ? "alarm-symbolic" : "x-office-calendar-symbolic";
      GtkWidget *image = gtk_image_new_from_icon_name (icon);

      if (d->status == JZ_DEADLINE_OVERDUE)
        gtk_widget_add_css_class (image, "error");
      else if (d->status == JZ_DEADLINE_DUE)
        gtk_widget_add_css_class (image, "warning");
      else if (d->status == JZ_DEADLINE_DONE)
        gtk_widget_add_css_class (image, "success");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), image);
      if ((int) i == next)
        {
          GtkWidget *badge = gtk_label_new (_("Next step"));

          gtk_widget_add_css_class (badge, "accent");
          gtk_widget_add_css_class (badge, "heading");
          gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), badge);
          gtk_widget_add_css_class (row, "jz-next-deadline");
          gtk_widget_set_name (row, "next-deadline");
        }
    }
}

static void
fill_identity (JzCasePage *self)
{
  const JzPerson *p = self->data->person;
  g_autofree char *name = g_strdup_printf ("%s (%s)", self->title, jz_case_label ("name_quality", p->name_quality));
  g_autofree char *birth = NULL;
  g_autofree char *region = p->hukou_region ? jz_regions_full_name (p->hukou_region) : NULL;
  g_autofree char *looks = NULL;
  g_autoptr(GPtrArray) appearance = g_ptr_array_new ();

  add_property (self, self->identity_group, _("Name"), name);
  if (p->aliases != NULL && g_strcmp0 (p->aliases, "[]") != 0)
    add_text_property (self, self->identity_group, _("Other names"), p->aliases);
  if (p->birth_date != NULL && g_strcmp0 (p->birth_precision, "exact") == 0)
    birth = g_strdup (p->birth_date);
  else if (p->birth_date != NULL && g_strcmp0 (p->birth_precision, "year") == 0)
    birth = g_strndup (p->birth_date, 4);
  else if (g_strcmp0 (p->birth_precision, "estimated") == 0 && p->estimated_age >= 0)
    birth = g_strdup_printf (_("about %d on %s"), (int) p->estimated_age, p->estimated_on ? p->estimated_on : "?");
  add_property (self, self->identity_group, _("Born"), birth);
  add_property (self, self->identity_group, _("ID number"), p->id_number);
  add_property (self, self->identity_group, _("Registered residence (户籍地)"), region ? region : p->hukou_region);
  add_text_property (self, self->identity_group, _("Where they live"), p->residence);
  add_property (self, self->identity_group, _("Dialect or accent"), p->dialect);
  add_property (self, self->identity_group, _("Identity"), jz_case_label ("identity_status", p->identity_status));
  if (p->marks != NULL)
    g_ptr_array_add (appearance, p->marks);
  if (p->clothing != NULL)
    g_ptr_array_add (appearance, p->clothing);
  if (p->description != NULL)
    g_ptr_array_add (appearance, p->description);
  g_ptr_array_add (appearance, NULL);
  looks = g_strjoinv ("; ", (char **) appearance->pdata);
  add_text_property (self, self->identity_group, _("Description"), looks);
}

static void
fill_timeline (JzCasePage *self)
{
  GPtrArray *timeline = self->data->timeline;

  if (timeline == NULL || timeline->len == 0)
    {
      adw_preferences_group_set_description (self->timeline_group, _("Nothing recorded yet."));
      return;
    }
  adw_preferences_group_set_description (self->timeline_group,
                                         _("Every change is kept in the audit log with who made it (全程留痕)."));
  for (guint i = 0; i < timeline->len; i++)
    {
      JzTimelineEntry *entry = timeline->pdata[i];
      g_autofree char *what = jz_timeline_describe (entry);
      g_autofree char *when = jz_case_format_time (entry->at);
      g_autofree char *who = jz_timeline_who (entry);
      g_autofree char *subtitle = g_strdup_printf ("%s · %s", when, who);

      add_row (self, self->timeline_group, what, subtitle, FALSE);
    }
}

static void
fill_episodes (JzCasePage *self)
{
  GPtrArray *episodes = self->data->episodes;

  for (guint i = 0; i < episodes->len; i++)
    {
      JzEpisode *e = episodes->pdata[i];
      g_autofree char *admitted = jz_case_format_date (e->admitted_at);
      g_autofree char *departed = jz_case_format_date (e->departed_at);
      g_autofree char *subtitle = e->departed_at
        ? g_strdup_printf ("%s · %s – %s · %s", jz_case_label ("status", e->status), admitted, departed,
                           e->rec.station)
        : g_strdup_printf ("%s · %s · %s", jz_case_label ("status", e->status), admitted, e->rec.station);

      add_row (self, self->episodes_group, e->number, subtitle, FALSE);
    }
  /* 跑站: people coming back again and again are flagged for the worker. */
  adw_preferences_group_set_description (self->episodes_group, NULL);
  if (episodes->len > 1)
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%u case on file: a repeat visitor.",
                                                         "%u cases on file: a repeat visitor.", episodes->len),
                                               episodes->len);
      adw_preferences_group_set_description (self->episodes_group, text);
    }
}

static void
reload (JzCasePage *self)
{
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_clear_handle_id (&self->reload_id, g_source_remove);
  clear_rows (self);
  g_clear_pointer (&self->data, jz_case_data_free);
  if (self->person_id != NULL && self->store != NULL)
    self->data = jz_case_data_load (self->store, self->person_id, now, &error);
  if (self->data == NULL)
    {
      if (error != NULL && self->person_id != NULL)
        g_warning ("Cannot read a case: %s", error->message);
      update_actions (self);
      return;
    }

  g_free (self->title);
  self->title = jz_person_display_name (self->data->person);
  fill_header (self);
  fill_episode (self, now);
  fill_deadlines (self, now);
  fill_identity (self);
  fill_timeline (self);
  fill_episodes (self);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

static gboolean
on_reload_idle (gpointer user_data)
{
  JzCasePage *self = user_data;

  self->reload_id = 0;
  reload (self);
  return G_SOURCE_REMOVE;
}

static void
on_store_changed (JzCasePage *self,
                  const char *table)
{
  /* One action writes several tables, and the sync may bring many. */
  if (self->person_id != NULL && self->reload_id == 0)
    self->reload_id = g_idle_add (on_reload_idle, self);
}

static void
show_toast (JzCasePage *self,
            const char *text,
            gboolean    undo)
{
  AdwToast *toast = adw_toast_new (text);

  if (undo)
    {
      adw_toast_set_button_label (toast, _("_Undo"));
      adw_toast_set_action_name (toast, "case.undo");
    }
  adw_toast_overlay_add_toast (self->toasts, toast);
}

static void
remember_undo (JzCasePage *self,
               const char *entity,
               const char *id,
               const char *bed)
{
  g_free (self->undo_entity);
  g_free (self->undo_id);
  g_free (self->undo_bed);
  self->undo_entity = g_strdup (entity);
  self->undo_id = g_strdup (id);
  self->undo_bed = g_strdup (bed);
  update_actions (self);
}

static void
on_saved (JzCasePage *self,
          const char *entity,
          const char *id,
          const char *bed,
          gboolean    undoable,
          JzCaseActionDialog *dialog)
{
  g_autofree char *text = g_strdup_printf (_("Saved: %s"), jz_case_label ("entity", entity));

  if (bed != NULL)
    {
      g_free (text);
      text = g_strdup (_("Bed saved"));
    }
  if (undoable)
    remember_undo (self, entity, id, bed);
  else
    remember_undo (self, NULL, NULL, NULL);
  show_toast (self, text, undoable);
  reload (self);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  JzCasePage *self = JZ_CASE_PAGE (widget);
  g_autoptr(GError) error = NULL;
  const JzEntity *entity;
  gboolean ok;

  if (self->undo_id == NULL)
    return;
  entity = jz_schema_lookup (self->undo_entity);
  if (self->undo_bed != NULL)
    {
      g_autoptr(JzEpisode) e = jz_store_get_episode (self->store, self->undo_id, &error);

      ok = e != NULL && jz_store_assign_bed (self->store, e, self->undo_bed[0] ? self->undo_bed : NULL, &error);
    }
  else
    /* A tombstone: the audit log keeps both the record and its undoing. */
    ok = entity != NULL && jz_store_delete (self->store, entity, self->undo_id, 0, &error);
  remember_undo (self, NULL, NULL, NULL);
  show_toast (self, ok ? _("Undone") : error ? error->message : _("Cannot undo this"), FALSE);
  reload (self);
}

static void
open_dialog (JzCasePage   *self,
             JzCaseAction  action)
{
  JzCaseActionDialog *dialog;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->data == NULL)
    return;
  dialog = jz_case_action_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->store, action,
                                      self->data->person, self->data->open);
  if (dialog == NULL)
    return;
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_saved), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
quick_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  JzCaseAction action;

  /* "case.service" → "service" */
  if (jz_case_action_from_string (action_name + strlen ("case."), &action))
    open_dialog (JZ_CASE_PAGE (widget), action);
}

static void
on_file_chosen (GtkNativeDialog *chooser,
                int              response,
                JzCasePage      *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JzAttachment) a = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *mime = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  gsize size;

  if (response != GTK_RESPONSE_ACCEPT || self->data == NULL)
    goto out;
  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  bytes = g_file_load_bytes (file, NULL, NULL, &error);
  if (bytes == NULL)
    {
      show_toast (self, error->message, FALSE);
      goto out;
    }
  size = g_bytes_get_size (bytes);
  if (size > MAX_ATTACHMENT_BYTES)
    {
      show_toast (self, _("The file is larger than 20 MB; scan or photograph it at a lower resolution."), FALSE);
      goto out;
    }
  name = g_file_get_basename (file);
  content_type = g_content_type_guess (name, g_bytes_get_data (bytes, NULL), MIN (size, 4096), NULL);
  mime = g_content_type_get_mime_type (content_type);

  a = jz_attachment_new ();
  /* A photo belongs to the person; a scanned form to the open case. */
  if (g_str_has_prefix (mime ? mime : "", "image/"))
    {
      a->owner_entity = g_strdup ("person");
      a->owner_id = g_strdup (self->data->person->rec.id);
      a->kind = g_strdup ("photo");
    }
  else
    {
      a->owner_entity = g_strdup (self->data->open ? "episode" : "person");
      a->owner_id = g_strdup (self->data->open ? self->data->open->rec.id : self->data->person->rec.id);
      a->kind = g_strdup (g_strcmp0 (mime, "application/pdf") == 0 ? "scan" : "document");
    }
  a->mime = g_strdup (mime ? mime : "application/octet-stream");
  a->name = g_strdup (name);
  a->taken_at = g_get_real_time () / G_USEC_PER_SEC;
  if (!jz_store_add_attachment (self->store, a, bytes, &error))
    {
      show_toast (self, error->message, FALSE);
      goto out;
    }
  remember_undo (self, "attachment", a->rec.id, NULL);
  text = g_strdup_printf (_("Attached: %s"), name);
  show_toast (self, text, TRUE);
  reload (self);

out:
  g_clear_object (&self->chooser);
}

static void
attach_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  JzCasePage *self = JZ_CASE_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Attach a Photo or Scan"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Attach"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Photos, scans and documents"));
  gtk_file_filter_add_mime_type (filter, "image/*");
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_file_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
depart_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  JzCasePage *self = JZ_CASE_PAGE (widget);

  if (self->data != NULL && self->data->open != NULL)
    g_signal_emit (self, signals[SIGNAL_DEPART], 0, self->data->open->rec.id);
}

static void
followup_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  JzCasePage *self = JZ_CASE_PAGE (widget);
  const char *episode_id = NULL;

  if (self->data == NULL)
    return;
  if (self->data->open != NULL)
    episode_id = self->data->open->rec.id;
  else if (self->data->episodes->len > 0)
    episode_id = ((JzEpisode *) self->data->episodes->pdata[0])->rec.id;
  g_signal_emit (self, signals[SIGNAL_FOLLOWUP], 0, self->data->person->rec.id, episode_id);
}

static void
build_action_buttons (JzCasePage *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (quick); i++)
    {
      GtkWidget *button = gtk_button_new ();
      GtkWidget *content = adw_button_content_new ();

      adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), quick[i].icon);
      adw_button_content_set_label (ADW_BUTTON_CONTENT (content), _(quick[i].label));
      adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
      gtk_button_set_child (GTK_BUTTON (button), content);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), quick[i].action);
      gtk_widget_set_name (button, quick[i].action);
      gtk_flow_box_append (self->actions_box, button);
    }
}

static void
jz_case_page_dispose (GObject *object)
{
  JzCasePage *self = JZ_CASE_PAGE (object);
  GtkWidget *child;

  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), JZ_TYPE_CASE_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (jz_case_page_parent_class)->dispose (object);
}

static void
jz_case_page_finalize (GObject *object)
{
  JzCasePage *self = JZ_CASE_PAGE (object);

  g_clear_pointer (&self->data, jz_case_data_free);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_free (self->person_id);
  g_free (self->title);
  g_free (self->undo_entity);
  g_free (self->undo_id);
  g_free (self->undo_bed);
  G_OBJECT_CLASS (jz_case_page_parent_class)->finalize (object);
}

static void
jz_case_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  JzCasePage *self = JZ_CASE_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_PERSON_ID:
      g_value_set_string (value, self->person_id);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_case_page_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  JzCasePage *self = JZ_CASE_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      jz_case_page_set_store (self, g_value_get_object (value));
      break;
    case PROP_PERSON_ID:
      jz_case_page_set_person_id (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_case_page_class_init (JzCasePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jz_case_page_dispose;
  object_class->finalize = jz_case_page_finalize;
  object_class->get_property = jz_case_page_get_property;
  object_class->set_property = jz_case_page_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, JZ_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PERSON_ID] =
    g_param_spec_string ("person-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The Departure dialog's hook: (episode id). */
  signals[SIGNAL_DEPART] =
    g_signal_new ("depart", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* The Follow-up dialog's hook: (person id, episode id or NULL). */
  signals[SIGNAL_FOLLOWUP] =
    g_signal_new ("followup", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  jz_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiuzhu/Station/ui/jz-case-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JzCasePage, toasts);
  gtk_widget_class_bind_template_child (widget_class, JzCasePage, scroller);
  gtk_widget_class_bind_template_child (widget_class, JzCasePage, avatar);
  gtk_widget_class_bind_template_child (widget_class, JzCasePage, name_label);
  gtk_widget_class_bind_template_child (widget_class, JzCasePage, facts_label);
  gtk_widget_class_bind_template_child (widget_class, JzCasePage, flags_label);
  gtk_widget_class_bind_template_child (widget_class, JzCasePage, actions_box);
  gtk_widget_class_bind_template_child (widget_class, JzCasePage, episode_group);
  gtk_widget_class_bind_template_child (widget_class, JzCasePage, deadlines_group);
  gtk_widget_class_bind_template_child (widget_class, JzCasePage, identity_group);
  gtk_widget_class_bind_template_child (widget_class, JzCasePage, timeline_group);
  gtk_widget_class_bind_template_child (widget_class, JzCasePage, episodes_group);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  for (guint i = 0; i < G_N_ELEMENTS (quick); i++)
    if (!g_str_equal (quick[i].action, "case.attach") && !g_str_equal (quick[i].action, "case.depart") &&
        !g_str_equal (quick[i].action, "case.followup"))
      gtk_widget_class_install_action (widget_class, quick[i].action, NULL, quick_action);
  gtk_widget_class_install_action (widget_class, "case.attach", NULL, attach_action);
  gtk_widget_class_install_action (widget_class, "case.depart", NULL, depart_action);
  gtk_widget_class_install_action (widget_class, "case.followup", NULL, followup_action);
  gtk_widget_class_install_action (widget_class, "case.undo", NULL, undo_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "case.undo", NULL);
}

static void
jz_case_page_init (JzCasePage *self)
{
  self->rows = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  build_action_buttons (self);
  update_actions (self);
}

JzCasePage *
jz_case_page_new (JzStore *store)
{
  return g_object_new (JZ_TYPE_CASE_PAGE, "store", store, NULL);
}

JzStore *
jz_case_page_get_store (JzCasePage *self)
{
  g_return_val_if_fail (JZ_IS_CASE_PAGE (self), NULL);
  return self->store;
}

void
jz_case_page_set_store (JzCasePage *self,
                        JzStore    *store)
{
  g_return_if_fail (JZ_IS_CASE_PAGE (self));

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  if (g_set_object (&self->store, store))
    {
      if (store != NULL)
        g_signal_connect_swapped (store, "changed", G_CALLBACK (on_store_changed), self);
      reload (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
    }
}

const char *
jz_case_page_get_person_id (JzCasePage *self)
{
  g_return_val_if_fail (JZ_IS_CASE_PAGE (self), NULL);
  return self->person_id;
}

gboolean
jz_case_page_set_person_id (JzCasePage *self,
                            const char *person_id)
{
  g_return_val_if_fail (JZ_IS_CASE_PAGE (self), FALSE);

  if (g_strcmp0 (self->person_id, person_id) != 0)
    {
      remember_undo (self, NULL, NULL, NULL);
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scroller)), 0);
    }
  g_free (self->person_id);
  self->person_id = g_strdup (person_id);
  reload (self);
  if (person_id != NULL && self->data == NULL)
    {
      g_clear_pointer (&self->person_id, g_free);
      return FALSE;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERSON_ID]);
  return TRUE;
}

const char *
jz_case_page_get_episode_id (JzCasePage *self)
{
  g_return_val_if_fail (JZ_IS_CASE_PAGE (self), NULL);
  return self->data && self->data->open ? self->data->open->rec.id : NULL;
}

const char *
jz_case_page_get_title (JzCasePage *self)
{
  g_return_val_if_fail (JZ_IS_CASE_PAGE (self), NULL);
  return self->title;
}

void
jz_case_page_open_action (JzCasePage   *self,
                          const char   *action)
{
  g_return_if_fail (JZ_IS_CASE_PAGE (self));
  gtk_widget_activate_action (GTK_WIDGET (self), action, NULL);
}

AdwToastOverlay *
jz_case_page_get_toast_overlay (JzCasePage *self)
{
  g_return_val_if_fail (JZ_IS_CASE_PAGE (self), NULL);
  return self->toasts;
}

guint
jz_case_page_get_timeline_length (JzCasePage *self)
{
  g_return_val_if_fail (JZ_IS_CASE_PAGE (self), 0);
  return self->data && self->data->timeline ? self->data->timeline->len : 0;
}

char *
jz_case_page_describe_timeline (JzCasePage *self,
                                guint       index)
{
  g_return_val_if_fail (JZ_IS_CASE_PAGE (self), NULL);

  if (self->data == NULL || self->data->timeline == NULL || index >= self->data->timeline->len)
    return NULL;
  return jz_timeline_describe (self->data->timeline->pdata[index]);
}

char *
jz_case_page_timeline_who (JzCasePage *self,
                           guint       index)
{
  g_return_val_if_fail (JZ_IS_CASE_PAGE (self), NULL);

  if (self->data == NULL || self->data->timeline == NULL || index >= self->data->timeline->len)
    return NULL;
  return jz_timeline_who (self->data->timeline->pdata[index]);
}
