/* jz-blobs.c: photos, scans and signatures as content-addressed files
 *
 * Rows stay small and sync fast; the bytes of an attachment live beside
 * the store as blobs/ab/<sha256> and travel separately (the hub has
 * /v1/blobs/<sha256>). The name is the content's hash: the same photo is
 * stored once, a blob can be checked by anyone, and a row may arrive
 * before its blob (then the blob is simply not here yet).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-blobs"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "jz-blobs.h"

gboolean
jz_sha256_is_valid (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (guint i = 0; i < 64; i++)
    if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]))
      return FALSE;
  return TRUE;
}

char *
jz_store_blob_path (JzStore    *store,
                    const char *sha256)
{
  g_autofree char *dir = NULL;
  char prefix[3];

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);
  g_return_val_if_fail (jz_sha256_is_valid (sha256), NULL);

  dir = g_path_get_dirname (jz_store_get_path (store));
  prefix[0] = sha256[0];
  prefix[1] = sha256[1];
  prefix[2] = '\0';
  return g_build_filename (dir, "blobs", prefix, sha256, NULL);
}

gboolean
jz_store_put_blob (JzStore  *store,
                   GBytes   *bytes,
                   char    **sha256_out,
                   GError  **error)
{
  g_autofree char *sha = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);

  sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  path = jz_store_blob_path (store, sha);
  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_IO,
                   /* Translators: a folder's path and the system's reason. */
                   _("Cannot create the folder %s for attachments: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  /* Same name, same content: an existing blob is already this one. */
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GError) local = NULL;

      if (!g_file_set_contents_full (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                     G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                     0600, &local))
        {
          g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_IO,
                       /* Translators: %s is the reason. */
                       _("Cannot save the attachment: %s"), local->message);
          return FALSE;
        }
    }
  if (sha256_out != NULL)
    *sha256_out = g_steal_pointer (&sha);
  return TRUE;
}

GBytes *
jz_store_read_blob (JzStore     *store,
                    const char  *sha256,
                    GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *actual = NULL;
  g_autoptr(GError) local = NULL;
  gsize len = 0;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);

  if (!jz_sha256_is_valid (sha256))
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   /* Translators: %s is the checksum given. */
                   _("“%s” is not a SHA-256 in hex"), sha256 ? sha256 : "");
      return NULL;
    }
  path = jz_store_blob_path (store, sha256);
  if (!g_file_get_contents (path, &contents, &len, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_NOT_FOUND,
                     /* Translators: %.12s is the start of the attachment's checksum. */
                     _("The attachment %.12s… is not on this device yet; it arrives with the next sync"), sha256);
      else
        g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_IO,
                     /* Translators: %s is the reason. */
                     _("Cannot read the attachment: %s"), local->message);
      return NULL;
    }
  actual = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
  if (!g_str_equal (actual, sha256))
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_CORRUPT,
                   /* Translators: %s is a file's path. */
                   _("The attachment file %s is damaged (its content does not match its name); "
                     "delete it and sync to fetch it again"), path);

      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

gboolean
jz_store_add_attachment (JzStore       *store,
                         JzAttachment  *attachment,
                         GBytes        *bytes,
                         GError       **error)
{
  g_autofree char *sha = NULL;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (attachment != NULL, FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);

  /* The file first: a row never points at bytes that were not saved. An
   * attachment row that then fails validation leaves an unreferenced
   * blob, which is harmless. */
  if (!jz_store_put_blob (store, bytes, &sha, error))
    return FALSE;
  g_free (attachment->sha256);
  attachment->sha256 = g_steal_pointer (&sha);
  attachment->size = (gint64) g_bytes_get_size (bytes);
  return jz_store_insert (store, &jz_entity_attachment, attachment, error);
}
