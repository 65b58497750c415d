/* Account checks of sshd's allowed_user(), and utmp/wtmp records kept by a root helper. */
#include "server/server_login.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <shadow.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>

#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"
#include "wire/rd.h"

#define LOGIN_MAX_TTYS 64
#define TTY_PREFIX "/dev/"
#define PTS_PREFIX "/dev/pts/"

enum { OP_LOGIN = 1, OP_LOGOUT = 2 };

struct server_login {
	int fd; /* our end of the socketpair to the helper */
};

/* ---- account checks ---- */

static int shell_ok(const struct passwd *pw)
{
	const char *shell = pw->pw_shell != NULL && pw->pw_shell[0] != '\0' ? pw->pw_shell
									     : "/bin/sh";
	struct stat st;

	if (stat(shell, &st) != 0) {
		log_info("User %.100s not allowed because shell %.100s does not exist",
			 pw->pw_name, shell);
		return 0;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) == 0) {
		log_info("User %.100s not allowed because shell %.100s is not executable",
			 pw->pw_name, shell);
		return 0;
	}
	return 1;
}

/* Linux passwd -l puts "!" in front; "*LK*" is the System V spelling. */
static int password_locked(const char *pw)
{
	return pw != NULL && (strncmp(pw, "!", 1) == 0 || strncmp(pw, "*LK*", 4) == 0);
}

int server_login_allowed(const char *user, int use_pam)
{
	struct passwd *pw = getpwnam(user);
	struct spwd *sp;

	if (pw == NULL)
		return 0;
	if (!shell_ok(pw))
		return ERR_PERMISSION;
	if (geteuid() != 0 || (sp = getspnam(user)) == NULL)
		return 0;
	if (sp->sp_expire != -1 && time(NULL) / 86400 >= sp->sp_expire) {
		log_info("Account %.100s has expired", user);
		return ERR_PERMISSION;
	}
	/* With PAM, sshd leaves locked passwords to PAM (a key login then works). */
	if (!use_pam && password_locked(sp->sp_pwdp)) {
		log_info("User %.100s not allowed because account is locked", user);
		return ERR_PERMISSION;
	}
	return 0;
}

/* ---- utmp/wtmp helper ---- */

struct login_line {
	char line[sizeof(((struct utmpx *)0)->ut_line) + 1];
	pid_t pid;
};

/* utmpx record for tty line "pts/N" (ut_id is the line's last 4 characters, as login(3)). */
static void write_record(int type, const char *line, pid_t pid, const char *user,
			 const char *host)
{
	struct utmpx ut;
	struct timeval tv;
	size_t n = strlen(line), idn = sizeof(ut.ut_id);

	memset(&ut, 0, sizeof(ut));
	ut.ut_type = (short)type;
	ut.ut_pid = pid;
	strncpy(ut.ut_line, line, sizeof(ut.ut_line));
	memcpy(ut.ut_id, n > idn ? line + n - idn : line, n > idn ? idn : n);
	strncpy(ut.ut_user, user, sizeof(ut.ut_user));
	if (type == USER_PROCESS) {
		struct in6_addr a6;
		struct in_addr a4;

		strncpy(ut.ut_host, host, sizeof(ut.ut_host));
		if (inet_pton(AF_INET, host, &a4) == 1)
			memcpy(ut.ut_addr_v6, &a4, sizeof(a4));
		else if (inet_pton(AF_INET6, host, &a6) == 1)
			memcpy(ut.ut_addr_v6, &a6, sizeof(a6));
	}
	gettimeofday(&tv, NULL);
	ut.ut_tv.tv_sec = (int32_t)tv.tv_sec;
	ut.ut_tv.tv_usec = (int32_t)tv.tv_usec;
	/* No /run/utmp (containers) is fine: wtmp still gets the record. */
	setutxent();
	if (pututxline(&ut) == NULL)
		log_debug("utmp: %s", strerror(errno));
	endutxent();
	updwtmpx(_PATH_WTMP, &ut);
}

/*
 * Only a pty that belongs to the user is recorded: the requests come from a
 * process that runs as the user, so it must not be able to write records
 * for someone else's terminal.
 */
static int tty_acceptable(const char *tty, int op, uid_t uid)
{
	struct stat st;

	if (strncmp(tty, PTS_PREFIX, strlen(PTS_PREFIX)) != 0 || strstr(tty, "..") != NULL ||
	    strlen(tty) - strlen(TTY_PREFIX) >= sizeof(((struct login_line *)0)->line))
		return 0;
	/* A logout names only a line recorded before; the pty may be gone by then. */
	return op == OP_LOGOUT ||
	       (stat(tty, &st) == 0 && S_ISCHR(st.st_mode) && st.st_uid == uid);
}

