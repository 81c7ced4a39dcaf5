/* jz-setup-window.c: first run, the station's identity
 *
 * Asks for the station's name, code and level, checks the code against the
 * GB/T 2260 table as it is typed, and creates the profile's store. Nothing is
 * written until every field is valid and the button is pressed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-setup"

#include "config.h"

#include "jz-gui-util.h"

#include <glib/gi18n.h>
#include <string.h>

#include "jz-profile.h"
#include "jz-regions.h"
#include "jz-setup-window.h"
#include "jz-station.h"

struct _JzSetupWindow
{
  AdwApplicationWindow  parent_instance;

  /* template widgets */
  AdwEntryRow          *name_row;
  AdwEntryRow          *code_row;
  AdwComboRow          *level_row;
  GtkLabel             *code_message;
  GtkButton            *create_button;

  /* owned */
  char                 *profile;
};

enum {
  PROP_0,
  PROP_PROFILE,
  PROP_CAN_CREATE,
  N_PROPS
};

enum {
  STORE_CREATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (JzSetupWindow, jz_setup_window, ADW_TYPE_APPLICATION_WINDOW)

/* What the code field says under it: the area's name when valid, else why
 * not. Returns TRUE when the code is valid. */
static gboolean
describe_code (const char  *code,
               char       **message)
{
  g_autoptr(GError) error = NULL;

  if (code == NULL || *code == '\0')
    {
      *message = g_strdup (_("The station code is the 6-digit GB/T 2260 code of the station's county or city, a dash, and a 2-digit number."));
      return FALSE;
    }
  if (!jz_station_code_validate (code, &error))
    {
      char region[7] = { 0, };
      const JzRegion *r;

      if (strlen (code) < 9 || code[6] != '-')
        *message = g_strdup_printf (_("“%s” is not a station code yet: type 6 digits of the area code, a dash and 2 digits, e.g. 320481-01."), code);
      else if (code[7] == '0' && code[8] == '0')
        *message = g_strdup (_("The number after the dash must be 01 to 99, not 00."));
      else
        {
          memcpy (region, code, 6);
          r = jz_regions_lookup (region);
          if (r == NULL)
            *message = g_strdup_printf (_("%s is not a GB/T 2260 area code. Use the code of the station's county or city."), region);
          else if (r->level == JZ_REGION_LEVEL_PROVINCE)
            *message = g_strdup_printf (_("%s is the code of a province (%s). Use the code of the station's county or city."), region, r->name);
          else if (r->abolished)
            *message = g_strdup_printf (_("%s (%s) is an abolished area code. Use the current code of the station's county or city."), region, r->name);
          else
            *message = g_strdup (error->message);
        }
      return FALSE;
    }
  else
    {
      char region[7] = { 0, };
      g_autofree char *full = NULL;

      memcpy (region, code, 6);
      full = jz_regions_full_name (region);
      *message = g_strdup_printf (_("Station %s of %s"), code + 7, full);
      return TRUE;
    }
}

static gboolean
name_is_valid (const char *name)
{
  g_autofree char *stripped = g_strstrip (g_strdup (name ? name : ""));
  return *stripped != '\0';
}

static void
update_state (JzSetupWindow *self)
{
  const char *code = gtk_editable_get_text (GTK_EDITABLE (self->code_row));
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autofree char *message = NULL;
  gboolean code_ok = describe_code (code, &message);
  gboolean typed = code != NULL && *code != '\0';
  gboolean was = gtk_widget_get_sensitive (GTK_WIDGET (self->create_button));
  gboolean can = code_ok && name_is_valid (name);

  gtk_label_set_label (self->code_message, message);
  if (typed && !code_ok)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->code_row), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->code_message), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->code_message), "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->code_row), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->code_message), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->code_message), "dim-label");
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), can);
  if (was != can)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_CREATE]);
}

