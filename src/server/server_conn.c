/* One client connection in its own process: transport, authentication, channels. */
#include "server/server.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "auth/auth.h"
#include "conn/conn.h"
#include "engine/engine.h"
#include "fwd/fwd.h"
#include "net/connect.h"
#include "net/tcp.h"
#include "server/server_agent.h"
#include "server/server_alive.h"
#include "server/server_passwd.h"
#include "server/server_login.h"
#include "session/session.h"
#include "util/err.h"
#include "util/log.h"

struct server_conn {
	const struct server_config *cfg;
	struct event_base *base;
	struct engine *eng;
	struct auth_server *auth;
	struct conn *conn;
	struct event *grace;
	struct event *sigchld;
	struct event *sigusr1;    /* dump what this connection forwards */
	struct timespec start;
	struct session_user user;
	struct session_server sess;
	struct fwd_server fwd;
	struct server_agent agent;
	struct server_alive alive; /* ClientAliveInterval */
	struct server_login *login; /* utmp/wtmp helper (NULL: no records) */
	char *allowed_user;       /* user that passed server_login_allowed (checked once) */
	int user_refused;
	char key_fp[KEY_FP_MAX];
	char client[128];         /* "ADDR:PORT" for audit lines */
	char raddr[64], laddr[64];/* client and local addresses, for Match */
	int lport;
	struct server_config eff; /* configuration after Match, once the user is known */
	int have_eff;
	char peer[128];           /* "ADDR port PORT" */
	char ssh_connection[256];
	int exit_code;
};

/*
 * sshd checks the account (shell, locked, expired) once, at the first
 * request; a refused user then fails every method. The user cannot change
 * during a connection (auth refuses that), so the first answer stands.
 */
static int user_allowed(struct server_conn *sc, const char *user)
{
	if (sc->allowed_user == NULL && !sc->user_refused) {
		int pam = sc->cfg->use_pam == 1 && server_passwd_have_pam();

		if (server_login_allowed(user, pam) != 0)
			sc->user_refused = 1;
		else if ((sc->allowed_user = strdup(user)) == NULL)
			return 0;
	}
	return !sc->user_refused && strcmp(sc->allowed_user, user) == 0;
}

static int check_key_cb(void *arg, const char *user, const struct key *key,
			struct authkey_opts **opts)
{
	struct server_conn *sc = arg;
	struct scfg_conn_info ci = {
		.host = sc->raddr, .addr = sc->raddr, .laddr = sc->laddr, .lport = sc->lport,
	};

	if (!user_allowed(sc, user))
		return ERR_PERMISSION;
	return server_check_key(sc->cfg, &ci, user, key, opts);
}

/* Passwords (server_passwd.c); a refused account still hashes, then fails alike. */
static int password_cb(void *arg, const char *user, const char *password)
{
	struct server_conn *sc = arg;
	struct scfg_conn_info ci = {
		.host = sc->raddr, .addr = sc->raddr, .laddr = sc->laddr, .lport = sc->lport,
	};
	int r = server_check_password(sc->cfg, &ci, user, password);

	if (r == 0 && !user_allowed(sc, user))
		r = ERR_PERMISSION;
	return r;
}

static int user_methods_cb(void *arg, const char *user, struct auth_user_methods *out)
{
	struct server_conn *sc = arg;
	struct scfg_conn_info ci = {
		.host = sc->raddr, .addr = sc->raddr, .laddr = sc->laddr, .lport = sc->lport,
	};

	return server_user_methods(sc->cfg, &ci, user, out);
}

static int alg_allowed_cb(void *arg, const char *user, const char *alg)
{
	struct server_conn *sc = arg;
	struct scfg_conn_info ci = {
		.host = sc->raddr, .addr = sc->raddr, .laddr = sc->laddr, .lport = sc->lport,
	};

	return server_alg_allowed(sc->cfg, &ci, user, alg);
}

