/* test-gui-sync.c: the sync as a person sees it, against a real
 * jiuzhu-hub on 127.0.0.1
 *
 * The application runs with its own sync thread; the test drives the
 * Preferences → Hub widgets, the header-bar indicator and the Conflicts
 * list, and waits for the client's property notifications with a bounded
 * main-loop iteration (no sleeps). One scenario per process (see
 * tests/meson.build): GApplication registers once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "jz-application.h"
#include "jz-cases-view.h"
#include "jz-conflicts.h"
#include "jz-hub-page.h"
#include "jz-hub-store.h"
#include "jz-preferences-window.h"
#include "jz-profile.h"
#include "jz-protocol.h"
#include "jz-records.h"
#include "jz-search.h"
#include "jz-sync-engine.h"
#include "jz-sync-indicator.h"
#include "jz-sync-text.h"
#include "jz-sync-view.h"
#include "jz-transfer-dialog.h"
#include "jz-window.h"

#define A   "320481-01"
#define HUB "320300-01"
/* Long enough for a sync run on a loaded CI box; a failure, not a pause. */
#define WAIT_S 30

typedef struct
{
  char          *dir;
  char          *hub_db;
  char          *listen;   /* host:port the hub bound first, reused on restart */
  char          *url;
  GSubprocess   *hub;
  JzStore       *h;        /* the hub workstation, "another device" */
  JzApplication *app;
} Fixture;

/* Helpers */

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static JzHubStore *
hub_store (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  JzHubStore *hub = jz_hub_store_open (f->hub_db, TRUE, &error);

  g_assert_no_error (error);
  return hub;
}

static void
hub_start (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  const char *program = g_getenv ("JZ_HUB_PROGRAM");

  g_assert_nonnull (program);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  f->hub = g_subprocess_launcher_spawn (launcher, &error, program, "serve", "--db", f->hub_db,
                                        "--listen", f->listen ? f->listen : "127.0.0.1:0", "--quiet", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->hub));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Listening on "));
  g_free (f->url);
  f->url = g_strdup (line + strlen ("Listening on "));
  if (f->listen == NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (f->url, G_URI_FLAGS_NONE, &error);

      g_assert_no_error (error);
      f->listen = g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
    }
}

static void
hub_stop (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  if (f->hub == NULL)
    return;
  g_subprocess_send_signal (f->hub, SIGTERM);
  g_assert_true (g_subprocess_wait (f->hub, NULL, &error));
  g_clear_object (&f->hub);
}

static char *
make_code (Fixture    *f,
           const char *station)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzHubStore) hub = hub_store (f);
  char *code = jz_hub_store_enrol_device (hub, station, NULL, NULL, &error);

  g_assert_no_error (error);
  return code;
}

static void
sync_ok (JzStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzSyncEngine) engine = jz_sync_engine_new (store, NULL);
  JzSyncStats stats;

  jz_sync_stats_init (&stats);
  g_assert_true (jz_sync_engine_run_once (engine, NULL, &stats, &error));
  g_assert_no_error (error);
  jz_sync_stats_clear (&stats);
}

