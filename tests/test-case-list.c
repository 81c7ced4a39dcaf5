/* test-case-list.c: the lazy case list model, its SQL and display helpers,
 * and staff PINs (no display needed)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include "jz-case-data.h"
#include "jz-case-labels.h"
#include "jz-case-list-model.h"
#include "jz-cases-view.h"
#include "jz-today-view.h"
#include "jz-test-cases.h"

typedef struct
{
  char    *dir;
  JzStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("jz-test-case-list-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "station.db", NULL);
  f->store = jz_store_create (path, "320481-01", "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  jz_test_remove_tree (f->dir);
  g_free (f->dir);
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* The SQL never holds what the user typed, and the parameters come in
 * the documented order. */
static void
test_query_sql (void)
{
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autofree char *sql = NULL;
  g_autofree char *count = NULL;
  JzCaseQuery q;
  gint64 start, end;

  jz_case_query_init (&q);
  q.search = g_strdup ("张'; DROP TABLE person; --");
  q.status = g_strdup ("admitted");
  q.category = g_strdup ("vagrant");
  q.filters = JZ_CASE_FILTER_OVERDUE | JZ_CASE_FILTER_DEPARTED_THIS_MONTH | JZ_CASE_FILTER_MINORS;
  q.sort = JZ_CASE_SORT_NAME;

  sql = jz_case_query_build_sql (&q, JZ_CASE_SQL_PAGE, 1767225600 /* 2026-01-01 08:00 CST */,
                                 "[\"a\"]", "[\"b\"]", params);
  g_assert_null (strstr (sql, "DROP"));
  g_assert_null (strstr (sql, "张"));
  g_assert_nonnull (strstr (sql, "LIMIT ?7 OFFSET ?8"));
  g_assert_nonnull (strstr (sql, "(e.flags & 1) != 0"));
  g_assert_nonnull (strstr (sql, "e.deleted = 0"));
  g_assert_cmpuint (params->len, ==, 6);
  g_assert_cmpstr (g_variant_get_string (params->pdata[0], NULL), ==, "[\"a\"]");
  g_assert_cmpstr (g_variant_get_string (params->pdata[1], NULL), ==, "[\"b\"]");
  g_assert_cmpstr (g_variant_get_string (params->pdata[2], NULL), ==, "admitted");
  g_assert_cmpstr (g_variant_get_string (params->pdata[3], NULL), ==, "vagrant");
  jz_case_month_bounds (1767225600, &start, &end);
  g_assert_cmpint (g_variant_get_int64 (params->pdata[4]), ==, start);
  g_assert_cmpint (g_variant_get_int64 (params->pdata[5]), ==, end);
  /* January 2026 in Beijing time. */
  g_assert_cmpint (start, ==, 1767196800);
  g_assert_cmpint (end, ==, 1767196800 + 31 * 86400);

  g_ptr_array_set_size (params, 0);
  jz_case_query_clear (&q);
  jz_case_query_init (&q);
  count = jz_case_query_build_sql (&q, JZ_CASE_SQL_COUNT, 0, NULL, NULL, params);
  g_assert_cmpstr (count, ==, "SELECT count(*) FROM episode e WHERE e.deleted = 0");
  g_assert_cmpuint (params->len, ==, 0);
  g_assert_false (jz_case_query_is_search (&q));
  q.search = g_strdup ("  ");
  g_assert_false (jz_case_query_is_search (&q));
  jz_case_query_clear (&q);
}

