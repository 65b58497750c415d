/*
 * "subsystem" requests (RFC 4254 section 6.5): which command serves a
 * subsystem, from sshd_config's Subsystem entries.
 */
#ifndef BURROW_SESSION_SESSION_SUBSYSTEM_H
#define BURROW_SESSION_SESSION_SUBSYSTEM_H

#include "session/session.h"

/*
 * The command line for subsystem `name` (malloc'd in *command), run like an
 * exec request with the user's shell. "internal-sftp" (sshd's in-process
 * server) maps to OpenSSH's sftp-server binary with the same arguments.
 * ERR_NOT_FOUND when no Subsystem entry names it (or internal-sftp has no
 * binary to run), ERR_ALLOC.
 */
int session_subsystem_command(const struct session_server *srv, const char *name,
			      char **command);

#endif
