/* jz-sync-text.c: what the sync UI says
 *
 * The engine's error messages are English and technical (they go to the
 * CLI and logs); here they become sentences in the user's language that
 * say what to do. The GError domain and code decide; the message is only
 * shown as a detail.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-sync-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <json.h>
#include <string.h>

#include "jz-idcard.h"
#include "jz-protocol.h"
#include "jz-store.h"
#include "jz-sync-text.h"

const char *
jz_sync_state_label (JzSyncState state)
{
  switch (state)
    {
    case JZ_SYNC_STATE_NOT_ENROLLED:
      return C_("sync state", "Not enrolled");
    case JZ_SYNC_STATE_OFFLINE:
      return C_("sync state", "Offline");
    case JZ_SYNC_STATE_SYNCING:
      return C_("sync state", "Syncing…");
    case JZ_SYNC_STATE_UP_TO_DATE:
      return C_("sync state", "Up to date");
    case JZ_SYNC_STATE_ERROR:
    default:
      return C_("sync state", "Sync problem");
    }
}

const char *
jz_sync_state_icon_name (JzSyncState state)
{
  switch (state)
    {
    case JZ_SYNC_STATE_NOT_ENROLLED:
      return "computer-symbolic";
    case JZ_SYNC_STATE_OFFLINE:
      return "network-offline-symbolic";
    case JZ_SYNC_STATE_SYNCING:
      return "emblem-synchronizing-symbolic";
    case JZ_SYNC_STATE_UP_TO_DATE:
      return "emblem-ok-symbolic";
    case JZ_SYNC_STATE_ERROR:
    default:
      return "dialog-warning-symbolic";
    }
}

const char *
jz_sync_state_description (JzSyncState state)
{
  switch (state)
    {
    case JZ_SYNC_STATE_NOT_ENROLLED:
      return _("This device is not enrolled with a regional hub. Everything is kept on this computer only.");
    case JZ_SYNC_STATE_OFFLINE:
      return _("The hub cannot be reached. Work on as usual: changes are kept here and sent when the hub can be reached again.");
    case JZ_SYNC_STATE_SYNCING:
      return _("Sending changes to the hub and receiving what other stations recorded.");
    case JZ_SYNC_STATE_UP_TO_DATE:
      return _("Everything recorded here has reached the hub, and what the hub has for this station is here.");
    case JZ_SYNC_STATE_ERROR:
    default:
      return _("The hub answered, but the sync could not finish. Changes are kept here; see below what to do.");
    }
}

char *
jz_sync_format_when (gint64 unix_s,
                     gint64 now_s)
{
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *clock = NULL;
  gint64 ago = now_s - unix_s;
  int days;

  if (unix_s <= 0)
    return g_strdup (C_("last sync", "never"));
  if (ago >= -60 && ago < 60)
    return g_strdup (_("just now"));
  if (ago >= 60 && ago < 3600)
    {
      int minutes = (int) (ago / 60);
      return g_strdup_printf (ngettext ("%d minute ago", "%d minutes ago", minutes), minutes);
    }

  when = g_date_time_new_from_unix_local (unix_s);
  now = g_date_time_new_from_unix_local (now_s);
  if (when == NULL || now == NULL)
    return g_strdup (C_("last sync", "never"));
  clock = g_date_time_format (when, "%H:%M");
  days = g_date_time_get_day_of_year (now) - g_date_time_get_day_of_year (when);
  if (g_date_time_get_year (now) == g_date_time_get_year (when) && days == 0)
    return g_strdup_printf (_("today at %s"), clock);
  if (g_date_time_get_year (now) == g_date_time_get_year (when) && days == 1)
    return g_strdup_printf (_("yesterday at %s"), clock);
  return g_date_time_format (when, "%Y-%m-%d %H:%M");
}

char *
jz_sync_format_pending (gint64 pending)
{
  g_autofree char *n = NULL;

  if (pending <= 0)
    return g_strdup (_("Nothing waiting to be sent"));
  n = g_strdup_printf ("%" G_GINT64_FORMAT, pending);
  return g_strdup_printf (ngettext ("%s change waiting to be sent", "%s changes waiting to be sent",
                                    (gulong) MIN (pending, G_MAXLONG)),
                          n);
}

char *
jz_sync_explain_error (GQuark      domain,
                       int         code,
                       const char *message,
                       const char *hub_url)
{
  const char *hub = hub_url != NULL ? hub_url : _("the hub");

  if (message == NULL)
    return NULL;

  if (domain == JZ_SYNC_ERROR)
    switch (code)
      {
      case JZ_SYNC_ERROR_NETWORK:
        return g_strdup_printf (_("The hub at %s cannot be reached. Check that this computer is connected "
                                  "(network cable or Wi-Fi). If other computers can reach it, ask the hub’s "
                                  "staff whether the address is still right. Changes are kept here meanwhile."),
                                hub);
      case JZ_SYNC_ERROR_PIN:
        return g_strdup (_("The hub’s certificate is not the one this device was enrolled with, so nothing "
                           "was sent. Someone may be intercepting the connection. Call the hub’s staff: "
                           "only if they confirm they changed the certificate, unenrol and enrol again in "
                           "Preferences → Hub."));
      case JZ_SYNC_ERROR_OUTBOX:
        return g_strdup (_("This device’s changes do not follow on from what the hub has received from it "
                           "(the store may have been restored from a backup). Nothing is lost; ask the hub’s "
                           "staff to check this device before going on."));
      case JZ_SYNC_ERROR_STORE:
        return g_strdup (_("The station’s store on this computer could not be read or written during the "
                           "sync. Check that the disk is not full, then choose Sync Now."));
      case JZ_SYNC_ERROR_NOT_ENROLLED:
        return g_strdup (_("This device is not enrolled with a hub. Enrol it in Preferences → Hub with the "
                           "hub’s address and a code from the hub’s staff."));
      case JZ_SYNC_ERROR_DEMO:
        return g_strdup (_("This profile holds demo data: made-up people for trying Jiuzhu. It never "
                           "syncs, so that no made-up person reaches the region’s records. Enrol the "
                           "station’s real profile instead."));
      default:
        break;
      }
  else if (domain == JZ_PROTOCOL_ERROR)
    switch (code)
      {
      case JZ_PROTOCOL_ERROR_UNAUTHORIZED:
        return g_strdup (_("The hub no longer accepts this device: it may have been revoked (for example "
                           "after a laptop was reported lost). Ask the hub’s staff for a new enrolment code, "
                           "then unenrol and enrol again in Preferences → Hub."));
      case JZ_PROTOCOL_ERROR_FORBIDDEN:
        return g_strdup (_("The hub refused a change because it is outside this station’s rights (for "
                           "example a record of another station). The other changes still go through; ask "
                           "the hub’s staff about the refused one."));
      case JZ_PROTOCOL_ERROR_RATE_LIMITED:
        return g_strdup (_("The hub is busy and asked this device to slow down. Jiuzhu tries again by "
                           "itself in a moment; nothing needs to be done."));
      case JZ_PROTOCOL_ERROR_UNAVAILABLE:
        return g_strdup (_("The hub is temporarily unavailable (it may be restarting or under "
                           "maintenance). Jiuzhu tries again by itself; changes are kept here meanwhile."));
      case JZ_PROTOCOL_ERROR_INTERNAL:
        return g_strdup (_("The hub had an internal error. Jiuzhu tries again by itself; if this stays, "
                           "tell the hub’s staff the time it happened so they can look in the hub’s log."));
      case JZ_PROTOCOL_ERROR_TOO_LARGE:
        return g_strdup (_("The hub refused a change or attachment as too large. Ask the hub’s staff about "
                           "the hub’s limits."));
      case JZ_PROTOCOL_ERROR_GAP:
        return g_strdup (_("The hub is missing earlier changes from this device. Jiuzhu sends them again "
                           "by itself; if this stays, ask the hub’s staff to check this device."));
      case JZ_PROTOCOL_ERROR_UNSUPPORTED:
        return g_strdup (_("The hub and this computer run versions of Jiuzhu that do not understand each "
                           "other. Update Jiuzhu on this computer, or ask the hub’s staff which version "
                           "the hub needs."));
      default:
        break;
      }
  else if (domain == JZ_STORE_ERROR)
    return g_strdup (_("The station’s store on this computer could not be read or written during the "
                       "sync. Check that the disk is not full, then choose Sync Now."));

  /* Not a kind known here: the message is all there is. */
  return g_strdup_printf (_("The sync stopped: %s"), message);
}

