/* The sshd_config keyword table (internal to src/config). */
#ifndef BURROW_CONFIG_SERVER_KEYWORDS_H
#define BURROW_CONFIG_SERVER_KEYWORDS_H

enum skw_class {
	SKW_IMPLEMENTED,
	SKW_IGNORED,   /* enables or describes something burrowd does not do */
	SKW_REFUSED,   /* restricts access/forwarding: ignoring it would be unsafe */
};

enum skw_id {
	SKW_NONE = 0, SKW_PORT, SKW_LISTEN, SKW_HOSTKEY, SKW_AUTHKEYS, SKW_PIDFILE,
	SKW_LOGLEVEL, SKW_PERMITROOT, SKW_MAXAUTHTRIES, SKW_REKEYLIMIT, SKW_CIPHERS,
	SKW_KEX, SKW_HOSTKEYALGS, SKW_LOGINGRACE, SKW_ADDRESSFAMILY, SKW_INCLUDE,
	SKW_MATCH, SKW_ALLOWTCP, SKW_ALLOWSTREAMLOCAL, SKW_DISABLEFWD, SKW_GATEWAYPORTS,
	SKW_PERMITOPEN, SKW_PERMITLISTEN, SKW_MACS, SKW_PUBKEYALGS, SKW_CASIGALGS,
	SKW_COMPRESSION, SKW_TRUSTEDUSERCA, SKW_HOSTCERT, SKW_ALLOWAGENTFWD,
	SKW_PASSWORDAUTH, SKW_KBDINTAUTH, SKW_USEPAM, SKW_PERMITEMPTYPW, SKW_AUTHMETHODS,
	SKW_ACCEPTENV, SKW_SUBSYSTEM, SKW_PRINTMOTD, SKW_STRICTMODES, SKW_PERMITTTY,
	SKW_CLIENTALIVEINT, SKW_CLIENTALIVECOUNT,
};

struct skw {
	const char *name;
	enum skw_class cls;
	enum skw_id id;
	/*
	 * For SKW_REFUSED: a value that asks for nothing burrowd fails to do
	 * (e.g. "PubkeyAuthentication yes"); with it the line is ignored instead.
	 */
	const char *harmless_value;
	int match_ok;  /* may appear in a Match block (sshd_config(5) Match) */
};

/* Append a copy of s to a server list; ERR_TOO_LARGE past SCFG_MAX_LIST. */
int scfg_list_add(char **v, int *n, const char *s);

/* Case-insensitive lookup; NULL for an unknown keyword. */
const struct skw *scfg_keyword(const char *name);

#endif
