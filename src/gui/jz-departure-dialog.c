/* jz-departure-dialog.c: recording a departure (离站)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-departure"

#include "config.h"

#include <glib/gi18n.h>

#include "jz-actions.h"
#include "jz-casework.h"
#include "jz-departure-dialog.h"
#include "jz-followup-rate.h"
#include "jz-form-data.h"
#include "jz-gui-util.h"
#include "jz-region-row.h"
#include "jz-regions.h"

struct _JzDepartureDialog
{
  AdwWindow            parent_instance;

  /* template widgets */
  AdwToastOverlay     *toasts;
  AdwWindowTitle      *window_title;
  GtkWidget           *save_button;
  GtkWidget           *cancel_button;
  GtkWidget           *close_button;
  GtkStack            *stack;
  GtkWidget           *error_group;
  GtkWidget           *error_row;
  AdwPreferencesGroup *mode_group;
  GtkWidget           *time_row;
  GtkWidget           *time_message;
  GtkWidget           *destination_region_row;
  GtkWidget           *destination_row;
  GtkWidget           *cross_province_row;
  GtkWidget           *cross_province_switch;
  GtkWidget           *collector_group;
  GtkWidget           *collector_name_row;
  GtkWidget           *collector_name_message;
  GtkWidget           *collector_id_row;
  GtkWidget           *collector_id_message;
  GtkWidget           *collector_relation_row;
  GtkWidget           *collector_phone_row;
  GtkWidget           *ticket_group;
  GtkWidget           *ticket_kind_row;
  GtkWidget           *ticket_no_row;
  GtkWidget           *ticket_from_row;
  GtkWidget           *ticket_to_row;
  GtkWidget           *ticket_price_row;
  GtkWidget           *ticket_price_message;
  GtkWidget           *cash_row;
  GtkWidget           *cash_message;
  GtkWidget           *cash_reason_row;
  GtkWidget           *cash_reason_message;
  GtkWidget           *declaration_group;
  GtkWidget           *declaration_switch;
  GtkWidget           *termination_group;
  GtkWidget           *notice_no_row;
  AdwPreferencesGroup *belongings_group;
  GtkWidget           *all_returned_button;
  GtkWidget           *followup_row;
  GtkWidget           *followup_switch;
  GtkWidget           *note_row;
  AdwStatusPage       *done_page;
  GtkWidget           *print_box;

  /* owned */
  JzStore             *store;
  JzEpisode           *episode;
  JzPerson            *person;
  JzPersonFacts        facts;
  GPtrArray           *belongings;    /* JzBelonging* not yet returned */
  GPtrArray           *belonging_checks;
  GtkWidget           *mode_rows[JZ_DEPARTURE_N_MODES];
  GtkWidget           *mode_checks[JZ_DEPARTURE_N_MODES];
  int                  mode;          /* -1 while none is chosen */
  gboolean             saved;
  gboolean             followup_touched;
};

enum {
  SIGNAL_RECORDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (JzDepartureDialog, jz_departure_dialog, ADW_TYPE_WINDOW)

static const char * const ticket_kinds[] = { "train", "bus", "ship", "plane", "other" };

static const char *
mode_description (JzDepartureMode mode)
{
  switch (mode)
    {
    case JZ_DEPARTURE_PLACED:
      return _("Into a care institution, a welfare home or extreme-poverty support");
    case JZ_DEPARTURE_TICKET:
      return _("Given a ticket and travels home alone");
    case JZ_DEPARTURE_SELF_RETURN:
      return _("Goes home on their own, or with relatives or an employer");
    case JZ_DEPARTURE_HELP_ENDED:
      return _("The station ends the help; a termination notice is issued");
    case JZ_DEPARTURE_LEFT:
      return _("Left without completing the formalities");
    case JZ_DEPARTURE_ESCORTED:
      return _("Staff take the person home and hand them over");
    case JZ_DEPARTURE_COLLECTED:
      return _("Family, a guardian or the home area's agency collect the person");
    case JZ_DEPARTURE_DEATH:
      return _("Died during the stay");
    case JZ_DEPARTURE_OTHER:
    case JZ_DEPARTURE_N_MODES:
    default:
      return _("Any other way of leaving");
    }
}

static GDate *
today_date (GDate *out)
{
  g_autoptr(GDateTime) now = g_date_time_new_now (jz_deadlines_time_zone ());

  g_date_clear (out, 1);
  g_date_set_dmy (out, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
  return out;
}

/* Why @mode may not be chosen, translated; NULL when it may. */
static char *
mode_refusal (JzDepartureDialog *self,
              JzDepartureMode    mode)
{
  g_autoptr(GError) error = NULL;
  GDate today;

  if (g_strcmp0 (self->episode->status, "screening") == 0 &&
      mode != JZ_DEPARTURE_LEFT && mode != JZ_DEPARTURE_DEATH && mode != JZ_DEPARTURE_OTHER)
    return g_strdup (_("Not possible: the person is still being screened and was never admitted. Only “left”, “died” or “other” apply."));
  if (jz_departure_mode_allowed (mode, &self->facts, today_date (&today), &error))
    return NULL;
  if (g_error_matches (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_SELF_DEPARTURE))
    {
      if (jz_person_is_under_16_on (&self->facts, &today))
        return g_strdup (_("Not allowed: the person is under 16 (or a minor of unknown age). They must be collected by family or a guardian, or escorted home."));
      return g_strdup (_("Not allowed: the person shows signs of mental or intellectual disability. They must be collected or escorted home."));
    }
  return g_strdup (error->message);
}

static void
show_error (JzDepartureDialog *self,
            const char        *message)
{
  gtk_widget_set_visible (self->error_group, message != NULL);
  if (message != NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->error_row), message);
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (
                                  GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (self->error_group,
                                                                                GTK_TYPE_SCROLLED_WINDOW))), 0);
    }
}