static char *
text (JzStore    *store,
      const char *sql,
      const char *arg)
{
  sqlite3_stmt *stmt = NULL;
  char *out = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (jz_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    out = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return out;
}

static gboolean
has_row (JzStore    *store,
         const char *sql,
         const char *arg)
{
  g_autofree char *value = text (store, sql, arg);

  return value != NULL;
}

static char *
add_person_with_episode (JzStore    *store,
                         const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = jz_person_new ();
  g_autoptr(JzEpisode) e = jz_episode_new ();

  p->name = g_strdup (name);
  p->sex = g_strdup ("male");
  g_assert_true (jz_store_insert_person (store, p, &error));
  g_assert_no_error (error);
  e->person_id = g_strdup (p->rec.id);
  e->admitted_at = g_get_real_time () / G_USEC_PER_SEC - 3600;
  e->source = g_strdup ("walk_in");
  g_assert_true (jz_store_insert_episode (store, e, &error));
  g_assert_no_error (error);
  return g_strdup (p->rec.id);
}

static void
rename_person (JzStore    *store,
               const char *id,
               const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = jz_store_get_person (store, id, &error);

  g_assert_no_error (error);
  g_free (p->name);
  p->name = g_strdup (name);
  g_assert_true (jz_store_update_person (store, p, &error));
  g_assert_no_error (error);
}

static gboolean
on_wait_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until @cond holds; fails after WAIT_S seconds. The
 * client's notifications arrive through the main context, so each
 * iteration wakes for them. */
#define WAIT_UNTIL(cond)                                                      \
  G_STMT_START {                                                              \
    gboolean timed_out_ = FALSE;                                              \
    guint timeout_ = g_timeout_add_seconds (WAIT_S, on_wait_timeout, &timed_out_); \
    while (!(cond) && !timed_out_)                                            \
      g_main_context_iteration (NULL, TRUE);                                  \
    if (!timed_out_)                                                          \
      g_source_remove (timeout_);                                             \
    if (!(cond))                                                              \
      g_error ("Timed out waiting for: %s", #cond);                           \
  } G_STMT_END

static gpointer
find_toplevel (GType type)
{
  GList *toplevels = gtk_window_list_toplevels ();
  gpointer found = NULL;

  for (GList *l = toplevels; l && !found; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      found = l->data;
  g_list_free (toplevels);
  return found;
}

/* The first descendant of @widget of @type (and named @name, if given). */
static GtkWidget *
find_child (GtkWidget  *widget,
            GType       type,
            const char *name)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type) && (name == NULL || g_strcmp0 (gtk_widget_get_name (c), name) == 0))
        return c;
      if ((found = find_child (c, type, name)) != NULL)
        return found;
    }
  return NULL;
}

static void
collect (GtkWidget *widget,
         GType      type,
         GPtrArray *out)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        g_ptr_array_add (out, c);
      collect (c, type, out);
    }
}

/* The content header's indicator (the sidebar has a compact one). */
static JzSyncIndicator *
main_indicator (GtkWidget *window)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  JzSyncIndicator *found = NULL;

  collect (window, JZ_TYPE_SYNC_INDICATOR, all);
  g_assert_cmpuint (all->len, ==, 2);
  for (guint i = 0; i < all->len; i++)
    {
      gboolean compact;

      g_object_get (all->pdata[i], "compact", &compact, NULL);
      if (!compact)
        found = all->pdata[i];
    }
  g_assert_nonnull (found);
  return found;
}

static GtkWidget *
template_child (gpointer    widget,
                GType       type,
                const char *name)
{
  GtkWidget *child = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (widget), type, name));

  g_assert_nonnull (child);
  return child;
}

static gboolean
label_shown (GtkWidget *label)
{
  return gtk_widget_get_visible (label) && gtk_label_get_text (GTK_LABEL (label))[0] != '\0';
}

static gboolean
cases_show_name (JzCasesView *view,
                 const char  *name)
{
  GListModel *model = G_LIST_MODEL (jz_cases_view_get_model (view));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(JzCaseItem) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (jz_case_item_get_name (item), name) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzHubStore) hub = NULL;
  g_autofree char *h_path = NULL;

  f->dir = g_dir_make_tmp ("jz-gui-sync-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("JIUZHU_DATA_DIR", f->dir, TRUE);
  f->hub_db = g_build_filename (f->dir, "hub.db", NULL);
  hub = hub_store (f);
  g_assert_true (jz_hub_store_add_station (hub, A, "溧阳市救助管理站", FALSE, &error));
  g_assert_true (jz_hub_store_add_station (hub, HUB, "常州市救助管理站", TRUE, &error));
  g_assert_no_error (error);
  g_clear_object (&hub);
  hub_start (f);

  h_path = g_build_filename (f->dir, "h.db", NULL);
  f->h = jz_store_create (h_path, HUB, "常州市救助管理站", JZ_STATION_LEVEL_HUB, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);
  GList *toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (toplevels);
  g_clear_object (&f->app);
  hub_stop (f);
  g_clear_object (&f->h);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->dir);
  g_free (f->hub_db);
  g_free (f->listen);
  g_free (f->url);
}

static JzStore *
make_profile_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  JzStore *store;

  g_assert_true (jz_profile_ensure_dir ("default", &error));
  path = jz_profile_db_path ("default");
  store = jz_store_create (path, A, "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);
  g_assert_no_error (error);
  return store;
}

