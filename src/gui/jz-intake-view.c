/* jz-intake-view.c: the intake area (接待登记)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-intake"

#include "config.h"

#include <glib/gi18n.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "jz-actions.h"
#include "jz-casework.h"
#include "jz-form-data.h"
#include "jz-gui-util.h"
#include "jz-intake-view.h"
#include "jz-region-row.h"
#include "jz-regions.h"
#include "jz-search.h"
#include "jz-station.h"
#include "jz-window.h"

/* A return within this many days is a repeat visit (跑站). */
#define REPEAT_VISIT_DAYS 30
/* From this score on, saving a new person asks first. */
#define DUP_ASK_SCORE 80
#define DUP_LIMIT 8
#define DUP_DELAY_MS 300

typedef struct
{
  GtkWidget *row;
  GtkWidget *item;
  GtkWidget *qty;
  GtkWidget *kind;
  GtkWidget *storage;
} BelongingRow;

struct _JzIntakeView
{
  GtkWidget            parent_instance;

  /* template widgets */
  AdwToastOverlay     *toasts;
  AdwFlap             *flap;
  GtkWidget           *form_scroller;
  GtkWidget           *saved_group;
  GtkWidget           *saved_row;
  GtkWidget           *print_saved_button;
  GtkWidget           *error_group;
  GtkWidget           *error_row;
  GtkWidget           *linked_row;
  GtkWidget           *name_row;
  GtkWidget           *name_message;
  GtkWidget           *name_unknown_switch;
  GtkWidget           *name_quality_row;
  GtkWidget           *sex_row;
  GtkWidget           *male_button;
  GtkWidget           *female_button;
  GtkWidget           *sex_unknown_button;
  GtkWidget           *id_row;
  GtkWidget           *id_message;
  GtkWidget           *birth_row;
  GtkWidget           *birth_message;
  GtkWidget           *age_row;
  GtkWidget           *age_message;
  GtkWidget           *region_row;
  GtkWidget           *residence_row;
  GtkWidget           *dialect_row;
  GtkWidget           *dup_group;
  GtkWidget           *dup_row;
  GtkWidget           *photo_row;
  GtkWidget           *photo_picture;
  GtkWidget           *photo_remove_button;
  GtkWidget           *height_row;
  GtkWidget           *height_message;
  GtkWidget           *build_row;
  GtkWidget           *marks_row;
  GtkWidget           *clothing_row;
  GtkWidget           *description_row;
  GtkWidget           *source_row;
  GtkWidget           *handover_row;
  GtkWidget           *from_station_row;
  GtkWidget           *from_station_message;
  GtkWidget           *admitted_row;
  GtkWidget           *admitted_message;
  GtkWidget           *category_row;
  GtkWidget           *reason_row;
  AdwPreferencesGroup *health_group;
  GtkWidget           *routing_row;
  GtkWidget           *routing_message;
  GtkWidget           *flags_row;
  AdwPreferencesGroup *belongings_group;
  GtkWidget           *no_belongings_row;
  GtkWidget           *decision_row;
  GtkWidget           *refusal_row;
  GtkWidget           *refusal_message;
  GtkWidget           *assistance_row;
  GtkListBox          *dup_list;
  GtkWidget           *dup_empty;
  GtkWidget           *dup_button;
  AdwButtonContent    *dup_button_content;

  /* built in code */
  GPtrArray           *health_checks;      /* one per JzHealth bit */
  GPtrArray           *health_rows;
  GtkWidget           *threatening_check;
  GtkWidget           *drugs_check;
  GPtrArray           *flag_checks;        /* one per JzSpecialFlags bit */
  GPtrArray           *assistance_checks;  /* one per JzAssistance bit */
  GArray              *belongings;         /* BelongingRow */

  /* owned */
  JzStore             *store;
  GPtrArray           *candidates;         /* JzDupCandidate* shown */
  JzPerson            *linked;             /* the person chosen, or NULL */
  GFile               *photo;
  char                *saved_person_id;
  char                *saved_episode_id;
  char                *saved_name;
  gboolean             saved_refused;
  guint                dup_timeout;
  gboolean             routing_touched;
  gboolean             filling;            /* fields set by the view itself */
  gboolean             tried;              /* Save pressed: show what is missing */
};

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (JzIntakeView, jz_intake_view, GTK_TYPE_WIDGET)

static const char * const source_ids[] = {
  "walk_in", "police_escort", "chengguan", "patrol", "public_report", "hospital", "transfer",
};
static const char * const category_ids[] = { "vagrant", "temporary" };
static const char * const name_qualities[] = { "self_reported", "full", "partial" };
static const char * const builds[] = { NULL, "slight", "medium", "heavy" };

enum { ROUTE_ADMIT, ROUTE_HOSPITAL, ROUTE_POLICE, ROUTE_SCREENING };
enum { DECIDE_ADMIT, DECIDE_REFUSE, DECIDE_PENDING };

/* Helpers */

static char *
text_of (GtkWidget *editable)
{
  g_autofree char *t = g_strdup (gtk_editable_get_text (GTK_EDITABLE (editable)));

  g_strstrip (t);
  return *t != '\0' ? g_steal_pointer (&t) : NULL;
}

static void
set_text (JzIntakeView *self,
          GtkWidget    *editable,
          const char   *text)
{
  self->filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (editable), text ? text : "");
  self->filling = FALSE;
}

static gboolean
is_blank (GtkWidget *editable)
{
  g_autofree char *t = text_of (editable);

  return t == NULL;
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

static JzSex
typed_sex (JzIntakeView *self)
{
  if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->male_button)))
    return JZ_SEX_MALE;
  if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->female_button)))
    return JZ_SEX_FEMALE;
  return JZ_SEX_UNKNOWN;
}

static void
set_sex (JzIntakeView *self,
         JzSex         sex)
{
  GtkWidget *button = sex == JZ_SEX_MALE ? self->male_button
                    : sex == JZ_SEX_FEMALE ? self->female_button : self->sex_unknown_button;

  self->filling = TRUE;
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), TRUE);
  self->filling = FALSE;
}

/* The birth date as typed: "1985-03-02", "19850302" or "1985". NULL
 * message when it is one (or empty: @birth stays unknown). */
static gboolean
parse_birth (const char  *text,
             JzBirth     *birth,
             char       **message)
{
  int y, m, d;
  char tail;
  GDate today;

  jz_birth_init_unknown (birth);
  *message = NULL;
  if (text == NULL)
    return TRUE;
  today_date (&today);
  if ((sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && strlen (text) == 10) ||
      (strlen (text) == 8 && sscanf (text, "%4d%2d%2d%c", &y, &m, &d, &tail) == 3))
    {
      if (!g_date_valid_dmy (d, m, y))
        {
          *message = g_strdup (_("This is not a real date; type it as YYYY-MM-DD, e.g. 1985-03-02"));
          return FALSE;
        }
      jz_birth_init_exact (birth, y, m, d);
    }
  else if (strlen (text) == 4 && sscanf (text, "%4d%c", &y, &tail) == 1)
    jz_birth_init_year (birth, y);
  else
    {
      *message = g_strdup (_("Type the date as YYYY-MM-DD (e.g. 1985-03-02), or only the year (1985)"));
      return FALSE;
    }
  if (g_date_get_year (&birth->date) < 1900 || g_date_compare (&birth->date, &today) > 0)
    {
      *message = g_strdup (_("This date is in the future or before 1900; check the year"));
      jz_birth_init_unknown (birth);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_int (const char *text,
           int         min,
           int         max,
           int        *out)
{
  char *end = NULL;
  gint64 v;

  if (text == NULL)
    return FALSE;
  v = g_ascii_strtoll (text, &end, 10);
  if (end == text || *end != '\0' || v < min || v > max)
    return FALSE;
  *out = (int) v;
  return TRUE;
}

/* The birth as best known from the form: a typed date, else the age. */
static void
typed_birth (JzIntakeView *self,
             JzBirth      *birth)
{
  g_autofree char *text = text_of (self->birth_row);
  g_autofree char *age_text = text_of (self->age_row);
  g_autofree char *message = NULL;
  int age;

  if (parse_birth (text, birth, &message) && jz_birth_is_known (birth))
    return;
  if (parse_int (age_text, 0, 120, &age))
    {
      GDate today;

      jz_birth_init_estimated (birth, (guint) age, today_date (&today));
    }
}

static int
typed_age (JzIntakeView *self)
{
  JzBirth birth;
  GDate today;

  typed_birth (self, &birth);
  return jz_birth_age_at (&birth, today_date (&today));
}

static guint
checks_value (GPtrArray *checks)
{
  guint v = 0;

  for (guint i = 0; i < checks->len; i++)
    if (gtk_check_button_get_active (checks->pdata[i]))
      v |= 1u << i;
  return v;
}

static void
set_checks_value (GPtrArray *checks,
                  guint      value)
{
  for (guint i = 0; i < checks->len; i++)
    gtk_check_button_set_active (checks->pdata[i], (value & (1u << i)) != 0);
}

static GtkStringList *
string_list (const char * const *labels,
             gsize               n)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (gsize i = 0; i < n; i++)
    gtk_string_list_append (list, labels[i]);
  return list;
}

static void
show_error (JzIntakeView *self,
            const char   *message)
{
  gtk_widget_set_visible (self->error_group, message != NULL);
  if (message != NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->error_row), message);
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->form_scroller)), 0);
    }
}

/* Validation next to the fields */

