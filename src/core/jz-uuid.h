/* jz-uuid.h: time-ordered record identifiers (UUIDv7)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char     *jz_uuid_v7_new      (void);
void      jz_uuid_v7_generate (char        out[37]);
gboolean  jz_uuid_is_valid    (const char *text);
gint64    jz_uuid_v7_get_ms   (const char *uuid);

G_END_DECLS