/* Tests */

/* The pure wording functions. */
static void
test_text (void)
{
  g_autofree char *never = jz_sync_format_when (0, 1000000);
  g_autofree char *now = jz_sync_format_when (1000000, 1000010);
  g_autofree char *minutes = jz_sync_format_when (1000000 - 300, 1000000);
  g_autofree char *offline = jz_sync_explain_error (JZ_SYNC_ERROR, JZ_SYNC_ERROR_NETWORK,
                                                    "Cannot reach the hub at http://x: refused", "http://x");
  g_autofree char *revoked = jz_sync_explain_error (JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_UNAUTHORIZED, "revoked", NULL);
  g_autofree char *unknown = jz_sync_explain_error (G_IO_ERROR, G_IO_ERROR_FAILED, "Something odd", NULL);
  g_autofree char *pending = jz_sync_format_pending (3);
  g_autofree char *value = jz_sync_format_value (jz_entity_get_field (&jz_entity_person, "name"), "\"张山\"");
  g_autofree char *empty = jz_sync_format_value (jz_entity_get_field (&jz_entity_person, "name"), "null");
  g_autofree char *height = jz_sync_format_value (jz_entity_get_field (&jz_entity_person, "height_cm"), "170");
  g_autofree char *scheme = jz_sync_check_hub_url ("hub.example.cn:8443");
  g_autofree char *ok_url = jz_sync_check_hub_url ("https://hub.example.cn:8443");
  g_autofree char *query = jz_sync_check_hub_url ("https://hub.example.cn/?a=1");
  g_autofree char *short_code = jz_sync_check_enrol_code ("7KQ2M-XP4R");
  g_autofree char *ok_code = jz_sync_check_enrol_code ("7kq2m xp4rt");
  g_autofree char *odd_code = jz_sync_check_enrol_code ("7KQ2M/XP4RT");

  g_assert_cmpstr (never, ==, "never");
  g_assert_cmpstr (now, ==, "just now");
  g_assert_cmpstr (minutes, ==, "5 minutes ago");
  g_assert_nonnull (strstr (offline, "http://x"));
  g_assert_nonnull (strstr (offline, "cannot be reached"));
  g_assert_nonnull (strstr (revoked, "new enrolment code"));
  g_assert_nonnull (strstr (unknown, "Something odd"));
  g_assert_null (jz_sync_explain_error (0, 0, NULL, NULL));
  g_assert_cmpstr (pending, ==, "3 changes waiting to be sent");
  g_assert_cmpstr (value, ==, "张山");
  g_assert_cmpstr (empty, ==, "(empty)");
  g_assert_cmpstr (height, ==, "170");
  g_assert_nonnull (scheme);
  g_assert_nonnull (strstr (scheme, "https://hub.example.cn:8443"));
  g_assert_null (ok_url);
  g_assert_nonnull (query);
  g_assert_nonnull (strstr (short_code, "9"));
  g_assert_null (ok_code);
  g_assert_nonnull (odd_code);
  g_assert_cmpstr (jz_sync_field_label ("person", NULL, "name"), ==, "Name");
  g_assert_cmpstr (jz_sync_entity_label ("episode"), ==, "Episode");
}

/* Enrol through Preferences → Hub, then everything the indicator and the
 * Hub & sync area show while the station works. */
