/* jz-records.h: the relief records as C structs, and their typed writes
 *
 * Each synced record begins with a JzRecord header. Strings are owned
 * (g_free); enumerations are the stored text ids (see jz-schema.c and the
 * CHECK constraints in data/migrations/0002-relief.sql); times are Unix
 * seconds (UTC) with 0 meaning "not set"; money is fen; dates are
 * "YYYY-MM-DD".
 *
 * Writes validate every field and run in one transaction (a savepoint
 * when the caller already holds one): a failed write changes nothing and
 * sets JZ_STORE_ERROR_INVALID with a message that names the field and how
 * to fix it. Updates are optimistic: the record's rec.hlc must still be
 * the stored one, otherwise JZ_STORE_ERROR_CONFLICT (someone, usually the
 * sync, changed it since it was read).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jz-schema.h"
#include "jz-store.h"

G_BEGIN_DECLS

typedef struct
{
  char     *id;          /* UUIDv7; NULL before insert (then assigned) */
  char     *station;     /* creating station; set by the store */
  gint64    hlc;         /* version; set by the store on every write */
  char     *updated_by;  /* staff id of the last writer; set by the store */
  gboolean  deleted;     /* tombstone */
} JzRecord;

/* Special categories (person.flags, episode.flags). */
typedef enum
{
  JZ_FLAG_MINOR             = 1 << 0,
  JZ_FLAG_ELDERLY           = 1 << 1,
  JZ_FLAG_DISABLED          = 1 << 2,
  JZ_FLAG_MENTAL            = 1 << 3,
  JZ_FLAG_INTELLECTUAL      = 1 << 4,
  JZ_FLAG_DOMESTIC_VIOLENCE = 1 << 5,
  JZ_FLAG_TRAFFICKING       = 1 << 6,
  JZ_FLAG_PRISONER_CHILD    = 1 << 7,
  JZ_FLAG_LEFT_BEHIND       = 1 << 8,
  JZ_FLAG_HK_MO_TW          = 1 << 9,
  JZ_FLAG_FOREIGN           = 1 << 10,
} JzSpecialFlags;

/* episode.assistance */
typedef enum
{
  JZ_ASSIST_MEDICAL           = 1 << 0,  /* 医疗救治 */
  JZ_ASSIST_EDUCATION         = 1 << 1,  /* 教育矫治 */
  JZ_ASSIST_FOSTER            = 1 << 2,  /* 家庭寄养 */
  JZ_ASSIST_LIVING            = 1 << 3,  /* 生活救助 */
  JZ_ASSIST_RETURN_HOME       = 1 << 4,  /* 返乡救助 */
  JZ_ASSIST_TEMPORARY_SHELTER = 1 << 5,  /* 临时安置 */
  JZ_ASSIST_OTHER             = 1 << 6,
} JzAssistance;

/* episode.health, at intake */
typedef enum
{
  JZ_HEALTH_HEALTHY             = 1 << 0,
  JZ_HEALTH_CRITICAL            = 1 << 1,
  JZ_HEALTH_MENTAL              = 1 << 2,
  JZ_HEALTH_INTELLECTUAL        = 1 << 3,
  JZ_HEALTH_PHYSICAL_DISABILITY = 1 << 4,
  JZ_HEALTH_INFECTIOUS          = 1 << 5,  /* suspected */
  JZ_HEALTH_INJURY              = 1 << 6,
  JZ_HEALTH_INTOXICATION        = 1 << 7,
} JzHealth;

typedef struct
{
  JzRecord  rec;
  char     *name;
  char     *role;            /* admin | worker */
  char     *pin_hash;        /* set with jz_store_set_staff_pin () */
  char     *pin_salt;
  gint64    pin_rounds;
  gboolean  active;
} JzStaff;

typedef struct
{
  JzRecord  rec;
  char     *name;
  char     *kind;            /* men | women | minors | family */
  gboolean  active;
} JzRoom;

typedef struct
{
  JzRecord  rec;
  char     *room_id;
  char     *label;
  gboolean  active;
} JzBed;

