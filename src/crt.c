/*
 * crt: the terminal, its keys, colours and glyphs (see crt.h). The only
 * file that calls ncurses.
 */
#include "crt.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sysexits.h>
#include <unistd.h>

/* The one terminal this process draws on. */
static struct {
	SCREEN *screen;
	FILE *tty; /* /dev/tty when stdin or stdout is not the terminal */
	bool utf8;
	bool color;
	/* Scrolled drawing (the inspector): put() draws line y at row
	 * y - origin, and only rows clip_top..clip_bottom - 1. */
	int origin;
	int clip_top, clip_bottom;
} tui = { .clip_bottom = INT_MAX };

bool cg_crt_active(void)
{
	return tui.screen != NULL;
}

int cg_crt_cols(void)
{
	return tui.screen ? COLS : 0;
}

int cg_crt_lines(void)
{
	return tui.screen ? LINES : 0;
}

bool cg_crt_utf8(void)
{
	return tui.utf8;
}

const wchar_t *cg_crt_glyph(const wchar_t *utf8, const wchar_t *ascii)
{
	return tui.utf8 ? utf8 : ascii;
}

static attr_t curses_attr(cg_attr a)
{
	attr_t out = A_NORMAL;

	if (a & CG_A_BOLD)
		out |= A_BOLD;
	if (a & CG_A_DIM)
		out |= A_DIM;
	if (a & CG_A_REVERSE)
		out |= A_REVERSE;
	if (a & CG_A_UNDERLINE)
		out |= A_UNDERLINE;
	return out;
}

void cg_crt_clip(int origin, int top, int bottom)
{
	tui.origin = origin;
	tui.clip_top = top;
	tui.clip_bottom = bottom;
}

void cg_crt_unclip(void)
{
	cg_crt_clip(0, 0, INT_MAX);
}

/* Writes at most xend - x columns; returns the column after the text. */
int cg_crt_put(int y, int x, int xend, cg_attr attr, enum cg_role role,
	       const wchar_t *s)
{
	int n = (int)wcslen(s);

	y -= tui.origin;
	if (!tui.screen || y < tui.clip_top || y >= tui.clip_bottom || y >= LINES || x < 0 ||
	    x >= xend)
		return x;
	if (xend > COLS)
		xend = COLS;
	if (n > xend - x)
		n = xend - x;
	if (n <= 0)
		return x;
	attr_set(curses_attr(attr), tui.color ? (short)role : 0, NULL);
	mvaddnwstr(y, x, s, n);
	return x + n;
}

int cg_crt_put_repeat(int y, int x, int xend, cg_attr attr,
		      enum cg_role role, wchar_t c, int count)
{
	wchar_t s[2] = { c, L'\0' };

	while (count-- > 0 && x < xend)
		x = cg_crt_put(y, x, xend, attr, role, s);
	return x;
}

/* Follows the terminal's size even when the SIGWINCH was taken by the
 * caller's poll and no key read has run since. */
static void follow_resize(void)
{
	struct winsize ws;
	int fd = tui.tty ? fileno(tui.tty) : STDOUT_FILENO;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0 && (ws.ws_row != LINES || ws.ws_col != COLS))
		resizeterm(ws.ws_row, ws.ws_col);
}

void cg_crt_begin(void)
{
	if (!tui.screen)
		return;
	follow_resize();
	erase();
}

void cg_crt_end(void)
{
	if (!tui.screen)
		return;
	attr_set(A_NORMAL, 0, NULL);
	refresh();
}

/* A closed SSH session or terminal window leaves the key fd readable
 * forever with nothing to read: without this the caller's poll would spin
 * (and a ppoll that always finds a ready fd never delivers the SIGHUP). */
static bool terminal_gone(void)
{
	struct pollfd pfd = {
		.fd = tui.tty ? fileno(tui.tty) : STDIN_FILENO,
		.events = POLLIN,
	};

	return poll(&pfd, 1, 0) == 1 &&
	       (pfd.revents & (POLLHUP | POLLERR | POLLNVAL));
}

enum cg_key_action cg_crt_key(void)
{
	int ch;

	if (!tui.screen)
		return CG_KEY_NONE;
	/* Skip keys that mean nothing here so they do not pile up. */
	while ((ch = getch()) != ERR) {
		switch (ch) {
		case 'q':
		case 'Q':
			return CG_KEY_QUIT;
		case '?':
		case 'h':
		case 'H':
			return CG_KEY_HELP;
		case 'p':
		case 'P':
			return CG_KEY_PAUSE;
		case 'r':
		case 'R':
			return CG_KEY_RESET;
		case 'z':
		case 'Z':
			return CG_KEY_ZOOM;
		case 'e':
		case 'E':
			return CG_KEY_EVENTS;
		case 'i':
		case 'I':
			return CG_KEY_INSPECTOR;
		case '+':
		case '>':
		case '=': /* + without shift on most layouts */
			return CG_KEY_FASTER;
		case '-':
		case '<':
			return CG_KEY_SLOWER;
		case 't':
		case 'T':
			return CG_KEY_HISTORY;
		case '[':
			return CG_KEY_WIDER;
		case ']':
			return CG_KEY_NARROWER;
		case KEY_LEFT:
			return CG_KEY_LEFT;
		case KEY_RIGHT:
			return CG_KEY_RIGHT;
		case KEY_UP:
			return CG_KEY_LINE_UP;
		case KEY_DOWN:
			return CG_KEY_LINE_DOWN;
		case KEY_PPAGE:
			return CG_KEY_PAGE_UP;
		case KEY_NPAGE:
		case ' ':
			return CG_KEY_PAGE_DOWN;
		case KEY_HOME:
		case 'g': /* as in less */
			return CG_KEY_TOP;
		case KEY_END:
		case 'G':
			return CG_KEY_BOTTOM;
		case KEY_RESIZE:
			return CG_KEY_RESIZE;
		case 27: /* Esc alone (sequences are keypad()'s keys) */
			return CG_KEY_BACK;
		case '\n':
		case '\r':
		case KEY_ENTER:
			return CG_KEY_OPEN;
		default:
			if (ch >= '1' && ch <= '9')
				return (enum cg_key_action)(CG_KEY_PACK_1 + (ch - '1'));
			break;
		}
	}
	if (terminal_gone())
		return CG_KEY_QUIT;
	return CG_KEY_NONE;
}

