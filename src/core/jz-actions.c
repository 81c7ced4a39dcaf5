/* jz-actions.c: what a person does at the station, each one transaction
 *
 * Each action groups the record writes of one user action in one
 * transaction (a savepoint inside a caller's), and applies the rules of
 * jz-episode-rules.c and jz-deadlines.c; a refused action changes nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-actions"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "jz-actions.h"
#include "jz-deadlines.h"
#include "jz-records-private.h"

static gboolean
parse_date (const char *text,
            GDate      *out)
{
  int y, m, d;

  g_date_clear (out, 1);
  if (text == NULL || sscanf (text, "%4d-%2d-%2d", &y, &m, &d) != 3 || !g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_set_dmy (out, d, m, y);
  return TRUE;
}

void
jz_person_get_facts (const JzPerson  *person,
                     const JzEpisode *episode,
                     JzPersonFacts   *facts)
{
  GDate date;
  guint health = episode ? episode->health : 0;
  guint flags = person->flags | (episode ? episode->flags : 0);

  g_return_if_fail (person != NULL);
  g_return_if_fail (facts != NULL);

  jz_person_facts_init (facts);
  if (g_strcmp0 (person->birth_precision, "exact") == 0 && parse_date (person->birth_date, &date))
    jz_birth_init_exact (&facts->birth, g_date_get_year (&date), g_date_get_month (&date),
                         g_date_get_day (&date));
  else if (g_strcmp0 (person->birth_precision, "year") == 0 && parse_date (person->birth_date, &date))
    jz_birth_init_year (&facts->birth, g_date_get_year (&date));
  else if (g_strcmp0 (person->birth_precision, "estimated") == 0 && person->estimated_age >= 0 &&
           parse_date (person->estimated_on, &date))
    jz_birth_init_estimated (&facts->birth, (guint) person->estimated_age, &date);

  facts->mental_disability = (flags & JZ_FLAG_MENTAL) || (health & JZ_HEALTH_MENTAL);
  facts->intellectual_disability = (flags & JZ_FLAG_INTELLECTUAL) || (health & JZ_HEALTH_INTELLECTUAL);
  facts->minor = (flags & JZ_FLAG_MINOR) != 0;
}

void
jz_person_get_facts_from_row (sqlite3_stmt  *stmt,
                              int            person_col,
                              int            episode_col,
                              JzPersonFacts *facts)
{
  JzPerson person = { 0 };
  JzEpisode episode = { 0 };

  /* Borrowed column text: jz_person_get_facts() only reads. */
  person.birth_date = (char *) sqlite3_column_text (stmt, person_col);
  person.birth_precision = (char *) sqlite3_column_text (stmt, person_col + 1);
  person.estimated_age = sqlite3_column_type (stmt, person_col + 2) == SQLITE_NULL
                         ? -1 : sqlite3_column_int64 (stmt, person_col + 2);
  person.estimated_on = (char *) sqlite3_column_text (stmt, person_col + 3);
  person.flags = (guint) sqlite3_column_int64 (stmt, person_col + 4);
  if (episode_col >= 0)
    {
      episode.health = (guint) sqlite3_column_int64 (stmt, episode_col);
      episode.flags = (guint) sqlite3_column_int64 (stmt, episode_col + 1);
    }
  jz_person_get_facts (&person, episode_col >= 0 ? &episode : NULL, facts);
}

/* Rules errors become store errors: the caller deals with one domain. */
static gboolean
rules_error (GError **error)
{
  if (error != NULL && *error != NULL && (*error)->domain != JZ_STORE_ERROR)
    {
      (*error)->domain = JZ_STORE_ERROR;
      (*error)->code = JZ_STORE_ERROR_INVALID;
    }
  return FALSE;
}

/* The stay limit from the deadline rules, or 0 when it does not apply. */
static gint64
stay_deadline_for (const JzPerson  *person,
                   const JzEpisode *episode)
{
  JzDeadlineSubject subject;
  JzDeadlineConfig config;
  g_autoptr(GDateTime) admitted = g_date_time_new_from_unix_utc (episode->admitted_at);
  g_autoptr(GPtrArray) deadlines = NULL;
  gint64 due = 0;

  if (admitted == NULL)
    return 0;
  jz_deadline_subject_init (&subject);
  jz_deadline_config_init (&config);
  subject.admitted_at = admitted;
  jz_person_get_facts (person, episode, &subject.person);
  subject.identified = g_strcmp0 (person->identity_status, "verified") == 0;
  deadlines = jz_deadlines_compute (&subject, &config, admitted);
  for (guint i = 0; deadlines != NULL && i < deadlines->len; i++)
    {
      JzDeadline *d = deadlines->pdata[i];

      if (d->kind == JZ_DEADLINE_STAY_LIMIT && d->due_at != NULL)
        due = g_date_time_to_unix (d->due_at);
    }
  return due;
}

