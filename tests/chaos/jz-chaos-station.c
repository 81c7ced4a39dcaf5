/* jz-chaos-station.c: the chaos test's hands at one replica
 *
 * Opens one station store and makes the writes the chaos harness asks for
 * on stdin, one command per line, through the same typed writes the
 * application uses (jz-records.h, jz_sync_transfer). Each reply is one
 * line on stdout, written only after the transaction has committed, so a
 * reply "ok" is exactly "the save returned". It names the outbox rows the
 * save wrote (seq:entity:id:op), which is what the harness later looks for
 * at the hub.
 *
 * Runs as its own process so that libfaketime can skew its clock (and the
 * clock of the replica's sync process) without touching the harness.
 *
 *   create person NAME SEX IDNUMBER|-
 *   create episode PERSON_ID BED_ID|-
 *   create belonging EPISODE_ID ITEM QTY
 *   create service_log EPISODE_ID NOTE
 *   create room NAME
 *   create bed ROOM_ID LABEL
 *   edit ENTITY ID FIELD VALUE       (VALUE "-" is NULL)
 *   delete ENTITY ID
 *   transfer ENTITY ID STATION       (hub workstations only)
 *   sync                             (one sync session, as `jiuzhu-cli sync
 *                                     --once --json` does it)
 *   quit
 *
 * Replies: "ok ID SEQ:ENTITY:ID:OP,…|- CURSOR" (CURSOR: the replica's pull
 * cursor when the save was made) or "err CODE message"; to sync, one line
 * of JSON: ok, pushed, pulled, pending and, if it failed, error. The heal
 * syncs through the agents: a process launch per sync and replica would
 * cost more than the sync.
 * Test data only: names and values are synthetic.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-chaos"

#include <stdio.h>
#include <string.h>

#include "jz-core.h"
#include "jz-idcard.h"
#include "jz-records.h"
#include "jz-schema.h"
#include "jz-store.h"
#include "jz-sync-engine.h"

typedef struct
{
  JzStore *store;
  GString *seqs;
  gint64   cursor;   /* the pull cursor the save was based on */
} Agent;

static gint64
outbox_max (JzStore *store)
{
  sqlite3_stmt *stmt = jz_store_prepare (store, "SELECT coalesce (max (seq), 0) FROM outbox", NULL);
  gint64 v = 0;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return v;
}

/* The outbox rows written since @before, inside the still open transaction:
 * nobody else can write between (BEGIN IMMEDIATE holds the write lock). */
static void
collect_outbox (JzStore *store,
                gint64   before,
                GString *out)
{
  sqlite3_stmt *stmt = jz_store_prepare (store,
                                         "SELECT seq, entity, entity_id, op FROM outbox WHERE seq > ?1 ORDER BY seq",
                                         NULL);

  g_string_truncate (out, 0);
  if (stmt == NULL)
    return;
  sqlite3_bind_int64 (stmt, 1, before);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (out, "%s%" G_GINT64_FORMAT ":%s:%s:%s", out->len ? "," : "",
                            (gint64) sqlite3_column_int64 (stmt, 0), sqlite3_column_text (stmt, 1),
                            sqlite3_column_text (stmt, 2), sqlite3_column_text (stmt, 3));
  sqlite3_reset (stmt);
}

static gboolean
set_field (const JzEntity  *entity,
           gpointer         record,
           const char      *name,
           const char      *value,
           GError         **error)
{
  const JzField *field = jz_entity_get_field (entity, name);
  guint8 *at;
  gboolean null = g_str_equal (value, "-");

  if (field == NULL)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID, "%s has no field %s", entity->name, name);
      return FALSE;
    }
  at = (guint8 *) record + field->offset;
  switch (field->type)
    {
    case JZ_FIELD_INT:
    case JZ_FIELD_TIME:
    case JZ_FIELD_MONEY:
      *(gint64 *) at = null ? 0 : g_ascii_strtoll (value, NULL, 10);
      break;
    case JZ_FIELD_BOOL:
      *(gboolean *) at = !null && g_ascii_strtoll (value, NULL, 10) != 0;
      break;
    case JZ_FIELD_FLAGS:
      *(guint *) at = null ? 0 : (guint) g_ascii_strtoull (value, NULL, 10);
      break;
    case JZ_FIELD_REAL:
      *(double *) at = null ? 0 : g_ascii_strtod (value, NULL);
      break;
    default:
      g_free (*(char **) at);
      *(char **) at = null ? NULL : g_strdup (value);
      break;
    }
  return TRUE;
}

