/* test-chaos.c: seeded fault schedules against a real hub and real
 * stations, then the invariants (tests/chaos/README.md)
 *
 * Environment:
 *   JZ_CHAOS_SEED=S        replay world S alone (what a failure prints)
 *   JZ_CHAOS_SEED_BASE=B   first seed (default 1; the soak: from the clock)
 *   JZ_CHAOS_WORLDS=N      worlds to run (default 1)
 *   JZ_CHAOS_SCHEDULES=M   instead: start worlds (seeds B, B+1, …) until M
 *                          schedules have run (a world that fails stops
 *                          early, so this counts what was really run)
 *   JZ_CHAOS_ROUNDS=K      schedules per world (default 4)
 *   JZ_CHAOS_SECONDS=T     start no new world after T seconds (the soak)
 *   JZ_CHAOS_DEADLINE=T    the same, but a run that stops short of
 *                          JZ_CHAOS_SCHEDULES by it fails (CI: fewer
 *                          schedules than asked for must not pass)
 *   JZ_CHAOS_FULL=1        run `check` of hub and replicas after every
 *                          schedule, not only the last of a world
 *   JZ_CHAOS_KEEP=1        keep the worlds' directories (logs, stores)
 *   JZ_CHAOS_VERBOSE=1     print each step as it happens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-chaos"

#include <stdio.h>
#include <string.h>

#include "jz-chaos-oracle.h"
#include "jz-chaos-world.h"
#include "jz-core.h"

#include <sqlite3.h>

/* Defaults from the command line (meson's test() args), then the
 * environment, which wins: JZ_CHAOS_SEED=S replays S whatever the test. */
static GHashTable *options;

static guint64
env_u64 (const char *name,
         guint64     fallback)
{
  const char *text = g_getenv (name);
  guint64 v;

  if (text == NULL && options != NULL)
    text = g_hash_table_lookup (options, name);

  if (text != NULL && g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &v, NULL))
    return v;
  return fallback;
}

typedef struct
{
  guint worlds;
  guint schedules;
  guint failed_worlds;
  GString *failures;         /* "invariant seed/round" lines */
  JzChaosStats total;
} Summary;

static void
add_stats (JzChaosStats       *total,
           const JzChaosStats *s)
{
  total->ops += s->ops;
  total->saves += s->saves;
  total->refused += s->refused;
  total->pairs += s->pairs;
  total->transfers += s->transfers;
  total->proxy_events += s->proxy_events;
  total->sync_kills += s->sync_kills;
  total->hub_kills += s->hub_kills;
  total->hub_restores += s->hub_restores;
  total->hub_backups += s->hub_backups;
  total->hub_terms += s->hub_terms;
  total->quiesce_passes += s->quiesce_passes;
  total->run_s += s->run_s;
  total->heal_s += s->heal_s;
}

/* The invariants that failed, one word each, for the summary. */
static void
note_failure (Summary    *sum,
              const char *report,
              guint64     seed,
              guint       round)
{
  g_auto(GStrv) lines = g_strsplit (report, "\n", -1);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');
      char *name;

      if (colon == NULL)
        continue;
      name = g_strndup (lines[i], colon - lines[i]);
      if (!g_hash_table_add (seen, name))
        continue;
      g_string_append_printf (sum->failures, "%s seed=%" G_GUINT64_FORMAT " round=%u\n", name, seed, round);
    }
}

static void
print_block (const char *prefix,
             const char *text,
             guint       max_lines)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);
  guint first = n > max_lines ? n - max_lines : 0;

  if (first > 0)
    g_test_message ("%s(%u earlier lines left out)", prefix, first);
  for (guint i = first; i < n; i++)
    if (*lines[i] != '\0')
      g_test_message ("%s%s", prefix, lines[i]);
}

