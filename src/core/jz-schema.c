/* jz-schema.c: the store's tables described to C, and the triggers made
 * from the descriptions
 *
 * Change capture and audit are triggers, so that no code path (a typed
 * write, an import, the sync applying a pull, a future feature) can change
 * a row without the change being queued and logged. The triggers are
 * generated from the descriptions below rather than written by hand in the
 * migrations: a column added by a later migration and described here is
 * captured without anyone rewriting 25 × 3 triggers. JzStore reinstalls
 * them whenever the generated text differs from what the file holds
 * (meta key "trigger_digest"), inside the migration's transaction.
 *
 * The triggers call SQL functions that JzStore registers on each of its
 * connections (jz-audit.c): a plain sqlite3 shell cannot write to a synced
 * table without first dropping them, and that is exactly what `check`
 * detects.
 *
 * The outbox is filled only where it can be sent: not while the sync
 * applies pulled changes (jz_applying()), and never in a demo store (meta
 * "demo" = '1', see jz_store_is_demo()), which the sync engine refuses —
 * its outbox would only grow. The audit log and the search index are kept
 * in both cases.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-schema"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jz-audit.h"
#include "jz-records-private.h"
#include "jz-schema.h"
#include "jz-store.h"

const char * const jz_schema_header_columns[JZ_SCHEMA_N_HEADER + 1] = {
  "id", "station", "hlc", "updated_by", "deleted", NULL
};

#define FIELD(S, col, type, flags, label) \
  { #col, JZ_FIELD_##type, flags, G_STRUCT_OFFSET (S, col), label, NULL, NULL, 0, 0 }
#define TEXT(S, col, flags, label, maxlen) \
  { #col, JZ_FIELD_TEXT, flags, G_STRUCT_OFFSET (S, col), label, NULL, NULL, 0, maxlen }
#define ENUM(S, col, flags, label, vals) \
  { #col, JZ_FIELD_ENUM, flags, G_STRUCT_OFFSET (S, col), label, vals, NULL, 0, 0 }
#define BITS(S, col, label, vals) \
  { #col, JZ_FIELD_FLAGS, 0, G_STRUCT_OFFSET (S, col), label, vals, NULL, 0, 0 }
#define REF(S, col, flags, label, table) \
  { #col, JZ_FIELD_REF, flags, G_STRUCT_OFFSET (S, col), label, NULL, table, 0, 0 }
#define INT(S, col, flags, label, lo, hi) \
  { #col, JZ_FIELD_INT, flags, G_STRUCT_OFFSET (S, col), label, NULL, NULL, lo, hi }

#define REQ JZ_FIELD_REQUIRED
#define Z   JZ_FIELD_NULL_IF_ZERO
#define DEF JZ_FIELD_DEFAULT_FIRST
#define PAST JZ_FIELD_NOT_FUTURE

#define ENTITY(var, table, label, S, flags, validate) \
  const JzEntity var = { table, label, sizeof (S), var##_fields, G_N_ELEMENTS (var##_fields), flags, validate }

#define SYNCED (JZ_ENTITY_SYNCED | JZ_ENTITY_AUDITED)
#define APPEND (JZ_ENTITY_SYNCED | JZ_ENTITY_AUDITED | JZ_ENTITY_APPEND_ONLY)

/* Enumerations: the first value is the default where the column has one. */
static const char * const staff_roles[] = { "worker", "admin", NULL };
static const char * const room_kinds[] = { "men", "women", "minors", "family", NULL };
static const char * const name_qualities[] = { "full", "partial", "self_reported", "unknown", NULL };
static const char * const sexes[] = { "unknown", "male", "female", NULL };
static const char * const birth_precisions[] = { "unknown", "exact", "year", "estimated", NULL };
static const char * const builds[] = { "slight", "medium", "heavy", NULL };
static const char * const identity_statuses[] = { "unknown", "verified", "self_reported", "settled", NULL };
static const char * const dibao_statuses[] = { "unknown", "none", "dibao", "wubao", "tekun", NULL };
static const char * const special_flags[] = {
  "minor", "elderly", "disabled", "mental", "intellectual", "domestic_violence",
  "trafficking", "prisoner_child", "left_behind", "hk_mo_tw", "foreign", NULL
};
static const char * const sources[] = {
  "walk_in", "police_escort", "chengguan", "patrol", "public_report", "hospital", "transfer", NULL
};
static const char * const categories[] = { "vagrant", "temporary", NULL };
static const char * const eligibilities[] = { "pending", "admit", "refuse", NULL };
static const char * const assistance_types[] = {
  "medical", "education", "foster", "living", "return_home", "temporary_shelter", "other", NULL
};
static const char * const health_states[] = {
  "healthy", "critical", "mental", "intellectual", "physical_disability",
  "infectious", "injury", "intoxication", NULL
};
static const char * const episode_statuses[] = {
  "screening", "admitted", "refused", "hospital", "police", "departed", NULL
};
static const char * const belonging_kinds[] = { "held", "necessity", NULL };
static const char * const service_kinds[] = {
  "meal", "lodging", "medical", "hospital_stay", "counselling", "education", "other", NULL
};
static const char * const tracing_methods[] = {
  "self_account", "dialect", "names_places", "fingerprint", "face", "police_report",
  "notice", "dna_request", "dna_result", "police_records", "media", "other", NULL
};
static const char * const tracing_channels[] = {
  "self_account", "dialect", "names_places", "fingerprint", "face", "notice", "dna",
  "police_records", "media", "other", NULL
};
static const char * const departure_modes[] = {
  "placed", "ticket", "self_return", "help_ended", "left", "escorted",
  "collected", "death", "other", NULL
};
static const char * const ticket_kinds[] = { "train", "bus", "ship", "plane", "other", NULL };
static const char * const settlement_statuses[] = { "preparing", "applied", "settled", "withdrawn", NULL };
static const char * const followup_methods[] = { "visit", "phone", "via_local", NULL };
static const char * const risks[] = { "low", "medium", "high", NULL };
static const char * const campaigns[] = { "winter", "summer", "other", NULL };
static const char * const encounter_actions[] = {
  "brought_in", "escorted", "medical", "refused", "supplies", "other", NULL
};
static const char * const reporter_kinds[] = {
  "public", "sanitation_worker", "driver", "night_guard", "police", "chengguan", "staff", "other", NULL
};
static const char * const report_channels[] = {
  "hotline_12345", "hotline_110", "station_hotline", "in_person", "online", "other", NULL
};
static const char * const report_outcomes[] = {
  "pending", "brought_in", "refused", "not_found", "referred", "other", NULL
};
static const char * const agencies[] = {
  "medical", "education", "hrss", "housing", "police", "legal_aid", "charity", "civil_affairs", "other", NULL
};
static const char * const referral_statuses[] = { "open", "in_progress", "done", "cancelled", NULL };
static const char * const expenditure_kinds[] = { "ticket", "meal", "medical", "escort", "cash", "other", NULL };
static const char * const attachment_owners[] = {
  "person", "episode", "belonging", "departure", "escort_trip", "placement", "settlement",
  "followup", "encounter", "sighting_report", "referral", "expenditure", "tracing_step",
  "service_log", "staff", NULL
};
static const char * const attachment_kinds[] = {
  "photo", "fingerprint", "scan", "signature", "document", "other", NULL
};
static const char * const decisions[] = { "kept_local", "took_remote", "other", NULL };

