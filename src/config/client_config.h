/*
 * Client options: command line (ssh(1) flags) and ssh_config(5) keywords
 * given with -o (later from files). As in OpenSSH the first value obtained
 * for a keyword wins, and an unknown keyword is an error.
 */
#ifndef BURROW_CONFIG_CLIENT_CONFIG_H
#define BURROW_CONFIG_CLIENT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

enum strict_hostkey { SHK_ASK = 0, SHK_YES, SHK_ACCEPT_NEW, SHK_NO };

/* RequestTTY / -t / -T. UNSET only before cfg_client_finish(). */
enum request_tty { REQUEST_TTY_UNSET = -2, REQUEST_TTY_AUTO = -1, REQUEST_TTY_NO = 0,
		   REQUEST_TTY_YES = 1, REQUEST_TTY_FORCE = 2 };

#define CFG_MAX_IDENTITIES 100
#define CFG_MAX_FORWARDS 100
/* Most SendEnv / SetEnv entries kept. */
#define CFG_MAX_ENV 64

/*
 * One -L / LocalForward or -R / RemoteForward specification, ssh(1):
 * [bind_address:]port:host:hostport, [bind_address:]port:remote_socket,
 * local_socket:host:hostport, local_socket:remote_socket. IPv6 addresses in
 * brackets. Exactly one of listen_port / listen_path and one of
 * connect_host+connect_port / connect_path is set.
 */
struct fwd_spec {
	char *listen_host;   /* NULL: not given (loopback unless GatewayPorts); "" or "*": all */
	int listen_port;     /* -1 when listen_path is used; 0 allowed (-R: allocate) */
	char *listen_path;   /* Unix socket path or NULL */
	char *connect_host;  /* target host or NULL */
	int connect_port;    /* -1 when connect_path is used */
	char *connect_path;  /* Unix socket path or NULL */
};

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
	/* Passwords (client_auth_kw.c). */
	int password_authentication;        /* PasswordAuthentication (default 1) */
	int kbd_interactive_authentication; /* KbdInteractiveAuthentication (default 1) */
	int number_of_password_prompts;     /* NumberOfPasswordPrompts (default 3) */
	char *preferred_authentications;    /* PreferredAuthentications (NULL: default order) */
	/*
	 * Algorithm lists as given (+/-/^ syntax, alglist.h) until
	 * cfg_client_finish(), which replaces them with the resolved comma
	 * list (never NULL afterwards).
	 */
	char *ciphers;              /* Ciphers / -c */
	char *macs;                 /* MACs / -m */
	char *kex_algorithms;       /* KexAlgorithms */
	char *host_key_algorithms;  /* HostKeyAlgorithms */
	/*
	 * Set by cfg_client_finish(): 1 if HostKeyAlgorithms was not given, so
	 * the list is the default that ssh reorders to prefer the key types
	 * known_hosts already holds for the host.
	 */
	int host_key_algorithms_default;
	char *pubkey_accepted_algorithms; /* PubkeyAcceptedAlgorithms (PubkeyAcceptedKeyTypes) */
	char *ca_signature_algorithms;    /* CASignatureAlgorithms */
	char *identity_agent;       /* IdentityAgent: NULL = $SSH_AUTH_SOCK, "none", or a path (~ expanded) */
	int forward_agent;          /* ForwardAgent / -A / -a (default 0) */
	char *certificate_files[CFG_MAX_IDENTITIES]; /* CertificateFile, in order (~ expanded) */
	int n_certificate_files;
	int log_level;              /* LogLevel / -v / -q (enum log_level, default LOG_INFO) */
	char *log_file;             /* -E: append logs to this file instead of stderr */
	int log_syslog;             /* -y: logs to syslog instead of stderr */
	int64_t rekey_bytes;        /* RekeyLimit first field: 0 = default */
	int64_t rekey_seconds;      /* RekeyLimit second field: 0 = none */
	int connect_timeout;        /* ConnectTimeout seconds (0 = system default) */
	int address_family;         /* AddressFamily / -4 / -6: AF_UNSPEC, AF_INET, AF_INET6 */
	int request_tty;            /* enum request_tty: -T no, -t yes, -tt force, default auto */
	char *command;              /* remote command joined with spaces (NULL = none) */
	char *config_file;          /* -F */
	/* Flags recorded now, acted on by later layers (default 0). */
	int no_shell;               /* -N */
	int subsystem;              /* -s: command is a subsystem name (RFC 4254 6.5) */
	int stdin_null;             /* -n */
	int fork_after_auth;        /* -f */
	int gateway_ports;          /* -g */
	int compression;            /* -C / Compression yes|no */
	/* Forwarding (issue: local forwarding). */
	struct fwd_spec local_forwards[CFG_MAX_FORWARDS]; /* -L / LocalForward, accumulate */
	int n_local_forwards;
	struct fwd_spec remote_forwards[CFG_MAX_FORWARDS]; /* -R / RemoteForward, accumulate */
	int n_remote_forwards;
	int exit_on_forward_failure; /* ExitOnForwardFailure (default 0) */
	char *stdio_forward_host;   /* -W host:port (NULL = none); a socket path if port is -1 */
	int stdio_forward_port;     /* -W port, -1 for a Unix socket path */
	char *proxy_jump;           /* -J / ProxyJump "[user@]host[:port][,...]" or "none" */
	int clear_all_forwardings;  /* ClearAllForwardings (default 0); finish drops the forwards */
	/* gateway_ports above doubles as GatewayPorts yes/no. After cfg_client_finish(),
	 * -W forces clear_all_forwardings and exit_on_forward_failure to 1, as ssh does. */
	/* Internal bookkeeping: -J or a ProxyCommand line was seen (first wins). */
	int proxy_command_seen;
	/* -Q query: cfg_client_parse_args() stops there; the caller runs cfg_query(). */
	char *query;
	/* Issue 7 keywords (ssh_config(5)). */
	char *send_env[CFG_MAX_ENV];  /* SendEnv patterns in order ("-pat" removes earlier ones) */
	int n_send_env;
	char *set_env[CFG_MAX_ENV];   /* SetEnv "NAME=value" in order; first value per NAME wins */
	int n_set_env;
	int escape_char;            /* EscapeChar / -e: a byte, -1 for none (default '~'); -2 unset */
	int reconnect;              /* Reconnect yes/no (burrow's own; -1 unset, default no) */
	int reconnect_max_delay;    /* ReconnectMaxDelay seconds (-1 unset, default 60) */
	int server_alive_interval;  /* ServerAliveInterval seconds (default 0 = off; issue 8 acts on it) */
	int server_alive_count_max; /* ServerAliveCountMax (default 3) */
	int connection_attempts;    /* ConnectionAttempts (default 1) */
	char *bind_address;         /* BindAddress / -b: local source address or NULL */
	struct fwd_spec dynamic_forwards[CFG_MAX_FORWARDS]; /* DynamicForward / -D: listen side only */
	int n_dynamic_forwards;
	char *proxy_command;        /* ProxyCommand as given (tokens expanded by finish); NULL / "none" */
	char *ignore_unknown;       /* IgnoreUnknown pattern list (first wins) */
	char *permit_remote_open;   /* PermitRemoteOpen words, space-separated (NULL: any) */
	int permit_remote_open_seen;
	int dump_config;            /* -G: print the resolved configuration and exit */
	/* Issue 8: the control socket (client_control_kw.c). */
	char *control_path;         /* ControlPath / -S, tokens expanded; NULL or "none": none */
	int control_master;         /* enum cfg_control_master (default no) */
	int control_persist;        /* ControlPersist seconds; 0 = no, -2 = yes (forever) */
	char *control_command;      /* -O check|exit|stop|forward|cancel|status|metrics */
	int control_json;           /* -O status --json */
};

