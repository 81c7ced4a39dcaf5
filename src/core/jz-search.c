/* jz-search.c: finding people (search as you type, duplicate candidates,
 * repeat visits)
 *
 * Three FTS5 tables (data/migrations/0003-search.sql) hold documents the
 * triggers derive from each person row with the SQL functions below:
 * names and their pinyin (with prefix indexes, for search as you type),
 * facets and descriptions, and the ID number (trigram, for any run of
 * digits). Their rowid is person.rowid.
 *
 * Search as you type runs tiers of cheap queries, best kind of match
 * first (the name is the text, starts with it, contains it …), each in
 * FTS rowid order backwards (the most recently recorded people first) and
 * with a LIMIT, so that "张" among a million people costs about what
 * "张伟" costs: FTS5 streams a doclist in rowid order and stops at the
 * limit, whereas ranking by bm25 would read every match.
 *
 * Duplicate candidates are fetched by exact tokens (same compact pinyin,
 * same initials + sex + 5-year birth bucket, same birth date, same county
 * + sex + bucket, same ID number), at most a few hundred, and then scored
 * in C with jz_dupscore_rank().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-search"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json.h>
#include <stdio.h>
#include <string.h>

#include "jz-actions.h"
#include "jz-pinyin.h"
#include "jz-search.h"

/* Candidates fetched per duplicate query, before scoring. */
#define DUP_FETCH_PER_QUERY 400
/* Years an estimated age on file may be off (jz_birth_age_range_at). */
#define DUP_ESTIMATE_SLACK 5

/* ---- Documents (the SQL functions the triggers call) ---------------- */

enum
{
  DOC_WHOLE,
  DOC_CHARS,
  DOC_PINYIN,
  DOC_COMPACT,
  DOC_INITIALS,
  DOC_TAIL,
  DOC_N
};

/* The last person's documents: a trigger asks for six columns of the
 * same row in a row. One per connection (its functions' user data). */
typedef struct
{
  gboolean  valid;
  char     *name;
  char     *aliases;
  gint64    placeholder_no;
  char     *docs[DOC_N];
} NamesCache;

static void
names_cache_free (gpointer data)
{
  NamesCache *cache = data;

  g_free (cache->name);
  g_free (cache->aliases);
  for (guint i = 0; i < DOC_N; i++)
    g_free (cache->docs[i]);
  g_free (cache);
}

static gboolean
is_han (gunichar c)
{
  return c == 0x3007 ||
         (c >= 0x3400 && c <= 0x9FFF) ||
         (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x323AF);
}

/* Appends @text to @out as tokens: each Han character alone, runs of
 * other letters and digits as words, everything else a separator. */
static void
append_char_tokens (GString    *out,
                    const char *text)
{
  gboolean in_word = FALSE;

  for (const char *p = text; p && *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_han (c))
        {
          if (out->len > 0)
            g_string_append_c (out, ' ');
          g_string_append_unichar (out, c);
          in_word = FALSE;
        }
      else if (g_unichar_isalnum (c))
        {
          if (!in_word && out->len > 0)
            g_string_append_c (out, ' ');
          g_string_append_unichar (out, c);
          in_word = TRUE;
        }
      else
        in_word = FALSE;
    }
}

/* The name as one token: letters and digits only (no spaces or the
 * middle dot of minority names). */
static void
append_whole_token (GString    *out,
                    const char *text)
{
  gsize before = out->len;

  if (out->len > 0)
    g_string_append_c (out, ' ');
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalnum (c))
        g_string_append_unichar (out, c);
    }
  if (out->len == before + 1)
    g_string_truncate (out, before);
}

static void
append_word (GString    *out,
             const char *word)
{
  if (word == NULL || *word == '\0')
    return;
  if (out->len > 0)
    g_string_append_c (out, ' ');
  g_string_append (out, word);
}

/* The aliases column: a JSON array of strings. */
static GPtrArray *
parse_aliases (const char *json)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (g_free);
  json_object *obj;

  if (json == NULL || *json == '\0')
    return list;
  obj = json_tokener_parse (json);
  if (obj != NULL && json_object_is_type (obj, json_type_array))
    for (size_t i = 0; i < json_object_array_length (obj); i++)
      {
        json_object *item = json_object_array_get_idx (obj, i);
        const char *s = json_object_is_type (item, json_type_string) ? json_object_get_string (item) : NULL;

        if (s != NULL && *s != '\0' && g_utf8_validate (s, -1, NULL))
          g_ptr_array_add (list, g_strdup (s));
      }
  json_object_put (obj);
  return list;
}

/* Every name a person goes by: the name (or 无名氏N), then the aliases. */
static GPtrArray *
names_of_person (const char *name,
                 const char *aliases,
                 gint64      placeholder_no,
                 gboolean    with_placeholder)
{
  GPtrArray *names = parse_aliases (aliases);

  if (name != NULL && *name != '\0' && g_utf8_validate (name, -1, NULL))
    g_ptr_array_insert (names, 0, g_strdup (name));
  else if (with_placeholder && placeholder_no > 0)
    g_ptr_array_insert (names, 0, g_strdup_printf ("无名氏%" G_GINT64_FORMAT, placeholder_no));
  return names;
}

static void
make_name_docs (const char *name,
                const char *aliases,
                gint64      placeholder_no,
                char       *docs[DOC_N])
{
  g_autoptr(GPtrArray) names = names_of_person (name, aliases, placeholder_no, TRUE);
  GString *out[DOC_N];

  for (guint i = 0; i < DOC_N; i++)
    out[i] = g_string_new (NULL);

  for (guint n = 0; n < names->len; n++)
    {
      const char *text = names->pdata[n];
      g_autoptr(JzPinyin) py = jz_pinyin_new_for_name (text);
      g_auto(GStrv) syllables = g_strsplit (py->full, " ", -1);
      guint n_syl = g_strv_length (syllables);

      append_whole_token (out[DOC_WHOLE], text);
      append_char_tokens (out[DOC_CHARS], text);
      append_word (out[DOC_PINYIN], py->full);
      append_word (out[DOC_COMPACT], py->compact);
      append_word (out[DOC_INITIALS], py->initials);
      for (guint k = 1; k + 1 < n_syl; k++)
        {
          g_autofree char *tail = g_strjoinv ("", syllables + k);
          append_word (out[DOC_TAIL], tail);
        }
    }

  for (guint i = 0; i < DOC_N; i++)
    docs[i] = g_string_free (out[i], FALSE);
}