/* The labels name records and fields inside the store's messages ("The
 * person's birth date is in the future"): translated at use with the
 * contexts "record in a sentence" and "field in a sentence", see
 * jz_entity_get_display_name(). */
static const JzField jz_entity_staff_fields[] = {
  /* Translators: the names of a kind of record's fields, used inside
   * sentences such as “The person's birth date is in the future”: in
   * lower case where the language has it. */
  TEXT (JzStaff, name, REQ, NC_("field in a sentence", "name"), 64),
  ENUM (JzStaff, role, DEF, NC_("field in a sentence", "role"), staff_roles),
  TEXT (JzStaff, pin_hash, 0, NC_("field in a sentence", "PIN hash"), 128),
  TEXT (JzStaff, pin_salt, 0, NC_("field in a sentence", "PIN salt"), 64),
  INT (JzStaff, pin_rounds, Z, NC_("field in a sentence", "PIN hash rounds"), 1, 10000000),
  FIELD (JzStaff, active, BOOL, 0, NC_("field in a sentence", "active")),
};
/* Translators: the names of kinds of record, used inside sentences such
 * as “The person's birth date is in the future”: in lower case where the
 * language has it. */
ENTITY (jz_entity_staff, "staff", NC_("record in a sentence", "staff member"), JzStaff, SYNCED, NULL);

static const JzField jz_entity_room_fields[] = {
  TEXT (JzRoom, name, REQ, NC_("field in a sentence", "name"), 64),
  ENUM (JzRoom, kind, REQ, NC_("field in a sentence", "kind (men, women, minors or family)"), room_kinds),
  FIELD (JzRoom, active, BOOL, 0, NC_("field in a sentence", "active")),
};
ENTITY (jz_entity_room, "room", NC_("record in a sentence", "room"), JzRoom, SYNCED, NULL);

static const JzField jz_entity_bed_fields[] = {
  REF (JzBed, room_id, REQ, NC_("field in a sentence", "room"), "room"),
  TEXT (JzBed, label, REQ, NC_("field in a sentence", "label"), 32),
  FIELD (JzBed, active, BOOL, 0, NC_("field in a sentence", "active")),
};
ENTITY (jz_entity_bed, "bed", NC_("record in a sentence", "bed"), JzBed, SYNCED, NULL);

static const JzField jz_entity_person_fields[] = {
  TEXT (JzPerson, name, 0, NC_("field in a sentence", "name"), 64),
  ENUM (JzPerson, name_quality, DEF, NC_("field in a sentence", "name quality"), name_qualities),
  INT (JzPerson, placeholder_no, Z, NC_("field in a sentence", "placeholder number"), 1, 999999),
  { "aliases", JZ_FIELD_JSON, JZ_FIELD_JSON_ARRAY, G_STRUCT_OFFSET (JzPerson, aliases), NC_("field in a sentence", "aliases"), NULL, NULL, 0, 0 },
  ENUM (JzPerson, sex, DEF, NC_("field in a sentence", "sex"), sexes),
  INT (JzPerson, ethnicity, Z, NC_("field in a sentence", "ethnic group (GB/T 3304 code 1–56, 97 or 98)"), 1, 98),
  FIELD (JzPerson, birth_date, DATE, PAST, NC_("field in a sentence", "birth date")),
  ENUM (JzPerson, birth_precision, DEF, NC_("field in a sentence", "birth date precision"), birth_precisions),
  INT (JzPerson, estimated_age, JZ_FIELD_NULL_IF_NEG, NC_("field in a sentence", "estimated age"), 0, 130),
  FIELD (JzPerson, estimated_on, DATE, PAST, NC_("field in a sentence", "date of the age estimate")),
  FIELD (JzPerson, id_number, ID_NUMBER, 0, NC_("field in a sentence", "ID number")),
  FIELD (JzPerson, hukou_region, REGION, 0, NC_("field in a sentence", "household registration region (户籍地)")),
  TEXT (JzPerson, residence, 0, NC_("field in a sentence", "residence (住所地)"), 200),
  TEXT (JzPerson, dialect, 0, NC_("field in a sentence", "dialect"), 64),
  INT (JzPerson, height_cm, Z, NC_("field in a sentence", "height in cm"), 30, 250),
  ENUM (JzPerson, build, 0, NC_("field in a sentence", "build"), builds),
  TEXT (JzPerson, marks, 0, NC_("field in a sentence", "distinguishing marks"), 1000),
  TEXT (JzPerson, clothing, 0, NC_("field in a sentence", "clothing"), 1000),
  TEXT (JzPerson, description, 0, NC_("field in a sentence", "description"), 4000),
  FIELD (JzPerson, contacts, JSON, 0, NC_("field in a sentence", "relatives and contacts")),
  ENUM (JzPerson, identity_status, DEF, NC_("field in a sentence", "identity status"), identity_statuses),
  ENUM (JzPerson, dibao, DEF, NC_("field in a sentence", "低保/五保 status"), dibao_statuses),
  BITS (JzPerson, flags, NC_("field in a sentence", "special categories"), special_flags),
};
ENTITY (jz_entity_person, "person", NC_("record in a sentence", "person"), JzPerson, SYNCED, jz_person_validate);

static const JzField jz_entity_episode_fields[] = {
  TEXT (JzEpisode, number, 0, NC_("field in a sentence", "episode number"), 21),
  REF (JzEpisode, person_id, REQ, NC_("field in a sentence", "person"), "person"),
  FIELD (JzEpisode, admitted_at, TIME, REQ | PAST, NC_("field in a sentence", "admission time")),
  ENUM (JzEpisode, source, REQ, NC_("field in a sentence", "source (how the person came)"), sources),
  TEXT (JzEpisode, handover_form_no, 0, NC_("field in a sentence", "hand-over form number"), 64),
  TEXT (JzEpisode, from_station, 0, NC_("field in a sentence", "transferring station"), 9),
  ENUM (JzEpisode, category, DEF, NC_("field in a sentence", "group (vagrant or temporary)"), categories),
  TEXT (JzEpisode, reason, 0, NC_("field in a sentence", "reason"), 4000),
  TEXT (JzEpisode, history, 0, NC_("field in a sentence", "history"), 4000),
  ENUM (JzEpisode, eligibility, DEF, NC_("field in a sentence", "eligibility decision"), eligibilities),
  TEXT (JzEpisode, refusal_reason, 0, NC_("field in a sentence", "refusal reason"), 2000),
  BITS (JzEpisode, assistance, NC_("field in a sentence", "assistance types"), assistance_types),
  FIELD (JzEpisode, in_station, BOOL, 0, NC_("field in a sentence", "in-station flag")),
  BITS (JzEpisode, health, NC_("field in a sentence", "health at intake"), health_states),
  BITS (JzEpisode, flags, NC_("field in a sentence", "special categories"), special_flags),
  REF (JzEpisode, bed_id, 0, NC_("field in a sentence", "bed"), "bed"),
  FIELD (JzEpisode, stay_deadline, TIME, Z, NC_("field in a sentence", "stay deadline")),
  ENUM (JzEpisode, status, DEF, NC_("field in a sentence", "status"), episode_statuses),
  FIELD (JzEpisode, departed_at, TIME, Z | PAST, NC_("field in a sentence", "departure time")),
  FIELD (JzEpisode, assigned_to, STAFF, 0, NC_("field in a sentence", "assigned worker")),
};
ENTITY (jz_entity_episode, "episode", NC_("record in a sentence", "episode"), JzEpisode, SYNCED, jz_episode_validate);

