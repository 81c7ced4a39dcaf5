/* jz-form-data.c: the printed forms filled from the store's records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-form-data"

#include "config.h"

#include <glib/gi18n.h>
#include <json-c/json.h>

#include "jz-actions.h"
#include "jz-casework.h"
#include "jz-form-data.h"
#include "jz-form-print.h"
#include "jz-forms.h"
#include "jz-regions.h"

/* Everything one form needs, owned here; the input structs borrow it. */
typedef struct
{
  JzPerson             *person;
  JzEpisode            *episode;
  JzDepartureRecord    *departure;   /* may be NULL */
  JzEscortTrip         *escort;      /* may be NULL */
  GPtrArray            *strings;     /* owned text the inputs point to */
  GPtrArray            *times;       /* owned GDateTimes */
  GArray               *belongings;  /* JzFormBelongingInput */
  GArray               *contacts;    /* JzFormContactInput */
  GArray               *services;    /* JzFormServiceInput */
  JzFormStationInput    station;
  JzFormPersonInput     in;
  JzFormDecisionInput   decision;
  JzFormDepartureInput  leave;
  JzFormStayInput       stay;
  JzFormNoticeInput     notice;
  JzFormEscortInput     trip;
} FormData;

static void
form_data_free (FormData *d)
{
  g_clear_pointer (&d->person, jz_person_free);
  g_clear_pointer (&d->episode, jz_episode_free);
  g_clear_pointer (&d->departure, jz_departure_free);
  g_clear_pointer (&d->escort, jz_escort_trip_free);
  g_clear_pointer (&d->strings, g_ptr_array_unref);
  g_clear_pointer (&d->times, g_ptr_array_unref);
  g_clear_pointer (&d->belongings, g_array_unref);
  g_clear_pointer (&d->contacts, g_array_unref);
  g_clear_pointer (&d->services, g_array_unref);
  g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FormData, form_data_free)

static const char *
keep (FormData *d,
      char     *text)
{
  if (text == NULL)
    return NULL;
  g_ptr_array_add (d->strings, text);
  return text;
}

static GDateTime *
keep_time (FormData *d,
           gint64    unix_s)
{
  g_autoptr(GDateTime) utc = NULL;
  GDateTime *local;

  if (unix_s <= 0)
    return NULL;
  utc = g_date_time_new_from_unix_utc (unix_s);
  local = g_date_time_to_timezone (utc, jz_deadlines_time_zone ());
  g_ptr_array_add (d->times, local);
  return local;
}

static char *
staff_name (JzStore    *store,
            const char *id)
{
  g_autoptr(JzStaff) staff = NULL;

  if (id == NULL)
    return NULL;
  staff = jz_store_get_staff (store, id, NULL);
  return staff ? g_strdup (staff->name) : NULL;
}

static char *
region_text (const char *code)
{
  g_autofree char *name = NULL;

  if (code == NULL)
    return NULL;
  name = jz_regions_full_name (code);
  return name ? g_strdup_printf ("%s (%s)", name, code) : g_strdup (code);
}

static char *
yuan_text (gint64 fen)
{
  if (fen % 100 == 0)
    /* TRANSLATORS: an amount of money in whole yuan */
    return g_strdup_printf (_("%lld yuan"), (long long) (fen / 100));
  /* TRANSLATORS: an amount of money in yuan with fen */
  return g_strdup_printf (_("%lld.%02d yuan"), (long long) (fen / 100), (int) (fen % 100));
}

