/* jz-cases-view.c: People & cases
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-cases-view"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "jz-cases-view.h"
#include "jz-episode-rules.h"
#include "jz-gui-util.h"
#include "jz-idcard.h"
#include "jz-records.h"

struct _JzCasesView
{
  GtkWidget         parent_instance;

  /* template widgets */
  GtkWidget        *box;
  GtkSearchEntry   *search_entry;
  GtkDropDown      *sort_dropdown;
  GtkDropDown      *status_dropdown;
  GtkDropDown      *category_dropdown;
  GtkToggleButton  *in_station_toggle;
  GtkToggleButton  *minors_toggle;
  GtkToggleButton  *overdue_toggle;
  GtkToggleButton  *departed_toggle;
  GtkStack         *list_stack;
  GtkWidget        *scroller;
  GtkColumnView    *column_view;
  AdwStatusPage    *empty_page;
  GtkLabel         *count_label;

  GtkMenuButton    *columns_button;

  /* owned */
  JzStore          *store;
  JzCaseListModel  *model;
  GSettings        *settings;         /* NULL without the app's schema */
  GSimpleActionGroup *actions;
  GtkColumnViewColumn *columns[JZ_CASES_N_COLUMNS];
  guint             search_idle_id;
};

G_DEFINE_FINAL_TYPE (JzCasesView, jz_cases_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Status drop-down rows, after "Any status". */
static const char * const status_ids[] = {
  "screening", "admitted", "refused", "hospital", "police", "departed",
};
static const char * const category_ids[] = { "vagrant", "temporary" };

/* Column ids in the setting case-list-hidden-columns and the actions
 * cases.column-<id>; the case number and the name are always shown. */
static const char * const column_ids[JZ_CASES_N_COLUMNS] = {
  [JZ_CASES_COLUMN_NUMBER] = "number",
  [JZ_CASES_COLUMN_NAME] = "name",
  [JZ_CASES_COLUMN_SEX] = "sex",
  [JZ_CASES_COLUMN_AGE] = "age",
  [JZ_CASES_COLUMN_STATUS] = "status",
  [JZ_CASES_COLUMN_NOTES] = "notes",
  [JZ_CASES_COLUMN_ADMITTED] = "admitted",
  [JZ_CASES_COLUMN_DEPARTED] = "departed",
  [JZ_CASES_COLUMN_ID_NUMBER] = "id-number",
};

/* Hidden when there is no setting (the schema's default too): each shown
 * column is 200 cells GTK 4.8's column view keeps alive, and a search
 * that fills the list creates them at once. The status tells who left;
 * the ID number is masked in the list and found by the search. */
static const char * const default_hidden[] = { "departed", "id-number", NULL };

static gboolean
column_optional (JzCasesColumn column)
{
  return column != JZ_CASES_COLUMN_NUMBER && column != JZ_CASES_COLUMN_NAME;
}

const char *
jz_cases_column_title (JzCasesColumn column)
{
  switch (column)
    {
    case JZ_CASES_COLUMN_NUMBER: return _("Case number");
    case JZ_CASES_COLUMN_NAME: return _("Name");
    case JZ_CASES_COLUMN_SEX: return _("Sex");
    case JZ_CASES_COLUMN_AGE: return _("Age");
    case JZ_CASES_COLUMN_STATUS: return _("Status");
    case JZ_CASES_COLUMN_ADMITTED: return _("Admitted");
    case JZ_CASES_COLUMN_DEPARTED: return _("Departed");
    case JZ_CASES_COLUMN_ID_NUMBER: return _("ID number");
    case JZ_CASES_COLUMN_NOTES: return _("Notes");
    case JZ_CASES_N_COLUMNS: break;
    }
  g_return_val_if_reached (NULL);
}

char *
jz_cases_format_cell (JzCaseItem    *item,
                      JzCasesColumn  column)
{
  JzEpisodeStatus status;
  JzSex sex;

  g_return_val_if_fail (JZ_IS_CASE_ITEM (item), NULL);

  switch (column)
    {
    case JZ_CASES_COLUMN_NUMBER:
      return g_strdup (jz_case_item_get_number (item));
    case JZ_CASES_COLUMN_NAME:
      return g_strdup (jz_case_item_get_name (item));
    case JZ_CASES_COLUMN_SEX:
      if (!jz_sex_from_string (jz_case_item_get_sex (item), &sex) || sex == JZ_SEX_UNKNOWN)
        return g_strdup ("—");
      return g_strdup (_(jz_sex_get_label (sex)));
    case JZ_CASES_COLUMN_AGE:
      return jz_case_format_age (jz_case_item_get_age (item), jz_case_item_get_age_estimated (item));
    case JZ_CASES_COLUMN_STATUS:
      if (!jz_episode_status_from_string (jz_case_item_get_status (item), &status))
        return g_strdup (jz_case_item_get_status (item));
      return g_strdup (_(jz_episode_status_get_label (status)));
    case JZ_CASES_COLUMN_ADMITTED:
      return jz_case_format_date (jz_case_item_get_admitted_at (item));
    case JZ_CASES_COLUMN_DEPARTED:
      return jz_case_format_date (jz_case_item_get_departed_at (item));
    case JZ_CASES_COLUMN_ID_NUMBER:
      return jz_case_format_id_number (jz_case_item_get_id_number (item));
    case JZ_CASES_COLUMN_NOTES:
      {
        g_autoptr(GPtrArray) notes = g_ptr_array_new ();
        guint flags = jz_case_item_get_flags (item);

        if (jz_case_item_get_overdue (item))
          g_ptr_array_add (notes, _("Overdue"));
        if (flags & JZ_FLAG_MINOR)
          g_ptr_array_add (notes, _("Minor"));
        if (flags & (JZ_FLAG_MENTAL | JZ_FLAG_INTELLECTUAL | JZ_FLAG_DISABLED))
          g_ptr_array_add (notes, _("Disability"));
        if (flags & JZ_FLAG_ELDERLY)
          g_ptr_array_add (notes, _("Elderly"));
        if (flags & JZ_FLAG_DOMESTIC_VIOLENCE)
          g_ptr_array_add (notes, _("Domestic violence"));
        if (flags & JZ_FLAG_TRAFFICKING)
          g_ptr_array_add (notes, _("Trafficking"));
        g_ptr_array_add (notes, NULL);
        /* A list separator that reads well in Chinese and English alike. */
        return g_strjoinv (" · ", (char **) notes->pdata);
      }
    case JZ_CASES_N_COLUMNS:
      break;
    }
  g_return_val_if_reached (NULL);
}

char *
jz_cases_format_count (guint    n_items,
                       gboolean searching,
                       gboolean truncated)
{
  g_autofree char *n = g_strdup_printf ("%'u", n_items);

  if (searching && truncated)
    return g_strdup_printf (_("%s cases of the %d people who match best. Type more to narrow the search."),
                            n, JZ_CASE_SEARCH_MAX_PEOPLE);
  if (searching)
    return g_strdup_printf (ngettext ("%s case found", "%s cases found", n_items), n);
  return g_strdup_printf (ngettext ("%s case", "%s cases", n_items), n);
}

static void
update_count (JzCasesView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  const JzCaseQuery *q = jz_case_list_model_get_query (self->model);
  gboolean searching = jz_case_query_is_search (q);
  g_autofree char *text = jz_cases_format_count (n, searching,
                                                  jz_case_list_model_get_search_truncated (self->model));
  const GError *error = jz_case_list_model_get_error (self->model);

  gtk_label_set_text (self->count_label, text);
  gtk_stack_set_visible_child_name (self->list_stack, n > 0 ? "list" : "empty");
  if (n > 0)
    return;

  if (error != NULL)
    {
      adw_status_page_set_title (self->empty_page, _("Cannot Read the Cases"));
      adw_status_page_set_description (self->empty_page, error->message);
    }
  else if (searching || q->status || q->category || q->filters)
    {
      adw_status_page_set_title (self->empty_page, _("No Matching Cases"));
      adw_status_page_set_description (self->empty_page,
                                       _("Try another spelling, the pinyin or initials of the name, a part of the ID number, or fewer filters."));
    }
  else
    {
      adw_status_page_set_title (self->empty_page, _("No Cases Yet"));
      adw_status_page_set_description (self->empty_page,
                                       _("People registered at intake appear here, searchable by name, pinyin, initials and ID number."));
    }
}

static void
apply_query (JzCasesView *self)
{
  static const struct { JzCaseSort sort; gboolean descending; } sorts[] = {
    { JZ_CASE_SORT_RELEVANCE, TRUE },
    { JZ_CASE_SORT_ADMITTED, TRUE },
    { JZ_CASE_SORT_ADMITTED, FALSE },
    { JZ_CASE_SORT_NUMBER, FALSE },
    { JZ_CASE_SORT_NAME, FALSE },
  };
  guint sort = gtk_drop_down_get_selected (self->sort_dropdown);
  guint status = gtk_drop_down_get_selected (self->status_dropdown);
  guint category = gtk_drop_down_get_selected (self->category_dropdown);
  JzCaseQuery q;

  g_clear_handle_id (&self->search_idle_id, g_source_remove);
  if (self->model == NULL)
    return;
  /* A hidden list reads nothing: counting a million episodes and the
   * overdue ones is for when the worker looks at them. */
  jz_case_query_init (&q);
  q.search = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  if (status > 0 && status <= G_N_ELEMENTS (status_ids))
    q.status = g_strdup (status_ids[status - 1]);
  if (category > 0 && category <= G_N_ELEMENTS (category_ids))
    q.category = g_strdup (category_ids[category - 1]);
  if (gtk_toggle_button_get_active (self->in_station_toggle))
    q.filters |= JZ_CASE_FILTER_IN_STATION;
  if (gtk_toggle_button_get_active (self->minors_toggle))
    q.filters |= JZ_CASE_FILTER_MINORS;
  if (gtk_toggle_button_get_active (self->overdue_toggle))
    q.filters |= JZ_CASE_FILTER_OVERDUE;
  if (gtk_toggle_button_get_active (self->departed_toggle))
    q.filters |= JZ_CASE_FILTER_DEPARTED_THIS_MONTH;
  if (sort < G_N_ELEMENTS (sorts))
    {
      q.sort = sorts[sort].sort;
      q.descending = sorts[sort].descending;
    }
  if (!jz_case_query_equal (&q, jz_case_list_model_get_query (self->model)))
    {
      GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scroller));

      /* The rows keep their places (see jz-case-list-model.c): another
       * query is read from its start. */
      jz_case_list_model_set_query (self->model, &q);
      gtk_adjustment_set_value (adj, gtk_adjustment_get_lower (adj));
    }
  jz_case_query_clear (&q);
  update_count (self);
}