enum cfg_control_master { CFG_CM_UNSET = -1, CFG_CM_NO = 0, CFG_CM_YES, CFG_CM_ASK,
			  CFG_CM_AUTO, CFG_CM_AUTOASK };

/* Set every field to "unset" (-1 / NULL; request_tty REQUEST_TTY_UNSET). */
void cfg_client_init(struct client_config *c);
void cfg_client_free(struct client_config *c);
/*
 * Apply "Keyword=value" or "Keyword value" (as -o gives it). `where` names the
 * source for messages ("command-line"; treated as line 0). An unknown keyword
 * or bad value prints a message like ssh's ("command-line: line 0: Bad
 * configuration option: foo") to stderr and returns a negative error. First
 * value wins; IdentityFile and LocalForward accumulate. A blank or comment
 * line is a no-op. Keywords OpenSSH knows but burrow does not implement yet
 * (and DynamicForward, ProxyCommand) are refused with
 * "<where> line N: keyword NAME is not supported by burrow yet"
 * (ERR_UNSUPPORTED); Host, Match and Include are refused as ssh refuses them
 * on the command line. A ProxyCommand after ProxyJump / -J is ignored (the
 * first wins), "ProxyCommand none" is accepted.
 */
int cfg_client_apply(struct client_config *c, const char *kv, const char *where);
/* Same with a line number ("FILE line N: ..."); strict like -o. Files go
 * through cfg_client_load_file(). */
int cfg_client_apply_line(struct client_config *c, const char *kv, const char *file,
			  unsigned long line);
/*
 * Parse ssh's command line:
 *   burrow [-46AaCfgNnqTtv] [-c ciphers] [-F file] [-i id] [-J jump] [-L spec]
 *          [-l user] [-m macs] [-o opt] [-p port] [-Q query] [-W host:port]
 *          destination [command [argument ...]]
 * -c and -m replace any Ciphers / MACs value, as ssh does ("Unknown cipher
 * type 'x'" / "Unknown mac type 'x'" otherwise). -Q stops parsing at once
 * and sets c->query (no destination needed).
 * -L accumulates, -W once, -J once (and then ProxyCommand lines are ignored).
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
 * Fill defaults (user from the passwd entry, ~ expansion, default identity list),
 * expand %h / %% in a configured HostName, settle -W and ClearAllForwardings,
 * and refuse -f without a command, -N or -W ("Cannot fork into background
 * without a command to execute."). Needs c->host (set by cfg_client_parse_args).
 */
