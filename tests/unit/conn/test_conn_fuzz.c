/*
 * Fuzz-ish robustness: valid messages from a recorded session are truncated,
 * bit-flipped and spliced, then fed to conn_handle on a live connection. It
 * must only ever return (success or an error code) and keep its invariants;
 * run under ASan/UBSan this also catches memory errors.
 */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "harness.h"
#include "util/err.h"

#define CORPUS_MAX 64

struct corpus {
	uint8_t *m[CORPUS_MAX];
	size_t n[CORPUS_MAX];
	int len;
};

static uint32_t rng_state = 0x12345678;

static uint32_t rng(void)
{
	/* xorshift32: deterministic so failures reproduce */
	rng_state ^= (uint32_t)((uint64_t)rng_state << 13);
	rng_state ^= rng_state >> 17;
	rng_state ^= (uint32_t)((uint64_t)rng_state << 5);
	return rng_state;
}

static void corpus_take(struct corpus *c, struct tp *t)
{
	uint8_t *m;
	size_t n;

	while (fake_tp_pop(t, &m, &n) == 0) {
		if (c->len < CORPUS_MAX) {
			c->m[c->len] = m;
			c->n[c->len] = n;
			c->len++;
		} else {
			free(m);
		}
	}
}

static int glob(void *arg, struct conn *c, const char *name, int want_reply, struct rd *args,
		struct buf *reply_extra)
{
	(void)arg;
	(void)c;
	(void)name;
	(void)want_reply;
	(void)args;
	return buf_put_u32(reply_extra, 1);
}

