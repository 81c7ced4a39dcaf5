/* jz-sync-engine.c: one sync session with the hub
 *
 * Push: the outbox, oldest first, in contiguous batches of up to 2,000;
 * a batch is marked acknowledged only after the hub answered that it has
 * committed it, so a cut connection, a lost reply or a crash on either side
 * at most sends a batch again, and the hub skips what it already has.
 *
 * Pull: pages of the hub's changes after the cursor, each page applied in
 * one transaction with the triggers silent (nothing echoes back to the
 * outbox) and the new cursor written in the same transaction.
 *
 * The hub has already decided every conflict between changes it holds; a
 * replica applies its decisions in hub order. Only its own changes that
 * the hub has not yet answered for (outbox rows after the last of its
 * changes seen in the pull stream) need a local decision, taken by the same
 * rule the hub will use when they arrive, so that the replica never shows a
 * value the hub is going to overrule, nor the other way round.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-sync"

#include "config.h"

#include <curl/curl.h>
#include <string.h>

#include "jz-demo.h"
#include "jz-hlc.h"
#include "jz-records.h"
#include "jz-schema.h"
#include "jz-sync-engine.h"
#include "jz-uuid.h"

/* gzip: small batches (a live station's edits) squeezed hard, where it costs
 * nothing; large ones (catching up) faster, still well under 70 bytes per
 * change. */
#define PUSH_GZIP_LEVEL_SMALL 6
#define PUSH_GZIP_LEVEL_LARGE 3
/* A pull reply inflates to at most this much. */
#define MAX_RESPONSE (64 * 1024 * 1024)
/* A new hello after this long, even without an error. */
#define HELLO_EVERY_US (10 * 60 * G_USEC_PER_SEC)

struct _JzSyncEngine
{
  JzStore      *store;
  CURL         *curl;
  CURLM        *multi;       /* drives the one handle, so a push can prepare while it waits */
  struct curl_slist *headers;
  gsize         request_body_len;
  GByteArray   *response;
  gsize         response_limit;
  GCancellable *cancellable;
  char          error_buffer[CURL_ERROR_SIZE];

  char         *url;
  char         *token;
  char         *pin;
  char         *device;
  gboolean      hub_level;
  char         *station;
  char         *epoch;

  gint64        last_hello_us;
  gint64        hub_clock_offset_ms;  /* the hub's clock minus this machine's, at the hello */
  gboolean      resyncing;   /* temp.sync_delivered holds this resync's records */
  GHashTable   *void_seqs;   /* outbox seqs the hub refused: sent as void */
  gint64       *void_keys;
  GPtrArray    *refresh;     /* "entity/id" to read again from the hub */
  guint         batch;
  guint         pull_page;
  long          timeout_ms;
  long          connect_timeout_ms;
  JzSyncStats  *stats;
};

G_DEFINE_QUARK (jz-sync-error-quark, jz_sync_error)

static const char *state_names[] = {
  [JZ_SYNC_STATE_NOT_ENROLLED] = "not enrolled",
  [JZ_SYNC_STATE_OFFLINE] = "offline",
  [JZ_SYNC_STATE_SYNCING] = "syncing",
  [JZ_SYNC_STATE_UP_TO_DATE] = "up to date",
  [JZ_SYNC_STATE_ERROR] = "error",
};

const char *
jz_sync_state_to_string (JzSyncState state)
{
  g_return_val_if_fail (state <= JZ_SYNC_STATE_ERROR, "error");
  return state_names[state];
}

GType
jz_sync_state_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    {
      static const GEnumValue values[] = {
        { JZ_SYNC_STATE_NOT_ENROLLED, "JZ_SYNC_STATE_NOT_ENROLLED", "not-enrolled" },
        { JZ_SYNC_STATE_OFFLINE, "JZ_SYNC_STATE_OFFLINE", "offline" },
        { JZ_SYNC_STATE_SYNCING, "JZ_SYNC_STATE_SYNCING", "syncing" },
        { JZ_SYNC_STATE_UP_TO_DATE, "JZ_SYNC_STATE_UP_TO_DATE", "up-to-date" },
        { JZ_SYNC_STATE_ERROR, "JZ_SYNC_STATE_ERROR", "error" },
        { 0, NULL, NULL }
      };
      GType t = g_enum_register_static (g_intern_static_string ("JzSyncState"), values);

      g_once_init_leave (&type, t);
    }
  return type;
}

/* sync_state */

static char *
state_get (JzStore    *store,
           const char *key)
{
  sqlite3_stmt *stmt = jz_store_prepare (store, "SELECT value FROM sync_state WHERE key = ?1", NULL);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return value;
}

static gint64
state_get_int (JzStore    *store,
               const char *key)
{
  g_autofree char *text = state_get (store, key);

  return text ? g_ascii_strtoll (text, NULL, 10) : 0;
}

static gboolean
state_set (JzStore     *store,
           const char  *key,
           const char  *value,
           GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (value == NULL)
    stmt = jz_store_prepare (store, "DELETE FROM sync_state WHERE key = ?1", error);
  else
    stmt = jz_store_prepare (store,
                             "INSERT INTO sync_state (key, value) VALUES (?1, ?2)"
                             " ON CONFLICT (key) DO UPDATE SET value = excluded.value", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (value != NULL)
    sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return jz_store_set_error_from_db (store, rc, error);
  return TRUE;
}

static gboolean
state_set_int (JzStore     *store,
               const char  *key,
               gint64       value,
               GError     **error)
{
  char text[32];

  g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, value);
  return state_set (store, key, text, error);
}

static gint64
query_int (JzStore    *store,
           const char *sql,
           gint64      fallback)
{
  sqlite3_stmt *stmt = jz_store_prepare (store, sql, NULL);
  gint64 v = fallback;

  if (stmt == NULL)
    return fallback;
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return v;
}

static gboolean
exec_int (JzStore     *store,
          const char  *sql,
          gint64       value,
          GError     **error)
{
  sqlite3_stmt *stmt = jz_store_prepare (store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, value);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return jz_store_set_error_from_db (store, rc, error);
  return TRUE;
}

/* Base marks: what the pull cursor was when each outbox row was written,
 * so that a change can tell the hub which of its changes the writer had
 * seen (base_seq). A clock (base_rev) cannot: a concurrent write from a
 * slower clock looks seen. The outbox is filled by triggers that know
 * nothing of the cursor, so each pull page notes, in its transaction,
 * (the outbox's highest seq, the new cursor): a row written after that
 * commit has a higher seq and saw that cursor. Kept in sync_state as
 * "max_seq:cursor,…" in ascending order; only the entries pending rows
 * still need are kept. Enrolment and a reset of the cursor (the hub's
 * history changed: its hub_seqs no longer mean what the rows saw) start
 * again with "max_seq:0"; a row with no entry before it is unknown (-1),
 * and the hub goes by its clock alone. */
typedef struct
{
  gint64 max_seq;
  gint64 cursor;
} BaseMark;

static GArray *
marks_load (JzStore *store)
{
  g_autofree char *text = state_get (store, "base_marks");
  g_auto(GStrv) parts = text ? g_strsplit (text, ",", 0) : NULL;
  GArray *marks = g_array_new (FALSE, FALSE, sizeof (BaseMark));

  for (guint i = 0; parts != NULL && parts[i] != NULL; i++)
    {
      BaseMark m;
      char *end = NULL;

      m.max_seq = g_ascii_strtoll (parts[i], &end, 10);
      if (end == NULL || *end != ':')
        continue;
      m.cursor = g_ascii_strtoll (end + 1, NULL, 10);
      g_array_append_val (marks, m);
    }
  return marks;
}

/* The cursor outbox row @seq was written with; -1: not known. */
static gint64
marks_lookup (GArray *marks,
              gint64  seq)
{
  gint64 cursor = -1;

  for (guint i = 0; i < marks->len; i++)
    {
      const BaseMark *m = &g_array_index (marks, BaseMark, i);

      if (m->max_seq >= seq)
        break;
      cursor = m->cursor;
    }
  return cursor;
}

/* In the transaction that sets the cursor to 0. */
static gboolean
marks_reset (JzStore  *store,
             GError  **error)
{
  char text[48];

  g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT ":0",
              query_int (store, "SELECT coalesce (max (seq), 0) FROM outbox", 0));
  return state_set (store, "base_marks", text, error);
}

/* In the transaction that moves the cursor to @cursor. */
static gboolean
marks_note_pull (JzStore  *store,
                 gint64    cursor,
                 GError  **error)
{
  g_autoptr(GArray) marks = marks_load (store);
  g_autoptr(GString) text = g_string_new (NULL);
  BaseMark m = { query_int (store, "SELECT coalesce (max (seq), 0) FROM outbox", 0), cursor };
  gint64 first_pending = query_int (store, "SELECT min (seq) FROM outbox WHERE acked = 0", m.max_seq + 1);
  guint keep = 0;

  /* Nothing written since the last note: rows to come see the new cursor. */
  if (marks->len > 0 && g_array_index (marks, BaseMark, marks->len - 1).max_seq == m.max_seq)
    g_array_index (marks, BaseMark, marks->len - 1).cursor = cursor;
  else
    g_array_append_val (marks, m);
  /* The last entry before the oldest pending row, and what follows. */
  for (guint i = 0; i < marks->len; i++)
    if (g_array_index (marks, BaseMark, i).max_seq < first_pending)
      keep = i;
  for (guint i = keep; i < marks->len; i++)
    g_string_append_printf (text, "%s%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, i > keep ? "," : "",
                            g_array_index (marks, BaseMark, i).max_seq, g_array_index (marks, BaseMark, i).cursor);
  return state_set (store, "base_marks", text->str, error);
}

/* The own changes, not yet back from the hub, whose values this replica
 * replaced with another station's by its own judgement (keep_local): when
 * they come back whole (a stub), the hub's judgement stands
 * (restore_own). Kept across pulls in sync_state, as "seq,seq,…". */
static GHashTable *
overridden_load (JzStore *store)
{
  g_autofree char *text = state_get (store, "overridden");
  g_auto(GStrv) parts = text ? g_strsplit (text, ",", 0) : NULL;
  GHashTable *set = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  for (guint i = 0; parts != NULL && parts[i] != NULL; i++)
    {
      gint64 seq = g_ascii_strtoll (parts[i], NULL, 10);

      if (seq > 0)
        g_hash_table_add (set, g_memdup2 (&seq, sizeof seq));
    }
  return set;
}

/* In the transaction that moves own_seq to @own_seq: those still to come. */
static gboolean
overridden_save (JzStore     *store,
                 GHashTable  *set,
                 gint64       own_seq,
                 GError     **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, set);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (*(gint64 *) key > own_seq)
      g_string_append_printf (text, "%s%" G_GINT64_FORMAT, text->len > 0 ? "," : "", *(gint64 *) key);
  return state_set (store, "overridden", text->len > 0 ? text->str : NULL, error);
}

/* HTTP */

static size_t
on_write (char   *data,
          size_t  size,
          size_t  nmemb,
          void   *user_data)
{
  JzSyncEngine *self = user_data;
  gsize n = size * nmemb;

  if (self->response->len + n > self->response_limit)
    return 0;   /* curl stops with CURLE_WRITE_ERROR */
  g_byte_array_append (self->response, (const guint8 *) data, n);
  return n;
}

static int
on_progress (void       *user_data,
             curl_off_t  dltotal,
             curl_off_t  dlnow,
             curl_off_t  ultotal,
             curl_off_t  ulnow)
{
  JzSyncEngine *self = user_data;

  return self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable);
}

static long
env_ms (const char *name,
        long        fallback)
{
  const char *text = g_getenv (name);
  guint64 v;

  if (text != NULL && g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT, &v, NULL))
    return (long) v;
  return fallback;
}

