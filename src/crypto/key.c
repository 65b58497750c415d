/*
 * Key objects independent of their type: blobs (RFC 4253 section 6.6),
 * signature blobs, comparison and fingerprints. Type-specific work goes
 * through the struct key_impl rows.
 */
#include "crypto/key_int.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/base64.h"

static const struct key_impl *const key_impls[] = {
	&key_impl_ed25519,
	&key_impl_ecdsa_p256,
	&key_impl_ecdsa_p384,
	&key_impl_ecdsa_p521,
	&key_impl_rsa,
};

#define N_IMPLS (sizeof(key_impls) / sizeof(key_impls[0]))

const struct key_impl *key_impl_by_name(const char *name, size_t n)
{
	for (size_t i = 0; i < N_IMPLS; i++)
		if (strlen(key_impls[i]->name) == n && memcmp(key_impls[i]->name, name, n) == 0)
			return key_impls[i];
	return NULL;
}

const struct key_impl *key_impl_by_type(enum key_type type)
{
	for (size_t i = 0; i < N_IMPLS; i++)
		if (key_impls[i]->type == type)
			return key_impls[i];
	return NULL;
}

int key_wrap(const struct key_impl *impl, EVP_PKEY *pkey, int has_private, struct key **out)
{
	struct key *k;

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		EVP_PKEY_free(pkey);
		return ERR_ALLOC;
	}
	k->impl = impl;
	k->pkey = pkey;
	k->has_private = has_private;
	*out = k;
	return 0;
}

void key_free(struct key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey); /* cleanses private material */
	key_cert_free(k->cert);
	mem_free_secret(k, sizeof(*k));
}

int key_from_blob(const uint8_t *blob, size_t n, struct key **out)
{
	const struct key_impl *impl;
	EVP_PKEY *pkey = NULL;
	const uint8_t *name;
	size_t name_len;
	struct rd r;
	int e;

	rd_init(&r, blob, n);
	if ((e = rd_string(&r, &name, &name_len)) != 0)
		return e;
	if ((impl = key_impl_by_name((const char *)name, name_len)) == NULL)
		return key_cert_from_blob(blob, n, out); /* ERR_KEY_TYPE if not a certificate */
	if ((e = impl->pub_read(&r, &pkey)) != 0)
		return e;
	if ((e = rd_end(&r)) != 0) {
		EVP_PKEY_free(pkey);
		return e;
	}
	return key_wrap(impl, pkey, 0, out);
}

int key_to_blob(const struct key *k, struct buf *out)
{
	size_t start = buf_len(out);
	int r;

	if (k->cert != NULL)
		return key_cert_to_blob(k, out);
	if ((r = buf_put_cstring(out, k->impl->name)) != 0)
		return r;
	if ((r = k->impl->pub_write(k->pkey, out)) != 0)
		buf_consume_end(out, buf_len(out) - start);
	return r;
}

int key_has_private(const struct key *k)
{
	return k->has_private;
}

enum key_type key_type(const struct key *k)
{
	return k->impl->type;
}

const char *key_type_name(const struct key *k)
{
	if (k->cert != NULL)
		return key_cert_name(k);
	return k->impl->name;
}

enum key_type key_type_from_name(const char *name)
{
	const struct key_impl *impl;

	if (name == NULL || (impl = key_impl_by_name(name, strlen(name))) == NULL)
		return KEY_UNKNOWN;
	return impl->type;
}

const char *key_sig_algs(const struct key *k)
{
	if (k->cert != NULL)
		return key_cert_sig_algs(k);
	return k->impl->sig_algs;
}

/* OpenSSH 9.2 HostKeyAlgorithms / PubkeyAcceptedAlgorithms order (ssh_config(5)). */
const char *key_alg_default_list(void)
{
	return "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,"
	       "ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,"
	       "rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,"
	       "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
	       "rsa-sha2-512,rsa-sha2-256";
}

/* The defaults plus SHA-1 RSA signatures, usable only when configured. */
const char *key_alg_supported_list(void)
{
	return "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,"
	       "ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,"
	       "rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,"
	       "ssh-rsa-cert-v01@openssh.com,"
	       "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
	       "rsa-sha2-512,rsa-sha2-256,ssh-rsa";
}

int key_bits(const struct key *k)
{
	return EVP_PKEY_get_bits(k->pkey);
}