/* One world: its rounds, each followed by a heal and the oracle. */
static gboolean
run_world (guint64  seed,
           guint    rounds,
           Summary *sum)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JzChaosWorld) w = NULL;
  g_autoptr(GString) report = g_string_new (NULL);
  gboolean full_every = g_getenv ("JZ_CHAOS_FULL") != NULL;
  gint64 start = g_get_monotonic_time ();
  guint done = 0;
  gboolean ok = TRUE;

  w = jz_chaos_world_new (seed, JZ_CHAOS_WORLD_DEFAULT, &error);
  if (w == NULL)
    {
      g_test_message ("CHAOS FAILURE seed=%" G_GUINT64_FORMAT ": the world could not be set up: %s",
                      seed, error->message);
      g_string_append_printf (sum->failures, "harness seed=%" G_GUINT64_FORMAT " round=0\n", seed);
      return FALSE;
    }

  for (guint round = 1; round <= rounds && ok; round++)
    {
      g_string_truncate (w->log, 0);
      g_string_truncate (report, 0);
      if (!jz_chaos_world_run_round (w, round, &error))
        g_string_append_printf (report, "harness: the schedule could not run: %s\n", error->message);
      else if (!jz_chaos_world_heal (w, full_every || round == rounds, &error))
        g_string_append_printf (report, "quiescence: %s\n", error->message);
      g_clear_error (&error);
      /* The oracle runs even without quiescence: it says what is wrong. */
      jz_chaos_oracle_check (w, full_every || round == rounds || report->len > 0, report);
      done++;
      if (report->len > 0)
        {
          ok = FALSE;
          g_test_message ("CHAOS FAILURE seed=%" G_GUINT64_FORMAT " round=%u", seed, round);
          print_block ("  ", report->str, 40);
          g_test_message ("  what the round did (last lines):");
          print_block ("", w->log->str, 60);
          g_test_message ("  replay: JZ_CHAOS_SEED=%" G_GUINT64_FORMAT " JZ_CHAOS_ROUNDS=%u JZ_CHAOS_KEEP=1 %s",
                          seed, round, g_get_prgname ());
          if (w->keep)
            g_test_message ("  the world is kept in %s", w->dir);
          note_failure (sum, report->str, seed, round);
        }
      else if (!jz_chaos_world_load_catalog (w, &error))
        {
          g_test_message ("CHAOS FAILURE seed=%" G_GUINT64_FORMAT " round=%u: %s", seed, round, error->message);
          g_string_append_printf (sum->failures, "harness seed=%" G_GUINT64_FORMAT " round=%u\n", seed, round);
          ok = FALSE;
        }
    }

  g_test_message ("world %" G_GUINT64_FORMAT ": %u schedule(s) %s in %.1f s; %u saves (%u refused), %u concurrent pairs, "
                  "%u transfers; faults: %u proxy switches, %u sync kill -9, %u hub kill -9, %u hub SIGTERM, "
                  "%u backups, %u restores; run %.1f s, heal %.1f s (%u passes)",
                  seed, done, ok ? "passed" : "FAILED", (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC,
                  w->stats.saves, w->stats.refused, w->stats.pairs, w->stats.transfers, w->stats.proxy_events,
                  w->stats.sync_kills, w->stats.hub_kills, w->stats.hub_terms, w->stats.hub_backups,
                  w->stats.hub_restores, w->stats.run_s, w->stats.heal_s, w->stats.quiesce_passes);
  sum->worlds++;
  sum->schedules += done;
  add_stats (&sum->total, &w->stats);
  if (!ok)
    sum->failed_worlds++;
  return ok;
}

static void
test_schedules (void)
{
  g_autoptr(GError) error = NULL;
  const char *replay = g_getenv ("JZ_CHAOS_SEED");
  /* The soak draws its seeds from the clock; they are printed. */
  guint64 base = env_u64 ("JZ_CHAOS_SEED_BASE",
                          env_u64 ("JZ_CHAOS_RANDOM_BASE", 0) ? (guint64) (g_get_real_time () / 1000) % 100000000 * 100 : 1);
  guint worlds = (guint) env_u64 ("JZ_CHAOS_WORLDS", 1);
  guint schedules = (guint) env_u64 ("JZ_CHAOS_SCHEDULES", 0);
  guint rounds = (guint) env_u64 ("JZ_CHAOS_ROUNDS", 4);
  guint64 seconds = env_u64 ("JZ_CHAOS_SECONDS", 0);
  guint64 deadline = env_u64 ("JZ_CHAOS_DEADLINE", 0);
  gboolean cut_short = FALSE;
  gint64 start = g_get_monotonic_time ();
  Summary sum = { 0 };

  if (!jz_chaos_find_programs (&error))
    {
      g_test_skip (error->message);
      return;
    }
  if (!jz_chaos_have_faketime ())
    g_test_message ("libfaketime not found: clocks are not skewed (install faketime)");
  sum.failures = g_string_new (NULL);

  if (replay != NULL)
    {
      base = g_ascii_strtoull (replay, NULL, 10);
      worlds = 1;
      schedules = 0;
    }
  if (schedules > 0)
    worlds = G_MAXUINT;
  for (guint i = 0; i < worlds && (schedules == 0 || sum.schedules < schedules); i++)
    {
      if (seconds > 0 && g_get_monotonic_time () - start > (gint64) seconds * G_USEC_PER_SEC)
        {
          g_test_message ("time budget of %" G_GUINT64_FORMAT " s used up: no more worlds", seconds);
          break;
        }
      if (deadline > 0 && g_get_monotonic_time () - start > (gint64) deadline * G_USEC_PER_SEC)
        {
          cut_short = TRUE;
          break;
        }
      run_world (base + i, schedules > 0 ? MIN (rounds, schedules - sum.schedules) : rounds, &sum);
    }

  g_test_message ("chaos: %u world(s), %u schedule(s), %u failed world(s) in %.1f s; %u saves, %u refused, "
                  "%u concurrent pairs, %u transfers, %u proxy switches, %u sync kill -9, %u hub kill -9, "
                  "%u restores from backup; %.1f s of faulty workload, %.1f s of heal",
                  sum.worlds, sum.schedules, sum.failed_worlds,
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC, sum.total.saves, sum.total.refused,
                  sum.total.pairs, sum.total.transfers, sum.total.proxy_events, sum.total.sync_kills,
                  sum.total.hub_kills, sum.total.hub_restores, sum.total.run_s, sum.total.heal_s);
  if (cut_short)
    g_test_fail_printf ("the deadline of %" G_GUINT64_FORMAT " s came after %u of the %u schedules asked for: "
                        "this machine is too slow or too loaded for the chaos suite, or the sync got slower "
                        "(see the seconds per world above)", deadline, sum.schedules, schedules);
  if (sum.failures->len > 0)
    {
      g_test_message ("failed invariants (invariant seed round):");
      print_block ("  ", sum.failures->str, 200);
      g_test_fail_printf ("%u of %u world(s) broke an invariant; replay one with JZ_CHAOS_SEED=S",
                          sum.failed_worlds, sum.worlds);
    }
  g_string_free (sum.failures, TRUE);
}

