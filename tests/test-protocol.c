/* test-protocol.c: the sync protocol's codec
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "jz-protocol.h"
#include "jz-uuid.h"

#define STATION "320481-01"
#define EPOCH   "0190f3a2-7c4e-7a10-8b2c-112233445566"
#define ID1     "0190f3a2-7c4e-7a10-8b2c-aabbccddeeff"

static JzChange *
make_change (gint64      seq,
             const char *fields_json)
{
  JzChange *c = jz_change_new ();

  c->seq = seq;
  c->entity = g_strdup ("person");
  c->id = g_strdup (ID1);
  c->op = seq == 1 ? JZ_OP_INSERT : JZ_OP_UPDATE;
  c->base_rev = seq == 1 ? 0 : (guint64) (seq - 1) << 16;
  /* An update says what its writer had pulled; an insert, nothing. */
  c->has_base_seq = seq != 1;
  c->base_seq = seq != 1 ? 40 + seq : 0;
  c->hlc = (guint64) seq << 16;
  c->fields_json = g_strdup (fields_json);
  return c;
}

static void
assert_push_fails (const char      *json,
                   JzProtocolError  code,
                   const char      *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPushRequest) req = jz_push_request_decode (json, strlen (json), &error);

  g_assert_null (req);
  g_assert_error (error, JZ_PROTOCOL_ERROR, (gint) code);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, fragment);
}

static void
test_gzip_roundtrip (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GBytes) packed = NULL;
  g_autoptr(GBytes) unpacked = NULL;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 1000; i++)
    g_string_append_printf (text, "{\"seq\":%d,\"name\":\"张三\"},", i);

  packed = jz_protocol_gzip (text->str, text->len, 6);
  g_assert_true (jz_protocol_is_gzip (g_bytes_get_data (packed, NULL), g_bytes_get_size (packed)));
  g_assert_cmpuint (g_bytes_get_size (packed), <, text->len / 5);

  unpacked = jz_protocol_gunzip (g_bytes_get_data (packed, NULL), g_bytes_get_size (packed),
                                 JZ_PROTOCOL_MAX_INFLATED, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (unpacked, NULL), g_bytes_get_size (unpacked), text->str, text->len);
}

static void
test_gzip_refusals (void)
{
  g_autofree char *zeros = g_malloc0 (4 * 1024 * 1024);
  g_autoptr(GBytes) bomb = jz_protocol_gzip (zeros, 4 * 1024 * 1024, 9);
  g_autoptr(GBytes) small = jz_protocol_gzip ("{\"a\":1}", 7, 6);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autofree guchar *trailing = NULL;
  gsize n;

  /* 4 MiB of zeros packs into a few KiB: a limit of 1 MiB must stop it. */
  g_assert_cmpuint (g_bytes_get_size (bomb), <, 16384);
  out = jz_protocol_gunzip (g_bytes_get_data (bomb, NULL), g_bytes_get_size (bomb), 1024 * 1024, &error);
  g_assert_null (out);
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* Cut in transit: every prefix is refused, never half read. */
  n = g_bytes_get_size (small);
  for (gsize cut = 0; cut < n; cut++)
    {
      out = jz_protocol_gunzip (g_bytes_get_data (small, NULL), cut, 1024, &error);
      g_assert_null (out);
      g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED);
      g_clear_error (&error);
    }

  trailing = g_malloc (n + 3);
  memcpy (trailing, g_bytes_get_data (small, NULL), n);
  memcpy (trailing + n, "xyz", 3);
  out = jz_protocol_gunzip (trailing, n + 3, 1024, &error);
  g_assert_null (out);
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED);
  g_clear_error (&error);

  out = jz_protocol_gunzip ("{\"a\":1}", 7, 1024, &error);
  g_assert_null (out);
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED);
}

static void
test_parse_strict (void)
{
  const char *bad[] = {
    "",
    "[1,2]",
    "\"text\"",
    "{\"a\":1} {\"b\":2}",
    "{\"a\":1",
    "{'a':1}",
    "{\"a\":1,}",
    "{\"a\":\"\xff\xfe\"}",
    "{\"a\":[[[[[[[[[[[[1]]]]]]]]]]]]}",
    "{\"a\":NaN}",
    "{\"a\":Infinity}",
    "{\"a\":1.}",
    "{\"a\":\"tab\there\"}",
    "{\"a\":01}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JzJson) obj = jz_protocol_parse (bad[i], strlen (bad[i]), &error);

      if (obj != NULL)
        g_error ("accepted %s", bad[i]);
      g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JzJson) obj = jz_protocol_parse ("  {\"a\": 1}\n", 11, &error);

    g_assert_no_error (error);
    g_assert_nonnull (obj);
  }
}

