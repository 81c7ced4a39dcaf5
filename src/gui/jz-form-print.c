/* jz-form-print.c: print a JzForm, or save it as PDF
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-form"

#include "config.h"

#include <adwaita.h>
#include <cairo-pdf.h>
#include <math.h>
#include <glib/gi18n.h>

#include "jz-form-print.h"
#include "jz-form-render.h"

/* The last settings the user applied in the print dialog, for the next
 * form; not saved across runs. */
static GtkPrintSettings *last_settings;

typedef struct
{
  GOutputStream *stream;
  GError        *error;
} PdfSink;

static cairo_status_t
write_pdf (void                *closure,
           const unsigned char *data,
           unsigned int         length)
{
  PdfSink *sink = closure;

  if (sink->error != NULL)
    return CAIRO_STATUS_WRITE_ERROR;
  if (!g_output_stream_write_all (sink->stream, data, length, NULL, NULL, &sink->error))
    return CAIRO_STATUS_WRITE_ERROR;
  return CAIRO_STATUS_SUCCESS;
}

static void
on_draw_page (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page_nr,
              JzFormRender      *render)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double width = gtk_print_context_get_width (context);
  double height = gtk_print_context_get_height (context);
  double scale = MIN (width / JZ_FORM_PAGE_WIDTH, height / JZ_FORM_PAGE_HEIGHT);

  /* On paper other than A4 the page shrinks or grows to fit, centred, so
   * that page breaks stay where the layout put them. */
  if (fabs (scale - 1.0) > 0.005)
    {
      cairo_translate (cr, (width - JZ_FORM_PAGE_WIDTH * scale) / 2,
                       (height - JZ_FORM_PAGE_HEIGHT * scale) / 2);
      cairo_scale (cr, scale, scale);
    }
  jz_form_render_draw_page (render, cr, page_nr);
}

typedef struct
{
  GtkPrintOperation *operation; /* borrowed: the run is the operation's data */
  GtkWindow         *parent;
  gboolean           handled;
} DialogRun;

static void
dialog_run_free (DialogRun *run)
{
  g_clear_object (&run->parent);
  g_free (run);
}

static void
finish_dialog_run (DialogRun               *run,
                   GtkPrintOperationResult  result)
{
  run->handled = TRUE;

  if (result == GTK_PRINT_OPERATION_RESULT_APPLY)
    g_set_object (&last_settings, gtk_print_operation_get_print_settings (run->operation));
  else if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      g_autoptr(GError) error = NULL;
      GtkWidget *dialog;

      gtk_print_operation_get_error (run->operation, &error);
      dialog = adw_message_dialog_new (run->parent, _("Cannot Print the Form"), NULL);
      adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                      _("%s\n\nCheck that the printer is on and connected, or save the form as PDF instead."),
                                      error != NULL ? error->message : _("The printing system gave no reason."));
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static void
on_done (GtkPrintOperation       *operation,
         GtkPrintOperationResult  result,
         DialogRun               *run)
{
  if (run->handled)
    return;
  finish_dialog_run (run, result);
  /* Dropped later: "done" may come from inside gtk_print_operation_run(). */
  g_idle_add_once (g_object_unref, operation);
}