static gboolean
on_search_idle (gpointer user_data)
{
  JzCasesView *self = user_data;

  self->search_idle_id = 0;
  apply_query (self);
  return G_SOURCE_REMOVE;
}

/* Once per turn of the main loop, before the next frame is drawn: text
 * replaced (typed over a selection, pasted, set) changes the entry twice,
 * and the empty text between would read the whole list; keystrokes that
 * came in together are one query. */
static void
on_search_changed (JzCasesView *self)
{
  if (self->search_idle_id == 0)
    self->search_idle_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, on_search_idle, self, NULL);
}

static void
on_filters_changed (JzCasesView *self)
{
  apply_query (self);
}

/* Enter in the search opens the first case found. */
static void
on_search_activate (JzCasesView *self)
{
  g_autoptr(JzCaseItem) item = NULL;

  apply_query (self);
  item = g_list_model_get_item (G_LIST_MODEL (self->model), 0);
  if (item != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-case", "s",
                                jz_case_item_get_person_id (item));
}

static void
on_stop_search (JzCasesView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
on_row_activated (JzCasesView *self,
                  guint        position)
{
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (self->column_view));
  g_autoptr(JzCaseItem) item = g_list_model_get_item (model, position);

  if (item != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-case", "s",
                                jz_case_item_get_person_id (item));
}

