/* jz-form-render.c: a JzForm laid out on A4 pages
 *
 * Layout turns the form's blocks into "pieces": strips of the content
 * width that never break across pages (a ruled row, a line of text, a pair
 * of signature lines), each holding a small display list. Pagination then
 * stacks pieces onto pages, keeping headings with what follows and
 * repeating a table's header row on each page it continues on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-form"

#include "config.h"

#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "jz-form-private.h"
#include "jz-form-render.h"

#define MM (72.0 / 25.4)

#define MARGIN_TOP    (14 * MM)
#define MARGIN_BOTTOM (14 * MM)
#define MARGIN_SIDE   (20 * MM)
#define CONTENT_WIDTH (JZ_FORM_PAGE_WIDTH - 2 * MARGIN_SIDE)

#define CELL_PAD_X    (1.8 * MM)
#define CELL_PAD_Y    (1.2 * MM)
/* Room to write by hand in an empty cell. */
#define MIN_ROW       (7 * MM)
#define RULE_WIDTH    0.6
#define LABEL_SHADE   0.93
#define HEADER_SHADE  0.86

#define SANS  "Noto Sans CJK SC, Noto Sans, sans-serif"
#define SERIF "Noto Serif CJK SC, Noto Serif, serif"

typedef enum
{
  FONT_BODY,
  FONT_LABEL,
  FONT_HEADING,
  FONT_TABLE,
  FONT_TABLE_HEADER,
  FONT_PROSE,
  FONT_EMPHASIS,
  FONT_NOTE,
  FONT_TITLE,
  FONT_TITLE_SMALL,
  FONT_FRAME,
  N_FONTS
} Font;

static const char * const font_specs[N_FONTS] = {
  [FONT_BODY] = SANS " 10",
  [FONT_LABEL] = SANS " 9.5",
  [FONT_HEADING] = SANS " Bold 11",
  [FONT_TABLE] = SANS " 9.5",
  [FONT_TABLE_HEADER] = SANS " Bold 9.5",
  [FONT_PROSE] = SERIF " 11.5",
  [FONT_EMPHASIS] = SERIF " Bold 13",
  [FONT_NOTE] = SANS " 8.5",
  [FONT_TITLE] = SERIF " Bold 20",
  [FONT_TITLE_SMALL] = SANS " Bold 11",
  [FONT_FRAME] = SANS " 8.5",
};

typedef enum
{
  OP_BOX,
  OP_TEXT,
  OP_TEXT_LINE,
  OP_RULE,
  OP_IMAGE,
} OpKind;

typedef struct
{
  OpKind       kind;
  double       x, y, w, h;  /* rule: from (x, y) to (x + w, y + h) */
  double       shade;       /* box fill grey level, < 0 for none */
  double       grey;        /* text colour */
  PangoLayout *layout;      /* text, text line */
  int          line;        /* text line: index in layout */
} Op;

typedef struct _Piece Piece;
struct _Piece
{
  double   height;
  GArray  *ops;
  gboolean keep_with_next;
  /* Blank space that is dropped at the top of a page. */
  gboolean discardable;
  /* For a table's rows: the header row to repeat on a new page. */
  Piece   *table_header;
};

typedef struct
{
  Piece  *piece;
  double  y;
} Placement;

struct _JzFormRender
{
  GObject                parent_instance;

  JzForm                *form;
  PangoContext          *context;
  PangoFontDescription  *fonts[N_FONTS];
  cairo_surface_t       *photo;
  GPtrArray             *pieces;  /* Piece, in order */
  GPtrArray             *pages;   /* GArray of Placement */
  double                 first_top;
  double                 next_top;
  double                 bottom;
  double                 label_width[4];  /* by number of columns */
};

G_DEFINE_FINAL_TYPE (JzFormRender, jz_form_render, G_TYPE_OBJECT)

static void
op_clear (gpointer data)
{
  Op *op = data;

  g_clear_object (&op->layout);
}

static Piece *
piece_new (JzFormRender *self)
{
  Piece *piece = g_new0 (Piece, 1);

  piece->ops = g_array_new (FALSE, TRUE, sizeof (Op));
  g_array_set_clear_func (piece->ops, op_clear);
  g_ptr_array_add (self->pieces, piece);
  return piece;
}

static void
piece_free (gpointer data)
{
  Piece *piece = data;

  g_array_unref (piece->ops);
  g_free (piece);
}

static void
add_space (JzFormRender *self,
           double        height)
{
  Piece *piece = piece_new (self);

  piece->height = height;
  piece->discardable = TRUE;
}

