/* test-fault-proxy.c: the fault proxy does each fault as specified, and reproducibly
 *
 * A small HTTP/1.1 server runs in this process (a thread per connection,
 * blocking sockets) and records what reached it; the proxy runs as the
 * jz-fault-proxy program ($JZ_FAULT_PROXY), driven through its stdin and
 * watched through its stderr, as the chaos tests will. Waits are on the
 * printed lines and on socket events, never on sleeps.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fault/jz-fault-proxy-core.h"

#define WAIT_S 10

/* The upstream: a tiny HTTP server */

typedef struct
{
  int          listen_fd;
  guint16      port;
  GThread     *accept_thread;
  GMutex       lock;
  GPtrArray   *threads;
  GAsyncQueue *events;   /* one line per request that arrived, whole or cut */
  gint         accepted;
  gboolean     keep_open;  /* like libsoup: a client's FIN between requests does not close */
  gboolean     stopping;
  GCond        stop_cond;
} Upstream;

typedef struct
{
  Upstream *up;
  int       fd;
} UpstreamConn;

static gssize
read_more (int         fd,
           GByteArray *buf)
{
  guint8 chunk[8192];
  gssize n;

  do
    n = recv (fd, chunk, sizeof chunk, 0);
  while (n < 0 && errno == EINTR);
  if (n > 0)
    g_byte_array_append (buf, chunk, n);
  return n;
}

static gssize
find_bytes (GByteArray *buf,
            gsize       from,
            const char *needle)
{
  gsize len = strlen (needle);

  for (gsize i = from; i + len <= buf->len; i++)
    if (memcmp (buf->data + i, needle, len) == 0)
      return (gssize) i;
  return -1;
}

static void
send_all (int         fd,
          const void *data,
          gsize       len)
{
  const guint8 *p = data;

  while (len > 0)
    {
      gssize n = send (fd, p, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      p += n;
      len -= n;
    }
}

static char *
header_value (const char *head,
              const char *name)
{
  g_auto(GStrv) lines = g_strsplit (head, "\r\n", -1);

  for (guint i = 1; lines[i] != NULL; i++)
    {
      char *colon = strchr (lines[i], ':');

      if (colon != NULL && (gsize) (colon - lines[i]) == strlen (name) &&
          g_ascii_strncasecmp (lines[i], name, strlen (name)) == 0)
        return g_strstrip (g_strdup (colon + 1));
    }
  return NULL;
}

static void
fill_pattern (guint8 *data,
              gsize   len,
              guint   seed)
{
  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) ('a' + (i * 7 + seed) % 26);
}

/* The reply heads are fixed so that tests know each reply's full length. */
static char *
reply_head (gsize len)
{
  return g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n\r\n", len);
}

static GByteArray *
chunked_reply (gsize len)
{
  GByteArray *out = g_byte_array_new ();
  const char *head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  guint8 data[1000];

  g_byte_array_append (out, (const guint8 *) head, strlen (head));
  for (gsize off = 0; off < len; off += sizeof data)
    {
      gsize n = MIN (sizeof data, len - off);
      g_autofree char *size = g_strdup_printf ("%" G_GSIZE_MODIFIER "x\r\n", n);

      fill_pattern (data, n, (guint) off);
      g_byte_array_append (out, (const guint8 *) size, strlen (size));
      g_byte_array_append (out, data, n);
      g_byte_array_append (out, (const guint8 *) "\r\n", 2);
    }
  g_byte_array_append (out, (const guint8 *) "0\r\n\r\n", 5);
  return out;
}

static gsize
chunked_reply_len (gsize len)
{
  g_autoptr(GByteArray) r = chunked_reply (len);

  return r->len;
}

/* Decodes a chunked body from buf at *pos; FALSE on EOF or error. */
static gboolean
read_chunked_body (int         fd,
                   GByteArray *buf,
                   gsize      *pos,
                   GByteArray *body)
{
  for (;;)
    {
      gssize eol;
      guint64 size;

      while ((eol = find_bytes (buf, *pos, "\r\n")) < 0)
        if (read_more (fd, buf) <= 0)
          return FALSE;
      size = g_ascii_strtoull ((const char *) buf->data + *pos, NULL, 16);
      *pos = eol + 2;
      while (buf->len < *pos + size + 2)
        if (read_more (fd, buf) <= 0)
          return FALSE;
      g_byte_array_append (body, buf->data + *pos, size);
      *pos += size + 2;
      if (size == 0)
        return TRUE;
    }
}