gboolean
jz_form_export_pdf (JzForm      *form,
                    const char  *path,
                    GError     **error)
{
  g_autoptr(JzFormRender) render = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GCancellable) abandon = NULL;
  g_autoptr(GError) local_error = NULL;
  PdfSink sink = { NULL, NULL };
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (JZ_IS_FORM (form), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  file = g_file_new_for_path (path);
  stream = g_file_replace (file, NULL, FALSE,
                           G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                           NULL, &local_error);
  if (stream == NULL)
    {
      g_set_error (error, local_error->domain, local_error->code,
                   "Cannot save the form as %s: %s", path, local_error->message);
      return FALSE;
    }

  render = jz_form_render_new (form);
  sink.stream = G_OUTPUT_STREAM (stream);
  surface = cairo_pdf_surface_create_for_stream (write_pdf, &sink, JZ_FORM_PAGE_WIDTH,
                                                 JZ_FORM_PAGE_HEIGHT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, jz_form_get_title (form));
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Jiuzhu " PACKAGE_VERSION);
  cr = cairo_create (surface);
  for (guint i = 0; i < jz_form_render_get_n_pages (render); i++)
    {
      jz_form_render_draw_page (render, cr, i);
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (sink.error != NULL || status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot save the form as %s: %s",
                   path, sink.error != NULL ? sink.error->message : cairo_status_to_string (status));
      g_clear_error (&sink.error);
      /* Closing cancelled drops the temporary file and keeps any old one. */
      abandon = g_cancellable_new ();
      g_cancellable_cancel (abandon);
      g_output_stream_close (G_OUTPUT_STREAM (stream), abandon, NULL);
      return FALSE;
    }

  if (!g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   "Cannot save the form as %s: %s", path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

GtkPrintOperation *
jz_form_print_operation_new (JzForm *form)
{
  g_autoptr(GtkPageSetup) setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) a4 = gtk_paper_size_new (GTK_PAPER_NAME_A4);
  JzFormRender *render;
  GtkPrintOperation *operation;

  g_return_val_if_fail (JZ_IS_FORM (form), NULL);

  render = jz_form_render_new (form);
  operation = gtk_print_operation_new ();
  gtk_page_setup_set_paper_size (setup, a4);
  gtk_page_setup_set_orientation (setup, GTK_PAGE_ORIENTATION_PORTRAIT);
  gtk_print_operation_set_default_page_setup (operation, setup);
  if (last_settings != NULL)
    gtk_print_operation_set_print_settings (operation, last_settings);
  gtk_print_operation_set_job_name (operation, jz_form_get_title (form));
  /* The layout has its own margins. */
  gtk_print_operation_set_use_full_page (operation, TRUE);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_n_pages (operation, jz_form_render_get_n_pages (render));
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  g_signal_connect_data (operation, "draw-page", G_CALLBACK (on_draw_page), render,
                         (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  return operation;
}

GtkPrintOperationResult
jz_form_print_run (JzForm                   *form,
                   GtkPrintOperationAction   action,
                   GtkWindow                *parent,
                   const char               *export_path,
                   GError                  **error)
{
  g_autoptr(GtkPrintOperation) operation = NULL;
  GtkPrintOperationResult result;

  g_return_val_if_fail (JZ_IS_FORM (form), GTK_PRINT_OPERATION_RESULT_ERROR);
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), GTK_PRINT_OPERATION_RESULT_ERROR);
  g_return_val_if_fail (action != GTK_PRINT_OPERATION_ACTION_EXPORT || export_path != NULL,
                        GTK_PRINT_OPERATION_RESULT_ERROR);

  operation = jz_form_print_operation_new (form);
  if (export_path != NULL)
    gtk_print_operation_set_export_filename (operation, export_path);
  result = gtk_print_operation_run (operation, action, parent, error);
  if (result == GTK_PRINT_OPERATION_RESULT_APPLY && action != GTK_PRINT_OPERATION_ACTION_EXPORT)
    g_set_object (&last_settings, gtk_print_operation_get_print_settings (operation));
  return result;
}

void
jz_form_print_with_dialog (JzForm    *form,
                           GtkWindow *parent)
{
  GtkPrintOperation *operation;
  GtkPrintOperationResult result;
  DialogRun *run;

  g_return_if_fail (JZ_IS_FORM (form));
  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));

  /* This reference lasts until the operation is done. */
  operation = jz_form_print_operation_new (form);
  run = g_new0 (DialogRun, 1);
  run->operation = operation;
  run->parent = parent != NULL ? g_object_ref (parent) : NULL;
  g_object_set_data_full (G_OBJECT (operation), "jz-dialog-run", run,
                          (GDestroyNotify) dialog_run_free);
  g_signal_connect (operation, "done", G_CALLBACK (on_done), run);
  gtk_print_operation_set_allow_async (operation, TRUE);

  result = gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                                    parent, NULL);
  if (result != GTK_PRINT_OPERATION_RESULT_IN_PROGRESS && !run->handled)
    {
      finish_dialog_run (run, result);
      g_object_unref (operation);
    }
}