static PangoLayout *
make_layout (JzFormRender   *self,
             Font            font,
             const char     *text,
             double          width,
             PangoAlignment  alignment)
{
  PangoLayout *layout = pango_layout_new (self->context);

  pango_layout_set_font_description (layout, self->fonts[font]);
  pango_layout_set_text (layout, text != NULL ? text : "", -1);
  if (width > 0)
    {
      pango_layout_set_width (layout, pango_units_from_double (width));
      /* Chinese breaks between any characters; long Latin words and ID
       * numbers break inside when they must. */
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    }
  pango_layout_set_alignment (layout, alignment);
  return layout;
}

static double
layout_height (PangoLayout *layout)
{
  int width, height;

  pango_layout_get_size (layout, &width, &height);
  return pango_units_to_double (height);
}

static double
layout_width (PangoLayout *layout)
{
  int width, height;

  pango_layout_get_size (layout, &width, &height);
  return pango_units_to_double (width);
}

static void
add_op (Piece *piece,
        Op    *op)
{
  if (op->layout != NULL)
    g_object_ref (op->layout);
  g_array_append_val (piece->ops, *op);
}

static void
add_box (Piece  *piece,
         double  x,
         double  y,
         double  w,
         double  h,
         double  shade)
{
  add_op (piece, &(Op) { .kind = OP_BOX, .x = x, .y = y, .w = w, .h = h, .shade = shade });
}

static void
add_text (Piece       *piece,
          double       x,
          double       y,
          PangoLayout *layout,
          double       grey)
{
  add_op (piece, &(Op) { .kind = OP_TEXT, .x = x, .y = y, .layout = layout, .grey = grey });
}

static void
add_rule (Piece  *piece,
          double  x,
          double  y,
          double  w)
{
  add_op (piece, &(Op) { .kind = OP_RULE, .x = x, .y = y, .w = w, .h = 0 });
}

static Piece *
add_heading (JzFormRender *self,
             const char   *heading)
{
  g_autoptr(PangoLayout) layout = make_layout (self, FONT_HEADING, heading, CONTENT_WIDTH,
                                               PANGO_ALIGN_LEFT);
  Piece *piece = piece_new (self);

  add_text (piece, 0, 0, layout, 0);
  piece->height = layout_height (layout) + 1.5 * MM;
  piece->keep_with_next = TRUE;
  return piece;
}

/* One ruled cell of a row, before the row's height is known. */
typedef struct
{
  double       x, w;
  PangoLayout *layout;
  double       shade;
  gboolean     center;
} Cell;

static void
cell_clear (gpointer data)
{
  Cell *cell = data;

  g_clear_object (&cell->layout);
}

static GArray *
cells_new (void)
{
  GArray *cells = g_array_new (FALSE, TRUE, sizeof (Cell));

  g_array_set_clear_func (cells, cell_clear);
  return cells;
}

static void
cells_add (JzFormRender *self,
           GArray       *cells,
           Font          font,
           const char   *text,
           double        x,
           double        w,
           double        shade,
           gboolean      center)
{
  Cell cell = {
    .x = x,
    .w = w,
    .shade = shade,
    .center = center,
    .layout = make_layout (self, font, text, w - 2 * CELL_PAD_X,
                           center ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT),
  };

  g_array_append_val (cells, cell);
}

static double
cells_height (GArray *cells)
{
  double height = MIN_ROW;

  for (guint i = 0; i < cells->len; i++)
    height = MAX (height, layout_height (g_array_index (cells, Cell, i).layout) + 2 * CELL_PAD_Y);
  return height;
}

/* Text is centred vertically, as on a ruled paper form. */
static void
cells_emit (GArray *cells,
            Piece  *piece,
            double  y,
            double  height)
{
  for (guint i = 0; i < cells->len; i++)
    {
      Cell *cell = &g_array_index (cells, Cell, i);

      add_box (piece, cell->x, y, cell->w, height, cell->shade);
      add_text (piece, cell->x + CELL_PAD_X, y + (height - layout_height (cell->layout)) / 2,
                cell->layout, 0);
    }
}

/* One label column width for all sections with the same number of columns,
 * so that their grids line up. */
