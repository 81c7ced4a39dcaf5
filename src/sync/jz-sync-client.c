/* jz-sync-client.c: the background sync thread and its UI-facing state
 *
 * One dedicated GThread owns a JzSyncEngine (its own SQLite connection and
 * its one curl handle, so connections are kept alive between syncs). It
 * sleeps on a condition variable and wakes for: a local change, the
 * interval timer, "Sync now", the network coming back (GNetworkMonitor is
 * only a hint), and stop. After a failure it waits with exponential
 * backoff and jitter, capped, so that many devices coming back at once do
 * not arrive at the hub together; a local change does not cut the backoff
 * short, "Sync now" and the network coming back do.
 *
 * State goes to the UI thread with g_main_context_invoke; properties are
 * only touched there, and notify only on a real change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-sync"

#include "jz-sync-client.h"

#define BACKOFF_MIN_MS   1000
#define BACKOFF_MAX_MS   (5 * 60 * 1000)
/* Edits made within this window go to the hub together. */
#define DEBOUNCE_MS      30

enum
{
  WAKE_LOCAL   = 1 << 0,
  WAKE_NOW     = 1 << 1,
  WAKE_NETWORK = 1 << 2,
  WAKE_RELOAD  = 1 << 3,
  WAKE_STOP    = 1 << 4,
};

struct _JzSyncClient
{
  GObject          parent_instance;

  /* Borrowed */
  JzStore         *ui_store;

  /* Owned, UI thread */
  char            *db_path;
  GMainContext    *context;
  GThread         *thread;
  GCancellable    *cancellable;
  GNetworkMonitor *monitor;
  gulong           monitor_handler;
  gulong           store_handler;
  gboolean         announcing;

  JzSyncState      state;
  gint64           pending;
  gint64           last_success;
  char            *last_error;
  GQuark           last_error_domain;
  int              last_error_code;
  char            *hub_url;
  gboolean         enrolled;
  guint            cycles;

  /* Shared, under lock */
  GMutex           lock;
  GCond            cond;
  guint            wake;
  guint            interval_s;
};

enum
{
  PROP_0,
  PROP_STATE,
  PROP_PENDING,
  PROP_LAST_SUCCESS,
  PROP_LAST_ERROR,
  PROP_HUB_URL,
  PROP_ENROLLED,
  PROP_CYCLES,
  N_PROPS
};

enum
{
  APPLIED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (JzSyncClient, jz_sync_client, G_TYPE_OBJECT)

/* A report from the thread to the UI. */
typedef struct
{
  JzSyncClient *self;
  JzSyncState   state;
  gint64        pending;
  gint64        last_success;
  char         *last_error;
  GQuark        last_error_domain;
  int           last_error_code;
  char         *hub_url;
  gboolean      enrolled;
  gboolean      cycle_done;
  char        **tables;
} Report;

static void
report_free (Report *r)
{
  g_object_unref (r->self);
  g_free (r->last_error);
  g_free (r->hub_url);
  g_strfreev (r->tables);
  g_free (r);
}

static gboolean
report_apply (gpointer data)
{
  Report *r = data;
  JzSyncClient *self = r->self;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->state != r->state)
    {
      self->state = r->state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (r->pending >= 0 && self->pending != r->pending)
    {
      self->pending = r->pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
    }
  if (r->last_success != 0 && self->last_success != r->last_success)
    {
      self->last_success = r->last_success;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SUCCESS]);
    }
  if (r->state != JZ_SYNC_STATE_SYNCING &&
      (g_strcmp0 (self->last_error, r->last_error) != 0 ||
       self->last_error_domain != r->last_error_domain || self->last_error_code != r->last_error_code))
    {
      g_free (self->last_error);
      self->last_error = g_strdup (r->last_error);
      self->last_error_domain = r->last_error_domain;
      self->last_error_code = r->last_error_code;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
    }
  if (g_strcmp0 (self->hub_url, r->hub_url) != 0)
    {
      g_free (self->hub_url);
      self->hub_url = g_strdup (r->hub_url);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HUB_URL]);
    }
  if (self->enrolled != r->enrolled)
    {
      self->enrolled = r->enrolled;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENROLLED]);
    }
  if (r->tables != NULL && r->tables[0] != NULL)
    {
      /* Open views refresh from the UI's own connection. */
      if (self->ui_store != NULL)
        {
          self->announcing = TRUE;
          for (guint i = 0; r->tables[i] != NULL; i++)
            jz_store_emit_changed (self->ui_store, r->tables[i]);
          self->announcing = FALSE;
        }
      g_signal_emit (self, signals[APPLIED], 0, r->tables);
    }
  if (r->cycle_done)
    {
      self->cycles++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CYCLES]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  return G_SOURCE_REMOVE;
}