static void
fill_person (FormData *d,
             JzStore  *store)
{
  JzPerson *p = d->person;
  JzEpisode *e = d->episode;
  JzFormPersonInput *in = &d->in;
  GString *desc = g_string_new (NULL);
  g_autofree char *health = jz_casework_health_text (e->health);
  g_autofree char *worker_id = NULL;
  int age;

  in->name = keep (d, jz_person_display_name (p));
  if (g_strcmp0 (p->name_quality, "self_reported") == 0)
    in->name_note = _("self-reported, not verified");
  else if (g_strcmp0 (p->name_quality, "partial") == 0)
    in->name_note = _("partly known");
  else if (g_strcmp0 (p->name_quality, "unknown") == 0)
    in->name_note = _("name unknown");
  in->sex = g_strcmp0 (p->sex, "male") == 0 ? JZ_FORM_SEX_MALE
          : g_strcmp0 (p->sex, "female") == 0 ? JZ_FORM_SEX_FEMALE : JZ_FORM_SEX_UNKNOWN;
  if (g_strcmp0 (p->birth_precision, "exact") == 0)
    in->birth = p->birth_date;
  else if (g_strcmp0 (p->birth_precision, "year") == 0 && p->birth_date != NULL)
    in->birth = keep (d, g_strndup (p->birth_date, 4));
  else if (g_strcmp0 (p->birth_precision, "estimated") == 0)
    /* TRANSLATORS: birth date on a form when only an estimated age is known */
    in->birth = keep (d, g_strdup_printf (_("about %lld years old (estimated %s)"),
                                          (long long) p->estimated_age, p->estimated_on ? p->estimated_on : ""));
  age = jz_casework_person_age (p);
  in->age_known = age >= 0;
  in->age = MAX (age, 0);
  in->id_number = p->id_number;
  in->region = keep (d, region_text (p->hukou_region));
  in->address = p->residence;
  in->dialect = p->dialect;
  if (p->height_cm > 0)
    g_string_append_printf (desc, _("height %lld cm"), (long long) p->height_cm);
  if (p->build != NULL)
    {
      const char *build = g_str_equal (p->build, "slight") ? _("slight build")
                        : g_str_equal (p->build, "heavy") ? _("heavy build") : _("medium build");
      if (desc->len > 0)
        g_string_append (desc, _(", "));
      g_string_append (desc, build);
    }
  if (p->marks != NULL)
    {
      if (desc->len > 0)
        g_string_append (desc, _(", "));
      g_string_append (desc, p->marks);
    }
  if (p->description != NULL)
    {
      if (desc->len > 0)
        g_string_append (desc, _("; "));
      g_string_append (desc, p->description);
    }
  in->description = keep (d, g_string_free (desc, FALSE));
  in->clothing = p->clothing;
  in->health = keep (d, g_steal_pointer (&health));
  in->disability = ((p->flags | e->flags) & (JZ_FLAG_MENTAL | JZ_FLAG_INTELLECTUAL)) != 0 ||
                   (e->health & (JZ_HEALTH_MENTAL | JZ_HEALTH_INTELLECTUAL)) != 0;
  if (g_strcmp0 (p->dibao, "none") == 0)
    in->subsistence = _("none");
  else if (g_strcmp0 (p->dibao, "dibao") == 0)
    in->subsistence = _("minimum living allowance (低保)");
  else if (g_strcmp0 (p->dibao, "wubao") == 0)
    in->subsistence = _("five guarantees (五保)");
  else if (g_strcmp0 (p->dibao, "tekun") == 0)
    in->subsistence = _("extreme poverty support (特困)");
  in->photo_path = keep (d, jz_casework_person_photo_path (store, p->rec.id));

  in->episode_number = e->number;
  in->admitted_at = keep_time (d, e->admitted_at);
  in->source = jz_casework_source_label (e->source);
  if (e->handover_form_no != NULL)
    /* TRANSLATORS: the police hand-over form's number, on a form */
    in->source_detail = keep (d, g_strdup_printf (_("hand-over form %s"), e->handover_form_no));
  else if (e->from_station != NULL)
    in->source_detail = keep (d, g_strdup_printf (_("from station %s"), e->from_station));
  in->group = jz_casework_category_label (e->category);
  if (e->reason != NULL && e->history != NULL)
    in->reason = keep (d, g_strdup_printf ("%s\n%s", e->reason, e->history));
  else
    in->reason = e->reason ? e->reason : e->history;
  worker_id = g_strdup (e->assigned_to ? e->assigned_to : e->rec.updated_by);
  in->worker = keep (d, staff_name (store, worker_id));

  if (p->contacts != NULL)
    {
      json_object *arr = json_tokener_parse (p->contacts);

      for (size_t i = 0; arr != NULL && json_object_is_type (arr, json_type_array) &&
                         i < json_object_array_length (arr); i++)
        {
          json_object *o = json_object_array_get_idx (arr, i);
          json_object *v;
          JzFormContactInput c = { 0, };

          if (json_object_object_get_ex (o, "name", &v))
            c.name = keep (d, g_strdup (json_object_get_string (v)));
          if (json_object_object_get_ex (o, "relation", &v))
            c.relation = keep (d, g_strdup (json_object_get_string (v)));
          if (json_object_object_get_ex (o, "phone", &v))
            c.phone = keep (d, g_strdup (json_object_get_string (v)));
          if (json_object_object_get_ex (o, "address", &v))
            c.address = keep (d, g_strdup (json_object_get_string (v)));
          g_array_append_val (d->contacts, c);
        }
      json_object_put (arr);
      in->contacts = (const JzFormContactInput *) d->contacts->data;
      in->n_contacts = d->contacts->len;
    }
}

