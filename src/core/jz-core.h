/* jz-core.h: libjiuzhu-core set-up
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void jz_core_init         (void);

/* SQLite's process-wide settings, before its first use in the process
 * (every store and hub store calls it before opening). */
void jz_sqlite_configure  (void);

/* Appends @v in decimal, as printf's "%" G_GINT64_FORMAT writes it,
 * without printf's cost: for paths that run per row or per change (the
 * audit log's JSON, the hub's field tags). */
void jz_string_append_int (GString *s,
                           gint64   v);

G_END_DECLS