char *
jz_sync_check_hub_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *text = g_strstrip (g_strdup (url ? url : ""));

  if (text[0] == '\0')
    return g_strdup (_("Type the hub’s address, as the hub’s staff gave it, e.g. https://hub.example.cn:8443"));
  if (!g_str_has_prefix (text, "https://") && !g_str_has_prefix (text, "http://"))
    return g_strdup_printf (_("Type the whole address, starting with https:// (or http:// on the station’s "
                              "own network), e.g. https://%s"), text);
  uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    return g_strdup (_("This is not a valid address: check for spaces or missing parts, e.g. "
                       "https://hub.example.cn:8443"));
  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL || g_uri_get_userinfo (uri) != NULL)
    return g_strdup (_("The hub’s address has only the server and port (and perhaps a path); remove what "
                       "follows “?” or “#” and any user name"));
  return NULL;
}

char *
jz_sync_check_enrol_code (const char *code)
{
  int n = 0;

  for (const char *p = code ? code : ""; *p; p++)
    {
      if (g_ascii_isalnum (*p))
        n++;
      else if (*p != '-' && *p != ' ')
        return g_strdup (_("An enrolment code has only letters and digits (and perhaps a dash), e.g. 7KQ2M-XP4RT"));
    }
  if (n == 0)
    return g_strdup (_("Type the one-time enrolment code the hub’s staff gave you, e.g. 7KQ2M-XP4RT"));
  if (n != 10)
    return g_strdup_printf (ngettext ("An enrolment code has 10 letters and digits, e.g. 7KQ2M-XP4RT; this one has %d",
                                      "An enrolment code has 10 letters and digits, e.g. 7KQ2M-XP4RT; this one has %d",
                                      n), n);
  return NULL;
}