static void
on_items_changed (JzCasesView *self)
{
  update_count (self);
}

/* The notes are the column cut short first: their tooltip is the whole
 * text. (Asked for when shown: setting a tooltip at each change asks the
 * X server where the pointer is.) */
static gboolean
on_notes_query_tooltip (GtkWidget  *label,
                        int         x,
                        int         y,
                        gboolean    keyboard,
                        GtkTooltip *tooltip)
{
  const char *text = gtk_inscription_get_text (GTK_INSCRIPTION (label));

  if (text == NULL || text[0] == '\0')
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            gpointer                  user_data)
{
  JzCasesColumn column = GPOINTER_TO_UINT (user_data);
  /* An inscription, not a label: its size does not depend on its text, so
   * a row is not shaped again each time it is measured (GTK 4.8 made it
   * for list cells). The columns have fixed widths. */
  GtkWidget *label = gtk_inscription_new (NULL);

  gtk_inscription_set_xalign (GTK_INSCRIPTION (label), column == JZ_CASES_COLUMN_AGE ? 1.0 : 0.0);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (label), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "jz-cell");
  if (column == JZ_CASES_COLUMN_NUMBER || column == JZ_CASES_COLUMN_ID_NUMBER ||
      column == JZ_CASES_COLUMN_AGE)
    gtk_widget_add_css_class (label, "numeric");
  if (column == JZ_CASES_COLUMN_NOTES)
    {
      gtk_widget_add_css_class (label, "warning");
      gtk_widget_set_has_tooltip (label, TRUE);
      g_signal_connect (label, "query-tooltip", G_CALLBACK (on_notes_query_tooltip), NULL);
    }
  gtk_list_item_set_child (list_item, label);
}

