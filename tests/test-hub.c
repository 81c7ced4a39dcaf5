/* test-hub.c: the hub's store (enrolment, push, merge, pull scope,
 * registry links, transfers) without HTTP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "jz-hlc.h"
#include "jz-hub-store.h"
#include "jz-idcard.h"
#include "jz-uuid.h"

#define A   "320481-01"
#define B   "320482-01"
#define HUB "320400-01"

typedef struct
{
  char        *dir;
  JzHubStore  *hub;
  JzHubDevice *dev_a;
  JzHubDevice *dev_b;
  JzHubDevice *dev_hub;
  char        *epoch_a;
  char        *epoch_b;
  char        *epoch_hub;
  gint64       seq_a;
  gint64       seq_b;
  gint64       seq_hub;
} Fixture;

/* The tests run twice: with changes whose fields are json-c objects (as
 * jz_push_request_decode gives them), and as the text sent (as the hub's
 * jz_push_request_decode_lean gives them). */
static gboolean fields_as_text;

static JzHubDevice *
enrol (JzHubStore *hub,
       const char *station,
       const char *level,
       const char *epoch)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = jz_hub_store_enrol_device (hub, station, "test", NULL, &error);
  JzEnrolRequest req = { code, (char *) station, (char *) level, (char *) epoch, NULL };
  g_autoptr(JzEnrolReply) reply = NULL;
  JzHubDevice *device;

  g_assert_no_error (error);
  device = jz_hub_store_redeem (hub, &req, &reply, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply->token);
  return device;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fields_as_text = GPOINTER_TO_INT (data);
  f->dir = g_dir_make_tmp ("jz-test-hub-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "hub.db", NULL);
  f->hub = jz_hub_store_open (path, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (jz_hub_store_add_station (f->hub, A, "新沂", FALSE, &error));
  g_assert_true (jz_hub_store_add_station (f->hub, B, "邳州", FALSE, &error));
  g_assert_true (jz_hub_store_add_station (f->hub, HUB, "徐州中心站", TRUE, &error));
  f->epoch_a = jz_uuid_v7_new ();
  f->epoch_b = jz_uuid_v7_new ();
  f->epoch_hub = jz_uuid_v7_new ();
  f->dev_a = enrol (f->hub, A, "county", f->epoch_a);
  f->dev_b = enrol (f->hub, B, "county", f->epoch_b);
  f->dev_hub = enrol (f->hub, HUB, "hub", f->epoch_hub);
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);

      g_unlink (p);
    }
  g_rmdir (dir);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);

  /* Whatever a test did, the store stays consistent. */
  if (!jz_hub_store_check (f->hub, problems, NULL))
    g_error ("check: %s", (char *) problems->pdata[0]);
  g_clear_object (&f->hub);
  jz_hub_device_free (f->dev_a);
  jz_hub_device_free (f->dev_b);
  jz_hub_device_free (f->dev_hub);
  g_free (f->epoch_a);
  g_free (f->epoch_b);
  g_free (f->epoch_hub);
  remove_dir (f->dir);
  g_free (f->dir);
}

static guint64
hlc_at (gint64 ms)
{
  return JZ_HLC_MAKE (1790000000000 + ms, 0);
}

static JzChange *
change (gint64      seq,
        const char *entity,
        const char *id,
        JzOp        op,
        guint64     base_rev,
        guint64     hlc,
        const char *fields)
{
  JzChange *c = jz_change_new ();

  c->seq = seq;
  c->entity = g_strdup (entity);
  c->id = g_strdup (id);
  c->op = op;
  c->base_rev = base_rev;
  c->hlc = hlc;
  c->fields = json_tokener_parse (fields);
  g_assert_nonnull (c->fields);
  if (fields_as_text)
    {
      g_clear_pointer (&c->fields, json_object_put);
      c->fields_json = g_strdup (fields);
    }
  return c;
}

/* Pushes one change as the next of @who's stream. */
static gboolean
push1 (Fixture     *f,
       char         who,
       JzChange    *c,
       GError     **error)
{
  JzHubDevice *dev = who == 'a' ? f->dev_a : who == 'b' ? f->dev_b : f->dev_hub;
  const char *epoch = who == 'a' ? f->epoch_a : who == 'b' ? f->epoch_b : f->epoch_hub;
  gint64 *seq = who == 'a' ? &f->seq_a : who == 'b' ? &f->seq_b : &f->seq_hub;
  g_autoptr(JzPushRequest) req = jz_push_request_new (dev->station, epoch);
  JzPushReply reply;

  c->seq = *seq + 1;
  c->station = g_strdup (dev->station);
  c->epoch = g_strdup (epoch);
  g_ptr_array_add (req->changes, c);
  if (!jz_hub_store_push (f->hub, dev, req, &reply, NULL, NULL, error))
    return FALSE;
  g_assert_cmpint (reply.accepted, ==, 1);
  *seq += 1;
  return TRUE;
}

static gint64
count (Fixture    *f,
       const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (jz_hub_store_get_db (f->hub), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static char *
record_field (Fixture    *f,
              const char *id,
              const char *field)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  sqlite3_prepare_v2 (jz_hub_store_get_db (f->hub),
                      "SELECT json_extract (coalesce (r.fields_json, c.fields_json), '$.' || ?2) FROM record r"
                      " LEFT JOIN change c ON c.hub_seq = r.hub_seq WHERE r.id = ?1", -1, &stmt, NULL);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, field, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

static JzPullReply *
pull (Fixture     *f,
      char         who,
      gint64       since)
{
  JzHubDevice *dev = who == 'a' ? f->dev_a : who == 'b' ? f->dev_b : f->dev_hub;
  const char *epoch = who == 'a' ? f->epoch_a : who == 'b' ? f->epoch_b : f->epoch_hub;
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  g_autofree char *json = jz_hub_store_pull (f->hub, dev, epoch, since, 0, &len, &error);
  JzPullReply *reply;

  g_assert_no_error (error);
  reply = jz_pull_reply_decode (json, len, &error);
  g_assert_no_error (error);
  return reply;
}

static char *
valid_id_number (const char *first17)
{
  return g_strdup_printf ("%s%c", first17, jz_idcard_check_digit (first17));
}

static void
test_enrol (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *code = jz_hub_store_enrol_device (f->hub, A, "laptop", &id, &error);
  g_autofree char *epoch = jz_uuid_v7_new ();
  JzEnrolRequest wrong_station = { code, (char *) B, (char *) "county", epoch, NULL };
  JzEnrolRequest wrong_level = { code, (char *) A, (char *) "hub", epoch, NULL };
  JzEnrolRequest good = { code, (char *) A, (char *) "county", epoch, NULL };
  g_autoptr(JzEnrolReply) reply = NULL;
  g_autoptr(JzEnrolReply) again = NULL;
  g_autoptr(JzHubDevice) dev = NULL;
  g_autoptr(JzHubDevice) same = NULL;
  g_autoptr(JzHubDevice) none = NULL;
  g_autofree char *lower = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (strlen (code), ==, 11);

  g_assert_null (jz_hub_store_redeem (f->hub, &wrong_station, &reply, &error));
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_null (jz_hub_store_redeem (f->hub, &wrong_level, &reply, &error));
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* Case and dashes do not matter when the code is typed. */
  lower = g_ascii_strdown (code, -1);
  good.code = lower;
  dev = jz_hub_store_redeem (f->hub, &good, &reply, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dev->id, ==, id);
  g_assert_cmpstr (reply->station, ==, A);
  g_assert_cmpstr (reply->station_name, ==, "新沂");

  /* Once only. */
  g_assert_null (jz_hub_store_redeem (f->hub, &good, &again, &error));
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  same = jz_hub_store_authenticate (f->hub, reply->token, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (same->station, ==, A);
  g_assert_false (same->hub_level);

  /* Only the hash of the token is stored. */
  sqlite3_prepare_v2 (jz_hub_store_get_db (f->hub), "SELECT count (*) FROM device WHERE token_hash = ?1 OR id = ?1",
                      -1, &stmt, NULL);
  sqlite3_bind_text (stmt, 1, reply->token, -1, SQLITE_STATIC);
  sqlite3_step (stmt);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
  sqlite3_finalize (stmt);

  g_assert_true (jz_hub_store_revoke_device (f->hub, id, &error));
  none = jz_hub_store_authenticate (f->hub, reply->token, &error);
  g_assert_null (none);
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_UNAUTHORIZED);
  g_assert_nonnull (strstr (error->message, "revoked"));
}

static void
test_push_idempotent (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPushRequest) req = jz_push_request_new (A, f->epoch_a);
  g_autoptr(JzPushRequest) overlap = jz_push_request_new (A, f->epoch_a);
  g_autoptr(JzPushRequest) gap = jz_push_request_new (A, f->epoch_a);
  JzPushReply reply;
  gint64 mark = -1;

  for (int i = 1; i <= 10; i++)
    {
      g_autofree char *id = jz_uuid_v7_new ();
      g_autofree char *fields = g_strdup_printf ("{\"name\":\"人%d\",\"station\":\"" A "\",\"hlc\":%d}", i, i);
      JzChange *c = change (i, "person", id, JZ_OP_INSERT, 0, hlc_at (i), fields);

      c->station = g_strdup (A);
      c->epoch = g_strdup (f->epoch_a);
      g_ptr_array_add (req->changes, c);
      if (i >= 6)
        g_ptr_array_add (overlap->changes, jz_change_copy (c));
    }

  g_assert_true (jz_hub_store_push (f->hub, f->dev_a, req, &reply, NULL, &mark, &error));
  g_assert_no_error (error);
  g_assert_cmpint (reply.high_seq, ==, 10);
  g_assert_cmpint (reply.accepted, ==, 10);
  g_assert_cmpint (count (f, "SELECT count (*) FROM change"), ==, 10);

  /* The reply was lost and the device sends the batch again. */
  g_assert_true (jz_hub_store_push (f->hub, f->dev_a, req, &reply, NULL, &mark, &error));
  g_assert_cmpint (reply.accepted, ==, 0);
  g_assert_cmpint (reply.skipped, ==, 10);

  /* Half old, half new. */
  for (int i = 11; i <= 12; i++)
    {
      g_autofree char *id = jz_uuid_v7_new ();
      JzChange *c = change (i, "person", id, JZ_OP_INSERT, 0, hlc_at (i), "{\"name\":\"新\"}");

      c->station = g_strdup (A);
      c->epoch = g_strdup (f->epoch_a);
      g_ptr_array_add (overlap->changes, c);
    }
  g_assert_true (jz_hub_store_push (f->hub, f->dev_a, overlap, &reply, NULL, &mark, &error));
  g_assert_cmpint (reply.accepted, ==, 2);
  g_assert_cmpint (reply.skipped, ==, 5);
  g_assert_cmpint (reply.high_seq, ==, 12);
  g_assert_cmpint (count (f, "SELECT count (*) FROM change"), ==, 12);
  g_assert_cmpint (count (f, "SELECT count (*) FROM record WHERE owner = '" A "'"), ==, 12);

  /* A gap: refused with the hub's mark, nothing written. */
  g_ptr_array_add (gap->changes, change (14, "person", "0190f3a2-7c4e-7a10-8b2c-000000000014", JZ_OP_INSERT, 0,
                                         hlc_at (14), "{\"name\":\"x\"}"));
  g_assert_false (jz_hub_store_push (f->hub, f->dev_a, gap, &reply, NULL, &mark, &error));
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_GAP);
  g_assert_cmpint (mark, ==, 12);
  g_assert_cmpint (count (f, "SELECT count (*) FROM change"), ==, 12);
}

