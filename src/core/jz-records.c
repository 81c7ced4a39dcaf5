/* jz-records.c: validated, typed writes and reads of the relief records
 *
 * One generic writer driven by the descriptions in jz-schema.c: every
 * field is checked against its description (the same rules as the table's
 * CHECK constraints, but with a message a person can act on), then the
 * entity's cross-field rules, then the row is written with a fresh HLC and
 * the current actor. The triggers do the rest (outbox, audit).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-records"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json.h>
#include <stdio.h>
#include <string.h>

#include "jz-blobs.h"
#include "jz-deadlines.h"
#include "jz-episode-rules.h"
#include "jz-idcard.h"
#include "jz-numbers.h"
#include "jz-records-private.h"
#include "jz-regions.h"
#include "jz-uuid.h"

/* Latest acceptable "past" time: clocks of two devices differ a little. */
#define FUTURE_SLACK_S (24 * 3600)
/* Earliest acceptable time: before the 2003 rules nothing is recorded here,
 * but archives digitised later may go back; 1990 catches typos. */
#define EARLIEST_TIME_S G_GINT64_CONSTANT (631152000)  /* 1990-01-01 */

#define FIELD_PTR(rec, f)  ((guint8 *) (rec) + (f)->offset)
#define STR_FIELD(rec, f)  (*(char **) FIELD_PTR (rec, f))
#define I64_FIELD(rec, f)  (*(gint64 *) FIELD_PTR (rec, f))
#define BOOL_FIELD(rec, f) (*(gboolean *) FIELD_PTR (rec, f))
#define U32_FIELD(rec, f)  (*(guint *) FIELD_PTR (rec, f))
#define DBL_FIELD(rec, f)  (*(double *) FIELD_PTR (rec, f))

static gboolean
is_synced (const JzEntity *entity)
{
  return (entity->flags & JZ_ENTITY_SYNCED) != 0;
}

static gboolean
field_is_string (const JzField *f)
{
  switch (f->type)
    {
    case JZ_FIELD_TEXT:
    case JZ_FIELD_ENUM:
    case JZ_FIELD_REF:
    case JZ_FIELD_STAFF:
    case JZ_FIELD_DATE:
    case JZ_FIELD_JSON:
    case JZ_FIELD_REGION:
    case JZ_FIELD_ID_NUMBER:
      return TRUE;
    default:
      return FALSE;
    }
}

static const JzField *
key_field (const JzEntity *entity)
{
  for (guint i = 0; i < entity->n_fields; i++)
    if (entity->fields[i].flags & JZ_FIELD_KEY)
      return &entity->fields[i];
  return NULL;
}

static const char *
record_key (const JzEntity *entity,
            gconstpointer   record)
{
  if (is_synced (entity))
    return ((const JzRecord *) record)->id;
  return STR_FIELD (record, key_field (entity));
}

static const char *
key_column (const JzEntity *entity)
{
  return is_synced (entity) ? "id" : key_field (entity)->name;
}

gpointer
jz_record_new (const JzEntity *entity)
{
  gpointer record;

  g_return_val_if_fail (entity != NULL, NULL);

  record = g_malloc0 (entity->size);
  /* Fields whose "unset" is negative (0 is a real value there). */
  for (guint i = 0; i < entity->n_fields; i++)
    if (entity->fields[i].flags & JZ_FIELD_NULL_IF_NEG)
      I64_FIELD (record, &entity->fields[i]) = -1;
  for (guint i = 0; i < entity->n_fields; i++)
    if (entity->fields[i].type == JZ_FIELD_BOOL &&
        (g_str_equal (entity->fields[i].name, "active") || g_str_equal (entity->fields[i].name, "in_station")))
      BOOL_FIELD (record, &entity->fields[i]) = TRUE;
  for (guint i = 0; i < entity->n_fields; i++)
    if (g_str_equal (entity->fields[i].name, "qty") && entity->fields[i].type == JZ_FIELD_INT)
      I64_FIELD (record, &entity->fields[i]) = 1;
  return record;
}

void
jz_record_clear (const JzEntity *entity,
                 gpointer        record)
{
  g_return_if_fail (entity != NULL);

  if (record == NULL)
    return;
  if (is_synced (entity))
    {
      JzRecord *rec = record;

      g_clear_pointer (&rec->id, g_free);
      g_clear_pointer (&rec->station, g_free);
      g_clear_pointer (&rec->updated_by, g_free);
    }
  for (guint i = 0; i < entity->n_fields; i++)
    if (field_is_string (&entity->fields[i]))
      g_clear_pointer ((char **) FIELD_PTR (record, &entity->fields[i]), g_free);
}

void
jz_record_free (const JzEntity *entity,
                gpointer        record)
{
  if (record == NULL)
    return;
  jz_record_clear (entity, record);
  g_free (record);
}

static inline char *
copy_string (const char   *text,
             GStringChunk *strings)
{
  if (strings == NULL)
    return g_strdup (text);
  return text != NULL ? g_string_chunk_insert (strings, text) : NULL;
}

/* Replaces @copy's strings by copies of their own: each allocated, or in
 * @strings if not NULL. */
static void
copy_strings (const JzEntity *entity,
              gpointer        copy,
              GStringChunk   *strings)
{
  if (is_synced (entity))
    {
      JzRecord *rec = copy;

      rec->id = copy_string (rec->id, strings);
      rec->station = copy_string (rec->station, strings);
      rec->updated_by = copy_string (rec->updated_by, strings);
    }
  for (guint i = 0; i < entity->n_fields; i++)
    if (field_is_string (&entity->fields[i]))
      STR_FIELD (copy, &entity->fields[i]) = copy_string (STR_FIELD (copy, &entity->fields[i]), strings);
}

gpointer
jz_record_copy (const JzEntity *entity,
                gconstpointer   record)
{
  gpointer copy;

  g_return_val_if_fail (entity != NULL, NULL);
  g_return_val_if_fail (record != NULL, NULL);

  copy = g_memdup2 (record, entity->size);
  copy_strings (entity, copy, NULL);
  return copy;
}

gpointer
_jz_record_copy_to_chunk (const JzEntity *entity,
                          gconstpointer   record,
                          GStringChunk   *strings)
{
  gpointer copy = g_memdup2 (record, entity->size);

  copy_strings (entity, copy, strings);
  return copy;
}

static gboolean
invalid (GError     **error,
         const char  *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError     **error,
         const char  *format,
         ...)
{
  va_list args;
  char *msg;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID, msg);
  g_free (msg);
  return FALSE;
}

/* Records and fields as the messages name them, translated. */
#define ENAME(entity) jz_entity_get_display_name (entity)
#define FNAME(field) jz_field_get_display_name (field)

static char *
join_values (const char * const *values)
{
  return g_strjoinv (", ", (char **) values);
}

static gboolean
date_is_valid (const char *text,
               GDate      *out)
{
  int y, m, d;
  char tail;

  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
    return FALSE;
  if (y < 1000 || !g_date_valid_dmy (d, m, y))
    return FALSE;
  if (out != NULL)
    {
      g_date_clear (out, 1);
      g_date_set_dmy (out, d, m, y);
    }
  return TRUE;
}

