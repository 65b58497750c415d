/*
 * In-memory client-against-server harness for the transport tests: two
 * struct tp joined by moving tp_outbuf bytes to the other's tp_input in
 * chunks of pseudo-random sizes.
 */
#ifndef BURROW_TESTS_TRANSPORT_HARNESS_H
#define BURROW_TESTS_TRANSPORT_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"
#include "transport/transport.h"

/* What one side received from the other (upper-layer payloads, checked in order). */
struct side {
	struct tp *tp;
	uint32_t next_expected; /* index of the next payload from the peer */
	uint32_t next_to_send;  /* index of our next payload */
	int bad;                /* a payload arrived out of order or corrupted */
	int err;                /* first error from tp_input / tp_read_packet (not ERR_AGAIN) */
	unsigned other;         /* payloads received that were not test payloads */
	uint8_t last_type;      /* type of the last non-test payload */
};

struct pair {
	struct side c, s;
	struct key *hostkey;
	unsigned seed;
	int hostkey_verdict;    /* what check_hostkey returns */
	unsigned hostkey_calls;
};

struct pair_opts {
	const char *ciphers;
	uint64_t rekey_bytes_c, rekey_bytes_s;
	uint32_t rekey_seconds_c;
	const char *macs_c, *macs_s;    /* NULL = defaults */
	const char *comp_c, *comp_s;    /* compression proposals; NULL = "none" */
	const char *ciphers_s;          /* server ciphers if different from `ciphers` */
	const char *kex_algs;           /* both sides; NULL = defaults */
	const char *moduli_file;        /* server's moduli for group exchange */
};

int pair_new(struct pair *p, const struct pair_opts *o, unsigned seed);
void pair_free(struct pair *p);
int pair_start(struct pair *p);
/* Move everything both ways until quiet; returns 0 or the first error seen. */
int pair_run(struct pair *p);
/* Move at most max bytes from one side to the other (random chunks). */
int pair_step(struct pair *p, struct side *from, struct side *to, size_t max);
/* Send test payload number from->next_to_send (type 94 unless given). */
int side_send(struct pair *p, struct side *from);
/* Read every ready payload on a side, checking test payloads. */
int side_drain(struct side *s);
/* The deterministic payload number i (len up to 2000). */
size_t payload_make(uint32_t i, uint8_t *out, size_t max);

#endif