static void
test_push_refusals (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *person = jz_uuid_v7_new ();
  g_autoptr(JzPushRequest) req = NULL;
  JzPushReply reply;

  g_assert_true (push1 (f, 'a', change (0, "person", person, JZ_OP_INSERT, 0, hlc_at (1),
                                        "{\"name\":\"张三\",\"station\":\"" A "\"}"), &error));

  /* B may not change A's person: the whole batch is refused. */
  req = jz_push_request_new (B, f->epoch_b);
  g_ptr_array_add (req->changes, change (1, "person", "0190f3a2-7c4e-7a10-8b2c-0000000000b1", JZ_OP_INSERT, 0,
                                         hlc_at (2), "{\"name\":\"李四\",\"station\":\"" B "\"}"));
  g_ptr_array_add (req->changes, change (2, "person", person, JZ_OP_UPDATE, hlc_at (1), hlc_at (3),
                                         "{\"name\":\"改\"}"));
  ((JzChange *) req->changes->pdata[0])->station = g_strdup (B);
  ((JzChange *) req->changes->pdata[1])->station = g_strdup (B);
  g_assert_false (jz_hub_store_push (f->hub, f->dev_b, req, &reply, NULL, NULL, &error));
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_cmpint (count (f, "SELECT count (*) FROM change"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count (*) FROM mark WHERE station = '" B "'"), ==, 0);
  g_clear_pointer (&req, jz_push_request_free);

  /* Nor create records in A's name, nor push A's stream. */
  g_assert_false (push1 (f, 'b', change (0, "person", "0190f3a2-7c4e-7a10-8b2c-0000000000b2", JZ_OP_INSERT, 0,
                                         hlc_at (2), "{\"name\":\"王五\",\"station\":\"" A "\"}"), &error));
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN);
  g_clear_error (&error);
  req = jz_push_request_new (A, f->epoch_a);
  g_ptr_array_add (req->changes, change (2, "person", person, JZ_OP_UPDATE, hlc_at (1), hlc_at (3), "{\"name\":\"x\"}"));
  g_assert_false (jz_hub_store_push (f->hub, f->dev_b, req, &reply, NULL, NULL, &error));
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* Only hub staff transfer. */
  g_assert_false (push1 (f, 'a', change (0, "person", person, JZ_OP_UPDATE, hlc_at (1), hlc_at (4),
                                         "{\"station\":\"" B "\"}"), &error));
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* Tables and fields that do not exist, values of the wrong type. */
  g_assert_false (push1 (f, 'a', change (0, "audit", person, JZ_OP_INSERT, 0, hlc_at (5), "{}"), &error));
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_false (push1 (f, 'a', change (0, "person", person, JZ_OP_UPDATE, hlc_at (1), hlc_at (5),
                                         "{\"password\":\"x\"}"), &error));
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_false (push1 (f, 'a', change (0, "person", person, JZ_OP_UPDATE, hlc_at (1), hlc_at (5),
                                         "{\"height_cm\":\"tall\"}"), &error));
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED);
  g_clear_error (&error);

  g_assert_cmpint (count (f, "SELECT count (*) FROM change"), ==, 1);
  g_assert_cmpint (count (f, "SELECT high_seq FROM mark WHERE station = '" A "'"), ==, 1);
}

static void
test_merge (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *person = jz_uuid_v7_new ();
  g_autofree char *name = NULL;
  g_autofree char *height = NULL;
  g_autofree char *dialect = NULL;
  g_autoptr(JzPullReply) a_pull = NULL;
  JzChange *mine = NULL;

  g_assert_true (push1 (f, 'a', change (0, "person", person, JZ_OP_INSERT, 0, hlc_at (10),
                                        "{\"name\":\"张三\",\"station\":\"" A "\",\"height_cm\":170}"), &error));

  /* Hub staff and station A both change the name while apart; the hub's
   * change arrives first, A's (later clock) second: authority wins. */
  g_assert_true (push1 (f, 'h', change (0, "person", person, JZ_OP_UPDATE, hlc_at (10), hlc_at (20),
                                        "{\"name\":\"张叁\",\"dialect\":\"徐州话\"}"), &error));
  g_assert_true (push1 (f, 'a', change (0, "person", person, JZ_OP_UPDATE, hlc_at (10), hlc_at (30),
                                        "{\"name\":\"张山\",\"height_cm\":172}"), &error));
  g_assert_no_error (error);

  name = record_field (f, person, "name");
  height = record_field (f, person, "height_cm");
  dialect = record_field (f, person, "dialect");
  g_assert_cmpstr (name, ==, "张叁");     /* both changed it: hub staff */
  g_assert_cmpstr (height, ==, "172");   /* one side only: merged */
  g_assert_cmpstr (dialect, ==, "徐州话");
  g_assert_cmpint (count (f, "SELECT count (*) FROM conflict WHERE field = 'name' AND loser_station = '" A "'"
                             " AND loser_value = '\"张山\"' AND winner_station = '" HUB "'"), ==, 1);

  /* A sees its own change back, because part of it lost. */
  a_pull = pull (f, 'a', 0);
  for (guint i = 0; i < a_pull->changes->len; i++)
    {
      JzChange *c = a_pull->changes->pdata[i];

      g_assert_false (c->stub && c->seq == 2);
      if (!c->stub && g_strcmp0 (c->station, A) == 0 && c->seq == 2)
        mine = c;
    }
  g_assert_nonnull (mine);
  g_assert_false (json_object_object_get_ex (mine->fields, "name", NULL));
  g_assert_true (json_object_object_get_ex (mine->fields, "height_cm", NULL));
  g_assert_nonnull (mine->losses);
  g_assert_cmpstr (((JzLoss *) mine->losses->pdata[0])->field, ==, "name");
  g_assert_cmpstr (json_object_get_string (((JzLoss *) mine->losses->pdata[0])->value), ==, "张山");
  /* The unaltered insert comes back as a stub only. */
  g_assert_true (((JzChange *) a_pull->changes->pdata[0])->stub);
  g_assert_cmpint (((JzChange *) a_pull->changes->pdata[0])->seq, ==, 1);

  /* A later edit by A that saw the hub's value is a plain update. */
  g_assert_true (push1 (f, 'a', change (0, "person", person, JZ_OP_UPDATE, hlc_at (30), hlc_at (40),
                                        "{\"name\":\"张三丰\"}"), &error));
  g_clear_pointer (&name, g_free);
  name = record_field (f, person, "name");
  g_assert_cmpstr (name, ==, "张三丰");
  g_assert_cmpint (count (f, "SELECT count (*) FROM conflict"), ==, 1);
}

