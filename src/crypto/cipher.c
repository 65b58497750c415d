/* Packet cipher table and dispatch to the implementations by kind. */
#include "crypto/crypto_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"

static const struct cipher_alg cipher_table[] = {
	/* PROTOCOL.chacha20poly1305: 2 x 256-bit keys, no IV, 8-byte blocks. */
	{ "chacha20-poly1305@openssh.com", 64, 0, 8, 16, CIPHER_KIND_CHACHAPOLY },
	/* RFC 5647 / PROTOCOL 1.6: 12-byte IV, 16-byte blocks and tags. */
	{ "aes128-gcm@openssh.com", 16, 12, 16, 16, CIPHER_KIND_AESGCM },
	{ "aes256-gcm@openssh.com", 32, 12, 16, 16, CIPHER_KIND_AESGCM },
};

#define CIPHER_LIST "chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-gcm@openssh.com"

struct cipher_ctx {
	const struct cipher_alg *alg;
	const struct cipher_ops *ops;
	void *state;
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
	}
	return NULL;
}

int cipher_ctx_new(const struct cipher_alg *alg, int encrypt, const uint8_t *key,
		   const uint8_t *iv, struct cipher_ctx **out)
{
	const struct cipher_ops *ops;
	struct cipher_ctx *c;
	int r;

	if (alg == NULL || key == NULL || (alg->iv_len > 0 && iv == NULL))
		return ERR_INVALID_ARG;
	if ((ops = cipher_ops_for(alg)) == NULL)
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
	free(c);
}

const struct cipher_alg *cipher_ctx_alg(const struct cipher_ctx *c)
{
	return c->alg;
}

int cipher_peek_length(struct cipher_ctx *c, uint32_t seq, const uint8_t *pkt, uint32_t *len)
{
	return c->ops->peek_length(c->state, seq, pkt, len);
}

/* len covers the 4-byte length field and must be a whole number of blocks after it. */
static int cipher_check_len(const struct cipher_ctx *c, size_t len)
{
	if (len < 4 + c->alg->block_len || (len - 4) % c->alg->block_len != 0)
		return ERR_FORMAT;
	if (len - 4 > UINT32_MAX)
		return ERR_TOO_LARGE;
	return 0;
}

int cipher_seal(struct cipher_ctx *c, uint32_t seq, uint8_t *pkt, size_t len)
{
	int r;

	if ((r = cipher_check_len(c, len)) != 0)
		return r;
	return c->ops->seal(c->state, seq, pkt, len);
}

int cipher_open(struct cipher_ctx *c, uint32_t seq, uint8_t *pkt, size_t len)
{
	int r;

	if ((r = cipher_check_len(c, len)) != 0)
		return r;
	return c->ops->open(c->state, seq, pkt, len);
}