static gboolean
check_id (JzIntakeView *self,
          gboolean      complete)
{
  g_autofree char *text = text_of (self->id_row);
  g_autofree char *problem = NULL;
  g_autofree char *summary = NULL;
  g_autoptr(GString) mismatch = NULL;
  JzIdCard card;
  gsize digits = 0;

  if (text == NULL)
    {
      jz_casework_set_message (self->id_row, self->id_message, JZ_MESSAGE_NONE, NULL);
      return TRUE;
    }
  for (const char *p = text; *p; p++)
    if (g_ascii_isalnum (*p))
      digits++;
  problem = jz_casework_idcard_problem (text, &card);
  if (problem != NULL)
    {
      /* While typing, say nothing until the number could be whole. */
      if (!complete && digits < 15)
        {
          jz_casework_set_message (self->id_row, self->id_message, JZ_MESSAGE_NONE, NULL);
          return FALSE;
        }
      jz_casework_set_message (self->id_row, self->id_message, JZ_MESSAGE_ERROR, problem);
      return FALSE;
    }

  summary = jz_casework_idcard_summary (&card);
  mismatch = g_string_new (NULL);
  {
    g_autofree char *birth_text = text_of (self->birth_row);
    g_autofree char *ignored = NULL;
    JzBirth birth;
    JzSex sex = typed_sex (self);
    const char *code = jz_region_row_get_code (JZ_REGION_ROW (self->region_row));
    char date[16];

    g_snprintf (date, sizeof date, "%04d-%02d-%02d", g_date_get_year (&card.birth_date),
                g_date_get_month (&card.birth_date), g_date_get_day (&card.birth_date));
    if (parse_birth (birth_text, &birth, &ignored) && jz_birth_is_known (&birth))
      {
        gboolean differs = birth.precision == JZ_DATE_PRECISION_EXACT
                             ? g_date_compare (&birth.date, &card.birth_date) != 0
                             : g_date_get_year (&birth.date) != g_date_get_year (&card.birth_date);
        if (differs)
          /* TRANSLATORS: a mismatch between the ID number and the typed birth date */
          g_string_append_printf (mismatch, _("The number says born %s, but %s is typed. "), date, birth_text);
      }
    else
      {
        g_autofree char *age_text = text_of (self->age_row);
        int age;
        GDate today;
        int real = jz_birth_age_at (&(JzBirth) { .precision = JZ_DATE_PRECISION_EXACT, .date = card.birth_date },
                                    today_date (&today));

        if (parse_int (age_text, 0, 120, &age) && ABS (age - real) > 10)
          g_string_append_printf (mismatch, _("The number says %d years old, but about %d was estimated. "), real, age);
      }
    if (sex != JZ_SEX_UNKNOWN && sex != card.sex)
      g_string_append_printf (mismatch, _("The number says %s, but %s is chosen. "),
                              _(jz_sex_get_label (card.sex)), _(jz_sex_get_label (sex)));
    if (code != NULL && strcmp (code, card.region_code) != 0 && card.region != NULL)
      {
        g_autofree char *full = jz_regions_full_name (card.region_code);
        /* The 户籍地 may have moved since the card was issued: a warning only. */
        g_string_append_printf (mismatch, _("The number was issued in %s, not the region chosen (the registration may have moved). "),
                                full);
      }
  }
  if (mismatch->len > 0)
    {
      g_string_append (mismatch, _("Check the card and what was typed."));
      jz_casework_set_message (self->id_row, self->id_message, JZ_MESSAGE_WARNING, mismatch->str);
    }
  else
    jz_casework_set_message (self->id_row, self->id_message, JZ_MESSAGE_SUCCESS, summary);
  return TRUE;
}

/* Fills what the number implies into the fields still empty. */
static void
fill_from_id (JzIntakeView *self)
{
  g_autofree char *text = text_of (self->id_row);
  JzIdCard card;
  char date[16];

  if (text == NULL || !jz_idcard_parse (text, &card, NULL))
    return;
  g_snprintf (date, sizeof date, "%04d-%02d-%02d", g_date_get_year (&card.birth_date),
              g_date_get_month (&card.birth_date), g_date_get_day (&card.birth_date));
  if (is_blank (self->birth_row))
    set_text (self, self->birth_row, date);
  if (typed_sex (self) == JZ_SEX_UNKNOWN)
    set_sex (self, card.sex);
  if (jz_region_row_get_code (JZ_REGION_ROW (self->region_row)) == NULL &&
      is_blank (self->region_row) && card.region != NULL)
    {
      self->filling = TRUE;
      jz_region_row_set_code (JZ_REGION_ROW (self->region_row), card.region_code);
      self->filling = FALSE;
    }
}

static gboolean
check_birth (JzIntakeView *self)
{
  g_autofree char *text = text_of (self->birth_row);
  g_autofree char *age_text = text_of (self->age_row);
  g_autofree char *message = NULL;
  JzBirth birth;
  int age;
  gboolean ok = TRUE;

  if (!parse_birth (text, &birth, &message))
    {
      jz_casework_set_message (self->birth_row, self->birth_message, JZ_MESSAGE_ERROR, message);
      ok = FALSE;
    }
  else if (jz_birth_is_known (&birth))
    {
      GDate today;
      int a = jz_birth_age_at (&birth, today_date (&today));
      g_autofree char *info = g_strdup_printf (ngettext ("%d year old", "%d years old", a), a);

      jz_casework_set_message (self->birth_row, self->birth_message, JZ_MESSAGE_INFO, info);
    }
  else
    jz_casework_set_message (self->birth_row, self->birth_message, JZ_MESSAGE_NONE, NULL);

  if (age_text != NULL && !parse_int (age_text, 0, 120, &age))
    {
      jz_casework_set_message (self->age_row, self->age_message, JZ_MESSAGE_ERROR,
                               _("Type the age you would guess as a whole number of years, e.g. 45"));
      ok = FALSE;
    }
  else if (age_text != NULL && text != NULL && jz_birth_is_known (&birth))
    jz_casework_set_message (self->age_row, self->age_message, JZ_MESSAGE_INFO,
                             _("A birth date is given, so the estimate is not used"));
  else
    jz_casework_set_message (self->age_row, self->age_message, JZ_MESSAGE_NONE, NULL);
  return ok;
}

static gboolean
check_name (JzIntakeView *self)
{
  gboolean unknown = gtk_switch_get_active (GTK_SWITCH (self->name_unknown_switch));

  gtk_widget_set_sensitive (self->name_row, !unknown);
  gtk_widget_set_sensitive (self->name_quality_row, !unknown);
  if (!unknown && is_blank (self->name_row))
    {
      jz_casework_set_message (self->name_row, self->name_message,
                               self->tried ? JZ_MESSAGE_ERROR : JZ_MESSAGE_NONE,
                               _("Type the name, or turn on “Name unknown” to register the person as 无名氏"));
      return FALSE;
    }
  jz_casework_set_message (self->name_row, self->name_message, JZ_MESSAGE_NONE, NULL);
  return TRUE;
}

static const char *
selected_source (JzIntakeView *self)
{
  guint i = adw_combo_row_get_selected (ADW_COMBO_ROW (self->source_row));

  return source_ids[MIN (i, G_N_ELEMENTS (source_ids) - 1)];
}

static gboolean
check_source (JzIntakeView *self)
{
  const char *source = selected_source (self);
  g_autofree char *station = text_of (self->from_station_row);
  g_autofree char *admitted = text_of (self->admitted_row);
  gboolean ok = TRUE;
  gint64 t;

  gtk_widget_set_visible (self->handover_row, g_str_equal (source, "police_escort") ||
                                              g_str_equal (source, "chengguan"));
  gtk_widget_set_visible (self->from_station_row, g_str_equal (source, "transfer"));
  if (g_str_equal (source, "transfer") && station == NULL)
    {
      jz_casework_set_message (self->from_station_row, self->from_station_message,
                               self->tried ? JZ_MESSAGE_ERROR : JZ_MESSAGE_NONE,
                               _("Type the code of the station that transferred the person, e.g. 320400-01"));
      ok = FALSE;
    }
  else if (g_str_equal (source, "transfer") && !jz_station_code_validate (station, NULL))
    {
      jz_casework_set_message (self->from_station_row, self->from_station_message, JZ_MESSAGE_ERROR,
                               _("A station code is the 6-digit region code, a dash and 2 digits, e.g. 320400-01"));
      ok = FALSE;
    }
  else
    jz_casework_set_message (self->from_station_row, self->from_station_message, JZ_MESSAGE_NONE, NULL);

  if (!jz_casework_parse_time (admitted, &t))
    {
      jz_casework_set_message (self->admitted_row, self->admitted_message, JZ_MESSAGE_ERROR,
                               _("Type the time as YYYY-MM-DD HH:MM, e.g. 2026-05-01 14:30"));
      ok = FALSE;
    }
  else if (t > jz_casework_now () + 300)
    {
      jz_casework_set_message (self->admitted_row, self->admitted_message, JZ_MESSAGE_ERROR,
                               _("This is in the future; check the time and the computer's clock"));
      ok = FALSE;
    }
  else
    jz_casework_set_message (self->admitted_row, self->admitted_message, JZ_MESSAGE_NONE, NULL);
  return ok;
}

static gboolean
check_height (JzIntakeView *self)
{
  g_autofree char *text = text_of (self->height_row);
  int h;

  if (text != NULL && !parse_int (text, 30, 250, &h))
    {
      jz_casework_set_message (self->height_row, self->height_message, JZ_MESSAGE_ERROR,
                               _("Type the height in centimetres, between 30 and 250"));
      return FALSE;
    }
  jz_casework_set_message (self->height_row, self->height_message, JZ_MESSAGE_NONE, NULL);
  return TRUE;
}

static gboolean
check_decision (JzIntakeView *self)
{
  gboolean refuse = adw_combo_row_get_selected (ADW_COMBO_ROW (self->decision_row)) == DECIDE_REFUSE;

  gtk_widget_set_visible (self->refusal_row, refuse);
  gtk_widget_set_visible (self->assistance_row, !refuse);
  if (refuse && is_blank (self->refusal_row))
    {
      jz_casework_set_message (self->refusal_row, self->refusal_message,
                               self->tried ? JZ_MESSAGE_ERROR : JZ_MESSAGE_INFO,
                               _("Write why the person is not eligible; it is printed on the refusal notice"));
      return FALSE;
    }
  jz_casework_set_message (self->refusal_row, self->refusal_message, JZ_MESSAGE_NONE, NULL);
  return TRUE;
}

