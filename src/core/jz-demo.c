/* jz-demo.c: realistic synthetic data, for trying the app and for
 * benchmarks
 *
 * Everything is drawn from one seeded generator (xoshiro256**), and ids
 * and clocks come from a counter, so the same options give the same rows.
 * Ids are UUIDv7 with a synthetic, increasing timestamp: they append to
 * the b-trees like real ones.
 *
 * Records are written with jz_store_insert_as_is() in one transaction per
 * batch: the generator makes them valid by construction (test-demo checks
 * that with jz_store_validate()), and the triggers log and index them like
 * any other write (audit, search). A demo store never syncs (meta "demo",
 * jz_store_is_demo(): the sync engine refuses it), so the triggers queue
 * nothing in its outbox (jz-schema.c).
 *
 * The shapes follow DOMAIN.md: mostly adult men, some minors and elderly;
 * surnames with their shares of the population (公安部 2019/2020 lists,
 * rounded); about a third with a valid ID number; 无名氏 for about 4 %;
 * repeat visitors (跑站) with short gaps; departure modes in the
 * proportions of a county's monthly form; follow-ups made for about half.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jz-demo"

/* meta key marking a store of made-up people */
#define DEMO_META_KEY "demo"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jz-demo.h"
#include "jz-search.h"
#include "jz-records-private.h"
#include "jz-hlc.h"
#include "jz-idcard.h"
#include "jz-numbers.h"
#include "jz-records.h"
#include "jz-regions.h"
#include "jz-uuid.h"

#define DAY 86400
#define HOUR 3600
/* 2025-01-01T00:00:00Z: the demo's ids and clocks count up from here. */
#define ID_BASE_MS G_GINT64_CONSTANT (1735689600000)
/* Episodes per year stay under the default number block (99,999). */
#define EPISODES_PER_YEAR_MAX 80000

/* ---- Random numbers ------------------------------------------------- */

typedef struct
{
  guint64 s[4];
} Rng;

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

static guint64
rng_next (Rng *r)
{
  guint64 result = rotl (r->s[1] * 5, 7) * 9;
  guint64 t = r->s[1] << 17;

  r->s[2] ^= r->s[0];
  r->s[3] ^= r->s[1];
  r->s[1] ^= r->s[2];
  r->s[0] ^= r->s[3];
  r->s[2] ^= t;
  r->s[3] = rotl (r->s[3], 45);
  return result;
}

