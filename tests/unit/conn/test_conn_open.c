/* Channel open, confirmation, refusal (now and later), limits and id reuse. */
#include <stdlib.h>

#include "../check.h"
#include "harness.h"
#include "util/err.h"

struct fix {
	struct pair p;
	struct rec ca, sa; /* client-side owner, server-side owner */
	struct srv s;
};

static void fix_init(struct fix *f, enum srv_mode mode, struct conn_config *cb)
{
	struct conn_config def = { 0 };

	rec_init(&f->ca);
	rec_init(&f->sa);
	srv_init(&f->s, mode, &f->sa);
	if (cb == NULL)
		cb = &def;
	cb->open = srv_open;
	cb->arg = &f->s;
	CHECK_INT(pair_init(&f->p, NULL, cb), 0);
}

static void fix_free(struct fix *f)
{
	pair_free(&f->p);
	rec_free(&f->ca);
	rec_free(&f->sa);
	srv_free(&f->s);
}

static void test_open_confirm(void)
{
	/* RFC 4254 5.1 layout of our CHANNEL_OPEN with default window (2 MiB) and max packet (128 KiB) */
	static const char *want_hex = "5a0000000c6469726563742d746370697000000000002000000002000000000004686f7374";
	static const uint8_t extra[] = { 0, 0, 0, 4, 'h', 'o', 's', 't' };
	unsigned char want[64];
	size_t want_len = check_unhex(want_hex, want, sizeof(want));
	struct fix f;
	struct chan *ch = NULL;
	uint8_t *m;
	size_t n;

	fix_init(&f, SRV_ACCEPT, NULL);
	CHECK_INT(chan_open(f.p.a, "direct-tcpip", extra, sizeof(extra), &rec_ops, &f.ca, &ch), 0);
	CHECK(ch != NULL);
	CHECK_INT(chan_id(ch), 0);
	CHECK_INT(chan_send_room(ch), 0);
	CHECK_INT(chan_send_data(ch, 0, (const uint8_t *)"x", 1), ERR_BAD_STATE);
	CHECK_INT(conn_channel_count(f.p.a), 1);
	CHECK_INT(fake_tp_pop(f.p.ta, &m, &n), 0);
	CHECK_INT(n, want_len);
	CHECK_MEM(m, want, want_len);
	CHECK_INT(conn_handle(f.p.b, m, n), 0);
	free(m);
	CHECK_INT(f.s.opens, 1);
	CHECK_STR(f.s.type, "direct-tcpip");
	CHECK_INT(buf_len(&f.s.args), sizeof(extra));
	CHECK_MEM(buf_ptr(&f.s.args), extra, sizeof(extra));
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.open_ok, 1);
	CHECK(f.ca.ch == ch);
	CHECK(chan_ctx(ch) == &f.ca);
	CHECK(chan_conn(ch) == f.p.a);
	CHECK(conn_transport(f.p.a) == f.p.ta);
	CHECK_INT(chan_send_room(ch), CONN_DEFAULT_WINDOW);
	CHECK_INT(chan_send_room(f.s.last), CONN_DEFAULT_WINDOW);
	CHECK_INT(conn_channel_count(f.p.b), 1);
	/* A second confirmation for the same channel is a protocol error. */
	{
		struct buf b;
		buf_init(&b);
		buf_put_u8(&b, SSH_MSG_CHANNEL_OPEN_CONFIRMATION);
		buf_put_u32(&b, chan_id(ch));
		buf_put_u32(&b, 5);
		buf_put_u32(&b, 100);
		buf_put_u32(&b, 100);
		CHECK_INT(inject(f.p.a, &b), ERR_PROTOCOL);
		/* ...and one for an id we never allocated. */
		buf_reset(&b);
		buf_put_u8(&b, SSH_MSG_CHANNEL_OPEN_CONFIRMATION);
		buf_put_u32(&b, 77);
		buf_put_u32(&b, 5);
		buf_put_u32(&b, 100);
		buf_put_u32(&b, 100);
		CHECK_INT(inject(f.p.a, &b), ERR_PROTOCOL);
		buf_free(&b);
	}
	/* Teardown calls closed exactly once on each side. */
	pair_free(&f.p);
	CHECK_INT(f.ca.closeds, 1);
	CHECK_INT(f.sa.closeds, 1);
	rec_free(&f.ca);
	rec_free(&f.sa);
	srv_free(&f.s);
}

