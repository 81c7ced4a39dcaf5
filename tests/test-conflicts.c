/* test-conflicts.c: sync conflicts listed with who and when, and decided
 * as ordinary changes (jz-conflicts.c)
 *
 * The conflicts are made the way the sync makes them: a local edit, then
 * the winning value applied as a pulled change, then the conflict row.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>

#include "jz-conflicts.h"
#include "jz-hlc.h"
#include "jz-records.h"
#include "jz-staff.h"
#include "jz-store.h"

#define HUB_STAFF "0190a0b0-0000-7000-8000-0000000000bb"

typedef struct
{
  char    *dir;
  JzStore *store;
  char    *staff;     /* 王芳, of this station */
  char    *person;
} Fixture;

static gint64
count (JzStore    *store,
       const char *sql,
       const char *arg)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (jz_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JzPerson) p = jz_person_new ();

  f->dir = g_dir_make_tmp ("jz-test-conflicts-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "station.db", NULL);
  f->store = jz_store_create (path, "320481-01", "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);
  g_assert_no_error (error);
  g_assert_true (jz_store_add_staff (f->store, "王芳", "admin", "2468", 1000, &f->staff, &error));
  g_assert_no_error (error);
  jz_store_set_actor (f->store, f->staff);

  p->name = g_strdup ("张三");
  p->sex = g_strdup ("male");
  p->height_cm = 168;
  p->description = g_strdup ("高个子");
  g_assert_true (jz_store_insert_person (f->store, p, &error));
  g_assert_no_error (error);
  f->person = g_strdup (p->rec.id);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_clear_object (&f->store);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->dir);
  g_free (f->staff);
  g_free (f->person);
}

typedef void (*SetFunc) (JzPerson *p, gboolean local);

/* A local edit, the hub's winning edit applied as the sync applies it,
 * and the conflict that keeps the local value. Returns its id. */
static char *
make_conflict (Fixture    *f,
               const char *field,
               SetFunc     set,
               const char *local_json,
               const char *remote_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = jz_store_get_person (f->store, f->person, &error);
  g_autoptr(JzPerson) won = NULL;
  g_autoptr(JzConflict) c = jz_conflict_new ();

  g_assert_no_error (error);
  set (p, TRUE);
  g_assert_true (jz_store_update_person (f->store, p, &error));
  g_assert_no_error (error);

  /* The hub's value arrives: applied silently, authored by hub staff. */
  jz_store_set_applying (f->store, TRUE);
  jz_store_set_actor (f->store, HUB_STAFF);
  set (p, FALSE);
  g_assert_true (jz_store_update_person (f->store, p, &error));
  g_assert_no_error (error);
  jz_store_set_applying (f->store, FALSE);
  jz_store_set_actor (f->store, f->staff);
  won = jz_store_get_person (f->store, f->person, &error);

  c->entity = g_strdup ("person");
  c->entity_id = g_strdup (f->person);
  c->field = g_strdup (field);
  c->local_value = g_strdup (local_json);
  c->remote_value = g_strdup (remote_json);
  c->remote_station = g_strdup ("320300-01");
  c->remote_hlc = won->rec.hlc;
  g_assert_true (jz_store_insert_conflict (f->store, c, &error));
  g_assert_no_error (error);
  return g_strdup (c->rec.id);
}

static void
set_name (JzPerson *p,
          gboolean  local)
{
  g_free (p->name);
  p->name = g_strdup (local ? "张山" : "张叁");
}

static void
set_height (JzPerson *p,
            gboolean  local)
{
  p->height_cm = local ? 170 : 175;
}

static void
set_description (JzPerson *p,
                 gboolean  local)
{
  g_free (p->description);
  p->description = local ? NULL : g_strdup ("戴眼镜");
}

static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = make_conflict (f, "name", set_name, "\"张山\"", "\"张叁\"");
  g_autoptr(GPtrArray) list = jz_store_list_open_conflicts (f->store, 0, &error);
  JzConflictInfo *info;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (jz_store_count_open_conflicts (f->store), ==, 1);
  info = list->pdata[0];
  g_assert_cmpstr (info->conflict->rec.id, ==, id);
  g_assert_true (info->entity == &jz_entity_person);
  g_assert_cmpstr (info->field->name, ==, "name");
  g_assert_true (info->record_exists);
  /* The record holds the winner now. */
  g_assert_cmpstr (info->record_label, ==, "张叁");

  /* Set aside: this station's edit, by 王芳, found in the audit log. */
  g_assert_cmpstr (info->set_aside.value, ==, "\"张山\"");
  g_assert_cmpstr (info->set_aside.station, ==, "320481-01");
  g_assert_cmpstr (info->set_aside.staff_id, ==, f->staff);
  g_assert_cmpstr (info->set_aside.staff_name, ==, "王芳");
  g_assert_cmpint (info->set_aside.at, >=, now - 60);
  g_assert_cmpint (info->set_aside.at, <=, now + 60);

  /* In the record: the hub's, by hub staff not known here. */
  g_assert_cmpstr (info->current.value, ==, "\"张叁\"");
  g_assert_cmpstr (info->current.station, ==, "320300-01");
  g_assert_cmpstr (info->current.staff_id, ==, HUB_STAFF);
  g_assert_null (info->current.staff_name);
  g_assert_cmpint (info->current.at, >=, now - 60);
}

