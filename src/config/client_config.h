/*
 * Client options: command line (ssh(1) flags) and ssh_config(5) keywords
 * given with -o (later from files). As in OpenSSH the first value obtained
 * for a keyword wins, and an unknown keyword is an error.
 */
#ifndef BURROW_CONFIG_CLIENT_CONFIG_H
#define BURROW_CONFIG_CLIENT_CONFIG_H

#include <stdint.h>

enum strict_hostkey { SHK_ASK = 0, SHK_YES, SHK_ACCEPT_NEW, SHK_NO };

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
	int request_tty;            /* -T: 0 no, -t: 1 yes, default -1 auto */
	char *command;              /* remote command joined with spaces (NULL = none) */
	char *config_file;          /* -F */
};

/* Zero the struct to "unset". */
void cfg_client_init(struct client_config *c);
void cfg_client_free(struct client_config *c);
/*
 * Apply "Keyword=value" or "Keyword value" (as -o gives it). `where` names the
 * source for messages ("command-line", "file:line"). An unknown keyword or bad
 * value prints a message like ssh's ("command-line line 0: Bad configuration
 * option: foo") to stderr and returns a negative error. First value wins.
 */
int cfg_client_apply(struct client_config *c, const char *kv, const char *where);
/*
 * Parse ssh's command line: burrow [-46qTtv] [-F file] [-i id] [-l user] [-o opt] [-p port] [user@]host [command...]
 * Prints usage/errors to stderr and returns a negative error on bad input.
 */
int cfg_client_parse_args(struct client_config *c, int argc, char **argv);
/* Fill defaults (user from the passwd entry, ~ expansion, default identity list). */
int cfg_client_finish(struct client_config *c);

/* "1G", "500M", "default", "none" -> bytes/seconds, as ssh_config RekeyLimit. */
int cfg_parse_rekey_limit(const char *value, int64_t *bytes, int64_t *seconds);

#endif