static void
rng_seed (Rng     *r,
          guint64  seed)
{
  for (int i = 0; i < 4; i++)
    {
      guint64 z = (seed += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

      z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
      z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
      r->s[i] = z ^ (z >> 31);
    }
}

/* 0 … n−1 */
static guint32
rng_below (Rng     *r,
           guint32  n)
{
  return (guint32) (((rng_next (r) >> 32) * (guint64) n) >> 32);
}

static int
rng_range (Rng *r,
           int  lo,
           int  hi)
{
  return lo + (int) rng_below (r, (guint32) (hi - lo + 1));
}

static double
rng_double (Rng *r)
{
  return (rng_next (r) >> 11) * (1.0 / 9007199254740992.0);
}

static gboolean
rng_chance (Rng    *r,
            double  p)
{
  return rng_double (r) < p;
}

/* Exponential with the given mean. */
static double
rng_exp (Rng    *r,
         double  mean)
{
  double u = rng_double (r);

  return -mean * log1p (-u);
}

typedef struct
{
  const char *value;
  double      weight;
} Weighted;

static const char *
pick_weighted (Rng            *r,
               const Weighted *table,
               gsize           n)
{
  double total = 0, x;

  for (gsize i = 0; i < n; i++)
    total += table[i].weight;
  x = rng_double (r) * total;
  for (gsize i = 0; i < n; i++)
    {
      if (x < table[i].weight)
        return table[i].value;
      x -= table[i].weight;
    }
  return table[n - 1].value;
}

#define PICK(r, arr) ((arr)[rng_below ((r), G_N_ELEMENTS (arr))])
#define PICKW(r, arr) pick_weighted ((r), (arr), G_N_ELEMENTS (arr))

/* ---- Reference lists -------------------------------------------------- */

/* Shares of the population in per cent (rounded; 公安部 name reports). */
static const Weighted surnames[] = {
  { "王", 7.25 }, { "李", 7.19 }, { "张", 6.83 }, { "刘", 5.38 }, { "陈", 4.53 },
  { "杨", 3.08 }, { "黄", 2.23 }, { "赵", 2.29 }, { "吴", 2.05 }, { "周", 2.04 },
  { "徐", 1.67 }, { "孙", 1.54 }, { "马", 1.44 }, { "朱", 1.37 }, { "胡", 1.31 },
  { "郭", 1.18 }, { "何", 1.17 }, { "高", 1.03 }, { "林", 0.99 }, { "罗", 0.95 },
  { "郑", 0.87 }, { "梁", 0.84 }, { "谢", 0.80 }, { "宋", 0.73 }, { "唐", 0.73 },
  { "许", 0.69 }, { "韩", 0.66 }, { "冯", 0.65 }, { "邓", 0.64 }, { "曹", 0.63 },
  { "彭", 0.60 }, { "曾", 0.59 }, { "肖", 0.56 }, { "田", 0.55 }, { "董", 0.54 },
  { "袁", 0.53 }, { "潘", 0.51 }, { "于", 0.50 }, { "蒋", 0.49 }, { "蔡", 0.47 },
  { "余", 0.47 }, { "杜", 0.46 }, { "叶", 0.45 }, { "程", 0.44 }, { "苏", 0.42 },
  { "魏", 0.40 }, { "吕", 0.39 }, { "丁", 0.38 }, { "任", 0.37 }, { "沈", 0.36 },
  { "姚", 0.35 }, { "卢", 0.34 }, { "姜", 0.33 }, { "崔", 0.32 }, { "钟", 0.31 },
  { "谭", 0.30 }, { "陆", 0.29 }, { "汪", 0.28 }, { "范", 0.27 }, { "金", 0.26 },
  { "石", 0.25 }, { "廖", 0.24 }, { "贾", 0.23 }, { "夏", 0.22 }, { "韦", 0.21 },
  { "付", 0.20 }, { "方", 0.19 }, { "白", 0.18 }, { "邹", 0.17 }, { "孟", 0.16 },
  { "熊", 0.15 }, { "秦", 0.14 }, { "邱", 0.13 }, { "江", 0.12 }, { "尹", 0.11 },
  { "薛", 0.10 }, { "闫", 0.10 }, { "段", 0.09 }, { "雷", 0.09 }, { "侯", 0.08 },
  { "龙", 0.08 }, { "史", 0.07 }, { "陶", 0.07 }, { "黎", 0.07 }, { "贺", 0.07 },
  { "顾", 0.06 }, { "毛", 0.06 }, { "郝", 0.06 }, { "龚", 0.06 }, { "邵", 0.06 },
  { "万", 0.05 }, { "钱", 0.05 }, { "严", 0.05 }, { "覃", 0.05 }, { "武", 0.05 },
  { "戴", 0.05 }, { "莫", 0.05 }, { "孔", 0.04 }, { "向", 0.04 }, { "汤", 0.04 },
  { "单", 0.02 }, { "仇", 0.01 }, { "解", 0.01 }, { "查", 0.01 }, { "欧阳", 0.02 },
  { "司马", 0.002 }, { "诸葛", 0.002 }, { "上官", 0.002 },
};

static const char * const male_chars[] = {
  "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华",
  "飞", "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "阳",
  "建", "国", "文", "东", "海", "峰", "亮", "成", "志", "新", "兵", "春", "德", "福", "贵",
  "祥", "荣", "生", "发", "金", "山", "永", "中", "庆", "清", "宏", "卫", "民", "小", "大",
};

static const char * const female_chars[] = {
  "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "英", "玲", "燕", "梅", "琳", "婷",
  "雪", "慧", "莉", "萍", "红", "颖", "洁", "倩", "琴", "云", "兰", "凤", "桂", "玉", "珍",
  "晶", "月", "华", "小", "春", "翠", "美", "丹", "佳", "欣",
};

static const char * const marks_list[] = {
  "左脸有疤", "右手缺小指", "左臂有纹身", "额头有疤痕", "右腿微跛", "门牙缺失", "左耳有痣",
  "右眼失明", "背部有烫伤疤", "手背有刺青", "颈部有胎记", "左手缺无名指", "头顶有疤", "右耳佩戴助听器",
};

static const char * const clothing_list[] = {
  "蓝色棉衣", "黑色外套", "灰色夹克", "红色上衣", "迷彩服", "白色衬衫，黑色裤子", "军绿色大衣",
  "格子衬衫", "深蓝色工作服", "黑色羽绒服", "旧西装", "运动服",
};

static const char * const description_list[] = {
  "身材偏瘦，短发", "长发，戴眼镜", "留胡须，皮肤黝黑", "说话含糊，反应迟缓", "自述从外地来务工",
  "神情紧张，不愿多说", "体型偏胖，光头", "背着编织袋", "口音较重，只会说方言", "行动缓慢，拄拐杖",
};

static const char * const reasons[] = {
  "务工返乡路费不足", "走失", "被骗钱财", "流浪乞讨", "寻亲未果", "身无分文", "离家出走",
  "求职未果", "钱包被盗", "家庭矛盾离家", "看病后无钱返乡", "找工作被骗",
};

static const struct { const char *item; const char *kind; } items[] = {
  { "手机", "held" }, { "现金", "held" }, { "身份证", "held" }, { "钱包", "held" },
  { "背包", "necessity" }, { "衣物", "necessity" }, { "被褥", "necessity" }, { "药品", "held" },
  { "银行卡", "held" }, { "打火机", "held" }, { "水果刀", "held" }, { "编织袋", "necessity" },
};

static const char * const relations[] = {
  "父亲", "母亲", "兄弟", "姐妹", "儿子", "女儿", "配偶", "叔叔", "村委会", "老乡",
};

static const char * const followup_situations[] = {
  "已回家，生活稳定", "在外务工", "电话无人接听", "家属照料中", "再次外出，去向不明",
  "已申请低保", "身体状况一般", "在当地福利院",
};

static const char * const tracing_results[] = {
  "自述家住某村，待核实", "已发布寻亲公告", "已送检DNA", "比对未果", "已联系当地派出所",
  "口音疑似西南官话", "家属已联系",
};

/* Where people come from, by province: the station's own province is far
 * more common; dialects follow the province. */
static const struct { const char *prefix; const char *dialect; } provinces[] = {
  { "11", "北京官话" }, { "12", "冀鲁官话" }, { "13", "冀鲁官话" }, { "14", "晋语" },
  { "15", "晋语" }, { "21", "东北官话" }, { "22", "东北官话" }, { "23", "东北官话" },
  { "31", "吴语" }, { "32", "江淮官话" }, { "33", "吴语" }, { "34", "江淮官话" },
  { "35", "闽南语" }, { "36", "赣语" }, { "37", "冀鲁官话" }, { "41", "中原官话" },
  { "42", "西南官话" }, { "43", "湘语" }, { "44", "粤语" }, { "45", "桂柳话" },
  { "46", "海南话" }, { "50", "西南官话" }, { "51", "西南官话" }, { "52", "西南官话" },
  { "53", "西南官话" }, { "54", "藏语" }, { "61", "中原官话" }, { "62", "兰银官话" },
  { "63", "中原官话" }, { "64", "兰银官话" }, { "65", "维吾尔语" },
};

/* ---- State ------------------------------------------------------------ */

/* Entities of the schema (jz_schema_entities), and the records written
 * together: see flush_queues. */
#define DEMO_N_ENTITIES 32
#define DEMO_QUEUE_ROWS 1024

#define N_STAFF 24
#define N_ROOMS 6
#define BEDS_PER_ROOM 8

typedef struct
{
  JzStore             *store;
  const JzDemoOptions *opt;
  Rng                  rng;
  gint64               now;
  gint64               start;
  guint64              counter;       /* ids and clocks */
  char                 station[16];
  char                 province[3];
  GPtrArray           *home_counties;  /* const char * codes of the station's province */
  GPtrArray           *all_counties;
  char                 staff[N_STAFF][37];
  char                 beds[N_ROOMS][BEDS_PER_ROOM][37];
  const char          *room_kinds[N_ROOMS];
  gboolean             bed_taken[N_ROOMS][BEDS_PER_ROOM];
  GArray              *blocks;         /* JzNumberBlock */
  GHashTable          *year_last;      /* year → last sequence (gint64 *) */
  gint64               placeholder_last;
  guint                n_arriving;     /* the people not present now */
  JzDemoStats          stats;
  GTimer              *timer;
  /* Records not yet written, per entity (its place in
   * jz_schema_entities(), which lists those referred to first). */
  GPtrArray           *queue[DEMO_N_ENTITIES];
  GStringChunk        *queued_strings; /* the strings of the queued records */
  guint                queued;
} Demo;

void
jz_demo_options_init (JzDemoOptions *options)
{
  memset (options, 0, sizeof *options);
  options->seed = 1;
}

/* A UUIDv7 whose timestamp and counter come from d->counter; the random
 * bits from the seeded generator. */
static void
next_id (Demo *d,
         char  out[37])
{
  guint64 c = d->counter++;
  gint64 ms = ID_BASE_MS + (gint64) (c >> 12);
  guint64 a = rng_next (&d->rng);
  guint8 b[16];

  b[0] = (ms >> 40) & 0xff;
  b[1] = (ms >> 32) & 0xff;
  b[2] = (ms >> 24) & 0xff;
  b[3] = (ms >> 16) & 0xff;
  b[4] = (ms >> 8) & 0xff;
  b[5] = ms & 0xff;
  b[6] = 0x70 | ((c >> 8) & 0x0f);
  b[7] = c & 0xff;
  for (int i = 8; i < 16; i++)
    b[i] = (a >> ((i - 8) * 8)) & 0xff;
  b[8] = 0x80 | (b[8] & 0x3f);
  /* Without printf, which took 2.5 % of the instructions of a demo row. */
  jz_uuid_unpack (b, out);
}

static void
stamp (Demo     *d,
       JzRecord *rec,
       char      id[37])
{
  next_id (d, id);
  rec->id = id;
  rec->station = d->station;
  rec->hlc = (gint64) JZ_HLC_MAKE (ID_BASE_MS + (gint64) (d->counter >> 12), d->counter & 0xfff);
  rec->updated_by = NULL;
  rec->deleted = FALSE;
}

/* Writes the queued records, entity by entity in the schema's order (a
 * record is written after those it refers to), many rows a statement
 * (jz_store_insert_many_as_is): each INSERT alone in the batch's
 * transaction cost a statement journal and trigger frames per row. The
 * rows of an entity keep their order; the audit log holds them grouped by
 * entity, some hundreds of rows at a time. */
static gboolean
flush_queues (Demo    *d,
              GError **error)
{
  const JzEntity * const *entities = jz_schema_entities (NULL);

  for (guint e = 0; e < DEMO_N_ENTITIES && entities[e] != NULL; e++)
    {
      GPtrArray *q = d->queue[e];
      gboolean ok;

      if (q == NULL || q->len == 0)
        continue;
      ok = jz_store_insert_many_as_is (d->store, entities[e], (const gconstpointer *) q->pdata, q->len, error);
      g_ptr_array_set_size (q, 0);
      if (!ok)
        return FALSE;
    }
  if (d->queued_strings != NULL)
    g_string_chunk_clear (d->queued_strings);
  d->queued = 0;
  return TRUE;
}

static gboolean
put (Demo           *d,
     const JzEntity *entity,
     gconstpointer   record,
     GError        **error)
{
  const JzEntity * const *entities = jz_schema_entities (NULL);
  guint e = 0;

  /* The records it refers to must be in the store to check it. */
  if (d->opt->validate && !flush_queues (d, error))
    return FALSE;
  if (d->opt->validate)
    {
      gpointer copy = jz_record_copy (entity, record);
      gboolean ok = jz_store_validate (d->store, entity, copy, NULL, error);

      jz_record_free (entity, copy);
      if (!ok)
        {
          g_prefix_error (error, "Demo data failed validation (%s): ", entity->name);
          return FALSE;
        }
    }
  while (entities[e] != entity)
    e++;
  g_assert (e < DEMO_N_ENTITIES);
  if (d->queue[e] == NULL)
    d->queue[e] = g_ptr_array_new_with_free_func (g_free);
  if (d->queued_strings == NULL)
    d->queued_strings = g_string_chunk_new (64 * 1024);
  g_ptr_array_add (d->queue[e], _jz_record_copy_to_chunk (entity, record, d->queued_strings));
  d->stats.rows++;
  if (++d->queued >= DEMO_QUEUE_ROWS)
    return flush_queues (d, error);
  return TRUE;
}

/* ---- Dates -------------------------------------------------------------- */

/* Days since 1970-01-01 ↔ civil date (proleptic Gregorian). */
static void
civil_from_days (gint64  z,
                 int    *y,
                 int    *m,
                 int    *dd)
{
  gint64 era, yoe, doy, mp;
  guint doe;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (guint) (z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *dd = (int) (doy - (153 * mp + 2) / 5 + 1);
  *m = (int) (mp < 10 ? mp + 3 : mp - 9);
  *y = (int) (yoe + era * 400 + (*m <= 2));
}

static gint64
days_from_civil (int y,
                 int m,
                 int dd)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* Beijing time's calendar day of @t. */
static gint64
local_day (gint64 t)
{
  gint64 x = t + 8 * HOUR;

  return x >= 0 ? x / DAY : (x - DAY + 1) / DAY;
}

static void
format_day (gint64  day,
            char    out[11])
{
  int y, m, dd;

  civil_from_days (day, &y, &m, &dd);
  g_snprintf (out, 11, "%04d-%02d-%02d", y, m, dd);
}

static int
year_of (gint64 t)
{
  int y, m, dd;

  civil_from_days (local_day (t), &y, &m, &dd);
  return y;
}

/* ---- Pieces of people --------------------------------------------------- */

static void
make_name (Demo       *d,
           const char *sex,
           char       *out,
           gsize       size)
{
  const char *surname = PICKW (&d->rng, surnames);
  gboolean female = g_strcmp0 (sex, "female") == 0;
  const char *a = female ? PICK (&d->rng, female_chars) : PICK (&d->rng, male_chars);
  const char *b = female ? PICK (&d->rng, female_chars) : PICK (&d->rng, male_chars);

  if (rng_chance (&d->rng, 0.2))
    g_snprintf (out, size, "%s%s", surname, a);
  else
    g_snprintf (out, size, "%s%s%s", surname, a, b);
}

static const char *
pick_county (Demo *d)
{
  if (d->home_counties->len > 0 && rng_chance (&d->rng, 0.45))
    return d->home_counties->pdata[rng_below (&d->rng, d->home_counties->len)];
  return d->all_counties->pdata[rng_below (&d->rng, d->all_counties->len)];
}

static const char *
dialect_of (const char *county)
{
  for (guint i = 0; i < G_N_ELEMENTS (provinces); i++)
    if (strncmp (county, provinces[i].prefix, 2) == 0)
      return provinces[i].dialect;
  return "普通话";
}

static void
make_id_number (Demo       *d,
                const char *county,
                gint64      birth_day,
                gboolean    male,
                char        out[19])
{
  char first[18];
  int y, m, dd;
  int seq = rng_range (&d->rng, 0, 499) * 2 + (male ? 1 : 2);

  if (seq > 999)
    seq -= 2;
  civil_from_days (birth_day, &y, &m, &dd);
  g_snprintf (first, sizeof first, "%s%04d%02d%02d%03d", county, y, m, dd, seq);
  g_snprintf (out, 19, "%s%c", first, jz_idcard_check_digit (first));
}

static void
make_phone (Demo *d,
            char  out[12])
{
  static const char prefixes[] = "3578";

  g_snprintf (out, 12, "1%c%09u", prefixes[rng_below (&d->rng, 4)], rng_below (&d->rng, 1000000000));
}

/* ---- Setup ---------------------------------------------------------------- */

static gboolean
write_staff_and_rooms (Demo    *d,
                       GError **error)
{
  static const char *room_names[N_ROOMS] = { "男宿舍一", "男宿舍二", "男宿舍三", "女宿舍", "未成年人室", "家庭房" };
  static const char *kinds[N_ROOMS] = { "men", "men", "men", "women", "minors", "family" };

  for (int i = 0; i < N_STAFF; i++)
    {
      JzStaff s = { 0 };
      char name[32];

      stamp (d, &s.rec, d->staff[i]);
      make_name (d, rng_chance (&d->rng, 0.5) ? "female" : "male", name, sizeof name);
      s.name = name;
      s.role = (char *) (i < 2 ? "admin" : "worker");
      s.active = i < N_STAFF - 3;
      if (!put (d, &jz_entity_staff, &s, error))
        return FALSE;
    }
  for (int r = 0; r < N_ROOMS; r++)
    {
      JzRoom room = { 0 };
      char room_id[37];

      stamp (d, &room.rec, room_id);
      room.name = (char *) room_names[r];
      room.kind = (char *) kinds[r];
      room.active = TRUE;
      d->room_kinds[r] = kinds[r];
      if (!put (d, &jz_entity_room, &room, error))
        return FALSE;
      for (int b = 0; b < BEDS_PER_ROOM; b++)
        {
          JzBed bed = { 0 };
          char label[8];

          stamp (d, &bed.rec, d->beds[r][b]);
          g_snprintf (label, sizeof label, "%d", b + 1);
          bed.room_id = room_id;
          bed.label = label;
          bed.active = TRUE;
          if (!put (d, &jz_entity_bed, &bed, error))
            return FALSE;
        }
    }
  return TRUE;
}

/* A free bed in a room that suits the person, or NULL. */
static const char *
take_bed (Demo       *d,
          const char *sex,
          gboolean    minor)
{
  const char *want = minor ? "minors" : g_strcmp0 (sex, "female") == 0 ? "women" : "men";

  for (int r = 0; r < N_ROOMS; r++)
    {
      if (g_strcmp0 (d->room_kinds[r], want) != 0)
        continue;
      for (int b = 0; b < BEDS_PER_ROOM; b++)
        if (!d->bed_taken[r][b])
          {
            d->bed_taken[r][b] = TRUE;
            return d->beds[r][b];
          }
    }
  return NULL;
}

static gboolean
next_number (Demo    *d,
             gint64   admitted_at,
             char     out[32],
             GError **error)
{
  int year = year_of (admitted_at);
  gint64 *last = g_hash_table_lookup (d->year_last, GINT_TO_POINTER (year));
  gint64 n = 0;

  if (last == NULL)
    {
      last = g_new0 (gint64, 1);
      g_hash_table_insert (d->year_last, GINT_TO_POINTER (year), last);
    }
  for (guint i = 0; i < d->blocks->len && n == 0; i++)
    {
      JzNumberBlock *b = &g_array_index (d->blocks, JzNumberBlock, i);

      if (*last + 1 <= b->last)
        n = MAX (*last + 1, b->first);
    }
  if (n == 0)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_FULL,
                   "The demo ran out of episode numbers for %d; ask for fewer people", year);
      return FALSE;
    }
  *last = n;
  g_snprintf (out, 32, "%s-%04d-%06" G_GINT64_FORMAT, d->station, year, n);
  return TRUE;
}