#define return_if_failed() G_STMT_START { if (g_test_failed ()) return; } G_STMT_END

/* Scenarios the schedules found, as fixed scripts (no faults, true
 * clocks): each fails while the bug it shows is there. */

static JzChaosWorld *
scripted_world_full (JzChaosWorldFlags flags)
{
  g_autoptr(GError) error = NULL;
  JzChaosWorld *w;

  if (!jz_chaos_find_programs (&error))
    {
      g_test_skip (error->message);
      return NULL;
    }
  w = jz_chaos_world_new (1, JZ_CHAOS_WORLD_NO_SKEW | flags, &error);
  g_assert_no_error (error);
  w->round = 1;
  return w;
}

static JzChaosWorld *
scripted_world (void)
{
  return scripted_world_full (JZ_CHAOS_WORLD_DEFAULT);
}

#define A 0
#define B 1
#define H JZ_CHAOS_HUB_REPLICA

static void
sync_ok (JzChaosWorld *w,
         guint         replica)
{
  g_autoptr(GError) error = NULL;

  jz_chaos_world_sync_once (w, replica, &error);
  g_assert_no_error (error);
  return_if_failed ();
}

/* Heal (quiescence) and the whole oracle: the report must be empty. */
static void
assert_invariants (JzChaosWorld *w)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) report = g_string_new (NULL);

  if (!jz_chaos_world_heal (w, TRUE, &error))
    g_string_append_printf (report, "quiescence: %s\n", error->message);
  jz_chaos_oracle_check (w, TRUE, report);
  if (report->len > 0)
    {
      print_block ("  ", w->log->str, 60);
      print_block ("  ", report->str, 40);
    }
  g_assert_cmpstr (report->str, ==, "");
}

/* Station a's episode has a bed; the hub workstation transfers it to b.
 * b receives an episode whose bed_id names a bed b does not have. */
static void
test_transfer_with_bed (void)
{
  g_autoptr(JzChaosWorld) w = scripted_world ();
  g_autoptr(GError) error = NULL;
  g_autofree char *person = NULL;
  g_autofree char *episode = NULL;
  g_autofree char *done = NULL;

  if (w == NULL)
    return;
  person = jz_chaos_world_exec (w, A, &error, "create person Transfer male -");
  g_assert_no_error (error);
  return_if_failed ();
  episode = jz_chaos_world_exec (w, A, &error, "create episode %s %s", person,
                                 (char *) w->replicas[A]->beds->pdata[0]);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, A);
  sync_ok (w, H);
  done = jz_chaos_world_exec (w, H, &error, "transfer episode %s %s", episode, w->replicas[B]->station);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, H);
  assert_invariants (w);
}

/* The hub loses a station's insert (restored from a backup taken before
 * it), and the hub workstation's edit of that record is pushed again
 * before the station's insert is. */
static void
test_restore_edit_before_insert (void)
{
  g_autoptr(JzChaosWorld) w = scripted_world ();
  g_autoptr(GError) error = NULL;
  g_autofree char *person = NULL;
  g_autofree char *edited = NULL;

  if (w == NULL)
    return;
  jz_chaos_world_backup_hub (w, &error);
  g_assert_no_error (error);
  return_if_failed ();
  person = jz_chaos_world_exec (w, A, &error, "create person Restore female -");
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, A);
  sync_ok (w, H);
  edited = jz_chaos_world_exec (w, H, &error, "edit person %s description h.edit", person);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, H);
  jz_chaos_world_restore_hub (w, 0, &error);
  g_assert_no_error (error);
  return_if_failed ();
  /* The hub workstation comes back first. */
  sync_ok (w, H);
  assert_invariants (w);
}

/* A delete is a tombstone carrying who deleted it (updated_by). */
static void
test_delete_keeps_updated_by (void)
{
  g_autoptr(JzChaosWorld) w = scripted_world ();
  g_autoptr(GError) error = NULL;
  g_autofree char *person = NULL;
  g_autofree char *episode = NULL;
  g_autofree char *belonging = NULL;
  g_autofree char *deleted = NULL;

  if (w == NULL)
    return;
  person = jz_chaos_world_exec (w, A, &error, "create person Delete male -");
  g_assert_no_error (error);
  return_if_failed ();
  episode = jz_chaos_world_exec (w, A, &error, "create episode %s -", person);
  g_assert_no_error (error);
  return_if_failed ();
  belonging = jz_chaos_world_exec (w, A, &error, "create belonging %s coat 1", episode);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, A);
  sync_ok (w, H);
  deleted = jz_chaos_world_exec (w, H, &error, "delete belonging %s", belonging);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, H);
  assert_invariants (w);
}

