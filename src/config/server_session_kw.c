/*
 * sshd_config(5) keywords for sessions and key files: AcceptEnv, Subsystem,
 * PrintMotd, StrictModes; their -T lines; and the StrictModes check itself.
 */
#include "config/server_config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config/lexer.h"
#include "config/server_internal.h"
#include "config/values.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

/* AcceptEnv: every argument of every line accumulates, as in sshd. */
static int apply_accept_env(struct server_config *c, const struct cfg_line *l, const char *file,
			    unsigned long line)
{
	int r;

	for (int a = 0; a < l->nargs; a++) {
		if (l->args[a][0] == '\0' || strchr(l->args[a], '=') != NULL) {
			fprintf(stderr, "%s line %lu: Invalid environment name.\n", file, line);
			return ERR_FORMAT;
		}
	}
	for (int a = 0; a < l->nargs; a++) {
		if ((r = scfg_list_add(c->accept_env, &c->n_accept_env, l->args[a])) != 0) {
			if (r == ERR_TOO_LARGE)
				fprintf(stderr, "%s line %lu: too many AcceptEnv entries.\n", file,
					line);
			return r;
		}
	}
	return 0;
}

/* Length of the first word of a "name command" entry. */
static size_t name_len(const char *s)
{
	return strcspn(s, " ");
}

/* Subsystem name command [args]: stored as "name command args" (one space each). */
static int apply_subsystem(struct server_config *c, const struct cfg_line *l, const char *file,
			   unsigned long line)
{
	const char *name = l->args[0];
	size_t n = 1;
	char *s;
	int r;

	if (l->nargs < 2 || l->args[1][0] == '\0') {
		fprintf(stderr, "%s line %lu: Missing subsystem command.\n", file, line);
		return ERR_FORMAT;
	}
	for (int i = 0; i < c->n_subsystems; i++) {
		if (name_len(c->subsystems[i]) == strlen(name) &&
		    strncmp(c->subsystems[i], name, strlen(name)) == 0) {
			/* OpenSSH 9.2's words; the first definition is kept. */
			fprintf(stderr, "%s line %lu: Subsystem '%s' already defined.\n", file,
				line, name);
			return ERR_FORMAT;
		}
	}
	for (int a = 0; a < l->nargs; a++)
		if (mem_add_size(n, strlen(l->args[a]) + 1, &n) != 0)
			return ERR_TOO_LARGE;
	if ((s = malloc(n)) == NULL)
		return ERR_ALLOC;
	s[0] = '\0';
	for (int a = 0; a < l->nargs; a++) {
		if (a > 0)
			strcat(s, " ");
		strcat(s, l->args[a]);
	}
	r = scfg_list_add(c->subsystems, &c->n_subsystems, s);
	free(s);
	if (r == ERR_TOO_LARGE)
		fprintf(stderr, "%s line %lu: too many subsystems defined.\n", file, line);
	return r;
}

/* ClientAliveInterval takes a time value (sshd_config(5) TIME FORMATS), CountMax a count. */
static int apply_client_alive(struct server_config *c, const struct skw *kw,
			      const struct cfg_line *l, const char *file, unsigned long line)
{
	int64_t t;
	char *end;
	long x;

	if (l->nargs != 1) {
		fprintf(stderr, "%s line %lu: keyword %s extra arguments at end of line\n", file,
			line, kw->name);
		return ERR_NOT_FOUND;
	}
	if (kw->id == SKW_CLIENTALIVEINT) {
		if (cfg_parse_time(l->args[0], &t) != 0 || t < 0 || t > INT_MAX) {
			fprintf(stderr, "%s line %lu: invalid time value.\n", file, line);
			return ERR_FORMAT;
		}
		if (c->client_alive_interval == -1)
			c->client_alive_interval = (int)t;
		return 0;
	}
	errno = 0;
	x = strtol(l->args[0], &end, 10);
	if (errno != 0 || end == l->args[0] || *end != '\0' || x < 0 || x > INT_MAX) {
		fprintf(stderr, "%s line %lu: invalid integer value.\n", file, line);
		return ERR_FORMAT;
	}
	if (c->client_alive_count_max == -1)
		c->client_alive_count_max = (int)x;
	return 0;
}

