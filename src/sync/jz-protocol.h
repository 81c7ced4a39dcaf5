/* jz-protocol.h: the sync protocol's wire format, shared by the hub and
 * the client engine
 *
 * Every body is one JSON object (json-c), gzip-compressed when large.
 * A change is named by (station, epoch, seq): the station that made it, the
 * store file (epoch) and its outbox sequence number. See DESIGN.md, "Sync".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-c/json.h>

G_BEGIN_DECLS

#define JZ_PROTOCOL_VERSION        1
/* Changes per push request (1,000 before 2026-11: a station halves its
 * batch when a hub answers 413), and the default and largest page of a
 * pull. */
#define JZ_PROTOCOL_MAX_BATCH      2000
#define JZ_PROTOCOL_PULL_PAGE      2000
#define JZ_PROTOCOL_MAX_PULL_PAGE  5000
/* A request body on the wire, and once inflated (a gzip bomb stops here). */
#define JZ_PROTOCOL_MAX_BODY       (8 * 1024 * 1024)
#define JZ_PROTOCOL_MAX_INFLATED   (32 * 1024 * 1024)
/* One change's fields, serialised. */
#define JZ_PROTOCOL_MAX_FIELDS     (64 * 1024)
#define JZ_PROTOCOL_MAX_FIELD_NAME 64
#define JZ_PROTOCOL_MAX_ENTITY     48
#define JZ_PROTOCOL_MAX_DEPTH      8

#define JZ_PROTOCOL_ERROR (jz_protocol_error_quark ())

/* Also the "code" of a JSON error body (jz_protocol_error_code_to_string). */
typedef enum
{
  JZ_PROTOCOL_ERROR_MALFORMED,      /* 400 not JSON, or not the expected shape */
  JZ_PROTOCOL_ERROR_TOO_LARGE,      /* 413 body, batch or field too big */
  JZ_PROTOCOL_ERROR_UNAUTHORIZED,   /* 401 no token, unknown or revoked device */
  JZ_PROTOCOL_ERROR_FORBIDDEN,      /* 403 outside the device's rights */
  JZ_PROTOCOL_ERROR_NOT_FOUND,      /* 404 */
  JZ_PROTOCOL_ERROR_GAP,            /* 409 the batch does not follow the hub's mark */
  JZ_PROTOCOL_ERROR_RATE_LIMITED,   /* 429 */
  JZ_PROTOCOL_ERROR_UNSUPPORTED,    /* 415/400 encoding or protocol version */
  JZ_PROTOCOL_ERROR_INTERNAL,       /* 500 */
  JZ_PROTOCOL_ERROR_UNAVAILABLE,    /* 503, or the hub cannot be reached */
  JZ_PROTOCOL_ERROR_LENGTH_REQUIRED,/* 411 */
  JZ_PROTOCOL_ERROR_METHOD,         /* 405 */
  JZ_PROTOCOL_ERROR_STALE,          /* 409 a pull cursor the hub's history does not contain */
} JzProtocolError;

typedef enum
{
  JZ_OP_INSERT,
  JZ_OP_UPDATE,
  JZ_OP_DELETE,
  /* Moves a record to another station; only hub staff may send it. */
  JZ_OP_TRANSFER,
  /* Fills a place in a replica's stream with nothing: the change that was
   * there was refused by the hub (403) and is kept as a conflict at the
   * station, so that it does not hold back the changes after it. */
  JZ_OP_VOID,
  /* A record's whole state, sent by the hub to a station that gains it
   * (a transfer): not an edit, so it never overrules a pending local one. */
  JZ_OP_SNAPSHOT,
} JzOp;

/* Who wrote a value, for deciding a field changed on both sides. */
typedef enum
{
  JZ_AUTHORITY_OTHER   = 0,
  JZ_AUTHORITY_OWNER   = 1,
  JZ_AUTHORITY_HUB     = 2,
} JzAuthority;

/* A value that lost against another; the hub lists them with a change so
 * that replicas can keep them in their conflicts table. */
typedef struct
{
  char        *field;
  json_object *value;          /* the losing value (owned reference) */
  json_object *winner_value;   /* what the field holds instead */
  gboolean     has_winner_value;
  char        *loser_station;
  guint64      loser_hlc;
  char        *winner_station;
  guint64      winner_hlc;
} JzLoss;

