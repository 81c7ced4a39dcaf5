/* jz-hub-server.c: jiuzhu-hub's HTTP(S) front (libsoup-3.0)
 *
 * Every request is answered with JSON; every refusal is a 4xx with
 * {"error": {"code", "message"}} and nothing written. Handlers run on the
 * main loop one at a time, and each write is one SQLite transaction that
 * has committed before the reply is queued: a client that gets a 200 for a
 * push knows its changes are on the hub's disk.
 *
 * The log has one line per request on stderr: time, client address,
 * device id, method, path, status, bytes in and out, milliseconds. No
 * request body and no query value other than numbers is ever logged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-hub"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <libsoup/soup.h>

#include "jz-hub-server.h"
#include "jz-uuid.h"

struct _JzHubServer
{
  GObject      parent_instance;

  SoupServer  *server;
  JzHubStore  *store;
  JzHubLimits  limits;
  gboolean     tls;
  GHashTable  *buckets;     /* device id or address → Bucket */
};

typedef struct
{
  double tokens;
  gint64 last_us;
} Bucket;

/* Per request, kept on the message for the log line. */
typedef struct
{
  gint64  start_us;
  char   *device;
  gsize   bytes_in;
} RequestInfo;

G_DEFINE_FINAL_TYPE (JzHubServer, jz_hub_server, G_TYPE_OBJECT)

void
jz_hub_limits_init_default (JzHubLimits *limits)
{
  limits->max_body = JZ_PROTOCOL_MAX_BODY;
  limits->max_inflated = JZ_PROTOCOL_MAX_INFLATED;
  limits->max_blob = 32 * 1024 * 1024;
  limits->rate = 200;
  limits->burst = 400;
  limits->quiet = FALSE;
}

static void
request_info_free (gpointer data)
{
  RequestInfo *info = data;

  g_free (info->device);
  g_free (info);
}

static RequestInfo *
request_info (SoupServerMessage *msg)
{
  RequestInfo *info = g_object_get_data (G_OBJECT (msg), "jz-request");

  if (info == NULL)
    {
      info = g_new0 (RequestInfo, 1);
      info->start_us = g_get_monotonic_time ();
      g_object_set_data_full (G_OBJECT (msg), "jz-request", info, request_info_free);
    }
  return info;
}

static void
log_request (JzHubServer       *self,
             SoupServerMessage *msg,
             gsize              bytes_out)
{
  RequestInfo *info = request_info (msg);
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *when = NULL;
  GSocketAddress *remote;
  g_autofree char *addr = NULL;
  GUri *uri = soup_server_message_get_uri (msg);

  if (self->limits.quiet)
    return;
  now = g_date_time_new_now_utc ();
  when = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  remote = soup_server_message_get_remote_address (msg);
  if (G_IS_INET_SOCKET_ADDRESS (remote))
    addr = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  fprintf (stderr, "%s %s %s %s %s %u %" G_GSIZE_FORMAT " %" G_GSIZE_FORMAT " %.1fms\n",
           when, addr ? addr : "-", info->device ? info->device : "-",
           soup_server_message_get_method (msg), uri ? g_uri_get_path (uri) : "?",
           soup_server_message_get_status (msg), info->bytes_in, bytes_out,
           (g_get_monotonic_time () - info->start_us) / 1000.0);
}

static gboolean
accepts_gzip (SoupServerMessage *msg)
{
  const char *accept = soup_message_headers_get_list (soup_server_message_get_request_headers (msg),
                                                      "Accept-Encoding");

  return accept != NULL && strstr (accept, "gzip") != NULL;
}

/* Takes @body. */
static void
respond (JzHubServer       *self,
         SoupServerMessage *msg,
         guint              status,
         char              *body,
         gsize              len)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (len > 1024 && accepts_gzip (msg))
    {
      g_autoptr(GBytes) packed = jz_protocol_gzip (body, len, 3);
      gsize packed_len = 0;
      gconstpointer data = g_bytes_get_data (packed, &packed_len);

      g_free (body);
      len = packed_len;
      body = g_memdup2 (data, len);
      soup_message_headers_replace (headers, "Content-Encoding", "gzip");
    }
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, len);
  log_request (self, msg, len);
}

