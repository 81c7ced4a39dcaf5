/* test-dupscore.c: duplicate scoring and ranking
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "jz-dupscore.h"

#define ID_A      "321322198506123515"   /* male, 1985-06-12, 沭阳县 */
#define ID_A_15   "321322850612351"      /* the same number before 1999 */
#define ID_OTHER  "321322198601011239"   /* male, 1986-01-01 */

static GDate today;

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
dump (const char *what, int score, GPtrArray *reasons)
{
  g_autofree char *joined = NULL;

  g_ptr_array_add (reasons, NULL);
  joined = g_strjoinv ("; ", (char **) reasons->pdata);
  g_ptr_array_remove_index (reasons, reasons->len - 1);
  g_test_message ("%s: %d (%s)", what, score, joined);
}

static int
score (const JzDupPerson *a,
       const JzDupPerson *b,
       GPtrArray         *reasons)
{
  return jz_dupscore (a, b, &today, reasons);
}

static void
intake_zhang_wei (JzDupPerson *p)
{
  jz_dup_person_init (p);
  p->name = "张伟";
  p->sex = JZ_SEX_MALE;
  jz_birth_init_estimated (&p->birth, 41, &today);
  p->region_code = "321322";
  p->dialect = "苏北话";
  p->features = "左手缺无名指，右脸有疤";
}

static void
test_same_id_dominates (void)
{
  g_autoptr(GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);
  JzDupPerson a, b;
  int s;

  intake_zhang_wei (&a);
  a.id_number = ID_A;
  jz_dup_person_init (&b);
  b.name = "张三";
  b.sex = JZ_SEX_FEMALE;        /* mistyped on file */
  b.id_number = ID_A_15;        /* the old 15-digit form */

  s = score (&a, &b, reasons);
  dump ("same id", s, reasons);
  g_assert_cmpint (s, ==, 100);
  g_assert_cmpstr (g_ptr_array_index (reasons, 0), ==, "same ID number");
  /* The contradiction is still shown. */
  g_assert_true (has_reason (reasons, "different sex"));
}

static void
test_different_ids (void)
{
  g_autoptr(GPtrArray) r1 = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) r2 = g_ptr_array_new_with_free_func (g_free);
  JzDupPerson a, b;
  int with_ids, without;

  intake_zhang_wei (&a);
  jz_birth_init_unknown (&a.birth);
  b = a;
  a.id_number = ID_A;
  b.id_number = ID_OTHER;
  with_ids = score (&a, &b, r1);
  dump ("different ids", with_ids, r1);
  g_assert_true (has_reason (r1, "different ID numbers"));

  /* An invalid number (wrong check digit) is ignored, not held against. */
  b.id_number = "321322198601011230";
  without = score (&a, &b, r2);
  dump ("invalid id", without, r2);
  g_assert_false (has_reason (r2, "different ID numbers"));
  g_assert_cmpint (with_ids, <, 10);
  g_assert_cmpint (without, >=, 50);
}

