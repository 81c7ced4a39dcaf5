/* jz-fault-proxy-core.c: a seeded, reproducible HTTP/1.1 fault proxy on 127.0.0.1
 *
 * One thread runs a poll() loop over plain non-blocking sockets, so that
 * delays, bandwidth limits and cuts happen at exact byte counts and times.
 *
 * Each request/response pair (an "exchange") gets its fault from a GRand
 * seeded with (seed, connection number); every exchange draws the same
 * numbers in the same order whatever the mode, so exchange k of connection
 * n has the same fault in every run with the same seed.
 *
 * The proxy frames HTTP/1.1 in both directions (Content-Length, chunked,
 * 1xx interim replies, HEAD/204/304, read-until-close) so that it knows
 * where a request ends and how long a reply is. It never logs payload.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE /* accept4 */
#define G_LOG_DOMAIN "jz-fault-proxy"

#include "jz-fault-proxy-core.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_CHUNK   16384
#define PIPE_CAP     (1024 * 1024)      /* stop reading a side whose bytes wait unsent */
#define HEAD_CAP     (64 * 1024)        /* a longer header block is not HTTP we expect */
#define HOLD_CAP     (16 * 1024 * 1024) /* most bytes held to learn a message's length */
#define DRAIN_US     (2 * G_USEC_PER_SEC)
#define MAX_CONNS    512
#define LINE_CAP     64

typedef enum
{
  MODE_PASS,
  MODE_FAULTS,
  MODE_FORCE,
  MODE_PARTITION,
} Mode;

typedef enum
{
  SEG_DATA,
  SEG_CLOSE,
  SEG_RST,
} SegKind;

typedef enum
{
  F_HEAD,
  F_LENGTH,
  F_CHUNK_SIZE,
  F_CHUNK_DATA,
  F_CHUNK_DATA_END,
  F_TRAILER,
  F_UNTIL_CLOSE,
} FramerState;

enum
{
  PHASE_REQUEST,
  PHASE_AFTER_REQUEST,
  PHASE_RESPONSE,
};

static const char *phase_names[] = { "request", "after-request", "response" };

static const char *kind_names[JZ_FAULT_N_KINDS] = {
  [JZ_FAULT_NONE] = "none",
  [JZ_FAULT_DELAY] = "delay",
  [JZ_FAULT_SLOW] = "slow",
  [JZ_FAULT_BLACKHOLE] = "blackhole",
  [JZ_FAULT_CUT_REQUEST] = "cut-request",
  [JZ_FAULT_CLOSE_AFTER_REQUEST] = "close-after-request",
  [JZ_FAULT_TRUNCATE_RESPONSE] = "truncate-response",
  [JZ_FAULT_RST] = "rst",
};

typedef struct
{
  SegKind kind;
  gint64  ready_us;
  guint32 bps;
  gsize   len;
  gsize   off;
  guint8  data[];
} Segment;

typedef struct
{
  GQueue   q;
  gsize    queued;    /* data bytes waiting */
  gint64   next_us;   /* when the bandwidth limit allows the next write */
  gboolean src_eof;   /* shut the destination down once the queue is empty */
  gboolean dst_shut;
  gboolean want_out;  /* the last write would have blocked */
  guint64  total;     /* bytes written to the destination */
} Pipe;

typedef struct
{
  FramerState state;
  GByteArray *head;
  guint64     remaining;
  char        line[LINE_CAP];
  gsize       line_len;
} Framer;

typedef struct
{
  guint       index;
  JzFaultKind kind;
  guint       phase;
  double      fraction;
  guint       delay_ms;
  gboolean    head_method;
  gboolean    req_done;
  gboolean    resp_done;
  guint64     req_total;    /* 0 while not known */
  guint64     req_fwd;
  GByteArray *req_held;
  guint64     resp_total;
  guint64     resp_fwd;
  GByteArray *resp_held;
} Exchange;

typedef struct
{
  JzFaultProxy *proxy;
  guint64       id;
  int           cfd;
  int           ufd;
  gboolean      connecting;
  gboolean      black;     /* drops everything; upstream closed */
  gboolean      doomed;    /* a fault's close is queued; input is discarded */
  gboolean      draining;  /* FIN sent to both; reading until EOF */
  gboolean      raw;       /* not HTTP: passed through without faults */
  gboolean      c_eof;
  gboolean      u_eof;
  gboolean      dead;
  gint64        last_us;
  gint64        drain_deadline;
  const char   *reason;
  GRand        *rand;
  guint         n_exchanges;
  Pipe          up;        /* client → upstream */
  Pipe          down;      /* upstream → client */
  Framer        req;
  Framer        resp;
  gboolean      resp_interim;
  Exchange     *req_ex;
  GQueue        exchanges; /* awaiting their reply, oldest first */
  int           cpoll;
  int           upoll;
} Conn;

typedef struct
{
  const char *line;
  char       *reply;
} Command;

struct _JzFaultProxy
{
  GObject             parent_instance;

  JzFaultProxyOptions opts;
  int                 listen_fd;
  guint16             port;
  int                 wake[2];
  GThread            *thread;

  GMutex              mutex;
  GCond               cond;
  GQueue              commands;
  gboolean            thread_done;
  gint                stop;

  /* Owned by the proxy thread. */
  GPtrArray          *conns;
  guint64             n_conns;
  guint64             n_exchanges;
  guint64             n_faults;
  Mode                mode;
  JzFaultKind         forced;
  double              rate;
  JzFaultKind         enabled[JZ_FAULT_N_KINDS];
  guint               n_enabled;
};

G_DEFINE_FINAL_TYPE (JzFaultProxy, jz_fault_proxy, G_TYPE_OBJECT)

G_DEFINE_QUARK (jz-fault-proxy-error-quark, jz_fault_proxy_error)

static void conn_free (Conn *c);

/* Logging */

static void G_GNUC_PRINTF (2, 3)
proxy_log (JzFaultProxy *self,
           const char   *format,
           ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);

  if (self->opts.log_func != NULL)
    self->opts.log_func (line, self->opts.log_data);
  else
    {
      fprintf (stderr, "%s\n", line);
      fflush (stderr);
    }
}

/* Pipes */

static void
pipe_push (Pipe         *p,
           const guint8 *data,
           gsize         len,
           gint64        ready_us,
           guint32       bps)
{
  Segment *seg;

  if (len == 0)
    return;
  seg = g_malloc (sizeof (Segment) + len);
  seg->kind = SEG_DATA;
  seg->ready_us = ready_us;
  seg->bps = bps;
  seg->len = len;
  seg->off = 0;
  memcpy (seg->data, data, len);
  g_queue_push_tail (&p->q, seg);
  p->queued += len;
}

static void
pipe_push_action (Pipe    *p,
                  SegKind  kind)
{
  Segment *seg = g_malloc0 (sizeof (Segment));

  seg->kind = kind;
  g_queue_push_tail (&p->q, seg);
}

