/* jz-dupscore.c: how likely an intake is a person already on file
 *
 * Points add up from independent clues and the sum is clamped to 0–100.
 * The weights reflect how people arrive at a station: names are often
 * self-reported and may be false or misheard (hence homophones count),
 * ages are often guessed, the 户籍地 is what the person says; an ID
 * number with a valid check digit is the only near-proof, and a different
 * valid one, or a different sex, near-disproof.
 *
 *   same valid ID number                 → 100, whatever else
 *   different valid ID numbers           −80
 *   different sex                        −50   same sex  +5
 *   same name (or alias)                 +40
 *   same pinyin, other characters        +30   (homophones, misheard)
 *   pinyin one syllable apart (3+)       +12
 *   same initials only                   +5
 *   same birth date                      +25
 *   age ranges overlap                   +15 / +10 / +5 (narrow → wide)
 *   ages 3–5 years apart                 −10;  more  −25
 *   same county / prefecture / province  +15 / +10 / +5
 *   same dialect                         +5
 *   distinguishing features alike        +10 / +5
 *
 * The reasons are shown to staff, so they are translated (domain
 * "jiuzhu"); the scores never depend on the language.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-dupscore"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "jz-dupscore.h"
#include "jz-pinyin.h"

typedef struct
{
  int   points;
  char *text;
} Reason;

/* Names a station gives to someone who cannot say theirs. */
static const char *placeholder_prefixes[] = {
  "无名", "佚名", "未知", "不详", "不知", "某",
};

void
jz_dup_person_init (JzDupPerson *person)
{
  memset (person, 0, sizeof *person);
  jz_birth_init_unknown (&person->birth);
}

void
jz_dup_match_free (JzDupMatch *match)
{
  if (match == NULL)
    return;
  g_clear_pointer (&match->reasons, g_ptr_array_unref);
  g_free (match);
}

static void
add_reason (GArray     *reasons,
            int         points,
            const char *format,
            ...) G_GNUC_PRINTF (3, 4);

static void
add_reason (GArray     *reasons,
            int         points,
            const char *format,
            ...)
{
  Reason r = { points, NULL };
  va_list args;

  va_start (args, format);
  r.text = g_strdup_vprintf (format, args);
  va_end (args);
  g_array_append_val (reasons, r);
}

/* The name without spaces and the middle dots of minority names, or NULL
 * when there is no usable name. */
static char *
clean_name (const char *name)
{
  GString *s;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return NULL;

  s = g_string_new (NULL);
  for (const char *p = name; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || c == 0x00B7 || c == 0x30FB || c == 0x2022 || c == '.')
        continue;
      /* A number in a name is a station's placeholder (无名氏12). */
      if (g_unichar_isdigit (c))
        {
          g_string_free (s, TRUE);
          return NULL;
        }
      g_string_append_unichar (s, g_unichar_tolower (c));
    }

  for (guint i = 0; i < G_N_ELEMENTS (placeholder_prefixes); i++)
    if (g_str_has_prefix (s->str, placeholder_prefixes[i]))
      {
        g_string_free (s, TRUE);
        return NULL;
      }
  if (s->len == 0)
    {
      g_string_free (s, TRUE);
      return NULL;
    }
  return g_string_free (s, FALSE);
}

/* All usable names of a person: the name first, then the aliases. */
static GPtrArray *
names_of (const JzDupPerson *p)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  char *n = clean_name (p->name);

  g_ptr_array_add (names, n);   /* may be NULL: keeps index 0 for the name */
  for (guint i = 0; p->aliases != NULL && p->aliases[i] != NULL; i++)
    if ((n = clean_name (p->aliases[i])) != NULL)
      g_ptr_array_add (names, n);
  return names;
}

static char *
pinyin_of (const JzDupPerson *p,
           const char        *clean)
{
  if (clean == NULL)
    return NULL;
  if (p->pinyin != NULL && *p->pinyin != '\0')
    return g_ascii_strdown (p->pinyin, -1);
  return jz_pinyin_name_full (clean);
}

static char *
compact (const char *full)
{
  GString *s = g_string_new (NULL);

  for (const char *p = full; *p; p++)
    if (*p != ' ')
      g_string_append_c (s, *p);
  return g_string_free (s, FALSE);
}

