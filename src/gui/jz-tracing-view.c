/* jz-tracing-view.c: the family tracing area (寻亲)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-tracing"

#include "config.h"

#include <glib/gi18n.h>

#include "jz-actions.h"
#include "jz-casework.h"
#include "jz-due.h"
#include "jz-form-data.h"
#include "jz-gui-util.h"
#include "jz-regions.h"
#include "jz-tracing-view.h"

/* The methods offered, in the order a station works through them. */
static const char * const methods[] = {
  "self_account", "dialect", "names_places", "fingerprint", "face", "police_report",
  "notice", "dna_request", "dna_result", "police_records", "media", "other",
};

typedef struct
{
  JzEpisode *episode;
  JzPerson  *person;
  GPtrArray *steps;       /* JzTracingStep*, oldest first */
  GPtrArray *deadlines;   /* JzDeadline* */
  int        urgency;     /* 0 overdue, 1 due, 2 neither */
  gint64     next_due;
} Item;

struct _JzTracingView
{
  GtkWidget        parent_instance;

  /* template widgets */
  AdwToastOverlay *toasts;
  GtkStack        *stack;
  GtkWidget       *summary_label;
  GtkListBox      *list;

  /* owned */
  JzStore         *store;
  GPtrArray       *items;     /* Item*, in the order shown */
  guint            reload_id;
  gboolean         dirty;
};

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (JzTracingView, jz_tracing_view, GTK_TYPE_WIDGET)

static void
item_free (Item *item)
{
  g_clear_pointer (&item->episode, jz_episode_free);
  g_clear_pointer (&item->person, jz_person_free);
  g_clear_pointer (&item->steps, g_ptr_array_unref);
  g_clear_pointer (&item->deadlines, g_ptr_array_unref);
  g_free (item);
}

static gboolean
shown_kind (JzDeadlineKind kind)
{
  return kind == JZ_DEADLINE_TRACING_NOTICE || kind == JZ_DEADLINE_DNA_REQUEST ||
         kind == JZ_DEADLINE_DNA_RESULT || kind == JZ_DEADLINE_LONG_STAY ||
         kind == JZ_DEADLINE_SETTLEMENT;
}

static const char *
kind_label (JzDeadlineKind kind)
{
  switch (kind)
    {
    case JZ_DEADLINE_TRACING_NOTICE:
      return _("Tracing notice (24 hours)");
    case JZ_DEADLINE_DNA_REQUEST:
      return _("DNA request (7 working days)");
    case JZ_DEADLINE_DNA_RESULT:
      return _("DNA result (1 month)");
    case JZ_DEADLINE_LONG_STAY:
      return _("Over 10 days: consider care placement (托养)");
    case JZ_DEADLINE_SETTLEMENT:
      return _("Over 3 months: settlement (落户安置)");
    case JZ_DEADLINE_STAY_LIMIT:
    case JZ_DEADLINE_FOLLOW_UP:
    case JZ_DEADLINE_N_KINDS:
    default:
      return "";
    }
}

static int
compare_items (gconstpointer a,
               gconstpointer b)
{
  const Item *x = *(Item * const *) a;
  const Item *y = *(Item * const *) b;

  if (x->urgency != y->urgency)
    return x->urgency - y->urgency;
  if (x->next_due != y->next_due)
    return x->next_due < y->next_due ? -1 : 1;
  return x->episode->admitted_at < y->episode->admitted_at ? -1 : x->episode->admitted_at > y->episode->admitted_at;
}

