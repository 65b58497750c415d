/*
 * Every key exchange method client against server in memory: the first KEX,
 * payloads both ways, rekeys started by either side, the session id kept.
 * Group exchange with a small moduli file (tests/unit/transport/data/moduli)
 * and with it missing; the server's group choice; a client refusing groups
 * outside 2048..8192 bits from a hand-made server.
 * Usage: test_transport_kex_algs DATA_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "harness.h"
#include "harness_check.h"
#include "transport/tp_int.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

static char moduli[512], missing[512];

static int accept_key(void *arg, const struct key *hostkey)
{
	struct pair *p = arg;

	p->hostkey_calls++;
	return key_equal(hostkey, p->hostkey) ? 0 : ERR_HOSTKEY_CHANGED;
}

static void test_method(const char *kex, size_t sid_len, const char *cipher,
			const char *moduli_file, unsigned seed)
{
	const uint8_t *sid;
	uint8_t sid0[64];
	size_t len = 0;
	struct pair p;

	fprintf(stderr, "kex %s cipher %s moduli %s\n", kex, cipher != NULL ? cipher : "default",
		moduli_file != NULL ? moduli_file : "-");
	CHECK_INT(pair_new(&p,
			   &(struct pair_opts){
				   .ciphers = cipher, .kex_algs = kex, .moduli_file = moduli_file },
			   seed),
		  0);
	CHECK_INT(pair_start(&p), 0);
	CHECK_INT(pair_run(&p), 0);
	CHECK(tp_ready(p.c.tp) && tp_ready(p.s.tp));
	if (!tp_ready(p.c.tp) || !tp_ready(p.s.tp)) {
		fprintf(stderr, "client: %s\nserver: %s\n", tp_error(p.c.tp), tp_error(p.s.tp));
		pair_free(&p);
		return;
	}
	CHECK_STR(tp_kex_name(p.c.tp), kex);
	CHECK_STR(tp_kex_name(p.s.tp), kex);
	sid = tp_session_id(p.c.tp, &len);
	CHECK_INT(len, sid_len);
	memcpy(sid0, sid, len);
	sid = tp_session_id(p.s.tp, &len);
	CHECK_MEM(sid, sid0, len);
	tp_set_authenticated(p.c.tp);
	tp_set_authenticated(p.s.tp);
	pair_traffic(&p, 20);
	CHECK_INT(pair_run(&p), 0);
	/* Rekey from each side with payloads in flight. */
	CHECK_INT(tp_rekey(p.c.tp), 0);
	pair_traffic(&p, 20);
	CHECK_INT(pair_run(&p), 0);
	CHECK_INT(tp_rekey(p.s.tp), 0);
	pair_traffic(&p, 20);
	CHECK_INT(pair_run(&p), 0);
	CHECK_INT(tp_kex_count(p.c.tp), 3);
	CHECK_INT(tp_kex_count(p.s.tp), 3);
	CHECK_INT(p.hostkey_calls, 3);
	CHECK_STR(tp_kex_name(p.c.tp), kex);
	sid = tp_session_id(p.c.tp, &len);
	CHECK_MEM(sid, sid0, len);
	pair_check_delivered(&p);
	CHECK_INT(p.s.next_expected, 60);
	pair_free(&p);
}

/* p then g of a group as the wire has them. */
static void group_wire(const struct kex_dh_group *g, struct buf *out)
{
	buf_reset(out);
	CHECK_INT(kex_dh_group_put(g, out), 0);
}

