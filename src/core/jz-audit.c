/* jz-audit.c: the SQL functions behind change capture, and the audit log
 *
 * The audit log (全程留痕) is written by the generated triggers
 * (jz-schema.c), one entry per inserted, updated or deleted row, with the
 * actor (staff id), the device (the store epoch's number in audit_device,
 * 0 for a change pulled from the hub), the time and the fields: the whole
 * row for an insert or a delete, the changed ones for an update. Entries are chained:
 *
 *   hash = SHA-256 (prev_hash || at || actor || device || entity ||
 *                   entity_id || op || fields_json)
 *
 * over the entry as text: 0x1f between the parts, 0x1e standing for a
 * NULL actor, the device number in decimal, the table's name, the id and
 * actor as written (8-4-4-4-12), the operation's name, the fields as JSON.
 * prev_hash is the entry before's stored hash, 32 zero bytes for the first.
 *
 * Since schema 12 (0012-audit-compact.sql) the entries are kept in
 * audit_log compactly: the table as its number in audit_table (frozen:
 * audit_tables below), the operation as 1–3, the id and actor as a UUID's
 * 16 bytes (jz_uuid_pack), the fields packed (below), and the first 16
 * bytes of the hash; entries written before keep their whole hash. The
 * view `audit` shows the log as text. Editing an entry, or removing or
 * replacing one before it, makes its hash not match; a gap also shows in
 * the sequence numbers; removing the newest entries is caught by
 * AUTOINCREMENT's sqlite_sequence and by the replay, which rebuilds every
 * row from its entries and compares it with the table, so a row changed
 * behind the log's back (a shell with the triggers dropped) is caught too.
 * The chain shows tampering by someone without this code; it is not a
 * signature against someone who rewrites the whole log with it — the hub's
 * copy of the changes is the outside witness for that.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-audit"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json.h>
#include <nettle/sha2.h>
#include <string.h>
#include <zlib.h>

#include "jz-audit.h"
#include "jz-core.h"
#include "jz-schema.h"
#include "jz-store.h"
#include "jz-uuid.h"

static void
fn_applying (sqlite3_context  *ctx,
             int               argc,
             sqlite3_value   **argv)
{
  JzAuditState *state = sqlite3_user_data (ctx);

  sqlite3_result_int (ctx, state->applying ? 1 : 0);
}

static void
fn_actor (sqlite3_context  *ctx,
          int               argc,
          sqlite3_value   **argv)
{
  JzAuditState *state = sqlite3_user_data (ctx);

  if (state->actor != NULL)
    sqlite3_result_text (ctx, state->actor, -1, SQLITE_TRANSIENT);
  else
    sqlite3_result_null (ctx);
}

/* 0 marks a change pulled from the hub. */
static void
fn_device (sqlite3_context  *ctx,
           int               argc,
           sqlite3_value   **argv)
{
  JzAuditState *state = sqlite3_user_data (ctx);

  sqlite3_result_int64 (ctx, state->applying ? 0 : state->device);
}

/* Packing. The audit log holds every row's values once more; at a
 * million people it is the biggest table, and its JSON is mostly the
 * same column names and enumeration values again and again. Raw deflate
 * with a preset dictionary of exactly those strings halves it. The
 * dictionary of format 1 is frozen: entries written with it must stay
 * readable, so a new dictionary needs a new format byte. */
#define PACK_FORMAT_DEFLATE_V1 0x01

static const char pack_dictionary_v1[] =
  "\"worker\",\"admin\",\"men\",\"women\",\"minors\",\"family\",\"full\",\"partial\",\"sel"
  "f_reported\",\"unknown\",\"array\",\"male\",\"female\",\"exact\",\"year\",\"estimate"
  "d\",\"slight\",\"medium\",\"heavy\",\"verified\",\"settled\",\"none\",\"dibao\",\"wuba"
  "o\",\"tekun\",\"walk_in\",\"police_escort\",\"chengguan\",\"patrol\",\"public_repo"
  "rt\",\"hospital\",\"transfer\",\"vagrant\",\"temporary\",\"pending\",\"admit\",\"ref"
  "use\",\"screening\",\"admitted\",\"refused\",\"police\",\"departed\",\"held\",\"nece"
  "ssity\",\"meal\",\"lodging\",\"medical\",\"hospital_stay\",\"counselling\",\"educa"
  "tion\",\"other\",\"self_account\",\"dialect\",\"names_places\",\"fingerprint\",\"f"
  "ace\",\"police_report\",\"notice\",\"dna_request\",\"dna_result\",\"police_recor"
  "ds\",\"media\",\"dna\",\"placed\",\"ticket\",\"self_return\",\"help_ended\",\"left\","
  "\"escorted\",\"collected\",\"death\",\"train\",\"bus\",\"ship\",\"plane\",\"preparing"
  "\",\"applied\",\"withdrawn\",\"visit\",\"phone\",\"via_local\",\"low\",\"high\",\"wint"
  "er\",\"summer\",\"brought_in\",\"supplies\",\"public\",\"sanitation_worker\",\"dri"
  "ver\",\"night_guard\",\"staff\",\"hotline_12345\",\"hotline_110\",\"station_hotl"
  "ine\",\"in_person\",\"online\",\"not_found\",\"referred\",\"hrss\",\"housing\",\"leg"
  "al_aid\",\"charity\",\"civil_affairs\",\"open\",\"in_progress\",\"done\",\"cancell"
  "ed\",\"escort\",\"cash\",\"person\",\"episode\",\"belonging\",\"departure\",\"escort"
  "_trip\",\"placement\",\"settlement\",\"followup\",\"encounter\",\"sighting_repor"
  "t\",\"referral\",\"expenditure\",\"tracing_step\",\"service_log\",\"photo\",\"scan"
  "\",\"signature\",\"document\",\"kept_local\",\"took_remote\",\"insert\",\"update\","
  "\"delete\",\"placeholder\",\"id\":\"deleted\":\"name\":\"role\":\"pin_hash\":\"pin_sa"
  "lt\":\"pin_rounds\":\"active\":\"kind\":\"room_id\":\"label\":\"name_quality\":\"pla"
  "ceholder_no\":\"aliases\":\"sex\":\"ethnicity\":\"birth_date\":\"birth_precision"
  "\":\"estimated_age\":\"estimated_on\":\"id_number\":\"hukou_region\":\"residence"
  "\":\"dialect\":\"height_cm\":\"build\":\"marks\":\"clothing\":\"description\":\"cont"
  "acts\":\"identity_status\":\"dibao\":\"flags\":\"number\":\"person_id\":\"admitted"
  "_at\":\"source\":\"handover_form_no\":\"from_station\":\"category\":\"reason\":\"h"
  "istory\":\"eligibility\":\"refusal_reason\":\"assistance\":\"in_station\":\"heal"
  "th\":\"bed_id\":\"stay_deadline\":\"status\":\"departed_at\":\"assigned_to\":\"epi"
  "sode_id\":\"item\":\"qty\":\"storage\":\"received_at\":\"signed_in\":\"returned_at"
  "\":\"returned_by\":\"returned_qty\":\"signed_out\":\"at\":\"until_at\":\"staff_id\""
  ":\"note\":\"method\":\"operator\":\"result\":\"success\":\"channel\":\"filed_by\":\"f"
  "iled_at\":\"new_deadline\":\"approval_ref\":\"mode\":\"cross_province\":\"destin"
  "ation_region\":\"destination\":\"collector_name\":\"collector_id_number\":\"co"
  "llector_relation\":\"collector_phone\":\"ticket_kind\":\"ticket_no\":\"ticket_"
  "from\":\"ticket_to\":\"ticket_fen\":\"cash_fen\":\"cash_reason\":\"declaration_s"
  "igned\":\"belongings_returned\":\"notice_no\":\"staff\":\"vehicle\":\"route\":\"st"
  "arted_at\":\"arrived_at\":\"receiving_unit\":\"received_by\":\"handover_signed"
  "\":\"institution\":\"qualification_checked\":\"agreement_no\":\"ended_at\":\"vis"
  "it_every_days\":\"last_visit_at\":\"databases_checked\":\"letter_no\":\"applie"
  "d_at\":\"settled_at\":\"due_at\":\"done_at\":\"situation\":\"help\":\"risk_of_leav"
  "ing\":\"departments\":\"area\":\"campaign\":\"patrol_id\":\"place\":\"latitude\":\"l"
  "ongitude\":\"condition\":\"action\":\"encounter_id\":\"reported_at\":\"reporter_"
  "kind\":\"reporter\":\"dispatched_to\":\"responded_at\":\"outcome\":\"agency\":\"ag"
  "ency_name\":\"referred_at\":\"first_responsible\":\"deadline\":\"closed_at\":\"s"
  "pent_at\":\"amount_fen\":\"receipt_no\":\"owner_entity\":\"owner_id\":\"mime\":\"s"
  "ize\":\"taken_at\":\"entity\":\"entity_id\":\"field\":\"local_value\":\"remote_val"
  "ue\":\"remote_station\":\"remote_hlc\":\"decision\":\"decided_by\":\"decided_at\""
  ":\"date\":\"workday\":\"op\":\"actor\":\"device\":";

