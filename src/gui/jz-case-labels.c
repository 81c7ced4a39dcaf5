/* jz-case-labels.c: the words the UI shows for the stored ids
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-case-labels"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "jz-case-labels.h"
#include "jz-episode-rules.h"

typedef struct
{
  const char *id;
  const char *context;
  const char *label;
} Label;

#define L(id, ctx, text) { id, ctx, text }

static const Label service_kind[] = {
  L ("meal", "service", NC_("service", "Meal")),
  L ("lodging", "service", NC_("service", "Night's lodging")),
  L ("medical", "service", NC_("service", "Medical visit")),
  L ("hospital_stay", "service", NC_("service", "Hospital stay")),
  L ("counselling", "service", NC_("service", "Counselling")),
  L ("education", "service", NC_("service", "Education")),
  L ("other", "service", NC_("service", "Other service")),
  { NULL }
};

static const Label tracing_method[] = {
  L ("self_account", "tracing", NC_("tracing", "The person's own account")),
  L ("dialect", "tracing", NC_("tracing", "Dialect or accent")),
  L ("names_places", "tracing", NC_("tracing", "Names and places mentioned")),
  L ("fingerprint", "tracing", NC_("tracing", "Fingerprint comparison")),
  L ("face", "tracing", NC_("tracing", "Face recognition")),
  L ("police_report", "tracing", NC_("tracing", "Reported to the police")),
  L ("notice", "tracing", NC_("tracing", "Family-tracing notice published")),
  L ("dna_request", "tracing", NC_("tracing", "DNA sample requested from the police")),
  L ("dna_result", "tracing", NC_("tracing", "DNA result received")),
  L ("police_records", "tracing", NC_("tracing", "Police records searched")),
  L ("media", "tracing", NC_("tracing", "Media")),
  L ("other", "tracing", NC_("tracing", "Other tracing step")),
  { NULL }
};

static const Label tracing_channel[] = {
  L ("self_account", "found by", NC_("found by", "Own account")),
  L ("dialect", "found by", NC_("found by", "Dialect")),
  L ("names_places", "found by", NC_("found by", "Names and places")),
  L ("fingerprint", "found by", NC_("found by", "Fingerprints")),
  L ("face", "found by", NC_("found by", "Face recognition")),
  L ("notice", "found by", NC_("found by", "Tracing notice")),
  L ("dna", "found by", NC_("found by", "DNA")),
  L ("police_records", "found by", NC_("found by", "Police records")),
  L ("media", "found by", NC_("found by", "Media")),
  L ("other", "found by", NC_("found by", "Other")),
  { NULL }
};

static const Label agency[] = {
  L ("medical", "agency", NC_("agency", "Medical care")),
  L ("education", "agency", NC_("agency", "Education")),
  L ("hrss", "agency", NC_("agency", "Human resources and social security")),
  L ("housing", "agency", NC_("agency", "Housing")),
  L ("police", "agency", NC_("agency", "Police")),
  L ("legal_aid", "agency", NC_("agency", "Legal aid")),
  L ("charity", "agency", NC_("agency", "Charity")),
  L ("civil_affairs", "agency", NC_("agency", "Civil affairs")),
  L ("other", "agency", NC_("agency", "Other agency")),
  { NULL }
};

static const Label referral_status[] = {
  L ("open", "referral", NC_("referral", "open")),
  L ("in_progress", "referral", NC_("referral", "in progress")),
  L ("done", "referral", NC_("referral", "done")),
  L ("cancelled", "referral", NC_("referral", "cancelled")),
  { NULL }
};

static const Label expenditure_kind[] = {
  L ("ticket", "spending", NC_("spending", "Travel ticket")),
  L ("meal", "spending", NC_("spending", "Meals")),
  L ("medical", "spending", NC_("spending", "Medical costs")),
  L ("escort", "spending", NC_("spending", "Escort costs")),
  L ("cash", "spending", NC_("spending", "Cash handed out")),
  L ("other", "spending", NC_("spending", "Other spending")),
  { NULL }
};

static const Label settlement_status[] = {
  L ("preparing", "settlement", NC_("settlement", "being prepared")),
  L ("applied", "settlement", NC_("settlement", "applied for")),
  L ("settled", "settlement", NC_("settlement", "registered")),
  L ("withdrawn", "settlement", NC_("settlement", "withdrawn")),
  { NULL }
};

static const Label attachment_kind[] = {
  L ("photo", "attachment", NC_("attachment", "Photo")),
  L ("fingerprint", "attachment", NC_("attachment", "Fingerprints")),
  L ("scan", "attachment", NC_("attachment", "Scanned form")),
  L ("signature", "attachment", NC_("attachment", "Signature")),
  L ("document", "attachment", NC_("attachment", "Document")),
  L ("other", "attachment", NC_("attachment", "Other file")),
  { NULL }
};

static const Label entity[] = {
  L ("person", "record", NC_("record", "Person")),
  L ("episode", "record", NC_("record", "Case")),
  L ("belonging", "record", NC_("record", "Belonging")),
  L ("service_log", "record", NC_("record", "Service")),
  L ("tracing_step", "record", NC_("record", "Tracing step")),
  L ("stay_extension", "record", NC_("record", "Stay extension")),
  L ("departure", "record", NC_("record", "Departure")),
  L ("escort_trip", "record", NC_("record", "Escort trip")),
  L ("placement", "record", NC_("record", "Placement")),
  L ("settlement", "record", NC_("record", "Settlement")),
  L ("followup", "record", NC_("record", "Follow-up")),
  L ("referral", "record", NC_("record", "Referral")),
  L ("expenditure", "record", NC_("record", "Spending")),
  L ("attachment", "record", NC_("record", "Attachment")),
  L ("staff", "record", NC_("record", "Staff member")),
  { NULL }
};

static const Label source[] = {
  L ("walk_in", "source", NC_("source", "Came in on their own")),
  L ("police_escort", "source", NC_("source", "Brought by the police")),
  L ("chengguan", "source", NC_("source", "Brought by city management")),
  L ("patrol", "source", NC_("source", "Found on patrol")),
  L ("public_report", "source", NC_("source", "Reported by the public")),
  L ("hospital", "source", NC_("source", "From a hospital")),
  L ("transfer", "source", NC_("source", "Transferred from another station")),
  { NULL }
};

static const Label category[] = {
  L ("vagrant", "group", NC_("group", "Vagrant or begging")),
  L ("temporary", "group", NC_("group", "Temporarily stranded")),
  { NULL }
};

static const Label identity_status[] = {
  L ("verified", "identity", NC_("identity", "Verified")),
  L ("self_reported", "identity", NC_("identity", "Self-reported, not verified")),
  L ("unknown", "identity", NC_("identity", "Unknown")),
  L ("settled", "identity", NC_("identity", "Registered at a welfare institution")),
  { NULL }
};

static const Label name_quality[] = {
  L ("full", "name", NC_("name", "full name")),
  L ("partial", "name", NC_("name", "part of the name")),
  L ("self_reported", "name", NC_("name", "name as told")),
  L ("unknown", "name", NC_("name", "name unknown")),
  { NULL }
};

static const Label room_kind[] = {
  L ("men", "room kind", NC_("room kind", "Men")),
  L ("women", "room kind", NC_("room kind", "Women")),
  L ("minors", "room kind", NC_("room kind", "Minors")),
  L ("family", "room kind", NC_("room kind", "Families")),
  { NULL }
};

static const struct
{
  const char  *name;
  const Label *labels;
} sets[] = {
  { "room_kind", room_kind },
  { "service_kind", service_kind },
  { "tracing_method", tracing_method },
  { "tracing_channel", tracing_channel },
  { "agency", agency },
  { "referral_status", referral_status },
  { "expenditure_kind", expenditure_kind },
  { "settlement_status", settlement_status },
  { "attachment_kind", attachment_kind },
  { "entity", entity },
  { "source", source },
  { "category", category },
  { "identity_status", identity_status },
  { "name_quality", name_quality },
};

static const Label *
find_set (const char *set)
{
  for (guint i = 0; i < G_N_ELEMENTS (sets); i++)
    if (g_strcmp0 (sets[i].name, set) == 0)
      return sets[i].labels;
  return NULL;
}

const char *
jz_case_label (const char *set,
               const char *id)
{
  const Label *labels;

  if (id == NULL)
    return "—";
  if (g_strcmp0 (set, "status") == 0)
    {
      JzEpisodeStatus status;

      return jz_episode_status_from_string (id, &status) ? _(jz_episode_status_get_label (status)) : id;
    }
  if (g_strcmp0 (set, "departure_mode") == 0)
    {
      JzDepartureMode mode;

      return jz_departure_mode_from_string (id, &mode) ? _(jz_departure_mode_get_label (mode)) : id;
    }
  labels = find_set (set);
  for (guint i = 0; labels != NULL && labels[i].id != NULL; i++)
    if (g_str_equal (labels[i].id, id))
      return g_dpgettext2 (NULL, labels[i].context, labels[i].label);
  return id;
}

const char * const *
jz_case_label_ids (const char *set)
{
  static GHashTable *cache;
  const Label *labels = find_set (set);
  GPtrArray *ids;

  if (labels == NULL)
    return NULL;
  /* Built once per set; lives as long as the program. */
  if (cache == NULL)
    cache = g_hash_table_new (g_str_hash, g_str_equal);
  ids = g_hash_table_lookup (cache, set);
  if (ids == NULL)
    {
      ids = g_ptr_array_new ();
      for (guint i = 0; labels[i].id != NULL; i++)
        g_ptr_array_add (ids, (gpointer) labels[i].id);
      g_ptr_array_add (ids, NULL);
      g_hash_table_insert (cache, g_strdup (set), ids);
    }
  return (const char * const *) ids->pdata;
}