static GPtrArray *
load_items (JzTracingView  *self,
            GError        **error)
{
  g_autoptr(GPtrArray) open = jz_store_list_open_episodes (self->store, error);
  g_autoptr(JzWorkCalendar) calendar = NULL;
  GPtrArray *items;
  gint64 now = jz_casework_now ();

  if (open == NULL)
    return NULL;
  calendar = jz_store_load_work_calendar (self->store, error);
  if (calendar == NULL)
    return NULL;
  items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  for (guint i = 0; i < open->len; i++)
    {
      JzEpisode *e = open->pdata[i];
      g_autoptr(JzPerson) person = jz_store_get_person (self->store, e->person_id, error);
      Item *item;

      if (person == NULL)
        {
          g_ptr_array_unref (items);
          return NULL;
        }
      /* Identity not verified: unknown, or only the person's own word. */
      if (g_strcmp0 (person->identity_status, "verified") == 0 ||
          g_strcmp0 (person->identity_status, "settled") == 0)
        continue;

      item = g_new0 (Item, 1);
      item->episode = jz_record_copy (&jz_entity_episode, e);
      item->person = g_steal_pointer (&person);
      item->steps = jz_store_list (self->store, &jz_entity_tracing_step, "episode_id", e->rec.id, "at", FALSE, 0, error);
      item->deadlines = item->steps ? jz_store_get_episode_deadlines (self->store, item->episode->rec.id,
                                                                      calendar, now, error) : NULL;
      if (item->steps == NULL || item->deadlines == NULL)
        {
          item_free (item);
          g_ptr_array_unref (items);
          return NULL;
        }
      item->urgency = 2;
      item->next_due = G_MAXINT64;
      for (guint k = 0; k < item->deadlines->len; k++)
        {
          JzDeadline *d = item->deadlines->pdata[k];

          if (!shown_kind (d->kind) || d->status == JZ_DEADLINE_DONE)
            continue;
          if (d->status == JZ_DEADLINE_OVERDUE)
            item->urgency = 0;
          else if (d->status == JZ_DEADLINE_DUE && item->urgency > 1)
            item->urgency = 1;
          item->next_due = MIN (item->next_due, g_date_time_to_unix (d->due_at));
        }
      g_ptr_array_add (items, item);
    }
  g_ptr_array_sort (items, compare_items);
  return items;
}

static void reload_idle (gpointer data);

/* Recording a step: the popover */

typedef struct
{
  JzTracingView *view;
  char          *step_id;
  char          *person_id;
  char          *old_identity;   /* NULL: unchanged */
} Undo;

static void
undo_free (Undo *undo)
{
  g_clear_object (&undo->view);
  g_free (undo->step_id);
  g_free (undo->person_id);
  g_free (undo->old_identity);
  g_free (undo);
}

static void
undo_notify (gpointer  data,
             GClosure *closure)
{
  undo_free (data);
}

static void
on_undo (AdwToast *toast,
         Undo     *undo)
{
  g_autoptr(GError) error = NULL;
  JzStore *store = undo->view->store;
  gboolean ok;

  if (store == NULL || !jz_store_write_begin (store, &error))
    return;
  ok = jz_store_delete (store, &jz_entity_tracing_step, undo->step_id, 0, &error);
  if (ok && undo->old_identity != NULL)
    {
      g_autoptr(JzPerson) person = jz_store_get_person (store, undo->person_id, &error);

      ok = person != NULL;
      if (ok)
        {
          g_free (person->identity_status);
          person->identity_status = g_strdup (undo->old_identity);
          ok = jz_store_update_person (store, person, &error);
        }
    }
  if (!jz_store_write_end (store, ok, ok ? &error : NULL) || !ok)
    {
      AdwToast *failed = adw_toast_new_format (_("Cannot undo: %s"), error ? error->message : "");

      adw_toast_overlay_add_toast (undo->view->toasts, failed);
    }
}

