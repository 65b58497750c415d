#include "util/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void mem_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}

void mem_free_secret(void *p, size_t n)
{
	if (p == NULL)
		return;
	mem_wipe(p, n);
	free(p);
}

int mem_equal_ct(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= x[i] ^ y[i];
	return acc == 0;
}

char *mem_strdup(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

int mem_add_size(size_t a, size_t b, size_t *out)
{
	if (a > SIZE_MAX - b)
		return -1;
	*out = a + b;
	return 0;
}
