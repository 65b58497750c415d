/*
 * Password and keyboard-interactive authentication: the message helpers,
 * AuthenticationMethods lists, and an auth_client against an auth_server
 * over two real transports joined in memory (after a real key exchange).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "log_capture.h"
#include "auth/auth.h"
#include "auth/auth_int.h"
#include "config/client_config.h"
#include "config/server_config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"
#include "wire/buf.h"

#define REMOTE "127.0.0.1 port 41234"
#define GOOD_PW "c0rrect horse"

static struct key *k_alice, *k_other;

/* ---- helpers ---- */

/* The server's side: alice has GOOD_PW and key k_alice; bob exists; others are unknown. */
struct srv {
	unsigned pw_calls;
	char last_pw[64];
	int password, kbdint; /* user_methods answers */
	const char *methods;  /* AuthenticationMethods */
};

static int check_key(void *arg, const char *user, const struct key *key,
		     struct authkey_opts **opts)
{
	(void)arg;
	if (strcmp(user, "alice") == 0 && key_equal(key, k_alice)) {
		if ((*opts = calloc(1, sizeof(**opts))) == NULL)
			return -1;
		(*opts)->no_pty = 1;
		return 0;
	}
	return -1;
}

static int check_password(void *arg, const char *user, const char *pw)
{
	struct srv *s = arg;

	s->pw_calls++;
	snprintf(s->last_pw, sizeof(s->last_pw), "%s", pw);
	if (strcmp(user, "alice") != 0 && strcmp(user, "bob") != 0)
		return ERR_NOT_FOUND;
	return strcmp(user, "alice") == 0 && strcmp(pw, GOOD_PW) == 0 ? 0 : ERR_PERMISSION;
}

static int user_methods(void *arg, const char *user, struct auth_user_methods *out)
{
	struct srv *s = arg;

	(void)user;
	out->password = s->password;
	out->kbdint = s->kbdint;
	out->authentication_methods = s->methods;
	return 0;
}

/* The client's side: answers in turn from a list; counts what it was asked. */
struct cli {
	const char *answers[8];
	unsigned n_answers, asked, kbd_asked;
	unsigned attempts[8];
	char last_prompt[128];
};

static int get_password(void *arg, unsigned attempt, char **out)
{
	struct cli *c = arg;

	if (c->asked >= c->n_answers)
		return -1;
	c->attempts[c->asked] = attempt;
	*out = strdup(c->answers[c->asked++]);
	return *out != NULL ? 0 : -1;
}

static int kbdint_prompt(void *arg, const char *name, const char *instruction,
			 const char *prompt, int echo, char **out)
{
	struct cli *c = arg;

	(void)name;
	(void)instruction;
	CHECK_INT(echo, 0);
	c->kbd_asked++;
	snprintf(c->last_prompt, sizeof(c->last_prompt), "%s", prompt);
	if (c->asked >= c->n_answers)
		return -1;
	*out = strdup(c->answers[c->asked++]);
	return *out != NULL ? 0 : -1;
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
	struct srv srv;
	struct cli cli;
	struct auth_client *ac;
	struct auth_server *as;
	int raw;       /* the test sends the client's messages itself */
	int c_res, s_res;
	uint8_t c_last;
	struct buf c_last_msg;
};

static void sm_move(struct tp *from, struct tp *to)
{
	struct buf *out = tp_outbuf(from);

	if (buf_len(out) == 0)
		return;
	/* after a DISCONNECT the receiver reports it; the tests check the results instead */
	(void)tp_input(to, buf_ptr(out), buf_len(out));
	buf_consume(out, buf_len(out));
}

static void sm_run(struct sm *m)
{
	for (int i = 0; i < 1000; i++) {
		const uint8_t *p;
		size_t n;
		int busy = buf_len(tp_outbuf(m->c)) > 0 || buf_len(tp_outbuf(m->s)) > 0;

		sm_move(m->c, m->s);
		sm_move(m->s, m->c);
		while (tp_read_packet(m->s, &p, &n) == 0) {
			busy = 1;
			if (m->as != NULL && m->s_res == 0)
				m->s_res = auth_server_handle(m->as, p, n);
		}
		while (tp_read_packet(m->c, &p, &n) == 0) {
			busy = 1;
			m->c_last = p[0];
			buf_reset(&m->c_last_msg);
			buf_put(&m->c_last_msg, p, n);
			if (!m->raw && m->ac != NULL && m->c_res == 0)
				m->c_res = auth_client_handle(m->ac, p, n);
		}
		if (!busy)
			break;
	}
}