/* The owner edits an episode; before its sync the hub workstation
 * transfers the episode to b. The hub applies the owner's edit (it was
 * based on what the hub had: nothing of it changed since); the transfer's
 * snapshot of the episode must not undo it at the owner. */
static void
test_transfer_snapshot_keeps_pending_edit (void)
{
  g_autoptr(JzChaosWorld) w = scripted_world ();
  g_autoptr(GError) error = NULL;
  g_autofree char *person = NULL;
  g_autofree char *episode = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *done = NULL;

  if (w == NULL)
    return;
  person = jz_chaos_world_exec (w, A, &error, "create person Snapshot female -");
  g_assert_no_error (error);
  return_if_failed ();
  episode = jz_chaos_world_exec (w, A, &error, "create episode %s -", person);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, A);
  sync_ok (w, H);
  edited = jz_chaos_world_exec (w, A, &error, "edit episode %s reason a.before-transfer", episode);
  g_assert_no_error (error);
  return_if_failed ();
  done = jz_chaos_world_exec (w, H, &error, "transfer episode %s %s", episode, w->replicas[B]->station);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, H);
  assert_invariants (w);
}

/* a deletes a belonging while the hub workstation edits it: the edit has
 * the higher authority, so the hub keeps the belonging alive and a's
 * delete is a conflict. a must show the belonging alive too. */
static void
test_delete_loses_to_hub_edit (void)
{
  g_autoptr(JzChaosWorld) w = scripted_world ();
  g_autoptr(GError) error = NULL;
  g_autofree char *person = NULL;
  g_autofree char *episode = NULL;
  g_autofree char *belonging = NULL;
  g_autofree char *deleted = NULL;
  g_autofree char *edited = NULL;

  if (w == NULL)
    return;
  person = jz_chaos_world_exec (w, A, &error, "create person Revive male -");
  g_assert_no_error (error);
  return_if_failed ();
  episode = jz_chaos_world_exec (w, A, &error, "create episode %s -", person);
  g_assert_no_error (error);
  return_if_failed ();
  belonging = jz_chaos_world_exec (w, A, &error, "create belonging %s phone 1", episode);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, A);
  sync_ok (w, H);
  deleted = jz_chaos_world_exec (w, A, &error, "delete belonging %s", belonging);
  g_assert_no_error (error);
  return_if_failed ();
  edited = jz_chaos_world_exec (w, H, &error, "edit belonging %s storage h.locker-3", belonging);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, H);
  sync_ok (w, A);
  assert_invariants (w);
}

/* The hub is restored from a backup; after it, the changes are committed
 * again in another order, and the change at a's cursor happens to be the
 * same one as before. A hello that checks only that change (the anchor)
 * lets a go on from its cursor and never pull the new change before it. */
static void
test_restore_anchor_coincidence (void)
{
  g_autoptr(JzChaosWorld) w = scripted_world ();
  g_autoptr(GError) error = NULL;
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;
  g_autofree char *z = NULL;
  const guint C = 2;

  if (w == NULL)
    return;
  for (guint i = 0; i < JZ_CHAOS_N_REPLICAS; i++)
    sync_ok (w, i);
  jz_chaos_world_backup_hub (w, &error);
  g_assert_no_error (error);
  return_if_failed ();
  x = jz_chaos_world_exec (w, B, &error, "create person AnchorB male -");
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, B);
  y = jz_chaos_world_exec (w, C, &error, "create person AnchorC female -");
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, C);
  /* a's cursor now names c's change. */
  sync_ok (w, A);
  jz_chaos_world_restore_hub (w, 0, &error);
  g_assert_no_error (error);
  return_if_failed ();
  /* A new change takes b's old place; c's change comes back to where it was. */
  z = jz_chaos_world_exec (w, H, &error, "create person AnchorH male -");
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, H);
  sync_ok (w, C);
  sync_ok (w, B);
  sync_ok (w, A);
  assert_invariants (w);
}

/* A county station holds other stations' people as registry rows (for
 * duplicate checks). If one of them is edited there, the hub refuses the
 * change (403, rightly). Either the store refuses the save (it cannot
 * reach the hub), or the save returns and then must reach the hub; and no
 * later change of that station may be held back by it. */
static void
test_foreign_edit_blocks_outbox (void)
{
  g_autoptr(JzChaosWorld) w = scripted_world ();
  g_autoptr(GError) error = NULL;
  g_autofree char *foreign = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *later = NULL;

  if (w == NULL)
    return;
  foreign = jz_chaos_world_exec (w, B, &error, "create person Foreign male -");
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, B);
  sync_ok (w, A);
  edited = jz_chaos_world_exec (w, A, &error, "edit person %s dialect a.foreign-edit", foreign);
  if (error != NULL)
    {
      g_test_message ("the edit was refused at the station: %s", error->message);
      g_clear_error (&error);
    }
  later = jz_chaos_world_exec (w, A, &error, "create person Later female -");
  g_assert_no_error (error);
  return_if_failed ();
  assert_invariants (w);
}

