/*
 * ssh_config(5) keywords of issue 7: ServerAliveInterval, ServerAliveCountMax,
 * ConnectionAttempts, BindAddress, SendEnv, SetEnv, EscapeChar,
 * DynamicForward, ProxyCommand, IgnoreUnknown; and -b / -D / -e.
 */
#include "config/client_config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/client_internal.h"
#include "config/match.h"
#include "config/values.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"
#include "wire/buf.h"

enum xkw { XK_ALIVE_INTERVAL, XK_ALIVE_COUNT, XK_ATTEMPTS, XK_BIND, XK_SENDENV, XK_SETENV,
	   XK_ESCAPE, XK_DYNAMIC, XK_PROXYCOMMAND, XK_IGNOREUNKNOWN, XK_PERMIT_REMOTE_OPEN,
	   XK_RECONNECT, XK_RECONNECT_MAX };

static const struct {
	const char *name;
	enum xkw kw;
} extra_keywords[] = {
	{ "ServerAliveInterval", XK_ALIVE_INTERVAL },
	{ "ServerAliveCountMax", XK_ALIVE_COUNT },
	{ "ConnectionAttempts", XK_ATTEMPTS },
	{ "BindAddress", XK_BIND },
	{ "SendEnv", XK_SENDENV },
	{ "SetEnv", XK_SETENV },
	{ "EscapeChar", XK_ESCAPE },
	{ "DynamicForward", XK_DYNAMIC },
	{ "ProxyCommand", XK_PROXYCOMMAND },
	{ "IgnoreUnknown", XK_IGNOREUNKNOWN },
	{ "PermitRemoteOpen", XK_PERMIT_REMOTE_OPEN },
	{ "Reconnect", XK_RECONNECT },
	{ "ReconnectMaxDelay", XK_RECONNECT_MAX },
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

void cfg_client_extra_init(struct client_config *c)
{
	c->escape_char = -2;
	c->server_alive_interval = -1;
	c->server_alive_count_max = -1;
	c->connection_attempts = -1;
	c->reconnect = -1;
	c->reconnect_max_delay = -1;
	cfg_client_control_init(c);
}

void cfg_client_extra_free(struct client_config *c)
{
	for (int i = 0; i < c->n_send_env; i++)
		free(c->send_env[i]);
	for (int i = 0; i < c->n_set_env; i++)
		free(c->set_env[i]);
	for (int i = 0; i < c->n_dynamic_forwards; i++)
		cfg_fwd_spec_free(&c->dynamic_forwards[i]);
	c->n_send_env = c->n_set_env = c->n_dynamic_forwards = 0;
	cfg_client_control_free(c);
	free(c->bind_address);
	free(c->proxy_command);
	free(c->ignore_unknown);
	free(c->permit_remote_open);
	c->bind_address = c->proxy_command = c->ignore_unknown = c->permit_remote_open = NULL;
}

void cfg_client_extra_defaults(struct client_config *c)
{
	if (c->escape_char == -2)
		c->escape_char = '~';
	if (c->server_alive_interval == -1)
		c->server_alive_interval = 0;
	if (c->server_alive_count_max == -1)
		c->server_alive_count_max = 3;
	if (c->connection_attempts == -1)
		c->connection_attempts = 1;
	if (c->reconnect == -1)
		c->reconnect = 0;
	if (c->reconnect_max_delay == -1)
		c->reconnect_max_delay = 60;
}

/* EscapeChar: one character, "^X" for a control character, or "none" (-1). */
int cfg_parse_escape_char(const char *v)
{
	if (strcmp(v, "none") == 0)
		return -1;
	if (v[0] == '^' && v[1] != '\0' && v[2] == '\0')
		return (unsigned char)v[1] & 31;
	if (v[0] != '\0' && v[1] == '\0')
		return (unsigned char)v[0];
	return -3;
}

/* Length of NAME in "NAME=value" (the whole string if no '='). */
static size_t env_name_len(const char *s)
{
	return strcspn(s, "=");
}

/* SendEnv: accumulates across lines; "-pattern" removes earlier matching entries. */
static int apply_send_env(struct client_config *c, const struct cfg_line *l, const char *file,
			  unsigned long line)
{
	for (int a = 0; a < l->nargs; a++) {
		if (l->args[a][0] == '\0' || strchr(l->args[a], '=') != NULL) {
			fprintf(stderr, "%s line %lu: Invalid environment name.\n", file, line);
			return ERR_FORMAT;
		}
	}
	for (int a = 0; a < l->nargs; a++) {
		const char *p = l->args[a];

		if (p[0] == '-') {
			int k = 0;

			for (int i = 0; i < c->n_send_env; i++) {
				if (cfg_match_pattern(c->send_env[i], p + 1, 0)) {
					free(c->send_env[i]);
					continue;
				}
				c->send_env[k++] = c->send_env[i];
			}
			c->n_send_env = k;
			continue;
		}
		if (c->n_send_env >= CFG_MAX_ENV) {
			fprintf(stderr, "%s line %lu: too many SendEnv entries.\n", file, line);
			return ERR_TOO_LARGE;
		}
		if ((c->send_env[c->n_send_env] = mem_strdup(p)) == NULL)
			return ERR_ALLOC;
		c->n_send_env++;
	}
	return 0;
}

/* SetEnv: the first line that applies wins whole; a repeated NAME keeps its first value. */
static int apply_set_env(struct client_config *c, const struct cfg_line *l, const char *file,
			 unsigned long line)
{
	int first = c->n_set_env == 0;

	for (int a = 0; a < l->nargs; a++) {
		if (strchr(l->args[a], '=') == NULL || l->args[a][0] == '=') {
			fprintf(stderr, "%s line %lu: Invalid SetEnv.\n", file, line);
			return ERR_FORMAT;
		}
	}
	if (!first)
		return 0;
	for (int a = 0; a < l->nargs; a++) {
		const char *p = l->args[a];
		int dup = 0;

		for (int i = 0; i < c->n_set_env; i++)
			if (env_name_len(c->set_env[i]) == env_name_len(p) &&
			    strncmp(c->set_env[i], p, env_name_len(p)) == 0)
				dup = 1;
		if (dup)
			continue;
		if (c->n_set_env >= CFG_MAX_ENV) {
			fprintf(stderr, "%s line %lu: too many SetEnv entries.\n", file, line);
			return ERR_TOO_LARGE;
		}
		if ((c->set_env[c->n_set_env] = mem_strdup(p)) == NULL)
			return ERR_ALLOC;
		c->n_set_env++;
	}
	return 0;
}

/* DynamicForward [bind:]port: stored (the client refuses to run it for now). */
int cfg_client_add_dynamic(struct client_config *c, const char *spec)
{
	struct fwd_spec f;
	int r;

	if ((r = cfg_parse_fwd_spec(spec, 1, &f)) != 0)
		return r;
	if (f.connect_host != NULL || f.connect_path != NULL || f.listen_path != NULL ||
	    f.listen_port <= 0) {
		cfg_fwd_spec_free(&f);
		return ERR_FORMAT;
	}
	if (c->n_dynamic_forwards >= CFG_MAX_FORWARDS) {
		cfg_fwd_spec_free(&f);
		return ERR_TOO_LARGE;
	}
	c->dynamic_forwards[c->n_dynamic_forwards++] = f;
	return 0;
}

/*
 * ProxyCommand: the rest of the line as written. The first of ProxyCommand
 * and ProxyJump (or -J) wins, as in ssh; "none" counts as a value.
 */
static int apply_proxy_command(struct client_config *c, const struct cfg_line *l)
{
	if (c->proxy_command_seen || (c->proxy_jump != NULL && strcmp(c->proxy_jump, "none") != 0))
		return 0;
	c->proxy_command_seen = 1;
	if ((c->proxy_command = mem_strdup(l->rest != NULL && l->rest[0] != '\0' ?
					   l->rest : l->args[0])) == NULL)
		return ERR_ALLOC;
	return 0;
}

/*
 * PermitRemoteOpen: "any", "none", or host:port words ([IPv6]:port; '*' for
 * the host or the port). The first line that applies wins, as in ssh. Kept
 * as one space-separated string; "any" is stored as NULL.
 */
static int apply_permit_remote_open(struct client_config *c, const struct cfg_line *l,
				    const char *file, unsigned long line)
{
	struct buf b;
	int any = 0, r = 0;

	for (int a = 0; a < l->nargs; a++) {
		const char *w = l->args[a], *colon = strrchr(w, ':');
		int x;

		if (strcasecmp(w, "any") == 0 || strcasecmp(w, "none") == 0) {
			if (l->nargs != 1) {
				fprintf(stderr, "%s line %lu: keyword PermitRemoteOpen \"%s\" "
					"argument must appear alone.\n", file, line, w);
				return ERR_FORMAT;
			}
			any = strcasecmp(w, "any") == 0;
			continue;
		}
		if (colon == NULL || colon == w ||
		    (strcmp(colon + 1, "*") != 0 &&
		     (cfg_parse_uint(colon + 1, &x) != 0 || x < 1 || x > 65535))) {
			fprintf(stderr, "%s line %lu: invalid permission hostname \"%s\"\n", file,
				line, w);
			return ERR_FORMAT;
		}
	}
	if (c->permit_remote_open_seen)
		return 0;
	c->permit_remote_open_seen = 1;
	if (any)
		return 0;
	buf_init(&b);
	for (int a = 0; a < l->nargs && r == 0; a++) {
		if (a > 0)
			r = buf_put_u8(&b, ' ');
		if (r == 0)
			r = buf_put(&b, l->args[a], strlen(l->args[a]));
	}
	if (r == 0)
		r = buf_put_u8(&b, 0);
	if (r == 0 && (c->permit_remote_open = mem_strdup((const char *)buf_ptr(&b))) == NULL)
		r = ERR_ALLOC;
	buf_free(&b);
	return r;
}

static int bad_time(const char *file, unsigned long line)
{
	fprintf(stderr, "%s line %lu: invalid time value.\n", file, line);
	return ERR_FORMAT;
}

static int apply_extra(struct client_config *c, enum xkw kw, const struct cfg_line *l,
		       const char *file, unsigned long line)
{
	const char *v = l->args[0];
	int64_t t;
	int x;

	switch (kw) {
	case XK_ALIVE_INTERVAL:
		if (cfg_parse_time(v, &t) != 0 || t > 0x7fffffff)
			return bad_time(file, line);
		if (c->server_alive_interval == -1)
			c->server_alive_interval = (int)t;
		return 0;
	case XK_ALIVE_COUNT:
	case XK_ATTEMPTS:
		if (cfg_parse_uint(v, &x) != 0) {
			fprintf(stderr, "%s line %lu: Bad number.\n", file, line);
			return ERR_FORMAT;
		}
		if (kw == XK_ALIVE_COUNT && c->server_alive_count_max == -1)
			c->server_alive_count_max = x;
		if (kw == XK_ATTEMPTS && c->connection_attempts == -1)
			c->connection_attempts = x;
		return 0;
	case XK_BIND:
		if (c->bind_address == NULL && (c->bind_address = mem_strdup(v)) == NULL)
			return ERR_ALLOC;
		return 0;
	case XK_SENDENV:
		return apply_send_env(c, l, file, line);
	case XK_SETENV:
		return apply_set_env(c, l, file, line);
	case XK_ESCAPE:
		if ((x = cfg_parse_escape_char(v)) == -3) {
			fprintf(stderr, "%s line %lu: Bad escape character.\n", file, line);
			return ERR_FORMAT;
		}
		if (c->escape_char == -2)
			c->escape_char = x;
		return 0;
	case XK_DYNAMIC:
		if ((x = cfg_client_add_dynamic(c, v)) == ERR_FORMAT)
			fprintf(stderr, "%s line %lu: Bad forwarding specification.\n", file, line);
		return x;
	case XK_PROXYCOMMAND:
		return apply_proxy_command(c, l);
	case XK_PERMIT_REMOTE_OPEN:
		return apply_permit_remote_open(c, l, file, line);
	case XK_RECONNECT:
		if (strcasecmp(v, "yes") != 0 && strcasecmp(v, "no") != 0) {
			fprintf(stderr, "%s line %lu: unsupported option \"%s\".\n", file, line, v);
			return ERR_FORMAT;
		}
		if (c->reconnect == -1)
			c->reconnect = strcasecmp(v, "yes") == 0;
		return 0;
	case XK_RECONNECT_MAX:
		if (cfg_parse_time(v, &t) != 0 || t < 1 || t > 86400)
			return bad_time(file, line);
		if (c->reconnect_max_delay == -1)
			c->reconnect_max_delay = (int)t;
		return 0;
	case XK_IGNOREUNKNOWN:
		if (c->ignore_unknown == NULL && (c->ignore_unknown = mem_strdup(v)) == NULL)
			return ERR_ALLOC;
		return 0;
	}
	return ERR_INVALID_ARG;
}

/* Keywords whose value is a list of words (the rest take one). */
static int takes_list(enum xkw kw)
{
	return kw == XK_SENDENV || kw == XK_SETENV || kw == XK_PROXYCOMMAND ||
	       kw == XK_PERMIT_REMOTE_OPEN;
}

int cfg_client_apply_extra(struct client_config *c, struct cfg_line *l, const char *file,
			   unsigned long line, enum cfg_src src, const char *name)
{
	size_t i;

	for (i = 0; i < N_ELEMS(extra_keywords); i++)
		if (strcasecmp(l->keyword, extra_keywords[i].name) == 0)
			break;
	if (i == N_ELEMS(extra_keywords))
		return 1;
	if (l->nargs == 0) {
		fprintf(stderr, "%s line %lu: no argument after keyword \"%s\"\n", file, line, name);
		return ERR_FORMAT;
	}
	if (!takes_list(extra_keywords[i].kw) && l->nargs > 1) {
		fprintf(stderr, "%s line %lu: keyword %s extra arguments at end of line\n", file,
			line, name);
		return ERR_FORMAT;
	}
	/* A ProxyCommand in a block that does not apply is not even looked at. */
	if (src == CFG_SRC_FILE_INACTIVE && extra_keywords[i].kw == XK_PROXYCOMMAND)
		return 0;
	return apply_extra(c, extra_keywords[i].kw, l, file, line);
}

int cfg_client_ignored_unknown(const struct client_config *c, const char *keyword)
{
	char lower[64];
	size_t i;

	if (c->ignore_unknown == NULL)
		return 0;
	/* ssh matches the pattern list against the keyword as written, case-insensitively. */
	for (i = 0; i + 1 < sizeof(lower) && keyword[i] != '\0'; i++)
		lower[i] = (char)tolower((unsigned char)keyword[i]);
	lower[i] = '\0';
	return cfg_match_pattern_list(lower, c->ignore_unknown, 1) == 1;
}

int cfg_client_arg_extra(struct client_config *c, char ch, const char *v)
{
	int x;

	switch (ch) {
	case 'b':
		if (c->bind_address == NULL && (c->bind_address = mem_strdup(v)) == NULL)
			return ERR_ALLOC;
		return 0;
	case 'D':
		if ((x = cfg_client_add_dynamic(c, v)) == ERR_FORMAT)
			fprintf(stderr, "Bad dynamic forwarding specification '%s'\n", v);
		return x;
	case 'e':
		if ((x = cfg_parse_escape_char(v)) == -3) {
			fprintf(stderr, "Bad escape character '%s'.\n", v);
			return ERR_FORMAT;
		}
		c->escape_char = x;
		return 0;
	default:
		return ERR_INVALID_ARG;
	}
}

/* Tokens in a forward's socket paths (ssh_config(5): LocalForward, RemoteForward). */
static int expand_fwd_paths(const struct client_config *c, struct fwd_spec *f, int n)
{
	int r;

	for (int i = 0; i < n; i++)
		if ((r = cfg_client_expand_field(c, &f[i].listen_path, CFG_TOKENS_FILES)) != 0 ||
		    (r = cfg_client_expand_field(c, &f[i].connect_path, CFG_TOKENS_FILES)) != 0)
			return r;
	return 0;
}

int cfg_client_finish_extra(struct client_config *c)
{
	int r;

	cfg_client_extra_defaults(c);
	if ((r = cfg_client_finish_control(c)) != 0)
		return r;
	if (c->clear_all_forwardings == 1) {
		for (int i = 0; i < c->n_dynamic_forwards; i++)
			cfg_fwd_spec_free(&c->dynamic_forwards[i]);
		c->n_dynamic_forwards = 0;
	}
	/* What ssh expands before -G prints; IdentityFile and CertificateFile come later. */
	if ((r = cfg_client_expand_field(c, &c->user_known_hosts, CFG_TOKENS_FILES)) != 0 ||
	    (r = cfg_client_expand_field(c, &c->global_known_hosts, CFG_TOKENS_FILES)) != 0 ||
	    (r = cfg_client_expand_field(c, &c->identity_agent, CFG_TOKENS_FILES)) != 0 ||
	    (r = expand_fwd_paths(c, c->local_forwards, c->n_local_forwards)) != 0 ||
	    (r = expand_fwd_paths(c, c->remote_forwards, c->n_remote_forwards)) != 0)
		return r;
	if (c->dump_config == 1)
		return 0;
	for (int i = 0; i < c->n_identity_files; i++)
		if ((r = cfg_client_expand_field(c, &c->identity_files[i], CFG_TOKENS_FILES)) != 0)
			return r;
	for (int i = 0; i < c->n_certificate_files; i++)
		if ((r = cfg_client_expand_field(c, &c->certificate_files[i],
						 CFG_TOKENS_FILES)) != 0)
			return r;
	return 0;
}
