/*
 * The server's group for diffie-hellman-group-exchange: the system moduli
 * file (moduli(5)), one group per line of seven whitespace-separated fields
 *   time type tests tries size generator modulus
 * (decimal, except generator and modulus in hex; size is the modulus' bit
 * length minus one). Only safe primes (type 2) that passed a primality test
 * (tests without the "composite" bit 0x01) with tries > 0 are used. Any line
 * that does not parse exactly is skipped. Without a usable line the RFC 3526
 * groups stand in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/tp_int.h"
#include "util/err.h"
#include "util/log.h"

#define MODULI_TYPE_SAFE 2
#define MODULI_TESTS_COMPOSITE 0x01
#define MODULI_FIELDS 7
#define MODULI_MAX_HEX (16384 / 4) /* largest modulus we read: 16384 bits */
#define MODULI_MAX_CAND 64         /* equally good groups kept to pick from */

/* Decimal digits only, value <= max. */
static int parse_dec(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (*s == '\0')
		return ERR_FORMAT;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return ERR_FORMAT;
		if (v > (max - (unsigned long long)(*s - '0')) / 10)
			return ERR_TOO_LARGE;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	*out = v;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digits (odd count allowed) to big-endian bytes; out holds (len+1)/2 bytes. */
static int parse_hex(const char *s, uint8_t *out, size_t max, size_t *n)
{
	size_t len = strlen(s), nb = (len + 1) / 2, i = 0, o = 0;

	if (len == 0 || len > max * 2)
		return ERR_FORMAT;
	if (len % 2 == 1) {
		if (hexval(s[0]) < 0)
			return ERR_FORMAT;
		out[o++] = (uint8_t)hexval(s[0]);
		i = 1;
	}
	for (; i < len; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);

		if (hi < 0 || lo < 0)
			return ERR_FORMAT;
		out[o++] = (uint8_t)(hi << 4 | lo);
	}
	*n = nb;
	return 0;
}

/* One line into a group and its size; ERR_FORMAT (or another error) for a line to skip. */
static int parse_line(char *line, struct kex_dh_group **out, unsigned *bits)
{
	uint8_t mod[MODULI_MAX_HEX / 2], gen[MODULI_MAX_HEX / 2];
	char *f[MODULI_FIELDS + 1], *save = NULL, *tok;
	unsigned long long v[5];
	size_t nf = 0, mod_len, gen_len;
	struct kex_dh_group *grp = NULL;
	int r;

	for (tok = strtok_r(line, " \t\r\n", &save); tok != NULL && nf <= MODULI_FIELDS;
	     tok = strtok_r(NULL, " \t\r\n", &save))
		f[nf++] = tok;
	if (nf != MODULI_FIELDS)
		return ERR_FORMAT;
	for (int i = 0; i < 5; i++)
		if ((r = parse_dec(f[i], i == 0 ? 99999999999999ull : 0xffffffffull, &v[i])) != 0)
			return r;
	if (v[1] != MODULI_TYPE_SAFE || (v[2] & MODULI_TESTS_COMPOSITE) != 0 ||
	    (v[2] & ~(unsigned long long)MODULI_TESTS_COMPOSITE) == 0 || v[3] == 0 ||
	    v[4] < 1 || v[4] >= 16384)
		return ERR_FORMAT;
	if ((r = parse_hex(f[5], gen, sizeof(gen), &gen_len)) != 0 ||
	    (r = parse_hex(f[6], mod, sizeof(mod), &mod_len)) != 0)
		return r;
	/* The group checks p odd and 1 < g < p-1. */
	if ((r = kex_dh_group_new(mod, mod_len, gen, gen_len, &grp)) != 0)
		return r;
	if (kex_dh_group_bits(grp) != v[4] + 1) {
		kex_dh_group_free(grp);
		return ERR_FORMAT;
	}
	*bits = (unsigned)v[4] + 1;
	*out = grp;
	return 0;
}

