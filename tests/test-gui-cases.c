/* test-gui-cases.c: sign-in, Today, People & cases and the case page with
 * real widgets (under Xvfb), checked against the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "jz-case-action-dialog.h"
#include "jz-case-data.h"
#include "jz-case-list-model.h"
#include "jz-case-page.h"
#include "jz-cases-view.h"
#include "jz-sign-in.h"
#include "jz-today-view.h"
#include "jz-window.h"
#include "jz-test-cases.h"

typedef struct
{
  char     *dir;
  JzStore  *store;
  JzWindow *window;
} Fixture;

static void
drain (void)
{
  /* Idle refreshes and the frame clock; never a sleep. */
  for (int i = 0; i < 3; i++)
    while (g_main_context_iteration (NULL, FALSE))
      ;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("jz-gui-cases-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "station.db", NULL);
  f->store = jz_store_create (path, "320481-01", "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  GList *toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (toplevels);
  drain ();
  g_clear_object (&f->store);
  jz_test_remove_tree (f->dir);
  g_free (f->dir);
}

static GtkWidget *
child (gpointer    widget,
       GType       type,
       const char *name)
{
  GObject *obj = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (obj);
  return GTK_WIDGET (obj);
}

static gpointer
find_toplevel (GType type)
{
  GList *toplevels = gtk_window_list_toplevels ();
  gpointer found = NULL;

  for (GList *l = toplevels; l != NULL && found == NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      found = l->data;
  g_list_free (toplevels);
  return found;
}

static JzWindow *
open_window (Fixture *f)
{
  f->window = jz_window_new (NULL, f->store);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1024, 768);
  gtk_window_present (GTK_WINDOW (f->window));
  drain ();
  return f->window;
}

static void
type_pin (JzSignIn   *sign_in,
          const char *pin)
{
  GtkWidget *row = child (sign_in, JZ_TYPE_SIGN_IN, "pin_row");

  gtk_editable_set_text (GTK_EDITABLE (row), pin);
  g_signal_emit_by_name (child (sign_in, JZ_TYPE_SIGN_IN, "sign_in_button"), "clicked");
}

static void
sign_in (JzWindow   *window,
         const char *staff_id,
         const char *pin)
{
  JzSignIn *s = jz_window_get_sign_in (window);

  g_assert_true (jz_window_is_locked (window));
  g_assert_cmpstr (jz_sign_in_get_mode (s), ==, "sign-in");
  g_assert_true (jz_sign_in_select_staff (s, staff_id));
  type_pin (s, pin);
  g_assert_false (jz_window_is_locked (window));
  g_assert_cmpstr (jz_window_get_staff_id (window), ==, staff_id);
}

static char *
last_audit_actor (JzStore    *store,
                  const char *entity)
{
  sqlite3_stmt *stmt = jz_store_prepare (store,
                                         "SELECT actor FROM audit WHERE entity = ?1 ORDER BY seq DESC LIMIT 1",
                                         NULL);
  char *actor = NULL;

  g_assert_nonnull (stmt);
  sqlite3_bind_text (stmt, 1, entity, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    actor = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return actor;
}

/* Rooms with beds; the bed ids in the order made. */
static GPtrArray *
add_rooms (JzStore *store)
{
  static const struct { const char *name; const char *kind; guint beds; } rooms[] = {
    { "男宿舍一", "men", 3 }, { "女宿舍", "women", 2 }, { "未成年人室", "minors", 2 },
  };
  GPtrArray *beds = g_ptr_array_new_with_free_func (g_free);

  for (guint r = 0; r < G_N_ELEMENTS (rooms); r++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JzRoom) room = jz_room_new ();

      room->name = g_strdup (rooms[r].name);
      room->kind = g_strdup (rooms[r].kind);
      room->active = TRUE;
      g_assert_true (jz_store_insert_room (store, room, &error));
      g_assert_no_error (error);
      for (guint b = 0; b < rooms[r].beds; b++)
        {
          g_autoptr(JzBed) bed = jz_bed_new ();

          bed->room_id = g_strdup (room->rec.id);
          bed->label = g_strdup_printf ("%u", b + 1);
          bed->active = TRUE;
          g_assert_true (jz_store_insert_bed (store, bed, &error));
          g_assert_no_error (error);
          g_ptr_array_add (beds, g_strdup (bed->rec.id));
        }
    }
  return beds;
}

/* First run: the first administrator is created on the sign-in page; the
 * changes after it carry their id; the lock keeps what was typed. */
static void
test_sign_in (Fixture       *f,
              gconstpointer  data)
{
  JzWindow *window = open_window (f);
  JzSignIn *s = jz_window_get_sign_in (window);
  GtkWidget *search;
  g_autofree char *actor = NULL;
  g_autoptr(GPtrArray) staff = NULL;
  const char *admin;

  g_assert_true (jz_window_is_locked (window));
  g_assert_null (jz_store_get_actor (f->store));
  g_assert_cmpstr (jz_sign_in_get_mode (s), ==, "create");

  gtk_editable_set_text (GTK_EDITABLE (child (s, JZ_TYPE_SIGN_IN, "name_row")), "王芳");
  gtk_editable_set_text (GTK_EDITABLE (child (s, JZ_TYPE_SIGN_IN, "new_pin_row")), "2468");
  gtk_editable_set_text (GTK_EDITABLE (child (s, JZ_TYPE_SIGN_IN, "repeat_pin_row")), "2469");
  g_assert_false (gtk_widget_get_sensitive (child (s, JZ_TYPE_SIGN_IN, "create_button")));
  g_assert_nonnull (jz_sign_in_get_error (s));
  gtk_editable_set_text (GTK_EDITABLE (child (s, JZ_TYPE_SIGN_IN, "repeat_pin_row")), "2468");
  g_assert_null (jz_sign_in_get_error (s));
  g_signal_emit_by_name (child (s, JZ_TYPE_SIGN_IN, "create_button"), "clicked");

  g_assert_false (jz_window_is_locked (window));
  staff = jz_store_list_staff (f->store, TRUE, NULL);
  g_assert_cmpuint (staff->len, ==, 1);
  admin = ((JzStaff *) staff->pdata[0])->rec.id;
  g_assert_cmpstr (((JzStaff *) staff->pdata[0])->role, ==, "admin");
  g_assert_cmpstr (jz_store_get_actor (f->store), ==, admin);

  /* Every change records who made it. */
  g_free (jz_test_add_case (f->store, "张伟", "male", NULL, NULL, "admitted", 0, 0, NULL));
  actor = last_audit_actor (f->store, "episode");
  g_assert_cmpstr (actor, ==, admin);

  /* Something typed, then the lock: the areas are hidden, not reset. */
  jz_window_set_view (window, "cases");
  search = child (child (window, JZ_TYPE_WINDOW, "cases_view"), JZ_TYPE_CASES_VIEW, "search_entry");
  gtk_editable_set_text (GTK_EDITABLE (search), "zhang");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.lock", NULL));
  g_assert_true (jz_window_is_locked (window));
  g_assert_null (jz_store_get_actor (f->store));
  g_assert_null (jz_window_get_staff_id (window));

  /* A wrong PIN is refused with a message next to the form. */
  g_assert_true (jz_sign_in_select_staff (s, admin));
  type_pin (s, "1111");
  g_assert_true (jz_window_is_locked (window));
  g_assert_nonnull (jz_sign_in_get_error (s));
  g_assert_nonnull (strstr (jz_sign_in_get_error (s), "王芳"));

  sign_in (window, admin, "2468");
  g_assert_cmpstr (jz_store_get_actor (f->store), ==, admin);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (search)), ==, "zhang");
  g_assert_cmpstr (jz_window_get_view (window), ==, "cases");

  /* The idle rule. */
  g_assert_false (jz_idle_should_lock (0, 9 * 60 * G_USEC_PER_SEC, 10));
  g_assert_true (jz_idle_should_lock (0, 10 * 60 * G_USEC_PER_SEC, 10));
}

