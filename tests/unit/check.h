/* Minimal unit-test helpers: each test program returns nonzero if any check failed. */
#ifndef BURROW_TESTS_CHECK_H
#define BURROW_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
			check_failures++;                                             \
		}                                                                     \
	} while (0)

#define CHECK_INT(a, b)                                                               \
	do {                                                                          \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);       \
		if (check_a_ != check_b_) {                                           \
			fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", \
				__FILE__, __LINE__, #a, #b, check_a_, check_b_);      \
			check_failures++;                                             \
		}                                                                     \
	} while (0)

#define CHECK_MEM(a, b, n) CHECK(memcmp((a), (b), (n)) == 0)
#define CHECK_STR(a, b) CHECK(strcmp((a), (b)) == 0)

/* Convert a hex string to bytes; returns the byte count. */
static inline size_t check_unhex(const char *hex, unsigned char *out, size_t max)
{
	size_t n = 0;
	while (hex[0] != '\0' && hex[1] != '\0' && n < max) {
		unsigned v;
		if (sscanf(hex, "%2x", &v) != 1)
			break;
		out[n++] = (unsigned char)v;
		hex += 2;
	}
	return n;
}

#define CHECK_DONE()                                                                  \
	do {                                                                          \
		if (check_failures != 0)                                              \
			fprintf(stderr, "%d check(s) failed\n", check_failures);     \
		return check_failures != 0;                                           \
	} while (0)

#endif
