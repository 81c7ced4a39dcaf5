/* jz-cli.c: jiuzhu-cli, the headless companion for a station's store
 *
 * Output is for the person at the terminal; it never contains personal
 * data unless the command was asked for it (search, export).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-cli"

#include "config.h"

#include <stdio.h>
#include <locale.h>
#include <string.h>

#include "jz-cli.h"
#include "jz-profile.h"

static int cmd_init (JzCliContext *ctx, int argc, char **argv);
static int cmd_info (JzCliContext *ctx, int argc, char **argv);

static const JzCliCommand commands[] = {
  { "init", "--station-code C --station-name N [--level county|hub]",
    "create the profile's store", cmd_init },
  { "info", "", "show the store's station, schema and path", cmd_info },
  /* Commands still to come say so honestly (func == NULL). */
  { "demo", "--people N [--seed S]", "fill the store with synthetic data", jz_cli_cmd_demo },
  { "search", "TEXT [--json]", "find people", jz_cli_cmd_search },
  { "id-check", "NUMBER", "check a resident ID number", jz_cli_cmd_id_check },
  { "due", "[--json] [--open-only]", "deadlines due and overdue", jz_cli_cmd_due },
  { "stats", "[--json]", "counts per table", jz_cli_cmd_stats },
  { "check", "", "verify the store's integrity", jz_cli_cmd_check },
  { "export", "--format json|csv [--table T] [-o FILE]", "export records", jz_cli_cmd_export },
  { "import", "FILE", "import records from JSON", jz_cli_cmd_import },
  { "backup", "FILE", "write a consistent copy of the store", jz_cli_cmd_backup },
  { "enrol", "URL CODE [--pin P]", "enrol this device with a regional hub", jz_cli_cmd_enrol },
  { "sync", "[--once [--json]]", "sync with the hub (until interrupted, or once)", jz_cli_cmd_sync },
  { "sync-status", "[--json]", "the sync state", jz_cli_cmd_sync_status },
};

int
jz_cli_fail (JzCliContext *ctx,
             const char   *format,
             ...)
{
  va_list args;

  fprintf (stderr, "%s: ", ctx->program);
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
  return JZ_CLI_ERROR;
}

JzStore *
jz_cli_open_store (JzCliContext *ctx)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = jz_profile_db_path (ctx->profile);
  JzStore *store = jz_store_open (path, &error);

  if (store == NULL)
    {
      if (g_error_matches (error, JZ_STORE_ERROR, JZ_STORE_ERROR_NOT_FOUND))
        jz_cli_fail (ctx, "profile “%s” has no store yet (%s); create it with: %s --profile %s init --station-code C --station-name N",
                     ctx->profile, path, ctx->program, ctx->profile);
      else
        jz_cli_fail (ctx, "%s", error->message);
    }
  return store;
}

static int
cmd_init (JzCliContext *ctx,
          int           argc,
          char        **argv)
{
  g_autoptr(GOptionContext) opts = g_option_context_new ("- create the profile's store");
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = NULL;
  g_autofree char *code = NULL;
  g_autofree char *name = NULL;
  g_autofree char *level_text = NULL;
  g_autofree char *path = NULL;
  JzStationLevel level = JZ_STATION_LEVEL_COUNTY;
  GOptionEntry entries[] = {
    { "station-code", 0, 0, G_OPTION_ARG_STRING, &code, "Station code, e.g. 320481-01", "C" },
    { "station-name", 0, 0, G_OPTION_ARG_STRING, &name, "Station name", "N" },
    { "level", 0, 0, G_OPTION_ARG_STRING, &level_text, "county (default) or hub", "L" },
    { NULL }
  };

  g_option_context_add_main_entries (opts, entries, NULL);
  if (!g_option_context_parse (opts, &argc, &argv, &error))
    return jz_cli_fail (ctx, "init: %s", error->message);
  if (code == NULL || name == NULL)
    return jz_cli_fail (ctx, "init: --station-code and --station-name are required");
  if (level_text != NULL && !jz_station_level_from_string (level_text, &level))
    return jz_cli_fail (ctx, "init: --level must be “county” or “hub”, not “%s”", level_text);
  if (!jz_profile_ensure_dir (ctx->profile, &error))
    return jz_cli_fail (ctx, "init: %s", error->message);

  path = jz_profile_db_path (ctx->profile);
  store = jz_store_create (path, code, name, level, &error);
  if (store == NULL)
    return jz_cli_fail (ctx, "init: %s", error->message);

  printf ("Created %s for station %s %s (%s)\n", path,
          jz_store_get_station_code (store), jz_store_get_station_name (store),
          jz_station_level_to_string (level));
  return JZ_CLI_OK;
}

