/* test-store.c: schema, typed writes, validation, change capture
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <json.h>
#include <string.h>

#include "jz-actions.h"
#include "jz-blobs.h"
#include "jz-check.h"
#include "jz-hlc.h"
#include "jz-numbers.h"
#include "jz-records.h"
#include "jz-schema.h"
#include "jz-store.h"
#include "jz-test-audit-v11.h"
#include "jz-uuid.h"

typedef struct
{
  char    *dir;
  char    *path;
  JzStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("jz-test-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "station.db", NULL);
  f->store = jz_store_create (f->path, "320481-01", "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);

      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        remove_tree (p);
      else
        g_unlink (p);
    }
  g_rmdir (dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static gint64
count_raw (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static gint64
count (JzStore    *store,
       const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (jz_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
assert_check_ok (JzStore *store)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  gboolean ok = jz_store_check (store, problems, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < problems->len; i++)
    g_test_message ("problem: %s", (char *) problems->pdata[i]);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_true (ok);
}

static JzPerson *
make_person (const char *name)
{
  JzPerson *p = jz_person_new ();

  p->name = g_strdup (name);
  p->sex = g_strdup ("male");
  p->birth_precision = g_strdup ("exact");
  p->birth_date = g_strdup ("1980-05-06");
  p->hukou_region = g_strdup ("320481");
  return p;
}

static JzEpisode *
make_episode (const char *person_id)
{
  JzEpisode *e = jz_episode_new ();

  e->person_id = g_strdup (person_id);
  e->admitted_at = now_s () - 3600;
  e->source = g_strdup ("walk_in");
  return e;
}

static void
test_schema_matches (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GString) problems = g_string_new (NULL);

  g_assert_cmpint (jz_store_get_schema_version (f->store), ==, jz_store_get_code_schema_version ());
  g_assert_cmpint (jz_store_get_schema_version (f->store), >=, 2);
  if (!jz_schema_verify (jz_store_get_db (f->store), problems))
    g_test_message ("%s", problems->str);
  g_assert_cmpuint (problems->len, ==, 0);
  assert_check_ok (f->store);
}

static void
test_insert_and_read (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = make_person ("张伟");
  g_autoptr(JzEpisode) e = NULL;
  g_autoptr(JzPerson) back = NULL;
  g_autoptr(JzEpisode) eback = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now (g_time_zone_new_identifier ("Asia/Shanghai"));

  jz_store_set_actor (f->store, "0190a0b0-0000-7000-8000-000000000001");
  { gboolean ok_ = jz_store_insert_person (f->store, p, &error); g_assert_no_error (error); g_assert_true (ok_); }
  g_assert_true (jz_uuid_is_valid (p->rec.id));
  g_assert_cmpstr (p->rec.station, ==, "320481-01");
  g_assert_cmpint (p->rec.hlc, >, 0);
  g_assert_cmpstr (p->rec.updated_by, ==, "0190a0b0-0000-7000-8000-000000000001");

  e = make_episode (p->rec.id);
  { gboolean ok_ = jz_store_insert_episode (f->store, e, &error); g_assert_no_error (error); g_assert_true (ok_); }
  prefix = g_strdup_printf ("320481-01-%04d-0000", g_date_time_get_year (now));
  g_assert_true (g_str_has_prefix (e->number, prefix));
  g_assert_cmpstr (e->status, ==, "screening");
  g_assert_cmpint (e->rec.hlc, >, p->rec.hlc);

  back = jz_store_get_person (f->store, p->rec.id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->name, ==, "张伟");
  g_assert_cmpstr (back->birth_date, ==, "1980-05-06");
  g_assert_cmpint (back->estimated_age, ==, -1);
  g_assert_cmpint (back->rec.hlc, ==, p->rec.hlc);

  eback = jz_store_get_episode (f->store, e->rec.id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (eback->number, ==, e->number);
  g_assert_true (eback->in_station);

  g_assert_null (jz_store_get_person (f->store, "0190a0b0-0000-7000-8000-00000000ffff", &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_NOT_FOUND);

  assert_check_ok (f->store);
}

/* Each bad record is refused with INVALID and a message naming the field,
 * and nothing changes: rows, outbox, audit, counters. */
static void
test_validation (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) good = make_person ("李娜");
  struct {
    const char *what;
    const char *expect;   /* in the message */
  } cases[] = {
    { "no name", "name" },
    { "bad sex", "sex" },
    { "bad date", "YYYY-MM-DD" },
    { "future birth", "future" },
    { "bad region", "region" },
    { "unknown region", "GB/T 2260" },
    { "bad id", "ID number" },
    { "estimated without age", "estimated age" },
    { "aliases not array", "aliases" },
    { "height", "height" },
    { "ethnicity", "ethnic" },
    { "flags", "special categories" },
  };
  gint64 before_outbox, before_audit, before_person;

  { gboolean ok_ = jz_store_insert_person (f->store, good, &error); g_assert_no_error (error); g_assert_true (ok_); }
  before_outbox = count (f->store, "SELECT count(*) FROM outbox");
  before_audit = count (f->store, "SELECT count(*) FROM audit");
  before_person = count (f->store, "SELECT count(*) FROM person");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JzPerson) p = make_person ("王芳");
      g_autoptr(GError) err = NULL;

      switch (i)
        {
        case 0: g_clear_pointer (&p->name, g_free); break;
        case 1: g_free (p->sex); p->sex = g_strdup ("x"); break;
        case 2: g_free (p->birth_date); p->birth_date = g_strdup ("1980-13-40"); break;
        case 3: g_free (p->birth_date); p->birth_date = g_strdup ("2999-01-01"); break;
        case 4: g_free (p->hukou_region); p->hukou_region = g_strdup ("32ab81"); break;
        case 5: g_free (p->hukou_region); p->hukou_region = g_strdup ("329999"); break;
        case 6: p->id_number = g_strdup ("320481198005060011"); break;
        case 7: g_free (p->birth_precision); p->birth_precision = g_strdup ("estimated"); break;
        case 8: p->aliases = g_strdup ("{\"a\":1}"); break;
        case 9: p->height_cm = 900; break;
        case 10: p->ethnicity = 60; break;
        case 11: p->flags = 1u << 20; break;
        }
      g_assert_false (jz_store_insert_person (f->store, p, &err));
      g_assert_error (err, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
      g_test_message ("%s: %s", cases[i].what, err->message);
      g_assert_nonnull (strstr (err->message, cases[i].expect));
    }

  /* A record referring to nothing. */
  {
    g_autoptr(JzEpisode) e = make_episode ("0190a0b0-0000-7000-8000-00000000ffff");
    g_autoptr(GError) err = NULL;

    g_assert_false (jz_store_insert_episode (f->store, e, &err));
    g_assert_error (err, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
    g_assert_nonnull (strstr (err->message, "person"));
  }
  /* Refusal without reason. */
  {
    g_autoptr(JzEpisode) e = make_episode (good->rec.id);
    g_autoptr(GError) err = NULL;

    e->eligibility = g_strdup ("refuse");
    g_assert_false (jz_store_insert_episode (f->store, e, &err));
    g_assert_error (err, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
    g_assert_nonnull (strstr (err->message, "reason"));
  }
  /* Admission in the future. */
  {
    g_autoptr(JzEpisode) e = make_episode (good->rec.id);
    g_autoptr(GError) err = NULL;

    e->admitted_at = now_s () + 10 * 86400;
    g_assert_false (jz_store_insert_episode (f->store, e, &err));
    g_assert_error (err, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
    g_assert_nonnull (strstr (err->message, "admission time"));
  }

  g_assert_cmpint (count (f->store, "SELECT count(*) FROM outbox"), ==, before_outbox);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM audit"), ==, before_audit);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM person"), ==, before_person);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM episode"), ==, 0);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM number_counter"), ==, 0);
  assert_check_ok (f->store);
}

