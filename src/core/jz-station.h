/* jz-station.h: station codes such as 320481-01
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean jz_station_code_validate (const char  *code,
                                   GError     **error);

G_END_DECLS
