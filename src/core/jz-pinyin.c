/* jz-pinyin.c: pinyin of personal names, for search and duplicate checks
 *
 * Readings come from ICU's "Han-Latin; Latin-ASCII" transliterator, one
 * character at a time, cached: a name is too short for ICU's phrase
 * context to matter, a character-wise reading is the same in every name
 * (so homophones compare equal), and the cache makes a million names at
 * import cheap. ICU transliterators are not thread-safe, so ICU is only
 * called under a mutex; cached readings are read without locking.
 *
 * ICU's own "Han-Latin/Names" knows some surname readings but applies
 * them to any character of the string and misses others (朴 piao, 缪 miao,
 * 覃 qin, 黑 he), so surnames are a table here, applied to the leading
 * character(s) only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-pinyin"

#include <string.h>
#include <unicode/utrans.h>
#include <unicode/ustring.h>

#include "jz-pinyin.h"

/* Surnames whose reading differs from the character's common one, and
 * compound surnames (复姓), which must be read as one unit. */
static const struct { const char *han; const char *reading; } surnames[] = {
  /* compound */
  { "欧阳", "ou yang" }, { "司马", "si ma" }, { "诸葛", "zhu ge" },
  { "上官", "shang guan" }, { "东方", "dong fang" }, { "皇甫", "huang fu" },
  { "尉迟", "yu chi" }, { "公孙", "gong sun" }, { "慕容", "mu rong" },
  { "长孙", "zhang sun" }, { "夏侯", "xia hou" }, { "轩辕", "xuan yuan" },
  { "令狐", "ling hu" }, { "宇文", "yu wen" }, { "司徒", "si tu" },
  { "端木", "duan mu" }, { "万俟", "mo qi" }, { "澹台", "tan tai" },
  { "呼延", "hu yan" }, { "闻人", "wen ren" }, { "赫连", "he lian" },
  { "申屠", "shen tu" }, { "南宫", "nan gong" }, { "钟离", "zhong li" },
  { "公冶", "gong ye" }, { "太史", "tai shi" }, { "濮阳", "pu yang" },
  { "淳于", "chun yu" }, { "司空", "si kong" }, { "仲孙", "zhong sun" },
  { "百里", "bai li" }, { "东郭", "dong guo" }, { "西门", "xi men" },
  { "拓跋", "tuo ba" }, { "独孤", "du gu" }, { "第五", "di wu" },
  { "乐正", "yue zheng" }, { "公羊", "gong yang" }, { "左丘", "zuo qiu" },
  { "鲜于", "xian yu" }, { "闾丘", "lu qiu" }, { "宗政", "zong zheng" },
  { "颛孙", "zhuan sun" }, { "漆雕", "qi diao" }, { "亓官", "qi guan" },
  { "司寇", "si kou" }, { "巫马", "wu ma" }, { "公西", "gong xi" },
  { "梁丘", "liang qiu" }, { "谷梁", "gu liang" }, { "羊舌", "yang she" },
  /* single characters read differently as a surname */
  { "单", "shan" }, { "曾", "zeng" }, { "仇", "qiu" }, { "解", "xie" },
  { "区", "ou" }, { "朴", "piao" }, { "查", "zha" }, { "盖", "ge" },
  { "华", "hua" }, { "任", "ren" }, { "乐", "yue" }, { "缪", "miao" },
  { "翟", "zhai" }, { "覃", "qin" }, { "黑", "he" }, { "重", "chong" },
  { "员", "yun" }, { "种", "chong" }, { "尉", "wei" }, { "召", "shao" },
  { "句", "gou" }, { "柏", "bai" }, { "秘", "bi" }, { "薄", "bo" },
  { "卜", "bu" }, { "阚", "kan" }, { "折", "she" }, { "祭", "zhai" },
  { "能", "nai" }, { "佴", "nai" }, { "隗", "wei" }, { "冼", "xian" },
  { "繁", "po" }, { "厍", "she" }, { "訾", "zi" }, { "乜", "nie" },
  { "莘", "shen" }, { "谌", "chen" }, { "过", "guo" }, { "沈", "shen" },
  { "贾", "jia" }, { "叶", "ye" }, { "石", "shi" }, { "长", "chang" },
  { "大", "da" }, { "都", "du" }, { "宿", "su" }, { "朝", "chao" },
  { "相", "xiang" }, { "车", "che" },
};

/* Readings of U+3400..U+9FFF (Extension A and the URO), filled lazily.
 * A slot is NULL until looked up, then an interned string ("" for "no
 * reading"). */
#define CACHE_FIRST 0x3400
#define CACHE_LAST  0x9FFF
static const char *cache[CACHE_LAST - CACHE_FIRST + 1];

static GMutex icu_lock;
static UTransliterator *icu_trans;   /* under icu_lock */
static GHashTable *other_cache;      /* gunichar → interned; under icu_lock */
static GHashTable *surname_table;    /* first char → GPtrArray of index; read-only once built */