static const char *
value_text (sqlite3_value *v)
{
  return sqlite3_value_type (v) == SQLITE_NULL ? NULL : (const char *) sqlite3_value_text (v);
}

/* jz_search_names (column, name, aliases, placeholder_no) */
static void
fn_search_names (sqlite3_context  *ctx,
                 int               argc,
                 sqlite3_value   **argv)
{
  NamesCache *cache = sqlite3_user_data (ctx);
  int column = sqlite3_value_int (argv[0]);
  const char *name = value_text (argv[1]);
  const char *aliases = value_text (argv[2]);
  gint64 placeholder_no = sqlite3_value_int64 (argv[3]);

  if (column < 0 || column >= DOC_N)
    {
      sqlite3_result_error (ctx, "jz_search_names: no such column", -1);
      return;
    }
  /* The same person's other columns: the documents made for the first. */
  if (!cache->valid || placeholder_no != cache->placeholder_no ||
      g_strcmp0 (name, cache->name) != 0 || g_strcmp0 (aliases, cache->aliases) != 0)
    {
      for (guint i = 0; i < DOC_N; i++)
        g_clear_pointer (&cache->docs[i], g_free);
      g_free (cache->name);
      g_free (cache->aliases);
      cache->name = g_strdup (name);
      cache->aliases = g_strdup (aliases);
      cache->placeholder_no = placeholder_no;
      cache->valid = TRUE;
      make_name_docs (name, aliases, placeholder_no, cache->docs);
    }
  sqlite3_result_text (ctx, cache->docs[column], -1, SQLITE_TRANSIENT);
}

static gboolean
parse_ymd (const char *text,
           GDate      *out)
{
  int y, m, d;

  g_date_clear (out, 1);
  if (text == NULL || sscanf (text, "%4d-%2d-%2d", &y, &m, &d) != 3 || !g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_set_dmy (out, d, m, y);
  return TRUE;
}

/* A person's birth from the person columns (as jz_person_get_facts). */
static void
birth_from_columns (const char *birth_date,
                    const char *precision,
                    gint64      estimated_age,
                    const char *estimated_on,
                    JzBirth    *birth)
{
  GDate date;

  jz_birth_init_unknown (birth);
  if (g_strcmp0 (precision, "exact") == 0 && parse_ymd (birth_date, &date))
    jz_birth_init_exact (birth, g_date_get_year (&date), g_date_get_month (&date), g_date_get_day (&date));
  else if (g_strcmp0 (precision, "year") == 0 && parse_ymd (birth_date, &date))
    jz_birth_init_year (birth, g_date_get_year (&date));
  else if (g_strcmp0 (precision, "estimated") == 0 && estimated_age >= 0 && parse_ymd (estimated_on, &date))
    jz_birth_init_estimated (birth, (guint) estimated_age, &date);
}

/* The year a person was most likely born, or 0. Does not depend on
 * today, so a document never goes stale. */
static int
birth_center_year (const JzBirth *birth)
{
  switch (birth->precision)
    {
    case JZ_DATE_PRECISION_EXACT:
    case JZ_DATE_PRECISION_YEAR:
      return g_date_get_year (&birth->date);
    case JZ_DATE_PRECISION_ESTIMATED:
      return (int) g_date_get_year (&birth->estimated_on) - (int) birth->estimated_age;
    default:
      return 0;
    }
}

static char
sex_letter (const char *sex)
{
  if (g_strcmp0 (sex, "male") == 0)
    return 'm';
  if (g_strcmp0 (sex, "female") == 0)
    return 'f';
  return 'u';
}

static gboolean
is_county_code (const char *code)
{
  if (code == NULL || strlen (code) != 6)
    return FALSE;
  for (int i = 0; i < 6; i++)
    if (!g_ascii_isdigit (code[i]))
      return FALSE;
  return TRUE;
}

/* jz_search_facets (name, aliases, sex, birth_date, birth_precision,
 *                   estimated_age, estimated_on, hukou_region) */
static void
fn_search_facets (sqlite3_context  *ctx,
                  int               argc,
                  sqlite3_value   **argv)
{
  g_autoptr(GPtrArray) names = names_of_person (value_text (argv[0]), value_text (argv[1]), 0, FALSE);
  g_autoptr(GString) out = g_string_new (NULL);
  char sex = sex_letter (value_text (argv[2]));
  const char *region = value_text (argv[7]);
  JzBirth birth;
  int year;

  birth_from_columns (value_text (argv[3]), value_text (argv[4]),
                      sqlite3_value_type (argv[5]) == SQLITE_NULL ? -1 : sqlite3_value_int64 (argv[5]),
                      value_text (argv[6]), &birth);
  year = birth_center_year (&birth);

  if (year > 0)
    {
      for (guint n = 0; n < names->len; n++)
        {
          g_autoptr(JzPinyin) py = jz_pinyin_new_for_name (names->pdata[n]);

          if (*py->initials != '\0')
            g_string_append_printf (out, "%si%s%c%d", out->len ? " " : "", py->initials, sex, year / 5);
        }
      if (is_county_code (region))
        g_string_append_printf (out, "%sr%s%c%d", out->len ? " " : "", region, sex, year / 5);
    }
  if (birth.precision == JZ_DATE_PRECISION_EXACT)
    g_string_append_printf (out, "%sd%04u%02u%02u", out->len ? " " : "",
                            g_date_get_year (&birth.date), g_date_get_month (&birth.date),
                            g_date_get_day (&birth.date));
  sqlite3_result_text (ctx, out->str, (int) out->len, SQLITE_TRANSIENT);
}

/* jz_search_text (description, marks, clothing, dialect, residence) */
static void
fn_search_text (sqlite3_context  *ctx,
                int               argc,
                sqlite3_value   **argv)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (int i = 0; i < argc; i++)
    {
      const char *t = value_text (argv[i]);

      if (t != NULL && g_utf8_validate (t, -1, NULL))
        append_char_tokens (out, t);
    }
  sqlite3_result_text (ctx, out->str, (int) out->len, SQLITE_TRANSIENT);
}

/* jz_search_deferred (): true inside a transaction, where the triggers
 * of migration 0010 leave the index to jz_search_flush. */
static void
fn_search_deferred (sqlite3_context  *ctx,
                    int               argc,
                    sqlite3_value   **argv)
{
  sqlite3_result_int (ctx, !sqlite3_get_autocommit (sqlite3_user_data (ctx)));
}

