/* jz-case-action-dialog.c: the case page's quick actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-case-action"

#include "config.h"

#include <glib/gi18n.h>

#include "jz-actions.h"
#include "jz-case-action-dialog.h"
#include "jz-case-data.h"
#include "jz-case-labels.h"
#include "jz-gui-util.h"

typedef enum
{
  F_ENTRY,
  F_ENUM,
  F_INT,
  F_YUAN,
  F_SWITCH,
} FieldKind;

typedef struct
{
  const char *key;
  FieldKind   kind;
  const char *title;
  const char *set;       /* F_ENUM: jz_case_label set */
  int         min, max, def;
  gboolean    required;
} FieldDef;

#define END { NULL }

static const FieldDef service_fields[] = {
  { "kind", F_ENUM, N_("Service"), "service_kind", 0, 0, 0, TRUE },
  { "qty", F_INT, N_("How many (meals, nights …)"), NULL, 1, 100, 1, TRUE },
  { "note", F_ENTRY, N_("Note"), NULL, 0, 0, 0, FALSE },
  END
};
static const FieldDef tracing_fields[] = {
  { "method", F_ENUM, N_("Step taken"), "tracing_method", 0, 0, 0, TRUE },
  { "result", F_ENTRY, N_("What came of it"), NULL, 0, 0, 0, FALSE },
  { "success", F_SWITCH, N_("The family was found"), NULL, 0, 0, 0, FALSE },
  { "channel", F_ENUM, N_("Found through"), "tracing_channel", 0, 0, 0, FALSE },
  END
};
static const FieldDef referral_fields[] = {
  { "agency", F_ENUM, N_("Referred to"), "agency", 0, 0, 0, TRUE },
  { "agency_name", F_ENTRY, N_("Name of the agency"), NULL, 0, 0, 0, FALSE },
  { "days", F_INT, N_("To be settled within days"), NULL, 1, 90, 7, TRUE },
  END
};
static const FieldDef expenditure_fields[] = {
  { "kind", F_ENUM, N_("Spent on"), "expenditure_kind", 0, 0, 0, TRUE },
  { "amount", F_YUAN, N_("Amount in yuan"), NULL, 0, 0, 0, TRUE },
  { "receipt_no", F_ENTRY, N_("Receipt number"), NULL, 0, 0, 0, FALSE },
  { "note", F_ENTRY, N_("Note"), NULL, 0, 0, 0, FALSE },
  END
};
static const FieldDef extend_fields[] = {
  { "days", F_INT, N_("Extend the stay limit by days"), NULL, 1, 365, 10, TRUE },
  { "reason", F_ENTRY, N_("Reason"), NULL, 0, 0, 0, TRUE },
  { "approval_ref", F_ENTRY, N_("Reference of the civil affairs department's approval"), NULL, 0, 0, 0, FALSE },
  END
};
static const FieldDef escort_fields[] = {
  { "receiving_unit", F_ENTRY, N_("Receiving unit"), NULL, 0, 0, 0, TRUE },
  { "received_by", F_ENTRY, N_("Received by"), NULL, 0, 0, 0, FALSE },
  { "vehicle", F_ENTRY, N_("Vehicle"), NULL, 0, 0, 0, FALSE },
  { "route", F_ENTRY, N_("Route"), NULL, 0, 0, 0, FALSE },
  { "cross_province", F_SWITCH, N_("Across provinces"), NULL, 0, 0, 0, FALSE },
  { "note", F_ENTRY, N_("Note"), NULL, 0, 0, 0, FALSE },
  END
};
static const FieldDef placement_fields[] = {
  { "institution", F_ENTRY, N_("Care institution"), NULL, 0, 0, 0, TRUE },
  { "agreement_no", F_ENTRY, N_("Agreement number"), NULL, 0, 0, 0, FALSE },
  { "qualification_checked", F_SWITCH, N_("The institution's qualification is checked"), NULL, 0, 0, 0, FALSE },
  { "visit_every_days", F_INT, N_("Visit every … days"), NULL, 1, 365, 30, TRUE },
  END
};
static const FieldDef settlement_fields[] = {
  { "status", F_ENUM, N_("Stage"), "settlement_status", 0, 0, 0, TRUE },
  { "institution", F_ENTRY, N_("Welfare institution"), NULL, 0, 0, 0, FALSE },
  { "letter_no", F_ENTRY, N_("Number of the application letter"), NULL, 0, 0, 0, FALSE },
  { "databases_checked", F_SWITCH, N_("Missing-person databases checked first"), NULL, 0, 0, 0, FALSE },
  { "note", F_ENTRY, N_("Note"), NULL, 0, 0, 0, FALSE },
  END
};

