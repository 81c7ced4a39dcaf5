/* jz-case-data.c: what the case page shows, and how it is put into words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-case-data"

#include "config.h"

#include <glib/gi18n.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "jz-actions.h"
#include "jz-audit.h"
#include "jz-case-data.h"
#include "jz-case-labels.h"
#include "jz-case-list-model.h"
#include "jz-due.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_object, json_object_put)

void
jz_timeline_entry_free (JzTimelineEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->actor_id);
  g_free (entry->actor_name);
  g_free (entry->entity);
  g_free (entry->entity_id);
  g_free (entry->op);
  g_free (entry->fields_json);
  g_free (entry);
}

void
jz_case_data_free (JzCaseData *data)
{
  if (data == NULL)
    return;
  g_clear_pointer (&data->person, jz_person_free);
  g_clear_pointer (&data->episodes, g_ptr_array_unref);
  g_clear_pointer (&data->open, jz_episode_free);
  g_clear_pointer (&data->deadlines, g_ptr_array_unref);
  g_clear_pointer (&data->timeline, g_ptr_array_unref);
  g_free (data->bed_label);
  g_free (data->bed_room_kind);
  g_free (data);
}

int
jz_case_next_deadline (GPtrArray *deadlines)
{
  const JzDeadlineStatus order[] = { JZ_DEADLINE_OVERDUE, JZ_DEADLINE_DUE, JZ_DEADLINE_UPCOMING };

  for (guint o = 0; deadlines != NULL && o < G_N_ELEMENTS (order); o++)
    for (guint i = 0; i < deadlines->len; i++)
      if (((JzDeadline *) deadlines->pdata[i])->status == order[o])
        return (int) i;
  return -1;
}

char *
jz_case_format_countdown (const JzDeadline *deadline,
                          gint64            now)
{
  gint64 due = g_date_time_to_unix (deadline->due_at);
  gint64 delta = due - now;
  gint64 days = (delta < 0 ? -delta : delta) / 86400;
  gint64 hours = (delta < 0 ? -delta : delta) / 3600;

  if (deadline->status == JZ_DEADLINE_DONE)
    return g_strdup (deadline->late ? _("done late") : _("done"));
  if (delta < 0 && deadline->status == JZ_DEADLINE_DUE)
    /* A prompt that applies (long stay, settlement): act now. */
    return g_strdup_printf (ngettext ("due for %d day", "due for %d days", (gulong) MAX (days, 1)),
                            (int) MAX (days, 1));
  if (delta < 0)
    {
      if (days >= 1)
        return g_strdup_printf (ngettext ("%d day overdue", "%d days overdue", (gulong) days), (int) days);
      return g_strdup_printf (ngettext ("%d hour overdue", "%d hours overdue", (gulong) MAX (hours, 1)),
                              (int) MAX (hours, 1));
    }
  if (days >= 1)
    return g_strdup_printf (ngettext ("%d day left", "%d days left", (gulong) days), (int) days);
  return g_strdup_printf (ngettext ("%d hour left", "%d hours left", (gulong) MAX (hours, 1)),
                          (int) MAX (hours, 1));
}

char *
jz_case_format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) t = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (unix_time == 0)
    return g_strdup ("");
  t = g_date_time_new_from_unix_utc (unix_time);
  local = g_date_time_to_timezone (t, jz_deadlines_time_zone ());
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

gboolean
jz_bed_check_room (const char  *room_kind,
                   const char  *room_name,
                   const char  *sex,
                   gboolean     minor,
                   char       **message)
{
  const char *problem = NULL;

  if (g_strcmp0 (room_kind, "men") == 0 && g_strcmp0 (sex, "female") == 0)
    problem = _("%s is a room for men. Women sleep in a women’s room: choose a bed there.");
  else if (g_strcmp0 (room_kind, "women") == 0 && g_strcmp0 (sex, "male") == 0)
    problem = _("%s is a room for women. Men sleep in a men’s room: choose a bed there.");
  else if (minor && (g_strcmp0 (room_kind, "men") == 0 || g_strcmp0 (room_kind, "women") == 0))
    problem = _("%s is a room for adults. Minors are kept apart: choose a bed in the minors’ room.");
  else if (!minor && g_strcmp0 (room_kind, "minors") == 0)
    problem = _("%s is the minors’ room. Adults sleep apart from minors: choose a bed in a men’s or women’s room.");

  if (problem == NULL)
    return TRUE;
  if (message != NULL)
    *message = g_strdup_printf (problem, room_name);
  return FALSE;
}

