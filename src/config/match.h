/*
 * sshd_config(5) PATTERNS: wildcard patterns, comma-separated pattern lists
 * with '!' negation, and address lists with CIDR entries. Used by Match
 * blocks and by the policy module (authorized_keys from="...").
 */
#ifndef BURROW_CONFIG_MATCH_H
#define BURROW_CONFIG_MATCH_H

/* One wildcard pattern ('*' any run, '?' one character) against s; 1 or 0. */
int cfg_match_pattern(const char *s, const char *pattern, int nocase);
/*
 * name against a comma-separated pattern list: 1 if some positive entry
 * matches and no negated one does, -1 if a negated ("!pattern") entry
 * matches, 0 otherwise (a list of only negated entries never gives 1).
 */
int cfg_match_pattern_list(const char *name, const char *list, int nocase);
/*
 * An address against a list of CIDR blocks (192.0.2.0/24, 2001:db8::/32),
 * plain addresses and wildcard patterns, each optionally negated with '!':
 * same 1 / 0 / -1 convention. Addresses of different families never match
 * a CIDR entry. A malformed CIDR entry (prefix too long, host bits set)
 * gives ERR_FORMAT; addr NULL only validates the list (0 if it is fine).
 */
int cfg_match_addr_list(const char *addr, const char *list);

#endif
