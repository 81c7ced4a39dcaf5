/* jz-case-list-model.c: the case list as a lazy GListModel
 *
 * Paging: a page is read with LIMIT/OFFSET on an ordered scan that the
 * covering indexes of 0005-case-list.sql serve without touching table
 * rows (the ORDER BY keys are exactly an index's leading columns, and
 * every filter reads only indexed columns), so even a page near the end of a million episodes costs a few
 * milliseconds; the page's rows are then joined with their people by
 * rowid. The cache keeps JZ_CASE_MAX_PAGES pages and forgets the least
 * recently used one, so scrolling through the whole list never holds
 * more than that many items (views keep refs to the few rows on screen).
 *
 * Rows stay put: an item is the row at its position, and when the query
 * changes (a keystroke in the search) the items a view still holds are
 * given the rows now at their places, and only the end of the list is
 * removed or added. GTK's list widgets then keep their row widgets and
 * only set new text; replacing the items made them destroy and build
 * every row's nine cells at each keystroke.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-case-list"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "jz-case-list-model.h"
#include "jz-deadlines.h"
#include "jz-due.h"
#include "jz-idcard.h"
#include "jz-records.h"
#include "jz-search.h"

/* Query and display helpers (pure). */

static const char * const sort_ids[] = { "relevance", "admitted", "number", "name", NULL };

const char *
jz_case_sort_to_string (JzCaseSort sort)
{
  g_return_val_if_fail (sort <= JZ_CASE_SORT_NAME, NULL);
  return sort_ids[sort];
}

gboolean
jz_case_sort_from_string (const char *text,
                          JzCaseSort *out)
{
  for (guint i = 0; sort_ids[i] != NULL; i++)
    if (g_strcmp0 (text, sort_ids[i]) == 0)
      {
        *out = (JzCaseSort) i;
        return TRUE;
      }
  return FALSE;
}

void
jz_case_query_init (JzCaseQuery *query)
{
  memset (query, 0, sizeof *query);
  query->sort = JZ_CASE_SORT_RELEVANCE;
  query->descending = TRUE;
}

void
jz_case_query_clear (JzCaseQuery *query)
{
  g_clear_pointer (&query->search, g_free);
  g_clear_pointer (&query->status, g_free);
  g_clear_pointer (&query->category, g_free);
}

void
jz_case_query_copy (const JzCaseQuery *src,
                    JzCaseQuery       *dest)
{
  *dest = *src;
  dest->search = g_strdup (src->search);
  dest->status = g_strdup (src->status);
  dest->category = g_strdup (src->category);
}