typedef struct
{
  JzRecord  rec;
  char     *name;            /* NULL when unknown: placeholder_no is given */
  char     *name_quality;    /* full | partial | self_reported | unknown */
  gint64    placeholder_no;  /* 无名氏 number; assigned when name_quality is unknown */
  char     *aliases;         /* JSON array of strings */
  char     *sex;             /* unknown | male | female */
  gint64    ethnicity;       /* GB/T 3304: 1–56, 97 other, 98 foreign origin; 0 unknown */
  char     *birth_date;      /* exact: the date; year: YYYY-01-01 */
  char     *birth_precision; /* unknown | exact | year | estimated */
  gint64    estimated_age;   /* 目测年龄 on estimated_on; -1 when not estimated */
  char     *estimated_on;
  char     *id_number;       /* normalised to 18 digits on write */
  char     *hukou_region;    /* 户籍地, GB/T 2260 */
  char     *residence;       /* 住所地 */
  char     *dialect;
  gint64    height_cm;
  char     *build;           /* slight | medium | heavy */
  char     *marks;
  char     *clothing;
  char     *description;
  char     *contacts;        /* JSON: [{"name":…, "relation":…, "phone":…}] */
  char     *identity_status; /* verified | self_reported | unknown | settled */
  char     *dibao;           /* unknown | none | dibao | wubao | tekun */
  guint     flags;           /* JzSpecialFlags */
} JzPerson;

typedef struct
{
  JzRecord  rec;
  char     *number;          /* 320481-01-2026-000123; assigned on insert */
  char     *person_id;
  gint64    admitted_at;
  char     *source;          /* walk_in | police_escort | chengguan | patrol | public_report | hospital | transfer */
  char     *handover_form_no;
  char     *from_station;    /* source = transfer */
  char     *category;        /* vagrant | temporary */
  char     *reason;
  char     *history;
  char     *eligibility;     /* pending | admit | refuse */
  char     *refusal_reason;
  guint     assistance;      /* JzAssistance */
  gboolean  in_station;
  guint     health;          /* JzHealth */
  guint     flags;           /* JzSpecialFlags */
  char     *bed_id;
  gint64    stay_deadline;
  char     *status;          /* screening | admitted | refused | hospital | police | departed */
  gint64    departed_at;
  char     *assigned_to;     /* staff id */
} JzEpisode;

typedef struct
{
  JzRecord  rec;
  char     *episode_id;
  char     *item;
  gint64    qty;
  char     *kind;            /* held | necessity */
  char     *storage;
  gint64    received_at;
  char     *signed_in;       /* attachment id of the signature, if scanned */
  gint64    returned_at;
  char     *returned_by;     /* staff id */
  gint64    returned_qty;
  char     *signed_out;
} JzBelonging;

typedef struct
{
  JzRecord  rec;
  char     *episode_id;
  gint64    at;
  char     *kind;            /* meal | lodging | medical | hospital_stay | counselling | education | other */
  gint64    qty;
  gint64    until_at;
  char     *staff_id;
  char     *note;
} JzServiceLog;

typedef struct
{
  JzRecord  rec;
  char     *episode_id;
  gint64    at;
  char     *method;          /* self_account | dialect | names_places | fingerprint | face | police_report
                                | notice | dna_request | dna_result | police_records | media | other */
  char     *operator;        /* staff id */
  char     *result;
  gboolean  success;
  char     *channel;         /* when success: self_account | dialect | names_places | fingerprint | face
                                | notice | dna | police_records | media | other */
} JzTracingStep;

typedef struct
{
  JzRecord  rec;
  char     *episode_id;
  char     *filed_by;        /* staff id */
  gint64    filed_at;
  gint64    new_deadline;
  char     *reason;
  char     *approval_ref;
} JzStayExtension;

