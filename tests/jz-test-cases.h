/* jz-test-cases.h: stores with cases, for the case-work tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gstdio.h>
#include <string.h>

#include "jz-actions.h"
#include "jz-idcard.h"
#include "jz-records.h"
#include "jz-staff.h"
#include "jz-store.h"

static inline void
jz_test_remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);

      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        jz_test_remove_tree (p);
      else
        g_unlink (p);
    }
  g_rmdir (dir);
}

/* The integer the one-row query @sql gives on @store (its ?1 bound to
 * @arg when given): a count, mostly. */
static inline gint64
jz_test_count (JzStore    *store,
               const char *sql,
               const char *arg)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (jz_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* A valid 18-digit number from 17 digits. */
static inline char *
jz_test_id_number (const char *first17)
{
  return g_strdup_printf ("%s%c", first17, jz_idcard_check_digit (first17));
}

/* Registers a person with an episode admitted @days_ago days ago, in
 * @status (screening or admitted). Returns the person's id; the
 * episode's id in @episode_id when not NULL. */
static inline char *
jz_test_add_case (JzStore     *store,
                  const char  *name,       /* NULL: 无名氏 */
                  const char  *sex,
                  const char  *birth_date, /* exact, or NULL */
                  const char  *id17,       /* or NULL */
                  const char  *status,
                  int          days_ago,
                  guint        flags,
                  char       **episode_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzPerson) p = jz_person_new ();
  g_autoptr(JzEpisode) e = jz_episode_new ();

  p->name = g_strdup (name);
  p->name_quality = g_strdup (name ? "full" : "unknown");
  p->sex = g_strdup (sex);
  if (birth_date != NULL)
    {
      p->birth_date = g_strdup (birth_date);
      p->birth_precision = g_strdup ("exact");
    }
  if (id17 != NULL)
    p->id_number = jz_test_id_number (id17);
  p->identity_status = g_strdup (name ? "self_reported" : "unknown");
  p->flags = flags;
  e->admitted_at = g_get_real_time () / G_USEC_PER_SEC - (gint64) days_ago * 86400 - 60;
  e->source = g_strdup ("walk_in");
  e->category = g_strdup ("vagrant");
  e->eligibility = g_strdup (g_str_equal (status, "screening") ? "pending" : "admit");
  e->status = g_strdup (status);
  e->in_station = TRUE;
  e->flags = flags;
  g_assert_true (jz_store_register_intake (store, p, e, NULL, 0, &error));
  g_assert_no_error (error);
  if (episode_id != NULL)
    *episode_id = g_strdup (e->rec.id);
  return g_strdup (p->rec.id);
}

/* @n departed episodes of @n / 100 people, written with plain SQL on the
 * store's connection (the triggers still run, as for changes pulled by
 * the sync, and without the test-only durability), for size tests. */
static inline void
jz_test_fill (JzStore *store,
              guint    n)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf (
    "WITH RECURSIVE c (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < %u) "
    "INSERT INTO person (id, station, hlc, name, sex, birth_date, birth_precision) "
    "SELECT printf ('00000000-0000-7000-8000-%%012d', i), '320481-01', 1, "
    "       substr ('王李张刘陈杨黄赵吴周', 1 + i %% 10, 1) || substr ('伟芳娜敏静丽强磊军洋', 1 + (i / 10) %% 10, 1), "
    "       CASE i %% 2 WHEN 0 THEN 'male' ELSE 'female' END, "
    "       printf ('%%d-01-01', 1950 + i %% 50), 'year' FROM c; "
    "WITH RECURSIVE c (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < %u) "
    "INSERT INTO episode (id, station, hlc, number, person_id, admitted_at, source, category, "
    "                     eligibility, status, departed_at, in_station) "
    "SELECT printf ('00000000-0000-7000-9000-%%012d', i), '320481-01', 1, "
    "       printf ('320481-01-2020-%%06d', i), printf ('00000000-0000-7000-8000-%%012d', i / 100), "
    "       1577836800 + i * 600, 'walk_in', 'vagrant', 'admit', 'departed', 1577836800 + i * 600 + 86400, 0 "
    "FROM c;", n / 100, n);

  g_assert_true (jz_store_exec (store, "PRAGMA synchronous = OFF", &error));
  jz_store_set_applying (store, TRUE);
  g_assert_true (jz_store_begin (store, &error));
  g_assert_no_error (error);
  g_assert_true (jz_store_exec (store, sql, &error));
  g_assert_no_error (error);
  g_assert_true (jz_store_commit (store, &error));
  g_assert_no_error (error);
  jz_store_set_applying (store, FALSE);
  g_assert_true (jz_store_exec (store, "PRAGMA synchronous = FULL", &error));
}

/* A staff member with a quick PIN hash (tests need no brute-force cost). */
static inline char *
jz_test_add_staff (JzStore    *store,
                   const char *name,
                   const char *role,
                   const char *pin)
{
  g_autoptr(GError) error = NULL;
  char *id = NULL;

  g_assert_true (jz_store_add_staff (store, name, role, pin, 10, &id, &error));
  g_assert_no_error (error);
  return id;
}
