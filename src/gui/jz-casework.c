/* jz-casework.c: helpers shared by the case-work views and dialogs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-casework"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "jz-actions.h"
#include "jz-blobs.h"
#include "jz-casework.h"
#include "jz-episode-rules.h"
#include "jz-idcard.h"
#include "jz-regions.h"

static AdwToastOverlay *
find_overlay_below (GtkWidget *widget)
{
  if (ADW_IS_TOAST_OVERLAY (widget) && gtk_widget_get_mapped (widget))
    return ADW_TOAST_OVERLAY (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      AdwToastOverlay *found = find_overlay_below (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

void
jz_casework_add_toast (GtkWidget *near,
                       AdwToast  *toast)
{
  GtkWidget *overlay;

  g_return_if_fail (GTK_IS_WIDGET (near));
  g_return_if_fail (ADW_IS_TOAST (toast));

  /* The outermost overlay above @near: a window-wide one outlives a view
   * switch, which is when toasts matter most (after saving an intake). */
  overlay = NULL;
  for (GtkWidget *w = near; w != NULL; w = gtk_widget_get_parent (w))
    if (ADW_IS_TOAST_OVERLAY (w))
      overlay = w;
  if (overlay == NULL && gtk_widget_get_root (near) != NULL)
    overlay = (GtkWidget *) find_overlay_below (GTK_WIDGET (gtk_widget_get_root (near)));
  if (overlay == NULL)
    {
      g_object_unref (toast);
      return;
    }
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

void
jz_casework_set_message (GtkWidget     *field,
                         GtkWidget     *message_row,
                         JzMessageKind  kind,
                         const char    *message)
{
  static const char *icons[] = {
    [JZ_MESSAGE_NONE] = NULL,
    [JZ_MESSAGE_INFO] = "dialog-information-symbolic",
    [JZ_MESSAGE_SUCCESS] = "object-select-symbolic",
    [JZ_MESSAGE_WARNING] = "dialog-warning-symbolic",
    [JZ_MESSAGE_ERROR] = "dialog-error-symbolic",
  };
  static const char *classes[] = { "error", "warning", "success", "dim-label" };
  gboolean shown = kind != JZ_MESSAGE_NONE && message != NULL && *message != '\0';
  GtkWidget *icon;

  g_return_if_fail (message_row == NULL || ADW_IS_ACTION_ROW (message_row));

  if (field != NULL)
    {
      gtk_widget_remove_css_class (field, "error");
      gtk_widget_remove_css_class (field, "warning");
      if (shown && kind == JZ_MESSAGE_ERROR)
        gtk_widget_add_css_class (field, "error");
      else if (shown && kind == JZ_MESSAGE_WARNING)
        gtk_widget_add_css_class (field, "warning");
      gtk_accessible_update_state (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_STATE_INVALID,
                                   shown && kind == JZ_MESSAGE_ERROR ? GTK_ACCESSIBLE_INVALID_TRUE
                                                                     : GTK_ACCESSIBLE_INVALID_FALSE,
                                   -1);
    }
  if (message_row == NULL)
    return;

  gtk_widget_set_visible (message_row, shown);
  if (!shown)
    return;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (message_row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (message_row), message);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (message_row, classes[i]);
  gtk_widget_add_css_class (message_row,
                            kind == JZ_MESSAGE_ERROR ? "error" :
                            kind == JZ_MESSAGE_WARNING ? "warning" :
                            kind == JZ_MESSAGE_SUCCESS ? "success" : "dim-label");
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (message_row), FALSE);

  icon = g_object_get_data (G_OBJECT (message_row), "jz-message-icon");
  if (icon == NULL)
    {
      icon = gtk_image_new ();
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (message_row), icon);
      g_object_set_data (G_OBJECT (message_row), "jz-message-icon", icon);
    }
  gtk_image_set_from_icon_name (GTK_IMAGE (icon), icons[kind]);

  if (field != NULL)
    gtk_accessible_update_relation (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                    message_row, NULL, -1);
}

typedef struct
{
  const char *id;
  const char *label;
} Label;

