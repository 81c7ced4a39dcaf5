/* jz-store.c: the station's local SQLite store
 *
 * One file per device profile. WAL, foreign keys, synchronous=FULL.
 * The schema is versioned with PRAGMA user_version and moved forward by the
 * SQL migrations compiled into the core's GResource
 * (/cn/jiuzhu/Station/migrations/NNNN-name.sql). A file that is not a
 * Jiuzhu store, or that has a newer schema than this program, is refused
 * before anything is written to it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-store"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "jz-audit.h"
#include "jz-core.h"
#include "jz-due.h"
#include "jz-hlc.h"
#include "jz-schema.h"
#include "jz-search.h"
#include "jz-store.h"
#include "jz-station.h"
#include "jz-uuid.h"

#define MIGRATIONS_PATH "/cn/jiuzhu/Station/migrations"

struct _JzStore
{
  GObject         parent_instance;

  char           *path;
  sqlite3        *db;
  GHashTable     *statements;   /* owned SQL text → sqlite3_stmt */
  int             schema_version;
  char           *station_code;
  char           *station_name;
  char           *epoch;
  JzStationLevel  level;

  JzAuditState    audit;         /* read by the triggers' SQL functions */
  JzHlc           hlc;
  gboolean        hlc_loaded;    /* meta's clock read in this transaction */
  guint           write_depth;   /* jz_store_write_begin nesting */
  gboolean        write_began;   /* the outermost level issued BEGIN */
  GPtrArray      *pending;       /* interned table names to announce */
  gboolean        bulk_journal;  /* jz_store_set_bulk() left WAL for a rollback journal */
  GThread        *checkpointer;  /* the WAL checkpoint running aside, or NULL */
  gint            checkpointing; /* atomic: 1 while it runs */
};

/* The WAL is checkpointed when it reaches this many frames (SQLite's own
 * default); with checkpoints aside, in a thread of their own, and inside
 * the commit only past the bound, should the thread fall behind. */
/* The page cache: everyday, and during bulk writes (KiB, as
 * PRAGMA cache_size takes them when negative). */
#define CACHE_KIB "16384"
#define CACHE_KIB_BULK "262144"

#define CHECKPOINT_FRAMES 1000
#define CHECKPOINT_FRAMES_BOUND 10000

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (JzStore, jz_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (jz-store-error-quark, jz_store_error)

typedef struct
{
  int   version;
  char *resource;
} Migration;

static void
migration_free (gpointer data)
{
  Migration *m = data;

  g_free (m->resource);
  g_free (m);
}

static int
migration_compare (gconstpointer a,
                   gconstpointer b)
{
  const Migration *ma = *(const Migration **) a;
  const Migration *mb = *(const Migration **) b;

  return ma->version - mb->version;
}

/* The migrations compiled in, sorted by version. */
static GPtrArray *
list_migrations (void)
{
  g_auto(GStrv) names = NULL;
  GPtrArray *list = g_ptr_array_new_with_free_func (migration_free);

  jz_core_init ();
  names = g_resources_enumerate_children (MIGRATIONS_PATH, 0, NULL);
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      Migration *m;
      char *end = NULL;
      guint64 v;

      if (!g_str_has_suffix (names[i], ".sql"))
        continue;
      v = g_ascii_strtoull (names[i], &end, 10);
      if (end == names[i] || v == 0 || v > G_MAXINT)
        continue;

      m = g_new0 (Migration, 1);
      m->version = (int) v;
      m->resource = g_build_path ("/", MIGRATIONS_PATH, names[i], NULL);
      g_ptr_array_add (list, m);
    }
  g_ptr_array_sort (list, migration_compare);
  return list;
}

int
jz_store_get_code_schema_version (void)
{
  g_autoptr(GPtrArray) list = list_migrations ();

  if (list->len == 0)
    return 0;
  return ((Migration *) g_ptr_array_index (list, list->len - 1))->version;
}

