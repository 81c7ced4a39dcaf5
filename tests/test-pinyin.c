/* test-pinyin.c: pinyin of names, surname readings, query matching
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "jz-pinyin.h"

static void
assert_name (const char *name,
             const char *full,
             const char *compact,
             const char *initials)
{
  g_autoptr(JzPinyin) py = jz_pinyin_new_for_name (name);

  g_test_message ("%s", name ? name : "(null)");
  g_assert_cmpstr (py->full, ==, full);
  if (compact)
    g_assert_cmpstr (py->compact, ==, compact);
  if (initials)
    g_assert_cmpstr (py->initials, ==, initials);
}

static void
test_basic (void)
{
  assert_name ("张伟", "zhang wei", "zhangwei", "zw");
  assert_name ("王秀英", "wang xiu ying", "wangxiuying", "wxy");
  assert_name ("  李 娜 ", "li na", "lina", "ln");
  assert_name ("吕布", "lu bu", "lubu", "lb");
  assert_name ("", "", "", "");
  assert_name (NULL, "", "", "");
  assert_name ("???", "", "", "");
}

/* Each surname of the brief, read as a surname at the start and with its
 * common reading elsewhere. */
static void
test_surnames (void)
{
  static const struct { const char *name; const char *full; } cases[] = {
    { "单田芳", "shan tian fang" },
    { "曾国藩", "zeng guo fan" },
    { "仇英", "qiu ying" },
    { "解缙", "xie jin" },
    { "区志明", "ou zhi ming" },
    { "朴正熙", "piao zheng xi" },
    { "查良镛", "zha liang yong" },
    { "盖聂", "ge nie" },
    { "华佗", "hua tuo" },
    { "任盈", "ren ying" },
    { "乐毅", "yue yi" },
    { "缪斯", "miao si" },
    { "翟志刚", "zhai zhi gang" },
    { "覃明", "qin ming" },
    { "黑明", "he ming" },
    { "重阳", "chong yang" },
    { "员明", "yun ming" },
    { "种师道", "chong shi dao" },
    { "尉迟恭", "yu chi gong" },
    { "万俟明", "mo qi ming" },
    { "欧阳修", "ou yang xiu" },
    { "司马光", "si ma guang" },
    { "诸葛亮", "zhu ge liang" },
    { "上官婉儿", "shang guan wan er" },
    { "长孙无忌", "zhang sun wu ji" },
    { "令狐冲", "ling hu chong" },
    { "乐正明", "yue zheng ming" },
    /* Only the leading character takes the surname reading. */
    { "张单", "zhang dan" },
    { "王曾", "wang ceng" },
    { "李重", "li zhong" },
    /* 单 alone is the surname. */
    { "单", "shan" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_name (cases[i].name, cases[i].full, NULL, NULL);

  assert_name ("尉迟恭", "yu chi gong", "yuchigong", "ycg");
  assert_name ("万俟明", "mo qi ming", "moqiming", "mqm");

  /* The plain reading of the same text: no surname rule. */
  {
    g_autoptr(JzPinyin) py = jz_pinyin_new_for_text ("单田芳");
    g_assert_cmpstr (py->full, ==, "dan tian fang");
  }

  {
    guint n = 0;

    g_assert_cmpstr (jz_pinyin_surname_reading ("尉迟恭", &n), ==, "yu chi");
    g_assert_cmpuint (n, ==, 2);
    g_assert_cmpstr (jz_pinyin_surname_reading ("尉明", &n), ==, "wei");
    g_assert_cmpuint (n, ==, 1);
    g_assert_null (jz_pinyin_surname_reading ("张伟", &n));
    g_assert_null (jz_pinyin_surname_reading ("", &n));
  }
}

static void
test_mixed_scripts (void)
{
  /* Placeholder names keep their number; the middle dot separates. */
  assert_name ("无名氏12", "wu ming shi 12", "wumingshi12", "wms1");
  assert_name ("阿卜杜·热合曼", "a bo du re he man", "abodureheman", "abdrhm");
  assert_name ("Ｌｉ　Ｍｉｎｇ", "li ming", "liming", "lm");
  assert_name ("John 张", "john zhang", "johnzhang", "jz");
  assert_name ("张三（男）", "zhang san nan", "zhangsannan", "zsn");
  assert_name ("李〇", "li ling", "liling", "ll");
  /* A compatibility ideograph (U+F900) reads as its unified form (U+8C48). */
  {
    g_autofree char *unified = jz_pinyin_name_full ("\xe8\xb1\x88");

    g_assert_cmpstr (unified, !=, "");
    assert_name ("\xef\xa4\x80", unified, NULL, NULL);
  }
}

static void
test_of_char (void)
{
  g_assert_cmpstr (jz_pinyin_of_char (0x5F20), ==, "zhang");   /* 张 */
  g_assert_cmpstr (jz_pinyin_of_char (0x5355), ==, "dan");     /* 单: plain reading */
  g_assert_null (jz_pinyin_of_char ('a'));
  g_assert_null (jz_pinyin_of_char (0x00E9));
  /* Interned: the same pointer twice. */
  g_assert_true (jz_pinyin_of_char (0x4F1F) == jz_pinyin_of_char (0x4F1F));
  /* Extension B: 𠀀 (U+20000) has a reading in ICU. */
  g_assert_nonnull (jz_pinyin_of_char (0x20000));
}

static void
test_normalize_query (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "zhang wei", "zhangwei" },
    { "ZhangWei", "zhangwei" },
    { "Zhāng Wěi", "zhangwei" },
    { "zhang-wei", "zhangwei" },
    { "zhang'wei", "zhangwei" },
    { " ZW ", "zw" },
    { "张伟", "zhangwei" },
    { "张 wei", "zhangwei" },
    { "lv bu", "lubu" },
    { "lǚ bù", "lubu" },
    { "nvwa", "nuwa" },
    { "ｚｈａｎｇ", "zhang" },
    { "3204", "3204" },
    { "wumingshi12", "wumingshi12" },
    { "", "" },
    { "·", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *n = jz_pinyin_normalize_query (cases[i].in);

      g_test_message ("%s", cases[i].in);
      g_assert_cmpstr (n, ==, cases[i].out);
    }
  {
    g_autofree char *n = jz_pinyin_normalize_query (NULL);
    g_assert_cmpstr (n, ==, "");
  }
  {
    g_autofree char *n = jz_pinyin_normalize_query ("\xff\xfe");
    g_assert_cmpstr (n, ==, "");
  }
}

static void
test_matches (void)
{
  static const char *yes[] = { "zhangwei", "zw", "zhangw", "zwei", "wei", "zhan", "z", "w", "zhwei" };
  static const char *no[] = { "zhangwen", "wz", "zhangweix", "x", "" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      g_test_message ("yes %s", yes[i]);
      g_assert_true (jz_pinyin_matches ("zhang wei", yes[i]));
    }
  for (guint i = 0; i < G_N_ELEMENTS (no); i++)
    {
      g_test_message ("no %s", no[i]);
      g_assert_false (jz_pinyin_matches ("zhang wei", no[i]));
    }
  g_assert_true (jz_pinyin_matches ("ou yang xiu", "oyx"));
  g_assert_true (jz_pinyin_matches ("ou yang xiu", "ouyangx"));
  g_assert_true (jz_pinyin_matches ("wu ming shi 12", "wms12"));
  g_assert_false (jz_pinyin_matches (NULL, "zw"));
  g_assert_false (jz_pinyin_matches ("zhang wei", NULL));

  /* The three spellings of the brief all find 张伟. */
  {
    g_autoptr(JzPinyin) py = jz_pinyin_new_for_name ("张伟");
    const char *queries[] = { "zhang wei", "zhangwei", "ZW", "张伟" };

    for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
      {
        g_autofree char *q = jz_pinyin_normalize_query (queries[i]);
        g_assert_true (jz_pinyin_matches (py->full, q));
      }
  }
}

/* Many threads reading names whose characters are not cached yet: the
 * results must equal a single-threaded run. Runs first, while the cache
 * is cold. */
#define N_THREADS 8
#define N_NAMES 3000

static char **names;

static gpointer
thread_func (gpointer data)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  guint offset = GPOINTER_TO_UINT (data);

  for (guint i = 0; i < N_NAMES; i++)
    {
      guint k = (i + offset * 397) % N_NAMES;

      g_autofree char *full = jz_pinyin_name_full (names[k]);

      g_ptr_array_add (out, g_strdup_printf ("%u\t%s", k, full));
    }
  return out;
}