static const struct
{
  const char     *id;
  const char     *title;
  const FieldDef *fields;
} actions[JZ_CASE_N_ACTIONS] = {
  [JZ_CASE_ACTION_SERVICE] = { "service", N_("Record a Service"), service_fields },
  [JZ_CASE_ACTION_BED] = { "bed", N_("Assign a Bed"), NULL },
  [JZ_CASE_ACTION_TRACING] = { "tracing", N_("Record a Tracing Step"), tracing_fields },
  [JZ_CASE_ACTION_REFERRAL] = { "referral", N_("Refer to an Agency"), referral_fields },
  [JZ_CASE_ACTION_EXPENDITURE] = { "expenditure", N_("Record Spending"), expenditure_fields },
  [JZ_CASE_ACTION_EXTEND] = { "extend", N_("Extend the Stay"), extend_fields },
  [JZ_CASE_ACTION_ESCORT] = { "escort", N_("Record an Escort Trip"), escort_fields },
  [JZ_CASE_ACTION_PLACEMENT] = { "placement", N_("Place in a Care Institution"), placement_fields },
  [JZ_CASE_ACTION_SETTLEMENT] = { "settlement", N_("Household Registration (Settlement)"), settlement_fields },
};

typedef struct
{
  const FieldDef *def;
  GtkWidget      *row;
  GtkWidget      *input;   /* GtkSpinButton / GtkSwitch; the row for entries and combos */
  GtkLabel       *hint;
} Field;

typedef struct
{
  char      *bed_id;
  char      *room_kind;
  char      *room_name;
  GtkWidget *check;
} BedChoice;

struct _JzCaseActionDialog
{
  AdwWindow             parent_instance;

  /* template widgets */
  AdwWindowTitle       *window_title;
  AdwPreferencesGroup  *group;
  GtkLabel             *error_label;
  GtkWidget            *save_button;

  /* owned */
  JzStore              *store;
  JzCaseAction          action;
  JzPerson             *person;
  JzEpisode            *episode;
  GArray               *fields;      /* Field */
  GPtrArray            *beds;        /* BedChoice */
  GtkLabel             *bed_hint;
  gboolean              dirty;
  gboolean              confirmed_close;
};

enum {
  SIGNAL_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (JzCaseActionDialog, jz_case_action_dialog, ADW_TYPE_WINDOW)

const char *
jz_case_action_to_string (JzCaseAction action)
{
  g_return_val_if_fail (action < JZ_CASE_N_ACTIONS, NULL);
  return actions[action].id;
}

gboolean
jz_case_action_from_string (const char   *text,
                            JzCaseAction *out)
{
  for (guint i = 0; i < JZ_CASE_N_ACTIONS; i++)
    if (g_strcmp0 (text, actions[i].id) == 0)
      {
        *out = (JzCaseAction) i;
        return TRUE;
      }
  return FALSE;
}

const char *
jz_case_action_get_title (JzCaseAction action)
{
  g_return_val_if_fail (action < JZ_CASE_N_ACTIONS, NULL);
  return _(actions[action].title);
}

static void
bed_choice_free (gpointer data)
{
  BedChoice *b = data;

  g_free (b->bed_id);
  g_free (b->room_kind);
  g_free (b->room_name);
  g_free (b);
}

static Field *
find_field (JzCaseActionDialog *self,
            const char         *key)
{
  for (guint i = 0; self->fields != NULL && i < self->fields->len; i++)
    {
      Field *f = &g_array_index (self->fields, Field, i);

      if (g_strcmp0 (f->def->key, key) == 0)
        return f;
    }
  return NULL;
}

/* A message row that sits in the boxed list right under its field. */
static GtkLabel *
add_hint_row (AdwPreferencesGroup *group)
{
  GtkWidget *row = adw_preferences_row_new ();
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "error");
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_set_margin_top (label, 8);
  gtk_widget_set_margin_bottom (label, 8);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_visible (row, FALSE);
  adw_preferences_group_add (group, row);
  return GTK_LABEL (label);
}

static void
set_hint (GtkLabel   *hint,
          const char *message)
{
  GtkWidget *row;

  if (hint == NULL)
    return;
  gtk_label_set_text (hint, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (hint), message != NULL);
  row = gtk_widget_get_parent (GTK_WIDGET (hint));
  if (ADW_IS_PREFERENCES_ROW (row))
    gtk_widget_set_visible (row, message != NULL);
}

