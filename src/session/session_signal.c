/* Signal names of RFC 4254 section 6.10 and AcceptEnv matching. */
#include "session/session_pty.h"

#include <signal.h>
#include <string.h>

#include "config/match.h"

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "ABRT", SIGABRT }, { "ALRM", SIGALRM }, { "FPE", SIGFPE }, { "HUP", SIGHUP },
	{ "ILL", SIGILL }, { "INT", SIGINT }, { "KILL", SIGKILL }, { "PIPE", SIGPIPE },
	{ "QUIT", SIGQUIT }, { "SEGV", SIGSEGV }, { "TERM", SIGTERM }, { "USR1", SIGUSR1 },
	{ "USR2", SIGUSR2 },
};

int session_signal_number(const char *name)
{
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (strcmp(name, signals[i].name) == 0)
			return signals[i].sig;
	return -1;
}

const char *session_signal_name(int sig)
{
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (signals[i].sig == sig)
			return signals[i].name;
	return NULL;
}

/* A matching "!pattern" refuses the name whatever else matches. */
int session_env_accepted(const char *name, char *const *patterns, int n)
{
	int ok = 0;

	for (int i = 0; i < n; i++) {
		if (patterns[i][0] == '!') {
			if (cfg_match_pattern(name, patterns[i] + 1, 0))
				return 0;
		} else if (cfg_match_pattern(name, patterns[i], 0)) {
			ok = 1;
		}
	}
	return ok;
}
