/*
 * User authentication state machines: an auth_client against an
 * auth_server over two real struct tp joined in memory (after a real key
 * exchange), plus a "raw" client that writes USERAUTH requests by hand.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "log_capture.h"
#include "auth/auth.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

#define REMOTE "127.0.0.1 port 41234"

static struct key *k_good, *k_bad[7];

/* The server's policy: alice may log in with `allowed`; bob exists without keys. */
struct policy {
	const struct key *allowed;
	unsigned calls;
	char last_user[64];
};

static int check_key(void *arg, const char *user, const struct key *key,
		     struct authkey_opts **opts)
{
	struct policy *p = arg;

	p->calls++;
	snprintf(p->last_user, sizeof(p->last_user), "%s", user);
	if (strcmp(user, "alice") == 0 && p->allowed != NULL && key_equal(key, p->allowed)) {
		if ((*opts = calloc(1, sizeof(**opts))) == NULL)
			return -1;
		(*opts)->no_pty = 1;
		return 0;
	}
	return -1;
}

static int accept_hostkey(void *arg, const struct key *hostkey)
{
	(void)arg;
	(void)hostkey;
	return 0;
}

struct sm {
	struct tp *c, *s;
	struct key *hostkey;
	struct policy pol;
	struct auth_client *ac;
	struct auth_server *as;
	int raw;      /* the test drives the client side itself */
	int c_res;    /* first nonzero auth_client_handle result */
	int s_res;    /* first nonzero auth_server_handle result */
	int c_tp_err; /* first transport error on each side */
	int s_tp_err;
	struct buf c_rx; /* payloads the client received: u32 len || payload */
	unsigned c_rx_count;
	uint8_t c_last; /* type of the last payload the client received */
};

static void sm_move(struct tp *from, struct tp *to, int *err)
{
	struct buf *out = tp_outbuf(from);
	int r;

	if (buf_len(out) == 0)
		return;
	r = tp_input(to, buf_ptr(out), buf_len(out));
	buf_consume(out, buf_len(out));
	if (r != 0 && *err == 0)
		*err = r;
}

/* Move bytes and dispatch payloads until both sides are quiet. */
static void sm_run(struct sm *m)
{
	for (int i = 0; i < 1000; i++) {
		const uint8_t *p;
		size_t n;
		int r, busy = buf_len(tp_outbuf(m->c)) > 0 || buf_len(tp_outbuf(m->s)) > 0;

		sm_move(m->c, m->s, &m->s_tp_err);
		sm_move(m->s, m->c, &m->c_tp_err);
		while ((r = tp_read_packet(m->s, &p, &n)) == 0) {
			busy = 1;
			if (m->as != NULL && m->s_res == 0)
				m->s_res = auth_server_handle(m->as, p, n);
		}
		if (r != ERR_AGAIN && m->s_tp_err == 0)
			m->s_tp_err = r;
		while ((r = tp_read_packet(m->c, &p, &n)) == 0) {
			busy = 1;
			buf_put_u32(&m->c_rx, (uint32_t)n);
			buf_put(&m->c_rx, p, n);
			m->c_rx_count++;
			m->c_last = p[0];
			if (!m->raw && m->ac != NULL && m->c_res == 0)
				m->c_res = auth_client_handle(m->ac, p, n);
		}
		if (r != ERR_AGAIN && m->c_tp_err == 0)
			m->c_tp_err = r;
		if (!busy)
			break;
	}
}

