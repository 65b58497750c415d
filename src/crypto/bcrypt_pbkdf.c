/*
 * bcrypt_pbkdf, the KDF of encrypted OpenSSH private keys (PROTOCOL.key,
 * OpenBSD bcrypt_pbkdf(3)): a PBKDF2-like loop over SHA-512 whose inner
 * function ("bcrypt_hash") is the EksBlowfish key setup of Provos and
 * Mazieres, then 64 encryptions of "OxychromaticBlowfishSwatDynamite".
 *
 * The Blowfish block function is libcrypto's BF_encrypt() on a BF_KEY whose
 * P-array and S-boxes we fill ourselves: OpenSSL offers only the standard
 * key schedule (BF_set_key), while EksBlowfish needs a salted schedule run
 * repeatedly on the same state. Blowfish's initial state is by definition
 * the fractional hex digits of pi; rather than a table we compute them with
 * BIGNUM (Machin's formula) once, and check the result against
 * BF_set_key(): running the standard schedule on our initial state must
 * give exactly OpenSSL's key.
 */

/*
 * BF_KEY and BF_encrypt are deprecated in OpenSSL 3.0 with no EVP
 * replacement for a raw state we schedule ourselves; this file alone
 * uses them.
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <openssl/blowfish.h>
#include <openssl/bn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "util/err.h"
#include "util/mem.h"

#define BP_HASH 64 /* SHA-512 */
#define BP_OUT 32  /* bcrypt_hash output */
#define BP_WORDS (BF_ROUNDS + 2 + 4 * 256)
#define BP_MAX_KEY 1024
#define BP_MAX_SALT (1u << 20)

/* Computed once (pthread_once: key loading may happen on any thread). */
static BF_KEY bp_init_state;
static int bp_init_result = ERR_CRYPTO;
static pthread_once_t bp_once = PTHREAD_ONCE_INIT;

/* Fractional part of pi: out[i] = 32-bit word i of its hex expansion. */
static int bp_pi_words(BF_LONG *out, size_t n)
{
	/* Enough bits for n words plus guard bits against truncation error. */
	int bits = (int)(n * 32) + 64;
	BIGNUM *pi = NULL, *sum = NULL, *term = NULL, *t = NULL;
	static const struct {
		BN_ULONG x;
		BN_ULONG mul;
		int neg;
	} machin[] = { { 5, 16, 0 }, { 239, 4, 1 } }; /* pi = 16 atan(1/5) - 4 atan(1/239) */
	int r = ERR_CRYPTO;

	if ((pi = BN_new()) == NULL || (sum = BN_new()) == NULL || (term = BN_new()) == NULL ||
	    (t = BN_new()) == NULL)
		goto out;
	BN_zero(pi);
	for (size_t m = 0; m < 2; m++) {
		/* atan(1/x) * 2^bits = sum (-1)^k 2^bits / ((2k+1) x^(2k+1)) */
		BN_zero(sum);
		if (!BN_one(term) || !BN_lshift(term, term, bits) ||
		    BN_div_word(term, machin[m].x) == (BN_ULONG)-1)
			goto out;
		for (BN_ULONG k = 0; !BN_is_zero(term); k++) {
			if (BN_copy(t, term) == NULL || BN_div_word(t, 2 * k + 1) == (BN_ULONG)-1)
				goto out;
			if (!((k & 1) ? BN_sub(sum, sum, t) : BN_add(sum, sum, t)))
				goto out;
			if (BN_div_word(term, machin[m].x * machin[m].x) == (BN_ULONG)-1)
				goto out;
		}
		if (!BN_mul_word(sum, machin[m].mul) ||
		    !(machin[m].neg ? BN_sub(pi, pi, sum) : BN_add(pi, pi, sum)))
			goto out;
	}
	/* Drop the integer part 3 and the guard bits: what remains is n words. */
	if (!BN_mask_bits(pi, bits) || !BN_rshift(pi, pi, 64))
		goto out;
	{
		uint8_t be[BP_WORDS * 4];

		if (n > BP_WORDS || BN_bn2binpad(pi, be, (int)(n * 4)) < 0)
			goto out;
		for (size_t i = 0; i < n; i++)
			out[i] = (BF_LONG)be[4 * i] << 24 | (BF_LONG)be[4 * i + 1] << 16 |
				 (BF_LONG)be[4 * i + 2] << 8 | be[4 * i + 3];
	}
	r = 0;
out:
	BN_free(pi);
	BN_free(sum);
	BN_free(term);
	BN_free(t);
	return r;
}

/* Next 32-bit big-endian word from data, cycling over its n bytes. */
static BF_LONG bp_word(const uint8_t *data, size_t n, size_t *pos)
{
	BF_LONG w = 0;

	for (int i = 0; i < 4; i++) {
		w = w << 8 | data[*pos];
		*pos = (*pos + 1) % n;
	}
	return w;
}

/*
 * Blowfish key schedule on the current state: XOR the key into P, then
 * replace P and S by a chain of encryptions, each block first XORed with the
 * next salt words (salt NULL: the standard schedule, "expand0state").
 */
static void bp_expand(BF_KEY *st, const uint8_t *salt, size_t salt_len, const uint8_t *key,
		      size_t key_len)
{
	BF_LONG block[2] = { 0, 0 };
	size_t kpos = 0, spos = 0;

	for (int i = 0; i < BF_ROUNDS + 2; i++)
		st->P[i] ^= bp_word(key, key_len, &kpos);
	for (int i = 0; i < BP_WORDS; i += 2) {
		BF_LONG *dst = i < BF_ROUNDS + 2 ? &st->P[i] : &st->S[i - (BF_ROUNDS + 2)];

		if (salt != NULL) {
			block[0] ^= bp_word(salt, salt_len, &spos);
			block[1] ^= bp_word(salt, salt_len, &spos);
		}
		BF_encrypt(block, st);
		dst[0] = block[0];
		dst[1] = block[1];
	}
}