static void
respond_error_at (JzHubServer       *self,
                  SoupServerMessage *msg,
                  const GError      *error,
                  gint64             high_seq,
                  gint64             seq);

static void
respond_error (JzHubServer       *self,
               SoupServerMessage *msg,
               const GError      *error,
               gint64             high_seq)
{
  respond_error_at (self, msg, error, high_seq, -1);
}

static void
respond_error_at (JzHubServer       *self,
                  SoupServerMessage *msg,
                  const GError      *error,
                  gint64             high_seq,
                  gint64             seq)
{
  JzProtocolError code = JZ_PROTOCOL_ERROR_INTERNAL;
  char *body;

  if (error->domain == JZ_PROTOCOL_ERROR)
    code = error->code;
  if (code == JZ_PROTOCOL_ERROR_INTERNAL)
    g_warning ("Request failed: %s", error->message);
  body = jz_protocol_error_encode_full (code, error->message, high_seq, seq);
  if (code == JZ_PROTOCOL_ERROR_RATE_LIMITED)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "1");
  respond (self, msg, jz_protocol_error_http_status (code), body, strlen (body));
}

static void
refuse (JzHubServer       *self,
        SoupServerMessage *msg,
        JzProtocolError    code,
        const char        *format,
        ...) G_GNUC_PRINTF (4, 5);

static void
refuse (JzHubServer       *self,
        SoupServerMessage *msg,
        JzProtocolError    code,
        const char        *format,
        ...)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  error = g_error_new_literal (JZ_PROTOCOL_ERROR, code, message);
  respond_error (self, msg, error, -1);
}

static gboolean
rate_allow (JzHubServer *self,
            const char  *key)
{
  Bucket *b = g_hash_table_lookup (self->buckets, key);
  gint64 now = g_get_monotonic_time ();

  if (self->limits.rate <= 0)
    return TRUE;
  if (b == NULL)
    {
      b = g_new0 (Bucket, 1);
      b->tokens = self->limits.burst;
      b->last_us = now;
      g_hash_table_insert (self->buckets, g_strdup (key), b);
    }
  b->tokens = MIN (self->limits.burst, b->tokens + (now - b->last_us) * self->limits.rate / G_USEC_PER_SEC);
  b->last_us = now;
  if (b->tokens < 1)
    return FALSE;
  b->tokens -= 1;
  return TRUE;
}

static char *
remote_key (SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);

  if (G_IS_INET_SOCKET_ADDRESS (remote))
    return g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  return g_strdup ("?");
}

/* The body, inflated when gzip; NULL with the refusal already sent. */
static GBytes *
read_body (JzHubServer       *self,
           SoupServerMessage *msg,
           gsize              max_inflated)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  const char *encoding = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                       "Content-Encoding");
  g_autoptr(GBytes) raw = soup_message_body_flatten (body);
  g_autoptr(GError) error = NULL;
  GBytes *inflated;
  gsize len = 0;
  gconstpointer data = g_bytes_get_data (raw, &len);

  request_info (msg)->bytes_in = len;
  if (encoding == NULL || g_ascii_strcasecmp (encoding, "identity") == 0)
    {
      if (len > max_inflated)
        {
          refuse (self, msg, JZ_PROTOCOL_ERROR_TOO_LARGE, "The body is larger than %" G_GSIZE_FORMAT " bytes",
                  max_inflated);
          return NULL;
        }
      return g_steal_pointer (&raw);
    }
  if (g_ascii_strcasecmp (encoding, "gzip") != 0)
    {
      refuse (self, msg, JZ_PROTOCOL_ERROR_UNSUPPORTED,
              "Content-Encoding “%s” is not supported; send identity or gzip", encoding);
      return NULL;
    }
  inflated = jz_protocol_gunzip (data, len, max_inflated, &error);
  if (inflated == NULL)
    respond_error (self, msg, error, -1);
  return inflated;
}