static void
test_merge_order (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *person = jz_uuid_v7_new ();
  g_autofree char *name = NULL;
  g_autofree char *deleted = NULL;

  /* The same race as test_merge with the arrivals swapped ends the same. */
  g_assert_true (push1 (f, 'a', change (0, "person", person, JZ_OP_INSERT, 0, hlc_at (10),
                                        "{\"name\":\"张三\",\"station\":\"" A "\"}"), &error));
  g_assert_true (push1 (f, 'a', change (0, "person", person, JZ_OP_UPDATE, hlc_at (10), hlc_at (30),
                                        "{\"name\":\"张山\"}"), &error));
  g_assert_true (push1 (f, 'h', change (0, "person", person, JZ_OP_UPDATE, hlc_at (10), hlc_at (20),
                                        "{\"name\":\"张叁\"}"), &error));
  name = record_field (f, person, "name");
  g_assert_cmpstr (name, ==, "张叁");
  g_assert_cmpint (count (f, "SELECT count (*) FROM conflict WHERE loser_value = '\"张山\"'"), ==, 1);

  /* A delete against a concurrent edit: kept, and the edit is a loss. */
  g_assert_true (push1 (f, 'a', change (0, "person", person, JZ_OP_DELETE, hlc_at (30), hlc_at (50),
                                        "{\"deleted\":1}"), &error));
  g_assert_true (push1 (f, 'h', change (0, "person", person, JZ_OP_UPDATE, hlc_at (20), hlc_at (45),
                                        "{\"residence\":\"徐州\"}"), &error));
  deleted = record_field (f, person, "deleted");
  g_assert_cmpstr (deleted, ==, "0");   /* hub staff outrank the station */
  g_assert_cmpint (count (f, "SELECT count (*) FROM conflict WHERE field = 'deleted'"), ==, 1);
}

/* "Seen" is what the writer had pulled (base_seq), not what its clock
 * says: hub staff edit one field, then a field station A changed
 * meanwhile. Their revision (their own first edit) is newer than A's
 * write, but they had not pulled it: a conflict, not an overwrite. */
static void
test_merge_base_seq (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *person = jz_uuid_v7_new ();
  g_autofree char *dialect = NULL;
  JzChange *c;

  g_assert_true (push1 (f, 'a', change (0, "person", person, JZ_OP_INSERT, 0, hlc_at (10),
                                        "{\"name\":\"李四\",\"station\":\"" A "\"}"), &error));
  /* hub_seq 2: A's dialect. */
  g_assert_true (push1 (f, 'a', change (0, "person", person, JZ_OP_UPDATE, hlc_at (10), hlc_at (20),
                                        "{\"dialect\":\"邳州话\"}"), &error));
  /* Hub staff had pulled up to hub_seq 1. */
  c = change (0, "person", person, JZ_OP_UPDATE, hlc_at (10), hlc_at (30), "{\"marks\":\"左眉有痣\"}");
  c->has_base_seq = TRUE;
  c->base_seq = 1;
  g_assert_true (push1 (f, 'h', c, &error));
  c = change (0, "person", person, JZ_OP_UPDATE, hlc_at (30), hlc_at (40), "{\"dialect\":\"徐州话\"}");
  c->has_base_seq = TRUE;
  c->base_seq = 1;
  g_assert_true (push1 (f, 'h', c, &error));
  g_assert_no_error (error);
  dialect = record_field (f, person, "dialect");
  g_assert_cmpstr (dialect, ==, "徐州话");   /* hub staff outrank the station */
  g_assert_cmpint (count (f, "SELECT count (*) FROM conflict WHERE field = 'dialect' AND loser_station = '" A "'"
                             " AND loser_value = '\"邳州话\"'"), ==, 1);

  /* Their own earlier value was seen, whatever they had pulled. */
  c = change (0, "person", person, JZ_OP_UPDATE, hlc_at (40), hlc_at (50), "{\"dialect\":\"沛县话\"}");
  c->has_base_seq = TRUE;
  c->base_seq = 1;
  g_assert_true (push1 (f, 'h', c, &error));
  /* A, having pulled all of it (hub_seq 5), changes it plainly. */
  c = change (0, "person", person, JZ_OP_UPDATE, hlc_at (50), hlc_at (60), "{\"dialect\":\"新沂话\"}");
  c->has_base_seq = TRUE;
  c->base_seq = 5;
  g_assert_true (push1 (f, 'a', c, &error));
  g_assert_no_error (error);
  g_clear_pointer (&dialect, g_free);
  dialect = record_field (f, person, "dialect");
  g_assert_cmpstr (dialect, ==, "新沂话");
  g_assert_cmpint (count (f, "SELECT count (*) FROM conflict"), ==, 1);
}

/* Each change's chain is SHA-256 (first 32 hex digits) over the chain
 * before it, station, epoch, "|seq|", id, op and the fields stored. */
