/* Config files written into a per-test temporary directory (mkdtemp(tmpdir) first). */
#ifndef BURROW_TESTS_CONFIG_TMPFILES_H
#define BURROW_TESTS_CONFIG_TMPFILES_H

#include <stdio.h>

#include "../check.h"

static char tmpdir[] = "/tmp/burrow-config-test-XXXXXX";

/* Write text to tmpdir/name; returns the path (valid for the next 7 calls). */
static inline const char *write_file(const char *name, const char *text)
{
	static char paths[8][512];
	static int next;
	char *p = paths[next++ % 8];
	FILE *f;

	snprintf(p, 512, "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	CHECK(f != NULL);
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
	return p;
}

#endif