static gpointer
upstream_conn_thread (gpointer data)
{
  UpstreamConn *uc = data;
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  struct timeval tv = { WAIT_S, 0 };

  setsockopt (uc->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  for (;;)
    {
      g_autoptr(GByteArray) body = g_byte_array_new ();
      g_autofree char *head = NULL;
      g_autofree char *length = NULL;
      g_autofree char *encoding = NULL;
      g_autofree char *expect = NULL;
      g_autofree char *sum = NULL;
      g_auto(GStrv) words = NULL;
      gssize end;
      gsize pos;

      while ((end = find_bytes (buf, 0, "\r\n\r\n")) < 0)
        if (read_more (uc->fd, buf) <= 0)
          goto cut;
      head = g_strndup ((const char *) buf->data, end + 4);
      pos = end + 4;
      words = g_strsplit (head, " ", 3);
      length = header_value (head, "Content-Length");
      encoding = header_value (head, "Transfer-Encoding");
      expect = header_value (head, "Expect");
      if (expect != NULL && g_ascii_strcasecmp (expect, "100-continue") == 0)
        send_all (uc->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);

      if (encoding != NULL && g_str_equal (encoding, "chunked"))
        {
          if (!read_chunked_body (uc->fd, buf, &pos, body))
            goto cut;
        }
      else if (length != NULL)
        {
          gsize n = g_ascii_strtoull (length, NULL, 10);

          while (buf->len < pos + n)
            if (read_more (uc->fd, buf) <= 0)
              goto cut;
          g_byte_array_append (body, buf->data + pos, n);
          pos += n;
        }

      sum = g_compute_checksum_for_data (G_CHECKSUM_SHA1, body->data, body->len);
      g_async_queue_push (uc->up->events,
                          g_strdup_printf ("request %s %s body=%u sum=%s bytes=%" G_GSIZE_FORMAT,
                                           words[0], words[1], body->len, sum, pos));
      g_byte_array_remove_range (buf, 0, pos);

      if (g_str_has_prefix (words[1], "/bytes/") || g_str_has_prefix (words[1], "/chunked/"))
        {
          gsize n = g_ascii_strtoull (strrchr (words[1], '/') + 1, NULL, 10);

          if (g_str_has_prefix (words[1], "/bytes/"))
            {
              g_autofree char *rh = reply_head (n);
              g_autofree guint8 *data = g_malloc (n);

              fill_pattern (data, n, 0);
              send_all (uc->fd, rh, strlen (rh));
              send_all (uc->fd, data, n);
            }
          else
            {
              g_autoptr(GByteArray) r = chunked_reply (n);

              send_all (uc->fd, r->data, r->len);
            }
        }
      else
        {
          g_autofree char *rh = reply_head (body->len);

          send_all (uc->fd, rh, strlen (rh));
          send_all (uc->fd, body->data, body->len);
        }
      continue;

    cut:
      /* The request stopped: say how much of it arrived. */
      if (buf->len > 0)
        g_async_queue_push (uc->up->events, g_strdup_printf ("partial bytes=%u", buf->len));
      else if (uc->up->keep_open)
        {
          g_mutex_lock (&uc->up->lock);
          while (!uc->up->stopping)
            g_cond_wait (&uc->up->stop_cond, &uc->up->lock);
          g_mutex_unlock (&uc->up->lock);
        }
      break;
    }
  close (uc->fd);
  g_free (uc);
  return NULL;
}

static gpointer
upstream_accept_thread (gpointer data)
{
  Upstream *up = data;

  for (;;)
    {
      int fd = accept (up->listen_fd, NULL, NULL);
      UpstreamConn *uc;

      if (fd < 0)
        {
          if (errno == EINTR)
            continue;
          return NULL;   /* shut down by upstream_stop */
        }
      g_atomic_int_inc (&up->accepted);
      uc = g_new0 (UpstreamConn, 1);
      uc->up = up;
      uc->fd = fd;
      g_mutex_lock (&up->lock);
      g_ptr_array_add (up->threads, g_thread_new ("upstream-conn", upstream_conn_thread, uc));
      g_mutex_unlock (&up->lock);
    }
}

static int
listen_loopback (guint16 *port,
                 gboolean do_listen)
{
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  if (do_listen)
    g_assert_cmpint (listen (fd, 64), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  *port = ntohs (addr.sin_port);
  return fd;
}

static Upstream *
upstream_start (void)
{
  Upstream *up = g_new0 (Upstream, 1);

  up->listen_fd = listen_loopback (&up->port, TRUE);
  g_mutex_init (&up->lock);
  g_cond_init (&up->stop_cond);
  up->threads = g_ptr_array_new ();
  up->events = g_async_queue_new_full (g_free);
  up->accept_thread = g_thread_new ("upstream-accept", upstream_accept_thread, up);
  return up;
}

static void
upstream_stop (Upstream *up)
{
  shutdown (up->listen_fd, SHUT_RDWR);
  g_thread_join (up->accept_thread);
  g_mutex_lock (&up->lock);
  up->stopping = TRUE;
  g_cond_broadcast (&up->stop_cond);
  g_mutex_unlock (&up->lock);
  close (up->listen_fd);
  /* The proxy has quit by now, so every upstream connection has ended. */
  for (guint i = 0; i < up->threads->len; i++)
    g_thread_join (g_ptr_array_index (up->threads, i));
  g_ptr_array_unref (up->threads);
  g_async_queue_unref (up->events);
  g_mutex_clear (&up->lock);
  g_cond_clear (&up->stop_cond);
  g_free (up);
}

static char *
upstream_next_event (Upstream *up)
{
  char *event = g_async_queue_timeout_pop (up->events, WAIT_S * G_USEC_PER_SEC);

  g_assert_nonnull (event);
  return event;
}

/* The proxy, as a program */

typedef struct
{
  GSubprocess      *proc;
  GOutputStream    *in;
  GDataInputStream *out;
  GThread          *err_thread;
  GMutex            lock;
  GCond             cond;
  GPtrArray        *log;
  gboolean          log_done;
  guint16           port;
} Proxy;

static gpointer
proxy_stderr_thread (gpointer data)
{
  Proxy *p = data;
  g_autoptr(GDataInputStream) err =
    g_data_input_stream_new (g_subprocess_get_stderr_pipe (p->proc));
  char *line;

  while ((line = g_data_input_stream_read_line (err, NULL, NULL, NULL)) != NULL)
    {
      g_mutex_lock (&p->lock);
      g_ptr_array_add (p->log, line);
      g_cond_broadcast (&p->cond);
      g_mutex_unlock (&p->lock);
    }
  g_mutex_lock (&p->lock);
  p->log_done = TRUE;
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
  return NULL;
}

static GSubprocess *
proxy_spawn (guint16             upstream_port,
             const char * const *extra,
             GError            **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const char *exe = g_getenv ("JZ_FAULT_PROXY");

  g_assert_nonnull (exe);
  g_ptr_array_add (argv, g_strdup (exe));
  g_ptr_array_add (argv, g_strdup ("--listen=127.0.0.1:0"));
  g_ptr_array_add (argv, g_strdup_printf ("--upstream=127.0.0.1:%u", upstream_port));
  g_ptr_array_add (argv, g_strdup ("--lifetime-s=60"));
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  g_ptr_array_add (argv, NULL);
  return g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            error);
}

static Proxy *
proxy_start (guint16             upstream_port,
             const char * const *extra)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  Proxy *p = g_new0 (Proxy, 1);
  guint64 port;

  p->proc = proxy_spawn (upstream_port, extra, &error);
  g_assert_no_error (error);
  p->in = g_subprocess_get_stdin_pipe (p->proc);
  p->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (p->proc));
  g_mutex_init (&p->lock);
  g_cond_init (&p->cond);
  p->log = g_ptr_array_new_with_free_func (g_free);
  p->err_thread = g_thread_new ("proxy-stderr", proxy_stderr_thread, p);

  line = g_data_input_stream_read_line (p->out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "PORT "));
  g_assert_true (g_ascii_string_to_unsigned (line + 5, 10, 1, 65535, &port, NULL));
  p->port = (guint16) port;
  return p;
}