static void
test_format (void)
{
  g_autofree char *a = jz_case_format_age (45, FALSE);
  g_autofree char *b = jz_case_format_age (45, TRUE);
  g_autofree char *c = jz_case_format_age (-1, TRUE);
  g_autofree char *d = jz_case_format_date (1767225600);
  g_autofree char *e = jz_case_format_date (0);
  g_autofree char *f = jz_case_format_id_number ("320481198503120017");
  g_autofree char *g = jz_case_format_id_number (NULL);
  JzCaseSort sort;

  g_assert_cmpstr (a, ==, "45");
  g_assert_cmpstr (b, ==, "≈45");
  g_assert_cmpstr (c, ==, "");
  g_assert_cmpstr (d, ==, "2026-01-01");
  g_assert_cmpstr (e, ==, "");
  g_assert_cmpstr (f, ==, "3204…0017");
  g_assert_cmpstr (g, ==, "");
  g_assert_true (jz_case_sort_from_string ("number", &sort));
  g_assert_cmpint (sort, ==, JZ_CASE_SORT_NUMBER);
  g_assert_cmpstr (jz_case_sort_to_string (JZ_CASE_SORT_NAME), ==, "name");
  g_assert_false (jz_case_sort_from_string ("colour", &sort));
}

static void
test_bed_rule (void)
{
  g_autofree char *m1 = NULL;
  g_autofree char *m2 = NULL;
  g_autofree char *m3 = NULL;

  g_assert_true (jz_bed_check_room ("men", "男宿舍一", "male", FALSE, NULL));
  g_assert_true (jz_bed_check_room ("women", "女宿舍", "female", FALSE, NULL));
  g_assert_true (jz_bed_check_room ("minors", "未成年人室", "male", TRUE, NULL));
  g_assert_true (jz_bed_check_room ("family", "家庭房", "female", TRUE, NULL));
  /* Sex unknown: either adult room, never the minors' room. */
  g_assert_true (jz_bed_check_room ("men", "男宿舍一", "unknown", FALSE, NULL));
  g_assert_false (jz_bed_check_room ("women", "女宿舍", "male", FALSE, &m1));
  g_assert_nonnull (strstr (m1, "女宿舍"));
  g_assert_false (jz_bed_check_room ("men", "男宿舍一", "male", TRUE, &m2));
  g_assert_nonnull (strstr (m2, "男宿舍一"));
  g_assert_false (jz_bed_check_room ("minors", "未成年人室", "female", FALSE, &m3));
  g_assert_nonnull (strstr (m3, "未成年人室"));
}

static void
test_timeline_words (void)
{
  JzTimelineEntry e = { 0 };
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *d = NULL;
  g_autofree char *who = NULL;
  g_autofree char *hub = NULL;
  g_autofree char *sys = NULL;

  e.entity = "service_log";
  e.op = "insert";
  e.fields_json = "{\"kind\":\"meal\",\"qty\":2}";
  a = jz_timeline_describe (&e);
  g_assert_cmpstr (a, ==, "Service: Meal × 2");
  e.entity = "episode";
  e.op = "update";
  e.fields_json = "{\"bed_id\":null}";
  b = jz_timeline_describe (&e);
  g_assert_cmpstr (b, ==, "Bed freed");
  e.fields_json = "{\"status\":\"departed\"}";
  c = jz_timeline_describe (&e);
  g_assert_cmpstr (c, ==, "Status changed to Departed");
  /* Damaged or empty JSON still says something. */
  e.entity = "tracing_step";
  e.op = "insert";
  e.fields_json = "not json";
  d = jz_timeline_describe (&e);
  g_assert_nonnull (d);

  e.actor_name = "王芳";
  who = jz_timeline_who (&e);
  g_assert_cmpstr (who, ==, "王芳");
  e.from_sync = TRUE;
  hub = jz_timeline_who (&e);
  g_assert_cmpstr (hub, ==, "From the hub (王芳)");
  e.from_sync = FALSE;
  e.actor_name = NULL;
  sys = jz_timeline_who (&e);
  g_assert_cmpstr (sys, ==, "System");
}

