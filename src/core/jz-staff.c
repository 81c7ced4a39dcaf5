/* jz-staff.c: staff members and their PINs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-staff"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "jz-records-private.h"
#include "jz-staff.h"

#define SALT_LEN 16
#define HASH_LEN 32

gboolean
jz_staff_pin_is_valid (const char  *pin,
                       GError     **error)
{
  gsize len = pin ? strlen (pin) : 0;

  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (pin[i]))
      {
        g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                     /* Translators: the fewest and the most digits of a PIN. */
                     _("A PIN is made of digits only; type %d to %d digits"),
                     JZ_STAFF_PIN_MIN_LEN, JZ_STAFF_PIN_MAX_LEN);
        return FALSE;
      }
  if (len < JZ_STAFF_PIN_MIN_LEN || len > JZ_STAFF_PIN_MAX_LEN)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   /* Translators: the fewest and the most digits of a PIN, and
                    * how many were typed. */
                   _("A PIN has %d to %d digits; this one has %u"),
                   JZ_STAFF_PIN_MIN_LEN, JZ_STAFF_PIN_MAX_LEN, (guint) len);
      return FALSE;
    }
  return TRUE;
}

static char *
to_hex (const guint8 *bytes,
        gsize         len)
{
  char *out = g_malloc (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = "0123456789abcdef"[bytes[i] >> 4];
      out[2 * i + 1] = "0123456789abcdef"[bytes[i] & 15];
    }
  out[len * 2] = '\0';
  return out;
}

char *
jz_staff_pin_hash (const char *pin,
                   const char *salt_hex,
                   guint       rounds)
{
  g_autoptr(GHmac) keyed = NULL;
  guint8 u[HASH_LEN], t[HASH_LEN];
  gsize len = HASH_LEN;
  const guint8 block[4] = { 0, 0, 0, 1 };

  g_return_val_if_fail (pin != NULL && salt_hex != NULL && rounds > 0, NULL);

  /* The keyed state is computed once and copied for every round. */
  keyed = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) pin, strlen (pin));
  {
    g_autoptr(GHmac) h = g_hmac_copy (keyed);

    g_hmac_update (h, (const guchar *) salt_hex, strlen (salt_hex));
    g_hmac_update (h, block, sizeof block);
    g_hmac_get_digest (h, u, &len);
  }
  memcpy (t, u, HASH_LEN);
  for (guint i = 1; i < rounds; i++)
    {
      g_autoptr(GHmac) h = g_hmac_copy (keyed);

      g_hmac_update (h, u, HASH_LEN);
      len = HASH_LEN;
      g_hmac_get_digest (h, u, &len);
      for (guint j = 0; j < HASH_LEN; j++)
        t[j] ^= u[j];
    }
  return to_hex (t, HASH_LEN);
}

gboolean
jz_staff_set_pin (JzStaff     *staff,
                  const char  *pin,
                  guint        rounds,
                  GError     **error)
{
  guint8 salt[SALT_LEN];

  g_return_val_if_fail (staff != NULL, FALSE);

  if (!jz_staff_pin_is_valid (pin, error))
    return FALSE;
  if (getrandom (salt, sizeof salt, 0) != sizeof salt)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_IO,
                   /* Translators: %s is the system's reason. */
                   _("Cannot read random bytes for the PIN: %s"), g_strerror (errno));
      return FALSE;
    }
  if (rounds == 0)
    rounds = JZ_STAFF_PIN_ROUNDS;
  g_free (staff->pin_salt);
  staff->pin_salt = to_hex (salt, sizeof salt);
  g_free (staff->pin_hash);
  staff->pin_hash = jz_staff_pin_hash (pin, staff->pin_salt, rounds);
  staff->pin_rounds = rounds;
  return TRUE;
}

