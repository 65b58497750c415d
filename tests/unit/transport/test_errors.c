/*
 * Transport failure paths: version lines, strict KEX, corrupted packets,
 * oversized packets, messages before authentication, rejected host keys.
 * Each fatal error must leave a DISCONNECT the peer can read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "harness.h"
#include "transport/tp_test.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

static const char *ciphers[] = {
	"chacha20-poly1305@openssh.com",
	"aes128-gcm@openssh.com",
	"aes256-gcm@openssh.com",
};

static int contains(const char *s, const char *sub)
{
	return s != NULL && strstr(s, sub) != NULL;
}

/* Feed to's output to from... i.e. deliver what `src` queued into `dst`; return dst's error. */
static int deliver_all(struct tp *src, struct tp *dst)
{
	struct buf *out = tp_outbuf(src);
	const uint8_t *pl;
	size_t len;
	int r;

	r = tp_input(dst, buf_ptr(out), buf_len(out));
	buf_consume(out, buf_len(out));
	while (r == 0 && (r = tp_read_packet(dst, &pl, &len)) == 0)
		;
	return r == ERR_AGAIN ? 0 : r;
}

/* A server fed `input` fails with err and a message containing want, and queues a DISCONNECT. */
static void server_rejects(const char *input, size_t n, int err, const char *want)
{
	struct pair p;
	int r;

	CHECK_INT(pair_new(&p, NULL, 1), 0);
	CHECK_INT(tp_start(p.s.tp), 0);
	r = tp_input(p.s.tp, (const uint8_t *)input, n);
	CHECK_INT(r, err);
	if (!contains(tp_error(p.s.tp), want))
		fprintf(stderr, "error '%s' lacks '%s'\n", tp_error(p.s.tp), want);
	CHECK(contains(tp_error(p.s.tp), want));
	/* The client reads the server's version, KEXINIT, then the DISCONNECT. */
	CHECK_INT(tp_start(p.c.tp), 0);
	CHECK_INT(deliver_all(p.s.tp, p.c.tp), ERR_DISCONNECTED);
	CHECK(contains(tp_error(p.c.tp), "Received disconnect from peer: "));
	CHECK(contains(tp_error(p.c.tp), want));
	/* Dead: more input reports the same error, sending fails. */
	CHECK_INT(tp_input(p.s.tp, (const uint8_t *)"x", 1), err);
	CHECK(tp_send(p.s.tp, (const uint8_t *)"\x5a", 1) != 0);
	pair_free(&p);
}

static void test_version(void)
{
	char line[600];
	struct pair p;
	int r;

	server_rejects("GET / HTTP/1.0\r\n\r\n", 18, ERR_PROTOCOL,
		       "Bad protocol version identification 'GET / HTTP/1.0'");
	server_rejects("\x01\x02zz\r\n", 6, ERR_PROTOCOL, "Bad protocol version identification '??zz'");
	server_rejects("SSH-1.5-old\r\n", 13, ERR_PROTOCOL, "Protocol major versions differ: 2 vs. 1");
	server_rejects("SSH-2.0\r\n", 9, ERR_PROTOCOL, "Bad protocol version identification");
	/* 254 characters + CR LF = 256 bytes: one too many. */
	memset(line, 'a', sizeof(line));
	memcpy(line, "SSH-2.0-", 8);
	memcpy(line + 254, "\r\n", 2);
	server_rejects(line, 256, ERR_TOO_LARGE, "line too long");
	/* Server without a newline at all. */
	server_rejects(line, 300, ERR_TOO_LARGE, "line too long");

	/* Client: lines before the version are skipped; 1.99 is accepted; LF alone ends a line. */
	CHECK_INT(pair_new(&p, NULL, 2), 0);
	CHECK_INT(pair_start(&p), 0);
	memset(line, 'b', 253);
	memcpy(line + 253, "\r\n", 2); /* 255 bytes: the longest allowed */
	CHECK_INT(tp_input(p.c.tp, (const uint8_t *)"hello there\r\n\nsecond line\n", 26), 0);
	CHECK_INT(tp_input(p.c.tp, (const uint8_t *)line, 255), 0);
	CHECK(tp_peer_version(p.c.tp) == NULL);
	/* Replace the server's version line with a 1.99 one. */
	{
		struct buf *out = tp_outbuf(p.s.tp);
		const char *v = "SSH-1.99-Other_1.0\n";
		const uint8_t *nl = memchr(buf_ptr(out), '\n', buf_len(out));

		CHECK(nl != NULL);
		buf_consume(out, (size_t)(nl - buf_ptr(out)) + 1);
		CHECK_INT(tp_input(p.c.tp, (const uint8_t *)v, strlen(v)), 0);
	}
	CHECK(tp_peer_version(p.c.tp) != NULL &&
	      strcmp(tp_peer_version(p.c.tp), "SSH-1.99-Other_1.0") == 0);
	pair_free(&p);

	/* Client: SSH-1.5 refused, over-long pre-version line refused, too many lines refused. */
	CHECK_INT(pair_new(&p, NULL, 3), 0);
	CHECK_INT(tp_start(p.c.tp), 0);
	CHECK_INT(tp_input(p.c.tp, (const uint8_t *)"SSH-1.5-x\r\n", 11), ERR_PROTOCOL);
	CHECK_STR(tp_error(p.c.tp), "Protocol major versions differ: 2 vs. 1");
	pair_free(&p);

	CHECK_INT(pair_new(&p, NULL, 4), 0);
	CHECK_INT(tp_start(p.c.tp), 0);
	memset(line, 'c', 254);
	memcpy(line + 254, "\r\n", 2);
	CHECK_INT(tp_input(p.c.tp, (const uint8_t *)line, 256), ERR_TOO_LARGE);
	pair_free(&p);

	CHECK_INT(pair_new(&p, NULL, 5), 0);
	CHECK_INT(tp_start(p.c.tp), 0);
	r = 0;
	for (int i = 0; i < 1100 && r == 0; i++)
		r = tp_input(p.c.tp, (const uint8_t *)"x\r\n", 3);
	CHECK_INT(r, ERR_PROTOCOL);
	CHECK(contains(tp_error(p.c.tp), "Too many lines"));
	pair_free(&p);
}

