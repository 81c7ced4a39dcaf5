/* jz-chaos-oracle.c: the invariants of a quiescent chaos world
 *
 * Reads the hub's store and every replica's store directly (read-only
 * SQLite connections), so that what is checked does not go through the
 * code under test. The harness's own record of the saves that returned
 * (JzChaosWorld.saves) is the ground truth of what must be at the hub.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-chaos"

#include "jz-chaos-oracle.h"

#include <string.h>

#include "jz-schema.h"

/* A hub record's fields: its fields_json, or while that is NULL (not yet
 * merged) those of the change that created it (jz-hub-store.c). */
#define HUB_FIELDS "coalesce (r.fields_json, (SELECT c.fields_json FROM change c WHERE c.hub_seq = r.hub_seq))"

/* Lines per invariant in a report; the count says how many there were. */
#define MAX_LINES 6

/* What the hub serves of another station's person (jz-hub-store.c,
 * registry_fields): kept in step by hand, since the oracle must not take
 * it from the code it checks. */
static const char * const registry_fields[] = {
  "station", "updated_by", "deleted", "name", "name_quality", "placeholder_no", "aliases", "sex",
  "birth_date", "birth_precision", "estimated_age", "estimated_on", "id_number", "hukou_region",
  NULL
};

typedef struct
{
  JzChaosWorld *w;
  sqlite3      *hub;
  GString      *report;
  GHashTable   *counts;      /* invariant → violations */
  guint         failures;
  char         *incarnation;
  gint64        max_hub_seq;
  GHashTable   *visibility;  /* "entity/id/station" */
  guint         refused;     /* saves the hub refused (void in the stream) */
} Oracle;

/* Canonical values */

char *
jz_chaos_canon_text (const char *text)
{
  return text ? g_strconcat ("s:", text, NULL) : g_strdup ("null");
}

char *
jz_chaos_canon_int (gint64 value)
{
  return g_strdup_printf ("i:%" G_GINT64_FORMAT, value);
}

char *
jz_chaos_canon_json (json_object *v)
{
  switch (json_object_get_type (v))
    {
    case json_type_null:
      return g_strdup ("null");
    case json_type_boolean:
      return jz_chaos_canon_int (json_object_get_boolean (v) ? 1 : 0);
    case json_type_int:
      return jz_chaos_canon_int (json_object_get_int64 (v));
    case json_type_double:
      return g_strdup_printf ("r:%.17g", json_object_get_double (v));
    case json_type_string:
      return jz_chaos_canon_text (json_object_get_string (v));
    default:
      return g_strconcat ("j:", json_object_to_json_string_ext (v, JSON_C_TO_STRING_PLAIN), NULL);
    }
}

char *
jz_chaos_canon_column (sqlite3_stmt *stmt,
                       int           i)
{
  switch (sqlite3_column_type (stmt, i))
    {
    case SQLITE_NULL:
      return g_strdup ("null");
    case SQLITE_INTEGER:
      return jz_chaos_canon_int (sqlite3_column_int64 (stmt, i));
    case SQLITE_FLOAT:
      return g_strdup_printf ("r:%.17g", sqlite3_column_double (stmt, i));
    default:
      return jz_chaos_canon_text ((const char *) sqlite3_column_text (stmt, i));
    }
}

/* Reporting */

static void
violation (Oracle     *o,
           const char *invariant,
           const char *format,
           ...) G_GNUC_PRINTF (3, 4);

static void
violation (Oracle     *o,
           const char *invariant,
           const char *format,
           ...)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (o->counts, invariant)) + 1;
  va_list args;

  g_hash_table_insert (o->counts, (gpointer) invariant, GUINT_TO_POINTER (n));
  o->failures++;
  if (n > MAX_LINES)
    return;
  g_string_append_printf (o->report, "%s: ", invariant);
  va_start (args, format);
  g_string_append_vprintf (o->report, format, args);
  va_end (args);
  g_string_append_c (o->report, '\n');
}

static sqlite3 *
open_ro (const char *path)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 10000);
  return db;
}

static sqlite3_stmt *
prepare (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("oracle: cannot prepare “%s”: %s", sql, sqlite3_errmsg (db));
  return stmt;
}