static void
test_push_roundtrip (void)
{
  g_autoptr(JzPushRequest) req = jz_push_request_new (STATION, EPOCH);
  g_autoptr(JzPushRequest) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  gsize len = 0;

  g_ptr_array_add (req->changes, make_change (1, "{\"name\":\"张三 \\\"老张\\\"\",\"sex\":\"m\",\"height_cm\":172,\"verified\":true,\"note\":null}"));
  g_ptr_array_add (req->changes, make_change (2, "{\"name\":\"line\\nbreak\\t\\u0001\"}"));
  json = jz_push_request_encode (req, &len);
  g_assert_cmpuint (len, ==, strlen (json));

  back = jz_push_request_decode (json, len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  g_assert_cmpstr (back->station, ==, STATION);
  g_assert_cmpstr (back->epoch, ==, EPOCH);
  g_assert_cmpuint (back->changes->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JzChange *a = g_ptr_array_index (req->changes, i);
      JzChange *b = g_ptr_array_index (back->changes, i);
      g_autoptr(JzJson) fa = json_tokener_parse (a->fields_json);

      g_assert_cmpstr (b->station, ==, STATION);
      g_assert_cmpstr (b->epoch, ==, EPOCH);
      g_assert_cmpint (b->seq, ==, a->seq);
      g_assert_cmpstr (b->entity, ==, "person");
      g_assert_cmpstr (b->id, ==, ID1);
      g_assert_cmpint (b->op, ==, a->op);
      g_assert_cmpuint (b->base_rev, ==, a->base_rev);
      g_assert_cmpint (b->has_base_seq, ==, a->has_base_seq);
      g_assert_cmpint (b->base_seq, ==, a->base_seq);
      g_assert_cmpuint (b->hlc, ==, a->hlc);
      g_assert_true (json_object_equal (fa, b->fields));
    }
  g_assert_cmpstr (json_object_get_string (json_object_object_get (((JzChange *) back->changes->pdata[0])->fields, "name")),
                   ==, "张三 \"老张\"");
}

static void
test_push_refusals (void)
{
  g_autoptr(GString) big = g_string_new (NULL);
  g_autoptr(GString) huge = g_string_new (NULL);

#define HEAD "{\"v\":1,\"station\":\"" STATION "\",\"epoch\":\"" EPOCH "\",\"changes\":["
#define CH(seq, extra) "{\"seq\":" #seq ",\"entity\":\"person\",\"id\":\"" ID1 "\",\"op\":\"update\",\"hlc\":65536,\"fields\":{\"name\":\"x\"}" extra "}"

  assert_push_fails (HEAD "]}", JZ_PROTOCOL_ERROR_MALFORMED, "at least one");
  assert_push_fails (HEAD CH(1,) "," CH(3,) "]}", JZ_PROTOCOL_ERROR_MALFORMED, "contiguous");
  assert_push_fails (HEAD CH(1,) "," CH(1,) "]}", JZ_PROTOCOL_ERROR_MALFORMED, "contiguous");
  assert_push_fails (HEAD CH(0,) "]}", JZ_PROTOCOL_ERROR_MALFORMED, "seq");
  assert_push_fails (HEAD CH(-4,) "]}", JZ_PROTOCOL_ERROR_MALFORMED, "seq");
  assert_push_fails (HEAD CH(1, ",\"station\":\"320481-02\"") "]}", JZ_PROTOCOL_ERROR_MALFORMED, "another station");
  assert_push_fails (HEAD CH(1, ",\"colour\":\"red\"") "]}", JZ_PROTOCOL_ERROR_MALFORMED, "colour");
  assert_push_fails (HEAD CH(1, ",\"base_seq\":-1") "]}", JZ_PROTOCOL_ERROR_MALFORMED, "base_seq");
  assert_push_fails (HEAD CH(1, ",\"base_seq\":\"7\"") "]}", JZ_PROTOCOL_ERROR_MALFORMED, "base_seq");
  assert_push_fails ("{\"v\":2,\"station\":\"" STATION "\",\"epoch\":\"" EPOCH "\",\"changes\":[]}",
                     JZ_PROTOCOL_ERROR_UNSUPPORTED, "version 2");
  assert_push_fails ("{\"v\":1,\"station\":\"3204\",\"epoch\":\"" EPOCH "\",\"changes\":[" CH(1,) "]}",
                     JZ_PROTOCOL_ERROR_MALFORMED, "station");
  assert_push_fails ("{\"v\":1,\"station\":\"" STATION "\",\"epoch\":\"nope\",\"changes\":[" CH(1,) "]}",
                     JZ_PROTOCOL_ERROR_MALFORMED, "epoch");
  assert_push_fails (HEAD "{\"seq\":1,\"entity\":\"person\",\"id\":\"" ID1 "\",\"op\":\"merge\",\"hlc\":1,\"fields\":{}}]}",
                     JZ_PROTOCOL_ERROR_MALFORMED, "op");
  assert_push_fails (HEAD "{\"seq\":1,\"entity\":\"Person; DROP\",\"id\":\"" ID1 "\",\"op\":\"insert\",\"hlc\":1,\"fields\":{}}]}",
                     JZ_PROTOCOL_ERROR_MALFORMED, "entity");
  assert_push_fails (HEAD "{\"seq\":1,\"entity\":\"person\",\"id\":\"" ID1 "\",\"op\":\"insert\",\"hlc\":\"12\",\"fields\":{}}]}",
                     JZ_PROTOCOL_ERROR_MALFORMED, "integer");
  assert_push_fails (HEAD "{\"seq\":1,\"entity\":\"person\",\"id\":\"" ID1 "\",\"op\":\"insert\",\"hlc\":99999999999999999999,\"fields\":{}}]}",
                     JZ_PROTOCOL_ERROR_MALFORMED, "hlc");
  assert_push_fails (HEAD "{\"seq\":1,\"entity\":\"person\",\"id\":\"" ID1 "\",\"op\":\"insert\",\"hlc\":1,\"fields\":{\"a\":{\"b\":1}}}]}",
                     JZ_PROTOCOL_ERROR_MALFORMED, "string, number");
  assert_push_fails (HEAD "{\"seq\":1,\"entity\":\"person\",\"id\":\"" ID1 "\",\"op\":\"insert\",\"hlc\":1,\"fields\":{\"Name\":1}}]}",
                     JZ_PROTOCOL_ERROR_MALFORMED, "field name");
  assert_push_fails (HEAD "{\"seq\":1,\"entity\":\"person\",\"id\":\"" ID1 "\",\"op\":\"insert\",\"hlc\":1,\"fields\":[]}]}",
                     JZ_PROTOCOL_ERROR_MALFORMED, "fields");
  assert_push_fails (HEAD "{\"seq\":1,\"entity\":\"person\",\"id\":\"" ID1 "\",\"op\":\"insert\",\"hlc\":1,\"fields\":{\"a\":\"x\\u0000y\"}}]}",
                     JZ_PROTOCOL_ERROR_MALFORMED, "NUL");

  /* One change more than a push may hold: too many, even though each is fine. */
  g_string_append (big, HEAD);
  for (int i = 1; i <= JZ_PROTOCOL_MAX_BATCH + 1; i++)
    g_string_append_printf (big, "%s{\"seq\":%d,\"entity\":\"person\",\"id\":\"" ID1 "\",\"op\":\"update\",\"hlc\":%d,\"fields\":{}}",
                            i > 1 ? "," : "", i, i);
  g_string_append (big, "]}");
  assert_push_fails (big->str, JZ_PROTOCOL_ERROR_TOO_LARGE, G_STRINGIFY (JZ_PROTOCOL_MAX_BATCH));

  g_string_append (huge, HEAD "{\"seq\":1,\"entity\":\"person\",\"id\":\"" ID1 "\",\"op\":\"insert\",\"hlc\":1,\"fields\":{\"note\":\"");
  for (int i = 0; i < JZ_PROTOCOL_MAX_FIELDS; i++)
    g_string_append_c (huge, 'x');
  g_string_append (huge, "\"}}]}");
  assert_push_fails (huge->str, JZ_PROTOCOL_ERROR_TOO_LARGE, "larger");
#undef CH
#undef HEAD
}

static void
test_pull_reply (void)
{
  g_autoptr(GString) out = g_string_new ("{\"v\":1,\"cursor\":9,\"anchor\":\"" STATION "/" EPOCH "/7\",\"more\":true,\"changes\":[");
  g_autoptr(JzChange) c = make_change (7, "{\"name\":\"李四\"}");
  g_autoptr(JzPullReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  JzChange *b;
  JzLoss *loss = g_new0 (JzLoss, 1);

  c->station = g_strdup (STATION);
  c->epoch = g_strdup (EPOCH);
  c->hub_seq = 9;
  c->auth = JZ_AUTHORITY_OWNER;
  c->owner = g_strdup ("320481-02");
  c->losses = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_loss_free);
  loss->field = g_strdup ("name");
  loss->value = json_object_new_string ("王五");
  loss->loser_station = g_strdup ("320481-03");
  loss->loser_hlc = 5;
  loss->winner_station = g_strdup (STATION);
  loss->winner_hlc = 7;
  g_ptr_array_add (c->losses, loss);
  jz_change_append_json (c, TRUE, out);
  g_string_append (out, "]}");

  reply = jz_pull_reply_decode (out->str, out->len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (reply->cursor, ==, 9);
  g_assert_true (reply->more);
  g_assert_cmpstr (reply->anchor, ==, STATION "/" EPOCH "/7");
  g_assert_cmpuint (reply->changes->len, ==, 1);
  b = g_ptr_array_index (reply->changes, 0);
  g_assert_cmpint (b->hub_seq, ==, 9);
  g_assert_cmpstr (b->station, ==, STATION);
  g_assert_cmpint (b->auth, ==, JZ_AUTHORITY_OWNER);
  g_assert_cmpstr (b->owner, ==, "320481-02");
  g_assert_nonnull (b->losses);
  g_assert_cmpuint (b->losses->len, ==, 1);
  loss = g_ptr_array_index (b->losses, 0);
  g_assert_cmpstr (loss->field, ==, "name");
  g_assert_cmpstr (json_object_get_string (loss->value), ==, "王五");
  g_assert_cmpstr (loss->loser_station, ==, "320481-03");
  g_assert_cmpuint (loss->winner_hlc, ==, 7);

  /* A change past the cursor is refused. */
  g_clear_pointer (&reply, jz_pull_reply_free);
  g_string_assign (out, "{\"v\":1,\"cursor\":8,\"changes\":[");
  jz_change_append_json (c, TRUE, out);
  g_string_append (out, "]}");
  reply = jz_pull_reply_decode (out->str, out->len, &error);
  g_assert_null (reply);
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED);
}

/* The lean decoder gives what json-c's gives: a hub's usual page without
 * json-c (fields kept as text), anything else through json-c. */
static void
assert_pull_same (const char *json,
                  gboolean    lean_expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPullReply) a = jz_pull_reply_decode (json, strlen (json), &error);
  g_autoptr(JzPullReply) b = NULL;

  g_assert_no_error (error);
  b = jz_pull_reply_decode_lean (json, strlen (json), &error);
  g_assert_no_error (error);
  g_assert_cmpint (a->cursor, ==, b->cursor);
  g_assert_cmpstr (a->anchor, ==, b->anchor);
  g_assert_cmpint (a->more, ==, b->more);
  g_assert_cmpuint (a->changes->len, ==, b->changes->len);
  for (guint i = 0; i < a->changes->len; i++)
    {
      JzChange *x = g_ptr_array_index (a->changes, i);
      JzChange *y = g_ptr_array_index (b->changes, i);

      g_assert_cmpint (x->stub, ==, y->stub);
      g_assert_cmpint (x->hub_seq, ==, y->hub_seq);
      g_assert_cmpint (x->seq, ==, y->seq);
      g_assert_cmpstr (x->station, ==, y->station);
      g_assert_cmpstr (x->epoch, ==, y->epoch);
      g_assert_cmpstr (x->entity, ==, y->entity);
      g_assert_cmpstr (x->id, ==, y->id);
      g_assert_cmpint (x->op, ==, y->op);
      g_assert_cmpuint (x->base_rev, ==, y->base_rev);
      g_assert_cmpuint (x->hlc, ==, y->hlc);
      g_assert_cmpint (x->auth, ==, y->auth);
      g_assert_cmpstr (x->owner, ==, y->owner);
      g_assert_cmpuint (x->losses ? x->losses->len : 0, ==, y->losses ? y->losses->len : 0);
      if (x->stub)
        continue;
      g_assert_cmpint (y->fields == NULL, ==, lean_expected);
      g_assert_true (json_object_equal (jz_change_get_fields (x, NULL), jz_change_get_fields (y, NULL)));
    }
}