static const char *
text_of (GtkWidget *row)
{
  const char *t = gtk_editable_get_text (GTK_EDITABLE (row));

  while (t != NULL && g_ascii_isspace (*t))
    t++;
  return t != NULL && *t != '\0' ? t : NULL;
}

static char *
dup_text (GtkWidget *row)
{
  const char *t = text_of (row);

  return t ? g_strstrip (g_strdup (t)) : NULL;
}

/* The follow-up dates this departure would get (jz-deadlines.h). */
static GArray *
followup_dates (JzDepartureDialog *self,
                gint64             departed_at)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GDateTime) admitted = g_date_time_new_from_unix_utc (self->episode->admitted_at);
  g_autoptr(GDateTime) departed = g_date_time_new_from_unix_utc (departed_at);
  g_autoptr(GPtrArray) deadlines = NULL;
  JzDeadlineSubject subject;
  JzDeadlineConfig config;

  if (self->mode < 0 || admitted == NULL || departed == NULL)
    return out;
  jz_deadline_subject_init (&subject);
  jz_deadline_config_init (&config);
  subject.admitted_at = admitted;
  subject.person = self->facts;
  subject.identified = TRUE;
  subject.departed_at = departed;
  subject.departure_mode = (JzDepartureMode) self->mode;
  deadlines = jz_deadlines_compute (&subject, &config, departed);
  for (guint i = 0; i < deadlines->len; i++)
    {
      JzDeadline *d = deadlines->pdata[i];

      if (d->kind == JZ_DEADLINE_FOLLOW_UP)
        {
          gint64 due = g_date_time_to_unix (d->due_at);
          g_array_append_val (out, due);
        }
    }
  return out;
}

static gint64
departure_time (JzDepartureDialog *self)
{
  gint64 t = 0;

  if (!jz_casework_parse_time (gtk_editable_get_text (GTK_EDITABLE (self->time_row)), &t))
    return 0;
  return t;
}

