/* Receive-window autotuning: it grows only while the owner keeps up, never past the cap. */
#include <string.h>

#include "../check.h"
#include "harness.h"
#include "util/err.h"

struct fix {
	struct pair p;
	struct rec ca, sa;
	struct srv s;
	struct chan *c; /* sender (a) */
	struct chan *d; /* receiver (b) */
};

static void fix_init(struct fix *f, uint32_t window, uint32_t max_window)
{
	struct conn_config ca = { 0 }, cb = { 0 };

	rec_init(&f->ca);
	rec_init(&f->sa);
	srv_init(&f->s, SRV_ACCEPT, &f->sa);
	cb.window = window;
	cb.max_window = max_window;
	cb.max_packet = 512;
	cb.open = srv_open;
	cb.arg = &f->s;
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

/* Send everything the window allows, deliver it, let the receiver consume `consume` bytes. */
static size_t round_trip(struct fix *f, size_t consume)
{
	static uint8_t data[1 << 16];
	size_t room = chan_send_room(f->c);

	CHECK(room <= sizeof(data));
	CHECK_INT(chan_send_data(f->c, 0, data, room), 0);
	CHECK_INT(pair_pump(&f->p), 0);
	if (consume > 0)
		CHECK_INT(chan_consumed(f->d, consume), 0);
	CHECK_INT(pair_pump(&f->p), 0);
	return room;
}

static void test_grows_to_cap_when_drained(void)
{
	struct fix f;
	size_t sent, rooms[8];

	fix_init(&f, 1024, 8192);
	for (int i = 0; i < 6; i++) {
		sent = round_trip(&f, 0);
		/* the receiver keeps up: it passes everything on at once */
		CHECK_INT(chan_consumed(f.d, buf_len(&f.sa.data)), 0);
		buf_reset(&f.sa.data);
		CHECK_INT(pair_pump(&f.p), 0);
		rooms[i] = chan_send_room(f.c);
		(void)sent;
	}
	CHECK_INT(rooms[0], 2048);
	CHECK_INT(rooms[1], 4096);
	CHECK_INT(rooms[2], 8192);
	CHECK_INT(rooms[3], 8192); /* capped */
	CHECK_INT(rooms[5], 8192);
	fix_free(&f);
}

static void test_slow_consumer_keeps_window(void)
{
	struct fix f;

	fix_init(&f, 1024, 8192);
	/* The peer fills the window; the owner passes on only half: no growth. */
	round_trip(&f, 512);
	CHECK_INT(chan_send_room(f.c), 512);
	/* The owner now has 512 held; everything the peer sends waits for it. */
	round_trip(&f, 0);
	CHECK_INT(chan_send_room(f.c), 0);
	fix_free(&f);
}

static void test_fixed_window(void)
{
	struct fix f;

	fix_init(&f, 1024, 1024); /* max_window == window: autotuning off */
	for (int i = 0; i < 4; i++) {
		round_trip(&f, 0);
		CHECK_INT(chan_consumed(f.d, buf_len(&f.sa.data)), 0);
		buf_reset(&f.sa.data);
		CHECK_INT(pair_pump(&f.p), 0);
		CHECK_INT(chan_send_room(f.c), 1024);
	}
	fix_free(&f);
}

int main(void)
{
	test_grows_to_cap_when_drained();
	test_slow_consumer_keeps_window();
	test_fixed_window();
	CHECK_DONE();
}
