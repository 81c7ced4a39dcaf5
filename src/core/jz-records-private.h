/* jz-records-private.h: shared between jz-schema.c and jz-records.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jz-records.h"

G_BEGIN_DECLS

gboolean jz_person_validate   (JzStore *store, const JzEntity *entity, gpointer record,
                               gconstpointer old, GError **error);
gboolean jz_episode_validate  (JzStore *store, const JzEntity *entity, gpointer record,
                               gconstpointer old, GError **error);
gboolean jz_belonging_validate (JzStore *store, const JzEntity *entity, gpointer record,
                                gconstpointer old, GError **error);
gboolean jz_departure_validate (JzStore *store, const JzEntity *entity, gpointer record,
                                gconstpointer old, GError **error);
gboolean jz_tracing_step_validate (JzStore *store, const JzEntity *entity, gpointer record,
                                   gconstpointer old, GError **error);
gboolean jz_attachment_validate (JzStore *store, const JzEntity *entity, gpointer record,
                                 gconstpointer old, GError **error);
gboolean jz_time_range_validate (JzStore *store, const JzEntity *entity, gpointer record,
                                 gconstpointer old, GError **error);

/* The write steps without their own transaction, for actions that group
 * several writes in one (jz-actions.c). */
gboolean       _jz_store_insert_in_txn (JzStore         *store,
                                        const JzEntity  *entity,
                                        gpointer         record,
                                        GError         **error);
gboolean       _jz_store_update_in_txn (JzStore         *store,
                                        const JzEntity  *entity,
                                        gpointer         record,
                                        GError         **error);
gboolean       _jz_store_delete_in_txn (JzStore         *store,
                                        const JzEntity  *entity,
                                        const char      *id,
                                        gint64           base_hlc,
                                        GError         **error);
GDestroyNotify _jz_record_free_func    (const JzEntity  *entity);
/* As jz_record_copy(), with the strings in @strings: free the copy with
 * g_free(), its strings with the chunk (bulk writers: the demo). */
gpointer       _jz_record_copy_to_chunk (const JzEntity *entity,
                                         gconstpointer   record,
                                         GStringChunk   *strings);

/* Answers whether @id is a live record of @target that the caller knows
 * the store has (an import: the records it has written). */
typedef gboolean (*JzKnownRefFunc) (const JzEntity *target,
                                    const char     *id,
                                    gpointer        user_data);
/* While set, a reference that @func knows is taken as valid without
 * asking the store; any other is looked up as before. NULL unsets. */
void           _jz_store_set_known_ref_func (JzStore         *store,
                                             JzKnownRefFunc   func,
                                             gpointer         user_data);
/* "<SELECT of the entity's columns> @where_order", with ?1 = @bind1. */
GPtrArray     *_jz_store_list_sql      (JzStore         *store,
                                        const JzEntity  *entity,
                                        const char      *where_order,
                                        const char      *bind1,
                                        GError         **error);

G_END_DECLS
