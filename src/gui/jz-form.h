/* jz-form.h: what a printed form says, before it is laid out on paper
 *
 * A JzForm is a flat list of blocks (sections of label/value rows, tables,
 * text, signature lines) plus a page frame (station, document number,
 * footer) and an optional photo. jz-form-render.h lays it out on A4 pages;
 * jz-forms.h builds the station's official forms from plain structs.
 *
 * All text is shown as given: callers translate labels with _() before
 * adding them, so the printed form follows the UI language.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  JZ_FORM_TEXT_BODY,     /* paragraph, first line indented by two characters */
  JZ_FORM_TEXT_PLAIN,    /* paragraph without indent */
  JZ_FORM_TEXT_CENTER,
  JZ_FORM_TEXT_RIGHT,    /* e.g. the issuing station and date under a notice */
  JZ_FORM_TEXT_NOTE,     /* small print */
  JZ_FORM_TEXT_EMPHASIS, /* larger, bold: the salutation or a notice's key line */
} JzFormTextStyle;

#define JZ_TYPE_FORM (jz_form_get_type ())
G_DECLARE_FINAL_TYPE (JzForm, jz_form, JZ, FORM, GObject)

JzForm     *jz_form_new                (const char          *title);

const char *jz_form_get_title          (JzForm              *self);
void        jz_form_set_station        (JzForm              *self,
                                        const char          *name,
                                        const char          *code);
const char *jz_form_get_station_name   (JzForm              *self);
const char *jz_form_get_station_code   (JzForm              *self);
void        jz_form_set_number         (JzForm              *self,
                                        const char          *number);
const char *jz_form_get_number         (JzForm              *self);
void        jz_form_set_footer         (JzForm              *self,
                                        const char          *footer);
const char *jz_form_get_footer         (JzForm              *self);

/* The photo sits at the right of the first section's rows; with no photo
 * and a photo box, an empty frame is printed to glue one in. */
void        jz_form_set_photo          (JzForm              *self,
                                        GdkTexture          *texture);
gboolean    jz_form_set_photo_file     (JzForm              *self,
                                        const char          *path,
                                        GError             **error);
GdkTexture *jz_form_get_photo          (JzForm              *self);
void        jz_form_set_photo_box      (JzForm              *self,
                                        double               width_mm,
                                        double               height_mm);

/* A section: an optional heading and a ruled grid of label/value rows with
 * @n_columns label/value pairs side by side (1–3). Fields go into the last
 * section added. A NULL or empty value prints an empty cell to write in. */
void        jz_form_add_section        (JzForm              *self,
                                        const char          *heading,
                                        guint                n_columns);
void        jz_form_add_field          (JzForm              *self,
                                        const char          *label,
                                        const char          *value);
/* A field that takes the whole row, for long text such as an address. */
void        jz_form_add_wide_field     (JzForm              *self,
                                        const char          *label,
                                        const char          *value);

/* A ruled table; @widths are relative column widths (NULL: equal). Rows go
 * into the last table added; on a page break the header row is repeated. */
void        jz_form_add_table          (JzForm              *self,
                                        const char          *heading,
                                        const char * const  *headers,
                                        const double        *widths);
void        jz_form_add_table_row      (JzForm              *self,
                                        const char * const  *cells);

void        jz_form_add_text           (JzForm              *self,
                                        JzFormTextStyle      style,
                                        const char          *text);
void        jz_form_add_space          (JzForm              *self,
                                        double               mm);

/* A signature line: @role (“Signature of the person helped”), an optional
 * printed @name above the line, and a date line. Consecutive signatures
 * are laid out two per row. */
void        jz_form_add_signature      (JzForm              *self,
                                        const char          *role,
                                        const char          *name);

G_END_DECLS