static int open_cb(void *arg, struct chan *ch, const char *type, struct rd *args,
		   uint32_t *reason, const char **msg)
{
	struct server_conn *sc = arg;

	if (strcmp(type, "session") == 0) {
		if (rd_end(args) != 0 || session_accept(&sc->sess, ch) != 0) {
			*reason = SSH_OPEN_RESOURCE_SHORTAGE;
			*msg = "cannot start session";
			return -1;
		}
		return 0;
	}
	if (strcmp(type, "direct-tcpip") == 0 || strcmp(type, "direct-streamlocal@openssh.com") == 0)
		return fwd_server_open(&sc->fwd, ch, type, args, reason, msg);
	*reason = SSH_OPEN_UNKNOWN_CHANNEL_TYPE;
	*msg = "unknown channel type";
	return -1;
}

static int global_cb(void *arg, struct conn *c, const char *name, int want_reply,
		     struct rd *args, struct buf *reply_extra)
{
	struct server_conn *sc = arg;

	(void)c;
	return fwd_server_global(&sc->fwd, name, want_reply, args, reply_extra);
}

/*
 * auth-agent-req@openssh.com: allowed by AllowAgentForwarding (after Match),
 * not DisableForwarding, and not taken away by the key's options
 * (no-agent-forwarding, restrict) or a certificate without
 * permit-agent-forwarding.
 */
static int agent_request_cb(void *arg)
{
	struct server_conn *sc = arg;
	const struct authkey_opts *o = auth_server_opts(sc->auth);
	const struct key *k = auth_server_key(sc->auth);
	const struct key_cert_info *ci = k != NULL && key_is_cert(k) ? key_cert_info(k) : NULL;

	if (!sc->eff.allow_agent_forwarding || sc->eff.disable_forwarding) {
		log_debug("session_auth_agent_req: agent forwarding disabled by configuration");
		return ERR_PERMISSION;
	}
	if ((o != NULL && o->no_agent_forwarding) ||
	    (ci != NULL && !(ci->ext & KEY_CERT_EXT_AGENT))) {
		log_debug("session_auth_agent_req: agent forwarding disabled by key options");
		return ERR_PERMISSION;
	}
	sc->agent.base = sc->base;
	sc->agent.conn = sc->conn;
	sc->agent.flush = engine_flush_cb;
	sc->agent.flush_arg = sc->eng;
	return server_agent_start(&sc->agent);
}

static const char *agent_socket_cb(void *arg)
{
	struct server_conn *sc = arg;

	return server_agent_path(&sc->agent);
}

/* The policy for this connection: the global configuration with its Match blocks applied. */
static int effective_config(struct server_conn *sc)
{
	struct scfg_conn_info ci = {
		.user = sc->user.name, .host = sc->raddr, .addr = sc->raddr,
		.laddr = sc->laddr, .lport = sc->lport,
	};
	int r;

	if ((r = scfg_copy(sc->cfg, &sc->eff)) != 0)
		return r;
	sc->have_eff = 1;
	return scfg_apply_match(&sc->eff, &ci);
}

/* Forwarding context: who logged in, with which key, and what policy applies. */
static int start_forwarding(struct server_conn *sc)
{
	/* Audit lines name the key; a password login has none. */
	if (auth_server_key(sc->auth) == NULL ||
	    key_fingerprint(auth_server_key(sc->auth), sc->key_fp, sizeof(sc->key_fp)) != 0)
		snprintf(sc->key_fp, sizeof(sc->key_fp), "%s", "none");
	if (net_dns_new(sc->base, &sc->fwd.dns) != 0)
		return ERR_ALLOC;
	sc->fwd.base = sc->base;
	sc->fwd.flush = engine_flush_cb;
	sc->fwd.flush_arg = sc->eng;
	sc->fwd.user = sc->user.name;
	sc->fwd.key_fp = sc->key_fp;
	sc->fwd.client = sc->client;
	sc->fwd.conn = sc->conn;
	sc->fwd.eff = &sc->eff;
	sc->fwd.key = auth_server_opts(sc->auth);
	sc->fwd.uid = sc->user.uid;
	return 0;
}

