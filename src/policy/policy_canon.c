/*
 * Canonical host forms and "host:port" rule entries for the forwarding
 * policy. A rule and a request are compared only in these forms, so the
 * many spellings inet_aton(3) accepts for one IPv4 address, the several
 * texts of one IPv6 address, upper case and trailing dots all collapse to
 * one string before any comparison.
 */
#include "policy/policy.h"
#include "policy/policy_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

#define PC_NAME_MAX 255 /* longest DNS name (RFC 1035 2.3.4) */

static int pc_put(const char *s, char *out, size_t outlen)
{
	size_t n = strlen(s);

	if (n >= outlen)
		return ERR_TOO_LARGE;
	memcpy(out, s, n + 1);
	return 0;
}

/* A name may hold anything printable but blanks and the separators of addresses. */
static int pc_name_char_ok(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return 0;
	return c != ':' && c != '[' && c != ']' && c != '/' && c != '%' && c != ',';
}

int policy_canon_host(const char *host, char *out, size_t outlen)
{
	char tmp[PC_NAME_MAX + 1], text[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	struct in_addr a4;
	size_t n;

	if (host == NULL)
		return ERR_INVALID_ARG;
	n = strlen(host);
	/* "[::1]": brackets are only the URL/ssh notation around an address */
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	if (n == 0 || n > PC_NAME_MAX)
		return ERR_FORMAT;
	memcpy(tmp, host, n);
	tmp[n] = '\0';

	if (inet_pton(AF_INET6, tmp, &a6) == 1) {
		if (IN6_IS_ADDR_V4MAPPED(&a6)) {
			memcpy(&a4, &a6.s6_addr[12], sizeof(a4));
			if (inet_ntop(AF_INET, &a4, text, sizeof(text)) == NULL)
				return ERR_FORMAT;
		} else if (inet_ntop(AF_INET6, &a6, text, sizeof(text)) == NULL) {
			return ERR_FORMAT;
		}
		return pc_put(text, out, outlen);
	}
	for (size_t i = 0; i < n; i++) {
		if (!pc_name_char_ok((unsigned char)tmp[i]))
			return ERR_FORMAT;
		if (tmp[i] >= 'A' && tmp[i] <= 'Z')
			tmp[i] = (char)(tmp[i] - 'A' + 'a');
	}
	/* "localhost." and "127.0.0.1." are the same host as without the dot */
	while (n > 0 && tmp[n - 1] == '.')
		tmp[--n] = '\0';
	if (n == 0)
		return ERR_FORMAT;
	/*
	 * inet_aton takes 127.1, 0x7f000001, 2130706433 and 0177.0.0.1; so does
	 * the resolver when the name is connected to, hence the same here.
	 */
	if (inet_aton(tmp, &a4) != 0) {
		if (inet_ntop(AF_INET, &a4, text, sizeof(text)) == NULL)
			return ERR_FORMAT;
		return pc_put(text, out, outlen);
	}
	return pc_put(tmp, out, outlen);
}

/* "*" or a decimal port; 1 with *port (PC_PORT_ANY for "*") set, 0 if malformed. */
static int pc_parse_port(const char *s, long *port)
{
	long v = 0;

	if (strcmp(s, "*") == 0) {
		*port = PC_PORT_ANY;
		return 1;
	}
	if (*s == '\0' || strlen(s) > 5)
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
	}
	if (v > 65535)
		return 0;
	*port = v;
	return 1;
}

int pc_parse_entry(const char *entry, int bare_port_ok, struct pc_entry *e)
{
	char hostpart[PC_NAME_MAX + 3];
	const char *colon, *portpart;
	size_t hlen;

	if (entry[0] == '[') {
		const char *close = strchr(entry, ']');

		if (close == NULL || close[1] != ':')
			return ERR_FORMAT;
		colon = close + 1;
	} else {
		colon = strrchr(entry, ':');
		if (colon != NULL && strchr(entry, ':') != colon)
			return ERR_FORMAT; /* bare IPv6 needs brackets */
	}
	if (colon == NULL) {
		if (!bare_port_ok)
			return ERR_FORMAT;
		e->host[0] = '*';
		e->host[1] = '\0';
		return pc_parse_port(entry, &e->port) ? 0 : ERR_FORMAT;
	}
	hlen = (size_t)(colon - entry);
	portpart = colon + 1;
	if (hlen == 0 || hlen >= sizeof(hostpart))
		return ERR_FORMAT;
	memcpy(hostpart, entry, hlen);
	hostpart[hlen] = '\0';
	if (!pc_parse_port(portpart, &e->port))
		return ERR_FORMAT;
	if (strcmp(hostpart, "*") == 0) {
		e->host[0] = '*';
		e->host[1] = '\0';
		return 0;
	}
	return policy_canon_host(hostpart, e->host, sizeof(e->host)) == 0 ? 0 : ERR_FORMAT;
}

int pc_entry_matches(const struct pc_entry *e, const char *host, uint32_t port)
{
	if (e->port != PC_PORT_ANY && (uint32_t)e->port != port)
		return 0;
	return strcmp(e->host, "*") == 0 || strcmp(e->host, host) == 0;
}