static void
test_chain (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pa = jz_uuid_v7_new ();
  g_autofree char *prev = g_strdup ("");
  sqlite3_stmt *stmt = NULL;
  guint rows = 0;

  g_assert_true (push1 (f, 'a', change (0, "person", pa, JZ_OP_INSERT, 0, hlc_at (1),
                                        "{\"name\":\"张三\",\"station\":\"" A "\"}"), &error));
  g_assert_true (push1 (f, 'a', change (0, "person", pa, JZ_OP_UPDATE, hlc_at (1), hlc_at (2),
                                        "{\"dialect\":\"徐州话\"}"), &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_prepare_v2 (jz_hub_store_get_db (f->hub),
                                       "SELECT station, epoch, seq, entity_id, op, fields_json, chain"
                                       " FROM change ORDER BY hub_seq", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
      g_autofree char *head = g_strdup_printf ("|%" G_GINT64_FORMAT "|", (gint64) sqlite3_column_int64 (stmt, 2));
      g_autofree char *expected = NULL;

      g_checksum_update (sum, (const guchar *) prev, -1);
      g_checksum_update (sum, sqlite3_column_text (stmt, 0), -1);
      g_checksum_update (sum, sqlite3_column_text (stmt, 1), -1);
      g_checksum_update (sum, (const guchar *) head, -1);
      g_checksum_update (sum, sqlite3_column_text (stmt, 3), -1);
      g_checksum_update (sum, sqlite3_column_text (stmt, 4), -1);
      g_checksum_update (sum, sqlite3_column_text (stmt, 5), -1);
      expected = g_strndup (g_checksum_get_string (sum), 32);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 6), ==, expected);
      g_free (prev);
      prev = g_steal_pointer (&expected);
      rows++;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (rows, ==, 2);
}

static void
test_pull_scope (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pa = jz_uuid_v7_new ();
  g_autofree char *ea = jz_uuid_v7_new ();
  g_autofree char *pb = jz_uuid_v7_new ();
  g_autoptr(JzPullReply) b = NULL;
  g_autoptr(JzPullReply) h = NULL;
  g_autoptr(JzPullReply) b2 = NULL;
  gboolean saw_person = FALSE;

  g_assert_true (push1 (f, 'a', change (0, "person", pa, JZ_OP_INSERT, 0, hlc_at (1),
                                        "{\"name\":\"张三\",\"station\":\"" A "\",\"description\":\"左臂纹身\","
                                        "\"sex\":\"male\",\"flags\":32}"), &error));
  g_assert_true (push1 (f, 'a', change (0, "episode", ea, JZ_OP_INSERT, 0, hlc_at (2),
                                        "{\"station\":\"" A "\",\"number\":\"320481-01-2026-000001\"}"), &error));
  g_assert_true (push1 (f, 'b', change (0, "person", pb, JZ_OP_INSERT, 0, hlc_at (3),
                                        "{\"name\":\"李四\",\"station\":\"" B "\"}"), &error));
  /* A change to a field outside the registry is not shown to B at all. */
  g_assert_true (push1 (f, 'a', change (0, "person", pa, JZ_OP_UPDATE, hlc_at (1), hlc_at (4),
                                        "{\"marks\":\"疤\"}"), &error));

  b = pull (f, 'b', 0);
  g_assert_cmpint (b->cursor, ==, 4);
  g_assert_cmpuint (b->changes->len, ==, 2);
  for (guint i = 0; i < b->changes->len; i++)
    {
      JzChange *c = b->changes->pdata[i];

      if (c->stub)
        {
          g_assert_cmpint (c->seq, ==, 1);   /* B's own person */
          continue;
        }
      g_assert_cmpstr (c->entity, ==, "person");
      g_assert_cmpstr (c->id, ==, pa);
      g_assert_cmpstr (json_object_get_string (json_object_object_get (c->fields, "name")), ==, "张三");
      g_assert_false (json_object_object_get_ex (c->fields, "description", NULL));
      g_assert_false (json_object_object_get_ex (c->fields, "flags", NULL));
      /* The registry's fields, as sent, and nothing else. */
      {
        g_autoptr(JzJson) expected = json_tokener_parse ("{\"station\":\"" A "\",\"name\":\"张三\",\"sex\":\"male\"}");

        g_assert_true (json_object_equal (c->fields, expected));
      }
      saw_person = TRUE;
    }
  g_assert_true (saw_person);

  /* The hub workstation sees everything, whole. */
  h = pull (f, 'h', 0);
  g_assert_cmpuint (h->changes->len, ==, 4);
  g_assert_true (json_object_object_get_ex (((JzChange *) h->changes->pdata[0])->fields, "description", NULL));

  /* Paging: since the cursor, nothing more. */
  b2 = pull (f, 'b', b->cursor);
  g_assert_cmpuint (b2->changes->len, ==, 0);
  g_assert_false (b2->more);
}

static void
test_registry_links (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = valid_id_number ("32048119800101001");
  g_autofree char *bad = g_strdup ("320481198001010010");
  g_autofree char *pa = jz_uuid_v7_new ();
  g_autofree char *pb = jz_uuid_v7_new ();
  g_autofree char *pc = jz_uuid_v7_new ();
  g_autofree char *fa = NULL;
  g_autofree char *fb = NULL;
  g_autofree char *fc = NULL;
  g_autofree char *links = NULL;

  if (jz_idcard_is_valid (bad))
    bad[17] = bad[17] == '0' ? '1' : '0';
  fa = g_strdup_printf ("{\"name\":\"张三\",\"station\":\"" A "\",\"id_number\":\"%s\"}", number);
  fb = g_strdup_printf ("{\"name\":\"张叁\",\"station\":\"" B "\",\"id_number\":\"%s\"}", number);
  fc = g_strdup_printf ("{\"name\":\"某\",\"station\":\"" B "\",\"id_number\":\"%s\"}", bad);
  g_assert_true (push1 (f, 'a', change (0, "person", pa, JZ_OP_INSERT, 0, hlc_at (1), fa), &error));
  g_assert_true (push1 (f, 'b', change (0, "person", pb, JZ_OP_INSERT, 0, hlc_at (2), fb), &error));
  g_assert_true (push1 (f, 'b', change (0, "person", pc, JZ_OP_INSERT, 0, hlc_at (3), fc), &error));
  g_assert_no_error (error);

  /* Linked, never merged: both records stay. */
  g_assert_cmpint (count (f, "SELECT count (*) FROM person_link WHERE status = 'suggested'"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count (*) FROM record WHERE entity = 'person'"), ==, 3);
  links = jz_hub_store_list_links (f->hub, f->dev_a, TRUE, &error);
  g_assert_nonnull (strstr (links, pa));

  /* "Not the same person" is remembered through later edits. */
  g_assert_true (jz_hub_store_decide_link (f->hub, pb, pa, "not_same", "staff-1", &error));
  g_assert_true (push1 (f, 'b', change (0, "person", pb, JZ_OP_UPDATE, hlc_at (2), hlc_at (5), fb), &error));
  g_assert_cmpint (count (f, "SELECT count (*) FROM person_link WHERE status = 'not_same'"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count (*) FROM person_link"), ==, 1);
}

static void
test_transfer (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *person = jz_uuid_v7_new ();
  g_autofree char *episode = jz_uuid_v7_new ();
  g_autofree char *belonging = jz_uuid_v7_new ();
  g_autofree char *ef = g_strdup_printf ("{\"station\":\"" A "\",\"person_id\":\"%s\",\"number\":\"320481-01-2026-000001\"}", person);
  g_autofree char *bf = g_strdup_printf ("{\"station\":\"" A "\",\"episode_id\":\"%s\",\"item\":\"身份证\"}", episode);
  g_autoptr(JzPullReply) b = NULL;
  gboolean got_episode = FALSE, got_belonging = FALSE, got_person_whole = FALSE;

  g_assert_true (push1 (f, 'a', change (0, "person", person, JZ_OP_INSERT, 0, hlc_at (1),
                                        "{\"station\":\"" A "\",\"name\":\"张三\",\"description\":\"高\"}"), &error));
  g_assert_true (push1 (f, 'a', change (0, "episode", episode, JZ_OP_INSERT, 0, hlc_at (2), ef), &error));
  g_assert_true (push1 (f, 'a', change (0, "belonging", belonging, JZ_OP_INSERT, 0, hlc_at (3), bf), &error));

  /* 提级办理: hub staff move the episode to B. */
  g_assert_true (push1 (f, 'h', change (0, "episode", episode, JZ_OP_UPDATE, hlc_at (2), hlc_at (10),
                                        "{\"station\":\"" B "\"}"), &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f, "SELECT count (*) FROM record WHERE owner = '" B "'"), ==, 2);

  b = pull (f, 'b', 0);
  for (guint i = 0; i < b->changes->len; i++)
    {
      JzChange *c = b->changes->pdata[i];

      if (g_strcmp0 (c->id, episode) == 0 && json_object_object_get_ex (c->fields, "number", NULL))
        got_episode = TRUE;
      if (g_strcmp0 (c->id, belonging) == 0 &&
          g_strcmp0 (json_object_get_string (json_object_object_get (c->fields, "station")), B) == 0)
        got_belonging = TRUE;
      if (g_strcmp0 (c->id, person) == 0 && json_object_object_get_ex (c->fields, "description", NULL))
        got_person_whole = TRUE;
    }
  g_assert_true (got_episode);
  g_assert_true (got_belonging);
  g_assert_true (got_person_whole);

  /* B now owns the episode; A, which had it, may still send what it wrote
   * meanwhile (with the lowest authority). */
  g_assert_true (push1 (f, 'b', change (0, "episode", episode, JZ_OP_UPDATE, hlc_at (10), hlc_at (11),
                                        "{\"reason\":\"转来\"}"), &error));
  g_assert_true (push1 (f, 'a', change (0, "episode", episode, JZ_OP_UPDATE, hlc_at (2), hlc_at (12),
                                        "{\"history\":\"多次\"}"), &error));
  g_assert_no_error (error);
}

static void
test_stats (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *p = jz_uuid_v7_new ();
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JzJson) obj = NULL;

  g_assert_true (push1 (f, 'a', change (0, "person", p, JZ_OP_INSERT, 0, hlc_at (1),
                                        "{\"station\":\"" A "\",\"name\":\"x\"}"), &error));
  text = jz_hub_store_stats (f->hub, FALSE, &error);
  g_assert_nonnull (strstr (text, A));
  json = jz_hub_store_stats (f->hub, TRUE, &error);
  obj = json_tokener_parse (json);
  g_assert_nonnull (obj);
  g_assert_cmpint (json_object_get_int (json_object_object_get (obj, "changes")), ==, 1);
  g_assert_cmpint (json_object_get_int (json_object_object_get (obj, "records")), ==, 1);
}

/* Bodies the lean decoder takes, and ones it leaves to json-c: either way
 * the result is what jz_push_request_decode() makes of them. */
static void
test_push_lean_decode (void)
{
#define HEAD "{\"v\":1,\"station\":\"" A "\",\"epoch\":\"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\",\"changes\":["
#define ID1 "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c"
#define CH(seq, op, fields) "{\"seq\":" #seq ",\"entity\":\"person\",\"id\":\"" ID1 "\",\"op\":\"" op "\",\"hlc\":65536,\"fields\":" fields "}"
  static const struct
  {
    const char *body;
    gboolean    lean;      /* taken without json-c */
  } cases[] = {
    { HEAD CH(1, "insert", "{\"name\":\"张三\",\"sex\":\"male\",\"height_cm\":172,\"lat\":31.5,\"verified\":true,\"note\":null}") "]}", TRUE },
    { " { \"changes\" : [ " CH(1, "insert", "{ }") " , " CH(2, "update", "{\"name\" : \"x\"}") " ] , \"station\":\"" A "\", "
      "\"epoch\":\"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\" } ", TRUE },
    { HEAD CH(1, "insert", "{\"name\":\"a\\\"b\\\\c\\u4e2d\\n\"}") "]}", TRUE },
    { HEAD "{\"seq\":1,\"station\":\"" A "\",\"entity\":\"person\",\"id\":\"" ID1 "\",\"op\":\"delete\",\"base_rev\":5,"
      "\"base_seq\":0,\"hlc\":65536,\"fields\":{}}]}", TRUE },
    /* json-c decides these (and refuses most). */
    { HEAD CH(1, "insert", "{\"name\":\"a\",\"name\":\"b\"}") "]}", FALSE },
    { HEAD CH(1, "insert", "{\"n\\u0061me\":\"a\"}") "]}", FALSE },
    { HEAD CH(1, "insert", "{\"name\":\"a\\u0000b\"}") "]}", FALSE },
    { HEAD CH(1, "insert", "{\"name\":\"\\ud800\"}") "]}", FALSE },
    { HEAD CH(1, "insert", "{\"flags\":12345678901234567890}") "]}", FALSE },
    { HEAD CH(1, "insert", "{\"flags\":-0}") "]}", FALSE },
    { HEAD CH(1, "insert", "{\"lat\":1e5}") "]}", FALSE },
    { HEAD CH(1, "insert", "{\"name\":[1]}") "]}", FALSE },
    { HEAD CH(1, "insert", "{\"Name\":1}") "]}", FALSE },
    { HEAD CH(1, "insert", "{\"name\":\"\xff\"}") "]}", FALSE },
    { HEAD CH(1, "insert", "{\"name\":\"a\"}") "," CH(3, "update", "{}") "]}", FALSE },
    { HEAD "]}", FALSE },
    { HEAD CH(1, "insert", "{}") "]", FALSE },
    { HEAD CH(1, "insert", "{}") "]}x", FALSE },
    { HEAD CH(1, "insert", "{}") "],\"v\":2}", FALSE },
    { HEAD CH(1, "insert", "{}") "],\"station\":\"" A "\"}", FALSE },
    { HEAD CH(1, "insert", "{}") "],\"extra\":1}", FALSE },
    { HEAD "{\"seq\":1,\"entity\":\"person\",\"id\":\"" ID1 "\",\"op\":\"insert\",\"hlc\":0,\"fields\":{}}]}", FALSE },
    { HEAD "{\"seq\":1,\"entity\":\"person\",\"id\":\"" ID1 "\",\"op\":\"move\",\"hlc\":1,\"fields\":{}}]}", FALSE },
    { HEAD "{\"seq\":1,\"entity\":\"person\",\"id\":\"" ID1 "\",\"op\":\"insert\",\"hlc\":1}]}", FALSE },
    { HEAD "{\"seq\":1,\"station\":\"" B "\",\"entity\":\"person\",\"id\":\"" ID1 "\",\"op\":\"insert\",\"hlc\":1,\"fields\":{}}]}", FALSE },
    { HEAD "{\"seq\":1.0,\"entity\":\"person\",\"id\":\"" ID1 "\",\"op\":\"insert\",\"hlc\":1,\"fields\":{}}]}", FALSE },
  };
#undef CH
#undef ID1
#undef HEAD

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *body = cases[i].body;
      g_autoptr(GError) full_error = NULL;
      g_autoptr(GError) lean_error = NULL;
      g_autoptr(JzPushRequest) full = jz_push_request_decode (body, strlen (body), &full_error);
      g_autoptr(JzPushRequest) lean = jz_push_request_decode_lean (body, strlen (body), &lean_error);

      g_test_message ("case %u: %s", i, body);
      if (full == NULL)
        {
          g_assert_null (lean);
          g_assert_error (lean_error, full_error->domain, full_error->code);
          g_assert_cmpstr (lean_error->message, ==, full_error->message);
          continue;
        }
      g_assert_no_error (lean_error);
      g_assert_nonnull (lean);
      g_assert_cmpstr (lean->station, ==, full->station);
      g_assert_cmpstr (lean->epoch, ==, full->epoch);
      g_assert_cmpuint (lean->changes->len, ==, full->changes->len);
      for (guint j = 0; j < full->changes->len; j++)
        {
          JzChange *a = g_ptr_array_index (full->changes, j);
          JzChange *b = g_ptr_array_index (lean->changes, j);

          g_assert_cmpint (b->fields == NULL, ==, cases[i].lean);
          g_assert_cmpstr (b->station, ==, a->station);
          g_assert_cmpstr (b->epoch, ==, a->epoch);
          g_assert_cmpint (b->seq, ==, a->seq);
          g_assert_cmpstr (b->entity, ==, a->entity);
          g_assert_cmpstr (b->id, ==, a->id);
          g_assert_cmpint (b->op, ==, a->op);
          g_assert_cmpuint (b->base_rev, ==, a->base_rev);
          g_assert_cmpint (b->has_base_seq, ==, a->has_base_seq);
          g_assert_cmpint (b->base_seq, ==, a->base_seq);
          g_assert_cmpuint (b->hlc, ==, a->hlc);
          g_assert_true (json_object_equal (jz_change_get_fields (b, NULL), a->fields));
        }
    }
}

/* An insert stored from its text holds what the json-c path stores: the
 * same record fields, owner, parent, deleted flag and registry key. */
static void
test_push_lean_insert (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = valid_id_number ("32048119800101001");
  g_autofree char *fields = g_strdup_printf ("{\"hlc\":7,\"name\":\"王\\u4e94 \\\"小王\\\"\",\"id_number\":\"%s\","
                                             "\"height_cm\":170,\"deleted\":false,\"dialect\":null}", number);
  const char *id[2];
  g_autofree char *id0 = jz_uuid_v7_new ();
  g_autofree char *id1 = jz_uuid_v7_new ();
  g_autofree char *episode = jz_uuid_v7_new ();
  g_autofree char *ep_fields = g_strdup_printf ("{\"person_id\":\"%s\",\"number\":\"E-1\"}", id0);
  g_autofree char *svc_fields = NULL;
  sqlite3_stmt *stmt = NULL;
  JzChange *c;

  id[0] = id0;
  id[1] = id1;
  /* The same insert twice, once each way. */
  for (int i = 0; i < 2; i++)
    {
      c = change (0, "person", id[i], JZ_OP_INSERT, 0, hlc_at (1), fields);
      if (i == 1)
        {
          g_clear_pointer (&c->fields, json_object_put);
          g_clear_pointer (&c->fields_json, g_free);
          c->fields_json = g_strdup (fields);
        }
      else
        {
          g_clear_pointer (&c->fields_json, g_free);
          c->fields = json_tokener_parse (fields);
        }
      g_assert_true (push1 (f, 'a', c, &error));
      g_assert_no_error (error);
    }

  sqlite3_prepare_v2 (jz_hub_store_get_db (f->hub),
                      "SELECT r.owner, r.deleted, r.parent_id, c.fields_json FROM record r"
                      " JOIN change c ON c.hub_seq = r.hub_seq WHERE r.id = ?1", -1, &stmt, NULL);
  {
    json_object *stored[2] = { NULL, NULL };

    for (int i = 0; i < 2; i++)
      {
        sqlite3_bind_text (stmt, 1, id[i], -1, SQLITE_STATIC);
        g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
        g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, A);
        g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 0);
        g_assert_cmpint (sqlite3_column_type (stmt, 2), ==, SQLITE_NULL);
        stored[i] = json_tokener_parse ((const char *) sqlite3_column_text (stmt, 3));
        g_assert_nonnull (stored[i]);
        sqlite3_reset (stmt);
      }
    g_assert_true (json_object_equal (stored[0], stored[1]));
    g_assert_false (json_object_object_get_ex (stored[1], "hlc", NULL));
    g_assert_cmpstr (json_object_get_string (json_object_object_get (stored[1], "station")), ==, A);
    g_assert_cmpstr (json_object_get_string (json_object_object_get (stored[1], "name")), ==, "王五 \"小王\"");
    json_object_put (stored[0]);
    json_object_put (stored[1]);
  }
  sqlite3_finalize (stmt);
  g_assert_cmpint (count (f, "SELECT count (*) FROM person_key"), ==, 2);

  /* A record's parent, and a station named in the fields. */
  c = change (0, "episode", episode, JZ_OP_INSERT, 0, hlc_at (2), ep_fields);
  g_assert_true (push1 (f, 'a', c, &error));
  svc_fields = g_strdup_printf ("{\"station\":\"" A "\",\"episode_id\":\"%s\",\"kind\":\"meal\",\"qty\":1}", episode);
  {
    g_autofree char *svc = jz_uuid_v7_new ();
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM record WHERE id = '%s' AND parent_id = '%s'",
                                            svc, episode);

    c = change (0, "service_log", svc, JZ_OP_INSERT, 0, hlc_at (3), svc_fields);
    g_assert_true (push1 (f, 'a', c, &error));
    g_assert_no_error (error);
    g_assert_cmpint (count (f, sql), ==, 1);
  }

  /* Someone else's records, a wrong type, an insert of an id that exists:
   * refused or merged as on the json-c path. */
  {
    g_autofree char *other = jz_uuid_v7_new ();

    c = change (0, "person", other, JZ_OP_INSERT, 0, hlc_at (4), "{\"station\":\"" B "\",\"name\":\"x\"}");
    g_assert_false (push1 (f, 'a', c, &error));
    g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN);
    g_clear_error (&error);
    c = change (0, "person", other, JZ_OP_INSERT, 0, hlc_at (4), "{\"name\":5}");
    g_assert_false (push1 (f, 'a', c, &error));
    g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED);
    g_clear_error (&error);
  }
  c = change (0, "person", id0, JZ_OP_INSERT, 0, hlc_at (5), "{\"name\":\"又一次\"}");
  g_assert_true (push1 (f, 'a', c, &error));
  g_assert_no_error (error);
  {
    g_autofree char *name = record_field (f, id0, "name");

    g_assert_cmpstr (name, ==, "又一次");
  }
  g_assert_cmpint (count (f, "SELECT count (*) FROM record WHERE entity = 'person'"), ==, 2);
}

