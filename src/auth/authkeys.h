/*
 * authorized_keys files (sshd(8) "AUTHORIZED_KEYS FILE FORMAT"): each line
 * is [options] keytype base64 [comment]. Options are parsed in full; an
 * option we do not implement yet makes the line unusable rather than
 * silently ignored. from= and expiry-time are enforced here (by
 * authkeys_check_file_for); command=, permitopen=, permitlisten= and the
 * forwarding flags by the caller (src/policy, src/server).
 */
#ifndef BURROW_AUTH_AUTHKEYS_H
#define BURROW_AUTH_AUTHKEYS_H

#include <time.h>

#include "crypto/key.h"

struct authkey_opts {
	int restrict_all;       /* "restrict" */
	int no_port_forwarding; /* "no-port-forwarding" or restrict without "port-forwarding" */
	int no_pty;
	int no_agent_forwarding;
	int no_x11_forwarding;
	int no_user_rc;
	char *command;          /* command="..." (NULL if absent) */
	char *from;             /* from="pattern-list" (NULL if absent) */
	char **permitopen;      /* permitopen="host:port", NULL-terminated (NULL if none) */
	char **permitlisten;    /* permitlisten="[host:]port", NULL-terminated */
	char **environment;     /* environment="NAME=value", NULL-terminated */
	time_t expiry;          /* expiry-time="YYYYMMDD[HHMM[SS]][Z]" (0 = none) */
	int unsupported;        /* an option we cannot enforce yet: the line must not be used */
	char *unsupported_name; /* its name, for the log */
};

void authkey_opts_free(struct authkey_opts *o);

/*
 * Parse one line. Returns 0 with *key and *opts set, ERR_NOT_FOUND for a
 * blank or comment line, ERR_FORMAT for a malformed one, ERR_KEY_TYPE for a
 * well-formed line whose key type we do not implement.
 */
int authkeys_parse_line(const char *line, struct key **key, struct authkey_opts **opts);
/*
 * Look for `key` in the file at path. Returns 0 with *opts (caller frees)
 * when a usable line matches; ERR_NOT_FOUND if none matches; ERR_PERMISSION
 * if the only matching lines carry unsupported options (logged). Malformed
 * lines are skipped with a debug log naming file and line, as sshd does.
 * Without the client's address, a line with from= cannot be allowed: it is
 * refused as above. Expired lines are refused against the current time.
 */
int authkeys_check_file(const char *path, const struct key *key, struct authkey_opts **opts);
/*
 * authkeys_check_file for a client at addr (host: its name, or the address
 * again when names are not looked up; NULL = addr) at time now: a line whose
 * from= does not allow the client, or whose expiry-time is before now, is
 * not used (logged at INFO, as sshd does); ERR_PERMISSION if every matching
 * line was refused that way. The log names the user the file is read for,
 * taken from the effective uid (the file is read with the user's rights).
 */
int authkeys_check_file_for(const char *path, const struct key *key, const char *addr,
			    const char *host, time_t now, struct authkey_opts **opts);
/* The same with the user named explicitly for the log (NULL: from the effective uid). */
int authkeys_check_file_user(const char *path, const char *user, const struct key *key,
			     const char *addr, const char *host, time_t now,
			     struct authkey_opts **opts);
/*
 * from="pattern-list" (sshd(8)): 1 if the client at addr (name host, or
 * NULL) is allowed. Address patterns may be CIDR; a negated pattern that
 * matches the address or the name refuses; otherwise either must match.
 */
int authkeys_from_allows(const char *from, const char *addr, const char *host);

#endif
