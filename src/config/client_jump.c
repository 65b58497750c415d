/* ProxyJump / -J: "[user@]host[:port],..." hops, as ssh(1) checks them. */
#include "config/client_config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/client_internal.h"
#include "config/values.h"
#include "util/err.h"
#include "util/mem.h"

/*
 * One hop "[user@]host[:port]" (len bytes of s): the user ends at the last
 * '@', a host in brackets may hold ':', a port is 1..65535.
 */
static int parse_hop_plain(const char *s, size_t len, char **user, char **host, int *port)
{
	const char *end = s + len, *at = NULL, *h, *hend, *p;
	char *u = NULL, *hh = NULL, num[8];
	int pt = -1;

	for (const char *q = s; q < end; q++)
		if (*q == '@')
			at = q;
	h = s;
	if (at != NULL) {
		if (at == s)
			return ERR_FORMAT;
		h = at + 1;
	}
	if (h < end && *h == '[') {
		if ((hend = memchr(h, ']', (size_t)(end - h))) == NULL)
			return ERR_FORMAT;
		p = hend + 1;
		h++;
		if (p < end && *p != ':')
			return ERR_FORMAT;
	} else {
		if ((hend = memchr(h, ':', (size_t)(end - h))) == NULL)
			hend = end;
		p = hend;
	}
	if (!cfg_host_ok(h, (size_t)(hend - h)))
		return ERR_FORMAT;
	/* "host:" means the default port, as ssh takes it. */
	if (p < end && (size_t)(end - p) > 1) {
		size_t n = (size_t)(end - p - 1);

		if (n >= sizeof(num))
			return ERR_FORMAT;
		memcpy(num, p + 1, n);
		num[n] = '\0';
		if ((pt = cfg_parse_port(num)) < 0)
			return ERR_FORMAT;
	}
	if (at != NULL && (u = strndup(s, (size_t)(at - s))) == NULL)
		return ERR_ALLOC;
	if ((hh = strndup(h, (size_t)(hend - h))) == NULL) {
		free(u);
		return ERR_ALLOC;
	}
	*user = u;
	*host = hh;
	*port = pt;
	return 0;
}

/* A hop is either an ssh:// URI or the plain form. */
static int parse_hop(const char *s, size_t len, char **user, char **host, int *port)
{
	char *tmp;
	int r;

	if (len == 0)
		return ERR_FORMAT;
	if (len < 6 || strncasecmp(s, "ssh://", 6) != 0)
		return parse_hop_plain(s, len, user, host, port);
	if ((tmp = strndup(s + 6, len - 6)) == NULL)
		return ERR_ALLOC;
	r = cfg_parse_ssh_uri(tmp, user, host, port);
	free(tmp);
	return r;
}

int cfg_parse_jump(const char *s, char **user, char **host, int *port, char **rest)
{
	const char *p = s, *last = s;
	char *u = NULL, *h = NULL, *rs = NULL;
	int pt = -1, r;

	if (strcasecmp(s, "none") == 0)
		return ERR_INVALID_ARG;
	/* Check every hop; the last parsed is the one returned. */
	for (;;) {
		size_t n = strcspn(p, ",");

		free(u);
		free(h);
		u = h = NULL;
		if ((r = parse_hop(p, n, &u, &h, &pt)) != 0)
			goto out;
		last = p;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	if (last > s && (rs = strndup(s, (size_t)(last - s - 1))) == NULL) {
		r = ERR_ALLOC;
		goto out;
	}
	*user = u;
	*host = h;
	*port = pt;
	*rest = rs;
	return 0;
out:
	free(u);
	free(h);
	return r;
}