/* ---- One person --------------------------------------------------------- */

typedef struct
{
  const char *id;
  const char *sex;
  gint64      birth_day;      /* true birth day */
  guint       flags;
  gboolean    verified;
  const char *home;           /* county or NULL */
} PersonFacts;

static int
age_on (const PersonFacts *p,
        gint64             t)
{
  int by, bm, bd, y, m, dd;

  civil_from_days (p->birth_day, &by, &bm, &bd);
  civil_from_days (local_day (t), &y, &m, &dd);
  return y - by - ((m < bm || (m == bm && dd < bd)) ? 1 : 0);
}

static const char *
departure_mode (Demo              *d,
                const PersonFacts *p,
                gint64             at)
{
  static const Weighted adult[] = {
    { "ticket", 35 }, { "self_return", 22 }, { "collected", 10 }, { "escorted", 8 },
    { "placed", 3 }, { "help_ended", 10 }, { "left", 9 }, { "death", 0.2 }, { "other", 2.8 },
  };
  static const Weighted protected[] = {
    { "collected", 50 }, { "escorted", 40 }, { "placed", 10 },
  };

  if (age_on (p, at) < 16 || (p->flags & (JZ_FLAG_MENTAL | JZ_FLAG_INTELLECTUAL)))
    return PICKW (&d->rng, protected);
  return PICKW (&d->rng, adult);
}

