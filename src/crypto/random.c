#include "crypto/crypto.h"

#include <limits.h>
#include <string.h>
#include <openssl/rand.h>

#include "util/err.h"

int crypto_random(void *p, size_t n)
{
	unsigned char *q = p;

	while (n > 0) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;

		if (RAND_bytes(q, chunk) != 1)
			return ERR_CRYPTO;
		q += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

#define PAD_POOL 4096

int crypto_random_padding(void *p, size_t n)
{
	static unsigned char pool[PAD_POOL];
	static size_t avail;

	if (n > 255)
		return ERR_INVALID_ARG;
	if (avail < n) {
		if (RAND_bytes(pool, (int)sizeof(pool)) != 1)
			return ERR_CRYPTO;
		avail = sizeof(pool);
	}
	memcpy(p, pool + sizeof(pool) - avail, n);
	avail -= n;
	return 0;
}
