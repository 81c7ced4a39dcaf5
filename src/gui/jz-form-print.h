/* jz-form-print.h: print a JzForm, or save it as PDF
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "jz-form.h"

G_BEGIN_DECLS

/* Writes @form as an A4 PDF at @path, replacing it atomically. The file is
 * created readable by its owner only: it holds personal data. Needs no
 * display; used by tests and the CLI. */
gboolean           jz_form_export_pdf            (JzForm                   *form,
                                                  const char               *path,
                                                  GError                  **error);

/* A print operation for @form: A4 by default, one job named after the
 * form's title. On another paper size the A4 page is scaled to fit. */
GtkPrintOperation *jz_form_print_operation_new   (JzForm                   *form);

/* Runs @action for @form and waits: GTK_PRINT_OPERATION_ACTION_EXPORT
 * writes @export_path (a PDF) without a dialog; PRINT_DIALOG shows the
 * print dialog over @parent. */
GtkPrintOperationResult jz_form_print_run        (JzForm                   *form,
                                                  GtkPrintOperationAction   action,
                                                  GtkWindow                *parent,
                                                  const char               *export_path,
                                                  GError                  **error);

/* Shows the print dialog over @parent without blocking; a failure is
 * explained in a message dialog. The page setup and printer chosen are
 * remembered for the next form in this process. */
void               jz_form_print_with_dialog     (JzForm                   *form,
                                                  GtkWindow                *parent);

G_END_DECLS
