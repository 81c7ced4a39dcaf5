/* jz-followup-dialog.h: recording a follow-up (回访)
 *
 * Opened from the follow-ups area for a scheduled follow-up, or from the
 * case page's "case.followup" hook for a person (and episode). It records
 * how the person was reached (visit, phone, via the local civil affairs
 * office), the situation, the help given and the risk of leaving home
 * again. Without a follow-up id it answers the earliest one still due for
 * the episode (or person), or records an unscheduled one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-store.h"

G_BEGIN_DECLS

#define JZ_TYPE_FOLLOWUP_DIALOG (jz_followup_dialog_get_type ())
G_DECLARE_FINAL_TYPE (JzFollowupDialog, jz_followup_dialog, JZ, FOLLOWUP_DIALOG, AdwWindow)

/* @followup_id and @episode_id may be NULL. Returns NULL (with a message
 * dialog shown instead) when the person cannot be read. Emits ::saved
 * (follow-up id) and closes once the follow-up is saved. */
JzFollowupDialog *jz_followup_dialog_new              (GtkWindow        *parent,
                                                       JzStore          *store,
                                                       const char       *person_id,
                                                       const char       *episode_id,
                                                       const char       *followup_id);
/* The scheduled follow-up being answered, or NULL for an unscheduled one. */
const char       *jz_followup_dialog_get_followup_id  (JzFollowupDialog *self);

G_END_DECLS