/* Is alg (n bytes) one of the comma-separated names in list? */
static int key_alg_in_list(const char *list, const char *alg, size_t n)
{
	const char *p = list;

	while (*p != '\0') {
		size_t len = strcspn(p, ",");

		if (len == n && memcmp(p, alg, n) == 0)
			return 1;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

int key_equal(const struct key *a, const struct key *b)
{
	struct buf ba, bb;
	int eq = 0;

	if (a == NULL || b == NULL || a->impl != b->impl)
		return 0;
	buf_init(&ba);
	buf_init(&bb);
	if (key_to_blob(a, &ba) == 0 && key_to_blob(b, &bb) == 0)
		eq = buf_len(&ba) == buf_len(&bb) &&
		     memcmp(buf_ptr(&ba), buf_ptr(&bb), buf_len(&ba)) == 0;
	buf_free(&ba);
	buf_free(&bb);
	return eq;
}

int key_public_copy(const struct key *k, struct key **out)
{
	struct buf b;
	int r;

	buf_init(&b);
	if ((r = key_to_blob(k, &b)) == 0)
		r = key_from_blob(buf_ptr(&b), buf_len(&b), out);
	buf_free(&b);
	return r;
}

int key_sign(const struct key *k, const char *sig_alg, const uint8_t *data, size_t n,
	     struct buf *sig)
{
	struct buf raw;
	size_t start = buf_len(sig), len;
	char plain[64], first[64];
	int r;

	if (!k->has_private)
		return ERR_INVALID_ARG;
	/* NULL: the key's first (preferred) algorithm; for RSA rsa-sha2-512, not SHA-1. */
	if (sig_alg == NULL) {
		if ((len = strcspn(k->impl->sig_algs, ",")) >= sizeof(first))
			return ERR_KEY_TYPE;
		memcpy(first, k->impl->sig_algs, len);
		first[len] = '\0';
		sig_alg = first;
	}
	/* PROTOCOL.certkeys: a certificate signs with the certified key's plain algorithm. */
	if (k->cert != NULL) {
		if (key_cert_plain_alg(sig_alg, plain, sizeof(plain)) != 0)
			return ERR_KEY_TYPE;
		sig_alg = plain;
	}
	if (!key_alg_in_list(k->impl->sig_algs, sig_alg, strlen(sig_alg)))
		return ERR_KEY_TYPE;
	buf_init(&raw);
	if ((r = k->impl->sign(k->pkey, sig_alg, data, n, &raw)) != 0)
		goto out;
	if ((r = buf_put_cstring(sig, sig_alg)) != 0)
		goto out;
	if ((r = buf_put_stringb(sig, &raw)) != 0)
		buf_consume_end(sig, buf_len(sig) - start);
out:
	buf_free(&raw);
	return r;
}

int key_verify(const struct key *k, const char *sig_alg, const uint8_t *sig, size_t sig_len,
	       const uint8_t *data, size_t n)
{
	const uint8_t *alg, *raw;
	size_t alg_len, raw_len;
	char name[64], plain[64];
	struct rd r;

	/* PROTOCOL.certkeys: signatures by certificates carry the plain algorithm. */
	if (k->cert != NULL && sig_alg != NULL) {
		if (key_cert_plain_alg(sig_alg, plain, sizeof(plain)) != 0)
			return ERR_SIGNATURE;
		sig_alg = plain;
	}
	rd_init(&r, sig, sig_len);
	if (rd_string(&r, &alg, &alg_len) != 0 || rd_string(&r, &raw, &raw_len) != 0 ||
	    rd_end(&r) != 0)
		return ERR_SIGNATURE;
	if (alg_len >= sizeof(name) || memchr(alg, '\0', alg_len) != NULL)
		return ERR_SIGNATURE;
	memcpy(name, alg, alg_len);
	name[alg_len] = '\0';
	/* The blob must name what the protocol negotiated and suit this key. */
	if (sig_alg != NULL && strcmp(sig_alg, name) != 0)
		return ERR_SIGNATURE;
	if (!key_alg_in_list(k->impl->sig_algs, name, alg_len))
		return ERR_SIGNATURE;
	return k->impl->verify(k->pkey, name, raw, raw_len, data, n) == 0 ? 0 : ERR_SIGNATURE;
}

int key_fingerprint(const struct key *k, char *out, size_t out_len)
{
	static const char prefix[] = "SHA256:";
	uint8_t digest[32];
	struct buf blob, text;
	int r;

	buf_init(&blob);
	buf_init(&text);
	/* A certificate's fingerprint is its certified key's, as ssh-keygen -l shows. */
	if ((r = k->cert != NULL ? key_cert_plain_blob(k, &blob) : key_to_blob(k, &blob)) != 0)
		goto out;
	if ((r = hash_digest(HASH_SHA256, buf_ptr(&blob), buf_len(&blob), digest)) != 0)
		goto out;
	if ((r = buf_put(&text, prefix, sizeof(prefix) - 1)) != 0 ||
	    (r = base64_encode(&text, digest, sizeof(digest), 0)) != 0)
		goto out;
	if (buf_len(&text) >= out_len) {
		r = ERR_TOO_LARGE;
		goto out;
	}
	memcpy(out, buf_ptr(&text), buf_len(&text));
	out[buf_len(&text)] = '\0';
out:
	buf_free(&blob);
	buf_free(&text);
	return r;
}

int key_generate(enum key_type type, struct key **out)
{
	const struct key_impl *impl = key_impl_by_type(type);
	EVP_PKEY *pkey = NULL;
	int r;

	if (impl == NULL)
		return ERR_KEY_TYPE;
	if ((r = impl->generate(&pkey)) != 0)
		return r;
	return key_wrap(impl, pkey, 1, out);
}

int key_evp_sign(EVP_PKEY *pkey, const EVP_MD *md, const uint8_t *data, size_t n, size_t len,
		 int pad, struct buf *sig)
{
	EVP_MD_CTX *ctx;
	uint8_t *p;
	size_t slen = len;
	int r = ERR_CRYPTO;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return ERR_ALLOC;
	if (EVP_DigestSignInit(ctx, NULL, md, NULL, pkey) != 1)
		goto out;
	if ((r = buf_reserve(sig, len, &p)) != 0)
		goto out;
	if (EVP_DigestSign(ctx, p, &slen, data, n) != 1 || slen > len || (!pad && slen != len)) {
		buf_consume_end(sig, len);
		r = ERR_CRYPTO;
		goto out;
	}
	if (slen < len) {
		memmove(p + (len - slen), p, slen);
		memset(p, 0, len - slen);
	}
	r = 0;
out:
	EVP_MD_CTX_free(ctx);
	return r;
}

int key_evp_verify(EVP_PKEY *pkey, const EVP_MD *md, const uint8_t *sig, size_t sig_len,
		   const uint8_t *data, size_t n)
{
	EVP_MD_CTX *ctx;
	int r = ERR_SIGNATURE;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return ERR_ALLOC;
	if (EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1 &&
	    EVP_DigestVerify(ctx, sig, sig_len, data, n) == 1)
		r = 0;
	EVP_MD_CTX_free(ctx);
	return r;
}
