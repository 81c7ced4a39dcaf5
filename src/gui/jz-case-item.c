/* jz-case-item.c: one row of the case list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-case-item"

#include "jz-case-item.h"

struct _JzCaseItem
{
  GObject   parent_instance;

  char     *episode_id;
  char     *person_id;
  char     *number;
  char     *name;
  char     *sex;
  int       age;
  gboolean  age_estimated;
  char     *status;
  char     *category;
  char     *id_number;
  gint64    admitted_at;
  gint64    departed_at;
  guint     flags;
  gboolean  overdue;
};

G_DEFINE_FINAL_TYPE (JzCaseItem, jz_case_item, G_TYPE_OBJECT)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static gboolean
set_data (JzCaseItem           *self,
          const JzCaseItemData *data)
{
  gboolean changed = FALSE;

  changed |= set_string (&self->episode_id, data->episode_id);
  changed |= set_string (&self->person_id, data->person_id);
  changed |= set_string (&self->number, data->number);
  changed |= set_string (&self->name, data->name);
  changed |= set_string (&self->sex, data->sex);
  changed |= set_string (&self->status, data->status);
  changed |= set_string (&self->category, data->category);
  changed |= set_string (&self->id_number, data->id_number);
  changed |= self->age != data->age || self->age_estimated != data->age_estimated ||
             self->admitted_at != data->admitted_at || self->departed_at != data->departed_at ||
             self->flags != data->flags || self->overdue != data->overdue;
  self->age = data->age;
  self->age_estimated = data->age_estimated;
  self->admitted_at = data->admitted_at;
  self->departed_at = data->departed_at;
  self->flags = data->flags;
  self->overdue = data->overdue;
  return changed;
}

static void
jz_case_item_finalize (GObject *object)
{
  JzCaseItem *self = JZ_CASE_ITEM (object);

  g_free (self->episode_id);
  g_free (self->person_id);
  g_free (self->number);
  g_free (self->name);
  g_free (self->sex);
  g_free (self->status);
  g_free (self->category);
  g_free (self->id_number);
  G_OBJECT_CLASS (jz_case_item_parent_class)->finalize (object);
}

static void
jz_case_item_class_init (JzCaseItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jz_case_item_finalize;

  /**
   * JzCaseItem::changed:
   *
   * The row now shows another episode, or the same one changed: the
   * model updates the items a view holds instead of replacing them, so
   * the view keeps its row widgets (see jz-case-list-model.c).
   */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
jz_case_item_init (JzCaseItem *self)
{
  self->age = -1;
}

JzCaseItem *
jz_case_item_new (const JzCaseItemData *data)
{
  JzCaseItem *self = g_object_new (JZ_TYPE_CASE_ITEM, NULL);

  g_return_val_if_fail (data != NULL, self);

  set_data (self, data);
  return self;
}

void
jz_case_item_update (JzCaseItem           *self,
                     const JzCaseItemData *data)
{
  g_return_if_fail (JZ_IS_CASE_ITEM (self));
  g_return_if_fail (data != NULL);

  if (set_data (self, data))
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

#define GETTER(type, field) \
  type jz_case_item_get_##field (JzCaseItem *self) \
  { g_return_val_if_fail (JZ_IS_CASE_ITEM (self), (type) 0); return self->field; }

GETTER (const char *, episode_id)
GETTER (const char *, person_id)
GETTER (const char *, number)
GETTER (const char *, name)
GETTER (const char *, sex)
GETTER (int, age)
GETTER (gboolean, age_estimated)
GETTER (const char *, status)
GETTER (const char *, category)
GETTER (const char *, id_number)
GETTER (gint64, admitted_at)
GETTER (gint64, departed_at)
GETTER (guint, flags)
GETTER (gboolean, overdue)
