/* test-core-i18n.c: libjiuzhu-core's messages go through gettext
 *
 * Staff read the core's errors, warnings and duplicate reasons in the
 * GUI, in Chinese. Each message below is compared with its msgid looked
 * up in the "jiuzhu" domain and formatted with the same arguments: in the
 * C locale that is the English source, in a child process with
 * LANGUAGE=zh_CN the catalogue's text. A message not yet in the catalogue
 * looks the same either way, so the child also counts how many were
 * translated and reports it; once one is, it must differ from English.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "jz-deadlines.h"
#include "jz-dupscore.h"
#include "jz-episode-rules.h"
#include "jz-idcard.h"
#include "jz-records.h"
#include "jz-schema.h"
#include "jz-station.h"
#include "jz-store.h"

#define STATUS_IN_SENTENCE "episode status in a sentence"
#define RECORD_IN_SENTENCE "record in a sentence"
#define FIELD_IN_SENTENCE "field in a sentence"

static const char *language = "en";

/* A number with a wrong check digit, its abbreviation and both digits. */
static char *
wrong_check_digit_number (char *expected,
                          char *typed)
{
  const char *first17 = "11010119491231001";

  *expected = jz_idcard_check_digit (first17);
  *typed = *expected == '0' ? '1' : '0';
  return g_strdup_printf ("%s%c", first17, *typed);
}

/* Compares @message with @msgid translated (g_dgettext) and formatted
 * with the arguments; counts the translated msgids in @n_translated. */
static void
assert_message (const char *message,
                guint      *n_translated,
                const char *msgid,
                ...) G_GNUC_PRINTF (3, 4);

static void
assert_message (const char *message,
                guint      *n_translated,
                const char *msgid,
                ...)
{
  const char *format = g_dgettext (GETTEXT_PACKAGE, msgid);
  g_autofree char *expected = NULL;
  g_autofree char *english = NULL;
  va_list args;

  va_start (args, msgid);
  expected = g_strdup_vprintf (format, args);
  va_end (args);
  va_start (args, msgid);
  english = g_strdup_vprintf (msgid, args);
  va_end (args);

  g_assert_nonnull (message);
  g_assert_cmpstr (message, ==, expected);
  if (format != msgid && strcmp (format, msgid) != 0)
    {
      (*n_translated)++;
      g_assert_cmpstr (message, !=, english);
    }
}

/* The same for a message without arguments. */
static void
assert_text (const char *message,
             guint      *n_translated,
             const char *msgid)
{
  const char *text = g_dgettext (GETTEXT_PACKAGE, msgid);

  g_assert_cmpstr (message, ==, text);
  if (strcmp (text, msgid) != 0)
    (*n_translated)++;
}

