/* Client defaults and "~/" expansion (cfg_client_finish). */
#include "config/client_config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/alglist.h"
#include "config/client_internal.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

/*
 * Defaults as ssh_config(5). Identity files in ssh's order, for the key types
 * burrow knows (ssh also tries id_ecdsa_sk, id_ed25519_sk, id_xmss, id_dsa).
 */
static const char *const default_identities[] = {
	"~/.ssh/id_rsa", "~/.ssh/id_ecdsa", "~/.ssh/id_ed25519",
};
#define DEFAULT_USER_KNOWN_HOSTS "~/.ssh/known_hosts ~/.ssh/known_hosts2"
#define DEFAULT_GLOBAL_KNOWN_HOSTS "/etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2"

/* "~" or "~/x" -> home + rest; anything else is copied. */
static int expand_one(const char *home, const char *s, size_t len, char **out)
{
	size_t hl = 0, n;
	char *p;

	if (len > 0 && s[0] == '~' && (len == 1 || s[1] == '/')) {
		hl = strlen(home);
		s++;
		len--;
	}
	if (mem_add_size(hl, len, &n) != 0 || mem_add_size(n, 1, &n) != 0)
		return ERR_TOO_LARGE;
	if ((p = malloc(n)) == NULL)
		return ERR_ALLOC;
	memcpy(p, home, hl);
	memcpy(p + hl, s, len);
	p[hl + len] = '\0';
	*out = p;
	return 0;
}

/* Expand each space-separated word of *s in place of the old string. */
static int expand_list(const char *home, char **s)
{
	size_t cap = 1, len = 0;
	char *res, *w;
	const char *p = *s;
	int r;

	if ((res = calloc(1, 1)) == NULL)
		return ERR_ALLOC;
	while (*p != '\0') {
		size_t wl = strcspn(p, " ");
		char *nres;

		if (wl == 0) {
			p++;
			continue;
		}
		if ((r = expand_one(home, p, wl, &w)) != 0)
			goto fail;
		wl = strlen(w);
		if (mem_add_size(cap, wl + 1, &cap) != 0 ||
		    (nres = realloc(res, cap)) == NULL) {
			free(w);
			r = ERR_ALLOC;
			goto fail;
		}
		res = nres;
		if (len > 0)
			res[len++] = ' ';
		memcpy(res + len, w, wl);
		len += wl;
		res[len] = '\0';
		free(w);
		p += strcspn(p, " ");
	}
	free(*s);
	*s = res;
	return 0;
fail:
	free(res);
	return r;
}

static int set_default(char **dst, const char *v)
{
	if (*dst == NULL && (*dst = mem_strdup(v)) == NULL)
		return ERR_ALLOC;
	return 0;
}

static void default_int(int *v, int def)
{
	if (*v == -1)
		*v = def;
}

int cfg_expand_tilde(const char *home, const char *s, char **out)
{
	return expand_one(home, s, strlen(s), out);
}

const char *cfg_home_dir(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home != NULL && home[0] != '\0')
		return home;
	if ((pw = getpwuid(getuid())) == NULL)
		return NULL;
	return pw->pw_dir;
}

/*
 * HostName tokens (ssh_config(5)): %h the host as given, %% a percent. Only
 * a configured HostName is expanded: a destination like fe80::1%eth0 is not.
 */
static int expand_hostname(struct client_config *c)
{
	const char *s = c->hostname;
	size_t len = 1, k = 0, hl = strlen(c->host);
	char *out;

	if (strchr(s, '%') == NULL)
		return 0;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '%' && p[1] == '\0') {
			fprintf(stderr, "percent_expand: invalid format\n");
			return ERR_FORMAT;
		}
		if (*p == '%' && p[1] != 'h' && p[1] != '%') {
			fprintf(stderr, "percent_expand: unknown key %%%c\n", p[1]);
			return ERR_FORMAT;
		}
		if (mem_add_size(len, *p == '%' && p[1] == 'h' ? hl : 1, &len) != 0)
			return ERR_TOO_LARGE;
		if (*p == '%')
			p++;
	}
	if ((out = malloc(len)) == NULL)
		return ERR_ALLOC;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '%' && *++p == 'h') {
			memcpy(out + k, c->host, hl);
			k += hl;
		} else {
			out[k++] = *p;
		}
	}
	out[k] = '\0';
	free(c->hostname);
	c->hostname = out;
	return 0;
}

