/*
 * burrow's terminal while a session has a pty: raw mode restored on every
 * exit path (client_tty.c), escape sequences typed after a newline
 * (client_escape.c), the terminal requests of the session (client_session.c).
 */
#ifndef BURROW_CLIENT_CLIENT_TTY_H
#define BURROW_CLIENT_CLIENT_TTY_H

#include <sys/ioctl.h>

struct client;

/*
 * Put stdin's terminal in raw mode (nothing if stdin is not a terminal).
 * The saved modes come back through client_tty_restore(), at exit, and
 * from SIGTERM, SIGHUP, SIGINT and SIGQUIT handlers that then re-raise the
 * signal.
 */
int client_tty_raw(void);
/*
 * Remember stdin/stdout/stderr's flags now, before the event loop makes them
 * non-blocking (raw mode restores them; only the first call counts).
 */
void client_tty_save_flags(void);
/* Back to the saved modes and descriptor flags (idempotent, async-signal-safe). */
void client_tty_restore(void);
/* 1 while in raw mode. */
int client_tty_is_raw(void);
/* Stop the process like ^Z would (modes restored meanwhile, raw again after). */
void client_tty_suspend(void);
/* The terminal's size, zeros if stdin is not a terminal. */
void client_tty_size(struct winsize *ws);

/*
 * Escape sequences (EscapeChar) on our stdin: returns the descriptor the
 * session channel reads instead of stdin (a pipe we fill with what is typed
 * minus the escapes), or -1 on error.
 */
int client_escape_start(struct client *c, int escape_char);
/* Stop reading stdin (the session ended). */
void client_escape_stop(void);

/* The session channel, for escapes that send a request on it (~B). */
struct chan *client_session_chan(struct client *c);
/* The session ends because the user asked (~.). */
void client_session_quit(struct client *c);

#endif
