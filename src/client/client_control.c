/*
 * The master's control socket (ControlMaster / -M, ControlPath / -S,
 * ControlPersist): later `burrow -O ...` processes ask it to check, exit,
 * stop listening, add or cancel forwards, and report status and metrics.
 * The protocol is burrow's own (client_int.h); sessions are not multiplexed.
 */
#include "client/client_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>

#include "crypto/crypto.h"
#include "net/listener.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

#define CTL_MAX_REQUEST 4096
#define CTL_MAX_SPECS 100
/* A control client that says nothing for this long is dropped. */
#define CTL_REQUEST_SECONDS 10

struct ctl_conn;

struct client_control {
	struct client *c;
	struct net_listener *nl;
	char *path;                       /* unlinked when the master ends or stops */
	struct ctl_conn *waiting;         /* forward-R requests waiting for the server */
	void (*remote_done)(void *, int); /* the hook we stand in front of */
	void *remote_done_arg;
	struct fwd_spec *specs[CTL_MAX_SPECS]; /* forwards added with -O forward */
	int n_specs;
	struct event *persist_ev;         /* ControlPersist timer once idle */
	int persisting;                   /* the session is over, the master stays */
	struct event *sample_ev;          /* once a second: throughput of each forward */
};

struct ctl_conn {
	struct ctl_conn *next;
	struct client_control *ctl;
	struct event *ev;
	int fd;
	struct fwd_spec *spec;            /* forward-R: the one we wait for */
	char req[CTL_MAX_REQUEST];
	size_t len;
};

static void write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		b += w;
		n -= (size_t)w;
	}
}

/* Answer and hang up. The answer is small and the peer waits for it: written in one go. */
static void ctl_finish(struct ctl_conn *cc, const char *head, const struct buf *body)
{
	int fl = fcntl(cc->fd, F_GETFL);

	if (fl >= 0)
		fcntl(cc->fd, F_SETFL, fl & ~O_NONBLOCK);
	write_all(cc->fd, head, strlen(head));
	if (body != NULL)
		write_all(cc->fd, buf_ptr(body), buf_len(body));
	event_free(cc->ev);
	close(cc->fd);
	free(cc);
}

static void ctl_unlink_socket(struct client_control *ctl)
{
	if (ctl->nl != NULL) {
		net_listener_free(ctl->nl);
		ctl->nl = NULL;
		unlink(ctl->path);
	}
}

static const char *nz(const char *s)
{
	return s != NULL ? s : "";
}

static int add_status(struct client *c, int json, struct buf *b)
{
	struct tp *t = c->eng != NULL ? engine_tp(c->eng) : NULL;
	double up = (double)(engine_clock_us(NULL) - c->connected_us) / 1e6;
	char head[1024];
	int n, r;

	if (!json) {
		n = snprintf(head, sizeof(head),
			     "Master running (pid=%ld)\nState: %s %s (%s)\n"
			     "Algorithms: kex %s, cipher %s, mac %s\nUptime: %.1f s\nReconnects: %u\n"
			     "Forwards:\n",
			     (long)getpid(), t != NULL ? "connected to" : "reconnecting to",
			     c->cfg->hostname, c->peer, t != NULL ? nz(tp_kex_name(t)) : "",
			     t != NULL ? nz(tp_cipher_name(t, 1)) : "",
			     t != NULL ? nz(tp_mac_name(t, 1)) : "", up, c->reconnects);
		if (n < 0 || (size_t)n >= sizeof(head))
			return ERR_TOO_LARGE;
		if ((r = buf_put(b, head, (size_t)n)) != 0)
			return r;
		return fwd_stats_format(c->fwd.stats, FWD_STATS_TEXT, b);
	}
	n = snprintf(head, sizeof(head), "{\"pid\":%ld,\"state\":\"%s\",\"uptime\":%.1f,"
		     "\"reconnects\":%u,\"host\":", (long)getpid(),
		     t != NULL ? "connected" : "reconnecting", up, c->reconnects);
	if (n < 0 || (size_t)n >= sizeof(head))
		return ERR_TOO_LARGE;
	if ((r = buf_put(b, head, (size_t)n)) != 0 ||
	    (r = fwd_put_quoted(b, c->cfg->hostname)) != 0 ||
	    (r = buf_put(b, ",\"peer\":", 8)) != 0 || (r = fwd_put_quoted(b, c->peer)) != 0 ||
	    (r = buf_put(b, ",\"kex\":", 7)) != 0 ||
	    (r = fwd_put_quoted(b, t != NULL ? nz(tp_kex_name(t)) : "")) != 0 ||
	    (r = buf_put(b, ",\"cipher\":", 10)) != 0 ||
	    (r = fwd_put_quoted(b, t != NULL ? nz(tp_cipher_name(t, 1)) : "")) != 0 ||
	    (r = buf_put(b, ",\"mac\":", 7)) != 0 ||
	    (r = fwd_put_quoted(b, t != NULL ? nz(tp_mac_name(t, 1)) : "")) != 0 ||
	    (r = buf_put(b, ",\"forwards\":", 12)) != 0 ||
	    (r = fwd_stats_format(c->fwd.stats, FWD_STATS_JSON, b)) != 0)
		return r;
	return buf_put(b, "}\n", 2);
}

