/* Helpers shared by the key tests (tests/unit/crypto/test_key*.c, tests/unit/auth certs). */
#ifndef BURROW_TEST_KEY_UTIL_H
#define BURROW_TEST_KEY_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline char *tk_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p == NULL)
		abort();
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* Whole small file as a NUL-terminated string (NULL if unreadable). */
static inline char *tk_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s;
	size_t n;

	if (f == NULL)
		return NULL;
	if ((s = calloc(1, 65536)) == NULL)
		abort();
	n = fread(s, 1, 65535, f);
	fclose(f);
	if (len != NULL)
		*len = n;
	return s;
}

static inline int tk_spit(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (f == NULL)
		return -1;
	ok = fwrite(data, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* Run a shell command built with printf formatting; 0 on exit status 0. */
__attribute__((format(printf, 1, 2))) static inline int tk_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd) == 0 ? 0 : -1;
}

/* The arguments of tests run as `test DATA_DIR SSH_KEYGEN`: 0, or 2 after a usage line. */
static inline int tk_args(int argc, char **argv, const char **data_dir, const char **keygen)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s DATA_DIR SSH_KEYGEN\n", argv[0]);
		return 2;
	}
	*data_dir = argv[1];
	*keygen = argv[2];
	return 0;
}

/* Run a shell command built with printf formatting; first output line (NULL on failure). */
__attribute__((format(printf, 1, 2))) static inline char *tk_run(const char *fmt, ...)
{
	char cmd[4096], line[4096];
	char *s = NULL;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if ((f = popen(cmd, "r")) == NULL)
		return NULL;
	if (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		s = strdup(line);
	} else {
		s = strdup("");
	}
	/* Drain the rest so the command does not die of SIGPIPE. */
	while (fgets(line, sizeof(line), f) != NULL)
		;
	if (pclose(f) != 0) {
		fprintf(stderr, "command failed: %s\n  first line: %s\n", cmd, s ? s : "");
		free(s);
		s = NULL;
	}
	return s;
}

#endif