static void
pipe_clear (Pipe *p)
{
  g_queue_clear_full (&p->q, g_free);
  p->queued = 0;
}

static gint64
pipe_deadline (Pipe *p)
{
  Segment *seg = g_queue_peek_head (&p->q);

  if (seg == NULL || p->want_out || seg->kind != SEG_DATA)
    return G_MAXINT64;
  if (seg->bps != 0)
    return MAX (seg->ready_us, p->next_us);
  return seg->ready_us;
}

/* Framing */

static void
framer_init (Framer *f)
{
  f->state = F_HEAD;
  f->head = g_byte_array_new ();
}

/* Appends bytes up to the end of a header block; returns how many it took. */
static gsize
framer_head_append (Framer       *f,
                    const guint8 *data,
                    gsize         len,
                    gboolean     *done)
{
  gsize start = 0;

  *done = FALSE;
  for (gsize i = 0; i < len; i++)
    {
      const guint8 *h;
      guint n;

      if (data[i] != '\n')
        continue;
      g_byte_array_append (f->head, data + start, i + 1 - start);
      start = i + 1;
      h = f->head->data;
      n = f->head->len;
      if ((n >= 4 && memcmp (h + n - 4, "\r\n\r\n", 4) == 0) ||
          (n >= 2 && h[n - 2] == '\n'))
        {
          *done = TRUE;
          return start;
        }
    }
  g_byte_array_append (f->head, data + start, len - start);
  return len;
}

/* Handles one line of chunked framing; returns FALSE when the message ends. */
static gboolean
framer_line (Framer *f)
{
  gsize len = MIN (f->line_len, LINE_CAP - 1);
  char *line = f->line;
  guint64 size;
  char *end = NULL;

  line[len] = '\0';
  if (len > 0 && line[len - 1] == '\r')
    line[--len] = '\0';
  f->line_len = 0;

  switch (f->state)
    {
    case F_CHUNK_SIZE:
      size = g_ascii_strtoull (line, &end, 16);
      if (end == line || (*end != '\0' && *end != ';' && *end != ' ' && *end != '\t'))
        {
          /* Not chunked framing after all: pass the rest as it comes. */
          f->state = F_UNTIL_CLOSE;
          return TRUE;
        }
      if (size == 0)
        f->state = F_TRAILER;
      else
        {
          f->remaining = size;
          f->state = F_CHUNK_DATA;
        }
      return TRUE;

    case F_CHUNK_DATA_END:
      f->state = F_CHUNK_SIZE;
      return TRUE;

    case F_TRAILER:
      return len != 0;

    case F_HEAD:
    case F_LENGTH:
    case F_CHUNK_DATA:
    case F_UNTIL_CLOSE:
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

/* Takes body bytes of the current message; *end says it is complete. */
static gsize
framer_body (Framer       *f,
             const guint8 *data,
             gsize         len,
             gboolean     *end)
{
  gsize n;

  *end = FALSE;
  switch (f->state)
    {
    case F_LENGTH:
      n = MIN (len, f->remaining);
      f->remaining -= n;
      *end = f->remaining == 0;
      return n;

    case F_UNTIL_CLOSE:
      return len;

    case F_CHUNK_DATA:
      n = MIN (len, f->remaining);
      f->remaining -= n;
      if (f->remaining == 0)
        {
          f->state = F_CHUNK_DATA_END;
          f->line_len = 0;
        }
      return n;

    case F_CHUNK_SIZE:
    case F_CHUNK_DATA_END:
    case F_TRAILER:
      for (n = 0; n < len;)
        {
          guint8 ch = data[n++];

          if (ch == '\n')
            {
              *end = !framer_line (f);
              break;
            }
          if (f->line_len < LINE_CAP - 1)
            f->line[f->line_len] = (char) ch;
          f->line_len++;
        }
      return n;

    case F_HEAD:
    default:
      g_assert_not_reached ();
    }
  return 0;
}

/* Whether an unfinished header block can still be HTTP: a request starts
 * with a method and a space, a reply with "HTTP/1.". Anything else (a TLS
 * handshake, say) must pass at once rather than wait for a blank line. */
static gboolean
head_start_plausible (GByteArray *head,
                      gboolean    request)
{
  static const char reply_start[] = "HTTP/1.";

  if (head->len > HEAD_CAP)
    return FALSE;
  if (!request)
    return memcmp (head->data, reply_start, MIN (head->len, strlen (reply_start))) == 0;
  for (guint i = 0; i < head->len; i++)
    {
      if (head->data[i] == ' ')
        return i > 0;
      if (i >= 20 || !g_ascii_isupper (head->data[i]))
        return FALSE;
    }
  return TRUE;
}

typedef struct
{
  char    *start[3];
  gboolean chunked;
  gboolean has_length;
  guint64  length;
} Head;

static void
head_clear (Head *h)
{
  for (guint i = 0; i < G_N_ELEMENTS (h->start); i++)
    g_clear_pointer (&h->start[i], g_free);
}

/* Splits a header block: the three words of the start line, and the body framing. */
static gboolean
head_parse (GByteArray *bytes,
            Head       *h)
{
  g_autofree char *text = g_strndup ((const char *) bytes->data, bytes->len);
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) words = NULL;

  memset (h, 0, sizeof *h);
  if (strlen (text) != bytes->len)
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  g_strchomp (lines[0]);
  words = g_strsplit (lines[0], " ", 3);
  if (g_strv_length (words) < 2)
    return FALSE;
  for (guint i = 0; i < 3 && words[i] != NULL; i++)
    h->start[i] = g_strdup (words[i]);

  for (guint i = 1; lines[i] != NULL; i++)
    {
      char *line = g_strchomp (lines[i]);
      char *colon = strchr (line, ':');
      char *value;

      if (colon == NULL)
        continue;
      *colon = '\0';
      value = g_strstrip (colon + 1);
      if (g_ascii_strcasecmp (line, "Transfer-Encoding") == 0)
        {
          g_autofree char *lower = g_ascii_strdown (value, -1);

          h->chunked = g_str_has_suffix (lower, "chunked");
        }
      else if (g_ascii_strcasecmp (line, "Content-Length") == 0)
        {
          guint64 length;

          if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &length, NULL))
            return FALSE;
          if (h->has_length && length != h->length)
            return FALSE;
          h->has_length = TRUE;
          h->length = length;
        }
    }
  return TRUE;
}

/* Faults of an exchange */

static gboolean
exchange_cuts_request (Exchange *e)
{
  return e != NULL &&
         (e->kind == JZ_FAULT_CUT_REQUEST || (e->kind == JZ_FAULT_RST && e->phase == PHASE_REQUEST));
}

