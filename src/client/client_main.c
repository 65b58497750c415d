/* burrow's main flow: options, identities, connection, authentication, then forwards and session. */
#include "client/client_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "config/alglist.h"
#include "net/tcp.h"
#include "util/err.h"
#include "util/log.h"

/* Leave once the session is over and no forwarded connection is still open. */
static void maybe_leave(void *arg)
{
	struct client *c = arg;

	if (c->session_done && c->fwd.active == 0 && !client_control_holds(c))
		engine_close(c->eng, SSH_DISCONNECT_BY_APPLICATION, "disconnected by user", 0);
}

void client_session_ended(struct client *c)
{
	c->session_done = 1;
	/* ControlPersist: the forwards stay until -O exit or the timeout. */
	if (client_control_holds(c))
		return;
	fwd_local_close_all(&c->fwd);
	fwd_dynamic_close_all(&c->fwd);
	maybe_leave(c);
}

static void stdio_done(void *arg, int ok)
{
	struct client *c = arg;

	if (!ok)
		fprintf(stderr, "stdio forwarding failed\r\n");
	c->status = ok ? 0 : 255;
	client_session_ended(c);
}

/* -f: continue in the background once authenticated and every listener is bound. */
static void go_background(struct client *c)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		fprintf(stderr, "fork: %s\r\n", strerror(errno));
		return;
	}
	if (pid > 0)
		_exit(0);
	client_detach_stdio(c);
}

void client_detach_stdio(struct client *c)
{
	int null;

	setsid();
	event_reinit(c->base);
	/* The session keeps its own copies of the descriptors it uses. */
	if ((null = open("/dev/null", O_RDWR)) >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		if (c->cfg->log_level < LOG_DEBUG1)
			dup2(null, 2);
		if (null > 2)
			close(null);
	}
}

/* Every -R was answered: stop on failure if asked to, then go to the background if -f. */
static void remote_forwards_done(void *arg, int ok)
{
	struct client *c = arg;

	if (!ok && c->cfg->exit_on_forward_failure) {
		c->status = 255;
		c->session_done = 1;
		engine_close(c->eng, SSH_DISCONNECT_BY_APPLICATION, "disconnected by user",
			     ERR_PERMISSION);
		return;
	}
	if (c->fork_deferred) {
		c->fork_deferred = 0;
		go_background(c);
	}
	client_notify_ready(c);
}

static void client_flush(void *arg)
{
	struct client *c = arg;

	if (c->eng != NULL)
		engine_flush(c->eng);
}

static int start_forwarding(struct client *c)
{
	const struct client_config *cfg = c->cfg;

	c->fwd.base = c->base;
	c->fwd.conn = c->conn;
	/* Through c, not the engine: Reconnect=yes replaces the engine. */
	c->fwd.flush = client_flush;
	c->fwd.flush_arg = c;
	c->fwd.idle = maybe_leave;
	c->fwd.idle_arg = c;
	c->fwd.exit_on_failure = cfg->exit_on_forward_failure;
	c->fwd.permit_remote_open = cfg->permit_remote_open;
	c->fwd.print_allocated_stdout = cfg->fork_after_auth;
	c->fwd.remote_done = remote_forwards_done;
	c->fwd.remote_done_arg = c;
	for (int i = 0; i < cfg->n_local_forwards; i++) {
		if (fwd_local_listen(&c->fwd, &cfg->local_forwards[i], cfg->gateway_ports) != 0 &&
		    cfg->exit_on_forward_failure) {
			fprintf(stderr, "Could not request local forwarding.\r\n");
			return ERR_PERMISSION;
		}
	}
	for (int i = 0; i < cfg->n_dynamic_forwards; i++)
		if (fwd_dynamic_listen(&c->fwd, &cfg->dynamic_forwards[i], cfg->gateway_ports) != 0 &&
		    cfg->exit_on_forward_failure)
			return ERR_PERMISSION;
	for (int i = 0; i < cfg->n_remote_forwards; i++)
		if (fwd_remote_request(&c->fwd, &cfg->remote_forwards[i]) != 0)
			return ERR_ALLOC;
	return 0;
}

/* Channels the server opens towards us: only connections for our own -R forwards. */
static int server_open(void *arg, struct chan *ch, const char *type, struct rd *args,
		       uint32_t *reason, const char **msg)
{
	struct client *c = arg;

	if (strcmp(type, "forwarded-tcpip") == 0 ||
	    strcmp(type, "forwarded-streamlocal@openssh.com") == 0)
		return fwd_remote_open(&c->fwd, ch, type, args, reason, msg);
	if (strcmp(type, "auth-agent@openssh.com") == 0 && rd_end(args) == 0)
		return client_agent_open(c, ch, reason, msg);
	log_info("client_input_channel_open: ctype %s: unknown channel type", type);
	*reason = SSH_OPEN_UNKNOWN_CHANNEL_TYPE;
	*msg = "unknown channel type";
	return -1;
}