static const JzEntity *
lookup_entity (const char  *name,
               GError     **error)
{
  const JzEntity *entity = jz_schema_lookup (name);

  if (entity == NULL || !(entity->flags & JZ_ENTITY_SYNCED))
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID, "%s is not a synced table", name);
      return NULL;
    }
  return entity;
}

/* A valid GB 11643 number from 17 digits the harness chose. */
static char *
id_number (const char *first17)
{
  if (first17 == NULL || g_str_equal (first17, "-") || strlen (first17) != 17)
    return NULL;
  return g_strdup_printf ("%s%c", first17, jz_idcard_check_digit (first17));
}

static gpointer
build_create (Agent       *agent,
              char       **argv,
              int          argc,
              const JzEntity **entity_out,
              GError     **error)
{
  const char *what = argv[1];
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (g_str_equal (what, "person") && argc == 5)
    {
      JzPerson *p = jz_person_new ();

      p->name = g_strdup (argv[2]);
      p->sex = g_strdup (argv[3]);
      p->id_number = id_number (argv[4]);
      p->description = g_strdup ("chaos");
      *entity_out = &jz_entity_person;
      return p;
    }
  if (g_str_equal (what, "episode") && argc == 4)
    {
      JzEpisode *e = jz_episode_new ();

      e->person_id = g_strdup (argv[2]);
      e->bed_id = g_str_equal (argv[3], "-") ? NULL : g_strdup (argv[3]);
      e->admitted_at = now;
      e->source = g_strdup ("walk_in");
      e->reason = g_strdup ("chaos");
      *entity_out = &jz_entity_episode;
      return e;
    }
  if (g_str_equal (what, "belonging") && argc == 5)
    {
      JzBelonging *b = jz_belonging_new ();

      b->episode_id = g_strdup (argv[2]);
      b->item = g_strdup (argv[3]);
      b->qty = MAX (1, g_ascii_strtoll (argv[4], NULL, 10));
      b->received_at = now;
      *entity_out = &jz_entity_belonging;
      return b;
    }
  if (g_str_equal (what, "service_log") && argc == 4)
    {
      JzServiceLog *s = jz_service_log_new ();

      s->episode_id = g_strdup (argv[2]);
      s->at = now;
      s->kind = g_strdup ("meal");
      s->note = g_strdup (argv[3]);
      *entity_out = &jz_entity_service_log;
      return s;
    }
  if (g_str_equal (what, "room") && argc == 3)
    {
      JzRoom *r = jz_room_new ();

      r->name = g_strdup (argv[2]);
      r->kind = g_strdup ("men");
      r->active = TRUE;
      *entity_out = &jz_entity_room;
      return r;
    }
  if (g_str_equal (what, "bed") && argc == 4)
    {
      JzBed *b = jz_bed_new ();

      b->room_id = g_strdup (argv[2]);
      b->label = g_strdup (argv[3]);
      b->active = TRUE;
      *entity_out = &jz_entity_bed;
      return b;
    }
  g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID, "bad create command");
  (void) agent;
  return NULL;
}

/* One command = one transaction; the outbox rows are read before commit. */
static gboolean
run (Agent   *agent,
     char   **argv,
     int      argc,
     char   **id_out,
     GError **error)
{
  JzStore *store = agent->store;
  const JzEntity *entity = NULL;
  gpointer record = NULL;
  gint64 before;
  gboolean ok = FALSE;

  if (!jz_store_write_begin (store, error))
    return FALSE;
  before = outbox_max (store);
  /* What this replica had pulled from the hub when the save read its
   * record: the oracle tells a value the writer saw from one it did not. */
  {
    sqlite3_stmt *stmt = jz_store_prepare (store, "SELECT value FROM sync_state WHERE key = 'cursor'", NULL);

    agent->cursor = 0;
    if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
      agent->cursor = g_ascii_strtoll ((const char *) sqlite3_column_text (stmt, 0), NULL, 10);
    if (stmt != NULL)
      sqlite3_reset (stmt);
  }

  if (g_str_equal (argv[0], "create") && argc >= 2)
    {
      record = build_create (agent, argv, argc, &entity, error);
      ok = record != NULL && jz_store_insert (store, entity, record, error);
      if (ok)
        *id_out = g_strdup (((JzRecord *) record)->id);
    }
  else if (g_str_equal (argv[0], "edit") && argc == 5)
    {
      entity = lookup_entity (argv[1], error);
      if (entity != NULL)
        record = jz_store_get (store, entity, argv[2], error);
      ok = record != NULL && set_field (entity, record, argv[3], argv[4], error) &&
           jz_store_update (store, entity, record, error);
      if (ok)
        *id_out = g_strdup (argv[2]);
    }
  else if (g_str_equal (argv[0], "delete") && argc == 3)
    {
      entity = lookup_entity (argv[1], error);
      ok = entity != NULL && jz_store_delete (store, entity, argv[2], 0, error);
      if (ok)
        *id_out = g_strdup (argv[2]);
    }
  else if (g_str_equal (argv[0], "transfer") && argc == 4)
    {
      ok = jz_sync_transfer (store, argv[1], argv[2], argv[3], error);
      if (ok)
        *id_out = g_strdup (argv[2]);
    }
  else
    g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID, "unknown command %s", argv[0]);

  if (record != NULL)
    jz_record_free (entity, record);
  if (ok)
    collect_outbox (store, before, agent->seqs);
  if (!jz_store_write_end (store, ok, ok ? error : NULL) || !ok)
    {
      g_clear_pointer (id_out, g_free);
      return FALSE;
    }
  return TRUE;
}

