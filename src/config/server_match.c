/*
 * sshd_config(5) Match blocks: criteria parsed and lines stored at load
 * time, applied per connection by scfg_apply_match().
 */
#include "config/server_internal.h"

#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "config/alglist.h"
#include "config/match.h"
#include "config/values.h"
#include "util/err.h"
#include "util/mem.h"

/* More criteria than this on one Match line is not a sensible file. */
#define MATCH_MAX_CRIT 16
/* Upper bound for getgrouplist (NGROUPS_MAX on Linux is 65536). */
#define MATCH_MAX_GROUPS 65536

enum crit_type { CRIT_ALL, CRIT_USER, CRIT_GROUP, CRIT_HOST, CRIT_ADDRESS,
		 CRIT_LOCALADDRESS, CRIT_LOCALPORT };

struct crit {
	enum crit_type type;
	char *value;       /* pattern list (NULL for All) */
	int port;          /* LocalPort */
};

struct mline {
	char *text;
	char *file;
	unsigned long line;
};

struct scfg_match {
	struct scfg_match *next;
	struct crit crit[MATCH_MAX_CRIT];
	int n_crit;
	struct mline *lines;
	int n_lines;
	int cap_lines;
};

static const struct { const char *name; enum crit_type type; } crit_names[] = {
	{ "User", CRIT_USER }, { "Group", CRIT_GROUP }, { "Host", CRIT_HOST },
	{ "Address", CRIT_ADDRESS }, { "LocalAddress", CRIT_LOCALADDRESS },
	{ "LocalPort", CRIT_LOCALPORT },
};

static int default_groups(const char *user, char ***names, int *n);
static scfg_groups_fn groups_fn = default_groups;

void scfg_set_groups_fn(scfg_groups_fn fn)
{
	groups_fn = fn != NULL ? fn : default_groups;
}

