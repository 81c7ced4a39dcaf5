/* jz-sync-text.h: what the sync indicator, the Hub & sync area and the
 * Hub preferences say, as pure functions (tested without a display)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "jz-schema.h"
#include "jz-sync-engine.h"

G_BEGIN_DECLS

/* "Up to date", "Offline" …, and a symbolic icon for the state. */
const char *jz_sync_state_label        (JzSyncState    state);
const char *jz_sync_state_icon_name    (JzSyncState    state);
/* One sentence under the state, e.g. for the popover. */
const char *jz_sync_state_description  (JzSyncState    state);

/* "just now", "5 minutes ago", "today at 14:03", "yesterday at 09:10",
 * "2025-11-20 14:03"; "never" for 0. Local time. */
char       *jz_sync_format_when        (gint64         unix_s,
                                        gint64         now_s);
/* "3 changes waiting to be sent" / "Nothing waiting to be sent". */
char       *jz_sync_format_pending     (gint64         pending);

/* What went wrong in words a person can act on, from the GError domain
 * and code; @message (English, technical) is used only when the error is
 * of a kind not known here. NULL when @message is NULL. */
char       *jz_sync_explain_error      (GQuark         domain,
                                        int            code,
                                        const char    *message,
                                        const char    *hub_url);

/* Checks a hub address typed by a person: NULL if it is usable, else
 * what to fix. */
char       *jz_sync_check_hub_url      (const char    *url);
/* Checks an enrolment code (10 letters and digits, e.g. 7KQ2M-XP4RT). */
char       *jz_sync_check_enrol_code   (const char    *code);
/* Which field an enrolment error belongs to: 0 the address, 1 the code,
 * 2 the certificate pin. */
int         jz_sync_enrol_error_field  (const GError  *error);

/* Labels for the conflicts list. */
const char *jz_sync_entity_label       (const char    *entity);
const char *jz_sync_field_label        (const char    *entity,
                                        const JzField *field,
                                        const char    *column);
/* A stored JSON value as a person reads it ("(empty)" for null). */
char       *jz_sync_format_value       (const JzField *field,
                                        const char    *json);

G_END_DECLS