typedef struct
{
  JzRecord  rec;
  char     *episode_id;
  gint64    departed_at;
  char     *mode;            /* placed | ticket | self_return | help_ended | left
                                | escorted | collected | death | other (jz-episode-rules.h) */
  gboolean  cross_province;
  char     *destination_region;
  char     *destination;
  char     *collector_name;
  char     *collector_id_number;
  char     *collector_relation;
  char     *collector_phone;
  char     *ticket_kind;     /* train | bus | ship | plane | other */
  char     *ticket_no;
  char     *ticket_from;
  char     *ticket_to;
  gint64    ticket_fen;
  gint64    cash_fen;
  char     *cash_reason;
  gboolean  declaration_signed;   /* 自行离站声明书 */
  gboolean  belongings_returned;
  char     *notice_no;            /* 终止救助通知书 */
  char     *staff_id;
  char     *note;
} JzDepartureRecord;

typedef struct
{
  JzRecord  rec;
  char     *episode_id;
  char     *staff;           /* JSON array of staff ids or names */
  char     *vehicle;
  char     *route;
  gboolean  cross_province;
  gint64    started_at;
  gint64    arrived_at;
  char     *receiving_unit;
  char     *received_by;
  gboolean  handover_signed;
  char     *note;
} JzEscortTrip;

typedef struct
{
  JzRecord  rec;
  char     *person_id;
  char     *episode_id;
  char     *institution;
  gboolean  qualification_checked;
  char     *agreement_no;
  gint64    started_at;
  gint64    ended_at;
  gint64    visit_every_days;
  gint64    last_visit_at;
  char     *note;
} JzPlacement;

typedef struct
{
  JzRecord  rec;
  char     *person_id;
  char     *episode_id;
  char     *status;          /* preparing | applied | settled | withdrawn */
  char     *institution;
  gboolean  databases_checked;
  char     *letter_no;
  gint64    applied_at;
  gint64    settled_at;
  char     *hukou_region;
  char     *note;
} JzSettlement;

typedef struct
{
  JzRecord  rec;
  char     *person_id;
  char     *episode_id;
  gint64    due_at;
  gint64    done_at;
  char     *method;          /* visit | phone | via_local */
  char     *situation;
  char     *help;
  char     *risk_of_leaving; /* low | medium | high */
  char     *staff_id;
} JzFollowup;

typedef struct
{
  JzRecord  rec;
  gint64    started_at;
  gint64    ended_at;
  char     *departments;     /* JSON array */
  char     *staff;           /* JSON array */
  char     *area;
  char     *campaign;        /* winter | summer | other */
  char     *note;
} JzPatrol;

typedef struct
{
  JzRecord  rec;
  char     *patrol_id;
  gint64    at;
  char     *place;
  double    latitude;        /* 0 = none */
  double    longitude;
  char     *person_id;
  char     *episode_id;
  char     *description;
  char     *condition;
  char     *action;          /* brought_in | escorted | medical | refused | supplies | other */
  char     *note;
} JzEncounter;

typedef struct
{
  JzRecord  rec;
  char     *encounter_id;
  char     *item;
  gint64    qty;
} JzEncounterItem;

typedef struct
{
  JzRecord  rec;
  gint64    reported_at;
  char     *reporter_kind;   /* public | sanitation_worker | driver | night_guard | police | chengguan | staff | other */
  char     *channel;         /* hotline_12345 | hotline_110 | station_hotline | in_person | online | other */
  char     *reporter;
  char     *place;
  char     *description;
  char     *dispatched_to;
  gint64    responded_at;
  char     *outcome;         /* pending | brought_in | refused | not_found | referred | other */
  char     *encounter_id;
} JzSightingReport;

typedef struct
{
  JzRecord  rec;
  char     *person_id;
  char     *episode_id;
  char     *agency;          /* medical | education | hrss | housing | police | legal_aid | charity | civil_affairs | other */
  char     *agency_name;
  gint64    referred_at;
  char     *first_responsible; /* staff id (首问责任人) */
  gint64    deadline;
  char     *status;          /* open | in_progress | done | cancelled */
  char     *result;
  gint64    closed_at;
} JzReferral;

typedef struct
{
  JzRecord  rec;
  char     *episode_id;
  gint64    spent_at;
  char     *kind;            /* ticket | meal | medical | escort | cash | other */
  gint64    amount_fen;
  char     *receipt_no;
  char     *note;
} JzExpenditure;

