/* jz-application.c
 *
 * Opens the profile's store, or runs first-time set-up when there is none.
 * A store that cannot be used is explained in a dialog and left untouched.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-application"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "jz-actions.h"
#include "jz-application.h"
#include "jz-pinyin.h"
#include "jz-gui-util.h"
#include "jz-hub-page.h"
#include "jz-preferences-window.h"
#include "jz-profile.h"
#include "jz-setup-window.h"
#include "jz-sync-client.h"
#include "jz-window.h"

struct _JzApplication
{
  AdwApplication  parent_instance;

  char           *profile;
  char           *view;
  char           *screenshot;
  int             width;
  int             height;
  JzStore        *store;
  JzSyncClient   *sync_client;
  GSettings      *settings;
};

G_DEFINE_FINAL_TYPE (JzApplication, jz_application, ADW_TYPE_APPLICATION)

static void
apply_window_options (JzApplication *self,
                  GtkWindow     *window)
{
  if (self->width > 0)
    gtk_window_set_default_size (window, self->width, self->height);
  if (self->screenshot != NULL)
    jz_window_save_png_when_drawn (window, self->screenshot, TRUE);
}

/* The windows opened over the main one that --view can also show, so a
 * reviewer can draw them with build-aux/screenshot. */
static const struct {
  const char *view;
  const char *action;
} dialog_views[] = {
  { "preferences", "app.preferences" },
  { "hub", "app.hub-preferences" },
  { "about", "app.about" },
  { "shortcuts", "win.show-help-overlay" },
};

/* --view case: the file of the person admitted longest ago among those
 * still in the station, else of the latest case. */
static void
show_some_case (JzApplication *self,
                JzWindow      *window)
{
  g_autoptr(GPtrArray) open = jz_store_list_open_episodes (self->store, NULL);
  g_autoptr(GPtrArray) latest = NULL;
  const char *person_id = NULL;

  if (open != NULL && open->len > 0)
    person_id = ((JzEpisode *) open->pdata[open->len - 1])->person_id;
  else if ((latest = jz_store_list_cases (self->store, 0, 1, NULL)) != NULL && latest->len > 0)
    person_id = ((JzCaseRow *) latest->pdata[0])->person_id;
  if (person_id == NULL || !jz_window_show_case (window, person_id))
    g_warning ("There is no case to show");
}

/* One sync thread per profile, from when its store is open until the
 * application quits. It only runs while the device is enrolled; the Hub
 * preferences start it after an enrolment. */
static void
ensure_sync_client (JzApplication *self)
{
  if (self->sync_client != NULL || self->store == NULL)
    return;
  self->sync_client = jz_sync_client_new (jz_store_get_path (self->store), self->store);
  if (jz_sync_client_get_enrolled (self->sync_client))
    jz_sync_client_start (self->sync_client);
}

static void
open_main_window (JzApplication *self)
{
  JzWindow *window;
  const char *action = NULL;

  /* A save does not wait for the WAL checkpoint (bench README, Store). */
  jz_store_set_checkpoint_aside (self->store, TRUE);
  ensure_sync_client (self);
  window = jz_window_new (ADW_APPLICATION (self), self->store);
  jz_window_set_sync_client (window, self->sync_client);

  for (guint i = 0; self->view != NULL && i < G_N_ELEMENTS (dialog_views); i++)
    if (g_str_equal (self->view, dialog_views[i].view))
      action = dialog_views[i].action;

  /* A screenshot quits once drawn, so it may show the areas without
   * anyone signed in; "signin" shows the sign-in itself. */
  if (self->screenshot != NULL && g_strcmp0 (self->view, "signin") != 0)
    jz_window_show_without_sign_in (window);
  if (g_strcmp0 (self->view, "case") == 0)
    show_some_case (self, window);
  else if (self->view != NULL && action == NULL && !g_str_equal (self->view, "signin") &&
           !jz_window_set_view (window, self->view))
    g_warning ("There is no view called “%s”", self->view);

  if (action == NULL)
    {
      apply_window_options (self, GTK_WINDOW (window));
      gtk_window_present (GTK_WINDOW (window));
      return;
    }

  if (self->width > 0)
    gtk_window_set_default_size (GTK_WINDOW (window), self->width, self->height);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), action, NULL);
  if (self->screenshot != NULL)
    {
      GtkWindow *top = NULL;
      GList *windows = gtk_window_list_toplevels ();

      for (GList *l = windows; l != NULL; l = l->next)
        if (l->data != (gpointer) window && gtk_widget_get_visible (l->data))
          top = l->data;
      g_list_free (windows);
      jz_window_save_png_when_drawn (top ? top : GTK_WINDOW (window), self->screenshot, TRUE);
    }
}

