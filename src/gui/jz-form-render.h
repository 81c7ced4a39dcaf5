/* jz-form-render.h: a JzForm laid out on A4 pages
 *
 * The layout is made once, in points (1/72 inch), with its own Pango
 * context (72 dpi, no hinted metrics), so that a PDF, a printer and a PNG
 * preview break pages at the same places. Text uses Noto Sans/Serif CJK SC
 * (Debian's fonts-noto-cjk).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "jz-form.h"

G_BEGIN_DECLS

/* A4 in points. */
#define JZ_FORM_PAGE_WIDTH  (210.0 / 25.4 * 72.0)
#define JZ_FORM_PAGE_HEIGHT (297.0 / 25.4 * 72.0)

#define JZ_TYPE_FORM_RENDER (jz_form_render_get_type ())
G_DECLARE_FINAL_TYPE (JzFormRender, jz_form_render, JZ, FORM_RENDER, GObject)

/* Lays @form out; later changes to @form are not seen. */
JzFormRender *jz_form_render_new          (JzForm        *form);
guint         jz_form_render_get_n_pages  (JzFormRender  *self);
/* Draws page @page (from 0) with the sheet's top left corner at the
 * origin of @cr, in points. */
void          jz_form_render_draw_page    (JzFormRender  *self,
                                           cairo_t       *cr,
                                           guint          page);
/* A preview of one page as a PNG, @dpi pixels per inch on white. */
gboolean      jz_form_render_save_png     (JzFormRender  *self,
                                           guint          page,
                                           double         dpi,
                                           const char    *path,
                                           GError       **error);

G_END_DECLS