static const JzField jz_entity_belonging_fields[] = {
  REF (JzBelonging, episode_id, REQ, NC_("field in a sentence", "episode"), "episode"),
  TEXT (JzBelonging, item, REQ, NC_("field in a sentence", "item"), 200),
  INT (JzBelonging, qty, 0, NC_("field in a sentence", "quantity"), 1, 1000000),
  ENUM (JzBelonging, kind, DEF, NC_("field in a sentence", "kind (held or daily necessity)"), belonging_kinds),
  TEXT (JzBelonging, storage, 0, NC_("field in a sentence", "storage place"), 200),
  FIELD (JzBelonging, received_at, TIME, Z | PAST, NC_("field in a sentence", "time received")),
  TEXT (JzBelonging, signed_in, 0, NC_("field in a sentence", "signature on receipt"), 64),
  FIELD (JzBelonging, returned_at, TIME, Z | PAST, NC_("field in a sentence", "time returned")),
  FIELD (JzBelonging, returned_by, STAFF, 0, NC_("field in a sentence", "returned by")),
  INT (JzBelonging, returned_qty, Z, NC_("field in a sentence", "quantity returned"), 0, 1000000),
  TEXT (JzBelonging, signed_out, 0, NC_("field in a sentence", "signature on return"), 64),
};
ENTITY (jz_entity_belonging, "belonging", NC_("record in a sentence", "belonging"), JzBelonging, SYNCED, jz_belonging_validate);

static const JzField jz_entity_service_log_fields[] = {
  REF (JzServiceLog, episode_id, REQ, NC_("field in a sentence", "episode"), "episode"),
  FIELD (JzServiceLog, at, TIME, REQ | PAST, NC_("field in a sentence", "time")),
  ENUM (JzServiceLog, kind, REQ, NC_("field in a sentence", "kind of service"), service_kinds),
  INT (JzServiceLog, qty, 0, NC_("field in a sentence", "quantity"), 1, 100000),
  FIELD (JzServiceLog, until_at, TIME, Z, NC_("field in a sentence", "end time")),
  FIELD (JzServiceLog, staff_id, STAFF, 0, NC_("field in a sentence", "staff member")),
  TEXT (JzServiceLog, note, 0, NC_("field in a sentence", "note"), 4000),
};
ENTITY (jz_entity_service_log, "service_log", NC_("record in a sentence", "service log entry"), JzServiceLog, APPEND, NULL);

static const JzField jz_entity_tracing_step_fields[] = {
  REF (JzTracingStep, episode_id, REQ, NC_("field in a sentence", "episode"), "episode"),
  FIELD (JzTracingStep, at, TIME, REQ | PAST, NC_("field in a sentence", "time")),
  ENUM (JzTracingStep, method, REQ, NC_("field in a sentence", "method"), tracing_methods),
  FIELD (JzTracingStep, operator, STAFF, 0, NC_("field in a sentence", "operator")),
  TEXT (JzTracingStep, result, 0, NC_("field in a sentence", "result"), 4000),
  FIELD (JzTracingStep, success, BOOL, 0, NC_("field in a sentence", "success")),
  ENUM (JzTracingStep, channel, 0, NC_("field in a sentence", "success channel"), tracing_channels),
};
ENTITY (jz_entity_tracing_step, "tracing_step", NC_("record in a sentence", "tracing step"), JzTracingStep, APPEND, jz_tracing_step_validate);

static const JzField jz_entity_stay_extension_fields[] = {
  REF (JzStayExtension, episode_id, REQ, NC_("field in a sentence", "episode"), "episode"),
  FIELD (JzStayExtension, filed_by, STAFF, REQ, NC_("field in a sentence", "filed by")),
  FIELD (JzStayExtension, filed_at, TIME, REQ | PAST, NC_("field in a sentence", "filing time")),
  FIELD (JzStayExtension, new_deadline, TIME, REQ, NC_("field in a sentence", "new deadline")),
  TEXT (JzStayExtension, reason, REQ, NC_("field in a sentence", "reason"), 2000),
  TEXT (JzStayExtension, approval_ref, 0, NC_("field in a sentence", "approval reference"), 64),
};
ENTITY (jz_entity_stay_extension, "stay_extension", NC_("record in a sentence", "stay extension"), JzStayExtension, APPEND, NULL);

static const JzField jz_entity_departure_fields[] = {
  REF (JzDepartureRecord, episode_id, REQ, NC_("field in a sentence", "episode"), "episode"),
  FIELD (JzDepartureRecord, departed_at, TIME, REQ | PAST, NC_("field in a sentence", "departure time")),
  ENUM (JzDepartureRecord, mode, REQ, NC_("field in a sentence", "departure mode"), departure_modes),
  FIELD (JzDepartureRecord, cross_province, BOOL, 0, NC_("field in a sentence", "cross-province flag")),
  FIELD (JzDepartureRecord, destination_region, REGION, 0, NC_("field in a sentence", "destination region")),
  TEXT (JzDepartureRecord, destination, 0, NC_("field in a sentence", "destination"), 200),
  TEXT (JzDepartureRecord, collector_name, 0, NC_("field in a sentence", "collector's name"), 64),
  FIELD (JzDepartureRecord, collector_id_number, ID_NUMBER, 0, NC_("field in a sentence", "collector's ID number")),
  TEXT (JzDepartureRecord, collector_relation, 0, NC_("field in a sentence", "collector's relation"), 64),
  TEXT (JzDepartureRecord, collector_phone, 0, NC_("field in a sentence", "collector's phone"), 32),
  ENUM (JzDepartureRecord, ticket_kind, 0, NC_("field in a sentence", "ticket kind"), ticket_kinds),
  TEXT (JzDepartureRecord, ticket_no, 0, NC_("field in a sentence", "ticket number"), 64),
  TEXT (JzDepartureRecord, ticket_from, 0, NC_("field in a sentence", "ticket from"), 64),
  TEXT (JzDepartureRecord, ticket_to, 0, NC_("field in a sentence", "ticket to"), 64),
  { "ticket_fen", JZ_FIELD_MONEY, Z, G_STRUCT_OFFSET (JzDepartureRecord, ticket_fen), NC_("field in a sentence", "ticket price"), NULL, NULL, 0, 100000000 },
  { "cash_fen", JZ_FIELD_MONEY, 0, G_STRUCT_OFFSET (JzDepartureRecord, cash_fen), NC_("field in a sentence", "cash handed out"), NULL, NULL, 0, 100000000 },
  TEXT (JzDepartureRecord, cash_reason, 0, NC_("field in a sentence", "reason for the cash"), 1000),
  FIELD (JzDepartureRecord, declaration_signed, BOOL, 0, NC_("field in a sentence", "self-departure declaration")),
  FIELD (JzDepartureRecord, belongings_returned, BOOL, 0, NC_("field in a sentence", "belongings returned")),
  TEXT (JzDepartureRecord, notice_no, 0, NC_("field in a sentence", "notice number"), 64),
  FIELD (JzDepartureRecord, staff_id, STAFF, 0, NC_("field in a sentence", "staff member")),
  TEXT (JzDepartureRecord, note, 0, NC_("field in a sentence", "note"), 4000),
};
ENTITY (jz_entity_departure, "departure", NC_("record in a sentence", "departure"), JzDepartureRecord, SYNCED, jz_departure_validate);