static int sm_new(struct sm *m, unsigned max_tries, const char *methods)
{
	struct tp_config cc, sc;
	struct auth_server_config ac;

	memset(m, 0, sizeof(*m));
	buf_init(&m->c_last_msg);
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
	if (!tp_ready(m->c) || !tp_ready(m->s))
		return -1;
	m->srv.password = m->srv.kbdint = 1;
	m->srv.methods = methods;
	memset(&ac, 0, sizeof(ac));
	ac.max_tries = max_tries;
	ac.check_key = check_key;
	ac.check_password = check_password;
	ac.user_methods = user_methods;
	ac.arg = &m->srv;
	ac.remote = REMOTE;
	return auth_server_new(m->s, &ac, &m->as);
}

/* A client with the given identities, callbacks (pw/kbd) and PreferredAuthentications. */
static int sm_client(struct sm *m, const char *user, struct key *key, int pw, int kbd,
		     const char *preferred, unsigned prompts)
{
	struct key *ids[1] = { key };
	struct auth_client_config cfg = {
		.user = user, .identities = ids, .n_identities = key != NULL ? 1 : 0,
		.preferred = preferred, .prompt_arg = &m->cli, .password_prompts = prompts,
	};

	if (pw)
		cfg.get_password = get_password;
	if (kbd)
		cfg.kbdint_prompt = kbdint_prompt;
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
	buf_free(&m->c_last_msg);
}

/* ---- message helpers ---- */

static void test_password_parse(void)
{
	struct buf b;
	struct rd r;
	char *pw = NULL;
	int change = -1;

	buf_init(&b);
	buf_put_bool(&b, 0);
	buf_put_cstring(&b, "secret");
	rd_init(&r, buf_ptr(&b), buf_len(&b));
	CHECK_INT(auth_password_parse(&r, &pw, &change), 0);
	CHECK(pw != NULL && strcmp(pw, "secret") == 0);
	CHECK_INT(change, 0);
	free(pw);

	/* a change request carries the new password too */
	buf_reset(&b);
	buf_put_bool(&b, 1);
	buf_put_cstring(&b, "old");
	buf_put_cstring(&b, "new");
	rd_init(&r, buf_ptr(&b), buf_len(&b));
	pw = NULL;
	CHECK_INT(auth_password_parse(&r, &pw, &change), 0);
	CHECK(pw != NULL && strcmp(pw, "old") == 0);
	CHECK_INT(change, 1);
	free(pw);

	/* change flag without the new password; trailing bytes; embedded NUL; too long */
	buf_reset(&b);
	buf_put_bool(&b, 1);
	buf_put_cstring(&b, "old");
	rd_init(&r, buf_ptr(&b), buf_len(&b));
	CHECK_INT(auth_password_parse(&r, &pw, &change), ERR_FORMAT);
	buf_reset(&b);
	buf_put_bool(&b, 0);
	buf_put_cstring(&b, "pw");
	buf_put_u8(&b, 0);
	rd_init(&r, buf_ptr(&b), buf_len(&b));
	CHECK_INT(auth_password_parse(&r, &pw, &change), ERR_FORMAT);
	buf_reset(&b);
	buf_put_bool(&b, 0);
	buf_put_string(&b, "a\0b", 3);
	rd_init(&r, buf_ptr(&b), buf_len(&b));
	CHECK_INT(auth_password_parse(&r, &pw, &change), ERR_FORMAT);
	{
		static char big[AUTH_PASSWORD_MAX + 2];

		memset(big, 'x', AUTH_PASSWORD_MAX + 1);
		buf_reset(&b);
		buf_put_bool(&b, 0);
		buf_put_cstring(&b, big);
		rd_init(&r, buf_ptr(&b), buf_len(&b));
		CHECK_INT(auth_password_parse(&r, &pw, &change), ERR_FORMAT);
		big[AUTH_PASSWORD_MAX] = '\0';
		buf_reset(&b);
		buf_put_bool(&b, 0);
		buf_put_cstring(&b, big);
		rd_init(&r, buf_ptr(&b), buf_len(&b));
		CHECK_INT(auth_password_parse(&r, &pw, &change), 0);
		CHECK_INT(strlen(pw), AUTH_PASSWORD_MAX);
		free(pw);
	}
	buf_free(&b);
}

