/* jz-chaos-oracle.h: what must hold once a chaos world is quiescent
 *
 * Invariants (the names are what a failure report starts with):
 *   save-at-hub         every save whose reply came back is at the hub exactly
 *                       once, as (station, epoch, seq) with its entity, id, op;
 *                       or, refused by the hub (outside the station's rights),
 *                       as a void place in the stream, and then
 *   refused-kept        each value the refused save carried is in the
 *                       station's conflicts
 *   edit-reached-hub    the value an edit wrote is in that change at the hub,
 *                       as the value that took effect or as a losing value
 *   stream              each (station, epoch) stream at the hub is contiguous,
 *                       in hub order, and its mark says so; nothing pending
 *   pushed-all          each replica's outbox is wholly acknowledged and the
 *                       hub's mark is its last seq
 *   cursor              each replica has pulled up to the hub's last change
 *   records             the hub's records are exactly the ones created by
 *                       saves (none lost, none doubled, none made up)
 *   digest              each replica equals the hub on its scope, per table
 *                       (SHA-256 of the synced fields)
 *   conflict-kept       every losing value at the hub is in the conflicts
 *                       table of the losing station's replica
 *   no-silent-overwrite in the hub's history, a value is replaced by a change not
 *                       based on it (base_rev older than its hlc) only with a
 *                       conflict recorded (the hub's own rule)
 *   no-unseen-overwrite the same by what the writer had really pulled (its
 *                       cursor when it saved), which clocks only approximate
 *   hub-check, replica-check   `jiuzhu-hub check`, `jiuzhu-cli check`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-c/json.h>
#include <sqlite3.h>

#include "jz-chaos-world.h"

G_BEGIN_DECLS

/* Canonical text of a value, the same for a JSON value at the hub and a
 * column of a replica: "null", "i:42", "r:1.5", "s:text". */
char     *jz_chaos_canon_text   (const char   *text);
char     *jz_chaos_canon_int    (gint64        value);
char     *jz_chaos_canon_json   (json_object  *value);
char     *jz_chaos_canon_column (sqlite3_stmt *stmt,
                                 int           column);

/* Appends one line per violation to @report ("invariant: detail") and
 * returns the number of violations; @full adds the slower checks (the
 * programs' own `check`). */
guint     jz_chaos_oracle_check (JzChaosWorld *world,
                                 gboolean      full,
                                 GString      *report);

G_END_DECLS