static void
clear_messages (JzCaseActionDialog *self)
{
  for (guint i = 0; self->fields != NULL && i < self->fields->len; i++)
    set_hint (g_array_index (self->fields, Field, i).hint, NULL);
  set_hint (self->bed_hint, NULL);
  set_hint (self->error_label, NULL);
}

/* Shows @message under @key's field (or the form) and moves focus there. */
static gboolean
refuse (JzCaseActionDialog *self,
        const char         *key,
        const char         *message)
{
  Field *f = key ? find_field (self, key) : NULL;

  if (f != NULL)
    {
      set_hint (f->hint, message);
      gtk_widget_grab_focus (f->input);
    }
  else if (g_strcmp0 (key, "bed") == 0 && self->bed_hint != NULL)
    set_hint (self->bed_hint, message);
  else
    set_hint (self->error_label, message);
  return FALSE;
}

static const char *
field_text (JzCaseActionDialog *self,
            const char         *key)
{
  Field *f = find_field (self, key);

  return f ? gtk_editable_get_text (GTK_EDITABLE (f->row)) : "";
}

/* Trimmed text, NULL when empty. */
static char *
field_string (JzCaseActionDialog *self,
              const char         *key)
{
  g_autofree char *t = g_strstrip (g_strdup (field_text (self, key)));

  return t[0] ? g_steal_pointer (&t) : NULL;
}

static const char *
field_enum (JzCaseActionDialog *self,
            const char         *key)
{
  Field *f = find_field (self, key);
  const char * const *ids;
  guint i;

  if (f == NULL)
    return NULL;
  ids = jz_case_label_ids (f->def->set);
  i = adw_combo_row_get_selected (ADW_COMBO_ROW (f->row));
  return ids != NULL && i < g_strv_length ((char **) ids) ? ids[i] : NULL;
}

static int
field_int (JzCaseActionDialog *self,
           const char         *key)
{
  Field *f = find_field (self, key);

  return f ? gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (f->input)) : 0;
}

static gboolean
field_bool (JzCaseActionDialog *self,
            const char         *key)
{
  Field *f = find_field (self, key);

  return f ? gtk_switch_get_active (GTK_SWITCH (f->input)) : FALSE;
}

static void
on_changed (JzCaseActionDialog *self)
{
  Field *success = find_field (self, "success");
  Field *channel = find_field (self, "channel");

  self->dirty = TRUE;
  if (success != NULL && channel != NULL)
    gtk_widget_set_sensitive (channel->row, gtk_switch_get_active (GTK_SWITCH (success->input)));
}

static void
add_field (JzCaseActionDialog *self,
           const FieldDef     *def)
{
  Field f = { def, NULL, NULL, NULL };
  const char *title = _(def->title);
  GtkLabel *hint;

  switch (def->kind)
    {
    case F_ENTRY:
    case F_YUAN:
      f.row = f.input = adw_entry_row_new ();
      if (def->kind == F_YUAN)
        gtk_editable_set_text (GTK_EDITABLE (f.row), "");
      g_signal_connect_swapped (f.row, "changed", G_CALLBACK (on_changed), self);
      g_signal_connect_swapped (f.row, "entry-activated", G_CALLBACK (jz_case_action_dialog_save), self);
      break;
    case F_ENUM:
      {
        g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
        const char * const *ids = jz_case_label_ids (def->set);

        for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
          gtk_string_list_append (labels, jz_case_label (def->set, ids[i]));
        f.row = f.input = adw_combo_row_new ();
        adw_combo_row_set_model (ADW_COMBO_ROW (f.row), G_LIST_MODEL (labels));
        g_signal_connect_swapped (f.row, "notify::selected", G_CALLBACK (on_changed), self);
      }
      break;
    case F_INT:
      f.row = adw_action_row_new ();
      f.input = gtk_spin_button_new_with_range (def->min, def->max, 1);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (f.input), def->def);
      gtk_widget_set_valign (f.input, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (f.input), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (f.row), f.input);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (f.row), f.input);
      g_signal_connect_swapped (f.input, "value-changed", G_CALLBACK (on_changed), self);
      break;
    case F_SWITCH:
      f.row = adw_action_row_new ();
      f.input = gtk_switch_new ();
      gtk_widget_set_valign (f.input, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (f.input), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (f.row), f.input);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (f.row), f.input);
      g_signal_connect_swapped (f.input, "notify::active", G_CALLBACK (on_changed), self);
      break;
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (f.row), title);
  gtk_widget_set_name (f.row, def->key);
  adw_preferences_group_add (self->group, f.row);

  /* The message about this field sits right under it. */
  hint = add_hint_row (self->group);
  f.hint = hint;
  gtk_accessible_update_relation (GTK_ACCESSIBLE (f.input), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, hint, NULL, -1);
  g_array_append_val (self->fields, f);
}

