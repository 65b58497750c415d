/* ssh_config(5) keywords for the client: table, value checks, defaults. */
#include "config/client_config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "config/alglist.h"
#include "config/client_internal.h"
#include "config/lexer.h"
#include "config/values.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

enum ckw {
	CK_HOSTNAME, CK_PORT, CK_USER, CK_IDENTITYFILE, CK_IDENTITIESONLY,
	CK_USERKNOWNHOSTS, CK_GLOBALKNOWNHOSTS, CK_STRICTHOSTKEY, CK_HASHKNOWNHOSTS,
	CK_BATCHMODE, CK_CIPHERS, CK_KEX, CK_HOSTKEYALGS, CK_LOGLEVEL, CK_REKEYLIMIT,
	CK_CONNECTTIMEOUT, CK_ADDRESSFAMILY, CK_REQUESTTTY, CK_LOCALFORWARD, CK_REMOTEFORWARD, CK_GATEWAYPORTS,
	CK_EXITONFWDFAIL, CK_CLEARALLFWD, CK_PROXYJUMP,
	CK_MACS, CK_PUBKEYALGS, CK_CASIGALGS, CK_IDENTITYAGENT, CK_FORWARDAGENT,
	CK_CERTIFICATEFILE, CK_COMPRESSION,
};

static const struct {
	const char *name;
	enum ckw kw;
	int max_args;   /* most arguments accepted */
} client_keywords[] = {
	{ "HostName", CK_HOSTNAME, 1 },
	{ "Port", CK_PORT, 1 },
	{ "User", CK_USER, 1 },
	{ "IdentityFile", CK_IDENTITYFILE, 1 },
	{ "IdentitiesOnly", CK_IDENTITIESONLY, 1 },
	{ "UserKnownHostsFile", CK_USERKNOWNHOSTS, CFG_LEX_MAX_ARGS },
	{ "GlobalKnownHostsFile", CK_GLOBALKNOWNHOSTS, CFG_LEX_MAX_ARGS },
	{ "StrictHostKeyChecking", CK_STRICTHOSTKEY, 1 },
	{ "HashKnownHosts", CK_HASHKNOWNHOSTS, 1 },
	{ "BatchMode", CK_BATCHMODE, 1 },
	{ "Ciphers", CK_CIPHERS, 1 },
	{ "KexAlgorithms", CK_KEX, 1 },
	{ "HostKeyAlgorithms", CK_HOSTKEYALGS, 1 },
	{ "MACs", CK_MACS, 1 },
	{ "PubkeyAcceptedAlgorithms", CK_PUBKEYALGS, 1 },
	{ "PubkeyAcceptedKeyTypes", CK_PUBKEYALGS, 1 },
	{ "CASignatureAlgorithms", CK_CASIGALGS, 1 },
	{ "IdentityAgent", CK_IDENTITYAGENT, 1 },
	{ "ForwardAgent", CK_FORWARDAGENT, 1 },
	{ "CertificateFile", CK_CERTIFICATEFILE, 1 },
	{ "Compression", CK_COMPRESSION, 1 },
	{ "LogLevel", CK_LOGLEVEL, 1 },
	{ "RekeyLimit", CK_REKEYLIMIT, 2 },
	{ "ConnectTimeout", CK_CONNECTTIMEOUT, 1 },
	{ "AddressFamily", CK_ADDRESSFAMILY, 1 },
	{ "RequestTTY", CK_REQUESTTTY, 1 },
	{ "LocalForward", CK_LOCALFORWARD, 2 },
	{ "RemoteForward", CK_REMOTEFORWARD, 2 },
	{ "GatewayPorts", CK_GATEWAYPORTS, 1 },
	{ "ExitOnForwardFailure", CK_EXITONFWDFAIL, 1 },
	{ "ClearAllForwardings", CK_CLEARALLFWD, 1 },
	{ "ProxyJump", CK_PROXYJUMP, 1 },
};

/*
 * ssh_config(5) keywords (and OpenSSH's aliases) burrow does not implement
 * yet: refused with -o, ignored in files so existing configs keep working.
 */