static struct fwd_spec *keep_spec(struct client_control *ctl, const char *arg, int remote)
{
	struct fwd_spec *s;

	if (ctl->n_specs >= CTL_MAX_SPECS || (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if (cfg_parse_fwd_spec(arg, remote, s) != 0 ||
	    (remote && s->connect_host == NULL && s->connect_path == NULL)) {
		free(s);
		return NULL;
	}
	ctl->specs[ctl->n_specs++] = s;
	return s;
}

/* -O cancel: the listen side of a spec names the forward, as ssh's mux does. */
static int cancel(struct client *c, const char *arg, int remote)
{
	struct fwd_spec s;
	int n;

	if (cfg_parse_fwd_spec(arg, remote, &s) != 0)
		return -1;
	if (remote)
		n = fwd_remote_cancel(&c->fwd, s.listen_port, s.listen_path);
	else
		n = fwd_local_cancel(&c->fwd, s.listen_host, s.listen_port, s.listen_path);
	cfg_fwd_spec_free(&s);
	return n;
}

static void ctl_remote_done(void *arg, int ok)
{
	struct client_control *ctl = arg;
	struct ctl_conn **pp = &ctl->waiting;

	if (ctl->remote_done != NULL)
		ctl->remote_done(ctl->remote_done_arg, ok);
	while (*pp != NULL) {
		struct ctl_conn *cc = *pp;
		struct fwd_stat *st = fwd_stat_get(&ctl->c->fwd, 'R', cc->spec);
		char head[128];
		const char *port;

		if (st != NULL && st->listen[0] != '\0') {
			*pp = cc->next;
			/* "server ADDR:PORT": the port is what ssh -O forward prints for -R 0. */
			port = strrchr(st->listen, ':');
			snprintf(head, sizeof(head), "ok %s\n", port != NULL ? port + 1 : "");
			ctl_finish(cc, head, NULL);
		} else if (st != NULL && st->last_error[0] != '\0') {
			*pp = cc->next;
			ctl_finish(cc, "error Port forwarding failed\n", NULL);
		} else {
			pp = &cc->next; /* not answered yet */
		}
	}
}

static void handle(struct ctl_conn *cc)
{
	struct client_control *ctl = cc->ctl;
	struct client *c = ctl->c;
	struct buf body;
	char head[128], *cmd = cc->req + strlen(CLIENT_CTL_MAGIC), *arg;

	buf_init(&body);
	if ((arg = strchr(cmd, ' ')) != NULL)
		*arg++ = '\0';
	log_debug("control request: %s%s%s", cmd, arg != NULL ? " " : "", arg != NULL ? arg : "");
	if (strcmp(cmd, "check") == 0) {
		snprintf(head, sizeof(head), "ok %ld\n", (long)getpid());
		ctl_finish(cc, head, NULL);
	} else if (strcmp(cmd, "exit") == 0) {
		ctl_finish(cc, "ok\n", NULL);
		log_verbose("control: exit requested");
		c->status = 0;
		c->session_done = 1;
		client_quit(c);
	} else if (strcmp(cmd, "stop") == 0) {
		ctl_finish(cc, "ok\n", NULL);
		ctl_unlink_socket(ctl);
	} else if (strcmp(cmd, "status") == 0 || strcmp(cmd, "status-json") == 0) {
		if (add_status(c, strcmp(cmd, "status-json") == 0, &body) != 0)
			ctl_finish(cc, "error out of memory\n", NULL);
		else
			ctl_finish(cc, "ok\n", &body);
	} else if (strcmp(cmd, "metrics") == 0) {
		if (fwd_stats_format(c->fwd.stats, FWD_STATS_PROM, &body) != 0)
			ctl_finish(cc, "error out of memory\n", NULL);
		else
			ctl_finish(cc, "ok\n", &body);
	} else if (strcmp(cmd, "forward-L") == 0 && arg != NULL) {
		struct fwd_spec *s = keep_spec(ctl, arg, 0);

		if (s == NULL || fwd_local_listen(&c->fwd, s, c->cfg->gateway_ports) != 0)
			ctl_finish(cc, "error Port forwarding failed\n", NULL);
		else
			ctl_finish(cc, "ok\n", NULL);
	} else if (strcmp(cmd, "forward-R") == 0 && arg != NULL) {
		struct fwd_spec *s = keep_spec(ctl, arg, 1);

		if (s == NULL || fwd_remote_request(&c->fwd, s) != 0) {
			ctl_finish(cc, "error Port forwarding failed\n", NULL);
		} else {
			/* Answered once the server has (ctl_remote_done). */
			cc->spec = s;
			event_del(cc->ev);
			cc->next = ctl->waiting;
			ctl->waiting = cc;
		}
	} else if ((strcmp(cmd, "cancel-L") == 0 || strcmp(cmd, "cancel-R") == 0) && arg != NULL) {
		if (cancel(c, arg, cmd[7] == 'R') <= 0)
			ctl_finish(cc, "error port forwarding cancel failed\n", NULL);
		else
			ctl_finish(cc, "ok\n", NULL);
	} else {
		ctl_finish(cc, "error unknown control request\n", NULL);
	}
	buf_free(&body);
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_conn *cc = arg;
	ssize_t n;
	char *nl;

	if (what & EV_TIMEOUT) {
		ctl_finish(cc, "error timed out waiting for the request\n", NULL);
		return;
	}
	n = read(fd, cc->req + cc->len, sizeof(cc->req) - 1 - cc->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		ctl_finish(cc, "", NULL);
		return;
	}
	cc->len += (size_t)n;
	cc->req[cc->len] = '\0';
	if ((nl = memchr(cc->req, '\n', cc->len)) == NULL) {
		if (cc->len == sizeof(cc->req) - 1)
			ctl_finish(cc, "error request too long\n", NULL);
		return;
	}
	*nl = '\0';
	if (strncmp(cc->req, CLIENT_CTL_MAGIC, strlen(CLIENT_CTL_MAGIC)) != 0) {
		ctl_finish(cc, "error not a burrow control request\n", NULL);
		return;
	}
	handle(cc);
}

/* Only our own user (or root) may drive the master, as ssh's mux checks. */
static int peer_allowed(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0)
		return 0;
	if (cr.uid != 0 && cr.uid != geteuid()) {
		log_error("multiplex uid mismatch: peer euid %u != uid %u", (unsigned)cr.uid,
			  (unsigned)geteuid());
		return 0;
	}
	return 1;
}

static void on_accept(void *arg, int fd)
{
	struct client_control *ctl = arg;
	struct ctl_conn *cc;
	struct timeval limit = { CTL_REQUEST_SECONDS, 0 };

	if (!peer_allowed(fd) || (cc = calloc(1, sizeof(*cc))) == NULL) {
		close(fd);
		return;
	}
	cc->ctl = ctl;
	cc->fd = fd;
	if ((cc->ev = event_new(ctl->c->base, fd, EV_READ | EV_PERSIST, on_readable, cc)) == NULL ||
	    event_add(cc->ev, &limit) != 0) {
		if (cc->ev != NULL)
			event_free(cc->ev);
		close(fd);
		free(cc);
	}
}

/* A Unix socket at path that refuses connections: its master is gone. */
static int stale_socket(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	       !client_control_master_running(path);
}

/*
 * Bind under a temporary name, then link() it into place: a socket that
 * already exists is never replaced (ssh: "ControlSocket ... already exists").
 * The umask makes it 0600 from the start.
 */
static int bind_control(struct client_control *ctl, int *fd)
{
	char tmp[sizeof(((struct sockaddr_un *)0)->sun_path)], err[256];
	uint8_t rnd[8];
	mode_t old;
	int r, e, linked;

	if (crypto_random(rnd, sizeof(rnd)) != 0)
		return ERR_SYSTEM;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%02x%02x%02x%02x%02x%02x%02x%02x", ctl->path,
			     rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6],
			     rnd[7]) >= sizeof(tmp)) {
		fprintf(stderr, "ControlPath \"%s\" too long for Unix domain socket\r\n", ctl->path);
		return ERR_TOO_LARGE;
	}
	old = umask(0177);
	r = net_listen_unix(tmp, fd, err, sizeof(err));
	umask(old);
	if (r != 0) {
		fprintf(stderr, "%s\r\n", err);
		return r;
	}
	linked = link(tmp, ctl->path) == 0;
	e = errno;
	if (!linked && e == EEXIST && stale_socket(ctl->path)) {
		/* As ssh: a socket nobody answers on is left over from a dead master. */
		log_debug("Stale control socket %s, unlinking", ctl->path);
		unlink(ctl->path);
		linked = link(tmp, ctl->path) == 0;
		e = errno;
	}
	if (!linked) {
		if (e == EEXIST)
			fprintf(stderr, "ControlSocket %s already exists, disabling multiplexing\r\n",
				ctl->path);
		else
			fprintf(stderr, "ControlSocket %s: link: %s\r\n", ctl->path, strerror(e));
		unlink(tmp);
		close(*fd);
		return ERR_SYSTEM;
	}
	unlink(tmp);
	return 0;
}

