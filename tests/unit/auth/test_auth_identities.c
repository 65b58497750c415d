/*
 * The client's generalised identities: keys that sign through a callback
 * (an agent), the rsa-sha2 choice from server-sig-algs and
 * PubkeyAcceptedAlgorithms on both sides. A real auth_client against a real
 * auth_server over two struct tp joined in memory.
 */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "auth/auth.h"
#include "util/err.h"
#include "wire/buf.h"

static struct key *k_rsa, *k_ed, *k_other;

static int check_key(void *arg, const char *user, const struct key *key,
		     struct authkey_opts **opts)
{
	unsigned *calls = arg;

	(*calls)++;
	if (strcmp(user, "alice") != 0 || (!key_equal(key, k_rsa) && !key_equal(key, k_ed)))
		return -1;
	*opts = NULL;
	return 0;
}

static int accept_hostkey(void *arg, const struct key *hostkey)
{
	(void)arg;
	(void)hostkey;
	return 0;
}

/* A stand-in agent: signs with the private key it holds, records the algorithm. */
struct fake_agent {
	const struct key *priv;
	int refuse;
	unsigned calls;
	char alg[64];
};

static int fake_sign(void *arg, const struct key *key, const char *alg, const uint8_t *data,
		     size_t n, struct buf *sig)
{
	struct fake_agent *a = arg;

	a->calls++;
	snprintf(a->alg, sizeof(a->alg), "%s", alg);
	if (a->refuse || !key_equal(key, a->priv))
		return ERR_PERMISSION;
	return key_sign(a->priv, alg, data, n, sig);
}

struct pair {
	struct tp *c, *s;
	struct key *hostkey;
	struct auth_client *ac;
	struct auth_server *as;
	unsigned checks;
	int c_res, s_res;
};

static void move(struct tp *from, struct tp *to)
{
	struct buf *out = tp_outbuf(from);

	if (buf_len(out) == 0)
		return;
	CHECK_INT(tp_input(to, buf_ptr(out), buf_len(out)), 0);
	buf_consume(out, buf_len(out));
}

static void run(struct pair *p)
{
	for (int i = 0; i < 1000; i++) {
		const uint8_t *m;
		size_t n;
		int busy = buf_len(tp_outbuf(p->c)) > 0 || buf_len(tp_outbuf(p->s)) > 0;

		move(p->c, p->s);
		move(p->s, p->c);
		while (tp_read_packet(p->s, &m, &n) == 0) {
			busy = 1;
			if (p->as != NULL && p->s_res == 0)
				p->s_res = auth_server_handle(p->as, m, n);
		}
		while (tp_read_packet(p->c, &m, &n) == 0) {
			busy = 1;
			if (p->ac != NULL && p->c_res == 0)
				p->c_res = auth_client_handle(p->ac, m, n);
		}
		if (!busy)
			break;
	}
}

/* Key exchange, then an auth server with server_accepted and a client with cfg. */
static void pair_run(struct pair *p, const char *server_accepted, struct auth_client_config *cfg)
{
	struct tp_config cc, sc;
	struct auth_server_config ac;

	memset(p, 0, sizeof(*p));
	memset(&cc, 0, sizeof(cc));
	memset(&sc, 0, sizeof(sc));
	CHECK_INT(key_generate(KEY_ED25519, &p->hostkey), 0);
	cc.check_hostkey = accept_hostkey;
	sc.server = 1;
	sc.hostkeys = &p->hostkey;
	sc.n_hostkeys = 1;
	CHECK_INT(tp_new(&cc, &p->c), 0);
	CHECK_INT(tp_new(&sc, &p->s), 0);
	CHECK_INT(tp_start(p->c), 0);
	CHECK_INT(tp_start(p->s), 0);
	run(p);
	CHECK(tp_ready(p->c) && tp_ready(p->s));
	memset(&ac, 0, sizeof(ac));
	ac.check_key = check_key;
	ac.arg = &p->checks;
	ac.pubkey_accepted_algorithms = server_accepted;
	CHECK_INT(auth_server_new(p->s, &ac, &p->as), 0);
	cfg->user = "alice";
	CHECK_INT(auth_client_new(p->c, cfg, &p->ac), 0);
	CHECK_INT(auth_client_start(p->ac), 0);
	run(p);
}

static void pair_free(struct pair *p)
{
	auth_client_free(p->ac);
	auth_server_free(p->as);
	tp_free(p->c);
	tp_free(p->s);
	key_free(p->hostkey);
}

#define DEFAULT_ACCEPTED                                                                     \
	"ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512," \
	"rsa-sha2-256"