static char *
proxy_cmd (Proxy      *p,
           const char *command)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strconcat (command, "\n", NULL);
  char *reply;

  g_output_stream_write_all (p->in, line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (p->in, NULL, &error);
  g_assert_no_error (error);
  reply = g_data_input_stream_read_line (p->out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
  return reply;
}

static void
proxy_cmd_ok (Proxy      *p,
              const char *command)
{
  g_autofree char *reply = proxy_cmd (p, command);

  g_assert_cmpstr (reply, ==, "ok");
}

/* The first log line that starts (or, with at_end, ends) with text,
 * waiting for it if needed. */
static char *
proxy_wait_log_full (Proxy      *p,
                     const char *prefix,
                     gboolean    at_end)
{
  gint64 end = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;
  char *found = NULL;

  g_mutex_lock (&p->lock);
  while (found == NULL)
    {
      for (guint i = 0; i < p->log->len && found == NULL; i++)
        if (at_end ? g_str_has_suffix (g_ptr_array_index (p->log, i), prefix)
                   : g_str_has_prefix (g_ptr_array_index (p->log, i), prefix))
          found = g_strdup (g_ptr_array_index (p->log, i));
      if (found != NULL || p->log_done)
        break;
      if (!g_cond_wait_until (&p->cond, &p->lock, end))
        break;
    }
  g_mutex_unlock (&p->lock);
  if (found == NULL)
    g_error ("The proxy never logged a line with “%s”", prefix);
  return found;
}

static char *
proxy_wait_log (Proxy      *p,
                const char *prefix)
{
  return proxy_wait_log_full (p, prefix, FALSE);
}

static guint64
log_number (const char *line,
            const char *key)
{
  g_autofree char *needle = g_strconcat (" ", key, "=", NULL);
  const char *at = strstr (line, needle);

  g_assert_nonnull (at);
  return g_ascii_strtoull (at + strlen (needle), NULL, 10);
}

static int
proxy_quit (Proxy *p)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = proxy_cmd (p, "quit");
  int status;

  g_assert_cmpstr (reply, ==, "ok");
  g_subprocess_wait (p->proc, NULL, &error);
  g_assert_no_error (error);
  status = g_subprocess_get_exit_status (p->proc);
  g_thread_join (p->err_thread);
  g_object_unref (p->out);
  g_object_unref (p->proc);
  g_ptr_array_unref (p->log);
  g_mutex_clear (&p->lock);
  g_cond_clear (&p->cond);
  g_free (p);
  return status;
}

/* The client: blocking sockets, so that a reset shows as ECONNRESET */

typedef enum
{
  OUTCOME_COMPLETE,
  OUTCOME_EOF,
  OUTCOME_RESET,
  OUTCOME_TIMEOUT,
} Outcome;

static const char *outcome_names[] = { "complete", "eof", "reset", "timeout" };

typedef struct
{
  Outcome     outcome;
  gboolean    got_continue;
  gsize       received;   /* bytes of the final reply */
  GByteArray *body;
} Reply;

static void
reply_clear (Reply *r)
{
  g_clear_pointer (&r->body, g_byte_array_unref);
}

