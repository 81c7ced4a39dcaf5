/* jz-cli-sync.c: enrol, sync and sync-status
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-cli"

#include <glib-unix.h>
#include <stdio.h>

#include "jz-cli.h"
#include "jz-profile.h"
#include "jz-sync-client.h"
#include "jz-sync-engine.h"

static gboolean
parse (JzCliContext  *ctx,
       const char    *command,
       const char    *params,
       GOptionEntry  *entries,
       int           *argc,
       char        ***argv)
{
  g_autoptr(GOptionContext) opts = g_option_context_new (params);
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (opts, entries, NULL);
  if (!g_option_context_parse (opts, argc, argv, &error))
    {
      jz_cli_fail (ctx, "%s: %s", command, error->message);
      return FALSE;
    }
  return TRUE;
}

static char *
format_time (gint64 t)
{
  g_autoptr(GDateTime) dt = NULL;

  if (t <= 0)
    return g_strdup ("never");
  dt = g_date_time_new_from_unix_local (t);
  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
}

int
jz_cli_cmd_enrol (JzCliContext  *ctx,
                  int            argc,
                  char         **argv)
{
  g_autofree char *pin = NULL;
  g_autofree char *pin_used = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = NULL;
  GOptionEntry entries[] = {
    { "pin", 0, 0, G_OPTION_ARG_STRING, &pin, "The hub's certificate pin (sha256//…), as the hub's staff give it", "PIN" },
    { NULL }
  };

  if (!parse (ctx, "enrol", "URL CODE - enrol this device with a regional hub", entries, &argc, &argv))
    return JZ_CLI_ERROR;
  if (argc != 3)
    return jz_cli_fail (ctx, "enrol: give the hub's address and the enrolment code, e.g. "
                             "enrol https://hub.example:8443 ABCDE-FGHJK");
  store = jz_cli_open_store (ctx);
  if (store == NULL)
    return JZ_CLI_ERROR;
  if (!jz_sync_enrol (store, argv[1], argv[2], pin, &pin_used, &error))
    return jz_cli_fail (ctx, "enrol: %s", error->message);

  printf ("Enrolled station %s with the hub at %s.\n", jz_store_get_station_code (store), argv[1]);
  if (pin_used != NULL && pin == NULL)
    printf ("The hub's certificate pin is %s\n"
            "Compare it with the pin the hub's staff read out (jiuzhu-hub pin); "
            "if they differ, do not sync and call them.\n", pin_used);
  return JZ_CLI_OK;
}

static int
sync_once (JzCliContext *ctx,
           gboolean      json)
{
  g_autoptr(JzStore) store = jz_cli_open_store (ctx);
  g_autoptr(JzSyncEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  JzSyncStats stats;
  gint64 start;
  gint64 pending;
  double seconds;
  gboolean ok;

  if (store == NULL)
    return JZ_CLI_ERROR;
  engine = jz_sync_engine_new (store, NULL);
  if (!jz_sync_engine_is_enrolled (engine))
    return jz_cli_fail (ctx, "sync: this profile is not enrolled with a hub; run: %s --profile %s enrol URL CODE",
                        ctx->program, ctx->profile);

  jz_sync_stats_init (&stats);
  start = g_get_monotonic_time ();
  ok = jz_sync_engine_run_once (engine, NULL, &stats, &error);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  jz_sync_engine_record_result (engine, error);
  pending = jz_sync_engine_count_pending (engine);

  if (json)
    printf ("{\"ok\":%s,\"pushed\":%" G_GINT64_FORMAT ",\"push_requests\":%" G_GINT64_FORMAT
            ",\"pulled\":%" G_GINT64_FORMAT ",\"applied\":%" G_GINT64_FORMAT ",\"skipped\":%" G_GINT64_FORMAT
            ",\"conflicts\":%" G_GINT64_FORMAT ",\"pending\":%" G_GINT64_FORMAT
            ",\"body_bytes_sent\":%" G_GINT64_FORMAT ",\"wire_bytes_sent\":%" G_GINT64_FORMAT
            ",\"wire_bytes_received\":%" G_GINT64_FORMAT ",\"push_seconds\":%.3f,\"pull_seconds\":%.3f"
            ",\"seconds\":%.3f}\n",
            ok ? "true" : "false", stats.pushed, stats.push_requests, stats.pulled, stats.applied,
            stats.skipped, stats.conflicts, pending, stats.body_bytes_sent, stats.wire_bytes_sent,
            stats.wire_bytes_received, stats.push_us / 1e6, stats.pull_us / 1e6, seconds);
  else
    printf ("Pushed %" G_GINT64_FORMAT " change(s), pulled %" G_GINT64_FORMAT " (applied %" G_GINT64_FORMAT
            ", %" G_GINT64_FORMAT " conflict(s)) in %.2f s; %" G_GINT64_FORMAT " pending.\n",
            stats.pushed, stats.pulled, stats.applied, stats.conflicts, seconds, pending);
  jz_sync_stats_clear (&stats);
  if (!ok)
    return jz_cli_fail (ctx, "sync: %s", error->message);
  return JZ_CLI_OK;
}

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_state (JzSyncClient *client,
          GParamSpec   *pspec,
          gpointer      user_data)
{
  JzSyncState state = jz_sync_client_get_state (client);

  if (state == JZ_SYNC_STATE_SYNCING)
    return;
  printf ("%s", jz_sync_state_to_string (state));
  if (state == JZ_SYNC_STATE_ERROR || state == JZ_SYNC_STATE_OFFLINE)
    printf (": %s", jz_sync_client_get_last_error (client) ? jz_sync_client_get_last_error (client) : "");
  printf (" (%" G_GINT64_FORMAT " pending)\n", jz_sync_client_get_pending (client));
  fflush (stdout);
}

int
jz_cli_cmd_sync (JzCliContext  *ctx,
                 int            argc,
                 char         **argv)
{
  g_autoptr(JzStore) store = NULL;
  g_autoptr(JzSyncClient) client = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *path = NULL;
  gboolean once = FALSE;
  gboolean json = FALSE;
  int interval = 60;
  GOptionEntry entries[] = {
    { "once", 0, 0, G_OPTION_ARG_NONE, &once, "Sync once and exit", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "With --once: print the figures as JSON", NULL },
    { "interval", 0, 0, G_OPTION_ARG_INT, &interval, "Seconds between syncs when idle (default 60)", "S" },
    { NULL }
  };

  if (!parse (ctx, "sync", "- sync with the hub", entries, &argc, &argv))
    return JZ_CLI_ERROR;
  if (once)
    return sync_once (ctx, json);

  /* Until interrupted: the same background sync the application runs. */
  store = jz_cli_open_store (ctx);
  if (store == NULL)
    return JZ_CLI_ERROR;
  path = jz_profile_db_path (ctx->profile);
  client = jz_sync_client_new (path, store);
  jz_sync_client_set_interval (client, MAX (1, interval));
  g_signal_connect (client, "notify::state", G_CALLBACK (on_state), NULL);
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  jz_sync_client_start (client);
  g_main_loop_run (loop);
  jz_sync_client_stop (client);
  return JZ_CLI_OK;
}

