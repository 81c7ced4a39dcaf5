/* jz-regions.h: GB/T 2260 administrative region codes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  JZ_REGION_LEVEL_PROVINCE,
  JZ_REGION_LEVEL_PREFECTURE,
  JZ_REGION_LEVEL_COUNTY,
} JzRegionLevel;

typedef struct
{
  char          code[7];
  char          parent[7];
  const char   *name;
  gboolean      abolished;
  JzRegionLevel level;
} JzRegion;

const JzRegion *jz_regions_lookup     (const char *code);
guint           jz_regions_count      (void);
const JzRegion *jz_regions_nth        (guint       index);
char           *jz_regions_full_name  (const char *code);
JzRegionLevel   jz_region_level_of    (const char *code);

G_END_DECLS
