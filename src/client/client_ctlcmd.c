/*
 * burrow -O CMD: one request to the master on the control socket, its
 * answer printed with ssh's wording (check, exit, stop, forward, cancel)
 * or as it comes (status, status --json, metrics).
 */
#include "client/client_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/err.h"
#include "wire/buf.h"

static int ctl_connect(const char *path, int quiet, int *out)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		if (!quiet)
			fprintf(stderr, "ControlPath too long ('%s' >= %zu bytes)\r\n", path,
				sizeof(sa.sun_path));
		return ERR_TOO_LARGE;
	}
	memcpy(sa.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return ERR_SYSTEM;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (!quiet)
			fprintf(stderr, "Control socket connect(%s): %s\r\n", path, strerror(errno));
		close(fd);
		return ERR_SYSTEM;
	}
	*out = fd;
	return 0;
}

int client_control_master_running(const char *path)
{
	int fd;

	if (path == NULL || ctl_connect(path, 1, &fd) != 0)
		return 0;
	close(fd);
	return 1;
}

/* Send one request line and read the whole answer (the master hangs up after it). */
static int ctl_request(const char *path, const char *cmd, const char *arg, struct buf *ans)
{
	char line[1024];
	int fd, n, r = 0;

	n = snprintf(line, sizeof(line), "%s%s%s%s\n", CLIENT_CTL_MAGIC, cmd,
		     arg != NULL ? " " : "", arg != NULL ? arg : "");
	if (n < 0 || (size_t)n >= sizeof(line))
		return ERR_TOO_LARGE;
	if ((r = ctl_connect(path, 0, &fd)) != 0)
		return r;
	if (write(fd, line, (size_t)n) != n) {
		r = ERR_SYSTEM;
		goto out;
	}
	for (;;) {
		uint8_t tmp[4096];
		ssize_t got = read(fd, tmp, sizeof(tmp));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = ERR_SYSTEM;
			break;
		}
		if (got == 0)
			break;
		if ((r = buf_put(ans, tmp, (size_t)got)) != 0)
			break;
	}
out:
	close(fd);
	return r;
}

/*
 * One request; on "ok" *detail points at what follows it on the first line
 * and *body at the rest. Errors are printed here.
 */
static int ask(const char *path, const char *cmd, const char *arg, struct buf *ans,
	       const char **detail, const char **body)
{
	char *p, *nl;

	if (ctl_request(path, cmd, arg, ans) != 0 || buf_put_u8(ans, '\0') != 0)
		return 255;
	p = (char *)buf_ptr(ans);
	if ((nl = strchr(p, '\n')) == NULL) {
		fprintf(stderr, "Control master closed the connection without an answer\r\n");
		return 255;
	}
	*nl = '\0';
	if (strncmp(p, "ok", 2) != 0) {
		fprintf(stderr, "%s request failed: %s\r\n", cmd,
			strncmp(p, "error ", 6) == 0 ? p + 6 : p);
		return 255;
	}
	*detail = p[2] == ' ' ? p + 3 : "";
	*body = nl + 1;
	return 0;
}

/* -O forward / -O cancel: each -L and -R given on the command line. */
static int forwards(const struct client_config *cfg, const char *verb)
{
	struct buf ans;
	const char *detail, *body;
	char spec[400], cmd[16];
	int st = 0;

	if (cfg->n_local_forwards + cfg->n_remote_forwards == 0) {
		fprintf(stderr, "No forwardings specified for -O %s\r\n", verb);
		return 255;
	}
	for (int i = 0; st == 0 && i < cfg->n_local_forwards + cfg->n_remote_forwards; i++) {
		int remote = i >= cfg->n_local_forwards;
		const struct fwd_spec *s = remote ? &cfg->remote_forwards[i - cfg->n_local_forwards]
						  : &cfg->local_forwards[i];

		fwd_spec_str(s, spec, sizeof(spec));
		snprintf(cmd, sizeof(cmd), "%s-%c", verb, remote ? 'R' : 'L');
		buf_init(&ans);
		st = ask(cfg->control_path, cmd, spec, &ans, &detail, &body);
		/* ssh -O forward -R 0:... prints the port the server allocated. */
		if (st == 0 && remote && s->listen_path == NULL && s->listen_port == 0 &&
		    strcmp(verb, "forward") == 0)
			printf("%s\n", detail);
		buf_free(&ans);
	}
	return st;
}

int client_control_command(const struct client_config *cfg)
{
	const char *cmd = cfg->control_command, *detail, *body;
	struct buf ans;
	int st;

	if (cfg->control_path == NULL) {
		fprintf(stderr, "No ControlPath specified for \"-O\" command\r\n");
		return 255;
	}
	if (strcmp(cmd, "forward") == 0 || strcmp(cmd, "cancel") == 0)
		return forwards(cfg, cmd);
	if (strcmp(cmd, "status") == 0 && cfg->control_json)
		cmd = "status-json";
	buf_init(&ans);
	if ((st = ask(cfg->control_path, cmd, NULL, &ans, &detail, &body)) != 0)
		goto out;
	/* ssh's wording (mux.c's client side), on stderr as there. */
	if (strcmp(cmd, "check") == 0)
		fprintf(stderr, "Master running (pid=%s)\r\n", detail);
	else if (strcmp(cmd, "exit") == 0)
		fprintf(stderr, "Exit request sent.\r\n");
	else if (strcmp(cmd, "stop") == 0)
		fprintf(stderr, "Stop listening request sent.\r\n");
	else
		fputs(body, stdout);
out:
	buf_free(&ans);
	return st;
}