static int
client_connect (guint16 port,
                int     timeout_ms)
{
  struct sockaddr_in addr = { 0 };
  struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_port = htons (port);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

static Outcome
outcome_of_errno (int err)
{
  if (err == EAGAIN || err == EWOULDBLOCK)
    return OUTCOME_TIMEOUT;
  g_assert_cmpint (err, ==, ECONNRESET);
  return OUTCOME_RESET;
}

/* FALSE, with r->outcome, if the connection failed while sending. */
static gboolean
client_send (int         fd,
             const void *data,
             gsize       len,
             Reply      *r)
{
  const guint8 *p = data;

  while (len > 0)
    {
      gssize n = send (fd, p, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          r->outcome = errno == EPIPE ? OUTCOME_EOF : outcome_of_errno (errno);
          return FALSE;
        }
      p += n;
      len -= n;
    }
  return TRUE;
}

/* Reads one reply, skipping 1xx; stops when it is complete or the connection ends. */
static void
client_read_reply (int    fd,
                   Reply *r)
{
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  gsize start = 0;

  r->body = g_byte_array_new ();
  for (;;)
    {
      gssize end = find_bytes (buf, start, "\r\n\r\n");

      if (end >= 0)
        {
          g_autofree char *head = g_strndup ((const char *) buf->data + start, end + 4 - start);
          g_autofree char *length = header_value (head, "Content-Length");
          gsize body_at = end + 4;

          if (g_str_has_prefix (head, "HTTP/1.1 100"))
            {
              r->got_continue = TRUE;
              start = body_at;
              continue;
            }
          r->received = buf->len - start;
          if (length != NULL)
            {
              gsize n = g_ascii_strtoull (length, NULL, 10);

              if (buf->len >= body_at + n)
                {
                  g_byte_array_append (r->body, buf->data + body_at, n);
                  r->received = body_at + n - start;
                  r->outcome = OUTCOME_COMPLETE;
                  return;
                }
            }
          else if (find_bytes (buf, body_at, "\r\n0\r\n\r\n") >= 0)
            {
              r->outcome = OUTCOME_COMPLETE;
              return;
            }
        }
      else
        r->received = buf->len - start;

      {
        gssize n = read_more (fd, buf);

        if (n == 0)
          {
            r->received = buf->len - start;
            r->outcome = OUTCOME_EOF;
            return;
          }
        if (n < 0)
          {
            r->received = buf->len - start;
            r->outcome = outcome_of_errno (errno);
            return;
          }
      }
    }
}

/* Waits for "100 Continue" after a head that asked for it. */
static gboolean
client_read_continue (int    fd,
                      Reply *r)
{
  g_autoptr(GByteArray) buf = g_byte_array_new ();

  while (find_bytes (buf, 0, "\r\n\r\n") < 0)
    {
      gssize n = read_more (fd, buf);

      if (n <= 0)
        {
          r->outcome = n == 0 ? OUTCOME_EOF : outcome_of_errno (errno);
          return FALSE;
        }
    }
  g_assert_true (g_str_has_prefix ((const char *) buf->data, "HTTP/1.1 100 Continue\r\n\r\n"));
  g_assert_cmpuint (buf->len, ==, 25);
  r->got_continue = TRUE;
  return TRUE;
}

typedef struct
{
  const char *method;
  const char *path;
  gsize       body_len;
  gboolean    chunked;
  gboolean    expect;
} Request;

static GByteArray *
request_bytes (const Request *req,
               GByteArray   **body_out,
               gsize         *head_len)
{
  GByteArray *out = g_byte_array_new ();
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(GString) head = g_string_new (NULL);

  g_byte_array_set_size (body, req->body_len);
  fill_pattern (body->data, body->len, 3);
  g_string_printf (head, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: test\r\n", req->method, req->path);
  if (req->chunked)
    g_string_append (head, "Transfer-Encoding: chunked\r\n");
  else if (req->body_len > 0)
    g_string_append_printf (head, "Content-Length: %" G_GSIZE_FORMAT "\r\n", req->body_len);
  if (req->expect)
    g_string_append (head, "Expect: 100-continue\r\n");
  g_string_append (head, "\r\n");
  g_byte_array_append (out, (const guint8 *) head->str, head->len);
  *head_len = head->len;
  if (req->chunked)
    {
      for (gsize off = 0; off < body->len; off += 700)
        {
          gsize n = MIN (700, body->len - off);
          g_autofree char *size = g_strdup_printf ("%" G_GSIZE_MODIFIER "x\r\n", n);

          g_byte_array_append (out, (const guint8 *) size, strlen (size));
          g_byte_array_append (out, body->data + off, n);
          g_byte_array_append (out, (const guint8 *) "\r\n", 2);
        }
      g_byte_array_append (out, (const guint8 *) "0\r\n\r\n", 5);
    }
  else
    g_byte_array_append (out, body->data, body->len);
  if (body_out != NULL)
    *body_out = g_steal_pointer (&body);
  return out;
}

/* Sends one request on fd and reads its reply; *sent is the request's length. */
static void
client_exchange (int            fd,
                 const Request *req,
                 Reply         *r,
                 gsize         *sent)
{
  gsize head_len;
  g_autoptr(GByteArray) bytes = request_bytes (req, NULL, &head_len);

  memset (r, 0, sizeof *r);
  if (sent != NULL)
    *sent = bytes->len;
  if (req->expect)
    {
      if (!client_send (fd, bytes->data, head_len, r) || !client_read_continue (fd, r) ||
          !client_send (fd, bytes->data + head_len, bytes->len - head_len, r))
        return;
    }
  else if (!client_send (fd, bytes->data, bytes->len, r))
    return;
  client_read_reply (fd, r);
}

static Reply
one_exchange (guint16        port,
              const Request *req,
              gsize         *sent)
{
  Reply r;
  int fd = client_connect (port, WAIT_S * 1000);

  client_exchange (fd, req, &r, sent);
  close (fd);
  return r;
}

static char *
expected_event (const Request *req)
{
  gsize head_len;
  g_autoptr(GByteArray) body = NULL;
  g_autoptr(GByteArray) bytes = request_bytes (req, &body, &head_len);
  g_autofree char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA1, body->data, body->len);

  return g_strdup_printf ("request %s %s body=%u sum=%s bytes=%u",
                          req->method, req->path, body->len, sum, bytes->len);
}

/* Tests */

static void
test_pass (void)
{
  Upstream *up = upstream_start ();
  const char *args[] = { "--mode=pass", NULL };
  Proxy *p = proxy_start (up->port, args);
  Request post = { "POST", "/echo", 3000, FALSE, FALSE };
  Request expect = { "POST", "/echo", 2000, FALSE, TRUE };
  Request chunked = { "GET", "/chunked/5000", 0, FALSE, FALSE };
  int fd = client_connect (p->port, WAIT_S * 1000);
  g_autofree char *want = expected_event (&post);
  g_autofree char *want_expect = expected_event (&expect);
  g_autofree char *line = NULL;
  Reply r;

  /* Three exchanges on one kept-alive connection. */
  client_exchange (fd, &post, &r, NULL);
  g_assert_cmpint (r.outcome, ==, OUTCOME_COMPLETE);
  g_assert_cmpuint (r.body->len, ==, 3000);
  reply_clear (&r);
  {
    g_autofree char *event = upstream_next_event (up);
    g_assert_cmpstr (event, ==, want);
  }

  client_exchange (fd, &expect, &r, NULL);
  g_assert_cmpint (r.outcome, ==, OUTCOME_COMPLETE);
  g_assert_true (r.got_continue);
  g_assert_cmpuint (r.body->len, ==, 2000);
  reply_clear (&r);
  {
    g_autofree char *event = upstream_next_event (up);
    g_assert_cmpstr (event, ==, want_expect);
  }

  client_exchange (fd, &chunked, &r, NULL);
  g_assert_cmpint (r.outcome, ==, OUTCOME_COMPLETE);
  g_assert_cmpuint (r.received, ==, chunked_reply_len (5000));
  reply_clear (&r);
  g_free (upstream_next_event (up));

  line = proxy_wait_log (p, "conn 1 req 3 fault=");
  g_assert_cmpstr (line, ==, "conn 1 req 3 fault=none");
  close (fd);
  g_free (line);
  line = proxy_wait_log (p, "conn 1 close");
  g_assert_true (g_str_has_prefix (line, "conn 1 close reason=done"));

  /* A second connection, and the same request arrives unchanged. */
  r = one_exchange (p->port, &post, NULL);
  g_assert_cmpint (r.outcome, ==, OUTCOME_COMPLETE);
  reply_clear (&r);
  {
    g_autofree char *event = upstream_next_event (up);
    g_assert_cmpstr (event, ==, want);
  }

  g_assert_cmpint (proxy_quit (p), ==, 0);
  upstream_stop (up);
}

/* The hub (libsoup) does not close a kept-alive connection on the
 * client's FIN; the proxy closes both sides once nothing is pending. */
static void
test_half_close (void)
{
  Upstream *up = upstream_start ();
  const char *args[] = { "--mode=pass", NULL };
  Proxy *p;
  Request post = { "POST", "/echo", 300, FALSE, FALSE };
  g_autofree char *line = NULL;
  Reply r;

  up->keep_open = TRUE;
  p = proxy_start (up->port, args);
  r = one_exchange (p->port, &post, NULL);
  g_assert_cmpint (r.outcome, ==, OUTCOME_COMPLETE);
  reply_clear (&r);
  g_free (upstream_next_event (up));
  line = proxy_wait_log (p, "conn 1 close ");
  g_assert_true (g_str_has_prefix (line, "conn 1 close reason=done "));

  g_assert_cmpint (proxy_quit (p), ==, 0);
  upstream_stop (up);
}

static void
test_delay (void)
{
  Upstream *up = upstream_start ();
  const char *args[] = { "--mode=delay", "--max-delay-ms=120", "--seed=5", NULL };
  Proxy *p = proxy_start (up->port, args);
  Request post = { "POST", "/echo", 3000, FALSE, FALSE };
  g_autofree char *line = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed_ms;
  guint64 delay_ms;
  Reply r;

  r = one_exchange (p->port, &post, NULL);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_assert_cmpint (r.outcome, ==, OUTCOME_COMPLETE);
  g_assert_cmpuint (r.body->len, ==, 3000);
  reply_clear (&r);

  line = proxy_wait_log (p, "conn 1 req 1 fault=delay ");
  delay_ms = log_number (line, "delay-ms");
  g_assert_cmpuint (delay_ms, >=, 1);
  g_assert_cmpuint (delay_ms, <=, 120);
  /* The request waits once on the way in and the reply once on the way out. */
  g_assert_cmpint (elapsed_ms, >=, 2 * (gint64) delay_ms);
  g_free (upstream_next_event (up));

  g_assert_cmpint (proxy_quit (p), ==, 0);
  upstream_stop (up);
}

static void
test_slow (void)
{
  Upstream *up = upstream_start ();
  const char *args[] = { "--mode=slow", "--bandwidth=20000", NULL };
  Proxy *p = proxy_start (up->port, args);
  Request post = { "POST", "/echo", 6000, FALSE, FALSE };
  g_autofree char *want = expected_event (&post);
  g_autofree char *line = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed_us;
  gsize sent;
  Reply r;

  r = one_exchange (p->port, &post, &sent);
  elapsed_us = g_get_monotonic_time () - start;
  g_assert_cmpint (r.outcome, ==, OUTCOME_COMPLETE);
  g_assert_cmpuint (r.body->len, ==, 6000);

  line = proxy_wait_log (p, "conn 1 req 1 fault=");
  g_assert_cmpstr (line, ==, "conn 1 req 1 fault=slow bandwidth=20000");
  /* At 20,000 bytes/s with bursts of 1,000 bytes, the reply cannot start
   * before the request is through: a lower bound, never an upper one. */
  g_assert_cmpint (elapsed_us, >=,
                   (gint64) (sent + r.received - 2000) * G_USEC_PER_SEC / 20000);
  reply_clear (&r);
  {
    g_autofree char *event = upstream_next_event (up);
    g_assert_cmpstr (event, ==, want);
  }

  g_assert_cmpint (proxy_quit (p), ==, 0);
  upstream_stop (up);
}

static void
test_blackhole (void)
{
  Upstream *up = upstream_start ();
  const char *args[] = { "--mode=pass", NULL };
  Proxy *p = proxy_start (up->port, args);
  Request post = { "POST", "/echo", 1000, FALSE, FALSE };
  g_autofree char *want = expected_event (&post);
  g_autofree char *line = NULL;
  char *event;
  int a, b;
  Reply r;

  a = client_connect (p->port, 300);
  client_exchange (a, &post, &r, NULL);
  g_assert_cmpint (r.outcome, ==, OUTCOME_COMPLETE);
  reply_clear (&r);
  event = upstream_next_event (up);
  g_assert_cmpstr (event, ==, want);
  g_free (event);

  /* A partition: the open connection goes dark, and so does a new one. */
  proxy_cmd_ok (p, "mode blackhole");
  line = proxy_wait_log (p, "conn 1 blackhole");
  client_exchange (a, &post, &r, NULL);
  g_assert_cmpint (r.outcome, ==, OUTCOME_TIMEOUT);
  g_assert_cmpuint (r.received, ==, 0);
  reply_clear (&r);

  b = client_connect (p->port, 300);
  client_exchange (b, &post, &r, NULL);
  g_assert_cmpint (r.outcome, ==, OUTCOME_TIMEOUT);
  g_assert_cmpuint (r.received, ==, 0);
  reply_clear (&r);
  g_free (line);
  line = proxy_wait_log (p, "conn 2 open");
  g_assert_cmpstr (line, ==, "conn 2 open blackhole");

  /* Healed: new connections pass; nothing of the dark ones ever arrived. */
  proxy_cmd_ok (p, "mode pass");
  r = one_exchange (p->port, &post, NULL);
  g_assert_cmpint (r.outcome, ==, OUTCOME_COMPLETE);
  reply_clear (&r);
  event = upstream_next_event (up);
  g_assert_cmpstr (event, ==, want);
  g_free (event);
  close (a);
  close (b);

  g_assert_cmpint (proxy_quit (p), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&up->accepted), ==, 2);
  g_assert_cmpint (g_async_queue_length (up->events), ==, 0);
  upstream_stop (up);
}

