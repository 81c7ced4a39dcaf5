/* jz-hlc.h: hybrid logical clock (48-bit milliseconds + 16-bit counter)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* An HLC value packs wall-clock milliseconds since the Unix epoch in the
 * high 48 bits and a counter in the low 16, so values compare as plain
 * integers and fit an SQLite INTEGER. */
#define JZ_HLC_COUNTER_BITS 16
#define JZ_HLC_MAKE(ms, counter) ((((guint64) (ms)) << JZ_HLC_COUNTER_BITS) | ((guint64) (counter) & 0xffff))
#define JZ_HLC_MS(hlc)       ((gint64) ((guint64) (hlc) >> JZ_HLC_COUNTER_BITS))
#define JZ_HLC_COUNTER(hlc)  ((guint) ((guint64) (hlc) & 0xffff))

typedef struct
{
  guint64 last;
} JzHlc;

void     jz_hlc_init        (JzHlc   *hlc,
                             guint64  persisted);
guint64  jz_hlc_now         (JzHlc   *hlc);
guint64  jz_hlc_now_at      (JzHlc   *hlc,
                             gint64   wall_ms);
guint64  jz_hlc_observe     (JzHlc   *hlc,
                             guint64  remote);
guint64  jz_hlc_observe_at  (JzHlc   *hlc,
                             guint64  remote,
                             gint64   wall_ms);
char    *jz_hlc_format      (guint64  hlc);

G_END_DECLS
