/* test-forms.c: the printed forms, exported to PDF and read back
 *
 * Each form is exported with jz_form_export_pdf() and read back with
 * pdftotext (poppler-utils): the person's data and the form's title must
 * be on the page, in English and in Chinese. Also: pagination of a long
 * belongings list, the rules the builders enforce (a minor's tracing
 * notice, an under-16 leaving alone), GtkPrintOperation's export, and a
 * PNG preview.
 *
 * Set JIUZHU_FORMS_PREVIEW_DIR to keep a PNG of each page of each form.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>

#include "jz-form-print.h"
#include "jz-form-render.h"
#include "jz-forms.h"

#define NAME    "张伟"
#define ID      "320481197905123416"
#define EPISODE "320481-01-2026-000017"

/* LANGUAGE is set once, before any thread starts (setenv() is not
 * thread-safe); the Chinese checks run in a child process. */
#define CHILD_LANGUAGE "JIUZHU_FORMS_CHILD_LANGUAGE"

static const char *language;
static const char *self_path;

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("jz-forms-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->dir);
}

static char *
squeeze (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      g_string_append_unichar (out, g_utf8_get_char (p));
  return g_string_free (out, FALSE);
}

static char *
run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

/* The PDF's text with all white space removed, so that a table cell's
 * line breaks do not matter. */
static char *
pdf_text (const char *path,
          int         page)
{
  g_autofree char *first = g_strdup_printf ("%d", page > 0 ? page : 1);
  g_autofree char *last = g_strdup_printf ("%d", page > 0 ? page : 9999);
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", "-f", first, "-l", last, path, "-", NULL };
  g_autofree char *text = run (argv);

  return squeeze (text);
}

static int
pdf_pages (const char *path)
{
  const char *argv[] = { "pdfinfo", path, NULL };
  g_autofree char *info = run (argv);
  const char *line = strstr (info, "Pages:");

  g_assert_nonnull (line);
  return atoi (line + strlen ("Pages:"));
}

static void
assert_contains (const char *text,
                 const char *needle)
{
  g_autofree char *squeezed = squeeze (needle);

  if (strstr (text, squeezed) == NULL)
    g_error ("“%s” is not in the PDF's text:\n%s", needle, text);
}

/* Every word lies inside the sheet's 10 mm border. */
static void
assert_fits_a4 (const char *path)
{
  const char *argv[] = { "pdftotext", "-bbox", path, "-", NULL };
  g_autofree char *html = run (argv);
  g_autoptr(GRegex) regex = g_regex_new ("<word xMin=\"([0-9.]+)\" yMin=\"([0-9.]+)\" "
                                         "xMax=\"([0-9.]+)\" yMax=\"([0-9.]+)\"", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  double border = 10 / 25.4 * 72;
  int words = 0;

  g_regex_match (regex, html, 0, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL), words++)
    {
      double v[4];

      for (int i = 0; i < 4; i++)
        {
          g_autofree char *s = g_match_info_fetch (match, i + 1);

          v[i] = g_ascii_strtod (s, NULL);
        }
      g_assert_cmpfloat (v[0], >=, border);
      g_assert_cmpfloat (v[1], >=, border);
      g_assert_cmpfloat (v[2], <=, JZ_FORM_PAGE_WIDTH - border);
      g_assert_cmpfloat (v[3], <=, JZ_FORM_PAGE_HEIGHT - border);
    }
  g_assert_cmpint (words, >, 20);
}

static const JzFormStationInput station = {
  .name = "溧阳市救助管理站",
  .code = "320481-01",
  .address = "江苏省溧阳市燕山中路 1 号",
  .phone = "0519-87000000",
};

static const JzFormBelongingInput belongings[] = {
  { .item = "手机", .quantity = 1, .unit = "部", .held = TRUE, .storage = "保管柜 3", .returned_quantity = 1, .returned_at = "2026-03-08" },
  { .item = "现金", .quantity = 120, .unit = "元", .held = TRUE, .storage = "财务室" },
  { .item = "换洗衣物", .quantity = 2, .unit = "套", .held = FALSE },
};