/* Text set only when it differs: a cell given new text is shaped again. */
static void
show_cell (GtkListItem   *list_item,
           JzCasesColumn  column)
{
  JzCaseItem *item = gtk_list_item_get_item (list_item);
  GtkInscription *cell = GTK_INSCRIPTION (gtk_list_item_get_child (list_item));
  g_autofree char *text = item ? jz_cases_format_cell (item, column) : NULL;

  if (g_strcmp0 (gtk_inscription_get_text (cell), text) != 0)
    gtk_inscription_set_text (cell, text);
}

static void
on_item_changed (JzCaseItem  *item,
                 GtkListItem *list_item)
{
  show_cell (list_item, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (list_item), "jz-column")));
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           gpointer                  user_data)
{
  JzCaseItem *item = gtk_list_item_get_item (list_item);

  g_object_set_data (G_OBJECT (list_item), "jz-column", user_data);
  show_cell (list_item, GPOINTER_TO_UINT (user_data));
  /* The model gives the rows a view holds new content in place. */
  if (item != NULL)
    g_signal_connect (item, "changed", G_CALLBACK (on_item_changed), list_item);
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             gpointer                  user_data)
{
  JzCaseItem *item = gtk_list_item_get_item (list_item);

  if (item != NULL)
    g_signal_handlers_disconnect_by_func (item, on_item_changed, list_item);
}