static void
test_ranking (void)
{
  JzDupPerson intake, c[6];
  const char *expected_order[] = { "B", "C", "G", "E", "F", "D" };
  gpointer tags[] = { "B", "C", "D", "E", "F", "G" };
  g_autoptr(GPtrArray) ranked = NULL;
  GDate jan;

  intake_zhang_wei (&intake);
  g_date_clear (&jan, 1);
  g_date_set_dmy (&jan, 1, 1, 2026);

  /* B: same name, age, county, dialect, similar marks. */
  jz_dup_person_init (&c[0]);
  c[0].name = "张伟";
  c[0].sex = JZ_SEX_MALE;
  jz_birth_init_exact (&c[0].birth, 1985, 6, 12);
  c[0].region_code = "321322";
  c[0].dialect = "苏北话";
  c[0].features = "左手无名指缺失";

  /* C: a homophone, estimated age, same prefecture. */
  jz_dup_person_init (&c[1]);
  c[1].name = "章伟";
  c[1].sex = JZ_SEX_MALE;
  jz_birth_init_estimated (&c[1].birth, 43, &jan);
  c[1].region_code = "321300";

  /* D: same name, same county, but a woman. */
  jz_dup_person_init (&c[2]);
  c[2].name = "张伟";
  c[2].sex = JZ_SEX_FEMALE;
  jz_birth_init_year (&c[2].birth, 1985);
  c[2].region_code = "321322";

  /* E: same name and county, 35 years older. */
  jz_dup_person_init (&c[3]);
  c[3].name = "张伟";
  c[3].sex = JZ_SEX_MALE;
  jz_birth_init_exact (&c[3].birth, 1950, 3, 1);
  c[3].region_code = "321322";

  /* F: someone else of the same age from the same county. */
  jz_dup_person_init (&c[4]);
  c[4].name = "李强";
  c[4].sex = JZ_SEX_MALE;
  jz_birth_init_exact (&c[4].birth, 1985, 1, 1);
  c[4].region_code = "321322";

  /* G: same name, nothing else known but the province far away. */
  jz_dup_person_init (&c[5]);
  c[5].name = "张伟";
  c[5].sex = JZ_SEX_MALE;
  c[5].region_code = "110105";

  for (guint i = 0; i < G_N_ELEMENTS (c); i++)
    {
      g_autoptr(GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);
      int s = score (&intake, &c[i], reasons);

      dump (tags[i], s, reasons);
      g_assert_cmpint (s, >=, 0);
      g_assert_cmpint (s, <=, 100);
    }

  ranked = jz_dupscore_rank (&intake, c, tags, G_N_ELEMENTS (c), 0, &today);
  g_assert_cmpuint (ranked->len, ==, G_N_ELEMENTS (c));
  for (guint i = 0; i < ranked->len; i++)
    {
      JzDupMatch *m = g_ptr_array_index (ranked, i);

      g_assert_cmpstr (m->data, ==, expected_order[i]);
      if (i > 0)
        g_assert_cmpint (m->score, <, ((JzDupMatch *) g_ptr_array_index (ranked, i - 1))->score);
    }

  /* The reasons of the best. */
  {
    JzDupMatch *best = g_ptr_array_index (ranked, 0);

    g_assert_cmpint (best->score, >=, 80);
    g_assert_cmpstr (g_ptr_array_index (best->reasons, 0), ==, "same name");
    g_assert_true (has_reason (best->reasons, "same county"));
    g_assert_true (has_reason (best->reasons, "same dialect"));
    g_assert_true (has_reason (best->reasons, "age 41"));
    g_assert_true (has_reason (best->reasons, "similar distinguishing features"));
  }
  {
    JzDupMatch *homophone = g_ptr_array_index (ranked, 1);

    g_assert_true (has_reason (homophone->reasons, "pinyin zhang wei"));
    g_assert_true (has_reason (homophone->reasons, "same prefecture"));
    g_assert_true (has_reason (homophone->reasons, "age 38–46"));
  }

  /* The woman falls below the display threshold. */
  {
    g_autoptr(GPtrArray) shown = jz_dupscore_rank (&intake, c, tags, G_N_ELEMENTS (c),
                                                   JZ_DUPSCORE_SHOW_MIN, &today);

    for (guint i = 0; i < shown->len; i++)
      g_assert_cmpstr (((JzDupMatch *) g_ptr_array_index (shown, i))->data, !=, "D");
    g_assert_cmpuint (shown->len, <, G_N_ELEMENTS (c));
  }
}

static void
test_names (void)
{
  JzDupPerson a, b;

  jz_dup_person_init (&a);
  jz_dup_person_init (&b);

  /* Placeholders never match each other. */
  a.name = "无名氏12";
  b.name = "无名氏12";
  g_assert_cmpint (score (&a, &b, NULL), ==, 0);
  a.name = "无名男";
  b.name = "无名男";
  g_assert_cmpint (score (&a, &b, NULL), ==, 0);

  /* An alias on file. */
  {
    const char *aliases[] = { "小三", "张伟", NULL };
    g_autoptr(GPtrArray) r = g_ptr_array_new_with_free_func (g_free);

    a.name = "张伟";
    b.name = "张小伟";
    b.aliases = aliases;
    g_assert_cmpint (score (&a, &b, r), ==, 40);
    g_assert_true (has_reason (r, "same name as an alias (张伟)"));
    b.aliases = NULL;
  }

  /* Spaces and the middle dot do not matter. */
  a.name = "阿卜杜·热合曼";
  b.name = "阿卜杜 热合曼";
  g_assert_cmpint (score (&a, &b, NULL), ==, 40);

  /* Pinyin supplied by the store is used as given. */
  {
    g_autoptr(GPtrArray) r = g_ptr_array_new_with_free_func (g_free);

    a.name = "曾伟";
    a.pinyin = NULL;    /* computed: zeng wei (surname reading) */
    b.name = "增伟";
    b.pinyin = "zeng wei";
    g_assert_cmpint (score (&a, &b, r), ==, 30);
    g_assert_true (has_reason (r, "pinyin zeng wei"));
  }

  /* One syllable apart in a three-syllable name. */
  {
    g_autoptr(GPtrArray) r = g_ptr_array_new_with_free_func (g_free);

    a.name = "王秀英";
    b.name = "王秀兰";
    a.pinyin = b.pinyin = NULL;
    g_assert_cmpint (score (&a, &b, r), ==, 12);
    g_assert_true (has_reason (r, "pinyin wang xiu ying / wang xiu lan"));
  }

  /* Initials only. */
  {
    g_autoptr(GPtrArray) r = g_ptr_array_new_with_free_func (g_free);

    a.name = "张伟";
    b.name = "赵文";
    g_assert_cmpint (score (&a, &b, r), ==, 5);
    g_assert_true (has_reason (r, "initials zw"));
  }

  a.name = "张伟";
  b.name = "李强";
  g_assert_cmpint (score (&a, &b, NULL), ==, 0);
}