/* Format 2, tokens: what entries are packed as now. The JSON the triggers
 * make (jz_row, jz_changed) is a flat object of column names and numbers
 * or strings: mostly the same names and enumeration values, dates, codes
 * and ids. Writing those as short tokens is much faster than deflate and
 * smaller. Names and values are numbered in the order the frozen
 * dictionary of format 1 lists them ("name": a key, "value", a value), so
 * the numbers are frozen with it; anything else is written as it is. An
 * entry that is not such an object, or that would not come back byte for
 * byte, is packed with format 1 instead. The hash is over the JSON text
 * either way.
 *
 *   entry   = 0x02 member*
 *   member  = key value
 *   key     = n (0–254: the dictionary's n-th key) | 0xff len bytes
 *   value   = 0x80|n (the integer n, 0–127) | 0x00 (null)
 *           | 0x01 zigzag-varint (an integer)
 *           | 0x02 len bytes (a string: what is between the quotes)
 *           | 0x03 16 bytes (a lowercase 8-4-4-4-12 UUID string)
 *           | 0x04 count bytes (a string of NIBBLES, two a byte, high first)
 *           | 0x05 len bytes (a number as written)
 *           | 0x06 n (the dictionary's n-th value, as a string)
 *   len, count = unsigned LEB128 varint */
#define PACK_FORMAT_TOKENS_V2 0x02

enum
{
  TOKEN_NULL = 0x00,
  TOKEN_INT = 0x01,
  TOKEN_STRING = 0x02,
  TOKEN_UUID = 0x03,
  TOKEN_NIBBLES = 0x04,
  TOKEN_NUMBER = 0x05,
  TOKEN_VALUE = 0x06,
  TOKEN_SMALL = 0x80,
};
#define KEY_RAW 0xff

/* Frozen with format 2. */
static const char nibbles[] = "0123456789-:. TX";

#define N_SLOTS 1024

typedef struct
{
  const char *text;   /* in pack_dictionary_v1, not terminated */
  guint       len;
} Word;

typedef struct
{
  Word    keys[KEY_RAW];
  guint   n_keys;
  Word    values[256];
  guint   n_values;
  guint16 key_slots[N_SLOTS];     /* index + 1, 0 for none */
  guint16 value_slots[N_SLOTS];
  gint8   nibble_of[256];         /* -1: not in NIBBLES */
} Tokens;

static guint
word_hash (const char *text,
           gsize       len)
{
  guint h = 2166136261u;

  for (gsize i = 0; i < len; i++)
    h = (h ^ (guchar) text[i]) * 16777619u;
  return h;
}

static void
slots_add (guint16    *slots,
           const Word *words,
           guint       index)
{
  guint h = word_hash (words[index].text, words[index].len) & (N_SLOTS - 1);

  while (slots[h] != 0)
    {
      const Word *w = &words[slots[h] - 1];

      /* A word listed twice keeps its first number. */
      if (w->len == words[index].len && memcmp (w->text, words[index].text, w->len) == 0)
        return;
      h = (h + 1) & (N_SLOTS - 1);
    }
  slots[h] = index + 1;
}

static int
slots_find (const guint16 *slots,
            const Word    *words,
            const char    *text,
            gsize          len)
{
  guint h = word_hash (text, len) & (N_SLOTS - 1);

  while (slots[h] != 0)
    {
      const Word *w = &words[slots[h] - 1];

      if (w->len == len && memcmp (w->text, text, len) == 0)
        return slots[h] - 1;
      h = (h + 1) & (N_SLOTS - 1);
    }
  return -1;
}

static const Tokens *
tokens_get (void)
{
  static Tokens *tokens;

  if (g_once_init_enter (&tokens))
    {
      Tokens *t = g_new0 (Tokens, 1);
      const char *p = pack_dictionary_v1;

      /* "word": is a key, "word", a value. */
      while ((p = strchr (p, '"')) != NULL)
        {
          const char *start = p + 1;
          const char *close = strchr (start, '"');
          Word w;

          g_assert (close != NULL);
          w.text = start;
          w.len = close - start;
          if (close[1] == ':')
            {
              g_assert (t->n_keys < G_N_ELEMENTS (t->keys));
              t->keys[t->n_keys] = w;
              slots_add (t->key_slots, t->keys, t->n_keys++);
            }
          else
            {
              g_assert (close[1] == ',' && t->n_values < G_N_ELEMENTS (t->values));
              t->values[t->n_values] = w;
              slots_add (t->value_slots, t->values, t->n_values++);
            }
          p = close + 2;
        }
      memset (t->nibble_of, -1, sizeof t->nibble_of);
      for (guint i = 0; i < 16; i++)
        t->nibble_of[(guchar) nibbles[i]] = (gint8) i;
      g_once_init_leave (&tokens, t);
    }
  return tokens;
}

