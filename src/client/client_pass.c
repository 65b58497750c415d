/*
 * Passphrases for encrypted identity files, asked as ssh(1) asks them: on
 * /dev/tty with echo off, or through the SSH_ASKPASS program when there is
 * no terminal (and DISPLAY is set) or SSH_ASKPASS_REQUIRE=force.
 */
#include "client/client_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

#define PASS_MAX 1024
/* ssh_config(5) NumberOfPasswordPrompts default. */
#define PASS_PROMPTS 3

/* Run the askpass program with the prompt; its first output line is the answer. */
static int askpass(const char *prog, const char *prompt, char **out)
{
	char buf[PASS_MAX];
	size_t n = 0;
	int p[2], status, r = ERR_SYSTEM;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		return ERR_SYSTEM;
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return ERR_SYSTEM;
	}
	if (pid == 0) {
		if (dup2(p[1], 1) < 0)
			_exit(1);
		execlp(prog, prog, prompt, (char *)NULL);
		fprintf(stderr, "burrow: exec(%s): %s\n", prog, strerror(errno));
		_exit(1);
	}
	close(p[1]);
	for (;;) {
		ssize_t got = read(p[0], buf + n, sizeof(buf) - 1 - n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
		if (n == sizeof(buf) - 1)
			break;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	/* A failing askpass (cancelled) means no passphrase. */
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		buf[0] = '\0';
	if ((*out = strdup(buf)) != NULL)
		r = 0;
	else
		r = ERR_ALLOC;
	mem_wipe(buf, sizeof(buf));
	return r;
}

/* Prompt on the terminal with echo off. */
static int tty_read(int fd, const char *prompt, char **out)
{
	struct termios old, quiet;
	char buf[PASS_MAX];
	size_t n = 0;
	int restore = 0, r;

	if (write(fd, prompt, strlen(prompt)) < 0)
		return ERR_SYSTEM;
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= (tcflag_t)~(ECHO | ECHONL);
		restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	for (;;) {
		char ch;
		ssize_t got = read(fd, &ch, 1);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0 || ch == '\n' || ch == '\r')
			break;
		if (n < sizeof(buf) - 1)
			buf[n++] = ch;
	}
	buf[n] = '\0';
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		log_debug3("passphrase: newline not written");
	r = (*out = strdup(buf)) != NULL ? 0 : ERR_ALLOC;
	mem_wipe(buf, sizeof(buf));
	return r;
}

int client_read_passphrase(const char *prompt, char **out)
{
	const char *req = getenv("SSH_ASKPASS_REQUIRE"), *prog = getenv("SSH_ASKPASS");
	const char *disp = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
	int allow = (disp != NULL && *disp != '\0') || (wl != NULL && *wl != '\0');
	int use = 0, fd, r;

	if (req != NULL && strcasecmp(req, "force") == 0)
		use = allow = 1;
	else if (req != NULL && strcasecmp(req, "prefer") == 0)
		use = allow;
	else if (req != NULL && strcasecmp(req, "never") == 0)
		allow = 0;
	if (!use) {
		if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) >= 0) {
			r = tty_read(fd, prompt, out);
			close(fd);
			return r;
		}
		log_debug("read_passphrase: can't open /dev/tty: %s", strerror(errno));
		use = 1;
	}
	if (!allow || prog == NULL || *prog == '\0') {
		log_debug("read_passphrase: no terminal and no askpass");
		return ERR_NOT_FOUND;
	}
	log_debug("read_passphrase: requested to askpass");
	return askpass(prog, prompt, out);
}

int client_load_private(const struct client_config *cfg, const char *path, struct key **out)
{
	char prompt[256];
	int r;

	if ((r = key_load_private_pass(path, NULL, out, NULL)) != ERR_PASSPHRASE)
		return r;
	if (cfg->batch_mode) {
		log_debug("identity file %s is encrypted; BatchMode does not prompt", path);
		return ERR_PASSPHRASE;
	}
	snprintf(prompt, sizeof(prompt), "Enter passphrase for key '%.100s': ", path);
	for (int i = 0; i < PASS_PROMPTS; i++) {
		char *pass = NULL;

		if ((r = client_read_passphrase(prompt, &pass)) != 0)
			return ERR_PASSPHRASE;
		if (*pass == '\0') {
			free(pass);
			log_debug2("no passphrase given, try next key");
			return ERR_PASSPHRASE;
		}
		r = key_load_private_pass(path, pass, out, NULL);
		mem_free_secret(pass, strlen(pass));
		if (r != ERR_PASSPHRASE)
			return r;
		log_debug2("bad passphrase given, try again...");
	}
	return ERR_PASSPHRASE;
}