static void
report (JzSyncClient *self,
        JzSyncState   state,
        JzSyncEngine *engine,
        const GError *error,
        JzSyncStats  *stats,
        gboolean      cycle_done,
        gint64        last_success)
{
  Report *r = g_new0 (Report, 1);

  r->self = g_object_ref (self);
  r->state = state;
  r->cycle_done = cycle_done;
  r->last_success = last_success;
  r->pending = -1;
  if (engine != NULL)
    {
      r->pending = jz_sync_engine_count_pending (engine);
      r->enrolled = jz_sync_engine_is_enrolled (engine);
      r->hub_url = g_strdup (jz_sync_engine_get_hub_url (engine));
    }
  if (error != NULL)
    {
      r->last_error = g_strdup (error->message);
      r->last_error_domain = error->domain;
      r->last_error_code = error->code;
    }
  if (stats != NULL && stats->tables != NULL && g_hash_table_size (stats->tables) > 0)
    {
      GPtrArray *names = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, stats->tables);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (names, g_strdup (key));
      g_ptr_array_add (names, NULL);
      r->tables = (char **) g_ptr_array_free (names, FALSE);
    }
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, report_apply, r,
                              (GDestroyNotify) report_free);
}

static gint64
backoff_ms (guint failures)
{
  gint64 base = BACKOFF_MIN_MS;

  for (guint i = 1; i < failures && base < BACKOFF_MAX_MS; i++)
    base *= 2;
  base = MIN (base, BACKOFF_MAX_MS);
  /* Full jitter in the upper half: spread, but never immediate. */
  return base / 2 + g_random_int_range (0, (gint32) (base / 2) + 1);
}

static gpointer
worker (gpointer data)
{
  JzSyncClient *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JzStore) store = jz_store_open (self->db_path, &error);
  g_autoptr(JzSyncEngine) engine = NULL;
  guint failures = 0;
  gint64 next_us = 0;   /* 0: at once */

  if (store == NULL)
    {
      report (self, JZ_SYNC_STATE_ERROR, NULL, error, NULL, TRUE, 0);
      g_object_unref (self);
      return NULL;
    }
  engine = jz_sync_engine_new (store, NULL);
  report (self, jz_sync_engine_is_enrolled (engine) ? JZ_SYNC_STATE_OFFLINE : JZ_SYNC_STATE_NOT_ENROLLED,
          engine, NULL, NULL, FALSE, 0);

  for (;;)
    {
      JzSyncStats stats;
      g_autoptr(GError) run_error = NULL;
      guint wake;
      gboolean ok;
      gint64 last_success = 0;

      g_mutex_lock (&self->lock);
      for (;;)
        {
          gint64 now = g_get_monotonic_time ();

          if (self->wake & (WAKE_STOP | WAKE_NOW | WAKE_NETWORK | WAKE_RELOAD))
            break;
          /* A local change goes out at once unless the hub is failing. */
          if ((self->wake & WAKE_LOCAL) && failures == 0)
            break;
          if (next_us != G_MAXINT64 && now >= next_us && jz_sync_engine_is_enrolled (engine))
            break;
          if (next_us == G_MAXINT64 || !jz_sync_engine_is_enrolled (engine))
            g_cond_wait (&self->cond, &self->lock);
          else
            g_cond_wait_until (&self->cond, &self->lock, next_us);
        }
      wake = self->wake;
      self->wake = 0;
      g_mutex_unlock (&self->lock);

      if (wake & WAKE_STOP)
        break;
      if (wake & WAKE_RELOAD)
        jz_sync_engine_reload (engine, NULL);
      if (wake & (WAKE_NOW | WAKE_NETWORK))
        failures = 0;
      if (!jz_sync_engine_is_enrolled (engine) && !jz_sync_engine_reload (engine, NULL))
        {
          report (self, JZ_SYNC_STATE_NOT_ENROLLED, engine, NULL, NULL, TRUE, 0);
          next_us = G_MAXINT64;
          continue;
        }
      if (wake == WAKE_LOCAL)
        g_usleep (DEBOUNCE_MS * 1000);

      report (self, JZ_SYNC_STATE_SYNCING, engine, NULL, NULL, FALSE, 0);
      jz_sync_stats_init (&stats);
      ok = jz_sync_engine_run_once (engine, self->cancellable, &stats, &run_error);
      if (g_error_matches (run_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          jz_sync_stats_clear (&stats);
          break;
        }
      jz_sync_engine_record_result (engine, run_error);
      if (ok)
        {
          failures = 0;
          last_success = g_get_real_time () / G_USEC_PER_SEC;
          next_us = g_get_monotonic_time () + (gint64) self->interval_s * G_USEC_PER_SEC;
          report (self, JZ_SYNC_STATE_UP_TO_DATE, engine, NULL, &stats, TRUE, last_success);
        }
      else
        {
          gboolean offline = g_error_matches (run_error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_NETWORK) ||
                             g_error_matches (run_error, JZ_PROTOCOL_ERROR, JZ_PROTOCOL_ERROR_UNAVAILABLE);

          failures++;
          next_us = g_get_monotonic_time () + backoff_ms (failures) * 1000;
          if (!g_error_matches (run_error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_NOT_ENROLLED))
            g_debug ("Sync failed (%u in a row): %s", failures, run_error->message);
          report (self,
                  g_error_matches (run_error, JZ_SYNC_ERROR, JZ_SYNC_ERROR_NOT_ENROLLED) ? JZ_SYNC_STATE_NOT_ENROLLED
                  : offline ? JZ_SYNC_STATE_OFFLINE : JZ_SYNC_STATE_ERROR,
                  engine, run_error, &stats, TRUE, 0);
        }
      jz_sync_stats_clear (&stats);
    }

  g_object_unref (self);
  return NULL;
}