static void
on_store_created (JzApplication *self,
                  JzStore       *store,
                  GtkWindow     *setup)
{
  g_set_object (&self->store, store);
  open_main_window (self);
  gtk_window_destroy (setup);
}

static void
on_error_response (AdwMessageDialog *dialog,
                   const char       *response,
                   JzApplication    *self)
{
  g_application_release (G_APPLICATION (self));
}

static void
show_store_error (JzApplication *self,
                  const char    *path,
                  GError        *error)
{
  const char *heading;
  GtkWidget *dialog;

  if (g_error_matches (error, JZ_STORE_ERROR, JZ_STORE_ERROR_TOO_NEW))
    heading = _("This Store Needs a Newer Jiuzhu");
  else if (g_error_matches (error, JZ_STORE_ERROR, JZ_STORE_ERROR_NOT_A_STORE))
    heading = _("This File Is Not a Jiuzhu Store");
  else
    heading = _("Cannot Open the Station's Store");

  dialog = adw_message_dialog_new (NULL, heading, NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("%s\n\nThe file was not changed. Profile: %s"),
                                  error->message, self->profile);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  g_application_hold (G_APPLICATION (self));
  g_signal_connect (dialog, "response", G_CALLBACK (on_error_response), self);
  apply_window_options (self, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
jz_application_activate (GApplication *app)
{
  JzApplication *self = JZ_APPLICATION (app);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window != NULL)
    {
      gtk_window_present (window);
      return;
    }

  path = jz_profile_db_path (self->profile);
  if (self->store == NULL)
    self->store = jz_store_open (path, &error);

  if (self->store != NULL)
    open_main_window (self);
  else if (g_error_matches (error, JZ_STORE_ERROR, JZ_STORE_ERROR_NOT_FOUND))
    {
      JzSetupWindow *setup = jz_setup_window_new (ADW_APPLICATION (app), self->profile);

      g_signal_connect_object (setup, "store-created", G_CALLBACK (on_store_created), self,
                               G_CONNECT_SWAPPED);
      apply_window_options (self, GTK_WINDOW (setup));
      gtk_window_present (GTK_WINDOW (setup));
    }
  else
    show_store_error (self, path, error);
}

static int
jz_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  JzApplication *self = JZ_APPLICATION (app);
  const char *profile = NULL;
  const char *size = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("jiuzhu %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (g_variant_dict_lookup (options, "profile", "&s", &profile))
    {
      if (!jz_profile_name_is_valid (profile))
        {
          g_printerr ("jiuzhu: “%s” is not a valid profile name: use letters, digits, “-”, “_” and “.”\n",
                      profile);
          return 2;
        }
      g_free (self->profile);
      self->profile = g_strdup (profile);
    }
  g_variant_dict_lookup (options, "view", "s", &self->view);
  g_variant_dict_lookup (options, "screenshot", "^ay", &self->screenshot);
  if (self->screenshot != NULL)
    g_setenv ("ADW_DISABLE_PORTAL", "1", TRUE);
  if (g_variant_dict_lookup (options, "window-size", "&s", &size) &&
      (sscanf (size, "%dx%d", &self->width, &self->height) != 2 ||
       self->width < 360 || self->height < 400))
    {
      g_printerr ("jiuzhu: --window-size wants WIDTHxHEIGHT, at least 360x400, e.g. 1024x768\n");
      return 2;
    }

  /* One instance per profile: a second start with the same profile raises
   * the first window; another profile is its own instance. */
  if (g_strcmp0 (self->profile, JZ_DEFAULT_PROFILE) != 0 || self->screenshot != NULL)
    {
      g_autofree char *id = g_strdup_printf ("%s.p%s", APP_ID, self->profile);

      for (char *p = id + strlen (APP_ID) + 2; *p; p++)
        if (!g_ascii_isalnum (*p))
          *p = '_';
      if (self->screenshot != NULL)
        g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
      else
        g_application_set_application_id (app, id);
    }

  return -1;
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  JzApplication *self = user_data;
  const char *developers[] = { _("The Jiuzhu developers"), NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-name", _("Jiuzhu"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Jiuzhu developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Case work for relief-management stations: intake, stay, family tracing, departure and follow-up, offline first."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static JzPreferencesWindow *
present_preferences (JzApplication *self)
{
  JzPreferencesWindow *prefs;

  prefs = jz_preferences_window_new (gtk_application_get_active_window (GTK_APPLICATION (self)),
                                     self->settings, self->store);
  if (self->store != NULL)
    adw_preferences_window_add (ADW_PREFERENCES_WINDOW (prefs),
                                ADW_PREFERENCES_PAGE (jz_hub_page_new (self->store, self->sync_client)));
  gtk_window_present (GTK_WINDOW (prefs));
  return prefs;
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  present_preferences (user_data);
}

/* Preferences, opened on the Hub page (from the Hub & sync area). */
static void
hub_preferences_action (GSimpleAction *action,
                        GVariant      *param,
                        gpointer       user_data)
{
  JzApplication *self = user_data;
  JzPreferencesWindow *prefs = present_preferences (self);

  /* Without a store there is no Hub page. */
  if (self->store != NULL)
    adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "hub");
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "preferences", preferences_action },
  { "hub-preferences", hub_preferences_action },
  { "quit", quit_action },
};

static void
update_color_scheme (JzApplication *self)
{
  static const AdwColorScheme schemes[] = {
    ADW_COLOR_SCHEME_DEFAULT, ADW_COLOR_SCHEME_FORCE_LIGHT, ADW_COLOR_SCHEME_FORCE_DARK,
  };
  guint i = (guint) g_settings_get_enum (self->settings, "color-scheme");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      schemes[MIN (i, G_N_ELEMENTS (schemes) - 1)]);
}

