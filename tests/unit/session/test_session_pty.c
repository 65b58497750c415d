/* Encoded terminal modes (RFC 4254 8) and the server's pty-req, window-change, env, signal. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "../check.h"
#include "session/session.h"
#include "session/session_pty.h"
#include "util/err.h"
#include "wire/buf.h"

/* The argument of opcode op in an encoded mode list, or -1. */
static long find_op(const struct buf *b, uint8_t op)
{
	const uint8_t *p = buf_ptr(b);
	size_t n = buf_len(b);

	for (size_t i = 0; i + 5 <= n; i += 5) {
		if (p[i] == 0)
			return -1;
		if (p[i] == op)
			return (long)get_u32be(p + i + 1);
	}
	return -1;
}

static void test_encode(void)
{
	struct termios t;
	struct buf b;

	memset(&t, 0, sizeof(t));
	t.c_lflag = ICANON | ECHO | ISIG;
	t.c_iflag = ICRNL | IUTF8;
	t.c_oflag = OPOST | ONLCR;
	t.c_cflag = CS8 | CREAD;
	t.c_cc[VINTR] = 3;
	t.c_cc[VERASE] = 0x7f;
	t.c_cc[VEOL] = _POSIX_VDISABLE;
	cfsetispeed(&t, B38400);
	cfsetospeed(&t, B38400); /* Linux keeps one speed for both */
	buf_init(&b);
	CHECK_INT(session_modes_encode(&t, &b), 0);
	CHECK_INT(buf_len(&b) % 5, 1);                 /* 5-byte entries, then TTY_OP_END */
	CHECK_INT(buf_ptr(&b)[buf_len(&b) - 1], 0);
	CHECK_INT(find_op(&b, 1), 3);                  /* VINTR */
	CHECK_INT(find_op(&b, 3), 0x7f);               /* VERASE */
	CHECK_INT(find_op(&b, 6), 255);                /* VEOL disabled */
	CHECK_INT(find_op(&b, 51), 1);                 /* ICANON */
	CHECK_INT(find_op(&b, 53), 1);                 /* ECHO */
	CHECK_INT(find_op(&b, 59), 0);                 /* IEXTEN */
	CHECK_INT(find_op(&b, 36), 1);                 /* ICRNL */
	CHECK_INT(find_op(&b, 42), 1);                 /* IUTF8 */
	CHECK_INT(find_op(&b, 72), 1);                 /* ONLCR */
	CHECK_INT(find_op(&b, 90), 0);                 /* CS7 */
	CHECK_INT(find_op(&b, 91), 1);                 /* CS8 */
	CHECK_INT(find_op(&b, 128), 38400);
	CHECK_INT(find_op(&b, 129), 38400);
	buf_free(&b);
}

static void test_apply(void)
{
	/* ECHO 0, VINTR ^B, CS7 1, ISPEED 19200, IXON 1, opcode 11 (VDSUSP: unknown here), END. */
	static const uint8_t modes[] = {
		53, 0, 0, 0, 0,  1, 0, 0, 0, 2,  90, 0, 0, 0, 1,
		128, 0, 0, 0x4b, 0x00,  38, 0, 0, 0, 1,  11, 0, 0, 0, 25,  0,
		/* after TTY_OP_END: ignored */ 53, 0, 0, 0, 1,
	};
	static const uint8_t undefined[] = { 51, 0, 0, 0, 0, 160, 53, 0, 0 };
	static const uint8_t truncated[] = { 51, 0, 0, 0 };
	static const uint8_t disabled[] = { 2, 0, 0, 0, 255, 0 };
	struct termios t, orig;

	memset(&orig, 0, sizeof(orig));
	orig.c_lflag = ECHO | ICANON;
	orig.c_cflag = CS8;
	orig.c_cc[VINTR] = 3;
	orig.c_cc[VQUIT] = 0x1c;
	t = orig;
	CHECK_INT(session_modes_apply(&t, modes, sizeof(modes)), 0);
	CHECK((t.c_lflag & ECHO) == 0);
	CHECK((t.c_lflag & ICANON) != 0);
	CHECK_INT(t.c_cc[VINTR], 2);
	CHECK_INT(t.c_cflag & CSIZE, CS7);
	CHECK_INT(cfgetispeed(&t), B19200);
	CHECK((t.c_iflag & IXON) != 0);

	/* An undefined opcode (160+) ends the list: ICANON cleared, ECHO left. */
	t = orig;
	CHECK_INT(session_modes_apply(&t, undefined, sizeof(undefined)), 0);
	CHECK((t.c_lflag & ICANON) == 0);
	CHECK((t.c_lflag & ECHO) != 0);

	/* A truncated argument fails and changes nothing. */
	t = orig;
	CHECK(session_modes_apply(&t, truncated, sizeof(truncated)) != 0);
	CHECK_MEM(&t, &orig, sizeof(t));

	/* 255 disables a control character. */
	t = orig;
	CHECK_INT(session_modes_apply(&t, disabled, sizeof(disabled)), 0);
	CHECK_INT(t.c_cc[VQUIT], _POSIX_VDISABLE);

	/* Round trip through the encoder. */
	{
		struct termios a, back;
		struct buf b;

		memset(&a, 0, sizeof(a));
		a.c_lflag = ISIG | ECHOE | IEXTEN;
		a.c_iflag = IXOFF | IGNPAR;
		a.c_oflag = OPOST;
		a.c_cflag = CS8 | PARENB;
		a.c_cc[VEOF] = 4;
		a.c_cc[VSUSP] = 0x1a;
		cfsetispeed(&a, B115200);
		cfsetospeed(&a, B115200);
		memset(&back, 0, sizeof(back));
		buf_init(&b);
		CHECK_INT(session_modes_encode(&a, &b), 0);
		CHECK_INT(session_modes_apply(&back, buf_ptr(&b), buf_len(&b)), 0);
		CHECK_INT(back.c_lflag, a.c_lflag);
		CHECK_INT(back.c_iflag, a.c_iflag);
		CHECK_INT(back.c_oflag, a.c_oflag);
		CHECK_INT(back.c_cflag & (CSIZE | PARENB | PARODD), a.c_cflag & (CSIZE | PARENB | PARODD));
		CHECK_INT(back.c_cc[VEOF], 4);
		CHECK_INT(back.c_cc[VSUSP], 0x1a);
		CHECK_INT(cfgetospeed(&back), B115200);
		buf_free(&b);
	}
}