static gboolean
check_belongings (JzIntakeView *self)
{
  gboolean ok = TRUE;

  for (guint i = 0; i < self->belongings->len; i++)
    {
      BelongingRow *b = &g_array_index (self->belongings, BelongingRow, i);
      gboolean empty = is_blank (b->item);

      if (empty && self->tried)
        gtk_widget_add_css_class (b->item, "error");
      else
        gtk_widget_remove_css_class (b->item, "error");
      ok = ok && !empty;
    }
  return ok;
}

/* The next step suggested by the screening (先救治后救助; police for
 * the drunk and threatening or drugs). */
static int
suggested_route (JzIntakeView *self,
                 const char  **why)
{
  guint health = checks_value (self->health_checks);
  gboolean threatening = gtk_check_button_get_active (GTK_CHECK_BUTTON (self->threatening_check));
  gboolean drugs = gtk_check_button_get_active (GTK_CHECK_BUTTON (self->drugs_check));

  if (health & JZ_HEALTH_CRITICAL)
    {
      *why = _("Critically ill or injured: send to hospital first (先救治后救助), then register the help.");
      return ROUTE_HOSPITAL;
    }
  if (health & (JZ_HEALTH_INFECTIOUS | JZ_HEALTH_MENTAL))
    {
      *why = (health & JZ_HEALTH_INFECTIOUS)
               ? _("Suspected infectious disease: send to hospital first, away from other residents.")
               : _("Signs of mental disorder: send to hospital for assessment first.");
      return ROUTE_HOSPITAL;
    }
  if (drugs || ((health & JZ_HEALTH_INTOXICATION) && threatening))
    {
      *why = drugs ? _("Suspected drug use: hand the person to the police.")
                   : _("Drunk and threatening: hand the person to the police.");
      return ROUTE_POLICE;
    }
  *why = NULL;
  return ROUTE_ADMIT;
}

static void
update_routing (JzIntakeView *self)
{
  const char *why = NULL;
  int route;

  /* The models are set before the checks exist. */
  if (self->drugs_check == NULL || self->flag_checks->len == 0)
    return;
  route = suggested_route (self, &why);

  if (!self->routing_touched)
    {
      self->filling = TRUE;
      adw_combo_row_set_selected (ADW_COMBO_ROW (self->routing_row), route);
      self->filling = FALSE;
    }
  if (why != NULL && (int) adw_combo_row_get_selected (ADW_COMBO_ROW (self->routing_row)) != route)
    {
      g_autofree char *msg = g_strdup_printf (_("Suggested: %s"), why);
      jz_casework_set_message (self->routing_row, self->routing_message, JZ_MESSAGE_WARNING, msg);
    }
  else
    jz_casework_set_message (self->routing_row, self->routing_message,
                             why ? JZ_MESSAGE_WARNING : JZ_MESSAGE_NONE, why);
}

static void
update_age_flags (JzIntakeView *self)
{
  int age = typed_age (self);

  /* The age marks minors and the elderly; staff can still tick a child
   * whose age nobody knows. */
  if (age >= 0)
    {
      gtk_check_button_set_active (self->flag_checks->pdata[0], age < JZ_ADULT_AGE);
      gtk_check_button_set_active (self->flag_checks->pdata[1], age >= 60);
    }
}

static gboolean
validate (JzIntakeView *self)
{
  gboolean ok = TRUE;

  ok = check_name (self) && ok;
  ok = check_birth (self) && ok;
  ok = check_id (self, self->tried) && ok;
  ok = check_height (self) && ok;
  ok = check_source (self) && ok;
  ok = check_decision (self) && ok;
  ok = check_belongings (self) && ok;
  return ok;
}

/* The duplicate panel */

static void
fill_dup_person (JzIntakeView *self,
                 JzDupPerson  *dup,
                 char        **name,
                 char        **id,
                 char        **dialect,
                 char        **marks)
{
  jz_dup_person_init (dup);
  if (!gtk_switch_get_active (GTK_SWITCH (self->name_unknown_switch)))
    *name = text_of (self->name_row);
  *id = text_of (self->id_row);
  if (*id != NULL && !jz_idcard_is_valid (*id))
    g_clear_pointer (id, g_free);
  *dialect = text_of (self->dialect_row);
  *marks = text_of (self->marks_row);
  dup->name = *name;
  dup->id_number = *id;
  dup->dialect = *dialect;
  dup->features = *marks;
  dup->sex = typed_sex (self);
  typed_birth (self, &dup->birth);
  dup->region_code = jz_region_row_get_code (JZ_REGION_ROW (self->region_row));
}

static GtkWidget *
label_new (const char *text,
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

static void
on_link_clicked (JzIntakeView *self,
                 GtkButton    *button)
{
  const char *id = g_object_get_data (G_OBJECT (button), "person-id");

  if (self->linked != NULL && g_strcmp0 (self->linked->rec.id, id) == 0)
    jz_intake_view_link_person (self, NULL);
  else
    jz_intake_view_link_person (self, id);
}

static void
on_open_file_clicked (JzIntakeView *self,
                      GtkButton    *button)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-case", "s",
                              g_object_get_data (G_OBJECT (button), "person-id"));
}

static GtkWidget *
candidate_row (JzIntakeView         *self,
               const JzDupCandidate *c)
{
  const JzSearchRow *p = &c->person;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *name, *score, *buttons, *link, *open;
  GString *facts = g_string_new (NULL);
  GString *reasons = g_string_new (NULL);
  gboolean linked = self->linked != NULL && g_strcmp0 (self->linked->rec.id, p->person_id) == 0;
  g_autofree char *score_text = NULL;
  g_autofree char *accessible = NULL;
  gint64 now = jz_casework_now ();

  name = label_new (p->name, "heading");
  gtk_widget_set_hexpand (name, TRUE);
  /* TRANSLATORS: how alike an intake and a person on file are, 0–100 */
  score_text = g_strdup_printf (_("Match %d"), c->score);
  score = gtk_label_new (score_text);
  gtk_widget_add_css_class (score, "caption-heading");
  gtk_widget_add_css_class (score, c->score >= DUP_ASK_SCORE ? "error" : "warning");
  gtk_widget_set_valign (score, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (top), name);
  gtk_box_append (GTK_BOX (top), score);
  gtk_box_append (GTK_BOX (box), top);

  g_string_append (facts, jz_casework_sex_label (p->sex));
  if (p->age >= 0)
    {
      if (facts->len > 0)
        g_string_append (facts, " · ");
      g_string_append_printf (facts, ngettext ("%d year old", "%d years old", p->age), p->age);
    }
  if (p->hukou_region != NULL)
    {
      g_autofree char *full = jz_regions_full_name (p->hukou_region);

      if (facts->len > 0)
        g_string_append (facts, " · ");
      g_string_append (facts, full ? full : p->hukou_region);
    }
  if (p->id_number != NULL)
    {
      g_autofree char *abbrev = jz_idcard_abbreviate (p->id_number);

      if (facts->len > 0)
        g_string_append (facts, " · ");
      g_string_append (facts, abbrev);
    }
  if (facts->len > 0)
    gtk_box_append (GTK_BOX (box), label_new (facts->str, "caption"));

  for (guint i = 0; c->reasons != NULL && i < c->reasons->len; i++)
    {
      if (reasons->len > 0)
        g_string_append (reasons, " · ");
      g_string_append (reasons, c->reasons->pdata[i]);
    }
  if (reasons->len > 0)
    gtk_box_append (GTK_BOX (box), label_new (reasons->str, "dim-label"));

  /* Earlier episodes, newest first, and the repeat-visit warning. */
  for (guint i = 0; c->episodes != NULL && i < c->episodes->len && i < 3; i++)
    {
      JzEpisode *e = c->episodes->pdata[i];
      g_autofree char *admitted = jz_casework_format_date (e->admitted_at);
      g_autofree char *line = NULL;
      JzEpisodeStatus status;

      if (jz_episode_status_from_string (e->status, &status) && !jz_episode_status_is_closed (status))
        /* TRANSLATORS: an earlier episode still open: number, date, status */
        line = g_strdup_printf (_("%s · since %s · still open (%s)"), e->number, admitted,
                                jz_casework_status_label (e->status));
      else if (e->departed_at > 0)
        {
          g_autofree char *departed = jz_casework_format_date (e->departed_at);
          /* TRANSLATORS: an earlier episode: number, admission and departure dates, station */
          line = g_strdup_printf (_("%s · %s to %s · station %s"), e->number, admitted, departed,
                                  e->rec.station ? e->rec.station : "");
        }
      else
        line = g_strdup_printf (_("%s · %s · %s"), e->number, admitted, jz_casework_status_label (e->status));
      gtk_box_append (GTK_BOX (box), label_new (line, "caption"));
    }
  if (c->episodes != NULL && c->episodes->len > 3)
    {
      g_autofree char *more = g_strdup_printf (ngettext ("and %u more episode", "and %u more episodes",
                                                         c->episodes->len - 3), c->episodes->len - 3);
      gtk_box_append (GTK_BOX (box), label_new (more, "caption"));
    }
  if (c->episodes != NULL && c->episodes->len > 0)
    {
      JzEpisode *last = c->episodes->pdata[0];
      gint64 last_at = last->departed_at > 0 ? last->departed_at : last->admitted_at;
      JzEpisodeStatus status;

      if (jz_episode_status_from_string (last->status, &status) && !jz_episode_status_is_closed (status))
        gtk_box_append (GTK_BOX (box),
                        label_new (_("Still has an open episode: continue it in the person's file instead of a new intake."),
                                   "error"));
      else if (now - last_at < REPEAT_VISIT_DAYS * 86400)
        {
          int days = (int) ((now - last_at) / 86400);
          g_autofree char *warn = g_strdup_printf (ngettext ("Here %d day ago: a return within a month (跑站). It may be refused, except for minors and people with mental or intellectual disability.",
                                                             "Here %d days ago: a return within a month (跑站). It may be refused, except for minors and people with mental or intellectual disability.",
                                                             days), days);
          gtk_box_append (GTK_BOX (box), label_new (warn, "warning"));
        }
    }

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  open = gtk_button_new_with_mnemonic (_("Open _File"));
  link = gtk_button_new_with_mnemonic (linked ? _("_Linked — Undo") : _("_Same Person"));
  if (!linked)
    gtk_widget_add_css_class (link, "suggested-action");
  g_object_set_data_full (G_OBJECT (link), "person-id", g_strdup (p->person_id), g_free);
  g_object_set_data_full (G_OBJECT (open), "person-id", g_strdup (p->person_id), g_free);
  g_signal_connect_object (link, "clicked", G_CALLBACK (on_link_clicked), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (open, "clicked", G_CALLBACK (on_open_file_clicked), self, G_CONNECT_SWAPPED);
  /* TRANSLATORS: accessible description of a “Same person” button */
  accessible = g_strdup_printf (_("Add this intake to the file of %s"), p->name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (link), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, accessible, -1);
  gtk_box_append (GTK_BOX (buttons), open);
  gtk_box_append (GTK_BOX (buttons), link);
  gtk_box_append (GTK_BOX (box), buttons);

  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  if (linked)
    gtk_widget_add_css_class (row, "jz-linked");
  g_object_set_data_full (G_OBJECT (row), "person-id", g_strdup (p->person_id), g_free);
  g_object_set_data_full (G_OBJECT (row), "reasons", g_string_free (reasons, FALSE), g_free);
  g_object_set_data (G_OBJECT (row), "link-button", link);
  g_string_free (facts, TRUE);
  return row;
}

static void
update_dup_summary (JzIntakeView *self)
{
  guint n = self->candidates ? self->candidates->len : 0;
  g_autofree char *label = NULL;

  if (n == 0)
    label = g_strdup (_("Possible Matches"));
  else
    label = g_strdup_printf (ngettext ("%u Possible Match", "%u Possible Matches", n), n);
  adw_button_content_set_label (self->dup_button_content, label);
  gtk_widget_set_visible (self->dup_empty, n == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->dup_list), n > 0);
  if (n > 0)
    gtk_widget_add_css_class (self->dup_button, "warning");
  else
    gtk_widget_remove_css_class (self->dup_button, "warning");

  /* In the form too, where the worker's eyes are, unless one is chosen. */
  gtk_widget_set_visible (self->dup_group, n > 0 && self->linked == NULL);
  if (n > 0)
    {
      JzDupCandidate *best = self->candidates->pdata[0];
      g_autofree char *title = NULL;

      if (n == 1)
        /* TRANSLATORS: %s is a name, %d the match score */
        title = g_strdup_printf (_("May already be on file: %s (match %d)"), best->person.name, best->score);
      else
        title = g_strdup_printf (ngettext ("May already be on file: %s (match %d) and %u other",
                                           "May already be on file: %s (match %d) and %u others", n - 1),
                                 best->person.name, best->score, n - 1);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->dup_row), title);
    }
}

