/* jz-case-labels.h: the words the UI shows for the stored ids
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The translated label of @id in @set ("service_kind", "tracing_method",
 * "tracing_channel", "agency", "referral_status", "expenditure_kind",
 * "settlement_status", "attachment_kind", "entity", "source", "category",
 * "identity_status", "name_quality", "room_kind", "status", "departure_mode"); @id
 * itself when it is not in the set, "—" for NULL. */
const char         *jz_case_label      (const char *set,
                                        const char *id);
/* The ids of @set in display order, NULL-terminated; NULL for an unknown set. */
const char * const *jz_case_label_ids  (const char *set);
/* "12.50" from 1250 fen. */
char               *jz_case_format_yuan (gint64     fen);
/* Fen from "12.5", "12.50", "12" (at most two decimals, not negative);
 * FALSE for anything else. */
gboolean            jz_case_parse_yuan  (const char *text,
                                         gint64     *fen);

G_END_DECLS
