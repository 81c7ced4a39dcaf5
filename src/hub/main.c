/* main.c: jiuzhu-hub, the regional hub daemon
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

static void
usage (FILE *out)
{
  fprintf (out,
           "Usage: jiuzhu-hub [--db FILE] COMMAND [ARGS…]\n"
           "\n"
           "The regional hub (区域性中心) that Jiuzhu stations sync with.\n"
           "\n"
           "Commands:\n"
           "  serve --db FILE --listen 127.0.0.1:PORT   serve stations (not yet available)\n"
           "  station add --code C --name N             add a station (not yet available)\n"
           "  device enrol|list|revoke                  manage devices (not yet available)\n"
           "  stats [--json]                            changes and records per station (not yet available)\n"
           "  check                                     check the hub's store (not yet available)\n"
           "\n"
           "Options:\n"
           "  --help       show this help\n"
           "  --version    show the version\n");
}

int
main (int    argc,
      char **argv)
{
  if (argc < 2)
    {
      usage (stderr);
      return 2;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      usage (stdout);
      return 0;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("jiuzhu-hub %s\n", PACKAGE_VERSION);
      return 0;
    }

  fprintf (stderr, "jiuzhu-hub: “%s” is not available in this version yet\n", argv[1]);
  return 2;
}