static void
rebuild_dup_list (JzIntakeView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->dup_list))) != NULL)
    gtk_list_box_remove (self->dup_list, child);
  for (guint i = 0; self->candidates != NULL && i < self->candidates->len; i++)
    gtk_list_box_append (self->dup_list, candidate_row (self, self->candidates->pdata[i]));
  update_dup_summary (self);
}

void
jz_intake_view_refresh_duplicates (JzIntakeView *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *id = NULL;
  g_autofree char *dialect = NULL;
  g_autofree char *marks = NULL;
  JzDupPerson dup;
  GPtrArray *found;

  g_return_if_fail (JZ_IS_INTAKE_VIEW (self));

  g_clear_handle_id (&self->dup_timeout, g_source_remove);
  if (self->store == NULL)
    return;
  fill_dup_person (self, &dup, &name, &id, &dialect, &marks);
  if (dup.name == NULL && dup.id_number == NULL && dup.region_code == NULL && !jz_birth_is_known (&dup.birth))
    found = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_dup_candidate_free);
  else
    found = jz_search_duplicates (self->store, &dup, DUP_LIMIT, &error);
  if (found == NULL)
    {
      g_warning ("The duplicate check failed: %s", error->message);
      return;
    }
  g_clear_pointer (&self->candidates, g_ptr_array_unref);
  self->candidates = found;
  rebuild_dup_list (self);
}

static void
dup_timeout_cb (gpointer data)
{
  JzIntakeView *self = data;

  self->dup_timeout = 0;
  jz_intake_view_refresh_duplicates (self);
}

static void
schedule_duplicates (JzIntakeView *self)
{
  g_clear_handle_id (&self->dup_timeout, g_source_remove);
  self->dup_timeout = g_timeout_add_once (DUP_DELAY_MS, dup_timeout_cb, self);
}

static void
on_review_duplicates (JzIntakeView *self)
{
  adw_flap_set_reveal_flap (self->flap, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->dup_list));
}

/* Linking to a person on file */

static void
update_linked_row (JzIntakeView *self)
{
  gtk_widget_set_visible (self->linked_row, self->linked != NULL);
  if (self->linked != NULL)
    {
      g_autofree char *name = jz_person_display_name (self->linked);
      g_autofree char *title = g_strdup_printf (_("Adding to the file of %s"), name);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->linked_row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->linked_row),
                                   _("The new episode joins the person already on file; empty fields are filled from it."));
    }
}

/* Fills the empty fields from the person on file, so the worker sees
 * what will be saved. */
static void
fill_from_person (JzIntakeView   *self,
                  const JzPerson *p)
{
  JzSex sex;

  if (p->name != NULL && is_blank (self->name_row))
    set_text (self, self->name_row, p->name);
  if (p->name == NULL && is_blank (self->name_row))
    gtk_switch_set_active (GTK_SWITCH (self->name_unknown_switch), TRUE);
  if (typed_sex (self) == JZ_SEX_UNKNOWN && jz_sex_from_string (p->sex, &sex))
    set_sex (self, sex);
  if (p->id_number != NULL && is_blank (self->id_row))
    set_text (self, self->id_row, p->id_number);
  if (is_blank (self->birth_row) && is_blank (self->age_row))
    {
      if (g_strcmp0 (p->birth_precision, "exact") == 0)
        set_text (self, self->birth_row, p->birth_date);
      else if (g_strcmp0 (p->birth_precision, "year") == 0 && p->birth_date != NULL)
        {
          g_autofree char *year = g_strndup (p->birth_date, 4);
          set_text (self, self->birth_row, year);
        }
      else if (g_strcmp0 (p->birth_precision, "estimated") == 0)
        {
          int age = jz_casework_person_age (p);
          g_autofree char *text = age >= 0 ? g_strdup_printf ("%d", age) : NULL;

          set_text (self, self->age_row, text);
        }
    }
  if (p->hukou_region != NULL && jz_region_row_get_code (JZ_REGION_ROW (self->region_row)) == NULL)
    {
      self->filling = TRUE;
      jz_region_row_set_code (JZ_REGION_ROW (self->region_row), p->hukou_region);
      self->filling = FALSE;
    }
  if (p->residence != NULL && is_blank (self->residence_row))
    set_text (self, self->residence_row, p->residence);
  if (p->dialect != NULL && is_blank (self->dialect_row))
    set_text (self, self->dialect_row, p->dialect);
  if (p->marks != NULL && is_blank (self->marks_row))
    set_text (self, self->marks_row, p->marks);
}

gboolean
jz_intake_view_link_person (JzIntakeView *self,
                            const char   *person_id)
{
  g_autoptr(JzPerson) person = NULL;

  g_return_val_if_fail (JZ_IS_INTAKE_VIEW (self), FALSE);

  if (person_id != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (self->store == NULL)
        return FALSE;
      person = jz_store_get_person (self->store, person_id, &error);
      if (person == NULL)
        return FALSE;
    }
  g_clear_pointer (&self->linked, jz_person_free);
  self->linked = g_steal_pointer (&person);
  if (self->linked != NULL)
    fill_from_person (self, self->linked);
  update_linked_row (self);
  rebuild_dup_list (self);
  validate (self);
  if (self->linked != NULL && adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, FALSE);
  return TRUE;
}

const char *
jz_intake_view_get_linked_person_id (JzIntakeView *self)
{
  g_return_val_if_fail (JZ_IS_INTAKE_VIEW (self), NULL);
  return self->linked ? self->linked->rec.id : NULL;
}

/* Signals from the form */

static void
on_identity_changed (JzIntakeView *self)
{
  if (self->filling)
    return;
  validate (self);
  update_age_flags (self);
  schedule_duplicates (self);
}

static void
on_id_changed (JzIntakeView *self)
{
  if (self->filling)
    return;
  fill_from_id (self);
  on_identity_changed (self);
}

static void
on_input_changed (JzIntakeView *self)
{
  if (self->filling)
    return;
  validate (self);
}

static void
on_routing_changed (JzIntakeView *self)
{
  if (!self->filling)
    self->routing_touched = TRUE;
  update_routing (self);
}

static void
on_health_toggled (JzIntakeView *self)
{
  guint health = checks_value (self->health_checks);

  /* Mental and intellectual signs are also special categories. */
  gtk_check_button_set_active (self->flag_checks->pdata[3], (health & JZ_HEALTH_MENTAL) != 0 ||
                               gtk_check_button_get_active (self->flag_checks->pdata[3]));
  gtk_check_button_set_active (self->flag_checks->pdata[4], (health & JZ_HEALTH_INTELLECTUAL) != 0 ||
                               gtk_check_button_get_active (self->flag_checks->pdata[4]));
  update_routing (self);
}

/* Belongings rows */

static void
update_no_belongings (JzIntakeView *self)
{
  gtk_widget_set_visible (self->no_belongings_row, self->belongings->len == 0);
}