static int
register_functions (sqlite3 *db)
{
  NamesCache *cache = g_new0 (NamesCache, 1);
  int rc;

  /* The cache is freed with the connection (xDestroy). */
  rc = sqlite3_create_function_v2 (db, "jz_search_names", 4,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                   cache, fn_search_names, NULL, NULL, names_cache_free);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function_v2 (db, "jz_search_facets", 8,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                     NULL, fn_search_facets, NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function_v2 (db, "jz_search_text", 5,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                     NULL, fn_search_text, NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function_v2 (db, "jz_search_deferred", 0,
                                     SQLITE_UTF8 | SQLITE_INNOCUOUS,
                                     db, fn_search_deferred, NULL, NULL, NULL);
  return rc;
}

static int
auto_extension (sqlite3                           *db,
                const char                       **error_message,
                const struct sqlite3_api_routines *api)
{
  return register_functions (db);
}

gboolean
jz_search_register_functions (sqlite3  *db,
                              GError  **error)
{
  static gsize installed;
  int rc;

  g_return_val_if_fail (db != NULL, FALSE);

  /* Every connection this process opens gets the functions too (a tool
   * or test with its own connection writing a person would otherwise
   * fail in the triggers); a separate sqlite3 shell does not. */
  if (g_once_init_enter (&installed))
    {
      sqlite3_auto_extension ((void (*) (void)) auto_extension);
      g_once_init_leave (&installed, 1);
    }

  rc = register_functions (db);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_IO,
                   /* Translators: %s is SQLite's reason (English). */
                   _("Cannot register the search functions: %s"), sqlite3_errstr (rc));
      return FALSE;
    }
  return TRUE;
}

/* The documents of the people noted in search_dirty (migration 0010),
 * each table written in one statement: FTS5 writes one segment per table
 * and transaction instead of one per person. Deleting from person_idn
 * needs the number it was indexed with, which the note keeps. CROSS JOIN
 * reads the notes first: without statistics the planner walked every
 * person and looked each up in the notes, a full scan per commit. */
static const char flush_sql[] =
  "DELETE FROM person_fts WHERE rowid IN (SELECT person_rowid FROM search_dirty WHERE NOT fresh);"
  "DELETE FROM person_ftx WHERE rowid IN (SELECT person_rowid FROM search_dirty WHERE NOT fresh);"
  "INSERT INTO person_idn (person_idn, rowid, id_number) "
  "SELECT 'delete', person_rowid, id_number FROM search_dirty WHERE id_number IS NOT NULL;"
  "INSERT INTO person_fts (rowid, whole, chars, pinyin, compact, initials, tail) "
  "SELECT p.rowid, jz_search_names (0, name, aliases, placeholder_no), "
  "       jz_search_names (1, name, aliases, placeholder_no), "
  "       jz_search_names (2, name, aliases, placeholder_no), "
  "       jz_search_names (3, name, aliases, placeholder_no), "
  "       jz_search_names (4, name, aliases, placeholder_no), "
  "       jz_search_names (5, name, aliases, placeholder_no) "
  "FROM search_dirty d CROSS JOIN person p ON p.rowid = d.person_rowid WHERE p.deleted = 0;"
  "INSERT INTO person_ftx (rowid, facets, descr) "
  "SELECT p.rowid, jz_search_facets (name, aliases, sex, birth_date, birth_precision, "
  "                                  estimated_age, estimated_on, hukou_region), "
  "       jz_search_text (description, marks, clothing, dialect, residence) "
  "FROM search_dirty d CROSS JOIN person p ON p.rowid = d.person_rowid WHERE p.deleted = 0;"
  "INSERT INTO person_idn (rowid, id_number) "
  "SELECT p.rowid, p.id_number FROM search_dirty d CROSS JOIN person p ON p.rowid = d.person_rowid "
  "WHERE p.id_number IS NOT NULL AND p.deleted = 0;"
  "DELETE FROM search_dirty;";

static gboolean
search_dirty (JzStore   *store,
              gboolean  *dirty,
              GError   **error)
{
  sqlite3_stmt *stmt = jz_store_prepare (store, "SELECT EXISTS (SELECT 1 FROM search_dirty)", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  *dirty = rc == SQLITE_ROW && sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return jz_store_set_error_from_db (store, rc, error);
  return TRUE;
}

gboolean
jz_search_flush (JzStore  *store,
                 GError  **error)
{
  gboolean dirty = FALSE;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);

  if (!search_dirty (store, &dirty, error))
    return FALSE;
  if (!dirty)
    return TRUE;
  if (sqlite3_get_autocommit (jz_store_get_db (store)))
    {
      /* Left by a writer that committed without jz_store_commit: the
       * commit of this empty write flushes them. */
      if (!jz_store_write_begin (store, error))
        return FALSE;
      return jz_store_write_end (store, TRUE, error);
    }
  return jz_store_exec (store, flush_sql, error);
}

/* Before a search: the index holds every write, the current
 * transaction's own included. */
static gboolean
search_catch_up (JzStore  *store,
                 GError  **error)
{
  g_autoptr(GError) local_error = NULL;

  if (jz_search_flush (store, &local_error))
    return TRUE;
  if (!sqlite3_get_autocommit (jz_store_get_db (store)))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* Another process holds the write lock: search what is indexed. */
  g_debug ("The search index is brought up to date later: %s", local_error->message);
  return TRUE;
}

gboolean
jz_search_rebuild (JzStore  *store,
                   GError  **error)
{
  static const char *sql =
    "DELETE FROM person_fts;"
    "DELETE FROM person_ftx;"
    "INSERT INTO person_idn (person_idn) VALUES ('delete-all');"
    "INSERT INTO person_fts (rowid, whole, chars, pinyin, compact, initials, tail) "
    "SELECT rowid, jz_search_names (0, name, aliases, placeholder_no), "
    "       jz_search_names (1, name, aliases, placeholder_no), "
    "       jz_search_names (2, name, aliases, placeholder_no), "
    "       jz_search_names (3, name, aliases, placeholder_no), "
    "       jz_search_names (4, name, aliases, placeholder_no), "
    "       jz_search_names (5, name, aliases, placeholder_no) "
    "FROM person WHERE deleted = 0;"
    "INSERT INTO person_ftx (rowid, facets, descr) "
    "SELECT rowid, jz_search_facets (name, aliases, sex, birth_date, birth_precision, "
    "                                estimated_age, estimated_on, hukou_region), "
    "       jz_search_text (description, marks, clothing, dialect, residence) "
    "FROM person WHERE deleted = 0;"
    "INSERT INTO person_idn (rowid, id_number) "
    "SELECT rowid, id_number FROM person WHERE id_number IS NOT NULL AND deleted = 0;"
    "DELETE FROM search_dirty;";
  gboolean ok;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);

  if (!jz_store_write_begin (store, error))
    return FALSE;
  ok = jz_store_exec (store, sql, error);
  return jz_store_write_end (store, ok, ok ? error : NULL) && ok;
}