static void
test_idle_timeout (void)
{
  Upstream *up = upstream_start ();
  const char *args[] = { "--mode=blackhole", "--idle-timeout-ms=300", NULL };
  Proxy *p = proxy_start (up->port, args);
  Request post = { "POST", "/echo", 100, FALSE, FALSE };
  g_autofree char *line = NULL;
  Reply r;

  /* Blackholed, the proxy ends the connection by itself. */
  r = one_exchange (p->port, &post, NULL);
  g_assert_cmpint (r.outcome, ==, OUTCOME_EOF);
  g_assert_cmpuint (r.received, ==, 0);
  reply_clear (&r);
  line = proxy_wait_log (p, "conn 1 close");
  g_assert_true (g_str_has_prefix (line, "conn 1 close reason=idle"));

  g_assert_cmpint (proxy_quit (p), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&up->accepted), ==, 0);
  upstream_stop (up);
}

static void
check_cut_request (Upstream      *up,
                   Proxy         *p,
                   guint          conn,
                   const Request *req)
{
  g_autofree char *prefix = g_strdup_printf ("conn %u req 1 fired=cut-request ", conn);
  g_autofree char *line = NULL;
  g_autofree char *event = NULL;
  g_autofree char *want = NULL;
  gsize sent;
  guint64 cut;
  Reply r;

  r = one_exchange (p->port, req, &sent);
  g_assert_cmpint (r.outcome, ==, OUTCOME_EOF);
  g_assert_cmpuint (r.received, ==, 0);
  reply_clear (&r);

  line = proxy_wait_log (p, prefix);
  cut = log_number (line, "request-bytes");
  g_assert_cmpuint (log_number (line, "of"), ==, sent);
  g_assert_cmpuint (cut, >=, 1);
  g_assert_cmpuint (cut, <, sent);
  /* The upstream got exactly the first `cut` bytes, then the end. */
  event = upstream_next_event (up);
  want = g_strdup_printf ("partial bytes=%" G_GUINT64_FORMAT, cut);
  g_assert_cmpstr (event, ==, want);
}