static gboolean
has_reason (GPtrArray  *reasons,
            const char *text)
{
  for (guint i = 0; i < reasons->len; i++)
    if (g_str_equal (g_ptr_array_index (reasons, i), text))
      return TRUE;
  return FALSE;
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

/* Every kind of core message at least once; returns how many were
 * translated in the current language. */
static guint
check_messages (void)
{
  guint n = 0;
  GDate today;

  g_date_clear (&today, 1);
  g_date_set_dmy (&today, 1, G_DATE_JUNE, 2026);

  /* jz-idcard.c: an error with %s and two %c. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *number = NULL;
    g_autofree char *abbrev = NULL;
    char expected, typed;
    JzIdCard card;

    number = wrong_check_digit_number (&expected, &typed);
    abbrev = jz_idcard_abbreviate (number);
    g_assert_false (jz_idcard_parse_at (number, &today, &card, &error));
    g_assert_error (error, JZ_IDCARD_ERROR, JZ_IDCARD_ERROR_CHECK_DIGIT);
    g_test_message ("%s", error->message);
    assert_message (error->message, &n,
                    "The ID number %s has a wrong check digit; the last digit should be %c. "
                    "If the card shows %c, another digit was mistyped: check them all",
                    abbrev, expected, typed);
  }

  /* jz-idcard.c: a plural. */
  {
    g_autoptr(GError) error = NULL;
    JzIdCard card;
    const char *format;
    g_autofree char *expected = NULL;

    g_assert_false (jz_idcard_parse_at ("1101011949", &today, &card, &error));
    g_assert_error (error, JZ_IDCARD_ERROR, JZ_IDCARD_ERROR_LENGTH);
    format = g_dngettext (GETTEXT_PACKAGE,
                          "The ID number %s has %u digit; it should have 18 (or 15 on a card issued before 1999)",
                          "The ID number %s has %u digits; it should have 18 (or 15 on a card issued before 1999)",
                          10);
    expected = g_strdup_printf (format, "1101…", 10u);
    g_assert_cmpstr (error->message, ==, expected);
  }

  /* jz-idcard.c: a warning chosen by the sex on the card. */
  {
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
    char number[19] = "32048119800101001";
    JzIdCard card;

    number[17] = jz_idcard_check_digit (number);
    g_assert_true (jz_idcard_parse_at (number, &today, &card, NULL));
    g_assert_cmpint (card.sex, ==, JZ_SEX_MALE);
    g_assert_false (jz_idcard_compare (&card, NULL, JZ_SEX_FEMALE, &today, warnings));
    g_assert_cmpuint (warnings->len, ==, 1);
    assert_text (g_ptr_array_index (warnings, 0), &n,
                 "The ID number is a man's but the sex entered is female; check both");
  }

  /* jz-episode-rules.c: statuses named with a context, and a hint. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (jz_episode_check_transition (JZ_EPISODE_STATUS_DEPARTED, JZ_EPISODE_STATUS_ADMITTED,
                                                 NULL, NULL, &error));
    g_assert_error (error, JZ_EPISODE_RULES_ERROR, JZ_EPISODE_RULES_ERROR_TRANSITION);
    assert_message (error->message, &n, "An episode cannot go from “%s” to “%s”: %s",
                    g_dpgettext2 (GETTEXT_PACKAGE, STATUS_IN_SENTENCE, "departed"),
                    g_dpgettext2 (GETTEXT_PACKAGE, STATUS_IN_SENTENCE, "admitted"),
                    _("a departed episode is closed; if the person comes back, register a new episode"));
  }

  /* jz-episode-rules.c: a mode by its label. */
  {
    g_autoptr(GError) error = NULL;
    JzPersonFacts facts;

    jz_person_facts_init (&facts);
    jz_birth_init_exact (&facts.birth, 2015, 3, 1);
    g_assert_false (jz_departure_mode_allowed (JZ_DEPARTURE_TICKET, &facts, &today, &error));
    assert_message (error->message, &n,
                    "A person under 16 may not leave on their own (“%s”); "
                    "record a collection by a guardian (接领) with the collector's ID, or an escort home (护送)",
                    _(jz_departure_mode_get_label (JZ_DEPARTURE_TICKET)));
  }

  /* jz-deadlines.c */
  {
    g_autoptr(JzWorkCalendar) calendar = jz_work_calendar_new ();
    g_autoptr(GError) error = NULL;

    g_assert_false (jz_work_calendar_load_text (calendar, "2026-10-01 holiday\n2026-13-01\n", &error));
    assert_message (error->message, &n,
                    "Line %u of the holiday table: “%s” is not a real date written YYYY-MM-DD",
                    2u, "2026-13-01");
  }

  /* jz-station.c */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (jz_station_code_validate ("320481-00", &error));
    assert_text (error->message, &n, "The station number after the dash must be 01 to 99, not 00");
  }

  /* jz-dupscore.c: fixed phrases and a phrase with a number. */
  {
    g_autoptr(GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);
    g_autofree char *age = NULL;
    JzDupPerson a, b;
    char number[19] = "32048119800101001";

    number[17] = jz_idcard_check_digit (number);
    jz_dup_person_init (&a);
    jz_dup_person_init (&b);
    a.id_number = b.id_number = number;
    jz_dupscore (&a, &b, &today, reasons);
    g_assert_cmpuint (reasons->len, >=, 1);
    assert_text (g_ptr_array_index (reasons, 0), &n, "same ID number");

    g_ptr_array_set_size (reasons, 0);
    jz_dup_person_init (&a);
    jz_dup_person_init (&b);
    jz_birth_init_exact (&a.birth, 1980, 1, 1);
    jz_birth_init_exact (&b.birth, 1980, 2, 1);
    jz_dupscore (&a, &b, &today, reasons);
    age = g_strdup_printf (g_dgettext (GETTEXT_PACKAGE, "age %d"), 46);
    g_assert_true (has_reason (reasons, age));
  }

  /* jz-records.c: a sentence naming a record and a field (jz-schema.c). */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp ("jz-test-i18n-XXXXXX", &error);
    g_autofree char *path = NULL;
    g_autoptr(JzStore) store = NULL;
    g_autoptr(JzPerson) person = jz_person_new ();
    const JzEntity *entity = jz_schema_lookup ("person");

    g_assert_no_error (error);
    path = g_build_filename (dir, "station.db", NULL);
    store = jz_store_create (path, "320481-01", "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);
    g_assert_no_error (error);

    g_assert_cmpstr (jz_entity_get_display_name (entity), ==,
                     g_dpgettext2 (GETTEXT_PACKAGE, RECORD_IN_SENTENCE, "person"));
    g_assert_cmpstr (jz_field_get_display_name (jz_entity_get_field (entity, "birth_date")), ==,
                     g_dpgettext2 (GETTEXT_PACKAGE, FIELD_IN_SENTENCE, "birth date"));

    person->name = g_strdup ("王芳");
    person->sex = g_strdup ("female");
    person->birth_precision = g_strdup ("exact");
    person->birth_date = g_strdup ("2999-01-01");
    g_assert_false (jz_store_insert_person (store, person, &error));
    g_assert_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID);
    g_test_message ("%s", error->message);
    assert_message (error->message, &n, "The %s's %s %s is in the future; check the year",
                    g_dpgettext2 (GETTEXT_PACKAGE, RECORD_IN_SENTENCE, "person"),
                    g_dpgettext2 (GETTEXT_PACKAGE, FIELD_IN_SENTENCE, "birth date"),
                    "2999-01-01");

    g_clear_object (&store);
    remove_tree (dir);
  }

  return n;
}

