/*
 * Transport algorithms in memory, client against server: every aes*-ctr x
 * HMAC (ETM and encrypt-and-MAC) with traffic both ways and rekeys, MAC and
 * compression negotiation and their "no matching" errors, zlib and
 * zlib@openssh.com (started by USERAUTH_SUCCESS) across rekeys, a tampered
 * MAC, and a decompression bomb.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../check.h"
#include "harness.h"
#include "harness_check.h"
#include "transport/tp_test.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

static const char *ctr_ciphers[] = { "aes128-ctr", "aes192-ctr", "aes256-ctr" };
static const char *macs[] = {
	"hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com",
	"hmac-sha1-etm@openssh.com",     "hmac-sha2-256",
	"hmac-sha2-512",                 "hmac-sha1",
};

/* pair_traffic, then everything delivered. */
static void traffic(struct pair *p, int n)
{
	pair_traffic(p, n);
	CHECK_INT(pair_run(p), 0);
}

static void check_names(struct pair *p, const char *cipher, const char *mac, const char *comp)
{
	struct tp *t[2] = { p->c.tp, p->s.tp };

	for (int i = 0; i < 2; i++)
		for (int out = 0; out < 2; out++) {
			CHECK_STR(tp_cipher_name(t[i], out), cipher);
			CHECK_STR(tp_mac_name(t[i], out), mac);
			CHECK_STR(tp_compression_name(t[i], out), comp);
		}
}

static void test_cipher_mac(const char *cipher, const char *mac, unsigned seed)
{
	struct pair_opts o = { .ciphers = cipher, .macs_c = mac };
	struct pair p;

	CHECK_INT(pair_new(&p, &o, seed), 0);
	CHECK_INT(pair_start(&p), 0);
	CHECK_INT(pair_run(&p), 0);
	CHECK(tp_ready(p.c.tp) && tp_ready(p.s.tp));
	check_names(&p, cipher, mac, "none");
	tp_set_authenticated(p.c.tp);
	tp_set_authenticated(p.s.tp);
	traffic(&p, 20);
	CHECK_INT(tp_rekey(p.c.tp), 0);
	traffic(&p, 20);
	CHECK_INT(tp_rekey(p.s.tp), 0);
	traffic(&p, 20);
	CHECK_INT(tp_kex_count(p.c.tp), 3);
	CHECK_INT(tp_kex_count(p.s.tp), 3);
	pair_check_delivered(&p);
	CHECK_INT(p.s.next_expected, 60);
	check_names(&p, cipher, mac, "none");
	CHECK_INT(tp_bytes_out(p.c.tp), tp_bytes_in(p.s.tp));
	CHECK_INT(tp_payload_bytes_out(p.c.tp), tp_payload_bytes_in(p.s.tp));
	CHECK_INT(tp_payload_bytes_out(p.s.tp), tp_payload_bytes_in(p.c.tp));
	pair_free(&p);
}

/* Negotiation picks the client's first MAC the server has; AEAD ignores the lists. */
static void test_mac_negotiation(void)
{
	struct pair_opts o = { .ciphers = "aes256-ctr",
			       .macs_c = "hmac-sha1,hmac-sha2-512,hmac-sha2-256",
			       .macs_s = "hmac-sha2-256,hmac-sha2-512" };
	struct pair p;

	CHECK_INT(pair_new(&p, &o, 11), 0);
	CHECK_INT(pair_start(&p), 0);
	CHECK_INT(pair_run(&p), 0);
	check_names(&p, "aes256-ctr", "hmac-sha2-512", "none");
	pair_free(&p);

	o.ciphers = "aes128-gcm@openssh.com";
	o.macs_c = "hmac-sha1";
	o.macs_s = "hmac-sha2-256";
	CHECK_INT(pair_new(&p, &o, 12), 0);
	CHECK_INT(pair_start(&p), 0);
	CHECK_INT(pair_run(&p), 0);
	check_names(&p, "aes128-gcm@openssh.com", "<implicit>", "none");
	pair_free(&p);

	/* A non-AEAD cipher with no common MAC fails like the cipher lists do. */
	o.ciphers = "aes128-ctr";
	CHECK_INT(pair_new(&p, &o, 13), 0);
	CHECK_INT(pair_start(&p), 0);
	CHECK_INT(pair_run(&p), ERR_NO_MATCH);
	CHECK(strstr(tp_error(p.s.tp), "no matching MAC found") != NULL);
	/* The client, given the server's KEXINIT, reaches the same verdict. */
	CHECK_INT(tp_input(p.c.tp, buf_ptr(tp_outbuf(p.s.tp)), buf_len(tp_outbuf(p.s.tp))),
		  ERR_NO_MATCH);
	CHECK(strstr(tp_error(p.c.tp), "no matching MAC found. Their offer: hmac-sha2-256") != NULL);
	pair_free(&p);

	/* Unknown names are dropped from our proposal; nothing left is an error. */
	o.macs_c = "hmac-md5,umac-64@openssh.com";
	CHECK(pair_new(&p, &o, 14) == ERR_INVALID_ARG);
	pair_free(&p);
}

