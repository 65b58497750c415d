/*
 * Escape sequences, as ssh(1) ESCAPE CHARACTERS: the escape character typed
 * right after a newline (or first) starts one. stdin is read here and what
 * is not an escape goes into a pipe that the session channel reads, so flow
 * control stays the chanio's.
 */
#include "client/client_int.h"
#include "client/client_tty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "session/session_pty.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

/* Stop reading stdin while this much typed input waits for the pipe. */
#define ESC_MAX_PENDING (64 * 1024)
#define ESC_LINE_MAX 512
/* Forwards added with ~C (the fwd layer keeps pointers to them). */
#define ESC_MAX_ADDED 64

static struct {
	struct client *c;
	int ch;                 /* the escape character */
	int wfd;                /* pipe to the session channel, -1 once closed */
	struct event *rev, *wev;
	struct buf out;         /* typed bytes not yet written to the pipe */
	int after_nl;           /* the last byte ended a line (or nothing typed yet) */
	int pending;            /* escape character seen after a newline */
	int cmdline;            /* ~C: collecting a command line */
	char line[ESC_LINE_MAX];
	size_t line_len;
	int stdin_eof;
	struct fwd_spec added[ESC_MAX_ADDED];
	int remote[ESC_MAX_ADDED];
	int n_added;
} E = { .wfd = -1 };

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(msg))
		n = (int)sizeof(msg) - 1;
	/* stderr may be non-blocking (the event loop): retry the rare short write. */
	for (size_t off = 0; off < (size_t)n;) {
		ssize_t w = write(2, msg + off, (size_t)n - off);

		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
}

/* "~" for '~', "^X" for control characters. */
static const char *esc_name(void)
{
	static char s[3];

	if (E.ch < 0x20) {
		s[0] = '^';
		s[1] = (char)(E.ch + '@');
		s[2] = '\0';
	} else {
		s[0] = (char)E.ch;
		s[1] = '\0';
	}
	return s;
}

static void flush_out(void)
{
	while (E.wfd >= 0 && buf_len(&E.out) > 0) {
		ssize_t w = write(E.wfd, buf_ptr(&E.out), buf_len(&E.out));

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			event_add(E.wev, NULL);
			break;
		}
		if (w <= 0) {
			/* The channel stopped reading: drop what was typed. */
			buf_reset(&E.out);
			break;
		}
		buf_consume(&E.out, (size_t)w);
	}
	if (buf_len(&E.out) == 0 && E.stdin_eof && E.wfd >= 0) {
		close(E.wfd);
		E.wfd = -1;
	}
	if (E.rev != NULL && !E.stdin_eof) {
		if (buf_len(&E.out) >= ESC_MAX_PENDING)
			event_del(E.rev);
		else
			event_add(E.rev, NULL);
	}
}

static void help(void)
{
	const char *e = esc_name();

	say("%s?\r\nSupported escape sequences:\r\n"
	    " %s.   - terminate connection\r\n"
	    " %sB   - send a BREAK to the remote system\r\n"
	    " %sC   - open a command line\r\n"
	    " %s^Z  - suspend burrow\r\n"
	    " %s#   - list forwarded connections\r\n"
	    " %s?   - this message\r\n"
	    " %s%s   - send the escape character by typing it twice\r\n"
	    "(Note that escapes are only recognized immediately after newline.)\r\n",
	    e, e, e, e, e, e, e, e, e);
}

static void cmdline_help(void)
{
	say("Commands:\r\n"
	    "      -L[bind_address:]port:host:hostport    Request local forward\r\n"
	    "      -R[bind_address:]port:host:hostport    Request remote forward\r\n"
	    "      -KR[bind_address:]port                 Cancel remote forward\r\n"
	    "      -KL[bind_address:]port                 Cancel local forward\r\n"
	    "      -S SIGNAL                              Send a signal (TERM, INT, HUP...)\r\n");
}

/* ~# lists every channel, as ssh does ("#ID TYPE (state)"). */
static void list_channel(void *arg, uint32_t id, const char *type, const char *state)
{
	const struct chan *session = arg;

	if (session != NULL && id == chan_id(session))
		say("  #%u client-session (interactive, pty, %s)\r\n", id, state);
	else
		say("  #%u %s (%s)\r\n", id, type, state);
}

static void list_connections(void)
{
	struct client *c = E.c;
	struct chan *ch = client_session_chan(c);
	char spec[CFG_FWD_FMT_MAX];
	uint32_t n = c->conn != NULL ? conn_channel_count(c->conn) : 0;

	say("%s#\r\nThe following connections are open:\r\n", esc_name());
	conn_list_channels(c->conn, list_channel, ch);
	say("  %u forwarded connection(s) open, %u channel(s) in all\r\n", c->fwd.active, n);
	say("Forwards:\r\n");
	for (int i = 0; i < c->cfg->n_local_forwards; i++)
		if (cfg_fwd_spec_format(&c->cfg->local_forwards[i], spec, sizeof(spec)) == 0)
			say("  -L %s\r\n", spec);
	for (int i = 0; i < c->cfg->n_remote_forwards; i++)
		if (cfg_fwd_spec_format(&c->cfg->remote_forwards[i], spec, sizeof(spec)) == 0)
			say("  -R %s\r\n", spec);
	for (int i = 0; i < E.n_added; i++)
		if (cfg_fwd_spec_format(&E.added[i], spec, sizeof(spec)) == 0)
			say("  -%c %s (added with %sC)\r\n", E.remote[i] ? 'R' : 'L', spec, esc_name());
}

