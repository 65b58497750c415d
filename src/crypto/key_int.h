/*
 * Internal to src/crypto: the key object and the per-type table rows.
 * Adding RSA or ECDSA means adding one struct key_impl and a table entry.
 */
#ifndef BURROW_CRYPTO_KEY_INT_H
#define BURROW_CRYPTO_KEY_INT_H

#include <openssl/evp.h>

#include "crypto/key.h"
#include "wire/rd.h"

struct key_impl {
	enum key_type type;
	const char *name;     /* key type name in blobs and files */
	const char *sig_algs; /* comma-separated signature algorithms */
	/* Public fields of the wire blob that follow the type string. */
	int (*pub_read)(struct rd *r, EVP_PKEY **pkey);
	int (*pub_write)(EVP_PKEY *pkey, struct buf *out);
	/* Private fields of an OpenSSH private key section that follow the type string. */
	int (*priv_read)(struct rd *r, EVP_PKEY **pkey);
	int (*priv_write)(EVP_PKEY *pkey, struct buf *out);
	int (*generate)(EVP_PKEY **pkey);
	/* Raw signature bytes (the inner string of the signature blob). */
	int (*sign)(EVP_PKEY *pkey, const char *sig_alg, const uint8_t *data, size_t n,
		    struct buf *sig);
	/* 0 or ERR_SIGNATURE. */
	int (*verify)(EVP_PKEY *pkey, const char *sig_alg, const uint8_t *sig, size_t sig_len,
		      const uint8_t *data, size_t n);
};

struct key {
	const struct key_impl *impl;
	EVP_PKEY *pkey;
	int has_private;
};

extern const struct key_impl key_impl_ed25519;

const struct key_impl *key_impl_by_name(const char *name, size_t n);
const struct key_impl *key_impl_by_type(enum key_type type);
/* Wrap pkey (ownership taken even on failure) in a new key. */
int key_wrap(const struct key_impl *impl, EVP_PKEY *pkey, int has_private, struct key **out);
/* Read a whole small file into out (NUL appended, not counted). ERR_NOT_FOUND if missing. */
int key_read_file(const char *path, size_t max, struct buf *out);

#endif