gboolean
jz_case_query_is_search (const JzCaseQuery *query)
{
  const char *p = query->search;

  for (; p != NULL && *p; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

gboolean
jz_case_query_equal (const JzCaseQuery *a,
                     const JzCaseQuery *b)
{
  return g_strcmp0 (a->search, b->search) == 0 &&
         g_strcmp0 (a->status, b->status) == 0 &&
         g_strcmp0 (a->category, b->category) == 0 &&
         a->filters == b->filters && a->sort == b->sort && a->descending == b->descending;
}

void
jz_case_month_bounds (gint64  now,
                      gint64 *start,
                      gint64 *end)
{
  GTimeZone *tz = jz_deadlines_time_zone ();
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc (now);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (t, tz);
  g_autoptr(GDateTime) first = g_date_time_new (tz, g_date_time_get_year (local),
                                                g_date_time_get_month (local), 1, 0, 0, 0);
  g_autoptr(GDateTime) next = g_date_time_add_months (first, 1);

  *start = g_date_time_to_unix (first);
  *end = g_date_time_to_unix (next);
}

/* The ORDER BY keys of @query over e (episode), p (person), s (search). */
static void
append_order (GString           *sql,
              const JzCaseQuery *query,
              gboolean           search,
              const char        *prefix)
{
  const char *dir = query->descending ? "DESC" : "ASC";

  switch (query->sort)
    {
    case JZ_CASE_SORT_RELEVANCE:
      if (search)
        g_string_append_printf (sql, "%sk1 ASC, %sk2 DESC, %sk3 DESC", prefix, prefix, prefix);
      else
        g_string_append_printf (sql, "%sk1 DESC, %sk2 DESC", prefix, prefix);
      break;
    case JZ_CASE_SORT_ADMITTED:
    case JZ_CASE_SORT_NUMBER:
      g_string_append_printf (sql, "%sk1 %s, %sk2 %s", prefix, dir, prefix, dir);
      break;
    case JZ_CASE_SORT_NAME:
      g_string_append_printf (sql, "%sk1 %s, %sk2 %s, %sk3 %s", prefix, dir, prefix, dir, prefix, dir);
      break;
    }
}

/* The sort keys selected as k1, k2, k3. */
static const char *
sort_keys (const JzCaseQuery *query,
           gboolean           search)
{
  switch (query->sort)
    {
    case JZ_CASE_SORT_RELEVANCE:
      return search ? "CAST (s.key AS INTEGER) AS k1, e.admitted_at AS k2, e.number AS k3"
                    : "e.admitted_at AS k1, e.number AS k2";
    case JZ_CASE_SORT_ADMITTED:
      return "e.admitted_at AS k1, e.number AS k2";
    case JZ_CASE_SORT_NUMBER:
      return "e.number AS k1, e.number AS k2";
    case JZ_CASE_SORT_NAME:
      return "p.name AS k1, p.placeholder_no AS k2, e.number AS k3";
    }
  g_assert_not_reached ();
}

guint
jz_case_query_n_keys (const JzCaseQuery *query)
{
  if (jz_case_query_is_search (query))
    return 0;
  switch (query->sort)
    {
    case JZ_CASE_SORT_RELEVANCE:
    case JZ_CASE_SORT_ADMITTED:
      return 2;                 /* admitted_at, then the number (unique) */
    case JZ_CASE_SORT_NUMBER:
      return 1;
    case JZ_CASE_SORT_NAME:
      return 0;
    }
  return 0;
}

/* The condition "after the row whose keys are ?@first…" in @query's order. */
static void
append_after (GString           *where,
              const JzCaseQuery *query,
              guint              first)
{
  /* Relevance without a search is newest first, as "admitted" descending. */
  gboolean descending = query->sort == JZ_CASE_SORT_RELEVANCE || query->descending;
  const char *op = descending ? "<" : ">";

  if (jz_case_query_n_keys (query) == 1)
    g_string_append_printf (where, " AND e.number %s ?%u", op, first);
  else
    g_string_append_printf (where, " AND (e.admitted_at, e.number) %s (?%u, ?%u)", op, first, first + 1);
}

char *
jz_case_query_build_sql (const JzCaseQuery *query,
                         JzCaseSqlKind      kind,
                         gint64             now,
                         const char        *search_json,
                         const char        *overdue_json,
                         GPtrArray         *params)
{
  gboolean search = jz_case_query_is_search (query);
  gboolean page = kind == JZ_CASE_SQL_PAGE || kind == JZ_CASE_SQL_PAGE_AFTER;
  gboolean need_person = query->sort == JZ_CASE_SORT_NAME && kind != JZ_CASE_SQL_COUNT;
  g_autoptr(GString) from = g_string_new ("FROM ");
  g_autoptr(GString) where = g_string_new ("WHERE e.deleted = 0");
  GString *sql;
  guint n = 0;

  g_return_val_if_fail (query != NULL && params != NULL, NULL);

  /* The search's people drive the join: a few hundred index lookups. */
  if (search)
    {
      g_string_append_printf (from, "json_each (?%u) AS s JOIN episode e ON e.person_id = s.value", ++n);
      g_ptr_array_add (params, g_variant_ref_sink (g_variant_new_string (search_json ? search_json : "[]")));
    }
  else if (kind != JZ_CASE_SQL_COUNT && query->sort != JZ_CASE_SORT_NAME)
    /* Without statistics the planner may prefer a partial index that
     * matches a filter and then sort every row; the covering index in the
     * order of the list is always right here. */
    g_string_append (from, query->sort == JZ_CASE_SORT_NUMBER
                             ? "episode e INDEXED BY episode_case_number"
                             : "episode e INDEXED BY episode_case_admitted");
  else
    g_string_append (from, "episode e");
  if (need_person)
    {
      g_string_append (from, " JOIN person p ON p.id = e.person_id");
      g_string_append (where, " AND p.deleted = 0");
    }

  if (query->filters & JZ_CASE_FILTER_OVERDUE)
    {
      g_string_append_printf (where, " AND e.id IN (SELECT value FROM json_each (?%u))", ++n);
      g_ptr_array_add (params, g_variant_ref_sink (g_variant_new_string (overdue_json ? overdue_json : "[]")));
    }
  if (query->status != NULL)
    {
      g_string_append_printf (where, " AND e.status = ?%u", ++n);
      g_ptr_array_add (params, g_variant_ref_sink (g_variant_new_string (query->status)));
    }
  if (query->category != NULL)
    {
      g_string_append_printf (where, " AND e.category = ?%u", ++n);
      g_ptr_array_add (params, g_variant_ref_sink (g_variant_new_string (query->category)));
    }
  if (query->filters & JZ_CASE_FILTER_MINORS)
    g_string_append (where, " AND (e.flags & 1) != 0");
  if (query->filters & JZ_CASE_FILTER_IN_STATION)
    g_string_append (where, " AND e.status IN ('screening', 'admitted')");
  if (query->filters & JZ_CASE_FILTER_DEPARTED_THIS_MONTH)
    {
      gint64 start, end;

      jz_case_month_bounds (now, &start, &end);
      g_string_append_printf (where, " AND e.departed_at >= ?%u AND e.departed_at < ?%u", n + 1, n + 2);
      n += 2;
      g_ptr_array_add (params, g_variant_ref_sink (g_variant_new_int64 (start)));
      g_ptr_array_add (params, g_variant_ref_sink (g_variant_new_int64 (end)));
    }

  if (kind == JZ_CASE_SQL_COUNT)
    {
      sql = g_string_new ("SELECT count(*) ");
      g_string_append_printf (sql, "%s %s", from->str, where->str);
      return g_string_free (sql, FALSE);
    }
  g_return_val_if_fail (kind == JZ_CASE_SQL_PAGE || jz_case_query_n_keys (query) > 0, NULL);
  if (kind == JZ_CASE_SQL_PAGE_AFTER || kind == JZ_CASE_SQL_KEYS_AFTER)
    {
      append_after (where, query, n + 1);
      n += jz_case_query_n_keys (query);
    }
  if (!page)
    {
      sql = g_string_new ("SELECT ");
      g_string_append_printf (sql, "%s %s %s ORDER BY ", sort_keys (query, search), from->str, where->str);
      append_order (sql, query, search, "");
      g_string_append_printf (sql, " LIMIT 1 OFFSET ?%u", n + 1);
      return g_string_free (sql, FALSE);
    }

  /* Which rows first, on the index alone; then their details. */
  sql = g_string_new ("SELECT e.id, e.person_id, e.number, e.status, e.category, e.admitted_at, "
                      "e.departed_at, e.flags | p.flags, p.name, p.placeholder_no, p.sex, "
                      "p.birth_date, p.birth_precision, p.estimated_age, p.estimated_on, p.id_number "
                      "FROM (SELECT e.rowid AS rid, ");
  g_string_append_printf (sql, "%s %s %s ORDER BY ", sort_keys (query, search), from->str, where->str);
  append_order (sql, query, search, "");
  g_string_append_printf (sql, " LIMIT ?%u OFFSET ?%u) AS page "
                          "JOIN episode e ON e.rowid = page.rid "
                          "JOIN person p ON p.id = e.person_id ORDER BY ", n + 1, n + 2);
  append_order (sql, query, search, "page.");
  return g_string_free (sql, FALSE);
}

char *
jz_case_format_age (int      age,
                    gboolean estimated)
{
  if (age < 0)
    return g_strdup ("");
  return estimated ? g_strdup_printf ("≈%d", age) : g_strdup_printf ("%d", age);
}

char *
jz_case_format_date (gint64 unix_time)
{
  GTimeZone *tz = NULL;
  g_autoptr(GDateTime) t = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (unix_time == 0)
    return g_strdup ("");
  tz = jz_deadlines_time_zone ();
  t = g_date_time_new_from_unix_utc (unix_time);
  local = g_date_time_to_timezone (t, tz);
  return g_date_time_format (local, "%Y-%m-%d");
}

char *
jz_case_format_id_number (const char *id_number)
{
  gsize len = id_number ? strlen (id_number) : 0;

  if (len == 0)
    return g_strdup ("");
  if (len <= 8)
    return g_strdup (id_number);
  /* Enough to tell people apart in a list; the case page shows it whole. */
  return g_strdup_printf ("%.4s…%s", id_number, id_number + len - 4);
}

/* The model. */

typedef struct
{
  guint      index;
  guint64    used;     /* LRU clock */
  GPtrArray *items;    /* JzCaseItem */
} Page;

struct _JzCaseListModel
{
  GObject      parent_instance;

  JzStore     *store;
  JzCaseQuery  query;
  guint        n_items;
  GHashTable  *pages;        /* index → Page */
  GHashTable  *live;         /* position → JzCaseItem alive (weak), in a page or held by a view */
  GHashTable  *live_at;      /* JzCaseItem → position, for its weak notify */
  guint64      clock;
  guint        pages_read;
  char        *search_json;  /* person ids the search found, best first */
  gboolean     search_truncated;
  char        *overdue_json; /* episode ids with an overdue deadline */
  GHashTable  *overdue;      /* episode id set, when known */
  gboolean     overdue_stale;
  GPtrArray   *anchors;      /* Anchor: the keys of every ANCHOR_STEP-th row, in order */
  guint        n_all;        /* rows without search or filter, when n_all_known */
  gboolean     n_all_known;
  GError      *error;
  guint        refresh_id;
};

static void jz_case_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (JzCaseListModel, jz_case_list_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, jz_case_list_model_iface_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  PROP_SEARCH_TRUNCATED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
page_free (gpointer data)
{
  Page *page = data;

  g_ptr_array_unref (page->items);
  g_free (page);
}

static void
set_error (JzCaseListModel *self,
           GError          *error)
{
  g_clear_error (&self->error);
  self->error = error;
  if (error != NULL)
    g_warning ("Cannot read the case list: %s", error->message);
}

/* @n_own: how many parameters the query's own values took. */
static sqlite3_stmt *
prepare_query_n (JzCaseListModel *self,
                 JzCaseSqlKind    kind,
                 guint           *n_own,
                 GError         **error)
{
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;

  sql = jz_case_query_build_sql (&self->query, kind, g_get_real_time () / G_USEC_PER_SEC,
                                 self->search_json, self->overdue_json, params);
  stmt = jz_store_prepare (self->store, sql, error);
  if (stmt == NULL)
    return NULL;
  *n_own = params->len;
  for (guint i = 0; i < params->len; i++)
    {
      GVariant *v = params->pdata[i];

      if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
        sqlite3_bind_text (stmt, (int) i + 1, g_variant_get_string (v, NULL), -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_int64 (stmt, (int) i + 1, g_variant_get_int64 (v));
    }
  return stmt;
}

static sqlite3_stmt *
prepare_query (JzCaseListModel *self,
               JzCaseSqlKind    kind,
               GError         **error)
{
  guint n_own;

  return prepare_query_n (self, kind, &n_own, error);
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           i)
{
  return (const char *) sqlite3_column_text (stmt, i);
}

static void
fill_age (sqlite3_stmt *stmt,
          const GDate  *today,
          JzCaseItemData *data)
{
  JzDatePrecision precision = JZ_DATE_PRECISION_UNKNOWN;
  const char *birth = column_text (stmt, 11);
  const char *on = column_text (stmt, 14);
  JzBirth b;
  int y, m, d;

  jz_birth_init_unknown (&b);
  jz_date_precision_from_string (column_text (stmt, 12), &precision);
  if (precision == JZ_DATE_PRECISION_EXACT && birth && sscanf (birth, "%d-%d-%d", &y, &m, &d) == 3 &&
      g_date_valid_dmy (d, m, y))
    jz_birth_init_exact (&b, y, m, d);
  else if (precision == JZ_DATE_PRECISION_YEAR && birth && sscanf (birth, "%d", &y) == 1 &&
           g_date_valid_year (y))
    jz_birth_init_year (&b, y);
  else if (precision == JZ_DATE_PRECISION_ESTIMATED && sqlite3_column_type (stmt, 13) != SQLITE_NULL &&
           on && sscanf (on, "%d-%d-%d", &y, &m, &d) == 3 && g_date_valid_dmy (d, m, y))
    {
      GDate date;

      g_date_clear (&date, 1);
      g_date_set_dmy (&date, d, m, y);
      jz_birth_init_estimated (&b, (guint) sqlite3_column_int64 (stmt, 13), &date);
    }
  data->age = jz_birth_age_at (&b, today);
  data->age_estimated = precision != JZ_DATE_PRECISION_EXACT;
}

static void
on_item_finalized (gpointer  data,
                   GObject  *where_the_object_was)
{
  JzCaseListModel *self = data;
  gpointer position;

  if (g_hash_table_steal_extended (self->live_at, where_the_object_was, NULL, &position))
    g_hash_table_remove (self->live, position);
}

/* The item for the row at @position: the one alive there, updated, or a
 * new one. */
static JzCaseItem *
take_row (JzCaseListModel      *self,
          guint                 position,
          const JzCaseItemData *data)
{
  JzCaseItem *item = g_hash_table_lookup (self->live, GUINT_TO_POINTER (position));

  if (item != NULL)
    {
      jz_case_item_update (item, data);
      return g_object_ref (item);
    }
  item = jz_case_item_new (data);
  g_hash_table_insert (self->live, GUINT_TO_POINTER (position), item);
  g_hash_table_insert (self->live_at, item, GUINT_TO_POINTER (position));
  g_object_weak_ref (G_OBJECT (item), on_item_finalized, self);
  return item;
}

/* A page deep in a long list is read from the keys of the row before the
 * nearest anchor above it, not by stepping over every row before it with
 * OFFSET (a scroll-bar drag on a million rows took 200 ms a step). The
 * anchors are found a stretch at a time, each from the one before, so a
 * drag down the list reads each row once in all. */
#define ANCHOR_STEP (JZ_CASE_PAGE_SIZE * 8)

typedef struct
{
  sqlite3_value *keys[2];
} Anchor;

static void
anchor_free (gpointer data)
{
  Anchor *anchor = data;

  sqlite3_value_free (anchor->keys[0]);
  sqlite3_value_free (anchor->keys[1]);
  g_free (anchor);
}

/* Binds the keys of @anchor after the query's own parameters. */
static void
bind_anchor (JzCaseListModel *self,
             sqlite3_stmt    *stmt,
             const Anchor    *anchor,
             guint            n_own)
{
  for (guint k = 0; k < jz_case_query_n_keys (&self->query); k++)
    sqlite3_bind_value (stmt, (int) (n_own + 1 + k), anchor->keys[k]);
}

/* Finds the anchors up to the @m-th; FALSE when the list is shorter. */
static gboolean
ensure_anchors (JzCaseListModel  *self,
                guint             m,
                GError          **error)
{
  guint n_keys = jz_case_query_n_keys (&self->query);

  if (self->anchors == NULL)
    self->anchors = g_ptr_array_new_with_free_func (anchor_free);
  while (self->anchors->len < m)
    {
      const Anchor *before = self->anchors->len > 0 ? self->anchors->pdata[self->anchors->len - 1] : NULL;
      guint n_own = 0;
      sqlite3_stmt *stmt = prepare_query_n (self, before ? JZ_CASE_SQL_KEYS_AFTER : JZ_CASE_SQL_KEYS, &n_own, error);
      Anchor *anchor;
      int rc;

      if (stmt == NULL)
        return FALSE;
      if (before != NULL)
        bind_anchor (self, stmt, before, n_own);
      sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_count (stmt), ANCHOR_STEP - 1);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        {
          sqlite3_reset (stmt);
          if (rc != SQLITE_DONE)
            jz_store_set_error_from_db (self->store, rc, error);
          return FALSE;
        }
      anchor = g_new0 (Anchor, 1);
      for (guint k = 0; k < 2; k++)
        anchor->keys[k] = sqlite3_value_dup (sqlite3_column_value (stmt, k < n_keys ? (int) k : 0));
      sqlite3_reset (stmt);
      g_ptr_array_add (self->anchors, anchor);
    }
  return TRUE;
}

static Page *
read_page (JzCaseListModel  *self,
           guint             index,
           GError          **error)
{
  guint offset = index * JZ_CASE_PAGE_SIZE;
  guint m = jz_case_query_n_keys (&self->query) > 0 ? offset / ANCHOR_STEP : 0;
  sqlite3_stmt *stmt;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GDateTime) now = NULL;
  GDate today;
  guint n_own = 0;
  int n_params, rc;
  Page *page;

  if (m > 0)
    {
      GError *local_error = NULL;

      if (!ensure_anchors (self, m, &local_error))
        {
          /* Read as before, stepping over the rows. */
          if (local_error != NULL)
            g_warning ("Cannot find the way into the case list: %s", local_error->message);
          g_clear_error (&local_error);
          m = 0;
        }
    }
  stmt = prepare_query_n (self, m > 0 ? JZ_CASE_SQL_PAGE_AFTER : JZ_CASE_SQL_PAGE, &n_own, error);
  if (stmt == NULL)
    return NULL;
  if (m > 0)
    bind_anchor (self, stmt, self->anchors->pdata[m - 1], n_own);
  n_params = sqlite3_bind_parameter_count (stmt);
  sqlite3_bind_int64 (stmt, n_params - 1, JZ_CASE_PAGE_SIZE);
  sqlite3_bind_int64 (stmt, n_params, (gint64) offset - (gint64) m * ANCHOR_STEP);

  now = g_date_time_new_now (jz_deadlines_time_zone ());
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));

  items = g_ptr_array_new_with_free_func (g_object_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JzCaseItemData data = { 0 };
      g_autofree char *placeholder = NULL;

      data.episode_id = column_text (stmt, 0);
      data.person_id = column_text (stmt, 1);
      data.number = column_text (stmt, 2);
      data.status = column_text (stmt, 3);
      data.category = column_text (stmt, 4);
      data.admitted_at = sqlite3_column_int64 (stmt, 5);
      data.departed_at = sqlite3_column_int64 (stmt, 6);
      data.flags = (guint) sqlite3_column_int64 (stmt, 7);
      data.name = column_text (stmt, 8);
      if (data.name == NULL)
        {
          /* 无名氏 is the domain's term, as on the printed forms. */
          placeholder = g_strdup_printf ("无名氏%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 9));
          data.name = placeholder;
        }
      data.sex = column_text (stmt, 10);
      data.id_number = column_text (stmt, 15);
      fill_age (stmt, &today, &data);
      data.overdue = self->overdue != NULL && g_hash_table_contains (self->overdue, data.episode_id);
      g_ptr_array_add (items, take_row (self, index * JZ_CASE_PAGE_SIZE + items->len, &data));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      jz_store_set_error_from_db (self->store, rc, error);
      return NULL;
    }

  self->pages_read++;
  page = g_new0 (Page, 1);
  page->index = index;
  page->items = g_steal_pointer (&items);
  return page;
}

static void
evict (JzCaseListModel *self)
{
  while (g_hash_table_size (self->pages) > JZ_CASE_MAX_PAGES)
    {
      GHashTableIter iter;
      gpointer key, value;
      Page *oldest = NULL;

      g_hash_table_iter_init (&iter, self->pages);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (oldest == NULL || ((Page *) value)->used < oldest->used)
          oldest = value;
      g_hash_table_remove (self->pages, GUINT_TO_POINTER (oldest->index));
    }
}

static Page *
get_page (JzCaseListModel *self,
          guint            index)
{
  Page *page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));
  GError *error = NULL;

  if (page == NULL)
    {
      page = read_page (self, index, &error);
      if (page == NULL)
        {
          set_error (self, error);
          return NULL;
        }
      g_hash_table_insert (self->pages, GUINT_TO_POINTER (index), page);
      page->used = ++self->clock;
      evict (self);
    }
  page->used = ++self->clock;
  return page;
}