/* Timeline. */

static const char *
json_string (json_object *obj,
             const char  *key)
{
  json_object *v = NULL;

  if (obj == NULL || !json_object_object_get_ex (obj, key, &v) || v == NULL ||
      !json_object_is_type (v, json_type_string))
    return NULL;
  return json_object_get_string (v);
}

static gboolean
json_has (json_object *obj,
          const char  *key)
{
  return obj != NULL && json_object_object_get_ex (obj, key, NULL);
}

static gint64
json_int (json_object *obj,
          const char  *key)
{
  json_object *v = NULL;

  if (obj == NULL || !json_object_object_get_ex (obj, key, &v) || v == NULL)
    return 0;
  return json_object_get_int64 (v);
}

char *
jz_timeline_who (const JzTimelineEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);

  if (entry->from_sync)
    return entry->actor_name ? g_strdup_printf (_("From the hub (%s)"), entry->actor_name)
                             : g_strdup (_("From the hub"));
  if (entry->actor_name != NULL)
    return g_strdup (entry->actor_name);
  if (entry->actor_id != NULL)
    return g_strdup (_("A staff member of another station"));
  return g_strdup (_("System"));
}

char *
jz_timeline_describe (const JzTimelineEntry *entry)
{
  g_autoptr(json_object) fields = NULL;
  const char *e, *op;
  gboolean insert, update;

  g_return_val_if_fail (entry != NULL, NULL);

  e = entry->entity;
  op = entry->op;
  insert = g_strcmp0 (op, "insert") == 0;
  update = g_strcmp0 (op, "update") == 0;
  if (entry->fields_json != NULL)
    fields = json_tokener_parse (entry->fields_json);

  if (g_strcmp0 (op, "delete") == 0)
    return g_strdup_printf (_("Removed: %s"), jz_case_label ("entity", e));

  if (g_strcmp0 (e, "person") == 0)
    return g_strdup (insert ? _("Person registered") : _("Identity details changed"));

  if (g_strcmp0 (e, "episode") == 0)
    {
      if (insert)
        return g_strdup_printf (_("Case opened (%s)"), jz_case_label ("status", json_string (fields, "status")));
      if (json_has (fields, "status"))
        return g_strdup_printf (_("Status changed to %s"), jz_case_label ("status", json_string (fields, "status")));
      if (json_has (fields, "bed_id"))
        return g_strdup (json_string (fields, "bed_id") ? _("Bed assigned") : _("Bed freed"));
      if (json_has (fields, "stay_deadline"))
        {
          g_autofree char *date = jz_case_format_date (json_int (fields, "stay_deadline"));
          return g_strdup_printf (_("Stay limit set to %s"), date);
        }
      return g_strdup (_("Case details changed"));
    }

  if (g_strcmp0 (e, "belonging") == 0)
    {
      if (insert)
        return g_strdup_printf (_("Belonging registered: %s × %d"),
                                json_string (fields, "item") ? json_string (fields, "item") : "?",
                                (int) MAX (json_int (fields, "qty"), 1));
      if (json_has (fields, "returned_at"))
        return g_strdup (_("Belonging returned"));
      return g_strdup (_("Belonging changed"));
    }

  if (g_strcmp0 (e, "service_log") == 0 && insert)
    return g_strdup_printf (_("Service: %s × %d"), jz_case_label ("service_kind", json_string (fields, "kind")),
                            (int) MAX (json_int (fields, "qty"), 1));

  if (g_strcmp0 (e, "tracing_step") == 0 && insert)
    {
      if (json_int (fields, "success"))
        return g_strdup_printf (_("Tracing step: %s — family found"),
                                jz_case_label ("tracing_method", json_string (fields, "method")));
      return g_strdup_printf (_("Tracing step: %s"), jz_case_label ("tracing_method", json_string (fields, "method")));
    }

  if (g_strcmp0 (e, "stay_extension") == 0 && insert)
    {
      g_autofree char *date = jz_case_format_date (json_int (fields, "new_deadline"));
      return g_strdup_printf (_("Stay extended to %s: %s"), date,
                              json_string (fields, "reason") ? json_string (fields, "reason") : "");
    }

  if (g_strcmp0 (e, "departure") == 0 && insert)
    return g_strdup_printf (_("Departure: %s"), jz_case_label ("departure_mode", json_string (fields, "mode")));

  if (g_strcmp0 (e, "escort_trip") == 0)
    return g_strdup (insert ? _("Escort trip recorded") : _("Escort trip changed"));

  if (g_strcmp0 (e, "placement") == 0)
    return insert ? g_strdup_printf (_("Placement in %s"), json_string (fields, "institution") ? json_string (fields, "institution") : "?")
                  : g_strdup (_("Placement changed"));

  if (g_strcmp0 (e, "settlement") == 0)
    return json_has (fields, "status")
             ? g_strdup_printf (_("Settlement: %s"), jz_case_label ("settlement_status", json_string (fields, "status")))
             : g_strdup (_("Settlement changed"));

  if (g_strcmp0 (e, "followup") == 0)
    {
      if (insert && !json_has (fields, "done_at"))
        {
          g_autofree char *date = jz_case_format_date (json_int (fields, "due_at"));
          return g_strdup_printf (_("Follow-up scheduled for %s"), date);
        }
      if (json_has (fields, "done_at"))
        return g_strdup (_("Follow-up made"));
      return g_strdup (_("Follow-up changed"));
    }

  if (g_strcmp0 (e, "referral") == 0)
    return insert ? g_strdup_printf (_("Referral to %s"), jz_case_label ("agency", json_string (fields, "agency")))
                  : json_has (fields, "status")
                      ? g_strdup_printf (_("Referral %s"), jz_case_label ("referral_status", json_string (fields, "status")))
                      : g_strdup (_("Referral changed"));

  if (g_strcmp0 (e, "expenditure") == 0 && insert)
    {
      g_autofree char *yuan = jz_case_format_yuan (json_int (fields, "amount_fen"));
      return g_strdup_printf (_("Spent %s yuan: %s"), yuan,
                              jz_case_label ("expenditure_kind", json_string (fields, "kind")));
    }

  if (g_strcmp0 (e, "attachment") == 0 && insert)
    return g_strdup_printf (_("Attachment added: %s"),
                            json_string (fields, "name") ? json_string (fields, "name")
                                                         : jz_case_label ("attachment_kind", json_string (fields, "kind")));

  /* TRANSLATORS: a record kind, then what happened to it */
  return g_strdup_printf (C_("timeline", "%s: %s"), jz_case_label ("entity", e),
                          update ? _("changed") : _("recorded"));
}