static gboolean
is_han (gunichar c)
{
  return c == 0x3007 ||   /* 〇, as in 二〇〇八 */
         (c >= 0x3400 && c <= 0x9FFF) ||
         (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x323AF);
}

/* The lower-case ASCII letters and digits of ICU's reading. */
static const char *
icu_reading (gunichar c)
{
  UErrorCode status = U_ZERO_ERROR;
  UChar buf[64];
  int32_t len = 0, limit;
  char utf8[128];
  GString *out;

  if (icu_trans == NULL)
    {
      static const char id[] = "Han-Latin; Latin-ASCII";
      UChar uid[sizeof id];

      u_uastrcpy (uid, id);
      icu_trans = utrans_openU (uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &status);
      if (U_FAILURE (status))
        {
          g_critical ("ICU cannot open the Han-Latin transliterator (%s); pinyin will be empty",
                      u_errorName (status));
          icu_trans = NULL;
          return g_intern_static_string ("");
        }
    }

  U16_APPEND_UNSAFE (buf, len, c);
  limit = len;
  utrans_transUChars (icu_trans, buf, &len, G_N_ELEMENTS (buf), 0, &limit, &status);
  if (U_FAILURE (status))
    return g_intern_static_string ("");
  u_strToUTF8 (utf8, sizeof utf8, NULL, buf, len, &status);
  if (U_FAILURE (status))
    return g_intern_static_string ("");

  out = g_string_new (NULL);
  for (const char *p = utf8; *p; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (out, g_ascii_tolower (*p));
  {
    const char *interned = g_intern_string (out->str);
    g_string_free (out, TRUE);
    return interned;
  }
}

/* Readings for Han characters only: other scripts are not pinyin. */
const char *
jz_pinyin_of_char (gunichar c)
{
  const char *r;

  if (!is_han (c))
    return NULL;

  if (c >= CACHE_FIRST && c <= CACHE_LAST)
    {
      r = g_atomic_pointer_get (&cache[c - CACHE_FIRST]);
      if (r == NULL)
        {
          g_mutex_lock (&icu_lock);
          r = cache[c - CACHE_FIRST];
          if (r == NULL)
            {
              r = icu_reading (c);
              g_atomic_pointer_set (&cache[c - CACHE_FIRST], r);
            }
          g_mutex_unlock (&icu_lock);
        }
    }
  else
    {
      g_mutex_lock (&icu_lock);
      if (other_cache == NULL)
        other_cache = g_hash_table_new (NULL, NULL);
      r = g_hash_table_lookup (other_cache, GUINT_TO_POINTER (c));
      if (r == NULL)
        {
          r = icu_reading (c);
          g_hash_table_insert (other_cache, GUINT_TO_POINTER (c), (gpointer) r);
        }
      g_mutex_unlock (&icu_lock);
    }
  return *r ? r : NULL;
}

static gpointer
warm_up_thread (gpointer data)
{
  jz_pinyin_of_char (0x4E00); /* 一: opens the transliterator */
  return NULL;
}

void
jz_pinyin_warm_up (void)
{
  static gsize once;

  if (g_once_init_enter (&once))
    {
      g_thread_unref (g_thread_new ("jz-pinyin", warm_up_thread, NULL));
      g_once_init_leave (&once, 1);
    }
}

static GHashTable *
get_surnames (void)
{
  static gsize once;

  if (g_once_init_enter (&once))
    {
      surname_table = g_hash_table_new (NULL, NULL);
      for (guint i = 0; i < G_N_ELEMENTS (surnames); i++)
        {
          gunichar first = g_utf8_get_char (surnames[i].han);
          GSList *list = g_hash_table_lookup (surname_table, GUINT_TO_POINTER (first));

          /* Compound surnames are tried before the single character. */
          if (strlen (surnames[i].han) > 3)
            list = g_slist_prepend (list, GUINT_TO_POINTER (i + 1));
          else
            list = g_slist_append (list, GUINT_TO_POINTER (i + 1));
          g_hash_table_insert (surname_table, GUINT_TO_POINTER (first), list);
        }
      g_once_init_leave (&once, 1);
    }
  return surname_table;
}

const char *
jz_pinyin_surname_reading (const char *name,
                           guint      *n_chars)
{
  GSList *list;

  if (name == NULL)
    return NULL;
  while (*name == ' ')
    name++;

  list = g_hash_table_lookup (get_surnames (), GUINT_TO_POINTER (g_utf8_get_char_validated (name, -1)));
  for (GSList *l = list; l; l = l->next)
    {
      guint i = GPOINTER_TO_UINT (l->data) - 1;

      if (g_str_has_prefix (name, surnames[i].han))
        {
          if (n_chars)
            *n_chars = g_utf8_strlen (surnames[i].han, -1);
          return surnames[i].reading;
        }
    }
  return NULL;
}

static void
add_word (GString    *full,
          GString    *compact,
          GString    *initials,
          const char *word,
          gssize      len)
{
  if (len < 0)
    len = strlen (word);
  if (len == 0)
    return;
  if (full->len > 0)
    g_string_append_c (full, ' ');
  g_string_append_len (full, word, len);
  g_string_append_len (compact, word, len);
  g_string_append_c (initials, word[0]);
}

static JzPinyin *
pinyin_new (const char *text,
            gboolean    is_name)
{
  GString *full = g_string_sized_new (32);
  GString *compact = g_string_sized_new (32);
  GString *initials = g_string_sized_new (8);
  GString *word = g_string_sized_new (16);
  g_autofree char *folded = NULL;
  const char *p;
  JzPinyin *py;

  if (text == NULL)
    text = "";
  if (!g_utf8_validate (text, -1, NULL))
    text = "";

  /* NFKC turns full-width letters and digits into ASCII ones; a name of
   * ASCII and common CJK characters, the usual case, needs none. */
  for (p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x80 && !(c >= 0x3400 && c <= 0x9FFF))
        break;
    }
  if (*p)
    text = folded = g_utf8_normalize (text, -1, G_NORMALIZE_NFKC);

  p = text;
  while (*p == ' ')
    p++;

  if (is_name)
    {
      guint n = 0;
      const char *reading = jz_pinyin_surname_reading (p, &n);

      if (reading != NULL)
        {
          g_auto(GStrv) parts = g_strsplit (reading, " ", -1);

          for (guint i = 0; parts[i]; i++)
            add_word (full, compact, initials, parts[i], -1);
          p = g_utf8_offset_to_pointer (p, n);
        }
    }

  for (; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      const char *r;

      if (c < 0x80 && g_ascii_isalnum (c))
        {
          g_string_append_c (word, g_ascii_tolower (c));
          continue;
        }

      add_word (full, compact, initials, word->str, word->len);
      g_string_truncate (word, 0);

      r = jz_pinyin_of_char (c);
      if (r != NULL)
        add_word (full, compact, initials, r, -1);
      /* Anything else (spaces, ·, punctuation, other scripts) separates. */
    }
  add_word (full, compact, initials, word->str, word->len);
  g_string_free (word, TRUE);

  py = g_new (JzPinyin, 1);
  py->full = g_string_free (full, FALSE);
  py->compact = g_string_free (compact, FALSE);
  py->initials = g_string_free (initials, FALSE);
  return py;
}