int main(void)
{
	struct conn_config cb = { 0 };
	struct corpus corp = { 0 };
	struct rec ca, sa;
	struct srv s;
	struct pair p;
	struct chan *c1, *c2;
	uint8_t buf[512];
	int i, j, ok = 0, errs = 0, bad = 0;

	rec_init(&ca);
	rec_init(&sa);
	sa.auto_consume = 1;
	srv_init(&s, SRV_ACCEPT, &sa);
	cb.open = srv_open;
	cb.arg = &s;
	cb.global = glob;
	cb.window = 4096;
	cb.max_packet = 1024;
	cb.max_channels = 1024; /* the loop below checks b stops at this limit */
	CHECK_INT(pair_init(&p, NULL, &cb), 0);

	/* Record a's side of a short session: opens, data, requests, globals, EOF, CLOSE. */
	CHECK_INT(chan_open(p.a, "direct-tcpip", (const uint8_t *)"\0\0\0\1h\0\0\0\x50", 9,
			    &rec_ops, &ca, &c1), 0);
	CHECK_INT(chan_open(p.a, "session", NULL, 0, &rec_ops, &ca, &c2), 0);
	CHECK_INT(conn_send_global(p.a, "tcpip-forward", 1, NULL, 0, NULL, NULL), 0);
	CHECK_INT(conn_send_global(p.a, "keepalive@openssh.com", 1, NULL, 0, NULL, NULL), 0);
	CHECK_INT(fake_tp_pending(p.ta), 4);
	corpus_take(&corp, p.ta);
	for (i = 0; i < corp.len; i++)
		CHECK_INT(conn_handle(p.b, corp.m[i], corp.n[i]), 0);
	CHECK_INT(pair_pump(&p), 0);
	CHECK_INT(ca.open_ok, 2);
	CHECK_INT(chan_send_data(c1, 0, (const uint8_t *)"data", 4), 0);
	CHECK_INT(chan_send_data(c1, 1, (const uint8_t *)"ext", 3), 0);
	CHECK_INT(chan_send_request(c2, "exec", 1, (const uint8_t *)"\0\0\0\2ls", 6), 0);
	CHECK_INT(chan_send_eof(c2), 0);
	j = corp.len;
	corpus_take(&corp, p.ta);
	for (i = j; i < corp.len; i++)
		CHECK_INT(conn_handle(p.b, corp.m[i], corp.n[i]), 0);
	pair_drop(p.tb);
	/* Replies b would send, by hand: window adjust, success, failure, confirmation... */
	{
		static const char *extra_hex[] = {
			"5d0000000000001000",       /* WINDOW_ADJUST ch 0 +4096 */
			"5b00000000000000050000100000000400", /* OPEN_CONFIRMATION */
			"5c000000000000000100000003666f6f00000000", /* OPEN_FAILURE */
			"61000000000000000000",     /* CLOSE with junk */
			"6100000000",               /* CLOSE ch 0 */
			"6000000000",               /* EOF ch 0 */
			"5e0000000000000003616263", /* DATA ch 0 "abc" */
			"5f00000000000000010000000378797a", /* EXT DATA */
			"6200000000000000036578650100000001", /* REQUEST */
			"63000000000",              /* SUCCESS (odd length) */
			"64ffffffff",               /* FAILURE unknown ch */
			"5a000000077365737369006e00000007000010000000040000", /* OPEN */
			"5a7fffffff",               /* OPEN with huge type length */
			"50000000047465737401",     /* GLOBAL want reply */
			"51", "52", "50",
		};
		unsigned char h[64];
		size_t k;

		for (k = 0; k < sizeof(extra_hex) / sizeof(extra_hex[0]) && corp.len < CORPUS_MAX; k++) {
			size_t hn = check_unhex(extra_hex[k], h, sizeof(h));
			corp.m[corp.len] = malloc(hn ? hn : 1);
			memcpy(corp.m[corp.len], h, hn);
			corp.n[corp.len] = hn;
			corp.len++;
		}
	}

	/* Mutate and feed to both sides. The connections may reach any state; they must survive. */
	for (i = 0; i < 200000; i++) {
		int k = (int)(rng() % (uint32_t)corp.len);
		size_t n = corp.n[k], flips, f;
		struct conn *to = (rng() & 1) ? p.a : p.b;
		int e;

		if (n > sizeof(buf))
			n = sizeof(buf);
		memcpy(buf, corp.m[k], n);
		switch (rng() % 4) {
		case 0: /* truncate */
			n = n ? rng() % n : 0;
			break;
		case 1: /* flip bits */
			flips = 1 + rng() % 4;
			for (f = 0; f < flips && n > 0; f++)
				buf[rng() % n] ^= (uint8_t)(1u << (rng() % 8));
			break;
		case 2: /* overwrite a byte with a small or extreme value */
			if (n > 1)
				buf[1 + rng() % (n - 1)] = (rng() & 1) ? 0xff : (uint8_t)(rng() % 4);
			break;
		default: /* append random bytes */
			for (f = 0; f < 8 && n < sizeof(buf); f++)
				buf[n++] = (uint8_t)rng();
			break;
		}
		e = conn_handle(to, n ? buf : NULL, n);
		if (e == 0)
			ok++;
		else if (e < 0 && e >= ERR_BAD_STATE)
			errs++;
		else if (bad++ == 0)
			fprintf(stderr, "unexpected return %d\n", e);
		/* Keep the peers' queues bounded and let replies flow sometimes. */
		if (fake_tp_pending(p.ta) > 256)
			pair_drop(p.ta);
		if (fake_tp_pending(p.tb) > 256)
			pair_drop(p.tb);
		/* a refuses every open; b stops at its limit. */
		if (conn_channel_count(p.a) > 2 || conn_channel_count(p.b) > 1024) {
			if (bad++ == 0)
				fprintf(stderr, "channel counts %u %u\n", conn_channel_count(p.a),
					conn_channel_count(p.b));
		}
	}
	fprintf(stderr, "fuzz: %d accepted, %d rejected; channels %u/%u\n", ok, errs,
		conn_channel_count(p.a), conn_channel_count(p.b));
	CHECK_INT(bad, 0);
	CHECK(errs > 0);
	CHECK(ok > 0);
	pair_drop(p.ta);
	pair_drop(p.tb);
	for (i = 0; i < corp.len; i++)
		free(corp.m[i]);
	pair_free(&p);
	rec_free(&ca);
	rec_free(&sa);
	srv_free(&s);
	CHECK_DONE();
}