static gboolean
set_db_error (sqlite3  *db,
              int       rc,
              GError  **error)
{
  int code;
  const char *msg = db ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_NOTADB:
      code = JZ_STORE_ERROR_NOT_A_STORE;
      break;
    case SQLITE_CORRUPT:
      code = JZ_STORE_ERROR_CORRUPT;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = JZ_STORE_ERROR_BUSY;
      break;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
      code = JZ_STORE_ERROR_INVALID;
      break;
    default:
      code = JZ_STORE_ERROR_IO;
      break;
    }
  g_set_error (error, JZ_STORE_ERROR, code, "%s", msg);
  return FALSE;
}

gboolean
jz_store_set_error_from_db (JzStore  *self,
                            int       rc,
                            GError  **error)
{
  g_return_val_if_fail (JZ_IS_STORE (self), FALSE);
  return set_db_error (self->db, rc, error);
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
      int code = (rc & 0xff) == SQLITE_NOTADB ? JZ_STORE_ERROR_NOT_A_STORE
               : (rc & 0xff) == SQLITE_CORRUPT ? JZ_STORE_ERROR_CORRUPT
               : (rc & 0xff) == SQLITE_BUSY ? JZ_STORE_ERROR_BUSY
               : (rc & 0xff) == SQLITE_CONSTRAINT ? JZ_STORE_ERROR_INVALID
               : JZ_STORE_ERROR_IO;
      g_set_error (error, JZ_STORE_ERROR, code, "%s", msg ? msg : sqlite3_errstr (rc));
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

static gboolean
pragma_int (sqlite3     *db,
            const char  *sql,
            int         *out,
            GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_db_error (db, rc, error);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  *out = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return TRUE;
}

/* Moves the schema from @from to the newest version in one transaction,
 * and (re)installs the generated change-capture triggers when their text
 * differs from what the file holds: an upgrade either completes or leaves
 * the file as it was. */
static gboolean
migrate (sqlite3  *db,
         int       from,
         int      *to,
         GError  **error)
{
  g_autoptr(GPtrArray) list = list_migrations ();
  g_autofree char *digest = jz_schema_trigger_digest ();
  g_autofree char *stored_digest = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean need_triggers;
  gboolean any = FALSE;

  *to = from;
  for (guint i = 0; i < list->len; i++)
    if (((Migration *) g_ptr_array_index (list, i))->version > from)
      any = TRUE;

  if (from >= 2 &&
      sqlite3_prepare_v2 (db, "SELECT value FROM meta WHERE key = 'trigger_digest'", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    stored_digest = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  need_triggers = g_strcmp0 (stored_digest, digest) != 0;
  if (!need_triggers && from >= 2 && !jz_schema_triggers_installed (db))
    {
      /* Nobody but a shell drops them: put them back so that nothing
       * escapes the outbox from now on; `check` still shows what was
       * changed meanwhile. */
      g_message ("The store's change-capture triggers were altered outside Jiuzhu and are reinstalled; "
                 "run “jiuzhu-cli check” to see what changed");
      need_triggers = TRUE;
    }

  if (!any && (from < 2 || !need_triggers))
    return TRUE;

  if (!exec (db, "BEGIN IMMEDIATE", error))
    return FALSE;
  for (guint i = 0; i < list->len; i++)
    {
      Migration *m = g_ptr_array_index (list, i);
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *sql = NULL;
      g_autofree char *set_version = NULL;

      if (m->version <= from)
        continue;

      bytes = g_resources_lookup_data (m->resource, 0, error);
      if (bytes == NULL)
        {
          exec (db, "ROLLBACK", NULL);
          return FALSE;
        }
      sql = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      set_version = g_strdup_printf ("PRAGMA user_version = %d", m->version);

      g_debug ("Migrating schema to version %d", m->version);
      if (!exec (db, sql, error) || !exec (db, set_version, error))
        {
          exec (db, "ROLLBACK", NULL);
          /* Translators: %d is a schema version; the reason follows. */
          g_prefix_error (error, _("Cannot upgrade the store to schema version %d: "), m->version);
          return FALSE;
        }
      *to = m->version;
    }
  if (*to >= 2 && !jz_schema_install_triggers (db, error))
    {
      exec (db, "ROLLBACK", NULL);
      *to = from;
      return FALSE;
    }
  if (!exec (db, "COMMIT", error))
    {
      exec (db, "ROLLBACK", NULL);
      *to = from;
      return FALSE;
    }
  return TRUE;
}

/* JIUZHU_SLOW_SQL_MS=N: each statement that ran N ms or longer is logged
 * with its text as written (parameters unexpanded: no personal data). */
static int
trace_slow (unsigned  type,
            void     *data,
            void     *stmt,
            void     *ns)
{
  gint64 took_ms = *(sqlite3_int64 *) ns / 1000000;

  if (took_ms >= GPOINTER_TO_INT (data))
    g_message ("SQL took %" G_GINT64_FORMAT " ms: %s", took_ms, sqlite3_sql (stmt));
  return 0;
}

static gboolean
configure (sqlite3  *db,
           GError  **error)
{
  const char *slow = g_getenv ("JIUZHU_SLOW_SQL_MS");

  if (slow != NULL)
    sqlite3_trace_v2 (db, SQLITE_TRACE_PROFILE, trace_slow,
                      GINT_TO_POINTER (MAX (0, atoi (slow))));
  sqlite3_busy_timeout (db, 5000);
  sqlite3_extended_result_codes (db, 1);
  return exec (db,
               "PRAGMA journal_mode = WAL;"
               "PRAGMA synchronous = FULL;"
               "PRAGMA foreign_keys = ON;"
               /* Each user action is a savepoint when nested in a bulk
                * transaction; its sub-journal in a temp file costs a
                * write per page touched. */
               "PRAGMA temp_store = MEMORY;"
               "PRAGMA cache_size = -" CACHE_KIB ";",
               error);
}

static void
finalize_stmt (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

/* Whether the store is now in @mode (as PRAGMA journal_mode names it). */
static gboolean
set_journal_mode (sqlite3    *db,
                  const char *mode)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA journal_mode = %s", mode);
  sqlite3_stmt *stmt = NULL;
  gboolean done = FALSE;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    done = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), mode) == 0;
  sqlite3_finalize (stmt);
  return done;
}

static void
jz_store_finalize (GObject *object)
{
  JzStore *self = (JzStore *) object;

  jz_store_wait_checkpoint (self);

  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL && self->bulk_journal)
    set_journal_mode (self->db, "wal");
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  jz_audit_state_clear (&self->audit);
  g_free (self->path);
  g_free (self->station_code);
  g_free (self->station_name);
  g_free (self->epoch);

  G_OBJECT_CLASS (jz_store_parent_class)->finalize (object);
}