static JzHubDevice *
authenticate (JzHubServer       *self,
              SoupServerMessage *msg)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");
  g_autoptr(GError) error = NULL;
  JzHubDevice *device;

  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0)
    {
      refuse (self, msg, JZ_PROTOCOL_ERROR_UNAUTHORIZED,
              "This request has no device token (Authorization: Bearer …); enrol the device first");
      return NULL;
    }
  device = jz_hub_store_authenticate (self->store, auth + 7, &error);
  if (device == NULL)
    {
      respond_error (self, msg, error, -1);
      return NULL;
    }
  request_info (msg)->device = g_strdup (device->id);
  if (!rate_allow (self, device->id))
    {
      refuse (self, msg, JZ_PROTOCOL_ERROR_RATE_LIMITED,
              "Too many requests from this device; wait a second and try again");
      jz_hub_device_free (device);
      return NULL;
    }
  return device;
}

static gboolean
check_method (JzHubServer       *self,
              SoupServerMessage *msg,
              const char        *method)
{
  if (g_str_equal (soup_server_message_get_method (msg), method))
    return TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", method);
  refuse (self, msg, JZ_PROTOCOL_ERROR_METHOD, "Use %s for this address", method);
  return FALSE;
}

/* Endpoints */

static void
handle_health (JzHubServer       *self,
               SoupServerMessage *msg)
{
  char *body = g_strdup_printf ("{\"v\":%d,\"status\":\"ok\",\"version\":\"%s\",\"incarnation\":\"%s\"}",
                                JZ_PROTOCOL_VERSION, PACKAGE_VERSION,
                                jz_hub_store_get_incarnation (self->store));

  respond (self, msg, 200, body, strlen (body));
}

static void
handle_enrol (JzHubServer       *self,
              SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JzEnrolRequest) request = NULL;
  g_autoptr(JzEnrolReply) reply = NULL;
  g_autoptr(JzHubDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = remote_key (msg);
  char *out;

  if (!check_method (self, msg, "POST"))
    return;
  /* Per address, and stricter than sync: slows guessing of codes. */
  if (!rate_allow (self, key))
    {
      refuse (self, msg, JZ_PROTOCOL_ERROR_RATE_LIMITED, "Too many requests; wait a second and try again");
      return;
    }
  body = read_body (self, msg, 64 * 1024);
  if (body == NULL)
    return;
  request = jz_enrol_request_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  if (request == NULL)
    {
      respond_error (self, msg, error, -1);
      return;
    }
  device = jz_hub_store_redeem (self->store, request, &reply, &error);
  if (device == NULL)
    {
      respond_error (self, msg, error, -1);
      return;
    }
  request_info (msg)->device = g_strdup (device->id);
  out = jz_enrol_reply_encode (reply);
  respond (self, msg, 200, out, strlen (out));
}

static void
handle_hello (JzHubServer       *self,
              SoupServerMessage *msg)
{
  g_autoptr(JzHubDevice) device = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JzHelloRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  JzHelloReply reply = { 0 };
  char *out;

  if (!check_method (self, msg, "POST") || (device = authenticate (self, msg)) == NULL)
    return;
  body = read_body (self, msg, 64 * 1024);
  if (body == NULL)
    return;
  request = jz_hello_request_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  if (request == NULL || !jz_hub_store_hello (self->store, device, request, &reply, &error))
    {
      respond_error (self, msg, error, -1);
      return;
    }
  out = jz_hello_reply_encode (&reply);
  g_free (reply.device);
  g_free (reply.station);
  g_free (reply.level);
  g_free (reply.incarnation);
  respond (self, msg, 200, out, strlen (out));
}

static void
handle_push (JzHubServer       *self,
             SoupServerMessage *msg)
{
  g_autoptr(JzHubDevice) device = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JzPushRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  JzPushReply reply = { 0 };
  JzHubIngestStats stats = { 0 };
  gint64 high_seq = -1;
  char *out;

  if (!check_method (self, msg, "POST") || (device = authenticate (self, msg)) == NULL)
    return;
  body = read_body (self, msg, self->limits.max_inflated);
  if (body == NULL)
    return;
  request = jz_push_request_decode_lean (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  if (request == NULL ||
      !jz_hub_store_push (self->store, device, request, &reply, &stats, &high_seq, &error))
    {
      respond_error_at (self, msg, error, high_seq, stats.refused_seq);
      return;
    }
  out = jz_push_reply_encode (&reply);
  respond (self, msg, 200, out, strlen (out));
}

static gboolean
query_int (GHashTable *query,
           const char *key,
           gint64      fallback,
           gint64     *out)
{
  const char *text = query ? g_hash_table_lookup (query, key) : NULL;
  guint64 v;

  *out = fallback;
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &v, NULL))
    return FALSE;
  *out = (gint64) v;
  return TRUE;
}