static void test_methods_lists(void)
{
	struct auth_method_lists m;
	char out[128];

	CHECK_INT(auth_methods_parse(NULL, &m), 0);
	CHECK_INT(m.n, 0);
	CHECK_INT(auth_methods_allowed(&m, "password"), 1);
	CHECK_INT(auth_methods_update(&m, "password"), 1);
	auth_methods_continue(&m, 1, 1, out, sizeof(out));
	CHECK_STR(out, "publickey,password,keyboard-interactive");
	auth_methods_continue(&m, 0, 1, out, sizeof(out));
	CHECK_STR(out, "publickey,keyboard-interactive");
	CHECK_INT(auth_methods_parse("any", &m), 0);
	CHECK_INT(m.n, 0);

	CHECK_INT(auth_methods_parse("publickey,password publickey,keyboard-interactive", &m), 0);
	CHECK_INT(m.n, 2);
	CHECK_INT(auth_methods_allowed(&m, "publickey"), 1);
	CHECK_INT(auth_methods_allowed(&m, "password"), 0);
	auth_methods_continue(&m, 1, 1, out, sizeof(out));
	CHECK_STR(out, "publickey");
	CHECK_INT(auth_methods_update(&m, "publickey"), 0);
	CHECK_INT(auth_methods_allowed(&m, "password"), 1);
	CHECK_INT(auth_methods_allowed(&m, "publickey"), 0);
	auth_methods_continue(&m, 1, 1, out, sizeof(out));
	CHECK_STR(out, "password,keyboard-interactive");
	/* disabled methods are not offered even when a list names them */
	auth_methods_continue(&m, 1, 0, out, sizeof(out));
	CHECK_STR(out, "password");
	CHECK_INT(auth_methods_update(&m, "keyboard-interactive"), 1);
	auth_methods_free(&m);

	/* "password password": two passwords in a row */
	CHECK_INT(auth_methods_parse("password,password", &m), 0);
	CHECK_INT(auth_methods_update(&m, "password"), 0);
	CHECK_INT(auth_methods_update(&m, "password"), 1);
	auth_methods_free(&m);

	CHECK_INT(auth_methods_parse("publickey,hostbased", &m), ERR_FORMAT);
	CHECK_INT(auth_methods_parse("publickey,", &m), ERR_FORMAT);
	CHECK_INT(auth_methods_parse("pass", &m), ERR_FORMAT);
	CHECK_INT(auth_methods_parse("   ", &m), ERR_FORMAT);
}

static void test_kbdint_messages(void)
{
	struct auth_kbdint_req q;
	char *answers[2] = { "one", "two" }, *first = NULL;
	struct buf b;
	struct rd r;

	buf_init(&b);
	CHECK_INT(auth_kbdint_info_request(&b, "Password: ", 0), 0);
	CHECK_INT(buf_ptr(&b)[0], SSH_MSG_USERAUTH_INFO_REQUEST);
	rd_init(&r, buf_ptr(&b) + 1, buf_len(&b) - 1);
	CHECK_INT(auth_kbdint_parse_request(&r, &q), 0);
	CHECK_INT(q.n, 1);
	CHECK_STR(q.prompt[0], "Password: ");
	CHECK_INT(q.echo[0], 0);
	CHECK_STR(q.name, "");
	auth_kbdint_req_free(&q);

	buf_reset(&b);
	CHECK_INT(auth_kbdint_response(&b, answers, 2), 0);
	CHECK_INT(buf_ptr(&b)[0], SSH_MSG_USERAUTH_INFO_RESPONSE);
	rd_init(&r, buf_ptr(&b) + 1, buf_len(&b) - 1);
	CHECK_INT(auth_kbdint_parse_response(&r, 1, &first), ERR_FORMAT); /* count must match */
	rd_init(&r, buf_ptr(&b) + 1, buf_len(&b) - 1);
	CHECK_INT(auth_kbdint_parse_response(&r, 2, &first), 0);
	CHECK(first != NULL && strcmp(first, "one") == 0);
	free(first);

	/* too many prompts */
	buf_reset(&b);
	buf_put_cstring(&b, "");
	buf_put_cstring(&b, "");
	buf_put_cstring(&b, "");
	buf_put_u32(&b, AUTH_KBDINT_MAX_PROMPTS + 1);
	rd_init(&r, buf_ptr(&b), buf_len(&b));
	CHECK_INT(auth_kbdint_parse_request(&r, &q), ERR_FORMAT);
	/* truncated prompt list */
	buf_reset(&b);
	buf_put_cstring(&b, "n");
	buf_put_cstring(&b, "i");
	buf_put_cstring(&b, "");
	buf_put_u32(&b, 2);
	buf_put_cstring(&b, "p1");
	buf_put_bool(&b, 1);
	buf_put_cstring(&b, "p2");
	rd_init(&r, buf_ptr(&b), buf_len(&b));
	CHECK_INT(auth_kbdint_parse_request(&r, &q), ERR_FORMAT);
	buf_free(&b);
}

