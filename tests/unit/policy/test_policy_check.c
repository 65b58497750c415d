/*
 * The forwarding decision table: AllowTcpForwarding x PermitOpen/PermitListen
 * x authorized_keys options, for -L (open) and -R (listen), each cell
 * asserting the decision and the rule named; then other spellings of
 * allowed and forbidden targets, port limits and privileged ports.
 */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "policy/policy.h"
#include "util/err.h"

static char keyline[1024]; /* "type base64" of a test key */

/* Options as they would appear in authorized_keys, parsed by the real parser. */
static struct authkey_opts *key_opts(const char *opts)
{
	struct authkey_opts *o = NULL;
	struct key *k = NULL;
	char line[2048];

	if (opts == NULL)
		return NULL;
	snprintf(line, sizeof(line), "%s%s%s", opts, *opts ? " " : "", keyline);
	CHECK_INT(authkeys_parse_line(line, &k, &o), 0);
	key_free(k);
	return o;
}

static void cfg_init(struct server_config *c, int allow_tcp)
{
	memset(c, 0, sizeof(*c));
	c->allow_tcp_forwarding = allow_tcp;
	c->allow_streamlocal_forwarding = FWD_ALLOW_ALL;
	c->gateway_ports = GATEWAY_NO;
}

static const char *allow_name(int v)
{
	switch (v) {
	case FWD_ALLOW_ALL: return "yes";
	case FWD_ALLOW_LOCAL: return "local";
	case FWD_ALLOW_REMOTE: return "remote";
	default: return "no";
	}
}

/* Check one decision; name the cell on failure. */
static void expect(const char *cell, const struct policy_decision *d, const char *rule)
{
	if (rule == NULL) {
		if (!d->allowed)
			fprintf(stderr, "  %s: refused by '%s', want allowed\n", cell,
				d->rule ? d->rule : "(null)");
		CHECK_INT(d->allowed, 1);
		CHECK(d->rule == NULL);
	} else {
		if (d->allowed || d->rule == NULL || strcmp(d->rule, rule) != 0)
			fprintf(stderr, "  %s: got %s '%s', want refused by '%s'\n", cell,
				d->allowed ? "allowed" : "refused", d->rule ? d->rule : "(null)",
				rule);
		CHECK_INT(d->allowed, 0);
		CHECK(d->rule != NULL && strcmp(d->rule, rule) == 0);
	}
}

enum { LIST_UNSET, LIST_ALLOW, LIST_DENY, LIST_ANY, LIST_NONE, LIST_N };
static const char *const list_names[LIST_N] = { "unset", "allow", "deny", "any", "none" };

/* Key options and whether each one forbids, restricts to the target, or excludes it. */
enum key_effect { K_OK, K_NOFWD_RESTRICT, K_NOFWD, K_LIST_MISS };
struct key_case {
	const char *opts;       /* NULL: no options at all */
	enum key_effect open;   /* effect on the -L target 127.0.0.1:8080 */
	enum key_effect listen; /* effect on -R localhost:8080 */
};
static const struct key_case key_cases[] = {
	{ NULL, K_OK, K_OK },
	{ "", K_OK, K_OK },
	{ "restrict", K_NOFWD_RESTRICT, K_NOFWD_RESTRICT },
	{ "restrict,port-forwarding", K_OK, K_OK },
	{ "no-port-forwarding", K_NOFWD, K_NOFWD },
	{ "port-forwarding,no-pty", K_OK, K_OK },
	{ "permitopen=\"127.0.0.1:8080\"", K_OK, K_OK },
	{ "permitopen=\"localhost:8080\",permitopen=\"127.0.0.1:*\"", K_OK, K_OK },
	{ "permitopen=\"127.0.0.1:9999\"", K_LIST_MISS, K_OK },
	{ "permitopen=\"10.0.0.1:8080\"", K_LIST_MISS, K_OK },
	{ "restrict,port-forwarding,permitopen=\"*:8080\"", K_OK, K_OK },
	{ "restrict,permitopen=\"127.0.0.1:8080\"", K_NOFWD_RESTRICT, K_NOFWD_RESTRICT },
	{ "permitlisten=\"localhost:8080\"", K_OK, K_OK },
	{ "permitlisten=\"8080\"", K_OK, K_OK },
	{ "permitlisten=\"*:*\"", K_OK, K_OK },
	{ "permitlisten=\"9999\"", K_OK, K_LIST_MISS },
	{ "permitlisten=\"127.0.0.1:8080\"", K_OK, K_LIST_MISS }, /* no DNS in policy */
	{ "no-port-forwarding,permitlisten=\"8080\"", K_NOFWD, K_NOFWD },
};

