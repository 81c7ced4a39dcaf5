/* jz-export.c: export to JSON or CSV, import from JSON, table digests
 *
 * The columns come from the entity descriptions (jz-schema.c), so a
 * column added by a migration is exported and imported without touching
 * this file. Export reads in one transaction; import writes in one, and
 * rolls everything back on the first problem it cannot accept, after
 * checking the rest of the file so that the person gets every problem at
 * once.
 *
 * The importer reads the file as a stream: a small scanner walks the
 * outer object and hands each record to json-c, so a file of millions of
 * records never sits in memory whole.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-export"

#include <errno.h>
#include <json.h>
#include <string.h>

#include "jz-export.h"
#include "jz-uuid.h"

#define MAX_REPORTED 20

/* ---- Columns ---------------------------------------------------------- */

typedef struct
{
  const char *name;
  JzFieldType type;      /* header columns: TEXT, INT (hlc), BOOL (deleted) */
  const JzField *field;  /* NULL for header columns */
} Column;

static GArray *
entity_columns (const JzEntity *entity)
{
  GArray *cols = g_array_new (FALSE, FALSE, sizeof (Column));

  if (entity->flags & JZ_ENTITY_SYNCED)
    {
      Column h[] = {
        { "id", JZ_FIELD_TEXT, NULL },
        { "station", JZ_FIELD_TEXT, NULL },
        { "hlc", JZ_FIELD_INT, NULL },
        { "updated_by", JZ_FIELD_TEXT, NULL },
        { "deleted", JZ_FIELD_BOOL, NULL },
      };
      g_array_append_vals (cols, h, G_N_ELEMENTS (h));
    }
  for (guint i = 0; i < entity->n_fields; i++)
    {
      Column c = { entity->fields[i].name, entity->fields[i].type, &entity->fields[i] };
      g_array_append_val (cols, c);
    }
  return cols;
}

static const char *
key_column (const JzEntity *entity)
{
  if (entity->flags & JZ_ENTITY_SYNCED)
    return "id";
  for (guint i = 0; i < entity->n_fields; i++)
    if (entity->fields[i].flags & JZ_FIELD_KEY)
      return entity->fields[i].name;
  return "rowid";
}

