/* jz-uuid.c: time-ordered record identifiers (UUIDv7, RFC 9562)
 *
 * Ids are time-ordered so that inserts land at the end of the primary key
 * b-tree; random (v4) ids make bulk inserts several times slower.
 * Within one millisecond a 12-bit counter (rand_a) keeps ids monotonic for
 * this process.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-uuid"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "jz-uuid.h"

static GMutex uuid_lock;
static GRand *uuid_rand;
static gint64 last_ms;
static guint32 counter;

static void
fill_random (guint8 *buf, gsize len)
{
  FILE *f;

  if (uuid_rand == NULL)
    {
      guint32 seed[4] = { 0, };

      f = fopen ("/dev/urandom", "rb");
      if (f == NULL || fread (seed, sizeof seed, 1, f) != 1)
        {
          seed[0] = (guint32) g_get_real_time ();
          seed[1] = (guint32) getpid ();
          seed[2] = (guint32) g_get_monotonic_time ();
        }
      if (f != NULL)
        fclose (f);
      uuid_rand = g_rand_new_with_seed_array (seed, G_N_ELEMENTS (seed));
    }

  for (gsize i = 0; i < len; i++)
    buf[i] = (guint8) g_rand_int_range (uuid_rand, 0, 256);
}

void
jz_uuid_v7_generate (char out[37])
{
  guint8 b[16];
  gint64 ms;

  g_mutex_lock (&uuid_lock);

  ms = g_get_real_time () / 1000;
  fill_random (b, sizeof b);

  if (ms <= last_ms)
    {
      ms = last_ms;
      counter++;
      if (counter > 0xfff)
        {
          ms = ++last_ms;
          counter = b[6] & 0x3f;
        }
    }
  else
    {
      last_ms = ms;
      counter = b[6] & 0x3f; /* random start leaves room to count up */
    }

  g_mutex_unlock (&uuid_lock);

  b[0] = (ms >> 40) & 0xff;
  b[1] = (ms >> 32) & 0xff;
  b[2] = (ms >> 24) & 0xff;
  b[3] = (ms >> 16) & 0xff;
  b[4] = (ms >> 8) & 0xff;
  b[5] = ms & 0xff;
  b[6] = 0x70 | ((counter >> 8) & 0x0f);
  b[7] = counter & 0xff;
  b[8] = 0x80 | (b[8] & 0x3f);

  jz_uuid_unpack (b, out);
}

char *
jz_uuid_v7_new (void)
{
  char buf[37];

  jz_uuid_v7_generate (buf);
  return g_strdup (buf);
}

static int
lower_hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

gboolean
jz_uuid_pack (const char *text,
              gsize       len,
              guint8      out[16])
{
  guint n = 0;

  if (text == NULL || len != 36)
    return FALSE;
  for (guint i = 0; i < 36; i++)
    {
      int hi, lo;

      if (i == 8 || i == 13 || i == 18 || i == 23)
        {
          if (text[i] != '-')
            return FALSE;
          continue;
        }
      hi = lower_hex_value (text[i]);
      lo = lower_hex_value (text[i + 1]);
      if (hi < 0 || lo < 0)
        return FALSE;
      out[n++] = (guint8) (hi << 4 | lo);
      i++;
    }
  return TRUE;
}

void
jz_uuid_unpack (const guint8 bytes[16],
                char         out[37])
{
  static const char hex[] = "0123456789abcdef";
  guint o = 0;

  for (guint i = 0; i < 16; i++)
    {
      if (i == 4 || i == 6 || i == 8 || i == 10)
        out[o++] = '-';
      out[o++] = hex[bytes[i] >> 4];
      out[o++] = hex[bytes[i] & 0xf];
    }
  out[o] = '\0';
}

gboolean
jz_uuid_is_valid (const char *text)
{
  guint8 bytes[16];

  return text != NULL && jz_uuid_pack (text, strlen (text), bytes);
}

gint64
jz_uuid_v7_get_ms (const char *uuid)
{
  gint64 ms = 0;
  int digits = 0;

  g_return_val_if_fail (jz_uuid_is_valid (uuid), -1);

  for (const char *p = uuid; digits < 12; p++)
    {
      if (*p == '-')
        continue;
      ms = (ms << 4) | g_ascii_xdigit_value (*p);
      digits++;
    }
  return ms;
}