/* An update merged from its text (a field replaced, one added, one set to
 * null, an ID number changed; by the owner, then by hub staff) leaves the
 * record, its tags, the change served and the registry as the json-c path
 * leaves them. */
static void
test_push_lean_update (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *n1 = valid_id_number ("32048119800101001");
  g_autofree char *n2 = valid_id_number ("32048119800101002");
  g_autofree char *insert = g_strdup_printf ("{\"name\":\"张三\",\"id_number\":\"%s\",\"dialect\":\"徐州话\"}", n1);
  g_autofree char *update = g_strdup_printf ("{\"hlc\":9,\"name\":\"李\\\"四\\\"\",\"height_cm\":180,"
                                             "\"dialect\":null,\"id_number\":\"%s\"}", n2);
  g_autofree char *id0 = jz_uuid_v7_new ();
  g_autofree char *id1 = jz_uuid_v7_new ();
  const char *id[2] = { id0, id1 };
  json_object *fields[2] = { NULL, NULL };
  json_object *tags[2] = { NULL, NULL };
  json_object *served[2] = { NULL, NULL };
  sqlite3_stmt *stmt = NULL;

  /* The same changes twice, once each way. */
  for (int i = 0; i < 2; i++)
    {
      struct { char who; guint64 base; guint64 hlc; const char *fields; } steps[] = {
        { 'a', 0, hlc_at (1), insert },
        { 'a', hlc_at (1), hlc_at (2), update },
        { 'h', hlc_at (2), hlc_at (3), "{\"name\":\"王\"}" },
      };

      for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
        {
          JzChange *c = change (0, "person", id[i], s == 0 ? JZ_OP_INSERT : JZ_OP_UPDATE, steps[s].base,
                                steps[s].hlc, steps[s].fields);

          g_clear_pointer (&c->fields, json_object_put);
          g_clear_pointer (&c->fields_json, g_free);
          if (i == 1)
            c->fields_json = g_strdup (steps[s].fields);
          else
            c->fields = json_tokener_parse (steps[s].fields);
          g_assert_true (push1 (f, steps[s].who, c, &error));
          g_assert_no_error (error);
        }
    }

  sqlite3_prepare_v2 (jz_hub_store_get_db (f->hub),
                      "SELECT r.owner, r.deleted, r.fields_json, r.tags_json,"
                      " (SELECT fields_json FROM change WHERE entity_id = r.id AND station = '" A "' AND op = 'update')"
                      " FROM record r WHERE r.id = ?1", -1, &stmt, NULL);
  for (int i = 0; i < 2; i++)
    {
      sqlite3_bind_text (stmt, 1, id[i], -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, A);
      g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 0);
      fields[i] = json_tokener_parse ((const char *) sqlite3_column_text (stmt, 2));
      tags[i] = json_tokener_parse ((const char *) sqlite3_column_text (stmt, 3));
      served[i] = json_tokener_parse ((const char *) sqlite3_column_text (stmt, 4));
      g_assert_nonnull (fields[i]);
      g_assert_nonnull (tags[i]);
      g_assert_nonnull (served[i]);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);

  g_assert_true (json_object_equal (fields[0], fields[1]));
  g_assert_true (json_object_equal (served[0], served[1]));
  g_assert_false (json_object_object_get_ex (fields[1], "hlc", NULL));
  g_assert_false (json_object_object_get_ex (served[1], "hlc", NULL));
  g_assert_cmpstr (json_object_get_string (json_object_object_get (fields[1], "name")), ==, "王");
  g_assert_cmpint (json_object_get_int (json_object_object_get (fields[1], "height_cm")), ==, 180);
  g_assert_true (json_object_object_get_ex (fields[1], "dialect", NULL));
  g_assert_null (json_object_object_get (fields[1], "dialect"));
  g_assert_cmpstr (json_object_get_string (json_object_object_get (fields[1], "station")), ==, A);
  g_assert_cmpstr (json_object_get_string (json_object_object_get (served[1], "name")), ==, "李\"四\"");

  /* The tags name the same writers; their hub_seqs are each record's own. */
  g_assert_cmpint (json_object_object_length (tags[0]), ==, json_object_object_length (tags[1]));
  {
    json_object_object_foreach (tags[0], key, t0)
      {
        json_object *t1 = json_object_object_get (tags[1], key);

        g_test_message ("tag %s", key);
        g_assert_nonnull (t1);
        g_assert_cmpint (json_object_array_length (t1), ==, 4);
        for (int k = 0; k < 3; k++)
          g_assert_true (json_object_equal (json_object_array_get_idx (t0, k), json_object_array_get_idx (t1, k)));
        g_assert_cmpint (json_object_get_int64 (json_object_array_get_idx (t1, 3)), >,
                         json_object_get_int64 (json_object_array_get_idx (t0, 3)));
      }
  }
  g_assert_cmpint (json_object_get_int (json_object_array_get_idx (json_object_object_get (tags[1], "name"), 2)),
                   ==, JZ_AUTHORITY_HUB);
  g_assert_cmpint (json_object_get_int (json_object_array_get_idx (json_object_object_get (tags[1], "height_cm"), 2)),
                   ==, JZ_AUTHORITY_OWNER);
  for (int i = 0; i < 2; i++)
    {
      json_object_put (fields[i]);
      json_object_put (tags[i]);
      json_object_put (served[i]);
    }

  {
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM person_key WHERE id_number = '%s'", n2);

    g_assert_cmpint (count (f, sql), ==, 2);
    g_assert_cmpint (count (f, "SELECT count (*) FROM person_key"), ==, 2);
  }
}

