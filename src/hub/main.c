/* main.c: jiuzhu-hub, the regional hub daemon and its administration
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-hub"

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "jz-hub-server.h"
#include "jz-hub-store.h"

#define PROGRAM "jiuzhu-hub"

static void
usage (FILE *out)
{
  fprintf (out,
           "Usage: jiuzhu-hub --db FILE COMMAND [ARGS…]\n"
           "\n"
           "The regional hub (区域性中心) that Jiuzhu stations sync with.\n"
           "\n"
           "Commands:\n"
           "  serve --listen HOST:PORT [--tls-cert F --tls-key F] [--rate N] [--burst N] [--max-body BYTES] [--quiet]\n"
           "                                     serve stations; prints the URL (port 0: a free port)\n"
           "  station add --code C --name N [--level county|hub]\n"
           "                                     register a station (hub: its devices are hub staff)\n"
           "  station list                       the registered stations\n"
           "  device enrol --station C [--label L] [--json]\n"
           "                                     a one-time enrolment code for a new device\n"
           "  device list [--json]               enrolled devices\n"
           "  device revoke ID                   refuse a device from now on (a lost laptop)\n"
           "  stats [--json]                     changes and records per station and table\n"
           "  check                              check the consistency of the hub's store\n"
           "  links [--json]                     people who may be the same at several stations\n"
           "  links decide A B same|not_same     record a person's decision on two records\n"
           "  pin --tls-cert F                   the pin a station uses for this certificate\n"
           "\n"
           "Options:\n"
           "  --db FILE    the hub's store (created by “station add” or “serve” if missing)\n"
           "  --help       show this help\n"
           "  --version    show the version\n");
}

static int
fail (const char *format,
      ...) G_GNUC_PRINTF (1, 2);

static int
fail (const char *format,
      ...)
{
  va_list args;

  fprintf (stderr, PROGRAM ": ");
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
  return 2;
}

static JzHubStore *
open_store (const char *db,
            gboolean    create)
{
  g_autoptr(GError) error = NULL;
  JzHubStore *store;

  if (db == NULL)
    {
      fail ("--db FILE is required");
      return NULL;
    }
  store = jz_hub_store_open (db, create, &error);
  if (store == NULL)
    fail ("%s", error->message);
  return store;
}

static gboolean
parse_options (const char   *command,
               GOptionEntry *entries,
               int          *argc,
               char       ***argv)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;

  g_option_context_set_help_enabled (ctx, FALSE);
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, argc, argv, &error))
    {
      fail ("%s: %s", command, error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static int
cmd_serve (const char  *db,
           int          argc,
           char       **argv)
{
  g_autofree char *listen = NULL;
  g_autofree char *cert_file = NULL;
  g_autofree char *key_file = NULL;
  g_autoptr(JzHubStore) store = NULL;
  g_autoptr(JzHubServer) server = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  double rate = -1, burst = -1;
  gint64 max_body = 0;
  gboolean quiet = FALSE;
  JzHubLimits limits;
  GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, "Address to listen on", "HOST:PORT" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &cert_file, "TLS certificate (PEM)", "F" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &key_file, "TLS private key (PEM)", "F" },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate, "Requests per second per device", "N" },
    { "burst", 0, 0, G_OPTION_ARG_DOUBLE, &burst, "Burst of requests per device", "N" },
    { "max-body", 0, 0, G_OPTION_ARG_INT64, &max_body, "Largest request body", "BYTES" },
    { "quiet", 0, 0, G_OPTION_ARG_NONE, &quiet, "No log line per request", NULL },
    { NULL }
  };

  if (!parse_options ("serve", entries, &argc, &argv))
    return 2;
  if (listen == NULL)
    return fail ("serve: --listen HOST:PORT is required (e.g. 127.0.0.1:8443)");
  if ((cert_file == NULL) != (key_file == NULL))
    return fail ("serve: give both --tls-cert and --tls-key, or neither");

  jz_hub_limits_init_default (&limits);
  if (rate >= 0)
    limits.rate = rate;
  if (burst >= 0)
    limits.burst = burst;
  else if (rate > 0)
    limits.burst = MAX (1, rate * 2);
  if (max_body > 0)
    limits.max_body = MIN ((gsize) max_body, limits.max_body);
  limits.quiet = quiet;

  if (cert_file != NULL)
    {
      cert = g_tls_certificate_new_from_files (cert_file, key_file, &error);
      if (cert == NULL)
        return fail ("serve: cannot load the TLS certificate: %s", error->message);
    }

  store = open_store (db, TRUE);
  if (store == NULL)
    return 2;
  server = jz_hub_server_new (store, cert, &limits);
  if (!jz_hub_server_listen (server, listen, &error))
    return fail ("serve: cannot listen on %s: %s", listen, error->message);

  url = jz_hub_server_get_url (server);
  printf ("Listening on %s\n", url);
  if (cert != NULL)
    {
      g_autofree char *pin = jz_hub_certificate_pin (cert, NULL);

      if (pin != NULL)
        printf ("Certificate pin: %s\n", pin);
    }
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_main_loop_run (loop);

  /* Every committed push has been answered or will be retried; nothing is
   * half written, since each write is one transaction. */
  jz_hub_server_disconnect (server);
  g_clear_object (&server);
  g_clear_object (&store);
  fprintf (stderr, PROGRAM ": stopped\n");
  return 0;
}