static const char *const client_unsupported[] = {
	"AddKeysToAgent", "BindInterface",
	"CanonicalDomains", "CanonicalizeFallbackLocal", "CanonicalizeHostname",
	"CanonicalizeMaxDots", "CanonicalizePermittedCNAMEs",
	"CheckHostIP", "EnableEscapeCommandline",
	"EnableSSHKeysign", "FingerprintHash",
	"ForkAfterAuthentication", "ForwardX11", "ForwardX11Timeout",
	"ForwardX11Trusted", "GSSAPIAuthentication",
	"GSSAPIClientIdentity", "GSSAPIDelegateCredentials", "GSSAPIKeyExchange",
	"GSSAPIRenewalForcesRekey", "GSSAPIServerIdentity", "GSSAPITrustDns",
	"GSSAPIKexAlgorithms", "HostbasedAcceptedAlgorithms", "HostbasedAuthentication",
	"HostbasedKeyTypes", "HostKeyAlias",
	"IPQoS", "KbdInteractiveDevices",
	"KnownHostsCommand", "LocalCommand", "LogVerbose",
	"NoHostAuthenticationForLocalhost",
	"PermitLocalCommand",
	"PKCS11Provider",
	"ProxyUseFdpass", "PubkeyAuthentication", "RemoteCommand", "RequiredRSASize",
	"RevokedHostKeys", "SecurityKeyProvider",
	"SessionType", "StdinNull",
	"StreamLocalBindMask", "StreamLocalBindUnlink", "SyslogFacility", "TCPKeepAlive",
	"Tunnel", "TunnelDevice", "UpdateHostKeys", "VerifyHostKeyDNS", "VisualHostKey",
	"XAuthLocation",
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

void cfg_client_init(struct client_config *c)
{
	memset(c, 0, sizeof(*c));
	c->port = -1;
	c->identities_only = -1;
	c->strict_host_key_checking = -1;
	c->hash_known_hosts = -1;
	c->batch_mode = -1;
	c->log_level = -1;
	c->rekey_bytes = -1;
	c->rekey_seconds = -1;
	c->connect_timeout = -1;
	c->address_family = -1;
	c->request_tty = REQUEST_TTY_UNSET;
	c->no_shell = -1;
	c->stdin_null = -1;
	c->fork_after_auth = -1;
	c->gateway_ports = -1;
	c->compression = -1;
	c->forward_agent = -1;
	c->exit_on_forward_failure = -1;
	c->stdio_forward_port = -1;
	c->clear_all_forwardings = -1;
	cfg_client_extra_init(c);
	cfg_client_auth_init(c);
}

void cfg_client_free(struct client_config *c)
{
	free(c->host);
	free(c->hostname);
	free(c->user);
	for (int i = 0; i < c->n_identity_files; i++)
		free(c->identity_files[i]);
	free(c->user_known_hosts);
	free(c->log_file);
	free(c->global_known_hosts);
	free(c->ciphers);
	free(c->macs);
	free(c->kex_algorithms);
	free(c->host_key_algorithms);
	free(c->pubkey_accepted_algorithms);
	free(c->ca_signature_algorithms);
	free(c->identity_agent);
	for (int i = 0; i < c->n_certificate_files; i++)
		free(c->certificate_files[i]);
	free(c->query);
	free(c->command);
	free(c->config_file);
	for (int i = 0; i < c->n_local_forwards; i++)
		cfg_fwd_spec_free(&c->local_forwards[i]);
	for (int i = 0; i < c->n_remote_forwards; i++)
		cfg_fwd_spec_free(&c->remote_forwards[i]);
	free(c->stdio_forward_host);
	free(c->proxy_jump);
	cfg_client_extra_free(c);
	cfg_client_auth_free(c);
	cfg_client_init(c);
}

/* First value wins: only an unset string takes the new one. */
static int set_str(char **dst, const char *v)
{
	if (*dst != NULL)
		return 0;
	if ((*dst = mem_strdup(v)) == NULL)
		return ERR_ALLOC;
	return 0;
}

static void set_int(int *dst, int v)
{
	if (*dst == -1)
		*dst = v;
}

/* Arguments joined with single spaces (several known hosts files). */
static char *join_args(char *const *args, int n)
{
	size_t len = 1, k;
	char *s;

	for (int i = 0; i < n; i++) {
		if (mem_add_size(len, strlen(args[i]) + 1, &len) != 0)
			return NULL;
	}
	if ((s = malloc(len)) == NULL)
		return NULL;
	k = 0;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(args[i]);

		if (i > 0)
			s[k++] = ' ';
		memcpy(s + k, args[i], l);
		k += l;
	}
	s[k] = '\0';
	return s;
}