static gboolean
write_followups (Demo              *d,
                 const PersonFacts *p,
                 const char        *episode_id,
                 gint64             departed_at,
                 gboolean           minor,
                 GError           **error)
{
  static const guint months[] = { 1, 3, 6, 12 };
  /* About half of those sent home are reached at least once (the
   * 1-year rate target is 50 %, minors 100 %). */
  static const double done_share[] = { 0.45, 0.12, 0.05, 0.08 };
  int y, m, dd;

  civil_from_days (local_day (departed_at), &y, &m, &dd);
  for (guint i = 0; i < G_N_ELEMENTS (months); i++)
    {
      JzFollowup f = { 0 };
      char id[37];
      int fm = m + (int) months[i], fy = y;
      gint64 due_at, done_at;

      while (fm > 12)
        {
          fm -= 12;
          fy++;
        }
      due_at = days_from_civil (fy, fm, MIN (dd, 28)) * DAY + 10 * HOUR - 8 * HOUR;
      done_at = due_at + rng_range (&d->rng, -5, 5) * DAY + rng_range (&d->rng, 0, 8) * HOUR;
      if (done_at > d->now - DAY || done_at <= departed_at)
        break;
      if (!rng_chance (&d->rng, minor ? 0.95 : done_share[i]))
        continue;

      stamp (d, &f.rec, id);
      f.person_id = (char *) p->id;
      f.episode_id = (char *) episode_id;
      f.due_at = due_at;
      f.done_at = done_at;
      f.method = (char *) (rng_chance (&d->rng, 0.7) ? "phone" : rng_chance (&d->rng, 0.6) ? "via_local" : "visit");
      f.situation = (char *) PICK (&d->rng, followup_situations);
      f.risk_of_leaving = (char *) (rng_chance (&d->rng, 0.7) ? "low" : rng_chance (&d->rng, 0.7) ? "medium" : "high");
      f.staff_id = d->staff[rng_below (&d->rng, N_STAFF)];
      if (!put (d, &jz_entity_followup, &f, error))
        return FALSE;
    }
  return TRUE;
}

typedef struct
{
  const char *method;
  gint64      at;
} Step;

