/*
 * The control socket's options, ssh_config(5) and ssh(1): ControlPath / -S,
 * ControlMaster / -M (-MM: ask), ControlPersist, and the -O command.
 */
#include "config/client_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/client_internal.h"
#include "config/lexer.h"
#include "config/values.h"
#include "util/err.h"
#include "util/mem.h"

/* ControlPersist yes (or 0): the master stays until told to exit. */
#define CONTROL_PERSIST_FOREVER (-2)

void cfg_client_control_init(struct client_config *c)
{
	c->control_master = CFG_CM_UNSET;
	c->control_persist = -1;
}

void cfg_client_control_free(struct client_config *c)
{
	free(c->control_path);
	free(c->control_command);
	c->control_path = c->control_command = NULL;
}

static int parse_master(const char *v)
{
	static const char *const names[] = { "no", "yes", "ask", "auto", "autoask" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(v, names[i]) == 0)
			return (int)i;
	/* ssh also takes "false"/"true" as no/yes. */
	if (strcasecmp(v, "false") == 0)
		return CFG_CM_NO;
	if (strcasecmp(v, "true") == 0)
		return CFG_CM_YES;
	return -1;
}

static int parse_persist(const char *v)
{
	int64_t t;

	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0)
		return CONTROL_PERSIST_FOREVER;
	if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0)
		return 0;
	if (cfg_parse_time(v, &t) != 0 || t < 0 || t > 0x7fffffff)
		return -1;
	/* ssh_config(5): "If set to 0, the master connection will be kept ... indefinitely." */
	return t == 0 ? CONTROL_PERSIST_FOREVER : (int)t;
}

int cfg_client_apply_control(struct client_config *c, const struct cfg_line *l, const char *file,
			     unsigned long line, const char *name)
{
	int v;

	if (strcasecmp(l->keyword, "ControlPath") != 0 &&
	    strcasecmp(l->keyword, "ControlMaster") != 0 &&
	    strcasecmp(l->keyword, "ControlPersist") != 0)
		return 1;
	if (l->nargs != 1 || l->args[0][0] == '\0') {
		fprintf(stderr, "%s line %lu: keyword %s takes one argument\n", file, line, name);
		return ERR_FORMAT;
	}
	if (strcasecmp(l->keyword, "ControlPath") == 0) {
		if (c->control_path == NULL && (c->control_path = mem_strdup(l->args[0])) == NULL)
			return ERR_ALLOC;
		return 0;
	}
	if (strcasecmp(l->keyword, "ControlMaster") == 0) {
		if ((v = parse_master(l->args[0])) < 0) {
			fprintf(stderr, "%s line %lu: unsupported option \"%s\".\n", file, line,
				l->args[0]);
			return ERR_FORMAT;
		}
		if (c->control_master == CFG_CM_UNSET)
			c->control_master = v;
		return 0;
	}
	if ((v = parse_persist(l->args[0])) == -1) {
		fprintf(stderr, "%s line %lu: Bad ControlPersist argument.\n", file, line);
		return ERR_FORMAT;
	}
	if (c->control_persist == -1)
		c->control_persist = v;
	return 0;
}

int cfg_client_arg_control(struct client_config *c, char ch, const char *v)
{
	switch (ch) {
	case 'M':
		/* -M: master; a second -M asks before each use, as ssh. */
		c->control_master = c->control_master == CFG_CM_YES ? CFG_CM_ASK : CFG_CM_YES;
		return 0;
	case 'S':
		if (c->control_path == NULL && (c->control_path = mem_strdup(v)) == NULL)
			return ERR_ALLOC;
		return 0;
	case 'O':
		if (strcmp(v, "check") != 0 && strcmp(v, "forward") != 0 &&
		    strcmp(v, "cancel") != 0 && strcmp(v, "exit") != 0 && strcmp(v, "stop") != 0 &&
		    strcmp(v, "status") != 0 && strcmp(v, "metrics") != 0) {
			fprintf(stderr, "Invalid multiplex command.\n");
			return ERR_INVALID_ARG;
		}
		return cfg_replace_str(&c->control_command, v);
	default:
		return ERR_INVALID_ARG;
	}
}

int cfg_client_finish_control(struct client_config *c)
{
	if (c->control_master == CFG_CM_UNSET)
		c->control_master = CFG_CM_NO;
	if (c->control_persist == -1)
		c->control_persist = 0;
	if (c->control_path != NULL && strcasecmp(c->control_path, "none") == 0) {
		free(c->control_path);
		c->control_path = NULL;
	}
	if (c->control_path == NULL)
		return 0;
	/* ssh_config(5) expands ~ and the %C %d %h %i %L %l %n %p %r %u tokens here. */
	if (c->control_path[0] == '~') {
		char *p;
		int r;

		if ((r = cfg_expand_tilde(cfg_home_dir(), c->control_path, &p)) != 0)
			return r;
		free(c->control_path);
		c->control_path = p;
	}
	return cfg_client_expand_field(c, &c->control_path, CFG_TOKENS_FILES);
}

void cfg_client_control_dump(const struct client_config *c)
{
	static const char *const masters[] = { "false", "true", "ask", "auto", "autoask" };
	int m = c->control_master;

	printf("controlmaster %s\n", m >= 0 && m <= CFG_CM_AUTOASK ? masters[m] : "false");
	if (c->control_path != NULL)
		printf("controlpath %s\n", c->control_path);
	if (c->control_persist == CONTROL_PERSIST_FOREVER)
		printf("controlpersist yes\n");
	else if (c->control_persist > 0)
		printf("controlpersist %d\n", c->control_persist);
	else
		printf("controlpersist no\n");
}
