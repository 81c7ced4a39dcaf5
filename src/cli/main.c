/* main.c: jiuzhu-cli
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "jz-cli.h"

int
main (int    argc,
      char **argv)
{
  return jz_cli_main (argc, argv);
}
