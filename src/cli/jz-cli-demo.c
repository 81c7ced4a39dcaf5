/* jz-cli-demo.c: jiuzhu-cli demo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-cli"

#include "config.h"

#include <stdio.h>

#include "jz-cli.h"
#include "jz-demo.h"

static void
progress (const JzDemoStats *s,
          guint              n_people,
          gpointer           user_data)
{
  gboolean tty = GPOINTER_TO_INT (user_data);

  fprintf (stderr, "%s%" G_GUINT64_FORMAT " of %u people, %" G_GUINT64_FORMAT " episodes, %"
           G_GUINT64_FORMAT " rows, %.0f rows/s%s",
           tty ? "\r" : "", s->people, n_people, s->episodes, s->rows,
           s->seconds > 0 ? s->rows / s->seconds : 0.0, tty ? "   " : "\n");
}

int
jz_cli_cmd_demo (JzCliContext *ctx,
                 int           argc,
                 char        **argv)
{
  g_autoptr(GOptionContext) opts = g_option_context_new ("- fill an empty store with synthetic data");
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = NULL;
  gint64 people = -1, seed = 1;
  int batch = 0;
  gboolean quiet = FALSE;
  JzDemoOptions options;
  JzDemoStats stats;
  GOptionEntry entries[] = {
    { "people", 0, 0, G_OPTION_ARG_INT64, &people, "How many people (about 1.5 episodes each)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed: the same seed on the same day gives the same data (default 1)", "S" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "People per transaction (default 10000)", "B" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No progress", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (opts, entries, NULL);
  if (!g_option_context_parse (opts, &argc, &argv, &error))
    return jz_cli_fail (ctx, "demo: %s", error->message);
  if (people < 0 || people > 10000000)
    return jz_cli_fail (ctx, "demo: give --people N (0 to 10,000,000)");
  if (batch < 0)
    return jz_cli_fail (ctx, "demo: --batch must be positive");

  store = jz_cli_open_store (ctx);
  if (store == NULL)
    return JZ_CLI_ERROR;

  jz_demo_options_init (&options);
  options.seed = (guint64) seed;
  options.batch = (guint) batch;
  /* The start of today (Beijing time): the same seed gives the same data
   * all day. */
  options.now = (g_get_real_time () / G_USEC_PER_SEC + 8 * 3600) / 86400 * 86400 - 8 * 3600;
  if (!quiet)
    {
      options.progress = progress;
      options.user_data = GINT_TO_POINTER (isatty (fileno (stderr)));
    }
  if (!jz_demo_generate (store, (guint) people, &options, &stats, &error))
    return jz_cli_fail (ctx, "demo: %s", error->message);

  if (!quiet && isatty (fileno (stderr)))
    fputc ('\n', stderr);
  printf ("Wrote %" G_GUINT64_FORMAT " people, %" G_GUINT64_FORMAT " episodes, %" G_GUINT64_FORMAT
          " rows in %.1f s (%.0f rows/s)\n",
          stats.people, stats.episodes, stats.rows, stats.seconds,
          stats.seconds > 0 ? stats.rows / stats.seconds : 0.0);
  return JZ_CLI_OK;
}