static const JzField jz_entity_escort_trip_fields[] = {
  REF (JzEscortTrip, episode_id, REQ, NC_("field in a sentence", "episode"), "episode"),
  { "staff", JZ_FIELD_JSON, JZ_FIELD_JSON_ARRAY, G_STRUCT_OFFSET (JzEscortTrip, staff), NC_("field in a sentence", "escorting staff"), NULL, NULL, 0, 0 },
  TEXT (JzEscortTrip, vehicle, 0, NC_("field in a sentence", "vehicle"), 64),
  TEXT (JzEscortTrip, route, 0, NC_("field in a sentence", "route"), 1000),
  FIELD (JzEscortTrip, cross_province, BOOL, 0, NC_("field in a sentence", "cross-province flag")),
  FIELD (JzEscortTrip, started_at, TIME, Z, NC_("field in a sentence", "start time")),
  FIELD (JzEscortTrip, arrived_at, TIME, Z, NC_("field in a sentence", "arrival time")),
  TEXT (JzEscortTrip, receiving_unit, 0, NC_("field in a sentence", "receiving unit"), 200),
  TEXT (JzEscortTrip, received_by, 0, NC_("field in a sentence", "received by"), 64),
  FIELD (JzEscortTrip, handover_signed, BOOL, 0, NC_("field in a sentence", "hand-over signed")),
  TEXT (JzEscortTrip, note, 0, NC_("field in a sentence", "note"), 4000),
};
ENTITY (jz_entity_escort_trip, "escort_trip", NC_("record in a sentence", "escort trip"), JzEscortTrip, SYNCED, jz_time_range_validate);

static const JzField jz_entity_placement_fields[] = {
  REF (JzPlacement, person_id, REQ, NC_("field in a sentence", "person"), "person"),
  REF (JzPlacement, episode_id, 0, NC_("field in a sentence", "episode"), "episode"),
  TEXT (JzPlacement, institution, REQ, NC_("field in a sentence", "care institution"), 200),
  FIELD (JzPlacement, qualification_checked, BOOL, 0, NC_("field in a sentence", "qualification checked")),
  TEXT (JzPlacement, agreement_no, 0, NC_("field in a sentence", "agreement number"), 64),
  FIELD (JzPlacement, started_at, TIME, REQ, NC_("field in a sentence", "start time")),
  FIELD (JzPlacement, ended_at, TIME, Z, NC_("field in a sentence", "end time")),
  INT (JzPlacement, visit_every_days, Z, NC_("field in a sentence", "visit interval in days"), 1, 3660),
  FIELD (JzPlacement, last_visit_at, TIME, Z | PAST, NC_("field in a sentence", "last visit")),
  TEXT (JzPlacement, note, 0, NC_("field in a sentence", "note"), 4000),
};
ENTITY (jz_entity_placement, "placement", NC_("record in a sentence", "placement"), JzPlacement, SYNCED, jz_time_range_validate);

static const JzField jz_entity_settlement_fields[] = {
  REF (JzSettlement, person_id, REQ, NC_("field in a sentence", "person"), "person"),
  REF (JzSettlement, episode_id, 0, NC_("field in a sentence", "episode"), "episode"),
  ENUM (JzSettlement, status, DEF, NC_("field in a sentence", "status"), settlement_statuses),
  TEXT (JzSettlement, institution, 0, NC_("field in a sentence", "institution"), 200),
  FIELD (JzSettlement, databases_checked, BOOL, 0, NC_("field in a sentence", "missing-person databases checked")),
  TEXT (JzSettlement, letter_no, 0, NC_("field in a sentence", "application letter number"), 64),
  FIELD (JzSettlement, applied_at, TIME, Z, NC_("field in a sentence", "application time")),
  FIELD (JzSettlement, settled_at, TIME, Z, NC_("field in a sentence", "settlement time")),
  FIELD (JzSettlement, hukou_region, REGION, 0, NC_("field in a sentence", "new household registration region")),
  TEXT (JzSettlement, note, 0, NC_("field in a sentence", "note"), 4000),
};
ENTITY (jz_entity_settlement, "settlement", NC_("record in a sentence", "settlement"), JzSettlement, SYNCED, NULL);

static const JzField jz_entity_followup_fields[] = {
  REF (JzFollowup, person_id, REQ, NC_("field in a sentence", "person"), "person"),
  REF (JzFollowup, episode_id, 0, NC_("field in a sentence", "episode"), "episode"),
  FIELD (JzFollowup, due_at, TIME, REQ, NC_("field in a sentence", "due date")),
  FIELD (JzFollowup, done_at, TIME, Z | PAST, NC_("field in a sentence", "time done")),
  ENUM (JzFollowup, method, 0, NC_("field in a sentence", "method (visit, phone or via local civil affairs)"), followup_methods),
  TEXT (JzFollowup, situation, 0, NC_("field in a sentence", "situation"), 4000),
  TEXT (JzFollowup, help, 0, NC_("field in a sentence", "help given"), 4000),
  ENUM (JzFollowup, risk_of_leaving, 0, NC_("field in a sentence", "risk of leaving again"), risks),
  FIELD (JzFollowup, staff_id, STAFF, 0, NC_("field in a sentence", "staff member")),
};
ENTITY (jz_entity_followup, "followup", NC_("record in a sentence", "follow-up"), JzFollowup, APPEND, NULL);

static const JzField jz_entity_patrol_fields[] = {
  FIELD (JzPatrol, started_at, TIME, REQ | PAST, NC_("field in a sentence", "start time")),
  FIELD (JzPatrol, ended_at, TIME, Z, NC_("field in a sentence", "end time")),
  { "departments", JZ_FIELD_JSON, JZ_FIELD_JSON_ARRAY, G_STRUCT_OFFSET (JzPatrol, departments), NC_("field in a sentence", "departments"), NULL, NULL, 0, 0 },
  { "staff", JZ_FIELD_JSON, JZ_FIELD_JSON_ARRAY, G_STRUCT_OFFSET (JzPatrol, staff), NC_("field in a sentence", "staff"), NULL, NULL, 0, 0 },
  TEXT (JzPatrol, area, 0, NC_("field in a sentence", "area"), 200),
  ENUM (JzPatrol, campaign, 0, NC_("field in a sentence", "campaign"), campaigns),
  TEXT (JzPatrol, note, 0, NC_("field in a sentence", "note"), 4000),
};
ENTITY (jz_entity_patrol, "patrol", NC_("record in a sentence", "patrol"), JzPatrol, SYNCED, jz_time_range_validate);

