/*
 * The session channel: exec or shell, our stdin/stdout/stderr, the exit
 * status; with a pty (-t, RequestTTY) also pty-req with our terminal's
 * modes, raw mode, window-change on SIGWINCH and escape sequences. env
 * requests for SendEnv / SetEnv.
 */
#include "client/client_int.h"
#include "client/client_tty.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <event2/event.h>

#include "config/match.h"
#include "session/session_pty.h"
#include "util/err.h"
#include "util/log.h"

extern char **environ;

/* One session per burrow process. */
static struct {
	int tty;           /* a pty is requested */
	int escapes;       /* stdin goes through client_escape.c */
	int pty_reply;     /* the next reply answers pty-req */
	int pty_fatal;     /* the pty we insisted on was refused: exit 255 */
	struct event *winch;
} S;

/* ssh's rule: -T never, -tt always, -t or a login session only when stdin is a terminal. */
static int want_tty(const struct client_config *cfg)
{
	int tty;

	switch (cfg->request_tty) {
	case REQUEST_TTY_NO:
		return 0;
	case REQUEST_TTY_YES:
	case REQUEST_TTY_FORCE:
		tty = 1;
		break;
	default:
		tty = cfg->command == NULL;
		break;
	}
	if (cfg->request_tty != REQUEST_TTY_FORCE && (cfg->stdin_null > 0 || !isatty(0))) {
		if (tty && log_get_level() >= LOG_INFO)
			fprintf(stderr, "Pseudo-terminal will not be allocated because stdin is not "
				"a terminal.\r\n");
		tty = 0;
	}
	return tty;
}

struct chan *client_session_chan(struct client *c)
{
	return c->session != NULL ? chanio_channel(c->session) : NULL;
}

void client_session_quit(struct client *c)
{
	c->session_done = 1;
	engine_close(c->eng, SSH_DISCONNECT_BY_APPLICATION, "disconnected by user", 0);
}

static int put_winsize(struct buf *b)
{
	struct winsize ws;
	int r;

	client_tty_size(&ws);
	if ((r = buf_put_u32(b, ws.ws_col)) != 0 || (r = buf_put_u32(b, ws.ws_row)) != 0 ||
	    (r = buf_put_u32(b, ws.ws_xpixel)) != 0 || (r = buf_put_u32(b, ws.ws_ypixel)) != 0)
		return r;
	return 0;
}

static void on_winch(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;
	struct chan *ch = client_session_chan(c);
	struct buf b;

	(void)fd;
	(void)what;
	if (ch == NULL)
		return;
	buf_init(&b);
	if (put_winsize(&b) == 0)
		chan_send_request(ch, "window-change", 0, buf_ptr(&b), buf_len(&b));
	buf_free(&b);
	engine_flush(c->eng);
}

/* RFC 4254 6.2: TERM, the size, and our terminal's modes (read before raw mode). */
static int send_pty_req(struct client *c, struct chan *ch)
{
	const char *term = getenv("TERM");
	struct termios tio;
	struct buf b, modes;
	int r;

	buf_init(&b);
	buf_init(&modes);
	if (tcgetattr(0, &tio) == 0)
		r = session_modes_encode(&tio, &modes);
	else
		r = buf_put_u8(&modes, 0); /* TTY_OP_END: no modes */
	if (r == 0 && (r = buf_put_cstring(&b, term != NULL ? term : "")) == 0 &&
	    (r = put_winsize(&b)) == 0 && (r = buf_put_stringb(&b, &modes)) == 0)
		r = chan_send_request(ch, "pty-req", 1, buf_ptr(&b), buf_len(&b));
	buf_free(&b);
	buf_free(&modes);
	if (r != 0)
		return r;
	S.pty_reply = 1;
	client_tty_raw();
	if ((S.winch = evsignal_new(c->base, SIGWINCH, on_winch, c)) != NULL)
		event_add(S.winch, NULL);
	return 0;
}

static int send_env_var(struct chan *ch, const char *name, const char *value)
{
	struct buf b;
	int r;

	log_debug("Sending env %s = %s", name, value);
	buf_init(&b);
	if ((r = buf_put_cstring(&b, name)) == 0 && (r = buf_put_cstring(&b, value)) == 0)
		r = chan_send_request(ch, "env", 0, buf_ptr(&b), buf_len(&b));
	buf_free(&b);
	return r;
}

/* SendEnv patterns in order; an entry "-pattern" takes matching names back out. */
static int send_env_wanted(const struct client_config *cfg, const char *name)
{
	int want = 0;

	for (int i = 0; i < cfg->n_send_env; i++) {
		const char *p = cfg->send_env[i];

		if (p[0] == '-') {
			if (cfg_match_pattern(name, p + 1, 0))
				want = 0;
		} else if (cfg_match_pattern(name, p, 0)) {
			want = 1;
		}
	}
	return want;
}