static void
test_unknown_name_placeholder (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) a = jz_person_new ();
  g_autoptr(JzPerson) b = jz_person_new ();
  g_autofree char *name = NULL;

  a->name_quality = g_strdup ("unknown");
  a->birth_precision = g_strdup ("estimated");
  a->estimated_age = 0;
  { gboolean ok_ = jz_store_insert_person (f->store, a, &error); g_assert_no_error (error); g_assert_true (ok_); }
  g_assert_cmpint (a->placeholder_no, ==, 1);
  g_assert_cmpint (a->estimated_age, ==, 0);
  g_assert_nonnull (a->estimated_on);
  name = jz_person_display_name (a);
  g_assert_cmpstr (name, ==, "无名氏1");

  b->name_quality = g_strdup ("unknown");
  g_assert_true (jz_store_insert_person (f->store, b, &error));
  g_assert_cmpint (b->placeholder_no, ==, 2);
}

/* Updates are optimistic and keep station and number. */
static void
test_update_conflict (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = make_person ("赵强");
  g_autoptr(JzPerson) copy = NULL;
  gint64 first_hlc;

  g_assert_true (jz_store_insert_person (f->store, p, &error));
  copy = jz_record_copy (&jz_entity_person, p);
  first_hlc = p->rec.hlc;

  g_free (p->dialect);
  p->dialect = g_strdup ("苏州话");
  { gboolean ok_ = jz_store_update_person (f->store, p, &error); g_assert_no_error (error); g_assert_true (ok_); }
  g_assert_cmpint (p->rec.hlc, >, first_hlc);

  /* A stale copy cannot overwrite the newer version. */
  g_free (copy->marks);
  copy->marks = g_strdup ("左臂纹身");
  g_assert_false (jz_store_update_person (f->store, copy, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_CONFLICT);
  g_clear_error (&error);

  /* The outbox holds only what changed, based on the previous version. */
  {
    sqlite3_stmt *stmt = NULL;
    json_object *obj, *v;

    sqlite3_prepare_v2 (jz_store_get_db (f->store),
                        "SELECT op, base_rev, hlc, fields_json FROM outbox ORDER BY seq DESC LIMIT 1",
                        -1, &stmt, NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "update");
    g_assert_cmpint (sqlite3_column_int64 (stmt, 1), ==, first_hlc);
    g_assert_cmpint (sqlite3_column_int64 (stmt, 2), ==, p->rec.hlc);
    obj = json_tokener_parse ((const char *) sqlite3_column_text (stmt, 3));
    g_assert_true (json_object_object_get_ex (obj, "dialect", &v));
    g_assert_cmpstr (json_object_get_string (v), ==, "苏州话");
    g_assert_false (json_object_object_get_ex (obj, "name", NULL));
    g_assert_true (json_object_object_get_ex (obj, "hlc", NULL));
    json_object_put (obj);
    sqlite3_finalize (stmt);
  }
  assert_check_ok (f->store);
}

/* One valid record of every synced entity, children after parents. */
static gpointer
make_record (Fixture        *f,
             const JzEntity *entity,
             GHashTable     *made)
{
  const char *person = g_hash_table_lookup (made, "person");
  const char *episode = g_hash_table_lookup (made, "episode");
  gint64 t = now_s () - 600;
  gpointer r = jz_record_new (entity);

  if (entity == &jz_entity_staff)
    ((JzStaff *) r)->name = g_strdup ("周敏");
  else if (entity == &jz_entity_room)
    {
      ((JzRoom *) r)->name = g_strdup ("男一室");
      ((JzRoom *) r)->kind = g_strdup ("men");
    }
  else if (entity == &jz_entity_bed)
    {
      ((JzBed *) r)->room_id = g_strdup (g_hash_table_lookup (made, "room"));
      ((JzBed *) r)->label = g_strdup ("1");
    }
  else if (entity == &jz_entity_person)
    {
      jz_record_free (entity, r);
      r = make_person ("孙丽");
    }
  else if (entity == &jz_entity_episode)
    {
      jz_record_free (entity, r);
      r = make_episode (person);
    }
  else if (entity == &jz_entity_belonging)
    {
      ((JzBelonging *) r)->episode_id = g_strdup (episode);
      ((JzBelonging *) r)->item = g_strdup ("手机");
    }
  else if (entity == &jz_entity_service_log)
    {
      ((JzServiceLog *) r)->episode_id = g_strdup (episode);
      ((JzServiceLog *) r)->at = t;
      ((JzServiceLog *) r)->kind = g_strdup ("meal");
    }
  else if (entity == &jz_entity_tracing_step)
    {
      ((JzTracingStep *) r)->episode_id = g_strdup (episode);
      ((JzTracingStep *) r)->at = t;
      ((JzTracingStep *) r)->method = g_strdup ("dialect");
    }
  else if (entity == &jz_entity_stay_extension)
    {
      ((JzStayExtension *) r)->episode_id = g_strdup (episode);
      ((JzStayExtension *) r)->filed_by = g_strdup (g_hash_table_lookup (made, "staff"));
      ((JzStayExtension *) r)->filed_at = t;
      ((JzStayExtension *) r)->new_deadline = t + 20 * 86400;
      ((JzStayExtension *) r)->reason = g_strdup ("治疗中");
    }
  else if (entity == &jz_entity_departure)
    {
      ((JzDepartureRecord *) r)->episode_id = g_strdup (episode);
      ((JzDepartureRecord *) r)->departed_at = t;
      ((JzDepartureRecord *) r)->mode = g_strdup ("ticket");
    }
  else if (entity == &jz_entity_escort_trip)
    ((JzEscortTrip *) r)->episode_id = g_strdup (episode);
  else if (entity == &jz_entity_placement)
    {
      ((JzPlacement *) r)->person_id = g_strdup (person);
      ((JzPlacement *) r)->institution = g_strdup ("溧阳市社会福利院");
      ((JzPlacement *) r)->started_at = t;
    }
  else if (entity == &jz_entity_settlement)
    ((JzSettlement *) r)->person_id = g_strdup (person);
  else if (entity == &jz_entity_followup)
    {
      ((JzFollowup *) r)->person_id = g_strdup (person);
      ((JzFollowup *) r)->due_at = t + 30 * 86400;
    }
  else if (entity == &jz_entity_patrol)
    ((JzPatrol *) r)->started_at = t;
  else if (entity == &jz_entity_encounter)
    {
      ((JzEncounter *) r)->patrol_id = g_strdup (g_hash_table_lookup (made, "patrol"));
      ((JzEncounter *) r)->at = t;
      ((JzEncounter *) r)->action = g_strdup ("supplies");
      ((JzEncounter *) r)->latitude = 31.43;
      ((JzEncounter *) r)->longitude = 119.48;
    }
  else if (entity == &jz_entity_encounter_item)
    {
      ((JzEncounterItem *) r)->encounter_id = g_strdup (g_hash_table_lookup (made, "encounter"));
      ((JzEncounterItem *) r)->item = g_strdup ("棉被");
    }
  else if (entity == &jz_entity_sighting_report)
    {
      ((JzSightingReport *) r)->reported_at = t;
      ((JzSightingReport *) r)->reporter_kind = g_strdup ("driver");
      ((JzSightingReport *) r)->channel = g_strdup ("hotline_12345");
    }
  else if (entity == &jz_entity_referral)
    {
      ((JzReferral *) r)->episode_id = g_strdup (episode);
      ((JzReferral *) r)->agency = g_strdup ("medical");
      ((JzReferral *) r)->referred_at = t;
      ((JzReferral *) r)->first_responsible = g_strdup (g_hash_table_lookup (made, "staff"));
    }
  else if (entity == &jz_entity_expenditure)
    {
      ((JzExpenditure *) r)->episode_id = g_strdup (episode);
      ((JzExpenditure *) r)->spent_at = t;
      ((JzExpenditure *) r)->kind = g_strdup ("ticket");
      ((JzExpenditure *) r)->amount_fen = 4550;
    }
  else if (entity == &jz_entity_attachment)
    {
      ((JzAttachment *) r)->owner_entity = g_strdup ("person");
      ((JzAttachment *) r)->owner_id = g_strdup (person);
      ((JzAttachment *) r)->kind = g_strdup ("photo");
      ((JzAttachment *) r)->sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "x", -1);
      ((JzAttachment *) r)->mime = g_strdup ("image/jpeg");
      ((JzAttachment *) r)->size = 1;
    }
  else if (entity == &jz_entity_conflict)
    {
      ((JzConflict *) r)->entity = g_strdup ("person");
      ((JzConflict *) r)->entity_id = g_strdup (person);
      ((JzConflict *) r)->field = g_strdup ("name");
      ((JzConflict *) r)->local_value = g_strdup ("\"孙丽\"");
      ((JzConflict *) r)->remote_value = g_strdup ("\"孙莉\"");
    }
  else if (entity == &jz_entity_holiday)
    {
      ((JzHoliday *) r)->date = g_strdup ("2026-10-01");
      ((JzHoliday *) r)->name = g_strdup ("国庆节");
    }
  else
    g_assert_not_reached ();
  return r;
}

