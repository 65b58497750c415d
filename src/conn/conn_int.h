/*
 * Internals of the connection layer shared by its source files; not part of
 * the layer's interface (see conn.h).
 *
 * Lifetime rules: a channel is "held" while conn code runs one of its owner's
 * callbacks or otherwise still uses the pointer. Anything that would end the
 * channel only marks it; conn_chan_settle() runs the closed op and frees the
 * slot once nothing holds it any more.
 */
#ifndef BURROW_CONN_CONN_INT_H
#define BURROW_CONN_CONN_INT_H

#include <stdint.h>

#include "conn/conn.h"
#include "wire/buf.h"
#include "wire/rd.h"

/* Largest data piece we send or accept per packet: TP_MAX_PACKET minus room for headers and padding. */
#define CONN_MAX_PACKET_CAP (TP_MAX_PACKET - 1024u)
#define CONN_DEFAULT_MAX_CHANNELS 65536u /* per connection; ids are array slots */
#define CONN_NO_SLOT UINT32_MAX

enum chan_state {
	CHAN_OPENING, /* we sent CHANNEL_OPEN and wait for the answer */
	CHAN_PENDING, /* the peer opened it; our owner has not answered yet */
	CHAN_OPEN,    /* confirmed: both ids known */
};

struct chan {
	struct conn *c;
	const struct chan_ops *ops;
	void *ctx;
	uint32_t id;           /* local id = index into conn's slot array */
	uint32_t rid;          /* the peer's id (valid unless CHAN_OPENING) */
	enum chan_state state;
	uint32_t lwin;         /* bytes the peer may still send us */
	uint32_t lwin_max;     /* the window we advertise */
	uint32_t consumed;     /* passed on by the owner, not yet re-advertised */
	uint64_t meas_us;      /* start of the current rate measurement (0: none yet) */
	uint64_t meas_bytes;   /* bytes passed on since meas_us */
	uint32_t lmax;         /* our maximum data per packet */
	uint32_t rwin;         /* bytes we may still send */
	uint32_t rmax;         /* peer's maximum data per packet, clamped */
	uint32_t want_replies; /* our CHANNEL_REQUESTs awaiting an answer */
	unsigned hold;         /* >0 while a caller still uses this channel */
	unsigned eof_sent : 1;
	unsigned eof_rcvd : 1;
	unsigned close_sent : 1;
	unsigned close_rcvd : 1;
	unsigned close_wanted : 1; /* owner closed it before the open was answered */
	unsigned dead : 1;         /* finished: no more messages or callbacks */
	unsigned out_wait : 1;     /* listed in conn.out_waiters */
	char type[24];             /* channel type, for listings (truncated) */
};

struct conn_slot {
	struct chan *ch;
	uint32_t next_free;
};

struct conn_greply {
	conn_global_reply_fn cb;
	void *arg;
};

struct conn {
	struct tp *t;
	struct conn_config cfg;   /* with defaults filled in */
	struct conn_slot *slots;
	uint32_t nslots;
	uint32_t free_head;       /* CONN_NO_SLOT when the array is full */
	uint32_t used;
	struct conn_greply *gq;   /* ring of callbacks for our global requests */
	size_t gq_head, gq_len, gq_cap;
	struct buf sb;            /* scratch for building outgoing messages */
	int dying;                /* conn_free is running */
	uint64_t rtt_us;          /* smoothed round-trip time (0: not measured yet) */
	uint64_t probe_us;        /* when the outstanding RTT probe left (0: none) */
	uint64_t last_probe_us;   /* when the last probe left */
	uint8_t *resv;            /* chan_send_reserve's payload, until chan_send_commit */
	uint32_t *out_waiters;    /* ids of channels waiting for the output queue to drain */
	uint32_t n_out_waiters, cap_out_waiters;
};

/* conn.c: window autotuning needs a round-trip time; probe it now and then. */
void conn_maybe_probe_rtt(struct conn *c, uint64_t now_us);

/* chan_table.c */
int conn_chan_alloc(struct conn *c, struct chan **out);
/* Read a recipient id and find the live channel in state st; ERR_PROTOCOL otherwise. */
int conn_chan_get(struct conn *c, struct rd *r, enum chan_state st, struct chan **out);
void conn_chan_settle(struct chan *ch);
static inline void conn_chan_hold(struct chan *ch) { ch->hold++; }
static inline void conn_chan_release(struct chan *ch)
{
	ch->hold--;
	conn_chan_settle(ch);
}
/* Tear down one channel at conn_free (closed op, then free). */
void conn_chan_teardown(struct chan *ch);
/* Send c->sb through the transport. */
int conn_send_sb(struct conn *c);

/* chan_open.c */
int conn_recv_open(struct conn *c, struct rd *r);
int conn_recv_open_confirm(struct conn *c, struct rd *r);
int conn_recv_open_failure(struct conn *c, struct rd *r);

/* chan_io.c */
int conn_recv_window(struct conn *c, struct rd *r);
int conn_recv_data(struct conn *c, struct rd *r, int extended);
int conn_recv_eof(struct conn *c, struct rd *r);
int conn_recv_close(struct conn *c, struct rd *r);
int conn_recv_request(struct conn *c, struct rd *r);
int conn_recv_chan_reply(struct conn *c, struct rd *r, int success);

#endif
