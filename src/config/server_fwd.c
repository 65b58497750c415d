/*
 * sshd_config(5) forwarding keywords: AllowTcpForwarding,
 * AllowStreamLocalForwarding, DisableForwarding, GatewayPorts, PermitOpen,
 * PermitListen. Values and messages as OpenSSH 9.2's sshd.
 */
#include "config/server_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/err.h"
#include "util/mem.h"

struct name_val {
	const char *n;
	int v;
};

static const struct name_val fwd_allow_names[] = {
	{ "yes", FWD_ALLOW_ALL }, { "all", FWD_ALLOW_ALL }, { "no", FWD_ALLOW_NO },
	{ "local", FWD_ALLOW_LOCAL }, { "remote", FWD_ALLOW_REMOTE },
};

static const struct name_val gateway_names[] = {
	{ "no", GATEWAY_NO }, { "yes", GATEWAY_YES },
	{ "clientspecified", GATEWAY_CLIENTSPECIFIED },
};

static const struct name_val yesno_names[] = { { "yes", 1 }, { "no", 0 } };

#define NV(t) t, sizeof(t) / sizeof(t[0])

static int lookup(const struct name_val *t, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(s, t[i].n) == 0)
			return t[i].v;
	return -1;
}

const char *scfg_fwd_allow_name(int v)
{
	switch (v) {
	case FWD_ALLOW_NO: return "no";
	case FWD_ALLOW_LOCAL: return "local";
	case FWD_ALLOW_REMOTE: return "remote";
	default: return "yes";
	}
}

const char *scfg_gateway_name(int v)
{
	switch (v) {
	case GATEWAY_YES: return "yes";
	case GATEWAY_CLIENTSPECIFIED: return "clientspecified";
	default: return "no";
	}
}

/* sshd's a2port for PermitOpen/PermitListen: "*", or [+]digits 1..65535. */
static int permit_port_ok(const char *s)
{
	long v = 0;

	if (strcmp(s, "*") == 0)
		return 1;
	if (*s == '+')
		s++;
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
		if (v > 65535)
			return 0;
	}
	return v > 0;
}

/*
 * "host:port" or "[host]:port"; the host part may be empty (sshd allows
 * it), not contain '/'. Returns NULL if fine, else sshd's complaint.
 */
static const char *check_hostport(const char *s)
{
	const char *p;

	if (*s == '[') {
		if ((p = strchr(s, ']')) == NULL || (p[1] != ':' && p[1] != '\0'))
			return "missing host";
		p = p[1] == ':' ? p + 1 : NULL;
	} else {
		p = s + strcspn(s, ":/");
		if (*p == '/')
			return "missing host";
		if (*p == '\0')
			p = NULL;
	}
	if (p == NULL || !permit_port_ok(p + 1))
		return "bad port number";
	return NULL;
}

/*
 * PermitOpen / PermitListen: "any" or "none" alone, or host:port entries
 * (PermitListen: a bare port means "*:port"). The first line wins, but
 * every line is checked.
 */
static int apply_permit(char **list, int *n, const struct skw *kw, const struct cfg_line *l,
			const char *file, unsigned long line, int listen)
{
	char *tmp[SCFG_MAX_LIST];
	int nt = 0, r = 0;

	if (strcmp(l->args[0], "any") == 0 || strcmp(l->args[0], "none") == 0) {
		if (l->nargs > 1) {
			fprintf(stderr, "%s line %lu: keyword %s extra arguments at end of line\n",
				file, line, kw->name);
			return ERR_NOT_FOUND;
		}
		if (*n == 0)
			return scfg_list_add(list, n, l->args[0]);
		return 0;
	}
	if (l->nargs > SCFG_MAX_LIST) {
		fprintf(stderr, "%s line %lu: too many %s entries.\n", file, line, kw->name);
		return ERR_TOO_LARGE;
	}
	for (int a = 0; a < l->nargs && r == 0; a++) {
		const char *arg = l->args[a], *why;
		char *ent = NULL;
		size_t len;

		if (listen && strchr(arg, ':') == NULL) {
			if (mem_add_size(strlen(arg), 3, &len) != 0 || (ent = malloc(len)) == NULL) {
				r = ERR_ALLOC;
				break;
			}
			snprintf(ent, len, "*:%s", arg);
			arg = ent;
		}
		if ((why = check_hostport(arg)) != NULL) {
			fprintf(stderr, "%s line %lu: %s %s\n", file, line, kw->name, why);
			r = ERR_FORMAT;
		} else {
			r = scfg_list_add(tmp, &nt, arg);
		}
		free(ent);
	}
	if (r == 0 && *n == 0) {
		/* Hand the entries over: the list was empty. */
		for (int i = 0; i < nt; i++)
			list[i] = tmp[i];
		*n = nt;
		nt = 0;
	}
	for (int i = 0; i < nt; i++)
		free(tmp[i]);
	return r;
}

int scfg_apply_fwd(struct server_config *c, const struct skw *kw, const struct cfg_line *l,
		   const char *file, unsigned long line)
{
	const char *v = l->args[0];
	int *dst, x;

	switch (kw->id) {
	case SKW_PERMITOPEN:
		return apply_permit(c->permit_open, &c->n_permit_open, kw, l, file, line, 0);
	case SKW_PERMITLISTEN:
		return apply_permit(c->permit_listen, &c->n_permit_listen, kw, l, file, line, 1);
	case SKW_ALLOWTCP:
		dst = &c->allow_tcp_forwarding;
		x = lookup(NV(fwd_allow_names), v);
		break;
	case SKW_ALLOWSTREAMLOCAL:
		dst = &c->allow_streamlocal_forwarding;
		x = lookup(NV(fwd_allow_names), v);
		break;
	case SKW_DISABLEFWD:
		dst = &c->disable_forwarding;
		x = lookup(NV(yesno_names), v);
		break;
	case SKW_GATEWAYPORTS:
		dst = &c->gateway_ports;
		x = lookup(NV(gateway_names), v);
		break;
	default:
		return ERR_INVALID_ARG;
	}
	if (x < 0) {
		fprintf(stderr, "%s line %lu: unsupported option \"%s\".\n", file, line, v);
		return ERR_FORMAT;
	}
	if (*dst == -1)
		*dst = x;
	return 0;
}