/* One episode from @admitted_at; returns when it ended (0: still open). */
static gboolean
write_episode (Demo              *d,
               const PersonFacts *p,
               gint64             admitted_at,
               gint64            *ended_at,
               GError           **error)
{
  static const Weighted sources[] = {
    { "walk_in", 40 }, { "police_escort", 20 }, { "chengguan", 10 }, { "patrol", 15 },
    { "public_report", 8 }, { "hospital", 4 }, { "transfer", 3 },
  };
  JzEpisode e = { 0 };
  char id[37], number[32], from_station[16], form_no[16];
  const char *mode = NULL;
  gboolean refused = rng_chance (&d->rng, 0.05);
  gboolean minor = age_on (p, admitted_at) < 18;
  gboolean capped = age_on (p, admitted_at) >= 16 && !(p->flags & (JZ_FLAG_MENTAL | JZ_FLAG_INTELLECTUAL));
  double stay_days;
  gint64 end;

  /* Most stay a few days; some weeks; a few months or years. */
  if (refused)
    stay_days = rng_double (&d->rng) * 0.2;
  else if (rng_chance (&d->rng, 0.005))
    stay_days = 90 + rng_exp (&d->rng, 300);
  else if (rng_chance (&d->rng, 0.04))
    stay_days = 10 + rng_exp (&d->rng, 20);
  else
    stay_days = 0.1 + rng_exp (&d->rng, 3.5);
  end = admitted_at + (gint64) (stay_days * DAY);

  stamp (d, &e.rec, id);
  if (!next_number (d, admitted_at, number, error))
    return FALSE;
  e.number = number;
  e.person_id = (char *) p->id;
  e.admitted_at = admitted_at;
  e.source = (char *) PICKW (&d->rng, sources);
  if (g_str_equal (e.source, "transfer"))
    {
      g_snprintf (from_station, sizeof from_station, "%s-01", pick_county (d));
      e.from_station = from_station;
    }
  if (g_str_equal (e.source, "police_escort"))
    {
      g_snprintf (form_no, sizeof form_no, "GA%08u", rng_below (&d->rng, 100000000));
      e.handover_form_no = form_no;
    }
  e.category = (char *) (rng_chance (&d->rng, 0.7) ? "vagrant" : "temporary");
  if (rng_chance (&d->rng, 0.35))
    e.reason = (char *) PICK (&d->rng, reasons);
  e.assistance = JZ_ASSIST_LIVING | (rng_chance (&d->rng, 0.1) ? JZ_ASSIST_MEDICAL : 0) |
                 (rng_chance (&d->rng, 0.3) ? JZ_ASSIST_TEMPORARY_SHELTER : 0);
  e.in_station = TRUE;
  e.health = JZ_HEALTH_HEALTHY;
  if (p->flags & JZ_FLAG_MENTAL)
    e.health = JZ_HEALTH_MENTAL;
  if (p->flags & JZ_FLAG_INTELLECTUAL)
    e.health = JZ_HEALTH_INTELLECTUAL;
  if (p->flags & JZ_FLAG_DISABLED)
    e.health |= JZ_HEALTH_PHYSICAL_DISABILITY;
  if (rng_chance (&d->rng, 0.03))
    e.health = (e.health & ~JZ_HEALTH_HEALTHY) | JZ_HEALTH_INJURY;
  e.flags = p->flags;
  if (minor)
    e.flags |= JZ_FLAG_MINOR;
  if (capped)
    e.stay_deadline = (local_day (admitted_at) + 10) * DAY + (DAY - 1) - 8 * HOUR;
  e.assigned_to = d->staff[rng_below (&d->rng, N_STAFF)];

  if (refused && end <= d->now)
    {
      e.eligibility = (char *) "refuse";
      e.refusal_reason = (char *) "有固定住所和收入，不符合救助条件";
      e.status = (char *) "refused";
      e.assistance = 0;
      end = admitted_at;
    }
  else if (end <= d->now)
    {
      e.eligibility = (char *) "admit";
      e.status = (char *) "departed";
      e.departed_at = end;
      mode = departure_mode (d, p, end);
      if (g_str_equal (mode, "ticket") || g_str_equal (mode, "escorted") ||
          g_str_equal (mode, "collected") || g_str_equal (mode, "self_return"))
        e.assistance |= JZ_ASSIST_RETURN_HOME;
    }
  else
    {
      /* Still here: in screening for the first hours, then admitted;
       * some in hospital or with the police. */
      end = 0;
      if (d->now - admitted_at < 12 * HOUR)
        {
          e.status = (char *) "screening";
          e.eligibility = (char *) "pending";
        }
      else
        {
          double x = rng_double (&d->rng);

          e.eligibility = (char *) "admit";
          e.status = (char *) (x < 0.88 ? "admitted" : x < 0.97 ? "hospital" : "police");
          if (g_str_equal (e.status, "hospital"))
            e.in_station = FALSE;
        }
      if (g_str_equal (e.status, "admitted") || g_str_equal (e.status, "screening"))
        e.bed_id = (char *) take_bed (d, p->sex, minor);
    }
  if (!put (d, &jz_entity_episode, &e, error))
    return FALSE;
  d->stats.episodes++;

  /* Belongings, returned at departure. */
  {
    int n = rng_chance (&d->rng, 0.5) ? 0 : rng_chance (&d->rng, 0.7) ? 1 : 2;

    for (int i = 0; i < n; i++)
      {
        JzBelonging b = { 0 };
        char bid[37], storage[16];
        int k = rng_below (&d->rng, G_N_ELEMENTS (items));

        stamp (d, &b.rec, bid);
        b.episode_id = id;
        b.item = (char *) items[k].item;
        b.qty = rng_chance (&d->rng, 0.8) ? 1 : rng_range (&d->rng, 2, 5);
        b.kind = (char *) items[k].kind;
        if (g_str_equal (b.kind, "held"))
          {
            g_snprintf (storage, sizeof storage, "物品柜%c%d", 'A' + rng_below (&d->rng, 3), rng_range (&d->rng, 1, 9));
            b.storage = storage;
          }
        b.received_at = admitted_at;
        if (e.departed_at != 0 || g_str_equal (e.status, "refused"))
          {
            b.returned_at = e.departed_at ? e.departed_at : admitted_at;
            b.returned_qty = b.qty;
            b.returned_by = d->staff[rng_below (&d->rng, N_STAFF)];
          }
        if (!put (d, &jz_entity_belonging, &b, error))
          return FALSE;
      }
  }

  if (g_str_equal (e.status, "refused") || g_str_equal (e.status, "screening"))
    {
      *ended_at = end;
      return TRUE;
    }

  /* Stay: medical visits and counselling for some. */
  if (rng_chance (&d->rng, 0.15))
    {
      JzServiceLog s = { 0 };
      char sid[37];
      gint64 at;

      stamp (d, &s.rec, sid);
      s.episode_id = id;
      at = admitted_at + rng_range (&d->rng, 1, 20) * HOUR;
      s.at = MIN (at, end ? end : d->now);
      s.kind = (char *) (rng_chance (&d->rng, 0.6) ? "medical" : "counselling");
      s.qty = 1;
      s.staff_id = d->staff[rng_below (&d->rng, N_STAFF)];
      if (!put (d, &jz_entity_service_log, &s, error))
        return FALSE;
    }

  /* Tracing for people whose identity is not known. */
  if (!p->verified)
    {
      gint64 until = end ? end : d->now;
      Step steps[4];
      int n = 0;

      if (rng_chance (&d->rng, 0.5))
        steps[n++] = (Step) { "self_account", admitted_at + HOUR };
      if (until - admitted_at > DAY && rng_chance (&d->rng, 0.8))
        steps[n++] = (Step) { "notice", admitted_at + rng_range (&d->rng, 2, 22) * HOUR };
      if (until - admitted_at > 7 * DAY && rng_chance (&d->rng, 0.8))
        steps[n++] = (Step) { "dna_request", admitted_at + rng_range (&d->rng, 2, 8) * DAY };
      if (n > 0 && g_str_equal (steps[n - 1].method, "dna_request") && until - admitted_at > 35 * DAY &&
          rng_chance (&d->rng, 0.7))
        {
          gint64 at = steps[n - 1].at + rng_range (&d->rng, 10, 28) * DAY;
          steps[n++] = (Step) { "dna_result", at };
        }
      for (int i = 0; i < n; i++)
        {
          JzTracingStep t = { 0 };
          char tid[37];

          if (steps[i].at > until)
            continue;
          stamp (d, &t.rec, tid);
          t.episode_id = id;
          t.at = steps[i].at;
          t.method = (char *) steps[i].method;
          t.operator = d->staff[rng_below (&d->rng, N_STAFF)];
          t.result = (char *) PICK (&d->rng, tracing_results);
          if (!put (d, &jz_entity_tracing_step, &t, error))
            return FALSE;
        }
    }

  /* Stays past the 10-day limit are extended. */
  if (e.stay_deadline != 0 && (end ? end : d->now) > e.stay_deadline)
    {
      JzStayExtension x = { 0 };
      char xid[37];

      stamp (d, &x.rec, xid);
      x.episode_id = id;
      x.filed_by = d->staff[rng_below (&d->rng, N_STAFF)];
      x.filed_at = e.stay_deadline - DAY;
      x.new_deadline = (end ? end : d->now + 10 * DAY) + DAY;
      x.reason = (char *) "寻亲未果，需继续救助";
      if (!put (d, &jz_entity_stay_extension, &x, error))
        return FALSE;
    }

  /* Over three months unidentified: 落户安置 under way or done. */
  if (!p->verified && (end ? end : d->now) - admitted_at > 92 * DAY)
    {
      JzSettlement s = { 0 };
      char sid[37];

      stamp (d, &s.rec, sid);
      s.person_id = (char *) p->id;
      s.episode_id = id;
      s.databases_checked = TRUE;
      s.applied_at = admitted_at + 95 * DAY;
      if (s.applied_at > d->now)
        s.applied_at = d->now - HOUR;
      s.status = (char *) "applied";
      if (end != 0 && end - admitted_at > 200 * DAY)
        {
          s.status = (char *) "settled";
          s.settled_at = end - DAY;
          s.hukou_region = (char *) d->home_counties->pdata[0];
          s.institution = (char *) "市社会福利院";
        }
      if (!put (d, &jz_entity_settlement, &s, error))
        return FALSE;
    }

  if (mode != NULL)
    {
      JzDepartureRecord dep = { 0 };
      char did[37], cid[19], phone[12], collector[32], ticket_no[16], notice_no[24];
      const char *dest = p->home ? p->home : pick_county (d);
      const JzRegion *region = jz_regions_lookup (dest);
      gboolean other_province = strncmp (dest, d->province, 2) != 0;

      stamp (d, &dep.rec, did);
      dep.episode_id = id;
      dep.departed_at = end;
      dep.mode = (char *) mode;
      dep.destination_region = (char *) dest;
      dep.destination = region ? (char *) region->name : NULL;
      dep.staff_id = d->staff[rng_below (&d->rng, N_STAFF)];
      dep.belongings_returned = TRUE;
      if (g_str_equal (mode, "collected") || g_str_equal (mode, "escorted"))
        dep.cross_province = other_province;
      if (g_str_equal (mode, "collected"))
        {
          gint64 born = local_day (end) - rng_range (&d->rng, 25, 70) * 365 - rng_range (&d->rng, 0, 364);

          make_name (d, rng_chance (&d->rng, 0.6) ? "male" : "female", collector, sizeof collector);
          make_id_number (d, dest, born, rng_chance (&d->rng, 0.5), cid);
          make_phone (d, phone);
          dep.collector_name = collector;
          dep.collector_id_number = cid;
          dep.collector_relation = (char *) PICK (&d->rng, relations);
          dep.collector_phone = phone;
        }
      if (g_str_equal (mode, "ticket"))
        {
          g_snprintf (ticket_no, sizeof ticket_no, "%c%d", rng_chance (&d->rng, 0.5) ? 'K' : 'G',
                      rng_range (&d->rng, 10, 9999));
          dep.ticket_kind = (char *) (rng_chance (&d->rng, 0.6) ? "train" : "bus");
          dep.ticket_no = ticket_no;
          dep.ticket_from = (char *) "溧阳";
          dep.ticket_to = dep.destination;
          dep.ticket_fen = rng_range (&d->rng, 30, 600) * 100;
          dep.declaration_signed = TRUE;
        }
      if (g_str_equal (mode, "self_return"))
        dep.declaration_signed = TRUE;
      if ((g_str_equal (mode, "ticket") || g_str_equal (mode, "self_return")) && rng_chance (&d->rng, 0.2))
        dep.cash_fen = rng_range (&d->rng, 5, 20) * 100;
      if (g_str_equal (mode, "help_ended"))
        {
          g_snprintf (notice_no, sizeof notice_no, "ZZ%04d-%04u", year_of (end), rng_below (&d->rng, 10000));
          dep.notice_no = notice_no;
        }
      if (!put (d, &jz_entity_departure, &dep, error))
        return FALSE;

      if (g_str_equal (mode, "escorted"))
        {
          JzEscortTrip t = { 0 };
          char tid[37], staff[96], receiving[96], route[96];

          stamp (d, &t.rec, tid);
          g_snprintf (staff, sizeof staff, "[\"%s\", \"%s\"]", d->staff[rng_below (&d->rng, N_STAFF)],
                      d->staff[rng_below (&d->rng, N_STAFF)]);
          g_snprintf (receiving, sizeof receiving, "%s救助管理站", region ? region->name : "当地");
          g_snprintf (route, sizeof route, "溧阳—%s", region ? region->name : "当地");
          t.episode_id = id;
          t.staff = staff;
          t.vehicle = (char *) "苏D·J1023";
          t.route = route;
          t.cross_province = dep.cross_province;
          t.started_at = end;
          t.arrived_at = end + rng_range (&d->rng, 3, 30) * HOUR;
          if (t.arrived_at > d->now)
            t.arrived_at = 0;
          t.receiving_unit = receiving;
          t.handover_signed = t.arrived_at != 0;
          if (!put (d, &jz_entity_escort_trip, &t, error))
            return FALSE;
        }
      if (g_str_equal (mode, "ticket"))
        {
          JzExpenditure x = { 0 };
          char xid[37], receipt[16];

          stamp (d, &x.rec, xid);
          g_snprintf (receipt, sizeof receipt, "FP%08u", rng_below (&d->rng, 100000000));
          x.episode_id = id;
          x.spent_at = end;
          x.kind = (char *) "ticket";
          x.amount_fen = dep.ticket_fen;
          x.receipt_no = receipt;
          if (!put (d, &jz_entity_expenditure, &x, error))
            return FALSE;
        }
      if (g_str_equal (mode, "placed") && rng_chance (&d->rng, 0.8))
        {
          JzPlacement pl = { 0 };
          char plid[37];

          stamp (d, &pl.rec, plid);
          pl.person_id = (char *) p->id;
          pl.episode_id = id;
          pl.institution = (char *) (rng_chance (&d->rng, 0.5) ? "市社会福利院" : "康宁托养中心");
          pl.qualification_checked = TRUE;
          pl.started_at = end;
          pl.visit_every_days = 30;
          if (!put (d, &jz_entity_placement, &pl, error))
            return FALSE;
        }
      if (g_str_equal (mode, "ticket") || g_str_equal (mode, "self_return") ||
          g_str_equal (mode, "escorted") || g_str_equal (mode, "collected"))
        if (!write_followups (d, p, id, end, age_on (p, end) < 18, error))
          return FALSE;
    }

  /* Referrals to other agencies for a few. */
  if (rng_chance (&d->rng, 0.02))
    {
      static const char * const agencies[] = { "medical", "police", "hrss", "legal_aid", "charity", "civil_affairs" };
      JzReferral r = { 0 };
      char rid[37];

      stamp (d, &r.rec, rid);
      r.person_id = (char *) p->id;
      r.episode_id = id;
      r.agency = (char *) PICK (&d->rng, agencies);
      r.referred_at = admitted_at + HOUR * rng_range (&d->rng, 2, 48);
      if (r.referred_at > d->now)
        r.referred_at = d->now - HOUR;
      r.first_responsible = d->staff[rng_below (&d->rng, N_STAFF)];
      r.deadline = r.referred_at + 7 * DAY;
      if (end != 0)
        {
          r.status = (char *) "done";
          r.closed_at = MAX (end, r.referred_at);
          r.result = (char *) "已办结";
        }
      else
        r.status = (char *) "open";
      if (!put (d, &jz_entity_referral, &r, error))
        return FALSE;
    }

  *ended_at = end;
  return TRUE;
}