static void
handle_pull (JzHubServer       *self,
             SoupServerMessage *msg,
             GHashTable        *query)
{
  g_autoptr(JzHubDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  const char *epoch = query ? g_hash_table_lookup (query, "epoch") : NULL;
  const char *anchor = query ? g_hash_table_lookup (query, "anchor") : NULL;
  gint64 since, limit;
  gsize len = 0;
  char *out;

  if (!check_method (self, msg, "GET") || (device = authenticate (self, msg)) == NULL)
    return;
  if (!query_int (query, "since", 0, &since) || !query_int (query, "limit", JZ_PROTOCOL_PULL_PAGE, &limit))
    {
      refuse (self, msg, JZ_PROTOCOL_ERROR_MALFORMED, "“since” and “limit” must be whole numbers");
      return;
    }
  if (limit < 1 || limit > JZ_PROTOCOL_MAX_PULL_PAGE)
    {
      refuse (self, msg, JZ_PROTOCOL_ERROR_TOO_LARGE, "“limit” must be between 1 and %d",
              JZ_PROTOCOL_MAX_PULL_PAGE);
      return;
    }
  if (epoch != NULL && !jz_uuid_is_valid (epoch))
    {
      refuse (self, msg, JZ_PROTOCOL_ERROR_MALFORMED, "“epoch” must be the replica's epoch (a UUID)");
      return;
    }
  if (since > 0 && anchor != NULL && !jz_hub_store_check_anchor (self->store, since, anchor))
    {
      refuse (self, msg, JZ_PROTOCOL_ERROR_STALE,
              "The hub's history up to %" G_GINT64_FORMAT " is not what this device pulled "
              "(the hub was restored from a backup?); pull again from the start", since);
      return;
    }
  out = jz_hub_store_pull_full (self->store, device, epoch, since, (guint) limit,
                                query != NULL && g_strcmp0 (g_hash_table_lookup (query, "whole"), "1") == 0,
                                &len, &error);
  if (out == NULL)
    {
      respond_error (self, msg, error, -1);
      return;
    }
  respond (self, msg, 200, out, len);
}

static void
handle_record (JzHubServer       *self,
               SoupServerMessage *msg,
               GHashTable        *query)
{
  g_autoptr(JzHubDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  const char *entity = query ? g_hash_table_lookup (query, "entity") : NULL;
  const char *id = query ? g_hash_table_lookup (query, "id") : NULL;
  gsize len = 0;
  char *out;

  if (!check_method (self, msg, "GET") || (device = authenticate (self, msg)) == NULL)
    return;
  if (!jz_protocol_name_is_valid (entity, JZ_PROTOCOL_MAX_ENTITY) || !jz_uuid_is_valid (id))
    {
      refuse (self, msg, JZ_PROTOCOL_ERROR_MALFORMED, "Give “entity” (a table) and “id” (a UUID)");
      return;
    }
  out = jz_hub_store_get_record (self->store, device, entity, id, &len, &error);
  if (out == NULL)
    {
      respond_error (self, msg, error, -1);
      return;
    }
  respond (self, msg, 200, out, len);
}

static gboolean
is_sha256 (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (int i = 0; i < 64; i++)
    if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]))
      return FALSE;
  return TRUE;
}