static void helper_handle(const uint8_t *msg, size_t len, struct login_line *lines,
			  const char *user, uid_t uid, const char *host)
{
	struct rd r;
	uint8_t op;
	uint32_t pid;
	char *tty = NULL;
	int i, free_slot = -1;

	rd_init(&r, msg, len);
	if (rd_u8(&r, &op) != 0 || rd_u32(&r, &pid) != 0 || rd_cstring(&r, &tty) != 0 ||
	    rd_end(&r) != 0 || !tty_acceptable(tty, op, uid))
		goto out;
	for (i = 0; i < LOGIN_MAX_TTYS; i++) {
		if (lines[i].line[0] == '\0') {
			if (free_slot < 0)
				free_slot = i;
		} else if (strcmp(lines[i].line, tty + strlen(TTY_PREFIX)) == 0) {
			break;
		}
	}
	if (op == OP_LOGIN && i == LOGIN_MAX_TTYS && free_slot >= 0) {
		snprintf(lines[free_slot].line, sizeof(lines[free_slot].line), "%s",
			 tty + strlen(TTY_PREFIX));
		lines[free_slot].pid = (pid_t)pid;
		write_record(USER_PROCESS, lines[free_slot].line, (pid_t)pid, user, host);
	} else if (op == OP_LOGOUT && i < LOGIN_MAX_TTYS) {
		write_record(DEAD_PROCESS, lines[i].line, lines[i].pid, user, host);
		lines[i].line[0] = '\0';
	}
out:
	free(tty);
}

/*
 * The helper keeps only its socket (and log destinations): in particular not
 * the client's connection, which must close when the connection's process
 * ends. Descriptors 0-2 that are sockets (burrowd -i) become /dev/null.
 */
static void helper_close_fds(int keep)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	struct stat st;
	int dfd = d != NULL ? dirfd(d) : -1;
	int null = open("/dev/null", O_RDWR);

	for (int fd = 0; fd <= 2; fd++)
		if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) && null >= 0)
			dup2(null, fd);
	while (d != NULL && (e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd <= 2 || fd == keep || fd == dfd || fd == null)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			continue;
		close(fd);
	}
	if (d != NULL)
		closedir(d);
	if (null > 2)
		close(null);
}

static void helper_main(int fd, const char *user, uid_t uid, const char *host)
{
	static struct login_line lines[LOGIN_MAX_TTYS];
	uint8_t msg[512];
	ssize_t n;

	/* Outlive signals sent to burrowd's process group: end only with the connection. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	helper_close_fds(fd);
	while ((n = recv(fd, msg, sizeof(msg), 0)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		helper_handle(msg, (size_t)n, lines, user, uid, host);
	}
	/* The connection is gone: its terminals are logged out. */
	for (int i = 0; i < LOGIN_MAX_TTYS; i++)
		if (lines[i].line[0] != '\0')
			write_record(DEAD_PROCESS, lines[i].line, lines[i].pid, user, host);
	_exit(0);
}

int server_login_start(const char *user, const char *host, struct server_login **out)
{
	struct server_login *l;
	struct passwd *pw;
	int sv[2];
	pid_t pid;

	*out = NULL;
	if (geteuid() != 0)
		return 0;
	if ((pw = getpwnam(user)) == NULL)
		return ERR_NOT_FOUND;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return ERR_ALLOC;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		free(l);
		return ERR_SYSTEM;
	}
	if ((pid = fork()) < 0) {
		close(sv[0]);
		close(sv[1]);
		free(l);
		return ERR_SYSTEM;
	}
	if (pid == 0) {
		close(sv[0]);
		helper_main(sv[1], user, pw->pw_uid, host);
	}
	close(sv[1]);
	l->fd = sv[0];
	*out = l;
	return 0;
}

static void send_op(struct server_login *l, uint8_t op, const char *tty, pid_t pid)
{
	struct buf b;

	if (l == NULL || tty == NULL)
		return;
	buf_init(&b);
	if (buf_put_u8(&b, op) == 0 && buf_put_u32(&b, (uint32_t)pid) == 0 &&
	    buf_put_cstring(&b, tty) == 0 &&
	    send(l->fd, buf_ptr(&b), buf_len(&b), MSG_NOSIGNAL) < 0)
		log_debug("login records: %s", strerror(errno));
	buf_free(&b);
}

void server_login_record(void *login, const char *tty, pid_t pid)
{
	send_op(login, OP_LOGIN, tty, pid);
}

void server_login_end(void *login, const char *tty)
{
	send_op(login, OP_LOGOUT, tty, 0);
}