static void
update_followups (JzDepartureDialog *self)
{
  gint64 t = departure_time (self);
  g_autoptr(GArray) dates = followup_dates (self, t ? t : jz_casework_now ());
  GString *s = g_string_new (NULL);
  gboolean home;

  for (guint i = 0; i < dates->len; i++)
    {
      g_autofree char *d = jz_casework_format_date (g_array_index (dates, gint64, i));

      if (s->len > 0)
        g_string_append (s, _(", "));
      g_string_append (s, d);
    }
  gtk_widget_set_sensitive (self->followup_row, dates->len > 0);
  if (dates->len == 0)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->followup_row),
                                 self->mode < 0 ? _("Choose how the person leaves first")
                                                : _("No follow-ups for this departure"));
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->followup_row), s->str);
  g_string_free (s, TRUE);

  /* On by default for people sent home and for every minor (100 %
   * target); the worker may still change it. */
  if (!self->followup_touched)
    {
      GDate today;

      home = self->mode >= 0 && jz_followup_rate_counts_mode ((JzDepartureMode) self->mode);
      self->followup_touched = FALSE;
      g_signal_handlers_block_matched (self->followup_switch, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
      gtk_switch_set_active (GTK_SWITCH (self->followup_switch),
                             dates->len > 0 && (home || jz_person_is_minor_on (&self->facts, today_date (&today))));
      g_signal_handlers_unblock_matched (self->followup_switch, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
    }
}

/* Live checks of the fields; returns whether everything can be saved. */
static gboolean
validate (JzDepartureDialog *self,
          gboolean           for_save)
{
  gboolean ok = TRUE;
  gint64 t = 0, cash = 0, price = 0;
  const char *time_text = gtk_editable_get_text (GTK_EDITABLE (self->time_row));
  JzDepartureMode mode = (JzDepartureMode) self->mode;

  if (!jz_casework_parse_time (time_text, &t))
    {
      jz_casework_set_message (self->time_row, self->time_message, JZ_MESSAGE_ERROR,
                               _("Type the time as YYYY-MM-DD HH:MM, e.g. 2026-05-01 14:30"));
      ok = FALSE;
    }
  else if (t < self->episode->admitted_at)
    {
      g_autofree char *admitted = jz_casework_format_time (self->episode->admitted_at);
      g_autofree char *msg = g_strdup_printf (_("This is before the admission (%s); check the date"), admitted);

      jz_casework_set_message (self->time_row, self->time_message, JZ_MESSAGE_ERROR, msg);
      ok = FALSE;
    }
  else if (t > jz_casework_now () + 300)
    {
      jz_casework_set_message (self->time_row, self->time_message, JZ_MESSAGE_ERROR,
                               _("This is in the future; record a departure once it has happened"));
      ok = FALSE;
    }
  else
    jz_casework_set_message (self->time_row, self->time_message, JZ_MESSAGE_NONE, NULL);

  if (self->mode == JZ_DEPARTURE_COLLECTED)
    {
      const char *id = text_of (self->collector_id_row);

      if (text_of (self->collector_name_row) == NULL)
        {
          jz_casework_set_message (self->collector_name_row, self->collector_name_message,
                                   for_save ? JZ_MESSAGE_ERROR : JZ_MESSAGE_INFO,
                                   _("Type the name of the person collecting"));
          ok = FALSE;
        }
      else
        jz_casework_set_message (self->collector_name_row, self->collector_name_message, JZ_MESSAGE_NONE, NULL);

      if (id == NULL)
        {
          jz_casework_set_message (self->collector_id_row, self->collector_id_message,
                                   for_save ? JZ_MESSAGE_ERROR : JZ_MESSAGE_INFO,
                                   _("Type the number of the collector's ID document and keep a copy"));
          ok = FALSE;
        }
      else
        {
          gsize digits = 0;

          for (const char *p = id; *p; p++)
            if (g_ascii_isdigit (*p) || *p == 'x' || *p == 'X')
              digits++;
          /* A resident ID is checked; a passport or other document is not. */
          if (digits == 15 || digits == 18 || digits == strlen (id))
            {
              JzIdCard card;
              g_autofree char *problem = jz_casework_idcard_problem (id, &card);
              g_autofree char *summary = problem ? NULL : jz_casework_idcard_summary (&card);

              jz_casework_set_message (self->collector_id_row, self->collector_id_message,
                                       problem ? JZ_MESSAGE_ERROR : JZ_MESSAGE_SUCCESS,
                                       problem ? problem : summary);
              ok = ok && problem == NULL;
            }
          else
            jz_casework_set_message (self->collector_id_row, self->collector_id_message, JZ_MESSAGE_NONE, NULL);
        }
    }
  else
    {
      jz_casework_set_message (self->collector_name_row, self->collector_name_message, JZ_MESSAGE_NONE, NULL);
      jz_casework_set_message (self->collector_id_row, self->collector_id_message, JZ_MESSAGE_NONE, NULL);
    }

  if (self->mode == JZ_DEPARTURE_TICKET &&
      !jz_casework_parse_yuan (gtk_editable_get_text (GTK_EDITABLE (self->ticket_price_row)), &price))
    {
      jz_casework_set_message (self->ticket_price_row, self->ticket_price_message, JZ_MESSAGE_ERROR,
                               _("Type the price in yuan, e.g. 86.5"));
      ok = FALSE;
    }
  else
    jz_casework_set_message (self->ticket_price_row, self->ticket_price_message, JZ_MESSAGE_NONE, NULL);

  if (!jz_casework_parse_yuan (gtk_editable_get_text (GTK_EDITABLE (self->cash_row)), &cash))
    {
      jz_casework_set_message (self->cash_row, self->cash_message, JZ_MESSAGE_ERROR,
                               _("Type the amount in yuan, e.g. 15 or 12.5; leave empty for none"));
      ok = FALSE;
    }
  else if (cash > JZ_CASH_WITHOUT_REASON_MAX_FEN)
    jz_casework_set_message (self->cash_row, self->cash_message, JZ_MESSAGE_WARNING,
                             _("More than 20 yuan: write the reason below"));
  else
    jz_casework_set_message (self->cash_row, self->cash_message, JZ_MESSAGE_NONE, NULL);

  if (cash > JZ_CASH_WITHOUT_REASON_MAX_FEN && text_of (self->cash_reason_row) == NULL)
    {
      jz_casework_set_message (self->cash_reason_row, self->cash_reason_message,
                               for_save ? JZ_MESSAGE_ERROR : JZ_MESSAGE_INFO,
                               _("Cash over 20 yuan needs a reason, e.g. the station is far from home"));
      ok = FALSE;
    }
  else
    jz_casework_set_message (self->cash_reason_row, self->cash_reason_message, JZ_MESSAGE_NONE, NULL);

  if (self->mode < 0)
    ok = FALSE;
  else if (self->mode == JZ_DEPARTURE_HELP_ENDED && text_of (self->note_row) == NULL)
    ok = FALSE;
  (void) mode;
  return ok;
}

static void
update_for_mode (JzDepartureDialog *self)
{
  gboolean chosen = self->mode >= 0;
  JzDepartureMode mode = (JzDepartureMode) MAX (self->mode, 0);

  gtk_widget_set_visible (self->collector_group, chosen && mode == JZ_DEPARTURE_COLLECTED);
  gtk_widget_set_visible (self->ticket_group, chosen && mode == JZ_DEPARTURE_TICKET);
  gtk_widget_set_visible (self->declaration_group, chosen && jz_departure_mode_is_unaccompanied (mode));
  gtk_widget_set_visible (self->termination_group, chosen && mode == JZ_DEPARTURE_HELP_ENDED);
  gtk_widget_set_visible (self->cross_province_row, chosen && jz_departure_mode_has_cross_province (mode));
  if (!(chosen && jz_departure_mode_has_cross_province (mode)))
    gtk_switch_set_active (GTK_SWITCH (self->cross_province_switch), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->note_row),
                                 chosen && mode == JZ_DEPARTURE_HELP_ENDED
                                   ? _("Reason for ending the help (printed on the notice)")
                                   : _("Note"));
  update_followups (self);
  validate (self, FALSE);
}