static const JzFormContactInput contacts[] = {
  { .name = "张强", .relation = "兄", .phone = "13900000000", .address = "江苏省溧阳市社渚镇" },
};

static void
fill_person (JzFormPersonInput *person,
             GDateTime         *admitted)
{
  *person = (JzFormPersonInput) {
    .name = NAME,
    .sex = JZ_FORM_SEX_MALE,
    .ethnicity = "汉族",
    .birth = "1979-05-12",
    .age_known = TRUE,
    .age = 46,
    .id_number = ID,
    .region = "江苏省常州市溧阳市 (320481)",
    .address = "无固定住所",
    .dialect = "溧阳话",
    .description = "身高约 170 cm，偏瘦，左手背有疤",
    .clothing = "蓝色羽绒服，黑色裤子",
    .health = "健康",
    .subsistence = "无",
    .episode_number = EPISODE,
    .admitted_at = admitted,
    .source = "公安护送",
    .source_detail = "护送交接表 2026-17",
    .found_place = "溧阳火车站南广场",
    .group = "流浪乞讨",
    .reason = "务工未果，钱财用尽，流浪 3 个月",
    .worker = "李娜",
    .contacts = contacts,
    .n_contacts = G_N_ELEMENTS (contacts),
    .belongings = belongings,
    .n_belongings = G_N_ELEMENTS (belongings),
  };
}

static char *
export (Fixture    *f,
        JzForm     *form,
        const char *name)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);
  const char *preview_dir = g_getenv ("JIUZHU_FORMS_PREVIEW_DIR");

  g_assert_true (jz_form_export_pdf (form, path, &error));
  g_assert_no_error (error);
  assert_fits_a4 (path);

  if (preview_dir != NULL)
    {
      g_autoptr(JzFormRender) render = jz_form_render_new (form);

      for (guint i = 0; i < jz_form_render_get_n_pages (render); i++)
        {
          g_autofree char *png_name = g_strdup_printf ("%s-%s-%u.png", name, language,
                                                       i + 1);
          g_autofree char *png = g_build_filename (preview_dir, png_name, NULL);

          g_assert_true (jz_form_render_save_png (render, i, 110, png, &error));
          g_assert_no_error (error);
        }
    }
  return path;
}

typedef JzForm *(*BuildFunc) (const JzFormPersonInput *person,
                              GError                 **error);

static JzForm *
build_registration (const JzFormPersonInput *person, GError **error)
{
  JzFormDecisionInput decision = { .eligible = TRUE, .assistance = "生活救助、返乡救助",
                                   .decided_by = "王芳" };

  return jz_forms_registration (&station, person, &decision, error);
}

static JzForm *
build_refusal (const JzFormPersonInput *person, GError **error)
{
  g_autoptr(GDateTime) issued = g_date_time_new_local (2026, 3, 2, 10, 0, 0);

  return jz_forms_refusal_notice (&station, person, "本人有固定住所和稳定收入，不属于生活无着人员。",
                                  issued, error);
}

static JzForm *
build_termination (const JzFormPersonInput *person, GError **error)
{
  g_autoptr(GDateTime) ends = g_date_time_new_local (2026, 3, 11, 9, 0, 0);

  return jz_forms_termination_notice (&station, person, "救助期满，无正当理由拒不离站。", ends, error);
}

static JzForm *
build_belongings (const JzFormPersonInput *person, GError **error)
{
  return jz_forms_belongings (&station, person, error);
}

static JzForm *
build_self_departure (const JzFormPersonInput *person, GError **error)
{
  g_autoptr(GDateTime) left = g_date_time_new_local (2026, 3, 8, 9, 30, 0);
  JzFormDepartureInput departure = { .departed_at = left, .destination = "溧阳市社渚镇",
                                     .cash = "15 元", .cash_reason = "公交车费" };

  return jz_forms_self_departure (&station, person, &departure, error);
}