static void
measure_labels (JzFormRender *self)
{
  GPtrArray *blocks = jz_form_get_blocks (self->form);
  double widest[4] = { 0, 0, 0, 0 };

  for (guint i = 0; i < blocks->len; i++)
    {
      JzFormBlock *block = g_ptr_array_index (blocks, i);

      if (block->kind != JZ_FORM_BLOCK_SECTION)
        continue;
      for (guint j = 0; j < block->fields->len; j++)
        {
          JzFormField *field = g_ptr_array_index (block->fields, j);
          g_autoptr(PangoLayout) layout = make_layout (self, FONT_LABEL, field->label, -1,
                                                       PANGO_ALIGN_LEFT);

          widest[block->n_columns] = MAX (widest[block->n_columns], layout_width (layout));
        }
    }
  for (guint n = 1; n <= 3; n++)
    {
      double pair_width = CONTENT_WIDTH / n;

      /* Long labels wrap rather than squeeze the value. */
      self->label_width[n] = CLAMP (widest[n] + 2 * CELL_PAD_X, 14 * MM,
                                    pair_width * (n == 1 ? 0.3 : 0.45));
    }
}

/* The rows of a section: each a start index and a count of fields. */
static GArray *
section_rows (JzFormBlock *block)
{
  GArray *rows = g_array_new (FALSE, FALSE, sizeof (guint) * 2);
  guint i = 0;

  while (i < block->fields->len)
    {
      guint row[2] = { i, 0 };

      if (((JzFormField *) g_ptr_array_index (block->fields, i))->wide)
        row[1] = 1;
      else
        while (row[1] < block->n_columns && i + row[1] < block->fields->len
               && !((JzFormField *) g_ptr_array_index (block->fields, i + row[1]))->wide)
          row[1]++;
      g_array_append_vals (rows, row, 1);
      i += row[1];
    }
  return rows;
}

static GArray *
section_row_cells (JzFormRender *self,
                   JzFormBlock  *block,
                   guint         start,
                   guint         count,
                   double        grid_width,
                   double        label_w)
{
  GArray *cells = cells_new ();
  double pair_width = grid_width / block->n_columns;

  for (guint k = 0; k < count; k++)
    {
      JzFormField *field = g_ptr_array_index (block->fields, start + k);
      double x = k * pair_width;
      /* The last field of a short row takes the rest of it. */
      double end = k + 1 == count ? grid_width : x + pair_width;

      cells_add (self, cells, FONT_LABEL, field->label, x, label_w, LABEL_SHADE, FALSE);
      cells_add (self, cells, FONT_BODY, field->value, x + label_w, end - x - label_w, -1, FALSE);
    }
  return cells;
}

static void
draw_photo_cell (JzFormRender *self,
                 Piece        *piece,
                 double        x,
                 double        w,
                 double        h,
                 double        photo_h)
{
  add_box (piece, x, 0, w, h, -1);
  if (self->photo != NULL)
    {
      double inset = 1.5;

      add_op (piece, &(Op) { .kind = OP_IMAGE, .x = x + inset, .y = (h - photo_h) / 2 + inset,
                             .w = w - 2 * inset, .h = photo_h - 2 * inset });
    }
  else
    {
      g_autoptr(PangoLayout) layout = make_layout (self, FONT_NOTE,
                                                   _("Photo"), w, PANGO_ALIGN_CENTER);

      add_text (piece, x, (h - layout_height (layout)) / 2, layout, 0.5);
    }
}

static void
layout_section (JzFormRender *self,
                JzFormBlock  *block,
                gboolean      with_photo)
{
  g_autoptr(GArray) rows = section_rows (block);
  g_autoptr(GPtrArray) beside = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  double photo_w = 0, photo_h = 0, beside_height = 0, label_w;
  guint r = 0;

  if (block->heading != NULL && *block->heading != '\0')
    add_heading (self, block->heading);

  if (with_photo)
    {
      jz_form_get_photo_box_size (self->form, &photo_w, &photo_h);
      photo_w *= MM;
      photo_h *= MM;
    }
  label_w = self->label_width[block->n_columns];

  /* Rows beside the photo are narrower and, with it, one piece: they are
   * stretched together when the photo is taller than they are. */
  if (with_photo)
    {
      Piece *piece = piece_new (self);
      double y = 0, extra;

      for (; r < rows->len && beside_height < photo_h; r++)
        {
          guint *row = &g_array_index (rows, guint, 2 * r);
          GArray *cells = section_row_cells (self, block, row[0], row[1],
                                             CONTENT_WIDTH - photo_w, label_w);

          beside_height += cells_height (cells);
          g_ptr_array_add (beside, cells);
        }
      extra = beside->len > 0 ? MAX (0, photo_h - beside_height) / beside->len : 0;
      for (guint i = 0; i < beside->len; i++)
        {
          GArray *cells = g_ptr_array_index (beside, i);
          double height = cells_height (cells) + extra;

          cells_emit (cells, piece, y, height);
          y += height;
        }
      piece->height = MAX (y, photo_h);
      draw_photo_cell (self, piece, CONTENT_WIDTH - photo_w, photo_w, piece->height, photo_h);
    }

  for (; r < rows->len; r++)
    {
      guint *row = &g_array_index (rows, guint, 2 * r);
      g_autoptr(GArray) cells = section_row_cells (self, block, row[0], row[1], CONTENT_WIDTH,
                                                   label_w);
      Piece *piece = piece_new (self);

      piece->height = cells_height (cells);
      cells_emit (cells, piece, 0, piece->height);
    }
}