static void
on_remove_belonging (JzIntakeView *self,
                     GtkButton    *button)
{
  GtkWidget *row = g_object_get_data (G_OBJECT (button), "row");

  for (guint i = 0; i < self->belongings->len; i++)
    if (g_array_index (self->belongings, BelongingRow, i).row == row)
      {
        adw_preferences_group_remove (self->belongings_group, row);
        g_array_remove_index (self->belongings, i);
        break;
      }
  update_no_belongings (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->belongings_group));
}

static void
on_belonging_item_activate (JzIntakeView *self)
{
  /* Enter in the last item adds the next one: a list is typed quickly. */
  gtk_widget_activate_action (GTK_WIDGET (self), "intake.add-belonging", NULL);
}

guint
jz_intake_view_add_belonging (JzIntakeView *self)
{
  BelongingRow b = { 0, };
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");
  const char *kinds[] = { _("Held by the station"), _("Daily necessity"), NULL };
  guint n;

  g_return_val_if_fail (JZ_IS_INTAKE_VIEW (self), 0);

  n = self->belongings->len + 1;
  b.row = g_object_new (ADW_TYPE_PREFERENCES_ROW, "activatable", FALSE, NULL);
  b.item = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (b.item), _("Item, e.g. mobile phone"));
  gtk_widget_set_hexpand (b.item, TRUE);
  b.qty = gtk_spin_button_new_with_range (1, 100000, 1);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (b.qty), TRUE);
  b.kind = gtk_drop_down_new_from_strings (kinds);
  b.storage = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (b.storage), _("Stored at"));
  gtk_editable_set_width_chars (GTK_EDITABLE (b.storage), 8);
  gtk_widget_set_tooltip_text (remove, _("Remove this item"));
  gtk_widget_add_css_class (remove, "flat");
  g_object_set_data (G_OBJECT (remove), "row", b.row);

  {
    /* TRANSLATORS: accessible labels of the belongings row fields; %u is the row number */
    g_autofree char *item_label = g_strdup_printf (_("Item %u"), n);
    g_autofree char *qty_label = g_strdup_printf (_("Quantity of item %u"), n);
    g_autofree char *kind_label = g_strdup_printf (_("Held or daily necessity, item %u"), n);
    g_autofree char *storage_label = g_strdup_printf (_("Storage place of item %u"), n);
    g_autofree char *remove_label = g_strdup_printf (_("Remove item %u"), n);

    gtk_accessible_update_property (GTK_ACCESSIBLE (b.item), GTK_ACCESSIBLE_PROPERTY_LABEL, item_label, -1);
    gtk_accessible_update_property (GTK_ACCESSIBLE (b.qty), GTK_ACCESSIBLE_PROPERTY_LABEL, qty_label, -1);
    gtk_accessible_update_property (GTK_ACCESSIBLE (b.kind), GTK_ACCESSIBLE_PROPERTY_LABEL, kind_label, -1);
    gtk_accessible_update_property (GTK_ACCESSIBLE (b.storage), GTK_ACCESSIBLE_PROPERTY_LABEL, storage_label, -1);
    gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
  }

  gtk_box_append (GTK_BOX (box), b.item);
  gtk_box_append (GTK_BOX (box), b.qty);
  gtk_box_append (GTK_BOX (box), b.kind);
  gtk_box_append (GTK_BOX (box), b.storage);
  gtk_box_append (GTK_BOX (box), remove);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (b.row), box);
  g_signal_connect_object (remove, "clicked", G_CALLBACK (on_remove_belonging), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (b.item, "activate", G_CALLBACK (on_belonging_item_activate), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (b.item, "changed", G_CALLBACK (on_input_changed), self, G_CONNECT_SWAPPED);

  adw_preferences_group_add (self->belongings_group, b.row);
  g_array_append_val (self->belongings, b);
  update_no_belongings (self);
  gtk_widget_grab_focus (b.item);
  return self->belongings->len - 1;
}

GtkWidget *
jz_intake_view_get_belonging_field (JzIntakeView *self,
                                    guint         index,
                                    const char   *field)
{
  BelongingRow *b;

  g_return_val_if_fail (JZ_IS_INTAKE_VIEW (self), NULL);
  if (index >= self->belongings->len)
    return NULL;
  b = &g_array_index (self->belongings, BelongingRow, index);
  if (g_strcmp0 (field, "item") == 0)
    return b->item;
  if (g_strcmp0 (field, "qty") == 0)
    return b->qty;
  if (g_strcmp0 (field, "kind") == 0)
    return b->kind;
  if (g_strcmp0 (field, "storage") == 0)
    return b->storage;
  return NULL;
}

GtkWidget *
jz_intake_view_get_check (JzIntakeView *self,
                          const char   *group,
                          guint         bit)
{
  GPtrArray *checks = NULL;

  g_return_val_if_fail (JZ_IS_INTAKE_VIEW (self), NULL);
  if (g_strcmp0 (group, "threatening") == 0)
    return self->threatening_check;
  if (g_strcmp0 (group, "drugs") == 0)
    return self->drugs_check;
  if (g_strcmp0 (group, "health") == 0)
    checks = self->health_checks;
  else if (g_strcmp0 (group, "flags") == 0)
    checks = self->flag_checks;
  else if (g_strcmp0 (group, "assistance") == 0)
    checks = self->assistance_checks;
  return checks != NULL && bit < checks->len ? checks->pdata[bit] : NULL;
}

/* Photo */

void
jz_intake_view_set_photo_file (JzIntakeView *self,
                               GFile        *file)
{
  g_return_if_fail (JZ_IS_INTAKE_VIEW (self));

  g_set_object (&self->photo, file);
  gtk_picture_set_file (GTK_PICTURE (self->photo_picture), file);
  gtk_widget_set_visible (self->photo_picture, file != NULL);
  gtk_widget_set_visible (self->photo_remove_button, file != NULL);
  if (file != NULL)
    {
      g_autofree char *name = g_file_get_basename (file);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->photo_row), name);
    }
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->photo_row), _("No photo yet"));
}

static void
on_photo_chosen (GtkNativeDialog *dialog,
                 int              response,
                 JzIntakeView    *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      jz_intake_view_set_photo_file (self, file);
    }
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
choose_photo_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  JzIntakeView *self = JZ_INTAKE_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Choose a Photo of the Person"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Photos"));
  gtk_file_filter_add_mime_type (filter, "image/jpeg");
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_mime_type (filter, "image/webp");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_photo_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
remove_photo_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  jz_intake_view_set_photo_file (JZ_INTAKE_VIEW (widget), NULL);
}

/* Reset */

static void
reset_form (JzIntakeView *self)
{
  GtkWidget *entries[] = {
    self->name_row, self->id_row, self->birth_row, self->age_row, self->residence_row, self->dialect_row,
    self->height_row, self->marks_row, self->clothing_row, self->description_row, self->handover_row,
    self->from_station_row, self->reason_row, self->refusal_row,
  };
  g_autofree char *now = jz_casework_format_time (jz_casework_now ());

  self->filling = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    gtk_editable_set_text (GTK_EDITABLE (entries[i]), "");
  jz_region_row_set_code (JZ_REGION_ROW (self->region_row), NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->admitted_row), now);
  gtk_switch_set_active (GTK_SWITCH (self->name_unknown_switch), FALSE);
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->name_quality_row), 0);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->sex_unknown_button), TRUE);
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->build_row), 0);
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->source_row), 0);
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->category_row), 0);
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->decision_row), DECIDE_ADMIT);
  set_checks_value (self->health_checks, 0);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->threatening_check), FALSE);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->drugs_check), FALSE);
  set_checks_value (self->flag_checks, 0);
  set_checks_value (self->assistance_checks, JZ_ASSIST_LIVING);
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->routing_row), ROUTE_ADMIT);
  self->filling = FALSE;

  while (self->belongings->len > 0)
    {
      adw_preferences_group_remove (self->belongings_group, g_array_index (self->belongings, BelongingRow, 0).row);
      g_array_remove_index (self->belongings, 0);
    }
  update_no_belongings (self);
  jz_intake_view_set_photo_file (self, NULL);
  g_clear_pointer (&self->linked, jz_person_free);
  g_clear_pointer (&self->candidates, g_ptr_array_unref);
  self->routing_touched = FALSE;
  self->tried = FALSE;
  update_linked_row (self);
  rebuild_dup_list (self);
  show_error (self, NULL);
  validate (self);
  update_routing (self);
}

static gboolean
form_is_empty (JzIntakeView *self)
{
  return is_blank (self->name_row) && is_blank (self->id_row) && is_blank (self->birth_row) &&
         is_blank (self->age_row) && self->belongings->len == 0 && self->photo == NULL && self->linked == NULL;
}

static void
on_clear_response (AdwMessageDialog *dialog,
                   const char       *response,
                   JzIntakeView     *self)
{
  if (g_strcmp0 (response, "discard") == 0)
    {
      reset_form (self);
      gtk_widget_set_visible (self->saved_group, FALSE);
      gtk_widget_grab_focus (self->name_row);
    }
}

