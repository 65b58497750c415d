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

#include "config/client_config.h"
#include "conn/conn.h"

struct event_base;
struct evdns_base;

/* ---- client ---- */
struct fwd_client {
	struct event_base *base;
	struct conn *conn;
	void (*flush)(void *);
	void *flush_arg;
	unsigned active;              /* forwarded channels open right now */
	void (*idle)(void *arg);      /* called when active drops to zero (may be NULL) */
	void *idle_arg;
	struct fwd_listener *listeners;
};

/*
 * Bind the listener(s) of one -L spec (loopback unless an address is given or
 * gateway_ports). Prints ssh's messages on failure and returns an error.
 */
int fwd_local_listen(struct fwd_client *fc, const struct fwd_spec *spec, int gateway_ports);
/* Close every listener (connections already forwarded go on). */
void fwd_local_close_all(struct fwd_client *fc);
/*
 * -W: forward rfd/wfd (our stdin/stdout) to host:port. done(arg, ok) runs
 * when the channel is refused (ok = 0) or has closed (ok = 1).
 */
int fwd_stdio_start(struct fwd_client *fc, int rfd, int wfd, const char *host, int port,
		    void (*done)(void *arg, int ok), void *arg);

/* ---- server ---- */
struct fwd_server {
	struct event_base *base;
	struct evdns_base *dns;
	void (*flush)(void *);
	void *flush_arg;
	const char *user;
	const char *key_fp;           /* "SHA256:..." of the key that logged in */
	const char *client;           /* "ADDR:PORT" of the SSH client */
	int allow_tcp;                /* 0: refused (authorized_keys no-port-forwarding or restrict) */
	int allow_streamlocal;
};

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
