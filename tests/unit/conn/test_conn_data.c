/* Data both ways, windows, WINDOW_ADJUST, splitting by max packet, flow-control errors. */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "harness.h"
#include "util/err.h"

struct fix {
	struct pair p;
	struct rec ca, sa;
	struct srv s;
	struct chan *c; /* client end */
	struct chan *d; /* server end */
};

/* a opens with window wa / max packet ma; b accepts with wb / mb. */
static void fix_init(struct fix *f, uint32_t wa, uint32_t ma, uint32_t wb, uint32_t mb)
{
	struct conn_config ca = { 0 }, cb = { 0 };

	rec_init(&f->ca);
	rec_init(&f->sa);
	srv_init(&f->s, SRV_ACCEPT, &f->sa);
	ca.window = wa;
	ca.max_packet = ma;
	cb.window = wb;
	cb.max_packet = mb;
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

static void fill(uint8_t *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 131 + seed);
}

static void test_both_ways(void)
{
	struct fix f;
	uint8_t m1[1000], m2[700];

	fix_init(&f, 0, 0, 0, 0);
	fill(m1, sizeof(m1), 1);
	fill(m2, sizeof(m2), 2);
	CHECK_INT(chan_send_data(f.c, 0, m1, sizeof(m1)), 0);
	CHECK_INT(chan_send_data(f.d, 0, m2, sizeof(m2)), 0);
	CHECK_INT(chan_send_data(f.d, 1, (const uint8_t *)"err", 3), 0);
	CHECK_INT(chan_send_data(f.d, 7, (const uint8_t *)"x", 1), 0);
	CHECK_INT(chan_send_data(f.c, 0, NULL, 0), 0);
	CHECK_INT(chan_send_room(f.c), CONN_DEFAULT_WINDOW - sizeof(m1));
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(buf_len(&f.sa.data), sizeof(m1));
	CHECK_MEM(buf_ptr(&f.sa.data), m1, sizeof(m1));
	CHECK_INT(buf_len(&f.ca.data), sizeof(m2));
	CHECK_MEM(buf_ptr(&f.ca.data), m2, sizeof(m2));
	CHECK_INT(buf_len(&f.ca.ext), 4);
	CHECK_MEM(buf_ptr(&f.ca.ext), "errx", 4);
	CHECK_INT(f.ca.last_ext, 7);
	fix_free(&f);
}