/* "SELECT a, b, … FROM t ORDER BY key": identifiers from the descriptions. */
static char *
select_sql (const JzEntity *entity,
            GArray         *cols)
{
  GString *s = g_string_new ("SELECT ");

  for (guint i = 0; i < cols->len; i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", g_array_index (cols, Column, i).name);
  g_string_append_printf (s, " FROM %s ORDER BY %s", entity->name, key_column (entity));
  return g_string_free (s, FALSE);
}

static gboolean
is_integer_type (JzFieldType t)
{
  return t == JZ_FIELD_INT || t == JZ_FIELD_TIME || t == JZ_FIELD_MONEY || t == JZ_FIELD_FLAGS;
}

/* ---- Writing ------------------------------------------------------------ */

static void
append_json_string (GString    *s,
                    const char *text)
{
  g_string_append_c (s, '"');
  for (const unsigned char *p = (const unsigned char *) text; *p; p++)
    {
      switch (*p)
        {
        case '"':  g_string_append (s, "\\\""); break;
        case '\\': g_string_append (s, "\\\\"); break;
        case '\n': g_string_append (s, "\\n"); break;
        case '\r': g_string_append (s, "\\r"); break;
        case '\t': g_string_append (s, "\\t"); break;
        default:
          if (*p < 0x20)
            g_string_append_printf (s, "\\u%04x", *p);
          else
            g_string_append_c (s, (char) *p);
        }
    }
  g_string_append_c (s, '"');
}

static void
append_csv_field (GString    *s,
                  const char *text)
{
  gboolean quote = text[0] == ' ' || (text[0] && text[strlen (text) - 1] == ' ') ||
                   strpbrk (text, ",\"\r\n") != NULL;

  if (!quote)
    {
      g_string_append (s, text);
      return;
    }
  g_string_append_c (s, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
}

static gboolean
write_out (FILE     *out,
           GString  *s,
           GError  **error)
{
  if (s->len > 0 && fwrite (s->str, 1, s->len, out) != s->len)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot write the export: %s", g_strerror (saved));
      return FALSE;
    }
  g_string_truncate (s, 0);
  return TRUE;
}

static gboolean
export_table (JzStore         *store,
              const JzEntity  *entity,
              JzExportFormat   format,
              gboolean         first_table,
              FILE            *out,
              GString         *buf,
              guint64         *rows,
              GError         **error)
{
  g_autoptr(GArray) cols = entity_columns (entity);
  g_autofree char *sql = select_sql (entity, cols);
  sqlite3_stmt *stmt = NULL;
  gboolean first_row = TRUE;
  int rc;

  rc = sqlite3_prepare_v2 (jz_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return jz_store_set_error_from_db (store, rc, error);

  if (format == JZ_EXPORT_JSON)
    {
      g_string_append (buf, first_table ? "\n" : ",\n");
      append_json_string (buf, entity->name);
      g_string_append (buf, ": [");
    }
  else
    {
      for (guint i = 0; i < cols->len; i++)
        {
          if (i)
            g_string_append_c (buf, ',');
          g_string_append (buf, g_array_index (cols, Column, i).name);
        }
      g_string_append (buf, "\r\n");
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gboolean first_col = TRUE;

      if (format == JZ_EXPORT_JSON)
        {
          g_string_append (buf, first_row ? "\n{" : ",\n{");
          for (guint i = 0; i < cols->len; i++)
            {
              const Column *c = &g_array_index (cols, Column, i);
              int type = sqlite3_column_type (stmt, (int) i);

              if (type == SQLITE_NULL)
                continue;
              if (!first_col)
                g_string_append (buf, ", ");
              first_col = FALSE;
              append_json_string (buf, c->name);
              g_string_append (buf, ": ");
              if (c->type == JZ_FIELD_BOOL)
                g_string_append (buf, sqlite3_column_int64 (stmt, (int) i) ? "true" : "false");
              else if (is_integer_type (c->type))
                g_string_append_printf (buf, "%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, (int) i));
              else if (c->type == JZ_FIELD_REAL)
                {
                  char d[G_ASCII_DTOSTR_BUF_SIZE];
                  g_string_append (buf, g_ascii_dtostr (d, sizeof d, sqlite3_column_double (stmt, (int) i)));
                }
              else
                append_json_string (buf, (const char *) sqlite3_column_text (stmt, (int) i));
            }
          g_string_append_c (buf, '}');
        }
      else
        {
          for (guint i = 0; i < cols->len; i++)
            {
              const Column *c = &g_array_index (cols, Column, i);

              if (i)
                g_string_append_c (buf, ',');
              if (sqlite3_column_type (stmt, (int) i) == SQLITE_NULL)
                continue;
              if (c->type == JZ_FIELD_REAL)
                {
                  char d[G_ASCII_DTOSTR_BUF_SIZE];
                  g_string_append (buf, g_ascii_dtostr (d, sizeof d, sqlite3_column_double (stmt, (int) i)));
                }
              else
                append_csv_field (buf, (const char *) sqlite3_column_text (stmt, (int) i));
            }
          g_string_append (buf, "\r\n");
        }
      first_row = FALSE;
      (*rows)++;
      if (buf->len > 256 * 1024 && !write_out (out, buf, error))
        {
          sqlite3_finalize (stmt);
          return FALSE;
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return jz_store_set_error_from_db (store, rc, error);
  if (format == JZ_EXPORT_JSON)
    g_string_append (buf, first_row ? "]" : "\n]");
  return write_out (out, buf, error);
}

gboolean
jz_store_export (JzStore          *store,
                 JzExportFormat    format,
                 const char       *table,
                 FILE             *out,
                 JzTransferStats  *stats,
                 GError          **error)
{
  g_autoptr(GString) buf = g_string_new (NULL);
  g_autoptr(GTimer) timer = g_timer_new ();
  const JzEntity * const *entities;
  const JzEntity *only = NULL;
  JzTransferStats st = { 0 };
  guint n_entities;
  gboolean ok = TRUE;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (table != NULL && (only = jz_schema_lookup (table)) == NULL)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      entities = jz_schema_entities (&n_entities);
      for (guint i = 0; i < n_entities; i++)
        g_string_append_printf (names, "%s%s", i ? ", " : "", entities[i]->name);
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   "There is no table “%s”; the tables are: %s", table, names->str);
      return FALSE;
    }
  if (format == JZ_EXPORT_CSV && only == NULL)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   "A CSV file holds one table; say which, e.g. --table person");
      return FALSE;
    }

  /* A read transaction: one snapshot, whatever the app writes meanwhile. */
  if (!jz_store_exec (store, "BEGIN", error))
    return FALSE;

  if (format == JZ_EXPORT_JSON)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *when = g_date_time_format_iso8601 (now);

      g_string_append (buf, "{\"format\": ");
      append_json_string (buf, JZ_EXPORT_FORMAT_NAME);
      g_string_append_printf (buf, ", \"version\": %d, \"schema_version\": %d, \"station\": ",
                              JZ_EXPORT_FORMAT_VERSION, jz_store_get_schema_version (store));
      append_json_string (buf, jz_store_get_station_code (store));
      g_string_append (buf, ", \"exported_at\": ");
      append_json_string (buf, when);
      g_string_append (buf, ",\n\"tables\": {");
    }
  else
    g_string_append (buf, "\xEF\xBB\xBF");

  entities = jz_schema_entities (&n_entities);
  for (guint i = 0; ok && i < n_entities; i++)
    {
      if (only != NULL && entities[i] != only)
        continue;
      ok = export_table (store, entities[i], format, st.tables == 0, out, buf, &st.rows, error);
      st.tables++;
    }
  if (ok && format == JZ_EXPORT_JSON)
    {
      g_string_append (buf, "\n}}\n");
      ok = write_out (out, buf, error);
    }
  if (ok && fflush (out) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot write the export: %s", g_strerror (saved));
      ok = FALSE;
    }
  jz_store_exec (store, "COMMIT", NULL);

  st.seconds = g_timer_elapsed (timer, NULL);
  if (stats != NULL)
    *stats = st;
  return ok;
}