JzPinyin *
jz_pinyin_new_for_name (const char *name)
{
  return pinyin_new (name, TRUE);
}

JzPinyin *
jz_pinyin_new_for_text (const char *text)
{
  return pinyin_new (text, FALSE);
}

void
jz_pinyin_free (JzPinyin *pinyin)
{
  if (pinyin == NULL)
    return;
  g_free (pinyin->full);
  g_free (pinyin->compact);
  g_free (pinyin->initials);
  g_free (pinyin);
}

char *
jz_pinyin_name_full (const char *name)
{
  JzPinyin *py = pinyin_new (name, TRUE);
  char *full = g_steal_pointer (&py->full);

  jz_pinyin_free (py);
  return full;
}

char *
jz_pinyin_normalize_query (const char *query)
{
  g_autofree char *decomposed = NULL;
  GString *out;

  if (query == NULL || !g_utf8_validate (query, -1, NULL))
    return g_strdup ("");

  /* NFKD splits tone marks off their vowels (and folds full width). */
  decomposed = g_utf8_normalize (query, -1, G_NORMALIZE_NFKD);
  out = g_string_sized_new (strlen (decomposed));

  for (const char *p = decomposed; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      const char *r;

      if (c < 0x80)
        {
          if (g_ascii_isalnum (c))
            g_string_append_c (out, g_ascii_tolower (c));
          continue;
        }
      r = jz_pinyin_of_char (c);
      if (r != NULL)
        g_string_append (out, r);
      /* Combining marks, punctuation, other scripts: dropped. */
    }

  /* ü is typed v; our pinyin writes it u. */
  for (gsize i = 1; i < out->len; i++)
    if (out->str[i] == 'v' && (out->str[i - 1] == 'l' || out->str[i - 1] == 'n'))
      out->str[i] = 'u';

  return g_string_free (out, FALSE);
}

/* Can @q be spelled by syllables[i], syllables[i+1]…, each contributing
 * a non-empty prefix? Greedy would fail on "zhangwei" vs "zh…" choices, so
 * try every prefix length; names are short. */
static gboolean
match_from (char      **syllables,
            guint       i,
            const char *q)
{
  const char *s;

  if (*q == '\0')
    return TRUE;
  if (syllables[i] == NULL)
    return FALSE;

  s = syllables[i];
  for (gsize k = 0; s[k] != '\0' && s[k] == q[k]; k++)
    if (match_from (syllables, i + 1, q + k + 1))
      return TRUE;
  return FALSE;
}

gboolean
jz_pinyin_matches (const char *full,
                   const char *query)
{
  g_auto(GStrv) syllables = NULL;

  if (full == NULL || query == NULL || *query == '\0')
    return FALSE;

  syllables = g_strsplit (full, " ", -1);
  for (guint i = 0; syllables[i]; i++)
    if (match_from (syllables, i, query))
      return TRUE;
  return FALSE;
}
