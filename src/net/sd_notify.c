#include "net/sd_notify.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/err.h"

int net_sd_notify(const char *path, const char *state)
{
	struct sockaddr_un sa;
	size_t n;
	socklen_t len;
	ssize_t w;
	int fd, r = 0;

	if (path == NULL || *path == '\0')
		return 1;
	n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof(sa.sun_path))
		return ERR_INVALID_ARG;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract namespace: no terminating NUL counted */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '/' ? 1 : 0));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return ERR_SYSTEM;
	do {
		w = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	} while (w < 0 && errno == EINTR);
	if (w < 0 || (size_t)w != strlen(state))
		r = ERR_SYSTEM;
	close(fd);
	return r;
}
