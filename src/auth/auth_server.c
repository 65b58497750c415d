/*
 * Server side of user authentication, RFC 4252, with the "none",
 * "publickey", "password" (section 8) and "keyboard-interactive" (RFC 4256)
 * methods, and AuthenticationMethods lists (partial success, section 5.1).
 * Sans-I/O: payloads in, tp_send() out.
 */
#include "auth/auth.h"

#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"
#include "wire/buf.h"
#include "wire/rd.h"

#define AUTH_DEFAULT_MAX_TRIES 6 /* sshd_config(5) MaxAuthTries */

enum as_state { AS_WAIT_SERVICE, AS_USERAUTH, AS_DONE, AS_DEAD };

struct auth_server {
	struct tp *t;
	int (*check_key)(void *arg, const char *user, const struct key *key,
			 struct authkey_opts **opts);
	void *arg;
	unsigned max_tries;
	char *remote;
	char *accepted; /* PubkeyAcceptedAlgorithms (NULL: any) */
	int (*alg_allowed)(void *arg, const char *user, const char *alg);
	enum as_state state;
	char *user;    /* from the first USERAUTH_REQUEST; may not change */
	char *service;
	unsigned failures;
	struct key *key; /* after success (or a partial publickey success) */
	struct authkey_opts *opts;
	int (*check_password)(void *arg, const char *user, const char *password);
	int (*user_methods)(void *arg, const char *user, struct auth_user_methods *out);
	char *kbdint_name;
	int pw_on, kbd_on;              /* for this user, once known */
	struct auth_method_lists lists; /* AuthenticationMethods, what is left */
	int partial;                    /* some method succeeded, more are needed */
	int kbd_pending;                /* INFO_REQUEST sent, waiting for the answer */
	const char *method;             /* the method that completed */
};

int auth_server_new(struct tp *t, const struct auth_server_config *cfg, struct auth_server **out)
{
	struct auth_server *a;

	if (t == NULL || cfg == NULL || cfg->check_key == NULL)
		return ERR_INVALID_ARG;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return ERR_ALLOC;
	a->t = t;
	a->check_key = cfg->check_key;
	a->alg_allowed = cfg->alg_allowed;
	a->arg = cfg->arg;
	a->max_tries = cfg->max_tries != 0 ? cfg->max_tries : AUTH_DEFAULT_MAX_TRIES;
	a->state = AS_WAIT_SERVICE;
	a->check_password = cfg->check_password;
	a->user_methods = cfg->user_methods;
	if ((a->remote = strdup(cfg->remote != NULL ? cfg->remote : "unknown")) == NULL ||
	    (cfg->pubkey_accepted_algorithms != NULL &&
	     (a->accepted = strdup(cfg->pubkey_accepted_algorithms)) == NULL) ||
	    (a->kbdint_name = strdup(cfg->kbdint_name != NULL ? cfg->kbdint_name
							     : "keyboard-interactive")) == NULL) {
		free(a->remote);
		free(a->accepted);
		free(a);
		return ERR_ALLOC;
	}
	*out = a;
	return 0;
}

void auth_server_free(struct auth_server *a)
{
	if (a == NULL)
		return;
	free(a->remote);
	free(a->accepted);
	free(a->user);
	free(a->service);
	key_free(a->key);
	authkey_opts_free(a->opts);
	free(a->kbdint_name);
	auth_methods_free(&a->lists);
	free(a);
}

const char *auth_server_method(const struct auth_server *a)
{
	return a->state == AS_DONE ? a->method : NULL;
}

int auth_server_done(const struct auth_server *a)
{
	return a->state == AS_DONE;
}

const char *auth_server_user(const struct auth_server *a)
{
	return a->user;
}

const struct key *auth_server_key(const struct auth_server *a)
{
	return a->state == AS_DONE ? a->key : NULL;
}

const struct authkey_opts *auth_server_opts(const struct auth_server *a)
{
	return a->state == AS_DONE ? a->opts : NULL;
}

/* Queue a DISCONNECT; from now on every call fails. */
static int as_die(struct auth_server *a, uint32_t reason, const char *msg, int err)
{
	log_debug("userauth: disconnecting %s: %s", a->remote, msg);
	tp_disconnect(a->t, reason, msg);
	a->state = AS_DEAD;
	return err;
}

static int as_protocol_error(struct auth_server *a, const char *msg)
{
	return as_die(a, SSH_DISCONNECT_PROTOCOL_ERROR, msg, ERR_PROTOCOL);
}

/*
 * USERAUTH_FAILURE: name-list of the methods that can continue (those on
 * for this user that AuthenticationMethods still allows), bool partial
 * success (RFC 4252 section 5.1).
 */
