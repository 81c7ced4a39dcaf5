-- Schema version 8: enumeration CHECKs as comparisons joined by OR.
--
-- SQLite evaluates `x IN ('a', 'b', 'c')` with three or more constants by
-- building a temporary b-tree of the values, and a CHECK's is built again
-- for every row written: a person row built six, an audit entry one, and
-- together they took about a third of the CPU time of writing a row. The
-- same test written as `x = 'a' OR x = 'b' OR x = 'c'` means the same
-- (NULL passes, anything else fails) and costs a few comparisons.
--
-- A CHECK that means the same can be rewritten in the schema text without
-- rebuilding the table (SQLite's documented writable_schema procedure):
-- the rows, the file format and every index stay as they are. A text not
-- found (a table changed by hand) is left as it is: slower, not wrong.

PRAGMA writable_schema = ON;

UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (kind IN (''men'', ''women'', ''minors'', ''family''))',
    'CHECK (kind = ''men'' OR kind = ''women'' OR kind = ''minors'' OR kind = ''family'')')
  WHERE type = 'table' AND name = 'room';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (name_quality IN (''full'', ''partial'', ''self_reported'', ''unknown''))',
    'CHECK (name_quality = ''full'' OR name_quality = ''partial'' OR name_quality = ''self_reported'' OR name_quality = ''unknown'')')
  WHERE type = 'table' AND name = 'person';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (sex IN (''unknown'', ''male'', ''female''))',
    'CHECK (sex = ''unknown'' OR sex = ''male'' OR sex = ''female'')')
  WHERE type = 'table' AND name = 'person';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (birth_precision IN (''unknown'', ''exact'', ''year'', ''estimated''))',
    'CHECK (birth_precision = ''unknown'' OR birth_precision = ''exact'' OR birth_precision = ''year'' OR birth_precision = ''estimated'')')
  WHERE type = 'table' AND name = 'person';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (build IN (''slight'', ''medium'', ''heavy''))',
    'CHECK (build = ''slight'' OR build = ''medium'' OR build = ''heavy'')')
  WHERE type = 'table' AND name = 'person';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (identity_status IN (''verified'', ''self_reported'', ''unknown'', ''settled''))',
    'CHECK (identity_status = ''verified'' OR identity_status = ''self_reported'' OR identity_status = ''unknown'' OR identity_status = ''settled'')')
  WHERE type = 'table' AND name = 'person';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (dibao IN (''unknown'', ''none'', ''dibao'', ''wubao'', ''tekun''))',
    'CHECK (dibao = ''unknown'' OR dibao = ''none'' OR dibao = ''dibao'' OR dibao = ''wubao'' OR dibao = ''tekun'')')
  WHERE type = 'table' AND name = 'person';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (source IN (''walk_in'', ''police_escort'', ''chengguan'', ''patrol'',' || char (10) || '                                                    ''public_report'', ''hospital'', ''transfer''))',
    'CHECK (source = ''walk_in'' OR source = ''police_escort'' OR source = ''chengguan'' OR source = ''patrol'' OR source = ''public_report'' OR source = ''hospital'' OR source = ''transfer'')')
  WHERE type = 'table' AND name = 'episode';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (eligibility IN (''pending'', ''admit'', ''refuse''))',
    'CHECK (eligibility = ''pending'' OR eligibility = ''admit'' OR eligibility = ''refuse'')')
  WHERE type = 'table' AND name = 'episode';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (status IN (''screening'', ''admitted'', ''refused'', ''hospital'', ''police'', ''departed''))',
    'CHECK (status = ''screening'' OR status = ''admitted'' OR status = ''refused'' OR status = ''hospital'' OR status = ''police'' OR status = ''departed'')')
  WHERE type = 'table' AND name = 'episode';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (kind IN (''meal'', ''lodging'', ''medical'', ''hospital_stay'',' || char (10) || '                                            ''counselling'', ''education'', ''other''))',
    'CHECK (kind = ''meal'' OR kind = ''lodging'' OR kind = ''medical'' OR kind = ''hospital_stay'' OR kind = ''counselling'' OR kind = ''education'' OR kind = ''other'')')
  WHERE type = 'table' AND name = 'service_log';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (method IN (''self_account'', ''dialect'', ''names_places'', ''fingerprint'',' || char (10) || '                                              ''face'', ''police_report'', ''notice'', ''dna_request'',' || char (10) || '                                              ''dna_result'', ''police_records'', ''media'', ''other''))',
    'CHECK (method = ''self_account'' OR method = ''dialect'' OR method = ''names_places'' OR method = ''fingerprint'' OR method = ''face'' OR method = ''police_report'' OR method = ''notice'' OR method = ''dna_request'' OR method = ''dna_result'' OR method = ''police_records'' OR method = ''media'' OR method = ''other'')')
  WHERE type = 'table' AND name = 'tracing_step';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (channel IN (''self_account'', ''dialect'', ''names_places'', ''fingerprint'',' || char (10) || '                                      ''face'', ''notice'', ''dna'', ''police_records'', ''media'', ''other''))',
    'CHECK (channel = ''self_account'' OR channel = ''dialect'' OR channel = ''names_places'' OR channel = ''fingerprint'' OR channel = ''face'' OR channel = ''notice'' OR channel = ''dna'' OR channel = ''police_records'' OR channel = ''media'' OR channel = ''other'')')
  WHERE type = 'table' AND name = 'tracing_step';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (mode IN (''placed'', ''ticket'', ''self_return'', ''help_ended'',' || char (10) || '                                                     ''left'', ''escorted'', ''collected'', ''death'', ''other''))',
    'CHECK (mode = ''placed'' OR mode = ''ticket'' OR mode = ''self_return'' OR mode = ''help_ended'' OR mode = ''left'' OR mode = ''escorted'' OR mode = ''collected'' OR mode = ''death'' OR mode = ''other'')')
  WHERE type = 'table' AND name = 'departure';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (ticket_kind IN (''train'', ''bus'', ''ship'', ''plane'', ''other''))',
    'CHECK (ticket_kind = ''train'' OR ticket_kind = ''bus'' OR ticket_kind = ''ship'' OR ticket_kind = ''plane'' OR ticket_kind = ''other'')')
  WHERE type = 'table' AND name = 'departure';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (status IN (''preparing'', ''applied'', ''settled'', ''withdrawn''))',
    'CHECK (status = ''preparing'' OR status = ''applied'' OR status = ''settled'' OR status = ''withdrawn'')')
  WHERE type = 'table' AND name = 'settlement';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (method IN (''visit'', ''phone'', ''via_local''))',
    'CHECK (method = ''visit'' OR method = ''phone'' OR method = ''via_local'')')
  WHERE type = 'table' AND name = 'followup';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (risk_of_leaving IN (''low'', ''medium'', ''high''))',
    'CHECK (risk_of_leaving = ''low'' OR risk_of_leaving = ''medium'' OR risk_of_leaving = ''high'')')
  WHERE type = 'table' AND name = 'followup';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (campaign IN (''winter'', ''summer'', ''other''))',
    'CHECK (campaign = ''winter'' OR campaign = ''summer'' OR campaign = ''other'')')
  WHERE type = 'table' AND name = 'patrol';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (action IN (''brought_in'', ''escorted'', ''medical'', ''refused'',' || char (10) || '                                              ''supplies'', ''other''))',
    'CHECK (action = ''brought_in'' OR action = ''escorted'' OR action = ''medical'' OR action = ''refused'' OR action = ''supplies'' OR action = ''other'')')
  WHERE type = 'table' AND name = 'encounter';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (reporter_kind IN (''public'', ''sanitation_worker'', ''driver'',' || char (10) || '                                                        ''night_guard'', ''police'', ''chengguan'',' || char (10) || '                                                        ''staff'', ''other''))',
    'CHECK (reporter_kind = ''public'' OR reporter_kind = ''sanitation_worker'' OR reporter_kind = ''driver'' OR reporter_kind = ''night_guard'' OR reporter_kind = ''police'' OR reporter_kind = ''chengguan'' OR reporter_kind = ''staff'' OR reporter_kind = ''other'')')
  WHERE type = 'table' AND name = 'sighting_report';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (channel IN (''hotline_12345'', ''hotline_110'', ''station_hotline'',' || char (10) || '                                                  ''in_person'', ''online'', ''other''))',
    'CHECK (channel = ''hotline_12345'' OR channel = ''hotline_110'' OR channel = ''station_hotline'' OR channel = ''in_person'' OR channel = ''online'' OR channel = ''other'')')
  WHERE type = 'table' AND name = 'sighting_report';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (outcome IN (''pending'', ''brought_in'', ''refused'', ''not_found'', ''referred'', ''other''))',
    'CHECK (outcome = ''pending'' OR outcome = ''brought_in'' OR outcome = ''refused'' OR outcome = ''not_found'' OR outcome = ''referred'' OR outcome = ''other'')')
  WHERE type = 'table' AND name = 'sighting_report';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (agency IN (''medical'', ''education'', ''hrss'', ''housing'', ''police'',' || char (10) || '                                                     ''legal_aid'', ''charity'', ''civil_affairs'', ''other''))',
    'CHECK (agency = ''medical'' OR agency = ''education'' OR agency = ''hrss'' OR agency = ''housing'' OR agency = ''police'' OR agency = ''legal_aid'' OR agency = ''charity'' OR agency = ''civil_affairs'' OR agency = ''other'')')
  WHERE type = 'table' AND name = 'referral';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (status IN (''open'', ''in_progress'', ''done'', ''cancelled''))',
    'CHECK (status = ''open'' OR status = ''in_progress'' OR status = ''done'' OR status = ''cancelled'')')
  WHERE type = 'table' AND name = 'referral';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (kind IN (''ticket'', ''meal'', ''medical'', ''escort'', ''cash'', ''other''))',
    'CHECK (kind = ''ticket'' OR kind = ''meal'' OR kind = ''medical'' OR kind = ''escort'' OR kind = ''cash'' OR kind = ''other'')')
  WHERE type = 'table' AND name = 'expenditure';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (owner_entity IN (''person'', ''episode'', ''belonging'', ''departure'',' || char (10) || '                                                      ''escort_trip'', ''placement'', ''settlement'',' || char (10) || '                                                      ''followup'', ''encounter'', ''sighting_report'',' || char (10) || '                                                      ''referral'', ''expenditure'', ''tracing_step'',' || char (10) || '                                                      ''service_log'', ''staff''))',
    'CHECK (owner_entity = ''person'' OR owner_entity = ''episode'' OR owner_entity = ''belonging'' OR owner_entity = ''departure'' OR owner_entity = ''escort_trip'' OR owner_entity = ''placement'' OR owner_entity = ''settlement'' OR owner_entity = ''followup'' OR owner_entity = ''encounter'' OR owner_entity = ''sighting_report'' OR owner_entity = ''referral'' OR owner_entity = ''expenditure'' OR owner_entity = ''tracing_step'' OR owner_entity = ''service_log'' OR owner_entity = ''staff'')')
  WHERE type = 'table' AND name = 'attachment';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (kind IN (''photo'', ''fingerprint'', ''scan'', ''signature'', ''document'', ''other''))',
    'CHECK (kind = ''photo'' OR kind = ''fingerprint'' OR kind = ''scan'' OR kind = ''signature'' OR kind = ''document'' OR kind = ''other'')')
  WHERE type = 'table' AND name = 'attachment';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (decision IN (''kept_local'', ''took_remote'', ''other''))',
    'CHECK (decision = ''kept_local'' OR decision = ''took_remote'' OR decision = ''other'')')
  WHERE type = 'table' AND name = 'conflict';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (op IN (''insert'', ''update'', ''delete''))',
    'CHECK (op = ''insert'' OR op = ''update'' OR op = ''delete'')')
  WHERE type = 'table' AND name = 'outbox';
UPDATE sqlite_master SET sql = replace (sql,
    'CHECK (op IN (''insert'', ''update'', ''delete''))',
    'CHECK (op = ''insert'' OR op = ''update'' OR op = ''delete'')')
  WHERE type = 'table' AND name = 'audit';

-- Reread the schema on this connection; the table made and dropped moves
-- the schema cookie, so that other open connections reread it too.
PRAGMA writable_schema = RESET;
CREATE TABLE jz_schema_8 (x);
DROP TABLE jz_schema_8;