static void
today (GDate *out)
{
  /* Stations keep Beijing time; the local zone would be looked up (a
   * stat of /etc/localtime) on every call. */
  g_autoptr(GDateTime) now = g_date_time_new_now (jz_deadlines_time_zone ());

  g_date_clear (out, 1);
  g_date_set_dmy (out, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
}

static gboolean
is_staff_reference_valid (const char *id)
{
  return jz_uuid_is_valid (id);
}

/* Trims text, turns empty optional strings into NULL, fills defaults. */
static void
normalize (const JzEntity *entity,
           gpointer        record)
{
  for (guint i = 0; i < entity->n_fields; i++)
    {
      const JzField *f = &entity->fields[i];

      if (field_is_string (f))
        {
          char **p = (char **) FIELD_PTR (record, f);

          if (*p != NULL)
            {
              g_strstrip (*p);
              if (**p == '\0')
                g_clear_pointer (p, g_free);
            }
          if (*p == NULL && f->type == JZ_FIELD_ENUM && (f->flags & JZ_FIELD_DEFAULT_FIRST))
            *p = g_strdup (f->values[0]);
          if (*p != NULL && f->type == JZ_FIELD_ID_NUMBER)
            {
              char *norm = jz_idcard_normalize (*p);

              /* Invalid numbers stay as typed: validation explains. */
              if (norm != NULL)
                {
                  g_free (*p);
                  *p = norm;
                }
            }
        }
      else if (f->type == JZ_FIELD_BOOL)
        BOOL_FIELD (record, f) = BOOL_FIELD (record, f) ? TRUE : FALSE;
    }
}

/* Column list "id, station, …" and the cached SQL per entity and store. */
typedef struct
{
  char         *insert;
  char         *update;
  char         *select;
  char         *select_by_key;
  char         *ref_check;     /* "SELECT deleted FROM <table> WHERE id = ?1" */
  /* Borrowed from the store's statement cache, which outlives this. */
  sqlite3_stmt *insert_stmt;
  sqlite3_stmt *update_stmt;
  sqlite3_stmt *get_stmt;
  sqlite3_stmt *ref_stmt;
  /* INSERT … VALUES of n rows (jz_store_insert_many_as_is), by n. */
  guint         n_columns;
  char         *insert_many[JZ_STORE_INSERT_MANY_MAX + 1];
  sqlite3_stmt *insert_many_stmt[JZ_STORE_INSERT_MANY_MAX + 1];
} EntitySql;

static void
entity_sql_free (gpointer data)
{
  EntitySql *sql = data;

  g_free (sql->insert);
  g_free (sql->update);
  g_free (sql->select);
  g_free (sql->select_by_key);
  g_free (sql->ref_check);
  for (guint i = 0; i <= JZ_STORE_INSERT_MANY_MAX; i++)
    g_free (sql->insert_many[i]);
  g_free (sql);
}

static gboolean check_not_referenced (JzStore *store, const JzEntity *entity,
                                      const char *id, GError **error);

static EntitySql *
entity_sql (JzStore        *store,
            const JzEntity *entity)
{
  static GQuark quark;
  GHashTable *cache;
  EntitySql *sql;
  GString *cols, *params, *sets;
  guint n = 0;

  if (quark == 0)
    quark = g_quark_from_static_string ("jz-records-sql");
  cache = g_object_get_qdata (G_OBJECT (store), quark);
  if (cache == NULL)
    {
      cache = g_hash_table_new_full (NULL, NULL, NULL, entity_sql_free);
      g_object_set_qdata_full (G_OBJECT (store), quark, cache, (GDestroyNotify) g_hash_table_unref);
    }
  sql = g_hash_table_lookup (cache, entity);
  if (sql != NULL)
    return sql;

  cols = g_string_new (NULL);
  params = g_string_new (NULL);
  sets = g_string_new (NULL);
  if (is_synced (entity))
    for (guint i = 0; i < JZ_SCHEMA_N_HEADER; i++)
      {
        g_string_append_printf (cols, "%s%s", n ? ", " : "", jz_schema_header_columns[i]);
        g_string_append_printf (params, "%s?%u", n ? ", " : "", n + 1);
        if (i > 0)
          g_string_append_printf (sets, "%s%s = ?%u", sets->len ? ", " : "", jz_schema_header_columns[i], n + 1);
        n++;
      }
  for (guint i = 0; i < entity->n_fields; i++)
    {
      const JzField *f = &entity->fields[i];

      g_string_append_printf (cols, "%s%s", n ? ", " : "", f->name);
      g_string_append_printf (params, "%s?%u", n ? ", " : "", n + 1);
      if (!(f->flags & JZ_FIELD_KEY))
        g_string_append_printf (sets, "%s%s = ?%u", sets->len ? ", " : "", f->name, n + 1);
      n++;
    }

  sql = g_new0 (EntitySql, 1);
  sql->n_columns = n;
  sql->insert = g_strdup_printf ("INSERT INTO %s (%s) VALUES (%s)", entity->name, cols->str, params->str);
  /* The key is bound where it appears in the column list. */
  if (is_synced (entity))
    sql->update = g_strdup_printf ("UPDATE %s SET %s WHERE id = ?1", entity->name, sets->str);
  else
    {
      guint key_index = 0;
      for (guint i = 0; i < entity->n_fields; i++)
        if (entity->fields[i].flags & JZ_FIELD_KEY)
          key_index = i + 1;
      sql->update = g_strdup_printf ("UPDATE %s SET %s WHERE %s = ?%u", entity->name, sets->str,
                                     key_column (entity), key_index);
    }
  sql->select = g_strdup_printf ("SELECT %s FROM %s", cols->str, entity->name);
  sql->select_by_key = g_strdup_printf ("%s WHERE %s = ?1", sql->select, key_column (entity));
  sql->ref_check = g_strdup_printf ("SELECT deleted FROM %s WHERE %s = ?1", entity->name, key_column (entity));
  g_string_free (cols, TRUE);
  g_string_free (params, TRUE);
  g_string_free (sets, TRUE);
  g_hash_table_insert (cache, (gpointer) entity, sql);
  return sql;
}

/* The cached statement for @text, reset, without the hash lookup of the
 * store's cache (long SQL text hashed on every row adds up in bulk). */
static sqlite3_stmt *
cached_stmt (JzStore       *store,
             sqlite3_stmt **slot,
             const char    *text,
             GError       **error)
{
  if (*slot != NULL)
    {
      sqlite3_reset (*slot);
      sqlite3_clear_bindings (*slot);
      return *slot;
    }
  *slot = jz_store_prepare (store, text, error);
  return *slot;
}

typedef struct
{
  JzKnownRefFunc func;
  gpointer       user_data;
} KnownRef;

static GQuark
known_ref_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("jz-records-known-ref");
  return quark;
}

void
_jz_store_set_known_ref_func (JzStore        *store,
                              JzKnownRefFunc  func,
                              gpointer        user_data)
{
  KnownRef *known = NULL;

  g_return_if_fail (JZ_IS_STORE (store));

  if (func != NULL)
    {
      known = g_new (KnownRef, 1);
      known->func = func;
      known->user_data = user_data;
    }
  g_object_set_qdata_full (G_OBJECT (store), known_ref_quark (), known, g_free);
}