/* ---- client against server ---- */

static void test_password_login(void)
{
	struct sm m;

	log_reset();
	CHECK_INT(sm_new(&m, 0, NULL), 0);
	m.cli.answers[0] = "wrong";
	m.cli.answers[1] = GOOD_PW;
	m.cli.n_answers = 2;
	CHECK_INT(sm_client(&m, "alice", NULL, 1, 0, "password", 0), 0);
	sm_run(&m);
	CHECK_INT(m.c_res, 1);
	CHECK_INT(m.s_res, 0);
	CHECK_INT(auth_server_done(m.as), 1);
	CHECK_STR(auth_server_method(m.as), "password");
	CHECK_STR(auth_client_method(m.ac), "password");
	CHECK(auth_server_key(m.as) == NULL);
	CHECK_INT(m.cli.asked, 2);
	CHECK_INT(m.cli.attempts[0], 0);
	CHECK_INT(m.cli.attempts[1], 1);
	CHECK_INT(m.srv.pw_calls, 2);
	CHECK_STR(m.srv.last_pw, GOOD_PW);
	CHECK(log_has("Failed password for alice from " REMOTE " ssh2"));
	CHECK(log_has("Accepted password for alice from " REMOTE " ssh2"));
	CHECK(log_has("Authentications that can continue: publickey,password,keyboard-interactive"));
	sm_free(&m);
}

static void test_password_prompts_exhausted(void)
{
	struct sm m;

	log_reset();
	CHECK_INT(sm_new(&m, 0, NULL), 0);
	for (int i = 0; i < 5; i++)
		m.cli.answers[i] = "nope";
	m.cli.n_answers = 5;
	CHECK_INT(sm_client(&m, "alice", NULL, 1, 0, NULL, 2), 0);
	sm_run(&m);
	CHECK_INT(m.c_res, ERR_PERMISSION);
	CHECK_INT(m.cli.asked, 2); /* NumberOfPasswordPrompts 2 */
	CHECK_STR(auth_client_failure_msg(m.ac),
		  "Permission denied (publickey,password,keyboard-interactive).");
	CHECK_INT(auth_server_done(m.as), 0);
	sm_free(&m);

	/* default 3 */
	CHECK_INT(sm_new(&m, 0, NULL), 0);
	for (int i = 0; i < 5; i++)
		m.cli.answers[i] = "nope";
	m.cli.n_answers = 5;
	CHECK_INT(sm_client(&m, "alice", NULL, 1, 0, NULL, 0), 0);
	sm_run(&m);
	CHECK_INT(m.c_res, ERR_PERMISSION);
	CHECK_INT(m.cli.asked, 3);
	sm_free(&m);
}

static void test_unknown_user(void)
{
	struct sm m;

	log_reset();
	CHECK_INT(sm_new(&m, 0, NULL), 0);
	m.cli.answers[0] = GOOD_PW;
	m.cli.n_answers = 1;
	CHECK_INT(sm_client(&m, "mallory", NULL, 1, 0, NULL, 1), 0);
	sm_run(&m);
	CHECK_INT(m.c_res, ERR_PERMISSION);
	/* the password was checked (same path as for real users) */
	CHECK_INT(m.srv.pw_calls, 1);
	CHECK(log_has("Failed password for invalid user mallory from " REMOTE " ssh2"));
	sm_free(&m);
}

static void test_max_tries(void)
{
	struct sm m;

	log_reset();
	CHECK_INT(sm_new(&m, 3, NULL), 0);
	for (int i = 0; i < 5; i++)
		m.cli.answers[i] = "nope";
	m.cli.n_answers = 5;
	CHECK_INT(sm_client(&m, "bob", NULL, 1, 0, NULL, 5), 0);
	sm_run(&m);
	/* the third failure disconnects */
	CHECK_INT(m.s_res, ERR_PERMISSION);
	CHECK_INT(m.srv.pw_calls, 3);
	CHECK(log_has("Too many authentication failures for bob"));
	sm_free(&m);
}

