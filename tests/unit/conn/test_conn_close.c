/* EOF and CLOSE in every order, half-close, re-entrant owners, teardown. */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "harness.h"
#include "util/err.h"

struct fix {
	struct pair p;
	struct rec ca, sa;
	struct srv s;
	struct chan *c, *d;
};

static void fix_init(struct fix *f)
{
	struct conn_config cb = { 0 };

	rec_init(&f->ca);
	rec_init(&f->sa);
	srv_init(&f->s, SRV_ACCEPT, &f->sa);
	cb.open = srv_open;
	cb.arg = &f->s;
	CHECK_INT(pair_init(&f->p, NULL, &cb), 0);
	CHECK_INT(chan_open(f->p.a, "direct-tcpip", NULL, 0, &rec_ops, &f->ca, &f->c), 0);
	CHECK_INT(pair_pump(&f->p), 0);
	f->d = f->s.last;
	CHECK(f->d != NULL);
}

static void fix_free(struct fix *f)
{
	pair_free(&f->p);
	rec_free(&f->ca);
	rec_free(&f->sa);
	srv_free(&f->s);
}

static void test_eof_then_close(void)
{
	struct fix f;

	fix_init(&f);
	CHECK_INT(chan_send_eof(f.c), 0);
	CHECK_INT(chan_eof_sent(f.c), 1);
	CHECK_INT(chan_send_eof(f.c), 0); /* once only */
	CHECK_INT(fake_tp_pending(f.p.ta), 1);
	CHECK_INT(chan_send_room(f.c), 0);
	CHECK_INT(chan_send_data(f.c, 0, (const uint8_t *)"x", 1), ERR_BAD_STATE);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.sa.eofs, 1);
	CHECK_INT(chan_eof_received(f.d), 1);
	CHECK_INT(chan_close(f.c), 0);
	CHECK_INT(chan_close(f.c), 0);
	CHECK_INT(fake_tp_pending(f.p.ta), 1);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.sa.eofs, 1); /* not repeated on CLOSE */
	CHECK_INT(f.sa.closeds, 1);
	CHECK_INT(f.ca.closeds, 1);
	CHECK_INT(f.ca.eofs, 1);
	CHECK_INT(conn_channel_count(f.p.a), 0);
	CHECK_INT(conn_channel_count(f.p.b), 0);
	fix_free(&f);
	CHECK_INT(f.sa.closeds, 1);
	CHECK_INT(f.ca.closeds, 1);
}

static void test_close_from_server(void)
{
	struct fix f;

	fix_init(&f);
	CHECK_INT(chan_close(f.d), 0);
	CHECK_INT(chan_close_sent(f.d), 1);
	/* Our side closed: no more requests or data. */
	CHECK_INT(chan_send_request(f.d, "x", 0, NULL, 0), ERR_BAD_STATE);
	CHECK_INT(chan_send_room(f.d), 0);
	CHECK_INT(pair_step(&f.p, 0), 0);
	/* The peer's CLOSE arrived and was answered: a can no longer send. */
	CHECK_INT(f.ca.eofs, 1);
	CHECK_INT(f.ca.closeds, 1);
	CHECK_INT(conn_channel_count(f.p.a), 0);
	CHECK_INT(f.sa.closeds, 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.sa.closeds, 1);
	CHECK_INT(f.sa.eofs, 1);
	fix_free(&f);
	CHECK_INT(f.sa.closeds, 1);
	CHECK_INT(f.ca.closeds, 1);
}

static void test_crossing_close(void)
{
	struct fix f;

	/* Both sides send CLOSE before seeing the other's. */
	fix_init(&f);
	CHECK_INT(chan_close(f.c), 0);
	CHECK_INT(chan_close(f.d), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.closeds, 1);
	CHECK_INT(f.sa.closeds, 1);
	/* No extra CLOSE was sent in reply. */
	CHECK_INT(fake_tp_sent(f.p.ta), 2);
	CHECK_INT(fake_tp_sent(f.p.tb), 2);
	/* A late CLOSE for the freed id is a protocol error. */
	{
		struct buf b;
		buf_init(&b);
		buf_put_u8(&b, SSH_MSG_CHANNEL_CLOSE);
		buf_put_u32(&b, 0);
		CHECK_INT(inject(f.p.a, &b), ERR_PROTOCOL);
		buf_free(&b);
	}
	fix_free(&f);
	CHECK_INT(f.ca.closeds, 1);
	CHECK_INT(f.sa.closeds, 1);
}