static gint64
query_int (sqlite3    *db,
           const char *sql,
           const char *bind1,
           const char *bind2)
{
  sqlite3_stmt *stmt = prepare (db, sql);
  gint64 v = 0;

  if (bind1)
    sqlite3_bind_text (stmt, 1, bind1, -1, SQLITE_TRANSIENT);
  if (bind2)
    sqlite3_bind_text (stmt, 2, bind2, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

static char *
query_text (sqlite3    *db,
            const char *sql,
            const char *bind1)
{
  sqlite3_stmt *stmt = prepare (db, sql);
  char *v = NULL;

  if (bind1)
    sqlite3_bind_text (stmt, 1, bind1, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    v = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return v;
}

/* Streams: contiguous, in hub order, as the marks say. */
static void
check_streams (Oracle *o)
{
  sqlite3_stmt *marks = prepare (o->hub, "SELECT station, epoch, first_seq, high_seq FROM mark ORDER BY station, epoch");

  while (sqlite3_step (marks) == SQLITE_ROW)
    {
      const char *station = (const char *) sqlite3_column_text (marks, 0);
      const char *epoch = (const char *) sqlite3_column_text (marks, 1);
      gint64 first = sqlite3_column_int64 (marks, 2);
      gint64 high = sqlite3_column_int64 (marks, 3);
      sqlite3_stmt *stmt = prepare (o->hub, "SELECT seq, hub_seq FROM change WHERE station = ?1 AND epoch = ?2 ORDER BY hub_seq");
      gint64 expect = first;
      gboolean bad = FALSE;

      sqlite3_bind_text (stmt, 1, station, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, epoch, -1, SQLITE_TRANSIENT);
      while (!bad && sqlite3_step (stmt) == SQLITE_ROW)
        {
          gint64 seq = sqlite3_column_int64 (stmt, 0);

          if (seq != expect)
            {
              violation (o, "stream", "%s/%s: at hub_seq %" G_GINT64_FORMAT " seq %" G_GINT64_FORMAT
                         " where %" G_GINT64_FORMAT " was due (out of order, doubled or a gap)",
                         station, epoch, (gint64) sqlite3_column_int64 (stmt, 1), seq, expect);
              bad = TRUE;
            }
          expect = seq + 1;
        }
      sqlite3_finalize (stmt);
      if (!bad && expect - 1 != high)
        violation (o, "stream", "%s/%s: the mark says up to %" G_GINT64_FORMAT " but the changes end at %" G_GINT64_FORMAT,
                   station, epoch, high, expect - 1);
    }
  sqlite3_finalize (marks);

  /* A change outside any mark. */
  if (query_int (o->hub, "SELECT count (*) FROM change c WHERE NOT EXISTS"
                         " (SELECT 1 FROM mark m WHERE m.station = c.station AND m.epoch = c.epoch)", NULL, NULL) > 0)
    violation (o, "stream", "changes at the hub belong to no stream");
}

/* Replicas: everything pushed, everything pulled. */
static void
check_replica_state (Oracle         *o,
                     JzChaosReplica *r,
                     sqlite3        *db)
{
  gint64 max_seq = query_int (db, "SELECT coalesce (max (seq), 0) FROM outbox", NULL, NULL);
  gint64 pending = query_int (db, "SELECT count (*) FROM outbox WHERE acked = 0", NULL, NULL);
  g_autofree char *cursor = query_text (db, "SELECT value FROM sync_state WHERE key = 'cursor'", NULL);
  g_autofree char *last_error = query_text (db, "SELECT value FROM sync_state WHERE key = 'last_error'", NULL);
  gint64 high = query_int (o->hub, "SELECT coalesce (max (high_seq), -1) FROM mark WHERE station = ?1 AND epoch = ?2",
                           r->station, r->epoch);
  gint64 first = query_int (o->hub, "SELECT coalesce (min (first_seq), -1) FROM mark WHERE station = ?1 AND epoch = ?2",
                            r->station, r->epoch);

  if (pending > 0)
    violation (o, "pushed-all", "%c: %" G_GINT64_FORMAT " change(s) still pending", r->letter, pending);
  if (max_seq > 0 && (high != max_seq || first != 1))
    violation (o, "pushed-all", "%c: outbox 1…%" G_GINT64_FORMAT ", the hub's mark %" G_GINT64_FORMAT "…%" G_GINT64_FORMAT,
               r->letter, max_seq, first, high);
  if (cursor == NULL || g_ascii_strtoll (cursor, NULL, 10) != o->max_hub_seq)
    violation (o, "cursor", "%c: pulled up to %s, the hub is at %" G_GINT64_FORMAT, r->letter,
               cursor ? cursor : "(none)", o->max_hub_seq);
  if (last_error != NULL)
    violation (o, "cursor", "%c: the last sync failed: %s", r->letter, last_error);
}

static JzChaosReplica *
replica_of (Oracle     *o,
            const char *station,
            const char *epoch)
{
  for (guint i = 0; i < JZ_CHAOS_N_REPLICAS; i++)
    if (g_strcmp0 (o->w->replicas[i]->station, station) == 0 && g_strcmp0 (o->w->replicas[i]->epoch, epoch) == 0)
      return o->w->replicas[i];
  return NULL;
}

/* A refused save: each value it carried (but its clock and writer) is in
 * the station's conflicts. */
static void
check_refused_kept (Oracle      *o,
                    JzChaosSave *s)
{
  JzChaosReplica *r = replica_of (o, s->station, s->epoch);
  sqlite3 *db = r ? open_ro (r->db_path) : NULL;
  sqlite3_stmt *stmt;
  json_object *fields = NULL;

  o->refused++;
  if (db == NULL)
    {
      violation (o, "refused-kept", "%s/%" G_GINT64_FORMAT ": no replica to look in", s->station, s->seq);
      return;
    }
  stmt = prepare (db, "SELECT fields_json FROM outbox WHERE seq = ?1");
  sqlite3_bind_int64 (stmt, 1, s->seq);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    fields = json_tokener_parse ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  if (fields == NULL)
    violation (o, "refused-kept", "%c: outbox row %" G_GINT64_FORMAT " is gone", r->letter, s->seq);
  else
    {
      json_object_object_foreach (fields, key, val)
        {
          gboolean found = FALSE;

          if (g_str_equal (key, "hlc") || g_str_equal (key, "updated_by"))
            continue;
          stmt = prepare (db, "SELECT local_value FROM conflict WHERE entity = ?1 AND entity_id = ?2 AND field = ?3");
          sqlite3_bind_text (stmt, 1, s->entity, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (stmt, 2, s->id, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (stmt, 3, key, -1, SQLITE_TRANSIENT);
          while (!found && sqlite3_step (stmt) == SQLITE_ROW)
            {
              json_object *have = json_tokener_parse (sqlite3_column_type (stmt, 0) == SQLITE_NULL
                                                      ? "null" : (const char *) sqlite3_column_text (stmt, 0));

              found = (have == NULL && val == NULL) || json_object_equal (have, val);
              json_object_put (have);
            }
          sqlite3_finalize (stmt);
          if (!found)
            violation (o, "refused-kept", "%c: the hub refused %s %s %s (seq %" G_GINT64_FORMAT ") and its %s is not in the conflicts",
                       r->letter, s->op, s->entity, s->id, s->seq, key);
        }
    }
  json_object_put (fields);
  sqlite3_close (db);
}

/* Whether the outbox row of @s carries its field: an edit that sets a
 * field to the value it already has (a number drawn again) writes nothing
 * of it, and nothing of it is due at the hub. */
static gboolean
save_wrote_field (Oracle      *o,
                  JzChaosSave *s)
{
  JzChaosReplica *r = replica_of (o, s->station, s->epoch);
  sqlite3 *db = r ? open_ro (r->db_path) : NULL;
  sqlite3_stmt *stmt;
  gboolean wrote = TRUE;

  if (db == NULL)
    return TRUE;
  stmt = prepare (db, "SELECT json_type (fields_json, '$.' || ?2) IS NOT NULL FROM outbox WHERE seq = ?1");
  sqlite3_bind_int64 (stmt, 1, s->seq);
  sqlite3_bind_text (stmt, 2, s->field, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    wrote = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return wrote;
}

/* Every save that returned is at the hub once, and an edit's value got
 * there (as what took effect, or as a loss). */
static void
check_saves (Oracle *o)
{
  sqlite3_stmt *stmt = prepare (o->hub,
                                "SELECT count (*), min (entity), min (entity_id), min (op), min (fields_json), min (lost_json)"
                                " FROM change WHERE station = ?1 AND epoch = ?2 AND seq = ?3");

  for (guint i = 0; i < o->w->saves->len; i++)
    {
      JzChaosSave *s = o->w->saves->pdata[i];
      gint64 n;

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, s->station, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, s->epoch, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, s->seq);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        continue;
      n = sqlite3_column_int64 (stmt, 0);
      if (n != 1)
        {
          violation (o, "save-at-hub", "%s %s %s (%s/%s/%" G_GINT64_FORMAT ", round %u) is at the hub %" G_GINT64_FORMAT " times",
                     s->op, s->entity, s->id, s->station, s->epoch, s->seq, s->round, n);
          continue;
        }
      if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 3), "void") == 0 &&
          g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), s->entity) == 0 &&
          g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), s->id) == 0)
        {
          /* The hub refused it (outside the station's rights): its place
           * in the stream is void, and its values must be kept as
           * conflicts at the station for a person to see. */
          check_refused_kept (o, s);
          continue;
        }
      if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), s->entity) != 0 ||
          g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), s->id) != 0 ||
          g_strcmp0 ((const char *) sqlite3_column_text (stmt, 3), s->op) != 0)
        {
          violation (o, "save-at-hub", "%s/%s/%" G_GINT64_FORMAT " was %s %s %s but the hub has %s %s %s",
                     s->station, s->epoch, s->seq, s->op, s->entity, s->id, sqlite3_column_text (stmt, 3),
                     sqlite3_column_text (stmt, 1), sqlite3_column_text (stmt, 2));
          continue;
        }
      if (s->field != NULL)
        {
          json_object *fields = json_tokener_parse ((const char *) sqlite3_column_text (stmt, 4));
          json_object *lost = sqlite3_column_type (stmt, 5) == SQLITE_NULL
                            ? NULL : json_tokener_parse ((const char *) sqlite3_column_text (stmt, 5));
          json_object *v = NULL;
          gboolean found = FALSE;

          if (fields != NULL && json_object_object_get_ex (fields, s->field, &v))
            {
              g_autofree char *canon = jz_chaos_canon_json (v);

              found = g_str_equal (canon, s->value);
            }
          for (gsize k = 0; !found && lost != NULL && k < json_object_array_length (lost); k++)
            {
              json_object *l = json_object_array_get_idx (lost, k);
              json_object *f = NULL;

              if (json_object_object_get_ex (l, "field", &f) && g_str_equal (json_object_get_string (f), s->field) &&
                  json_object_object_get_ex (l, "value", &v))
                {
                  g_autofree char *canon = jz_chaos_canon_json (v);

                  found = g_str_equal (canon, s->value);
                }
            }
          if (!found && save_wrote_field (o, s))
            violation (o, "edit-reached-hub", "%s.%s = %s of %s (%s/%" G_GINT64_FORMAT ", round %u) is neither applied nor lost at the hub",
                       s->entity, s->field, s->value, s->id, s->station, s->seq, s->round);
          json_object_put (fields);
          json_object_put (lost);
        }
    }
  sqlite3_finalize (stmt);
}

