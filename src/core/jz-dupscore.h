/* jz-dupscore.h: how likely an intake is a person already on file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "jz-idcard.h"

G_BEGIN_DECLS

/* The fields compared, for the intake and for a person on file. Every
 * field may be NULL / unknown. */
typedef struct
{
  const char         *name;           /* as written; placeholders (无名氏…) are ignored */
  const char * const *aliases;        /* NULL-terminated, or NULL */
  const char         *pinyin;         /* JzPinyin.full of the name ("zhang wei"); NULL: computed */
  JzSex               sex;
  JzBirth             birth;
  const char         *region_code;    /* GB/T 2260 户籍地, 6 digits */
  const char         *id_number;      /* 18 or 15 digits; invalid ones are ignored */
  const char         *dialect;        /* free text, compared whole */
  const char         *features;       /* distinguishing marks, free text */
} JzDupPerson;

void       jz_dup_person_init     (JzDupPerson       *person);

/* Scores from 0 (surely someone else) to 100 (surely the same person)
 * and appends the reasons, short phrases such as "same ID number",
 * "pinyin zhang wei", "age 40–45", "same county" (translated with the
 * "jiuzhu" domain; English in the C locale), to @reasons (char*, g_free;
 * may be NULL), strongest first. @today is the day ages are compared on
 * (NULL = today). Pure: no store; the score never depends on the locale. */
int        jz_dupscore            (const JzDupPerson *intake,
                                   const JzDupPerson *existing,
                                   const GDate       *today,
                                   GPtrArray         *reasons);

/* Scores at or above this are worth showing as possible duplicates. */
#define JZ_DUPSCORE_SHOW_MIN 30

/* A scored candidate, for callers that rank several. */
typedef struct
{
  gpointer   data;       /* the caller's (e.g. a person id), not owned */
  int        score;
  GPtrArray *reasons;    /* char*, owned */
} JzDupMatch;

void       jz_dup_match_free      (JzDupMatch        *match);

/* Scores each of @n_candidates against @intake and returns a GPtrArray
 * of JzDupMatch (owned), best first, without those under @min_score.
 * @datas[i] is stored in the match of @candidates[i] (may be NULL). */
GPtrArray *jz_dupscore_rank       (const JzDupPerson *intake,
                                   const JzDupPerson *candidates,
                                   gpointer          *datas,
                                   guint              n_candidates,
                                   int                min_score,
                                   const GDate       *today);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzDupMatch, jz_dup_match_free)

G_END_DECLS
