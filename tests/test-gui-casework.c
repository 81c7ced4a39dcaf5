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
#include "jz-check.h"
#include "jz-departure-dialog.h"
#include "jz-followup-dialog.h"
#include "jz-form-data.h"
#include "jz-form-print.h"
#include "jz-followups-view.h"
#include "jz-intake-view.h"
#include "jz-profile.h"
#include "jz-region-row.h"
#include "jz-tracing-view.h"
#include "jz-due.h"
#include "jz-window.h"

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

static void
type_text (GtkWidget *editable, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (editable), "");
  /* A character at a time, as a person types, so the live checks see
   * every state in between. */
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      int pos = gtk_editable_get_position (GTK_EDITABLE (editable));

      gtk_editable_insert_text (GTK_EDITABLE (editable), p, g_utf8_next_char (p) - p, &pos);
      gtk_editable_set_position (GTK_EDITABLE (editable), pos);
    }
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (editable)), ==, text);
}

static GtkWidget *
tchild (gpointer widget, GType type, const char *name)
{
  GObject *obj = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (obj);
  return GTK_WIDGET (obj);
}

/* The first descendant of @widget (popovers included) whose object data
 * @key is the string @value. */
static GtkWidget *
find_with_data (GtkWidget *widget, const char *key, const char *value)
{
  if (g_strcmp0 (g_object_get_data (G_OBJECT (widget), key), value) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_with_data (c, key, value);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The first label under @widget whose text contains @needle. */
static GtkWidget *
find_label (GtkWidget *widget, const char *needle)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_label (GTK_LABEL (widget)), needle) != NULL)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_label (c, needle);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gpointer
find_toplevel (GType type)
{
  GList *toplevels = gtk_window_list_toplevels ();
  gpointer found = NULL;

  for (GList *l = toplevels; l && !found; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      found = l->data;
  g_list_free (toplevels);
  return found;
}

static GtkWidget *
area (JzWindow *window, const char *name)
{
  GtkStack *stack = GTK_STACK (tchild (window, JZ_TYPE_WINDOW, "stack"));
  GtkWidget *page = gtk_stack_get_child_by_name (stack, name);

  g_assert_nonnull (page);
  g_assert_true (jz_window_set_view (window, name));
  settle ();
  return page;
}

static char *
staff_on_duty (JzStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStaff) staff = jz_staff_new ();

  staff->name = g_strdup ("陈晓");
  staff->role = g_strdup ("worker");
  g_assert_true (jz_store_insert_staff (store, staff, &error));
  g_assert_no_error (error);
  return g_strdup (staff->rec.id);
}

