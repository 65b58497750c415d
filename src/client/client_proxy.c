/* -J / ProxyJump: reach the destination through `burrow -W` on the jump host(s). */
#include "client/client_int.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"

/*
 * As OpenSSH does, the hop before the destination is a new burrow process:
 *   burrow [-v...] [-F file] [-l user] [-p port] [-J earlier,hops] -W [host]:port lasthop
 * Only -F and the verbosity carry over; everything else comes from the config.
 */
int client_spawn_proxy(struct client *c, const char *path, char *const argv[], int *fd)
{
	int sp[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0)
		return ERR_SYSTEM;
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		close(sp[0]);
		close(sp[1]);
		return ERR_SYSTEM;
	}
	if (pid == 0) {
		if (dup2(sp[1], 0) < 0 || dup2(sp[1], 1) < 0)
			_exit(255);
		signal(SIGPIPE, SIG_DFL);
		execv(path, argv);
		fprintf(stderr, "burrow: exec %s: %s\r\n", path, strerror(errno));
		_exit(255);
	}
	close(sp[1]);
	c->proxy_pid = pid;
	*fd = sp[0];
	return 0;
}

int client_start_proxy(struct client *c, const char *self, int *fd)
{
	const struct client_config *cfg = c->cfg;
	char *user = NULL, *host = NULL, portbuf[16], target[1100];
	const char *argv[24];
	char *rest = NULL;
	int port = -1, argc = 0, r;

	if ((r = cfg_parse_jump(cfg->proxy_jump, &user, &host, &port, &rest)) != 0) {
		fprintf(stderr, "burrow: bad ProxyJump specification '%s'\r\n", cfg->proxy_jump);
		return r;
	}
	snprintf(target, sizeof(target), strchr(cfg->hostname, ':') != NULL ? "[%s]:%d" : "%s:%d",
		 cfg->hostname, cfg->port);
	argv[argc++] = self;
	for (int v = LOG_DEBUG1; v <= cfg->log_level && v <= LOG_DEBUG3; v++)
		argv[argc++] = "-v";
	if (cfg->config_file != NULL) {
		argv[argc++] = "-F";
		argv[argc++] = cfg->config_file;
	}
	if (user != NULL) {
		argv[argc++] = "-l";
		argv[argc++] = user;
	}
	if (port > 0) {
		snprintf(portbuf, sizeof(portbuf), "%d", port);
		argv[argc++] = "-p";
		argv[argc++] = portbuf;
	}
	if (rest != NULL) {
		argv[argc++] = "-J";
		argv[argc++] = rest;
	}
	argv[argc++] = "-W";
	argv[argc++] = target;
	argv[argc++] = host;
	argv[argc] = NULL;
	log_debug("Setting implicit ProxyCommand from ProxyJump: %s ... -W %s %s", self, target, host);
	r = client_spawn_proxy(c, self, (char *const *)argv, fd);
	free(rest);
	free(user);
	free(host);
	return r;
}