static void take_sample(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;

	(void)fd;
	(void)what;
	fwd_stats_sample(c->fwd.stats, engine_clock_us(NULL));
}

int client_control_start(struct client *c)
{
	const struct client_config *cfg = c->cfg;
	struct client_control *ctl;
	int fd, r;

	c->connected_us = engine_clock_us(NULL);
	if (cfg->control_path == NULL || cfg->control_master == CFG_CM_NO)
		return 0;
	if ((ctl = calloc(1, sizeof(*ctl))) == NULL || (ctl->path = strdup(cfg->control_path)) == NULL) {
		free(ctl);
		return ERR_ALLOC;
	}
	ctl->c = c;
	if (bind_control(ctl, &fd) != 0) {
		/* As ssh: the connection goes on without a control socket. */
		free(ctl->path);
		free(ctl);
		return 0;
	}
	if ((r = net_listener_new(c->base, fd, on_accept, ctl, &ctl->nl)) != 0) {
		close(fd);
		unlink(ctl->path);
		free(ctl->path);
		free(ctl);
		return r;
	}
	ctl->sample_ev = event_new(c->base, -1, EV_PERSIST, take_sample, c);
	if (ctl->sample_ev != NULL) {
		struct timeval sec = { 1, 0 };

		evtimer_add(ctl->sample_ev, &sec);
	}
	ctl->remote_done = c->fwd.remote_done;
	ctl->remote_done_arg = c->fwd.remote_done_arg;
	c->fwd.remote_done = ctl_remote_done;
	c->fwd.remote_done_arg = ctl;
	c->ctl = ctl;
	log_debug("control socket listening on %s", ctl->path);
	return 0;
}