gboolean
jz_search_optimize (JzStore  *store,
                    GError  **error)
{
  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);

  return jz_search_flush (store, error) &&
         jz_store_exec (store,
                        "INSERT INTO person_fts (person_fts) VALUES ('optimize');"
                        "INSERT INTO person_ftx (person_ftx) VALUES ('optimize');"
                        "INSERT INTO person_idn (person_idn) VALUES ('optimize');",
                        error);
}

/* ---- Search as you type --------------------------------------------- */

const char *
jz_search_match_to_string (JzSearchMatch match)
{
  static const char *names[] = {
    "id_number", "placeholder", "episode", "name", "name_prefix", "name_part",
    "pinyin", "pinyin_prefix", "pinyin_part", "description",
  };

  g_return_val_if_fail ((guint) match < G_N_ELEMENTS (names), NULL);
  return names[match];
}

void
jz_search_row_free (JzSearchRow *row)
{
  if (row == NULL)
    return;
  g_free (row->person_id);
  g_free (row->name);
  g_free (row->sex);
  g_free (row->id_number);
  g_free (row->hukou_region);
  g_free (row->station);
  g_free (row->episode_id);
  g_free (row->episode_number);
  g_free (row->episode_status);
  g_free (row);
}

static void
search_row_clear (JzSearchRow *row)
{
  g_free (row->person_id);
  g_free (row->name);
  g_free (row->sex);
  g_free (row->id_number);
  g_free (row->hukou_region);
  g_free (row->station);
  g_free (row->episode_id);
  g_free (row->episode_number);
  g_free (row->episode_status);
  memset (row, 0, sizeof *row);
}

/* Rowids found so far, in order, with the kind of match of each. */
typedef struct
{
  GArray     *rowids;    /* gint64 */
  GArray     *matches;   /* JzSearchMatch */
  GHashTable *seen;      /* gint64* */
  guint       want;      /* offset + limit */
} Hits;

static void
hits_init (Hits  *hits,
           guint  want)
{
  hits->rowids = g_array_new (FALSE, FALSE, sizeof (gint64));
  hits->matches = g_array_new (FALSE, FALSE, sizeof (JzSearchMatch));
  hits->seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  hits->want = want;
}

static void
hits_clear (Hits *hits)
{
  g_array_unref (hits->rowids);
  g_array_unref (hits->matches);
  g_hash_table_unref (hits->seen);
}

static gboolean
hits_full (Hits *hits)
{
  return hits->rowids->len >= hits->want;
}

static void
hits_add (Hits          *hits,
          gint64         rowid,
          JzSearchMatch  match)
{
  gint64 *key;

  if (hits_full (hits) || g_hash_table_contains (hits->seen, &rowid))
    return;
  key = g_new (gint64, 1);
  *key = rowid;
  g_hash_table_add (hits->seen, key);
  g_array_append_val (hits->rowids, rowid);
  g_array_append_val (hits->matches, match);
}

/* Runs @sql (?1 = @text1, ?2 = @text2, last parameter the row limit)
 * and adds the rowids of its first column. */
static gboolean
hits_run (JzStore        *store,
          Hits           *hits,
          JzSearchMatch   match,
          const char     *sql,
          const char     *text1,
          const char     *text2,
          GError        **error)
{
  sqlite3_stmt *stmt;
  int n_params;
  int rc;

  if (hits_full (hits))
    return TRUE;
  stmt = jz_store_prepare (store, sql, error);
  if (stmt == NULL)
    return FALSE;
  n_params = sqlite3_bind_parameter_count (stmt);
  if (text1 != NULL)
    sqlite3_bind_text (stmt, 1, text1, -1, SQLITE_TRANSIENT);
  if (text2 != NULL)
    sqlite3_bind_text (stmt, 2, text2, -1, SQLITE_TRANSIENT);
  /* Rows already taken may come again: ask for enough to fill up. */
  sqlite3_bind_int64 (stmt, n_params, hits->want);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      hits_add (hits, sqlite3_column_int64 (stmt, 0), match);
      if (hits_full (hits))
        break;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      jz_store_set_error_from_db (store, rc, error);
      /* Translators: the reason follows. */
      g_prefix_error (error, _("Cannot search: "));

      return FALSE;
    }
  return TRUE;
}

#define FTS_SQL "SELECT rowid FROM person_fts WHERE person_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2"
#define FTX_SQL "SELECT rowid FROM person_ftx WHERE person_ftx MATCH ?1 ORDER BY rowid DESC LIMIT ?2"
#define IDN_SQL "SELECT rowid FROM person_idn WHERE person_idn MATCH ?1 ORDER BY rowid DESC LIMIT ?2"

/* "abc" → "\"abc\"": an FTS5 string, whatever it holds. */
static char *
fts_quote (const char *text)
{
  GString *s = g_string_new ("\"");

  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

/* The upper bound of a prefix range: "320481-01" → "320481-02"-ish, i.e.
 * the prefix with its last byte raised (ASCII here). */
static char *
prefix_upper (const char *prefix)
{
  char *upper = g_strdup (prefix);
  gsize len = strlen (upper);

  g_assert (len > 0);
  upper[len - 1]++;
  return upper;
}

typedef enum
{
  QUERY_EMPTY,
  QUERY_DIGITS,     /* 0-9, X at the end (ID numbers), spaces */
  QUERY_EPISODE,    /* digits and dashes */
  QUERY_HAN,        /* has Han characters */
  QUERY_LATIN,      /* letters (pinyin), maybe digits */
} QueryKind;

/* The query's letters and digits (what the documents keep), and its kind. */
static QueryKind
classify (const char *text,
          char      **cleaned)
{
  GString *s = g_string_new (NULL);
  gboolean han = FALSE, letters = FALSE, dash = FALSE, digits = FALSE;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_han (c))
        han = TRUE;
      else if (c < 0x80 && g_ascii_isdigit (c))
        digits = TRUE;
      else if (c == '-')
        {
          dash = TRUE;
          g_string_append_c (s, '-');
          continue;
        }
      else if (g_unichar_isalpha (c))
        letters = TRUE;
      if (g_unichar_isalnum (c))
        g_string_append_unichar (s, c);
    }
  *cleaned = g_string_free (s, FALSE);

  if (han)
    return QUERY_HAN;
  if (digits && dash && !letters)
    return QUERY_EPISODE;
  if (digits && !letters)
    return QUERY_DIGITS;
  /* "3204…X": an ID number with its check letter. */
  if (digits && letters)
    {
      gsize len = strlen (*cleaned);
      gboolean id_like = len >= 4 && g_ascii_tolower ((*cleaned)[len - 1]) == 'x';

      for (gsize i = 0; id_like && i + 1 < len; i++)
        id_like = g_ascii_isdigit ((*cleaned)[i]);
      if (id_like)
        return QUERY_DIGITS;
    }
  if (letters)
    return QUERY_LATIN;
  return QUERY_EMPTY;
}

