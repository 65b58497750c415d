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

struct key_cert;

struct key {
	const struct key_impl *impl;
	EVP_PKEY *pkey;
	int has_private;
	struct key_cert *cert; /* NULL for a plain key (key_cert.c) */
};

extern const struct key_impl key_impl_ed25519;
extern const struct key_impl key_impl_ecdsa_p256, key_impl_ecdsa_p384, key_impl_ecdsa_p521;
extern const struct key_impl key_impl_rsa;

const struct key_impl *key_impl_by_name(const char *name, size_t n);
const struct key_impl *key_impl_by_type(enum key_type type);
/* Wrap pkey (ownership taken even on failure) in a new key. */
int key_wrap(const struct key_impl *impl, EVP_PKEY *pkey, int has_private, struct key **out);
/* Certificates (key_cert.c). */
/* Whole certificate blob (type name already known to be a certificate name). */
int key_cert_from_blob(const uint8_t *blob, size_t n, struct key **out);
int key_cert_to_blob(const struct key *k, struct buf *out);
/* 1 if name (n bytes) is a certificate type we can parse. */
int key_cert_name_known(const char *name, size_t n);
/* The certified key's plain public blob. */
int key_cert_plain_blob(const struct key *k, struct buf *out);
void key_cert_free(struct key_cert *c);
const char *key_cert_name(const struct key *k);
const char *key_cert_sig_algs(const struct key *k);
/* Plain algorithm for a certificate algorithm ("ssh-ed25519-cert-v01@openssh.com" -> "ssh-ed25519"); other names unchanged. */
int key_cert_plain_alg(const char *alg, char *out, size_t out_len);
/* Read a whole small file into out (NUL appended, not counted). ERR_NOT_FOUND if missing. */
int key_read_file(const char *path, size_t max, struct buf *out);

/* Non-negative mpint <-> BIGNUM (key_rsa.c); BIGNUMs up to 16384 bits. */
int key_bn_read(struct rd *r, BIGNUM **bn);
int key_bn_write(const BIGNUM *bn, struct buf *out);
/* An RSA EVP_PKEY we accept: ERR_KEY_LENGTH under 1024 or over 16384 bits. */
int key_rsa_check(EVP_PKEY *pkey);
/* The ECDSA table row of an EC EVP_PKEY (ERR_KEY_TYPE if not one of our curves). */
int key_ecdsa_impl_of(EVP_PKEY *pkey, const struct key_impl **impl);
/*
 * An EC key (key_ecdsa.c) from OpenSSL group name, uncompressed point q of
 * field_len-byte coordinates and (if d != NULL) private scalar. The point
 * must lie on the curve and pass EVP_PKEY_public_check (so not infinity);
 * with d, d must give q. ERR_FORMAT for a bad point or pair.
 */
int key_ec_import(const char *group, size_t field_len, const uint8_t *q, size_t q_len,
		  const BIGNUM *d, EVP_PKEY **out);
/*
 * One-shot EVP signature (md NULL for Ed25519) of data, appended to sig as
 * exactly len bytes. A shorter signature is left-padded with zeros when pad
 * is set, else refused; ERR_CRYPTO (sig unchanged) on any failure.
 */
int key_evp_sign(EVP_PKEY *pkey, const EVP_MD *md, const uint8_t *data, size_t n, size_t len,
		 int pad, struct buf *sig);
/* One-shot EVP verification: 0, ERR_SIGNATURE or ERR_ALLOC. */
int key_evp_verify(EVP_PKEY *pkey, const EVP_MD *md, const uint8_t *sig, size_t sig_len,
		   const uint8_t *data, size_t n);

/*
 * Encrypted OpenSSH private key sections (keyfile_crypt.c, PROTOCOL.key).
 * kf_cipher_sizes: block size and authentication tag length of a key file
 * cipher ("none" included), ERR_UNSUPPORTED if unknown.
 * kf_decrypt: derive key and IV with the KDF (kdfname, kdfopts) from the
 * passphrase and decrypt enc (enc_len bytes, then tag_len bytes of tag at
 * tag) into plain. ERR_PASSPHRASE if the tag does not verify.
 */
int kf_cipher_sizes(const char *cipher, size_t *block, size_t *tag_len);
int kf_decrypt(const char *cipher, const char *kdfname, const uint8_t *kdfopts,
	       size_t kdfopts_len, const char *passphrase, const uint8_t *enc, size_t enc_len,
	       const uint8_t *tag, struct buf *plain);
/* PEM / PKCS#8 private keys through OpenSSL's decoders (keyfile_pem.c). */
int kf_parse_pem(const char *text, size_t n, const char *passphrase, struct key **out);

#endif
