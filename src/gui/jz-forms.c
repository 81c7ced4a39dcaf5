/* jz-forms.c: the station's printed forms, built from plain structs
 *
 * Which facts each form carries follows the 实施细则 (民政部令24号) and the
 * 工作规程 (民发〔2014〕132号): see DOMAIN.md. Facts go into ruled fields;
 * the prose around them is fixed, so that it translates as whole sentences.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-form"

#include "config.h"

#include <glib/gi18n.h>

#include "jz-forms.h"

/* Rows left empty under a short list, to add items by hand. */
#define MIN_BELONGING_ROWS 6
#define MIN_SERVICE_ROWS   4
/* Under this age a person may not leave alone (细则 art. 12, 规程). */
#define SELF_DEPARTURE_MIN_AGE 16
#define ADULT_AGE              18

G_DEFINE_QUARK (jz-forms-error-quark, jz_forms_error)

/* White space alone counts as nothing written. */
static gboolean
has_text (const char *text)
{
  for (; text != NULL && *text != '\0'; text = g_utf8_next_char (text))
    if (!g_unichar_isspace (g_utf8_get_char (text)))
      return TRUE;
  return FALSE;
}

static const char *
sex_text (JzFormSex sex)
{
  switch (sex)
    {
    case JZ_FORM_SEX_MALE:
      return C_("sex", "Male");
    case JZ_FORM_SEX_FEMALE:
      return C_("sex", "Female");
    case JZ_FORM_SEX_UNKNOWN:
    default:
      return C_("sex", "Unknown");
    }
}

static char *
date_text (GDateTime *date)
{
  if (date == NULL)
    return g_strdup ("");
  /* TRANSLATORS: a date printed on a form, in g_date_time_format() syntax */
  return g_date_time_format (date, C_("form date", "%Y-%m-%d"));
}

static char *
date_time_text (GDateTime *date)
{
  if (date == NULL)
    return g_strdup ("");
  /* TRANSLATORS: a date and time printed on a form, in g_date_time_format() syntax */
  return g_date_time_format (date, C_("form date and time", "%Y-%m-%d %H:%M"));
}

static char *
age_text (const JzFormPersonInput *person)
{
  if (!person->age_known)
    return g_strdup ("");
  /* TRANSLATORS: a person's age on a form */
  return g_strdup_printf (ngettext ("%d year", "%d years", person->age), person->age);
}

/* “value (detail)”, or the value alone when there is no detail. */
static char *
with_detail (const char *value,
             const char *detail)
{
  if (!has_text (detail))
    return g_strdup (value);
  /* TRANSLATORS: a value followed by a detail in brackets, on a form */
  return g_strdup_printf (C_("value with detail", "%s (%s)"), value != NULL ? value : "", detail);
}

static char *
name_text (const JzFormPersonInput *person)
{
  return with_detail (person->name, person->name_note);
}

static char *
quantity_text (guint       quantity,
               const char *unit)
{
  if (quantity == 0)
    return g_strdup ("");
  if (unit != NULL && *unit != '\0')
    return g_strdup_printf ("%u %s", quantity, unit);
  return g_strdup_printf ("%u", quantity);
}


static JzForm *
form_new (const char               *title,
          const JzFormStationInput *station,
          const JzFormPersonInput  *person)
{
  JzForm *form = jz_form_new (title);

  jz_form_set_station (form, station->name, station->code);
  jz_form_set_number (form, person->episode_number);
  return form;
}

static gboolean
set_photo (JzForm                  *form,
           const JzFormPersonInput *person,
           double                   width_mm,
           double                   height_mm,
           GError                 **error)
{
  jz_form_set_photo_box (form, width_mm, height_mm);
  if (person->photo != NULL)
    jz_form_set_photo (form, person->photo);
  else if (has_text (person->photo_path))
    return jz_form_set_photo_file (form, person->photo_path, error);
  return TRUE;
}

/* Name, sex, age, ID number and case number: what identifies the person
 * on every form. */
static void
add_identity (JzForm                  *form,
              const JzFormPersonInput *person)
{
  g_autofree char *name = name_text (person);
  g_autofree char *age = age_text (person);

  jz_form_add_field (form, _("Name"), name);
  jz_form_add_field (form, _("Sex"), sex_text (person->sex));
  jz_form_add_field (form, _("Age"), age);
  jz_form_add_field (form, _("ID number"), person->id_number);
}

