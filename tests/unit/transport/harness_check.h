/*
 * Checks shared by the transport tests on top of harness.h. Inline in a
 * header so that CHECK counts failures in each test program's own check.h
 * state (harness.c is a separate library and cannot use CHECK).
 */
#ifndef BURROW_TESTS_TRANSPORT_HARNESS_CHECK_H
#define BURROW_TESTS_TRANSPORT_HARNESS_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "harness.h"
#include "util/log.h"

/* Every test payload arrived in order on both sides, and no side saw an error. */
static inline void pair_check_delivered(struct pair *p)
{
	CHECK(!p->c.bad && !p->s.bad);
	CHECK_INT(p->s.next_expected, p->c.next_to_send);
	CHECK_INT(p->c.next_expected, p->s.next_to_send);
	CHECK_INT(p->c.err, 0);
	CHECK_INT(p->s.err, 0);
}

/* n payloads from both sides, interleaved with partial deliveries (no final pair_run). */
static inline void pair_traffic(struct pair *p, int n)
{
	for (int i = 0; i < n; i++) {
		CHECK_INT(side_send(p, &p->c), 0);
		CHECK_INT(side_send(p, &p->s), 0);
		if (i % 3 == 0) {
			pair_step(p, &p->c, &p->s, 1 + (size_t)rand_r(&p->seed) % 5000);
			pair_step(p, &p->s, &p->c, 1 + (size_t)rand_r(&p->seed) % 5000);
		}
	}
}

/* Log at DEBUG1 into a new file made from the mkstemp template path; 0 or -1. */
static inline int pair_log_begin(char *path)
{
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return -1;
	close(fd);
	log_set_file(path);
	log_set_level(LOG_DEBUG1);
	return 0;
}

/* Log as before again; counts[i] = lines of the log holding needles[i]; the file goes. */
static inline void pair_log_end(const char *path, const char *const *needles, unsigned *counts,
				size_t n)
{
	char line[512];
	FILE *f;

	log_set_level(LOG_ERROR);
	log_set_file(NULL);
	memset(counts, 0, n * sizeof(*counts));
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			for (size_t i = 0; i < n; i++)
				counts[i] += strstr(line, needles[i]) != NULL;
		fclose(f);
	}
	unlink(path);
}

#endif