static void
wake_up (JzSyncClient *self,
         guint         reason)
{
  g_mutex_lock (&self->lock);
  self->wake |= reason;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    JzSyncClient    *self)
{
  if (available)
    wake_up (self, WAKE_NETWORK);
}

/* The count shown while the worker waits (offline, backing off) must
 * still grow with each change saved; the UI's connection counts. */
static void
recount_pending (JzSyncClient *self)
{
  sqlite3_stmt *stmt;
  gint64 pending;

  if (self->ui_store == NULL)
    return;
  stmt = jz_store_prepare (self->ui_store, "SELECT count (*) FROM outbox WHERE acked = 0", NULL);
  if (stmt == NULL)
    return;
  pending = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : self->pending;
  sqlite3_reset (stmt);
  if (pending != self->pending)
    {
      self->pending = pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
    }
}

static void
on_store_changed (JzStore      *store,
                  const char   *table,
                  JzSyncClient *self)
{
  if (self->announcing)
    return;
  recount_pending (self);
  wake_up (self, WAKE_LOCAL);
}

static void
jz_sync_client_dispose (GObject *object)
{
  JzSyncClient *self = (JzSyncClient *) object;

  jz_sync_client_stop (self);
  if (self->monitor != NULL)
    g_clear_signal_handler (&self->monitor_handler, self->monitor);
  g_clear_object (&self->monitor);
  if (self->ui_store != NULL)
    {
      g_clear_signal_handler (&self->store_handler, self->ui_store);
      g_object_remove_weak_pointer (G_OBJECT (self->ui_store), (gpointer *) &self->ui_store);
      self->ui_store = NULL;
    }

  G_OBJECT_CLASS (jz_sync_client_parent_class)->dispose (object);
}

static void
jz_sync_client_finalize (GObject *object)
{
  JzSyncClient *self = (JzSyncClient *) object;

  g_free (self->db_path);
  g_free (self->last_error);
  g_free (self->hub_url);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (jz_sync_client_parent_class)->finalize (object);
}