static void
test_keep_set_aside (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = make_conflict (f, "name", set_name, "\"张山\"", "\"张叁\"");
  g_autoptr(JzPerson) p = NULL;
  g_autoptr(JzConflict) c = NULL;
  gint64 outbox_before = count (f->store, "SELECT count (*) FROM outbox WHERE acked = 0", NULL);

  g_assert_true (jz_store_resolve_conflict (f->store, id, JZ_CONFLICT_KEEP_SET_ASIDE, &error));
  g_assert_no_error (error);

  p = jz_store_get_person (f->store, f->person, &error);
  g_assert_cmpstr (p->name, ==, "张山");
  g_assert_cmpstr (p->rec.updated_by, ==, f->staff);
  c = jz_store_get_conflict (f->store, id, &error);
  g_assert_cmpstr (c->decision, ==, "kept_local");
  g_assert_cmpstr (c->decided_by, ==, f->staff);
  g_assert_cmpint (c->decided_at, >, 0);

  /* Both writes are ordinary changes: queued for the hub. */
  g_assert_cmpint (count (f->store, "SELECT count (*) FROM outbox WHERE acked = 0", NULL), ==, outbox_before + 2);
  g_assert_cmpint (count (f->store, "SELECT count (*) FROM outbox WHERE acked = 0 AND entity = 'person' AND entity_id = ?1",
                          f->person), >=, 1);
  g_assert_cmpint (count (f->store, "SELECT count (*) FROM outbox WHERE acked = 0 AND entity = 'conflict' AND entity_id = ?1",
                          id), >=, 1);
  g_assert_cmpint (jz_store_count_open_conflicts (f->store), ==, 0);

  /* Decided once: a second decision (another device's, late) is refused. */
  g_assert_false (jz_store_resolve_conflict (f->store, id, JZ_CONFLICT_KEEP_CURRENT, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_NOT_FOUND);
}

static void
test_keep_current (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = make_conflict (f, "name", set_name, "\"张山\"", "\"张叁\"");
  g_autoptr(JzPerson) p = NULL;
  g_autoptr(JzConflict) c = NULL;
  gint64 person_changes = count (f->store, "SELECT count (*) FROM outbox WHERE entity = 'person'", NULL);

  g_assert_true (jz_store_resolve_conflict (f->store, id, JZ_CONFLICT_KEEP_CURRENT, &error));
  g_assert_no_error (error);
  p = jz_store_get_person (f->store, f->person, &error);
  g_assert_cmpstr (p->name, ==, "张叁");
  c = jz_store_get_conflict (f->store, id, &error);
  g_assert_cmpstr (c->decision, ==, "took_remote");
  /* Only the decision is written. */
  g_assert_cmpint (count (f->store, "SELECT count (*) FROM outbox WHERE entity = 'person'", NULL), ==, person_changes);
}

static void
test_other_types (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *height = make_conflict (f, "height_cm", set_height, "170", "175");
  g_autofree char *description = make_conflict (f, "description", set_description, "null", "\"戴眼镜\"");
  g_autoptr(JzPerson) p = NULL;

  g_assert_cmpint (jz_store_count_open_conflicts (f->store), ==, 2);
  g_assert_true (jz_store_resolve_conflict (f->store, height, JZ_CONFLICT_KEEP_SET_ASIDE, &error));
  g_assert_no_error (error);
  g_assert_true (jz_store_resolve_conflict (f->store, description, JZ_CONFLICT_KEEP_SET_ASIDE, &error));
  g_assert_no_error (error);
  p = jz_store_get_person (f->store, f->person, &error);
  g_assert_cmpint (p->height_cm, ==, 170);
  g_assert_null (p->description);
}

/* A value that the record's rules refuse is not written, and the
 * conflict stays open for another decision. */
static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = make_conflict (f, "height_cm", set_height, "9999", "175");
  g_autoptr(JzPerson) p = NULL;

  g_assert_false (jz_store_resolve_conflict (f->store, id, JZ_CONFLICT_KEEP_SET_ASIDE, &error));
  g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
  p = jz_store_get_person (f->store, f->person, NULL);
  g_assert_cmpint (p->height_cm, ==, 175);
  g_assert_cmpint (jz_store_count_open_conflicts (f->store), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/conflicts/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("list", test_list);
  ADD ("keep-set-aside", test_keep_set_aside);
  ADD ("keep-current", test_keep_current);
  ADD ("other-types", test_other_types);
  ADD ("refused", test_refused);

  return g_test_run ();
}