static void test_open_unknown_type(void)
{
	struct pair p;
	struct rec ca;
	struct chan *ch;

	/* No open handler at all. */
	rec_init(&ca);
	CHECK_INT(pair_init(&p, NULL, NULL), 0);
	CHECK_INT(chan_open(p.a, "x11", NULL, 0, &rec_ops, &ca, &ch), 0);
	CHECK_INT(pair_pump(&p), 0);
	CHECK_INT(ca.open_ok, 0);
	CHECK_INT(ca.open_fail, 1);
	CHECK_INT(ca.reason, SSH_OPEN_UNKNOWN_CHANNEL_TYPE);
	CHECK_STR(ca.msg, "unknown channel type");
	CHECK_INT(ca.closeds, 0);
	CHECK_INT(conn_channel_count(p.a), 0);
	CHECK_INT(conn_channel_count(p.b), 0);
	pair_free(&p);
	CHECK_INT(ca.closeds, 0);
	rec_free(&ca);
}

static void test_open_declined(void)
{
	struct fix f;
	struct chan *ch;

	/* The handler returns nonzero without choosing a reason. */
	fix_init(&f, SRV_DECLINE, NULL);
	CHECK_INT(chan_open(f.p.a, "auth-agent@openssh.com", NULL, 0, &rec_ops, &f.ca, &ch), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.open_fail, 1);
	CHECK_INT(f.ca.reason, SSH_OPEN_UNKNOWN_CHANNEL_TYPE);
	CHECK_STR(f.ca.msg, "unknown channel type");
	CHECK_INT(conn_channel_count(f.p.b), 0);
	fix_free(&f);
	CHECK_INT(f.sa.closeds, 0);
}

static void test_open_refused(void)
{
	struct fix f;
	struct chan *ch;

	fix_init(&f, SRV_REFUSE, NULL);
	f.s.reason = SSH_OPEN_CONNECT_FAILED;
	f.s.msg = "connect failed: Connection refused";
	CHECK_INT(chan_open(f.p.a, "direct-tcpip", NULL, 0, &rec_ops, &f.ca, &ch), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.open_fail, 1);
	CHECK_INT(f.ca.reason, SSH_OPEN_CONNECT_FAILED);
	CHECK_STR(f.ca.msg, "connect failed: Connection refused");
	CHECK_INT(conn_channel_count(f.p.a), 0);
	CHECK_INT(conn_channel_count(f.p.b), 0);
	fix_free(&f);
	CHECK_INT(f.ca.closeds, 0);
}

static void test_open_handler_edge(void)
{
	struct fix f;
	struct chan *ch;

	/* chan_reject from inside the handler: the slot is freed after it returns. */
	fix_init(&f, SRV_REJECT_INSIDE, NULL);
	f.s.reason = SSH_OPEN_ADMINISTRATIVELY_PROHIBITED;
	f.s.msg = "inside";
	CHECK_INT(chan_open(f.p.a, "direct-tcpip", NULL, 0, &rec_ops, &f.ca, &ch), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.open_fail, 1);
	CHECK_STR(f.ca.msg, "inside");
	CHECK_INT(conn_channel_count(f.p.b), 0);
	fix_free(&f);

	/* Accepted and then refused by the handler's return: confirmed, then closed. */
	fix_init(&f, SRV_ACCEPT_FAIL, NULL);
	CHECK_INT(chan_open(f.p.a, "direct-tcpip", NULL, 0, &rec_ops, &f.ca, &ch), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.open_ok, 1);
	CHECK_INT(f.ca.closeds, 1);
	CHECK_INT(f.sa.closeds, 1);
	CHECK_INT(conn_channel_count(f.p.a), 0);
	CHECK_INT(conn_channel_count(f.p.b), 0);
	fix_free(&f);
}