gboolean
jz_tracing_view_record_step (JzTracingView *self,
                             const char    *episode_id,
                             const char    *method,
                             const char    *result,
                             gboolean       found,
                             GError       **error)
{
  g_autoptr(JzTracingStep) step = jz_tracing_step_new ();
  g_autoptr(JzEpisode) episode = NULL;
  g_autoptr(JzPerson) person = NULL;
  g_autofree char *old_identity = NULL;
  g_autofree char *name = NULL;
  gboolean ok;
  AdwToast *toast;
  Undo *undo;

  g_return_val_if_fail (JZ_IS_TRACING_VIEW (self), FALSE);
  g_return_val_if_fail (self->store != NULL, FALSE);

  episode = jz_store_get_episode (self->store, episode_id, error);
  if (episode == NULL)
    return FALSE;
  person = jz_store_get_person (self->store, episode->person_id, error);
  if (person == NULL)
    return FALSE;

  step->episode_id = g_strdup (episode_id);
  step->at = jz_casework_now ();
  step->method = g_strdup (method);
  step->operator = g_strdup (jz_store_get_actor (self->store));
  step->result = result != NULL && *result != '\0' ? g_strdup (result)
               : g_strdup (found ? _("Family found") : _("Nothing found yet"));
  step->success = found;
  if (found)
    step->channel = g_strdup (jz_casework_channel_for_method (method));

  if (!jz_store_write_begin (self->store, error))
    return FALSE;
  ok = jz_store_insert_tracing_step (self->store, step, error);
  /* Found by tracing: the person is identified from now on, and leaves
   * this list. */
  if (ok && found && g_strcmp0 (person->identity_status, "verified") != 0)
    {
      old_identity = g_strdup (person->identity_status);
      g_free (person->identity_status);
      person->identity_status = g_strdup ("verified");
      ok = jz_store_update_person (self->store, person, error);
    }
  if (!jz_store_write_end (self->store, ok, ok ? error : NULL) || !ok)
    return FALSE;

  name = jz_person_display_name (person);
  toast = found ? adw_toast_new_format (_("%s: family found by %s"), name, jz_casework_tracing_method_label (method))
                : adw_toast_new_format (_("%s: %s recorded"), name, jz_casework_tracing_method_label (method));
  adw_toast_set_button_label (toast, _("_Undo"));
  undo = g_new0 (Undo, 1);
  undo->view = g_object_ref (self);
  undo->step_id = g_strdup (step->rec.id);
  undo->person_id = g_strdup (person->rec.id);
  undo->old_identity = g_steal_pointer (&old_identity);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (on_undo), undo, undo_notify, 0);
  adw_toast_overlay_add_toast (self->toasts, toast);
  /* Not now: the popover whose button called this sits in a row that the
   * reload replaces. */
  if (self->reload_id == 0)
    self->reload_id = g_idle_add_once (reload_idle, self);
  return TRUE;
}

static void
record_from_popover (GtkWidget *button,
                     gboolean   found)
{
  GtkWidget *popover = gtk_widget_get_ancestor (button, GTK_TYPE_POPOVER);
  JzTracingView *self = g_object_get_data (G_OBJECT (popover), "view");
  const char *episode_id = g_object_get_data (G_OBJECT (popover), "episode-id");
  const char *method = g_object_get_data (G_OBJECT (popover), "method");
  GtkWidget *entry = g_object_get_data (G_OBJECT (popover), "result-entry");
  g_autoptr(GError) error = NULL;
  g_autofree char *result = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));

  if (method == NULL)
    return;
  gtk_popover_popdown (GTK_POPOVER (popover));
  if (!jz_tracing_view_record_step (self, episode_id, method, result, found, &error))
    {
      AdwToast *toast = adw_toast_new_format (_("Not recorded: %s"), error->message);

      adw_toast_set_timeout (toast, 0);
      adw_toast_overlay_add_toast (self->toasts, toast);
    }
}

static void
on_nothing_found (GtkWidget *button)
{
  record_from_popover (button, FALSE);
}

static void
on_family_found (GtkWidget *button)
{
  record_from_popover (button, TRUE);
}

static void
on_method_clicked (GtkWidget *button)
{
  GtkWidget *popover = gtk_widget_get_ancestor (button, GTK_TYPE_POPOVER);
  GtkStack *stack = g_object_get_data (G_OBJECT (popover), "stack");
  GtkWidget *title = g_object_get_data (G_OBJECT (popover), "method-title");
  GtkWidget *entry = g_object_get_data (G_OBJECT (popover), "result-entry");
  const char *method = g_object_get_data (G_OBJECT (button), "method");

  g_object_set_data_full (G_OBJECT (popover), "method", g_strdup (method), g_free);
  gtk_label_set_label (GTK_LABEL (title), jz_casework_tracing_method_label (method));
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_stack_set_visible_child_name (stack, "result");
  gtk_widget_grab_focus (entry);
}

static void
on_back_clicked (GtkWidget *button)
{
  GtkWidget *popover = gtk_widget_get_ancestor (button, GTK_TYPE_POPOVER);

  gtk_stack_set_visible_child_name (g_object_get_data (G_OBJECT (popover), "stack"), "methods");
}

static void
on_popover_closed (GtkPopover *popover)
{
  gtk_stack_set_visible_child_name (g_object_get_data (G_OBJECT (popover), "stack"), "methods");
}

