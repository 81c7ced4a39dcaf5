/* jz-cases-view.h: People & cases (all episodes, searchable)
 *
 * A GtkColumnView over JzCaseListModel with search as you type, filters
 * and an order. Activating a row opens the case page (win.show-case).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-case-item.h"
#include "jz-case-list-model.h"
#include "jz-store.h"

G_BEGIN_DECLS

/* The list's columns, in order. */
typedef enum
{
  JZ_CASES_COLUMN_NUMBER,
  JZ_CASES_COLUMN_NAME,
  JZ_CASES_COLUMN_SEX,
  JZ_CASES_COLUMN_AGE,
  JZ_CASES_COLUMN_STATUS,
  JZ_CASES_COLUMN_NOTES,
  JZ_CASES_COLUMN_ADMITTED,
  JZ_CASES_COLUMN_DEPARTED,
  JZ_CASES_COLUMN_ID_NUMBER,
  JZ_CASES_N_COLUMNS
} JzCasesColumn;

/* What a cell shows for @item (translated). Pure: tests call it. */
char       *jz_cases_format_cell      (JzCaseItem    *item,
                                       JzCasesColumn  column);
/* The title of a column (translated). */
const char *jz_cases_column_title     (JzCasesColumn  column);
/* "12,345 cases" and the like, for the line under the list. */
char       *jz_cases_format_count     (guint          n_items,
                                       gboolean       searching,
                                       gboolean       truncated);

#define JZ_TYPE_CASES_VIEW (jz_cases_view_get_type ())
G_DECLARE_FINAL_TYPE (JzCasesView, jz_cases_view, JZ, CASES_VIEW, GtkWidget)

JzCasesView     *jz_cases_view_new          (JzStore     *store);
void             jz_cases_view_set_store    (JzCasesView *self,
                                             JzStore     *store);
JzCaseListModel *jz_cases_view_get_model    (JzCasesView *self);
GtkColumnView   *jz_cases_view_get_column_view (JzCasesView *self);
/* Moves the keyboard focus to the search entry (Ctrl+F). */
void             jz_cases_view_focus_search (JzCasesView *self);
/* Clears the search and filters, then turns on @filter: "in-station",
 * "minors", "overdue", "departed-this-month" (or NULL for none). */
void             jz_cases_view_show_filter  (JzCasesView *self,
                                             const char  *filter);
/* Types @text into the search entry and applies it at once. */
void             jz_cases_view_search       (JzCasesView *self,
                                             const char  *text);

G_END_DECLS
