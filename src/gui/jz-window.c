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
#include "jz-window.h"

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

  /* owned */
  JzStore              *store;
  JzCasePage           *case_page;
  char                 *return_view;  /* where "Back" goes from the case page */
};

enum {
  PROP_0,
  PROP_STORE,
  PROP_VIEW,
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
}

static void
jz_window_dispose (GObject *object)
{
  JzWindow *self = JZ_WINDOW (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->return_view, g_free);
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
  g_object_class_install_properties (object_class, N_PROPS, properties);

  jz_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiuzhu/Station/ui/jz-window.ui");
  gtk_widget_class_bind_template_child (widget_class, JzWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, JzWindow, content_box);
  gtk_widget_class_bind_template_child (widget_class, JzWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, JzWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, JzWindow, sidebar_title);
  gtk_widget_class_bind_template_child (widget_class, JzWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, JzWindow, case_back_button);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_visible_view_changed);

  gtk_widget_class_install_action (widget_class, "win.show-view", "s", show_view_action);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.show-case", "s", show_case_action);
  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, go_back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.go-back", NULL);

  for (guint i = 0; views[i] != NULL; i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "win.show-view", "s", views[i]);
}

static void
jz_window_init (JzWindow *self)
{
  g_autoptr(GListModel) pages = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

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

JzCasePage *
jz_window_get_case_page (JzWindow *self)
{
  g_return_val_if_fail (JZ_IS_WINDOW (self), NULL);
  return self->case_page;
}

const char * const *
jz_window_list_views (void)
{
  return views;
}
