/*
 * The server's forwarding policy: may this user, with this key, open this
 * target (-L) or listen here (-R)? Both the administrator's rules
 * (sshd_config after Match) and the key's authorized_keys options must
 * allow it. Targets are compared in canonical form so that other spellings
 * of an address (127.1, 0x7f000001, 2130706433, LOCALHOST., trailing dots,
 * upper case, IPv6 forms) cannot slip past a rule, and the caller connects
 * to the canonical form it was checked as.
 */
#ifndef BURROW_POLICY_POLICY_H
#define BURROW_POLICY_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "auth/authkeys.h"
#include "config/server_config.h"

/*
 * Canonical form of a host as given in a request or a rule: IPv4 in any
 * inet_aton spelling -> dotted quad; IPv6 -> RFC 5952 text; names -> lower
 * case without trailing dots. ERR_FORMAT for an empty or malformed host.
 */
int policy_canon_host(const char *host, char *out, size_t outlen);

struct policy_decision {
	int allowed;
	const char *rule;   /* which rule refused (static string; NULL when allowed):
			       "DisableForwarding", "AllowTcpForwarding no|local|remote",
			       "AllowStreamLocalForwarding no|local|remote",
			       "authorized_keys restrict", "authorized_keys no-port-forwarding",
			       "port above 65535", "privileged port", "malformed host",
			       "PermitOpen", "PermitListen", "authorized_keys permitopen",
			       "authorized_keys permitlisten" */
};

/*
 * -L / direct-tcpip to host:port (host should already be canonical; it is
 * canonicalised again, so another spelling is decided the same way).
 * Order: DisableForwarding, AllowTcpForwarding, key flags, port range,
 * PermitOpen, key permitopen= (both lists must allow; "*" host or port is
 * a wildcard; no DNS: "localhost" matches only "localhost").
 */
void policy_check_open(const struct server_config *eff, const struct authkey_opts *key,
		       const char *host, uint32_t port, struct policy_decision *d);
/*
 * -R / tcpip-forward on bind_host:port for a user with uid (ports 1..1023
 * need uid 0; 0 asks for any port). PermitListen / permitlisten= are
 * matched against bind_host as requested ("" only matches "*" or a bare
 * port entry), before policy_listen_address applies GatewayPorts.
 */
void policy_check_listen(const struct server_config *eff, const struct authkey_opts *key,
			 const char *bind_host, uint32_t port, uid_t uid,
			 struct policy_decision *d);
/* direct-streamlocal / streamlocal-forward (remote = 1 for listening). */
void policy_check_streamlocal(const struct server_config *eff, const struct authkey_opts *key,
			      int remote, struct policy_decision *d);
/*
 * Where a tcpip-forward listener binds, given GatewayPorts (RFC 4254 7.1 and
 * sshd_config(5)): returns "" (every address), NULL (loopback only) or the
 * requested address (clientspecified) in *bind.
 */
void policy_listen_address(const struct server_config *eff, const char *requested,
			   const char **bind);
/* authorized_keys from="pattern-list" against the client's address (and host name). */
int policy_from_allows(const char *from, const char *addr, const char *host);

#endif
