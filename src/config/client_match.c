/*
 * ssh_config(5) Match: all, canonical, final, exec, host, originalhost, user,
 * localuser, each optionally negated with '!'. burrow makes a single pass
 * and never canonicalises, so canonical and final never match.
 */
#include "config/client_config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/client_internal.h"
#include "config/match.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

/*
 * Match exec: the command through the user's shell ($SHELL, else /bin/sh)
 * with stdin and stdout on /dev/null; true when it exits with status 0.
 */
static int run_exec(const char *cmd, int *ok)
{
	const char *shell = getenv("SHELL");
	int status, devnull;
	pid_t pid;

	if (shell == NULL || shell[0] == '\0' || access(shell, X_OK) != 0)
		shell = "/bin/sh";
	if ((devnull = open("/dev/null", O_RDWR)) < 0)
		return ERR_SYSTEM;
	log_debug("Executing command: '%.500s'", cmd);
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		close(devnull);
		return ERR_SYSTEM;
	}
	if (pid == 0) {
		if (dup2(devnull, STDIN_FILENO) < 0 || dup2(devnull, STDOUT_FILENO) < 0)
			_exit(127);
		if (devnull > STDERR_FILENO)
			close(devnull);
		execl(shell, shell, "-c", cmd, (char *)NULL);
		fprintf(stderr, "Unable to execute '%.100s': %s\n", cmd, strerror(errno));
		_exit(127);
	}
	close(devnull);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return ERR_SYSTEM;
	}
	if (!WIFEXITED(status)) {
		fprintf(stderr, "command '%.100s' exited abnormally\n", cmd);
		return ERR_SYSTEM;
	}
	log_debug("command returned status %d", WEXITSTATUS(status));
	*ok = WEXITSTATUS(status) == 0;
	return 0;
}

/* The host Match host compares: HostName so far (with %h), else the argument. */
static int match_host_name(const struct client_config *c, const char *host_arg, char **out)
{
	char *h;
	int r;

	if (c->hostname == NULL) {
		if ((h = mem_strdup(host_arg)) == NULL)
			return ERR_ALLOC;
		*out = h;
		return 0;
	}
	if ((r = cfg_client_expand_tokens_h(c, host_arg, c->hostname, "%h", &h)) != 0)
		return r;
	*out = h;
	return 0;
}

int cfg_client_match(struct client_config *c, const char *host_arg, const struct cfg_line *l,
		     const char *file, unsigned long line, int *matches)
{
	struct passwd *pw = getpwuid(getuid());
	const char *luser = pw != NULL ? pw->pw_name : "";
	const char *ruser = c->user != NULL ? c->user : luser;
	char *host = NULL;
	int result = 1, attributes = 0, r;

	if (l->nargs == 0) {
		fprintf(stderr, "%s line %lu: Missing Match criteria\n", file, line);
		return ERR_FORMAT;
	}
	if ((r = match_host_name(c, host_arg, &host)) != 0)
		return r;
	for (int i = 0; i < l->nargs; i++) {
		const char *attr = l->args[i], *arg;
		int negate = attr[0] == '!', m = 0;

		attr += negate;
		if (strcasecmp(attr, "all") == 0) {
			if (attributes > 1 || i + 1 < l->nargs) {
				fprintf(stderr, "%s line %lu: '%s' cannot be combined with other "
					"Match attributes\n", file, line, l->args[i]);
				r = ERR_FORMAT;
				goto out;
			}
			if (result)
				result = !negate;
			break;
		}
		attributes++;
		if (strcasecmp(attr, "canonical") == 0 || strcasecmp(attr, "final") == 0) {
			/* Only ever the first pass here: these do not match (unless negated). */
			if (!negate)
				result = 0;
			continue;
		}
		if (i + 1 >= l->nargs || l->args[i + 1][0] == '\0') {
			fprintf(stderr, "Missing Match criteria for %s\n", attr);
			r = ERR_FORMAT;
			goto out;
		}
		arg = l->args[++i];
		if (strcasecmp(attr, "host") == 0) {
			m = cfg_match_pattern_list(host, arg, 1) == 1;
		} else if (strcasecmp(attr, "originalhost") == 0) {
			m = cfg_match_pattern_list(host_arg, arg, 1) == 1;
		} else if (strcasecmp(attr, "user") == 0) {
			m = cfg_match_pattern_list(ruser, arg, 0) == 1;
		} else if (strcasecmp(attr, "localuser") == 0) {
			m = cfg_match_pattern_list(luser, arg, 0) == 1;
		} else if (strcasecmp(attr, "exec") == 0) {
			char *cmd = NULL;

			/* Like ssh, no command runs once the line cannot match any more. */
			if (!result)
				continue;
			if ((r = cfg_client_expand_tokens_h(c, host, arg, CFG_TOKENS_EXEC,
							    &cmd)) != 0)
				goto out;
			r = run_exec(cmd, &m);
			free(cmd);
			if (r != 0)
				goto out;
		} else {
			fprintf(stderr, "%s line %lu: Unsupported Match attribute %s\n", file, line,
				attr);
			r = ERR_FORMAT;
			goto out;
		}
		if (m == negate)
			result = 0;
		log_debug("%s line %lu: %smatched '%s %s'", file, line, m != negate ? "" : "not ",
			  l->args[i - 1], arg);
	}
	*matches = result;
	r = 0;
out:
	free(host);
	return r;
}