static void
add_belongings_table (JzForm                  *form,
                      const char              *heading,
                      const JzFormPersonInput *person,
                      guint                    min_rows)
{
  const char *headers[] = {
    C_("belongings column", "No."),
    C_("belongings column", "Item"),
    C_("belongings column", "Quantity"),
    C_("belongings column", "Kept by"),
    C_("belongings column", "Stored at"),
    C_("belongings column", "Returned"),
    C_("belongings column", "Returned on"),
    C_("belongings column", "Note"),
    NULL
  };
  const double widths[] = { 0.8, 2.2, 1.3, 1.2, 1.5, 1.3, 1.5, 1.6 };
  guint i;

  jz_form_add_table (form, heading, headers, widths);
  for (i = 0; i < person->n_belongings; i++)
    {
      const JzFormBelongingInput *item = &person->belongings[i];
      g_autofree char *number = g_strdup_printf ("%u", i + 1);
      g_autofree char *quantity = quantity_text (item->quantity, item->unit);
      g_autofree char *returned = quantity_text (item->returned_quantity, item->unit);
      const char *row[] = {
        number,
        item->item,
        quantity,
        item->held ? C_("kept by", "Station") : C_("kept by", "Person"),
        item->storage,
        returned,
        item->returned_at,
        item->note,
        NULL
      };

      /* Cells after a NULL would be cut off: print them empty instead. */
      for (guint c = 0; c < G_N_ELEMENTS (row) - 1; c++)
        if (row[c] == NULL)
          row[c] = "";
      jz_form_add_table_row (form, row);
    }
  for (; i < min_rows; i++)
    jz_form_add_table_row (form, NULL);
}

static char *
belongings_summary (const JzFormPersonInput *person)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < person->n_belongings; i++)
    {
      const JzFormBelongingInput *item = &person->belongings[i];
      g_autofree char *quantity = quantity_text (item->quantity, item->unit);

      if (text->len > 0)
        /* TRANSLATORS: between items of a list on a form */
        g_string_append (text, C_("list separator", ", "));
      g_string_append (text, item->item != NULL ? item->item : "");
      if (*quantity != '\0')
        g_string_append_printf (text, " × %s", quantity);
    }
  return g_string_free (text, FALSE);
}

static gboolean
all_returned (const JzFormPersonInput *person)
{
  for (guint i = 0; i < person->n_belongings; i++)
    if (person->belongings[i].held && person->belongings[i].returned_at == NULL)
      return FALSE;
  return TRUE;
}

static char *
belongings_returned_text (const JzFormPersonInput *person)
{
  guint held = 0, returned = 0;

  for (guint i = 0; i < person->n_belongings; i++)
    if (person->belongings[i].held)
      {
        held++;
        if (person->belongings[i].returned_at != NULL)
          returned++;
      }
  if (held == 0)
    return g_strdup (_("None held by the station"));
  if (returned == held)
    return g_strdup_printf (ngettext ("All returned (%u item)", "All returned (%u items)", held),
                            held);
  return g_strdup_printf (ngettext ("%u of %u item returned", "%u of %u items returned", held),
                          returned, held);
}

static void
add_station_close (JzForm                   *form,
                   const JzFormStationInput *station,
                   GDateTime                *date)
{
  g_autofree char *when = date_text (date);
  /* TRANSLATORS: under a notice, after the station's name: where its seal goes */
  g_autofree char *sealed = g_strdup_printf (_("%s (seal)"), station->name != NULL ? station->name : "");

  jz_form_add_space (form, 6);
  jz_form_add_text (form, JZ_FORM_TEXT_RIGHT, sealed);
  jz_form_add_text (form, JZ_FORM_TEXT_RIGHT, when);
}

