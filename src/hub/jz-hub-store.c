/* jz-hub-store.c: the regional hub's SQLite store
 *
 * The hub keeps every change it has committed (table change, numbered by
 * hub_seq in commit order), the merged current state of every record
 * (table record, with a version tag per field so that a field changed on
 * both sides can be decided), the high-water mark of each replica's stream
 * (table mark), devices and their hashed tokens, blobs, and the regional
 * person registry with its links.
 *
 * A push is applied in one transaction that either commits whole or
 * changes nothing; the reply is sent only after the commit, with
 * synchronous=FULL, so an acknowledged change is on disk.
 *
 * Merge (DESIGN.md, "Sync"): a field whose stored tag is not newer than
 * the change's base revision was seen by the writer, and the change simply
 * wins. Otherwise both sides changed it: the higher (authority, hlc,
 * station) wins and the other value is kept as a loss, both in the hub's
 * conflict table and in the change as served to replicas, which keep it in
 * their conflicts table. Replicas apply the hub's decisions in hub order,
 * so every replica ends where the hub is.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-hub"

#include <errno.h>
#include <nettle/sha2.h>
#include <string.h>
#include <sys/random.h>

#include "jz-core.h"
#include "jz-hlc.h"
#include "jz-hub-store.h"
#include "jz-idcard.h"
#include "jz-schema.h"
#include "jz-uuid.h"

/* 2: person_key is a rowid table with an index on the number alone
 * (migrate_person_key). */
#define SCHEMA_VERSION 2
/* A county device's pull looks at this many changes at most per request,
 * so that a request stays short even when little of it is in scope. */
#define PULL_SCAN_LIMIT 20000
/* A clock more than a day ahead of the hub is clamped (DESIGN.md). */
#define MAX_CLOCK_AHEAD_MS (24 * 3600 * 1000)
#define ENROL_CODE_HOURS 72
/* A push's change rows are written this many to an INSERT at most
 * (flush_changes); sizes are powers of two, each a statement. */
#define CHANGE_ROWS_LOG 6
#define CHANGE_ROWS_MAX (1 << CHANGE_ROWS_LOG)
#define CHANGE_COLUMNS  16

/* A change row not written yet. Its texts are copied into the store's
 * pending_text (offsets; -1 for NULL), since callers reuse their buffers. */
typedef struct
{
  gint64  hub_seq;      /* 0: AUTOINCREMENT's (outside a push) */
  gint64  seq;
  gint64  base_rev;
  gint64  hlc;
  gint64  received_at;
  int     auth;
  gssize  station;
  gssize  epoch;
  gssize  entity;
  gssize  id;
  gssize  op;
  gssize  scope;
  gssize  fields;
  gssize  lost;
  gssize  device;
  char    chain[33];
} PendingChange;

struct _JzHubStore
{
  GObject     parent_instance;

  char       *path;
  sqlite3    *db;
  GHashTable *statements;
  char       *incarnation;
  GHashTable *fields;       /* JzEntity → (column → JzField), for the checks */
  GHashTable *stations;     /* registered station codes → "county"/"hub" */
  char        chain[33];    /* the chain value of the newest change */
  char        prev_chain[33];
  /* Reused by each lean insert or update (one at a time: the store has
   * one thread). */
  GArray     *scratch_members;
  GArray     *scratch_incoming;      /* update_lean's */
  GArray     *scratch_tag_members;   /* update_lean's (TagMember) */
  GString    *scratch_text;
  GString    *scratch_tags;
  /* Every ID number in person_key (and maybe a few more): a Bloom filter
   * that lets a push skip the link query for a number the registry has
   * not got, which is nearly every one. NULL until a push builds it from
   * the table; rebuilt when another connection has written the store
   * (numbers_version, PRAGMA data_version). */
  guint64    *numbers;
  guint64     numbers_mask;  /* bits - 1 */
  guint       numbers_count;
  gint64      numbers_version;
  /* A push numbers its change rows itself (next_hub_seq, 0 outside a
   * push) and writes those of lean inserts and updates many to a
   * statement: per statement, not per row, SQLite then pays its
   * statement setup and AUTOINCREMENT's read and write of
   * sqlite_sequence. Rows wait in pending until a statement's worth has
   * come, or until something reads the change table (flush_changes). */
  gint64      next_hub_seq;
  GArray     *pending;          /* PendingChange */
  GString    *pending_text;
  gboolean    pending_insert;   /* an insert's row waits: a record's fields until it is merged */
  gboolean    pending_failed;   /* a flush failed: the push must not commit */
  char       *change_sql[CHANGE_ROWS_LOG + 1];
};

G_DEFINE_FINAL_TYPE (JzHubStore, jz_hub_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (jz-hub-error-quark, jz_hub_error)

/* The registry's keys: a valid ID number and the person carrying it.
 * Rows are appended (rowid order); the index on the number alone is
 * small, since its pages are the ones a push of new persons writes at
 * random: schema 1 kept the keys in a WITHOUT ROWID table keyed by
 * (id_number, person_id), about 70 bytes an entry against about 26, and
 * a push rewrote nearly every page of it. */
#define PERSON_KEY_SQL(table) \
  "CREATE TABLE " table " (\n" \
  "  id_number  TEXT NOT NULL,\n" \
  "  person_id  TEXT NOT NULL,\n" \
  "  station    TEXT NOT NULL\n" \
  ") STRICT;\n"
#define PERSON_KEY_INDEX_SQL \
  "CREATE INDEX person_key_number ON person_key (id_number);\n" \
  "CREATE INDEX person_key_person ON person_key (person_id);\n"

static const char schema_sql[] =
  "CREATE TABLE hub_meta (\n"
  "  key    TEXT PRIMARY KEY NOT NULL,\n"
  "  value  TEXT NOT NULL\n"
  ") STRICT;\n"
  "CREATE TABLE station (\n"
  "  code        TEXT PRIMARY KEY NOT NULL,\n"
  "  name        TEXT NOT NULL,\n"
  "  level       TEXT NOT NULL CHECK (level IN ('county', 'hub')),\n"
  "  created_at  INTEGER NOT NULL\n"
  ") STRICT;\n"
  /* code_hash and token_hash: SHA-256 hex; the secrets themselves are
   * shown once and never stored. */
  "CREATE TABLE device (\n"
  "  id               TEXT PRIMARY KEY NOT NULL,\n"
  "  station          TEXT NOT NULL REFERENCES station (code),\n"
  "  label            TEXT,\n"
  "  code_hash        TEXT UNIQUE,\n"
  "  code_expires_at  INTEGER,\n"
  "  token_hash       TEXT UNIQUE,\n"
  "  epoch            TEXT,\n"
  "  created_at       INTEGER NOT NULL,\n"
  "  enrolled_at      INTEGER,\n"
  "  revoked_at       INTEGER,\n"
  "  last_seen_at     INTEGER\n"
  ") STRICT;\n"
  "CREATE TABLE mark (\n"
  "  station    TEXT NOT NULL,\n"
  "  epoch      TEXT NOT NULL,\n"
  "  first_seq  INTEGER NOT NULL,\n"
  "  high_seq   INTEGER NOT NULL,\n"
  "  PRIMARY KEY (station, epoch)\n"
  ") STRICT, WITHOUT ROWID;\n"
  /* scope: the owning station when committed; fields_json: the values
   * that took effect; lost_json: the values that lost (JSON array);
   * chain: a hash of this change and the chain before it, so that a
   * replica's cursor names the whole history it has seen (a hub restored
   * from an older backup cannot pass for the one it replaced). */
  "CREATE TABLE change (\n"
  "  hub_seq      INTEGER PRIMARY KEY AUTOINCREMENT,\n"
  "  station      TEXT NOT NULL,\n"
  "  epoch        TEXT NOT NULL,\n"
  "  seq          INTEGER NOT NULL,\n"
  "  entity       TEXT NOT NULL,\n"
  "  entity_id    TEXT NOT NULL,\n"
  "  op           TEXT NOT NULL,\n"
  "  base_rev     INTEGER NOT NULL,\n"
  "  hlc          INTEGER NOT NULL,\n"
  "  auth         INTEGER NOT NULL,\n"
  "  scope        TEXT NOT NULL,\n"
  "  fields_json  TEXT NOT NULL,\n"
  "  lost_json    TEXT,\n"
  "  device       TEXT,\n"
  "  received_at  INTEGER NOT NULL,\n"
  "  chain        TEXT NOT NULL\n"
  ") STRICT;\n"
  /* tags_json: {"*": [hlc, station, auth], "field": [...]}: who wrote
   * each field last; "*" stands for every field not listed.
   * fields_json: NULL while the fields are those of change hub_seq. */
  "CREATE TABLE record (\n"
  "  entity       TEXT NOT NULL,\n"
  "  id           TEXT NOT NULL,\n"
  "  owner        TEXT NOT NULL,\n"
  "  creator      TEXT NOT NULL,\n"
  "  parent_id    TEXT,\n"
  "  hlc          INTEGER NOT NULL,\n"
  "  deleted      INTEGER NOT NULL DEFAULT 0,\n"
  "  fields_json  TEXT,\n"
  "  tags_json    TEXT NOT NULL,\n"
  "  hub_seq      INTEGER NOT NULL,\n"
  "  PRIMARY KEY (entity, id)\n"
  ") STRICT, WITHOUT ROWID;\n"
  "CREATE INDEX record_parent ON record (parent_id) WHERE parent_id IS NOT NULL;\n"
  /* Records another station may see besides their owner's (transfers). */
  "CREATE TABLE visibility (\n"
  "  entity   TEXT NOT NULL,\n"
  "  id       TEXT NOT NULL,\n"
  "  station  TEXT NOT NULL,\n"
  "  PRIMARY KEY (entity, id, station)\n"
  ") STRICT, WITHOUT ROWID;\n"
  "CREATE INDEX visibility_station ON visibility (station);\n"
  PERSON_KEY_SQL ("person_key")
  PERSON_KEY_INDEX_SQL
  "CREATE TABLE person_link (\n"
  "  a           TEXT NOT NULL,\n"
  "  b           TEXT NOT NULL,\n"
  "  reason      TEXT NOT NULL,\n"
  "  status      TEXT NOT NULL DEFAULT 'suggested' CHECK (status IN ('suggested', 'same', 'not_same')),\n"
  "  created_at  INTEGER NOT NULL,\n"
  "  decided_by  TEXT,\n"
  "  decided_at  INTEGER,\n"
  "  PRIMARY KEY (a, b),\n"
  "  CHECK (a < b)\n"
  ") STRICT, WITHOUT ROWID;\n"
  "CREATE TABLE conflict (\n"
  "  id              INTEGER PRIMARY KEY,\n"
  "  hub_seq         INTEGER NOT NULL,\n"
  "  entity          TEXT NOT NULL,\n"
  "  entity_id       TEXT NOT NULL,\n"
  "  field           TEXT NOT NULL,\n"
  "  loser_station   TEXT NOT NULL,\n"
  "  loser_hlc       INTEGER NOT NULL,\n"
  "  loser_value     TEXT,\n"
  "  winner_station  TEXT NOT NULL,\n"
  "  winner_hlc      INTEGER NOT NULL,\n"
  "  at              INTEGER NOT NULL\n"
  ") STRICT;\n"
  "CREATE TABLE blob (\n"
  "  sha256      TEXT PRIMARY KEY NOT NULL,\n"
  "  size        INTEGER NOT NULL,\n"
  "  station     TEXT,\n"
  "  created_at  INTEGER NOT NULL,\n"
  "  data        BLOB NOT NULL\n"
  ") STRICT;\n";

/* What every station sees of another station's people: enough to notice
 * the same person (跑站), nothing about their circumstances. */
static const char * const registry_fields[] = {
  "station", "updated_by", "deleted", "name", "name_quality", "placeholder_no", "aliases", "sex",
  "birth_date", "birth_precision", "estimated_age", "estimated_on", "id_number", "hukou_region",
  NULL
};

/* The owner of a record whose station is not known yet. */
#define UNCLAIMED ""

/* A record's fields_json is NULL until it is first merged: until then they
 * are the fields of the change that created it (hub_seq), stored once. */
#define RECORD_FIELDS "coalesce (r.fields_json, rc.fields_json)"
#define RECORD_JOIN   "LEFT JOIN change rc ON r.fields_json IS NULL AND rc.hub_seq = r.hub_seq"

/* Helpers */

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
set_db_error (sqlite3  *db,
              int       rc,
              GError  **error)
{
  g_set_error (error, JZ_HUB_ERROR, JZ_HUB_ERROR_IO, "The hub's database failed: %s",
               db ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  return FALSE;
}

/* Internal failures inside a sync request are answered as 500s. */
static gboolean
set_internal (sqlite3  *db,
              GError  **error)
{
  g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_INTERNAL,
               "The hub's database failed (%s); nothing was written, try again",
               sqlite3_errmsg (db));
  return FALSE;
}

static gboolean
exec (sqlite3     *db,
      const char  *sql,
      GError     **error)
{
  char *msg = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &msg);

  if (rc != SQLITE_OK)
    {
      g_set_error (error, JZ_HUB_ERROR, JZ_HUB_ERROR_IO, "The hub's database failed: %s",
                   msg ? msg : sqlite3_errstr (rc));
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

static sqlite3_stmt *
prepare (JzHubStore  *self,
         const char  *sql)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      g_critical ("Cannot prepare a hub statement: %s", sqlite3_errmsg (self->db));
      return NULL;
    }
  g_hash_table_insert (self->statements, (gpointer) sql, stmt);
  return stmt;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           i,
           const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, i);
  else
    sqlite3_bind_text (stmt, i, text, -1, SQLITE_STATIC);   /* every caller steps and resets at once */
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           i)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, i));
}

static char *
sha256_hex (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

static void
random_bytes (guint8 *buf,
              gsize   len)
{
  gsize got = 0;

  while (got < len)
    {
      gssize n = getrandom (buf + got, len - got, 0);

      if (n < 0 && errno == EINTR)
        continue;
      g_assert (n > 0);
      got += n;
    }
}

static char *
new_token (void)
{
  guint8 raw[32];
  g_autofree char *b64 = NULL;

  random_bytes (raw, sizeof raw);
  b64 = g_base64_encode (raw, sizeof raw);
  /* base64url without padding: safe in an Authorization header. */
  for (char *p = b64; *p; p++)
    *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
  if (strchr (b64, '=') != NULL)
    *strchr (b64, '=') = '\0';
  return g_steal_pointer (&b64);
}

/* Ten characters from an alphabet without 0/O, 1/I/L, read out over the
 * phone: 31^10 ≈ 8·10^14, and the code expires. */
static char *
new_enrol_code (void)
{
  static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
  guint8 raw[10];
  GString *code = g_string_new (NULL);

  random_bytes (raw, sizeof raw);
  for (int i = 0; i < 10; i++)
    {
      if (i == 5)
        g_string_append_c (code, '-');
      g_string_append_c (code, alphabet[raw[i] % (sizeof alphabet - 1)]);
    }
  return g_string_free (code, FALSE);
}

/* Codes are compared without case, spaces or dashes. */
static char *
normalize_code (const char *code)
{
  GString *out = g_string_new (NULL);

  for (const char *p = code; *p; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (out, g_ascii_toupper (*p));
  return g_string_free (out, FALSE);
}

static const char *
json_string_field (json_object *obj,
                   const char  *key)
{
  json_object *v = NULL;

  if (obj == NULL || !json_object_object_get_ex (obj, key, &v) ||
      !json_object_is_type (v, json_type_string))
    return NULL;
  return json_object_get_string (v);
}

static const char *
to_json (json_object *obj)
{
  return json_object_to_json_string_ext (obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static gboolean
json_values_equal (json_object *a,
                   json_object *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return json_object_equal (a, b);
}

/* GObject */

static void
finalize_stmt (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
jz_hub_store_finalize (GObject *object)
{
  JzHubStore *self = (JzHubStore *) object;

  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->fields, g_hash_table_unref);
  g_clear_pointer (&self->stations, g_hash_table_unref);
  g_clear_pointer (&self->scratch_members, g_array_unref);
  g_clear_pointer (&self->scratch_incoming, g_array_unref);
  g_clear_pointer (&self->scratch_tag_members, g_array_unref);
  g_clear_pointer (&self->pending, g_array_unref);
  if (self->pending_text != NULL)
    g_string_free (self->pending_text, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (self->change_sql); i++)
    g_free (self->change_sql[i]);
  g_free (self->numbers);
  if (self->scratch_text != NULL)
    g_string_free (self->scratch_text, TRUE);
  if (self->scratch_tags != NULL)
    g_string_free (self->scratch_tags, TRUE);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_free (self->path);
  g_free (self->incarnation);

  G_OBJECT_CLASS (jz_hub_store_parent_class)->finalize (object);
}

static void
jz_hub_store_class_init (JzHubStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jz_hub_store_finalize;
}

static void
jz_hub_store_init (JzHubStore *self)
{
  self->statements = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, finalize_stmt);
  self->fields = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) g_hash_table_unref);
  self->scratch_members = g_array_sized_new (FALSE, FALSE, sizeof (JzJsonMember), 32);
  self->scratch_incoming = g_array_sized_new (FALSE, FALSE, sizeof (JzJsonMember), 16);
  self->scratch_text = g_string_sized_new (1024);
  self->scratch_tags = g_string_sized_new (128);
  self->pending = g_array_sized_new (FALSE, FALSE, sizeof (PendingChange), CHANGE_ROWS_MAX);
  self->pending_text = g_string_sized_new (CHANGE_ROWS_MAX * 1024);
}

static char *
get_meta (JzHubStore *self,
          const char *key)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT value FROM hub_meta WHERE key = ?1");
  char *value = NULL;

  bind_text (stmt, 1, key);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = column_dup (stmt, 0);
  sqlite3_reset (stmt);
  return value;
}

