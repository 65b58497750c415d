/*
 * Server options: sshd(8) flags and sshd_config(5) keywords. Later keywords
 * keep the first value, as sshd does. Errors name file, line and keyword.
 */
#ifndef BURROW_CONFIG_SERVER_CONFIG_H
#define BURROW_CONFIG_SERVER_CONFIG_H

#include <stdint.h>
#include <sys/types.h>

#define SCFG_MAX_LIST 64

/* burrowd is a drop-in for sshd: it reads sshd's file unless -f says otherwise. */
#define SCFG_DEFAULT_CONFIG "/etc/ssh/sshd_config"

enum permit_root { PERMIT_ROOT_NO = 0, PERMIT_ROOT_YES, PERMIT_ROOT_PROHIBIT_PASSWORD,
		   PERMIT_ROOT_FORCED_COMMANDS_ONLY };

/* AllowTcpForwarding / AllowStreamLocalForwarding values (sshd_config(5)). */
enum fwd_allow { FWD_ALLOW_NO = 0, FWD_ALLOW_ALL, FWD_ALLOW_LOCAL, FWD_ALLOW_REMOTE };
/* GatewayPorts values. */
enum gateway_ports { GATEWAY_NO = 0, GATEWAY_YES, GATEWAY_CLIENTSPECIFIED };

/* What a connection is, for Match blocks and burrowd -T -C. */
struct scfg_conn_info {
	const char *user;   /* NULL: User/Group criteria do not match */
	const char *host;   /* client host name (the address when UseDNS is off) */
	const char *addr;   /* client address */
	const char *laddr;  /* local address */
	int lport;          /* local port (-1 unknown) */
};

struct server_config {
	char *config_file;                 /* -f (default SCFG_DEFAULT_CONFIG, set by scfg_parse_args) */
	int config_file_explicit;          /* 1 if given with -f (then it must exist) */
	int ports[SCFG_MAX_LIST];          /* Port / -p (default 22) */
	int n_ports;
	char *listen_addresses[SCFG_MAX_LIST]; /* ListenAddress: "host", "host:port", "[v6]:port" */
	int n_listen_addresses;
	char *host_keys[SCFG_MAX_LIST];    /* HostKey / -h (default /etc/ssh/ssh_host_ed25519_key) */
	int n_host_keys;
	char *authorized_keys_files[SCFG_MAX_LIST]; /* AuthorizedKeysFile, %h %u %% tokens; relative = under home */
	int n_authorized_keys_files;       /* default ".ssh/authorized_keys .ssh/authorized_keys2" */
	char *pid_file;                    /* PidFile (default /run/burrowd.pid; "none" = no file) */
	int log_level;                     /* LogLevel (enum log_level, default LOG_INFO) */
	int permit_root_login;             /* enum permit_root (default PROHIBIT_PASSWORD) */
	int max_auth_tries;                /* MaxAuthTries (default 6) */
	int64_t rekey_bytes;               /* RekeyLimit (0 = default) */
	int64_t rekey_seconds;
	/*
	 * Algorithm lists as given (+/-/^ syntax, alglist.h) until scfg_finish(),
	 * which replaces them with the resolved comma lists (never NULL after).
	 * The transport further limits host key algorithms to the loaded keys.
	 */
	char *ciphers;
	char *macs;
	char *kex_algorithms;
	char *host_key_algorithms;
	char *pubkey_accepted_algorithms;  /* PubkeyAcceptedAlgorithms (Match allowed) */
	char *ca_signature_algorithms;     /* CASignatureAlgorithms (Match allowed) */
	int compression;                   /* Compression: 0 no, 1 yes/delayed (default 1) */
	char *trusted_user_ca_keys;        /* TrustedUserCAKeys path or NULL (Match allowed) */
	char *host_certificates[SCFG_MAX_LIST]; /* HostCertificate, accumulate */
	int n_host_certificates;
	int allow_agent_forwarding;        /* AllowAgentForwarding (default 1; Match allowed) */
	int login_grace_time;              /* LoginGraceTime seconds (default 120) */
	int client_alive_interval;         /* ClientAliveInterval seconds (default 0 = off; Match) */
	int client_alive_count_max;        /* ClientAliveCountMax (default 3; 0 = never disconnect) */
	int address_family;                /* AddressFamily / -4 / -6: AF_UNSPEC, AF_INET, AF_INET6 */
	int ports_from_cmdline;            /* -p given: Port lines from the file are ignored */
	/* Forwarding policy (may be changed per connection by Match blocks). */
	int allow_tcp_forwarding;          /* enum fwd_allow (default FWD_ALLOW_ALL) */
	int allow_streamlocal_forwarding;  /* enum fwd_allow (default FWD_ALLOW_ALL) */
	int disable_forwarding;            /* DisableForwarding (default 0) */
	int gateway_ports;                 /* enum gateway_ports (default GATEWAY_NO) */
	char *permit_open[SCFG_MAX_LIST];  /* PermitOpen: "host:port", "*:port", "host:*", "any", "none" */
	int n_permit_open;                 /* 0 = not set (any) */
	char *permit_listen[SCFG_MAX_LIST];/* PermitListen: "[host:]port", "any", "none" */
	int n_permit_listen;
	struct scfg_match *matches;        /* Match blocks in file order (opaque; see scfg_apply_match) */
	char *dump_conn_spec;              /* -C "user=..,host=..,addr=..,laddr=..,lport=.." for -T */
	/* Issue 7 keywords. */
	char *accept_env[SCFG_MAX_LIST];   /* AcceptEnv patterns (* ? !), any number of lines accumulate */
	int n_accept_env;
	char *subsystems[SCFG_MAX_LIST];   /* Subsystem: "name command [args]" (first per name wins) */
	int n_subsystems;
	int print_motd;                    /* PrintMotd (default 1) */
	int permit_tty;                    /* PermitTTY (default 1; Match may change it) */
	int strict_modes;                  /* StrictModes (default 1): check authorized_keys ownership/modes */
	/* Passwords (issue 7, S3); all but UsePAM may be changed by Match blocks. */
	int password_authentication;       /* PasswordAuthentication (default 1) */
	int kbd_interactive_authentication;/* KbdInteractiveAuthentication / ChallengeResponseAuthentication (default 1) */
	int use_pam;                       /* UsePAM (default 0; only with libpam) */
	int permit_empty_passwords;        /* PermitEmptyPasswords (default 0) */
	char *authentication_methods;      /* AuthenticationMethods (NULL = "any") */
	/* flags */
	int inetd_mode;                    /* -i: one connection on stdin/stdout, no listening */
	int no_daemon;                     /* -D */
	int log_stderr;                    /* -e */
	char *log_file;                    /* -E */
	int test_only;                     /* -t */
	int dump_config;                   /* -T */
	int quiet;                         /* -q */
	int debug;                         /* -d count */
};

