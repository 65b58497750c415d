/* Encoded terminal modes, RFC 4254 section 8 (IUTF8: RFC 8160). */
#include "session/session_pty.h"

#include <string.h>
#include <unistd.h>

#include "util/err.h"

#define TTY_OP_END 0
#define TTY_OP_ISPEED 128
#define TTY_OP_OSPEED 129
/* Opcodes 160 to 255 are not defined and stop the parse (RFC 4254 section 8). */
#define TTY_OP_FIRST_UNDEFINED 160
/* How a disabled control character travels (what OpenSSH sends for it). */
#define TTY_CC_DISABLED 255

enum mode_kind { MK_CC, MK_I, MK_L, MK_O, MK_C };

static const struct {
	uint8_t op;
	uint8_t kind;
	tcflag_t flag; /* c_cc index for MK_CC */
} modes[] = {
	{ 1, MK_CC, VINTR }, { 2, MK_CC, VQUIT }, { 3, MK_CC, VERASE }, { 4, MK_CC, VKILL },
	{ 5, MK_CC, VEOF }, { 6, MK_CC, VEOL }, { 7, MK_CC, VEOL2 }, { 8, MK_CC, VSTART },
	{ 9, MK_CC, VSTOP }, { 10, MK_CC, VSUSP }, { 12, MK_CC, VREPRINT },
	{ 13, MK_CC, VWERASE }, { 14, MK_CC, VLNEXT }, { 18, MK_CC, VDISCARD },
	{ 30, MK_I, IGNPAR }, { 31, MK_I, PARMRK }, { 32, MK_I, INPCK }, { 33, MK_I, ISTRIP },
	{ 34, MK_I, INLCR }, { 35, MK_I, IGNCR }, { 36, MK_I, ICRNL }, { 37, MK_I, IUCLC },
	{ 38, MK_I, IXON }, { 39, MK_I, IXANY }, { 40, MK_I, IXOFF }, { 41, MK_I, IMAXBEL },
	{ 42, MK_I, IUTF8 },
	{ 50, MK_L, ISIG }, { 51, MK_L, ICANON }, { 52, MK_L, XCASE }, { 53, MK_L, ECHO },
	{ 54, MK_L, ECHOE }, { 55, MK_L, ECHOK }, { 56, MK_L, ECHONL }, { 57, MK_L, NOFLSH },
	{ 58, MK_L, TOSTOP }, { 59, MK_L, IEXTEN }, { 60, MK_L, ECHOCTL }, { 61, MK_L, ECHOKE },
	{ 62, MK_L, PENDIN },
	{ 70, MK_O, OPOST }, { 71, MK_O, OLCUC }, { 72, MK_O, ONLCR }, { 73, MK_O, OCRNL },
	{ 74, MK_O, ONOCR }, { 75, MK_O, ONLRET },
	{ 90, MK_C, CS7 }, { 91, MK_C, CS8 }, { 92, MK_C, PARENB }, { 93, MK_C, PARODD },
};

static const struct {
	speed_t code;
	uint32_t baud;
} speeds[] = {
	{ B0, 0 }, { B50, 50 }, { B75, 75 }, { B110, 110 }, { B134, 134 }, { B150, 150 },
	{ B200, 200 }, { B300, 300 }, { B600, 600 }, { B1200, 1200 }, { B1800, 1800 },
	{ B2400, 2400 }, { B4800, 4800 }, { B9600, 9600 }, { B19200, 19200 },
	{ B38400, 38400 }, { B57600, 57600 }, { B115200, 115200 }, { B230400, 230400 },
	{ B460800, 460800 }, { B921600, 921600 },
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static uint32_t speed_to_baud(speed_t s)
{
	for (size_t i = 0; i < N_ELEMS(speeds); i++)
		if (speeds[i].code == s)
			return speeds[i].baud;
	return 38400;
}

/* The highest speed not above baud (a peer may send any number). */
static speed_t baud_to_speed(uint32_t baud)
{
	speed_t best = B0;

	for (size_t i = 0; i < N_ELEMS(speeds); i++)
		if (speeds[i].baud <= baud)
			best = speeds[i].code;
	return best;
}

static tcflag_t *flags_of(struct termios *tio, int kind)
{
	switch (kind) {
	case MK_I: return &tio->c_iflag;
	case MK_L: return &tio->c_lflag;
	case MK_O: return &tio->c_oflag;
	default: return &tio->c_cflag;
	}
}

int session_modes_encode(const struct termios *tio, struct buf *out)
{
	struct termios t = *tio;
	int r = 0;

	for (size_t i = 0; i < N_ELEMS(modes) && r == 0; i++) {
		uint32_t v;

		if (modes[i].kind == MK_CC) {
			cc_t cc = t.c_cc[modes[i].flag];

			v = cc == _POSIX_VDISABLE ? TTY_CC_DISABLED : cc;
		} else if (modes[i].kind == MK_C && (modes[i].flag == CS7 || modes[i].flag == CS8)) {
			/* CS7 and CS8 are values of the CSIZE field, not single bits. */
			v = (t.c_cflag & CSIZE) == modes[i].flag;
		} else {
			v = (*flags_of(&t, modes[i].kind) & modes[i].flag) != 0;
		}
		if ((r = buf_put_u8(out, modes[i].op)) == 0)
			r = buf_put_u32(out, v);
	}
	if (r == 0 && (r = buf_put_u8(out, TTY_OP_ISPEED)) == 0)
		r = buf_put_u32(out, speed_to_baud(cfgetispeed(&t)));
	if (r == 0 && (r = buf_put_u8(out, TTY_OP_OSPEED)) == 0)
		r = buf_put_u32(out, speed_to_baud(cfgetospeed(&t)));
	if (r == 0)
		r = buf_put_u8(out, TTY_OP_END);
	return r;
}

static void apply_one(struct termios *tio, uint8_t op, uint32_t v)
{
	if (op == TTY_OP_ISPEED) {
		cfsetispeed(tio, baud_to_speed(v));
		return;
	}
	if (op == TTY_OP_OSPEED) {
		cfsetospeed(tio, baud_to_speed(v));
		return;
	}
	for (size_t i = 0; i < N_ELEMS(modes); i++) {
		tcflag_t *f;

		if (modes[i].op != op)
			continue;
		if (modes[i].kind == MK_CC) {
			tio->c_cc[modes[i].flag] = v == TTY_CC_DISABLED ? _POSIX_VDISABLE : (cc_t)v;
			return;
		}
		f = flags_of(tio, modes[i].kind);
		if (modes[i].kind == MK_C && (modes[i].flag == CS7 || modes[i].flag == CS8)) {
			if (v)
				*f = (*f & ~(tcflag_t)CSIZE) | modes[i].flag;
			return;
		}
		if (v)
			*f |= modes[i].flag;
		else
			*f &= ~modes[i].flag;
		return;
	}
	/* An opcode we do not know (e.g. VDSUSP on Linux) is skipped. */
}

int session_modes_apply(struct termios *tio, const uint8_t *p, size_t n)
{
	struct termios t = *tio;
	struct rd rd;
	int r;

	rd_init(&rd, p, n);
	while (rd_left(&rd) > 0) {
		uint8_t op;
		uint32_t v;

		if ((r = rd_u8(&rd, &op)) != 0)
			return r;
		if (op == TTY_OP_END || op >= TTY_OP_FIRST_UNDEFINED)
			break;
		if ((r = rd_u32(&rd, &v)) != 0)
			return r;
		apply_one(&t, op, v);
	}
	*tio = t;
	return 0;
}