static guint8 *
put_varint (guint8  *out,
            guint64  v)
{
  while (v >= 0x80)
    {
      *out++ = (guint8) (v | 0x80);
      v >>= 7;
    }
  *out++ = (guint8) v;
  return out;
}

static gboolean
get_varint (const guint8 **p,
            const guint8  *end,
            guint64       *v)
{
  guint64 r = 0;

  for (int shift = 0; shift < 64 && *p < end; shift += 7)
    {
      guint8 b = *(*p)++;

      r |= (guint64) (b & 0x7f) << shift;
      if (!(b & 0x80))
        {
          *v = r;
          return TRUE;
        }
    }
  return FALSE;
}

/* An integer written the way append_json_value() writes one. */
static gboolean
parse_int (const char *s,
           gsize       len,
           gint64     *v)
{
  gboolean neg = len > 0 && s[0] == '-';
  const char *d = s + neg;
  gsize n = len - neg;
  guint64 r = 0;

  /* Up to 18 digits cannot overflow; longer ones are kept as written. */
  if (n == 0 || n > 18 || (d[0] == '0' && (n > 1 || neg)))
    return FALSE;
  for (gsize i = 0; i < n; i++)
    {
      if (d[i] < '0' || d[i] > '9')
        return FALSE;
      r = r * 10 + (guint64) (d[i] - '0');
    }
  *v = neg ? -(gint64) r : (gint64) r;
  return TRUE;
}

/* The end of a JSON string's content starting at @p, or NULL. */
static const char *
string_end (const char *p,
            const char *end)
{
  while (p < end && *p != '"')
    {
      if (*p == '\\')
        p++;
      p++;
    }
  return p < end ? p : NULL;
}

static guint8 *
put_string (const Tokens *t,
            guint8       *out,
            const char   *s,
            gsize         len)
{
  guint8 uuid[16];
  int index;
  gsize i;

  if (jz_uuid_pack (s, len, uuid))
    {
      *out++ = TOKEN_UUID;
      memcpy (out, uuid, 16);
      return out + 16;
    }
  index = slots_find (t->value_slots, t->values, s, len);
  if (index >= 0)
    {
      *out++ = TOKEN_VALUE;
      *out++ = (guint8) index;
      return out;
    }
  for (i = 0; i < len && t->nibble_of[(guchar) s[i]] >= 0; i++)
    ;
  if (len > 0 && i == len)
    {
      *out++ = TOKEN_NIBBLES;
      out = put_varint (out, len);
      for (i = 0; i < len; i += 2)
        *out++ = (guint8) (t->nibble_of[(guchar) s[i]] << 4 |
                           (i + 1 < len ? t->nibble_of[(guchar) s[i + 1]] : 0));
      return out;
    }
  *out++ = TOKEN_STRING;
  out = put_varint (out, len);
  memcpy (out, s, len);
  return out + len;
}

/* Writes the tokens of @json to @out (room for 2 × len + 16 bytes); returns
 * the end, or NULL when @json is not a flat object of numbers, strings and
 * nulls. */
static guint8 *
tokens_pack (const char *json,
             gsize       len,
             guint8     *out)
{
  const Tokens *t = tokens_get ();
  const char *p = json;
  const char *end = json + len;

  *out++ = PACK_FORMAT_TOKENS_V2;
  if (len < 2 || *p++ != '{')
    return NULL;
  if (*p == '}')
    return p + 1 == end ? out : NULL;
  for (;;)
    {
      const char *key, *key_end;
      int index;

      if (p >= end || *p != '"')
        return NULL;
      key = p + 1;
      key_end = string_end (key, end);
      if (key_end == NULL || key_end + 1 >= end || key_end[1] != ':')
        return NULL;
      index = slots_find (t->key_slots, t->keys, key, key_end - key);
      if (index >= 0)
        *out++ = (guint8) index;
      else
        {
          *out++ = KEY_RAW;
          out = put_varint (out, key_end - key);
          memcpy (out, key, key_end - key);
          out += key_end - key;
        }
      p = key_end + 2;
      if (p >= end)
        return NULL;

      if (*p == '"')
        {
          const char *s_end = string_end (p + 1, end);

          if (s_end == NULL)
            return NULL;
          out = put_string (t, out, p + 1, s_end - (p + 1));
          p = s_end + 1;
        }
      else if (end - p >= 4 && memcmp (p, "null", 4) == 0)
        {
          *out++ = TOKEN_NULL;
          p += 4;
        }
      else if (*p == '-' || (*p >= '0' && *p <= '9'))
        {
          const char *n = p;
          gint64 v;

          while (p < end && *p != '\0' && strchr ("0123456789-+.eE", *p) != NULL)
            p++;
          if (parse_int (n, p - n, &v))
            {
              if (v >= 0 && v < 0x80)
                *out++ = (guint8) (TOKEN_SMALL | v);
              else
                {
                  *out++ = TOKEN_INT;
                  out = put_varint (out, ((guint64) v << 1) ^ (guint64) (v >> 63));
                }
            }
          else
            {
              *out++ = TOKEN_NUMBER;
              out = put_varint (out, p - n);
              memcpy (out, n, p - n);
              out += p - n;
            }
        }
      else
        return NULL;

      if (p >= end)
        return NULL;
      if (*p == '}')
        return p + 1 == end ? out : NULL;
      if (*p++ != ',')
        return NULL;
    }
}

static gboolean
get_bytes (const guint8 **p,
           const guint8  *end,
           const guint8 **bytes,
           guint64       *len)
{
  if (!get_varint (p, end, len) || *len > (guint64) (end - *p))
    return FALSE;
  *bytes = *p;
  *p += *len;
  return TRUE;
}

