/* jz-forms.h: the station's printed forms, built from plain structs
 *
 * Each builder takes what the form prints, already in display form
 * (strings, borrowed; NULL or "" prints an empty cell to fill in by hand),
 * and returns a JzForm for jz-form-print.h. Labels and titles are
 * translated with the UI language: 求助登记表 in zh_CN, English otherwise.
 * The builders do not touch the store; the GUI fills these structs from
 * its records.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jz-form.h"

G_BEGIN_DECLS

#define JZ_FORMS_ERROR (jz_forms_error_quark ())

typedef enum
{
  /* A minor's tracing notice without the worker's confirmation. */
  JZ_FORMS_ERROR_MINOR_NOT_CONFIRMED,
  /* The rules forbid what the form declares (an under-16 leaving alone). */
  JZ_FORMS_ERROR_NOT_ALLOWED,
  /* Something the form cannot be issued without (a refusal's reason). */
  JZ_FORMS_ERROR_MISSING,
} JzFormsError;

typedef enum
{
  JZ_FORM_SEX_UNKNOWN,
  JZ_FORM_SEX_MALE,
  JZ_FORM_SEX_FEMALE,
} JzFormSex;

typedef struct
{
  const char *name;     /* 常州市救助管理站 */
  const char *code;     /* 320481-01 */
  const char *address;
  const char *phone;
} JzFormStationInput;

typedef struct
{
  const char *item;
  guint       quantity;
  const char *unit;              /* optional: 件, 元 */
  gboolean    held;              /* held by the station, not a daily necessity */
  const char *storage;           /* where it is held */
  guint       returned_quantity;
  const char *returned_at;       /* NULL while not returned */
  const char *note;
} JzFormBelongingInput;

typedef struct
{
  const char *name;
  const char *relation;
  const char *phone;
  const char *address;
} JzFormContactInput;

typedef struct
{
  const char *date;
  const char *service;  /* meals, lodging, medical, counselling, education */
  const char *detail;
  const char *staff;
} JzFormServiceInput;

/* The person and the open episode. */
typedef struct
{
  const char                 *name;
  const char                 *name_note;    /* “self-reported, not verified” */
  JzFormSex                   sex;
  const char                 *ethnicity;
  const char                 *birth;        /* “1990-05-01”, “1990”, “unknown” */
  /* Age at the form's date, estimated (目测) if need be. A zeroed struct
   * means “not known”, which tracing notices treat like a minor's. */
  gboolean                    age_known;
  int                         age;
  const char                 *id_number;
  const char                 *region;       /* 户籍地, with its code */
  const char                 *address;      /* 住所地 */
  const char                 *dialect;
  const char                 *description;  /* height, build, marks */
  const char                 *clothing;
  const char                 *health;       /* at intake */
  /* Mental or intellectual disability, or special difficulty: no
   * self-departure. */
  gboolean                    disability;
  const char                 *subsistence;  /* 低保 / 五保 status */
  GdkTexture                 *photo;
  const char                 *photo_path;   /* read when photo is NULL */

  const char                 *episode_number;
  GDateTime                  *admitted_at;
  const char                 *source;        /* walk-in, police escort … */
  const char                 *source_detail; /* hand-over form number, finder */
  const char                 *found_place;
  const char                 *group;         /* 流浪乞讨 / 临时遇困 */
  const char                 *reason;        /* cause, time and history */
  const char                 *worker;        /* staff member on the case */
  const JzFormContactInput   *contacts;
  guint                       n_contacts;
  const JzFormBelongingInput *belongings;
  guint                       n_belongings;
} JzFormPersonInput;

typedef struct
{
  gboolean    eligible;
  const char *reason;       /* why not eligible */
  const char *assistance;   /* assistance types decided */
  const char *decided_by;
} JzFormDecisionInput;