/* The hub's records are exactly those the saves created. */
static void
check_records (Oracle *o)
{
  g_autoptr(GHashTable) created = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *stmt;

  stmt = prepare (o->hub, "SELECT count (*) FROM change WHERE station = ?1 AND epoch = ?2 AND seq = ?3 AND op = 'void'");
  for (guint i = 0; i < o->w->saves->len; i++)
    {
      JzChaosSave *s = o->w->saves->pdata[i];
      gboolean voided;

      if (!g_str_equal (s->op, "insert"))
        continue;
      /* An insert the hub refused (void) creates nothing there. */
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, s->station, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, s->epoch, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, s->seq);
      voided = sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int64 (stmt, 0) > 0;
      if (!voided)
        g_hash_table_add (created, g_strconcat (s->entity, "/", s->id, NULL));
    }
  sqlite3_finalize (stmt);
  /* Conflicts are created by the sync itself, not by a save. */
  stmt = prepare (o->hub, "SELECT entity, id, owner FROM record WHERE entity <> 'conflict'");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *key = g_strconcat ((const char *) sqlite3_column_text (stmt, 0), "/",
                                          (const char *) sqlite3_column_text (stmt, 1), NULL);

      if (!g_hash_table_remove (created, key))
        violation (o, "records", "the hub has %s (owner %s) that no save created", key, sqlite3_column_text (stmt, 2));
    }
  sqlite3_finalize (stmt);
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, created);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      violation (o, "records", "%s was created by a save but the hub does not have it", (char *) key);
  }
  stmt = prepare (o->hub,
                  "SELECT json_extract (" HUB_FIELDS ", '$.number') AS n, count (*) FROM record r"
                  " WHERE r.entity = 'episode' GROUP BY n HAVING count (*) > 1");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    violation (o, "records", "episode number %s is used by %" G_GINT64_FORMAT " episodes",
               sqlite3_column_text (stmt, 0), (gint64) sqlite3_column_int64 (stmt, 1));
  sqlite3_finalize (stmt);
}

