/* test-idcard.c: GB 11643 ID numbers, birth dates with precision
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>

#include "jz-cli.h"
#include "jz-idcard.h"

static GDate today;

static void
set_today (void)
{
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, 22, G_DATE_NOVEMBER, 2026);
}

/* The examples printed in GB 11643-1999 itself. */
static void
test_standard_examples (void)
{
  g_autoptr(GError) error = NULL;
  JzIdCard card;

  g_assert_true (jz_idcard_parse_at ("11010519491231002X", &today, &card, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (card.number, ==, "11010519491231002X");
  g_assert_cmpstr (card.legacy, ==, "");
  g_assert_cmpstr (card.region_code, ==, "110105");
  g_assert_cmpint (g_date_get_year (&card.birth_date), ==, 1949);
  g_assert_cmpint (g_date_get_month (&card.birth_date), ==, 12);
  g_assert_cmpint (g_date_get_day (&card.birth_date), ==, 31);
  g_assert_cmpint (card.sex, ==, JZ_SEX_FEMALE);
  g_assert_nonnull (card.region);
  g_assert_cmpstr (card.region->name, ==, "朝阳区");

  /* The other example, 440524188001010014, has a correct check digit but
   * a birth year of 1880: nobody alive, so we refuse it. */
  g_assert_cmpint (jz_idcard_check_digit ("44052418800101001"), ==, '4');
  g_assert_false (jz_idcard_parse_at ("440524188001010014", &today, &card, &error));
  g_assert_error (error, JZ_IDCARD_ERROR, JZ_IDCARD_ERROR_BIRTH_DATE);
  g_assert_nonnull (strstr (error->message, "before 1900"));
}

static void
test_lowercase_x (void)
{
  JzIdCard card;
  g_autofree char *norm = NULL;

  g_assert_true (jz_idcard_parse_at ("11010519491231002x", &today, &card, NULL));
  g_assert_cmpstr (card.number, ==, "11010519491231002X");
  norm = jz_idcard_normalize ("110105 19491231 002x");
  g_assert_cmpstr (norm, ==, "11010519491231002X");
  g_assert_true (jz_idcard_is_valid ("110105-19491231-002X"));
}

static void
test_legacy_15 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *norm = NULL;
  JzIdCard card;

  g_assert_true (jz_idcard_parse_at ("130503670401001", &today, &card, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (card.number, ==, "130503196704010016");
  g_assert_cmpstr (card.legacy, ==, "130503670401001");
  g_assert_cmpint (g_date_get_year (&card.birth_date), ==, 1967);
  g_assert_cmpint (g_date_get_month (&card.birth_date), ==, 4);
  g_assert_cmpint (g_date_get_day (&card.birth_date), ==, 1);
  g_assert_cmpint (card.sex, ==, JZ_SEX_MALE);

  norm = jz_idcard_normalize ("130503670401001");
  g_assert_cmpstr (norm, ==, "130503196704010016");

  /* The 18-digit form of the same person is valid too. */
  g_assert_true (jz_idcard_parse_at ("130503196704010016", &today, &card, NULL));

  g_assert_false (jz_idcard_parse_at ("13050367040100X", &today, &card, &error));
  g_assert_error (error, JZ_IDCARD_ERROR, JZ_IDCARD_ERROR_CHARACTER);
  g_clear_error (&error);

  /* 15 digits with an impossible date. */
  g_assert_false (jz_idcard_parse_at ("130503670231001", &today, &card, &error));
  g_assert_error (error, JZ_IDCARD_ERROR, JZ_IDCARD_ERROR_BIRTH_DATE);
}

static void
test_check_digit (void)
{
  g_autoptr(GError) error = NULL;
  JzIdCard card;

  /* Every check value, including X and 0 (mod 11 = 2 and 1). */
  g_assert_cmpint (jz_idcard_check_digit ("11010519491231002"), ==, 'X');
  g_assert_cmpint (jz_idcard_check_digit ("13050319670401001"), ==, '6');

  g_assert_false (jz_idcard_parse_at ("110105194912310021", &today, &card, &error));
  g_assert_error (error, JZ_IDCARD_ERROR, JZ_IDCARD_ERROR_CHECK_DIGIT);
  g_assert_nonnull (strstr (error->message, "should be X"));
  /* The message names the number by its first digits only. */
  g_assert_nonnull (strstr (error->message, "1101…"));
  g_assert_null (strstr (error->message, "19491231"));
  g_clear_error (&error);

  /* One mistyped digit in the middle is caught by the check digit. */
  g_assert_false (jz_idcard_parse_at ("11010519491231012X", &today, &card, &error));
  g_assert_error (error, JZ_IDCARD_ERROR, JZ_IDCARD_ERROR_CHECK_DIGIT);
  g_clear_error (&error);

  /* Two adjacent digits swapped. */
  g_assert_false (jz_idcard_parse_at ("11001519491231002X", &today, &card, &error));
  g_assert_error (error, JZ_IDCARD_ERROR, JZ_IDCARD_ERROR_CHECK_DIGIT);
}

static void
test_length_and_characters (void)
{
  static const struct { const char *text; int code; } cases[] = {
    { "", JZ_IDCARD_ERROR_EMPTY },
    { "   ", JZ_IDCARD_ERROR_EMPTY },
    { "1101051949123100", JZ_IDCARD_ERROR_LENGTH },
    { "11010519491231002X1", JZ_IDCARD_ERROR_LENGTH },
    { "12345", JZ_IDCARD_ERROR_LENGTH },
    { "1101051949123100２X", JZ_IDCARD_ERROR_CHARACTER },   /* full-width digit */
    { "11010519491231002Y", JZ_IDCARD_ERROR_CHARACTER },
    { "X1010519491231002X", JZ_IDCARD_ERROR_CHARACTER },
    { "1101051949123100XX", JZ_IDCARD_ERROR_CHARACTER },
    { "11010519491231002X.", JZ_IDCARD_ERROR_CHARACTER },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      JzIdCard card;

      g_test_message ("case %u", i);
      g_assert_false (jz_idcard_parse_at (cases[i].text, &today, &card, &error));
      g_assert_error (error, JZ_IDCARD_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, !=, "");
    }
  g_assert_false (jz_idcard_parse_at (NULL, &today, &(JzIdCard) { 0 }, NULL));
}

static char *
make_number (const char *first17)
{
  return g_strdup_printf ("%s%c", first17, jz_idcard_check_digit (first17));
}

static void
test_birth_dates (void)
{
  static const struct { const char *first17; gboolean ok; } cases[] = {
    { "32048120000229001", TRUE },    /* leap day in a leap century year */
    { "32048119000228001", TRUE },    /* the earliest year accepted */
    { "32048119000229001", FALSE },   /* 1900 was not a leap year */
    { "32048119990229001", FALSE },
    { "32048119991301001", FALSE },   /* month 13 */
    { "32048119990001001", FALSE },   /* month 0 */
    { "32048119990100001", FALSE },   /* day 0 */
    { "32048119990431001", FALSE },   /* 31 April */
    { "32048118991231001", FALSE },   /* before 1900 */
    { "32048120261122001", TRUE },    /* born today */
    { "32048120261123001", FALSE },   /* tomorrow */
    { "32048130000101001", FALSE },   /* year 3000 */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *number = make_number (cases[i].first17);
      JzIdCard card;
      gboolean ok;

      g_test_message ("case %s", cases[i].first17);
      ok = jz_idcard_parse_at (number, &today, &card, &error);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (!ok)
        g_assert_error (error, JZ_IDCARD_ERROR, JZ_IDCARD_ERROR_BIRTH_DATE);
    }
}

static void
test_sex_digit (void)
{
  for (int d = 0; d <= 9; d++)
    {
      g_autofree char *first17 = g_strdup_printf ("3204811980010100%d", d);
      g_autofree char *number = make_number (first17);
      JzIdCard card;

      g_assert_true (jz_idcard_parse_at (number, &today, &card, NULL));
      g_assert_cmpint (card.sex, ==, d % 2 ? JZ_SEX_MALE : JZ_SEX_FEMALE);
    }
}

static void
test_regions (void)
{
  g_autoptr(GPtrArray) w1 = NULL;
  g_autoptr(GPtrArray) w2 = NULL;
  g_autoptr(GPtrArray) w3 = NULL;
  g_autofree char *abolished = make_number ("44052419800101001");   /* 潮阳县, abolished */
  g_autofree char *unknown = make_number ("99999919800101001");
  JzIdCard card;

  g_assert_true (jz_idcard_parse_at ("11010519491231002X", &today, &card, NULL));
  w1 = jz_idcard_get_warnings (&card);
  g_assert_cmpuint (w1->len, ==, 0);

  g_assert_true (jz_idcard_parse_at (abolished, &today, &card, NULL));
  g_assert_nonnull (card.region);
  g_assert_true (card.region->abolished);
  w2 = jz_idcard_get_warnings (&card);
  g_assert_cmpuint (w2->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (w2, 0), "abolished"));

  /* An unknown region is a warning, not an error. */
  g_assert_true (jz_idcard_parse_at (unknown, &today, &card, NULL));
  g_assert_null (card.region);
  w3 = jz_idcard_get_warnings (&card);
  g_assert_cmpuint (w3->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (w3, 0), "999999"));
}

static void
test_compare (void)
{
  g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func (g_free);
  JzIdCard card;
  JzBirth b;

  g_assert_true (jz_idcard_parse_at ("11010519491231002X", &today, &card, NULL));

  /* Nothing typed: nothing to disagree with. */
  g_assert_true (jz_idcard_compare (&card, NULL, JZ_SEX_UNKNOWN, &today, w));
  g_assert_cmpuint (w->len, ==, 0);

  jz_birth_init_exact (&b, 1949, 12, 31);
  g_assert_true (jz_idcard_compare (&card, &b, JZ_SEX_FEMALE, &today, w));
  g_assert_cmpuint (w->len, ==, 0);

  g_assert_false (jz_idcard_compare (&card, &b, JZ_SEX_MALE, &today, w));
  g_assert_cmpuint (w->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (w, 0), "sex"));
  g_ptr_array_set_size (w, 0);

  jz_birth_init_exact (&b, 1949, 12, 13);
  g_assert_false (jz_idcard_compare (&card, &b, JZ_SEX_MALE, &today, w));
  g_assert_cmpuint (w->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (w, 1), "1949-12-31"));
  g_ptr_array_set_size (w, 0);

  jz_birth_init_year (&b, 1949);
  g_assert_true (jz_idcard_compare (&card, &b, JZ_SEX_UNKNOWN, &today, w));
  jz_birth_init_year (&b, 1950);
  g_assert_false (jz_idcard_compare (&card, &b, JZ_SEX_UNKNOWN, &today, w));
  g_assert_cmpuint (w->len, ==, 1);
  g_ptr_array_set_size (w, 0);

  /* Born 1949: 76 on today's date. Estimated 75 (±5) fits, 60 does not. */
  jz_birth_init_estimated (&b, 75, &today);
  g_assert_true (jz_idcard_compare (&card, &b, JZ_SEX_UNKNOWN, &today, w));
  jz_birth_init_estimated (&b, 60, &today);
  g_assert_false (jz_idcard_compare (&card, &b, JZ_SEX_UNKNOWN, &today, w));
  g_assert_cmpuint (w->len, ==, 1);
}

