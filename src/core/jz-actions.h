/* jz-actions.h: what a person does at the station, each one transaction
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jz-episode-rules.h"
#include "jz-records.h"

G_BEGIN_DECLS

/* Registration (登记): a new person (rec.id NULL) or an existing one
 * (rec.id set: saved with jz_store_update, so rec.hlc must be current),
 * their new episode (number, stay deadline and person_id filled in) and
 * the belongings taken in (episode_id filled in). All or nothing. */
gboolean    jz_store_register_intake     (JzStore            *store,
                                          JzPerson           *person,
                                          JzEpisode          *episode,
                                          JzBelonging       **belongings,
                                          guint               n_belongings,
                                          GError            **error);

/* Departure (离站): checks the status machine and the departure rules
 * (self-departure, collector, cash over 20 yuan) for this person, records
 * @departure and closes @episode (status departed, departed_at, bed
 * freed). @episode is updated in place; its rec.hlc must be current. */
gboolean    jz_store_record_departure    (JzStore            *store,
                                          JzEpisode          *episode,
                                          JzDepartureRecord  *departure,
                                          GError            **error);

/* Files a stay extension and moves the episode's stay deadline. */
gboolean    jz_store_extend_stay         (JzStore            *store,
                                          JzStayExtension    *extension,
                                          GError            **error);

/* Puts the episode's person in @bed_id (NULL: no bed). The bed must be
 * free and its room must suit the person's sex. */
gboolean    jz_store_assign_bed          (JzStore            *store,
                                          JzEpisode          *episode,
                                          const char         *bed_id,
                                          GError            **error);

/* Marks every belonging of the episode not yet returned as returned at
 * @at (0: now) by the current actor, in full. Returns the count in
 * @n_returned. */
gboolean    jz_store_return_belongings   (JzStore            *store,
                                          const char         *episode_id,
                                          gint64              at,
                                          guint              *n_returned,
                                          GError            **error);

/* What the rules need to know about a person (jz-episode-rules.h), from
 * the person and, when given, the health recorded at intake. */
void        jz_person_get_facts          (const JzPerson     *person,
                                          const JzEpisode    *episode,
                                          JzPersonFacts      *facts);
/* The same from a row of @stmt: the person's birth_date, birth_precision,
 * estimated_age, estimated_on and flags in five columns from
 * @person_col; the episode's health and flags in @episode_col and the
 * column after it (-1: no episode). */
void        jz_person_get_facts_from_row (sqlite3_stmt       *stmt,
                                          int                 person_col,
                                          int                 episode_col,
                                          JzPersonFacts      *facts);

/* Reads for the views. Records are newly allocated; arrays free them. */
GPtrArray  *jz_store_list_episodes_of_person (JzStore        *store,
                                              const char     *person_id,
                                              GError        **error);
/* Episodes not closed (screening, admitted, hospital, police), oldest
 * admission first. */
GPtrArray  *jz_store_list_open_episodes  (JzStore            *store,
                                          GError            **error);

typedef struct
{
  char   *bed_id;
  char   *bed_label;
  char   *room_id;
  char   *room_name;
  char   *room_kind;
  char   *episode_id;        /* NULL: the bed is free */
  char   *episode_number;
  char   *person_id;
  char   *person_name;       /* display name (无名氏N for the unnamed) */
  gint64  admitted_at;
} JzBedOccupancy;

void        jz_bed_occupancy_free        (JzBedOccupancy     *occupancy);
/* Every active bed of active rooms, by room name and bed label. */
GPtrArray  *jz_store_list_bed_occupancy  (JzStore            *store,
                                          GError            **error);

typedef struct
{
  char   *episode_id;
  char   *number;
  char   *person_id;
  char   *person_name;       /* display name */
  char   *sex;
  char   *status;
  gint64  admitted_at;
  gint64  departed_at;
} JzCaseRow;

void        jz_case_row_free             (JzCaseRow          *row);
/* The case list, newest admission first, @limit rows from @offset. */
GPtrArray  *jz_store_list_cases          (JzStore            *store,
                                          guint               offset,
                                          guint               limit,
                                          GError            **error);
gint64      jz_store_count_cases         (JzStore            *store,
                                          GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzBedOccupancy, jz_bed_occupancy_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzCaseRow, jz_case_row_free)

G_END_DECLS