static int
pragma_int (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  int v = -1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

static gboolean
create_schema (JzHubStore  *self,
               GError     **error)
{
  g_autofree char *incarnation = jz_uuid_v7_new ();
  g_autofree char *set_app = g_strdup_printf ("PRAGMA application_id = %d", JZ_HUB_STORE_APPLICATION_ID);
  g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", SCHEMA_VERSION);
  g_autofree char *created = g_strdup_printf ("%" G_GINT64_FORMAT, now_s ());
  sqlite3_stmt *stmt;
  const char *pairs[][2] = { { "incarnation", incarnation }, { "created_at", created } };

  if (!exec (self->db, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!exec (self->db, set_app, error) || !exec (self->db, schema_sql, error) ||
      !exec (self->db, set_version, error))
    {
      exec (self->db, "ROLLBACK", NULL);
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      stmt = prepare (self, "INSERT INTO hub_meta (key, value) VALUES (?1, ?2)");
      bind_text (stmt, 1, pairs[i][0]);
      bind_text (stmt, 2, pairs[i][1]);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          set_db_error (self->db, 0, error);
          sqlite3_reset (stmt);
          exec (self->db, "ROLLBACK", NULL);
          return FALSE;
        }
      sqlite3_reset (stmt);
    }
  return exec (self->db, "COMMIT", error);
}

static void
load_chain (JzHubStore *self)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT chain FROM change ORDER BY hub_seq DESC LIMIT 1");

  self->chain[0] = '\0';
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    g_strlcpy (self->chain, (const char *) sqlite3_column_text (stmt, 0), sizeof self->chain);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  memcpy (self->prev_chain, self->chain, sizeof self->chain);
}

/* Schema 1 → 2: person_key rebuilt as a rowid table (PERSON_KEY_SQL),
 * its rows unchanged. In one transaction, so a store is either still 1
 * (and a failure says so) or wholly 2; the version is read again inside
 * it, since an admin command may open the store at the same time. */
static gboolean
migrate_person_key (JzHubStore  *self,
                    GError     **error)
{
  g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", SCHEMA_VERSION);

  if (!exec (self->db, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (pragma_int (self->db, "PRAGMA user_version") != 1)
    return exec (self->db, "COMMIT", error);
  if (!exec (self->db,
             PERSON_KEY_SQL ("person_key_2")
             "INSERT INTO person_key_2 (id_number, person_id, station)"
             " SELECT id_number, person_id, station FROM person_key ORDER BY person_id;\n"
             "DROP TABLE person_key;\n"
             "ALTER TABLE person_key_2 RENAME TO person_key;\n"
             PERSON_KEY_INDEX_SQL, error) ||
      !exec (self->db, set_version, error))
    {
      exec (self->db, "ROLLBACK", NULL);
      g_prefix_error (error, "Cannot upgrade the hub store to schema %d (it was left as it was): ", SCHEMA_VERSION);
      return FALSE;
    }
  return exec (self->db, "COMMIT", error);
}

JzHubStore *
jz_hub_store_open (const char  *path,
                   gboolean     create,
                   GError     **error)
{
  g_autoptr(JzHubStore) self = NULL;
  gboolean exists;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  int app_id;
  int version;

  g_return_val_if_fail (path != NULL, NULL);

  jz_sqlite_configure ();
  exists = g_file_test (path, G_FILE_TEST_EXISTS);
  if (!exists && !create)
    {
      g_set_error (error, JZ_HUB_ERROR, JZ_HUB_ERROR_NOT_FOUND,
                   "There is no hub store at %s; “jiuzhu-hub --db %s station add …” creates one",
                   path, path);
      return NULL;
    }
  if (!exists)
    flags |= SQLITE_OPEN_CREATE;

  self = g_object_new (JZ_TYPE_HUB_STORE, NULL);
  self->path = g_strdup (path);
  if (sqlite3_open_v2 (path, &self->db, flags, NULL) != SQLITE_OK)
    {
      g_set_error (error, JZ_HUB_ERROR, JZ_HUB_ERROR_IO, "Cannot open %s: %s", path,
                   self->db ? sqlite3_errmsg (self->db) : "out of memory");
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 5000);
  sqlite3_extended_result_codes (self->db, 1);

  app_id = pragma_int (self->db, "PRAGMA application_id");
  version = pragma_int (self->db, "PRAGMA user_version");
  if (app_id < 0)
    {
      g_set_error (error, JZ_HUB_ERROR, JZ_HUB_ERROR_NOT_A_HUB,
                   "%s is not a SQLite database; it was left untouched", path);
      return NULL;
    }
  if (app_id == 0 && version == 0 && pragma_int (self->db, "SELECT count(*) FROM sqlite_schema") == 0)
    {
      /* Larger pages: a push writes a few MiB, and each page is a write. */
      if (!exec (self->db, "PRAGMA page_size = 16384", error) ||
          !exec (self->db, "PRAGMA journal_mode = WAL", error) || !create_schema (self, error))
        return NULL;
    }
  else if (app_id != JZ_HUB_STORE_APPLICATION_ID)
    {
      g_set_error (error, JZ_HUB_ERROR, JZ_HUB_ERROR_NOT_A_HUB,
                   "%s is not a Jiuzhu hub store; it was left untouched", path);
      return NULL;
    }
  else if (version > SCHEMA_VERSION)
    {
      g_set_error (error, JZ_HUB_ERROR, JZ_HUB_ERROR_TOO_NEW,
                   "%s was written by a newer jiuzhu-hub (schema %d; this one knows %d); update jiuzhu-hub",
                   path, version, SCHEMA_VERSION);
      return NULL;
    }
  else if (version == 1 && !migrate_person_key (self, error))
    return NULL;

  /* A page cache of 16 MiB: a push's pages and the registry index stay
   * in it, and SQLite reuses its pages once it is full. Each page the
   * cache grows by is new memory for the process, a page fault per 4 KiB
   * (13-14 µs each in the VM the benchmarks run in): filling 64 MiB cost
   * a new hub process's first 100,000 inserts 0.2 s of CPU, and a larger
   * cache read no faster once it was full (tests/bench/README.md, "Sync",
   * session 6). */
  if (!exec (self->db,
             "PRAGMA journal_mode = WAL;"
             "PRAGMA synchronous = FULL;"
             "PRAGMA foreign_keys = ON;"
             "PRAGMA cache_size = -16384;"
             "PRAGMA wal_autocheckpoint = 8192;",
             error))
    return NULL;

  load_chain (self);
  self->incarnation = get_meta (self, "incarnation");
  if (self->incarnation == NULL)
    {
      g_set_error (error, JZ_HUB_ERROR, JZ_HUB_ERROR_NOT_A_HUB,
                   "%s has no hub identity; restore it from a backup", path);
      return NULL;
    }
  return g_steal_pointer (&self);
}

sqlite3 *
jz_hub_store_get_db (JzHubStore *self)
{
  g_return_val_if_fail (JZ_IS_HUB_STORE (self), NULL);
  return self->db;
}

const char *
jz_hub_store_get_incarnation (JzHubStore *self)
{
  g_return_val_if_fail (JZ_IS_HUB_STORE (self), NULL);
  return self->incarnation;
}

const char *
jz_hub_store_get_path (JzHubStore *self)
{
  g_return_val_if_fail (JZ_IS_HUB_STORE (self), NULL);
  return self->path;
}

/* Administration */

static gboolean
station_level (JzHubStore *self,
               const char *code,
               gboolean   *hub_level,
               char      **name)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT level, name FROM station WHERE code = ?1");
  gboolean found = FALSE;

  bind_text (stmt, 1, code);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      found = TRUE;
      if (hub_level)
        *hub_level = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "hub") == 0;
      if (name)
        *name = column_dup (stmt, 1);
    }
  sqlite3_reset (stmt);
  return found;
}

/* Stations are few and only ever added: checked from memory in a push. */
static gboolean
station_is_registered (JzHubStore *self,
                       const char *code)
{
  if (self->stations == NULL)
    {
      sqlite3_stmt *stmt = prepare (self, "SELECT code FROM station");

      self->stations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_hash_table_add (self->stations, column_dup (stmt, 0));
      sqlite3_reset (stmt);
    }
  return g_hash_table_contains (self->stations, code);
}

gboolean
jz_hub_store_add_station (JzHubStore  *self,
                          const char  *code,
                          const char  *name,
                          gboolean     hub_level,
                          GError     **error)
{
  g_autofree char *clean = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (JZ_IS_HUB_STORE (self), FALSE);

  if (!jz_protocol_station_is_valid (code))
    {
      g_set_error (error, JZ_HUB_ERROR, JZ_HUB_ERROR_INVALID,
                   "“%s” is not a station code: 6 digits of the area code, a dash, 2 digits (320481-01)",
                   code ? code : "");
      return FALSE;
    }
  clean = g_strstrip (g_strdup (name ? name : ""));
  if (*clean == '\0' || !g_utf8_validate (clean, -1, NULL))
    {
      g_set_error (error, JZ_HUB_ERROR, JZ_HUB_ERROR_INVALID, "The station name is empty; give the station's name");
      return FALSE;
    }
  if (station_level (self, code, NULL, NULL))
    {
      g_set_error (error, JZ_HUB_ERROR, JZ_HUB_ERROR_EXISTS, "Station %s is already registered", code);
      return FALSE;
    }
  stmt = prepare (self, "INSERT INTO station (code, name, level, created_at) VALUES (?1, ?2, ?3, ?4)");
  bind_text (stmt, 1, code);
  bind_text (stmt, 2, clean);
  bind_text (stmt, 3, hub_level ? "hub" : "county");
  sqlite3_bind_int64 (stmt, 4, now_s ());
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_db_error (self->db, rc, error);
  if (self->stations != NULL)
    g_hash_table_add (self->stations, g_strdup (code));
  return TRUE;
}

char *
jz_hub_store_enrol_device (JzHubStore  *self,
                           const char  *station,
                           const char  *label,
                           char       **device_id,
                           GError     **error)
{
  g_autofree char *code = new_enrol_code ();
  g_autofree char *norm = normalize_code (code);
  g_autofree char *hash = sha256_hex (norm);
  g_autofree char *id = jz_uuid_v7_new ();
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (JZ_IS_HUB_STORE (self), NULL);

  if (station == NULL || !station_level (self, station, NULL, NULL))
    {
      g_set_error (error, JZ_HUB_ERROR, JZ_HUB_ERROR_NOT_FOUND,
                   "Station %s is not registered; add it first with “station add --code %s --name …”",
                   station ? station : "(none)", station ? station : "C");
      return NULL;
    }
  stmt = prepare (self,
                  "INSERT INTO device (id, station, label, code_hash, code_expires_at, created_at) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  bind_text (stmt, 1, id);
  bind_text (stmt, 2, station);
  bind_text (stmt, 3, label);
  bind_text (stmt, 4, hash);
  sqlite3_bind_int64 (stmt, 5, now_s () + ENROL_CODE_HOURS * 3600);
  sqlite3_bind_int64 (stmt, 6, now_s ());
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (self->db, rc, error);
      return NULL;
    }
  if (device_id != NULL)
    *device_id = g_steal_pointer (&id);
  return g_steal_pointer (&code);
}

gboolean
jz_hub_store_revoke_device (JzHubStore  *self,
                            const char  *device_id,
                            GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (JZ_IS_HUB_STORE (self), FALSE);

  /* The token hash stays, so that a revoked device is told so (401
   * "revoked") rather than "unknown". */
  stmt = prepare (self,
                  "UPDATE device SET revoked_at = coalesce (revoked_at, ?2), code_hash = NULL "
                  "WHERE id = ?1");
  bind_text (stmt, 1, device_id);
  sqlite3_bind_int64 (stmt, 2, now_s ());
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_db_error (self->db, rc, error);
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, JZ_HUB_ERROR, JZ_HUB_ERROR_NOT_FOUND,
                   "There is no device %s; “device list” shows the devices", device_id);
      return FALSE;
    }
  return TRUE;
}

void
jz_hub_device_free (JzHubDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->id);
  g_free (device->station);
  g_free (device->label);
  g_free (device->epoch);
  g_free (device);
}

#define DEVICE_COLUMNS \
  "d.id, d.station, s.level, d.label, d.epoch, d.created_at, d.enrolled_at, d.revoked_at, d.last_seen_at"

static JzHubDevice *
device_from_row (sqlite3_stmt *stmt)
{
  JzHubDevice *d = g_new0 (JzHubDevice, 1);

  d->id = column_dup (stmt, 0);
  d->station = column_dup (stmt, 1);
  d->hub_level = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), "hub") == 0;
  d->label = column_dup (stmt, 3);
  d->epoch = column_dup (stmt, 4);
  d->created_at = sqlite3_column_int64 (stmt, 5);
  d->enrolled_at = sqlite3_column_int64 (stmt, 6);
  d->revoked_at = sqlite3_column_int64 (stmt, 7);
  d->last_seen_at = sqlite3_column_int64 (stmt, 8);
  return d;
}

GPtrArray *
jz_hub_store_list_devices (JzHubStore  *self,
                           GError     **error)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_hub_device_free);
  sqlite3_stmt *stmt = prepare (self,
                                "SELECT " DEVICE_COLUMNS " FROM device d JOIN station s ON s.code = d.station "
                                "ORDER BY d.station, d.created_at");
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, device_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      g_ptr_array_unref (list);
      set_db_error (self->db, rc, error);
      return NULL;
    }
  return list;
}

JzHubDevice *
jz_hub_store_redeem (JzHubStore            *self,
                     const JzEnrolRequest  *request,
                     JzEnrolReply         **reply,
                     GError               **error)
{
  g_autofree char *norm = normalize_code (request->code);
  g_autofree char *hash = sha256_hex (norm);
  g_autofree char *token = NULL;
  g_autofree char *token_hash = NULL;
  g_autofree char *station_name = NULL;
  g_autoptr(JzHubDevice) device = NULL;
  sqlite3_stmt *stmt;
  gint64 expires;
  int rc;

  stmt = prepare (self,
                  "SELECT " DEVICE_COLUMNS ", d.code_expires_at FROM device d "
                  "JOIN station s ON s.code = d.station WHERE d.code_hash = ?1");
  bind_text (stmt, 1, hash);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_UNAUTHORIZED,
                   "This enrolment code is not valid or was already used; ask the hub for a new one");
      return NULL;
    }
  device = device_from_row (stmt);
  expires = sqlite3_column_int64 (stmt, 9);
  sqlite3_reset (stmt);

  if (device->revoked_at != 0 || expires < now_s ())
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_UNAUTHORIZED,
                   "This enrolment code has expired; ask the hub for a new one");
      return NULL;
    }
  if (!g_str_equal (device->station, request->station))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN,
                   "This enrolment code is for station %s, but this store belongs to station %s",
                   device->station, request->station);
      return NULL;
    }
  if (device->hub_level != g_str_equal (request->level, "hub"))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN,
                   "Station %s is registered at the hub as a %s station, but this store is a %s store",
                   device->station, device->hub_level ? "hub" : "county", request->level);
      return NULL;
    }

  token = new_token ();
  token_hash = sha256_hex (token);
  station_level (self, device->station, NULL, &station_name);
  stmt = prepare (self,
                  "UPDATE device SET code_hash = NULL, code_expires_at = NULL, token_hash = ?2, "
                  "enrolled_at = ?3, last_seen_at = ?3, epoch = ?4, label = coalesce (?5, label) "
                  "WHERE id = ?1 AND code_hash IS NOT NULL");
  bind_text (stmt, 1, device->id);
  bind_text (stmt, 2, token_hash);
  sqlite3_bind_int64 (stmt, 3, now_s ());
  bind_text (stmt, 4, request->epoch);
  bind_text (stmt, 5, request->label);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE || sqlite3_changes (self->db) != 1)
    {
      set_internal (self->db, error);
      return NULL;
    }

  *reply = g_new0 (JzEnrolReply, 1);
  (*reply)->device = g_strdup (device->id);
  (*reply)->token = g_steal_pointer (&token);
  (*reply)->station = g_strdup (device->station);
  (*reply)->station_name = g_steal_pointer (&station_name);
  (*reply)->level = g_strdup (device->hub_level ? "hub" : "county");
  (*reply)->incarnation = g_strdup (self->incarnation);
  g_free (device->epoch);
  device->epoch = g_strdup (request->epoch);
  return g_steal_pointer (&device);
}

