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

enum key_type {
	KEY_UNKNOWN = 0,
	KEY_ED25519,
	KEY_ECDSA_P256, /* ecdsa-sha2-nistp256, RFC 5656 */
	KEY_ECDSA_P384,
	KEY_ECDSA_P521,
	KEY_RSA, /* ssh-rsa blobs; signatures rsa-sha2-512/256 (RFC 8332) or ssh-rsa (SHA-1) */
};

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
/*
 * The same with a passphrase (NULL = none): OpenSSH files encrypted with the
 * bcrypt KDF, and PEM / PKCS#8 RSA, ECDSA and Ed25519 keys (encrypted or not).
 * ERR_PASSPHRASE when one is needed and missing, or wrong. PEM keys have no
 * comment: *comment is then "".
 */
int key_parse_private_pass(const char *text, size_t n, const char *passphrase, struct key **out,
			   char **comment);
int key_load_private_pass(const char *path, const char *passphrase, struct key **out,
			  char **comment);
/* Load a public key file ("path.pub" style). */
int key_load_public(const char *path, struct key **out, char **comment);
/* New random private key (RSA: 3072 bits like ssh-keygen; ECDSA: by type). */
int key_generate(enum key_type type, struct key **out);
/* Size in bits (RSA modulus, ECDSA curve, 256 for Ed25519), as ssh-keygen -l shows. */
int key_bits(const struct key *k);
/* Write private key (mode 0600) and path.pub (0644) in OpenSSH format. */
int key_save_private(const struct key *k, const char *path, const char *comment);

int key_has_private(const struct key *k);
enum key_type key_type(const struct key *k);
/* SSH name of the key type, e.g. "ssh-ed25519". */
const char *key_type_name(const struct key *k);
/* Key type from a name ("ssh-ed25519"), KEY_UNKNOWN if we do not know it. */
enum key_type key_type_from_name(const char *name);
/*
 * Signature algorithms usable with this key, comma-separated (for ed25519 just
 * "ssh-ed25519", for RSA "rsa-sha2-512,rsa-sha2-256,ssh-rsa").
 */
const char *key_sig_algs(const struct key *k);
/*
 * Host key / public key signature algorithm names in OpenSSH 9.2's
 * HostKeyAlgorithms order: the defaults, and everything we can use (the
 * defaults plus ssh-rsa, SHA-1).
 */
const char *key_alg_default_list(void);
const char *key_alg_supported_list(void);
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

/*
 * OpenSSH certificates (PROTOCOL.certkeys): a certificate is a struct key
 * whose key_type_name() is the certificate name ("ssh-ed25519-cert-v01@
 * openssh.com"), whose key_type() is the certified key's type, whose
 * key_to_blob() emits the whole certificate blob and whose key_sign()/
 * key_verify() use the certified key (signature blobs carry the plain
 * algorithm name). key_from_blob() checks the CA signature: a tampered
 * certificate does not parse (ERR_SIGNATURE). key_fingerprint() of a
 * certificate is that of the certified key, as ssh-keygen -l prints it.
 */
#define KEY_CERT_USER 1
#define KEY_CERT_HOST 2

/* Extensions (PROTOCOL.certkeys "Extensions"), as bits in key_cert_info.ext. */
#define KEY_CERT_EXT_X11 0x01           /* permit-X11-forwarding */
#define KEY_CERT_EXT_AGENT 0x02         /* permit-agent-forwarding */
#define KEY_CERT_EXT_PORT 0x04          /* permit-port-forwarding */
#define KEY_CERT_EXT_PTY 0x08           /* permit-pty */
#define KEY_CERT_EXT_USER_RC 0x10       /* permit-user-rc */
#define KEY_CERT_EXT_NO_TOUCH 0x20      /* no-touch-required */

struct key_cert_info {
	uint32_t type;               /* KEY_CERT_USER or KEY_CERT_HOST */
	uint64_t serial;
	const char *key_id;
	const char *const *principals;
	size_t n_principals;
	uint64_t valid_after;        /* seconds since the epoch; 0 = always */
	uint64_t valid_before;       /* UINT64_MAX = forever */
	const char *force_command;   /* critical option force-command (NULL if absent) */
	const char *source_address;  /* critical option source-address (NULL if absent) */
	const char *unknown_critical;/* first critical option we do not know (NULL: none) */
	unsigned ext;                /* KEY_CERT_EXT_* */
	const char *sig_alg;         /* algorithm of the CA's signature, e.g. "ssh-ed25519" */
};

int key_is_cert(const struct key *k);
/* The CA key that signed a certificate (NULL for a plain key). */
const struct key *key_cert_signer(const struct key *k);
/* The certificate's fields (NULL for a plain key); valid as long as k. */
const struct key_cert_info *key_cert_info(const struct key *k);
/*
 * Is the certificate good for `type` (KEY_CERT_USER/HOST) at `now` for
 * `principal` (NULL: any)? 0, or ERR_PERMISSION with *why (may be NULL) set
 * to OpenSSH's reason ("Certificate invalid: expired", "Certificate
 * invalid: name is not a listed principal", ...). A user certificate must
 * list principals; host certificate principals may be '*'/'?' patterns.
 */
int key_cert_check(const struct key *k, int type, const char *principal, uint64_t now,
		   const char **why);
/*
 * Give the private key priv the certificate cert (whose certified key must
 * be priv's public half): priv then presents as the certificate. ERR_INVALID_ARG
 * if cert is not a certificate for priv.
 */
int key_cert_attach(struct key *priv, const struct key *cert);
/* The certified key without its certificate (private half kept if present). */
int key_cert_plain(const struct key *k, struct key **out);
/* A full copy (private half and certificate included). */
int key_dup(const struct key *k, struct key **out);
/* 1 if name is a certificate key type or certificate signature algorithm. */
int key_name_is_cert(const char *name);

/* "SHA256:<unpadded base64 of the blob's SHA-256>" as ssh-keygen -l prints. */
int key_fingerprint(const struct key *k, char *out, size_t out_len);
#define KEY_FP_MAX 80

#endif