/* What the rules need: the count of rows of @sql with ?1 = @id. */
static gint64
count_id (JzStore *store, const char *sql, const char *id)
{
  sqlite3_stmt *stmt = jz_store_prepare (store, sql, NULL);
  gint64 n;

  g_assert_nonnull (stmt);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

/* A whole episode through the real widgets: an intake that finds the
 * person already on file and joins their file, a bed, an unidentified
 * person traced step by step, the departure with the belongings given
 * back, and the follow-up; the store is checked after each step. */
static void
test_episode (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *staff = staff_on_duty (f->store);
  g_autofree char *known_id = NULL;
  g_autofree char *episode_id = NULL;
  g_autofree char *unknown_person = NULL;
  g_autofree char *unknown_episode = NULL;
  JzWindow *window;
  GtkWidget *intake, *row, *link, *tracing, *followups;
  JzDepartureDialog *departure;
  JzFollowupDialog *followup;

  /* 张伟 is on file, and left 20 days ago: a repeat visit. */
  {
    g_autoptr(JzPerson) p = jz_person_new ();
    g_autoptr(JzEpisode) e = jz_episode_new ();
    g_autoptr(JzDepartureRecord) d = jz_departure_new ();

    p->name = g_strdup ("张伟");
    p->sex = g_strdup ("male");
    p->id_number = g_strdup ("320481198503020013");
    p->birth_date = g_strdup ("1985-03-02");
    p->birth_precision = g_strdup ("exact");
    p->hukou_region = g_strdup ("320481");
    p->identity_status = g_strdup ("verified");
    e->admitted_at = jz_casework_now () - 26 * 86400;
    e->source = g_strdup ("walk_in");
    e->status = g_strdup ("admitted");
    e->eligibility = g_strdup ("admit");
    g_assert_true (jz_store_register_intake (f->store, p, e, NULL, 0, &error));
    g_assert_no_error (error);
    d->mode = g_strdup ("ticket");
    d->departed_at = jz_casework_now () - 20 * 86400;
    d->declaration_signed = TRUE;
    g_assert_true (jz_store_record_departure (f->store, e, d, &error));
    g_assert_no_error (error);
    known_id = g_strdup (p->rec.id);
  }

  window = jz_window_new (NULL, f->store);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 900);
  gtk_window_present (GTK_WINDOW (window));
  settle ();
  g_signal_emit_by_name (jz_window_get_sign_in (window), "signed-in", staff);
  g_assert_false (jz_window_is_locked (window));

  /* 1. Intake: the ID number fills the birth date, sex and region. */
  intake = area (window, "intake");
  g_assert_true (JZ_IS_INTAKE_VIEW (intake));
  type_text (tchild (intake, JZ_TYPE_INTAKE_VIEW, "name_row"), "张伟");
  type_text (tchild (intake, JZ_TYPE_INTAKE_VIEW, "id_row"), "320481198503020013");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (tchild (intake, JZ_TYPE_INTAKE_VIEW, "birth_row"))), ==, "1985-03-02");
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (tchild (intake, JZ_TYPE_INTAKE_VIEW, "male_button"))));
  g_assert_cmpstr (jz_region_row_get_code (JZ_REGION_ROW (tchild (intake, JZ_TYPE_INTAKE_VIEW, "region_row"))), ==, "320481");
  g_assert_true (gtk_widget_has_css_class (tchild (intake, JZ_TYPE_INTAKE_VIEW, "id_message"), "success"));

  /* A wrong check digit is explained next to the field. */
  type_text (tchild (intake, JZ_TYPE_INTAKE_VIEW, "id_row"), "320481198503020014");
  g_assert_true (gtk_widget_has_css_class (tchild (intake, JZ_TYPE_INTAKE_VIEW, "id_row"), "error"));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (tchild (intake, JZ_TYPE_INTAKE_VIEW, "id_message"))), "3"));
  type_text (tchild (intake, JZ_TYPE_INTAKE_VIEW, "id_row"), "320481198503020013");

  /* The duplicate panel lists 张伟 with the reasons and the 跑站 warning. */
  jz_intake_view_refresh_duplicates (JZ_INTAKE_VIEW (intake));
  g_assert_cmpuint (jz_intake_view_get_n_duplicates (JZ_INTAKE_VIEW (intake)), >=, 1);
  row = jz_intake_view_get_duplicate_row (JZ_INTAKE_VIEW (intake), 0);
  g_assert_cmpstr (g_object_get_data (G_OBJECT (row), "person-id"), ==, known_id);
  g_test_message ("reasons: %s", (char *) g_object_get_data (G_OBJECT (row), "reasons"));
  g_assert_nonnull (strstr (g_object_get_data (G_OBJECT (row), "reasons"), _("same ID number")));
  g_assert_nonnull (find_label (row, "跑站"));
  g_assert_true (gtk_widget_get_visible (tchild (intake, JZ_TYPE_INTAKE_VIEW, "dup_group")));

  /* Choosing them links the intake to their file. */
  link = g_object_get_data (G_OBJECT (row), "link-button");
  g_signal_emit_by_name (link, "clicked");
  g_assert_cmpstr (jz_intake_view_get_linked_person_id (JZ_INTAKE_VIEW (intake)), ==, known_id);
  g_assert_true (gtk_widget_get_visible (tchild (intake, JZ_TYPE_INTAKE_VIEW, "linked_row")));

  /* Two belongings: a phone held by the station, clothes kept. */
  g_assert_cmpuint (jz_intake_view_add_belonging (JZ_INTAKE_VIEW (intake)), ==, 0);
  type_text (jz_intake_view_get_belonging_field (JZ_INTAKE_VIEW (intake), 0, "item"), "手机");
  type_text (jz_intake_view_get_belonging_field (JZ_INTAKE_VIEW (intake), 0, "storage"), "柜1");
  g_assert_cmpuint (jz_intake_view_add_belonging (JZ_INTAKE_VIEW (intake)), ==, 1);
  type_text (jz_intake_view_get_belonging_field (JZ_INTAKE_VIEW (intake), 1, "item"), "衣物");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (jz_intake_view_get_belonging_field (JZ_INTAKE_VIEW (intake), 1, "qty")), 3);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (jz_intake_view_get_belonging_field (JZ_INTAKE_VIEW (intake), 1, "kind")), 1);

  /* Save (what Ctrl+Enter does): one transaction, then the case opens. */
  g_assert_true (gtk_widget_activate_action (intake, "intake.save", NULL));
  settle ();
  g_assert_cmpstr (jz_intake_view_get_saved_person_id (JZ_INTAKE_VIEW (intake)), ==, known_id);
  episode_id = g_strdup (jz_intake_view_get_saved_episode_id (JZ_INTAKE_VIEW (intake)));
  g_assert_nonnull (episode_id);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM person"), ==, 1);
  g_assert_cmpint (count_id (f->store, "SELECT count(*) FROM episode WHERE person_id = ?1", known_id), ==, 2);
  g_assert_cmpint (count_id (f->store, "SELECT count(*) FROM episode WHERE id = ?1 AND status = 'admitted' AND eligibility = 'admit'", episode_id), ==, 1);
  g_assert_cmpint (count_id (f->store, "SELECT count(*) FROM belonging WHERE episode_id = ?1", episode_id), ==, 2);
  g_assert_cmpint (count_id (f->store, "SELECT count(*) FROM belonging WHERE episode_id = ?1 AND item = '衣物' AND qty = 3 AND kind = 'necessity'", episode_id), ==, 1);
  g_assert_cmpint (count_id (f->store, "SELECT count(*) FROM episode WHERE id = ?1 AND updated_by IS NOT NULL", episode_id), ==, 1);
  g_assert_cmpstr (jz_window_get_view (window), ==, "case");
  g_assert_cmpstr (jz_case_page_get_person_id (jz_window_get_case_page (window)), ==, known_id);
  g_assert_true (gtk_widget_get_visible (tchild (intake, JZ_TYPE_INTAKE_VIEW, "saved_group")));

  /* 2. Bed: the case page has no bed action yet, so through the API. */
  {
    g_autoptr(JzRoom) room = jz_room_new ();
    g_autoptr(JzBed) bed = jz_bed_new ();
    g_autoptr(JzEpisode) e = jz_store_get_episode (f->store, episode_id, &error);

    room->name = g_strdup ("男一室");
    room->kind = g_strdup ("men");
    g_assert_true (jz_store_insert_room (f->store, room, &error));
    bed->room_id = g_strdup (room->rec.id);
    bed->label = g_strdup ("1");
    g_assert_true (jz_store_insert_bed (f->store, bed, &error));
    g_assert_true (jz_store_assign_bed (f->store, e, bed->rec.id, &error));
    g_assert_no_error (error);
    g_assert_cmpint (count_id (f->store, "SELECT count(*) FROM episode WHERE id = ?1 AND bed_id IS NOT NULL", episode_id), ==, 1);
  }

  /* 3. An unidentified woman: 无名氏, estimated age, no duplicates. */
  intake = area (window, "intake");
  gtk_switch_set_active (GTK_SWITCH (tchild (intake, JZ_TYPE_INTAKE_VIEW, "name_unknown_switch")), TRUE);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (tchild (intake, JZ_TYPE_INTAKE_VIEW, "female_button")), TRUE);
  type_text (tchild (intake, JZ_TYPE_INTAKE_VIEW, "age_row"), "35");
  type_text (tchild (intake, JZ_TYPE_INTAKE_VIEW, "dialect_row"), "河南口音");
  g_assert_true (gtk_widget_activate_action (intake, "intake.save", NULL));
  settle ();
  unknown_person = g_strdup (jz_intake_view_get_saved_person_id (JZ_INTAKE_VIEW (intake)));
  unknown_episode = g_strdup (jz_intake_view_get_saved_episode_id (JZ_INTAKE_VIEW (intake)));
  g_assert_cmpstr (unknown_person, !=, known_id);
  g_assert_cmpint (count_id (f->store, "SELECT count(*) FROM person WHERE id = ?1 AND name IS NULL AND placeholder_no > 0 "
                                       "AND identity_status = 'unknown' AND estimated_age = 35 AND sex = 'female'", unknown_person), ==, 1);

  /* 4. Tracing: she is listed with her deadlines; two clicks per step. */
  tracing = area (window, "tracing");
  g_assert_cmpuint (jz_tracing_view_get_n_people (JZ_TRACING_VIEW (tracing)), ==, 1);
  row = jz_tracing_view_get_row (JZ_TRACING_VIEW (tracing), 0);
  g_assert_cmpstr (g_object_get_data (G_OBJECT (row), "episode-id"), ==, unknown_episode);
  g_test_message ("deadlines: %s", (char *) g_object_get_data (G_OBJECT (row), "deadlines"));
  g_assert_nonnull (strstr (g_object_get_data (G_OBJECT (row), "deadlines"), _("Tracing notice (24 hours)")));
  {
    const char *steps[][2] = { { "dialect", "nothing" }, { "notice", "nothing" } };

    for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
      {
        GtkWidget *record, *popover, *method, *result;

        row = jz_tracing_view_get_row (JZ_TRACING_VIEW (tracing), 0);
        record = g_object_get_data (G_OBJECT (row), "record-button");
        gtk_menu_button_popup (GTK_MENU_BUTTON (record));
        settle ();
        popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (record)));
        method = find_with_data (popover, "method", steps[i][0]);
        g_assert_nonnull (method);
        g_signal_emit_by_name (method, "clicked");                     /* click 1 */
        if (i == 0)
          gtk_editable_set_text (GTK_EDITABLE (g_object_get_data (G_OBJECT (popover), "result-entry")), "说话像河南周口");
        result = g_object_get_data (G_OBJECT (popover), "nothing-button");
        g_signal_emit_by_name (result, "clicked");                     /* click 2 */
        settle ();
      }
  }
  g_assert_cmpint (count_id (f->store, "SELECT count(*) FROM tracing_step WHERE episode_id = ?1", unknown_episode), ==, 2);
  g_assert_cmpint (count_id (f->store, "SELECT count(*) FROM tracing_step WHERE episode_id = ?1 AND method = 'dialect' "
                                       "AND result = '说话像河南周口' AND operator IS NOT NULL", unknown_episode), ==, 1);
  row = jz_tracing_view_get_row (JZ_TRACING_VIEW (tracing), 0);
  g_assert_nonnull (strstr (g_object_get_data (G_OBJECT (row), "deadlines"), _("done")));
  /* The family is found by face recognition: she leaves the list. */
  g_assert_true (jz_tracing_view_record_step (JZ_TRACING_VIEW (tracing), unknown_episode, "face", "人脸比对找到家属", TRUE, &error));
  g_assert_no_error (error);
  settle ();
  g_assert_cmpint (count_id (f->store, "SELECT count(*) FROM person WHERE id = ?1 AND identity_status = 'verified'", unknown_person), ==, 1);
  g_assert_cmpint (count_id (f->store, "SELECT count(*) FROM tracing_step WHERE episode_id = ?1 AND success = 1 AND channel = 'face'", unknown_episode), ==, 1);
  g_assert_cmpuint (jz_tracing_view_get_n_people (JZ_TRACING_VIEW (tracing)), ==, 0);

  /* 5. Departure of 张伟 from his case page: home on his own with 30
   * yuan (a reason needed), belongings handed back one by one. */
  g_assert_true (jz_window_show_case (window, known_id));
  settle ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (jz_window_get_case_page (window)), "case.depart", NULL));
  settle ();
  departure = find_toplevel (JZ_TYPE_DEPARTURE_DIALOG);
  g_assert_nonnull (departure);
  g_assert_true (jz_departure_dialog_select_mode (departure, JZ_DEPARTURE_SELF_RETURN));
  type_text (tchild (departure, JZ_TYPE_DEPARTURE_DIALOG, "cash_row"), "30");
  gtk_widget_activate_action (GTK_WIDGET (departure), "departure.save", NULL);
  settle ();
  g_assert_true (gtk_widget_has_css_class (tchild (departure, JZ_TYPE_DEPARTURE_DIALOG, "cash_reason_row"), "error"));
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM departure"), ==, 1);
  type_text (tchild (departure, JZ_TYPE_DEPARTURE_DIALOG, "cash_reason_row"), "老家在山区，车站远");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (jz_departure_dialog_get_belonging_check (departure, 0)), TRUE);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (jz_departure_dialog_get_belonging_check (departure, 1)), TRUE);
  g_assert_null (jz_departure_dialog_get_belonging_check (departure, 2));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (tchild (departure, JZ_TYPE_DEPARTURE_DIALOG, "followup_switch"))));
  gtk_widget_activate_action (GTK_WIDGET (departure), "departure.save", NULL);
  settle ();
  g_assert_cmpint (count_id (f->store, "SELECT count(*) FROM departure WHERE episode_id = ?1 AND mode = 'self_return' "
                                       "AND cash_fen = 3000 AND belongings_returned = 1 AND declaration_signed = 1", episode_id), ==, 1);
  g_assert_cmpint (count_id (f->store, "SELECT count(*) FROM episode WHERE id = ?1 AND status = 'departed' AND bed_id IS NULL", episode_id), ==, 1);
  g_assert_cmpint (count_id (f->store, "SELECT count(*) FROM belonging WHERE episode_id = ?1 AND returned_at IS NOT NULL "
                                       "AND returned_qty = qty AND returned_by IS NOT NULL", episode_id), ==, 2);
  g_assert_cmpint (count_id (f->store, "SELECT count(*) FROM followup WHERE episode_id = ?1 AND done_at IS NULL", episode_id), ==, 4);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (tchild (departure, JZ_TYPE_DEPARTURE_DIALOG, "stack"))), ==, "done");
  gtk_window_destroy (GTK_WINDOW (departure));

  /* 6. Follow-up: the one due a month after is made early, by phone. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (jz_window_get_case_page (window)), "case.followup", NULL));
  settle ();
  followup = find_toplevel (JZ_TYPE_FOLLOWUP_DIALOG);
  g_assert_nonnull (followup);
  g_assert_nonnull (jz_followup_dialog_get_followup_id (followup));
  gtk_widget_activate_action (GTK_WIDGET (followup), "followup.save", NULL);
  settle ();
  g_assert_true (gtk_widget_has_css_class (tchild (followup, JZ_TYPE_FOLLOWUP_DIALOG, "situation_row"), "error"));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (tchild (followup, JZ_TYPE_FOLLOWUP_DIALOG, "phone_button")), TRUE);
  type_text (tchild (followup, JZ_TYPE_FOLLOWUP_DIALOG, "situation_row"), "已到家，和父母同住，在镇上打零工");
  type_text (tchild (followup, JZ_TYPE_FOLLOWUP_DIALOG, "help_row"), "联系村委会申请临时救助");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (tchild (followup, JZ_TYPE_FOLLOWUP_DIALOG, "risk_low_button")), TRUE);
  gtk_widget_activate_action (GTK_WIDGET (followup), "followup.save", NULL);
  settle ();
  g_assert_cmpint (count_id (f->store, "SELECT count(*) FROM followup WHERE episode_id = ?1 AND done_at IS NOT NULL "
                                       "AND method = 'phone' AND risk_of_leaving = 'low' AND staff_id IS NOT NULL", episode_id), ==, 1);
  g_assert_cmpint (count_id (f->store, "SELECT count(*) FROM followup WHERE episode_id = ?1 AND done_at IS NULL", episode_id), ==, 3);

  /* The follow-ups area: 张伟 counts as followed up; an overdue one of
   * another person is listed and recorded from there. */
  {
    g_autoptr(JzFollowup) late = jz_followup_new ();

    late->person_id = g_strdup (unknown_person);
    late->episode_id = g_strdup (unknown_episode);
    late->due_at = jz_casework_now () - 3 * 86400;
    g_assert_true (jz_store_insert_followup (f->store, late, &error));
    g_assert_no_error (error);
  }
  followups = area (window, "followups");
  g_assert_cmpuint (jz_followups_view_get_n_due (JZ_FOLLOWUPS_VIEW (followups)), ==, 1);
  row = jz_followups_view_get_due_row (JZ_FOLLOWUPS_VIEW (followups), 0);
  g_assert_cmpstr (g_object_get_data (G_OBJECT (row), "person-id"), ==, unknown_person);
  g_signal_emit_by_name (g_object_get_data (G_OBJECT (row), "record-button"), "clicked");
  settle ();
  followup = find_toplevel (JZ_TYPE_FOLLOWUP_DIALOG);
  g_assert_nonnull (followup);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (tchild (followup, JZ_TYPE_FOLLOWUP_DIALOG, "visit_button")), TRUE);
  type_text (tchild (followup, JZ_TYPE_FOLLOWUP_DIALOG, "situation_row"), "随家属返回");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (tchild (followup, JZ_TYPE_FOLLOWUP_DIALOG, "risk_high_button")), TRUE);
  gtk_widget_activate_action (GTK_WIDGET (followup), "followup.save", NULL);
  settle ();
  g_assert_cmpint (count_id (f->store, "SELECT count(*) FROM followup WHERE person_id = ?1 AND done_at IS NOT NULL "
                                       "AND risk_of_leaving = 'high'", unknown_person), ==, 1);
  jz_followups_view_reload (JZ_FOLLOWUPS_VIEW (followups));
  g_assert_cmpuint (jz_followups_view_get_n_due (JZ_FOLLOWUPS_VIEW (followups)), ==, 0);
  g_test_message ("rate: %s, minors: %s", jz_followups_view_get_rate_text (JZ_FOLLOWUPS_VIEW (followups), FALSE),
                  jz_followups_view_get_rate_text (JZ_FOLLOWUPS_VIEW (followups), TRUE));
  g_assert_cmpstr (jz_followups_view_get_rate_text (JZ_FOLLOWUPS_VIEW (followups), FALSE), ==, "100 %");

  {
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);

    g_assert_true (jz_store_check (f->store, problems, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (problems->len, ==, 0);
  }
}

