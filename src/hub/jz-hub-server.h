/* jz-hub-server.h: jiuzhu-hub's HTTP(S) front (libsoup-3.0)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "jz-hub-store.h"

G_BEGIN_DECLS

typedef struct
{
  gsize   max_body;        /* bytes on the wire */
  gsize   max_inflated;    /* bytes after gzip */
  gsize   max_blob;
  double  rate;            /* requests per second per device (or address) */
  double  burst;
  gboolean quiet;          /* no per-request log line */
} JzHubLimits;

#define JZ_TYPE_HUB_SERVER (jz_hub_server_get_type ())
G_DECLARE_FINAL_TYPE (JzHubServer, jz_hub_server, JZ, HUB_SERVER, GObject)

void          jz_hub_limits_init_default (JzHubLimits       *limits);

JzHubServer  *jz_hub_server_new          (JzHubStore        *store,
                                          GTlsCertificate   *certificate,
                                          const JzHubLimits *limits);
gboolean      jz_hub_server_listen       (JzHubServer       *self,
                                          const char        *address,
                                          GError           **error);
char         *jz_hub_server_get_url      (JzHubServer       *self);
void          jz_hub_server_disconnect   (JzHubServer       *self);

/* "sha256//BASE64" of the certificate's public key (SubjectPublicKeyInfo),
 * the form curl pins. NULL with an error when the DER cannot be read. */
char         *jz_hub_certificate_pin     (GTlsCertificate   *certificate,
                                          GError           **error);

G_END_DECLS