static int as_send_failure(struct auth_server *a)
{
	char methods[128];
	struct buf b;
	int r;

	auth_methods_continue(&a->lists, a->pw_on, a->kbd_on, methods, sizeof(methods));
	buf_init(&b);
	if ((r = buf_put_u8(&b, SSH_MSG_USERAUTH_FAILURE)) == 0 &&
	    (r = buf_put_cstring(&b, methods)) == 0 && (r = buf_put_bool(&b, a->partial)) == 0)
		r = tp_sendb(a->t, &b);
	buf_free(&b);
	return r;
}

/*
 * A failed attempt. As sshd does, every refused method except "none"
 * counts (a refused key query too, so keys cannot be probed without
 * limit); at max_tries we disconnect instead of answering.
 */
static int as_failed(struct auth_server *a)
{
	if (++a->failures >= a->max_tries) {
		log_error("Too many authentication failures for %s from %s", a->user, a->remote);
		return as_die(a, SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE,
			      "Too many authentication failures", ERR_PERMISSION);
	}
	return as_send_failure(a);
}

static int as_service_request(struct auth_server *a, struct rd *r)
{
	const uint8_t *name;
	size_t n;
	struct buf b;
	int e;

	if (a->state != AS_WAIT_SERVICE)
		return as_protocol_error(a, "unexpected service request");
	if (rd_string(r, &name, &n) != 0 || rd_end(r) != 0)
		return as_protocol_error(a, "malformed service request");
	if (n != strlen(AUTH_SERVICE) || memcmp(name, AUTH_SERVICE, n) != 0)
		return as_die(a, SSH_DISCONNECT_SERVICE_NOT_AVAILABLE, "bad service request",
			      ERR_PROTOCOL);
	buf_init(&b);
	if ((e = buf_put_u8(&b, SSH_MSG_SERVICE_ACCEPT)) == 0 &&
	    (e = buf_put_cstring(&b, AUTH_SERVICE)) == 0)
		e = tp_sendb(a->t, &b);
	buf_free(&b);
	if (e == 0)
		a->state = AS_USERAUTH;
	return e;
}

/* Signature check of a signed publickey request; 0 if it verifies. */
static int as_verify(struct auth_server *a, const struct key *k, const char *alg,
		     const uint8_t *blob, size_t blob_len, const uint8_t *sig, size_t sig_len)
{
	const uint8_t *sid;
	size_t sid_len;
	struct buf data;
	int r;

	if ((sid = tp_session_id(a->t, &sid_len)) == NULL)
		return ERR_BAD_STATE;
	buf_init(&data);
	if ((r = auth_pk_signed_data(&data, sid, sid_len, a->user, a->service, alg, blob,
				     blob_len)) == 0)
		r = key_verify(k, alg, sig, sig_len, buf_ptr(&data), buf_len(&data));
	buf_free(&data);
	return r;
}

/*
 * A method succeeded. With AuthenticationMethods that may be only part of
 * what is needed: then USERAUTH_FAILURE with partial success TRUE, as sshd
 * ("Partial publickey for ..."). A key (and its options) that succeeded is
 * kept either way: its options still apply when a password completes.
 * Takes k and opts (NULL for password methods).
 */
static int as_method_ok(struct auth_server *a, const char *method, const char *logname,
			struct key *k, struct authkey_opts *opts, const char *desc)
{
	uint8_t msg = SSH_MSG_USERAUTH_SUCCESS;
	int done, r;

	if (k != NULL) {
		key_free(a->key);
		authkey_opts_free(a->opts);
		a->key = k;
		a->opts = opts;
	}
	if ((done = auth_methods_update(&a->lists, method)) < 0)
		return done;
	if (!done) {
		log_info("Partial %s for %s from %s ssh2%s%s", logname, a->user, a->remote,
			 desc != NULL ? ": " : "", desc != NULL ? desc : "");
		a->partial = 1;
		return as_send_failure(a);
	}
	if ((r = tp_send(a->t, &msg, 1)) != 0)
		return r;
	tp_set_authenticated(a->t);
	a->state = AS_DONE;
	a->method = method;
	log_info("Accepted %s for %s from %s ssh2%s%s", logname, a->user, a->remote,
		 desc != NULL ? ": " : "", desc != NULL ? desc : "");
	return 0;
}

static int as_success(struct auth_server *a, struct key *k, struct authkey_opts *opts,
		      const char *desc)
{
	return as_method_ok(a, "publickey", "publickey", k, opts, desc);
}

/*
 * Check a password or keyboard-interactive answer. Unknown users go
 * through the same callback (which hashes a dummy) and the same replies.
 */
static int as_check_password(struct auth_server *a, const char *method, const char *logname,
			     const char *password)
{
	int r = a->check_password(a->arg, a->user, password);

	if (r == 0)
		return as_method_ok(a, method, logname, NULL, NULL, NULL);
	if (r == ERR_ALLOC)
		return r;
	log_info("Failed %s for %s%s from %s ssh2", logname,
		 r == ERR_NOT_FOUND ? "invalid user " : "", a->user, a->remote);
	return as_failed(a);
}