static JzTodayView *
today_view (JzWindow *window)
{
  return JZ_TODAY_VIEW (child (window, JZ_TYPE_WINDOW, "today_view"));
}

/* Today shows the store's real figures and follows its changes. */
static void
test_today (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) beds = add_rooms (f->store);
  g_autofree char *staff = jz_test_add_staff (f->store, "王芳", "admin", "2468");
  g_autofree char *zhang_episode = NULL;
  g_autofree char *late = NULL;
  g_autofree char *late_episode = NULL;
  g_autoptr(JzEpisode) episode = NULL;
  g_autoptr(GError) error = NULL;
  JzTodayView *today;
  GtkListBoxRow *row;
  guint unsynced;

  g_free (jz_test_add_case (f->store, "张伟", "male", NULL, NULL, "admitted", 1, 0, &zhang_episode));
  late = jz_test_add_case (f->store, "李强", "male", "1980-01-01", NULL, "admitted", 20, 0, &late_episode);
  g_free (jz_test_add_case (f->store, "王娜", "female", NULL, NULL, "screening", 0, 0, NULL));
  episode = jz_store_get_episode (f->store, zhang_episode, NULL);
  g_assert_true (jz_store_assign_bed (f->store, episode, beds->pdata[0], &error));
  g_assert_no_error (error);

  open_window (f);
  sign_in (f->window, staff, "2468");
  today = today_view (f->window);
  g_assert_cmpstr (jz_window_get_view (f->window), ==, "today");
  g_assert_cmpuint (jz_today_view_get_in_station (today), ==, 3);
  g_assert_cmpuint (jz_today_view_get_free_beds (today, JZ_ROOM_KIND_MEN), ==, 2);
  g_assert_cmpuint (jz_today_view_get_free_beds (today, JZ_ROOM_KIND_WOMEN), ==, 2);
  g_assert_cmpuint (jz_today_view_get_free_beds (today, JZ_ROOM_KIND_MINORS), ==, 2);
  /* 李强 has been here 20 days: his 10-day stay limit has passed. */
  g_assert_cmpuint (jz_today_view_get_overdue (today), >=, 1);
  unsynced = jz_today_view_get_unsynced (today);
  g_assert_cmpuint (unsynced, >, 0);

  /* One click on a deadline opens the case. */
  row = gtk_list_box_get_row_at_index (jz_today_view_get_due_list (today), 0);
  g_assert_nonnull (row);
  g_assert_nonnull (g_object_get_data (G_OBJECT (row), "person-id"));
  g_signal_emit_by_name (jz_today_view_get_due_list (today), "row-activated", row);
  g_assert_cmpstr (jz_window_get_view (f->window), ==, "case");
  g_assert_cmpstr (jz_case_page_get_person_id (jz_window_get_case_page (f->window)), ==,
                   g_object_get_data (G_OBJECT (row), "person-id"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.go-back", NULL));
  g_assert_cmpstr (jz_window_get_view (f->window), ==, "today");

  /* Live: a new admission through the API shows after "changed". */
  g_free (jz_test_add_case (f->store, "赵敏", "female", NULL, NULL, "admitted", 0, 0, NULL));
  drain ();
  g_assert_cmpuint (jz_today_view_get_in_station (today), ==, 4);
  g_assert_cmpuint (jz_today_view_get_unsynced (today), >, unsynced);

  /* Live deadlines: 李强 leaves, and his overdue stay limit goes. */
  {
    guint overdue = jz_today_view_get_overdue (today);
    g_autoptr(JzEpisode) e = jz_store_get_episode (f->store, late_episode, NULL);
    g_autoptr(JzDepartureRecord) d = jz_departure_new ();

    d->departed_at = g_get_real_time () / G_USEC_PER_SEC;
    d->mode = g_strdup ("escorted");
    g_assert_true (jz_store_record_departure (f->store, e, d, &error));
    g_assert_no_error (error);
    drain ();
    g_assert_cmpuint (jz_today_view_get_in_station (today), ==, 3);
    g_assert_cmpuint (jz_today_view_get_overdue (today), <, overdue);
  }
}

static void
count_change (guint *changes)
{
  (*changes)++;
}

/* Search as you type finds 张伟 by characters, pinyin, initials, ID digits. */
static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  const char *texts[] = { "张伟", "zhangwei", "zw", "32048119", "张" };
  g_autofree char *staff = jz_test_add_staff (f->store, "王芳", "admin", "2468");
  g_autofree char *zhang = jz_test_add_case (f->store, "张伟", "male", "1985-03-12", "32048119850312001",
                                             "admitted", 2, 0, NULL);
  g_autofree char *li = jz_test_add_case (f->store, "李娜", "female", NULL, NULL, "admitted", 1, 0, NULL);
  JzCasesView *view;
  JzCaseListModel *model;
  GtkWidget *search;

  open_window (f);
  sign_in (f->window, staff, "2468");
  /* Ctrl+F, from any area. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.search", NULL));
  g_assert_cmpstr (jz_window_get_view (f->window), ==, "cases");
  view = JZ_CASES_VIEW (child (f->window, JZ_TYPE_WINDOW, "cases_view"));
  search = child (view, JZ_TYPE_CASES_VIEW, "search_entry");
  drain ();
  g_assert_true (gtk_widget_has_focus (search) || gtk_widget_is_focus (gtk_root_get_focus (GTK_ROOT (f->window))));
  model = jz_cases_view_get_model (view);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);

  /* The rows keep their places: the item a view holds for the first row
   * is given the first row found (and told so once), so the view keeps
   * its row widgets. */
  {
    g_autoptr(JzCaseItem) first = g_list_model_get_item (G_LIST_MODEL (model), 0);
    g_autoptr(JzCaseItem) again = NULL;
    guint changes = 0;

    g_signal_connect_swapped (first, "changed", G_CALLBACK (count_change), &changes);
    g_assert_cmpstr (jz_case_item_get_person_id (first), ==, li);
    gtk_editable_set_text (GTK_EDITABLE (search), "张伟");
    drain ();
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
    again = g_list_model_get_item (G_LIST_MODEL (model), 0);
    g_assert_true (again == first);
    g_assert_cmpstr (jz_case_item_get_person_id (first), ==, zhang);
    g_assert_cmpuint (changes, ==, 1);
    gtk_editable_set_text (GTK_EDITABLE (search), "");
    drain ();
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
    g_assert_cmpstr (jz_case_item_get_person_id (first), ==, li);
    g_assert_cmpuint (changes, ==, 2);
    g_signal_handlers_disconnect_by_func (first, count_change, &changes);
  }

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(JzCaseItem) item = NULL;

      /* Typed into the entry: the view follows the entry's signal. */
      gtk_editable_set_text (GTK_EDITABLE (search), texts[i]);
      drain ();
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
      item = g_list_model_get_item (G_LIST_MODEL (model), 0);
      g_assert_cmpstr (jz_case_item_get_person_id (item), ==, zhang);
    }

  /* Enter opens the first case found. */
  g_signal_emit_by_name (search, "activate");
  g_assert_cmpstr (jz_window_get_view (f->window), ==, "case");
  g_assert_cmpstr (jz_case_page_get_person_id (jz_window_get_case_page (f->window)), ==, zhang);

  /* A filter from Today's cards. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-cases", "s", "in-station"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (search)), ==, "");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  g_assert_nonnull (li);
}

static guint
n_visible_columns (JzCasesView *view)
{
  GListModel *columns = gtk_column_view_get_columns (GTK_COLUMN_VIEW (child (view, JZ_TYPE_CASES_VIEW, "column_view")));
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      n += gtk_column_view_column_get_visible (column);
    }
  return n;  /* hidden columns are taken out of the view */
}