/* ---- Digests -------------------------------------------------------------- */

char *
jz_store_table_digest (JzStore         *store,
                       const JzEntity  *entity,
                       GError         **error)
{
  g_autofree char *where = g_strdup_printf ("1 ORDER BY %s", key_column (entity));
  g_autofree char *sql = jz_schema_row_json_sql (entity, where);
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);
  g_return_val_if_fail (entity != NULL, NULL);

  rc = sqlite3_prepare_v2 (jz_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      jz_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_checksum_update (sum, sqlite3_column_text (stmt, 0), sqlite3_column_bytes (stmt, 0));
      g_checksum_update (sum, (const guchar *) "\t", 1);
      g_checksum_update (sum, sqlite3_column_text (stmt, 1), sqlite3_column_bytes (stmt, 1));
      g_checksum_update (sum, (const guchar *) "\n", 1);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      jz_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  return g_strdup (g_checksum_get_string (sum));
}

/* ---- Reading ---------------------------------------------------------------- */

typedef struct
{
  FILE         *f;
  const char   *path;
  char         *buf;
  gsize         len;
  gsize         pos;
  gboolean      eof;
  guint64       consumed;   /* bytes before buf[0], for messages */
  json_tokener *tok;
} Reader;

#define READ_CHUNK (256 * 1024)

static gboolean
reader_fill (Reader  *r,
             GError **error)
{
  size_t n;

  if (r->eof)
    return FALSE;
  if (r->pos > 0)
    {
      memmove (r->buf, r->buf + r->pos, r->len - r->pos);
      r->consumed += r->pos;
      r->len -= r->pos;
      r->pos = 0;
    }
  n = fread (r->buf + r->len, 1, READ_CHUNK, r->f);
  if (n == 0)
    {
      if (ferror (r->f))
        {
          int saved = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "Cannot read %s: %s", r->path, g_strerror (saved));
        }
      r->eof = TRUE;
      return FALSE;
    }
  r->len += n;
  return TRUE;
}

static void
reader_error (Reader      *r,
              GError     **error,
              const char  *what)
{
  if (error != NULL && *error != NULL)
    return;
  g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
               "%s is not a Jiuzhu export: %s (at byte %" G_GUINT64_FORMAT "); nothing was imported",
               r->path, what, r->consumed + r->pos);
}