static void
test_money_and_labels (void)
{
  gint64 fen = -1;
  g_autofree char *y = jz_case_format_yuan (1250);
  g_autofree char *z = jz_case_format_yuan (5);

  g_assert_cmpstr (y, ==, "12.50");
  g_assert_cmpstr (z, ==, "0.05");
  g_assert_true (jz_case_parse_yuan ("12.5", &fen));
  g_assert_cmpint (fen, ==, 1250);
  g_assert_true (jz_case_parse_yuan (" 20 ", &fen));
  g_assert_cmpint (fen, ==, 2000);
  g_assert_true (jz_case_parse_yuan ("0.05", &fen));
  g_assert_cmpint (fen, ==, 5);
  g_assert_false (jz_case_parse_yuan ("12,5", &fen));
  g_assert_false (jz_case_parse_yuan ("-3", &fen));
  g_assert_false (jz_case_parse_yuan ("1.234", &fen));
  g_assert_false (jz_case_parse_yuan ("", &fen));
  g_assert_false (jz_case_parse_yuan ("3.", &fen));

  g_assert_cmpstr (jz_case_label ("service_kind", "meal"), ==, "Meal");
  g_assert_cmpstr (jz_case_label ("status", "admitted"), ==, "Admitted");
  g_assert_cmpstr (jz_case_label ("agency", "no-such"), ==, "no-such");
  g_assert_cmpstr (jz_case_label ("agency", NULL), ==, "—");
  g_assert_cmpuint (g_strv_length ((char **) jz_case_label_ids ("tracing_method")), ==, 12);
  g_assert_null (jz_case_label_ids ("colours"));
}

static void
test_today_words (void)
{
  g_autoptr(GPtrArray) beds = g_ptr_array_new ();
  JzBedOccupancy a = { .room_kind = "men", .episode_id = NULL };
  JzBedOccupancy b = { .room_kind = "men", .episode_id = "e1" };
  JzBedOccupancy c = { .room_kind = "women", .episode_id = NULL };
  JzTodayBeds counts;
  g_autofree char *text = NULL;
  g_autofree char *none = NULL;
  g_autofree char *w1 = jz_today_format_when (JZ_DEADLINE_OVERDUE, 1000, 1000 + 3 * 86400 + 5);
  g_autofree char *w2 = jz_today_format_when (JZ_DEADLINE_DUE, 1000 + 5 * 3600 + 10, 1000);
  g_autofree char *w3 = jz_today_format_when (JZ_DEADLINE_OVERDUE, 1000, 1100);
  g_autofree char *n1 = jz_today_format_count (12, 100000);
  g_autofree char *n2 = jz_today_format_count (100000, 100000);

  g_ptr_array_add (beds, &a);
  g_ptr_array_add (beds, &b);
  g_ptr_array_add (beds, &c);
  jz_today_count_beds (beds, &counts);
  g_assert_cmpuint (counts.total[JZ_ROOM_KIND_MEN], ==, 2);
  g_assert_cmpuint (counts.free[JZ_ROOM_KIND_MEN], ==, 1);
  g_assert_cmpuint (counts.free[JZ_ROOM_KIND_WOMEN], ==, 1);
  g_assert_cmpuint (counts.total[JZ_ROOM_KIND_MINORS], ==, 0);
  text = jz_today_format_beds (&counts);
  g_assert_cmpstr (text, ==, "Men 1 · Women 1");
  memset (&counts, 0, sizeof counts);
  none = jz_today_format_beds (&counts);
  g_assert_cmpstr (none, ==, "No beds set up yet");
  g_assert_cmpstr (w1, ==, "Overdue by 3 days");
  g_assert_cmpstr (w2, ==, "Due in 5 hours");
  g_assert_cmpstr (w3, ==, "Overdue since less than an hour");
  g_assert_cmpstr (n2 + strlen (n2) - 1, ==, "+");
  g_assert_true (g_str_has_suffix (n1, "12"));
}