int scfg_apply_session(struct server_config *c, const struct skw *kw, const struct cfg_line *l,
		       const char *file, unsigned long line)
{
	int x;

	switch (kw->id) {
	case SKW_ACCEPTENV:
		return apply_accept_env(c, l, file, line);
	case SKW_SUBSYSTEM:
		return apply_subsystem(c, l, file, line);
	case SKW_PRINTMOTD:
	case SKW_STRICTMODES:
		if (l->nargs != 1) {
			fprintf(stderr, "%s line %lu: keyword %s extra arguments at end of line\n",
				file, line, kw->name);
			return ERR_NOT_FOUND;
		}
		if ((x = cfg_parse_yesno(l->args[0])) < 0) {
			fprintf(stderr, "%s line %lu: unsupported option \"%s\".\n", file, line,
				l->args[0]);
			return ERR_FORMAT;
		}
		if (kw->id == SKW_PRINTMOTD && c->print_motd == -1)
			c->print_motd = x;
		else if (kw->id == SKW_STRICTMODES && c->strict_modes == -1)
			c->strict_modes = x;
		return 0;
	case SKW_CLIENTALIVEINT:
	case SKW_CLIENTALIVECOUNT:
		return apply_client_alive(c, kw, l, file, line);
	default:
		return ERR_INVALID_ARG;
	}
}

void scfg_session_defaults(struct server_config *c)
{
	if (c->print_motd == -1)
		c->print_motd = 1;
	if (c->strict_modes == -1)
		c->strict_modes = 1;
	if (c->permit_tty == -1)
		c->permit_tty = 1;
	if (c->client_alive_interval == -1)
		c->client_alive_interval = 0;
	if (c->client_alive_count_max == -1)
		c->client_alive_count_max = 3;
}

void scfg_dump_session(const struct server_config *c)
{
	printf("printmotd %s\n", c->print_motd == 0 ? "no" : "yes");
	printf("strictmodes %s\n", c->strict_modes == 0 ? "no" : "yes");
	printf("permittty %s\n", c->permit_tty == 0 ? "no" : "yes");
	printf("clientaliveinterval %d\n", c->client_alive_interval);
	printf("clientalivecountmax %d\n", c->client_alive_count_max);
	for (int i = 0; i < c->n_accept_env; i++)
		printf("acceptenv %s\n", c->accept_env[i]);
	for (int i = 0; i < c->n_subsystems; i++)
		printf("subsystem %s\n", c->subsystems[i]);
}

/* Owned by root or the user, and not writable by group or others. */
static int bad_owner_mode(const struct stat *st, uid_t uid)
{
	return (st->st_uid != 0 && st->st_uid != uid) || (st->st_mode & 022) != 0;
}

int scfg_strict_modes_check(const char *path, uid_t uid, const char *home)
{
	char buf[PATH_MAX];
	struct stat st;
	char *slash;

	/* sshd(8) "StrictModes": the file, then each directory up to the home directory. */
	if (stat(path, &st) != 0)
		return 0; /* a missing file is simply not read */
	if (!S_ISREG(st.st_mode)) {
		log_error("Authentication refused: %s is not a regular file", path);
		return ERR_PERMISSION;
	}
	if (bad_owner_mode(&st, uid)) {
		log_error("Authentication refused: bad ownership or modes for file %s", path);
		return ERR_PERMISSION;
	}
	if (path[0] != '/' || strlen(path) >= sizeof(buf))
		return 0;
	strcpy(buf, path);
	while ((slash = strrchr(buf, '/')) != NULL) {
		if (slash == buf)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (stat(buf, &st) != 0) {
			log_error("Authentication refused: cannot stat %s: %s", buf,
				  strerror(errno));
			return ERR_PERMISSION;
		}
		if (bad_owner_mode(&st, uid)) {
			log_error("Authentication refused: bad ownership or modes for directory %s",
				  buf);
			return ERR_PERMISSION;
		}
		/* Stop at the home directory, or at the root. */
		if ((home != NULL && strcmp(buf, home) == 0) || strcmp(buf, "/") == 0)
			break;
	}
	return 0;
}
