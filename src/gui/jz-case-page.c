/* jz-case-page.c: one person's file (一人一档)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-case-page"

#include "config.h"

#include <glib/gi18n.h>

#include "jz-actions.h"
#include "jz-case-page.h"
#include "jz-gui-util.h"
#include "jz-records.h"

struct _JzCasePage
{
  GtkWidget             parent_instance;

  /* template widgets */
  GtkWidget            *scroller;
  AdwPreferencesGroup  *identity_group;
  AdwPreferencesGroup  *episodes_group;

  /* owned */
  JzStore              *store;
  JzPerson             *person;
  JzEpisode            *open_episode;
  char                 *title;
  GPtrArray            *rows;  /* widgets added to the groups, removed on reload */
};

enum {
  PROP_0,
  PROP_STORE,
  PROP_PERSON_ID,
  PROP_TITLE,
  N_PROPS
};

enum {
  SIGNAL_DEPART,
  SIGNAL_FOLLOWUP,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (JzCasePage, jz_case_page, GTK_TYPE_WIDGET)

static void
clear_rows (JzCasePage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = self->rows->pdata[i];
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      if (group != NULL)
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->rows, 0);
}

static void
add_row (JzCasePage          *self,
         AdwPreferencesGroup *group,
         const char          *title,
         const char          *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->rows, row);
}

static void
update_actions (JzCasePage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "case.depart",
                                 self->open_episode != NULL &&
                                 g_signal_has_handler_pending (self, signals[SIGNAL_DEPART], 0, TRUE));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "case.followup",
                                 self->person != NULL &&
                                 g_signal_has_handler_pending (self, signals[SIGNAL_FOLLOWUP], 0, TRUE));
}

static void
reload (JzCasePage *self)
{
  g_autoptr(GPtrArray) episodes = NULL;

  clear_rows (self);
  g_clear_pointer (&self->open_episode, jz_episode_free);
  if (self->person == NULL || self->store == NULL)
    return;

  add_row (self, self->identity_group, _("Name"), self->title);
  episodes = jz_store_list_episodes_of_person (self->store, self->person->rec.id, NULL);
  for (guint i = 0; episodes != NULL && i < episodes->len; i++)
    {
      JzEpisode *e = episodes->pdata[i];
      JzEpisodeStatus status;

      add_row (self, self->episodes_group, e->number,
               jz_episode_status_from_string (e->status, &status)
                 ? _(jz_episode_status_get_label (status)) : e->status);
      if (self->open_episode == NULL && !jz_episode_status_is_closed (status))
        self->open_episode = jz_record_copy (&jz_entity_episode, e);
    }
  update_actions (self);
}

static void
depart_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  JzCasePage *self = JZ_CASE_PAGE (widget);

  if (self->open_episode != NULL)
    g_signal_emit (self, signals[SIGNAL_DEPART], 0, self->open_episode->rec.id);
}

static void
followup_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  JzCasePage *self = JZ_CASE_PAGE (widget);

  if (self->person != NULL)
    g_signal_emit (self, signals[SIGNAL_FOLLOWUP], 0, self->person->rec.id,
                   self->open_episode ? self->open_episode->rec.id : NULL);
}

static void
jz_case_page_dispose (GObject *object)
{
  JzCasePage *self = JZ_CASE_PAGE (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), JZ_TYPE_CASE_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (jz_case_page_parent_class)->dispose (object);
}

static void
jz_case_page_finalize (GObject *object)
{
  JzCasePage *self = JZ_CASE_PAGE (object);

  g_clear_pointer (&self->person, jz_person_free);
  g_clear_pointer (&self->open_episode, jz_episode_free);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_free (self->title);
  G_OBJECT_CLASS (jz_case_page_parent_class)->finalize (object);
}

static void
jz_case_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  JzCasePage *self = JZ_CASE_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_PERSON_ID:
      g_value_set_string (value, jz_case_page_get_person_id (self));
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_case_page_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  JzCasePage *self = JZ_CASE_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      jz_case_page_set_store (self, g_value_get_object (value));
      break;
    case PROP_PERSON_ID:
      jz_case_page_set_person_id (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_case_page_class_init (JzCasePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jz_case_page_dispose;
  object_class->finalize = jz_case_page_finalize;
  object_class->get_property = jz_case_page_get_property;
  object_class->set_property = jz_case_page_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, JZ_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PERSON_ID] =
    g_param_spec_string ("person-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The Departure dialog's hook: (episode id). */
  signals[SIGNAL_DEPART] =
    g_signal_new ("depart", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* The Follow-up dialog's hook: (person id, episode id or NULL). */
  signals[SIGNAL_FOLLOWUP] =
    g_signal_new ("followup", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  jz_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiuzhu/Station/ui/jz-case-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JzCasePage, scroller);
  gtk_widget_class_bind_template_child (widget_class, JzCasePage, identity_group);
  gtk_widget_class_bind_template_child (widget_class, JzCasePage, episodes_group);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  gtk_widget_class_install_action (widget_class, "case.depart", NULL, depart_action);
  gtk_widget_class_install_action (widget_class, "case.followup", NULL, followup_action);
}

static void
jz_case_page_init (JzCasePage *self)
{
  self->rows = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  update_actions (self);
}

JzCasePage *
jz_case_page_new (JzStore *store)
{
  return g_object_new (JZ_TYPE_CASE_PAGE, "store", store, NULL);
}

JzStore *
jz_case_page_get_store (JzCasePage *self)
{
  g_return_val_if_fail (JZ_IS_CASE_PAGE (self), NULL);
  return self->store;
}

void
jz_case_page_set_store (JzCasePage *self,
                        JzStore    *store)
{
  g_return_if_fail (JZ_IS_CASE_PAGE (self));

  if (g_set_object (&self->store, store))
    {
      reload (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
    }
}

const char *
jz_case_page_get_person_id (JzCasePage *self)
{
  g_return_val_if_fail (JZ_IS_CASE_PAGE (self), NULL);
  return self->person ? self->person->rec.id : NULL;
}

gboolean
jz_case_page_set_person_id (JzCasePage *self,
                            const char *person_id)
{
  JzPerson *person = NULL;

  g_return_val_if_fail (JZ_IS_CASE_PAGE (self), FALSE);

  if (person_id != NULL && self->store != NULL)
    person = jz_store_get_person (self->store, person_id, NULL);
  g_clear_pointer (&self->person, jz_person_free);
  self->person = person;
  g_free (self->title);
  self->title = person ? jz_person_display_name (person) : NULL;
  reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERSON_ID]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  return person != NULL || person_id == NULL;
}

const char *
jz_case_page_get_episode_id (JzCasePage *self)
{
  g_return_val_if_fail (JZ_IS_CASE_PAGE (self), NULL);
  return self->open_episode ? self->open_episode->rec.id : NULL;
}

const char *
jz_case_page_get_title (JzCasePage *self)
{
  g_return_val_if_fail (JZ_IS_CASE_PAGE (self), NULL);
  return self->title;
}
