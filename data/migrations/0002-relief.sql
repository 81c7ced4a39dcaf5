-- Schema version 2: the whole relief process (DOMAIN.md's data dictionary).
--
-- Conventions (src/core/jz-schema.c describes the same tables to C; a test
-- checks that the two agree):
-- * Synced tables start with the same five columns:
--     id          UUIDv7 text, time-ordered so inserts append to the b-tree
--     station     code of the station that created the row (320481-01)
--     hlc         hybrid logical clock of the last write (jz-hlc.h)
--     updated_by  staff id of the last writer (a soft reference: staff of
--                 other stations need not be present locally)
--     deleted     tombstone; rows are never removed by the app, so ids,
--                 episode numbers and references stay valid
-- * Their change capture (outbox) and audit triggers are not written here:
--   JzStore generates them from jz-schema.c after every migration, so a
--   column added by a later migration is captured without hand-written
--   trigger SQL. See jz-schema.c.
-- * Instants are INTEGER Unix seconds (UTC), columns named *_at.
--   Calendar dates are TEXT 'YYYY-MM-DD', columns named *_date or *_on.
--   Money is INTEGER fen (1 yuan = 100 fen).
-- * Enumerations are TEXT with CHECK; sets are INTEGER bit masks whose bits
--   are listed beside the column (and in jz-records.h).
-- * References between records are DEFERRABLE: the sync applies a batch in
--   one transaction, and the order inside it must not matter.
-- * References to staff (assigned_to, operator, …) are soft, like
--   updated_by: a record may be written by staff of another station.

-- Station staff. pin_hash = PBKDF2-HMAC-SHA256(pin, pin_salt, pin_rounds), hex.
CREATE TABLE staff (
  id          TEXT PRIMARY KEY NOT NULL,
  station     TEXT NOT NULL,
  hlc         INTEGER NOT NULL,
  updated_by  TEXT,
  deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  name        TEXT NOT NULL CHECK (length (name) BETWEEN 1 AND 64),
  role        TEXT NOT NULL DEFAULT 'worker' CHECK (role IN ('admin', 'worker')),
  pin_hash    TEXT,
  pin_salt    TEXT,
  pin_rounds  INTEGER,
  active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

-- Rooms are separated by sex (381 art. 8); beds belong to rooms.
CREATE TABLE room (
  id          TEXT PRIMARY KEY NOT NULL,
  station     TEXT NOT NULL,
  hlc         INTEGER NOT NULL,
  updated_by  TEXT,
  deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  name        TEXT NOT NULL CHECK (length (name) BETWEEN 1 AND 64),
  kind        TEXT NOT NULL CHECK (kind IN ('men', 'women', 'minors', 'family')),
  active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

CREATE TABLE bed (
  id          TEXT PRIMARY KEY NOT NULL,
  station     TEXT NOT NULL,
  hlc         INTEGER NOT NULL,
  updated_by  TEXT,
  deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  room_id     TEXT NOT NULL REFERENCES room (id) DEFERRABLE INITIALLY DEFERRED,
  label       TEXT NOT NULL CHECK (length (label) BETWEEN 1 AND 32),
  active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;
CREATE INDEX bed_room ON bed (room_id);

-- 受助人员. A person whose name is unknown gets placeholder_no (shown as
-- 无名氏 + number), allocated like episode numbers so devices never collide.
-- flags (special categories, also on episode):
--   1 minor, 2 elderly, 4 disabled, 8 mental, 16 intellectual,
--   32 domestic_violence, 64 trafficking, 128 prisoner_child,
--   256 left_behind, 512 hk_mo_tw, 1024 foreign
CREATE TABLE person (
  id              TEXT PRIMARY KEY NOT NULL,
  station         TEXT NOT NULL,
  hlc             INTEGER NOT NULL,
  updated_by      TEXT,
  deleted         INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  name            TEXT CHECK (length (name) BETWEEN 1 AND 64),
  name_quality    TEXT NOT NULL DEFAULT 'full'
                    CHECK (name_quality IN ('full', 'partial', 'self_reported', 'unknown')),
  placeholder_no  INTEGER CHECK (placeholder_no > 0),
  aliases         TEXT CHECK (aliases IS NULL OR (json_valid (aliases) AND json_type (aliases) = 'array')),
  sex             TEXT NOT NULL DEFAULT 'unknown' CHECK (sex IN ('unknown', 'male', 'female')),
  ethnicity       INTEGER CHECK (ethnicity BETWEEN 1 AND 56 OR ethnicity IN (97, 98)),
  birth_date      TEXT CHECK (birth_date IS NULL OR birth_date GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
  birth_precision TEXT NOT NULL DEFAULT 'unknown'
                    CHECK (birth_precision IN ('unknown', 'exact', 'year', 'estimated')),
  estimated_age   INTEGER CHECK (estimated_age BETWEEN 0 AND 130),
  estimated_on    TEXT CHECK (estimated_on IS NULL OR estimated_on GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
  id_number       TEXT CHECK (id_number IS NULL OR length (id_number) = 18),
  hukou_region    TEXT CHECK (hukou_region IS NULL OR hukou_region GLOB '[1-9][0-9][0-9][0-9][0-9][0-9]'),
  residence       TEXT,
  dialect         TEXT,
  height_cm       INTEGER CHECK (height_cm BETWEEN 30 AND 250),
  build           TEXT CHECK (build IN ('slight', 'medium', 'heavy')),
  marks           TEXT,
  clothing        TEXT,
  description     TEXT,
  contacts        TEXT CHECK (contacts IS NULL OR json_valid (contacts)),
  identity_status TEXT NOT NULL DEFAULT 'unknown'
                    CHECK (identity_status IN ('verified', 'self_reported', 'unknown', 'settled')),
  dibao           TEXT NOT NULL DEFAULT 'unknown'
                    CHECK (dibao IN ('unknown', 'none', 'dibao', 'wubao', 'tekun')),
  flags           INTEGER NOT NULL DEFAULT 0 CHECK (flags BETWEEN 0 AND 2047),
  CHECK (name IS NOT NULL OR placeholder_no IS NOT NULL)
) STRICT;
CREATE INDEX person_id_number ON person (id_number) WHERE id_number IS NOT NULL;
CREATE INDEX person_placeholder ON person (placeholder_no) WHERE placeholder_no IS NOT NULL;

-- 救助记录. number = station code + year + 6-digit sequence
-- (320481-01-2026-000123); see jz-numbers.c for how devices share the
-- sequence without colliding.
-- assistance: 1 medical, 2 education, 4 foster, 8 living, 16 return_home,
--   32 temporary_shelter, 64 other
-- health (at intake): 1 healthy, 2 critical, 4 mental, 8 intellectual,
--   16 physical_disability, 32 infectious, 64 injury, 128 intoxication
-- flags: as person.flags, as they stood for this episode
CREATE TABLE episode (
  id                TEXT PRIMARY KEY NOT NULL,
  station           TEXT NOT NULL,
  hlc               INTEGER NOT NULL,
  updated_by        TEXT,
  deleted           INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  number            TEXT NOT NULL UNIQUE
                      CHECK (number GLOB '[0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9]-[12][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]'),
  person_id         TEXT NOT NULL REFERENCES person (id) DEFERRABLE INITIALLY DEFERRED,
  admitted_at       INTEGER NOT NULL,
  source            TEXT NOT NULL CHECK (source IN ('walk_in', 'police_escort', 'chengguan', 'patrol',
                                                    'public_report', 'hospital', 'transfer')),
  handover_form_no  TEXT,
  from_station      TEXT,
  category          TEXT NOT NULL DEFAULT 'vagrant' CHECK (category IN ('vagrant', 'temporary')),
  reason            TEXT,
  history           TEXT,
  eligibility       TEXT NOT NULL DEFAULT 'pending' CHECK (eligibility IN ('pending', 'admit', 'refuse')),
  refusal_reason    TEXT,
  assistance        INTEGER NOT NULL DEFAULT 0 CHECK (assistance BETWEEN 0 AND 127),
  in_station        INTEGER NOT NULL DEFAULT 1 CHECK (in_station IN (0, 1)),
  health            INTEGER NOT NULL DEFAULT 0 CHECK (health BETWEEN 0 AND 255),
  flags             INTEGER NOT NULL DEFAULT 0 CHECK (flags BETWEEN 0 AND 2047),
  bed_id            TEXT REFERENCES bed (id) DEFERRABLE INITIALLY DEFERRED,
  stay_deadline     INTEGER,
  status            TEXT NOT NULL DEFAULT 'screening'
                      CHECK (status IN ('screening', 'admitted', 'refused', 'hospital', 'police', 'departed')),
  departed_at       INTEGER,
  assigned_to       TEXT,
  CHECK (eligibility <> 'refuse' OR refusal_reason IS NOT NULL)
) STRICT;
CREATE INDEX episode_person ON episode (person_id, admitted_at);
CREATE INDEX episode_admitted ON episode (admitted_at);
CREATE INDEX episode_open ON episode (status, admitted_at)
  WHERE status IN ('screening', 'admitted', 'hospital', 'police') AND deleted = 0;
CREATE INDEX episode_bed ON episode (bed_id)
  WHERE bed_id IS NOT NULL AND status IN ('screening', 'admitted') AND deleted = 0;

-- 随身物品. kind: necessity (kept by the person) or held (by the station).
CREATE TABLE belonging (
  id              TEXT PRIMARY KEY NOT NULL,
  station         TEXT NOT NULL,
  hlc             INTEGER NOT NULL,
  updated_by      TEXT,
  deleted         INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  episode_id      TEXT NOT NULL REFERENCES episode (id) DEFERRABLE INITIALLY DEFERRED,
  item            TEXT NOT NULL CHECK (length (item) BETWEEN 1 AND 200),
  qty             INTEGER NOT NULL DEFAULT 1 CHECK (qty > 0),
  kind            TEXT NOT NULL DEFAULT 'held' CHECK (kind IN ('necessity', 'held')),
  storage         TEXT,
  received_at     INTEGER,
  signed_in       TEXT,
  returned_at     INTEGER,
  returned_by     TEXT,
  returned_qty    INTEGER CHECK (returned_qty >= 0),
  signed_out      TEXT
) STRICT;
CREATE INDEX belonging_episode ON belonging (episode_id);

-- 站内服务 (append-only).
CREATE TABLE service_log (
  id          TEXT PRIMARY KEY NOT NULL,
  station     TEXT NOT NULL,
  hlc         INTEGER NOT NULL,
  updated_by  TEXT,
  deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  episode_id  TEXT NOT NULL REFERENCES episode (id) DEFERRABLE INITIALLY DEFERRED,
  at          INTEGER NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('meal', 'lodging', 'medical', 'hospital_stay',
                                            'counselling', 'education', 'other')),
  qty         INTEGER NOT NULL DEFAULT 1 CHECK (qty > 0),
  until_at    INTEGER,
  staff_id    TEXT,
  note        TEXT
) STRICT;
CREATE INDEX service_log_episode ON service_log (episode_id, at);

-- 寻亲 steps (append-only). channel: how the family was found, when success = 1.
CREATE TABLE tracing_step (
  id          TEXT PRIMARY KEY NOT NULL,
  station     TEXT NOT NULL,
  hlc         INTEGER NOT NULL,
  updated_by  TEXT,
  deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  episode_id  TEXT NOT NULL REFERENCES episode (id) DEFERRABLE INITIALLY DEFERRED,
  at          INTEGER NOT NULL,
  method      TEXT NOT NULL CHECK (method IN ('self_account', 'dialect', 'names_places', 'fingerprint',
                                              'face', 'police_report', 'notice', 'dna_request',
                                              'dna_result', 'police_records', 'media', 'other')),
  operator    TEXT,
  result      TEXT,
  success     INTEGER NOT NULL DEFAULT 0 CHECK (success IN (0, 1)),
  channel     TEXT CHECK (channel IN ('self_account', 'dialect', 'names_places', 'fingerprint',
                                      'face', 'notice', 'dna', 'police_records', 'media', 'other'))
) STRICT;
CREATE INDEX tracing_step_episode ON tracing_step (episode_id, at);

-- Stay-limit extensions filed with the superior 民政 department.
CREATE TABLE stay_extension (
  id            TEXT PRIMARY KEY NOT NULL,
  station       TEXT NOT NULL,
  hlc           INTEGER NOT NULL,
  updated_by    TEXT,
  deleted       INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  episode_id    TEXT NOT NULL REFERENCES episode (id) DEFERRABLE INITIALLY DEFERRED,
  filed_by      TEXT NOT NULL,
  filed_at      INTEGER NOT NULL,
  new_deadline  INTEGER NOT NULL,
  reason        TEXT NOT NULL CHECK (length (reason) > 0),
  approval_ref  TEXT
) STRICT;
CREATE INDEX stay_extension_episode ON stay_extension (episode_id);

-- 离站. mode follows the national monthly form:
--   placed 安置, ticket 提供乘车凭证, self_return 自行返乡 (incl. collected by
--   relatives or employer), help_ended 终止救助, left 擅自离站,
--   escorted 护送返乡, collected 接领返乡, death 死亡, other 其他.
-- (滞站 "still staying" is not a departure: it is an admitted episode.)
-- Ids as jz-episode-rules.h. cross_province counts the "of which
-- cross-province" columns (escorted, collected).
CREATE TABLE departure (
  id                   TEXT PRIMARY KEY NOT NULL,
  station              TEXT NOT NULL,
  hlc                  INTEGER NOT NULL,
  updated_by           TEXT,
  deleted              INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  episode_id           TEXT NOT NULL REFERENCES episode (id) DEFERRABLE INITIALLY DEFERRED,
  departed_at          INTEGER NOT NULL,
  mode                 TEXT NOT NULL CHECK (mode IN ('placed', 'ticket', 'self_return', 'help_ended',
                                                     'left', 'escorted', 'collected', 'death', 'other')),
  cross_province       INTEGER NOT NULL DEFAULT 0 CHECK (cross_province IN (0, 1)),
  destination_region   TEXT CHECK (destination_region IS NULL OR destination_region GLOB '[1-9][0-9][0-9][0-9][0-9][0-9]'),
  destination          TEXT,
  collector_name       TEXT,
  collector_id_number  TEXT,
  collector_relation   TEXT,
  collector_phone      TEXT,
  ticket_kind          TEXT CHECK (ticket_kind IN ('train', 'bus', 'ship', 'plane', 'other')),
  ticket_no            TEXT,
  ticket_from          TEXT,
  ticket_to            TEXT,
  ticket_fen           INTEGER CHECK (ticket_fen >= 0),
  cash_fen             INTEGER NOT NULL DEFAULT 0 CHECK (cash_fen >= 0),
  cash_reason          TEXT,
  declaration_signed   INTEGER NOT NULL DEFAULT 0 CHECK (declaration_signed IN (0, 1)),
  belongings_returned  INTEGER NOT NULL DEFAULT 0 CHECK (belongings_returned IN (0, 1)),
  notice_no            TEXT,
  staff_id             TEXT,
  note                 TEXT
) STRICT;
CREATE UNIQUE INDEX departure_episode ON departure (episode_id) WHERE deleted = 0;

-- 护送: staff, vehicle, route, hand-over to the receiving unit.
CREATE TABLE escort_trip (
  id               TEXT PRIMARY KEY NOT NULL,
  station          TEXT NOT NULL,
  hlc              INTEGER NOT NULL,
  updated_by       TEXT,
  deleted          INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  episode_id       TEXT NOT NULL REFERENCES episode (id) DEFERRABLE INITIALLY DEFERRED,
  staff            TEXT CHECK (staff IS NULL OR json_valid (staff)),
  vehicle          TEXT,
  route            TEXT,
  cross_province   INTEGER NOT NULL DEFAULT 0 CHECK (cross_province IN (0, 1)),
  started_at       INTEGER,
  arrived_at       INTEGER,
  receiving_unit   TEXT,
  received_by      TEXT,
  handover_signed  INTEGER NOT NULL DEFAULT 0 CHECK (handover_signed IN (0, 1)),
  note             TEXT
) STRICT;
CREATE INDEX escort_trip_episode ON escort_trip (episode_id);

-- 托养: placement in a care institution, one file per person.
CREATE TABLE placement (
  id                     TEXT PRIMARY KEY NOT NULL,
  station                TEXT NOT NULL,
  hlc                    INTEGER NOT NULL,
  updated_by             TEXT,
  deleted                INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  person_id              TEXT NOT NULL REFERENCES person (id) DEFERRABLE INITIALLY DEFERRED,
  episode_id             TEXT REFERENCES episode (id) DEFERRABLE INITIALLY DEFERRED,
  institution            TEXT NOT NULL CHECK (length (institution) > 0),
  qualification_checked  INTEGER NOT NULL DEFAULT 0 CHECK (qualification_checked IN (0, 1)),
  agreement_no           TEXT,
  started_at             INTEGER NOT NULL,
  ended_at               INTEGER,
  visit_every_days       INTEGER CHECK (visit_every_days > 0),
  last_visit_at          INTEGER,
  note                   TEXT
) STRICT;
CREATE INDEX placement_person ON placement (person_id);

-- 落户安置 after > 3 months unidentified.
CREATE TABLE settlement (
  id                TEXT PRIMARY KEY NOT NULL,
  station           TEXT NOT NULL,
  hlc               INTEGER NOT NULL,
  updated_by        TEXT,
  deleted           INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  person_id         TEXT NOT NULL REFERENCES person (id) DEFERRABLE INITIALLY DEFERRED,
  episode_id        TEXT REFERENCES episode (id) DEFERRABLE INITIALLY DEFERRED,
  status            TEXT NOT NULL DEFAULT 'preparing'
                      CHECK (status IN ('preparing', 'applied', 'settled', 'withdrawn')),
  institution       TEXT,
  databases_checked INTEGER NOT NULL DEFAULT 0 CHECK (databases_checked IN (0, 1)),
  letter_no         TEXT,
  applied_at        INTEGER,
  settled_at        INTEGER,
  hukou_region      TEXT CHECK (hukou_region IS NULL OR hukou_region GLOB '[1-9][0-9][0-9][0-9][0-9][0-9]'),
  note              TEXT
) STRICT;
CREATE INDEX settlement_person ON settlement (person_id);

-- 回访 after departure (append-only once done).
CREATE TABLE followup (
  id               TEXT PRIMARY KEY NOT NULL,
  station          TEXT NOT NULL,
  hlc              INTEGER NOT NULL,
  updated_by       TEXT,
  deleted          INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  person_id        TEXT NOT NULL REFERENCES person (id) DEFERRABLE INITIALLY DEFERRED,
  episode_id       TEXT REFERENCES episode (id) DEFERRABLE INITIALLY DEFERRED,
  due_at           INTEGER NOT NULL,
  done_at          INTEGER,
  method           TEXT CHECK (method IN ('visit', 'phone', 'via_local')),
  situation        TEXT,
  help             TEXT,
  risk_of_leaving  TEXT CHECK (risk_of_leaving IN ('low', 'medium', 'high')),
  staff_id         TEXT
) STRICT;
CREATE INDEX followup_person ON followup (person_id);
CREATE INDEX followup_due ON followup (due_at) WHERE done_at IS NULL AND deleted = 0;

-- 街面巡查. departments and staff: JSON arrays of text.
CREATE TABLE patrol (
  id           TEXT PRIMARY KEY NOT NULL,
  station      TEXT NOT NULL,
  hlc          INTEGER NOT NULL,
  updated_by   TEXT,
  deleted      INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  started_at   INTEGER NOT NULL,
  ended_at     INTEGER,
  departments  TEXT CHECK (departments IS NULL OR json_valid (departments)),
  staff        TEXT CHECK (staff IS NULL OR json_valid (staff)),
  area         TEXT,
  campaign     TEXT CHECK (campaign IN ('winter', 'summer', 'other')),
  note         TEXT
) STRICT;
CREATE INDEX patrol_started ON patrol (started_at);

-- A person met on the street (known, or only described).
CREATE TABLE encounter (
  id           TEXT PRIMARY KEY NOT NULL,
  station      TEXT NOT NULL,
  hlc          INTEGER NOT NULL,
  updated_by   TEXT,
  deleted      INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  patrol_id    TEXT REFERENCES patrol (id) DEFERRABLE INITIALLY DEFERRED,
  at           INTEGER NOT NULL,
  place        TEXT,
  latitude     REAL CHECK (latitude BETWEEN -90 AND 90),
  longitude    REAL CHECK (longitude BETWEEN -180 AND 180),
  person_id    TEXT REFERENCES person (id) DEFERRABLE INITIALLY DEFERRED,
  episode_id   TEXT REFERENCES episode (id) DEFERRABLE INITIALLY DEFERRED,
  description  TEXT,
  condition    TEXT,
  action       TEXT NOT NULL CHECK (action IN ('brought_in', 'escorted', 'medical', 'refused',
                                              'supplies', 'other')),
  note         TEXT
) STRICT;
CREATE INDEX encounter_patrol ON encounter (patrol_id) WHERE patrol_id IS NOT NULL;
CREATE INDEX encounter_person ON encounter (person_id) WHERE person_id IS NOT NULL;
CREATE INDEX encounter_at ON encounter (at);

-- Items handed out in an encounter (quilts, food, water …).
CREATE TABLE encounter_item (
  id            TEXT PRIMARY KEY NOT NULL,
  station       TEXT NOT NULL,
  hlc           INTEGER NOT NULL,
  updated_by    TEXT,
  deleted       INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  encounter_id  TEXT NOT NULL REFERENCES encounter (id) DEFERRABLE INITIALLY DEFERRED,
  item          TEXT NOT NULL CHECK (length (item) BETWEEN 1 AND 200),
  qty           INTEGER NOT NULL DEFAULT 1 CHECK (qty > 0)
) STRICT;
CREATE INDEX encounter_item_encounter ON encounter_item (encounter_id);

-- 发现报告 from the public, hotlines and workers.
CREATE TABLE sighting_report (
  id             TEXT PRIMARY KEY NOT NULL,
  station        TEXT NOT NULL,
  hlc            INTEGER NOT NULL,
  updated_by     TEXT,
  deleted        INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  reported_at    INTEGER NOT NULL,
  reporter_kind  TEXT NOT NULL CHECK (reporter_kind IN ('public', 'sanitation_worker', 'driver',
                                                        'night_guard', 'police', 'chengguan',
                                                        'staff', 'other')),
  channel        TEXT NOT NULL CHECK (channel IN ('hotline_12345', 'hotline_110', 'station_hotline',
                                                  'in_person', 'online', 'other')),
  reporter       TEXT,
  place          TEXT,
  description    TEXT,
  dispatched_to  TEXT,
  responded_at   INTEGER,
  outcome        TEXT NOT NULL DEFAULT 'pending'
                   CHECK (outcome IN ('pending', 'brought_in', 'refused', 'not_found', 'referred', 'other')),
  encounter_id   TEXT REFERENCES encounter (id) DEFERRABLE INITIALLY DEFERRED
) STRICT;
CREATE INDEX sighting_report_at ON sighting_report (reported_at);

-- 转介 / 分办转办 with the first-responsible worker (首问责任人) and deadline.
CREATE TABLE referral (
  id                 TEXT PRIMARY KEY NOT NULL,
  station            TEXT NOT NULL,
  hlc                INTEGER NOT NULL,
  updated_by         TEXT,
  deleted            INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  person_id          TEXT REFERENCES person (id) DEFERRABLE INITIALLY DEFERRED,
  episode_id         TEXT REFERENCES episode (id) DEFERRABLE INITIALLY DEFERRED,
  agency             TEXT NOT NULL CHECK (agency IN ('medical', 'education', 'hrss', 'housing', 'police',
                                                     'legal_aid', 'charity', 'civil_affairs', 'other')),
  agency_name        TEXT,
  referred_at        INTEGER NOT NULL,
  first_responsible  TEXT NOT NULL,
  deadline           INTEGER,
  status             TEXT NOT NULL DEFAULT 'open'
                       CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
  result             TEXT,
  closed_at          INTEGER,
  CHECK (person_id IS NOT NULL OR episode_id IS NOT NULL)
) STRICT;
CREATE INDEX referral_open ON referral (deadline) WHERE status IN ('open', 'in_progress') AND deleted = 0;
CREATE INDEX referral_episode ON referral (episode_id) WHERE episode_id IS NOT NULL;

-- 资金 spent per episode.
CREATE TABLE expenditure (
  id           TEXT PRIMARY KEY NOT NULL,
  station      TEXT NOT NULL,
  hlc          INTEGER NOT NULL,
  updated_by   TEXT,
  deleted      INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  episode_id   TEXT NOT NULL REFERENCES episode (id) DEFERRABLE INITIALLY DEFERRED,
  spent_at     INTEGER NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('ticket', 'meal', 'medical', 'escort', 'cash', 'other')),
  amount_fen   INTEGER NOT NULL CHECK (amount_fen >= 0),
  receipt_no   TEXT,
  note         TEXT
) STRICT;
CREATE INDEX expenditure_episode ON expenditure (episode_id);

-- Photos, fingerprints, scans and signatures. The bytes live in the
-- profile directory as blobs/<first 2 hex>/<all 64 hex> (jz-blobs.c),
-- named by their SHA-256, so identical files are stored once and travel
-- as blobs.
CREATE TABLE attachment (
  id            TEXT PRIMARY KEY NOT NULL,
  station       TEXT NOT NULL,
  hlc           INTEGER NOT NULL,
  updated_by    TEXT,
  deleted       INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  owner_entity  TEXT NOT NULL CHECK (owner_entity IN ('person', 'episode', 'belonging', 'departure',
                                                      'escort_trip', 'placement', 'settlement',
                                                      'followup', 'encounter', 'sighting_report',
                                                      'referral', 'expenditure', 'tracing_step',
                                                      'service_log', 'staff')),
  owner_id      TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('photo', 'fingerprint', 'scan', 'signature', 'document', 'other')),
  sha256        TEXT NOT NULL CHECK (length (sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
  mime          TEXT NOT NULL,
  size          INTEGER NOT NULL CHECK (size >= 0),
  name          TEXT,
  taken_at      INTEGER
) STRICT;
CREATE INDEX attachment_owner ON attachment (owner_id);
CREATE INDEX attachment_sha256 ON attachment (sha256);

-- Sync conflicts: the value that lost, kept for a person to decide.
CREATE TABLE conflict (
  id              TEXT PRIMARY KEY NOT NULL,
  station         TEXT NOT NULL,
  hlc             INTEGER NOT NULL,
  updated_by      TEXT,
  deleted         INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  entity          TEXT NOT NULL,
  entity_id       TEXT NOT NULL,
  field           TEXT NOT NULL,
  local_value     TEXT CHECK (local_value IS NULL OR json_valid (local_value)),
  remote_value    TEXT CHECK (remote_value IS NULL OR json_valid (remote_value)),
  remote_station  TEXT,
  remote_hlc      INTEGER,
  decision        TEXT CHECK (decision IN ('kept_local', 'took_remote', 'other')),
  decided_by      TEXT,
  decided_at      INTEGER
) STRICT;
CREATE INDEX conflict_open ON conflict (entity, entity_id) WHERE decided_at IS NULL AND deleted = 0;

-- Local (not synced, but audited): public holidays, and weekend days that
-- are working days (调休, workday = 1), for working-day deadlines.
CREATE TABLE holiday (
  date     TEXT PRIMARY KEY NOT NULL CHECK (date GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
  name     TEXT NOT NULL,
  workday  INTEGER NOT NULL DEFAULT 0 CHECK (workday IN (0, 1))
) STRICT;

-- Change capture (DESIGN.md). Filled only by the generated triggers.
-- AUTOINCREMENT: a seq is never reused, even after the newest rows are
-- deleted, because (station, epoch, seq) is the hub's idempotency key.
-- base_rev: the row's hlc before the change (NULL for an insert).
CREATE TABLE outbox (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  entity       TEXT NOT NULL,
  entity_id    TEXT NOT NULL,
  op           TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
  base_rev     INTEGER,
  hlc          INTEGER NOT NULL,
  fields_json  TEXT NOT NULL,
  acked        INTEGER NOT NULL DEFAULT 0 CHECK (acked IN (0, 1))
) STRICT;
CREATE INDEX outbox_pending ON outbox (seq) WHERE acked = 0;

-- The sync engine's own state (cursor, hub incarnation, …).
CREATE TABLE sync_state (
  key    TEXT PRIMARY KEY NOT NULL,
  value  TEXT
) STRICT;

-- Append-only, hash-chained log of every change (全程留痕); see jz-audit.c.
-- hash = SHA-256 (prev_hash || canonical entry, with the fields as JSON).
-- fields_json: the whole row for an insert or a delete, the changed
-- fields (null = cleared) for an update; bookkeeping columns (station,
-- hlc, updated_by) are left out, and so are NULLs and false/zero flags.
-- Stored compact: JSON text, or 0x01 + raw deflate with a fixed
-- dictionary when that is shorter; SELECT jz_audit_json (fields_json)
-- shows it in a Jiuzhu connection.
-- device: 0 for a change pulled from the hub, else the audit_device row
-- of the store epoch that made it.
CREATE TABLE audit_device (
  n      INTEGER PRIMARY KEY,
  epoch  TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE audit (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  at           INTEGER NOT NULL,
  actor        TEXT,
  device       INTEGER NOT NULL,
  entity       TEXT NOT NULL,
  entity_id    TEXT NOT NULL,
  op           TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
  fields_json  BLOB NOT NULL,
  prev_hash    BLOB NOT NULL,
  hash         BLOB NOT NULL
) STRICT;

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
  SELECT RAISE (ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
  SELECT RAISE (ABORT, 'the audit log is append-only');
END;

-- Ranges of the 6-digit sequence this device may use for episode numbers
-- and 无名氏 placeholders (jz-numbers.c). Local, never synced.
CREATE TABLE number_block (
  first  INTEGER NOT NULL CHECK (first BETWEEN 1 AND 999999),
  last   INTEGER NOT NULL CHECK (last BETWEEN 1 AND 999999),
  CHECK (first <= last)
) STRICT;
INSERT INTO number_block (first, last) VALUES (1, 99999);

-- The last sequence number used per scope ('2026' for episode numbers of
-- that year, 'placeholder' for 无名氏 numbers). Local, never synced.
CREATE TABLE number_counter (
  scope  TEXT PRIMARY KEY NOT NULL,
  last   INTEGER NOT NULL
) STRICT;
