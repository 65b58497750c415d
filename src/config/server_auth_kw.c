/*
 * sshd_config(5) keywords for passwords: PasswordAuthentication,
 * KbdInteractiveAuthentication (alias ChallengeResponseAuthentication),
 * UsePAM, PermitEmptyPasswords, AuthenticationMethods; their defaults,
 * Match overrides and -T lines.
 */
#include "config/server_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/lexer.h"
#include "config/server_internal.h"
#include "config/values.h"
#include "util/err.h"
#include "util/mem.h"

/* 1 if s (length n) is a method AuthenticationMethods may name. */
static int known_method(const char *s, size_t n)
{
	static const char *const names[] = { "publickey", "password", "keyboard-interactive" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && strncmp(s, names[i], n) == 0)
			return 1;
	return 0;
}

/*
 * AuthenticationMethods "any" | list [list ...], each list a comma list of
 * methods, stored as one string with single spaces between the lists.
 */
static int apply_methods(struct server_config *c, const struct cfg_line *l, const char *file,
			 unsigned long line)
{
	size_t total = 0;
	char *s;

	if (l->nargs == 1 && strcmp(l->args[0], "any") == 0) {
		if (c->authentication_methods == NULL &&
		    (c->authentication_methods = mem_strdup("any")) == NULL)
			return ERR_ALLOC;
		return 0;
	}
	for (int a = 0; a < l->nargs; a++) {
		const char *p = l->args[a];

		if (*p == '\0' || p[strlen(p) - 1] == ',') {
			fprintf(stderr, "%s line %lu: invalid authentication method list.\n", file,
				line);
			return ERR_FORMAT;
		}
		while (*p != '\0') {
			size_t n = strcspn(p, ",");

			if (!known_method(p, n)) {
				fprintf(stderr, "%s line %lu: invalid authentication method list.\n",
					file, line);
				return ERR_FORMAT;
			}
			p += n + (p[n] == ',');
		}
		total += strlen(l->args[a]) + 1;
	}
	if (c->authentication_methods != NULL)
		return 0; /* the first value wins */
	if ((s = calloc(1, total + 1)) == NULL)
		return ERR_ALLOC;
	for (int a = 0; a < l->nargs; a++) {
		if (a > 0)
			strcat(s, " ");
		strcat(s, l->args[a]);
	}
	c->authentication_methods = s;
	return 0;
}

int scfg_apply_auth(struct server_config *c, const struct skw *kw, const struct cfg_line *l,
		    const char *file, unsigned long line)
{
	int *dst, x;

	switch (kw->id) {
	case SKW_AUTHMETHODS:
		return apply_methods(c, l, file, line);
	case SKW_PASSWORDAUTH: dst = &c->password_authentication; break;
	case SKW_KBDINTAUTH: dst = &c->kbd_interactive_authentication; break;
	case SKW_USEPAM: dst = &c->use_pam; break;
	case SKW_PERMITEMPTYPW: dst = &c->permit_empty_passwords; break;
	default: return ERR_INVALID_ARG;
	}
	if ((x = cfg_parse_yesno(l->args[0])) < 0) {
		fprintf(stderr, "%s line %lu: unsupported option \"%s\".\n", file, line, l->args[0]);
		return ERR_FORMAT;
	}
	if (*dst == -1)
		*dst = x;
	return 0;
}

void scfg_auth_init(struct server_config *c)
{
	c->password_authentication = -1;
	c->kbd_interactive_authentication = -1;
	c->use_pam = -1;
	c->permit_empty_passwords = -1;
	c->authentication_methods = NULL;
}

/* sshd's defaults; "any" is stored as NULL. */
void scfg_auth_finish(struct server_config *c)
{
	if (c->password_authentication == -1)
		c->password_authentication = 1;
	if (c->kbd_interactive_authentication == -1)
		c->kbd_interactive_authentication = 1;
	if (c->use_pam == -1)
		c->use_pam = 0;
	if (c->permit_empty_passwords == -1)
		c->permit_empty_passwords = 0;
	if (c->authentication_methods != NULL && strcmp(c->authentication_methods, "any") == 0) {
		free(c->authentication_methods);
		c->authentication_methods = NULL;
	}
}

/* A matching block's values replace the global ones (m is consumed). */
void scfg_auth_override(struct server_config *c, struct server_config *m)
{
	if (m->password_authentication != -1)
		c->password_authentication = m->password_authentication;
	if (m->kbd_interactive_authentication != -1)
		c->kbd_interactive_authentication = m->kbd_interactive_authentication;
	if (m->permit_empty_passwords != -1)
		c->permit_empty_passwords = m->permit_empty_passwords;
	if (m->authentication_methods != NULL) {
		free(c->authentication_methods);
		c->authentication_methods = m->authentication_methods;
		m->authentication_methods = NULL;
		if (strcmp(c->authentication_methods, "any") == 0) {
			free(c->authentication_methods);
			c->authentication_methods = NULL;
		}
	}
}

void scfg_auth_dump(const struct server_config *c)
{
	printf("usepam %s\n", c->use_pam == 1 ? "yes" : "no");
	printf("passwordauthentication %s\n", c->password_authentication == 0 ? "no" : "yes");
	printf("kbdinteractiveauthentication %s\n",
	       c->kbd_interactive_authentication == 0 ? "no" : "yes");
	printf("permitemptypasswords %s\n", c->permit_empty_passwords == 1 ? "yes" : "no");
	printf("authenticationmethods %s\n",
	       c->authentication_methods != NULL ? c->authentication_methods : "any");
}
