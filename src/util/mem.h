/* Memory helpers: zeroing frees for secrets, constant-time compare, overflow-safe sizes. */
#ifndef BURROW_UTIL_MEM_H
#define BURROW_UTIL_MEM_H

#include <stddef.h>

/* Overwrite n bytes so the compiler cannot elide it. */
void mem_wipe(void *p, size_t n);
/* Wipe then free; NULL is fine. */
void mem_free_secret(void *p, size_t n);
/* Constant-time equality of two n-byte regions: 1 if equal. */
int mem_equal_ct(const void *a, const void *b, size_t n);
/* strdup that returns NULL only on allocation failure of a non-NULL s. */
char *mem_strdup(const char *s);
/* *out = a + b; returns -1 on overflow. */
int mem_add_size(size_t a, size_t b, size_t *out);

#endif
