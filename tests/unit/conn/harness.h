/*
 * Two conns joined through two fake transports: whatever one side sends is
 * handed to the other's conn_handle by pair_pump(). "rec" is a channel owner
 * that records every callback; "srv" is an open handler with several modes.
 */
#ifndef BURROW_TESTS_CONN_HARNESS_H
#define BURROW_TESTS_CONN_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "conn/conn.h"
#include "fake_tp.h"
#include "wire/buf.h"

struct pair {
	struct tp *ta, *tb; /* ta carries a's output */
	struct conn *a, *b;
	int err;            /* first conn_handle error */
	int err_side;       /* 'a' or 'b': whose conn_handle failed */
};

int pair_init(struct pair *p, const struct conn_config *ca, const struct conn_config *cb);
void pair_free(struct pair *p);
/* Deliver queued payloads both ways until both queues are empty or an error. */
int pair_pump(struct pair *p);
/* Deliver one payload from a to b (from_a) or b to a; ERR_AGAIN if none. */
int pair_step(struct pair *p, int from_a);
/* Drop everything queued by a side. */
void pair_drop(struct tp *t);

#define REC_MAX 32

struct rec {
	struct buf data;      /* ext 0 */
	struct buf ext;       /* ext != 0 */
	uint32_t last_ext;
	int eofs, closeds, windows;
	int open_ok, open_fail;
	uint32_t reason;
	char msg[128];
	int replies[REC_MAX];
	int nreplies;
	char reqs[REC_MAX][32];
	int req_want[REC_MAX];
	uint32_t req_arg[REC_MAX];
	int nreqs;
	int req_answer;       /* what ops->request returns */
	int auto_consume;     /* call chan_consumed() from the data op */
	int fail_data;        /* data op returns -1 */
	int close_on_eof;     /* call chan_close from the eof op */
	int close_on_data;    /* call chan_close from the data op */
	int reopen_on_closed; /* chan_open another channel from the closed op */
	int send_on_eof;      /* try chan_send_data from the eof op... */
	int send_on_eof_result; /* ...and record what it returned */
	size_t room_on_eof;
	struct chan *ch;      /* last channel that called back */
	struct chan *reopened;
};

extern const struct chan_ops rec_ops;
void rec_init(struct rec *r);
void rec_free(struct rec *r);

enum srv_mode {
	SRV_ACCEPT,   /* accept now with srv->rec */
	SRV_REFUSE,   /* refuse with srv->reason/msg */
	SRV_DECLINE,  /* return nonzero without touching reason/msg */
	SRV_ASYNC,    /* keep the channel in srv->pending, answer later */
	SRV_REJECT_INSIDE, /* chan_reject() from the handler, then return 0 */
	SRV_ACCEPT_FAIL,   /* chan_accept(), then return nonzero anyway */
};

struct srv {
	enum srv_mode mode;
	uint32_t reason;
	const char *msg;
	struct rec *rec;
	struct chan *pending;
	struct chan *last;
	char type[32];
	struct buf args;
	int opens;
};

void srv_init(struct srv *s, enum srv_mode mode, struct rec *rec);
void srv_free(struct srv *s);
int srv_open(void *arg, struct chan *ch, const char *type, struct rd *args, uint32_t *reason,
	     const char **msg);

/* Helpers to inject raw messages. */
int inject(struct conn *c, const struct buf *b);

#endif
