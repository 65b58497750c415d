/*
 * authorized_keys from="pattern-list" (sshd(8) "AUTHORIZED_KEYS FILE
 * FORMAT"): the client's address is matched against the list with CIDR
 * support, its host name against the same list as wildcard patterns.
 */
#include "auth/authkeys.h"

#include "config/match.h"

int authkeys_from_allows(const char *from, const char *addr, const char *host)
{
	int mip, mhost;

	if (from == NULL)
		return 1;
	if (addr == NULL)
		return 0; /* nothing to check against: fail closed */
	/* a malformed list (ERR_FORMAT) or a negated address match refuses */
	if ((mip = cfg_match_addr_list(addr, from)) < 0)
		return 0;
	if (host == NULL)
		host = addr;
	/* names are case-insensitive, as sshd's match_hostname */
	if ((mhost = cfg_match_pattern_list(host, from, 1)) < 0)
		return 0;
	return mip == 1 || mhost == 1;
}