static void test_kbdint_login(void)
{
	struct sm m;

	log_reset();
	CHECK_INT(sm_new(&m, 0, NULL), 0);
	m.cli.answers[0] = "bad";
	m.cli.answers[1] = GOOD_PW;
	m.cli.n_answers = 2;
	/* default order: keyboard-interactive before password */
	CHECK_INT(sm_client(&m, "alice", NULL, 1, 1, NULL, 0), 0);
	sm_run(&m);
	CHECK_INT(m.c_res, 1);
	CHECK_INT(m.cli.kbd_asked, 2);
	CHECK_STR(m.cli.last_prompt, "Password: ");
	CHECK_STR(auth_server_method(m.as), "keyboard-interactive");
	CHECK(log_has("Failed keyboard-interactive for alice from " REMOTE));
	CHECK(log_has("Accepted keyboard-interactive for alice from " REMOTE " ssh2"));
	sm_free(&m);

	/* disabled on the server: the client goes on to password */
	CHECK_INT(sm_new(&m, 0, NULL), 0);
	m.srv.kbdint = 0;
	m.cli.answers[0] = GOOD_PW;
	m.cli.n_answers = 1;
	CHECK_INT(sm_client(&m, "alice", NULL, 1, 1, NULL, 0), 0);
	sm_run(&m);
	CHECK_INT(m.c_res, 1);
	CHECK_INT(m.cli.kbd_asked, 0);
	CHECK_STR(auth_server_method(m.as), "password");
	sm_free(&m);
}

static void test_batch_mode(void)
{
	struct sm m;

	/* no callbacks (BatchMode): nothing is asked, the server's list is reported */
	CHECK_INT(sm_new(&m, 0, NULL), 0);
	CHECK_INT(sm_client(&m, "alice", k_other, 0, 0, NULL, 0), 0);
	sm_run(&m);
	CHECK_INT(m.c_res, ERR_PERMISSION);
	CHECK_INT(m.srv.pw_calls, 0);
	CHECK_STR(auth_client_failure_msg(m.ac),
		  "Permission denied (publickey,password,keyboard-interactive).");
	sm_free(&m);

	/* PasswordAuthentication no on the server: not listed, and refused if tried */
	CHECK_INT(sm_new(&m, 0, NULL), 0);
	m.srv.password = m.srv.kbdint = 0;
	m.cli.answers[0] = GOOD_PW;
	m.cli.n_answers = 1;
	CHECK_INT(sm_client(&m, "alice", NULL, 1, 1, NULL, 0), 0);
	sm_run(&m);
	CHECK_INT(m.c_res, ERR_PERMISSION);
	CHECK_INT(m.cli.asked, 0);
	CHECK_STR(auth_client_failure_msg(m.ac), "Permission denied (publickey).");
	sm_free(&m);
}