static int
cmd_info (JzCliContext *ctx,
          int           argc,
          char        **argv)
{
  g_autoptr(JzStore) store = jz_cli_open_store (ctx);

  if (store == NULL)
    return JZ_CLI_ERROR;
  printf ("path:           %s\n", jz_store_get_path (store));
  printf ("station code:   %s\n", jz_store_get_station_code (store));
  printf ("station name:   %s\n", jz_store_get_station_name (store));
  printf ("station level:  %s\n", jz_station_level_to_string (jz_store_get_station_level (store)));
  printf ("schema version: %d\n", jz_store_get_schema_version (store));
  printf ("epoch:          %s\n", jz_store_get_epoch (store));
  return JZ_CLI_OK;
}

static void
usage (FILE *out)
{
  fprintf (out,
           "Usage: jiuzhu-cli [--profile NAME] COMMAND [ARGS…]\n"
           "\n"
           "The headless companion for a Jiuzhu station store.\n"
           "The store is $JIUZHU_DATA_DIR/NAME/station.db "
           "($JIUZHU_DATA_DIR defaults to $XDG_DATA_HOME/jiuzhu; NAME to “default”).\n"
           "\n"
           "Commands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *head = g_strdup_printf ("%s %s", commands[i].name, commands[i].args);
      fprintf (out, "  %-52s %s%s\n", head, commands[i].summary,
               commands[i].func ? "" : " (not yet available)");
    }
  fprintf (out,
           "\n"
           "Options:\n"
           "  --profile NAME   the device profile (default: default)\n"
           "  --help           show this help\n"
           "  --version        show the version\n");
}

int
jz_cli_main (int    argc,
             char **argv)
{
  JzCliContext ctx = { JZ_DEFAULT_PROFILE, "jiuzhu-cli" };
  int i = 1;

  setlocale (LC_ALL, "");

  for (; i < argc && argv[i][0] == '-'; i++)
    {
      if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          usage (stdout);
          return JZ_CLI_OK;
        }
      else if (g_str_equal (argv[i], "--version"))
        {
          printf ("jiuzhu-cli %s\n", PACKAGE_VERSION);
          return JZ_CLI_OK;
        }
      else if (g_str_equal (argv[i], "--profile") && i + 1 < argc)
        ctx.profile = argv[++i];
      else if (g_str_has_prefix (argv[i], "--profile="))
        ctx.profile = argv[i] + strlen ("--profile=");
      else
        {
          usage (stderr);
          return jz_cli_fail (&ctx, "unknown option “%s”", argv[i]);
        }
    }

  if (!jz_profile_name_is_valid (ctx.profile))
    return jz_cli_fail (&ctx, "“%s” is not a valid profile name: use letters, digits, “-”, “_” and “.”",
                        ctx.profile);
  if (i >= argc)
    {
      usage (stderr);
      return JZ_CLI_ERROR;
    }

  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    {
      if (!g_str_equal (argv[i], commands[c].name))
        continue;
      if (commands[c].func == NULL)
        return jz_cli_fail (&ctx, "“%s” is not available in this version yet", commands[c].name);
      return commands[c].func (&ctx, argc - i, argv + i);
    }

  usage (stderr);
  return jz_cli_fail (&ctx, "unknown command “%s”", argv[i]);
}
