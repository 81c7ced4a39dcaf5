/* jz-window.c: the main window
 *
 * A leaflet with the areas in a sidebar and the current area beside it.
 * The sidebar is made from the stack's pages, so an area is added in one
 * place: ui/jz-window.ui.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-window"

#include "config.h"

#include "jz-gui-util.h"

#include <glib/gi18n.h>

#include "jz-application.h"
#include "jz-case-page.h"
#include "jz-cases-view.h"
#include "jz-departure-dialog.h"
#include "jz-followup-dialog.h"
#include "jz-followups-view.h"
#include "jz-intake-view.h"
#include "jz-tracing-view.h"
#include "jz-sign-in.h"
#include "jz-staff.h"
#include "jz-today-view.h"
#include "jz-sync-indicator.h"
#include "jz-sync-view.h"
#include "jz-transfer-dialog.h"
#include "jz-window.h"

/* How often idleness is checked; the lock comes at most this late. */
#define IDLE_CHECK_SECONDS 15

struct _JzWindow
{
  AdwApplicationWindow  parent_instance;

  /* template widgets */
  AdwLeaflet           *leaflet;
  GtkWidget            *content_box;
  GtkListBox           *sidebar;
  GtkStack             *stack;
  AdwWindowTitle       *sidebar_title;
  AdwWindowTitle       *content_title;
  GtkWidget            *case_back_button;
  JzCasesView          *cases_view;
  JzTodayView          *today_view;
  AdwHeaderBar         *sidebar_header;
  GtkWidget            *transfer_button;
  JzSyncIndicator      *sync_indicator;
  JzSyncIndicator      *sidebar_sync_indicator;
  JzSyncView           *sync_view;

  /* owned */
  JzStore              *store;
  JzSyncClient         *sync_client;
  JzCasePage           *case_page;
  char                 *return_view;  /* where "Back" goes from the case page */
  GtkStack             *lock_stack;   /* "main" or "sign-in"; the window's content */
  JzSignIn             *sign_in;
  GtkWidget            *staff_button;
  AdwAvatar            *staff_avatar;
  char                 *staff_id;     /* who is signed in; NULL while locked */
  char                 *last_staff_id;
  GSettings            *settings;
  gint64                last_input;   /* monotonic µs */
  guint                 idle_id;
  GPtrArray            *hidden_windows; /* dialogs hidden by the lock, shown again after */
  GWeakRef              focus_before_lock;
};

enum {
  PROP_0,
  PROP_STORE,
  PROP_VIEW,
  PROP_STAFF_ID,
  PROP_LOCKED,
  PROP_SYNC_CLIENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const views[] = {
  "today", "cases", "intake", "outreach", "tracing", "followups", "reports", "sync", NULL
};

G_DEFINE_FINAL_TYPE (JzWindow, jz_window, ADW_TYPE_APPLICATION_WINDOW)

static GtkWidget *
make_sidebar_row (GtkStackPage *page)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new_from_icon_name (gtk_stack_page_get_icon_name (page));
  GtkWidget *label = gtk_label_new (gtk_stack_page_get_title (page));

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "view",
                          g_strdup (gtk_stack_page_get_name (page)), g_free);
  return row;
}

static void
sync_sidebar_selection (JzWindow *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->stack);

  for (int i = 0;; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->sidebar, i);

      if (row == NULL)
        break;
      if (g_strcmp0 (g_object_get_data (G_OBJECT (row), "view"), name) == 0)
        {
          gtk_list_box_select_row (self->sidebar, row);
          break;
        }
    }
}

/* 提级办理 / 转送: hub workstations, on a case with an open episode. */
static void
update_transfer (JzWindow *self)
{
  gboolean on_case = gtk_stack_get_visible_child (self->stack) == GTK_WIDGET (self->case_page);
  gboolean hub = self->store != NULL && jz_store_get_station_level (self->store) == JZ_STATION_LEVEL_HUB;

  gtk_widget_set_visible (self->transfer_button, on_case && hub);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.transfer-case",
                                 on_case && hub && jz_case_page_get_episode_id (self->case_page) != NULL);
}

