/* from= pattern lists, GatewayPorts bind addresses, Unix-socket forwarding. */
#include <string.h>

#include "../check.h"
#include "policy/policy.h"

static char keyline[1024];

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

static void test_from(void)
{
	static const struct {
		const char *from, *addr, *host;
		int allowed;
	} t[] = {
		{ "10.0.0.0/8", "10.1.2.3", NULL, 1 },
		{ "10.0.0.0/8", "11.1.2.3", NULL, 0 },
		{ "10.0.0.0/8,!10.1.0.0/16", "10.1.2.3", NULL, 0 },
		{ "10.0.0.0/8,!10.1.0.0/16", "10.2.2.3", NULL, 1 },
		{ "!10.1.0.0/16,10.0.0.0/8", "10.1.2.3", NULL, 0 }, /* order does not matter */
		{ "!10.1.0.0/16", "192.0.2.1", NULL, 0 },            /* only negations: nothing */
		{ "192.0.2.0/24", "192.0.2.255", "192.0.2.255", 1 },
		{ "192.0.2.0/25", "192.0.2.128", NULL, 0 },
		{ "192.0.2.1/32", "192.0.2.1", NULL, 1 },
		{ "0.0.0.0/0", "203.0.113.9", NULL, 1 },
		{ "2001:db8::/32", "2001:db8:ffff::1", NULL, 1 },
		{ "2001:db8::/32", "2001:db9::1", NULL, 0 },
		{ "2001:db8::/32", "10.0.0.1", NULL, 0 },             /* families never mix */
		{ "::1", "::1", NULL, 1 },
		{ "192.0.2.*", "192.0.2.77", NULL, 1 },               /* wildcards on addresses */
		{ "192.0.2.?", "192.0.2.77", NULL, 0 },
		{ "*.example.com", "203.0.113.1", "www.example.com", 1 },
		{ "*.example.com", "203.0.113.1", "WWW.Example.COM", 1 },
		{ "*.example.com", "203.0.113.1", "example.com", 0 },
		{ "*.example.com,!bad.example.com", "203.0.113.1", "bad.example.com", 0 },
		{ "10.0.0.0/8,!bad.example.com", "10.0.0.5", "bad.example.com", 0 },
		{ "*", "198.51.100.1", "any.where", 1 },
		{ "*,!198.51.100.1", "198.51.100.1", NULL, 0 },
		{ "10.0.0.1/8", "10.0.0.1", NULL, 0 },                /* host bits set: malformed */
		{ "10.0.0.0/33", "10.0.0.1", NULL, 0 },
		{ "10.0.0.0/8", NULL, NULL, 0 },                      /* no address: fail closed */
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int r = policy_from_allows(t[i].from, t[i].addr, t[i].host);

		if (r != t[i].allowed)
			fprintf(stderr, "  from=\"%s\" vs %s/%s: got %d\n", t[i].from,
				t[i].addr ? t[i].addr : "-", t[i].host ? t[i].host : "-", r);
		CHECK_INT(r, t[i].allowed);
	}
	/* no from= at all allows everyone */
	CHECK_INT(policy_from_allows(NULL, "192.0.2.1", NULL), 1);
}

