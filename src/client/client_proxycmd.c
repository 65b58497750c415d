/* ProxyCommand: the connection is a command's stdin and stdout (ssh_config(5)). */
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
#include "util/mem.h"

/*
 * As ssh does: "exec COMMAND" through /bin/sh -c, with %h %n %p %r %%
 * expanded, one end of a socketpair as its stdin and stdout, stderr shared.
 */
int client_start_proxy_command(struct client *c, int *fd)
{
	const struct client_config *cfg = c->cfg;
	char *cmd = NULL, *line = NULL;
	int r;
	size_t n;

	if ((r = cfg_client_expand_tokens(cfg, cfg->proxy_command, CFG_TOKENS_PROXY, &cmd)) != 0)
		return r;
	if (mem_add_size(strlen(cmd), sizeof("exec "), &n) != 0 || (line = malloc(n)) == NULL) {
		r = ERR_ALLOC;
		goto out;
	}
	snprintf(line, n, "exec %s", cmd);
	log_debug("Executing proxy command: %s", line);
	{
		char *argv[] = { "sh", "-c", line, NULL };

		r = client_spawn_proxy(c, "/bin/sh", argv, fd);
	}
out:
	free(line);
	free(cmd);
	return r;
}
