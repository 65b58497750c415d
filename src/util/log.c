#include "util/log.h"
#include "util/log_syslog.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char *log_ident = "burrow";
static enum log_level log_level = LOG_INFO;
static FILE *log_file;
static int log_to_syslog;

static const struct {
	const char *name;
	enum log_level level;
} level_names[] = {
	{ "QUIET", LOG_QUIET }, { "FATAL", LOG_FATAL }, { "ERROR", LOG_ERROR },
	{ "INFO", LOG_INFO }, { "VERBOSE", LOG_VERBOSE }, { "DEBUG", LOG_DEBUG1 },
	{ "DEBUG1", LOG_DEBUG1 }, { "DEBUG2", LOG_DEBUG2 }, { "DEBUG3", LOG_DEBUG3 },
};

void log_init(const char *ident, enum log_level level)
{
	log_ident = ident;
	log_level = level;
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

int log_set_file(const char *path)
{
	FILE *f = NULL;

	if (path != NULL) {
		if ((f = fopen(path, "a")) == NULL)
			return -1;
		setvbuf(f, NULL, _IOLBF, 0);
	}
	if (log_file != NULL)
		fclose(log_file);
	log_file = f;
	return 0;
}

void log_set_syslog(int on)
{
	if (on && !log_to_syslog)
		log_syslog_open(log_ident);
	log_to_syslog = on;
}

int log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcasecmp(name, level_names[i].name) == 0)
			return (int)level_names[i].level;
	return -1;
}

const char *log_level_name(enum log_level level)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (level_names[i].level == level)
			return level_names[i].name;
	return "UNKNOWN";
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[2048];
	const char *prefix = "";
	va_list ap;
	int saved_errno = errno;

	if (level > log_level || level == LOG_QUIET)
		return;
	switch (level) {
	case LOG_DEBUG1: prefix = "debug1: "; break;
	case LOG_DEBUG2: prefix = "debug2: "; break;
	case LOG_DEBUG3: prefix = "debug3: "; break;
	default: break;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Never let a peer's bytes reach the terminal as control characters. */
	for (char *p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t')
			*p = '?';
	if (log_to_syslog) {
		log_syslog_write(level == LOG_FATAL ? LOG_SYSLOG_CRIT : level == LOG_ERROR ? LOG_SYSLOG_ERR
			: level <= LOG_VERBOSE ? LOG_SYSLOG_INFO : LOG_SYSLOG_DEBUG, prefix, msg);
	} else if (log_file != NULL) {
		char ts[64];
		time_t now = time(NULL);
		struct tm tm;

		localtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%b %e %H:%M:%S", &tm);
		fprintf(log_file, "%s %s[%ld]: %s%s\n", ts, log_ident, (long)getpid(), prefix, msg);
	} else {
		fprintf(stderr, "%s%s\r\n", prefix, msg);
	}
	errno = saved_errno;
}