/* "password", RFC 4252 section 8: bool change, string password [, string new]. */
static int as_password(struct auth_server *a, struct rd *r)
{
	char *pw = NULL;
	int change, e;

	if (auth_password_parse(r, &pw, &change) != 0)
		return as_protocol_error(a, "malformed password request");
	if (change) {
		/* We never ask for a change (no PASSWD_CHANGEREQ), so a change is refused. */
		log_info("password change not supported for %s from %s", a->user, a->remote);
		e = as_failed(a);
	} else {
		e = as_check_password(a, "password", "password", pw);
	}
	mem_free_secret(pw, strlen(pw));
	return e;
}

/*
 * "keyboard-interactive", RFC 4256 section 3.1: string language, string
 * submethods (both ignored). One prompt, "Password: " without echo, whose
 * answer is checked like a password (through PAM's conversation when the
 * callback uses PAM).
 */
static int as_kbdint(struct auth_server *a, struct rd *r)
{
	struct buf b;
	int e;

	if (rd_string(r, NULL, NULL) != 0 || rd_string(r, NULL, NULL) != 0 || rd_end(r) != 0)
		return as_protocol_error(a, "malformed keyboard-interactive request");
	buf_init(&b);
	if ((e = auth_kbdint_info_request(&b, "Password: ", 0)) == 0 &&
	    (e = tp_sendb(a->t, &b)) == 0)
		a->kbd_pending = 1;
	buf_free(&b);
	return e;
}

static int as_info_response(struct auth_server *a, struct rd *r)
{
	char *answer = NULL;
	int e;

	if (a->state != AS_USERAUTH || !a->kbd_pending)
		return as_protocol_error(a, "unexpected USERAUTH_INFO_RESPONSE");
	a->kbd_pending = 0;
	if ((e = auth_kbdint_parse_response(r, 1, &answer)) != 0)
		return e == ERR_ALLOC ? e
				      : as_protocol_error(a, "malformed USERAUTH_INFO_RESPONSE");
	e = as_check_password(a, "keyboard-interactive", a->kbdint_name, answer);
	mem_free_secret(answer, strlen(answer));
	return e;
}

/* Once the user is known: which methods are on, and the AuthenticationMethods lists. */
static int as_user_policy(struct auth_server *a)
{
	struct auth_user_methods um = { .password = 1, .kbdint = 1 };
	int e;

	if (a->check_password == NULL)
		return 0;
	if (a->user_methods != NULL && a->user_methods(a->arg, a->user, &um) != 0)
		um.password = um.kbdint = 0;
	a->pw_on = um.password;
	a->kbd_on = um.kbdint;
	if ((e = auth_methods_parse(um.authentication_methods, &a->lists)) != 0) {
		/* The configuration was checked at load time; refuse everything if not. */
		log_error("bad AuthenticationMethods \"%s\"", um.authentication_methods);
		return e == ERR_ALLOC ? e : ERR_PERMISSION;
	}
	return 0;
}

/*
 * "publickey", RFC 4252 section 7:
 *   bool has_sig, string alg, string blob, [string signature]
 */