/* Is size a a better choice than b for want? >= want and closest, else the largest. */
static int better(unsigned a, unsigned b, uint32_t want)
{
	if (a >= want && b >= want)
		return a < b;
	if (a >= want || b >= want)
		return a >= want;
	return a > b;
}

struct cands {
	struct kex_dh_group *g[MODULI_MAX_CAND];
	size_t n;      /* kept */
	size_t seen;   /* equally good groups seen (reservoir sampling beyond n) */
	unsigned bits;
};

static void cands_clear(struct cands *c)
{
	for (size_t i = 0; i < c->n; i++)
		kex_dh_group_free(c->g[i]);
	c->n = c->seen = 0;
	c->bits = 0;
}

/* Offer one group; takes ownership. */
static void cands_offer(struct cands *c, struct kex_dh_group *grp, unsigned bits, uint32_t want)
{
	uint32_t rnd = 0;

	if (c->seen > 0 && bits != c->bits && !better(bits, c->bits, want)) {
		kex_dh_group_free(grp);
		return;
	}
	if (c->seen > 0 && bits != c->bits)
		cands_clear(c);
	c->bits = bits;
	c->seen++;
	if (c->n < MODULI_MAX_CAND) {
		c->g[c->n++] = grp;
		return;
	}
	/* Keep a uniform choice among all equally good lines even past the array. */
	if (crypto_random(&rnd, sizeof(rnd)) == 0 && rnd % c->seen < MODULI_MAX_CAND) {
		kex_dh_group_free(c->g[rnd % MODULI_MAX_CAND]);
		c->g[rnd % MODULI_MAX_CAND] = grp;
		return;
	}
	kex_dh_group_free(grp);
}

static void read_file(const char *path, uint32_t min, uint32_t want, uint32_t max,
		      struct cands *c)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0, bad = 0;
	struct kex_dh_group *grp;
	unsigned bits;
	ssize_t len;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		log_debug("moduli file %s: cannot open; using the built-in groups", path);
		return;
	}
	while ((len = getline(&line, &cap, fp)) >= 0) {
		char *s = line;

		lineno++;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '#' || *s == '\n' || *s == '\r' || *s == '\0')
			continue;
		if (parse_line(s, &grp, &bits) != 0) {
			bad++;
			log_debug("%s:%zu: malformed moduli line skipped", path, lineno);
			continue;
		}
		if (bits < min || bits > max) {
			kex_dh_group_free(grp);
			continue;
		}
		cands_offer(c, grp, bits, want);
	}
	free(line);
	fclose(fp);
	if (bad > 0)
		log_debug("moduli file %s: %zu malformed lines skipped", path, bad);
}

int tp_moduli_choose(const char *path, uint32_t min, uint32_t want, uint32_t max,
		     struct kex_dh_group **out)
{
	static const unsigned modp[] = { 2048, 4096, 8192 };
	struct cands c;
	uint32_t rnd = 0;
	size_t pick = 0;
	int r;

	memset(&c, 0, sizeof(c));
	if (path != NULL)
		read_file(path, min, want, max, &c);
	if (c.n == 0) {
		unsigned best = 0;

		for (size_t i = 0; i < sizeof(modp) / sizeof(modp[0]); i++)
			if (modp[i] >= min && modp[i] <= max && (best == 0 || better(modp[i], best, want)))
				best = modp[i];
		if (best == 0)
			return ERR_NOT_FOUND;
		log_debug("group exchange: RFC 3526 group of %u bits", best);
		return kex_dh_group_modp(best, out);
	}
	if (c.n > 1) {
		if ((r = crypto_random(&rnd, sizeof(rnd))) != 0) {
			cands_clear(&c);
			return r;
		}
		pick = rnd % c.n;
	}
	log_debug("group exchange: %u-bit group %zu of %zu from %s", c.bits, pick + 1, c.seen,
		  path);
	*out = c.g[pick];
	c.g[pick] = NULL;
	for (size_t i = 0; i < c.n; i++)
		kex_dh_group_free(c.g[i]);
	return 0;
}