/* Strict KEX: an IGNORE before NEWKEYS in the initial exchange is fatal. */
static void test_strict(void)
{
	const uint8_t ignore[] = { SSH_MSG_IGNORE, 0, 0, 0, 0 };
	struct pair p;

	CHECK_INT(pair_new(&p, NULL, 6), 0);
	CHECK_INT(pair_start(&p), 0);
	CHECK_INT(pair_step(&p, &p.c, &p.s, SIZE_MAX), 0); /* server has both KEXINITs */
	CHECK_INT(tp_send_raw(p.c.tp, ignore, sizeof(ignore)), 0);
	CHECK_INT(pair_step(&p, &p.c, &p.s, SIZE_MAX), ERR_PROTOCOL);
	CHECK_STR(tp_error(p.s.tp),
		  "strict KEX violation: unexpected message 2 during initial key exchange");
	CHECK(!tp_ready(p.s.tp));
	CHECK_INT(deliver_all(p.s.tp, p.c.tp), ERR_DISCONNECTED);
	CHECK(contains(tp_error(p.c.tp), "Received disconnect from peer: 2: strict KEX violation"));
	pair_free(&p);

	/* The client enforces it too (the server's IGNORE after its KEXINIT). */
	CHECK_INT(pair_new(&p, NULL, 7), 0);
	CHECK_INT(pair_start(&p), 0);
	CHECK_INT(pair_step(&p, &p.c, &p.s, SIZE_MAX), 0);
	CHECK_INT(tp_send_raw(p.s.tp, ignore, sizeof(ignore)), 0);
	CHECK_INT(pair_run(&p), ERR_PROTOCOL);
	CHECK(contains(tp_error(p.c.tp), "strict KEX violation"));
	pair_free(&p);

	/* After the first KEX, IGNORE during a rekey is fine. */
	CHECK_INT(pair_new(&p, NULL, 8), 0);
	CHECK_INT(pair_start(&p), 0);
	CHECK_INT(pair_run(&p), 0);
	CHECK_INT(tp_rekey(p.c.tp), 0);
	CHECK_INT(pair_step(&p, &p.c, &p.s, SIZE_MAX), 0);
	CHECK_INT(tp_send_raw(p.c.tp, ignore, sizeof(ignore)), 0);
	CHECK_INT(pair_run(&p), 0);
	CHECK_INT(tp_kex_count(p.s.tp), 2);
	pair_free(&p);
}