static CURL *
new_curl (JzSyncEngine *self)
{
  CURL *curl = curl_easy_init ();

  g_assert (curl != NULL);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, self);
  curl_easy_setopt (curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt (curl, CURLOPT_XFERINFODATA, self);
  curl_easy_setopt (curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, self->error_buffer);
  curl_easy_setopt (curl, CURLOPT_ACCEPT_ENCODING, "gzip");
  curl_easy_setopt (curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt (curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt (curl, CURLOPT_USERAGENT, "jiuzhu/" PACKAGE_VERSION);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT_MS, self->connect_timeout_ms);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, self->timeout_ms);
  /* A stalled connection (a blackhole) is given up before the timeout. */
  curl_easy_setopt (curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (curl, CURLOPT_LOW_SPEED_TIME, MAX (1L, self->timeout_ms / 2000));
  return curl;
}

static void
apply_pin (CURL       *curl,
           const char *pin)
{
  if (pin != NULL)
    {
      /* The pin is the trust anchor: the hub's certificate is usually
       * self-signed, so the CA check is off and the key must match. */
      curl_easy_setopt (curl, CURLOPT_PINNEDPUBLICKEY, pin);
      curl_easy_setopt (curl, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt (curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  else
    {
      curl_easy_setopt (curl, CURLOPT_PINNEDPUBLICKEY, NULL);
      curl_easy_setopt (curl, CURLOPT_SSL_VERIFYPEER, 1L);
      curl_easy_setopt (curl, CURLOPT_SSL_VERIFYHOST, 2L);
    }
}

/* Whether the body of the request under way has been sent whole. */
static gboolean
upload_done (JzSyncEngine *self)
{
  curl_off_t sent = 0;

  curl_easy_getinfo (self->curl, CURLINFO_SIZE_UPLOAD_T, &sent);
  return sent >= (curl_off_t) self->request_body_len;
}

/* Starts a request; http_end() waits for it. The reply's body goes to
 * self->response. Only one request is under way at a time; the push
 * prepares its next batch meanwhile. */
static void
http_begin (JzSyncEngine *self,
            const char   *method,
            const char   *path,
            const void   *body,
            gsize         len,
            gboolean      gzipped)
{
  g_autofree char *url = g_strconcat (self->url, path, NULL);
  g_autofree char *auth = NULL;

  g_assert (self->headers == NULL);
  g_byte_array_set_size (self->response, 0);
  self->error_buffer[0] = '\0';
  self->request_body_len = body != NULL ? len : 0;
  curl_easy_setopt (self->curl, CURLOPT_URL, url);
  if (self->token != NULL)
    {
      auth = g_strconcat ("Authorization: Bearer ", self->token, NULL);
      self->headers = curl_slist_append (self->headers, auth);
    }
  self->headers = curl_slist_append (self->headers, "Expect:");
  if (body != NULL)
    {
      self->headers = curl_slist_append (self->headers, "Content-Type: application/json");
      if (gzipped)
        self->headers = curl_slist_append (self->headers, "Content-Encoding: gzip");
      curl_easy_setopt (self->curl, CURLOPT_POST, 1L);
      curl_easy_setopt (self->curl, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt (self->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) len);
      curl_easy_setopt (self->curl, CURLOPT_CUSTOMREQUEST, g_str_equal (method, "POST") ? NULL : method);
    }
  else
    {
      curl_easy_setopt (self->curl, CURLOPT_HTTPGET, 1L);
      curl_easy_setopt (self->curl, CURLOPT_CUSTOMREQUEST, NULL);
    }
  curl_easy_setopt (self->curl, CURLOPT_HTTPHEADER, self->headers);
  curl_multi_add_handle (self->multi, self->curl);
  /* Sends the request now, so that the hub works on it while this side
   * prepares the next one; curl does nothing until asked. A body larger
   * than the socket takes at once (a push batch: about 100 KB) is sent to
   * its end here, or the hub would wait for the rest until http_end().
   * curl's own time limits end a stalled upload, as in http_end(). */
  {
    int running = 0;

    curl_multi_perform (self->multi, &running);
    while (body != NULL && running > 0 && !upload_done (self) &&
           !(self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable)))
      {
        curl_multi_poll (self->multi, NULL, 0, 100, NULL);
        if (curl_multi_perform (self->multi, &running) != CURLM_OK)
          break;
      }
  }
}

/* Waits for the request started by http_begin(). A reply other than 2xx
 * is turned into the hub's error (JZ_PROTOCOL_ERROR), with its high-water
 * mark in @high_seq for a gap. */
static gboolean
http_end (JzSyncEngine  *self,
          gint64        *high_seq,
          GError       **error)
{
  CURLcode rc = CURLE_OK;
  long status = 0;
  int running = 1;

  if (high_seq != NULL)
    *high_seq = -1;

  while (running > 0)
    {
      CURLMcode mc = curl_multi_perform (self->multi, &running);

      if (mc != CURLM_OK)
        {
          rc = CURLE_RECV_ERROR;
          break;
        }
      if (running > 0)
        curl_multi_poll (self->multi, NULL, 0, 200, NULL);
      if (self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable))
        {
          rc = CURLE_ABORTED_BY_CALLBACK;
          break;
        }
    }
  if (running == 0)
    {
      CURLMsg *msg;
      int left;

      while ((msg = curl_multi_info_read (self->multi, &left)) != NULL)
        if (msg->msg == CURLMSG_DONE)
          rc = msg->data.result;
    }
  curl_multi_remove_handle (self->multi, self->curl);
  curl_easy_setopt (self->curl, CURLOPT_HTTPHEADER, NULL);
  g_clear_pointer (&self->headers, curl_slist_free_all);

  if (self->stats != NULL)
    {
      curl_off_t down = 0;
      long req_size = 0, header_size = 0;

      curl_easy_getinfo (self->curl, CURLINFO_SIZE_DOWNLOAD_T, &down);
      curl_easy_getinfo (self->curl, CURLINFO_REQUEST_SIZE, &req_size);
      curl_easy_getinfo (self->curl, CURLINFO_HEADER_SIZE, &header_size);
      self->stats->body_bytes_sent += self->request_body_len;
      /* CURLINFO_REQUEST_SIZE counts the headers and the body sent. */
      self->stats->wire_bytes_sent += MAX (req_size, (gint64) self->request_body_len);
      self->stats->wire_bytes_received += header_size + down;
    }

  if (rc != CURLE_OK)
    {
      if (rc == CURLE_ABORTED_BY_CALLBACK && self->cancellable != NULL &&
          g_cancellable_set_error_if_cancelled (self->cancellable, error))
        return FALSE;
      if (rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH)
        g_set_error (error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_PIN,
                     "The hub at %s shows a certificate other than the one this device was enrolled with. "
                     "Nothing was sent. If the hub's certificate was renewed, enrol the device again.",
                     self->url);
      else if (rc == CURLE_WRITE_ERROR)
        g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_TOO_LARGE,
                     "The hub's reply is larger than %" G_GSIZE_FORMAT " bytes", self->response_limit);
      else
        g_set_error (error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_NETWORK, "Cannot reach the hub at %s: %s",
                     self->url, self->error_buffer[0] ? self->error_buffer : curl_easy_strerror (rc));
      return FALSE;
    }

  curl_easy_getinfo (self->curl, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299)
    return jz_protocol_error_decode ((const char *) self->response->data, self->response->len,
                                     (guint) status, high_seq, error);
  return TRUE;
}

/* Drops the request started by http_begin() without waiting for its
 * reply (curl closes the connection if the reply was under way). */
static void
http_abandon (JzSyncEngine *self)
{
  curl_multi_remove_handle (self->multi, self->curl);
  curl_easy_setopt (self->curl, CURLOPT_HTTPHEADER, NULL);
  g_clear_pointer (&self->headers, curl_slist_free_all);
}

static gboolean
http (JzSyncEngine  *self,
      const char    *method,
      const char    *path,
      const void    *body,
      gsize          len,
      gboolean       gzipped,
      gint64        *high_seq,
      GError       **error)
{
  if (self->cancellable != NULL && g_cancellable_set_error_if_cancelled (self->cancellable, error))
    return FALSE;
  http_begin (self, method, path, body, len, gzipped);
  return http_end (self, high_seq, error);
}

static gboolean
is_offline_error (const GError *error)
{
  return g_error_matches (error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_NETWORK) ||
         g_error_matches (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_UNAVAILABLE);
}

/* Stats */

void
jz_sync_stats_init (JzSyncStats *stats)
{
  memset (stats, 0, sizeof *stats);
  stats->tables = g_hash_table_new (g_direct_hash, g_direct_equal);
}

void
jz_sync_stats_clear (JzSyncStats *stats)
{
  g_clear_pointer (&stats->tables, g_hash_table_unref);
}

/* Enrolment */

static char *
normalize_url (const char  *url,
               GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *text = NULL;
  gsize len;

  if (url == NULL || (!g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://")))
    {
      g_set_error (error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_NOT_ENROLLED,
                   "“%s” is not a hub address; it starts with https:// (or http:// on a trusted network)",
                   url ? url : "");
      return NULL;
    }
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, error);
  if (uri == NULL)
    return NULL;
  text = g_strdup (url);
  len = strlen (text);
  while (len > 0 && text[len - 1] == '/')
    text[--len] = '\0';
  return g_steal_pointer (&text);
}

/* The pin of the certificate an https hub shows, read without sending
 * anything but a health check. */
static char *
fetch_pin (JzSyncEngine  *self,
           GError       **error)
{
  struct curl_certinfo *info = NULL;
  g_autofree char *url = g_strconcat (self->url, "/v1/health", NULL);
  CURLcode rc;

  curl_easy_setopt (self->curl, CURLOPT_URL, url);
  curl_easy_setopt (self->curl, CURLOPT_CERTINFO, 1L);
  curl_easy_setopt (self->curl, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt (self->curl, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt (self->curl, CURLOPT_HTTPGET, 1L);
  g_byte_array_set_size (self->response, 0);
  rc = curl_easy_perform (self->curl);
  curl_easy_setopt (self->curl, CURLOPT_CERTINFO, 0L);
  if (rc != CURLE_OK)
    {
      g_set_error (error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_NETWORK, "Cannot reach the hub at %s: %s",
                   self->url, self->error_buffer[0] ? self->error_buffer : curl_easy_strerror (rc));
      return NULL;
    }
  curl_easy_getinfo (self->curl, CURLINFO_CERTINFO, &info);
  if (info != NULL && info->num_of_certs > 0)
    {
      for (struct curl_slist *l = info->certinfo[0]; l != NULL; l = l->next)
        if (g_str_has_prefix (l->data, "Cert:"))
          {
            g_autoptr(GString) b64 = g_string_new (NULL);
            g_autofree guchar *der = NULL;
            gsize der_len = 0;

            for (const char *p = strstr (l->data, "-----BEGIN CERTIFICATE-----"); p != NULL && *p; p++)
              {
                if (g_str_has_prefix (p, "-----END"))
                  break;
                if (g_str_has_prefix (p, "-----BEGIN CERTIFICATE-----"))
                  {
                    p += strlen ("-----BEGIN CERTIFICATE-----") - 1;
                    continue;
                  }
                if (g_ascii_isalnum (*p) || *p == '+' || *p == '/' || *p == '=')
                  g_string_append_c (b64, *p);
              }
            der = g_base64_decode (b64->str, &der_len);
            return jz_protocol_spki_pin (der, der_len, error);
          }
    }
  g_set_error (error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_PIN,
               "The hub at %s showed no certificate to pin", self->url);
  return NULL;
}

static JzSyncEngine *
engine_new_bare (JzStore *store)
{
  JzSyncEngine *self = g_new0 (JzSyncEngine, 1);

  self->store = g_object_ref (store);
  self->response = g_byte_array_new ();
  self->response_limit = MAX_RESPONSE;
  self->timeout_ms = env_ms ("JIUZHU_SYNC_TIMEOUT_MS", 60000);
  self->connect_timeout_ms = env_ms ("JIUZHU_SYNC_CONNECT_TIMEOUT_MS", 10000);
  /* Smaller batches only for measurements and tests. */
  self->batch = (guint) CLAMP (env_ms ("JIUZHU_SYNC_BATCH", JZ_PROTOCOL_MAX_BATCH), 1, JZ_PROTOCOL_MAX_BATCH);
  self->pull_page = (guint) CLAMP (env_ms ("JIUZHU_SYNC_PULL_PAGE", JZ_PROTOCOL_MAX_PULL_PAGE), 1,
                                   JZ_PROTOCOL_MAX_PULL_PAGE);
  self->curl = new_curl (self);
  self->multi = curl_multi_init ();
  self->void_seqs = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->refresh = g_ptr_array_new_with_free_func (g_free);
  self->station = g_strdup (jz_store_get_station_code (store));
  self->epoch = g_strdup (jz_store_get_epoch (store));
  self->hub_level = jz_store_get_station_level (store) == JZ_STATION_LEVEL_HUB;
  return self;
}

/* A demo store's people are made up: none of them may reach the region's
 * registry, where they would show as people seen at several stations. */
static gboolean
refuse_demo (JzStore  *store,
             GError  **error)
{
  if (!jz_store_is_demo (store))
    return TRUE;
  g_set_error (error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_DEMO,
               "This store holds demo data (made-up people from “jiuzhu-cli demo”) and never syncs; "
               "enrol a store made by the app's first-run setup or “jiuzhu-cli init”");
  return FALSE;
}

gboolean
jz_sync_enrol (JzStore     *store,
               const char  *url,
               const char  *code,
               const char  *pin,
               char       **pin_out,
               GError     **error)
{
  g_autoptr(JzSyncEngine) self = NULL;
  g_autofree char *base = normalize_url (url, error);
  g_autofree char *body = NULL;
  g_autoptr(JzEnrolReply) reply = NULL;
  JzEnrolRequest request = { 0 };

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);

  if (base == NULL || !refuse_demo (store, error))
    return FALSE;
  if (code == NULL || *code == '\0')
    {
      g_set_error (error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_NOT_ENROLLED,
                   "An enrolment code is needed; the hub's staff make one with “jiuzhu-hub device enrol”");
      return FALSE;
    }

  self = engine_new_bare (store);
  self->url = g_strdup (base);
  if (g_str_has_prefix (base, "https://"))
    {
      self->pin = pin ? g_strdup (pin) : fetch_pin (self, error);
      if (self->pin == NULL)
        return FALSE;
      if (!g_str_has_prefix (self->pin, "sha256//"))
        {
          g_set_error (error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_PIN,
                       "A pin looks like sha256//BASE64 (as “jiuzhu-hub pin” prints it)");
          return FALSE;
        }
    }
  apply_pin (self->curl, self->pin);

  request.code = (char *) code;
  request.station = self->station;
  request.level = (char *) jz_station_level_to_string (jz_store_get_station_level (store));
  request.epoch = self->epoch;
  request.label = (char *) g_get_host_name ();
  body = jz_enrol_request_encode (&request);
  if (!http (self, "POST", "/v1/enrol", body, strlen (body), FALSE, NULL, error))
    {
      g_prefix_error (error, "Enrolment failed: ");
      return FALSE;
    }
  reply = jz_enrol_reply_decode ((const char *) self->response->data, self->response->len, error);
  if (reply == NULL)
    return FALSE;
  if (!g_str_equal (reply->station, self->station))
    {
      g_set_error (error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_NOT_ENROLLED,
                   "The hub enrolled this device for station %s, but the store is station %s",
                   reply->station, self->station);
      return FALSE;
    }

  if (!jz_store_write_begin (store, error))
    return FALSE;
  if (!state_set (store, "hub_url", base, error) ||
      !state_set (store, "device", reply->device, error) ||
      !state_set (store, "token", reply->token, error) ||
      !state_set (store, "pin", self->pin, error) ||
      !state_set (store, "level", reply->level, error) ||
      !state_set (store, "incarnation", reply->incarnation, error) ||
      !state_set (store, "cursor", "0", error) ||
      !state_set (store, "anchor", NULL, error) ||
      !state_set (store, "own_seq", "0", error) ||
      !marks_reset (store, error) ||
      !state_set (store, "acked_epoch", self->epoch, error) ||
      !state_set (store, "last_error", NULL, error))
    {
      jz_store_write_end (store, FALSE, NULL);
      return FALSE;
    }
  if (!jz_store_write_end (store, TRUE, error))
    return FALSE;
  if (pin_out != NULL)
    *pin_out = g_strdup (self->pin);
  return TRUE;
}

gboolean
jz_sync_unenrol (JzStore  *store,
                 GError  **error)
{
  static const char *keys[] = { "hub_url", "device", "token", "pin", "level", "incarnation", "anchor" };

  if (!jz_store_write_begin (store, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (!state_set (store, keys[i], NULL, error))
      {
        jz_store_write_end (store, FALSE, NULL);
        return FALSE;
      }
  return jz_store_write_end (store, TRUE, error);
}

gboolean
jz_sync_read_status (JzStore      *store,
                     JzSyncStatus *status)
{
  memset (status, 0, sizeof *status);
  status->hub_url = state_get (store, "hub_url");
  status->device = state_get (store, "device");
  status->level = state_get (store, "level");
  status->pin = state_get (store, "pin");
  status->enrolled = status->hub_url != NULL && status->device != NULL;
  status->pending = query_int (store, "SELECT count (*) FROM outbox WHERE acked = 0", 0);
  status->cursor = state_get_int (store, "cursor");
  status->last_success = state_get_int (store, "last_success");
  status->last_attempt = state_get_int (store, "last_attempt");
  status->last_error = state_get (store, "last_error");
  return status->enrolled;
}

void
jz_sync_status_clear (JzSyncStatus *status)
{
  g_clear_pointer (&status->hub_url, g_free);
  g_clear_pointer (&status->device, g_free);
  g_clear_pointer (&status->level, g_free);
  g_clear_pointer (&status->pin, g_free);
  g_clear_pointer (&status->last_error, g_free);
}

gboolean
jz_sync_transfer (JzStore     *store,
                  const char  *entity_name,
                  const char  *id,
                  const char  *to,
                  GError     **error)
{
  const JzEntity *entity = jz_schema_lookup (entity_name);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  gint64 hlc;
  int rc;

  if (jz_store_get_station_level (store) != JZ_STATION_LEVEL_HUB)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   "Only a hub workstation can transfer a record to another station");
      return FALSE;
    }
  if (entity == NULL || !(entity->flags & JZ_ENTITY_SYNCED) || !jz_protocol_station_is_valid (to))
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   "A transfer needs a synced table and a station code like 320481-01");
      return FALSE;
    }
  if (!jz_store_write_begin (store, error))
    return FALSE;
  hlc = jz_store_hlc_now (store, error);
  /* The table name comes from the schema's fixed list. An episode moved to
   * another station leaves its bed here. */
  sql = g_strdup_printf ("UPDATE %s SET station = ?1, hlc = ?2%s WHERE id = ?3 AND station <> ?1", entity->name,
                         jz_entity_get_field (entity, "bed_id") != NULL ? ", bed_id = NULL" : "");
  stmt = jz_store_prepare (store, sql, error);
  if (hlc == 0 || stmt == NULL)
    {
      jz_store_write_end (store, FALSE, NULL);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, to, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, hlc);
  sqlite3_bind_text (stmt, 3, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      jz_store_set_error_from_db (store, rc, error);
      jz_store_write_end (store, FALSE, NULL);
      return FALSE;
    }
  if (sqlite3_changes (jz_store_get_db (store)) == 0)
    {
      jz_store_write_end (store, FALSE, NULL);
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_NOT_FOUND,
                   "There is no %s %s here, or it already belongs to %s", entity->label, id, to);
      return FALSE;
    }
  jz_store_note_changed (store, entity->name);
  return jz_store_write_end (store, TRUE, error);
}

