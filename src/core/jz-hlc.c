/* jz-hlc.c: hybrid logical clock
 *
 * Every write stamps its row with an HLC value: the wall clock when it
 * moves forward, otherwise the last value plus one, so values issued by one
 * store only ever grow even when the system clock is set back. Observing a
 * remote value moves the clock past it, so a change made after seeing
 * another's always sorts after it. The store persists the last value in
 * its meta table (jz_store_hlc_now), so a restart never runs backwards.
 *
 * The clock orders displays and breaks ties between concurrent edits; it
 * is not a timestamp to show people.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-hlc"

#include "jz-hlc.h"

void
jz_hlc_init (JzHlc   *hlc,
             guint64  persisted)
{
  g_return_if_fail (hlc != NULL);
  hlc->last = persisted;
}

guint64
jz_hlc_now_at (JzHlc  *hlc,
               gint64  wall_ms)
{
  guint64 wall;

  g_return_val_if_fail (hlc != NULL, 0);

  wall = JZ_HLC_MAKE (MAX (wall_ms, 0), 0);
  /* A counter overflow carries into the millisecond bits: still
   * monotonic, and only reached by 65,536 writes in one millisecond. */
  hlc->last = MAX (wall, hlc->last + 1);
  return hlc->last;
}

guint64
jz_hlc_now (JzHlc *hlc)
{
  return jz_hlc_now_at (hlc, g_get_real_time () / 1000);
}

guint64
jz_hlc_observe_at (JzHlc   *hlc,
                   guint64  remote,
                   gint64   wall_ms)
{
  g_return_val_if_fail (hlc != NULL, 0);

  hlc->last = MAX (hlc->last, remote);
  return jz_hlc_now_at (hlc, wall_ms);
}

/* Returns the value after @remote: the next local event sorts after it. */
guint64
jz_hlc_observe (JzHlc   *hlc,
                guint64  remote)
{
  return jz_hlc_observe_at (hlc, remote, g_get_real_time () / 1000);
}

/* "2026-05-01T08:00:00.123Z+4" for logs and the CLI. */
char *
jz_hlc_format (guint64 hlc)
{
  gint64 ms = JZ_HLC_MS (hlc);
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (ms / 1000);
  g_autofree char *base = NULL;

  if (dt == NULL)
    return g_strdup_printf ("%" G_GUINT64_FORMAT, hlc);
  base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%03dZ+%u", base, (int) (ms % 1000), JZ_HLC_COUNTER (hlc));
}