static gboolean
collect_digits (JzStore     *store,
                Hits        *hits,
                const char  *digits,
                GError     **error)
{
  g_autofree char *upper_id = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *id = g_ascii_strup (digits, -1);
  gsize len = strlen (digits);

  /* 无名氏12: the station's placeholder number. */
  if (len <= 9 && g_ascii_isdigit (digits[len - 1]))
    {
      if (!hits_run (store, hits, JZ_SEARCH_MATCH_PLACEHOLDER,
                     "SELECT rowid FROM person WHERE placeholder_no = CAST (?1 AS INTEGER) AND deleted = 0 LIMIT ?2",
                     digits, NULL, error))
        return FALSE;
    }
  if (len < 4)
    return TRUE;

  /* Numbers that start with the digits first (the index), then those that
   * contain them (trigrams). */
  upper_id = prefix_upper (id);
  if (!hits_run (store, hits, JZ_SEARCH_MATCH_ID_NUMBER,
                 "SELECT rowid FROM person WHERE id_number >= ?1 AND id_number < ?2 AND deleted = 0 "
                 "ORDER BY id_number LIMIT ?3",
                 id, upper_id, error))
    return FALSE;
  quoted = fts_quote (id);
  return hits_run (store, hits, JZ_SEARCH_MATCH_ID_NUMBER, IDN_SQL, quoted, NULL, error);
}

static gboolean
collect_episode (JzStore     *store,
                 Hits        *hits,
                 const char  *number,
                 GError     **error)
{
  g_autofree char *upper = prefix_upper (number);

  return hits_run (store, hits, JZ_SEARCH_MATCH_EPISODE,
                   "SELECT p.rowid FROM episode e JOIN person p ON p.id = e.person_id "
                   "WHERE e.number >= ?1 AND e.number < ?2 AND e.deleted = 0 AND p.deleted = 0 "
                   "ORDER BY e.number DESC LIMIT ?3",
                   number, upper, error);
}

static gboolean
collect_han (JzStore     *store,
             Hits        *hits,
             const char  *cleaned,
             const char  *text,
             GError     **error)
{
  g_autoptr(GString) chars = g_string_new (NULL);
  g_autofree char *quoted_whole = fts_quote (cleaned);
  g_autofree char *q = NULL;
  g_autofree char *pinyin = NULL;

  append_char_tokens (chars, cleaned);

  q = g_strdup_printf ("whole : %s", quoted_whole);
  if (!hits_run (store, hits, JZ_SEARCH_MATCH_NAME, FTS_SQL, q, NULL, error))
    return FALSE;
  g_free (q);
  q = g_strdup_printf ("whole : %s *", quoted_whole);
  if (!hits_run (store, hits, JZ_SEARCH_MATCH_NAME_PREFIX, FTS_SQL, q, NULL, error))
    return FALSE;
  g_free (q);
  {
    g_autofree char *quoted_chars = fts_quote (chars->str);
    q = g_strdup_printf ("chars : %s", quoted_chars);
  }
  if (!hits_run (store, hits, JZ_SEARCH_MATCH_NAME_PART, FTS_SQL, q, NULL, error))
    return FALSE;

  /* Homophones: 章伟 when 张伟 was typed (names are often misheard). */
  pinyin = jz_pinyin_normalize_query (text);
  if (*pinyin != '\0')
    {
      g_autofree char *quoted = fts_quote (pinyin);

      g_free (q);
      q = g_strdup_printf ("compact : %s", quoted);
      if (!hits_run (store, hits, JZ_SEARCH_MATCH_PINYIN_PART, FTS_SQL, q, NULL, error))
        return FALSE;
    }

  g_free (q);
  {
    g_autofree char *quoted_chars = fts_quote (chars->str);
    q = g_strdup_printf ("descr : %s", quoted_chars);
  }
  return hits_run (store, hits, JZ_SEARCH_MATCH_DESCRIPTION, FTX_SQL, q, NULL, error);
}

static gboolean
collect_latin (JzStore     *store,
               Hits        *hits,
               const char  *text,
               GError     **error)
{
  g_autofree char *pinyin = jz_pinyin_normalize_query (text);
  g_autofree char *quoted = NULL;
  g_autofree char *q = NULL;

  if (*pinyin == '\0')
    return TRUE;
  quoted = fts_quote (pinyin);

  q = g_strdup_printf ("{compact initials} : %s", quoted);
  if (!hits_run (store, hits, JZ_SEARCH_MATCH_PINYIN, FTS_SQL, q, NULL, error))
    return FALSE;
  g_free (q);
  q = g_strdup_printf ("{compact initials} : %s *", quoted);
  if (!hits_run (store, hits, JZ_SEARCH_MATCH_PINYIN_PREFIX, FTS_SQL, q, NULL, error))
    return FALSE;
  /* From a later syllable ("wei", "weimin" for 张伟民); one letter would
   * match half the people. */
  if (strlen (pinyin) >= 2)
    {
      g_free (q);
      q = g_strdup_printf ("{pinyin tail} : %s *", quoted);
      if (!hits_run (store, hits, JZ_SEARCH_MATCH_PINYIN_PART, FTS_SQL, q, NULL, error))
        return FALSE;
    }
  /* Words of descriptions ("tattoo"). */
  if (strlen (pinyin) >= 3)
    {
      g_autoptr(GString) words = g_string_new (NULL);
      g_autofree char *quoted_words = NULL;

      append_char_tokens (words, text);
      quoted_words = fts_quote (words->str);
      g_free (q);
      q = g_strdup_printf ("descr : %s", quoted_words);
      if (!hits_run (store, hits, JZ_SEARCH_MATCH_DESCRIPTION, FTX_SQL, q, NULL, error))
        return FALSE;
    }
  return TRUE;
}