/* Two transports after their first key exchange, and an auth server. */
static int sm_new(struct sm *m, unsigned max_tries)
{
	struct tp_config cc, sc;
	struct auth_server_config ac;

	memset(m, 0, sizeof(*m));
	buf_init(&m->c_rx);
	memset(&cc, 0, sizeof(cc));
	memset(&sc, 0, sizeof(sc));
	if (key_generate(KEY_ED25519, &m->hostkey) != 0)
		return -1;
	cc.check_hostkey = accept_hostkey;
	sc.server = 1;
	sc.hostkeys = &m->hostkey;
	sc.n_hostkeys = 1;
	if (tp_new(&cc, &m->c) != 0 || tp_new(&sc, &m->s) != 0 || tp_start(m->c) != 0 ||
	    tp_start(m->s) != 0)
		return -1;
	sm_run(m);
	if (!tp_ready(m->c) || !tp_ready(m->s) || m->c_tp_err != 0 || m->s_tp_err != 0) {
		fprintf(stderr, "key exchange failed: %s / %s\n", tp_error(m->c), tp_error(m->s));
		return -1;
	}
	m->c_rx_count = 0;
	buf_reset(&m->c_rx);
	m->pol.allowed = k_good;
	memset(&ac, 0, sizeof(ac));
	ac.max_tries = max_tries;
	ac.check_key = check_key;
	ac.arg = &m->pol;
	ac.remote = REMOTE;
	return auth_server_new(m->s, &ac, &m->as);
}

static int sm_client(struct sm *m, const char *user, struct key *const *ids, size_t n,
		     const char *const *names)
{
	struct auth_client_config cfg = { .user = user, .identities = ids, .n_identities = n,
					  .identity_names = names };

	if (auth_client_new(m->c, &cfg, &m->ac) != 0)
		return -1;
	return auth_client_start(m->ac);
}

static void sm_free(struct sm *m)
{
	auth_client_free(m->ac);
	auth_server_free(m->as);
	tp_free(m->c);
	tp_free(m->s);
	key_free(m->hostkey);
	buf_free(&m->c_rx);
}

static void fp_desc(const struct key *k, char *out, size_t len)
{
	char fp[KEY_FP_MAX];

	CHECK_INT(key_fingerprint(k, fp, sizeof(fp)), 0);
	snprintf(out, len, "ED25519 %s", fp);
}

/* ---- through auth_client ---- */

static void test_success(void)
{
	struct key *ids[] = { k_bad[0], k_good };
	const char *names[] = { "/home/alice/.ssh/id_other", "/home/alice/.ssh/id_ed25519" };
	char want[512], desc[128];
	struct sm m;

	log_reset();
	CHECK_INT(sm_new(&m, 0), 0);
	CHECK_INT(sm_client(&m, "alice", ids, 2, names), 0);
	sm_run(&m);
	CHECK_INT(m.c_res, 1);
	CHECK_INT(m.s_res, 0);
	CHECK_INT(m.c_tp_err, 0);
	CHECK_INT(auth_server_done(m.as), 1);
	CHECK(auth_server_user(m.as) != NULL && strcmp(auth_server_user(m.as), "alice") == 0);
	CHECK(auth_server_key(m.as) != NULL && key_equal(auth_server_key(m.as), k_good));
	CHECK(auth_server_opts(m.as) != NULL && auth_server_opts(m.as)->no_pty == 1);
	CHECK_INT(m.pol.calls, 3); /* bad query, good query, good signed */
	CHECK_INT(m.c_last, SSH_MSG_USERAUTH_SUCCESS);

	fp_desc(k_good, desc, sizeof(desc));
	snprintf(want, sizeof(want), "Accepted publickey for alice from " REMOTE " ssh2: %s", desc);
	CHECK(log_has(want));
	CHECK(log_has("Authentications that can continue: publickey"));
	snprintf(want, sizeof(want), "Offering public key: /home/alice/.ssh/id_ed25519 %s", desc);
	CHECK(log_has(want));
	snprintf(want, sizeof(want), "Server accepts key: /home/alice/.ssh/id_ed25519 %s", desc);
	CHECK(log_has(want));
	CHECK(log_has("Authentication succeeded (publickey)."));

	/* the transport now lets connection-layer messages through */
	{
		uint8_t gr[] = { SSH_MSG_GLOBAL_REQUEST, 0, 0, 0, 1, 'x', 0 };
		const uint8_t *p;
		size_t n;

		CHECK_INT(tp_send(m.c, gr, sizeof(gr)), 0);
		sm_move(m.c, m.s, &m.s_tp_err);
		CHECK_INT(tp_read_packet(m.s, &p, &n), 0);
		CHECK_INT(m.s_tp_err, 0);
	}
	sm_free(&m);
}