void cg_crt_bell(void)
{
	if (!tui.screen)
		return;
	/* beep() falls back to flash() where the terminal has no bell. */
	beep();
}

static void init_colors(void)
{
	short bg = COLOR_BLACK;

	start_color();
	if (use_default_colors() == OK)
		bg = -1; /* keep the terminal's own background */
	init_pair(CG_ROLE_HIGH, COLOR_RED, bg);
	init_pair(CG_ROLE_LOW, COLOR_CYAN, bg);
	init_pair(CG_ROLE_BAR, COLOR_GREEN, bg);
	init_pair(CG_ROLE_WARN, COLOR_YELLOW, bg);
	init_pair(CG_ROLE_ALERT, COLOR_RED, bg);
}

/*
 * Home and End as common terminals send them, whatever the terminfo of
 * TERM says: PuTTY and tmux send ESC [1~ and ESC [4~ under TERM=xterm,
 * whose terminfo expects ESC OH and ESC OF. Sequences TERM already binds
 * are left alone.
 */
static void define_home_end(void)
{
	static const struct {
		const char *sequence;
		int key;
	} keys[] = {
		{ "\033[1~", KEY_HOME }, { "\033[4~", KEY_END },
		{ "\033[7~", KEY_HOME }, { "\033[8~", KEY_END },
		{ "\033[H", KEY_HOME },  { "\033[F", KEY_END },
		{ "\033OH", KEY_HOME },  { "\033OF", KEY_END },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (key_defined(keys[i].sequence) == 0)
			define_key(keys[i].sequence, keys[i].key);
}

int cg_crt_start(bool ascii, bool no_color_option, struct cg_error *err)
{
	const char *term = getenv("TERM");
	const char *no_color = getenv("NO_COLOR");
	FILE *out = stdout, *in = stdin;
	char *cup;

	if (tui.screen)
		return tui.tty ? fileno(tui.tty) : STDIN_FILENO;

	setlocale(LC_ALL, "");
	/* Figures are formatted by hand; keep any printf elsewhere in the
	 * program writing "3.5", not "3,5", whatever the user's locale. */
	setlocale(LC_NUMERIC, "C");
	tui.utf8 = !ascii &&
		   strcmp(nl_langinfo(CODESET), "UTF-8") == 0;

	if (!term || !*term) {
		cg_error_set(err, EX_UNAVAILABLE, "TERM is not set, so the "
			     "table cannot be drawn: use --json, or set TERM "
			     "(e.g. TERM=xterm-256color)");
		return -1;
	}
	if (strcmp(term, "dumb") == 0) {
		cg_error_set(err, EX_UNAVAILABLE, "TERM=dumb cannot draw the "
			     "table: use --json, or set TERM=xterm-256color");
		return -1;
	}

	/* PORT "-" reads the BMS from stdin; keys then come from the tty. */
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		tui.tty = fopen("/dev/tty", "r+");
		if (!tui.tty) {
			cg_error_set(err, EX_UNAVAILABLE, "no terminal to "
				     "draw the table on (/dev/tty: %s): use "
				     "--json", strerror(errno));
			return -1;
		}
		out = in = tui.tty;
	}

	tui.screen = newterm(NULL, out, in);
	if (!tui.screen) {
		cg_error_set(err, EX_UNAVAILABLE, "cannot use terminal type "
			     "\"%s\": use --json, or set TERM=xterm-256color",
			     term);
		cg_crt_stop();
		return -1;
	}
	set_term(tui.screen);

	cup = tigetstr("cup");
	if (!cup || cup == (char *)-1) {
		cg_crt_stop();
		cg_error_set(err, EX_UNAVAILABLE, "TERM=%s cannot move the "
			     "cursor, so the table cannot be drawn: use "
			     "--json, or set TERM=xterm-256color", term);
		return -1;
	}

	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	/* Esc closes help and the other screens: a tenth of a second to
	 * tell it from the start of an arrow key's sequence, not a second. */
	set_escdelay(100);
	define_home_end();
	nodelay(stdscr, TRUE);
	curs_set(0);

	tui.color = has_colors() && !no_color_option &&
		    !(no_color && *no_color);
	if (tui.color)
		init_colors();

	return tui.tty ? fileno(tui.tty) : STDIN_FILENO;
}

void cg_crt_stop(void)
{
	if (tui.screen) {
		endwin();
		delscreen(tui.screen);
		tui.screen = NULL;
	}
	if (tui.tty) {
		fclose(tui.tty);
		tui.tty = NULL;
	}
}