/* One flipped byte anywhere after the length in an encrypted packet: ERR_MAC. */
static void test_corrupt(const char *cipher, size_t at)
{
	struct pair_opts o = { .ciphers = cipher };
	struct buf *out;
	struct pair p;

	CHECK_INT(pair_new(&p, &o, 9), 0);
	CHECK_INT(pair_start(&p), 0);
	CHECK_INT(pair_run(&p), 0);
	tp_set_authenticated(p.s.tp);
	p.c.next_to_send = p.s.next_expected = 1; /* payload 1: 3767 bytes, a 3796-byte packet */
	CHECK_INT(side_send(&p, &p.c), 0);
	out = tp_outbuf(p.c.tp);
	CHECK_INT(buf_len(out), 3796);
	buf_mutable_ptr(out)[at < buf_len(out) ? at : 0] ^= 0x40;
	CHECK_INT(pair_step(&p, &p.c, &p.s, SIZE_MAX), ERR_MAC);
	CHECK_STR(tp_error(p.s.tp), "Corrupted MAC on input.");
	CHECK_INT(p.s.next_expected, 1);
	CHECK_INT(deliver_all(p.s.tp, p.c.tp), ERR_DISCONNECTED);
	CHECK_STR(tp_error(p.c.tp), "Received disconnect from peer: 5: Corrupted MAC on input.");
	pair_free(&p);
}

/* packet_length above 256 KiB: error and a DISCONNECT, cleartext and encrypted. */
static void test_too_long(void)
{
	uint8_t hdr[] = "SSH-2.0-evil\r\n\x00\x04\x93\xe0"; /* 300000 */
	uint8_t big[8] = { 0, 4, 0, 1, 0, 0, 0, 0 }; /* 262145 */
	struct pair p;

	server_rejects((const char *)hdr, sizeof(hdr) - 1, ERR_TOO_LARGE, "Bad packet length 300000");

	/* Encrypted, AES-GCM: the length is in clear, so forge one. */
	{
		struct pair_opts o = { .ciphers = "aes128-gcm@openssh.com" };

		CHECK_INT(pair_new(&p, &o, 10), 0);
		CHECK_INT(pair_start(&p), 0);
		CHECK_INT(pair_run(&p), 0);
		CHECK_INT(tp_input(p.s.tp, big, sizeof(big)), ERR_TOO_LARGE);
		CHECK(contains(tp_error(p.s.tp), "Bad packet length 262145"));
		CHECK_INT(deliver_all(p.s.tp, p.c.tp), ERR_DISCONNECTED);
		CHECK(contains(tp_error(p.c.tp), "Bad packet length"));
		pair_free(&p);
	}
	/* Sending a payload that cannot fit is refused locally. */
	{
		uint8_t *huge = calloc(1, TP_MAX_PACKET);

		CHECK_INT(pair_new(&p, NULL, 11), 0);
		CHECK_INT(pair_start(&p), 0);
		CHECK_INT(pair_run(&p), 0);
		huge[0] = SSH_MSG_IGNORE;
		CHECK_INT(tp_send(p.c.tp, huge, TP_MAX_PACKET), ERR_TOO_LARGE);
		CHECK_INT(tp_send(p.c.tp, huge, TP_MAX_PACKET - 64), 0);
		CHECK_INT(pair_run(&p), 0);
		free(huge);
		pair_free(&p);
	}
}

