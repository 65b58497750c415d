/*
 * burrow -G: the resolved client configuration in ssh -G's format (OpenSSH
 * 9.2): a lower-case keyword, a space, the value; lists one entry a line.
 * Only keywords burrow implements are printed.
 */
#include "config/client_config.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/client_internal.h"
#include "config/values.h"

static const char *yesno(int v)
{
	return v == 1 ? "yes" : "no";
}

static const char *af_name(int af)
{
	return af == AF_INET ? "inet" : af == AF_INET6 ? "inet6" : "any";
}

static const char *strict_name(int v)
{
	switch (v) {
	case SHK_YES: return "true";
	case SHK_NO: return "false";
	case SHK_ACCEPT_NEW: return "accept-new";
	default: return "ask";
	}
}

static const char *tty_name(int v)
{
	switch (v) {
	case REQUEST_TTY_NO: return "no";
	case REQUEST_TTY_YES: return "yes";
	case REQUEST_TTY_FORCE: return "force";
	default: return "auto";
	}
}

static void dump_str(const char *kw, const char *v)
{
	if (v != NULL)
		printf("%s %s\n", kw, v);
}

/* One side of a forward as ssh -G writes it: "port", "[host]:port" or a path. */
static void fwd_side(const char *host, int port, const char *path, int bare_port)
{
	if (path != NULL)
		printf("%s", path);
	else if (host == NULL && bare_port)
		printf("%d", port);
	else
		printf("[%s]:%d", host != NULL ? host : "", port);
}

static void dump_forwards(const char *kw, const struct fwd_spec *f, int n, int dynamic)
{
	for (int i = 0; i < n; i++) {
		printf("%s ", kw);
		fwd_side(f[i].listen_host, f[i].listen_port, f[i].listen_path, 1);
		/* A -R without a target is a dynamic one: listen side only. */
		if (!dynamic && (f[i].connect_host != NULL || f[i].connect_path != NULL)) {
			printf(" ");
			fwd_side(f[i].connect_host, f[i].connect_port, f[i].connect_path, 0);
		}
		printf("\n");
	}
}

/* EscapeChar as ssh shows it (vis(3) style for control characters). */
static void dump_escape(int ch)
{
	if (ch == -1)
		printf("escapechar none\n");
	else if (ch < 0x20)
		printf("escapechar \\^%c\n", ch + 0x40);
	else if (ch == 0x7f)
		printf("escapechar \\^?\n");
	else if (ch > 0x7f)
		printf("escapechar \\%03o\n", ch);
	else
		printf("escapechar %c\n", ch);
}

void cfg_client_dump(const struct client_config *c)
{
	dump_str("host", c->host);
	dump_str("user", c->user);
	dump_str("hostname", c->hostname);
	printf("port %d\n", c->port);
	printf("addressfamily %s\n", af_name(c->address_family));
	printf("batchmode %s\n", yesno(c->batch_mode));
	printf("compression %s\n", yesno(c->compression));
	printf("clearallforwardings %s\n", yesno(c->clear_all_forwardings));
	printf("exitonforwardfailure %s\n", yesno(c->exit_on_forward_failure));
	printf("gatewayports %s\n", yesno(c->gateway_ports));
	printf("hashknownhosts %s\n", yesno(c->hash_known_hosts));
	printf("identitiesonly %s\n", yesno(c->identities_only));
	cfg_client_auth_dump(c);
	printf("requesttty %s\n", tty_name(c->request_tty));
	printf("stricthostkeychecking %s\n", strict_name(c->strict_host_key_checking));
	printf("connectionattempts %d\n", c->connection_attempts);
	printf("serveralivecountmax %d\n", c->server_alive_count_max);
	printf("serveraliveinterval %d\n", c->server_alive_interval);
	cfg_client_control_dump(c);
	dump_str("ciphers", c->ciphers);
	dump_str("hostkeyalgorithms", c->host_key_algorithms);
	dump_str("kexalgorithms", c->kex_algorithms);
	dump_str("casignaturealgorithms", c->ca_signature_algorithms);
	printf("loglevel %s\n", cfg_log_level_name(c->log_level));
	dump_str("macs", c->macs);
	dump_str("pubkeyacceptedalgorithms", c->pubkey_accepted_algorithms);
	dump_str("bindaddress", c->bind_address);
	dump_str("identityagent", c->identity_agent);
	dump_forwards("dynamicforward", c->dynamic_forwards, c->n_dynamic_forwards, 1);
	dump_forwards("localforward", c->local_forwards, c->n_local_forwards, 0);
	dump_forwards("remoteforward", c->remote_forwards, c->n_remote_forwards, 0);
	for (int i = 0; i < c->n_identity_files; i++)
		printf("identityfile %s\n", c->identity_files[i]);
	for (int i = 0; i < c->n_certificate_files; i++)
		printf("certificatefile %s\n", c->certificate_files[i]);
	dump_str("globalknownhostsfile", c->global_known_hosts);
	dump_str("userknownhostsfile", c->user_known_hosts);
	for (int i = 0; i < c->n_send_env; i++)
		printf("sendenv %s\n", c->send_env[i]);
	for (int i = 0; i < c->n_set_env; i++)
		printf("setenv %s\n", c->set_env[i]);
	printf("forwardagent %s\n", yesno(c->forward_agent));
	if (c->connect_timeout > 0)
		printf("connecttimeout %d\n", c->connect_timeout);
	else
		printf("connecttimeout none\n");
	dump_escape(c->escape_char);
	printf("rekeylimit %lld %lld\n", (long long)c->rekey_bytes, (long long)c->rekey_seconds);
	if (c->proxy_jump != NULL && strcmp(c->proxy_jump, "none") != 0)
		printf("proxyjump %s\n", c->proxy_jump);
	if (c->proxy_command != NULL)
		printf("proxycommand %s\n", c->proxy_command);
}