static void
add_columns (JzCasesView *self)
{
  static const struct { int width; gboolean expand; } widths[JZ_CASES_N_COLUMNS] = {
    [JZ_CASES_COLUMN_NUMBER] = { 172, FALSE },
    [JZ_CASES_COLUMN_NAME] = { 96, TRUE },
    [JZ_CASES_COLUMN_SEX] = { 70, FALSE },
    [JZ_CASES_COLUMN_AGE] = { 48, FALSE },
    [JZ_CASES_COLUMN_STATUS] = { 100, FALSE },
    [JZ_CASES_COLUMN_NOTES] = { 90, TRUE },
    [JZ_CASES_COLUMN_ADMITTED] = { 96, FALSE },
    [JZ_CASES_COLUMN_DEPARTED] = { 96, FALSE },
    [JZ_CASES_COLUMN_ID_NUMBER] = { 110, FALSE },
  };

  for (guint c = 0; c < JZ_CASES_N_COLUMNS; c++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkColumnViewColumn *column;

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GUINT_TO_POINTER (c));
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GUINT_TO_POINTER (c));
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), GUINT_TO_POINTER (c));
      column = gtk_column_view_column_new (jz_cases_column_title (c), factory);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_fixed_width (column, widths[c].width);
      gtk_column_view_column_set_expand (column, widths[c].expand);
      gtk_column_view_column_set_header_menu (column, gtk_menu_button_get_menu_model (self->columns_button));
      /* Added to the view by apply_hidden_columns(). */
      self->columns[c] = column;
    }
}

/* Puts the column in the view or takes it out; the others keep their
 * order. (A column only made invisible still takes its width from the
 * row in GTK 4.8, and the expanding columns no longer fill the view.) */
static void
show_column (JzCasesView   *self,
             JzCasesColumn  column,
             gboolean       shown)
{
  gboolean in_view = gtk_column_view_column_get_column_view (self->columns[column]) != NULL;
  guint position = 0;

  if (shown == in_view)
    return;
  if (!shown)
    {
      gtk_column_view_remove_column (self->column_view, self->columns[column]);
      return;
    }
  for (guint c = 0; c < column; c++)
    position += gtk_column_view_column_get_column_view (self->columns[c]) != NULL;
  gtk_column_view_insert_column (self->column_view, position, self->columns[column]);
}

/* Shows the columns the setting does not hide, and ticks their menu items. */
static void
apply_hidden_columns (JzCasesView *self)
{
  g_auto(GStrv) hidden = self->settings ? g_settings_get_strv (self->settings, "case-list-hidden-columns")
                                        : g_strdupv ((char **) default_hidden);

  for (guint c = 0; c < JZ_CASES_N_COLUMNS; c++)
    {
      gboolean shown = !column_optional (c) || !g_strv_contains ((const char * const *) hidden, column_ids[c]);
      g_autofree char *name = g_strconcat ("column-", column_ids[c], NULL);
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), name);

      show_column (self, c, shown);
      if (action != NULL)
        g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_boolean (shown));
    }
}

static void
on_column_toggled (GSimpleAction *action,
                   GVariant      *state,
                   gpointer       user_data)
{
  JzCasesView *self = user_data;
  const char *id = g_action_get_name (G_ACTION (action)) + strlen ("column-");
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) hidden = NULL;
  g_auto(GStrv) next = NULL;

  g_simple_action_set_state (action, state);
  if (self->settings == NULL)
    {
      /* No schema (a test or tool without it): this view only. */
      for (guint c = 0; c < JZ_CASES_N_COLUMNS; c++)
        if (g_str_equal (column_ids[c], id))
          show_column (self, c, g_variant_get_boolean (state));
      return;
    }
  /* The setting's change shows it here and in every other list. */
  builder = g_strv_builder_new ();
  hidden = g_settings_get_strv (self->settings, "case-list-hidden-columns");
  for (guint i = 0; hidden[i] != NULL; i++)
    if (!g_str_equal (hidden[i], id))
      g_strv_builder_add (builder, hidden[i]);
  if (!g_variant_get_boolean (state))
    g_strv_builder_add (builder, id);
  next = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "case-list-hidden-columns", (const char * const *) next);
}