/* Engine */

static void
load_void_seqs (JzSyncEngine *self)
{
  g_autofree char *text = state_get (self->store, "void_seqs");
  g_auto(GStrv) parts = text ? g_strsplit (text, ",", 0) : NULL;
  guint n = parts ? g_strv_length (parts) : 0;

  g_hash_table_remove_all (self->void_seqs);
  g_free (self->void_keys);
  self->void_keys = g_new0 (gint64, n + 1);
  for (guint i = 0; i < n; i++)
    {
      self->void_keys[i] = g_ascii_strtoll (parts[i], NULL, 10);
      if (self->void_keys[i] > 0)
        g_hash_table_add (self->void_seqs, &self->void_keys[i]);
    }
}

static gboolean
is_void (JzSyncEngine *self,
         gint64        seq)
{
  return g_hash_table_contains (self->void_seqs, &seq);
}

static gboolean
add_void_seq (JzSyncEngine  *self,
              gint64         seq,
              GError       **error)
{
  g_autofree char *text = state_get (self->store, "void_seqs");
  g_autofree char *joined = text ? g_strdup_printf ("%s,%" G_GINT64_FORMAT, text, seq)
                                 : g_strdup_printf ("%" G_GINT64_FORMAT, seq);

  if (!state_set (self->store, "void_seqs", joined, error))
    return FALSE;
  load_void_seqs (self);
  return TRUE;
}

gboolean
jz_sync_engine_reload (JzSyncEngine  *self,
                       GError       **error)
{
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->pin, g_free);
  g_clear_pointer (&self->device, g_free);
  self->url = state_get (self->store, "hub_url");
  self->token = state_get (self->store, "token");
  self->pin = state_get (self->store, "pin");
  self->device = state_get (self->store, "device");
  self->last_hello_us = 0;
  load_void_seqs (self);
  apply_pin (self->curl, self->pin);
  if (self->url == NULL || self->token == NULL)
    {
      g_set_error (error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_NOT_ENROLLED,
                   "This device is not enrolled with a hub; enrol it with the hub's address and a code");
      return FALSE;
    }
  return TRUE;
}

JzSyncEngine *
jz_sync_engine_new (JzStore  *store,
                    GError  **error)
{
  JzSyncEngine *self;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);

  self = engine_new_bare (store);
  jz_sync_engine_reload (self, NULL);
  return self;
}

void
jz_sync_engine_free (JzSyncEngine *self)
{
  if (self == NULL)
    return;
  curl_multi_cleanup (self->multi);
  curl_easy_cleanup (self->curl);
  g_hash_table_destroy (self->void_seqs);
  g_ptr_array_unref (self->refresh);
  g_free (self->void_keys);
  g_clear_pointer (&self->headers, curl_slist_free_all);
  g_byte_array_unref (self->response);
  g_clear_object (&self->store);
  g_free (self->url);
  g_free (self->token);
  g_free (self->pin);
  g_free (self->device);
  g_free (self->station);
  g_free (self->epoch);
  g_free (self);
}

gboolean
jz_sync_engine_is_enrolled (JzSyncEngine *self)
{
  return self->url != NULL && self->token != NULL;
}

const char *
jz_sync_engine_get_hub_url (JzSyncEngine *self)
{
  return self->url;
}

gint64
jz_sync_engine_count_pending (JzSyncEngine *self)
{
  return query_int (self->store, "SELECT count (*) FROM outbox WHERE acked = 0", 0);
}

void
jz_sync_engine_record_result (JzSyncEngine *self,
                              const GError *error)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (!jz_store_write_begin (self->store, NULL))
    return;
  state_set_int (self->store, "last_attempt", now, NULL);
  if (error == NULL)
    {
      state_set_int (self->store, "last_success", now, NULL);
      state_set (self->store, "last_error", NULL, NULL);
    }
  else
    state_set (self->store, "last_error", error->message, NULL);
  jz_store_write_end (self->store, TRUE, NULL);
}

/* Hello: checks that the hub and this replica agree on what the hub has,
 * and repairs what they do not (a hub restored from a backup, a store
 * restored from a backup, a hub replaced). */
