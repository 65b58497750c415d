/*
 * Client against server in memory: key exchange, payloads both ways, and
 * rekeying started by either side or by a byte limit or a timer while
 * payloads are in flight, for every cipher.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "harness.h"
#include "harness_check.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

static const char *ciphers[] = {
	"chacha20-poly1305@openssh.com",
	"aes128-gcm@openssh.com",
	"aes256-gcm@openssh.com",
};

/* Complete the first KEX and check what both sides agree on. */
static void initial_kex(struct pair *p, const char *cipher)
{
	const uint8_t *sid_c, *sid_s;
	size_t len_c, len_s;

	CHECK_INT(pair_start(p), 0);
	CHECK(!tp_ready(p->c.tp) && !tp_ready(p->s.tp));
	CHECK_INT(pair_run(p), 0);
	CHECK(tp_ready(p->c.tp));
	CHECK(tp_ready(p->s.tp));
	CHECK_INT(tp_kex_count(p->c.tp), 1);
	CHECK_INT(tp_kex_count(p->s.tp), 1);
	CHECK_INT(p->hostkey_calls, 1);
	sid_c = tp_session_id(p->c.tp, &len_c);
	sid_s = tp_session_id(p->s.tp, &len_s);
	CHECK(sid_c != NULL && sid_s != NULL);
	CHECK_INT(len_c, 32);
	CHECK_INT(len_s, 32);
	if (sid_c != NULL && sid_s != NULL && len_c == len_s)
		CHECK_MEM(sid_c, sid_s, len_c);
	CHECK_STR(tp_cipher_name(p->c.tp, 1), cipher);
	CHECK_STR(tp_cipher_name(p->c.tp, 0), cipher);
	CHECK_STR(tp_cipher_name(p->s.tp, 1), cipher);
	CHECK_STR(tp_cipher_name(p->s.tp, 0), cipher);
	CHECK_STR(tp_kex_name(p->c.tp), "curve25519-sha256");
	CHECK(tp_server_sig_algs(p->c.tp) != NULL &&
	      strcmp(tp_server_sig_algs(p->c.tp),
		     "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
		     "rsa-sha2-512,rsa-sha2-256,ssh-rsa") == 0);
	CHECK(tp_peer_version(p->c.tp) != NULL &&
	      strcmp(tp_peer_version(p->c.tp), "SSH-2.0-burrowd_test") == 0);
	CHECK(tp_peer_version(p->s.tp) != NULL &&
	      strcmp(tp_peer_version(p->s.tp), "SSH-2.0-burrow_0.1.0") == 0);
	CHECK_INT(tp_bytes_out(p->c.tp), tp_bytes_in(p->s.tp));
	CHECK_INT(tp_bytes_out(p->s.tp), tp_bytes_in(p->c.tp));
	tp_set_authenticated(p->c.tp);
	tp_set_authenticated(p->s.tp);
}

/* A rekey started by `starter` with payloads queued and in flight on both sides. */
static void rekey_in_flight(struct pair *p, struct side *starter, unsigned want_count)
{
	const uint8_t *sid;
	uint8_t sid0[64];
	size_t sid_len;

	sid = tp_session_id(p->c.tp, &sid_len);
	memcpy(sid0, sid, sid_len);
	pair_traffic(p, 5);
	CHECK_INT(tp_rekey(starter->tp), 0);
	CHECK_INT(tp_rekey(starter->tp), 0); /* no-op while running */
	pair_traffic(p, 40);
	CHECK_INT(pair_run(p), 0);
	pair_traffic(p, 10);
	CHECK_INT(pair_run(p), 0);
	CHECK_INT(tp_kex_count(p->c.tp), want_count);
	CHECK_INT(tp_kex_count(p->s.tp), want_count);
	sid = tp_session_id(p->c.tp, &sid_len);
	CHECK_MEM(sid, sid0, sid_len); /* the session id stays the first H */
	pair_check_delivered(p);
}

static void test_cipher(const char *cipher, unsigned seed)
{
	struct pair_opts o = { .ciphers = cipher };
	struct pair p;

	fprintf(stderr, "cipher %s\n", cipher);
	CHECK_INT(pair_new(&p, &o, seed), 0);
	initial_kex(&p, cipher);
	pair_traffic(&p, 60);
	CHECK_INT(pair_run(&p), 0);
	pair_check_delivered(&p);
	CHECK_INT(p.c.next_expected, 60);

	rekey_in_flight(&p, &p.c, 2);
	rekey_in_flight(&p, &p.s, 3);
	CHECK_INT(p.hostkey_calls, 3);
	/* Both start at once. */
	CHECK_INT(tp_rekey(p.c.tp), 0);
	CHECK_INT(tp_rekey(p.s.tp), 0);
	pair_traffic(&p, 20);
	CHECK_INT(pair_run(&p), 0);
	CHECK_INT(tp_kex_count(p.c.tp), 4);
	CHECK_INT(tp_kex_count(p.s.tp), 4);
	pair_check_delivered(&p);
	pair_free(&p);
}