static void
layout_table (JzFormRender *self,
              JzFormBlock  *block)
{
  g_autoptr(GArray) header_cells = cells_new ();
  Piece *header;
  double x = 0;

  if (block->heading != NULL && *block->heading != '\0')
    add_heading (self, block->heading);

  for (guint c = 0; c < block->n_columns; c++)
    {
      double w = block->widths[c] * CONTENT_WIDTH;

      cells_add (self, header_cells, FONT_TABLE_HEADER, block->headers[c], x, w, HEADER_SHADE,
                 TRUE);
      x += w;
    }
  header = piece_new (self);
  header->height = cells_height (header_cells);
  header->keep_with_next = TRUE;
  cells_emit (header_cells, header, 0, header->height);

  for (guint r = 0; r < block->rows->len; r++)
    {
      char **row = g_ptr_array_index (block->rows, r);
      g_autoptr(GArray) cells = cells_new ();
      Piece *piece;

      x = 0;
      for (guint c = 0; c < block->n_columns; c++)
        {
          double w = block->widths[c] * CONTENT_WIDTH;

          cells_add (self, cells, FONT_TABLE, row[c], x, w, -1, FALSE);
          x += w;
        }
      piece = piece_new (self);
      piece->height = cells_height (cells);
      piece->table_header = header;
      cells_emit (cells, piece, 0, piece->height);
    }
}

/* A paragraph becomes one piece per line, so that it can continue on the
 * next page. */
static void
layout_text (JzFormRender *self,
             JzFormBlock  *block)
{
  g_autoptr(PangoLayout) layout = NULL;
  PangoLayoutIter *iter;
  Font font = FONT_PROSE;
  PangoAlignment alignment = PANGO_ALIGN_LEFT;
  int n_lines;

  switch (block->style)
    {
    case JZ_FORM_TEXT_BODY:
    case JZ_FORM_TEXT_PLAIN:
      break;
    case JZ_FORM_TEXT_CENTER:
      alignment = PANGO_ALIGN_CENTER;
      break;
    case JZ_FORM_TEXT_RIGHT:
      alignment = PANGO_ALIGN_RIGHT;
      break;
    case JZ_FORM_TEXT_NOTE:
      font = FONT_NOTE;
      break;
    case JZ_FORM_TEXT_EMPHASIS:
      font = FONT_EMPHASIS;
      break;
    default:
      g_assert_not_reached ();
    }

  layout = make_layout (self, font, block->text, CONTENT_WIDTH, alignment);
  if (block->style == JZ_FORM_TEXT_BODY)
    pango_layout_set_indent (layout, 2 * pango_font_description_get_size (self->fonts[font]));
  if (font == FONT_PROSE || font == FONT_EMPHASIS)
    pango_layout_set_line_spacing (layout, 1.5);

  n_lines = pango_layout_get_line_count (layout);
  iter = pango_layout_get_iter (layout);
  for (int i = 0; i < n_lines; i++)
    {
      Piece *piece = piece_new (self);
      PangoRectangle logical;
      int top, bottom, baseline;

      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      pango_layout_iter_get_line_yrange (iter, &top, &bottom);
      baseline = pango_layout_iter_get_baseline (iter);
      add_op (piece, &(Op) { .kind = OP_TEXT_LINE,
                             .x = pango_units_to_double (logical.x),
                             .y = pango_units_to_double (baseline - top),
                             .layout = layout, .line = i,
                             .grey = font == FONT_NOTE ? 0.25 : 0 });
      /* The next line's top, so that line spacing is kept. */
      if (pango_layout_iter_next_line (iter))
        {
          int next_top, next_bottom;

          pango_layout_iter_get_line_yrange (iter, &next_top, &next_bottom);
          piece->height = pango_units_to_double (next_top - top);
        }
      else
        piece->height = pango_units_to_double (bottom - top);
    }
  pango_layout_iter_free (iter);
}