/* @present: one of the people in the station now (see jz_demo_generate). */
static gboolean
write_person (Demo     *d,
              gboolean  present,
              GError  **error)
{
  static const Weighted age_bands[] = {
    { "0", 1 }, { "7", 4 }, { "18", 14 }, { "30", 28 }, { "45", 33 }, { "60", 18 }, { "80", 2 },
  };
  static const int band_width[] = { 7, 11, 12, 15, 15, 20, 15 };
  JzPerson p = { 0 };
  PersonFacts facts = { 0 };
  char id[37], name[32], alias_json[64], id_number[19], birth[11], estimated_on[11], contacts[96];
  const char *band = PICKW (&d->rng, age_bands);
  gint64 first_admission = present
                           ? d->now - (gint64) (MIN (rng_exp (&d->rng, 1.5), 8.0) * DAY) - 60
                           : d->start + (gint64) (((double) d->stats.people + rng_double (&d->rng)) /
                                                  d->n_arriving * (double) (d->now - d->start));
  double x = rng_double (&d->rng);
  const char *sex = x < 0.8 ? "male" : x < 0.98 ? "female" : "unknown";
  int age = 30, k;
  gint64 t;

  /* Ages at first admission, adult men the majority. */
  for (guint i = 0; i < G_N_ELEMENTS (age_bands); i++)
    if (age_bands[i].value == band)
      age = atoi (band) + (int) rng_below (&d->rng, band_width[i]);
  facts.birth_day = local_day (first_admission) - age * 365 - (gint64) rng_below (&d->rng, 365);
  facts.sex = sex;
  if (age < 18)
    facts.flags |= JZ_FLAG_MINOR;
  if (age >= 60)
    facts.flags |= JZ_FLAG_ELDERLY;
  if (rng_chance (&d->rng, 0.03))
    facts.flags |= JZ_FLAG_DISABLED;
  if (age >= 14 && rng_chance (&d->rng, 0.04))
    facts.flags |= JZ_FLAG_MENTAL;
  if (rng_chance (&d->rng, 0.02))
    facts.flags |= JZ_FLAG_INTELLECTUAL;
  if (g_str_equal (sex, "female") && rng_chance (&d->rng, 0.03))
    facts.flags |= JZ_FLAG_DOMESTIC_VIOLENCE;
  if (age < 18 && rng_chance (&d->rng, 0.2))
    facts.flags |= JZ_FLAG_LEFT_BEHIND;
  if (rng_chance (&d->rng, 0.001))
    facts.flags |= JZ_FLAG_FOREIGN;

  stamp (d, &p.rec, id);
  facts.id = id;
  p.sex = (char *) sex;
  p.estimated_age = -1;
  p.flags = facts.flags;
  p.ethnicity = rng_chance (&d->rng, 0.91) ? 1 : rng_range (&d->rng, 2, 56);
  p.dibao = (char *) (rng_chance (&d->rng, 0.8) ? "unknown" : rng_chance (&d->rng, 0.75) ? "none" : "dibao");

  x = rng_double (&d->rng);
  if (x < 0.04 || g_str_equal (sex, "unknown"))
    {
      /* 无名氏: the number is the station's. */
      p.name_quality = (char *) "unknown";
      p.placeholder_no = ++d->placeholder_last;
      p.identity_status = (char *) "unknown";
    }
  else
    {
      make_name (d, sex, name, sizeof name);
      p.name = name;
      p.name_quality = (char *) (x < 0.29 ? "self_reported" : x < 0.30 ? "partial" : "full");
      if (rng_chance (&d->rng, 0.05))
        {
          g_snprintf (alias_json, sizeof alias_json, "[\"%s%s\"]", rng_chance (&d->rng, 0.5) ? "小" : "老",
                      g_utf8_offset_to_pointer (name, g_utf8_strlen (name, -1) - 1));
          p.aliases = alias_json;
        }
    }

  if (rng_chance (&d->rng, 0.6))
    facts.home = pick_county (d);
  if (p.name != NULL && facts.home != NULL && !g_str_equal (sex, "unknown") && rng_chance (&d->rng, 0.55))
    {
      make_id_number (d, facts.home, facts.birth_day, g_str_equal (sex, "male"), id_number);
      p.id_number = id_number;
      facts.verified = TRUE;
      p.identity_status = (char *) "verified";
      p.name_quality = (char *) "full";
    }
  else if (p.name != NULL)
    p.identity_status = (char *) (rng_chance (&d->rng, 0.7) ? "self_reported" : "unknown");
  p.hukou_region = (char *) facts.home;

  /* Birth: exact from the ID; otherwise whatever could be learned. */
  x = rng_double (&d->rng);
  if (p.id_number != NULL || x < 0.1)
    {
      format_day (facts.birth_day, birth);
      p.birth_date = birth;
      p.birth_precision = (char *) "exact";
    }
  else if (x < 0.3)
    {
      int y, m, dd;

      civil_from_days (facts.birth_day, &y, &m, &dd);
      g_snprintf (birth, sizeof birth, "%04d-01-01", y);
      p.birth_date = birth;
      p.birth_precision = (char *) "year";
    }
  else if (x < 0.85)
    {
      int guess = age + rng_range (&d->rng, -4, 4);

      p.birth_precision = (char *) "estimated";
      p.estimated_age = MAX (0, guess);
      format_day (local_day (first_admission), estimated_on);
      p.estimated_on = estimated_on;
    }
  else
    p.birth_precision = (char *) "unknown";

  if (rng_chance (&d->rng, 0.5))
    p.dialect = (char *) dialect_of (facts.home ? facts.home : pick_county (d));
  if (rng_chance (&d->rng, 0.4))
    p.height_cm = age < 14 ? rng_range (&d->rng, 100, 160)
                : g_str_equal (sex, "female") ? rng_range (&d->rng, 148, 172) : rng_range (&d->rng, 158, 185);
  if (rng_chance (&d->rng, 0.3))
    p.build = (char *) (rng_chance (&d->rng, 0.5) ? "slight" : rng_chance (&d->rng, 0.7) ? "medium" : "heavy");
  if (rng_chance (&d->rng, 0.25))
    p.marks = (char *) PICK (&d->rng, marks_list);
  if (rng_chance (&d->rng, 0.35))
    p.clothing = (char *) PICK (&d->rng, clothing_list);
  if (rng_chance (&d->rng, 0.15))
    p.description = (char *) PICK (&d->rng, description_list);
  if (rng_chance (&d->rng, 0.1))
    {
      char phone[12];

      make_phone (d, phone);
      g_snprintf (contacts, sizeof contacts, "[{\"relation\": \"%s\", \"phone\": \"%s\"}]",
                  PICK (&d->rng, relations), phone);
      p.contacts = contacts;
    }

  if (!put (d, &jz_entity_person, &p, error))
    return FALSE;
  d->stats.people++;

  /* Episodes: most people come once; repeat visitors (跑站) come back
   * after short gaps. */
  x = rng_double (&d->rng);
  k = x < 0.76 ? 1 : x < 0.90 ? 2 : x < 0.95 ? 3 : x < 0.99 ? rng_range (&d->rng, 4, 6) : rng_range (&d->rng, 7, 12);
  if (present)
    k = 1;
  t = first_admission;
  for (int i = 0; i < k && t < d->now; i++)
    {
      gint64 ended = 0;

      if (!write_episode (d, &facts, t, &ended, error))
        return FALSE;
      if (ended == 0)
        break;
      t = ended + (gint64) ((k > 3 ? rng_exp (&d->rng, 20) : rng_exp (&d->rng, 200)) * DAY) + HOUR;
    }
  return TRUE;
}