static void test_wrong_key(void)
{
	struct key *ids[] = { k_bad[0], k_bad[1] };
	struct sm m;

	CHECK_INT(sm_new(&m, 0), 0);
	CHECK_INT(sm_client(&m, "alice", ids, 2, NULL), 0);
	sm_run(&m);
	CHECK_INT(m.c_res, ERR_PERMISSION);
	CHECK_STR(auth_client_failure_msg(m.ac), "Permission denied (publickey).");
	CHECK_INT(m.s_res, 0);
	CHECK_INT(auth_server_done(m.as), 0);
	CHECK(auth_server_key(m.as) == NULL);
	sm_free(&m);

	/* no identities at all: the "none" answer ends it */
	CHECK_INT(sm_new(&m, 0), 0);
	CHECK_INT(sm_client(&m, "alice", NULL, 0, NULL), 0);
	sm_run(&m);
	CHECK_INT(m.c_res, ERR_PERMISSION);
	CHECK_STR(auth_client_failure_msg(m.ac), "Permission denied (publickey).");
	CHECK_INT(m.pol.calls, 0);
	sm_free(&m);
}

/* What an unknown user sees is byte for byte what a known user without the key sees. */
static void test_unknown_user(void)
{
	struct key *ids[] = { k_bad[0], k_good, k_bad[1] };
	struct sm a, b;

	CHECK_INT(sm_new(&a, 0), 0);
	CHECK_INT(sm_new(&b, 0), 0);
	a.pol.allowed = NULL; /* alice exists but has no keys */
	CHECK_INT(sm_client(&a, "alice", ids, 3, NULL), 0);
	CHECK_INT(sm_client(&b, "nosuchuser", ids, 3, NULL), 0);
	sm_run(&a);
	sm_run(&b);
	CHECK_INT(a.c_res, ERR_PERMISSION);
	CHECK_INT(b.c_res, ERR_PERMISSION);
	CHECK_INT(a.c_rx_count, b.c_rx_count);
	CHECK_INT(a.c_rx_count, 5); /* SERVICE_ACCEPT + 4 FAILURE */
	CHECK(buf_len(&a.c_rx) == buf_len(&b.c_rx) &&
	      memcmp(buf_ptr(&a.c_rx), buf_ptr(&b.c_rx), buf_len(&a.c_rx)) == 0);
	CHECK_INT(a.pol.calls, 3);
	CHECK_INT(b.pol.calls, 3); /* check_key runs for the unknown user too */
	CHECK_STR(b.pol.last_user, "nosuchuser");
	CHECK_STR(auth_client_failure_msg(a.ac), auth_client_failure_msg(b.ac));
	sm_free(&a);
	sm_free(&b);
}

static void test_max_tries(void)
{
	struct key *ids[] = { k_bad[0], k_bad[1], k_bad[2], k_bad[3], k_bad[4], k_bad[5], k_bad[6] };
	struct key *ids2[] = { k_bad[0], k_bad[1], k_bad[2], k_bad[3], k_bad[4], k_good };
	struct sm m;

	log_reset();
	CHECK_INT(sm_new(&m, 3), 0);
	CHECK_INT(sm_client(&m, "alice", ids, 7, NULL), 0);
	sm_run(&m);
	CHECK_INT(m.s_res, ERR_PERMISSION);
	CHECK_INT(m.pol.calls, 3);
	CHECK_INT(m.c_tp_err, ERR_DISCONNECTED);
	CHECK(strstr(tp_error(m.c), "14: Too many authentication failures") != NULL);
	CHECK(log_has("Too many authentication failures for alice from " REMOTE));
	sm_free(&m);

	/* default MaxAuthTries is 6: seven wrong keys are cut off after six */
	CHECK_INT(sm_new(&m, 0), 0);
	CHECK_INT(sm_client(&m, "alice", ids, 7, NULL), 0);
	sm_run(&m);
	CHECK_INT(m.s_res, ERR_PERMISSION);
	CHECK_INT(m.pol.calls, 6);
	sm_free(&m);

	/* five failures then the right key: still within the limit */
	CHECK_INT(sm_new(&m, 0), 0);
	CHECK_INT(sm_client(&m, "alice", ids2, 6, NULL), 0);
	sm_run(&m);
	CHECK_INT(m.c_res, 1);
	CHECK_INT(auth_server_done(m.as), 1);
	sm_free(&m);
}