int cfg_client_add_identity(struct client_config *c, const char *path)
{
	char *p;

	if (c->n_identity_files >= CFG_MAX_IDENTITIES)
		return ERR_TOO_LARGE;
	if ((p = mem_strdup(path)) == NULL)
		return ERR_ALLOC;
	c->identity_files[c->n_identity_files++] = p;
	return 0;
}

/* Multi-choice values; "unsupported option" otherwise, as ssh says. */
static int parse_choice(const char *v, const char *const *names, const int *vals, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(v, names[i]) == 0)
			return vals[i];
	return -100;
}

static int parse_strict(const char *v)
{
	static const char *const n[] = { "yes", "true", "no", "false", "off", "ask", "accept-new" };
	static const int x[] = { SHK_YES, SHK_YES, SHK_NO, SHK_NO, SHK_NO, SHK_ASK, SHK_ACCEPT_NEW };

	return parse_choice(v, n, x, N_ELEMS(n));
}

static int parse_af(const char *v)
{
	static const char *const n[] = { "any", "inet", "inet6" };
	static const int x[] = { AF_UNSPEC, AF_INET, AF_INET6 };

	return parse_choice(v, n, x, N_ELEMS(n));
}

static int parse_tty(const char *v)
{
	static const char *const n[] = { "no", "false", "yes", "true", "force", "auto" };
	static const int x[] = { REQUEST_TTY_NO, REQUEST_TTY_NO, REQUEST_TTY_YES,
				 REQUEST_TTY_YES, REQUEST_TTY_FORCE, REQUEST_TTY_AUTO };

	return parse_choice(v, n, x, N_ELEMS(n));
}

static int apply_rekey(struct client_config *c, struct cfg_line *l, const char *file,
		       unsigned long line)
{
	return cfg_apply_rekey_line(l, file, line, "Bad number", &c->rekey_bytes, &c->rekey_seconds);
}

/*
 * LocalForward / RemoteForward "[bind:]port host:hostport" (two words, as
 * ssh_config(5)), or the one-word -L / -R form. Every entry accumulates.
 */
static int apply_forward(struct client_config *c, struct cfg_line *l, const char *file,
			 unsigned long line, int remote)
{
	struct fwd_spec *list = remote ? c->remote_forwards : c->local_forwards;
	int *n_list = remote ? &c->n_remote_forwards : &c->n_local_forwards;
	struct fwd_spec f;
	char *joined = NULL;
	const char *spec = l->args[0];
	size_t n;
	int r;

	if (l->nargs == 2) {
		if (mem_add_size(strlen(l->args[0]), strlen(l->args[1]) + 2, &n) != 0 ||
		    (joined = malloc(n)) == NULL)
			return ERR_ALLOC;
		snprintf(joined, n, "%s:%s", l->args[0], l->args[1]);
		spec = joined;
	}
	r = cfg_parse_fwd_spec(spec, remote, &f);
	free(joined);
	if (r == ERR_ALLOC)
		return r;
	if (r == 0 && f.connect_host == NULL && f.connect_path == NULL && f.listen_path != NULL) {
		/* ssh's dynamic (SOCKS) -R listens on a TCP port only. */
		cfg_fwd_spec_free(&f);
		r = ERR_FORMAT;
	}
	if (r != 0) {
		/* ssh's words: a lone "8080" lacks its target; anything else is bad. */
		if (!remote && l->nargs == 1 && strchr(l->args[0], ':') == NULL)
			fprintf(stderr, "%s line %lu: Missing target argument.\n", file, line);
		else
			fprintf(stderr, "%s line %lu: Bad forwarding specification.\n", file, line);
		return ERR_FORMAT;
	}
	if (*n_list >= CFG_MAX_FORWARDS) {
		fprintf(stderr, "%s line %lu: too many %s forwards (max %d).\n", file, line,
			remote ? "remote" : "local", CFG_MAX_FORWARDS);
		cfg_fwd_spec_free(&f);
		return ERR_TOO_LARGE;
	}
	list[(*n_list)++] = f;
	return 0;
}