static JzForm *
build_stay (const JzFormPersonInput *person, GError **error)
{
  g_autoptr(GDateTime) left = g_date_time_new_local (2026, 3, 8, 9, 30, 0);
  const JzFormServiceInput services[] = {
    { "2026-03-01", "住宿", "男宿舍 2 号房 3 床", "李娜" },
    { "2026-03-02", "医疗", "溧阳市人民医院门诊，感冒", "周军" },
  };
  JzFormStayInput stay = { .bed = "男 2-3", .assistance = "生活救助", .tracing = "本人提供家属电话，已联系",
                           .services = services, .n_services = G_N_ELEMENTS (services),
                           .approved_by = "陈站长" };
  JzFormDepartureInput departure = { .departed_at = left, .mode = "接领返乡",
                                     .destination = "溧阳市社渚镇", .collector_name = "张强",
                                     .collector_relation = "兄", .collector_id = "320481197501013419",
                                     .follow_up = "2026-04-08 电话回访" };

  return jz_forms_stay_and_departure (&station, person, &stay, &departure, error);
}

static JzForm *
build_notice (const JzFormPersonInput *person, GError **error)
{
  g_autoptr(GDateTime) issued = g_date_time_new_local (2026, 3, 2, 8, 0, 0);
  JzFormNoticeInput notice = { .issued_at = issued, .contact = "李娜" };

  return jz_forms_tracing_notice (&station, person, &notice, FALSE, error);
}

static JzForm *
build_escort (const JzFormPersonInput *person, GError **error)
{
  g_autoptr(GDateTime) left = g_date_time_new_local (2026, 3, 8, 7, 0, 0);
  JzFormEscortInput escort = { .departed_at = left, .staff = "周军、李娜", .vehicle = "苏D·12345",
                               .route = "溧阳—南京", .receiving_unit = "南京市救助管理站",
                               .receiver_name = "刘洋", .documents = "求助登记表复印件" };

  return jz_forms_escort_handover (&station, person, &escort, error);
}

typedef struct
{
  const char *file;
  BuildFunc   build;
  const char *title;    /* untranslated */
  gboolean    has_id;   /* a public notice leaves it out */
} FormCase;

static const FormCase form_cases[] = {
  { "registration.pdf", build_registration, "Relief Request Registration Form", TRUE },
  { "refusal.pdf", build_refusal, "Notice of Refusal of Relief", TRUE },
  { "termination.pdf", build_termination, "Notice of Termination of Relief", TRUE },
  { "belongings.pdf", build_belongings, "Belongings Register and Return Slip", TRUE },
  { "self-departure.pdf", build_self_departure, "Self-Departure Declaration", TRUE },
  { "stay.pdf", build_stay, "Station Services and Departure Record", TRUE },
  { "notice.pdf", build_notice, "Family Tracing Notice", FALSE },
  { "escort.pdf", build_escort, "Escort Hand-over Form", TRUE },
};

static void
check_all_forms (Fixture *f)
{
  g_autoptr(GDateTime) admitted = g_date_time_new_local (2026, 3, 1, 21, 15, 0);
  JzFormPersonInput person;

  fill_person (&person, admitted);

  for (guint i = 0; i < G_N_ELEMENTS (form_cases); i++)
    {
      const FormCase *c = &form_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(JzForm) form = c->build (&person, &error);
      g_autofree char *path = NULL;
      g_autofree char *text = NULL;
      const char *title = gettext (c->title);

      g_test_message ("%s in %s", c->file, language);
      g_assert_no_error (error);
      g_assert_nonnull (form);
      g_assert_cmpstr (jz_form_get_title (form), ==, title);
      path = export (f, form, c->file);
      text = pdf_text (path, 0);

      assert_contains (text, title);
      assert_contains (text, NAME);
      assert_contains (text, EPISODE);
      assert_contains (text, station.name);
      if (c->has_id)
        assert_contains (text, ID);
      else
        g_assert_null (strstr (text, ID));
      g_assert_cmpint (pdf_pages (path), ==, 1);
    }
}

static void
test_forms_english (Fixture *f, gconstpointer data)
{
  check_all_forms (f);
  /* English means the source strings. */
  g_assert_cmpstr (gettext ("Family Tracing Notice"), ==, "Family Tracing Notice");
}