static gboolean
exchange_drops_reply (Exchange *e)
{
  return e != NULL &&
         (e->kind == JZ_FAULT_CLOSE_AFTER_REQUEST ||
          (e->kind == JZ_FAULT_RST && e->phase == PHASE_AFTER_REQUEST));
}

static gboolean
exchange_cuts_reply (Exchange *e)
{
  return e != NULL &&
         (e->kind == JZ_FAULT_TRUNCATE_RESPONSE || (e->kind == JZ_FAULT_RST && e->phase == PHASE_RESPONSE));
}

static SegKind
exchange_action (Exchange *e)
{
  return e->kind == JZ_FAULT_RST ? SEG_RST : SEG_CLOSE;
}

/* A cut in 1 … total-1: the message is never complete, and never empty. */
static guint64
cut_point (double  fraction,
           guint64 total)
{
  if (total < 2)
    return 0;
  return 1 + (guint64) (fraction * (double) (total - 1));
}

static void
exchange_free (Exchange *e)
{
  g_clear_pointer (&e->req_held, g_byte_array_unref);
  g_clear_pointer (&e->resp_held, g_byte_array_unref);
  g_free (e);
}

/* Connections */

static void
set_linger_zero (int fd)
{
  struct linger lg = { 1, 0 };

  if (fd >= 0)
    setsockopt (fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/* Both sides see a reset. */
static void
conn_reset (Conn       *c,
            const char *reason)
{
  set_linger_zero (c->cfd);
  set_linger_zero (c->ufd);
  close_fd (&c->cfd);
  close_fd (&c->ufd);
  pipe_clear (&c->up);
  pipe_clear (&c->down);
  c->reason = reason;
  c->dead = TRUE;
}

static void
conn_close (Conn       *c,
            const char *reason)
{
  close_fd (&c->cfd);
  close_fd (&c->ufd);
  pipe_clear (&c->up);
  pipe_clear (&c->down);
  c->reason = reason;
  c->dead = TRUE;
}

/* FIN to both sides, then read and discard until they close, so that
 * unread bytes do not turn the close into a reset. */
static void
conn_drain (Conn       *c,
            const char *reason,
            gint64      now)
{
  pipe_clear (&c->up);
  pipe_clear (&c->down);
  if (c->cfd >= 0)
    {
      shutdown (c->cfd, SHUT_WR);
      if (c->c_eof)
        close_fd (&c->cfd);
    }
  if (c->ufd >= 0)
    {
      if (c->connecting || c->u_eof)
        close_fd (&c->ufd);
      else
        shutdown (c->ufd, SHUT_WR);
    }
  c->connecting = FALSE;
  c->draining = TRUE;
  c->drain_deadline = now + DRAIN_US;
  c->reason = reason;
  if (c->cfd < 0 && c->ufd < 0)
    c->dead = TRUE;
}

static void
conn_blacken (Conn *c)
{
  c->black = TRUE;
  pipe_clear (&c->up);
  pipe_clear (&c->down);
  close_fd (&c->ufd);
  c->connecting = FALSE;
  c->u_eof = TRUE;
}

static Exchange *
exchange_begin (Conn     *c,
                gboolean  head_method)
{
  JzFaultProxy *self = c->proxy;
  Exchange *e = g_new0 (Exchange, 1);
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GRand) own_rand = NULL;
  GRand *rand = c->rand;
  double u;
  guint k;

  e->index = ++c->n_exchanges;
  e->head_method = head_method;
  self->n_exchanges++;

  if (self->opts.schedule_by_request)
    {
      /* Independent of how a client spreads its requests over connections. */
      guint32 seeds[4] = {
        (guint32) self->opts.seed, (guint32) (self->opts.seed >> 32),
        (guint32) self->n_exchanges, 0x72657175 /* not a per-connection seed */
      };

      own_rand = g_rand_new_with_seed_array (seeds, G_N_ELEMENTS (seeds));
      rand = own_rand;
    }

  /* The same draws in the same order for every exchange, whatever the mode. */
  u = g_rand_double (rand);
  k = (guint) g_rand_int_range (rand, 0, (gint32) self->n_enabled);
  e->fraction = g_rand_double (rand);
  e->delay_ms = (guint) g_rand_int_range (rand, 1, (gint32) MAX (self->opts.max_delay_ms, 1) + 1);
  e->phase = (guint) g_rand_int_range (rand, 0, G_N_ELEMENTS (phase_names));

  switch (self->mode)
    {
    case MODE_FAULTS:
      e->kind = u < self->rate ? self->enabled[k] : JZ_FAULT_NONE;
      break;
    case MODE_FORCE:
      e->kind = self->forced;
      break;
    case MODE_PASS:
    case MODE_PARTITION:
    default:
      e->kind = JZ_FAULT_NONE;
      break;
    }

  if (e->kind != JZ_FAULT_NONE)
    self->n_faults++;

  g_string_printf (line, "conn %" G_GUINT64_FORMAT " req %u fault=%s",
                   c->id, e->index, kind_names[e->kind]);
  if (e->kind == JZ_FAULT_DELAY)
    g_string_append_printf (line, " delay-ms=%u", e->delay_ms);
  else if (e->kind == JZ_FAULT_SLOW)
    g_string_append_printf (line, " bandwidth=%u", self->opts.bandwidth);
  else if (e->kind == JZ_FAULT_RST)
    g_string_append_printf (line, " phase=%s", phase_names[e->phase]);
  if (self->opts.schedule_by_request)
    g_string_append_printf (line, " exchange=%" G_GUINT64_FORMAT, self->n_exchanges);
  proxy_log (self, "%s", line->str);

  g_queue_push_tail (&c->exchanges, e);
  c->req_ex = e;
  if (e->kind == JZ_FAULT_BLACKHOLE)
    conn_blacken (c);
  return e;
}

static void
emit_data (Conn         *c,
           Pipe         *p,
           Exchange     *e,
           const guint8 *data,
           gsize         len)
{
  gint64 ready = 0;
  guint32 bps = 0;

  if (e != NULL && e->kind == JZ_FAULT_DELAY)
    ready = g_get_monotonic_time () + (gint64) e->delay_ms * 1000;
  else if (e != NULL && e->kind == JZ_FAULT_SLOW)
    bps = MAX (c->proxy->opts.bandwidth, 1);
  pipe_push (p, data, len, ready, bps);
}

/* Forwards up to the cut; at the cut, queues the close and stops all input. */
static void
emit_cut (Conn         *c,
          Pipe         *p,
          Exchange     *e,
          const guint8 *data,
          gsize         len,
          guint64      *fwd,
          guint64       total,
          const char   *what)
{
  guint64 cut = cut_point (e->fraction, total);
  guint64 room = cut > *fwd ? cut - *fwd : 0;
  gsize take = (gsize) MIN ((guint64) len, room);

  pipe_push (p, data, take, 0, 0);
  *fwd += take;
  if (*fwd < cut)
    return;
  proxy_log (c->proxy, "conn %" G_GUINT64_FORMAT " req %u fired=%s %s-bytes=%" G_GUINT64_FORMAT
             " of=%" G_GUINT64_FORMAT,
             c->id, e->index, kind_names[e->kind], what, *fwd, total);
  pipe_push_action (p, exchange_action (e));
  c->doomed = TRUE;
}

static void
request_emit (Conn         *c,
              Exchange     *e,
              const guint8 *data,
              gsize         len)
{
  if (len == 0 || c->black || c->doomed)
    return;
  if (exchange_cuts_request (e))
    {
      if (e->req_total == 0)
        {
          /* Chunked: hold the request until its length is known. */
          if (e->req_held == NULL)
            e->req_held = g_byte_array_new ();
          g_byte_array_append (e->req_held, data, len);
          if (e->req_held->len > HOLD_CAP)
            {
              g_autoptr(GByteArray) held = g_steal_pointer (&e->req_held);

              e->req_total = held->len;
              request_emit (c, e, held->data, held->len);
            }
          return;
        }
      emit_cut (c, &c->up, e, data, len, &e->req_fwd, e->req_total, "request");
      return;
    }
  if (e != NULL)
    e->req_fwd += len;
  emit_data (c, &c->up, e, data, len);
}

static void
request_end (Conn *c)
{
  Exchange *e = c->req_ex;

  c->req.state = F_HEAD;
  c->req_ex = NULL;
  if (e == NULL)
    return;
  if (e->req_held != NULL)
    {
      g_autoptr(GByteArray) held = g_steal_pointer (&e->req_held);

      e->req_total = held->len;
      request_emit (c, e, held->data, held->len);
    }
  e->req_done = TRUE;
  if (e->resp_done)
    exchange_free (e);
}

static void
response_emit (Conn         *c,
               Exchange     *e,
               const guint8 *data,
               gsize         len,
               gboolean      interim)
{
  if (len == 0 || c->black || c->doomed)
    return;
  if (e != NULL && !interim)
    {
      if (exchange_drops_reply (e))
        {
          /* The final reply has begun, so the hub has handled the request: lose the reply. */
          proxy_log (c->proxy, "conn %" G_GUINT64_FORMAT " req %u fired=%s request-bytes=%" G_GUINT64_FORMAT,
                     c->id, e->index, kind_names[e->kind], e->req_fwd);
          pipe_push_action (&c->down, exchange_action (e));
          c->doomed = TRUE;
          return;
        }
      if (exchange_cuts_reply (e))
        {
          if (e->resp_total == 0)
            {
              if (e->resp_held == NULL)
                e->resp_held = g_byte_array_new ();
              g_byte_array_append (e->resp_held, data, len);
              if (e->resp_held->len > HOLD_CAP)
                {
                  g_autoptr(GByteArray) held = g_steal_pointer (&e->resp_held);

                  e->resp_total = held->len;
                  response_emit (c, e, held->data, held->len, FALSE);
                }
              return;
            }
          emit_cut (c, &c->down, e, data, len, &e->resp_fwd, e->resp_total, "response");
          return;
        }
    }
  if (e != NULL && !interim)
    e->resp_fwd += len;
  emit_data (c, &c->down, e, data, len);
}

static void
response_end (Conn *c)
{
  Exchange *e;

  c->resp.state = F_HEAD;
  if (c->resp_interim)
    return;
  e = g_queue_pop_head (&c->exchanges);
  if (e == NULL)
    return;
  if (e->resp_held != NULL)
    {
      g_autoptr(GByteArray) held = g_steal_pointer (&e->resp_held);

      e->resp_total = held->len;
      response_emit (c, e, held->data, held->len, FALSE);
    }
  e->resp_done = TRUE;
  if (e->req_done)
    exchange_free (e);
}

static void
conn_go_raw (Conn *c)
{
  proxy_log (c->proxy, "conn %" G_GUINT64_FORMAT " not-http, passing bytes through without faults", c->id);
  c->raw = TRUE;
  pipe_push (&c->up, c->req.head->data, c->req.head->len, 0, 0);
  pipe_push (&c->down, c->resp.head->data, c->resp.head->len, 0, 0);
  g_byte_array_set_size (c->req.head, 0);
  g_byte_array_set_size (c->resp.head, 0);
}

static gboolean
request_head_complete (Conn *c)
{
  Framer *f = &c->req;
  Head h;
  Exchange *e;
  guint64 head_len = f->head->len;
  g_autoptr(GByteArray) head = NULL;

  if (!head_parse (f->head, &h) || h.start[2] == NULL || !g_str_has_prefix (h.start[2], "HTTP/1."))
    {
      head_clear (&h);
      return FALSE;
    }
  head = g_steal_pointer (&f->head);
  f->head = g_byte_array_new ();

  e = exchange_begin (c, g_strcmp0 (h.start[0], "HEAD") == 0);
  if (h.chunked)
    {
      f->state = F_CHUNK_SIZE;
      f->line_len = 0;
    }
  else if (h.has_length && h.length > 0)
    {
      f->state = F_LENGTH;
      f->remaining = h.length;
      e->req_total = head_len + h.length;
    }
  else
    e->req_total = head_len;
  head_clear (&h);

  request_emit (c, e, head->data, head->len);
  if (e->req_total == head_len)
    request_end (c);
  return TRUE;
}

static gboolean
response_head_complete (Conn *c)
{
  Framer *f = &c->resp;
  Exchange *e = g_queue_peek_head (&c->exchanges);
  guint64 head_len = f->head->len;
  g_autoptr(GByteArray) head = NULL;
  guint64 status;
  gboolean no_body;
  Head h;

  if (!head_parse (f->head, &h) || !g_str_has_prefix (h.start[0], "HTTP/1.") ||
      !g_ascii_string_to_unsigned (h.start[1], 10, 100, 999, &status, NULL))
    {
      head_clear (&h);
      return FALSE;
    }
  head = g_steal_pointer (&f->head);
  f->head = g_byte_array_new ();

  c->resp_interim = status < 200 && status != 101;
  no_body = c->resp_interim || status == 204 || status == 304 || (e != NULL && e->head_method);
  if (no_body)
    f->state = F_HEAD;
  else if (h.chunked)
    {
      f->state = F_CHUNK_SIZE;
      f->line_len = 0;
    }
  else if (h.has_length)
    f->state = h.length > 0 ? F_LENGTH : F_HEAD;
  else
    f->state = F_UNTIL_CLOSE;
  f->remaining = h.has_length ? h.length : 0;
  if (e != NULL && !c->resp_interim)
    {
      if (no_body || (!h.chunked && h.has_length))
        e->resp_total = head_len + (no_body ? 0 : h.length);
      else
        e->resp_total = 0;
    }
  head_clear (&h);

  response_emit (c, e, head->data, head->len, c->resp_interim);
  if (status == 101)
    {
      /* Another protocol follows; nothing of ours to frame. */
      response_end (c);
      c->raw = TRUE;
      return TRUE;
    }
  if (f->state == F_HEAD)
    response_end (c);
  return TRUE;
}

static void
request_input (Conn         *c,
               const guint8 *data,
               gsize         len)
{
  while (len > 0 && !c->black && !c->doomed)
    {
      Framer *f = &c->req;
      gboolean end = FALSE;
      gsize n;

      if (c->raw)
        {
          pipe_push (&c->up, data, len, 0, 0);
          return;
        }
      if (f->state == F_HEAD)
        {
          n = framer_head_append (f, data, len, &end);
          data += n;
          len -= n;
          if (end ? !request_head_complete (c) : !head_start_plausible (f->head, TRUE))
            conn_go_raw (c);
          continue;
        }
      n = framer_body (f, data, len, &end);
      request_emit (c, c->req_ex, data, n);
      data += n;
      len -= n;
      if (end)
        request_end (c);
    }
}

static void
response_input (Conn         *c,
                const guint8 *data,
                gsize         len)
{
  while (len > 0 && !c->black && !c->doomed)
    {
      Framer *f = &c->resp;
      gboolean end = FALSE;
      gsize n;

      if (c->raw)
        {
          pipe_push (&c->down, data, len, 0, 0);
          return;
        }
      if (f->state == F_HEAD)
        {
          n = framer_head_append (f, data, len, &end);
          data += n;
          len -= n;
          if (end ? !response_head_complete (c) : !head_start_plausible (f->head, FALSE))
            conn_go_raw (c);
          continue;
        }
      n = framer_body (f, data, len, &end);
      response_emit (c, g_queue_peek_head (&c->exchanges), data, n, c->resp_interim);
      data += n;
      len -= n;
      if (end)
        response_end (c);
    }
}

static Conn *
conn_new (JzFaultProxy *self,
          int           cfd,
          gint64        now)
{
  Conn *c = g_new0 (Conn, 1);
  guint32 seeds[3];
  struct sockaddr_in addr = { 0 };
  int one = 1;

  c->proxy = self;
  c->id = ++self->n_conns;
  c->cfd = cfd;
  c->ufd = -1;
  c->last_us = now;
  c->reason = "done";
  c->cpoll = c->upoll = -1;
  seeds[0] = (guint32) self->opts.seed;
  seeds[1] = (guint32) (self->opts.seed >> 32);
  seeds[2] = (guint32) c->id;
  c->rand = g_rand_new_with_seed_array (seeds, G_N_ELEMENTS (seeds));
  framer_init (&c->req);
  framer_init (&c->resp);
  setsockopt (cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  if (self->mode == MODE_PARTITION)
    {
      proxy_log (self, "conn %" G_GUINT64_FORMAT " open blackhole", c->id);
      conn_blacken (c);
      return c;
    }
  proxy_log (self, "conn %" G_GUINT64_FORMAT " open", c->id);

  c->ufd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->ufd < 0)
    {
      conn_reset (c, "no-socket");
      return c;
    }
  setsockopt (c->ufd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  addr.sin_family = AF_INET;
  addr.sin_port = htons (self->opts.upstream_port);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (c->ufd, (struct sockaddr *) &addr, sizeof addr) == 0)
    c->connecting = FALSE;
  else if (errno == EINPROGRESS)
    c->connecting = TRUE;
  else
    conn_reset (c, "upstream-refused");
  return c;
}

static void
conn_free (Conn *c)
{
  proxy_log (c->proxy, "conn %" G_GUINT64_FORMAT " close reason=%s up=%" G_GUINT64_FORMAT
             " down=%" G_GUINT64_FORMAT,
             c->id, c->reason, c->up.total, c->down.total);
  close_fd (&c->cfd);
  close_fd (&c->ufd);
  pipe_clear (&c->up);
  pipe_clear (&c->down);
  /* A request whose reply came already is owned by req_ex alone; any other
   * req_ex is also in the queue. Look before the queue frees it. */
  if (c->req_ex != NULL && c->req_ex->resp_done)
    exchange_free (c->req_ex);
  c->req_ex = NULL;
  g_queue_clear_full (&c->exchanges, (GDestroyNotify) exchange_free);
  g_byte_array_unref (c->req.head);
  g_byte_array_unref (c->resp.head);
  g_rand_free (c->rand);
  g_free (c);
}

/* Writes what is due; runs a queued fault. FALSE when the connection ended. */
static gboolean
pipe_flush (Conn   *c,
            Pipe   *p,
            int     fd,
            gint64  now)
{
  Segment *seg;

  while ((seg = g_queue_peek_head (&p->q)) != NULL)
    {
      gsize want;
      ssize_t n;

      if (seg->kind == SEG_RST)
        {
          conn_reset (c, "fault-rst");
          return FALSE;
        }
      if (seg->kind == SEG_CLOSE)
        {
          conn_drain (c, "fault-close", now);
          return FALSE;
        }
      if (seg->ready_us > now)
        break;
      want = seg->len - seg->off;
      if (seg->bps != 0)
        {
          if (p->next_us > now)
            break;
          want = MIN (want, MAX (seg->bps / 20, 1));
        }
      n = send (fd, seg->data + seg->off, want, MSG_NOSIGNAL);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            {
              p->want_out = TRUE;
              break;
            }
          conn_reset (c, errno == EPIPE || errno == ECONNRESET ? "peer-gone" : "write-error");
          return FALSE;
        }
      seg->off += n;
      p->queued -= n;
      p->total += n;
      c->last_us = now;
      if (seg->bps != 0)
        p->next_us = MAX (p->next_us, now) + (gint64) n * G_USEC_PER_SEC / seg->bps;
      if (seg->off == seg->len)
        g_free (g_queue_pop_head (&p->q));
    }
  if (g_queue_is_empty (&p->q) && p->src_eof && !p->dst_shut)
    {
      shutdown (fd, SHUT_WR);
      p->dst_shut = TRUE;
    }
  return TRUE;
}