static GtkWidget *
step_popover (JzTracingView *self,
              const char    *episode_id)
{
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *stack = gtk_stack_new ();
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *methods_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *result_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *heading = gtk_label_new (_("How was it traced?"));
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *entry = gtk_entry_new ();
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *nothing = gtk_button_new_with_mnemonic (_("_Nothing Found Yet"));
  GtkWidget *found = gtk_button_new_with_mnemonic (_("_Family Found"));
  GtkWidget *back = gtk_button_new_from_icon_name ("go-previous-symbolic");
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 4);
  gtk_grid_set_column_homogeneous (GTK_GRID (grid), TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      GtkWidget *b = gtk_button_new_with_label (jz_casework_tracing_method_label (methods[i]));

      gtk_widget_add_css_class (b, "flat");
      gtk_label_set_xalign (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (b))), 0);
      g_object_set_data (G_OBJECT (b), "method", (gpointer) methods[i]);
      g_signal_connect (b, "clicked", G_CALLBACK (on_method_clicked), NULL);
      gtk_grid_attach (GTK_GRID (grid), b, i % 2, i / 2, 1, 1);
    }
  gtk_box_append (GTK_BOX (methods_box), heading);
  gtk_box_append (GTK_BOX (methods_box), grid);

  gtk_widget_set_tooltip_text (back, _("Back to the methods"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (back), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Back to the methods"), -1);
  gtk_widget_add_css_class (back, "flat");
  g_signal_connect (back, "clicked", G_CALLBACK (on_back_clicked), NULL);
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_box_append (GTK_BOX (top), back);
  gtk_box_append (GTK_BOX (top), title);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("What was found (optional)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Result of the step"), -1);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), FALSE);
  g_signal_connect_swapped (entry, "activate", G_CALLBACK (on_nothing_found), nothing);
  gtk_widget_add_css_class (found, "suggested-action");
  gtk_widget_set_hexpand (nothing, TRUE);
  gtk_widget_set_hexpand (found, TRUE);
  g_signal_connect (nothing, "clicked", G_CALLBACK (on_nothing_found), NULL);
  g_signal_connect (found, "clicked", G_CALLBACK (on_family_found), NULL);
  gtk_box_append (GTK_BOX (buttons), nothing);
  gtk_box_append (GTK_BOX (buttons), found);
  gtk_box_append (GTK_BOX (result_box), top);
  gtk_box_append (GTK_BOX (result_box), entry);
  gtk_box_append (GTK_BOX (result_box), buttons);

  gtk_stack_add_named (GTK_STACK (stack), methods_box, "methods");
  gtk_stack_add_named (GTK_STACK (stack), result_box, "result");
  gtk_popover_set_child (GTK_POPOVER (popover), stack);

  g_object_set_data (G_OBJECT (popover), "view", self);
  g_object_set_data_full (G_OBJECT (popover), "episode-id", g_strdup (episode_id), g_free);
  g_object_set_data (G_OBJECT (popover), "stack", stack);
  g_object_set_data (G_OBJECT (popover), "method-title", title);
  g_object_set_data (G_OBJECT (popover), "result-entry", entry);
  g_object_set_data (G_OBJECT (popover), "nothing-button", nothing);
  g_object_set_data (G_OBJECT (popover), "found-button", found);
  g_signal_connect (popover, "closed", G_CALLBACK (on_popover_closed), NULL);
  return popover;
}

/* The rows */

static void
on_print_notice (GtkButton *button)
{
  JzTracingView *self = g_object_get_data (G_OBJECT (button), "view");

  jz_form_data_print (GTK_WIDGET (self), self->store, g_object_get_data (G_OBJECT (button), "episode-id"),
                      JZ_FORM_KIND_TRACING_NOTICE);
}

static void
on_open_file (GtkButton *button)
{
  gtk_widget_activate_action (GTK_WIDGET (button), "win.show-case", "s",
                              g_object_get_data (G_OBJECT (button), "person-id"));
}

static GtkWidget *
small_label (const char *text,
             const char *css)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (css != NULL)
    gtk_widget_add_css_class (label, css);
  return label;
}

