/* jz-schema.h: the store's tables described to C
 *
 * One JzEntity per table of data/migrations/0002-relief.sql (and later
 * migrations), with one JzField per column. The descriptions drive the
 * generic record writer (validation, binding), the change-capture and
 * audit triggers, `jiuzhu-cli check`, and are meant for import/export and
 * the sync codec too, so a column is described once. test-store checks
 * that every description matches the real table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct _JzStore JzStore;

typedef enum
{
  JZ_FIELD_TEXT,       /* char *                                        */
  JZ_FIELD_ENUM,       /* char *, one of field->values                  */
  JZ_FIELD_REF,        /* char *, id of a row of field->ref (checked)   */
  JZ_FIELD_STAFF,      /* char *, staff id (soft: not checked)          */
  JZ_FIELD_DATE,       /* char *, "YYYY-MM-DD"                          */
  JZ_FIELD_JSON,       /* char *, JSON text                             */
  JZ_FIELD_REGION,     /* char *, GB/T 2260 code (abolished codes too)  */
  JZ_FIELD_ID_NUMBER,  /* char *, GB 11643 number, stored as 18 digits  */
  JZ_FIELD_INT,        /* gint64                                        */
  JZ_FIELD_TIME,       /* gint64, Unix seconds (UTC)                    */
  JZ_FIELD_MONEY,      /* gint64, fen                                   */
  JZ_FIELD_BOOL,       /* gboolean                                      */
  JZ_FIELD_FLAGS,      /* guint, bit i named field->values[i]           */
  JZ_FIELD_REAL,       /* double                                        */
} JzFieldType;

typedef enum
{
  JZ_FIELD_REQUIRED      = 1 << 0,  /* NOT NULL without a default       */
  JZ_FIELD_NULL_IF_ZERO  = 1 << 1,  /* 0 / 0.0 in the struct is NULL    */
  JZ_FIELD_NULL_IF_NEG   = 1 << 2,  /* a negative value is NULL         */
  JZ_FIELD_DEFAULT_FIRST = 1 << 3,  /* NULL enum becomes values[0]      */
  JZ_FIELD_NOT_FUTURE    = 1 << 4,  /* a time/date not after now + 1 day */
  JZ_FIELD_JSON_ARRAY    = 1 << 5,  /* JSON must be an array            */
  JZ_FIELD_KEY           = 1 << 6,  /* the primary key of a local table */
} JzFieldFlags;

typedef struct
{
  const char         *name;     /* column */
  JzFieldType         type;
  guint               flags;
  gsize               offset;   /* in the entity's struct */
  const char         *label;    /* for messages: "admission time" (English; NC_() marked) */
  const char * const *values;   /* ENUM, FLAGS; NULL-terminated */
  const char         *ref;      /* REF: the table referred to */
  gint64              min;      /* INT, MONEY, TEXT (length) */
  gint64              max;
} JzField;

typedef enum
{
  JZ_ENTITY_SYNCED      = 1 << 0,  /* id/station/hlc/updated_by/deleted, outbox */
  JZ_ENTITY_APPEND_ONLY = 1 << 1,  /* merges never conflict (service log …) */
  JZ_ENTITY_AUDITED     = 1 << 2,  /* every change goes to the audit log */
} JzEntityFlags;

typedef struct _JzEntity JzEntity;

/* Cross-field rules of one entity, run after the per-field checks.
 * @old is the stored row for an update, NULL for an insert. */
typedef gboolean (*JzEntityValidateFunc) (JzStore         *store,
                                          const JzEntity  *entity,
                                          gpointer         record,
                                          gconstpointer    old,
                                          GError         **error);

struct _JzEntity
{
  const char           *name;     /* table */
  const char           *label;    /* "episode" in messages (English; NC_() marked) */
  gsize                 size;     /* sizeof the struct */
  const JzField        *fields;   /* after the five synced columns */
  guint                 n_fields;
  guint                 flags;
  JzEntityValidateFunc  validate;
};

/* The synced header columns, in order. */
#define JZ_SCHEMA_N_HEADER 5
extern const char * const jz_schema_header_columns[JZ_SCHEMA_N_HEADER + 1];

const JzEntity  *jz_schema_lookup         (const char      *name);
const JzEntity * const *jz_schema_entities (guint          *n_entities);
const JzField   *jz_entity_get_field      (const JzEntity  *entity,
                                           const char      *column);
/* The label translated for use inside a sentence ("person", "birth
 * date"; "受助人员", "出生日期" in zh_CN): the store's messages name records
 * and fields this way. */
const char      *jz_entity_get_display_name (const JzEntity *entity);
const char      *jz_field_get_display_name  (const JzField  *field);

/* Trigger SQL generated from the descriptions, and its installation. */
char            *jz_schema_trigger_sql    (void);
char            *jz_schema_trigger_digest (void);
gboolean         jz_schema_install_triggers (sqlite3       *db,
                                             GError       **error);
gboolean         jz_schema_triggers_installed (sqlite3     *db);

/* "SELECT <key>, jz_row('name', name, …) FROM <table> [WHERE @where]":
 * the canonical JSON of rows as the audit log records them. */
char            *jz_schema_row_json_sql   (const JzEntity  *entity,
                                           const char      *where);

/* Checks the descriptions against the tables of @db; FALSE with a list
 * of differences (for the test and for `check`). */
gboolean         jz_schema_verify         (sqlite3         *db,
                                           GString         *problems);

G_END_DECLS