static void
jz_sync_client_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  JzSyncClient *self = JZ_SYNC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PENDING:
      g_value_set_int64 (value, self->pending);
      break;
    case PROP_LAST_SUCCESS:
      g_value_set_int64 (value, self->last_success);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_HUB_URL:
      g_value_set_string (value, self->hub_url);
      break;
    case PROP_ENROLLED:
      g_value_set_boolean (value, self->enrolled);
      break;
    case PROP_CYCLES:
      g_value_set_uint (value, self->cycles);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jz_sync_client_class_init (JzSyncClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = jz_sync_client_dispose;
  object_class->finalize = jz_sync_client_finalize;
  object_class->get_property = jz_sync_client_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, JZ_TYPE_SYNC_STATE, JZ_SYNC_STATE_NOT_ENROLLED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PENDING] =
    g_param_spec_int64 ("pending", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Unix seconds; 0 when never. */
  properties[PROP_LAST_SUCCESS] =
    g_param_spec_int64 ("last-success", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HUB_URL] =
    g_param_spec_string ("hub-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENROLLED] =
    g_param_spec_boolean ("enrolled", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Completed sync attempts, successful or not (for tests and "details"). */
  properties[PROP_CYCLES] =
    g_param_spec_uint ("cycles", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * JzSyncClient::applied:
   * @tables: the tables a pull wrote
   */
  signals[APPLIED] =
    g_signal_new ("applied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRV);
}

static void
jz_sync_client_init (JzSyncClient *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->interval_s = 60;
  self->state = JZ_SYNC_STATE_NOT_ENROLLED;
}

JzSyncClient *
jz_sync_client_new (const char *db_path,
                    JzStore    *ui_store)
{
  JzSyncClient *self;
  JzSyncStatus status;

  g_return_val_if_fail (db_path != NULL, NULL);

  self = g_object_new (JZ_TYPE_SYNC_CLIENT, NULL);
  self->db_path = g_strdup (db_path);
  self->context = g_main_context_ref_thread_default ();
  if (ui_store != NULL)
    {
      self->ui_store = ui_store;
      g_object_add_weak_pointer (G_OBJECT (ui_store), (gpointer *) &self->ui_store);
      self->store_handler = g_signal_connect (ui_store, "changed", G_CALLBACK (on_store_changed), self);
      if (jz_sync_read_status (ui_store, &status))
        {
          self->enrolled = TRUE;
          self->hub_url = g_strdup (status.hub_url);
          self->state = JZ_SYNC_STATE_OFFLINE;
        }
      self->pending = status.pending;
      self->last_success = status.last_success;
      self->last_error = g_strdup (status.last_error);
      jz_sync_status_clear (&status);
    }
  return self;
}

void
jz_sync_client_start (JzSyncClient *self)
{
  g_return_if_fail (JZ_IS_SYNC_CLIENT (self));

  if (self->thread != NULL)
    return;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->wake = 0;
  if (self->monitor == NULL)
    {
      self->monitor = g_object_ref (g_network_monitor_get_default ());
      self->monitor_handler = g_signal_connect (self->monitor, "network-changed",
                                                G_CALLBACK (on_network_changed), self);
    }
  self->thread = g_thread_new ("jz-sync", worker, g_object_ref (self));
}

void
jz_sync_client_stop (JzSyncClient *self)
{
  g_return_if_fail (JZ_IS_SYNC_CLIENT (self));

  if (self->thread == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  wake_up (self, WAKE_STOP);
  g_thread_join (self->thread);
  self->thread = NULL;
}

void
jz_sync_client_sync_now (JzSyncClient *self)
{
  g_return_if_fail (JZ_IS_SYNC_CLIENT (self));
  wake_up (self, WAKE_NOW);
}

void
jz_sync_client_local_change (JzSyncClient *self)
{
  g_return_if_fail (JZ_IS_SYNC_CLIENT (self));
  wake_up (self, WAKE_LOCAL);
}

void
jz_sync_client_reload (JzSyncClient *self)
{
  g_return_if_fail (JZ_IS_SYNC_CLIENT (self));
  wake_up (self, WAKE_RELOAD);
}

void
jz_sync_client_set_interval (JzSyncClient *self,
                             guint         seconds)
{
  g_return_if_fail (JZ_IS_SYNC_CLIENT (self));
  g_mutex_lock (&self->lock);
  self->interval_s = MAX (1, seconds);
  g_mutex_unlock (&self->lock);
}

JzSyncState
jz_sync_client_get_state (JzSyncClient *self)
{
  g_return_val_if_fail (JZ_IS_SYNC_CLIENT (self), JZ_SYNC_STATE_ERROR);
  return self->state;
}

gint64
jz_sync_client_get_pending (JzSyncClient *self)
{
  g_return_val_if_fail (JZ_IS_SYNC_CLIENT (self), 0);
  return self->pending;
}

gint64
jz_sync_client_get_last_success (JzSyncClient *self)
{
  g_return_val_if_fail (JZ_IS_SYNC_CLIENT (self), 0);
  return self->last_success;
}

const char *
jz_sync_client_get_last_error (JzSyncClient *self)
{
  g_return_val_if_fail (JZ_IS_SYNC_CLIENT (self), NULL);
  return self->last_error;
}

void
jz_sync_client_get_last_error_code (JzSyncClient *self,
                                    GQuark       *domain,
                                    int          *code)
{
  g_return_if_fail (JZ_IS_SYNC_CLIENT (self));
  if (domain != NULL)
    *domain = self->last_error != NULL ? self->last_error_domain : 0;
  if (code != NULL)
    *code = self->last_error != NULL ? self->last_error_code : 0;
}

const char *
jz_sync_client_get_hub_url (JzSyncClient *self)
{
  g_return_val_if_fail (JZ_IS_SYNC_CLIENT (self), NULL);
  return self->hub_url;
}

gboolean
jz_sync_client_get_enrolled (JzSyncClient *self)
{
  g_return_val_if_fail (JZ_IS_SYNC_CLIENT (self), FALSE);
  return self->enrolled;
}

guint
jz_sync_client_get_cycles (JzSyncClient *self)
{
  g_return_val_if_fail (JZ_IS_SYNC_CLIENT (self), 0);
  return self->cycles;
}