static void test_names(void)
{
	CHECK_INT(session_signal_number("TERM"), SIGTERM);
	CHECK_INT(session_signal_number("USR2"), SIGUSR2);
	CHECK_INT(session_signal_number("SIGTERM"), -1);
	CHECK_INT(session_signal_number("term"), -1);
	CHECK_INT(session_signal_number("STOP"), -1);
	CHECK_STR(session_signal_name(SIGKILL), "KILL");
	CHECK(session_signal_name(SIGSTOP) == NULL);
}

static void test_accept_env(void)
{
	char *pats[] = { "LANG", "LC_*", "!LC_SECRET", "X?" };

	CHECK_INT(session_env_accepted("LANG", pats, 4), 1);
	CHECK_INT(session_env_accepted("LC_ALL", pats, 4), 1);
	CHECK_INT(session_env_accepted("LC_SECRET", pats, 4), 0);
	CHECK_INT(session_env_accepted("XY", pats, 4), 1);
	CHECK_INT(session_env_accepted("XYZ", pats, 4), 0);
	CHECK_INT(session_env_accepted("LANGUAGE", pats, 4), 0);
	CHECK_INT(session_env_accepted("LANG", pats, 0), 0);
}

/* Run one request with the given payload. */
static int req(struct session_tty *t, const struct session_server *srv, pid_t pid,
	       const char *type, const struct buf *b)
{
	struct rd rd;

	rd_init(&rd, buf_ptr(b), buf_len(b));
	return session_tty_request(t, srv, pid, type, &rd);
}

static void put_size(struct buf *b, uint32_t cols, uint32_t rows)
{
	buf_put_u32(b, cols);
	buf_put_u32(b, rows);
	buf_put_u32(b, 0);
	buf_put_u32(b, 0);
}

static void test_pty_and_window_change(void)
{
	struct session_server srv;
	struct session_tty t;
	struct termios tio;
	struct winsize ws;
	struct buf b, modes;

	memset(&srv, 0, sizeof(srv));
	session_tty_init(&t);
	buf_init(&b);
	buf_init(&modes);
	/* VINTR ^B and -ECHO must reach the new terminal. */
	buf_put_u8(&modes, 1);
	buf_put_u32(&modes, 2);
	buf_put_u8(&modes, 53);
	buf_put_u32(&modes, 0);
	buf_put_u8(&modes, 0);
	buf_put_cstring(&b, "xterm-test");
	put_size(&b, 132, 43);
	buf_put_stringb(&b, &modes);
	CHECK_INT(req(&t, &srv, 0, "pty-req", &b), 0);
	CHECK(session_tty_has_pty(&t));
	CHECK_STR(t.term, "xterm-test");
	CHECK(strncmp(t.name, "/dev/pts/", 9) == 0);
	CHECK_INT(ioctl(t.master, TIOCGWINSZ, &ws), 0);
	CHECK_INT(ws.ws_col, 132);
	CHECK_INT(ws.ws_row, 43);
	CHECK_INT(tcgetattr(t.slave, &tio), 0);
	CHECK_INT(tio.c_cc[VINTR], 2);
	CHECK((tio.c_lflag & ECHO) == 0);
	/* A second pty-req is refused. */
	CHECK(req(&t, &srv, 0, "pty-req", &b) != 0);

	buf_reset(&b);
	put_size(&b, 100, 30);
	CHECK_INT(req(&t, &srv, 0, "window-change", &b), 0);
	CHECK_INT(ioctl(t.master, TIOCGWINSZ, &ws), 0);
	CHECK_INT(ws.ws_col, 100);
	CHECK_INT(ws.ws_row, 30);
	/* Sizes that do not fit a winsize, and trailing bytes, are errors. */
	buf_reset(&b);
	put_size(&b, 70000, 30);
	CHECK(req(&t, &srv, 0, "window-change", &b) != 0);
	buf_reset(&b);
	put_size(&b, 80, 24);
	buf_put_u8(&b, 0);
	CHECK(req(&t, &srv, 0, "window-change", &b) != 0);
	session_tty_free(&t);

	/* no-pty (key options) refuses the request. */
	srv.no_pty = 1;
	session_tty_init(&t);
	buf_reset(&b);
	buf_put_cstring(&b, "vt100");
	put_size(&b, 80, 24);
	buf_put_string(&b, "", 0);
	CHECK_INT(req(&t, &srv, 0, "pty-req", &b), ERR_PERMISSION);
	CHECK(!session_tty_has_pty(&t));
	/* After the command started: too late. */
	srv.no_pty = 0;
	CHECK_INT(req(&t, &srv, 1234, "pty-req", &b), ERR_BAD_STATE);
	/* window-change without a pty fails. */
	buf_reset(&b);
	put_size(&b, 80, 24);
	CHECK(req(&t, &srv, 0, "window-change", &b) != 0);
	CHECK_INT(req(&t, &srv, 0, "x11-req", &b), ERR_NOT_FOUND);
	session_tty_free(&t);
	buf_free(&b);
	buf_free(&modes);
}