static const JzField jz_entity_encounter_fields[] = {
  REF (JzEncounter, patrol_id, 0, NC_("field in a sentence", "patrol"), "patrol"),
  FIELD (JzEncounter, at, TIME, REQ | PAST, NC_("field in a sentence", "time")),
  TEXT (JzEncounter, place, 0, NC_("field in a sentence", "place"), 200),
  { "latitude", JZ_FIELD_REAL, Z, G_STRUCT_OFFSET (JzEncounter, latitude), NC_("field in a sentence", "latitude"), NULL, NULL, -90, 90 },
  { "longitude", JZ_FIELD_REAL, Z, G_STRUCT_OFFSET (JzEncounter, longitude), NC_("field in a sentence", "longitude"), NULL, NULL, -180, 180 },
  REF (JzEncounter, person_id, 0, NC_("field in a sentence", "person"), "person"),
  REF (JzEncounter, episode_id, 0, NC_("field in a sentence", "episode"), "episode"),
  TEXT (JzEncounter, description, 0, NC_("field in a sentence", "description"), 4000),
  TEXT (JzEncounter, condition, 0, NC_("field in a sentence", "condition"), 1000),
  ENUM (JzEncounter, action, REQ, NC_("field in a sentence", "action taken"), encounter_actions),
  TEXT (JzEncounter, note, 0, NC_("field in a sentence", "note"), 4000),
};
ENTITY (jz_entity_encounter, "encounter", NC_("record in a sentence", "encounter"), JzEncounter, SYNCED, NULL);

static const JzField jz_entity_encounter_item_fields[] = {
  REF (JzEncounterItem, encounter_id, REQ, NC_("field in a sentence", "encounter"), "encounter"),
  TEXT (JzEncounterItem, item, REQ, NC_("field in a sentence", "item"), 200),
  INT (JzEncounterItem, qty, 0, NC_("field in a sentence", "quantity"), 1, 100000),
};
ENTITY (jz_entity_encounter_item, "encounter_item", NC_("record in a sentence", "item handed out"), JzEncounterItem, APPEND, NULL);

static const JzField jz_entity_sighting_report_fields[] = {
  FIELD (JzSightingReport, reported_at, TIME, REQ | PAST, NC_("field in a sentence", "report time")),
  ENUM (JzSightingReport, reporter_kind, REQ, NC_("field in a sentence", "kind of reporter"), reporter_kinds),
  ENUM (JzSightingReport, channel, REQ, NC_("field in a sentence", "channel"), report_channels),
  TEXT (JzSightingReport, reporter, 0, NC_("field in a sentence", "reporter"), 200),
  TEXT (JzSightingReport, place, 0, NC_("field in a sentence", "place"), 200),
  TEXT (JzSightingReport, description, 0, NC_("field in a sentence", "description"), 4000),
  TEXT (JzSightingReport, dispatched_to, 0, NC_("field in a sentence", "dispatched to"), 200),
  FIELD (JzSightingReport, responded_at, TIME, Z | PAST, NC_("field in a sentence", "response time")),
  ENUM (JzSightingReport, outcome, DEF, NC_("field in a sentence", "outcome"), report_outcomes),
  REF (JzSightingReport, encounter_id, 0, NC_("field in a sentence", "encounter"), "encounter"),
};
ENTITY (jz_entity_sighting_report, "sighting_report", NC_("record in a sentence", "sighting report"), JzSightingReport, SYNCED, NULL);

static const JzField jz_entity_referral_fields[] = {
  REF (JzReferral, person_id, 0, NC_("field in a sentence", "person"), "person"),
  REF (JzReferral, episode_id, 0, NC_("field in a sentence", "episode"), "episode"),
  ENUM (JzReferral, agency, REQ, NC_("field in a sentence", "agency referred to"), agencies),
  TEXT (JzReferral, agency_name, 0, NC_("field in a sentence", "agency name"), 200),
  FIELD (JzReferral, referred_at, TIME, REQ | PAST, NC_("field in a sentence", "referral time")),
  FIELD (JzReferral, first_responsible, STAFF, REQ, NC_("field in a sentence", "first-responsible worker (首问责任人)")),
  FIELD (JzReferral, deadline, TIME, Z, NC_("field in a sentence", "deadline")),
  ENUM (JzReferral, status, DEF, NC_("field in a sentence", "status"), referral_statuses),
  TEXT (JzReferral, result, 0, NC_("field in a sentence", "result"), 4000),
  FIELD (JzReferral, closed_at, TIME, Z | PAST, NC_("field in a sentence", "closing time")),
};
ENTITY (jz_entity_referral, "referral", NC_("record in a sentence", "referral"), JzReferral, SYNCED, NULL);

static const JzField jz_entity_expenditure_fields[] = {
  REF (JzExpenditure, episode_id, REQ, NC_("field in a sentence", "episode"), "episode"),
  FIELD (JzExpenditure, spent_at, TIME, REQ | PAST, NC_("field in a sentence", "date spent")),
  ENUM (JzExpenditure, kind, REQ, NC_("field in a sentence", "kind"), expenditure_kinds),
  { "amount_fen", JZ_FIELD_MONEY, 0, G_STRUCT_OFFSET (JzExpenditure, amount_fen), NC_("field in a sentence", "amount"), NULL, NULL, 0, 100000000 },
  TEXT (JzExpenditure, receipt_no, 0, NC_("field in a sentence", "receipt number"), 64),
  TEXT (JzExpenditure, note, 0, NC_("field in a sentence", "note"), 4000),
};
ENTITY (jz_entity_expenditure, "expenditure", NC_("record in a sentence", "expenditure"), JzExpenditure, SYNCED, NULL);

static const JzField jz_entity_attachment_fields[] = {
  ENUM (JzAttachment, owner_entity, REQ, NC_("field in a sentence", "owner kind"), attachment_owners),
  TEXT (JzAttachment, owner_id, REQ, NC_("field in a sentence", "owner"), 36),
  ENUM (JzAttachment, kind, REQ, NC_("field in a sentence", "kind"), attachment_kinds),
  TEXT (JzAttachment, sha256, REQ, NC_("field in a sentence", "SHA-256"), 64),
  TEXT (JzAttachment, mime, REQ, NC_("field in a sentence", "MIME type"), 128),
  INT (JzAttachment, size, 0, NC_("field in a sentence", "size"), 0, G_MAXINT64),
  TEXT (JzAttachment, name, 0, NC_("field in a sentence", "file name"), 255),
  FIELD (JzAttachment, taken_at, TIME, Z, NC_("field in a sentence", "time taken")),
};
ENTITY (jz_entity_attachment, "attachment", NC_("record in a sentence", "attachment"), JzAttachment, SYNCED, jz_attachment_validate);

