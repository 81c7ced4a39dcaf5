/* jz-protocol.c: the sync protocol's wire format
 *
 * Decoding is strict: a body that is not exactly the expected shape is
 * refused whole, with a message naming what is wrong, so that a half-valid
 * request can never be half applied. Encoding writes JSON text directly
 * (the outbox already holds each change's fields as JSON text), which keeps
 * a batch of 1,000 changes cheap to build.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-sync"

#include <string.h>
#include <zlib.h>

#include "jz-protocol.h"
#include "jz-uuid.h"

G_DEFINE_QUARK (jz-protocol-error-quark, jz_protocol_error)

static const struct
{
  JzProtocolError  code;
  const char      *name;
  guint            status;
} error_codes[] = {
  { JZ_PROTOCOL_ERROR_MALFORMED,       "malformed",       400 },
  { JZ_PROTOCOL_ERROR_TOO_LARGE,       "too_large",       413 },
  { JZ_PROTOCOL_ERROR_UNAUTHORIZED,    "unauthorized",    401 },
  { JZ_PROTOCOL_ERROR_FORBIDDEN,       "forbidden",       403 },
  { JZ_PROTOCOL_ERROR_NOT_FOUND,       "not_found",       404 },
  { JZ_PROTOCOL_ERROR_GAP,             "gap",             409 },
  { JZ_PROTOCOL_ERROR_RATE_LIMITED,    "rate_limited",    429 },
  { JZ_PROTOCOL_ERROR_UNSUPPORTED,     "unsupported",     415 },
  { JZ_PROTOCOL_ERROR_INTERNAL,        "internal",        500 },
  { JZ_PROTOCOL_ERROR_UNAVAILABLE,     "unavailable",     503 },
  { JZ_PROTOCOL_ERROR_LENGTH_REQUIRED, "length_required", 411 },
  { JZ_PROTOCOL_ERROR_METHOD,          "method",          405 },
  { JZ_PROTOCOL_ERROR_STALE,           "stale",           409 },
};

static const char *op_names[] = {
  [JZ_OP_INSERT] = "insert",
  [JZ_OP_UPDATE] = "update",
  [JZ_OP_DELETE] = "delete",
  [JZ_OP_TRANSFER] = "transfer",
  [JZ_OP_VOID] = "void",
  [JZ_OP_SNAPSHOT] = "snapshot",
};

const char *
jz_protocol_error_code_to_string (JzProtocolError code)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_codes); i++)
    if (error_codes[i].code == code)
      return error_codes[i].name;
  return "internal";
}

gboolean
jz_protocol_error_code_from_string (const char      *text,
                                    JzProtocolError *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_codes); i++)
    if (g_strcmp0 (error_codes[i].name, text) == 0)
      {
        *code = error_codes[i].code;
        return TRUE;
      }
  return FALSE;
}

guint
jz_protocol_error_http_status (JzProtocolError code)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_codes); i++)
    if (error_codes[i].code == code)
      return error_codes[i].status;
  return 500;
}

static JzProtocolError
error_code_for_status (guint status)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_codes); i++)
    if (error_codes[i].status == status)
      return error_codes[i].code;
  if (status >= 500)
    return JZ_PROTOCOL_ERROR_UNAVAILABLE;
  return JZ_PROTOCOL_ERROR_MALFORMED;
}

const char *
jz_op_to_string (JzOp op)
{
  g_return_val_if_fail (op <= JZ_OP_SNAPSHOT, "update");
  return op_names[op];
}

gboolean
jz_op_from_string (const char *text,
                   JzOp       *op)
{
  for (guint i = 0; i < G_N_ELEMENTS (op_names); i++)
    if (g_strcmp0 (op_names[i], text) == 0)
      {
        *op = (JzOp) i;
        return TRUE;
      }
  return FALSE;
}

/* Only the shape: the hub checks that the station is registered, and a
 * station whose area code was abolished must still be able to sync. */
gboolean
jz_protocol_station_is_valid (const char *code)
{
  if (code == NULL || strlen (code) != 9 || code[6] != '-')
    return FALSE;
  for (int i = 0; i < 9; i++)
    if (i != 6 && !g_ascii_isdigit (code[i]))
      return FALSE;
  return TRUE;
}

/* Entity and field names become SQL identifiers after a lookup in the
 * schema, so they are held to a narrow alphabet here already. */
gboolean
jz_protocol_name_is_valid (const char *name,
                           gsize       max_len)
{
  gsize i;

  if (name == NULL || !g_ascii_islower (name[0]))
    return FALSE;
  for (i = 0; name[i] != '\0'; i++)
    if (!(g_ascii_islower (name[i]) || g_ascii_isdigit (name[i]) || name[i] == '_'))
      return FALSE;
  return i <= max_len;
}

/* gzip */

gboolean
jz_protocol_is_gzip (const void *data,
                     gsize       len)
{
  const guchar *p = data;

  return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

GBytes *
jz_protocol_gzip (const void *data,
                  gsize       len,
                  int         level)
{
  z_stream zs = { 0 };
  guchar *out;
  gsize bound;
  int rc;

  rc = deflateInit2 (&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  g_assert (rc == Z_OK);
  bound = deflateBound (&zs, len) + 32;
  out = g_malloc (bound);
  zs.next_in = (Bytef *) data;
  zs.avail_in = len;
  zs.next_out = out;
  zs.avail_out = bound;
  rc = deflate (&zs, Z_FINISH);
  g_assert (rc == Z_STREAM_END);
  len = zs.total_out;
  deflateEnd (&zs);
  return g_bytes_new_take (g_realloc (out, len), len);
}

GBytes *
jz_protocol_gunzip (const void  *data,
                    gsize        len,
                    gsize        max_out,
                    GError     **error)
{
  z_stream zs = { 0 };
  GByteArray *out;
  int rc;

  if (!jz_protocol_is_gzip (data, len))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "The body is marked as gzip but is not gzip data");
      return NULL;
    }
  if (inflateInit2 (&zs, 15 + 16) != Z_OK)
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_INTERNAL,
                   "Cannot start zlib");
      return NULL;
    }

  out = g_byte_array_sized_new (MIN (max_out, MAX (len * 4, 4096)));
  zs.next_in = (Bytef *) data;
  zs.avail_in = len;
  do
    {
      gsize used = out->len;
      gsize room = MIN (MAX (out->len, 16384), max_out + 1 - used);

      if (room == 0)
        {
          g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_TOO_LARGE,
                       "The body inflates to more than %" G_GSIZE_FORMAT " bytes",
                       max_out);
          inflateEnd (&zs);
          g_byte_array_unref (out);
          return NULL;
        }
      g_byte_array_set_size (out, used + room);
      zs.next_out = out->data + used;
      zs.avail_out = room;
      rc = inflate (&zs, Z_NO_FLUSH);
      g_byte_array_set_size (out, used + room - zs.avail_out);
      if (out->len > max_out)
        {
          g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_TOO_LARGE,
                       "The body inflates to more than %" G_GSIZE_FORMAT " bytes",
                       max_out);
          inflateEnd (&zs);
          g_byte_array_unref (out);
          return NULL;
        }
    }
  while (rc == Z_OK);

  inflateEnd (&zs);
  if (rc != Z_STREAM_END)
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   rc == Z_BUF_ERROR ? "The gzip body ends early (cut in transit?)"
                                     : "The gzip body is corrupt");
      g_byte_array_unref (out);
      return NULL;
    }
  if (zs.avail_in != 0)
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "There are %u bytes after the end of the gzip body",
                   zs.avail_in);
      g_byte_array_unref (out);
      return NULL;
    }
  return g_byte_array_free_to_bytes (out);
}

/* JSON helpers */

/* json-c's strict mode still takes single quotes, NaN, Infinity, "1." and
 * raw control characters in strings; this RFC 8259 syntax check runs first
 * so that only standard JSON reaches it. Returns the offset of the first
 * error, or -1. */
typedef struct
{
  const guchar *p;
  const guchar *end;
  const guchar *start;
  int           depth;
} Lexer;

static gboolean lex_value (Lexer *lx);

static void
lex_space (Lexer *lx)
{
  while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\n' || *lx->p == '\r'))
    lx->p++;
}

/* After a member or an element: the container's @close (taken; *closed
 * is TRUE) or a comma (taken with the spaces after it; *closed is FALSE).
 * FALSE for anything else. */
static gboolean
lex_next (Lexer    *lx,
          guchar    close,
          gboolean *closed)
{
  if (lx->p >= lx->end)
    return FALSE;
  *closed = *lx->p == close;
  if (!*closed && *lx->p != ',')
    return FALSE;
  lx->p++;
  if (!*closed)
    lex_space (lx);
  return TRUE;
}

static gboolean
lex_literal (Lexer      *lx,
             const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (lx->end - lx->p) < n || memcmp (lx->p, word, n) != 0)
    return FALSE;
  lx->p += n;
  return TRUE;
}

static gboolean
lex_string (Lexer *lx)
{
  if (lx->p >= lx->end || *lx->p != '"')
    return FALSE;
  lx->p++;
  while (lx->p < lx->end)
    {
      guchar c = *lx->p;

      if (c == '"')
        {
          lx->p++;
          return TRUE;
        }
      if (c < 0x20)
        return FALSE;
      if (c == '\\')
        {
          lx->p++;
          if (lx->p >= lx->end)
            return FALSE;
          switch (*lx->p)
            {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
              lx->p++;
              break;
            case 'u':
              lx->p++;
              for (int i = 0; i < 4; i++, lx->p++)
                if (lx->p >= lx->end || !g_ascii_isxdigit (*lx->p))
                  return FALSE;
              break;
            default:
              return FALSE;
            }
          continue;
        }
      lx->p++;
    }
  return FALSE;
}

