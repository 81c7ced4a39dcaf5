/* jz-transfer-dialog.h: 提级办理 / 转送 — a hub workstation moves an
 * episode to another station
 *
 * The transfer is queued like any change and committed by the hub
 * (jz_sync_transfer); the receiving station then receives the whole case.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-store.h"

G_BEGIN_DECLS

#define JZ_TYPE_TRANSFER_DIALOG (jz_transfer_dialog_get_type ())
G_DECLARE_FINAL_TYPE (JzTransferDialog, jz_transfer_dialog, JZ, TRANSFER_DIALOG, AdwMessageDialog)

JzTransferDialog *jz_transfer_dialog_new        (GtkWindow        *parent,
                                                 JzStore          *store,
                                                 const char       *episode_id);
/* The station chosen or typed; NULL while there is none that is valid. */
const char       *jz_transfer_dialog_get_target (JzTransferDialog *self);
/* Sets the typed station code (for tests and keyboard users). */
void              jz_transfer_dialog_set_target (JzTransferDialog *self,
                                                 const char       *code);
/* What the "transfer" response does; FALSE with @error when refused. */
gboolean          jz_transfer_dialog_apply      (JzTransferDialog *self,
                                                 GError          **error);

G_END_DECLS
