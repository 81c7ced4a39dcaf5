/* jz-core.c: libjiuzhu-core set-up
 *
 * The core's GResource (region table, migrations) is registered by hand:
 * in a static library nothing would pull in the constructor that
 * glib-compile-resources generates.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-core"

#include <sqlite3.h>

#include "jz-core.h"
#include "jz-core-resources.h"

void
jz_core_init (void)
{
  static gsize once;

  if (g_once_init_enter (&once))
    {
      jz_core_register_resource ();
      g_once_init_leave (&once, 1);
    }
}

/* sqlite3_config refuses once SQLite is initialised (then the defaults
 * stay, which is only slower). Memory statistics off: with them on, every
 * allocation SQLite makes takes a global mutex and updates the counters
 * (about 7 % of the instructions of a demo row); nothing here reads them
 * (sqlite3_memory_used, sqlite3_status, a soft heap limit). */
void
jz_sqlite_configure (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
      g_once_init_leave (&done, 1);
    }
}

void
jz_string_append_int (GString *s,
                      gint64   v)
{
  char buf[24];
  char *p = buf + sizeof buf;
  guint64 u = v < 0 ? -(guint64) v : (guint64) v;

  do
    *--p = (char) ('0' + u % 10);
  while ((u /= 10) != 0);
  if (v < 0)
    *--p = '-';
  jz_string_append_len (s, p, buf + sizeof buf - p);
}