#define ROW_SQL \
  "SELECT p.id, p.name, p.placeholder_no, p.sex, p.birth_date, p.birth_precision, " \
  "       p.estimated_age, p.estimated_on, p.id_number, p.hukou_region, p.station, " \
  "       (SELECT count(*) FROM episode c WHERE c.person_id = p.id AND c.deleted = 0), " \
  "       e.id, e.number, e.status, e.admitted_at " \
  "FROM person p LEFT JOIN episode e ON e.id = " \
  "  (SELECT l.id FROM episode l WHERE l.person_id = p.id AND l.deleted = 0 " \
  "   ORDER BY l.admitted_at DESC LIMIT 1) "

static char *
dup_col (sqlite3_stmt *stmt,
         int           col)
{
  const char *t = (const char *) sqlite3_column_text (stmt, col);

  return t ? g_strdup (t) : NULL;
}

static void
today_local (GDate *out)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  g_date_clear (out, 1);
  g_date_set_dmy (out, g_date_time_get_day_of_month (now),
                  g_date_time_get_month (now), g_date_time_get_year (now));
}

/* Fills @row from a ROW_SQL result. */
static void
read_row (sqlite3_stmt *stmt,
          const GDate  *today,
          JzSearchRow  *row)
{
  JzBirth birth;

  row->person_id = dup_col (stmt, 0);
  if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
    row->name = dup_col (stmt, 1);
  else
    row->name = g_strdup_printf ("无名氏%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 2));
  row->sex = dup_col (stmt, 3);
  birth_from_columns ((const char *) sqlite3_column_text (stmt, 4),
                      (const char *) sqlite3_column_text (stmt, 5),
                      sqlite3_column_type (stmt, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 6),
                      (const char *) sqlite3_column_text (stmt, 7), &birth);
  row->age = jz_birth_age_at (&birth, today);
  row->id_number = dup_col (stmt, 8);
  row->hukou_region = dup_col (stmt, 9);
  row->station = dup_col (stmt, 10);
  row->n_episodes = (guint) sqlite3_column_int64 (stmt, 11);
  row->episode_id = dup_col (stmt, 12);
  row->episode_number = dup_col (stmt, 13);
  row->episode_status = dup_col (stmt, 14);
  row->admitted_at = sqlite3_column_int64 (stmt, 15);
}

/* One row per rowid (tombstoned people are skipped). */
static gboolean
fill_rows (JzStore       *store,
           const gint64  *rowids,
           guint          n,
           JzSearchRow   *rows,
           gboolean      *found,
           GError       **error)
{
  sqlite3_stmt *stmt = jz_store_prepare (store, ROW_SQL "WHERE p.rowid = ?1 AND p.deleted = 0", error);
  GDate today;

  if (stmt == NULL)
    return FALSE;
  today_local (&today);
  for (guint i = 0; i < n; i++)
    {
      int rc;

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, rowids[i]);
      rc = sqlite3_step (stmt);
      found[i] = rc == SQLITE_ROW;
      if (rc == SQLITE_ROW)
        read_row (stmt, &today, &rows[i]);
      else if (rc != SQLITE_DONE)
        {
          sqlite3_reset (stmt);
          jz_store_set_error_from_db (store, rc, error);
          return FALSE;
        }
    }
  sqlite3_reset (stmt);
  return TRUE;
}

/* The people matching @text, best first, as rowids in @hits (which the
 * caller clears). */
static gboolean
search_hits (JzStore     *store,
             const char  *text,
             guint        want,
             Hits        *hits,
             GError     **error)
{
  g_autofree char *cleaned = NULL;

  hits_init (hits, want);
  if (want == 0 || !g_utf8_validate (text, -1, NULL))
    return TRUE;
  if (!search_catch_up (store, error))
    return FALSE;
  switch (classify (text, &cleaned))
    {
    case QUERY_EMPTY:
      return TRUE;
    case QUERY_DIGITS:
      return collect_digits (store, hits, cleaned, error);
    case QUERY_EPISODE:
      return collect_episode (store, hits, cleaned, error);
    case QUERY_HAN:
      return collect_han (store, hits, cleaned, text, error);
    case QUERY_LATIN:
      return collect_latin (store, hits, text, error);
    }
  g_assert_not_reached ();
}

GPtrArray *
jz_search_people (JzStore     *store,
                  const char  *text,
                  guint        limit,
                  guint        offset,
                  GError     **error)
{
  g_autofree JzSearchRow *rows = NULL;
  g_autofree gboolean *found = NULL;
  GPtrArray *out;
  Hits hits;
  guint first, n;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (!search_hits (store, text, limit > 0 ? offset + limit : 0, &hits, error))
    {
      hits_clear (&hits);
      return NULL;
    }

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_search_row_free);
  first = MIN (offset, hits.rowids->len);
  n = hits.rowids->len - first;
  rows = g_new0 (JzSearchRow, MAX (n, 1));
  found = g_new0 (gboolean, MAX (n, 1));
  if (!fill_rows (store, &g_array_index (hits.rowids, gint64, first), n, rows, found, error))
    {
      for (guint i = 0; i < n; i++)
        search_row_clear (&rows[i]);
      hits_clear (&hits);
      g_ptr_array_unref (out);
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    if (found[i])
      {
        JzSearchRow *row = g_new (JzSearchRow, 1);

        *row = rows[i];
        row->match = g_array_index (hits.matches, JzSearchMatch, first + i);
        g_ptr_array_add (out, row);
      }
  hits_clear (&hits);
  return out;
}