static void
jz_store_class_init (JzStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = jz_store_finalize;

  /**
   * JzStore::changed:
   * @table: the table written
   *
   * Emitted on the store's thread after a committed write, with the
   * table name as detail, so that views can refresh.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
jz_store_init (JzStore *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_stmt);
  self->pending = g_ptr_array_new ();
}

/* The clock in meta may have been moved by another connection: read it
 * again in each transaction. */
static int
on_commit (void *data)
{
  JzStore *self = data;

  self->hlc_loaded = FALSE;
  return 0;
}

static void
on_rollback (void *data)
{
  JzStore *self = data;

  self->hlc_loaded = FALSE;
}

static gboolean
load_identity (JzStore  *self,
               GError  **error)
{
  g_autofree char *level = NULL;

  self->station_code = jz_store_get_meta (self, "station_code");
  self->station_name = jz_store_get_meta (self, "station_name");
  self->epoch = jz_store_get_meta (self, "epoch");
  level = jz_store_get_meta (self, "station_level");

  if (self->station_code == NULL || self->station_name == NULL ||
      self->epoch == NULL || level == NULL ||
      !jz_station_level_from_string (level, &self->level))
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_CORRUPT,
                   /* Translators: %s is the store file's path. */
                   _("The store %s has no station identity; restore it from a backup"),
                   self->path);
      return FALSE;
    }
  return jz_audit_ensure_device (self->db, self->epoch, &self->audit.device, error);
}