/* The same steps as `jiuzhu-cli sync --once --json` (jz-cli-sync.c): a
 * new engine, one session, its result recorded in the store. */
static void
sync_once (Agent *agent)
{
  g_autoptr(JzSyncEngine) engine = jz_sync_engine_new (agent->store, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  JzSyncStats stats;
  gboolean ok;

  jz_sync_stats_init (&stats);
  ok = jz_sync_engine_run_once (engine, NULL, &stats, &error);
  jz_sync_engine_record_result (engine, error);
  g_string_append_printf (out, "{\"ok\":%s,\"pushed\":%" G_GINT64_FORMAT ",\"pulled\":%" G_GINT64_FORMAT
                          ",\"conflicts\":%" G_GINT64_FORMAT ",\"pending\":%" G_GINT64_FORMAT,
                          ok ? "true" : "false", stats.pushed, stats.pulled, stats.conflicts,
                          jz_sync_engine_count_pending (engine));
  if (error != NULL)
    {
      g_string_append (out, ",\"error\":");
      jz_json_append_string (out, error->message);
    }
  g_string_append_c (out, '}');
  jz_sync_stats_clear (&stats);
  printf ("%s\n", out->str);
}

static const char *
error_code (const GError *error)
{
  static const char *store_codes[] = {
    "not-found", "not-a-store", "too-new", "corrupt", "io", "invalid", "exists", "busy", "conflict", "full",
  };

  if (error->domain == JZ_STORE_ERROR && error->code >= 0 && (gsize) error->code < G_N_ELEMENTS (store_codes))
    return store_codes[error->code];
  return "other";
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = NULL;
  Agent agent = { 0 };
  char line[4096];

  if (argc != 3)
    {
      fprintf (stderr, "Usage: jz-chaos-station DB ACTOR\n");
      return 2;
    }
  jz_core_init ();
  store = jz_store_open (argv[1], &error);
  if (store == NULL)
    {
      printf ("err open %s\n", error->message);
      return 1;
    }
  jz_store_set_actor (store, argv[2]);
  agent.store = store;
  agent.seqs = g_string_new (NULL);
  setvbuf (stdout, NULL, _IOLBF, 0);
  printf ("ready %s %s\n", jz_store_get_station_code (store), jz_store_get_epoch (store));

  while (fgets (line, sizeof line, stdin) != NULL)
    {
      g_auto(GStrv) args = NULL;
      g_autoptr(GError) cmd_error = NULL;
      g_autofree char *id = NULL;

      g_strchomp (line);
      if (g_str_equal (line, "quit"))
        break;
      if (g_str_equal (line, "sync"))
        {
          sync_once (&agent);
          continue;
        }
      args = g_strsplit (line, " ", -1);
      if (args[0] == NULL)
        continue;
      if (run (&agent, args, g_strv_length (args), &id, &cmd_error))
        printf ("ok %s %s %" G_GINT64_FORMAT "\n", id, agent.seqs->len ? agent.seqs->str : "-", agent.cursor);
      else
        {
          /* One line: the harness reads line by line. */
          g_strdelimit (cmd_error->message, "\n", ' ');
          printf ("err %s %s\n", error_code (cmd_error), cmd_error->message);
        }
    }
  g_string_free (agent.seqs, TRUE);
  printf ("bye\n");
  return 0;
}