/* The columns menu shows and hides columns, remembered in the settings
 * and followed by every case list. */
static void
test_columns (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  JzCasesView *view;
  JzCasesView *other;

  g_settings_reset (settings, "case-list-hidden-columns");
  view = jz_cases_view_new (f->store);
  g_object_ref_sink (view);
  /* Departed and the ID number are hidden at first. */
  g_assert_cmpuint (n_visible_columns (view), ==, JZ_CASES_N_COLUMNS - 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "cases.column-id-number", NULL));
  g_assert_cmpuint (n_visible_columns (view), ==, JZ_CASES_N_COLUMNS - 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "cases.column-sex", NULL));
  g_assert_cmpuint (n_visible_columns (view), ==, JZ_CASES_N_COLUMNS - 2);
  {
    g_auto(GStrv) hidden = g_settings_get_strv (settings, "case-list-hidden-columns");

    g_assert_true (g_strv_contains ((const char * const *) hidden, "departed"));
    g_assert_true (g_strv_contains ((const char * const *) hidden, "sex"));
    g_assert_false (g_strv_contains ((const char * const *) hidden, "id-number"));
  }
  /* Another list (another window) shows the same columns, and follows. */
  other = jz_cases_view_new (f->store);
  g_object_ref_sink (other);
  g_assert_cmpuint (n_visible_columns (other), ==, JZ_CASES_N_COLUMNS - 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "cases.column-departed", NULL));
  g_assert_cmpuint (n_visible_columns (other), ==, JZ_CASES_N_COLUMNS - 1);
  /* Its menu item was ticked too: choosing it there hides the column. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (other), "cases.column-departed", NULL));
  g_assert_cmpuint (n_visible_columns (view), ==, JZ_CASES_N_COLUMNS - 2);
  /* The case number and the name cannot be hidden. */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (view), "cases.column-name", NULL));
  g_settings_reset (settings, "case-list-hidden-columns");
  g_object_unref (other);
  g_object_unref (view);
}

