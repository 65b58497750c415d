/*
 * Test-only entry points of the transport (unit tests and tests/tools/ssh-probe).
 * Production code must not use these.
 */
#ifndef BURROW_TRANSPORT_TP_TEST_H
#define BURROW_TRANSPORT_TP_TEST_H

#include <stddef.h>
#include <stdint.h>

struct tp;

/*
 * Frame and queue a payload for the network right now: no holding during a
 * key exchange, no rekey trigger, no check of the message number. Lets tests
 * send messages a well-behaved peer never would.
 */
int tp_send_raw(struct tp *t, const uint8_t *payload, size_t len);

/*
 * Like tp_send_raw, but the payload goes out as the packet body even when
 * compression is on (it must already be zlib data): lets tests send what a
 * hostile compressor would, such as a decompression bomb.
 */
int tp_send_raw_nocomp(struct tp *t, const uint8_t *body, size_t len);

#endif
