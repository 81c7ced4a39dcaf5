/* jz-core.h: libjiuzhu-core set-up
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

void jz_core_init         (void);

/* SQLite's process-wide settings, before its first use in the process
 * (every store and hub store calls it before opening). */
void jz_sqlite_configure  (void);

/* Appends @v in decimal, as printf's "%" G_GINT64_FORMAT writes it,
 * without printf's cost: for paths that run per row or per change (the
 * audit log's JSON, the hub's field tags). */
void jz_string_append_int (GString *s,
                           gint64   v);

/* g_string_append_len() inline, for the same paths: GLib 2.74 has it as
 * a call that checks its arguments and may insert anywhere (about 70
 * instructions; this is a copy when the string has room). */
static inline void
jz_string_append_len (GString    *s,
                      const char *text,
                      gsize       len)
{
  if (G_LIKELY (s->len + len < s->allocated_len))
    {
      memcpy (s->str + s->len, text, len);
      s->len += len;
      s->str[s->len] = '\0';
    }
  else
    g_string_append_len (s, text, (gssize) len);
}

/* A string literal, with its length known at compile time. */
#define jz_string_append_literal(s, literal) \
  jz_string_append_len ((s), "" literal, sizeof (literal) - 1)

G_END_DECLS