static void
test_english (void)
{
  g_autoptr(GError) error = NULL;
  JzIdCard card;

  /* LANGUAGE is ignored in the C locale: the source strings. */
  setlocale (LC_ALL, "C");
  g_assert_cmpuint (check_messages (), ==, 0);

  g_assert_false (jz_idcard_parse ("", &card, &error));
  g_assert_cmpstr (error->message, ==,
                   "The ID number is empty; type the 18 digits on the card (the last may be X)");
}

/* In the child process. */
static void
test_in_language (void)
{
  guint n;

  /* C.UTF-8 is not "C": gettext honours LANGUAGE. */
  setlocale (LC_ALL, "C.UTF-8");
  if (g_getenv ("JIUZHU_LOCALEDIR") != NULL && g_str_has_prefix (language, "zh_CN"))
    {
      /* Proves the catalogue is found: this msgid has long been translated. */
      g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "Male"), ==, "男");
    }
  n = check_messages ();
  if (n == 0)
    g_test_message ("The core's messages are not translated into %s yet", language);
  else
    g_test_message ("%u of the core's messages checked are translated into %s", n, language);
}

static void
test_chinese (void)
{
  if (g_test_subprocess ())
    {
      g_setenv ("LANGUAGE", "zh_CN", TRUE);
      language = "zh_CN";
      test_in_language ();
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  const char *localedir = g_getenv ("JIUZHU_LOCALEDIR");

  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core-i18n/english", test_english);
  g_test_add_func ("/core-i18n/chinese", test_chinese);
  return g_test_run ();
}