static int authenticated(struct client *c)
{
	const struct client_config *cfg = c->cfg;
	struct conn_config cc;
	int r;

	tp_set_authenticated(engine_tp(c->eng));
	log_verbose("Authenticated to %s ([%s]:%d) using \"%s\".", cfg->hostname,
		    cfg->hostname, cfg->port, auth_client_method(c->auth));
	memset(&cc, 0, sizeof(cc));
	cc.open = server_open;
	cc.arg = c;
	cc.clock_us = engine_clock_us; /* receive-window autotuning */
	cc.out_high = ENGINE_OUT_HIGH;
	if ((r = conn_new(engine_tp(c->eng), &cc, &c->conn)) != 0)
		return r;
	if ((r = client_alive_start(c)) != 0)
		return r;
	if (c->forwarding) {
		/* Reconnect=yes: listeners are still bound; ask for the -R forwards again. */
		c->fwd.conn = c->conn;
		c->reconnects++;
		c->connected_us = engine_clock_us(NULL);
		log_info("Reconnected to %s (%s)", cfg->hostname, c->peer);
		if ((r = fwd_remote_rerequest(&c->fwd)) != 0)
			return r;
		engine_flush(c->eng);
		return 0;
	}
	c->forwarding = 1;
	if ((r = start_forwarding(c)) != 0) {
		c->status = 255;
		c->session_done = 1;
		engine_close(c->eng, SSH_DISCONNECT_BY_APPLICATION, "disconnected by user",
			     ERR_PERMISSION);
		return 0;
	}
	if ((r = client_control_start(c)) != 0)
		return r;
	if (cfg->stdio_forward_host != NULL)
		r = fwd_stdio_start(&c->fwd, dup(0), dup(1), cfg->stdio_forward_host,
				    cfg->stdio_forward_port, stdio_done, c);
	else if (!cfg->no_shell)
		r = client_open_session(c);
	if (r != 0)
		return r;
	engine_flush(c->eng);
	if (cfg->fork_after_auth) {
		/* As ssh: with ExitOnForwardFailure, wait for the -R answers before forking. */
		if (cfg->exit_on_forward_failure && c->fwd.remote_pending > 0)
			c->fork_deferred = 1;
		else
			go_background(c);
	}
	if (c->fwd.remote_pending == 0)
		client_notify_ready(c);
	return 0;
}

static int dispatch(void *arg, const uint8_t *p, size_t len)
{
	struct client *c = arg;
	uint8_t msg = p[0];
	int r;

	client_alive_rx(c);
	if (msg == SSH_MSG_SERVICE_ACCEPT || (msg >= 50 && msg < 80)) {
		if (c->conn != NULL)
			return 0; /* nothing more to say about authentication */
		r = auth_client_handle(c->auth, p, len);
		if (r == ERR_PERMISSION) {
			fprintf(stderr, "%s@%s: %s\r\n", c->cfg->user, c->cfg->hostname,
				auth_client_failure_msg(c->auth));
			engine_close(c->eng, SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE,
				     "No more authentication methods available", ERR_PERMISSION);
			return 0;
		}
		if (r < 0)
			return r;
		return r == 1 ? authenticated(c) : 0;
	}
	if (msg >= 80 && c->conn != NULL)
		return conn_handle(c->conn, p, len);
	return ERR_PROTOCOL;
}

/*
 * ssh's words first: "Unable to negotiate with HOST port N: no matching
 * cipher found. Their offer: LIST"; then our own list, so both are named.
 */
static void report_no_match(struct client *c, const char *why)
{
	const char *ours = tp_our_offer(engine_tp(c->eng));

	fprintf(stderr, "Unable to negotiate with %s: %s\r\n", c->peer, why);
	if (ours != NULL)
		fprintf(stderr, "Our offer: %s\r\n", ours);
}

static void finished(void *arg, int err, const char *why)
{
	struct client *c = arg;

	if (!c->session_done && err != ERR_PERMISSION) {
		if (err == ERR_EOF)
			fprintf(stderr, "Connection to %s closed by remote host.\r\n", c->cfg->hostname);
		else if (err == ERR_DISCONNECTED)
			fprintf(stderr, "Received disconnect from %s:%s\r\nDisconnected from %s\r\n",
				c->peer, engine_disconnect_detail(why), c->peer);
		else if (err == ERR_NO_MATCH)
			report_no_match(c, why);
		else if (err != 0 && why != NULL && *why != '\0')
			fprintf(stderr, "%s\r\n", why);
		c->status = 255;
	}
	if (err == ERR_PERMISSION)
		c->status = 255;
	event_base_loopbreak(c->base);
}

