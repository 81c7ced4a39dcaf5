/* jz-region-row.c: an entry row that picks a GB/T 2260 region
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-region-row"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "jz-pinyin.h"
#include "jz-region-row.h"
#include "jz-regions.h"

#define N_SUGGESTIONS 8

struct _JzRegionRow
{
  AdwEntryRow  parent_instance;

  GtkWidget   *popover;
  GtkListBox  *list;
  GtkWidget   *code_label;
  GtkEventController *focus;
  char        *code;
  guint        popdown_id;
  gboolean     setting;     /* the text is being set by the row itself */
};

enum {
  PROP_0,
  PROP_CODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (JzRegionRow, jz_region_row, ADW_TYPE_ENTRY_ROW)

/* The search index: each region's name, full name and pinyin, made once. */
typedef struct
{
  const JzRegion *region;
  char           *full_name;   /* 江苏省 常州市 溧阳市 */
  char           *compact;     /* liyangshi */
  char           *initials;    /* lys */
  char           *full;        /* li yang shi */
} IndexEntry;

static GArray *
region_index (void)
{
  static gsize once;
  static GArray *index;

  if (g_once_init_enter (&once))
    {
      GArray *a = g_array_sized_new (FALSE, TRUE, sizeof (IndexEntry), jz_regions_count ());

      for (guint i = 0; i < jz_regions_count (); i++)
        {
          const JzRegion *r = jz_regions_nth (i);
          g_autoptr(JzPinyin) py = jz_pinyin_new_for_text (r->name);
          IndexEntry e = { 0, };

          e.region = r;
          e.full_name = jz_regions_full_name (r->code);
          e.compact = g_strdup (py->compact);
          e.initials = g_strdup (py->initials);
          e.full = g_strdup (py->full);
          g_array_append_val (a, e);
        }
      index = a;
      g_once_init_leave (&once, 1);
    }
  return index;
}

typedef struct
{
  const IndexEntry *entry;
  int               rank;
} Hit;

static int
compare_hits (gconstpointer a,
              gconstpointer b)
{
  const Hit *x = a, *y = b;

  if (x->rank != y->rank)
    return x->rank - y->rank;
  return strcmp (x->entry->region->code, y->entry->region->code);
}

static gboolean
has_han (const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (g_unichar_get_script (g_utf8_get_char (p)) == G_UNICODE_SCRIPT_HAN)
      return TRUE;
  return FALSE;
}

/* Lower ranks first: a name that is the query, then starts with it, then
 * contains it; provinces and prefectures before counties of the same
 * quality (a worker typing 常州 means the city); abolished codes last. */
static int
rank_of (const IndexEntry *e,
         const char       *query,
         const char       *norm,
         gboolean          digits,
         gboolean          han)
{
  const JzRegion *r = e->region;
  int base;

  if (digits)
    {
      if (!g_str_has_prefix (r->code, query))
        return -1;
      base = (int) strlen (r->code) - (int) strlen (query);
    }
  else if (han)
    {
      if (g_str_equal (r->name, query))
        base = 0;
      else if (g_str_has_prefix (r->name, query))
        base = 10;
      else if (strstr (r->name, query) != NULL)
        base = 20;
      else if (strstr (e->full_name, query) != NULL)
        base = 30;
      else
        return -1;
    }
  else
    {
      if (*norm == '\0')
        return -1;
      if (g_str_has_prefix (e->compact, norm))
        base = strlen (e->compact) - strlen (norm) <= 3 ? 0 : 10;
      else if (g_str_equal (e->initials, norm))
        base = 15;
      else if (g_str_has_prefix (e->initials, norm))
        base = 25;
      else if (jz_pinyin_matches (e->full, norm))
        base = 35;
      else
        return -1;
    }
  return base * 10 + (int) r->level + (r->abolished ? 1000 : 0);
}

GPtrArray *
jz_region_search (const char *query,
                  guint       limit)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *trimmed = NULL;
  g_autofree char *norm = NULL;
  g_autoptr(GArray) hits = NULL;
  GArray *index;
  gboolean digits = TRUE, han;

  if (query == NULL)
    return out;
  trimmed = g_strstrip (g_strdup (query));
  if (*trimmed == '\0')
    return out;
  for (const char *p = trimmed; *p; p++)
    if (!g_ascii_isdigit (*p))
      digits = FALSE;
  han = has_han (trimmed);
  norm = jz_pinyin_normalize_query (trimmed);

