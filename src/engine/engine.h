/*
 * The engine joins the sans-I/O transport to a socket: bytes read from the
 * socket go into tp_input, each payload that comes out is handed to the
 * owner's dispatch function, and whatever the transport queued is written
 * back. Both programs (client and server) drive their connection with it.
 */
#ifndef BURROW_ENGINE_ENGINE_H
#define BURROW_ENGINE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "transport/transport.h"

struct event_base;
struct engine;

struct engine_ops {
	/* One payload for the upper layers; a negative return ends the connection. */
	int (*dispatch)(void *arg, const uint8_t *payload, size_t len);
	/* The connection ended: err is 0 for an orderly close by us, else why. */
	void (*finished)(void *arg, int err, const char *why);
	/* Optional: a write shrank the output queue (conn_output_drained() hook). */
	void (*drained)(void *arg);
};

/* conn_config.out_high for connections driven by an engine. */
#define ENGINE_OUT_HIGH (1024 * 1024)

/* Takes ownership of fd and t. */
int engine_new(struct event_base *base, int fd, struct tp *t, const struct engine_ops *ops,
	       void *arg, struct engine **out);
void engine_free(struct engine *e);
struct tp *engine_tp(struct engine *e);
/* Write out whatever the transport has queued (call after sending anything). */
void engine_flush(struct engine *e);
/* Callback-friendly form of engine_flush. */
void engine_flush_cb(void *engine);
/* Queue DISCONNECT (if reason != 0), flush it, then finish with err. */
void engine_close(struct engine *e, uint32_t reason, const char *msg, int err);
/* From the transport's "Received disconnect from peer: 11: bye", the "11: bye" part. */
const char *engine_disconnect_detail(const char *why);
/* Monotonic clock in microseconds (conn_config.clock_us). */
uint64_t engine_clock_us(void *unused);
/* Bytes waiting in the transport's output buffer (for backpressure). */
size_t engine_pending_output(const struct engine *e);

#endif