/* The oracle itself: silent on a clean world, and it sees what is wrong
 * when the hub's store is tampered with behind everyone's back. */
static void
test_oracle_detects (void)
{
  g_autoptr(JzChaosWorld) w = scripted_world ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) report = g_string_new (NULL);
  g_autofree char *person = NULL;
  g_autofree char *edited = NULL;
  sqlite3 *db = NULL;
  char *sql;

  if (w == NULL)
    return;
  person = jz_chaos_world_exec (w, A, &error, "create person Oracle male -");
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, A);
  sync_ok (w, H);
  edited = jz_chaos_world_exec (w, H, &error, "edit person %s dialect h.oracle", person);
  g_assert_no_error (error);
  return_if_failed ();
  assert_invariants (w);
  return_if_failed ();

  /* A value changed at the hub: every replica that sees it differs. */
  g_assert_cmpint (sqlite3_open (w->hub_db, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  sql = sqlite3_mprintf ("UPDATE record SET fields_json = json_set (coalesce (fields_json,"
                         " (SELECT c.fields_json FROM change c WHERE c.hub_seq = record.hub_seq)),"
                         " '$.dialect', 'tampered') WHERE entity = 'person' AND id = %Q", person);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_free (sql);
  jz_chaos_oracle_check (w, FALSE, report);
  g_assert_nonnull (strstr (report->str, "digest: a person"));
  g_assert_nonnull (strstr (report->str, "digest: h person"));

  /* A change lost at the hub: the save is missing and its stream has a gap. */
  g_string_truncate (report, 0);
  sql = sqlite3_mprintf ("DELETE FROM change WHERE entity = 'person' AND entity_id = %Q AND op = 'update'", person);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_free (sql);
  sqlite3_close (db);
  jz_chaos_oracle_check (w, FALSE, report);
  g_assert_nonnull (strstr (report->str, "save-at-hub: update person"));
  g_assert_nonnull (strstr (report->str, "stream: "));
}

/* The hub workstation's clock runs 36 hours ahead. It edits a field that
 * station a changed after the workstation last pulled: the workstation
 * never saw a's value, yet its base revision (its own clock) is newer than
 * a's write, so the hub takes it as seen and overwrites it. */
static void
test_fast_clock_overwrites_unseen (void)
{
  g_autoptr(JzChaosWorld) w = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *person = NULL;
  g_autofree char *e1 = NULL;
  g_autofree char *e2 = NULL;
  g_autofree char *e3 = NULL;

  if (jz_chaos_find_programs (NULL) && !jz_chaos_have_faketime ())
    {
      g_test_skip ("libfaketime is not installed");
      return;
    }
  w = scripted_world_full (JZ_CHAOS_WORLD_FAST_H);
  if (w == NULL)
    return;
  person = jz_chaos_world_exec (w, A, &error, "create person Clock female -");
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, A);
  sync_ok (w, H);
  e1 = jz_chaos_world_exec (w, H, &error, "edit person %s description h.first", person);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, H);
  sync_ok (w, A);
  /* Both change it now; a's reaches the hub first. */
  e2 = jz_chaos_world_exec (w, A, &error, "edit person %s description a.second", person);
  g_assert_no_error (error);
  return_if_failed ();
  e3 = jz_chaos_world_exec (w, H, &error, "edit person %s description h.third", person);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, A);
  sync_ok (w, H);
  assert_invariants (w);
}

/* True clocks. Station a edits a person's dialect; before it syncs, the
 * hub workstation edits the person's marks and then the dialect too,
 * never having seen a's value. The workstation's revision of the record
 * (the hlc of its own marks edit) is newer than a's write, so a hub that
 * judges "seen" by clocks takes the dialect edit as based on a's value and
 * overwrites it silently. */
static void
test_own_edit_hides_concurrent (void)
{
  g_autoptr(JzChaosWorld) w = scripted_world ();
  g_autoptr(GError) error = NULL;
  g_autofree char *person = NULL;
  g_autofree char *e1 = NULL;
  g_autofree char *e2 = NULL;
  g_autofree char *e3 = NULL;

  if (w == NULL)
    return;
  person = jz_chaos_world_exec (w, A, &error, "create person Hidden male -");
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, A);
  sync_ok (w, H);
  e1 = jz_chaos_world_exec (w, A, &error, "edit person %s dialect a.first", person);
  g_assert_no_error (error);
  return_if_failed ();
  e2 = jz_chaos_world_exec (w, H, &error, "edit person %s marks h.marks", person);
  g_assert_no_error (error);
  return_if_failed ();
  e3 = jz_chaos_world_exec (w, H, &error, "edit person %s dialect h.dialect", person);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, A);
  sync_ok (w, H);
  assert_invariants (w);
}