  index = region_index ();
  hits = g_array_new (FALSE, FALSE, sizeof (Hit));
  for (guint i = 0; i < index->len; i++)
    {
      const IndexEntry *e = &g_array_index (index, IndexEntry, i);
      int rank = rank_of (e, trimmed, norm, digits, han);

      if (rank >= 0)
        {
          Hit h = { e, rank };
          g_array_append_val (hits, h);
        }
    }
  g_array_sort (hits, compare_hits);
  for (guint i = 0; i < hits->len && (limit == 0 || i < limit); i++)
    g_ptr_array_add (out, g_strdup (g_array_index (hits, Hit, i).entry->region->code));
  return out;
}

static void
set_text_quietly (JzRegionRow *self,
                  const char  *text)
{
  self->setting = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self), text);
  gtk_editable_set_position (GTK_EDITABLE (self), -1);
  self->setting = FALSE;
}

static void
update_code_label (JzRegionRow *self)
{
  gtk_label_set_label (GTK_LABEL (self->code_label), self->code ? self->code : "");
  gtk_widget_set_visible (self->code_label, self->code != NULL);
}

static void
set_code_internal (JzRegionRow *self,
                   const char  *code)
{
  if (g_strcmp0 (self->code, code) == 0)
    return;
  g_free (self->code);
  self->code = g_strdup (code);
  update_code_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CODE]);
}

static void
pick (JzRegionRow *self,
      const char  *code)
{
  g_autofree char *full = jz_regions_full_name (code);

  gtk_popover_popdown (GTK_POPOVER (self->popover));
  set_text_quietly (self, full ? full : code);
  set_code_internal (self, code);
}

static void
on_row_activated (JzRegionRow   *self,
                  GtkListBoxRow *row)
{
  pick (self, g_object_get_data (G_OBJECT (row), "code"));
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static GtkWidget *
suggestion_row (const char *code)
{
  const JzRegion *r = jz_regions_lookup (code);
  g_autofree char *full = jz_regions_full_name (code);
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *name = gtk_label_new (full);
  GtkWidget *detail;

  if (r != NULL && r->abolished)
    {
      /* TRANSLATORS: a region code that is no longer in use, e.g. “320482 (abolished)” */
      g_autofree char *text = g_strdup_printf (_("%s (abolished)"), code);
      detail = gtk_label_new (text);
    }
  else
    detail = gtk_label_new (code);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_widget_add_css_class (detail, "numeric");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), detail);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, full, -1);
  g_object_set_data_full (G_OBJECT (row), "code", g_strdup (code), g_free);
  return row;
}

static void
on_changed (JzRegionRow *self)
{
  g_autoptr(GPtrArray) codes = NULL;
  GtkWidget *child;

  if (self->setting)
    return;
  /* Typing over a picked region unpicks it until a new one is chosen. */
  set_code_internal (self, NULL);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  codes = jz_region_search (gtk_editable_get_text (GTK_EDITABLE (self)), N_SUGGESTIONS);
  for (guint i = 0; i < codes->len; i++)
    gtk_list_box_append (self->list, suggestion_row (codes->pdata[i]));
  if (codes->len == 0)
    {
      gtk_popover_popdown (GTK_POPOVER (self->popover));
      return;
    }
  gtk_list_box_select_row (self->list, gtk_list_box_get_row_at_index (self->list, 0));
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_popover_popup (GTK_POPOVER (self->popover));
}

static void
move_selection (JzRegionRow *self,
                int          delta)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->list);
  int i = row ? gtk_list_box_row_get_index (row) + delta : 0;
  GtkListBoxRow *next = gtk_list_box_get_row_at_index (self->list, MAX (i, 0));

  if (next != NULL)
    gtk_list_box_select_row (self->list, next);
}

static gboolean
on_key_pressed (JzRegionRow           *self,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkEventControllerKey *controller)
{
  GtkListBoxRow *row;

  if (!gtk_widget_get_visible (self->popover))
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      move_selection (self, 1);
      return TRUE;
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      move_selection (self, -1);
      return TRUE;
    case GDK_KEY_Escape:
      gtk_popover_popdown (GTK_POPOVER (self->popover));
      return TRUE;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
    case GDK_KEY_Tab:
      row = gtk_list_box_get_selected_row (self->list);
      if (row == NULL || (state & GDK_CONTROL_MASK))
        return FALSE;
      pick (self, g_object_get_data (G_OBJECT (row), "code"));
      /* Tab still moves on to the next field. */
      return keyval != GDK_KEY_Tab;
    default:
      return FALSE;
    }
}