static void
test_flow (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) setup = make_profile_store ();
  g_autofree char *zhang = add_person_with_episode (setup, "张三");
  g_autofree char *code = NULL;
  g_autofree char *h_code = NULL;
  g_autofree char *name = NULL;
  g_autofree char *conflict_id = NULL;
  g_autofree char *device = NULL;
  JzWindow *window;
  JzSyncClient *client;
  JzSyncIndicator *indicator;
  JzSyncView *view;
  JzCasesView *cases;
  JzStore *store;
  AdwPreferencesWindow *prefs;
  JzHubPage *page;
  GtkWidget *url_row, *code_row, *enrol_button, *url_error, *code_error, *pending_label, *card, *keep;
  JzSyncState state;

  g_clear_object (&setup);

  f->app = jz_application_new ();
  g_application_set_flags (G_APPLICATION (f->app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (f->app), NULL, &error));
  g_application_activate (G_APPLICATION (f->app));
  window = find_toplevel (JZ_TYPE_WINDOW);
  g_assert_nonnull (window);
  jz_window_show_without_sign_in (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 768);
  store = jz_application_get_store (f->app);
  client = jz_application_get_sync_client (f->app);
  g_assert_nonnull (client);
  g_assert_true (jz_window_get_sync_client (window) == client);
  g_assert_false (jz_sync_client_get_enrolled (client));
  indicator = main_indicator (GTK_WIDGET (window));
  view = JZ_SYNC_VIEW (find_child (GTK_WIDGET (window), JZ_TYPE_SYNC_VIEW, NULL));
  g_assert_nonnull (view);
  g_assert_true (g_str_has_prefix (jz_sync_indicator_get_summary (indicator), "Not enrolled"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (template_child (view, JZ_TYPE_SYNC_VIEW, "stack"))),
                   ==, "not-enrolled");

  /* Preferences → Hub, from the Hub & sync area's button. */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "hub-preferences", NULL);
  prefs = find_toplevel (JZ_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (prefs);
  page = JZ_HUB_PAGE (adw_preferences_window_get_visible_page (prefs));
  g_assert_true (JZ_IS_HUB_PAGE (page));
  url_row = template_child (page, JZ_TYPE_HUB_PAGE, "url_row");
  code_row = template_child (page, JZ_TYPE_HUB_PAGE, "code_row");
  enrol_button = template_child (page, JZ_TYPE_HUB_PAGE, "enrol_button");
  url_error = template_child (page, JZ_TYPE_HUB_PAGE, "url_error");
  code_error = template_child (page, JZ_TYPE_HUB_PAGE, "code_error");

  /* Typos are explained next to their fields, and nothing is sent. */
  gtk_editable_set_text (GTK_EDITABLE (url_row), "hub.example.cn:8443");
  gtk_editable_set_text (GTK_EDITABLE (code_row), "7KQ2M");
  g_signal_emit_by_name (enrol_button, "clicked");
  g_assert_false (jz_hub_page_is_busy (page));
  g_assert_true (label_shown (url_error));
  g_assert_true (label_shown (code_error));
  g_assert_true (gtk_widget_has_css_class (url_row, "error"));
  gtk_editable_set_text (GTK_EDITABLE (url_row), f->url);
  g_assert_false (label_shown (url_error));
  g_assert_false (gtk_widget_has_css_class (url_row, "error"));

  /* A code the hub does not know: refused by the hub, shown by the code. */
  gtk_editable_set_text (GTK_EDITABLE (code_row), "AAAAA-BBBBB");
  g_signal_emit_by_name (enrol_button, "clicked");
  g_assert_true (jz_hub_page_is_busy (page));
  WAIT_UNTIL (!jz_hub_page_is_busy (page));
  g_assert_true (label_shown (code_error));
  g_assert_false (label_shown (url_error));
  g_assert_false (jz_sync_client_get_enrolled (client));

  /* The real code: enrolled, and the sync starts on its own. */
  code = make_code (f, A);
  gtk_editable_set_text (GTK_EDITABLE (code_row), code);
  g_signal_emit_by_name (enrol_button, "clicked");
  WAIT_UNTIL (!jz_hub_page_is_busy (page));
  g_assert_false (label_shown (code_error));
  g_assert_false (label_shown (url_error));
  WAIT_UNTIL (jz_sync_client_get_enrolled (client) &&
              jz_sync_client_get_state (client) == JZ_SYNC_STATE_UP_TO_DATE);
  g_assert_false (gtk_widget_get_visible (template_child (page, JZ_TYPE_HUB_PAGE, "enrol_group")));
  g_assert_true (gtk_widget_get_visible (template_child (page, JZ_TYPE_HUB_PAGE, "device_group")));
  g_assert_cmpint (jz_sync_client_get_pending (client), ==, 0);
  g_assert_true (g_str_has_prefix (jz_sync_indicator_get_summary (indicator), "Up to date"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (template_child (view, JZ_TYPE_SYNC_VIEW, "stack"))),
                   ==, "enrolled");
  gtk_window_destroy (GTK_WINDOW (prefs));

  /* A change saved here: counted at once, then sent by itself. */
  pending_label = template_child (indicator, JZ_TYPE_SYNC_INDICATOR, "pending_label");
  g_free (add_person_with_episode (store, "赵六"));
  g_assert_cmpint (jz_sync_client_get_pending (client), >=, 1);
  g_assert_true (gtk_widget_get_visible (pending_label));
  WAIT_UNTIL (jz_sync_client_get_pending (client) == 0 &&
              jz_sync_client_get_state (client) == JZ_SYNC_STATE_UP_TO_DATE);
  g_assert_false (gtk_widget_get_visible (pending_label));
  g_assert_cmpuint (jz_sync_view_get_n_history (view), >=, 1);

  /* The hub workstation (another device) renames the person; the open
   * People & cases view shows it after a sync, without a restart. */
  h_code = make_code (f, HUB);
  g_assert_true (jz_sync_enrol (f->h, f->url, h_code, NULL, NULL, &error));
  g_assert_no_error (error);
  sync_ok (f->h);
  rename_person (f->h, zhang, "张叁");
  sync_ok (f->h);
  jz_window_set_view (window, "cases");
  cases = JZ_CASES_VIEW (find_child (GTK_WIDGET (window), JZ_TYPE_CASES_VIEW, NULL));
  g_assert_nonnull (cases);
  WAIT_UNTIL (cases_show_name (cases, "张三"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (indicator), "sync.now", NULL));
  WAIT_UNTIL (cases_show_name (cases, "张叁"));
  g_assert_false (cases_show_name (cases, "张三"));

  /* 跑站: a person recorded at another station reaches this one through
   * the regional registry, and intake's duplicate search finds them. */
  {
    g_autoptr(JzPerson) li = jz_person_new ();
    g_autoptr(GPtrArray) found = NULL;
    JzDupPerson intake;

    li->name = g_strdup ("李四");
    li->sex = g_strdup ("female");
    li->id_number = g_strdup ("11010519491231002X");
    g_assert_true (jz_store_insert_person (f->h, li, &error));
    g_assert_no_error (error);
    sync_ok (f->h);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (indicator), "sync.now", NULL));
    WAIT_UNTIL (has_row (store, "SELECT station FROM person WHERE id = ?1", li->rec.id));
    name = text (store, "SELECT station FROM person WHERE id = ?1", li->rec.id);
    g_assert_cmpstr (name, ==, HUB);
    g_clear_pointer (&name, g_free);
    jz_dup_person_init (&intake);
    intake.name = "李四";
    intake.sex = JZ_SEX_FEMALE;
    intake.id_number = "11010519491231002X";
    found = jz_search_duplicates (store, &intake, 10, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (found->len, >=, 1);
    g_assert_cmpstr (((JzDupCandidate *) found->pdata[0])->person.person_id, ==, li->rec.id);
    g_assert_cmpstr (((JzDupCandidate *) found->pdata[0])->person.station, ==, HUB);
  }

  /* A conflict: both rename while apart; the hub's staff win, this
   * station's value is set aside and listed with who and when. */
  rename_person (f->h, zhang, "张叁丰");
  rename_person (store, zhang, "张山");
  WAIT_UNTIL (jz_sync_client_get_pending (client) == 0 &&
              jz_sync_client_get_state (client) == JZ_SYNC_STATE_UP_TO_DATE);
  sync_ok (f->h);
  jz_window_set_view (window, "sync");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (indicator), "sync.now", NULL));
  WAIT_UNTIL (jz_sync_view_get_n_conflicts (view) == 1);
  name = text (store, "SELECT name FROM person WHERE id = ?1", zhang);
  g_assert_cmpstr (name, ==, "张叁丰");
  conflict_id = text (store, "SELECT id FROM conflict WHERE entity_id = ?1 AND decided_at IS NULL", zhang);
  g_assert_nonnull (conflict_id);
  card = jz_sync_view_get_conflict_card (view, conflict_id);
  g_assert_nonnull (card);
  g_assert_nonnull (find_child (card, GTK_TYPE_LABEL, NULL));

  /* Keep this station's value: an ordinary change, sent to the hub. */
  keep = find_child (card, GTK_TYPE_BUTTON, "keep-set-aside");
  g_assert_nonnull (keep);
  g_signal_emit_by_name (keep, "clicked");
  g_clear_pointer (&name, g_free);
  name = text (store, "SELECT name FROM person WHERE id = ?1", zhang);
  g_assert_cmpstr (name, ==, "张山");
  WAIT_UNTIL (jz_sync_view_get_n_conflicts (view) == 0);
  WAIT_UNTIL (jz_sync_client_get_pending (client) == 0 &&
              jz_sync_client_get_state (client) == JZ_SYNC_STATE_UP_TO_DATE);
  sync_ok (f->h);
  g_clear_pointer (&name, g_free);
  name = text (f->h, "SELECT name FROM person WHERE id = ?1", zhang);
  g_assert_cmpstr (name, ==, "张山");
  g_clear_pointer (&name, g_free);
  name = text (f->h, "SELECT decision FROM conflict WHERE id = ?1", conflict_id);
  g_assert_cmpstr (name, ==, "kept_local");

  /* The hub goes away: offline, explained, and the window stays usable. */
  hub_stop (f);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (indicator), "sync.now", NULL));
  WAIT_UNTIL (jz_sync_client_get_state (client) == JZ_SYNC_STATE_OFFLINE);
  g_assert_true (g_str_has_prefix (jz_sync_indicator_get_summary (indicator), "Offline"));
  g_assert_true (label_shown (template_child (indicator, JZ_TYPE_SYNC_INDICATOR, "error_label")));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (template_child (indicator, JZ_TYPE_SYNC_INDICATOR, "error_label"))),
                            "cannot be reached"));
  g_assert_true (gtk_widget_get_visible (template_child (view, JZ_TYPE_SYNC_VIEW, "problem_row")));
  g_free (add_person_with_episode (store, "钱七"));
  g_assert_cmpint (jz_sync_client_get_pending (client), >=, 1);
  g_assert_true (gtk_widget_get_visible (pending_label));

  /* Back on the same address: what waited goes out. */
  hub_start (f);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (indicator), "sync.now", NULL));
  WAIT_UNTIL (jz_sync_client_get_pending (client) == 0 &&
              jz_sync_client_get_state (client) == JZ_SYNC_STATE_UP_TO_DATE);

  /* The device is revoked at the hub: an error that says what to do. */
  device = text (store, "SELECT value FROM sync_state WHERE key = 'device'", NULL);
  {
    g_autoptr(JzHubStore) hub = hub_store (f);

    g_assert_true (jz_hub_store_revoke_device (hub, device, &error));
    g_assert_no_error (error);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (indicator), "sync.now", NULL));
  WAIT_UNTIL ((state = jz_sync_client_get_state (client)) == JZ_SYNC_STATE_ERROR);
  g_assert_true (g_str_has_prefix (jz_sync_indicator_get_summary (indicator), "Sync problem"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (template_child (indicator, JZ_TYPE_SYNC_INDICATOR, "error_label"))),
                            "no longer accepts this device"));
}

