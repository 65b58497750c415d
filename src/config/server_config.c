/* sshd_config(5) lines and files for burrowd. */
#include "config/server_config.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "config/alglist.h"
#include "config/lexer.h"
#include "config/server_internal.h"
#include "config/values.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

/* sshd's limit on nested Include (READCONF_MAX_DEPTH). */
#define SCFG_MAX_DEPTH 16
/* Relative Include paths are under sshd's directory, as sshd_config(5) says. */
#define SCFG_INCLUDE_DIR "/etc/ssh/"

static int load_file_depth(struct server_config *c, const char *path, int must_exist,
			   int depth, struct scfg_match *cur);

void scfg_init(struct server_config *c)
{
	memset(c, 0, sizeof(*c));
	c->log_level = -1;
	c->permit_root_login = -1;
	c->max_auth_tries = -1;
	c->rekey_bytes = -1;
	c->rekey_seconds = -1;
	c->login_grace_time = -1;
	c->client_alive_interval = -1;
	c->client_alive_count_max = -1;
	c->address_family = -1;
	c->allow_tcp_forwarding = -1;
	c->allow_streamlocal_forwarding = -1;
	c->disable_forwarding = -1;
	c->gateway_ports = -1;
	c->compression = -1;
	c->allow_agent_forwarding = -1;
	c->print_motd = -1;
	c->permit_tty = -1;
	c->strict_modes = -1;
	scfg_auth_init(c);
}

static void free_list(char **v, int *n)
{
	for (int i = 0; i < *n; i++)
		free(v[i]);
	*n = 0;
}

void scfg_free(struct server_config *c)
{
	free(c->config_file);
	free_list(c->listen_addresses, &c->n_listen_addresses);
	free_list(c->host_keys, &c->n_host_keys);
	free_list(c->authorized_keys_files, &c->n_authorized_keys_files);
	free(c->pid_file);
	free(c->ciphers);
	free(c->macs);
	free(c->kex_algorithms);
	free(c->host_key_algorithms);
	free(c->pubkey_accepted_algorithms);
	free(c->ca_signature_algorithms);
	free(c->trusted_user_ca_keys);
	free_list(c->host_certificates, &c->n_host_certificates);
	free(c->log_file);
	free_list(c->permit_open, &c->n_permit_open);
	free_list(c->permit_listen, &c->n_permit_listen);
	scfg_matches_free(c->matches);
	free(c->dump_conn_spec);
	free_list(c->accept_env, &c->n_accept_env);
	free_list(c->subsystems, &c->n_subsystems);
	free(c->authentication_methods);
	scfg_init(c);
}

int scfg_list_add(char **v, int *n, const char *s)
{
	char *p;

	if (*n >= SCFG_MAX_LIST)
		return ERR_TOO_LARGE;
	if ((p = mem_strdup(s)) == NULL)
		return ERR_ALLOC;
	v[(*n)++] = p;
	return 0;
}

static int set_str(char **dst, const char *v)
{
	if (*dst == NULL && (*dst = mem_strdup(v)) == NULL)
		return ERR_ALLOC;
	return 0;
}

static void set_int(int *dst, int v)
{
	if (*dst == -1)
		*dst = v;
}

int scfg_parse_listen_address(const char *s, char **host, int *port)
{
	const char *colon = strchr(s, ':'), *hend, *p = NULL;
	const char *h = s;
	char *hh;
	int pt = 0;

	if (*s == '[') {
		if ((hend = strchr(s, ']')) == NULL || hend == s + 1)
			return ERR_FORMAT;
		h = s + 1;
		if (hend[1] == ':')
			p = hend + 2;
		else if (hend[1] != '\0')
			return ERR_FORMAT;
	} else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		/* Exactly one ':' is host:port; more is a bare IPv6 address. */
		hend = colon;
		p = colon + 1;
	} else {
		hend = s + strlen(s);
	}
	if (hend == h)
		return ERR_FORMAT;
	if (p != NULL && (pt = cfg_parse_port(p)) < 0)
		return ERR_INVALID_ARG;
	if ((hh = strndup(h, (size_t)(hend - h))) == NULL)
		return ERR_ALLOC;
	*host = hh;
	*port = pt;
	return 0;
}