static GPtrArray *
load_timeline (JzStore     *store,
               const char  *person_id,
               const char  *episode_id,
               GError     **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_timeline_entry_free);
  sqlite3_stmt *stmt;
  int rc;

  /* The episode, its person, and every record that belongs to them; the
   * audit log is read through its entity_id index (0012-audit-compact.sql,
   * where ids are stored as jz_uuid_pack() makes them).
   * Departures are found through two partial indexes, the live one and
   * those taken back (0009-departure-history.sql), each named by its own
   * condition: without them SQLite scanned every departure on file. */
  stmt = jz_store_prepare (store,
    "SELECT a.seq, a.at, jz_uuid_text (a.actor), a.device = 0, t.name, jz_uuid_text (a.entity_id), a.op, "
    "       jz_audit_json (a.fields), (SELECT s.name FROM staff s WHERE s.id = jz_uuid_text (a.actor)) "
    "FROM audit_log a JOIN audit_table t ON t.n = a.entity "
    "WHERE a.entity_id IN (SELECT jz_uuid_pack (x) FROM ("
    "  SELECT ?1 AS x UNION ALL SELECT ?2"
    "  UNION ALL SELECT id FROM belonging WHERE episode_id = ?1"
    "  UNION ALL SELECT id FROM service_log WHERE episode_id = ?1"
    "  UNION ALL SELECT id FROM tracing_step WHERE episode_id = ?1"
    "  UNION ALL SELECT id FROM stay_extension WHERE episode_id = ?1"
    "  UNION ALL SELECT id FROM departure WHERE episode_id = ?1 AND deleted = 0"
    "  UNION ALL SELECT id FROM departure WHERE episode_id = ?1 AND deleted = 1"
    "  UNION ALL SELECT id FROM escort_trip WHERE episode_id = ?1"
    "  UNION ALL SELECT id FROM expenditure WHERE episode_id = ?1"
    "  UNION ALL SELECT id FROM referral WHERE episode_id = ?1"
    "  UNION ALL SELECT id FROM placement WHERE person_id = ?2"
    "  UNION ALL SELECT id FROM settlement WHERE person_id = ?2"
    "  UNION ALL SELECT id FROM followup WHERE person_id = ?2 AND episode_id IS ?1"
    "  UNION ALL SELECT id FROM attachment WHERE owner_id IN (?1, ?2))) "
    "ORDER BY a.seq DESC LIMIT ?3", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, episode_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, person_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, JZ_CASE_TIMELINE_MAX);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JzTimelineEntry *entry = g_new0 (JzTimelineEntry, 1);

      entry->seq = sqlite3_column_int64 (stmt, 0);
      entry->at = sqlite3_column_int64 (stmt, 1);
      entry->actor_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      /* Device 0: a change pulled from the hub (see 0002-relief.sql). */
      entry->from_sync = sqlite3_column_int (stmt, 3) != 0;
      entry->entity = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      entry->entity_id = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      entry->op = g_strdup (jz_audit_op_name (sqlite3_column_int64 (stmt, 6)));
      entry->fields_json = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
      entry->actor_name = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
      g_ptr_array_add (out, entry);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      jz_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&out);
}