/* ProxyJump: checked now, first value wins ("none" included). */
static int apply_proxy_jump(struct client_config *c, const char *v, const char *file,
			    unsigned long line)
{
	char *u = NULL, *h = NULL, *rest = NULL;
	int port, r;

	if (strcasecmp(v, "none") != 0) {
		if ((r = cfg_parse_jump(v, &u, &h, &port, &rest)) == ERR_ALLOC)
			return r;
		free(u);
		free(h);
		free(rest);
		if (r != 0) {
			fprintf(stderr, "%s line %lu: Invalid ProxyJump \"%s\"\n", file, line, v);
			return ERR_FORMAT;
		}
	}
	/* A ProxyCommand seen first (or -J) also wins over ProxyJump, as in ssh. */
	if (c->proxy_jump != NULL || c->proxy_command_seen)
		return 0;
	return set_str(&c->proxy_jump, strcasecmp(v, "none") == 0 ? "none" : v);
}

/* Algorithm lists: checked now with ssh's messages, resolved by cfg_client_finish(). */
static int apply_alg(struct client_config *c, enum ckw kw, const char *v, const char *file,
		     unsigned long line)
{
	enum cfg_alg_kind kind;
	char **dst;
	int r;

	switch (kw) {
	case CK_CIPHERS: kind = CFG_ALG_CIPHER; dst = &c->ciphers; break;
	case CK_MACS: kind = CFG_ALG_MAC; dst = &c->macs; break;
	case CK_KEX: kind = CFG_ALG_KEX; dst = &c->kex_algorithms; break;
	case CK_HOSTKEYALGS: kind = CFG_ALG_KEY; dst = &c->host_key_algorithms; break;
	case CK_PUBKEYALGS: kind = CFG_ALG_KEY; dst = &c->pubkey_accepted_algorithms; break;
	default: kind = CFG_ALG_CASIG; dst = &c->ca_signature_algorithms; break;
	}
	if ((r = cfg_alg_check_kw(kind, v, file, line, 0)) != 0)
		return r;
	return set_str(dst, v);
}

static int apply_kw(struct client_config *c, enum ckw kw, struct cfg_line *l,
		    const char *file, unsigned long line)
{
	const char *v = l->args[0];
	int64_t t;
	int x;

	switch (kw) {
	case CK_HOSTNAME:
		return set_str(&c->hostname, v);
	case CK_PORT:
		if ((x = cfg_parse_port(v)) < 0) {
			fprintf(stderr, "%s line %lu: Bad port '%s'.\n", file, line, v);
			return ERR_FORMAT;
		}
		set_int(&c->port, x);
		return 0;
	case CK_USER:
		return set_str(&c->user, v);
	case CK_IDENTITYFILE:
		if (c->n_identity_files >= CFG_MAX_IDENTITIES) {
			fprintf(stderr, "%s line %lu: Too many identity files specified (max %d).\n",
				file, line, CFG_MAX_IDENTITIES);
			return ERR_TOO_LARGE;
		}
		return cfg_client_add_identity(c, v);
	case CK_USERKNOWNHOSTS:
	case CK_GLOBALKNOWNHOSTS: {
		char **dst = kw == CK_USERKNOWNHOSTS ? &c->user_known_hosts :
			     &c->global_known_hosts;

		if (*dst == NULL && (*dst = join_args(l->args, l->nargs)) == NULL)
			return ERR_ALLOC;
		return 0;
	}
	case CK_CIPHERS:
	case CK_MACS:
	case CK_KEX:
	case CK_HOSTKEYALGS:
	case CK_PUBKEYALGS:
	case CK_CASIGALGS:
		return apply_alg(c, kw, v, file, line);
	case CK_IDENTITYAGENT:
		return set_str(&c->identity_agent, v);
	case CK_CERTIFICATEFILE:
		if (c->n_certificate_files >= CFG_MAX_IDENTITIES) {
			fprintf(stderr, "%s line %lu: Too many certificate files specified "
				"(max %d).\n", file, line, CFG_MAX_IDENTITIES);
			return ERR_TOO_LARGE;
		}
		if ((c->certificate_files[c->n_certificate_files] = mem_strdup(v)) == NULL)
			return ERR_ALLOC;
		c->n_certificate_files++;
		return 0;
	case CK_FORWARDAGENT:
		/* ssh also takes a socket path or $VAR here; burrow only yes/no for now. */
		if ((x = cfg_parse_yesno(v)) < 0) {
			fprintf(stderr, "%s line %lu: ForwardAgent %s: only yes or no are supported "
				"by burrow yet\n", file, line, v);
			return ERR_UNSUPPORTED;
		}
		set_int(&c->forward_agent, x);
		return 0;
	case CK_LOGLEVEL:
		if ((x = cfg_parse_log_level(v)) < 0) {
			fprintf(stderr, "%s line %lu: unsupported log level '%s'\n", file, line, v);
			return ERR_FORMAT;
		}
		set_int(&c->log_level, x);
		return 0;
	case CK_REKEYLIMIT:
		return apply_rekey(c, l, file, line);
	case CK_CONNECTTIMEOUT:
		/* "none" leaves it unset, like ssh: a later value may still set it. */
		if (strcmp(v, "none") == 0)
			return 0;
		if (cfg_parse_time(v, &t) != 0) {
			fprintf(stderr, "%s line %lu: invalid time value.\n", file, line);
			return ERR_FORMAT;
		}
		set_int(&c->connect_timeout, (int)t);
		return 0;
	case CK_LOCALFORWARD:
		return apply_forward(c, l, file, line, 0);
	case CK_REMOTEFORWARD:
		return apply_forward(c, l, file, line, 1);
	case CK_PROXYJUMP:
		return apply_proxy_jump(c, v, file, line);
	case CK_IDENTITIESONLY:
	case CK_COMPRESSION:
	case CK_HASHKNOWNHOSTS:
	case CK_BATCHMODE:
	case CK_GATEWAYPORTS:
	case CK_EXITONFWDFAIL:
	case CK_CLEARALLFWD:
		x = cfg_parse_yesno(v);
		break;
	case CK_STRICTHOSTKEY:
		x = parse_strict(v);
		break;
	case CK_ADDRESSFAMILY:
		x = parse_af(v);
		break;
	case CK_REQUESTTTY:
		x = parse_tty(v);
		break;
	default:
		return ERR_INVALID_ARG;
	}
	/* The remaining keywords are choices. */
	if (x < 0 && !(kw == CK_REQUESTTTY && x == REQUEST_TTY_AUTO)) {
		fprintf(stderr, "%s line %lu: unsupported option \"%s\".\n", file, line, v);
		return ERR_FORMAT;
	}
	switch (kw) {
	case CK_IDENTITIESONLY: set_int(&c->identities_only, x); break;
	case CK_COMPRESSION: set_int(&c->compression, x); break;
	case CK_HASHKNOWNHOSTS: set_int(&c->hash_known_hosts, x); break;
	case CK_BATCHMODE: set_int(&c->batch_mode, x); break;
	case CK_GATEWAYPORTS: set_int(&c->gateway_ports, x); break;
	case CK_EXITONFWDFAIL: set_int(&c->exit_on_forward_failure, x); break;
	case CK_CLEARALLFWD: set_int(&c->clear_all_forwardings, x); break;
	case CK_STRICTHOSTKEY: set_int(&c->strict_host_key_checking, x); break;
	case CK_ADDRESSFAMILY: set_int(&c->address_family, x); break;
	default:
		if (c->request_tty == REQUEST_TTY_UNSET)
			c->request_tty = x;
		break;
	}
	return 0;
}

