/* jz-followups-view.h: the follow-ups area (回访)
 *
 * The one-year follow-up rate, overall and for minors, against the
 * targets (at least 50 %, minors 100 %); the follow-ups due this week or
 * late, and those coming up, each recorded with the follow-up dialog.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-store.h"

G_BEGIN_DECLS

#define JZ_TYPE_FOLLOWUPS_VIEW (jz_followups_view_get_type ())
G_DECLARE_FINAL_TYPE (JzFollowupsView, jz_followups_view, JZ, FOLLOWUPS_VIEW, GtkWidget)

GtkWidget  *jz_followups_view_new            (void);
JzStore    *jz_followups_view_get_store      (JzFollowupsView *self);
void        jz_followups_view_set_store      (JzFollowupsView *self,
                                              JzStore         *store);
void        jz_followups_view_reload         (JzFollowupsView *self);
/* How many follow-ups are due and overdue (shown or not), and the rows
 * of the "Due and Overdue" list; each carries "followup-id" (NULL when
 * none is scheduled) and "person-id" as object data and "record-button". */
guint       jz_followups_view_get_n_due      (JzFollowupsView *self);
GtkWidget  *jz_followups_view_get_due_row    (JzFollowupsView *self,
                                              guint            index);
/* The texts of the two rate cards, e.g. "50 %". */
const char *jz_followups_view_get_rate_text  (JzFollowupsView *self,
                                              gboolean         minors);

G_END_DECLS