static gboolean
fill_belongings (FormData  *d,
                 JzStore   *store,
                 GError   **error)
{
  g_autoptr(GPtrArray) items = jz_store_list (store, &jz_entity_belonging, "episode_id", d->episode->rec.id,
                                              "received_at", FALSE, 0, error);

  if (items == NULL)
    return FALSE;
  for (guint i = 0; i < items->len; i++)
    {
      JzBelonging *b = items->pdata[i];
      JzFormBelongingInput in = { 0, };

      in.item = keep (d, g_strdup (b->item));
      in.quantity = (guint) b->qty;
      in.held = g_strcmp0 (b->kind, "held") == 0;
      in.storage = keep (d, g_strdup (b->storage));
      in.returned_quantity = (guint) b->returned_qty;
      if (b->returned_at > 0)
        in.returned_at = keep (d, jz_casework_format_time (b->returned_at));
      g_array_append_val (d->belongings, in);
    }
  d->in.belongings = (const JzFormBelongingInput *) d->belongings->data;
  d->in.n_belongings = d->belongings->len;
  return TRUE;
}

static void
fill_decision (FormData *d)
{
  JzEpisode *e = d->episode;

  d->decision.eligible = g_strcmp0 (e->eligibility, "refuse") != 0;
  d->decision.reason = e->refusal_reason;
  d->decision.assistance = keep (d, jz_casework_assistance_text (e->assistance));
  d->decision.decided_by = d->in.worker;
}

static gboolean
fill_departure (FormData  *d,
                JzStore   *store,
                GError   **error)
{
  g_autoptr(GPtrArray) deps = jz_store_list (store, &jz_entity_departure, "episode_id", d->episode->rec.id,
                                             NULL, FALSE, 1, error);
  g_autoptr(GPtrArray) trips = NULL;
  g_autoptr(GPtrArray) followups = NULL;
  JzDepartureRecord *r;
  GString *s;

  if (deps == NULL)
    return FALSE;
  trips = jz_store_list (store, &jz_entity_escort_trip, "episode_id", d->episode->rec.id, "started_at", TRUE, 1, error);
  if (trips == NULL)
    return FALSE;
  if (trips->len > 0)
    d->escort = jz_record_copy (&jz_entity_escort_trip, trips->pdata[0]);
  if (deps->len == 0)
    return TRUE;

  r = d->departure = jz_record_copy (&jz_entity_departure, deps->pdata[0]);
  d->leave.departed_at = keep_time (d, r->departed_at);
  d->leave.mode = jz_casework_mode_label (r->mode);
  if (r->destination_region != NULL || r->destination != NULL)
    {
      g_autofree char *region = region_text (r->destination_region);

      d->leave.destination = keep (d, g_strjoin (" ", region ? region : "", r->destination ? r->destination : "", NULL));
    }
  if (r->ticket_no != NULL || r->ticket_kind != NULL)
    {
      s = g_string_new (NULL);
      if (r->ticket_kind != NULL)
        g_string_append (s, g_str_equal (r->ticket_kind, "train") ? _("train") :
                            g_str_equal (r->ticket_kind, "bus") ? _("coach") :
                            g_str_equal (r->ticket_kind, "ship") ? _("ship") :
                            g_str_equal (r->ticket_kind, "plane") ? _("plane") : _("other transport"));
      if (r->ticket_no != NULL)
        g_string_append_printf (s, " %s", r->ticket_no);
      if (r->ticket_from != NULL || r->ticket_to != NULL)
        g_string_append_printf (s, " %s → %s", r->ticket_from ? r->ticket_from : "", r->ticket_to ? r->ticket_to : "");
      if (r->ticket_fen > 0)
        {
          g_autofree char *price = yuan_text (r->ticket_fen);
          g_string_append_printf (s, " (%s)", price);
        }
      d->leave.transport = keep (d, g_string_free (s, FALSE));
    }
  d->leave.cash = keep (d, r->cash_fen > 0 ? yuan_text (r->cash_fen) : g_strdup (_("none")));
  d->leave.cash_reason = r->cash_reason;
  d->leave.collector_name = r->collector_name;
  d->leave.collector_relation = r->collector_relation;
  d->leave.collector_id = r->collector_id_number;
  d->leave.collector_phone = r->collector_phone;
  d->leave.note = r->note;

  followups = jz_store_list (store, &jz_entity_followup, "episode_id", d->episode->rec.id, "due_at", FALSE, 0, error);
  if (followups == NULL)
    return FALSE;
  s = g_string_new (NULL);
  for (guint i = 0; i < followups->len; i++)
    {
      g_autofree char *date = jz_casework_format_date (((JzFollowup *) followups->pdata[i])->due_at);

      if (s->len > 0)
        g_string_append (s, _(", "));
      g_string_append (s, date);
    }
  d->leave.follow_up = keep (d, g_string_free (s, FALSE));
  return TRUE;
}