gboolean
jz_staff_check_pin (const JzStaff *staff,
                    const char    *pin)
{
  g_autofree char *hash = NULL;
  guint diff = 0;

  g_return_val_if_fail (staff != NULL, FALSE);

  if (pin == NULL || staff->pin_hash == NULL || staff->pin_salt == NULL || staff->pin_rounds <= 0 ||
      strlen (staff->pin_hash) != HASH_LEN * 2)
    return FALSE;
  hash = jz_staff_pin_hash (pin, staff->pin_salt, (guint) staff->pin_rounds);
  for (guint i = 0; i < HASH_LEN * 2; i++)
    diff |= (guint) (hash[i] ^ staff->pin_hash[i]);
  return diff == 0;
}

gboolean
jz_store_add_staff (JzStore     *store,
                    const char  *name,
                    const char  *role,
                    const char  *pin,
                    guint        rounds,
                    char       **out_id,
                    GError     **error)
{
  g_autoptr(JzStaff) staff = jz_staff_new ();

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);

  staff->name = g_strdup (name);
  staff->role = g_strdup (role ? role : "worker");
  staff->active = TRUE;
  if (!jz_staff_set_pin (staff, pin, rounds, error))
    return FALSE;
  if (!jz_store_insert_staff (store, staff, error))
    return FALSE;
  if (out_id != NULL)
    *out_id = g_strdup (staff->rec.id);
  return TRUE;
}

gboolean
jz_store_reset_staff_pin (JzStore     *store,
                          const char  *staff_id,
                          const char  *pin,
                          guint        rounds,
                          GError     **error)
{
  g_autoptr(JzStaff) staff = NULL;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (staff_id != NULL, FALSE);

  if (!jz_staff_pin_is_valid (pin, error))
    return FALSE;
  staff = jz_store_get_staff (store, staff_id, error);
  if (staff == NULL)
    return FALSE;
  return jz_staff_set_pin (staff, pin, rounds, error) &&
         jz_store_update_staff (store, staff, error);
}

gboolean
jz_store_set_staff_active (JzStore     *store,
                           const char  *staff_id,
                           gboolean     active,
                           GError     **error)
{
  g_autoptr(JzStaff) staff = NULL;
  gboolean ok;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (staff_id != NULL, FALSE);

  if (!jz_store_write_begin (store, error))
    return FALSE;
  staff = jz_store_get_staff (store, staff_id, error);
  ok = staff != NULL;
  if (ok && !active && staff->active && g_strcmp0 (staff->role, "admin") == 0 &&
      jz_store_count_staff (store, "admin") <= 1)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   /* Translators: %s is a staff member's name. */
                   _("%s is the only active administrator; add another administrator first"),

                   staff->name);
      ok = FALSE;
    }
  if (ok && staff->active != active)
    {
      staff->active = active;
      ok = _jz_store_update_in_txn (store, &jz_entity_staff, staff, error);
    }
  return jz_store_write_end (store, ok, ok ? error : NULL) && ok;
}

GPtrArray *
jz_store_list_staff (JzStore   *store,
                     gboolean   active_only,
                     GError   **error)
{
  g_return_val_if_fail (JZ_IS_STORE (store), NULL);

  /* Staff of other stations arrive with the sync; only ours sign in here. */
  return _jz_store_list_sql (store, &jz_entity_staff,
                             active_only
                               ? "WHERE deleted = 0 AND active = 1 AND station = ?1 ORDER BY name, id"
                               : "WHERE deleted = 0 AND station = ?1 ORDER BY active DESC, name, id",
                             jz_store_get_station_code (store), error);
}

guint
jz_store_count_staff (JzStore    *store,
                      const char *role)
{
  sqlite3_stmt *stmt;
  guint n = 0;

  g_return_val_if_fail (JZ_IS_STORE (store), 0);

  stmt = jz_store_prepare (store,
                           "SELECT count(*) FROM staff WHERE deleted = 0 AND active = 1 "
                           "AND station = ?1 AND (?2 IS NULL OR role = ?2)", NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, jz_store_get_station_code (store), -1, SQLITE_TRANSIENT);
  if (role != NULL)
    sqlite3_bind_text (stmt, 2, role, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 2);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = (guint) sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}