static double
layout_one_signature (JzFormRender *self,
                      Piece        *piece,
                      JzFormBlock  *block,
                      double        x,
                      double        w)
{
  g_autoptr(PangoLayout) role = make_layout (self, FONT_BODY, block->text, w, PANGO_ALIGN_LEFT);
  g_autoptr(PangoLayout) date = make_layout (self, FONT_BODY, _("Date"), -1, PANGO_ALIGN_LEFT);
  double y = layout_height (role);
  double line_w = w;

  add_text (piece, x, 0, role, 0);
  /* Room for a hand signature above the line. */
  y += 8 * MM;
  if (block->name != NULL && *block->name != '\0')
    {
      g_autoptr(PangoLayout) name = make_layout (self, FONT_BODY, block->name, line_w,
                                                 PANGO_ALIGN_LEFT);

      add_text (piece, x + 2 * MM, y - layout_height (name) - 0.5 * MM, name, 0.15);
    }
  add_rule (piece, x, y, line_w);
  y += 3 * MM;
  add_text (piece, x, y, date, 0);
  y += layout_height (date);
  add_rule (piece, x + layout_width (date) + 2 * MM, y, line_w * 0.62 - layout_width (date));
  return y + 2 * MM;
}

static gboolean
is_signature (GPtrArray *blocks,
              guint      i)
{
  return i < blocks->len
         && ((JzFormBlock *) g_ptr_array_index (blocks, i))->kind == JZ_FORM_BLOCK_SIGNATURE;
}

/* Signatures two per row, or three when they come in threes; returns the
 * index of the last signature used. */
static guint
layout_signatures (JzFormRender *self,
                   GPtrArray    *blocks,
                   guint         first)
{
  guint n = 0, per_row, i = first;
  double gap = 4 * MM, width;

  while (is_signature (blocks, first + n))
    n++;
  per_row = n % 3 == 0 ? 3 : 2;
  width = (CONTENT_WIDTH - (per_row - 1) * gap) / per_row;

  while (i < first + n)
    {
      Piece *piece = piece_new (self);

      for (guint k = 0; k < per_row && i < first + n; k++, i++)
        {
          double height = layout_one_signature (self, piece, g_ptr_array_index (blocks, i),
                                                k * (width + gap), width);

          piece->height = MAX (piece->height, height);
        }
    }
  return i - 1;
}