static void
on_bed_toggled (JzCaseActionDialog *self)
{
  self->dirty = TRUE;
  set_hint (self->bed_hint, NULL);
}

static void
build_beds (JzCaseActionDialog *self)
{
  g_autoptr(GPtrArray) occupancy = jz_store_list_bed_occupancy (self->store, NULL);
  GtkWidget *none_row = adw_action_row_new ();
  GtkWidget *none_check = gtk_check_button_new ();
  BedChoice *none = g_new0 (BedChoice, 1);

  adw_preferences_group_set_description (self->group,
                                         _("Rooms are separated by sex, and minors sleep apart from adults."));
  /* Above the list, where it is seen without scrolling. */
  self->bed_hint = add_hint_row (self->group);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (none_row), _("No bed"));
  adw_action_row_add_prefix (ADW_ACTION_ROW (none_row), none_check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (none_row), none_check);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (none_check), self->episode->bed_id == NULL);
  g_signal_connect_swapped (none_check, "toggled", G_CALLBACK (on_bed_toggled), self);
  none->check = none_check;
  g_ptr_array_add (self->beds, none);
  adw_preferences_group_add (self->group, none_row);

  for (guint i = 0; occupancy != NULL && i < occupancy->len; i++)
    {
      JzBedOccupancy *o = occupancy->pdata[i];
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      BedChoice *b = g_new0 (BedChoice, 1);
      gboolean mine = g_strcmp0 (o->episode_id, self->episode->rec.id) == 0;
      g_autofree char *title = g_strdup_printf ("%s %s", o->room_name, o->bed_label);
      g_autofree char *subtitle = NULL;
      subtitle = o->episode_id == NULL ? g_strdup_printf ("%s · %s", jz_case_label ("room_kind", o->room_kind), _("free"))
                 : mine ? g_strdup_printf ("%s · %s", jz_case_label ("room_kind", o->room_kind), _("this person's bed now"))
                 : g_strdup_printf (_("%s · taken by %s"), jz_case_label ("room_kind", o->room_kind), o->person_name);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_check_button_set_group (GTK_CHECK_BUTTON (check), GTK_CHECK_BUTTON (none_check));
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), mine);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      gtk_widget_set_sensitive (row, o->episode_id == NULL || mine);
      gtk_widget_set_name (row, o->bed_id);
      g_signal_connect_swapped (check, "toggled", G_CALLBACK (on_bed_toggled), self);
      b->bed_id = g_strdup (o->bed_id);
      b->room_kind = g_strdup (o->room_kind);
      b->room_name = g_strdup (o->room_name);
      b->check = check;
      g_ptr_array_add (self->beds, b);
      adw_preferences_group_add (self->group, row);
    }

  if (occupancy == NULL || occupancy->len == 0)
    adw_preferences_group_set_description (self->group,
                                           _("No rooms and beds are set up yet. An administrator sets them up in the station's data."));
}

/* The writes. Each returns FALSE after refuse(). */

static gboolean
need_actor (JzCaseActionDialog *self,
            const char         *why)
{
  if (jz_store_get_actor (self->store) != NULL)
    return TRUE;
  return refuse (self, NULL, why);
}

static void
emit_saved (JzCaseActionDialog *self,
            const JzEntity     *entity,
            const char         *id,
            const char         *undo_bed,
            gboolean            undoable)
{
  g_signal_emit (self, signals[SIGNAL_SAVED], 0, entity->name, id, undo_bed, undoable);
}

static gboolean
store_error (JzCaseActionDialog *self,
             GError             *error)
{
  return refuse (self, NULL, error->message);
}