static const char *
lookup (const Label *labels,
        gsize        n,
        const char  *id)
{
  if (id == NULL)
    return "";
  for (gsize i = 0; i < n; i++)
    if (g_str_equal (labels[i].id, id))
      return _(labels[i].label);
  return id;
}

#define LOOKUP(table, id) lookup (table, G_N_ELEMENTS (table), id)

static const Label sources[] = {
  { "walk_in", N_("Came in on their own") },
  { "police_escort", N_("Escorted by the police") },
  { "chengguan", N_("Brought by urban management (城管)") },
  { "patrol", N_("Found on a street patrol") },
  { "public_report", N_("Reported by the public") },
  { "hospital", N_("Sent from a hospital") },
  { "transfer", N_("Transferred from another station") },
};

static const Label categories[] = {
  { "vagrant", N_("Homeless or begging (流浪乞讨)") },
  { "temporary", N_("Temporarily stranded (临时遇困)") },
};

static const Label methods[] = {
  { "self_account", N_("Own account") },
  { "dialect", N_("Dialect or accent") },
  { "names_places", N_("Names and places mentioned") },
  { "fingerprint", N_("Fingerprint comparison") },
  { "face", N_("Face recognition") },
  { "police_report", N_("Reported to the police") },
  { "notice", N_("Tracing notice published") },
  { "dna_request", N_("DNA sample requested") },
  { "dna_result", N_("DNA result received") },
  { "police_records", N_("Police records") },
  { "media", N_("Media") },
  { "other", N_("Other") },
};

static const Label followup_methods[] = {
  { "visit", N_("Home visit") },
  { "phone", N_("Phone call") },
  { "via_local", N_("Through the local civil affairs office") },
};

static const Label risks[] = {
  { "low", NC_("risk", "Low") },
  { "medium", NC_("risk", "Medium") },
  { "high", NC_("risk", "High") },
};

static const Label identities[] = {
  { "verified", N_("Identity verified") },
  { "self_reported", N_("Identity self-reported, not verified") },
  { "unknown", N_("Identity unknown") },
  { "settled", N_("Settled (落户)") },
};

const char *
jz_casework_source_label (const char *source)
{
  return LOOKUP (sources, source);
}

const char *
jz_casework_category_label (const char *category)
{
  return LOOKUP (categories, category);
}

const char *
jz_casework_tracing_method_label (const char *method)
{
  return LOOKUP (methods, method);
}

const char *
jz_casework_followup_method_label (const char *method)
{
  return LOOKUP (followup_methods, method);
}

const char *
jz_casework_risk_label (const char *risk)
{
  if (risk == NULL)
    return "";
  for (gsize i = 0; i < G_N_ELEMENTS (risks); i++)
    if (g_str_equal (risks[i].id, risk))
      return g_dpgettext2 (NULL, "risk", risks[i].label);
  return risk;
}

const char *
jz_casework_identity_label (const char *identity_status)
{
  return LOOKUP (identities, identity_status);
}

const char *
jz_casework_status_label (const char *status)
{
  JzEpisodeStatus s;

  if (status == NULL || !jz_episode_status_from_string (status, &s))
    return status ? status : "";
  return _(jz_episode_status_get_label (s));
}

const char *
jz_casework_mode_label (const char *mode)
{
  JzDepartureMode m;

  if (mode == NULL || !jz_departure_mode_from_string (mode, &m))
    return mode ? mode : "";
  return _(jz_departure_mode_get_label (m));
}

const char *
jz_casework_sex_label (const char *sex)
{
  JzSex s;

  if (sex == NULL || !jz_sex_from_string (sex, &s))
    return "";
  return _(jz_sex_get_label (s));
}

static const char * const health_labels[] = {
  N_("Healthy"),
  N_("Critically ill or injured"),
  N_("Signs of mental disorder"),
  N_("Signs of intellectual disability"),
  N_("Physical disability"),
  N_("Suspected infectious disease"),
  N_("Injured"),
  N_("Drunk or intoxicated"),
};