static void
test_deadline_words (void)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new ();
  g_autoptr(GDateTime) t1 = g_date_time_new_from_unix_utc (1000);
  g_autoptr(GDateTime) t2 = g_date_time_new_from_unix_utc (1000 + 86400 * 2 + 10);
  JzDeadline done = { .kind = JZ_DEADLINE_TRACING_NOTICE, .due_at = t1, .status = JZ_DEADLINE_DONE };
  JzDeadline upcoming = { .kind = JZ_DEADLINE_STAY_LIMIT, .due_at = t2, .status = JZ_DEADLINE_UPCOMING };
  JzDeadline overdue = { .kind = JZ_DEADLINE_DNA_REQUEST, .due_at = t1, .status = JZ_DEADLINE_OVERDUE };
  g_autofree char *c1 = jz_case_format_countdown (&upcoming, 1000);
  g_autofree char *c2 = jz_case_format_countdown (&overdue, 1000 + 86400 * 4);
  g_autofree char *c3 = jz_case_format_countdown (&done, 5000);

  g_assert_cmpstr (c1, ==, "2 days left");
  g_assert_cmpstr (c2, ==, "4 days overdue");
  g_assert_cmpstr (c3, ==, "done");
  g_assert_cmpint (jz_case_next_deadline (list), ==, -1);
  g_ptr_array_add (list, &done);
  g_ptr_array_add (list, &upcoming);
  g_assert_cmpint (jz_case_next_deadline (list), ==, 1);
  g_ptr_array_add (list, &overdue);
  g_assert_cmpint (jz_case_next_deadline (list), ==, 2);
}

static void
test_cells (void)
{
  JzCaseItemData data = {
    .episode_id = "e", .person_id = "p", .number = "320481-01-2026-000123", .name = "张伟",
    .sex = "male", .age = 41, .age_estimated = TRUE, .status = "hospital", .category = "vagrant",
    .id_number = "320481198503120017", .admitted_at = 1767225600, .departed_at = 0,
    .flags = JZ_FLAG_MINOR, .overdue = TRUE,
  };
  g_autoptr(JzCaseItem) item = jz_case_item_new (&data);
  const char *expect[JZ_CASES_N_COLUMNS] = {
    [JZ_CASES_COLUMN_NUMBER] = "320481-01-2026-000123",
    [JZ_CASES_COLUMN_NAME] = "张伟",
    [JZ_CASES_COLUMN_SEX] = "Male",
    [JZ_CASES_COLUMN_AGE] = "≈41",
    [JZ_CASES_COLUMN_STATUS] = "In hospital",
    [JZ_CASES_COLUMN_NOTES] = "Overdue · Minor",
    [JZ_CASES_COLUMN_ADMITTED] = "2026-01-01",
    [JZ_CASES_COLUMN_DEPARTED] = "",
    [JZ_CASES_COLUMN_ID_NUMBER] = "3204…0017",
  };

  for (guint c = 0; c < JZ_CASES_N_COLUMNS; c++)
    {
      g_autofree char *text = jz_cases_format_cell (item, c);

      g_assert_cmpstr (text, ==, expect[c]);
      g_assert_nonnull (jz_cases_column_title (c));
    }
  {
    g_autofree char *n = jz_cases_format_count (3, FALSE, FALSE);
    g_autofree char *s = jz_cases_format_count (1, TRUE, FALSE);
    g_autofree char *t = jz_cases_format_count (700, TRUE, TRUE);

    g_assert_cmpstr (n, ==, "3 cases");
    g_assert_cmpstr (s, ==, "1 case found");
    g_assert_nonnull (strstr (t, "500"));
  }
}

static JzCaseItem *
item_at (JzCaseListModel *model,
         guint            i)
{
  JzCaseItem *item = g_list_model_get_item (G_LIST_MODEL (model), i);

  g_assert_nonnull (item);
  /* The model keeps its own ref in the cache. */
  g_object_unref (item);
  return item;
}

static gboolean
model_has_person (JzCaseListModel *model,
                  const char      *person_id)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)); i++)
    if (g_str_equal (jz_case_item_get_person_id (item_at (model, i)), person_id))
      return TRUE;
  return FALSE;
}

static void
search_for (JzCaseListModel *model,
            const char      *text)
{
  JzCaseQuery q;

  jz_case_query_copy (jz_case_list_model_get_query (model), &q);
  g_free (q.search);
  q.search = g_strdup (text);
  jz_case_list_model_set_query (model, &q);
  jz_case_query_clear (&q);
}

