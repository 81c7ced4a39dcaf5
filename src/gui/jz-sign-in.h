/* jz-sign-in.h: who is on duty
 *
 * Picks the staff member working at this workstation and checks their
 * PIN; on a store without staff it creates the first administrator.
 * Emits JzSignIn::signed-in (staff id) when someone has signed in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-store.h"

G_BEGIN_DECLS

#define JZ_TYPE_SIGN_IN (jz_sign_in_get_type ())
G_DECLARE_FINAL_TYPE (JzSignIn, jz_sign_in, JZ, SIGN_IN, GtkWidget)

/* Wrong PINs in a row before the form waits. */
#define JZ_SIGN_IN_MAX_FAILURES 5
#define JZ_SIGN_IN_WAIT_SECONDS 30

JzSignIn   *jz_sign_in_new          (JzStore    *store);
void        jz_sign_in_set_store    (JzSignIn   *self,
                                     JzStore    *store);
/* Reloads the staff list and clears the PIN; @staff_id (may be NULL) is
 * selected, e.g. the person who was signed in when the screen locked. */
void        jz_sign_in_reset        (JzSignIn   *self,
                                     const char *staff_id);
/* "sign-in" or "create" (no staff yet: make the first administrator). */
const char *jz_sign_in_get_mode     (JzSignIn   *self);
/* Selects @staff_id in the list; FALSE when it is not there. */
gboolean    jz_sign_in_select_staff (JzSignIn   *self,
                                     const char *staff_id);
/* The message shown under the form, or NULL. */
const char *jz_sign_in_get_error    (JzSignIn   *self);

G_END_DECLS