static void
test_sex_and_age (void)
{
  g_autoptr(GPtrArray) r = g_ptr_array_new_with_free_func (g_free);
  JzDupPerson a, b;

  /* Sex taken from a valid ID number when not typed. */
  jz_dup_person_init (&a);
  jz_dup_person_init (&b);
  a.name = b.name = "张伟";
  a.id_number = ID_A;
  b.sex = JZ_SEX_FEMALE;
  g_assert_cmpint (score (&a, &b, r), ==, 0);
  g_assert_true (has_reason (r, "different sex"));
  g_ptr_array_set_size (r, 0);

  /* And the birth date too. */
  b.sex = JZ_SEX_MALE;
  jz_birth_init_exact (&b.birth, 1985, 6, 12);
  g_assert_cmpint (score (&a, &b, r), ==, 70);
  g_assert_true (has_reason (r, "same birth date"));
  g_ptr_array_set_size (r, 0);

  /* A small gap is no evidence either way; a large one is. */
  jz_dup_person_init (&a);
  a.name = "张伟";
  jz_birth_init_exact (&a.birth, 1985, 6, 12);
  jz_birth_init_exact (&b.birth, 1983, 6, 12);
  g_assert_cmpint (score (&a, &b, r), ==, 40);
  g_ptr_array_set_size (r, 0);
  jz_birth_init_exact (&b.birth, 1981, 6, 12);
  g_assert_cmpint (score (&a, &b, r), ==, 30);
  g_assert_true (has_reason (r, "ages differ: 41 vs 45"));
  g_ptr_array_set_size (r, 0);
  jz_birth_init_exact (&b.birth, 1960, 6, 12);
  g_assert_cmpint (score (&a, &b, r), ==, 15);
  g_ptr_array_set_size (r, 0);

  /* Year only vs an estimate. */
  jz_birth_init_year (&a.birth, 1985);
  jz_birth_init_estimated (&b.birth, 45, &today);
  g_assert_cmpint (score (&a, &b, r), ==, 40 + 10);
  g_assert_true (has_reason (r, "age 40–41"));
}

static void
test_regions (void)
{
  static const struct { const char *a, *b; const char *reason; int points; } cases[] = {
    { "321322", "321322", "same county", 15 },
    { "321322", "321323", "same prefecture", 10 },
    { "321322", "321300", "same prefecture", 10 },
    { "321322", "320481", "same province", 5 },
    { "321322", "320000", "same province", 5 },
    { "321322", "110105", NULL, 0 },
    { "321322", "32132", NULL, 0 },
    { "321322", NULL, NULL, 0 },
    { "000000", "000000", NULL, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) r = g_ptr_array_new_with_free_func (g_free);
      JzDupPerson a, b;

      jz_dup_person_init (&a);
      jz_dup_person_init (&b);
      a.region_code = cases[i].a;
      b.region_code = cases[i].b;
      g_assert_cmpint (score (&a, &b, r), ==, cases[i].points);
      if (cases[i].reason)
        g_assert_true (has_reason (r, cases[i].reason));
      else
        g_assert_cmpuint (r->len, ==, 0);
    }
}

static void
test_dialect_and_features (void)
{
  g_autoptr(GPtrArray) r = g_ptr_array_new_with_free_func (g_free);
  JzDupPerson a, b;

  jz_dup_person_init (&a);
  jz_dup_person_init (&b);
  a.dialect = " 河南话";
  b.dialect = "河南话 ";
  g_assert_cmpint (score (&a, &b, r), ==, 5);
  g_assert_true (has_reason (r, "same dialect"));
  b.dialect = "四川话";
  g_assert_cmpint (score (&a, &b, NULL), ==, 0);

  a.dialect = b.dialect = NULL;
  a.features = "右臂有龙形纹身，左眉有痣";
  b.features = "左眉有一颗痣；右臂龙形纹身";
  g_assert_cmpint (score (&a, &b, NULL), ==, 10);
  b.features = "穿黑色外套，光头";
  g_assert_cmpint (score (&a, &b, NULL), ==, 0);
  a.features = "Tattoo of a dragon on the right arm";
  b.features = "dragon tattoo, right arm";
  g_assert_cmpint (score (&a, &b, NULL), ==, 10);
  a.features = "";
  g_assert_cmpint (score (&a, &b, NULL), ==, 0);
}

static void
test_empty (void)
{
  JzDupPerson a, b;

  jz_dup_person_init (&a);
  jz_dup_person_init (&b);
  g_assert_cmpint (jz_dupscore (&a, &b, NULL, NULL), ==, 0);
  {
    g_autoptr(GPtrArray) none = jz_dupscore_rank (&a, NULL, NULL, 0, 0, NULL);
    g_assert_cmpuint (none->len, ==, 0);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, 22, G_DATE_NOVEMBER, 2026);

  g_test_add_func ("/dupscore/same-id-dominates", test_same_id_dominates);
  g_test_add_func ("/dupscore/different-ids", test_different_ids);
  g_test_add_func ("/dupscore/ranking", test_ranking);
  g_test_add_func ("/dupscore/names", test_names);
  g_test_add_func ("/dupscore/sex-and-age", test_sex_and_age);
  g_test_add_func ("/dupscore/regions", test_regions);
  g_test_add_func ("/dupscore/dialect-and-features", test_dialect_and_features);
  g_test_add_func ("/dupscore/empty", test_empty);

  return g_test_run ();
}
