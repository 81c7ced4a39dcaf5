/* jz-fault-proxy.c: the fault proxy as a program, for chaos tests that run real processes
 *
 *   jz-fault-proxy --listen 127.0.0.1:0 --upstream 127.0.0.1:PORT --seed S
 *                  [--fault-rate R] [--faults delay,blackhole,…] [--max-delay-ms N]
 *                  [--bandwidth BPS] [--idle-timeout-ms N] [--lifetime-s N] [--mode M]
 *                  [--schedule-by connection|request] [--log-file PATH]
 *
 * Prints "PORT <n>" on stdout once it listens, then reads commands on stdin
 * (one a line: mode …, rate …, reset, stats, ping, quit) and answers each
 * with one line "ok …" or "error …". Logs one line per connection event on
 * stderr (or --log-file, so that nobody has to drain a pipe), never payload. Exits on "quit", at the end of stdin (the test
 * that started it went away), on SIGTERM/SIGINT, or after its lifetime.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-fault-proxy"

#include <errno.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fault/jz-fault-proxy-core.h"

typedef struct
{
  FILE         *log;
  JzFaultProxy *proxy;
  GMainLoop    *loop;
  GString      *input;
  int           status;
} App;

/* Only loopback: the chaos tests must never reach another machine. */
static gboolean
parse_loopback_address (const char  *option,
                        const char  *value,
                        gboolean     allow_zero,
                        guint16     *port,
                        GError     **error)
{
  guint64 n;

  if (value == NULL || !g_str_has_prefix (value, "127.0.0.1:"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s must be 127.0.0.1:PORT (the proxy only talks to this machine), not “%s”",
                   option, value != NULL ? value : "");
      return FALSE;
    }
  if (!g_ascii_string_to_unsigned (value + strlen ("127.0.0.1:"), 10, allow_zero ? 0 : 1, 65535, &n, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s has no valid port in “%s”; use a number from %d to 65535",
                   option, value, allow_zero ? 0 : 1);
      return FALSE;
    }
  *port = (guint16) n;
  return TRUE;
}

static void
on_log (const char *line,
        gpointer    data)
{
  App *app = data;

  fprintf (app->log, "%s\n", line);
  fflush (app->log);
}

static void
app_run_line (App        *app,
              const char *line)
{
  g_autofree char *reply = jz_fault_proxy_command (app->proxy, line);

  printf ("%s\n", reply);
  fflush (stdout);
  if (g_str_equal (line, "quit") || jz_fault_proxy_is_stopped (app->proxy))
    g_main_loop_quit (app->loop);
}