/* The hub workstation transfers a's episode to b, and b fills in a
 * belonging's storage place. The hub is then restored from a backup from
 * before the transfer: it refuses b's edit (a's record, as far as it
 * knows; b keeps it as a conflict) until the workstation sends its
 * transfer again, whose snapshot of the belonging has no storage (NULL
 * is left out of a record's fields). b must not keep its refused value. */
static void
test_restore_refused_edit_then_snapshot (void)
{
  g_autoptr(JzChaosWorld) w = scripted_world ();
  g_autoptr(GError) error = NULL;
  g_autofree char *person = NULL;
  g_autofree char *episode = NULL;
  g_autofree char *belonging = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *edited = NULL;

  if (w == NULL)
    return;
  person = jz_chaos_world_exec (w, A, &error, "create person Refused female -");
  g_assert_no_error (error);
  return_if_failed ();
  episode = jz_chaos_world_exec (w, A, &error, "create episode %s -", person);
  g_assert_no_error (error);
  return_if_failed ();
  belonging = jz_chaos_world_exec (w, A, &error, "create belonging %s bag 1", episode);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, A);
  sync_ok (w, H);
  jz_chaos_world_backup_hub (w, &error);
  g_assert_no_error (error);
  return_if_failed ();
  moved = jz_chaos_world_exec (w, H, &error, "transfer episode %s %s", episode, w->replicas[B]->station);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, H);
  sync_ok (w, B);
  edited = jz_chaos_world_exec (w, B, &error, "edit belonging %s storage b.shelf", belonging);
  g_assert_no_error (error);
  return_if_failed ();
  jz_chaos_world_restore_hub (w, 0, &error);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, B);
  sync_ok (w, H);
  assert_invariants (w);
}

/* The hub is restored from a backup older than b's episode (with a
 * belonging) and than the hub workstation's transfer of it to a. The
 * workstation sends its transfer again before b sends the episode: the
 * hub must keep the record unclaimed and do the transfer when b's insert
 * claims it (not give it to a at once and refuse b's insert). a and b
 * built their copies on the history the restore undid (a holds the
 * belonging as its own, b holds it as a's): they pull everything again
 * and end as the hub is. */
static void
test_restore_transfer_before_insert (void)
{
  g_autoptr(JzChaosWorld) w = scripted_world ();
  g_autoptr(GError) error = NULL;
  g_autofree char *person = NULL;
  g_autofree char *episode = NULL;
  g_autofree char *belonging = NULL;
  g_autofree char *moved = NULL;

  if (w == NULL)
    return;
  jz_chaos_world_backup_hub (w, &error);
  g_assert_no_error (error);
  return_if_failed ();
  person = jz_chaos_world_exec (w, B, &error, "create person Reorder male -");
  g_assert_no_error (error);
  return_if_failed ();
  episode = jz_chaos_world_exec (w, B, &error, "create episode %s -", person);
  g_assert_no_error (error);
  return_if_failed ();
  belonging = jz_chaos_world_exec (w, B, &error, "create belonging %s watch 1", episode);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, B);
  sync_ok (w, H);
  moved = jz_chaos_world_exec (w, H, &error, "transfer episode %s %s", episode, w->replicas[A]->station);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, H);
  sync_ok (w, A);
  sync_ok (w, B);
  jz_chaos_world_restore_hub (w, 0, &error);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, H);
  sync_ok (w, B);
  assert_invariants (w);
}

/* Station a's episode, with a belonging, is transferred to b; b fills in
 * the belonging's storage place and a (which still sees it) pulls it. The hub
 * is restored from a backup older than all of it; the workstation's
 * transfer comes back first (the episode waits unclaimed), then a's
 * inserts: the episode moves to b at its claim, the belonging (sent after
 * it) stays a's, and b's edit is refused. a must lose b's value: the
 * hub's history no longer has it, and the resync's first change of the
 * belonging (a's own insert, sent in full) states it whole. */
static void
test_restore_resync_drops_undone_value (void)
{
  g_autoptr(JzChaosWorld) w = scripted_world ();
  g_autoptr(GError) error = NULL;
  g_autofree char *person = NULL;
  g_autofree char *episode = NULL;
  g_autofree char *belonging = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *edited = NULL;

  if (w == NULL)
    return;
  jz_chaos_world_backup_hub (w, &error);
  g_assert_no_error (error);
  return_if_failed ();
  person = jz_chaos_world_exec (w, A, &error, "create person Undone female -");
  g_assert_no_error (error);
  return_if_failed ();
  episode = jz_chaos_world_exec (w, A, &error, "create episode %s -", person);
  g_assert_no_error (error);
  return_if_failed ();
  belonging = jz_chaos_world_exec (w, A, &error, "create belonging %s case 1", episode);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, A);
  sync_ok (w, H);
  moved = jz_chaos_world_exec (w, H, &error, "transfer episode %s %s", episode, w->replicas[B]->station);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, H);
  sync_ok (w, B);
  edited = jz_chaos_world_exec (w, B, &error, "edit belonging %s storage b.undone", belonging);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, B);
  sync_ok (w, A);
  jz_chaos_world_restore_hub (w, 0, &error);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, H);
  sync_ok (w, A);
  sync_ok (w, B);
  assert_invariants (w);
}