static const char * const assistance_labels[] = {
  N_("Medical treatment"),
  N_("Education and correction"),
  N_("Family foster care"),
  N_("Food and lodging"),
  N_("Help to return home"),
  N_("Temporary shelter"),
  N_("Other help"),
};

static const char * const flag_labels[] = {
  N_("Minor"),
  N_("Elderly (60 or over)"),
  N_("Disabled"),
  N_("Mental disorder"),
  N_("Intellectual disability"),
  N_("Domestic violence"),
  N_("Trafficking victim"),
  N_("Child of a prisoner"),
  N_("Left-behind child"),
  N_("From Hong Kong, Macao or Taiwan"),
  N_("Foreign national"),
};

static char *
bits_text (guint               bits,
           const char * const *labels,
           guint               n)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    if (bits & (1u << i))
      {
        if (s->len > 0)
          /* TRANSLATORS: separates items of a list shown on one line */
          g_string_append (s, _(", "));
        g_string_append (s, _(labels[i]));
      }
  return g_string_free (s, FALSE);
}

char *
jz_casework_health_text (guint health)
{
  return bits_text (health, health_labels, G_N_ELEMENTS (health_labels));
}

char *
jz_casework_assistance_text (guint assistance)
{
  return bits_text (assistance, assistance_labels, G_N_ELEMENTS (assistance_labels));
}

char *
jz_casework_flags_text (guint flags)
{
  return bits_text (flags, flag_labels, G_N_ELEMENTS (flag_labels));
}

const char * const *
jz_casework_health_labels (guint *n)
{
  *n = G_N_ELEMENTS (health_labels);
  return health_labels;
}

const char * const *
jz_casework_assistance_labels (guint *n)
{
  *n = G_N_ELEMENTS (assistance_labels);
  return assistance_labels;
}

const char * const *
jz_casework_flag_labels (guint *n)
{
  *n = G_N_ELEMENTS (flag_labels);
  return flag_labels;
}

const char *
jz_casework_channel_for_method (const char *method)
{
  if (method == NULL)
    return "other";
  if (g_str_equal (method, "police_report"))
    return "police_records";
  if (g_str_equal (method, "dna_request") || g_str_equal (method, "dna_result"))
    return "dna";
  for (gsize i = 0; i < G_N_ELEMENTS (methods); i++)
    if (g_str_equal (methods[i].id, method))
      return methods[i].id;
  return "other";
}

gint64
jz_casework_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static GDateTime *
local_time (gint64 unix_s)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_s);

  return utc ? g_date_time_to_timezone (utc, jz_deadlines_time_zone ()) : NULL;
}

char *
jz_casework_format_time (gint64 unix_s)
{
  g_autoptr(GDateTime) t = unix_s > 0 ? local_time (unix_s) : NULL;

  return t ? g_date_time_format (t, "%Y-%m-%d %H:%M") : g_strdup ("");
}

char *
jz_casework_format_date (gint64 unix_s)
{
  g_autoptr(GDateTime) t = unix_s > 0 ? local_time (unix_s) : NULL;

  return t ? g_date_time_format (t, "%Y-%m-%d") : g_strdup ("");
}