static void add_forward(const char *s, int remote)
{
	struct fwd_spec *f;
	int r;

	if (E.n_added == ESC_MAX_ADDED) {
		say("Too many forwards added.\r\n");
		return;
	}
	f = &E.added[E.n_added];
	r = cfg_parse_fwd_spec(s, remote, f);
	if (r == 0 && f->connect_host == NULL && f->connect_path == NULL) {
		/* A dynamic -R (SOCKS) is not supported. */
		cfg_fwd_spec_free(f);
		r = ERR_FORMAT;
	}
	if (r != 0) {
		say("Bad forwarding specification.\r\n");
		return;
	}
	if (remote)
		r = fwd_remote_request(&E.c->fwd, f);
	else
		r = fwd_local_listen(&E.c->fwd, f, E.c->cfg->gateway_ports);
	if (r != 0) {
		cfg_fwd_spec_free(f);
		if (!remote)
			say("Port forwarding failed.\r\n");
		return;
	}
	E.remote[E.n_added++] = remote;
	engine_flush(E.c->eng);
	say("Forwarding port.\r\n");
}

static void cancel_reply(void *arg, int success, struct rd *args)
{
	(void)arg;
	(void)args;
	say(success ? "Canceled forwarding.\r\n" : "Unknown port forwarding.\r\n");
}

/* "-KR [bind:]port": cancel-tcpip-forward (RFC 4254 7.1) with the bind address -R used. */
static void cancel_forward(const char *s, int remote)
{
	const char *colon = strrchr(s, ':');
	char bind[256];
	struct buf b;
	long port;
	char *end;

	if (!remote && strchr(s, '/') != NULL) {
		/* A Unix-socket -L forward, named by its path. */
		say(fwd_local_cancel(&E.c->fwd, NULL, -1, s) > 0 ? "Canceled forwarding.\r\n"
								 : "Unknown port forwarding.\r\n");
		return;
	}
	port = strtol(colon != NULL ? colon + 1 : s, &end, 10);
	if (*s == '\0' || *end != '\0' || port <= 0 || port > 65535 ||
	    (colon != NULL && (size_t)(colon - s) >= sizeof(bind))) {
		say("Bad forwarding close port\r\n");
		return;
	}
	if (!remote) {
		if (colon != NULL)
			snprintf(bind, sizeof(bind), "%.*s", (int)(colon - s), s);
		say(fwd_local_cancel(&E.c->fwd, colon != NULL ? bind : NULL, (int)port, NULL) > 0
			    ? "Canceled forwarding.\r\n"
			    : "Unknown port forwarding.\r\n");
		return;
	}
	if (colon == NULL)
		snprintf(bind, sizeof(bind), "localhost");
	else
		snprintf(bind, sizeof(bind), "%.*s", (int)(colon - s), s);
	if (strcmp(bind, "*") == 0)
		bind[0] = '\0';
	buf_init(&b);
	if (buf_put_cstring(&b, bind) != 0 || buf_put_u32(&b, (uint32_t)port) != 0 ||
	    conn_send_global(E.c->conn, "cancel-tcpip-forward", 1, buf_ptr(&b), buf_len(&b),
			     cancel_reply, NULL) != 0)
		say("Could not cancel the forward.\r\n");
	buf_free(&b);
	engine_flush(E.c->eng);
}

/* burrow's own: "-S NAME" sends a signal request (RFC 4254 6.9) on the session. */
static void send_signal(const char *name)
{
	struct chan *ch = client_session_chan(E.c);
	struct buf b;

	if (strncmp(name, "SIG", 3) == 0)
		name += 3;
	if (session_signal_number(name) < 0) {
		say("Unknown signal %s.\r\n", name);
		return;
	}
	if (ch == NULL)
		return;
	buf_init(&b);
	if (buf_put_cstring(&b, name) == 0)
		chan_send_request(ch, "signal", 0, buf_ptr(&b), buf_len(&b));
	buf_free(&b);
	engine_flush(E.c->eng);
	say("Sent signal %s.\r\n", name);
}

static void run_cmdline(char *s)
{
	while (*s == ' ')
		s++;
	if (*s == '\0')
		return;
	if (s[0] != '-' || s[1] == '\0') {
		say("Invalid command.\r\n");
		return;
	}
	if (s[1] == 'h' || s[1] == '?') {
		cmdline_help();
		return;
	}
	if (s[1] == 'K' && (s[2] == 'L' || s[2] == 'R')) {
		char *p = s + 3;

		while (*p == ' ')
			p++;
		cancel_forward(p, s[2] == 'R');
		return;
	}
	if (s[1] == 'L' || s[1] == 'R') {
		char *p = s + 2;

		while (*p == ' ')
			p++;
		add_forward(p, s[1] == 'R');
		return;
	}
	if (s[1] == 'S') {
		char *p = s + 2;

		while (*p == ' ')
			p++;
		send_signal(p);
		return;
	}
	if (s[1] == 'D') {
		say("Dynamic forwarding is not supported by burrow yet.\r\n");
		return;
	}
	say("Invalid command.\r\n");
}

