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
/* What a user may authenticate with (sshd_config after Match). */
struct auth_user_methods {
	int password; /* PasswordAuthentication */
	int kbdint;   /* KbdInteractiveAuthentication */
	/*
	 * AuthenticationMethods: NULL or "any" means one method is enough;
	 * "publickey,password" needs both in that order; lists separated by
	 * spaces are alternatives. Copied by the caller of user_methods.
	 */
	const char *authentication_methods;
};

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
	/*
	 * Is `password` the password of `user`? 0 yes; ERR_NOT_FOUND for an
	 * unknown user (logged "for invalid user"), another negative value no.
	 * Unknown users must take the same path and about the same time (hash a
	 * dummy). Also answers keyboard-interactive's one "Password: " prompt.
	 * NULL: password and keyboard-interactive are never offered.
	 */
	int (*check_password)(void *arg, const char *user, const char *password);
	/*
	 * Optional: the password-related policy for `user` after Match blocks.
	 * Without it both methods are on (when check_password is set) and one
	 * method is enough.
	 */
	int (*user_methods)(void *arg, const char *user, struct auth_user_methods *out);
	/* For log lines: "keyboard-interactive/pam" (NULL: "keyboard-interactive"). */
	const char *kbdint_name;
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
/* "publickey", "password" or "keyboard-interactive": the method that completed (NULL before). */
const char *auth_server_method(const struct auth_server *a);
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
	/*
	 * PreferredAuthentications: the order methods are tried in, among those
	 * the server lists (NULL: "publickey,keyboard-interactive,password").
	 */
	const char *preferred;
	/*
	 * Ask for the password (attempt 0, 1, ...): 0 with *out set (freed by
	 * the caller with mem_free_secret), nonzero to give the method up.
	 * NULL: "password" is not tried (BatchMode, PasswordAuthentication no).
	 */
	int (*get_password)(void *arg, unsigned attempt, char **out);
	/*
	 * Answer one keyboard-interactive prompt (name and instruction may be
	 * ""): 0 with *out set, nonzero to give up. NULL: not tried.
	 */
	int (*kbdint_prompt)(void *arg, const char *name, const char *instruction,
			     const char *prompt, int echo, char **out);
	void *prompt_arg;
	unsigned password_prompts; /* NumberOfPasswordPrompts (0 = 3) */
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
/* The method that succeeded ("none", "publickey", "password", "keyboard-interactive"). */
const char *auth_client_method(const struct auth_client *a);
/* "Permission denied (publickey)." with the server's method list ("" before a failure). */
const char *auth_client_failure_msg(const struct auth_client *a);

#endif
