/* burrow's main flow: options, identities, TCP connection, SSH connection, session. */
#include "client/client.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "auth/auth.h"
#include "chanio/chanio.h"
#include "conn/conn.h"
#include "engine/engine.h"
#include "net/tcp.h"
#include "util/err.h"
#include "util/log.h"

struct client {
	struct client_config *cfg;
	struct event_base *base;
	struct engine *eng;
	struct auth_client *auth;
	struct conn *conn;
	struct chanio *session;
	struct hostkey_check hk;
	int exit_status;   /* remote exit status, -1 until one arrives */
	int status;        /* what burrow exits with */
	int session_done;
	int saved_fl[3];
	char peer[128];    /* "ADDR port PORT" of the server */
};

static int session_request(void *arg, const char *type, int want_reply, struct rd *args)
{
	struct client *c = arg;
	uint32_t status;

	(void)want_reply;
	if (strcmp(type, "exit-status") == 0 && rd_u32(args, &status) == 0 && rd_end(args) == 0) {
		c->exit_status = (int)(status & 0xff);
		log_debug("client_input_channel_req: channel 0 rtype exit-status reply 0");
		return 0;
	}
	if (strcmp(type, "exit-signal") == 0) {
		char *sig = NULL;

		if (rd_cstring(args, &sig) == 0)
			log_debug("Remote command killed by signal %s", sig);
		free(sig);
		return 0;
	}
	return ERR_UNSUPPORTED;
}

static void session_reply(void *arg, int success)
{
	struct client *c = arg;

	if (!success) {
		fprintf(stderr, "%s request failed on channel 0\r\n",
			c->cfg->command != NULL ? "exec" : "shell");
		chanio_close(c->session);
		return;
	}
	chanio_start(c->session);
}

static void session_open_result(void *arg, int ok, uint32_t reason, const char *msg)
{
	struct client *c = arg;
	struct chan *ch = chanio_channel(c->session);
	struct buf b;

	if (!ok) {
		fprintf(stderr, "channel 0: open failed: %u: %s\r\n", reason, msg);
		c->status = 255;
		engine_close(c->eng, SSH_DISCONNECT_BY_APPLICATION, "disconnected by user", 0);
		return;
	}
	buf_init(&b);
	if (c->cfg->command != NULL) {
		log_debug("Sending command: %s", c->cfg->command);
		buf_put_cstring(&b, c->cfg->command);
		chan_send_request(ch, "exec", 1, buf_ptr(&b), buf_len(&b));
	} else {
		chan_send_request(ch, "shell", 1, NULL, 0);
	}
	buf_free(&b);
	engine_flush(c->eng);
}

static void session_closed(void *arg)
{
	struct client *c = arg;

	c->session = NULL;
	c->session_done = 1;
	c->status = c->exit_status >= 0 ? c->exit_status : 255;
	engine_close(c->eng, SSH_DISCONNECT_BY_APPLICATION, "disconnected by user", 0);
}

static const struct chanio_hooks session_hooks = {
	.request = session_request,
	.reply = session_reply,
	.open_result = session_open_result,
	.closed = session_closed,
};

static int open_session(struct client *c)
{
	struct chan *ch;
	int in, r;

	if ((r = chanio_new(c->base, &session_hooks, c, engine_flush_cb, c->eng, &c->session)) != 0)
		return r;
	if ((r = chan_open(c->conn, "session", NULL, 0, chanio_chan_ops(), c->session, &ch)) != 0)
		return r;
	chanio_set_channel(c->session, ch);
	in = c->cfg->stdin_null ? open("/dev/null", O_RDONLY | O_CLOEXEC) : dup(0);
	if (in < 0 || (r = chanio_add_source(c->session, in, 0)) != 0 ||
	    (r = chanio_add_sink(c->session, dup(1), 0)) != 0 ||
	    (r = chanio_add_sink(c->session, dup(2), 1)) != 0)
		return r != 0 ? r : ERR_SYSTEM;
	return 0;
}