/* Changes one plain field so that an update has something to capture. */
static void
touch_record (const JzEntity *entity,
              gpointer        r)
{
  for (guint i = 0; i < entity->n_fields; i++)
    {
      const JzField *fd = &entity->fields[i];
      char **p = (char **) ((guint8 *) r + fd->offset);

      if (fd->type == JZ_FIELD_TEXT && !(fd->flags & JZ_FIELD_KEY) &&
          !g_str_equal (fd->name, "number") && !g_str_equal (fd->name, "sha256") &&
          !g_str_equal (fd->name, "owner_id") && !g_str_equal (fd->name, "entity_id") &&
          !g_str_equal (fd->name, "from_station") && !g_str_equal (fd->name, "remote_station") &&
          !g_str_equal (fd->name, "signed_in") && !g_str_equal (fd->name, "signed_out"))
        {
          g_free (*p);
          *p = g_strdup ("改");
          return;
        }
    }
  g_assert_not_reached ();
}

static void
last_outbox (JzStore    *store,
             char      **entity,
             char      **op,
             char      **entity_id)
{
  sqlite3_stmt *stmt = NULL;

  sqlite3_prepare_v2 (jz_store_get_db (store), "SELECT entity, op, entity_id FROM outbox ORDER BY seq DESC LIMIT 1",
                      -1, &stmt, NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  *entity = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  *op = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  *entity_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  sqlite3_finalize (stmt);
}

static void
test_outbox_every_table (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GHashTable) made = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GPtrArray) records = g_ptr_array_new ();
  guint n_entities;
  const JzEntity * const *entities = jz_schema_entities (&n_entities);

  for (guint e = 0; e < n_entities; e++)
    {
      const JzEntity *entity = entities[e];
      gboolean synced = (entity->flags & JZ_ENTITY_SYNCED) != 0;
      gpointer r = make_record (f, entity, made);
      g_autoptr(GError) error = NULL;
      g_autofree char *ent = NULL, *op = NULL, *id = NULL;
      gint64 outbox_before = count (f->store, "SELECT count(*) FROM outbox");
      gint64 audit_before = count (f->store, "SELECT count(*) FROM audit");
      const char *key;

      g_test_message ("entity %s", entity->name);
      { gboolean ok_ = jz_store_insert (f->store, entity, r, &error); g_assert_no_error (error); g_assert_true (ok_); }
      key = synced ? ((JzRecord *) r)->id : ((JzHoliday *) r)->date;
      g_hash_table_insert (made, (gpointer) entity->name, g_strdup (key));
      g_assert_cmpint (count (f->store, "SELECT count(*) FROM audit"), ==, audit_before + 1);
      if (synced)
        {
          g_assert_cmpint (count (f->store, "SELECT count(*) FROM outbox"), ==, outbox_before + 1);
          last_outbox (f->store, &ent, &op, &id);
          g_assert_cmpstr (ent, ==, entity->name);
          g_assert_cmpstr (op, ==, "insert");
          g_assert_cmpstr (id, ==, key);
          g_clear_pointer (&ent, g_free);
          g_clear_pointer (&op, g_free);
          g_clear_pointer (&id, g_free);
        }
      else
        g_assert_cmpint (count (f->store, "SELECT count(*) FROM outbox"), ==, outbox_before);

      touch_record (entity, r);
      { gboolean ok_ = jz_store_update (f->store, entity, r, &error); g_assert_no_error (error); g_assert_true (ok_); }
      g_assert_cmpint (count (f->store, "SELECT count(*) FROM audit"), ==, audit_before + 2);
      if (synced)
        {
          last_outbox (f->store, &ent, &op, &id);
          g_assert_cmpstr (op, ==, "update");
          g_clear_pointer (&ent, g_free);
          g_clear_pointer (&op, g_free);
          g_clear_pointer (&id, g_free);
        }
      g_ptr_array_add (records, r);
    }
  assert_check_ok (f->store);

  /* Delete in reverse order (children first). */
  for (guint e = n_entities; e-- > 0;)
    {
      const JzEntity *entity = entities[e];
      gboolean synced = (entity->flags & JZ_ENTITY_SYNCED) != 0;
      gpointer r = records->pdata[e];
      g_autoptr(GError) error = NULL;
      g_autofree char *ent = NULL, *op = NULL, *id = NULL;
      gint64 outbox_before = count (f->store, "SELECT count(*) FROM outbox");

      { gboolean ok_ = jz_store_delete (f->store, entity, synced ? ((JzRecord *) r)->id : ((JzHoliday *) r)->date,
                                      synced ? ((JzRecord *) r)->hlc : 0, &error); g_assert_no_error (error); g_assert_true (ok_); }
      if (synced)
        {
          g_assert_cmpint (count (f->store, "SELECT count(*) FROM outbox"), ==, outbox_before + 1);
          last_outbox (f->store, &ent, &op, &id);
          g_assert_cmpstr (ent, ==, entity->name);
          g_assert_cmpstr (op, ==, "delete");
        }
      jz_record_free (entity, r);
    }
  assert_check_ok (f->store);
}