static void
score_names (const JzDupPerson *a,
             const JzDupPerson *b,
             GArray            *reasons)
{
  g_autoptr(GPtrArray) na = names_of (a);
  g_autoptr(GPtrArray) nb = names_of (b);
  g_autofree char *pa = NULL;
  g_autofree char *pb = NULL;
  g_auto(GStrv) sa = NULL;
  g_auto(GStrv) sb = NULL;
  guint la, lb;

  /* Exact names, aliases included. */
  for (guint i = 0; i < na->len; i++)
    for (guint j = 0; j < nb->len; j++)
      {
        const char *x = g_ptr_array_index (na, i);
        const char *y = g_ptr_array_index (nb, j);

        if (x != NULL && y != NULL && g_str_equal (x, y))
          {
            if (i == 0 && j == 0)
              add_reason (reasons, 40, "%s", _("same name"));
            else
              /* Translators: a reason two records may be one person; %s is
               * the name one gave and the other has as an alias. */
              add_reason (reasons, 40, _("same name as an alias (%s)"), x);
            return;
          }
      }

  /* The main names' sound. */
  pa = pinyin_of (a, g_ptr_array_index (na, 0));
  pb = pinyin_of (b, g_ptr_array_index (nb, 0));
  if (pa == NULL || pb == NULL || *pa == '\0' || *pb == '\0')
    return;

  {
    g_autofree char *ca = compact (pa);
    g_autofree char *cb = compact (pb);

    if (g_str_equal (ca, cb))
      {
        /* Translators: a reason two records may be one person; %s is the
         * pinyin both names share, e.g. “pinyin zhang wei”. */
        add_reason (reasons, 30, _("pinyin %s"), pa);
        return;
      }
  }

  sa = g_strsplit (pa, " ", -1);
  sb = g_strsplit (pb, " ", -1);
  la = g_strv_length (sa);
  lb = g_strv_length (sb);
  if (la == lb && la >= 2)
    {
      guint differ = 0;
      gboolean same_initials = TRUE;

      for (guint i = 0; i < la; i++)
        {
          if (!g_str_equal (sa[i], sb[i]))
            differ++;
          if (sa[i][0] != sb[i][0])
            same_initials = FALSE;
        }
      if (differ == 1 && la >= 3)
        {
          /* Translators: a reason two records may be one person; the two
           * names' pinyin, one syllable apart, e.g. “pinyin wang xiu ying /
           * wang xiu lan”. */
          add_reason (reasons, 12, _("pinyin %s / %s"), pa, pb);
          return;
        }
      if (same_initials)
        {
          GString *ini = g_string_new (NULL);

          for (guint i = 0; i < la; i++)
            g_string_append_c (ini, sa[i][0]);
          /* Translators: a reason two records may be one person; the
           * pinyin initials both names share, e.g. “initials zw”. */
          add_reason (reasons, 5, _("initials %s"), ini->str);
          g_string_free (ini, TRUE);
        }
    }
}

static void
today_local (GDate *out)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  g_date_clear (out, 1);
  g_date_set_dmy (out, g_date_time_get_day_of_month (now),
                  g_date_time_get_month (now), g_date_time_get_year (now));
}

/* "41" or "40–45": numbers only, the words around them are translated. */
static char *
format_range (int lo,
              int hi)
{
  if (lo == hi)
    return g_strdup_printf ("%d", lo);
  return g_strdup_printf ("%d–%d", lo, hi);
}

static void
score_ages (const JzBirth *a,
            const JzBirth *b,
            const GDate   *today,
            GArray        *reasons)
{
  int alo, ahi, blo, bhi, lo, hi;

  if (!jz_birth_age_range_at (a, today, &alo, &ahi) ||
      !jz_birth_age_range_at (b, today, &blo, &bhi))
    return;

  if (a->precision == JZ_DATE_PRECISION_EXACT && b->precision == JZ_DATE_PRECISION_EXACT)
    {
      if (g_date_compare (&a->date, &b->date) == 0)
        {
          add_reason (reasons, 25, "%s", _("same birth date"));
          return;
        }
    }

  lo = MAX (alo, blo);
  hi = MIN (ahi, bhi);
  if (lo <= hi)
    {
      int width = MAX (ahi - alo, bhi - blo);
      int points = width <= 2 ? 15 : width <= 10 ? 10 : 5;

      if (lo == hi)
        /* Translators: a reason two records may be one person: both are
         * %d years old. */
        add_reason (reasons, points, _("age %d"), lo);
      else
        /* Translators: a reason two records may be one person: both ages
         * fit the range %d–%d years. */
        add_reason (reasons, points, _("age %d–%d"), lo, hi);
    }
  else
    {
      int gap = lo - hi;
      g_autofree char *ra = NULL;
      g_autofree char *rb = NULL;

      if (gap <= 2)
        return;
      ra = format_range (alo, ahi);
      rb = format_range (blo, bhi);
      /* Translators: a reason two records are different people; each %s is
       * an age or an age range in years, e.g. “ages differ: 41 vs 50–60”. */
      add_reason (reasons, gap <= 5 ? -10 : -25, _("ages differ: %s vs %s"), ra, rb);
    }
}