static void
handle_blob (JzHubServer       *self,
             SoupServerMessage *msg,
             const char        *sha256)
{
  g_autoptr(JzHubDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  const char *method = soup_server_message_get_method (msg);

  if (!is_sha256 (sha256))
    {
      refuse (self, msg, JZ_PROTOCOL_ERROR_NOT_FOUND, "A blob is named by its SHA-256 in lower-case hex");
      return;
    }
  if ((device = authenticate (self, msg)) == NULL)
    return;
  if (g_str_equal (method, "PUT"))
    {
      g_autoptr(GBytes) body = read_body (self, msg, self->limits.max_blob);
      gboolean created = FALSE;
      char *out;

      if (body == NULL)
        return;
      if (!jz_hub_store_put_blob (self->store, device, sha256, g_bytes_get_data (body, NULL),
                                  g_bytes_get_size (body), &created, &error))
        {
          respond_error (self, msg, error, -1);
          return;
        }
      out = g_strdup_printf ("{\"v\":%d,\"sha256\":\"%s\",\"size\":%" G_GSIZE_FORMAT ",\"created\":%s}",
                             JZ_PROTOCOL_VERSION, sha256, g_bytes_get_size (body), created ? "true" : "false");
      respond (self, msg, created ? 201 : 200, out, strlen (out));
    }
  else if (g_str_equal (method, "GET"))
    {
      g_autoptr(GBytes) blob = jz_hub_store_get_blob (self->store, sha256, &error);
      gsize len = 0;
      gconstpointer data;

      if (blob == NULL)
        {
          respond_error (self, msg, error, -1);
          return;
        }
      data = g_bytes_get_data (blob, &len);
      soup_server_message_set_status (msg, 200, NULL);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control",
                                    "private, max-age=31536000, immutable");
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY, data, len);
      log_request (self, msg, len);
    }
  else
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "GET, PUT");
      refuse (self, msg, JZ_PROTOCOL_ERROR_METHOD, "Use GET or PUT for a blob");
    }
}

static void
handle_links (JzHubServer       *self,
              SoupServerMessage *msg)
{
  g_autoptr(JzHubDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  const char *method = soup_server_message_get_method (msg);
  char *out;

  if ((device = authenticate (self, msg)) == NULL)
    return;
  if (g_str_equal (method, "POST"))
    {
      g_autoptr(GBytes) body = NULL;
      g_autoptr(JzJson) obj = NULL;
      json_object *a = NULL, *b = NULL, *decision = NULL;

      if (!device->hub_level)
        {
          refuse (self, msg, JZ_PROTOCOL_ERROR_FORBIDDEN, "Only hub staff decide whether two records are one person");
          return;
        }
      body = read_body (self, msg, 64 * 1024);
      if (body == NULL)
        return;
      obj = jz_protocol_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
      if (obj == NULL)
        {
          respond_error (self, msg, error, -1);
          return;
        }
      if (!json_object_object_get_ex (obj, "a", &a) || !json_object_object_get_ex (obj, "b", &b) ||
          !json_object_object_get_ex (obj, "decision", &decision) ||
          !json_object_is_type (a, json_type_string) || !json_object_is_type (b, json_type_string) ||
          !json_object_is_type (decision, json_type_string))
        {
          refuse (self, msg, JZ_PROTOCOL_ERROR_MALFORMED, "A link decision is {\"a\": id, \"b\": id, \"decision\": …}");
          return;
        }
      if (!jz_hub_store_decide_link (self->store, json_object_get_string (a), json_object_get_string (b),
                                     json_object_get_string (decision), device->id, &error))
        {
          refuse (self, msg, JZ_PROTOCOL_ERROR_MALFORMED, "%s", error->message);
          return;
        }
    }
  else if (!check_method (self, msg, "GET"))
    return;
  out = jz_hub_store_list_links (self->store, device, TRUE, &error);
  respond (self, msg, 200, out, strlen (out));
}

static void
server_callback (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  JzHubServer *self = user_data;

  request_info (msg);
  if (g_str_equal (path, "/v1/health"))
    handle_health (self, msg);
  else if (g_str_equal (path, "/v1/enrol"))
    handle_enrol (self, msg);
  else if (g_str_equal (path, "/v1/hello"))
    handle_hello (self, msg);
  else if (g_str_equal (path, "/v1/push"))
    handle_push (self, msg);
  else if (g_str_equal (path, "/v1/pull"))
    handle_pull (self, msg, query);
  else if (g_str_equal (path, "/v1/record"))
    handle_record (self, msg, query);
  else if (g_str_has_prefix (path, "/v1/blobs/"))
    handle_blob (self, msg, path + strlen ("/v1/blobs/"));
  else if (g_str_equal (path, "/v1/links"))
    handle_links (self, msg);
  else
    refuse (self, msg, JZ_PROTOCOL_ERROR_NOT_FOUND, "There is nothing at this address");
}

/* Before the body is read: refuse what is too big or of unknown size. */
static void
early_callback (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  JzHubServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  gsize limit = g_str_has_prefix (path, "/v1/blobs/") ? self->limits.max_blob : self->limits.max_body;
  goffset length;

  request_info (msg);
  if (!g_str_equal (method, "POST") && !g_str_equal (method, "PUT"))
    return;
  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
      refuse (self, msg, JZ_PROTOCOL_ERROR_LENGTH_REQUIRED, "Send the body with a Content-Length");
      return;
    }
  length = soup_message_headers_get_content_length (headers);
  if (length < 0 || (guint64) length > limit)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
      refuse (self, msg, JZ_PROTOCOL_ERROR_TOO_LARGE,
              "The body has %" G_GOFFSET_FORMAT " bytes; at most %" G_GSIZE_FORMAT " are accepted",
              length, limit);
    }
}