static void test_gateway_ports(void)
{
	static const struct {
		int gp;
		const char *req;
		const char *bind; /* NULL: loopback */
	} t[] = {
		{ GATEWAY_NO, "", NULL },
		{ GATEWAY_NO, "0.0.0.0", NULL },
		{ GATEWAY_NO, "::", NULL },
		{ GATEWAY_NO, "*", NULL },
		{ GATEWAY_NO, "localhost", NULL },
		{ GATEWAY_NO, "127.0.0.1", NULL },
		{ GATEWAY_NO, "192.0.2.1", NULL },
		{ GATEWAY_NO, NULL, NULL },
		{ GATEWAY_YES, "", "" },
		{ GATEWAY_YES, "localhost", "" },
		{ GATEWAY_YES, "127.0.0.1", "" },
		{ GATEWAY_YES, "::1", "" },
		{ GATEWAY_YES, "192.0.2.1", "" },
		{ GATEWAY_CLIENTSPECIFIED, "", "" },
		{ GATEWAY_CLIENTSPECIFIED, NULL, "" },
		{ GATEWAY_CLIENTSPECIFIED, "0.0.0.0", "" },
		{ GATEWAY_CLIENTSPECIFIED, "::", "" },
		{ GATEWAY_CLIENTSPECIFIED, "*", "" },
		{ GATEWAY_CLIENTSPECIFIED, "localhost", NULL },
		{ GATEWAY_CLIENTSPECIFIED, "LOCALHOST", NULL },
		{ GATEWAY_CLIENTSPECIFIED, "127.0.0.1", "127.0.0.1" },
		{ GATEWAY_CLIENTSPECIFIED, "::1", "::1" },
		{ GATEWAY_CLIENTSPECIFIED, "192.0.2.1", "192.0.2.1" },
		{ GATEWAY_CLIENTSPECIFIED, "host.example", "host.example" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct server_config c;
		const char *bind = "unset";

		memset(&c, 0, sizeof(c));
		c.gateway_ports = t[i].gp;
		policy_listen_address(&c, t[i].req, &bind);
		if (t[i].bind == NULL) {
			if (bind != NULL)
				fprintf(stderr, "  GatewayPorts %d '%s': got '%s', want loopback\n",
					t[i].gp, t[i].req ? t[i].req : "(null)", bind);
			CHECK(bind == NULL);
		} else {
			CHECK(bind != NULL && strcmp(bind, t[i].bind) == 0);
		}
	}
}

static void test_streamlocal(void)
{
	static const struct {
		int allow;
		int remote;
		const char *key;
		const char *rule; /* NULL: allowed */
	} t[] = {
		{ FWD_ALLOW_ALL, 0, NULL, NULL },
		{ FWD_ALLOW_ALL, 1, NULL, NULL },
		{ FWD_ALLOW_LOCAL, 0, NULL, NULL },
		{ FWD_ALLOW_LOCAL, 1, NULL, "AllowStreamLocalForwarding local" },
		{ FWD_ALLOW_REMOTE, 0, NULL, "AllowStreamLocalForwarding remote" },
		{ FWD_ALLOW_REMOTE, 1, NULL, NULL },
		{ FWD_ALLOW_NO, 0, NULL, "AllowStreamLocalForwarding no" },
		{ FWD_ALLOW_NO, 1, "restrict", "AllowStreamLocalForwarding no" },
		{ FWD_ALLOW_ALL, 0, "restrict", "authorized_keys restrict" },
		{ FWD_ALLOW_ALL, 1, "no-port-forwarding", "authorized_keys no-port-forwarding" },
		{ FWD_ALLOW_ALL, 1, "restrict,port-forwarding", NULL },
		{ FWD_ALLOW_ALL, 0, "no-pty", NULL },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct authkey_opts *o = key_opts(t[i].key);
		struct server_config c;
		struct policy_decision d;

		memset(&c, 0, sizeof(c));
		c.allow_tcp_forwarding = FWD_ALLOW_NO; /* TCP settings do not matter here */
		c.allow_streamlocal_forwarding = t[i].allow;
		policy_check_streamlocal(&c, o, t[i].remote, &d);
		if (t[i].rule == NULL) {
			CHECK_INT(d.allowed, 1);
			CHECK(d.rule == NULL);
		} else {
			CHECK_INT(d.allowed, 0);
			CHECK(d.rule != NULL && strcmp(d.rule, t[i].rule) == 0);
		}
		c.disable_forwarding = 1;
		policy_check_streamlocal(&c, o, t[i].remote, &d);
		CHECK_INT(d.allowed, 0);
		CHECK(d.rule != NULL && strcmp(d.rule, "DisableForwarding") == 0);
		authkey_opts_free(o);
	}
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
	if ((sp = strchr(keyline, ' ')) != NULL && (sp = strpbrk(sp + 1, " \n")) != NULL)
		*sp = '\0';

	test_from();
	test_gateway_ports();
	test_streamlocal();
	CHECK_DONE();
}