static gboolean
save_service (JzCaseActionDialog *self, gint64 now, GError **error)
{
  g_autoptr(JzServiceLog) r = jz_service_log_new ();

  r->episode_id = g_strdup (self->episode->rec.id);
  r->at = now;
  r->kind = g_strdup (field_enum (self, "kind"));
  r->qty = field_int (self, "qty");
  r->staff_id = g_strdup (jz_store_get_actor (self->store));
  r->note = field_string (self, "note");
  if (!jz_store_insert_service_log (self->store, r, error))
    return FALSE;
  emit_saved (self, &jz_entity_service_log, r->rec.id, NULL, TRUE);
  return TRUE;
}

static gboolean
save_tracing (JzCaseActionDialog *self, gint64 now, GError **error)
{
  g_autoptr(JzTracingStep) r = jz_tracing_step_new ();

  r->episode_id = g_strdup (self->episode->rec.id);
  r->at = now;
  r->method = g_strdup (field_enum (self, "method"));
  r->operator = g_strdup (jz_store_get_actor (self->store));
  r->result = field_string (self, "result");
  r->success = field_bool (self, "success");
  if (r->success)
    r->channel = g_strdup (field_enum (self, "channel"));
  if (!jz_store_insert_tracing_step (self->store, r, error))
    return FALSE;
  emit_saved (self, &jz_entity_tracing_step, r->rec.id, NULL, TRUE);
  return TRUE;
}

static gboolean
save_referral (JzCaseActionDialog *self, gint64 now, GError **error)
{
  g_autoptr(JzReferral) r = jz_referral_new ();

  r->person_id = g_strdup (self->person->rec.id);
  r->episode_id = g_strdup (self->episode->rec.id);
  r->agency = g_strdup (field_enum (self, "agency"));
  r->agency_name = field_string (self, "agency_name");
  r->referred_at = now;
  r->first_responsible = g_strdup (jz_store_get_actor (self->store));
  r->deadline = now + (gint64) field_int (self, "days") * 86400;
  r->status = g_strdup ("open");
  if (!jz_store_insert_referral (self->store, r, error))
    return FALSE;
  emit_saved (self, &jz_entity_referral, r->rec.id, NULL, TRUE);
  return TRUE;
}

static gboolean
save_expenditure (JzCaseActionDialog *self, gint64 now, GError **error)
{
  g_autoptr(JzExpenditure) r = jz_expenditure_new ();
  gint64 fen;

  if (!jz_case_parse_yuan (field_text (self, "amount"), &fen))
    return refuse (self, "amount", _("Type the amount in yuan with at most two decimals, for example 12.50."));
  r->episode_id = g_strdup (self->episode->rec.id);
  r->spent_at = now;
  r->kind = g_strdup (field_enum (self, "kind"));
  r->amount_fen = fen;
  r->receipt_no = field_string (self, "receipt_no");
  r->note = field_string (self, "note");
  if (!jz_store_insert_expenditure (self->store, r, error))
    return FALSE;
  emit_saved (self, &jz_entity_expenditure, r->rec.id, NULL, TRUE);
  return TRUE;
}

static gboolean
save_extend (JzCaseActionDialog *self, gint64 now, GError **error)
{
  g_autoptr(JzStayExtension) r = jz_stay_extension_new ();
  gint64 from = MAX (self->episode->stay_deadline, now);

  r->episode_id = g_strdup (self->episode->rec.id);
  r->filed_by = g_strdup (jz_store_get_actor (self->store));
  r->filed_at = now;
  r->new_deadline = from + (gint64) field_int (self, "days") * 86400;
  r->reason = field_string (self, "reason");
  r->approval_ref = field_string (self, "approval_ref");
  if (!jz_store_extend_stay (self->store, r, error))
    return FALSE;
  /* The episode's deadline moved with it: a tombstone alone would not
   * put it back, so no Undo. */
  emit_saved (self, &jz_entity_stay_extension, r->rec.id, NULL, FALSE);
  return TRUE;
}

static gboolean
save_escort (JzCaseActionDialog *self, gint64 now, GError **error)
{
  g_autoptr(JzEscortTrip) r = jz_escort_trip_new ();

  r->episode_id = g_strdup (self->episode->rec.id);
  if (jz_store_get_actor (self->store) != NULL)
    r->staff = g_strdup_printf ("[\"%s\"]", jz_store_get_actor (self->store));
  r->vehicle = field_string (self, "vehicle");
  r->route = field_string (self, "route");
  r->cross_province = field_bool (self, "cross_province");
  r->started_at = now;
  r->receiving_unit = field_string (self, "receiving_unit");
  r->received_by = field_string (self, "received_by");
  r->note = field_string (self, "note");
  if (!jz_store_insert_escort_trip (self->store, r, error))
    return FALSE;
  emit_saved (self, &jz_entity_escort_trip, r->rec.id, NULL, TRUE);
  return TRUE;
}

