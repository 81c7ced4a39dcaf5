/* jz-departure-dialog.h: recording a departure (离站)
 *
 * Opened for an open episode (the case page's "case.depart" hook). The
 * worker picks the mode of the national monthly form; modes the rules
 * forbid for this person (self-departure under 16 or with signs of mental
 * or intellectual disability; anything but "left", "died" or "other" for a
 * person still being screened) are greyed out with the reason. It asks for
 * what the mode needs (collector and ID for 接领, ticket, a reason for cash
 * over 20 yuan), returns the belongings item by item and schedules the
 * follow-ups, all in one transaction; then offers the forms to print.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-episode-rules.h"
#include "jz-store.h"

G_BEGIN_DECLS

#define JZ_TYPE_DEPARTURE_DIALOG (jz_departure_dialog_get_type ())
G_DECLARE_FINAL_TYPE (JzDepartureDialog, jz_departure_dialog, JZ, DEPARTURE_DIALOG, AdwWindow)

/* A modal dialog over @parent for @episode_id; NULL (with a message
 * dialog shown instead) when the episode cannot be read or is closed.
 * Emits ::recorded (episode id) once the departure is saved. */
JzDepartureDialog *jz_departure_dialog_new         (GtkWindow         *parent,
                                                    JzStore           *store,
                                                    const char        *episode_id);

/* For tests and keyboard users: the row of @mode (its sensitivity and
 * subtitle tell whether and why it is allowed), and choosing a mode as
 * a click on it would. */
GtkWidget         *jz_departure_dialog_get_mode_row (JzDepartureDialog *self,
                                                    JzDepartureMode    mode);
gboolean           jz_departure_dialog_select_mode  (JzDepartureDialog *self,
                                                    JzDepartureMode    mode);
/* The check button of the @index-th belonging held (in received order). */
GtkWidget         *jz_departure_dialog_get_belonging_check (JzDepartureDialog *self,
                                                           guint              index);

G_END_DECLS
