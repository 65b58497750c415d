/*
 * A stand-in for the transport in conn unit tests: tp_send/tp_sendb append
 * the payload to a queue the test pops from, nothing is encrypted or framed.
 */
#ifndef BURROW_TESTS_CONN_FAKE_TP_H
#define BURROW_TESTS_CONN_FAKE_TP_H

#include <stddef.h>
#include <stdint.h>

#include "transport/transport.h"

struct tp *fake_tp_new(void);
void fake_tp_free(struct tp *t);
/* Payloads queued and not yet popped. */
size_t fake_tp_pending(const struct tp *t);
/* Oldest queued payload; the caller frees *p. ERR_AGAIN when empty. */
int fake_tp_pop(struct tp *t, uint8_t **p, size_t *n);
/* Make tp_send fail with err (0 = succeed again). */
void fake_tp_set_fail(struct tp *t, int err);
/* Total payloads ever sent. */
size_t fake_tp_sent(const struct tp *t);

#endif
