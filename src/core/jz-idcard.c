/* jz-idcard.c: resident ID numbers (GB 11643-1999), sex and birth dates
 *
 * An 18-digit number is 6 digits of region (GB/T 2260, the code at the
 * time of issue, so abolished codes are normal), 8 of birth date, 3 of
 * sequence (odd for men) and a check digit (ISO 7064 MOD 11-2). The
 * 15-digit numbers issued before 1999 lack the century and the check
 * digit; they convert by inserting "19".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-idcard"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jz-idcard.h"

G_DEFINE_QUARK (jz-idcard-error-quark, jz_idcard_error)

static const int weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
static const char check_chars[11] = "10X98765432";

static const struct { JzSex sex; const char *id; const char *label; } sexes[] = {
  { JZ_SEX_UNKNOWN, "unknown", N_("Unknown") },
  { JZ_SEX_MALE, "male", N_("Male") },
  { JZ_SEX_FEMALE, "female", N_("Female") },
};

static const char *precisions[] = { "unknown", "exact", "year", "estimated" };

const char *
jz_sex_to_string (JzSex sex)
{
  g_return_val_if_fail ((guint) sex < G_N_ELEMENTS (sexes), "unknown");
  return sexes[sex].id;
}

const char *
jz_sex_get_label (JzSex sex)
{
  g_return_val_if_fail ((guint) sex < G_N_ELEMENTS (sexes), NULL);
  return sexes[sex].label;
}

gboolean
jz_sex_from_string (const char *text,
                    JzSex      *out)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (sexes); i++)
    if (g_str_equal (text, sexes[i].id))
      {
        *out = sexes[i].sex;
        return TRUE;
      }
  return FALSE;
}

const char *
jz_date_precision_to_string (JzDatePrecision precision)
{
  g_return_val_if_fail ((guint) precision < G_N_ELEMENTS (precisions), "unknown");
  return precisions[precision];
}

gboolean
jz_date_precision_from_string (const char      *text,
                               JzDatePrecision *out)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (precisions); i++)
    if (g_str_equal (text, precisions[i]))
      {
        *out = (JzDatePrecision) i;
        return TRUE;
      }
  return FALSE;
}

void
jz_birth_init_unknown (JzBirth *birth)
{
  memset (birth, 0, sizeof *birth);
  g_date_clear (&birth->date, 1);
  g_date_clear (&birth->estimated_on, 1);
  birth->precision = JZ_DATE_PRECISION_UNKNOWN;
}

void
jz_birth_init_exact (JzBirth    *birth,
                     GDateYear   year,
                     GDateMonth  month,
                     GDateDay    day)
{
  jz_birth_init_unknown (birth);
  g_return_if_fail (g_date_valid_dmy (day, month, year));
  g_date_set_dmy (&birth->date, day, month, year);
  birth->precision = JZ_DATE_PRECISION_EXACT;
}

void
jz_birth_init_year (JzBirth   *birth,
                    GDateYear  year)
{
  jz_birth_init_unknown (birth);
  g_return_if_fail (g_date_valid_year (year));
  g_date_set_dmy (&birth->date, 1, G_DATE_JANUARY, year);
  birth->precision = JZ_DATE_PRECISION_YEAR;
}

void
jz_birth_init_estimated (JzBirth     *birth,
                         guint        age,
                         const GDate *on)
{
  jz_birth_init_unknown (birth);
  g_return_if_fail (on != NULL && g_date_valid (on));
  birth->estimated_age = age;
  birth->estimated_on = *on;
  birth->precision = JZ_DATE_PRECISION_ESTIMATED;
}

gboolean
jz_birth_is_known (const JzBirth *birth)
{
  if (birth == NULL)
    return FALSE;
  switch (birth->precision)
    {
    case JZ_DATE_PRECISION_EXACT:
    case JZ_DATE_PRECISION_YEAR:
      return g_date_valid (&birth->date);
    case JZ_DATE_PRECISION_ESTIMATED:
      return g_date_valid (&birth->estimated_on);
    case JZ_DATE_PRECISION_UNKNOWN:
    default:
      return FALSE;
    }
}

/* Completed years from @from to @to; a 29 February birthday counts on
 * 1 March in common years, as Chinese practice and most law do. */