/* sshd's integer wording: "invalid", "too small", "too large". */
static int parse_int_sshd(const char *v, const char *kw, const char *file, unsigned long line,
			  int *out)
{
	const char *why = NULL;
	int x, r;

	if (v[0] == '-' && v[1] >= '0' && v[1] <= '9' && cfg_parse_uint(v + 1, &x) != ERR_FORMAT)
		why = "too small";
	else if ((r = cfg_parse_uint(v, &x)) == ERR_TOO_LARGE)
		why = "too large";
	else if (r != 0)
		why = "invalid";
	if (why != NULL) {
		fprintf(stderr, "%s line %lu: %s integer value %s.\n", file, line, kw, why);
		return ERR_FORMAT;
	}
	*out = x;
	return 0;
}

static int parse_permit_root(const char *v)
{
	static const struct { const char *n; int v; } t[] = {
		{ "yes", PERMIT_ROOT_YES }, { "no", PERMIT_ROOT_NO },
		{ "prohibit-password", PERMIT_ROOT_PROHIBIT_PASSWORD },
		{ "without-password", PERMIT_ROOT_PROHIBIT_PASSWORD },
		{ "forced-commands-only", PERMIT_ROOT_FORCED_COMMANDS_ONLY },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcasecmp(v, t[i].n) == 0)
			return t[i].v;
	return -1;
}

static int parse_af(const char *v)
{
	if (strcasecmp(v, "any") == 0)
		return AF_UNSPEC;
	if (strcasecmp(v, "inet") == 0)
		return AF_INET;
	if (strcasecmp(v, "inet6") == 0)
		return AF_INET6;
	return -1;
}

/* Lines of included files stay in the Match block the Include is in. */
static int apply_include(struct server_config *c, struct cfg_line *l, const char *file,
			 unsigned long line, int depth, struct scfg_match *cur)
{
	int r = 0;

	if (depth >= SCFG_MAX_DEPTH) {
		fprintf(stderr, "%s line %lu: Too many recursive configuration includes\n",
			file, line);
		return ERR_TOO_LARGE;
	}
	for (int a = 0; a < l->nargs && r == 0; a++) {
		struct cfg_include inc;

		r = cfg_include_glob(l->args[a], SCFG_INCLUDE_DIR, file, line, &inc);
		if (r == ERR_SYSTEM)
			fprintf(stderr, "%s line %lu: include \"%s\" glob failed\n", file, line,
				inc.pattern);
		for (size_t i = 0; r == 0 && i < inc.g.gl_pathc; i++)
			r = load_file_depth(c, inc.g.gl_pathv[i], 1, depth + 1, cur);
		cfg_include_done(&inc);
	}
	return r;
}

static int apply_rekey(struct server_config *c, struct cfg_line *l, const char *file,
		       unsigned long line)
{
	return cfg_apply_rekey_line(l, file, line, "Bad RekeyLimit number", &c->rekey_bytes, &c->rekey_seconds);
}

/* Algorithm lists: checked now with sshd's messages, resolved by scfg_finish(). */
static int apply_alg(struct server_config *c, enum skw_id id, const char *v, const char *file,
		     unsigned long line)
{
	enum cfg_alg_kind kind;
	char **dst;
	int r;

	switch (id) {
	case SKW_CIPHERS: kind = CFG_ALG_CIPHER; dst = &c->ciphers; break;
	case SKW_MACS: kind = CFG_ALG_MAC; dst = &c->macs; break;
	case SKW_KEX: kind = CFG_ALG_KEX; dst = &c->kex_algorithms; break;
	case SKW_HOSTKEYALGS: kind = CFG_ALG_KEY; dst = &c->host_key_algorithms; break;
	case SKW_PUBKEYALGS: kind = CFG_ALG_KEY; dst = &c->pubkey_accepted_algorithms; break;
	default: kind = CFG_ALG_CASIG; dst = &c->ca_signature_algorithms; break;
	}
	if ((r = cfg_alg_check_kw(kind, v, file, line, 1)) != 0)
		return r;
	return set_str(dst, v);
}