GPtrArray *
jz_search_people_ids (JzStore     *store,
                      const char  *text,
                      guint        limit,
                      GError     **error)
{
  g_autoptr(GPtrArray) out = NULL;
  sqlite3_stmt *stmt;
  Hits hits;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (!search_hits (store, text, limit, &hits, error))
    {
      hits_clear (&hits);
      return NULL;
    }
  out = g_ptr_array_new_with_free_func (g_free);
  /* The rows' ids only: jz_search_people() reads each person's latest
   * episode and counts them too, several times the page reads. */
  stmt = jz_store_prepare (store, "SELECT id FROM person WHERE rowid = ?1 AND deleted = 0", error);
  for (guint i = 0; stmt != NULL && i < hits.rowids->len; i++)
    {
      int rc;

      sqlite3_bind_int64 (stmt, 1, g_array_index (hits.rowids, gint64, i));
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        g_ptr_array_add (out, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          jz_store_set_error_from_db (store, rc, error);
          stmt = NULL;
        }
    }
  hits_clear (&hits);
  return stmt != NULL ? g_steal_pointer (&out) : NULL;
}

/* ---- Repeat visits ---------------------------------------------------- */

GPtrArray *
jz_search_person_episodes (JzStore     *store,
                           const char  *person_id,
                           GError     **error)
{
  return jz_store_list_episodes_of_person (store, person_id, error);
}

/* ---- Duplicate candidates --------------------------------------------- */

void
jz_dup_candidate_free (JzDupCandidate *candidate)
{
  if (candidate == NULL)
    return;
  search_row_clear (&candidate->person);
  g_clear_pointer (&candidate->reasons, g_ptr_array_unref);
  g_clear_pointer (&candidate->episodes, g_ptr_array_unref);
  g_free (candidate);
}

void
jz_dup_person_from_record (JzDupPerson    *out,
                           const JzPerson *person,
                           char         ***aliases_out)
{
  g_autoptr(GPtrArray) aliases = NULL;

  g_return_if_fail (out != NULL);
  g_return_if_fail (person != NULL);
  g_return_if_fail (aliases_out != NULL);

  jz_dup_person_init (out);
  out->name = person->name;
  aliases = parse_aliases (person->aliases);
  g_ptr_array_add (aliases, NULL);
  *aliases_out = (char **) g_ptr_array_steal (aliases, NULL);
  out->aliases = (const char * const *) *aliases_out;
  jz_sex_from_string (person->sex, &out->sex);
  birth_from_columns (person->birth_date, person->birth_precision, person->estimated_age,
                      person->estimated_on, &out->birth);
  out->region_code = person->hukou_region;
  out->id_number = person->id_number;
  out->dialect = person->dialect;
  out->features = person->marks ? person->marks : person->description;
}

/* The facet tokens of an intake: initials × sex × birth buckets, birth
 * date, county × sex × buckets (see fn_search_facets). */
static char *
intake_facet_query (const JzDupPerson *intake,
                    GPtrArray         *intake_names,
                    const GDate       *today)
{
  g_autoptr(GString) q = g_string_new (NULL);
  int lo, hi, year = g_date_get_year (today);
  const char *sexes = intake->sex == JZ_SEX_MALE ? "mu" : intake->sex == JZ_SEX_FEMALE ? "fu" : "mfu";

  if (jz_birth_age_range_at (&intake->birth, today, &lo, &hi))
    {
      int first = (year - hi - 1 - DUP_ESTIMATE_SLACK) / 5;
      int last = (year - lo + DUP_ESTIMATE_SLACK) / 5;

      for (guint n = 0; n < intake_names->len; n++)
        {
          g_autoptr(JzPinyin) py = jz_pinyin_new_for_name (intake_names->pdata[n]);

          if (*py->initials == '\0')
            continue;
          for (const char *s = sexes; *s; s++)
            for (int b = first; b <= last; b++)
              g_string_append_printf (q, "%s\"i%s%c%d\"", q->len ? " OR " : "", py->initials, *s, b);
        }
      if (is_county_code (intake->region_code))
        for (const char *s = sexes; *s; s++)
          for (int b = first; b <= last; b++)
            g_string_append_printf (q, "%s\"r%s%c%d\"", q->len ? " OR " : "", intake->region_code, *s, b);
    }
  if (intake->birth.precision == JZ_DATE_PRECISION_EXACT)
    g_string_append_printf (q, "%s\"d%04u%02u%02u\"", q->len ? " OR " : "",
                            g_date_get_year (&intake->birth.date), g_date_get_month (&intake->birth.date),
                            g_date_get_day (&intake->birth.date));
  if (q->len == 0)
    return NULL;
  return g_strdup_printf ("facets : (%s)", q->str);
}

/* Names the intake goes by, placeholders (无名氏…) left out. */
static GPtrArray *
intake_names (const JzDupPerson *intake)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *all[64];
  guint n = 0;

  all[n++] = intake->name;
  for (guint i = 0; intake->aliases != NULL && intake->aliases[i] != NULL && n < G_N_ELEMENTS (all); i++)
    all[n++] = intake->aliases[i];
  for (guint i = 0; i < n; i++)
    {
      const char *s = all[i];
      gboolean digit = FALSE;

      if (s == NULL || *s == '\0' || !g_utf8_validate (s, -1, NULL) ||
          g_str_has_prefix (s, "无名") || g_str_has_prefix (s, "佚名") || g_str_has_prefix (s, "未知"))
        continue;
      for (const char *p = s; *p; p++)
        digit |= g_ascii_isdigit (*p);
      if (!digit)
        g_ptr_array_add (names, g_strdup (s));
    }
  return names;
}

typedef struct
{
  char    *id;
  char    *name;
  char   **aliases;
  char    *sex;
  char    *birth_date;
  char    *birth_precision;
  gint64   estimated_age;
  char    *estimated_on;
  char    *region;
  char    *id_number;
  char    *dialect;
  char    *features;
  JzSearchMatch match;   /* the query that found it */
} Candidate;

static void
candidate_clear (Candidate *c)
{
  g_free (c->id);
  g_free (c->name);
  g_strfreev (c->aliases);
  g_free (c->sex);
  g_free (c->birth_date);
  g_free (c->birth_precision);
  g_free (c->estimated_on);
  g_free (c->region);
  g_free (c->id_number);
  g_free (c->dialect);
  g_free (c->features);
}