static void
jz_hub_server_dispose (GObject *object)
{
  JzHubServer *self = (JzHubServer *) object;

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_object (&self->store);
  g_clear_pointer (&self->buckets, g_hash_table_unref);

  G_OBJECT_CLASS (jz_hub_server_parent_class)->dispose (object);
}

static void
jz_hub_server_class_init (JzHubServerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = jz_hub_server_dispose;
}

static void
jz_hub_server_init (JzHubServer *self)
{
  self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

JzHubServer *
jz_hub_server_new (JzHubStore        *store,
                   GTlsCertificate   *certificate,
                   const JzHubLimits *limits)
{
  JzHubServer *self = g_object_new (JZ_TYPE_HUB_SERVER, NULL);

  self->store = g_object_ref (store);
  if (limits != NULL)
    self->limits = *limits;
  else
    jz_hub_limits_init_default (&self->limits);
  self->tls = certificate != NULL;
  self->server = soup_server_new ("server-header", "jiuzhu-hub/" PACKAGE_VERSION,
                                  "tls-certificate", certificate,
                                  NULL);
  soup_server_add_early_handler (self->server, NULL, early_callback, self, NULL);
  soup_server_add_handler (self->server, NULL, server_callback, self, NULL);
  return self;
}

/* "127.0.0.1:8443", "[::1]:0", "0.0.0.0:8080". */
gboolean
jz_hub_server_listen (JzHubServer  *self,
                      const char   *address,
                      GError      **error)
{
  g_autofree char *host = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) sockaddr = NULL;
  const char *colon = address ? strrchr (address, ':') : NULL;
  guint64 port;

  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an address to listen on; use HOST:PORT such as 127.0.0.1:8443 (port 0 picks a free one)",
                   address ? address : "");
      return FALSE;
    }
  host = g_strndup (address, colon - address);
  if (host[0] == '[' && host[strlen (host) - 1] == ']')
    {
      char *inner = g_strndup (host + 1, strlen (host) - 2);

      g_free (host);
      host = inner;
    }
  inet = g_inet_address_new_from_string (host);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an IP address; give a numeric address such as 127.0.0.1", host);
      return FALSE;
    }
  sockaddr = g_inet_socket_address_new (inet, (guint16) port);
  return soup_server_listen (self->server, sockaddr, self->tls ? SOUP_SERVER_LISTEN_HTTPS : 0, error);
}

char *
jz_hub_server_get_url (JzHubServer *self)
{
  GSList *uris = soup_server_get_uris (self->server);
  char *url = NULL;

  if (uris != NULL)
    url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return url;
}

void
jz_hub_server_disconnect (JzHubServer *self)
{
  if (self->server != NULL)
    soup_server_disconnect (self->server);
}

char *
jz_hub_certificate_pin (GTlsCertificate  *certificate,
                        GError          **error)
{
  g_autoptr(GByteArray) der = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "The certificate has no DER data");
      return NULL;
    }
  return jz_protocol_spki_pin (der->data, der->len, error);
}