/* ~C: the line is edited here (we are in raw mode), so fast typing loses nothing. */
static void cmdline_byte(uint8_t b)
{
	if (b == '\r' || b == '\n') {
		say("\r\n");
		E.line[E.line_len] = '\0';
		E.cmdline = 0;
		run_cmdline(E.line);
		return;
	}
	if (b == 0x7f || b == 0x08) {
		if (E.line_len > 0) {
			E.line_len--;
			say("\b \b");
		}
		return;
	}
	if (b == 0x03 || b == 0x1b || b == 0x15) {
		/* ^C, ESC or ^U: give up on the line. */
		say("\r\n");
		E.cmdline = 0;
		return;
	}
	if (b < 0x20 || E.line_len + 1 >= sizeof(E.line))
		return;
	E.line[E.line_len++] = (char)b;
	say("%c", b);
}

static void send_break(void)
{
	struct chan *ch = client_session_chan(E.c);
	struct buf b;

	say("%sB\r\n", esc_name());
	if (ch == NULL)
		return;
	/* RFC 4335: break length in milliseconds. */
	buf_init(&b);
	if (buf_put_u32(&b, 1000) == 0)
		chan_send_request(ch, "break", 0, buf_ptr(&b), buf_len(&b));
	buf_free(&b);
	engine_flush(E.c->eng);
}

/* One escape command; 1 when the session is over. */
static int escape_cmd(uint8_t b)
{
	switch (b) {
	case '.':
		say("%s.\r\n", esc_name());
		client_session_quit(E.c);
		return 1;
	case 0x1a: /* ^Z */
		say("%s^Z [suspend burrow]\r\n", esc_name());
		client_tty_suspend();
		return 0;
	case '#':
		list_connections();
		return 0;
	case '?':
		help();
		return 0;
	case 'B':
		send_break();
		return 0;
	case 'C':
		E.cmdline = 1;
		E.line_len = 0;
		say("\r\nburrow> ");
		return 0;
	default:
		/* Not a command: both characters go through ("~~" sends one). */
		if (b != E.ch)
			buf_put_u8(&E.out, (uint8_t)E.ch);
		buf_put_u8(&E.out, b);
		E.after_nl = b == '\r' || b == '\n';
		return 0;
	}
}

static void process(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t b = p[i];

		if (E.cmdline) {
			cmdline_byte(b);
			continue;
		}
		if (E.pending) {
			E.pending = 0;
			if (escape_cmd(b))
				return;
			continue;
		}
		if (E.after_nl && b == E.ch) {
			E.pending = 1;
			continue;
		}
		buf_put_u8(&E.out, b);
		E.after_nl = b == '\r' || b == '\n';
	}
}

static void on_stdin(evutil_socket_t fd, short what, void *arg)
{
	uint8_t chunk[4096];
	ssize_t n;

	(void)what;
	(void)arg;
	n = read(fd, chunk, sizeof(chunk));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		E.stdin_eof = 1;
		event_del(E.rev);
		flush_out();
		return;
	}
	process(chunk, (size_t)n);
	flush_out();
}

static void on_pipe_writable(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	flush_out();
}

int client_escape_start(struct client *c, int escape_char)
{
	struct stat st;
	int p[2], fl;

	/* epoll refuses regular files and non-tty devices (/dev/null): no escapes then. */
	if (fstat(0, &st) == 0 && (S_ISREG(st.st_mode) || (S_ISCHR(st.st_mode) && !isatty(0)))) {
		E.wfd = -1;
		return dup(0);
	}
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	E.c = c;
	E.ch = escape_char;
	E.wfd = p[1];
	E.after_nl = 1;
	buf_init(&E.out);
	fl = fcntl(0, F_GETFL);
	if (fl < 0 || fcntl(0, F_SETFL, fl | O_NONBLOCK) != 0 ||
	    fcntl(p[1], F_SETFL, O_NONBLOCK) != 0 ||
	    (E.rev = event_new(c->base, 0, EV_READ | EV_PERSIST, on_stdin, NULL)) == NULL ||
	    (E.wev = event_new(c->base, p[1], EV_WRITE, on_pipe_writable, NULL)) == NULL ||
	    event_add(E.rev, NULL) != 0) {
		/* e.g. a regular file on stdin (epoll refuses it): no escapes then. */
		client_escape_stop();
		close(p[0]);
		return dup(0);
	}
	return p[0];
}

void client_escape_stop(void)
{
	if (E.rev != NULL)
		event_free(E.rev);
	if (E.wev != NULL)
		event_free(E.wev);
	E.rev = E.wev = NULL;
	if (E.wfd >= 0)
		close(E.wfd);
	E.wfd = -1;
	buf_free(&E.out);
}
