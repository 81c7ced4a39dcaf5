/* jz-case-page.h: one person's file (一人一档)
 *
 * The person's identity, every episode, and for the open episode a
 * timeline of what happened and who did it, with the quick actions.
 *
 * Quick actions open JzCaseActionDialog; a save shows a toast with Undo
 * (a tombstone of the record just written, or the previous bed) where
 * that is safe. The page re-reads itself when the store changes.
 *
 * Hooks for dialogs implemented elsewhere: the page installs the widget
 * actions "case.depart" and "case.followup". Activating them emits
 * JzCasePage::depart (episode id) and JzCasePage::followup (person id,
 * episode id or NULL); whoever owns the Departure and Follow-up dialogs
 * connects to these signals (JzWindow does, see jz-window.c). The actions
 * are disabled while nothing is connected or nothing applies (no open
 * episode to depart from).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-store.h"

G_BEGIN_DECLS

#define JZ_TYPE_CASE_PAGE (jz_case_page_get_type ())
G_DECLARE_FINAL_TYPE (JzCasePage, jz_case_page, JZ, CASE_PAGE, GtkWidget)

JzCasePage *jz_case_page_new             (JzStore    *store);
JzStore    *jz_case_page_get_store       (JzCasePage *self);
void        jz_case_page_set_store       (JzCasePage *self,
                                          JzStore    *store);
const char *jz_case_page_get_person_id   (JzCasePage *self);
/* Shows @person_id's file; FALSE when there is no such person. */
gboolean    jz_case_page_set_person_id   (JzCasePage *self,
                                          const char *person_id);
/* The open episode shown (NULL: none). */
const char *jz_case_page_get_episode_id  (JzCasePage *self);
/* The person's display name, for the window title. */
const char *jz_case_page_get_title       (JzCasePage *self);
/* Activates a quick action ("case.service", "case.bed", "case.tracing",
 * "case.referral", "case.expenditure", "case.attach", "case.extend",
 * "case.escort", "case.placement", "case.settlement", "case.depart",
 * "case.followup"), as its button does. */
void        jz_case_page_open_action     (JzCasePage *self,
                                          const char *action);
AdwToastOverlay *jz_case_page_get_toast_overlay (JzCasePage *self);
/* The timeline shown (newest first), for tests. */
guint       jz_case_page_get_timeline_length (JzCasePage *self);
char       *jz_case_page_describe_timeline   (JzCasePage *self,
                                              guint       index);
char       *jz_case_page_timeline_who        (JzCasePage *self,
                                              guint       index);

G_END_DECLS