static char *
facts_text (const Item *item)
{
  GString *s = g_string_new (NULL);
  g_autofree char *since = jz_casework_format_date (item->episode->admitted_at);
  int days = (int) ((jz_casework_now () - item->episode->admitted_at) / 86400);
  int age = jz_casework_person_age (item->person);

  if (days == 0)
    /* TRANSLATORS: “320481-01-2026-000012 · since 2026-05-01 (today)” */
    g_string_append_printf (s, _("%s · since %s (today)"), item->episode->number, since);
  else
    /* TRANSLATORS: “320481-01-2026-000012 · since 2026-05-01 (3 days)” */
    g_string_append_printf (s, ngettext ("%s · since %s (%d day)", "%s · since %s (%d days)", days),
                            item->episode->number, since, days);
  g_string_append_printf (s, " · %s", jz_casework_status_label (item->episode->status));
  if (g_strcmp0 (item->person->sex, "unknown") != 0)
    g_string_append_printf (s, " · %s", jz_casework_sex_label (item->person->sex));
  if (age >= 0)
    {
      g_string_append (s, " · ");
      if (g_strcmp0 (item->person->birth_precision, "estimated") == 0)
        g_string_append_printf (s, ngettext ("about %d year old", "about %d years old", age), age);
      else
        g_string_append_printf (s, ngettext ("%d year old", "%d years old", age), age);
    }
  if (item->person->dialect != NULL)
    g_string_append_printf (s, _(" · accent: %s"), item->person->dialect);
  if (item->person->hukou_region != NULL)
    {
      g_autofree char *full = jz_regions_full_name (item->person->hukou_region);
      g_string_append_printf (s, _(" · says from %s"), full ? full : item->person->hukou_region);
    }
  if (g_strcmp0 (item->person->identity_status, "self_reported") == 0)
    g_string_append_printf (s, " · %s", jz_casework_identity_label ("self_reported"));
  return g_string_free (s, FALSE);
}

