/*
 * Server side of user authentication, RFC 4252, with the "none" and
 * "publickey" methods. Sans-I/O: payloads in, tp_send() out.
 */
#include "auth/auth.h"

#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"
#include "util/err.h"
#include "util/log.h"
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
	struct key *key; /* after success */
	struct authkey_opts *opts;
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
	if ((a->remote = strdup(cfg->remote != NULL ? cfg->remote : "unknown")) == NULL ||
	    (cfg->pubkey_accepted_algorithms != NULL &&
	     (a->accepted = strdup(cfg->pubkey_accepted_algorithms)) == NULL)) {
		free(a->remote);
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
	free(a);
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

/* USERAUTH_FAILURE: string "publickey" (methods that can continue), bool partial FALSE. */
static int as_send_failure(struct auth_server *a)
{
	struct buf b;
	int r;

	buf_init(&b);
	if ((r = buf_put_u8(&b, SSH_MSG_USERAUTH_FAILURE)) == 0 &&
	    (r = buf_put_cstring(&b, "publickey")) == 0 && (r = buf_put_bool(&b, 0)) == 0)
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

static int as_success(struct auth_server *a, struct key *k, struct authkey_opts *opts,
		      const char *desc)
{
	uint8_t msg = SSH_MSG_USERAUTH_SUCCESS;
	int r;

	if ((r = tp_send(a->t, &msg, 1)) != 0)
		return r;
	tp_set_authenticated(a->t);
	a->key = k;
	a->opts = opts;
	a->state = AS_DONE;
	log_info("Accepted publickey for %s from %s ssh2: %s", a->user, a->remote, desc);
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
	if ((e = as_success(a, k, opts, desc)) == 0) {
		k = NULL;
		opts = NULL;
	}
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
	} else if (strcmp(a->user, user) != 0 || strcmp(a->service, service) != 0) {
		e = as_protocol_error(a, "Change of username or service not allowed");
		goto out;
	}
	log_debug("userauth-request for user %s service %s method %s", a->user, a->service,
		  method);
	if (strcmp(method, "none") == 0) {
		if (rd_end(r) != 0)
			e = as_protocol_error(a, "malformed none request");
		else
			e = as_send_failure(a);
	} else if (strcmp(method, "publickey") == 0) {
		e = as_publickey(a, r);
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
	default:
		return as_protocol_error(a, "unexpected message during user authentication");
	}
}
