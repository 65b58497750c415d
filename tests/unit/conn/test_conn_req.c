/* Channel requests and global requests, with and without replies, in order. */
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

static int g_calls;
static char g_last[64];

/* Global handler on b: "tcpip-forward" succeeds with the bound port, "fail-me" fails. */
static int glob(void *arg, struct conn *c, const char *name, int want_reply, struct rd *args,
		struct buf *reply_extra)
{
	const uint8_t *addr;
	size_t alen;
	uint32_t port;

	(void)arg;
	(void)c;
	(void)want_reply;
	g_calls++;
	snprintf(g_last, sizeof(g_last), "%s", name);
	if (strcmp(name, "tcpip-forward") == 0) {
		/* RFC 4254 7.1: string address, uint32 port; port 0 answers the bound port. */
		if (rd_string(args, &addr, &alen) != 0 || rd_u32(args, &port) != 0 || rd_end(args) != 0)
			return -1;
		buf_put_u32(reply_extra, port == 0 ? 40000 : port);
		return 0;
	}
	return -1;
}

static void fix_init(struct fix *f, int with_global)
{
	struct conn_config cb = { 0 };

	rec_init(&f->ca);
	rec_init(&f->sa);
	srv_init(&f->s, SRV_ACCEPT, &f->sa);
	cb.open = srv_open;
	cb.arg = &f->s;
	if (with_global)
		cb.global = glob;
	CHECK_INT(pair_init(&f->p, NULL, &cb), 0);
	CHECK_INT(chan_open(f->p.a, "session", NULL, 0, &rec_ops, &f->ca, &f->c), 0);
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

static void test_chan_requests(void)
{
	static const uint8_t arg7[] = { 0, 0, 0, 7 };
	static const uint8_t arg9[] = { 0, 0, 0, 9 };
	struct fix f;
	uint8_t *m;
	size_t n;

	fix_init(&f, 0);
	f.sa.req_answer = 0;
	CHECK_INT(chan_send_request(f.c, "exec", 1, arg7, sizeof(arg7)), 0);
	/* RFC 4254 5.4: byte 98, uint32 recipient, string type, boolean, data */
	CHECK_INT(fake_tp_pop(f.p.ta, &m, &n), 0);
	CHECK_INT(n, 1 + 4 + 4 + 4 + 1 + 4);
	CHECK_INT(m[0], SSH_MSG_CHANNEL_REQUEST);
	CHECK_INT(get_u32be(m + 1), chan_id(f.d));
	CHECK_MEM(m + 5, "\0\0\0\4exec\1\0\0\0\7", 13);
	CHECK_INT(conn_handle(f.p.b, m, n), 0);
	free(m);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.sa.nreqs, 1);
	CHECK_STR(f.sa.reqs[0], "exec");
	CHECK_INT(f.sa.req_want[0], 1);
	CHECK_INT(f.sa.req_arg[0], 7);
	CHECK_INT(f.ca.nreplies, 1);
	CHECK_INT(f.ca.replies[0], 1);

	/* Without want_reply nothing comes back. */
	CHECK_INT(chan_send_request(f.c, "window-change", 0, arg9, sizeof(arg9)), 0);
	CHECK_INT(pair_step(&f.p, 1), 0);
	CHECK_INT(fake_tp_pending(f.p.tb), 0);
	CHECK_INT(f.sa.nreqs, 2);
	CHECK_INT(f.sa.req_want[1], 0);
	CHECK_INT(f.sa.req_arg[1], 9);

	/* Replies come back in order: success, failure, success. */
	CHECK_INT(chan_send_request(f.c, "a", 1, NULL, 0), 0);
	CHECK_INT(pair_step(&f.p, 1), 0);
	f.sa.req_answer = -1;
	CHECK_INT(chan_send_request(f.c, "b", 1, NULL, 0), 0);
	CHECK_INT(pair_step(&f.p, 1), 0);
	f.sa.req_answer = 0;
	CHECK_INT(chan_send_request(f.c, "c", 1, NULL, 0), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(f.ca.nreplies, 4);
	CHECK_INT(f.ca.replies[1], 1);
	CHECK_INT(f.ca.replies[2], 0);
	CHECK_INT(f.ca.replies[3], 1);

	/* A reply with no request outstanding is a protocol error. */
	{
		struct buf b;
		buf_init(&b);
		buf_put_u8(&b, SSH_MSG_CHANNEL_SUCCESS);
		buf_put_u32(&b, chan_id(f.c));
		CHECK_INT(inject(f.p.a, &b), ERR_PROTOCOL);
		buf_free(&b);
	}
	fix_free(&f);
}

static void test_chan_request_no_handler(void)
{
	static const struct chan_ops bare = { 0 };
	struct pair p;
	struct rec ca;
	struct srv s;
	struct conn_config cb = { 0 };
	struct chan *c;

	/* The server owner has no request op (nor any other): FAILURE. */
	rec_init(&ca);
	srv_init(&s, SRV_ASYNC, NULL);
	cb.open = srv_open;
	cb.arg = &s;
	CHECK_INT(pair_init(&p, NULL, &cb), 0);
	CHECK_INT(chan_open(p.a, "session", NULL, 0, &rec_ops, &ca, &c), 0);
	CHECK_INT(pair_pump(&p), 0);
	CHECK_INT(chan_accept(s.pending, &bare, NULL), 0);
	CHECK_INT(pair_pump(&p), 0);
	CHECK_INT(chan_send_request(c, "shell", 1, NULL, 0), 0);
	/* Data to an owner without a data op is consumed at once. */
	CHECK_INT(chan_send_data(c, 0, (const uint8_t *)"hello", 5), 0);
	CHECK_INT(pair_pump(&p), 0);
	CHECK_INT(ca.nreplies, 1);
	CHECK_INT(ca.replies[0], 0);
	CHECK_INT(chan_send_room(c), CONN_DEFAULT_WINDOW - 5);
	chan_close(c);
	CHECK_INT(pair_pump(&p), 0);
	CHECK_INT(ca.closeds, 1);
	CHECK_INT(conn_channel_count(p.b), 0);
	pair_free(&p);
	rec_free(&ca);
	srv_free(&s);
}

struct greplies {
	int n;
	int ok[8];
	uint32_t port[8];
};

static void on_global(void *arg, int success, struct rd *args)
{
	struct greplies *g = arg;
	uint32_t port = 0;

	if (g->n >= 8)
		return;
	if (success && rd_u32(args, &port) == 0 && rd_end(args) != 0)
		port = 0xffffffff;
	g->ok[g->n] = success;
	g->port[g->n] = port;
	g->n++;
}

static void test_global(void)
{
	static const uint8_t fwd0[] = { 0, 0, 0, 9, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't',
					0, 0, 0, 0 };
	static const uint8_t fwd5[] = { 0, 0, 0, 0, 0, 0, 0x13, 0x88 };
	struct greplies g = { 0 };
	struct fix f;
	uint8_t *m;
	size_t n;

	fix_init(&f, 1);
	g_calls = 0;
	/* keepalive@openssh.com is always refused, without consulting the handler. */
	CHECK_INT(conn_send_global(f.p.a, "keepalive@openssh.com", 1, NULL, 0, on_global, &g), 0);
	CHECK_INT(conn_send_global(f.p.a, "tcpip-forward", 1, fwd0, sizeof(fwd0), on_global, &g), 0);
	CHECK_INT(conn_send_global(f.p.a, "no-such-request", 1, NULL, 0, on_global, &g), 0);
	CHECK_INT(conn_send_global(f.p.a, "fail-me", 0, NULL, 0, on_global, &g), 0);
	CHECK_INT(conn_send_global(f.p.a, "tcpip-forward", 1, fwd5, sizeof(fwd5), on_global, &g), 0);
	CHECK_INT(pair_pump(&f.p), 0);
	CHECK_INT(g_calls, 4);
	CHECK_INT(g.n, 4);
	CHECK_INT(g.ok[0], 0);
	CHECK_INT(g.ok[1], 1);
	CHECK_INT(g.port[1], 40000);
	CHECK_INT(g.ok[2], 0);
	CHECK_INT(g.ok[3], 1);
	CHECK_INT(g.port[3], 5000);

	/* Wire layout of REQUEST_SUCCESS with data: byte 81, uint32 port. */
	CHECK_INT(conn_send_global(f.p.a, "tcpip-forward", 1, fwd0, sizeof(fwd0), on_global, &g), 0);
	CHECK_INT(pair_step(&f.p, 1), 0);
	CHECK_INT(fake_tp_pop(f.p.tb, &m, &n), 0);
	CHECK_INT(n, 5);
	CHECK_MEM(m, "\x51\0\0\x9c\x40", 5);
	CHECK_INT(conn_handle(f.p.a, m, n), 0);
	free(m);
	CHECK_INT(g.n, 5);

	/* Unsolicited replies are protocol errors. */
	{
		uint8_t ok = SSH_MSG_REQUEST_SUCCESS, fail = SSH_MSG_REQUEST_FAILURE;
		CHECK_INT(conn_handle(f.p.a, &ok, 1), ERR_PROTOCOL);
		CHECK_INT(conn_handle(f.p.a, &fail, 1), ERR_PROTOCOL);
	}
	fix_free(&f);
}

static void test_global_no_handler(void)
{
	struct greplies g = { 0 };
	struct pair p;

	CHECK_INT(pair_init(&p, NULL, NULL), 0);
	CHECK_INT(conn_send_global(p.a, "tcpip-forward", 1, NULL, 0, on_global, &g), 0);
	CHECK_INT(conn_send_global(p.a, "x", 1, NULL, 0, NULL, NULL), 0);
	CHECK_INT(conn_send_global(p.a, "keepalive@openssh.com", 1, NULL, 0, on_global, &g), 0);
	CHECK_INT(pair_pump(&p), 0);
	CHECK_INT(g.n, 2);
	CHECK_INT(g.ok[0], 0);
	CHECK_INT(g.ok[1], 0);
	/* Many outstanding requests: the reply queue grows and stays in order. */
	{
		int i;
		struct greplies h = { 0 };
		for (i = 0; i < 100; i++)
			CHECK_INT(conn_send_global(p.a, "x", 1, NULL, 0, i >= 92 ? on_global : NULL,
						   &h), 0);
		CHECK_INT(pair_pump(&p), 0);
		CHECK_INT(h.n, 8);
	}
	pair_free(&p);
}

static void test_unknown_message(void)
{
	struct pair p;
	uint8_t m[] = { 101, 0, 0, 0, 0 };
	uint8_t m2[] = { SSH_MSG_USERAUTH_REQUEST };

	CHECK_INT(pair_init(&p, NULL, NULL), 0);
	CHECK_INT(conn_handle(p.a, m, sizeof(m)), ERR_UNSUPPORTED);
	CHECK_INT(conn_handle(p.a, m2, sizeof(m2)), ERR_UNSUPPORTED);
	CHECK(conn_handle(p.a, m, 0) != 0);
	pair_free(&p);
}

int main(void)
{
	test_chan_requests();
	test_chan_request_no_handler();
	test_global();
	test_global_no_handler();
	test_unknown_message();
	CHECK_DONE();
}