static void
conn_read (Conn     *c,
           gboolean  client,
           gint64    now)
{
  guint8 buf[READ_CHUNK];
  int *fd = client ? &c->cfd : &c->ufd;
  ssize_t n;

  n = recv (*fd, buf, sizeof buf, 0);
  if (n < 0)
    {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return;
      if (c->draining)
        {
          close_fd (fd);
          return;
        }
      /* The peer reset: pass the reset on. */
      conn_reset (c, client ? "client-reset" : "upstream-reset");
      return;
    }

  c->last_us = now;
  if (n == 0)
    {
      if (c->draining)
        {
          close_fd (fd);
          return;
        }
      if (client)
        {
          c->c_eof = TRUE;
          c->up.src_eof = TRUE;
          if (c->black)
            conn_close (c, "blackhole-client-closed");
        }
      else
        {
          c->u_eof = TRUE;
          if (c->resp.state == F_UNTIL_CLOSE && !c->black && !c->doomed && !c->raw)
            response_end (c);
          c->down.src_eof = TRUE;
        }
      return;
    }

  if (c->draining || c->black || c->doomed)
    return;
  if (client)
    request_input (c, buf, n);
  else
    response_input (c, buf, n);
}

static void
conn_poll_setup (Conn    *c,
                 GArray  *pfds,
                 gint64  *deadline)
{
  JzFaultProxy *self = c->proxy;
  struct pollfd pfd;
  gint64 idle_us = (gint64) self->opts.idle_timeout_ms * 1000;

  c->cpoll = c->upoll = -1;
  if (c->cfd >= 0)
    {
      pfd.fd = c->cfd;
      pfd.events = 0;
      pfd.revents = 0;
      if (!c->c_eof && (c->draining || c->black || c->doomed || c->up.queued < PIPE_CAP))
        pfd.events |= POLLIN;
      if (c->down.want_out && !c->draining)
        pfd.events |= POLLOUT;
      if (pfd.events != 0)
        {
          c->cpoll = pfds->len;
          g_array_append_val (pfds, pfd);
        }
    }
  if (c->ufd >= 0)
    {
      pfd.fd = c->ufd;
      pfd.events = 0;
      pfd.revents = 0;
      if (c->connecting)
        pfd.events |= POLLOUT;
      else
        {
          if (!c->u_eof && (c->draining || c->doomed || c->down.queued < PIPE_CAP))
            pfd.events |= POLLIN;
          if (c->up.want_out && !c->draining)
            pfd.events |= POLLOUT;
        }
      if (pfd.events != 0)
        {
          c->upoll = pfds->len;
          g_array_append_val (pfds, pfd);
        }
    }

  /* Pipes wait for nothing while the upstream is still connecting. */
  if (c->ufd >= 0 && !c->connecting)
    *deadline = MIN (*deadline, pipe_deadline (&c->up));
  if (c->cfd >= 0)
    *deadline = MIN (*deadline, pipe_deadline (&c->down));
  if (c->draining)
    *deadline = MIN (*deadline, c->drain_deadline);
  else
    *deadline = MIN (*deadline, c->last_us + idle_us);
}