static void lower(char *dst, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < n && s[i] != '\0'; i++)
		dst[i] = (char)tolower((unsigned char)s[i]);
	dst[i] = '\0';
}

static int is_unsupported(const char *kw)
{
	for (size_t j = 0; j < N_ELEMS(client_unsupported); j++)
		if (strcasecmp(kw, client_unsupported[j]) == 0)
			return 1;
	return 0;
}

/*
 * scp and sftp run their ssh with these options set to ssh's defaults
 * (-oPermitLocalCommand=no, -oForwardX11 no ...): asking for what burrow
 * does anyway is fine on the command line too.
 */
static int asks_nothing(const struct cfg_line *l)
{
	static const char *const defaults[][2] = {
		{ "PermitLocalCommand", "no" }, { "RemoteCommand", "none" },
		{ "ForwardX11", "no" }, { "ForwardX11Trusted", "no" },
		{ "ControlMaster", "no" }, { "ControlPath", "none" },
	};

	if (l->nargs != 1)
		return 0;
	for (size_t j = 0; j < N_ELEMS(defaults); j++)
		if (strcasecmp(l->keyword, defaults[j][0]) == 0)
			return strcasecmp(l->args[0], defaults[j][1]) == 0;
	return 0;
}

int cfg_client_apply_lexed(struct client_config *c, struct cfg_line *l, const char *file,
			   unsigned long line, enum cfg_src src)
{
	char name[64];
	size_t i;

	/* ssh names keywords in lower case in its messages. */
	lower(name, sizeof(name), l->keyword);
	{
		int rx = cfg_client_apply_extra(c, l, file, line, src, name);

		if (rx <= 0)
			return rx;
		if ((rx = cfg_client_apply_auth(c, l, file, line, name)) <= 0)
			return rx;
		if ((rx = cfg_client_apply_control(c, l, file, line, name)) <= 0)
			return rx;
	}
	for (i = 0; i < N_ELEMS(client_keywords); i++)
		if (strcasecmp(l->keyword, client_keywords[i].name) == 0)
			break;
	if (i == N_ELEMS(client_keywords)) {
		if (is_unsupported(l->keyword)) {
			if (src != CFG_SRC_CMDLINE || asks_nothing(l)) {
				log_debug("%s line %lu: ignoring unsupported option %s", file, line,
					  l->keyword);
				return 0;
			}
			fprintf(stderr, "%s line %lu: keyword %s is not supported by burrow yet\n",
				file, line, name);
			return ERR_UNSUPPORTED;
		}
		/* IgnoreUnknown (given before) lets a file name keywords this ssh lacks. */
		if (cfg_client_ignored_unknown(c, l->keyword)) {
			log_debug("%s line %lu: Ignored unknown option \"%s\"", file, line, name);
			return 0;
		}
		fprintf(stderr, "%s: line %lu: Bad configuration option: %s\n", file, line, name);
		return ERR_NOT_FOUND;
	}
	if (l->nargs == 0) {
		fprintf(stderr, "%s line %lu: no argument after keyword \"%s\"\n", file, line, name);
		return ERR_FORMAT;
	}
	if (l->nargs > client_keywords[i].max_args) {
		fprintf(stderr, "%s line %lu: keyword %s extra arguments at end of line\n", file,
			line, name);
		return ERR_FORMAT;
	}
	for (int a = 0; a < l->nargs; a++) {
		if (l->args[a][0] == '\0') {
			fprintf(stderr, "%s line %lu: Missing argument.\n", file, line);
			return ERR_FORMAT;
		}
	}
	return apply_kw(c, client_keywords[i].kw, l, file, line);
}

