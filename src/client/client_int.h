/* burrow's per-run state, shared by the client's files. */
#ifndef BURROW_CLIENT_CLIENT_INT_H
#define BURROW_CLIENT_CLIENT_INT_H

#include <sys/types.h>

#include "agent/agent.h"
#include "auth/auth.h"
#include "chanio/chanio.h"
#include "client/client.h"
#include "conn/conn.h"
#include "engine/engine.h"
#include "fwd/fwd.h"

/* The identities to offer (client_identity.c). */
struct client_id;
struct client_ids {
	const struct client_config *cfg;
	struct agent *agent;               /* NULL: no agent */
	struct agent_identity *agent_keys;
	size_t n_agent_keys;
	struct key *certs[CFG_MAX_IDENTITIES]; /* CertificateFile entries */
	int n_certs;
	struct client_id **v;
	size_t n, cap;
	struct auth_identity *ai;          /* parallel to v, for auth_client_config.ids */
};

struct client {
	struct client_config *cfg;
	struct event_base *base;
	struct engine *eng;
	struct auth_client *auth;
	struct conn *conn;
	struct chanio *session;
	struct fwd_client fwd;
	struct hostkey_check hk;
	pid_t proxy_pid;   /* -J: the burrow -W process carrying our connection */
	int exit_status;   /* remote exit status, -1 until one arrives */
	int status;        /* what burrow exits with */
	int session_done;  /* the session (or -W channel) has ended */
	int fork_deferred; /* -f waits for the -R answers (ExitOnForwardFailure) */
	int saved_fl[3];
	struct client_ids ids;
	int agent_requested; /* auth-agent-req@openssh.com sent (-A) */
	char peer[128];    /* "ADDR port PORT" of the server */
	struct client_control *ctl; /* -M: the control socket (client_control.c) */
	uint64_t connected_us;      /* when authentication succeeded (uptime) */
	struct conn_alive alive; /* ServerAliveInterval (client_alive.c) */
	struct event *alive_ev;  /* NULL: keepalives off */
	char notify_socket[108]; /* $NOTIFY_SOCKET (client_notify.c), "" if none */
	int notified;            /* READY=1 sent */
	int forwarding;          /* forwards set up once (Reconnect keeps them) */
	unsigned reconnects;     /* Reconnect=yes: successful reconnects so far */
};

/* client_alive.c: ServerAliveInterval/CountMax once authenticated; rx for every packet. */
int client_alive_start(struct client *c);
void client_alive_rx(struct client *c);
void client_alive_stop(struct client *c);
/*
 * client_reconnect.c: Reconnect=yes for -N tunnels. client_quit ends the run
 * (also between connections); client_reconnect_wanted says whether a lost
 * connection is to be replaced; client_drop_connection frees the dead one
 * (its forwarded connections closed, listeners kept); client_reconnect_wait
 * sleeps the backoff of attempt (1, 2, ...) while listeners stay served.
 */
void client_quit(struct client *c);
int client_reconnect_wanted(const struct client *c);
void client_drop_connection(struct client *c);
int client_reconnect_wait(struct client *c, unsigned attempt);
/* client_notify.c: take $NOTIFY_SOCKET for ourselves; READY=1 once every forward is up. */
void client_notify_init(struct client *c);
void client_notify_ready(struct client *c);
/* Open the session channel and run the command or shell (client_session.c). */
int client_open_session(struct client *c);
/* The session or -W channel ended: leave once no forwarded connection remains. */
void client_session_ended(struct client *c);
/* Build the list of identities (agent, files, certificates); errors are fatal. */
int client_identities_load(const struct client_config *cfg, struct client_ids *ci);
void client_identities_free(struct client_ids *ci);
/* Passphrase from /dev/tty or SSH_ASKPASS, as ssh(1) reads one (client_pass.c). */
int client_read_passphrase(const char *prompt, char **out);
/*
 * auth_client_config.get_password and .kbdint_prompt (client_password.c);
 * arg is the struct client.
 */
int client_get_password(void *arg, unsigned attempt, char **out);
int client_kbdint_prompt(void *arg, const char *name, const char *instruction,
			 const char *prompt, int echo, char **out);
/* Load a private key, asking for its passphrase if needed (not in BatchMode). */
int client_load_private(const struct client_config *cfg, const char *path, struct key **out);
/* -A: ask for agent forwarding on the session channel (client_agent.c). */
int client_agent_request(struct client *c, struct chan *session);
/* conn_open_fn body for "auth-agent@openssh.com": only after we asked for it. */
int client_agent_open(struct client *c, struct chan *ch, uint32_t *reason, const char **msg);
/* -J: start `burrow -W host:port ... lasthop`; *fd is our end of its stdin/stdout. */
int client_start_proxy(struct client *c, const char *self, int *fd);
/* Run path with argv, its stdin and stdout one end of a socketpair; *fd gets the other. */
/* In a forked background child: new session, event base re-armed, stdio on /dev/null. */
void client_detach_stdio(struct client *c);
int client_spawn_proxy(struct client *c, const char *path, char *const argv[], int *fd);
/*
 * The control socket (client_control.c, master side; client_ctlcmd.c, -O).
 * burrow's own protocol over the Unix socket: one request line
 * "burrow-control 1 CMD [ARG]\n", CMD one of check, exit, stop, status,
 * status-json, metrics, forward-L, forward-R, cancel-L, cancel-R (ARG: a
 * -L/-R spec); the answer is "ok[ DETAIL]\n" or "error MESSAGE\n", then the
 * body (status, metrics) until the master closes the connection.
 */
#define CLIENT_CTL_MAGIC "burrow-control 1 "
/* Become the master if ControlMaster asks for it (after authentication). */
int client_control_start(struct client *c);
/* Nonzero while ControlPersist keeps an idle master running. */
int client_control_holds(struct client *c);
void client_control_free(struct client *c);
/* burrow -O CMD: talk to the master, print its answer; returns the exit status. */
int client_control_command(const struct client_config *cfg);
/* ControlPath names a running master (a later burrow cannot share it yet). */
int client_control_master_running(const char *path);
/* client_proxycmd.c: ProxyCommand through /bin/sh, its stdin/stdout as *fd. */
int client_start_proxy_command(struct client *c, int *fd);

#endif