static GType
jz_case_list_model_get_item_type (GListModel *list)
{
  return JZ_TYPE_CASE_ITEM;
}

static guint
jz_case_list_model_get_n_items (GListModel *list)
{
  return JZ_CASE_LIST_MODEL (list)->n_items;
}

static gpointer
jz_case_list_model_get_item (GListModel *list,
                             guint       position)
{
  JzCaseListModel *self = JZ_CASE_LIST_MODEL (list);
  Page *page;
  guint offset = position % JZ_CASE_PAGE_SIZE;

  if (position >= self->n_items || self->store == NULL)
    return NULL;
  page = get_page (self, position / JZ_CASE_PAGE_SIZE);
  /* The store changed under the count (another writer): nothing there. */
  if (page == NULL || offset >= page->items->len)
    return NULL;
  return g_object_ref (page->items->pdata[offset]);
}

static void
jz_case_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = jz_case_list_model_get_item_type;
  iface->get_n_items = jz_case_list_model_get_n_items;
  iface->get_item = jz_case_list_model_get_item;
}

static void
load_overdue (JzCaseListModel *self)
{
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GString) json = g_string_new ("[");
  GError *error = NULL;

  if (!self->overdue_stale)
    return;
  self->overdue_stale = FALSE;
  g_clear_pointer (&self->overdue, g_hash_table_unref);
  g_clear_pointer (&self->overdue_json, g_free);

  due = jz_store_list_due (self->store, 0, NULL, &error);
  if (due == NULL)
    {
      set_error (self, error);
      self->overdue_json = g_strdup ("[]");
      return;
    }
  self->overdue = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < due->len; i++)
    {
      JzDueItem *item = due->pdata[i];

      if (item->status != JZ_DEADLINE_OVERDUE || item->episode_id == NULL ||
          g_hash_table_contains (self->overdue, item->episode_id))
        continue;
      g_hash_table_add (self->overdue, g_strdup (item->episode_id));
      /* Episode ids are UUIDs: nothing to escape. */
      g_string_append_printf (json, "%s\"%s\"", json->len > 1 ? "," : "", item->episode_id);
    }
  g_string_append_c (json, ']');
  self->overdue_json = g_string_free (g_steal_pointer (&json), FALSE);
}

