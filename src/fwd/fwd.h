/*
 * TCP and Unix-socket forwarding (RFC 4254 section 7, OpenSSH PROTOCOL 2.4).
 * Client side: -L listeners and -W stdio forwarding, each connection a
 * "direct-tcpip" (or "direct-streamlocal@openssh.com") channel.
 * Server side: answering those opens with a non-blocking connect, and one
 * audit line per forwarded connection.
 */
#ifndef BURROW_FWD_FWD_H
#define BURROW_FWD_FWD_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "auth/authkeys.h"
#include "config/client_config.h"
#include "config/server_config.h"
#include "conn/conn.h"

struct event_base;
struct evdns_base;

/* ---- client ---- */
struct chanio;
struct buf;

/* One forwarded connection, linked to its forward's counters while open. */
struct fwd_live {
	struct fwd_live *next, *prev;
	struct chanio *cio;           /* NULL until the connection has one */
};

/* Counters of one forward (-L or -R spec), for -O status and -O metrics. */
struct fwd_stat {
	struct fwd_stat *next;
	const void *key;              /* the spec it counts (lookup only) */
	char kind;                    /* 'L', 'R' or 'D' */
	char spec[300];               /* "8080:localhost:80" as ssh writes it */
	char listen[300];             /* where it listens ("" until known) */
	int cancelled;                /* -O cancel or ~C -K: listener gone */
	uint64_t active, total, open_failures;
	uint64_t done_out, done_in;   /* bytes of closed connections (out: towards the target) */
	char last_error[160];
	struct fwd_live live;         /* list head of open connections */
	uint64_t rate_out, rate_in;   /* bytes per second over the last sample period */
	uint64_t sample_out, sample_in, sample_us; /* totals at the last sample */
};

struct fwd_client {
	struct event_base *base;
	struct conn *conn;
	void (*flush)(void *);
	void *flush_arg;
	struct evdns_base *dns;       /* for -R targets (created on first use) */
	unsigned active;              /* forwarded channels open right now */
	void (*idle)(void *arg);      /* called when active drops to zero (may be NULL) */
	void *idle_arg;
	struct fwd_listener *listeners;
	struct fwd_remote *remotes;   /* -R forwards requested from the server */
	struct fwd_dynamic *dynamics; /* -D listeners (fwd_dynamic.c) */
	const char *permit_remote_open; /* PermitRemoteOpen for -R without a target (NULL: any) */
	unsigned remote_pending;      /* tcpip-forward requests not answered yet */
	int remote_failed;            /* some -R was refused */
	int exit_on_failure;          /* ExitOnForwardFailure */
	int print_allocated_stdout;   /* -f: "Allocated port" also on stdout */
	/* All -R requests answered (ok = 0 if one failed); may be NULL. */
	void (*remote_done)(void *arg, int ok);
	void *remote_done_arg;
	struct fwd_stat *stats;       /* one per forward ever set up (fwd_stats.c) */
};

/* fwd_stats.c. The counters of spec (created on first use; NULL: out of memory). */
struct fwd_stat *fwd_stat_get(struct fwd_client *fc, char kind, const struct fwd_spec *spec);
/* "[bind:]port:host:hostport" (or the socket forms) as -L / -R take it. */
void fwd_spec_str(const struct fwd_spec *s, char *out, size_t outlen);
/* A connection arrived (counts it, links lv). */
void fwd_stat_conn_start(struct fwd_stat *st, struct fwd_live *lv);
/* The channel open was refused or the target failed: why. */
void fwd_stat_conn_failed(struct fwd_stat *st, const char *why);
/* The connection is gone: its bytes join the totals. */
void fwd_stat_conn_end(struct fwd_stat *st, struct fwd_live *lv);
/* Bytes so far, closed and open connections together. */
void fwd_stat_bytes(const struct fwd_stat *st, uint64_t *out, uint64_t *in);
/* Take a throughput sample of every forward (now_us: a monotonic clock). */
void fwd_stats_sample(struct fwd_stat *list, uint64_t now_us);
/* -O status (text or JSON) and -O metrics (Prometheus text format) of every forward. */
enum fwd_stats_fmt { FWD_STATS_TEXT, FWD_STATS_JSON, FWD_STATS_PROM };
int fwd_stats_format(const struct fwd_stat *list, enum fwd_stats_fmt fmt, struct buf *out);
void fwd_stats_free(struct fwd_client *fc);
/* s as a JSON string (RFC 8259 section 7), also right for a Prometheus label value. */
int fwd_put_quoted(struct buf *b, const char *s);

/*
 * Bind the listener(s) of one -L spec (loopback unless an address is given or
 * gateway_ports). Prints ssh's messages on failure and returns an error.
 */
int fwd_local_listen(struct fwd_client *fc, const struct fwd_spec *spec, int gateway_ports);
/* Close every listener (connections already forwarded go on). */
void fwd_local_close_all(struct fwd_client *fc);
/*
 * ~C -KL: close the listeners of -L forwards on port (bind NULL: any address;
 * "localhost" also names a forward given without an address), or on the Unix
 * socket path when port is -1. Returns how many listeners closed.
 */
int fwd_local_cancel(struct fwd_client *fc, const char *bind, int port, const char *path);
/*
 * -W: forward rfd/wfd (our stdin/stdout) to host:port. done(arg, ok) runs
 * when the channel is refused (ok = 0) or has closed (ok = 1).
 */