/* ---- raw client: requests written by hand ---- */

static void raw_send(struct sm *m, const struct buf *b)
{
	CHECK_INT(tp_sendb(m->c, b), 0);
	sm_run(m);
}

static void raw_service(struct sm *m, const char *service)
{
	struct buf b;

	buf_init(&b);
	buf_put_u8(&b, SSH_MSG_SERVICE_REQUEST);
	buf_put_cstring(&b, service);
	raw_send(m, &b);
	buf_free(&b);
}

static void raw_head(struct buf *b, const char *user, const char *service, const char *method)
{
	buf_reset(b);
	buf_put_u8(b, SSH_MSG_USERAUTH_REQUEST);
	buf_put_cstring(b, user);
	buf_put_cstring(b, service);
	buf_put_cstring(b, method);
}

static void raw_none(struct sm *m, const char *user, const char *service)
{
	struct buf b;

	buf_init(&b);
	raw_head(&b, user, service, "none");
	raw_send(m, &b);
	buf_free(&b);
}

/* A signed publickey request, the signed data written out per RFC 4252 section 7. */
static void raw_signed(struct sm *m, const char *user, const struct key *k, const uint8_t *sid,
		       size_t sid_len)
{
	struct buf blob, data, sig, req;

	buf_init(&blob);
	buf_init(&data);
	buf_init(&sig);
	buf_init(&req);
	CHECK_INT(key_to_blob(k, &blob), 0);
	buf_put_string(&data, sid, sid_len);
	buf_put_u8(&data, 50);
	buf_put_cstring(&data, user);
	buf_put_cstring(&data, "ssh-connection");
	buf_put_cstring(&data, "publickey");
	buf_put_u8(&data, 1);
	buf_put_cstring(&data, "ssh-ed25519");
	buf_put_stringb(&data, &blob);
	CHECK_INT(key_sign(k, "ssh-ed25519", buf_ptr(&data), buf_len(&data), &sig), 0);
	raw_head(&req, user, "ssh-connection", "publickey");
	buf_put_u8(&req, 1);
	buf_put_cstring(&req, "ssh-ed25519");
	buf_put_stringb(&req, &blob);
	buf_put_stringb(&req, &sig);
	raw_send(m, &req);
	buf_free(&blob);
	buf_free(&data);
	buf_free(&sig);
	buf_free(&req);
}