static void test_authentication_methods(void)
{
	struct sm m;

	/* key alone: partial success, then no password to give */
	log_reset();
	CHECK_INT(sm_new(&m, 0, "publickey,password"), 0);
	CHECK_INT(sm_client(&m, "alice", k_alice, 0, 0, NULL, 0), 0);
	sm_run(&m);
	CHECK_INT(m.c_res, ERR_PERMISSION);
	CHECK_STR(auth_client_failure_msg(m.ac), "Permission denied (password).");
	CHECK_INT(auth_server_done(m.as), 0);
	CHECK(log_has("Partial publickey for alice from " REMOTE " ssh2: ED25519 SHA256:"));
	CHECK(log_has("Authenticated with partial success."));
	sm_free(&m);

	/* password alone: only publickey is listed first */
	CHECK_INT(sm_new(&m, 0, "publickey,password"), 0);
	m.cli.answers[0] = GOOD_PW;
	m.cli.n_answers = 1;
	CHECK_INT(sm_client(&m, "alice", NULL, 1, 1, NULL, 0), 0);
	sm_run(&m);
	CHECK_INT(m.c_res, ERR_PERMISSION);
	CHECK_INT(m.cli.asked, 0);
	CHECK_STR(auth_client_failure_msg(m.ac), "Permission denied (publickey).");
	sm_free(&m);

	/* both, in order: success, with the key and its options kept */
	log_reset();
	CHECK_INT(sm_new(&m, 0, "publickey,password"), 0);
	m.cli.answers[0] = GOOD_PW;
	m.cli.n_answers = 1;
	CHECK_INT(sm_client(&m, "alice", k_alice, 1, 0, NULL, 0), 0);
	sm_run(&m);
	CHECK_INT(m.c_res, 1);
	CHECK_INT(auth_server_done(m.as), 1);
	CHECK_STR(auth_server_method(m.as), "password");
	CHECK(auth_server_key(m.as) != NULL && key_equal(auth_server_key(m.as), k_alice));
	CHECK(auth_server_opts(m.as) != NULL && auth_server_opts(m.as)->no_pty);
	CHECK(log_has("Accepted password for alice from " REMOTE " ssh2"));
	sm_free(&m);

	/* alternatives: "password publickey": either one is enough */
	CHECK_INT(sm_new(&m, 0, "password publickey"), 0);
	CHECK_INT(sm_client(&m, "alice", k_alice, 0, 0, NULL, 0), 0);
	sm_run(&m);
	CHECK_INT(m.c_res, 1);
	CHECK_STR(auth_server_method(m.as), "publickey");
	sm_free(&m);
}

/* Raw requests the client would never send: a password change, a stray INFO_RESPONSE. */
static void test_raw_requests(void)
{
	struct sm m;
	struct buf b;
	uint8_t svc[] = { SSH_MSG_SERVICE_REQUEST, 0, 0, 0, 12, 's', 's', 'h', '-', 'u', 's',
			  'e', 'r', 'a', 'u', 't', 'h' };

	log_reset();
	CHECK_INT(sm_new(&m, 0, NULL), 0);
	m.raw = 1;
	CHECK_INT(tp_send(m.c, svc, sizeof(svc)), 0);
	sm_run(&m);
	buf_init(&b);
	buf_put_u8(&b, SSH_MSG_USERAUTH_REQUEST);
	buf_put_cstring(&b, "alice");
	buf_put_cstring(&b, "ssh-connection");
	buf_put_cstring(&b, "password");
	buf_put_bool(&b, 1);
	buf_put_cstring(&b, GOOD_PW);
	buf_put_cstring(&b, "new password");
	CHECK_INT(tp_sendb(m.c, &b), 0);
	sm_run(&m);
	/* refused (we never asked for a change), even with the right old password */
	CHECK_INT(m.c_last, SSH_MSG_USERAUTH_FAILURE);
	CHECK_INT(m.srv.pw_calls, 0);
	CHECK_INT(auth_server_done(m.as), 0);
	CHECK(log_has("password change not supported for alice"));

	/* INFO_RESPONSE without a keyboard-interactive request: protocol error */
	buf_reset(&b);
	buf_put_u8(&b, SSH_MSG_USERAUTH_INFO_RESPONSE);
	buf_put_u32(&b, 1);
	buf_put_cstring(&b, GOOD_PW);
	CHECK_INT(tp_sendb(m.c, &b), 0);
	sm_run(&m);
	CHECK_INT(m.s_res, ERR_PROTOCOL);
	CHECK_INT(auth_server_done(m.as), 0);
	buf_free(&b);
	sm_free(&m);

	/* keyboard-interactive answered with the wrong number of responses */
	CHECK_INT(sm_new(&m, 0, NULL), 0);
	m.raw = 1;
	CHECK_INT(tp_send(m.c, svc, sizeof(svc)), 0);
	sm_run(&m);
	buf_init(&b);
	buf_put_u8(&b, SSH_MSG_USERAUTH_REQUEST);
	buf_put_cstring(&b, "alice");
	buf_put_cstring(&b, "ssh-connection");
	buf_put_cstring(&b, "keyboard-interactive");
	buf_put_cstring(&b, "");
	buf_put_cstring(&b, "");
	CHECK_INT(tp_sendb(m.c, &b), 0);
	sm_run(&m);
	CHECK_INT(m.c_last, SSH_MSG_USERAUTH_INFO_REQUEST);
	buf_reset(&b);
	buf_put_u8(&b, SSH_MSG_USERAUTH_INFO_RESPONSE);
	buf_put_u32(&b, 2);
	buf_put_cstring(&b, GOOD_PW);
	buf_put_cstring(&b, GOOD_PW);
	CHECK_INT(tp_sendb(m.c, &b), 0);
	sm_run(&m);
	CHECK_INT(m.s_res, ERR_PROTOCOL);
	CHECK_INT(auth_server_done(m.as), 0);
	CHECK_INT(m.srv.pw_calls, 0);
	buf_free(&b);
	sm_free(&m);
}

