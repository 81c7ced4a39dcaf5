/* jz-cli-rules.c: jiuzhu-cli commands that apply the rules without a store
 *
 * id-check prints what a resident ID number says. The number is the
 * user's own input, so echoing it is no leak.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-cli"

#include "config.h"

#include <stdio.h>

#include "jz-cli.h"
#include "jz-idcard.h"
#include "jz-regions.h"

int
jz_cli_cmd_id_check (JzCliContext *ctx,
                     int           argc,
                     char        **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  g_autofree char *number = NULL;
  g_autofree char *region = NULL;
  JzIdCard card;

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      fprintf (argc < 2 ? stderr : stdout,
               "Usage: %s id-check NUMBER\n"
               "\n"
               "Checks an 18-digit resident ID number (GB 11643) or a 15-digit one issued\n"
               "before 1999, and prints the birth date, sex and region it encodes.\n"
               "Exit status: 0 valid, 1 not valid, 2 usage.\n",
               ctx->program);
      return argc < 2 ? JZ_CLI_ERROR : JZ_CLI_OK;
    }

  /* "320481 19800101 0012" typed as three words is one number. */
  number = g_strjoinv (" ", argv + 1);

  if (!jz_idcard_parse (number, &card, &error))
    {
      printf ("valid:       no\n");
      printf ("problem:     %s\n", error->message);
      return JZ_CLI_FOUND;
    }

  printf ("valid:       yes\n");
  printf ("number:      %s\n", card.number);
  if (card.legacy[0] != '\0')
    printf ("converted:   from the 15-digit number %s\n", card.legacy);
  printf ("birth date:  %04d-%02d-%02d\n", g_date_get_year (&card.birth_date),
          g_date_get_month (&card.birth_date), g_date_get_day (&card.birth_date));
  printf ("sex:         %s\n", jz_sex_to_string (card.sex));

  region = jz_regions_full_name (card.region_code);
  if (region != NULL)
    printf ("region:      %s %s%s\n", card.region_code, region,
            card.region->abolished ? " (abolished code)" : "");
  else
    printf ("region:      %s (not in the GB/T 2260 table)\n", card.region_code);

  warnings = jz_idcard_get_warnings (&card);
  for (guint i = 0; i < warnings->len; i++)
    printf ("warning:     %s\n", (const char *) g_ptr_array_index (warnings, i));

  return JZ_CLI_OK;
}
