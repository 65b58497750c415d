#include "session/session.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chanio/chanio.h"
#include "transport/transport.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

struct session {
	struct session *next;
	const struct session_server *srv;
	struct chanio *cio;
	pid_t pid;
	int running;      /* a command was started */
	int exited;
	int status;
	int sources_done; /* child's stdout and stderr reached EOF */
	int finished;     /* exit status sent and CLOSE queued */
};

static struct session *sessions;

static void session_unlink(struct session *s)
{
	for (struct session **pp = &sessions; *pp != NULL; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			return;
		}
}

static const char *signal_name(int sig)
{
	/* RFC 4254 section 6.10 names, without the "SIG" prefix. */
	switch (sig) {
	case SIGABRT: return "ABRT";
	case SIGALRM: return "ALRM";
	case SIGFPE: return "FPE";
	case SIGHUP: return "HUP";
	case SIGILL: return "ILL";
	case SIGINT: return "INT";
	case SIGKILL: return "KILL";
	case SIGPIPE: return "PIPE";
	case SIGQUIT: return "QUIT";
	case SIGSEGV: return "SEGV";
	case SIGTERM: return "TERM";
	case SIGUSR1: return "USR1";
	case SIGUSR2: return "USR2";
	default: return "UNKNOWN";
	}
}

static void try_finish(struct session *s)
{
	struct chan *ch = chanio_channel(s->cio);
	struct buf b;

	if (s->finished || !s->exited || !s->sources_done || ch == NULL)
		return;
	s->finished = 1;
	buf_init(&b);
	if (WIFEXITED(s->status)) {
		buf_put_u32(&b, (uint32_t)WEXITSTATUS(s->status));
		chan_send_request(ch, "exit-status", 0, buf_ptr(&b), buf_len(&b));
	} else if (WIFSIGNALED(s->status)) {
		buf_put_cstring(&b, signal_name(WTERMSIG(s->status)));
		buf_put_bool(&b, WCOREDUMP(s->status));
		buf_put_cstring(&b, "");
		buf_put_cstring(&b, "");
		chan_send_request(ch, "exit-signal", 0, buf_ptr(&b), buf_len(&b));
	}
	buf_free(&b);
	chanio_close(s->cio);
}

static void child_setup_env(const struct session *s)
{
	const struct session_user *u = s->srv->user;

	clearenv();
	setenv("USER", u->name, 1);
	setenv("LOGNAME", u->name, 1);
	setenv("HOME", u->home, 1);
	setenv("SHELL", u->shell, 1);
	setenv("PATH", u->uid == 0 ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
				   : "/usr/local/bin:/usr/bin:/bin:/usr/games", 1);
	if (s->srv->agent_socket != NULL) {
		const char *sock = s->srv->agent_socket(s->srv->agent_arg);

		if (sock != NULL)
			setenv("SSH_AUTH_SOCK", sock, 1);
	}
	if (s->srv->ssh_connection != NULL) {
		char client[128];
		const char *sp;

		setenv("SSH_CONNECTION", s->srv->ssh_connection, 1);
		/* SSH_CLIENT is "client_ip client_port server_port". */
		sp = strrchr(s->srv->ssh_connection, ' ');
		if (sp != NULL) {
			int n = 0, spaces = 0;

			for (const char *p = s->srv->ssh_connection; *p != '\0' && n < 100; p++) {
				if (*p == ' ' && ++spaces == 2)
					break;
				client[n++] = *p;
			}
			snprintf(client + n, sizeof(client) - (size_t)n, "%s", sp);
			setenv("SSH_CLIENT", client, 1);
		}
	}
}