static gboolean
lex_digits (Lexer *lx)
{
  const guchar *start = lx->p;

  while (lx->p < lx->end && g_ascii_isdigit (*lx->p))
    lx->p++;
  return lx->p > start;
}

static gboolean
lex_number (Lexer *lx)
{
  if (lx->p < lx->end && *lx->p == '-')
    lx->p++;
  if (lx->p < lx->end && *lx->p == '0')
    lx->p++;
  else if (!lex_digits (lx))
    return FALSE;
  if (lx->p < lx->end && *lx->p == '.')
    {
      lx->p++;
      if (!lex_digits (lx))
        return FALSE;
    }
  if (lx->p < lx->end && (*lx->p == 'e' || *lx->p == 'E'))
    {
      lx->p++;
      if (lx->p < lx->end && (*lx->p == '+' || *lx->p == '-'))
        lx->p++;
      if (!lex_digits (lx))
        return FALSE;
    }
  return TRUE;
}

static gboolean
lex_container (Lexer  *lx,
               guchar  close,
               gboolean object)
{
  if (++lx->depth > JZ_PROTOCOL_MAX_DEPTH)
    return FALSE;
  lx->p++;
  lex_space (lx);
  if (lx->p < lx->end && *lx->p == close)
    {
      lx->p++;
      lx->depth--;
      return TRUE;
    }
  for (;;)
    {
      gboolean closed;

      if (object)
        {
          if (!lex_string (lx))
            return FALSE;
          lex_space (lx);
          if (lx->p >= lx->end || *lx->p != ':')
            return FALSE;
          lx->p++;
        }
      if (!lex_value (lx))
        return FALSE;
      if (!lex_next (lx, close, &closed))
        return FALSE;
      if (closed)
        {
          lx->depth--;
          return TRUE;
        }
    }
}

static gboolean
lex_value (Lexer *lx)
{
  gboolean ok;

  lex_space (lx);
  if (lx->p >= lx->end)
    return FALSE;
  switch (*lx->p)
    {
    case '{': ok = lex_container (lx, '}', TRUE); break;
    case '[': ok = lex_container (lx, ']', FALSE); break;
    case '"': ok = lex_string (lx); break;
    case 't': ok = lex_literal (lx, "true"); break;
    case 'f': ok = lex_literal (lx, "false"); break;
    case 'n': ok = lex_literal (lx, "null"); break;
    default: ok = lex_number (lx); break;
    }
  if (ok)
    lex_space (lx);
  return ok;
}

static gssize
json_syntax_error_at (const char *data,
                      gsize       len)
{
  Lexer lx = { (const guchar *) data, (const guchar *) data + len, (const guchar *) data, 0 };

  if (!lex_value (&lx) || lx.p != lx.end)
    return lx.p - lx.start;
  return -1;
}

json_object *
jz_protocol_parse (const char  *data,
                   gsize        len,
                   GError     **error)
{
  json_tokener *tok;
  json_object *obj;
  enum json_tokener_error err;
  gsize end;
  gssize bad;

  if (len > G_MAXINT)
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_TOO_LARGE,
                   "The body is too large");
      return NULL;
    }
  if (len == 0)
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "The body is empty; a JSON object was expected");
      return NULL;
    }

  bad = json_syntax_error_at (data, len);
  if (bad >= 0)
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   bad >= (gssize) len ? "The JSON body ends early, after %" G_GSIZE_FORMAT " bytes"
                                       : "The body is not valid JSON (at byte %" G_GSIZE_FORMAT ")",
                   (gsize) bad);
      return NULL;
    }

  tok = json_tokener_new_ex (JZ_PROTOCOL_MAX_DEPTH + 1);
  json_tokener_set_flags (tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
  obj = json_tokener_parse_ex (tok, data, (int) len);
  err = json_tokener_get_error (tok);
  end = json_tokener_get_parse_end (tok);
  json_tokener_free (tok);

  if (obj == NULL || err != json_tokener_success)
    {
      json_object_put (obj);
      if (err == json_tokener_continue)
        g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                     "The JSON body ends early, after %" G_GSIZE_FORMAT " bytes", len);
      else
        g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                     "The body is not valid JSON (%s at byte %" G_GSIZE_FORMAT ")",
                     json_tokener_error_desc (err), end);
      return NULL;
    }
  for (; end < len; end++)
    if (!g_ascii_isspace (data[end]))
      {
        json_object_put (obj);
        g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                     "There is something after the JSON object, at byte %" G_GSIZE_FORMAT, end);
        return NULL;
      }
  if (!json_object_is_type (obj, json_type_object))
    {
      json_object_put (obj);
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "The body must be a JSON object");
      return NULL;
    }
  return obj;
}

/* Flat objects without json-c
 *
 * A change's fields are a flat object of scalars, mostly stored as they
 * came; building a json-c object per field only to write it out again was
 * the larger part of the hub's work per change. The scanner below accepts
 * only what jz_protocol_parse() accepts as well, and gives up (FALSE) on
 * whatever it would have to interpret: escapes in keys, a key twice, NUL
 * or surrogate escapes, nested values, integers beyond 18 digits, numbers
 * with exponents. Callers then take the json-c path, which decides. */

/* A string's bytes: 1 for printable ASCII but '"' and '\\', 2 for the
 * bytes of UTF-8 sequences, 0 for what ends a run (a quote, an escape, a
 * control character). */
static const guchar string_byte[256] = {
  [0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7f] = 1,   /* all but '"' (0x22) and '\\' (0x5c) */
  [0x80 ... 0xff] = 2,
};

static gboolean
scan_string (Lexer    *lx,
             gboolean *escaped)
{
  const guchar *start;
  guint high = 0;

  *escaped = FALSE;
  if (lx->p >= lx->end || *lx->p != '"')
    return FALSE;
  start = ++lx->p;
  while (lx->p < lx->end)
    {
      guchar c;

      /* A run of ordinary bytes, one table look-up each. */
      while (lx->p < lx->end && string_byte[*lx->p] != 0)
        high |= string_byte[*lx->p++];
      if (lx->p >= lx->end)
        break;
      c = *lx->p;
      if (c == '"')
        {
          if ((high & 2) && !g_utf8_validate_len ((const char *) start, lx->p - start, NULL))
            return FALSE;
          lx->p++;
          return TRUE;
        }
      if (c == '\\')
        {
          *escaped = TRUE;
          lx->p++;
          if (lx->p >= lx->end)
            return FALSE;
          switch (*lx->p)
            {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
              lx->p++;
              break;
            case 'u':
              {
                guint v = 0;

                lx->p++;
                for (int i = 0; i < 4; i++, lx->p++)
                  {
                    if (lx->p >= lx->end || !g_ascii_isxdigit (*lx->p))
                      return FALSE;
                    v = v * 16 + g_ascii_xdigit_value (*lx->p);
                  }
                if (v == 0 || (v >= 0xd800 && v <= 0xdfff))
                  return FALSE;
              }
              break;
            default:
              return FALSE;
            }
          continue;
        }
      return FALSE;   /* a control character */
    }
  return FALSE;
}

static gboolean
scan_number (Lexer      *lx,
             JzJsonKind *kind)
{
  const guchar *start = lx->p;
  gsize digits;

  if (!lex_number (lx))
    return FALSE;
  digits = lx->p - start - (*start == '-');
  for (const guchar *q = start; q < lx->p; q++)
    if (*q == 'e' || *q == 'E')
      return FALSE;
    else if (*q == '.')
      {
        *kind = JZ_JSON_REAL;
        return digits <= 24;
      }
  *kind = JZ_JSON_INT;
  return digits <= 18 && !(start[0] == '-' && start[1] == '0');
}

/* A scalar value at lx->p into @m. */
static gboolean
scan_scalar (Lexer        *lx,
             JzJsonMember *m)
{
  const guchar *start = lx->p;
  gboolean ok;

  if (lx->p >= lx->end)
    return FALSE;
  m->escaped = FALSE;
  switch (*lx->p)
    {
    case '"': m->kind = JZ_JSON_STRING; ok = scan_string (lx, &m->escaped); break;
    case 't': m->kind = JZ_JSON_BOOL; ok = lex_literal (lx, "true"); break;
    case 'f': m->kind = JZ_JSON_BOOL; ok = lex_literal (lx, "false"); break;
    case 'n': m->kind = JZ_JSON_NULL; ok = lex_literal (lx, "null"); break;
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      ok = scan_number (lx, &m->kind);
      break;
    default:
      ok = FALSE;
    }
  m->value = (const char *) start;
  m->value_len = lx->p - start;
  return ok;
}

/* A member's key, with the colon after it. */
static gboolean
scan_key (Lexer        *lx,
          JzJsonMember *m)
{
  const guchar *start = lx->p;
  gboolean escaped;

  if (!scan_string (lx, &escaped) || escaped)
    return FALSE;
  m->key = (const char *) start + 1;
  m->key_len = lx->p - start - 2;
  lex_space (lx);
  if (lx->p >= lx->end || *lx->p != ':')
    return FALSE;
  lx->p++;
  lex_space (lx);
  return TRUE;
}

static gboolean
key_is (const JzJsonMember *m,
        const char         *name)
{
  return m->key_len == strlen (name) && memcmp (m->key, name, m->key_len) == 0;
}