static void
popdown_unless_focused (gpointer data)
{
  JzRegionRow *self = data;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;

  self->popdown_id = 0;
  /* A click on a suggestion moves the focus into the popover: keep it. */
  if (gtk_event_controller_focus_contains_focus (GTK_EVENT_CONTROLLER_FOCUS (self->focus)) ||
      (focus != NULL && gtk_widget_is_ancestor (focus, self->popover)))
    return;
  gtk_popover_popdown (GTK_POPOVER (self->popover));
}

static void
on_focus_leave (JzRegionRow *self)
{
  g_clear_handle_id (&self->popdown_id, g_source_remove);
  self->popdown_id = g_timeout_add_once (150, popdown_unless_focused, self);
}

static void
jz_region_row_dispose (GObject *object)
{
  JzRegionRow *self = JZ_REGION_ROW (object);

  g_clear_handle_id (&self->popdown_id, g_source_remove);
  g_clear_pointer (&self->popover, gtk_widget_unparent);
  G_OBJECT_CLASS (jz_region_row_parent_class)->dispose (object);
}

static void
jz_region_row_finalize (GObject *object)
{
  JzRegionRow *self = JZ_REGION_ROW (object);

  g_free (self->code);
  G_OBJECT_CLASS (jz_region_row_parent_class)->finalize (object);
}

static void
jz_region_row_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  JzRegionRow *self = JZ_REGION_ROW (widget);

  GTK_WIDGET_CLASS (jz_region_row_parent_class)->size_allocate (widget, width, height, baseline);
  gtk_widget_set_size_request (self->popover, MAX (width - 24, 200), -1);
  gtk_popover_present (GTK_POPOVER (self->popover));
}

static void
jz_region_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  JzRegionRow *self = JZ_REGION_ROW (object);

  switch (prop_id)
    {
    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_region_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  JzRegionRow *self = JZ_REGION_ROW (object);

  switch (prop_id)
    {
    case PROP_CODE:
      jz_region_row_set_code (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_region_row_class_init (JzRegionRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jz_region_row_dispose;
  object_class->finalize = jz_region_row_finalize;
  object_class->get_property = jz_region_row_get_property;
  object_class->set_property = jz_region_row_set_property;
  widget_class->size_allocate = jz_region_row_size_allocate;

  properties[PROP_CODE] =
    g_param_spec_string ("code", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
jz_region_row_init (JzRegionRow *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();
  GtkWidget *scroller;

  self->code_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->code_label, "dim-label");
  gtk_widget_add_css_class (self->code_label, "numeric");
  gtk_widget_set_visible (self->code_label, FALSE);
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (self), self->code_label);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_BROWSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Matching regions"), -1);
  g_signal_connect_object (self->list, "row-activated", G_CALLBACK (on_row_activated), self, G_CONNECT_SWAPPED);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 320);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->list));

  /* No autohide: the popover must not take the focus from the entry the
   * worker is typing in. */
  self->popover = gtk_popover_new ();
  gtk_popover_set_autohide (GTK_POPOVER (self->popover), FALSE);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->popover), FALSE);
  gtk_popover_set_position (GTK_POPOVER (self->popover), GTK_POS_BOTTOM);
  gtk_widget_add_css_class (self->popover, "menu");
  gtk_popover_set_child (GTK_POPOVER (self->popover), scroller);
  gtk_widget_set_parent (self->popover, GTK_WIDGET (self));

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (on_key_pressed), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  self->focus = gtk_event_controller_focus_new ();
  g_signal_connect_object (self->focus, "leave", G_CALLBACK (on_focus_leave), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), self->focus);

  g_signal_connect (self, "changed", G_CALLBACK (on_changed), NULL);
}

GtkWidget *
jz_region_row_new (void)
{
  return g_object_new (JZ_TYPE_REGION_ROW, NULL);
}

const char *
jz_region_row_get_code (JzRegionRow *self)
{
  g_return_val_if_fail (JZ_IS_REGION_ROW (self), NULL);
  return self->code;
}

void
jz_region_row_set_code (JzRegionRow *self,
                        const char  *code)
{
  g_autofree char *full = NULL;

  g_return_if_fail (JZ_IS_REGION_ROW (self));

  if (code != NULL && jz_regions_lookup (code) == NULL)
    code = NULL;
  full = code ? jz_regions_full_name (code) : NULL;
  set_text_quietly (self, full ? full : "");
  set_code_internal (self, code);
}