/*
 * After authentication this process works only for the user: drop root for
 * good, so forwarding connects, binds and opens sockets with the user's rights.
 */
static int become_user(const struct server_conn *sc)
{
	if (geteuid() != 0 || sc->user.uid == 0)
		return 0;
	if (initgroups(sc->user.name, sc->user.gid) != 0 || setgid(sc->user.gid) != 0 ||
	    setuid(sc->user.uid) != 0 || setuid(0) == 0) {
		log_error("cannot switch to user %s: %s", sc->user.name, strerror(errno));
		return ERR_PERMISSION;
	}
	return 0;
}

static int start_connection_layer(struct server_conn *sc)
{
	const char *name = auth_server_user(sc->auth);
	const struct authkey_opts *opts = auth_server_opts(sc->auth);
	struct passwd *pw = getpwnam(name);
	struct conn_config cc;
	int r;

	if (pw == NULL)
		return ERR_NOT_FOUND;
	sc->user.name = strdup(pw->pw_name);
	sc->user.uid = pw->pw_uid;
	sc->user.gid = pw->pw_gid;
	sc->user.home = strdup(pw->pw_dir);
	sc->user.shell = strdup(pw->pw_shell != NULL && *pw->pw_shell != '\0' ? pw->pw_shell
										 : "/bin/sh");
	if (sc->user.name == NULL || sc->user.home == NULL || sc->user.shell == NULL)
		return ERR_ALLOC;
	if ((r = effective_config(sc)) != 0)
		return r;
	/* Before dropping root: the helper that writes utmp/wtmp records keeps it. */
	if (server_login_start(sc->user.name, sc->raddr, &sc->login) != 0)
		log_debug("no utmp/wtmp records for this connection");
	if ((r = become_user(sc)) != 0)
		return r;
	sc->sess.base = sc->base;
	sc->sess.flush = engine_flush_cb;
	sc->sess.flush_arg = sc->eng;
	sc->sess.user = &sc->user;
	sc->sess.change_user = 0; /* this process already is the user */
	sc->sess.ssh_connection = sc->ssh_connection;
	sc->sess.forced_command = opts != NULL ? opts->command : NULL;
	sc->sess.agent_request = agent_request_cb;
	sc->sess.agent_socket = agent_socket_cb;
	sc->sess.agent_arg = sc;
	sc->sess.subsystems = sc->eff.subsystems;
	sc->sess.n_subsystems = sc->eff.n_subsystems;
	sc->sess.print_motd = sc->eff.print_motd;
	/* Terminal and environment: AcceptEnv after Match; no-pty / restrict / no permit-pty. */
	sc->sess.accept_env = sc->eff.accept_env;
	sc->sess.n_accept_env = sc->eff.n_accept_env;
	sc->sess.no_pty = (opts != NULL && opts->no_pty) || !sc->eff.permit_tty;
	if (sc->login != NULL) {
		sc->sess.login_record = server_login_record;
		sc->sess.logout_record = server_login_end;
		sc->sess.login_arg = sc->login;
	}
	memset(&cc, 0, sizeof(cc));
	cc.open = open_cb;
	cc.global = global_cb;
	cc.arg = sc;
	cc.clock_us = engine_clock_us; /* receive-window autotuning */
	cc.out_high = ENGINE_OUT_HIGH;
	if (sc->grace != NULL) {
		event_free(sc->grace);
		sc->grace = NULL;
	}
	if ((r = conn_new(engine_tp(sc->eng), &cc, &sc->conn)) != 0)
		return r;
	if ((r = server_alive_start(&sc->alive, sc->base, sc->eng, sc->conn,
				    sc->eff.client_alive_interval, sc->eff.client_alive_count_max,
				    sc->user.name, sc->peer)) != 0)
		return r;
	return start_forwarding(sc) != 0 ? ERR_ALLOC : 0;
}