static gboolean
fill_stay (FormData  *d,
           JzStore   *store,
           GError   **error)
{
  g_autoptr(GPtrArray) steps = NULL;
  g_autoptr(GPtrArray) extensions = NULL;
  g_autoptr(GPtrArray) services = NULL;
  GString *s;

  if (d->episode->bed_id != NULL)
    {
      g_autoptr(JzBed) bed = jz_store_get_bed (store, d->episode->bed_id, NULL);
      g_autoptr(JzRoom) room = bed ? jz_store_get_room (store, bed->room_id, NULL) : NULL;

      if (bed != NULL)
        d->stay.bed = keep (d, g_strdup_printf ("%s %s", room ? room->name : "", bed->label));
    }
  d->stay.assistance = d->decision.assistance;

  steps = jz_store_list (store, &jz_entity_tracing_step, "episode_id", d->episode->rec.id, "at", FALSE, 0, error);
  if (steps == NULL)
    return FALSE;
  s = g_string_new (NULL);
  for (guint i = 0; i < steps->len; i++)
    {
      JzTracingStep *t = steps->pdata[i];
      g_autofree char *date = jz_casework_format_date (t->at);

      if (s->len > 0)
        g_string_append (s, _("; "));
      g_string_append_printf (s, "%s %s", date, jz_casework_tracing_method_label (t->method));
      if (t->result != NULL)
        g_string_append_printf (s, _(": %s"), t->result);
    }
  d->stay.tracing = keep (d, g_string_free (s, FALSE));

  extensions = jz_store_list (store, &jz_entity_stay_extension, "episode_id", d->episode->rec.id,
                              "filed_at", FALSE, 0, error);
  if (extensions == NULL)
    return FALSE;
  s = g_string_new (NULL);
  for (guint i = 0; i < extensions->len; i++)
    {
      JzStayExtension *x = extensions->pdata[i];
      g_autofree char *until = jz_casework_format_date (x->new_deadline);

      if (s->len > 0)
        g_string_append (s, _("; "));
      /* TRANSLATORS: a stay extension on a form: new limit and reason */
      g_string_append_printf (s, _("until %s: %s"), until, x->reason);
    }
  d->stay.extensions = keep (d, g_string_free (s, FALSE));

  services = jz_store_list (store, &jz_entity_service_log, "episode_id", d->episode->rec.id, "at", FALSE, 0, error);
  if (services == NULL)
    return FALSE;
  for (guint i = 0; i < services->len; i++)
    {
      JzServiceLog *l = services->pdata[i];
      JzFormServiceInput in = { 0, };

      in.date = keep (d, jz_casework_format_date (l->at));
      in.service = g_str_equal (l->kind, "meal") ? _("Meals") :
                   g_str_equal (l->kind, "lodging") ? _("Lodging") :
                   g_str_equal (l->kind, "medical") ? _("Medical visit") :
                   g_str_equal (l->kind, "hospital_stay") ? _("Hospital stay") :
                   g_str_equal (l->kind, "counselling") ? _("Counselling") :
                   g_str_equal (l->kind, "education") ? _("Education") : _("Other service");
      in.detail = keep (d, l->note ? g_strdup_printf ("%lld × %s", (long long) l->qty, l->note)
                                   : g_strdup_printf ("%lld", (long long) l->qty));
      in.staff = keep (d, staff_name (store, l->staff_id));
      g_array_append_val (d->services, in);
    }
  d->stay.services = (const JzFormServiceInput *) d->services->data;
  d->stay.n_services = d->services->len;
  return TRUE;
}