/* Digests */

typedef struct
{
  char *id;
  char *line;    /* "field=value|…" */
} Row;

static void
row_free (gpointer data)
{
  Row *r = data;

  g_free (r->id);
  g_free (r->line);
  g_free (r);
}

static int
row_cmp (gconstpointer a,
         gconstpointer b)
{
  return strcmp ((*(Row **) a)->id, (*(Row **) b)->id);
}

static GPtrArray *
columns_of (const JzEntity *entity,
            gboolean        projected)
{
  GPtrArray *cols = g_ptr_array_new ();

  if (projected)
    {
      for (guint i = 0; registry_fields[i] != NULL; i++)
        g_ptr_array_add (cols, (gpointer) registry_fields[i]);
      return cols;
    }
  /* id is the key and hlc a version, not data. */
  g_ptr_array_add (cols, (gpointer) "station");
  g_ptr_array_add (cols, (gpointer) "updated_by");
  g_ptr_array_add (cols, (gpointer) "deleted");
  for (guint i = 0; i < entity->n_fields; i++)
    g_ptr_array_add (cols, (gpointer) entity->fields[i].name);
  return cols;
}

static char *
digest_of (GPtrArray *rows)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint i = 0; i < rows->len; i++)
    {
      Row *r = rows->pdata[i];

      g_checksum_update (sum, (const guchar *) r->id, -1);
      g_checksum_update (sum, (const guchar *) "|", 1);
      g_checksum_update (sum, (const guchar *) r->line, -1);
      g_checksum_update (sum, (const guchar *) "\n", 1);
    }
  return g_strdup (g_checksum_get_string (sum));
}

/* The first field where two lines differ, for the report. */
static char *
first_difference (const char *hub,
                  const char *replica)
{
  g_auto(GStrv) a = g_strsplit (hub, "|", -1);
  g_auto(GStrv) b = g_strsplit (replica, "|", -1);

  for (guint i = 0; a[i] != NULL && b[i] != NULL; i++)
    if (!g_str_equal (a[i], b[i]))
      return g_strdup_printf ("hub %s, replica %s", a[i], b[i]);
  return g_strdup ("(lines differ in length)");
}