static const char *key_rule(enum key_effect e, int listen)
{
	switch (e) {
	case K_NOFWD_RESTRICT: return "authorized_keys restrict";
	case K_NOFWD: return "authorized_keys no-port-forwarding";
	case K_LIST_MISS: return listen ? "authorized_keys permitlisten" : "authorized_keys permitopen";
	default: return NULL;
	}
}

/* sshd_config(5) order: DisableForwarding, AllowTcpForwarding, key flags, lists. */
static const char *want_rule(int allow, int list, const struct key_case *kc, int listen)
{
	enum key_effect e = listen ? kc->listen : kc->open;

	if (allow == FWD_ALLOW_NO)
		return "AllowTcpForwarding no";
	if (!listen && allow == FWD_ALLOW_REMOTE)
		return "AllowTcpForwarding remote";
	if (listen && allow == FWD_ALLOW_LOCAL)
		return "AllowTcpForwarding local";
	if (e == K_NOFWD || e == K_NOFWD_RESTRICT)
		return key_rule(e, listen);
	if (list == LIST_DENY || list == LIST_NONE)
		return listen ? "PermitListen" : "PermitOpen";
	return key_rule(e, listen);
}

static void set_list(struct server_config *c, int list, int listen)
{
	static char allow_open[] = "127.0.0.1:8080", deny_open[] = "127.0.0.1:9999";
	static char allow_listen[] = "8080", deny_listen[] = "localhost:9999";
	static char other[] = "192.0.2.1:22", any[] = "any", none[] = "none";
	char **v = listen ? c->permit_listen : c->permit_open;
	int *n = listen ? &c->n_permit_listen : &c->n_permit_open;

	*n = 0;
	switch (list) {
	case LIST_ALLOW:
		v[(*n)++] = other;
		v[(*n)++] = listen ? allow_listen : allow_open;
		break;
	case LIST_DENY:
		v[(*n)++] = other;
		v[(*n)++] = listen ? deny_listen : deny_open;
		break;
	case LIST_ANY:
		v[(*n)++] = any;
		break;
	case LIST_NONE:
		v[(*n)++] = none;
		break;
	default:
		break;
	}
}

static void test_table(void)
{
	static const int allows[] = { FWD_ALLOW_ALL, FWD_ALLOW_LOCAL, FWD_ALLOW_REMOTE, FWD_ALLOW_NO };
	int cells = 0;

	for (size_t a = 0; a < sizeof(allows) / sizeof(allows[0]); a++)
		for (int list = 0; list < LIST_N; list++)
			for (size_t k = 0; k < sizeof(key_cases) / sizeof(key_cases[0]); k++) {
				struct authkey_opts *o = key_opts(key_cases[k].opts);
				struct server_config c;
				struct policy_decision d;
				char cell[256];

				for (int listen = 0; listen < 2; listen++) {
					cfg_init(&c, allows[a]);
					set_list(&c, list, listen);
					snprintf(cell, sizeof(cell),
						 "%s AllowTcpForwarding=%s %s=%s key='%s'",
						 listen ? "-R" : "-L", allow_name(allows[a]),
						 listen ? "PermitListen" : "PermitOpen",
						 list_names[list],
						 key_cases[k].opts ? key_cases[k].opts : "(none)");
					if (listen)
						policy_check_listen(&c, o, "localhost", 8080, 1000, &d);
					else
						policy_check_open(&c, o, "127.0.0.1", 8080, &d);
					expect(cell, &d, want_rule(allows[a], list, &key_cases[k],
								   listen));
					/* DisableForwarding overrides everything */
					c.disable_forwarding = 1;
					if (listen)
						policy_check_listen(&c, o, "localhost", 8080, 1000, &d);
					else
						policy_check_open(&c, o, "127.0.0.1", 8080, &d);
					expect(cell, &d, "DisableForwarding");
					cells += 2;
				}
				authkey_opts_free(o);
			}
	CHECK_INT(cells, 4 * LIST_N * (int)(sizeof(key_cases) / sizeof(key_cases[0])) * 4);
}

