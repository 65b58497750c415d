/* Capture what a call writes to stderr/stdout, for asserting exact messages. */
#ifndef BURROW_TESTS_CONFIG_CAPTURE_H
#define BURROW_TESTS_CONFIG_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char capture_buf[8192];
static int capture_saved = -1;
static FILE *capture_file;
static int capture_fd_num;

static inline void capture_start_fd(int fd)
{
	fflush(stdout);
	fflush(stderr);
	capture_fd_num = fd;
	capture_file = tmpfile();
	capture_saved = dup(fd);
	dup2(fileno(capture_file), fd);
}

static inline void capture_start(void)
{
	capture_start_fd(2);
}

/* Stop capturing; returns the text written (valid until the next capture). */
static inline const char *capture_end(void)
{
	size_t n;

	fflush(stdout);
	fflush(stderr);
	dup2(capture_saved, capture_fd_num);
	close(capture_saved);
	rewind(capture_file);
	n = fread(capture_buf, 1, sizeof(capture_buf) - 1, capture_file);
	capture_buf[n] = '\0';
	fclose(capture_file);
	return capture_buf;
}

#endif