static void free_names(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The user's primary and supplementary groups by name (getgrouplist). */
static int default_groups(const char *user, char ***names, int *n)
{
	struct passwd *pw;
	gid_t *gids = NULL;
	char **v = NULL;
	int ng = 16, k = 0, r = ERR_NOT_FOUND;

	if ((pw = getpwnam(user)) == NULL)
		return ERR_NOT_FOUND;
	for (;;) {
		int want = ng;
		gid_t *g = realloc(gids, (size_t)ng * sizeof(*gids));

		if (g == NULL) {
			r = ERR_ALLOC;
			goto out;
		}
		gids = g;
		if (getgrouplist(user, pw->pw_gid, gids, &ng) >= 0)
			break;
		/* ng now holds the number needed (glibc); grow at least a bit. */
		if (ng <= want)
			ng = want * 2;
		if (ng > MATCH_MAX_GROUPS)
			goto out;
	}
	if ((v = calloc((size_t)ng + 1, sizeof(*v))) == NULL) {
		r = ERR_ALLOC;
		goto out;
	}
	for (int i = 0; i < ng; i++) {
		struct group *gr = getgrgid(gids[i]);

		if (gr == NULL)
			continue;
		if ((v[k] = mem_strdup(gr->gr_name)) == NULL) {
			r = ERR_ALLOC;
			goto out;
		}
		k++;
	}
	*names = v;
	*n = k;
	v = NULL;
	r = 0;
out:
	if (v != NULL)
		free_names(v, k);
	free(gids);
	return r;
}

/* As sshd: a negated match on any group vetoes the whole criterion. */
static int group_matches(const char *user, const char *list)
{
	char **names = NULL;
	int n = 0, found = 0;

	if (groups_fn(user, &names, &n) != 0)
		return 0;
	for (int i = 0; i < n; i++) {
		int m = cfg_match_pattern_list(names[i], list, 0);

		if (m < 0) {
			found = 0;
			break;
		}
		if (m > 0)
			found = 1;
	}
	free_names(names, n);
	return found;
}

static void match_free_one(struct scfg_match *m)
{
	for (int i = 0; i < m->n_crit; i++)
		free(m->crit[i].value);
	for (int i = 0; i < m->n_lines; i++) {
		free(m->lines[i].text);
		free(m->lines[i].file);
	}
	free(m->lines);
	free(m);
}

void scfg_matches_free(struct scfg_match *m)
{
	while (m != NULL) {
		struct scfg_match *next = m->next;

		match_free_one(m);
		m = next;
	}
}

int scfg_match_add_line(struct scfg_match *m, const char *text, const char *file,
			unsigned long line)
{
	struct mline *ml;
	size_t len;

	if (m->n_lines == m->cap_lines) {
		int cap = m->cap_lines == 0 ? 8 : m->cap_lines * 2;

		if (cap <= m->cap_lines || (size_t)cap > SIZE_MAX / sizeof(*ml))
			return ERR_TOO_LARGE;
		if ((ml = realloc(m->lines, (size_t)cap * sizeof(*ml))) == NULL)
			return ERR_ALLOC;
		m->lines = ml;
		m->cap_lines = cap;
	}
	ml = &m->lines[m->n_lines];
	/* Stored without the newline so messages and copies stay tidy. */
	len = strcspn(text, "\r\n");
	if ((ml->text = strndup(text, len)) == NULL)
		return ERR_ALLOC;
	if ((ml->file = mem_strdup(file)) == NULL) {
		free(ml->text);
		return ERR_ALLOC;
	}
	ml->line = line;
	m->n_lines++;
	return 0;
}

/*
 * One criterion "Attr value" or "Attr=value" at args[*i]; advances *i.
 * Prints sshd's complaint and returns ERR_FORMAT; *bad_cond set when sshd
 * follows it with "Bad Match condition".
 */
static int parse_crit(const struct cfg_line *l, int *i, const char *file, unsigned long line,
		      struct crit *c, int *bad_cond)
{
	const char *arg = l->args[*i], *eq = strchr(arg, '='), *val;
	size_t alen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
	int found = -1;

	*bad_cond = 1;
	if (alen == 3 && strncasecmp(arg, "all", 3) == 0) {
		if (l->nargs > 1) {
			fprintf(stderr, "'all' cannot be combined with other Match attributes\n");
			return ERR_FORMAT;
		}
		c->type = CRIT_ALL;
		(*i)++;
		return 0;
	}
	if (eq != NULL)
		val = eq + 1;
	else
		val = *i + 1 < l->nargs ? l->args[*i + 1] : NULL;
	if (val == NULL || *val == '\0') {
		fprintf(stderr, "Missing Match criteria for %.*s\n", (int)alen, arg);
		return ERR_FORMAT;
	}
	for (size_t k = 0; k < sizeof(crit_names) / sizeof(crit_names[0]); k++)
		if (strlen(crit_names[k].name) == alen &&
		    strncasecmp(arg, crit_names[k].name, alen) == 0)
			found = (int)k;
	if (found < 0 && alen == 7 && strncasecmp(arg, "RDomain", 7) == 0) {
		fprintf(stderr, "%s line %lu: Match RDomain is not supported by burrowd yet\n",
			file, line);
		*bad_cond = 0;
		return ERR_FORMAT;
	}
	if (found < 0) {
		fprintf(stderr, "Unsupported Match attribute %.*s\n", (int)alen, arg);
		return ERR_FORMAT;
	}
	c->type = crit_names[found].type;
	if (c->type == CRIT_LOCALPORT && (c->port = cfg_parse_port0(val)) < 0) {
		fprintf(stderr, "Invalid LocalPort '%s' on Match line\n", val);
		return ERR_FORMAT;
	}
	if ((c->type == CRIT_ADDRESS || c->type == CRIT_LOCALADDRESS) &&
	    cfg_match_addr_list(NULL, val) < 0) {
		fprintf(stderr, "Invalid Match %s argument '%s' at line %lu\n",
			c->type == CRIT_ADDRESS ? "address" : "localaddress", val, line);
		*bad_cond = 0;
		return ERR_FORMAT;
	}
	if ((c->value = mem_strdup(val)) == NULL)
		return ERR_ALLOC;
	*i += eq != NULL ? 1 : 2;
	return 0;
}

int scfg_match_begin(struct server_config *c, const struct cfg_line *l, const char *file,
		     unsigned long line, struct scfg_match **cur)
{
	struct scfg_match *m, **tail;
	int i = 0, bad_cond = 0, r = 0;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return ERR_ALLOC;
	while (i < l->nargs) {
		if (m->n_crit == MATCH_MAX_CRIT) {
			fprintf(stderr, "%s line %lu: too many Match criteria\n", file, line);
			r = ERR_FORMAT;
			goto out;
		}
		if ((r = parse_crit(l, &i, file, line, &m->crit[m->n_crit], &bad_cond)) != 0)
			goto out;
		m->n_crit++;
	}
	for (tail = &c->matches; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = m;
	*cur = m;
	m = NULL;
out:
	if (r == ERR_FORMAT && bad_cond)
		fprintf(stderr, "%s line %lu: Bad Match condition\n", file, line);
	if (m != NULL)
		match_free_one(m);
	return r;
}

static int crit_matches(const struct crit *c, const struct scfg_conn_info *ci)
{
	if (c->type == CRIT_ALL)
		return 1;
	if (ci == NULL)
		return 0;
	switch (c->type) {
	case CRIT_USER:
		return ci->user != NULL && cfg_match_pattern_list(ci->user, c->value, 0) == 1;
	case CRIT_GROUP:
		return ci->user != NULL && group_matches(ci->user, c->value);
	case CRIT_HOST:
		return ci->host != NULL && cfg_match_pattern_list(ci->host, c->value, 1) == 1;
	case CRIT_ADDRESS:
		return ci->addr != NULL && cfg_match_addr_list(ci->addr, c->value) == 1;
	case CRIT_LOCALADDRESS:
		return ci->laddr != NULL && cfg_match_addr_list(ci->laddr, c->value) == 1;
	case CRIT_LOCALPORT:
		return ci->lport > 0 && ci->lport == c->port;
	default:
		return 0;
	}
}

static int block_matches(const struct scfg_match *m, const struct scfg_conn_info *ci)
{
	for (int i = 0; i < m->n_crit; i++)
		if (!crit_matches(&m->crit[i], ci))
			return 0;
	return 1;
}

static void override_int(int *dst, int v)
{
	if (v != -1)
		*dst = v;
}

static void override_list(char **dst, int *dn, char **src, int *sn)
{
	if (*sn == 0)
		return;
	for (int i = 0; i < *dn; i++)
		free(dst[i]);
	for (int i = 0; i < *sn; i++)
		dst[i] = src[i];
	*dn = *sn;
	*sn = 0;
}

static void override_str(char **dst, char **src)
{
	if (*src == NULL)
		return;
	free(*dst);
	*dst = *src;
	*src = NULL;
}

/*
 * Algorithm lists a block gives are resolved against the defaults, like the
 * global ones. They were checked when the file was read.
 */
static int override_alg(enum cfg_alg_kind kind, char **dst, char **src)
{
	char *res;
	int r;

	if (*src == NULL)
		return 0;
	if ((r = cfg_alg_resolve(kind, *src, &res)) != 0)
		return r;
	free(*dst);
	*dst = res;
	return 0;
}

/* Values a matching block set replace the global ones (Match-allowed keywords only). */
static int override(struct server_config *c, struct server_config *m)
{
	int r;

	if ((r = override_alg(CFG_ALG_KEY, &c->pubkey_accepted_algorithms,
			      &m->pubkey_accepted_algorithms)) != 0 ||
	    (r = override_alg(CFG_ALG_CASIG, &c->ca_signature_algorithms,
			      &m->ca_signature_algorithms)) != 0)
		return r;
	if (m->trusted_user_ca_keys != NULL) {
		override_str(&c->trusted_user_ca_keys, &m->trusted_user_ca_keys);
		scfg_none_is_null(&c->trusted_user_ca_keys);
	}
	override_int(&c->allow_agent_forwarding, m->allow_agent_forwarding);
	override_int(&c->permit_tty, m->permit_tty);
	override_int(&c->client_alive_interval, m->client_alive_interval);
	override_int(&c->client_alive_count_max, m->client_alive_count_max);
	override_int(&c->log_level, m->log_level);
	override_int(&c->permit_root_login, m->permit_root_login);
	override_int(&c->max_auth_tries, m->max_auth_tries);
	override_int(&c->allow_tcp_forwarding, m->allow_tcp_forwarding);
	override_int(&c->allow_streamlocal_forwarding, m->allow_streamlocal_forwarding);
	override_int(&c->disable_forwarding, m->disable_forwarding);
	override_int(&c->gateway_ports, m->gateway_ports);
	scfg_auth_override(c, m);
	if (m->rekey_bytes != -1)
		c->rekey_bytes = m->rekey_bytes;
	if (m->rekey_seconds != -1)
		c->rekey_seconds = m->rekey_seconds;
	override_list(c->authorized_keys_files, &c->n_authorized_keys_files,
		      m->authorized_keys_files, &m->n_authorized_keys_files);
	override_list(c->permit_open, &c->n_permit_open, m->permit_open, &m->n_permit_open);
	override_list(c->permit_listen, &c->n_permit_listen, m->permit_listen,
		      &m->n_permit_listen);
	override_list(c->accept_env, &c->n_accept_env, m->accept_env, &m->n_accept_env);
	return 0;
}

int scfg_apply_match(struct server_config *c, const struct scfg_conn_info *ci)
{
	struct server_config m;
	int r = 0;

	/* Applied in file order to an empty config: first value wins among blocks. */
	scfg_init(&m);
	for (const struct scfg_match *b = c->matches; b != NULL && r == 0; b = b->next) {
		if (!block_matches(b, ci))
			continue;
		for (int i = 0; i < b->n_lines && r == 0; i++)
			r = scfg_apply(&m, b->lines[i].text, b->lines[i].file, b->lines[i].line);
	}
	if (r == 0)
		r = override(c, &m);
	scfg_free(&m);
	return r;
}

int scfg_matches_use_lport(const struct scfg_match *m)
{
	for (; m != NULL; m = m->next)
		for (int i = 0; i < m->n_crit; i++)
			if (m->crit[i].type == CRIT_LOCALPORT)
				return 1;
	return 0;
}

int scfg_matches_copy(const struct scfg_match *src, struct scfg_match **dst)
{
	struct scfg_match *head = NULL, **tail = &head;
	int r = 0;

	for (; src != NULL; src = src->next) {
		struct scfg_match *m;

		if ((m = calloc(1, sizeof(*m))) == NULL) {
			r = ERR_ALLOC;
			goto out;
		}
		*tail = m;
		tail = &m->next;
		for (int i = 0; i < src->n_crit; i++) {
			m->crit[i] = src->crit[i];
			m->crit[i].value = NULL;
			m->n_crit++;
			if (src->crit[i].value != NULL &&
			    (m->crit[i].value = mem_strdup(src->crit[i].value)) == NULL) {
				r = ERR_ALLOC;
				goto out;
			}
		}
		for (int i = 0; i < src->n_lines; i++)
			if ((r = scfg_match_add_line(m, src->lines[i].text, src->lines[i].file,
						     src->lines[i].line)) != 0)
				goto out;
	}
	*dst = head;
	head = NULL;
out:
	scfg_matches_free(head);
	return r;
}
