/* Control socket options: -S, -M, -O, ControlPath, ControlMaster, ControlPersist. */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "capture.h"
#include "parse_args.h"
#include "config/client_config.h"
#include "util/err.h"

static int finish(struct client_config *c)
{
	int r;

	capture_start();
	r = cfg_client_finish(c);
	(void)capture_end();
	return r;
}

static void test_flags(void)
{
	struct client_config c;
	const char *msg;

	CHECK_INT(parse(&c, &msg, "burrow", "-M", "-S", "/tmp/ctl-%h-%p-%r", "-l", "u", "-p", "2222",
			"example.org", NULL), 0);
	CHECK_INT(c.control_master, CFG_CM_YES);
	CHECK_INT(finish(&c), 0);
	CHECK_STR(c.control_path, "/tmp/ctl-example.org-2222-u");
	CHECK_INT(c.control_persist, 0);
	CHECK(c.control_command == NULL);
	cfg_client_free(&c);

	/* -MM: ask; -S given first wins over ControlPath. */
	CHECK_INT(parse(&c, &msg, "burrow", "-MM", "-S", "/a", "-o", "ControlPath=/b", "h", NULL), 0);
	CHECK_INT(c.control_master, CFG_CM_ASK);
	CHECK_STR(c.control_path, "/a");
	cfg_client_free(&c);

	/* -O status --json, options after the destination as ssh allows. */
	CHECK_INT(parse(&c, &msg, "burrow", "-S", "/a", "h", "-O", "status", "--json", NULL), 0);
	CHECK_STR(c.control_command, "status");
	CHECK_INT(c.control_json, 1);
	CHECK(c.command == NULL);
	cfg_client_free(&c);

	CHECK(parse(&c, &msg, "burrow", "-O", "bogus", "h", NULL) < 0);
	CHECK_STR(msg, "Invalid multiplex command.\n");
	cfg_client_free(&c);

	/* Without -O, --json is not an option. */
	CHECK(parse(&c, &msg, "burrow", "--json", "h", NULL) < 0);
	cfg_client_free(&c);
}

static void test_keywords(void)
{
	struct client_config c;
	const char *msg;

	CHECK_INT(parse(&c, &msg, "burrow", "-o", "ControlMaster=auto", "-o", "ControlPersist=10m",
			"-o", "ControlPath=none", "h", NULL), 0);
	CHECK_INT(c.control_master, CFG_CM_AUTO);
	CHECK_INT(c.control_persist, 600);
	CHECK_INT(finish(&c), 0);
	CHECK(c.control_path == NULL);
	cfg_client_free(&c);

	CHECK_INT(parse(&c, &msg, "burrow", "-o", "ControlPersist=yes", "h", NULL), 0);
	CHECK_INT(c.control_persist, -2);
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-o", "ControlPersist=0", "h", NULL), 0);
	CHECK_INT(c.control_persist, -2);
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-o", "ControlPersist=no", "h", NULL), 0);
	CHECK_INT(c.control_persist, 0);
	cfg_client_free(&c);

	CHECK(parse(&c, &msg, "burrow", "-o", "ControlMaster=maybe", "h", NULL) < 0);
	CHECK(strstr(msg, "unsupported option \"maybe\"") != NULL);
	cfg_client_free(&c);
	CHECK(parse(&c, &msg, "burrow", "-o", "ControlPersist=soon", "h", NULL) < 0);
	CHECK(strstr(msg, "Bad ControlPersist argument") != NULL);
	cfg_client_free(&c);
}

int main(void)
{
	test_flags();
	test_keywords();
	return check_failures != 0;
}
