/* test-search.c: search as you type, duplicate candidates, repeat visits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "jz-actions.h"
#include "jz-idcard.h"
#include "jz-records.h"
#include "jz-demo.h"
#include "jz-search.h"
#include "jz-store.h"
#include "jz-test-cases.h"

typedef struct
{
  char    *dir;
  char    *path;
  JzStore *store;
} Fixture;

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);

      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        remove_tree (p);
      else
        g_unlink (p);
    }
  g_rmdir (dir);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("jz-test-search-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "station.db", NULL);
  f->store = jz_store_create (f->path, "320481-01", "溧阳市救助管理站", JZ_STATION_LEVEL_COUNTY, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* A valid 18-digit number from 17 digits. */
static char *
id_number (const char *first17)
{
  return g_strdup_printf ("%s%c", first17, jz_idcard_check_digit (first17));
}

static char *
add_person (JzStore    *store,
            const char *name,
            const char *sex,
            const char *birth_date,   /* exact, or NULL */
            const char *id17,         /* or NULL */
            const char *aliases,      /* JSON or NULL */
            const char *marks)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = jz_person_new ();

  p->name = g_strdup (name);
  p->name_quality = g_strdup (name ? "full" : "unknown");
  p->sex = g_strdup (sex);
  if (birth_date != NULL)
    {
      p->birth_date = g_strdup (birth_date);
      p->birth_precision = g_strdup ("exact");
    }
  if (id17 != NULL)
    p->id_number = id_number (id17);
  p->aliases = g_strdup (aliases);
  p->marks = g_strdup (marks);
  p->hukou_region = g_strdup ("320481");
  g_assert_true (jz_store_insert_person (store, p, &error));
  g_assert_no_error (error);
  return g_strdup (p->rec.id);
}

static GPtrArray *
search (JzStore    *store,
        const char *text)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *rows = jz_search_people (store, text, 20, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rows);
  return rows;
}

static gboolean
found (GPtrArray  *rows,
       const char *person_id)
{
  for (guint i = 0; i < rows->len; i++)
    if (g_str_equal (((JzSearchRow *) rows->pdata[i])->person_id, person_id))
      return TRUE;
  return FALSE;
}

static void
test_examples (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *zw = add_person (f->store, "张伟", "male", "1985-03-12", "32048119850312001", NULL, NULL);
  g_autofree char *other = add_person (f->store, "李娜", "female", "1990-07-01", "11010519900701002", NULL, NULL);
  const char *queries[] = { "张伟", "zhangwei", "zhang wei", "zw", "ZW", "Zhāng Wěi", "3204", "0312", "张", "zhang",
                            "wei", "320481198503120" };

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr(GPtrArray) rows = search (f->store, queries[i]);

      g_test_message ("query %s: %u rows", queries[i], rows->len);
      g_assert_true (found (rows, zw));
      g_assert_false (found (rows, other));
    }

  {
    g_autoptr(GPtrArray) rows = search (f->store, "张伟");
    JzSearchRow *row = rows->pdata[0];

    g_assert_cmpstr (row->name, ==, "张伟");
    g_assert_cmpstr (row->sex, ==, "male");
    g_assert_cmpint (row->age, >=, 40);
    g_assert_cmpint (row->match, ==, JZ_SEARCH_MATCH_NAME);
    g_assert_cmpuint (row->n_episodes, ==, 0);
    g_assert_null (row->episode_number);
  }
  {
    g_autoptr(GPtrArray) rows = search (f->store, "3204");
    g_assert_cmpint (((JzSearchRow *) rows->pdata[0])->match, ==, JZ_SEARCH_MATCH_ID_NUMBER);
  }
  {
    g_autoptr(GPtrArray) rows = search (f->store, "1101");
    g_assert_true (found (rows, other));
    g_assert_false (found (rows, zw));
  }
  {
    g_autoptr(GPtrArray) a = search (f->store, "");
    g_autoptr(GPtrArray) b = search (f->store, "  ");
    g_autoptr(GPtrArray) c = search (f->store, "zhangwen");
    g_autoptr(GPtrArray) d = search (f->store, "\"*^(");
    g_assert_cmpuint (a->len, ==, 0);
    g_assert_cmpuint (b->len, ==, 0);
    g_assert_cmpuint (c->len, ==, 0);
    g_assert_cmpuint (d->len, ==, 0);
  }
}

