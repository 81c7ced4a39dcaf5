/* jz-test-audit-v11.h: a store's audit log as schema 11 kept it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Rewrites the audit log of the closed store at @path the way schema 11
 * stored it (the table `audit`: text columns, whole SHA-256 hashes, the
 * previous hash's first 4 bytes), with the same entries and a chain that
 * verifies; the caller sets user_version. For the tests of migration 0012. */
void jz_test_audit_to_v11 (const char *path);

G_END_DECLS