static void
test_model_search_filter_sort (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(JzCaseListModel) model = NULL;
  g_autofree char *zhang = NULL;
  g_autofree char *li = NULL;
  g_autofree char *unnamed = NULL;
  g_autofree char *zhang_episode = NULL;
  JzCaseQuery q;
  JzCaseItem *item;

  zhang = jz_test_add_case (f->store, "张伟", "male", "1985-03-12", "32048119850312001",
                            "admitted", 3, 0, &zhang_episode);
  li = jz_test_add_case (f->store, "李娜", "female", NULL, NULL, "screening", 1, JZ_FLAG_MINOR, NULL);
  unnamed = jz_test_add_case (f->store, NULL, "male", NULL, NULL, "admitted", 20, 0, NULL);

  model = jz_case_list_model_new (f->store);
  g_assert_null (jz_case_list_model_get_error (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);

  /* Browsing: newest admission first. */
  item = item_at (model, 0);
  g_assert_cmpstr (jz_case_item_get_person_id (item), ==, li);
  item = item_at (model, 2);
  g_assert_cmpstr (jz_case_item_get_person_id (item), ==, unnamed);
  g_assert_true (g_str_has_prefix (jz_case_item_get_name (item), "无名氏"));
  item = item_at (model, 1);
  g_assert_cmpstr (jz_case_item_get_name (item), ==, "张伟");
  g_assert_cmpstr (jz_case_item_get_episode_id (item), ==, zhang_episode);
  g_assert_cmpint (jz_case_item_get_age (item), >=, 40);
  g_assert_false (jz_case_item_get_age_estimated (item));
  g_assert_nonnull (jz_case_item_get_id_number (item));

  /* 张伟 by his name, pinyin, initials and ID digits. */
  for (guint i = 0; i < 5; i++)
    {
      const char *texts[] = { "张伟", "zhangwei", "zw", "3204811985", "zhang wei" };

      search_for (model, texts[i]);
      g_assert_null (jz_case_list_model_get_error (model));
      g_assert_true (model_has_person (model, zhang));
      g_assert_false (model_has_person (model, li));
    }
  search_for (model, "nobody-like-this");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  search_for (model, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);

  /* Filters. */
  jz_case_query_init (&q);
  q.filters = JZ_CASE_FILTER_MINORS;
  jz_case_list_model_set_query (model, &q);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  g_assert_cmpstr (jz_case_item_get_person_id (item_at (model, 0)), ==, li);
  q.filters = 0;
  q.status = g_strdup ("admitted");
  jz_case_list_model_set_query (model, &q);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  g_clear_pointer (&q.status, g_free);
  q.filters = JZ_CASE_FILTER_IN_STATION;
  jz_case_list_model_set_query (model, &q);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);
  q.filters = JZ_CASE_FILTER_DEPARTED_THIS_MONTH;
  jz_case_list_model_set_query (model, &q);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  /* The unnamed man has been here 20 days: his stay limit has passed. */
  q.filters = JZ_CASE_FILTER_OVERDUE;
  jz_case_list_model_set_query (model, &q);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), >=, 1);
  g_assert_true (model_has_person (model, unnamed));
  g_assert_true (jz_case_item_get_overdue (item_at (model, 0)));

  /* Sorting. */
  q.filters = 0;
  q.sort = JZ_CASE_SORT_ADMITTED;
  q.descending = FALSE;
  jz_case_list_model_set_query (model, &q);
  g_assert_cmpstr (jz_case_item_get_person_id (item_at (model, 0)), ==, unnamed);
  q.sort = JZ_CASE_SORT_NAME;
  jz_case_list_model_set_query (model, &q);
  g_assert_null (jz_case_list_model_get_error (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);
  q.sort = JZ_CASE_SORT_NUMBER;
  q.descending = TRUE;
  jz_case_list_model_set_query (model, &q);
  g_assert_cmpstr (jz_case_item_get_person_id (item_at (model, 0)), ==, unnamed);
  jz_case_query_clear (&q);
}