/* Street patrols with their encounters, and reports from the public. */
static gboolean
write_outreach (Demo    *d,
                GError **error)
{
  JzPatrol pa = { 0 };
  char pid[37];
  gint64 at = d->start + (gint64) (rng_double (&d->rng) * (double) (d->now - d->start - DAY));
  int y, m, dd;

  civil_from_days (local_day (at), &y, &m, &dd);
  stamp (d, &pa.rec, pid);
  pa.started_at = at;
  pa.ended_at = at + rng_range (&d->rng, 2, 5) * HOUR;
  pa.departments = (char *) "[\"民政\", \"公安\", \"城管\"]";
  pa.area = (char *) (rng_chance (&d->rng, 0.5) ? "火车站广场" : "汽车站及周边");
  pa.campaign = (char *) (m == 12 || m <= 2 ? "winter" : m >= 6 && m <= 8 ? "summer" : "other");
  if (!put (d, &jz_entity_patrol, &pa, error))
    return FALSE;

  for (int i = 0; i < 3; i++)
    {
      JzEncounter e = { 0 };
      JzEncounterItem it = { 0 };
      JzSightingReport s = { 0 };
      char eid[37], iid[37], sid[37];

      stamp (d, &e.rec, eid);
      e.patrol_id = pid;
      e.at = at + rng_range (&d->rng, 10, 110) * 60;
      e.place = pa.area;
      e.latitude = 31.43 + rng_double (&d->rng) * 0.02;
      e.longitude = 119.48 + rng_double (&d->rng) * 0.02;
      e.description = (char *) PICK (&d->rng, description_list);
      e.action = (char *) (rng_chance (&d->rng, 0.4) ? "refused" : rng_chance (&d->rng, 0.5) ? "supplies" : "brought_in");
      if (!put (d, &jz_entity_encounter, &e, error))
        return FALSE;
      if (!g_str_equal (e.action, "brought_in"))
        {
          stamp (d, &it.rec, iid);
          it.encounter_id = eid;
          it.item = (char *) (g_str_equal (pa.campaign, "winter") ? "棉被" : g_str_equal (pa.campaign, "summer") ? "矿泉水" : "食品");
          it.qty = rng_range (&d->rng, 1, 3);
          if (!put (d, &jz_entity_encounter_item, &it, error))
            return FALSE;
        }
      if (i == 0)
        {
          stamp (d, &s.rec, sid);
          s.reported_at = at - rng_range (&d->rng, 1, 48) * HOUR;
          s.reporter_kind = (char *) (rng_chance (&d->rng, 0.5) ? "public" : "sanitation_worker");
          s.channel = (char *) (rng_chance (&d->rng, 0.6) ? "hotline_12345" : "station_hotline");
          s.place = pa.area;
          s.description = e.description;
          s.dispatched_to = (char *) "巡查组";
          s.responded_at = at;
          s.outcome = (char *) (g_str_equal (e.action, "brought_in") ? "brought_in" : "refused");
          s.encounter_id = eid;
          if (!put (d, &jz_entity_sighting_report, &s, error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
finish_numbers (Demo    *d,
                GError **error)
{
  sqlite3_stmt *stmt = jz_store_prepare (d->store,
                                         "INSERT INTO number_counter (scope, last) VALUES (?1, ?2) "
                                         "ON CONFLICT (scope) DO UPDATE SET last = max (last, excluded.last)",
                                         error);
  GHashTableIter iter;
  gpointer key, value;

  if (stmt == NULL)
    return FALSE;
  g_hash_table_iter_init (&iter, d->year_last);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      char scope[8];

      g_snprintf (scope, sizeof scope, "%d", GPOINTER_TO_INT (key));
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, scope, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, *(gint64 *) value);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        return jz_store_set_error_from_db (d->store, sqlite3_errcode (jz_store_get_db (d->store)), error);
    }
  if (d->placeholder_last > 0)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, "placeholder", -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, d->placeholder_last);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        return jz_store_set_error_from_db (d->store, sqlite3_errcode (jz_store_get_db (d->store)), error);
    }
  sqlite3_reset (stmt);
  /* The store's clock moves past the demo's, so later writes order after. */
  return jz_store_hlc_observe (d->store,
                               (gint64) JZ_HLC_MAKE (ID_BASE_MS + (gint64) (d->counter >> 12) + 1, 0),
                               error);
}

static gboolean
store_is_empty (JzStore  *store,
                gboolean *empty,
                GError  **error)
{
  sqlite3_stmt *stmt = jz_store_prepare (store, "SELECT EXISTS (SELECT 1 FROM person)", error);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return jz_store_set_error_from_db (store, sqlite3_errcode (jz_store_get_db (store)), error);
    }
  *empty = sqlite3_column_int (stmt, 0) == 0;
  sqlite3_reset (stmt);
  return TRUE;
}