char *
jz_case_format_yuan (gint64 fen)
{
  return g_strdup_printf ("%s%" G_GINT64_FORMAT ".%02d", fen < 0 ? "-" : "",
                          (fen < 0 ? -fen : fen) / 100, (int) ((fen < 0 ? -fen : fen) % 100));
}

gboolean
jz_case_parse_yuan (const char *text,
                    gint64     *fen)
{
  g_autofree char *t = g_strstrip (g_strdup (text ? text : ""));
  const char *dot = strchr (t, '.');
  gint64 yuan = 0, cents = 0;
  gsize int_len = dot ? (gsize) (dot - t) : strlen (t);
  gsize frac_len = dot ? strlen (dot + 1) : 0;

  if (int_len == 0 || int_len > 9 || frac_len > 2 || (dot && frac_len == 0))
    return FALSE;
  for (gsize i = 0; i < int_len; i++)
    {
      if (!g_ascii_isdigit (t[i]))
        return FALSE;
      yuan = yuan * 10 + (t[i] - '0');
    }
  for (gsize i = 0; i < frac_len; i++)
    {
      if (!g_ascii_isdigit (dot[1 + i]))
        return FALSE;
      cents = cents * 10 + (dot[1 + i] - '0');
    }
  if (frac_len == 1)
    cents *= 10;
  *fen = yuan * 100 + cents;
  return TRUE;
}