/* What ssh settles after all options are read: -W and ClearAllForwardings. */
static int finish_forwarding(struct client_config *c)
{
	if (c->stdio_forward_host != NULL) {
		/* ssh: a stdio forward carries no other forwards and must not fail half-way. */
		c->clear_all_forwardings = 1;
		c->exit_on_forward_failure = 1;
	}
	default_int(&c->exit_on_forward_failure, 0);
	default_int(&c->clear_all_forwardings, 0);
	if (c->clear_all_forwardings) {
		for (int i = 0; i < c->n_local_forwards; i++)
			cfg_fwd_spec_free(&c->local_forwards[i]);
		c->n_local_forwards = 0;
		for (int i = 0; i < c->n_remote_forwards; i++)
			cfg_fwd_spec_free(&c->remote_forwards[i]);
		c->n_remote_forwards = 0;
	}
	if (c->fork_after_auth == 1 && c->command == NULL && c->no_shell != 1 &&
	    c->stdio_forward_host == NULL) {
		fprintf(stderr, "Cannot fork into background without a command to execute.\n");
		return ERR_INVALID_ARG;
	}
	return 0;
}

static int expand_path(const char *home, char **s)
{
	char *n;
	int r;

	if (*s == NULL)
		return 0;
	if ((r = expand_one(home, *s, strlen(*s), &n)) != 0)
		return r;
	free(*s);
	*s = n;
	return 0;
}

static int resolve_algs(struct client_config *c)
{
	c->host_key_algorithms_default = c->host_key_algorithms == NULL;
	return cfg_alg_resolve_fields(&(struct cfg_alg_fields){
		.ciphers = &c->ciphers,
		.macs = &c->macs,
		.kex = &c->kex_algorithms,
		.host_key = &c->host_key_algorithms,
		.pubkey = &c->pubkey_accepted_algorithms,
		.ca_sig = &c->ca_signature_algorithms,
	});
}

int cfg_client_finish(struct client_config *c)
{
	struct passwd *pw;
	const char *home;
	int r;

	if (c->host == NULL || c->host[0] == '\0')
		return ERR_INVALID_ARG;
	if ((pw = getpwuid(getuid())) == NULL) {
		fprintf(stderr, "No user exists for uid %lu\n", (unsigned long)getuid());
		return ERR_NOT_FOUND;
	}
	home = getenv("HOME");
	if (home == NULL || home[0] == '\0')
		home = pw->pw_dir;

	if ((r = set_default(&c->user, pw->pw_name)) != 0 ||
	    (c->hostname != NULL && (r = expand_hostname(c)) != 0) ||
	    (r = set_default(&c->hostname, c->host)) != 0 ||
	    (r = set_default(&c->user_known_hosts, DEFAULT_USER_KNOWN_HOSTS)) != 0 ||
	    (r = set_default(&c->global_known_hosts, DEFAULT_GLOBAL_KNOWN_HOSTS)) != 0)
		return r;
	if (c->n_identity_files == 0) {
		for (size_t i = 0; i < sizeof(default_identities) / sizeof(default_identities[0]); i++)
			if ((r = cfg_client_add_identity(c, default_identities[i])) != 0)
				return r;
	}
	/* -G shows IdentityFile and CertificateFile as written, as ssh -G does. */
	for (int i = 0; c->dump_config != 1 && i < c->n_identity_files; i++)
		if ((r = expand_path(home, &c->identity_files[i])) != 0)
			return r;
	for (int i = 0; c->dump_config != 1 && i < c->n_certificate_files; i++)
		if ((r = expand_path(home, &c->certificate_files[i])) != 0)
			return r;
	if ((r = expand_path(home, &c->identity_agent)) != 0 || (r = resolve_algs(c)) != 0)
		return r;
	if ((r = expand_list(home, &c->user_known_hosts)) != 0 ||
	    (r = expand_list(home, &c->global_known_hosts)) != 0 ||
	    (r = expand_path(home, &c->config_file)) != 0)
		return r;

	default_int(&c->port, 22);
	default_int(&c->identities_only, 0);
	default_int(&c->strict_host_key_checking, SHK_ASK);
	default_int(&c->hash_known_hosts, 0);
	default_int(&c->batch_mode, 0);
	cfg_client_auth_defaults(c);
	default_int(&c->log_level, LOG_INFO);
	default_int(&c->connect_timeout, 0);
	default_int(&c->address_family, AF_UNSPEC);
	default_int(&c->no_shell, 0);
	default_int(&c->stdin_null, 0);
	default_int(&c->fork_after_auth, 0);
	default_int(&c->gateway_ports, 0);
	default_int(&c->compression, 0);
	default_int(&c->forward_agent, 0);
	if (c->rekey_bytes == -1)
		c->rekey_bytes = 0;
	if (c->rekey_seconds == -1)
		c->rekey_seconds = 0;
	if (c->request_tty == REQUEST_TTY_UNSET)
		c->request_tty = REQUEST_TTY_AUTO;
	if ((r = finish_forwarding(c)) != 0)
		return r;
	return cfg_client_finish_extra(c);
}
