/* jz-regions.c: GB/T 2260 administrative region codes
 *
 * The table (data/regions.tsv: code, name, status, parent) is compiled into
 * the core's GResource and parsed once. Abolished codes stay valid as
 * history: a person's 户籍地 recorded years ago keeps its meaning.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-regions"

#include <gio/gio.h>
#include <string.h>

#include "jz-core.h"
#include "jz-regions.h"

#define REGIONS_RESOURCE "/cn/jiuzhu/Station/regions.tsv"

typedef struct
{
  GBytes     *bytes;
  GArray     *regions;  /* JzRegion, sorted by code */
  GStringChunk *names;
} RegionTable;

JzRegionLevel
jz_region_level_of (const char *code)
{
  if (g_str_has_suffix (code, "0000"))
    return JZ_REGION_LEVEL_PROVINCE;
  if (g_str_has_suffix (code, "00"))
    return JZ_REGION_LEVEL_PREFECTURE;
  return JZ_REGION_LEVEL_COUNTY;
}

static gboolean
is_code (const char *s, gsize len)
{
  if (len != 6)
    return FALSE;
  for (gsize i = 0; i < 6; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  return TRUE;
}

static int
region_compare (gconstpointer a,
                gconstpointer b)
{
  return strcmp (((const JzRegion *) a)->code, ((const JzRegion *) b)->code);
}

static RegionTable *
load_table (void)
{
  g_autoptr(GError) error = NULL;
  RegionTable *t = g_new0 (RegionTable, 1);
  g_auto(GStrv) lines = NULL;
  g_autofree char *text = NULL;

  jz_core_init ();
  t->regions = g_array_new (FALSE, TRUE, sizeof (JzRegion));
  t->names = g_string_chunk_new (64 * 1024);

  t->bytes = g_resources_lookup_data (REGIONS_RESOURCE, 0, &error);
  if (t->bytes == NULL)
    {
      g_critical ("The region table is missing from the build: %s", error->message);
      return t;
    }

  text = g_strndup (g_bytes_get_data (t->bytes, NULL), g_bytes_get_size (t->bytes));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++) /* line 0 is the header */
    {
      g_auto(GStrv) f = g_strsplit (lines[i], "\t", 5);
      JzRegion r = { 0, };

      if (g_strv_length (f) < 3 || !is_code (f[0], strlen (f[0])))
        continue;
      memcpy (r.code, f[0], 7);
      if (f[3] != NULL && is_code (f[3], strlen (f[3])))
        memcpy (r.parent, f[3], 7);
      r.name = g_string_chunk_insert (t->names, f[1]);
      r.abolished = g_strcmp0 (f[2], "abolished") == 0;
      r.level = jz_region_level_of (r.code);
      g_array_append_val (t->regions, r);
    }
  g_array_sort (t->regions, region_compare);
  return t;
}

static RegionTable *
get_table (void)
{
  static gsize once;
  static RegionTable *table;

  if (g_once_init_enter (&once))
    {
      table = load_table ();
      g_once_init_leave (&once, 1);
    }
  return table;
}

const JzRegion *
jz_regions_lookup (const char *code)
{
  RegionTable *t;
  guint lo = 0, hi;

  if (code == NULL || !is_code (code, strlen (code)))
    return NULL;

  t = get_table ();
  hi = t->regions->len;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      const JzRegion *r = &g_array_index (t->regions, JzRegion, mid);
      int c = strcmp (code, r->code);

      if (c == 0)
        return r;
      if (c < 0)
        hi = mid;
      else
        lo = mid + 1;
    }
  return NULL;
}

guint
jz_regions_count (void)
{
  return get_table ()->regions->len;
}

const JzRegion *
jz_regions_nth (guint index)
{
  RegionTable *t = get_table ();

  g_return_val_if_fail (index < t->regions->len, NULL);
  return &g_array_index (t->regions, JzRegion, index);
}

/* "江苏省 苏州市 张家港市": the names from province down to @code. */
char *
jz_regions_full_name (const char *code)
{
  const JzRegion *chain[3] = { NULL, };
  const JzRegion *r = jz_regions_lookup (code);
  GString *s;
  int n = 0;

  if (r == NULL)
    return NULL;

  while (r != NULL && n < 3)
    {
      chain[n++] = r;
      r = r->parent[0] ? jz_regions_lookup (r->parent) : NULL;
    }

  s = g_string_new (NULL);
  for (int i = n - 1; i >= 0; i--)
    {
      /* Direct-controlled municipalities repeat their name at level 2. */
      if (i < n - 1 && g_strcmp0 (chain[i]->name, chain[i + 1]->name) == 0)
        continue;
      if (s->len > 0)
        g_string_append_c (s, ' ');
      g_string_append (s, chain[i]->name);
    }
  return g_string_free (s, FALSE);
}