gboolean
jz_store_register_intake (JzStore      *store,
                          JzPerson     *person,
                          JzEpisode    *episode,
                          JzBelonging **belongings,
                          guint         n_belongings,
                          GError      **error)
{
  gboolean ok;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (person != NULL, FALSE);
  g_return_val_if_fail (episode != NULL, FALSE);
  g_return_val_if_fail (belongings != NULL || n_belongings == 0, FALSE);

  if (!jz_store_write_begin (store, error))
    return FALSE;

  if (person->rec.id == NULL)
    ok = _jz_store_insert_in_txn (store, &jz_entity_person, person, error);
  else
    ok = _jz_store_update_in_txn (store, &jz_entity_person, person, error);

  if (ok)
    {
      g_free (episode->person_id);
      episode->person_id = g_strdup (person->rec.id);
      if (episode->stay_deadline == 0)
        episode->stay_deadline = stay_deadline_for (person, episode);
      ok = _jz_store_insert_in_txn (store, &jz_entity_episode, episode, error);
    }
  for (guint i = 0; ok && i < n_belongings; i++)
    {
      g_free (belongings[i]->episode_id);
      belongings[i]->episode_id = g_strdup (episode->rec.id);
      if (belongings[i]->received_at == 0)
        belongings[i]->received_at = episode->admitted_at;
      ok = _jz_store_insert_in_txn (store, &jz_entity_belonging, belongings[i], error);
      if (!ok)
        /* Translators: %u numbers the belongings of an intake (1, 2, …);
         * what is wrong with that one follows. */
        g_prefix_error (error, _("Belonging %u: "), i + 1);
    }
  return jz_store_write_end (store, ok, ok ? error : NULL) && ok;
}

static gboolean
record_departure (JzStore            *store,
                  JzEpisode          *episode,
                  JzDepartureRecord  *departure,
                  GError            **error)
{
  g_autoptr(JzEpisode) stored = NULL;
  g_autoptr(JzPerson) person = NULL;
  g_autoptr(GDateTime) at = NULL;
  JzPersonFacts facts;
  JzDeparture rules;
  JzDepartureMode mode;
  JzEpisodeStatus from;

  stored = jz_store_get_episode (store, episode->rec.id, error);
  if (stored == NULL)
    return FALSE;
  if (stored->rec.hlc != episode->rec.hlc)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_CONFLICT,
                   _("The episode was changed by someone else (or by a sync) since it was opened; "
                     "reopen it and record the departure again"));
      return FALSE;
    }
  person = jz_store_get_person (store, stored->person_id, error);
  if (person == NULL)
    return FALSE;

  if (departure->mode == NULL || !jz_departure_mode_from_string (departure->mode, &mode))
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   _("The departure has no valid mode; choose how the person left"));
      return FALSE;
    }
  if (departure->departed_at == 0)
    departure->departed_at = g_get_real_time () / G_USEC_PER_SEC;
  if (departure->departed_at < stored->admitted_at)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   _("The departure time is before the admission time; check the time of departure"));
      return FALSE;
    }
  at = g_date_time_new_from_unix_utc (departure->departed_at);
  jz_person_get_facts (person, stored, &facts);
  jz_departure_init (&rules, mode);
  rules.at = at;
  rules.cross_province = departure->cross_province;
  rules.collector_name = departure->collector_name;
  rules.collector_id_number = departure->collector_id_number;
  rules.cash_fen = departure->cash_fen;
  rules.cash_reason = departure->cash_reason;

  if (!jz_episode_status_from_string (stored->status, &from))
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   /* Translators: %s is a status code stored in the record. */
                   _("The episode's status “%s” is unknown"), stored->status);
      return FALSE;
    }
  if (!jz_episode_check_transition (from, JZ_EPISODE_STATUS_DEPARTED, &facts, &rules, error))
    return rules_error (error);

  g_free (departure->episode_id);
  departure->episode_id = g_strdup (stored->rec.id);
  if (!_jz_store_insert_in_txn (store, &jz_entity_departure, departure, error))
    return FALSE;

  /* The validation of a generic update refuses "departed": the episode is
   * closed here, after the departure record passed. */
  g_free (stored->status);
  stored->status = g_strdup ("departed");
  stored->departed_at = departure->departed_at;
  g_clear_pointer (&stored->bed_id, g_free);
  {
    sqlite3_stmt *stmt;
    gint64 hlc = jz_store_hlc_now (store, error);
    int rc;

    if (hlc == 0)
      return FALSE;
    stmt = jz_store_prepare (store,
                             "UPDATE episode SET status = 'departed', departed_at = ?2, bed_id = NULL, "
                             "hlc = ?3, updated_by = ?4 WHERE id = ?1",
                             error);
    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_text (stmt, 1, stored->rec.id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (stmt, 2, stored->departed_at);
    sqlite3_bind_int64 (stmt, 3, hlc);
    if (jz_store_get_actor (store) != NULL)
      sqlite3_bind_text (stmt, 4, jz_store_get_actor (store), -1, SQLITE_TRANSIENT);
    else
      sqlite3_bind_null (stmt, 4);
    rc = sqlite3_step (stmt);
    sqlite3_reset (stmt);
    if (rc != SQLITE_DONE)
      return jz_store_set_error_from_db (store, rc, error);
    stored->rec.hlc = hlc;
    g_free (stored->rec.updated_by);
    stored->rec.updated_by = g_strdup (jz_store_get_actor (store));
    jz_store_note_changed (store, "episode");
  }

  /* Hand the caller the stored state. */
  jz_record_clear (&jz_entity_episode, episode);
  memcpy (episode, stored, sizeof *episode);
  memset (stored, 0, sizeof *stored);
  return TRUE;
}