static void
test_ages (void)
{
  JzBirth b;
  GDate at, on;
  int lo, hi;

  g_date_clear (&at, 1);
  g_date_clear (&on, 1);

  jz_birth_init_unknown (&b);
  g_assert_false (jz_birth_is_known (&b));
  g_assert_cmpint (jz_birth_age_at (&b, &today), ==, -1);
  g_assert_false (jz_birth_age_range_at (&b, &today, &lo, &hi));

  jz_birth_init_exact (&b, 2010, 11, 22);
  g_assert_cmpint (jz_birth_age_at (&b, &today), ==, 16);
  g_date_set_dmy (&at, 21, 11, 2026);
  g_assert_cmpint (jz_birth_age_at (&b, &at), ==, 15);
  g_assert_true (jz_birth_age_range_at (&b, &at, &lo, &hi));
  g_assert_cmpint (lo, ==, 15);
  g_assert_cmpint (hi, ==, 15);
  g_date_set_dmy (&at, 1, 1, 2000);
  g_assert_cmpint (jz_birth_age_at (&b, &at), ==, -1);

  /* 29 February: a year older on 1 March of a common year. */
  jz_birth_init_exact (&b, 2008, 2, 29);
  g_date_set_dmy (&at, 28, 2, 2026);
  g_assert_cmpint (jz_birth_age_at (&b, &at), ==, 17);
  g_date_set_dmy (&at, 1, 3, 2026);
  g_assert_cmpint (jz_birth_age_at (&b, &at), ==, 18);
  g_date_set_dmy (&at, 29, 2, 2028);
  g_assert_cmpint (jz_birth_age_at (&b, &at), ==, 20);

  jz_birth_init_year (&b, 1980);
  g_assert_cmpint (jz_birth_age_at (&b, &today), ==, 46);
  g_assert_true (jz_birth_age_range_at (&b, &today, &lo, &hi));
  g_assert_cmpint (lo, ==, 45);
  g_assert_cmpint (hi, ==, 46);

  g_date_set_dmy (&on, 1, 6, 2020);
  jz_birth_init_estimated (&b, 40, &on);
  g_assert_cmpint (jz_birth_age_at (&b, &on), ==, 40);
  g_assert_cmpint (jz_birth_age_at (&b, &today), ==, 46);
  g_assert_true (jz_birth_age_range_at (&b, &today, &lo, &hi));
  g_assert_cmpint (lo, ==, 41);
  g_assert_cmpint (hi, ==, 51);
  g_date_set_dmy (&at, 1, 6, 2019);
  g_assert_cmpint (jz_birth_age_at (&b, &at), ==, 39);

  jz_birth_init_estimated (&b, 10, &today);
  g_assert_true (jz_birth_age_range_at (&b, &today, &lo, &hi));
  g_assert_cmpint (lo, ==, 8);
  g_assert_cmpint (hi, ==, 12);
}

