/* Subsystem lookup: "name command [args]" entries of sshd_config's Subsystem keyword. */
#include "session/session_subsystem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"

#define INTERNAL_SFTP "internal-sftp"

/* Where Debian, and OpenSSH's default libexecdir, put sftp-server. */
static const char *const sftp_server_paths[] = {
	"/usr/lib/openssh/sftp-server",
	"/usr/libexec/openssh/sftp-server",
	"/usr/libexec/sftp-server",
};

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* "internal-sftp ARGS" -> "/usr/lib/openssh/sftp-server ARGS"; other commands unchanged. */
static int map_internal(const char *cmd, char **out)
{
	size_t n = strlen(INTERNAL_SFTP);
	const char *args = cmd + n;
	char *res;

	if (strncmp(cmd, INTERNAL_SFTP, n) != 0 || (*args != '\0' && !is_space(*args))) {
		*out = strdup(cmd);
		return *out != NULL ? 0 : ERR_ALLOC;
	}
	for (size_t i = 0; i < sizeof(sftp_server_paths) / sizeof(sftp_server_paths[0]); i++) {
		if (access(sftp_server_paths[i], X_OK) != 0)
			continue;
		if ((res = malloc(strlen(sftp_server_paths[i]) + strlen(args) + 1)) == NULL)
			return ERR_ALLOC;
		strcpy(res, sftp_server_paths[i]);
		strcat(res, args);
		*out = res;
		return 0;
	}
	log_error("subsystem: internal-sftp needs OpenSSH's sftp-server, which is not installed");
	return ERR_NOT_FOUND;
}

int session_subsystem_command(const struct session_server *srv, const char *name,
			      char **command)
{
	size_t n = strlen(name);

	for (int i = 0; i < srv->n_subsystems; i++) {
		const char *e = srv->subsystems[i];
		const char *cmd;

		if (strncmp(e, name, n) != 0 || !is_space(e[n]))
			continue;
		for (cmd = e + n; is_space(*cmd); cmd++)
			;
		if (*cmd == '\0')
			continue;
		return map_internal(cmd, command);
	}
	return ERR_NOT_FOUND;
}