static void
on_mode_toggled (JzDepartureDialog *self,
                 GtkCheckButton    *check)
{
  if (!gtk_check_button_get_active (check))
    return;
  for (guint i = 0; i < JZ_DEPARTURE_N_MODES; i++)
    if (self->mode_checks[i] == GTK_WIDGET (check))
      self->mode = (int) i;
  show_error (self, NULL);
  update_for_mode (self);
}

static void
on_input_changed (JzDepartureDialog *self)
{
  if (self->episode == NULL)
    return;
  validate (self, FALSE);
}

static void
on_destination_changed (JzDepartureDialog *self)
{
  const char *code = jz_region_row_get_code (JZ_REGION_ROW (self->destination_region_row));
  const char *station = jz_store_get_station_code (self->store);

  /* The monthly form counts escorts and collections to another province. */
  if (code != NULL && station != NULL && self->mode >= 0 &&
      jz_departure_mode_has_cross_province ((JzDepartureMode) self->mode))
    gtk_switch_set_active (GTK_SWITCH (self->cross_province_switch), strncmp (code, station, 2) != 0);
  update_followups (self);
}

static void
on_followup_switch_changed (JzDepartureDialog *self)
{
  self->followup_touched = TRUE;
}

static void
on_all_returned_clicked (JzDepartureDialog *self)
{
  for (guint i = 0; i < self->belonging_checks->len; i++)
    gtk_check_button_set_active (self->belonging_checks->pdata[i], TRUE);
}

static void
on_print_clicked (JzDepartureDialog *self,
                  GtkButton         *button)
{
  JzFormKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "form-kind"));

  jz_form_data_print (GTK_WIDGET (self), self->store, self->episode->rec.id, kind);
}

static void
add_print_button (JzDepartureDialog *self,
                  JzFormKind         kind)
{
  GtkWidget *button = gtk_button_new_with_label (jz_form_kind_get_label (kind));

  gtk_widget_add_css_class (button, "pill");
  g_object_set_data (G_OBJECT (button), "form-kind", GINT_TO_POINTER (kind));
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_print_clicked), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (self->print_box), button);
}

