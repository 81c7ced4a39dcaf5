/* jz-conflicts.c: sync conflicts as a person sees and decides them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-conflicts"

#include "config.h"

#include <json.h>

#include "jz-audit.h"
#include "jz-conflicts.h"
#include "jz-hlc.h"

/* The audit log has no index by record: looking for who wrote the value
 * set aside reads back from the newest entry, at most this far. */
#define AUDIT_LOOKBACK 200000

#define FIELD_PTR(rec, f)  ((guint8 *) (rec) + (f)->offset)

static void
side_clear (JzConflictSide *side)
{
  g_clear_pointer (&side->value, g_free);
  g_clear_pointer (&side->station, g_free);
  g_clear_pointer (&side->staff_id, g_free);
  g_clear_pointer (&side->staff_name, g_free);
}

void
jz_conflict_info_free (JzConflictInfo *info)
{
  if (info == NULL)
    return;
  g_clear_pointer (&info->conflict, jz_conflict_free);
  g_free (info->record_label);
  side_clear (&info->set_aside);
  side_clear (&info->current);
  g_free (info);
}

static char *
staff_name (JzStore    *store,
            const char *staff_id)
{
  g_autoptr(JzStaff) staff = NULL;

  if (staff_id == NULL)
    return NULL;
  /* Staff of other stations are soft references: often not here. */
  staff = jz_store_get_staff (store, staff_id, NULL);
  return staff != NULL ? g_strdup (staff->name) : NULL;
}

/* Who wrote @value into @field of the record, and when, as this
 * device's audit log tells: its own edits when @own, else pulled ones. */
static void
find_in_audit (JzStore        *store,
               JzConflictInfo *info,
               gboolean        own,
               JzConflictSide *side)
{
  g_autofree char *path = g_strdup_printf ("$.\"%s\"", info->field->name);
  sqlite3_stmt *stmt;

  /* First the edit that wrote exactly this value, else the latest that
   * touched the field at all. */
  for (int pass = 0; pass < 2 && side->at == 0; pass++)
    {
      stmt = jz_store_prepare (store,
                               "SELECT at, jz_uuid_text (actor) FROM audit_log"
                               " WHERE seq > (SELECT coalesce (max (seq), 0) FROM audit_log) - ?6"
                               "   AND entity = ?1 AND entity_id = jz_uuid_pack (?2) AND (device <> 0) = ?3"
                               "   AND json_type (jz_audit_json (fields), ?4) IS NOT NULL"
                               "   AND (?5 IS NULL OR json_extract (jz_audit_json (fields), ?4)"
                               "                      IS json_extract (?5, '$'))"
                               " ORDER BY seq DESC LIMIT 1", NULL);
      if (stmt == NULL)
        return;
      sqlite3_bind_int (stmt, 1, jz_audit_table_number (info->conflict->entity));
      sqlite3_bind_text (stmt, 2, info->conflict->entity_id, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 3, own ? 1 : 0);
      sqlite3_bind_text (stmt, 4, path, -1, SQLITE_STATIC);
      if (pass == 0)
        sqlite3_bind_text (stmt, 5, side->value, -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (stmt, 5);
      sqlite3_bind_int64 (stmt, 6, AUDIT_LOOKBACK);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          side->at = sqlite3_column_int64 (stmt, 0);
          if (side->staff_id == NULL && sqlite3_column_type (stmt, 1) != SQLITE_NULL)
            side->staff_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
        }
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
    }
}

static char *
record_label (JzStore        *store,
              const JzEntity *entity,
              gconstpointer   record)
{
  if (entity == &jz_entity_person)
    return jz_person_display_name (record);
  if (entity == &jz_entity_episode)
    {
      const JzEpisode *e = record;
      g_autoptr(JzPerson) p = e->person_id ? jz_store_get_person (store, e->person_id, NULL) : NULL;
      g_autofree char *name = p ? jz_person_display_name (p) : NULL;

      if (name != NULL && e->number != NULL)
        return g_strdup_printf ("%s (%s)", name, e->number);
      return g_strdup (e->number ? e->number : name);
    }
  /* Everything else hangs off a person or an episode. */
  for (guint i = 0; i < entity->n_fields; i++)
    {
      const JzField *f = &entity->fields[i];
      const char *ref = f->type == JZ_FIELD_REF ? *(char **) FIELD_PTR (record, f) : NULL;
      const JzEntity *target = f->ref ? jz_schema_lookup (f->ref) : NULL;
      gpointer parent;
      char *label;

      if (ref == NULL || (target != &jz_entity_person && target != &jz_entity_episode))
        continue;
      parent = jz_store_get (store, target, ref, NULL);
      if (parent == NULL)
        continue;
      label = record_label (store, target, parent);
      jz_record_free (target, parent);
      return label;
    }
  return NULL;
}