int cfg_client_finish(struct client_config *c);

/*
 * Forwarding specification as ssh(1) -L (remote = 0) or -R (remote = 1)
 * (LocalForward's two words are joined with ':' before this):
 * fields separated by ':', a field in [brackets] is literal (IPv6), '\\'
 * escapes a character, a field containing '/' is a Unix socket path. Ports
 * 0..65535; listen port 0 only when remote; connect port 1..65535.
 * With remote, "port" or "bind:port" is a dynamic forward: connect_host and
 * connect_path NULL, connect_port -1. Prints nothing; ERR_FORMAT on a bad
 * spec. *out is set only on success (free it with cfg_fwd_spec_free).
 */
int cfg_parse_fwd_spec(const char *spec, int remote, struct fwd_spec *out);
void cfg_fwd_spec_free(struct fwd_spec *f);
/* Longest text cfg_fwd_spec_format() produces, with the NUL. */
#define CFG_FWD_FMT_MAX 2400
/*
 * ssh's -L form back: "[bind:]port:host:hostport", "path:host:port", etc.;
 * addresses containing ':' in brackets. ERR_TOO_LARGE if it did not fit
 * (buf then holds a truncated, NUL-terminated string).
 */
int cfg_fwd_spec_format(const struct fwd_spec *f, char *buf, size_t len);

/*
 * ProxyJump "[user@]host[:port][,...]" (hops may also be ssh:// URIs, hosts
 * [IPv6]): checks every hop and splits off the LAST one, since OpenSSH runs
 * the proxy as "ssh -l user -p port -J <rest> -W '[%h]:%p' <lasthop>".
 * *user NULL if not given, *port -1 if not given, *rest the hops before the
 * last one (allocated) or NULL if there is only one. ERR_FORMAT if any hop is
 * malformed, ERR_INVALID_ARG for "none".
 */
int cfg_parse_jump(const char *s, char **user, char **host, int *port, char **rest);

/*
 * Read an ssh_config(5) file for destination `host` (the alias as given on
 * the command line): Host blocks with * ? ! patterns, "Match all", Include.
 * Keywords OpenSSH knows that burrow does not implement are ignored (DEBUG1);
 * unknown keywords and bad values are reported as ssh does and the whole
 * file fails with "FILE: terminating, N bad configuration options".
 * A missing file is an error only with must_exist. First value wins.
 */
int cfg_client_load_file(struct client_config *c, const char *path, const char *host,
			 int must_exist);
/*
 * The files ssh reads: with -F (c->config_file) only that one ("none" reads
 * nothing), else ~/.ssh/config (checked for safe owner and mode) then
 * /etc/ssh/ssh_config, both optional. Needs c->host. Call between
 * cfg_client_parse_args() and cfg_client_finish().
 */
int cfg_client_load_default_files(struct client_config *c);

/*
 * ssh_config(5) TOKENS in s: the letters in `allowed` ("%hnpr" ...) are
 * expanded from c (%h HostName or the host, %n the host as given, %p port,
 * %r remote user, %u local user, %d home, %i uid, %l / %L local host name
 * full / short, %C SHA-1 of %l%h%p%r, %j ProxyJump, %k the host, %% '%').
 * Any other %x prints ssh's "percent_expand: unknown key %x" and fails.
 */
int cfg_client_expand_tokens(const struct client_config *c, const char *s, const char *allowed,
			     char **out);
/* Expand *s in place (NULL or no '%': untouched). */
int cfg_client_expand_field(const struct client_config *c, char **s, const char *allowed);
/* The token sets: file keywords (IdentityFile, UserKnownHostsFile, ...), ProxyCommand, Match exec. */
extern const char *const CFG_TOKENS_FILES;
extern const char *const CFG_TOKENS_PROXY;
extern const char *const CFG_TOKENS_EXEC;
/*
 * burrow -G: print the resolved configuration as ssh -G does (lower-case
 * keyword, a space, the value; one line per entry for lists). After
 * cfg_client_finish().
 */
void cfg_client_dump(const struct client_config *c);

/*
 * RekeyLimit value: "SIZE [TIME]" as ssh_config(5), e.g. "1G 1h", "512K",
 * "default none", "default 30m". SIZE: "default" (0) or a number with an
 * optional fraction and K/M/G/T/P/E suffix (powers of 1024), 0 or >= 16.
 * TIME: "none" (0) or seconds with s/m/h/d/w suffixes. Prints nothing;
 * ERR_FORMAT / ERR_TOO_LARGE / ERR_INVALID_ARG (too small) on bad input.
 */
int cfg_parse_rekey_limit(const char *value, int64_t *bytes, int64_t *seconds);

#endif