/* A save the store refuses changes nothing and says why next to the
 * field: an item name too long for the store, then a person on file
 * changed by someone else (a sync) after the worker linked them. */
static void
test_failed_save (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *staff = staff_on_duty (f->store);
  g_autoptr(GString) long_item = g_string_new (NULL);
  g_autofree char *person_id = NULL;
  JzWindow *window;
  GtkWidget *intake, *item;
  gint64 outbox, people, episodes;

  window = jz_window_new (NULL, f->store);
  gtk_window_present (GTK_WINDOW (window));
  settle ();
  g_signal_emit_by_name (jz_window_get_sign_in (window), "signed-in", staff);
  intake = area (window, "intake");

  for (int i = 0; i < 201; i++)
    g_string_append (long_item, "包");
  type_text (tchild (intake, JZ_TYPE_INTAKE_VIEW, "name_row"), "孙强");
  jz_intake_view_add_belonging (JZ_INTAKE_VIEW (intake));
  item = jz_intake_view_get_belonging_field (JZ_INTAKE_VIEW (intake), 0, "item");
  gtk_editable_set_text (GTK_EDITABLE (item), long_item->str);
  outbox = count (f->store, "SELECT count(*) FROM outbox");
  g_assert_true (gtk_widget_activate_action (intake, "intake.save", NULL));
  settle ();
  g_assert_null (jz_intake_view_get_saved_person_id (JZ_INTAKE_VIEW (intake)));
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM person"), ==, 0);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM episode"), ==, 0);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM outbox"), ==, outbox);
  g_assert_true (gtk_widget_get_visible (tchild (intake, JZ_TYPE_INTAKE_VIEW, "error_group")));
  g_assert_true (gtk_widget_has_css_class (item, "error"));
  g_test_message ("shown: %s", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (tchild (intake, JZ_TYPE_INTAKE_VIEW, "error_row"))));
  /* Still on the form, with what was typed. */
  g_assert_cmpstr (jz_window_get_view (window), ==, "intake");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (tchild (intake, JZ_TYPE_INTAKE_VIEW, "name_row"))), ==, "孙强");

  /* Shortened, it saves. */
  gtk_editable_set_text (GTK_EDITABLE (item), "背包");
  g_assert_true (gtk_widget_activate_action (intake, "intake.save", NULL));
  settle ();
  person_id = g_strdup (jz_intake_view_get_saved_person_id (JZ_INTAKE_VIEW (intake)));
  g_assert_nonnull (person_id);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM belonging WHERE item = '背包'"), ==, 1);

  /* He is back after leaving; while the worker links the file, a sync
   * changes it. */
  {
    g_autoptr(JzEpisode) e = jz_store_get_episode (f->store, jz_intake_view_get_saved_episode_id (JZ_INTAKE_VIEW (intake)), &error);
    g_autoptr(JzDepartureRecord) d = jz_departure_new ();

    d->mode = g_strdup ("left");
    g_assert_true (jz_store_record_departure (f->store, e, d, &error));
    g_assert_no_error (error);
  }
  intake = area (window, "intake");
  type_text (tchild (intake, JZ_TYPE_INTAKE_VIEW, "name_row"), "孙强");
  g_assert_true (jz_intake_view_link_person (JZ_INTAKE_VIEW (intake), person_id));
  {
    g_autoptr(JzPerson) p = jz_store_get_person (f->store, person_id, &error);

    g_free (p->dialect);
    p->dialect = g_strdup ("四川话");
    g_assert_true (jz_store_update_person (f->store, p, &error));
    g_assert_no_error (error);
  }
  people = count (f->store, "SELECT count(*) FROM person");
  episodes = count (f->store, "SELECT count(*) FROM episode");
  outbox = count (f->store, "SELECT count(*) FROM outbox");
  g_assert_true (gtk_widget_activate_action (intake, "intake.save", NULL));
  settle ();
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM person"), ==, people);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM episode"), ==, episodes);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM outbox"), ==, outbox);
  g_assert_true (gtk_widget_get_visible (tchild (intake, JZ_TYPE_INTAKE_VIEW, "error_group")));
  g_test_message ("shown: %s", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (tchild (intake, JZ_TYPE_INTAKE_VIEW, "error_row"))));
  /* The file was read again: saving again works and keeps the sync's change. */
  g_assert_true (gtk_widget_activate_action (intake, "intake.save", NULL));
  settle ();
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM episode"), ==, episodes + 1);
  g_assert_cmpint (count_id (f->store, "SELECT count(*) FROM person WHERE id = ?1 AND dialect = '四川话'", person_id), ==, 1);
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

  /* The region picker finds 溧阳 by name, pinyin, initials and code. */
  {
    const char *queries[] = { "溧阳", "liyang", "LiYang", "lys", "320481" };

    for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
      {
        g_autoptr(GPtrArray) codes = jz_region_search (queries[i], 8);
        gboolean found = FALSE;

        for (guint k = 0; k < codes->len; k++)
          found = found || g_str_equal (codes->pdata[k], "320481");
        if (!found)
          g_error ("“%s” does not find 320481", queries[i]);
      }
  }

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