static void
clear_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  JzIntakeView *self = JZ_INTAKE_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  if (form_is_empty (self))
    {
      reset_form (self);
      return;
    }
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Discard This Intake?"),
                                   _("What was typed for this person is not saved and will be lost."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "discard", _("_Discard"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_clear_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Saving */

static char *
take (char **field,
      char  *value)
{
  g_free (*field);
  *field = value;
  return value;
}

/* Sets @field from the form only when the record has nothing there yet
 * (a linked person keeps what is on file). */
static void
fill_blank (char **field,
            char  *value)
{
  if (*field == NULL)
    *field = value;
  else
    g_free (value);
}

static JzPerson *
collect_person (JzIntakeView *self)
{
  JzPerson *p = self->linked ? jz_record_copy (&jz_entity_person, self->linked) : jz_person_new ();
  gboolean unknown = gtk_switch_get_active (GTK_SWITCH (self->name_unknown_switch));
  g_autofree char *name = unknown ? NULL : text_of (self->name_row);
  g_autofree char *id = text_of (self->id_row);
  g_autofree char *height = text_of (self->height_row);
  guint build = adw_combo_row_get_selected (ADW_COMBO_ROW (self->build_row));
  const char *code = jz_region_row_get_code (JZ_REGION_ROW (self->region_row));
  g_autofree char *normalized = id ? jz_idcard_normalize (id) : NULL;
  gboolean id_valid = normalized != NULL;
  JzBirth birth;
  JzSex sex = typed_sex (self);
  int h;

  /* Name: a new name on file becomes an alias of the person linked. */
  if (p->name == NULL && name != NULL)
    {
      take (&p->name, g_strdup (name));
      take (&p->name_quality, g_strdup (name_qualities[MIN (adw_combo_row_get_selected (ADW_COMBO_ROW (self->name_quality_row)),
                                                            G_N_ELEMENTS (name_qualities) - 1)]));
    }
  else if (p->name != NULL && name != NULL && g_strcmp0 (p->name, name) != 0)
    {
      json_object *arr = p->aliases ? json_tokener_parse (p->aliases) : NULL;
      gboolean present = FALSE;

      if (arr == NULL || !json_object_is_type (arr, json_type_array))
        {
          json_object_put (arr);
          arr = json_object_new_array ();
        }
      for (size_t i = 0; i < json_object_array_length (arr); i++)
        present = present || g_strcmp0 (json_object_get_string (json_object_array_get_idx (arr, i)), name) == 0;
      if (!present)
        json_object_array_add (arr, json_object_new_string (name));
      take (&p->aliases, g_strdup (json_object_to_json_string_ext (arr, JSON_C_TO_STRING_PLAIN)));
      json_object_put (arr);
    }
  if (p->name == NULL)
    take (&p->name_quality, g_strdup ("unknown"));

  if ((p->sex == NULL || g_str_equal (p->sex, "unknown")) && sex != JZ_SEX_UNKNOWN)
    take (&p->sex, g_strdup (jz_sex_to_string (sex)));

  typed_birth (self, &birth);
  /* A better birth date replaces a worse one: exact > year > estimate. */
  if (jz_birth_is_known (&birth))
    {
      JzDatePrecision stored = JZ_DATE_PRECISION_UNKNOWN;
      gboolean better;

      jz_date_precision_from_string (p->birth_precision, &stored);
      better = stored == JZ_DATE_PRECISION_UNKNOWN ||
               (stored == JZ_DATE_PRECISION_ESTIMATED && birth.precision != JZ_DATE_PRECISION_ESTIMATED) ||
               (stored == JZ_DATE_PRECISION_YEAR && birth.precision == JZ_DATE_PRECISION_EXACT) ||
               (self->linked == NULL);
      if (better)
        {
          take (&p->birth_precision, g_strdup (jz_date_precision_to_string (birth.precision)));
          if (birth.precision == JZ_DATE_PRECISION_ESTIMATED)
            {
              char on[16];

              g_clear_pointer (&p->birth_date, g_free);
              p->estimated_age = birth.estimated_age;
              g_date_strftime (on, sizeof on, "%Y-%m-%d", &birth.estimated_on);
              take (&p->estimated_on, g_strdup (on));
            }
          else
            {
              char date[16];

              g_date_strftime (date, sizeof date, "%Y-%m-%d", &birth.date);
              take (&p->birth_date, g_strdup (date));
              p->estimated_age = -1;
              g_clear_pointer (&p->estimated_on, g_free);
            }
        }
    }
  else if (self->linked == NULL)
    p->estimated_age = -1;

  if (id_valid)
    fill_blank (&p->id_number, g_strdup (id));
  if (code != NULL)
    fill_blank (&p->hukou_region, g_strdup (code));
  fill_blank (&p->residence, text_of (self->residence_row));
  fill_blank (&p->dialect, text_of (self->dialect_row));
  if (p->height_cm == 0 && parse_int (height, 30, 250, &h))
    p->height_cm = h;
  if (p->build == NULL && build > 0 && build < G_N_ELEMENTS (builds))
    p->build = g_strdup (builds[build]);
  fill_blank (&p->marks, text_of (self->marks_row));
  fill_blank (&p->clothing, text_of (self->clothing_row));
  fill_blank (&p->description, text_of (self->description_row));

  /* A number on a card that checks out identifies the person; a name
   * alone is their word. */
  if (id_valid && (self->linked == NULL || g_strcmp0 (p->id_number, normalized) == 0))
    take (&p->identity_status, g_strdup ("verified"));
  else if (p->identity_status == NULL || g_str_equal (p->identity_status, "unknown"))
    take (&p->identity_status, g_strdup (p->name != NULL ? "self_reported" : "unknown"));

  p->flags |= checks_value (self->flag_checks);
  return p;
}

static JzEpisode *
collect_episode (JzIntakeView *self)
{
  JzEpisode *e = jz_episode_new ();
  guint decision = adw_combo_row_get_selected (ADW_COMBO_ROW (self->decision_row));
  guint route = adw_combo_row_get_selected (ADW_COMBO_ROW (self->routing_row));
  guint category = adw_combo_row_get_selected (ADW_COMBO_ROW (self->category_row));
  g_autofree char *admitted = text_of (self->admitted_row);
  const char *source = selected_source (self);
  guint health = checks_value (self->health_checks);

  jz_casework_parse_time (admitted, &e->admitted_at);
  e->source = g_strdup (source);
  if (g_str_equal (source, "police_escort") || g_str_equal (source, "chengguan"))
    e->handover_form_no = text_of (self->handover_row);
  if (g_str_equal (source, "transfer"))
    e->from_station = text_of (self->from_station_row);
  e->category = g_strdup (category_ids[MIN (category, G_N_ELEMENTS (category_ids) - 1)]);
  e->reason = text_of (self->reason_row);
  e->health = health;
  e->flags = checks_value (self->flag_checks);
  if (health & JZ_HEALTH_MENTAL)
    e->flags |= JZ_FLAG_MENTAL;
  if (health & JZ_HEALTH_INTELLECTUAL)
    e->flags |= JZ_FLAG_INTELLECTUAL;
  if (health & JZ_HEALTH_PHYSICAL_DISABILITY)
    e->flags |= JZ_FLAG_DISABLED;
  e->assigned_to = g_strdup (jz_store_get_actor (self->store));

  if (decision == DECIDE_REFUSE)
    {
      e->eligibility = g_strdup ("refuse");
      e->refusal_reason = text_of (self->refusal_row);
      e->status = g_strdup ("refused");
      e->in_station = FALSE;
      return e;
    }
  e->eligibility = g_strdup (decision == DECIDE_ADMIT ? "admit" : "pending");
  e->assistance = checks_value (self->assistance_checks);
  switch (route)
    {
    case ROUTE_HOSPITAL:
      e->status = g_strdup ("hospital");
      e->assistance |= JZ_ASSIST_MEDICAL;
      e->in_station = FALSE;
      break;
    case ROUTE_POLICE:
      e->status = g_strdup ("police");
      e->in_station = FALSE;
      break;
    case ROUTE_SCREENING:
      e->status = g_strdup ("screening");
      e->in_station = TRUE;
      break;
    case ROUTE_ADMIT:
    default:
      e->status = g_strdup (decision == DECIDE_ADMIT ? "admitted" : "screening");
      e->in_station = TRUE;
      break;
    }
  return e;
}

static GPtrArray *
collect_belongings (JzIntakeView *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_belonging_free);

  for (guint i = 0; i < self->belongings->len; i++)
    {
      BelongingRow *r = &g_array_index (self->belongings, BelongingRow, i);
      JzBelonging *b = jz_belonging_new ();

      b->item = text_of (r->item);
      b->qty = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (r->qty));
      b->kind = g_strdup (gtk_drop_down_get_selected (GTK_DROP_DOWN (r->kind)) == 1 ? "necessity" : "held");
      b->storage = text_of (r->storage);
      g_ptr_array_add (out, b);
    }
  return out;
}

/* The field a store error is about, from its message (the store names
 * the field, in the UI language), so the message can sit next to it. */
static GtkWidget *
field_for_error (JzIntakeView *self,
                 const char   *message,
                 GtkWidget   **message_row)
{
  const struct { const JzEntity *entity; const char *column; GtkWidget *field; GtkWidget *msg; } map[] = {
    { &jz_entity_person, "id_number", self->id_row, self->id_message },
    { &jz_entity_person, "estimated_age", self->age_row, self->age_message },
    { &jz_entity_person, "birth_date", self->birth_row, self->birth_message },
    { &jz_entity_person, "height_cm", self->height_row, self->height_message },
    { &jz_entity_episode, "from_station", self->from_station_row, self->from_station_message },
    { &jz_entity_episode, "admitted_at", self->admitted_row, self->admitted_message },
    { &jz_entity_episode, "refusal_reason", self->refusal_row, self->refusal_message },
    { &jz_entity_person, "name", self->name_row, self->name_message },
  };
  const char *belonging = jz_entity_get_display_name (&jz_entity_belonging);

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    {
      const JzField *field = jz_entity_get_field (map[i].entity, map[i].column);
      const char *label = field ? jz_field_get_display_name (field) : NULL;

      if (label != NULL && *label != '\0' && strstr (message, label) != NULL)
        {
          *message_row = map[i].msg;
          return map[i].field;
        }
    }
  /* "Belonging 2: …" names the row. */
  for (guint n = self->belongings->len; belonging != NULL && n >= 1; n--)
    {
      g_autofree char *en = g_strdup_printf ("Belonging %u", n);
      g_autofree char *local = g_strdup_printf ("%s %u", belonging, n);

      if (strstr (message, en) != NULL || strstr (message, local) != NULL)
        {
          *message_row = NULL;
          return g_array_index (self->belongings, BelongingRow, n - 1).item;
        }
    }
  *message_row = NULL;
  return NULL;
}

static void
print_saved (JzIntakeView *self)
{
  if (self->saved_episode_id == NULL || self->store == NULL)
    return;
  jz_form_data_print (GTK_WIDGET (self), self->store, self->saved_episode_id,
                      self->saved_refused ? JZ_FORM_KIND_REFUSAL : JZ_FORM_KIND_REGISTRATION);
}

