/* sshd(8) command line for burrowd, defaults, and the -T dump. */
#include "config/server_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "config/alglist.h"
#include "config/server_internal.h"
#include "config/values.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

#define SERVER_FLAGS "46DdeiqTt"
#define SERVER_ARG_FLAGS "CEfhop"

#define DEFAULT_HOST_KEY "/etc/ssh/ssh_host_ed25519_key"
#define DEFAULT_PID_FILE "/run/burrowd.pid"

static void server_usage(void)
{
	fprintf(stderr,
		"usage: burrowd [-46DdeiqTt] [-C connection_spec] [-E log_file]\n"
		"               [-f config_file] [-h host_key_file] [-o option] [-p port]\n");
}

static void server_flag(struct server_config *c, char ch)
{
	switch (ch) {
	case '4': c->address_family = AF_INET; break;
	case '6': c->address_family = AF_INET6; break;
	case 'D': c->no_daemon = 1; break;
	case 'd':
		/* Debug mode as sshd: stay in the foreground, log to stderr, one more level. */
		if (c->debug == 0) {
			c->debug = 1;
			c->log_level = LOG_DEBUG1;
		} else if (c->log_level < LOG_DEBUG3) {
			c->debug++;
			c->log_level++;
		}
		c->no_daemon = 1;
		c->log_stderr = 1;
		break;
	case 'e': c->log_stderr = 1; break;
	/* Inetd mode, as sshd -i: the connection is on stdin/stdout. */
	case 'i': c->inetd_mode = 1; break;
	case 'q': c->quiet = 1; c->log_level = LOG_QUIET; break;
	case 'T': c->dump_config = 1; break;
	case 't': c->test_only = 1; break;
	default: break;
	}
}

/* sshd's -C: checked now, kept as text for scfg_dump(). */
static int set_conn_spec(struct server_config *c, const char *v)
{
	struct scfg_conn_info ci;
	char *tmp;
	int r;

	if ((tmp = mem_strdup(v)) == NULL)
		return ERR_ALLOC;
	r = scfg_parse_conn_spec(tmp, &ci);
	free(tmp);
	if (r != 0)
		return r;
	return cfg_replace_str(&c->dump_conn_spec, v);
}

/* lport: 0..65535 (0 means "not given", as in sshd); -1 if invalid. */
static int spec_port(const char *s)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > 65535)
			return -1;
	}
	return (int)v;
}

int scfg_parse_conn_spec(char *spec, struct scfg_conn_info *ci)
{
	struct scfg_conn_info c = { NULL, NULL, NULL, NULL, -1 };
	char *p = spec, *item;

	while ((item = strsep(&p, ",")) != NULL) {
		char *v = strchr(item, '=');

		if (*item == '\0')
			continue;
		if (v != NULL)
			*v++ = '\0';
		if (v == NULL) {
			fprintf(stderr, "Invalid test mode specification %s\n", item);
			return ERR_FORMAT;
		}
		if (strcmp(item, "user") == 0) {
			c.user = v;
		} else if (strcmp(item, "host") == 0) {
			c.host = v;
		} else if (strcmp(item, "addr") == 0) {
			c.addr = v;
		} else if (strcmp(item, "laddr") == 0) {
			c.laddr = v;
		} else if (strcmp(item, "lport") == 0) {
			if ((c.lport = spec_port(v)) < 0) {
				fprintf(stderr, "Invalid port '%s' in test mode specification %s=%s\n",
					v, item, v);
				return ERR_FORMAT;
			}
			if (c.lport == 0)
				c.lport = -1;
		} else if (strcmp(item, "rdomain") != 0) {
			fprintf(stderr, "Invalid test mode specification %s=%s\n", item, v);
			return ERR_FORMAT;
		}
	}
	*ci = c;
	return 0;
}