static int dispatch(void *arg, const uint8_t *p, size_t len)
{
	struct server_conn *sc = arg;
	uint8_t msg = p[0];
	int r;

	server_alive_rx(&sc->alive);
	if (msg == SSH_MSG_SERVICE_REQUEST || (msg >= 50 && msg < 80)) {
		if ((r = auth_server_handle(sc->auth, p, len)) != 0)
			return r;
		if (sc->conn == NULL && auth_server_done(sc->auth))
			return start_connection_layer(sc);
		return 0;
	}
	if (msg >= 80 && sc->conn != NULL)
		return conn_handle(sc->conn, p, len);
	/* The transport lets nothing else through before authentication. */
	tp_disconnect(engine_tp(sc->eng), SSH_DISCONNECT_PROTOCOL_ERROR, "unexpected message");
	return ERR_PROTOCOL;
}

static void finished(void *arg, int err, const char *why)
{
	struct server_conn *sc = arg;
	const char *stage = sc->conn == NULL ? " [preauth]" : "";

	if (err == ERR_EOF || err == 0)
		log_info("Connection closed by %s%s", sc->peer, stage);
	else if (err == ERR_DISCONNECTED)
		log_info("Received disconnect from %s:%s%s", sc->peer, engine_disconnect_detail(why), stage);
	else if (err == ERR_NO_MATCH)
		/* sshd's words: "... no matching cipher found. Their offer: LIST [preauth]". */
		log_info("Unable to negotiate with %s: %s%s", sc->peer, why, stage);
	else
		log_info("Disconnecting %s: %s%s", sc->peer, why, stage);
	sc->exit_code = err == 0 || err == ERR_EOF || err == ERR_DISCONNECTED ? 0 : 255;
	event_base_loopbreak(sc->base);
}

static void on_grace(evutil_socket_t fd, short what, void *arg)
{
	struct server_conn *sc = arg;

	(void)fd;
	(void)what;
	log_info("Timeout before authentication for %s", sc->peer);
	engine_close(sc->eng, SSH_DISCONNECT_PROTOCOL_ERROR, "Login grace time exceeded",
		     ERR_PERMISSION);
}

static void on_sigchld(evutil_socket_t fd, short what, void *arg)
{
	struct server_conn *sc = arg;

	(void)fd;
	(void)what;
	session_reap();
	engine_flush(sc->eng);
}

/*
 * SIGUSR1 (forwarded by the listener parent): one line for this connection,
 * then one per open forwarded channel and -R listener (fwd_server_dump).
 */
static void on_sigusr1(evutil_socket_t fd, short what, void *arg)
{
	struct server_conn *sc = arg;
	const struct tp *t = engine_tp(sc->eng);
	struct timespec now;

	(void)fd;
	(void)what;
	clock_gettime(CLOCK_MONOTONIC, &now);
	log_info("dump: connection pid=%ld user=%s key=%s client=%s uptime=%llds "
		 "bytes_in=%llu bytes_out=%llu%s",
		 (long)getpid(), sc->conn != NULL ? sc->user.name : "-",
		 sc->conn != NULL ? sc->key_fp : "-", sc->client[0] != '\0' ? sc->client : sc->peer,
		 (long long)(now.tv_sec - sc->start.tv_sec),
		 (unsigned long long)tp_bytes_in(t), (unsigned long long)tp_bytes_out(t),
		 sc->conn != NULL ? "" : " [preauth]");
	if (sc->conn != NULL && sc->fwd.conn != NULL)
		fwd_server_dump(&sc->fwd);
}

static void output_drained(void *arg)
{
	struct server_conn *sc = arg;

	if (sc->conn != NULL)
		conn_output_drained(sc->conn);
}

static const struct engine_ops server_engine_ops = {
	.dispatch = dispatch,
	.finished = finished,
	.drained = output_drained,
};