/* The next non-blank character, not consumed; 0 at the end. */
static char
reader_peek (Reader  *r,
             GError **error)
{
  for (;;)
    {
      while (r->pos < r->len && g_ascii_isspace (r->buf[r->pos]))
        r->pos++;
      if (r->pos < r->len)
        return r->buf[r->pos];
      if (!reader_fill (r, error))
        return 0;
    }
}

static gboolean
reader_expect (Reader     *r,
               char        c,
               GError    **error)
{
  char got = reader_peek (r, error);

  if (got != c)
    {
      g_autofree char *what = got ? g_strdup_printf ("expected “%c”, found “%c”", c, got)
                                  : g_strdup_printf ("expected “%c”, the file ends", c);
      reader_error (r, error, what);
      return FALSE;
    }
  r->pos++;
  return TRUE;
}

/* One JSON value, handed to json-c piece by piece. */
static json_object *
reader_value (Reader  *r,
              GError **error)
{
  if (reader_peek (r, error) == 0)
    {
      reader_error (r, error, "the file ends too early");
      return NULL;
    }
  json_tokener_reset (r->tok);
  for (;;)
    {
      json_object *obj = json_tokener_parse_ex (r->tok, r->buf + r->pos, (int) (r->len - r->pos));
      enum json_tokener_error jerr = json_tokener_get_error (r->tok);

      if (jerr == json_tokener_success)
        {
          r->pos += json_tokener_get_parse_end (r->tok);
          return obj;
        }
      if (jerr != json_tokener_continue)
        {
          reader_error (r, error, json_tokener_error_desc (jerr));
          return NULL;
        }
      r->pos = r->len;
      if (!reader_fill (r, error))
        {
          /* A number at the very end needs to see the end. */
          obj = json_tokener_parse_ex (r->tok, "", 1);
          if (obj != NULL)
            return obj;
          reader_error (r, error, "the file ends inside a value");
          return NULL;
        }
    }
}

static char *
reader_key (Reader  *r,
            GError **error)
{
  json_object *obj = reader_value (r, error);
  char *key = NULL;

  if (obj == NULL)
    return NULL;
  if (json_object_is_type (obj, json_type_string))
    key = g_strdup (json_object_get_string (obj));
  else
    reader_error (r, error, "a key is not a string");
  json_object_put (obj);
  if (key != NULL && !reader_expect (r, ':', error))
    g_clear_pointer (&key, g_free);
  return key;
}

/* ---- Importing ------------------------------------------------------------- */

typedef struct
{
  JzStore         *store;
  GPtrArray       *problems;
  guint            n_problems;
  gint64           max_hlc;
  JzTransferStats  stats;
  gboolean         header_ok;
  const JzEntity  *entity;
  guint64          index;      /* record number inside its table, from 1 */
  GHashTable      *failed;     /* keys of records with a problem */
  guint            n_dependent; /* records skipped for referring to those */
  /* Checked records of @entity not yet written (import_flush). */
  GPtrArray       *queue;
  GPtrArray       *queue_keys;   /* char *, owned */
  GArray          *queue_index;  /* guint64: each one's index */
  GHashTable      *queued;       /* the keys, borrowed from queue_keys */
} Import;

static void
problem (Import     *im,
         const char *id,
         const char *format,
         ...) G_GNUC_PRINTF (3, 4);

static void
problem (Import     *im,
         const char *id,
         const char *format,
         ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  im->n_problems++;
  if (id != NULL)
    g_hash_table_add (im->failed, g_strdup (id));
  if (im->problems->len >= MAX_REPORTED)
    return;
  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  if (id != NULL)
    g_ptr_array_add (im->problems, g_strdup_printf ("%s %" G_GUINT64_FORMAT " (%s %s): %s",
                                                    im->entity->name, im->index,
                                                    (im->entity->flags & JZ_ENTITY_SYNCED) ? "id" : "key",
                                                    id, msg));
  else
    g_ptr_array_add (im->problems, g_strdup_printf ("%s %" G_GUINT64_FORMAT ": %s",
                                                    im->entity->name, im->index, msg));
}