static void
fill_escort (FormData *d)
{
  JzEscortTrip *t = d->escort;

  if (t != NULL)
    {
      d->trip.departed_at = keep_time (d, t->started_at);
      d->trip.handed_over_at = keep_time (d, t->arrived_at);
      if (t->staff != NULL)
        {
          json_object *arr = json_tokener_parse (t->staff);
          GString *s = g_string_new (NULL);

          for (size_t i = 0; arr != NULL && json_object_is_type (arr, json_type_array) &&
                             i < json_object_array_length (arr); i++)
            {
              if (s->len > 0)
                g_string_append (s, _(", "));
              g_string_append (s, json_object_get_string (json_object_array_get_idx (arr, i)));
            }
          json_object_put (arr);
          d->trip.staff = keep (d, g_string_free (s, FALSE));
        }
      d->trip.vehicle = t->vehicle;
      d->trip.route = t->route;
      d->trip.receiving_unit = t->receiving_unit;
      d->trip.receiver_name = t->received_by;
      d->trip.note = t->note;
    }
  else if (d->departure != NULL)
    d->trip.departed_at = d->leave.departed_at;
  if (d->departure != NULL)
    d->trip.receiving_address = d->leave.destination;
  d->trip.health = d->in.health;
}

static FormData *
form_data_load (JzStore     *store,
                const char  *episode_id,
                GError     **error)
{
  g_autoptr(FormData) d = g_new0 (FormData, 1);
  g_autofree char *address = NULL;
  g_autofree char *phone = NULL;

  d->strings = g_ptr_array_new_with_free_func (g_free);
  d->times = g_ptr_array_new_with_free_func ((GDestroyNotify) g_date_time_unref);
  d->belongings = g_array_new (FALSE, TRUE, sizeof (JzFormBelongingInput));
  d->contacts = g_array_new (FALSE, TRUE, sizeof (JzFormContactInput));
  d->services = g_array_new (FALSE, TRUE, sizeof (JzFormServiceInput));

  d->episode = jz_store_get_episode (store, episode_id, error);
  if (d->episode == NULL)
    return NULL;
  d->person = jz_store_get_person (store, d->episode->person_id, error);
  if (d->person == NULL)
    return NULL;

  d->station.name = jz_store_get_station_name (store);
  d->station.code = jz_store_get_station_code (store);
  d->station.address = keep (d, jz_store_get_meta (store, "station_address"));
  d->station.phone = keep (d, jz_store_get_meta (store, "station_phone"));

  fill_person (d, store);
  if (!fill_belongings (d, store, error))
    return NULL;
  fill_decision (d);
  if (!fill_departure (d, store, error))
    return NULL;
  if (!fill_stay (d, store, error))
    return NULL;
  fill_escort (d);
  d->notice.contact = d->in.worker;
  return g_steal_pointer (&d);
}

const char *
jz_form_kind_get_label (JzFormKind kind)
{
  switch (kind)
    {
    case JZ_FORM_KIND_REGISTRATION:
      return _("Registration form (求助登记表)");
    case JZ_FORM_KIND_REFUSAL:
      return _("Refusal notice (不予救助通知书)");
    case JZ_FORM_KIND_TERMINATION:
      return _("Termination notice (终止救助通知书)");
    case JZ_FORM_KIND_BELONGINGS:
      return _("Belongings list (随身物品登记/返还单)");
    case JZ_FORM_KIND_SELF_DEPARTURE:
      return _("Self-departure declaration (自行离站声明书)");
    case JZ_FORM_KIND_STAY_AND_DEPARTURE:
      return _("Stay and departure record (在站服务及离站登记表)");
    case JZ_FORM_KIND_TRACING_NOTICE:
      return _("Family tracing notice (寻亲公告)");
    case JZ_FORM_KIND_ESCORT_HANDOVER:
      return _("Escort hand-over form (护送交接单)");
    case JZ_FORM_N_KINDS:
    default:
      g_return_val_if_reached ("");
    }
}