GPtrArray *
jz_search_duplicates (JzStore           *store,
                      const JzDupPerson *intake,
                      guint              limit,
                      GError           **error)
{
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) ranked = NULL;
  g_autoptr(GString) compact_q = g_string_new (NULL);
  g_autofree char *facet_q = NULL;
  g_autofree char *id18 = NULL;
  g_autofree Candidate *cands = NULL;
  g_autofree JzDupPerson *dups = NULL;
  g_autofree gpointer *datas = NULL;
  sqlite3_stmt *stmt;
  GPtrArray *out = NULL;
  GDate today;
  Hits hits;
  guint n = 0;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);
  g_return_val_if_fail (intake != NULL, NULL);

  if (!search_catch_up (store, error))
    return NULL;
  today_local (&today);
  names = intake_names (intake);
  hits_init (&hits, 3 * DUP_FETCH_PER_QUERY);

  /* Same ID number: near-proof. */
  if (intake->id_number != NULL && (id18 = jz_idcard_normalize (intake->id_number)) != NULL &&
      !hits_run (store, &hits, JZ_SEARCH_MATCH_ID_NUMBER,
                 "SELECT rowid FROM person WHERE id_number = ?1 AND deleted = 0 LIMIT ?2",
                 id18, NULL, error))
    goto out;

  /* Same sound of a name or alias (homophones included). */
  for (guint i = 0; i <= names->len; i++)
    {
      g_autoptr(JzPinyin) py = NULL;
      g_autofree char *given = NULL;
      g_autofree char *quoted = NULL;
      const char *compact;

      /* The names, then the pinyin the intake gave (it may be all there
       * is: a name spelled out, not written). */
      if (i < names->len)
        {
          py = jz_pinyin_new_for_name (names->pdata[i]);
          compact = py->compact;
        }
      else if (intake->pinyin != NULL)
        compact = given = jz_pinyin_normalize_query (intake->pinyin);
      else
        break;
      if (*compact == '\0')
        continue;
      quoted = fts_quote (compact);
      g_string_append_printf (compact_q, "%s%s", compact_q->len ? " OR " : "", quoted);
    }
  if (compact_q->len > 0)
    {
      g_autofree char *q = g_strdup_printf ("compact : (%s)", compact_q->str);
      guint before = hits.rowids->len;

      hits.want = before + DUP_FETCH_PER_QUERY;
      if (!hits_run (store, &hits, JZ_SEARCH_MATCH_PINYIN, FTS_SQL, q, NULL, error))
        goto out;
    }

  /* Same initials, sex and age; same birth date; same county, sex and age. */
  facet_q = intake_facet_query (intake, names, &today);
  if (facet_q != NULL)
    {
      hits.want = hits.rowids->len + DUP_FETCH_PER_QUERY;
      if (!hits_run (store, &hits, JZ_SEARCH_MATCH_PINYIN_PART, FTX_SQL, facet_q, NULL, error))
        goto out;
    }

  /* What scoring needs of each candidate. */
  stmt = jz_store_prepare (store,
                           "SELECT id, name, aliases, sex, birth_date, birth_precision, estimated_age, "
                           "       estimated_on, hukou_region, id_number, dialect, coalesce (marks, description) "
                           "FROM person WHERE rowid = ?1 AND deleted = 0",
                           error);
  if (stmt == NULL)
    goto out;
  cands = g_new0 (Candidate, MAX (hits.rowids->len, 1));
  dups = g_new0 (JzDupPerson, MAX (hits.rowids->len, 1));
  datas = g_new0 (gpointer, MAX (hits.rowids->len, 1));
  for (guint i = 0; i < hits.rowids->len; i++)
    {
      Candidate *c = &cands[n];
      JzDupPerson *d = &dups[n];
      int rc;

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, g_array_index (hits.rowids, gint64, i));
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        continue;
      if (rc != SQLITE_ROW)
        {
          sqlite3_reset (stmt);
          jz_store_set_error_from_db (store, rc, error);
          goto out;
        }
      c->id = dup_col (stmt, 0);
      c->name = dup_col (stmt, 1);
      {
        g_autoptr(GPtrArray) al = parse_aliases ((const char *) sqlite3_column_text (stmt, 2));
        g_ptr_array_add (al, NULL);
        c->aliases = (char **) g_ptr_array_steal (al, NULL);
      }
      c->sex = dup_col (stmt, 3);
      c->birth_date = dup_col (stmt, 4);
      c->birth_precision = dup_col (stmt, 5);
      c->estimated_age = sqlite3_column_type (stmt, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 6);
      c->estimated_on = dup_col (stmt, 7);
      c->region = dup_col (stmt, 8);
      c->id_number = dup_col (stmt, 9);
      c->dialect = dup_col (stmt, 10);
      c->features = dup_col (stmt, 11);

      jz_dup_person_init (d);
      d->name = c->name;
      d->aliases = (const char * const *) c->aliases;
      jz_sex_from_string (c->sex, &d->sex);
      birth_from_columns (c->birth_date, c->birth_precision, c->estimated_age, c->estimated_on, &d->birth);
      d->region_code = c->region;
      d->id_number = c->id_number;
      d->dialect = c->dialect;
      d->features = c->features;
      c->match = g_array_index (hits.matches, JzSearchMatch, i);
      datas[n] = c;
      n++;
    }
  sqlite3_reset (stmt);

  ranked = jz_dupscore_rank (intake, dups, datas, n, JZ_DUPSCORE_SHOW_MIN, &today);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_dup_candidate_free);
  stmt = jz_store_prepare (store, ROW_SQL "WHERE p.id = ?1", error);
  if (stmt == NULL)
    {
      g_clear_pointer (&out, g_ptr_array_unref);
      goto out;
    }
  for (guint i = 0; i < ranked->len && out->len < limit; i++)
    {
      JzDupMatch *m = ranked->pdata[i];
      g_autoptr(JzDupCandidate) cand = g_new0 (JzDupCandidate, 1);
      int rc;

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, ((Candidate *) m->data)->id, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        {
          sqlite3_reset (stmt);
          if (rc == SQLITE_DONE)
            continue;
          jz_store_set_error_from_db (store, rc, error);
          g_clear_pointer (&out, g_ptr_array_unref);
          goto out;
        }
      read_row (stmt, &today, &cand->person);
      sqlite3_reset (stmt);
      cand->person.match = ((Candidate *) m->data)->match;
      cand->score = m->score;
      cand->reasons = g_steal_pointer (&m->reasons);
      cand->episodes = jz_store_list_episodes_of_person (store, cand->person.person_id, error);
      if (cand->episodes == NULL)
        {
          g_clear_pointer (&out, g_ptr_array_unref);
          goto out;
        }
      g_ptr_array_add (out, g_steal_pointer (&cand));
    }

out:
  for (guint i = 0; i < n; i++)
    candidate_clear (&cands[i]);
  hits_clear (&hits);
  return out;
}