static int server_arg_flag(struct server_config *c, char ch, const char *v)
{
	int port, r;

	switch (ch) {
	case 'C':
		return set_conn_spec(c, v);
	case 'E':
		return cfg_replace_str(&c->log_file, v);
	case 'f':
		c->config_file_explicit = 1;
		return cfg_replace_str(&c->config_file, v);
	case 'h':
		if ((r = scfg_list_add(c->host_keys, &c->n_host_keys, v)) == ERR_TOO_LARGE)
			fprintf(stderr, "too many host keys.\n");
		return r;
	case 'o':
		return scfg_apply(c, v, "command-line", 0);
	case 'p':
		if ((port = cfg_parse_port(v)) < 0) {
			fprintf(stderr, "Bad port number.\n");
			return ERR_FORMAT;
		}
		/* The first -p drops ports from the file; -o Port given earlier stays, as in sshd. */
		c->ports_from_cmdline = 1;
		if (c->n_ports >= SCFG_MAX_LIST) {
			fprintf(stderr, "too many ports.\n");
			return ERR_TOO_LARGE;
		}
		c->ports[c->n_ports++] = port;
		return 0;
	default:
		return ERR_INVALID_ARG;
	}
}

int scfg_parse_args(struct server_config *c, int argc, char **argv)
{
	int i, r;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		for (size_t j = 1; a[j] != '\0'; j++) {
			const char *v;

			if (strchr(SERVER_FLAGS, a[j]) != NULL) {
				server_flag(c, a[j]);
				continue;
			}
			if (strchr(SERVER_ARG_FLAGS, a[j]) == NULL) {
				fprintf(stderr, "unknown option -- %c\n", a[j]);
				server_usage();
				return ERR_INVALID_ARG;
			}
			if (a[j + 1] != '\0') {
				v = a + j + 1;
			} else if (i + 1 < argc) {
				v = argv[++i];
			} else {
				fprintf(stderr, "option requires an argument -- %c\n", a[j]);
				server_usage();
				return ERR_INVALID_ARG;
			}
			if ((r = server_arg_flag(c, a[j], v)) != 0)
				return r;
			break;
		}
	}
	if (i < argc) {
		fprintf(stderr, "Extra argument %s.\n", argv[i]);
		return ERR_INVALID_ARG;
	}
	if (c->config_file == NULL && (c->config_file = mem_strdup(SCFG_DEFAULT_CONFIG)) == NULL)
		return ERR_ALLOC;
	return 0;
}

/* As sshd: with -T, a LocalPort criterion cannot be tested without lport in -C. */
static int check_conn_spec(const struct server_config *c)
{
	struct scfg_conn_info ci = { NULL, NULL, NULL, NULL, -1 };
	char *tmp;
	int r = 0;

	if ((!c->dump_config && c->dump_conn_spec == NULL) || !scfg_matches_use_lport(c->matches))
		return 0;
	if (c->dump_conn_spec != NULL) {
		if ((tmp = mem_strdup(c->dump_conn_spec)) == NULL)
			return ERR_ALLOC;
		r = scfg_parse_conn_spec(tmp, &ci);
		free(tmp);
	}
	if (r == 0 && ci.lport <= 0) {
		fprintf(stderr, "'Match LocalPort' in configuration but 'lport' not in "
			"connection test specification.\n");
		r = ERR_INVALID_ARG;
	}
	return r;
}

void scfg_none_is_null(char **s)
{
	if (*s != NULL && strcasecmp(*s, "none") == 0) {
		free(*s);
		*s = NULL;
	}
}

int scfg_resolve_algs(struct server_config *c)
{
	return cfg_alg_resolve_fields(&(struct cfg_alg_fields){
		.ciphers = &c->ciphers,
		.macs = &c->macs,
		.kex = &c->kex_algorithms,
		.host_key = &c->host_key_algorithms,
		.pubkey = &c->pubkey_accepted_algorithms,
		.ca_sig = &c->ca_signature_algorithms,
	});
}

