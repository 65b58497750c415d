/*
 * authorized_keys files (sshd(8) "AUTHORIZED_KEYS FILE FORMAT"): each line
 * is [options] keytype base64 [comment]. Options are parsed in full; an
 * option we do not implement yet makes the line unusable rather than
 * silently ignored.
 */
#ifndef BURROW_AUTH_AUTHKEYS_H
#define BURROW_AUTH_AUTHKEYS_H

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
 */
int authkeys_check_file(const char *path, const struct key *key, struct authkey_opts **opts);

#endif