static gboolean
is_region_code (const char *code)
{
  if (code == NULL || strlen (code) != 6)
    return FALSE;
  for (int i = 0; i < 6; i++)
    if (!g_ascii_isdigit (code[i]))
      return FALSE;
  return !g_str_equal (code, "000000");
}

static void
score_regions (const char *a,
               const char *b,
               GArray     *reasons)
{
  if (!is_region_code (a) || !is_region_code (b))
    return;

  /* Compare only as deep as both codes go: a code ending in 00 names a
   * whole prefecture or province. */
  if (memcmp (a, b, 2) != 0)
    return;
  if (memcmp (a + 2, "00", 2) == 0 || memcmp (b + 2, "00", 2) == 0 || memcmp (a, b, 4) != 0)
    {
      /* Translators: reasons two records may be one person: their 户籍地
       * codes share the province, the prefecture, or are the same county. */
      add_reason (reasons, 5, "%s", _("same province"));
      return;
    }
  if (memcmp (a + 4, "00", 2) == 0 || memcmp (b + 4, "00", 2) == 0 || memcmp (a, b, 6) != 0)
    {
      add_reason (reasons, 10, "%s", _("same prefecture"));
      return;
    }
  add_reason (reasons, 15, "%s", _("same county"));
}

static char *
fold (const char *text)
{
  g_autofree char *down = NULL;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;
  down = g_utf8_casefold (text, -1);
  g_strstrip (down);
  return *down ? g_steal_pointer (&down) : NULL;
}

static void
score_dialect (const char *a,
               const char *b,
               GArray     *reasons)
{
  g_autofree char *fa = fold (a);
  g_autofree char *fb = fold (b);

  if (fa != NULL && fb != NULL && g_str_equal (fa, fb))
    add_reason (reasons, 5, "%s", _("same dialect"));
}

/* Character pairs of Chinese text and whole words of other text: free
 * descriptions ("左手缺无名指" / "左手无名指缺失") share their pairs. */
static GHashTable *
feature_tokens (const char *text)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *folded = fold (text);
  gunichar prev = 0;
  GString *word = g_string_new (NULL);

  for (const char *p = folded; p && *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean han = c >= 0x3400 && c <= 0x9FFF;

      if (g_unichar_isalnum (c) && !han)
        {
          g_string_append_unichar (word, c);
          prev = 0;
          continue;
        }
      if (word->len >= 3)
        g_hash_table_add (set, g_strdup (word->str));
      g_string_truncate (word, 0);

      if (han)
        {
          if (prev != 0)
            {
              char buf[16];
              int n = g_unichar_to_utf8 (prev, buf);

              n += g_unichar_to_utf8 (c, buf + n);
              buf[n] = '\0';
              g_hash_table_add (set, g_strdup (buf));
            }
          prev = c;
        }
      else
        prev = 0;
    }
  if (word->len >= 3)
    g_hash_table_add (set, g_strdup (word->str));
  g_string_free (word, TRUE);
  return set;
}

static void
score_features (const char *a,
                const char *b,
                GArray     *reasons)
{
  g_autoptr(GHashTable) ta = NULL;
  g_autoptr(GHashTable) tb = NULL;
  GHashTableIter iter;
  gpointer key;
  guint shared = 0, smaller;
  double ratio;

  if (a == NULL || b == NULL)
    return;
  ta = feature_tokens (a);
  tb = feature_tokens (b);
  smaller = MIN (g_hash_table_size (ta), g_hash_table_size (tb));
  if (smaller == 0)
    return;

  g_hash_table_iter_init (&iter, ta);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_hash_table_contains (tb, key))
      shared++;

  ratio = (double) shared / smaller;
  if (shared >= 2 && ratio >= 0.4)
    add_reason (reasons, 10, "%s", _("similar distinguishing features"));
  else if (shared >= 2 && ratio >= 0.2)
    add_reason (reasons, 5, "%s", _("some distinguishing features alike"));
}

static int
compare_reasons (gconstpointer a,
                 gconstpointer b)
{
  const Reason *x = a, *y = b;

  return ABS (y->points) - ABS (x->points);
}