/* Scrolling the list to its end keeps a few pages of rows in memory. */
static void
test_scroll (Fixture       *f,
             gconstpointer  data)
{
  const guint n = 20000;
  g_autofree char *staff = jz_test_add_staff (f->store, "王芳", "admin", "2468");
  JzCasesView *view;
  JzCaseListModel *model;
  GtkAdjustment *adj;
  GtkWidget *scroller;

  jz_test_fill (f->store, n);
  open_window (f);
  sign_in (f->window, staff, "2468");
  view = JZ_CASES_VIEW (child (f->window, JZ_TYPE_WINDOW, "cases_view"));
  jz_window_set_view (f->window, "cases");
  drain ();
  model = jz_cases_view_get_model (view);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n);
  /* Shown, and searched again and again: each change reads the rows on
   * screen, never the whole list (GTK's list widgets would, were the
   * rows replaced in one change). */
  {
    GtkWidget *search = child (view, JZ_TYPE_CASES_VIEW, "search_entry");
    const char *texts[] = { "3", "", "1", "" };

    g_assert_cmpuint (jz_case_list_model_get_pages_read (model), <=, 3);
    for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
      {
        guint before = jz_case_list_model_get_pages_read (model);

        gtk_editable_set_text (GTK_EDITABLE (search), texts[i]);
        drain ();
        g_assert_cmpuint (jz_case_list_model_get_pages_read (model) - before, <=, 3);
      }
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n);
  }
  scroller = child (view, JZ_TYPE_CASES_VIEW, "scroller");
  adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  for (int step = 1; step <= 20; step++)
    {
      gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) * step / 20.0);
      drain ();
      g_assert_cmpuint (jz_case_list_model_get_cache_size (model), <=, JZ_CASE_PAGE_SIZE * JZ_CASE_MAX_PAGES);
    }
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
  drain ();
  g_assert_cmpuint (jz_case_list_model_get_cache_size (model), <=, JZ_CASE_PAGE_SIZE * JZ_CASE_MAX_PAGES);
  /* The last page was read: the view reached the end. */
  g_assert_cmpuint (jz_case_list_model_get_pages_read (model), >=, 2);
}