/* The JSON text of a format 2 entry (without its format byte), or NULL. */
static char *
tokens_unpack (const guint8 *p,
               gsize         len)
{
  const Tokens *t = tokens_get ();
  const guint8 *end = p + len;
  GString *s = g_string_sized_new (len * 3 + 2);

  g_string_append_c (s, '{');
  while (p < end)
    {
      const guint8 *bytes;
      guint64 n;
      guint8 tag;

      if (s->len > 1)
        g_string_append_c (s, ',');
      g_string_append_c (s, '"');
      if (*p < t->n_keys)
        {
          jz_string_append_len (s, t->keys[*p].text, t->keys[*p].len);
          p++;
        }
      else if (*p++ == KEY_RAW && get_bytes (&p, end, &bytes, &n))
        jz_string_append_len (s, (const char *) bytes, n);
      else
        goto bad;
      jz_string_append_literal (s, "\":");
      if (p >= end)
        goto bad;
      tag = *p++;
      if (tag & TOKEN_SMALL)
        jz_string_append_int (s, tag & 0x7f);
      else
        switch (tag)
          {
          case TOKEN_NULL:
            jz_string_append_literal (s, "null");
            break;
          case TOKEN_INT:
            if (!get_varint (&p, end, &n))
              goto bad;
            jz_string_append_int (s, (gint64) (n >> 1) ^ -(gint64) (n & 1));
            break;
          case TOKEN_STRING:
          case TOKEN_NUMBER:
            if (!get_bytes (&p, end, &bytes, &n))
              goto bad;
            if (tag == TOKEN_STRING)
              g_string_append_c (s, '"');
            jz_string_append_len (s, (const char *) bytes, n);
            if (tag == TOKEN_STRING)
              g_string_append_c (s, '"');
            break;
          case TOKEN_UUID:
            if (end - p < 16)
              goto bad;
            {
              char text[37];

              jz_uuid_unpack (p, text);
              g_string_append_c (s, '"');
              jz_string_append_len (s, text, 36);
              g_string_append_c (s, '"');
            }
            p += 16;
            break;
          case TOKEN_NIBBLES:
            if (!get_varint (&p, end, &n) || n == 0 || (n + 1) / 2 > (guint64) (end - p))
              goto bad;
            g_string_append_c (s, '"');
            for (guint64 i = 0; i < n; i++)
              g_string_append_c (s, nibbles[i % 2 ? p[i / 2] & 0xf : p[i / 2] >> 4]);
            g_string_append_c (s, '"');
            p += (n + 1) / 2;
            break;
          case TOKEN_VALUE:
            if (p >= end || *p >= t->n_values)
              goto bad;
            g_string_append_c (s, '"');
            jz_string_append_len (s, t->values[*p].text, t->values[*p].len);
            g_string_append_c (s, '"');
            p++;
            break;
          default:
            goto bad;
          }
    }
  g_string_append_c (s, '}');
  return g_string_free (s, FALSE);

bad:
  g_string_free (s, TRUE);
  return NULL;
}

typedef struct
{
  z_stream deflate;
  gboolean ready;
} Packer;

static void
packer_free (Packer *packer)
{
  if (packer->ready)
    deflateEnd (&packer->deflate);
  g_free (packer);
}

void
jz_audit_state_clear (JzAuditState *state)
{
  g_clear_pointer (&state->actor, g_free);
  g_clear_pointer ((Packer **) &state->packer, packer_free);
  g_clear_pointer ((sqlite3_stmt **) &state->prev, sqlite3_finalize);
}