int
jz_dupscore (const JzDupPerson *intake,
             const JzDupPerson *existing,
             const GDate       *today,
             GPtrArray         *out_reasons)
{
  g_autoptr(GArray) reasons = g_array_new (FALSE, FALSE, sizeof (Reason));
  JzIdCard ca, cb;
  gboolean va, vb, same_id = FALSE;
  JzBirth ba, bb;
  JzSex sa, sb;
  GDate now;
  int score = 0;

  g_return_val_if_fail (intake != NULL, 0);
  g_return_val_if_fail (existing != NULL, 0);

  if (today == NULL)
    {
      today_local (&now);
      today = &now;
    }

  va = intake->id_number != NULL && jz_idcard_parse_at (intake->id_number, today, &ca, NULL);
  vb = existing->id_number != NULL && jz_idcard_parse_at (existing->id_number, today, &cb, NULL);
  if (va && vb)
    {
      if (g_str_equal (ca.number, cb.number))
        {
          same_id = TRUE;
          add_reason (reasons, 100, "%s", _("same ID number"));
        }
      else
        add_reason (reasons, -80, "%s", _("different ID numbers"));
    }

  /* A valid ID number tells the birth date and sex when they were not
   * typed. */
  ba = intake->birth;
  bb = existing->birth;
  if (va && !jz_birth_is_known (&ba))
    jz_birth_init_exact (&ba, g_date_get_year (&ca.birth_date), g_date_get_month (&ca.birth_date),
                         g_date_get_day (&ca.birth_date));
  if (vb && !jz_birth_is_known (&bb))
    jz_birth_init_exact (&bb, g_date_get_year (&cb.birth_date), g_date_get_month (&cb.birth_date),
                         g_date_get_day (&cb.birth_date));
  sa = intake->sex != JZ_SEX_UNKNOWN ? intake->sex : va ? ca.sex : JZ_SEX_UNKNOWN;
  sb = existing->sex != JZ_SEX_UNKNOWN ? existing->sex : vb ? cb.sex : JZ_SEX_UNKNOWN;

  if (sa != JZ_SEX_UNKNOWN && sb != JZ_SEX_UNKNOWN)
    {
      if (sa != sb)
        add_reason (reasons, -50, "%s", _("different sex"));
      else
        score += 5;
    }

  score_names (intake, existing, reasons);
  score_ages (&ba, &bb, today, reasons);
  score_regions (intake->region_code, existing->region_code, reasons);
  score_dialect (intake->dialect, existing->dialect, reasons);
  score_features (intake->features, existing->features, reasons);

  for (guint i = 0; i < reasons->len; i++)
    score += g_array_index (reasons, Reason, i).points;
  if (same_id)
    score = 100;
  score = CLAMP (score, 0, 100);

  g_array_sort (reasons, compare_reasons);
  for (guint i = 0; i < reasons->len; i++)
    {
      Reason *r = &g_array_index (reasons, Reason, i);

      if (out_reasons != NULL)
        g_ptr_array_add (out_reasons, g_steal_pointer (&r->text));
      else
        g_free (r->text);
    }
  return score;
}

static int
compare_matches (gconstpointer a,
                 gconstpointer b)
{
  const JzDupMatch *x = *(JzDupMatch * const *) a;
  const JzDupMatch *y = *(JzDupMatch * const *) b;

  return y->score - x->score;
}

GPtrArray *
jz_dupscore_rank (const JzDupPerson *intake,
                  const JzDupPerson *candidates,
                  gpointer          *datas,
                  guint              n_candidates,
                  int                min_score,
                  const GDate       *today)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_dup_match_free);
  GDate now;

  g_return_val_if_fail (intake != NULL, out);
  g_return_val_if_fail (candidates != NULL || n_candidates == 0, out);

  if (today == NULL)
    {
      today_local (&now);
      today = &now;
    }

  for (guint i = 0; i < n_candidates; i++)
    {
      g_autoptr(GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);
      int score = jz_dupscore (intake, &candidates[i], today, reasons);
      JzDupMatch *m;

      if (score < min_score)
        continue;
      m = g_new0 (JzDupMatch, 1);
      m->data = datas ? datas[i] : NULL;
      m->score = score;
      m->reasons = g_steal_pointer (&reasons);
      g_ptr_array_add (out, m);
    }
  /* g_ptr_array_sort is a stable merge sort: equal scores keep the
   * caller's order (e.g. most recent first). */
  g_ptr_array_sort (out, compare_matches);
  return out;
}