/* Set every field to "unset" (-1 / NULL / empty lists). */
void scfg_init(struct server_config *c);
void scfg_free(struct server_config *c);
/*
 * Apply one keyword line; `file`/`line` for messages (file "command-line" for -o).
 * Keywords fall in three classes: implemented; harmless to ignore (logged at
 * DEBUG1 "Ignoring unsupported option NAME"); and restricting ones burrowd
 * cannot honour yet, refused with "FILE: line N: NAME is not supported by
 * burrowd yet" so a restriction is never silently dropped. Unknown keyword:
 * "FILE: line N: Bad configuration option: NAME". Messages go to stderr.
 * Returns 0; ERR_NOT_FOUND for a bad option line (sshd counts these and goes
 * on); ERR_FORMAT etc. for a bad value (sshd stops at once).
 */
int scfg_apply(struct server_config *c, const char *kv, const char *file, unsigned long line);
/*
 * Read a config file ('#' comments, blank lines, Include). A missing file is an
 * error when must_exist (named by -f), else fine. After bad option lines prints
 * "FILE: terminating, N bad configuration options" and returns ERR_FORMAT.
 */
int scfg_load_file(struct server_config *c, const char *path, int must_exist);
/*
 * Parse burrowd's arguments: [-46DdeqTt] [-C connection_spec] [-E log_file]
 * [-f config_file] [-h host_key_file] [-o option] [-p port]. -C is checked
 * and kept in dump_conn_spec for -T. -o lines are applied at once, i.e.
 * before the file, so they win for single-value keywords; -p ports replace the
 * file's Port lines. Does not read the file: the caller then runs
 * scfg_load_file(c, c->config_file, c->config_file_explicit) and scfg_finish()
 * (or use scfg_configure() for all three). Prints usage/errors to stderr.
 */
int scfg_parse_args(struct server_config *c, int argc, char **argv);
/* scfg_parse_args + scfg_load_file + scfg_finish. */
int scfg_configure(struct server_config *c, int argc, char **argv);
/*
 * Split a ListenAddress entry: "host", "host:port", "[v6addr]:port", "[v6addr]"
 * or a bare IPv6 address. *host is allocated; *port is 0 when not given.
 */
int scfg_parse_listen_address(const char *s, char **host, int *port);
/* Fill defaults for everything unset. */
int scfg_finish(struct server_config *c);
/*
 * Apply the Match blocks that match ci to c (sshd_config(5) Match: User,
 * Group, Host, Address, LocalAddress, LocalPort, All; patterns with ! and
 * CIDR for addresses). As in sshd, the first value a matching block gives
 * wins over the global value. Call on a copy: scfg_copy() then this.
 */
int scfg_apply_match(struct server_config *c, const struct scfg_conn_info *ci);
/*
 * Match Group: the names of a user's groups (primary and supplementary) as
 * a malloc'd array of malloc'd strings. The default uses getgrouplist();
 * tests may install a fake (NULL restores the default).
 */
typedef int (*scfg_groups_fn)(const char *user, char ***names, int *n);
void scfg_set_groups_fn(scfg_groups_fn fn);
/* Deep copy (including Match blocks) for per-connection use; free with scfg_free. */
int scfg_copy(const struct server_config *src, struct server_config *dst);
/*
 * Parse a -C spec "user=u,host=h,addr=a,laddr=l,lport=p" into ci (strings
 * point into spec, which is modified). Any subset may be given (as sshd 9.2
 * accepts); missing ones are NULL / lport -1. sshd's messages on stderr.
 */
int scfg_parse_conn_spec(char *spec, struct scfg_conn_info *ci);
/*
 * Print the effective configuration, lower-case keywords, as sshd -T does:
 * Match blocks applied for c->dump_conn_spec (-C), or only "Match All"
 * blocks without one.
 */
void scfg_dump(const struct server_config *c);
/* The same for an explicit connection (NULL: none); returns 0 or an error. */
int scfg_dump_for(const struct server_config *c, const struct scfg_conn_info *ci);

/*
 * StrictModes (sshd(8)): refuse a key file (authorized_keys) that is not a
 * regular file, or that or any directory above it up to `home` is owned by
 * someone other than root or uid, or is group/world writable. Logs sshd's
 * "Authentication refused: bad ownership or modes for file|directory P"
 * and returns ERR_PERMISSION; 0 if fine or the file does not exist.
 */
int scfg_strict_modes_check(const char *path, uid_t uid, const char *home);

#endif
