/* jz-blobs.h: photos, scans and signatures as content-addressed files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jz-records.h"

G_BEGIN_DECLS

/* TRUE for 64 lower-case hex digits. */
gboolean  jz_sha256_is_valid       (const char     *text);

/* <profile dir>/blobs/ab/abcdef… (the two first hex digits, then the
 * whole SHA-256), whether or not the file is there. */
char     *jz_store_blob_path       (JzStore        *store,
                                    const char     *sha256);
/* Stores @bytes under their SHA-256 (written to a temporary file, synced
 * and renamed, so a crash never leaves a partial blob under the name);
 * an existing blob of the same content is kept. */
gboolean  jz_store_put_blob        (JzStore        *store,
                                    GBytes         *bytes,
                                    char          **sha256_out,
                                    GError        **error);
/* The blob's bytes, checked against the name; JZ_STORE_ERROR_NOT_FOUND
 * when it is not here (yet: blobs travel separately from rows),
 * JZ_STORE_ERROR_CORRUPT when the content does not match. */
GBytes   *jz_store_read_blob       (JzStore        *store,
                                    const char     *sha256,
                                    GError        **error);
/* Stores @bytes and records @attachment (owner_entity, owner_id, kind and
 * mime set by the caller; sha256 and size filled in). */
gboolean  jz_store_add_attachment  (JzStore        *store,
                                    JzAttachment   *attachment,
                                    GBytes         *bytes,
                                    GError        **error);

G_END_DECLS