static void
print_saved_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  print_saved (JZ_INTAKE_VIEW (widget));
}

static void
open_saved_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  JzIntakeView *self = JZ_INTAKE_VIEW (widget);

  if (self->saved_person_id != NULL)
    gtk_widget_activate_action (widget, "win.show-case", "s", self->saved_person_id);
}

static void
on_toast_print (AdwToast     *toast,
                JzIntakeView *self)
{
  print_saved (self);
}

static gboolean
write_intake (JzIntakeView *self,
              JzPerson     *person,
              JzEpisode    *episode,
              GPtrArray    *belongings,
              GError      **error)
{
  g_autoptr(JzAttachment) photo = NULL;
  gboolean ok;

  /* The photo file goes first: content-addressed, so a failed save leaves
   * at most an unreferenced copy, never a record without its file. */
  if (self->photo != NULL)
    {
      photo = jz_attachment_new ();
      if (!jz_casework_store_blob (self->store, self->photo, photo, error))
        return FALSE;
      photo->owner_entity = g_strdup ("person");
      photo->kind = g_strdup ("photo");
      photo->taken_at = episode->admitted_at;
    }

  if (!jz_store_write_begin (self->store, error))
    return FALSE;
  ok = jz_store_register_intake (self->store, person, episode, (JzBelonging **) belongings->pdata,
                                 belongings->len, error);
  if (ok && photo != NULL)
    {
      photo->owner_id = g_strdup (person->rec.id);
      ok = jz_store_insert_attachment (self->store, photo, error);
    }
  return jz_store_write_end (self->store, ok, ok ? error : NULL) && ok;
}

static void
do_save (JzIntakeView *self)
{
  g_autoptr(JzPerson) person = collect_person (self);
  g_autoptr(JzEpisode) episode = collect_episode (self);
  g_autoptr(GPtrArray) belongings = collect_belongings (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *saved = NULL;
  AdwToast *toast;
  GtkRoot *root;

  if (!write_intake (self, person, episode, belongings, &error))
    {
      GtkWidget *message_row = NULL;

      /* The linked file changed since it was read (a sync, another
       * worker): read it again so that saving again works. */
      if (g_error_matches (error, JZ_STORE_ERROR, JZ_STORE_ERROR_CONFLICT) && self->linked != NULL)
        {
          g_autofree char *id = g_strdup (self->linked->rec.id);
          g_autofree char *who = jz_person_display_name (self->linked);
          g_autofree char *msg = g_strdup_printf (_("Not saved: the file of %s was changed meanwhile, perhaps by a sync. It has been read again; check the form and save again."),
                                                  who);

          jz_intake_view_link_person (self, id);
          show_error (self, msg);
          return;
        }
      GtkWidget *field = field_for_error (self, error->message, &message_row);

      /* Nothing was written; say so where the problem is. */
      if (field != NULL)
        {
          if (message_row != NULL)
            jz_casework_set_message (field, message_row, JZ_MESSAGE_ERROR, error->message);
          else
            gtk_widget_add_css_class (field, "error");
          gtk_widget_grab_focus (field);
        }
      show_error (self, error->message);
      return;
    }

  g_free (self->saved_person_id);
  self->saved_person_id = g_strdup (person->rec.id);
  g_free (self->saved_episode_id);
  self->saved_episode_id = g_strdup (episode->rec.id);
  self->saved_refused = g_str_equal (episode->eligibility, "refuse");
  name = jz_person_display_name (person);
  g_free (self->saved_name);
  self->saved_name = g_strdup (name);

  /* TRANSLATORS: after saving an intake: name and episode number */
  saved = g_strdup_printf (_("Saved: %s, %s"), name, episode->number);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->saved_row), saved);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->saved_row),
                               self->saved_refused ? _("Refused: print the refusal notice for the person")
                                                   : _("Print the registration form for signatures"));
  gtk_button_set_label (GTK_BUTTON (self->print_saved_button),
                        self->saved_refused ? _("_Print Refusal Notice") : _("_Print Registration Form"));
  gtk_widget_set_visible (self->saved_group, TRUE);

  reset_form (self);

  toast = adw_toast_new (saved);
  adw_toast_set_button_label (toast, self->saved_refused ? _("Print _Refusal Notice")
                                                         : _("Print _Registration Form"));
  adw_toast_set_timeout (toast, 10);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_toast_print), self, 0);

  /* The case opens at once and the toast goes with it, to the case
   * page; without a window (tests) it stays here. */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-case", "s", self->saved_person_id);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (JZ_IS_WINDOW (root) && g_strcmp0 (jz_window_get_view (JZ_WINDOW (root)), "case") == 0 &&
      jz_case_page_get_toast_overlay (jz_window_get_case_page (JZ_WINDOW (root))) != NULL)
    adw_toast_overlay_add_toast (jz_case_page_get_toast_overlay (jz_window_get_case_page (JZ_WINDOW (root))), toast);
  else
    adw_toast_overlay_add_toast (self->toasts, toast);
}

static void
on_confirm_new_response (AdwMessageDialog *dialog,
                         const char       *response,
                         JzIntakeView     *self)
{
  if (g_strcmp0 (response, "link") == 0 && self->candidates != NULL && self->candidates->len > 0)
    {
      jz_intake_view_link_person (self, ((JzDupCandidate *) self->candidates->pdata[0])->person.person_id);
      do_save (self);
    }
  else if (g_strcmp0 (response, "new") == 0)
    do_save (self);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  JzIntakeView *self = JZ_INTAKE_VIEW (widget);
  GtkWidget *first_bad = NULL;
  const GtkWidget *fields[8];
  guint n_fields = 0;

  if (self->store == NULL)
    return;
  self->tried = TRUE;
  show_error (self, NULL);
  if (!validate (self))
    {
      fields[n_fields++] = self->name_row;
      fields[n_fields++] = self->id_row;
      fields[n_fields++] = self->birth_row;
      fields[n_fields++] = self->age_row;
      fields[n_fields++] = self->height_row;
      fields[n_fields++] = self->from_station_row;
      fields[n_fields++] = self->admitted_row;
      fields[n_fields++] = self->refusal_row;
      for (guint i = 0; i < n_fields && first_bad == NULL; i++)
        if (gtk_widget_has_css_class ((GtkWidget *) fields[i], "error"))
          first_bad = (GtkWidget *) fields[i];
      for (guint i = 0; first_bad == NULL && i < self->belongings->len; i++)
        if (gtk_widget_has_css_class (g_array_index (self->belongings, BelongingRow, i).item, "error"))
          first_bad = g_array_index (self->belongings, BelongingRow, i).item;
      show_error (self, _("Not saved: some fields need attention; see the messages under them."));
      if (first_bad != NULL)
        gtk_widget_grab_focus (first_bad);
      return;
    }

  /* An open episode elsewhere in the file: this is not a new intake. */
  if (self->linked != NULL)
    {
      g_autoptr(GPtrArray) episodes = jz_store_list_episodes_of_person (self->store, self->linked->rec.id, NULL);

      for (guint i = 0; episodes != NULL && i < episodes->len; i++)
        {
          JzEpisode *e = episodes->pdata[i];
          JzEpisodeStatus status;

          if (jz_episode_status_from_string (e->status, &status) && !jz_episode_status_is_closed (status))
            {
              g_autofree char *msg = g_strdup_printf (_("Not saved: %s still has an open episode (%s, %s). Continue it in their file instead of a new intake."),
                                                      self->linked->name ? self->linked->name : "", e->number,
                                                      jz_casework_status_label (e->status));
              show_error (self, msg);
              return;
            }
        }
    }

  /* A strong match not chosen: ask before making a second file. */
  if (self->linked == NULL)
    {
      jz_intake_view_refresh_duplicates (self);
      if (self->candidates != NULL && self->candidates->len > 0 &&
          ((JzDupCandidate *) self->candidates->pdata[0])->score >= DUP_ASK_SCORE)
        {
          JzDupCandidate *best = self->candidates->pdata[0];
          GtkRoot *root = gtk_widget_get_root (widget);
          g_autofree char *heading = g_strdup_printf (_("Is This %s?"), best->person.name);
          GString *body = g_string_new (NULL);
          GtkWidget *dialog;

          g_string_append_printf (body, _("A person on file matches this intake closely (match %d): "), best->score);
          for (guint i = 0; best->reasons != NULL && i < best->reasons->len; i++)
            {
              g_string_append_printf (body, "%s%s", i ? _(", ") : "", (char *) best->reasons->pdata[i]);
            }
          g_string_append (body, _(". Add this intake to their file, or register a new person?"));
          dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body->str);
          g_string_free (body, TRUE);
          adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                            "cancel", _("_Cancel"),
                                            "new", _("_New Person"),
                                            "link", _("_Same Person"),
                                            NULL);
          adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "link", ADW_RESPONSE_SUGGESTED);
          adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "link");
          adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
          g_signal_connect_object (dialog, "response", G_CALLBACK (on_confirm_new_response), self, 0);
          gtk_window_present (GTK_WINDOW (dialog));
          return;
        }
    }
  do_save (self);
}

static void
add_belonging_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  jz_intake_view_add_belonging (JZ_INTAKE_VIEW (widget));
}

static void
unlink_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  jz_intake_view_link_person (JZ_INTAKE_VIEW (widget), NULL);
}

/* Building the parts made in code */

static GtkWidget *
check_row (const char *title,
           const char *subtitle,
           GtkWidget **check_out)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_RELATION_LABELLED_BY, row, NULL, -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  *check_out = check;
  return row;
}