/* A store upgraded to the kept deadlines (schema 7) computes them now,
 * once, rather than in the first save a worker makes. Should another
 * process hold the store, the first commit does it instead. */
static void
build_due_cache (JzStore *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *floor = jz_store_get_meta (self, "due_floor");

  if (floor != NULL)
    return;
  if (jz_store_write_begin (self, &error))
    jz_store_write_end (self, TRUE, &error);
  if (error != NULL)
    g_debug ("The deadlines are computed at the next save: %s", error->message);
}

/* Checks that @db is a Jiuzhu store this program can use, without writing. */
static gboolean
check_identity (sqlite3     *db,
                const char  *path,
                int         *version,
                GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  int app_id = 0;

  if (!pragma_int (db, "PRAGMA application_id", &app_id, &local_error))
    {
      if (g_error_matches (local_error, JZ_STORE_ERROR, JZ_STORE_ERROR_NOT_A_STORE))
        g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_NOT_A_STORE,
                     /* Translators: %s is a file's path. */
                     _("%s is not a Jiuzhu store (it is not a SQLite database). "
                       "It was left untouched; choose another profile or move the file away."),
                     path);
      else
        g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                    /* Translators: %s is a file's path; the reason follows. */
                                    _("Cannot read %s: "), path);
      return FALSE;
    }
  if (app_id != JZ_STORE_APPLICATION_ID)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_NOT_A_STORE,
                   /* Translators: %s is a file's path. */
                   _("%s is a SQLite database but not a Jiuzhu store. "
                     "It was left untouched; choose another profile or move the file away."),
                   path);
      return FALSE;
    }
  if (!pragma_int (db, "PRAGMA user_version", version, error))
    return FALSE;
  if (*version > jz_store_get_code_schema_version ())
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_TOO_NEW,
                   /* Translators: a file's path, the file's schema version and the
                    * newest this program knows. */
                   _("%s was written by a newer version of Jiuzhu (schema %d; this program knows up to %d). "
                     "It was left untouched; update Jiuzhu to open it."),
                   path, *version, jz_store_get_code_schema_version ());
      return FALSE;
    }
  return TRUE;
}

JzStore *
jz_store_open (const char  *path,
               GError     **error)
{
  g_autoptr(JzStore) self = NULL;
  sqlite3 *db = NULL;
  int version = 0;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  jz_sqlite_configure ();
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_NOT_FOUND,
                   /* Translators: %s is a file's path. */
                   _("There is no store at %s"), path);
      return NULL;
    }

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (db, rc, error);
      /* Translators: %s is a file's path; the reason follows. */
      g_prefix_error (error, _("Cannot open %s: "), path);
      sqlite3_close_v2 (db);
      return NULL;
    }

  self = g_object_new (JZ_TYPE_STORE, NULL);
  self->db = db;
  self->path = g_strdup (path);
  sqlite3_commit_hook (db, on_commit, self);
  sqlite3_rollback_hook (db, on_rollback, self);

  if (!check_identity (db, path, &version, error) ||
      !jz_audit_register_functions (db, &self->audit, error) ||
      !jz_search_register_functions (db, error) ||
      !configure (db, error) ||
      !migrate (db, version, &self->schema_version, error) ||
      !load_identity (self, error))
    return NULL;

  build_due_cache (self);
  return g_steal_pointer (&self);
}

