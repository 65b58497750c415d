/* syslog(3) kept apart: <syslog.h> defines LOG_INFO, which would clash with enum log_level. */
#ifndef BURROW_UTIL_LOG_SYSLOG_H
#define BURROW_UTIL_LOG_SYSLOG_H

enum { LOG_SYSLOG_CRIT, LOG_SYSLOG_ERR, LOG_SYSLOG_INFO, LOG_SYSLOG_DEBUG };

void log_syslog_open(const char *ident);
void log_syslog_write(int priority, const char *prefix, const char *msg);

#endif