static void test_open_async(void)
{
	struct fix f;
	struct chan *c1, *c2, *pend;

	fix_init(&f, SRV_ASYNC, NULL);
	CHECK_INT(chan_open(f.p.a, "direct-tcpip", NULL, 0, &rec_ops, &f.ca, &c1), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK(f.s.pending != NULL);
	CHECK_INT(f.ca.open_ok + f.ca.open_fail, 0);
	CHECK_INT(conn_channel_count(f.p.b), 1);
	pend = f.s.pending;
	/* Nothing may be sent or closed on an unanswered open. */
	CHECK_INT(chan_send_room(pend), 0);
	CHECK_INT(chan_close(pend), ERR_BAD_STATE);
	CHECK_INT(chan_consumed(pend, 1), ERR_INVALID_ARG);
	CHECK_INT(chan_accept(pend, &rec_ops, &f.sa), 0);
	CHECK_INT(chan_accept(pend, &rec_ops, &f.sa), ERR_BAD_STATE);
	CHECK_INT(chan_reject(pend, 1, "late"), ERR_BAD_STATE);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.open_ok, 1);
	CHECK(chan_send_room(c1) > 0);

	/* Asynchronous refusal. */
	f.s.pending = NULL;
	CHECK_INT(chan_open(f.p.a, "direct-tcpip", NULL, 0, &rec_ops, &f.ca, &c2), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK(f.s.pending != NULL);
	CHECK_INT(conn_channel_count(f.p.b), 2);
	CHECK_INT(chan_reject(f.s.pending, SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, "not allowed"), 0);
	CHECK_INT(conn_channel_count(f.p.b), 1);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.open_fail, 1);
	CHECK_INT(f.ca.reason, SSH_OPEN_ADMINISTRATIVELY_PROHIBITED);
	CHECK_STR(f.ca.msg, "not allowed");
	CHECK_INT(conn_channel_count(f.p.a), 1);
	fix_free(&f);
	CHECK_INT(f.ca.closeds, 1);
	CHECK_INT(f.sa.closeds, 1);
}