static gboolean
initialise (sqlite3         *db,
            const char      *station_code,
            const char      *station_name,
            JzStationLevel   level,
            GError         **error)
{
  static const char *sql = "INSERT INTO meta (key, value) VALUES (?1, ?2)";
  g_autofree char *epoch = jz_uuid_v7_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = g_date_time_format_iso8601 (now);
  const char *pairs[][2] = {
    { "station_code", station_code },
    { "station_name", station_name },
    { "station_level", jz_station_level_to_string (level) },
    { "epoch", epoch },
    { "created_at", created },
  };
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!exec (db, "BEGIN IMMEDIATE", error))
    return FALSE;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  for (guint i = 0; rc == SQLITE_OK && i < G_N_ELEMENTS (pairs); i++)
    {
      sqlite3_bind_text (stmt, 1, pairs[i][0], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, pairs[i][1], -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
      sqlite3_reset (stmt);
    }
  if (rc != SQLITE_OK)
    {
      set_db_error (db, rc, error);
      sqlite3_finalize (stmt);
      exec (db, "ROLLBACK", NULL);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  return exec (db, "COMMIT", error);
}

/* A crashed earlier attempt may have left a WAL beside the file; SQLite
 * would replay it into the new database. */
static void
remove_with_journal (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (path, suffixes[i], NULL);
      g_unlink (p);
    }
}

/* Creates a new store at @path. It is built in a temporary file beside
 * @path and renamed into place only when complete, so a crash never leaves
 * a half-made store behind. */
JzStore *
jz_store_create (const char      *path,
                 const char      *station_code,
                 const char      *station_name,
                 JzStationLevel   level,
                 GError         **error)
{
  g_autofree char *tmp = NULL;
  g_autofree char *name = NULL;
  g_autofree char *set_app_id = g_strdup_printf ("PRAGMA application_id = %d", JZ_STORE_APPLICATION_ID);
  JzAuditState audit = { 0, };
  sqlite3 *db = NULL;
  int version = 0;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (station_code != NULL, NULL);
  g_return_val_if_fail (station_name != NULL, NULL);

  jz_sqlite_configure ();
  if (!jz_station_code_validate (station_code, error))
    return NULL;
  name = g_strstrip (g_strdup (station_name));
  if (*name == '\0')
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   _("The station name is empty; type the station's name"));
      return NULL;
    }
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_EXISTS,
                   /* Translators: %s is a file's path. */
                   _("A store already exists at %s; it was left untouched"), path);
      return NULL;
    }

  tmp = g_strdup_printf ("%s.new", path);
  remove_with_journal (tmp);

  rc = sqlite3_open_v2 (tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (db, rc, error);
      /* Translators: %s is a file's path; the reason follows. */
      g_prefix_error (error, _("Cannot create %s: "), path);
      sqlite3_close_v2 (db);
      return NULL;
    }

  /* The search migration fills its index with these functions, the
   * audit one calls jz_uuid_pack (nothing is audited while creating). */
  if (!exec (db, set_app_id, error) ||
      !jz_audit_register_functions (db, &audit, error) ||
      !jz_search_register_functions (db, error) ||
      !configure (db, error) ||
      !migrate (db, 0, &version, error) ||
      !initialise (db, station_code, name, level, error) ||
      !exec (db, "PRAGMA journal_mode = DELETE", error))
    {
      /* Translators: %s is a file's path; the reason follows. */
      g_prefix_error (error, _("Cannot create %s: "), path);
      jz_audit_state_clear (&audit);
      sqlite3_close_v2 (db);
      remove_with_journal (tmp);
      return NULL;
    }
  jz_audit_state_clear (&audit);
  sqlite3_close_v2 (db);

  /* @path does not exist, so a WAL beside it is an orphan of a removed
   * store and would be replayed into this one. */
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_unlink (wal);
    g_unlink (shm);
  }
  if (g_rename (tmp, path) != 0)
    {
      int saved = errno;
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_IO,
                   /* Translators: a file's path and the system's reason. */
                   _("Cannot create %s: %s"), path, g_strerror (saved));
      g_unlink (tmp);
      return NULL;
    }

  return jz_store_open (path, error);
}

/* The checkpoint thread: its own connection, PASSIVE (it never waits for
 * a writer, and a writer never waits for it beyond the WAL's locks). */