static void
test_cut_request (void)
{
  Upstream *up = upstream_start ();
  const char *args[] = { "--mode=cut-request", "--seed=11", NULL };
  Proxy *p = proxy_start (up->port, args);
  Request post = { "POST", "/echo", 5000, FALSE, FALSE };
  Request chunked = { "POST", "/echo", 5000, TRUE, FALSE };
  Request get = { "GET", "/bytes/10", 0, FALSE, FALSE };

  check_cut_request (up, p, 1, &post);
  check_cut_request (up, p, 2, &chunked);
  check_cut_request (up, p, 3, &get);

  g_assert_cmpint (proxy_quit (p), ==, 0);
  upstream_stop (up);
}

static void
test_close_after_request (void)
{
  Upstream *up = upstream_start ();
  const char *args[] = { "--mode=close-after-request", NULL };
  Proxy *p = proxy_start (up->port, args);
  Request expect = { "POST", "/echo", 4000, FALSE, TRUE };
  Request chunked = { "POST", "/echo", 3000, TRUE, FALSE };
  g_autofree char *want_expect = expected_event (&expect);
  g_autofree char *want_chunked = expected_event (&chunked);
  g_autofree char *line = NULL;
  char *event;
  gsize sent;
  Reply r;

  /* 100-continue still reaches the client; the final reply does not. */
  r = one_exchange (p->port, &expect, &sent);
  g_assert_cmpint (r.outcome, ==, OUTCOME_EOF);
  g_assert_true (r.got_continue);
  g_assert_cmpuint (r.received, ==, 0);
  reply_clear (&r);
  event = upstream_next_event (up);
  g_assert_cmpstr (event, ==, want_expect);
  g_free (event);
  line = proxy_wait_log (p, "conn 1 req 1 fired=close-after-request ");
  g_assert_cmpuint (log_number (line, "request-bytes"), ==, sent);

  r = one_exchange (p->port, &chunked, &sent);
  g_assert_cmpint (r.outcome, ==, OUTCOME_EOF);
  g_assert_cmpuint (r.received, ==, 0);
  reply_clear (&r);
  event = upstream_next_event (up);
  g_assert_cmpstr (event, ==, want_chunked);
  g_free (event);
  g_free (line);
  line = proxy_wait_log (p, "conn 2 req 1 fired=close-after-request ");
  g_assert_cmpuint (log_number (line, "request-bytes"), ==, sent);
  g_free (line);
  line = proxy_wait_log (p, "conn 2 close");
  g_assert_true (g_str_has_prefix (line, "conn 2 close reason=fault-close"));

  g_assert_cmpint (proxy_quit (p), ==, 0);
  upstream_stop (up);
}

static void
check_truncate (Upstream      *up,
                Proxy         *p,
                guint          conn,
                const Request *req,
                gsize          full)
{
  g_autofree char *prefix = g_strdup_printf ("conn %u req 1 fired=truncate-response ", conn);
  g_autofree char *want = expected_event (req);
  g_autofree char *line = NULL;
  g_autofree char *event = NULL;
  Reply r;

  r = one_exchange (p->port, req, NULL);
  g_assert_cmpint (r.outcome, ==, OUTCOME_EOF);
  g_assert_cmpuint (r.received, >=, 1);
  g_assert_cmpuint (r.received, <, full);
  line = proxy_wait_log (p, prefix);
  g_assert_cmpuint (log_number (line, "response-bytes"), ==, r.received);
  g_assert_cmpuint (log_number (line, "of"), ==, full);
  reply_clear (&r);
  event = upstream_next_event (up);
  g_assert_cmpstr (event, ==, want);
}

static void
test_truncate_response (void)
{
  Upstream *up = upstream_start ();
  const char *args[] = { "--mode=truncate-response", "--seed=3", NULL };
  Proxy *p = proxy_start (up->port, args);
  Request bytes = { "GET", "/bytes/20000", 0, FALSE, FALSE };
  Request chunked = { "GET", "/chunked/20000", 0, FALSE, FALSE };
  g_autofree char *head = reply_head (20000);

  check_truncate (up, p, 1, &bytes, strlen (head) + 20000);
  check_truncate (up, p, 2, &chunked, chunked_reply_len (20000));

  g_assert_cmpint (proxy_quit (p), ==, 0);
  upstream_stop (up);
}

static void
test_rst (void)
{
  Upstream *up = upstream_start ();
  const char *args[] = { "--mode=rst", "--seed=9", NULL };
  Proxy *p = proxy_start (up->port, args);
  Request post = { "POST", "/echo", 2000, FALSE, FALSE };
  gboolean seen[3] = { FALSE, FALSE, FALSE };
  const char *phases[] = { "request", "after-request", "response" };
  guint conn;

  /* Every phase, each seen as ECONNRESET by the client. */
  for (conn = 1; conn <= 30 && !(seen[0] && seen[1] && seen[2]); conn++)
    {
      g_autofree char *prefix = g_strdup_printf ("conn %u req 1 fault=rst phase=", conn);
      g_autofree char *close_prefix = g_strdup_printf ("conn %u close", conn);
      g_autofree char *line = NULL;
      Reply r = one_exchange (p->port, &post, NULL);

      g_assert_cmpint (r.outcome, ==, OUTCOME_RESET);
      reply_clear (&r);
      line = proxy_wait_log (p, prefix);
      for (guint i = 0; i < G_N_ELEMENTS (phases); i++)
        if (g_str_equal (line + strlen (prefix), phases[i]))
          seen[i] = TRUE;
      g_free (line);
      line = proxy_wait_log (p, close_prefix);
      g_assert_true (strstr (line, "reason=fault-rst") != NULL);
    }
  g_assert_true (seen[0] && seen[1] && seen[2]);

  g_assert_cmpint (proxy_quit (p), ==, 0);
  upstream_stop (up);
}

