/* jz-case-item.h: one row of the case list (an episode with its person)
 *
 * Items are made by JzCaseListModel a page at a time. An item whose
 * page is not read yet is never handed out: the model reads the page
 * first (see jz-case-list-model.c). An item is a row of the list: when
 * the query changes, the items a view still holds are given the rows
 * now at their places (jz_case_item_update(), the "changed" signal).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define JZ_TYPE_CASE_ITEM (jz_case_item_get_type ())
G_DECLARE_FINAL_TYPE (JzCaseItem, jz_case_item, JZ, CASE_ITEM, GObject)

/* What the model fills in; strings are copied. */
typedef struct
{
  const char *episode_id;
  const char *person_id;
  const char *number;         /* 320481-01-2026-000123 */
  const char *name;           /* display name (无名氏N for the unnamed) */
  const char *sex;            /* unknown | male | female */
  int         age;            /* today, best guess; -1 unknown */
  gboolean    age_estimated;  /* 目测 or year only: shown as "≈" */
  const char *status;         /* episode status id */
  const char *category;       /* vagrant | temporary */
  const char *id_number;      /* NULL when unknown */
  gint64      admitted_at;
  gint64      departed_at;    /* 0: not departed */
  guint       flags;          /* JzSpecialFlags of the episode and person */
  gboolean    overdue;        /* a deadline of the episode is overdue (when known) */
} JzCaseItemData;

JzCaseItem *jz_case_item_new            (const JzCaseItemData *data);
void        jz_case_item_update         (JzCaseItem           *self,
                                         const JzCaseItemData *data);

const char *jz_case_item_get_episode_id (JzCaseItem *self);
const char *jz_case_item_get_person_id  (JzCaseItem *self);
const char *jz_case_item_get_number     (JzCaseItem *self);
const char *jz_case_item_get_name       (JzCaseItem *self);
const char *jz_case_item_get_sex        (JzCaseItem *self);
int         jz_case_item_get_age        (JzCaseItem *self);
gboolean    jz_case_item_get_age_estimated (JzCaseItem *self);
const char *jz_case_item_get_status     (JzCaseItem *self);
const char *jz_case_item_get_category   (JzCaseItem *self);
const char *jz_case_item_get_id_number  (JzCaseItem *self);
gint64      jz_case_item_get_admitted_at (JzCaseItem *self);
gint64      jz_case_item_get_departed_at (JzCaseItem *self);
guint       jz_case_item_get_flags      (JzCaseItem *self);
gboolean    jz_case_item_get_overdue    (JzCaseItem *self);

G_END_DECLS
