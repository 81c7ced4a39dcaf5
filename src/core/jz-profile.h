/* jz-profile.h: where a device profile's store lives
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define JZ_DEFAULT_PROFILE "default"

gboolean  jz_profile_name_is_valid (const char  *name);
char     *jz_profile_data_dir      (void);
char     *jz_profile_dir           (const char  *profile);
char     *jz_profile_db_path       (const char  *profile);
gboolean  jz_profile_ensure_dir    (const char  *profile,
                                    GError     **error);

G_END_DECLS