static gboolean
hello (JzSyncEngine  *self,
       GError       **error)
{
  g_autofree char *anchor = state_get (self->store, "anchor");
  g_autofree char *incarnation = state_get (self->store, "incarnation");
  g_autofree char *acked_epoch = state_get (self->store, "acked_epoch");
  g_autofree char *body = NULL;
  g_autoptr(JzHelloReply) reply = NULL;
  JzHelloRequest request = { 0 };
  gint64 max_acked = query_int (self->store, "SELECT max (seq) FROM outbox WHERE acked = 1", 0);
  gboolean reset_cursor;
  gboolean ok = TRUE;

  request.station = self->station;
  request.epoch = self->epoch;
  request.cursor = state_get_int (self->store, "cursor");
  request.anchor = anchor;
  request.acked = max_acked;
  /* A restored store (a new epoch) continues its old numbering: its new
   * stream starts at its first change not yet at the hub. */
  if (g_strcmp0 (acked_epoch, self->epoch) != 0)
    request.start = query_int (self->store, "SELECT coalesce (min (seq), (SELECT coalesce (max (seq), 0) + 1"
                                            " FROM outbox)) FROM outbox WHERE acked = 0", 1);
  body = jz_hello_request_encode (&request);
  if (!http (self, "POST", "/v1/hello", body, strlen (body), FALSE, NULL, error))
    return FALSE;
  reply = jz_hello_reply_decode ((const char *) self->response->data, self->response->len, error);
  if (reply == NULL)
    return FALSE;
  if (!g_str_equal (reply->station, self->station))
    {
      g_set_error (error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_NOT_ENROLLED,
                   "The hub knows this device as station %s, but the store is station %s",
                   reply->station, self->station);
      return FALSE;
    }

  reset_cursor = !reply->anchor_ok || g_strcmp0 (incarnation, reply->incarnation) != 0;

  if (!jz_store_write_begin (self->store, error))
    return FALSE;
  if (g_strcmp0 (acked_epoch, self->epoch) != 0)
    {
      /* This store was restored (a new epoch): what it had sent went out
       * under the old epoch and is at the hub; the rest starts a new
       * stream. */
      ok = state_set (self->store, "acked_epoch", self->epoch, error);
    }
  else if (max_acked > 0 && (!reply->known || reply->high_seq < max_acked))
    {
      /* The hub lost changes it had acknowledged (restored from an older
       * backup): send them again. */
      g_message ("The hub has this device's changes up to %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                 "; sending the rest again", reply->high_seq, max_acked);
      ok = exec_int (self->store, "UPDATE outbox SET acked = 0 WHERE acked = 1 AND seq > ?1",
                     reply->known ? reply->high_seq : 0, error);
    }
  else if (reply->high_seq > max_acked)
    {
      /* The hub committed a push whose reply was lost. */
      ok = exec_int (self->store, "UPDATE outbox SET acked = 1 WHERE acked = 0 AND seq <= ?1",
                     reply->high_seq, error);
    }
  if (ok && reset_cursor)
    {
      g_message ("The hub does not have what this device last pulled from it; pulling everything again");
      ok = state_set (self->store, "cursor", "0", error) &&
           state_set (self->store, "anchor", NULL, error) &&
           state_set (self->store, "own_seq", "0", error) &&
           marks_reset (self->store, error) &&
           state_set (self->store, "resync", "1", error);
    }
  if (ok)
    ok = state_set (self->store, "incarnation", reply->incarnation, error) &&
         state_set (self->store, "level", reply->level, error);
  if (reply->time_ms > 0)
    self->hub_clock_offset_ms = reply->time_ms - g_get_real_time () / 1000;
  /* A clock far behind the hub's catches up. */
  if (ok && reply->time_ms > 0)
    ok = jz_store_hlc_observe (self->store, (gint64) JZ_HLC_MAKE (reply->time_ms, 0), error);
  if (!jz_store_write_end (self->store, ok, ok ? error : NULL) || !ok)
    return FALSE;

  self->last_hello_us = g_get_monotonic_time ();
  return TRUE;
}

/* Push */

static gboolean
ack_up_to (JzSyncEngine  *self,
           gint64         high_seq,
           GError       **error)
{
  gboolean ok;

  if (!jz_store_write_begin (self->store, error))
    return FALSE;
  ok = exec_int (self->store, "UPDATE outbox SET acked = 1 WHERE acked = 0 AND seq <= ?1", high_seq, error);
  return jz_store_write_end (self->store, ok, ok ? error : NULL) && ok;
}

static gboolean
repair_after_gap (JzSyncEngine  *self,
                  gint64         mark,
                  GError       **error)
{
  gboolean ok;

  if (!jz_store_write_begin (self->store, error))
    return FALSE;
  ok = exec_int (self->store, "UPDATE outbox SET acked = (seq <= ?1) WHERE acked <> (seq <= ?1)", mark, error);
  return jz_store_write_end (self->store, ok, ok ? error : NULL) && ok;
}

static gboolean refuse_change (JzSyncEngine  *self,
                               gint64         seq,
                               const char    *why,
                               GError       **error);

/* A batch of the outbox, encoded and compressed. */
typedef struct
{
  gint64  first;
  gint64  last;
  guint   count;
  GBytes *body;
} Batch;

static void
batch_free (Batch *batch)
{
  if (batch == NULL)
    return;
  g_bytes_unref (batch->body);
  g_free (batch);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Batch, batch_free)

/* The next contiguous run of pending changes after seq @after. */
static gboolean
read_batch (JzSyncEngine  *self,
            gint64         after,
            Batch        **out,
            GError       **error)
{
  g_autoptr(JzPushRequest) request = jz_push_request_new (self->station, self->epoch);
  g_autoptr(GArray) marks = marks_load (self->store);
  g_autofree char *json = NULL;
  sqlite3_stmt *stmt;
  gint64 last = 0;
  gsize len = 0;
  int rc;
  Batch *batch;

  *out = NULL;
  stmt = jz_store_prepare (self->store,
                           "SELECT seq, entity, entity_id, op, base_rev, hlc, fields_json FROM outbox"
                           " WHERE acked = 0 AND seq > ?2 ORDER BY seq LIMIT ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, (int) self->batch);
  sqlite3_bind_int64 (stmt, 2, after);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JzChange *c;
      gint64 seq = sqlite3_column_int64 (stmt, 0);

      /* Contiguous only: a hole would be refused as a gap. */
      if (last != 0 && seq != last + 1)
        break;
      last = seq;
      c = jz_change_new ();
      c->seq = seq;
      c->entity = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      c->id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      if (!jz_op_from_string ((const char *) sqlite3_column_text (stmt, 3), &c->op))
        c->op = JZ_OP_UPDATE;
      c->base_rev = (guint64) sqlite3_column_int64 (stmt, 4);
      /* An insert is based on nothing. */
      c->base_seq = c->op != JZ_OP_INSERT ? marks_lookup (marks, seq) : -1;
      c->has_base_seq = c->base_seq >= 0;
      c->hlc = (guint64) sqlite3_column_int64 (stmt, 5);
      c->fields_json = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
      if (is_void (self, seq))
        {
          c->op = JZ_OP_VOID;
          g_free (c->fields_json);
          c->fields_json = g_strdup ("{}");
        }
      g_ptr_array_add (request->changes, c);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return jz_store_set_error_from_db (self->store, rc, error);
  if (request->changes->len == 0)
    return TRUE;

  json = jz_push_request_encode (request, &len);
  batch = g_new0 (Batch, 1);
  batch->first = ((JzChange *) request->changes->pdata[0])->seq;
  batch->last = last;
  batch->count = request->changes->len;
  batch->body = jz_protocol_gzip (json, len, batch->count < 200 ? PUSH_GZIP_LEVEL_SMALL : PUSH_GZIP_LEVEL_LARGE);
  *out = batch;
  return TRUE;
}

static void
batch_begin (JzSyncEngine *self,
             Batch        *batch)
{
  gsize len = 0;
  gconstpointer data = g_bytes_get_data (batch->body, &len);

  http_begin (self, "POST", "/v1/push", data, len, TRUE);
}

/* Pushes every pending change. While the hub works on a batch, the next
 * one is read and compressed, and the previous one is marked
 * acknowledged, so that the station and the hub work at the same time. */
gboolean
jz_sync_engine_push (JzSyncEngine  *self,
                     GCancellable  *cancellable,
                     JzSyncStats   *stats,
                     GError       **error)
{
  guint gaps = 0;

  self->cancellable = cancellable;
  self->stats = stats;

restart:
  {
    g_autoptr(Batch) current = NULL;

    if (g_cancellable_set_error_if_cancelled (cancellable, error))
      return FALSE;
    if (!read_batch (self, 0, &current, error))
      return FALSE;
    if (current == NULL)
      return TRUE;
    batch_begin (self, current);

    while (current != NULL)
      {
        g_autoptr(Batch) next = NULL;
        g_autoptr(GError) local_error = NULL;
        JzPushReply reply;
        gint64 high_seq = -1;
        gboolean prepared;

        prepared = read_batch (self, current->last, &next, &local_error);
        if (!http_end (self, &high_seq, prepared ? &local_error : NULL))
          {
            if (g_error_matches (local_error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_GAP) && high_seq >= 0 && gaps++ < 3)
              {
                g_message ("The hub has this device's changes up to %" G_GINT64_FORMAT
                           "; this push started at %" G_GINT64_FORMAT, high_seq, current->first);
                if (!repair_after_gap (self, high_seq, error))
                  return FALSE;
                if (query_int (self->store, "SELECT min (seq) FROM outbox WHERE acked = 0", 0) > high_seq + 1)
                  {
                    g_set_error (error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_OUTBOX,
                                 "The hub needs this device's changes from %" G_GINT64_FORMAT
                                 " on, but the outbox no longer has them", high_seq + 1);
                    return FALSE;
                  }
                goto restart;
              }
            if (g_error_matches (local_error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_TOO_LARGE) && current->count > 1)
              {
                /* A hub that takes fewer changes per push (before
                 * 2026-11: 1,000), or a batch whose fields are too large
                 * together: smaller batches from now on. */
                self->batch = MAX (1, current->count / 2);
                g_message ("The hub refused a push of %u changes as too large; pushing %u at a time",
                           current->count, self->batch);
                goto restart;
              }
            if (g_error_matches (local_error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN))
              {
                gint64 seq = jz_protocol_error_get_seq ((const char *) self->response->data, self->response->len);

                /* A change outside this station's rights (an edit of
                 * another station's record) must not hold back the ones
                 * after it: it is kept as a conflict here and its place
                 * in the stream is sent empty. */
                if (seq >= current->first && seq <= current->last && !is_void (self, seq))
                  {
                    g_message ("The hub refused change %" G_GINT64_FORMAT " of this device: %s",
                               seq, local_error->message);
                    if (!refuse_change (self, seq, local_error->message, error))
                      return FALSE;
                    goto restart;
                  }
              }
            if (local_error == NULL)
              g_set_error (&local_error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_NETWORK, "The push was cut short");
            g_propagate_error (error, g_steal_pointer (&local_error));
            return FALSE;
          }
        if (!prepared)
          {
            g_propagate_error (error, g_steal_pointer (&local_error));
            return FALSE;
          }
        if (!jz_push_reply_decode ((const char *) self->response->data, self->response->len, &reply, error))
          return FALSE;

        /* The next batch goes out before this one is marked. */
        if (next != NULL && !g_cancellable_is_cancelled (cancellable))
          batch_begin (self, next);
        else
          g_clear_pointer (&next, batch_free);
        if (!ack_up_to (self, MIN (reply.high_seq, current->last), error))
          {
            if (next != NULL)
              http_end (self, NULL, NULL);
            return FALSE;
          }
        if (stats != NULL)
          {
            stats->pushed += reply.accepted;
            stats->push_requests++;
          }
        g_clear_pointer (&current, batch_free);
        current = g_steal_pointer (&next);
      }
  }
  /* What was saved while this push ran. */
  if (query_int (self->store, "SELECT count (*) FROM outbox WHERE acked = 0", 0) > 0)
    goto restart;
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* Pull and apply */

typedef struct
{
  gint64       seq;
  gint64       base_rev;
  gint64       base_seq;
  gint64       hlc;
  json_object *fields;
  char        *entity;
  char        *entity_id;
} Pending;

static void
pending_free (gpointer data)
{
  Pending *p = data;

  json_object_put (p->fields);
  g_free (p->entity);
  g_free (p->entity_id);
  g_free (p);
}

/* New records of one table with the same columns, written together at
 * the end of the page (or before anything else touches one of them). */
typedef struct
{
  const JzEntity *entity;
  GPtrArray      *columns;   /* column names (interned) */
  GString        *rows;      /* JSON: [[v1, v2, …, hlc, id], …] */
  guint           count;
} Deferred;

static void
deferred_free (gpointer data)
{
  Deferred *d = data;

  g_ptr_array_unref (d->columns);
  g_string_free (d->rows, TRUE);
  g_free (d);
}

typedef struct
{
  gint64      own_seq;
  GHashTable *pending;     /* entity_id → GPtrArray of Pending, oldest first */
  GHashTable *pending_seq; /* seq → the same Pending */
  GHashTable *overridden;  /* own seqs whose values a pulled change replaced here (gint64 *) */
  gint64      max_hlc;
  GHashTable *deferred;    /* table + columns → Deferred */
  GHashTable *deferred_ids;
  GArray     *members;     /* JzJsonMember, scratch for defer_insert_text() */
  gboolean    whole;       /* the changes are records' whole state (a refresh) */
  gboolean    partial;     /* set while a whole change is applied again as partial */
} Page;

static gboolean
load_pending (JzSyncEngine  *self,
              Page          *page,
              GError       **error)
{
  sqlite3_stmt *stmt = jz_store_prepare (self->store,
                                         "SELECT seq, entity_id, base_rev, hlc, fields_json, entity FROM outbox"
                                         " WHERE seq > ?1 ORDER BY seq", error);
  g_autoptr(GArray) marks = NULL;
  int rc;

  if (stmt == NULL)
    return FALSE;
  page->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  page->pending_seq = g_hash_table_new (g_int64_hash, g_int64_equal);
  marks = marks_load (self->store);
  sqlite3_bind_int64 (stmt, 1, page->own_seq);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 1);
      GPtrArray *list = g_hash_table_lookup (page->pending, id);
      Pending *p = g_new0 (Pending, 1);

      p->seq = sqlite3_column_int64 (stmt, 0);
      if (is_void (self, p->seq))
        {
          g_free (p);
          continue;
        }
      p->base_rev = sqlite3_column_int64 (stmt, 2);
      p->base_seq = marks_lookup (marks, p->seq);
      p->hlc = sqlite3_column_int64 (stmt, 3);
      p->fields = json_tokener_parse ((const char *) sqlite3_column_text (stmt, 4));
      p->entity = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      p->entity_id = g_strdup (id);
      g_hash_table_insert (page->pending_seq, &p->seq, p);
      if (list == NULL)
        {
          list = g_ptr_array_new_with_free_func (pending_free);
          g_hash_table_insert (page->pending, g_strdup (id), list);
        }
      g_ptr_array_add (list, p);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return jz_store_set_error_from_db (self->store, rc, error);
  return TRUE;
}

static gboolean
column_exists (const JzEntity *entity,
               const char     *name)
{
  for (guint i = 1; i < JZ_SCHEMA_N_HEADER; i++)
    if (g_str_equal (name, jz_schema_header_columns[i]))
      return TRUE;
  return jz_entity_get_field (entity, name) != NULL;
}

static void
bind_json (sqlite3_stmt *stmt,
           int           i,
           json_object  *value)
{
  switch (json_object_get_type (value))
    {
    case json_type_null:
      sqlite3_bind_null (stmt, i);
      break;
    case json_type_boolean:
      sqlite3_bind_int (stmt, i, json_object_get_boolean (value));
      break;
    case json_type_int:
      sqlite3_bind_int64 (stmt, i, json_object_get_int64 (value));
      break;
    case json_type_double:
      sqlite3_bind_double (stmt, i, json_object_get_double (value));
      break;
    default:
      sqlite3_bind_text (stmt, i, json_object_get_string (value), json_object_get_string_len (value),
                         SQLITE_TRANSIENT);
      break;
    }
}

/* As the hub decides (jz-hub-store.c): a clock more than a day ahead of
 * the hub's counts as a day ahead. The hub's clock, not this machine's
 * (which may be days off): the offset is learnt at the hello. */
static int
precedence_cmp (JzSyncEngine *self,
                int           auth_a,
                gint64        hlc_a,
                const char   *station_a,
                int           auth_b,
                gint64        hlc_b,
                const char   *station_b)
{
  gint64 limit = (gint64) JZ_HLC_MAKE (g_get_real_time () / 1000 + self->hub_clock_offset_ms + 24 * 3600 * 1000, 0);

  hlc_a = MIN (hlc_a, limit);
  hlc_b = MIN (hlc_b, limit);
  if (auth_a != auth_b)
    return auth_a > auth_b ? 1 : -1;
  if (hlc_a != hlc_b)
    return hlc_a > hlc_b ? 1 : -1;
  return g_strcmp0 (station_a, station_b);
}

/* The same id on every device of the station that lost, so that the
 * conflict is one record however many of them notice it. */
static char *
conflict_id (const char *incarnation,
             JzChange   *c,
             JzLoss     *loss)
{
  g_autofree char *seed = g_strdup_printf ("%s/%" G_GINT64_FORMAT "/%s/%" G_GUINT64_FORMAT,
                                           incarnation ? incarnation : "", c->hub_seq, loss->field,
                                           loss->loser_hlc);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);
  gint64 ms = JZ_HLC_MS (loss->winner_hlc);
  static const char variant[] = "89ab";

  return g_strdup_printf ("%08x-%04x-7%.3s-%c%.3s-%.12s",
                          (guint) ((ms >> 16) & 0xffffffff), (guint) (ms & 0xffff),
                          hash, variant[g_ascii_xdigit_value (hash[3]) & 3], hash + 4, hash + 7);
}

static gboolean
record_loss (JzSyncEngine    *self,
             const JzEntity  *entity,
             JzChange        *c,
             JzLoss          *loss,
             const char      *incarnation,
             JzSyncStats     *stats,
             GError         **error)
{
  g_autofree char *id = conflict_id (incarnation, c, loss);
  g_autofree char *sql = NULL;
  g_autoptr(JzConflict) conflict = NULL;
  sqlite3_stmt *stmt;
  gboolean exists;
  gboolean ok;

  if (!column_exists (entity, loss->field))
    return TRUE;

  stmt = jz_store_prepare (self->store, "SELECT 1 FROM conflict WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  exists = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  if (exists)
    return TRUE;

  conflict = jz_conflict_new ();
  conflict->rec.id = g_steal_pointer (&id);
  conflict->entity = g_strdup (entity->name);
  conflict->entity_id = g_strdup (c->id);
  conflict->field = g_strdup (loss->field);
  conflict->local_value = g_strdup (loss->value
                                    ? json_object_to_json_string_ext (loss->value, JSON_C_TO_STRING_PLAIN)
                                    : "null");
  conflict->remote_station = g_strdup (loss->winner_station);
  conflict->remote_hlc = (gint64) loss->winner_hlc;

  /* The value that won is what the record holds now. Identifiers from
   * the schema's fixed lists. */
  sql = g_strdup_printf ("SELECT json_quote (%s) FROM %s WHERE id = ?1", loss->field, entity->name);
  stmt = jz_store_prepare (self->store, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, c->id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    conflict->remote_value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  /* Conflicts sync (a person resolves them once for all devices), so this
   * one write is captured by the outbox. */
  jz_store_set_applying (self->store, FALSE);
  ok = jz_store_insert_conflict (self->store, conflict, error);
  jz_store_set_applying (self->store, TRUE);
  if (ok && stats != NULL)
    stats->conflicts++;
  return ok;
}

/* Whether this replica keeps its own value of @key rather than take
 * @c's @value: when one of its own changes the hub has not answered for
 * touches it and will win there (the same rule as the hub's), or when @c
 * is only a snapshot of the hub's state, which never overrules an edit.
 * An edit touches "deleted" only against a delete (at the hub it may undo
 * it): it has nothing to say against a record that is alive. */
static gboolean
keep_local (JzSyncEngine *self,
            Page         *page,
            GPtrArray    *pending,
            JzChange     *c,
            const char   *key,
            json_object  *value,
            int           my_auth)
{
  gboolean against_delete = g_str_equal (key, "deleted") && value != NULL && json_object_get_int (value) != 0;
  gboolean implicit = FALSE;
  gboolean seen;
  Pending *latest = NULL;

  for (guint i = 0; pending != NULL && i < pending->len; i++)
    {
      Pending *p = g_ptr_array_index (pending, i);

      if (p->seq <= page->own_seq || p->fields == NULL)
        continue;
      if (json_object_object_get_ex (p->fields, key, NULL))
        {
          latest = p;
          implicit = FALSE;
        }
      else if (against_delete)
        {
          latest = p;
          implicit = TRUE;
        }
    }
  if (latest == NULL)
    return FALSE;
  if (c->op == JZ_OP_SNAPSHOT)
    return TRUE;
  /* As the hub will decide: the local change saw @c (it had pulled it,
   * and its clock agrees; or @c is this replica's own), so it simply
   * wins; or both changed the field and precedence decides. An edit that
   * saw the delete does not undo it, though: it does not name the field. */
  seen = (g_strcmp0 (c->station, self->station) == 0 && g_strcmp0 (c->epoch, self->epoch) == 0) ||
         ((latest->base_seq < 0 || c->hub_seq <= latest->base_seq) && (gint64) c->hlc <= latest->base_rev);
  if (seen)
    return !implicit;
  if (precedence_cmp (self, my_auth, latest->hlc, self->station, c->auth, (gint64) c->hlc, c->station) > 0)
    return TRUE;
  /* Judged with what this replica knows now (its owner may be changed at
   * the hub by a transfer it has not pulled yet): see restore_own. */
  if (page->overridden != NULL)
    g_hash_table_add (page->overridden, g_memdup2 (&latest->seq, sizeof latest->seq));
  return FALSE;
}

/* Many rows in one statement: the full-text index of the store flushes at
 * the start of every statement that fires its triggers, so one INSERT per
 * pulled person would cost more than the person. OR IGNORE: a row the
 * table refuses (part of a record this replica cannot hold yet) is left
 * out, as a single insert would be. */
static gboolean
flush_deferred (JzSyncEngine  *self,
                Page          *page,
                JzSyncStats   *stats,
                GError       **error)
{
  GHashTableIter iter;
  gpointer value;

  if (page->deferred == NULL || g_hash_table_size (page->deferred) == 0)
    return TRUE;
  g_hash_table_iter_init (&iter, page->deferred);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Deferred *d = value;
      g_autoptr(GString) sql = g_string_new (NULL);
      sqlite3_stmt *stmt;
      guint n = d->columns->len;
      gint64 inserted;
      int rc;

      /* Identifiers from the schema's fixed lists. */
      g_string_printf (sql, "INSERT OR IGNORE INTO %s (", d->entity->name);
      for (guint i = 0; i < n; i++)
        g_string_append_printf (sql, "%s, ", (char *) d->columns->pdata[i]);
      g_string_append (sql, "hlc, id) SELECT ");
      for (guint i = 0; i < n + 2; i++)
        g_string_append_printf (sql, "%svalue ->> %u", i ? ", " : "", i);
      g_string_append (sql, " FROM json_each (?1)");
      g_string_append_c (d->rows, ']');

      stmt = jz_store_prepare (self->store, sql->str, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, d->rows->str, (int) d->rows->len, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        {
          jz_store_set_error_from_db (self->store, rc, error);
          g_prefix_error (error, "Cannot apply %s records from the hub: ", d->entity->name);
          return FALSE;
        }
      inserted = sqlite3_changes (jz_store_get_db (self->store));
      jz_store_note_changed (self->store, d->entity->name);
      if (stats != NULL)
        {
          stats->applied += inserted;
          stats->skipped += d->count - inserted;
          if (inserted > 0)
            g_hash_table_add (stats->tables, (gpointer) g_intern_string (d->entity->name));
        }
    }
  g_hash_table_remove_all (page->deferred);
  g_hash_table_remove_all (page->deferred_ids);
  return TRUE;
}

/* The deferred rows of @entity with @columns (static or interned names),
 * with a new row opened for the caller to fill. */
static Deferred *
deferred_row_begin (Page           *page,
                    const JzEntity *entity,
                    const char    **columns,
                    guint           n_columns)
{
  g_autoptr(GString) key = g_string_sized_new (256);
  Deferred *d;

  g_string_append (key, entity->name);
  for (guint i = 0; i < n_columns; i++)
    {
      g_string_append_c (key, ',');
      g_string_append (key, columns[i]);
    }
  d = g_hash_table_lookup (page->deferred, key->str);
  if (d == NULL)
    {
      d = g_new0 (Deferred, 1);
      d->entity = entity;
      d->columns = g_ptr_array_new ();
      for (guint i = 0; i < n_columns; i++)
        g_ptr_array_add (d->columns, (gpointer) g_intern_string (columns[i]));
      d->rows = g_string_new ("[");
      g_hash_table_insert (page->deferred, g_string_free (g_steal_pointer (&key), FALSE), d);
    }
  g_string_append (d->rows, d->count ? ",[" : "[");
  return d;
}

static void
deferred_row_end (Page     *page,
                  Deferred *d,
                  JzChange *c)
{
  g_string_append_printf (d->rows, "%" G_GUINT64_FORMAT ",", c->hlc);
  jz_json_append_string (d->rows, c->id);
  g_string_append_c (d->rows, ']');
  d->count++;
  g_hash_table_add (page->deferred_ids, g_strdup (c->id));
}

static void
defer_insert (Page           *page,
              const JzEntity *entity,
              JzChange       *c,
              GPtrArray      *columns,
              GPtrArray      *values,
              const char     *owner)
{
  Deferred *d = deferred_row_begin (page, entity, (const char **) columns->pdata, columns->len);

  for (guint i = 0; i < columns->len; i++)
    {
      json_object *v = values->pdata[i];

      if (v == NULL && g_str_equal (columns->pdata[i], "station"))
        jz_json_append_string (d->rows, owner);
      else
        g_string_append (d->rows, v ? json_object_to_json_string_ext (v, JSON_C_TO_STRING_PLAIN) : "null");
      g_string_append_c (d->rows, ',');
    }
  deferred_row_end (page, d, c);
}

/* The column @name of @entity as the schema spells it (a static string),
 * or NULL. */
static const char *
column_name (const JzEntity *entity,
             const char     *name)
{
  const JzField *field;

  for (guint i = 1; i < JZ_SCHEMA_N_HEADER; i++)
    if (g_str_equal (name, jz_schema_header_columns[i]))
      return jz_schema_header_columns[i];
  field = jz_entity_get_field (entity, name);
  return field != NULL ? field->name : NULL;
}

/* What apply_change() does with a record this replica has not got, no
 * pending change of its own touches and the hub kept whole (no lost
 * values), taken from the fields' text as it came: the values are JSON
 * already, the rows of the deferred insert are JSON. FALSE, having done
 * nothing, for fields the scanner does not take; json-c then decides. */
static gboolean
defer_insert_text (Page           *page,
                   const JzEntity *entity,
                   JzChange       *c,
                   const char     *owner)
{
  const char *columns[JZ_PROTOCOL_MAX_FIELDS / 4];
  const JzJsonMember *values[G_N_ELEMENTS (columns)];
  GArray *members = page->members;
  gboolean has_station = FALSE;
  guint n = 0;
  Deferred *d;

  if (!jz_json_scan_flat (c->fields_json, strlen (c->fields_json), members) ||
      members->len + 1 > G_N_ELEMENTS (columns))
    return FALSE;
  for (guint i = 0; i < members->len; i++)
    {
      const JzJsonMember *m = &g_array_index (members, JzJsonMember, i);
      char name[JZ_PROTOCOL_MAX_FIELD_NAME + 1];
      const char *column;

      if (m->key_len > JZ_PROTOCOL_MAX_FIELD_NAME)
        return FALSE;
      memcpy (name, m->key, m->key_len);
      name[m->key_len] = '\0';
      if (g_str_equal (name, "hlc") || g_str_equal (name, "id") || (column = column_name (entity, name)) == NULL)
        continue;
      /* As the json-c path: a station given as null is the owner. */
      has_station |= g_str_equal (column, "station");
      columns[n] = column;
      values[n++] = g_str_equal (column, "station") && m->kind == JZ_JSON_NULL ? NULL : m;
    }
  if (!has_station)
    {
      columns[n] = "station";
      values[n++] = NULL;
    }

  d = deferred_row_begin (page, entity, columns, n);
  for (guint i = 0; i < n; i++)
    {
      if (values[i] == NULL)
        jz_json_append_string (d->rows, owner);
      else
        g_string_append_len (d->rows, values[i]->value, values[i]->value_len);
      g_string_append_c (d->rows, ',');
    }
  deferred_row_end (page, d, c);
  return TRUE;
}

/* An own change the hub took whole comes back as a stub: at this point
 * of the hub's stream the record holds its values. This replica may hold
 * others: a change of another station that came before it in the stream
 * was judged here against the then pending edit with what this replica
 * knew at the time, and an owner it had not yet heard had changed (a
 * transfer) made the hub decide otherwise (chaos seed 70028). The own
 * values go back, but for fields a later pending edit of this replica
 * writes anyway. Nothing is written when the record already agrees. */
static gboolean
restore_own (JzSyncEngine  *self,
             Page          *page,
             gint64         seq,
             GError       **error)
{
  Pending *p = page->pending_seq != NULL && page->overridden != NULL &&
               g_hash_table_contains (page->overridden, &seq)
             ? g_hash_table_lookup (page->pending_seq, &seq) : NULL;
  const JzEntity *entity = p != NULL && p->entity != NULL ? jz_schema_lookup (p->entity) : NULL;
  g_autoptr(GPtrArray) columns = NULL;
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GString) sql = NULL;
  GPtrArray *later;
  sqlite3_stmt *stmt;
  int rc;

  if (entity == NULL || !(entity->flags & JZ_ENTITY_SYNCED) || p->fields == NULL ||
      !json_object_is_type (p->fields, json_type_object))
    return TRUE;
  later = g_hash_table_lookup (page->pending, p->entity_id);
  columns = g_ptr_array_new ();
  values = g_ptr_array_new ();
  {
    json_object_object_foreach (p->fields, key, val)
      {
        gboolean rewritten = FALSE;

        if (g_str_equal (key, "hlc") || g_str_equal (key, "id") || !column_exists (entity, key))
          continue;
        for (guint i = 0; later != NULL && i < later->len && !rewritten; i++)
          {
            Pending *q = g_ptr_array_index (later, i);

            rewritten = q->seq > seq && q->fields != NULL && json_object_object_get_ex (q->fields, key, NULL);
          }
        if (rewritten)
          continue;
        g_ptr_array_add (columns, key);
        g_ptr_array_add (values, val);
      }
  }
  if (columns->len == 0)
    return TRUE;

  /* Identifiers from the schema's fixed lists. */
  sql = g_string_new (NULL);
  g_string_printf (sql, "UPDATE %s SET ", entity->name);
  for (guint i = 0; i < columns->len; i++)
    g_string_append_printf (sql, "%s = ?%u, ", (char *) columns->pdata[i], i + 1);
  g_string_append_printf (sql, "hlc = max (hlc, ?%u) WHERE id = ?%u AND (", columns->len + 1, columns->len + 2);
  for (guint i = 0; i < columns->len; i++)
    g_string_append_printf (sql, "%s%s IS NOT ?%u", i > 0 ? " OR " : "", (char *) columns->pdata[i], i + 1);
  g_string_append_c (sql, ')');
  stmt = jz_store_prepare (self->store, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < columns->len; i++)
    bind_json (stmt, i + 1, values->pdata[i]);
  sqlite3_bind_int64 (stmt, columns->len + 1, p->hlc);
  sqlite3_bind_text (stmt, columns->len + 2, p->entity_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      /* The record's rules refuse the values now (it changed since): the
       * hub's later changes, or a refresh, bring the record back. */
      if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return TRUE;
      jz_store_set_error_from_db (self->store, rc, error);
      g_prefix_error (error, "Cannot restore %s %s: ", entity->name, p->entity_id);
      return FALSE;
    }
  if (sqlite3_changes (jz_store_get_db (self->store)) > 0)
    jz_store_note_changed (self->store, entity->name);
  return TRUE;
}

static gboolean
apply_change (JzSyncEngine  *self,
              JzChange      *c,
              Page          *page,
              const char    *incarnation,
              JzSyncStats   *stats,
              GError       **error)
{
  const JzEntity *entity;
  GPtrArray *pending;
  g_autoptr(GPtrArray) columns = g_ptr_array_new ();
  g_autoptr(GPtrArray) values = g_ptr_array_new ();
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autofree char *owner = NULL;
  sqlite3_stmt *stmt;
  gboolean own;
  gboolean exists = FALSE;
  guint n_cleared = 0;
  int my_auth;
  int rc;

  if (c->stub)
    {
      page->own_seq = MAX (page->own_seq, c->seq);
      return restore_own (self, page, c->seq, error);
    }
  page->max_hlc = MAX (page->max_hlc, (gint64) c->hlc);

  entity = jz_schema_lookup (c->entity);
  if (entity == NULL || !(entity->flags & JZ_ENTITY_SYNCED))
    {
      /* A table of a newer version of Jiuzhu: nothing to put it in. */
      if (stats != NULL)
        stats->skipped++;
      return TRUE;
    }
  own = g_strcmp0 (c->station, self->station) == 0 && g_strcmp0 (c->epoch, self->epoch) == 0;
  if (own)
    page->own_seq = MAX (page->own_seq, c->seq);
  if (g_hash_table_contains (page->deferred_ids, c->id) && !flush_deferred (self, page, stats, error))
    return FALSE;

  g_string_printf (sql, "SELECT station FROM %s WHERE id = ?1", entity->name);
  stmt = jz_store_prepare (self->store, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, c->id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      exists = TRUE;
      owner = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_reset (stmt);
  if (owner == NULL)
    owner = g_strdup (c->owner ? c->owner : c->station);

  my_auth = self->hub_level ? JZ_AUTHORITY_HUB
          : g_strcmp0 (owner, self->station) == 0 ? JZ_AUTHORITY_OWNER : JZ_AUTHORITY_OTHER;
  pending = page->pending ? g_hash_table_lookup (page->pending, c->id) : NULL;

  /* A record new here, as most of a first pull: its fields as they came. */
  if (!exists && pending == NULL && c->fields == NULL && c->fields_json != NULL &&
      (c->losses == NULL || c->losses->len == 0) && page->members != NULL &&
      defer_insert_text (page, entity, c, owner))
    return TRUE;
  if (jz_change_get_fields (c, error) == NULL)
    {
      g_prefix_error (error, "Cannot apply %s %s from the hub: ", entity->name, c->id);
      return FALSE;
    }

  {
    json_object_object_foreach (c->fields, key, val)
      {
        if (g_str_equal (key, "hlc") || g_str_equal (key, "id") || !column_exists (entity, key) ||
            keep_local (self, page, pending, c, key, val, my_auth))
          continue;
        g_ptr_array_add (columns, key);
        g_ptr_array_add (values, val);
      }
  }
  /* A record's whole state (a snapshot, or a refresh after a refused
   * change) leaves out what is NULL at the hub: what this replica holds
   * there goes, unless a pending change of its own keeps it. */
  if (exists && (c->op == JZ_OP_SNAPSHOT || page->whole) && !page->partial)
    {
      for (guint i = 0; i < entity->n_fields + 1; i++)
        {
          const char *name = i < entity->n_fields ? entity->fields[i].name : "updated_by";
          int notnull = 1;

          if (json_object_object_get_ex (c->fields, name, NULL) ||
              sqlite3_table_column_metadata (jz_store_get_db (self->store), NULL, entity->name, name,
                                             NULL, NULL, &notnull, NULL, NULL) != SQLITE_OK ||
              notnull || keep_local (self, page, pending, c, name, NULL, my_auth))
            continue;
          g_ptr_array_add (columns, (gpointer) name);
          g_ptr_array_add (values, NULL);
          n_cleared++;
        }
    }

  /* This replica's own values that lost at the hub: the winners take
   * their place (other replicas never saw the losers). */
  for (guint i = 0; own && c->losses != NULL && i < c->losses->len; i++)
    {
      JzLoss *loss = g_ptr_array_index (c->losses, i);
      gboolean listed = FALSE;

      if (!loss->has_winner_value || g_strcmp0 (loss->loser_station, self->station) != 0 ||
          !column_exists (entity, loss->field) || g_str_equal (loss->field, "hlc") ||
          keep_local (self, page, pending, c, loss->field, loss->winner_value, my_auth))
        continue;
      for (guint j = 0; j < columns->len && !listed; j++)
        listed = g_str_equal (columns->pdata[j], loss->field);
      if (listed)
        continue;
      g_ptr_array_add (columns, loss->field);
      g_ptr_array_add (values, loss->winner_value);
    }

  /* Identifiers below come from the schema's fixed lists. */
  if (exists)
    {
      g_string_printf (sql, "UPDATE %s SET ", entity->name);
      for (guint i = 0; i < columns->len; i++)
        g_string_append_printf (sql, "%s = ?%u, ", (char *) columns->pdata[i], i + 1);
      g_string_append_printf (sql, "hlc = max (hlc, ?%u) WHERE id = ?%u", columns->len + 1, columns->len + 2);
    }
  else
    {
      gboolean has_station = FALSE;

      for (guint i = 0; i < columns->len; i++)
        has_station |= g_str_equal (columns->pdata[i], "station");
      if (!has_station)
        {
          g_ptr_array_add (columns, (gpointer) "station");
          g_ptr_array_add (values, NULL);
        }
      if (c->losses == NULL || c->losses->len == 0)
        {
          defer_insert (page, entity, c, columns, values, owner);
          return TRUE;
        }
      g_string_printf (sql, "INSERT INTO %s (", entity->name);
      for (guint i = 0; i < columns->len; i++)
        g_string_append_printf (sql, "%s, ", (char *) columns->pdata[i]);
      g_string_append (sql, "hlc, id) VALUES (");
      for (guint i = 0; i < columns->len; i++)
        g_string_append_printf (sql, "?%u, ", i + 1);
      g_string_append_printf (sql, "?%u, ?%u)", columns->len + 1, columns->len + 2);
    }

  stmt = jz_store_prepare (self->store, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < columns->len; i++)
    {
      if (values->pdata[i] == NULL && g_str_equal (columns->pdata[i], "station"))
        sqlite3_bind_text (stmt, i + 1, owner, -1, SQLITE_TRANSIENT);
      else
        bind_json (stmt, i + 1, values->pdata[i]);
    }
  sqlite3_bind_int64 (stmt, columns->len + 1, (gint64) c->hlc);
  sqlite3_bind_text (stmt, columns->len + 2, c->id, -1, SQLITE_STATIC);

  /* A constraint failure undoes this statement only (and what its
   * triggers did); the page's transaction goes on. No savepoint per row:
   * the full-text index flushes at every savepoint. */
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && (rc & 0xff) == SQLITE_CONSTRAINT && exists && n_cleared > 0)
    {
      gboolean ok;

      /* The record's whole state at the hub is not whole after all (a
       * record hub staff wrote to before its insert came): clearing what
       * it leaves out breaks the table's rules. Take it as a change. */
      page->partial = TRUE;
      ok = apply_change (self, c, page, incarnation, stats, error);
      page->partial = FALSE;
      return ok;
    }
  if (rc != SQLITE_DONE)
    {
      if ((rc & 0xff) == SQLITE_CONSTRAINT && !exists)
        {
          /* Part of a record this replica cannot hold yet (it never saw the
           * rest); the whole record arrives with a later snapshot. */
          g_debug ("Skipped %s %s from the hub: %s", entity->name, c->id,
                   sqlite3_errmsg (jz_store_get_db (self->store)));
          if (stats != NULL)
            stats->skipped++;
          return TRUE;
        }
      jz_store_set_error_from_db (self->store, rc, error);
      g_prefix_error (error, "Cannot apply %s %s from the hub: ", entity->name, c->id);
      return FALSE;
    }
  jz_store_note_changed (self->store, entity->name);
  if (stats != NULL)
    {
      stats->applied++;
      g_hash_table_add (stats->tables, (gpointer) g_intern_string (entity->name));
    }

  for (guint i = 0; c->losses != NULL && i < c->losses->len; i++)
    {
      JzLoss *loss = g_ptr_array_index (c->losses, i);

      if (g_strcmp0 (loss->loser_station, self->station) == 0 &&
          !record_loss (self, entity, c, loss, incarnation, stats, error))
        return FALSE;
    }
  return TRUE;
}

/* A replica holds only its scope, so a pulled record may point at one it
 * does not have (a bed of the station an episode came from): the hub keeps
 * the references whole, not each replica. Foreign keys are not enforced
 * while the hub's changes are applied (a pragma that only works outside a
 * transaction, hence here). */
static gboolean
apply_begin (JzSyncEngine  *self,
             GError       **error)
{
  if (!jz_store_exec (self->store, "PRAGMA foreign_keys = OFF", error))
    return FALSE;
  if (!jz_store_write_begin (self->store, error))
    {
      jz_store_exec (self->store, "PRAGMA foreign_keys = ON", NULL);
      return FALSE;
    }
  return TRUE;
}

static gboolean
apply_end (JzSyncEngine  *self,
           gboolean       ok,
           GError       **error)
{
  gboolean done = jz_store_write_end (self->store, ok, error);

  jz_store_exec (self->store, "PRAGMA foreign_keys = ON", NULL);
  return done;
}

/* Resync: after the hub's history was replaced (a restore from a backup),
 * what this replica holds was built from changes the hub may no longer
 * have: a transfer that is now undone, its own change that the hub now
 * holds otherwise. It pulls everything again, its own changes in full,
 * and at the end removes the records the hub did not send (out of its
 * scope now), unless it created them or has changes of them still to
 * send; the first change of each record sent states it whole. The records
 * sent are noted in a temporary table, so a resync that a crash cut short
 * starts again from the beginning. */
static gboolean
resync_begin (JzSyncEngine  *self,
              GError       **error)
{
  gboolean ok;

  if (!jz_store_exec (self->store,
                      "CREATE TEMP TABLE IF NOT EXISTS sync_delivered (entity TEXT NOT NULL, id TEXT NOT NULL,"
                      " PRIMARY KEY (entity, id)) WITHOUT ROWID", error) ||
      !jz_store_exec (self->store, "DELETE FROM temp.sync_delivered", error))
    return FALSE;
  if (!jz_store_write_begin (self->store, error))
    return FALSE;
  ok = state_set (self->store, "cursor", "0", error) && state_set (self->store, "anchor", NULL, error) &&
       state_set (self->store, "own_seq", "0", error) && marks_reset (self->store, error);
  if (!jz_store_write_end (self->store, ok, ok ? error : NULL) || !ok)
    return FALSE;
  self->resyncing = TRUE;
  return TRUE;
}

/* Whether @c is the first change of its record this resync sends: it
 * states the record anew (what it leaves out is NULL), so that a value
 * from the undone history does not outlive it. */
static gboolean
resync_first (JzSyncEngine *self,
              JzChange     *c)
{
  sqlite3_stmt *stmt;
  gboolean seen;

  /* Only an insert states a record whole: a first change that is part of
   * one (hub staff wrote to it before its insert came) does not. */
  if (!self->resyncing || c->stub || c->op != JZ_OP_INSERT)
    return FALSE;
  stmt = jz_store_prepare (self->store, "SELECT 1 FROM temp.sync_delivered WHERE entity = ?1 AND id = ?2", NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, c->entity, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, c->id, -1, SQLITE_STATIC);
  seen = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  return !seen;
}

static gboolean
resync_note (JzSyncEngine  *self,
             JzChange      *c,
             GError       **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!self->resyncing || c->stub)
    return TRUE;
  stmt = jz_store_prepare (self->store, "INSERT OR IGNORE INTO temp.sync_delivered (entity, id) VALUES (?1, ?2)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, c->entity, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, c->id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return jz_store_set_error_from_db (self->store, rc, error);
  return TRUE;
}

static gboolean
resync_end (JzSyncEngine  *self,
            JzSyncStats   *stats,
            GError       **error)
{
  guint n_entities;
  const JzEntity * const *entities = jz_schema_entities (&n_entities);
  gboolean ok = TRUE;
  gint64 removed = 0;

  if (!apply_begin (self, error))
    return FALSE;
  jz_store_set_applying (self->store, TRUE);
  for (guint e = 0; ok && e < n_entities; e++)
    {
      const JzEntity *entity = entities[e];
      g_autofree char *sql = NULL;
      sqlite3_stmt *stmt;
      int rc;

      if (!(entity->flags & JZ_ENTITY_SYNCED))
        continue;
      /* The table name comes from the schema's fixed list. */
      /* What this replica created, or changed and has not yet sent,
       * stays whatever the hub says: it is at the hub or on its way there
       * (a hub that lost it gets it again from the outbox). */
      sql = g_strdup_printf ("DELETE FROM %s WHERE id NOT IN (SELECT id FROM temp.sync_delivered WHERE entity = ?1)"
                             " AND id NOT IN (SELECT entity_id FROM outbox WHERE entity = ?1"
                             "                AND (op = 'insert' OR acked = 0))",
                             entity->name);
      stmt = jz_store_prepare (self->store, sql, error);
      if (stmt == NULL)
        {
          ok = FALSE;
          break;
        }
      sqlite3_bind_text (stmt, 1, entity->name, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        ok = jz_store_set_error_from_db (self->store, rc, error);
      else if (sqlite3_changes (jz_store_get_db (self->store)) > 0)
        {
          removed += sqlite3_changes (jz_store_get_db (self->store));
          jz_store_note_changed (self->store, entity->name);
        }
    }
  jz_store_set_applying (self->store, FALSE);
  if (ok)
    ok = state_set (self->store, "resync", NULL, error);
  if (!apply_end (self, ok, ok ? error : NULL) || !ok)
    return FALSE;
  if (removed > 0)
    g_message ("Pulled everything again from the hub; %" G_GINT64_FORMAT
               " record(s) it no longer shares with this device were removed here", removed);
  if (stats != NULL)
    stats->applied += removed;
  self->resyncing = FALSE;
  jz_store_exec (self->store, "DELETE FROM temp.sync_delivered", NULL);
  return TRUE;
}

/* Asks for the page after @cursor; http_end() takes the reply. The
 * anchor (a hash chain value, hex) proves the cursor still means what it
 * meant: a hub restored from a backup would not have it. */
static void
pull_begin (JzSyncEngine *self,
            gint64        cursor,
            const char   *anchor)
{
  g_autofree char *path = g_strdup_printf ("/v1/pull?since=%" G_GINT64_FORMAT "&epoch=%s&limit=%u%s%s%s",
                                           cursor, self->epoch, self->pull_page,
                                           anchor && cursor > 0 ? "&anchor=" : "", anchor && cursor > 0 ? anchor : "",
                                           self->resyncing ? "&whole=1" : "");

  http_begin (self, "GET", path, NULL, 0, FALSE);
}

static gboolean
pull (JzSyncEngine  *self,
      JzSyncStats   *stats,
      GError       **error)
{
  g_autofree char *incarnation = state_get (self->store, "incarnation");

  /* A resync this process did not start (or one a crash cut short) starts
   * from the beginning. */
  if (state_get_int (self->store, "resync") != 0 && !self->resyncing && !resync_begin (self, error))
    return FALSE;

  for (gboolean in_flight = FALSE;;)
    {
      g_autoptr(JzPullReply) reply = NULL;
      gint64 cursor = state_get_int (self->store, "cursor");
      Page page = { 0 };
      gboolean need_pending = FALSE;
      gboolean ok = TRUE;

      g_autoptr(GError) local_error = NULL;

      if (!in_flight)
        {
          g_autofree char *anchor = state_get (self->store, "anchor");

          if (self->cancellable != NULL && g_cancellable_set_error_if_cancelled (self->cancellable, error))
            return FALSE;
          pull_begin (self, cursor, anchor);
        }
      in_flight = FALSE;
      if (!http_end (self, NULL, &local_error))
        {
          /* STALE (the hub was restored from a backup since the hello):
           * the caller says hello again, which finds out what the hub lost
           * and starts a resync. */
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      reply = jz_pull_reply_decode_lean ((const char *) self->response->data, self->response->len, error);
      if (reply == NULL)
        return FALSE;
      if (stats != NULL)
        stats->pulled += reply->changes->len;
      if (reply->cursor == cursor && reply->changes->len == 0)
        break;
      /* The hub reads the next page while this one is applied. Should
       * this one fail, that reply is dropped unread. */
      if (reply->more)
        {
          pull_begin (self, reply->cursor, reply->anchor);
          in_flight = TRUE;
        }

      page.own_seq = state_get_int (self->store, "own_seq");
      page.overridden = overridden_load (self->store);
      for (guint i = 0; i < reply->changes->len && !need_pending; i++)
        {
          JzChange *c = reply->changes->pdata[i];

          need_pending = !c->stub || g_hash_table_contains (page.overridden, &c->seq);
        }

      page.deferred = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, deferred_free);
      page.deferred_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      page.members = g_array_sized_new (FALSE, FALSE, sizeof (JzJsonMember), 32);
      if (!apply_begin (self, error))
        {
          g_clear_pointer (&page.overridden, g_hash_table_unref);
          g_clear_pointer (&page.deferred, g_hash_table_unref);
          g_clear_pointer (&page.deferred_ids, g_hash_table_unref);
          g_clear_pointer (&page.members, g_array_unref);
          if (in_flight)
            http_abandon (self);
          return FALSE;
        }
      if (need_pending)
        ok = load_pending (self, &page, error);
      jz_store_set_applying (self->store, TRUE);
      for (guint i = 0; ok && i < reply->changes->len; i++)
        {
          page.whole = resync_first (self, reply->changes->pdata[i]);
          ok = apply_change (self, reply->changes->pdata[i], &page, incarnation, stats, error) &&
               resync_note (self, reply->changes->pdata[i], error);
        }
      page.whole = FALSE;
      if (ok)
        ok = flush_deferred (self, &page, stats, error);
      jz_store_set_applying (self->store, FALSE);
      g_clear_pointer (&page.pending_seq, g_hash_table_unref);
      g_clear_pointer (&page.pending, g_hash_table_unref);
      g_clear_pointer (&page.deferred, g_hash_table_unref);
      g_clear_pointer (&page.deferred_ids, g_hash_table_unref);
      g_clear_pointer (&page.members, g_array_unref);
      if (ok)
        ok = state_set_int (self->store, "cursor", reply->cursor, error) &&
             state_set (self->store, "anchor", reply->anchor, error) &&
             state_set_int (self->store, "own_seq", page.own_seq, error) &&
             overridden_save (self->store, page.overridden, page.own_seq, error) &&
             marks_note_pull (self->store, reply->cursor, error);
      g_clear_pointer (&page.overridden, g_hash_table_unref);
      if (ok && page.max_hlc > 0)
        ok = jz_store_hlc_observe (self->store, page.max_hlc, error);
      if (!apply_end (self, ok, ok ? error : NULL) || !ok)
        {
          if (in_flight)
            http_abandon (self);
          return FALSE;
        }

      if (!reply->more)
        break;
      if (self->cancellable != NULL && g_cancellable_set_error_if_cancelled (self->cancellable, error))
        {
          http_abandon (self);
          return FALSE;
        }
    }
  return !self->resyncing || resync_end (self, stats, error);
}

/* An outbox change the hub refused: every value it carried goes to the
 * conflicts (a person sees what was not accepted and why), and its place
 * in the stream is sent as void from now on. */
static gboolean
refuse_change (JzSyncEngine  *self,
               gint64         seq,
               const char    *why,
               GError       **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *entity_name = NULL;
  g_autofree char *id = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(JzJson) fields = NULL;
  const JzEntity *entity;
  gboolean ok = TRUE;

  stmt = jz_store_prepare (self->store, "SELECT entity, entity_id, fields_json FROM outbox WHERE seq = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      entity_name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      fields = json_tokener_parse ((const char *) sqlite3_column_text (stmt, 2));
    }
  sqlite3_reset (stmt);
  entity = entity_name ? jz_schema_lookup (entity_name) : NULL;
  if (entity == NULL || fields == NULL)
    {
      g_set_error (error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_OUTBOX,
                   "The hub refused change %" G_GINT64_FORMAT " (%s), and the outbox cannot say what it was",
                   seq, why);
      return FALSE;
    }

  if (!jz_store_write_begin (self->store, error))
    return FALSE;
  /* Identifiers from the schema's fixed list. */
  sql = g_strdup_printf ("SELECT station FROM %s WHERE id = ?1", entity->name);
  stmt = jz_store_prepare (self->store, sql, error);
  ok = stmt != NULL;
  if (ok)
    {
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        owner = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_reset (stmt);
    }
  {
    json_object_object_foreach (fields, key, val)
      {
        g_autoptr(JzConflict) conflict = NULL;
        g_autofree char *seed = NULL;
        g_autofree char *hash = NULL;

        if (!ok)
          break;
        if (g_str_equal (key, "hlc") || g_str_equal (key, "updated_by") || !column_exists (entity, key))
          continue;
        seed = g_strdup_printf ("refused/%s/%" G_GINT64_FORMAT "/%s", self->epoch, seq, key);
        hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);
        conflict = jz_conflict_new ();
        conflict->rec.id = g_strdup_printf ("%.8s-%.4s-7%.3s-8%.3s-%.12s", hash, hash + 8, hash + 12, hash + 15,
                                            hash + 18);
        conflict->entity = g_strdup (entity->name);
        conflict->entity_id = g_strdup (id);
        conflict->field = g_strdup (key);
        conflict->local_value = g_strdup (val ? json_object_to_json_string_ext (val, JSON_C_TO_STRING_PLAIN) : "null");
        conflict->remote_station = g_strdup (owner);
        ok = jz_store_insert_conflict (self->store, conflict, error);
      }
  }
  if (ok)
    ok = add_void_seq (self, seq, error);
  if (!jz_store_write_end (self->store, ok, ok ? error : NULL) || !ok)
    return FALSE;
  g_ptr_array_add (self->refresh, g_strconcat (entity->name, "/", id, NULL));
  return TRUE;
}

/* Reads again from the hub the records whose refused changes were kept
 * as conflicts, so that they show what the hub holds. */
static gboolean
refresh_records (JzSyncEngine  *self,
                 JzSyncStats   *stats,
                 GError       **error)
{
  g_autofree char *incarnation = state_get (self->store, "incarnation");

  while (self->refresh->len > 0)
    {
      g_autofree char *item = g_ptr_array_steal_index (self->refresh, 0);
      char *slash = strchr (item, '/');
      g_autofree char *path = NULL;
      g_autoptr(JzPullReply) reply = NULL;
      g_autoptr(GError) local_error = NULL;
      Page page = { 0 };
      gboolean ok;

      if (slash == NULL)
        continue;
      *slash = '\0';
      path = g_strdup_printf ("/v1/record?entity=%s&id=%s", item, slash + 1);
      if (!http (self, "GET", path, NULL, 0, FALSE, NULL, &local_error))
        {
          if (g_error_matches (local_error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_NOT_FOUND))
            continue;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      reply = jz_pull_reply_decode_lean ((const char *) self->response->data, self->response->len, error);
      if (reply == NULL)
        return FALSE;

      page.own_seq = state_get_int (self->store, "own_seq");
      page.overridden = overridden_load (self->store);
      page.whole = TRUE;
      page.deferred = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, deferred_free);
      page.deferred_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      page.members = g_array_sized_new (FALSE, FALSE, sizeof (JzJsonMember), 32);
      if (!apply_begin (self, error))
        {
          g_clear_pointer (&page.overridden, g_hash_table_unref);
          g_clear_pointer (&page.deferred, g_hash_table_unref);
          g_clear_pointer (&page.deferred_ids, g_hash_table_unref);
          g_clear_pointer (&page.members, g_array_unref);
          return FALSE;
        }
      ok = load_pending (self, &page, error);
      jz_store_set_applying (self->store, TRUE);
      for (guint i = 0; ok && i < reply->changes->len; i++)
        ok = apply_change (self, reply->changes->pdata[i], &page, incarnation, stats, error);
      if (ok)
        ok = flush_deferred (self, &page, stats, error);
      jz_store_set_applying (self->store, FALSE);
      g_clear_pointer (&page.pending_seq, g_hash_table_unref);
      g_clear_pointer (&page.pending, g_hash_table_unref);
      g_clear_pointer (&page.deferred, g_hash_table_unref);
      g_clear_pointer (&page.deferred_ids, g_hash_table_unref);
      g_clear_pointer (&page.members, g_array_unref);
      if (ok)
        ok = overridden_save (self->store, page.overridden, page.own_seq, error);
      g_clear_pointer (&page.overridden, g_hash_table_unref);
      if (!apply_end (self, ok, ok ? error : NULL) || !ok)
        return FALSE;
    }
  return TRUE;
}

gboolean
jz_sync_engine_run_once (JzSyncEngine  *self,
                         GCancellable  *cancellable,
                         JzSyncStats   *stats,
                         GError       **error)
{
  g_autoptr(GError) push_error = NULL;
  gboolean pushed, pulled;
  gint64 start;

  g_return_val_if_fail (self != NULL, FALSE);

  if (!jz_sync_engine_is_enrolled (self) && !jz_sync_engine_reload (self, error))
    return FALSE;
  if (!refuse_demo (self->store, error))
    return FALSE;
  self->cancellable = cancellable;
  self->stats = stats;

  if (self->last_hello_us == 0 || g_get_monotonic_time () - self->last_hello_us > HELLO_EVERY_US)
    {
      if (!hello (self, error))
        {
          self->last_hello_us = 0;
          return FALSE;
        }
    }

  /* A push refused by the hub (e.g. a record of another station) must not
   * stop this device from receiving what the hub has for it. */
  start = g_get_monotonic_time ();
  pushed = jz_sync_engine_push (self, cancellable, stats, &push_error);
  if (stats != NULL)
    stats->push_us += g_get_monotonic_time () - start;
  if (!pushed)
    {
      if (is_offline_error (push_error) ||
          g_error_matches (push_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (push_error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_PIN))
        {
          self->last_hello_us = 0;
          g_propagate_error (error, g_steal_pointer (&push_error));
          return FALSE;
        }
    }
  start = g_get_monotonic_time ();
  {
    g_autoptr(GError) pull_error = NULL;

    pulled = pull (self, stats, &pull_error);
    /* The hub was restored from a backup since the hello: a new hello
     * finds what it lost (and sends it again) and starts a resync, which
     * pulls once this replica's own changes are back at the hub. */
    if (!pulled && g_error_matches (pull_error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_STALE))
      {
        g_clear_error (&pull_error);
        g_clear_error (&push_error);
        pulled = hello (self, &pull_error) &&
                 jz_sync_engine_push (self, cancellable, stats, &push_error) &&
                 pull (self, stats, &pull_error);
        if (!pulled && pull_error == NULL)
          pull_error = g_steal_pointer (&push_error);
      }
    if (!pulled)
      g_propagate_error (error, g_steal_pointer (&pull_error));
  }
  if (stats != NULL)
    stats->pull_us += g_get_monotonic_time () - start;
  if (!pulled)
    {
      self->last_hello_us = 0;
      return FALSE;
    }
  if (self->refresh->len > 0 && !refresh_records (self, stats, error))
    {
      self->last_hello_us = 0;
      return FALSE;
    }
  /* Conflicts recorded by the pull are changes of their own. */
  if (push_error == NULL && jz_sync_engine_count_pending (self) > 0 &&
      !jz_sync_engine_push (self, cancellable, stats, &push_error) && is_offline_error (push_error))
    {
      self->last_hello_us = 0;
      g_propagate_error (error, g_steal_pointer (&push_error));
      return FALSE;
    }
  if (push_error != NULL)
    {
      self->last_hello_us = 0;
      g_propagate_error (error, g_steal_pointer (&push_error));
      return FALSE;
    }
  return TRUE;
}

/* Blobs */

gboolean
jz_sync_engine_put_blob (JzSyncEngine  *self,
                         GBytes        *data,
                         char         **sha256,
                         GCancellable  *cancellable,
                         GError       **error)
{
  gsize len = 0;
  gconstpointer bytes = g_bytes_get_data (data, &len);
  g_autofree char *hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, bytes, len);
  g_autofree char *path = g_strconcat ("/v1/blobs/", hash, NULL);

  self->cancellable = cancellable;
  if (!jz_sync_engine_is_enrolled (self) && !jz_sync_engine_reload (self, error))
    return FALSE;
  /* An empty body must still be a PUT with a body. */
  if (!http (self, "PUT", path, len ? bytes : "", len, FALSE, NULL, error))
    return FALSE;
  if (sha256 != NULL)
    *sha256 = g_steal_pointer (&hash);
  return TRUE;
}

GBytes *
jz_sync_engine_get_blob (JzSyncEngine  *self,
                         const char    *sha256,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autofree char *path = g_strconcat ("/v1/blobs/", sha256, NULL);
  g_autofree char *actual = NULL;

  self->cancellable = cancellable;
  if (!jz_sync_engine_is_enrolled (self) && !jz_sync_engine_reload (self, error))
    return NULL;
  if (!http (self, "GET", path, NULL, 0, FALSE, NULL, error))
    return NULL;
  actual = g_compute_checksum_for_data (G_CHECKSUM_SHA256, self->response->data, self->response->len);
  if (!g_str_equal (actual, sha256))
    {
      g_set_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED,
                   "The blob from the hub does not match its SHA-256; it was damaged in transit");
      return NULL;
    }
  return g_bytes_new (self->response->data, self->response->len);
}
