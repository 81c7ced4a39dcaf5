/* jz-cli-transfer.c: jiuzhu-cli export and import
 *
 * export writes personal data to the file the user names (or stdout).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-cli"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <glib/gstdio.h>

#include "jz-cli.h"
#include "jz-export.h"

int
jz_cli_cmd_export (JzCliContext *ctx,
                   int           argc,
                   char        **argv)
{
  g_autoptr(GOptionContext) opts = g_option_context_new ("- write the store's records as JSON or CSV");
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = NULL;
  g_autofree char *format_text = NULL;
  g_autofree char *table = NULL;
  g_autofree char *output = NULL;
  g_autofree char *tmp = NULL;
  JzExportFormat format;
  JzTransferStats stats;
  FILE *out = stdout;
  gboolean ok;
  GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_text, "json or csv", "F" },
    { "table", 0, 0, G_OPTION_ARG_STRING, &table, "Only this table (required for csv), e.g. person", "T" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write to FILE instead of the standard output", "FILE" },
    { NULL }
  };

  g_option_context_add_main_entries (opts, entries, NULL);
  if (!g_option_context_parse (opts, &argc, &argv, &error))
    return jz_cli_fail (ctx, "export: %s", error->message);
  if (argc > 1)
    return jz_cli_fail (ctx, "export: unexpected argument “%s”", argv[1]);
  if (g_strcmp0 (format_text, "json") == 0)
    format = JZ_EXPORT_JSON;
  else if (g_strcmp0 (format_text, "csv") == 0)
    format = JZ_EXPORT_CSV;
  else
    return jz_cli_fail (ctx, "export: --format must be json or csv");

  store = jz_cli_open_store (ctx);
  if (store == NULL)
    return JZ_CLI_ERROR;

  /* A half-written file never takes the name. */
  if (output != NULL)
    {
      tmp = g_strdup_printf ("%s.part", output);
      out = g_fopen (tmp, "wb");
      if (out == NULL)
        return jz_cli_fail (ctx, "export: cannot create %s: %s", tmp, g_strerror (errno));
    }
  ok = jz_store_export (store, format, table, out, &stats, &error);
  if (output != NULL)
    {
      if (fclose (out) != 0 && ok)
        {
          g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s: %s", tmp, g_strerror (errno));
          ok = FALSE;
        }
      if (ok && g_rename (tmp, output) != 0)
        {
          g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot rename %s: %s", tmp, g_strerror (errno));
          ok = FALSE;
        }
      if (!ok)
        g_unlink (tmp);
    }
  if (!ok)
    return jz_cli_fail (ctx, "export: %s", error->message);
  if (output != NULL)
    printf ("Exported %" G_GUINT64_FORMAT " records of %u table%s to %s in %.1f s\n",
            stats.rows, stats.tables, stats.tables == 1 ? "" : "s", output, stats.seconds);
  return JZ_CLI_OK;
}

int
jz_cli_cmd_import (JzCliContext *ctx,
                   int           argc,
                   char        **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = NULL;
  JzTransferStats stats;

  if (argc != 2 || g_str_has_prefix (argv[1], "-"))
    {
      gboolean help = argc == 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"));

      fprintf (help ? stdout : stderr,
               "Usage: %s import FILE\n"
               "\n"
               "Imports a JSON file written by “export --format json”. Every record is\n"
               "checked first; if any is wrong, nothing is imported and each problem is\n"
               "named with its table, record number, id and field.\n",
               ctx->program);
      return help ? JZ_CLI_OK : JZ_CLI_ERROR;
    }

  store = jz_cli_open_store (ctx);
  if (store == NULL)
    return JZ_CLI_ERROR;
  if (!jz_store_import_json (store, argv[1], &stats, &error))
    return jz_cli_fail (ctx, "import: %s", error->message);
  printf ("Imported %" G_GUINT64_FORMAT " records of %u table%s in %.1f s (%.0f records/s)\n",
          stats.rows, stats.tables, stats.tables == 1 ? "" : "s", stats.seconds,
          stats.seconds > 0 ? stats.rows / stats.seconds : 0.0);
  return JZ_CLI_OK;
}
