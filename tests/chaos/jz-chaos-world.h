/* jz-chaos-world.h: a hub, three county stations and a hub workstation as
 * real processes on 127.0.0.1, a seeded workload and seeded faults
 *
 * One world = one seed. It is set up once (hub store, stations, devices,
 * enrolment through one fault proxy per replica) and then runs several
 * rounds; a round is one fault schedule (jz_chaos_world_run_round) followed
 * by a heal and a wait for quiescence (jz_chaos_world_heal), after which the
 * oracle (jz-chaos-oracle.h) checks the invariants. Everything a round does
 * is drawn from the world's GRand in a fixed order, so the same seed gives
 * the same operations and faults in the same order; what the processes do in
 * between (when a sync runs, which request a fault hits) is timing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define JZ_CHAOS_N_REPLICAS 4
/* The replica that is a hub workstation (hub staff). */
#define JZ_CHAOS_HUB_REPLICA 3

/* A save whose reply came back: the outbox row it wrote. */
typedef struct
{
  char   *station;
  char   *epoch;
  gint64  seq;
  char   *entity;
  char   *id;
  char   *op;
  /* For edits: the one field written and its value (canonical, see
   * jz-chaos-oracle.c), else NULL. */
  char   *field;
  char   *value;
  guint   round;
  /* The writer's pull cursor when it saved: hub changes up to it were
   * seen; and how many restores of the hub had happened then. */
  gint64  cursor;
  guint   restores;
} JzChaosSave;

typedef struct _JzChaosWorld JzChaosWorld;

typedef struct
{
  JzChaosWorld *world;
  char        letter;         /* a, b, c, h */
  char       *station;
  gboolean    hub_level;
  char       *profile;
  char       *db_path;
  char       *epoch;
  char       *skew;           /* libfaketime offset ("+2d"), NULL: none */
  char       *device;

  /* The fault proxy in front of the hub for this replica. */
  GSubprocess       *proxy;
  GOutputStream     *proxy_in;
  GDataInputStream  *proxy_out;
  guint16            proxy_port;

  /* jz-chaos-station: the hands. */
  GSubprocess       *agent;
  GOutputStream     *agent_in;
  GDataInputStream  *agent_out;

  /* The sync process: `jiuzhu-cli sync --once` again and again, or the
   * `jiuzhu-cli sync` daemon. */
  GSubprocess       *sync;
  gboolean           sync_active;
  gboolean           sync_daemon;
  guint              sync_gen;
  guint              sync_timer;
  guint              sync_runs;

  GPtrArray         *beds;    /* bed ids of this station */
} JzChaosReplica;

typedef struct
{
  guint ops;
  guint saves;
  guint refused;              /* saves that returned an error (validation, conflict …) */
  guint pairs;                /* concurrent edits of one field at two replicas */
  guint transfers;
  guint proxy_events;
  guint sync_kills;
  guint hub_kills;
  guint hub_restores;
  guint hub_backups;
  guint hub_terms;
  guint quiesce_passes;
  double run_s;
  double heal_s;
} JzChaosStats;

struct _JzChaosWorld
{
  guint64          seed;
  char            *dir;
  char            *hub_db;
  guint16          hub_port;
  GSubprocess     *hub;
  GDataInputStream *hub_out;  /* kept open: the hub must never write to a closed pipe */
  guint            hub_generation;
  GCancellable    *cancellable;  /* cancelled when the world goes */
  GPtrArray       *backups;   /* paths of hub copies, oldest first */
  JzChaosReplica  *replicas[JZ_CHAOS_N_REPLICAS];

  GPtrArray       *saves;     /* JzChaosSave, in reply order */
  GHashTable      *catalog;   /* "entity/id" → JzChaosEntry */
  GPtrArray       *catalog_keys;  /* sorted keys, for reproducible picks */

  GRand           *rand;      /* the schedule: drawn in a fixed order */
  GRand           *timing;    /* relaunch delays: drawn as timing allows */
  guint            round;
  guint            step;
  gboolean         keep;      /* leave the directory for inspection */
  double           bed_rate;
  gboolean         restores_allowed;
  gboolean         deletes_allowed;
  gboolean         transfers_allowed;
  JzChaosStats     stats;
  GString         *log;       /* what the round did, for a failure report */
};

/* What the harness knows of a record (from the hub after a heal, and from
 * this round's creations). */
typedef struct
{
  char     *entity;
  char     *id;
  char     *owner;
  char     *parent;           /* episode of a child, person of an episode */
  gboolean  deleted;
  guint     round;            /* created in this round (0: known from the hub) */
  GPtrArray *visible;         /* other stations that may change it (transfers) */
} JzChaosEntry;

/* Paths of the programs, from the environment (meson sets them). */
gboolean       jz_chaos_find_programs     (GError        **error);
gboolean       jz_chaos_have_faketime     (void);

typedef enum
{
  JZ_CHAOS_WORLD_DEFAULT  = 0,
  JZ_CHAOS_WORLD_NO_SKEW  = 1 << 0,  /* every clock true (scripted tests) */
  JZ_CHAOS_WORLD_FAST_H   = 1 << 1,  /* with NO_SKEW: the hub workstation's clock +36h */
} JzChaosWorldFlags;

JzChaosWorld  *jz_chaos_world_new         (guint64            seed,
                                           JzChaosWorldFlags  flags,
                                           GError           **error);
gboolean       jz_chaos_world_run_round   (JzChaosWorld   *world,
                                           guint           round,
                                           GError        **error);
/* Heals and waits for quiescence; @status: also ask each replica's
 * `sync-status` (up to date, nothing pending). */
gboolean       jz_chaos_world_heal        (JzChaosWorld   *world,
                                           gboolean        status,
                                           GError        **error);
/* Reloads the catalog from the hub's store (after a heal). */
gboolean       jz_chaos_world_load_catalog (JzChaosWorld  *world,
                                            GError       **error);
/* Runs a program to completion; its stdout in @out. */
gboolean       jz_chaos_run_program       (JzChaosWorld   *world,
                                           JzChaosReplica *replica,
                                           const char    **argv,
                                           char          **out,
                                           int            *status,
                                           GError        **error);
const char    *jz_chaos_program           (const char     *name);

/* Scripted steps, for tests of one scenario. */
/* A command to a replica's agent (jz-chaos-station.c); the record's id, or
 * NULL with the agent's refusal as the error. */
char          *jz_chaos_world_exec        (JzChaosWorld   *world,
                                           guint           replica,
                                           GError        **error,
                                           const char     *format,
                                           ...) G_GNUC_PRINTF (4, 5);
/* `jiuzhu-cli sync --once` for one replica; FALSE if it failed. */
gboolean       jz_chaos_world_sync_once   (JzChaosWorld   *world,
                                           guint           replica,
                                           GError        **error);
gboolean       jz_chaos_world_backup_hub  (JzChaosWorld   *world,
                                           GError        **error);
gboolean       jz_chaos_world_restore_hub (JzChaosWorld   *world,
                                           guint           backup,
                                           GError        **error);
void           jz_chaos_world_free        (JzChaosWorld   *world);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JzChaosWorld, jz_chaos_world_free)

G_END_DECLS