JzHubDevice *
jz_hub_store_authenticate (JzHubStore  *self,
                           const char  *token,
                           GError     **error)
{
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt;
  JzHubDevice *device;

  if (token == NULL || *token == '\0')
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_UNAUTHORIZED,
                   "This request has no device token; enrol the device with the hub first");
      return NULL;
    }
  hash = sha256_hex (token);
  stmt = prepare (self,
                  "SELECT " DEVICE_COLUMNS " FROM device d JOIN station s ON s.code = d.station "
                  "WHERE d.token_hash = ?1");
  bind_text (stmt, 1, hash);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_UNAUTHORIZED,
                   "The hub does not know this device's token; enrol the device again");
      return NULL;
    }
  device = device_from_row (stmt);
  sqlite3_reset (stmt);
  if (device->revoked_at != 0)
    {
      jz_hub_device_free (device);
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_UNAUTHORIZED,
                   "This device was revoked at the hub; ask the hub's staff to enrol it again");
      return NULL;
    }
  return device;
}

/* Hello */

static gint64
max_hub_seq (JzHubStore *self)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT coalesce (max (hub_seq), 0) FROM change");
  gint64 v = 0;

  if (sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return v;
}

static char *
anchor_at (JzHubStore *self,
           gint64      hub_seq)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT chain FROM change WHERE hub_seq = ?1");
  char *anchor = NULL;

  sqlite3_bind_int64 (stmt, 1, hub_seq);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    anchor = column_dup (stmt, 0);
  sqlite3_reset (stmt);
  return anchor;
}

static gboolean
get_mark (JzHubStore *self,
          const char *station,
          const char *epoch,
          gint64     *high_seq)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT high_seq FROM mark WHERE station = ?1 AND epoch = ?2");
  gboolean found = FALSE;

  bind_text (stmt, 1, station);
  bind_text (stmt, 2, epoch);
  *high_seq = 0;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      found = TRUE;
      *high_seq = sqlite3_column_int64 (stmt, 0);
    }
  sqlite3_reset (stmt);
  return found;
}

gboolean
jz_hub_store_hello (JzHubStore            *self,
                    const JzHubDevice     *device,
                    const JzHelloRequest  *request,
                    JzHelloReply          *reply,
                    GError               **error)
{
  sqlite3_stmt *stmt;

  if (!g_str_equal (request->station, device->station))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN,
                   "This device is enrolled for station %s, not %s", device->station, request->station);
      return FALSE;
    }

  memset (reply, 0, sizeof *reply);
  reply->device = g_strdup (device->id);
  reply->station = g_strdup (device->station);
  reply->level = g_strdup (device->hub_level ? "hub" : "county");
  reply->incarnation = g_strdup (self->incarnation);
  reply->hub_seq = max_hub_seq (self);
  reply->known = get_mark (self, request->station, request->epoch, &reply->high_seq);
  if (!reply->known && request->start > 1)
    {
      sqlite3_stmt *mark = prepare (self,
                                    "INSERT OR IGNORE INTO mark (station, epoch, first_seq, high_seq)"
                                    " VALUES (?1, ?2, ?3, ?4)");

      bind_text (mark, 1, request->station);
      bind_text (mark, 2, request->epoch);
      sqlite3_bind_int64 (mark, 3, request->start);
      sqlite3_bind_int64 (mark, 4, request->start - 1);
      sqlite3_step (mark);
      sqlite3_reset (mark);
      reply->known = TRUE;
      reply->high_seq = request->start - 1;
    }
  reply->time_ms = g_get_real_time () / 1000;
  reply->anchor_ok = TRUE;
  if (request->cursor > 0)
    {
      g_autofree char *anchor = anchor_at (self, request->cursor);

      reply->anchor_ok = anchor != NULL && g_strcmp0 (anchor, request->anchor) == 0;
    }

  stmt = prepare (self, "UPDATE device SET last_seen_at = ?2, epoch = ?3 WHERE id = ?1");
  bind_text (stmt, 1, device->id);
  sqlite3_bind_int64 (stmt, 2, now_s ());
  bind_text (stmt, 3, request->epoch);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  return TRUE;
}

/* Push: the merge */

/* A field's last writer. hub_seq: the change that wrote it (0 in tags
 * written before the hub kept it). */
typedef struct
{
  gint64      hlc;
  const char *station;
  int         auth;
  gint64      hub_seq;
} Tag;

static void
tag_get (json_object *tags,
         const char  *field,
         Tag         *tag)
{
  json_object *t = NULL;

  if (!json_object_object_get_ex (tags, field, &t))
    json_object_object_get_ex (tags, "*", &t);
  tag->hlc = 0;
  tag->station = "";
  tag->auth = 0;
  tag->hub_seq = 0;
  if (t != NULL && json_object_is_type (t, json_type_array) && json_object_array_length (t) >= 3)
    {
      tag->hlc = json_object_get_int64 (json_object_array_get_idx (t, 0));
      tag->station = json_object_get_string (json_object_array_get_idx (t, 1));
      tag->auth = json_object_get_int (json_object_array_get_idx (t, 2));
      if (json_object_array_length (t) >= 4)
        tag->hub_seq = json_object_get_int64 (json_object_array_get_idx (t, 3));
    }
}

/* [hlc, station, auth, hub_seq]. A tag made before its change has a
 * hub_seq is listed in @fresh and completed by tags_complete(). */
static json_object *
tag_new (gint64      hlc,
         const char *station,
         int         auth,
         gint64      hub_seq,
         GPtrArray  *fresh)
{
  json_object *t = json_object_new_array_ext (4);

  json_object_array_add (t, json_object_new_int64 (hlc));
  json_object_array_add (t, json_object_new_string (station));
  json_object_array_add (t, json_object_new_int (auth));
  json_object_array_add (t, json_object_new_int64 (hub_seq));
  if (fresh != NULL)
    g_ptr_array_add (fresh, t);
  return t;
}

static void
tags_complete (GPtrArray *fresh,
               gint64     hub_seq)
{
  for (guint i = 0; i < fresh->len; i++)
    json_object_array_put_idx (fresh->pdata[i], 3, json_object_new_int64 (hub_seq));
}

static gboolean flush_changes (JzHubStore *self);

/* Whether the writer of @c had seen the value @t names when it saved: its
 * own earlier change, or one the hub had committed at or before the
 * writer's pull cursor (base_seq). A clock cannot tell (a concurrent value
 * from a slower clock has a lower hlc than the writer's revision), so the
 * hlc comparison is only a second condition, and the whole rule for a
 * change or a tag from before the hub kept hub_seqs. */
static gboolean
tag_seen (JzHubStore     *self,
          const Tag      *t,
          const JzChange *c)
{
  sqlite3_stmt *stmt;
  gboolean own;

  if (t->hlc == 0 && t->hub_seq == 0)
    return TRUE;
  if (!c->has_base_seq || t->hub_seq <= 0)
    return t->hlc <= (gint64) c->base_rev;
  if (t->hub_seq <= c->base_seq && t->hlc <= (gint64) c->base_rev)
    return TRUE;
  /* The change may be one of this push's, not written yet. (A failed
   * flush fails the push at its end.) */
  if (!flush_changes (self))
    return FALSE;
  stmt = prepare (self, "SELECT 1 FROM change WHERE hub_seq = ?1 AND station = ?2 AND epoch = ?3");
  sqlite3_bind_int64 (stmt, 1, t->hub_seq);
  sqlite3_bind_text (stmt, 2, c->station, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, c->epoch, -1, SQLITE_STATIC);
  own = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  return own;
}

/* Clocks far ahead are clamped where they decide, not where they order:
 * the hlc as written still says what its writer had seen (a replica that
 * pulled it writes after it), but a clock a day or more ahead does not win
 * every tie from then on. */
/* Set for each push; the hub's store is used from one thread. */
static gint64 precedence_limit;

/* > 0 when a takes precedence over b: authority, then hlc, then station. */
static int
precedence_cmp (int         auth_a,
                gint64      hlc_a,
                const char *station_a,
                int         auth_b,
                gint64      hlc_b,
                const char *station_b)
{
  if (precedence_limit > 0)
    {
      hlc_a = MIN (hlc_a, precedence_limit);
      hlc_b = MIN (hlc_b, precedence_limit);
    }
  if (auth_a != auth_b)
    return auth_a > auth_b ? 1 : -1;
  if (hlc_a != hlc_b)
    return hlc_a > hlc_b ? 1 : -1;
  return g_strcmp0 (station_a, station_b);
}

static json_object *
loss_new (const char  *field,
          json_object *value,
          json_object *winner_value,
          const char  *loser,
          gint64       loser_hlc,
          const char  *winner,
          gint64       winner_hlc)
{
  json_object *l = json_object_new_object ();

  json_object_object_add (l, "field", json_object_new_string (field));
  json_object_object_add (l, "value", value ? json_object_get (value) : NULL);
  json_object_object_add (l, "winner_value", winner_value ? json_object_get (winner_value) : NULL);
  json_object_object_add (l, "loser", json_object_new_string (loser));
  json_object_object_add (l, "loser_hlc", json_object_new_int64 (loser_hlc));
  json_object_object_add (l, "winner", json_object_new_string (winner));
  json_object_object_add (l, "winner_hlc", json_object_new_int64 (winner_hlc));
  return l;
}

/* The types a column accepts, as the outbox writes them. */
static const JzField *
lookup_field (JzHubStore     *self,
              const JzEntity *entity,
              const char     *name)
{
  GHashTable *columns = g_hash_table_lookup (self->fields, entity);

  if (columns == NULL)
    {
      columns = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < entity->n_fields; i++)
        g_hash_table_insert (columns, (gpointer) entity->fields[i].name, (gpointer) &entity->fields[i]);
      g_hash_table_insert (self->fields, (gpointer) entity, columns);
    }
  return g_hash_table_lookup (columns, name);
}

/* The field names the hub treats apart, told by their length first
 * (check_field runs for every field of every change). */
typedef enum
{
  NAME_OTHER,
  NAME_ID,
  NAME_STATION,
  NAME_HLC,
  NAME_DELETED,
  NAME_UPDATED_BY,
  NAME_EPISODE_ID,
  NAME_ID_NUMBER,
} NameKind;

static NameKind
name_kind (const char *name,
           gsize       len)
{
  switch (len)
    {
    case 2:
      return memcmp (name, "id", 2) == 0 ? NAME_ID : NAME_OTHER;
    case 3:
      return memcmp (name, "hlc", 3) == 0 ? NAME_HLC : NAME_OTHER;
    case 7:
      return memcmp (name, "station", 7) == 0 ? NAME_STATION
           : memcmp (name, "deleted", 7) == 0 ? NAME_DELETED : NAME_OTHER;
    case 9:
      return memcmp (name, "id_number", 9) == 0 ? NAME_ID_NUMBER : NAME_OTHER;
    case 10:
      return memcmp (name, "updated_by", 10) == 0 ? NAME_UPDATED_BY
           : memcmp (name, "episode_id", 10) == 0 ? NAME_EPISODE_ID : NAME_OTHER;
    default:
      return NAME_OTHER;
    }
}

/* check_field() for a name whose name_kind() is @kind. */
static gboolean
check_field_kind (JzHubStore      *self,
                  const JzEntity  *entity,
                  const char      *name,
                  NameKind         kind,
                  json_type        type,
                  const char      *text,
                  gint64           index,
                  GError         **error)
{
  const JzField *field = NULL;
  gboolean ok;

  if (kind == NAME_ID)
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "Change %" G_GINT64_FORMAT ": a record's id is not a field it can change", index);
      return FALSE;
    }
  if (kind == NAME_STATION)
    ok = type == json_type_string && jz_protocol_station_is_valid (text);
  else if (kind == NAME_HLC || kind == NAME_DELETED)
    ok = type == json_type_int || type == json_type_boolean;
  else if (kind == NAME_UPDATED_BY)
    ok = type == json_type_string || type == json_type_null;
  else
    {
      field = lookup_field (self, entity, name);
      if (field == NULL)
        {
          g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                       "Change %" G_GINT64_FORMAT ": “%s” is not a field of %s",
                       index, name, entity->name);
          return FALSE;
        }
      switch (field->type)
        {
        case JZ_FIELD_INT:
        case JZ_FIELD_TIME:
        case JZ_FIELD_MONEY:
        case JZ_FIELD_BOOL:
        case JZ_FIELD_FLAGS:
          ok = type == json_type_int || type == json_type_boolean || type == json_type_null;
          break;
        case JZ_FIELD_REAL:
          ok = type == json_type_int || type == json_type_double || type == json_type_null;
          break;
        default:
          ok = type == json_type_string || type == json_type_null;
          break;
        }
    }
  if (!ok)
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "Change %" G_GINT64_FORMAT ": field “%s” of %s has the wrong type",
                   index, name, entity->name);
      return FALSE;
    }
  return TRUE;
}

/* @type: the value's JSON type; @text: its text when it is a string. */
static gboolean
check_field (JzHubStore      *self,
             const JzEntity  *entity,
             const char      *name,
             json_type        type,
             const char      *text,
             gint64           index,
             GError         **error)
{
  return check_field_kind (self, entity, name, name_kind (name, strlen (name)), type, text, index, error);
}

typedef struct
{
  const JzHubDevice *device;
  const char        *station;   /* the stream's */
  const char        *epoch;
  gint64             now;
  gint64             hlc_limit;
  JzHubIngestStats  *stats;
} Ingest;

static gboolean
visible_to (JzHubStore *self,
            const char *entity,
            const char *id,
            const char *station)
{
  sqlite3_stmt *stmt = prepare (self,
                                "SELECT 1 FROM visibility WHERE entity = ?1 AND id = ?2 AND station = ?3");
  gboolean found;

  bind_text (stmt, 1, entity);
  bind_text (stmt, 2, id);
  bind_text (stmt, 3, station);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  return found;
}

