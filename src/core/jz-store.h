/* jz-store.h: the station's local SQLite store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* "JZHU": marks a SQLite file as a Jiuzhu store. */
#define JZ_STORE_APPLICATION_ID 0x4A5A4855

/* An open episode (screening, admitted, in hospital, with the police; not
 * a tombstone): the condition of the partial index episode_open
 * (migration 0011), which SQLite uses only for queries that repeat it
 * word for word. @t: the table's alias with its dot ("e."), or "". */
#define JZ_EPISODE_OPEN(t) \
  "(" t "status = 'screening' OR " t "status = 'admitted' OR " t "status = 'hospital' OR " \
  t "status = 'police') AND " t "deleted = 0"

#define JZ_STORE_ERROR (jz_store_error_quark ())

typedef enum
{
  JZ_STORE_ERROR_NOT_FOUND,
  JZ_STORE_ERROR_NOT_A_STORE,
  JZ_STORE_ERROR_TOO_NEW,
  JZ_STORE_ERROR_CORRUPT,
  JZ_STORE_ERROR_IO,
  JZ_STORE_ERROR_INVALID,
  JZ_STORE_ERROR_EXISTS,
  JZ_STORE_ERROR_BUSY,
  JZ_STORE_ERROR_CONFLICT,   /* the record changed since it was read */
  JZ_STORE_ERROR_FULL,       /* this device's number block is used up */
} JzStoreError;

typedef enum
{
  JZ_STATION_LEVEL_COUNTY,
  JZ_STATION_LEVEL_HUB,
} JzStationLevel;

#define JZ_TYPE_STORE (jz_store_get_type ())
G_DECLARE_FINAL_TYPE (JzStore, jz_store, JZ, STORE, GObject)

GQuark          jz_store_error_quark          (void);

int             jz_store_get_code_schema_version (void);

JzStore        *jz_store_open                 (const char      *path,
                                               GError         **error);
JzStore        *jz_store_create               (const char      *path,
                                               const char      *station_code,
                                               const char      *station_name,
                                               JzStationLevel   level,
                                               GError         **error);

const char     *jz_store_get_path             (JzStore         *self);
sqlite3        *jz_store_get_db               (JzStore         *self);
int             jz_store_get_schema_version   (JzStore         *self);
const char     *jz_store_get_station_code     (JzStore         *self);
const char     *jz_store_get_station_name     (JzStore         *self);
JzStationLevel  jz_store_get_station_level    (JzStore         *self);
const char     *jz_store_get_epoch            (JzStore         *self);

char           *jz_store_get_meta             (JzStore         *self,
                                               const char      *key);
gboolean        jz_store_set_meta             (JzStore         *self,
                                               const char      *key,
                                               const char      *value,
                                               GError         **error);

sqlite3_stmt   *jz_store_prepare              (JzStore         *self,
                                               const char      *sql,
                                               GError         **error);
gboolean        jz_store_exec                 (JzStore         *self,
                                               const char      *sql,
                                               GError         **error);
gboolean        jz_store_begin                (JzStore         *self,
                                               GError         **error);
gboolean        jz_store_commit               (JzStore         *self,
                                               GError         **error);
void            jz_store_rollback             (JzStore         *self);

/* With @aside, the WAL checkpoint (every 1,000 pages written) runs in a
 * thread with its own connection instead of inside the commit that
 * crossed the mark, so a user's save does not wait for it; only past
 * 10,000 pages (the thread fallen behind) does a commit checkpoint
 * itself. Off by default (the CLI's bulk writes checkpoint as SQLite
 * does); the app turns it on. jz_store_wait_checkpoint() waits for the
 * checkpoint started last, if any, and says whether there was one (the
 * store's finalization waits too). */
void            jz_store_set_checkpoint_aside (JzStore         *self,
                                               gboolean         aside);
gboolean        jz_store_wait_checkpoint      (JzStore         *self);

/* Bulk writes (demo, import) insert into indexes at places all over the
 * file (names, search terms, deadlines); with the everyday page cache
 * each such page is read again from the file system many times. With
 * @bulk the cache is made large enough for them (256 MB at most, taken
 * only as pages are read); off, it is cut back to the everyday 16 MB.
 * @bulk also sets the bulk journal (below). */
void            jz_store_set_bulk             (JzStore         *self,
                                               gboolean         bulk);
/* When no other connection has the store open, @bulk trades the WAL for a
 * rollback journal (TRUNCATE), which writes a new page once rather than
 * twice; off puts the WAL back. Durability is the same (synchronous =
 * FULL); nothing changes when another connection has the store open.
 * Called outside a transaction. */
void            jz_store_set_bulk_journal     (JzStore         *self,
                                               gboolean         bulk);

void            jz_store_emit_changed         (JzStore         *self,
                                               const char      *table);

gboolean        jz_store_set_error_from_db    (JzStore         *self,
                                               int              rc,
                                               GError         **error);

/* Change capture (see jz-schema.c, jz-audit.c). While applying, the
 * triggers queue nothing in the outbox (pulled changes must not echo back)
 * and the audit log records the change's own author with device "sync". */
void            jz_store_set_applying         (JzStore         *self,
                                               gboolean         applying);
gboolean        jz_store_get_applying         (JzStore         *self);
/* The staff member whose actions are being recorded (updated_by, audit
 * actor); NULL for the system (CLI, demo). */
void            jz_store_set_actor            (JzStore         *self,
                                               const char      *staff_id);
const char     *jz_store_get_actor            (JzStore         *self);

/* The hybrid logical clock, persisted in meta so it never runs
 * backwards. Call inside a write transaction. */
gint64          jz_store_hlc_now              (JzStore         *self,
                                               GError         **error);
/* Moves the clock past @remote (a pulled change's hlc). */
gboolean        jz_store_hlc_observe          (JzStore         *self,
                                               gint64           remote,
                                               GError         **error);

/* One user action = one transaction: BEGIN IMMEDIATE, or a savepoint when
 * the caller already holds a transaction (bulk import, nested actions).
 * jz_store_write_end() commits or releases when @ok, otherwise rolls back
 * and changes nothing; "changed" is emitted for the tables noted with
 * jz_store_note_changed() once the outermost transaction commits. */
gboolean        jz_store_write_begin          (JzStore         *self,
                                               GError         **error);
gboolean        jz_store_write_end            (JzStore         *self,
                                               gboolean         ok,
                                               GError         **error);
void            jz_store_note_changed         (JzStore         *self,
                                               const char      *table);


const char     *jz_station_level_to_string    (JzStationLevel   level);
gboolean        jz_station_level_from_string  (const char      *text,
                                               JzStationLevel  *level);

G_END_DECLS