static void
layout_blocks (JzFormRender *self)
{
  GPtrArray *blocks = jz_form_get_blocks (self->form);
  double photo_w, photo_h;
  gboolean photo_pending = jz_form_get_photo_box_size (self->form, &photo_w, &photo_h);

  for (guint i = 0; i < blocks->len; i++)
    {
      JzFormBlock *block = g_ptr_array_index (blocks, i);
      gboolean headed = block->heading != NULL && *block->heading != '\0';

      switch (block->kind)
        {
        case JZ_FORM_BLOCK_SECTION:
          add_space (self, headed ? 3 * MM : 0);
          layout_section (self, block, photo_pending);
          photo_pending = FALSE;
          break;
        case JZ_FORM_BLOCK_TABLE:
          add_space (self, headed ? 3 * MM : 2 * MM);
          layout_table (self, block);
          break;
        case JZ_FORM_BLOCK_TEXT:
          add_space (self, 3 * MM);
          layout_text (self, block);
          break;
        case JZ_FORM_BLOCK_SPACE:
          add_space (self, block->mm * MM);
          break;
        case JZ_FORM_BLOCK_SIGNATURE:
          add_space (self, 4 * MM);
          i = layout_signatures (self, blocks, i);
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

static GArray *
new_page (JzFormRender *self,
          double       *y)
{
  GArray *page = g_array_new (FALSE, FALSE, sizeof (Placement));

  g_ptr_array_add (self->pages, page);
  *y = self->pages->len == 1 ? self->first_top : self->next_top;
  return page;
}

static void
paginate (JzFormRender *self)
{
  double y;
  GArray *page = new_page (self, &y);
  double top = y;

  for (guint i = 0; i < self->pieces->len; i++)
    {
      Piece *piece = g_ptr_array_index (self->pieces, i);
      double chain = piece->height;

      if (piece->discardable && y == top)
        continue;

      /* A heading goes with the rows under it, a table header with its
       * first row; unless the chain is too tall for any page. */
      for (guint j = i; j + 1 < self->pieces->len
           && ((Piece *) g_ptr_array_index (self->pieces, j))->keep_with_next; j++)
        chain += ((Piece *) g_ptr_array_index (self->pieces, j + 1))->height;

      if (y + chain > self->bottom && y > top && !piece->discardable)
        {
          page = new_page (self, &y);
          top = y;
          if (piece->table_header != NULL)
            {
              Placement header = { piece->table_header, y };

              g_array_append_val (page, header);
              y += piece->table_header->height;
            }
        }
      else if (y + chain > self->bottom && piece->discardable)
        {
          /* Space at the foot of a page is not carried over. */
          y = self->bottom;
          continue;
        }

      g_array_append_val (page, ((Placement) { piece, y }));
      y += piece->height;
    }
}

static void
draw_piece (JzFormRender *self,
            cairo_t      *cr,
            Piece        *piece)
{
  for (guint i = 0; i < piece->ops->len; i++)
    {
      Op *op = &g_array_index (piece->ops, Op, i);

      switch (op->kind)
        {
        case OP_BOX:
          cairo_rectangle (cr, op->x, op->y, op->w, op->h);
          if (op->shade >= 0)
            {
              cairo_set_source_rgb (cr, op->shade, op->shade, op->shade);
              cairo_fill_preserve (cr);
            }
          cairo_set_source_rgb (cr, 0, 0, 0);
          cairo_set_line_width (cr, RULE_WIDTH);
          cairo_stroke (cr);
          break;
        case OP_RULE:
          cairo_move_to (cr, op->x, op->y);
          cairo_rel_line_to (cr, op->w, op->h);
          cairo_set_source_rgb (cr, 0, 0, 0);
          cairo_set_line_width (cr, RULE_WIDTH);
          cairo_stroke (cr);
          break;
        case OP_TEXT:
          cairo_set_source_rgb (cr, op->grey, op->grey, op->grey);
          cairo_move_to (cr, op->x, op->y);
          pango_cairo_show_layout (cr, op->layout);
          break;
        case OP_TEXT_LINE:
          cairo_set_source_rgb (cr, op->grey, op->grey, op->grey);
          cairo_move_to (cr, op->x, op->y);
          pango_cairo_show_layout_line (cr, pango_layout_get_line_readonly (op->layout, op->line));
          break;
        case OP_IMAGE:
          {
            double sw = cairo_image_surface_get_width (self->photo);
            double sh = cairo_image_surface_get_height (self->photo);
            double scale = MIN (op->w / sw, op->h / sh);

            cairo_save (cr);
            cairo_rectangle (cr, op->x, op->y, op->w, op->h);
            cairo_clip (cr);
            cairo_translate (cr, op->x + (op->w - sw * scale) / 2, op->y + (op->h - sh * scale) / 2);
            cairo_scale (cr, scale, scale);
            cairo_set_source_surface (cr, self->photo, 0, 0);
            cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
            cairo_paint (cr);
            cairo_restore (cr);
          }
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

static double
frame_line_height (JzFormRender *self)
{
  g_autoptr(PangoLayout) layout = make_layout (self, FONT_FRAME, "Xg救", -1, PANGO_ALIGN_LEFT);

  return layout_height (layout);
}

static char *
continued_title (JzFormRender *self)
{
  /* TRANSLATORS: the title at the top of a form's second and later pages */
  return g_strdup_printf (_("%s (continued)"), jz_form_get_title (self->form));
}

static double
footer_height (JzFormRender *self)
{
  const char *footer = jz_form_get_footer (self->form);
  g_autoptr(PangoLayout) layout = make_layout (self, FONT_FRAME, footer, CONTENT_WIDTH * 0.78,
                                               PANGO_ALIGN_LEFT);

  return MAX (layout_height (layout), frame_line_height (self));
}

/* Where content starts and ends; the same on every page but the first,
 * which has the full title. */
static void
measure_frame (JzFormRender *self)
{
  g_autoptr(PangoLayout) title = make_layout (self, FONT_TITLE, jz_form_get_title (self->form),
                                              CONTENT_WIDTH, PANGO_ALIGN_CENTER);
  g_autofree char *continued = continued_title (self);
  g_autoptr(PangoLayout) small = make_layout (self, FONT_TITLE_SMALL, continued, CONTENT_WIDTH,
                                              PANGO_ALIGN_CENTER);
  double header_bottom = MARGIN_TOP + frame_line_height (self) + 1.5 * MM;

  self->first_top = header_bottom + 4 * MM + layout_height (title) + 4 * MM;
  self->next_top = header_bottom + 3 * MM + layout_height (small) + 3 * MM;
  self->bottom = JZ_FORM_PAGE_HEIGHT - MARGIN_BOTTOM - footer_height (self) - 1.5 * MM - 3 * MM;
}

static void
draw_frame (JzFormRender *self,
            cairo_t      *cr,
            guint         page)
{
  const char *station_name = jz_form_get_station_name (self->form);
  const char *station_code = jz_form_get_station_code (self->form);
  const char *number = jz_form_get_number (self->form);
  double line = frame_line_height (self);
  double header_bottom = MARGIN_TOP + line + 1.5 * MM;
  double footer_top = JZ_FORM_PAGE_HEIGHT - MARGIN_BOTTOM - footer_height (self);
  g_autoptr(GString) station = g_string_new (station_name);
  g_autoptr(PangoLayout) left = NULL;
  g_autoptr(PangoLayout) footer = NULL;
  g_autoptr(PangoLayout) page_number = NULL;
  g_autofree char *page_text = NULL;

  cairo_set_source_rgb (cr, 0.25, 0.25, 0.25);
  if (station_code != NULL && *station_code != '\0' && station->len > 0)
    {
      g_string_truncate (station, 0);
      /* TRANSLATORS: the station's name and code at the top of a printed form */
      g_string_append_printf (station, _("%s (%s)"), station_name, station_code);
    }
  else if (station_code != NULL)
    g_string_append (station, station_code);
  left = make_layout (self, FONT_FRAME, station->str, CONTENT_WIDTH * 0.6, PANGO_ALIGN_LEFT);
  pango_layout_set_ellipsize (left, PANGO_ELLIPSIZE_END);
  cairo_move_to (cr, MARGIN_SIDE, MARGIN_TOP);
  pango_cairo_show_layout (cr, left);
  if (number != NULL && *number != '\0')
    {
      /* TRANSLATORS: the document number at the top right of a printed form */
      g_autofree char *text = g_strdup_printf (_("No. %s"), number);
      g_autoptr(PangoLayout) right = make_layout (self, FONT_FRAME, text, CONTENT_WIDTH * 0.4,
                                                  PANGO_ALIGN_RIGHT);

      cairo_move_to (cr, MARGIN_SIDE + CONTENT_WIDTH * 0.6, MARGIN_TOP);
      pango_cairo_show_layout (cr, right);
    }
  cairo_set_line_width (cr, RULE_WIDTH);
  cairo_move_to (cr, MARGIN_SIDE, header_bottom);
  cairo_rel_line_to (cr, CONTENT_WIDTH, 0);
  cairo_stroke (cr);

  cairo_set_source_rgb (cr, 0, 0, 0);
  if (page == 0)
    {
      g_autoptr(PangoLayout) title = make_layout (self, FONT_TITLE, jz_form_get_title (self->form),
                                                  CONTENT_WIDTH, PANGO_ALIGN_CENTER);

      cairo_move_to (cr, MARGIN_SIDE, header_bottom + 4 * MM);
      pango_cairo_show_layout (cr, title);
    }
  else
    {
      g_autofree char *continued = continued_title (self);
      g_autoptr(PangoLayout) small = make_layout (self, FONT_TITLE_SMALL, continued, CONTENT_WIDTH,
                                                  PANGO_ALIGN_CENTER);

      cairo_move_to (cr, MARGIN_SIDE, header_bottom + 3 * MM);
      pango_cairo_show_layout (cr, small);
    }

  cairo_set_source_rgb (cr, 0.25, 0.25, 0.25);
  cairo_move_to (cr, MARGIN_SIDE, footer_top - 1.5 * MM);
  cairo_rel_line_to (cr, CONTENT_WIDTH, 0);
  cairo_stroke (cr);
  footer = make_layout (self, FONT_FRAME, jz_form_get_footer (self->form), CONTENT_WIDTH * 0.78,
                        PANGO_ALIGN_LEFT);
  cairo_move_to (cr, MARGIN_SIDE, footer_top);
  pango_cairo_show_layout (cr, footer);
  /* TRANSLATORS: at the foot of each printed page, e.g. “Page 1 of 2” */
  page_text = g_strdup_printf (_("Page %u of %u"), page + 1, self->pages->len);
  page_number = make_layout (self, FONT_FRAME, page_text, CONTENT_WIDTH * 0.22, PANGO_ALIGN_RIGHT);
  cairo_move_to (cr, MARGIN_SIDE + CONTENT_WIDTH * 0.78, footer_top);
  pango_cairo_show_layout (cr, page_number);
}

/* The photo as a surface of about 300 dpi at its printed size, so that a
 * camera's full-size picture does not bloat every PDF. */
static cairo_surface_t *
photo_surface (JzForm *form)
{
  GdkTexture *texture = jz_form_get_photo (form);
  double box_w, box_h, scale;
  int tw, th, w, h;
  cairo_surface_t *full, *surface;
  cairo_t *cr;

  if (texture == NULL || !jz_form_get_photo_box_size (form, &box_w, &box_h))
    return NULL;

  tw = gdk_texture_get_width (texture);
  th = gdk_texture_get_height (texture);
  full = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, tw, th);
  cairo_surface_flush (full);
  gdk_texture_download (texture, cairo_image_surface_get_data (full),
                        cairo_image_surface_get_stride (full));
  cairo_surface_mark_dirty (full);

  scale = MIN (1.0, MIN (box_w / 25.4 * 300 / tw, box_h / 25.4 * 300 / th));
  if (scale >= 1.0)
    return full;

  w = MAX (1, (int) (tw * scale));
  h = MAX (1, (int) (th * scale));
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cr = cairo_create (surface);
  cairo_scale (cr, (double) w / tw, (double) h / th);
  cairo_set_source_surface (cr, full, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (full);
  return surface;
}

static void
jz_form_render_finalize (GObject *object)
{
  JzFormRender *self = JZ_FORM_RENDER (object);

  g_clear_pointer (&self->pages, g_ptr_array_unref);
  g_clear_pointer (&self->pieces, g_ptr_array_unref);
  g_clear_pointer (&self->photo, cairo_surface_destroy);
  for (guint i = 0; i < N_FONTS; i++)
    g_clear_pointer (&self->fonts[i], pango_font_description_free);
  g_clear_object (&self->context);
  g_clear_object (&self->form);

  G_OBJECT_CLASS (jz_form_render_parent_class)->finalize (object);
}

static void
jz_form_render_class_init (JzFormRenderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = jz_form_render_finalize;
}

static void
jz_form_render_init (JzFormRender *self)
{
  cairo_font_options_t *options = cairo_font_options_create ();

  self->context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  /* Unhinted metrics at 72 dpi: one point is one unit, and widths do not
   * depend on the device, so every output breaks lines alike. */
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (self->context, options);
  cairo_font_options_destroy (options);
  pango_cairo_context_set_resolution (self->context, 72);
  pango_context_set_round_glyph_positions (self->context, FALSE);
  /* Simplified Chinese glyph shapes for Han characters, whatever the
   * UI language. */
  pango_context_set_language (self->context, pango_language_from_string ("zh-cn"));

  for (guint i = 0; i < N_FONTS; i++)
    self->fonts[i] = pango_font_description_from_string (font_specs[i]);

  self->pieces = g_ptr_array_new_with_free_func (piece_free);
  self->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
}

JzFormRender *
jz_form_render_new (JzForm *form)
{
  JzFormRender *self;

  g_return_val_if_fail (JZ_IS_FORM (form), NULL);

  self = g_object_new (JZ_TYPE_FORM_RENDER, NULL);
  self->form = g_object_ref (form);
  self->photo = photo_surface (form);
  measure_frame (self);
  measure_labels (self);
  layout_blocks (self);
  paginate (self);
  return self;
}

guint
jz_form_render_get_n_pages (JzFormRender *self)
{
  g_return_val_if_fail (JZ_IS_FORM_RENDER (self), 0);
  return self->pages->len;
}

void
jz_form_render_draw_page (JzFormRender *self,
                          cairo_t      *cr,
                          guint         page)
{
  GArray *placements;

  g_return_if_fail (JZ_IS_FORM_RENDER (self));
  g_return_if_fail (cr != NULL);
  g_return_if_fail (page < self->pages->len);

  placements = g_ptr_array_index (self->pages, page);
  cairo_save (cr);
  draw_frame (self, cr, page);
  for (guint i = 0; i < placements->len; i++)
    {
      Placement *placement = &g_array_index (placements, Placement, i);

      cairo_save (cr);
      cairo_translate (cr, MARGIN_SIDE, placement->y);
      draw_piece (self, cr, placement->piece);
      cairo_restore (cr);
    }
  cairo_restore (cr);
}

gboolean
jz_form_render_save_png (JzFormRender  *self,
                         guint          page,
                         double         dpi,
                         const char    *path,
                         GError       **error)
{
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (JZ_IS_FORM_RENDER (self), FALSE);
  g_return_val_if_fail (page < self->pages->len, FALSE);
  g_return_val_if_fail (dpi > 0 && dpi <= 1200, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
                                        (int) (JZ_FORM_PAGE_WIDTH * dpi / 72 + 0.5),
                                        (int) (JZ_FORM_PAGE_HEIGHT * dpi / 72 + 0.5));
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, dpi / 72, dpi / 72);
  jz_form_render_draw_page (self, cr, page);
  cairo_destroy (cr);
  status = cairo_surface_write_to_png (surface, path);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot write the preview %s: %s",
                   path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