static void test_env(void)
{
	char *pats[] = { "LANG", "BURROWT_*" };
	struct session_server srv;
	struct session_tty t;
	struct buf b;

	memset(&srv, 0, sizeof(srv));
	srv.accept_env = pats;
	srv.n_accept_env = 2;
	session_tty_init(&t);
	buf_init(&b);
	buf_put_cstring(&b, "LANG");
	buf_put_cstring(&b, "C.UTF-8");
	CHECK_INT(req(&t, &srv, 0, "env", &b), 0);
	buf_reset(&b);
	buf_put_cstring(&b, "BURROWT_X");
	buf_put_cstring(&b, "a=b c");
	CHECK_INT(req(&t, &srv, 0, "env", &b), 0);
	buf_reset(&b);
	buf_put_cstring(&b, "LANG");
	buf_put_cstring(&b, "fr_FR");
	CHECK_INT(req(&t, &srv, 0, "env", &b), 0); /* replaces */
	buf_reset(&b);
	buf_put_cstring(&b, "LD_PRELOAD");
	buf_put_cstring(&b, "/tmp/x.so");
	CHECK_INT(req(&t, &srv, 0, "env", &b), ERR_PERMISSION);
	buf_reset(&b);
	buf_put_cstring(&b, "BURROWT_=X");
	buf_put_cstring(&b, "y");
	CHECK_INT(req(&t, &srv, 0, "env", &b), ERR_PERMISSION);
	buf_reset(&b);
	buf_put_cstring(&b, "BURROWT_LATE");
	buf_put_cstring(&b, "y");
	CHECK_INT(req(&t, &srv, 99, "env", &b), ERR_PERMISSION);
	CHECK_INT(t.n_env, 2);
	CHECK_STR(t.env[0], "LANG=fr_FR");
	CHECK_STR(t.env[1], "BURROWT_X=a=b c");
	session_tty_free(&t);
	/* Without AcceptEnv nothing is accepted. */
	srv.n_accept_env = 0;
	session_tty_init(&t);
	buf_reset(&b);
	buf_put_cstring(&b, "LANG");
	buf_put_cstring(&b, "C");
	CHECK_INT(req(&t, &srv, 0, "env", &b), ERR_PERMISSION);
	CHECK_INT(t.n_env, 0);
	session_tty_free(&t);
	buf_free(&b);
}

static pid_t child_in_own_group(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		setsid();
		for (;;)
			pause();
	}
	return pid;
}

static void test_signal(void)
{
	struct session_server srv;
	struct session_tty t;
	struct buf b;
	int status = 0;
	pid_t pid;

	memset(&srv, 0, sizeof(srv));
	session_tty_init(&t);
	buf_init(&b);
	pid = child_in_own_group();
	CHECK(pid > 0);
	usleep(100000); /* let it call setsid */
	buf_put_cstring(&b, "SIGTERM"); /* names travel without "SIG" */
	CHECK_INT(req(&t, &srv, pid, "signal", &b), ERR_INVALID_ARG);
	buf_reset(&b);
	buf_put_cstring(&b, "TERM");
	CHECK_INT(req(&t, &srv, 0, "signal", &b), ERR_BAD_STATE); /* nothing running */
	srv.forced_command = "/bin/true";
	CHECK_INT(req(&t, &srv, pid, "signal", &b), ERR_PERMISSION);
	srv.forced_command = NULL;
	CHECK_INT(req(&t, &srv, pid, "signal", &b), 0);
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	session_tty_free(&t);
	buf_free(&b);
}

int main(void)
{
	test_encode();
	test_apply();
	test_names();
	test_accept_env();
	test_pty_and_window_change();
	test_env();
	test_signal();
	CHECK_DONE();
}
