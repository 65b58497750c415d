/*
 * The forwarding decisions, with sshd's semantics (sshd_config(5)
 * AllowTcpForwarding, AllowStreamLocalForwarding, DisableForwarding,
 * GatewayPorts, PermitOpen, PermitListen; sshd(8) authorized_keys options).
 * Each check runs in a fixed order and names the first rule that refuses,
 * so the refusal log says why.
 */
#include "policy/policy.h"
#include "policy/policy_int.h"

#include <strings.h>
#include <string.h>

#include "util/log.h"

static void pol_decide(struct policy_decision *d, const char *rule)
{
	d->allowed = rule == NULL;
	d->rule = rule;
}

/* The key forbids forwarding: which option said so, for the log. */
static const char *pol_key_rule(const struct authkey_opts *key)
{
	if (key == NULL || !key->no_port_forwarding)
		return NULL;
	return key->restrict_all ? "authorized_keys restrict" :
				   "authorized_keys no-port-forwarding";
}

/*
 * Does one list allow host:port? Administrator lists know "any" and
 * "none"; an entry that does not parse allows nothing (a typo in a rule
 * must not open everything).
 */
static int pol_list_allows(char *const *list, size_t n, int bare_port_ok, const char *host,
			   uint32_t port)
{
	struct pc_entry e;

	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(list[i], "any") == 0)
			return 1;
		if (strcasecmp(list[i], "none") == 0)
			continue;
		if (pc_parse_entry(list[i], bare_port_ok, &e) != 0) {
			log_debug("forwarding rule '%s' is malformed; it allows nothing", list[i]);
			continue;
		}
		if (pc_entry_matches(&e, host, port))
			return 1;
	}
	return 0;
}

static size_t pol_strv_len(char *const *v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

/*
 * What -L and -R share: DisableForwarding, AllowTcpForwarding (no, or the one
 * value that allows only the other direction), the key's options, the port range.
 */
static const char *pol_tcp_rule(const struct server_config *eff, const struct authkey_opts *key,
				int other_direction, uint32_t port)
{
	const char *rule;

	if (eff->disable_forwarding)
		return "DisableForwarding";
	if (eff->allow_tcp_forwarding == FWD_ALLOW_NO)
		return "AllowTcpForwarding no";
	if (eff->allow_tcp_forwarding == other_direction)
		return other_direction == FWD_ALLOW_REMOTE ? "AllowTcpForwarding remote"
							   : "AllowTcpForwarding local";
	if ((rule = pol_key_rule(key)) != NULL)
		return rule;
	if (port > 65535)
		return "port above 65535";
	return NULL;
}

/* The rule refusing -L to host:port, or NULL if allowed. */
static const char *pol_open_rule(const struct server_config *eff, const struct authkey_opts *key,
				 const char *host, uint32_t port)
{
	char canon[256];
	const char *rule;

	if ((rule = pol_tcp_rule(eff, key, FWD_ALLOW_REMOTE, port)) != NULL)
		return rule;
	/* the caller passes the canonical form; re-canonicalising is idempotent */
	if (host == NULL || policy_canon_host(host, canon, sizeof(canon)) != 0)
		return "malformed host";
	if (eff->n_permit_open > 0 &&
	    !pol_list_allows(eff->permit_open, (size_t)eff->n_permit_open, 0, canon, port))
		return "PermitOpen";
	if (key != NULL && key->permitopen != NULL &&
	    !pol_list_allows(key->permitopen, pol_strv_len(key->permitopen), 0, canon, port))
		return "authorized_keys permitopen";
	return NULL;
}

static const char *pol_listen_rule(const struct server_config *eff,
				   const struct authkey_opts *key, const char *bind_host,
				   uint32_t port, uid_t uid)
{
	char canon[256];
	const char *rule;

	if ((rule = pol_tcp_rule(eff, key, FWD_ALLOW_LOCAL, port)) != NULL)
		return rule;
	/* sshd(8): binding below IPPORT_RESERVED needs root; 0 asks for any port */
	if (port != 0 && port < 1024 && uid != 0)
		return "privileged port";
	/*
	 * PermitListen's host part is compared with the address the client
	 * asked for (before GatewayPorts decides where we really bind);
	 * "" (every address) is matched only by "*" or a bare port.
	 */
	if (bind_host == NULL || bind_host[0] == '\0')
		canon[0] = '\0';
	else if (strcmp(bind_host, "*") == 0)
		memcpy(canon, "*", 2);
	else if (policy_canon_host(bind_host, canon, sizeof(canon)) != 0)
		return "malformed host";
	if (eff->n_permit_listen > 0 &&
	    !pol_list_allows(eff->permit_listen, (size_t)eff->n_permit_listen, 1, canon, port))
		return "PermitListen";
	if (key != NULL && key->permitlisten != NULL &&
	    !pol_list_allows(key->permitlisten, pol_strv_len(key->permitlisten), 1, canon, port))
		return "authorized_keys permitlisten";
	return NULL;
}

static const char *pol_streamlocal_rule(const struct server_config *eff,
					const struct authkey_opts *key, int remote)
{
	if (eff->disable_forwarding)
		return "DisableForwarding";
	switch (eff->allow_streamlocal_forwarding) {
	case FWD_ALLOW_NO:
		return "AllowStreamLocalForwarding no";
	case FWD_ALLOW_LOCAL:
		if (remote)
			return "AllowStreamLocalForwarding local";
		break;
	case FWD_ALLOW_REMOTE:
		if (!remote)
			return "AllowStreamLocalForwarding remote";
		break;
	default:
		break;
	}
	/* sshd(8): no-port-forwarding covers Unix-domain socket forwarding too */
	return pol_key_rule(key);
}

void policy_check_open(const struct server_config *eff, const struct authkey_opts *key,
		       const char *host, uint32_t port, struct policy_decision *d)
{
	pol_decide(d, pol_open_rule(eff, key, host, port));
}

void policy_check_listen(const struct server_config *eff, const struct authkey_opts *key,
			 const char *bind_host, uint32_t port, uid_t uid,
			 struct policy_decision *d)
{
	pol_decide(d, pol_listen_rule(eff, key, bind_host, port, uid));
}

void policy_check_streamlocal(const struct server_config *eff, const struct authkey_opts *key,
			      int remote, struct policy_decision *d)
{
	pol_decide(d, pol_streamlocal_rule(eff, key, remote));
}

void policy_listen_address(const struct server_config *eff, const char *requested,
			   const char **bind)
{
	switch (eff->gateway_ports) {
	case GATEWAY_YES:
		*bind = "";
		return;
	case GATEWAY_CLIENTSPECIFIED:
		/* RFC 4254 7.1: "" and the wildcard addresses mean every address */
		if (requested == NULL || requested[0] == '\0' || strcmp(requested, "*") == 0 ||
		    strcmp(requested, "0.0.0.0") == 0 || strcmp(requested, "::") == 0)
			*bind = "";
		else if (strcasecmp(requested, "localhost") == 0)
			*bind = NULL;
		else
			*bind = requested;
		return;
	default:
		*bind = NULL; /* GatewayPorts no: loopback whatever was asked */
		return;
	}
}

int policy_from_allows(const char *from, const char *addr, const char *host)
{
	/* one implementation, shared with the authorized_keys reader */
	return authkeys_from_allows(from, addr, host);
}