static const JzField jz_entity_conflict_fields[] = {
  TEXT (JzConflict, entity, REQ, NC_("field in a sentence", "entity"), 64),
  TEXT (JzConflict, entity_id, REQ, NC_("field in a sentence", "record id"), 64),
  TEXT (JzConflict, field, REQ, NC_("field in a sentence", "field"), 64),
  FIELD (JzConflict, local_value, JSON, 0, NC_("field in a sentence", "local value")),
  FIELD (JzConflict, remote_value, JSON, 0, NC_("field in a sentence", "remote value")),
  TEXT (JzConflict, remote_station, 0, NC_("field in a sentence", "remote station"), 9),
  INT (JzConflict, remote_hlc, Z, NC_("field in a sentence", "remote clock"), 1, G_MAXINT64),
  ENUM (JzConflict, decision, 0, NC_("field in a sentence", "decision"), decisions),
  FIELD (JzConflict, decided_by, STAFF, 0, NC_("field in a sentence", "decided by")),
  FIELD (JzConflict, decided_at, TIME, Z, NC_("field in a sentence", "decision time")),
};
ENTITY (jz_entity_conflict, "conflict", NC_("record in a sentence", "conflict"), JzConflict, SYNCED, NULL);

static const JzField jz_entity_holiday_fields[] = {
  FIELD (JzHoliday, date, DATE, REQ | JZ_FIELD_KEY, NC_("field in a sentence", "date")),
  TEXT (JzHoliday, name, REQ, NC_("field in a sentence", "name"), 64),
  FIELD (JzHoliday, workday, BOOL, 0, NC_("field in a sentence", "working-day flag")),
};
ENTITY (jz_entity_holiday, "holiday", NC_("record in a sentence", "holiday"), JzHoliday, JZ_ENTITY_AUDITED, NULL);

/* In dependency order: a table comes after those it refers to. */
static const JzEntity * const entities[] = {
  &jz_entity_staff,
  &jz_entity_room,
  &jz_entity_bed,
  &jz_entity_person,
  &jz_entity_episode,
  &jz_entity_belonging,
  &jz_entity_service_log,
  &jz_entity_tracing_step,
  &jz_entity_stay_extension,
  &jz_entity_departure,
  &jz_entity_escort_trip,
  &jz_entity_placement,
  &jz_entity_settlement,
  &jz_entity_followup,
  &jz_entity_patrol,
  &jz_entity_encounter,
  &jz_entity_encounter_item,
  &jz_entity_sighting_report,
  &jz_entity_referral,
  &jz_entity_expenditure,
  &jz_entity_attachment,
  &jz_entity_conflict,
  &jz_entity_holiday,
  NULL
};

const JzEntity * const *
jz_schema_entities (guint *n_entities)
{
  if (n_entities != NULL)
    *n_entities = G_N_ELEMENTS (entities) - 1;
  return entities;
}

const JzEntity *
jz_schema_lookup (const char *name)
{
  for (guint i = 0; entities[i] != NULL; i++)
    if (g_strcmp0 (entities[i]->name, name) == 0)
      return entities[i];
  return NULL;
}

const char *
jz_entity_get_display_name (const JzEntity *entity)
{
  g_return_val_if_fail (entity != NULL, NULL);
  return g_dpgettext2 (GETTEXT_PACKAGE, "record in a sentence", entity->label);
}

const char *
jz_field_get_display_name (const JzField *field)
{
  g_return_val_if_fail (field != NULL, NULL);
  return g_dpgettext2 (GETTEXT_PACKAGE, "field in a sentence", field->label);
}

const JzField *
jz_entity_get_field (const JzEntity *entity,
                     const char     *column)
{
  g_return_val_if_fail (entity != NULL, NULL);

  for (guint i = 0; i < entity->n_fields; i++)
    if (g_strcmp0 (entity->fields[i].name, column) == 0)
      return &entity->fields[i];
  return NULL;
}

static const char *
key_column (const JzEntity *entity)
{
  if (entity->flags & JZ_ENTITY_SYNCED)
    return "id";
  for (guint i = 0; i < entity->n_fields; i++)
    if (entity->fields[i].flags & JZ_FIELD_KEY)
      return entity->fields[i].name;
  g_assert_not_reached ();
}

/* The columns captured in fields_json: everything but the key. */
static GPtrArray *
captured_columns (const JzEntity *entity)
{
  GPtrArray *cols = g_ptr_array_new ();

  if (entity->flags & JZ_ENTITY_SYNCED)
    for (guint i = 1; i < JZ_SCHEMA_N_HEADER; i++)
      g_ptr_array_add (cols, (gpointer) jz_schema_header_columns[i]);
  for (guint i = 0; i < entity->n_fields; i++)
    if (!(entity->fields[i].flags & JZ_FIELD_KEY))
      g_ptr_array_add (cols, (gpointer) entity->fields[i].name);
  return cols;
}

/* The columns the audit log records: the captured ones without the
 * bookkeeping (station, hlc, updated_by), which the log has in its own
 * columns (actor, seq) or which say nothing about the person. */
static GPtrArray *
audited_columns (const JzEntity *entity)
{
  GPtrArray *cols = captured_columns (entity);

  for (guint i = cols->len; i-- > 0;)
    {
      const char *c = cols->pdata[i];

      if (g_str_equal (c, "station") || g_str_equal (c, "hlc") || g_str_equal (c, "updated_by"))
        g_ptr_array_remove_index (cols, i);
    }
  return cols;
}

/* In the audit log a false flag or an empty bit set is left out like a
 * NULL: it is the default, and most rows have many. */
static gboolean
zero_is_absent (const JzEntity *entity,
                const char     *column)
{
  const JzField *f = jz_entity_get_field (entity, column);

  if (g_str_equal (column, "deleted"))
    return TRUE;
  return f != NULL && (f->type == JZ_FIELD_BOOL || f->type == JZ_FIELD_FLAGS);
}

static void
append_audit_value (GString        *s,
                    const JzEntity *entity,
                    const char     *prefix,
                    const char     *column)
{
  if (zero_is_absent (entity, column))
    g_string_append_printf (s, "nullif (%s%s, 0)", prefix, column);
  else
    g_string_append_printf (s, "%s%s", prefix, column);
}

/* jz_row('a', P.a, …) over the audited columns. */
static void
append_audit_row_call (GString        *s,
                       const JzEntity *entity,
                       const char     *prefix)
{
  g_autoptr(GPtrArray) cols = audited_columns (entity);

  g_string_append (s, "jz_row (");
  for (guint i = 0; i < cols->len; i++)
    {
      g_string_append_printf (s, "%s'%s', ", i ? ", " : "", (char *) cols->pdata[i]);
      append_audit_value (s, entity, prefix, cols->pdata[i]);
    }
  g_string_append (s, ")");
}