/* A write through the API shows up after the store's "changed". */
static void
test_model_live (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JzCaseListModel) model = jz_case_list_model_new (f->store);
  g_autofree char *id = NULL;
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  id = jz_test_add_case (f->store, "王芳", "female", NULL, NULL, "admitted", 0, 0, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  drain ();
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  g_assert_cmpstr (jz_case_item_get_person_id (item_at (model, 0)), ==, id);

  /* The whole list's count is kept until the store says it changed: a
   * row written behind its back is not counted when the search is
   * cleared, one written through it is. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *second = NULL;
    JzCaseQuery q;

    g_assert_true (jz_store_exec (f->store, "UPDATE episode SET deleted = 1", &error));
    g_assert_no_error (error);
    jz_case_query_init (&q);
    q.search = g_strdup ("wang");
    jz_case_list_model_set_query (model, &q);
    g_clear_pointer (&q.search, g_free);
    jz_case_list_model_set_query (model, &q);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
    g_assert_true (jz_store_exec (f->store, "UPDATE episode SET deleted = 0", &error));
    g_assert_no_error (error);
    second = jz_test_add_case (f->store, "李娜", "female", NULL, NULL, "admitted", 0, 0, NULL);
    drain ();
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
    jz_case_query_clear (&q);
  }
}

/* Scrolling to the end of 100,000 episodes keeps a few pages only. */
static void
test_model_lazy (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JzCaseListModel) model = NULL;
  const guint n = 100000;
  guint max_cache = 0;
  JzCaseQuery q;

  jz_test_fill (f->store, n);
  model = jz_case_list_model_new (f->store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n);
  g_assert_cmpuint (jz_case_list_model_get_cache_size (model), ==, 0);

  /* What a view does while scrolling down: a screenful at a time. */
  for (guint i = 0; i < n; i += 37)
    {
      g_autoptr(JzCaseItem) item = g_list_model_get_item (G_LIST_MODEL (model), i);

      g_assert_nonnull (item);
      max_cache = MAX (max_cache, jz_case_list_model_get_cache_size (model));
    }
  {
    g_autoptr(JzCaseItem) last = g_list_model_get_item (G_LIST_MODEL (model), n - 1);
    g_autoptr(JzCaseItem) beyond = g_list_model_get_item (G_LIST_MODEL (model), n);

    g_assert_nonnull (last);
    g_assert_null (beyond);
    /* Newest first: the last row is the first admitted. */
    g_assert_cmpstr (jz_case_item_get_number (last), ==, "320481-01-2020-000001");
  }
  g_assert_cmpuint (max_cache, <=, JZ_CASE_PAGE_SIZE * JZ_CASE_MAX_PAGES);
  g_assert_cmpuint (jz_case_list_model_get_cache_size (model), <=, JZ_CASE_PAGE_SIZE * JZ_CASE_MAX_PAGES);
  g_assert_cmpuint (jz_case_list_model_get_pages_read (model), ==, n / JZ_CASE_PAGE_SIZE);

  /* A jump to the middle, sorted by number, reads one page. */
  jz_case_query_init (&q);
  q.sort = JZ_CASE_SORT_NUMBER;
  q.descending = FALSE;
  jz_case_list_model_set_query (model, &q);
  {
    g_autoptr(JzCaseItem) mid = g_list_model_get_item (G_LIST_MODEL (model), 50000);

    g_assert_cmpstr (jz_case_item_get_number (mid), ==, "320481-01-2020-050001");
  }
  g_assert_cmpuint (jz_case_list_model_get_cache_size (model), ==, JZ_CASE_PAGE_SIZE);
  jz_case_query_clear (&q);
}