/* Connection-layer messages need tp_set_authenticated; auth messages need a finished KEX. */
static void test_auth_gate(void)
{
	const uint8_t open[] = { SSH_MSG_CHANNEL_OPEN, 0, 0, 0, 1, 's' };
	const uint8_t ureq[] = { SSH_MSG_USERAUTH_REQUEST, 1, 2, 3 };
	const uint8_t unknown[] = { 40, 9 };
	struct pair p;

	CHECK_INT(pair_new(&p, NULL, 12), 0);
	CHECK_INT(pair_start(&p), 0);
	CHECK_INT(pair_run(&p), 0);
	/* 50..79 go up; an unknown transport message is answered, not fatal. */
	CHECK_INT(tp_send(p.c.tp, ureq, sizeof(ureq)), 0);
	CHECK_INT(tp_send_raw(p.c.tp, unknown, sizeof(unknown)), 0);
	CHECK_INT(pair_run(&p), 0);
	CHECK_INT(p.s.other, 1);
	CHECK_INT(p.s.last_type, SSH_MSG_USERAUTH_REQUEST);
	/* 90 before authentication: fatal. */
	CHECK_INT(tp_send_raw(p.c.tp, open, sizeof(open)), 0);
	CHECK_INT(pair_step(&p, &p.c, &p.s, SIZE_MAX), ERR_PROTOCOL);
	CHECK_STR(tp_error(p.s.tp), "protocol error: message 90 before authentication");
	CHECK_INT(deliver_all(p.s.tp, p.c.tp), ERR_DISCONNECTED);
	CHECK(contains(tp_error(p.c.tp), "Received disconnect from peer: 2: protocol error: message 90"));
	pair_free(&p);

	/* After tp_set_authenticated the same message goes up. */
	CHECK_INT(pair_new(&p, NULL, 13), 0);
	CHECK_INT(pair_start(&p), 0);
	CHECK_INT(pair_run(&p), 0);
	tp_set_authenticated(p.s.tp);
	CHECK_INT(tp_send_raw(p.c.tp, open, sizeof(open)), 0);
	CHECK_INT(pair_run(&p), 0);
	CHECK_INT(p.s.other, 1);
	CHECK_INT(p.s.last_type, SSH_MSG_CHANNEL_OPEN);
	pair_free(&p);

	/* A SERVICE_REQUEST before the first KEX completes: fatal. */
	CHECK_INT(pair_new(&p, NULL, 14), 0);
	CHECK_INT(pair_start(&p), 0);
	CHECK_INT(tp_send_raw(p.c.tp, (const uint8_t *)"\x05", 1), 0);
	CHECK(pair_run(&p) != 0);
	CHECK(!tp_ready(p.s.tp));
	pair_free(&p);
}

/* The client aborts when check_hostkey says no, keeping its error code. */
static void test_hostkey_rejected(void)
{
	struct pair p;

	CHECK_INT(pair_new(&p, NULL, 15), 0);
	p.hostkey_verdict = ERR_HOSTKEY_UNKNOWN;
	CHECK_INT(pair_start(&p), 0);
	CHECK_INT(pair_run(&p), ERR_HOSTKEY_UNKNOWN);
	CHECK_INT(p.hostkey_calls, 1);
	CHECK(!tp_ready(p.c.tp));
	CHECK_STR(tp_error(p.c.tp), "Host key verification failed.");
	CHECK_INT(deliver_all(p.c.tp, p.s.tp), ERR_DISCONNECTED);
	CHECK(!tp_ready(p.s.tp));
	pair_free(&p);
}

/* Negotiation failure names what the peer offered. */
static void test_no_match(void)
{
	struct tp_config cc, sc;
	struct tp *c, *s;
	struct key *hk;

	CHECK_INT(key_generate(KEY_ED25519, &hk), 0);
	memset(&cc, 0, sizeof(cc));
	memset(&sc, 0, sizeof(sc));
	cc.ciphers = "aes128-gcm@openssh.com";
	sc.ciphers = "aes256-gcm@openssh.com,chacha20-poly1305@openssh.com";
	sc.server = 1;
	sc.hostkeys = &hk;
	sc.n_hostkeys = 1;
	CHECK_INT(tp_new(&cc, &c), 0);
	CHECK_INT(tp_new(&sc, &s), 0);
	CHECK_INT(tp_start(c), 0);
	CHECK_INT(tp_start(s), 0);
	CHECK_INT(deliver_all(c, s), ERR_NO_MATCH);
	CHECK_STR(tp_error(s), "no matching cipher found. Their offer: aes128-gcm@openssh.com");
	tp_free(c);
	tp_free(s);
	/* Unknown names only: refused at creation. */
	cc.ciphers = "3des-cbc,none";
	CHECK_INT(tp_new(&cc, &c), ERR_INVALID_ARG);
	key_free(hk);
}

int main(void)
{
	log_init("test_errors", LOG_ERROR);
	test_version();
	test_strict();
	for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
		test_corrupt(ciphers[i], 6);   /* padding length / payload */
		test_corrupt(ciphers[i], 1000); /* payload */
		test_corrupt(ciphers[i], 3795); /* last byte of the tag */
	}
	/* The clear length is authenticated data: 0xec0 -> 0xe80 is still aligned, the tag fails. */
	test_corrupt("aes128-gcm@openssh.com", 3);
	test_too_long();
	test_auth_gate();
	test_hostkey_rejected();
	test_no_match();
	CHECK_DONE();
}