static gboolean
save_placement (JzCaseActionDialog *self, gint64 now, GError **error)
{
  g_autoptr(JzPlacement) r = jz_placement_new ();

  r->person_id = g_strdup (self->person->rec.id);
  r->episode_id = self->episode ? g_strdup (self->episode->rec.id) : NULL;
  r->institution = field_string (self, "institution");
  r->agreement_no = field_string (self, "agreement_no");
  r->qualification_checked = field_bool (self, "qualification_checked");
  r->started_at = now;
  r->visit_every_days = field_int (self, "visit_every_days");
  if (!jz_store_insert_placement (self->store, r, error))
    return FALSE;
  emit_saved (self, &jz_entity_placement, r->rec.id, NULL, TRUE);
  return TRUE;
}

static gboolean
save_settlement (JzCaseActionDialog *self, gint64 now, GError **error)
{
  g_autoptr(JzSettlement) r = jz_settlement_new ();

  r->person_id = g_strdup (self->person->rec.id);
  r->episode_id = self->episode ? g_strdup (self->episode->rec.id) : NULL;
  r->status = g_strdup (field_enum (self, "status"));
  r->institution = field_string (self, "institution");
  r->letter_no = field_string (self, "letter_no");
  r->databases_checked = field_bool (self, "databases_checked");
  if (g_strcmp0 (r->status, "applied") == 0 || g_strcmp0 (r->status, "settled") == 0)
    r->applied_at = now;
  if (g_strcmp0 (r->status, "settled") == 0)
    r->settled_at = now;
  r->note = field_string (self, "note");
  if (!jz_store_insert_settlement (self->store, r, error))
    return FALSE;
  emit_saved (self, &jz_entity_settlement, r->rec.id, NULL, TRUE);
  return TRUE;
}

static gboolean
save_bed (JzCaseActionDialog *self, GError **error)
{
  g_autoptr(JzEpisode) episode = NULL;
  g_autofree char *previous = NULL;
  BedChoice *chosen = NULL;
  JzPersonFacts facts;
  g_autoptr(GDateTime) now = g_date_time_new_now (jz_deadlines_time_zone ());
  GDate today;
  g_autofree char *message = NULL;

  for (guint i = 0; i < self->beds->len; i++)
    {
      BedChoice *b = self->beds->pdata[i];

      if (gtk_check_button_get_active (GTK_CHECK_BUTTON (b->check)))
        chosen = b;
    }
  if (chosen == NULL)
    return refuse (self, "bed", _("Choose a bed, or “No bed”."));

  g_date_clear (&today, 1);
  g_date_set_dmy (&today, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
  jz_person_get_facts (self->person, self->episode, &facts);
  if (chosen->bed_id != NULL &&
      !jz_bed_check_room (chosen->room_kind, chosen->room_name, self->person->sex,
                          jz_person_is_minor_on (&facts, &today), &message))
    return refuse (self, "bed", message);

  /* The episode as stored now: its version must be current. */
  episode = jz_store_get_episode (self->store, self->episode->rec.id, error);
  if (episode == NULL)
    return FALSE;
  previous = g_strdup (episode->bed_id);
  if (g_strcmp0 (previous, chosen->bed_id) == 0)
    return TRUE;
  if (!jz_store_assign_bed (self->store, episode, chosen->bed_id, error))
    return FALSE;
  emit_saved (self, &jz_entity_episode, episode->rec.id, previous ? previous : "", TRUE);
  return TRUE;
}

gboolean
jz_case_action_dialog_save (JzCaseActionDialog *self)
{
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean ok = FALSE;

  g_return_val_if_fail (JZ_IS_CASE_ACTION_DIALOG (self), FALSE);

  clear_messages (self);
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = &g_array_index (self->fields, Field, i);
      g_autofree char *text = NULL;

      if (!f->def->required || (f->def->kind != F_ENTRY && f->def->kind != F_YUAN))
        continue;
      text = field_string (self, f->def->key);
      if (text == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("“%s” is needed: type it here."), _(f->def->title));
          return refuse (self, f->def->key, message);
        }
    }
  if (self->action == JZ_CASE_ACTION_TRACING && field_bool (self, "success") && field_enum (self, "channel") == NULL)
    return refuse (self, "channel", _("Choose how the family was found."));
  if (self->action == JZ_CASE_ACTION_REFERRAL &&
      !need_actor (self, _("Sign in first: a referral names the worker responsible for it.")))
    return FALSE;
  if (self->action == JZ_CASE_ACTION_EXTEND &&
      !need_actor (self, _("Sign in first: a stay extension names who filed it.")))
    return FALSE;

  switch (self->action)
    {
    case JZ_CASE_ACTION_SERVICE: ok = save_service (self, now, &error); break;
    case JZ_CASE_ACTION_BED: ok = save_bed (self, &error); break;
    case JZ_CASE_ACTION_TRACING: ok = save_tracing (self, now, &error); break;
    case JZ_CASE_ACTION_REFERRAL: ok = save_referral (self, now, &error); break;
    case JZ_CASE_ACTION_EXPENDITURE: ok = save_expenditure (self, now, &error); break;
    case JZ_CASE_ACTION_EXTEND: ok = save_extend (self, now, &error); break;
    case JZ_CASE_ACTION_ESCORT: ok = save_escort (self, now, &error); break;
    case JZ_CASE_ACTION_PLACEMENT: ok = save_placement (self, now, &error); break;
    case JZ_CASE_ACTION_SETTLEMENT: ok = save_settlement (self, now, &error); break;
    case JZ_CASE_N_ACTIONS: break;
    }
  if (!ok)
    {
      if (error != NULL)
        store_error (self, error);
      return FALSE;
    }
  self->dirty = FALSE;
  gtk_window_destroy (GTK_WINDOW (self));
  return TRUE;
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  jz_case_action_dialog_save (JZ_CASE_ACTION_DIALOG (widget));
}

