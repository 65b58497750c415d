/* burrow -Q: the algorithm names we support, one per line, like ssh -Q. */
#include "config/alglist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/crypto.h"
#include "crypto/key.h"
#include "util/err.h"

/* What names of a list to print. */
enum qfilter {
	Q_ALL,
	Q_AEAD,       /* ciphers with their own integrity (no separate MAC) */
	Q_KEY,        /* key types: no signature-only names (rsa-sha2-*) */
	Q_KEY_PLAIN,  /* key types without certificates */
	Q_KEY_CERT,   /* certificate key types */
	Q_SIG,        /* signature algorithms: no certificates */
};

static const char *const query_names[] = {
	"cipher", "cipher-auth", "compression", "kex", "key", "key-cert", "key-plain",
	"key-sig", "mac", "protocol-version", "sig",
};

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t sl = strlen(suffix);

	return n >= sl && memcmp(s + n - sl, suffix, sl) == 0;
}

static int keep(enum qfilter f, const char *p, size_t n)
{
	int cert = ends_with(p, n, "-cert-v01@openssh.com");
	/* rsa-sha2-256/512 (and their cert forms) are signature algorithms of ssh-rsa keys. */
	int sig_only = n >= 9 && memcmp(p, "rsa-sha2-", 9) == 0;
	char name[128];
	const struct cipher_alg *c;

	switch (f) {
	case Q_AEAD:
		if (n >= sizeof(name))
			return 0;
		memcpy(name, p, n);
		name[n] = '\0';
		c = cipher_by_name(name);
		return c != NULL && c->tag_len > 0;
	case Q_KEY:
		return !sig_only;
	case Q_KEY_PLAIN:
		return !sig_only && !cert;
	case Q_KEY_CERT:
		return !sig_only && cert;
	case Q_SIG:
		return !cert;
	default:
		return 1;
	}
}

static void print_list(const char *list, enum qfilter f)
{
	const char *p = list;

	while (*p != '\0') {
		size_t l = strcspn(p, ",");

		if (l > 0 && keep(f, p, l))
			printf("%.*s\n", (int)l, p);
		p += l;
		if (*p == ',')
			p++;
	}
}

static int query(const char *what, const char *keys)
{
	if (strcmp(what, "cipher") == 0 || strcasecmp(what, "Ciphers") == 0)
		print_list(cipher_supported_list(), Q_ALL);
	else if (strcmp(what, "cipher-auth") == 0)
		print_list(cipher_supported_list(), Q_AEAD);
	else if (strcmp(what, "mac") == 0 || strcasecmp(what, "MACs") == 0)
		print_list(mac_supported_list(), Q_ALL);
	else if (strcmp(what, "kex") == 0 || strcasecmp(what, "KexAlgorithms") == 0)
		print_list(kex_supported_list(), Q_ALL);
	else if (strcmp(what, "key") == 0)
		print_list(keys, Q_KEY);
	else if (strcmp(what, "key-plain") == 0)
		print_list(keys, Q_KEY_PLAIN);
	else if (strcmp(what, "key-cert") == 0)
		print_list(keys, Q_KEY_CERT);
	else if (strcmp(what, "sig") == 0)
		print_list(keys, Q_SIG);
	else if (strcmp(what, "key-sig") == 0 || strcasecmp(what, "HostKeyAlgorithms") == 0 ||
		 strcasecmp(what, "PubkeyAcceptedAlgorithms") == 0 ||
		 strcasecmp(what, "PubkeyAcceptedKeyTypes") == 0)
		print_list(keys, Q_ALL);
	else if (strcmp(what, "compression") == 0)
		print_list("none,zlib@openssh.com,zlib", Q_ALL);
	else if (strcmp(what, "protocol-version") == 0)
		printf("2\n");
	else if (strcmp(what, "help") == 0) {
		for (size_t i = 0; i < sizeof(query_names) / sizeof(query_names[0]); i++)
			printf("%s\n", query_names[i]);
	} else {
		fprintf(stderr, "Unsupported query \"%s\"\n", what);
		return ERR_NOT_FOUND;
	}
	fflush(stdout);
	return 0;
}

int cfg_query(const char *what)
{
	char *keys = NULL;
	int r;

	/* In OpenSSH's order, so the output reads like ssh -Q's. */
	if ((r = cfg_alg_key_order(key_alg_supported_list(), &keys)) != 0)
		return r;
	r = query(what, keys);
	free(keys);
	return r;
}