/* While the sync applies pulled changes, nothing is queued, but the audit
 * log still records them (device 0, actor = the change's author). */
static void
test_applying_is_silent (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = make_person ("钱多");
  gint64 outbox_before = count (f->store, "SELECT count(*) FROM outbox");
  gint64 audit_before = count (f->store, "SELECT count(*) FROM audit");

  jz_store_set_actor (f->store, "0190a0b0-0000-7000-8000-0000000000aa");
  jz_store_set_applying (f->store, TRUE);
  g_assert_true (jz_store_get_applying (f->store));
  { gboolean ok_ = jz_store_insert_person (f->store, p, &error); g_assert_no_error (error); g_assert_true (ok_); }
  g_free (p->dialect);
  p->dialect = g_strdup ("粤语");
  g_assert_true (jz_store_update_person (f->store, p, &error));
  { gboolean ok_ = jz_store_delete (f->store, &jz_entity_person, p->rec.id, p->rec.hlc, &error); g_assert_no_error (error); g_assert_true (ok_); }
  jz_store_set_applying (f->store, FALSE);

  g_assert_cmpint (count (f->store, "SELECT count(*) FROM outbox"), ==, outbox_before);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM audit"), ==, audit_before + 3);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM audit WHERE device = 0 "
                                    "AND actor = '0190a0b0-0000-7000-8000-0000000000aa'"), ==, 3);
  assert_check_ok (f->store);
}

static void
test_outbox_autoincrement (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 max_before;

  for (int i = 0; i < 3; i++)
    {
      g_autoptr(JzPerson) p = make_person ("吴军");
      g_assert_true (jz_store_insert_person (f->store, p, &error));
    }
  max_before = count (f->store, "SELECT max(seq) FROM outbox");
  g_assert_cmpint (max_before, ==, 3);
  /* The sync prunes acknowledged changes; a seq must never come back. */
  g_assert_true (jz_store_exec (f->store, "UPDATE outbox SET acked = 1; DELETE FROM outbox", &error));
  {
    g_autoptr(JzPerson) p = make_person ("吴军");
    g_assert_true (jz_store_insert_person (f->store, p, &error));
  }
  g_assert_cmpint (count (f->store, "SELECT max(seq) FROM outbox"), ==, max_before + 1);
}

/* Several writes in one user action: either all or nothing. */
static void
test_savepoints (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = make_person ("郑好");
  g_autoptr(JzPerson) bad = make_person ("郑差");
  g_assert_true (jz_store_write_begin (f->store, &error));
  g_assert_true (jz_store_insert_person (f->store, p, &error));
  g_free (bad->sex);
  bad->sex = g_strdup ("?");
  g_assert_false (jz_store_insert_person (f->store, bad, &error));
  g_clear_error (&error);
  /* The failed inner write is undone, the outer one goes on. */
  g_assert_true (jz_store_write_end (f->store, FALSE, NULL) == FALSE);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM person"), ==, 0);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM outbox"), ==, 0);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM audit"), ==, 0);
}

static void
on_changed (JzStore    *store,
            const char *table,
            gpointer    data)
{
  GPtrArray *seen = data;

  g_ptr_array_add (seen, g_strdup (table));
}

static void
test_changed_signal (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JzPerson) p = make_person ("冯雪");

  g_signal_connect (f->store, "changed", G_CALLBACK (on_changed), seen);
  g_assert_true (jz_store_write_begin (f->store, &error));
  g_assert_true (jz_store_insert_person (f->store, p, &error));
  g_assert_cmpuint (seen->len, ==, 0);    /* not before the commit */
  g_assert_true (jz_store_write_end (f->store, TRUE, &error));
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpstr (seen->pdata[0], ==, "person");
}

static void
test_hlc (void)
{
  JzHlc hlc;
  guint64 a, b, c, d;

  jz_hlc_init (&hlc, 0);
  a = jz_hlc_now_at (&hlc, 1000);
  g_assert_cmpuint (JZ_HLC_MS (a), ==, 1000);
  g_assert_cmpuint (JZ_HLC_COUNTER (a), ==, 0);
  b = jz_hlc_now_at (&hlc, 1000);
  g_assert_cmpuint (b, ==, a + 1);
  /* The wall clock going back does not take the clock back. */
  c = jz_hlc_now_at (&hlc, 500);
  g_assert_cmpuint (c, >, b);
  /* A remote value from the future moves the clock past it. */
  d = jz_hlc_observe_at (&hlc, JZ_HLC_MAKE (5000, 7), 1200);
  g_assert_cmpuint (d, >, JZ_HLC_MAKE (5000, 7));
  g_assert_cmpuint (JZ_HLC_MS (d), ==, 5000);
  g_assert_cmpuint (jz_hlc_now_at (&hlc, 6000), ==, JZ_HLC_MAKE (6000, 0));
}

/* The clock is persisted: a reopened store (or a second connection)
 * continues after the last value even when the wall clock is behind. */
static void
test_hlc_persisted (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) other = NULL;
  gint64 future = (gint64) JZ_HLC_MAKE ((g_get_real_time () / 1000) + 3600 * 1000, 5);
  gint64 v;

  g_assert_true (jz_store_write_begin (f->store, &error));
  g_assert_true (jz_store_hlc_observe (f->store, future, &error));
  g_assert_true (jz_store_write_end (f->store, TRUE, &error));

  other = jz_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (jz_store_write_begin (other, &error));
  v = jz_store_hlc_now (other, &error);
  g_assert_true (jz_store_write_end (other, TRUE, &error));
  g_assert_cmpint (v, >, future);
}

static void
test_episode_numbers (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = make_person ("陈静");
  g_autoptr(GArray) blocks = NULL;
  JzNumberBlock mine[] = { { 100000, 100002 } };
  g_assert_true (jz_store_insert_person (f->store, p, &error));
  blocks = jz_store_get_number_blocks (f->store, &error);
  g_assert_cmpuint (blocks->len, ==, 1);
  g_assert_cmpint (g_array_index (blocks, JzNumberBlock, 0).first, ==, 1);
  g_assert_cmpint (g_array_index (blocks, JzNumberBlock, 0).last, ==, 99999);

  g_assert_true (jz_store_set_number_blocks (f->store, mine, 1, &error));
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(JzEpisode) e = make_episode (p->rec.id);
      g_autofree char *tail = g_strdup_printf ("-10000%d", i);

      { gboolean ok_ = jz_store_insert_episode (f->store, e, &error); g_assert_no_error (error); g_assert_true (ok_); }
      g_assert_true (g_str_has_suffix (e->number, tail));
    }
  {
    g_autoptr(JzEpisode) e = make_episode (p->rec.id);
    gint64 before = count (f->store, "SELECT count(*) FROM outbox");

    g_assert_false (jz_store_insert_episode (f->store, e, &error));
    g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_FULL);
    g_clear_error (&error);
    g_assert_cmpint (count (f->store, "SELECT count(*) FROM outbox"), ==, before);
  }
  /* Overlapping blocks are refused. */
  {
    JzNumberBlock bad[] = { { 1, 500 }, { 400, 900 } };
    g_assert_false (jz_store_set_number_blocks (f->store, bad, 2, &error));
    g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
  }
}