/* yes/no keywords (Compression also takes "delayed", the same as yes since OpenSSH 7.4). */
static int apply_flag(struct server_config *c, enum skw_id id, const char *v, const char *file,
		      unsigned long line)
{
	int x = cfg_parse_yesno(v);

	if (id == SKW_COMPRESSION && strcasecmp(v, "delayed") == 0)
		x = 1;
	if (x < 0) {
		fprintf(stderr, "%s line %lu: unsupported option \"%s\".\n", file, line, v);
		return ERR_FORMAT;
	}
	set_int(id == SKW_COMPRESSION ? &c->compression
	       : id == SKW_PERMITTTY ? &c->permit_tty : &c->allow_agent_forwarding, x);
	return 0;
}

/* Value errors are fatal in sshd: the message, then stop. */
static int apply_impl(struct server_config *c, const struct skw *kw, struct cfg_line *l,
		      const char *file, unsigned long line, int depth, struct scfg_match *cur)
{
	const char *v = l->args[0];
	char *host;
	int64_t t;
	int x, r;

	switch (kw->id) {
	case SKW_PORT:
		if ((x = cfg_parse_port(v)) < 0) {
			fprintf(stderr, "%s line %lu: Badly formatted port number.\n", file, line);
			return ERR_FORMAT;
		}
		if (c->ports_from_cmdline)
			return 0; /* -p replaces the file's ports */
		if (c->n_ports >= SCFG_MAX_LIST) {
			fprintf(stderr, "%s line %lu: too many ports.\n", file, line);
			return ERR_TOO_LARGE;
		}
		c->ports[c->n_ports++] = x;
		return 0;
	case SKW_LISTEN:
		if ((r = scfg_parse_listen_address(v, &host, &x)) != 0) {
			if (r == ERR_ALLOC)
				return r;
			fprintf(stderr, "%s line %lu: %s\n", file, line,
				r == ERR_INVALID_ARG ? "bad port number" : "bad address:port usage");
			return ERR_FORMAT;
		}
		free(host);
		break;
	case SKW_LOGLEVEL:
		if (cfg_parse_log_level(v) < 0) {
			fprintf(stderr, "%s line %lu: unsupported log level '%s'\n", file, line, v);
			return ERR_FORMAT;
		}
		set_int(&c->log_level, cfg_parse_log_level(v));
		return 0;
	case SKW_PERMITROOT:
		if ((x = parse_permit_root(v)) < 0) {
			fprintf(stderr, "%s line %lu: unsupported option \"%s\".\n", file, line, v);
			return ERR_FORMAT;
		}
		set_int(&c->permit_root_login, x);
		return 0;
	case SKW_ADDRESSFAMILY:
		if ((x = parse_af(v)) < 0) {
			fprintf(stderr, "%s line %lu: unsupported option \"%s\".\n", file, line, v);
			return ERR_FORMAT;
		}
		set_int(&c->address_family, x);
		return 0;
	case SKW_MAXAUTHTRIES:
		if ((r = parse_int_sshd(v, "MaxAuthTries", file, line, &x)) != 0)
			return r;
		set_int(&c->max_auth_tries, x);
		return 0;
	case SKW_LOGINGRACE:
		if (cfg_parse_time(v, &t) != 0) {
			fprintf(stderr, "%s line %lu: invalid time value.\n", file, line);
			return ERR_FORMAT;
		}
		set_int(&c->login_grace_time, (int)t);
		return 0;
	case SKW_REKEYLIMIT:
		return apply_rekey(c, l, file, line);
	case SKW_INCLUDE:
		return apply_include(c, l, file, line, depth, cur);
	case SKW_ALLOWTCP:
	case SKW_ALLOWSTREAMLOCAL:
	case SKW_DISABLEFWD:
	case SKW_GATEWAYPORTS:
	case SKW_PERMITOPEN:
	case SKW_PERMITLISTEN:
		return scfg_apply_fwd(c, kw, l, file, line);
	case SKW_CIPHERS:
	case SKW_MACS:
	case SKW_KEX:
	case SKW_HOSTKEYALGS:
	case SKW_PUBKEYALGS:
	case SKW_CASIGALGS:
		return apply_alg(c, kw->id, v, file, line);
	case SKW_COMPRESSION:
	case SKW_ALLOWAGENTFWD:
	case SKW_PERMITTTY:
		return apply_flag(c, kw->id, v, file, line);
	case SKW_TRUSTEDUSERCA:
		/* "none" counts as a first value, as in sshd. */
		return set_str(&c->trusted_user_ca_keys, v);
	case SKW_ACCEPTENV:
	case SKW_SUBSYSTEM:
	case SKW_PRINTMOTD:
	case SKW_STRICTMODES:
	case SKW_CLIENTALIVEINT:
	case SKW_CLIENTALIVECOUNT:
		return scfg_apply_session(c, kw, l, file, line);
	case SKW_PASSWORDAUTH:
	case SKW_KBDINTAUTH:
	case SKW_USEPAM:
	case SKW_PERMITEMPTYPW:
	case SKW_AUTHMETHODS:
		return scfg_apply_auth(c, kw, l, file, line);
	default:
		break;
	}

	switch (kw->id) {
	case SKW_LISTEN:
		r = scfg_list_add(c->listen_addresses, &c->n_listen_addresses, v);
		break;
	case SKW_HOSTKEY:
		r = scfg_list_add(c->host_keys, &c->n_host_keys, v);
		break;
	case SKW_AUTHKEYS:
		r = 0;
		if (c->n_authorized_keys_files > 0)
			break;
		for (int a = 0; a < l->nargs && r == 0; a++)
			r = scfg_list_add(c->authorized_keys_files, &c->n_authorized_keys_files,
					  l->args[a]);
		break;
	case SKW_PIDFILE:
		return set_str(&c->pid_file, v);
	case SKW_HOSTCERT:
		r = scfg_list_add(c->host_certificates, &c->n_host_certificates, v);
		break;
	default:
		return ERR_INVALID_ARG;
	}
	if (r == ERR_TOO_LARGE)
		fprintf(stderr, "%s line %lu: too many %s entries.\n", file, line, kw->name);
	return r;
}

