/*
 * SSH connection protocol (RFC 4254): channels, windows, global requests.
 * Sans-I/O: sits on a struct tp, handles payloads with message numbers
 * 80..127 and sends through tp_send. Channels live in an array with a free
 * list (O(1) lookup by local id). Each channel has a small vtable supplied
 * by whoever opened or accepted it (session, forwarding, ...).
 *
 * Flow control is exact: the receive window is what the peer may still send
 * us; data beyond it or beyond our maximum packet is a protocol error. The
 * window is only re-opened (WINDOW_ADJUST) as the owner reports bytes
 * consumed with chan_consumed(), so nothing buffers more than it advertised.
 */
#ifndef BURROW_CONN_CONN_H
#define BURROW_CONN_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "transport/transport.h"
#include "wire/rd.h"

/* Channel open failure reasons, RFC 4254 section 5.1. */
enum {
	SSH_OPEN_ADMINISTRATIVELY_PROHIBITED = 1,
	SSH_OPEN_CONNECT_FAILED = 2,
	SSH_OPEN_UNKNOWN_CHANNEL_TYPE = 3,
	SSH_OPEN_RESOURCE_SHORTAGE = 4,
};

#define CONN_DEFAULT_WINDOW (2u * 1024 * 1024)
/* Cap for the receive window's growth (bandwidth-delay product of ~1 GB/s at 60 ms). */
#define CONN_DEFAULT_MAX_WINDOW (64u * 1024 * 1024)
#define CONN_DEFAULT_MAX_PACKET (128u * 1024)

struct conn;
struct chan;

struct chan_ops {
	/* Data from the peer (ext 0 = data, 1 = stderr). It is within our window; the
	 * owner must take all of it and call chan_consumed() when it has passed it on. */
	int (*data)(struct chan *ch, uint32_t ext, const uint8_t *p, size_t n);
	/* Peer sent EOF. */
	void (*eof)(struct chan *ch);
	/* Channel request. Return 0 to answer success, nonzero for failure (answered only if want_reply). */
	int (*request)(struct chan *ch, const char *type, int want_reply, struct rd *args);
	/* Answer to a request we sent with want_reply. */
	void (*reply)(struct chan *ch, int success);
	/* For channels we opened: confirmation (ok=1) or failure with reason and message. */
	void (*open_result)(struct chan *ch, int ok, uint32_t reason, const char *msg);
	/* The peer's window grew: the owner may send more. */
	void (*window)(struct chan *ch);
	/* Channel fully closed (CLOSE sent and received, or connection torn down).
	 * Free the owner's state; the channel is freed right after this returns.
	 * Called exactly once for every channel that was accepted, confirmed or
	 * closed by its owner; not after open_result(ok=0) or chan_reject(), which
	 * free the channel when they return. Runs only after the callback that
	 * triggered it has returned, so owners may call chan_close() anywhere. */
	void (*closed)(struct chan *ch);
};

/*
 * Handler for a channel-open request from the peer. Return 0 and call
 * chan_accept() (now or later: an asynchronous connect answers later), or
 * return nonzero after setting *reason and *msg to refuse it now.
 */
typedef int (*conn_open_fn)(void *arg, struct chan *ch, const char *type, struct rd *args,
			    uint32_t *reason, const char **msg);
/* Handler for a global request; return 0 for success (reply may carry data in *reply_extra). */
typedef int (*conn_global_fn)(void *arg, struct conn *c, const char *name, int want_reply,
			      struct rd *args, struct buf *reply_extra);
/* Callback for replies to our global requests. */
typedef void (*conn_global_reply_fn)(void *arg, int success, struct rd *args);

struct conn_config {
	uint32_t window;      /* initial receive window per channel (0 = default) */
	uint32_t max_window;  /* the window may grow up to this (0 = default; = window: fixed) */
	/* Monotonic clock in microseconds for window autotuning (NULL: no autotuning). */
	uint64_t (*clock_us)(void *clock_arg);
	void *clock_arg;
	uint32_t max_packet;  /* our maximum packet size (0 = default) */
	uint32_t max_channels;/* refuse opens beyond this (0 = 65536) */
	/*
	 * Output backpressure: once more than out_high bytes wait in the
	 * transport's output buffer, chan_output_full() tells owners to stop
	 * reading their sources until conn_output_drained() (0 = no limit).
	 * Keeps the queue, and so the memory it touches, small and cache-hot.
	 */
	size_t out_high;
	conn_open_fn open;    /* peer-initiated opens; NULL refuses all */
	conn_global_fn global;/* global requests; NULL = fail all */
	void *arg;
};

int conn_new(struct tp *t, const struct conn_config *cfg, struct conn **out);
/* Closes every channel (calling their closed ops) and frees. Not from inside a
 * conn callback. Pending peer opens get closed only if chan_set_ops() gave them ops. */
void conn_free(struct conn *c);
/* Handle one payload with message number 80..127; protocol errors are returned
 * (ERR_PROTOCOL, ERR_WINDOW, ERR_TRUNCATED, ERR_FORMAT); message numbers this
 * layer does not know give ERR_UNSUPPORTED (the caller may send UNIMPLEMENTED). */
