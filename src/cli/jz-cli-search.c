/* jz-cli-search.c: jiuzhu-cli search and due
 *
 * search prints personal data because the user asked for those people.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-cli"

#include "config.h"

#include <json.h>
#include <stdio.h>

#include "jz-cli.h"
#include "jz-due.h"
#include "jz-search.h"

static void
json_add_string (json_object *obj,
                 const char  *key,
                 const char  *value)
{
  json_object_object_add (obj, key, value ? json_object_new_string (value) : NULL);
}

static char *
format_time (gint64 t)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();

  if (t == 0)
    return g_strdup ("");
  dt = g_date_time_new_from_unix_utc (t);
  if (dt == NULL)
    return g_strdup ("");
  {
    g_autoptr(GDateTime) local = g_date_time_to_timezone (dt, tz);
    return g_date_time_format (local, "%Y-%m-%d %H:%M");
  }
}

int
jz_cli_cmd_search (JzCliContext *ctx,
                   int           argc,
                   char        **argv)
{
  g_autoptr(GOptionContext) opts = g_option_context_new ("TEXT - find people by name, pinyin, ID number, episode number or description");
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *text = NULL;
  gboolean json = FALSE;
  int limit = 20, offset = 0;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "At most this many people (default 20)", "N" },
    { "offset", 0, 0, G_OPTION_ARG_INT, &offset, "Skip this many first", "N" },
    { NULL }
  };

  g_option_context_add_main_entries (opts, entries, NULL);
  if (!g_option_context_parse (opts, &argc, &argv, &error))
    return jz_cli_fail (ctx, "search: %s", error->message);
  if (argc < 2)
    return jz_cli_fail (ctx, "search: say what to look for, e.g. %s search 张伟", ctx->program);
  if (limit <= 0 || offset < 0)
    return jz_cli_fail (ctx, "search: --limit must be positive and --offset not negative");

  text = g_strjoinv (" ", argv + 1);
  store = jz_cli_open_store (ctx);
  if (store == NULL)
    return JZ_CLI_ERROR;

  rows = jz_search_people (store, text, (guint) limit, (guint) offset, &error);
  if (rows == NULL)
    return jz_cli_fail (ctx, "search: %s", error->message);

  if (json)
    {
      json_object *array = json_object_new_array ();

      for (guint i = 0; i < rows->len; i++)
        {
          JzSearchRow *r = rows->pdata[i];
          json_object *o = json_object_new_object ();

          json_add_string (o, "person_id", r->person_id);
          json_add_string (o, "name", r->name);
          json_add_string (o, "sex", r->sex);
          json_object_object_add (o, "age", r->age >= 0 ? json_object_new_int (r->age) : NULL);
          json_add_string (o, "id_number", r->id_number);
          json_add_string (o, "hukou_region", r->hukou_region);
          json_add_string (o, "station", r->station);
          json_object_object_add (o, "episodes", json_object_new_int ((int) r->n_episodes));
          json_add_string (o, "episode_number", r->episode_number);
          json_add_string (o, "episode_status", r->episode_status);
          json_object_object_add (o, "admitted_at",
                                  r->admitted_at ? json_object_new_int64 (r->admitted_at) : NULL);
          json_add_string (o, "match", jz_search_match_to_string (r->match));
          json_object_array_add (array, o);
        }
      printf ("%s\n", json_object_to_json_string_ext (array, JSON_C_TO_STRING_PRETTY |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
      json_object_put (array);
      return JZ_CLI_OK;
    }

  if (rows->len == 0)
    {
      printf ("Nobody found for “%s”.\n", text);
      return JZ_CLI_OK;
    }
  for (guint i = 0; i < rows->len; i++)
    {
      JzSearchRow *r = rows->pdata[i];
      g_autofree char *age = r->age >= 0 ? g_strdup_printf ("%d", r->age) : g_strdup ("?");
      g_autofree char *admitted = format_time (r->admitted_at);

      printf ("%-12s %-7s %4s  %-18s  %-22s %-10s %s  [%u episode%s; %s]\n",
              r->name, r->sex, age, r->id_number ? r->id_number : "-",
              r->episode_number ? r->episode_number : "-",
              r->episode_status ? r->episode_status : "", admitted,
              r->n_episodes, r->n_episodes == 1 ? "" : "s",
              jz_search_match_to_string (r->match));
    }
  return JZ_CLI_OK;
}

int
jz_cli_cmd_due (JzCliContext *ctx,
                int           argc,
                char        **argv)
{
  g_autoptr(GOptionContext) opts = g_option_context_new ("- deadlines due and overdue (open episodes and follow-ups after departure)");
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = NULL;
  g_autoptr(GPtrArray) items = NULL;
  gboolean json = FALSE, open_only = FALSE;
  JzDueOptions options;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { "open-only", 0, 0, G_OPTION_ARG_NONE, &open_only, "Only the open episodes, no follow-ups after departure", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (opts, entries, NULL);
  if (!g_option_context_parse (opts, &argc, &argv, &error))
    return jz_cli_fail (ctx, "due: %s", error->message);
  if (argc > 1)
    return jz_cli_fail (ctx, "due: unexpected argument “%s”", argv[1]);

  store = jz_cli_open_store (ctx);
  if (store == NULL)
    return JZ_CLI_ERROR;
  jz_due_options_init (&options);
  options.follow_ups = !open_only;
  items = jz_store_list_due_with (store, &options, &error);
  if (items == NULL)
    return jz_cli_fail (ctx, "due: %s", error->message);

  if (json)
    {
      json_object *array = json_object_new_array ();

      for (guint i = 0; i < items->len; i++)
        {
          JzDueItem *d = items->pdata[i];
          json_object *o = json_object_new_object ();

          json_add_string (o, "kind", jz_deadline_kind_to_string (d->kind));
          json_add_string (o, "status", jz_deadline_status_to_string (d->status));
          json_object_object_add (o, "due_at", json_object_new_int64 (d->due_at));
          if (d->kind == JZ_DEADLINE_FOLLOW_UP)
            json_object_object_add (o, "months", json_object_new_int ((int) d->months));
          json_add_string (o, "label", d->label);
          json_add_string (o, "episode_id", d->episode_id);
          json_add_string (o, "episode_number", d->episode_number);
          json_add_string (o, "episode_status", d->episode_status);
          json_add_string (o, "person_id", d->person_id);
          json_add_string (o, "person_name", d->person_name);
          json_add_string (o, "assigned_to", d->assigned_to);
          json_object_array_add (array, o);
        }
      printf ("%s\n", json_object_to_json_string_ext (array, JSON_C_TO_STRING_PRETTY |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
      json_object_put (array);
      return JZ_CLI_OK;
    }

  if (items->len == 0)
    {
      printf ("Nothing is due.\n");
      return JZ_CLI_OK;
    }
  for (guint i = 0; i < items->len; i++)
    {
      JzDueItem *d = items->pdata[i];
      g_autofree char *when = format_time (d->due_at);
      g_autofree char *what = d->kind == JZ_DEADLINE_FOLLOW_UP
                              ? g_strdup_printf ("%s (%u months)", d->label, d->months)
                              : g_strdup (d->label);

      printf ("%-8s %s  %-40s %s %s\n", jz_deadline_status_to_string (d->status), when, what,
              d->episode_number, d->person_name);
    }
  return JZ_CLI_OK;
}