typedef struct
{
  JzRecord  rec;
  char     *owner_entity;
  char     *owner_id;
  char     *kind;            /* photo | fingerprint | scan | signature | document | other */
  char     *sha256;
  char     *mime;
  gint64    size;
  char     *name;
  gint64    taken_at;
} JzAttachment;

typedef struct
{
  JzRecord  rec;
  char     *entity;
  char     *entity_id;
  char     *field;
  char     *local_value;     /* JSON */
  char     *remote_value;    /* JSON */
  char     *remote_station;
  gint64    remote_hlc;
  char     *decision;        /* kept_local | took_remote | other */
  char     *decided_by;
  gint64    decided_at;
} JzConflict;

/* Not synced: the public-holiday table (workday = a weekend working day). */
typedef struct
{
  char     *date;
  char     *name;
  gboolean  workday;
} JzHoliday;

extern const JzEntity jz_entity_staff;
extern const JzEntity jz_entity_room;
extern const JzEntity jz_entity_bed;
extern const JzEntity jz_entity_person;
extern const JzEntity jz_entity_episode;
extern const JzEntity jz_entity_belonging;
extern const JzEntity jz_entity_service_log;
extern const JzEntity jz_entity_tracing_step;
extern const JzEntity jz_entity_stay_extension;
extern const JzEntity jz_entity_departure;
extern const JzEntity jz_entity_escort_trip;
extern const JzEntity jz_entity_placement;
extern const JzEntity jz_entity_settlement;
extern const JzEntity jz_entity_followup;
extern const JzEntity jz_entity_patrol;
extern const JzEntity jz_entity_encounter;
extern const JzEntity jz_entity_encounter_item;
extern const JzEntity jz_entity_sighting_report;
extern const JzEntity jz_entity_referral;
extern const JzEntity jz_entity_expenditure;
extern const JzEntity jz_entity_attachment;
extern const JzEntity jz_entity_conflict;
extern const JzEntity jz_entity_holiday;

/* Generic record functions; the typed wrappers below call these. */
gpointer    jz_record_new          (const JzEntity  *entity);
void        jz_record_clear        (const JzEntity  *entity,
                                    gpointer         record);
void        jz_record_free         (const JzEntity  *entity,
                                    gpointer         record);
gpointer    jz_record_copy         (const JzEntity  *entity,
                                    gconstpointer    record);

/* Validates and writes @record. On insert, id (if NULL), station, hlc and
 * updated_by are filled in, and entity-specific numbers are assigned
 * (episode number, 无名氏 placeholder). On update, rec.hlc must be the
 * stored version. */
gboolean    jz_store_insert        (JzStore         *store,
                                    const JzEntity  *entity,
                                    gpointer         record,
                                    GError         **error);
gboolean    jz_store_update        (JzStore         *store,
                                    const JzEntity  *entity,
                                    gpointer         record,
                                    GError         **error);
/* Marks a synced record deleted (a tombstone); @base_hlc as for update,
 * or 0 to skip the check. Local tables (holiday) are really deleted. */
gboolean    jz_store_delete        (JzStore         *store,
                                    const JzEntity  *entity,
                                    const char      *id,
                                    gint64           base_hlc,
                                    GError         **error);
/* Writes @record exactly as given (id, station, hlc, updated_by and
 * numbers included), without validation or numbering, for bulk loads
 * (demo data, import) whose records were validated beforehand. Call
 * inside a transaction; the triggers capture the row as usual. */
gboolean    jz_store_insert_as_is  (JzStore         *store,
                                    const JzEntity  *entity,
                                    gconstpointer    record,
                                    GError         **error);
/* The most rows jz_store_insert_many_as_is writes in one statement. */
#define JZ_STORE_INSERT_MANY_MAX 64
/* jz_store_insert_as_is for @n records, in statements of up to
 * JZ_STORE_INSERT_MANY_MAX rows each (far cheaper per row in a bulk
 * transaction). On an error some of the records may have been written:
 * the caller rolls back. */