static void
show_done (JzDepartureDialog *self,
           guint              n_returned,
           guint              n_not_returned,
           guint              n_followups)
{
  JzDepartureMode mode = (JzDepartureMode) self->mode;
  g_autofree char *name = jz_person_display_name (self->person);
  GString *s = g_string_new (NULL);

  /* TRANSLATORS: “张伟: Escorted home.” after a departure is recorded */
  g_string_append_printf (s, _("%s: %s."), name, _(jz_departure_mode_get_label (mode)));
  if (n_returned + n_not_returned > 0)
    {
      g_string_append_c (s, ' ');
      if (n_not_returned == 0)
        g_string_append_printf (s, ngettext ("%u belonging returned.", "All %u belongings returned.", n_returned),
                                n_returned);
      else
        g_string_append_printf (s, ngettext ("%u belonging not returned yet.", "%u belongings not returned yet.",
                                             n_not_returned), n_not_returned);
    }
  if (n_followups > 0)
    {
      g_string_append_c (s, ' ');
      g_string_append_printf (s, ngettext ("%u follow-up scheduled.", "%u follow-ups scheduled.", n_followups),
                              n_followups);
    }
  g_string_append_c (s, ' ');
  g_string_append (s, _("Print the forms to be signed:"));
  adw_status_page_set_description (self->done_page, s->str);
  g_string_free (s, TRUE);

  add_print_button (self, JZ_FORM_KIND_STAY_AND_DEPARTURE);
  if (jz_departure_mode_is_unaccompanied (mode) || mode == JZ_DEPARTURE_SELF_RETURN)
    add_print_button (self, JZ_FORM_KIND_SELF_DEPARTURE);
  if (mode == JZ_DEPARTURE_ESCORTED)
    add_print_button (self, JZ_FORM_KIND_ESCORT_HANDOVER);
  if (mode == JZ_DEPARTURE_HELP_ENDED)
    add_print_button (self, JZ_FORM_KIND_TERMINATION);
  if (n_returned + n_not_returned > 0)
    add_print_button (self, JZ_FORM_KIND_BELONGINGS);

  gtk_widget_set_visible (self->save_button, FALSE);
  gtk_widget_set_visible (self->cancel_button, FALSE);
  gtk_widget_set_visible (self->close_button, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "done");
  gtk_widget_grab_focus (self->close_button);
}

static JzDepartureRecord *
collect (JzDepartureDialog *self)
{
  JzDepartureRecord *d = jz_departure_new ();
  JzDepartureMode mode = (JzDepartureMode) self->mode;
  const char *region = jz_region_row_get_code (JZ_REGION_ROW (self->destination_region_row));

  d->mode = g_strdup (jz_departure_mode_to_string (mode));
  d->departed_at = departure_time (self);
  d->cross_province = jz_departure_mode_has_cross_province (mode) &&
                      gtk_switch_get_active (GTK_SWITCH (self->cross_province_switch));
  d->destination_region = g_strdup (region);
  d->destination = dup_text (self->destination_row);
  if (mode == JZ_DEPARTURE_COLLECTED)
    {
      d->collector_name = dup_text (self->collector_name_row);
      d->collector_id_number = dup_text (self->collector_id_row);
      d->collector_relation = dup_text (self->collector_relation_row);
      d->collector_phone = dup_text (self->collector_phone_row);
    }
  if (mode == JZ_DEPARTURE_TICKET)
    {
      guint kind = adw_combo_row_get_selected (ADW_COMBO_ROW (self->ticket_kind_row));

      d->ticket_kind = g_strdup (ticket_kinds[MIN (kind, G_N_ELEMENTS (ticket_kinds) - 1)]);
      d->ticket_no = dup_text (self->ticket_no_row);
      d->ticket_from = dup_text (self->ticket_from_row);
      d->ticket_to = dup_text (self->ticket_to_row);
      jz_casework_parse_yuan (gtk_editable_get_text (GTK_EDITABLE (self->ticket_price_row)), &d->ticket_fen);
    }
  jz_casework_parse_yuan (gtk_editable_get_text (GTK_EDITABLE (self->cash_row)), &d->cash_fen);
  d->cash_reason = dup_text (self->cash_reason_row);
  d->declaration_signed = jz_departure_mode_is_unaccompanied (mode) &&
                          gtk_switch_get_active (GTK_SWITCH (self->declaration_switch));
  if (mode == JZ_DEPARTURE_HELP_ENDED)
    d->notice_no = dup_text (self->notice_no_row);
  d->staff_id = g_strdup (jz_store_get_actor (self->store));
  d->note = dup_text (self->note_row);
  return d;
}