static void
test_pull_lean (void)
{
#define CH(hub_seq, more) "{\"hub_seq\":" #hub_seq ",\"station\":\"" STATION "\",\"epoch\":\"" EPOCH "\",\"seq\":" #hub_seq \
                          ",\"entity\":\"person\",\"id\":\"" ID1 "\",\"op\":\"insert\",\"hlc\":65536,\"auth\":1" more "}"
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPullReply) reply = NULL;

  assert_pull_same ("{\"v\":1,\"cursor\":0,\"more\":false,\"changes\":[]}", TRUE);
  assert_pull_same ("{\"v\":1,\"cursor\":9,\"anchor\":\"abc\",\"more\":true,\"changes\":["
                    "{\"hub_seq\":2,\"own_seq\":5},"
                    CH (3, ",\"owner\":\"320481-02\",\"fields\":{\"name\":\"张\\u4e09\\/x\",\"deleted\":0,\"x\":1.5,\"y\":null,\"z\":true}") ","
                    CH (9, ",\"base_rev\":7,\"fields\":{}") "]}", TRUE);
  /* Lost values, a nested field, an escaped key: json-c's work. */
  assert_pull_same ("{\"v\":1,\"cursor\":9,\"more\":false,\"changes\":["
                    CH (4, ",\"fields\":{\"name\":\"a\"},\"lost\":[{\"field\":\"name\",\"value\":\"b\",\"loser\":\"" STATION "\","
                    "\"loser_hlc\":1,\"winner\":\"" STATION "\",\"winner_hlc\":2}]") "]}", FALSE);
  assert_pull_same ("{\"v\":1,\"cursor\":9,\"more\":false,\"changes\":[" CH (4, ",\"fields\":{\"n\\u0061me\":\"a\"}") "]}", FALSE);

  /* What json-c refuses, the lean decoder refuses too. */
  reply = jz_pull_reply_decode_lean ("{\"v\":1,\"cursor\":3,\"more\":false,\"changes\":[" CH (4, ",\"fields\":{}") "]}",
                                     strlen ("{\"v\":1,\"cursor\":3,\"more\":false,\"changes\":[" CH (4, ",\"fields\":{}") "]}"),
                                     &error);
  g_assert_null (reply);
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED);
  g_clear_error (&error);
  reply = jz_pull_reply_decode_lean ("{\"v\":1,\"cursor\":9,\"more\":false,\"changes\":[" CH (4, ",\"fields\":{\"a b\":1}") "]}",
                                     strlen ("{\"v\":1,\"cursor\":9,\"more\":false,\"changes\":[" CH (4, ",\"fields\":{\"a b\":1}") "]}"),
                                     &error);
  g_assert_null (reply);
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED);
#undef CH
}

