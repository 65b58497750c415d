/* Canonical host forms: every spelling of one address gives one string. */
#include <string.h>

#include "../check.h"
#include "policy/policy.h"
#include "util/err.h"

static const struct {
	const char *in;
	const char *out; /* NULL: must be refused */
} canon_table[] = {
	/* IPv4 in every inet_aton spelling */
	{ "127.0.0.1", "127.0.0.1" },
	{ "127.1", "127.0.0.1" },
	{ "127.0.1", "127.0.0.1" },
	{ "0x7f000001", "127.0.0.1" },
	{ "0X7F000001", "127.0.0.1" },
	{ "2130706433", "127.0.0.1" },
	{ "0177.0.0.1", "127.0.0.1" },
	{ "0x7f.1", "127.0.0.1" },
	{ "127.0.0.1.", "127.0.0.1" },
	{ "127.1..", "127.0.0.1" },
	{ "[127.0.0.1]", "127.0.0.1" },
	{ "10.0.0.010", "10.0.0.8" },   /* leading zero is octal, as the resolver reads it */
	{ "192.168.1.255", "192.168.1.255" },
	{ "0", "0.0.0.0" },
	{ "0.0.0.0", "0.0.0.0" },
	/* IPv6: RFC 5952 text, brackets stripped, v4-mapped as IPv4 */
	{ "::1", "::1" },
	{ "[::1]", "::1" },
	{ "0:0:0:0:0:0:0:1", "::1" },
	{ "0000:0000:0000:0000:0000:0000:0000:0001", "::1" },
	{ "[0:0:0:0:0:0:0:1]", "::1" },
	{ "::ffff:127.0.0.1", "127.0.0.1" },
	{ "[::ffff:127.0.0.1]", "127.0.0.1" },
	{ "::ffff:7f00:1", "127.0.0.1" },
	{ "2001:DB8::A", "2001:db8::a" },
	{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
	{ "::", "::" },
	/* names: lower case, no trailing dots */
	{ "localhost", "localhost" },
	{ "LOCALHOST.", "localhost" },
	{ "Localhost", "localhost" },
	{ "localhost...", "localhost" },
	{ "Host.Example.COM.", "host.example.com" },
	{ "under_score-1.example", "under_score-1.example" },
	{ "deadbeef", "deadbeef" },
	{ "1.2.3.4.5", "1.2.3.4.5" },
	/* refused */
	{ "", NULL },
	{ ".", NULL },
	{ "...", NULL },
	{ "[]", NULL },
	{ "[", NULL },
	{ "local host", NULL },
	{ " localhost", NULL },
	{ "localhost ", NULL },
	{ "127.0.0.1 junk", NULL },  /* inet_aton would take the prefix */
	{ "127.0.0.1\t", NULL },
	{ "local\nhost", NULL },
	{ "local\x7fhost", NULL },
	{ "local\x01host", NULL },
	{ "h\xc3\xa9llo", NULL },
	{ "fe80::1%eth0", NULL },
	{ "1::2::3", NULL },
	{ "host:22", NULL },
	{ "a/b", NULL },
};

static void test_table(void)
{
	for (size_t i = 0; i < sizeof(canon_table) / sizeof(canon_table[0]); i++) {
		char out[300] = "unchanged";
		int r = policy_canon_host(canon_table[i].in, out, sizeof(out));

		if (canon_table[i].out == NULL) {
			if (r == 0)
				fprintf(stderr, "  '%s' should be refused, got '%s'\n",
					canon_table[i].in, out);
			CHECK_INT(r, ERR_FORMAT);
			CHECK_STR(out, "unchanged");
		} else {
			if (r != 0 || strcmp(out, canon_table[i].out) != 0)
				fprintf(stderr, "  '%s': got %d '%s', want '%s'\n", canon_table[i].in,
					r, out, canon_table[i].out);
			CHECK_INT(r, 0);
			CHECK_STR(out, canon_table[i].out);
			/* canonical forms are fixed points */
			{
				char again[300];

				CHECK_INT(policy_canon_host(out, again, sizeof(again)), 0);
				CHECK_STR(again, out);
			}
		}
	}
}

static void test_limits(void)
{
	char name[300], out[300];

	/* 255 characters is the longest name; one more is refused */
	memset(name, 'a', 255);
	name[255] = '\0';
	CHECK_INT(policy_canon_host(name, out, sizeof(out)), 0);
	CHECK_INT(strlen(out), 255);
	name[255] = 'a';
	name[256] = '\0';
	CHECK_INT(policy_canon_host(name, out, sizeof(out)), ERR_FORMAT);
	/* the output buffer is respected */
	CHECK_INT(policy_canon_host("127.1", out, 9), ERR_TOO_LARGE);
	CHECK_INT(policy_canon_host("127.1", out, 10), 0);
	CHECK_STR(out, "127.0.0.1");
	CHECK_INT(policy_canon_host("LOCALHOST", out, 9), ERR_TOO_LARGE);
	CHECK_INT(policy_canon_host("LOCALHOST", out, 10), 0);
	CHECK_STR(out, "localhost");
	CHECK_INT(policy_canon_host(NULL, out, sizeof(out)), ERR_INVALID_ARG);
}

int main(void)
{
	test_table();
	test_limits();
	CHECK_DONE();
}
