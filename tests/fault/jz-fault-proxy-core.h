/* jz-fault-proxy-core.h: a seeded, reproducible HTTP/1.1 fault proxy on 127.0.0.1
 *
 * The chaos tests put it between a station's sync client and jiuzhu-hub.
 * It runs one thread of its own; tests may embed it or run the
 * jz-fault-proxy program (tests/jz-fault-proxy.c) that wraps it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* What may happen to one HTTP exchange (a request and its response).
 * The order is part of the schedule: the seeded draw picks the n-th kind
 * enabled in the mask, so do not reorder. */
typedef enum
{
  JZ_FAULT_NONE,
  JZ_FAULT_DELAY,               /* each chunk of the exchange held delay-ms, both ways */
  JZ_FAULT_SLOW,                /* the exchange limited to the bandwidth, both ways */
  JZ_FAULT_BLACKHOLE,           /* from this request on, nothing passes; upstream closed */
  JZ_FAULT_CUT_REQUEST,         /* forward N < total request bytes, then close both sides */
  JZ_FAULT_CLOSE_AFTER_REQUEST, /* forward the whole request, drop the reply, close */
  JZ_FAULT_TRUNCATE_RESPONSE,   /* forward N < total reply bytes, then close */
  JZ_FAULT_RST,                 /* reset both sides during the request, after it, or mid-reply */
  JZ_FAULT_N_KINDS
} JzFaultKind;

#define JZ_FAULT_MASK_ALL (((1u << JZ_FAULT_N_KINDS) - 1) & ~(1u << JZ_FAULT_NONE))

#define JZ_FAULT_PROXY_ERROR (jz_fault_proxy_error_quark ())
GQuark jz_fault_proxy_error_quark (void);

typedef enum
{
  JZ_FAULT_PROXY_ERROR_INVALID,
  JZ_FAULT_PROXY_ERROR_SOCKET,
} JzFaultProxyError;

/* Called on the proxy's thread with one line, no newline, never payload bytes. */
typedef void (*JzFaultProxyLogFunc) (const char *line,
                                     gpointer    user_data);

typedef struct
{
  guint16              listen_port;     /* on 127.0.0.1; 0 picks a free one */
  guint16              upstream_port;   /* on 127.0.0.1 */
  guint64              seed;
  double               fault_rate;      /* 0.0 … 1.0, for the mode "faults" */
  guint                fault_mask;      /* 1 << JzFaultKind for each kind the schedule may draw */
  guint                max_delay_ms;    /* the delay fault draws 1 … max */
  guint                bandwidth;       /* bytes per second for the slow fault */
  guint                idle_timeout_ms; /* a connection with no traffic for this long is closed */
  gboolean             schedule_by_request; /* key the draws by the proxy-wide request number
                                             * instead of (connection, request on it) */
  const char          *initial_mode;    /* as for the command "mode"; NULL means "faults" */
  JzFaultProxyLogFunc  log_func;        /* NULL writes to stderr */
  gpointer             log_data;
} JzFaultProxyOptions;

#define JZ_TYPE_FAULT_PROXY (jz_fault_proxy_get_type ())
G_DECLARE_FINAL_TYPE (JzFaultProxy, jz_fault_proxy, JZ, FAULT_PROXY, GObject)

void          jz_fault_proxy_options_init (JzFaultProxyOptions       *options);
JzFaultProxy *jz_fault_proxy_new          (const JzFaultProxyOptions *options,
                                           GError                   **error);
guint16       jz_fault_proxy_get_port     (JzFaultProxy              *self);
char         *jz_fault_proxy_command      (JzFaultProxy              *self,
                                           const char                *line);
void          jz_fault_proxy_stop         (JzFaultProxy              *self);
gboolean      jz_fault_proxy_is_stopped   (JzFaultProxy              *self);

const char   *jz_fault_kind_to_string     (JzFaultKind                kind);
gboolean      jz_fault_kind_from_string   (const char                *name,
                                           JzFaultKind               *kind);
gboolean      jz_fault_mask_parse         (const char                *list,
                                           guint                     *mask,
                                           GError                   **error);

G_END_DECLS
