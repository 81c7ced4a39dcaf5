/* jz-demo.h: realistic synthetic data, for trying the app and for
 * benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jz-store.h"

G_BEGIN_DECLS

typedef struct
{
  guint64 people;
  guint64 episodes;
  guint64 rows;        /* records written, every table */
  double  seconds;
} JzDemoStats;

/* Called after each committed batch. */
typedef void (*JzDemoProgress) (const JzDemoStats *so_far,
                                guint              n_people,
                                gpointer           user_data);

typedef struct
{
  guint64         seed;
  /* The day the data ends (Unix seconds; 0 = today). The same seed and
   * the same @now give the same data. */
  gint64          now;
  /* People per transaction (0: 10,000). */
  guint           batch;
  /* Check every record with jz_store_validate() before writing it (slow;
   * for tests). */
  gboolean        validate;
  JzDemoProgress  progress;
  gpointer        user_data;
} JzDemoOptions;

void      jz_demo_options_init (JzDemoOptions     *options);

/* Fills an empty store (no people yet) with @n_people people, about 1.5
 * episodes each (repeat visitors among them), in every status, with their
 * belongings, stay, tracing steps, extensions, departures, escorts,
 * spending, follow-ups, placements, settlements and referrals, plus
 * staff, rooms, beds, patrols and sighting reports. Names follow real
 * surname frequencies; ages skew to adult men; ID numbers (about a third)
 * are valid with regions from GB/T 2260. Ids and clocks are derived from
 * the seed, so the data is the same for the same options. The records
 * go through the triggers like any other (outbox, audit, search). */
/* Whether @store holds demo data (made by jz_demo_generate): such a
 * store never syncs. */
gboolean  jz_store_is_demo     (JzStore             *store);

gboolean  jz_demo_generate     (JzStore             *store,
                                guint                n_people,
                                const JzDemoOptions *options,
                                JzDemoStats         *stats,
                                GError             **error);

G_END_DECLS
