/* Logging with OpenSSH's levels. Output goes to stderr, a file (-E) or syslog. */
#ifndef BURROW_UTIL_LOG_H
#define BURROW_UTIL_LOG_H

#include <stdio.h>

enum log_level {
	LOG_QUIET = 0,
	LOG_FATAL,
	LOG_ERROR,
	LOG_INFO,
	LOG_VERBOSE,
	LOG_DEBUG1,
	LOG_DEBUG2,
	LOG_DEBUG3,
};

/* ident: program name used in file/syslog lines; level: most verbose level shown. */
void log_init(const char *ident, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Send logs to this file (appended, line-buffered) instead of stderr; NULL restores stderr. */
int log_set_file(const char *path);
/* Send logs to syslog (LOG_AUTH facility) instead of stderr. */
void log_set_syslog(int on);
/* Parse "QUIET", "INFO", "DEBUG", "DEBUG1".. as sshd_config/ssh_config LogLevel; -1 if unknown. */
int log_level_parse(const char *name);
const char *log_level_name(enum log_level level);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_fatal(...) log_msg(LOG_FATAL, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_verbose(...) log_msg(LOG_VERBOSE, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG1, __VA_ARGS__)
#define log_debug2(...) log_msg(LOG_DEBUG2, __VA_ARGS__)
#define log_debug3(...) log_msg(LOG_DEBUG3, __VA_ARGS__)

#endif