int fwd_stdio_start(struct fwd_client *fc, int rfd, int wfd, const char *host, int port,
		    void (*done)(void *arg, int ok), void *arg);

/*
 * -D: bind the SOCKS listener(s) of one dynamic forward, as -L binds (ssh's
 * messages on failure). Each SOCKS4/4A/5 CONNECT becomes a direct-tcpip channel.
 */
int fwd_dynamic_listen(struct fwd_client *fc, const struct fwd_spec *spec, int gateway_ports);
/* Close every -D listener (connections already forwarded go on). */
void fwd_dynamic_close_all(struct fwd_client *fc);
/*
 * -R [bind:]port without a target: accept the server's forwarded-tcpip open
 * ch and act as a SOCKS server on it, connecting locally to what the SOCKS
 * client asks for if PermitRemoteOpen allows it. orig/oport: the originator.
 */
int fwd_dynamic_remote_open(struct fwd_client *fc, struct chan *ch, const char *orig,
			    uint32_t oport);

/*
 * -R: ask the server to listen (tcpip-forward / streamlocal-forward) for one
 * spec; the answer arrives later (messages as ssh prints them, then
 * remote_done once nothing is pending).
 */
int fwd_remote_request(struct fwd_client *fc, const struct fwd_spec *spec);
/*
 * Reconnect=yes: fc->conn is a new connection; request every -R of the old
 * one again (remote_done runs once all are answered).
 */
int fwd_remote_rerequest(struct fwd_client *fc);
/* -O cancel -R: ask the server to stop listening on port (or path); returns the count. */
int fwd_remote_cancel(struct fwd_client *fc, int port, const char *path);
/* conn_open_fn body for the server's forwarded-tcpip / forwarded-streamlocal opens. */
int fwd_remote_open(struct fwd_client *fc, struct chan *ch, const char *type, struct rd *args,
		    uint32_t *reason, const char **msg);

/* ---- server ---- */
/*
 * One open forwarded channel of a burrowd connection (direct-* or
 * forwarded-*), listed so SIGUSR1 can report what is forwarded right now.
 */
struct fwd_srv_chan {
	struct fwd_srv_chan *next, *prev;
	const char *kind;
	const char *originator, *target;
	struct chanio *cio;           /* NULL while connecting */
	const struct timespec *start;
	int sent_is_out;              /* "sent" (originator -> target) is chanio_bytes_out */
};

struct fwd_server {
	struct event_base *base;
	struct evdns_base *dns;
	void (*flush)(void *);
	void *flush_arg;
	const char *user;
	const char *key_fp;           /* "SHA256:..." of the key that logged in */
	const char *client;           /* "ADDR:PORT" of the SSH client */
	struct conn *conn;            /* for forwarded-tcpip opens */
	const struct server_config *eff; /* policy after Match for this connection */
	const struct authkey_opts *key;  /* options of the key that logged in (may be NULL) */
	uid_t uid;                    /* the user's uid (privileged ports) */
	struct fwd_rlistener *rlisteners; /* -R listeners of this connection */
	struct fwd_srv_chan *chans;   /* open forwarded channels (fwd_server_dump.c) */
};

/* fwd_server_dump.c: link / unlink one forwarded channel on fs->chans. */
void fwd_srv_chan_link(struct fwd_server *fs, struct fwd_srv_chan *c);
void fwd_srv_chan_unlink(struct fwd_server *fs, struct fwd_srv_chan *c);
/* SIGUSR1: log one line per open forwarded channel and per -R listener. */
void fwd_server_dump(const struct fwd_server *fs);
/* fwd_listen.c: one "dump: listener" line per -R listener. */
void fwd_server_dump_listeners(const struct fwd_server *fs);

/* conn_global_fn body: tcpip-forward, cancel-tcpip-forward (RFC 4254 7.1) and the
 * streamlocal forms; returns 0 for success. */
int fwd_server_global(struct fwd_server *fs, const char *name, int want_reply, struct rd *args,
		      struct buf *reply_extra);
/* Close every -R listener (the connection is ending). */
void fwd_server_close_listeners(struct fwd_server *fs);
/* Log a refusal: "refused: KIND user= key= client= target= rule=\"RULE\"". */
void fwd_log_refusal(const struct fwd_server *fs, const char *kind, const char *target,
		     const char *rule);
/* Log the audit line of one forwarded connection. */
void fwd_log_audit(const struct fwd_server *fs, const char *kind, const char *originator,
		   const char *target, uint64_t sent, uint64_t received, double seconds,
		   const char *outcome, const char *detail);
/* "host:port", or "[host]:port" when host contains ':'. */
void fwd_host_port(char *out, size_t outlen, const char *host, unsigned port);

/*
 * conn_open_fn body for "direct-tcpip" and "direct-streamlocal@openssh.com".
 * Returns 0 when the open is being handled (answered later), nonzero with
 * reason and msg set to refuse it now.
 */
int fwd_server_open(struct fwd_server *fs, struct chan *ch, const char *type, struct rd *args,
		    uint32_t *reason, const char **msg);

/* RFC 4254 reason code as ssh prints it ("connect failed", ...). */
const char *fwd_reason_text(uint32_t reason);

#endif