static void
transfer_case_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  JzWindow *self = JZ_WINDOW (widget);
  const char *episode_id = jz_case_page_get_episode_id (self->case_page);

  if (episode_id != NULL && self->store != NULL)
    gtk_window_present (GTK_WINDOW (jz_transfer_dialog_new (GTK_WINDOW (self), self->store, episode_id)));
}

static void
on_visible_view_changed (JzWindow *self)
{
  GtkWidget *child = gtk_stack_get_visible_child (self->stack);
  gboolean on_case = child != NULL && child == GTK_WIDGET (self->case_page);

  if (on_case)
    adw_window_title_set_title (self->content_title, jz_case_page_get_title (self->case_page));
  else if (child != NULL)
    adw_window_title_set_title (self->content_title,
                                gtk_stack_page_get_title (gtk_stack_get_page (self->stack, child)));
  if (self->case_back_button != NULL)
    gtk_widget_set_visible (self->case_back_button, on_case);
  sync_sidebar_selection (self);
  if (self->case_page != NULL)
    update_transfer (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
}

static void
on_sidebar_row_activated (JzWindow      *self,
                          GtkListBoxRow *row)
{
  jz_window_set_view (self, g_object_get_data (G_OBJECT (row), "view"));
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
show_view_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  JzWindow *self = JZ_WINDOW (widget);

  jz_window_set_view (self, g_variant_get_string (param, NULL));
  adw_leaflet_set_visible_child (self->leaflet, self->content_box);
}

/* win.show-case (s: person id): the person's file, with Back to the view
 * it was opened from. */
static void
show_case_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  jz_window_show_case (JZ_WINDOW (widget), g_variant_get_string (param, NULL));
}

/* The case page's hooks open the case-work dialogs over the window. */
static void
on_case_depart (JzWindow   *self,
                const char *episode_id)
{
  JzDepartureDialog *dialog = jz_departure_dialog_new (GTK_WINDOW (self), self->store, episode_id);

  if (dialog != NULL)
    gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_case_followup (JzWindow   *self,
                  const char *person_id,
                  const char *episode_id)
{
  JzFollowupDialog *dialog = jz_followup_dialog_new (GTK_WINDOW (self), self->store, person_id, episode_id, NULL);

  if (dialog != NULL)
    gtk_window_present (GTK_WINDOW (dialog));
}

static void
go_back_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  JzWindow *self = JZ_WINDOW (widget);

  if (g_strcmp0 (jz_window_get_view (self), "case") == 0)
    jz_window_set_view (self, self->return_view ? self->return_view : "cases");
}

static void
on_case_title_changed (JzWindow *self)
{
  if (gtk_stack_get_visible_child (self->stack) == GTK_WIDGET (self->case_page))
    adw_window_title_set_title (self->content_title, jz_case_page_get_title (self->case_page));
  update_transfer (self);
}

static void
set_locked_view (JzWindow *self,
                 gboolean  locked)
{
  gtk_stack_set_visible_child_name (self->lock_stack, locked ? "sign-in" : "main");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.lock", !locked);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCKED]);
}

static void
update_staff_button (JzWindow *self)
{
  g_autoptr(JzStaff) staff = NULL;
  g_autofree char *tooltip = NULL;

  if (self->staff_id != NULL && self->store != NULL)
    staff = jz_store_get_staff (self->store, self->staff_id, NULL);
  gtk_widget_set_visible (self->staff_button, staff != NULL);
  if (staff == NULL)
    return;
  adw_avatar_set_text (self->staff_avatar, staff->name);
  tooltip = g_strdup_printf (_("Signed in as %s. Lock the screen (Ctrl+L)"), staff->name);
  gtk_widget_set_tooltip_text (self->staff_button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->staff_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
}

static void
on_signed_in (JzWindow   *self,
              const char *staff_id)
{
  g_autoptr(GtkWidget) focus = g_weak_ref_get (&self->focus_before_lock);

  g_free (self->staff_id);
  self->staff_id = g_strdup (staff_id);
  g_free (self->last_staff_id);
  self->last_staff_id = g_strdup (staff_id);
  /* Every change from now on is recorded under this person's name. */
  jz_store_set_actor (self->store, staff_id);
  self->last_input = g_get_monotonic_time ();
  update_staff_button (self);
  set_locked_view (self, FALSE);

  for (guint i = 0; self->hidden_windows != NULL && i < self->hidden_windows->len; i++)
    gtk_window_present (self->hidden_windows->pdata[i]);
  g_clear_pointer (&self->hidden_windows, g_ptr_array_unref);
  if (focus != NULL && gtk_widget_get_root (focus) == GTK_ROOT (self))
    gtk_widget_grab_focus (focus);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAFF_ID]);
}