/* The object at lx->p, whose members are all scalars, into @members. */
static gboolean
scan_flat (Lexer  *lx,
           GArray *members)
{
  g_array_set_size (members, 0);
  if (lx->p >= lx->end || *lx->p != '{')
    return FALSE;
  lx->p++;
  lex_space (lx);
  if (lx->p < lx->end && *lx->p == '}')
    {
      lx->p++;
      return TRUE;
    }
  for (;;)
    {
      gboolean closed;
      JzJsonMember m;

      if (!scan_key (lx, &m) || !scan_scalar (lx, &m))
        return FALSE;
      for (guint i = 0; i < members->len; i++)
        {
          const JzJsonMember *o = &g_array_index (members, JzJsonMember, i);

          if (o->key_len == m.key_len && memcmp (o->key, m.key, m.key_len) == 0)
            return FALSE;
        }
      g_array_append_val (members, m);
      lex_space (lx);
      if (!lex_next (lx, '}', &closed))
        return FALSE;
      if (closed)
        return TRUE;
    }
}

gboolean
jz_json_scan_flat (const char *text,
                   gsize       len,
                   GArray     *members)
{
  Lexer lx = { (const guchar *) text, (const guchar *) text + len, (const guchar *) text, 0 };

  g_return_val_if_fail (members != NULL && g_array_get_element_size (members) == sizeof (JzJsonMember), FALSE);

  lex_space (&lx);
  if (!scan_flat (&lx, members))
    return FALSE;
  lex_space (&lx);
  return lx.p == lx.end;
}

/* A string member's text, unescaped. */
char *
jz_json_member_dup_string (const JzJsonMember *member)
{
  g_autoptr(JzJson) value = NULL;
  json_tokener *tok;

  g_return_val_if_fail (member->kind == JZ_JSON_STRING, NULL);
  if (!member->escaped)
    return g_strndup (member->value + 1, member->value_len - 2);
  tok = json_tokener_new ();
  value = json_tokener_parse_ex (tok, member->value, (int) member->value_len);
  json_tokener_free (tok);
  return value != NULL ? g_strdup (json_object_get_string (value)) : NULL;
}

gboolean
jz_json_member_is_true (const JzJsonMember *member)
{
  switch (member->kind)
    {
    case JZ_JSON_BOOL:
      return member->value[0] == 't';
    case JZ_JSON_INT:
      return g_ascii_strtoll (member->value, NULL, 10) != 0;
    case JZ_JSON_REAL:
      return (gint64) g_ascii_strtod (member->value, NULL) != 0;
    default:
      return FALSE;
    }
}

void
jz_json_append_string (GString    *out,
                       const char *text)
{
  const char *run = text;
  const char *p;

  g_string_append_c (out, '"');
  for (p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;
      const char *esc = NULL;
      char buf[8];

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      switch (c)
        {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default:
          g_snprintf (buf, sizeof buf, "\\u%04x", c);
          esc = buf;
        }
      g_string_append_len (out, run, p - run);
      g_string_append (out, esc);
      run = p + 1;
    }
  g_string_append_len (out, run, p - run);
  g_string_append_c (out, '"');
}

static gboolean
check_keys (json_object  *obj,
            const char  **allowed,
            const char   *what,
            GError      **error)
{
  json_object_object_foreach (obj, key, val)
    {
      gboolean ok = FALSE;

      (void) val;
      for (guint i = 0; allowed[i] != NULL && !ok; i++)
        ok = g_str_equal (key, allowed[i]);
      if (!ok)
        {
          g_autofree char *shown = g_utf8_make_valid (key, MIN (strlen (key), 40));

          g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                       "Unknown key “%s” in %s", shown, what);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
get_string (json_object  *obj,
            const char   *key,
            gboolean      required,
            gsize         max_len,
            char        **out,
            const char   *what,
            GError      **error)
{
  json_object *val = NULL;
  gsize len;

  if (!json_object_object_get_ex (obj, key, &val) || val == NULL)
    {
      if (!required)
        return TRUE;
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "“%s” is missing in %s", key, what);
      return FALSE;
    }
  if (!json_object_is_type (val, json_type_string))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "“%s” in %s must be a string", key, what);
      return FALSE;
    }
  len = json_object_get_string_len (val);
  if (len > max_len || strlen (json_object_get_string (val)) != len)
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "“%s” in %s is longer than %" G_GSIZE_FORMAT " bytes or holds a NUL",
                   key, what, max_len);
      return FALSE;
    }
  g_free (*out);
  *out = g_strdup (json_object_get_string (val));
  return TRUE;
}

static gboolean
get_int (json_object  *obj,
         const char   *key,
         gboolean      required,
         gint64        min,
         gint64        max,
         gint64       *out,
         const char   *what,
         GError      **error)
{
  json_object *val = NULL;
  gint64 v;

  if (!json_object_object_get_ex (obj, key, &val) || val == NULL)
    {
      if (!required)
        return TRUE;
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "“%s” is missing in %s", key, what);
      return FALSE;
    }
  if (!json_object_is_type (val, json_type_int))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "“%s” in %s must be an integer", key, what);
      return FALSE;
    }
  v = json_object_get_int64 (val);
  /* json-c keeps integers above INT64_MAX as unsigned and clamps them here. */
  if (v < min || v > max || (v == G_MAXINT64 && json_object_get_uint64 (val) > G_MAXINT64))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "“%s” in %s must be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT,
                   key, what, min, max);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

static gboolean
get_bool (json_object  *obj,
          const char   *key,
          gboolean     *out,
          const char   *what,
          GError      **error)
{
  json_object *val = NULL;

  if (!json_object_object_get_ex (obj, key, &val) || val == NULL)
    return TRUE;
  if (!json_object_is_type (val, json_type_boolean))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "“%s” in %s must be true or false", key, what);
      return FALSE;
    }
  *out = json_object_get_boolean (val);
  return TRUE;
}

static gboolean
check_version (json_object  *obj,
               const char   *what,
               GError      **error)
{
  gint64 v = JZ_PROTOCOL_VERSION;

  if (!get_int (obj, "v", FALSE, 0, G_MAXINT, &v, what, error))
    return FALSE;
  if (v != JZ_PROTOCOL_VERSION)
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_UNSUPPORTED,
                   "Protocol version %" G_GINT64_FORMAT " is not supported; this side speaks version %d. "
                   "Update Jiuzhu on the older side.", v, JZ_PROTOCOL_VERSION);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_station (const char  *code,
               const char  *what,
               GError     **error)
{
  if (!jz_protocol_station_is_valid (code))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "The station in %s is not a station code like 320481-01", what);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_uuid (const char  *text,
            const char  *key,
            const char  *what,
            GError     **error)
{
  if (!jz_uuid_is_valid (text))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "“%s” in %s is not a lower-case UUID", key, what);
      return FALSE;
    }
  return TRUE;
}

/* Field values are what a SQLite column holds: text, numbers, booleans
 * and null; nothing nested. */
static gboolean
check_fields (json_object  *fields,
              const char   *what,
              GError      **error)
{
  gsize total = 2;

  json_object_object_foreach (fields, key, val)
    {
      if (!jz_protocol_name_is_valid (key, JZ_PROTOCOL_MAX_FIELD_NAME))
        {
          g_autofree char *shown = g_utf8_make_valid (key, MIN (strlen (key), 40));

          g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                       "“%s” in %s is not a field name (a-z, 0-9, _)", shown, what);
          return FALSE;
        }
      total += strlen (key) + 4;
      switch (json_object_get_type (val))
        {
        case json_type_null:
        case json_type_boolean:
        case json_type_double:
        case json_type_int:
          total += 24;
          break;
        case json_type_string:
          if (strlen (json_object_get_string (val)) != (gsize) json_object_get_string_len (val))
            {
              g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                           "Field “%s” in %s holds a NUL character", key, what);
              return FALSE;
            }
          total += json_object_get_string_len (val) + 2;
          break;
        default:
          g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                       "Field “%s” in %s must be a string, number, boolean or null", key, what);
          return FALSE;
        }
      if (total > JZ_PROTOCOL_MAX_FIELDS)
        {
          g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_TOO_LARGE,
                       "The fields of %s are larger than %d bytes", what, JZ_PROTOCOL_MAX_FIELDS);
          return FALSE;
        }
    }
  return TRUE;
}

/* Certificate pins */

/* One DER TLV at @p: its tag, where its content starts and how long it
 * is, and the length of the whole element. */
static gboolean
der_next (const guint8  *p,
          gsize          avail,
          guint8        *tag,
          const guint8 **content,
          gsize         *content_len,
          gsize         *total)
{
  gsize len;
  gsize head = 2;

  if (avail < 2)
    return FALSE;
  *tag = p[0];
  len = p[1];
  if (len & 0x80)
    {
      gsize n = len & 0x7f;

      if (n == 0 || n > 4 || avail < 2 + n)
        return FALSE;
      len = 0;
      for (gsize i = 0; i < n; i++)
        len = (len << 8) | p[2 + i];
      head += n;
    }
  if (len > avail - head)
    return FALSE;
  *content = p + head;
  *content_len = len;
  *total = head + len;
  return TRUE;
}