/* In the child process. */
static void
test_forms_in_language (Fixture *f, gconstpointer data)
{
  check_all_forms (f);
  if (g_strcmp0 (gettext ("Family Tracing Notice"), "Family Tracing Notice") == 0)
    g_test_message ("The forms' titles are not translated into %s yet", language);
  else if (g_str_has_prefix (language, "zh_CN"))
    g_assert_cmpstr (gettext ("Family Tracing Notice"), ==, "寻亲公告");
}

static void
test_forms_chinese (Fixture *f, gconstpointer data)
{
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), CHILD_LANGUAGE, "zh_CN", TRUE);
  const char *argv[] = { self_path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("The forms in zh_CN failed:\n%s\n%s", out, err);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "ok 1 /forms/in-language"));
}

static void
test_belongings_paginate (Fixture *f, gconstpointer data)
{
  g_autoptr(GDateTime) admitted = g_date_time_new_local (2026, 3, 1, 21, 15, 0);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (JzFormBelongingInput));
  g_autoptr(GError) error = NULL;
  g_autoptr(JzForm) form = NULL;
  g_autoptr(JzFormRender) render = NULL;
  g_autofree char *path = NULL;
  g_autofree char *page1 = NULL;
  g_autofree char *page2 = NULL;
  g_autofree char *last = NULL;
  g_autofree char *all = NULL;
  JzFormPersonInput person;
  int pages;

  fill_person (&person, admitted);
  for (guint i = 0; i < 90; i++)
    {
      JzFormBelongingInput item = { .quantity = i % 3 + 1, .unit = "件", .held = i % 2 };

      g_ptr_array_add (names, g_strdup_printf ("物品%03u", i + 1));
      item.item = g_ptr_array_index (names, i);
      item.note = i % 7 == 0 ? "外包装破损，内有证件复印件若干，另有收据一张" : NULL;
      g_array_append_val (items, item);
    }
  person.belongings = (JzFormBelongingInput *) items->data;
  person.n_belongings = items->len;

  form = jz_forms_belongings (&station, &person, &error);
  g_assert_no_error (error);
  render = jz_form_render_new (form);
  path = export (f, form, "belongings-long.pdf");
  pages = pdf_pages (path);
  g_assert_cmpint (pages, >=, 2);
  g_assert_cmpint (pages, ==, jz_form_render_get_n_pages (render));

  all = pdf_text (path, 0);
  for (guint i = 0; i < names->len; i++)
    assert_contains (all, g_ptr_array_index (names, i));

  /* The first item on page one; the header row and the title repeated
   * on the next, with page numbers; signatures at the end. */
  page1 = pdf_text (path, 1);
  assert_contains (page1, "物品001");
  g_assert_null (strstr (page1, "物品090"));
  assert_contains (page1, "Page 1 of");
  page2 = pdf_text (path, 2);
  g_assert_null (strstr (page2, "物品001"));
  assert_contains (page2, "Returned on");
  assert_contains (page2, "Belongings Register and Return Slip (continued)");
  assert_contains (page2, "Page 2 of");
  last = pdf_text (path, pages);
  assert_contains (last, "Returned items received by the person");
}

