/*
 * The "password" method's messages (RFC 4252 section 8) and the
 * AuthenticationMethods lists (sshd_config(5); partial success is RFC 4252
 * section 5.1).
 */
#include "auth/auth_int.h"

#include <stdlib.h>
#include <string.h>

#include "transport/transport.h"
#include "util/err.h"
#include "util/mem.h"

int auth_secret_copy(const uint8_t *p, size_t n, char **out)
{
	char *s;

	if (n > AUTH_PASSWORD_MAX || memchr(p, '\0', n) != NULL)
		return ERR_FORMAT;
	if ((s = malloc(n + 1)) == NULL)
		return ERR_ALLOC;
	memcpy(s, p, n);
	s[n] = '\0';
	*out = s;
	return 0;
}

int auth_password_parse(struct rd *r, char **password, int *change)
{
	const uint8_t *pw, *npw;
	size_t pw_len, npw_len;
	int ch;

	if (rd_bool(r, &ch) != 0 || rd_string(r, &pw, &pw_len) != 0 ||
	    (ch && rd_string(r, &npw, &npw_len) != 0) || rd_end(r) != 0)
		return ERR_FORMAT;
	/* The new password (change request) is never used: it stays in the packet. */
	if (auth_secret_copy(pw, pw_len, password) != 0)
		return ERR_FORMAT;
	*change = ch;
	return 0;
}

int auth_password_request(struct buf *b, const char *user, const char *service,
			  const char *password)
{
	int r;

	if ((r = buf_put_u8(b, SSH_MSG_USERAUTH_REQUEST)) != 0 ||
	    (r = buf_put_cstring(b, user)) != 0 || (r = buf_put_cstring(b, service)) != 0 ||
	    (r = buf_put_cstring(b, "password")) != 0 || (r = buf_put_bool(b, 0)) != 0 ||
	    (r = buf_put_cstring(b, password)) != 0)
		return r;
	return 0;
}

static int known_method(const char *m, size_t n)
{
	static const char *const names[] = { "publickey", "password", "keyboard-interactive" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && strncmp(names[i], m, n) == 0)
			return 1;
	return 0;
}

void auth_methods_free(struct auth_method_lists *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->list[i]);
	m->n = 0;
}

int auth_methods_parse(const char *spec, struct auth_method_lists *out)
{
	struct auth_method_lists m = { .n = 0 };
	const char *p = spec;
	int r = ERR_FORMAT;

	if (spec == NULL || strcmp(spec, "any") == 0) {
		*out = m;
		return 0;
	}
	while (*p != '\0') {
		size_t n = strcspn(p, " \t");

		if (n > 0) {
			/* Every element must be a method we implement, as sshd checks. */
			for (size_t i = 0; i < n;) {
				size_t k = strcspn(p + i, ",");

				if (k > n - i)
					k = n - i;
				if (!known_method(p + i, k))
					goto out;
				i += k + 1;
			}
			if (p[n - 1] == ',' || m.n == AUTH_MAX_LISTS)
				goto out;
			if ((m.list[m.n] = strndup(p, n)) == NULL) {
				r = ERR_ALLOC;
				goto out;
			}
			m.n++;
		}
		p += n;
		p += strspn(p, " \t");
	}
	if (m.n == 0)
		goto out;
	*out = m;
	return 0;
out:
	auth_methods_free(&m);
	return r;
}

/* 1 if the comma list starts with method. */
static int head_is(const char *list, const char *method)
{
	size_t n = strlen(method);

	return strncmp(list, method, n) == 0 && (list[n] == ',' || list[n] == '\0');
}

int auth_methods_allowed(const struct auth_method_lists *m, const char *method)
{
	if (m->n == 0)
		return 1;
	for (size_t i = 0; i < m->n; i++)
		if (head_is(m->list[i], method))
			return 1;
	return 0;
}

int auth_methods_update(struct auth_method_lists *m, const char *method)
{
	int done = 0;

	if (m->n == 0)
		return 1;
	for (size_t i = 0; i < m->n; i++) {
		char *l = m->list[i];
		size_t n = strlen(method);

		if (!head_is(l, method))
			continue;
		memmove(l, l + n + (l[n] == ','), strlen(l + n + (l[n] == ',')) + 1);
		if (*l == '\0')
			done = 1;
	}
	return done;
}

void auth_methods_continue(const struct auth_method_lists *m, int password, int kbdint,
			   char *out, size_t len)
{
	static const char *const order[] = { "publickey", "password", "keyboard-interactive" };
	size_t used = 0;

	if (len == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		size_t n = strlen(order[i]);

		if ((i == 1 && !password) || (i == 2 && !kbdint) ||
		    !auth_methods_allowed(m, order[i]))
			continue;
		if (used + n + 2 > len)
			break;
		if (used > 0)
			out[used++] = ',';
		memcpy(out + used, order[i], n + 1);
		used += n;
	}
}
