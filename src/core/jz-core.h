/* jz-core.h: libjiuzhu-core set-up
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void jz_core_init (void);

G_END_DECLS
