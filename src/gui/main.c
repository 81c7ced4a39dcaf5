/* main.c: jiuzhu, the station application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "jz-application.h"
#include "jz-gui-util.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(JzApplication) app = NULL;
  const char *localedir = g_getenv ("JIUZHU_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  jz_gui_choose_renderer ();

  app = jz_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
