/*
 * What sshd(8) does around a login beyond authentication: refuse locked or
 * expired accounts and users whose shell cannot run, and keep utmp/wtmp
 * records for sessions with a terminal.
 */
#ifndef BURROW_SERVER_SERVER_LOGIN_H
#define BURROW_SERVER_SERVER_LOGIN_H

#include <sys/types.h>

/*
 * sshd's allowed_user() checks on an existing user, with its log lines:
 * "User U not allowed because shell S does not exist" / "... is not
 * executable", "User U not allowed because account is locked" (shadow
 * password starting with "!" or "*LK*"; not with use_pam, as sshd leaves
 * that to PAM), "Account U has expired". The shadow checks need root and
 * are skipped otherwise. Unknown users return 0: the caller refuses them
 * the usual way. Returns 0 or ERR_PERMISSION.
 */
int server_login_allowed(const char *user, int use_pam);

/*
 * utmp/wtmp records are written by a small helper process that keeps root
 * while the connection's process drops to the user. Start it (as root,
 * before dropping privileges) for `user` logging in from `host` (the
 * client's address). Without root there is nothing to write and *out is
 * NULL, which the other calls accept.
 */
struct server_login;
int server_login_start(const char *user, const char *host, struct server_login **out);
/* A session got terminal tty ("/dev/pts/N") for child pid: USER_PROCESS record. */
void server_login_record(void *login, const char *tty, pid_t pid);
/* That terminal's session ended: DEAD_PROCESS record. */
void server_login_end(void *login, const char *tty);

#endif
