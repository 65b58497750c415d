/*
 * Raw mode for an interactive session: every byte typed goes to the remote
 * pty untouched. Whatever way burrow ends (return from main, exit(), a
 * fatal signal), the terminal gets its modes and descriptor flags back.
 */
#include "client/client_tty.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved_tio;
static int saved_fl[3] = { -1, -1, -1 };
static volatile sig_atomic_t raw_on;
static int hooks_installed;
static int flags_saved;

static const int fatal_signals[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };

void client_tty_restore(void)
{
	/* Only async-signal-safe calls: this also runs from signal handlers. */
	if (!raw_on)
		return;
	raw_on = 0;
	tcsetattr(0, TCSADRAIN, &saved_tio);
	for (int i = 0; i < 3; i++)
		if (saved_fl[i] >= 0)
			fcntl(i, F_SETFL, saved_fl[i]);
}

static void on_fatal_signal(int sig)
{
	client_tty_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void restore_at_exit(void)
{
	client_tty_restore();
}

static void install_hooks(void)
{
	struct sigaction sa;

	if (hooks_installed)
		return;
	hooks_installed = 1;
	atexit(restore_at_exit);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, NULL);
}

/* The modes ssh's raw mode sets: no input mapping, no signals, no echo, no output processing. */
static void make_raw(struct termios *t)
{
	t->c_iflag |= IGNPAR;
	t->c_iflag &= ~(tcflag_t)(ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXANY | IXOFF | IUCLC);
	t->c_lflag &= ~(tcflag_t)(ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHONL | IEXTEN);
	t->c_oflag &= ~(tcflag_t)OPOST;
	t->c_cc[VMIN] = 1;
	t->c_cc[VTIME] = 0;
}

void client_tty_save_flags(void)
{
	if (flags_saved)
		return;
	flags_saved = 1;
	for (int i = 0; i < 3; i++)
		saved_fl[i] = fcntl(i, F_GETFL);
}

int client_tty_raw(void)
{
	struct termios t;

	if (raw_on || !isatty(0) || tcgetattr(0, &saved_tio) != 0)
		return 0;
	client_tty_save_flags();
	install_hooks();
	t = saved_tio;
	make_raw(&t);
	if (tcsetattr(0, TCSADRAIN, &t) != 0)
		return -1;
	raw_on = 1;
	return 0;
}

int client_tty_is_raw(void)
{
	return raw_on;
}

void client_tty_suspend(void)
{
	int cur[3];
	int was_raw = raw_on;

	/* The descriptors are non-blocking for the event loop; the shell gets them blocking. */
	for (int i = 0; i < 3; i++)
		cur[i] = fcntl(i, F_GETFL);
	client_tty_restore();
	kill(getpid(), SIGTSTP);
	/* Continued (fg). */
	if (was_raw)
		client_tty_raw();
	for (int i = 0; i < 3; i++)
		if (cur[i] >= 0)
			fcntl(i, F_SETFL, cur[i]);
}

void client_tty_size(struct winsize *ws)
{
	if (ioctl(0, TIOCGWINSZ, ws) != 0)
		memset(ws, 0, sizeof(*ws));
}