static void
check_digests (Oracle         *o,
               JzChaosReplica *r,
               sqlite3        *db)
{
  guint n_entities;
  const JzEntity * const *entities = jz_schema_entities (&n_entities);

  for (guint e = 0; e < n_entities; e++)
    {
      const JzEntity *entity = entities[e];
      g_autoptr(GPtrArray) hub_rows = g_ptr_array_new_with_free_func (row_free);
      g_autoptr(GPtrArray) rep_rows = g_ptr_array_new_with_free_func (row_free);
      g_autoptr(GHashTable) projected = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GPtrArray) full_cols = NULL;
      g_autoptr(GPtrArray) proj_cols = NULL;
      g_autoptr(GString) sql = g_string_new ("SELECT id");
      g_autofree char *hub_digest = NULL;
      g_autofree char *rep_digest = NULL;
      sqlite3_stmt *stmt;

      if (!(entity->flags & JZ_ENTITY_SYNCED))
        continue;
      full_cols = columns_of (entity, FALSE);
      proj_cols = columns_of (entity, TRUE);

      /* The hub's side: what this replica's scope holds. */
      stmt = prepare (o->hub, "SELECT r.id, r.owner, " HUB_FIELDS " FROM record r WHERE r.entity = ?1 ORDER BY r.id");
      sqlite3_bind_text (stmt, 1, entity->name, -1, SQLITE_STATIC);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *id = (const char *) sqlite3_column_text (stmt, 0);
          const char *owner = (const char *) sqlite3_column_text (stmt, 1);
          g_autofree char *vkey = g_strconcat (entity->name, "/", id, "/", r->station, NULL);
          gboolean full = r->hub_level || g_strcmp0 (owner, r->station) == 0 ||
                          g_hash_table_contains (o->visibility, vkey);
          json_object *fields;
          GPtrArray *cols;
          GString *line;
          Row *row;

          if (!full && !g_str_equal (entity->name, "person"))
            continue;
          fields = sqlite3_column_type (stmt, 2) == SQLITE_NULL
                 ? NULL : json_tokener_parse ((const char *) sqlite3_column_text (stmt, 2));
          if (fields == NULL)
            violation (o, "hub-check", "the hub's %s %s has no readable fields", entity->name, id);
          cols = full ? full_cols : proj_cols;
          line = g_string_new (NULL);
          for (guint c = 0; c < cols->len; c++)
            {
              json_object *v = NULL;
              g_autofree char *canon = NULL;

              json_object_object_get_ex (fields, cols->pdata[c], &v);
              canon = jz_chaos_canon_json (v);
              /* deleted is 0 unless said otherwise. */
              if (g_str_equal (cols->pdata[c], "deleted") && v == NULL)
                {
                  g_free (canon);
                  canon = g_strdup ("i:0");
                }
              g_string_append_printf (line, "%s%s=%s", c ? "|" : "", (char *) cols->pdata[c], canon);
            }
          json_object_put (fields);
          row = g_new0 (Row, 1);
          row->id = g_strdup (id);
          row->line = g_string_free (line, FALSE);
          g_ptr_array_add (hub_rows, row);
          if (!full)
            g_hash_table_add (projected, row->id);
        }
      sqlite3_finalize (stmt);

      /* The replica's side. Identifiers from the schema's fixed lists. */
      for (guint c = 0; c < full_cols->len; c++)
        g_string_append_printf (sql, ", %s", (char *) full_cols->pdata[c]);
      g_string_append_printf (sql, " FROM %s ORDER BY id", entity->name);
      stmt = prepare (db, sql->str);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *id = (const char *) sqlite3_column_text (stmt, 0);
          gboolean proj = g_hash_table_contains (projected, id);
          GPtrArray *cols = proj ? proj_cols : full_cols;
          GString *line = g_string_new (NULL);
          Row *row;

          for (guint c = 0; c < cols->len; c++)
            {
              int col = 1;
              g_autofree char *canon = NULL;

              while (!g_str_equal (full_cols->pdata[col - 1], cols->pdata[c]))
                col++;
              canon = jz_chaos_canon_column (stmt, col);
              g_string_append_printf (line, "%s%s=%s", c ? "|" : "", (char *) cols->pdata[c], canon);
            }
          row = g_new0 (Row, 1);
          row->id = g_strdup (id);
          row->line = g_string_free (line, FALSE);
          g_ptr_array_add (rep_rows, row);
        }
      sqlite3_finalize (stmt);

      g_ptr_array_sort (hub_rows, row_cmp);
      g_ptr_array_sort (rep_rows, row_cmp);
      hub_digest = digest_of (hub_rows);
      rep_digest = digest_of (rep_rows);
      if (g_str_equal (hub_digest, rep_digest))
        continue;

      /* Say where they differ. */
      {
        guint i = 0, j = 0, shown = 0;
        g_autoptr(GString) what = g_string_new (NULL);

        while ((i < hub_rows->len || j < rep_rows->len) && shown < 3)
          {
            Row *a = i < hub_rows->len ? hub_rows->pdata[i] : NULL;
            Row *b = j < rep_rows->len ? rep_rows->pdata[j] : NULL;
            int cmp = a == NULL ? 1 : b == NULL ? -1 : strcmp (a->id, b->id);

            if (cmp < 0)
              {
                g_string_append_printf (what, "; %s missing at the replica", a->id);
                shown++;
                i++;
              }
            else if (cmp > 0)
              {
                g_string_append_printf (what, "; %s at the replica but not in its scope at the hub", b->id);
                shown++;
                j++;
              }
            else
              {
                if (!g_str_equal (a->line, b->line))
                  {
                    g_autofree char *diff = first_difference (a->line, b->line);

                    g_string_append_printf (what, "; %s: %s", a->id, diff);
                    shown++;
                  }
                i++;
                j++;
              }
          }
        violation (o, "digest", "%c %s: hub %u rows %.12s…, replica %u rows %.12s…%s", r->letter, entity->name,
                   hub_rows->len, hub_digest, rep_rows->len, rep_digest, what->str);
      }
    }
}