/* win.show-cases (s: filter): People & cases with only that filter on
 * ("in-station", "overdue", …; "" for none). */
static void
show_cases_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  JzWindow *self = JZ_WINDOW (widget);
  const char *filter = g_variant_get_string (param, NULL);

  jz_cases_view_show_filter (self->cases_view, filter[0] ? filter : NULL);
  jz_window_set_view (self, "cases");
  adw_leaflet_set_visible_child (self->leaflet, self->content_box);
}

/* Ctrl+F: the search of People & cases, from anywhere. */
static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  JzWindow *self = JZ_WINDOW (widget);

  jz_window_set_view (self, "cases");
  adw_leaflet_set_visible_child (self->leaflet, self->content_box);
  jz_cases_view_focus_search (self->cases_view);
}

static void
lock_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  jz_window_lock (JZ_WINDOW (widget));
}

static gboolean
on_any_event (GtkEventControllerLegacy *controller,
              GdkEvent                 *event,
              JzWindow                 *self)
{
  switch ((int) gdk_event_get_event_type (event))
    {
    case GDK_KEY_PRESS:
    case GDK_BUTTON_PRESS:
    case GDK_MOTION_NOTIFY:
    case GDK_SCROLL:
    case GDK_TOUCH_BEGIN:
      self->last_input = g_get_monotonic_time ();
      break;
    default:
      break;
    }
  return GDK_EVENT_PROPAGATE;
}

static gboolean
on_idle_check (gpointer user_data)
{
  JzWindow *self = user_data;
  guint minutes = self->settings ? g_settings_get_uint (self->settings, "lock-idle-minutes") : 10;

  if (self->staff_id != NULL &&
      jz_idle_should_lock (self->last_input, g_get_monotonic_time (), minutes))
    jz_window_lock (self);
  return G_SOURCE_CONTINUE;
}

static void
show_sidebar_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  adw_leaflet_navigate (JZ_WINDOW (widget)->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
setup_identity (JzWindow *self)
{
  g_autofree char *subtitle = NULL;

  if (self->store == NULL)
    return;

  subtitle = g_strdup_printf ("%s · %s",
                              jz_store_get_station_code (self->store),
                              jz_store_get_station_level (self->store) == JZ_STATION_LEVEL_HUB
                                ? _("City hub") : _("County station"));
  adw_window_title_set_title (self->sidebar_title, jz_store_get_station_name (self->store));
  adw_window_title_set_subtitle (self->sidebar_title, subtitle);
}

static void
jz_window_constructed (GObject *object)
{
  JzWindow *self = JZ_WINDOW (object);

  G_OBJECT_CLASS (jz_window_parent_class)->constructed (object);

  setup_identity (self);
  jz_case_page_set_store (self->case_page, self->store);
  jz_sign_in_set_store (self->sign_in, self->store);
  jz_sync_view_set_store (self->sync_view, self->store);
  /* Nobody is signed in yet: the store records the system until someone is. */
  set_locked_view (self, self->store != NULL);
}

static void
jz_window_dispose (GObject *object)
{
  JzWindow *self = JZ_WINDOW (object);

  g_clear_handle_id (&self->idle_id, g_source_remove);
  if (self->store != NULL && self->staff_id != NULL)
    jz_store_set_actor (self->store, NULL);
  g_clear_object (&self->store);
  g_clear_object (&self->sync_client);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->return_view, g_free);
  g_clear_pointer (&self->staff_id, g_free);
  g_clear_pointer (&self->last_staff_id, g_free);
  g_clear_pointer (&self->hidden_windows, g_ptr_array_unref);
  g_weak_ref_clear (&self->focus_before_lock);
  G_OBJECT_CLASS (jz_window_parent_class)->dispose (object);
}