static void
test_notice_minor (Fixture *f, gconstpointer data)
{
  g_autoptr(GDateTime) admitted = g_date_time_new_local (2026, 3, 1, 21, 15, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(JzForm) form = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  JzFormPersonInput person;

  fill_person (&person, admitted);
  person.name = "小明";
  person.age = 12;
  person.id_number = "320481201403050025";

  form = jz_forms_tracing_notice (&station, &person, NULL, FALSE, &error);
  g_assert_null (form);
  g_assert_error (error, JZ_FORMS_ERROR, JZ_FORMS_ERROR_MINOR_NOT_CONFIRMED);
  g_assert_nonnull (strstr (error->message, "minor (12)"));
  g_assert_nonnull (strstr (error->message, "Confirm"));
  /* The message is shown, maybe logged: no name in it. */
  g_assert_null (strstr (error->message, "小明"));
  g_clear_error (&error);

  /* Age unknown: it could be a child. */
  person.age_known = FALSE;
  form = jz_forms_tracing_notice (&station, &person, NULL, FALSE, &error);
  g_assert_null (form);
  g_assert_error (error, JZ_FORMS_ERROR, JZ_FORMS_ERROR_MINOR_NOT_CONFIRMED);
  g_assert_nonnull (strstr (error->message, "age is not recorded"));
  g_clear_error (&error);

  person.age_known = TRUE;
  form = jz_forms_tracing_notice (&station, &person, NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (form);
  path = export (f, form, "notice-minor.pdf");
  text = pdf_text (path, 0);
  assert_contains (text, "小明");
  assert_contains (text, "Minors Protection Law art. 103");
  g_assert_null (strstr (text, person.id_number));

  /* 18 is an adult: no confirmation needed. */
  person.age = 18;
  g_clear_object (&form);
  form = jz_forms_tracing_notice (&station, &person, NULL, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (form);
}

static void
test_rules (Fixture *f, gconstpointer data)
{
  g_autoptr(GDateTime) admitted = g_date_time_new_local (2026, 3, 1, 21, 15, 0);
  JzFormDepartureInput departure = { .destination = "溧阳" };
  g_autoptr(GError) error = NULL;
  JzForm *form;
  JzFormPersonInput person;

  fill_person (&person, admitted);

  person.age = 15;
  form = jz_forms_self_departure (&station, &person, &departure, &error);
  g_assert_null (form);
  g_assert_error (error, JZ_FORMS_ERROR, JZ_FORMS_ERROR_NOT_ALLOWED);
  g_assert_nonnull (strstr (error->message, "under 16"));
  g_clear_error (&error);

  person.age = 16;
  person.disability = TRUE;
  form = jz_forms_self_departure (&station, &person, &departure, &error);
  g_assert_null (form);
  g_assert_error (error, JZ_FORMS_ERROR, JZ_FORMS_ERROR_NOT_ALLOWED);
  g_clear_error (&error);

  person.disability = FALSE;
  form = jz_forms_self_departure (&station, &person, &departure, &error);
  g_assert_no_error (error);
  g_assert_nonnull (form);
  g_object_unref (form);

  form = jz_forms_refusal_notice (&station, &person, "  ", NULL, &error);
  g_assert_null (form);
  g_assert_error (error, JZ_FORMS_ERROR, JZ_FORMS_ERROR_MISSING);
  g_clear_error (&error);
  form = jz_forms_termination_notice (&station, &person, NULL, NULL, &error);
  g_assert_null (form);
  g_assert_error (error, JZ_FORMS_ERROR, JZ_FORMS_ERROR_MISSING);
  g_clear_error (&error);

  /* An unreadable photo is reported, not silently left out. */
  person.photo_path = "/nonexistent/photo.jpg";
  form = jz_forms_registration (&station, &person, NULL, &error);
  g_assert_null (form);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/nonexistent/photo.jpg"));
}

static char *
write_photo (Fixture *f)
{
  char *path = g_build_filename (f->dir, "photo.png", NULL);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 300, 400);
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 0.75, 0.82, 0.9);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.35, 0.3, 0.28);
  cairo_arc (cr, 150, 150, 80, 0, 2 * G_PI);
  cairo_fill (cr);
  cairo_rectangle (cr, 50, 260, 200, 140);
  cairo_fill (cr);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  return path;
}

