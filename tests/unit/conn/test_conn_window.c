/*
 * Receive-window autotuning: the window doubles (up to the cap) only when at
 * least half a window per measured round trip was passed on; a slow consumer,
 * a fixed window or no clock never grow it.
 */
#include <string.h>

#include "../check.h"
#include "harness.h"
#include "util/err.h"

static uint64_t fake_now;

static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

struct fix {
	struct pair p;
	struct rec ca, sa;
	struct srv s;
	struct chan *c; /* sender (a) */
	struct chan *d; /* receiver (b) */
};

static void fix_init(struct fix *f, uint32_t window, uint32_t max_window, int clock)
{
	struct conn_config ca = { 0 }, cb = { 0 };

	fake_now = 1;
	rec_init(&f->ca);
	rec_init(&f->sa);
	srv_init(&f->s, SRV_ACCEPT, &f->sa);
	cb.window = window;
	cb.max_window = max_window;
	cb.max_packet = 512;
	cb.open = srv_open;
	cb.arg = &f->s;
	if (clock)
		cb.clock_us = fake_clock;
	CHECK_INT(pair_init(&f->p, &ca, &cb), 0);
	CHECK_INT(chan_open(f->p.a, "direct-tcpip", NULL, 0, &rec_ops, &f->ca, &f->c), 0);
	CHECK_INT(pair_pump(&f->p), 0);
	CHECK_INT(f->ca.open_ok, 1);
	f->d = f->s.last;
}

static void fix_free(struct fix *f)
{
	pair_free(&f->p);
	rec_free(&f->ca);
	rec_free(&f->sa);
	srv_free(&f->s);
}

static void send_all_room(struct fix *f)
{
	static uint8_t data[1 << 16];
	size_t room = chan_send_room(f->c);

	CHECK(room <= sizeof(data));
	CHECK_INT(chan_send_data(f->c, 0, data, room), 0);
	CHECK_INT(pair_pump(&f->p), 0);
}

/* The receiver passes on n of the bytes it holds (sa.data) at time t; then delivery. */
static void consume_at(struct fix *f, size_t n, uint64_t t)
{
	fake_now = t;
	CHECK_INT(chan_consumed(f->d, n), 0);
	CHECK_INT(buf_consume(&f->sa.data, n), 0);
	CHECK_INT(pair_pump(&f->p), 0);
}

/* Send a window, pass on a quarter at t=1 (first adjustment + RTT probe), answer at 50 ms. */
static void start_measuring(struct fix *f)
{
	send_all_room(f);
	fake_now = 1;
	CHECK_INT(chan_consumed(f->d, 256), 0);
	CHECK_INT(buf_consume(&f->sa.data, 256), 0);
	fake_now = 50001;
	CHECK_INT(pair_pump(&f->p), 0);
	CHECK_INT(conn_rtt_us(f->p.b), 50000);
}

static void test_grows_when_window_limited(void)
{
	struct fix f;

	fix_init(&f, 1024, 8192, 1);
	start_measuring(&f);
	/* A quarter window in two RTTs: not window-limited, no growth. */
	consume_at(&f, 256, 100001);
	CHECK_INT(chan_send_room(f.c), 512);
	/*
	 * A steady 3/4 window per RTT, which is what a sender blocked on the
	 * window achieves with quarter-window adjustments: the window doubles.
	 */
	send_all_room(&f);
	for (uint64_t t = 116668; t <= 150002; t += 16667)
		consume_at(&f, 256, t);
	CHECK(chan_send_room(f.c) > 1024);
	/* Keep it up: 2048 -> 4096 -> 8192, then capped. */
	for (uint64_t t = 160001; t < 800000; t += 10000) {
		send_all_room(&f);
		consume_at(&f, buf_len(&f.sa.data), t);
	}
	CHECK_INT(chan_send_room(f.c), 8192); /* grown to the cap, and no further */
	fix_free(&f);
}

static void test_slow_consumer_never_grows(void)
{
	struct fix f;

	fix_init(&f, 1024, 8192, 1);
	start_measuring(&f);
	/* A quarter window per 100 ms with a 50 ms RTT: window-limited it is not. */
	for (uint64_t t = 100001; t < 2000000; t += 100000) {
		send_all_room(&f);
		consume_at(&f, 256, t);
		CHECK(chan_send_room(f.c) <= 1024);
	}
	/* Bursts that pass on a whole window at once, but only every 10 RTTs. */
	for (uint64_t t = 2500001; t < 7500000; t += 500000) {
		send_all_room(&f);
		consume_at(&f, buf_len(&f.sa.data), t);
		CHECK(chan_send_room(f.c) <= 1024);
	}
	fix_free(&f);
}

static void test_fixed_or_no_clock(void)
{
	for (int variant = 0; variant < 2; variant++) {
		struct fix f;

		if (variant == 0)
			fix_init(&f, 1024, 1024, 1); /* max_window == window */
		else
			fix_init(&f, 1024, 8192, 0); /* no clock */
		for (uint64_t t = 1; t < 20; t++) {
			send_all_room(&f);
			consume_at(&f, buf_len(&f.sa.data), t);
			CHECK_INT(chan_send_room(f.c), 1024);
		}
		fix_free(&f);
	}
}

int main(void)
{
	test_grows_when_window_limited();
	test_slow_consumer_never_grows();
	test_fixed_or_no_clock();
	CHECK_DONE();
}