gboolean
jz_casework_parse_time (const char *text,
                        gint64     *out)
{
  int y, mo, d, h = 0, mi = 0, s = 0, n;
  char tail = 0;
  g_autoptr(GDateTime) t = NULL;

  if (text == NULL)
    return FALSE;
  while (g_ascii_isspace (*text))
    text++;
  n = sscanf (text, "%4d-%2d-%2d %2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &tail);
  if (n != 3 && n != 5 && n != 6)
    {
      /* A trailing space is fine; anything else is not a time. */
      if (n == 7 && g_ascii_isspace (tail))
        n = 6;
      else
        return FALSE;
    }
  if (n == 3)
    {
      const char *p = text + 10;

      while (g_ascii_isspace (*p))
        p++;
      if (strlen (text) < 10 || *p != '\0')
        return FALSE;
    }
  if (!g_date_valid_dmy (d, mo, y) || h > 23 || mi > 59 || s > 59 || h < 0 || mi < 0 || s < 0)
    return FALSE;
  t = g_date_time_new (jz_deadlines_time_zone (), y, mo, d, h, mi, s);
  if (t == NULL)
    return FALSE;
  *out = g_date_time_to_unix (t);
  return TRUE;
}

static char *
span_text (gint64 seconds)
{
  gint64 days = seconds / 86400;
  gint64 hours = seconds / 3600;

  if (days >= 1)
    return g_strdup_printf (ngettext ("%d day", "%d days", (gulong) days), (int) days);
  if (hours >= 1)
    return g_strdup_printf (ngettext ("%d hour", "%d hours", (gulong) hours), (int) hours);
  return g_strdup (_("less than an hour"));
}

char *
jz_casework_deadline_text (const JzDeadline *deadline,
                           gint64            now)
{
  gint64 due = g_date_time_to_unix (deadline->due_at);
  g_autofree char *date = jz_casework_format_time (due);

  switch (deadline->status)
    {
    case JZ_DEADLINE_DONE:
      if (deadline->done_at != NULL)
        {
          g_autofree char *done = jz_casework_format_date (g_date_time_to_unix (deadline->done_at));

          return deadline->late ? g_strdup_printf (_("done %s, late"), done)
                                : g_strdup_printf (_("done %s"), done);
        }
      return g_strdup (_("no longer needed"));
    case JZ_DEADLINE_OVERDUE:
      {
        g_autofree char *span = span_text (now - due);
        /* TRANSLATORS: “overdue by 3 days (2026-05-01 23:59)” */
        return g_strdup_printf (_("overdue by %s (%s)"), span, date);
      }
    case JZ_DEADLINE_DUE:
      if (now >= due)
        return g_strdup_printf (_("due now (%s)"), date);
      else
        {
          g_autofree char *span = span_text (due - now);
          /* TRANSLATORS: “due in 5 hours (2026-05-01 23:59)” */
          return g_strdup_printf (_("due in %s (%s)"), span, date);
        }
    case JZ_DEADLINE_UPCOMING:
    default:
      /* TRANSLATORS: a deadline not yet near: “by 2026-05-01 23:59” */
      return g_strdup_printf (_("by %s"), date);
    }
}

gboolean
jz_casework_store_blob (JzStore       *store,
                        GFile         *file,
                        JzAttachment  *attachment,
                        GError       **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *sha = NULL;
  const char *content_type;

  bytes = g_file_load_bytes (file, NULL, NULL, error);
  if (bytes == NULL)
    return FALSE;
  if (!jz_store_put_blob (store, bytes, &sha, error))
    return FALSE;
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE "," G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  content_type = info ? g_file_info_get_content_type (info) : NULL;
  g_free (attachment->sha256);
  attachment->sha256 = g_steal_pointer (&sha);
  g_free (attachment->mime);
  attachment->mime = content_type ? g_content_type_get_mime_type (content_type) : NULL;
  if (attachment->mime == NULL)
    attachment->mime = g_strdup ("application/octet-stream");
  attachment->size = (gint64) g_bytes_get_size (bytes);
  g_free (attachment->name);
  attachment->name = info && g_file_info_get_display_name (info)
                       ? g_strdup (g_file_info_get_display_name (info))
                       : g_file_get_basename (file);
  return TRUE;
}

char *
jz_casework_person_photo_path (JzStore    *store,
                               const char *person_id)
{
  g_autoptr(GPtrArray) list = NULL;

  if (person_id == NULL)
    return NULL;
  list = jz_store_list (store, &jz_entity_attachment, "owner_id", person_id, "hlc", TRUE, 0, NULL);
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      JzAttachment *a = list->pdata[i];
      g_autofree char *path = NULL;

      if (g_strcmp0 (a->kind, "photo") != 0 || a->sha256 == NULL)
        continue;
      path = jz_store_blob_path (store, a->sha256);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&path);
    }
  return NULL;
}

int
jz_casework_person_age (const JzPerson *person)
{
  JzPersonFacts facts;
  g_autoptr(GDateTime) now = g_date_time_new_now (jz_deadlines_time_zone ());
  GDate today;

  jz_person_get_facts (person, NULL, &facts);
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
  return jz_birth_age_at (&facts.birth, &today);
}