int conn_handle(struct conn *c, const uint8_t *payload, size_t len);
/* Number of channels in use. */
uint32_t conn_channel_count(const struct conn *c);
/* Call fn for every live channel with its id, type and state ("open", "opening", "closing"...). */
void conn_list_channels(struct conn *c,
			void (*fn)(void *arg, uint32_t id, const char *type, const char *state),
			void *arg);
int conn_send_global(struct conn *c, const char *name, int want_reply, const uint8_t *extra,
		     size_t extra_len, conn_global_reply_fn cb, void *arg);
struct tp *conn_transport(struct conn *c);
/* Smoothed round-trip time measured with keepalive probes, 0 if not known yet. */
uint64_t conn_rtt_us(const struct conn *c);

/* Open a channel of `type` with type-specific data `extra`; result comes via ops->open_result. */
int chan_open(struct conn *c, const char *type, const uint8_t *extra, size_t extra_len,
	      const struct chan_ops *ops, void *ctx, struct chan **out);
/* Confirm a peer-initiated open, setting the owner's ops. */
int chan_accept(struct chan *ch, const struct chan_ops *ops, void *ctx);
/* Refuse a pending peer-initiated open (asynchronous refusal); frees the channel. */
int chan_reject(struct chan *ch, uint32_t reason, const char *msg);
/* Set ops before answering a pending open (non-NULL only), so an asynchronous
 * accept learns through ops->closed when the connection is torn down first. */
void chan_set_ops(struct chan *ch, const struct chan_ops *ops);

/* Bytes we may send now: the peer's remaining window; 0 before confirmation,
 * after our EOF or CLOSE, after the peer's CLOSE, or if its max packet is 0. */
size_t chan_send_room(const struct chan *ch);
/*
 * 1 if the connection's output queue is over conn_config.out_high: the owner
 * should stop reading its source; ops->window runs when the queue drained.
 */
int chan_output_full(struct chan *ch);
/* The owner wrote the output queue down to (below) half of out_high: wake the waiters. */
void conn_output_drained(struct conn *c);
/*
 * In-place data (ext 0): *p gets room for up to *max (<= want, the window and
 * the peer's maximum packet) bytes inside the outgoing packet; write them
 * there, then chan_send_commit(ch, n) with 1 <= n <= *max, or simply do not
 * commit. Nothing else may be sent on the connection in between.
 * ERR_AGAIN: take the copying path (chan_send_data) for now; ERR_WINDOW: no room.
 */
int chan_send_reserve(struct chan *ch, size_t want, uint8_t **p, size_t *max);
int chan_send_commit(struct chan *ch, size_t n);
/* Send n <= chan_send_room() bytes, split into packets of the peer's maximum size. */
int chan_send_data(struct chan *ch, uint32_t ext, const uint8_t *p, size_t n);
int chan_send_eof(struct chan *ch);
/* Send CLOSE (once); closed op runs when the peer's CLOSE has also arrived.
 * Before our open is answered the CLOSE is sent right after the confirmation
 * (closed op runs without open_result). ERR_BAD_STATE on a pending peer open. */
int chan_close(struct chan *ch);
int chan_send_request(struct chan *ch, const char *type, int want_reply, const uint8_t *extra,
		      size_t extra_len);
/* The owner delivered n received bytes onward: the window re-opens as needed. */
int chan_consumed(struct chan *ch, size_t n);

void *chan_ctx(const struct chan *ch);
void chan_set_ctx(struct chan *ch, void *ctx);
struct conn *chan_conn(const struct chan *ch);
uint32_t chan_id(const struct chan *ch);
int chan_eof_received(const struct chan *ch);
int chan_eof_sent(const struct chan *ch);
int chan_close_sent(const struct chan *ch);

/*
 * Peer liveness (conn_alive.c), sans-I/O: the owner calls conn_alive_rx for
 * every packet received and conn_alive_step when told (*next_us, monotonic
 * microseconds). PROBE: send keepalive@openssh.com with want_reply; DEAD: the
 * peer was silent for interval x count_max (count_max 0: one interval, or
 * never if zero_disables, as sshd's ClientAliveCountMax 0).
 */
enum { CONN_ALIVE_OFF, CONN_ALIVE_IDLE, CONN_ALIVE_PROBE, CONN_ALIVE_DEAD };
struct conn_alive {
	uint64_t interval_us;
	uint64_t last_rx_us;
	unsigned count_max;
	unsigned sent;      /* probes since the last packet received */
	int zero_disables;
};
void conn_alive_init(struct conn_alive *a, unsigned interval_s, unsigned count_max,
		     int zero_disables, uint64_t now_us);
void conn_alive_rx(struct conn_alive *a, uint64_t now_us);
int conn_alive_step(struct conn_alive *a, uint64_t now_us, uint64_t *next_us);
unsigned conn_alive_unanswered(const struct conn_alive *a);

#endif
