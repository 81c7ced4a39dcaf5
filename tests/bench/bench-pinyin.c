/* bench-pinyin.c: names per second through jz_pinyin_new_for_name
 *
 * One million synthetic names (common surnames, one or two given-name
 * characters from a few hundred common ones, some compound surnames), as
 * the store computes at import. Prints: cold (first pass, readings
 * fetched from ICU), warm single thread, warm with 2 and 4 threads.
 *
 * Usage: bench-pinyin [N_NAMES]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>

#include "jz-pinyin.h"

static const char *surnames[] = {
  "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
  "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
  "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏",
  "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
  "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹",
  "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵",
  "单", "解", "仇", "欧阳", "司马", "诸葛", "上官", "尉迟",
};

static const char given[] =
  "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥玲芬燕建华国庆建国"
  "志强文斌海波宇浩然子轩梓涵一诺欣怡雨萱俊杰晨阳思远佳怡子豪宇航嘉怡博文雅静天佑"
  "春梅秋菊冬梅夏荷金凤银凤玉珍淑珍德胜福贵宝山长江黄河永刚永红小明小红大伟二牛"
  "三妹四喜五福六顺七巧八斤九妹莉莎琳琪瑶瑾璐岚岩峰峻嵩崇岭鹏鹤鸿鸣凯旋胜利卫东向阳";

static char **
make_names (guint n)
{
  g_autoptr(GArray) chars = g_array_new (FALSE, FALSE, sizeof (gunichar));
  GRand *rand = g_rand_new_with_seed (20261122);
  char **names = g_new0 (char *, n + 1);

  for (const char *p = given; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      g_array_append_val (chars, c);
    }

  for (guint i = 0; i < n; i++)
    {
      GString *s = g_string_new (surnames[g_rand_int_range (rand, 0, G_N_ELEMENTS (surnames))]);
      int len = g_rand_int_range (rand, 0, 10) < 3 ? 1 : 2;

      for (int k = 0; k < len; k++)
        g_string_append_unichar (s, g_array_index (chars, gunichar, g_rand_int_range (rand, 0, chars->len)));
      names[i] = g_string_free (s, FALSE);
    }
  g_rand_free (rand);
  return names;
}

typedef struct
{
  char  **names;
  guint   from, to;
  gsize   bytes;
} Slice;

static gpointer
run_slice (gpointer data)
{
  Slice *s = data;

  for (guint i = s->from; i < s->to; i++)
    {
      JzPinyin *py = jz_pinyin_new_for_name (s->names[i]);

      s->bytes += strlen (py->full);
      jz_pinyin_free (py);
    }
  return NULL;
}

static double
run (char **names, guint n, guint n_threads)
{
  GThread *threads[16];
  Slice slices[16];
  gint64 start = g_get_monotonic_time ();

  for (guint t = 0; t < n_threads; t++)
    {
      slices[t] = (Slice) { names, n * t / n_threads, n * (t + 1) / n_threads, 0 };
      threads[t] = g_thread_new ("bench", run_slice, &slices[t]);
    }
  for (guint t = 0; t < n_threads; t++)
    g_thread_join (threads[t]);
  return n / ((g_get_monotonic_time () - start) / 1e6);
}

int
main (int argc, char **argv)
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 1000000;
  char **names = make_names (n);
  gint64 start;
  double rate;

  /* Cold: every character's first reading comes from ICU. */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 1000 && i < n; i++)
    jz_pinyin_free (jz_pinyin_new_for_name (names[i]));
  printf ("first 1000 names (cold cache): %.1f ms\n", (g_get_monotonic_time () - start) / 1e3);

  rate = run (names, n, 1);
  printf ("%u names, 1 thread:  %.0f names/s\n", n, rate);
  rate = run (names, n, 2);
  printf ("%u names, 2 threads: %.0f names/s\n", n, rate);
  rate = run (names, n, 4);
  printf ("%u names, 4 threads: %.0f names/s\n", n, rate);

  {
    /* Query normalisation, as every search keystroke does. */
    guint m = MIN (n, 200000);

    start = g_get_monotonic_time ();
    for (guint i = 0; i < m; i++)
      g_free (jz_pinyin_normalize_query (names[i]));
    printf ("normalize_query: %.0f queries/s\n", m / ((g_get_monotonic_time () - start) / 1e6));
  }

  g_strfreev (names);
  return 0;
}