static void test_window(void)
{
	struct fix f;
	uint8_t m[4096];
	int w0;

	/* b advertises 1000 bytes, max packet 300. */
	fix_init(&f, 0, 0, 1000, 300);
	fill(m, sizeof(m), 3);
	CHECK_INT(chan_send_room(f.c), 1000);
	CHECK_INT(chan_send_data(f.c, 0, m, 1001), ERR_WINDOW);
	CHECK_INT(chan_send_data(f.c, 0, m, 1000), 0);
	CHECK_INT(chan_send_room(f.c), 0);
	/* Split into 300, 300, 300, 100. */
	CHECK_INT(fake_tp_pending(f.p.ta), 4);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(buf_len(&f.sa.data), 1000);
	CHECK_MEM(buf_ptr(&f.sa.data), m, 1000);
	/* Nothing consumed yet: the sender stays stalled. */
	CHECK_INT(chan_send_room(f.c), 0);
	CHECK_INT(chan_send_data(f.c, 0, m, 1), ERR_WINDOW);
	/* Below a quarter of the window: no WINDOW_ADJUST yet. */
	CHECK_INT(chan_consumed(f.d, 249), 0);
	CHECK_INT(fake_tp_pending(f.p.tb), 0);
	w0 = f.ca.windows;
	CHECK_INT(chan_consumed(f.d, 1), 0);
	CHECK_INT(fake_tp_pending(f.p.tb), 1);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(chan_send_room(f.c), 250);
	CHECK_INT(f.ca.windows, w0 + 1);
	/* Consuming more than was delivered is a caller bug. */
	CHECK_INT(chan_consumed(f.d, 751), ERR_INVALID_ARG);
	CHECK_INT(chan_consumed(f.d, 750), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(chan_send_room(f.c), 1000);
	CHECK_INT(chan_consumed(f.d, 1), ERR_INVALID_ARG);

	/* Stream much more than the window with the owner consuming as it goes. */
	f.sa.auto_consume = 1;
	buf_reset(&f.sa.data);
	{
		size_t sent = 0, total = 200000, n;
		uint8_t *big = malloc(total);
		int stalls = 0;

		fill(big, total, 9);
		while (sent < total && stalls < 10) {
			n = chan_send_room(f.c);
			if (n > total - sent)
				n = total - sent;
			if (n == 0) {
				stalls++;
				pair_pump(&f.p);
				continue;
			}
			stalls = 0;
			CHECK_INT(chan_send_data(f.c, 0, big + sent, n), 0);
			sent += n;
			pair_pump(&f.p);
		}
		CHECK_INT(sent, total);
		CHECK_INT(buf_len(&f.sa.data), total);
		CHECK(buf_len(&f.sa.data) == total && memcmp(buf_ptr(&f.sa.data), big, total) == 0);
		free(big);
	}
	CHECK_INT(f.p.err, 0);
	fix_free(&f);
}

static void test_split_max_packet(void)
{
	struct fix f;
	uint8_t m[10000];
	uint8_t *msg;
	size_t n, total = 0;
	int pieces = 0;

	/* The peer announces max packet 1024: no piece carries more. */
	fix_init(&f, 0, 0, 0, 1024);
	fill(m, sizeof(m), 4);
	CHECK_INT(chan_send_data(f.c, 1, m, sizeof(m)), 0);
	while (fake_tp_pop(f.p.ta, &msg, &n) == 0) {
		/* byte 95, uint32 recipient, uint32 code, string data */
		CHECK_INT(msg[0], SSH_MSG_CHANNEL_EXTENDED_DATA);
		CHECK_INT(get_u32be(msg + 5), 1);
		CHECK(get_u32be(msg + 9) <= 1024);
		CHECK_INT(n, 13 + get_u32be(msg + 9));
		total += get_u32be(msg + 9);
		pieces++;
		CHECK_INT(conn_handle(f.p.b, msg, n), 0);
		free(msg);
	}
	CHECK_INT(total, sizeof(m));
	CHECK_INT(pieces, 10);
	CHECK_INT(buf_len(&f.sa.ext), sizeof(m));
	CHECK_MEM(buf_ptr(&f.sa.ext), m, sizeof(m));
	CHECK_INT(f.sa.last_ext, 1);
	fix_free(&f);
}

static void put_data(struct buf *b, uint32_t id, size_t n)
{
	uint8_t *p;

	buf_reset(b);
	buf_put_u8(b, SSH_MSG_CHANNEL_DATA);
	buf_put_u32(b, id);
	buf_put_u32(b, (uint32_t)n);
	if (buf_reserve(b, n, &p) == 0)
		memset(p, 'z', n);
}

static void test_peer_violations(void)
{
	struct fix f;
	struct buf b;

	buf_init(&b);
	/* Our (b's) window 2000 and max packet 1500. */
	fix_init(&f, 0, 0, 2000, 1500);
	/* Over our max packet even though within the window. */
	put_data(&b, chan_id(f.d), 1501);
	CHECK_INT(inject(f.p.b, &b), ERR_WINDOW);
	put_data(&b, chan_id(f.d), 1500);
	CHECK_INT(inject(f.p.b, &b), 0);
	/* Only 500 left in the window. */
	put_data(&b, chan_id(f.d), 501);
	CHECK_INT(inject(f.p.b, &b), ERR_WINDOW);
	put_data(&b, chan_id(f.d), 500);
	CHECK_INT(inject(f.p.b, &b), 0);
	put_data(&b, chan_id(f.d), 1);
	CHECK_INT(inject(f.p.b, &b), ERR_WINDOW);
	CHECK_INT(buf_len(&f.sa.data), 2000);
	/* Unknown channel ids. */
	put_data(&b, 999, 1);
	CHECK_INT(inject(f.p.b, &b), ERR_PROTOCOL);
	put_data(&b, chan_id(f.d) + 1, 1);
	CHECK_INT(inject(f.p.b, &b), ERR_PROTOCOL);
	/* Trailing bytes after the data string. */
	put_data(&b, chan_id(f.d), 0);
	buf_put_u8(&b, 0);
	CHECK_INT(inject(f.p.b, &b), ERR_FORMAT);

	/* WINDOW_ADJUST that would push the peer's window past 2^32-1. */
	buf_reset(&b);
	buf_put_u8(&b, SSH_MSG_CHANNEL_WINDOW_ADJUST);
	buf_put_u32(&b, chan_id(f.c));
	buf_put_u32(&b, UINT32_MAX - 2000 + 1);
	CHECK_INT(inject(f.p.a, &b), ERR_WINDOW);
	CHECK_INT(chan_send_room(f.c), 2000);
	buf_reset(&b);
	buf_put_u8(&b, SSH_MSG_CHANNEL_WINDOW_ADJUST);
	buf_put_u32(&b, chan_id(f.c));
	buf_put_u32(&b, UINT32_MAX - 2000);
	CHECK_INT(inject(f.p.a, &b), 0);
	CHECK_INT(chan_send_room(f.c), UINT32_MAX);
	buf_reset(&b);
	buf_put_u8(&b, SSH_MSG_CHANNEL_WINDOW_ADJUST);
	buf_put_u32(&b, chan_id(f.c));
	buf_put_u32(&b, 1);
	CHECK_INT(inject(f.p.a, &b), ERR_WINDOW);
	buf_reset(&b);
	buf_put_u8(&b, SSH_MSG_CHANNEL_WINDOW_ADJUST);
	buf_put_u32(&b, 12345);
	buf_put_u32(&b, 1);
	CHECK_INT(inject(f.p.a, &b), ERR_PROTOCOL);
	fix_free(&f);
	buf_free(&b);
}

static void test_max_packet_edges(void)
{
	struct pair p;
	struct rec ca;
	struct chan *ch;
	struct buf b;

	/* Confirmations announcing max packet 0 and 2^32-1, injected by hand. */
	rec_init(&ca);
	buf_init(&b);
	CHECK_INT(pair_init(&p, NULL, NULL), 0);
	CHECK_INT(chan_open(p.a, "session", NULL, 0, &rec_ops, &ca, &ch), 0);
	buf_put_u8(&b, SSH_MSG_CHANNEL_OPEN_CONFIRMATION);
	buf_put_u32(&b, chan_id(ch));
	buf_put_u32(&b, 42);
	buf_put_u32(&b, 100000);
	buf_put_u32(&b, 0);
	CHECK_INT(inject(p.a, &b), 0);
	CHECK_INT(ca.open_ok, 1);
	CHECK_INT(chan_send_room(ch), 0);
	CHECK_INT(chan_send_data(ch, 0, (const uint8_t *)"a", 1), ERR_WINDOW);

	CHECK_INT(chan_open(p.a, "session", NULL, 0, &rec_ops, &ca, &ch), 0);
	pair_drop(p.ta);
	buf_reset(&b);
	buf_put_u8(&b, SSH_MSG_CHANNEL_OPEN_CONFIRMATION);
	buf_put_u32(&b, chan_id(ch));
	buf_put_u32(&b, 43);
	buf_put_u32(&b, UINT32_MAX);
	buf_put_u32(&b, UINT32_MAX);
	CHECK_INT(inject(p.a, &b), 0);
	CHECK_INT(chan_send_room(ch), UINT32_MAX);
	{
		/* Pieces are clamped below the transport's packet limit. */
		size_t n = 3 * TP_MAX_PACKET;
		uint8_t *big = calloc(1, n), *m;
		size_t len;
		int bad = 0;

		CHECK_INT(chan_send_data(ch, 0, big, n), 0);
		CHECK(fake_tp_pending(p.ta) >= 4);
		while (fake_tp_pop(p.ta, &m, &len) == 0) {
			if (len > TP_MAX_PACKET || get_u32be(m + 1) != 43)
				bad++;
			free(m);
		}
		CHECK_INT(bad, 0);
		free(big);
	}
	pair_free(&p);
	CHECK_INT(ca.closeds, 2);
	rec_free(&ca);
	buf_free(&b);
}

static void test_owner_failure(void)
{
	struct fix f;

	/* A data op that fails closes its channel, not the connection. */
	fix_init(&f, 0, 0, 0, 0);
	f.sa.fail_data = 1;
	CHECK_INT(chan_send_data(f.c, 0, (const uint8_t *)"abc", 3), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.eofs, 1);
	CHECK_INT(f.ca.closeds, 1);
	CHECK_INT(f.sa.closeds, 1);
	CHECK_INT(conn_channel_count(f.p.a), 0);
	CHECK_INT(conn_channel_count(f.p.b), 0);
	fix_free(&f);
}

static void test_transport_failure(void)
{
	struct fix f;

	fix_init(&f, 0, 0, 0, 0);
	fake_tp_set_fail(f.p.ta, ERR_BAD_STATE);
	CHECK_INT(chan_send_data(f.c, 0, (const uint8_t *)"abc", 3), ERR_BAD_STATE);
	CHECK_INT(chan_send_request(f.c, "x", 1, NULL, 0), ERR_BAD_STATE);
	CHECK_INT(conn_send_global(f.p.a, "x", 1, NULL, 0, NULL, NULL), ERR_BAD_STATE);
	fake_tp_set_fail(f.p.ta, 0);
	fix_free(&f);
}

int main(void)
{
	test_both_ways();
	test_window();
	test_split_max_packet();
	test_peer_violations();
	test_max_packet_edges();
	test_owner_failure();
	test_transport_failure();
	CHECK_DONE();
}