/* An insert's fields are stored as sent, less the clock: copied in runs
 * of members where the text allows, the same text as member by member. */
static void
test_push_lean_text (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  static const struct
  {
    const char *sent;
    const char *stored;
  } cases[] = {
    { "{\"hlc\":7,\"name\":\"王五\",\"sex\":\"m\",\"height_cm\":170}",
      "{\"name\":\"王五\",\"sex\":\"m\",\"height_cm\":170,\"station\":\"" A "\"}" },
    { "{\"name\":\"王\\u4e94\",\"hlc\":7,\"station\":\"" A "\",\"dialect\":null}",
      "{\"name\":\"王\\u4e94\",\"station\":\"" A "\",\"dialect\":null}" },
    { "{ \"name\" : \"王五\", \"sex\":\"m\" ,\"height_cm\":170,\"dialect\":\"徐州话\" , \"hlc\" : 7 }",
      "{\"name\":\"王五\",\"sex\":\"m\",\"height_cm\":170,\"dialect\":\"徐州话\",\"station\":\"" A "\"}" },
    { "{\"hlc\":7}", "{\"station\":\"" A "\"}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id = jz_uuid_v7_new ();
      g_autofree char *sql = NULL;
      JzChange *c = change (0, "person", id, JZ_OP_INSERT, 0, hlc_at (1), cases[i].sent);
      sqlite3_stmt *stmt = NULL;

      g_clear_pointer (&c->fields, json_object_put);
      g_free (c->fields_json);
      c->fields_json = g_strdup (cases[i].sent);
      g_assert_true (push1 (f, 'a', c, &error));
      g_assert_no_error (error);
      g_assert_cmpint (sqlite3_prepare_v2 (jz_hub_store_get_db (f->hub),
                                           "SELECT fields_json FROM change WHERE entity_id = ?1", -1, &stmt, NULL),
                       ==, SQLITE_OK);
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, cases[i].stored);
      sqlite3_finalize (stmt);
    }
}

