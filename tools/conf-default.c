/*
 * conf-default - print the commented default tte.conf, every key from the
 * config key table (the same text `tte init` writes), for `make install`
 * and the Debian package's /etc/tte/tte.conf. With --commented the
 * key lines are commented out, so a system-wide file pins no defaults.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "config.h"

int main(int argc, char **argv)
{
	bool commented = argc > 1 && !strcmp(argv[1], "--commented");
	gchar **lines = g_strsplit(config_default_text(), "\n", -1);
	int rc = 0;

	for (gchar **l = lines; *l; l++) {
		bool key = **l && **l != '#' && **l != '[';

		if (l[1] == NULL && !**l)
			break;
		if (printf("%s%s\n", commented && key ? "#" : "", *l) < 0)
			rc = 1;
	}
	g_strfreev(lines);
	if (fflush(stdout) || ferror(stdout) || fclose(stdout))
		rc = 1;
	return rc;
}
