/* sshd_config AcceptEnv, Subsystem, PrintMotd, StrictModes and the StrictModes check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "capture.h"
#include "config/server_config.h"
#include "tmpfiles.h"
#include "util/err.h"
#include "util/log.h"

static void test_keywords(void)
{
	struct server_config c, m;
	struct scfg_conn_info ci = { "bob", "h", "127.0.0.1", "127.0.0.1", 22 };
	const char *msg;

	scfg_init(&c);
	CHECK_INT(scfg_apply(&c, "AcceptEnv LANG LC_*", "f", 1), 0);
	CHECK_INT(scfg_apply(&c, "AcceptEnv X", "f", 2), 0);
	CHECK_INT(scfg_apply(&c, "Subsystem sftp /usr/lib/openssh/sftp-server -l INFO", "f", 3), 0);
	CHECK_INT(scfg_apply(&c, "PrintMotd no", "f", 4), 0);
	CHECK_INT(scfg_apply(&c, "PrintMotd yes", "f", 5), 0);
	CHECK_INT(c.n_accept_env, 3);
	CHECK_STR(c.accept_env[2], "X");
	CHECK_INT(c.n_subsystems, 1);
	CHECK_STR(c.subsystems[0], "sftp /usr/lib/openssh/sftp-server -l INFO");
	CHECK_INT(c.print_motd, 0);
	CHECK_INT(c.strict_modes, -1);
	capture_start();
	CHECK(scfg_apply(&c, "Subsystem sftp /other", "f", 6) < 0);
	CHECK(scfg_apply(&c, "Subsystem x", "f", 7) < 0);
	CHECK(scfg_apply(&c, "AcceptEnv A=B", "f", 8) < 0);
	CHECK(scfg_apply(&c, "StrictModes maybe", "f", 9) < 0);
	msg = capture_end();
	CHECK_STR(msg, "f line 6: Subsystem 'sftp' already defined.\n"
		  "f line 7: Missing subsystem command.\n"
		  "f line 8: Invalid environment name.\n"
		  "f line 9: unsupported option \"maybe\".\n");
	/* Match: AcceptEnv of a matching block replaces the global list. */
	CHECK_INT(scfg_apply(&c, "Match User bob", "f", 10), ERR_FORMAT); /* not from -o */
	scfg_free(&c);

	scfg_init(&c);
	CHECK_INT(scfg_load_file(&c, write_file("m", "AcceptEnv A\nMatch User bob\n AcceptEnv B C\n"),
				 1), 0);
	CHECK_INT(scfg_finish(&c), 0);
	CHECK_INT(c.strict_modes, 1);
	CHECK_INT(c.print_motd, 1);
	CHECK_INT(scfg_copy(&c, &m), 0);
	CHECK_INT(scfg_apply_match(&m, &ci), 0);
	CHECK_INT(m.n_accept_env, 2);
	CHECK_STR(m.accept_env[0], "B");
	scfg_free(&m);
	scfg_free(&c);
}

static void test_strict_modes(void)
{
	char home[600], ssh[700], ak[800];
	const char *msg;

	snprintf(home, sizeof(home), "%s/home", tmpdir);
	snprintf(ssh, sizeof(ssh), "%s/.ssh", home);
	snprintf(ak, sizeof(ak), "%s/authorized_keys", ssh);
	CHECK_INT(mkdir(home, 0755), 0);
	CHECK_INT(mkdir(ssh, 0700), 0);
	fclose(fopen(ak, "w"));
	chmod(ak, 0600);
	/* Walks up to home only (tmpdir's parent /tmp is world-writable). */
	CHECK_INT(scfg_strict_modes_check(ak, getuid(), home), 0);
	chmod(ak, 0622);
	capture_start();
	CHECK_INT(scfg_strict_modes_check(ak, getuid(), home), ERR_PERMISSION);
	msg = capture_end();
	CHECK(strstr(msg, "Authentication refused: bad ownership or modes for file ") != NULL);
	chmod(ak, 0600);
	chmod(ssh, 0777);
	capture_start();
	CHECK_INT(scfg_strict_modes_check(ak, getuid(), home), ERR_PERMISSION);
	msg = capture_end();
	CHECK(strstr(msg, "bad ownership or modes for directory ") != NULL);
	chmod(ssh, 0700);
	/* Owned by someone else (not root, not the user). */
	if (getuid() == 0) {
		CHECK_INT(chown(ak, 65534, 65534), 0);
		capture_start();
		CHECK_INT(scfg_strict_modes_check(ak, 1000, home), ERR_PERMISSION);
		capture_end();
		CHECK_INT(chown(ak, 0, 0), 0);
	}
	/* Missing file: nothing to refuse. */
	CHECK_INT(scfg_strict_modes_check("/nonexistent/burrow/ak", getuid(), home), 0);
	unlink(ak);
	rmdir(ssh);
	rmdir(home);
}

int main(void)
{
	CHECK(mkdtemp(tmpdir) != NULL);
	log_init("test", LOG_INFO);
	test_keywords();
	test_strict_modes();
	CHECK_DONE();
}