static void test_session_id(void)
{
	uint8_t sid[64];
	const uint8_t *p;
	size_t sid_len;
	char want[256], desc[128];
	struct sm m;

	log_reset();
	CHECK_INT(sm_new(&m, 0), 0);
	m.raw = 1;
	p = tp_session_id(m.c, &sid_len);
	CHECK(p != NULL && sid_len > 0 && sid_len <= sizeof(sid));
	if (p == NULL || sid_len > sizeof(sid)) {
		sm_free(&m);
		return;
	}
	memcpy(sid, p, sid_len);
	raw_service(&m, "ssh-userauth");
	CHECK_INT(m.c_last, SSH_MSG_SERVICE_ACCEPT);

	/* signature over another session id: refused, logged, counted */
	sid[0] ^= 1;
	raw_signed(&m, "alice", k_good, sid, sid_len);
	CHECK_INT(m.c_last, SSH_MSG_USERAUTH_FAILURE);
	CHECK_INT(auth_server_done(m.as), 0);
	fp_desc(k_good, desc, sizeof(desc));
	snprintf(want, sizeof(want), "Failed publickey for alice from " REMOTE " ssh2: %s", desc);
	CHECK(log_has(want));

	/* a signature with a truncated session id fails too */
	sid[0] ^= 1;
	raw_signed(&m, "alice", k_good, sid, sid_len - 1);
	CHECK_INT(m.c_last, SSH_MSG_USERAUTH_FAILURE);
	CHECK_INT(auth_server_done(m.as), 0);

	/* the same construction over the right session id succeeds, without a query first */
	raw_signed(&m, "alice", k_good, sid, sid_len);
	CHECK_INT(m.c_last, SSH_MSG_USERAUTH_SUCCESS);
	CHECK_INT(auth_server_done(m.as), 1);
	CHECK_INT(m.s_res, 0);

	/* requests after success are ignored */
	{
		unsigned before = m.c_rx_count;

		raw_none(&m, "alice", "ssh-connection");
		raw_none(&m, "bob", "ssh-connection");
		CHECK_INT(m.c_rx_count, before);
		CHECK_INT(m.s_res, 0);
		CHECK_INT(m.s_tp_err, 0);
	}
	sm_free(&m);
}

static void test_change_user(void)
{
	struct sm m;

	CHECK_INT(sm_new(&m, 0), 0);
	m.raw = 1;
	raw_service(&m, "ssh-userauth");
	raw_none(&m, "alice", "ssh-connection");
	CHECK_INT(m.c_last, SSH_MSG_USERAUTH_FAILURE);
	{
		/* "none" is not counted: many of them are fine */
		for (int i = 0; i < 10; i++)
			raw_none(&m, "alice", "ssh-connection");
		CHECK_INT(m.s_res, 0);
		CHECK_INT(m.c_tp_err, 0);
	}
	raw_none(&m, "bob", "ssh-connection");
	CHECK_INT(m.s_res, ERR_PROTOCOL);
	CHECK_INT(m.c_tp_err, ERR_DISCONNECTED);
	CHECK(strstr(tp_error(m.c), "Change of username or service not allowed") != NULL);
	sm_free(&m);

	/* a change of service is refused the same way */
	CHECK_INT(sm_new(&m, 0), 0);
	m.raw = 1;
	raw_service(&m, "ssh-userauth");
	raw_none(&m, "alice", "ssh-connection");
	raw_none(&m, "alice", "ssh-other");
	CHECK_INT(m.s_res, ERR_PROTOCOL);
	CHECK_INT(m.c_tp_err, ERR_DISCONNECTED);
	sm_free(&m);
}