static const char *
type_name (JzFieldType t)
{
  switch (t)
    {
    case JZ_FIELD_BOOL:
      return "true or false";
    case JZ_FIELD_INT:
    case JZ_FIELD_TIME:
    case JZ_FIELD_MONEY:
    case JZ_FIELD_FLAGS:
      return "a whole number";
    case JZ_FIELD_REAL:
      return "a number";
    default:
      return "text";
    }
}

/* Sets one column of @record from @value; FALSE (with a problem) when the
 * JSON type does not fit. */
static gboolean
set_column (Import        *im,
            const char    *id,
            const Column  *c,
            gpointer       record,
            json_object   *value)
{
  json_type jt = json_object_get_type (value);
  JzRecord *rec = record;
  gpointer slot;

  if (jt == json_type_null)
    return TRUE;

  if (c->type == JZ_FIELD_BOOL ? jt != json_type_boolean
      : is_integer_type (c->type) ? jt != json_type_int
      : c->type == JZ_FIELD_REAL ? (jt != json_type_double && jt != json_type_int)
      : jt != json_type_string)
    {
      problem (im, id, "%s must be %s", c->name, type_name (c->type));
      return FALSE;
    }

  if (c->field == NULL)
    {
      if (g_str_equal (c->name, "id"))
        rec->id = g_strdup (json_object_get_string (value));
      else if (g_str_equal (c->name, "station"))
        rec->station = g_strdup (json_object_get_string (value));
      else if (g_str_equal (c->name, "updated_by"))
        rec->updated_by = g_strdup (json_object_get_string (value));
      else if (g_str_equal (c->name, "hlc"))
        rec->hlc = json_object_get_int64 (value);
      else if (g_str_equal (c->name, "deleted"))
        rec->deleted = json_object_get_boolean (value);
      return TRUE;
    }

  slot = (guint8 *) record + c->field->offset;
  switch (c->type)
    {
    case JZ_FIELD_BOOL:
      *(gboolean *) slot = json_object_get_boolean (value);
      break;
    case JZ_FIELD_FLAGS:
      *(guint *) slot = (guint) json_object_get_int64 (value);
      if (json_object_get_int64 (value) < 0 || json_object_get_int64 (value) > G_MAXUINT)
        {
          problem (im, id, "%s is out of range", c->name);
          return FALSE;
        }
      break;
    case JZ_FIELD_INT:
    case JZ_FIELD_TIME:
    case JZ_FIELD_MONEY:
      *(gint64 *) slot = json_object_get_int64 (value);
      break;
    case JZ_FIELD_REAL:
      *(double *) slot = json_object_get_double (value);
      break;
    default:
      g_free (*(char **) slot);
      *(char **) slot = g_strdup (json_object_get_string (value));
      break;
    }
  return TRUE;
}

/* Records checked and queued in a table are written many at a time
 * (jz_store_insert_many_as_is: a statement journal and trigger frames per
 * statement instead of per row); a table's records are all written before
 * the next table's are checked, so references are checked against the
 * store as before. */
#define IMPORT_QUEUE_ROWS 512

static void
import_queue_clear (Import *im)
{
  for (guint i = 0; i < im->queue->len; i++)
    jz_record_free (im->entity, im->queue->pdata[i]);
  g_ptr_array_set_size (im->queue, 0);
  g_hash_table_remove_all (im->queued);
  g_ptr_array_set_size (im->queue_keys, 0);
  g_array_set_size (im->queue_index, 0);
}

/* Writes the queued records. A statement that fails writes none of its
 * rows; its records are then written one by one, so that the problem
 * names the record, as when each was written alone. FALSE only for errors
 * that stop the import. */
