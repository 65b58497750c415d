#include "util/log_syslog.h"

#include <syslog.h>

void log_syslog_open(const char *ident)
{
	openlog(ident, LOG_PID, LOG_AUTH);
}

void log_syslog_write(int priority, const char *prefix, const char *msg)
{
	static const int map[] = { LOG_CRIT, LOG_ERR, LOG_INFO, LOG_DEBUG };

	syslog(map[priority], "%s%s", prefix, msg);
}