char *
jz_protocol_spki_pin (const guint8  *der,
                      gsize          len,
                      GError       **error)
{
  const guint8 *cert;
  const guint8 *tbs;
  const guint8 *p;
  gsize cert_len, tbs_len, total, avail;
  guint8 tag;
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autoptr(GChecksum) sum = NULL;
  g_autofree char *b64 = NULL;

  /* Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version,
   * serial, signature, issuer, validity, subject, subjectPublicKeyInfo … } } */
  if (!der_next (der, len, &tag, &cert, &cert_len, &total) || tag != 0x30 ||
      !der_next (cert, cert_len, &tag, &tbs, &tbs_len, &total) || tag != 0x30)
    goto bad;
  p = tbs;
  avail = tbs_len;
  for (int field = 0; field < 7; field++)
    {
      const guint8 *content;
      gsize content_len;

      if (!der_next (p, avail, &tag, &content, &content_len, &total))
        goto bad;
      if (field == 0 && tag != 0xa0)
        field++;   /* no version: v1 */
      if (field == 6)
        {
          if (tag != 0x30)
            goto bad;
          sum = g_checksum_new (G_CHECKSUM_SHA256);
          g_checksum_update (sum, p, total);
          g_checksum_get_digest (sum, digest, &digest_len);
          b64 = g_base64_encode (digest, digest_len);
          return g_strconcat ("sha256//", b64, NULL);
        }
      p += total;
      avail -= total;
    }
bad:
  g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
               "The certificate cannot be read (it is not a DER X.509 certificate)");
  return NULL;
}

/* Errors */

char *
jz_protocol_error_encode (JzProtocolError  code,
                          const char      *message,
                          gint64           high_seq)
{
  return jz_protocol_error_encode_full (code, message, high_seq, -1);
}

char *
jz_protocol_error_encode_full (JzProtocolError  code,
                               const char      *message,
                               gint64           high_seq,
                               gint64           seq)
{
  GString *out = g_string_new ("{\"error\":{\"code\":");

  jz_json_append_string (out, jz_protocol_error_code_to_string (code));
  g_string_append (out, ",\"message\":");
  jz_json_append_string (out, message);
  if (high_seq >= 0)
    g_string_append_printf (out, ",\"high_seq\":%" G_GINT64_FORMAT, high_seq);
  if (seq > 0)
    g_string_append_printf (out, ",\"seq\":%" G_GINT64_FORMAT, seq);
  g_string_append (out, "}}");
  return g_string_free (out, FALSE);
}

gint64
jz_protocol_error_get_seq (const char *data,
                           gsize       len)
{
  g_autoptr(JzJson) obj = data && len ? jz_protocol_parse (data, len, NULL) : NULL;
  json_object *err = NULL;
  gint64 seq = -1;

  if (obj != NULL && json_object_object_get_ex (obj, "error", &err) &&
      json_object_is_type (err, json_type_object))
    get_int (err, "seq", FALSE, 1, G_MAXINT64, &seq, "error", NULL);
  return seq;
}

/* Turns an error reply into a GError; always returns FALSE. */
gboolean
jz_protocol_error_decode (const char  *data,
                          gsize        len,
                          guint        http_status,
                          gint64      *high_seq,
                          GError     **error)
{
  g_autoptr(JzJson) obj = NULL;
  json_object *err = NULL;
  g_autofree char *code_text = NULL;
  g_autofree char *message = NULL;
  JzProtocolError code = error_code_for_status (http_status);
  gint64 mark = -1;

  if (data != NULL && len > 0)
    obj = jz_protocol_parse (data, len, NULL);
  if (obj != NULL && json_object_object_get_ex (obj, "error", &err) &&
      json_object_is_type (err, json_type_object))
    {
      get_string (err, "code", FALSE, 64, &code_text, "error", NULL);
      get_string (err, "message", FALSE, 4096, &message, "error", NULL);
      get_int (err, "high_seq", FALSE, 0, G_MAXINT64, &mark, "error", NULL);
      if (code_text != NULL)
        jz_protocol_error_code_from_string (code_text, &code);
    }
  if (high_seq != NULL)
    *high_seq = mark;
  g_set_error (error, JZ_PROTOCOL_ERROR, code, "The hub answered %u: %s", http_status,
               message != NULL ? message : "no explanation given");
  return FALSE;
}

/* Changes */

JzChange *
jz_change_new (void)
{
  return g_new0 (JzChange, 1);
}

void
jz_loss_free (JzLoss *loss)
{
  if (loss == NULL)
    return;
  g_free (loss->field);
  json_object_put (loss->value);
  json_object_put (loss->winner_value);
  g_free (loss->loser_station);
  g_free (loss->winner_station);
  g_free (loss);
}

void
jz_change_free (JzChange *change)
{
  if (change == NULL)
    return;
  g_free (change->station);
  g_free (change->epoch);
  g_free (change->entity);
  g_free (change->id);
  json_object_put (change->fields);
  g_free (change->fields_json);
  g_free (change->owner);
  g_clear_pointer (&change->losses, g_ptr_array_unref);
  g_free (change);
}

JzChange *
jz_change_copy (const JzChange *change)
{
  JzChange *copy = g_memdup2 (change, sizeof *change);

  copy->station = g_strdup (change->station);
  copy->epoch = g_strdup (change->epoch);
  copy->entity = g_strdup (change->entity);
  copy->id = g_strdup (change->id);
  copy->fields = change->fields ? json_object_get (change->fields) : NULL;
  copy->fields_json = g_strdup (change->fields_json);
  copy->owner = g_strdup (change->owner);
  copy->losses = NULL;
  if (change->losses != NULL)
    {
      copy->losses = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_loss_free);
      for (guint i = 0; i < change->losses->len; i++)
        {
          const JzLoss *l = g_ptr_array_index (change->losses, i);
          JzLoss *c = g_new0 (JzLoss, 1);

          c->field = g_strdup (l->field);
          c->value = l->value ? json_object_get (l->value) : NULL;
          c->winner_value = l->winner_value ? json_object_get (l->winner_value) : NULL;
          c->has_winner_value = l->has_winner_value;
          c->loser_station = g_strdup (l->loser_station);
          c->loser_hlc = l->loser_hlc;
          c->winner_station = g_strdup (l->winner_station);
          c->winner_hlc = l->winner_hlc;
          g_ptr_array_add (copy->losses, c);
        }
    }
  return copy;
}

const char *
jz_change_get_fields_json (JzChange *change)
{
  if (change->fields_json == NULL)
    change->fields_json = g_strdup (change->fields
                                    ? json_object_to_json_string_ext (change->fields,
                                                                      JSON_C_TO_STRING_PLAIN |
                                                                      JSON_C_TO_STRING_NOSLASHESCAPE)
                                    : "{}");
  return change->fields_json;
}

json_object *
jz_change_get_fields (JzChange  *change,
                      GError   **error)
{
  if (change->fields == NULL)
    {
      const char *text = change->fields_json ? change->fields_json : "{}";

      change->fields = jz_protocol_parse (text, strlen (text), error);
    }
  return change->fields;
}

static void
append_loss (GString      *out,
             const JzLoss *loss)
{
  g_string_append (out, "{\"field\":");
  jz_json_append_string (out, loss->field);
  g_string_append (out, ",\"value\":");
  g_string_append (out, loss->value
                   ? json_object_to_json_string_ext (loss->value, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
                   : "null");
  if (loss->has_winner_value)
    {
      g_string_append (out, ",\"winner_value\":");
      g_string_append (out, loss->winner_value
                       ? json_object_to_json_string_ext (loss->winner_value, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
                       : "null");
    }
  g_string_append (out, ",\"loser\":");
  jz_json_append_string (out, loss->loser_station);
  g_string_append_printf (out, ",\"loser_hlc\":%" G_GUINT64_FORMAT ",\"winner\":", loss->loser_hlc);
  jz_json_append_string (out, loss->winner_station);
  g_string_append_printf (out, ",\"winner_hlc\":%" G_GUINT64_FORMAT "}", loss->winner_hlc);
}

/* @full: a pull's form, with station, epoch and the hub's annotations; a
 * push names its station and epoch once for the whole batch. */
void
jz_change_append_json (const JzChange *change,
                       gboolean        full,
                       GString        *out)
{
  if (full && change->stub)
    {
      g_string_append_printf (out, "{\"hub_seq\":%" G_GINT64_FORMAT ",\"own_seq\":%" G_GINT64_FORMAT "}",
                              change->hub_seq, change->seq);
      return;
    }
  g_string_append_c (out, '{');
  if (full)
    {
      g_string_append_printf (out, "\"hub_seq\":%" G_GINT64_FORMAT ",\"station\":", change->hub_seq);
      jz_json_append_string (out, change->station);
      g_string_append (out, ",\"epoch\":");
      jz_json_append_string (out, change->epoch);
      g_string_append_c (out, ',');
    }
  g_string_append_printf (out, "\"seq\":%" G_GINT64_FORMAT ",\"entity\":", change->seq);
  jz_json_append_string (out, change->entity);
  g_string_append (out, ",\"id\":");
  jz_json_append_string (out, change->id);
  g_string_append (out, ",\"op\":\"");
  g_string_append (out, jz_op_to_string (change->op));
  g_string_append_c (out, '"');
  if (change->base_rev != 0)
    g_string_append_printf (out, ",\"base_rev\":%" G_GUINT64_FORMAT, change->base_rev);
  if (change->has_base_seq && !full)
    g_string_append_printf (out, ",\"base_seq\":%" G_GINT64_FORMAT, change->base_seq);
  g_string_append_printf (out, ",\"hlc\":%" G_GUINT64_FORMAT, change->hlc);
  if (full)
    {
      g_string_append_printf (out, ",\"auth\":%d", (int) change->auth);
      if (change->owner != NULL)
        {
          g_string_append (out, ",\"owner\":");
          jz_json_append_string (out, change->owner);
        }
    }
  g_string_append (out, ",\"fields\":");
  if (change->fields_json != NULL)
    g_string_append (out, change->fields_json);
  else if (change->fields != NULL)
    g_string_append (out, json_object_to_json_string_ext (change->fields,
                                                          JSON_C_TO_STRING_PLAIN |
                                                          JSON_C_TO_STRING_NOSLASHESCAPE));
  else
    g_string_append (out, "{}");
  if (full && change->losses != NULL && change->losses->len > 0)
    {
      g_string_append (out, ",\"lost\":[");
      for (guint i = 0; i < change->losses->len; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          append_loss (out, g_ptr_array_index (change->losses, i));
        }
      g_string_append_c (out, ']');
    }
  g_string_append_c (out, '}');
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzLoss, jz_loss_free)

static JzLoss *
loss_from_json (json_object  *obj,
                GError      **error)
{
  static const char *keys[] = { "field", "value", "winner_value", "loser", "loser_hlc", "winner", "winner_hlc", NULL };
  g_autoptr(JzLoss) loss = g_new0 (JzLoss, 1);
  json_object *value = NULL;
  gint64 hlc = 0;

  if (!json_object_is_type (obj, json_type_object))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "An entry of “lost” is not an object");
      return NULL;
    }
  if (!check_keys (obj, keys, "a lost value", error) ||
      !get_string (obj, "field", TRUE, JZ_PROTOCOL_MAX_FIELD_NAME, &loss->field, "a lost value", error) ||
      !get_string (obj, "loser", TRUE, 9, &loss->loser_station, "a lost value", error) ||
      !get_string (obj, "winner", TRUE, 9, &loss->winner_station, "a lost value", error) ||
      !get_int (obj, "loser_hlc", TRUE, 0, G_MAXINT64, &hlc, "a lost value", error))
    return NULL;
  loss->loser_hlc = (guint64) hlc;
  if (!get_int (obj, "winner_hlc", TRUE, 0, G_MAXINT64, &hlc, "a lost value", error))
    return NULL;
  loss->winner_hlc = (guint64) hlc;
  if (!jz_protocol_name_is_valid (loss->field, JZ_PROTOCOL_MAX_FIELD_NAME))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "A lost value names a field that is not a field name");
      return NULL;
    }
  if (json_object_object_get_ex (obj, "value", &value) && value != NULL)
    {
      if (json_object_is_type (value, json_type_object) || json_object_is_type (value, json_type_array))
        {
          g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                       "A lost value must be a string, number, boolean or null");
          return NULL;
        }
      loss->value = json_object_get (value);
    }
  if (json_object_object_get_ex (obj, "winner_value", &value))
    {
      if (value != NULL &&
          (json_object_is_type (value, json_type_object) || json_object_is_type (value, json_type_array)))
        {
          g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                       "A winning value must be a string, number, boolean or null");
          return NULL;
        }
      loss->has_winner_value = TRUE;
      loss->winner_value = value ? json_object_get (value) : NULL;
    }
  return g_steal_pointer (&loss);
}

