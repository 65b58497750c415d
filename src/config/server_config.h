/*
 * Server options: sshd(8) flags and sshd_config(5) keywords. Later keywords
 * keep the first value, as sshd does. Errors name file, line and keyword.
 */
#ifndef BURROW_CONFIG_SERVER_CONFIG_H
#define BURROW_CONFIG_SERVER_CONFIG_H

#include <stdint.h>

#define SCFG_MAX_LIST 64

enum permit_root { PERMIT_ROOT_NO = 0, PERMIT_ROOT_YES, PERMIT_ROOT_PROHIBIT_PASSWORD,
		   PERMIT_ROOT_FORCED_COMMANDS_ONLY };

struct server_config {
	char *config_file;                 /* -f (default /etc/burrow/burrowd_config) */
	int ports[SCFG_MAX_LIST];          /* Port / -p (default 22) */
	int n_ports;
	char *listen_addresses[SCFG_MAX_LIST]; /* ListenAddress: "host", "host:port", "[v6]:port" */
	int n_listen_addresses;
	char *host_keys[SCFG_MAX_LIST];    /* HostKey / -h (default /etc/burrow/ssh_host_ed25519_key) */
	int n_host_keys;
	char *authorized_keys_files[SCFG_MAX_LIST]; /* AuthorizedKeysFile, %h %u %% tokens; relative = under home */
	int n_authorized_keys_files;       /* default ".ssh/authorized_keys .ssh/authorized_keys2" */
	char *pid_file;                    /* PidFile (default /run/burrowd.pid; "none" = no file) */
	int log_level;                     /* LogLevel (enum log_level, default LOG_INFO) */
	int permit_root_login;             /* enum permit_root (default PROHIBIT_PASSWORD) */
	int max_auth_tries;                /* MaxAuthTries (default 6) */
	int64_t rekey_bytes;               /* RekeyLimit (0 = default) */
	int64_t rekey_seconds;
	char *ciphers;                     /* Ciphers / KexAlgorithms / HostKeyAlgorithms (NULL = default) */
	char *kex_algorithms;
	char *host_key_algorithms;
	int login_grace_time;              /* LoginGraceTime seconds (default 120) */
	/* flags */
	int no_daemon;                     /* -D */
	int log_stderr;                    /* -e */
	char *log_file;                    /* -E */
	int test_only;                     /* -t */
	int dump_config;                   /* -T */
	int quiet;                         /* -q */
	int debug;                         /* -d count */
};

void scfg_init(struct server_config *c);
void scfg_free(struct server_config *c);
/* Apply one keyword line; `file`/`line` for messages (file "command-line" for -o). */
int scfg_apply(struct server_config *c, const char *kv, const char *file, unsigned long line);
/* Read a config file; a missing file named by -f is an error, the default one is optional. */
int scfg_load_file(struct server_config *c, const char *path, int must_exist);
/* Parse burrowd's arguments (-Deqt -T -d -f -E -p -h -o); -o lines are applied before the file. */
int scfg_parse_args(struct server_config *c, int argc, char **argv);
/* Fill defaults for everything unset. */
int scfg_finish(struct server_config *c);
/* Print the effective configuration, lower-case keywords, as sshd -T does. */
void scfg_dump(const struct server_config *c);

#endif