/* In the child: become the user, then run the shell. Never returns. */
static void child_exec(const struct session *s, const char *command)
{
	const char *forced = s->srv->forced_command;
	const struct session_user *u = s->srv->user;
	const char *base = strrchr(u->shell, '/');
	char argv0[256];

	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	setsid();
	if (s->srv->change_user) {
		if (initgroups(u->name, u->gid) != 0 || setgid(u->gid) != 0 || setuid(u->uid) != 0) {
			fprintf(stderr, "burrowd: cannot change to user %s: %s\n", u->name,
				strerror(errno));
			_exit(1);
		}
		if (u->uid != 0 && setuid(0) == 0) {
			fprintf(stderr, "burrowd: privileges were not dropped\n");
			_exit(1);
		}
	}
	child_setup_env(s);
	/* authorized_keys command="...": run it instead, telling it what was asked. */
	if (forced != NULL) {
		if (command != NULL)
			setenv("SSH_ORIGINAL_COMMAND", command, 1);
		command = forced;
	}
	if (chdir(u->home) != 0 && chdir("/") != 0)
		_exit(1);
	base = base != NULL ? base + 1 : u->shell;
	if (command == NULL) {
		/* A login shell without a terminal: argv[0] starts with '-'. */
		snprintf(argv0, sizeof(argv0), "-%s", base);
		execl(u->shell, argv0, (char *)NULL);
	} else {
		execl(u->shell, base, "-c", command, (char *)NULL);
	}
	fprintf(stderr, "burrowd: exec %s: %s\n", u->shell, strerror(errno));
	_exit(127);
}

static int spawn(struct session *s, const char *command)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
		goto fail;
	if ((pid = fork()) < 0)
		goto fail;
	if (pid == 0) {
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
			_exit(1);
		child_exec(s, command);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	s->pid = pid;
	s->running = 1;
	if (chanio_add_sink(s->cio, in[1], 0) != 0 || chanio_add_source(s->cio, out[0], 0) != 0 ||
	    chanio_add_source(s->cio, err[0], 1) != 0) {
		kill(pid, SIGHUP);
		return ERR_SYSTEM;
	}
	chanio_start(s->cio);
	log_debug("session: started %s for %s (pid %ld)", command != NULL ? "command" : "shell",
		  s->srv->user->name, (long)pid);
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0) close(in[i]);
		if (out[i] >= 0) close(out[i]);
		if (err[i] >= 0) close(err[i]);
	}
	return ERR_SYSTEM;
}

static int on_request(void *arg, const char *type, int want_reply, struct rd *args)
{
	struct session *s = arg;
	char *command = NULL;
	int r;

	(void)want_reply;
	if (strcmp(type, "exec") == 0 || strcmp(type, "shell") == 0) {
		if (s->running)
			return ERR_BAD_STATE;
		if (strcmp(type, "exec") == 0 &&
		    ((r = rd_cstring(args, &command)) != 0 || (r = rd_end(args)) != 0)) {
			free(command);
			return r;
		}
		r = spawn(s, command);
		free(command);
		return r;
	}
	if (strcmp(type, "auth-agent-req@openssh.com") == 0) {
		if ((r = rd_end(args)) != 0)
			return r;
		if (s->srv->agent_request == NULL)
			return ERR_UNSUPPORTED;
		return s->srv->agent_request(s->srv->agent_arg);
	}
	log_debug("session: refusing request %s", type);
	return ERR_UNSUPPORTED;
}

static void on_sources_done(void *arg)
{
	struct session *s = arg;

	s->sources_done = 1;
	try_finish(s);
}

static void on_closed(void *arg)
{
	struct session *s = arg;

	if (s->running && !s->exited)
		kill(-s->pid, SIGHUP);
	session_unlink(s);
	free(s);
}

static const struct chanio_hooks session_hooks = {
	.request = on_request,
	.sources_done = on_sources_done,
	.closed = on_closed,
};

int session_accept(const struct session_server *srv, struct chan *ch)
{
	struct session *s;
	int r;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ERR_ALLOC;
	s->srv = srv;
	if ((r = chanio_new(srv->base, &session_hooks, s, srv->flush, srv->flush_arg, &s->cio)) != 0) {
		free(s);
		return r;
	}
	chanio_set_channel(s->cio, ch);
	if ((r = chan_accept(ch, chanio_chan_ops(), s->cio)) != 0) {
		free(s->cio);
		free(s);
		return r;
	}
	s->next = sessions;
	sessions = s;
	return 0;
}

void session_reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (struct session *s = sessions; s != NULL; s = s->next) {
			if (s->pid == pid) {
				s->exited = 1;
				s->status = status;
				try_finish(s);
				break;
			}
		}
	}
}

void session_hangup_all(void)
{
	for (struct session *s = sessions; s != NULL; s = s->next)
		if (s->running && !s->exited)
			kill(-s->pid, SIGHUP);
}
