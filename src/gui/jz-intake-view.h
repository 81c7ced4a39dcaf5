/* jz-intake-view.h: the intake area (接待登记)
 *
 * A guided form a tired worker gets through in under two minutes: who
 * the person is (live ID-number check that fills birth date, sex and home
 * region), description and photo, how they came, health screening with
 * the next step (hospital first, police), belongings, and the decision.
 * Beside it the duplicate panel lists the people on file who may be this
 * person, with why and their earlier episodes (跑站 warning); choosing one
 * adds the new episode to their file. Saving writes the person, the
 * episode, the belongings and the photo in one transaction, then opens
 * the case (win.show-case) and offers the forms to print.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-store.h"

G_BEGIN_DECLS

#define JZ_TYPE_INTAKE_VIEW (jz_intake_view_get_type ())
G_DECLARE_FINAL_TYPE (JzIntakeView, jz_intake_view, JZ, INTAKE_VIEW, GtkWidget)

GtkWidget  *jz_intake_view_new                 (void);
JzStore    *jz_intake_view_get_store           (JzIntakeView *self);
void        jz_intake_view_set_store           (JzIntakeView *self,
                                                JzStore      *store);

/* Runs the duplicate check now instead of after the typing pause. */
void        jz_intake_view_refresh_duplicates  (JzIntakeView *self);
guint       jz_intake_view_get_n_duplicates    (JzIntakeView *self);
/* The panel's row of the @index-th candidate; it carries "person-id"
 * and "reasons" (the text shown) as object data. */
GtkWidget  *jz_intake_view_get_duplicate_row   (JzIntakeView *self,
                                                guint         index);
/* What "Same person" does: the intake will be added to @person_id's
 * file (NULL: a new person again). FALSE when there is no such person. */
gboolean    jz_intake_view_link_person         (JzIntakeView *self,
                                                const char   *person_id);
const char *jz_intake_view_get_linked_person_id (JzIntakeView *self);

/* The belongings rows, as "Add item" makes them: returns the new row's
 * index; its fields are "item" (GtkEntry), "qty" (GtkSpinButton), "kind"
 * (GtkDropDown: 0 held, 1 daily necessity) and "storage" (GtkEntry). */
guint       jz_intake_view_add_belonging       (JzIntakeView *self);
GtkWidget  *jz_intake_view_get_belonging_field (JzIntakeView *self,
                                                guint         index,
                                                const char   *field);
/* The check button of a bit in "health", "flags" or "assistance", or of
 * the screening extras "threatening" and "drugs" (@bit ignored). */
GtkWidget  *jz_intake_view_get_check           (JzIntakeView *self,
                                                const char   *group,
                                                guint         bit);
/* What the photo chooser does with the file picked. */
void        jz_intake_view_set_photo_file      (JzIntakeView *self,
                                                GFile        *file);

/* The last intake saved from this view (NULL before). */
const char *jz_intake_view_get_saved_person_id (JzIntakeView *self);
const char *jz_intake_view_get_saved_episode_id (JzIntakeView *self);

G_END_DECLS