static void
test_strings (void)
{
  JzSex sex;
  JzDatePrecision p;

  for (JzSex s = JZ_SEX_UNKNOWN; s <= JZ_SEX_FEMALE; s++)
    {
      g_assert_true (jz_sex_from_string (jz_sex_to_string (s), &sex));
      g_assert_cmpint (sex, ==, s);
      g_assert_nonnull (jz_sex_get_label (s));
    }
  g_assert_false (jz_sex_from_string ("M", &sex));
  g_assert_false (jz_sex_from_string (NULL, &sex));

  for (JzDatePrecision q = JZ_DATE_PRECISION_UNKNOWN; q <= JZ_DATE_PRECISION_ESTIMATED; q++)
    {
      g_assert_true (jz_date_precision_from_string (jz_date_precision_to_string (q), &p));
      g_assert_cmpint (p, ==, q);
    }
  g_assert_false (jz_date_precision_from_string ("approx", &p));
}

/* jiuzhu-cli id-check, run in a subprocess for its output and exit code. */
static void
run_cli (const char *arg1,
         const char *arg2)
{
  char *argv[] = { "jiuzhu-cli", "id-check", (char *) arg1, (char *) arg2, NULL };

  exit (jz_cli_main (arg2 ? 4 : arg1 ? 3 : 2, argv));
}

