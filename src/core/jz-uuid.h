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

/* The 16 bytes of a UUID written as jz_uuid_v7_generate() writes one
 * (36 characters, lowercase, 8-4-4-4-12), and back: only that form
 * packs, so jz_uuid_unpack() gives back exactly the text packed. */
gboolean  jz_uuid_pack        (const char   *text,
                               gsize         len,
                               guint8        out[16]);
void      jz_uuid_unpack      (const guint8  bytes[16],
                               char          out[37]);

G_END_DECLS