static void
test_reset_command (void)
{
  Upstream *up = upstream_start ();
  const char *args[] = { "--mode=pass", NULL };
  Proxy *p = proxy_start (up->port, args);
  Request post = { "POST", "/echo", 500, FALSE, FALSE };
  g_autofree char *reply = NULL;
  int fd = client_connect (p->port, WAIT_S * 1000);
  Reply r;

  client_exchange (fd, &post, &r, NULL);
  g_assert_cmpint (r.outcome, ==, OUTCOME_COMPLETE);
  reply_clear (&r);

  /* A network flap: the kept-alive connection is reset under the client. */
  reply = proxy_cmd (p, "reset");
  g_assert_cmpstr (reply, ==, "ok 1");
  memset (&r, 0, sizeof r);
  client_read_reply (fd, &r);
  g_assert_cmpint (r.outcome, ==, OUTCOME_RESET);
  reply_clear (&r);
  close (fd);

  g_free (reply);
  reply = proxy_cmd (p, "stats");
  g_assert_cmpstr (reply, ==, "ok connections=1 open=0 exchanges=1 faults=0");
  g_free (reply);
  reply = proxy_cmd (p, "rate 2");
  g_assert_true (g_str_has_prefix (reply, "error "));
  g_free (reply);
  reply = proxy_cmd (p, "mode sideways");
  g_assert_true (g_str_has_prefix (reply, "error "));
  g_free (reply);
  reply = proxy_cmd (p, "fly");
  g_assert_true (g_str_has_prefix (reply, "error "));

  g_assert_cmpint (proxy_quit (p), ==, 0);
  upstream_stop (up);
}

static void
test_upstream_refused (void)
{
  guint16 port;
  /* Bound, not listening: a connection to it is refused, and no one else takes the port. */
  int closed = listen_loopback (&port, FALSE);
  Proxy *p = proxy_start (port, NULL);
  Request post = { "POST", "/echo", 500, FALSE, FALSE };
  g_autofree char *line = NULL;
  Reply r;

  r = one_exchange (p->port, &post, NULL);
  g_assert_cmpint (r.outcome, ==, OUTCOME_RESET);
  reply_clear (&r);
  line = proxy_wait_log (p, "conn 1 close");
  g_assert_true (g_str_has_prefix (line, "conn 1 close reason=upstream-refused"));

  g_assert_cmpint (proxy_quit (p), ==, 0);
  close (closed);
}

static gpointer
echo_thread (gpointer data)
{
  int lfd = GPOINTER_TO_INT (data);
  int fd = accept (lfd, NULL, NULL);
  guint8 buf[4096];
  gssize n;

  g_assert_cmpint (fd, >=, 0);
  while ((n = recv (fd, buf, sizeof buf, 0)) > 0)
    send_all (fd, buf, n);
  close (fd);
  return NULL;
}

/* Not HTTP (a TLS handshake, say): passed through at once, without faults. */
static void
test_not_http (void)
{
  guint16 port;
  int lfd = listen_loopback (&port, TRUE);
  GThread *echo = g_thread_new ("echo", echo_thread, GINT_TO_POINTER (lfd));
  const char *args[] = { "--mode=rst", NULL };
  Proxy *p = proxy_start (port, args);
  const guint8 hello[] = { 0x16, 0x03, 0x01, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o' };
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  g_autofree char *line = NULL;
  int fd = client_connect (p->port, WAIT_S * 1000);
  Reply r = { 0 };

  g_assert_true (client_send (fd, hello, sizeof hello, &r));
  while (buf->len < sizeof hello)
    g_assert_cmpint (read_more (fd, buf), >, 0);
  g_assert_cmpmem (buf->data, buf->len, hello, sizeof hello);
  line = proxy_wait_log (p, "conn 1 not-http");
  close (fd);

  g_assert_cmpint (proxy_quit (p), ==, 0);
  g_thread_join (echo);
  close (lfd);
}

/* One schedule: the fault of each exchange, and what the client saw. With
 * reuse, a connection carries requests until a fault ends it. */
static GPtrArray *
run_schedule (Upstream   *up,
              const char *seed,
              gboolean    by_request,
              gboolean    reuse)
{
  g_autofree char *seed_arg = g_strconcat ("--seed=", seed, NULL);
  const char *args[] = {
    seed_arg, "--fault-rate=0.6", "--max-delay-ms=20",
    "--faults=delay,cut-request,close-after-request,truncate-response,rst",
    by_request ? "--schedule-by=request" : "--schedule-by=connection", NULL
  };
  Proxy *p = proxy_start (up->port, args);
  GPtrArray *schedule = g_ptr_array_new_with_free_func (g_free);
  Request post = { "POST", "/echo", 1500, FALSE, FALSE };
  guint conn = 0, req = 0;
  int fd = -1;

  for (guint n = 1; n <= 12; n++)
    {
      g_autofree char *key = NULL;
      g_autofree char *line = NULL;
      Reply r;

      if (fd < 0)
        {
          fd = client_connect (p->port, WAIT_S * 1000);
          conn++;
          req = 0;
        }
      req++;
      client_exchange (fd, &post, &r, NULL);
      if (!reuse || r.outcome != OUTCOME_COMPLETE)
        {
          close (fd);
          fd = -1;
        }
      if (by_request)
        {
          key = g_strdup_printf (" exchange=%u", n);
          line = proxy_wait_log_full (p, key, TRUE);
        }
      else
        {
          key = g_strdup_printf ("conn %u req %u fault=", conn, req);
          line = proxy_wait_log (p, key);
        }
      g_ptr_array_add (schedule, g_strdup_printf ("%s -> %s", strstr (line, "fault="), outcome_names[r.outcome]));
      reply_clear (&r);
    }
  if (fd >= 0)
    close (fd);
  g_assert_cmpint (proxy_quit (p), ==, 0);
  while (g_async_queue_length (up->events) > 0)
    g_free (g_async_queue_pop (up->events));
  return schedule;
}

static void
check_schedules (GPtrArray *first,
                 GPtrArray *again,
                 GPtrArray *other)
{
  guint faults = 0;
  gboolean differs = FALSE;

  g_assert_cmpuint (first->len, ==, again->len);
  for (guint i = 0; i < first->len; i++)
    {
      const char *line = g_ptr_array_index (first, i);

      g_test_message ("%s", line);
      g_assert_cmpstr (line, ==, g_ptr_array_index (again, i));
      if (!g_str_has_prefix (line, "fault=none"))
        faults++;
      if (!g_str_equal (line, g_ptr_array_index (other, i)))
        differs = TRUE;
    }
  g_assert_cmpuint (faults, >, 0);
  g_assert_cmpuint (faults, <, first->len);
  g_assert_true (differs);
}

static void
test_same_seed (void)
{
  Upstream *up = upstream_start ();
  g_autoptr(GPtrArray) first = run_schedule (up, "42", FALSE, FALSE);
  g_autoptr(GPtrArray) again = run_schedule (up, "42", FALSE, FALSE);
  g_autoptr(GPtrArray) other = run_schedule (up, "43", FALSE, FALSE);

  check_schedules (first, again, other);
  upstream_stop (up);
}

/* Keyed by request number, the schedule does not depend on how the
 * client spreads its requests over connections. */
static void
test_same_seed_by_request (void)
{
  Upstream *up = upstream_start ();
  g_autoptr(GPtrArray) first = run_schedule (up, "42", TRUE, FALSE);
  g_autoptr(GPtrArray) again = run_schedule (up, "42", TRUE, TRUE);
  g_autoptr(GPtrArray) other = run_schedule (up, "43", TRUE, TRUE);

  check_schedules (first, again, other);
  upstream_stop (up);
}

static void
test_log_file (void)
{
  Upstream *up = upstream_start ();
  g_autofree char *dir = g_dir_make_tmp ("jz-fault-proxy-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "proxy.log", NULL);
  g_autofree char *arg = g_strconcat ("--log-file=", path, NULL);
  const char *args[] = { "--mode=pass", arg, NULL };
  Proxy *p = proxy_start (up->port, args);
  Request post = { "POST", "/echo", 100, FALSE, FALSE };
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  Reply r;

  r = one_exchange (p->port, &post, NULL);
  g_assert_cmpint (r.outcome, ==, OUTCOME_COMPLETE);
  reply_clear (&r);
  g_free (upstream_next_event (up));
  g_assert_cmpint (proxy_quit (p), ==, 0);

  /* quit waits for the proxy's thread, so the log is complete. */
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, "\nconn 1 req 1 fault=none\n"));
  g_assert_nonnull (strstr (contents, "\nconn 1 close reason="));
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  upstream_stop (up);
}

