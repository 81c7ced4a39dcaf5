/* test-gui-setup.c: first run and the main window, with real widgets
 *
 * Runs under Xvfb (build-aux/test wraps the suite in xvfb-run).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <sqlite3.h>

#include "jz-profile.h"
#include "jz-setup-window.h"
#include "jz-window.h"

typedef struct
{
  char    *dir;
  JzStore *created;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("jz-gui-setup-XXXXXX", NULL);
  g_setenv ("JIUZHU_DATA_DIR", f->dir, TRUE);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_clear_object (&f->created);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->dir);
}

static GtkWidget *
child (gpointer widget, GType type, const char *name)
{
  GObject *obj = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (obj);
  return GTK_WIDGET (obj);
}

static void
on_store_created (JzSetupWindow *win, JzStore *store, Fixture *f)
{
  g_set_object (&f->created, store);
}

static void
type_text (GtkWidget *row, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), "");
  /* Type it a character at a time, as a person would, so the live
   * validation sees every intermediate state. */
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      int pos = -1;
      gtk_editable_insert_text (GTK_EDITABLE (row), p, g_utf8_next_char (p) - p, &pos);
      pos = gtk_editable_get_position (GTK_EDITABLE (row));
    }
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, text);
}

static char *
read_meta (const char *path, const char *key)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT value FROM meta WHERE key = ?", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
test_first_run (Fixture *f, gconstpointer data)
{
  JzSetupWindow *win = jz_setup_window_new (NULL, "station-a");
  GtkWidget *name = child (win, JZ_TYPE_SETUP_WINDOW, "name_row");
  GtkWidget *code = child (win, JZ_TYPE_SETUP_WINDOW, "code_row");
  GtkWidget *level = child (win, JZ_TYPE_SETUP_WINDOW, "level_row");
  GtkWidget *message = child (win, JZ_TYPE_SETUP_WINDOW, "code_message");
  GtkWidget *button = child (win, JZ_TYPE_SETUP_WINDOW, "create_button");
  g_autofree char *path = jz_profile_db_path ("station-a");
  g_autofree char *code_in_file = NULL;
  g_autofree char *name_in_file = NULL;
  g_autofree char *level_in_file = NULL;

  g_signal_connect (win, "store-created", G_CALLBACK (on_store_created), f);
  gtk_window_present (GTK_WINDOW (win));

  g_assert_false (gtk_widget_get_sensitive (button));

  type_text (name, "溧阳市救助管理站");
  g_assert_false (gtk_widget_get_sensitive (button));

  /* A province's code: the field says why, the button stays off. */
  type_text (code, "320000-01");
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_true (gtk_widget_has_css_class (code, "error"));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (message)), "江苏省"));

  /* An abolished code. */
  type_text (code, "320482-01");
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (message)), "金坛市"));

  /* Nothing was written while the input was wrong. */
  g_signal_emit_by_name (button, "clicked");
  g_assert_null (f->created);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  type_text (code, "320481-01");
  g_assert_true (gtk_widget_get_sensitive (button));
  g_assert_false (gtk_widget_has_css_class (code, "error"));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (message)), "溧阳市"));

  adw_combo_row_set_selected (ADW_COMBO_ROW (level), 1);
  g_signal_emit_by_name (button, "clicked");

  g_assert_nonnull (f->created);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));

  /* The store file holds the station's identity. */
  code_in_file = read_meta (path, "station_code");
  name_in_file = read_meta (path, "station_name");
  level_in_file = read_meta (path, "station_level");
  g_assert_cmpstr (code_in_file, ==, "320481-01");
  g_assert_cmpstr (name_in_file, ==, "溧阳市救助管理站");
  g_assert_cmpstr (level_in_file, ==, "hub");

  gtk_window_destroy (GTK_WINDOW (win));
}

static void
test_unwritable_dir (Fixture *f, gconstpointer data)
{
  g_autofree char *file = g_build_filename (f->dir, "a-file", NULL);
  g_autofree char *below = g_build_filename (file, "data", NULL);
  JzSetupWindow *win;
  GtkWidget *button;
  GList *toplevels;
  AdwMessageDialog *dialog = NULL;

  g_assert_true (g_file_set_contents (file, "x", 1, NULL));
  g_setenv ("JIUZHU_DATA_DIR", below, TRUE);

  win = jz_setup_window_new (NULL, "default");
  button = child (win, JZ_TYPE_SETUP_WINDOW, "create_button");
  gtk_window_present (GTK_WINDOW (win));
  type_text (child (win, JZ_TYPE_SETUP_WINDOW, "name_row"), "Test");
  type_text (child (win, JZ_TYPE_SETUP_WINDOW, "code_row"), "320481-01");
  g_signal_emit_by_name (button, "clicked");

  g_assert_null (f->created);
  toplevels = gtk_window_list_toplevels ();
  for (GList *l = toplevels; l; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data))
      dialog = l->data;
  g_list_free (toplevels);
  g_assert_nonnull (dialog);
  /* The dialog names the path. */
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), below));

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (win));
}

static void
test_main_window (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = NULL;
  g_autofree char *path = NULL;
  const char * const *views = jz_window_list_views ();
  JzWindow *win;
  GtkWidget *sidebar;
  guint rows = 0;

  g_assert_true (jz_profile_ensure_dir ("default", &error));
  path = jz_profile_db_path ("default");
  store = jz_store_create (path, "320481-01", "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);
  g_assert_no_error (error);

  win = g_object_new (JZ_TYPE_WINDOW, "store", store, NULL);
  gtk_window_present (GTK_WINDOW (win));

  sidebar = child (win, JZ_TYPE_WINDOW, "sidebar");
  while (gtk_list_box_get_row_at_index (GTK_LIST_BOX (sidebar), rows) != NULL)
    rows++;
  g_assert_cmpuint (rows, ==, g_strv_length ((char **) views));

  g_assert_cmpstr (jz_window_get_view (win), ==, "today");
  for (guint i = 0; views[i]; i++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-view", "s", views[i]));
      g_assert_cmpstr (jz_window_get_view (win), ==, views[i]);
    }
  g_assert_false (jz_window_set_view (win, "no-such-view"));

  gtk_window_destroy (GTK_WINDOW (win));
}

static void
test_chinese (Fixture *f, gconstpointer data)
{
  JzSetupWindow *win = jz_setup_window_new (NULL, "default");

  /* The whole UI is translated; the window title is the first thing a
   * user sees. */
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (win)), !=, "Set Up Station");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (win)), ==, _("Set Up Station"));
  g_assert_true (g_utf8_validate (_("Set Up Station"), -1, NULL));
  g_assert_cmpint (g_utf8_get_char (_("Set Up Station")), >=, 0x4e00);
  gtk_window_destroy (GTK_WINDOW (win));
}

int
main (int argc, char **argv)
{
  const char *localedir = g_getenv ("JIUZHU_LOCALEDIR");
  gboolean chinese;

  g_setenv ("GTK_DEBUG", "", TRUE);
  chinese = g_strcmp0 (g_getenv ("LANGUAGE"), "zh_CN") == 0;
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/gui/setup/first-run", Fixture, NULL, fixture_setup, test_first_run, fixture_teardown);
  g_test_add ("/gui/setup/unwritable-dir", Fixture, NULL, fixture_setup, test_unwritable_dir, fixture_teardown);
  g_test_add ("/gui/window/areas", Fixture, NULL, fixture_setup, test_main_window, fixture_teardown);
  if (chinese)
    g_test_add ("/gui/i18n/chinese", Fixture, NULL, fixture_setup, test_chinese, fixture_teardown);

  return g_test_run ();
}