/* jz_changed('a', OLD.a, NEW.a, …) over the audited columns. */
static void
append_audit_changed_call (GString        *s,
                           const JzEntity *entity)
{
  g_autoptr(GPtrArray) cols = audited_columns (entity);

  g_string_append (s, "jz_changed (");
  for (guint i = 0; i < cols->len; i++)
    {
      g_string_append_printf (s, "%s'%s', ", i ? ", " : "", (char *) cols->pdata[i]);
      append_audit_value (s, entity, "OLD.", cols->pdata[i]);
      g_string_append (s, ", ");
      append_audit_value (s, entity, "NEW.", cols->pdata[i]);
    }
  g_string_append (s, ")");
}

/* jz_row('a', P.a, 'b', P.b, …) */
static void
append_row_call (GString        *s,
                 const JzEntity *entity,
                 const char     *prefix)
{
  g_autoptr(GPtrArray) cols = captured_columns (entity);

  g_string_append (s, "jz_row (");
  for (guint i = 0; i < cols->len; i++)
    g_string_append_printf (s, "%s'%s', %s%s", i ? ", " : "",
                            (char *) cols->pdata[i], prefix, (char *) cols->pdata[i]);
  g_string_append (s, ")");
}

/* jz_changed('a', OLD.a, NEW.a, …) */
static void
append_changed_call (GString        *s,
                     const JzEntity *entity)
{
  g_autoptr(GPtrArray) cols = captured_columns (entity);

  g_string_append (s, "jz_changed (");
  for (guint i = 0; i < cols->len; i++)
    g_string_append_printf (s, "%s'%s', OLD.%s, NEW.%s", i ? ", " : "",
                            (char *) cols->pdata[i], (char *) cols->pdata[i],
                            (char *) cols->pdata[i]);
  g_string_append (s, ")");
}

static void
append_audit_insert (GString        *s,
                     const JzEntity *entity,
                     JzAuditOp       op,
                     const char     *row,      /* NEW or OLD */
                     const char     *fields)   /* SQL expression */
{
  gboolean synced = (entity->flags & JZ_ENTITY_SYNCED) != 0;
  const char *key = key_column (entity);
  guint number = jz_audit_table_number (entity->name);

  /* A new audited table needs its number in jz-audit.c and audit_table. */
  g_assert (number != 0);
  /* Stored compactly (0012-audit-compact.sql), hashed as text. */
  g_string_append_printf (s,
    "  INSERT INTO audit_log (at, actor, device, entity, entity_id, op, fields, hash)\n"
    "  SELECT a.at, jz_uuid_pack (a.actor), a.device, %u, jz_uuid_pack (%s.%s), %d, jz_audit_pack (a.f),\n"
    "         jz_audit_hash (a.p, a.at, a.actor, a.device, '%s', %s.%s, '%s', a.f)\n"
    "  FROM (SELECT jz_now () AS at,\n",
    number, row, key, op, entity->name, row, key, jz_audit_op_name (op));
  if (synced)
    g_string_append_printf (s,
      "               CASE WHEN jz_applying () THEN %s.updated_by ELSE jz_actor () END AS actor,\n", row);
  else
    g_string_append (s, "               jz_actor () AS actor,\n");
  g_string_append_printf (s,
    "               jz_device () AS device,\n"
    "               %s AS f,\n"
    "               jz_audit_prev () AS p) AS a;\n",
    fields);
}

/* When a change is queued in the outbox (see the top of this file). */
#define CAPTURE_WHEN \
  "NOT jz_applying () AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'demo' AND value = '1')"

typedef struct
{
  char *name;
  char *sql;
} Trigger;

static void
trigger_free (gpointer data)
{
  Trigger *t = data;

  g_free (t->name);
  g_free (t->sql);
  g_free (t);
}

static void
add_trigger (GPtrArray  *list,
             char       *name,
             GString    *sql)
{
  Trigger *t = g_new0 (Trigger, 1);

  t->name = name;
  t->sql = g_string_free (sql, FALSE);
  g_ptr_array_add (list, t);
}

/* All generated triggers, in a fixed order. */
static GPtrArray *
generate_triggers (void)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (trigger_free);

  for (guint e = 0; entities[e] != NULL; e++)
    {
      const JzEntity *entity = entities[e];
      const char *t = entity->name;
      const char *key = key_column (entity);
      gboolean synced = (entity->flags & JZ_ENTITY_SYNCED) != 0;
      g_autoptr(GString) new_row = g_string_new (NULL);
      g_autoptr(GString) old_row = g_string_new (NULL);
      g_autoptr(GString) changed = g_string_new (NULL);
      g_autoptr(GString) audit_new = g_string_new (NULL);
      g_autoptr(GString) audit_old = g_string_new (NULL);
      g_autoptr(GString) audit_changed = g_string_new (NULL);
      GString *sql;

      append_row_call (new_row, entity, "NEW.");
      append_row_call (old_row, entity, "OLD.");
      append_changed_call (changed, entity);
      append_audit_row_call (audit_new, entity, "NEW.");
      append_audit_row_call (audit_old, entity, "OLD.");
      append_audit_changed_call (audit_changed, entity);

      /* Ids name a record everywhere (outbox, hub, audit): never renamed. */
      sql = g_string_new (NULL);
      g_string_append_printf (sql,
        "CREATE TRIGGER jz_%s_bu_key BEFORE UPDATE OF %s ON %s WHEN NEW.%s IS NOT OLD.%s\n"
        "BEGIN\n"
        "  SELECT RAISE (ABORT, 'a record''s id never changes');\n"
        "END",
        t, key, t, key, key);
      add_trigger (list, g_strdup_printf ("jz_%s_bu_key", t), sql);

      sql = g_string_new (NULL);
      g_string_append_printf (sql, "CREATE TRIGGER jz_%s_ai AFTER INSERT ON %s\nBEGIN\n", t, t);
      if (synced)
        g_string_append_printf (sql,
          "  INSERT INTO outbox (entity, entity_id, op, base_rev, hlc, fields_json)\n"
          "  SELECT '%s', NEW.id, 'insert', NULL, NEW.hlc, %s WHERE " CAPTURE_WHEN ";\n",
          t, new_row->str);
      append_audit_insert (sql, entity, JZ_AUDIT_OP_INSERT, "NEW", audit_new->str);
      g_string_append (sql, "END");
      add_trigger (list, g_strdup_printf ("jz_%s_ai", t), sql);

      sql = g_string_new (NULL);
      g_string_append_printf (sql, "CREATE TRIGGER jz_%s_au AFTER UPDATE ON %s\nBEGIN\n", t, t);
      if (synced)
        g_string_append_printf (sql,
          "  INSERT INTO outbox (entity, entity_id, op, base_rev, hlc, fields_json)\n"
          "  SELECT '%s', NEW.id, CASE WHEN NEW.deleted AND NOT OLD.deleted THEN 'delete' ELSE 'update' END,\n"
          "         OLD.hlc, NEW.hlc, %s WHERE " CAPTURE_WHEN ";\n",
          t, changed->str);
      append_audit_insert (sql, entity, JZ_AUDIT_OP_UPDATE, "NEW", audit_changed->str);
      g_string_append (sql, "END");
      add_trigger (list, g_strdup_printf ("jz_%s_au", t), sql);

      sql = g_string_new (NULL);
      g_string_append_printf (sql, "CREATE TRIGGER jz_%s_ad AFTER DELETE ON %s\nBEGIN\n", t, t);
      if (synced)
        g_string_append_printf (sql,
          "  INSERT INTO outbox (entity, entity_id, op, base_rev, hlc, fields_json)\n"
          "  SELECT '%s', OLD.id, 'delete', OLD.hlc, OLD.hlc, %s WHERE " CAPTURE_WHEN ";\n",
          t, old_row->str);
      append_audit_insert (sql, entity, JZ_AUDIT_OP_DELETE, "OLD", audit_old->str);
      g_string_append (sql, "END");
      add_trigger (list, g_strdup_printf ("jz_%s_ad", t), sql);
    }
  return list;
}