gboolean
jz_store_record_departure (JzStore            *store,
                           JzEpisode          *episode,
                           JzDepartureRecord  *departure,
                           GError            **error)
{
  gboolean ok;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (episode != NULL && episode->rec.id != NULL, FALSE);
  g_return_val_if_fail (departure != NULL, FALSE);

  if (!jz_store_write_begin (store, error))
    return FALSE;
  ok = record_departure (store, episode, departure, error);
  return jz_store_write_end (store, ok, ok ? error : NULL) && ok;
}

static gboolean
extend_stay (JzStore          *store,
             JzStayExtension  *extension,
             GError          **error)
{
  g_autoptr(JzEpisode) episode = NULL;

  if (extension->episode_id == NULL)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   _("The stay extension has no episode; open the episode and file it there"));
      return FALSE;
    }
  episode = jz_store_get_episode (store, extension->episode_id, error);
  if (episode == NULL)
    return FALSE;
  if (g_strcmp0 (episode->status, "departed") == 0 || g_strcmp0 (episode->status, "refused") == 0)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   /* Translators: %s is an episode number (救助编号). */
                   _("Episode %s is closed; a stay can only be extended while the person is in the station"),
                   episode->number);
      return FALSE;
    }
  if (extension->filed_at == 0)
    extension->filed_at = g_get_real_time () / G_USEC_PER_SEC;
  if (extension->new_deadline <= episode->stay_deadline)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                   _("The new deadline is not later than the current one; choose a later date"));
      return FALSE;
    }
  if (!_jz_store_insert_in_txn (store, &jz_entity_stay_extension, extension, error))
    return FALSE;
  episode->stay_deadline = extension->new_deadline;
  return _jz_store_update_in_txn (store, &jz_entity_episode, episode, error);
}

gboolean
jz_store_extend_stay (JzStore          *store,
                      JzStayExtension  *extension,
                      GError          **error)
{
  gboolean ok;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (extension != NULL, FALSE);

  if (!jz_store_write_begin (store, error))
    return FALSE;
  ok = extend_stay (store, extension, error);
  return jz_store_write_end (store, ok, ok ? error : NULL) && ok;
}

