/*
 * Packet cipher table, dispatch to the implementations by kind, and the
 * MAC constructions around non-AEAD ciphers:
 *   encrypt-and-MAC (RFC 4253 6, 6.4): MAC(seq || cleartext packet), the
 *     whole packet encrypted, the first block decrypted to learn the length;
 *   encrypt-then-MAC (OpenSSH PROTOCOL 1.7): length in clear, the rest
 *     encrypted, MAC(seq || length || ciphertext) checked before decrypting.
 */
#include "crypto/crypto_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

static const struct cipher_alg cipher_table[] = {
	/* PROTOCOL.chacha20poly1305: 2 x 256-bit keys, no IV, 8-byte blocks. */
	{ "chacha20-poly1305@openssh.com", 64, 0, 8, 16, CIPHER_KIND_CHACHAPOLY },
	/* RFC 4344 4: 16-byte counter block from the IV, no tag (a MAC is negotiated). */
	{ "aes128-ctr", 16, 16, 16, 0, CIPHER_KIND_AESCTR },
	{ "aes192-ctr", 24, 16, 16, 0, CIPHER_KIND_AESCTR },
	{ "aes256-ctr", 32, 16, 16, 0, CIPHER_KIND_AESCTR },
	/* RFC 5647 / PROTOCOL 1.6: 12-byte IV, 16-byte blocks and tags. */
	{ "aes128-gcm@openssh.com", 16, 12, 16, 16, CIPHER_KIND_AESGCM },
	{ "aes256-gcm@openssh.com", 32, 12, 16, 16, CIPHER_KIND_AESGCM },
};

/* OpenSSH 9.2's default Ciphers order. */
#define CIPHER_LIST                                                                      \
	"chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,"                \
	"aes128-gcm@openssh.com,aes256-gcm@openssh.com"

#define CIPHER_MAX_BLOCK 16

struct cipher_ctx {
	const struct cipher_alg *alg;
	const struct cipher_ops *ops;
	void *state;
	struct mac_ctx *mac;  /* non-AEAD only */
	/* Encrypt-and-MAC input: the first block, decrypted by peek_length. */
	uint8_t first[CIPHER_MAX_BLOCK];
	int have_first;
};

const struct cipher_alg *cipher_by_name(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(cipher_table) / sizeof(cipher_table[0]); i++)
		if (strcmp(cipher_table[i].name, name) == 0)
			return &cipher_table[i];
	return NULL;
}

const char *cipher_default_list(void)
{
	return CIPHER_LIST;
}

const char *cipher_supported_list(void)
{
	return CIPHER_LIST;
}

static const struct cipher_ops *cipher_ops_for(const struct cipher_alg *alg)
{
	switch (alg->kind) {
	case CIPHER_KIND_CHACHAPOLY: return &cipher_chachapoly_ops;
	case CIPHER_KIND_AESGCM: return &cipher_aesgcm_ops;
	case CIPHER_KIND_AESCTR: return &cipher_aesctr_ops;
	}
	return NULL;
}

static int is_aead(const struct cipher_alg *alg)
{
	return alg->tag_len > 0;
}

int cipher_ctx_new(const struct cipher_alg *alg, int encrypt, const uint8_t *key,
		   const uint8_t *iv, struct cipher_ctx **out)
{
	const struct cipher_ops *ops;
	struct cipher_ctx *c;
	int r;

	if (alg == NULL || key == NULL || (alg->iv_len > 0 && iv == NULL))
		return ERR_INVALID_ARG;
	if ((ops = cipher_ops_for(alg)) == NULL || alg->block_len > CIPHER_MAX_BLOCK)
		return ERR_INVALID_ARG;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ERR_ALLOC;
	c->alg = alg;
	c->ops = ops;
	if ((r = ops->init(alg, encrypt, key, iv, &c->state)) != 0) {
		free(c);
		return r;
	}
	*out = c;
	return 0;
}

void cipher_ctx_free(struct cipher_ctx *c)
{
	if (c == NULL)
		return;
	c->ops->free(c->state);
	mac_ctx_free(c->mac);
	mem_free_secret(c, sizeof(*c));
}

const struct cipher_alg *cipher_ctx_alg(const struct cipher_ctx *c)
{
	return c->alg;
}

