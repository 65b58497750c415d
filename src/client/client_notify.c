/*
 * Readiness for systemd (Type=notify): "READY=1" once authenticated and
 * every forward is up (local listeners bound, every -R answered), from the
 * process that stays (after -f's fork), with its pid.
 */
#include "client/client_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/sd_notify.h"
#include "util/log.h"

void client_notify_init(struct client *c)
{
	const char *p = getenv("NOTIFY_SOCKET");

	if (p != NULL && *p != '\0')
		snprintf(c->notify_socket, sizeof(c->notify_socket), "%s", p);
	/* Ours alone: a -J proxy or a local command must not report for us. */
	unsetenv("NOTIFY_SOCKET");
}

void client_notify_ready(struct client *c)
{
	char msg[128];
	int r;

	if (c->notify_socket[0] == '\0' || c->notified)
		return;
	c->notified = 1;
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=Connected to %s, %u forward(s) up\nMAINPID=%ld",
		 c->cfg->hostname,
		 (unsigned)(c->cfg->n_local_forwards + c->cfg->n_remote_forwards),
		 (long)getpid());
	if ((r = net_sd_notify(c->notify_socket, msg)) < 0)
		log_error("readiness notification to %s failed", c->notify_socket);
	else
		log_debug("sent READY=1 to %s", c->notify_socket);
}
