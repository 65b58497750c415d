/* Lexer, time/size values and RekeyLimit parsing. */
#include <stdint.h>
#include <string.h>

#include "../check.h"
#include "config/client_config.h"
#include "config/lexer.h"
#include "config/values.h"
#include "util/err.h"
#include "util/log.h"

static void test_lexer(void)
{
	struct cfg_line l;

	CHECK_INT(cfg_lex("Port=2222", &l), 0);
	CHECK_STR(l.keyword, "Port");
	CHECK_INT(l.nargs, 1);
	CHECK_STR(l.args[0], "2222");
	cfg_line_free(&l);

	CHECK_INT(cfg_lex("  Port = 2222  ", &l), 0);
	CHECK_STR(l.keyword, "Port");
	CHECK_INT(l.nargs, 1);
	CHECK_STR(l.args[0], "2222");
	cfg_line_free(&l);

	CHECK_INT(cfg_lex("\tPort\t2222 # comment\n", &l), 0);
	CHECK_STR(l.keyword, "Port");
	CHECK_INT(l.nargs, 1);
	CHECK_STR(l.args[0], "2222");
	cfg_line_free(&l);

	/* '=' once only: the second one belongs to the value, as ssh does. */
	CHECK_INT(cfg_lex("Port==2", &l), 0);
	CHECK_STR(l.args[0], "=2");
	cfg_line_free(&l);

	CHECK_INT(cfg_lex("AuthorizedKeysFile \"a b\" c'd e' x\\\"y abc#def", &l), 0);
	CHECK_INT(l.nargs, 4);
	CHECK_STR(l.args[0], "a b");
	CHECK_STR(l.args[1], "cd e");
	CHECK_STR(l.args[2], "x\"y");
	CHECK_STR(l.args[3], "abc#def");
	cfg_line_free(&l);

	CHECK_INT(cfg_lex("User \"\"", &l), 0);
	CHECK_INT(l.nargs, 1);
	CHECK_STR(l.args[0], "");
	cfg_line_free(&l);

	CHECK_INT(cfg_lex("User", &l), 0);
	CHECK_INT(l.nargs, 0);
	cfg_line_free(&l);

	CHECK_INT(cfg_lex("   # just a comment", &l), 0);
	CHECK(l.keyword == NULL);
	cfg_line_free(&l);
	CHECK_INT(cfg_lex("", &l), 0);
	CHECK(l.keyword == NULL);
	cfg_line_free(&l);

	CHECK_INT(cfg_lex("User \"abc", &l), ERR_FORMAT);
	CHECK_INT(cfg_lex("User a\"b", &l), ERR_FORMAT);
}

static void test_time(void)
{
	static const struct { const char *in; int64_t secs; } good[] = {
		{ "0", 0 }, { "90", 90 }, { "10s", 10 }, { "2m", 120 }, { "1h30m", 5400 },
		{ "1d", 86400 }, { "1w", 604800 }, { "1W", 604800 }, { "1h1m1s", 3661 },
		{ "2147483647", 2147483647 },
	};
	static const char *const bad[] = {
		"", "x", "1x", "-5", "1mm", "m", "2147483648", "1 m", "99999999999999999999",
	};
	int64_t t;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		t = -1;
		CHECK_INT(cfg_parse_time(good[i].in, &t), 0);
		CHECK_INT(t, good[i].secs);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = -7;
		CHECK_INT(cfg_parse_time(bad[i], &t), ERR_FORMAT);
		CHECK_INT(t, -7); /* untouched on error */
	}
}

static void test_misc_values(void)
{
	CHECK_INT(cfg_parse_yesno("yes"), 1);
	CHECK_INT(cfg_parse_yesno("TRUE"), 1);
	CHECK_INT(cfg_parse_yesno("No"), 0);
	CHECK_INT(cfg_parse_yesno("false"), 0);
	CHECK_INT(cfg_parse_yesno("1"), -1);
	CHECK_INT(cfg_parse_log_level("info"), LOG_INFO);
	CHECK_INT(cfg_parse_log_level("INFO"), LOG_INFO);
	CHECK_INT(cfg_parse_log_level("Debug"), LOG_DEBUG1);
	CHECK_INT(cfg_parse_log_level("DEBUG3"), LOG_DEBUG3);
	CHECK_INT(cfg_parse_log_level("quiet"), LOG_QUIET);
	CHECK_INT(cfg_parse_log_level("loud"), -1);
	CHECK_STR(cfg_log_level_name(LOG_INFO), "INFO");
	CHECK_STR(cfg_log_level_name(LOG_DEBUG1), "DEBUG");
	CHECK_INT(cfg_parse_port("1"), 1);
	CHECK_INT(cfg_parse_port("65535"), 65535);
	CHECK_INT(cfg_parse_port("0"), -1);
	CHECK_INT(cfg_parse_port("65536"), -1);
	CHECK_INT(cfg_parse_port("22x"), -1);
	CHECK_INT(cfg_parse_port(""), -1);
	CHECK_INT(cfg_parse_port("-1"), -1);
}

static void test_rekey(void)
{
	static const struct { const char *in; int64_t bytes, secs; } good[] = {
		{ "default none", 0, 0 }, { "1G 1h", 1073741824, 3600 }, { "512K", 524288, 0 },
		{ "default 30m", 0, 1800 }, { "1g", 1073741824, 0 },
		{ "1T", 1099511627776LL, 0 }, { "4G", 4294967296LL, 0 },
		{ "1M 1h30m", 1048576, 5400 }, { "1M 90", 1048576, 90 }, { "1M 0", 1048576, 0 },
		{ "0", 0, 0 }, { "16", 16, 0 }, { "1.5G", 1610612736, 0 },
		{ "16 1w", 16, 604800 }, { "1M none", 1048576, 0 }, { "\"1M\" \"1h\"", 1048576, 3600 },
		{ "100B", 100, 0 }, { "7E", 8070450532247928832LL, 0 },
	};
	static const struct { const char *in; int err; } bad[] = {
		{ "1", ERR_INVALID_ARG }, { "15", ERR_INVALID_ARG }, { "-1", ERR_INVALID_ARG },
		{ "none", ERR_FORMAT }, { "DEFAULT", ERR_FORMAT }, { "1X", ERR_FORMAT },
		{ "1K1", ERR_FORMAT }, { "1G 1x", ERR_FORMAT }, { "1M default", ERR_FORMAT },
		{ "1M -5", ERR_FORMAT }, { "8E", ERR_TOO_LARGE },
		{ "99999999999999999999", ERR_TOO_LARGE }, { "1M 2147483648", ERR_FORMAT },
		{ "1M 1h 2", ERR_FORMAT }, { "", ERR_FORMAT }, { "\"1M", ERR_FORMAT },
	};
	int64_t b, s;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		b = s = -1;
		CHECK_INT(cfg_parse_rekey_limit(good[i].in, &b, &s), 0);
		CHECK_INT(b, good[i].bytes);
		CHECK_INT(s, good[i].secs);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = s = -9;
		CHECK_INT(cfg_parse_rekey_limit(bad[i].in, &b, &s), bad[i].err);
		CHECK_INT(b, -9);
		CHECK_INT(s, -9);
	}
}

int main(void)
{
	test_lexer();
	test_time();
	test_misc_values();
	test_rekey();
	CHECK_DONE();
}