static int dispatch(void *arg, const uint8_t *p, size_t len)
{
	struct client *c = arg;
	uint8_t msg = p[0];
	int r;

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
		if (r == 1) {
			struct conn_config cc;

			tp_set_authenticated(engine_tp(c->eng));
			log_verbose("Authenticated to %s ([%s]:%d) using \"publickey\".",
				    c->cfg->hostname, c->cfg->hostname, c->cfg->port);
			memset(&cc, 0, sizeof(cc));
			if ((r = conn_new(engine_tp(c->eng), &cc, &c->conn)) != 0)
				return r;
			return open_session(c);
		}
		return 0;
	}
	if (msg >= 80 && c->conn != NULL)
		return conn_handle(c->conn, p, len);
	return ERR_PROTOCOL;
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
		else if (err != 0 && why != NULL && *why != '\0')
			fprintf(stderr, "%s\r\n", why);
		c->status = 255;
	}
	if (err == ERR_PERMISSION)
		c->status = 255;
	event_base_loopbreak(c->base);
}

static const struct engine_ops client_engine_ops = {
	.dispatch = dispatch,
	.finished = finished,
};

static size_t load_identities(const struct client_config *cfg, struct key **ids)
{
	size_t n = 0;

	for (int i = 0; i < cfg->n_identity_files; i++) {
		const char *path = cfg->identity_files[i];
		struct key *k = NULL;
		int r = key_load_private(path, &k, NULL);

		if (r == 0) {
			log_debug("identity file %s type %s", path, key_type_name(k));
			ids[n++] = k;
		} else if (r == ERR_PASSPHRASE) {
			log_info("Load key \"%s\": encrypted keys are not supported yet", path);
		} else if (access(path, F_OK) == 0) {
			log_info("Load key \"%s\": %s", path, err_str(r));
		} else {
			log_debug("identity file %s not accessible", path);
		}
	}
	return n;
}

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

int client_main(int argc, char **argv)
{
	struct client_config cfg;
	struct client c;
	struct key *ids[CFG_MAX_IDENTITIES];
	struct tp_config tc;
	struct auth_client_config ac;
	struct tp *t = NULL;
	char err[512];
	size_t nids = 0;
	int fd = -1;

	memset(&c, 0, sizeof(c));
	c.cfg = &cfg;
	c.exit_status = -1;
	c.status = 255;
	log_init("burrow", LOG_INFO);
	cfg_client_init(&cfg);
	if (cfg_client_parse_args(&cfg, argc, argv) != 0 || cfg_client_finish(&cfg) != 0)
		goto out;
	log_set_level((enum log_level)cfg.log_level);
	signal(SIGPIPE, SIG_IGN);
	save_fd_flags(&c);
	nids = load_identities(&cfg, ids);
	log_debug("Connecting to %s port %d.", cfg.hostname, cfg.port);
	if (net_dial_tcp(cfg.hostname, cfg.port, cfg.address_family, cfg.connect_timeout, &fd, err,
			 sizeof(err)) != 0) {
		fprintf(stderr, "burrow: %s\r\n", err);
		goto out;
	}
	log_debug("Connection established.");
	net_peer_desc(fd, 0, c.peer, sizeof(c.peer));
	if ((c.base = event_base_new()) == NULL)
		goto out;
	c.hk.cfg = &cfg;
	c.hk.host = cfg.hostname;
	c.hk.port = cfg.port;
	memset(&tc, 0, sizeof(tc));
	tc.kex_algs = cfg.kex_algorithms;
	tc.hostkey_algs = cfg.host_key_algorithms;
	tc.ciphers = cfg.ciphers;
	tc.rekey_bytes = (uint64_t)cfg.rekey_bytes;
	tc.rekey_seconds = (uint32_t)cfg.rekey_seconds;
	tc.software = "burrow_" BURROW_VERSION;
	tc.check_hostkey = client_check_hostkey;
	tc.arg = &c.hk;
	if (tp_new(&tc, &t) != 0 || tp_start(t) != 0)
		goto out;
	if (engine_new(c.base, fd, t, &client_engine_ops, &c, &c.eng) != 0)
		goto out;
	t = NULL;
	fd = -1;
	memset(&ac, 0, sizeof(ac));
	ac.user = cfg.user;
	ac.identities = ids;
	ac.n_identities = nids;
	if (auth_client_new(engine_tp(c.eng), &ac, &c.auth) != 0 || auth_client_start(c.auth) != 0)
		goto out;
	engine_flush(c.eng);
	event_base_dispatch(c.base);
out:
	restore_fd_flags(&c);
	if (c.conn != NULL)
		conn_free(c.conn);
	auth_client_free(c.auth);
	engine_free(c.eng);
	tp_free(t);
	if (fd >= 0)
		close(fd);
	if (c.base != NULL)
		event_base_free(c.base);
	for (size_t i = 0; i < nids; i++)
		key_free(ids[i]);
	cfg_client_free(&cfg);
	return c.status;
}