static void
test_hello_enrol (void)
{
  JzHelloRequest hreq = { .station = (char *) STATION, .epoch = (char *) EPOCH, .cursor = 12,
                          .anchor = (char *) "x/y/1", .acked = 40 };
  JzHelloReply hrep = { .device = (char *) ID1, .station = (char *) STATION, .level = (char *) "county",
                        .incarnation = (char *) EPOCH, .hub_seq = 99, .high_seq = 40,
                        .anchor_ok = FALSE, .time_ms = 1234567 };
  JzEnrolRequest ereq = { .code = (char *) "ABCD-EFGH", .station = (char *) STATION, .level = (char *) "hub",
                          .epoch = (char *) EPOCH, .label = (char *) "laptop \"3\"" };
  JzEnrolReply erep = { .device = (char *) ID1, .token = (char *) "tok", .station = (char *) STATION,
                        .station_name = (char *) "新沂市救助站", .level = (char *) "county",
                        .incarnation = (char *) EPOCH };
  g_autoptr(GError) error = NULL;
  g_autofree char *a = jz_hello_request_encode (&hreq);
  g_autofree char *b = jz_hello_reply_encode (&hrep);
  g_autofree char *c = jz_enrol_request_encode (&ereq);
  g_autofree char *d = jz_enrol_reply_encode (&erep);
  g_autoptr(JzHelloRequest) hreq2 = jz_hello_request_decode (a, strlen (a), &error);
  g_autoptr(JzHelloReply) hrep2 = jz_hello_reply_decode (b, strlen (b), &error);
  g_autoptr(JzEnrolRequest) ereq2 = jz_enrol_request_decode (c, strlen (c), &error);
  g_autoptr(JzEnrolReply) erep2 = jz_enrol_reply_decode (d, strlen (d), &error);
  g_autoptr(JzEnrolRequest) bad = NULL;
  const char *bad_level = "{\"code\":\"A\",\"station\":\"" STATION "\",\"level\":\"root\",\"epoch\":\"" EPOCH "\"}";

  g_assert_no_error (error);
  g_assert_cmpint (hreq2->cursor, ==, 12);
  g_assert_cmpint (hreq2->acked, ==, 40);
  g_assert_cmpstr (hreq2->anchor, ==, "x/y/1");
  g_assert_cmpint (hrep2->hub_seq, ==, 99);
  g_assert_cmpint (hrep2->high_seq, ==, 40);
  g_assert_false (hrep2->anchor_ok);
  g_assert_cmpint (hrep2->time_ms, ==, 1234567);
  g_assert_cmpstr (ereq2->label, ==, "laptop \"3\"");
  g_assert_cmpstr (ereq2->level, ==, "hub");
  g_assert_cmpstr (erep2->station_name, ==, "新沂市救助站");

  bad = jz_enrol_request_decode (bad_level, strlen (bad_level), &error);
  g_assert_null (bad);
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_MALFORMED);
}