/* Every tracing row keeps its buttons inside it at 1024×768, however long
 * its facts line: a row whose buttons column was taller than its text had
 * them pushed out of the window (GtkBox asked the wrapping label for its
 * width at one line's height). */
static void
test_tracing_rows_fit (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *staff = staff_on_duty (f->store);
  const char *names[] = { "许超军", "谢峰勇", "王阳超", "曾磊", "周洁", "吴磊" };
  const guint n = G_N_ELEMENTS (names);
  JzWindow *window;
  GtkWidget *tracing;

  /* Unidentified people with long facts lines, admitted days apart. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JzEpisode) e = admit (f->store, names[i], "male", 30 + 7 * (int) i, NULL, NULL);
      g_autoptr(JzPerson) p = jz_store_get_person (f->store, e->person_id, &error);

      g_assert_no_error (error);
      g_free (p->dialect);
      p->dialect = i % 2 ? g_strdup ("江淮官话") : NULL;
      g_free (p->hukou_region);
      p->hukou_region = g_strdup ("320303");
      g_free (p->birth_precision);
      p->birth_precision = g_strdup ("estimated");
      g_clear_pointer (&p->birth_date, g_free);
      p->estimated_age = 30 + 7 * (int) i;
      g_free (p->identity_status);
      p->identity_status = g_strdup (i % 3 ? "unknown" : "self_reported");
      jz_store_update (f->store, &jz_entity_person, p, &error);
      g_assert_no_error (error);
      e->admitted_at = jz_casework_now () - (gint64) (1 + 9 * i) * 86400;
      jz_store_update (f->store, &jz_entity_episode, e, &error);
      g_assert_no_error (error);
    }

  window = jz_window_new (NULL, f->store);
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 768);
  gtk_window_present (GTK_WINDOW (window));
  settle ();
  g_signal_emit_by_name (jz_window_get_sign_in (window), "signed-in", staff);
  g_assert_false (jz_window_is_locked (window));
  tracing = area (window, "tracing");
  /* The area reads the store when it is shown. */
  while (!gtk_widget_get_mapped (tracing))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (jz_tracing_view_get_n_people (JZ_TRACING_VIEW (tracing)), ==, n);
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *row = jz_tracing_view_get_row (JZ_TRACING_VIEW (tracing), i);
      GtkWidget *record = g_object_get_data (G_OBJECT (row), "record-button");
      graphene_rect_t bounds;

      /* Until the row is laid out. */
      while (gtk_widget_get_width (record) == 0)
        g_main_context_iteration (NULL, TRUE);
      g_assert_true (gtk_widget_compute_bounds (record, row, &bounds));
      g_test_message ("row %u: %d wide, its button ends at %.0f", i, gtk_widget_get_width (row),
                      bounds.origin.x + bounds.size.width);
      g_assert_cmpfloat (bounds.size.width, >, 0);
      g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (row));
    }
  gtk_window_destroy (GTK_WINDOW (window));
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

  g_test_add ("/gui/casework/episode", Fixture, NULL, fixture_setup, test_episode, fixture_teardown);
  g_test_add ("/gui/casework/failed-save", Fixture, NULL, fixture_setup, test_failed_save, fixture_teardown);
  g_test_add ("/gui/casework/under-16", Fixture, NULL, fixture_setup, test_under_16, fixture_teardown);
  g_test_add ("/gui/casework/forms-pdf", Fixture, NULL, fixture_setup, test_forms_pdf, fixture_teardown);
  g_test_add ("/gui/casework/tracing-rows-fit", Fixture, NULL, fixture_setup, test_tracing_rows_fit, fixture_teardown);

  return g_test_run ();
}