static gpointer
checkpoint_thread (gpointer data)
{
  JzStore *self = data;
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (self->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK)
    {
      int rc;

      sqlite3_busy_timeout (db, 5000);
      /* A new connection knows the file is in WAL mode once it has read it. */
      rc = sqlite3_exec (db, "PRAGMA schema_version", NULL, NULL, NULL);
      if (rc == SQLITE_OK)
        rc = sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
      if (rc != SQLITE_OK)
        g_debug ("The WAL checkpoint is left to the next one: %s", sqlite3_errmsg (db));
    }
  sqlite3_close_v2 (db);
  g_atomic_int_set (&self->checkpointing, 0);
  return NULL;
}

static int
on_wal (void       *data,
        sqlite3    *db,
        const char *name,
        int         n_frames)
{
  JzStore *self = data;

  if (n_frames < CHECKPOINT_FRAMES)
    return SQLITE_OK;
  if (g_atomic_int_compare_and_exchange (&self->checkpointing, 0, 1))
    {
      /* The previous thread has ended (it cleared the flag last). */
      g_clear_pointer (&self->checkpointer, g_thread_join);
      self->checkpointer = g_thread_new ("jz-checkpoint", checkpoint_thread, self);
    }
  else if (n_frames >= CHECKPOINT_FRAMES_BOUND)
    sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  return SQLITE_OK;
}

void
jz_store_set_checkpoint_aside (JzStore  *self,
                               gboolean  aside)
{
  g_return_if_fail (JZ_IS_STORE (self));

  if (aside)
    sqlite3_wal_hook (self->db, on_wal, self);
  else
    {
      jz_store_wait_checkpoint (self);
      sqlite3_wal_autocheckpoint (self->db, CHECKPOINT_FRAMES);
    }
}

void
jz_store_set_bulk (JzStore  *self,
                   gboolean  bulk)
{
  g_return_if_fail (JZ_IS_STORE (self));

  /* Cannot fail: a pragma that only sets a number. */
  exec (self->db, bulk ? "PRAGMA cache_size = -" CACHE_KIB_BULK : "PRAGMA cache_size = -" CACHE_KIB, NULL);

  jz_store_set_bulk_journal (self, bulk);
}

void
jz_store_set_bulk_journal (JzStore  *self,
                           gboolean  bulk)
{
  g_return_if_fail (JZ_IS_STORE (self));
  g_return_if_fail (self->write_depth == 0);

  /* A rollback journal keeps the old content of the pages a transaction
   * changes; the WAL takes a copy of every page it writes, and the
   * checkpoint writes it once more. When bulk writes add to a store, most
   * pages are new: the journal writes them once. SQLite leaves WAL only
   * for a connection that is alone with the file; when another has it
   * open the pragma keeps WAL and says so, and nothing changes. A kill
   * meanwhile leaves a hot journal, rolled back by the next opener, which
   * puts the store back in WAL (configure()). */
  if (bulk && !self->bulk_journal)
    self->bulk_journal = set_journal_mode (self->db, "truncate");
  else if (!bulk && self->bulk_journal)
    self->bulk_journal = !set_journal_mode (self->db, "wal");
}

gboolean
jz_store_wait_checkpoint (JzStore *self)
{
  g_return_val_if_fail (JZ_IS_STORE (self), FALSE);

  if (self->checkpointer == NULL)
    return FALSE;
  g_clear_pointer (&self->checkpointer, g_thread_join);
  return TRUE;
}

const char *
jz_store_get_path (JzStore *self)
{
  g_return_val_if_fail (JZ_IS_STORE (self), NULL);
  return self->path;
}

sqlite3 *
jz_store_get_db (JzStore *self)
{
  g_return_val_if_fail (JZ_IS_STORE (self), NULL);
  return self->db;
}

int
jz_store_get_schema_version (JzStore *self)
{
  g_return_val_if_fail (JZ_IS_STORE (self), 0);
  return self->schema_version;
}

const char *
jz_store_get_station_code (JzStore *self)
{
  g_return_val_if_fail (JZ_IS_STORE (self), NULL);
  return self->station_code;
}