static JzConflictInfo *
make_info (JzStore    *store,
           JzConflict *conflict)
{
  JzConflictInfo *info = g_new0 (JzConflictInfo, 1);
  gpointer record = NULL;

  info->conflict = conflict;
  info->entity = jz_schema_lookup (conflict->entity);
  if (info->entity != NULL)
    info->field = jz_entity_get_field (info->entity, conflict->field);
  if (info->entity != NULL && (info->entity->flags & JZ_ENTITY_SYNCED))
    record = jz_store_get (store, info->entity, conflict->entity_id, NULL);
  info->record_exists = record != NULL && !((JzRecord *) record)->deleted;
  if (record != NULL)
    info->record_label = record_label (store, info->entity, record);

  info->set_aside.value = g_strdup (conflict->local_value ? conflict->local_value : "null");
  info->set_aside.station = g_strdup (conflict->rec.station);
  info->current.value = g_strdup (conflict->remote_value ? conflict->remote_value : "null");
  info->current.station = g_strdup (conflict->remote_station);
  if (conflict->remote_hlc > 0)
    info->current.at = JZ_HLC_MS (conflict->remote_hlc) / 1000;

  /* The record still holds the winning write: its last writer is known. */
  if (record != NULL && ((JzRecord *) record)->hlc == conflict->remote_hlc)
    info->current.staff_id = g_strdup (((JzRecord *) record)->updated_by);

  if (info->field != NULL)
    {
      find_in_audit (store, info, TRUE, &info->set_aside);
      if (info->current.staff_id == NULL)
        {
          gint64 at = info->current.at;

          find_in_audit (store, info, FALSE, &info->current);
          /* The clock of the writer, not the time it arrived here. */
          if (at != 0)
            info->current.at = at;
        }
    }
  info->set_aside.staff_name = staff_name (store, info->set_aside.staff_id);
  info->current.staff_name = staff_name (store, info->current.staff_id);

  if (record != NULL)
    jz_record_free (info->entity, record);
  return info;
}

GPtrArray *
jz_store_list_open_conflicts (JzStore  *store,
                              guint     limit,
                              GError  **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *out;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);

  stmt = jz_store_prepare (store,
                           "SELECT id FROM conflict WHERE decided_at IS NULL AND deleted = 0"
                           " ORDER BY hlc DESC, id LIMIT ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, limit > 0 ? (gint64) limit : -1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      jz_store_set_error_from_db (store, rc, error);
      return NULL;
    }

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_conflict_info_free);
  for (guint i = 0; i < ids->len; i++)
    {
      JzConflict *conflict = jz_store_get_conflict (store, ids->pdata[i], error);

      if (conflict == NULL)
        {
          g_ptr_array_unref (out);
          return NULL;
        }
      g_ptr_array_add (out, make_info (store, conflict));
    }
  return out;
}