static int set_env_has(const struct client_config *cfg, const char *name, size_t len)
{
	for (int i = 0; i < cfg->n_set_env; i++)
		if (strncmp(cfg->set_env[i], name, len) == 0 && cfg->set_env[i][len] == '=')
			return 1;
	return 0;
}

/* RFC 4254 6.4: SendEnv variables from our environment, then SetEnv's (which win). */
static void send_env(const struct client_config *cfg, struct chan *ch)
{
	char name[256];

	for (char **e = environ; cfg->n_send_env > 0 && e != NULL && *e != NULL; e++) {
		const char *eq = strchr(*e, '=');
		size_t len = eq != NULL ? (size_t)(eq - *e) : 0;

		if (len == 0 || len >= sizeof(name))
			continue;
		memcpy(name, *e, len);
		name[len] = '\0';
		if (send_env_wanted(cfg, name) && !set_env_has(cfg, name, len))
			send_env_var(ch, name, eq + 1);
	}
	for (int i = 0; i < cfg->n_set_env; i++) {
		const char *eq = strchr(cfg->set_env[i], '=');
		size_t len = eq != NULL ? (size_t)(eq - cfg->set_env[i]) : 0;

		if (len == 0 || len >= sizeof(name))
			continue;
		memcpy(name, cfg->set_env[i], len);
		name[len] = '\0';
		send_env_var(ch, name, eq + 1);
	}
}

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

	if (S.pty_reply) {
		/* As ssh: without a pty the command still runs, in our normal terminal. */
		S.pty_reply = 0;
		if (!success) {
			client_tty_restore();
			fprintf(stderr, "PTY allocation request failed on channel %u\r\n",
				chan_id(client_session_chan(c)));
			/* As ssh: a pty asked for explicitly (-t, -tt) is required. */
			if (c->cfg->request_tty == REQUEST_TTY_YES ||
			    c->cfg->request_tty == REQUEST_TTY_FORCE) {
				S.pty_fatal = 1;
				chanio_close(c->session);
			}
		}
		return;
	}
	if (!success) {
		fprintf(stderr, "%s request failed on channel 0\r\n",
			c->cfg->command == NULL ? "shell" : c->cfg->subsystem ? "subsystem" : "exec");
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
		fprintf(stderr, "channel 0: open failed: %s: %s\r\n", fwd_reason_text(reason), msg);
		return; /* the closed hook follows */
	}
	if (client_agent_request(c, ch) != 0)
		log_debug("agent forwarding request not sent");
	if (S.tty && send_pty_req(c, ch) != 0)
		log_debug("pty-req not sent");
	send_env(c->cfg, ch);
	buf_init(&b);
	if (c->cfg->command != NULL && c->cfg->subsystem) {
		/* -s: RFC 4254 section 6.5 */
		log_debug("Sending subsystem: %s", c->cfg->command);
		buf_put_cstring(&b, c->cfg->command);
		chan_send_request(ch, "subsystem", 1, buf_ptr(&b), buf_len(&b));
	} else if (c->cfg->command != NULL) {
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
	if (S.escapes)
		client_escape_stop();
	S.escapes = 0;
	if (S.winch != NULL)
		event_free(S.winch);
	S.winch = NULL;
	if (S.tty) {
		client_tty_restore();
		if (log_get_level() >= LOG_INFO)
			fprintf(stderr, "Connection to %s closed.\r\n", c->cfg->hostname);
	}
	c->status = c->exit_status >= 0 && !S.pty_fatal ? c->exit_status : 255;
	client_session_ended(c);
}

static const struct chanio_hooks session_hooks = {
	.request = session_request,
	.reply = session_reply,
	.open_result = session_open_result,
	.closed = session_closed,
};

int client_open_session(struct client *c)
{
	struct chan *ch;
	int in, r;

	S.tty = want_tty(c->cfg);
	if (S.tty)
		client_tty_save_flags();
	if ((r = chanio_new(c->base, &session_hooks, c, engine_flush_cb, c->eng, &c->session)) != 0)
		return r;
	if (c->cfg->stdin_null > 0) {
		in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	} else if (S.tty && c->cfg->escape_char >= 0) {
		/* ssh reads escapes only in sessions with a pty. */
		in = client_escape_start(c, c->cfg->escape_char);
		S.escapes = in >= 0;
	} else {
		in = dup(0);
	}
	if (in < 0 || (r = chanio_add_source(c->session, in, 0)) != 0 ||
	    (r = chanio_add_sink(c->session, dup(1), 0)) != 0 ||
	    (r = chanio_add_sink(c->session, dup(2), 1)) != 0) {
		chanio_abort(c->session);
		return r != 0 ? r : ERR_SYSTEM;
	}
	if ((r = chan_open(c->conn, "session", NULL, 0, chanio_chan_ops(), c->session, &ch)) != 0) {
		chanio_abort(c->session);
		return r;
	}
	chanio_set_channel(c->session, ch);
	return 0;
}
