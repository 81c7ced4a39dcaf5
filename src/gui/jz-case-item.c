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

  self->episode_id = g_strdup (data->episode_id);
  self->person_id = g_strdup (data->person_id);
  self->number = g_strdup (data->number);
  self->name = g_strdup (data->name);
  self->sex = g_strdup (data->sex);
  self->age = data->age;
  self->age_estimated = data->age_estimated;
  self->status = g_strdup (data->status);
  self->category = g_strdup (data->category);
  self->id_number = g_strdup (data->id_number);
  self->admitted_at = data->admitted_at;
  self->departed_at = data->departed_at;
  self->flags = data->flags;
  self->overdue = data->overdue;
  return self;
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