char *
jz_casework_idcard_problem (const char *text,
                            JzIdCard   *card)
{
  g_autoptr(GError) error = NULL;
  JzIdCard parsed;
  gsize n = 0;

  if (jz_idcard_parse (text, &parsed, &error))
    {
      if (card != NULL)
        *card = parsed;
      return NULL;
    }
  for (const char *p = text; p && *p; p++)
    if (g_ascii_isalnum (*p))
      n++;
  switch (error->code)
    {
    case JZ_IDCARD_ERROR_EMPTY:
      return g_strdup (_("Type the 18 characters of the ID number (the last may be X)"));
    case JZ_IDCARD_ERROR_LENGTH:
      if (n > 18)
        return g_strdup (_("The number has more than 18 characters; look for a doubled digit"));
      /* TRANSLATORS: %u is how many digits were typed */
      return g_strdup_printf (ngettext ("%u digit typed; a resident ID number has 18 (15 on a card issued before 1999)",
                                        "%u digits typed; a resident ID number has 18 (15 on a card issued before 1999)",
                                        (gulong) n), (guint) n);
    case JZ_IDCARD_ERROR_CHARACTER:
      return g_strdup (_("Only digits, and X as the last of 18 characters, belong in an ID number"));
    case JZ_IDCARD_ERROR_BIRTH_DATE:
      return g_strdup (_("Digits 7–14 are not a real birth date (YYYYMMDD); check them on the card"));
    case JZ_IDCARD_ERROR_CHECK_DIGIT:
      {
        char digits[18] = { 0, };
        gsize k = 0;

        for (const char *p = text; *p && k < 17; p++)
          if (g_ascii_isdigit (*p))
            digits[k++] = *p;
        /* TRANSLATORS: %c is the check digit (0–9 or X) that the first 17 digits call for */
        return g_strdup_printf (_("The check digit is wrong: with these first 17 digits the last should be %c. If the card shows otherwise, one of the digits was mistyped"),
                                k == 17 ? jz_idcard_check_digit (digits) : '?');
      }
    default:
      return g_strdup (_("This is not a valid ID number; check it on the card"));
    }
}

char *
jz_casework_idcard_summary (const JzIdCard *card)
{
  g_autofree char *region = jz_regions_full_name (card->region_code);
  char date[16];

  g_snprintf (date, sizeof date, "%04d-%02d-%02d", g_date_get_year (&card->birth_date),
              g_date_get_month (&card->birth_date), g_date_get_day (&card->birth_date));
  if (region == NULL)
    /* TRANSLATORS: what a valid ID number says: birth date, sex; the region code is unknown */
    return g_strdup_printf (_("Valid: born %s, %s; region code %s is not in the table"),
                            date, _(jz_sex_get_label (card->sex)), card->region_code);
  /* TRANSLATORS: what a valid ID number says: birth date, sex, region */
  return g_strdup_printf (_("Valid: born %s, %s, %s"), date, _(jz_sex_get_label (card->sex)), region);
}

gboolean
jz_casework_parse_yuan (const char *text,
                        gint64     *fen)
{
  gint64 yuan = 0, cents = 0;
  int decimals = -1;
  gboolean any = FALSE;

  *fen = 0;
  if (text == NULL)
    return TRUE;
  while (g_ascii_isspace (*text))
    text++;
  for (const char *p = text; *p; p++)
    {
      if (g_ascii_isdigit (*p))
        {
          any = TRUE;
          if (decimals < 0)
            {
              yuan = yuan * 10 + (*p - '0');
              if (yuan > 100000000)
                return FALSE;
            }
          else if (++decimals <= 2)
            cents = cents * 10 + (*p - '0');
          else
            return FALSE;
        }
      else if (*p == '.' && decimals < 0)
        decimals = 0;
      else if (g_ascii_isspace (*p) && p[strspn (p, " \t")] == '\0')
        break;
      else
        return FALSE;
    }
  if (!any)
    return *text == '\0';
  if (decimals == 1)
    cents *= 10;
  *fen = yuan * 100 + cents;
  return TRUE;
}
