/*
 * known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): host patterns
 * with '*', '?', '!' negation, "[host]:port" for non-22 ports, hashed
 * entries "|1|salt|hash" (HMAC-SHA1), and markers @revoked and
 * @cert-authority.
 */
#ifndef BURROW_AUTH_KNOWNHOSTS_H
#define BURROW_AUTH_KNOWNHOSTS_H

#include "crypto/key.h"

enum kh_result {
	KH_NOT_FOUND = 0,  /* no entry for this host with a key of this type */
	KH_MATCH,          /* host listed with exactly this key */
	KH_CHANGED,        /* host listed with a different key of the same type */
	KH_REVOKED,        /* this key is marked @revoked */
};

struct kh_match_info {
	char *file;  /* file and line of the entry that matched or conflicted */
	unsigned long line;
};

/*
 * Look up host (a name or address as the user typed it) on port in the file
 * at path. A missing file is KH_NOT_FOUND. Returns 0 with *result set or a
 * negative error for an unreadable file. info may be NULL; free with kh_info_free().
 */
int kh_check(const char *path, const char *host, unsigned port, const struct key *key,
	     enum kh_result *result, struct kh_match_info *info);
/*
 * kh_check for a key that may be a host certificate: accepted (KH_MATCH)
 * when an "@cert-authority" line for the host lists its CA, the CA's
 * signature algorithm is in ca_sig_algs (NULL: OpenSSH's default
 * CASignatureAlgorithms) and the certificate is a valid host certificate
 * for host; otherwise the certified key is looked up as a plain key, as
 * ssh(1) does. kh_check() is this with ca_sig_algs NULL.
 */
int kh_check_ca(const char *path, const char *host, unsigned port, const struct key *key,
		const char *ca_sig_algs, enum kh_result *result, struct kh_match_info *info);
void kh_info_free(struct kh_match_info *info);
/* Append an entry for host (and "[host]:port" form if port != 22), hashed if hash != 0. A certificate is written as its certified key. */
int kh_add(const char *path, const char *host, unsigned port, const struct key *key, int hash);
/* The name form used in known_hosts: "host" for port 22, "[host]:port" otherwise (caller frees). */
char *kh_host_name(const char *host, unsigned port);
/* Pattern-list matching as in ssh_config(5) PATTERNS: 1 match, 0 no match, -1 negated match. */
int kh_match_pattern_list(const char *name, const char *list);

#endif