/* A hub that accepts connections and never answers. */
static gboolean
on_blackhole_incoming (GSocketService     *service,
                       GSocketConnection  *connection,
                       GObject            *source,
                       GPtrArray          *held)
{
  g_ptr_array_add (held, g_object_ref (connection));
  return TRUE;
}

typedef struct
{
  Fixture *f;
  guint    ticks_while_syncing;
  gboolean quit_while_syncing;
  gint64   quit_at;
} QuitState;

static gboolean
on_tick (gpointer data)
{
  QuitState *q = data;
  JzSyncClient *client = jz_application_get_sync_client (q->f->app);

  if (client == NULL || jz_sync_client_get_state (client) != JZ_SYNC_STATE_SYNCING)
    return G_SOURCE_CONTINUE;
  /* The UI thread keeps running while the sync waits on the network. */
  if (++q->ticks_while_syncing < 10)
    return G_SOURCE_CONTINUE;
  q->quit_while_syncing = TRUE;
  q->quit_at = g_get_monotonic_time ();
  g_application_quit (G_APPLICATION (q->f->app));
  return G_SOURCE_REMOVE;
}

static void
on_activated (GApplication *app,
              QuitState    *q)
{
  g_timeout_add (20, on_tick, q);
}

/* Quitting while a request hangs: the app stays responsive, and quits
 * without waiting for the network (the request timeout is ten minutes
 * here, far beyond the test's own timeout). */