gint64
jz_store_count_open_conflicts (JzStore *store)
{
  sqlite3_stmt *stmt;
  gint64 n = 0;

  g_return_val_if_fail (JZ_IS_STORE (store), 0);

  stmt = jz_store_prepare (store, "SELECT count (*) FROM conflict WHERE decided_at IS NULL AND deleted = 0", NULL);
  if (stmt == NULL)
    return 0;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

/* Puts the JSON @value into @field of @record, as the record writer
 * expects it (see the JzField types and flags). */
static gboolean
set_field_from_json (const JzEntity *entity,
                     const JzField  *field,
                     gpointer        record,
                     const char     *value,
                     GError        **error)
{
  json_object *obj = json_tokener_parse (value);
  gboolean is_null = obj == NULL || json_object_is_type (obj, json_type_null);
  gpointer p = FIELD_PTR (record, field);
  gboolean ok = TRUE;

  if (obj == NULL && g_strcmp0 (value, "null") != 0)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   "The value set aside for the %s of this %s cannot be read; keep the current value instead",
                   field->label, entity->label);
      return FALSE;
    }

  switch (field->type)
    {
    case JZ_FIELD_TEXT:
    case JZ_FIELD_ENUM:
    case JZ_FIELD_REF:
    case JZ_FIELD_STAFF:
    case JZ_FIELD_DATE:
    case JZ_FIELD_REGION:
    case JZ_FIELD_ID_NUMBER:
    case JZ_FIELD_JSON:
      g_free (*(char **) p);
      if (is_null)
        *(char **) p = NULL;
      else if (json_object_is_type (obj, json_type_string))
        *(char **) p = g_strdup (json_object_get_string (obj));
      else
        /* A JSON column whose value came as JSON rather than as text. */
        *(char **) p = g_strdup (json_object_to_json_string_ext (obj, JSON_C_TO_STRING_PLAIN));
      break;
    case JZ_FIELD_INT:
    case JZ_FIELD_TIME:
    case JZ_FIELD_MONEY:
      *(gint64 *) p = is_null ? ((field->flags & JZ_FIELD_NULL_IF_NEG) ? -1 : 0)
                              : json_object_get_int64 (obj);
      break;
    case JZ_FIELD_BOOL:
      *(gboolean *) p = !is_null && json_object_get_boolean (obj);
      break;
    case JZ_FIELD_FLAGS:
      *(guint *) p = is_null ? 0 : (guint) json_object_get_int64 (obj);
      break;
    case JZ_FIELD_REAL:
      *(double *) p = is_null ? 0.0 : json_object_get_double (obj);
      break;
    default:
      ok = FALSE;
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   "The %s of a %s cannot be set from a conflict", field->label, entity->label);
    }
  if (obj != NULL)
    json_object_put (obj);
  return ok;
}

gboolean
jz_store_resolve_conflict (JzStore           *store,
                           const char        *id,
                           JzConflictChoice   choice,
                           GError           **error)
{
  g_autoptr(JzConflict) conflict = NULL;
  const JzEntity *entity;
  const JzField *field;
  gboolean ok = TRUE;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!jz_store_write_begin (store, error))
    return FALSE;

  conflict = jz_store_get_conflict (store, id, NULL);
  if (conflict == NULL || conflict->rec.deleted || conflict->decided_at != 0)
    {
      jz_store_write_end (store, FALSE, NULL);
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_NOT_FOUND,
                   "This conflict was decided already, perhaps on another device; the list shows what is left");
      return FALSE;
    }

  if (choice == JZ_CONFLICT_KEEP_SET_ASIDE)
    {
      gpointer record = NULL;

      entity = jz_schema_lookup (conflict->entity);
      field = entity ? jz_entity_get_field (entity, conflict->field) : NULL;
      if (entity == NULL || field == NULL || !(entity->flags & JZ_ENTITY_SYNCED))
        {
          jz_store_write_end (store, FALSE, NULL);
          g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                       "This conflict is about %s.%s, which this version of Jiuzhu does not know; "
                       "keep the current value, or decide it on an up-to-date device",
                       conflict->entity, conflict->field);
          return FALSE;
        }
      record = jz_store_get (store, entity, conflict->entity_id, error);
      ok = record != NULL &&
           set_field_from_json (entity, field, record, conflict->local_value, error) &&
           jz_store_update (store, entity, record, error);
      if (record != NULL)
        jz_record_free (entity, record);
    }

  if (ok)
    {
      const char *actor = jz_store_get_actor (store);

      g_free (conflict->decision);
      conflict->decision = g_strdup (choice == JZ_CONFLICT_KEEP_SET_ASIDE ? "kept_local" : "took_remote");
      g_free (conflict->decided_by);
      conflict->decided_by = g_strdup (actor);
      conflict->decided_at = g_get_real_time () / G_USEC_PER_SEC;
      ok = jz_store_update_conflict (store, conflict, error);
    }
  if (!ok)
    {
      jz_store_write_end (store, FALSE, NULL);
      return FALSE;
    }
  return jz_store_write_end (store, TRUE, error);
}