static void output_drained(void *arg)
{
	struct client *c = arg;

	if (c->conn != NULL)
		conn_output_drained(c->conn);
}

static const struct engine_ops client_engine_ops = {
	.dispatch = dispatch,
	.finished = finished,
	.drained = output_drained,
};

static void save_fd_flags(struct client *c)
{
	for (int i = 0; i < 3; i++)
		c->saved_fl[i] = fcntl(i, F_GETFL);
}

static void restore_fd_flags(const struct client *c)
{
	for (int i = 0; i < 3; i++)
		if (c->saved_fl[i] >= 0)
			fcntl(i, F_SETFL, c->saved_fl[i]);
}

/* The TCP connection, or a -J proxy process standing in for it. */
static int open_transport_fd(struct client *c, int *fd)
{
	const struct client_config *cfg = c->cfg;
	char err[512], self[4096];
	ssize_t n;

	if (cfg->proxy_jump != NULL && strcmp(cfg->proxy_jump, "none") != 0) {
		if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0)
			return ERR_SYSTEM;
		self[n] = '\0';
		snprintf(c->peer, sizeof(c->peer), "%s port %d", cfg->hostname, cfg->port);
		return client_start_proxy(c, self, fd);
	}
	if (cfg->proxy_command != NULL && strcmp(cfg->proxy_command, "none") != 0) {
		snprintf(c->peer, sizeof(c->peer), "%s port %d", cfg->hostname, cfg->port);
		return client_start_proxy_command(c, fd);
	}
	/* ConnectionAttempts: as ssh, one second apart, the last error reported. */
	for (int attempt = 1;; attempt++) {
		log_debug("Connecting to %s port %d.", cfg->hostname, cfg->port);
		if (net_dial_tcp_from(cfg->hostname, cfg->port, cfg->address_family,
				      cfg->connect_timeout, cfg->bind_address, fd, err,
				      sizeof(err)) == 0)
			break;
		if (attempt >= cfg->connection_attempts) {
			fprintf(stderr, "burrow: %s\r\n", err);
			return ERR_SYSTEM;
		}
		log_debug("%s", err);
		sleep(1);
	}
	log_debug("Connection established.");
	net_peer_desc(*fd, 0, c->peer, sizeof(c->peer));
	return 0;
}

static int configure(struct client_config *cfg, int argc, char **argv)
{
	int r;

	if ((r = cfg_client_parse_args(cfg, argc, argv)) != 0)
		return r;
	/* -Q answers and ends the program, like ssh -Q: 1 tells the caller "done". */
	if (cfg->query != NULL)
		return cfg_query(cfg->query) == 0 ? 1 : ERR_NOT_FOUND;
	if ((r = cfg_client_load_default_files(cfg)) != 0 || (r = cfg_client_finish(cfg)) != 0)
		return r;
	/* -G prints the resolved configuration and ends, as ssh -G. */
	if (cfg->dump_config == 1) {
		cfg_client_dump(cfg);
		return 1;
	}
	return 0;
}

/* Connect, start the key exchange and authentication (once per Reconnect attempt). */
static int connect_server(struct client *c, const struct tp_config *tc,
			  const struct auth_client_config *ac)
{
	struct tp *t = NULL;
	int fd = -1, r;

	if ((r = open_transport_fd(c, &fd)) != 0)
		return r;
	if ((r = tp_new(tc, &t)) != 0 || (r = tp_start(t)) != 0 ||
	    (r = engine_new(c->base, fd, t, &client_engine_ops, c, &c->eng)) != 0) {
		tp_free(t);
		close(fd);
		return r;
	}
	if ((r = auth_client_new(engine_tp(c->eng), ac, &c->auth)) != 0 ||
	    (r = auth_client_start(c->auth)) != 0)
		return r;
	engine_flush(c->eng);
	return 0;
}