JzCaseData *
jz_case_data_load (JzStore     *store,
                   const char  *person_id,
                   gint64       now,
                   GError     **error)
{
  g_autoptr(JzCaseData) data = g_new0 (JzCaseData, 1);
  JzEpisode *shown = NULL;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);
  g_return_val_if_fail (person_id != NULL, NULL);

  if (now == 0)
    now = g_get_real_time () / G_USEC_PER_SEC;
  data->person = jz_store_get_person (store, person_id, error);
  if (data->person == NULL)
    return NULL;
  data->episodes = jz_store_list_episodes_of_person (store, person_id, error);
  if (data->episodes == NULL)
    return NULL;
  for (guint i = 0; i < data->episodes->len && data->open == NULL; i++)
    {
      JzEpisode *e = data->episodes->pdata[i];
      JzEpisodeStatus status;

      if (jz_episode_status_from_string (e->status, &status) && !jz_episode_status_is_closed (status))
        data->open = jz_record_copy (&jz_entity_episode, e);
    }

  /* Without an open episode the latest one is shown: its follow-ups. */
  shown = data->open ? data->open : data->episodes->len > 0 ? data->episodes->pdata[0] : NULL;
  if (shown != NULL)
    {
      data->deadlines = jz_store_get_episode_deadlines (store, shown->rec.id, NULL, now, error);
      if (data->deadlines == NULL)
        return NULL;
      data->timeline = load_timeline (store, person_id, shown->rec.id, error);
      if (data->timeline == NULL)
        return NULL;
    }
  else
    {
      data->deadlines = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_deadline_free);
      data->timeline = load_timeline (store, person_id, "", error);
      if (data->timeline == NULL)
        return NULL;
    }

  if (data->open != NULL && data->open->bed_id != NULL)
    {
      sqlite3_stmt *stmt = jz_store_prepare (store,
                                             "SELECT r.name, b.label, r.kind FROM bed b JOIN room r ON r.id = b.room_id "
                                             "WHERE b.id = ?1", error);

      if (stmt == NULL)
        return NULL;
      sqlite3_bind_text (stmt, 1, data->open->bed_id, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          data->bed_label = g_strdup_printf ("%s %s", sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 1));
          data->bed_room_kind = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
        }
      sqlite3_reset (stmt);
    }
  return g_steal_pointer (&data);
}