/* Surnames read as surnames: 单 shan, 曾 zeng, 仇 qiu, 解 xie. */
static void
test_surnames (Fixture       *f,
               gconstpointer  data)
{
  struct { const char *name; const char *pinyin; const char *initials; } cases[] = {
    { "单田芳", "shantianfang", "stf" },
    { "曾国藩", "zengguofan", "zgf" },
    { "仇英", "qiuying", "qy" },
    { "解缙", "xiejin", "xj" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id = add_person (f->store, cases[i].name, "male", NULL, NULL, NULL, NULL);
      g_autoptr(GPtrArray) a = search (f->store, cases[i].pinyin);
      g_autoptr(GPtrArray) b = search (f->store, cases[i].initials);

      g_assert_true (found (a, id));
      g_assert_true (found (b, id));
      g_assert_cmpint (((JzSearchRow *) a->pdata[0])->match, ==, JZ_SEARCH_MATCH_PINYIN);
    }
  {
    /* Not the common readings dan, ceng, chou, jie. */
    g_autoptr(GPtrArray) rows = search (f->store, "dantianfang");
    g_assert_cmpuint (rows->len, ==, 0);
  }
}

static void
test_aliases_and_tiers (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *exact = add_person (f->store, "王芳", "female", NULL, NULL, NULL, NULL);
  g_autofree char *prefix = add_person (f->store, "王芳芳", "female", NULL, NULL, NULL, NULL);
  g_autofree char *alias = add_person (f->store, "李四", "male", NULL, NULL, "[\"小王芳\", \"阿四\"]", NULL);
  g_autofree char *homophone = add_person (f->store, "汪方", "female", NULL, NULL, NULL, NULL);
  g_autofree char *marked = add_person (f->store, "赵六", "male", NULL, NULL, NULL, "左脸有疤，王芳纹身");
  g_autoptr(GPtrArray) rows = search (f->store, "王芳");

  g_assert_cmpuint (rows->len, ==, 5);
  g_assert_cmpstr (((JzSearchRow *) rows->pdata[0])->person_id, ==, exact);
  g_assert_cmpstr (((JzSearchRow *) rows->pdata[1])->person_id, ==, prefix);
  g_assert_cmpstr (((JzSearchRow *) rows->pdata[2])->person_id, ==, alias);
  g_assert_cmpint (((JzSearchRow *) rows->pdata[2])->match, ==, JZ_SEARCH_MATCH_NAME_PART);
  g_assert_cmpstr (((JzSearchRow *) rows->pdata[3])->person_id, ==, homophone);
  g_assert_cmpstr (((JzSearchRow *) rows->pdata[4])->person_id, ==, marked);
  g_assert_cmpint (((JzSearchRow *) rows->pdata[4])->match, ==, JZ_SEARCH_MATCH_DESCRIPTION);

  {
    g_autoptr(GPtrArray) a = search (f->store, "阿四");
    g_autoptr(GPtrArray) b = search (f->store, "asi");
    g_autoptr(GPtrArray) c = search (f->store, "疤");
    g_assert_true (found (a, alias));
    g_assert_true (found (b, alias));
    g_assert_true (found (c, marked));
  }
  {
    /* Paging: offset 1 skips the first. */
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) page = jz_search_people (f->store, "王芳", 2, 1, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, 2);
    g_assert_cmpstr (((JzSearchRow *) page->pdata[0])->person_id, ==, prefix);
  }
}

static void
test_updates_and_tombstones (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = add_person (f->store, "周杰", "male", NULL, "11010519800101003", NULL, NULL);
  g_autoptr(JzPerson) p = jz_store_get_person (f->store, id, &error);

  g_assert_no_error (error);
  g_free (p->name);
  p->name = g_strdup ("周杰伦");
  g_free (p->id_number);
  p->id_number = id_number ("44030119790118003");
  g_assert_true (jz_store_update_person (f->store, p, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) a = search (f->store, "zjl");
    g_autoptr(GPtrArray) b = search (f->store, "1101");
    g_autoptr(GPtrArray) c = search (f->store, "4403");
    g_assert_true (found (a, id));
    g_assert_false (found (b, id));
    g_assert_true (found (c, id));
  }
  g_assert_true (jz_store_delete (f->store, &jz_entity_person, id, 0, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) a = search (f->store, "zjl");
    g_autoptr(GPtrArray) c = search (f->store, "4403");
    g_assert_false (found (a, id));
    g_assert_false (found (c, id));
  }
  /* The rebuild gives the same documents. */
  g_assert_true (jz_search_rebuild (f->store, &error));
  g_assert_no_error (error);
}