/* The number of the row at @position in @order, read with OFFSET. */
static char *
number_at (JzStore    *store,
           const char *order,
           guint       position)
{
  g_autofree char *sql = g_strdup_printf ("SELECT number FROM episode WHERE deleted = 0 ORDER BY %s LIMIT 1 OFFSET %u",
                                          order, position);
  sqlite3_stmt *stmt = NULL;
  char *number;

  g_assert_cmpint (sqlite3_prepare_v2 (jz_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  number = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return number;
}

/* Rows deep in the list are read from the keys of a row before them
 * (keyset paging): the same rows as OFFSET gives, in every order, with
 * ties of the admission time, going down and back up. */
static void
test_model_keyset (Fixture       *f,
                   gconstpointer  data)
{
  static const struct { JzCaseSort sort; gboolean descending; const char *order; } orders[] = {
    { JZ_CASE_SORT_RELEVANCE, TRUE, "admitted_at DESC, number DESC" },
    { JZ_CASE_SORT_ADMITTED, TRUE, "admitted_at DESC, number DESC" },
    { JZ_CASE_SORT_ADMITTED, FALSE, "admitted_at ASC, number ASC" },
    { JZ_CASE_SORT_NUMBER, FALSE, "number ASC" },
    { JZ_CASE_SORT_NUMBER, TRUE, "number DESC" },
  };
  const guint positions[] = { 0, 1599, 1600, 1601, 3199, 3200, 4999, 5050, 50000, 77777, 99999, 1700, 3300, 6400 };
  const guint n = 100000;
  g_autoptr(GError) error = NULL;

  jz_test_fill (f->store, n);
  /* A hundred stays admitted at the same moment: the number decides. */
  g_assert_true (jz_store_exec (f->store, "UPDATE episode SET admitted_at = 1577836800 + 600 * 5000 "
                                          "WHERE number BETWEEN '320481-01-2020-004950' AND '320481-01-2020-005050'",
                                &error));
  g_assert_no_error (error);

  for (guint o = 0; o < G_N_ELEMENTS (orders); o++)
    {
      g_autoptr(JzCaseListModel) model = jz_case_list_model_new (f->store);
      JzCaseQuery q;

      jz_case_query_init (&q);
      q.sort = orders[o].sort;
      q.descending = orders[o].descending;
      jz_case_list_model_set_query (model, &q);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n);
      for (guint i = 0; i < G_N_ELEMENTS (positions); i++)
        {
          g_autoptr(JzCaseItem) item = g_list_model_get_item (G_LIST_MODEL (model), positions[i]);
          g_autofree char *expected = number_at (f->store, orders[o].order, positions[i]);

          g_assert_nonnull (item);
          g_assert_cmpstr (jz_case_item_get_number (item), ==, expected);
        }
      jz_case_query_clear (&q);
    }
}

static void
test_staff_pin (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *admin = NULL;
  g_autofree char *worker = NULL;
  g_autoptr(JzStaff) staff = NULL;
  g_autofree char *hash = NULL;

  /* RFC 7914 §11 test vector of PBKDF2-HMAC-SHA256 ("passwd", "salt", 1). */
  hash = jz_staff_pin_hash ("passwd", "salt", 1);
  g_assert_cmpstr (hash, ==, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");

  g_assert_false (jz_staff_pin_is_valid ("12a4", &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (jz_staff_pin_is_valid ("123", NULL));
  g_assert_true (jz_staff_pin_is_valid ("1234", NULL));

  g_assert_cmpuint (jz_store_count_staff (f->store, NULL), ==, 0);
  admin = jz_test_add_staff (f->store, "王芳", "admin", "2468");
  worker = jz_test_add_staff (f->store, "李强", "worker", "1357");
  g_assert_cmpuint (jz_store_count_staff (f->store, NULL), ==, 2);
  g_assert_cmpuint (jz_store_count_staff (f->store, "admin"), ==, 1);

  staff = jz_store_get_staff (f->store, admin, &error);
  g_assert_no_error (error);
  g_assert_nonnull (staff->pin_hash);
  g_assert_null (strstr (staff->pin_hash, "2468"));
  g_assert_true (jz_staff_check_pin (staff, "2468"));
  g_assert_false (jz_staff_check_pin (staff, "2469"));
  g_assert_false (jz_staff_check_pin (staff, ""));

  /* The last administrator stays. */
  g_assert_false (jz_store_set_staff_active (f->store, admin, FALSE, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (jz_store_set_staff_active (f->store, worker, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (jz_store_count_staff (f->store, NULL), ==, 1);
  {
    g_autoptr(GPtrArray) active = jz_store_list_staff (f->store, TRUE, NULL);
    g_autoptr(GPtrArray) all = jz_store_list_staff (f->store, FALSE, NULL);

    g_assert_cmpuint (active->len, ==, 1);
    g_assert_cmpuint (all->len, ==, 2);
  }

  g_assert_true (jz_store_reset_staff_pin (f->store, worker, "9999", 10, &error));
  g_assert_no_error (error);
  g_clear_pointer (&staff, jz_staff_free);
  staff = jz_store_get_staff (f->store, worker, NULL);
  g_assert_true (jz_staff_check_pin (staff, "9999"));
  g_assert_false (jz_staff_check_pin (staff, "1357"));
}

/* 全程留痕: a departure taken back (a tombstone) stays in the timeline,
 * its recording and its taking back both. */
static void
test_timeline_departure_taken_back (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *episode_id = NULL;
  g_autofree char *person_id = jz_test_add_case (f->store, "王芳", "female", NULL, NULL, "admitted", 3, 0, &episode_id);
  g_autoptr(JzEpisode) episode = jz_store_get_episode (f->store, episode_id, NULL);
  g_autoptr(JzDepartureRecord) d = jz_departure_new ();
  JzCaseData *data_loaded;
  gboolean recorded = FALSE, taken_back = FALSE;

  d->departed_at = g_get_real_time () / G_USEC_PER_SEC;
  d->mode = g_strdup ("escorted");
  g_assert_true (jz_store_record_departure (f->store, episode, d, &error));
  g_assert_no_error (error);
  g_assert_true (jz_store_delete (f->store, &jz_entity_departure, d->rec.id, 0, &error));
  g_assert_no_error (error);

  data_loaded = jz_case_data_load (f->store, person_id, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < data_loaded->timeline->len; i++)
    {
      JzTimelineEntry *e = data_loaded->timeline->pdata[i];

      if (g_str_equal (e->entity, "departure") && g_str_equal (e->entity_id, d->rec.id))
        {
          recorded |= g_str_equal (e->op, "insert");
          taken_back |= g_str_equal (e->op, "update") || g_str_equal (e->op, "delete");
        }
    }
  g_assert_true (recorded);
  g_assert_true (taken_back);
  jz_case_data_free (data_loaded);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/case-list/query-sql", test_query_sql);
  g_test_add_func ("/case-list/format", test_format);
  g_test_add_func ("/case-list/cells", test_cells);
  g_test_add_func ("/case-page/bed-rule", test_bed_rule);
  g_test_add_func ("/case-page/timeline-words", test_timeline_words);
  g_test_add_func ("/case-page/money-and-labels", test_money_and_labels);
  g_test_add_func ("/case-page/deadline-words", test_deadline_words);
  g_test_add_func ("/today/words", test_today_words);
  g_test_add ("/case-list/search-filter-sort", Fixture, NULL, fixture_set_up,
              test_model_search_filter_sort, fixture_tear_down);
  g_test_add ("/case-list/live", Fixture, NULL, fixture_set_up, test_model_live, fixture_tear_down);
  g_test_add ("/case-list/lazy-100k", Fixture, NULL, fixture_set_up, test_model_lazy, fixture_tear_down);
  g_test_add ("/case-list/keyset-100k", Fixture, NULL, fixture_set_up, test_model_keyset, fixture_tear_down);
  g_test_add ("/case-page/timeline-departure-taken-back", Fixture, NULL, fixture_set_up,
              test_timeline_departure_taken_back, fixture_tear_down);
  g_test_add ("/staff/pin", Fixture, NULL, fixture_set_up, test_staff_pin, fixture_tear_down);
  return g_test_run ();
}