static void
demo_clear (Demo *d)
{
  for (guint e = 0; e < DEMO_N_ENTITIES; e++)
    g_clear_pointer (&d->queue[e], g_ptr_array_unref);
  g_clear_pointer (&d->queued_strings, g_string_chunk_free);
  g_clear_pointer (&d->home_counties, g_ptr_array_unref);
  g_clear_pointer (&d->all_counties, g_ptr_array_unref);
  g_clear_pointer (&d->blocks, g_array_unref);
  g_clear_pointer (&d->year_last, g_hash_table_unref);
  g_clear_pointer (&d->timer, g_timer_destroy);
}

gboolean
jz_store_is_demo (JzStore *store)
{
  g_autofree char *mark = NULL;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);

  mark = jz_store_get_meta (store, DEMO_META_KEY);
  return g_strcmp0 (mark, "1") == 0;
}

gboolean
jz_demo_generate (JzStore             *store,
                  guint                n_people,
                  const JzDemoOptions *options,
                  JzDemoStats         *stats,
                  GError             **error)
{
  JzDemoOptions defaults;
  Demo d = { 0 };
  gboolean empty = FALSE;
  gboolean ok = TRUE;
  guint batch, years, present, done = 0;

  g_return_val_if_fail (JZ_IS_STORE (store), FALSE);

  if (options == NULL)
    {
      jz_demo_options_init (&defaults);
      options = &defaults;
    }
  if (!store_is_empty (store, &empty, error))
    return FALSE;
  if (!empty)
    {
      g_set_error (error, JZ_STORE_ERROR, JZ_STORE_ERROR_EXISTS,
                   "The store already has people; demo data goes only into an empty store "
                   "(create one with: jiuzhu-cli --profile demo init …)");
      return FALSE;
    }

  d.store = store;
  d.opt = options;
  rng_seed (&d.rng, options->seed);
  d.now = options->now ? options->now : g_get_real_time () / G_USEC_PER_SEC;
  /* Enough years that a year's episodes fit the number block. */
  years = MAX (12, (guint) (n_people * 1.6 / EPISODES_PER_YEAR_MAX) + 1);
  d.start = d.now - (gint64) years * 365 * DAY;
  g_strlcpy (d.station, jz_store_get_station_code (store), sizeof d.station);
  memcpy (d.province, d.station, 2);
  d.home_counties = g_ptr_array_new ();
  d.all_counties = g_ptr_array_new ();
  for (guint i = 0; i < jz_regions_count (); i++)
    {
      const JzRegion *r = jz_regions_nth (i);

      if (r->abolished || r->level != JZ_REGION_LEVEL_COUNTY)
        continue;
      g_ptr_array_add (d.all_counties, (gpointer) r->code);
      if (strncmp (r->code, d.province, 2) == 0)
        g_ptr_array_add (d.home_counties, (gpointer) r->code);
    }
  if (d.home_counties->len == 0)
    g_ptr_array_add (d.home_counties, d.all_counties->pdata[0]);
  d.blocks = jz_store_get_number_blocks (store, error);
  if (d.blocks == NULL)
    {
      demo_clear (&d);
      return FALSE;
    }
  d.year_last = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  d.timer = g_timer_new ();
  batch = options->batch ? options->batch : 10000;
  /* A station always has people in it: the last ones written arrived in
   * the past week (and people arrive at random times, so some are still
   * being screened, some in hospital). */
  present = MIN (n_people, CLAMP (n_people / 200, 5, 200));
  /* The others first came one after another over the years, in the order
   * they are written, as people come to a station and are registered:
   * each one's first admission is somewhere in their own slot of the
   * years. (Drawn anywhere in the years instead, the episodes went into
   * the time-ordered indexes at random places; at a million people those
   * pages no longer fitted the cache, and the demo ran a third slower.) */
  d.n_arriving = MAX (1, n_people - present);

  /* One transaction per batch; the first also holds staff and rooms, the
   * last the number counters. Few and large: a page that every batch
   * touches (an index's, the search index's) is written to the WAL once
   * per batch. */
  jz_store_set_bulk (store, TRUE);
  do
    {
      guint n = MIN (batch, n_people - done);

      if (!jz_store_write_begin (store, error))
        {
          ok = FALSE;
          break;
        }
      /* Marked in the same transaction as the first people: a demo
       * store never syncs (jz-sync-engine.c refuses it). */
      if (done == 0)
        ok = jz_store_set_meta (store, DEMO_META_KEY, "1", error) && write_staff_and_rooms (&d, error);
      for (guint i = 0; ok && i < n; i++)
        {
          ok = write_person (&d, done + i >= n_people - present, error);
          if (ok && (done + i) % 500 == 499)
            ok = write_outreach (&d, error);
        }
      done += n;
      if (ok)
        ok = flush_queues (&d, error);
      if (ok && done >= n_people)
        ok = finish_numbers (&d, error) && jz_search_optimize (store, error);
      if (!jz_store_write_end (store, ok, ok ? error : NULL))
        ok = FALSE;
      if (!ok)
        break;
      d.stats.seconds = g_timer_elapsed (d.timer, NULL);
      if (options->progress != NULL)
        options->progress (&d.stats, n_people, options->user_data);
    }
  while (done < n_people);
  jz_store_set_bulk (store, FALSE);

  d.stats.seconds = g_timer_elapsed (d.timer, NULL);
  if (stats != NULL)
    *stats = d.stats;
  demo_clear (&d);
  return ok;
}