static int
cmd_station (const char  *db,
             int          argc,
             char       **argv)
{
  g_autoptr(JzHubStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (argc < 2)
    return fail ("station: add or list?");

  if (g_str_equal (argv[1], "add"))
    {
      g_autofree char *code = NULL;
      g_autofree char *name = NULL;
      g_autofree char *level = NULL;
      GOptionEntry entries[] = {
        { "code", 0, 0, G_OPTION_ARG_STRING, &code, "Station code", "C" },
        { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Station name", "N" },
        { "level", 0, 0, G_OPTION_ARG_STRING, &level, "county or hub", "L" },
        { NULL }
      };

      argc--;
      argv++;
      if (!parse_options ("station add", entries, &argc, &argv))
        return 2;
      if (code == NULL || name == NULL)
        return fail ("station add: --code and --name are required");
      if (level != NULL && !g_str_equal (level, "county") && !g_str_equal (level, "hub"))
        return fail ("station add: --level is “county” or “hub”, not “%s”", level);
      store = open_store (db, TRUE);
      if (store == NULL)
        return 2;
      if (!jz_hub_store_add_station (store, code, name, g_strcmp0 (level, "hub") == 0, &error))
        return fail ("station add: %s", error->message);
      printf ("Registered station %s (%s)\n", code, level ? level : "county");
      return 0;
    }
  if (g_str_equal (argv[1], "list"))
    {
      sqlite3_stmt *stmt = NULL;

      store = open_store (db, FALSE);
      if (store == NULL)
        return 2;
      sqlite3_prepare_v2 (jz_hub_store_get_db (store),
                          "SELECT code, level, name FROM station ORDER BY code", -1, &stmt, NULL);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        printf ("%s  %-6s  %s\n", sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 1),
                sqlite3_column_text (stmt, 2));
      sqlite3_finalize (stmt);
      return 0;
    }
  return fail ("station: unknown subcommand “%s”", argv[1]);
}

static char *
format_time (gint64 t)
{
  g_autoptr(GDateTime) dt = NULL;

  if (t == 0)
    return g_strdup ("-");
  dt = g_date_time_new_from_unix_utc (t);
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

static int
cmd_device (const char  *db,
            int          argc,
            char       **argv)
{
  g_autoptr(JzHubStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;

  if (argc < 2)
    return fail ("device: enrol, list or revoke?");

  if (g_str_equal (argv[1], "enrol"))
    {
      g_autofree char *station = NULL;
      g_autofree char *label = NULL;
      g_autofree char *code = NULL;
      g_autofree char *id = NULL;
      GOptionEntry entries[] = {
        { "station", 0, 0, G_OPTION_ARG_STRING, &station, "Station code", "C" },
        { "label", 0, 0, G_OPTION_ARG_STRING, &label, "A name for the device", "L" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "JSON output", NULL },
        { NULL }
      };

      argc--;
      argv++;
      if (!parse_options ("device enrol", entries, &argc, &argv))
        return 2;
      if (station == NULL)
        return fail ("device enrol: --station C is required");
      store = open_store (db, FALSE);
      if (store == NULL)
        return 2;
      code = jz_hub_store_enrol_device (store, station, label, &id, &error);
      if (code == NULL)
        return fail ("device enrol: %s", error->message);
      if (json)
        printf ("{\"device\":\"%s\",\"station\":\"%s\",\"code\":\"%s\"}\n", id, station, code);
      else
        printf ("code: %s\ndevice: %s\nstation: %s\n"
                "Give the code to the person setting up the device; it works once, within 72 hours.\n",
                code, id, station);
      return 0;
    }
  if (g_str_equal (argv[1], "list"))
    {
      g_autoptr(GPtrArray) devices = NULL;
      GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "JSON output", NULL },
        { NULL }
      };

      argc--;
      argv++;
      if (!parse_options ("device list", entries, &argc, &argv))
        return 2;
      store = open_store (db, FALSE);
      if (store == NULL)
        return 2;
      devices = jz_hub_store_list_devices (store, &error);
      if (devices == NULL)
        return fail ("device list: %s", error->message);
      if (json)
        printf ("[");
      for (guint i = 0; i < devices->len; i++)
        {
          JzHubDevice *d = g_ptr_array_index (devices, i);
          const char *state = d->revoked_at ? "revoked" : d->enrolled_at ? "enrolled" : "waiting";
          g_autofree char *seen = format_time (d->last_seen_at);

          if (json)
            {
              g_autoptr(GString) s = g_string_new (NULL);

              g_string_append_printf (s, "%s{\"device\":\"%s\",\"station\":\"%s\",\"level\":\"%s\",\"state\":\"%s\","
                                      "\"last_seen\":%" G_GINT64_FORMAT ",\"label\":",
                                      i ? "," : "", d->id, d->station, d->hub_level ? "hub" : "county", state,
                                      d->last_seen_at);
              jz_json_append_string (s, d->label ? d->label : "");
              g_string_append_c (s, '}');
              fputs (s->str, stdout);
            }
          else
            printf ("%s  %s  %-6s  %-8s  last seen %s  %s\n", d->id, d->station,
                    d->hub_level ? "hub" : "county", state, seen, d->label ? d->label : "");
        }
      if (json)
        printf ("]\n");
      return 0;
    }
  if (g_str_equal (argv[1], "revoke"))
    {
      if (argc < 3)
        return fail ("device revoke: which device? (see “device list”)");
      store = open_store (db, FALSE);
      if (store == NULL)
        return 2;
      if (!jz_hub_store_revoke_device (store, argv[2], &error))
        return fail ("device revoke: %s", error->message);
      printf ("Revoked device %s; its next request is refused.\n", argv[2]);
      return 0;
    }
  return fail ("device: unknown subcommand “%s”", argv[1]);
}

static int
cmd_stats (const char  *db,
           int          argc,
           char       **argv)
{
  g_autoptr(JzHubStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "JSON output", NULL },
    { NULL }
  };

  if (!parse_options ("stats", entries, &argc, &argv))
    return 2;
  store = open_store (db, FALSE);
  if (store == NULL)
    return 2;
  out = jz_hub_store_stats (store, json, &error);
  if (out == NULL)
    return fail ("stats: %s", error->message);
  fputs (out, stdout);
  if (json)
    fputc ('\n', stdout);
  return 0;
}

