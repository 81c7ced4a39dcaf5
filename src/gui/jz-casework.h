/* jz-casework.h: helpers shared by the case-work views and dialogs
 *
 * Intake, departure, family tracing and follow-ups show the same labels,
 * times, validation messages and toasts; they live here so each view says
 * them the same way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jz-deadlines.h"
#include "jz-idcard.h"
#include "jz-records.h"

G_BEGIN_DECLS

/* Shows @toast (taken over) in the nearest toast overlay: an ancestor of
 * @near, else one shown in @near's window. Dropped when there is none. */
void        jz_casework_add_toast            (GtkWidget    *near,
                                              AdwToast     *toast);

typedef enum
{
  JZ_MESSAGE_NONE,
  JZ_MESSAGE_INFO,
  JZ_MESSAGE_SUCCESS,
  JZ_MESSAGE_WARNING,
  JZ_MESSAGE_ERROR,
} JzMessageKind;

/* The message that sits under a field (@message_row, an AdwActionRow)
 * saying what is wrong and how to fix it. NULL or JZ_MESSAGE_NONE hides
 * it. The field is marked with the "error"/"warning" style and, for
 * screen readers, described by the message and flagged invalid. */
void        jz_casework_set_message          (GtkWidget    *field,
                                              GtkWidget    *message_row,
                                              JzMessageKind kind,
                                              const char   *message);

/* Translated labels of the stored enumeration ids; the id itself when
 * it is unknown. */
const char *jz_casework_source_label         (const char   *source);
const char *jz_casework_category_label       (const char   *category);
const char *jz_casework_tracing_method_label (const char   *method);
const char *jz_casework_followup_method_label (const char  *method);
const char *jz_casework_risk_label           (const char   *risk);
const char *jz_casework_identity_label       (const char   *identity_status);
const char *jz_casework_status_label         (const char   *status);
const char *jz_casework_mode_label           (const char   *mode);
const char *jz_casework_sex_label            (const char   *sex);
/* Translated, comma-separated lists of the bits set (JzHealth,
 * JzAssistance, JzSpecialFlags); "" when none. */
char       *jz_casework_health_text          (guint         health);
char       *jz_casework_assistance_text      (guint         assistance);
char       *jz_casework_flags_text           (guint         flags);
/* The labels of each bit, in bit order, N_() marked (translate with _()). */
const char * const *jz_casework_health_labels     (guint *n);
const char * const *jz_casework_assistance_labels (guint *n);
const char * const *jz_casework_flag_labels       (guint *n);
/* The success channel that goes with a tracing method (notice → notice,
 * dna_result → dna, …). */
const char *jz_casework_channel_for_method   (const char   *method);

/* Times in the station's zone (Asia/Shanghai). */
char       *jz_casework_format_time          (gint64        unix_s);   /* 2026-05-01 14:30 */
char       *jz_casework_format_date          (gint64        unix_s);   /* 2026-05-01 */
/* "2026-05-01 14:30", "2026-05-01 14:30:05" or "2026-05-01" (00:00); FALSE
 * when it is not such a time. */
gboolean    jz_casework_parse_time           (const char   *text,
                                              gint64       *out);
/* "overdue by 3 days", "due in 5 hours", "done" … for a deadline. */
char       *jz_casework_deadline_text        (const JzDeadline *deadline,
                                              gint64        now);
gint64      jz_casework_now                  (void);

/* Copies @file into the store's blobs (jz-blobs.h); fills @attachment's
 * sha256, mime, size and name (owner and kind are the caller's). No
 * record is written. */
gboolean    jz_casework_store_blob           (JzStore      *store,
                                              GFile        *file,
                                              JzAttachment *attachment,
                                              GError      **error);
/* The newest photo of @person_id, as a file path, or NULL. */
char       *jz_casework_person_photo_path    (JzStore      *store,
                                              const char   *person_id);

/* Checks a resident ID number as typed. Returns NULL and fills @card
 * when it is valid, else what is wrong and how to fix it, translated. */
char       *jz_casework_idcard_problem       (const char   *text,
                                              JzIdCard     *card);
/* What a valid number says, for the message under the field:
 * "Born 1985-03-02, male, 江苏省 常州市 溧阳市". */
char       *jz_casework_idcard_summary       (const JzIdCard *card);

/* Yuan as typed ("12", "12.5", "12.50"; "" is 0) in fen; FALSE when it
 * is not an amount. */
gboolean    jz_casework_parse_yuan           (const char   *text,
                                              gint64       *fen);

/* The person's age today (best guess), or -1. */
int         jz_casework_person_age           (const JzPerson *person);

G_END_DECLS