/* The "Columns" menu (the button, and a right click on a column's title). */
static void
add_column_actions (JzCasesView *self)
{
  GMenu *menu = g_menu_new ();
  GMenu *section = g_menu_new ();
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;

  if (schema != NULL && g_settings_schema_has_key (schema, "case-list-hidden-columns"))
    self->settings = g_settings_new (APP_ID);
  self->actions = g_simple_action_group_new ();
  for (guint c = 0; c < JZ_CASES_N_COLUMNS; c++)
    {
      g_autofree char *name = NULL;
      g_autofree char *detailed = NULL;
      g_autoptr(GSimpleAction) action = NULL;

      if (!column_optional (c))
        continue;
      name = g_strconcat ("column-", column_ids[c], NULL);
      detailed = g_strconcat ("cases.", name, NULL);
      action = g_simple_action_new_stateful (name, NULL, g_variant_new_boolean (TRUE));
      g_signal_connect (action, "change-state", G_CALLBACK (on_column_toggled), self);
      g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (action));
      g_menu_append (section, jz_cases_column_title (c), detailed);
    }
  /* TRANSLATORS: the heading of the menu that shows and hides list columns */
  g_menu_append_section (menu, _("Columns"), G_MENU_MODEL (section));
  g_object_unref (section);
  gtk_menu_button_set_menu_model (self->columns_button, G_MENU_MODEL (menu));
  g_object_unref (menu);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "cases", G_ACTION_GROUP (self->actions));
  if (self->settings != NULL)
    g_signal_connect_object (self->settings, "changed::case-list-hidden-columns",
                             G_CALLBACK (apply_hidden_columns), self, G_CONNECT_SWAPPED);
}

static void ensure_model (JzCasesView *self);

static void
jz_cases_view_map (GtkWidget *widget)
{
  JzCasesView *self = JZ_CASES_VIEW (widget);

  GTK_WIDGET_CLASS (jz_cases_view_parent_class)->map (widget);
  ensure_model (self);
}

static void
jz_cases_view_dispose (GObject *object)
{
  JzCasesView *self = JZ_CASES_VIEW (object);
  GtkWidget *child;

  g_clear_handle_id (&self->search_idle_id, g_source_remove);
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), JZ_TYPE_CASES_VIEW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->model);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->actions);
  for (guint c = 0; c < JZ_CASES_N_COLUMNS; c++)
    g_clear_object (&self->columns[c]);
  G_OBJECT_CLASS (jz_cases_view_parent_class)->dispose (object);
}

static void
jz_cases_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, JZ_CASES_VIEW (object)->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_cases_view_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_STORE:
      jz_cases_view_set_store (JZ_CASES_VIEW (object), g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_cases_view_class_init (JzCasesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jz_cases_view_dispose;
  object_class->get_property = jz_cases_view_get_property;
  object_class->set_property = jz_cases_view_set_property;
  widget_class->map = jz_cases_view_map;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, JZ_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  jz_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/cn/jiuzhu/Station/ui/jz-cases-view.ui");
  gtk_widget_class_bind_template_child (widget_class, JzCasesView, box);
  gtk_widget_class_bind_template_child (widget_class, JzCasesView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, JzCasesView, sort_dropdown);
  gtk_widget_class_bind_template_child (widget_class, JzCasesView, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, JzCasesView, category_dropdown);
  gtk_widget_class_bind_template_child (widget_class, JzCasesView, in_station_toggle);
  gtk_widget_class_bind_template_child (widget_class, JzCasesView, minors_toggle);
  gtk_widget_class_bind_template_child (widget_class, JzCasesView, overdue_toggle);
  gtk_widget_class_bind_template_child (widget_class, JzCasesView, departed_toggle);
  gtk_widget_class_bind_template_child (widget_class, JzCasesView, list_stack);
  gtk_widget_class_bind_template_child (widget_class, JzCasesView, scroller);
  gtk_widget_class_bind_template_child (widget_class, JzCasesView, column_view);
  gtk_widget_class_bind_template_child (widget_class, JzCasesView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, JzCasesView, count_label);
  gtk_widget_class_bind_template_child (widget_class, JzCasesView, columns_button);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_filters_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
jz_cases_view_init (JzCasesView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Results follow each keystroke: the query is cheap (see the benchmark). */
  g_object_set (self->search_entry, "search-delay", 0u, NULL);
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self->column_view));
  add_column_actions (self);
  add_columns (self);
  apply_hidden_columns (self);
}