/* Compute pi's words and prove they are OpenSSL's Blowfish initial state. */
static void bp_init(void)
{
	static const uint8_t probe[] = "burrow bcrypt_pbkdf self-check";
	BF_LONG words[BP_WORDS];
	BF_KEY ours, theirs;

	if ((bp_init_result = bp_pi_words(words, BP_WORDS)) != 0)
		return;
	memcpy(bp_init_state.P, words, sizeof(bp_init_state.P));
	memcpy(bp_init_state.S, words + BF_ROUNDS + 2, sizeof(bp_init_state.S));
	ours = bp_init_state;
	bp_expand(&ours, NULL, 0, probe, sizeof(probe) - 1);
	BF_set_key(&theirs, (int)(sizeof(probe) - 1), probe);
	bp_init_result = memcmp(&ours, &theirs, sizeof(ours)) == 0 ? 0 : ERR_CRYPTO;
}

/* bcrypt_hash(SHA512(pass), SHA512(salt)) -> 32 bytes. */
static void bp_hash(const uint8_t sha_pass[BP_HASH], const uint8_t sha_salt[BP_HASH],
		    uint8_t out[BP_OUT])
{
	static const uint8_t magic[BP_OUT] = "OxychromaticBlowfishSwatDynamite";
	BF_LONG cdata[BP_OUT / 4];
	BF_KEY st = bp_init_state;
	size_t pos = 0;

	bp_expand(&st, sha_salt, BP_HASH, sha_pass, BP_HASH);
	for (int i = 0; i < 64; i++) {
		bp_expand(&st, NULL, 0, sha_salt, BP_HASH);
		bp_expand(&st, NULL, 0, sha_pass, BP_HASH);
	}
	for (size_t i = 0; i < BP_OUT / 4; i++)
		cdata[i] = bp_word(magic, sizeof(magic), &pos);
	for (int i = 0; i < 64; i++)
		for (size_t b = 0; b < BP_OUT / 4; b += 2)
			BF_encrypt(&cdata[b], &st);
	/* The words are emitted little-endian (as bcrypt_pbkdf(3) defines it). */
	for (size_t i = 0; i < BP_OUT / 4; i++) {
		out[4 * i] = (uint8_t)cdata[i];
		out[4 * i + 1] = (uint8_t)(cdata[i] >> 8);
		out[4 * i + 2] = (uint8_t)(cdata[i] >> 16);
		out[4 * i + 3] = (uint8_t)(cdata[i] >> 24);
	}
	mem_wipe(&st, sizeof(st));
	mem_wipe(cdata, sizeof(cdata));
}

int bcrypt_pbkdf(const char *pass, size_t pass_len, const uint8_t *salt, size_t salt_len,
		 uint32_t rounds, uint8_t *key, size_t key_len)
{
	uint8_t sha_pass[BP_HASH], sha_salt[BP_HASH], tmp[BP_OUT], acc[BP_OUT];
	uint8_t *counted = NULL;
	size_t stride, amt;
	int r;

	if (rounds < 1 || pass_len == 0 || salt_len == 0 || salt_len > BP_MAX_SALT ||
	    key_len == 0 || key_len > BP_MAX_KEY)
		return ERR_INVALID_ARG;
	if (pthread_once(&bp_once, bp_init) != 0 || bp_init_result != 0)
		return ERR_CRYPTO;
	if ((counted = malloc(salt_len + 4)) == NULL)
		return ERR_ALLOC;
	/* Output bytes are spread: byte i of block `count` goes to i*stride + count-1. */
	stride = (key_len + BP_OUT - 1) / BP_OUT;
	amt = (key_len + stride - 1) / stride;
	memcpy(counted, salt, salt_len);
	if ((r = hash_digest(HASH_SHA512, pass, pass_len, sha_pass)) != 0)
		goto out;
	for (uint32_t count = 1; (size_t)(count - 1) < stride; count++) {
		counted[salt_len] = (uint8_t)(count >> 24);
		counted[salt_len + 1] = (uint8_t)(count >> 16);
		counted[salt_len + 2] = (uint8_t)(count >> 8);
		counted[salt_len + 3] = (uint8_t)count;
		if ((r = hash_digest(HASH_SHA512, counted, salt_len + 4, sha_salt)) != 0)
			goto out;
		bp_hash(sha_pass, sha_salt, tmp);
		memcpy(acc, tmp, sizeof(acc));
		for (uint32_t i = 1; i < rounds; i++) {
			if ((r = hash_digest(HASH_SHA512, tmp, sizeof(tmp), sha_salt)) != 0)
				goto out;
			bp_hash(sha_pass, sha_salt, tmp);
			for (size_t j = 0; j < sizeof(acc); j++)
				acc[j] ^= tmp[j];
		}
		for (size_t i = 0; i < amt; i++) {
			size_t dest = i * stride + (count - 1);

			if (dest >= key_len)
				break;
			key[dest] = acc[i];
		}
	}
out:
	mem_wipe(sha_pass, sizeof(sha_pass));
	mem_wipe(sha_salt, sizeof(sha_salt));
	mem_wipe(tmp, sizeof(tmp));
	mem_wipe(acc, sizeof(acc));
	mem_wipe(counted, salt_len + 4);
	free(counted);
	return r;
}