char *
jz_schema_trigger_sql (void)
{
  g_autoptr(GPtrArray) list = generate_triggers ();
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < list->len; i++)
    g_string_append_printf (s, "%s;\n", ((Trigger *) list->pdata[i])->sql);
  return g_string_free (s, FALSE);
}

char *
jz_schema_trigger_digest (void)
{
  g_autofree char *sql = jz_schema_trigger_sql ();

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, sql, -1);
}

static gboolean
exec_sql (sqlite3     *db,
          const char  *sql,
          GError     **error)
{
  char *msg = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_IO,
                   /* Translators: %s is SQLite's reason (English). */
                   _("Cannot install the change-capture triggers: %s"), msg ? msg : "unknown error");
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

/* Drops every generated trigger and creates the current ones, and
 * records their digest in meta. The caller holds a write transaction. */
gboolean
jz_schema_install_triggers (sqlite3  *db,
                            GError  **error)
{
  g_autoptr(GPtrArray) old_names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) list = generate_triggers ();
  g_autofree char *digest = jz_schema_trigger_digest ();
  sqlite3_stmt *stmt = NULL;

  sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name GLOB 'jz_*'",
                      -1, &stmt, NULL);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (old_names, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  for (guint i = 0; i < old_names->len; i++)
    {
      g_autofree char *drop = g_strdup_printf ("DROP TRIGGER \"%s\"", (char *) old_names->pdata[i]);
      if (!exec_sql (db, drop, error))
        return FALSE;
    }
  for (guint i = 0; i < list->len; i++)
    if (!exec_sql (db, ((Trigger *) list->pdata[i])->sql, error))
      return FALSE;

  stmt = NULL;
  if (sqlite3_prepare_v2 (db, "INSERT INTO meta (key, value) VALUES ('trigger_digest', ?1) "
                              "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_IO,
                   /* Translators: %s is SQLite's reason (English). */
                   _("Cannot record the trigger digest: %s"), sqlite3_errmsg (db));

      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, digest, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_IO,
                   /* Translators: %s is SQLite's reason (English). */
                   _("Cannot record the trigger digest: %s"), sqlite3_errmsg (db));

      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  return TRUE;
}

/* TRUE when every generated trigger is present with exactly its text. */
static gboolean
check_triggers (sqlite3 *db,
                GString *problems)
{
  g_autoptr(GPtrArray) list = generate_triggers ();
  sqlite3_stmt *stmt = NULL;
  gboolean ok = TRUE;

  if (sqlite3_prepare_v2 (db, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
                          -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  for (guint i = 0; i < list->len; i++)
    {
      Trigger *t = list->pdata[i];

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, t->name, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          ok = FALSE;
          if (problems)
            g_string_append_printf (problems, "trigger %s is missing\n", t->name);
        }
      else if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), t->sql) != 0)
        {
          ok = FALSE;
          if (problems)
            g_string_append_printf (problems, "trigger %s was altered\n", t->name);
        }
    }
  sqlite3_finalize (stmt);
  return ok;
}

gboolean
jz_schema_triggers_installed (sqlite3 *db)
{
  return check_triggers (db, NULL);
}

char *
jz_schema_row_json_sql (const JzEntity *entity,
                        const char     *where)
{
  GString *s = g_string_new ("SELECT ");

  g_string_append_printf (s, "%s, ", key_column (entity));
  append_audit_row_call (s, entity, "");
  g_string_append_printf (s, " FROM %s", entity->name);
  if (where != NULL)
    g_string_append_printf (s, " WHERE %s", where);
  return g_string_free (s, FALSE);
}

static const char *
declared_type (JzFieldType type)
{
  switch (type)
    {
    case JZ_FIELD_INT:
    case JZ_FIELD_TIME:
    case JZ_FIELD_MONEY:
    case JZ_FIELD_BOOL:
    case JZ_FIELD_FLAGS:
      return "INTEGER";
    case JZ_FIELD_REAL:
      return "REAL";
    default:
      return "TEXT";
    }
}

gboolean
jz_schema_verify (sqlite3 *db,
                  GString *problems)
{
  gboolean ok = check_triggers (db, problems);

  for (guint e = 0; entities[e] != NULL; e++)
    {
      const JzEntity *entity = entities[e];
      g_autofree char *sql = g_strdup_printf ("PRAGMA table_info (%s)", entity->name);
      g_autoptr(GHashTable) cols = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      sqlite3_stmt *stmt = NULL;
      guint expected = entity->n_fields;

      sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
      while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
        g_hash_table_insert (cols, g_strdup ((const char *) sqlite3_column_text (stmt, 1)),
                             g_strdup ((const char *) sqlite3_column_text (stmt, 2)));
      sqlite3_finalize (stmt);

      if (g_hash_table_size (cols) == 0)
        {
          g_string_append_printf (problems, "table %s is missing\n", entity->name);
          ok = FALSE;
          continue;
        }
      if (entity->flags & JZ_ENTITY_SYNCED)
        {
          expected += JZ_SCHEMA_N_HEADER;
          for (guint i = 0; i < JZ_SCHEMA_N_HEADER; i++)
            if (!g_hash_table_contains (cols, jz_schema_header_columns[i]))
              {
                g_string_append_printf (problems, "table %s lacks the column %s\n",
                                        entity->name, jz_schema_header_columns[i]);
                ok = FALSE;
              }
        }
      for (guint i = 0; i < entity->n_fields; i++)
        {
          const char *type = g_hash_table_lookup (cols, entity->fields[i].name);

          if (type == NULL)
            {
              g_string_append_printf (problems, "table %s lacks the column %s\n",
                                      entity->name, entity->fields[i].name);
              ok = FALSE;
            }
          else if (g_ascii_strcasecmp (type, declared_type (entity->fields[i].type)) != 0)
            {
              g_string_append_printf (problems, "column %s.%s is %s, described as %s\n",
                                      entity->name, entity->fields[i].name, type,
                                      declared_type (entity->fields[i].type));
              ok = FALSE;
            }
        }
      if (g_hash_table_size (cols) != expected)
        {
          g_string_append_printf (problems, "table %s has %u columns, %u are described\n",
                                  entity->name, g_hash_table_size (cols), expected);
          ok = FALSE;
        }
    }
  return ok;
}