static gboolean
assign_bed (JzStore     *store,
            JzEpisode   *episode,
            const char  *bed_id,
            GError     **error)
{
  if (bed_id != NULL)
    {
      g_autoptr(JzBed) bed = jz_store_get_bed (store, bed_id, error);
      g_autoptr(JzRoom) room = NULL;
      g_autoptr(JzPerson) person = NULL;

      if (bed == NULL)
        return FALSE;
      room = jz_store_get_room (store, bed->room_id, error);
      if (room == NULL)
        return FALSE;
      if (!bed->active || !room->active || bed->rec.deleted || room->rec.deleted)
        {
          g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                       /* Translators: a bed's label (e.g. “3”) and a room's name. */
                       _("Bed %s in %s is not in use; choose another bed"), bed->label, room->name);
          return FALSE;
        }
      person = jz_store_get_person (store, episode->person_id, error);
      if (person == NULL)
        return FALSE;
      /* Rooms are separated by sex (381 art. 8). */
      if ((g_str_equal (room->kind, "men") && g_strcmp0 (person->sex, "female") == 0) ||
          (g_str_equal (room->kind, "women") && g_strcmp0 (person->sex, "male") == 0))
        {
          if (g_str_equal (room->kind, "men"))
            g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                         /* Translators: %s is a room's name. */
                         _("%s is a men's room; choose a bed in a room for women"), room->name);
          else
            g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_INVALID,
                         /* Translators: %s is a room's name. */
                         _("%s is a women's room; choose a bed in a room for men"), room->name);
          return FALSE;
        }
    }
  g_free (episode->bed_id);
  episode->bed_id = g_strdup (bed_id);
  return _jz_store_update_in_txn (store, &jz_entity_episode, episode, error);
}

gboolean
jz_store_assign_bed (JzStore     *store,
                     JzEpisode   *episode,
                     const char  *bed_id,
                     GError     **error)
{
  gboolean ok;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (episode != NULL && episode->rec.id != NULL, FALSE);

  if (!jz_store_write_begin (store, error))
    return FALSE;
  ok = assign_bed (store, episode, bed_id, error);
  return jz_store_write_end (store, ok, ok ? error : NULL) && ok;
}

gboolean
jz_store_return_belongings (JzStore     *store,
                            const char  *episode_id,
                            gint64       at,
                            guint       *n_returned,
                            GError     **error)
{
  g_autoptr(GPtrArray) items = NULL;
  gboolean ok = TRUE;
  guint n = 0;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);
  g_return_val_if_fail (episode_id != NULL, FALSE);

  if (at == 0)
    at = g_get_real_time () / G_USEC_PER_SEC;
  if (!jz_store_write_begin (store, error))
    return FALSE;
  items = jz_store_list (store, &jz_entity_belonging, "episode_id", episode_id, NULL, FALSE, 0, error);
  ok = items != NULL;
  for (guint i = 0; ok && i < items->len; i++)
    {
      JzBelonging *b = items->pdata[i];

      if (b->returned_at != 0)
        continue;
      b->returned_at = at;
      b->returned_qty = b->qty;
      g_free (b->returned_by);
      b->returned_by = g_strdup (jz_store_get_actor (store));
      ok = _jz_store_update_in_txn (store, &jz_entity_belonging, b, error);
      n++;
    }
  if (n_returned != NULL)
    *n_returned = ok ? n : 0;
  return jz_store_write_end (store, ok, ok ? error : NULL) && ok;
}

GPtrArray *
jz_store_list_episodes_of_person (JzStore     *store,
                                  const char  *person_id,
                                  GError     **error)
{
  g_return_val_if_fail (JZ_IS_STORE (store), NULL);
  g_return_val_if_fail (person_id != NULL, NULL);

  return _jz_store_list_sql (store, &jz_entity_episode,
                             "WHERE person_id = ?1 AND deleted = 0 ORDER BY admitted_at DESC",
                             person_id, error);
}

GPtrArray *
jz_store_list_open_episodes (JzStore  *store,
                             GError  **error)
{
  g_return_val_if_fail (JZ_IS_STORE (store), NULL);

  /* Matches the partial index episode_open. */
  return _jz_store_list_sql (store, &jz_entity_episode,
                             "WHERE " JZ_EPISODE_OPEN ("") " "
                             "ORDER BY status, admitted_at",
                             NULL, error);
}

void
jz_bed_occupancy_free (JzBedOccupancy *o)
{
  if (o == NULL)
    return;
  g_free (o->bed_id);
  g_free (o->bed_label);
  g_free (o->room_id);
  g_free (o->room_name);
  g_free (o->room_kind);
  g_free (o->episode_id);
  g_free (o->episode_number);
  g_free (o->person_id);
  g_free (o->person_name);
  g_free (o);
}

static char *
dup_col (sqlite3_stmt *stmt,
         int           col)
{
  const char *t = (const char *) sqlite3_column_text (stmt, col);

  return t ? g_strdup (t) : NULL;
}