static gboolean
grant_visibility (JzHubStore *self,
                  const char *entity,
                  const char *id,
                  const char *station)
{
  sqlite3_stmt *stmt = prepare (self,
                                "INSERT OR IGNORE INTO visibility (entity, id, station) VALUES (?1, ?2, ?3)");
  int rc;

  bind_text (stmt, 1, entity);
  bind_text (stmt, 2, id);
  bind_text (stmt, 3, station);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

/* "|@seq|" in @buf (at least 24 bytes), for the chain hash. */
static const char *
format_seq_head (char   *buf,
                 gint64  seq)
{
  char digits[24];
  char *p = digits + sizeof digits;
  guint64 u = seq < 0 ? -(guint64) seq : (guint64) seq;
  char *o = buf;

  do
    *--p = (char) ('0' + u % 10);
  while ((u /= 10) != 0);
  if (seq < 0)
    *--p = '-';
  *o++ = '|';
  memcpy (o, p, digits + sizeof digits - p);
  o += digits + sizeof digits - p;
  *o++ = '|';
  *o = '\0';
  return buf;
}

/* The INSERT of @n change rows (a power of two up to CHANGE_ROWS_MAX). */
static sqlite3_stmt *
change_insert_stmt (JzHubStore *self,
                    guint       n)
{
  guint log = 0;

  while ((1u << log) < n)
    log++;
  g_assert ((1u << log) == n && log <= CHANGE_ROWS_LOG);
  if (self->change_sql[log] == NULL)
    {
      GString *sql = g_string_new ("INSERT INTO change (hub_seq, station, epoch, seq, entity, entity_id, op, base_rev,"
                                   " hlc, auth, scope, fields_json, lost_json, device, received_at, chain) VALUES ");

      for (guint r = 0; r < n; r++)
        {
          g_string_append (sql, r ? ", (" : "(");
          for (guint c = 0; c < CHANGE_COLUMNS; c++)
            g_string_append (sql, c ? ", ?" : "?");
          g_string_append_c (sql, ')');
        }
      self->change_sql[log] = g_string_free (sql, FALSE);
    }
  return prepare (self, self->change_sql[log]);
}

static gssize
pending_text (JzHubStore *self,
              const char *text)
{
  gssize at = (gssize) self->pending_text->len;

  if (text == NULL)
    return -1;
  g_string_append_len (self->pending_text, text, strlen (text) + 1);
  return at;
}

static void
bind_pending_text (JzHubStore   *self,
                   sqlite3_stmt *stmt,
                   int           i,
                   gssize        at)
{
  if (at < 0)
    sqlite3_bind_null (stmt, i);
  else
    sqlite3_bind_text (stmt, i, self->pending_text->str + at, -1, SQLITE_STATIC);
}

/* Writes the pending change rows, in order. A failure leaves
 * pending_failed set until the push ends: the push must not commit
 * (its last flush says so again), whoever saw the failure first. */
static gboolean
flush_changes (JzHubStore *self)
{
  const PendingChange *rows = (const PendingChange *) (gpointer) self->pending->data;
  guint n = self->pending->len;

  while (!self->pending_failed && n > 0)
    {
      guint k = CHANGE_ROWS_MAX;
      sqlite3_stmt *stmt;

      while (k > n)
        k /= 2;
      stmt = change_insert_stmt (self, k);
      if (stmt == NULL)
        {
          self->pending_failed = TRUE;
          break;
        }
      for (guint r = 0; r < k; r++)
        {
          const PendingChange *row = &rows[r];
          int b = (int) (r * CHANGE_COLUMNS);

          if (row->hub_seq > 0)
            sqlite3_bind_int64 (stmt, b + 1, row->hub_seq);
          else
            sqlite3_bind_null (stmt, b + 1);
          bind_pending_text (self, stmt, b + 2, row->station);
          bind_pending_text (self, stmt, b + 3, row->epoch);
          sqlite3_bind_int64 (stmt, b + 4, row->seq);
          bind_pending_text (self, stmt, b + 5, row->entity);
          bind_pending_text (self, stmt, b + 6, row->id);
          bind_pending_text (self, stmt, b + 7, row->op);
          sqlite3_bind_int64 (stmt, b + 8, row->base_rev);
          sqlite3_bind_int64 (stmt, b + 9, row->hlc);
          sqlite3_bind_int (stmt, b + 10, row->auth);
          bind_pending_text (self, stmt, b + 11, row->scope);
          bind_pending_text (self, stmt, b + 12, row->fields);
          bind_pending_text (self, stmt, b + 13, row->lost);
          bind_pending_text (self, stmt, b + 14, row->device);
          sqlite3_bind_int64 (stmt, b + 15, row->received_at);
          sqlite3_bind_text (stmt, b + 16, row->chain, -1, SQLITE_STATIC);
        }
      if (sqlite3_step (stmt) != SQLITE_DONE)
        self->pending_failed = TRUE;
      sqlite3_reset (stmt);
      rows += k;
      n -= k;
    }
  g_array_set_size (self->pending, 0);
  g_string_truncate (self->pending_text, 0);
  self->pending_insert = FALSE;
  return !self->pending_failed;
}

/* The end of a push, committed or not. */
static void
pending_clear (JzHubStore *self)
{
  g_array_set_size (self->pending, 0);
  g_string_truncate (self->pending_text, 0);
  self->pending_insert = FALSE;
  self->pending_failed = FALSE;
  self->next_hub_seq = 0;
}

/* The change's hub_seq, or -1. With @defer (a lean insert or update, in
 * a push) the row may wait in pending; the caller must not read it from
 * the table before flush_changes(). */
static gint64
insert_change (JzHubStore  *self,
               const char  *station,
               const char  *epoch,
               gint64       seq,
               const char  *entity,
               const char  *id,
               const char  *op,
               gint64       base_rev,
               gint64       hlc,
               int          auth,
               const char  *scope,
               const char  *fields_json,
               const char  *lost_json,
               const char  *device,
               gint64       now,
               gboolean     defer)
{
  /* nettle's SHA-256 (the CPU's SHA instructions when there are): the
   * same digest as GChecksum's, in about a third of the time. The chain
   * keeps the first 32 hex digits. */
  struct sha256_ctx sum;
  const char *parts[] = { self->chain, station, epoch, NULL, id, op, fields_json };
  guint8 digest[SHA256_DIGEST_SIZE];
  PendingChange *row;
  gint64 hub_seq;
  char head[32];

  if (self->pending->len == CHANGE_ROWS_MAX && !flush_changes (self))
    return -1;
  g_array_set_size (self->pending, self->pending->len + 1);
  row = &g_array_index (self->pending, PendingChange, self->pending->len - 1);

  parts[3] = format_seq_head (head, seq);
  sha256_init (&sum);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    sha256_update (&sum, strlen (parts[i]), (const guint8 *) parts[i]);
  sha256_digest (&sum, sizeof digest, digest);
  for (guint i = 0; i < 16; i++)
    {
      row->chain[2 * i] = "0123456789abcdef"[digest[i] >> 4];
      row->chain[2 * i + 1] = "0123456789abcdef"[digest[i] & 15];
    }
  row->chain[32] = '\0';

  /* Numbered past every hub_seq the table has had (AUTOINCREMENT's
   * sqlite_sequence included), in the order the changes come. */
  row->hub_seq = self->next_hub_seq > 0 ? self->next_hub_seq++ : 0;
  row->seq = seq;
  row->base_rev = base_rev;
  row->hlc = hlc;
  row->received_at = now;
  row->auth = auth;
  row->station = pending_text (self, station);
  row->epoch = pending_text (self, epoch);
  row->entity = pending_text (self, entity);
  row->id = pending_text (self, id);
  row->op = pending_text (self, op);
  row->scope = pending_text (self, scope);
  row->fields = pending_text (self, fields_json);
  row->lost = pending_text (self, lost_json);
  row->device = pending_text (self, device);
  if (strcmp (op, "insert") == 0)
    self->pending_insert = TRUE;
  hub_seq = row->hub_seq;
  memcpy (self->prev_chain, self->chain, sizeof self->chain);
  memcpy (self->chain, row->chain, sizeof self->chain);

  if (!defer || hub_seq == 0)
    {
      if (!flush_changes (self))
        return -1;
      if (hub_seq == 0)
        hub_seq = sqlite3_last_insert_rowid (self->db);
    }
  return hub_seq;
}

/* Takes back the change row insert_change() just added (the record it
 * made turned out to exist), as if it had never been numbered. */
static gboolean
drop_last_change (JzHubStore *self,
                  gint64      hub_seq)
{
  const PendingChange *last = self->pending->len > 0
    ? &g_array_index (self->pending, PendingChange, self->pending->len - 1) : NULL;
  sqlite3_stmt *stmt;
  int rc;

  memcpy (self->chain, self->prev_chain, sizeof self->chain);
  if (last != NULL && last->hub_seq == hub_seq)
    {
      if (last->station >= 0)
        g_string_truncate (self->pending_text, (gsize) last->station);
      g_array_set_size (self->pending, self->pending->len - 1);
      self->next_hub_seq--;
      return TRUE;
    }
  stmt = prepare (self, "DELETE FROM change WHERE hub_seq = ?1");
  sqlite3_bind_int64 (stmt, 1, hub_seq);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

static gboolean
record_conflicts (JzHubStore  *self,
                  gint64       hub_seq,
                  const char  *entity,
                  const char  *id,
                  json_object *losses,
                  gint64       now)
{
  for (gsize i = 0; i < json_object_array_length (losses); i++)
    {
      json_object *l = json_object_array_get_idx (losses, i);
      json_object *value = json_object_object_get (l, "value");
      sqlite3_stmt *stmt = prepare (self,
                                    "INSERT INTO conflict (hub_seq, entity, entity_id, field, loser_station, loser_hlc,"
                                    " loser_value, winner_station, winner_hlc, at)"
                                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
      int rc;

      sqlite3_bind_int64 (stmt, 1, hub_seq);
      bind_text (stmt, 2, entity);
      bind_text (stmt, 3, id);
      bind_text (stmt, 4, json_string_field (l, "field"));
      bind_text (stmt, 5, json_string_field (l, "loser"));
      sqlite3_bind_int64 (stmt, 6, json_object_get_int64 (json_object_object_get (l, "loser_hlc")));
      bind_text (stmt, 7, value ? to_json (value) : "null");
      bind_text (stmt, 8, json_string_field (l, "winner"));
      sqlite3_bind_int64 (stmt, 9, json_object_get_int64 (json_object_object_get (l, "winner_hlc")));
      sqlite3_bind_int64 (stmt, 10, now);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return FALSE;
    }
  return TRUE;
}

/* 18 digits (the store normalises 15-digit numbers) with the right check
 * digit. jz_idcard_is_valid also compares the birth date with today,
 * which costs a time-zone lookup per call: too dear for every person of a
 * push, and not needed to tell that two records carry the same number. */
static gboolean
id_number_checks (const char *number)
{
  char first[18];

  if (number == NULL || strlen (number) != 18)
    return FALSE;
  for (int i = 0; i < 17; i++)
    if (!g_ascii_isdigit (number[i]))
      return FALSE;
  memcpy (first, number, 17);
  first[17] = '\0';
  return g_ascii_toupper (number[17]) == jz_idcard_check_digit (first);
}

static guint64
number_hash (const char *number)
{
  guint64 h = 14695981039346656037ULL;   /* FNV-1a */

  for (const char *p = number; *p != '\0'; p++)
    h = (h ^ (guchar) *p) * 1099511628211ULL;
  return h ^ (h >> 29);
}

/* Adds @number to the filter; FALSE when person_key certainly had no
 * row with it before. */
static gboolean
numbers_add (JzHubStore *self,
             const char *number)
{
  guint64 h = number_hash (number);
  guint64 b1 = h & self->numbers_mask;
  guint64 b2 = (h >> 32) & self->numbers_mask;
  guint64 m1 = G_GUINT64_CONSTANT (1) << (b1 % 64);
  guint64 m2 = G_GUINT64_CONSTANT (1) << (b2 % 64);
  gboolean had = (self->numbers[b1 / 64] & m1) != 0 && (self->numbers[b2 / 64] & m2) != 0;

  self->numbers[b1 / 64] |= m1;
  self->numbers[b2 / 64] |= m2;
  self->numbers_count++;
  return had;
}

/* Builds the filter from person_key, at 16 bits a number or more (two
 * hashes: about 1.5 % of new numbers still run the link query). */
static gboolean
numbers_build (JzHubStore *self,
               gint64      version)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT count (*) FROM person_key");
  gint64 n = 0;
  guint64 bits = 1 << 20;
  int rc;

  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  while (bits < (guint64) n * 16 * 2)
    bits *= 2;
  g_free (self->numbers);
  self->numbers = g_new0 (guint64, bits / 64);
  self->numbers_mask = bits - 1;
  self->numbers_count = 0;
  stmt = prepare (self, "SELECT id_number FROM person_key");
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    numbers_add (self, (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      g_clear_pointer (&self->numbers, g_free);
      return FALSE;
    }
  self->numbers_version = version;
  return TRUE;
}

/* At the start of a push, inside its transaction: the filter as the
 * store is now. Another connection's commit (a second hub process on the
 * same file, say) changes data_version, and the filter is built again. */
static gboolean
numbers_ready (JzHubStore *self)
{
  gint64 version = pragma_int (self->db, "PRAGMA data_version");

  if (self->numbers != NULL && version == self->numbers_version &&
      (guint64) self->numbers_count * 16 <= self->numbers_mask + 1)
    return TRUE;
  return numbers_build (self, version);
}

/* The registry: a valid ID number seen at two stations links the two
 * records (suggested; a person confirms or rejects). A rejected pair is
 * never suggested again, since its row stays. */
static gboolean
update_registry (JzHubStore  *self,
                 const char  *person_id,
                 const char  *owner,
                 const char  *number,
                 gboolean     deleted,
                 gboolean     is_new,
                 gint64       now)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!is_new)
    {
      stmt = prepare (self, "DELETE FROM person_key WHERE person_id = ?1");
      bind_text (stmt, 1, person_id);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return FALSE;
    }
  if (deleted || !id_number_checks (number))
    return TRUE;

  stmt = prepare (self, "INSERT INTO person_key (id_number, person_id, station) VALUES (?1, ?2, ?3)");
  bind_text (stmt, 1, number);
  bind_text (stmt, 2, person_id);
  bind_text (stmt, 3, owner);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return FALSE;

  /* Nobody else has this number: no link to look for. */
  if (self->numbers != NULL && !numbers_add (self, number))
    return TRUE;
  stmt = prepare (self,
                  "INSERT OR IGNORE INTO person_link (a, b, reason, created_at)"
                  " SELECT min (?2, person_id), max (?2, person_id), 'id_number', ?4"
                  " FROM person_key WHERE id_number = ?1 AND person_id <> ?2 AND station <> ?3");
  bind_text (stmt, 1, number);
  bind_text (stmt, 2, person_id);
  bind_text (stmt, 3, owner);
  sqlite3_bind_int64 (stmt, 4, now);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

static gint64
next_hub_seq_for (JzHubStore *self,
                  const char *station,
                  const char *epoch)
{
  gint64 high = 0;
  sqlite3_stmt *stmt;

  get_mark (self, station, epoch, &high);
  stmt = prepare (self,
                  "INSERT INTO mark (station, epoch, first_seq, high_seq) VALUES (?1, ?2, 1, ?3)"
                  " ON CONFLICT (station, epoch) DO UPDATE SET high_seq = excluded.high_seq");
  bind_text (stmt, 1, station);
  bind_text (stmt, 2, epoch);
  sqlite3_bind_int64 (stmt, 3, high + 1);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    high = -2;
  sqlite3_reset (stmt);
  return high + 1;
}

/* A hub-made change carrying a record's whole state, so that a station
 * that gains a record (a transfer) receives all of it. */
static gboolean
emit_snapshot (JzHubStore  *self,
               Ingest      *in,
               const char  *entity,
               const char  *id,
               gint64       hlc)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT r.owner, " RECORD_FIELDS " FROM record r " RECORD_JOIN
                                " WHERE r.entity = ?1 AND r.id = ?2");
  g_autofree char *owner = NULL;
  g_autofree char *fields = NULL;
  gint64 seq;
  gint64 hub_seq;

  bind_text (stmt, 1, entity);
  bind_text (stmt, 2, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      owner = column_dup (stmt, 0);
      fields = column_dup (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (owner == NULL)
    return TRUE;

  seq = next_hub_seq_for (self, in->device->station, self->incarnation);
  if (seq < 0)
    return FALSE;
  hub_seq = insert_change (self, in->device->station, self->incarnation, seq, entity, id, "snapshot",
                           hlc, hlc, JZ_AUTHORITY_HUB, owner, fields, NULL, in->device->id, in->now, FALSE);
  return hub_seq > 0;
}

/* 提级办理 / 转送: the episode and the records that hang off it move to
 * @to; the station it came from keeps seeing them, and @to sees the
 * person. */
static gboolean
transfer (JzHubStore  *self,
          Ingest      *in,
          const char  *entity,
          const char  *id,
          const char  *from,
          const char  *to,
          json_object *fields,
          gint64       hlc,
          gint64       hub_seq)
{
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (g_free);
  const char *person_id = json_string_field (fields, "person_id");
  sqlite3_stmt *stmt;

  if (!grant_visibility (self, entity, id, from) || !emit_snapshot (self, in, entity, id, hlc))
    return FALSE;

  stmt = prepare (self, "SELECT r.entity, r.id, " RECORD_FIELDS ", r.tags_json FROM record r " RECORD_JOIN
                        " WHERE r.parent_id = ?1 AND r.owner = ?2");
  bind_text (stmt, 1, id);
  bind_text (stmt, 2, from);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_ptr_array_add (children, column_dup (stmt, 0));
      g_ptr_array_add (children, column_dup (stmt, 1));
      g_ptr_array_add (children, column_dup (stmt, 2));
      g_ptr_array_add (children, column_dup (stmt, 3));
    }
  sqlite3_reset (stmt);

  for (guint i = 0; i < children->len; i += 4)
    {
      const char *c_entity = children->pdata[i];
      const char *c_id = children->pdata[i + 1];
      g_autoptr(JzJson) c_fields = json_tokener_parse (children->pdata[i + 2]);
      g_autoptr(JzJson) c_tags = json_tokener_parse (children->pdata[i + 3]);
      int rc;

      if (c_fields == NULL || c_tags == NULL)
        return FALSE;
      json_object_object_add (c_fields, "station", json_object_new_string (to));
      json_object_object_add (c_tags, "station", tag_new (hlc, in->device->station, JZ_AUTHORITY_HUB, hub_seq, NULL));
      stmt = prepare (self,
                      "UPDATE record SET owner = ?3, fields_json = ?4, tags_json = ?5, hlc = max (hlc, ?6)"
                      " WHERE entity = ?1 AND id = ?2");
      bind_text (stmt, 1, c_entity);
      bind_text (stmt, 2, c_id);
      bind_text (stmt, 3, to);
      bind_text (stmt, 4, to_json (c_fields));
      bind_text (stmt, 5, to_json (c_tags));
      sqlite3_bind_int64 (stmt, 6, hlc);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE ||
          !grant_visibility (self, c_entity, c_id, from) ||
          !emit_snapshot (self, in, c_entity, c_id, hlc))
        return FALSE;
    }

  if (person_id != NULL)
    {
      if (!grant_visibility (self, "person", person_id, to) ||
          !emit_snapshot (self, in, "person", person_id, hlc))
        return FALSE;
    }
  return TRUE;
}

/* May @device write a record the hub has not got, owned by @owner? */
static gboolean
may_create (JzHubStore         *self,
            const JzHubDevice  *device,
            const JzChange     *c,
            const char         *owner,
            gint64              index,
            GError            **error)
{
  if (!device->hub_level && *owner == '\0')
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN,
                   "Change %" G_GINT64_FORMAT ": the hub has no %s %s (yet); only its insert, or hub staff, "
                   "can write to it", index, c->entity, c->id);
      return FALSE;
    }
  if (!device->hub_level && !g_str_equal (owner, device->station))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN,
                   "Change %" G_GINT64_FORMAT ": a device of station %s cannot create records of station %s",
                   index, device->station, owner);
      return FALSE;
    }
  if (*owner != '\0' && !station_is_registered (self, owner))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN,
                   "Change %" G_GINT64_FORMAT ": station %s is not registered at this hub", index, owner);
      return FALSE;
    }
  return TRUE;
}

