/* jz-region-row.h: an entry row that picks a GB/T 2260 region
 *
 * Type a region's name ("溧阳"), its pinyin ("liyang", "ly") or the
 * first digits of its code; suggestions drop down under the row and are
 * picked with the arrow keys and Enter, or a click. The row then shows
 * the full name ("江苏省 常州市 溧阳市") and holds the code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define JZ_TYPE_REGION_ROW (jz_region_row_get_type ())
G_DECLARE_FINAL_TYPE (JzRegionRow, jz_region_row, JZ, REGION_ROW, AdwEntryRow)

GtkWidget  *jz_region_row_new        (void);
/* The picked code, or NULL while nothing is picked. */
const char *jz_region_row_get_code   (JzRegionRow *self);
/* Shows @code's full name (NULL or an unknown code clears the row). */
void        jz_region_row_set_code   (JzRegionRow *self,
                                      const char  *code);

/* The best matches of @query, as GB/T 2260 codes, at most @limit;
 * current codes before abolished ones. For tests and the row. */
GPtrArray  *jz_region_search         (const char  *query,
                                      guint        limit);

G_END_DECLS