static void test_choose(void)
{
	struct kex_dh_group *g = NULL, *ref = NULL;
	struct buf a, b;
	int seen_g5 = 0, seen_g2 = 0, distinct = 0;

	buf_init(&a);
	buf_init(&b);
	/* Closest size >= want from the file. */
	CHECK_INT(tp_moduli_choose(moduli, 2048, 3072, 8192, &g), 0);
	CHECK(g != NULL && kex_dh_group_bits(g) == 3072);
	group_wire(g, &a);
	kex_dh_group_free(g);
	/* Random among equals: both 3072-bit primes come up over a few tries. */
	for (int i = 0; i < 40 && !distinct; i++) {
		CHECK_INT(tp_moduli_choose(moduli, 2048, 3072, 8192, &g), 0);
		group_wire(g, &b);
		distinct = buf_len(&a) != buf_len(&b) || memcmp(buf_ptr(&a), buf_ptr(&b), buf_len(&a));
		kex_dh_group_free(g);
	}
	CHECK(distinct);
	/* Both generators of the 2048-bit prime (last byte of the wire form is g). */
	for (int i = 0; i < 40 && !(seen_g2 && seen_g5); i++) {
		CHECK_INT(tp_moduli_choose(moduli, 2048, 2048, 8192, &g), 0);
		CHECK_INT(kex_dh_group_bits(g), 2048);
		group_wire(g, &b);
		seen_g2 |= buf_ptr(&b)[buf_len(&b) - 1] == 2;
		seen_g5 |= buf_ptr(&b)[buf_len(&b) - 1] == 5;
		kex_dh_group_free(g);
	}
	CHECK(seen_g2 && seen_g5);
	/* Nothing >= want: the largest below it (4096). The bad "8191" line is skipped. */
	CHECK_INT(tp_moduli_choose(moduli, 2048, 8192, 8192, &g), 0);
	CHECK(g != NULL && kex_dh_group_bits(g) == 4096);
	kex_dh_group_free(g);
	/* No line in range: RFC 3526 group 18, exactly. */
	CHECK_INT(tp_moduli_choose(moduli, 6000, 8192, 8192, &g), 0);
	CHECK_INT(kex_dh_group_modp(8192, &ref), 0);
	group_wire(g, &a);
	group_wire(ref, &b);
	CHECK(buf_len(&a) == buf_len(&b) && memcmp(buf_ptr(&a), buf_ptr(&b), buf_len(&a)) == 0);
	kex_dh_group_free(g);
	kex_dh_group_free(ref);
	/* No file: the RFC 3526 groups chosen the same way. */
	CHECK_INT(tp_moduli_choose(missing, 2048, 3072, 8192, &g), 0);
	CHECK(g != NULL && kex_dh_group_bits(g) == 4096);
	kex_dh_group_free(g);
	CHECK_INT(tp_moduli_choose(missing, 2048, 2048, 3000, &g), 0);
	CHECK(g != NULL && kex_dh_group_bits(g) == 2048);
	kex_dh_group_free(g);
	g = NULL;
	CHECK_INT(tp_moduli_choose(missing, 3000, 3072, 3500, &g), ERR_NOT_FOUND);
	CHECK(g == NULL);
	buf_free(&a);
	buf_free(&b);
}

/* Append a cleartext binary packet (RFC 4253 6, before the first NEWKEYS). */
static void put_packet(struct buf *out, const struct buf *payload)
{
	size_t pad = 8 - (5 + buf_len(payload)) % 8;

	if (pad < 4)
		pad += 8;
	CHECK_INT(buf_put_u32(out, (uint32_t)(1 + buf_len(payload) + pad)), 0);
	CHECK_INT(buf_put_u8(out, (uint8_t)pad), 0);
	CHECK_INT(buf_put(out, buf_ptr(payload), buf_len(payload)), 0);
	for (size_t i = 0; i < pad; i++)
		CHECK_INT(buf_put_u8(out, 0), 0);
}

/* A client facing a hand-made server that offers a group of `bytes` bytes. */
static void test_client_refuses(size_t bytes, const char *why)
{
	static const char *lists[] = { "diffie-hellman-group-exchange-sha256", "ssh-ed25519",
				       "aes128-gcm@openssh.com", "aes128-gcm@openssh.com",
				       "hmac-sha2-256", "hmac-sha2-256", "none", "none", "", "" };
	struct tp_config cc;
	struct tp *c = NULL;
	struct buf in, pl;
	uint8_t *p;
	int r;

	buf_init(&in);
	buf_init(&pl);
	memset(&cc, 0, sizeof(cc));
	cc.kex_algs = lists[0];
	cc.ciphers = lists[2];
	cc.check_hostkey = accept_key;
	CHECK_INT(tp_new(&cc, &c), 0);
	if (c == NULL)
		return;
	CHECK_INT(tp_start(c), 0);
	CHECK_INT(buf_put(&in, "SSH-2.0-fake\r\n", 14), 0);
	CHECK_INT(buf_put_u8(&pl, SSH_MSG_KEXINIT), 0);
	for (int i = 0; i < 16; i++)
		CHECK_INT(buf_put_u8(&pl, 0), 0);
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		CHECK_INT(buf_put_cstring(&pl, lists[i]), 0);
	CHECK_INT(buf_put_bool(&pl, 0), 0);
	CHECK_INT(buf_put_u32(&pl, 0), 0);
	put_packet(&in, &pl);
	/* GEX_GROUP: mpint p (odd, top bit set: a sign byte), mpint g = 2 */
	buf_reset(&pl);
	CHECK_INT(buf_put_u8(&pl, SSH_MSG_KEX_DH_GEX_GROUP), 0);
	CHECK_INT(buf_put_u32(&pl, (uint32_t)bytes + 1), 0);
	CHECK_INT(buf_reserve(&pl, bytes + 1, &p), 0);
	memset(p, 0xff, bytes + 1);
	p[0] = 0;
	CHECK_INT(buf_put_u32(&pl, 1), 0);
	CHECK_INT(buf_put_u8(&pl, 2), 0);
	put_packet(&in, &pl);
	r = tp_input(c, buf_ptr(&in), buf_len(&in));
	CHECK(r != 0);
	CHECK(strstr(tp_error(c), why) != NULL);
	fprintf(stderr, "%zu-bit group: %s\n", bytes * 8, tp_error(c));
	tp_free(c);
	buf_free(&in);
	buf_free(&pl);
}

