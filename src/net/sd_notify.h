/*
 * systemd's readiness protocol (sd_notify(3)): one datagram such as
 * "READY=1" to the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or an
 * abstract name written with a leading '@'). No libsystemd needed.
 */
#ifndef BURROW_NET_SD_NOTIFY_H
#define BURROW_NET_SD_NOTIFY_H

/*
 * Send state to path (the value of $NOTIFY_SOCKET, read and unset by the
 * caller at start so that no child process speaks for us): 0 sent, 1 path is
 * NULL or empty (nothing asked for), negative ERR_* on failure.
 */
int net_sd_notify(const char *path, const char *state);

#endif