static void
load_search (JzCaseListModel *self)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GString) json = g_string_new ("[");
  GError *error = NULL;
  gboolean truncated;

  g_clear_pointer (&self->search_json, g_free);
  truncated = FALSE;
  if (jz_case_query_is_search (&self->query))
    {
      /* One more than shown tells whether there were more. */
      rows = jz_search_people_ids (self->store, self->query.search, JZ_CASE_SEARCH_MAX_PEOPLE + 1, &error);
      if (rows == NULL)
        set_error (self, error);
      for (guint i = 0; rows != NULL && i < MIN (rows->len, JZ_CASE_SEARCH_MAX_PEOPLE); i++)
        g_string_append_printf (json, "%s\"%s\"", i > 0 ? "," : "", (const char *) rows->pdata[i]);
      truncated = rows != NULL && rows->len > JZ_CASE_SEARCH_MAX_PEOPLE;
    }
  g_string_append_c (json, ']');
  self->search_json = g_string_free (g_steal_pointer (&json), FALSE);
  if (truncated != self->search_truncated)
    {
      self->search_truncated = truncated;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_TRUNCATED]);
    }
}

static gboolean
query_is_all (const JzCaseQuery *query)
{
  return !jz_case_query_is_search (query) && query->status == NULL && query->category == NULL &&
         query->filters == 0;
}