static gboolean
destroy_later (gpointer user_data)
{
  gtk_window_destroy (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

static void
on_discard_response (AdwMessageDialog   *dialog,
                     const char         *response,
                     JzCaseActionDialog *self)
{
  if (g_str_equal (response, "discard"))
    {
      self->confirmed_close = TRUE;
      /* The question is transient for this window and still closing. */
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      g_idle_add_full (G_PRIORITY_DEFAULT, destroy_later, g_object_ref (self), g_object_unref);
    }
}

/* What was typed is not thrown away without asking. */
static gboolean
jz_case_action_dialog_close_request (GtkWindow *window)
{
  JzCaseActionDialog *self = JZ_CASE_ACTION_DIALOG (window);
  GtkWidget *dialog;

  if (!self->dirty || self->confirmed_close)
    return GTK_WINDOW_CLASS (jz_case_action_dialog_parent_class)->close_request (window);

  dialog = adw_message_dialog_new (window, _("Discard What You Typed?"),
                                   _("It is not saved yet. Save it first to keep it."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "keep", _("_Keep Editing"),
                                    "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect (dialog, "response", G_CALLBACK (on_discard_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

static void
on_cancel (JzCaseActionDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
jz_case_action_dialog_dispose (GObject *object)
{
  JzCaseActionDialog *self = JZ_CASE_ACTION_DIALOG (object);

  g_clear_object (&self->store);
  G_OBJECT_CLASS (jz_case_action_dialog_parent_class)->dispose (object);
}

static void
jz_case_action_dialog_finalize (GObject *object)
{
  JzCaseActionDialog *self = JZ_CASE_ACTION_DIALOG (object);

  g_clear_pointer (&self->person, jz_person_free);
  g_clear_pointer (&self->episode, jz_episode_free);
  g_clear_pointer (&self->fields, g_array_unref);
  g_clear_pointer (&self->beds, g_ptr_array_unref);
  G_OBJECT_CLASS (jz_case_action_dialog_parent_class)->finalize (object);
}

static void
jz_case_action_dialog_class_init (JzCaseActionDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = jz_case_action_dialog_dispose;
  object_class->finalize = jz_case_action_dialog_finalize;
  window_class->close_request = jz_case_action_dialog_close_request;

  /* (entity, record id, bed to go back to or NULL, whether Undo is safe) */
  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN);

  jz_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiuzhu/Station/ui/jz-case-action-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, JzCaseActionDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, JzCaseActionDialog, group);
  gtk_widget_class_bind_template_child (widget_class, JzCaseActionDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, JzCaseActionDialog, save_button);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel);

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "dialog.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
jz_case_action_dialog_init (JzCaseActionDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->fields = g_array_new (FALSE, TRUE, sizeof (Field));
  self->beds = g_ptr_array_new_with_free_func (bed_choice_free);
}

JzCaseActionDialog *
jz_case_action_dialog_new (GtkWindow       *parent,
                           JzStore         *store,
                           JzCaseAction     action,
                           const JzPerson  *person,
                           const JzEpisode *episode)
{
  JzCaseActionDialog *self;
  g_autofree char *name = NULL;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);
  g_return_val_if_fail (action < JZ_CASE_N_ACTIONS, NULL);
  g_return_val_if_fail (person != NULL, NULL);
  g_return_val_if_fail (episode != NULL || action == JZ_CASE_ACTION_PLACEMENT ||
                        action == JZ_CASE_ACTION_SETTLEMENT, NULL);

  self = g_object_new (JZ_TYPE_CASE_ACTION_DIALOG, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  self->action = action;
  self->person = jz_record_copy (&jz_entity_person, person);
  self->episode = episode ? jz_record_copy (&jz_entity_episode, episode) : NULL;

  name = jz_person_display_name (person);
  adw_window_title_set_title (self->window_title, jz_case_action_get_title (action));
  adw_window_title_set_subtitle (self->window_title, name);
  gtk_window_set_title (GTK_WINDOW (self), jz_case_action_get_title (action));

  if (action == JZ_CASE_ACTION_BED)
    build_beds (self);
  else
    for (const FieldDef *def = actions[action].fields; def->key != NULL; def++)
      add_field (self, def);
  on_changed (self);
  self->dirty = FALSE;
  return self;
}

JzCaseAction
jz_case_action_dialog_get_action (JzCaseActionDialog *self)
{
  g_return_val_if_fail (JZ_IS_CASE_ACTION_DIALOG (self), JZ_CASE_N_ACTIONS);
  return self->action;
}

GtkWidget *
jz_case_action_dialog_get_field (JzCaseActionDialog *self,
                                 const char         *key)
{
  Field *f;

  g_return_val_if_fail (JZ_IS_CASE_ACTION_DIALOG (self), NULL);

  f = find_field (self, key);
  return f ? f->row : NULL;
}

gboolean
jz_case_action_dialog_set_field (JzCaseActionDialog *self,
                                 const char         *key,
                                 const char         *value)
{
  Field *f;

  g_return_val_if_fail (JZ_IS_CASE_ACTION_DIALOG (self), FALSE);

  f = find_field (self, key);
  if (f == NULL)
    return FALSE;
  switch (f->def->kind)
    {
    case F_ENTRY:
    case F_YUAN:
      gtk_editable_set_text (GTK_EDITABLE (f->row), value ? value : "");
      return TRUE;
    case F_INT:
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (f->input), g_ascii_strtod (value ? value : "0", NULL));
      return TRUE;
    case F_SWITCH:
      gtk_switch_set_active (GTK_SWITCH (f->input), g_strcmp0 (value, "true") == 0);
      return TRUE;
    case F_ENUM:
      {
        const char * const *ids = jz_case_label_ids (f->def->set);

        for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
          if (g_strcmp0 (ids[i], value) == 0)
            {
              adw_combo_row_set_selected (ADW_COMBO_ROW (f->row), i);
              return TRUE;
            }
        return FALSE;
      }
    }
  return FALSE;
}

gboolean
jz_case_action_dialog_choose_bed (JzCaseActionDialog *self,
                                  const char         *bed_id)
{
  g_return_val_if_fail (JZ_IS_CASE_ACTION_DIALOG (self), FALSE);

  for (guint i = 0; i < self->beds->len; i++)
    {
      BedChoice *b = self->beds->pdata[i];

      if (g_strcmp0 (b->bed_id, bed_id) == 0)
        {
          if (!gtk_widget_is_sensitive (b->check))
            return FALSE;
          gtk_check_button_set_active (GTK_CHECK_BUTTON (b->check), TRUE);
          return TRUE;
        }
    }
  return FALSE;
}

const char *
jz_case_action_dialog_get_error (JzCaseActionDialog *self,
                                 const char         *key)
{
  GtkLabel *label = NULL;
  Field *f;

  g_return_val_if_fail (JZ_IS_CASE_ACTION_DIALOG (self), NULL);

  if (key == NULL)
    label = self->error_label;
  else if (g_str_equal (key, "bed"))
    label = self->bed_hint;
  else if ((f = find_field (self, key)) != NULL)
    label = f->hint;
  if (label == NULL || !gtk_widget_get_visible (GTK_WIDGET (label)))
    return NULL;
  return gtk_label_get_text (label);
}
