/* jz-export.h: export to JSON or CSV, import from JSON, table digests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdio.h>

#include "jz-records.h"

G_BEGIN_DECLS

#define JZ_EXPORT_FORMAT_NAME "jiuzhu-export"
#define JZ_EXPORT_FORMAT_VERSION 1

typedef enum
{
  JZ_EXPORT_JSON,
  JZ_EXPORT_CSV,
} JzExportFormat;

typedef struct
{
  guint64 rows;
  guint   tables;
  double  seconds;
} JzTransferStats;

/* Writes the records of @table (a table of jz_schema_entities(); NULL:
 * every one, for JSON) to @out, tombstones included, in one read
 * transaction (a consistent snapshot while the app writes).
 *
 * JSON: {"format": "jiuzhu-export", "version": 1, "schema_version": N,
 * "station": "…", "exported_at": "…", "tables": {"staff": [{…}, …], …}},
 * one record per line, every non-null column with its stored value (JSON
 * columns as their text), tables in dependency order.
 * CSV: one table (@table required), a header line of column names,
 * RFC 4180 quoting, NULL as an empty field, UTF-8 with a byte-order mark
 * so that spreadsheet programs read the Chinese right. */
gboolean   jz_store_export      (JzStore          *store,
                                 JzExportFormat    format,
                                 const char       *table,
                                 FILE             *out,
                                 JzTransferStats  *stats,
                                 GError          **error);

/* Imports a JSON export. Every record is checked as a typed write checks
 * it (jz_store_validate) and must not be in the store yet; the records
 * keep their ids, clocks and numbers and are captured for sync like any
 * write. All or nothing: on any problem nothing is imported and the error
 * lists the problems (up to 20), each naming the record and the field:
 * "person 12 (id 01a2…): The person's sex “x” is not one of: unknown,
 * male, female". The file is read as a stream (any size). */
gboolean   jz_store_import_json (JzStore          *store,
                                 const char       *path,
                                 JzTransferStats  *stats,
                                 GError          **error);

/* SHA-256 (hex) of a table's rows in key order, in the canonical form the
 * change capture uses: equal digests mean equal contents. */
char      *jz_store_table_digest (JzStore         *store,
                                  const JzEntity  *entity,
                                  GError         **error);

G_END_DECLS