typedef struct
{
  char        *station;
  char        *epoch;
  gint64       seq;
  char        *entity;
  char        *id;
  JzOp         op;
  guint64      base_rev;       /* 0: none (a new record) */
  /* What the writer had pulled from the hub when it saved: the hub's
   * changes up to hub_seq base_seq were seen (with has_base_seq; without,
   * the hub can only go by base_rev, a clock). */
  gboolean     has_base_seq;
  gint64       base_seq;
  guint64      hlc;
  /* The fields as an object, or (for encoding from the outbox without a
   * parse) as JSON text; one of the two. */
  json_object *fields;
  char        *fields_json;

  /* Set by the hub in a pull. A stub only says that the puller's own
   * change seq was committed at hub_seq exactly as it was pushed. */
  gboolean     stub;
  gint64       hub_seq;
  JzAuthority  auth;
  char        *owner;
  GPtrArray   *losses;         /* JzLoss, or NULL */
} JzChange;

typedef struct
{
  char      *station;
  char      *epoch;
  GPtrArray *changes;          /* JzChange */
} JzPushRequest;

/* A member of a flat JSON object, pointing into its text
 * (jz_json_scan_flat). */
typedef enum
{
  JZ_JSON_NULL,
  JZ_JSON_BOOL,
  JZ_JSON_INT,
  JZ_JSON_REAL,
  JZ_JSON_STRING,
} JzJsonKind;

typedef struct
{
  const char *key;             /* not NUL-terminated; never holds an escape */
  gsize       key_len;
  const char *value;           /* the value's text; a string with its quotes */
  gsize       value_len;
  JzJsonKind  kind;
  gboolean    escaped;         /* a string with a backslash escape in it */
} JzJsonMember;

typedef struct
{
  gint64 high_seq;
  gint64 accepted;
  gint64 skipped;
  gint64 hub_seq;
} JzPushReply;

typedef struct
{
  gint64     cursor;           /* the hub_seq to ask "since" next */
  char      *anchor;           /* names the change at cursor, see hello */
  gboolean   more;
  GPtrArray *changes;          /* JzChange */
} JzPullReply;

typedef struct
{
  char    *station;
  char    *epoch;
  gint64   cursor;
  char    *anchor;
  gint64   acked;              /* highest seq this replica believes is at the hub */
  gint64   start;              /* > 1: this epoch's stream starts here (a restored store) */
} JzHelloRequest;

typedef struct
{
  char     *device;
  char     *station;
  char     *level;             /* "county" or "hub" */
  char     *incarnation;
  gint64    hub_seq;           /* the newest change at the hub */
  gint64    high_seq;          /* the hub's mark for the replica's (station, epoch) */
  gboolean  known;             /* the hub has seen this (station, epoch) before */
  gboolean  anchor_ok;         /* FALSE: the cursor names a change the hub does not have */
  gint64    time_ms;           /* the hub's clock */
} JzHelloReply;

typedef struct
{
  char *code;
  char *station;
  char *level;
  char *epoch;
  char *label;
} JzEnrolRequest;

typedef struct
{
  char *device;
  char *token;
  char *station;
  char *station_name;
  char *level;
  char *incarnation;
} JzEnrolReply;

GQuark          jz_protocol_error_quark          (void);

const char     *jz_protocol_error_code_to_string (JzProtocolError   code);
gboolean        jz_protocol_error_code_from_string (const char     *text,
                                                  JzProtocolError  *code);
guint           jz_protocol_error_http_status    (JzProtocolError   code);
char           *jz_protocol_error_encode         (JzProtocolError   code,
                                                  const char       *message,
                                                  gint64            high_seq);
/* @seq: the change of a push the error is about (-1: none). */
char           *jz_protocol_error_encode_full    (JzProtocolError   code,
                                                  const char       *message,
                                                  gint64            high_seq,
                                                  gint64            seq);
gint64          jz_protocol_error_get_seq        (const char       *data,
                                                  gsize             len);
gboolean        jz_protocol_error_decode         (const char       *data,
                                                  gsize             len,
                                                  guint             http_status,
                                                  gint64           *high_seq,
                                                  GError          **error);

const char     *jz_op_to_string                  (JzOp              op);
gboolean        jz_op_from_string                (const char       *text,
                                                  JzOp             *op);

gboolean        jz_protocol_station_is_valid     (const char       *code);
gboolean        jz_protocol_name_is_valid        (const char       *name,
                                                  gsize             max_len);

/* gzip */
GBytes         *jz_protocol_gzip                 (const void       *data,
                                                  gsize             len,
                                                  int               level);
GBytes         *jz_protocol_gunzip               (const void       *data,
                                                  gsize             len,
                                                  gsize             max_out,
                                                  GError          **error);
gboolean        jz_protocol_is_gzip              (const void       *data,
                                                  gsize             len);