gboolean    jz_store_insert_many_as_is (JzStore              *store,
                                        const JzEntity       *entity,
                                        const gconstpointer  *records,
                                        guint                 n,
                                        GError              **error);
/* Validates without writing (for forms that check as you type). */
gboolean    jz_store_validate      (JzStore         *store,
                                    const JzEntity  *entity,
                                    gpointer         record,
                                    gconstpointer    old,
                                    GError         **error);

/* Returns a newly allocated record, or NULL with JZ_STORE_ERROR_NOT_FOUND.
 * Tombstoned records are returned too (rec.deleted). */
gpointer    jz_store_get           (JzStore         *store,
                                    const JzEntity  *entity,
                                    const char      *id,
                                    GError         **error);
/* Records whose @column equals @value (NULL: all), tombstones left out,
 * ordered by @order_by (a column of @entity; NULL: id), at most @limit
 * (0: all). @column and @order_by must name fields of @entity.
 * Returns: (element-type record): a GPtrArray that frees its records. */
GPtrArray  *jz_store_list          (JzStore         *store,
                                    const JzEntity  *entity,
                                    const char      *column,
                                    const char      *value,
                                    const char      *order_by,
                                    gboolean         descending,
                                    guint            limit,
                                    GError         **error);

#define JZ_DEFINE_RECORD_API(Type, lower)                                         \
  static inline Type *jz_##lower##_new (void)                                     \
  { return (Type *) jz_record_new (&jz_entity_##lower); }                         \
  static inline void jz_##lower##_free (Type *r)                                  \
  { jz_record_free (&jz_entity_##lower, r); }                                     \
  static inline gboolean jz_store_insert_##lower (JzStore *s, Type *r, GError **e) \
  { return jz_store_insert (s, &jz_entity_##lower, r, e); }                       \
  static inline gboolean jz_store_update_##lower (JzStore *s, Type *r, GError **e) \
  { return jz_store_update (s, &jz_entity_##lower, r, e); }                       \
  static inline Type *jz_store_get_##lower (JzStore *s, const char *id, GError **e) \
  { return (Type *) jz_store_get (s, &jz_entity_##lower, id, e); }                \
  G_DEFINE_AUTOPTR_CLEANUP_FUNC (Type, jz_##lower##_free)

JZ_DEFINE_RECORD_API (JzStaff, staff)
JZ_DEFINE_RECORD_API (JzRoom, room)
JZ_DEFINE_RECORD_API (JzBed, bed)
JZ_DEFINE_RECORD_API (JzPerson, person)
JZ_DEFINE_RECORD_API (JzEpisode, episode)
JZ_DEFINE_RECORD_API (JzBelonging, belonging)
JZ_DEFINE_RECORD_API (JzServiceLog, service_log)
JZ_DEFINE_RECORD_API (JzTracingStep, tracing_step)
JZ_DEFINE_RECORD_API (JzStayExtension, stay_extension)
JZ_DEFINE_RECORD_API (JzDepartureRecord, departure)
JZ_DEFINE_RECORD_API (JzEscortTrip, escort_trip)
JZ_DEFINE_RECORD_API (JzPlacement, placement)
JZ_DEFINE_RECORD_API (JzSettlement, settlement)
JZ_DEFINE_RECORD_API (JzFollowup, followup)
JZ_DEFINE_RECORD_API (JzPatrol, patrol)
JZ_DEFINE_RECORD_API (JzEncounter, encounter)
JZ_DEFINE_RECORD_API (JzEncounterItem, encounter_item)
JZ_DEFINE_RECORD_API (JzSightingReport, sighting_report)
JZ_DEFINE_RECORD_API (JzReferral, referral)
JZ_DEFINE_RECORD_API (JzExpenditure, expenditure)
JZ_DEFINE_RECORD_API (JzAttachment, attachment)
JZ_DEFINE_RECORD_API (JzConflict, conflict)
JZ_DEFINE_RECORD_API (JzHoliday, holiday)

/* "无名氏12" for a person without a name, else the name. */
char       *jz_person_display_name (const JzPerson  *person);

G_END_DECLS