static gboolean
import_flush (Import  *im,
              GError **error)
{
  guint64 index = im->index;
  gboolean ok = TRUE;

  for (guint i = 0; ok && i < im->queue->len; i += JZ_STORE_INSERT_MANY_MAX)
    {
      guint n = MIN (JZ_STORE_INSERT_MANY_MAX, im->queue->len - i);
      g_autoptr(GError) local = NULL;

      if (jz_store_insert_many_as_is (im->store, im->entity,
                                      (const gconstpointer *) im->queue->pdata + i, n, &local))
        continue;
      if (local->domain != JZ_STORE_ERROR || local->code != JZ_STORE_ERROR_INVALID)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          ok = FALSE;
          break;
        }
      for (guint j = i; j < i + n; j++)
        {
          g_autoptr(GError) one = NULL;

          if (jz_store_insert_as_is (im->store, im->entity, im->queue->pdata[j], &one))
            continue;
          if (one->domain != JZ_STORE_ERROR || one->code != JZ_STORE_ERROR_INVALID)
            {
              g_propagate_error (error, g_steal_pointer (&one));
              ok = FALSE;
              break;
            }
          im->index = g_array_index (im->queue_index, guint64, j);
          im->stats.rows--;
          problem (im, im->queue_keys->pdata[j], "%s", one->message);
        }
    }
  im->index = index;
  import_queue_clear (im);
  return ok;
}

static gboolean
exists (JzStore        *store,
        const JzEntity *entity,
        const char     *key,
        gboolean       *found,
        GError        **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT 1 FROM %s WHERE %s = ?1", entity->name, key_column (entity));
  sqlite3_stmt *stmt = jz_store_prepare (store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return jz_store_set_error_from_db (store, rc, error);
  *found = rc == SQLITE_ROW;
  return TRUE;
}

/* Checks and writes one record. FALSE only for errors that stop the
 * import (I/O); a bad record is a problem, and the import goes on
 * checking. */
static gboolean
import_record (Import       *im,
               GArray       *cols,
               json_object  *obj,
               GError      **error)
{
  const JzEntity *entity = im->entity;
  gpointer record = jz_record_new (entity);
  g_autofree char *key = NULL;
  g_autoptr(GError) local = NULL;
  struct json_object_iterator it, end;
  gboolean ok = TRUE, found = FALSE;
  gboolean synced = (entity->flags & JZ_ENTITY_SYNCED) != 0;

  /* The key first, for the messages. */
  {
    json_object *k = NULL;

    if (json_object_object_get_ex (obj, key_column (entity), &k) && json_object_is_type (k, json_type_string))
      key = g_strdup (json_object_get_string (k));
  }

  it = json_object_iter_begin (obj);
  end = json_object_iter_end (obj);
  for (; !json_object_iter_equal (&it, &end); json_object_iter_next (&it))
    {
      const char *name = json_object_iter_peek_name (&it);
      const Column *c = NULL;

      for (guint i = 0; i < cols->len; i++)
        if (g_str_equal (g_array_index (cols, Column, i).name, name))
          c = &g_array_index (cols, Column, i);
      if (c == NULL)
        {
          problem (im, key, "“%s” is not a field of a %s", name, entity->label);
          ok = FALSE;
          continue;
        }
      ok &= set_column (im, key, c, record, json_object_iter_peek_value (&it));
    }

  if (ok && key == NULL)
    {
      problem (im, NULL, "the record has no %s", key_column (entity));
      ok = FALSE;
    }
  if (ok && synced)
    {
      JzRecord *rec = record;

      if (!jz_uuid_is_valid (rec->id))
        {
          problem (im, key, "the id is not a UUID");
          ok = FALSE;
        }
      else if (rec->station == NULL || rec->hlc <= 0)
        {
          problem (im, key, "station and hlc are required");
          ok = FALSE;
        }
    }
  /* A record that refers to one with a problem is not checked on: its
   * "does not exist" would only repeat that problem. */
  if (ok)
    for (guint i = 0; i < entity->n_fields; i++)
      {
        const JzField *f = &entity->fields[i];
        const char *ref = f->type == JZ_FIELD_REF ? *(char **) ((guint8 *) record + f->offset) : NULL;

        if (ref != NULL && g_hash_table_contains (im->failed, ref))
          {
            g_hash_table_add (im->failed, g_strdup (key));
            im->n_dependent++;
            im->n_problems++;
            jz_record_free (entity, record);
            return TRUE;
          }
      }
  if (ok)
    {
      if (!exists (im->store, entity, key, &found, error))
        {
          jz_record_free (entity, record);
          return FALSE;
        }
      if (found || g_hash_table_contains (im->queued, key))
        {
          problem (im, key, "this %s is already in the store; import into a store that does not have it",
                   entity->label);
          ok = FALSE;
        }
    }
  /* Tombstones were checked when they were live; their references may
   * point at other tombstones. */
  if (ok && !(synced && ((JzRecord *) record)->deleted) &&
      !jz_store_validate (im->store, entity, record, NULL, &local))
    {
      if (local->domain != JZ_STORE_ERROR || local->code != JZ_STORE_ERROR_INVALID)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          jz_record_free (entity, record);
          return FALSE;
        }
      problem (im, key, "%s", local->message);
      ok = FALSE;
    }
  /* Written even after problems elsewhere (it is all rolled back), so
   * that the records that depend on this one are checked for their own
   * faults. */
  if (ok)
    {
      char *queued_key = g_steal_pointer (&key);

      g_ptr_array_add (im->queue, record);
      g_ptr_array_add (im->queue_keys, queued_key);
      g_array_append_val (im->queue_index, im->index);
      g_hash_table_add (im->queued, queued_key);
      im->stats.rows++;
      if (synced)
        im->max_hlc = MAX (im->max_hlc, ((JzRecord *) record)->hlc);
      if (im->queue->len >= IMPORT_QUEUE_ROWS)
        return import_flush (im, error);
      return TRUE;
    }
  jz_record_free (entity, record);
  return TRUE;
}