/* Every loss at the hub is a conflict row at the losing station. */
static void
check_conflicts (Oracle *o)
{
  sqlite3_stmt *stmt = prepare (o->hub,
                                "SELECT entity, entity_id, field, loser_station, loser_value, winner_station, hub_seq"
                                " FROM conflict ORDER BY id");

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *entity = (const char *) sqlite3_column_text (stmt, 0);
      const char *id = (const char *) sqlite3_column_text (stmt, 1);
      const char *field = (const char *) sqlite3_column_text (stmt, 2);
      const char *loser = (const char *) sqlite3_column_text (stmt, 3);
      const char *value = (const char *) sqlite3_column_text (stmt, 4);
      json_object *want = json_tokener_parse (value ? value : "null");

      for (guint i = 0; i < JZ_CHAOS_N_REPLICAS; i++)
        {
          JzChaosReplica *r = o->w->replicas[i];
          sqlite3 *db;
          sqlite3_stmt *q;
          gboolean found = FALSE;

          if (!g_str_equal (r->station, loser))
            continue;
          db = open_ro (r->db_path);
          if (db == NULL)
            continue;
          q = prepare (db, "SELECT local_value FROM conflict WHERE entity = ?1 AND entity_id = ?2 AND field = ?3");
          sqlite3_bind_text (q, 1, entity, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (q, 2, id, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (q, 3, field, -1, SQLITE_TRANSIENT);
          while (!found && sqlite3_step (q) == SQLITE_ROW)
            {
              json_object *have = json_tokener_parse (sqlite3_column_type (q, 0) == SQLITE_NULL
                                                      ? "null" : (const char *) sqlite3_column_text (q, 0));

              found = (have == NULL && want == NULL) || json_object_equal (have, want);
              json_object_put (have);
            }
          sqlite3_finalize (q);
          sqlite3_close (db);
          if (!found)
            violation (o, "conflict-kept", "%c: %s %s %s lost %s to %s at hub_seq %" G_GINT64_FORMAT
                       " but is not in its conflicts", r->letter, entity, id, field, value ? value : "null",
                       sqlite3_column_text (stmt, 5), (gint64) sqlite3_column_int64 (stmt, 6));
        }
      json_object_put (want);
    }
  sqlite3_finalize (stmt);
}

/* In hub order, a value is replaced by a change that was not based on it
 * (base_rev older than the value's hlc) only with a loss recorded. The
 * station field moves with explicit transfers and append-only tables never
 * conflict, by design; neither is checked. */
typedef struct
{
  char   *value;
  gint64  hlc;
} FieldState;

static void
field_state_free (gpointer data)
{
  FieldState *f = data;

  g_free (f->value);
  g_free (f);
}

static void
check_history (Oracle *o)
{
  g_autoptr(GHashTable) records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) g_hash_table_unref);
  sqlite3_stmt *stmt = prepare (o->hub,
                                "SELECT hub_seq, entity, entity_id, op, base_rev, hlc, fields_json, lost_json, station, epoch"
                                " FROM change ORDER BY hub_seq");

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 hub_seq = sqlite3_column_int64 (stmt, 0);
      const char *entity_name = (const char *) sqlite3_column_text (stmt, 1);
      const char *id = (const char *) sqlite3_column_text (stmt, 2);
      gint64 base_rev = sqlite3_column_int64 (stmt, 4);
      gint64 hlc = sqlite3_column_int64 (stmt, 5);
      const JzEntity *entity = jz_schema_lookup (entity_name);
      g_autofree char *key = g_strconcat (entity_name, "/", id, NULL);
      GHashTable *fields_state = g_hash_table_lookup (records, key);
      json_object *fields = json_tokener_parse ((const char *) sqlite3_column_text (stmt, 6));
      json_object *lost = sqlite3_column_type (stmt, 7) == SQLITE_NULL
                        ? NULL : json_tokener_parse ((const char *) sqlite3_column_text (stmt, 7));
      gboolean fresh = fields_state == NULL;

      /* A snapshot the hub sends with a transfer restates the record; it
       * writes nothing (the hub's field tags stay the writers'). */
      if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 9), o->incarnation) == 0)
        {
          json_object_put (fields);
          json_object_put (lost);
          continue;
        }
      if (fresh)
        {
          fields_state = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, field_state_free);
          g_hash_table_insert (records, g_strdup (key), fields_state);
        }
      if (fields != NULL)
        {
          json_object_object_foreach (fields, name, v)
            {
              FieldState *prev = g_hash_table_lookup (fields_state, name);
              g_autofree char *canon = jz_chaos_canon_json (v);
              gboolean checked = !fresh && entity != NULL && !(entity->flags & JZ_ENTITY_APPEND_ONLY) &&
                                 !g_str_equal (name, "station") && !g_str_equal (name, "hlc");

              if (checked && prev != NULL && !g_str_equal (prev->value, canon) && base_rev < prev->hlc)
                {
                  gboolean recorded = FALSE;

                  for (gsize k = 0; lost != NULL && k < json_object_array_length (lost); k++)
                    {
                      json_object *l = json_object_array_get_idx (lost, k);
                      json_object *f = NULL;
                      json_object *lv = NULL;

                      if (json_object_object_get_ex (l, "field", &f) && g_str_equal (json_object_get_string (f), name))
                        {
                          g_autofree char *lc = NULL;

                          json_object_object_get_ex (l, "value", &lv);
                          lc = jz_chaos_canon_json (lv);
                          recorded |= g_str_equal (lc, prev->value);
                        }
                    }
                  if (!recorded)
                    violation (o, "no-silent-overwrite",
                               "hub_seq %" G_GINT64_FORMAT " (%s, base %" G_GINT64_FORMAT ") replaced %s.%s of %s = %s"
                               " (hlc %" G_GINT64_FORMAT ") by %s with no conflict recorded",
                               hub_seq, sqlite3_column_text (stmt, 8), base_rev, entity_name, name, id,
                               prev->value, prev->hlc, canon);
                }
              if (prev == NULL)
                {
                  prev = g_new0 (FieldState, 1);
                  g_hash_table_insert (fields_state, g_strdup (name), prev);
                }
              g_free (prev->value);
              prev->value = g_steal_pointer (&canon);
              prev->hlc = hlc;
            }
        }
      json_object_put (fields);
      json_object_put (lost);
    }
  sqlite3_finalize (stmt);
}

