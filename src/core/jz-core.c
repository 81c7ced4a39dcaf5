/* jz-core.c: libjiuzhu-core set-up
 *
 * The core's GResource (region table, migrations) is registered by hand:
 * in a static library nothing would pull in the constructor that
 * glib-compile-resources generates.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-core"

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
