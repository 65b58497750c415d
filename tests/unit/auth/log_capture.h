/*
 * Unit tests that assert on log lines: the log goes to a temporary file that
 * log_capture_start() creates; log_reset() empties it; log_has() looks for a
 * substring and prints the whole log when it is missing. Static functions
 * in a header so CHECK counts in the including test.
 */
#ifndef BURROW_TESTS_AUTH_LOG_CAPTURE_H
#define BURROW_TESTS_AUTH_LOG_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "util/log.h"

static char logpath[] = "/tmp/burrow-auth-log-XXXXXX";

/* 0, or -1 if the file cannot be made. */
static int log_capture_start(void)
{
	int fd = mkstemp(logpath);

	if (fd < 0)
		return -1;
	close(fd);
	CHECK_INT(log_set_file(logpath), 0);
	return 0;
}

static void log_capture_end(void)
{
	log_set_file(NULL);
	unlink(logpath);
}

static void log_reset(void)
{
	log_set_file(NULL);
	CHECK(truncate(logpath, 0) == 0);
	CHECK_INT(log_set_file(logpath), 0);
}

static int log_has(const char *needle)
{
	static char text[1 << 16];
	FILE *f = fopen(logpath, "r");
	size_t n;

	if (f == NULL)
		return 0;
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	if (strstr(text, needle) == NULL) {
		fprintf(stderr, "log lacks \"%s\"; log is:\n%s\n", needle, text);
		return 0;
	}
	return 1;
}

#endif