const char *
jz_store_get_station_name (JzStore *self)
{
  g_return_val_if_fail (JZ_IS_STORE (self), NULL);
  return self->station_name;
}

JzStationLevel
jz_store_get_station_level (JzStore *self)
{
  g_return_val_if_fail (JZ_IS_STORE (self), JZ_STATION_LEVEL_COUNTY);
  return self->level;
}

const char *
jz_store_get_epoch (JzStore *self)
{
  g_return_val_if_fail (JZ_IS_STORE (self), NULL);
  return self->epoch;
}

/**
 * jz_store_prepare:
 *
 * Returns: (transfer none): a cached statement for @sql, reset and with
 *   its bindings cleared. @sql must be a constant string from the program,
 *   never text built from user input.
 */
sqlite3_stmt *
jz_store_prepare (JzStore     *self,
                  const char  *sql,
                  GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (JZ_IS_STORE (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  stmt = g_hash_table_lookup (self->statements, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (self->db, rc, error);
      return NULL;
    }
  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

gboolean
jz_store_exec (JzStore     *self,
               const char  *sql,
               GError     **error)
{
  g_return_val_if_fail (JZ_IS_STORE (self), FALSE);
  return exec (self->db, sql, error);
}

gboolean
jz_store_begin (JzStore  *self,
                GError  **error)
{
  return jz_store_exec (self, "BEGIN IMMEDIATE", error);
}

static void
flush_pending (JzStore *self)
{
  g_autoptr(GPtrArray) tables = g_steal_pointer (&self->pending);

  self->pending = g_ptr_array_new ();
  for (guint i = 0; i < tables->len; i++)
    jz_store_emit_changed (self, tables->pdata[i]);
}

gboolean
jz_store_commit (JzStore  *self,
                 GError  **error)
{
  /* The search index and the kept deadlines follow the records in the
   * same transaction. */
  if (!jz_search_flush (self, error) ||
      !jz_due_cache_flush (self, error))
    {
      jz_store_rollback (self);
      return FALSE;
    }
  if (!jz_store_exec (self, "COMMIT", error))
    {
      jz_store_rollback (self);
      return FALSE;
    }
  flush_pending (self);
  return TRUE;
}

void
jz_store_rollback (JzStore *self)
{
  g_return_if_fail (JZ_IS_STORE (self));
  if (!sqlite3_get_autocommit (self->db))
    exec (self->db, "ROLLBACK", NULL);
  g_ptr_array_set_size (self->pending, 0);
}

gboolean
jz_store_write_begin (JzStore  *self,
                      GError  **error)
{
  g_return_val_if_fail (JZ_IS_STORE (self), FALSE);

  if (self->write_depth == 0 && sqlite3_get_autocommit (self->db))
    {
      if (!exec (self->db, "BEGIN IMMEDIATE", error))
        return FALSE;
      self->write_began = TRUE;
    }
  else if (!exec (self->db, "SAVEPOINT jz_write", error))
    return FALSE;
  self->write_depth++;
  return TRUE;
}

gboolean
jz_store_write_end (JzStore   *self,
                    gboolean   ok,
                    GError   **error)
{
  gboolean outermost;

  g_return_val_if_fail (JZ_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->write_depth > 0, FALSE);

  self->write_depth--;
  outermost = self->write_depth == 0 && self->write_began;
  if (outermost)
    {
      self->write_began = FALSE;
      if (ok)
        return jz_store_commit (self, error);
      jz_store_rollback (self);
      return FALSE;
    }
  if (ok)
    {
      if (exec (self->db, "RELEASE jz_write", error))
        return TRUE;
    }
  /* Undo only this action; the caller's transaction goes on. */
  exec (self->db, "ROLLBACK TO jz_write", NULL);
  exec (self->db, "RELEASE jz_write", NULL);
  return FALSE;
}

void
jz_store_note_changed (JzStore    *self,
                       const char *table)
{
  const char *interned;

  g_return_if_fail (JZ_IS_STORE (self));

  interned = g_intern_string (table);
  for (guint i = 0; i < self->pending->len; i++)
    if (self->pending->pdata[i] == interned)
      return;
  g_ptr_array_add (self->pending, (gpointer) interned);
  /* Outside any transaction the write has already committed. */
  if (sqlite3_get_autocommit (self->db))
    flush_pending (self);
}

void
jz_store_set_applying (JzStore  *self,
                       gboolean  applying)
{
  g_return_if_fail (JZ_IS_STORE (self));
  self->audit.applying = !!applying;
}

gboolean
jz_store_get_applying (JzStore *self)
{
  g_return_val_if_fail (JZ_IS_STORE (self), FALSE);
  return self->audit.applying;
}

void
jz_store_set_actor (JzStore    *self,
                    const char *staff_id)
{
  g_return_if_fail (JZ_IS_STORE (self));
  g_free (self->audit.actor);
  self->audit.actor = g_strdup (staff_id);
}

const char *
jz_store_get_actor (JzStore *self)
{
  g_return_val_if_fail (JZ_IS_STORE (self), NULL);
  return self->audit.actor;
}

static gboolean
load_hlc (JzStore  *self,
          GError  **error)
{
  g_autofree char *text = NULL;

  if (self->hlc_loaded)
    return TRUE;
  text = jz_store_get_meta (self, "hlc");
  if (text != NULL)
    self->hlc.last = MAX (self->hlc.last, g_ascii_strtoull (text, NULL, 10));
  /* Outside a transaction every statement commits: read it each time. */
  self->hlc_loaded = !sqlite3_get_autocommit (self->db);
  return TRUE;
}

static gboolean
save_hlc (JzStore  *self,
          GError  **error)
{
  char text[32];

  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, self->hlc.last);
  return jz_store_set_meta (self, "hlc", text, error);
}

gint64
jz_store_hlc_now (JzStore  *self,
                  GError  **error)
{
  gint64 value;

  g_return_val_if_fail (JZ_IS_STORE (self), 0);

  if (!load_hlc (self, error))
    return 0;
  value = (gint64) jz_hlc_now (&self->hlc);
  if (!save_hlc (self, error))
    return 0;
  return value;
}

gboolean
jz_store_hlc_observe (JzStore  *self,
                      gint64    remote,
                      GError  **error)
{
  g_return_val_if_fail (JZ_IS_STORE (self), FALSE);

  if (!load_hlc (self, error))
    return FALSE;
  jz_hlc_observe (&self->hlc, (guint64) remote);
  return save_hlc (self, error);
}

void
jz_store_emit_changed (JzStore    *self,
                       const char *table)
{
  g_return_if_fail (JZ_IS_STORE (self));
  g_signal_emit (self, signals[CHANGED], g_quark_from_string (table), table);
}

char *
jz_store_get_meta (JzStore    *self,
                   const char *key)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (JZ_IS_STORE (self), NULL);

  stmt = jz_store_prepare (self, "SELECT value FROM meta WHERE key = ?1", NULL);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      char *value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_reset (stmt);
      return value;
    }
  sqlite3_reset (stmt);
  return NULL;
}

gboolean
jz_store_set_meta (JzStore     *self,
                   const char  *key,
                   const char  *value,
                   GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (JZ_IS_STORE (self), FALSE);

  stmt = jz_store_prepare (self,
                           "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_db_error (self->db, rc, error);
  return TRUE;
}

const char *
jz_station_level_to_string (JzStationLevel level)
{
  return level == JZ_STATION_LEVEL_HUB ? "hub" : "county";
}

gboolean
jz_station_level_from_string (const char     *text,
                              JzStationLevel *level)
{
  if (g_strcmp0 (text, "county") == 0)
    *level = JZ_STATION_LEVEL_COUNTY;
  else if (g_strcmp0 (text, "hub") == 0)
    *level = JZ_STATION_LEVEL_HUB;
  else
    return FALSE;
  return TRUE;
}