static void test_open_pending_teardown(void)
{
	struct fix f;
	struct chan *c1;

	/* An asynchronous accept that registered ops learns about teardown. */
	fix_init(&f, SRV_ASYNC, NULL);
	CHECK_INT(chan_open(f.p.a, "direct-tcpip", NULL, 0, &rec_ops, &f.ca, &c1), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK(f.s.pending != NULL);
	chan_set_ctx(f.s.pending, &f.sa);
	chan_set_ops(f.s.pending, &rec_ops);
	/* A message naming the unanswered channel cannot come from an honest peer. */
	{
		struct buf b;
		buf_init(&b);
		buf_put_u8(&b, SSH_MSG_CHANNEL_EOF);
		buf_put_u32(&b, chan_id(f.s.pending));
		CHECK_INT(inject(f.p.b, &b), ERR_PROTOCOL);
		buf_free(&b);
	}
	fix_free(&f);
	CHECK_INT(f.sa.closeds, 1);
	CHECK_INT(f.ca.closeds, 1);
}

static void test_close_before_answer(void)
{
	struct fix f;
	struct chan *c1;

	/* Closed while waiting, then confirmed: CLOSE follows the confirmation. */
	fix_init(&f, SRV_ASYNC, NULL);
	CHECK_INT(chan_open(f.p.a, "direct-tcpip", NULL, 0, &rec_ops, &f.ca, &c1), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(chan_close(c1), 0);
	CHECK_INT(chan_close_sent(c1), 1);
	CHECK_INT(chan_accept(f.s.pending, &rec_ops, &f.sa), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.open_ok, 0);
	CHECK_INT(f.ca.closeds, 1);
	CHECK_INT(f.sa.eofs, 1);
	CHECK_INT(f.sa.closeds, 1);
	CHECK_INT(conn_channel_count(f.p.a), 0);
	CHECK_INT(conn_channel_count(f.p.b), 0);

	/* Closed while waiting, then refused: closed runs, open_result does not. */
	CHECK_INT(chan_open(f.p.a, "direct-tcpip", NULL, 0, &rec_ops, &f.ca, &c1), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(chan_close(c1), 0);
	CHECK_INT(chan_reject(f.s.pending, SSH_OPEN_CONNECT_FAILED, "refused"), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.open_fail, 0);
	CHECK_INT(f.ca.closeds, 2);
	CHECK_INT(conn_channel_count(f.p.a), 0);
	fix_free(&f);
	CHECK_INT(f.ca.closeds, 2);
	CHECK_INT(f.sa.closeds, 1);
}

static void test_max_channels(void)
{
	struct conn_config cb = { 0 };
	struct fix f;
	struct chan *c[3];
	int i;

	cb.max_channels = 2;
	fix_init(&f, SRV_ACCEPT, &cb);
	for (i = 0; i < 3; i++)
		CHECK_INT(chan_open(f.p.a, "direct-tcpip", NULL, 0, &rec_ops, &f.ca, &c[i]), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.open_ok, 2);
	CHECK_INT(f.ca.open_fail, 1);
	CHECK_INT(f.ca.reason, SSH_OPEN_RESOURCE_SHORTAGE);
	CHECK_INT(f.s.opens, 2);
	CHECK_INT(conn_channel_count(f.p.b), 2);
	fix_free(&f);
}

#define MANY 10000

static void test_many_channels(void)
{
	struct conn_config cb = { 0 };
	struct fix f;
	struct chan **c = calloc(MANY, sizeof(*c));
	uint32_t id, first;
	int i, bad = 0;

	cb.max_channels = 2 * MANY;
	fix_init(&f, SRV_ACCEPT, &cb);
	for (i = 0; i < MANY; i++) {
		if (chan_open(f.p.a, "direct-tcpip", NULL, 0, &rec_ops, &f.ca, &c[i]) != 0 ||
		    chan_id(c[i]) != (uint32_t)i)
			bad++;
	}
	CHECK_INT(bad, 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.open_ok, MANY);
	CHECK_INT(conn_channel_count(f.p.a), MANY);
	CHECK_INT(conn_channel_count(f.p.b), MANY);
	for (i = 0; i < MANY; i++)
		CHECK_INT(chan_close(c[i]), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.closeds, MANY);
	CHECK_INT(f.sa.closeds, MANY);
	CHECK_INT(f.sa.eofs, MANY);
	CHECK_INT(conn_channel_count(f.p.a), 0);
	CHECK_INT(conn_channel_count(f.p.b), 0);
	/* Second round reuses the freed ids: nothing beyond the first MANY. */
	for (i = 0; i < MANY; i++) {
		if (chan_open(f.p.a, "direct-tcpip", NULL, 0, &rec_ops, &f.ca, &c[i]) != 0 ||
		    chan_id(c[i]) >= MANY)
			bad++;
	}
	CHECK_INT(bad, 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.open_ok, 2 * MANY);
	for (i = 0; i < MANY; i++)
		chan_close(c[i]);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.closeds, 2 * MANY);
	/* One at a time: the same id every time (LIFO free list). */
	CHECK_INT(chan_open(f.p.a, "direct-tcpip", NULL, 0, &rec_ops, &f.ca, &c[0]), 0);
	first = chan_id(c[0]);
	CHECK_INT(pair_pump(&f.p), 0);
	chan_close(c[0]);
	CHECK_INT(pair_pump(&f.p), 0);
	for (i = 0; i < 100; i++) {
		CHECK_INT(chan_open(f.p.a, "direct-tcpip", NULL, 0, &rec_ops, &f.ca, &c[0]), 0);
		id = chan_id(c[0]);
		if (id != first)
			bad++;
		pair_pump(&f.p);
		chan_close(c[0]);
		pair_pump(&f.p);
	}
	CHECK_INT(bad, 0);
	CHECK_INT(f.p.err, 0);
	fix_free(&f);
	free(c);
}

static void test_id_not_reused_half_closed(void)
{
	struct fix f;
	struct chan *c1, *c2, *c3;

	fix_init(&f, SRV_ACCEPT, NULL);
	CHECK_INT(chan_open(f.p.a, "direct-tcpip", NULL, 0, &rec_ops, &f.ca, &c1), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(chan_close(c1), 0);
	/* CLOSE sent but not answered: id 0 is still taken. */
	CHECK_INT(chan_open(f.p.a, "direct-tcpip", NULL, 0, &rec_ops, &f.ca, &c2), 0);
	CHECK(chan_id(c2) != chan_id(c1));
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.closeds, 1);
	CHECK_INT(chan_open(f.p.a, "direct-tcpip", NULL, 0, &rec_ops, &f.ca, &c3), 0);
	CHECK_INT(chan_id(c3), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.open_ok, 3);
	fix_free(&f);
	CHECK_INT(f.ca.closeds, 3);
}

int main(void)
{
	test_open_confirm();
	test_open_unknown_type();
	test_open_declined();
	test_open_refused();
	test_open_handler_edge();
	test_open_async();
	test_open_pending_teardown();
	test_close_before_answer();
	test_max_channels();
	test_many_channels();
	test_id_not_reused_half_closed();
	CHECK_DONE();
}