static void
test_threads (void)
{
  GThread *threads[N_THREADS];
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  names = g_new0 (char *, N_NAMES + 1);
  for (guint i = 0; i < N_NAMES; i++)
    {
      char buf[16];
      int len = 0;

      /* Characters spread over the URO, most not yet looked up. */
      len += g_unichar_to_utf8 (0x4E00 + (i * 7) % 0x5000, buf + len);
      len += g_unichar_to_utf8 (0x4E00 + (i * 13 + 5) % 0x5000, buf + len);
      buf[len] = '\0';
      names[i] = g_strdup (buf);
    }

  for (guint t = 0; t < N_THREADS; t++)
    threads[t] = g_thread_new ("pinyin", thread_func, GUINT_TO_POINTER (t));

  for (guint t = 0; t < N_THREADS; t++)
    {
      g_autoptr(GPtrArray) out = g_thread_join (threads[t]);

      g_assert_cmpuint (out->len, ==, N_NAMES);
      for (guint i = 0; i < out->len; i++)
        {
          const char *line = g_ptr_array_index (out, i);
          gboolean seen = g_hash_table_contains (expected, line);

          if (!seen)
            g_hash_table_add (expected, g_strdup (line));
        }
    }
  /* Every thread produced the same reading for every name. */
  g_assert_cmpuint (g_hash_table_size (expected), ==, N_NAMES);

  for (guint i = 0; i < N_NAMES; i++)
    {
      g_autofree char *full = jz_pinyin_name_full (names[i]);
      g_autofree char *line = g_strdup_printf ("%u\t%s", i, full);

      g_assert_true (g_hash_table_contains (expected, line));
      g_assert_cmpstr (full, !=, "");
    }
  g_strfreev (names);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pinyin/threads", test_threads);
  g_test_add_func ("/pinyin/basic", test_basic);
  g_test_add_func ("/pinyin/surnames", test_surnames);
  g_test_add_func ("/pinyin/mixed-scripts", test_mixed_scripts);
  g_test_add_func ("/pinyin/of-char", test_of_char);
  g_test_add_func ("/pinyin/normalize-query", test_normalize_query);
  g_test_add_func ("/pinyin/matches", test_matches);

  return g_test_run ();
}
