/* jz-station.c: station codes
 *
 * A station code is the GB/T 2260 code of the station's county or city and
 * a two-digit number that tells apart stations of the same area:
 * 320481-01.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-station"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jz-regions.h"
#include "jz-station.h"
#include "jz-store.h"

gboolean
jz_station_code_validate (const char  *code,
                          GError     **error)
{
  char region[7];
  const JzRegion *r;

  if (code == NULL || *code == '\0')
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   _("The station code is empty; type the 6-digit area code, a dash and a 2-digit number, e.g. 320481-01"));
      return FALSE;
    }

  if (strlen (code) != 9 || code[6] != '-')
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   /* Translators: %s is what was typed as a station code. */
                   _("“%s” is not of the form 320481-01: 6 digits of the area code, a dash, 2 digits"),
                   code);
      return FALSE;
    }
  for (int i = 0; i < 9; i++)
    if (i != 6 && !g_ascii_isdigit (code[i]))
      {
        g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                     /* Translators: %s is what was typed as a station code. */
                     _("“%s” has a character that is not a digit; a station code looks like 320481-01"),
                     code);
        return FALSE;
      }
  if (code[7] == '0' && code[8] == '0')
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   _("The station number after the dash must be 01 to 99, not 00"));
      return FALSE;
    }

  memcpy (region, code, 6);
  region[6] = '\0';
  r = jz_regions_lookup (region);
  if (r == NULL)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   /* Translators: %s is a 6-digit 行政区划代码. */
                   _("%s is not a GB/T 2260 area code; use the code of the station's county or city"),
                   region);
      return FALSE;
    }
  if (r->level == JZ_REGION_LEVEL_PROVINCE)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   /* Translators: a 6-digit 行政区划代码 and the province's name. */
                   _("%s is the code of a province (%s); use the code of the station's county or city"),
                   region, r->name);
      return FALSE;
    }
  if (r->abolished)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   /* Translators: a 6-digit 行政区划代码 and the region's name. */
                   _("%s (%s) is an abolished area code; use the current code of the station's county or city"),
                   region, r->name);
      return FALSE;
    }
  return TRUE;
}