static void
test_photo (Fixture *f, gconstpointer data)
{
  g_autoptr(GDateTime) admitted = g_date_time_new_local (2026, 3, 1, 21, 15, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *photo = write_photo (f);
  g_autofree char *registration = NULL;
  g_autofree char *notice = NULL;
  g_autofree char *images = NULL;
  JzFormPersonInput person;

  fill_person (&person, admitted);
  person.photo_path = photo;

  {
    g_autoptr(JzForm) form = build_registration (&person, &error);

    g_assert_no_error (error);
    g_assert_nonnull (jz_form_get_photo (form));
    registration = export (f, form, "registration-photo.pdf");
  }
  {
    g_autoptr(JzForm) form = build_notice (&person, &error);

    g_assert_no_error (error);
    notice = export (f, form, "notice-photo.pdf");
  }

  for (guint i = 0; i < 2; i++)
    {
      const char *argv[] = { "pdfimages", "-list", i == 0 ? registration : notice, NULL };
      g_autofree char *list = run (argv);

      /* A header, a rule, and one image row. */
      g_assert_nonnull (strstr (list, " image "));
    }
}

static void
test_png (Fixture *f, gconstpointer data)
{
  g_autoptr(GDateTime) admitted = g_date_time_new_local (2026, 3, 1, 21, 15, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(JzForm) form = NULL;
  g_autoptr(JzFormRender) render = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (f->dir, "page.png", NULL);
  g_autofree guchar *pixels = NULL;
  JzFormPersonInput person;
  gsize dark = 0;
  int width, height;

  fill_person (&person, admitted);
  form = build_registration (&person, &error);
  g_assert_no_error (error);
  render = jz_form_render_new (form);
  g_assert_cmpuint (jz_form_render_get_n_pages (render), ==, 1);
  g_assert_true (jz_form_render_save_png (render, 0, 72, path, &error));
  g_assert_no_error (error);

  texture = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  g_assert_cmpint (width, ==, 595);
  g_assert_cmpint (height, ==, 842);
  pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, pixels, width * 4);
  for (gsize i = 0; i < (gsize) width * height; i++)
    if (pixels[4 * i + 1] < 128)
      dark++;
  /* Ink on the page, but far from all of it. */
  g_assert_cmpuint (dark, >, (gsize) width * height / 100);
  g_assert_cmpuint (dark, <, (gsize) width * height / 3);
}

static void
test_print_operation_export (Fixture *f, gconstpointer data)
{
  g_autoptr(GDateTime) admitted = g_date_time_new_local (2026, 3, 1, 21, 15, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(JzForm) form = NULL;
  g_autofree char *path = g_build_filename (f->dir, "print-export.pdf", NULL);
  g_autofree char *text = NULL;
  JzFormPersonInput person;
  GtkPrintOperationResult result;

  if (!gtk_init_check ())
    {
      g_test_skip ("GtkPrintOperation needs a display");
      return;
    }

  fill_person (&person, admitted);
  form = build_stay (&person, &error);
  g_assert_no_error (error);
  result = jz_form_print_run (form, GTK_PRINT_OPERATION_ACTION_EXPORT, NULL, path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, GTK_PRINT_OPERATION_RESULT_APPLY);
  g_assert_cmpint (pdf_pages (path), ==, 1);
  text = pdf_text (path, 0);
  assert_contains (text, NAME);
  assert_contains (text, ID);
  assert_contains (text, EPISODE);
  assert_contains (text, "Station Services and Departure Record");
  assert_fits_a4 (path);
}

static void
test_pdf_write_error (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzForm) form = jz_form_new ("Test");
  g_autofree char *path = g_build_filename (f->dir, "missing-dir", "form.pdf", NULL);

  jz_form_add_text (form, JZ_FORM_TEXT_BODY, "text");
  g_assert_false (jz_form_export_pdf (form, path, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, path));
}

int
main (int argc, char **argv)
{
  const char *localedir = g_getenv ("JIUZHU_LOCALEDIR");
  const char *child_language = g_getenv (CHILD_LANGUAGE);

  self_path = argv[0];
  language = child_language != NULL ? child_language : "en";
  g_setenv ("LANGUAGE", language, TRUE);
  /* LANGUAGE is ignored in the C locale. */
  setlocale (LC_ALL, "C.UTF-8");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);
  gtk_disable_setlocale ();

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  if (child_language != NULL)
    {
      ADD ("/forms/in-language", test_forms_in_language);
      ADD ("/forms/photo", test_photo);
      return g_test_run ();
    }

  ADD ("/forms/english", test_forms_english);
  ADD ("/forms/chinese", test_forms_chinese);
  ADD ("/forms/belongings-paginate", test_belongings_paginate);
  ADD ("/forms/notice-minor", test_notice_minor);
  ADD ("/forms/rules", test_rules);
  ADD ("/forms/photo", test_photo);
  ADD ("/forms/png", test_png);
  ADD ("/forms/print-operation-export", test_print_operation_export);
  ADD ("/forms/pdf-write-error", test_pdf_write_error);
#undef ADD

  return g_test_run ();
}
