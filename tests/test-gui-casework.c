/* test-gui-casework.c: intake, tracing, departure and follow-up driven
 * through the real widgets, the rules refused in the UI, and the forms
 * printed from the stored data
 *
 * Runs under Xvfb; one scenario per process (see tests/meson.build).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "jz-actions.h"
#include "jz-casework.h"
#include "jz-departure-dialog.h"
#include "jz-followup-dialog.h"
#include "jz-form-data.h"
#include "jz-form-print.h"
#include "jz-profile.h"
#include "jz-region-row.h"

typedef struct
{
  char    *dir;
  JzStore *store;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("jz-gui-casework-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("JIUZHU_DATA_DIR", f->dir, TRUE);
  g_assert_true (jz_profile_ensure_dir ("default", &error));
  path = jz_profile_db_path ("default");
  f->store = jz_store_create (path, "320481-01", "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);
  GList *toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (toplevels);
  g_clear_object (&f->store);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->dir);
}

/* Lets the main loop run until nothing is pending (layout, idles). */
static void
settle (void)
{
  for (int i = 0; i < 50 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
}

static gint64
count (JzStore *store, const char *sql)
{
  sqlite3_stmt *stmt = jz_store_prepare (store, sql, NULL);
  gint64 n;

  g_assert_nonnull (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

static char *
birth_years_ago (int years)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) year = g_date_time_add_years (now, -years);
  g_autoptr(GDateTime) born = g_date_time_add_days (year, -10);

  return g_date_time_format (born, "%Y-%m-%d");
}

/* A person and an admitted episode written through the API, with the
 * given belongings; returns the episode. */
static JzEpisode *
admit (JzStore    *store,
       const char *name,
       const char *sex,
       int         age,
       const char *id_number,
       const char * const *items)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = jz_person_new ();
  JzEpisode *e = jz_episode_new ();
  g_autoptr(GPtrArray) belongings = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_belonging_free);

  p->name = g_strdup (name);
  p->sex = g_strdup (sex);
  if (age >= 0)
    {
      p->birth_date = birth_years_ago (age);
      p->birth_precision = g_strdup ("exact");
    }
  p->id_number = g_strdup (id_number);
  p->identity_status = g_strdup (id_number ? "verified" : "unknown");
  e->admitted_at = jz_casework_now () - 3 * 86400;
  e->source = g_strdup ("walk_in");
  e->status = g_strdup ("admitted");
  e->eligibility = g_strdup ("admit");
  for (guint i = 0; items != NULL && items[i] != NULL; i++)
    {
      JzBelonging *b = jz_belonging_new ();

      b->item = g_strdup (items[i]);
      b->qty = 1;
      b->kind = g_strdup ("held");
      b->storage = g_strdup ("储物柜3");
      g_ptr_array_add (belongings, b);
    }
  g_assert_true (jz_store_register_intake (store, p, e, (JzBelonging **) belongings->pdata, belongings->len, &error));
  g_assert_no_error (error);
  return e;
}

/* Under-16 self-departure: the mode is greyed out with the reason shown,
 * cannot be chosen, and nothing is written. */
static void
test_under_16 (Fixture *f, gconstpointer data)
{
  const char * const items[] = { "书包", NULL };
  g_autoptr(JzEpisode) e = admit (f->store, "小明", "male", 12, NULL, items);
  JzDepartureDialog *dialog = jz_departure_dialog_new (NULL, f->store, e->rec.id);
  GtkWidget *self_row, *ticket_row, *collected_row;
  const char *subtitle;

  g_assert_nonnull (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  settle ();

  self_row = jz_departure_dialog_get_mode_row (dialog, JZ_DEPARTURE_SELF_RETURN);
  ticket_row = jz_departure_dialog_get_mode_row (dialog, JZ_DEPARTURE_TICKET);
  collected_row = jz_departure_dialog_get_mode_row (dialog, JZ_DEPARTURE_COLLECTED);
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (self_row));
  g_test_message ("self-departure row says: %s", subtitle);
  g_assert_nonnull (strstr (subtitle, _("Not allowed: the person is under 16 (or a minor of unknown age). They must be collected by family or a guardian, or escorted home.")));
  g_assert_false (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (self_row)));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (ticket_row)), _("Not allowed")));
  g_assert_true (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (collected_row)));

  /* Neither choosing it nor activating its row picks it. */
  g_assert_false (jz_departure_dialog_select_mode (dialog, JZ_DEPARTURE_SELF_RETURN));
  g_signal_emit_by_name (self_row, "activated");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "departure.save", NULL));
  settle ();
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM departure"), ==, 0);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM episode WHERE status = 'departed'"), ==, 0);

  /* Collected without an ID: refused next to the field, nothing written. */
  g_assert_true (jz_departure_dialog_select_mode (dialog, JZ_DEPARTURE_COLLECTED));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "departure.save", NULL);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog), JZ_TYPE_DEPARTURE_DIALOG,
                                                                         "collector_id_row")), "error"));
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM departure"), ==, 0);
}

static char *
pdf_text (const char *pdf)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *argv[] = { "pdftotext", "-layout", pdf, "-", NULL };

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&out);
}