/* Strict JSON: one object, nothing after it, bounded depth. */
json_object    *jz_protocol_parse                (const char       *data,
                                                  gsize             len,
                                                  GError          **error);

/* "sha256//BASE64" of a DER certificate's SubjectPublicKeyInfo: the
 * form libcurl pins (CURLOPT_PINNEDPUBLICKEY). */
char           *jz_protocol_spki_pin             (const guint8     *der,
                                                  gsize             len,
                                                  GError          **error);

void            jz_json_append_string            (GString          *out,
                                                  const char       *text);
/* @members: GArray of JzJsonMember. FALSE for anything but a plain flat
 * object of scalars (see jz-protocol.c): parse it with json-c instead. */
gboolean        jz_json_scan_flat                (const char       *text,
                                                  gsize             len,
                                                  GArray           *members);
char           *jz_json_member_dup_string        (const JzJsonMember *member);
gboolean        jz_json_member_is_true           (const JzJsonMember *member);

JzChange       *jz_change_new                    (void);
JzChange       *jz_change_copy                   (const JzChange   *change);
void            jz_change_free                   (JzChange         *change);
const char     *jz_change_get_fields_json        (JzChange         *change);
json_object    *jz_change_get_fields             (JzChange         *change,
                                                  GError          **error);
void            jz_change_append_json            (const JzChange   *change,
                                                  gboolean          full,
                                                  GString          *out);
JzChange       *jz_change_from_json              (json_object      *obj,
                                                  gboolean          full,
                                                  GError          **error);

void            jz_loss_free                     (JzLoss           *loss);

JzPushRequest  *jz_push_request_new              (const char       *station,
                                                  const char       *epoch);
void            jz_push_request_free             (JzPushRequest    *request);
char           *jz_push_request_encode           (JzPushRequest    *request,
                                                  gsize            *len);
JzPushRequest  *jz_push_request_decode           (const char       *data,
                                                  gsize             len,
                                                  GError          **error);
/* As jz_push_request_decode(), but the changes of a plain push keep their
 * fields as the text sent (fields_json, fields NULL): the hub stores an
 * insert's fields without building them as objects. */
JzPushRequest  *jz_push_request_decode_lean      (const char       *data,
                                                  gsize             len,
                                                  GError          **error);

char           *jz_push_reply_encode             (const JzPushReply *reply);
gboolean        jz_push_reply_decode             (const char       *data,
                                                  gsize             len,
                                                  JzPushReply      *reply,
                                                  GError          **error);

JzPullReply    *jz_pull_reply_new                (void);
void            jz_pull_reply_free               (JzPullReply      *reply);
JzPullReply    *jz_pull_reply_decode             (const char       *data,
                                                  gsize             len,
                                                  GError          **error);
/* The same reply; a hub's usual reply without json-c, its changes' fields
 * kept as text (jz_change_get_fields() parses them). */
JzPullReply    *jz_pull_reply_decode_lean        (const char       *data,
                                                  gsize             len,
                                                  GError          **error);

char           *jz_hello_request_encode          (const JzHelloRequest *request);
JzHelloRequest *jz_hello_request_decode          (const char       *data,
                                                  gsize             len,
                                                  GError          **error);
void            jz_hello_request_free            (JzHelloRequest   *request);
char           *jz_hello_reply_encode            (const JzHelloReply *reply);
JzHelloReply   *jz_hello_reply_decode            (const char       *data,
                                                  gsize             len,
                                                  GError          **error);
void            jz_hello_reply_free              (JzHelloReply     *reply);

char           *jz_enrol_request_encode          (const JzEnrolRequest *request);
JzEnrolRequest *jz_enrol_request_decode          (const char       *data,
                                                  gsize             len,
                                                  GError          **error);
void            jz_enrol_request_free            (JzEnrolRequest   *request);
char           *jz_enrol_reply_encode            (const JzEnrolReply *reply);
JzEnrolReply   *jz_enrol_reply_decode            (const char       *data,
                                                  gsize             len,
                                                  GError          **error);
void            jz_enrol_reply_free              (JzEnrolReply     *reply);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzChange, jz_change_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzPushRequest, jz_push_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzPullReply, jz_pull_reply_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzHelloRequest, jz_hello_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzHelloReply, jz_hello_reply_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzEnrolRequest, jz_enrol_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzEnrolReply, jz_enrol_reply_free)
/* json-c's type under our name, so that g_autoptr cannot clash with another
 * header's cleanup for json_object. */
typedef json_object JzJson;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzJson, json_object_put)

G_END_DECLS