static void test_server_protocol(void)
{
	struct buf b;
	struct sm m;

	buf_init(&b);
	/* another service than ssh-userauth */
	CHECK_INT(sm_new(&m, 0), 0);
	m.raw = 1;
	raw_service(&m, "ssh-connection");
	CHECK_INT(m.s_res, ERR_PROTOCOL);
	CHECK_INT(m.c_tp_err, ERR_DISCONNECTED);
	CHECK(strstr(tp_error(m.c), "disconnect from peer: 7:") != NULL);
	sm_free(&m);

	/* a userauth request before the service request */
	CHECK_INT(sm_new(&m, 0), 0);
	m.raw = 1;
	raw_none(&m, "alice", "ssh-connection");
	CHECK_INT(m.s_res, ERR_PROTOCOL);
	sm_free(&m);

	/* service other than ssh-connection in the first request */
	CHECK_INT(sm_new(&m, 0), 0);
	m.raw = 1;
	raw_service(&m, "ssh-userauth");
	raw_none(&m, "alice", "ssh-foo");
	CHECK_INT(m.s_res, ERR_PROTOCOL);
	CHECK(strstr(tp_error(m.c), "disconnect from peer: 7:") != NULL);
	sm_free(&m);

	/* malformed publickey request (no blob) */
	CHECK_INT(sm_new(&m, 0), 0);
	m.raw = 1;
	raw_service(&m, "ssh-userauth");
	raw_head(&b, "alice", "ssh-connection", "publickey");
	buf_put_u8(&b, 0);
	buf_put_cstring(&b, "ssh-ed25519");
	raw_send(&m, &b);
	CHECK_INT(m.s_res, ERR_PROTOCOL);
	CHECK(strstr(tp_error(m.c), "disconnect from peer: 2:") != NULL);
	sm_free(&m);

	/* trailing bytes after "none" */
	CHECK_INT(sm_new(&m, 0), 0);
	m.raw = 1;
	raw_service(&m, "ssh-userauth");
	raw_head(&b, "alice", "ssh-connection", "none");
	buf_put_u8(&b, 0);
	raw_send(&m, &b);
	CHECK_INT(m.s_res, ERR_PROTOCOL);
	sm_free(&m);

	/* signature algorithm that does not fit the key, unknown key blob, unknown method:
	 * FAILURE, counted (max_tries 3 -> the third one disconnects) */
	CHECK_INT(sm_new(&m, 3), 0);
	m.raw = 1;
	raw_service(&m, "ssh-userauth");
	{
		struct buf blob;

		buf_init(&blob);
		CHECK_INT(key_to_blob(k_good, &blob), 0);
		raw_head(&b, "alice", "ssh-connection", "publickey");
		buf_put_u8(&b, 0);
		buf_put_cstring(&b, "rsa-sha2-256");
		buf_put_stringb(&b, &blob);
		raw_send(&m, &b);
		CHECK_INT(m.c_last, SSH_MSG_USERAUTH_FAILURE);
		CHECK_INT(m.pol.calls, 0);
		raw_head(&b, "alice", "ssh-connection", "publickey");
		buf_put_u8(&b, 0);
		buf_put_cstring(&b, "ssh-ed25519");
		buf_put_cstring(&b, "garbage");
		raw_send(&m, &b);
		CHECK_INT(m.c_last, SSH_MSG_USERAUTH_FAILURE);
		CHECK_INT(m.s_res, 0);
		raw_head(&b, "alice", "ssh-connection", "password");
		buf_put_u8(&b, 0);
		buf_put_cstring(&b, "hunter2");
		raw_send(&m, &b);
		CHECK_INT(m.s_res, ERR_PERMISSION);
		CHECK_INT(m.c_tp_err, ERR_DISCONNECTED);
		buf_free(&blob);
	}
	sm_free(&m);

	/* a query for an allowed key gets PK_OK echoing alg and blob */
	CHECK_INT(sm_new(&m, 0), 0);
	m.raw = 1;
	raw_service(&m, "ssh-userauth");
	{
		struct buf blob, want;

		buf_init(&blob);
		buf_init(&want);
		CHECK_INT(key_to_blob(k_good, &blob), 0);
		raw_head(&b, "alice", "ssh-connection", "publickey");
		buf_put_u8(&b, 0);
		buf_put_cstring(&b, "ssh-ed25519");
		buf_put_stringb(&b, &blob);
		raw_send(&m, &b);
		CHECK_INT(m.c_last, SSH_MSG_USERAUTH_PK_OK);
		buf_put_u32(&want, 0);
		buf_put_u8(&want, SSH_MSG_USERAUTH_PK_OK);
		buf_put_cstring(&want, "ssh-ed25519");
		buf_put_stringb(&want, &blob);
		put_u32be(buf_mutable_ptr(&want), (uint32_t)(buf_len(&want) - 4));
		CHECK(buf_len(&m.c_rx) >= buf_len(&want) &&
		      memcmp(buf_ptr(&m.c_rx) + buf_len(&m.c_rx) - buf_len(&want), buf_ptr(&want),
			     buf_len(&want)) == 0);
		CHECK_INT(auth_server_done(m.as), 0);
		buf_free(&blob);
		buf_free(&want);
	}
	sm_free(&m);
	buf_free(&b);
}