static guint
count_rows (JzCaseListModel *self)
{
  GError *error = NULL;
  sqlite3_stmt *stmt;
  guint n = 0;
  int rc;

  /* The whole list is counted once until the store changes: it walks a
   * million index entries on a big store (150–300 ms), and clearing the
   * search brings it back at every word typed. */
  if (query_is_all (&self->query) && self->n_all_known)
    return self->n_all;
  stmt = prepare_query (self, JZ_CASE_SQL_COUNT, &error);
  if (stmt == NULL)
    {
      set_error (self, error);
      return 0;
    }
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    n = (guint) sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      jz_store_set_error_from_db (self->store, rc, &error);
      set_error (self, error);
    }
  else if (query_is_all (&self->query))
    {
      self->n_all = n;
      self->n_all_known = TRUE;
    }
  return n;
}

/* Counts again and reads again the pages of the rows still held (by a
 * view: the rows on screen); those items change in place, and only the
 * end of the list is removed or added. */
static void
reload (JzCaseListModel *self,
        gboolean         search_changed)
{
  guint old_n = self->n_items;
  g_autoptr(GArray) held = g_array_new (FALSE, FALSE, sizeof (guint));
  GHashTableIter iter;
  gpointer key;

  if (self->store == NULL)
    return;
  g_clear_error (&self->error);
  load_overdue (self);
  if (search_changed)
    load_search (self);

  /* Pages only the cache holds are forgotten, not read again; rows may
   * have moved. */
  g_hash_table_remove_all (self->pages);
  g_clear_pointer (&self->anchors, g_ptr_array_unref);
  self->n_items = count_rows (self);

  g_hash_table_iter_init (&iter, self->live);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      guint position = GPOINTER_TO_UINT (key);
      guint index = position / JZ_CASE_PAGE_SIZE;

      if (position < MIN (old_n, self->n_items))
        g_array_append_val (held, index);
    }
  for (guint i = 0; i < held->len; i++)
    get_page (self, g_array_index (held, guint, i));

  if (self->n_items < old_n)
    g_list_model_items_changed (G_LIST_MODEL (self), self->n_items, old_n - self->n_items, 0);
  else if (self->n_items > old_n)
    g_list_model_items_changed (G_LIST_MODEL (self), old_n, 0, self->n_items - old_n);
  if (old_n != self->n_items)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static gboolean