JzChange *
jz_change_from_json (json_object  *obj,
                     gboolean      full,
                     GError      **error)
{
  static const char *push_keys[] = {
    "station", "epoch", "seq", "entity", "id", "op", "base_rev", "base_seq", "hlc", "fields", NULL
  };
  static const char *pull_keys[] = {
    "hub_seq", "station", "epoch", "seq", "entity", "id", "op", "base_rev", "hlc", "fields",
    "auth", "owner", "lost", NULL
  };
  g_autoptr(JzChange) change = jz_change_new ();
  g_autofree char *op = NULL;
  json_object *fields = NULL;
  json_object *lost = NULL;
  gint64 v = 0;

  if (!json_object_is_type (obj, json_type_object))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "A change must be a JSON object");
      return NULL;
    }
  if (full && json_object_object_get_ex (obj, "own_seq", NULL))
    {
      static const char *stub_keys[] = { "hub_seq", "own_seq", NULL };

      change->stub = TRUE;
      if (!check_keys (obj, stub_keys, "a change", error) ||
          !get_int (obj, "hub_seq", TRUE, 1, G_MAXINT64, &change->hub_seq, "a change", error) ||
          !get_int (obj, "own_seq", TRUE, 1, G_MAXINT64, &change->seq, "a change", error))
        return NULL;
      return g_steal_pointer (&change);
    }
  if (!check_keys (obj, full ? pull_keys : push_keys, "a change", error))
    return NULL;

  if (!get_int (obj, "seq", TRUE, 1, G_MAXINT64, &change->seq, "a change", error))
    return NULL;
  if (!get_string (obj, "station", full, 9, &change->station, "a change", error) ||
      !get_string (obj, "epoch", full, 36, &change->epoch, "a change", error) ||
      !get_string (obj, "entity", TRUE, JZ_PROTOCOL_MAX_ENTITY, &change->entity, "a change", error) ||
      !get_string (obj, "id", TRUE, 36, &change->id, "a change", error) ||
      !get_string (obj, "op", TRUE, 16, &op, "a change", error))
    goto fail;
  if ((change->station != NULL && !check_station (change->station, "a change", error)) ||
      (change->epoch != NULL && !check_uuid (change->epoch, "epoch", "a change", error)) ||
      !check_uuid (change->id, "id", "a change", error))
    goto fail;
  if (!jz_protocol_name_is_valid (change->entity, JZ_PROTOCOL_MAX_ENTITY))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "The entity of a change is not a table name (a-z, 0-9, _)");
      goto fail;
    }
  if (!jz_op_from_string (op, &change->op))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "The op of a change must be insert, update, delete, transfer, void or snapshot");
      goto fail;
    }
  v = 0;
  if (!get_int (obj, "base_rev", FALSE, 0, G_MAXINT64, &v, "a change", error))
    goto fail;
  change->base_rev = (guint64) v;
  if (!full && json_object_object_get_ex (obj, "base_seq", NULL))
    {
      if (!get_int (obj, "base_seq", TRUE, 0, G_MAXINT64, &change->base_seq, "a change", error))
        goto fail;
      change->has_base_seq = TRUE;
    }
  if (!get_int (obj, "hlc", TRUE, 1, G_MAXINT64, &v, "a change", error))
    goto fail;
  change->hlc = (guint64) v;

  if (!json_object_object_get_ex (obj, "fields", &fields) ||
      !json_object_is_type (fields, json_type_object))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "“fields” of a change must be a JSON object");
      goto fail;
    }
  if (!check_fields (fields, "a change", error))
    goto fail;
  change->fields = json_object_get (fields);

  if (full)
    {
      g_autofree char *owner = NULL;

      if (!get_int (obj, "hub_seq", TRUE, 1, G_MAXINT64, &change->hub_seq, "a change", error))
        goto fail;
      v = 0;
      if (!get_int (obj, "auth", FALSE, JZ_AUTHORITY_OTHER, JZ_AUTHORITY_HUB, &v, "a change", error))
        goto fail;
      change->auth = (JzAuthority) v;
      if (!get_string (obj, "owner", FALSE, 9, &owner, "a change", error))
        goto fail;
      if (owner != NULL && !check_station (owner, "a change's owner", error))
        goto fail;
      change->owner = g_steal_pointer (&owner);
      if (json_object_object_get_ex (obj, "lost", &lost) && lost != NULL)
        {
          if (!json_object_is_type (lost, json_type_array))
            {
              g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                           "“lost” of a change must be an array");
              goto fail;
            }
          change->losses = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_loss_free);
          for (gsize i = 0; i < json_object_array_length (lost); i++)
            {
              JzLoss *loss = loss_from_json (json_object_array_get_idx (lost, i), error);

              if (loss == NULL)
                goto fail;
              g_ptr_array_add (change->losses, loss);
            }
        }
    }
  return g_steal_pointer (&change);

fail:
  return NULL;
}

/* Push */

JzPushRequest *
jz_push_request_new (const char *station,
                     const char *epoch)
{
  JzPushRequest *request = g_new0 (JzPushRequest, 1);

  request->station = g_strdup (station);
  request->epoch = g_strdup (epoch);
  request->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_change_free);
  return request;
}

void
jz_push_request_free (JzPushRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->station);
  g_free (request->epoch);
  g_ptr_array_unref (request->changes);
  g_free (request);
}

char *
jz_push_request_encode (JzPushRequest *request,
                        gsize         *len)
{
  GString *out = g_string_sized_new (128 + request->changes->len * 256);

  g_string_append_printf (out, "{\"v\":%d,\"station\":", JZ_PROTOCOL_VERSION);
  jz_json_append_string (out, request->station);
  g_string_append (out, ",\"epoch\":");
  jz_json_append_string (out, request->epoch);
  g_string_append (out, ",\"changes\":[");
  for (guint i = 0; i < request->changes->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      jz_change_append_json (g_ptr_array_index (request->changes, i), FALSE, out);
    }
  g_string_append (out, "]}");
  if (len != NULL)
    *len = out->len;
  return g_string_free (out, FALSE);
}

/* Checks the whole batch before anything is written: the shape of every
 * change, one (station, epoch) for all, and contiguous sequence numbers. */