int scfg_finish(struct server_config *c)
{
	static const char *const authkeys[] = { ".ssh/authorized_keys", ".ssh/authorized_keys2" };
	int r;

	if (c->config_file == NULL && (c->config_file = mem_strdup(SCFG_DEFAULT_CONFIG)) == NULL)
		return ERR_ALLOC;
	if (c->n_ports == 0)
		c->ports[c->n_ports++] = 22;
	if (c->n_host_keys == 0 &&
	    (r = scfg_list_add(c->host_keys, &c->n_host_keys, DEFAULT_HOST_KEY)) != 0)
		return r;
	if (c->n_authorized_keys_files == 0) {
		for (size_t i = 0; i < sizeof(authkeys) / sizeof(authkeys[0]); i++)
			if ((r = scfg_list_add(c->authorized_keys_files,
					       &c->n_authorized_keys_files, authkeys[i])) != 0)
				return r;
	}
	if (c->pid_file == NULL && (c->pid_file = mem_strdup(DEFAULT_PID_FILE)) == NULL)
		return ERR_ALLOC;
	if (c->log_level == -1)
		c->log_level = LOG_INFO;
	if (c->permit_root_login == -1)
		c->permit_root_login = PERMIT_ROOT_PROHIBIT_PASSWORD;
	if (c->max_auth_tries == -1)
		c->max_auth_tries = 6;
	if (c->login_grace_time == -1)
		c->login_grace_time = 120;
	if (c->rekey_bytes == -1)
		c->rekey_bytes = 0;
	if (c->rekey_seconds == -1)
		c->rekey_seconds = 0;
	if (c->address_family == -1)
		c->address_family = AF_UNSPEC;
	if (c->allow_tcp_forwarding == -1)
		c->allow_tcp_forwarding = FWD_ALLOW_ALL;
	if (c->allow_streamlocal_forwarding == -1)
		c->allow_streamlocal_forwarding = FWD_ALLOW_ALL;
	if (c->disable_forwarding == -1)
		c->disable_forwarding = 0;
	if (c->gateway_ports == -1)
		c->gateway_ports = GATEWAY_NO;
	if (c->compression == -1)
		c->compression = 1;
	if (c->allow_agent_forwarding == -1)
		c->allow_agent_forwarding = 1;
	scfg_none_is_null(&c->trusted_user_ca_keys);
	scfg_session_defaults(c);
	scfg_auth_finish(c);
	if ((r = scfg_resolve_algs(c)) != 0)
		return r;
	return check_conn_spec(c);
}

int scfg_configure(struct server_config *c, int argc, char **argv)
{
	int r;

	if ((r = scfg_parse_args(c, argc, argv)) != 0 ||
	    (r = scfg_load_file(c, c->config_file, c->config_file_explicit)) != 0)
		return r;
	return scfg_finish(c);
}

static const char *permit_root_name(int v)
{
	switch (v) {
	case PERMIT_ROOT_YES: return "yes";
	case PERMIT_ROOT_NO: return "no";
	case PERMIT_ROOT_FORCED_COMMANDS_ONLY: return "forced-commands-only";
	default: return "prohibit-password";
	}
}

static const char *af_name(int af)
{
	return af == AF_INET ? "inet" : af == AF_INET6 ? "inet6" : "any";
}

static void dump_listen(const char *host, int port)
{
	printf("listenaddress %s%s%s:%d\n", strchr(host, ':') ? "[" : "", host,
	       strchr(host, ':') ? "]" : "", port);
}

/* Like sshd -T: one address per port when the entry has none. */
static void dump_listen_addresses(const struct server_config *c)
{
	if (c->n_listen_addresses == 0) {
		for (int p = 0; p < c->n_ports; p++) {
			if (c->address_family != AF_INET)
				dump_listen("::", c->ports[p]);
			if (c->address_family != AF_INET6)
				dump_listen("0.0.0.0", c->ports[p]);
		}
		return;
	}
	for (int i = 0; i < c->n_listen_addresses; i++) {
		char *host;
		int port;

		if (scfg_parse_listen_address(c->listen_addresses[i], &host, &port) != 0)
			continue;
		if (port != 0)
			dump_listen(host, port);
		for (int p = 0; port == 0 && p < c->n_ports; p++)
			dump_listen(host, c->ports[p]);
		free(host);
	}
}