static void persist_expired(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;

	(void)fd;
	(void)what;
	log_verbose("ControlPersist: idle timeout, exiting");
	client_quit(c);
}

/*
 * The session is over but ControlPersist keeps the master: as with ssh, the
 * command returns (with the session's status) and the master goes on in the
 * background, detached from the terminal.
 */
static int persist_detach(struct client *c)
{
	pid_t pid;

	chanio_flush_lingering();
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		log_error("fork: %s", strerror(errno));
		return ERR_SYSTEM;
	}
	if (pid > 0) {
		for (int i = 0; i < 3; i++)
			if (c->saved_fl[i] >= 0)
				fcntl(i, F_SETFL, c->saved_fl[i]);
		_exit(c->status);
	}
	client_detach_stdio(c);
	return 0;
}

int client_control_holds(struct client *c)
{
	struct client_control *ctl = c->ctl;
	struct timeval tv;

	/* ControlPersist: the master outlives its session while the socket listens. */
	if (ctl == NULL || ctl->nl == NULL || c->cfg->control_persist == 0)
		return 0;
	if (ctl->persisting)
		return 1;
	if (persist_detach(c) != 0)
		return 0;
	ctl->persisting = 1;
	log_verbose("ControlPersist: master stays in the background (pid=%ld)", (long)getpid());
	if (c->cfg->control_persist > 0) {
		tv.tv_sec = c->cfg->control_persist;
		tv.tv_usec = 0;
		if ((ctl->persist_ev = evtimer_new(c->base, persist_expired, c)) == NULL ||
		    evtimer_add(ctl->persist_ev, &tv) != 0)
			log_error("ControlPersist: cannot arm the timer; the master stays until -O exit");
	}
	return 1;
}

void client_control_free(struct client *c)
{
	struct client_control *ctl = c->ctl;

	if (ctl == NULL)
		return;
	ctl_unlink_socket(ctl);
	while (ctl->waiting != NULL) {
		struct ctl_conn *cc = ctl->waiting;

		ctl->waiting = cc->next;
		ctl_finish(cc, "error master exiting\n", NULL);
	}
	if (ctl->persist_ev != NULL)
		event_free(ctl->persist_ev);
	if (ctl->sample_ev != NULL)
		event_free(ctl->sample_ev);
	for (int i = 0; i < ctl->n_specs; i++) {
		cfg_fwd_spec_free(ctl->specs[i]);
		free(ctl->specs[i]);
	}
	free(ctl->path);
	free(ctl);
	c->ctl = NULL;
}
