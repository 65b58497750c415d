/*
 * ssh_config(5) keywords for passwords: PasswordAuthentication,
 * KbdInteractiveAuthentication (alias ChallengeResponseAuthentication),
 * NumberOfPasswordPrompts, PreferredAuthentications; first value wins.
 */
#include "config/client_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/client_internal.h"
#include "config/values.h"
#include "util/err.h"
#include "util/mem.h"

enum akw { AK_PASSWORD, AK_KBDINT, AK_PROMPTS, AK_PREFERRED };

static const struct {
	const char *name;
	enum akw kw;
} auth_keywords[] = {
	{ "PasswordAuthentication", AK_PASSWORD },
	{ "KbdInteractiveAuthentication", AK_KBDINT },
	{ "ChallengeResponseAuthentication", AK_KBDINT },
	{ "NumberOfPasswordPrompts", AK_PROMPTS },
	{ "PreferredAuthentications", AK_PREFERRED },
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

void cfg_client_auth_init(struct client_config *c)
{
	c->password_authentication = -1;
	c->kbd_interactive_authentication = -1;
	c->number_of_password_prompts = -1;
	c->preferred_authentications = NULL;
}

void cfg_client_auth_free(struct client_config *c)
{
	free(c->preferred_authentications);
	c->preferred_authentications = NULL;
}

/* ssh_config(5) defaults. PreferredAuthentications stays NULL (auth's default order). */
void cfg_client_auth_defaults(struct client_config *c)
{
	if (c->password_authentication == -1)
		c->password_authentication = 1;
	if (c->kbd_interactive_authentication == -1)
		c->kbd_interactive_authentication = 1;
	if (c->number_of_password_prompts == -1)
		c->number_of_password_prompts = 3;
}

int cfg_client_apply_auth(struct client_config *c, const struct cfg_line *l, const char *file,
			  unsigned long line, const char *name)
{
	const char *v;
	size_t i;
	int x;

	for (i = 0; i < N_ELEMS(auth_keywords); i++)
		if (strcasecmp(l->keyword, auth_keywords[i].name) == 0)
			break;
	if (i == N_ELEMS(auth_keywords))
		return 1;
	if (l->nargs == 0 || l->args[0][0] == '\0') {
		fprintf(stderr, "%s line %lu: no argument after keyword \"%s\"\n", file, line, name);
		return ERR_FORMAT;
	}
	if (l->nargs > 1) {
		fprintf(stderr, "%s line %lu: keyword %s extra arguments at end of line\n", file,
			line, name);
		return ERR_FORMAT;
	}
	v = l->args[0];
	switch (auth_keywords[i].kw) {
	case AK_PASSWORD:
	case AK_KBDINT:
		if ((x = cfg_parse_yesno(v)) < 0) {
			fprintf(stderr, "%s line %lu: unsupported option \"%s\".\n", file, line, v);
			return ERR_FORMAT;
		}
		if (auth_keywords[i].kw == AK_PASSWORD && c->password_authentication == -1)
			c->password_authentication = x;
		if (auth_keywords[i].kw == AK_KBDINT && c->kbd_interactive_authentication == -1)
			c->kbd_interactive_authentication = x;
		return 0;
	case AK_PROMPTS: {
		char *end;
		long n = strtol(v, &end, 10);

		if (*end != '\0' || end == v || n < 0 || n > 1000000) {
			fprintf(stderr, "%s line %lu: invalid integer value \"%s\".\n", file, line, v);
			return ERR_FORMAT;
		}
		if (c->number_of_password_prompts == -1)
			c->number_of_password_prompts = (int)n;
		return 0;
	}
	case AK_PREFERRED:
		if (c->preferred_authentications == NULL &&
		    (c->preferred_authentications = mem_strdup(v)) == NULL)
			return ERR_ALLOC;
		return 0;
	}
	return ERR_INVALID_ARG;
}

void cfg_client_auth_dump(const struct client_config *c)
{
	printf("kbdinteractiveauthentication %s\n",
	       c->kbd_interactive_authentication == 0 ? "no" : "yes");
	printf("numberofpasswordprompts %d\n", c->number_of_password_prompts);
	printf("passwordauthentication %s\n", c->password_authentication == 0 ? "no" : "yes");
	if (c->preferred_authentications != NULL)
		printf("preferredauthentications %s\n", c->preferred_authentications);
}
