/*
 * link: opens the byte source the user named and reads it without ever
 * blocking. Why a port refuses to open is portdiag's to say (portdiag.c).
 *
 * Exit codes (sysexits.h):
 *   EX_NOINPUT     the port does not exist (with the list of ports there are)
 *   EX_NOPERM      no permission (with the usermod command and the udev rule)
 *   EX_UNAVAILABLE another program holds the port. EX_TEMPFAIL would fit
 *                  too, but chargery-top --help documents 69 as "port busy
 *                  or unavailable", and one code for both keeps scripts
 *                  simple.
 *   EX_USAGE       not a serial port, tty or file; a baud the tty cannot do
 *   EX_IOERR       anything else, with strerror()
 */
#include "link.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include <libserialport.h>

#include "baud.h"
#include "portdiag.h"
#include "ports.h"

/* How much of the error to build: the first open explains at length, the
 * once-a-second reopen only needs a status line. */
enum verbosity { QUIET, VERBOSE };

static void copy_path(char *to, size_t cap, const char *from)
{
	size_t length = strlen(from);

	if (length >= cap)
		length = cap - 1;
	memcpy(to, from, length);
	to[length] = '\0';
}

/* ---- opening ------------------------------------------------------------ */

static int set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return -1;
	return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/*
 * Raw input, whoever set the tty up before us (a getty, stty, socat, an
 * earlier program): no XON/XOFF, which would eat every 0x11 and 0x13 the
 * BMS sends; no CR/NL mapping, stripping, parity marking, line editing,
 * echo or signal characters. Like cfmakeraw(), plus IXOFF and IXANY, which
 * it leaves alone. With O_NONBLOCK, VMIN = VTIME = 0 make read() return
 * what there is at once.
 */
static void make_raw(struct termios *settings)
{
	cfmakeraw(settings);
	settings->c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY | ICRNL | INLCR |
					 IGNCR | ISTRIP | PARMRK | IGNBRK |
					 BRKINT | INPCK | IUCLC | IMAXBEL);
	settings->c_lflag &= ~(tcflag_t)(ICANON | ECHO | ECHOE | ECHOK |
					 ECHONL | ISIG | IEXTEN);
	settings->c_oflag &= ~(tcflag_t)OPOST;
	settings->c_cflag |= CLOCAL | CREAD;
	settings->c_cc[VMIN] = 0;
	settings->c_cc[VTIME] = 0;
}

/* The same on a port libserialport configured: it turns XON/XOFF off as
 * asked, but leaves other input processing as it found it. Keeps the speed
 * and framing it set. */
static int make_fd_raw(struct cg_link *link, struct cg_error *err)
{
	struct termios settings;

	if (tcgetattr(link->fd, &settings) != 0)
		return cg_error_set(err, EX_IOERR, "cannot read the settings "
				    "of %s: %s", link->path, strerror(errno));
	make_raw(&settings);
	if (tcsetattr(link->fd, TCSANOW, &settings) != 0)
		return cg_error_set(err, EX_IOERR, "cannot make %s raw: %s",
				    link->path, strerror(errno));
	return 0;
}

/* 8N1 raw through termios, for ttys libserialport will not open. */
static int configure_tty(struct cg_link *link, struct cg_error *err)
{
	speed_t speed = cg_baud_speed(link->baud);
	struct termios settings;

	if (speed == B0)
		return cg_error_set(err, EX_USAGE, "%s cannot be set to %d "
				    "baud: use a standard rate from 1200 to "
				    "4000000 (the BMS talks at 115200).",
				    link->path, link->baud);
	if (tcgetattr(link->fd, &settings) != 0)
		return cg_error_set(err, EX_IOERR, "cannot read the settings "
				    "of %s: %s", link->path, strerror(errno));
	make_raw(&settings);
	settings.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB | CRTSCTS);
	settings.c_cflag |= CS8;
	if (cfsetispeed(&settings, speed) != 0 ||
	    cfsetospeed(&settings, speed) != 0 ||
	    tcsetattr(link->fd, TCSANOW, &settings) != 0)
		return cg_error_set(err, EX_IOERR, "cannot set %s to %d 8N1: "
				    "%s", link->path, link->baud,
				    strerror(errno));
	return 0;
}