static void
on_log (const char *line,
        gpointer    data)
{
  g_async_queue_push (data, g_strdup (line));
}

static void
test_in_process (void)
{
  Upstream *up = upstream_start ();
  g_autoptr(GAsyncQueue) log = g_async_queue_new_full (g_free);
  g_autoptr(JzFaultProxy) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *want = NULL;
  g_autofree char *event = NULL;
  JzFaultProxyOptions options;
  Request post = { "POST", "/echo", 800, FALSE, FALSE };
  gboolean fired = FALSE;
  char *line;
  Reply r;

  jz_fault_proxy_options_init (&options);
  options.upstream_port = up->port;
  options.initial_mode = "close-after-request";
  options.log_func = on_log;
  options.log_data = log;
  proxy = jz_fault_proxy_new (&options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jz_fault_proxy_get_port (proxy), >, 0);

  r = one_exchange (jz_fault_proxy_get_port (proxy), &post, NULL);
  g_assert_cmpint (r.outcome, ==, OUTCOME_EOF);
  reply_clear (&r);
  want = expected_event (&post);
  event = upstream_next_event (up);
  g_assert_cmpstr (event, ==, want);

  reply = jz_fault_proxy_command (proxy, "stats");
  g_assert_true (g_str_has_prefix (reply, "ok connections=1 "));
  jz_fault_proxy_stop (proxy);
  g_assert_true (jz_fault_proxy_is_stopped (proxy));
  g_free (reply);
  reply = jz_fault_proxy_command (proxy, "ping");
  g_assert_true (g_str_has_prefix (reply, "error "));

  while ((line = g_async_queue_try_pop (log)) != NULL)
    {
      if (g_str_has_prefix (line, "conn 1 req 1 fired=close-after-request "))
        fired = TRUE;
      g_free (line);
    }
  g_assert_true (fired);
  upstream_stop (up);
}

static void
test_refuses (void)
{
  const char *bad[][2] = {
    { "--upstream=10.0.0.1:80", "127.0.0.1:PORT" },
    { "--faults=delay,teleport", "not a fault" },
    { "--fault-rate=1.5", "outside" },
    { "--mode=sideways", "mode" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *args[] = { bad[i][0], NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) proc = proxy_spawn (1, args, &error);
      g_autofree char *err = NULL;

      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 2);
      g_assert_nonnull (strstr (err, bad[i][1]));
    }
}

static void
test_stdin_closed (void)
{
  Upstream *up = upstream_start ();
  Proxy *p = proxy_start (up->port, NULL);
  g_autoptr(GError) error = NULL;

  /* The test that started it went away: the proxy goes too. */
  g_output_stream_close (p->in, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (p->proc, NULL, &error);
  g_assert_no_error (error);
  g_thread_join (p->err_thread);
  g_object_unref (p->out);
  g_object_unref (p->proc);
  g_ptr_array_unref (p->log);
  g_mutex_clear (&p->lock);
  g_cond_clear (&p->cond);
  g_free (p);
  upstream_stop (up);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fault-proxy/pass", test_pass);
  g_test_add_func ("/fault-proxy/half-close", test_half_close);
  g_test_add_func ("/fault-proxy/delay", test_delay);
  g_test_add_func ("/fault-proxy/slow", test_slow);
  g_test_add_func ("/fault-proxy/blackhole", test_blackhole);
  g_test_add_func ("/fault-proxy/idle-timeout", test_idle_timeout);
  g_test_add_func ("/fault-proxy/cut-request", test_cut_request);
  g_test_add_func ("/fault-proxy/close-after-request", test_close_after_request);
  g_test_add_func ("/fault-proxy/truncate-response", test_truncate_response);
  g_test_add_func ("/fault-proxy/rst", test_rst);
  g_test_add_func ("/fault-proxy/reset-command", test_reset_command);
  g_test_add_func ("/fault-proxy/upstream-refused", test_upstream_refused);
  g_test_add_func ("/fault-proxy/not-http", test_not_http);
  g_test_add_func ("/fault-proxy/same-seed", test_same_seed);
  g_test_add_func ("/fault-proxy/same-seed-by-request", test_same_seed_by_request);
  g_test_add_func ("/fault-proxy/log-file", test_log_file);
  g_test_add_func ("/fault-proxy/in-process", test_in_process);
  g_test_add_func ("/fault-proxy/refuses", test_refuses);
  g_test_add_func ("/fault-proxy/stdin-closed", test_stdin_closed);

  return g_test_run ();
}