static int
years_between (const GDate *from,
               const GDate *to)
{
  int years = (int) g_date_get_year (to) - (int) g_date_get_year (from);

  if (g_date_get_month (to) < g_date_get_month (from) ||
      (g_date_get_month (to) == g_date_get_month (from) &&
       g_date_get_day (to) < g_date_get_day (from)))
    years--;
  return years;
}

int
jz_birth_age_at (const JzBirth *birth,
                 const GDate   *at)
{
  g_return_val_if_fail (at != NULL && g_date_valid (at), -1);

  if (!jz_birth_is_known (birth))
    return -1;

  switch (birth->precision)
    {
    case JZ_DATE_PRECISION_EXACT:
      if (g_date_compare (at, &birth->date) < 0)
        return -1;
      return years_between (&birth->date, at);

    case JZ_DATE_PRECISION_YEAR:
      {
        GDate mid;

        if (g_date_get_year (at) < g_date_get_year (&birth->date))
          return -1;
        g_date_set_dmy (&mid, 1, G_DATE_JULY, g_date_get_year (&birth->date));
        return MAX (0, years_between (&mid, at));
      }

    case JZ_DATE_PRECISION_ESTIMATED:
      {
        int age;

        /* The estimate was "about N" on that day: the person turns N+1
         * a year later, whatever the real birthday. */
        if (g_date_compare (at, &birth->estimated_on) >= 0)
          age = (int) birth->estimated_age + years_between (&birth->estimated_on, at);
        else
          age = (int) birth->estimated_age - years_between (at, &birth->estimated_on);
        return age < 0 ? -1 : age;
      }

    case JZ_DATE_PRECISION_UNKNOWN:
    default:
      return -1;
    }
}

gboolean
jz_birth_age_range_at (const JzBirth *birth,
                       const GDate   *at,
                       int           *min_age,
                       int           *max_age)
{
  int lo, hi;

  g_return_val_if_fail (at != NULL && g_date_valid (at), FALSE);

  if (!jz_birth_is_known (birth))
    return FALSE;

  switch (birth->precision)
    {
    case JZ_DATE_PRECISION_EXACT:
      lo = hi = jz_birth_age_at (birth, at);
      if (lo < 0)
        return FALSE;
      break;

    case JZ_DATE_PRECISION_YEAR:
      {
        GDate last;

        if (g_date_get_year (at) < g_date_get_year (&birth->date))
          return FALSE;
        g_date_set_dmy (&last, 31, G_DATE_DECEMBER, g_date_get_year (&birth->date));
        /* Born 1 January at the oldest, 31 December at the youngest. */
        hi = years_between (&birth->date, at);
        lo = g_date_compare (at, &last) >= 0 ? years_between (&last, at) : 0;
        hi = MAX (hi, 0);
      }
      break;

    case JZ_DATE_PRECISION_ESTIMATED:
      {
        int age = jz_birth_age_at (birth, at);
        int spread = birth->estimated_age < 18 ? 2 : 5;

        if (age < 0)
          return FALSE;
        lo = MAX (0, age - spread);
        hi = age + spread;
      }
      break;

    case JZ_DATE_PRECISION_UNKNOWN:
    default:
      return FALSE;
    }

  if (min_age)
    *min_age = lo;
  if (max_age)
    *max_age = hi;
  return TRUE;
}

char
jz_idcard_check_digit (const char *first17)
{
  int sum = 0;

  g_return_val_if_fail (first17 != NULL, '?');

  for (int i = 0; i < 17; i++)
    {
      g_return_val_if_fail (g_ascii_isdigit (first17[i]), '?');
      sum += (first17[i] - '0') * weights[i];
    }
  return check_chars[sum % 11];
}