static void
test_errors (void)
{
  g_autofree char *body = jz_protocol_error_encode (JZ_PROTOCOL_ERROR_GAP, "Push from seq 41 \"now\"", 40);
  g_autoptr(GError) error = NULL;
  gint64 mark = 0;

  g_assert_false (jz_protocol_error_decode (body, strlen (body), 409, &mark, &error));
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_GAP);
  g_assert_cmpint (mark, ==, 40);
  g_assert_nonnull (strstr (error->message, "Push from seq 41 \"now\""));
  g_clear_error (&error);

  /* Not JSON (a proxy's page): the status decides. */
  g_assert_false (jz_protocol_error_decode ("<html>", 6, 502, &mark, &error));
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_UNAVAILABLE);
  g_assert_cmpint (mark, ==, -1);
  g_clear_error (&error);
  g_assert_false (jz_protocol_error_decode (NULL, 0, 401, NULL, &error));
  g_assert_error (error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_UNAUTHORIZED);

  g_assert_cmpuint (jz_protocol_error_http_status (JZ_PROTOCOL_ERROR_FORBIDDEN), ==, 403);
  g_assert_cmpuint (jz_protocol_error_http_status (JZ_PROTOCOL_ERROR_RATE_LIMITED), ==, 429);
}

static void
test_names (void)
{
  g_assert_true (jz_protocol_name_is_valid ("person", 48));
  g_assert_true (jz_protocol_name_is_valid ("id_number2", 48));
  g_assert_false (jz_protocol_name_is_valid ("_x", 48));
  g_assert_false (jz_protocol_name_is_valid ("a-b", 48));
  g_assert_false (jz_protocol_name_is_valid ("a\"", 48));
  g_assert_false (jz_protocol_name_is_valid ("abc", 2));
  g_assert_false (jz_protocol_name_is_valid ("", 2));
  g_assert_true (jz_protocol_station_is_valid ("320481-01"));
  g_assert_false (jz_protocol_station_is_valid ("320481-1"));
  g_assert_false (jz_protocol_station_is_valid ("32048a-01"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/protocol/gzip/roundtrip", test_gzip_roundtrip);
  g_test_add_func ("/protocol/gzip/refusals", test_gzip_refusals);
  g_test_add_func ("/protocol/json/strict", test_parse_strict);
  g_test_add_func ("/protocol/push/roundtrip", test_push_roundtrip);
  g_test_add_func ("/protocol/push/refusals", test_push_refusals);
  g_test_add_func ("/protocol/pull/reply", test_pull_reply);
  g_test_add_func ("/protocol/pull/lean", test_pull_lean);
  g_test_add_func ("/protocol/hello-enrol", test_hello_enrol);
  g_test_add_func ("/protocol/errors", test_errors);
  g_test_add_func ("/protocol/names", test_names);

  return g_test_run ();
}