typedef enum
{
  LEAN_FAILED,
  LEAN_DONE,
  LEAN_EXISTS,     /* the record is there after all: merge it */
  LEAN_UNSUITED,   /* fields this path does not read: take json-c's */
} LeanResult;

/* A flat member's name, in @name; FALSE when it is longer than any
 * field's name may be. */
static gboolean
member_name (const JzJsonMember *m,
             char                name[JZ_PROTOCOL_MAX_FIELD_NAME + 1])
{
  if (m->key_len > JZ_PROTOCOL_MAX_FIELD_NAME)
    return FALSE;
  memcpy (name, m->key, m->key_len);
  name[m->key_len] = '\0';
  return TRUE;
}

/* The json-c type check_field() expects for a flat member's value. */
static json_type
member_type (const JzJsonMember *m)
{
  static const json_type types[] = {
    [JZ_JSON_NULL] = json_type_null, [JZ_JSON_BOOL] = json_type_boolean, [JZ_JSON_INT] = json_type_int,
    [JZ_JSON_REAL] = json_type_double, [JZ_JSON_STRING] = json_type_string,
  };

  return types[m->kind];
}

static gboolean
is_hlc (const char *key,
        gsize       key_len)
{
  return key_len == 3 && memcmp (key, "hlc", 3) == 0;
}

/* Starts a member of the JSON object @out is writing: a comma unless it
 * is the first, then "key":. (A member's value never ends with '{'.) */
static void
append_key (GString    *out,
            const char *key,
            gsize       key_len)
{
  if (out->str[out->len - 1] != '{')
    g_string_append_c (out, ',');
  g_string_append_c (out, '"');
  g_string_append_len (out, key, key_len);
  g_string_append (out, "\":");
}

/* Appends members copied as they stand in the text they came in,
 * "key":value[,"key":value…], from @run to @end. */
static void
append_run (GString    *out,
            const char *run,
            const char *end)
{
  if (out->str[out->len - 1] != '{')
    g_string_append_c (out, ',');
  g_string_append_len (out, run, end - run);
}

/* Every member but the clock (kept in a column of its own), as sent.
 * Members written "key":value one after another with a comma between (as
 * stations write them) are copied as one run of text, anything else
 * member by member: the same text either way. */
static void
append_fields_without_hlc (GString      *out,
                           const GArray *members)
{
  const char *run = NULL;
  const char *run_end = NULL;

  for (guint i = 0; i < members->len; i++)
    {
      const JzJsonMember *m = &g_array_index (members, JzJsonMember, i);
      const char *start = m->key - 1;
      const char *end = m->value + m->value_len;

      if (is_hlc (m->key, m->key_len))
        continue;
      if (run != NULL && start == run_end + 1 && *run_end == ',' && m->value == m->key + m->key_len + 2)
        {
          run_end = end;
          continue;
        }
      if (run != NULL)
        append_run (out, run, run_end);
      run = NULL;
      if (m->value == m->key + m->key_len + 2)
        {
          run = start;
          run_end = end;
        }
      else
        {
          append_key (out, m->key, m->key_len);
          g_string_append_len (out, m->value, m->value_len);
        }
    }
  if (run != NULL)
    append_run (out, run, run_end);
}

static LeanResult
lean_internal (sqlite3  *db,
               GError  **error)
{
  set_internal (db, error);
  return LEAN_FAILED;
}

/* A new record from an insert whose fields came as text
 * (jz_push_request_decode_lean): the same checks and rows as
 * apply_change() makes for one, without a json-c object per field. */
static LeanResult
insert_lean (JzHubStore      *self,
             Ingest          *in,
             JzChange        *c,
             const JzEntity  *entity,
             gint64           index,
             GError         **error)
{
  const JzHubDevice *device = in->device;
  GArray *members = self->scratch_members;
  GString *text = self->scratch_text;
  GString *tags_text = self->scratch_tags;
  g_autofree char *station = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *number = NULL;
  const char *owner;
  gboolean deleted = FALSE;
  gboolean registry = FALSE;
  gint64 hlc = (gint64) c->hlc;
  gint64 hub_seq;
  int auth;
  sqlite3_stmt *stmt;
  int rc;

  g_array_set_size (members, 0);
  if (!jz_json_scan_flat (c->fields_json, strlen (c->fields_json), members))
    return LEAN_UNSUITED;
  for (guint i = 0; i < members->len; i++)
    {
      const JzJsonMember *m = &g_array_index (members, JzJsonMember, i);
      char name[JZ_PROTOCOL_MAX_FIELD_NAME + 1];
      g_autofree char *value = NULL;
      char **keep = NULL;
      NameKind kind;

      if (!member_name (m, name))
        return LEAN_UNSUITED;
      kind = name_kind (m->key, m->key_len);
      /* Only these three values are read (check_field reads a string's
       * text for the station alone). */
      if (kind == NAME_STATION)
        keep = &station;
      else if (kind == NAME_EPISODE_ID)
        keep = &parent;
      else if (kind == NAME_ID_NUMBER)
        keep = &number, registry = TRUE;
      else if (kind == NAME_DELETED)
        deleted = jz_json_member_is_true (m), registry = TRUE;
      if (keep != NULL && m->kind == JZ_JSON_STRING)
        value = jz_json_member_dup_string (m);
      if (!check_field_kind (self, entity, name, kind, member_type (m), value, index, error))
        return LEAN_FAILED;
      if (keep != NULL)
        {
          g_free (*keep);
          *keep = g_steal_pointer (&value);
        }
    }

  owner = station != NULL ? station : c->station;
  if (!may_create (self, device, c, owner, index, error))
    return LEAN_FAILED;
  auth = device->hub_level ? JZ_AUTHORITY_HUB : JZ_AUTHORITY_OWNER;

  /* The record as sent, without the clock (kept in its own column). */
  g_string_truncate (text, 0);
  g_string_append_c (text, '{');
  append_fields_without_hlc (text, members);
  if (station == NULL)
    {
      append_key (text, "station", strlen ("station"));
      jz_json_append_string (text, owner);
    }
  g_string_append_c (text, '}');

  hub_seq = insert_change (self, c->station, c->epoch, c->seq, c->entity, c->id, "insert",
                           (gint64) c->base_rev, hlc, auth, owner, text->str, NULL, device->id, in->now, TRUE);
  if (hub_seq < 0)
    return lean_internal (self->db, error);
  g_string_assign (tags_text, "{\"*\":[");
  jz_string_append_int (tags_text, hlc);
  g_string_append (tags_text, ",\"");
  g_string_append (tags_text, c->station);
  g_string_append (tags_text, "\",");
  jz_string_append_int (tags_text, auth);
  g_string_append_c (tags_text, ',');
  jz_string_append_int (tags_text, hub_seq);
  g_string_append (tags_text, "]}");
  stmt = prepare (self,
                  "INSERT INTO record (entity, id, owner, creator, parent_id, hlc, deleted, fields_json, tags_json, hub_seq)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (entity, id) DO NOTHING");
  sqlite3_bind_text (stmt, 1, c->entity, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, c->id, -1, SQLITE_STATIC);
  bind_text (stmt, 3, owner);
  sqlite3_bind_text (stmt, 4, c->station, -1, SQLITE_STATIC);
  bind_text (stmt, 5, parent);
  sqlite3_bind_int64 (stmt, 6, hlc);
  sqlite3_bind_int (stmt, 7, deleted);
  /* Its fields are those of the change that made it. */
  sqlite3_bind_null (stmt, 8);
  sqlite3_bind_text (stmt, 9, tags_text->str, (int) tags_text->len, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 10, hub_seq);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return lean_internal (self->db, error);
  if (sqlite3_changes (self->db) == 0)
    {
      /* The id exists after all: undo this change's row and merge. */
      if (!drop_last_change (self, hub_seq))
        return lean_internal (self->db, error);
      return LEAN_EXISTS;
    }

  if (g_str_equal (c->entity, "person") && registry &&
      !update_registry (self, c->id, owner, number, deleted, TRUE, in->now))
    return lean_internal (self->db, error);
  return LEAN_DONE;
}

/* A stored record's tags as the hub writes them, {"field":[hlc,"station",
 * auth,hub_seq],…} (hub_seq may be missing in old ones); FALSE for
 * anything else, which json-c then reads. */
typedef struct
{
  const char *key;
  gsize       key_len;
  const char *value;
  gsize       value_len;
  Tag         tag;
} TagMember;

static gboolean
scan_tag_int (const char **p,
              gint64      *out)
{
  const char *s = *p;
  gint64 v = 0;
  int n = 0;

  while (g_ascii_isdigit (*s) && n < 18)
    v = v * 10 + (*s++ - '0'), n++;
  if (n == 0 || g_ascii_isdigit (*s))
    return FALSE;
  *p = s;
  *out = v;
  return TRUE;
}

static gboolean
scan_tags (const char *text,
           GArray     *members)
{
  const char *p = text;

  g_array_set_size (members, 0);
  if (*p++ != '{')
    return FALSE;
  if (*p == '}')
    return p[1] == '\0';
  for (;;)
    {
      TagMember m = { 0 };
      gint64 auth;

      if (*p++ != '"')
        return FALSE;
      m.key = p;
      while (*p != '"' && *p != '\\' && (guchar) *p >= 0x20)
        p++;
      if (*p != '"')
        return FALSE;
      m.key_len = p - m.key;
      p++;
      if (*p++ != ':')
        return FALSE;
      m.value = p;
      if (*p++ != '[' || !scan_tag_int (&p, &m.tag.hlc) || *p++ != ',' || *p++ != '"')
        return FALSE;
      m.tag.station = p;
      while (g_ascii_isalnum (*p) || *p == '-' || *p == '_')
        p++;
      if (*p++ != '"' || *p++ != ',' || !scan_tag_int (&p, &auth) || auth > G_MAXINT)
        return FALSE;
      m.tag.auth = (int) auth;
      if (*p == ',' && (p++, !scan_tag_int (&p, &m.tag.hub_seq)))
        return FALSE;
      if (*p++ != ']')
        return FALSE;
      m.value_len = p - m.value;
      g_array_append_val (members, m);
      if (*p == '}')
        return p[1] == '\0';
      if (*p++ != ',')
        return FALSE;
    }
}

static int
find_tag (const GArray *tags,
          const char   *key,
          gsize         key_len)
{
  for (guint i = 0; i < tags->len; i++)
    {
      const TagMember *t = &g_array_index (tags, TagMember, i);

      if (t->key_len == key_len && memcmp (t->key, key, key_len) == 0)
        return (int) i;
    }
  return -1;
}

static int
find_field (const GArray *members,
            const char   *key,
            gsize         key_len)
{
  for (guint i = 0; i < members->len; i++)
    {
      const JzJsonMember *m = &g_array_index (members, JzJsonMember, i);

      if (m->key_len == key_len && memcmp (m->key, key, key_len) == 0)
        return (int) i;
    }
  return -1;
}

static void
append_tag (GString    *out,
            gint64      hlc,
            const char *station,
            int         auth,
            gint64      hub_seq)
{
  g_string_append_c (out, '[');
  jz_string_append_int (out, hlc);
  g_string_append (out, ",\"");
  g_string_append (out, station);
  g_string_append (out, "\",");
  jz_string_append_int (out, auth);
  g_string_append_c (out, ',');
  jz_string_append_int (out, hub_seq);
  g_string_append_c (out, ']');
}

/* An update of a live record its writer had seen every written field of
 * (no conflict possible), from fields that came as text: the same rows
 * apply_change() makes for it, without json-c. Anything else (a transfer,
 * a delete or undelete, a record not here, unclaimed or deleted, a field
 * someone else wrote meanwhile, stored text json-c would have to read)
 * is LEAN_UNSUITED and goes the json-c way, which decides. */
static LeanResult
update_lean (JzHubStore      *self,
             Ingest          *in,
             JzChange        *c,
             const JzEntity  *entity,
             gint64           index,
             GError         **error)
{
  const JzHubDevice *device = in->device;
  GArray *incoming = self->scratch_incoming;
  GArray *stored = self->scratch_members;
  GArray *tags;
  g_autofree char *old_owner = NULL;
  g_autofree char *fields_text = NULL;
  g_autofree char *tags_text = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *number = NULL;
  g_autoptr(GString) fields_out = NULL;
  g_autoptr(GString) tags_out = NULL;
  g_autoptr(GString) effective = NULL;
  GString *tag_text = self->scratch_tags;
  const char *run;
  const char *run_end;
  gboolean has_number = FALSE;
  gboolean has_parent = FALSE;
  gint64 hlc = (gint64) c->hlc;
  gint64 rec_hlc = 0;
  gint64 hub_seq;
  sqlite3_stmt *stmt;
  int auth;
  int rc;

  if (self->scratch_tag_members == NULL)
    self->scratch_tag_members = g_array_sized_new (FALSE, FALSE, sizeof (TagMember), 8);
  tags = self->scratch_tag_members;
  g_array_set_size (incoming, 0);
  g_array_set_size (stored, 0);
  if (!jz_json_scan_flat (c->fields_json, strlen (c->fields_json), incoming))
    return LEAN_UNSUITED;
  for (guint i = 0; i < incoming->len; i++)
    {
      const JzJsonMember *m = &g_array_index (incoming, JzJsonMember, i);
      char name[JZ_PROTOCOL_MAX_FIELD_NAME + 1];
      g_autofree char *value = NULL;

      if (!member_name (m, name))
        return LEAN_UNSUITED;
      if (g_str_equal (name, "station") || g_str_equal (name, "deleted"))
        return LEAN_UNSUITED;
      if (m->kind == JZ_JSON_STRING)
        value = jz_json_member_dup_string (m);
      /* A refusal is json-c's path's to word. */
      if (!check_field (self, entity, name, member_type (m), value, index, NULL))
        return LEAN_UNSUITED;
      if (g_str_equal (name, "id_number"))
        number = g_steal_pointer (&value), has_number = TRUE;
      else if (g_str_equal (name, "episode_id"))
        parent = g_steal_pointer (&value), has_parent = TRUE;
    }

  /* A record inserted earlier in this push may still have its fields in
   * a pending change row. */
  if (self->pending_insert && !flush_changes (self))
    return lean_internal (self->db, error);
  stmt = prepare (self,
                  "SELECT r.owner, r.hlc, r.deleted, " RECORD_FIELDS ", r.tags_json FROM record r"
                  " " RECORD_JOIN " WHERE r.entity = ?1 AND r.id = ?2");
  sqlite3_bind_text (stmt, 1, c->entity, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, c->id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      old_owner = column_dup (stmt, 0);
      rec_hlc = sqlite3_column_int64 (stmt, 1);
      if (sqlite3_column_int (stmt, 2) == 0)
        {
          fields_text = column_dup (stmt, 3);
          tags_text = column_dup (stmt, 4);
        }
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return lean_internal (self->db, error);
  if (rc != SQLITE_ROW || fields_text == NULL || tags_text == NULL || *old_owner == '\0' ||
      (!device->hub_level && !g_str_equal (old_owner, device->station)))
    return LEAN_UNSUITED;
  if (!jz_json_scan_flat (fields_text, strlen (fields_text), stored) || !scan_tags (tags_text, tags))
    return LEAN_UNSUITED;
  auth = device->hub_level ? JZ_AUTHORITY_HUB
       : g_str_equal (old_owner, c->station) ? JZ_AUTHORITY_OWNER : JZ_AUTHORITY_OTHER;

  /* Every field written: had the writer seen its stored value? */
  for (guint i = 0; i < incoming->len; i++)
    {
      const JzJsonMember *m = &g_array_index (incoming, JzJsonMember, i);
      int t;

      if (is_hlc (m->key, m->key_len))
        continue;
      t = find_tag (tags, m->key, m->key_len);
      if (t < 0)
        t = find_tag (tags, "*", 1);
      /* No tag at all: nobody wrote it since tags were kept, seen. */
      if (t >= 0 && !tag_seen (self, &g_array_index (tags, TagMember, t).tag, c))
        return LEAN_UNSUITED;
    }

  /* What took effect: the fields written, without the clock. */
  effective = g_string_sized_new (strlen (c->fields_json));
  g_string_append_c (effective, '{');
  append_fields_without_hlc (effective, incoming);
  g_string_append_c (effective, '}');

  hub_seq = insert_change (self, c->station, c->epoch, c->seq, c->entity, c->id, "update",
                           (gint64) c->base_rev, hlc, auth, old_owner, effective->str, NULL, device->id, in->now, TRUE);
  if (hub_seq < 0)
    return lean_internal (self->db, error);

  /* The record: a field written replaces its value (and tag) where it
   * stands; a new one is added at the end, as json-c's object_add does.
   * The members kept are copied in runs, as append_fields_without_hlc()
   * copies them: the stored text is the hub's, "key":value one after
   * another with a comma between. */
  fields_out = g_string_sized_new (strlen (fields_text) + effective->len);
  tags_out = g_string_sized_new (strlen (tags_text) + incoming->len * 40);
  g_string_truncate (tag_text, 0);
  append_tag (tag_text, hlc, c->station, auth, hub_seq);
  g_string_append_c (fields_out, '{');
  run = run_end = NULL;
  for (guint i = 0; i < stored->len; i++)
    {
      const JzJsonMember *m = &g_array_index (stored, JzJsonMember, i);
      const char *start = m->key - 1;
      gboolean plain = m->value == m->key + m->key_len + 2;
      int w = find_field (incoming, m->key, m->key_len);

      if (w >= 0 && is_hlc (m->key, m->key_len))
        w = -1;
      if (!has_parent && m->key_len == 10 && memcmp (m->key, "episode_id", 10) == 0 &&
          m->kind == JZ_JSON_STRING)
        parent = jz_json_member_dup_string (m);
      if (w < 0 && plain && run != NULL && start == run_end + 1 && *run_end == ',')
        {
          run_end = m->value + m->value_len;
          continue;
        }
      if (run != NULL)
        append_run (fields_out, run, run_end);
      run = NULL;
      if (w < 0 && plain)
        {
          run = start;
          run_end = m->value + m->value_len;
          continue;
        }
      append_key (fields_out, m->key, m->key_len);
      if (w >= 0)
        g_string_append_len (fields_out, g_array_index (incoming, JzJsonMember, w).value,
                             g_array_index (incoming, JzJsonMember, w).value_len);
      else
        g_string_append_len (fields_out, m->value, m->value_len);
    }
  if (run != NULL)
    append_run (fields_out, run, run_end);
  g_string_append_c (tags_out, '{');
  run = run_end = NULL;
  for (guint i = 0; i < tags->len; i++)
    {
      const TagMember *t = &g_array_index (tags, TagMember, i);
      int w = find_field (incoming, t->key, t->key_len);

      if (w >= 0 && is_hlc (t->key, t->key_len))
        w = -1;
      if (w < 0)
        {
          /* scan_tags took "key":[…] members with a comma between. */
          if (run == NULL)
            run = t->key - 1;
          run_end = t->value + t->value_len;
          continue;
        }
      if (run != NULL)
        append_run (tags_out, run, run_end);
      run = NULL;
      append_key (tags_out, t->key, t->key_len);
      g_string_append_len (tags_out, tag_text->str, tag_text->len);
    }
  if (run != NULL)
    append_run (tags_out, run, run_end);
  for (guint i = 0; i < incoming->len; i++)
    {
      const JzJsonMember *m = &g_array_index (incoming, JzJsonMember, i);

      if (is_hlc (m->key, m->key_len))
        continue;
      if (find_field (stored, m->key, m->key_len) < 0)
        {
          append_key (fields_out, m->key, m->key_len);
          g_string_append_len (fields_out, m->value, m->value_len);
        }
      if (find_tag (tags, m->key, m->key_len) < 0)
        {
          append_key (tags_out, m->key, m->key_len);
          g_string_append_len (tags_out, tag_text->str, tag_text->len);
        }
    }
  g_string_append_c (fields_out, '}');
  g_string_append_c (tags_out, '}');

  /* The row read above, live and owned as it stays: an UPDATE (the
   * upsert that apply_change() writes looks the key up twice). */
  stmt = prepare (self,
                  "UPDATE record SET parent_id = ?3, hlc = ?4, fields_json = ?5, tags_json = ?6, hub_seq = ?7"
                  " WHERE entity = ?1 AND id = ?2");
  sqlite3_bind_text (stmt, 1, c->entity, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, c->id, -1, SQLITE_STATIC);
  bind_text (stmt, 3, parent);
  sqlite3_bind_int64 (stmt, 4, MAX (hlc, rec_hlc));
  sqlite3_bind_text (stmt, 5, fields_out->str, (int) fields_out->len, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, tags_out->str, (int) tags_out->len, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, hub_seq);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE || sqlite3_changes (self->db) != 1)
    return lean_internal (self->db, error);

  if (has_number && g_str_equal (c->entity, "person") &&
      !update_registry (self, c->id, old_owner, number, FALSE, FALSE, in->now))
    return lean_internal (self->db, error);
  return LEAN_DONE;
}

