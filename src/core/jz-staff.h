/* jz-staff.h: staff members and their PINs
 *
 * The PIN is kept as PBKDF2-HMAC-SHA256 (pin, salt, rounds), hex, in
 * staff.pin_hash / pin_salt / pin_rounds (see 0002-relief.sql); the salt
 * is 16 random bytes, and its 32-character hex text is what PBKDF2 gets. A PIN identifies who is working at a shared
 * workstation; it is not the only protection of the data.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jz-records.h"

G_BEGIN_DECLS

#define JZ_STAFF_PIN_MIN_LEN 4
#define JZ_STAFF_PIN_MAX_LEN 12
#define JZ_STAFF_PIN_ROUNDS  100000

/* A PIN is 4 to 12 digits; FALSE with a message that says so. */
gboolean    jz_staff_pin_is_valid     (const char      *pin,
                                       GError         **error);
/* Sets @staff's pin_hash, pin_salt and pin_rounds for @pin (a fresh salt;
 * @rounds 0 means JZ_STAFF_PIN_ROUNDS). Does not write the store. */
gboolean    jz_staff_set_pin          (JzStaff         *staff,
                                       const char      *pin,
                                       guint            rounds,
                                       GError         **error);
/* Whether @pin is @staff's PIN (constant-time comparison). A staff member
 * without a PIN never matches. */
gboolean    jz_staff_check_pin        (const JzStaff   *staff,
                                       const char      *pin);
/* PBKDF2-HMAC-SHA256 with one 32-byte block, as lowercase hex. */
char       *jz_staff_pin_hash         (const char      *pin,
                                       const char      *salt_hex,
                                       guint            rounds);

/* Adds a staff member with a PIN in one transaction; @out_id (may be
 * NULL) receives the new id. Names are 1–64 characters. */
gboolean    jz_store_add_staff        (JzStore         *store,
                                       const char      *name,
                                       const char      *role,
                                       const char      *pin,
                                       guint            rounds,
                                       char           **out_id,
                                       GError         **error);
/* Sets a new PIN for @staff_id. */
gboolean    jz_store_reset_staff_pin  (JzStore         *store,
                                       const char      *staff_id,
                                       const char      *pin,
                                       guint            rounds,
                                       GError         **error);
/* Deactivates or reactivates @staff_id. The last active administrator
 * cannot be deactivated (nobody could add staff any more). */
gboolean    jz_store_set_staff_active (JzStore         *store,
                                       const char      *staff_id,
                                       gboolean         active,
                                       GError         **error);
/* Staff of this station by name; @active_only leaves out deactivated
 * ones. Returns: (element-type JzStaff): a GPtrArray that frees them. */
GPtrArray  *jz_store_list_staff       (JzStore         *store,
                                       gboolean         active_only,
                                       GError         **error);
/* The number of active staff members, of @role when it is not NULL. */
guint       jz_store_count_staff      (JzStore         *store,
                                       const char      *role);

G_END_DECLS