/* The rules' verdict in the UI language, next to the field it is about. */
static gboolean
check_rules (JzDepartureDialog       *self,
             const JzDepartureRecord *record)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) at = g_date_time_new_from_unix_utc (record->departed_at);
  JzDeparture rules;

  jz_departure_init (&rules, (JzDepartureMode) self->mode);
  rules.at = at;
  rules.cross_province = record->cross_province;
  rules.collector_name = record->collector_name;
  rules.collector_id_number = record->collector_id_number;
  rules.cash_fen = record->cash_fen;
  rules.cash_reason = record->cash_reason;
  if (jz_departure_check (&rules, &self->facts, &error))
    return TRUE;

  if (g_error_matches (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_SELF_DEPARTURE))
    {
      g_autofree char *why = mode_refusal (self, (JzDepartureMode) self->mode);
      show_error (self, why ? why : error->message);
    }
  else if (g_error_matches (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_COLLECTOR))
    jz_casework_set_message (self->collector_id_row, self->collector_id_message, JZ_MESSAGE_ERROR,
                             _("The collector's name and a valid ID number are required for a collection"));
  else if (g_error_matches (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_CASH))
    jz_casework_set_message (self->cash_reason_row, self->cash_reason_message, JZ_MESSAGE_ERROR,
                             _("Cash over 20 yuan needs a reason, e.g. the station is far from home"));
  else
    show_error (self, error->message);
  return FALSE;
}

static gboolean
write_departure (JzDepartureDialog *self,
                 JzDepartureRecord *record,
                 GArray            *followups,
                 guint             *n_returned,
                 guint             *n_not_returned,
                 GError           **error)
{
  gint64 returned_at = MIN (record->departed_at, jz_casework_now ());
  gboolean ok;

  *n_returned = *n_not_returned = 0;
  for (guint i = 0; i < self->belonging_checks->len; i++)
    {
      if (gtk_check_button_get_active (self->belonging_checks->pdata[i]))
        (*n_returned)++;
      else
        (*n_not_returned)++;
    }
  record->belongings_returned = *n_not_returned == 0;

  if (!jz_store_write_begin (self->store, error))
    return FALSE;
  ok = jz_store_record_departure (self->store, self->episode, record, error);
  for (guint i = 0; ok && i < self->belongings->len; i++)
    {
      JzBelonging *b = self->belongings->pdata[i];

      if (!gtk_check_button_get_active (self->belonging_checks->pdata[i]))
        continue;
      b->returned_at = MAX (returned_at, b->received_at);
      b->returned_qty = b->qty;
      g_free (b->returned_by);
      b->returned_by = g_strdup (jz_store_get_actor (self->store));
      ok = jz_store_update_belonging (self->store, b, error);
    }
  for (guint i = 0; ok && followups != NULL && i < followups->len; i++)
    {
      g_autoptr(JzFollowup) f = jz_followup_new ();

      f->person_id = g_strdup (self->person->rec.id);
      f->episode_id = g_strdup (self->episode->rec.id);
      f->due_at = g_array_index (followups, gint64, i);
      ok = jz_store_insert_followup (self->store, f, error);
    }
  return jz_store_write_end (self->store, ok, ok ? error : NULL) && ok;
}

static gboolean reload (JzDepartureDialog *self, const char *episode_id, GError **error);

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  JzDepartureDialog *self = JZ_DEPARTURE_DIALOG (widget);
  g_autoptr(JzDepartureRecord) record = NULL;
  g_autoptr(GArray) followups = NULL;
  g_autoptr(GError) error = NULL;
  guint n_returned, n_not_returned;

  if (self->saved)
    return;
  show_error (self, NULL);
  if (self->mode < 0)
    {
      show_error (self, _("Choose how the person leaves."));
      return;
    }
  if (!validate (self, TRUE))
    {
      if (self->mode == JZ_DEPARTURE_HELP_ENDED && text_of (self->note_row) == NULL)
        show_error (self, _("Write the reason for ending the help; it is printed on the termination notice."));
      else
        show_error (self, _("Some fields need attention; see the messages under them."));
      return;
    }
  record = collect (self);
  if (!check_rules (self, record))
    return;
  if (gtk_switch_get_active (GTK_SWITCH (self->followup_switch)))
    followups = followup_dates (self, record->departed_at);

  if (!write_departure (self, record, followups, &n_returned, &n_not_returned, &error))
    {
      g_autofree char *id = g_strdup (self->episode->rec.id);
      g_autoptr(GError) reload_error = NULL;

      /* The departure changed nothing; read the episode again so that a
       * retry starts from what is stored. */
      show_error (self, error->message);
      if (!reload (self, id, &reload_error))
        g_warning ("Cannot read the episode again: %s", reload_error->message);
      return;
    }

  self->saved = TRUE;
  show_done (self, n_returned, n_not_returned, followups ? followups->len : 0);
  g_signal_emit (self, signals[SIGNAL_RECORDED], 0, self->episode->rec.id);
}