JzPushRequest *
jz_push_request_decode (const char  *data,
                        gsize        len,
                        GError     **error)
{
  static const char *keys[] = { "v", "station", "epoch", "changes", NULL };
  g_autoptr(JzJson) obj = jz_protocol_parse (data, len, error);
  g_autoptr(JzPushRequest) request = NULL;
  g_autofree char *station = NULL;
  g_autofree char *epoch = NULL;
  json_object *changes = NULL;
  gsize n;

  if (obj == NULL)
    return NULL;
  if (!check_keys (obj, keys, "a push", error) ||
      !check_version (obj, "a push", error) ||
      !get_string (obj, "station", TRUE, 9, &station, "a push", error) ||
      !get_string (obj, "epoch", TRUE, 36, &epoch, "a push", error) ||
      !check_station (station, "a push", error) ||
      !check_uuid (epoch, "epoch", "a push", error))
    return NULL;
  if (!json_object_object_get_ex (obj, "changes", &changes) ||
      !json_object_is_type (changes, json_type_array))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "“changes” of a push must be an array");
      return NULL;
    }
  n = json_object_array_length (changes);
  if (n == 0)
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "A push must hold at least one change");
      return NULL;
    }
  if (n > JZ_PROTOCOL_MAX_BATCH)
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_TOO_LARGE,
                   "A push holds %" G_GSIZE_FORMAT " changes; at most %d are allowed",
                   n, JZ_PROTOCOL_MAX_BATCH);
      return NULL;
    }

  request = jz_push_request_new (station, epoch);
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GError) local_error = NULL;
      JzChange *change = jz_change_from_json (json_object_array_get_idx (changes, i), FALSE,
                                              &local_error);

      if (change == NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "Change %" G_GSIZE_FORMAT " of the push: ", i + 1);
          return NULL;
        }
      g_ptr_array_add (request->changes, change);
      if ((change->station != NULL && !g_str_equal (change->station, station)) ||
          (change->epoch != NULL && !g_str_equal (change->epoch, epoch)))
        {
          g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                       "Change %" G_GSIZE_FORMAT " of the push names another station or epoch than the push",
                       i + 1);
          return NULL;
        }
      if (change->station == NULL)
        change->station = g_strdup (station);
      if (change->epoch == NULL)
        change->epoch = g_strdup (epoch);
      if (i > 0 && change->seq != ((JzChange *) g_ptr_array_index (request->changes, i - 1))->seq + 1)
        {
          g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                       "The sequence numbers of a push must be contiguous; change %" G_GSIZE_FORMAT
                       " has %" G_GINT64_FORMAT " after %" G_GINT64_FORMAT,
                       i + 1, change->seq,
                       ((JzChange *) g_ptr_array_index (request->changes, i - 1))->seq);
          return NULL;
        }
    }
  return g_steal_pointer (&request);
}

/* An integer member, as json-c would give it (no fraction, no exponent,
 * at most 18 digits: never clamped). */
static gboolean
member_int (const JzJsonMember *m,
            gint64              min,
            gint64             *out)
{
  gint64 v;

  if (m->kind != JZ_JSON_INT)
    return FALSE;
  v = g_ascii_strtoll (m->value, NULL, 10);
  if (v < min)
    return FALSE;
  *out = v;
  return TRUE;
}

/* A string member without escapes, at most @max_len bytes, into @out. */
static gboolean
member_plain_string (const JzJsonMember *m,
                     gsize               max_len,
                     char              **out)
{
  if (m->kind != JZ_JSON_STRING || m->escaped || m->value_len - 2 > max_len)
    return FALSE;
  g_free (*out);
  *out = g_strndup (m->value + 1, m->value_len - 2);
  return TRUE;
}

/* One change at lx->p, of a push or (@full) of a pull; NULL when it is
 * not plainly valid. A pull's change with lost values is left to json-c. */
static JzChange *
change_decode_fast (Lexer    *lx,
                    GArray   *fields,
                    gboolean  full)
{
  enum { SEQ = 1, STATION = 2, EPOCH = 4, ENTITY = 8, ID = 16, OP = 32, BASE_REV = 64,
         BASE_SEQ = 128, HLC = 256, FIELDS = 512, HUB_SEQ = 1024, AUTH = 2048, OWNER = 4096,
         OWN_SEQ = 8192 };
  g_autoptr(JzChange) change = jz_change_new ();
  g_autofree char *op = NULL;
  guint seen = 0;

  if (lx->p >= lx->end || *lx->p != '{')
    return NULL;
  lx->p++;
  lex_space (lx);
  for (;;)
    {
      gboolean closed;
      JzJsonMember m;
      guint bit;
      gint64 v = 0;

      if (!scan_key (lx, &m))
        return NULL;
      if (key_is (&m, "fields"))
        {
          const guchar *start = lx->p;
          gsize total = 2;

          if (seen & FIELDS || !scan_flat (lx, fields))
            return NULL;
          for (guint i = 0; i < fields->len; i++)
            {
              const JzJsonMember *f = &g_array_index (fields, JzJsonMember, i);
              char name[JZ_PROTOCOL_MAX_FIELD_NAME + 1];

              if (f->key_len > JZ_PROTOCOL_MAX_FIELD_NAME)
                return NULL;
              memcpy (name, f->key, f->key_len);
              name[f->key_len] = '\0';
              if (!jz_protocol_name_is_valid (name, JZ_PROTOCOL_MAX_FIELD_NAME))
                return NULL;
              total += f->key_len + 4 + (f->kind == JZ_JSON_STRING ? f->value_len : 24);
            }
          if (total > JZ_PROTOCOL_MAX_FIELDS)
            return NULL;
          change->fields_json = g_strndup ((const char *) start, lx->p - start);
          seen |= FIELDS;
        }
      else
        {
          if (!scan_scalar (lx, &m))
            return NULL;
          if (key_is (&m, "seq"))
            bit = SEQ, v = member_int (&m, 1, &change->seq);
          else if (key_is (&m, "station"))
            bit = STATION, v = member_plain_string (&m, 9, &change->station) &&
                               jz_protocol_station_is_valid (change->station);
          else if (key_is (&m, "epoch"))
            bit = EPOCH, v = member_plain_string (&m, 36, &change->epoch) && jz_uuid_is_valid (change->epoch);
          else if (key_is (&m, "entity"))
            bit = ENTITY, v = member_plain_string (&m, JZ_PROTOCOL_MAX_ENTITY, &change->entity) &&
                              jz_protocol_name_is_valid (change->entity, JZ_PROTOCOL_MAX_ENTITY);
          else if (key_is (&m, "id"))
            bit = ID, v = member_plain_string (&m, 36, &change->id) && jz_uuid_is_valid (change->id);
          else if (key_is (&m, "op"))
            bit = OP, v = member_plain_string (&m, 16, &op) && jz_op_from_string (op, &change->op);
          else if (key_is (&m, "base_rev"))
            {
              gint64 rev = 0;

              bit = BASE_REV, v = member_int (&m, 0, &rev);
              change->base_rev = (guint64) rev;
            }
          else if (key_is (&m, "base_seq") && !full)
            bit = BASE_SEQ, v = member_int (&m, 0, &change->base_seq), change->has_base_seq = TRUE;
          else if (key_is (&m, "hub_seq") && full)
            bit = HUB_SEQ, v = member_int (&m, 1, &change->hub_seq);
          else if (key_is (&m, "own_seq") && full)
            bit = OWN_SEQ, v = member_int (&m, 1, &change->seq), change->stub = TRUE;
          else if (key_is (&m, "auth") && full)
            {
              gint64 auth = 0;

              bit = AUTH, v = member_int (&m, JZ_AUTHORITY_OTHER, &auth) && auth <= JZ_AUTHORITY_HUB;
              change->auth = (JzAuthority) auth;
            }
          else if (key_is (&m, "owner") && full)
            bit = OWNER, v = member_plain_string (&m, 9, &change->owner) &&
                             jz_protocol_station_is_valid (change->owner);
          else if (key_is (&m, "hlc"))
            {
              gint64 hlc = 0;

              bit = HLC, v = member_int (&m, 1, &hlc);
              change->hlc = (guint64) hlc;
            }
          else
            return NULL;
          if (!v || (seen & bit))
            return NULL;
          seen |= bit;
        }
      lex_space (lx);
      if (!lex_next (lx, '}', &closed))
        return NULL;
      if (closed)
        break;
    }
  if (full && (seen & OWN_SEQ))
    return seen == (HUB_SEQ | OWN_SEQ) ? g_steal_pointer (&change) : NULL;
  if (full && (seen & (HUB_SEQ | STATION | EPOCH)) != (HUB_SEQ | STATION | EPOCH))
    return NULL;
  if ((seen & (SEQ | ENTITY | ID | OP | HLC | FIELDS)) != (SEQ | ENTITY | ID | OP | HLC | FIELDS))
    return NULL;
  return g_steal_pointer (&change);
}

/* The array of changes at @lx, each added to @out: at least one and at
 * most @max (0: no limit) in a push; any number, none too, in a pull
 * reply (@pulled). */
static gboolean
scan_changes (Lexer     *lx,
              GArray    *fields,
              gboolean   pulled,
              guint      max,
              GPtrArray *out)
{
  if (lx->p >= lx->end || *lx->p != '[')
    return FALSE;
  lx->p++;
  lex_space (lx);
  if (pulled && lx->p < lx->end && *lx->p == ']')
    {
      lx->p++;
      return TRUE;
    }
  for (;;)
    {
      gboolean closed;
      JzChange *c = change_decode_fast (lx, fields, pulled);

      if (c == NULL || (max > 0 && out->len == max))
        {
          jz_change_free (c);
          return FALSE;
        }
      g_ptr_array_add (out, c);
      lex_space (lx);
      if (!lex_next (lx, ']', &closed))
        return FALSE;
      if (closed)
        return TRUE;
    }
}

/* The push as a well-behaved station sends it, decoded without json-c;
 * NULL for anything else, which jz_push_request_decode() then judges. */