int cfg_client_apply_line(struct client_config *c, const char *kv, const char *file,
			  unsigned long line)
{
	struct cfg_line l;
	int r;

	if ((r = cfg_lex(kv, &l)) != 0) {
		if (r == ERR_FORMAT)
			fprintf(stderr, "%s line %lu: invalid quotes\n", file, line);
		else if (r == ERR_TOO_LARGE)
			fprintf(stderr, "%s line %lu: too many arguments.\n", file, line);
		return r;
	}
	if (l.keyword == NULL)
		goto out; /* blank or comment */
	/* Blocks and includes only make sense in files (ssh says "Host" for Match too). */
	if (strcasecmp(l.keyword, "Host") == 0 || strcasecmp(l.keyword, "Match") == 0) {
		fprintf(stderr, "Host directive not supported as a command-line option\n");
		r = ERR_UNSUPPORTED;
		goto out;
	}
	if (strcasecmp(l.keyword, "Include") == 0) {
		fprintf(stderr, "Include directive not supported as a command-line option\n");
		r = ERR_UNSUPPORTED;
		goto out;
	}
	r = cfg_client_apply_lexed(c, &l, file, line, CFG_SRC_CMDLINE);
out:
	cfg_line_free(&l);
	return r;
}

int cfg_client_apply(struct client_config *c, const char *kv, const char *where)
{
	return cfg_client_apply_line(c, kv, where, 0);
}

int cfg_parse_rekey_limit(const char *value, int64_t *bytes, int64_t *seconds)
{
	struct cfg_line l;
	const char *what = "";
	char *buf = NULL;
	size_t n = strlen(value);
	int64_t b, t;
	int r;

	/* Lex as the value of a dummy keyword so quoting and blanks match config lines. */
	if (mem_add_size(n, 3, &n) != 0 || (buf = malloc(n)) == NULL)
		return ERR_ALLOC;
	snprintf(buf, n, "x %s", value);
	r = cfg_lex(buf, &l);
	free(buf);
	if (r != 0)
		return r;
	if (l.nargs < 1 || l.nargs > 2) {
		r = ERR_FORMAT;
		goto out;
	}
	if ((r = cfg_parse_rekey_args(l.args[0], l.nargs > 1 ? l.args[1] : NULL, &b, &t,
				      &what)) != 0)
		goto out;
	*bytes = b;
	*seconds = t;
out:
	cfg_line_free(&l);
	return r;
}