static JzCaseActionDialog *
open_action (JzCasePage *page,
             const char *action)
{
  JzCaseActionDialog *dialog;

  jz_case_page_open_action (page, action);
  drain ();
  dialog = find_toplevel (JZ_TYPE_CASE_ACTION_DIALOG);
  g_assert_nonnull (dialog);
  return dialog;
}

static guint
count_rows (JzStore    *store,
            const char *sql,
            const char *id)
{
  sqlite3_stmt *stmt = jz_store_prepare (store, sql, NULL);
  guint n;

  g_assert_nonnull (stmt);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = (guint) sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

/* Quick actions write to the store and show in the timeline with who. */
static void
test_case_actions (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) beds = add_rooms (f->store);
  g_autofree char *staff = jz_test_add_staff (f->store, "王芳", "admin", "2468");
  g_autofree char *episode_id = NULL;
  g_autofree char *person = jz_test_add_case (f->store, NULL, "male", NULL, NULL, "admitted", 2, 0, &episode_id);
  g_autofree char *what = NULL;
  g_autofree char *who = NULL;
  JzCaseActionDialog *dialog;
  JzCasePage *page;
  guint before;

  open_window (f);
  sign_in (f->window, staff, "2468");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-case", "s", person));
  g_assert_cmpstr (jz_window_get_view (f->window), ==, "case");
  page = jz_window_get_case_page (f->window);
  g_assert_cmpstr (jz_case_page_get_episode_id (page), ==, episode_id);
  before = jz_case_page_get_timeline_length (page);
  g_assert_cmpuint (before, >=, 2);

  /* A service: 2 meals. */
  dialog = open_action (page, "case.service");
  g_assert_true (jz_case_action_dialog_set_field (dialog, "kind", "meal"));
  g_assert_true (jz_case_action_dialog_set_field (dialog, "qty", "2"));
  g_assert_true (jz_case_action_dialog_save (dialog));
  drain ();
  g_assert_null (find_toplevel (JZ_TYPE_CASE_ACTION_DIALOG));
  g_assert_cmpuint (count_rows (f->store, "SELECT count(*) FROM service_log WHERE episode_id = ?1 AND "
                                "kind = 'meal' AND qty = 2 AND deleted = 0", episode_id), ==, 1);
  g_assert_cmpuint (jz_case_page_get_timeline_length (page), ==, before + 1);
  what = jz_case_page_describe_timeline (page, 0);
  who = jz_case_page_timeline_who (page, 0);
  g_assert_nonnull (strstr (what, "2"));
  g_assert_cmpstr (who, ==, "王芳");

  /* Undo takes it back (a tombstone, itself in the log). */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "case.undo", NULL));
  drain ();
  g_assert_cmpuint (count_rows (f->store, "SELECT count(*) FROM service_log WHERE episode_id = ?1 AND "
                                "deleted = 0", episode_id), ==, 0);
  g_assert_cmpuint (jz_case_page_get_timeline_length (page), ==, before + 2);

  /* A tracing step: the notice is published, so that deadline is done. */
  dialog = open_action (page, "case.tracing");
  g_assert_true (jz_case_action_dialog_set_field (dialog, "method", "notice"));
  g_assert_true (jz_case_action_dialog_set_field (dialog, "result", "寻亲网"));
  g_assert_true (jz_case_action_dialog_save (dialog));
  drain ();
  g_assert_cmpuint (count_rows (f->store, "SELECT count(*) FROM tracing_step WHERE episode_id = ?1 AND "
                                "method = 'notice' AND operator IS NOT NULL", episode_id), ==, 1);

  /* Spending: a wrong amount is explained under its field. */
  dialog = open_action (page, "case.expenditure");
  g_assert_true (jz_case_action_dialog_set_field (dialog, "kind", "ticket"));
  g_assert_true (jz_case_action_dialog_set_field (dialog, "amount", "12,5"));
  g_assert_false (jz_case_action_dialog_save (dialog));
  g_assert_nonnull (jz_case_action_dialog_get_error (dialog, "amount"));
  g_assert_true (jz_case_action_dialog_set_field (dialog, "amount", "12.50"));
  g_assert_true (jz_case_action_dialog_save (dialog));
  drain ();
  g_assert_cmpuint (count_rows (f->store, "SELECT count(*) FROM expenditure WHERE episode_id = ?1 AND "
                                "amount_fen = 1250", episode_id), ==, 1);

  /* A referral names the worker responsible and has a deadline. */
  dialog = open_action (page, "case.referral");
  g_assert_true (jz_case_action_dialog_set_field (dialog, "agency", "medical"));
  g_assert_true (jz_case_action_dialog_set_field (dialog, "days", "5"));
  g_assert_true (jz_case_action_dialog_save (dialog));
  drain ();
  g_assert_cmpuint (count_rows (f->store, "SELECT count(*) FROM referral WHERE first_responsible = ?1 AND "
                                "deadline > referred_at", staff), ==, 1);

  /* A stay extension needs its reason, and names who filed it. */
  dialog = open_action (page, "case.extend");
  g_assert_false (jz_case_action_dialog_save (dialog));
  g_assert_nonnull (jz_case_action_dialog_get_error (dialog, "reason"));
  g_assert_true (jz_case_action_dialog_set_field (dialog, "reason", "寻亲未果"));
  g_assert_true (jz_case_action_dialog_save (dialog));
  drain ();
  g_assert_cmpuint (count_rows (f->store, "SELECT count(*) FROM stay_extension WHERE filed_by = ?1", staff), ==, 1);

  /* A bed in the men's room. */
  dialog = open_action (page, "case.bed");
  g_assert_true (jz_case_action_dialog_choose_bed (dialog, beds->pdata[1]));
  g_assert_true (jz_case_action_dialog_save (dialog));
  drain ();
  g_assert_cmpuint (count_rows (f->store, "SELECT count(*) FROM episode WHERE id = ?1 AND bed_id IS NOT NULL",
                                episode_id), ==, 1);
  what = (g_free (what), jz_case_page_describe_timeline (page, 0));
  g_assert_cmpstr (what, ==, _("Bed assigned"));

  /* Closing a form with something typed asks first. */
  dialog = open_action (page, "case.escort");
  g_assert_true (jz_case_action_dialog_set_field (dialog, "vehicle", "苏D·12345"));
  gtk_window_close (GTK_WINDOW (dialog));
  drain ();
  g_assert_nonnull (find_toplevel (JZ_TYPE_CASE_ACTION_DIALOG));
  g_assert_nonnull (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  adw_message_dialog_response (find_toplevel (ADW_TYPE_MESSAGE_DIALOG), "discard");
  drain ();
  g_assert_null (find_toplevel (JZ_TYPE_CASE_ACTION_DIALOG));
}