/* A store of schema 1 (person_key keyed by number and person, WITHOUT
 * ROWID) is upgraded when opened: its keys kept, links made from them. */
static void
test_registry_migrate (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = valid_id_number ("32048119800101001");
  g_autofree char *other = valid_id_number ("32048119900101002");
  g_autofree char *pa = jz_uuid_v7_new ();
  g_autofree char *pa2 = jz_uuid_v7_new ();
  g_autofree char *pb = jz_uuid_v7_new ();
  g_autofree char *fa = g_strdup_printf ("{\"name\":\"张三\",\"station\":\"" A "\",\"id_number\":\"%s\"}", number);
  g_autofree char *fa2 = g_strdup_printf ("{\"name\":\"李四\",\"station\":\"" A "\",\"id_number\":\"%s\"}", other);
  g_autofree char *fb = g_strdup_printf ("{\"name\":\"张叁\",\"station\":\"" B "\",\"id_number\":\"%s\"}", number);
  g_autofree char *path = g_build_filename (f->dir, "hub.db", NULL);
  sqlite3 *db = NULL;

  g_assert_true (push1 (f, 'a', change (0, "person", pa, JZ_OP_INSERT, 0, hlc_at (1), fa), &error));
  g_assert_true (push1 (f, 'a', change (0, "person", pa2, JZ_OP_INSERT, 0, hlc_at (2), fa2), &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f, "PRAGMA user_version"), ==, 2);

  /* Back to schema 1's layout, as a hub of before wrote it. */
  g_clear_object (&f->hub);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
    "BEGIN;"
    "CREATE TABLE person_key_1 (id_number TEXT NOT NULL, person_id TEXT NOT NULL, station TEXT NOT NULL,"
    " PRIMARY KEY (id_number, person_id)) STRICT, WITHOUT ROWID;"
    "INSERT INTO person_key_1 SELECT id_number, person_id, station FROM person_key;"
    "DROP TABLE person_key;"
    "ALTER TABLE person_key_1 RENAME TO person_key;"
    "CREATE INDEX person_key_person ON person_key (person_id);"
    "PRAGMA user_version = 1;"
    "COMMIT;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  f->hub = jz_hub_store_open (path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count (f, "PRAGMA user_version"), ==, 2);
  g_assert_cmpint (count (f, "SELECT count (*) FROM sqlite_schema WHERE name = 'person_key_number'"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count (*) FROM sqlite_schema WHERE name = 'person_key_1'"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count (*) FROM person_key"), ==, 2);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM person_key WHERE id_number = '%s'"
                                            " AND person_id = '%s' AND station = '" A "'", number, pa);

    g_assert_cmpint (count (f, sql), ==, 1);
  }

  /* The kept key still finds the same person at another station. */
  g_assert_true (push1 (f, 'b', change (0, "person", pb, JZ_OP_INSERT, 0, hlc_at (3), fb), &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f, "SELECT count (*) FROM person_link WHERE status = 'suggested'"), ==, 1);
  {
    gboolean pa_first = strcmp (pa, pb) < 0;
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM person_link WHERE a = '%s' AND b = '%s'",
                                            pa_first ? pa : pb, pa_first ? pb : pa);

    g_assert_cmpint (count (f, sql), ==, 1);
  }

  /* Opened again: nothing left to do. */
  g_clear_object (&f->hub);
  f->hub = jz_hub_store_open (path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count (f, "SELECT count (*) FROM person_key"), ==, 3);
}

/* Two hub processes on one store: each finds the numbers the other wrote
 * (a push does not trust what it remembers of the registry once another
 * connection has written the store). */
static void
test_registry_two_writers (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = valid_id_number ("32048119800101001");
  g_autofree char *other = valid_id_number ("32048119900101002");
  g_autofree char *pa = jz_uuid_v7_new ();
  g_autofree char *pb = jz_uuid_v7_new ();
  g_autofree char *pb0 = jz_uuid_v7_new ();
  g_autofree char *fa = g_strdup_printf ("{\"name\":\"张三\",\"station\":\"" A "\",\"id_number\":\"%s\"}", number);
  g_autofree char *fb = g_strdup_printf ("{\"name\":\"张叁\",\"station\":\"" B "\",\"id_number\":\"%s\"}", number);
  g_autofree char *fb0 = g_strdup_printf ("{\"name\":\"李四\",\"station\":\"" B "\",\"id_number\":\"%s\"}", other);
  g_autofree char *path = g_build_filename (f->dir, "hub.db", NULL);
  JzHubStore *first = f->hub;
  JzHubStore *second = jz_hub_store_open (path, FALSE, &error);

  g_assert_no_error (error);
  /* The second one reads the registry (without the number) … */
  f->hub = second;
  g_assert_true (push1 (f, 'b', change (0, "person", pb0, JZ_OP_INSERT, 0, hlc_at (1), fb0), &error));
  /* … the first one writes the number … */
  f->hub = first;
  g_assert_true (push1 (f, 'a', change (0, "person", pa, JZ_OP_INSERT, 0, hlc_at (2), fa), &error));
  /* … and the second one links a person of another station to it. */
  f->hub = second;
  g_assert_true (push1 (f, 'b', change (0, "person", pb, JZ_OP_INSERT, 0, hlc_at (3), fb), &error));
  g_assert_no_error (error);
  f->hub = first;
  g_object_unref (second);
  g_assert_cmpint (count (f, "SELECT count (*) FROM person_link WHERE status = 'suggested'"), ==, 1);
}

/* One change of test_push_many_rows' list. */
typedef struct
{
  const char *entity;
  char       *id;
  JzOp        op;
  guint64     base_rev;
  guint64     hlc;
  gboolean    has_base_seq;
  char       *fields;
} Spec;

static void
spec_clear (gpointer data)
{
  Spec *s = data;

  g_free (s->id);
  g_free (s->fields);
}

static JzChange *
spec_change (const Spec *s,
             gint64      seq,
             const char *epoch)
{
  JzChange *c = change (seq, s->entity, s->id, s->op, s->base_rev, s->hlc, s->fields);

  c->has_base_seq = s->has_base_seq;
  c->base_seq = 0;
  c->station = g_strdup (A);
  c->epoch = g_strdup (epoch);
  return c;
}

/* The rows of @sql, one line each (quote(): NULL and text told apart). */
static char *
rows_text (JzHubStore *hub,
           const char *sql)
{
  GString *out = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (jz_hub_store_get_db (hub), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        g_string_append_printf (out, "%s|", (const char *) sqlite3_column_text (stmt, i));
      g_string_append_c (out, '\n');
    }
  sqlite3_finalize (stmt);
  return g_string_free (out, FALSE);
}

#define CHANGE_ROWS "SELECT hub_seq, quote (station), quote (epoch), seq, entity, entity_id, op, base_rev, hlc, auth," \
  " quote (scope), quote (fields_json), quote (lost_json), chain FROM change ORDER BY hub_seq"