static void
build_parts (JzIntakeView *self)
{
  const char *sources[G_N_ELEMENTS (source_ids)];
  const char *categories[G_N_ELEMENTS (category_ids)];
  const char *routes[] = {
    _("Admit to the station"),
    _("Send to hospital first (先救治后救助)"),
    _("Hand to the police"),
    _("Keep screening for now"),
  };
  const char *decisions[] = {
    _("Give relief (给予救助)"),
    _("Refuse (不予救助)"),
    _("Not decided yet"),
  };
  const char * const *labels;
  guint n;
  GtkWidget *check;
  GtkWidget *before = self->routing_row;
  g_autoptr(GtkStringList) source_model = NULL;
  g_autoptr(GtkStringList) category_model = NULL;
  g_autoptr(GtkStringList) route_model = NULL;
  g_autoptr(GtkStringList) decision_model = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (source_ids); i++)
    sources[i] = jz_casework_source_label (source_ids[i]);
  for (guint i = 0; i < G_N_ELEMENTS (category_ids); i++)
    categories[i] = jz_casework_category_label (category_ids[i]);
  source_model = string_list (sources, G_N_ELEMENTS (sources));
  category_model = string_list (categories, G_N_ELEMENTS (categories));
  route_model = string_list (routes, G_N_ELEMENTS (routes));
  decision_model = string_list (decisions, G_N_ELEMENTS (decisions));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->source_row), G_LIST_MODEL (source_model));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->category_row), G_LIST_MODEL (category_model));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->routing_row), G_LIST_MODEL (route_model));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->decision_row), G_LIST_MODEL (decision_model));

  /* Health: one row a sign, above the next step they decide. */
  labels = jz_casework_health_labels (&n);
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *row = check_row (_(labels[i]), NULL, &check);

      g_ptr_array_add (self->health_checks, check);
      g_ptr_array_add (self->health_rows, row);
      g_signal_connect_object (check, "toggled", G_CALLBACK (on_health_toggled), self, G_CONNECT_SWAPPED);
      adw_preferences_group_add (self->health_group, row);
    }
  {
    GtkWidget *row = check_row (_("Threatening or violent"), NULL, &self->threatening_check);

    g_signal_connect_object (self->threatening_check, "toggled", G_CALLBACK (on_health_toggled), self, G_CONNECT_SWAPPED);
    adw_preferences_group_add (self->health_group, row);
    row = check_row (_("Suspected drug use"), NULL, &self->drugs_check);
    g_signal_connect_object (self->drugs_check, "toggled", G_CALLBACK (on_health_toggled), self, G_CONNECT_SWAPPED);
    adw_preferences_group_add (self->health_group, row);
  }
  /* The next step, its message and the categories come after the signs. */
  g_object_ref (before);
  adw_preferences_group_remove (self->health_group, before);
  adw_preferences_group_add (self->health_group, before);
  g_object_unref (before);
  g_object_ref (self->routing_message);
  adw_preferences_group_remove (self->health_group, self->routing_message);
  adw_preferences_group_add (self->health_group, self->routing_message);
  g_object_unref (self->routing_message);
  g_object_ref (self->flags_row);
  adw_preferences_group_remove (self->health_group, self->flags_row);
  adw_preferences_group_add (self->health_group, self->flags_row);
  g_object_unref (self->flags_row);

  labels = jz_casework_flag_labels (&n);
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *row = check_row (_(labels[i]), NULL, &check);

      g_ptr_array_add (self->flag_checks, check);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (self->flags_row), row);
    }
  labels = jz_casework_assistance_labels (&n);
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *row = check_row (_(labels[i]), NULL, &check);

      g_ptr_array_add (self->assistance_checks, check);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (self->assistance_row), row);
    }
}

static void
update_flap (JzIntakeView *self)
{
  /* Side by side when there is room: the panel is part of the form. */
  if (!adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, TRUE);
}

/* GObject */

static void
jz_intake_view_dispose (GObject *object)
{
  JzIntakeView *self = JZ_INTAKE_VIEW (object);

  g_clear_handle_id (&self->dup_timeout, g_source_remove);
  g_clear_object (&self->store);
  g_clear_object (&self->photo);
  g_clear_pointer (&self->linked, jz_person_free);
  g_clear_pointer (&self->candidates, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), JZ_TYPE_INTAKE_VIEW);
  G_OBJECT_CLASS (jz_intake_view_parent_class)->dispose (object);
}

static void
jz_intake_view_finalize (GObject *object)
{
  JzIntakeView *self = JZ_INTAKE_VIEW (object);

  g_ptr_array_unref (self->health_checks);
  g_ptr_array_unref (self->health_rows);
  g_ptr_array_unref (self->flag_checks);
  g_ptr_array_unref (self->assistance_checks);
  g_array_unref (self->belongings);
  g_free (self->saved_person_id);
  g_free (self->saved_episode_id);
  g_free (self->saved_name);
  G_OBJECT_CLASS (jz_intake_view_parent_class)->finalize (object);
}

static void
jz_intake_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  JzIntakeView *self = JZ_INTAKE_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_intake_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  JzIntakeView *self = JZ_INTAKE_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      jz_intake_view_set_store (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_intake_view_class_init (JzIntakeViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jz_intake_view_dispose;
  object_class->finalize = jz_intake_view_finalize;
  object_class->get_property = jz_intake_view_get_property;
  object_class->set_property = jz_intake_view_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, JZ_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  jz_gui_init ();
  g_type_ensure (JZ_TYPE_REGION_ROW);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiuzhu/Station/ui/jz-intake-view.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, JzIntakeView, name)
  BIND (toasts);
  BIND (flap);
  BIND (form_scroller);
  BIND (saved_group);
  BIND (saved_row);
  BIND (print_saved_button);
  BIND (error_group);
  BIND (error_row);
  BIND (linked_row);
  BIND (name_row);
  BIND (name_message);
  BIND (name_unknown_switch);
  BIND (name_quality_row);
  BIND (sex_row);
  BIND (male_button);
  BIND (female_button);
  BIND (sex_unknown_button);
  BIND (id_row);
  BIND (id_message);
  BIND (birth_row);
  BIND (birth_message);
  BIND (age_row);
  BIND (age_message);
  BIND (region_row);
  BIND (residence_row);
  BIND (dialect_row);
  BIND (dup_group);
  BIND (dup_row);
  BIND (photo_row);
  BIND (photo_picture);
  BIND (photo_remove_button);
  BIND (height_row);
  BIND (height_message);
  BIND (build_row);
  BIND (marks_row);
  BIND (clothing_row);
  BIND (description_row);
  BIND (source_row);
  BIND (handover_row);
  BIND (from_station_row);
  BIND (from_station_message);
  BIND (admitted_row);
  BIND (admitted_message);
  BIND (category_row);
  BIND (reason_row);
  BIND (health_group);
  BIND (routing_row);
  BIND (routing_message);
  BIND (flags_row);
  BIND (belongings_group);
  BIND (no_belongings_row);
  BIND (decision_row);
  BIND (refusal_row);
  BIND (refusal_message);
  BIND (assistance_row);
  BIND (dup_list);
  BIND (dup_empty);
  BIND (dup_button);
  BIND (dup_button_content);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, on_identity_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_id_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_input_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_routing_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_review_duplicates);

  gtk_widget_class_install_action (widget_class, "intake.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "intake.clear", NULL, clear_action);
  gtk_widget_class_install_action (widget_class, "intake.add-belonging", NULL, add_belonging_action);
  gtk_widget_class_install_action (widget_class, "intake.choose-photo", NULL, choose_photo_action);
  gtk_widget_class_install_action (widget_class, "intake.remove-photo", NULL, remove_photo_action);
  gtk_widget_class_install_action (widget_class, "intake.unlink", NULL, unlink_action);
  gtk_widget_class_install_action (widget_class, "intake.print-saved", NULL, print_saved_action);
  gtk_widget_class_install_action (widget_class, "intake.open-saved", NULL, open_saved_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "intake.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "intake.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "intake.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_b, GDK_CONTROL_MASK, "intake.add-belonging", NULL);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
jz_intake_view_init (JzIntakeView *self)
{
  self->health_checks = g_ptr_array_new ();
  self->health_rows = g_ptr_array_new ();
  self->flag_checks = g_ptr_array_new ();
  self->assistance_checks = g_ptr_array_new ();
  self->belongings = g_array_new (FALSE, TRUE, sizeof (BelongingRow));

  gtk_widget_init_template (GTK_WIDGET (self));
  build_parts (self);
  g_object_bind_property (self->dup_button, "active", self->flap, "reveal-flap",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->flap, "notify::folded", G_CALLBACK (update_flap), self, G_CONNECT_SWAPPED);
  reset_form (self);
  update_flap (self);
}

GtkWidget *
jz_intake_view_new (void)
{
  return g_object_new (JZ_TYPE_INTAKE_VIEW, NULL);
}

JzStore *
jz_intake_view_get_store (JzIntakeView *self)
{
  g_return_val_if_fail (JZ_IS_INTAKE_VIEW (self), NULL);
  return self->store;
}

void
jz_intake_view_set_store (JzIntakeView *self,
                          JzStore      *store)
{
  g_return_if_fail (JZ_IS_INTAKE_VIEW (self));
  g_return_if_fail (store == NULL || JZ_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  reset_form (self);
  gtk_widget_set_visible (self->saved_group, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

guint
jz_intake_view_get_n_duplicates (JzIntakeView *self)
{
  g_return_val_if_fail (JZ_IS_INTAKE_VIEW (self), 0);
  return self->candidates ? self->candidates->len : 0;
}

GtkWidget *
jz_intake_view_get_duplicate_row (JzIntakeView *self,
                                  guint         index)
{
  g_return_val_if_fail (JZ_IS_INTAKE_VIEW (self), NULL);
  return GTK_WIDGET (gtk_list_box_get_row_at_index (self->dup_list, (int) index));
}

const char *
jz_intake_view_get_saved_person_id (JzIntakeView *self)
{
  g_return_val_if_fail (JZ_IS_INTAKE_VIEW (self), NULL);
  return self->saved_person_id;
}

const char *
jz_intake_view_get_saved_episode_id (JzIntakeView *self)
{
  g_return_val_if_fail (JZ_IS_INTAKE_VIEW (self), NULL);
  return self->saved_episode_id;
}