/* Fills err with format (taking path and baud) and libserialport's reason. */
static int fail_sp(struct cg_error *err, int exit_code,
		   const char *format, const struct cg_link *link)
{
	char *reason = sp_last_error_message();

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	cg_error_set(err, exit_code, format, link->path, link->baud);
#pragma GCC diagnostic pop
	cg_error_append(err, " (%s)", reason ? reason : "unknown error");
	sp_free_error_message(reason);
	return -1;
}

static void free_port(struct cg_link *link)
{
	if (link->port) {
		sp_close(link->port);
		sp_free_port(link->port);
		link->port = NULL;
	}
}

/*
 * Like tio and picocom: two readers on one port would each get half of
 * every frame, so the second one is turned away. The lock is taken before
 * any setting is touched, so the second one cannot change the baud under
 * the first either. On failure the link is closed.
 */
static int lock_port(struct cg_link *link, struct cg_error *err)
{
	if (flock(link->fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno == EWOULDBLOCK) {
		/* Close first so that our own descriptor is not listed. */
		cg_link_close(link);
		return cg_portdiag_busy(link->path, link->resolved, true, err);
	}
	cg_error_set(err, EX_IOERR, "cannot lock %s: %s", link->path,
		     strerror(errno));
	cg_link_close(link);
	return -1;
}

/*
 * A real serial port, through libserialport. Returns 0 when open, 1 when
 * libserialport cannot take this path (the caller falls back to termios,
 * whose errno then explains any real failure) and -1 on a failure after it
 * was open.
 */
static int open_serial(struct cg_link *link, struct cg_error *err)
{
	char *serial;
	int fd;

	if (sp_get_port_by_name(link->resolved, &link->port) != SP_OK) {
		link->port = NULL;
		return 1;
	}
	if (sp_open(link->port, SP_MODE_READ) != SP_OK) {
		sp_free_port(link->port);
		link->port = NULL;
		return 1;
	}
	if (sp_get_port_handle(link->port, &fd) != SP_OK) {
		fail_sp(err, EX_IOERR, "cannot use %s at %d baud", link);
		free_port(link);
		return -1;
	}
	link->fd = fd;
	link->kind = CG_LINK_SERIAL;
	if (lock_port(link, err) != 0)
		return -1;

	if (sp_set_baudrate(link->port, link->baud) != SP_OK) {
		fail_sp(err, EX_USAGE, "%s cannot be set to %d baud", link);
		cg_error_append(err, ": use a rate the adapter supports (the "
				"BMS talks at 115200).");
		goto failed;
	}
	if (sp_set_bits(link->port, 8) != SP_OK ||
	    sp_set_parity(link->port, SP_PARITY_NONE) != SP_OK ||
	    sp_set_stopbits(link->port, 1) != SP_OK ||
	    sp_set_flowcontrol(link->port, SP_FLOWCONTROL_NONE) != SP_OK ||
	    sp_set_xon_xoff(link->port, SP_XONXOFF_DISABLED) != SP_OK) {
		fail_sp(err, EX_IOERR, "cannot set %s to %d 8N1", link);
		goto failed;
	}
	if (make_fd_raw(link, err) != 0)
		goto failed;
	if (set_nonblocking(fd) != 0) {
		cg_error_set(err, EX_IOERR, "cannot use %s: %s", link->path,
			     strerror(errno));
		goto failed;
	}
	serial = sp_get_port_usb_serial(link->port);
	if (serial)
		copy_path(link->usb_serial, sizeof(link->usb_serial), serial);
	return 0;

failed:
	cg_link_close(link);
	return -1;
}

static int open_tty(struct cg_link *link, struct cg_error *err,
		    enum verbosity verbosity)
{
	int fd = open(link->resolved, O_RDONLY | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return cg_portdiag_errno(link->path, link->resolved, errno,
					 verbosity == VERBOSE, err);
	if (!isatty(fd)) {
		close(fd);
		return cg_error_set(err, EX_USAGE, "%s is not a serial port, "
				    "tty or file: name the adapter (e.g. "
				    "/dev/ttyUSB0), a capture file, or - for "
				    "standard input.", link->path);
	}
	link->fd = fd;
	link->kind = CG_LINK_TTY;
	if (lock_port(link, err) != 0)
		return -1;
	if (configure_tty(link, err) != 0) {
		cg_link_close(link);
		return -1;
	}
	return 0;
}

static int open_file(struct cg_link *link, struct cg_error *err,
		     enum verbosity verbosity)
{
	int fd = open(link->resolved, O_RDONLY | O_NOCTTY);

	if (fd < 0)
		return cg_portdiag_errno(link->path, link->resolved, errno,
					 verbosity == VERBOSE, err);
	link->fd = fd;
	link->kind = CG_LINK_FILE;
	return 0;
}

/*
 * What the tty, a pty or a bridge buffered before we opened it is old: a
 * pty whose reader went away holds a minute of frames, which would be shown
 * and logged as if they arrived now. Called once the port is raw, so
 * nothing queued in canonical mode survives the switch either.
 */
static void drop_stale_input(struct cg_link *link)
{
	tcflush(link->fd, TCIFLUSH);
}

/* Opens link->path into a closed link. usb_serial is kept on failure. */
static int open_path(struct cg_link *link, struct cg_error *err,
		     enum verbosity verbosity)
{
	struct stat info;
	int status;

	if (strcmp(link->path, "-") == 0) {
		if (set_nonblocking(STDIN_FILENO) != 0)
			return cg_error_set(err, EX_IOERR, "cannot use "
					    "standard input: %s",
					    strerror(errno));
		copy_path(link->resolved, sizeof(link->resolved), "-");
		link->fd = STDIN_FILENO;
		link->kind = CG_LINK_STDIN;
		return 0;
	}

	/*
	 * realpath() on every open: libserialport 0.1.1 rejects the
	 * /dev/serial/by-id symlinks, and a socat link may point at a new
	 * pty since the last time.
	 */
	if (!realpath(link->path, link->resolved)) {
		copy_path(link->resolved, sizeof(link->resolved), link->path);
		return cg_portdiag_errno(link->path, link->resolved, errno,
					 verbosity == VERBOSE, err);
	}
	if (stat(link->resolved, &info) != 0)
		return cg_portdiag_errno(link->path, link->resolved, errno,
					 verbosity == VERBOSE, err);
	if (S_ISREG(info.st_mode))
		return open_file(link, err, verbosity);
	if (S_ISDIR(info.st_mode))
		return cg_error_set(err, EX_USAGE, "%s is a directory: name a "
				    "serial port (e.g. /dev/ttyUSB0), a "
				    "capture file, or - for standard input.",
				    link->path);
	if (S_ISFIFO(info.st_mode) || S_ISSOCK(info.st_mode))
		return cg_error_set(err, EX_USAGE, "%s is a pipe or socket: "
				    "redirect it to standard input and name - "
				    "instead (chargery-top - < %s).",
				    link->path, link->path);

	status = open_serial(link, err);
	if (status > 0)
		status = open_tty(link, err, verbosity);
	if (status == 0)
		drop_stale_input(link);
	return status;
}

int cg_link_open(struct cg_link *link, const char *path, int baud,
		 struct cg_error *err)
{
	memset(link, 0, sizeof(*link));
	link->fd = -1;
	link->port = NULL;
	link->baud = baud;
	err->exit_code = 0;
	err->message[0] = '\0';
	if (!path[0])
		return cg_error_set(err, EX_USAGE, "the port name is empty: "
				    "name a serial port, a capture file or -");
	if (strlen(path) >= sizeof(link->path))
		return cg_error_set(err, EX_USAGE, "the port name is too long");
	copy_path(link->path, sizeof(link->path), path);
	if (baud <= 0)
		return cg_error_set(err, EX_USAGE, "%d is not a baud rate "
				    "(the BMS talks at 115200)", baud);
	return open_path(link, err, VERBOSE);
}

int cg_link_set_baud(struct cg_link *link, int baud,
		     struct cg_error *err)
{
	int old_baud = link->baud;

	err->exit_code = 0;
	err->message[0] = '\0';
	if (link->fd < 0)
		return cg_error_set(err, EX_UNAVAILABLE, "%s is not open",
				    link->path);
	if (link->kind != CG_LINK_SERIAL && link->kind != CG_LINK_TTY)
		return cg_error_set(err, EX_USAGE, "%s is a file or standard "
				    "input: it has no baud rate", link->path);
	link->baud = baud;
	if (link->kind == CG_LINK_SERIAL) {
		if (sp_set_baudrate(link->port, baud) != SP_OK) {
			fail_sp(err, EX_USAGE, "%s cannot be set to %d baud",
				link);
			link->baud = old_baud;
			return -1;
		}
		if (make_fd_raw(link, err) != 0)
			return -1;
	} else if (configure_tty(link, err) != 0) {
		link->baud = old_baud;
		return -1;
	}
	/* Bytes already queued were sampled at the old speed: garbage now. */
	tcflush(link->fd, TCIFLUSH);
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

/*
 * With VMIN=0 and VTIME=0 a tty read() of 0 means "nothing yet" as well as
 * "hung up", so 0 alone is not taken as lost: a zero-timeout poll() tells
 * the two apart by POLLHUP, which a hung-up tty (unplugged adapter, pty
 * whose master closed) always reports.
 */
static bool tty_hung_up(int fd)
{
	struct pollfd probe = { .fd = fd, .events = POLLIN };

	if (poll(&probe, 1, 0) < 0)
		return false;
	return probe.revents & (POLLHUP | POLLERR | POLLNVAL);
}

ssize_t cg_link_read(struct cg_link *link, void *buf, size_t cap)
{
	bool stream = link->kind == CG_LINK_FILE || link->kind == CG_LINK_STDIN;
	ssize_t count;

	if (link->fd < 0)
		return stream ? CG_LINK_EOF : CG_LINK_LOST;
	do
		count = read(link->fd, buf, cap);
	while (count < 0 && errno == EINTR);

	if (count > 0)
		return count;
	if (count == 0 && stream)
		return CG_LINK_EOF;
	if (count == 0 && !tty_hung_up(link->fd))
		return CG_LINK_AGAIN;
	if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return CG_LINK_AGAIN;
	if (stream)
		return CG_LINK_EOF; /* a read error on a capture ends it too */
	/* EIO, ENXIO, ENODEV or a hang-up: the device is gone. */
	cg_link_close(link);
	return CG_LINK_LOST;
}

/* ---- coming back -------------------------------------------------------- */

static int reopen_by_usb_serial(struct cg_link *link)
{
	struct cg_port_info ports[CG_PORTS_MAX];
	int count = cg_ports_list(ports, CG_PORTS_MAX);
	char user_path[PATH_MAX];
	int status = -1;

	/* Open the adapter's new name, but keep showing the user's own. */
	copy_path(user_path, sizeof(user_path), link->path);
	for (int i = 0; i < count && status != 0; i++) {
		struct cg_error ignored;

		if (!ports[i].usb || strcmp(ports[i].serial, link->usb_serial))
			continue;
		copy_path(link->path, sizeof(link->path), ports[i].path);
		status = open_path(link, &ignored, QUIET);
	}
	copy_path(link->path, sizeof(link->path), user_path);
	return status;
}

int cg_link_reopen(struct cg_link *link, struct cg_error *err)
{
	cg_link_close(link);
	err->exit_code = 0;
	err->message[0] = '\0';
	if (open_path(link, err, QUIET) == 0)
		return 0;
	if (link->usb_serial[0] && reopen_by_usb_serial(link) == 0) {
		err->exit_code = 0;
		err->message[0] = '\0';
		return 0;
	}
	return -1;
}

void cg_link_close(struct cg_link *link)
{
	if (link->port) {
		/* libserialport owns the descriptor and closes it. */
		free_port(link);
	} else if (link->fd == STDIN_FILENO && link->kind == CG_LINK_STDIN) {
		/* Standard input is shared with the shell: hand it back
		 * blocking and keep descriptor 0 taken. */
		int flags = fcntl(STDIN_FILENO, F_GETFL);

		if (flags >= 0)
			fcntl(STDIN_FILENO, F_SETFL, flags & ~O_NONBLOCK);
	} else if (link->fd >= 0) {
		close(link->fd);
	}
	link->fd = -1;
}