/* @lookup: FALSE for an insert, which is tried as a new record first
 * (ids are fresh UUIDs, so it nearly always is) and looked up only when the
 * id exists after all. */
static gboolean
apply_change (JzHubStore  *self,
              Ingest      *in,
              JzChange    *c,
              gint64       index,
              gboolean     lookup,
              GError     **error)
{
  const JzEntity *entity = jz_schema_lookup (c->entity);
  const JzHubDevice *device = in->device;
  g_autoptr(JzJson) fields = NULL;
  g_autoptr(JzJson) tags = NULL;
  g_autoptr(JzJson) losses = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *old_owner = NULL;
  const char *new_owner;
  const char *parent;
  sqlite3_stmt *stmt;
  gboolean found = FALSE;
  gboolean deleted = FALSE;
  gboolean is_transfer = FALSE;
  gboolean claimed = FALSE;
  g_autofree char *claim_moves_to = NULL;
  g_autofree char *unclaimed_from = NULL;
  gint64 rec_hlc = 0;
  gint64 hlc;
  gint64 hub_seq;
  g_autoptr(JzJson) incoming = NULL;
  g_autofree char *fields_text = NULL;
  g_autofree char *tags_text = NULL;
  g_autoptr(GPtrArray) fresh = NULL;
  int auth;
  int rc;

  if (entity == NULL || !(entity->flags & JZ_ENTITY_SYNCED))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "Change %" G_GINT64_FORMAT ": “%s” is not a table that syncs", index, c->entity);
      return FALSE;
    }
  if (!lookup && c->op == JZ_OP_INSERT && c->fields == NULL && c->fields_json != NULL)
    {
      switch (insert_lean (self, in, c, entity, index, error))
        {
        case LEAN_DONE:
          return TRUE;
        case LEAN_FAILED:
          return FALSE;
        case LEAN_EXISTS:
          lookup = TRUE;
          break;
        case LEAN_UNSUITED:
          break;
        }
    }
  if (lookup && c->op == JZ_OP_UPDATE && c->fields == NULL && c->fields_json != NULL)
    {
      switch (update_lean (self, in, c, entity, index, error))
        {
        case LEAN_DONE:
          return TRUE;
        case LEAN_FAILED:
          return FALSE;
        case LEAN_EXISTS:
        case LEAN_UNSUITED:
          break;
        }
    }
  /* What follows reads the change table (a record's first fields, the
   * tags' changes) and writes its rows one at a time. */
  if (!flush_changes (self))
    return set_internal (self->db, error);
  losses = json_object_new_array ();
  fresh = g_ptr_array_new ();
  if (jz_change_get_fields (c, error) == NULL)
    return FALSE;
  if (c->op == JZ_OP_VOID)
    {
      /* A place in the stream, nothing more: no record is touched. */
      if (json_object_object_length (c->fields) != 0)
        {
          g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                       "Change %" G_GINT64_FORMAT ": a void change carries no fields", index);
          return FALSE;
        }
      if (insert_change (self, c->station, c->epoch, c->seq, c->entity, c->id, "void", (gint64) c->base_rev,
                         MIN ((gint64) c->hlc, in->hlc_limit), JZ_AUTHORITY_OTHER, device->station, "{}", NULL,
                         device->id, in->now, FALSE) < 0)
        return set_internal (self->db, error);
      return TRUE;
    }
  if (c->op == JZ_OP_TRANSFER || c->op == JZ_OP_SNAPSHOT)
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "Change %" G_GINT64_FORMAT ": a transfer is an update of the record's station, "
                   "and only the hub makes snapshots", index);
      return FALSE;
    }
  incoming = json_object_get (c->fields);
  {
    json_object_object_foreach (incoming, key, val)
      if (!check_field (self, entity, key, json_object_get_type (val),
                        json_object_is_type (val, json_type_string) ? json_object_get_string (val) : NULL,
                        index, error))
        return FALSE;
  }

  hlc = (gint64) c->hlc;
  precedence_limit = in->hlc_limit;
  new_owner = json_string_field (incoming, "station");

  rc = SQLITE_DONE;
  if (lookup)
    {
      stmt = prepare (self,
                      "SELECT r.owner, r.hlc, r.deleted, " RECORD_FIELDS ", r.tags_json FROM record r"
                      " " RECORD_JOIN " WHERE r.entity = ?1 AND r.id = ?2");
      sqlite3_bind_text (stmt, 1, c->entity, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, c->id, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  if (rc == SQLITE_ROW)
    {
      found = TRUE;
      old_owner = column_dup (stmt, 0);
      rec_hlc = sqlite3_column_int64 (stmt, 1);
      deleted = sqlite3_column_int (stmt, 2) != 0;
      fields = json_tokener_parse ((const char *) sqlite3_column_text (stmt, 3));
      tags = json_tokener_parse ((const char *) sqlite3_column_text (stmt, 4));
    }
  if (lookup)
    sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_internal (self->db, error);
  if (found && (fields == NULL || tags == NULL))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_INTERNAL,
                   "The hub's copy of %s %s is damaged; run “jiuzhu-hub check”", c->entity, c->id);
      return FALSE;
    }

  if (!found)
    {
      /* A change of a record the hub has not got (a hub restored from an
       * older backup): whose it is becomes known when its station sends
       * its insert again; until then it belongs to no station. Hub staff
       * may write to it meanwhile (a transfer too: its station field is
       * kept and done when the record is claimed); others may not. */
      if (c->op != JZ_OP_INSERT)
        owner = g_strdup (UNCLAIMED);
      else
        owner = g_strdup (new_owner ? new_owner : c->station);
      if (!may_create (self, device, c, owner, index, error))
        return FALSE;
      auth = device->hub_level ? JZ_AUTHORITY_HUB : JZ_AUTHORITY_OWNER;
      /* The change's fields become the record as they are: no copy. */
      fields = json_object_get (incoming);
      json_object_object_del (fields, "hlc");
      if (!json_object_object_get_ex (fields, "station", NULL) && *owner != '\0')
        json_object_object_add (fields, "station", json_object_new_string (owner));
      if (c->op == JZ_OP_DELETE)
        json_object_object_add (fields, "deleted", json_object_new_int (1));
      {
        json_object *d = json_object_object_get (fields, "deleted");
        deleted = d != NULL && json_object_get_int (d) != 0;
      }
      if (c->op == JZ_OP_INSERT)
        ; /* tags_text once its hub_seq is known */
      else
        {
          /* Part of a record (its insert is not here yet): only the fields
           * written are tagged, so the insert's others are not beaten. A
           * station written meanwhile is the transfer to do at the claim. */
          tags = json_object_new_object ();
          json_object_object_foreach (fields, key, val)
            {
              (void) val;
              json_object_object_add (tags, key, tag_new (hlc, c->station, auth, 0, fresh));
            }
        }
    }
  else
    {
      gboolean append_only = (entity->flags & JZ_ENTITY_APPEND_ONLY) != 0;
      g_autoptr(JzJson) effective = json_object_new_object ();
      Tag strongest = { 0, "", -1, 0 };
      gboolean concurrent_edit = FALSE;

      if (*old_owner == '\0' && c->op == JZ_OP_INSERT)
        {
          const char *moved_to = json_string_field (fields, "station");

          /* Its station sends its insert again: the record is theirs, and
           * a transfer hub staff made meanwhile moves it on from them. */
          g_free (old_owner);
          old_owner = g_strdup (new_owner ? new_owner : c->station);
          if (!station_is_registered (self, old_owner))
            {
              g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN,
                           "Change %" G_GINT64_FORMAT ": station %s is not registered at this hub", index, old_owner);
              return FALSE;
            }
          claimed = TRUE;
          if (moved_to != NULL && !g_str_equal (moved_to, old_owner) && station_is_registered (self, moved_to))
            claim_moves_to = g_strdup (moved_to);
        }
      if (!device->hub_level && !g_str_equal (old_owner, device->station) &&
          !visible_to (self, c->entity, c->id, device->station))
        {
          g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN,
                       "Change %" G_GINT64_FORMAT ": %s %s belongs to station %s; station %s cannot change it",
                       index, c->entity, c->id, old_owner, device->station);
          return FALSE;
        }
      if (*old_owner == '\0')
        unclaimed_from = g_strdup (json_string_field (fields, "station"));
      /* Hub staff writing to a record nobody has claimed yet: its station
       * field waits for the claim. */
      is_transfer = new_owner != NULL && !g_str_equal (new_owner, old_owner) && *old_owner != '\0';
      if (is_transfer && !device->hub_level)
        {
          g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN,
                       "Change %" G_GINT64_FORMAT ": only hub staff can transfer a record to another station",
                       index);
          return FALSE;
        }
      if (is_transfer && !station_is_registered (self, new_owner))
        {
          g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN,
                       "Change %" G_GINT64_FORMAT ": station %s is not registered at this hub", index, new_owner);
          return FALSE;
        }
      auth = device->hub_level ? JZ_AUTHORITY_HUB
           : g_str_equal (old_owner, c->station) ? JZ_AUTHORITY_OWNER : JZ_AUTHORITY_OTHER;

      /* Did anyone else change the record since the writer saw it? */
      {
        json_object_object_foreach (tags, key, val)
          {
            Tag t;

            (void) val;
            tag_get (tags, key, &t);
            if (!g_str_equal (key, "deleted") && !tag_seen (self, &t, c))
              {
                concurrent_edit = TRUE;
                if (precedence_cmp (t.auth, t.hlc, t.station, strongest.auth, strongest.hlc, strongest.station) > 0)
                  strongest = t;
              }
          }
      }

      if (c->op == JZ_OP_DELETE)
        {
          g_autoptr(JzJson) one = json_object_new_int (1);
          g_autoptr(JzJson) zero = json_object_new_int (0);

          /* A delete against a concurrent edit is a conflict too; against
           * a concurrent delete (the record is deleted already) it is not:
           * both sides agree. */
          gboolean contested = !append_only && concurrent_edit && !deleted;

          if (contested &&
              precedence_cmp (auth, hlc, c->station, strongest.auth, strongest.hlc, strongest.station) < 0)
            {
              json_object_array_add (losses, loss_new ("deleted", one, zero, c->station, hlc,
                                                       strongest.station, strongest.hlc));
            }
          else
            {
              if (contested)
                json_object_array_add (losses, loss_new ("deleted", zero, one, strongest.station, strongest.hlc,
                                                         c->station, hlc));
              json_object_object_add (effective, "deleted", json_object_new_int (1));
              json_object_object_add (fields, "deleted", json_object_new_int (1));
              json_object_object_add (tags, "deleted", tag_new (hlc, c->station, auth, 0, fresh));
              deleted = TRUE;
            }
        }
      else
        {
          Tag dtag;

          tag_get (tags, "deleted", &dtag);
          if (!append_only && deleted && !tag_seen (self, &dtag, c) &&
              !json_object_object_get_ex (incoming, "deleted", NULL))
            {
              g_autoptr(JzJson) one = json_object_new_int (1);
              g_autoptr(JzJson) zero = json_object_new_int (0);

              /* An edit of a record deleted meanwhile. */
              if (precedence_cmp (auth, hlc, c->station, dtag.auth, dtag.hlc, dtag.station) > 0)
                {
                  json_object_array_add (losses, loss_new ("deleted", one, zero, dtag.station, dtag.hlc,
                                                           c->station, hlc));
                  json_object_object_add (effective, "deleted", json_object_new_int (0));
                  json_object_object_add (fields, "deleted", json_object_new_int (0));
                  json_object_object_add (tags, "deleted", tag_new (hlc, c->station, auth, 0, fresh));
                  deleted = FALSE;
                }
              else
                json_object_array_add (losses, loss_new ("deleted", zero, one, c->station, hlc,
                                                         dtag.station, dtag.hlc));
            }
        }

      /* The other fields (a delete carries who deleted it, too). */
      {
        json_object_object_foreach (incoming, key, val)
          {
            json_object *old = NULL;
            gboolean had = json_object_object_get_ex (fields, key, &old);
            Tag t;

            if (g_str_equal (key, "hlc") || (c->op == JZ_OP_DELETE && g_str_equal (key, "deleted")) ||
                (claim_moves_to != NULL && g_str_equal (key, "station")))
              continue;
            tag_get (tags, key, &t);
            if (append_only || g_str_equal (key, "station") || tag_seen (self, &t, c))
              {
                /* The writer saw the stored value: a plain update. */
              }
            else if (json_values_equal (had ? old : NULL, val))
              {
                /* Both sides agree. */
              }
            else if (precedence_cmp (auth, hlc, c->station, t.auth, t.hlc, t.station) > 0)
              {
                json_object_array_add (losses, loss_new (key, had ? old : NULL, val, t.station, t.hlc,
                                                         c->station, hlc));
              }
            else
              {
                json_object_array_add (losses, loss_new (key, val, had ? old : NULL, c->station, hlc,
                                                         t.station, t.hlc));
                continue;
              }
            json_object_object_add (effective, key, val ? json_object_get (val) : NULL);
            json_object_object_add (fields, key, val ? json_object_get (val) : NULL);
            json_object_object_add (tags, key, tag_new (hlc, c->station, auth, 0, fresh));
            if (g_str_equal (key, "deleted"))
              deleted = val != NULL && json_object_get_int (val) != 0;
          }
      }
      /* A record nobody has claimed moved on by hub staff: the station it
       * was at keeps seeing it, as after any transfer. */
      if (*old_owner == '\0' && new_owner != NULL && unclaimed_from != NULL &&
          !g_str_equal (unclaimed_from, new_owner) &&
          !grant_visibility (self, c->entity, c->id, unclaimed_from))
        return set_internal (self->db, error);
      owner = g_strdup (claim_moves_to ? claim_moves_to : is_transfer ? new_owner : old_owner);
      is_transfer |= claim_moves_to != NULL;
      /* What is served is what took effect. */
      json_object_put (c->fields);
      c->fields = g_steal_pointer (&effective);
      g_clear_pointer (&c->fields_json, g_free);
    }

  if (json_object_array_length (losses) > 0)
    in->stats->losses += json_object_array_length (losses);

  fields_text = g_strdup (to_json (fields));
  hub_seq = insert_change (self, c->station, c->epoch, c->seq, c->entity, c->id, jz_op_to_string (c->op),
                           (gint64) c->base_rev, hlc, auth, owner,
                           found ? to_json (c->fields) : fields_text,
                           json_object_array_length (losses) > 0 ? to_json (losses) : NULL,
                           device->id, in->now, FALSE);
  if (hub_seq < 0)
    return set_internal (self->db, error);
  tags_complete (fresh, hub_seq);
  if (tags == NULL)
    tags_text = g_strdup_printf ("{\"*\":[%" G_GINT64_FORMAT ",\"%s\",%d,%" G_GINT64_FORMAT "]}",
                                 hlc, c->station, auth, hub_seq);

  parent = json_string_field (fields, "episode_id");
  if (lookup)
    stmt = prepare (self,
                    "INSERT INTO record (entity, id, owner, creator, parent_id, hlc, deleted, fields_json, tags_json, hub_seq)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                    " ON CONFLICT (entity, id) DO UPDATE SET owner = excluded.owner, parent_id = excluded.parent_id,"
                    " hlc = max (hlc, excluded.hlc), deleted = excluded.deleted, fields_json = excluded.fields_json,"
                    " tags_json = excluded.tags_json, hub_seq = excluded.hub_seq");
  else
    stmt = prepare (self,
                    "INSERT INTO record (entity, id, owner, creator, parent_id, hlc, deleted, fields_json, tags_json, hub_seq)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (entity, id) DO NOTHING");
  sqlite3_bind_text (stmt, 1, c->entity, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, c->id, -1, SQLITE_STATIC);
  bind_text (stmt, 3, owner);
  sqlite3_bind_text (stmt, 4, c->station, -1, SQLITE_STATIC);
  bind_text (stmt, 5, parent);
  sqlite3_bind_int64 (stmt, 6, MAX (hlc, rec_hlc));
  sqlite3_bind_int (stmt, 7, deleted);
  /* A new record's fields are those of the change that made it. */
  bind_text (stmt, 8, found ? fields_text : NULL);
  bind_text (stmt, 9, tags != NULL ? to_json (tags) : tags_text);
  sqlite3_bind_int64 (stmt, 10, hub_seq);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_internal (self->db, error);
  if (!lookup && sqlite3_changes (self->db) == 0)
    {
      /* The id exists after all: undo this change's row and merge. */
      stmt = prepare (self, "DELETE FROM change WHERE hub_seq = ?1");
      sqlite3_bind_int64 (stmt, 1, hub_seq);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return set_internal (self->db, error);
      memcpy (self->chain, self->prev_chain, sizeof self->chain);
      return apply_change (self, in, c, index, TRUE, error);
    }

  if (json_object_array_length (losses) > 0 &&
      !record_conflicts (self, hub_seq, c->entity, c->id, losses, in->now))
    return set_internal (self->db, error);

  if (g_str_equal (c->entity, "person") &&
      (json_object_object_get_ex (incoming, "id_number", NULL) ||
       json_object_object_get_ex (incoming, "deleted", NULL) || c->op == JZ_OP_DELETE || is_transfer) &&
      !update_registry (self, c->id, owner, json_string_field (fields, "id_number"), deleted, !found, in->now))
    return set_internal (self->db, error);

  if (is_transfer &&
      !transfer (self, in, c->entity, c->id, old_owner, owner, fields, hlc, hub_seq))
    return set_internal (self->db, error);
  /* What hub staff wrote while the record was unclaimed reaches its station. */
  if (claimed && !emit_snapshot (self, in, c->entity, c->id, hlc))
    return set_internal (self->db, error);

  return TRUE;
}