/* An RSA key held by the "agent": which SHA-2 algorithm is asked for. */
static void test_rsa_choice(const char *client_accepted, const char *server_accepted,
			    const char *want_alg, int want_ok)
{
	struct key *pub = NULL;
	struct fake_agent fa = { .priv = k_rsa };
	struct auth_identity id;
	struct auth_client_config cfg;
	struct pair p;

	CHECK_INT(key_public_copy(k_rsa, &pub), 0);
	id = (struct auth_identity){ .key = pub, .name = "agent rsa", .sign = fake_sign,
				     .sign_arg = &fa };
	memset(&cfg, 0, sizeof(cfg));
	cfg.ids = &id;
	cfg.n_ids = 1;
	cfg.pubkey_accepted_algorithms = client_accepted;
	pair_run(&p, server_accepted, &cfg);
	if (want_ok) {
		CHECK_INT(p.c_res, 1);
		CHECK_INT(fa.calls, 1);
		CHECK_STR(fa.alg, want_alg);
		CHECK(auth_server_done(p.as));
	} else {
		CHECK_INT(p.c_res, ERR_PERMISSION);
		CHECK_STR(auth_client_failure_msg(p.ac), "Permission denied (publickey).");
		CHECK(!auth_server_done(p.as));
		if (want_alg == NULL) {
			/* Not even offered: the server never looked it up. */
			CHECK_INT(fa.calls, 0);
			CHECK_INT(p.checks, 0);
		}
	}
	pair_free(&p);
	key_free(pub);
}

/* A refusing agent key is skipped; a plain private key after it logs in. */
static void test_agent_refuses_then_file(void)
{
	struct key *pub_other = NULL, *pub_rsa = NULL;
	struct fake_agent refusing = { .priv = k_rsa, .refuse = 1 }, other = { .priv = k_other };
	struct auth_identity ids[3];
	struct auth_client_config cfg;
	struct pair p;

	CHECK_INT(key_public_copy(k_rsa, &pub_rsa), 0);
	CHECK_INT(key_public_copy(k_other, &pub_other), 0);
	ids[0] = (struct auth_identity){ .key = pub_other, .sign = fake_sign, .sign_arg = &other };
	ids[1] = (struct auth_identity){ .key = pub_rsa, .sign = fake_sign, .sign_arg = &refusing };
	/* No callback and no private half: never offered. */
	ids[2] = (struct auth_identity){ .key = pub_rsa };
	memset(&cfg, 0, sizeof(cfg));
	cfg.identities = &k_ed; /* plain private keys come first */
	cfg.n_identities = 1;
	cfg.ids = ids;
	cfg.n_ids = 3;
	cfg.pubkey_accepted_algorithms = DEFAULT_ACCEPTED;
	pair_run(&p, NULL, &cfg);
	CHECK_INT(p.c_res, 1);
	CHECK_INT(other.calls, 0);
	CHECK_INT(refusing.calls, 0);
	pair_free(&p);

	/* Now without the file key: the other key is not allowed, the RSA agent refuses. */
	cfg.identities = NULL;
	cfg.n_identities = 0;
	pair_run(&p, NULL, &cfg);
	CHECK_INT(p.c_res, ERR_PERMISSION);
	CHECK_INT(other.calls, 0); /* the server did not accept it: no signature asked */
	CHECK_INT(refusing.calls, 1);
	CHECK_STR(auth_client_failure_msg(p.ac), "Permission denied (publickey).");
	pair_free(&p);
	key_free(pub_rsa);
	key_free(pub_other);
}

int main(void)
{
	if (key_generate(KEY_RSA, &k_rsa) != 0 || key_generate(KEY_ED25519, &k_ed) != 0 ||
	    key_generate(KEY_ED25519, &k_other) != 0) {
		fprintf(stderr, "cannot generate keys\n");
		return 1;
	}
	/* OpenSSH's default order: rsa-sha2-512 first. */
	test_rsa_choice(DEFAULT_ACCEPTED, NULL, "rsa-sha2-512", 1);
	test_rsa_choice("rsa-sha2-256,rsa-sha2-512", NULL, "rsa-sha2-256", 1);
	test_rsa_choice(NULL, NULL, "rsa-sha2-512", 1);
	/* The server takes only rsa-sha2-256; the client agrees. */
	test_rsa_choice("rsa-sha2-256", "rsa-sha2-256", "rsa-sha2-256", 1);
	/* The server refuses what the client offers (PubkeyAcceptedAlgorithms on burrowd). */
	test_rsa_choice(DEFAULT_ACCEPTED, "rsa-sha2-256", "rsa-sha2-512", 0);
	/* The client allows no algorithm of this key: not offered. */
	test_rsa_choice("ssh-ed25519", NULL, NULL, 0);
	/* SHA-1 only when listed. */
	test_rsa_choice("ssh-rsa", NULL, "ssh-rsa", 1);
	test_agent_refuses_then_file();
	key_free(k_rsa);
	key_free(k_ed);
	key_free(k_other);
	CHECK_DONE();
}