static JzPushRequest *
push_request_decode_fast (const char *data,
                          gsize       len)
{
  enum { V = 1, STATION = 2, EPOCH = 4, CHANGES = 8 };
  Lexer lx = { (const guchar *) data, (const guchar *) data + len, (const guchar *) data, 0 };
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_change_free);
  g_autoptr(GArray) fields = g_array_sized_new (FALSE, FALSE, sizeof (JzJsonMember), 32);
  g_autofree char *station = NULL;
  g_autofree char *epoch = NULL;
  JzPushRequest *request;
  guint seen = 0;

  if (len > G_MAXINT)
    return NULL;
  lex_space (&lx);
  if (lx.p >= lx.end || *lx.p != '{')
    return NULL;
  lx.p++;
  lex_space (&lx);
  for (;;)
    {
      gboolean closed;
      JzJsonMember m;
      guint bit;
      gboolean ok;

      if (!scan_key (&lx, &m))
        return NULL;
      if (key_is (&m, "changes"))
        {
          bit = CHANGES;
          ok = scan_changes (&lx, fields, FALSE, JZ_PROTOCOL_MAX_BATCH, changes);
        }
      else
        {
          gint64 v = 0;

          if (!scan_scalar (&lx, &m))
            return NULL;
          if (key_is (&m, "v"))
            bit = V, ok = member_int (&m, 0, &v) && v == JZ_PROTOCOL_VERSION;
          else if (key_is (&m, "station"))
            bit = STATION, ok = member_plain_string (&m, 9, &station) && jz_protocol_station_is_valid (station);
          else if (key_is (&m, "epoch"))
            bit = EPOCH, ok = member_plain_string (&m, 36, &epoch) && jz_uuid_is_valid (epoch);
          else
            return NULL;
        }
      if (!ok || (seen & bit))
        return NULL;
      seen |= bit;
      lex_space (&lx);
      if (!lex_next (&lx, '}', &closed))
        return NULL;
      if (closed)
        break;
    }
  lex_space (&lx);
  if (lx.p != lx.end || (seen & (STATION | EPOCH | CHANGES)) != (STATION | EPOCH | CHANGES))
    return NULL;

  for (guint i = 0; i < changes->len; i++)
    {
      JzChange *c = g_ptr_array_index (changes, i);

      if ((c->station != NULL && !g_str_equal (c->station, station)) ||
          (c->epoch != NULL && !g_str_equal (c->epoch, epoch)) ||
          (i > 0 && c->seq != ((JzChange *) g_ptr_array_index (changes, i - 1))->seq + 1))
        return NULL;
      if (c->station == NULL)
        c->station = g_strdup (station);
      if (c->epoch == NULL)
        c->epoch = g_strdup (epoch);
    }

  request = g_new0 (JzPushRequest, 1);
  request->station = g_steal_pointer (&station);
  request->epoch = g_steal_pointer (&epoch);
  request->changes = g_steal_pointer (&changes);
  return request;
}

JzPushRequest *
jz_push_request_decode_lean (const char  *data,
                             gsize        len,
                             GError     **error)
{
  JzPushRequest *request = push_request_decode_fast (data, len);

  return request != NULL ? request : jz_push_request_decode (data, len, error);
}

char *
jz_push_reply_encode (const JzPushReply *reply)
{
  return g_strdup_printf ("{\"v\":%d,\"high_seq\":%" G_GINT64_FORMAT ",\"accepted\":%" G_GINT64_FORMAT
                          ",\"skipped\":%" G_GINT64_FORMAT ",\"hub_seq\":%" G_GINT64_FORMAT "}",
                          JZ_PROTOCOL_VERSION, reply->high_seq, reply->accepted, reply->skipped,
                          reply->hub_seq);
}

gboolean
jz_push_reply_decode (const char   *data,
                      gsize         len,
                      JzPushReply  *reply,
                      GError      **error)
{
  static const char *keys[] = { "v", "high_seq", "accepted", "skipped", "hub_seq", NULL };
  g_autoptr(JzJson) obj = jz_protocol_parse (data, len, error);

  memset (reply, 0, sizeof *reply);
  return obj != NULL &&
         check_keys (obj, keys, "a push reply", error) &&
         check_version (obj, "a push reply", error) &&
         get_int (obj, "high_seq", TRUE, 0, G_MAXINT64, &reply->high_seq, "a push reply", error) &&
         get_int (obj, "accepted", TRUE, 0, G_MAXINT64, &reply->accepted, "a push reply", error) &&
         get_int (obj, "skipped", TRUE, 0, G_MAXINT64, &reply->skipped, "a push reply", error) &&
         get_int (obj, "hub_seq", TRUE, 0, G_MAXINT64, &reply->hub_seq, "a push reply", error);
}

/* Pull */

JzPullReply *
jz_pull_reply_new (void)
{
  JzPullReply *reply = g_new0 (JzPullReply, 1);

  reply->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_change_free);
  return reply;
}

void
jz_pull_reply_free (JzPullReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->anchor);
  g_ptr_array_unref (reply->changes);
  g_free (reply);
}

/* A pull reply as the hub sends it, decoded without json-c: each change
 * keeps its fields as text (jz_change_get_fields() parses them when
 * needed). NULL for anything else, which jz_pull_reply_decode() then
 * judges. */
static JzPullReply *
pull_reply_decode_fast (const char *data,
                        gsize       len)
{
  enum { V = 1, CURSOR = 2, ANCHOR = 4, MORE = 8, CHANGES = 16 };
  Lexer lx = { (const guchar *) data, (const guchar *) data + len, (const guchar *) data, 0 };
  g_autoptr(JzPullReply) reply = jz_pull_reply_new ();
  g_autoptr(GArray) fields = g_array_sized_new (FALSE, FALSE, sizeof (JzJsonMember), 32);
  guint seen = 0;

  if (len > G_MAXINT)
    return NULL;
  lex_space (&lx);
  if (lx.p >= lx.end || *lx.p != '{')
    return NULL;
  lx.p++;
  lex_space (&lx);
  for (;;)
    {
      gboolean closed;
      JzJsonMember m;
      guint bit;
      gboolean ok;

      if (!scan_key (&lx, &m))
        return NULL;
      if (key_is (&m, "changes"))
        {
          bit = CHANGES;
          ok = scan_changes (&lx, fields, TRUE, 0, reply->changes);
        }
      else
        {
          gint64 v = 0;

          if (!scan_scalar (&lx, &m))
            return NULL;
          if (key_is (&m, "v"))
            bit = V, ok = member_int (&m, 0, &v) && v == JZ_PROTOCOL_VERSION;
          else if (key_is (&m, "cursor"))
            bit = CURSOR, ok = member_int (&m, 0, &reply->cursor);
          else if (key_is (&m, "anchor"))
            bit = ANCHOR, ok = m.kind == JZ_JSON_NULL || member_plain_string (&m, 128, &reply->anchor);
          else if (key_is (&m, "more"))
            bit = MORE, ok = m.kind == JZ_JSON_BOOL, reply->more = jz_json_member_is_true (&m);
          else
            return NULL;
        }
      if (!ok || (seen & bit))
        return NULL;
      seen |= bit;
      lex_space (&lx);
      if (!lex_next (&lx, '}', &closed))
        return NULL;
      if (closed)
        break;
    }
  lex_space (&lx);
  if (lx.p != lx.end || (seen & (V | CURSOR | MORE | CHANGES)) != (V | CURSOR | MORE | CHANGES))
    return NULL;
  for (guint i = 0; i < reply->changes->len; i++)
    {
      JzChange *c = g_ptr_array_index (reply->changes, i);

      if (c->hub_seq > reply->cursor || (i > 0 && c->hub_seq <= ((JzChange *) reply->changes->pdata[i - 1])->hub_seq))
        return NULL;
    }
  return g_steal_pointer (&reply);
}

JzPullReply *
jz_pull_reply_decode_lean (const char  *data,
                           gsize        len,
                           GError     **error)
{
  JzPullReply *reply = pull_reply_decode_fast (data, len);

  return reply != NULL ? reply : jz_pull_reply_decode (data, len, error);
}

JzPullReply *
jz_pull_reply_decode (const char  *data,
                      gsize        len,
                      GError     **error)
{
  static const char *keys[] = { "v", "cursor", "anchor", "more", "changes", NULL };
  g_autoptr(JzJson) obj = jz_protocol_parse (data, len, error);
  g_autoptr(JzPullReply) reply = jz_pull_reply_new ();
  json_object *changes = NULL;
  gint64 prev = 0;

  if (obj == NULL ||
      !check_keys (obj, keys, "a pull reply", error) ||
      !check_version (obj, "a pull reply", error) ||
      !get_int (obj, "cursor", TRUE, 0, G_MAXINT64, &reply->cursor, "a pull reply", error) ||
      !get_string (obj, "anchor", FALSE, 128, &reply->anchor, "a pull reply", error) ||
      !get_bool (obj, "more", &reply->more, "a pull reply", error))
    return NULL;
  if (!json_object_object_get_ex (obj, "changes", &changes) ||
      !json_object_is_type (changes, json_type_array))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "“changes” of a pull reply must be an array");
      return NULL;
    }
  for (gsize i = 0; i < json_object_array_length (changes); i++)
    {
      g_autoptr(GError) local_error = NULL;
      JzChange *change = jz_change_from_json (json_object_array_get_idx (changes, i), TRUE,
                                              &local_error);

      if (change == NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "Change %" G_GSIZE_FORMAT " of the pull: ", i + 1);
          return NULL;
        }
      g_ptr_array_add (reply->changes, change);
      if (change->hub_seq <= prev || change->hub_seq > reply->cursor)
        {
          g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                       "The changes of a pull reply are not in hub order up to its cursor");
          return NULL;
        }
      prev = change->hub_seq;
    }
  return g_steal_pointer (&reply);
}