static void
rollback_push (JzHubStore *self)
{
  pending_clear (self);
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  load_chain (self);
}

/* The hub_seq AUTOINCREMENT would give the next change row: past every
 * one the table has had, deleted ones included; 0 when unknown (then
 * SQLite numbers each row as it is written). */
static gint64
read_next_hub_seq (JzHubStore *self)
{
  sqlite3_stmt *stmt = prepare (self,
                                "SELECT max (coalesce ((SELECT seq FROM sqlite_sequence WHERE name = 'change'), 0),"
                                " coalesce ((SELECT max (hub_seq) FROM change), 0)) + 1");
  gint64 next = 0;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    next = sqlite3_column_int64 (stmt, 0);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return next;
}

gboolean
jz_hub_store_push (JzHubStore         *self,
                   const JzHubDevice  *device,
                   JzPushRequest      *request,
                   JzPushReply        *reply,
                   JzHubIngestStats   *stats,
                   gint64             *high_seq,
                   GError            **error)
{
  JzHubIngestStats local_stats = { 0 };
  Ingest in = { 0 };
  sqlite3_stmt *stmt;
  gboolean known;
  gint64 mark = 0;
  gint64 first;
  gint64 last;
  gint64 first_seq;
  GError *local_error = NULL;

  g_return_val_if_fail (JZ_IS_HUB_STORE (self), FALSE);
  g_return_val_if_fail (request->changes->len > 0, FALSE);

  if (stats == NULL)
    stats = &local_stats;
  memset (stats, 0, sizeof *stats);
  if (high_seq != NULL)
    *high_seq = -1;

  if (!g_str_equal (request->station, device->station))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN,
                   "This device belongs to station %s and cannot push station %s's changes",
                   device->station, request->station);
      return FALSE;
    }
  if (g_str_equal (request->epoch, self->incarnation))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN,
                   "The epoch %s is the hub's own", request->epoch);
      return FALSE;
    }

  in.device = device;
  in.station = request->station;
  in.epoch = request->epoch;
  in.now = now_s ();
  in.hlc_limit = (gint64) JZ_HLC_MAKE (g_get_real_time () / 1000 + MAX_CLOCK_AHEAD_MS, 0);
  in.stats = stats;

  first = ((JzChange *) g_ptr_array_index (request->changes, 0))->seq;
  last = ((JzChange *) g_ptr_array_index (request->changes, request->changes->len - 1))->seq;

  if (sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_UNAVAILABLE,
                   "The hub is busy (%s); try again shortly", sqlite3_errmsg (self->db));
      return FALSE;
    }

  if (!numbers_ready (self))
    g_clear_pointer (&self->numbers, g_free);   /* then every number is looked up */
  pending_clear (self);
  self->next_hub_seq = read_next_hub_seq (self);

  /* A stream the hub has never seen starts at 1, or where its replica
   * declared it starts (hello: a restored store continues its old numbers
   * under a new epoch). Anything else means the hub lost the beginning (a
   * restore from an older backup): a gap, and the replica sends it all. */
  known = get_mark (self, request->station, request->epoch, &mark);
  first_seq = known ? -1 : 1;
  if (first > mark + 1)
    {
      rollback_push (self);
      if (high_seq != NULL)
        *high_seq = mark;
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_GAP,
                   "The hub has this device's changes up to %" G_GINT64_FORMAT
                   "; this push starts at %" G_GINT64_FORMAT ". Push from %" G_GINT64_FORMAT ".",
                   mark, first, mark + 1);
      return FALSE;
    }

  for (guint i = 0; i < request->changes->len; i++)
    {
      JzChange *c = g_ptr_array_index (request->changes, i);

      if (c->station == NULL)
        c->station = g_strdup (request->station);
      if (c->epoch == NULL)
        c->epoch = g_strdup (request->epoch);
      if (c->seq <= mark)
        {
          stats->skipped++;
          continue;
        }
      if (!apply_change (self, &in, c, i + 1, c->op != JZ_OP_INSERT, &local_error))
        {
          if (g_error_matches (local_error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN))
            stats->refused_seq = c->seq;
          rollback_push (self);
          g_propagate_error (error, local_error);
          return FALSE;
        }
      stats->accepted++;
    }

  if (!flush_changes (self))
    {
      set_internal (self->db, error);
      rollback_push (self);
      return FALSE;
    }
  pending_clear (self);

  if (last > mark)
    {
      stmt = prepare (self,
                      "INSERT INTO mark (station, epoch, first_seq, high_seq) VALUES (?1, ?2, ?3, ?4)"
                      " ON CONFLICT (station, epoch) DO UPDATE SET high_seq = excluded.high_seq");
      bind_text (stmt, 1, request->station);
      bind_text (stmt, 2, request->epoch);
      sqlite3_bind_int64 (stmt, 3, first_seq > 0 ? first_seq : 1);
      sqlite3_bind_int64 (stmt, 4, last);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          sqlite3_reset (stmt);
          rollback_push (self);
          return set_internal (self->db, error);
        }
      sqlite3_reset (stmt);
      mark = last;
    }

  if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      set_internal (self->db, error);
      rollback_push (self);
      return FALSE;
    }

  reply->high_seq = mark;
  reply->accepted = stats->accepted;
  reply->skipped = stats->skipped;
  reply->hub_seq = max_hub_seq (self);
  return TRUE;
}

/* Pull */

/* What another station receives of a person: the registry's fields of
 * @fields_json, in the registry's order, appended to @out as an object.
 * FALSE (and nothing appended) when it has none of them. The values are
 * copied as they are stored when the text is a plain flat object
 * (jz_json_scan_flat, @members is its scratch); json-c reads anything
 * else. */
static gboolean
append_projected (GString    *out,
                  const char *fields_json,
                  GArray     *members)
{
  gsize start = out->len;
  gboolean any = FALSE;

  g_string_append_c (out, '{');
  if (jz_json_scan_flat (fields_json, strlen (fields_json), members))
    {
      for (guint i = 0; registry_fields[i] != NULL; i++)
        {
          gsize key_len = strlen (registry_fields[i]);

          for (guint j = 0; j < members->len; j++)
            {
              const JzJsonMember *m = &g_array_index (members, JzJsonMember, j);

              if (m->key_len != key_len || memcmp (m->key, registry_fields[i], key_len) != 0)
                continue;
              if (any)
                g_string_append_c (out, ',');
              any = TRUE;
              jz_json_append_string (out, registry_fields[i]);
              g_string_append_c (out, ':');
              g_string_append_len (out, m->value, m->value_len);
              break;
            }
        }
    }
  else
    {
      g_autoptr(JzJson) all = json_tokener_parse (fields_json);

      for (guint i = 0; all != NULL && registry_fields[i] != NULL; i++)
        {
          json_object *v = NULL;

          if (!json_object_object_get_ex (all, registry_fields[i], &v))
            continue;
          if (any)
            g_string_append_c (out, ',');
          any = TRUE;
          jz_json_append_string (out, registry_fields[i]);
          g_string_append_c (out, ':');
          g_string_append (out, v ? to_json (v) : "null");
        }
    }
  if (!any)
    {
      g_string_truncate (out, start);
      return FALSE;
    }
  g_string_append_c (out, '}');
  return TRUE;
}

char *
jz_hub_store_pull (JzHubStore         *self,
                   const JzHubDevice  *device,
                   const char         *epoch,
                   gint64              since,
                   guint               limit,
                   gsize              *len,
                   GError            **error)
{
  return jz_hub_store_pull_full (self, device, epoch, since, limit, FALSE, len, error);
}

char *
jz_hub_store_pull_full (JzHubStore         *self,
                        const JzHubDevice  *device,
                        const char         *epoch,
                        gint64              since,
                        guint               limit,
                        gboolean            whole,
                        gsize              *len,
                        GError            **error)
{
  g_autoptr(GHashTable) visible = NULL;
  g_autoptr(GString) body = g_string_sized_new (64 * 1024);
  g_autoptr(GString) projected = g_string_sized_new (256);
  g_autoptr(GArray) members = g_array_sized_new (FALSE, FALSE, sizeof (JzJsonMember), 32);
  g_autofree char *anchor = NULL;
  g_autofree char *cursor_anchor = NULL;
  sqlite3_stmt *stmt;
  gint64 cursor = since;
  guint delivered = 0;
  guint scanned = 0;
  gboolean more = FALSE;
  gboolean first = TRUE;
  GString *out;
  int rc;

  g_return_val_if_fail (JZ_IS_HUB_STORE (self), NULL);

  if (limit == 0 || limit > JZ_PROTOCOL_MAX_PULL_PAGE)
    limit = JZ_PROTOCOL_PULL_PAGE;

  /* Records of other stations this one may see (transfers). */
  if (!device->hub_level)
    {
      visible = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      stmt = prepare (self, "SELECT entity || '/' || id FROM visibility WHERE station = ?1");
      bind_text (stmt, 1, device->station);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_hash_table_add (visible, column_dup (stmt, 0));
      sqlite3_reset (stmt);
    }

  /* One read transaction: a consistent view of the pages read. */
  sqlite3_exec (self->db, "BEGIN", NULL, NULL, NULL);
  stmt = prepare (self,
                  "SELECT hub_seq, station, epoch, seq, entity, entity_id, op, base_rev, hlc, auth, scope,"
                  " fields_json, lost_json FROM change WHERE hub_seq > ?1 ORDER BY hub_seq LIMIT ?2");
  sqlite3_bind_int64 (stmt, 1, since);
  sqlite3_bind_int64 (stmt, 2, device->hub_level ? limit : PULL_SCAN_LIMIT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 hub_seq = sqlite3_column_int64 (stmt, 0);
      const char *station = (const char *) sqlite3_column_text (stmt, 1);
      const char *c_epoch = (const char *) sqlite3_column_text (stmt, 2);
      const char *entity = (const char *) sqlite3_column_text (stmt, 4);
      const char *id = (const char *) sqlite3_column_text (stmt, 5);
      const char *scope = (const char *) sqlite3_column_text (stmt, 10);
      const char *fields = (const char *) sqlite3_column_text (stmt, 11);
      const char *lost = (const char *) sqlite3_column_text (stmt, 12);
      gboolean own = g_str_equal (station, device->station) && g_strcmp0 (c_epoch, epoch) == 0;
      gboolean full;
      gboolean project = FALSE;

      if (delivered >= limit)
        {
          more = TRUE;
          break;
        }
      scanned++;
      cursor = hub_seq;

      /* A replica's own change is a stub (it has it), unless the hub
       * changed something of it, or the replica builds its state again
       * from the hub (@whole: its history was replaced by a restore). */
      if (own)
        full = lost != NULL ||
               (whole && !g_str_equal ((const char *) sqlite3_column_text (stmt, 6), "void"));
      else if (g_str_equal ((const char *) sqlite3_column_text (stmt, 6), "void"))
        continue;
      else if (device->hub_level || g_str_equal (scope, device->station))
        full = TRUE;
      else
        {
          g_autofree char *key = g_strconcat (entity, "/", id, NULL);

          full = g_hash_table_contains (visible, key);
          if (!full && g_str_equal (entity, "person"))
            {
              g_string_truncate (projected, 0);
              if (!append_projected (projected, fields, members))
                continue;
              project = TRUE;
            }
          else if (!full)
            continue;
        }

      if (!first)
        g_string_append_c (body, ',');
      first = FALSE;
      delivered++;
      if (own && !full)
        {
          g_string_append_printf (body, "{\"hub_seq\":%" G_GINT64_FORMAT ",\"own_seq\":%" G_GINT64_FORMAT "}",
                                  hub_seq, (gint64) sqlite3_column_int64 (stmt, 3));
          continue;
        }

      g_string_append_printf (body, "{\"hub_seq\":%" G_GINT64_FORMAT ",\"station\":", hub_seq);
      jz_json_append_string (body, station);
      g_string_append (body, ",\"epoch\":");
      jz_json_append_string (body, c_epoch);
      g_string_append_printf (body, ",\"seq\":%" G_GINT64_FORMAT ",\"entity\":", (gint64) sqlite3_column_int64 (stmt, 3));
      jz_json_append_string (body, entity);
      g_string_append (body, ",\"id\":");
      jz_json_append_string (body, id);
      g_string_append (body, ",\"op\":");
      jz_json_append_string (body, (const char *) sqlite3_column_text (stmt, 6));
      if (sqlite3_column_int64 (stmt, 7) != 0)
        g_string_append_printf (body, ",\"base_rev\":%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 7));
      g_string_append_printf (body, ",\"hlc\":%" G_GINT64_FORMAT ",\"auth\":%d",
                              (gint64) sqlite3_column_int64 (stmt, 8), sqlite3_column_int (stmt, 9));
      if (*scope != '\0')
        {
          g_string_append (body, ",\"owner\":");
          jz_json_append_string (body, scope);
        }
      g_string_append (body, ",\"fields\":");
      if (project)
        g_string_append_len (body, projected->str, projected->len);
      else
        g_string_append (body, fields);
      if (lost != NULL && !project)
        {
          g_string_append (body, ",\"lost\":");
          g_string_append (body, lost);
        }
      g_string_append_c (body, '}');
    }
  if (rc == SQLITE_ROW && !more)
    more = TRUE;
  else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      set_internal (self->db, error);
      return NULL;
    }
  /* A full scan page means there may be more, even if nothing was in scope. */
  if (!more && scanned == (device->hub_level ? limit : PULL_SCAN_LIMIT))
    more = TRUE;
  sqlite3_reset (stmt);

  if (cursor > 0)
    cursor_anchor = anchor_at (self, cursor);
  sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);

  out = g_string_sized_new (body->len + 256);
  g_string_append_printf (out, "{\"v\":%d,\"cursor\":%" G_GINT64_FORMAT, JZ_PROTOCOL_VERSION, cursor);
  if (cursor_anchor != NULL)
    {
      g_string_append (out, ",\"anchor\":");
      jz_json_append_string (out, cursor_anchor);
    }
  g_string_append_printf (out, ",\"more\":%s,\"changes\":[", more ? "true" : "false");
  g_string_append_len (out, body->str, body->len);
  g_string_append (out, "]}");
  if (len != NULL)
    *len = out->len;
  return g_string_free (out, FALSE);
}