static void
test_placeholder_and_episode (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = jz_person_new ();
  g_autoptr(JzEpisode) e = jz_episode_new ();
  g_autofree char *query = NULL;

  p->name_quality = g_strdup ("unknown");
  p->sex = g_strdup ("male");
  e->admitted_at = g_get_real_time () / G_USEC_PER_SEC - 3600;
  e->source = g_strdup ("patrol");
  g_assert_true (jz_store_register_intake (f->store, p, e, NULL, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (p->placeholder_no, >, 0);

  query = g_strdup_printf ("%" G_GINT64_FORMAT, p->placeholder_no);
  {
    g_autoptr(GPtrArray) a = search (f->store, query);
    g_autoptr(GPtrArray) b = search (f->store, "无名氏");
    g_autoptr(GPtrArray) c = search (f->store, e->number);
    g_autoptr(GPtrArray) d = search (f->store, "320481-01");
    JzSearchRow *row;

    g_assert_true (found (a, p->rec.id));
    g_assert_true (found (b, p->rec.id));
    g_assert_true (found (c, p->rec.id));
    g_assert_true (found (d, p->rec.id));
    row = c->pdata[0];
    g_assert_cmpint (row->match, ==, JZ_SEARCH_MATCH_EPISODE);
    g_assert_cmpstr (row->episode_number, ==, e->number);
    g_assert_cmpstr (row->episode_status, ==, e->status);
    g_assert_cmpuint (row->n_episodes, ==, 1);
    g_assert_true (g_str_has_prefix (row->name, "无名氏"));
  }
}

static void
test_duplicates (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *same_id = add_person (f->store, "张卫", "male", "1985-03-12", "32048119850312001", NULL, NULL);
  g_autofree char *same_name = add_person (f->store, "张伟", "male", "1984-06-01", NULL, NULL, NULL);
  g_autofree char *homophone = add_person (f->store, "章伟", "male", NULL, NULL, NULL, NULL);
  g_autofree char *initials = add_person (f->store, "赵玮", "male", "1985-01-01", NULL, NULL, NULL);
  g_autofree char *woman = add_person (f->store, "张伟", "female", "1985-03-12", NULL, NULL, NULL);
  g_autofree char *stranger = add_person (f->store, "陈静", "female", "2001-01-01", NULL, NULL, NULL);
  g_autofree char *id = id_number ("32048119850312001");
  g_autoptr(GPtrArray) cands = NULL;
  JzDupPerson intake;
  GDate today;

  /* An earlier episode of the same-ID person: 跑站. */
  {
    g_autoptr(JzPerson) p = jz_store_get_person (f->store, same_id, &error);
    g_autoptr(JzEpisode) e = jz_episode_new ();

    g_assert_no_error (error);
    e->admitted_at = g_get_real_time () / G_USEC_PER_SEC - 86400 * 40;
    e->source = g_strdup ("walk_in");
    g_assert_true (jz_store_register_intake (f->store, p, e, NULL, 0, &error));
    g_assert_no_error (error);
  }

  g_date_clear (&today, 1);
  g_date_set_time_t (&today, time (NULL));
  jz_dup_person_init (&intake);
  intake.name = "张伟";
  intake.sex = JZ_SEX_MALE;
  jz_birth_init_exact (&intake.birth, 1985, 3, 12);
  intake.region_code = "320481";
  intake.id_number = id;

  cands = jz_search_duplicates (f->store, &intake, 10, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cands);
  for (guint i = 0; i < cands->len; i++)
    {
      JzDupCandidate *c = cands->pdata[i];
      g_autofree char *reasons = NULL;

      g_ptr_array_add (c->reasons, NULL);
      reasons = g_strjoinv ("; ", (char **) c->reasons->pdata);
      g_ptr_array_remove_index (c->reasons, c->reasons->len - 1);
      g_test_message ("%s %d: %s", c->person.name, c->score, reasons);
    }

  g_assert_cmpuint (cands->len, >=, 4);
  {
    JzDupCandidate *first = cands->pdata[0];

    g_assert_cmpstr (first->person.person_id, ==, same_id);
    g_assert_cmpint (first->score, ==, 100);
    g_assert_cmpstr (first->reasons->pdata[0], ==, "same ID number");
    g_assert_cmpuint (first->episodes->len, ==, 1);
    g_assert_cmpstr (((JzEpisode *) first->episodes->pdata[0])->rec.station, ==, "320481-01");
  }
  {
    JzDupCandidate *second = cands->pdata[1];

    g_assert_cmpstr (second->person.person_id, ==, same_name);
    g_assert_cmpstr (second->reasons->pdata[0], ==, "same name");
  }
  for (guint i = 0; i < cands->len; i++)
    {
      JzDupCandidate *c = cands->pdata[i];

      g_assert_cmpstr (c->person.person_id, !=, stranger);
      if (i > 0)
        g_assert_cmpint (c->score, <=, ((JzDupCandidate *) cands->pdata[i - 1])->score);
      if (g_str_equal (c->person.person_id, woman))
        g_assert_cmpint (c->score, <, 50);
      if (g_str_equal (c->person.person_id, homophone))
        g_assert_true (g_ptr_array_find_with_equal_func (c->reasons, "pinyin zhang wei", g_str_equal, NULL));
    }

  /* Same initials, sex and age, same county, no name match: a facet hit. */
  {
    g_autoptr(GPtrArray) c2 = NULL;
    JzDupPerson other;
    gboolean seen = FALSE;

    jz_dup_person_init (&other);
    other.name = "郑维";
    other.sex = JZ_SEX_MALE;
    jz_birth_init_estimated (&other.birth, g_date_get_year (&today) - 1985, &today);
    other.region_code = "320481";
    c2 = jz_search_duplicates (f->store, &other, 10, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < c2->len; i++)
      seen |= g_str_equal (((JzDupCandidate *) c2->pdata[i])->person.person_id, initials);
    g_assert_true (seen);
  }

  /* Nobody like this. */
  {
    g_autoptr(GPtrArray) c3 = NULL;
    JzDupPerson nobody;

    jz_dup_person_init (&nobody);
    nobody.name = "欧阳修";
    nobody.sex = JZ_SEX_MALE;
    c3 = jz_search_duplicates (f->store, &nobody, 10, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (c3->len, ==, 0);
  }
}

static void
test_person_episodes (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = jz_person_new ();
  g_autoptr(GPtrArray) list = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  p->name = g_strdup ("孙七");
  p->sex = g_strdup ("male");
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(JzEpisode) e = jz_episode_new ();

      e->admitted_at = now - 86400 * (30 - i * 10);
      e->source = g_strdup ("walk_in");
      e->status = g_strdup (i < 2 ? "refused" : "screening");
      if (i < 2)
        {
          e->eligibility = g_strdup ("refuse");
          e->refusal_reason = g_strdup ("not eligible");
        }
      g_assert_true (jz_store_register_intake (f->store, p, e, NULL, 0, &error));
      g_assert_no_error (error);
    }
  list = jz_search_person_episodes (f->store, p->rec.id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpint (((JzEpisode *) list->pdata[0])->admitted_at, >, ((JzEpisode *) list->pdata[1])->admitted_at);
}

static void
rename_person (JzStore    *store,
               const char *id,
               const char *name,
               const char *aliases,
               const char *id17)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = jz_store_get_person (store, id, &error);

  g_assert_no_error (error);
  if (name != NULL)
    {
      g_free (p->name);
      p->name = g_strdup (name);
    }
  if (aliases != NULL)
    {
      g_free (p->aliases);
      p->aliases = g_strdup (aliases);
    }
  if (id17 != NULL)
    {
      g_free (p->id_number);
      p->id_number = id_number (id17);
    }
  g_assert_true (jz_store_update_person (store, p, &error));
  g_assert_no_error (error);
}

static void
raw_exec (Fixture    *f,
          const char *sql,
          const char *id)
{
  sqlite3_stmt *stmt = NULL;
  const char *tail = NULL;

  /* One statement at a time, each bound to @id when it has a parameter. */
  while (*sql != '\0')
    {
      g_assert_cmpint (sqlite3_prepare_v2 (jz_store_get_db (f->store), sql, -1, &stmt, &tail), ==, SQLITE_OK);
      if (sqlite3_bind_parameter_count (stmt) > 0)
        sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_finalize (stmt);
      sql = tail;
      while (g_ascii_isspace (*sql))
        sql++;
    }
}

/* Inside a transaction the triggers note the people written, and the
 * index is written before COMMIT (migration 0010); a search in the
 * transaction sees its own writes; a write outside a transaction is
 * indexed at once, and one committed behind JzStore's back is taken up
 * by the next search. */
static void
test_index_follows_transactions (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *renamed = NULL;
  g_autofree char *aliased = NULL;
  g_autofree char *removed = NULL;
  g_autofree char *numbered = NULL;
  g_autofree char *undone = NULL;
  g_autofree char *early = add_person (f->store, "钱多多", "male", NULL, "32048119700101001", NULL, NULL);

  g_assert_cmpint (jz_test_count (f->store, "SELECT count (*) FROM search_dirty", NULL), ==, 0);

  g_assert_true (jz_store_write_begin (f->store, &error));
  g_assert_no_error (error);
  renamed = add_person (f->store, "陈小明", "male", NULL, NULL, NULL, NULL);
  aliased = add_person (f->store, "刘德", "male", NULL, NULL, NULL, NULL);
  removed = add_person (f->store, "孙丽", "female", NULL, NULL, NULL, NULL);
  numbered = add_person (f->store, "郑和", "male", NULL, "11010519800101003", NULL, NULL);
  g_assert_cmpint (jz_test_count (f->store, "SELECT count (*) FROM search_dirty", NULL), ==, 4);
  {
    /* Searched before the commit: the transaction's own writes. */
    g_autoptr(GPtrArray) a = search (f->store, "陈小明");
    g_assert_true (found (a, renamed));
    g_assert_cmpint (jz_test_count (f->store, "SELECT count (*) FROM search_dirty", NULL), ==, 0);
  }
  rename_person (f->store, renamed, "陈大明", NULL, NULL);
  rename_person (f->store, aliased, NULL, "[\"阿德哥\"]", NULL);
  rename_person (f->store, numbered, NULL, NULL, "44030119790118003");
  g_assert_true (jz_store_delete (f->store, &jz_entity_person, removed, 0, &error));
  g_assert_no_error (error);
  /* Written in the transaction before the search, renamed after. */
  rename_person (f->store, early, "钱少少", NULL, "32048119700101002");
  {
    /* An action undone (its savepoint rolled back) leaves no trace. */
    g_assert_true (jz_store_write_begin (f->store, &error));
    undone = add_person (f->store, "吴用", "male", NULL, NULL, NULL, NULL);
    g_assert_false (jz_store_write_end (f->store, FALSE, NULL));
  }
  g_assert_cmpint (jz_test_count (f->store, "SELECT count (*) FROM search_dirty", NULL), >, 0);
  g_assert_true (jz_store_write_end (f->store, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (jz_test_count (f->store, "SELECT count (*) FROM search_dirty", NULL), ==, 0);

  {
    g_autoptr(GPtrArray) a = search (f->store, "陈大明");
    g_autoptr(GPtrArray) b = search (f->store, "陈小明");
    g_autoptr(GPtrArray) c = search (f->store, "阿德哥");
    g_autoptr(GPtrArray) d = search (f->store, "adg");
    g_autoptr(GPtrArray) e = search (f->store, "孙丽");
    g_autoptr(GPtrArray) g = search (f->store, "1101");
    g_autoptr(GPtrArray) h = search (f->store, "4403");
    g_autoptr(GPtrArray) i = search (f->store, "钱少少");
    g_autoptr(GPtrArray) j = search (f->store, "钱多多");
    g_autoptr(GPtrArray) k = search (f->store, "01001");
    g_autoptr(GPtrArray) l = search (f->store, "01002");
    g_autoptr(GPtrArray) m = search (f->store, "吴用");

    g_assert_true (found (a, renamed));
    g_assert_false (found (b, renamed));
    g_assert_true (found (c, aliased));
    g_assert_true (found (d, aliased));
    g_assert_false (found (e, removed));
    g_assert_false (found (g, numbered));
    g_assert_true (found (h, numbered));
    g_assert_true (found (i, early));
    g_assert_false (found (j, early));
    g_assert_false (found (k, early));
    g_assert_true (found (l, early));
    g_assert_cmpuint (m->len, ==, 0);
  }

  /* Outside a transaction: indexed by the statement itself. */
  raw_exec (f, "UPDATE person SET name = '陈二明' WHERE id = ?1", renamed);
  g_assert_cmpint (jz_test_count (f->store, "SELECT count (*) FROM search_dirty", NULL), ==, 0);
  {
    g_autoptr(GPtrArray) a = search (f->store, "陈二明");
    g_autoptr(GPtrArray) b = search (f->store, "陈大明");
    g_assert_true (found (a, renamed));
    g_assert_false (found (b, renamed));
  }

  /* A transaction committed without jz_store_commit: noted, and indexed
   * by the next search. */
  raw_exec (f, "BEGIN; UPDATE person SET name = '陈三明' WHERE id = ?1; COMMIT", renamed);
  g_assert_cmpint (jz_test_count (f->store, "SELECT count (*) FROM search_dirty", NULL), ==, 1);
  {
    g_autoptr(GPtrArray) a = search (f->store, "陈三明");
    g_autoptr(GPtrArray) b = search (f->store, "陈二明");
    g_assert_true (found (a, renamed));
    g_assert_false (found (b, renamed));
  }
  g_assert_cmpint (jz_test_count (f->store, "SELECT count (*) FROM search_dirty", NULL), ==, 0);

  /* The index written so equals the one a rebuild makes. */
  {
    g_autoptr(GPtrArray) before = search (f->store, "chen");
    g_autoptr(GPtrArray) after = NULL;

    g_assert_true (jz_search_rebuild (f->store, &error));
    g_assert_no_error (error);
    after = search (f->store, "chen");
    g_assert_cmpuint (before->len, ==, after->len);
    g_assert_true (found (after, renamed));
  }
}

/* The ids alone come in jz_search_people()'s order, tombstones left out. */
static void
test_ids_only (Fixture       *f,
               gconstpointer  data)
{
  const char *queries[] = { "张", "zhang", "zw", "王芳", "3204", "320481", "无名氏1", "1", "chen", "李" };
  g_autoptr(GError) error = NULL;
  JzDemoOptions demo;

  jz_demo_options_init (&demo);
  demo.seed = 5;
  g_assert_true (jz_demo_generate (f->store, 300, &demo, NULL, &error));
  g_assert_no_error (error);
  {
    g_autofree char *gone = add_person (f->store, "张伟", "male", NULL, "32048119800101003", NULL, NULL);

    g_assert_true (jz_store_delete (f->store, &jz_entity_person, gone, 0, &error));
    g_assert_no_error (error);
  }

  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    for (guint limit = 1; limit <= 101; limit += 50)
      {
        g_autoptr(GPtrArray) rows = jz_search_people (f->store, queries[q], limit, 0, &error);
        g_autoptr(GPtrArray) ids = NULL;

        g_assert_no_error (error);
        ids = jz_search_people_ids (f->store, queries[q], limit, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (ids->len, ==, rows->len);
        for (guint i = 0; i < ids->len; i++)
          g_assert_cmpstr (ids->pdata[i], ==, ((JzSearchRow *) rows->pdata[i])->person_id);
      }
  {
    g_autoptr(GPtrArray) ids = jz_search_people_ids (f->store, "3204", 0, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (ids->len, ==, 0);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/search/examples", test_examples);
  ADD ("/search/surnames", test_surnames);
  ADD ("/search/aliases-and-tiers", test_aliases_and_tiers);
  ADD ("/search/updates-and-tombstones", test_updates_and_tombstones);
  ADD ("/search/placeholder-and-episode", test_placeholder_and_episode);
  ADD ("/search/duplicates", test_duplicates);
  ADD ("/search/person-episodes", test_person_episodes);
  ADD ("/search/index-follows-transactions", test_index_follows_transactions);
  ADD ("/search/ids-only", test_ids_only);
#undef ADD

  return g_test_run ();
}