/* Keywords taking a list of arguments; the rest take exactly one (RekeyLimit two). */
static int max_args(const struct skw *kw)
{
	switch (kw->id) {
	case SKW_AUTHKEYS:
	case SKW_INCLUDE:
	case SKW_MATCH:
	case SKW_PERMITOPEN:
	case SKW_PERMITLISTEN:
	case SKW_ACCEPTENV:
	case SKW_SUBSYSTEM:
	case SKW_AUTHMETHODS:
		return CFG_LEX_MAX_ARGS;
	case SKW_REKEYLIMIT:
		return 2;
	default:
		return 1;
	}
}

/*
 * A line inside a Match block: keywords sshd allows there are checked on a
 * scratch configuration (so bad values fail at load time, as in sshd) and
 * stored for scfg_apply_match(); any other keyword is fatal.
 */
static int apply_in_match(struct server_config *c, const struct skw *kw, struct cfg_line *l,
			  const char *kv, const char *file, unsigned long line, int depth,
			  struct scfg_match *cur)
{
	struct server_config tmp;
	int r;

	if (kw->id == SKW_INCLUDE)
		return apply_impl(c, kw, l, file, line, depth, cur);
	scfg_init(&tmp);
	r = apply_impl(&tmp, kw, l, file, line, depth, cur);
	scfg_free(&tmp);
	if (r == 0)
		r = scfg_match_add_line(cur, kv, file, line);
	return r;
}

/*
 * cur is NULL for a command-line (-o) line; otherwise *cur is the Match
 * block being read (NULL in the global part), updated by a Match line.
 */
