/* jz-search.h: finding people (search as you type, duplicate candidates,
 * repeat visits)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jz-dupscore.h"
#include "jz-records.h"

G_BEGIN_DECLS

/* How a search row matched, best first. Stable ids in parentheses. */
typedef enum
{
  JZ_SEARCH_MATCH_ID_NUMBER,   /* "id_number": ID number contains the digits */
  JZ_SEARCH_MATCH_PLACEHOLDER, /* "placeholder": 无名氏 number */
  JZ_SEARCH_MATCH_EPISODE,     /* "episode": episode number starts so */
  JZ_SEARCH_MATCH_NAME,        /* "name": name or alias is the text */
  JZ_SEARCH_MATCH_NAME_PREFIX, /* "name_prefix": name or alias starts so */
  JZ_SEARCH_MATCH_NAME_PART,   /* "name_part": name or alias contains it */
  JZ_SEARCH_MATCH_PINYIN,      /* "pinyin": whole pinyin or initials */
  JZ_SEARCH_MATCH_PINYIN_PREFIX, /* "pinyin_prefix": pinyin or initials start so */
  JZ_SEARCH_MATCH_PINYIN_PART, /* "pinyin_part": from a later syllable, or a homophone */
  JZ_SEARCH_MATCH_DESCRIPTION, /* "description": description, marks, clothing, dialect, residence */
} JzSearchMatch;

const char *jz_search_match_to_string (JzSearchMatch match);

/* One person found. Strings owned. */
typedef struct
{
  char          *person_id;
  char          *name;             /* display name: 无名氏12 for the unnamed */
  char          *sex;              /* unknown | male | female */
  int            age;              /* today, best guess; -1 unknown */
  char          *id_number;        /* NULL when unknown */
  char          *hukou_region;     /* NULL when unknown */
  char          *station;          /* the station that recorded the person */
  guint          n_episodes;       /* at every station known here */
  char          *episode_id;       /* the latest episode, or NULL */
  char          *episode_number;
  char          *episode_status;   /* screening | admitted | … | departed */
  gint64         admitted_at;      /* of the latest episode; 0 without one */
  JzSearchMatch  match;            /* duplicates: how the candidate was found
                                      (id_number, pinyin = same sound of a name,
                                      pinyin_part = initials/birth/county facets) */
} JzSearchRow;

void       jz_search_row_free       (JzSearchRow  *row);

/* People matching @text, best first: an ID number containing the digits
 * (4 or more), a 无名氏 number, an episode number (with dashes); names and
 * aliases that are the text, start with it, contain it; pinyin, compact
 * pinyin ("zhangwei", "zhang wei") and initials ("zw"), whole, as a
 * prefix, from a later syllable; homophones; descriptions. Within one kind
 * of match the most recently recorded person comes first. @limit rows from
 * @offset (the first pages are cheap; a deep offset costs as much as the
 * rows before it). Tombstoned people are not found. An empty @text finds
 * nobody.
 * Returns: (element-type JzSearchRow): a GPtrArray that frees its rows. */
GPtrArray *jz_search_people         (JzStore      *store,
                                     const char   *text,
                                     guint         limit,
                                     guint         offset,
                                     GError      **error);

/* The ids of the first @limit people jz_search_people() finds, in its
 * order, without reading their details (a list that reads them itself).
 * Returns: (element-type utf8): a GPtrArray of person ids that frees them. */
GPtrArray *jz_search_people_ids     (JzStore      *store,
                                     const char   *text,
                                     guint         limit,
                                     GError      **error);

/* A possible duplicate of an intake. */
typedef struct
{
  JzSearchRow  person;
  int          score;              /* 0–100 (jz-dupscore.h) */
  GPtrArray   *reasons;            /* char*, English, strongest first */
  GPtrArray   *episodes;           /* JzEpisode*, newest first, at every station
                                      known here (跑站: rec.station tells where) */
} JzDupCandidate;

void       jz_dup_candidate_free    (JzDupCandidate *candidate);

/* People on file who may be @intake, best first, at most @limit, scored
 * with jz_dupscore_rank() (those under JZ_DUPSCORE_SHOW_MIN left out).
 * Candidates are fetched by the same ID number, the same pinyin of the
 * name or an alias (homophones included), the same initials with the same
 * or unknown sex and a birth year within reach, the same exact birth
 * date, and the same 户籍地 with sex and age. @intake->pinyin may be NULL.
 * Returns: (element-type JzDupCandidate): a GPtrArray that frees them. */
GPtrArray *jz_search_duplicates     (JzStore           *store,
                                     const JzDupPerson *intake,
                                     guint              limit,
                                     GError           **error);

/* Fills @out (for jz_search_duplicates) from a person record; strings
 * point into @person and into @aliases_out (a NULL-terminated array the
 * caller frees with g_strfreev after use). */
void       jz_dup_person_from_record (JzDupPerson    *out,
                                      const JzPerson *person,
                                      char         ***aliases_out);

/* Repeat visits (跑站): the person's episodes at every station known
 * here, newest first. jz_store_list_episodes_of_person() in jz-actions.h
 * does the same; this is its name in the search API.
 * Returns: (element-type JzEpisode): a GPtrArray that frees them. */
GPtrArray *jz_search_person_episodes (JzStore     *store,
                                      const char  *person_id,
                                      GError     **error);

/* The SQL functions the search triggers call (0003-search.sql,
 * 0010-search-deferred.sql): jz_search_names(), jz_search_facets(),
 * jz_search_text(), jz_search_deferred(). JzStore
 * registers them on each of its connections. */
gboolean   jz_search_register_functions (sqlite3    *db,
                                         GError    **error);

/* Writes the search documents of the people the current transaction
 * wrote (noted in search_dirty by the triggers), in one statement per
 * index. jz_store_commit calls it before COMMIT; searches call it so that
 * they see their own transaction's writes. Outside a transaction, it
 * writes (in a transaction of its own) what a writer that committed
 * without jz_store_commit left noted. */
gboolean   jz_search_flush          (JzStore      *store,
                                     GError      **error);

/* Recreates every search document from the person table (after a change
 * to how documents are made). One transaction. */
gboolean   jz_search_rebuild        (JzStore      *store,
                                     GError      **error);

/* Merges each search index into one segment (FTS5 'optimize'), in the
 * current transaction. After bulk writes, which leave many segments, the
 * everyday writes otherwise pay for merging them, a few at a time: at a
 * million people one registration in a hundred took 15-30 ms more. About
 * 3 s at a million people. */
gboolean   jz_search_optimize       (JzStore      *store,
                                     GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzSearchRow, jz_search_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzDupCandidate, jz_dup_candidate_free)

G_END_DECLS