/* a's episode is transferred to b, which deletes it; a (which still
 * sees it) pulls the delete. The hub is restored from a backup older than
 * all of it and b's delete comes back first: the hub has no such episode,
 * and refuses it. a's resync receives its own insert (the episode alive)
 * while its own later edit of the episode is not yet answered for in the
 * pull: that edit has nothing to say about "deleted" against a record
 * that is alive, and must not keep the delete of the undone history. */
static void
test_restore_resync_undoes_delete (void)
{
  g_autoptr(JzChaosWorld) w = scripted_world ();
  g_autoptr(GError) error = NULL;
  g_autofree char *person = NULL;
  g_autofree char *episode = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *deleted = NULL;

  if (w == NULL)
    return;
  jz_chaos_world_backup_hub (w, &error);
  g_assert_no_error (error);
  return_if_failed ();
  person = jz_chaos_world_exec (w, A, &error, "create person Revived male -");
  g_assert_no_error (error);
  return_if_failed ();
  episode = jz_chaos_world_exec (w, A, &error, "create episode %s -", person);
  g_assert_no_error (error);
  return_if_failed ();
  edited = jz_chaos_world_exec (w, A, &error, "edit episode %s reason a.later", episode);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, A);
  sync_ok (w, H);
  moved = jz_chaos_world_exec (w, H, &error, "transfer episode %s %s", episode, w->replicas[B]->station);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, H);
  sync_ok (w, B);
  deleted = jz_chaos_world_exec (w, B, &error, "delete episode %s", episode);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, B);
  sync_ok (w, A);
  jz_chaos_world_restore_hub (w, 0, &error);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, B);
  sync_ok (w, H);
  sync_ok (w, A);
  assert_invariants (w);
}

/* Station a and the hub workstation delete the same belonging while
 * apart. The hub workstation's delete arrives first; a's is "concurrent"
 * (the workstation's tags are newer than a's revision) and lower in
 * authority, so the hub recorded a's delete as a loss to a value of 0 (as
 * against an edit), and a put the belonging back, alive, where the hub
 * has it deleted. */
static void
test_concurrent_deletes (void)
{
  g_autoptr(JzChaosWorld) w = scripted_world ();
  g_autoptr(GError) error = NULL;
  g_autofree char *person = NULL;
  g_autofree char *episode = NULL;
  g_autofree char *belonging = NULL;
  g_autofree char *d1 = NULL;
  g_autofree char *d2 = NULL;

  if (w == NULL)
    return;
  person = jz_chaos_world_exec (w, A, &error, "create person Twice male -");
  g_assert_no_error (error);
  return_if_failed ();
  episode = jz_chaos_world_exec (w, A, &error, "create episode %s -", person);
  g_assert_no_error (error);
  return_if_failed ();
  belonging = jz_chaos_world_exec (w, A, &error, "create belonging %s umbrella 1", episode);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, A);
  sync_ok (w, H);
  d1 = jz_chaos_world_exec (w, H, &error, "delete belonging %s", belonging);
  g_assert_no_error (error);
  return_if_failed ();
  d2 = jz_chaos_world_exec (w, A, &error, "delete belonging %s", belonging);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, H);
  sync_ok (w, A);
  assert_invariants (w);
}

/* Station a deletes a person that the hub workstation edits meanwhile:
 * hub staff outrank it and the person lives on, so a edits it again. The
 * hub is restored from a backup older than all of it; the workstation's
 * edit comes back first (the person waits unclaimed), then a's changes,
 * and now a's delete stands (it saw the workstation's value, by its
 * clock). a resyncs: its own delete comes back while its own later edit is
 * not yet answered for in the pull. That edit saw the delete (it is a's
 * own): it must not keep the person alive at a. */
static void
test_restore_resync_edit_after_delete (void)
{
  g_autoptr(JzChaosWorld) w = scripted_world ();
  g_autoptr(GError) error = NULL;
  g_autofree char *person = NULL;
  g_autofree char *e1 = NULL;
  g_autofree char *e2 = NULL;
  g_autofree char *deleted = NULL;
  g_autofree char *e3 = NULL;

  if (w == NULL)
    return;
  jz_chaos_world_backup_hub (w, &error);
  g_assert_no_error (error);
  return_if_failed ();
  person = jz_chaos_world_exec (w, A, &error, "create person Twice female -");
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, A);
  sync_ok (w, H);
  e1 = jz_chaos_world_exec (w, H, &error, "edit person %s description h.alive", person);
  g_assert_no_error (error);
  return_if_failed ();
  e2 = jz_chaos_world_exec (w, A, &error, "edit person %s dialect a.dialect", person);
  g_assert_no_error (error);
  return_if_failed ();
  deleted = jz_chaos_world_exec (w, A, &error, "delete person %s", person);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, A);
  sync_ok (w, H);
  sync_ok (w, A);
  e3 = jz_chaos_world_exec (w, A, &error, "edit person %s marks a.after", person);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, A);
  jz_chaos_world_restore_hub (w, 0, &error);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, H);
  sync_ok (w, A);
  assert_invariants (w);
}