/* Text extraction may space out CJK characters; compare without spaces. */
static gboolean
contains (const char *text, const char *needle)
{
  g_autoptr(GString) squeezed = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (squeezed, *p);
  return strstr (squeezed->str, needle) != NULL;
}

/* Every form exported from real data, read back with pdftotext. */
static void
test_forms_pdf (Fixture *f, gconstpointer data)
{
  const char * const items[] = { "手机", "身份证", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JzEpisode) adult = admit (f->store, "王建国", "male", 45, "320481198001010018", items);
  g_autoptr(JzEpisode) child = admit (f->store, "李小花", "female", 10, NULL, NULL);
  g_autoptr(JzDepartureRecord) d = jz_departure_new ();
  g_autoptr(JzTracingStep) step = jz_tracing_step_new ();
  g_autoptr(JzEpisode) refused = NULL;

  /* The adult is escorted home; the child is being traced. */
  d->mode = g_strdup ("escorted");
  d->destination = g_strdup ("溧阳市社渚镇");
  d->note = g_strdup ("家属同意接收");
  g_assert_true (jz_store_record_departure (f->store, adult, d, &error));
  g_assert_no_error (error);
  step->episode_id = g_strdup (child->rec.id);
  step->at = jz_casework_now () - 3600;
  step->method = g_strdup ("dialect");
  step->result = g_strdup ("口音像河南人");
  g_assert_true (jz_store_insert_tracing_step (f->store, step, &error));

  /* A refused intake, for the refusal notice. */
  {
    g_autoptr(JzPerson) p = jz_person_new ();

    refused = jz_episode_new ();
    p->name = g_strdup ("赵有钱");
    refused->admitted_at = jz_casework_now () - 600;
    refused->source = g_strdup ("walk_in");
    refused->status = g_strdup ("refused");
    refused->eligibility = g_strdup ("refuse");
    refused->refusal_reason = g_strdup ("有固定住所和收入");
    g_assert_true (jz_store_register_intake (f->store, p, refused, NULL, 0, &error));
    g_assert_no_error (error);
  }

  {
    const struct {
      JzFormKind  kind;
      const char *episode;
      const char *must[3];
    } cases[] = {
      { JZ_FORM_KIND_REGISTRATION, adult->rec.id, { "王建国", "320481198001010018", adult->number } },
      { JZ_FORM_KIND_BELONGINGS, adult->rec.id, { "王建国", "手机", "储物柜3" } },
      { JZ_FORM_KIND_STAY_AND_DEPARTURE, adult->rec.id, { "王建国", "溧阳市社渚镇", adult->number } },
      { JZ_FORM_KIND_ESCORT_HANDOVER, adult->rec.id, { "王建国", "溧阳市社渚镇", adult->number } },
      { JZ_FORM_KIND_TERMINATION, adult->rec.id, { "王建国", "家属同意接收", adult->number } },
      { JZ_FORM_KIND_SELF_DEPARTURE, adult->rec.id, { "王建国", adult->number, NULL } },
      { JZ_FORM_KIND_TRACING_NOTICE, child->rec.id, { "李小花", NULL, NULL } },
      { JZ_FORM_KIND_REFUSAL, refused->rec.id, { "赵有钱", "有固定住所和收入", NULL } },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(JzForm) form = NULL;
        g_autofree char *pdf = g_strdup_printf ("%s/form-%u.pdf", f->dir, i);
        g_autofree char *text = NULL;

        /* The child's notice is refused until the worker confirms. */
        if (cases[i].kind == JZ_FORM_KIND_TRACING_NOTICE)
          {
            g_assert_true (jz_form_data_needs_confirmation (f->store, cases[i].episode, cases[i].kind));
            g_assert_null (jz_form_data_build (f->store, cases[i].episode, cases[i].kind, FALSE, &error));
            g_assert_nonnull (error);
            g_clear_error (&error);
          }
        form = jz_form_data_build (f->store, cases[i].episode, cases[i].kind, TRUE, &error);
        g_assert_no_error (error);
        g_assert_nonnull (form);
        g_assert_true (jz_form_export_pdf (form, pdf, &error));
        g_assert_no_error (error);
        text = pdf_text (pdf);
        for (guint k = 0; k < G_N_ELEMENTS (cases[i].must) && cases[i].must[k] != NULL; k++)
          {
            if (!contains (text, cases[i].must[k]))
              g_error ("%s: “%s” not found in:\n%s", jz_form_kind_get_label (cases[i].kind), cases[i].must[k], text);
          }
        /* A public notice never prints the ID number. */
        if (cases[i].kind == JZ_FORM_KIND_TRACING_NOTICE)
          g_assert_false (contains (text, "320481198001010018"));
      }
  }
}

int
main (int argc, char **argv)
{
  const char *localedir = g_getenv ("JIUZHU_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/gui/casework/under-16", Fixture, NULL, fixture_setup, test_under_16, fixture_teardown);
  g_test_add ("/gui/casework/forms-pdf", Fixture, NULL, fixture_setup, test_forms_pdf, fixture_teardown);

  return g_test_run ();
}
