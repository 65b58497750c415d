/* Pattern lists and address lists (sshd_config(5) PATTERNS), as sshd decides them. */
#include "../check.h"
#include "config/match.h"
#include "util/err.h"

static void test_patterns(void)
{
	CHECK_INT(cfg_match_pattern("alice", "al*", 0), 1);
	CHECK_INT(cfg_match_pattern("alice", "a?ice", 0), 1);
	CHECK_INT(cfg_match_pattern("alice", "ALICE", 0), 0);
	CHECK_INT(cfg_match_pattern("alice", "ALICE", 1), 1);
	CHECK_INT(cfg_match_pattern("a.b.example.com", "*.example.com", 0), 1);
	CHECK_INT(cfg_match_pattern("example.com", "*.example.com", 0), 0);
	CHECK_INT(cfg_match_pattern("", "*", 0), 1);
	CHECK_INT(cfg_match_pattern("abc", "*b*c*", 0), 1);
	CHECK_INT(cfg_match_pattern("abc", "a?", 0), 0);

	CHECK_INT(cfg_match_pattern_list("bob", "alice,bob", 0), 1);
	CHECK_INT(cfg_match_pattern_list("carol", "alice,bob", 0), 0);
	/* Only negated entries never give a positive match (sshd "User !alice"). */
	CHECK_INT(cfg_match_pattern_list("bob", "!alice", 0), 0);
	CHECK_INT(cfg_match_pattern_list("alice", "!alice", 0), -1);
	CHECK_INT(cfg_match_pattern_list("bob", "!alice,*", 0), 1);
	CHECK_INT(cfg_match_pattern_list("alice", "*,!alice", 0), -1);
	CHECK_INT(cfg_match_pattern_list("bob", "alice,,bob", 0), 1);
	CHECK_INT(cfg_match_pattern_list("Host.Example.COM", "*.example.com", 1), 1);
	CHECK_INT(cfg_match_pattern_list("Host.Example.COM", "*.example.com", 0), 0);
	CHECK_INT(cfg_match_pattern_list("x", "", 0), 0);
}

static void test_addresses(void)
{
	/* IPv4 CIDR, plain addresses, patterns, negation. */
	CHECK_INT(cfg_match_addr_list("192.0.2.5", "192.0.2.0/24"), 1);
	CHECK_INT(cfg_match_addr_list("192.0.3.5", "192.0.2.0/24"), 0);
	CHECK_INT(cfg_match_addr_list("192.0.2.5", "192.0.2.5"), 1);
	CHECK_INT(cfg_match_addr_list("192.0.2.5", "192.0.2.5/32"), 1);
	CHECK_INT(cfg_match_addr_list("192.0.2.5", "192.0.2.*"), 1);
	CHECK_INT(cfg_match_addr_list("192.0.2.5", "!192.0.2.0/24,*"), -1);
	CHECK_INT(cfg_match_addr_list("192.0.4.5", "!192.0.2.0/24,*"), 1);
	CHECK_INT(cfg_match_addr_list("10.1.2.3", "10.0.0.0/8,!10.1.0.0/16"), -1);
	CHECK_INT(cfg_match_addr_list("10.2.2.3", "10.0.0.0/8,!10.1.0.0/16"), 1);
	CHECK_INT(cfg_match_addr_list("1.2.3.4", "0.0.0.0/0"), 1);
	CHECK_INT(cfg_match_addr_list("1.2.3.4", "1.2.3.0/024"), 1);
	CHECK_INT(cfg_match_addr_list("192.0.2.129", "192.0.2.128/25"), 1);
	CHECK_INT(cfg_match_addr_list("192.0.2.127", "192.0.2.128/25"), 0);
	/* IPv6, any spelling; families never cross. */
	CHECK_INT(cfg_match_addr_list("2001:db8::1", "2001:db8::/32"), 1);
	CHECK_INT(cfg_match_addr_list("2001:db9::1", "2001:db8::/32"), 0);
	CHECK_INT(cfg_match_addr_list("2001:db8::1", "2001:DB8::/32"), 1);
	CHECK_INT(cfg_match_addr_list("2001:db8:0:0::1", "2001:db8::1"), 1);
	CHECK_INT(cfg_match_addr_list("::1", "0.0.0.0/0"), 0);
	CHECK_INT(cfg_match_addr_list("1.2.3.4", "::/0"), 0);
	CHECK_INT(cfg_match_addr_list("::ffff:1.2.3.4", "1.2.3.0/24"), 0);
	CHECK_INT(cfg_match_addr_list("2001:db8::7", "!2001:db8::/48,*"), -1);
	CHECK_INT(cfg_match_addr_list("fe80::1", "fe80::/10"), 1);
	CHECK_INT(cfg_match_addr_list("fe80::1", "fe80::/11"), 1);
	CHECK_INT(cfg_match_addr_list("fec0::1", "fe80::/10"), 0);
	/* Not CIDR-shaped: a pattern that does not match, as in sshd. */
	CHECK_INT(cfg_match_addr_list("1.2.3.4", "1.2.3.4/"), 0);
	CHECK_INT(cfg_match_addr_list("1.2.3.4", "foo/24"), 0);
	/* Malformed CIDR: an error, also when only validating. */
	CHECK_INT(cfg_match_addr_list("1.2.3.4", "1.2.3.0/33"), ERR_FORMAT);
	CHECK_INT(cfg_match_addr_list("1.2.3.4", "1.2.3.1/24"), ERR_FORMAT);
	CHECK_INT(cfg_match_addr_list("1.2.3.4", "*,2001:db8::1/32"), ERR_FORMAT);
	CHECK_INT(cfg_match_addr_list(NULL, "1.2.3.0/24,!2001:db8::/32,foo*"), 0);
	CHECK_INT(cfg_match_addr_list(NULL, "2001:db8::/129"), ERR_FORMAT);
	/* A name never matches a CIDR entry. */
	CHECK_INT(cfg_match_addr_list("host.example", "1.2.3.0/24"), 0);
}

int main(void)
{
	test_patterns();
	test_addresses();
	CHECK_DONE();
}