JzForm *
jz_form_data_build (JzStore     *store,
                    const char  *episode_id,
                    JzFormKind   kind,
                    gboolean     minor_confirmed,
                    GError     **error)
{
  g_autoptr(FormData) d = NULL;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);
  g_return_val_if_fail (episode_id != NULL, NULL);

  d = form_data_load (store, episode_id, error);
  if (d == NULL)
    return NULL;

  switch (kind)
    {
    case JZ_FORM_KIND_REGISTRATION:
      return jz_forms_registration (&d->station, &d->in,
                                    g_strcmp0 (d->episode->eligibility, "pending") == 0 ? NULL : &d->decision,
                                    error);
    case JZ_FORM_KIND_REFUSAL:
      return jz_forms_refusal_notice (&d->station, &d->in, d->episode->refusal_reason, NULL, error);
    case JZ_FORM_KIND_TERMINATION:
      return jz_forms_termination_notice (&d->station, &d->in,
                                          d->departure ? d->departure->note : NULL,
                                          d->leave.departed_at, error);
    case JZ_FORM_KIND_BELONGINGS:
      return jz_forms_belongings (&d->station, &d->in, error);
    case JZ_FORM_KIND_SELF_DEPARTURE:
      return jz_forms_self_departure (&d->station, &d->in, &d->leave, error);
    case JZ_FORM_KIND_STAY_AND_DEPARTURE:
      return jz_forms_stay_and_departure (&d->station, &d->in, &d->stay,
                                          d->departure ? &d->leave : NULL, error);
    case JZ_FORM_KIND_TRACING_NOTICE:
      return jz_forms_tracing_notice (&d->station, &d->in, &d->notice, minor_confirmed, error);
    case JZ_FORM_KIND_ESCORT_HANDOVER:
      return jz_forms_escort_handover (&d->station, &d->in, &d->trip, error);
    case JZ_FORM_N_KINDS:
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
jz_form_data_needs_confirmation (JzStore     *store,
                                 const char  *episode_id,
                                 JzFormKind   kind)
{
  g_autoptr(JzEpisode) episode = NULL;
  g_autoptr(JzPerson) person = NULL;
  int age;

  if (kind != JZ_FORM_KIND_TRACING_NOTICE)
    return FALSE;
  episode = jz_store_get_episode (store, episode_id, NULL);
  person = episode ? jz_store_get_person (store, episode->person_id, NULL) : NULL;
  if (person == NULL)
    return FALSE;
  age = jz_casework_person_age (person);
  return age < 0 || age < JZ_ADULT_AGE || ((person->flags | episode->flags) & JZ_FLAG_MINOR);
}

static void
show_error (GtkWidget  *parent,
            const char *heading,
            const char *message)
{
  GtkRoot *root = gtk_widget_get_root (parent);
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
print_now (GtkWidget  *parent,
           JzStore    *store,
           const char *episode_id,
           JzFormKind  kind,
           gboolean    confirmed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzForm) form = jz_form_data_build (store, episode_id, kind, confirmed, &error);
  GtkRoot *root = gtk_widget_get_root (parent);

  if (form == NULL)
    {
      show_error (parent, _("Cannot Print the Form"), error->message);
      return;
    }
  jz_form_print_with_dialog (form, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL);
}

typedef struct
{
  GtkWidget  *parent;
  JzStore    *store;
  char       *episode_id;
  JzFormKind  kind;
} PrintRequest;

static void
print_request_free (gpointer  data,
                    GClosure *closure)
{
  PrintRequest *r = data;

  g_clear_object (&r->parent);
  g_clear_object (&r->store);
  g_free (r->episode_id);
  g_free (r);
}

static void
on_confirm_response (AdwMessageDialog *dialog,
                     const char       *response,
                     PrintRequest     *r)
{
  if (g_strcmp0 (response, "print") == 0)
    print_now (r->parent, r->store, r->episode_id, r->kind, TRUE);
}

void
jz_form_data_print (GtkWidget   *parent,
                    JzStore     *store,
                    const char  *episode_id,
                    JzFormKind   kind)
{
  GtkRoot *root;
  GtkWidget *dialog;
  PrintRequest *r;

  g_return_if_fail (GTK_IS_WIDGET (parent));
  g_return_if_fail (JZ_IS_STORE (store));
  g_return_if_fail (episode_id != NULL);

  if (!jz_form_data_needs_confirmation (store, episode_id, kind))
    {
      print_now (parent, store, episode_id, kind, FALSE);
      return;
    }

  /* 未成年人保护法 art. 103: a child's identity is published only to
   * find the child. The worker answers exactly that question. */
  root = gtk_widget_get_root (parent);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Does This Notice Serve Finding the Child?"),
                                   _("This person is a minor, or their age is not known. A minor's identity may only be published to find a missing or trafficked child's family (Minors Protection Law art. 103). Print the notice only if it serves finding this child's family."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "print", _("_Yes, It Serves Finding the Child"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "print", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  r = g_new0 (PrintRequest, 1);
  r->parent = g_object_ref (parent);
  r->store = g_object_ref (store);
  r->episode_id = g_strdup (episode_id);
  r->kind = kind;
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_confirm_response), r,
                         print_request_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}