static gboolean
conn_between_exchanges (Conn *c)
{
  return !c->raw && g_queue_is_empty (&c->exchanges) &&
         c->req.state == F_HEAD && c->req.head->len == 0 &&
         c->resp.state == F_HEAD && c->resp.head->len == 0;
}

static void
conn_handle (Conn   *c,
             GArray *pfds,
             gint64  now)
{
  JzFaultProxy *self = c->proxy;
  short crev = c->cpoll >= 0 ? g_array_index (pfds, struct pollfd, c->cpoll).revents : 0;
  short urev = c->upoll >= 0 ? g_array_index (pfds, struct pollfd, c->upoll).revents : 0;

  if ((crev & (POLLIN | POLLHUP | POLLERR)) && c->cfd >= 0)
    conn_read (c, TRUE, now);
  if (c->dead)
    return;

  if (urev != 0 && c->ufd >= 0)
    {
      if (c->connecting)
        {
          int err = 0;
          socklen_t len = sizeof err;

          if (getsockopt (c->ufd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
            err = errno;
          if (err != 0)
            {
              conn_reset (c, "upstream-refused");
              return;
            }
          c->connecting = FALSE;
        }
      else if (urev & (POLLIN | POLLHUP | POLLERR))
        conn_read (c, FALSE, now);
      if (c->dead)
        return;
    }

  if (crev & POLLOUT)
    c->down.want_out = FALSE;
  if (urev & POLLOUT)
    c->up.want_out = FALSE;

  if (!c->draining && !c->black)
    {
      if (c->ufd >= 0 && !c->connecting && !c->up.want_out && !pipe_flush (c, &c->up, c->ufd, now))
        return;
      if (c->cfd >= 0 && !c->down.want_out && !pipe_flush (c, &c->down, c->cfd, now))
        return;
    }

  if (c->draining)
    {
      if (c->cfd < 0 && c->ufd < 0)
        c->dead = TRUE;
      else if (now >= c->drain_deadline)
        conn_close (c, c->reason);
      return;
    }
  if (now - c->last_us >= (gint64) self->opts.idle_timeout_ms * 1000)
    {
      conn_close (c, "idle");
      return;
    }
  if (c->black || !g_queue_is_empty (&c->up.q) || !g_queue_is_empty (&c->down.q))
    return;
  if (c->c_eof && c->u_eof)
    conn_close (c, "done");
  /* libsoup keeps a kept-alive connection open after the client's FIN; between
   * exchanges one side's end has nothing left to wait for. */
  else if ((c->c_eof || c->u_eof) && conn_between_exchanges (c))
    conn_close (c, "done");
}

static void
proxy_accept (JzFaultProxy *self,
              gint64        now)
{
  for (;;)
    {
      int fd = accept4 (self->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

      if (fd < 0)
        {
          if (errno == EINTR || errno == ECONNABORTED)
            continue;
          return;
        }
      if (self->conns->len >= MAX_CONNS)
        {
          proxy_log (self, "too many connections, refusing one");
          set_linger_zero (fd);
          close (fd);
          continue;
        }
      g_ptr_array_add (self->conns, conn_new (self, fd, now));
    }
}

/* Commands */

static char *
proxy_set_mode (JzFaultProxy *self,
                const char   *name)
{
  JzFaultKind kind;

  if (g_strcmp0 (name, "pass") == 0)
    self->mode = MODE_PASS;
  else if (g_strcmp0 (name, "faults") == 0)
    self->mode = MODE_FAULTS;
  else if (g_strcmp0 (name, "blackhole") == 0)
    {
      /* A partition: connections that are open go dark too. */
      self->mode = MODE_PARTITION;
      for (guint i = 0; i < self->conns->len; i++)
        {
          Conn *c = g_ptr_array_index (self->conns, i);

          if (!c->black && !c->dead && !c->draining)
            {
              proxy_log (self, "conn %" G_GUINT64_FORMAT " blackhole", c->id);
              conn_blacken (c);
            }
        }
    }
  else if (jz_fault_kind_from_string (name, &kind) && kind != JZ_FAULT_NONE)
    {
      self->mode = MODE_FORCE;
      self->forced = kind;
    }
  else
    return g_strdup ("error mode must be pass, faults, blackhole, delay, slow, cut-request, "
                     "close-after-request, truncate-response or rst");
  proxy_log (self, "mode %s", name);
  return g_strdup ("ok");
}

static char *
proxy_run_command (JzFaultProxy *self,
                   const char   *line)
{
  g_auto(GStrv) words = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *copy = g_strdup (line);

  words = g_strsplit_set (g_strstrip (copy), " \t", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_ptr_array_add (argv, words[i]);
  g_ptr_array_add (argv, NULL);

  if (argv->len == 1)
    return g_strdup ("error empty command");
#define ARG(i) ((const char *) g_ptr_array_index (argv, (i)))
#define N_ARGS (argv->len - 1)
  if (g_str_equal (ARG (0), "ping") && N_ARGS == 1)
    return g_strdup ("ok");
  if (g_str_equal (ARG (0), "mode") && N_ARGS == 2)
    return proxy_set_mode (self, ARG (1));
  if (g_str_equal (ARG (0), "rate") && N_ARGS == 2)
    {
      char *end = NULL;
      double rate = g_ascii_strtod (ARG (1), &end);

      if (end == ARG (1) || *end != '\0' || !(rate >= 0.0 && rate <= 1.0))
        return g_strdup ("error the rate must be a number from 0.0 to 1.0");
      self->rate = rate;
      proxy_log (self, "rate %g", rate);
      return g_strdup ("ok");
    }
  if (g_str_equal (ARG (0), "reset") && N_ARGS == 1)
    {
      guint n = 0;

      for (guint i = 0; i < self->conns->len; i++)
        {
          Conn *c = g_ptr_array_index (self->conns, i);

          if (!c->dead)
            {
              conn_reset (c, "reset-command");
              n++;
            }
        }
      return g_strdup_printf ("ok %u", n);
    }
  if (g_str_equal (ARG (0), "stats") && N_ARGS == 1)
    return g_strdup_printf ("ok connections=%" G_GUINT64_FORMAT " open=%u exchanges=%" G_GUINT64_FORMAT
                            " faults=%" G_GUINT64_FORMAT,
                            self->n_conns, self->conns->len, self->n_exchanges, self->n_faults);
  if (g_str_equal (ARG (0), "quit") && N_ARGS == 1)
    {
      g_atomic_int_set (&self->stop, TRUE);
      return g_strdup ("ok");
    }
#undef ARG
#undef N_ARGS
  return g_strdup ("error unknown command; the commands are: mode MODE, rate R, reset, stats, ping, quit");
}

static void
proxy_run_commands (JzFaultProxy *self)
{
  Command *cmd;
  char buf[64];

  while (read (self->wake[0], buf, sizeof buf) > 0)
    ;
  g_mutex_lock (&self->mutex);
  while ((cmd = g_queue_pop_head (&self->commands)) != NULL)
    cmd->reply = proxy_run_command (self, cmd->line);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

static void
proxy_reap (JzFaultProxy *self)
{
  for (guint i = 0; i < self->conns->len;)
    {
      Conn *c = g_ptr_array_index (self->conns, i);

      if (c->dead)
        {
          g_ptr_array_remove_index (self->conns, i);
          conn_free (c);
        }
      else
        i++;
    }
}

static gpointer
proxy_thread (gpointer data)
{
  JzFaultProxy *self = data;
  g_autoptr(GArray) pfds = g_array_new (FALSE, FALSE, sizeof (struct pollfd));
  Command *cmd;

  while (!g_atomic_int_get (&self->stop))
    {
      gint64 now = g_get_monotonic_time ();
      gint64 deadline = now + G_USEC_PER_SEC;
      struct pollfd pfd = { 0 };
      int timeout_ms;
      guint n_conns;

      g_array_set_size (pfds, 0);
      pfd.fd = self->wake[0];
      pfd.events = POLLIN;
      g_array_append_val (pfds, pfd);
      pfd.fd = self->listen_fd;
      g_array_append_val (pfds, pfd);
      for (guint i = 0; i < self->conns->len; i++)
        conn_poll_setup (g_ptr_array_index (self->conns, i), pfds, &deadline);

      timeout_ms = deadline <= now ? 0 : (int) ((deadline - now + 999) / 1000);
      if (poll ((struct pollfd *) pfds->data, pfds->len, timeout_ms) < 0 && errno != EINTR)
        {
          proxy_log (self, "poll failed: %s", g_strerror (errno));
          break;
        }
      now = g_get_monotonic_time ();

      if (g_array_index (pfds, struct pollfd, 0).revents)
        proxy_run_commands (self);
      proxy_reap (self);
      if (g_atomic_int_get (&self->stop))
        break;

      n_conns = self->conns->len;
      if (g_array_index (pfds, struct pollfd, 1).revents)
        proxy_accept (self, now);
      for (guint i = 0; i < self->conns->len; i++)
        {
          Conn *c = g_ptr_array_index (self->conns, i);

          if (i >= n_conns)
            c->cpoll = c->upoll = -1;
          if (!c->dead)
            conn_handle (c, pfds, now);
        }
      proxy_reap (self);
    }

  for (guint i = 0; i < self->conns->len; i++)
    conn_close (g_ptr_array_index (self->conns, i), "stopped");
  proxy_reap (self);

  g_mutex_lock (&self->mutex);
  self->thread_done = TRUE;
  while ((cmd = g_queue_pop_head (&self->commands)) != NULL)
    cmd->reply = g_strdup ("error the proxy has stopped");
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  return NULL;
}

/* Overrides */

static void
jz_fault_proxy_finalize (GObject *object)
{
  JzFaultProxy *self = JZ_FAULT_PROXY (object);

  jz_fault_proxy_stop (self);
  close_fd (&self->listen_fd);
  close_fd (&self->wake[0]);
  close_fd (&self->wake[1]);
  g_clear_pointer (&self->conns, g_ptr_array_unref);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (jz_fault_proxy_parent_class)->finalize (object);
}

static void
jz_fault_proxy_class_init (JzFaultProxyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = jz_fault_proxy_finalize;
}

static void
jz_fault_proxy_init (JzFaultProxy *self)
{
  self->listen_fd = -1;
  self->wake[0] = self->wake[1] = -1;
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->conns = g_ptr_array_new ();
}

/* Public API */

void
jz_fault_proxy_options_init (JzFaultProxyOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->seed = 1;
  options->fault_rate = 0.0;
  options->fault_mask = JZ_FAULT_MASK_ALL;
  options->max_delay_ms = 200;
  options->bandwidth = 32768;
  options->idle_timeout_ms = 60000;
}

const char *
jz_fault_kind_to_string (JzFaultKind kind)
{
  g_return_val_if_fail (kind < JZ_FAULT_N_KINDS, NULL);

  return kind_names[kind];
}

gboolean
jz_fault_kind_from_string (const char  *name,
                           JzFaultKind *kind)
{
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < JZ_FAULT_N_KINDS; i++)
    if (g_str_equal (name, kind_names[i]))
      {
        if (kind != NULL)
          *kind = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
jz_fault_mask_parse (const char  *list,
                     guint       *mask,
                     GError     **error)
{
  g_auto(GStrv) names = NULL;
  guint m = 0;

  g_return_val_if_fail (list != NULL, FALSE);
  g_return_val_if_fail (mask != NULL, FALSE);

  names = g_strsplit (list, ",", -1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      JzFaultKind kind;
      char *name = g_strstrip (names[i]);

      if (*name == '\0')
        continue;
      if (!jz_fault_kind_from_string (name, &kind) || kind == JZ_FAULT_NONE)
        {
          g_set_error (error, JZ_FAULT_PROXY_ERROR, JZ_FAULT_PROXY_ERROR_INVALID,
                       "“%s” is not a fault; the faults are delay, slow, blackhole, cut-request, "
                       "close-after-request, truncate-response and rst", name);
          return FALSE;
        }
      m |= 1u << kind;
    }
  if (m == 0)
    {
      g_set_error (error, JZ_FAULT_PROXY_ERROR, JZ_FAULT_PROXY_ERROR_INVALID,
                   "The list of faults is empty; name at least one, e.g. “delay,rst”");
      return FALSE;
    }
  *mask = m;
  return TRUE;
}

JzFaultProxy *
jz_fault_proxy_new (const JzFaultProxyOptions  *options,
                    GError                    **error)
{
  g_autoptr(JzFaultProxy) self = NULL;
  struct sockaddr_in addr = { 0 };
  socklen_t addr_len = sizeof addr;
  int one = 1;

  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options->upstream_port == 0)
    {
      g_set_error (error, JZ_FAULT_PROXY_ERROR, JZ_FAULT_PROXY_ERROR_INVALID,
                   "The upstream port is missing; give the hub's port on 127.0.0.1");
      return NULL;
    }
  if (!(options->fault_rate >= 0.0 && options->fault_rate <= 1.0))
    {
      g_set_error (error, JZ_FAULT_PROXY_ERROR, JZ_FAULT_PROXY_ERROR_INVALID,
                   "The fault rate %g is outside 0.0 … 1.0", options->fault_rate);
      return NULL;
    }
  if ((options->fault_mask & JZ_FAULT_MASK_ALL) == 0)
    {
      g_set_error (error, JZ_FAULT_PROXY_ERROR, JZ_FAULT_PROXY_ERROR_INVALID,
                   "No fault is enabled; enable at least one");
      return NULL;
    }

  self = g_object_new (JZ_TYPE_FAULT_PROXY, NULL);
  self->opts = *options;
  self->opts.initial_mode = NULL;
  if (self->opts.idle_timeout_ms == 0)
    self->opts.idle_timeout_ms = 60000;
  self->rate = options->fault_rate;
  self->mode = MODE_FAULTS;
  for (guint k = 0; k < JZ_FAULT_N_KINDS; k++)
    if (options->fault_mask & JZ_FAULT_MASK_ALL & (1u << k))
      self->enabled[self->n_enabled++] = k;

  if (options->initial_mode != NULL)
    {
      g_autofree char *reply = proxy_set_mode (self, options->initial_mode);

      if (!g_str_equal (reply, "ok"))
        {
          g_set_error (error, JZ_FAULT_PROXY_ERROR, JZ_FAULT_PROXY_ERROR_INVALID,
                       "The mode “%s” is unknown: %s", options->initial_mode, reply + strlen ("error "));
          return NULL;
        }
    }

  if (!g_unix_open_pipe (self->wake, FD_CLOEXEC, error) ||
      !g_unix_set_fd_nonblocking (self->wake[0], TRUE, error) ||
      !g_unix_set_fd_nonblocking (self->wake[1], TRUE, error))
    return NULL;

  self->listen_fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (self->listen_fd < 0)
    {
      g_set_error (error, JZ_FAULT_PROXY_ERROR, JZ_FAULT_PROXY_ERROR_SOCKET,
                   "Could not create a socket: %s", g_strerror (errno));
      return NULL;
    }
  setsockopt (self->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  addr.sin_family = AF_INET;
  addr.sin_port = htons (options->listen_port);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (self->listen_fd, (struct sockaddr *) &addr, sizeof addr) < 0 ||
      listen (self->listen_fd, 128) < 0 ||
      getsockname (self->listen_fd, (struct sockaddr *) &addr, &addr_len) < 0)
    {
      g_set_error (error, JZ_FAULT_PROXY_ERROR, JZ_FAULT_PROXY_ERROR_SOCKET,
                   "Could not listen on 127.0.0.1:%u: %s; choose another port or 0 for any",
                   options->listen_port, g_strerror (errno));
      return NULL;
    }
  self->port = ntohs (addr.sin_port);

  self->thread = g_thread_new ("jz-fault-proxy", proxy_thread, self);
  return g_steal_pointer (&self);
}

guint16
jz_fault_proxy_get_port (JzFaultProxy *self)
{
  g_return_val_if_fail (JZ_IS_FAULT_PROXY (self), 0);

  return self->port;
}

/* Runs one control command on the proxy's thread and returns its reply
 * ("ok …" or "error …"); when it returns, the command is in effect. */
char *
jz_fault_proxy_command (JzFaultProxy *self,
                        const char   *line)
{
  Command cmd = { line, NULL };

  g_return_val_if_fail (JZ_IS_FAULT_PROXY (self), NULL);
  g_return_val_if_fail (line != NULL, NULL);

  g_mutex_lock (&self->mutex);
  if (self->thread_done)
    {
      g_mutex_unlock (&self->mutex);
      return g_strdup ("error the proxy has stopped");
    }
  g_queue_push_tail (&self->commands, &cmd);
  if (write (self->wake[1], "c", 1) < 0 && errno != EAGAIN)
    g_warning ("Could not wake the fault proxy: %s", g_strerror (errno));
  while (cmd.reply == NULL)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);
  return cmd.reply;
}

gboolean
jz_fault_proxy_is_stopped (JzFaultProxy *self)
{
  gboolean done;

  g_return_val_if_fail (JZ_IS_FAULT_PROXY (self), TRUE);

  g_mutex_lock (&self->mutex);
  done = self->thread_done;
  g_mutex_unlock (&self->mutex);
  return done;
}

/* Closes every connection and joins the thread. */
void
jz_fault_proxy_stop (JzFaultProxy *self)
{
  g_return_if_fail (JZ_IS_FAULT_PROXY (self));

  if (self->thread == NULL)
    return;
  g_atomic_int_set (&self->stop, TRUE);
  if (write (self->wake[1], "s", 1) < 0 && errno != EAGAIN)
    g_warning ("Could not wake the fault proxy: %s", g_strerror (errno));
  g_thread_join (g_steal_pointer (&self->thread));
}