/*
 * Every spelling is decided exactly as its canonical form: a rule on
 * 127.0.0.1:8080 (or on localhost:8080, or [::1]:8080) against the many
 * ways of writing the same and other hosts.
 */
static void test_spellings(void)
{
	static const struct {
		const char *rule;
		const char *req;
		int allowed;
	} t[] = {
		{ "127.0.0.1:8080", "127.0.0.1", 1 },
		{ "127.0.0.1:8080", "127.1", 1 },
		{ "127.0.0.1:8080", "0x7f000001", 1 },
		{ "127.0.0.1:8080", "2130706433", 1 },
		{ "127.0.0.1:8080", "0177.0.0.1", 1 },
		{ "127.0.0.1:8080", "127.0.0.1.", 1 },
		{ "127.0.0.1:8080", "::ffff:127.0.0.1", 1 },
		{ "127.0.0.1:8080", "[::ffff:127.0.0.1]", 1 },
		{ "127.0.0.1:8080", "localhost", 0 },  /* no DNS in the policy */
		{ "127.0.0.1:8080", "127.0.0.2", 0 },
		{ "127.0.0.1:8080", "127.2", 0 },
		{ "127.0.0.1:8080", "0x7f000002", 0 },
		{ "127.0.0.1:8080", "::1", 0 },
		{ "127.1:8080", "127.0.0.1", 1 },       /* rules are canonicalised too */
		{ "0x7f000001:8080", "2130706433", 1 },
		{ "localhost:8080", "localhost", 1 },
		{ "localhost:8080", "LOCALHOST.", 1 },
		{ "localhost:8080", "Localhost", 1 },
		{ "localhost:8080", "localhost..", 1 },
		{ "LocalHost.:8080", "localhost", 1 },
		{ "localhost:8080", "127.0.0.1", 0 },
		{ "localhost:8080", "localhost.localdomain", 0 },
		{ "localhost:8080", "evil-localhost", 0 },
		{ "[::1]:8080", "::1", 1 },
		{ "[::1]:8080", "[::1]", 1 },
		{ "[::1]:8080", "0:0:0:0:0:0:0:1", 1 },
		{ "[0:0:0:0:0:0:0:1]:8080", "::1", 1 },
		{ "[::1]:8080", "127.0.0.1", 0 },
		{ "[::ffff:127.0.0.1]:8080", "127.1", 1 },
		{ "[2001:DB8::1]:8080", "2001:db8:0:0:0:0:0:1", 1 },
		{ "*:8080", "anything.example", 1 },
		{ "*:8080", "::1", 1 },
		{ "host.example:*", "HOST.EXAMPLE", 1 },
		{ "::1:8080", "::1", 0 },               /* malformed rule allows nothing */
		{ "127.0.0.1", "127.0.0.1", 0 },       /* PermitOpen needs a port */
		{ "127.0.0.1:8080x", "127.0.0.1", 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char rule_key[1400], cell[300], canon[256];
		struct authkey_opts *o;
		struct server_config c;
		struct policy_decision d;
		char *list[1];

		/* the administrator's list */
		cfg_init(&c, FWD_ALLOW_ALL);
		list[0] = (char *)t[i].rule;
		c.permit_open[0] = list[0];
		c.n_permit_open = 1;
		snprintf(cell, sizeof(cell), "PermitOpen %s vs %s", t[i].rule, t[i].req);
		/* callers canonicalise first, and connect to what was checked */
		CHECK_INT(policy_canon_host(t[i].req, canon, sizeof(canon)), 0);
		policy_check_open(&c, NULL, canon, 8080, &d);
		expect(cell, &d, t[i].allowed ? NULL : "PermitOpen");
		/* an uncanonical host is decided the same way */
		policy_check_open(&c, NULL, t[i].req, 8080, &d);
		expect(cell, &d, t[i].allowed ? NULL : "PermitOpen");
		/* another port never matches */
		if (strstr(t[i].rule, ":*") == NULL) {
			policy_check_open(&c, NULL, canon, 8081, &d);
			expect(cell, &d, "PermitOpen");
		}

		/* the same as the key's permitopen (when the parser accepts the rule) */
		cfg_init(&c, FWD_ALLOW_ALL);
		snprintf(rule_key, sizeof(rule_key), "permitopen=\"%s\" %s", t[i].rule, keyline);
		o = NULL;
		{
			struct key *k = NULL;

			if (authkeys_parse_line(rule_key, &k, &o) != 0) {
				key_free(k);
				continue;
			}
			key_free(k);
		}
		snprintf(cell, sizeof(cell), "permitopen=%s vs %s", t[i].rule, t[i].req);
		policy_check_open(&c, o, canon, 8080, &d);
		expect(cell, &d, t[i].allowed ? NULL : "authorized_keys permitopen");
		authkey_opts_free(o);
	}
}

static void test_ports(void)
{
	struct server_config c;
	struct policy_decision d;
	struct authkey_opts *o = key_opts("permitopen=\"*:*\",permitlisten=\"*\"");
	static char star_port[] = "*:*", star[] = "*", any[] = "any";

	cfg_init(&c, FWD_ALLOW_ALL);
	/* ports above 65535 never reach a list, not even one that allows any port */
	c.permit_open[0] = star_port;
	c.n_permit_open = 1;
	c.permit_listen[0] = star;
	c.n_permit_listen = 1;
	policy_check_open(&c, o, "127.0.0.1", 65535, &d);
	expect("open 65535", &d, NULL);
	policy_check_open(&c, o, "127.0.0.1", 65536, &d);
	expect("open 65536", &d, "port above 65535");
	policy_check_open(&c, o, "127.0.0.1", 4294967295u, &d);
	expect("open 4294967295", &d, "port above 65535");
	/* 65536 + 8080 must not wrap onto 8080 */
	c.permit_open[0] = (char *)"127.0.0.1:8080";
	policy_check_open(&c, NULL, "127.0.0.1", 65536 + 8080, &d);
	expect("open 73616", &d, "port above 65535");
	c.permit_open[0] = any;

	policy_check_listen(&c, o, "", 65535, 1000, &d);
	expect("listen 65535", &d, NULL);
	policy_check_listen(&c, o, "", 65536, 1000, &d);
	expect("listen 65536", &d, "port above 65535");
	policy_check_listen(&c, o, "", 4294967295u, 0, &d);
	expect("listen 4294967295 root", &d, "port above 65535");

	/* privileged ports: 1..1023 only for uid 0; 0 asks for any port */
	policy_check_listen(&c, o, "localhost", 1023, 1000, &d);
	expect("listen 1023 user", &d, "privileged port");
	policy_check_listen(&c, o, "localhost", 1, 1000, &d);
	expect("listen 1 user", &d, "privileged port");
	policy_check_listen(&c, o, "localhost", 80, 1, &d);
	expect("listen 80 uid 1", &d, "privileged port");
	policy_check_listen(&c, o, "localhost", 80, 0, &d);
	expect("listen 80 root", &d, NULL);
	policy_check_listen(&c, o, "localhost", 1024, 1000, &d);
	expect("listen 1024 user", &d, NULL);
	policy_check_listen(&c, o, "localhost", 0, 1000, &d);
	expect("listen 0 user", &d, NULL);
	/* a privileged port is refused before the lists say anything */
	c.permit_listen[0] = (char *)"none";
	policy_check_listen(&c, o, "localhost", 22, 1000, &d);
	expect("listen 22 user, PermitListen none", &d, "privileged port");
	authkey_opts_free(o);
}

/* PermitListen forms, compared with the address the client asked to bind. */
static void test_listen_forms(void)
{
	static const struct {
		const char *rule, *bind;
		uint32_t port;
		int allowed;
	} t[] = {
		{ "8080", "", 8080, 1 },
		{ "8080", "localhost", 8080, 1 },
		{ "8080", "0.0.0.0", 8080, 1 },
		{ "8080", "::1", 8080, 1 },
		{ "8080", "localhost", 8081, 0 },
		{ "8080", "localhost", 0, 0 },           /* port 0 needs "*" */
		{ "*", "localhost", 0, 1 },
		{ "*:*", "", 12345, 1 },
		{ "localhost:8080", "localhost", 8080, 1 },
		{ "localhost:8080", "LOCALHOST.", 8080, 1 },
		{ "localhost:8080", "", 8080, 0 },       /* every address is more than localhost */
		{ "localhost:8080", "0.0.0.0", 8080, 0 },
		{ "localhost:8080", "127.0.0.1", 8080, 0 },
		{ "127.0.0.1:8080", "127.1", 8080, 1 },
		{ "127.0.0.1:8080", "0x7f000001", 8080, 1 },
		{ "[::1]:8080", "0:0:0:0:0:0:0:1", 8080, 1 },
		{ "0.0.0.0:8080", "0.0.0.0", 8080, 1 },
		{ "0.0.0.0:8080", "", 8080, 0 },
		{ "*:8080", "", 8080, 1 },
		{ "*:8080", "192.0.2.1", 8080, 1 },
		{ "any", "192.0.2.1", 4444, 1 },
		{ "none", "localhost", 8080, 0 },
		{ "bogus:port", "localhost", 8080, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct server_config c;
		struct policy_decision d;
		char cell[200];

		cfg_init(&c, FWD_ALLOW_ALL);
		c.permit_listen[0] = (char *)t[i].rule;
		c.n_permit_listen = 1;
		snprintf(cell, sizeof(cell), "PermitListen %s vs '%s':%u", t[i].rule, t[i].bind,
			 t[i].port);
		policy_check_listen(&c, NULL, t[i].bind, t[i].port, 1000, &d);
		expect(cell, &d, t[i].allowed ? NULL : "PermitListen");
	}
	/* both lists must allow: the administrator's and the key's */
	{
		struct authkey_opts *o = key_opts("permitlisten=\"localhost:8080\"");
		struct server_config c;
		struct policy_decision d;

		cfg_init(&c, FWD_ALLOW_ALL);
		c.permit_listen[0] = (char *)"9090";
		c.permit_listen[1] = (char *)"8080";
		c.n_permit_listen = 2;
		policy_check_listen(&c, o, "localhost", 8080, 1000, &d);
		expect("both allow", &d, NULL);
		policy_check_listen(&c, o, "localhost", 9090, 1000, &d);
		expect("key refuses", &d, "authorized_keys permitlisten");
		c.n_permit_listen = 1;
		policy_check_listen(&c, o, "localhost", 8080, 1000, &d);
		expect("admin refuses", &d, "PermitListen");
		/* a malformed bind address is refused outright */
		c.n_permit_listen = 0;
		policy_check_listen(&c, NULL, "local host", 8080, 1000, &d);
		expect("bad bind", &d, "malformed host");
		authkey_opts_free(o);
	}
}

static void test_open_malformed(void)
{
	struct server_config c;
	struct policy_decision d;

	cfg_init(&c, FWD_ALLOW_ALL);
	policy_check_open(&c, NULL, "", 22, &d);
	expect("empty host", &d, "malformed host");
	policy_check_open(&c, NULL, "a b", 22, &d);
	expect("space in host", &d, "malformed host");
	policy_check_open(&c, NULL, NULL, 22, &d);
	expect("NULL host", &d, "malformed host");
	policy_check_open(&c, NULL, "example.org", 22, &d);
	expect("no lists", &d, NULL);
}

int main(void)
{
	FILE *f = fopen(POLICY_TEST_KEY, "r");
	char *sp;

	CHECK(f != NULL);
	if (f == NULL)
		CHECK_DONE();
	CHECK(fgets(keyline, sizeof(keyline), f) != NULL);
	fclose(f);
	/* keep "type base64" */
	if ((sp = strchr(keyline, ' ')) != NULL && (sp = strpbrk(sp + 1, " \n")) != NULL)
		*sp = '\0';

	test_table();
	test_spellings();
	test_ports();
	test_listen_forms();
	test_open_malformed();
	CHECK_DONE();
}