/* A server that answers a password request with PASSWD_CHANGEREQ: the client gives password up. */
static void test_client_change_request(void)
{
	struct sm m;
	struct buf b;
	const uint8_t *p;
	size_t n;

	CHECK_INT(sm_new(&m, 0, NULL), 0);
	m.cli.answers[0] = GOOD_PW;
	m.cli.n_answers = 1;
	CHECK_INT(sm_client(&m, "alice", NULL, 1, 0, NULL, 0), 0);
	/* drive the server by hand: accept the service, list password, then CHANGEREQ */
	auth_server_free(m.as);
	m.as = NULL;
	sm_run(&m); /* service request reaches the server and is dropped */
	buf_init(&b);
	buf_put_u8(&b, SSH_MSG_SERVICE_ACCEPT);
	buf_put_cstring(&b, "ssh-userauth");
	CHECK_INT(tp_sendb(m.s, &b), 0);
	sm_run(&m); /* the client sends "none" */
	buf_reset(&b);
	buf_put_u8(&b, SSH_MSG_USERAUTH_FAILURE);
	buf_put_cstring(&b, "password");
	buf_put_bool(&b, 0);
	CHECK_INT(tp_sendb(m.s, &b), 0);
	sm_run(&m); /* the client sends its password */
	CHECK_INT(m.cli.asked, 1);
	CHECK_INT(m.c_res, 0);
	buf_reset(&b);
	buf_put_u8(&b, SSH_MSG_USERAUTH_PASSWD_CHANGEREQ);
	buf_put_cstring(&b, "Password expired");
	buf_put_cstring(&b, "");
	CHECK_INT(tp_sendb(m.s, &b), 0);
	sm_run(&m);
	CHECK_INT(m.c_res, ERR_PERMISSION);
	CHECK_STR(auth_client_failure_msg(m.ac), "Permission denied (password).");
	while (tp_read_packet(m.s, &p, &n) == 0)
		;
	buf_free(&b);
	sm_free(&m);
}

