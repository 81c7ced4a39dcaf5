/* jz-export.c: export to JSON or CSV, import from JSON, table digests
 *
 * The columns come from the entity descriptions (jz-schema.c), so a
 * column added by a migration is exported and imported without touching
 * this file. Export reads in one transaction; import writes in one, and
 * rolls everything back on the first problem it cannot accept, after
 * checking the rest of the file so that the person gets every problem at
 * once.
 *
 * The importer reads the file as a stream with a JSON reader of its own
 * that fills the typed records as it goes, so a file of millions of
 * records never sits in memory whole.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-export"

#include <errno.h>
#include <string.h>

#include "jz-export.h"
#include "jz-records-private.h"
#include "jz-uuid.h"

#define MAX_REPORTED 20

/* ---- Columns ---------------------------------------------------------- */

typedef struct
{
  const char *name;
  JzFieldType type;      /* header columns: TEXT, INT (hlc), BOOL (deleted) */
  const JzField *field;  /* NULL for header columns */
  gsize offset;          /* of the value in the record */
  gsize len;             /* of the name */
} Column;

static GArray *
entity_columns (const JzEntity *entity)
{
  GArray *cols = g_array_new (FALSE, FALSE, sizeof (Column));

  if (entity->flags & JZ_ENTITY_SYNCED)
    {
      Column h[] = {
        { "id", JZ_FIELD_TEXT, NULL, G_STRUCT_OFFSET (JzRecord, id), 0 },
        { "station", JZ_FIELD_TEXT, NULL, G_STRUCT_OFFSET (JzRecord, station), 0 },
        { "hlc", JZ_FIELD_INT, NULL, G_STRUCT_OFFSET (JzRecord, hlc), 0 },
        { "updated_by", JZ_FIELD_TEXT, NULL, G_STRUCT_OFFSET (JzRecord, updated_by), 0 },
        { "deleted", JZ_FIELD_BOOL, NULL, G_STRUCT_OFFSET (JzRecord, deleted), 0 },
      };
      g_array_append_vals (cols, h, G_N_ELEMENTS (h));
    }
  for (guint i = 0; i < entity->n_fields; i++)
    {
      Column c = { entity->fields[i].name, entity->fields[i].type, &entity->fields[i],
                   entity->fields[i].offset, 0 };
      g_array_append_val (cols, c);
    }
  for (guint i = 0; i < cols->len; i++)
    g_array_index (cols, Column, i).len = strlen (g_array_index (cols, Column, i).name);
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

/* FALSE: the value is a char * (text, codes, ids, dates, JSON). */
static gboolean
column_is_number (JzFieldType t)
{
  return is_integer_type (t) || t == JZ_FIELD_BOOL || t == JZ_FIELD_REAL;
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

/* The import reads JSON with a reader of its own (RFC 8259, strictly):
 * each record's fields go straight into the typed record, with no
 * document in between (json-c's objects, hash tables and copies of every
 * name and value were about a sixth of an import's instructions).
 * Anything JSON allows is read: every escape, \u escapes with surrogate
 * pairs, numbers of any form and size. What JSON does not allow is
 * refused with the byte where it is; a string that is not text (invalid
 * UTF-8, \u0000, a lone surrogate) is a problem of its record's field. */

typedef enum
{
  VALUE_NULL,
  VALUE_FALSE,
  VALUE_TRUE,
  VALUE_INT,      /* a whole number that fits in 64 bits: i */
  VALUE_BIG,      /* a whole number that does not: its text only */
  VALUE_REAL,     /* a number with a fraction or an exponent: d */
  VALUE_STRING,   /* decoded into the reader's text */
  VALUE_OBJECT,   /* read and checked, not kept */
  VALUE_ARRAY,
} ValueKind;

typedef struct
{
  ValueKind kind;
  gint64    i;
  double    d;
} Value;

typedef struct
{
  FILE       *f;
  const char *path;
  char       *buf;
  gsize       len;
  gsize       pos;
  gboolean    eof;
  guint64     consumed;   /* bytes before buf[0], for messages */
  GString    *text;       /* the last number read, or a string with escapes decoded */
  const char *str;        /* the last string read: in buf, or text's */
  gsize       str_len;
  gboolean    text_bad;   /* that string is not text */
  guint       depth;      /* of the values being skipped */
} Reader;

#define READ_CHUNK (256 * 1024)
#define MAX_DEPTH 64

/* Called when everything read is consumed. */
static gboolean
reader_fill (Reader  *r,
             GError **error)
{
  size_t n;

  g_assert (r->pos == r->len);
  if (r->eof)
    return FALSE;
  r->consumed += r->len;
  r->pos = r->len = 0;
  n = fread (r->buf, 1, READ_CHUNK, r->f);
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
  r->len = n;
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

/* "@expected, found …" for the byte @c (-1: the end of the file). */
static void
reader_error_found (Reader      *r,
                    GError     **error,
                    const char  *expected,
                    int          c)
{
  g_autofree char *what = NULL;

  if (c < 0)
    what = g_strdup_printf ("%s, the file ends", expected);
  else if (c > 0x20 && c < 0x7f)
    what = g_strdup_printf ("%s, found “%c”", expected, c);
  else
    what = g_strdup_printf ("%s, found byte 0x%02x", expected, (guint) c);
  reader_error (r, error, what);
}

/* The next byte, consumed; -1 at the end of the file. */
static inline int
reader_next (Reader  *r,
             GError **error)
{
  if (G_UNLIKELY (r->pos == r->len) && !reader_fill (r, error))
    return -1;
  return (guchar) r->buf[r->pos++];
}

/* The next byte, not consumed; -1 at the end of the file. */
static inline int
reader_peek_raw (Reader  *r,
                 GError **error)
{
  if (G_UNLIKELY (r->pos == r->len) && !reader_fill (r, error))
    return -1;
  return (guchar) r->buf[r->pos];
}

/* The next byte that is not JSON white space, not consumed; -1 at the
 * end of the file. */
static int
reader_peek (Reader  *r,
             GError **error)
{
  for (;;)
    {
      while (r->pos < r->len)
        {
          guchar c = r->buf[r->pos];

          if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
            return c;
          r->pos++;
        }
      if (!reader_fill (r, error))
        return -1;
    }
}

static gboolean
reader_expect (Reader     *r,
               char        c,
               GError    **error)
{
  int got = reader_peek (r, error);

  if (got != c)
    {
      g_autofree char *expected = g_strdup_printf ("expected “%c”", c);

      reader_error_found (r, error, expected, got);
      return FALSE;
    }
  r->pos++;
  return TRUE;
}

static void
text_not_text (Reader *r)
{
  r->text_bad = TRUE;
  g_string_append (r->text, "\xEF\xBF\xBD");  /* U+FFFD, for messages */
}

/* The bytes that end a run of a string's text. */
static const guint8 string_stop[256] = {
  [0x00 ... 0x1f] = 1,
  ['"'] = 1,
  ['\\'] = 1,
};

/* A string (the reader is at its opening quote): r->str and r->str_len,
 * in the buffer when it has no escapes and does not cross a read, else
 * decoded into r->text. Valid until the next read. */
static gboolean
reader_string (Reader  *r,
               GError **error)
{
  gunichar high = 0;  /* a high surrogate waiting for its low half */
  guchar seen = 0;    /* the raw bytes OR-ed: ≥ 0x80 when not ASCII */
  gsize first = ++r->pos;
  int c;

  r->text_bad = FALSE;
  while (r->pos < r->len && !string_stop[(guchar) r->buf[r->pos]])
    seen |= (guchar) r->buf[r->pos++];
  if (r->pos < r->len && r->buf[r->pos] == '"')
    {
      r->str = r->buf + first;
      r->str_len = r->pos - first;
      r->pos++;
      if ((seen & 0x80) && !g_utf8_validate_len (r->str, r->str_len, NULL))
        r->text_bad = TRUE;
      return TRUE;
    }

  g_string_truncate (r->text, 0);
  r->pos = first;
  for (;;)
    {
      gsize start = r->pos;

      while (r->pos < r->len && !string_stop[(guchar) r->buf[r->pos]])
        seen |= (guchar) r->buf[r->pos++];
      if (r->pos > start)
        {
          if (high != 0)
            {
              text_not_text (r);
              high = 0;
            }
          g_string_append_len (r->text, r->buf + start, r->pos - start);
        }
      if (r->pos == r->len)
        {
          if (!reader_fill (r, error))
            {
              reader_error (r, error, "the file ends inside a text");
              return FALSE;
            }
          continue;
        }
      c = (guchar) r->buf[r->pos++];
      if (c == '"')
        break;
      if (c != '\\')
        {
          r->pos--;
          reader_error (r, error, "a control character inside a text (it must be written as an escape)");
          return FALSE;
        }
      c = reader_next (r, error);
      if (c == 'u')
        {
          gunichar u = 0;

          for (int k = 0; k < 4; k++)
            {
              int h = reader_next (r, error);

              if (h >= '0' && h <= '9')
                u = u * 16 + (gunichar) (h - '0');
              else if (h >= 'a' && h <= 'f')
                u = u * 16 + (gunichar) (h - 'a' + 10);
              else if (h >= 'A' && h <= 'F')
                u = u * 16 + (gunichar) (h - 'A' + 10);
              else
                {
                  if (h >= 0)
                    r->pos--;
                  reader_error (r, error, "“\\u” is not followed by four hexadecimal digits");
                  return FALSE;
                }
            }
          if (high != 0 && u >= 0xDC00 && u <= 0xDFFF)
            {
              g_string_append_unichar (r->text, 0x10000 + ((high - 0xD800) << 10) + (u - 0xDC00));
              high = 0;
              continue;
            }
          if (high != 0)
            {
              text_not_text (r);
              high = 0;
            }
          if (u >= 0xD800 && u <= 0xDBFF)
            high = u;
          else if ((u >= 0xDC00 && u <= 0xDFFF) || u == 0)
            text_not_text (r);
          else
            g_string_append_unichar (r->text, u);
          continue;
        }
      if (high != 0)
        {
          text_not_text (r);
          high = 0;
        }
      switch (c)
        {
        case '"':
        case '\\':
        case '/':
          g_string_append_c (r->text, (char) c);
          break;
        case 'b':
          g_string_append_c (r->text, '\b');
          break;
        case 'f':
          g_string_append_c (r->text, '\f');
          break;
        case 'n':
          g_string_append_c (r->text, '\n');
          break;
        case 'r':
          g_string_append_c (r->text, '\r');
          break;
        case 't':
          g_string_append_c (r->text, '\t');
          break;
        default:
          if (c >= 0)
            r->pos--;
          reader_error_found (r, error, "expected an escape (one of \" \\ / b f n r t u) after “\\”", c);
          return FALSE;
        }
    }
  if (high != 0)
    text_not_text (r);
  if ((seen & 0x80) && !r->text_bad && !g_utf8_validate_len (r->text->str, r->text->len, NULL))
    r->text_bad = TRUE;
  r->str = r->text->str;
  r->str_len = r->text->len;
  return TRUE;
}

/* Digits onto r->text; how many. */
static guint
reader_digits (Reader  *r,
               GError **error)
{
  guint n = 0;
  int c;

  while ((c = reader_peek_raw (r, error)) >= '0' && c <= '9')
    {
      g_string_append_c (r->text, (char) c);
      r->pos++;
      n++;
    }
  return n;
}

/* A number (the reader is at its first character); its text in r->text. */
static gboolean
reader_number (Reader  *r,
               Value   *v,
               GError **error)
{
  gboolean whole = TRUE;
  int c = reader_peek_raw (r, error);

  g_string_truncate (r->text, 0);
  if (c == '-')
    {
      g_string_append_c (r->text, '-');
      r->pos++;
      c = reader_peek_raw (r, error);
    }
  if (c == '0')
    {
      g_string_append_c (r->text, '0');
      r->pos++;
    }
  else if (c < '1' || c > '9' || reader_digits (r, error) == 0)
    {
      reader_error_found (r, error, "expected a digit", c);
      return FALSE;
    }
  if (reader_peek_raw (r, error) == '.')
    {
      whole = FALSE;
      g_string_append_c (r->text, '.');
      r->pos++;
      if (reader_digits (r, error) == 0)
        {
          reader_error_found (r, error, "expected a digit after the decimal point", reader_peek_raw (r, error));
          return FALSE;
        }
    }
  c = reader_peek_raw (r, error);
  if (c == 'e' || c == 'E')
    {
      whole = FALSE;
      g_string_append_c (r->text, 'e');
      r->pos++;
      c = reader_peek_raw (r, error);
      if (c == '+' || c == '-')
        {
          g_string_append_c (r->text, (char) c);
          r->pos++;
        }
      if (reader_digits (r, error) == 0)
        {
          reader_error_found (r, error, "expected a digit in the exponent", reader_peek_raw (r, error));
          return FALSE;
        }
    }
  if (whole)
    {
      errno = 0;
      v->i = g_ascii_strtoll (r->text->str, NULL, 10);
      v->kind = errno == ERANGE ? VALUE_BIG : VALUE_INT;
    }
  else
    {
      v->d = g_ascii_strtod (r->text->str, NULL);
      v->kind = VALUE_REAL;
    }
  return TRUE;
}

static gboolean
reader_word (Reader      *r,
             const char  *word,
             GError     **error)
{
  for (const char *p = word; *p; p++)
    {
      int c = reader_next (r, error);

      if (c != *p)
        {
          if (c >= 0)
            r->pos--;
          reader_error (r, error, "expected a value (text in quotes, a number, true, false, null, an object or a list)");
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean reader_skip (Reader *r, GError **error);

/* Any JSON value; objects and arrays are checked and skipped. */
static gboolean
reader_value (Reader  *r,
              Value   *v,
              GError **error)
{
  int c = reader_peek (r, error);

  switch (c)
    {
    case '"':
      v->kind = VALUE_STRING;
      return reader_string (r, error);
    case 't':
      v->kind = VALUE_TRUE;
      return reader_word (r, "true", error);
    case 'f':
      v->kind = VALUE_FALSE;
      return reader_word (r, "false", error);
    case 'n':
      v->kind = VALUE_NULL;
      return reader_word (r, "null", error);
    case '{':
    case '[':
      v->kind = c == '{' ? VALUE_OBJECT : VALUE_ARRAY;
      return reader_skip (r, error);
    case -1:
      reader_error (r, error, "the file ends too early");
      return FALSE;
    default:
      if (c == '-' || (c >= '0' && c <= '9'))
        return reader_number (r, v, error);
      reader_error_found (r, error, "expected a value", c);
      return FALSE;
    }
}

/* An object or array (the reader is at its opening bracket), read for
 * its syntax only. */
static gboolean
reader_skip (Reader  *r,
             GError **error)
{
  gboolean object = r->buf[r->pos] == '{';
  char close = object ? '}' : ']';
  Value v;
  int c;

  if (r->depth >= MAX_DEPTH)
    {
      reader_error (r, error, "values nested too deeply");
      return FALSE;
    }
  r->depth++;
  r->pos++;
  if (reader_peek (r, error) == close)
    {
      r->pos++;
      r->depth--;
      return TRUE;
    }
  for (;;)
    {
      if (object)
        {
          c = reader_peek (r, error);
          if (c != '"')
            {
              reader_error_found (r, error, "expected a name in quotes", c);
              return FALSE;
            }
          if (!reader_string (r, error) || !reader_expect (r, ':', error))
            return FALSE;
        }
      if (!reader_value (r, &v, error))
        return FALSE;
      c = reader_peek (r, error);
      if (c == close)
        break;
      if (c != ',')
        {
          reader_error_found (r, error, object ? "expected “,” or “}”" : "expected “,” or “]”", c);
          return FALSE;
        }
      r->pos++;
    }
  r->pos++;
  r->depth--;
  return TRUE;
}

/* A value's text for a message. */
static const char *
value_text (Reader      *r,
            const Value *v)
{
  switch (v->kind)
    {
    case VALUE_NULL:
      return "null";
    case VALUE_FALSE:
      return "false";
    case VALUE_TRUE:
      return "true";
    case VALUE_OBJECT:
      return "{…}";
    case VALUE_ARRAY:
      return "[…]";
    case VALUE_STRING:
      if (r->str != r->text->str)
        {
          g_string_truncate (r->text, 0);
          g_string_append_len (r->text, r->str, r->str_len);
          r->str = r->text->str;
        }
      return r->text->str;
    default:
      return r->text->str;
    }
}

/* ---- Importing ------------------------------------------------------------- */

/* The ids of the live records an import has written to a table that
 * others refer to, so that checking a reference to one needs no query
 * (jz_store_validate asks the store otherwise: about 5 % of an import's
 * time). A UUID is kept as its two 64-bit halves, open addressing; zero
 * is empty (a UUIDv7 starts with its time). Past ID_SET_MAX ids the set
 * stops growing and the store is asked, as before. */
typedef struct
{
  guint64 *slots;   /* two per id */
  guint    bits;
  gsize    n;
} IdSet;

#define ID_SET_MAX (((gsize) 1) << 22)

/* A hexadecimal digit's value plus one; 0 for other bytes. */
static const guint8 hex_digit[256] = {
  ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
  ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
  ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static gboolean
id_halves (const char *id,
           guint64    *hi,
           guint64    *lo)
{
  guint64 v[2] = { 0, 0 };
  guint k = 0;

  for (const guchar *p = (const guchar *) id; *p; p++)
    {
      guint d = hex_digit[*p];

      if (d == 0)
        {
          if (*p == '-')
            continue;
          return FALSE;
        }
      if (k == 32)
        return FALSE;
      v[k / 16] = v[k / 16] << 4 | (d - 1);
      k++;
    }
  *hi = v[0];
  *lo = v[1];
  return k == 32 && (v[0] | v[1]) != 0;
}

static gsize
id_set_slot (const IdSet *set,
             guint64      hi,
             guint64      lo)
{
  gsize mask = (((gsize) 1) << set->bits) - 1;
  gsize i = (gsize) (((lo ^ (hi >> 16)) * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)) >> (64 - set->bits));

  while ((set->slots[2 * i] | set->slots[2 * i + 1]) != 0 &&
         (set->slots[2 * i] != hi || set->slots[2 * i + 1] != lo))
    i = (i + 1) & mask;
  return i;
}

static gboolean
id_set_contains (const IdSet *set,
                 const char  *id)
{
  guint64 hi, lo;
  gsize i;

  if (set->n == 0 || !id_halves (id, &hi, &lo))
    return FALSE;
  i = id_set_slot (set, hi, lo);
  return set->slots[2 * i] == hi && set->slots[2 * i + 1] == lo;
}

static void
id_set_add (IdSet      *set,
            const char *id)
{
  guint64 hi, lo;
  gsize i;

  if (!id_halves (id, &hi, &lo))
    return;
  if (set->slots == NULL || 2 * (set->n + 1) > (((gsize) 1) << set->bits))
    {
      guint64 *old = set->slots;
      gsize old_size = set->slots != NULL ? ((gsize) 1) << set->bits : 0;

      if (old_size >= 2 * ID_SET_MAX)
        return;
      set->bits = old != NULL ? set->bits + 1 : 12;
      set->slots = g_new0 (guint64, 2 * (((gsize) 1) << set->bits));
      for (gsize j = 0; j < old_size; j++)
        if ((old[2 * j] | old[2 * j + 1]) != 0)
          {
            gsize k = id_set_slot (set, old[2 * j], old[2 * j + 1]);

            set->slots[2 * k] = old[2 * j];
            set->slots[2 * k + 1] = old[2 * j + 1];
          }
      g_free (old);
    }
  i = id_set_slot (set, hi, lo);
  if ((set->slots[2 * i] | set->slots[2 * i + 1]) == 0)
    {
      set->slots[2 * i] = hi;
      set->slots[2 * i + 1] = lo;
      set->n++;
    }
}

static void
id_set_free (gpointer data)
{
  IdSet *set = data;

  g_free (set->slots);
  g_free (set);
}

typedef struct
{
  JzStore         *store;
  GPtrArray       *problems;
  guint            n_problems;
  gint64           max_hlc;
  JzTransferStats  stats;
  const JzEntity  *entity;
  guint64          index;      /* record number inside its table, from 1 */
  GHashTable      *failed;     /* keys of records with a problem */
  guint            n_dependent; /* records skipped for referring to those */
  /* The table being read. */
  GArray          *cols;
  const Column    *key;        /* NULL: the table has none */
  guint            guess;      /* where the next field's column is looked for first */
  sqlite3_stmt    *exists;     /* borrowed from the store's cache */
  gboolean         check_exists; /* FALSE: the table was empty, the INSERT tells */
  GHashTable      *live;       /* JzEntity → IdSet, for the tables referred to */
  GPtrArray       *pending;    /* the record's problems, until its key is known */
  gpointer         blank;      /* jz_record_new (entity), copied for each record; or NULL */
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

static const Column *
find_column (Import     *im,
             const char *name,
             gsize       len)
{
  guint n = im->cols->len;

  /* Fields come in the columns' order, those that are null left out. */
  for (guint k = 0, i = im->guess; k < n; k++, i = i + 1 == n ? 0 : i + 1)
    {
      const Column *c = &g_array_index (im->cols, Column, i);

      if (c->len == len && memcmp (c->name, name, len) == 0)
        {
          im->guess = i + 1 == n ? 0 : i + 1;
          return c;
        }
    }
  return NULL;
}

/* Sets one column of @record from @v (a string's text is in the reader);
 * a value that does not fit the column is a problem of the record. */
static void
set_column (Import       *im,
            Reader       *r,
            const Column *c,
            gpointer      record,
            const Value  *v)
{
  gpointer slot = (guint8 *) record + c->offset;
  gboolean fits;

  if (v->kind == VALUE_NULL)
    return;
  switch (c->type)
    {
    case JZ_FIELD_BOOL:
      fits = v->kind == VALUE_TRUE || v->kind == VALUE_FALSE;
      break;
    case JZ_FIELD_INT:
    case JZ_FIELD_TIME:
    case JZ_FIELD_MONEY:
    case JZ_FIELD_FLAGS:
      fits = v->kind == VALUE_INT || v->kind == VALUE_BIG;
      break;
    case JZ_FIELD_REAL:
      fits = v->kind == VALUE_INT || v->kind == VALUE_BIG || v->kind == VALUE_REAL;
      break;
    default:
      fits = v->kind == VALUE_STRING;
      break;
    }
  if (!fits)
    {
      g_ptr_array_add (im->pending, g_strdup_printf ("%s must be %s", c->name, type_name (c->type)));
      return;
    }

  switch (c->type)
    {
    case JZ_FIELD_BOOL:
      *(gboolean *) slot = v->kind == VALUE_TRUE;
      break;
    case JZ_FIELD_FLAGS:
      if (v->kind == VALUE_BIG || v->i < 0 || v->i > G_MAXUINT)
        g_ptr_array_add (im->pending, g_strdup_printf ("%s is out of range", c->name));
      else
        *(guint *) slot = (guint) v->i;
      break;
    case JZ_FIELD_INT:
    case JZ_FIELD_TIME:
    case JZ_FIELD_MONEY:
      if (v->kind == VALUE_BIG)
        g_ptr_array_add (im->pending, g_strdup_printf ("%s is out of range", c->name));
      else
        *(gint64 *) slot = v->i;
      break;
    case JZ_FIELD_REAL:
      *(double *) slot = v->kind == VALUE_INT ? (double) v->i
                         : v->kind == VALUE_REAL ? v->d
                         : g_ascii_strtod (r->text->str, NULL);
      break;
    default:
      if (r->text_bad)
        {
          g_ptr_array_add (im->pending, g_strdup_printf ("%s is not text (it has invalid UTF-8, a \\u0000 or a "
                                                         "lone UTF-16 surrogate)", c->name));
          break;
        }
      g_free (*(char **) slot);
      *(char **) slot = g_malloc (r->str_len + 1);
      memcpy (*(char **) slot, r->str, r->str_len);
      (*(char **) slot)[r->str_len] = '\0';
      break;
    }
}

/* Reads one record (the reader is at its “{”) into @record; what does not
 * fit goes to im->pending. FALSE when the file is not JSON. */
static gboolean
read_record (Import   *im,
             Reader   *r,
             gpointer  record,
             GError  **error)
{
  int c;

  r->pos++;
  if (reader_peek (r, error) == '}')
    {
      r->pos++;
      return TRUE;
    }
  for (;;)
    {
      const Column *col;
      Value v;

      c = reader_peek (r, error);
      if (c != '"')
        {
          reader_error_found (r, error, "expected a field name in quotes", c);
          return FALSE;
        }
      if (!reader_string (r, error))
        return FALSE;
      col = r->text_bad ? NULL : find_column (im, r->str, r->str_len);
      if (col == NULL)
        {
          g_autofree char *name = g_utf8_make_valid (r->str, r->str_len);

          g_ptr_array_add (im->pending, g_strdup_printf ("“%s” is not a field of a %s", name, im->entity->label));
        }
      if (!reader_expect (r, ':', error) || !reader_value (r, &v, error))
        return FALSE;
      if (col != NULL)
        set_column (im, r, col, record, &v);
      c = reader_peek (r, error);
      if (c == '}')
        {
          r->pos++;
          return TRUE;
        }
      if (c != ',')
        {
          reader_error_found (r, error, "expected “,” or “}” in a record", c);
          return FALSE;
        }
      r->pos++;
    }
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

#define ALREADY_THERE "this %s is already in the store; import into a store that does not have it"

static gboolean
exists (Import      *im,
        const char  *key,
        gboolean    *found,
        GError     **error)
{
  int rc;

  sqlite3_bind_text (im->exists, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (im->exists);
  sqlite3_reset (im->exists);
  sqlite3_clear_bindings (im->exists);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return jz_store_set_error_from_db (im->store, rc, error);
  *found = rc == SQLITE_ROW;
  return TRUE;
}

/* The @i-th queued record is in the store now. */
static void
note_live (Import *im,
           guint   i)
{
  IdSet *set = g_hash_table_lookup (im->live, im->entity);
  const JzRecord *rec = im->queue->pdata[i];

  if (set != NULL && !rec->deleted)
    id_set_add (set, rec->id);
}

static gboolean
known_ref (const JzEntity *target,
           const char     *id,
           gpointer        user_data)
{
  Import *im = user_data;
  IdSet *set = g_hash_table_lookup (im->live, target);

  return set != NULL && id_set_contains (set, id);
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

  for (guint i = 0, n; ok && i < im->queue->len; i += n)
    {
      g_autoptr(GError) local = NULL;

      /* A power of two: one statement, so that a failure wrote none of
       * these rows (jz_store_insert_many_as_is writes other counts in
       * several statements, and keeps those that succeeded). */
      n = JZ_STORE_INSERT_MANY_MAX;
      while (n > im->queue->len - i)
        n /= 2;

      if (jz_store_insert_many_as_is (im->store, im->entity,
                                      (const gconstpointer *) im->queue->pdata + i, n, &local))
        {
          for (guint j = i; j < i + n; j++)
            note_live (im, j);
          continue;
        }
      if (local->domain != JZ_STORE_ERROR || local->code != JZ_STORE_ERROR_INVALID)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          ok = FALSE;
          break;
        }
      for (guint j = i; j < i + n; j++)
        {
          g_autoptr(GError) one = NULL;

          gboolean found = FALSE;

          if (jz_store_insert_as_is (im->store, im->entity, im->queue->pdata[j], &one))
            {
              note_live (im, j);
              continue;
            }
          if (one->domain != JZ_STORE_ERROR || one->code != JZ_STORE_ERROR_INVALID)
            {
              g_propagate_error (error, g_steal_pointer (&one));
              ok = FALSE;
              break;
            }
          if (!exists (im, im->queue_keys->pdata[j], &found, error))
            {
              ok = FALSE;
              break;
            }
          im->index = g_array_index (im->queue_index, guint64, j);
          im->stats.rows--;
          if (found)
            problem (im, im->queue_keys->pdata[j], ALREADY_THERE, im->entity->label);
          else
            problem (im, im->queue_keys->pdata[j], "%s", one->message);
        }
    }
  im->index = index;
  import_queue_clear (im);
  return ok;
}

/* Checks and queues one record read by read_record. FALSE only for errors
 * that stop the import (I/O); a bad record is a problem, and the import
 * goes on checking. Takes @record. */
static gboolean
import_record (Import    *im,
               gpointer   record,
               GError   **error)
{
  const JzEntity *entity = im->entity;
  g_autofree char *key = NULL;
  g_autoptr(GError) local = NULL;
  gboolean ok = TRUE, found = FALSE;
  gboolean synced = (entity->flags & JZ_ENTITY_SYNCED) != 0;

  if (im->key != NULL)
    key = g_strdup (*(char **) ((guint8 *) record + im->key->offset));
  for (guint i = 0; i < im->pending->len; i++)
    problem (im, key, "%s", (const char *) im->pending->pdata[i]);
  ok = im->pending->len == 0;
  g_ptr_array_set_size (im->pending, 0);

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
  /* Into a table that was empty, a record written already is refused
   * by its INSERT (import_flush), one still queued here. */
  if (ok)
    {
      if (im->check_exists && !exists (im, key, &found, error))
        {
          jz_record_free (entity, record);
          return FALSE;
        }
      if (found || g_hash_table_contains (im->queued, key))
        {
          problem (im, key, ALREADY_THERE, entity->label);
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

/* Sets up the reading of @entity's records. */
static gboolean
import_table_begin (Import          *im,
                    const JzEntity  *entity,
                    GError         **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT 1 FROM %s WHERE %s = ?1", entity->name, key_column (entity));

  if (im->entity != NULL)
    jz_record_free (im->entity, g_steal_pointer (&im->blank));
  im->entity = entity;
  g_clear_pointer (&im->cols, g_array_unref);
  im->cols = entity_columns (entity);
  /* A new record has no text (its defaults are numbers and flags), so a
   * copy of one is one; jz_record_new looks its defaults up by name. */
  im->blank = jz_record_new (entity);
  for (guint i = 0; im->blank != NULL && i < im->cols->len; i++)
    {
      const Column *c = &g_array_index (im->cols, Column, i);

      if (!column_is_number (c->type) && *(char **) ((guint8 *) im->blank + c->offset) != NULL)
        jz_record_free (entity, g_steal_pointer (&im->blank));
    }
  im->key = NULL;
  for (guint i = 0; i < im->cols->len; i++)
    if (g_str_equal (g_array_index (im->cols, Column, i).name, key_column (entity)))
      im->key = &g_array_index (im->cols, Column, i);
  im->guess = 0;
  im->index = 0;
  im->stats.tables++;
  g_autofree char *any_sql = g_strdup_printf ("SELECT 1 FROM %s LIMIT 1", entity->name);
  sqlite3_stmt *any;
  int rc;

  im->exists = jz_store_prepare (im->store, sql, error);
  any = jz_store_prepare (im->store, any_sql, error);
  if (im->exists == NULL || any == NULL)
    return FALSE;
  rc = sqlite3_step (any);
  sqlite3_reset (any);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return jz_store_set_error_from_db (im->store, rc, error);
  im->check_exists = rc == SQLITE_ROW;
  return TRUE;
}

static gboolean
import_tables (Import  *im,
               Reader  *r,
               GError **error)
{
  int c;

  if (!reader_expect (r, '{', error))
    return FALSE;
  if (reader_peek (r, error) == '}')
    {
      r->pos++;
      return TRUE;
    }
  for (;;)
    {
      const JzEntity *entity;

      c = reader_peek (r, error);
      if (c != '"')
        {
          reader_error_found (r, error, "expected a table's name in quotes", c);
          return FALSE;
        }
      if (!reader_string (r, error))
        return FALSE;
      {
        g_autofree char *table = g_strndup (r->str, r->str_len);

        entity = r->text_bad ? NULL : jz_schema_lookup (table);
      }
      if (entity == NULL)
        {
          g_autofree char *name = g_utf8_make_valid (r->str, r->str_len);
          g_autofree char *what = g_strdup_printf ("“%s” is not a table of the store", name);

          reader_error (r, error, what);
          return FALSE;
        }
      if (!import_table_begin (im, entity, error) ||
          !reader_expect (r, ':', error) || !reader_expect (r, '[', error))
        return FALSE;
      if (reader_peek (r, error) == ']')
        r->pos++;
      else
        for (;;)
          {
            im->index++;
            c = reader_peek (r, error);
            if (c == '{')
              {
                gpointer record = im->blank != NULL ? g_memdup2 (im->blank, entity->size) : jz_record_new (entity);

                if (!read_record (im, r, record, error))
                  {
                    jz_record_free (entity, record);
                    g_ptr_array_set_size (im->pending, 0);
                    return FALSE;
                  }
                if (!import_record (im, record, error))
                  return FALSE;
              }
            else
              {
                Value v;

                if (!reader_value (r, &v, error))
                  return FALSE;
                problem (im, NULL, "a record must be a JSON object");
              }
            c = reader_peek (r, error);
            if (c == ']')
              {
                r->pos++;
                break;
              }
            if (c != ',')
              {
                reader_error_found (r, error, "expected “,” or “]” after a record", c);
                return FALSE;
              }
            r->pos++;
          }
      if (!import_flush (im, error))
        return FALSE;
      c = reader_peek (r, error);
      if (c == '}')
        {
          r->pos++;
          return TRUE;
        }
      if (c != ',')
        {
          reader_error_found (r, error, "expected “,” or “}” after a table", c);
          return FALSE;
        }
      r->pos++;
    }
}

static gboolean
check_header (Reader       *r,
              const char   *key,
              const Value  *value,
              int          *format_ok,
              GError      **error)
{
  if (g_str_equal (key, "format"))
    {
      if (value->kind != VALUE_STRING || r->str_len != strlen (JZ_EXPORT_FORMAT_NAME) ||
          memcmp (r->str, JZ_EXPORT_FORMAT_NAME, r->str_len) != 0)
        {
          reader_error (r, error, "its “format” is not “" JZ_EXPORT_FORMAT_NAME "”");
          return FALSE;
        }
      *format_ok |= 1;
    }
  else if (g_str_equal (key, "version"))
    {
      if (value->kind != VALUE_INT || value->i != JZ_EXPORT_FORMAT_VERSION)
        {
          g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_TOO_NEW,
                       "%s is a Jiuzhu export of format version %s; this program reads version %d. "
                       "Nothing was imported.", r->path, value_text (r, value), JZ_EXPORT_FORMAT_VERSION);
          return FALSE;
        }
      *format_ok |= 2;
    }
  else if (g_str_equal (key, "schema_version"))
    {
      if (value->kind != VALUE_INT || value->i > jz_store_get_code_schema_version ())
        {
          g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_TOO_NEW,
                       "%s was exported by a newer version of Jiuzhu (schema %s; this program knows up to %d); "
                       "update Jiuzhu to import it. Nothing was imported.",
                       r->path, value_text (r, value), jz_store_get_code_schema_version ());
          return FALSE;
        }
    }
  return TRUE;
}

/* The outer object: the header's names and values, then the tables. */
static gboolean
import_file (Import   *im,
             Reader   *r,
             GError  **error)
{
  gboolean seen_tables = FALSE;
  int format_ok = 0;
  int c;

  if (!reader_expect (r, '{', error))
    return FALSE;
  c = reader_peek (r, error);
  while (c != '}')
    {
      g_autofree char *key = NULL;

      if (c != '"')
        {
          reader_error (r, error, "a key is not a string");
          return FALSE;
        }
      if (!reader_string (r, error) || !reader_expect (r, ':', error))
        return FALSE;
      key = g_strndup (r->str, r->str_len);
      if (g_str_equal (key, "tables"))
        {
          if (format_ok != 3)
            {
              reader_error (r, error, "“format” and “version” must come before “tables”");
              return FALSE;
            }
          if (!import_tables (im, r, error))
            return FALSE;
          seen_tables = TRUE;
        }
      else
        {
          Value value;

          if (!reader_value (r, &value, error) || !check_header (r, key, &value, &format_ok, error))
            return FALSE;
        }
      c = reader_peek (r, error);
      if (c == ',')
        {
          r->pos++;
          c = reader_peek (r, error);
          if (c == '}')
            {
              reader_error (r, error, "a key is not a string");
              return FALSE;
            }
        }
      else if (c != '}')
        {
          reader_error_found (r, error, "expected “,” or “}”", c);
          return FALSE;
        }
    }
  r->pos++;
  c = reader_peek (r, error);
  if (c != -1)
    {
      reader_error_found (r, error, "expected the end of the file after the export", c);
      return FALSE;
    }
  if (!seen_tables)
    {
      reader_error (r, error, "it has no “tables”");
      return FALSE;
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
  gboolean ok = TRUE;

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
  /* One transaction, mostly of new pages: written once with the rollback
   * journal. The everyday page cache is kept: a bulk-sized one measured
   * slower here (its page faults cost more than it saved). */
  jz_store_set_bulk_journal (store, TRUE);
  if (!jz_store_write_begin (store, error))
    {
      jz_store_set_bulk_journal (store, FALSE);
      fclose (r.f);
      return FALSE;
    }
  r.path = path;
  r.buf = g_malloc (READ_CHUNK);
  r.text = g_string_sized_new (256);
  im.store = store;
  im.problems = problems;
  im.failed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  im.pending = g_ptr_array_new_with_free_func (g_free);
  im.queue = g_ptr_array_new ();
  im.queue_keys = g_ptr_array_new_with_free_func (g_free);
  im.queue_index = g_array_new (FALSE, FALSE, sizeof (guint64));
  im.queued = g_hash_table_new (g_str_hash, g_str_equal);
  im.live = g_hash_table_new_full (NULL, NULL, NULL, id_set_free);
  {
    const JzEntity * const *entities = jz_schema_entities (NULL);

    for (guint i = 0; entities[i] != NULL; i++)
      for (guint j = 0; j < entities[i]->n_fields; j++)
        if (entities[i]->fields[j].type == JZ_FIELD_REF)
          {
            const JzEntity *target = jz_schema_lookup (entities[i]->fields[j].ref);

            if (target != NULL && (target->flags & JZ_ENTITY_SYNCED) && !g_hash_table_contains (im.live, target))
              g_hash_table_insert (im.live, (gpointer) target, g_new0 (IdSet, 1));
          }
  }
  _jz_store_set_known_ref_func (store, known_ref, &im);

  ok = import_file (&im, &r, error);
  if (!ok && error != NULL && *error == NULL)
    reader_error (&r, error, "it cannot be read");
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
  _jz_store_set_known_ref_func (store, NULL, NULL);
  if (!jz_store_write_end (store, ok, ok ? error : NULL))
    {
      if (ok)
        g_prefix_error (error, "Nothing was imported: ");
      ok = FALSE;
    }
  jz_store_set_bulk_journal (store, FALSE);

  fclose (r.f);
  g_free (r.buf);
  g_string_free (r.text, TRUE);
  g_hash_table_unref (im.failed);
  if (im.entity != NULL)
    {
      import_queue_clear (&im);
      jz_record_free (im.entity, im.blank);
    }
  g_clear_pointer (&im.cols, g_array_unref);
  g_ptr_array_unref (im.pending);
  g_ptr_array_unref (im.queue);
  g_ptr_array_unref (im.queue_keys);
  g_array_unref (im.queue_index);
  g_hash_table_unref (im.queued);
  g_hash_table_unref (im.live);
  im.stats.seconds = g_timer_elapsed (timer, NULL);
  if (stats != NULL)
    *stats = im.stats;
  return ok;
}