on_refresh_idle (gpointer user_data)
{
  JzCaseListModel *self = user_data;

  self->refresh_id = 0;
  /* A search's matches can change too (a name edited, a person added). */
  reload (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
on_store_changed (JzCaseListModel *self,
                  const char      *table)
{
  self->overdue_stale = TRUE;
  self->n_all_known = FALSE;
  /* One user action writes several tables: refresh once after it. */
  if (self->refresh_id == 0)
    self->refresh_id = g_idle_add (on_refresh_idle, self);
}

static void
jz_case_list_model_dispose (GObject *object)
{
  JzCaseListModel *self = JZ_CASE_LIST_MODEL (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_hash_table_remove_all (self->pages);
  {
    GHashTableIter iter;
    gpointer item;

    /* Items a view still holds outlive the model. */
    g_hash_table_iter_init (&iter, self->live_at);
    while (g_hash_table_iter_next (&iter, &item, NULL))
      g_object_weak_unref (item, on_item_finalized, self);
    g_hash_table_remove_all (self->live_at);
    g_hash_table_remove_all (self->live);
  }
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (jz_case_list_model_parent_class)->dispose (object);
}

static void
jz_case_list_model_finalize (GObject *object)
{
  JzCaseListModel *self = JZ_CASE_LIST_MODEL (object);

  jz_case_query_clear (&self->query);
  g_hash_table_unref (self->pages);
  g_hash_table_unref (self->live);
  g_hash_table_unref (self->live_at);
  g_clear_pointer (&self->overdue, g_hash_table_unref);
  g_free (self->overdue_json);
  g_free (self->search_json);
  g_clear_pointer (&self->anchors, g_ptr_array_unref);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (jz_case_list_model_parent_class)->finalize (object);
}

static void
jz_case_list_model_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  JzCaseListModel *self = JZ_CASE_LIST_MODEL (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n_items);
      break;
    case PROP_SEARCH_TRUNCATED:
      g_value_set_boolean (value, self->search_truncated);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_case_list_model_class_init (JzCaseListModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = jz_case_list_model_dispose;
  object_class->finalize = jz_case_list_model_finalize;
  object_class->get_property = jz_case_list_model_get_property;

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEARCH_TRUNCATED] =
    g_param_spec_boolean ("search-truncated", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
jz_case_list_model_init (JzCaseListModel *self)
{
  jz_case_query_init (&self->query);
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, page_free);
  self->live = g_hash_table_new (NULL, NULL);
  self->live_at = g_hash_table_new (NULL, NULL);
  self->overdue_stale = TRUE;
}

JzCaseListModel *
jz_case_list_model_new (JzStore *store)
{
  JzCaseListModel *self = g_object_new (JZ_TYPE_CASE_LIST_MODEL, NULL);

  g_return_val_if_fail (JZ_IS_STORE (store), self);

  self->store = g_object_ref (store);
  g_signal_connect_swapped (store, "changed", G_CALLBACK (on_store_changed), self);
  reload (self, TRUE);
  return self;
}

JzStore *
jz_case_list_model_get_store (JzCaseListModel *self)
{
  g_return_val_if_fail (JZ_IS_CASE_LIST_MODEL (self), NULL);
  return self->store;
}

void
jz_case_list_model_set_query (JzCaseListModel   *self,
                              const JzCaseQuery *query)
{
  gboolean search_changed;

  g_return_if_fail (JZ_IS_CASE_LIST_MODEL (self));
  g_return_if_fail (query != NULL);

  if (jz_case_query_equal (&self->query, query))
    return;
  search_changed = g_strcmp0 (self->query.search, query->search) != 0;
  jz_case_query_clear (&self->query);
  jz_case_query_copy (query, &self->query);
  reload (self, search_changed);
}

const JzCaseQuery *
jz_case_list_model_get_query (JzCaseListModel *self)
{
  g_return_val_if_fail (JZ_IS_CASE_LIST_MODEL (self), NULL);
  return &self->query;
}

void
jz_case_list_model_refresh (JzCaseListModel *self)
{
  g_return_if_fail (JZ_IS_CASE_LIST_MODEL (self));

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  self->overdue_stale = TRUE;
  reload (self, TRUE);
}

guint
jz_case_list_model_get_cache_size (JzCaseListModel *self)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_return_val_if_fail (JZ_IS_CASE_LIST_MODEL (self), 0);

  g_hash_table_iter_init (&iter, self->pages);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    n += ((Page *) value)->items->len;
  return n;
}

guint
jz_case_list_model_get_pages_read (JzCaseListModel *self)
{
  g_return_val_if_fail (JZ_IS_CASE_LIST_MODEL (self), 0);
  return self->pages_read;
}

gboolean
jz_case_list_model_get_search_truncated (JzCaseListModel *self)
{
  g_return_val_if_fail (JZ_IS_CASE_LIST_MODEL (self), FALSE);
  return self->search_truncated;
}

const GError *
jz_case_list_model_get_error (JzCaseListModel *self)
{
  g_return_val_if_fail (JZ_IS_CASE_LIST_MODEL (self), NULL);
  return self->error;
}
