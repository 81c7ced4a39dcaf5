/* jz-case-action-dialog.h: the case page's quick actions
 *
 * One small modal form per action (a service given, a bed, a tracing
 * step, a referral with its deadline, spending, a stay extension, an
 * escort trip, a placement, a settlement). Save (Ctrl+S or Enter in the
 * last field) writes one record through the store API in one
 * transaction; a problem is shown under the field it is about, or under
 * the form when the store refuses. ::saved tells the case page what was
 * written so that it can offer Undo.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-records.h"

G_BEGIN_DECLS

typedef enum
{
  JZ_CASE_ACTION_SERVICE,      /* "service" */
  JZ_CASE_ACTION_BED,          /* "bed" */
  JZ_CASE_ACTION_TRACING,      /* "tracing" */
  JZ_CASE_ACTION_REFERRAL,     /* "referral" */
  JZ_CASE_ACTION_EXPENDITURE,  /* "expenditure" */
  JZ_CASE_ACTION_EXTEND,       /* "extend" */
  JZ_CASE_ACTION_ESCORT,       /* "escort" */
  JZ_CASE_ACTION_PLACEMENT,    /* "placement" */
  JZ_CASE_ACTION_SETTLEMENT,   /* "settlement" */
  JZ_CASE_N_ACTIONS
} JzCaseAction;

const char *jz_case_action_to_string   (JzCaseAction action);
gboolean    jz_case_action_from_string (const char   *text,
                                        JzCaseAction *out);
/* The dialog's title, translated. */
const char *jz_case_action_get_title   (JzCaseAction action);

#define JZ_TYPE_CASE_ACTION_DIALOG (jz_case_action_dialog_get_type ())
G_DECLARE_FINAL_TYPE (JzCaseActionDialog, jz_case_action_dialog, JZ, CASE_ACTION_DIALOG, AdwWindow)

/* @episode may be NULL for person-level actions (placement, settlement). */
JzCaseActionDialog *jz_case_action_dialog_new   (GtkWindow         *parent,
                                                 JzStore           *store,
                                                 JzCaseAction       action,
                                                 const JzPerson    *person,
                                                 const JzEpisode   *episode);
JzCaseAction        jz_case_action_dialog_get_action (JzCaseActionDialog *self);

/* For tests and scripting: the field named @key (a column of the record,
 * or "days", "amount" …): its row widget, and setting it as typing
 * would. Enumerations take the stored id; switches "true"/"false". */
GtkWidget  *jz_case_action_dialog_get_field     (JzCaseActionDialog *self,
                                                 const char         *key);
gboolean    jz_case_action_dialog_set_field     (JzCaseActionDialog *self,
                                                 const char         *key,
                                                 const char         *value);
/* The bed dialog: picks @bed_id as a click on its row would. */
gboolean    jz_case_action_dialog_choose_bed    (JzCaseActionDialog *self,
                                                 const char         *bed_id);
/* Saves as the Save button does; FALSE when something is refused (the
 * message is then shown in the dialog and returned by get_error). */
gboolean    jz_case_action_dialog_save          (JzCaseActionDialog *self);
/* The message shown for @key, or for the whole form with NULL. */
const char *jz_case_action_dialog_get_error     (JzCaseActionDialog *self,
                                                 const char         *key);

G_END_DECLS