static void
test_quit (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = make_profile_store ();
  g_autofree char *code = make_code (f, A);
  g_autoptr(GSocketService) blackhole = NULL;
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *host = NULL;
  QuitState q = { f, 0, FALSE, 0 };
  const char *colon;

  g_assert_cmpstr (g_getenv ("JIUZHU_SYNC_TIMEOUT_MS"), ==, "600000");
  g_assert_true (jz_sync_enrol (store, f->url, code, NULL, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&store);
  hub_stop (f);

  colon = strrchr (f->listen, ':');
  host = g_strndup (f->listen, colon - f->listen);
  address = g_inet_socket_address_new_from_string (host, (guint) g_ascii_strtoull (colon + 1, NULL, 10));
  blackhole = g_socket_service_new ();
  g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (blackhole), address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, NULL, &error));
  g_assert_no_error (error);
  g_signal_connect (blackhole, "incoming", G_CALLBACK (on_blackhole_incoming), held);
  g_socket_service_start (blackhole);

  f->app = jz_application_new ();
  g_application_set_flags (G_APPLICATION (f->app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (f->app, "activate", G_CALLBACK (on_activated), &q);
  g_assert_cmpint (g_application_run (G_APPLICATION (f->app), 0, NULL), ==, 0);
  /* For the log only: how long quitting took with a request in flight. */
  g_test_message ("Quit took %" G_GINT64_FORMAT " ms with a request in flight",
                  (g_get_monotonic_time () - q.quit_at) / 1000);

  g_assert_true (q.quit_while_syncing);
  g_assert_cmpuint (q.ticks_while_syncing, >=, 10);
  g_assert_cmpuint (held->len, >=, 1);
  g_socket_service_stop (blackhole);
}

/* 提级办理 / 转送: on a hub workstation the case page offers the transfer,
 * which moves the episode to the chosen station as a change for the hub;
 * a county station has no such button. */
static void
test_transfer (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jz-gui-transfer-XXXXXX", &error);
  g_autofree char *hub_path = g_build_filename (dir, "h.db", NULL);
  g_autofree char *county_path = g_build_filename (dir, "a.db", NULL);
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
  g_autoptr(JzStore) hub = jz_store_create (hub_path, HUB, "常州市救助管理站", JZ_STATION_LEVEL_HUB, &error);
  g_autoptr(JzStore) county = jz_store_create (county_path, A, "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);
  g_autofree char *person = NULL;
  g_autofree char *county_person = NULL;
  g_autofree char *station = NULL;
  g_autofree char *episode = NULL;
  GtkWidget *button, *dialog;
  JzWindow *window;

  g_assert_no_error (error);
  person = add_person_with_episode (hub, "王五");
  episode = text (hub, "SELECT id FROM episode WHERE person_id = ?1", person);

  window = jz_window_new (NULL, hub);
  jz_window_show_without_sign_in (window);
  gtk_window_present (GTK_WINDOW (window));
  button = template_child (window, JZ_TYPE_WINDOW, "transfer_button");
  g_assert_false (gtk_widget_get_visible (button));
  g_assert_true (jz_window_show_case (window, person));
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.transfer-case", NULL));
  dialog = find_toplevel (JZ_TYPE_TRANSFER_DIALOG);
  g_assert_nonnull (dialog);

  /* A typo is explained and cannot be sent. */
  jz_transfer_dialog_set_target (JZ_TRANSFER_DIALOG (dialog), "32048101");
  g_assert_null (jz_transfer_dialog_get_target (JZ_TRANSFER_DIALOG (dialog)));
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "transfer"));
  jz_transfer_dialog_set_target (JZ_TRANSFER_DIALOG (dialog), A);
  g_assert_cmpstr (jz_transfer_dialog_get_target (JZ_TRANSFER_DIALOG (dialog)), ==, A);
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "transfer"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "transfer");
  station = text (hub, "SELECT station FROM episode WHERE id = ?1", episode);
  g_assert_cmpstr (station, ==, A);
  g_assert_true (has_row (hub, "SELECT seq FROM outbox WHERE entity = 'episode' AND entity_id = ?1 AND acked = 0",
                          episode));
  gtk_window_destroy (GTK_WINDOW (window));

  /* A county station: no transfer. */
  county_person = add_person_with_episode (county, "赵六");
  window = jz_window_new (NULL, county);
  jz_window_show_without_sign_in (window);
  g_assert_true (jz_window_show_case (window, county_person));
  g_assert_false (gtk_widget_get_visible (template_child (window, JZ_TYPE_WINDOW, "transfer_button")));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.transfer-case", NULL);
  g_assert_null (find_toplevel (JZ_TYPE_TRANSFER_DIALOG));
  gtk_window_destroy (GTK_WINDOW (window));

  g_clear_object (&hub);
  g_clear_object (&county);
  g_assert_cmpint (system (cmd), ==, 0);
}