/* A tiny rekey_bytes on one side forces many key exchanges during a transfer. */
static void test_rekey_bytes(const char *cipher, int client_side, unsigned seed)
{
	struct pair_opts o = { .ciphers = cipher };
	struct pair p;

	if (client_side)
		o.rekey_bytes_c = 16384;
	else
		o.rekey_bytes_s = 16384;
	CHECK_INT(pair_new(&p, &o, seed), 0);
	initial_kex(&p, cipher);
	for (int i = 0; i < 30; i++) {
		pair_traffic(&p, 10);
		CHECK_INT(pair_run(&p), 0);
	}
	pair_check_delivered(&p);
	CHECK_INT(p.s.next_expected, 300);
	fprintf(stderr, "rekey_bytes (%s side) %s: %u key exchanges\n",
		client_side ? "client" : "server", cipher, tp_kex_count(p.c.tp));
	CHECK(tp_kex_count(p.c.tp) > 10);
	CHECK_INT(tp_kex_count(p.c.tp), tp_kex_count(p.s.tp));
	pair_free(&p);
}

static void test_rekey_time(void)
{
	struct pair_opts o = { .ciphers = NULL, .rekey_seconds_c = 60 };
	struct pair p;

	CHECK_INT(pair_new(&p, &o, 77), 0);
	CHECK_INT(tp_tick(p.c.tp, 1000), 0);
	initial_kex(&p, "chacha20-poly1305@openssh.com");
	CHECK_INT(tp_tick(p.c.tp, 1059), 0);
	CHECK_INT(pair_run(&p), 0);
	CHECK_INT(tp_kex_count(p.c.tp), 1);
	CHECK_INT(tp_tick(p.c.tp, 1060), 0);
	pair_traffic(&p, 10);
	CHECK_INT(pair_run(&p), 0);
	CHECK_INT(tp_kex_count(p.c.tp), 2);
	CHECK_INT(tp_kex_count(p.s.tp), 2);
	CHECK_INT(tp_tick(p.c.tp, 1100), 0);
	CHECK_INT(pair_run(&p), 0);
	CHECK_INT(tp_kex_count(p.c.tp), 2);
	CHECK_INT(tp_tick(p.c.tp, 1120), 0);
	CHECK_INT(pair_run(&p), 0);
	CHECK_INT(tp_kex_count(p.c.tp), 3);
	pair_check_delivered(&p);
	pair_free(&p);
}

/* Payloads sent before the first KEX finished are held, then delivered in order. */
static void test_early_send(void)
{
	struct pair p;

	CHECK_INT(pair_new(&p, NULL, 5), 0);
	CHECK_INT(side_send(&p, &p.c), 0); /* before tp_start */
	CHECK_INT(pair_start(&p), 0);
	/* Service-request style traffic may be queued before the KEX completes. */
	tp_set_authenticated(p.c.tp);
	tp_set_authenticated(p.s.tp);
	CHECK_INT(side_send(&p, &p.c), 0);
	CHECK_INT(side_send(&p, &p.s), 0);
	CHECK_INT(pair_run(&p), 0);
	CHECK(tp_ready(p.c.tp));
	pair_check_delivered(&p);
	CHECK_INT(p.s.next_expected, 2);
	CHECK_INT(p.c.next_expected, 1);
	pair_free(&p);
}

/* Each completed KEX logs "SSH2_MSG_NEWKEYS sent/received" at DEBUG1 once per side. */
static void test_newkeys_log(void)
{
	static const char *const want[] = {
		"SSH2_MSG_NEWKEYS sent",
		"SSH2_MSG_NEWKEYS received",
		"kex: client->server cipher: chacha20-poly1305",
	};
	char path[] = "/tmp/burrow_tp_logXXXXXX";
	unsigned counts[3];
	struct pair p;

	if (pair_log_begin(path) != 0)
		return;
	CHECK_INT(pair_new(&p, NULL, 9), 0);
	initial_kex(&p, "chacha20-poly1305@openssh.com");
	CHECK_INT(tp_rekey(p.s.tp), 0);
	CHECK_INT(pair_run(&p), 0);
	pair_free(&p);
	pair_log_end(path, want, counts, 3);
	CHECK_INT(counts[0], 4); /* sent */
	CHECK_INT(counts[1], 4); /* received */
	CHECK_INT(counts[2], 4);
}

int main(void)
{
	log_init("test_kex", LOG_ERROR);
	for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
		test_cipher(ciphers[i], 1000 + (unsigned)i);
		test_rekey_bytes(ciphers[i], 1, 2000 + (unsigned)i);
		test_rekey_bytes(ciphers[i], 0, 3000 + (unsigned)i);
	}
	test_rekey_time();
	test_early_send();
	test_newkeys_log();
	CHECK_DONE();
}