/* Chaos seed 70028, as a script. The hub workstation moves a's episode
 * to b (a pulls that), b edits its history, and the workstation moves the
 * episode back to a. a, not having pulled either, edits the history twice
 * and syncs: the hub takes both edits (a owns the episode again; the first
 * one wins over b's value, the second is a's own, sent back as a stub).
 * Applying b's edit first, a judged its pending edit by the owner it knew
 * then (b) and took b's value; its own edits coming back must put a's
 * value back, as the hub has it. */
static void
test_own_stub_restores_mispredicted (void)
{
  g_autoptr(JzChaosWorld) w = scripted_world ();
  g_autoptr(GError) error = NULL;
  g_autofree char *person = NULL;
  g_autofree char *episode = NULL;
  g_autofree char *done = NULL;

  if (w == NULL)
    return;
  person = jz_chaos_world_exec (w, A, &error, "create person Stub male -");
  g_assert_no_error (error);
  return_if_failed ();
  episode = jz_chaos_world_exec (w, A, &error, "create episode %s -", person);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, A);
  sync_ok (w, H);
  g_free (done);
  done = jz_chaos_world_exec (w, H, &error, "transfer episode %s %s", episode, w->replicas[B]->station);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, H);
  sync_ok (w, A);
  sync_ok (w, B);
  g_free (done);
  done = jz_chaos_world_exec (w, B, &error, "edit episode %s history b.while-hers", episode);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, B);
  g_free (done);
  done = jz_chaos_world_exec (w, H, &error, "transfer episode %s %s", episode, w->replicas[A]->station);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, H);
  g_free (done);
  done = jz_chaos_world_exec (w, A, &error, "edit episode %s history a.first", episode);
  g_assert_no_error (error);
  return_if_failed ();
  g_free (done);
  done = jz_chaos_world_exec (w, A, &error, "edit episode %s history a.second", episode);
  g_assert_no_error (error);
  return_if_failed ();
  sync_ok (w, A);
  assert_invariants (w);
}

int
main (int    argc,
      char **argv)
{
  int kept = 1;

  /* --chaos-worlds=N etc. set JZ_CHAOS_WORLDS's default; g_test_init
   * does not see them. */
  options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (int i = 1; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "--chaos-") && strchr (argv[i], '=') != NULL)
        {
          g_autofree char *name = g_strndup (argv[i] + 8, strchr (argv[i], '=') - argv[i] - 8);
          g_autofree char *upper = g_ascii_strup (name, -1);

          g_strdelimit (upper, "-", '_');
          g_hash_table_insert (options, g_strconcat ("JZ_CHAOS_", upper, NULL), g_strdup (strchr (argv[i], '=') + 1));
        }
      else
        argv[kept++] = argv[i];
    }
  argv[kept] = NULL;
  argc = kept;

  g_test_init (&argc, &argv, NULL);
  /* A scenario that fails still cleans up its processes. */
  g_test_set_nonfatal_assertions ();
  jz_core_init ();
  g_test_add_func ("/chaos/schedules", test_schedules);
  g_test_add_func ("/chaos/oracle/detects", test_oracle_detects);
  g_test_add_func ("/chaos/regress/transfer-with-bed", test_transfer_with_bed);
  g_test_add_func ("/chaos/regress/restore-edit-before-insert", test_restore_edit_before_insert);
  g_test_add_func ("/chaos/regress/delete-keeps-updated-by", test_delete_keeps_updated_by);
  g_test_add_func ("/chaos/regress/transfer-snapshot-keeps-pending-edit", test_transfer_snapshot_keeps_pending_edit);
  g_test_add_func ("/chaos/regress/delete-loses-to-hub-edit", test_delete_loses_to_hub_edit);
  g_test_add_func ("/chaos/regress/restore-anchor-coincidence", test_restore_anchor_coincidence);
  g_test_add_func ("/chaos/regress/foreign-edit-blocks-outbox", test_foreign_edit_blocks_outbox);
  g_test_add_func ("/chaos/regress/fast-clock-overwrites-unseen", test_fast_clock_overwrites_unseen);
  g_test_add_func ("/chaos/regress/own-edit-hides-concurrent", test_own_edit_hides_concurrent);
  g_test_add_func ("/chaos/regress/restore-refused-edit-then-snapshot", test_restore_refused_edit_then_snapshot);
  g_test_add_func ("/chaos/regress/restore-transfer-before-insert", test_restore_transfer_before_insert);
  g_test_add_func ("/chaos/regress/restore-resync-drops-undone-value", test_restore_resync_drops_undone_value);
  g_test_add_func ("/chaos/regress/restore-resync-undoes-delete", test_restore_resync_undoes_delete);
  g_test_add_func ("/chaos/regress/concurrent-deletes", test_concurrent_deletes);
  g_test_add_func ("/chaos/regress/restore-resync-edit-after-delete", test_restore_resync_edit_after_delete);
  g_test_add_func ("/chaos/regress/own-stub-restores-mispredicted", test_own_stub_restores_mispredicted);
  return g_test_run ();
}