static void
jz_application_startup (GApplication *app)
{
  JzApplication *self = JZ_APPLICATION (app);
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *prefs_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (jz_application_parent_class)->startup (app);
  /* The first keystroke of a search (pinyin of what is typed) would
   * otherwise wait for ICU to load its rules. */
  jz_pinyin_warm_up ();

  /* A screenshot shows the settled window, not a transition. */
  if (self->screenshot != NULL)
    g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", prefs_accels);

  g_signal_connect_object (self->settings, "changed::color-scheme",
                           G_CALLBACK (update_color_scheme), self, G_CONNECT_SWAPPED);
  update_color_scheme (self);
}

/* The sync thread is told to stop and joined: a request under way is
 * cancelled (curl checks the cancellable), so quitting never waits for
 * the network. */
static void
jz_application_shutdown (GApplication *app)
{
  JzApplication *self = JZ_APPLICATION (app);

  if (self->sync_client != NULL)
    jz_sync_client_stop (self->sync_client);
  G_APPLICATION_CLASS (jz_application_parent_class)->shutdown (app);
}

static void
jz_application_finalize (GObject *object)
{
  JzApplication *self = JZ_APPLICATION (object);

  if (self->sync_client != NULL)
    jz_sync_client_stop (self->sync_client);
  g_clear_object (&self->sync_client);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_free (self->profile);
  g_free (self->view);
  g_free (self->screenshot);

  G_OBJECT_CLASS (jz_application_parent_class)->finalize (object);
}

static void
jz_application_class_init (JzApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = jz_application_finalize;
  app_class->activate = jz_application_activate;
  app_class->startup = jz_application_startup;
  app_class->shutdown = jz_application_shutdown;
  app_class->handle_local_options = jz_application_handle_local_options;
}

static void
jz_application_init (JzApplication *self)
{
  static const GOptionEntry entries[] = {
    { "profile", 'p', 0, G_OPTION_ARG_STRING, NULL,
      N_("Open the device profile NAME (default: default)"), N_("NAME") },
    { "view", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Start on the area NAME: today, cases, intake, outreach, tracing, followups, reports or sync"), N_("NAME") },
    { "screenshot", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, NULL,
      "Write a PNG of the first window once it is drawn, then quit", "FILE" },
    { "window-size", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, NULL,
      "Open the window at WIDTHxHEIGHT", "WxH" },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version"), NULL },
    { NULL }
  };

  jz_gui_init ();
  self->profile = g_strdup (JZ_DEFAULT_PROFILE);
  self->settings = g_settings_new (APP_ID);
  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

JzApplication *
jz_application_new (void)
{
  return g_object_new (JZ_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/cn/jiuzhu/Station",
                       NULL);
}

const char *
jz_application_get_profile (JzApplication *self)
{
  g_return_val_if_fail (JZ_IS_APPLICATION (self), NULL);
  return self->profile;
}

JzStore *
jz_application_get_store (JzApplication *self)
{
  g_return_val_if_fail (JZ_IS_APPLICATION (self), NULL);
  return self->store;
}

JzSyncClient *
jz_application_get_sync_client (JzApplication *self)
{
  g_return_val_if_fail (JZ_IS_APPLICATION (self), NULL);
  return self->sync_client;
}

GSettings *
jz_application_get_settings (JzApplication *self)
{
  g_return_val_if_fail (JZ_IS_APPLICATION (self), NULL);
  return self->settings;
}