static gboolean
import_tables (Import  *im,
               Reader  *r,
               GError **error)
{
  if (!reader_expect (r, '{', error))
    return FALSE;
  if (reader_peek (r, error) == '}')
    {
      r->pos++;
      return TRUE;
    }
  for (;;)
    {
      g_autofree char *name = reader_key (r, error);
      g_autoptr(GArray) cols = NULL;
      char c;

      if (name == NULL)
        return FALSE;
      im->entity = jz_schema_lookup (name);
      if (im->entity == NULL)
        {
          g_autofree char *what = g_strdup_printf ("“%s” is not a table of the store", name);
          reader_error (r, error, what);
          return FALSE;
        }
      cols = entity_columns (im->entity);
      im->index = 0;
      im->stats.tables++;
      if (!reader_expect (r, '[', error))
        return FALSE;
      if (reader_peek (r, error) == ']')
        r->pos++;
      else
        for (;;)
          {
            json_object *obj = reader_value (r, error);
            gboolean ok;

            if (obj == NULL)
              return FALSE;
            im->index++;
            if (!json_object_is_type (obj, json_type_object))
              {
                problem (im, NULL, "a record must be a JSON object");
                ok = TRUE;
              }
            else
              ok = import_record (im, cols, obj, error);
            json_object_put (obj);
            if (!ok)
              return FALSE;
            c = reader_peek (r, error);
            r->pos++;
            if (c == ']')
              break;
            if (c != ',')
              {
                r->pos--;
                reader_error (r, error, "expected “,” or “]” after a record");
                return FALSE;
              }
          }
      if (!import_flush (im, error))
        return FALSE;
      c = reader_peek (r, error);
      r->pos++;
      if (c == '}')
        return TRUE;
      if (c != ',')
        {
          r->pos--;
          reader_error (r, error, "expected “,” or “}” after a table");
          return FALSE;
        }
    }
}

