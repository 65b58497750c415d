/* Algorithm list syntax (+ - ^ and patterns) resolved against the crypto layer's lists. */
#include "config/alglist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/match.h"
#include "crypto/crypto.h"
#include "crypto/key.h"
#include "util/err.h"
#include "util/mem.h"

/* Longest algorithm name we report as bad (longer ones are cut). */
#define ALG_NAME_MAX 128

/* A growing comma list of distinct names. */
struct namelist {
	char *s;
	size_t len;
	size_t cap;
};

/*
 * The next entry of a comma list (empty ones too) as e[0..l), moving *p past
 * it and its comma; 0 at the end of the list.
 */
static int next_entry(const char **p, const char **e, size_t *l)
{
	if (**p == '\0')
		return 0;
	*e = *p;
	*l = strcspn(*p, ",");
	*p += *l;
	if (**p == ',')
		(*p)++;
	return 1;
}

/* 1 if the comma list `list` has the entry name[0..n). */
static int list_has(const char *list, const char *name, size_t n)
{
	const char *p = list, *e;
	size_t l;

	while (p != NULL && next_entry(&p, &e, &l))
		if (l == n && memcmp(e, name, n) == 0)
			return 1;
	return 0;
}

static int nl_add(struct namelist *nl, const char *name, size_t n)
{
	size_t need;
	char *ns;

	if (n == 0 || (nl->s != NULL && list_has(nl->s, name, n)))
		return 0;
	/* room for ',' + name + NUL */
	if (mem_add_size(nl->len, n, &need) != 0 || mem_add_size(need, 2, &need) != 0)
		return ERR_TOO_LARGE;
	if (need > nl->cap) {
		size_t cap = nl->cap < 64 ? 64 : nl->cap;

		while (cap < need) {
			if (mem_add_size(cap, cap, &cap) != 0)
				return ERR_TOO_LARGE;
		}
		if ((ns = realloc(nl->s, cap)) == NULL)
			return ERR_ALLOC;
		nl->s = ns;
		nl->cap = cap;
	}
	if (nl->len > 0)
		nl->s[nl->len++] = ',';
	memcpy(nl->s + nl->len, name, n);
	nl->len += n;
	nl->s[nl->len] = '\0';
	return 0;
}

/* Hand the list over (an empty one as ""). */
static int nl_take(struct namelist *nl, char **out)
{
	if (nl->s == NULL && (nl->s = mem_strdup("")) == NULL)
		return ERR_ALLOC;
	*out = nl->s;
	nl->s = NULL;
	return 0;
}