static gboolean
check_ref (JzStore        *store,
           const JzEntity *entity,
           const JzField  *f,
           const char     *id,
           GError        **error)
{
  const JzEntity *target = jz_schema_lookup (f->ref);
  const KnownRef *known;
  EntitySql *sql;
  sqlite3_stmt *stmt;
  int rc;

  g_assert (target != NULL);
  if (!jz_uuid_is_valid (id))
    return invalid (error,
                    /* Translators: a kind of record (“episode”), one of its fields
                     * (“person”), the value typed and the kind of record to choose. */
                    _("The %s's %s “%s” is not a record id; choose the %s from the list"),
                    ENAME (entity), FNAME (f), id, ENAME (target));
  known = g_object_get_qdata (G_OBJECT (store), known_ref_quark ());
  if (known != NULL && known->func (target, id, known->user_data))
    return TRUE;
  sql = entity_sql (store, target);
  stmt = cached_stmt (store, &sql->ref_stmt, sql->ref_check, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      gboolean deleted = sqlite3_column_int (stmt, 0) != 0;

      sqlite3_reset (stmt);
      if (deleted)
        return invalid (error,
                        /* Translators: a kind of record (“episode”), one of its fields
                         * (“person”) and the kind of record to choose. */
                        _("The %s's %s was deleted; choose another %s"),
                        ENAME (entity), FNAME (f), ENAME (target));
      return TRUE;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return jz_store_set_error_from_db (store, rc, error);
  return invalid (error,
                  /* Translators: a kind of record (“episode”), one of its fields
                   * (“person”), a record id and the kind of record to choose. */
                  _("The %s's %s does not exist in this store (id %s); choose an existing %s"),
                  ENAME (entity), FNAME (f), id, ENAME (target));
}

static gboolean
validate_field (JzStore        *store,
                const JzEntity *entity,
                const JzField  *f,
                gpointer        record,
                GError        **error)
{
  gint64 now_s = g_get_real_time () / G_USEC_PER_SEC;

  if (field_is_string (f))
    {
      const char *v = STR_FIELD (record, f);

      if (v == NULL)
        {
          if (f->flags & JZ_FIELD_REQUIRED)
            return invalid (error,
                            /* Translators: a kind of record (“episode”) and one of its
                             * fields (“admission time”). */
                            _("The %s has no %s; fill it in"), ENAME (entity), FNAME (f));
          return TRUE;
        }
      if (!g_utf8_validate (v, -1, NULL))
        return invalid (error,
                        /* Translators: the first %s names a kind of record (“person”), the second one of its fields (“birth date”). */
                        _("The %s's %s is not valid text (UTF-8); type it again"), ENAME (entity), FNAME (f));

      switch (f->type)
        {
        case JZ_FIELD_TEXT:
          {
            glong max = f->max > 0 ? f->max : 4000;
            if (g_utf8_strlen (v, -1) > max)
              return invalid (error,
                              /* Translators: a kind of record and one of its fields, then
                               * the number of characters typed and allowed. */
                              _("The %s's %s is too long (%ld characters); shorten it to %ld"),
                              ENAME (entity), FNAME (f), g_utf8_strlen (v, -1), max);
          }
          return TRUE;

        case JZ_FIELD_ENUM:
          if (!g_strv_contains ((const char * const *) f->values, v))
            {
              g_autofree char *list = join_values (f->values);
              return invalid (error,
                              /* Translators: a kind of record and one of its fields, the
                               * value given and the list of the values allowed (codes). */
                              _("The %s's %s “%s” is not one of: %s"),
                              ENAME (entity), FNAME (f), v, list);
            }
          return TRUE;

        case JZ_FIELD_REF:
          return check_ref (store, entity, f, v, error);

        case JZ_FIELD_STAFF:
          if (!is_staff_reference_valid (v))
            return invalid (error,
                            /* Translators: a kind of record and one of its fields, and the
                             * value given. */
                            _("The %s's %s “%s” is not a staff member's id; choose a staff member from the list"),
                            ENAME (entity), FNAME (f), v);
          return TRUE;

        case JZ_FIELD_DATE:
          {
            GDate d, t;

            if (!date_is_valid (v, &d))
              return invalid (error,
                              /* Translators: a kind of record and one of its fields, and the
                               * value given. */
                              _("The %s's %s “%s” is not a date; use YYYY-MM-DD, e.g. 2026-03-01"),
                              ENAME (entity), FNAME (f), v);
            today (&t);
            g_date_add_days (&t, 1);
            if ((f->flags & JZ_FIELD_NOT_FUTURE) && g_date_compare (&d, &t) > 0)
              return invalid (error,
                              /* Translators: a kind of record and one of its fields, and a
                               * date (YYYY-MM-DD). */
                              _("The %s's %s %s is in the future; check the year"),
                              ENAME (entity), FNAME (f), v);
            if (g_date_get_year (&d) < 1880)
              return invalid (error,
                              /* Translators: a kind of record and one of its fields, and a
                               * date (YYYY-MM-DD) before 1880. */
                              _("The %s's %s %s is too long ago; check the year"),
                              ENAME (entity), FNAME (f), v);
          }
          return TRUE;

        case JZ_FIELD_JSON:
          {
            json_object *obj = json_tokener_parse (v);
            gboolean ok = obj != NULL || g_str_equal (v, "null");
            gboolean array = obj != NULL && json_object_is_type (obj, json_type_array);

            json_object_put (obj);
            if (!ok)
              return invalid (error,
                              /* Translators: the first %s names a kind of record (“person”), the second one of its fields (“birth date”). */
                              _("The %s's %s is not valid JSON"), ENAME (entity), FNAME (f));
            if ((f->flags & JZ_FIELD_JSON_ARRAY) && !array)
              return invalid (error,
                              /* Translators: the first %s names a kind of record (“person”), the second one of its fields (“birth date”). */
                              _("The %s's %s must be a list (a JSON array)"), ENAME (entity), FNAME (f));
          }
          return TRUE;

        case JZ_FIELD_REGION:
          {
            gboolean digits = strlen (v) == 6 && v[0] != '0';

            for (guint i = 0; digits && i < 6; i++)
              digits = g_ascii_isdigit (v[i]);
            if (!digits)
              return invalid (error,
                              /* Translators: a kind of record and one of its fields, and the
                               * value given. */
                              _("The %s's %s “%s” is not a region code; use the 6-digit GB/T 2260 code, e.g. 320481"),
                              ENAME (entity), FNAME (f), v);
            if (jz_regions_lookup (v) == NULL)
              return invalid (error,
                              /* Translators: a kind of record and one of its fields, and a
                               * 6-digit code. */
                              _("The %s's %s %s is not in the GB/T 2260 region table (current or abolished codes); check the digits"),
                              ENAME (entity), FNAME (f), v);
          }
          return TRUE;

        case JZ_FIELD_ID_NUMBER:
          {
            g_autoptr(GError) local = NULL;
            JzIdCard card;

            if (!jz_idcard_parse (v, &card, &local))
              return invalid (error,
                              /* Translators: a kind of record and one of its fields (“person”,
                               * “ID number”), then what is wrong with the number. */
                              _("The %s's %s: %s"), ENAME (entity), FNAME (f), local->message);
          }
          return TRUE;

        default:
          g_assert_not_reached ();
        }
    }

  switch (f->type)
    {
    case JZ_FIELD_BOOL:
      return TRUE;

    case JZ_FIELD_FLAGS:
      {
        guint n = g_strv_length ((char **) f->values);
        if (U32_FIELD (record, f) >= (1u << n))
          return invalid (error,
                          /* Translators: a kind of record and one of its fields, and a
                           * hexadecimal number. */
                          _("The %s's %s has unknown bits set (0x%x)"), ENAME (entity), FNAME (f),
                          U32_FIELD (record, f));
      }
      return TRUE;

    case JZ_FIELD_REAL:
      {
        double v = DBL_FIELD (record, f);

        if ((f->flags & JZ_FIELD_NULL_IF_ZERO) && v == 0.0)
          return TRUE;
        if (!(v >= f->min && v <= f->max))
          return invalid (error,
                          /* Translators: a kind of record and one of its fields, the value
                           * given and the smallest and largest allowed. */
                          _("The %s's %s %g is out of range; use %lld to %lld"),
                          ENAME (entity), FNAME (f), v, (long long) f->min, (long long) f->max);
      }
      return TRUE;

    case JZ_FIELD_INT:
    case JZ_FIELD_MONEY:
    case JZ_FIELD_TIME:
      {
        gint64 v = I64_FIELD (record, f);

        if (((f->flags & JZ_FIELD_NULL_IF_ZERO) && v == 0) ||
            ((f->flags & JZ_FIELD_NULL_IF_NEG) && v < 0))
          return TRUE;
        if (f->type == JZ_FIELD_TIME)
          {
            if (v == 0 && (f->flags & JZ_FIELD_REQUIRED))
              return invalid (error,
                              /* Translators: a kind of record (“episode”) and one of its
                               * fields (“admission time”). */
                              _("The %s has no %s; fill it in"), ENAME (entity), FNAME (f));
            if (v < EARLIEST_TIME_S)
              return invalid (error,
                              /* Translators: the first %s names a kind of record (“person”), the second one of its fields (“birth date”). */
                              _("The %s's %s is before 1990; check the date"), ENAME (entity), FNAME (f));
            if ((f->flags & JZ_FIELD_NOT_FUTURE) && v > now_s + FUTURE_SLACK_S)
              return invalid (error,
                              /* Translators: the first %s names a kind of record (“person”), the second one of its fields (“birth date”). */
                              _("The %s's %s is in the future; check the date and the computer's clock"),
                              ENAME (entity), FNAME (f));
            return TRUE;
          }
        if (f->type == JZ_FIELD_MONEY)
          {
            if (v < 0)
              return invalid (error,
                              /* Translators: the first %s names a kind of record (“person”), the second one of its fields (“birth date”). */
                              _("The %s's %s is negative; enter the amount in yuan"), ENAME (entity), FNAME (f));
            if (v > f->max)
              {
                g_autofree char *amount = g_strdup_printf ("%" G_GINT64_FORMAT ".%02d", v / 100, (int) (v % 100));

                return invalid (error,
                                /* Translators: a kind of record and one of its fields, and
                                 * an amount in yuan (e.g. 2000000.00). */
                                _("The %s's %s %s yuan is implausibly large; check the amount"),
                                ENAME (entity), FNAME (f), amount);
              }
            return TRUE;
          }
        if (v < f->min || v > f->max)
          return invalid (error,
                          /* Translators: a kind of record and one of its fields, the value
                           * given and the smallest and largest allowed. */
                          _("The %s's %s %lld is out of range; use %lld to %lld"),
                          ENAME (entity), FNAME (f), (long long) v, (long long) f->min, (long long) f->max);
      }
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

gboolean
jz_store_validate (JzStore         *store,
                   const JzEntity  *entity,
                   gpointer         record,
                   gconstpointer    old,
                   GError         **error)
{
  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (entity != NULL, FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  normalize (entity, record);
  for (guint i = 0; i < entity->n_fields; i++)
    if (!validate_field (store, entity, &entity->fields[i], record, error))
      return FALSE;
  if (entity->validate != NULL && !entity->validate (store, entity, record, old, error))
    return FALSE;
  return TRUE;
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static inline void
bind_record_text (sqlite3_stmt *stmt,
                  int           index,
                  const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

/* Binds @record's columns to the parameters from @first on. Its strings
 * are bound where they lie, not copied: every caller steps and resets the
 * statement at once, while it holds @record. */
static void
bind_record_at (sqlite3_stmt   *stmt,
                const JzEntity *entity,
                gconstpointer   record,
                int             first)
{
  int n = first;

  if (is_synced (entity))
    {
      const JzRecord *rec = record;

      bind_record_text (stmt, n++, rec->id);
      bind_record_text (stmt, n++, rec->station);
      sqlite3_bind_int64 (stmt, n++, rec->hlc);
      bind_record_text (stmt, n++, rec->updated_by);
      sqlite3_bind_int (stmt, n++, rec->deleted ? 1 : 0);
    }
  for (guint i = 0; i < entity->n_fields; i++, n++)
    {
      const JzField *f = &entity->fields[i];

      if (field_is_string (f))
        bind_record_text (stmt, n, STR_FIELD (record, f));
      else if (f->type == JZ_FIELD_BOOL)
        sqlite3_bind_int (stmt, n, BOOL_FIELD (record, f) ? 1 : 0);
      else if (f->type == JZ_FIELD_FLAGS)
        sqlite3_bind_int64 (stmt, n, U32_FIELD (record, f));
      else if (f->type == JZ_FIELD_REAL)
        {
          double v = DBL_FIELD (record, f);
          if ((f->flags & JZ_FIELD_NULL_IF_ZERO) && v == 0.0)
            sqlite3_bind_null (stmt, n);
          else
            sqlite3_bind_double (stmt, n, v);
        }
      else
        {
          gint64 v = I64_FIELD (record, f);
          if (((f->flags & JZ_FIELD_NULL_IF_ZERO) && v == 0) ||
              ((f->flags & JZ_FIELD_NULL_IF_NEG) && v < 0))
            sqlite3_bind_null (stmt, n);
          else
            sqlite3_bind_int64 (stmt, n, v);
        }
    }
}

static void
bind_record (sqlite3_stmt   *stmt,
             const JzEntity *entity,
             gconstpointer   record)
{
  bind_record_at (stmt, entity, record, 1);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           col)
{
  const char *t = (const char *) sqlite3_column_text (stmt, col);

  return t ? g_strdup (t) : NULL;
}

static gpointer
read_record (sqlite3_stmt   *stmt,
             const JzEntity *entity)
{
  gpointer record = g_malloc0 (entity->size);
  int n = 0;

  if (is_synced (entity))
    {
      JzRecord *rec = record;

      rec->id = column_dup (stmt, n++);
      rec->station = column_dup (stmt, n++);
      rec->hlc = sqlite3_column_int64 (stmt, n++);
      rec->updated_by = column_dup (stmt, n++);
      rec->deleted = sqlite3_column_int (stmt, n++) != 0;
    }
  for (guint i = 0; i < entity->n_fields; i++, n++)
    {
      const JzField *f = &entity->fields[i];
      gboolean null = sqlite3_column_type (stmt, n) == SQLITE_NULL;

      if (field_is_string (f))
        STR_FIELD (record, f) = column_dup (stmt, n);
      else if (f->type == JZ_FIELD_BOOL)
        BOOL_FIELD (record, f) = sqlite3_column_int (stmt, n) != 0;
      else if (f->type == JZ_FIELD_FLAGS)
        U32_FIELD (record, f) = (guint) sqlite3_column_int64 (stmt, n);
      else if (f->type == JZ_FIELD_REAL)
        DBL_FIELD (record, f) = null ? 0.0 : sqlite3_column_double (stmt, n);
      else if (null && (f->flags & JZ_FIELD_NULL_IF_NEG))
        I64_FIELD (record, f) = -1;
      else
        I64_FIELD (record, f) = sqlite3_column_int64 (stmt, n);
    }
  return record;
}

/* A constraint the checks above missed (or a race): still say which. */
static gboolean
step_error (JzStore         *store,
            const JzEntity  *entity,
            int              rc,
            GError         **error)
{
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      const char *msg = sqlite3_errmsg (jz_store_get_db (store));

      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        /* Translators: a kind of record, then SQLite's message (English). */
        return invalid (error, _("The %s is already recorded (%s)"), ENAME (entity), msg);
      /* Translators: a kind of record, then SQLite's message (English). */
      return invalid (error, _("The %s was refused by the store: %s"), ENAME (entity), msg);
    }
  jz_store_set_error_from_db (store, rc, error);
  /* Translators: a kind of record; the reason follows. */
  g_prefix_error (error, _("Cannot save the %s: "), ENAME (entity));
  return FALSE;
}

static gpointer
get_internal (JzStore         *store,
              const JzEntity  *entity,
              const char      *id,
              GError         **error)
{
  EntitySql *sql = entity_sql (store, entity);
  sqlite3_stmt *stmt = cached_stmt (store, &sql->get_stmt, sql->select_by_key, error);
  gpointer record;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      if (rc == SQLITE_DONE)
        g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_NOT_FOUND,
                     /* Translators: a kind of record and a record id (a UUID). */
                     _("There is no %s with id %s"), ENAME (entity), id);
      else
        jz_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  record = read_record (stmt, entity);
  sqlite3_reset (stmt);
  return record;
}

gpointer
jz_store_get (JzStore         *store,
              const JzEntity  *entity,
              const char      *id,
              GError         **error)
{
  g_return_val_if_fail (JZ_IS_STORE (store), NULL);
  g_return_val_if_fail (entity != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return get_internal (store, entity, id, error);
}

static gboolean
assign_numbers (JzStore         *store,
                const JzEntity  *entity,
                gpointer         record,
                GError         **error)
{
  if (entity == &jz_entity_episode)
    {
      JzEpisode *episode = record;

      if (episode->number == NULL && episode->admitted_at != 0)
        {
          episode->number = jz_numbers_next_episode_number (store, episode->admitted_at, error);
          if (episode->number == NULL)
            return FALSE;
        }
    }
  else if (entity == &jz_entity_person)
    {
      JzPerson *person = record;

      if (person->name == NULL && person->placeholder_no == 0 &&
          g_strcmp0 (person->name_quality, "unknown") == 0)
        {
          person->placeholder_no = jz_numbers_next_placeholder (store, error);
          if (person->placeholder_no == 0)
            return FALSE;
        }
    }
  return TRUE;
}

static void
stamp (JzStore  *store,
       JzRecord *rec,
       gint64    hlc)
{
  rec->hlc = hlc;
  g_free (rec->updated_by);
  rec->updated_by = g_strdup (jz_store_get_actor (store));
}


gboolean
_jz_store_insert_in_txn (JzStore         *store,
                         const JzEntity  *entity,
                         gpointer         record,
                         GError         **error)
{
  sqlite3_stmt *stmt;
  int rc;

  normalize (entity, record);
  if (is_synced (entity))
    {
      JzRecord *rec = record;

      if (rec->id == NULL)
        rec->id = jz_uuid_v7_new ();
      else if (!jz_uuid_is_valid (rec->id))
        /* Translators: a kind of record and the id it was given. */
        return invalid (error, _("The %s's id “%s” is not a UUID"), ENAME (entity), rec->id);
      if (rec->station == NULL)
        rec->station = g_strdup (jz_store_get_station_code (store));
      rec->deleted = FALSE;
    }
  if (!assign_numbers (store, entity, record, error))
    return FALSE;
  if (!jz_store_validate (store, entity, record, NULL, error))
    return FALSE;
  if (is_synced (entity))
    {
      gint64 hlc = jz_store_hlc_now (store, error);
      if (hlc == 0)
        return FALSE;
      stamp (store, record, hlc);
    }

  stmt = cached_stmt (store, &entity_sql (store, entity)->insert_stmt, entity_sql (store, entity)->insert, error);
  if (stmt == NULL)
    return FALSE;
  bind_record (stmt, entity, record);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return step_error (store, entity, rc, error);
  jz_store_note_changed (store, entity->name);
  return TRUE;
}

gboolean
jz_store_insert (JzStore         *store,
                 const JzEntity  *entity,
                 gpointer         record,
                 GError         **error)
{
  gboolean ok;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (entity != NULL, FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (!jz_store_write_begin (store, error))
    return FALSE;
  ok = _jz_store_insert_in_txn (store, entity, record, error);
  return jz_store_write_end (store, ok, ok ? error : NULL) && ok;
}

/* Bulk loads (demo data, import) write records exactly as given, ids,
 * clocks and numbers included: the caller validated them (or made them
 * valid) and holds the transaction. The triggers capture them as usual. */
gboolean
jz_store_insert_as_is (JzStore         *store,
                       const JzEntity  *entity,
                       gconstpointer    record,
                       GError         **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (entity != NULL, FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  stmt = cached_stmt (store, &entity_sql (store, entity)->insert_stmt, entity_sql (store, entity)->insert, error);
  if (stmt == NULL)
    return FALSE;
  bind_record (stmt, entity, record);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return step_error (store, entity, rc, error);
  jz_store_note_changed (store, entity->name);
  return TRUE;
}

/* The statement inserting @n rows of @entity (1 < n ≤ the maximum). */
static sqlite3_stmt *
insert_many_stmt (JzStore        *store,
                  const JzEntity *entity,
                  guint           n,
                  GError        **error)
{
  EntitySql *sql = entity_sql (store, entity);

  if (sql->insert_many[n] == NULL)
    {
      const char *values = strstr (sql->insert, " VALUES (");
      GString *text = g_string_new_len (sql->insert, values - sql->insert);

      g_assert (values != NULL);
      g_string_append (text, " VALUES ");
      for (guint r = 0; r < n; r++)
        {
          g_string_append (text, r ? ", (" : "(");
          for (guint c = 0; c < sql->n_columns; c++)
            g_string_append (text, c ? ", ?" : "?");
          g_string_append_c (text, ')');
        }
      sql->insert_many[n] = g_string_free (text, FALSE);
    }
  return cached_stmt (store, &sql->insert_many_stmt[n], sql->insert_many[n], error);
}

/* As jz_store_insert_as_is, @n records at a time: one INSERT of up to
 * JZ_STORE_INSERT_MANY_MAX rows. The rows (and their triggers) run in
 * the given order. A statement that changes rows in a transaction keeps a
 * statement journal of the pages it changes and allocates a frame for each
 * trigger program; with many rows per statement that is paid once per
 * statement instead of once per row. On an error no row of the failing
 * statement is written, but earlier statements' rows are: the caller
 * rolls back. */
gboolean
jz_store_insert_many_as_is (JzStore               *store,
                            const JzEntity        *entity,
                            const gconstpointer   *records,
                            guint                  n,
                            GError               **error)
{
  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (entity != NULL, FALSE);
  g_return_val_if_fail (n == 0 || records != NULL, FALSE);

  while (n > 0)
    {
      /* Powers of two: each size is a statement to prepare (with its
       * triggers, about a million instructions). */
      guint k = JZ_STORE_INSERT_MANY_MAX;
      sqlite3_stmt *stmt;
      guint n_columns;
      int rc;

      while (k > n)
        k /= 2;
      if (k == 1)
        return jz_store_insert_as_is (store, entity, records[0], error);
      stmt = insert_many_stmt (store, entity, k, error);
      if (stmt == NULL)
        return FALSE;
      n_columns = entity_sql (store, entity)->n_columns;
      for (guint r = 0; r < k; r++)
        bind_record_at (stmt, entity, records[r], 1 + (int) (r * n_columns));
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return step_error (store, entity, rc, error);
      jz_store_note_changed (store, entity->name);
      records += k;
      n -= k;
    }
  return TRUE;
}


gboolean
_jz_store_update_in_txn (JzStore         *store,
                         const JzEntity  *entity,
                         gpointer         record,
                         GError         **error)
{
  const char *key = record_key (entity, record);
  gpointer old;
  sqlite3_stmt *stmt;
  int rc;
  gboolean ok;

  if (key == NULL)
    /* Translators: a kind of record. */
    return invalid (error, _("The %s has no id; it must be saved as a new record first"), ENAME (entity));
  old = get_internal (store, entity, key, error);
  if (old == NULL)
    return FALSE;

  if (is_synced (entity))
    {
      JzRecord *rec = record;
      const JzRecord *stored = old;

      if (rec->hlc != stored->hlc)
        {
          jz_record_free (entity, old);
          g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_CONFLICT,
                       /* Translators: a kind of record. */
                       _("The %s was changed by someone else (or by a sync) since it was opened; "
                         "reopen it and make the change again"), ENAME (entity));
          return FALSE;
        }
      if (stored->deleted && rec->deleted)
        {
          jz_record_free (entity, old);
          /* Translators: a kind of record. */
          return invalid (error, _("The %s was deleted; it cannot be changed"), ENAME (entity));
        }
      /* Where a record came from never changes. */
      g_free (rec->station);
      rec->station = g_strdup (stored->station);
      if (rec->deleted && !stored->deleted && !check_not_referenced (store, entity, key, error))
        {
          jz_record_free (entity, old);
          return FALSE;
        }
    }

  ok = jz_store_validate (store, entity, record, old, error);
  jz_record_free (entity, old);
  if (!ok)
    return FALSE;
  if (is_synced (entity))
    {
      gint64 hlc = jz_store_hlc_now (store, error);
      if (hlc == 0)
        return FALSE;
      stamp (store, record, hlc);
    }

  stmt = cached_stmt (store, &entity_sql (store, entity)->update_stmt, entity_sql (store, entity)->update, error);
  if (stmt == NULL)
    return FALSE;
  bind_record (stmt, entity, record);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return step_error (store, entity, rc, error);
  jz_store_note_changed (store, entity->name);
  return TRUE;
}

gboolean
jz_store_update (JzStore         *store,
                 const JzEntity  *entity,
                 gpointer         record,
                 GError         **error)
{
  gboolean ok;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (entity != NULL, FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (!jz_store_write_begin (store, error))
    return FALSE;
  ok = _jz_store_update_in_txn (store, entity, record, error);
  return jz_store_write_end (store, ok, ok ? error : NULL) && ok;
}

/* A record that live records still refer to cannot be deleted. */
static gboolean
check_not_referenced (JzStore         *store,
                      const JzEntity  *entity,
                      const char      *id,
                      GError         **error)
{
  guint n_entities;
  const JzEntity * const *entities = jz_schema_entities (&n_entities);

  for (guint e = 0; e < n_entities; e++)
    for (guint i = 0; i < entities[e]->n_fields; i++)
      {
        const JzField *f = &entities[e]->fields[i];
        g_autofree char *sql = NULL;
        sqlite3_stmt *stmt;
        gint64 count = 0;

        if (f->type != JZ_FIELD_REF || !g_str_equal (f->ref, entity->name))
          continue;
        sql = g_strdup_printf ("SELECT count(*) FROM %s WHERE %s = ?1 AND deleted = 0",
                               entities[e]->name, f->name);
        stmt = jz_store_prepare (store, sql, error);
        if (stmt == NULL)
          return FALSE;
        sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          count = sqlite3_column_int64 (stmt, 0);
        sqlite3_reset (stmt);
        if (count > 0)
          return invalid (error,
                          g_dngettext (GETTEXT_PACKAGE,
                                       /* Translators: a kind of record (“person”), a number and
                                        * another kind of record (“episode”). */
                                       "The %s is still referred to by %lld %s record; delete or change it first",
                                       "The %s is still referred to by %lld %s records; delete or change those first",
                                       (gulong) MIN (count, G_MAXLONG)),
                          ENAME (entity), (long long) count, ENAME (entities[e]));
      }
  return TRUE;
}


gboolean
_jz_store_delete_in_txn (JzStore         *store,
                         const JzEntity  *entity,
                         const char      *id,
                         gint64           base_hlc,
                         GError         **error)
{
  gpointer old = get_internal (store, entity, id, error);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (old == NULL)
    return FALSE;

  if (is_synced (entity))
    {
      JzRecord *rec = old;
      gint64 hlc;

      if (base_hlc != 0 && rec->hlc != base_hlc)
        {
          jz_record_free (entity, old);
          g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_CONFLICT,
                       /* Translators: a kind of record. */
                       _("The %s was changed by someone else (or by a sync) since it was opened; "
                         "reopen it before deleting it"), ENAME (entity));
          return FALSE;
        }
      if (rec->deleted)
        {
          jz_record_free (entity, old);
          return TRUE;
        }
      jz_record_free (entity, old);
      if (!check_not_referenced (store, entity, id, error))
        return FALSE;
      hlc = jz_store_hlc_now (store, error);
      if (hlc == 0)
        return FALSE;
      sql = g_strdup_printf ("UPDATE %s SET deleted = 1, hlc = ?2, updated_by = ?3 WHERE id = ?1", entity->name);
      stmt = jz_store_prepare (store, sql, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, hlc);
      bind_text_or_null (stmt, 3, jz_store_get_actor (store));
    }
  else
    {
      jz_record_free (entity, old);
      sql = g_strdup_printf ("DELETE FROM %s WHERE %s = ?1", entity->name, key_column (entity));
      stmt = jz_store_prepare (store, sql, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
    }
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return step_error (store, entity, rc, error);
  jz_store_note_changed (store, entity->name);
  return TRUE;
}

gboolean
jz_store_delete (JzStore         *store,
                 const JzEntity  *entity,
                 const char      *id,
                 gint64           base_hlc,
                 GError         **error)
{
  gboolean ok;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (entity != NULL, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!jz_store_write_begin (store, error))
    return FALSE;
  ok = _jz_store_delete_in_txn (store, entity, id, base_hlc, error);
  return jz_store_write_end (store, ok, ok ? error : NULL) && ok;
}

#define DEFINE_TRAMPOLINE(lower) \
  static void free_##lower (gpointer r) { jz_record_free (&jz_entity_##lower, r); }
DEFINE_TRAMPOLINE (staff)
DEFINE_TRAMPOLINE (room)
DEFINE_TRAMPOLINE (bed)
DEFINE_TRAMPOLINE (person)
DEFINE_TRAMPOLINE (episode)
DEFINE_TRAMPOLINE (belonging)
DEFINE_TRAMPOLINE (service_log)
DEFINE_TRAMPOLINE (tracing_step)
DEFINE_TRAMPOLINE (stay_extension)
DEFINE_TRAMPOLINE (departure)
DEFINE_TRAMPOLINE (escort_trip)
DEFINE_TRAMPOLINE (placement)
DEFINE_TRAMPOLINE (settlement)
DEFINE_TRAMPOLINE (followup)
DEFINE_TRAMPOLINE (patrol)
DEFINE_TRAMPOLINE (encounter)
DEFINE_TRAMPOLINE (encounter_item)
DEFINE_TRAMPOLINE (sighting_report)
DEFINE_TRAMPOLINE (referral)
DEFINE_TRAMPOLINE (expenditure)
DEFINE_TRAMPOLINE (attachment)
DEFINE_TRAMPOLINE (conflict)
DEFINE_TRAMPOLINE (holiday)


GDestroyNotify
_jz_record_free_func (const JzEntity *entity)
{
  static const struct { const JzEntity *entity; GDestroyNotify func; } table[] = {
    { &jz_entity_staff, free_staff },
    { &jz_entity_room, free_room },
    { &jz_entity_bed, free_bed },
    { &jz_entity_person, free_person },
    { &jz_entity_episode, free_episode },
    { &jz_entity_belonging, free_belonging },
    { &jz_entity_service_log, free_service_log },
    { &jz_entity_tracing_step, free_tracing_step },
    { &jz_entity_stay_extension, free_stay_extension },
    { &jz_entity_departure, free_departure },
    { &jz_entity_escort_trip, free_escort_trip },
    { &jz_entity_placement, free_placement },
    { &jz_entity_settlement, free_settlement },
    { &jz_entity_followup, free_followup },
    { &jz_entity_patrol, free_patrol },
    { &jz_entity_encounter, free_encounter },
    { &jz_entity_encounter_item, free_encounter_item },
    { &jz_entity_sighting_report, free_sighting_report },
    { &jz_entity_referral, free_referral },
    { &jz_entity_expenditure, free_expenditure },
    { &jz_entity_attachment, free_attachment },
    { &jz_entity_conflict, free_conflict },
    { &jz_entity_holiday, free_holiday },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (table[i].entity == entity)
      return table[i].func;
  g_return_val_if_reached (NULL);
}


/* Runs "<select of entity> <where_order>" with an optional ?1. */
GPtrArray *
_jz_store_list_sql (JzStore         *store,
                    const JzEntity  *entity,
                    const char      *where_order,
                    const char      *bind1,
                    GError         **error)
{
  g_autofree char *sql = g_strdup_printf ("%s %s", entity_sql (store, entity)->select, where_order);
  sqlite3_stmt *stmt = jz_store_prepare (store, sql, error);
  g_autoptr(GPtrArray) out = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func (_jz_record_free_func (entity));
  if (bind1 != NULL)
    sqlite3_bind_text (stmt, 1, bind1, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, read_record (stmt, entity));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      jz_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&out);
}

GPtrArray *
jz_store_list (JzStore         *store,
               const JzEntity  *entity,
               const char      *column,
               const char      *value,
               const char      *order_by,
               gboolean         descending,
               guint            limit,
               GError         **error)
{
  g_autoptr(GString) tail = g_string_new (NULL);

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);
  g_return_val_if_fail (entity != NULL, NULL);
  /* Identifiers come from the descriptions, never from the caller's text. */
  g_return_val_if_fail (column == NULL || jz_entity_get_field (entity, column) != NULL, NULL);
  g_return_val_if_fail (order_by == NULL || jz_entity_get_field (entity, order_by) != NULL ||
                        g_strv_contains (jz_schema_header_columns, order_by), NULL);

  g_string_append (tail, is_synced (entity) ? "WHERE deleted = 0" : "WHERE 1");
  if (column != NULL)
    g_string_append_printf (tail, " AND %s = ?1", column);
  g_string_append_printf (tail, " ORDER BY %s%s", order_by ? order_by : key_column (entity),
                          descending ? " DESC" : "");
  if (limit > 0)
    g_string_append_printf (tail, " LIMIT %u", limit);
  return _jz_store_list_sql (store, entity, tail->str, column ? value : NULL, error);
}

char *
jz_person_display_name (const JzPerson *person)
{
  g_return_val_if_fail (person != NULL, NULL);

  if (person->name != NULL)
    return g_strdup (person->name);
  /* 无名氏 is the domain's term for an unnamed person, printed as such on
   * forms in any UI language. */
  return g_strdup_printf ("无名氏%" G_GINT64_FORMAT, person->placeholder_no);
}

/* Cross-field rules. */

gboolean
jz_person_validate (JzStore         *store,
                    const JzEntity  *entity,
                    gpointer         record,
                    gconstpointer    old,
                    GError         **error)
{
  JzPerson *p = record;

  if (p->name == NULL && g_strcmp0 (p->name_quality, "unknown") != 0)
    return invalid (error, _("The person has no name; type the name, or set the name quality to "
                             "“unknown” to give a 无名氏 number"));
  if (p->name == NULL && p->placeholder_no == 0)
    return invalid (error, _("The person has neither a name nor a 无名氏 number; type the name"));

  if (g_str_equal (p->birth_precision, "unknown"))
    {
      if (p->birth_date != NULL)
        return invalid (error, _("The person's birth date is given but its precision is “unknown”; "
                                 "choose exact, year or estimated"));
      p->estimated_age = -1;
      g_clear_pointer (&p->estimated_on, g_free);
    }
  else if (g_str_equal (p->birth_precision, "estimated"))
    {
      if (p->estimated_age < 0)
        return invalid (error, _("The person's age is marked as estimated but no estimated age is given; "
                                 "enter the age you would guess (目测年龄)"));
      if (p->estimated_on == NULL)
        {
          GDate t;
          char buf[16];

          today (&t);
          g_date_strftime (buf, sizeof buf, "%Y-%m-%d", &t);
          p->estimated_on = g_strdup (buf);
        }
      g_clear_pointer (&p->birth_date, g_free);
    }
  else
    {
      if (p->birth_date == NULL)
        return invalid (error, _("The person's birth date is missing; enter it, or set its precision to "
                                 "“estimated” and give an estimated age"));
      if (g_str_equal (p->birth_precision, "year"))
        {
          /* A year alone is stored as 1 January (jz-idcard.h). */
          p->birth_date[5] = '0';
          p->birth_date[6] = '1';
          p->birth_date[8] = '0';
          p->birth_date[9] = '1';
        }
      p->estimated_age = -1;
      g_clear_pointer (&p->estimated_on, g_free);
    }

  if (p->ethnicity != 0 && !(p->ethnicity <= 56 || p->ethnicity == 97 || p->ethnicity == 98))
    return invalid (error,
                    /* Translators: %lld is the number given as an ethnic group (民族) code. */
                    _("The person's ethnic group %lld is not a GB/T 3304 code; "
                      "use 1–56, 97 (other) or 98 (foreign origin)"), (long long) p->ethnicity);

  if (p->aliases != NULL)
    {
      json_object *arr = json_tokener_parse (p->aliases);
      gboolean ok = arr != NULL && json_object_is_type (arr, json_type_array);

      for (size_t i = 0; ok && i < json_object_array_length (arr); i++)
        ok = json_object_is_type (json_object_array_get_idx (arr, i), json_type_string);
      json_object_put (arr);
      if (!ok)
        return invalid (error, _("The person's aliases must be a list of names (a JSON array of strings)"));
    }
  return TRUE;
}

static gboolean
episode_number_is_valid (const char *n)
{
  static const char pattern[] = "999999-99-9999-999999";

  if (n == NULL || strlen (n) != sizeof pattern - 1)
    return FALSE;
  for (guint i = 0; i < sizeof pattern - 1; i++)
    if (pattern[i] == '-' ? n[i] != '-' : !g_ascii_isdigit (n[i]))
      return FALSE;
  return n[10] == '1' || n[10] == '2';
}

static gboolean
status_from (const char      *text,
             JzEpisodeStatus *out)
{
  return jz_episode_status_from_string (text, out);
}

gboolean
jz_episode_validate (JzStore         *store,
                     const JzEntity  *entity,
                     gpointer         record,
                     gconstpointer    old_record,
                     GError         **error)
{
  JzEpisode *e = record;
  const JzEpisode *old = old_record;
  JzEpisodeStatus status;

  if (!episode_number_is_valid (e->number))
    return invalid (error,
                    /* Translators: %s is the episode number (救助编号) given. */
                    _("The episode number “%s” is not of the form 320481-01-2026-000123"),
                    e->number ? e->number : "");
  if (old != NULL && g_strcmp0 (old->number, e->number) != 0)
    /* Translators: %s is the episode number (救助编号) first given. */
    return invalid (error, _("An episode's number never changes once given (it was %s)"), old->number);
  if (g_str_equal (e->eligibility, "refuse") && e->refusal_reason == NULL)
    return invalid (error, _("The episode is refused but no reason is given; write the reason for the "
                             "不予救助通知书"));
  if (g_str_equal (e->source, "transfer") && e->from_station == NULL)
    return invalid (error, _("The episode came by transfer but the transferring station is missing; enter its code"));

  if (!status_from (e->status, &status))
    /* Translators: %s is a status code stored in the record. */
    return invalid (error, _("The episode's status “%s” is unknown"), e->status);
  if (status == JZ_EPISODE_STATUS_DEPARTED && e->departed_at == 0)
    return invalid (error, _("The episode is marked departed without a departure time; record the departure"));
  if (status != JZ_EPISODE_STATUS_DEPARTED && e->departed_at != 0)
    return invalid (error,
                    /* Translators: %s is an episode status, e.g. “Admitted”. */
                    _("The episode has a departure time but its status is “%s”; record the departure instead"),
                    _(jz_episode_status_get_label (status)));
  if (e->departed_at != 0 && e->departed_at < e->admitted_at)
    return invalid (error, _("The episode's departure time is before its admission time; check both"));
  if (e->stay_deadline != 0 && e->stay_deadline < e->admitted_at)
    return invalid (error, _("The episode's stay deadline is before its admission time; check the dates"));

  if (old != NULL && g_strcmp0 (old->status, e->status) != 0)
    {
      JzEpisodeStatus from;

      if (!status_from (old->status, &from))
        /* Translators: %s is a status code stored in the record. */
        return invalid (error, _("The stored status “%s” is unknown"), old->status);
      if (status == JZ_EPISODE_STATUS_DEPARTED)
        return invalid (error, _("A departure is recorded with its mode and details, not by changing the status; "
                                 "use “Record departure”"));
      if (!jz_episode_check_transition (from, status, NULL, NULL, error))
        {
          if (error && *error)
            {
              (*error)->domain = JZ_STORE_ERROR;
              (*error)->code = JZ_STORE_ERROR_INVALID;
            }
          return FALSE;
        }
    }

  /* A bed holds one person in station at a time. */
  if (e->bed_id != NULL &&
      (status == JZ_EPISODE_STATUS_SCREENING || status == JZ_EPISODE_STATUS_ADMITTED))
    {
      sqlite3_stmt *stmt = jz_store_prepare (store,
                                             "SELECT number FROM episode WHERE bed_id = ?1 AND id IS NOT ?2 "
                                             "AND status IN ('screening', 'admitted') AND deleted = 0",
                                             error);
      g_autofree char *other = NULL;

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, e->bed_id, -1, SQLITE_TRANSIENT);
      bind_text_or_null (stmt, 2, e->rec.id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        other = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_reset (stmt);
      if (other != NULL)
        /* Translators: %s is an episode number (救助编号). */
        return invalid (error, _("The bed is taken by episode %s; choose a free bed"), other);
    }
  return TRUE;
}

gboolean
jz_belonging_validate (JzStore         *store,
                       const JzEntity  *entity,
                       gpointer         record,
                       gconstpointer    old,
                       GError         **error)
{
  JzBelonging *b = record;

  if (b->returned_qty > b->qty)
    return invalid (error,
                    /* Translators: an item (e.g. “背包”) and two quantities. */
                    _("More of “%s” returned (%lld) than were received (%lld); check the quantities"),
                    b->item, (long long) b->returned_qty, (long long) b->qty);
  if (b->returned_qty != 0 && b->returned_at == 0)
    return invalid (error,
                    /* Translators: %s is an item, e.g. “背包”. */
                    _("The belonging “%s” has a returned quantity but no return time; enter when it was returned"),
                    b->item);
  if (b->returned_at != 0 && b->received_at != 0 && b->returned_at < b->received_at)
    /* Translators: %s is an item, e.g. “背包”. */
    return invalid (error, _("The belonging “%s” was returned before it was received; check the times"), b->item);
  return TRUE;
}

gboolean
jz_departure_validate (JzStore         *store,
                       const JzEntity  *entity,
                       gpointer         record,
                       gconstpointer    old,
                       GError         **error)
{
  JzDepartureRecord *d = record;
  JzDepartureMode mode;

  if (!jz_departure_mode_from_string (d->mode, &mode))
    /* Translators: %s is a departure-mode code stored in the record. */
    return invalid (error, _("The departure mode “%s” is unknown"), d->mode);
  if (d->cross_province && !jz_departure_mode_has_cross_province (mode))
    return invalid (error, _("Only escorted and collected departures count as cross-province; clear the flag"));
  if (d->cash_fen > JZ_CASH_WITHOUT_REASON_MAX_FEN && d->cash_reason == NULL)
    {
      g_autofree char *amount = g_strdup_printf ("%" G_GINT64_FORMAT ".%02d",
                                                 d->cash_fen / 100, (int) (d->cash_fen % 100));

      /* Translators: %s is an amount in yuan, e.g. 25.00. */
      return invalid (error, _("Cash over 20 yuan (here %s) needs a reason; write why"), amount);
    }
  return TRUE;
}

gboolean
jz_tracing_step_validate (JzStore         *store,
                          const JzEntity  *entity,
                          gpointer         record,
                          gconstpointer    old,
                          GError         **error)
{
  JzTracingStep *t = record;

  if (t->success && t->channel == NULL)
    return invalid (error, _("The tracing step found the family but the success channel is missing; choose how"));
  return TRUE;
}

/* started_at ≤ ended_at / arrived_at wherever an entity has them. */
gboolean
jz_time_range_validate (JzStore         *store,
                        const JzEntity  *entity,
                        gpointer         record,
                        gconstpointer    old,
                        GError         **error)
{
  const JzField *start = jz_entity_get_field (entity, "started_at");
  const char *ends[] = { "ended_at", "arrived_at" };

  if (start == NULL)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (ends); i++)
    {
      const JzField *end = jz_entity_get_field (entity, ends[i]);

      if (end != NULL && I64_FIELD (record, end) != 0 && I64_FIELD (record, start) != 0 &&
          I64_FIELD (record, end) < I64_FIELD (record, start))
        return invalid (error,
                        /* Translators: a kind of record (“escort trip”) and two of its
                         * fields (“arrival time”, “start time”). */
                        _("The %s's %s is before its %s; check the times"),
                        ENAME (entity), FNAME (end), FNAME (start));
    }
  return TRUE;
}

gboolean
jz_attachment_validate (JzStore         *store,
                        const JzEntity  *entity,
                        gpointer         record,
                        gconstpointer    old,
                        GError         **error)
{
  JzAttachment *a = record;
  const JzEntity *owner;
  const JzField ref = { "owner_id", JZ_FIELD_REF, 0, 0, "owner", NULL, a->owner_entity, 0, 0 };

  if (!jz_sha256_is_valid (a->sha256))
    /* Translators: %s is the checksum given. */
    return invalid (error, _("The attachment's SHA-256 “%s” is not 64 lower-case hex digits"), a->sha256);
  if (a->size < 0)
    return invalid (error, _("The attachment's size is negative"));
  owner = jz_schema_lookup (a->owner_entity);
  if (owner == NULL)
    /* Translators: %s is a kind-of-record code stored in the attachment. */
    return invalid (error, _("The attachment's owner kind “%s” is unknown"), a->owner_entity);
  /* The owner's table name comes from the validated enumeration. */
  return check_ref (store, entity, &ref, a->owner_id, error);
}