static JzBelonging *
make_belonging (const char *item,
                gint64      qty)
{
  JzBelonging *b = jz_belonging_new ();

  b->item = g_strdup (item);
  b->qty = qty;
  return b;
}

static void
test_register_intake (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = make_person ("刘洋");
  g_autoptr(JzEpisode) e = jz_episode_new ();
  g_autoptr(JzBelonging) b1 = make_belonging ("身份证", 1);
  g_autoptr(JzBelonging) b2 = make_belonging ("现金", 35);
  JzBelonging *items[] = { b1, b2 };
  g_autoptr(GPtrArray) of_person = NULL;
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  guint n = 0;

  e->admitted_at = now_s () - 7200;
  e->source = g_strdup ("police_escort");
  e->status = g_strdup ("admitted");
  e->eligibility = g_strdup ("admit");
  { gboolean ok_ = jz_store_register_intake (f->store, p, e, items, 2, &error); g_assert_no_error (error); g_assert_true (ok_); }
  g_assert_cmpstr (e->person_id, ==, p->rec.id);
  g_assert_cmpstr (b2->episode_id, ==, e->rec.id);
  g_assert_cmpint (b1->received_at, ==, e->admitted_at);
  /* An adult without disability gets the 10-day limit. */
  g_assert_cmpint (e->stay_deadline, >=, e->admitted_at + 9 * 86400);
  g_assert_cmpint (e->stay_deadline, <=, e->admitted_at + 11 * 86400);

  of_person = jz_store_list_episodes_of_person (f->store, p->rec.id, &error);
  g_assert_cmpuint (of_person->len, ==, 1);
  open = jz_store_list_open_episodes (f->store, &error);
  g_assert_cmpuint (open->len, ==, 1);
  cases = jz_store_list_cases (f->store, 0, 50, &error);
  g_assert_cmpuint (cases->len, ==, 1);
  g_assert_cmpstr (((JzCaseRow *) cases->pdata[0])->person_name, ==, "刘洋");
  g_assert_cmpint (jz_store_count_cases (f->store, &error), ==, 1);

  /* A bad belonging undoes the whole registration. */
  {
    g_autoptr(JzPerson) p2 = make_person ("黄河");
    g_autoptr(JzEpisode) e2 = make_episode (NULL);
    g_autoptr(JzBelonging) ok_item = make_belonging ("背包", 1);
    g_autoptr(JzBelonging) bad_item = make_belonging ("", 1);
    JzBelonging *items2[] = { ok_item, bad_item };
    gint64 persons = count (f->store, "SELECT count(*) FROM person");
    gint64 outbox = count (f->store, "SELECT count(*) FROM outbox");
    gint64 counters = count (f->store, "SELECT sum(last) FROM number_counter");

    g_assert_false (jz_store_register_intake (f->store, p2, e2, items2, 2, &error));
    g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "Belonging 2"));
    g_clear_error (&error);
    g_assert_cmpint (count (f->store, "SELECT count(*) FROM person"), ==, persons);
    g_assert_cmpint (count (f->store, "SELECT count(*) FROM outbox"), ==, outbox);
    g_assert_cmpint (count (f->store, "SELECT sum(last) FROM number_counter"), ==, counters);
  }

  g_assert_true (jz_store_return_belongings (f->store, e->rec.id, 0, &n, &error));
  g_assert_cmpuint (n, ==, 2);
  g_assert_true (jz_store_return_belongings (f->store, e->rec.id, 0, &n, &error));
  g_assert_cmpuint (n, ==, 0);
  assert_check_ok (f->store);
}

static void
test_departure_rules (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) child = make_person ("小明");
  g_autoptr(JzEpisode) e = make_episode (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) born = g_date_time_add_years (now, -12);
  g_autofree char *birth = g_date_time_format (born, "%Y-%m-%d");

  g_free (child->birth_date);
  child->birth_date = g_strdup (birth);
  e->status = g_strdup ("admitted");
  { gboolean ok_ = jz_store_register_intake (f->store, child, e, NULL, 0, &error); g_assert_no_error (error); g_assert_true (ok_); }
  /* Under 16: no stay limit, and no leaving alone. */
  g_assert_cmpint (e->stay_deadline, ==, 0);
  {
    g_autoptr(JzDepartureRecord) d = jz_departure_new ();
    gint64 outbox = count (f->store, "SELECT count(*) FROM outbox");

    d->mode = g_strdup ("self_return");
    g_assert_false (jz_store_record_departure (f->store, e, d, &error));
    g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
    g_test_message ("%s", error->message);
    g_clear_error (&error);
    g_assert_cmpint (count (f->store, "SELECT count(*) FROM outbox"), ==, outbox);
    g_assert_cmpint (count (f->store, "SELECT count(*) FROM departure"), ==, 0);
  }
  /* Changing the status to departed by hand is refused. */
  {
    g_autoptr(JzEpisode) copy = jz_record_copy (&jz_entity_episode, e);

    g_free (copy->status);
    copy->status = g_strdup ("departed");
    copy->departed_at = now_s ();
    g_assert_false (jz_store_update_episode (f->store, copy, &error));
    g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
    g_clear_error (&error);
  }
  /* Collected by a relative with an ID number: accepted. */
  {
    g_autoptr(JzDepartureRecord) d = jz_departure_new ();

    d->mode = g_strdup ("collected");
    d->collector_name = g_strdup ("小明爸爸");
    d->collector_id_number = g_strdup ("11010519491231002X");
    d->cross_province = TRUE;
    { gboolean ok_ = jz_store_record_departure (f->store, e, d, &error); g_assert_no_error (error); g_assert_true (ok_); }
    g_assert_cmpstr (e->status, ==, "departed");
    g_assert_cmpint (e->departed_at, ==, d->departed_at);
  }
  /* Cash over 20 yuan needs a reason. */
  {
    g_autoptr(JzPerson) adult = make_person ("高山");
    g_autoptr(JzEpisode) e2 = make_episode (NULL);
    g_autoptr(JzDepartureRecord) d = jz_departure_new ();

    e2->status = g_strdup ("admitted");
    { gboolean ok_ = jz_store_register_intake (f->store, adult, e2, NULL, 0, &error); g_assert_no_error (error); g_assert_true (ok_); }
    d->mode = g_strdup ("self_return");
    d->cash_fen = 2500;
    d->declaration_signed = TRUE;
    g_assert_false (jz_store_record_departure (f->store, e2, d, &error));
    g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
    g_clear_error (&error);
    d->cash_reason = g_strdup ("车站较远");
    { gboolean ok_ = jz_store_record_departure (f->store, e2, d, &error); g_assert_no_error (error); g_assert_true (ok_); }
  }
  assert_check_ok (f->store);
}

