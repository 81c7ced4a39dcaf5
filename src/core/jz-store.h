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

void            jz_store_emit_changed         (JzStore         *self,
                                               const char      *table);

gboolean        jz_store_set_error_from_db    (JzStore         *self,
                                               int              rc,
                                               GError         **error);

const char     *jz_station_level_to_string    (JzStationLevel   level);
gboolean        jz_station_level_from_string  (const char      *text,
                                               JzStationLevel  *level);

G_END_DECLS
