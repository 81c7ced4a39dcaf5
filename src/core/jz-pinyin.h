/* jz-pinyin.h: pinyin of personal names, for search and duplicate checks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A name's pinyin, ASCII, lower case, no tones (ü is written u):
 *   full      "zhang wei"   syllables and Latin words separated by one space
 *   compact   "zhangwei"
 *   initials  "zw"          the first letter (or digit) of each syllable/word
 * Latin letters and digits in the name stay as words ("无名氏12" gives
 * "wu ming shi 12"); punctuation such as the middle dot of minority names
 * separates words. A name without readable characters gives "" three times. */
typedef struct
{
  char *full;
  char *compact;
  char *initials;
} JzPinyin;

/* The pinyin of a personal name: the leading character(s) use the
 * surname reading (单 shan, 曾 zeng, 尉迟 yu chi, 万俟 mo qi …).
 * Thread-safe; fast after the first use of each character. */
JzPinyin *jz_pinyin_new_for_name  (const char     *name);
/* The pinyin of any text (aliases that are not names, places): every
 * character takes its common reading. */
JzPinyin *jz_pinyin_new_for_text  (const char     *text);
void      jz_pinyin_free          (JzPinyin       *pinyin);

/* Shortcuts returning only the full form ("zhang wei"). */
char     *jz_pinyin_name_full     (const char     *name);

/* The reading of one character (common reading, no surname rule), or
 * NULL when it has none. The string is interned: do not free. */
const char *jz_pinyin_of_char     (gunichar        c);

/* Opens ICU's transliterator in a thread of its own (once per process),
 * so that the first search or name typed does not wait the ~100 ms it
 * takes. The app calls it at startup. */
void      jz_pinyin_warm_up       (void);

/* The surname reading if @name starts with a surname that reads
 * differently from its common reading, else NULL. Sets @n_chars to the
 * surname's length in characters (1 or 2) when it is a known compound
 * surname or has a special reading. Interned string. */
const char *jz_pinyin_surname_reading (const char *name,
                                       guint      *n_chars);

/* A search query made comparable with JzPinyin.compact and .initials:
 * lower case, no spaces, apostrophes, dashes, dots or tone marks; "lv"
 * and "nv" (how people type ü) become "lu" and "nu"; Chinese characters
 * become their common pinyin. "Zhāng Wěi", "zhang wei", "ZhangWei" all
 * give "zhangwei"; "ZW" gives "zw". Digits are kept (they may be part of
 * a placeholder name), so tone numbers are not removed. */
char     *jz_pinyin_normalize_query (const char   *query);

/* TRUE if the normalised @query spells consecutive syllables of @full
 * (a JzPinyin.full), each by a prefix of at least one letter, starting at
 * any syllable: for "zhang wei", "zhangwei", "zw", "zhangw", "zwei",
 * "wei" and "zhan" match, "zhangwen" and "wz" do not. */
gboolean  jz_pinyin_matches       (const char     *full,
                                   const char     *query);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzPinyin, jz_pinyin_free)

G_END_DECLS