typedef struct
{
  GDateTime  *departed_at;
  const char *mode;              /* 自行返乡, 护送返乡, 接领返乡 … */
  const char *destination;
  const char *transport;         /* ticket: train, number, seat */
  const char *cash;              /* “15 元”; in principle none */
  const char *cash_reason;
  const char *collector_name;    /* 接领 */
  const char *collector_relation;
  const char *collector_id;
  const char *collector_phone;
  const char *follow_up;         /* follow-ups scheduled */
  const char *note;
} JzFormDepartureInput;

typedef struct
{
  const char               *bed;
  guint                     days;        /* 0: counted from the dates */
  const char               *assistance;
  const char               *tracing;     /* identification and tracing done */
  const char               *extensions;  /* stay extensions filed */
  const JzFormServiceInput *services;
  guint                     n_services;
  const char               *approved_by; /* head of station */
} JzFormStayInput;

typedef struct
{
  GDateTime  *issued_at;   /* NULL: now */
  const char *contact;     /* contact person at the station */
  const char *phone;       /* NULL: the station's */
  const char *extra;       /* anything else that may help a family */
} JzFormNoticeInput;

typedef struct
{
  GDateTime  *departed_at;
  GDateTime  *handed_over_at;
  const char *staff;              /* escorting staff */
  const char *vehicle;
  const char *route;
  const char *receiving_unit;
  const char *receiving_address;
  const char *receiver_name;
  const char *receiver_id;
  const char *receiver_phone;
  const char *documents;          /* papers handed over */
  const char *health;             /* condition at hand-over */
  const char *note;
} JzFormEscortInput;

GQuark  jz_forms_error_quark           (void);

/* 求助登记表; @decision may be NULL while undecided. */
JzForm *jz_forms_registration          (const JzFormStationInput   *station,
                                        const JzFormPersonInput    *person,
                                        const JzFormDecisionInput  *decision,
                                        GError                    **error);
/* 不予救助通知书; the reason is required. */
JzForm *jz_forms_refusal_notice        (const JzFormStationInput   *station,
                                        const JzFormPersonInput    *person,
                                        const char                 *reason,
                                        GDateTime                  *issued_at,
                                        GError                    **error);
/* 终止救助通知书; the reason is required. @ends_at NULL: now. */
JzForm *jz_forms_termination_notice    (const JzFormStationInput   *station,
                                        const JzFormPersonInput    *person,
                                        const char                 *reason,
                                        GDateTime                  *ends_at,
                                        GError                    **error);
/* 随身物品登记/返还单: one table with the return columns; a long list
 * continues on further pages. */
JzForm *jz_forms_belongings            (const JzFormStationInput   *station,
                                        const JzFormPersonInput    *person,
                                        GError                    **error);
/* 自行离站声明书; refused for a person under 16 or with a disability
 * flagged, who must be collected or escorted. */
JzForm *jz_forms_self_departure        (const JzFormStationInput   *station,
                                        const JzFormPersonInput    *person,
                                        const JzFormDepartureInput *departure,
                                        GError                    **error);
/* 在站服务及离站登记表; @departure may be NULL while the person stays. */
JzForm *jz_forms_stay_and_departure    (const JzFormStationInput   *station,
                                        const JzFormPersonInput    *person,
                                        const JzFormStayInput      *stay,
                                        const JzFormDepartureInput *departure,
                                        GError                    **error);
/* 寻亲公告. It never prints the ID number. A minor's identity may only be
 * published to find the child (未成年人保护法 art. 103): for a minor, or a
 * person of unknown age, it is refused unless the worker confirmed that. */
JzForm *jz_forms_tracing_notice        (const JzFormStationInput   *station,
                                        const JzFormPersonInput    *person,
                                        const JzFormNoticeInput    *notice,
                                        gboolean                    confirmed_serves_finding_child,
                                        GError                    **error);
/* 护送交接单 */
JzForm *jz_forms_escort_handover       (const JzFormStationInput   *station,
                                        const JzFormPersonInput    *person,
                                        const JzFormEscortInput    *escort,
                                        GError                    **error);

G_END_DECLS