static void dump_list(const char *kw, char *const *v, int n)
{
	printf("%s", kw);
	if (n == 0)
		printf(" any");
	for (int i = 0; i < n; i++)
		printf(" %s", v[i]);
	printf("\n");
}

/* sshd -T prints a keyword with an empty list as "keyword " too. */
static void dump_str(const char *kw, const char *v)
{
	if (v != NULL)
		printf("%s %s\n", kw, v);
}

static void dump_effective(const struct server_config *c)
{
	for (int i = 0; i < c->n_ports; i++)
		printf("port %d\n", c->ports[i]);
	printf("addressfamily %s\n", af_name(c->address_family));
	dump_listen_addresses(c);
	printf("logingracetime %d\n", c->login_grace_time);
	printf("maxauthtries %d\n", c->max_auth_tries);
	printf("permitrootlogin %s\n", permit_root_name(c->permit_root_login));
	printf("pidfile %s\n", c->pid_file != NULL ? c->pid_file : "none");
	printf("loglevel %s\n", cfg_log_level_name(c->log_level));
	printf("authorizedkeysfile");
	for (int i = 0; i < c->n_authorized_keys_files; i++)
		printf(" %s", c->authorized_keys_files[i]);
	printf("\n");
	for (int i = 0; i < c->n_host_keys; i++)
		printf("hostkey %s\n", c->host_keys[i]);
	printf("rekeylimit %lld %lld\n", (long long)c->rekey_bytes, (long long)c->rekey_seconds);
	for (int i = 0; i < c->n_host_certificates; i++)
		printf("hostcertificate %s\n", c->host_certificates[i]);
	printf("compression %s\n", c->compression == 0 ? "no" : "yes");
	printf("allowagentforwarding %s\n", c->allow_agent_forwarding == 0 ? "no" : "yes");
	printf("trustedusercakeys %s\n",
	       c->trusted_user_ca_keys != NULL ? c->trusted_user_ca_keys : "none");
	dump_str("ciphers", c->ciphers);
	dump_str("macs", c->macs);
	dump_str("kexalgorithms", c->kex_algorithms);
	dump_str("hostkeyalgorithms", c->host_key_algorithms);
	dump_str("pubkeyacceptedalgorithms", c->pubkey_accepted_algorithms);
	dump_str("casignaturealgorithms", c->ca_signature_algorithms);
	printf("gatewayports %s\n", scfg_gateway_name(c->gateway_ports));
	printf("allowtcpforwarding %s\n", scfg_fwd_allow_name(c->allow_tcp_forwarding));
	printf("disableforwarding %s\n", c->disable_forwarding == 1 ? "yes" : "no");
	printf("allowstreamlocalforwarding %s\n",
	       scfg_fwd_allow_name(c->allow_streamlocal_forwarding));
	dump_list("permitopen", c->permit_open, c->n_permit_open);
	dump_list("permitlisten", c->permit_listen, c->n_permit_listen);
	scfg_dump_session(c);
	scfg_auth_dump(c);
}

int scfg_dump_for(const struct server_config *c, const struct scfg_conn_info *ci)
{
	struct server_config eff;
	int r;

	/* Without a connection only "Match All" blocks apply, as with sshd -T. */
	if ((r = scfg_copy(c, &eff)) != 0)
		return r;
	if ((r = scfg_apply_match(&eff, ci)) == 0)
		dump_effective(&eff);
	scfg_free(&eff);
	return r;
}

void scfg_dump(const struct server_config *c)
{
	struct scfg_conn_info ci;
	char *spec = NULL;

	if (c->dump_conn_spec != NULL) {
		if ((spec = mem_strdup(c->dump_conn_spec)) == NULL ||
		    scfg_parse_conn_spec(spec, &ci) != 0) {
			fprintf(stderr, "burrowd: cannot use the connection spec\n");
			free(spec);
			return;
		}
	}
	if (scfg_dump_for(c, spec != NULL ? &ci : NULL) != 0)
		fprintf(stderr, "burrowd: cannot apply Match blocks\n");
	free(spec);
}