void server_conn_run(int fd, const struct server_config *cfg, struct key *const *hostkeys,
		     size_t n_hostkeys)
{
	struct server_conn sc;
	struct tp_config tc;
	struct auth_server_config ac;
	struct tp *t = NULL;
	char la[64], ra[64];
	int lp = 0, rp = 0;

	memset(&sc, 0, sizeof(sc));
	sc.cfg = cfg;
	clock_gettime(CLOCK_MONOTONIC, &sc.start);
	sc.exit_code = 255;
	net_peer_desc(fd, 0, sc.peer, sizeof(sc.peer));
	if (net_sockaddr_str(fd, 0, ra, sizeof(ra), &rp) == 0 &&
	    net_sockaddr_str(fd, 1, la, sizeof(la), &lp) == 0) {
		snprintf(sc.raddr, sizeof(sc.raddr), "%s", ra);
		snprintf(sc.laddr, sizeof(sc.laddr), "%s", la);
		sc.lport = lp;
		snprintf(sc.ssh_connection, sizeof(sc.ssh_connection), "%s %d %s %d", ra, rp, la, lp);
		snprintf(sc.client, sizeof(sc.client), strchr(ra, ':') != NULL ? "[%s]:%d" : "%s:%d",
			 ra, rp);
	}
	log_verbose("Connection from %s", sc.peer);
	signal(SIGPIPE, SIG_IGN);
	if ((sc.base = event_base_new()) == NULL)
		goto out;
	memset(&tc, 0, sizeof(tc));
	tc.server = 1;
	tc.kex_algs = cfg->kex_algorithms;
	tc.hostkey_algs = cfg->host_key_algorithms;
	tc.ciphers = cfg->ciphers;
	tc.macs = cfg->macs;
	/* sshd: Compression yes/delayed offers zlib@openssh.com (after auth) after none. */
	tc.compression = cfg->compression == 0 ? "none" : "none,zlib@openssh.com";
	tc.rekey_bytes = (uint64_t)cfg->rekey_bytes;
	tc.rekey_seconds = (uint32_t)cfg->rekey_seconds;
	tc.software = "burrow_" BURROW_VERSION;
	tc.hostkeys = hostkeys;
	tc.n_hostkeys = n_hostkeys;
	if (tp_new(&tc, &t) != 0 || tp_start(t) != 0)
		goto out;
	if (engine_new(sc.base, fd, t, &server_engine_ops, &sc, &sc.eng) != 0)
		goto out;
	t = NULL;
	fd = -1;
	memset(&ac, 0, sizeof(ac));
	ac.max_tries = (unsigned)cfg->max_auth_tries;
	ac.check_key = check_key_cb;
	ac.alg_allowed = alg_allowed_cb;
	ac.arg = &sc;
	ac.remote = sc.peer;
	ac.pubkey_accepted_algorithms = cfg->pubkey_accepted_algorithms;
	ac.check_password = password_cb;
	ac.user_methods = user_methods_cb;
	ac.kbdint_name = cfg->use_pam == 1 && server_passwd_have_pam() ? "keyboard-interactive/pam"
								    : NULL;
	if (auth_server_new(engine_tp(sc.eng), &ac, &sc.auth) != 0)
		goto out;
	if (cfg->login_grace_time > 0) {
		struct timeval tv = { cfg->login_grace_time, 0 };

		if ((sc.grace = event_new(sc.base, -1, 0, on_grace, &sc)) != NULL)
			event_add(sc.grace, &tv);
	}
	if ((sc.sigchld = evsignal_new(sc.base, SIGCHLD, on_sigchld, &sc)) != NULL)
		event_add(sc.sigchld, NULL);
	if ((sc.sigusr1 = evsignal_new(sc.base, SIGUSR1, on_sigusr1, &sc)) != NULL)
		event_add(sc.sigusr1, NULL);
	engine_flush(sc.eng);
	event_base_dispatch(sc.base);
	server_alive_stop(&sc.alive);
	if (sc.alive.timed_out)
		sc.exit_code = 255;
	session_hangup_all();
	/* Channels still open end here, so each forwarded connection gets its audit line. */
	fwd_server_close_listeners(&sc.fwd);
	server_agent_stop(&sc.agent);
	if (sc.conn != NULL)
		conn_free(sc.conn);
out:
	/* The process ends here: the kernel reclaims descriptors; secrets go with the memory. */
	if (fd >= 0)
		close(fd);
	tp_free(t);
	_exit(sc.exit_code);
}