static GtkWidget *
belonging_row (JzDepartureDialog *self,
               JzBelonging       *b)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  g_autofree char *title = g_strdup_printf ("%s × %lld", b->item, (long long) b->qty);
  GString *sub = g_string_new (g_strcmp0 (b->kind, "held") == 0 ? _("Held by the station") : _("Daily necessity"));

  if (b->storage != NULL)
    g_string_append_printf (sub, _(", at %s"), b->storage);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sub->str);
  g_string_free (sub, TRUE);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_RELATION_LABELLED_BY, row, NULL, -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  g_ptr_array_add (self->belonging_checks, check);
  return row;
}

static void
build_modes (JzDepartureDialog *self)
{
  GtkCheckButton *group = NULL;

  for (guint i = 0; i < JZ_DEPARTURE_N_MODES; i++)
    {
      JzDepartureMode mode = (JzDepartureMode) i;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      g_autofree char *refusal = mode_refusal (self, mode);
      const char *label = _(jz_departure_mode_get_label (mode));
      const char *form_name = jz_departure_mode_get_form_name (mode);
      /* In Chinese the label is the form's own name: say it once. */
      g_autofree char *title = g_str_equal (label, form_name) ? g_strdup (label)
                                 /* TRANSLATORS: a departure mode and its name on the monthly form, e.g. “Escorted home (护送返乡)” */
                                 : g_strdup_printf (_("%s (%s)"), label, form_name);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), refusal ? refusal : mode_description (mode));
      gtk_check_button_set_group (GTK_CHECK_BUTTON (check), group);
      group = GTK_CHECK_BUTTON (check);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_RELATION_LABELLED_BY, row, NULL,
                                      GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, row, NULL, -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      if (refusal != NULL)
        {
          /* Greyed out, but the reason stays readable. */
          gtk_widget_set_sensitive (check, FALSE);
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
          GtkWidget *icon = gtk_image_new_from_icon_name ("action-unavailable-symbolic");

          gtk_widget_add_css_class (icon, "error");
          gtk_widget_set_tooltip_text (icon, refusal);
          gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Not allowed"), -1);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
          gtk_widget_set_tooltip_text (row, refusal);
        }
      g_signal_connect_object (check, "toggled", G_CALLBACK (on_mode_toggled), self, G_CONNECT_SWAPPED);
      adw_preferences_group_add (self->mode_group, row);
      self->mode_rows[i] = row;
      self->mode_checks[i] = check;
    }
}

static gboolean
reload (JzDepartureDialog  *self,
        const char         *episode_id,
        GError            **error)
{
  g_autoptr(JzEpisode) episode = jz_store_get_episode (self->store, episode_id, error);
  g_autoptr(JzPerson) person = NULL;

  if (episode == NULL)
    return FALSE;
  person = jz_store_get_person (self->store, episode->person_id, error);
  if (person == NULL)
    return FALSE;
  g_clear_pointer (&self->episode, jz_episode_free);
  g_clear_pointer (&self->person, jz_person_free);
  self->episode = g_steal_pointer (&episode);
  self->person = g_steal_pointer (&person);
  jz_person_get_facts (self->person, self->episode, &self->facts);
  return TRUE;
}

static gboolean
load (JzDepartureDialog  *self,
      const char         *episode_id,
      GError            **error)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *name = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *now = jz_casework_format_time (jz_casework_now ());
  JzEpisodeStatus status;

  if (!reload (self, episode_id, error))
    return FALSE;
  if (!jz_episode_status_from_string (self->episode->status, &status) || jz_episode_status_is_closed (status))
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   _("Episode %s is already closed (%s); there is no departure to record."),
                   self->episode->number, jz_casework_status_label (self->episode->status));
      return FALSE;
    }
  items = jz_store_list (self->store, &jz_entity_belonging, "episode_id", episode_id, "received_at", FALSE, 0, error);
  if (items == NULL)
    return FALSE;
  for (guint i = 0; i < items->len; i++)
    {
      JzBelonging *b = items->pdata[i];

      if (b->returned_at == 0)
        {
          g_ptr_array_add (self->belongings, jz_record_copy (&jz_entity_belonging, b));
          adw_preferences_group_add (self->belongings_group, belonging_row (self, b));
        }
    }
  if (self->belongings->len == 0)
    {
      adw_preferences_group_set_description (self->belongings_group, _("Nothing is held for this person."));
      gtk_widget_set_visible (self->all_returned_button, FALSE);
    }

  name = jz_person_display_name (self->person);
  subtitle = g_strdup_printf ("%s · %s", name, self->episode->number);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_editable_set_text (GTK_EDITABLE (self->time_row), now);
  build_modes (self);
  update_for_mode (self);
  return TRUE;
}