gboolean
jz_hub_store_check_anchor (JzHubStore *self,
                           gint64      hub_seq,
                           const char *anchor)
{
  g_autofree char *actual = anchor_at (self, hub_seq);

  return g_strcmp0 (actual, anchor) == 0;
}

char *
jz_hub_store_get_record (JzHubStore         *self,
                         const JzHubDevice  *device,
                         const char         *entity,
                         const char         *id,
                         gsize              *len,
                         GError            **error)
{
  sqlite3_stmt *stmt = prepare (self,
                                "SELECT r.owner, r.hlc, r.hub_seq, " RECORD_FIELDS ", c.station, c.epoch, c.seq"
                                " FROM record r " RECORD_JOIN " JOIN change c ON c.hub_seq = r.hub_seq"
                                " WHERE r.entity = ?1 AND r.id = ?2");
  g_autofree char *owner = NULL;
  g_autofree char *fields = NULL;
  g_autofree char *station = NULL;
  g_autofree char *epoch = NULL;
  gint64 hlc = 0, hub_seq = 0, seq = 0;
  gboolean whole;
  GString *out;

  bind_text (stmt, 1, entity);
  bind_text (stmt, 2, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      owner = column_dup (stmt, 0);
      hlc = sqlite3_column_int64 (stmt, 1);
      hub_seq = sqlite3_column_int64 (stmt, 2);
      fields = column_dup (stmt, 3);
      station = column_dup (stmt, 4);
      epoch = column_dup (stmt, 5);
      seq = sqlite3_column_int64 (stmt, 6);
    }
  sqlite3_reset (stmt);

  whole = owner != NULL &&
          (device->hub_level || g_str_equal (owner, device->station) || visible_to (self, entity, id, device->station));
  if (owner == NULL || (!whole && !g_str_equal (entity, "person")))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_NOT_FOUND,
                   "The hub has no %s %s that this device may see", entity, id);
      return NULL;
    }

  out = g_string_new (NULL);
  g_string_append_printf (out, "{\"v\":%d,\"cursor\":%" G_GINT64_FORMAT ",\"more\":false,\"changes\":["
                          "{\"hub_seq\":%" G_GINT64_FORMAT ",\"station\":",
                          JZ_PROTOCOL_VERSION, hub_seq, hub_seq);
  jz_json_append_string (out, station);
  g_string_append (out, ",\"epoch\":");
  jz_json_append_string (out, epoch);
  g_string_append_printf (out, ",\"seq\":%" G_GINT64_FORMAT ",\"entity\":", seq);
  jz_json_append_string (out, entity);
  g_string_append (out, ",\"id\":");
  jz_json_append_string (out, id);
  g_string_append_printf (out, ",\"op\":\"update\",\"hlc\":%" G_GINT64_FORMAT ",\"auth\":%d,\"owner\":",
                          hlc, JZ_AUTHORITY_HUB);
  jz_json_append_string (out, owner);
  g_string_append (out, ",\"fields\":");
  if (whole)
    g_string_append (out, fields);
  else
    {
      g_autoptr(GArray) members = g_array_new (FALSE, FALSE, sizeof (JzJsonMember));

      if (!append_projected (out, fields, members))
        g_string_append (out, "{}");
    }
  g_string_append (out, "}]}");
  if (len != NULL)
    *len = out->len;
  return g_string_free (out, FALSE);
}

/* Blobs */

gboolean
jz_hub_store_put_blob (JzHubStore         *self,
                       const JzHubDevice  *device,
                       const char         *sha256,
                       const void         *data,
                       gsize               len,
                       gboolean           *created,
                       GError            **error)
{
  g_autofree char *actual = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
  sqlite3_stmt *stmt;
  int rc;

  *created = FALSE;
  if (!g_str_equal (actual, sha256))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "The blob's SHA-256 is %s, not %s as its name says; it was cut or changed in transit",
                   actual, sha256);
      return FALSE;
    }
  stmt = prepare (self,
                  "INSERT OR IGNORE INTO blob (sha256, size, station, created_at, data) VALUES (?1, ?2, ?3, ?4, ?5)");
  bind_text (stmt, 1, sha256);
  sqlite3_bind_int64 (stmt, 2, len);
  bind_text (stmt, 3, device->station);
  sqlite3_bind_int64 (stmt, 4, now_s ());
  sqlite3_bind_blob64 (stmt, 5, data, len, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_internal (self->db, error);
  *created = sqlite3_changes (self->db) > 0;
  return TRUE;
}

GBytes *
jz_hub_store_get_blob (JzHubStore  *self,
                       const char  *sha256,
                       GError     **error)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT data FROM blob WHERE sha256 = ?1");
  GBytes *bytes = NULL;

  bind_text (stmt, 1, sha256);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    bytes = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  sqlite3_reset (stmt);
  if (bytes == NULL)
    g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_NOT_FOUND,
                 "The hub has no blob %s", sha256);
  return bytes;
}

/* Links */

char *
jz_hub_store_list_links (JzHubStore         *self,
                         const JzHubDevice  *device,
                         gboolean            json,
                         GError            **error)
{
  sqlite3_stmt *stmt = prepare (self,
                                "SELECT l.a, l.b, l.reason, l.status, ka.owner, kb.owner, l.decided_by, l.decided_at"
                                " FROM person_link l"
                                " LEFT JOIN record ka ON ka.entity = 'person' AND ka.id = l.a"
                                " LEFT JOIN record kb ON kb.entity = 'person' AND kb.id = l.b"
                                " ORDER BY l.created_at, l.a, l.b");
  GString *out = g_string_new (json ? "{\"v\":1,\"links\":[" : "");
  gboolean first = TRUE;

  (void) error;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *sa = (const char *) sqlite3_column_text (stmt, 4);
      const char *sb = (const char *) sqlite3_column_text (stmt, 5);

      if (device != NULL && !device->hub_level &&
          g_strcmp0 (sa, device->station) != 0 && g_strcmp0 (sb, device->station) != 0)
        continue;
      if (json)
        {
          if (!first)
            g_string_append_c (out, ',');
          g_string_append (out, "{\"a\":");
          jz_json_append_string (out, (const char *) sqlite3_column_text (stmt, 0));
          g_string_append (out, ",\"b\":");
          jz_json_append_string (out, (const char *) sqlite3_column_text (stmt, 1));
          g_string_append (out, ",\"station_a\":");
          jz_json_append_string (out, sa ? sa : "");
          g_string_append (out, ",\"station_b\":");
          jz_json_append_string (out, sb ? sb : "");
          g_string_append (out, ",\"reason\":");
          jz_json_append_string (out, (const char *) sqlite3_column_text (stmt, 2));
          g_string_append (out, ",\"status\":");
          jz_json_append_string (out, (const char *) sqlite3_column_text (stmt, 3));
          g_string_append_c (out, '}');
        }
      else
        g_string_append_printf (out, "%s %s  %s %s  %s (%s)\n",
                                sqlite3_column_text (stmt, 0), sa ? sa : "?",
                                sqlite3_column_text (stmt, 1), sb ? sb : "?",
                                sqlite3_column_text (stmt, 3), sqlite3_column_text (stmt, 2));
      first = FALSE;
    }
  sqlite3_reset (stmt);
  if (json)
    g_string_append (out, "]}");
  return g_string_free (out, FALSE);
}

gboolean
jz_hub_store_decide_link (JzHubStore  *self,
                          const char  *person_a,
                          const char  *person_b,
                          const char  *decision,
                          const char  *decided_by,
                          GError     **error)
{
  sqlite3_stmt *stmt;
  const char *a = g_strcmp0 (person_a, person_b) < 0 ? person_a : person_b;
  const char *b = a == person_a ? person_b : person_a;
  int rc;

  if (g_strcmp0 (decision, "same") != 0 && g_strcmp0 (decision, "not_same") != 0 &&
      g_strcmp0 (decision, "suggested") != 0)
    {
      g_set_error (error, JZ_HUB_ERROR, JZ_HUB_ERROR_INVALID,
                   "A decision is “same”, “not_same”, or “suggested” (to undo one)");
      return FALSE;
    }
  if (!jz_uuid_is_valid (a) || !jz_uuid_is_valid (b) || g_str_equal (a, b))
    {
      g_set_error (error, JZ_HUB_ERROR, JZ_HUB_ERROR_INVALID, "A link joins two different person ids");
      return FALSE;
    }
  /* A person may link records the hub did not suggest, too. */
  stmt = prepare (self,
                  "INSERT INTO person_link (a, b, reason, status, created_at, decided_by, decided_at)"
                  " VALUES (?1, ?2, 'manual', ?3, ?5, ?4, ?5)"
                  " ON CONFLICT (a, b) DO UPDATE SET status = excluded.status,"
                  " decided_by = excluded.decided_by, decided_at = excluded.decided_at");
  bind_text (stmt, 1, a);
  bind_text (stmt, 2, b);
  bind_text (stmt, 3, decision);
  bind_text (stmt, 4, decided_by);
  sqlite3_bind_int64 (stmt, 5, now_s ());
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_db_error (self->db, rc, error);
  return TRUE;
}

/* Stats and check */

char *
jz_hub_store_stats (JzHubStore  *self,
                    gboolean     json,
                    GError     **error)
{
  GString *out = g_string_new (NULL);
  sqlite3_stmt *stmt;
  gboolean first = TRUE;
  gint64 total_changes = 0;
  gint64 total_records = 0;

  (void) error;
  if (json)
    g_string_append_printf (out, "{\"incarnation\":\"%s\",\"stations\":[", self->incarnation);
  else
    g_string_append_printf (out, "%-10s %-20s %10s %10s\n", "station", "table", "changes", "records");

  /* Changes by the station that made them; records by their owner. */
  stmt = prepare (self,
                  "SELECT s, e, sum (c), sum (r) FROM ("
                  "  SELECT station AS s, entity AS e, count (*) AS c, 0 AS r FROM change GROUP BY station, entity"
                  "  UNION ALL"
                  "  SELECT owner, entity, 0, count (*) FROM record WHERE deleted = 0 GROUP BY owner, entity)"
                  " GROUP BY s, e ORDER BY s, e");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *station = (const char *) sqlite3_column_text (stmt, 0);
      const char *entity = (const char *) sqlite3_column_text (stmt, 1);
      gint64 changes = sqlite3_column_int64 (stmt, 2);
      gint64 records = sqlite3_column_int64 (stmt, 3);

      total_changes += changes;
      total_records += records;
      if (json)
        {
          g_string_append_printf (out, "%s{\"station\":", first ? "" : ",");
          jz_json_append_string (out, station);
          g_string_append (out, ",\"table\":");
          jz_json_append_string (out, entity);
          g_string_append_printf (out, ",\"changes\":%" G_GINT64_FORMAT ",\"records\":%" G_GINT64_FORMAT "}",
                                  changes, records);
        }
      else
        g_string_append_printf (out, "%-10s %-20s %10" G_GINT64_FORMAT " %10" G_GINT64_FORMAT "\n",
                                station, entity, changes, records);
      first = FALSE;
    }
  sqlite3_reset (stmt);

  {
    gint64 n_devices = 0, n_links = 0, n_conflicts = 0, n_blobs = 0;
    static const char *counts[] = {
      "SELECT count (*) FROM device WHERE revoked_at IS NULL",
      "SELECT count (*) FROM person_link",
      "SELECT count (*) FROM conflict",
      "SELECT count (*) FROM blob",
    };
    gint64 *targets[] = { &n_devices, &n_links, &n_conflicts, &n_blobs };

    for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
      {
        stmt = prepare (self, counts[i]);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          *targets[i] = sqlite3_column_int64 (stmt, 0);
        sqlite3_reset (stmt);
      }
    if (json)
      g_string_append_printf (out,
                              "],\"changes\":%" G_GINT64_FORMAT ",\"records\":%" G_GINT64_FORMAT
                              ",\"hub_seq\":%" G_GINT64_FORMAT ",\"devices\":%" G_GINT64_FORMAT
                              ",\"links\":%" G_GINT64_FORMAT ",\"conflicts\":%" G_GINT64_FORMAT
                              ",\"blobs\":%" G_GINT64_FORMAT "}",
                              total_changes, total_records, max_hub_seq (self), n_devices, n_links,
                              n_conflicts, n_blobs);
    else
      g_string_append_printf (out,
                              "%-10s %-20s %10" G_GINT64_FORMAT " %10" G_GINT64_FORMAT "\n"
                              "devices %" G_GINT64_FORMAT ", person links %" G_GINT64_FORMAT
                              ", conflicts %" G_GINT64_FORMAT ", blobs %" G_GINT64_FORMAT "\n",
                              "total", "", total_changes, total_records, n_devices, n_links,
                              n_conflicts, n_blobs);
  }
  return g_string_free (out, FALSE);
}

static void
check_query (JzHubStore *self,
             GPtrArray  *problems,
             const char *sql,
             const char *format)
{
  sqlite3_stmt *stmt = prepare (self, sql);

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *args[4] = { "", "", "", "" };

      for (int i = 0; i < MIN (4, sqlite3_column_count (stmt)); i++)
        args[i] = (const char *) sqlite3_column_text (stmt, i);
      g_ptr_array_add (problems, g_strdup_printf (format, args[0], args[1], args[2], args[3]));
    }
  sqlite3_reset (stmt);
}

gboolean
jz_hub_store_check (JzHubStore  *self,
                    GPtrArray   *problems,
                    GError     **error)
{
  sqlite3_stmt *stmt;
  guint before = problems->len;

  stmt = prepare (self, "PRAGMA quick_check");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *msg = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (msg, "ok") != 0)
        g_ptr_array_add (problems, g_strdup_printf ("SQLite: %s", msg));
    }
  sqlite3_reset (stmt);

  /* Each stream is at the hub once and without a gap. */
  check_query (self, problems,
               "SELECT station, epoch, seq, count (*) FROM change GROUP BY station, epoch, seq HAVING count (*) > 1",
               "change %s/%s/%s is at the hub %s times");
  check_query (self, problems,
               "SELECT m.station, m.epoch, m.high_seq - m.first_seq + 1,"
               " (SELECT count (*) FROM change c WHERE c.station = m.station AND c.epoch = m.epoch)"
               " FROM mark m WHERE m.high_seq - m.first_seq + 1 <>"
               " (SELECT count (*) FROM change c WHERE c.station = m.station AND c.epoch = m.epoch)",
               "stream %s/%s should hold %s changes but holds %s");
  check_query (self, problems,
               "SELECT c.station, c.epoch, c.seq FROM change c JOIN mark m USING (station, epoch)"
               " WHERE c.seq < m.first_seq OR c.seq > m.high_seq",
               "change %s/%s/%s is outside its stream's marks");
  check_query (self, problems,
               "SELECT entity, id FROM record WHERE json_valid (coalesce (fields_json, '{}')) = 0"
               " OR json_valid (tags_json) = 0",
               "record %s %s has damaged JSON");
  check_query (self, problems,
               "SELECT r.entity, r.id FROM record r WHERE NOT EXISTS"
               " (SELECT 1 FROM change c WHERE c.hub_seq = r.hub_seq)",
               "record %s %s points at a change the hub does not have");
  check_query (self, problems,
               "SELECT r.entity, r.id, r.owner FROM record r WHERE r.owner <> '' AND NOT EXISTS"
               " (SELECT 1 FROM station s WHERE s.code = r.owner)",
               "record %s %s belongs to an unregistered station %s");
  (void) error;
  return problems->len == before;
}