/* The GEX messages and the chosen group show in the debug log. */
static void test_gex_log(void)
{
	char path[] = "/tmp/burrow_gex_logXXXXXX";
	char line[512];
	int got_3072 = 0, req = 0, fd;
	FILE *f;

	if ((fd = mkstemp(path)) < 0) {
		CHECK(fd >= 0);
		return;
	}
	close(fd);
	log_set_file(path);
	log_set_level(LOG_DEBUG1);
	/* aes128-gcm: 128-bit keys, so the client asks for 3072 bits (dh_estimate). */
	test_method("diffie-hellman-group-exchange-sha256", 32, "aes128-gcm@openssh.com", moduli,
		    41);
	log_set_level(LOG_ERROR);
	log_set_file(NULL);
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			got_3072 += strstr(line, "SSH2_MSG_KEX_DH_GEX_GROUP received (3072 bits)") != NULL;
			req += strstr(line, "SSH2_MSG_KEX_DH_GEX_REQUEST(2048<3072<8192) received") !=
			       NULL;
		}
		fclose(f);
	}
	unlink(path);
	CHECK_INT(got_3072, 3);
	CHECK_INT(req, 3);
}

int main(int argc, char **argv)
{
	static const struct { const char *name; size_t sid; } methods[] = {
		{ "mlkem768x25519-sha256", 32 },
		{ "curve25519-sha256", 32 },
		{ "curve25519-sha256@libssh.org", 32 },
		{ "ecdh-sha2-nistp256", 32 },
		{ "ecdh-sha2-nistp384", 48 },
		{ "ecdh-sha2-nistp521", 64 },
		{ "diffie-hellman-group-exchange-sha256", 32 },
		{ "diffie-hellman-group16-sha512", 64 },
		{ "diffie-hellman-group18-sha512", 64 },
		{ "diffie-hellman-group14-sha256", 32 },
	};

	log_init("test_kex_algs", LOG_ERROR);
	if (argc < 2) {
		fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
		return 2;
	}
	snprintf(moduli, sizeof(moduli), "%s/moduli", argv[1]);
	snprintf(missing, sizeof(missing), "%s/no-such-moduli", argv[1]);
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (kex_alg_by_name(methods[i].name) == NULL) {
			fprintf(stderr, "%s: not built (libcrypto lacks it)\n", methods[i].name);
			continue;
		}
		test_method(methods[i].name, methods[i].sid, NULL, moduli, 100 + (unsigned)i);
	}
	/* GEX with the moduli file missing (chacha20: 8192 bits asked, RFC 3526 group 18). */
	test_method("diffie-hellman-group-exchange-sha256", 32, NULL, missing, 300);
	test_method("diffie-hellman-group-exchange-sha256", 32, "aes256-gcm@openssh.com", missing,
		    301);
	test_choose();
	test_gex_log();
	test_client_refuses(128, "DH_GEX group out of range");  /* 1024 bits */
	test_client_refuses(255, "DH_GEX group out of range");  /* 2040 bits */
	test_client_refuses(1040, "DH_GEX group out of range"); /* 8320 bits */
	CHECK_DONE();
}