static void test_half_close(void)
{
	struct fix f;
	uint8_t m[5000];
	size_t i;

	fix_init(&f);
	for (i = 0; i < sizeof(m); i++)
		m[i] = (uint8_t)i;
	/* The client is done sending; the server still answers with data. */
	CHECK_INT(chan_send_eof(f.c), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.sa.eofs, 1);
	CHECK(chan_send_room(f.d) > 0);
	CHECK_INT(chan_send_data(f.d, 0, m, sizeof(m)), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(buf_len(&f.ca.data), sizeof(m));
	CHECK_MEM(buf_ptr(&f.ca.data), m, sizeof(m));
	/* The client's window still reopens after its own EOF. */
	CHECK_INT(chan_consumed(f.c, sizeof(m)), 0);
	CHECK_INT(chan_send_eof(f.d), 0);
	CHECK_INT(chan_close(f.d), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.eofs, 1);
	CHECK_INT(f.ca.closeds, 1);
	CHECK_INT(f.sa.closeds, 1);
	fix_free(&f);
}

static void test_data_after_eof(void)
{
	struct fix f;
	struct buf b;

	fix_init(&f);
	buf_init(&b);
	CHECK_INT(chan_send_eof(f.c), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	/* A misbehaving peer keeps sending: dropped, the connection lives. */
	buf_put_u8(&b, SSH_MSG_CHANNEL_DATA);
	buf_put_u32(&b, chan_id(f.d));
	buf_put_string(&b, "late", 4);
	CHECK_INT(inject(f.p.b, &b), 0);
	CHECK_INT(buf_len(&f.sa.data), 0);
	/* A second EOF is ignored too. */
	buf_reset(&b);
	buf_put_u8(&b, SSH_MSG_CHANNEL_EOF);
	buf_put_u32(&b, chan_id(f.d));
	CHECK_INT(inject(f.p.b, &b), 0);
	CHECK_INT(f.sa.eofs, 1);
	buf_free(&b);
	fix_free(&f);
}

static void test_data_while_closing(void)
{
	struct fix f;

	/* Data in flight when we close is accepted by the window but not delivered. */
	fix_init(&f);
	CHECK_INT(chan_send_data(f.c, 0, (const uint8_t *)"inflight", 8), 0);
	CHECK_INT(chan_close(f.d), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(buf_len(&f.sa.data), 0);
	CHECK_INT(f.sa.closeds, 1);
	CHECK_INT(f.ca.closeds, 1);
	CHECK_INT(f.p.err, 0);
	fix_free(&f);
}

static void test_reentrant(void)
{
	struct fix f;

	/* chan_close from the eof op while handling the peer's CLOSE. */
	fix_init(&f);
	f.sa.close_on_eof = 1;
	CHECK_INT(chan_close(f.c), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.sa.eofs, 1);
	CHECK_INT(f.sa.closeds, 1);
	CHECK_INT(f.ca.closeds, 1);
	CHECK_INT(fake_tp_sent(f.p.tb), 2); /* confirmation + one CLOSE */
	fix_free(&f);
	CHECK_INT(f.sa.closeds, 1);

	/* chan_close from the eof op on a plain EOF. */
	fix_init(&f);
	f.sa.close_on_eof = 1;
	CHECK_INT(chan_send_eof(f.c), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.sa.closeds, 1);
	CHECK_INT(f.ca.closeds, 1);
	fix_free(&f);

	/* chan_close from the data op. */
	fix_init(&f);
	f.sa.close_on_data = 1;
	CHECK_INT(chan_send_data(f.c, 0, (const uint8_t *)"abc", 3), 0);
	CHECK_INT(chan_send_data(f.c, 0, (const uint8_t *)"def", 3), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(buf_len(&f.sa.data), 3);
	CHECK_INT(f.sa.closeds, 1);
	CHECK_INT(f.ca.closeds, 1);
	fix_free(&f);

	/* chan_open from the closed op. */
	fix_init(&f);
	f.ca.reopen_on_closed = 1;
	CHECK_INT(chan_close(f.c), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.closeds, 1);
	CHECK(f.ca.reopened != NULL);
	CHECK_INT(f.ca.open_ok, 2);
	CHECK_INT(conn_channel_count(f.p.a), 1);
	CHECK_INT(conn_channel_count(f.p.b), 1);
	fix_free(&f);
	CHECK_INT(f.ca.closeds, 2);
}

static void test_after_peer_close(void)
{
	struct fix f;
	struct buf b;
	uint32_t id;

	/* Once the peer's CLOSE arrived the owner cannot send, even from its eof op. */
	fix_init(&f);
	buf_init(&b);
	f.ca.send_on_eof = 1;
	id = chan_id(f.c);
	CHECK_INT(chan_close(f.d), 0);
	CHECK_INT(pair_step(&f.p, 0), 0);
	CHECK_INT(f.ca.eofs, 1);
	CHECK_INT(f.ca.room_on_eof, 0);
	CHECK_INT(f.ca.send_on_eof_result, ERR_BAD_STATE);
	CHECK_INT(f.ca.closeds, 1);
	CHECK_INT(fake_tp_pending(f.p.ta), 1); /* just our CLOSE */
	/* Everything about the freed id is now unknown. */
	buf_put_u8(&b, SSH_MSG_CHANNEL_REQUEST);
	buf_put_u32(&b, id);
	buf_put_cstring(&b, "x");
	buf_put_bool(&b, 1);
	CHECK_INT(inject(f.p.a, &b), ERR_PROTOCOL);
	buf_free(&b);
	fix_free(&f);
}

int main(void)
{
	test_eof_then_close();
	test_close_from_server();
	test_crossing_close();
	test_half_close();
	test_data_after_eof();
	test_data_while_closing();
	test_reentrant();
	test_after_peer_close();
	CHECK_DONE();
}