int
jz_sync_enrol_error_field (const GError *error)
{
  if (error == NULL)
    return 0;
  if (g_error_matches (error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_PIN))
    return 2;
  if (error->domain == JZ_PROTOCOL_ERROR &&
      (error->code == JZ_PROTOCOL_ERROR_UNAUTHORIZED || error->code == JZ_PROTOCOL_ERROR_FORBIDDEN ||
       error->code == JZ_PROTOCOL_ERROR_RATE_LIMITED))
    return 1;
  /* The hub enrolled the code for another station. */
  if (g_error_matches (error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_NOT_ENROLLED) &&
      strstr (error->message, "station") != NULL)
    return 1;
  return 0;
}

const char *
jz_sync_entity_label (const char *entity)
{
  static const struct { const char *name; const char *label; } labels[] = {
    { "person", NC_("record", "Person") },
    { "episode", NC_("record", "Episode") },
    { "belonging", NC_("record", "Belonging") },
    { "departure", NC_("record", "Departure") },
    { "escort_trip", NC_("record", "Escort trip") },
    { "placement", NC_("record", "Placement") },
    { "settlement", NC_("record", "Settlement") },
    { "patrol", NC_("record", "Patrol") },
    { "encounter", NC_("record", "Encounter") },
    { "sighting_report", NC_("record", "Sighting report") },
    { "referral", NC_("record", "Referral") },
    { "expenditure", NC_("record", "Expenditure") },
    { "attachment", NC_("record", "Attachment") },
    { "staff", NC_("record", "Staff member") },
    { "room", NC_("record", "Room") },
    { "bed", NC_("record", "Bed") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (labels[i].name, entity) == 0)
      return g_dpgettext2 (GETTEXT_PACKAGE, "record", labels[i].label);
  return entity;
}

const char *
jz_sync_field_label (const char    *entity,
                     const JzField *field,
                     const char    *column)
{
  /* The fields people edit most on a case; other fields show the
   * schema's own (English) label. */
  static const struct { const char *entity; const char *column; const char *label; } labels[] = {
    { "person", "name", NC_("field", "Name") },
    { "person", "name_quality", NC_("field", "Name quality") },
    { "person", "aliases", NC_("field", "Aliases") },
    { "person", "sex", NC_("field", "Sex") },
    { "person", "ethnicity", NC_("field", "Ethnic group") },
    { "person", "birth_date", NC_("field", "Birth date") },
    { "person", "birth_precision", NC_("field", "Birth date precision") },
    { "person", "estimated_age", NC_("field", "Estimated age") },
    { "person", "id_number", NC_("field", "ID number") },
    { "person", "hukou_region", NC_("field", "Household registration (户籍地)") },
    { "person", "residence", NC_("field", "Residence (住所地)") },
    { "person", "dialect", NC_("field", "Dialect") },
    { "person", "height_cm", NC_("field", "Height (cm)") },
    { "person", "build", NC_("field", "Build") },
    { "person", "marks", NC_("field", "Distinguishing marks") },
    { "person", "clothing", NC_("field", "Clothing") },
    { "person", "description", NC_("field", "Description") },
    { "person", "contacts", NC_("field", "Relatives and contacts") },
    { "person", "identity_status", NC_("field", "Identity status") },
    { "person", "dibao", NC_("field", "低保/五保 status") },
    { "person", "flags", NC_("field", "Special categories") },
    { "episode", "admitted_at", NC_("field", "Admission time") },
    { "episode", "source", NC_("field", "Source") },
    { "episode", "category", NC_("field", "Group") },
    { "episode", "reason", NC_("field", "Reason") },
    { "episode", "history", NC_("field", "History") },
    { "episode", "eligibility", NC_("field", "Eligibility decision") },
    { "episode", "refusal_reason", NC_("field", "Refusal reason") },
    { "episode", "assistance", NC_("field", "Assistance types") },
    { "episode", "health", NC_("field", "Health at intake") },
    { "episode", "flags", NC_("field", "Special categories") },
    { "episode", "bed_id", NC_("field", "Bed") },
    { "episode", "stay_deadline", NC_("field", "Stay deadline") },
    { "episode", "status", NC_("field", "Status") },
    { "episode", "departed_at", NC_("field", "Departure time") },
    { "episode", "assigned_to", NC_("field", "Assigned worker") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (labels[i].entity, entity) == 0 && g_strcmp0 (labels[i].column, column) == 0)
      return g_dpgettext2 (GETTEXT_PACKAGE, "field", labels[i].label);
  return field != NULL ? field->label : column;
}

static char *
format_time (gint64 unix_s)
{
  g_autoptr(GDateTime) dt = unix_s > 0 ? g_date_time_new_from_unix_local (unix_s) : NULL;

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M") : g_strdup (_("(empty)"));
}

char *
jz_sync_format_value (const JzField *field,
                      const char    *json)
{
  json_object *obj = json != NULL ? json_tokener_parse (json) : NULL;
  char *out = NULL;

  if (obj == NULL || json_object_is_type (obj, json_type_null))
    out = g_strdup (_("(empty)"));
  else if (field != NULL && (field->type == JZ_FIELD_TIME) && json_object_is_type (obj, json_type_int))
    out = format_time (json_object_get_int64 (obj));
  else if (field != NULL && field->type == JZ_FIELD_BOOL)
    out = g_strdup (json_object_get_boolean (obj) ? _("Yes") : _("No"));
  else if (field != NULL && field->type == JZ_FIELD_MONEY && json_object_is_type (obj, json_type_int))
    {
      gint64 fen = json_object_get_int64 (obj);
      g_autofree char *yuan = g_strdup_printf ("%" G_GINT64_FORMAT ".%02d", fen / 100, (int) ABS (fen % 100));

      out = g_strdup_printf (_("%s yuan"), yuan);
    }
  else if (field != NULL && field->type == JZ_FIELD_FLAGS && json_object_is_type (obj, json_type_int))
    {
      guint bits = (guint) json_object_get_int64 (obj);
      g_autoptr(GString) s = g_string_new (NULL);

      for (guint i = 0; field->values != NULL && field->values[i] != NULL; i++)
        if (bits & (1u << i))
          g_string_append_printf (s, "%s%s", s->len ? ", " : "", field->values[i]);
      out = s->len ? g_strdup (s->str) : g_strdup (_("(none)"));
    }
  else if (field != NULL && g_str_equal (field->name, "sex") && json_object_is_type (obj, json_type_string))
    {
      JzSex sex;

      out = jz_sex_from_string (json_object_get_string (obj), &sex)
              ? g_strdup (_(jz_sex_get_label (sex))) : g_strdup (json_object_get_string (obj));
    }
  else if (json_object_is_type (obj, json_type_string))
    out = g_strdup (json_object_get_string (obj));
  else
    out = g_strdup (json_object_to_json_string_ext (obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

  if (obj != NULL)
    json_object_put (obj);
  return out;
}
