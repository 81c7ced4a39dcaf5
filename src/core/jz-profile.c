/* jz-profile.c: where a device profile's store lives
 *
 * A profile is one store file: $JIUZHU_DATA_DIR/<profile>/station.db,
 * with $JIUZHU_DATA_DIR defaulting to $XDG_DATA_HOME/jiuzhu.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-profile"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "jz-profile.h"

gboolean
jz_profile_name_is_valid (const char *name)
{
  if (name == NULL || *name == '\0' || strlen (name) > 64)
    return FALSE;
  if (name[0] == '.')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

char *
jz_profile_data_dir (void)
{
  const char *env = g_getenv ("JIUZHU_DATA_DIR");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_data_dir (), "jiuzhu", NULL);
}

char *
jz_profile_dir (const char *profile)
{
  g_autofree char *base = jz_profile_data_dir ();

  g_return_val_if_fail (jz_profile_name_is_valid (profile), NULL);
  return g_build_filename (base, profile, NULL);
}

char *
jz_profile_db_path (const char *profile)
{
  g_autofree char *dir = jz_profile_dir (profile);

  g_return_val_if_fail (dir != NULL, NULL);
  return g_build_filename (dir, "station.db", NULL);
}

gboolean
jz_profile_ensure_dir (const char  *profile,
                       GError     **error)
{
  g_autofree char *dir = NULL;

  if (!jz_profile_name_is_valid (profile))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   /* Translators: %s is the profile name given. */
                   _("“%s” is not a valid profile name: use letters, digits, “-”, “_” and “.”"),
                   profile ? profile : "");
      return FALSE;
    }

  dir = jz_profile_dir (profile);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   /* Translators: a folder's path and the system's reason. */
                   _("Cannot create the data folder %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  if (g_access (dir, W_OK) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   /* Translators: a folder's path and the system's reason. */
                   _("Cannot write to the data folder %s: %s"), dir, g_strerror (saved));

      return FALSE;
    }
  return TRUE;
}