static int
cmd_check (const char  *db,
           int          argc,
           char       **argv)
{
  g_autoptr(JzHubStore) store = open_store (db, FALSE);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  if (store == NULL)
    return 2;
  if (jz_hub_store_check (store, problems, &error))
    {
      printf ("The hub's store is consistent.\n");
      return 0;
    }
  if (error != NULL)
    return fail ("check: %s", error->message);
  for (guint i = 0; i < problems->len; i++)
    printf ("%s\n", (char *) problems->pdata[i]);
  printf ("%u problem(s) found.\n", problems->len);
  return 1;
}

static int
cmd_links (const char  *db,
           int          argc,
           char       **argv)
{
  g_autoptr(JzHubStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  gboolean json = FALSE;

  if (argc >= 2 && g_str_equal (argv[1], "decide"))
    {
      if (argc != 5)
        return fail ("links decide A B same|not_same");
      store = open_store (db, FALSE);
      if (store == NULL)
        return 2;
      if (!jz_hub_store_decide_link (store, argv[2], argv[3], argv[4], "admin", &error))
        return fail ("links decide: %s", error->message);
      printf ("Recorded: %s and %s are %s\n", argv[2], argv[3],
              g_str_equal (argv[4], "same") ? "the same person" :
              g_str_equal (argv[4], "not_same") ? "not the same person" : "undecided again");
      return 0;
    }
  json = argc >= 2 && g_str_equal (argv[1], "--json");
  store = open_store (db, FALSE);
  if (store == NULL)
    return 2;
  out = jz_hub_store_list_links (store, NULL, json, &error);
  fputs (out, stdout);
  if (json)
    fputc ('\n', stdout);
  return 0;
}

static int
cmd_pin (int    argc,
         char **argv)
{
  g_autofree char *cert_file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autofree char *pin = NULL;
  GOptionEntry entries[] = {
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &cert_file, "TLS certificate (PEM)", "F" },
    { NULL }
  };

  if (!parse_options ("pin", entries, &argc, &argv))
    return 2;
  if (cert_file == NULL)
    return fail ("pin: --tls-cert F is required");
  cert = g_tls_certificate_new_from_file (cert_file, &error);
  if (cert == NULL || (pin = jz_hub_certificate_pin (cert, &error)) == NULL)
    return fail ("pin: %s", error->message);
  printf ("%s\n", pin);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *db = NULL;
  const char *command;

  setlocale (LC_ALL, "");

  /* --db may come before or after the command. */
  for (int i = 0; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--db") && i + 1 < argc)
        db = argv[++i];
      else if (g_str_has_prefix (argv[i], "--db="))
        db = argv[i] + 5;
      else
        g_ptr_array_add (args, argv[i]);
    }
  g_ptr_array_add (args, NULL);
  argc = args->len - 1;
  argv = (char **) args->pdata;

  if (argc < 2)
    {
      usage (stderr);
      return 2;
    }
  command = argv[1];
  if (g_str_equal (command, "--help") || g_str_equal (command, "-h") || g_str_equal (command, "help"))
    {
      usage (stdout);
      return 0;
    }
  if (g_str_equal (command, "--version"))
    {
      printf (PROGRAM " %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_str_equal (command, "serve"))
    return cmd_serve (db, argc - 1, argv + 1);
  if (g_str_equal (command, "station"))
    return cmd_station (db, argc - 1, argv + 1);
  if (g_str_equal (command, "device"))
    return cmd_device (db, argc - 1, argv + 1);
  if (g_str_equal (command, "stats"))
    return cmd_stats (db, argc - 1, argv + 1);
  if (g_str_equal (command, "check"))
    return cmd_check (db, argc - 1, argv + 1);
  if (g_str_equal (command, "links"))
    return cmd_links (db, argc - 1, argv + 1);
  if (g_str_equal (command, "pin"))
    return cmd_pin (argc - 1, argv + 1);

  usage (stderr);
  return fail ("unknown command “%s”", command);
}