static gboolean
on_stdin (int          fd,
          GIOCondition condition,
          gpointer     data)
{
  App *app = data;
  char buf[4096];
  ssize_t n;
  char *nl;

  n = read (fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      on_log ("stdin closed, stopping", app);
      g_main_loop_quit (app->loop);
      return G_SOURCE_REMOVE;
    }
  g_string_append_len (app->input, buf, n);
  while ((nl = memchr (app->input->str, '\n', app->input->len)) != NULL)
    {
      g_autofree char *line = g_strndup (app->input->str, nl - app->input->str);

      g_string_erase (app->input, 0, nl - app->input->str + 1);
      if (*g_strstrip (line) != '\0')
        app_run_line (app, line);
    }
  if (app->input->len > 4096)
    g_string_truncate (app->input, 0);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_signal (gpointer data)
{
  App *app = data;

  on_log ("signal, stopping", app);
  g_main_loop_quit (app->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_lifetime_over (gpointer data)
{
  App *app = data;

  on_log ("lifetime over, stopping", app);
  g_main_loop_quit (app->loop);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *listen = NULL;
  g_autofree char *upstream = NULL;
  g_autofree char *faults = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *seed_text = NULL;
  g_autofree char *schedule_by = NULL;
  g_autofree char *log_file = NULL;
  double fault_rate = 0.0;
  int max_delay_ms = 200;
  int bandwidth = 32768;
  int idle_timeout_ms = 60000;
  int lifetime_s = 900;
  GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, "Where to listen (port 0: any free port)", "127.0.0.1:PORT" },
    { "upstream", 0, 0, G_OPTION_ARG_STRING, &upstream, "The hub to forward to", "127.0.0.1:PORT" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, "Seed of the fault schedule (default 1)", "S" },
    { "fault-rate", 0, 0, G_OPTION_ARG_DOUBLE, &fault_rate, "Share of exchanges that get a fault in mode faults", "0.0-1.0" },
    { "faults", 0, 0, G_OPTION_ARG_STRING, &faults, "Faults the schedule may draw (default all)", "delay,slow,blackhole,cut-request,close-after-request,truncate-response,rst" },
    { "max-delay-ms", 0, 0, G_OPTION_ARG_INT, &max_delay_ms, "Largest delay of the delay fault (default 200)", "N" },
    { "bandwidth", 0, 0, G_OPTION_ARG_INT, &bandwidth, "Bytes per second of the slow fault (default 32768)", "BPS" },
    { "idle-timeout-ms", 0, 0, G_OPTION_ARG_INT, &idle_timeout_ms, "Close a connection idle this long (default 60000)", "N" },
    { "lifetime-s", 0, 0, G_OPTION_ARG_INT, &lifetime_s, "Exit after this long whatever happens (default 900)", "N" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, "Initial mode (default faults)", "pass|faults|blackhole|FAULT" },
    { "schedule-by", 0, 0, G_OPTION_ARG_STRING, &schedule_by,
      "Key of the seeded draws: (connection, request on it), or the proxy-wide request number (default connection)",
      "connection|request" },
    { "log-file", 0, 0, G_OPTION_ARG_FILENAME, &log_file, "Append the log here instead of stderr", "PATH" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- seeded fault proxy for Jiuzhu's chaos tests");
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  JzFaultProxyOptions options;
  App app = { 0 };
  guint16 port;

  jz_fault_proxy_options_init (&options);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    goto usage;
  if (!parse_loopback_address ("--listen", listen != NULL ? listen : "127.0.0.1:0", TRUE, &port, &error))
    goto usage;
  options.listen_port = port;
  if (!parse_loopback_address ("--upstream", upstream, FALSE, &port, &error))
    goto usage;
  options.upstream_port = port;
  if (seed_text != NULL &&
      !g_ascii_string_to_unsigned (seed_text, 10, 0, G_MAXUINT64, &options.seed, &error))
    goto usage;
  if (faults != NULL && !jz_fault_mask_parse (faults, &options.fault_mask, &error))
    goto usage;
  if (max_delay_ms < 1 || bandwidth < 1 || idle_timeout_ms < 1 || lifetime_s < 1)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--max-delay-ms, --bandwidth, --idle-timeout-ms and --lifetime-s must be at least 1");
      goto usage;
    }
  if (schedule_by != NULL && !g_str_equal (schedule_by, "connection") && !g_str_equal (schedule_by, "request"))
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--schedule-by must be connection or request, not “%s”", schedule_by);
      goto usage;
    }
  app.log = stderr;
  if (log_file != NULL && (app.log = fopen (log_file, "a")) == NULL)
    {
      g_set_error (&error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "Could not open the log file %s: %s", log_file, g_strerror (errno));
      goto usage;
    }
  options.schedule_by_request = g_strcmp0 (schedule_by, "request") == 0;
  options.log_func = on_log;
  options.log_data = &app;
  options.fault_rate = fault_rate;
  options.max_delay_ms = max_delay_ms;
  options.bandwidth = bandwidth;
  options.idle_timeout_ms = idle_timeout_ms;
  options.initial_mode = mode;

  app.proxy = jz_fault_proxy_new (&options, &error);
  if (app.proxy == NULL)
    goto usage;

  fprintf (app.log, "seed %" G_GUINT64_FORMAT " rate %g schedule-by %s upstream 127.0.0.1:%u\n",
           options.seed, options.fault_rate, options.schedule_by_request ? "request" : "connection",
           options.upstream_port);
  fflush (app.log);
  printf ("PORT %u\n", jz_fault_proxy_get_port (app.proxy));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  app.loop = loop;
  app.input = g_string_new (NULL);
  g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, &app);
  g_unix_signal_add (SIGTERM, on_signal, &app);
  g_unix_signal_add (SIGINT, on_signal, &app);
  g_timeout_add_seconds (lifetime_s, on_lifetime_over, &app);
  g_main_loop_run (loop);

  jz_fault_proxy_stop (app.proxy);
  g_object_unref (app.proxy);
  g_string_free (app.input, TRUE);
  if (app.log != stderr)
    fclose (app.log);
  return 0;

usage:
  g_printerr ("jz-fault-proxy: %s\n", error->message);
  return 2;
}