JzCasesView *
jz_cases_view_new (JzStore *store)
{
  JzCasesView *self = g_object_new (JZ_TYPE_CASES_VIEW, NULL);

  jz_cases_view_set_store (self, store);
  return self;
}

/* The model is made when the list is first shown (or asked for): a
 * hidden list reads nothing — counting a million episodes and the
 * overdue ones is for when the worker looks at them. */
static void
ensure_model (JzCasesView *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  if (self->model != NULL || self->store == NULL)
    return;
  self->model = jz_case_list_model_new (self->store);
  g_signal_connect_object (self->model, "items-changed", G_CALLBACK (on_items_changed), self,
                           G_CONNECT_SWAPPED);
  /* No selection: the keyboard walks the rows by focus and Enter opens
   * one. A GtkSingleSelection keeps its selected item across a change of
   * the list by looking for it among all the new rows, which would read
   * the whole list — a million rows — at every keystroke of a search. */
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->model)));
  /* The filters first, then the rows: only those of the query are read. */
  apply_query (self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
}

void
jz_cases_view_set_store (JzCasesView *self,
                         JzStore     *store)
{
  g_return_if_fail (JZ_IS_CASES_VIEW (self));

  if (!g_set_object (&self->store, store))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  gtk_column_view_set_model (self->column_view, NULL);
  g_clear_object (&self->model);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    ensure_model (self);
}

JzCaseListModel *
jz_cases_view_get_model (JzCasesView *self)
{
  g_return_val_if_fail (JZ_IS_CASES_VIEW (self), NULL);
  ensure_model (self);
  return self->model;
}

GtkColumnView *
jz_cases_view_get_column_view (JzCasesView *self)
{
  g_return_val_if_fail (JZ_IS_CASES_VIEW (self), NULL);
  return self->column_view;
}

void
jz_cases_view_focus_search (JzCasesView *self)
{
  g_return_if_fail (JZ_IS_CASES_VIEW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
jz_cases_view_search (JzCasesView *self,
                      const char  *text)
{
  g_return_if_fail (JZ_IS_CASES_VIEW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
  apply_query (self);
}

void
jz_cases_view_show_filter (JzCasesView *self,
                           const char  *filter)
{
  GtkToggleButton *toggles[] = {
    self->in_station_toggle, self->minors_toggle, self->overdue_toggle, self->departed_toggle,
  };
  const char *names[] = { "in-station", "minors", "overdue", "departed-this-month" };

  g_return_if_fail (JZ_IS_CASES_VIEW (self));

  /* Each change would run the query; one run at the end is enough. */
  g_signal_handlers_block_by_func (self->search_entry, on_search_changed, self);
  for (guint i = 0; i < G_N_ELEMENTS (toggles); i++)
    g_signal_handlers_block_by_func (toggles[i], on_filters_changed, self);
  g_signal_handlers_block_by_func (self->status_dropdown, on_filters_changed, self);
  g_signal_handlers_block_by_func (self->category_dropdown, on_filters_changed, self);

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_drop_down_set_selected (self->status_dropdown, 0);
  gtk_drop_down_set_selected (self->category_dropdown, 0);
  for (guint i = 0; i < G_N_ELEMENTS (toggles); i++)
    gtk_toggle_button_set_active (toggles[i], g_strcmp0 (filter, names[i]) == 0);

  g_signal_handlers_unblock_by_func (self->search_entry, on_search_changed, self);
  for (guint i = 0; i < G_N_ELEMENTS (toggles); i++)
    g_signal_handlers_unblock_by_func (toggles[i], on_filters_changed, self);
  g_signal_handlers_unblock_by_func (self->status_dropdown, on_filters_changed, self);
  g_signal_handlers_unblock_by_func (self->category_dropdown, on_filters_changed, self);
  apply_query (self);
}
