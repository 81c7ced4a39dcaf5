/* jz-numbers.h: episode numbers (救助编号) and 无名氏 placeholders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jz-store.h"

G_BEGIN_DECLS

/* A range of the 6-digit sequence that this device may use. */
typedef struct
{
  gint64 first;
  gint64 last;
} JzNumberBlock;

#define JZ_NUMBERS_DEFAULT_FIRST 1
#define JZ_NUMBERS_DEFAULT_LAST  99999

/* The next episode number for an admission at @admitted_at (Unix
 * seconds; the year is Beijing time's), e.g. "320481-01-2026-000123".
 * Call inside a write transaction: the counter moves with it. */
char      *jz_numbers_next_episode_number (JzStore        *store,
                                           gint64          admitted_at,
                                           GError        **error);
/* The next 无名氏 number; 0 with @error when the blocks are used up. */
gint64     jz_numbers_next_placeholder    (JzStore        *store,
                                           GError        **error);

/* The blocks this device holds, in order (a GArray of JzNumberBlock). */
GArray    *jz_store_get_number_blocks     (JzStore        *store,
                                           GError        **error);
/* Replaces the device's blocks (the hub hands them out at enrolment).
 * Blocks must not overlap; numbers already used stay used. */
gboolean   jz_store_set_number_blocks     (JzStore              *store,
                                           const JzNumberBlock  *blocks,
                                           guint                 n_blocks,
                                           GError              **error);

G_END_DECLS