int
jz_cli_cmd_sync_status (JzCliContext  *ctx,
                        int            argc,
                        char         **argv)
{
  g_autoptr(JzStore) store = NULL;
  g_autofree char *success = NULL;
  g_autofree char *attempt = NULL;
  JzSyncStatus status;
  gboolean json = FALSE;
  const char *state;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "JSON output", NULL },
    { NULL }
  };

  if (!parse (ctx, "sync-status", "- the sync state", entries, &argc, &argv))
    return JZ_CLI_ERROR;
  store = jz_cli_open_store (ctx);
  if (store == NULL)
    return JZ_CLI_ERROR;
  jz_sync_read_status (store, &status);

  /* Without a running sync: what the last attempt left. */
  if (!status.enrolled)
    state = "not enrolled";
  else if (status.last_error != NULL)
    state = "error";
  else if (status.last_attempt == 0)
    state = "never synced";
  else if (status.pending > 0)
    state = "pending";
  else
    state = "up to date";

  if (json)
    {
      g_autoptr(GString) s = g_string_new ("{\"state\":");

      jz_json_append_string (s, state);
      g_string_append_printf (s, ",\"enrolled\":%s,\"hub_url\":", status.enrolled ? "true" : "false");
      if (status.hub_url)
        jz_json_append_string (s, status.hub_url);
      else
        g_string_append (s, "null");
      g_string_append (s, ",\"device\":");
      if (status.device)
        jz_json_append_string (s, status.device);
      else
        g_string_append (s, "null");
      g_string_append_printf (s, ",\"pending\":%" G_GINT64_FORMAT ",\"cursor\":%" G_GINT64_FORMAT
                              ",\"last_success\":%" G_GINT64_FORMAT ",\"last_attempt\":%" G_GINT64_FORMAT
                              ",\"last_error\":",
                              status.pending, status.cursor, status.last_success, status.last_attempt);
      if (status.last_error)
        jz_json_append_string (s, status.last_error);
      else
        g_string_append (s, "null");
      g_string_append (s, "}");
      printf ("%s\n", s->str);
    }
  else
    {
      success = format_time (status.last_success);
      attempt = format_time (status.last_attempt);
      printf ("state:         %s\n", state);
      printf ("hub:           %s\n", status.hub_url ? status.hub_url : "-");
      printf ("device:        %s\n", status.device ? status.device : "-");
      if (status.pin)
        printf ("hub pin:       %s\n", status.pin);
      printf ("pending:       %" G_GINT64_FORMAT " change(s)\n", status.pending);
      printf ("last success:  %s\n", success);
      printf ("last attempt:  %s\n", attempt);
      if (status.last_error)
        printf ("last error:    %s\n", status.last_error);
    }
  jz_sync_status_clear (&status);
  return JZ_CLI_OK;
}