static void
test_beds_and_extension (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzRoom) men = jz_room_new ();
  g_autoptr(JzBed) bed = jz_bed_new ();
  g_autoptr(JzPerson) a = make_person ("马超");
  g_autoptr(JzPerson) w = make_person ("林静");
  g_autoptr(JzEpisode) ea = make_episode (NULL);
  g_autoptr(JzEpisode) ew = make_episode (NULL);
  g_autoptr(JzEpisode) eb = make_episode (NULL);
  g_autoptr(JzPerson) b = make_person ("许亮");
  g_autoptr(GPtrArray) beds = NULL;
  g_autoptr(JzStayExtension) ext = jz_stay_extension_new ();
  gint64 old_deadline;

  men->name = g_strdup ("男一室");
  men->kind = g_strdup ("men");
  g_assert_true (jz_store_insert_room (f->store, men, &error));
  bed->room_id = g_strdup (men->rec.id);
  bed->label = g_strdup ("3");
  g_assert_true (jz_store_insert_bed (f->store, bed, &error));
  g_free (w->sex);
  w->sex = g_strdup ("female");
  ea->status = g_strdup ("admitted");
  ew->status = g_strdup ("admitted");
  eb->status = g_strdup ("admitted");
  g_assert_true (jz_store_register_intake (f->store, a, ea, NULL, 0, &error));
  g_assert_true (jz_store_register_intake (f->store, w, ew, NULL, 0, &error));
  g_assert_true (jz_store_register_intake (f->store, b, eb, NULL, 0, &error));
  g_assert_no_error (error);

  { gboolean ok_ = jz_store_assign_bed (f->store, ea, bed->rec.id, &error); g_assert_no_error (error); g_assert_true (ok_); }
  g_assert_false (jz_store_assign_bed (f->store, ew, bed->rec.id, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "room"));
  g_clear_error (&error);
  g_assert_false (jz_store_assign_bed (f->store, eb, bed->rec.id, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "taken"));
  g_clear_error (&error);

  beds = jz_store_list_bed_occupancy (f->store, &error);
  g_assert_cmpuint (beds->len, ==, 1);
  g_assert_cmpstr (((JzBedOccupancy *) beds->pdata[0])->episode_id, ==, ea->rec.id);
  g_assert_cmpstr (((JzBedOccupancy *) beds->pdata[0])->person_name, ==, "马超");

  old_deadline = ea->stay_deadline;
  g_assert_cmpint (old_deadline, >, 0);
  ext->episode_id = g_strdup (ea->rec.id);
  ext->filed_by = g_strdup ("0190a0b0-0000-7000-8000-000000000001");
  ext->new_deadline = old_deadline + 10 * 86400;
  ext->reason = g_strdup ("等待家属接领");
  { gboolean ok_ = jz_store_extend_stay (f->store, ext, &error); g_assert_no_error (error); g_assert_true (ok_); }
  {
    g_autoptr(JzEpisode) back = jz_store_get_episode (f->store, ea->rec.id, &error);
    g_assert_cmpint (back->stay_deadline, ==, old_deadline + 10 * 86400);
  }
  /* A person cannot be deleted while an episode refers to them. */
  g_assert_false (jz_store_delete (f->store, &jz_entity_person, b->rec.id, 0, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
  g_clear_error (&error);
  assert_check_ok (f->store);
}

static void
test_attachments (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = make_person ("照片人");
  g_autoptr(JzAttachment) a = jz_attachment_new ();
  g_autoptr(JzAttachment) b = jz_attachment_new ();
  g_autoptr(GBytes) bytes = g_bytes_new_static ("\x89PNG fake photo", 15);
  g_autoptr(GBytes) back = NULL;
  g_autofree char *path = NULL;
  g_autofree char *expected_tail = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  JzCheckSummary summary = { 0, };

  g_assert_true (jz_store_insert_person (f->store, p, &error));
  a->owner_entity = g_strdup ("person");
  a->owner_id = g_strdup (p->rec.id);
  a->kind = g_strdup ("photo");
  a->mime = g_strdup ("image/png");
  { gboolean ok_ = jz_store_add_attachment (f->store, a, bytes, &error); g_assert_no_error (error); g_assert_true (ok_); }
  g_assert_true (jz_sha256_is_valid (a->sha256));
  g_assert_cmpint (a->size, ==, 15);
  path = jz_store_blob_path (f->store, a->sha256);
  expected_tail = g_strdup_printf ("blobs/%.2s/%s", a->sha256, a->sha256);
  g_assert_true (g_str_has_suffix (path, expected_tail));
  back = jz_store_read_blob (f->store, a->sha256, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, bytes));

  /* The same content again is stored once. */
  b->owner_entity = g_strdup ("person");
  b->owner_id = g_strdup (p->rec.id);
  b->kind = g_strdup ("scan");
  b->mime = g_strdup ("image/png");
  g_assert_true (jz_store_add_attachment (f->store, b, bytes, &error));
  g_assert_cmpstr (b->sha256, ==, a->sha256);

  /* An owner that does not exist is refused. */
  {
    g_autoptr(JzAttachment) c = jz_attachment_new ();

    c->owner_entity = g_strdup ("episode");
    c->owner_id = g_strdup (p->rec.id);
    c->kind = g_strdup ("scan");
    c->mime = g_strdup ("image/png");
    g_assert_false (jz_store_add_attachment (f->store, c, bytes, &error));
    g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
    g_clear_error (&error);
  }

  g_assert_true (jz_store_check (f->store, problems, &summary, &error));
  g_assert_cmpuint (summary.blobs_checked, ==, 1);

  /* A damaged blob is found by check; a missing one is only counted. */
  g_assert_true (g_file_set_contents (path, "garbage", -1, &error));
  g_assert_false (jz_store_read_blob (f->store, a->sha256, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_CORRUPT);
  g_clear_error (&error);
  g_assert_false (jz_store_check (f->store, problems, &summary, &error));
  g_assert_cmpuint (problems->len, ==, 1);
  g_ptr_array_set_size (problems, 0);
  g_unlink (path);
  memset (&summary, 0, sizeof summary);
  g_assert_true (jz_store_check (f->store, problems, &summary, &error));
  g_assert_cmpuint (summary.blobs_missing, ==, 1);
}

/* A returning person: the same person, a second episode, numbers go on. */
static void
test_repeat_intake (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = make_person ("常来");
  g_autoptr(JzEpisode) e1 = make_episode (NULL);
  g_autoptr(JzEpisode) e2 = make_episode (NULL);
  g_autoptr(JzPerson) stale = NULL;
  g_autoptr(GPtrArray) episodes = NULL;

  g_assert_true (jz_store_register_intake (f->store, p, e1, NULL, 0, &error));
  stale = jz_record_copy (&jz_entity_person, p);
  g_free (p->clothing);
  p->clothing = g_strdup ("蓝色棉衣");
  { gboolean ok_ = jz_store_register_intake (f->store, p, e2, NULL, 0, &error); g_assert_no_error (error); g_assert_true (ok_); }
  g_assert_cmpstr (e2->person_id, ==, p->rec.id);
  g_assert_cmpstr (e1->number, <, e2->number);
  episodes = jz_store_list_episodes_of_person (f->store, p->rec.id, &error);
  g_assert_cmpuint (episodes->len, ==, 2);

  /* A stale copy of the person makes the whole intake fail. */
  {
    g_autoptr(JzEpisode) e3 = make_episode (NULL);
    gint64 n = count (f->store, "SELECT count(*) FROM episode");

    g_assert_false (jz_store_register_intake (f->store, stale, e3, NULL, 0, &error));
    g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_CONFLICT);
    g_clear_error (&error);
    g_assert_cmpint (count (f->store, "SELECT count(*) FROM episode"), ==, n);
  }
  /* Tombstoning through an update is refused while episodes refer to it. */
  p->rec.deleted = TRUE;
  g_assert_false (jz_store_update_person (f->store, p, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
  g_clear_error (&error);
  assert_check_ok (f->store);
}

/* Writing a row builds no temporary b-tree for its change capture and
 * audit entry, nor for its CHECKs: an enumeration's CHECK is comparisons
 * (migration 0008), the audit entry reads the previous hash without a
 * subquery on its own table, nor for a partial index's condition
 * (episode_open is comparisons since migration 0011), nor in any other
 * trigger (the search and due notes). Building one b-tree took longer than
 * the rest of the row's write. */
static void
test_write_no_temp_btree (Fixture       *f,
                          gconstpointer  data)
{
  guint n_entities;
  const JzEntity * const *entities = jz_schema_entities (&n_entities);
  sqlite3 *db = jz_store_get_db (f->store);
  g_autoptr(GRegex) in_list = g_regex_new ("CHECK \\(\\w+ IN \\((('[^']*'|\\d+), *){2,}", 0, 0, NULL);
  g_autoptr(GRegex) index_in_list = g_regex_new ("WHERE .*\\w+ IN \\((('[^']*'|\\d+), *){2,}", G_REGEX_DOTALL, 0, NULL);
  sqlite3_stmt *tables = NULL;

  for (guint e = 0; e < n_entities; e++)
    {
      const char *verbs[] = { "INSERT INTO %s DEFAULT VALUES", "UPDATE %s SET deleted = 1 WHERE rowid = 1",
                              "DELETE FROM %s WHERE rowid = 1" };

      for (guint v = 0; v < G_N_ELEMENTS (verbs); v++)
        {
          g_autofree char *stmt_sql = NULL;
          g_autofree char *sql = NULL;
          sqlite3_stmt *stmt = NULL;
          guint ephemeral = 0;
          gboolean ours = FALSE;

          if (v == 1 && !(entities[e]->flags & JZ_ENTITY_SYNCED))
            continue;
          stmt_sql = g_strdup_printf (verbs[v], entities[e]->name);
          sql = g_strdup_printf ("EXPLAIN %s", stmt_sql);
          g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
          while (sqlite3_step (stmt) == SQLITE_ROW)
            {
              const char *op = (const char *) sqlite3_column_text (stmt, 1);
              const char *p4 = (const char *) sqlite3_column_text (stmt, 5);

              /* A trigger's program starts "-- TRIGGER name"; ours are
               * jz_*. The search index's triggers that write FTS5 at once
               * (outside a transaction) stage their rows, as FTS5 writes do. */
              if (g_strcmp0 (op, "Init") == 0)
                ours = p4 == NULL || !g_str_has_prefix (p4, "-- TRIGGER search_person_a") ||
                       g_str_has_suffix (p4, "_later");
              else if (g_strcmp0 (op, "OpenEphemeral") == 0 && ours)
                ephemeral++;
            }
          sqlite3_finalize (stmt);
          if (ephemeral > 0)
            g_test_message ("%s: %u temporary b-trees in its program or triggers", stmt_sql, ephemeral);
          g_assert_cmpuint (ephemeral, ==, 0);
        }
    }

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index')",
                                       -1, &tables, NULL), ==, SQLITE_OK);
  while (sqlite3_step (tables) == SQLITE_ROW)
    {
      const char *sql = (const char *) sqlite3_column_text (tables, 1);

      if (sql != NULL && g_regex_match (in_list, sql, 0, NULL))
        g_error ("table %s has a CHECK … IN list of more than two values", sqlite3_column_text (tables, 0));
      if (sql != NULL && g_regex_match (index_in_list, sql, 0, NULL))
        g_error ("index %s has a WHERE … IN list of more than two values", sqlite3_column_text (tables, 0));
    }
  sqlite3_finalize (tables);

  /* The queries of open episodes still read episode_open. */
  {
    const char *queries[] = {
      "SELECT id FROM episode WHERE " JZ_EPISODE_OPEN ("") " ORDER BY status, admitted_at",
      "SELECT count (*) FROM episode WHERE " JZ_EPISODE_OPEN ("") " AND status IN ('screening', 'admitted')",
      "SELECT e.id, p.name FROM episode e JOIN person p ON p.id = e.person_id WHERE " JZ_EPISODE_OPEN ("e."),
    };

    for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
      {
        g_autofree char *sql = g_strdup_printf ("EXPLAIN QUERY PLAN %s", queries[i]);
        sqlite3_stmt *stmt = NULL;
        gboolean uses = FALSE;

        g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
        while (sqlite3_step (stmt) == SQLITE_ROW)
          if (strstr ((const char *) sqlite3_column_text (stmt, 3), "USING INDEX episode_open") != NULL)
            uses = TRUE;
        sqlite3_finalize (stmt);
        if (!uses)
          g_error ("%s does not read the index episode_open", queries[i]);
      }
  }
}