static void
jz_departure_dialog_dispose (GObject *object)
{
  JzDepartureDialog *self = JZ_DEPARTURE_DIALOG (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->episode, jz_episode_free);
  g_clear_pointer (&self->person, jz_person_free);
  g_clear_pointer (&self->belongings, g_ptr_array_unref);
  g_clear_pointer (&self->belonging_checks, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), JZ_TYPE_DEPARTURE_DIALOG);
  G_OBJECT_CLASS (jz_departure_dialog_parent_class)->dispose (object);
}

static void
jz_departure_dialog_class_init (JzDepartureDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jz_departure_dialog_dispose;

  signals[SIGNAL_RECORDED] =
    g_signal_new ("recorded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  jz_gui_init ();
  g_type_ensure (JZ_TYPE_REGION_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiuzhu/Station/ui/jz-departure-dialog.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, JzDepartureDialog, name)
  BIND (toasts);
  BIND (window_title);
  BIND (save_button);
  BIND (cancel_button);
  BIND (close_button);
  BIND (stack);
  BIND (error_group);
  BIND (error_row);
  BIND (mode_group);
  BIND (time_row);
  BIND (time_message);
  BIND (destination_region_row);
  BIND (destination_row);
  BIND (cross_province_row);
  BIND (cross_province_switch);
  BIND (collector_group);
  BIND (collector_name_row);
  BIND (collector_name_message);
  BIND (collector_id_row);
  BIND (collector_id_message);
  BIND (collector_relation_row);
  BIND (collector_phone_row);
  BIND (ticket_group);
  BIND (ticket_kind_row);
  BIND (ticket_no_row);
  BIND (ticket_from_row);
  BIND (ticket_to_row);
  BIND (ticket_price_row);
  BIND (ticket_price_message);
  BIND (cash_row);
  BIND (cash_message);
  BIND (cash_reason_row);
  BIND (cash_reason_message);
  BIND (declaration_group);
  BIND (declaration_switch);
  BIND (termination_group);
  BIND (notice_no_row);
  BIND (belongings_group);
  BIND (all_returned_button);
  BIND (followup_row);
  BIND (followup_switch);
  BIND (note_row);
  BIND (done_page);
  BIND (print_box);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, on_input_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_destination_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_all_returned_clicked);

  gtk_widget_class_install_action (widget_class, "departure.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "departure.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "departure.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
jz_departure_dialog_init (JzDepartureDialog *self)
{
  self->mode = -1;
  self->belongings = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_belonging_free);
  self->belonging_checks = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->followup_switch, "notify::active",
                           G_CALLBACK (on_followup_switch_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->note_row, "changed", G_CALLBACK (on_input_changed), self, G_CONNECT_SWAPPED);
}

JzDepartureDialog *
jz_departure_dialog_new (GtkWindow  *parent,
                         JzStore    *store,
                         const char *episode_id)
{
  g_autoptr(GError) error = NULL;
  JzDepartureDialog *self;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);
  g_return_val_if_fail (episode_id != NULL, NULL);

  self = g_object_new (JZ_TYPE_DEPARTURE_DIALOG, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  if (!load (self, episode_id, &error))
    {
      GtkWidget *dialog = adw_message_dialog_new (parent, _("Cannot Record a Departure"), error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      gtk_window_destroy (GTK_WINDOW (self));
      return NULL;
    }
  return self;
}

GtkWidget *
jz_departure_dialog_get_mode_row (JzDepartureDialog *self,
                                  JzDepartureMode    mode)
{
  g_return_val_if_fail (JZ_IS_DEPARTURE_DIALOG (self), NULL);
  g_return_val_if_fail (mode < JZ_DEPARTURE_N_MODES, NULL);
  return self->mode_rows[mode];
}

gboolean
jz_departure_dialog_select_mode (JzDepartureDialog *self,
                                 JzDepartureMode    mode)
{
  g_return_val_if_fail (JZ_IS_DEPARTURE_DIALOG (self), FALSE);
  g_return_val_if_fail (mode < JZ_DEPARTURE_N_MODES, FALSE);

  if (!gtk_widget_is_sensitive (self->mode_checks[mode]))
    return FALSE;
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->mode_checks[mode]), TRUE);
  return TRUE;
}

GtkWidget *
jz_departure_dialog_get_belonging_check (JzDepartureDialog *self,
                                         guint              index)
{
  g_return_val_if_fail (JZ_IS_DEPARTURE_DIALOG (self), NULL);
  return index < self->belonging_checks->len ? self->belonging_checks->pdata[index] : NULL;
}