/* The keywords: sshd_config (with Match) and ssh_config. */
static void test_config_keywords(void)
{
	struct server_config c, eff;
	struct client_config cc;
	struct scfg_conn_info ci = { .user = "bob", .host = "1.2.3.4", .addr = "1.2.3.4",
				     .laddr = "5.6.7.8", .lport = 22 };
	FILE *saved = stderr;

	scfg_init(&c);
	CHECK_INT(scfg_apply(&c, "PasswordAuthentication no", "f", 1), 0);
	CHECK_INT(scfg_apply(&c, "PasswordAuthentication yes", "f", 2), 0); /* first wins */
	CHECK_INT(scfg_apply(&c, "ChallengeResponseAuthentication no", "f", 3), 0);
	CHECK_INT(scfg_apply(&c, "KbdInteractiveAuthentication yes", "f", 4), 0);
	CHECK_INT(scfg_apply(&c, "UsePAM yes", "f", 5), 0);
	CHECK_INT(scfg_apply(&c, "AuthenticationMethods publickey,password publickey", "f", 6), 0);
	CHECK_INT(scfg_finish(&c), 0);
	CHECK_INT(c.password_authentication, 0);
	CHECK_INT(c.kbd_interactive_authentication, 0);
	CHECK_INT(c.use_pam, 1);
	CHECK_INT(c.permit_empty_passwords, 0);
	CHECK(c.authentication_methods != NULL &&
	      strcmp(c.authentication_methods, "publickey,password publickey") == 0);
	scfg_free(&c);

	/* defaults as sshd's; "any" is no list */
	scfg_init(&c);
	CHECK_INT(scfg_apply(&c, "AuthenticationMethods any", "f", 1), 0);
	CHECK_INT(scfg_finish(&c), 0);
	CHECK_INT(c.password_authentication, 1);
	CHECK_INT(c.kbd_interactive_authentication, 1);
	CHECK_INT(c.use_pam, 0);
	CHECK(c.authentication_methods == NULL);
	scfg_free(&c);

	/* bad values stop (messages to stderr, silenced here) */
	stderr = fopen("/dev/null", "w");
	scfg_init(&c);
	CHECK_INT(scfg_apply(&c, "AuthenticationMethods publickey,gssapi", "f", 1), ERR_FORMAT);
	CHECK_INT(scfg_apply(&c, "AuthenticationMethods password,", "f", 1), ERR_FORMAT);
	CHECK_INT(scfg_apply(&c, "PasswordAuthentication maybe", "f", 1), ERR_FORMAT);
	scfg_free(&c);
	fclose(stderr);
	stderr = saved;

	/* Match User: per-user values */
	scfg_init(&c);
	CHECK_INT(scfg_apply(&c, "PasswordAuthentication no", "f", 1), 0);
	CHECK_INT(scfg_finish(&c), 0);
	{
		char path[] = "/tmp/burrow-pw-cfg-XXXXXX";
		int fd = mkstemp(path);
		const char *text = "PasswordAuthentication no\n"
				   "Match User bob\n"
				   "  PasswordAuthentication yes\n"
				   "  AuthenticationMethods publickey,password\n"
				   "  PermitEmptyPasswords yes\n";

		CHECK(fd >= 0);
		CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
		close(fd);
		scfg_free(&c);
		scfg_init(&c);
		CHECK_INT(scfg_load_file(&c, path, 1), 0);
		CHECK_INT(scfg_finish(&c), 0);
		unlink(path);
	}
	CHECK_INT(c.password_authentication, 0);
	CHECK_INT(scfg_copy(&c, &eff), 0);
	CHECK_INT(scfg_apply_match(&eff, &ci), 0);
	CHECK_INT(eff.password_authentication, 1);
	CHECK_INT(eff.permit_empty_passwords, 1);
	CHECK(eff.authentication_methods != NULL &&
	      strcmp(eff.authentication_methods, "publickey,password") == 0);
	scfg_free(&eff);
	ci.user = "carol";
	CHECK_INT(scfg_copy(&c, &eff), 0);
	CHECK_INT(scfg_apply_match(&eff, &ci), 0);
	CHECK_INT(eff.password_authentication, 0);
	CHECK(eff.authentication_methods == NULL);
	scfg_free(&eff);
	scfg_free(&c);

	/* client */
	cfg_client_init(&cc);
	CHECK_INT(cfg_client_apply_line(&cc, "NumberOfPasswordPrompts 5", "f", 1), 0);
	CHECK_INT(cfg_client_apply_line(&cc, "NumberOfPasswordPrompts 2", "f", 2), 0);
	CHECK_INT(cfg_client_apply_line(&cc, "PreferredAuthentications password,publickey", "f",
					3), 0);
	CHECK_INT(cfg_client_apply_line(&cc, "PasswordAuthentication no", "f", 4), 0);
	CHECK_INT(cfg_client_apply_line(&cc, "ChallengeResponseAuthentication no", "f", 5), 0);
	CHECK_INT(cc.number_of_password_prompts, 5);
	CHECK(cc.preferred_authentications != NULL &&
	      strcmp(cc.preferred_authentications, "password,publickey") == 0);
	CHECK_INT(cc.password_authentication, 0);
	CHECK_INT(cc.kbd_interactive_authentication, 0);
	stderr = fopen("/dev/null", "w");
	CHECK(cfg_client_apply_line(&cc, "NumberOfPasswordPrompts x", "f", 6) < 0);
	CHECK(cfg_client_apply_line(&cc, "KbdInteractiveAuthentication perhaps", "f", 7) < 0);
	fclose(stderr);
	stderr = saved;
	cfg_client_free(&cc);
}

int main(void)
{
	if (log_capture_start() != 0)
		return 1;
	log_set_level(LOG_DEBUG1);
	CHECK_INT(key_generate(KEY_ED25519, &k_alice), 0);
	CHECK_INT(key_generate(KEY_ED25519, &k_other), 0);

	test_password_parse();
	test_methods_lists();
	test_kbdint_messages();
	test_password_login();
	test_password_prompts_exhausted();
	test_unknown_user();
	test_max_tries();
	test_kbdint_login();
	test_batch_mode();
	test_authentication_methods();
	test_raw_requests();
	test_client_change_request();
	test_config_keywords();

	key_free(k_alice);
	key_free(k_other);
	log_capture_end();
	CHECK_DONE();
}
