/* jz-cli.h: jiuzhu-cli, the headless companion for a station's store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jz-store.h"

G_BEGIN_DECLS

/* Exit codes: 0 done, 1 the command ran and found a problem (check, id-check),
 * 2 usage or an error that stopped the command. */
enum { JZ_CLI_OK = 0, JZ_CLI_FOUND = 1, JZ_CLI_ERROR = 2 };

typedef struct
{
  const char *profile;
  const char *program;
} JzCliContext;

typedef int (*JzCliCommandFunc) (JzCliContext *ctx,
                                 int           argc,
                                 char        **argv);

typedef struct
{
  const char       *name;
  const char       *args;
  const char       *summary;
  JzCliCommandFunc  func;
} JzCliCommand;

int       jz_cli_main          (int            argc,
                                char         **argv);
JzStore  *jz_cli_open_store    (JzCliContext  *ctx);
int       jz_cli_fail          (JzCliContext  *ctx,
                                const char    *format,
                                ...) G_GNUC_PRINTF (2, 3);

/* jz-cli-rules.c */
int       jz_cli_cmd_id_check  (JzCliContext  *ctx,
                                int            argc,
                                char         **argv);
/* jz-cli-store.c */
int       jz_cli_cmd_check     (JzCliContext  *ctx,
                                int            argc,
                                char         **argv);
int       jz_cli_cmd_stats     (JzCliContext  *ctx,
                                int            argc,
                                char         **argv);
int       jz_cli_cmd_backup    (JzCliContext  *ctx,
                                int            argc,
                                char         **argv);
int       jz_cli_cmd_enrol     (JzCliContext  *ctx,
                                int            argc,
                                char         **argv);
int       jz_cli_cmd_sync      (JzCliContext  *ctx,
                                int            argc,
                                char         **argv);
int       jz_cli_cmd_sync_status (JzCliContext *ctx,
                                  int           argc,
                                  char        **argv);
/* jz-cli-search.c */
int       jz_cli_cmd_search    (JzCliContext  *ctx,
                                int            argc,
                                char         **argv);
int       jz_cli_cmd_due       (JzCliContext  *ctx,
                                int            argc,
                                char         **argv);
/* jz-cli-demo.c */
int       jz_cli_cmd_demo      (JzCliContext  *ctx,
                                int            argc,
                                char         **argv);
/* jz-cli-transfer.c */
int       jz_cli_cmd_export    (JzCliContext  *ctx,
                                int            argc,
                                char         **argv);
int       jz_cli_cmd_import    (JzCliContext  *ctx,
                                int            argc,
                                char         **argv);

G_END_DECLS