/* A man is refused a bed in the women's room, with the message shown;
 * a minor is refused the men's room. */
static void
test_bed_refused (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) beds = add_rooms (f->store);
  g_autofree char *staff = jz_test_add_staff (f->store, "王芳", "admin", "2468");
  g_autofree char *episode_id = NULL;
  g_autofree char *man = jz_test_add_case (f->store, "张伟", "male", "1980-05-01", NULL, "admitted", 1, 0, &episode_id);
  g_autofree char *boy = jz_test_add_case (f->store, "小明", "male", "2015-05-01", NULL, "admitted", 1,
                                           JZ_FLAG_MINOR, NULL);
  JzCaseActionDialog *dialog;
  JzCasePage *page;
  const char *message;

  open_window (f);
  sign_in (f->window, staff, "2468");
  g_assert_true (jz_window_show_case (f->window, man));
  page = jz_window_get_case_page (f->window);

  dialog = open_action (page, "case.bed");
  /* beds: 3 in 男宿舍一, then 2 in 女宿舍, then 2 in 未成年人室 */
  g_assert_true (jz_case_action_dialog_choose_bed (dialog, beds->pdata[3]));
  g_assert_false (jz_case_action_dialog_save (dialog));
  message = jz_case_action_dialog_get_error (dialog, "bed");
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "女宿舍"));
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (child (dialog, JZ_TYPE_CASE_ACTION_DIALOG, "group"))));
  g_assert_nonnull (find_toplevel (JZ_TYPE_CASE_ACTION_DIALOG));
  g_assert_cmpuint (count_rows (f->store, "SELECT count(*) FROM episode WHERE id = ?1 AND bed_id IS NULL",
                                episode_id), ==, 1);
  /* The right room is accepted. */
  g_assert_true (jz_case_action_dialog_choose_bed (dialog, beds->pdata[0]));
  g_assert_true (jz_case_action_dialog_save (dialog));
  drain ();

  g_assert_true (jz_window_show_case (f->window, boy));
  dialog = open_action (page, "case.bed");
  g_assert_true (jz_case_action_dialog_choose_bed (dialog, beds->pdata[1]));
  g_assert_false (jz_case_action_dialog_save (dialog));
  g_assert_nonnull (strstr (jz_case_action_dialog_get_error (dialog, "bed"), "男宿舍一"));
  g_assert_true (jz_case_action_dialog_choose_bed (dialog, beds->pdata[5]));
  g_assert_true (jz_case_action_dialog_save (dialog));
}

int
main (int    argc,
      char **argv)
{
  const char *localedir = g_getenv ("JIUZHU_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add ("/gui/cases/sign-in", Fixture, NULL, fixture_set_up, test_sign_in, fixture_tear_down);
  g_test_add ("/gui/cases/today", Fixture, NULL, fixture_set_up, test_today, fixture_tear_down);
  g_test_add ("/gui/cases/search", Fixture, NULL, fixture_set_up, test_search, fixture_tear_down);
  g_test_add ("/gui/cases/scroll", Fixture, NULL, fixture_set_up, test_scroll, fixture_tear_down);
  g_test_add ("/gui/cases/columns", Fixture, NULL, fixture_set_up, test_columns, fixture_tear_down);
  g_test_add ("/gui/cases/case-actions", Fixture, NULL, fixture_set_up, test_case_actions, fixture_tear_down);
  g_test_add ("/gui/cases/bed-refused", Fixture, NULL, fixture_set_up, test_bed_refused, fixture_tear_down);
  return g_test_run ();
}
