/* burrow: connect, verify the host, authenticate, run the session. */
#ifndef BURROW_CLIENT_CLIENT_H
#define BURROW_CLIENT_CLIENT_H

#include "config/client_config.h"
#include "crypto/key.h"

/* burrow's main(): returns the process exit status (remote status, 255 on SSH errors). */
int client_main(int argc, char **argv);

struct hostkey_check {
	const struct client_config *cfg;
	const char *host; /* name as used in known_hosts (HostName) */
	int port;
};
/* tp_config.check_hostkey: known_hosts lookup, StrictHostKeyChecking, prompts and warnings. */
int client_check_hostkey(void *arg, const struct key *hostkey);
/* "ED25519" for "ssh-ed25519" (the label ssh prints). */
const char *client_key_label(const struct key *k);

#endif
