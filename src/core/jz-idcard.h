/* jz-idcard.h: resident ID numbers (GB 11643-1999), sex and birth dates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "jz-regions.h"

G_BEGIN_DECLS

/* Sex as recorded. Stable string ids: "unknown", "male", "female". */
typedef enum
{
  JZ_SEX_UNKNOWN,
  JZ_SEX_MALE,
  JZ_SEX_FEMALE,
} JzSex;

const char *jz_sex_to_string   (JzSex        sex);
gboolean    jz_sex_from_string (const char  *text,
                                JzSex       *out);
const char *jz_sex_get_label   (JzSex        sex); /* English, N_() marked */

/* How much of a birth date is known. Stable string ids: "unknown",
 * "exact", "year", "estimated" (目测年龄: an age guessed on a date). */
typedef enum
{
  JZ_DATE_PRECISION_UNKNOWN,
  JZ_DATE_PRECISION_EXACT,
  JZ_DATE_PRECISION_YEAR,
  JZ_DATE_PRECISION_ESTIMATED,
} JzDatePrecision;

const char *jz_date_precision_to_string   (JzDatePrecision  precision);
gboolean    jz_date_precision_from_string (const char      *text,
                                           JzDatePrecision *out);

/* A birth date with its precision. EXACT: @date. YEAR: only
 * g_date_get_year (@date) counts (store it as 1 January). ESTIMATED:
 * @estimated_age years old on @estimated_on. */
typedef struct
{
  JzDatePrecision precision;
  GDate           date;
  guint           estimated_age;
  GDate           estimated_on;
} JzBirth;

void     jz_birth_init_unknown    (JzBirth       *birth);
void     jz_birth_init_exact      (JzBirth       *birth,
                                   GDateYear      year,
                                   GDateMonth     month,
                                   GDateDay       day);
void     jz_birth_init_year       (JzBirth       *birth,
                                   GDateYear      year);
void     jz_birth_init_estimated  (JzBirth       *birth,
                                   guint          age,
                                   const GDate   *on);
gboolean jz_birth_is_known        (const JzBirth *birth);

/* The person's age on @at: the best single guess (a YEAR birth is taken
 * as 1 July, an estimate moves on with time). Returns -1 when unknown or
 * when @at is before the birth. */
int      jz_birth_age_at          (const JzBirth *birth,
                                   const GDate   *at);
/* The range the age surely lies in on @at: exact ages give min == max; a
 * YEAR birth spans one year; an estimate ±2 years under 18, ±5 above
 * (eyes are better at children's ages). FALSE when unknown. */
gboolean jz_birth_age_range_at    (const JzBirth *birth,
                                   const GDate   *at,
                                   int           *min_age,
                                   int           *max_age);

#define JZ_IDCARD_ERROR (jz_idcard_error_quark ())
GQuark jz_idcard_error_quark (void);

typedef enum
{
  JZ_IDCARD_ERROR_EMPTY,
  JZ_IDCARD_ERROR_LENGTH,
  JZ_IDCARD_ERROR_CHARACTER,
  JZ_IDCARD_ERROR_BIRTH_DATE,
  JZ_IDCARD_ERROR_CHECK_DIGIT,
} JzIdCardError;

typedef struct
{
  char            number[19];      /* the 18-digit number, "X" upper case */
  char            legacy[16];      /* the 15-digit number typed, or "" */
  char            region_code[7];
  GDate           birth_date;
  JzSex           sex;
  const JzRegion *region;          /* NULL: code not in GB/T 2260 (a warning) */
} JzIdCard;

/* Parses an 18-digit or legacy 15-digit number. Spaces and dashes
 * between digit groups are ignored; a lower-case x is accepted. The
 * birth date must be a real date between 1900-01-01 and today.
 * An unknown region code is not an error: see jz_idcard_get_warnings(). */
gboolean   jz_idcard_parse            (const char      *text,
                                       JzIdCard        *out,
                                       GError         **error);
/* Parses against "today" = @today (for tests); NULL = the real today in
 * the local time zone. */
gboolean   jz_idcard_parse_at         (const char      *text,
                                       const GDate     *today,
                                       JzIdCard        *out,
                                       GError         **error);
gboolean   jz_idcard_is_valid         (const char      *text);
/* The normalised 18-digit number (15-digit converted), or NULL. */
char      *jz_idcard_normalize        (const char      *text);
/* The check digit ('0'…'9' or 'X') of the first 17 digits. */
char       jz_idcard_check_digit      (const char      *first17);

/* Warnings about a valid number (unknown or abolished region), as
 * translated sentences (gettext domain "jiuzhu"); empty array when there
 * are none. */
GPtrArray *jz_idcard_get_warnings     (const JzIdCard  *card);

/* Compares what was typed with what the number implies. @typed_birth may
 * be NULL or unknown, @typed_sex JZ_SEX_UNKNOWN; @today is for estimated
 * ages (NULL = real today). Appends translated warnings to @warnings (a
 * GPtrArray of char*, g_free) and returns TRUE when nothing disagrees.
 * A mismatch is a warning, never an error: the number or the typing can
 * be wrong. */
gboolean   jz_idcard_compare          (const JzIdCard  *card,
                                       const JzBirth   *typed_birth,
                                       JzSex            typed_sex,
                                       const GDate     *today,
                                       GPtrArray       *warnings);

/* "3201…" for messages: never the whole number in text that may be logged. */
char      *jz_idcard_abbreviate       (const char      *text);

G_END_DECLS