static char *
display_name (sqlite3_stmt *stmt,
              int           name_col,
              int           placeholder_col)
{
  if (sqlite3_column_type (stmt, name_col) != SQLITE_NULL)
    return dup_col (stmt, name_col);
  if (sqlite3_column_type (stmt, placeholder_col) == SQLITE_NULL)
    return NULL;
  return g_strdup_printf ("无名氏%lld", (long long) sqlite3_column_int64 (stmt, placeholder_col));
}

GPtrArray *
jz_store_list_bed_occupancy (JzStore  *store,
                             GError  **error)
{
  sqlite3_stmt *stmt;
  GPtrArray *out;
  int rc;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);

  stmt = jz_store_prepare (store,
                           "SELECT b.id, b.label, r.id, r.name, r.kind, e.id, e.number, p.id, p.name, "
                           "       p.placeholder_no, e.admitted_at "
                           "FROM bed b JOIN room r ON r.id = b.room_id "
                           "LEFT JOIN episode e ON e.bed_id = b.id AND e.deleted = 0 "
                           "     AND e.status IN ('screening', 'admitted') "
                           "LEFT JOIN person p ON p.id = e.person_id "
                           "WHERE b.deleted = 0 AND b.active = 1 AND r.deleted = 0 AND r.active = 1 "
                           "ORDER BY r.name, length (b.label), b.label",
                           error);
  if (stmt == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_bed_occupancy_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JzBedOccupancy *o = g_new0 (JzBedOccupancy, 1);

      o->bed_id = dup_col (stmt, 0);
      o->bed_label = dup_col (stmt, 1);
      o->room_id = dup_col (stmt, 2);
      o->room_name = dup_col (stmt, 3);
      o->room_kind = dup_col (stmt, 4);
      o->episode_id = dup_col (stmt, 5);
      o->episode_number = dup_col (stmt, 6);
      o->person_id = dup_col (stmt, 7);
      o->person_name = display_name (stmt, 8, 9);
      o->admitted_at = sqlite3_column_int64 (stmt, 10);
      g_ptr_array_add (out, o);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      g_ptr_array_unref (out);
      jz_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  return out;
}

void
jz_case_row_free (JzCaseRow *row)
{
  if (row == NULL)
    return;
  g_free (row->episode_id);
  g_free (row->number);
  g_free (row->person_id);
  g_free (row->person_name);
  g_free (row->sex);
  g_free (row->status);
  g_free (row);
}

GPtrArray *
jz_store_list_cases (JzStore  *store,
                     guint     offset,
                     guint     limit,
                     GError  **error)
{
  sqlite3_stmt *stmt;
  GPtrArray *out;
  int rc;

  g_return_val_if_fail (JZ_IS_STORE (store), NULL);

  /* Walks the episode_admitted index backwards: the first page of a
   * million episodes costs as much as the first page of ten. */
  stmt = jz_store_prepare (store,
                           "SELECT e.id, e.number, p.id, p.name, p.placeholder_no, p.sex, e.status, "
                           "       e.admitted_at, e.departed_at "
                           "FROM episode e JOIN person p ON p.id = e.person_id "
                           "WHERE e.deleted = 0 ORDER BY e.admitted_at DESC LIMIT ?1 OFFSET ?2",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, limit);
  sqlite3_bind_int64 (stmt, 2, offset);
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) jz_case_row_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JzCaseRow *row = g_new0 (JzCaseRow, 1);

      row->episode_id = dup_col (stmt, 0);
      row->number = dup_col (stmt, 1);
      row->person_id = dup_col (stmt, 2);
      row->person_name = display_name (stmt, 3, 4);
      row->sex = dup_col (stmt, 5);
      row->status = dup_col (stmt, 6);
      row->admitted_at = sqlite3_column_int64 (stmt, 7);
      row->departed_at = sqlite3_column_int64 (stmt, 8);
      g_ptr_array_add (out, row);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      g_ptr_array_unref (out);
      jz_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  return out;
}

gint64
jz_store_count_cases (JzStore  *store,
                      GError  **error)
{
  sqlite3_stmt *stmt;
  gint64 n = -1;
  int rc;

  g_return_val_if_fail (JZ_IS_STORE (store), -1);

  stmt = jz_store_prepare (store, "SELECT count(*) FROM episode WHERE deleted = 0", error);
  if (stmt == NULL)
    return -1;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  else
    jz_store_set_error_from_db (store, rc, error);
  sqlite3_reset (stmt);
  return n;
}