static GtkWidget *
person_row (JzTracingView *self,
            const Item    *item)
{
  GtkWidget *row = gtk_list_box_row_new ();
  /* A grid, not a horizontal box: GTK 4.8's box asks the wrapping labels
   * beside the buttons for their width at the row's height, which can be
   * one line's, and pushed the buttons out of the row. */
  GtkWidget *outer = gtk_grid_new ();
  GtkWidget *main = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *chips = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *actions = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *record = gtk_menu_button_new ();
  GtkWidget *print = gtk_button_new_with_mnemonic (_("Print _Notice"));
  GtkWidget *open = gtk_button_new_with_mnemonic (_("Open _File"));
  GtkWidget *avatar;
  g_autofree char *name = jz_person_display_name (item->person);
  g_autofree char *facts = facts_text (item);
  g_autofree char *photo = jz_casework_person_photo_path (self->store, item->person->rec.id);
  GString *deadlines_text = g_string_new (NULL);
  gint64 now = jz_casework_now ();

  if (photo != NULL)
    {
      avatar = gtk_picture_new_for_filename (photo);
      gtk_picture_set_content_fit (GTK_PICTURE (avatar), GTK_CONTENT_FIT_COVER);
      gtk_widget_set_size_request (avatar, 48, 64);
      gtk_picture_set_alternative_text (GTK_PICTURE (avatar), name);
    }
  else
    avatar = adw_avatar_new (48, item->person->name, item->person->name != NULL);
  gtk_widget_set_valign (avatar, GTK_ALIGN_START);
  gtk_grid_set_column_spacing (GTK_GRID (outer), 12);
  gtk_grid_attach (GTK_GRID (outer), avatar, 0, 0, 1, 1);

  gtk_box_append (GTK_BOX (main), small_label (name, "heading"));
  gtk_box_append (GTK_BOX (main), small_label (facts, "caption"));

  for (guint i = 0; i < item->deadlines->len; i++)
    {
      JzDeadline *d = item->deadlines->pdata[i];
      g_autofree char *when = NULL;
      g_autofree char *text = NULL;
      const char *css;
      GtkWidget *chip;

      if (!shown_kind (d->kind))
        continue;
      /* Prompts (long stay, settlement) only once they apply. */
      if ((d->kind == JZ_DEADLINE_LONG_STAY || d->kind == JZ_DEADLINE_SETTLEMENT) && d->status != JZ_DEADLINE_DUE)
        continue;
      when = jz_casework_deadline_text (d, now);
      text = (d->kind == JZ_DEADLINE_LONG_STAY || d->kind == JZ_DEADLINE_SETTLEMENT)
               ? g_strdup (kind_label (d->kind))
               : g_strdup_printf (_("%s: %s"), kind_label (d->kind), when);
      css = d->status == JZ_DEADLINE_OVERDUE ? "error"
          : d->status == JZ_DEADLINE_DUE ? "warning"
          : d->status == JZ_DEADLINE_DONE ? "success" : "dim-label";
      chip = small_label (text, css);
      gtk_widget_add_css_class (chip, "caption-heading");
      gtk_box_append (GTK_BOX (chips), chip);
      if (deadlines_text->len > 0)
        g_string_append (deadlines_text, "\n");
      g_string_append (deadlines_text, text);
    }
  gtk_box_append (GTK_BOX (main), chips);

  if (item->steps->len == 0)
    gtk_box_append (GTK_BOX (main), small_label (_("No tracing steps recorded yet."), "dim-label"));
  for (guint i = item->steps->len > 3 ? item->steps->len - 3 : 0; i < item->steps->len; i++)
    {
      JzTracingStep *s = item->steps->pdata[i];
      g_autofree char *at = jz_casework_format_time (s->at);
      /* TRANSLATORS: a tracing step: time, method, result */
      g_autofree char *line = g_strdup_printf (_("%s · %s · %s"), at, jz_casework_tracing_method_label (s->method),
                                               s->result ? s->result : "");

      gtk_box_append (GTK_BOX (main), small_label (line, "caption"));
    }
  if (item->steps->len > 3)
    {
      g_autofree char *more = g_strdup_printf (ngettext ("%u earlier step in the file", "%u earlier steps in the file",
                                                         item->steps->len - 3), item->steps->len - 3);
      gtk_box_append (GTK_BOX (main), small_label (more, "dim-label"));
    }
  gtk_widget_set_hexpand (main, TRUE);
  gtk_grid_attach (GTK_GRID (outer), main, 1, 0, 1, 1);

  gtk_menu_button_set_label (GTK_MENU_BUTTON (record), _("_Record Step"));
  gtk_menu_button_set_use_underline (GTK_MENU_BUTTON (record), TRUE);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (record), step_popover (self, item->episode->rec.id));
  gtk_widget_add_css_class (record, "suggested-action");
  {
    /* TRANSLATORS: accessible description of the “Record step” button */
    g_autofree char *desc = g_strdup_printf (_("Record a tracing step for %s"), name);
    gtk_accessible_update_property (GTK_ACCESSIBLE (record), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, desc, -1);
  }
  g_object_set_data (G_OBJECT (print), "view", self);
  g_object_set_data_full (G_OBJECT (print), "episode-id", g_strdup (item->episode->rec.id), g_free);
  g_signal_connect (print, "clicked", G_CALLBACK (on_print_notice), NULL);
  g_object_set_data_full (G_OBJECT (open), "person-id", g_strdup (item->person->rec.id), g_free);
  g_signal_connect (open, "clicked", G_CALLBACK (on_open_file), NULL);
  gtk_box_append (GTK_BOX (actions), record);
  gtk_box_append (GTK_BOX (actions), print);
  gtk_box_append (GTK_BOX (actions), open);
  gtk_widget_set_valign (actions, GTK_ALIGN_START);
  gtk_grid_attach (GTK_GRID (outer), actions, 2, 0, 1, 1);

  gtk_widget_set_margin_top (outer, 12);
  gtk_widget_set_margin_bottom (outer, 12);
  gtk_widget_set_margin_start (outer, 12);
  gtk_widget_set_margin_end (outer, 12);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), outer);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  g_object_set_data_full (G_OBJECT (row), "episode-id", g_strdup (item->episode->rec.id), g_free);
  g_object_set_data_full (G_OBJECT (row), "person-id", g_strdup (item->person->rec.id), g_free);
  g_object_set_data_full (G_OBJECT (row), "deadlines", g_string_free (deadlines_text, FALSE), g_free);
  g_object_set_data (G_OBJECT (row), "record-button", record);
  return row;
}