/* Causality, which the hub can only guess from clocks (base_rev against
 * the hlc of a field's last writer): the harness knows what each writer
 * had pulled when it saved (its cursor). In hub order, a value replaced by
 * a save whose writer had not seen it (a later hub_seq than its cursor,
 * not its own) must be recorded as a loss. Not checked once the hub was
 * restored from a backup (hub_seqs were given out again). */
typedef struct
{
  gint64  hub_seq;
  char   *stream;    /* "station/epoch" */
  gint64  seq;
  char   *value;
} Writer;

static void
writer_free (gpointer data)
{
  Writer *wr = data;

  g_free (wr->stream);
  g_free (wr->value);
  g_free (wr);
}

static void
check_causality (Oracle *o)
{
  g_autoptr(GHashTable) saves = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) writers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, writer_free);
  sqlite3_stmt *stmt;

  if (o->w->stats.hub_restores > 0)
    return;
  for (guint i = 0; i < o->w->saves->len; i++)
    {
      JzChaosSave *s = o->w->saves->pdata[i];

      g_hash_table_insert (saves, g_strdup_printf ("%s/%s/%" G_GINT64_FORMAT, s->station, s->epoch, s->seq), s);
    }

  stmt = prepare (o->hub,
                  "SELECT hub_seq, station, epoch, seq, entity, entity_id, fields_json, lost_json"
                  " FROM change ORDER BY hub_seq");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 hub_seq = sqlite3_column_int64 (stmt, 0);
      const char *station = (const char *) sqlite3_column_text (stmt, 1);
      const char *epoch = (const char *) sqlite3_column_text (stmt, 2);
      gint64 seq = sqlite3_column_int64 (stmt, 3);
      const char *entity_name = (const char *) sqlite3_column_text (stmt, 4);
      const char *id = (const char *) sqlite3_column_text (stmt, 5);
      const JzEntity *entity = jz_schema_lookup (entity_name);
      g_autofree char *stream = g_strconcat (station, "/", epoch, NULL);
      g_autofree char *key = g_strdup_printf ("%s/%" G_GINT64_FORMAT, stream, seq);
      JzChaosSave *save = g_hash_table_lookup (saves, key);
      json_object *fields;
      json_object *lost;

      /* The hub's own snapshots restate a record; they write nothing. */
      if (g_strcmp0 (epoch, o->incarnation) == 0)
        continue;
      fields = json_tokener_parse ((const char *) sqlite3_column_text (stmt, 6));
      lost = sqlite3_column_type (stmt, 7) == SQLITE_NULL
           ? NULL : json_tokener_parse ((const char *) sqlite3_column_text (stmt, 7));
      if (fields != NULL)
        {
          json_object_object_foreach (fields, name, v)
            {
              g_autofree char *fkey = g_strconcat (entity_name, "/", id, "/", name, NULL);
              g_autofree char *canon = jz_chaos_canon_json (v);
              Writer *prev = g_hash_table_lookup (writers, fkey);
              gboolean checked = save != NULL && prev != NULL && entity != NULL &&
                                 !(entity->flags & JZ_ENTITY_APPEND_ONLY) &&
                                 !g_str_equal (name, "station") && !g_str_equal (name, "hlc") &&
                                 !g_str_equal (prev->value, canon);

              if (checked)
                {
                  gboolean seen = prev->hub_seq <= save->cursor ||
                                  (g_str_equal (prev->stream, stream) && prev->seq < seq);
                  gboolean recorded = FALSE;

                  for (gsize k = 0; !seen && lost != NULL && k < json_object_array_length (lost); k++)
                    {
                      json_object *l = json_object_array_get_idx (lost, k);
                      json_object *f = NULL;
                      json_object *lv = NULL;

                      if (json_object_object_get_ex (l, "field", &f) && g_str_equal (json_object_get_string (f), name))
                        {
                          g_autofree char *lc = NULL;

                          json_object_object_get_ex (l, "value", &lv);
                          lc = jz_chaos_canon_json (lv);
                          recorded |= g_str_equal (lc, prev->value);
                        }
                    }
                  if (!seen && !recorded)
                    violation (o, "no-unseen-overwrite",
                               "hub_seq %" G_GINT64_FORMAT ": %s's save (seq %" G_GINT64_FORMAT ", made having pulled up to %"
                               G_GINT64_FORMAT ") replaced %s.%s of %s = %s, written at hub_seq %" G_GINT64_FORMAT
                               " which it had not seen, by %s with no conflict recorded",
                               hub_seq, station, seq, save->cursor, entity_name, name, id, prev->value, prev->hub_seq,
                               canon);
                }
              if (prev == NULL)
                {
                  prev = g_new0 (Writer, 1);
                  g_hash_table_insert (writers, g_steal_pointer (&fkey), prev);
                }
              g_free (prev->stream);
              g_free (prev->value);
              prev->hub_seq = hub_seq;
              prev->stream = g_strdup (stream);
              prev->seq = seq;
              prev->value = g_steal_pointer (&canon);
            }
        }
      json_object_put (fields);
      json_object_put (lost);
    }
  sqlite3_finalize (stmt);
}

