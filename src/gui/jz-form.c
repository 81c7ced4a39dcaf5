/* jz-form.c: what a printed form says, before it is laid out on paper
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-form"

#include "config.h"

#include "jz-form-private.h"

struct _JzForm
{
  GObject     parent_instance;

  char       *title;
  char       *station_name;
  char       *station_code;
  char       *number;
  char       *footer;
  GdkTexture *photo;
  double      photo_width_mm;
  double      photo_height_mm;
  GPtrArray  *blocks;
};

G_DEFINE_FINAL_TYPE (JzForm, jz_form, G_TYPE_OBJECT)

static void
field_free (gpointer data)
{
  JzFormField *field = data;

  g_free (field->label);
  g_free (field->value);
  g_free (field);
}

static void
block_free (gpointer data)
{
  JzFormBlock *block = data;

  g_free (block->heading);
  g_clear_pointer (&block->fields, g_ptr_array_unref);
  g_strfreev (block->headers);
  g_free (block->widths);
  g_clear_pointer (&block->rows, g_ptr_array_unref);
  g_free (block->text);
  g_free (block->name);
  g_free (block);
}

static JzFormBlock *
add_block (JzForm          *self,
           JzFormBlockKind  kind)
{
  JzFormBlock *block = g_new0 (JzFormBlock, 1);

  block->kind = kind;
  g_ptr_array_add (self->blocks, block);
  return block;
}

static JzFormBlock *
last_block_of_kind (JzForm          *self,
                    JzFormBlockKind  kind)
{
  for (guint i = self->blocks->len; i > 0; i--)
    {
      JzFormBlock *block = g_ptr_array_index (self->blocks, i - 1);

      if (block->kind == kind)
        return block;
    }
  return NULL;
}

static void
jz_form_finalize (GObject *object)
{
  JzForm *self = JZ_FORM (object);

  g_free (self->title);
  g_free (self->station_name);
  g_free (self->station_code);
  g_free (self->number);
  g_free (self->footer);
  g_clear_object (&self->photo);
  g_ptr_array_unref (self->blocks);

  G_OBJECT_CLASS (jz_form_parent_class)->finalize (object);
}

static void
jz_form_class_init (JzFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = jz_form_finalize;
}

static void
jz_form_init (JzForm *self)
{
  self->blocks = g_ptr_array_new_with_free_func (block_free);
}

JzForm *
jz_form_new (const char *title)
{
  JzForm *self;

  g_return_val_if_fail (title != NULL, NULL);

  self = g_object_new (JZ_TYPE_FORM, NULL);
  self->title = g_strdup (title);
  return self;
}

const char *
jz_form_get_title (JzForm *self)
{
  g_return_val_if_fail (JZ_IS_FORM (self), NULL);
  return self->title;
}

void
jz_form_set_station (JzForm     *self,
                     const char *name,
                     const char *code)
{
  g_return_if_fail (JZ_IS_FORM (self));

  g_free (self->station_name);
  self->station_name = g_strdup (name);
  g_free (self->station_code);
  self->station_code = g_strdup (code);
}

const char *
jz_form_get_station_name (JzForm *self)
{
  g_return_val_if_fail (JZ_IS_FORM (self), NULL);
  return self->station_name;
}

const char *
jz_form_get_station_code (JzForm *self)
{
  g_return_val_if_fail (JZ_IS_FORM (self), NULL);
  return self->station_code;
}

void
jz_form_set_number (JzForm     *self,
                    const char *number)
{
  g_return_if_fail (JZ_IS_FORM (self));

  g_free (self->number);
  self->number = g_strdup (number);
}

const char *
jz_form_get_number (JzForm *self)
{
  g_return_val_if_fail (JZ_IS_FORM (self), NULL);
  return self->number;
}

void
jz_form_set_footer (JzForm     *self,
                    const char *footer)
{
  g_return_if_fail (JZ_IS_FORM (self));

  g_free (self->footer);
  self->footer = g_strdup (footer);
}

const char *
jz_form_get_footer (JzForm *self)
{
  g_return_val_if_fail (JZ_IS_FORM (self), NULL);
  return self->footer;
}

void
jz_form_set_photo (JzForm     *self,
                   GdkTexture *texture)
{
  g_return_if_fail (JZ_IS_FORM (self));
  g_return_if_fail (texture == NULL || GDK_IS_TEXTURE (texture));

  g_set_object (&self->photo, texture);
  /* An ID photo's frame (2 inch, 35 × 45 mm) unless a size was chosen. */
  if (texture != NULL && self->photo_width_mm <= 0)
    jz_form_set_photo_box (self, 35, 45);
}