/* Send one compressible payload client->server and return the wire bytes it took. */
static uint64_t send_text(struct pair *p, struct side *from, struct side *to, size_t len)
{
	static uint8_t msg[70000];
	uint64_t before = tp_bytes_out(from->tp);
	unsigned other = to->other;

	msg[0] = 99; /* CHANNEL_SUCCESS: not a harness test payload */
	for (size_t i = 1; i < len; i++)
		msg[i] = (uint8_t)("the quick brown fox jumps over the lazy dog "[i % 44]);
	CHECK_INT(tp_send(from->tp, msg, len), 0);
	CHECK_INT(pair_run(p), 0);
	CHECK_INT(to->other, other + 1);
	CHECK_INT(to->last_type, 99);
	return tp_bytes_out(from->tp) - before;
}

static void test_compression(const char *comp, const char *cipher, unsigned seed)
{
	struct pair_opts o = { .ciphers = cipher, .comp_c = "zlib@openssh.com,zlib,none",
			       .comp_s = comp };
	int delayed = strcmp(comp, "zlib@openssh.com") == 0;
	uint8_t success = SSH_MSG_USERAUTH_SUCCESS;
	uint64_t in0, out0, wire;
	struct pair p;

	fprintf(stderr, "compression %s with %s\n", comp, cipher);
	CHECK_INT(pair_new(&p, &o, seed), 0);
	CHECK_INT(pair_start(&p), 0);
	CHECK_INT(pair_run(&p), 0);
	for (int out = 0; out < 2; out++) {
		CHECK_STR(tp_compression_name(p.c.tp, out), comp);
		CHECK_STR(tp_compression_name(p.s.tp, out), comp);
	}
	/* Let both pass payloads >= 80 up; compression waits for USERAUTH_SUCCESS itself. */
	tp_set_authenticated(p.s.tp);
	tp_set_authenticated(p.c.tp);
	/* Before USERAUTH_SUCCESS delayed compression is off: ~ the payload size on the wire. */
	wire = send_text(&p, &p.c, &p.s, 60000);
	CHECK(delayed ? wire > 60000 : wire < 2000);
	wire = send_text(&p, &p.s, &p.c, 60000);
	CHECK(delayed ? wire > 60000 : wire < 2000);
	/* The server's USERAUTH_SUCCESS, read by the client, switches both directions on. */
	CHECK_INT(tp_send(p.s.tp, &success, 1), 0);
	CHECK_INT(pair_run(&p), 0);
	CHECK_INT(p.c.last_type, SSH_MSG_USERAUTH_SUCCESS);
	CHECK(send_text(&p, &p.c, &p.s, 60000) < 2000);
	CHECK(send_text(&p, &p.s, &p.c, 60000) < 2000);
	/* Random payloads both ways and rekeys: each new key restarts both zlib streams. */
	traffic(&p, 30);
	CHECK_INT(tp_rekey(p.c.tp), 0);
	traffic(&p, 30);
	CHECK_INT(tp_rekey(p.s.tp), 0);
	traffic(&p, 30);
	CHECK(send_text(&p, &p.c, &p.s, 65000) < 2000);
	CHECK(send_text(&p, &p.s, &p.c, 65000) < 2000);
	CHECK_INT(tp_kex_count(p.c.tp), 3);
	pair_check_delivered(&p);
	CHECK_INT(p.s.next_expected, 90);
	/* Payload counters are uncompressed and agree across the pair. */
	in0 = tp_payload_bytes_in(p.s.tp);
	out0 = tp_payload_bytes_out(p.c.tp);
	CHECK_INT(in0, out0);
	CHECK_INT(tp_payload_bytes_in(p.c.tp), tp_payload_bytes_out(p.s.tp));
	CHECK(out0 > 4 * 60000);
	CHECK(tp_bytes_out(p.c.tp) < out0);
	pair_free(&p);
}

static void test_comp_no_match(void)
{
	struct pair_opts o = { .comp_c = "zlib", .comp_s = "none,zlib@openssh.com" };
	struct pair p;

	CHECK_INT(pair_new(&p, &o, 21), 0);
	CHECK_INT(pair_start(&p), 0);
	CHECK_INT(pair_run(&p), ERR_NO_MATCH);
	CHECK(strstr(tp_error(p.s.tp), "no matching compression method found") != NULL);
	pair_free(&p);
	/* Default: no compression offered at all. */
	CHECK_INT(pair_new(&p, NULL, 22), 0);
	CHECK_INT(pair_start(&p), 0);
	CHECK_INT(pair_run(&p), 0);
	CHECK_STR(tp_compression_name(p.c.tp, 1), "none");
	pair_free(&p);
}