static int apply_depth(struct server_config *c, const char *kv, const char *file,
		       unsigned long line, int depth, struct scfg_match **cur)
{
	struct scfg_match *blk = cur != NULL ? *cur : NULL;
	const struct skw *kw;
	struct cfg_line l;
	int r;

	if ((r = cfg_lex(kv, &l)) != 0) {
		if (r == ERR_ALLOC)
			return r;
		fprintf(stderr, "%s line %lu: %s\n", file, line,
			r == ERR_FORMAT ? "invalid quotes" : "too many arguments");
		return ERR_NOT_FOUND;
	}
	if (l.keyword == NULL)
		goto out;
	kw = scfg_keyword(l.keyword);
	if (kw == NULL) {
		fprintf(stderr, "%s: line %lu: Bad configuration option: %s\n", file, line,
			l.keyword);
		r = ERR_NOT_FOUND;
	}
	/* sshd stops at once for a keyword a Match block may not hold. */
	if (blk != NULL && (kw == NULL || (!kw->match_ok && kw->id != SKW_MATCH))) {
		fprintf(stderr, "%s line %lu: Directive '%s' is not allowed within a Match block\n",
			file, line, l.keyword);
		r = ERR_FORMAT;
		goto out;
	}
	if (kw == NULL)
		goto out;
	if (l.nargs == 0 || l.args[0][0] == '\0') {
		fprintf(stderr, "%s line %lu: no argument after keyword \"%s\"\n", file, line,
			l.keyword);
		r = ERR_NOT_FOUND;
		goto out;
	}
	if (kw->id == SKW_MATCH) {
		if (cur == NULL) {
			fprintf(stderr, "Match directive not supported as a command-line option\n");
			r = ERR_FORMAT;
		} else {
			r = scfg_match_begin(c, &l, file, line, cur);
		}
		goto out;
	}
	if (kw->cls == SKW_REFUSED && kw->harmless_value != NULL && l.nargs == 1 &&
	    strcasecmp(l.args[0], kw->harmless_value) == 0) {
		log_debug("Ignoring unsupported option %s %s", kw->name, l.args[0]);
		goto out;
	}
	if (kw->cls == SKW_REFUSED) {
		fprintf(stderr, "%s: line %lu: %s is not supported by burrowd yet\n", file, line,
			l.keyword);
		r = ERR_NOT_FOUND;
		goto out;
	}
	if (kw->cls == SKW_IGNORED) {
		log_debug("Ignoring unsupported option %s", kw->name);
		goto out;
	}
	if (l.nargs > max_args(kw)) {
		fprintf(stderr, "%s line %lu: keyword %s extra arguments at end of line\n", file,
			line, l.keyword);
		r = ERR_NOT_FOUND;
		goto out;
	}
	if (blk != NULL)
		r = apply_in_match(c, kw, &l, kv, file, line, depth, blk);
	else
		r = apply_impl(c, kw, &l, file, line, depth, NULL);
out:
	cfg_line_free(&l);
	return r;
}

int scfg_apply(struct server_config *c, const char *kv, const char *file, unsigned long line)
{
	return apply_depth(c, kv, file, line, 0, NULL);
}

/* A Match block opened in a file ends with it (cur is the includer's block). */
static int load_file_depth(struct server_config *c, const char *path, int must_exist,
			   int depth, struct scfg_match *cur)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0, bad = 0;
	int r = 0;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !must_exist)
			return 0;
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return ERR_NOT_FOUND;
	}
	while (getline(&line, &cap, f) != -1) {
		if (++lineno == ULONG_MAX)
			break;
		if ((r = apply_depth(c, line, path, lineno, depth, &cur)) == ERR_NOT_FOUND)
			bad++;
		else if (r != 0)
			goto out;
	}
	r = 0;
	if (ferror(f)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		r = ERR_SYSTEM;
	} else if (bad > 0) {
		fprintf(stderr, "%s: terminating, %lu bad configuration options\n", path, bad);
		r = ERR_FORMAT;
	}