void
jz_tracing_view_reload (JzTracingView *self)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *items;
  GtkWidget *child;
  guint overdue = 0;

  g_return_if_fail (JZ_IS_TRACING_VIEW (self));

  g_clear_handle_id (&self->reload_id, g_source_remove);
  self->dirty = FALSE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  if (self->store == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  items = load_items (self, &error);
  if (items == NULL)
    {
      AdwToast *toast = adw_toast_new_format (_("Cannot read the people being traced: %s"), error->message);

      adw_toast_overlay_add_toast (self->toasts, toast);
      return;
    }
  self->items = items;
  for (guint i = 0; i < items->len; i++)
    {
      Item *item = items->pdata[i];

      overdue += item->urgency == 0;
      gtk_list_box_append (self->list, person_row (self, item));
    }
  if (items->len == 0)
    gtk_stack_set_visible_child_name (self->stack, "empty");
  else
    {
      g_autofree char *people = g_strdup_printf (ngettext ("%u person not identified", "%u people not identified",
                                                           items->len), items->len);
      g_autofree char *summary = NULL;

      if (overdue > 0)
        /* TRANSLATORS: “5 people not identified · 2 with an overdue step” */
        summary = g_strdup_printf (ngettext ("%s · %u with an overdue step", "%s · %u with an overdue step", overdue),
                                   people, overdue);
      gtk_label_set_label (GTK_LABEL (self->summary_label), summary ? summary : people);
      gtk_stack_set_visible_child_name (self->stack, "list");
    }
}

static void
reload_idle (gpointer data)
{
  JzTracingView *self = data;

  self->reload_id = 0;
  jz_tracing_view_reload (self);
}

static void
on_store_changed (JzTracingView *self,
                  const char    *table)
{
  static const char * const tables[] = {
    "episode", "person", "tracing_step", "stay_extension", "departure", "attachment", "holiday", NULL,
  };

  if (table != NULL && !g_strv_contains (tables, table))
    return;
  /* Only a shown view reads at once; a hidden one when it is shown. */
  self->dirty = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && self->reload_id == 0)
    self->reload_id = g_idle_add_once (reload_idle, self);
}

static void
jz_tracing_view_map (GtkWidget *widget)
{
  JzTracingView *self = JZ_TRACING_VIEW (widget);

  GTK_WIDGET_CLASS (jz_tracing_view_parent_class)->map (widget);
  /* Deadlines move with the clock: read again each time it is shown. */
  jz_tracing_view_reload (self);
}

static void
jz_tracing_view_dispose (GObject *object)
{
  JzTracingView *self = JZ_TRACING_VIEW (object);

  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), JZ_TYPE_TRACING_VIEW);
  G_OBJECT_CLASS (jz_tracing_view_parent_class)->dispose (object);
}

static void
jz_tracing_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, JZ_TRACING_VIEW (object)->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_tracing_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_STORE:
      jz_tracing_view_set_store (JZ_TRACING_VIEW (object), g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_tracing_view_class_init (JzTracingViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jz_tracing_view_dispose;
  object_class->get_property = jz_tracing_view_get_property;
  object_class->set_property = jz_tracing_view_set_property;
  widget_class->map = jz_tracing_view_map;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, JZ_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  jz_gui_init ();
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiuzhu/Station/ui/jz-tracing-view.ui");
  gtk_widget_class_bind_template_child (widget_class, JzTracingView, toasts);
  gtk_widget_class_bind_template_child (widget_class, JzTracingView, stack);
  gtk_widget_class_bind_template_child (widget_class, JzTracingView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, JzTracingView, list);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
jz_tracing_view_init (JzTracingView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
jz_tracing_view_new (void)
{
  return g_object_new (JZ_TYPE_TRACING_VIEW, NULL);
}

JzStore *
jz_tracing_view_get_store (JzTracingView *self)
{
  g_return_val_if_fail (JZ_IS_TRACING_VIEW (self), NULL);
  return self->store;
}

void
jz_tracing_view_set_store (JzTracingView *self,
                           JzStore       *store)
{
  g_return_if_fail (JZ_IS_TRACING_VIEW (self));
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
    jz_tracing_view_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

guint
jz_tracing_view_get_n_people (JzTracingView *self)
{
  g_return_val_if_fail (JZ_IS_TRACING_VIEW (self), 0);
  return self->items ? self->items->len : 0;
}

GtkWidget *
jz_tracing_view_get_row (JzTracingView *self,
                         guint          index)
{
  g_return_val_if_fail (JZ_IS_TRACING_VIEW (self), NULL);
  return GTK_WIDGET (gtk_list_box_get_row_at_index (self->list, (int) index));
}