/* Format 1: raw deflate with the dictionary. */
static guint8 *
deflate_pack (JzAuditState *state,
              const char   *json,
              gsize         len,
              gsize        *out_len)
{
  Packer *packer = state->packer;
  gsize bound;
  guint8 *out;
  int rc;

  if (len < 24)
    return NULL;
  if (packer == NULL)
    {
      packer = state->packer = g_new0 (Packer, 1);
      /* A 4 KiB window holds the whole dictionary; a small hash table
       * keeps the per-entry reset cheap. */
      if (deflateInit2 (&packer->deflate, 6, Z_DEFLATED, -12, 2, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
      packer->ready = TRUE;
    }
  if (!packer->ready || deflateReset (&packer->deflate) != Z_OK ||
      deflateSetDictionary (&packer->deflate, (const Bytef *) pack_dictionary_v1,
                            sizeof pack_dictionary_v1 - 1) != Z_OK)
    return NULL;

  bound = deflateBound (&packer->deflate, len) + 1;
  out = g_malloc (bound);
  out[0] = PACK_FORMAT_DEFLATE_V1;
  packer->deflate.next_in = (Bytef *) json;
  packer->deflate.avail_in = len;
  packer->deflate.next_out = out + 1;
  packer->deflate.avail_out = bound - 1;
  rc = deflate (&packer->deflate, Z_FINISH);
  if (rc != Z_STREAM_END || packer->deflate.total_out + 1 >= len)
    {
      g_free (out);
      return NULL;
    }
  *out_len = packer->deflate.total_out + 1;
  return out;
}

/* Returns the packed form of @json (newly allocated), or NULL to store
 * the text as it is (when packing does not make it shorter). */
static guint8 *
pack (JzAuditState *state,
      const char   *json,
      gsize         len,
      gsize        *out_len)
{
  guint8 *out = g_malloc (2 * len + 16);
  guint8 *end = tokens_pack (json, len, out);

  if (end != NULL && (gsize) (end - out) < len)
    {
      /* Stored only if it reads back as exactly this text. */
      g_autofree char *back = tokens_unpack (out + 1, end - out - 1);

      if (back != NULL && strlen (back) == len && memcmp (back, json, len) == 0)
        {
          *out_len = end - out;
          return out;
        }
    }
  g_free (out);
  return deflate_pack (state, json, len, out_len);
}

char *
jz_audit_unpack (gconstpointer data,
                 gsize         len)
{
  const guint8 *bytes = data;
  z_stream z = { 0, };
  GString *out;
  guint8 buf[1024];
  int rc;

  if (bytes == NULL || len == 0)
    return NULL;
  if (bytes[0] == '{')
    return g_strndup ((const char *) bytes, len);
  if (bytes[0] == PACK_FORMAT_TOKENS_V2)
    return tokens_unpack (bytes + 1, len - 1);
  if (bytes[0] != PACK_FORMAT_DEFLATE_V1 || inflateInit2 (&z, -12) != Z_OK)
    return NULL;
  if (inflateSetDictionary (&z, (const Bytef *) pack_dictionary_v1, sizeof pack_dictionary_v1 - 1) != Z_OK)
    {
      inflateEnd (&z);
      return NULL;
    }
  out = g_string_sized_new (len * 3);
  z.next_in = (Bytef *) bytes + 1;
  z.avail_in = len - 1;
  do
    {
      z.next_out = buf;
      z.avail_out = sizeof buf;
      rc = inflate (&z, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END)
        break;
      jz_string_append_len (out, (const char *) buf, sizeof buf - z.avail_out);
    }
  while (rc != Z_STREAM_END && out->len < 16 * 1024 * 1024);
  inflateEnd (&z);
  if (rc != Z_STREAM_END || z.avail_in != 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

/* jz_audit_pack (json): what the audit log stores. */
static void
fn_audit_pack (sqlite3_context  *ctx,
               int               argc,
               sqlite3_value   **argv)
{
  JzAuditState *state = sqlite3_user_data (ctx);
  const char *json = (const char *) sqlite3_value_text (argv[0]);
  gsize len = sqlite3_value_bytes (argv[0]);
  gsize packed_len = 0;
  guint8 *packed;

  if (json == NULL)
    {
      sqlite3_result_null (ctx);
      return;
    }
  packed = pack (state, json, len, &packed_len);
  if (packed != NULL)
    sqlite3_result_blob (ctx, packed, (int) packed_len, g_free);
  else
    sqlite3_result_blob (ctx, json, (int) len, SQLITE_TRANSIENT);
}

/* jz_audit_json (fields_json): the JSON text, for people and tools. */
static void
fn_audit_json (sqlite3_context  *ctx,
               int               argc,
               sqlite3_value   **argv)
{
  char *json = jz_audit_unpack (sqlite3_value_blob (argv[0]), sqlite3_value_bytes (argv[0]));

  if (json != NULL)
    sqlite3_result_text (ctx, json, -1, g_free);
  else
    sqlite3_result_null (ctx);
}

gboolean
jz_audit_ensure_device (sqlite3     *db,
                        const char  *epoch,
                        gint64      *device,
                        GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  for (int attempt = 0; attempt < 2; attempt++)
    {
      sqlite3_prepare_v2 (db, "SELECT n FROM audit_device WHERE epoch = ?1", -1, &stmt, NULL);
      sqlite3_bind_text (stmt, 1, epoch, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *device = sqlite3_column_int64 (stmt, 0);
          sqlite3_finalize (stmt);
          return TRUE;
        }
      sqlite3_finalize (stmt);
      stmt = NULL;
      if (attempt == 0)
        {
          /* A new epoch (a new or restored store) is written once. */
          sqlite3_prepare_v2 (db, "INSERT OR IGNORE INTO audit_device (epoch) VALUES (?1)", -1, &stmt, NULL);
          sqlite3_bind_text (stmt, 1, epoch, -1, SQLITE_TRANSIENT);
          rc = sqlite3_step (stmt);
          sqlite3_finalize (stmt);
          stmt = NULL;
          if (rc != SQLITE_DONE)
            break;
        }
    }
  g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_IO,
               /* Translators: %s is SQLite's reason (English). */
               _("Cannot record this device in the audit log: %s"), sqlite3_errmsg (db));
  return FALSE;
}

static void
fn_now (sqlite3_context  *ctx,
        int               argc,
        sqlite3_value   **argv)
{
  sqlite3_result_int64 (ctx, g_get_real_time () / G_USEC_PER_SEC);
}

static void
append_json_string (GString     *s,
                    const char  *text,
                    int          len)
{
  int run = 0;

  g_string_append_c (s, '"');
  for (int i = 0; i < len; i++)
    {
      guchar c = (guchar) text[i];

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      /* The characters before this one need no escape: in one go. */
      jz_string_append_len (s, text + run, i - run);
      run = i + 1;
      switch (c)
        {
        case '"':  jz_string_append_literal (s, "\\\""); break;
        case '\\': jz_string_append_literal (s, "\\\\"); break;
        case '\n': jz_string_append_literal (s, "\\n"); break;
        case '\r': jz_string_append_literal (s, "\\r"); break;
        case '\t': jz_string_append_literal (s, "\\t"); break;
        default:
          g_string_append_printf (s, "\\u%04x", c);
        }
    }
  jz_string_append_len (s, text + run, len - run);
  g_string_append_c (s, '"');
}

static void
append_json_value (GString       *s,
                   sqlite3_value *v)
{
  switch (sqlite3_value_type (v))
    {
    case SQLITE_INTEGER:
      jz_string_append_int (s, sqlite3_value_int64 (v));
      break;
    case SQLITE_FLOAT:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        g_string_append (s, g_ascii_dtostr (buf, sizeof buf, sqlite3_value_double (v)));
      }
      break;
    case SQLITE_TEXT:
      append_json_string (s, (const char *) sqlite3_value_text (v), sqlite3_value_bytes (v));
      break;
    case SQLITE_BLOB:
      {
        const guchar *b = sqlite3_value_blob (v);
        int n = sqlite3_value_bytes (v);

        g_string_append_c (s, '"');
        for (int i = 0; i < n; i++)
          g_string_append_printf (s, "%02x", b[i]);
        g_string_append_c (s, '"');
      }
      break;
    default:
      jz_string_append_literal (s, "null");
    }
}

/* jz_row ('a', a, 'b', b, …): a JSON object of the non-NULL values. */
static void
fn_row (sqlite3_context  *ctx,
        int               argc,
        sqlite3_value   **argv)
{
  GString *s = g_string_sized_new (256);
  gboolean first = TRUE;

  g_string_append_c (s, '{');
  for (int i = 0; i + 1 < argc; i += 2)
    {
      if (sqlite3_value_type (argv[i + 1]) == SQLITE_NULL)
        continue;
      if (!first)
        g_string_append_c (s, ',');
      first = FALSE;
      append_json_string (s, (const char *) sqlite3_value_text (argv[i]), sqlite3_value_bytes (argv[i]));
      g_string_append_c (s, ':');
      append_json_value (s, argv[i + 1]);
    }
  g_string_append_c (s, '}');
  sqlite3_result_text (ctx, s->str, (int) s->len, g_free);
  g_string_free (s, FALSE);
}

static gboolean
values_differ (sqlite3_value *a,
               sqlite3_value *b)
{
  int ta = sqlite3_value_type (a);
  int tb = sqlite3_value_type (b);

  if (ta != tb)
    return TRUE;
  switch (ta)
    {
    case SQLITE_NULL:
      return FALSE;
    case SQLITE_INTEGER:
      return sqlite3_value_int64 (a) != sqlite3_value_int64 (b);
    case SQLITE_FLOAT:
      return sqlite3_value_double (a) != sqlite3_value_double (b);
    default:
      {
        int la = sqlite3_value_bytes (a);
        int lb = sqlite3_value_bytes (b);
        const void *pa = ta == SQLITE_TEXT ? (const void *) sqlite3_value_text (a) : sqlite3_value_blob (a);
        const void *pb = ta == SQLITE_TEXT ? (const void *) sqlite3_value_text (b) : sqlite3_value_blob (b);

        return la != lb || (la > 0 && memcmp (pa, pb, la) != 0);
      }
    }
}

/* jz_changed ('a', OLD.a, NEW.a, …): a JSON object of the new values of
 * the columns that changed, null for a cleared one. */
static void
fn_changed (sqlite3_context  *ctx,
            int               argc,
            sqlite3_value   **argv)
{
  GString *s = g_string_sized_new (128);
  gboolean first = TRUE;

  g_string_append_c (s, '{');
  for (int i = 0; i + 2 < argc; i += 3)
    {
      if (!values_differ (argv[i + 1], argv[i + 2]))
        continue;
      if (!first)
        g_string_append_c (s, ',');
      first = FALSE;
      append_json_string (s, (const char *) sqlite3_value_text (argv[i]), sqlite3_value_bytes (argv[i]));
      g_string_append_c (s, ':');
      append_json_value (s, argv[i + 2]);
    }
  g_string_append_c (s, '}');
  sqlite3_result_text (ctx, s->str, (int) s->len, g_free);
  g_string_free (s, FALSE);
}

/* @v in decimal, as "%" G_GINT64_FORMAT prints it (printf took about 1 %
 * of a demo row's instructions, twice an entry). @out holds 21 bytes. */
static void
format_int64 (char   out[32],
              gint64 v)
{
  char digits[24];
  guint64 u = v < 0 ? (guint64) 0 - (guint64) v : (guint64) v;
  guint n = 0, o = 0;

  do
    {
      digits[n++] = (char) ('0' + u % 10);
      u /= 10;
    }
  while (u != 0);
  if (v < 0)
    out[o++] = '-';
  while (n > 0)
    out[o++] = digits[--n];
  out[o] = '\0';
}

void
jz_audit_compute_hash (const guint8 *prev_hash,
                       gsize         prev_len,
                       gint64        at,
                       const char   *actor,
                       gint64        device,
                       const char   *entity,
                       const char   *entity_id,
                       const char   *op,
                       const char   *fields_json,
                       guint8        out[JZ_AUDIT_HASH_LEN])
{
  /* nettle's SHA-256: the same digest as GChecksum's, in a third of the
   * time (it uses the CPU's SHA instructions when there are). */
  struct sha256_ctx sum;
  char at_text[32];
  const guint8 sep = 0x1f;
  const guint8 null_mark = 0x1e;
  char device_text[32];
  const char *parts[] = { device_text, entity, entity_id, op, fields_json };

  G_STATIC_ASSERT (JZ_AUDIT_HASH_LEN == SHA256_DIGEST_SIZE);

  format_int64 (device_text, device);
  sha256_init (&sum);
  sha256_update (&sum, prev_len, prev_hash);
  format_int64 (at_text, at);
  sha256_update (&sum, strlen (at_text), (const guint8 *) at_text);
  sha256_update (&sum, 1, &sep);
  if (actor != NULL)
    sha256_update (&sum, strlen (actor), (const guint8 *) actor);
  else
    sha256_update (&sum, 1, &null_mark);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      const char *part = parts[i] ? parts[i] : "";

      sha256_update (&sum, 1, &sep);
      sha256_update (&sum, strlen (part), (const guint8 *) part);
    }
  sha256_digest (&sum, SHA256_DIGEST_SIZE, out);
}

/* The tables' numbers in audit_log.entity, as migration 0012 wrote them
 * into audit_table. Frozen: a new table takes the next number, with a
 * migration adding it to audit_table. */
static const char * const audit_tables[] = {
  NULL, "staff", "room", "bed", "person", "episode", "belonging", "service_log",
  "tracing_step", "stay_extension", "departure", "escort_trip", "placement",
  "settlement", "followup", "patrol", "encounter", "encounter_item",
  "sighting_report", "referral", "expenditure", "attachment", "conflict", "holiday",
};

guint
jz_audit_table_number (const char *name)
{
  for (guint n = 1; n < G_N_ELEMENTS (audit_tables); n++)
    if (g_strcmp0 (audit_tables[n], name) == 0)
      return n;
  return 0;
}

const char *
jz_audit_op_name (gint64 op)
{
  switch (op)
    {
    case JZ_AUDIT_OP_INSERT: return "insert";
    case JZ_AUDIT_OP_UPDATE: return "update";
    case JZ_AUDIT_OP_DELETE: return "delete";
    default: return NULL;
    }
}

static const guint8 zero_hash[JZ_AUDIT_HASH_LEN];

/* A stored hash another entry may follow: a whole one (before schema 12)
 * or the first JZ_AUDIT_STORED_HASH_LEN bytes of one. */
static gboolean
is_hash_len (gsize len)
{
  return len == JZ_AUDIT_HASH_LEN || len == JZ_AUDIT_STORED_HASH_LEN;
}

/* jz_audit_hash (prev, at, actor, device, entity, entity_id, op, fields):
 * what an entry stores, the first JZ_AUDIT_STORED_HASH_LEN bytes. */
static void
fn_audit_hash (sqlite3_context  *ctx,
               int               argc,
               sqlite3_value   **argv)
{
  guint8 out[JZ_AUDIT_HASH_LEN];
  const guint8 *prev = sqlite3_value_blob (argv[0]);
  gsize prev_len = sqlite3_value_bytes (argv[0]);

  if (prev == NULL || !is_hash_len (prev_len))
    {
      prev = zero_hash;
      prev_len = sizeof zero_hash;
    }
  jz_audit_compute_hash (prev, prev_len,
                         sqlite3_value_int64 (argv[1]),
                         (const char *) sqlite3_value_text (argv[2]),
                         sqlite3_value_int64 (argv[3]),
                         (const char *) sqlite3_value_text (argv[4]),
                         (const char *) sqlite3_value_text (argv[5]),
                         (const char *) sqlite3_value_text (argv[6]),
                         (const char *) sqlite3_value_text (argv[7]),
                         out);
  sqlite3_result_blob (ctx, out, JZ_AUDIT_STORED_HASH_LEN, SQLITE_TRANSIENT);
}

/* jz_uuid_pack (text): the 16 bytes of a UUID, or @text as it is when it
 * is not one written the usual way (jz_uuid_pack()). */
static void
fn_uuid_pack (sqlite3_context  *ctx,
              int               argc,
              sqlite3_value   **argv)
{
  guint8 bytes[16];

  if (sqlite3_value_type (argv[0]) == SQLITE_TEXT &&
      jz_uuid_pack ((const char *) sqlite3_value_text (argv[0]), sqlite3_value_bytes (argv[0]), bytes))
    sqlite3_result_blob (ctx, bytes, sizeof bytes, SQLITE_TRANSIENT);
  else
    sqlite3_result_value (ctx, argv[0]);
}

/* The text of an id as the log stores it (jz_uuid_pack), unpacked into
 * @buf when it is a UUID's bytes. */
static const char *
id_text (sqlite3_value *v,
         char           buf[37])
{
  if (sqlite3_value_type (v) == SQLITE_BLOB && sqlite3_value_bytes (v) == 16)
    {
      jz_uuid_unpack (sqlite3_value_blob (v), buf);
      return buf;
    }
  return (const char *) sqlite3_value_text (v);
}

/* jz_uuid_text (value): the text jz_uuid_pack() was given. */
static void
fn_uuid_text (sqlite3_context  *ctx,
              int               argc,
              sqlite3_value   **argv)
{
  char text[37];

  if (id_text (argv[0], text) == text)
    sqlite3_result_text (ctx, text, 36, SQLITE_TRANSIENT);
  else
    sqlite3_result_value (ctx, argv[0]);
}

/* jz_audit_prev (): the newest entry's hash, or 32 zero bytes. Read here
 * rather than by a subquery in the trigger, because an INSERT … SELECT
 * that reads its own table first copies its rows to a temporary b-tree,
 * which cost more than the rest of the entry. */
static void
fn_audit_prev (sqlite3_context  *ctx,
               int               argc,
               sqlite3_value   **argv)
{
  JzAuditState *state = sqlite3_user_data (ctx);
  sqlite3 *db = sqlite3_context_db_handle (ctx);
  sqlite3_stmt *stmt = state->prev;
  int rc;

  if (stmt == NULL)
    {
      if (sqlite3_prepare_v3 (db, "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1", -1,
                              SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
        {
          sqlite3_result_error (ctx, sqlite3_errmsg (db), -1);
          return;
        }
      state->prev = stmt;
    }
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    sqlite3_result_blob (ctx, sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0),
                         SQLITE_TRANSIENT);
  else if (rc == SQLITE_DONE)
    sqlite3_result_blob (ctx, zero_hash, sizeof zero_hash, SQLITE_STATIC);
  else
    sqlite3_result_error (ctx, sqlite3_errmsg (db), -1);
  sqlite3_reset (stmt);
}

gboolean
jz_audit_register_functions (sqlite3       *db,
                             JzAuditState  *state,
                             GError       **error)
{
  /* jz_applying/jz_actor/jz_device depend on the state, not the
   * arguments: not DETERMINISTIC, so SQLite calls them every time. */
  static const struct {
    const char *name;
    int n_args;
    int flags;
    void (*func) (sqlite3_context *, int, sqlite3_value **);
  } fns[] = {
    { "jz_applying", 0, 0, fn_applying },
    { "jz_actor", 0, 0, fn_actor },
    { "jz_device", 0, 0, fn_device },
    { "jz_now", 0, 0, fn_now },
    { "jz_row", -1, SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, fn_row },
    { "jz_changed", -1, SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, fn_changed },
    { "jz_audit_prev", 0, 0, fn_audit_prev },
    { "jz_audit_hash", 8, SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, fn_audit_hash },
    { "jz_audit_pack", 1, SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, fn_audit_pack },
    { "jz_audit_json", 1, SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, fn_audit_json },
    { "jz_uuid_pack", 1, SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, fn_uuid_pack },
    { "jz_uuid_text", 1, SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, fn_uuid_text },
  };

  for (guint i = 0; i < G_N_ELEMENTS (fns); i++)
    {
      int rc = sqlite3_create_function_v2 (db, fns[i].name, fns[i].n_args,
                                           SQLITE_UTF8 | fns[i].flags, state,
                                           fns[i].func, NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        {
          g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_IO,
                       /* Translators: a function's name and SQLite's reason (English). */
                       _("Cannot register the SQL function %s: %s"), fns[i].name, sqlite3_errstr (rc));

          return FALSE;
        }
    }
  return TRUE;
}

static void
report (GPtrArray  *problems,
        guint       max_report,
        guint      *count,
        const char *format,
        ...) G_GNUC_PRINTF (4, 5);

static void
report (GPtrArray  *problems,
        guint       max_report,
        guint      *count,
        const char *format,
        ...)
{
  va_list args;

  (*count)++;
  if (*count > max_report)
    return;
  va_start (args, format);
  g_ptr_array_add (problems, g_strdup_vprintf (format, args));
  va_end (args);
}

gboolean
jz_audit_verify_chain (sqlite3   *db,
                       GPtrArray *problems,
                       guint      max_report,
                       guint64   *n_entries)
{
  sqlite3_stmt *stmt = NULL;
  guint8 prev[JZ_AUDIT_HASH_LEN] = { 0, };
  gsize prev_len = JZ_AUDIT_HASH_LEN;
  gint64 last_seq = 0;
  gint64 sequence = 0;
  guint count = 0;
  guint64 n = 0;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT l.seq, l.at, l.actor, l.device, t.name, l.entity_id, l.op, l.fields, l.hash "
                           "FROM audit_log l LEFT JOIN audit_table t ON t.n = l.entity ORDER BY l.seq",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      g_ptr_array_add (problems, g_strdup_printf ("audit log unreadable: %s", sqlite3_errmsg (db)));
      return FALSE;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);
      const char *entity = (const char *) sqlite3_column_text (stmt, 4);
      const guint8 *stored_hash = sqlite3_column_blob (stmt, 8);
      gsize hash_len = sqlite3_column_bytes (stmt, 8);
      guint8 computed[JZ_AUDIT_HASH_LEN];
      char actor[37], entity_id[37];
      g_autofree char *fields = jz_audit_unpack (sqlite3_column_blob (stmt, 7), sqlite3_column_bytes (stmt, 7));

      n++;
      if (fields == NULL)
        report (problems, max_report, &count,
                "audit log: entry %" G_GINT64_FORMAT " has unreadable fields (damaged)", seq);
      if (entity == NULL)
        report (problems, max_report, &count,
                "audit log: entry %" G_GINT64_FORMAT " names a table the log does not know "
                "(the entry or audit_table was edited)", seq);
      if (seq != last_seq + 1)
        report (problems, max_report, &count,
                "audit log: entries %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT " are missing (deleted)",
                last_seq + 1, seq - 1);
      jz_audit_compute_hash (prev, prev_len,
                             sqlite3_column_int64 (stmt, 1),
                             id_text (sqlite3_column_value (stmt, 2), actor),
                             sqlite3_column_int64 (stmt, 3),
                             entity,
                             id_text (sqlite3_column_value (stmt, 5), entity_id),
                             jz_audit_op_name (sqlite3_column_int64 (stmt, 6)),
                             fields ? fields : "",
                             computed);
      /* The hash covers the entry and the one before's: an edit, or an
       * entry removed or replaced before this one, both show here. */
      if (!is_hash_len (hash_len) || memcmp (stored_hash, computed, hash_len) != 0)
        report (problems, max_report, &count,
                "audit log: entry %" G_GINT64_FORMAT " does not match its hash "
                "(it was edited, or the entry before it was removed or replaced)", seq);
      if (is_hash_len (hash_len))
        {
          memcpy (prev, stored_hash, hash_len);
          prev_len = hash_len;
        }
      last_seq = seq;
    }
  if (rc != SQLITE_DONE)
    report (problems, max_report, &count, "audit log unreadable: %s", sqlite3_errmsg (db));
  sqlite3_finalize (stmt);

  stmt = NULL;
  if (sqlite3_prepare_v2 (db, "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    sequence = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (sequence != last_seq)
    report (problems, max_report, &count,
            "audit log: it ends at entry %" G_GINT64_FORMAT " but %" G_GINT64_FORMAT " were written "
            "(the newest entries were deleted)", last_seq, sequence);

  if (count > max_report)
    g_ptr_array_add (problems, g_strdup_printf ("audit log: %u more problems", count - max_report));
  if (n_entries != NULL)
    *n_entries = n;
  return count == 0;
}

/* Applies one audit entry to the replayed state of a row. */
static json_object *
apply_entry (json_object *state,
             const char  *op,
             const char  *fields,
             gboolean    *ok)
{
  json_object *obj = json_tokener_parse (fields ? fields : "");

  *ok = obj != NULL && json_object_is_type (obj, json_type_object);
  if (!*ok)
    {
      json_object_put (obj);
      return state;
    }
  if (g_str_equal (op, "insert"))
    {
      *ok = state == NULL;
      json_object_put (state);
      return obj;
    }
  if (g_str_equal (op, "delete"))
    {
      *ok = state != NULL;
      json_object_put (state);
      json_object_put (obj);
      return NULL;
    }
  if (state == NULL)
    {
      *ok = FALSE;
      json_object_put (obj);
      return NULL;
    }
  json_object_object_foreach (obj, key, val)
    {
      if (val == NULL)
        json_object_object_del (state, key);
      else
        json_object_object_add (state, key, json_object_get (val));
    }
  json_object_put (obj);
  return state;
}

static int
compare_text (const char *a,
              const char *b)
{
  if (a == NULL || b == NULL)
    return a == NULL ? (b == NULL ? 0 : 1) : -1;
  return strcmp (a, b);
}

static void
verify_entity (sqlite3        *db,
               const JzEntity *entity,
               sqlite3_stmt   *log,
               gboolean       *log_has_row,
               GPtrArray      *problems,
               guint           max_report,
               guint          *count)
{
  g_autofree char *rows_sql = NULL;
  g_autofree char *sql_ordered = NULL;
  sqlite3_stmt *rows = NULL;
  gboolean rows_has_row;
  const char *label = entity->name;

  rows_sql = jz_schema_row_json_sql (entity, NULL);
  sql_ordered = g_strdup_printf ("%s ORDER BY 1", rows_sql);
  if (sqlite3_prepare_v2 (db, sql_ordered, -1, &rows, NULL) != SQLITE_OK)
    {
      report (problems, max_report, count, "%s: cannot read the table: %s", label, sqlite3_errmsg (db));
      return;
    }
  rows_has_row = sqlite3_step (rows) == SQLITE_ROW;

  /* Merge the replayed log (ordered by entity_id) with the table (ordered
   * by key): both sides must hold the same rows with the same values. */
  for (;;)
    {
      const char *log_entity = *log_has_row ? (const char *) sqlite3_column_text (log, 0) : NULL;
      gboolean log_here = log_entity != NULL && g_str_equal (log_entity, entity->name);
      g_autofree char *log_id = log_here ? g_strdup ((const char *) sqlite3_column_text (log, 1)) : NULL;
      const char *row_id = rows_has_row ? (const char *) sqlite3_column_text (rows, 0) : NULL;
      json_object *state = NULL;
      gboolean ok = TRUE;
      int cmp;

      if (log_id == NULL && row_id == NULL)
        break;

      cmp = compare_text (log_id, row_id);
      if (log_id != NULL && cmp <= 0)
        {
          /* Fold every entry of this id. */
          while (*log_has_row &&
                 g_strcmp0 ((const char *) sqlite3_column_text (log, 0), entity->name) == 0 &&
                 g_strcmp0 ((const char *) sqlite3_column_text (log, 1), log_id) == 0)
            {
              gboolean step_ok;

              g_autofree char *fields = jz_audit_unpack (sqlite3_column_blob (log, 3),
                                                         sqlite3_column_bytes (log, 3));

              state = apply_entry (state, (const char *) sqlite3_column_text (log, 2), fields, &step_ok);
              ok = ok && step_ok;
              *log_has_row = sqlite3_step (log) == SQLITE_ROW;
            }
          if (!ok)
            report (problems, max_report, count,
                    "%s %s: its audit history is inconsistent (an entry was edited or removed)",
                    label, log_id);
        }

      if (cmp < 0)
        {
          if (state != NULL)
            report (problems, max_report, count,
                    "%s %s: the row is gone but the audit log has no deletion "
                    "(removed behind the log's back)", label, log_id);
        }
      else if (cmp > 0 || log_id == NULL)
        {
          report (problems, max_report, count,
                  "%s %s: the row has no audit history (written behind the log's back)", label, row_id);
          rows_has_row = sqlite3_step (rows) == SQLITE_ROW;
        }
      else
        {
          json_object *row = json_tokener_parse ((const char *) sqlite3_column_text (rows, 1));

          if (state == NULL)
            report (problems, max_report, count,
                    "%s %s: the audit log says the row was deleted, but it is there "
                    "(restored behind the log's back)", label, row_id);
          else if (!json_object_equal (state, row))
            report (problems, max_report, count,
                    "%s %s: the row differs from its audit history (changed behind the log's back)",
                    label, row_id);
          json_object_put (row);
          rows_has_row = sqlite3_step (rows) == SQLITE_ROW;
        }
      json_object_put (state);
    }
  sqlite3_finalize (rows);
}

gboolean
jz_audit_verify_rows (sqlite3   *db,
                      GPtrArray *problems,
                      guint      max_report)
{
  guint n_entities;
  const JzEntity * const *entities = jz_schema_entities (&n_entities);
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  sqlite3_stmt *log = NULL;
  gboolean log_has_row;
  guint count = 0;

  for (guint i = 0; i < n_entities; i++)
    if (entities[i]->flags & JZ_ENTITY_AUDITED)
      g_ptr_array_add (sorted, (gpointer) entities[i]);
  /* The log is read once, ordered by entity name: visit tables in that order. */
  for (guint i = 0; i < sorted->len; i++)
    for (guint j = i + 1; j < sorted->len; j++)
      if (strcmp (((JzEntity *) sorted->pdata[j])->name, ((JzEntity *) sorted->pdata[i])->name) < 0)
        {
          gpointer t = sorted->pdata[i];
          sorted->pdata[i] = sorted->pdata[j];
          sorted->pdata[j] = t;
        }

  if (sqlite3_prepare_v2 (db,
                          "SELECT coalesce (entity, ''), entity_id, op, fields_json FROM audit "
                          "ORDER BY 1, entity_id, seq", -1, &log, NULL) != SQLITE_OK)
    {
      g_ptr_array_add (problems, g_strdup_printf ("audit log unreadable: %s", sqlite3_errmsg (db)));
      return FALSE;
    }
  log_has_row = sqlite3_step (log) == SQLITE_ROW;

  for (guint i = 0; i < sorted->len; i++)
    {
      const JzEntity *entity = sorted->pdata[i];

      /* Entries of unknown entities sorting before this one. */
      while (log_has_row && strcmp ((const char *) sqlite3_column_text (log, 0), entity->name) < 0)
        {
          report (problems, max_report, &count, "audit log: entry for an unknown table “%s”",
                  (const char *) sqlite3_column_text (log, 0));
          log_has_row = sqlite3_step (log) == SQLITE_ROW;
        }
      verify_entity (db, entity, log, &log_has_row, problems, max_report, &count);
    }
  while (log_has_row)
    {
      report (problems, max_report, &count, "audit log: entry for an unknown table “%s”",
              (const char *) sqlite3_column_text (log, 0));
      log_has_row = sqlite3_step (log) == SQLITE_ROW;
    }
  sqlite3_finalize (log);

  if (count > max_report)
    g_ptr_array_add (problems, g_strdup_printf ("%u more rows differ from the audit log", count - max_report));
  return count == 0;
}