gboolean
jz_form_set_photo_file (JzForm      *self,
                        const char  *path,
                        GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (JZ_IS_FORM (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  file = g_file_new_for_path (path);
  texture = gdk_texture_new_from_file (file, &local_error);
  if (texture == NULL)
    {
      g_set_error (error, local_error->domain, local_error->code,
                   "The photo %s cannot be read (%s); choose a PNG or JPEG file",
                   path, local_error->message);
      return FALSE;
    }
  jz_form_set_photo (self, texture);
  return TRUE;
}

GdkTexture *
jz_form_get_photo (JzForm *self)
{
  g_return_val_if_fail (JZ_IS_FORM (self), NULL);
  return self->photo;
}

void
jz_form_set_photo_box (JzForm *self,
                       double  width_mm,
                       double  height_mm)
{
  g_return_if_fail (JZ_IS_FORM (self));
  g_return_if_fail (width_mm >= 0 && width_mm <= 120);
  g_return_if_fail (height_mm >= 0 && height_mm <= 160);

  self->photo_width_mm = width_mm;
  self->photo_height_mm = height_mm;
}

gboolean
jz_form_get_photo_box_size (JzForm *self,
                            double *width_mm,
                            double *height_mm)
{
  *width_mm = self->photo_width_mm;
  *height_mm = self->photo_height_mm;
  return self->photo_width_mm > 0 && self->photo_height_mm > 0;
}

GPtrArray *
jz_form_get_blocks (JzForm *self)
{
  return self->blocks;
}

void
jz_form_add_section (JzForm     *self,
                     const char *heading,
                     guint       n_columns)
{
  JzFormBlock *block;

  g_return_if_fail (JZ_IS_FORM (self));
  g_return_if_fail (n_columns >= 1 && n_columns <= 3);

  block = add_block (self, JZ_FORM_BLOCK_SECTION);
  block->heading = g_strdup (heading);
  block->n_columns = n_columns;
  block->fields = g_ptr_array_new_with_free_func (field_free);
}

static void
add_field (JzForm     *self,
           const char *label,
           const char *value,
           gboolean    wide)
{
  JzFormBlock *block;
  JzFormField *field;

  g_return_if_fail (JZ_IS_FORM (self));
  g_return_if_fail (label != NULL);

  block = last_block_of_kind (self, JZ_FORM_BLOCK_SECTION);
  if (block == NULL)
    {
      jz_form_add_section (self, NULL, 1);
      block = last_block_of_kind (self, JZ_FORM_BLOCK_SECTION);
    }
  field = g_new0 (JzFormField, 1);
  field->label = g_strdup (label);
  field->value = g_strdup (value != NULL ? value : "");
  field->wide = wide;
  g_ptr_array_add (block->fields, field);
}

void
jz_form_add_field (JzForm     *self,
                   const char *label,
                   const char *value)
{
  add_field (self, label, value, FALSE);
}

void
jz_form_add_wide_field (JzForm     *self,
                        const char *label,
                        const char *value)
{
  add_field (self, label, value, TRUE);
}

void
jz_form_add_table (JzForm             *self,
                   const char         *heading,
                   const char * const *headers,
                   const double       *widths)
{
  JzFormBlock *block;
  guint n;
  double sum = 0;

  g_return_if_fail (JZ_IS_FORM (self));
  g_return_if_fail (headers != NULL && headers[0] != NULL);

  n = g_strv_length ((char **) headers);
  block = add_block (self, JZ_FORM_BLOCK_TABLE);
  block->heading = g_strdup (heading);
  block->n_columns = n;
  block->headers = g_strdupv ((char **) headers);
  block->widths = g_new0 (double, n);
  block->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  for (guint i = 0; i < n; i++)
    sum += widths != NULL && widths[i] > 0 ? widths[i] : 1;
  for (guint i = 0; i < n; i++)
    block->widths[i] = (widths != NULL && widths[i] > 0 ? widths[i] : 1) / sum;
}

void
jz_form_add_table_row (JzForm             *self,
                       const char * const *cells)
{
  JzFormBlock *block;
  char **row;
  guint i = 0;

  g_return_if_fail (JZ_IS_FORM (self));

  block = last_block_of_kind (self, JZ_FORM_BLOCK_TABLE);
  g_return_if_fail (block != NULL);

  /* Missing cells print empty; extra cells are a programming error. */
  row = g_new0 (char *, block->n_columns + 1);
  for (; cells != NULL && cells[i] != NULL && i < block->n_columns; i++)
    row[i] = g_strdup (cells[i]);
  g_warn_if_fail (cells == NULL || cells[i] == NULL);
  for (; i < block->n_columns; i++)
    row[i] = g_strdup ("");
  g_ptr_array_add (block->rows, row);
}

void
jz_form_add_text (JzForm          *self,
                  JzFormTextStyle  style,
                  const char      *text)
{
  JzFormBlock *block;

  g_return_if_fail (JZ_IS_FORM (self));
  g_return_if_fail (text != NULL);

  block = add_block (self, JZ_FORM_BLOCK_TEXT);
  block->style = style;
  block->text = g_strdup (text);
}

void
jz_form_add_space (JzForm *self,
                   double  mm)
{
  JzFormBlock *block;

  g_return_if_fail (JZ_IS_FORM (self));
  g_return_if_fail (mm >= 0);

  block = add_block (self, JZ_FORM_BLOCK_SPACE);
  block->mm = mm;
}

void
jz_form_add_signature (JzForm     *self,
                       const char *role,
                       const char *name)
{
  JzFormBlock *block;

  g_return_if_fail (JZ_IS_FORM (self));
  g_return_if_fail (role != NULL);

  block = add_block (self, JZ_FORM_BLOCK_SIGNATURE);
  block->text = g_strdup (role);
  block->name = g_strdup (name);
}
