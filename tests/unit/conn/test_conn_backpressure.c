/*
 * Output backpressure: over out_high bytes queued for the network, owners are
 * told to stop reading (chan_output_full) and each waiting channel's window op
 * runs exactly once when the queue drained below half of out_high.
 */
#include <string.h>

#include "../check.h"
#include "harness.h"
#include "util/err.h"

struct fix {
	struct pair p;
	struct rec ca, cb, sa;
	struct srv s;
	struct chan *c1, *c2;
	struct chan *peer1; /* b's end of c1 */
};

static void fix_init(struct fix *f)
{
	struct conn_config ca = { 0 }, cb = { 0 };

	rec_init(&f->ca);
	rec_init(&f->cb);
	rec_init(&f->sa);
	srv_init(&f->s, SRV_ACCEPT, &f->sa);
	ca.out_high = 1000;
	cb.open = srv_open;
	cb.arg = &f->s;
	CHECK_INT(pair_init(&f->p, &ca, &cb), 0);
	CHECK_INT(chan_open(f->p.a, "direct-tcpip", NULL, 0, &rec_ops, &f->ca, &f->c1), 0);
	CHECK_INT(pair_pump(&f->p), 0);
	f->peer1 = f->s.last;
	CHECK_INT(chan_open(f->p.a, "direct-tcpip", NULL, 0, &rec_ops, &f->cb, &f->c2), 0);
	CHECK_INT(pair_pump(&f->p), 0);
	CHECK_INT(f->ca.open_ok + f->cb.open_ok, 2);
}

static void fix_free(struct fix *f)
{
	pair_free(&f->p);
	rec_free(&f->ca);
	rec_free(&f->cb);
	rec_free(&f->sa);
	srv_free(&f->s);
}

static void queue_bytes(struct fix *f, size_t n)
{
	static uint8_t junk[4096];

	CHECK(n <= sizeof(junk));
	CHECK_INT(buf_put(tp_outbuf(f->p.ta), junk, n), 0);
}

static void test_waiters_woken_once_below_half(void)
{
	struct fix f;
	int w1, w2;

	fix_init(&f);
	w1 = f.ca.windows;
	w2 = f.cb.windows;
	/* At or below the mark: go on reading. */
	queue_bytes(&f, 1000);
	CHECK_INT(chan_output_full(f.c1), 0);
	/* Over it: both wait (asking twice registers once). */
	queue_bytes(&f, 1);
	CHECK_INT(chan_output_full(f.c1), 1);
	CHECK_INT(chan_output_full(f.c1), 1);
	CHECK_INT(chan_output_full(f.c2), 1);
	/* Written down to 600 (> half): still waiting. */
	CHECK_INT(buf_consume(tp_outbuf(f.p.ta), 401), 0);
	conn_output_drained(f.p.a);
	CHECK_INT(f.ca.windows, w1);
	CHECK_INT(f.cb.windows, w2);
	/* Down to 500: each waiter's window op runs once. */
	CHECK_INT(buf_consume(tp_outbuf(f.p.ta), 100), 0);
	conn_output_drained(f.p.a);
	CHECK_INT(f.ca.windows, w1 + 1);
	CHECK_INT(f.cb.windows, w2 + 1);
	conn_output_drained(f.p.a);
	CHECK_INT(f.ca.windows, w1 + 1);
	CHECK_INT(f.cb.windows, w2 + 1);
	CHECK_INT(chan_output_full(f.c1), 0);
	fix_free(&f);
}

static void test_closed_waiter_not_woken(void)
{
	struct fix f;
	int w2, closed;

	fix_init(&f);
	queue_bytes(&f, 2000);
	CHECK_INT(chan_output_full(f.c1), 1);
	CHECK_INT(chan_output_full(f.c2), 1);
	/* c1 goes away while it waits (CLOSE both ways). */
	closed = f.ca.closeds;
	CHECK_INT(chan_close(f.c1), 0);
	CHECK_INT(chan_close(f.peer1), 0);
	buf_reset(tp_outbuf(f.p.ta));
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.closeds, closed + 1);
	w2 = f.cb.windows;
	conn_output_drained(f.p.a);
	CHECK_INT(f.cb.windows, w2 + 1);
	fix_free(&f);
}

static void test_no_limit(void)
{
	struct fix f;
	struct conn_config ca = { 0 }, cb = { 0 };

	rec_init(&f.ca);
	rec_init(&f.cb);
	rec_init(&f.sa);
	srv_init(&f.s, SRV_ACCEPT, &f.sa);
	cb.open = srv_open;
	cb.arg = &f.s;
	CHECK_INT(pair_init(&f.p, &ca, &cb), 0);
	CHECK_INT(chan_open(f.p.a, "direct-tcpip", NULL, 0, &rec_ops, &f.ca, &f.c1), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	queue_bytes(&f, 4000);
	CHECK_INT(chan_output_full(f.c1), 0);
	buf_reset(tp_outbuf(f.p.ta));
	pair_free(&f.p);
	rec_free(&f.ca);
	rec_free(&f.cb);
	rec_free(&f.sa);
	srv_free(&f.s);
}

int main(void)
{
	test_waiters_woken_once_below_half();
	test_closed_waiter_not_woken();
	test_no_limit();
	CHECK_DONE();
}