static int as_publickey(struct auth_server *a, struct rd *r)
{
	const uint8_t *blob, *sig = NULL;
	size_t blob_len, sig_len = 0;
	struct authkey_opts *opts = NULL;
	struct key *k = NULL;
	char *alg = NULL, desc[AUTH_DESC_MAX];
	int has_sig, e;

	if (rd_bool(r, &has_sig) != 0 || rd_cstring(r, &alg) != 0 ||
	    rd_string(r, &blob, &blob_len) != 0 ||
	    (has_sig && rd_string(r, &sig, &sig_len) != 0) || rd_end(r) != 0) {
		e = as_protocol_error(a, "malformed publickey request");
		goto out;
	}
	if (key_from_blob(blob, blob_len, &k) != 0) {
		log_debug("userauth: %s: cannot parse key blob (%s)", a->remote, alg);
		e = as_failed(a);
		goto out;
	}
	auth_key_desc(k, desc, sizeof(desc));
	if (!auth_list_has(key_sig_algs(k), alg)) {
		log_info("Failed publickey for %s from %s ssh2: %s (algorithm %s does not fit)",
			 a->user, a->remote, desc, alg);
		e = as_failed(a);
		goto out;
	}
	/* PubkeyAcceptedAlgorithms, checked before the key is looked up (as sshd). */
	if (a->alg_allowed != NULL ? !a->alg_allowed(a->arg, a->user, alg)
				   : (a->accepted != NULL && !auth_list_has(a->accepted, alg))) {
		log_info("userauth_pubkey: signature algorithm %s not in PubkeyAcceptedAlgorithms [preauth]",
			 alg);
		e = as_failed(a);
		goto out;
	}
	/* Called for unknown users too: the caller makes that fail like a missing key. */
	if (a->check_key(a->arg, a->user, k, &opts) != 0) {
		opts = NULL;
		/* Logged for queries too, as sshd does. */
		log_info("Failed publickey for %s from %s ssh2: %s", a->user, a->remote, desc);
		e = as_failed(a);
		goto out;
	}
	if (!has_sig) {
		struct buf b;

		/* USERAUTH_PK_OK: string alg, string blob, echoed. */
		buf_init(&b);
		if ((e = buf_put_u8(&b, SSH_MSG_USERAUTH_PK_OK)) == 0 &&
		    (e = buf_put_cstring(&b, alg)) == 0 &&
		    (e = buf_put_string(&b, blob, blob_len)) == 0)
			e = tp_sendb(a->t, &b);
		buf_free(&b);
		goto out;
	}
	if ((e = as_verify(a, k, alg, blob, blob_len, sig, sig_len)) != 0) {
		if (e == ERR_ALLOC || e == ERR_BAD_STATE)
			goto out;
		log_info("Failed publickey for %s from %s ssh2: %s", a->user, a->remote, desc);
		e = as_failed(a);
		goto out;
	}
	/* as_success owns k and opts from here, whatever it returns. */
	e = as_success(a, k, opts, desc);
	k = NULL;
	opts = NULL;
out:
	authkey_opts_free(opts);
	key_free(k);
	free(alg);
	return e;
}

static int as_userauth_request(struct auth_server *a, struct rd *r)
{
	char *user = NULL, *service = NULL, *method = NULL;
	int e;

	if (a->state == AS_WAIT_SERVICE)
		return as_protocol_error(a, "userauth request before service request");
	if (a->state == AS_DONE)
		return 0; /* RFC 4252 section 5.1: ignored after success */
	if (rd_cstring(r, &user) != 0 || rd_cstring(r, &service) != 0 ||
	    rd_cstring(r, &method) != 0) {
		e = as_protocol_error(a, "malformed userauth request");
		goto out;
	}
	if (a->user == NULL) {
		if (strcmp(service, AUTH_CONN_SERVICE) != 0) {
			e = as_die(a, SSH_DISCONNECT_SERVICE_NOT_AVAILABLE, "no such service",
				   ERR_PROTOCOL);
			goto out;
		}
		a->user = user;
		a->service = service;
		user = service = NULL;
		if ((e = as_user_policy(a)) != 0) {
			e = as_die(a, SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE,
				   "no authentication methods",
				   e == ERR_ALLOC ? e : ERR_PERMISSION);
			goto out;
		}
	} else if (strcmp(a->user, user) != 0 || strcmp(a->service, service) != 0) {
		e = as_protocol_error(a, "Change of username or service not allowed");
		goto out;
	}
	log_debug("userauth-request for user %s service %s method %s", a->user, a->service,
		  method);
	a->kbd_pending = 0; /* a new request abandons keyboard-interactive (RFC 4256 3.4) */
	if (strcmp(method, "none") != 0 && !auth_methods_allowed(&a->lists, method)) {
		log_debug("userauth: method %s not allowed now by AuthenticationMethods", method);
		e = as_failed(a);
	} else if (strcmp(method, "none") == 0) {
		if (rd_end(r) != 0)
			e = as_protocol_error(a, "malformed none request");
		else
			e = as_send_failure(a);
	} else if (strcmp(method, "publickey") == 0) {
		e = as_publickey(a, r);
	} else if (strcmp(method, "password") == 0 && a->pw_on) {
		e = as_password(a, r);
	} else if (strcmp(method, "keyboard-interactive") == 0 && a->kbd_on) {
		e = as_kbdint(a, r);
	} else {
		e = as_failed(a); /* method-specific fields are not ours to parse */
	}
out:
	free(user);
	free(service);
	free(method);
	return e;
}

int auth_server_handle(struct auth_server *a, const uint8_t *payload, size_t len)
{
	struct rd r;

	if (a->state == AS_DEAD)
		return ERR_BAD_STATE;
	if (len == 0)
		return as_protocol_error(a, "empty message");
	rd_init(&r, payload + 1, len - 1);
	switch (payload[0]) {
	case SSH_MSG_SERVICE_REQUEST:
		return as_service_request(a, &r);
	case SSH_MSG_USERAUTH_REQUEST:
		return as_userauth_request(a, &r);
	case SSH_MSG_USERAUTH_INFO_RESPONSE:
		return as_info_response(a, &r);
	default:
		return as_protocol_error(a, "unexpected message during user authentication");
	}
}