int client_main(int argc, char **argv)
{
	struct client_config cfg;
	struct client c;
	struct tp_config tc;
	struct auth_client_config ac;
	uint64_t start_us;
	unsigned attempt = 0, seen;
	int cr;

	memset(&c, 0, sizeof(c));
	c.cfg = &cfg;
	c.exit_status = -1;
	c.status = 255;
	log_init("burrow", LOG_INFO);
	cfg_client_init(&cfg);
	save_fd_flags(&c);
	client_notify_init(&c);
	if ((cr = configure(&cfg, argc, argv)) != 0) {
		if (cr == 1)
			c.status = 0;
		goto out;
	}
	log_set_level((enum log_level)cfg.log_level);
	/* ssh: -E appends to a file, -y logs to syslog; otherwise stderr. */
	if (cfg.log_file != NULL && log_set_file(cfg.log_file) != 0) {
		fprintf(stderr, "Couldn't open logfile %s: %s\n", cfg.log_file, strerror(errno));
		goto out;
	}
	if (cfg.log_file == NULL && cfg.log_syslog)
		log_set_syslog(1);
	if (cfg.control_command != NULL) {
		c.status = client_control_command(&cfg);
		goto out;
	}
	if (client_control_master_running(cfg.control_path)) {
		/* A master is up: ssh would share it; burrow connects on its own for now. */
		fprintf(stderr, "burrow: a master is running on ControlPath %s, but multiplexing "
			"sessions over it is not supported yet; connecting directly\r\n",
			cfg.control_path);
		cfg.control_master = CFG_CM_NO;
	}
	signal(SIGPIPE, SIG_IGN);
	if (client_identities_load(&cfg, &c.ids) != 0)
		goto out;
	if ((c.base = event_base_new()) == NULL)
		goto out;
	c.hk.cfg = &cfg;
	c.hk.host = cfg.hostname;
	c.hk.port = cfg.port;
	memset(&tc, 0, sizeof(tc));
	tc.kex_algs = cfg.kex_algorithms;
	tc.hostkey_algs = cfg.host_key_algorithms;
	tc.ciphers = cfg.ciphers;
	tc.macs = cfg.macs;
	/* ssh -C / Compression yes offers both zlib forms before none. */
	tc.compression = cfg.compression == 1 ? "zlib@openssh.com,zlib,none" : "none";
	tc.rekey_bytes = (uint64_t)cfg.rekey_bytes;
	tc.rekey_seconds = (uint32_t)cfg.rekey_seconds;
	tc.software = "burrow_" BURROW_VERSION;
	tc.check_hostkey = client_check_hostkey;
	tc.arg = &c.hk;
	memset(&ac, 0, sizeof(ac));
	ac.user = cfg.user;
	ac.pubkey_accepted_algorithms = cfg.pubkey_accepted_algorithms;
	ac.ids = c.ids.ai;
	ac.n_ids = c.ids.n;
	ac.preferred = cfg.preferred_authentications;
	ac.password_prompts = (unsigned)cfg.number_of_password_prompts;
	ac.prompt_arg = &c;
	/* BatchMode (and NumberOfPasswordPrompts 0) never prompts (ssh_config(5)). */
	if (!cfg.batch_mode && cfg.number_of_password_prompts > 0 && cfg.password_authentication)
		ac.get_password = client_get_password;
	if (!cfg.batch_mode && cfg.number_of_password_prompts > 0 &&
	    cfg.kbd_interactive_authentication)
		ac.kbdint_prompt = client_kbdint_prompt;
	for (;;) {
		seen = c.reconnects;
		if (connect_server(&c, &tc, &ac) == 0) {
			start_us = engine_clock_us(NULL);
			event_base_dispatch(c.base);
			/* Output of the session still on its way to our stdout goes out first. */
			chanio_flush_lingering();
			/* ssh -v's closing line: bytes on the wire (after compression). */
			log_verbose("Transferred: sent %llu, received %llu bytes, in %.1f seconds",
				    (unsigned long long)tp_bytes_out(engine_tp(c.eng)),
				    (unsigned long long)tp_bytes_in(engine_tp(c.eng)),
				    (double)(engine_clock_us(NULL) - start_us) / 1e6);
		} else if (!c.forwarding) {
			break; /* the first connection failed: as without Reconnect */
		}
		if (!client_reconnect_wanted(&c))
			break;
		if (c.reconnects != seen)
			attempt = 0; /* it was up again: the backoff starts over */
		if (attempt == 0)
			log_info("Connection lost to %s (%s); Reconnect=yes", cfg.hostname, c.peer);
		client_drop_connection(&c);
		if (client_reconnect_wait(&c, ++attempt) != 0)
			break;
	}
out:
	restore_fd_flags(&c);
	client_control_free(&c);
	client_alive_stop(&c);
	fwd_local_close_all(&c.fwd);
	fwd_dynamic_close_all(&c.fwd);
	if (c.conn != NULL)
		conn_free(c.conn);
	auth_client_free(c.auth);
	engine_free(c.eng);
	if (c.proxy_pid > 0) {
		kill(c.proxy_pid, SIGTERM);
		waitpid(c.proxy_pid, NULL, 0);
	}
	if (c.base != NULL)
		event_base_free(c.base);
	client_identities_free(&c.ids);
	cfg_client_free(&cfg);
	return c.status;
}
