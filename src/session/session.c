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
#include "session/session_env.h"
#include "session/session_pty.h"
#include "session/session_subsystem.h"
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
	struct session_tty tty; /* pty-req, env, window-change, signal (session_pty.c) */
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

/* RFC 4254 section 6.10 names, without the "SIG" prefix. */
static const char *signal_name(int sig)
{
	const char *name = session_signal_name(sig);

	return name != NULL ? name : "UNKNOWN";
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

/* In the child: become the user, then run the shell. Never returns. */
static void child_exec(const struct session *s, const char *command)
{
	const char *forced = s->srv->forced_command;
	const struct session_user *u = s->srv->user;
	struct session_env_info info = { 0 };

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
	/* authorized_keys command="...": run it instead, telling it what was asked. */
	info.original = forced != NULL ? command : NULL;
	if (forced != NULL)
		command = forced;
	info.tty = session_tty_has_pty(&s->tty) ? s->tty.name : NULL;
	info.term = s->tty.term;
	info.client_env = s->tty.env;
	info.n_client_env = (size_t)s->tty.n_env;
	if (session_env_setup(s->srv, &info) != 0)
		_exit(1);
	if (session_env_nologin(s->srv))
		_exit(254);
	if (chdir(u->home) != 0) {
		/* sshd's words; it then starts in / */
		fprintf(stderr, "Could not chdir to home directory %s: %s\n", u->home,
			strerror(errno));
		if (chdir("/") != 0)
			_exit(1);
	}
	session_env_motd(s->srv, command, info.tty != NULL);
	session_env_exec(u, command);
}

/* After pty-req the child's stdin, stdout and stderr are all the slave. */
static int spawn_pty(struct session *s, const char *command)
{
	pid_t pid = session_tty_fork(&s->tty, s->cio);

	if (pid < 0)
		return ERR_SYSTEM;
	if (pid == 0)
		child_exec(s, command);
	s->pid = pid;
	s->running = 1;
	if (s->srv->login_record != NULL)
		s->srv->login_record(s->srv->login_arg, s->tty.name, pid);
	chanio_start(s->cio);
	log_debug("session: started %s on %s for %s (pid %ld)",
		  command != NULL ? "command" : "shell", s->tty.name, s->srv->user->name, (long)pid);
	return 0;
}

static int spawn(struct session *s, const char *command)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	pid_t pid;

	if (session_tty_has_pty(&s->tty))
		return spawn_pty(s, command);
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

/* RFC 4254 section 6.5: run the Subsystem command for the name, as an exec request would. */
static int start_subsystem(struct session *s, struct rd *args)
{
	char *name = NULL, *command = NULL;
	int r;

	if ((r = rd_cstring(args, &name)) != 0 || (r = rd_end(args)) != 0)
		goto out;
	if ((r = session_subsystem_command(s->srv, name, &command)) != 0) {
		/* sshd's log line */
		log_info("subsystem request for %.100s by user %s failed, subsystem not found",
			 name, s->srv->user->name);
		goto out;
	}
	log_debug("subsystem request for %.100s by user %s", name, s->srv->user->name);
	r = spawn(s, command);
out:
	free(name);
	free(command);
	return r;
}

static int on_request(void *arg, const char *type, int want_reply, struct rd *args)
{
	struct session *s = arg;
	char *command = NULL;
	int r;

	(void)want_reply;
	r = session_tty_request(&s->tty, s->srv, s->running ? s->pid : 0, type, args);
	if (r != ERR_NOT_FOUND)
		return r;
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
	if (strcmp(type, "subsystem") == 0) {
		if (s->running)
			return ERR_BAD_STATE;
		return start_subsystem(s, args);
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
	if (s->running && session_tty_has_pty(&s->tty) && s->srv->logout_record != NULL)
		s->srv->logout_record(s->srv->login_arg, s->tty.name);
	session_tty_free(&s->tty);
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
	session_tty_init(&s->tty);
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