/* Migration 0008 rewrites the CHECKs of a store that has rows; they still
 * refuse what they refused. */
static void
test_migrate_checks (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = jz_person_new ();
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = g_strdup (jz_store_get_path (f->store));
  g_autofree char *id = NULL;
  sqlite3 *db = NULL;

  p->name = g_strdup ("老用户");
  p->sex = g_strdup ("male");
  g_assert_true (jz_store_insert_person (f->store, p, &error));
  g_assert_no_error (error);
  id = g_strdup (p->rec.id);
  g_clear_object (&f->store);

  /* Back to what schema 7 had. */
  jz_test_audit_to_v11 (path);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
    "PRAGMA writable_schema = ON;"
    "UPDATE sqlite_master SET sql = replace (sql, "
    "  'CHECK (sex = ''unknown'' OR sex = ''male'' OR sex = ''female'')', "
    "  'CHECK (sex IN (''unknown'', ''male'', ''female''))') WHERE name = 'person';"
    "UPDATE sqlite_master SET sql = replace (sql, "
    "  'CHECK (op = ''insert'' OR op = ''update'' OR op = ''delete'')', "
    "  'CHECK (op IN (''insert'', ''update'', ''delete''))') WHERE name = 'audit';"
    "PRAGMA writable_schema = RESET;"
    "CREATE TABLE t (x); DROP TABLE t;"
    "PRAGMA user_version = 7;", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (count_raw (db, "SELECT count (*) FROM sqlite_master WHERE sql LIKE '%sex IN (%'"), ==, 1);
  sqlite3_close (db);

  f->store = jz_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (jz_store_get_schema_version (f->store), ==, jz_store_get_code_schema_version ());
  db = jz_store_get_db (f->store);
  g_assert_cmpint (count_raw (db, "SELECT count (*) FROM sqlite_master WHERE sql LIKE '%sex IN (%' "
                                  "OR sql LIKE '%op IN (%'"), ==, 0);
  g_assert_cmpint (count_raw (db, "SELECT count (*) FROM sqlite_master WHERE sql LIKE '%CHECK (sex = ''unknown'' OR%'"), ==, 1);
  g_assert_true (jz_store_check (f->store, problems, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 0);

  /* Still refused: a value outside the list; still allowed: NULL where the
   * column may be NULL. */
  {
    g_autofree char *bad = g_strdup_printf ("UPDATE person SET sex = 'other' WHERE id = '%s'", id);
    g_autofree char *bad_build = g_strdup_printf ("UPDATE person SET build = 'tall' WHERE id = '%s'", id);
    g_autofree char *null_build = g_strdup_printf ("UPDATE person SET build = NULL WHERE id = '%s'", id);

    g_assert_false (jz_store_exec (f->store, bad, &error));
    g_assert_nonnull (strstr (error->message, "CHECK"));
    g_clear_error (&error);
    g_assert_false (jz_store_exec (f->store, bad_build, &error));
    g_clear_error (&error);
    g_assert_true (jz_store_exec (f->store, null_build, &error));
    g_assert_no_error (error);
  }
}

/* The WAL-index (the -shm file, sqlite.org/walformat.html): mxFrame, the
 * frames in the WAL, at byte 16 of its header, and nBackfill, the frames
 * already copied into the database, at byte 96. */
static void
read_wal_index (const char *db_path,
                guint32    *mx_frame,
                guint32    *n_backfill)
{
  g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (shm, &data, &len, NULL));
  g_assert_cmpuint (len, >=, 100);
  memcpy (mx_frame, data + 16, 4);
  memcpy (n_backfill, data + 96, 4);
}