static void
test_cli (void)
{
  if (g_test_subprocess ())
    {
      const char *which = g_getenv ("JZ_TEST_CLI_CASE");

      if (g_str_equal (which, "valid"))
        run_cli ("11010519491231002x", NULL);
      else if (g_str_equal (which, "legacy"))
        run_cli ("130503", "670401001");
      else if (g_str_equal (which, "invalid"))
        run_cli ("110105194912310021", NULL);
      else if (g_str_equal (which, "abolished"))
        run_cli ("440524198001010013", NULL);
      else
        run_cli (NULL, NULL);
      return;
    }

  g_setenv ("JZ_TEST_CLI_CASE", "valid", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*valid:*yes*11010519491231002X*birth date:*1949-12-31*sex:*female*"
                             "region:*110105*北京市 朝阳区*");

  g_setenv ("JZ_TEST_CLI_CASE", "legacy", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*130503196704010016*15-digit*130503670401001*1967-04-01*male*");

  /* Not valid: exit status 1 and the reason. */
  g_setenv ("JZ_TEST_CLI_CASE", "invalid", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout ("*valid:*no*should be X*");

  g_setenv ("JZ_TEST_CLI_CASE", "abolished", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*潮阳县 (abolished code)*warning:*abolished*");

  g_setenv ("JZ_TEST_CLI_CASE", "usage", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*Usage:*id-check NUMBER*");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  set_today ();

  g_test_add_func ("/idcard/standard-examples", test_standard_examples);
  g_test_add_func ("/idcard/lowercase-x", test_lowercase_x);
  g_test_add_func ("/idcard/legacy-15", test_legacy_15);
  g_test_add_func ("/idcard/check-digit", test_check_digit);
  g_test_add_func ("/idcard/length-and-characters", test_length_and_characters);
  g_test_add_func ("/idcard/birth-dates", test_birth_dates);
  g_test_add_func ("/idcard/sex-digit", test_sex_digit);
  g_test_add_func ("/idcard/regions", test_regions);
  g_test_add_func ("/idcard/compare", test_compare);
  g_test_add_func ("/birth/ages", test_ages);
  g_test_add_func ("/birth/strings", test_strings);
  g_test_add_func ("/idcard/cli", test_cli);

  return g_test_run ();
}
