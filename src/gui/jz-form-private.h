/* jz-form-private.h: the blocks of a JzForm, shared by the renderer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jz-form.h"

G_BEGIN_DECLS

typedef enum
{
  JZ_FORM_BLOCK_SECTION,
  JZ_FORM_BLOCK_TABLE,
  JZ_FORM_BLOCK_TEXT,
  JZ_FORM_BLOCK_SPACE,
  JZ_FORM_BLOCK_SIGNATURE,
} JzFormBlockKind;

typedef struct
{
  char     *label;
  char     *value;
  gboolean  wide;
} JzFormField;

typedef struct
{
  JzFormBlockKind  kind;
  char            *heading;   /* section, table */
  guint            n_columns; /* section: pairs per row; table: columns */
  GPtrArray       *fields;    /* section: JzFormField */
  char           **headers;   /* table */
  double          *widths;    /* table: n_columns fractions summing to 1 */
  GPtrArray       *rows;      /* table: char** of n_columns each */
  JzFormTextStyle  style;     /* text */
  char            *text;      /* text; signature: role */
  char            *name;      /* signature */
  double           mm;        /* space */
} JzFormBlock;

/* Borrowed: valid until the form changes or is finalized. */
GPtrArray *jz_form_get_blocks         (JzForm *self);
gboolean   jz_form_get_photo_box_size (JzForm *self,
                                       double *width_mm,
                                       double *height_mm);

G_END_DECLS
