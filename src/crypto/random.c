#include "crypto/crypto.h"

#include <limits.h>
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