char *
jz_idcard_abbreviate (const char *text)
{
  GString *s = g_string_new (NULL);

  for (const char *p = text; p && *p && s->len < 4; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (s, g_ascii_toupper (*p));
  if (text && strlen (text) > s->len)
    g_string_append (s, "…");
  return g_string_free (s, FALSE);
}

/* The local zone is looked up once: g_date_time_new_now_local () reads
 * /etc/localtime (a readlink and two stats) on every call, twice per
 * person in an import. */
static void
today_local (GDate *out)
{
  static gsize once;
  static GTimeZone *local;
  g_autoptr(GDateTime) now = NULL;

  if (g_once_init_enter (&once))
    {
      local = g_time_zone_new_local ();
      g_once_init_leave (&once, 1);
    }
  now = g_date_time_new_now (local);

  g_date_clear (out, 1);
  g_date_set_dmy (out, g_date_time_get_day_of_month (now),
                  g_date_time_get_month (now), g_date_time_get_year (now));
}

gboolean
jz_idcard_parse (const char  *text,
                 JzIdCard    *out,
                 GError     **error)
{
  return jz_idcard_parse_at (text, NULL, out, error);
}

gboolean
jz_idcard_parse_at (const char   *text,
                    const GDate  *today,
                    JzIdCard     *out,
                    GError      **error)
{
  char digits[19] = { 0, };
  g_autofree char *abbrev = NULL;
  gsize n = 0;
  int year, month, day;
  GDate now;
  JzIdCard card = { 0, };

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  abbrev = jz_idcard_abbreviate (text);

  /* People copy numbers from forms printed as "320481 19800101 0012". */
  for (const char *p = text; p && *p; p++)
    {
      if (*p == ' ' || *p == '-' || *p == '\t')
        continue;
      if (!g_ascii_isdigit (*p) && *p != 'x' && *p != 'X')
        {
          g_set_error (error, JZ_IDCARD_ERROR, JZ_IDCARD_ERROR_CHARACTER,
                       /* Translators: %s is the start of the number typed, e.g. "3204…"
                        * (never the whole number: messages may be logged). */
                       _("The ID number %s contains a character that is not a digit; type the 18 digits (the last may be X)"),
                       abbrev);
          return FALSE;
        }
      if (n < 18)
        digits[n] = g_ascii_toupper (*p);
      n++;
    }

  if (n == 0)
    {
      g_set_error (error, JZ_IDCARD_ERROR, JZ_IDCARD_ERROR_EMPTY,
                   _("The ID number is empty; type the 18 digits on the card (the last may be X)"));
      return FALSE;
    }
  if (n > 18)
    {
      g_set_error (error, JZ_IDCARD_ERROR, JZ_IDCARD_ERROR_LENGTH,
                   /* Translators: %s is the start of the number typed, e.g. "3204…". */
                   _("The ID number %s has more than 18 digits; check for a doubled digit"),
                   abbrev);
      return FALSE;
    }
  if (n != 18 && n != 15)
    {
      g_set_error (error, JZ_IDCARD_ERROR, JZ_IDCARD_ERROR_LENGTH,
                   g_dngettext (GETTEXT_PACKAGE,
                                /* Translators: %s is the start of the number typed, e.g. "3204…";
                                 * %u is how many digits were typed (fewer than 18). */
                                "The ID number %s has %u digit; it should have 18 (or 15 on a card issued before 1999)",
                                "The ID number %s has %u digits; it should have 18 (or 15 on a card issued before 1999)",
                                n),
                   abbrev, (guint) n);
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    if (digits[i] == 'X' && !(n == 18 && i == 17))
      {
        if (n == 15)
          g_set_error (error, JZ_IDCARD_ERROR, JZ_IDCARD_ERROR_CHARACTER,
                       _("The ID number %s has an X but a 15-digit number is digits only"),
                       abbrev);
        else
          g_set_error (error, JZ_IDCARD_ERROR, JZ_IDCARD_ERROR_CHARACTER,
                       _("The ID number %s has an X before the end; only the last character may be X"),
                       abbrev);
        return FALSE;
      }

  if (n == 15)
    {
      memcpy (card.legacy, digits, 15);
      memcpy (card.number, digits, 6);
      memcpy (card.number + 6, "19", 2);
      memcpy (card.number + 8, digits + 6, 9);
      card.number[17] = jz_idcard_check_digit (card.number);
    }
  else
    memcpy (card.number, digits, 18);

  memcpy (card.region_code, card.number, 6);

  year = (card.number[6] - '0') * 1000 + (card.number[7] - '0') * 100 +
         (card.number[8] - '0') * 10 + (card.number[9] - '0');
  month = (card.number[10] - '0') * 10 + (card.number[11] - '0');
  day = (card.number[12] - '0') * 10 + (card.number[13] - '0');

  if (today != NULL)
    now = *today;
  else
    today_local (&now);

  g_date_clear (&card.birth_date, 1);
  if (year < 1900)
    {
      /* Nobody born before 1900 is alive; the digits are wrong. */
      g_set_error (error, JZ_IDCARD_ERROR, JZ_IDCARD_ERROR_BIRTH_DATE,
                   /* Translators: %s is the start of the number, %d the year it gives. */
                   _("The ID number %s gives a birth year before 1900 (%d); check digits 7–10"),
                   abbrev, year);
      return FALSE;
    }
  if (!g_date_valid_dmy (day, month, year))
    {
      g_set_error (error, JZ_IDCARD_ERROR, JZ_IDCARD_ERROR_BIRTH_DATE,
                   /* Translators: %s is the start of the number, %.8s the eight
                    * digits that should be a birth date (YYYYMMDD). */
                   _("The ID number %s has no real birth date in digits 7–14 (%.8s); check those digits"),
                   abbrev, card.number + 6);
      return FALSE;
    }
  g_date_set_dmy (&card.birth_date, day, month, year);
  if (g_date_compare (&card.birth_date, &now) > 0)
    {
      g_set_error (error, JZ_IDCARD_ERROR, JZ_IDCARD_ERROR_BIRTH_DATE,
                   /* Translators: the %04d-%02d-%02d are the year, month and day. */
                   _("The ID number %s gives a birth date in the future (%04d-%02d-%02d); check digits 7–14"),
                   abbrev, year, month, day);
      return FALSE;
    }

  if (n == 18)
    {
      char expected = jz_idcard_check_digit (card.number);

      if (expected != card.number[17])
        {
          g_set_error (error, JZ_IDCARD_ERROR, JZ_IDCARD_ERROR_CHECK_DIGIT,
                       /* Translators: the first %c is the check digit computed from
                        * the first 17 digits, the second the last digit typed. */
                       _("The ID number %s has a wrong check digit; the last digit should be %c. "
                         "If the card shows %c, another digit was mistyped: check them all"),
                       abbrev, expected, card.number[17]);
          return FALSE;
        }
    }

  card.sex = ((card.number[16] - '0') % 2) ? JZ_SEX_MALE : JZ_SEX_FEMALE;
  card.region = jz_regions_lookup (card.region_code);

  *out = card;
  return TRUE;
}

gboolean
jz_idcard_is_valid (const char *text)
{
  JzIdCard card;

  return jz_idcard_parse (text, &card, NULL);
}

char *
jz_idcard_normalize (const char *text)
{
  JzIdCard card;

  if (!jz_idcard_parse (text, &card, NULL))
    return NULL;
  return g_strdup (card.number);
}

GPtrArray *
jz_idcard_get_warnings (const JzIdCard *card)
{
  GPtrArray *warnings = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (card != NULL, warnings);

  if (card->region == NULL)
    g_ptr_array_add (warnings,
                     /* Translators: %s is a 6-digit 行政区划代码. */
                     g_strdup_printf (_("The region code %s at the start of the ID number is not in the GB/T 2260 table; "
                                        "the number may be mistyped, or the table may lack an old code"),
                                      card->region_code));
  else if (card->region->abolished)
    g_ptr_array_add (warnings,
                     /* Translators: a 6-digit code and the region's name. */
                     g_strdup_printf (_("The region code %s (%s) has been abolished; that is normal for an older card"),
                                      card->region_code, card->region->name));
  return warnings;
}

gboolean
jz_idcard_compare (const JzIdCard *card,
                   const JzBirth  *typed_birth,
                   JzSex           typed_sex,
                   const GDate    *today,
                   GPtrArray      *warnings)
{
  gboolean same = TRUE;
  GDate now;

  g_return_val_if_fail (card != NULL, FALSE);
  g_return_val_if_fail (warnings != NULL, FALSE);

  if (today != NULL)
    now = *today;
  else
    today_local (&now);

  if (typed_sex != JZ_SEX_UNKNOWN && typed_sex != card->sex)
    {
      same = FALSE;
      /* typed_sex is known and differs, so it is the other one. */
      g_ptr_array_add (warnings,
                       g_strdup (card->sex == JZ_SEX_MALE
                                 ? _("The ID number is a man's but the sex entered is female; check both")
                                 : _("The ID number is a woman's but the sex entered is male; check both")));
    }

  if (jz_birth_is_known (typed_birth))
    {
      char id_date[11];

      g_snprintf (id_date, sizeof id_date, "%04d-%02d-%02d",
                  g_date_get_year (&card->birth_date), g_date_get_month (&card->birth_date),
                  g_date_get_day (&card->birth_date));

      switch (typed_birth->precision)
        {
        case JZ_DATE_PRECISION_EXACT:
          if (g_date_compare (&typed_birth->date, &card->birth_date) != 0)
            {
              same = FALSE;
              g_ptr_array_add (warnings,
                               /* Translators: %s is the date in the number (YYYY-MM-DD),
                                * the %04d-%02d-%02d the date typed. */
                               g_strdup_printf (_("The ID number gives the birth date %s but %04d-%02d-%02d was entered; check both"),
                                                id_date, g_date_get_year (&typed_birth->date),
                                                g_date_get_month (&typed_birth->date),
                                                g_date_get_day (&typed_birth->date)));
            }
          break;

        case JZ_DATE_PRECISION_YEAR:
          if (g_date_get_year (&typed_birth->date) != g_date_get_year (&card->birth_date))
            {
              same = FALSE;
              g_ptr_array_add (warnings,
                               /* Translators: %s is the date in the number (YYYY-MM-DD),
                                * %d the year typed. */
                               g_strdup_printf (_("The ID number gives the birth date %s but the birth year %d was entered; check both"),
                                                id_date, g_date_get_year (&typed_birth->date)));
            }
          break;

        case JZ_DATE_PRECISION_ESTIMATED:
          {
            JzBirth id_birth;
            int lo, hi, age;

            /* An estimate is only worth a warning when the card is far
             * outside it: the person may look older than they are. */
            jz_birth_init_exact (&id_birth, g_date_get_year (&card->birth_date),
                                 g_date_get_month (&card->birth_date),
                                 g_date_get_day (&card->birth_date));
            age = jz_birth_age_at (&id_birth, &now);
            if (age >= 0 && jz_birth_age_range_at (typed_birth, &now, &lo, &hi) &&
                (age < lo || age > hi))
              {
                same = FALSE;
                g_ptr_array_add (warnings,
                                 /* Translators: %s is the date in the number (YYYY-MM-DD), the
                                  * first %d the age it gives, the second the estimated age. */
                                 g_strdup_printf (_("The ID number gives the birth date %s (age %d) but the age was estimated at about %d; check whose card this is"),
                                                  id_date, age, jz_birth_age_at (typed_birth, &now)));
              }
          }
          break;

        case JZ_DATE_PRECISION_UNKNOWN:
        default:
          break;
        }
    }

  return same;
}