int cipher_ctx_set_mac(struct cipher_ctx *c, const struct mac_alg *mac, const uint8_t *key)
{
	struct mac_ctx *m;
	int r;

	if (c == NULL || mac == NULL || is_aead(c->alg) || c->mac != NULL)
		return ERR_INVALID_ARG;
	if ((r = mac_ctx_new(mac, key, &m)) != 0)
		return r;
	c->mac = m;
	return 0;
}

const char *cipher_ctx_mac_name(const struct cipher_ctx *c)
{
	if (is_aead(c->alg))
		return "<implicit>";
	return c->mac != NULL ? mac_ctx_alg(c->mac)->name : "none";
}

size_t cipher_ctx_tag_len(const struct cipher_ctx *c)
{
	if (is_aead(c->alg))
		return c->alg->tag_len;
	return c->mac != NULL ? mac_ctx_alg(c->mac)->mac_len : 0;
}

static int is_etm(const struct cipher_ctx *c)
{
	return c->mac != NULL && mac_ctx_alg(c->mac)->etm;
}

int cipher_ctx_len_separate(const struct cipher_ctx *c)
{
	return is_aead(c->alg) || is_etm(c);
}

size_t cipher_ctx_peek_bytes(const struct cipher_ctx *c)
{
	return cipher_ctx_len_separate(c) ? 4 : c->alg->block_len;
}

int cipher_peek_length(struct cipher_ctx *c, uint32_t seq, const uint8_t *pkt, uint32_t *len)
{
	int r;

	if (is_aead(c->alg))
		return c->ops->peek_length(c->state, seq, pkt, len);
	if (is_etm(c)) {
		*len = get_u32be(pkt);
		return 0;
	}
	/* Encrypt-and-MAC: decrypt the first block once; cipher_open reuses it. */
	if (!c->have_first) {
		memcpy(c->first, pkt, c->alg->block_len);
		if ((r = c->ops->crypt(c->state, c->first, c->alg->block_len)) != 0)
			return r;
		c->have_first = 1;
	}
	*len = get_u32be(c->first);
	return 0;
}

/* len covers the 4-byte length field; the padded part must be whole blocks. */
static int cipher_check_len(const struct cipher_ctx *c, size_t len)
{
	size_t bs = c->alg->block_len;

	if (cipher_ctx_len_separate(c)) {
		if (len < 4 + bs || (len - 4) % bs != 0)
			return ERR_FORMAT;
	} else if (len < bs || len % bs != 0) {
		return ERR_FORMAT;
	}
	if (len - 4 > UINT32_MAX)
		return ERR_TOO_LARGE;
	return 0;
}

int cipher_seal(struct cipher_ctx *c, uint32_t seq, uint8_t *pkt, size_t len)
{
	int r;

	if ((r = cipher_check_len(c, len)) != 0)
		return r;
	if (is_aead(c->alg))
		return c->ops->seal(c->state, seq, pkt, len);
	if (is_etm(c)) {
		if ((r = c->ops->crypt(c->state, pkt + 4, len - 4)) != 0)
			return r;
		return mac_compute(c->mac, seq, pkt, len, pkt + len);
	}
	if (c->mac != NULL && (r = mac_compute(c->mac, seq, pkt, len, pkt + len)) != 0)
		return r;
	return c->ops->crypt(c->state, pkt, len);
}

int cipher_open(struct cipher_ctx *c, uint32_t seq, uint8_t *pkt, size_t len)
{
	size_t bs = c->alg->block_len;
	int r;

	if ((r = cipher_check_len(c, len)) != 0)
		return r;
	if (is_aead(c->alg))
		return c->ops->open(c->state, seq, pkt, len);
	if (is_etm(c)) {
		/* PROTOCOL 1.7: authenticate the ciphertext before decrypting anything. */
		if ((r = mac_check(c->mac, seq, pkt, len, pkt + len)) != 0)
			return r;
		return c->ops->crypt(c->state, pkt + 4, len - 4);
	}
	if (!c->have_first) {
		uint32_t unused;

		if ((r = cipher_peek_length(c, seq, pkt, &unused)) != 0)
			return r;
	}
	memcpy(pkt, c->first, bs);
	mem_wipe(c->first, sizeof(c->first));
	c->have_first = 0;
	if ((r = c->ops->crypt(c->state, pkt + bs, len - bs)) != 0)
		return r;
	if (c->mac != NULL && (r = mac_check(c->mac, seq, pkt, len, pkt + len)) != 0) {
		/* The caller must not see unauthenticated plaintext. */
		mem_wipe(pkt, len);
		return r;
	}
	return 0;
}
