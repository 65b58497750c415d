/* Internal to src/auth: helpers shared by the client and server state machines. */
#ifndef BURROW_AUTH_AUTH_INT_H
#define BURROW_AUTH_AUTH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"
#include "wire/buf.h"

#define AUTH_SERVICE "ssh-userauth"
#define AUTH_CONN_SERVICE "ssh-connection"
#define AUTH_DESC_MAX (KEY_FP_MAX + 32)

/* "ED25519 SHA256:..." as OpenSSH logs a key. */
void auth_key_desc(const struct key *k, char *out, size_t len);
/*
 * Append the data a publickey signature covers, RFC 4252 section 7:
 * string session_id || byte 50 || string user || string service ||
 * string "publickey" || bool TRUE || string alg || string blob.
 */
int auth_pk_signed_data(struct buf *out, const uint8_t *sid, size_t sid_len, const char *user,
			const char *service, const char *alg, const uint8_t *blob, size_t blob_len);
/* 1 if name is an element of the comma-separated list. */
int auth_list_has(const char *list, const char *name);

#endif
