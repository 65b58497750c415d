/*
 * ssh_config(5) TOKENS: %% %C %d %h %i %j %k %L %l %n %p %r %u, each
 * keyword accepting its own subset (the caller passes the letters).
 */
#include "config/client_config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/client_internal.h"
#include "crypto/crypto.h"
#include "util/err.h"
#include "util/mem.h"

/* Letters each keyword accepts (ssh_config(5) TOKENS). */
const char *const CFG_TOKENS_FILES = "%CdhijkLlnpru";
const char *const CFG_TOKENS_PROXY = "%hnpr";
const char *const CFG_TOKENS_EXEC = "%CdhijkLlnpru";

struct tok_buf {
	char *s;
	size_t len, cap;
};

static int tb_add(struct tok_buf *b, const char *s, size_t n)
{
	size_t need;

	if (mem_add_size(b->len, n, &need) != 0 || mem_add_size(need, 1, &need) != 0)
		return ERR_TOO_LARGE;
	if (need > b->cap) {
		size_t cap = b->cap < 64 ? 64 : b->cap;
		char *p;

		while (cap < need) {
			if (cap > SIZE_MAX / 2)
				return ERR_TOO_LARGE;
			cap *= 2;
		}
		if ((p = realloc(b->s, cap)) == NULL)
			return ERR_ALLOC;
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

/* %C: hex SHA-1 of %l%h%p%r, as OpenSSH 9.2 computes it. */
static int conn_hash(const char *l, const char *h, const char *p, const char *r, char out[41])
{
	struct tok_buf b = { 0 };
	uint8_t md[20];
	int rc;

	if ((rc = tb_add(&b, l, strlen(l))) != 0 || (rc = tb_add(&b, h, strlen(h))) != 0 ||
	    (rc = tb_add(&b, p, strlen(p))) != 0 || (rc = tb_add(&b, r, strlen(r))) != 0)
		goto out;
	if ((rc = hash_digest(HASH_SHA1, b.s, b.len, md)) != 0)
		goto out;
	for (int i = 0; i < 20; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
out:
	free(b.s);
	return rc;
}

int cfg_client_expand_tokens_h(const struct client_config *c, const char *host, const char *s,
			       const char *allowed, char **out)
{
	struct passwd *pw = getpwuid(getuid());
	struct tok_buf b = { 0 };
	char lhost[256], lshort[256], port[16], uid[32], hash[41];
	const char *home = cfg_home_dir();
	const char *ruser = c->user != NULL ? c->user : (pw != NULL ? pw->pw_name : "");
	int r = 0;

	if (gethostname(lhost, sizeof(lhost)) != 0)
		lhost[0] = '\0';
	lhost[sizeof(lhost) - 1] = '\0';
	snprintf(lshort, sizeof(lshort), "%.*s", (int)strcspn(lhost, "."), lhost);
	snprintf(port, sizeof(port), "%d", c->port > 0 ? c->port : 22);
	snprintf(uid, sizeof(uid), "%lu", (unsigned long)getuid());
	if (host == NULL)
		host = "";
	hash[0] = '\0';
	if ((r = tb_add(&b, "", 0)) != 0)
		goto out;
	for (const char *p = s; *p != '\0'; p++) {
		const char *v = NULL;

		if (*p != '%') {
			if ((r = tb_add(&b, p, 1)) != 0)
				goto out;
			continue;
		}
		if (*++p == '\0') {
			fprintf(stderr, "percent_expand: invalid format\n");
			r = ERR_FORMAT;
			goto out;
		}
		if (strchr(allowed, *p) == NULL) {
			fprintf(stderr, "percent_expand: unknown key %%%c\n", *p);
			r = ERR_FORMAT;
			goto out;
		}
		switch (*p) {
		case '%': v = "%"; break;
		case 'd': v = home != NULL ? home : ""; break;
		case 'h': v = host; break;
		case 'i': v = uid; break;
		case 'j': v = c->proxy_jump != NULL && strcmp(c->proxy_jump, "none") != 0 ?
			      c->proxy_jump : ""; break;
		/* %k: HostKeyAlias is not implemented, so the host as given. */
		case 'k':
		case 'n': v = c->host != NULL ? c->host : ""; break;
		case 'L': v = lshort; break;
		case 'l': v = lhost; break;
		case 'p': v = port; break;
		case 'r': v = ruser; break;
		case 'u': v = pw != NULL ? pw->pw_name : ""; break;
		case 'C':
			if (hash[0] == '\0' && (r = conn_hash(lhost, host, port, ruser, hash)) != 0)
				goto out;
			v = hash;
			break;
		default:
			fprintf(stderr, "percent_expand: unknown key %%%c\n", *p);
			r = ERR_FORMAT;
			goto out;
		}
		if ((r = tb_add(&b, v, strlen(v))) != 0)
			goto out;
	}
	*out = b.s;
	b.s = NULL;
out:
	free(b.s);
	return r;
}

int cfg_client_expand_tokens(const struct client_config *c, const char *s, const char *allowed,
			     char **out)
{
	return cfg_client_expand_tokens_h(c, c->hostname != NULL ? c->hostname : c->host, s,
					  allowed, out);
}

int cfg_client_expand_field(const struct client_config *c, char **s, const char *allowed)
{
	char *n;
	int r;

	if (*s == NULL || strchr(*s, '%') == NULL)
		return 0;
	if ((r = cfg_client_expand_tokens(c, *s, allowed, &n)) != 0)
		return r;
	free(*s);
	*s = n;
	return 0;
}