static void
check_programs (Oracle *o)
{
  JzChaosWorld *w = o->w;
  const char *hub_argv[] = { jz_chaos_program ("jiuzhu-hub"), "--db", w->hub_db, "check", NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;

  if (!jz_chaos_run_program (w, NULL, hub_argv, &out, &status, &error))
    violation (o, "hub-check", "cannot run: %s", error->message);
  else if (status != 0)
    violation (o, "hub-check", "exit %d: %s", status, out);

  for (guint i = 0; i < JZ_CHAOS_N_REPLICAS; i++)
    {
      JzChaosReplica *r = w->replicas[i];
      const char *argv[] = { jz_chaos_program ("jiuzhu-cli"), "--profile", r->profile, "check", NULL };

      g_clear_pointer (&out, g_free);
      g_clear_error (&error);
      if (!jz_chaos_run_program (w, r, argv, &out, &status, &error))
        violation (o, "replica-check", "%c: cannot run: %s", r->letter, error->message);
      else if (status != 0)
        violation (o, "replica-check", "%c: exit %d: %s", r->letter, status, out);
    }
}

guint
jz_chaos_oracle_check (JzChaosWorld *w,
                       gboolean      full,
                       GString      *report)
{
  Oracle o = { 0 };
  sqlite3_stmt *stmt;

  o.w = w;
  o.report = report;
  o.counts = g_hash_table_new (g_str_hash, g_str_equal);
  o.visibility = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  o.hub = open_ro (w->hub_db);
  if (o.hub == NULL)
    {
      violation (&o, "hub-check", "cannot open the hub's store %s", w->hub_db);
      goto out;
    }
  /* One read transaction: a consistent view while the hub runs. */
  sqlite3_exec (o.hub, "BEGIN", NULL, NULL, NULL);
  o.incarnation = query_text (o.hub, "SELECT value FROM hub_meta WHERE key = 'incarnation'", NULL);
  o.max_hub_seq = query_int (o.hub, "SELECT coalesce (max (hub_seq), 0) FROM change", NULL, NULL);
  stmt = prepare (o.hub, "SELECT entity || '/' || id || '/' || station FROM visibility");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_hash_table_add (o.visibility, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  check_streams (&o);
  check_saves (&o);
  check_records (&o);
  for (guint i = 0; i < JZ_CHAOS_N_REPLICAS; i++)
    {
      JzChaosReplica *r = w->replicas[i];
      sqlite3 *db = open_ro (r->db_path);

      if (db == NULL)
        {
          violation (&o, "digest", "%c: cannot open %s", r->letter, r->db_path);
          continue;
        }
      sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
      check_replica_state (&o, r, db);
      check_digests (&o, r, db);
      sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
      sqlite3_close (db);
    }
  check_conflicts (&o);
  check_history (&o);
  check_causality (&o);
  sqlite3_exec (o.hub, "COMMIT", NULL, NULL, NULL);
  if (full)
    check_programs (&o);

out:
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, o.counts);
    while (g_hash_table_iter_next (&iter, &key, &value))
      if (GPOINTER_TO_UINT (value) > MAX_LINES)
        g_string_append_printf (report, "%s: … %u violations in all\n", (char *) key, GPOINTER_TO_UINT (value));
  }
  if (o.hub != NULL)
    sqlite3_close (o.hub);
  g_hash_table_unref (o.counts);
  g_hash_table_unref (o.visibility);
  g_free (o.incarnation);
  return o.failures;
}
