/* burrowd: listeners, one forked process per connection, and the per-connection driver. */
#ifndef BURROW_SERVER_SERVER_H
#define BURROW_SERVER_SERVER_H

#include <stddef.h>

#include "config/server_config.h"
#include "auth/authkeys.h"
#include "crypto/key.h"

/* burrowd's main(): returns the process exit status. */
int server_main(int argc, char **argv);
/* Serve one accepted connection in this (forked) process; never returns. */
void server_conn_run(int fd, const struct server_config *cfg, struct key *const *hostkeys,
		     size_t n_hostkeys) __attribute__((noreturn));
/*
 * May `key` log in as `user` on this connection? The configuration after Match
 * decides PermitRootLogin and AuthorizedKeysFile; authorized_keys options such as
 * from= and expiry-time are checked against the connection (see auth.h check_key).
 */
int server_check_key(const struct server_config *global, const struct scfg_conn_info *conn,
		     const char *user, const struct key *key, struct authkey_opts **opts);
/* Is signature algorithm alg in PubkeyAcceptedAlgorithms as Match blocks leave it for user? */
int server_alg_allowed(const struct server_config *global, const struct scfg_conn_info *conn,
		       const char *user, const char *alg);

#endif