/* A conflict over a long text keeps its two "Keep" buttons inside the
 * window at 1024×768 (the tracing area's rows once pushed theirs out: a
 * horizontal GtkBox can ask a wrapping label for its one-line width). */
static void
test_conflict_card_fits (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("jz-gui-conflict-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "a.db", NULL);
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
  g_autoptr(JzStore) store = jz_store_create (path, A, "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);
  g_autoptr(JzConflict) conflict = jz_conflict_new ();
  g_autofree char *person = NULL;
  const char *buttons[] = { "keep-set-aside", "keep-current" };
  GtkWidget *card;
  JzSyncView *view;
  JzWindow *window;

  g_assert_no_error (error);
  person = add_person_with_episode (store, "王五");
  /* Enrolled, as far as the view can tell (no hub is needed to list). */
  g_assert_true (jz_store_exec (store, "INSERT INTO sync_state (key, value) VALUES "
                                       "('hub_url', 'http://127.0.0.1:9'), ('device', 'd-1')", &error));
  g_assert_no_error (error);
  conflict->entity = g_strdup ("person");
  conflict->entity_id = g_strdup (person);
  conflict->field = g_strdup ("description");
  conflict->local_value = g_strdup ("\"Tall and thin, a long grey coat with a torn left pocket, black cloth shoes, "
                                    "carries a red plastic bag of papers; speaks slowly with a northern accent\"");
  conflict->remote_value = g_strdup ("\"Tall\"");
  conflict->remote_station = g_strdup (HUB);
  conflict->remote_hlc = 1;
  g_assert_true (jz_store_insert_conflict (store, conflict, &error));
  g_assert_no_error (error);

  window = jz_window_new (NULL, store);
  jz_window_show_without_sign_in (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 768);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (jz_window_set_view (window, "sync"));
  view = JZ_SYNC_VIEW (find_child (GTK_WIDGET (window), JZ_TYPE_SYNC_VIEW, NULL));
  WAIT_UNTIL (jz_sync_view_get_n_conflicts (view) == 1);
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    {
      GtkWidget *keep = NULL;
      graphene_rect_t bounds;

      /* The list is built again as the view settles: look each time. */
      WAIT_UNTIL ((card = jz_sync_view_get_conflict_card (view, conflict->rec.id)) != NULL &&
                  (keep = find_child (card, GTK_TYPE_BUTTON, buttons[i])) != NULL &&
                  gtk_widget_get_width (keep) > 0);
      g_assert_true (gtk_widget_compute_bounds (keep, GTK_WIDGET (window), &bounds));
      g_test_message ("%s ends at %.0f of a %d-pixel window", buttons[i], bounds.origin.x + bounds.size.width,
                      gtk_widget_get_width (GTK_WIDGET (window)));
      g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (GTK_WIDGET (window)));
    }
  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&store);
  g_assert_cmpint (system (cmd), ==, 0);
}

int
main (int argc, char **argv)
{
  const char *localedir = g_getenv ("JIUZHU_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* A blinking cursor in a field still focused when its window closes
   * makes GTK warn, and warnings are fatal here. */
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);

  g_test_add_func ("/gui/sync/text", test_text);
  g_test_add_func ("/gui/sync/transfer", test_transfer);
  g_test_add_func ("/gui/sync/conflict-card-fits", test_conflict_card_fits);
  g_test_add ("/gui/sync/flow", Fixture, NULL, fixture_setup, test_flow, fixture_teardown);
  g_test_add ("/gui/sync/quit", Fixture, NULL, fixture_setup, test_quit, fixture_teardown);

  return g_test_run ();
}