static void
show_error (JzSetupWindow *self,
            const char    *heading,
            const char    *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_input_changed (JzSetupWindow *self)
{
  update_state (self);
}

static void
on_create_clicked (JzSetupWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  const char *code = gtk_editable_get_text (GTK_EDITABLE (self->code_row));
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  JzStationLevel level = adw_combo_row_get_selected (self->level_row) == 1
                         ? JZ_STATION_LEVEL_HUB : JZ_STATION_LEVEL_COUNTY;

  if (!jz_setup_window_get_can_create (self))
    return;

  dir = jz_profile_dir (self->profile);
  if (!jz_profile_ensure_dir (self->profile, &error))
    {
      g_autofree char *body = g_strdup_printf (_("Jiuzhu could not use the folder %s: %s\n\nMake the folder writable, or set JIUZHU_DATA_DIR to a folder you can write to, and try again."),
                                               dir, error->message);
      show_error (self, _("Cannot Save the Station"), body);
      return;
    }

  path = jz_profile_db_path (self->profile);
  store = jz_store_create (path, code, name, level, &error);
  if (store == NULL)
    {
      g_autofree char *body = g_strdup_printf (_("Jiuzhu could not create %s: %s"), path, error->message);
      show_error (self, _("Cannot Save the Station"), body);
      return;
    }

  g_signal_emit (self, signals[STORE_CREATED], 0, store);
}

static void
on_entry_activated (JzSetupWindow *self)
{
  if (jz_setup_window_get_can_create (self))
    on_create_clicked (self);
}

static void
jz_setup_window_finalize (GObject *object)
{
  JzSetupWindow *self = (JzSetupWindow *) object;

  g_free (self->profile);
  G_OBJECT_CLASS (jz_setup_window_parent_class)->finalize (object);
}

static void
jz_setup_window_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  JzSetupWindow *self = JZ_SETUP_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      g_value_set_string (value, self->profile);
      break;
    case PROP_CAN_CREATE:
      g_value_set_boolean (value, jz_setup_window_get_can_create (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_setup_window_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  JzSetupWindow *self = JZ_SETUP_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      g_free (self->profile);
      self->profile = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_setup_window_class_init (JzSetupWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = jz_setup_window_finalize;
  object_class->get_property = jz_setup_window_get_property;
  object_class->set_property = jz_setup_window_set_property;

  properties[PROP_PROFILE] =
    g_param_spec_string ("profile", NULL, NULL, JZ_DEFAULT_PROFILE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_CREATE] =
    g_param_spec_boolean ("can-create", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * JzSetupWindow::store-created:
   * @store: the new store
   */
  signals[STORE_CREATED] =
    g_signal_new ("store-created",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, JZ_TYPE_STORE);

  jz_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiuzhu/Station/ui/jz-setup-window.ui");
  gtk_widget_class_bind_template_child (widget_class, JzSetupWindow, name_row);
  gtk_widget_class_bind_template_child (widget_class, JzSetupWindow, code_row);
  gtk_widget_class_bind_template_child (widget_class, JzSetupWindow, level_row);
  gtk_widget_class_bind_template_child (widget_class, JzSetupWindow, code_message);
  gtk_widget_class_bind_template_child (widget_class, JzSetupWindow, create_button);
  gtk_widget_class_bind_template_callback (widget_class, on_input_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_create_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
}

static void
jz_setup_window_init (JzSetupWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->code_row),
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, self->code_message, NULL,
                                  -1);
}

JzSetupWindow *
jz_setup_window_new (AdwApplication *application,
                     const char     *profile)
{
  return g_object_new (JZ_TYPE_SETUP_WINDOW,
                       "application", application,
                       "profile", profile,
                       NULL);
}

gboolean
jz_setup_window_get_can_create (JzSetupWindow *self)
{
  g_return_val_if_fail (JZ_IS_SETUP_WINDOW (self), FALSE);
  return gtk_widget_get_sensitive (GTK_WIDGET (self->create_button));
}
