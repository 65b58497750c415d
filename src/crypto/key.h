/*
 * Public and private keys (host keys and user keys), their wire blobs
 * (RFC 4253 section 6.6, RFC 8709), the OpenSSH private key file format
 * (PROTOCOL.key), public key lines, signatures and fingerprints.
 */
#ifndef BURROW_CRYPTO_KEY_H
#define BURROW_CRYPTO_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"

enum key_type { KEY_UNKNOWN = 0, KEY_ED25519 };

struct key;

/* Public key from its wire blob (string type || type-specific fields). */
int key_from_blob(const uint8_t *blob, size_t n, struct key **out);
/* Append the public wire blob (not wrapped in a string). */
int key_to_blob(const struct key *k, struct buf *out);
/* "ssh-ed25519 AAAA... comment": parses type and base64 blob; *comment (may be NULL) gets the rest. */
int key_parse_public_line(const char *line, struct key **out, char **comment);
/* Format as "type base64" (no comment, no newline). */
int key_format_public(const struct key *k, struct buf *out);
/* OpenSSH private key file contents ("-----BEGIN OPENSSH PRIVATE KEY-----"). ERR_PASSPHRASE if encrypted. */
int key_parse_private(const char *text, size_t n, struct key **out, char **comment);
int key_load_private(const char *path, struct key **out, char **comment);
/* Load a public key file ("path.pub" style). */
int key_load_public(const char *path, struct key **out, char **comment);
/* New random private key. */
int key_generate(enum key_type type, struct key **out);
/* Write private key (mode 0600) and path.pub (0644) in OpenSSH format. */
int key_save_private(const struct key *k, const char *path, const char *comment);

int key_has_private(const struct key *k);
enum key_type key_type(const struct key *k);
/* SSH name of the key type, e.g. "ssh-ed25519". */
const char *key_type_name(const struct key *k);
/* Key type from a name ("ssh-ed25519"), KEY_UNKNOWN if we do not know it. */
enum key_type key_type_from_name(const char *name);
/* Signature algorithms usable with this key, comma-separated (for ed25519 just "ssh-ed25519"). */
const char *key_sig_algs(const struct key *k);
int key_equal(const struct key *a, const struct key *b);
/* Public half only, as a new key. */
int key_public_copy(const struct key *k, struct key **out);
void key_free(struct key *k);

/* Append a signature blob: string(sig alg) || string(signature), RFC 4253 section 6.6. */
int key_sign(const struct key *k, const char *sig_alg, const uint8_t *data, size_t n,
	     struct buf *sig);
/* Verify such a blob; sig_alg (may be NULL) is the algorithm the protocol expects. 0 or ERR_SIGNATURE. */
int key_verify(const struct key *k, const char *sig_alg, const uint8_t *sig, size_t sig_len,
	       const uint8_t *data, size_t n);
/* Ed25519 private key from its 32-byte RFC 8032 seed (known-answer tests, fixed keys). */
int key_ed25519_from_seed(const uint8_t *seed, size_t n, struct key **out);

/* "SHA256:<unpadded base64 of the blob's SHA-256>" as ssh-keygen -l prints. */
int key_fingerprint(const struct key *k, char *out, size_t out_len);
#define KEY_FP_MAX 80

#endif
