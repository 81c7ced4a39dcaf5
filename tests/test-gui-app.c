/* test-gui-app.c: the application as a user starts it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <sqlite3.h>
#include <string.h>

#include "jz-application.h"
#include "jz-preferences-window.h"
#include "jz-profile.h"
#include "jz-setup-window.h"
#include "jz-window.h"

typedef struct
{
  char          *dir;
  JzApplication *app;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("jz-gui-app-XXXXXX", NULL);
  g_setenv ("JIUZHU_DATA_DIR", f->dir, TRUE);
  f->app = jz_application_new ();
  /* Tests run side by side; none may find another's instance. */
  g_application_set_flags (G_APPLICATION (f->app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (f->app), NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (f->app)));

  for (GList *l = windows; l; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (windows);
  g_clear_object (&f->app);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->dir);
}

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

static void
make_store (const char *profile)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = NULL;
  g_autofree char *path = NULL;

  g_assert_true (jz_profile_ensure_dir (profile, &error));
  path = jz_profile_db_path (profile);
  store = jz_store_create (path, "320481-01", "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);
  g_assert_no_error (error);
}

static void
test_first_run_then_main (Fixture *f, gconstpointer data)
{
  JzSetupWindow *setup;
  JzWindow *window;

  g_application_activate (G_APPLICATION (f->app));
  setup = find_toplevel (JZ_TYPE_SETUP_WINDOW);
  g_assert_nonnull (setup);
  g_assert_null (find_toplevel (JZ_TYPE_WINDOW));

  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (setup), JZ_TYPE_SETUP_WINDOW, "name_row")), "溧阳市救助管理站");
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (setup), JZ_TYPE_SETUP_WINDOW, "code_row")), "320481-01");
  g_signal_emit_by_name (gtk_widget_get_template_child (GTK_WIDGET (setup), JZ_TYPE_SETUP_WINDOW, "create_button"), "clicked");

  window = find_toplevel (JZ_TYPE_WINDOW);
  g_assert_nonnull (window);
  g_assert_null (find_toplevel (JZ_TYPE_SETUP_WINDOW));
  g_assert_cmpstr (jz_store_get_station_code (jz_window_get_store (window)), ==, "320481-01");
}

static void
test_windows (Fixture *f, gconstpointer data)
{
  JzWindow *window;

  make_store ("default");
  g_application_activate (G_APPLICATION (f->app));
  window = find_toplevel (JZ_TYPE_WINDOW);
  g_assert_nonnull (window);
  g_assert_null (find_toplevel (JZ_TYPE_SETUP_WINDOW));

  /* A second activation raises the same window. */
  g_application_activate (G_APPLICATION (f->app));
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (f->app))), ==, 1);

  g_action_group_activate_action (G_ACTION_GROUP (f->app), "preferences", NULL);
  g_assert_nonnull (find_toplevel (JZ_TYPE_PREFERENCES_WINDOW));

  g_action_group_activate_action (G_ACTION_GROUP (f->app), "about", NULL);
  g_assert_nonnull (find_toplevel (ADW_TYPE_ABOUT_WINDOW));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  g_assert_nonnull (find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW));
}

static void
test_foreign_file (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  AdwMessageDialog *dialog;
  gsize len;

  g_assert_true (jz_profile_ensure_dir ("default", &error));
  path = jz_profile_db_path ("default");
  g_assert_true (g_file_set_contents (path, "Somebody's spreadsheet, not a store.", -1, NULL));
  g_assert_true (g_file_get_contents (path, &before, &len, NULL));

  g_application_activate (G_APPLICATION (f->app));
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, _("This File Is Not a Jiuzhu Store"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), path));
  g_assert_null (find_toplevel (JZ_TYPE_WINDOW));
  g_assert_null (find_toplevel (JZ_TYPE_SETUP_WINDOW));

  g_assert_true (g_file_get_contents (path, &after, &len, NULL));
  g_assert_cmpstr (before, ==, after);
  adw_message_dialog_response (dialog, "close");
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

  g_test_add ("/gui/app/first-run-then-main", Fixture, NULL, fixture_setup, test_first_run_then_main, fixture_teardown);
  g_test_add ("/gui/app/windows", Fixture, NULL, fixture_setup, test_windows, fixture_teardown);
  g_test_add ("/gui/app/foreign-file", Fixture, NULL, fixture_setup, test_foreign_file, fixture_teardown);

  return g_test_run ();
}