JzForm *
jz_forms_registration (const JzFormStationInput  *station,
                       const JzFormPersonInput   *person,
                       const JzFormDecisionInput *decision,
                       GError                   **error)
{
  g_autoptr(JzForm) form = NULL;
  g_autofree char *name = NULL;
  g_autofree char *age = NULL;
  g_autofree char *admitted = NULL;
  g_autofree char *belongings = NULL;

  g_return_val_if_fail (station != NULL && person != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  form = form_new (_("Relief Request Registration Form"), station, person);
  if (!set_photo (form, person, 35, 45, error))
    return NULL;

  name = name_text (person);
  age = age_text (person);
  admitted = date_time_text (person->admitted_at);
  belongings = belongings_summary (person);

  jz_form_add_section (form, _("Identity"), 2);
  jz_form_add_field (form, _("Name"), name);
  jz_form_add_field (form, _("Sex"), sex_text (person->sex));
  jz_form_add_field (form, _("Date of birth"), person->birth);
  jz_form_add_field (form, _("Age"), age);
  jz_form_add_field (form, _("Ethnicity"), person->ethnicity);
  jz_form_add_field (form, _("Dialect"), person->dialect);
  jz_form_add_wide_field (form, _("ID number"), person->id_number);
  jz_form_add_wide_field (form, _("Domicile"), person->region);
  jz_form_add_wide_field (form, _("Residence"), person->address);
  jz_form_add_wide_field (form, _("Subsistence support"), person->subsistence);
  jz_form_add_wide_field (form, _("Appearance"), person->description);

  jz_form_add_section (form, _("Request for Help"), 2);
  jz_form_add_field (form, _("Case number"), person->episode_number);
  jz_form_add_field (form, _("Admitted at"), admitted);
  jz_form_add_field (form, _("Source"), person->source);
  jz_form_add_field (form, _("Source details"), person->source_detail);
  jz_form_add_field (form, _("Group"), person->group);
  jz_form_add_field (form, _("Health at intake"), person->health);
  jz_form_add_wide_field (form, _("Found at"), person->found_place);
  jz_form_add_wide_field (form, _("Cause and history of vagrancy"), person->reason);
  jz_form_add_wide_field (form, _("Belongings"), belongings);

  {
    const char *headers[] = {
      C_("contacts column", "Name"),
      C_("contacts column", "Relation"),
      C_("contacts column", "Phone"),
      C_("contacts column", "Address"),
      NULL
    };
    const double widths[] = { 1.2, 1, 1.4, 3 };
    guint i;

    jz_form_add_table (form, _("Close Relatives and Contacts"), headers, widths);
    for (i = 0; i < person->n_contacts; i++)
      {
        const JzFormContactInput *contact = &person->contacts[i];
        const char *row[] = {
          contact->name != NULL ? contact->name : "",
          contact->relation != NULL ? contact->relation : "",
          contact->phone != NULL ? contact->phone : "",
          contact->address != NULL ? contact->address : "",
          NULL
        };

        jz_form_add_table_row (form, row);
      }
    for (; i < 2; i++)
      jz_form_add_table_row (form, NULL);
  }

  jz_form_add_section (form, _("Eligibility"), 2);
  if (decision != NULL)
    {
      jz_form_add_field (form, _("Decision"),
                         decision->eligible ? _("Eligible: relief given") : _("Not eligible: refused"));
      jz_form_add_field (form, _("Decided by"), decision->decided_by);
      if (!decision->eligible)
        jz_form_add_wide_field (form, _("Reason for refusal"), decision->reason);
      jz_form_add_wide_field (form, _("Assistance"), decision->assistance);
    }
  else
    {
      jz_form_add_field (form, _("Decision"), NULL);
      jz_form_add_field (form, _("Decided by"), NULL);
      jz_form_add_wide_field (form, _("Assistance"), NULL);
    }

  jz_form_add_text (form, JZ_FORM_TEXT_BODY,
                    _("I confirm that the information above, which I gave, is true."));
  jz_form_add_signature (form, _("Person helped (signature or fingerprint)"), NULL);
  jz_form_add_signature (form, _("Registered by"), person->worker);
  jz_form_set_footer (form, _("Kept in the person's file. Personal information: confidential."));
  return g_steal_pointer (&form);
}

JzForm *
jz_forms_refusal_notice (const JzFormStationInput  *station,
                         const JzFormPersonInput   *person,
                         const char                *reason,
                         GDateTime                 *issued_at,
                         GError                   **error)
{
  g_autoptr(JzForm) form = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *salutation = NULL;
  g_autofree char *body = NULL;
  g_autofree char *asked = NULL;

  g_return_val_if_fail (station != NULL && person != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!has_text (reason))
    {
      g_set_error (error, JZ_FORMS_ERROR, JZ_FORMS_ERROR_MISSING,
                   _("A refusal notice must give the reason for the refusal; write the reason, then print again."));
      return NULL;
    }
  if (issued_at == NULL)
    issued_at = now = g_date_time_new_now_local ();

  form = form_new (_("Notice of Refusal of Relief"), station, person);
  asked = date_text (person->admitted_at != NULL ? person->admitted_at : issued_at);

  jz_form_add_section (form, NULL, 2);
  add_identity (form, person);
  jz_form_add_field (form, _("Case number"), person->episode_number);
  jz_form_add_field (form, _("Asked for help on"), asked);

  jz_form_add_space (form, 4);
  /* TRANSLATORS: the salutation of a notice: the person's name */
  salutation = g_strdup_printf (_("%s:"), person->name != NULL ? person->name : "");
  jz_form_add_text (form, JZ_FORM_TEXT_EMPHASIS, salutation);
  /* TRANSLATORS: %1$s is a date, %2$s the station's name */
  body = g_strdup_printf (_("On %1$s you asked %2$s for help. Having examined your situation under the Measures for the Administration of Relief for Vagrants and Beggars without Assured Living Sources in Cities and their Implementing Rules, the station has decided not to give you relief, for this reason:"),
                          asked, station->name != NULL ? station->name : "");
  jz_form_add_text (form, JZ_FORM_TEXT_BODY, body);
  jz_form_add_text (form, JZ_FORM_TEXT_BODY, reason);
  jz_form_add_text (form, JZ_FORM_TEXT_BODY,
                    _("If your situation changes, you may ask for help again. If you disagree with this decision, you may apply for administrative reconsideration or bring an administrative lawsuit according to law."));
  add_station_close (form, station, issued_at);

  jz_form_add_signature (form, _("Received by the person (signature or fingerprint)"), NULL);
  jz_form_add_signature (form, _("Served by"), person->worker);
  jz_form_set_footer (form, _("Made out in two copies: one for the person, one for the station's file."));
  return g_steal_pointer (&form);
}

JzForm *
jz_forms_termination_notice (const JzFormStationInput  *station,
                             const JzFormPersonInput   *person,
                             const char                *reason,
                             GDateTime                 *ends_at,
                             GError                   **error)
{
  g_autoptr(JzForm) form = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *salutation = NULL;
  g_autofree char *body = NULL;
  g_autofree char *admitted = NULL;
  g_autofree char *ends = NULL;

  g_return_val_if_fail (station != NULL && person != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!has_text (reason))
    {
      g_set_error (error, JZ_FORMS_ERROR, JZ_FORMS_ERROR_MISSING,
                   _("A termination notice must give the reason for ending relief; write the reason, then print again."));
      return NULL;
    }
  if (ends_at == NULL)
    ends_at = now = g_date_time_new_now_local ();

  form = form_new (_("Notice of Termination of Relief"), station, person);
  admitted = date_text (person->admitted_at);
  ends = date_text (ends_at);

  jz_form_add_section (form, NULL, 2);
  add_identity (form, person);
  jz_form_add_field (form, _("Case number"), person->episode_number);
  jz_form_add_field (form, _("Admitted at"), admitted);

  jz_form_add_space (form, 4);
  salutation = g_strdup_printf (_("%s:"), person->name != NULL ? person->name : "");
  jz_form_add_text (form, JZ_FORM_TEXT_EMPHASIS, salutation);
  /* TRANSLATORS: %1$s is the station's name, %2$s the date of admission, %3$s the date relief ends */
  body = g_strdup_printf (_("You have been receiving relief at %1$s since %2$s. Under the Measures for the Administration of Relief for Vagrants and Beggars without Assured Living Sources in Cities and their Implementing Rules, the station has decided to end your relief on %3$s, for this reason:"),
                          station->name != NULL ? station->name : "", admitted, ends);
  jz_form_add_text (form, JZ_FORM_TEXT_BODY, body);
  jz_form_add_text (form, JZ_FORM_TEXT_BODY, reason);
  jz_form_add_text (form, JZ_FORM_TEXT_BODY,
                    _("The belongings the station kept for you will be returned when you leave. If you need help again, you may ask for it. If you disagree with this decision, you may apply for administrative reconsideration or bring an administrative lawsuit according to law."));
  add_station_close (form, station, ends_at);

  jz_form_add_signature (form, _("Received by the person (signature or fingerprint)"), NULL);
  jz_form_add_signature (form, _("Served by"), person->worker);
  jz_form_set_footer (form, _("Made out in two copies: one for the person, one for the station's file."));
  return g_steal_pointer (&form);
}

JzForm *
jz_forms_belongings (const JzFormStationInput  *station,
                     const JzFormPersonInput   *person,
                     GError                   **error)
{
  g_autoptr(JzForm) form = NULL;
  g_autofree char *admitted = NULL;

  g_return_val_if_fail (station != NULL && person != NULL, NULL);
  g_return_val_if_fail (person->n_belongings == 0 || person->belongings != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  form = form_new (_("Belongings Register and Return Slip"), station, person);
  admitted = date_time_text (person->admitted_at);

  jz_form_add_section (form, NULL, 2);
  add_identity (form, person);
  jz_form_add_field (form, _("Case number"), person->episode_number);
  jz_form_add_field (form, _("Admitted at"), admitted);

  add_belongings_table (form, NULL, person, MIN_BELONGING_ROWS);
  jz_form_add_text (form, JZ_FORM_TEXT_NOTE,
                    _("Dangerous and prohibited items are not kept. Belongings other than daily necessities are kept by the station and returned, counted, when the person leaves."));

  jz_form_add_signature (form, _("Handed in by the person"), NULL);
  jz_form_add_signature (form, _("Received by staff"), person->worker);
  jz_form_add_signature (form, _("Returned items received by the person"), NULL);
  jz_form_add_signature (form, _("Returned by staff"), NULL);
  jz_form_set_footer (form, _("Kept in the person's file. Personal information: confidential."));
  return g_steal_pointer (&form);
}

JzForm *
jz_forms_self_departure (const JzFormStationInput   *station,
                         const JzFormPersonInput    *person,
                         const JzFormDepartureInput *departure,
                         GError                    **error)
{
  g_autoptr(JzForm) form = NULL;
  g_autofree char *admitted = NULL;
  g_autofree char *departed = NULL;
  g_autofree char *belongings = NULL;
  g_autofree char *declaration = NULL;
  g_autofree char *cash = NULL;

  g_return_val_if_fail (station != NULL && person != NULL && departure != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (person->age_known && person->age < SELF_DEPARTURE_MIN_AGE)
    {
      g_set_error (error, JZ_FORMS_ERROR, JZ_FORMS_ERROR_NOT_ALLOWED,
                   _("This person is %d and cannot leave on their own: a person under 16 must be collected by a guardian or relative, or escorted home."),
                   person->age);
      return NULL;
    }
  if (person->disability)
    {
      g_set_error (error, JZ_FORMS_ERROR, JZ_FORMS_ERROR_NOT_ALLOWED,
                   _("This person is recorded with a mental or intellectual disability or special difficulty and cannot leave on their own: they must be collected or escorted home."));
      return NULL;
    }

  form = form_new (_("Self-Departure Declaration"), station, person);
  admitted = date_time_text (person->admitted_at);
  departed = date_time_text (departure->departed_at);
  belongings = belongings_returned_text (person);
  cash = with_detail (departure->cash, departure->cash_reason);

  jz_form_add_section (form, NULL, 2);
  add_identity (form, person);
  jz_form_add_field (form, _("Case number"), person->episode_number);
  jz_form_add_field (form, _("Admitted at"), admitted);
  jz_form_add_field (form, _("Leaves at"), departed);
  jz_form_add_field (form, _("Destination"), departure->destination);
  jz_form_add_wide_field (form, _("Belongings returned"), belongings);
  jz_form_add_wide_field (form, _("Cash given"), cash);

  jz_form_add_space (form, 4);
  /* TRANSLATORS: %s is the person's name */
  declaration = g_strdup_printf (_("I, %s, declare that I am leaving the relief station of my own free will. I know that I may ask the station for help again at any time. From the moment I leave the station, I am responsible for my own actions and safety."),
                                 person->name != NULL ? person->name : "");
  jz_form_add_text (form, JZ_FORM_TEXT_BODY, declaration);
  /* Only what is true: the field above says what is still held. */
  if (all_returned (person))
    jz_form_add_text (form, JZ_FORM_TEXT_BODY,
                      _("The belongings the station kept for me have been returned to me, and I have checked them."));

  jz_form_add_signature (form, _("Person leaving (signature or fingerprint)"), NULL);
  jz_form_add_signature (form, _("Witnessed by staff"), person->worker);
  jz_form_set_footer (form, _("Kept in the person's file. Only for a person aged 16 or over without a mental or intellectual disability."));
  return g_steal_pointer (&form);
}

JzForm *
jz_forms_stay_and_departure (const JzFormStationInput   *station,
                             const JzFormPersonInput    *person,
                             const JzFormStayInput      *stay,
                             const JzFormDepartureInput *departure,
                             GError                    **error)
{
  static const JzFormStayInput no_stay;
  static const JzFormDepartureInput no_departure;
  g_autoptr(JzForm) form = NULL;
  g_autofree char *admitted = NULL;
  g_autofree char *departed = NULL;
  g_autofree char *days = NULL;
  g_autofree char *collector = NULL;
  g_autofree char *cash = NULL;
  g_autofree char *belongings = NULL;
  guint n_days;
  guint i;

  g_return_val_if_fail (station != NULL && person != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (stay == NULL)
    stay = &no_stay;
  form = form_new (_("Station Services and Departure Record"), station, person);
  admitted = date_time_text (person->admitted_at);

  jz_form_add_section (form, _("Person"), 2);
  add_identity (form, person);
  jz_form_add_field (form, _("Case number"), person->episode_number);
  jz_form_add_field (form, _("Admitted at"), admitted);

  /* Days are counted as started calendar days, admission day included. */
  n_days = stay->days;
  if (n_days == 0 && departure != NULL && departure->departed_at != NULL
      && person->admitted_at != NULL)
    {
      g_autoptr(GDateTime) from = g_date_time_new_local (g_date_time_get_year (person->admitted_at),
                                                         g_date_time_get_month (person->admitted_at),
                                                         g_date_time_get_day_of_month (person->admitted_at),
                                                         0, 0, 0);
      GTimeSpan span = g_date_time_difference (departure->departed_at, from);

      n_days = span > 0 ? (guint) (span / G_TIME_SPAN_DAY) + 1 : 1;
    }
  days = n_days > 0 ? g_strdup_printf (ngettext ("%u day", "%u days", n_days), n_days) : g_strdup ("");

  jz_form_add_section (form, _("Stay"), 2);
  jz_form_add_field (form, _("Room and bed"), stay->bed);
  jz_form_add_field (form, _("Days in the station"), days);
  jz_form_add_wide_field (form, _("Assistance"), stay->assistance);
  jz_form_add_wide_field (form, _("Identification and family tracing"), stay->tracing);
  jz_form_add_wide_field (form, _("Stay extensions"), stay->extensions);

  {
    const char *headers[] = {
      C_("services column", "Date"),
      C_("services column", "Service"),
      C_("services column", "Details"),
      C_("services column", "Staff"),
      NULL
    };
    const double widths[] = { 1.3, 1.3, 4, 1.2 };

    jz_form_add_table (form, _("Services in the Station"), headers, widths);
    for (i = 0; i < stay->n_services; i++)
      {
        const JzFormServiceInput *service = &stay->services[i];
        const char *row[] = {
          service->date != NULL ? service->date : "",
          service->service != NULL ? service->service : "",
          service->detail != NULL ? service->detail : "",
          service->staff != NULL ? service->staff : "",
          NULL
        };

        jz_form_add_table_row (form, row);
      }
    for (; i < MIN_SERVICE_ROWS; i++)
      jz_form_add_table_row (form, NULL);
  }

  if (departure == NULL)
    departure = &no_departure;
  departed = date_time_text (departure->departed_at);
  if (has_text (departure->collector_name))
    {
      g_autofree char *who = with_detail (departure->collector_name,
                                          departure->collector_relation);
      GString *text = g_string_new (who);

      if (has_text (departure->collector_id))
        g_string_append_printf (text, _(", ID number %s"), departure->collector_id);
      if (has_text (departure->collector_phone))
        g_string_append_printf (text, _(", phone %s"), departure->collector_phone);
      collector = g_string_free (text, FALSE);
    }
  cash = with_detail (departure->cash, departure->cash_reason);
  belongings = departure->departed_at != NULL ? belongings_returned_text (person) : g_strdup ("");

  jz_form_add_section (form, _("Departure"), 2);
  jz_form_add_field (form, _("Departed at"), departed);
  jz_form_add_field (form, _("Departure mode"), departure->mode);
  jz_form_add_wide_field (form, _("Destination"), departure->destination);
  jz_form_add_wide_field (form, _("Ticket or transport"), departure->transport);
  jz_form_add_wide_field (form, _("Collected by"), collector);
  jz_form_add_field (form, _("Cash given"), cash);
  jz_form_add_field (form, _("Belongings returned"), belongings);
  jz_form_add_wide_field (form, _("Follow-up"), departure->follow_up);
  jz_form_add_wide_field (form, _("Note"), departure->note);

  jz_form_add_signature (form, _("Person helped or collector (signature)"), NULL);
  jz_form_add_signature (form, _("Staff"), person->worker);
  jz_form_add_signature (form, _("Approved by (head of station)"), stay->approved_by);
  jz_form_set_footer (form, _("Kept in the person's file. Personal information: confidential."));
  return g_steal_pointer (&form);
}

JzForm *
jz_forms_tracing_notice (const JzFormStationInput  *station,
                         const JzFormPersonInput   *person,
                         const JzFormNoticeInput   *notice,
                         gboolean                   confirmed_serves_finding_child,
                         GError                   **error)
{
  static const JzFormNoticeInput no_notice;
  g_autoptr(JzForm) form = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *admitted = NULL;
  g_autofree char *age = NULL;
  g_autofree char *body = NULL;
  GDateTime *issued_at;
  gboolean minor;

  g_return_val_if_fail (station != NULL && person != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Unknown age counts as a possible minor: publishing a child's identity
   * is only lawful to find the child (未成年人保护法 art. 103). */
  minor = !person->age_known || person->age < ADULT_AGE;
  if (minor && !confirmed_serves_finding_child)
    {
      if (person->age_known)
        g_set_error (error, JZ_FORMS_ERROR, JZ_FORMS_ERROR_MINOR_NOT_CONFIRMED,
                     _("This person is a minor (%d). A minor's identity may only be published to find a missing or trafficked child (Minors Protection Law art. 103). Confirm that this notice serves finding the child's family, then print again."),
                     person->age);
      else
        g_set_error (error, JZ_FORMS_ERROR, JZ_FORMS_ERROR_MINOR_NOT_CONFIRMED,
                     _("This person's age is not recorded, so they may be a minor. A minor's identity may only be published to find a missing or trafficked child (Minors Protection Law art. 103). Record an estimated age, or confirm that this notice serves finding the child's family, then print again."));
      return NULL;
    }

  if (notice == NULL)
    notice = &no_notice;
  issued_at = notice->issued_at;
  if (issued_at == NULL)
    issued_at = now = g_date_time_new_now_local ();

  form = form_new (_("Family Tracing Notice"), station, person);
  if (!set_photo (form, person, 60, 80, error))
    return NULL;
  admitted = date_text (person->admitted_at);
  age = age_text (person);

  /* No ID number on a public notice: only what helps a family recognise
   * the person. */
  jz_form_add_section (form, NULL, 1);
  jz_form_add_field (form, _("Name (as given)"), person->name);
  jz_form_add_field (form, _("Sex"), sex_text (person->sex));
  jz_form_add_field (form, _("Apparent age"), age);
  jz_form_add_field (form, _("Says they come from"), person->region);
  jz_form_add_field (form, _("Accent"), person->dialect);
  jz_form_add_field (form, _("Appearance"), person->description);
  jz_form_add_field (form, _("Clothing when found"), person->clothing);
  jz_form_add_field (form, _("Found at"), person->found_place);
  jz_form_add_field (form, _("In the station since"), admitted);

  /* TRANSLATORS: %1$s is the station's name, %2$s a date */
  body = g_strdup_printf (_("The person shown above has been looked after by %1$s since %2$s and cannot give reliable details of their home or family. To help them go home soon, we ask their family, or anyone who knows them, to contact the station."),
                          station->name != NULL ? station->name : "", admitted);
  jz_form_add_text (form, JZ_FORM_TEXT_BODY, body);
  if (has_text (notice->extra))
    jz_form_add_text (form, JZ_FORM_TEXT_BODY, notice->extra);

  jz_form_add_section (form, _("Contact"), 2);
  jz_form_add_field (form, _("Contact person"), notice->contact);
  jz_form_add_field (form, _("Phone"), has_text (notice->phone) ? notice->phone : station->phone);
  jz_form_add_wide_field (form, _("Address"), station->address);
  if (minor)
    jz_form_add_text (form, JZ_FORM_TEXT_NOTE,
                      _("Published to find a missing child's family (Minors Protection Law art. 103)."));
  add_station_close (form, station, issued_at);
  jz_form_set_footer (form, _("Please pass this notice on. The station provides help free of charge."));
  return g_steal_pointer (&form);
}

JzForm *
jz_forms_escort_handover (const JzFormStationInput  *station,
                          const JzFormPersonInput   *person,
                          const JzFormEscortInput   *escort,
                          GError                   **error)
{
  static const JzFormEscortInput no_escort;
  g_autoptr(JzForm) form = NULL;
  g_autofree char *departed = NULL;
  g_autofree char *handed_over = NULL;
  g_autofree char *receiver = NULL;

  g_return_val_if_fail (station != NULL && person != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (escort == NULL)
    escort = &no_escort;
  form = form_new (_("Escort Hand-over Form"), station, person);
  departed = date_time_text (escort->departed_at);
  handed_over = date_time_text (escort->handed_over_at);
  if (has_text (escort->receiver_name))
    {
      GString *text = g_string_new (escort->receiver_name);

      if (has_text (escort->receiver_id))
        g_string_append_printf (text, _(", ID number %s"), escort->receiver_id);
      if (has_text (escort->receiver_phone))
        g_string_append_printf (text, _(", phone %s"), escort->receiver_phone);
      receiver = g_string_free (text, FALSE);
    }

  jz_form_add_section (form, _("Person"), 2);
  add_identity (form, person);
  jz_form_add_field (form, _("Case number"), person->episode_number);
  jz_form_add_field (form, _("Domicile"), person->region);
  jz_form_add_wide_field (form, _("Condition at hand-over"), escort->health);

  jz_form_add_section (form, _("Escort"), 2);
  jz_form_add_field (form, _("Departed at"), departed);
  jz_form_add_field (form, _("Vehicle"), escort->vehicle);
  jz_form_add_wide_field (form, _("Escorting staff"), escort->staff);
  jz_form_add_wide_field (form, _("Route"), escort->route);
  jz_form_add_wide_field (form, _("Receiving unit"), escort->receiving_unit);
  jz_form_add_wide_field (form, _("Address"), escort->receiving_address);
  jz_form_add_wide_field (form, _("Received by"), receiver);
  jz_form_add_wide_field (form, _("Handed over at"), handed_over);
  jz_form_add_wide_field (form, _("Documents handed over"), escort->documents);
  jz_form_add_wide_field (form, _("Note"), escort->note);

  add_belongings_table (form, _("Belongings Handed Over"), person, 3);
  jz_form_add_text (form, JZ_FORM_TEXT_BODY,
                    _("The person named above, with the belongings and documents listed, has been handed over and received in the condition described."));
  jz_form_add_signature (form, _("Escorting staff (signature)"), NULL);
  jz_form_add_signature (form, _("Receiving unit (signature and seal)"), escort->receiver_name);
  jz_form_set_footer (form, _("Made out in two copies: one for the receiving unit, one for the station's file."));
  return g_steal_pointer (&form);
}