/* Hello */

char *
jz_hello_request_encode (const JzHelloRequest *request)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "{\"v\":%d,\"station\":", JZ_PROTOCOL_VERSION);
  jz_json_append_string (out, request->station);
  g_string_append (out, ",\"epoch\":");
  jz_json_append_string (out, request->epoch);
  g_string_append_printf (out, ",\"cursor\":%" G_GINT64_FORMAT ",\"acked\":%" G_GINT64_FORMAT,
                          request->cursor, request->acked);
  if (request->start > 1)
    g_string_append_printf (out, ",\"start\":%" G_GINT64_FORMAT, request->start);
  if (request->anchor != NULL)
    {
      g_string_append (out, ",\"anchor\":");
      jz_json_append_string (out, request->anchor);
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

JzHelloRequest *
jz_hello_request_decode (const char  *data,
                         gsize        len,
                         GError     **error)
{
  static const char *keys[] = { "v", "station", "epoch", "cursor", "anchor", "acked", "start", NULL };
  g_autoptr(JzJson) obj = jz_protocol_parse (data, len, error);
  g_autoptr(JzHelloRequest) request = g_new0 (JzHelloRequest, 1);

  if (obj == NULL ||
      !check_keys (obj, keys, "a hello", error) ||
      !check_version (obj, "a hello", error) ||
      !get_string (obj, "station", TRUE, 9, &request->station, "a hello", error) ||
      !get_string (obj, "epoch", TRUE, 36, &request->epoch, "a hello", error) ||
      !check_station (request->station, "a hello", error) ||
      !check_uuid (request->epoch, "epoch", "a hello", error) ||
      !get_int (obj, "cursor", FALSE, 0, G_MAXINT64, &request->cursor, "a hello", error) ||
      !get_string (obj, "anchor", FALSE, 128, &request->anchor, "a hello", error) ||
      !get_int (obj, "acked", FALSE, 0, G_MAXINT64, &request->acked, "a hello", error) ||
      !get_int (obj, "start", FALSE, 1, G_MAXINT64, &request->start, "a hello", error))
    return NULL;
  return g_steal_pointer (&request);
}

void
jz_hello_request_free (JzHelloRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->station);
  g_free (request->epoch);
  g_free (request->anchor);
  g_free (request);
}

char *
jz_hello_reply_encode (const JzHelloReply *reply)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "{\"v\":%d,\"device\":", JZ_PROTOCOL_VERSION);
  jz_json_append_string (out, reply->device);
  g_string_append (out, ",\"station\":");
  jz_json_append_string (out, reply->station);
  g_string_append (out, ",\"level\":");
  jz_json_append_string (out, reply->level);
  g_string_append (out, ",\"incarnation\":");
  jz_json_append_string (out, reply->incarnation);
  g_string_append_printf (out, ",\"hub_seq\":%" G_GINT64_FORMAT ",\"high_seq\":%" G_GINT64_FORMAT
                          ",\"known\":%s,\"anchor_ok\":%s,\"time\":%" G_GINT64_FORMAT "}",
                          reply->hub_seq, reply->high_seq, reply->known ? "true" : "false",
                          reply->anchor_ok ? "true" : "false",
                          reply->time_ms);
  return g_string_free (out, FALSE);
}

JzHelloReply *
jz_hello_reply_decode (const char  *data,
                       gsize        len,
                       GError     **error)
{
  static const char *keys[] = {
    "v", "device", "station", "level", "incarnation", "hub_seq", "high_seq", "known", "anchor_ok",
    "time", NULL
  };
  g_autoptr(JzJson) obj = jz_protocol_parse (data, len, error);
  g_autoptr(JzHelloReply) reply = g_new0 (JzHelloReply, 1);

  reply->anchor_ok = TRUE;
  if (obj == NULL ||
      !check_keys (obj, keys, "a hello reply", error) ||
      !check_version (obj, "a hello reply", error) ||
      !get_string (obj, "device", TRUE, 36, &reply->device, "a hello reply", error) ||
      !get_string (obj, "station", TRUE, 9, &reply->station, "a hello reply", error) ||
      !get_string (obj, "level", TRUE, 16, &reply->level, "a hello reply", error) ||
      !get_string (obj, "incarnation", TRUE, 36, &reply->incarnation, "a hello reply", error) ||
      !get_int (obj, "hub_seq", TRUE, 0, G_MAXINT64, &reply->hub_seq, "a hello reply", error) ||
      !get_int (obj, "high_seq", TRUE, 0, G_MAXINT64, &reply->high_seq, "a hello reply", error) ||
      !get_bool (obj, "known", &reply->known, "a hello reply", error) ||
      !get_bool (obj, "anchor_ok", &reply->anchor_ok, "a hello reply", error) ||
      !get_int (obj, "time", FALSE, 0, G_MAXINT64, &reply->time_ms, "a hello reply", error))
    return NULL;
  return g_steal_pointer (&reply);
}

void
jz_hello_reply_free (JzHelloReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->device);
  g_free (reply->station);
  g_free (reply->level);
  g_free (reply->incarnation);
  g_free (reply);
}

/* Enrolment */

char *
jz_enrol_request_encode (const JzEnrolRequest *request)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "{\"v\":%d,\"code\":", JZ_PROTOCOL_VERSION);
  jz_json_append_string (out, request->code);
  g_string_append (out, ",\"station\":");
  jz_json_append_string (out, request->station);
  g_string_append (out, ",\"level\":");
  jz_json_append_string (out, request->level);
  g_string_append (out, ",\"epoch\":");
  jz_json_append_string (out, request->epoch);
  if (request->label != NULL)
    {
      g_string_append (out, ",\"label\":");
      jz_json_append_string (out, request->label);
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

JzEnrolRequest *
jz_enrol_request_decode (const char  *data,
                         gsize        len,
                         GError     **error)
{
  static const char *keys[] = { "v", "code", "station", "level", "epoch", "label", NULL };
  g_autoptr(JzJson) obj = jz_protocol_parse (data, len, error);
  g_autoptr(JzEnrolRequest) request = g_new0 (JzEnrolRequest, 1);

  if (obj == NULL ||
      !check_keys (obj, keys, "an enrolment", error) ||
      !check_version (obj, "an enrolment", error) ||
      !get_string (obj, "code", TRUE, 64, &request->code, "an enrolment", error) ||
      !get_string (obj, "station", TRUE, 9, &request->station, "an enrolment", error) ||
      !get_string (obj, "level", TRUE, 16, &request->level, "an enrolment", error) ||
      !get_string (obj, "epoch", TRUE, 36, &request->epoch, "an enrolment", error) ||
      !get_string (obj, "label", FALSE, 128, &request->label, "an enrolment", error) ||
      !check_station (request->station, "an enrolment", error) ||
      !check_uuid (request->epoch, "epoch", "an enrolment", error))
    return NULL;
  if (!g_str_equal (request->level, "county") && !g_str_equal (request->level, "hub"))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "The level of an enrolment must be “county” or “hub”");
      return NULL;
    }
  return g_steal_pointer (&request);
}

void
jz_enrol_request_free (JzEnrolRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->code);
  g_free (request->station);
  g_free (request->level);
  g_free (request->epoch);
  g_free (request->label);
  g_free (request);
}

char *
jz_enrol_reply_encode (const JzEnrolReply *reply)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "{\"v\":%d,\"device\":", JZ_PROTOCOL_VERSION);
  jz_json_append_string (out, reply->device);
  g_string_append (out, ",\"token\":");
  jz_json_append_string (out, reply->token);
  g_string_append (out, ",\"station\":");
  jz_json_append_string (out, reply->station);
  g_string_append (out, ",\"station_name\":");
  jz_json_append_string (out, reply->station_name);
  g_string_append (out, ",\"level\":");
  jz_json_append_string (out, reply->level);
  g_string_append (out, ",\"incarnation\":");
  jz_json_append_string (out, reply->incarnation);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

JzEnrolReply *
jz_enrol_reply_decode (const char  *data,
                       gsize        len,
                       GError     **error)
{
  static const char *keys[] = { "v", "device", "token", "station", "station_name", "level", "incarnation", NULL };
  g_autoptr(JzJson) obj = jz_protocol_parse (data, len, error);
  g_autoptr(JzEnrolReply) reply = g_new0 (JzEnrolReply, 1);

  if (obj == NULL ||
      !check_keys (obj, keys, "an enrolment reply", error) ||
      !check_version (obj, "an enrolment reply", error) ||
      !get_string (obj, "device", TRUE, 36, &reply->device, "an enrolment reply", error) ||
      !get_string (obj, "token", TRUE, 128, &reply->token, "an enrolment reply", error) ||
      !get_string (obj, "station", TRUE, 9, &reply->station, "an enrolment reply", error) ||
      !get_string (obj, "station_name", TRUE, 256, &reply->station_name, "an enrolment reply", error) ||
      !get_string (obj, "level", TRUE, 16, &reply->level, "an enrolment reply", error) ||
      !get_string (obj, "incarnation", TRUE, 36, &reply->incarnation, "an enrolment reply", error))
    return NULL;
  return g_steal_pointer (&reply);
}

void
jz_enrol_reply_free (JzEnrolReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->device);
  g_free (reply->token);
  g_free (reply->station);
  g_free (reply->station_name);
  g_free (reply->level);
  g_free (reply->incarnation);
  g_free (reply);
}