/* Writes intakes until the WAL has passed SQLite's checkpoint mark (1,000
 * frames); returns how many it took. */
static guint
register_past_checkpoint (JzStore    *store,
                          const char *path)
{
  guint32 last = 0;

  for (guint i = 0; i < 5000; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JzPerson) p = make_person ("周洁");
      g_autoptr(JzEpisode) e = make_episode (NULL);
      guint32 mx, backfill;

      g_assert_true (jz_store_register_intake (store, p, e, NULL, 0, &error));
      g_assert_no_error (error);
      read_wal_index (path, &mx, &backfill);
      if (mx < last)
        return i + 1;    /* the WAL started again: it was checkpointed */
      last = mx;
      if (mx >= 1000 && jz_store_wait_checkpoint (store))
        {
          /* Aside: the thread copied every frame; the commit did not. */
          read_wal_index (path, &mx, &backfill);
          g_assert_cmpuint (backfill, ==, mx);
          return i + 1;
        }
    }
  g_assert_not_reached ();
}

static void
test_checkpoint_aside (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint32 mx, backfill;
  gint64 people;

  /* As SQLite does: no thread, yet the WAL is checkpointed and restarts. */
  register_past_checkpoint (f->store, f->path);
  g_assert_false (jz_store_wait_checkpoint (f->store));

  /* Aside: a thread checkpoints, and the next save restarts the WAL. */
  jz_store_set_checkpoint_aside (f->store, TRUE);
  register_past_checkpoint (f->store, f->path);
  {
    g_autoptr(JzPerson) p = make_person ("吴磊");
    g_autoptr(JzEpisode) e = make_episode (NULL);

    g_assert_true (jz_store_register_intake (f->store, p, e, NULL, 0, &error));
    g_assert_no_error (error);
  }
  read_wal_index (f->path, &mx, &backfill);
  g_assert_cmpuint (mx, <, 1000);

  /* Closing while one may run loses nothing and leaves a sound store. */
  register_past_checkpoint (f->store, f->path);
  people = count (f->store, "SELECT count(*) FROM person");
  g_clear_object (&f->store);
  f->store = jz_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM person"), ==, people);
  assert_check_ok (f->store);
}

/* 1 when @store's journal mode is @mode. */
#define IN_JOURNAL_MODE(store, mode) \
  count ((store), "SELECT count (*) FROM pragma_journal_mode WHERE journal_mode = '" mode "'")

/* Bulk writes get a large page cache and a rollback journal, and give
 * both back. */
static void
test_bulk_cache (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 everyday = count (f->store, "PRAGMA cache_size");
  g_autoptr(JzPerson) p = make_person ("周建国");

  g_assert_cmpint (everyday, ==, -16384);
  g_assert_cmpint (IN_JOURNAL_MODE (f->store, "wal"), ==, 1);
  jz_store_set_bulk (f->store, TRUE);
  g_assert_cmpint (count (f->store, "PRAGMA cache_size"), ==, -262144);
  g_assert_cmpint (IN_JOURNAL_MODE (f->store, "truncate"), ==, 1);
  /* Writes in bulk are whole and checked like any other. */
  g_assert_true (jz_store_insert (f->store, &jz_entity_person, p, &error));
  g_assert_no_error (error);
  jz_store_set_bulk (f->store, FALSE);
  g_assert_cmpint (count (f->store, "PRAGMA cache_size"), ==, everyday);
  g_assert_cmpint (IN_JOURNAL_MODE (f->store, "wal"), ==, 1);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM person"), ==, 1);
  assert_check_ok (f->store);
}

/* With another connection open (the app beside jiuzhu-cli), bulk writes
 * keep the WAL: the other one's reads must not wait on them. */
static void
test_bulk_shared (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) other = jz_store_open (f->path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (count (other, "SELECT count(*) FROM person"), ==, 0);
  jz_store_set_bulk (f->store, TRUE);
  g_assert_cmpint (IN_JOURNAL_MODE (f->store, "wal"), ==, 1);
  g_assert_cmpint (count (f->store, "PRAGMA cache_size"), ==, -262144);
  jz_store_set_bulk (f->store, FALSE);
  g_assert_cmpint (IN_JOURNAL_MODE (other, "wal"), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/hlc", test_hlc);
#define ADD(path, fn) g_test_add ("/store/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("schema-matches", test_schema_matches);
  ADD ("insert-and-read", test_insert_and_read);
  ADD ("validation", test_validation);
  ADD ("unknown-name", test_unknown_name_placeholder);
  ADD ("update-conflict", test_update_conflict);
  ADD ("outbox-every-table", test_outbox_every_table);
  ADD ("applying-is-silent", test_applying_is_silent);
  ADD ("outbox-autoincrement", test_outbox_autoincrement);
  ADD ("write-no-temp-btree", test_write_no_temp_btree);
  ADD ("migrate-checks", test_migrate_checks);
  ADD ("savepoints", test_savepoints);
  ADD ("changed-signal", test_changed_signal);
  ADD ("hlc-persisted", test_hlc_persisted);
  ADD ("episode-numbers", test_episode_numbers);
  ADD ("register-intake", test_register_intake);
  ADD ("departure-rules", test_departure_rules);
  ADD ("beds-and-extension", test_beds_and_extension);
  ADD ("attachments", test_attachments);
  ADD ("repeat-intake", test_repeat_intake);
  ADD ("checkpoint-aside", test_checkpoint_aside);
  ADD ("bulk-cache", test_bulk_cache);
  ADD ("bulk-shared", test_bulk_shared);
#undef ADD
  return g_test_run ();
}