static void
jz_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  JzWindow *self = JZ_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_VIEW:
      g_value_set_string (value, jz_window_get_view (self));
      break;
    case PROP_STAFF_ID:
      g_value_set_string (value, self->staff_id);
      break;
    case PROP_LOCKED:
      g_value_set_boolean (value, jz_window_is_locked (self));
      break;
    case PROP_SYNC_CLIENT:
      g_value_set_object (value, self->sync_client);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  JzWindow *self = JZ_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_set_object (&self->store, g_value_get_object (value));
      break;
    case PROP_VIEW:
      jz_window_set_view (self, g_value_get_string (value));
      break;
    case PROP_SYNC_CLIENT:
      jz_window_set_sync_client (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_window_class_init (JzWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = jz_window_constructed;
  object_class->dispose = jz_window_dispose;
  object_class->get_property = jz_window_get_property;
  object_class->set_property = jz_window_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, JZ_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VIEW] =
    g_param_spec_string ("view", NULL, NULL, "today",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STAFF_ID] =
    g_param_spec_string ("staff-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOCKED] =
    g_param_spec_boolean ("locked", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The application's sync, shown by the header-bar indicator and the
   * Hub & sync area (NULL: none running). */
  properties[PROP_SYNC_CLIENT] =
    g_param_spec_object ("sync-client", NULL, NULL, JZ_TYPE_SYNC_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  jz_gui_init ();
  g_type_ensure (JZ_TYPE_SYNC_INDICATOR);
  g_type_ensure (JZ_TYPE_SYNC_VIEW);
  /* The areas jz-window.ui names by type. */
  g_type_ensure (JZ_TYPE_INTAKE_VIEW);
  g_type_ensure (JZ_TYPE_CASES_VIEW);
  g_type_ensure (JZ_TYPE_TODAY_VIEW);
  g_type_ensure (JZ_TYPE_TRACING_VIEW);
  g_type_ensure (JZ_TYPE_FOLLOWUPS_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiuzhu/Station/ui/jz-window.ui");
  gtk_widget_class_bind_template_child (widget_class, JzWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, JzWindow, content_box);
  gtk_widget_class_bind_template_child (widget_class, JzWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, JzWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, JzWindow, sidebar_title);
  gtk_widget_class_bind_template_child (widget_class, JzWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, JzWindow, case_back_button);
  gtk_widget_class_bind_template_child (widget_class, JzWindow, cases_view);
  gtk_widget_class_bind_template_child (widget_class, JzWindow, today_view);
  gtk_widget_class_bind_template_child (widget_class, JzWindow, sidebar_header);
  gtk_widget_class_bind_template_child (widget_class, JzWindow, transfer_button);
  gtk_widget_class_bind_template_child (widget_class, JzWindow, sync_indicator);
  gtk_widget_class_bind_template_child (widget_class, JzWindow, sidebar_sync_indicator);
  gtk_widget_class_bind_template_child (widget_class, JzWindow, sync_view);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_visible_view_changed);

  gtk_widget_class_install_action (widget_class, "win.show-view", "s", show_view_action);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.show-case", "s", show_case_action);
  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, go_back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.go-back", NULL);
  gtk_widget_class_install_action (widget_class, "win.show-cases", "s", show_cases_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.show-view", "s", "intake");
  gtk_widget_class_install_action (widget_class, "win.lock", NULL, lock_action);
  gtk_widget_class_install_action (widget_class, "win.transfer-case", NULL, transfer_case_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.lock", NULL);

  for (guint i = 0; views[i] != NULL; i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "win.show-view", "s", views[i]);
}

static void
jz_window_init (JzWindow *self)
{
  g_autoptr(GListModel) pages = NULL;
  GtkEventController *legacy;
  GtkWidget *main_content;

  gtk_widget_init_template (GTK_WIDGET (self));
  g_weak_ref_init (&self->focus_before_lock, NULL);

  /* The areas and the sign-in are pages of one stack, so locking hides
   * the areas without destroying what is typed in them. */
  main_content = g_object_ref (adw_application_window_get_content (ADW_APPLICATION_WINDOW (self)));
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (self), NULL);
  self->lock_stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_transition_type (self->lock_stack, GTK_STACK_TRANSITION_TYPE_CROSSFADE);
  gtk_stack_add_named (self->lock_stack, main_content, "main");
  g_object_unref (main_content);
  self->sign_in = jz_sign_in_new (NULL);
  gtk_stack_add_named (self->lock_stack, GTK_WIDGET (self->sign_in), "sign-in");
  g_signal_connect_object (self->sign_in, "signed-in", G_CALLBACK (on_signed_in), self, G_CONNECT_SWAPPED);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (self), GTK_WIDGET (self->lock_stack));

  self->staff_avatar = ADW_AVATAR (adw_avatar_new (24, NULL, TRUE));
  self->staff_button = gtk_button_new ();
  gtk_button_set_child (GTK_BUTTON (self->staff_button), GTK_WIDGET (self->staff_avatar));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->staff_button), "win.lock");
  gtk_widget_add_css_class (self->staff_button, "flat");
  gtk_widget_add_css_class (self->staff_button, "circular");
  gtk_widget_set_visible (self->staff_button, FALSE);
  adw_header_bar_pack_start (self->sidebar_header, self->staff_button);

  legacy = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (legacy, GTK_PHASE_CAPTURE);
  g_signal_connect (legacy, "event", G_CALLBACK (on_any_event), self);
  gtk_widget_add_controller (GTK_WIDGET (self), legacy);
  self->last_input = g_get_monotonic_time ();
  self->idle_id = g_timeout_add_seconds (IDLE_CHECK_SECONDS, on_idle_check, self);

  pages = G_LIST_MODEL (gtk_stack_get_pages (self->stack));
  for (guint i = 0; i < g_list_model_get_n_items (pages); i++)
    {
      g_autoptr(GObject) page = g_list_model_get_item (pages, i);
      gtk_list_box_append (self->sidebar, make_sidebar_row (GTK_STACK_PAGE (page)));
    }

  /* The case page is reached from the views, not from the sidebar. */
  self->case_page = jz_case_page_new (NULL);
  gtk_stack_add_titled (self->stack, GTK_WIDGET (self->case_page), "case", _("Case"));
  g_signal_connect_object (self->case_page, "notify::title",
                           G_CALLBACK (on_case_title_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->case_page, "depart", G_CALLBACK (on_case_depart), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->case_page, "followup", G_CALLBACK (on_case_followup), self, G_CONNECT_SWAPPED);
  on_visible_view_changed (self);
}

JzWindow *
jz_window_new (AdwApplication *application,
               JzStore        *store)
{
  JzWindow *self = g_object_new (JZ_TYPE_WINDOW,
                                 "application", application,
                                 "store", store,
                                 NULL);

  /* The application is set after construction, so the size is bound here. */
  if (JZ_IS_APPLICATION (application))
    {
      GSettings *settings = jz_application_get_settings (JZ_APPLICATION (application));

      g_settings_bind (settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
      g_set_object (&self->settings, settings);
    }
  return self;
}

JzStore *
jz_window_get_store (JzWindow *self)
{
  g_return_val_if_fail (JZ_IS_WINDOW (self), NULL);
  return self->store;
}

const char *
jz_window_get_view (JzWindow *self)
{
  g_return_val_if_fail (JZ_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

gboolean
jz_window_set_view (JzWindow   *self,
                    const char *name)
{
  g_return_val_if_fail (JZ_IS_WINDOW (self), FALSE);

  if (name == NULL || gtk_stack_get_child_by_name (self->stack, name) == NULL)
    return FALSE;
  gtk_stack_set_visible_child_name (self->stack, name);
  return TRUE;
}

gboolean
jz_window_show_case (JzWindow   *self,
                     const char *person_id)
{
  const char *current;

  g_return_val_if_fail (JZ_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (person_id != NULL, FALSE);

  if (!jz_case_page_set_person_id (self->case_page, person_id))
    return FALSE;
  current = jz_window_get_view (self);
  if (g_strcmp0 (current, "case") != 0)
    {
      g_free (self->return_view);
      self->return_view = g_strdup (current);
    }
  jz_window_set_view (self, "case");
  on_case_title_changed (self);
  adw_leaflet_set_visible_child (self->leaflet, self->content_box);
  return TRUE;
}

gboolean
jz_idle_should_lock (gint64 last_input_us,
                     gint64 now_us,
                     guint  minutes)
{
  return minutes > 0 && now_us - last_input_us >= (gint64) minutes * 60 * G_USEC_PER_SEC;
}

void
jz_window_lock (JzWindow *self)
{
  GList *toplevels;

  g_return_if_fail (JZ_IS_WINDOW (self));

  if (jz_window_is_locked (self))
    return;

  g_weak_ref_set (&self->focus_before_lock, gtk_root_get_focus (GTK_ROOT (self)));
  /* Dialogs over the window would stay readable: hide them until someone
   * signs in again, with what was typed in them. */
  g_clear_pointer (&self->hidden_windows, g_ptr_array_unref);
  self->hidden_windows = g_ptr_array_new_with_free_func (g_object_unref);
  toplevels = gtk_window_list_toplevels ();
  for (GList *l = toplevels; l != NULL; l = l->next)
    if (gtk_window_get_transient_for (l->data) == GTK_WINDOW (self) && gtk_widget_get_visible (l->data))
      {
        g_ptr_array_add (self->hidden_windows, g_object_ref (l->data));
        gtk_widget_set_visible (l->data, FALSE);
      }
  g_list_free (toplevels);

  g_clear_pointer (&self->staff_id, g_free);
  if (self->store != NULL)
    jz_store_set_actor (self->store, NULL);
  update_staff_button (self);
  jz_sign_in_reset (self->sign_in, self->last_staff_id);
  set_locked_view (self, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->sign_in));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAFF_ID]);
}

gboolean
jz_window_is_locked (JzWindow *self)
{
  g_return_val_if_fail (JZ_IS_WINDOW (self), FALSE);
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->lock_stack), "sign-in") == 0;
}

const char *
jz_window_get_staff_id (JzWindow *self)
{
  g_return_val_if_fail (JZ_IS_WINDOW (self), NULL);
  return self->staff_id;
}

JzSignIn *
jz_window_get_sign_in (JzWindow *self)
{
  g_return_val_if_fail (JZ_IS_WINDOW (self), NULL);
  return self->sign_in;
}

void
jz_window_show_without_sign_in (JzWindow *self)
{
  g_return_if_fail (JZ_IS_WINDOW (self));
  set_locked_view (self, FALSE);
}

JzCasePage *
jz_window_get_case_page (JzWindow *self)
{
  g_return_val_if_fail (JZ_IS_WINDOW (self), NULL);
  return self->case_page;
}

JzSyncClient *
jz_window_get_sync_client (JzWindow *self)
{
  g_return_val_if_fail (JZ_IS_WINDOW (self), NULL);
  return self->sync_client;
}

void
jz_window_set_sync_client (JzWindow     *self,
                           JzSyncClient *client)
{
  g_return_if_fail (JZ_IS_WINDOW (self));
  g_return_if_fail (client == NULL || JZ_IS_SYNC_CLIENT (client));

  if (!g_set_object (&self->sync_client, client))
    return;
  jz_sync_indicator_set_client (self->sync_indicator, client);
  jz_sync_indicator_set_client (self->sidebar_sync_indicator, client);
  jz_sync_view_set_client (self->sync_view, client);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_CLIENT]);
}

const char * const *
jz_window_list_views (void)
{
  return views;
}
