/*
 * Passwords and keyboard-interactive answers, asked as ssh(1) asks them:
 * "user@host's password: " on /dev/tty without echo, or through
 * SSH_ASKPASS (client_pass.c decides which); "Permission denied, please
 * try again." before each new try. Never called in BatchMode.
 */
#include "client/client_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/log.h"

int client_get_password(void *arg, unsigned attempt, char **out)
{
	struct client *c = arg;
	char prompt[256];

	if (attempt > 0)
		fprintf(stderr, "Permission denied, please try again.\r\n");
	/* ssh's words and limits: "%.30s@%.128s's password: ". */
	snprintf(prompt, sizeof(prompt), "%.30s@%.128s's password: ", c->cfg->user,
		 c->cfg->hostname);
	if (client_read_passphrase(prompt, out) != 0) {
		log_debug("password: cannot ask (no terminal, no askpass)");
		return ERR_NOT_FOUND;
	}
	return 0;
}

int client_kbdint_prompt(void *arg, const char *name, const char *instruction,
			 const char *prompt, int echo, char **out)
{
	struct client *c = arg;
	char full[512];

	(void)echo; /* answers are read without echo either way */
	/* As ssh: the server's name and instruction go to the user first. */
	if (name != NULL && *name != '\0')
		fprintf(stderr, "%s\r\n", name);
	if (instruction != NULL && *instruction != '\0')
		fprintf(stderr, "%s\r\n", instruction);
	/* ssh prefixes the prompt with who is asked: "(user@host) Password: ". */
	snprintf(full, sizeof(full), "(%.30s@%.128s) %.300s", c->cfg->user, c->cfg->hostname,
		 prompt);
	if (client_read_passphrase(full, out) != 0) {
		log_debug("keyboard-interactive: cannot ask (no terminal, no askpass)");
		return ERR_NOT_FOUND;
	}
	return 0;
}
