/* jz-case-list-model.h: the case list as a lazy GListModel
 *
 * One item per episode (with its person). The model never holds the
 * whole list: n_items comes from a COUNT, and items are read from SQL a
 * page at a time when a view asks for them, kept in a small LRU of
 * pages. Filters and the order are SQL (see jz_case_query_build_sql(),
 * a pure function). A search narrows the list to the people that the
 * store's full-text search ranks best (jz_search_people(), at most
 * JZ_CASE_SEARCH_MAX_PEOPLE), still filtered and sorted in SQL.
 *
 * The model follows the store's "changed" signal: the count is read
 * again and the pages in the cache are re-read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "jz-case-item.h"
#include "jz-store.h"

G_BEGIN_DECLS

#define JZ_CASE_PAGE_SIZE          200
#define JZ_CASE_MAX_PAGES          4
#define JZ_CASE_SEARCH_MAX_PEOPLE  500

typedef enum
{
  JZ_CASE_SORT_RELEVANCE,   /* "relevance": search rank, then newest admission (browse: as admitted) */
  JZ_CASE_SORT_ADMITTED,    /* "admitted" */
  JZ_CASE_SORT_NUMBER,      /* "number" */
  JZ_CASE_SORT_NAME,        /* "name": by the name's characters; slower far down a big list */
} JzCaseSort;

typedef enum
{
  JZ_CASE_FILTER_MINORS              = 1 << 0,  /* episode or person flagged minor */
  JZ_CASE_FILTER_OVERDUE             = 1 << 1,  /* a deadline overdue (jz_store_list_due) */
  JZ_CASE_FILTER_IN_STATION          = 1 << 2,  /* screening or admitted */
  JZ_CASE_FILTER_DEPARTED_THIS_MONTH = 1 << 3,  /* departed since the 1st, Beijing time */
} JzCaseFilterFlags;

/* What the list shows. Strings owned; NULL means "any". */
typedef struct
{
  char       *search;       /* text typed in the search entry */
  char       *status;       /* episode status id */
  char       *category;     /* vagrant | temporary */
  guint       filters;      /* JzCaseFilterFlags */
  JzCaseSort  sort;
  gboolean    descending;
} JzCaseQuery;

void         jz_case_query_init       (JzCaseQuery       *query);
void         jz_case_query_clear      (JzCaseQuery       *query);
void         jz_case_query_copy       (const JzCaseQuery *src,
                                       JzCaseQuery       *dest);
gboolean     jz_case_query_equal      (const JzCaseQuery *a,
                                       const JzCaseQuery *b);
gboolean     jz_case_query_is_search  (const JzCaseQuery *query);

typedef enum
{
  JZ_CASE_SQL_COUNT,        /* SELECT count(*) */
  JZ_CASE_SQL_PAGE,         /* the rows; the last two parameters are LIMIT and OFFSET */
  /* The same as PAGE, only the rows after a given one: the parameters
   * after @params are the sort keys of that row (one or two, see
   * jz_case_query_n_keys()), then LIMIT and OFFSET. */
  JZ_CASE_SQL_PAGE_AFTER,
  /* The sort keys (k1, k2) of one row: the one at OFFSET (the last
   * parameter) from the start, or after a given row as PAGE_AFTER; for
   * stepping through a long list a stretch at a time. */
  JZ_CASE_SQL_KEYS,
  JZ_CASE_SQL_KEYS_AFTER,
} JzCaseSqlKind;

/* How many sort keys tell the rows of @query apart in its order (keyset
 * paging: a page deep in the list read from the keys of a row before it
 * instead of stepping over every row before it), or 0 when it cannot be
 * paged so (a search's relevance, the name). */
guint        jz_case_query_n_keys     (const JzCaseQuery *query);

/* The SQL for @query. Parameters are numbered; the values of the first
 * ones are appended to @params (GVariant: "s" or "x", floating refs
 * sunk), in order: the search's person ids as a JSON array when
 * searching, the overdue episode ids as a JSON array (@overdue_json)
 * when that filter is on, then status, category, and the month's bounds
 * for "departed this month" (@now, Unix seconds). User text never
 * becomes SQL. Pure: no store needed. */
char        *jz_case_query_build_sql  (const JzCaseQuery *query,
                                       JzCaseSqlKind      kind,
                                       gint64             now,
                                       const char        *search_json,
                                       const char        *overdue_json,
                                       GPtrArray         *params);

/* Where the month containing @now starts and ends (Beijing time). */
void         jz_case_month_bounds     (gint64             now,
                                       gint64            *start,
                                       gint64            *end);

/* Display helpers for the list and the case page, pure. */
/* "45", "≈45" (estimated or year only), or "" when unknown. */
char        *jz_case_format_age       (int                age,
                                       gboolean           estimated);
/* "2026-03-05" in Beijing time, or "" for 0. */
char        *jz_case_format_date      (gint64             unix_time);
/* "3201…1234": an ID number shortened for the list; "" for NULL. */
char        *jz_case_format_id_number (const char        *id_number);

const char  *jz_case_sort_to_string   (JzCaseSort         sort);
gboolean     jz_case_sort_from_string (const char        *text,
                                       JzCaseSort        *out);

#define JZ_TYPE_CASE_LIST_MODEL (jz_case_list_model_get_type ())
G_DECLARE_FINAL_TYPE (JzCaseListModel, jz_case_list_model, JZ, CASE_LIST_MODEL, GObject)

JzCaseListModel *jz_case_list_model_new        (JzStore           *store);
JzStore         *jz_case_list_model_get_store  (JzCaseListModel   *self);
/* Applies @query (copied): counts again and empties the cache. */
void             jz_case_list_model_set_query  (JzCaseListModel   *self,
                                                const JzCaseQuery *query);
const JzCaseQuery *jz_case_list_model_get_query (JzCaseListModel  *self);
/* Reads the count again (what "changed" does). */
void             jz_case_list_model_refresh    (JzCaseListModel   *self);
/* Items held by the page cache now (≤ JZ_CASE_PAGE_SIZE × JZ_CASE_MAX_PAGES). */
guint            jz_case_list_model_get_cache_size (JzCaseListModel *self);
/* Pages read from SQL since the model was made (for tests). */
guint            jz_case_list_model_get_pages_read (JzCaseListModel *self);
/* When searching: whether more people matched than the list shows. */
gboolean         jz_case_list_model_get_search_truncated (JzCaseListModel *self);
/* The last error reading the store, or NULL. */
const GError    *jz_case_list_model_get_error  (JzCaseListModel   *self);

G_END_DECLS