/* A flipped bit in a client packet (tag or body) makes the server fail with ERR_MAC. */
static void test_tampered(const char *mac, int flip_last)
{
	struct pair_opts o = { .ciphers = "aes128-ctr", .macs_c = mac };
	struct buf *out;
	struct pair p;
	int r;

	CHECK_INT(pair_new(&p, &o, 31), 0);
	CHECK_INT(pair_start(&p), 0);
	CHECK_INT(pair_run(&p), 0);
	tp_set_authenticated(p.s.tp);
	CHECK_INT(side_send(&p, &p.c), 0);
	out = tp_outbuf(p.c.tp);
	CHECK(buf_len(out) > 40);
	if (buf_len(out) > 40) {
		size_t at = flip_last ? buf_len(out) - 1 : 20;

		buf_mutable_ptr(out)[at] ^= 0x04;
		r = tp_input(p.s.tp, buf_ptr(out), buf_len(out));
		buf_consume(out, buf_len(out));
		CHECK_INT(r, ERR_MAC);
		CHECK_STR(tp_error(p.s.tp), "Corrupted MAC on input.");
		/* The server queued a DISCONNECT (reason 5, MAC error) for the client. */
		r = tp_input(p.c.tp, buf_ptr(tp_outbuf(p.s.tp)), buf_len(tp_outbuf(p.s.tp)));
		CHECK_INT(r, ERR_DISCONNECTED);
		CHECK(strstr(tp_error(p.c.tp), "disconnect from peer: 5:") != NULL);
	}
	pair_free(&p);
}

/* A compressed packet that inflates beyond TP_MAX_PACKET is a protocol error. */
static void test_bomb(size_t inflated, int want)
{
	struct pair_opts o = { .comp_c = "zlib", .comp_s = "zlib" };
	static uint8_t zeros[TP_MAX_PACKET + 4096], z[8192];
	z_stream zs;
	struct pair p;
	int r;

	memset(&zs, 0, sizeof(zs));
	CHECK_INT(deflateInit(&zs, 9), Z_OK);
	zeros[0] = 99;
	zs.next_in = zeros;
	zs.avail_in = (uInt)inflated;
	zs.next_out = z;
	zs.avail_out = sizeof(z);
	CHECK_INT(deflate(&zs, Z_PARTIAL_FLUSH), Z_OK);
	CHECK(zs.avail_out > 0);
	CHECK_INT(pair_new(&p, &o, 41), 0);
	CHECK_INT(pair_start(&p), 0);
	CHECK_INT(pair_run(&p), 0);
	tp_set_authenticated(p.s.tp);
	/* The first compressed client packet: the server's inflater starts with this stream. */
	CHECK_INT(tp_send_raw_nocomp(p.c.tp, z, sizeof(z) - zs.avail_out), 0);
	r = pair_run(&p);
	CHECK_INT(r, want);
	if (want != 0)
		CHECK(strstr(tp_error(p.s.tp), "decompressed packet larger than") != NULL);
	else
		CHECK_INT(p.s.last_type, 99);
	deflateEnd(&zs);
	pair_free(&p);
}

/* The kex debug lines name the MAC and the compression. */
static void test_log_names(void)
{
	static const char *const want[] = {
		"cipher: aes192-ctr MAC: hmac-sha1-etm@openssh.com compression: zlib@openssh.com"
	};
	char path[] = "/tmp/burrow_tp_algsXXXXXX";
	struct pair_opts o = { .ciphers = "aes192-ctr", .macs_c = "hmac-sha1-etm@openssh.com",
			       .comp_c = "zlib@openssh.com", .comp_s = "zlib@openssh.com" };
	unsigned found;
	struct pair p;

	if (pair_log_begin(path) != 0)
		return;
	CHECK_INT(pair_new(&p, &o, 51), 0);
	CHECK_INT(pair_start(&p), 0);
	CHECK_INT(pair_run(&p), 0);
	pair_free(&p);
	pair_log_end(path, want, &found, 1);
	CHECK_INT(found, 4); /* both directions, both sides */
}

int main(void)
{
	unsigned seed = 100;

	log_init("test_algs", getenv("TDEBUG") != NULL ? LOG_DEBUG3 : LOG_ERROR);
	for (size_t i = 0; i < sizeof(ctr_ciphers) / sizeof(ctr_ciphers[0]); i++)
		for (size_t j = 0; j < sizeof(macs) / sizeof(macs[0]); j++)
			test_cipher_mac(ctr_ciphers[i], macs[j], seed++);
	test_mac_negotiation();
	test_compression("zlib@openssh.com", "aes128-ctr", 61);
	test_compression("zlib", "chacha20-poly1305@openssh.com", 62);
	test_compression("zlib@openssh.com", "aes256-gcm@openssh.com", 63);
	test_compression("zlib", "aes256-ctr", 64);
	test_comp_no_match();
	test_tampered("hmac-sha2-256", 1);
	test_tampered("hmac-sha2-256", 0);
	test_tampered("hmac-sha2-512-etm@openssh.com", 1);
	test_tampered("hmac-sha2-512-etm@openssh.com", 0);
	test_bomb(TP_MAX_PACKET + 1, ERR_TOO_LARGE);
	test_bomb(TP_MAX_PACKET, 0);
	test_log_names();
	CHECK_DONE();
}
