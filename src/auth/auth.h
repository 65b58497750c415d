/*
 * User authentication, RFC 4252: the client and server state machines,
 * sans-I/O on top of a struct tp. Both take the "ssh-userauth" service
 * request/accept (messages 5/6) and messages 50..79.
 */
#ifndef BURROW_AUTH_AUTH_H
#define BURROW_AUTH_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "auth/authkeys.h"
#include "crypto/key.h"
#include "transport/transport.h"

/* ---- server ---- */
struct auth_server_config {
	unsigned max_tries; /* MaxAuthTries (0 = 6) */
	/*
	 * May `key` log in as `user`? Return 0 and set *opts (owned by the caller
	 * afterwards, may be NULL) if an authorized_keys line allows it, nonzero
	 * otherwise. Must behave the same for unknown users as for known users
	 * without a matching key.
	 */
	int (*check_key)(void *arg, const char *user, const struct key *key,
			 struct authkey_opts **opts);
	void *arg;
	/* Peer for log lines, e.g. "127.0.0.1 port 41234" (NULL: "unknown"). */
	const char *remote;
	/* PubkeyAcceptedAlgorithms: signature algorithms allowed (NULL: any we know). */
	const char *pubkey_accepted_algorithms;
	/*
	 * Optional, overrides pubkey_accepted_algorithms: is signature algorithm
	 * `alg` allowed for `user` (Match blocks may narrow the list per user)?
	 */
	int (*alg_allowed)(void *arg, const char *user, const char *alg);
};

struct auth_server;
int auth_server_new(struct tp *t, const struct auth_server_config *cfg, struct auth_server **out);
void auth_server_free(struct auth_server *a);
/*
 * Handle one payload of type 5 or 50..79. Returns 0 to go on, or a negative
 * error after which the caller disconnects (too many failures:
 * ERR_PERMISSION, with a DISCONNECT already queued; protocol violations,
 * another service or a change of user/service: ERR_PROTOCOL, DISCONNECT
 * queued). As in sshd, every refused attempt except "none" counts toward
 * max_tries, refused key queries included. Requests after success are
 * ignored.
 */
int auth_server_handle(struct auth_server *a, const uint8_t *payload, size_t len);
/* 1 once USERAUTH_SUCCESS has been sent. */
int auth_server_done(const struct auth_server *a);
const char *auth_server_user(const struct auth_server *a);
/* The key that succeeded and its authorized_keys options (NULL before success). */
const struct key *auth_server_key(const struct auth_server *a);
const struct authkey_opts *auth_server_opts(const struct auth_server *a);

/* ---- client ---- */
/* Signs data as key with alg, appending the signature blob as key_sign() does. */
typedef int (*auth_sign_fn)(void *arg, const struct key *key, const char *alg,
			    const uint8_t *data, size_t n, struct buf *sig);

/* One identity to offer: a private key file, an agent key, or a certificate. */
struct auth_identity {
	const struct key *key; /* what is offered (key or certificate); borrowed */
	const char *name;      /* for logs: file name or agent comment (may be NULL) */
	auth_sign_fn sign;     /* NULL: key_sign(key, ...), which needs the private half */
	void *sign_arg;
};

struct auth_client_config {
	const char *user;
	struct key *const *identities; /* private keys, tried in order */
	size_t n_identities;
	/* Optional: file names of the identities, parallel to identities (for logs). */
	const char *const *identity_names;
	/* Offered after `identities`, in order (agent keys, certificates). */
	const struct auth_identity *ids;
	size_t n_ids;
	/*
	 * PubkeyAcceptedAlgorithms (NULL: whatever the key can sign with). A key
	 * is offered with the first algorithm of this list that fits it; for RSA
	 * keys (and certificates) that the server also lists in server-sig-algs
	 * (RFC 8332 section 3.1, RFC 8308), else the key's own name (ssh-rsa),
	 * which is used only if this list has it.
	 */
	const char *pubkey_accepted_algorithms;
};

/* The identities and their names are borrowed: they must outlive the client. */
struct auth_client;
int auth_client_new(struct tp *t, const struct auth_client_config *cfg, struct auth_client **out);
void auth_client_free(struct auth_client *a);
/* Send the ssh-userauth service request. */
int auth_client_start(struct auth_client *a);
/*
 * Handle one payload of type 6 or 50..79. Returns 0 to go on, 1 once
 * authenticated, ERR_PERMISSION when every method failed (print
 * auth_client_failure_msg()), or another negative error.
 */
int auth_client_handle(struct auth_client *a, const uint8_t *payload, size_t len);
/* "Permission denied (publickey)." with the server's method list ("" before a failure). */
const char *auth_client_failure_msg(const struct auth_client *a);

#endif
