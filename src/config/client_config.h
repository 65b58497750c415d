/*
 * Client options: command line (ssh(1) flags) and ssh_config(5) keywords
 * given with -o (later from files). As in OpenSSH the first value obtained
 * for a keyword wins, and an unknown keyword is an error.
 */
#ifndef BURROW_CONFIG_CLIENT_CONFIG_H
#define BURROW_CONFIG_CLIENT_CONFIG_H

#include <stdint.h>

enum strict_hostkey { SHK_ASK = 0, SHK_YES, SHK_ACCEPT_NEW, SHK_NO };

/* RequestTTY / -t / -T. UNSET only before cfg_client_finish(). */
enum request_tty { REQUEST_TTY_UNSET = -2, REQUEST_TTY_AUTO = -1, REQUEST_TTY_NO = 0,
		   REQUEST_TTY_YES = 1, REQUEST_TTY_FORCE = 2 };

#define CFG_MAX_IDENTITIES 100

struct client_config {
	/* -1 / NULL means "not set yet" until cfg_client_finish() fills defaults. */
	char *host;                 /* destination as given (alias or name) */
	char *hostname;             /* HostName (defaults to host) */
	int port;                   /* Port / -p (default 22) */
	char *user;                 /* User / -l / user@ (default: local user) */
	char *identity_files[CFG_MAX_IDENTITIES]; /* IdentityFile / -i, in order given */
	int n_identity_files;
	int identities_only;        /* IdentitiesOnly (default 0) */
	char *user_known_hosts;     /* UserKnownHostsFile (default ~/.ssh/known_hosts ~/.ssh/known_hosts2) */
	char *global_known_hosts;   /* GlobalKnownHostsFile (default /etc/ssh/ssh_known_hosts) */
	int strict_host_key_checking; /* enum strict_hostkey (default SHK_ASK) */
	int hash_known_hosts;       /* HashKnownHosts (default 0) */
	int batch_mode;             /* BatchMode (default 0) */
	char *ciphers;              /* Ciphers (NULL = built-in default) */
	char *kex_algorithms;       /* KexAlgorithms */
	char *host_key_algorithms;  /* HostKeyAlgorithms */
	int log_level;              /* LogLevel / -v / -q (enum log_level, default LOG_INFO) */
	int64_t rekey_bytes;        /* RekeyLimit first field: 0 = default */
	int64_t rekey_seconds;      /* RekeyLimit second field: 0 = none */
	int connect_timeout;        /* ConnectTimeout seconds (0 = system default) */
	int address_family;         /* AddressFamily / -4 / -6: AF_UNSPEC, AF_INET, AF_INET6 */
	int request_tty;            /* enum request_tty: -T no, -t yes, -tt force, default auto */
	char *command;              /* remote command joined with spaces (NULL = none) */
	char *config_file;          /* -F */
	/* Flags recorded now, acted on by later layers (default 0). */
	int no_shell;               /* -N */
	int stdin_null;             /* -n */
	int fork_after_auth;        /* -f */
	int gateway_ports;          /* -g */
	int compression;            /* -C */
};

/* Set every field to "unset" (-1 / NULL; request_tty REQUEST_TTY_UNSET). */
void cfg_client_init(struct client_config *c);
void cfg_client_free(struct client_config *c);
/*
 * Apply "Keyword=value" or "Keyword value" (as -o gives it). `where` names the
 * source for messages ("command-line"; treated as line 0). An unknown keyword
 * or bad value prints a message like ssh's ("command-line: line 0: Bad
 * configuration option: foo") to stderr and returns a negative error. First
 * value wins; IdentityFile accumulates. A blank or comment line is a no-op.
 * Keywords OpenSSH knows but burrow does not implement yet are refused with
 * "<where> line N: keyword NAME is not supported by burrow yet"
 * (ERR_UNSUPPORTED).
 */
int cfg_client_apply(struct client_config *c, const char *kv, const char *where);
/* Same with a line number, for configuration files ("FILE line N: ..."). */
int cfg_client_apply_line(struct client_config *c, const char *kv, const char *file,
			  unsigned long line);
/*
 * Parse ssh's command line:
 *   burrow [-46CfgNnqTtv] [-F file] [-i id] [-l user] [-o opt] [-p port]
 *          destination [command [argument ...]]
 * destination: host, user@host (split at the last '@'), ssh://[user@]host[:port].
 * Options are applied in order, first value wins (as ssh does: -p, -l, -o and
 * the destination's user/port all count as "given"); options may also follow
 * the destination directly, as with ssh. The remaining words are the remote
 * command, joined with single spaces. argv[0] is the program name.
 * Prints usage/errors to stderr and returns a negative error on bad input
 * (the program should exit 255).
 */
int cfg_client_parse_args(struct client_config *c, int argc, char **argv);
/* Append an identity file (-i); ERR_TOO_LARGE past CFG_MAX_IDENTITIES. */
int cfg_client_add_identity(struct client_config *c, const char *path);
/*
 * Fill defaults (user from the passwd entry, ~ expansion, default identity list).
 * Needs c->host (set by cfg_client_parse_args).
 */
int cfg_client_finish(struct client_config *c);

/*
 * RekeyLimit value: "SIZE [TIME]" as ssh_config(5), e.g. "1G 1h", "512K",
 * "default none", "default 30m". SIZE: "default" (0) or a number with an
 * optional fraction and K/M/G/T/P/E suffix (powers of 1024), 0 or >= 16.
 * TIME: "none" (0) or seconds with s/m/h/d/w suffixes. Prints nothing;
 * ERR_FORMAT / ERR_TOO_LARGE / ERR_INVALID_ARG (too small) on bad input.
 */
int cfg_parse_rekey_limit(const char *value, int64_t *bytes, int64_t *seconds);

#endif