/* ---- client robustness: payloads fed directly ---- */

static void test_client_protocol(void)
{
	static const uint8_t success[] = { SSH_MSG_USERAUTH_SUCCESS };
	struct key *ids[] = { k_good };
	struct sm m;

	/* USERAUTH_SUCCESS before any request: rejected (cf. CVE-2018-10933) */
	CHECK_INT(sm_new(&m, 0), 0);
	{
		struct auth_client_config cfg = { .user = "alice", .identities = ids,
						  .n_identities = 1 };

		CHECK_INT(auth_client_new(m.c, &cfg, &m.ac), 0);
	}
	CHECK_INT(auth_client_handle(m.ac, success, 1), ERR_PROTOCOL);
	sm_free(&m);

	/* ... nor after the service request but before SERVICE_ACCEPT */
	CHECK_INT(sm_new(&m, 0), 0);
	CHECK_INT(sm_client(&m, "alice", ids, 1, NULL), 0);
	CHECK_INT(auth_client_handle(m.ac, success, 1), ERR_PROTOCOL);
	/* and the client is dead afterwards */
	CHECK_INT(auth_client_handle(m.ac, success, 1), ERR_BAD_STATE);
	sm_free(&m);

	/* a server that says SUCCESS straight away over the wire */
	CHECK_INT(sm_new(&m, 0), 0);
	auth_server_free(m.as);
	m.as = NULL;
	CHECK_INT(sm_client(&m, "alice", ids, 1, NULL), 0);
	CHECK_INT(tp_send(m.s, success, 1), 0);
	sm_run(&m);
	CHECK_INT(m.c_res, ERR_PROTOCOL);
	sm_free(&m);

	/* FAILURE, PK_OK before any request; SUCCESS with trailing bytes */
	CHECK_INT(sm_new(&m, 0), 0);
	CHECK_INT(sm_client(&m, "alice", ids, 1, NULL), 0);
	{
		static const uint8_t failure[] = { SSH_MSG_USERAUTH_FAILURE, 0, 0, 0, 9, 'p', 'u', 'b',
						   'l', 'i', 'c', 'k', 'e', 'y', 0 };

		CHECK_INT(auth_client_handle(m.ac, failure, sizeof(failure)), ERR_PROTOCOL);
	}
	sm_free(&m);

	CHECK_INT(sm_new(&m, 0), 0);
	CHECK_INT(sm_client(&m, "alice", ids, 1, NULL), 0);
	{
		static const uint8_t accept[] = { SSH_MSG_SERVICE_ACCEPT, 0, 0, 0, 12, 's', 's', 'h',
						  '-', 'u', 's', 'e', 'r', 'a', 'u', 't', 'h' };
		static const uint8_t pk_ok[] = { SSH_MSG_USERAUTH_PK_OK, 0, 0, 0, 1, 'x', 0, 0, 0, 0 };
		static const uint8_t success2[] = { SSH_MSG_USERAUTH_SUCCESS, 0 };

		CHECK_INT(auth_client_handle(m.ac, accept, sizeof(accept)), 0);
		/* "none" is outstanding: a PK_OK makes no sense */
		CHECK_INT(auth_client_handle(m.ac, pk_ok, sizeof(pk_ok)), ERR_PROTOCOL);
		(void)success2;
	}
	sm_free(&m);

	CHECK_INT(sm_new(&m, 0), 0);
	CHECK_INT(sm_client(&m, "alice", ids, 1, NULL), 0);
	{
		static const uint8_t accept[] = { SSH_MSG_SERVICE_ACCEPT, 0, 0, 0, 12, 's', 's', 'h',
						  '-', 'u', 's', 'e', 'r', 'a', 'u', 't', 'h' };
		static const uint8_t success2[] = { SSH_MSG_USERAUTH_SUCCESS, 0 };

		CHECK_INT(auth_client_handle(m.ac, accept, sizeof(accept)), 0);
		CHECK_INT(auth_client_handle(m.ac, success2, sizeof(success2)), ERR_PROTOCOL);
	}
	sm_free(&m);

	/* a PK_OK for a key other than the one offered */
	CHECK_INT(sm_new(&m, 0), 0);
	CHECK_INT(sm_client(&m, "alice", ids, 1, NULL), 0);
	{
		static const uint8_t accept[] = { SSH_MSG_SERVICE_ACCEPT, 0, 0, 0, 12, 's', 's', 'h',
						  '-', 'u', 's', 'e', 'r', 'a', 'u', 't', 'h' };
		struct buf b, blob;

		buf_init(&b);
		buf_init(&blob);
		CHECK_INT(auth_client_handle(m.ac, accept, sizeof(accept)), 0);
		buf_put_u8(&b, SSH_MSG_USERAUTH_FAILURE);
		buf_put_cstring(&b, "password,publickey");
		buf_put_u8(&b, 0);
		CHECK_INT(auth_client_handle(m.ac, buf_ptr(&b), buf_len(&b)), 0);
		buf_reset(&b);
		CHECK_INT(key_to_blob(k_bad[0], &blob), 0);
		buf_put_u8(&b, SSH_MSG_USERAUTH_PK_OK);
		buf_put_cstring(&b, "ssh-ed25519");
		buf_put_stringb(&b, &blob);
		CHECK_INT(auth_client_handle(m.ac, buf_ptr(&b), buf_len(&b)), ERR_PROTOCOL);
		buf_free(&b);
		buf_free(&blob);
	}
	sm_free(&m);

	/* banners are logged line by line; the failure message keeps the server's list */
	log_reset();
	CHECK_INT(sm_new(&m, 0), 0);
	CHECK_INT(sm_client(&m, "alice", NULL, 0, NULL), 0);
	{
		static const uint8_t accept[] = { SSH_MSG_SERVICE_ACCEPT }; /* old servers omit the name */
		struct buf b;

		buf_init(&b);
		CHECK_INT(auth_client_handle(m.ac, accept, sizeof(accept)), 0);
		buf_put_u8(&b, SSH_MSG_USERAUTH_BANNER);
		buf_put_cstring(&b, "Welcome to burrow\r\nAuthorised use only\n");
		buf_put_cstring(&b, "");
		CHECK_INT(auth_client_handle(m.ac, buf_ptr(&b), buf_len(&b)), 0);
		CHECK(log_has("Welcome to burrow\n"));
		CHECK(log_has("Authorised use only\n"));
		buf_reset(&b);
		buf_put_u8(&b, SSH_MSG_USERAUTH_FAILURE);
		buf_put_cstring(&b, "password,keyboard-interactive");
		buf_put_u8(&b, 0);
		CHECK_INT(auth_client_handle(m.ac, buf_ptr(&b), buf_len(&b)), ERR_PERMISSION);
		CHECK_STR(auth_client_failure_msg(m.ac),
			  "Permission denied (password,keyboard-interactive).");
		buf_free(&b);
	}
	sm_free(&m);
}

int main(void)
{
	if (log_capture_start() != 0)
		return 1;
	log_set_level(LOG_DEBUG1);
	CHECK_INT(key_generate(KEY_ED25519, &k_good), 0);
	for (size_t i = 0; i < sizeof(k_bad) / sizeof(k_bad[0]); i++)
		CHECK_INT(key_generate(KEY_ED25519, &k_bad[i]), 0);

	test_success();
	test_wrong_key();
	test_unknown_user();
	test_max_tries();
	test_session_id();
	test_change_user();
	test_server_protocol();
	test_client_protocol();

	key_free(k_good);
	for (size_t i = 0; i < sizeof(k_bad) / sizeof(k_bad[0]); i++)
		key_free(k_bad[i]);
	log_capture_end();
	CHECK_DONE();
}