/* Copy of the entry p[0..n) as a C string in buf (cut to fit). */
static const char *entry(char *buf, size_t size, const char *p, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

/* Add every name of `from` that matches pattern (in from's order). */
static int add_matching(struct namelist *nl, const char *from, const char *pattern)
{
	char name[ALG_NAME_MAX];
	const char *p = from, *e;
	size_t l;
	int r;

	while (next_entry(&p, &e, &l))
		if (l > 0 && l < sizeof(name) &&
		    cfg_match_pattern(entry(name, sizeof(name), e, l), pattern, 0) &&
		    (r = nl_add(nl, e, l)) != 0)
			return r;
	return 0;
}

/* Add the supported names matching each pattern of the comma list pats, in turn. */
static int add_patterns(struct namelist *nl, const char *pats, const char *supported)
{
	char pat[ALG_NAME_MAX];
	const char *p = pats, *e;
	size_t l;
	int r;

	while (next_entry(&p, &e, &l)) {
		if (l == 0)
			continue;
		if (e[0] == '!' || l >= sizeof(pat))
			return ERR_FORMAT;
		if ((r = add_matching(nl, supported, entry(pat, sizeof(pat), e, l))) != 0)
			return r;
	}
	return 0;
}

static int add_all(struct namelist *nl, const char *list)
{
	const char *p = list, *e;
	size_t l;
	int r;

	while (next_entry(&p, &e, &l))
		if ((r = nl_add(nl, e, l)) != 0)
			return r;
	return 0;
}

/* Default names that match none of the patterns. */
static int add_except(struct namelist *nl, const char *def, const char *pats)
{
	char name[ALG_NAME_MAX];
	const char *p = def, *e;
	size_t l;
	int r;

	while (next_entry(&p, &e, &l))
		if (l > 0 && (l >= sizeof(name) ||
			      cfg_match_pattern_list(entry(name, sizeof(name), e, l), pats, 0) != 1) &&
		    (r = nl_add(nl, e, l)) != 0)
			return r;
	return 0;
}

int cfg_alg_assemble(const char *spec, const char *def, const char *supported, char **out)
{
	struct namelist nl = { NULL, 0, 0 };
	int r;

	if (spec == NULL || spec[0] == '\0')
		r = add_all(&nl, def);
	else if (spec[0] == '-')
		r = add_except(&nl, def, spec + 1);
	else if (spec[0] == '+') {
		/* The default stays as it is; only supported names are added. */
		if ((r = add_all(&nl, def)) == 0)
			r = add_patterns(&nl, spec + 1, supported);
	} else if (spec[0] == '^') {
		if ((r = add_patterns(&nl, spec + 1, supported)) == 0)
			r = add_all(&nl, def);
	} else {
		r = add_patterns(&nl, spec, supported);
	}
	if (r == 0)
		r = nl_take(&nl, out);
	free(nl.s);
	return r;
}

/* A pattern that matches some name of the list. */
static int matches_some(const char *list, const char *pattern)
{
	char name[ALG_NAME_MAX];
	const char *p = list, *e;
	size_t l;

	while (next_entry(&p, &e, &l))
		if (l > 0 && l < sizeof(name) &&
		    cfg_match_pattern(entry(name, sizeof(name), e, l), pattern, 0))
			return 1;
	return 0;
}

int cfg_alg_check(const char *spec, const char *supported, int wildcards, const char **bad)
{
	static char badname[ALG_NAME_MAX];
	const char *p = spec, *e;
	size_t l;
	int n = 0;

	if (spec[0] == '-')
		return 0;
	if (spec[0] == '+' || spec[0] == '^')
		p++;
	while (next_entry(&p, &e, &l)) {
		const char *name = entry(badname, sizeof(badname), e, l);
		int ok;

		if (l == 0 || l >= sizeof(badname) || name[0] == '!')
			ok = 0;
		else if (wildcards && strpbrk(name, "*?") != NULL)
			ok = matches_some(supported, name);
		else
			ok = list_has(supported, e, l);
		if (!ok) {
			if (bad != NULL)
				*bad = badname;
			return ERR_FORMAT;
		}
		n++;
	}
	if (n == 0) {
		if (bad != NULL)
			*bad = "";
		return ERR_FORMAT;
	}
	return 0;
}

static int is_cert_name(const char *p, size_t n)
{
	static const char suffix[] = "-cert-v01@openssh.com";
	size_t sl = sizeof(suffix) - 1;

	return n >= sl && memcmp(p + n - sl, suffix, sl) == 0;
}

/* The names of list that are (cert = 1) or are not (cert = 0) certificate names. */
static int filter_certs(const char *list, int cert, char **out)
{
	struct namelist nl = { NULL, 0, 0 };
	const char *p = list, *e;
	size_t l;
	int r = 0;

	while (r == 0 && next_entry(&p, &e, &l))
		if (l > 0 && is_cert_name(e, l) == cert)
			r = nl_add(&nl, e, l);
	if (r == 0)
		r = nl_take(&nl, out);
	free(nl.s);
	return r;
}

/*
 * OpenSSH lists key algorithms ("all" for patterns and +/^, and ssh -Q) in
 * its key type table's order, each plain name followed by its certificate,
 * not in the HostKeyAlgorithms preference order (ssh -Q key-sig, 9.2).
 */
static const char *const key_order[] = {
	"ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com",
	"sk-ssh-ed25519@openssh.com", "sk-ssh-ed25519-cert-v01@openssh.com",
	"ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256-cert-v01@openssh.com",
	"ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384-cert-v01@openssh.com",
	"ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521-cert-v01@openssh.com",
	"sk-ecdsa-sha2-nistp256@openssh.com", "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
	"webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
	"ssh-dss", "ssh-dss-cert-v01@openssh.com",
	"ssh-rsa", "ssh-rsa-cert-v01@openssh.com",
	"rsa-sha2-256", "rsa-sha2-256-cert-v01@openssh.com",
	"rsa-sha2-512", "rsa-sha2-512-cert-v01@openssh.com",
};

/* The names of list in key_order's order; names it lacks follow as they came. */
static int key_canonical(const char *list, char **out)
{
	struct namelist nl = { NULL, 0, 0 };
	int r = 0;

	for (size_t i = 0; r == 0 && i < sizeof(key_order) / sizeof(key_order[0]); i++)
		if (list_has(list, key_order[i], strlen(key_order[i])))
			r = nl_add(&nl, key_order[i], strlen(key_order[i]));
	if (r == 0)
		r = add_all(&nl, list);
	if (r == 0)
		r = nl_take(&nl, out);
	free(nl.s);
	return r;
}

int cfg_alg_key_order(const char *list, char **out)
{
	return key_canonical(list, out);
}

int cfg_alg_lists(enum cfg_alg_kind kind, char **def, char **supported)
{
	const char *d, *s;
	char *dd = NULL, *ss = NULL;
	int r;

	switch (kind) {
	case CFG_ALG_CIPHER:
		d = cipher_default_list();
		s = cipher_supported_list();
		break;
	case CFG_ALG_MAC:
		d = mac_default_list();
		s = mac_supported_list();
		break;
	case CFG_ALG_KEX:
		d = kex_default_list();
		s = kex_supported_list();
		break;
	case CFG_ALG_KEY:
		if ((dd = mem_strdup(key_alg_default_list())) == NULL) {
			r = ERR_ALLOC;
			goto fail;
		}
		if ((r = key_canonical(key_alg_supported_list(), &ss)) != 0)
			goto fail;
		*def = dd;
		*supported = ss;
		return 0;
	case CFG_ALG_CASIG: {
		char *all = NULL;

		/* CAs sign with plain algorithms only (PROTOCOL.certkeys). */
		if ((r = filter_certs(key_alg_default_list(), 0, &dd)) != 0 ||
		    (r = key_canonical(key_alg_supported_list(), &all)) != 0)
			goto fail;
		r = filter_certs(all, 0, &ss);
		free(all);
		if (r != 0)
			goto fail;
		*def = dd;
		*supported = ss;
		return 0;
	}
	default:
		return ERR_INVALID_ARG;
	}
	if ((dd = mem_strdup(d)) == NULL || (ss = mem_strdup(s)) == NULL) {
		r = ERR_ALLOC;
		goto fail;
	}
	*def = dd;
	*supported = ss;
	return 0;
fail:
	free(dd);
	free(ss);
	return r;
}

int cfg_alg_resolve(enum cfg_alg_kind kind, const char *spec, char **out)
{
	char *def = NULL, *sup = NULL;
	int r;

	if ((r = cfg_alg_lists(kind, &def, &sup)) == 0)
		r = cfg_alg_assemble(spec, def, sup, out);
	free(def);
	free(sup);
	return r;
}

int cfg_alg_resolve_inplace(enum cfg_alg_kind kind, char **spec)
{
	char *res;
	int r;

	if ((r = cfg_alg_resolve(kind, *spec, &res)) != 0)
		return r;
	free(*spec);
	*spec = res;
	return 0;
}

int cfg_alg_resolve_fields(const struct cfg_alg_fields *f)
{
	int r;

	if ((r = cfg_alg_resolve_inplace(CFG_ALG_CIPHER, f->ciphers)) != 0 ||
	    (r = cfg_alg_resolve_inplace(CFG_ALG_MAC, f->macs)) != 0 ||
	    (r = cfg_alg_resolve_inplace(CFG_ALG_KEX, f->kex)) != 0 ||
	    (r = cfg_alg_resolve_inplace(CFG_ALG_KEY, f->host_key)) != 0 ||
	    (r = cfg_alg_resolve_inplace(CFG_ALG_KEY, f->pubkey)) != 0 ||
	    (r = cfg_alg_resolve_inplace(CFG_ALG_CASIG, f->ca_sig)) != 0)
		return r;
	return 0;
}

/* Key keywords are checked against every key name, certificates included, as ssh does. */
static int check_kind(enum cfg_alg_kind kind, const char *spec, const char **bad)
{
	char *def = NULL, *sup = NULL;
	int r;

	if (kind == CFG_ALG_CASIG)
		kind = CFG_ALG_KEY;
	if ((r = cfg_alg_lists(kind, &def, &sup)) == 0)
		r = cfg_alg_check(spec, sup, kind == CFG_ALG_KEY, bad);
	free(def);
	free(sup);
	return r;
}

int cfg_alg_valid(enum cfg_alg_kind kind, const char *spec)
{
	if (spec[0] == '-')
		return 0;
	return check_kind(kind, spec, NULL) == 0;
}

int cfg_alg_check_kw(enum cfg_alg_kind kind, const char *spec, const char *file,
		     unsigned long line, int server)
{
	const char *bad = NULL;
	int r;

	if ((r = check_kind(kind, spec, &bad)) != ERR_FORMAT)
		return r;
	switch (kind) {
	case CFG_ALG_CIPHER:
		fprintf(stderr, "%s line %lu: Bad SSH2 cipher spec '%s'.\n", file, line, spec);
		break;
	case CFG_ALG_MAC:
		fprintf(stderr, "%s line %lu: Bad SSH2 %s spec '%s'.\n", file, line,
			server ? "mac" : "MAC", spec);
		break;
	case CFG_ALG_KEX:
		/* OpenSSH names the offending entry first. */
		if (bad != NULL && bad[0] != '\0')
			fprintf(stderr, "Unsupported KEX algorithm \"%s\"\n", bad);
		fprintf(stderr, "%s line %lu: Bad SSH2 KexAlgorithms '%s'.\n", file, line, spec);
		break;
	default:
		fprintf(stderr, "%s line %lu: Bad key types '%s'.\n", file, line, spec);
		break;
	}
	return ERR_FORMAT;
}
