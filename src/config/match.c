/* Wildcard and address pattern lists (sshd_config(5) PATTERNS). */
#include "config/match.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/err.h"

/* Longest list entry considered; longer ones never match (and are not CIDR). */
#define MATCH_ENTRY_MAX 1024

static int fold(int ch, int nocase)
{
	return nocase ? tolower((unsigned char)ch) : (unsigned char)ch;
}

/* Iterative '*' matching with one backtrack point: linear in practice. */
int cfg_match_pattern(const char *s, const char *p, int nocase)
{
	const char *star = NULL, *resume = NULL;

	while (*s != '\0') {
		if (*p == '*') {
			star = p++;
			resume = s;
		} else if (*p != '\0' && (*p == '?' || fold(*p, nocase) == fold(*s, nocase))) {
			p++;
			s++;
		} else if (star != NULL) {
			p = star + 1;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/*
 * Copy the next comma-separated entry of *list into buf (cut to len - 1,
 * flagged by *toolong) and advance. Returns 0 at the end of the list.
 */
static int next_entry(const char **list, char *buf, size_t len, int *toolong)
{
	const char *s = *list, *e;
	size_t n;

	if (*s == '\0')
		return 0;
	e = strchr(s, ',');
	if (e == NULL)
		e = s + strlen(s);
	n = (size_t)(e - s);
	*toolong = n >= len;
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*list = *e == ',' ? e + 1 : e;
	return 1;
}

int cfg_match_pattern_list(const char *name, const char *list, int nocase)
{
	char ent[MATCH_ENTRY_MAX];
	int found = 0, toolong;

	while (next_entry(&list, ent, sizeof(ent), &toolong)) {
		const char *p = ent;
		int neg = 0;

		if (*p == '!') {
			neg = 1;
			p++;
		}
		if (toolong || *p == '\0' || !cfg_match_pattern(name, p, nocase))
			continue;
		if (neg)
			return -1;
		found = 1;
	}
	return found;
}

struct cidr {
	int af;
	unsigned char a[16];
	unsigned bits;
};

/* An address in its family's byte form; 0 if s is no address. */
static int parse_ip(const char *s, struct cidr *c)
{
	if (inet_pton(AF_INET, s, c->a) == 1) {
		c->af = AF_INET;
		c->bits = 32;
		return 1;
	}
	if (inet_pton(AF_INET6, s, c->a) == 1) {
		c->af = AF_INET6;
		c->bits = 128;
		return 1;
	}
	return 0;
}

/*
 * "addr/bits" or "addr": 1 and *c if it is a CIDR block, 0 if the entry is not
 * CIDR-shaped (then it is a wildcard pattern, as in sshd), ERR_FORMAT if it
 * is CIDR-shaped but wrong (prefix too long, host bits set).
 */
static int parse_cidr(char *ent, struct cidr *c)
{
	char *slash = strchr(ent, '/'), *m;
	unsigned long bits = 0;
	unsigned i;

	if (slash == NULL)
		return parse_ip(ent, c); /* a plain address: compare numerically */
	if (slash[1] == '\0')
		return 0;
	for (m = slash + 1; *m != '\0'; m++) {
		if (*m < '0' || *m > '9')
			return 0;
		if (bits <= 128)
			bits = bits * 10 + (unsigned long)(*m - '0');
	}
	*slash = '\0';
	i = (unsigned)parse_ip(ent, c);
	*slash = '/';
	if (i == 0)
		return 0;
	if (bits > c->bits)
		return ERR_FORMAT;
	/* Bits beyond the prefix must be zero, as sshd insists. */
	for (i = (unsigned)bits; i < c->bits; i++)
		if (c->a[i / 8] & (0x80u >> (i % 8)))
			return ERR_FORMAT;
	c->bits = (unsigned)bits;
	return 1;
}

static int cidr_contains(const struct cidr *net, const struct cidr *ip)
{
	unsigned full = net->bits / 8, rest = net->bits % 8;

	if (net->af != ip->af)
		return 0;
	if (memcmp(net->a, ip->a, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((net->a[full] ^ ip->a[full]) & (0xffu << (8 - rest)) & 0xffu) == 0;
}

int cfg_match_addr_list(const char *addr, const char *list)
{
	char ent[MATCH_ENTRY_MAX];
	struct cidr ip, net;
	int have_ip, found = 0, negated = 0, toolong, r;

	have_ip = addr != NULL && parse_ip(addr, &ip);
	while (next_entry(&list, ent, sizeof(ent), &toolong)) {
		char *p = ent;
		int neg = 0, hit;

		if (*p == '!') {
			neg = 1;
			p++;
		}
		if (toolong || *p == '\0')
			continue;
		if ((r = parse_cidr(p, &net)) < 0)
			return r;
		if (addr == NULL)
			continue;
		if (r == 1)
			hit = have_ip && cidr_contains(&net, &ip);
		else
			hit = cfg_match_pattern(addr, p, 1);
		if (hit && neg)
			negated = 1;
		else if (hit)
			found = 1;
	}
	/* Validate the whole list before answering, so errors are never masked. */
	if (negated)
		return -1;
	return found;
}