#define RECORD_ROWS "SELECT entity, id, owner, creator, quote (parent_id), hlc, deleted, quote (fields_json)," \
  " tags_json, hub_seq FROM record ORDER BY entity, id"

/* A push of many changes, whose change rows the hub writes many to a
 * statement, leaves the rows that the same changes pushed one at a time
 * leave: inserts (some with an ID number), an insert of an id the push
 * itself made, updates of records the push inserted, a record updated
 * twice (the second update asks whether the first was its writer's own),
 * inserts after the updates. hub_seq counts up, and a push refused at
 * its last change writes nothing and takes no number. */
static void
test_push_many_rows (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) specs = g_array_new (FALSE, TRUE, sizeof (Spec));
  g_autoptr(JzPushRequest) req = jz_push_request_new (A, f->epoch_a);
  g_autoptr(JzHubStore) one = NULL;
  g_autoptr(JzHubDevice) one_dev = NULL;
  g_autofree char *one_path = g_build_filename (f->dir, "one.db", NULL);
  g_autofree char *many_changes = NULL;
  g_autofree char *one_changes = NULL;
  g_autofree char *many_records = NULL;
  g_autofree char *one_records = NULL;
  JzPushReply reply;
  Spec s;
  guint n;

  for (guint i = 0; i < 150; i++)
    {
      g_autofree char *first17 = g_strdup_printf ("320481198001%05u", i);
      g_autofree char *number = valid_id_number (first17);

      s = (Spec) { "person", jz_uuid_v7_new (), JZ_OP_INSERT, 0, hlc_at (10 + i), FALSE, NULL };
      s.fields = i % 2 ? g_strdup_printf ("{\"hlc\":1,\"name\":\"甲%u\",\"id_number\":\"%s\"}", i, number)
                       : g_strdup_printf ("{\"hlc\":1,\"name\":\"乙%u\",\"sex\":\"male\"}", i);
      g_array_append_val (specs, s);
    }
  /* Its record's insert still waits to be written (rows go 64 at a time). */
  s = (Spec) { "person", g_strdup (g_array_index (specs, Spec, 140).id), JZ_OP_INSERT, 0, hlc_at (200), FALSE,
               g_strdup ("{\"name\":\"又一次\"}") };
  g_array_append_val (specs, s);
  for (guint i = 0; i < 80; i++)
    {
      s = (Spec) { "person", g_strdup (g_array_index (specs, Spec, i).id), JZ_OP_UPDATE, hlc_at (10 + i),
                   hlc_at (300 + i), FALSE, NULL };
      s.fields = g_strdup_printf ("{\"hlc\":2,\"name\":\"丙%u\",\"dialect\":\"徐州话\"}", i);
      g_array_append_val (specs, s);
    }
  s = (Spec) { "person", g_strdup (g_array_index (specs, Spec, 5).id), JZ_OP_UPDATE, hlc_at (305), hlc_at (400),
               TRUE, g_strdup ("{\"name\":\"丁\"}") };
  g_array_append_val (specs, s);
  for (guint i = 0; i < 9; i++)
    {
      s = (Spec) { "person", jz_uuid_v7_new (), JZ_OP_INSERT, 0, hlc_at (500 + i), FALSE, NULL };
      s.fields = g_strdup_printf ("{\"name\":\"戊%u\"}", i);
      g_array_append_val (specs, s);
    }
  g_array_set_clear_func (specs, spec_clear);
  n = specs->len;

  /* All in one push here; one change a push in a second hub. */
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (req->changes, spec_change (&g_array_index (specs, Spec, i), i + 1, f->epoch_a));
  g_assert_true (jz_hub_store_push (f->hub, f->dev_a, req, &reply, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (reply.accepted, ==, n);

  one = jz_hub_store_open (one_path, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (jz_hub_store_add_station (one, A, "新沂", FALSE, &error));
  {
    g_autofree char *code = jz_hub_store_enrol_device (one, A, "test", NULL, &error);
    JzEnrolRequest enrol_req = { code, (char *) A, (char *) "county", f->epoch_a, NULL };
    g_autoptr(JzEnrolReply) enrol_reply = NULL;

    one_dev = jz_hub_store_redeem (one, &enrol_req, &enrol_reply, &error);
    g_assert_no_error (error);
  }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JzPushRequest) single = jz_push_request_new (A, f->epoch_a);

      g_ptr_array_add (single->changes, spec_change (&g_array_index (specs, Spec, i), i + 1, f->epoch_a));
      g_assert_true (jz_hub_store_push (one, one_dev, single, &reply, NULL, NULL, &error));
      g_assert_no_error (error);
    }

  many_changes = rows_text (f->hub, CHANGE_ROWS);
  one_changes = rows_text (one, CHANGE_ROWS);
  g_assert_cmpstr (many_changes, ==, one_changes);
  many_records = rows_text (f->hub, RECORD_ROWS);
  one_records = rows_text (one, RECORD_ROWS);
  g_assert_cmpstr (many_records, ==, one_records);
  g_assert_cmpint (count (f, "SELECT count (*) FROM change"), ==, n);
  /* The json-c path writes the row of an insert that turns out to merge
   * and deletes it: that number stays used (AUTOINCREMENT's rule). */
  g_assert_cmpint (count (f, "SELECT max (hub_seq) - min (hub_seq) + 1 FROM change"), ==, n + (fields_as_text ? 0 : 1));
  g_assert_cmpint (count (f, "SELECT count (*) FROM person_key"), ==, 75);
  {
    g_autofree char *name = record_field (f, g_array_index (specs, Spec, 5).id, "name");

    g_assert_cmpstr (name, ==, "丁");
  }

  /* Refused at its last change: nothing of it stays, no number is used. */
  {
    g_autoptr(JzPushRequest) refused = jz_push_request_new (A, f->epoch_a);
    g_autofree char *other = jz_uuid_v7_new ();
    gint64 high = count (f, "SELECT max (hub_seq) FROM change");

    for (guint i = 0; i < 100; i++)
      {
        s = (Spec) { "person", jz_uuid_v7_new (), JZ_OP_INSERT, 0, hlc_at (600 + i), FALSE, g_strdup ("{\"name\":\"己\"}") };
        g_ptr_array_add (refused->changes, spec_change (&s, n + 1 + i, f->epoch_a));
        spec_clear (&s);
      }
    s = (Spec) { "person", other, JZ_OP_INSERT, 0, hlc_at (700), FALSE, g_strdup ("{\"station\":\"" B "\"}") };
    g_ptr_array_add (refused->changes, spec_change (&s, n + 101, f->epoch_a));
    g_free (s.fields);
    g_assert_false (jz_hub_store_push (f->hub, f->dev_a, refused, &reply, NULL, NULL, &error));
    g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_FORBIDDEN);
    g_clear_error (&error);
    g_assert_cmpint (count (f, "SELECT count (*) FROM change"), ==, n);
    g_assert_cmpint (count (f, "SELECT count (*) FROM record"), ==, 159);

    g_ptr_array_set_size (refused->changes, 1);
    g_assert_true (jz_hub_store_push (f->hub, f->dev_a, refused, &reply, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (count (f, "SELECT max (hub_seq) FROM change"), ==, high + 1);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/hub" path, Fixture, GINT_TO_POINTER (FALSE), fixture_setup, func, fixture_teardown); \
  g_test_add ("/hub/text" path, Fixture, GINT_TO_POINTER (TRUE), fixture_setup, func, fixture_teardown)
  ADD ("/enrol", test_enrol);
  ADD ("/push/idempotent", test_push_idempotent);
  ADD ("/push/refusals", test_push_refusals);
  ADD ("/push/lean-insert", test_push_lean_insert);
  ADD ("/push/lean-update", test_push_lean_update);
  ADD ("/merge/authority", test_merge);
  ADD ("/merge/order", test_merge_order);
  ADD ("/merge/base-seq", test_merge_base_seq);
  ADD ("/pull/scope", test_pull_scope);
  ADD ("/chain", test_chain);
  ADD ("/registry/links", test_registry_links);
  ADD ("/registry/migrate", test_registry_migrate);
  ADD ("/registry/two-writers", test_registry_two_writers);
  ADD ("/push/lean-text", test_push_lean_text);
  ADD ("/transfer", test_transfer);
  ADD ("/stats", test_stats);
  ADD ("/push/many-rows", test_push_many_rows);
#undef ADD
  g_test_add_func ("/hub/push/lean-decode", test_push_lean_decode);

  return g_test_run ();
}
