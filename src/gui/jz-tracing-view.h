/* jz-tracing-view.h: the family tracing area (寻亲)
 *
 * Everyone in the station whose identity is not verified, with their
 * tracing steps and deadlines (24-hour notice, DNA request within 7
 * working days, DNA result within a month), what is overdue first. A step
 * is recorded in two clicks: the method, then the result. The tracing
 * notice (寻亲公告) prints from here; a minor's only after the worker
 * confirms it serves finding the child.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-store.h"

G_BEGIN_DECLS

#define JZ_TYPE_TRACING_VIEW (jz_tracing_view_get_type ())
G_DECLARE_FINAL_TYPE (JzTracingView, jz_tracing_view, JZ, TRACING_VIEW, GtkWidget)

GtkWidget  *jz_tracing_view_new          (void);
JzStore    *jz_tracing_view_get_store    (JzTracingView *self);
void        jz_tracing_view_set_store    (JzTracingView *self,
                                          JzStore       *store);
/* Reads the store again now (it also does so when the store changes). */
void        jz_tracing_view_reload       (JzTracingView *self);
guint       jz_tracing_view_get_n_people (JzTracingView *self);
/* The @index-th row (most urgent first); it carries "episode-id",
 * "person-id" and "deadlines" (the deadline texts shown) as object data,
 * and "record-button" (the GtkMenuButton of “Record step”). */
GtkWidget  *jz_tracing_view_get_row      (JzTracingView *self,
                                          guint          index);
/* What the two clicks do: records @method with @result (may be NULL) for
 * @episode_id; @found marks the family found and the identity verified.
 * Shows a toast with Undo. */
gboolean    jz_tracing_view_record_step  (JzTracingView *self,
                                          const char    *episode_id,
                                          const char    *method,
                                          const char    *result,
                                          gboolean       found,
                                          GError       **error);

G_END_DECLS