static gboolean
check_header (Import      *im,
              Reader      *r,
              const char  *key,
              json_object *value,
              int         *format_ok,
              GError     **error)
{
  if (g_str_equal (key, "format"))
    {
      if (!json_object_is_type (value, json_type_string) ||
          !g_str_equal (json_object_get_string (value), JZ_EXPORT_FORMAT_NAME))
        {
          reader_error (r, error, "its “format” is not “" JZ_EXPORT_FORMAT_NAME "”");
          return FALSE;
        }
      *format_ok |= 1;
    }
  else if (g_str_equal (key, "version"))
    {
      if (!json_object_is_type (value, json_type_int) || json_object_get_int (value) != JZ_EXPORT_FORMAT_VERSION)
        {
          g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_TOO_NEW,
                       "%s is a Jiuzhu export of format version %s; this program reads version %d. "
                       "Nothing was imported.", r->path, json_object_get_string (value), JZ_EXPORT_FORMAT_VERSION);
          return FALSE;
        }
      *format_ok |= 2;
    }
  else if (g_str_equal (key, "schema_version"))
    {
      if (!json_object_is_type (value, json_type_int) ||
          json_object_get_int (value) > jz_store_get_code_schema_version ())
        {
          g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_TOO_NEW,
                       "%s was exported by a newer version of Jiuzhu (schema %s; this program knows up to %d); "
                       "update Jiuzhu to import it. Nothing was imported.",
                       r->path, json_object_get_string (value), jz_store_get_code_schema_version ());
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
jz_store_import_json (JzStore          *store,
                      const char       *path,
                      JzTransferStats  *stats,
                      GError          **error)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GTimer) timer = g_timer_new ();
  Import im = { 0 };
  Reader r = { 0 };
  gboolean ok = TRUE, seen_tables = FALSE;
  int format_ok = 0;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  r.f = fopen (path, "rb");
  if (r.f == NULL)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot open %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  r.path = path;
  r.buf = g_malloc (2 * READ_CHUNK + 1);
  r.tok = json_tokener_new_ex (64);
  im.store = store;
  im.problems = problems;
  im.failed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  im.queue = g_ptr_array_new ();
  im.queue_keys = g_ptr_array_new_with_free_func (g_free);
  im.queue_index = g_array_new (FALSE, FALSE, sizeof (guint64));
  im.queued = g_hash_table_new (g_str_hash, g_str_equal);

  if (!jz_store_write_begin (store, error))
    {
      fclose (r.f);
      g_free (r.buf);
      json_tokener_free (r.tok);
      return FALSE;
    }

  ok = reader_expect (&r, '{', error);
  while (ok && reader_peek (&r, error) != '}')
    {
      g_autofree char *key = reader_key (&r, error);
      char c;

      if (key == NULL)
        {
          ok = FALSE;
          break;
        }
      if (g_str_equal (key, "tables"))
        {
          if (format_ok != 3)
            {
              reader_error (&r, error, "“format” and “version” must come before “tables”");
              ok = FALSE;
              break;
            }
          ok = import_tables (&im, &r, error);
          seen_tables = TRUE;
        }
      else
        {
          json_object *value = reader_value (&r, error);

          ok = value != NULL && check_header (&im, &r, key, value, &format_ok, error);
          json_object_put (value);
        }
      if (!ok)
        break;
      c = reader_peek (&r, error);
      if (c == ',')
        r.pos++;
      else if (c != '}')
        {
          reader_error (&r, error, "expected “,” or “}”");
          ok = FALSE;
        }
    }
  if (ok && !seen_tables)
    {
      reader_error (&r, error, "it has no “tables”");
      ok = FALSE;
    }
  if (ok && im.n_problems > 0)
    {
      g_autoptr(GString) msg = g_string_new (NULL);

      guint own = im.n_problems - im.n_dependent;

      g_string_append_printf (msg, "%s has %u problem%s; nothing was imported:", path, own,
                              own == 1 ? "" : "s");
      for (guint i = 0; i < problems->len; i++)
        g_string_append_printf (msg, "\n  %s", (char *) problems->pdata[i]);
      if (own > problems->len)
        g_string_append_printf (msg, "\n  … and %u more", own - problems->len);
      if (im.n_dependent > 0)
        g_string_append_printf (msg, "\n  (%u record%s referring to these were not checked)",
                                im.n_dependent, im.n_dependent == 1 ? "" : "s");
      g_set_error_literal (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID, msg->str);
      ok = FALSE;
    }
  /* Later writes must order after the imported ones. */
  if (ok && im.max_hlc > 0)
    ok = jz_store_hlc_observe (store, im.max_hlc, error);
  if (!jz_store_write_end (store, ok, ok ? error : NULL))
    {
      if (ok)
        g_prefix_error (error, "Nothing was imported: ");
      ok = FALSE;
    }

  fclose (r.f);
  g_free (r.buf);
  json_tokener_free (r.tok);
  g_hash_table_unref (im.failed);
  if (im.entity != NULL)
    import_queue_clear (&im);
  g_ptr_array_unref (im.queue);
  g_ptr_array_unref (im.queue_keys);
  g_array_unref (im.queue_index);
  g_hash_table_unref (im.queued);
  im.stats.seconds = g_timer_elapsed (timer, NULL);
  if (stats != NULL)
    *stats = im.stats;
  return ok;
}