out:
	free(line);
	fclose(f);
	return r;
}

int scfg_load_file(struct server_config *c, const char *path, int must_exist)
{
	return load_file_depth(c, path, must_exist, 0, NULL);
}

static int copy_str(const char *s, char **out)
{
	*out = NULL;
	if (s != NULL && (*out = mem_strdup(s)) == NULL)
		return ERR_ALLOC;
	return 0;
}

static int copy_list(char *const *src, int n, char **dst, int *dn)
{
	int r;

	for (int i = 0; i < n; i++)
		if ((r = scfg_list_add(dst, dn, src[i])) != 0)
			return r;
	return 0;
}

int scfg_copy(const struct server_config *src, struct server_config *dst)
{
	struct server_config d;
	int r;

	/* Scalars first, then every owned pointer replaced by its own copy. */
	d = *src;
	d.n_listen_addresses = d.n_host_keys = d.n_authorized_keys_files = 0;
	d.n_permit_open = d.n_permit_listen = d.n_host_certificates = 0;
	d.n_accept_env = d.n_subsystems = 0;
	d.config_file = d.pid_file = d.ciphers = d.kex_algorithms = NULL;
	d.host_key_algorithms = d.log_file = d.dump_conn_spec = NULL;
	d.macs = d.pubkey_accepted_algorithms = d.ca_signature_algorithms = NULL;
	d.trusted_user_ca_keys = NULL;
	d.authentication_methods = NULL;
	d.matches = NULL;
	if ((r = copy_str(src->config_file, &d.config_file)) != 0 ||
	    (r = copy_str(src->pid_file, &d.pid_file)) != 0 ||
	    (r = copy_str(src->ciphers, &d.ciphers)) != 0 ||
	    (r = copy_str(src->kex_algorithms, &d.kex_algorithms)) != 0 ||
	    (r = copy_str(src->host_key_algorithms, &d.host_key_algorithms)) != 0 ||
	    (r = copy_str(src->macs, &d.macs)) != 0 ||
	    (r = copy_str(src->pubkey_accepted_algorithms, &d.pubkey_accepted_algorithms)) != 0 ||
	    (r = copy_str(src->ca_signature_algorithms, &d.ca_signature_algorithms)) != 0 ||
	    (r = copy_str(src->trusted_user_ca_keys, &d.trusted_user_ca_keys)) != 0 ||
	    (r = copy_str(src->authentication_methods, &d.authentication_methods)) != 0 ||
	    (r = copy_list(src->host_certificates, src->n_host_certificates,
			   d.host_certificates, &d.n_host_certificates)) != 0 ||
	    (r = copy_str(src->log_file, &d.log_file)) != 0 ||
	    (r = copy_str(src->dump_conn_spec, &d.dump_conn_spec)) != 0 ||
	    (r = copy_list(src->listen_addresses, src->n_listen_addresses,
			   d.listen_addresses, &d.n_listen_addresses)) != 0 ||
	    (r = copy_list(src->host_keys, src->n_host_keys, d.host_keys, &d.n_host_keys)) != 0 ||
	    (r = copy_list(src->authorized_keys_files, src->n_authorized_keys_files,
			   d.authorized_keys_files, &d.n_authorized_keys_files)) != 0 ||
	    (r = copy_list(src->permit_open, src->n_permit_open, d.permit_open,
			   &d.n_permit_open)) != 0 ||
	    (r = copy_list(src->permit_listen, src->n_permit_listen, d.permit_listen,
			   &d.n_permit_listen)) != 0 ||
	    (r = copy_list(src->accept_env, src->n_accept_env, d.accept_env,
			   &d.n_accept_env)) != 0 ||
	    (r = copy_list(src->subsystems, src->n_subsystems, d.subsystems,
			   &d.n_subsystems)) != 0 ||
	    (r = scfg_matches_copy(src->matches, &d.matches)) != 0)
		goto out;
	*dst = d;
	return 0;
out:
	scfg_free(&d);
	return r;
}
