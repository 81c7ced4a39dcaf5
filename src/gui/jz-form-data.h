/* jz-form-data.h: the printed forms filled from the store's records
 *
 * jz-forms.h builds each form from plain structs; this reads an episode,
 * its person, belongings, departure, tracing steps and services from the
 * store and fills those structs, so every view prints the same form from
 * the same data. Printing a tracing notice of a minor (or of a person of
 * unknown age) first asks the worker whether it serves finding the child.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-form.h"
#include "jz-store.h"

G_BEGIN_DECLS

typedef enum
{
  JZ_FORM_KIND_REGISTRATION,        /* 求助登记表 */
  JZ_FORM_KIND_REFUSAL,             /* 不予救助通知书 */
  JZ_FORM_KIND_TERMINATION,         /* 终止救助通知书 */
  JZ_FORM_KIND_BELONGINGS,          /* 随身物品登记/返还单 */
  JZ_FORM_KIND_SELF_DEPARTURE,      /* 自行离站声明书 */
  JZ_FORM_KIND_STAY_AND_DEPARTURE,  /* 在站服务及离站登记表 */
  JZ_FORM_KIND_TRACING_NOTICE,      /* 寻亲公告 */
  JZ_FORM_KIND_ESCORT_HANDOVER,     /* 护送交接单 */
  JZ_FORM_N_KINDS
} JzFormKind;

/* "Registration form" … in the UI language, for buttons and menus. */
const char *jz_form_kind_get_label            (JzFormKind   kind);

/* The form for @episode_id from the store. @minor_confirmed: the worker
 * confirmed a minor's tracing notice serves finding the child (ignored
 * by the other forms). */
JzForm     *jz_form_data_build                (JzStore     *store,
                                               const char  *episode_id,
                                               JzFormKind   kind,
                                               gboolean     minor_confirmed,
                                               GError     **error);

/* Whether printing @kind for @episode_id needs the minor confirmation:
 * a tracing notice of a minor or of a person whose age is unknown. */
gboolean    jz_form_data_needs_confirmation   (JzStore     *store,
                                               const char  *episode_id,
                                               JzFormKind   kind);

/* Prints the form over @parent's window with the print dialog, without
 * blocking. For a minor's tracing notice an AdwMessageDialog first asks
 * whether the notice serves finding the child; "Cancel" prints nothing.
 * Errors are shown in a dialog. */
void        jz_form_data_print                (GtkWidget   *parent,
                                               JzStore     *store,
                                               const char  *episode_id,
                                               JzFormKind   kind);

G_END_DECLS
