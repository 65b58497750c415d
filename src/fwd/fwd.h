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

#include "auth/authkeys.h"
#include "config/client_config.h"
#include "config/server_config.h"
#include "conn/conn.h"

struct event_base;
struct evdns_base;

/* ---- client ---- */
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
	unsigned remote_pending;      /* tcpip-forward requests not answered yet */
	int remote_failed;            /* some -R was refused */
	int exit_on_failure;          /* ExitOnForwardFailure */
	int print_allocated_stdout;   /* -f: "Allocated port" also on stdout */
	/* All -R requests answered (ok = 0 if one failed); may be NULL. */
	void (*remote_done)(void *arg, int ok);
	void *remote_done_arg;
};

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
 * -R: ask the server to listen (tcpip-forward / streamlocal-forward) for one
 * spec; the answer arrives later (messages as ssh prints them, then
 * remote_done once nothing is pending).
 */
int fwd_remote_request(struct fwd_client *fc, const struct fwd_spec *spec);
/* conn_open_fn body for the server's forwarded-tcpip / forwarded-streamlocal opens. */
int fwd_remote_open(struct fwd_client *fc, struct chan *ch, const char *type, struct rd *args,
		    uint32_t *reason, const char **msg);

/* ---- server ---- */
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
};

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
