/*
 * link: opens the byte source the user named and reads it without ever
 * blocking. Most of this file is about failing well: every way a serial
 * port can refuse to open has a message that says what to do about it.
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

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include <libserialport.h>

#include "baud.h"
#include "ports.h"

#define UDEV_RULE "udev/99-chargery.rules"

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

static void chomp(char *text)
{
	size_t length = strlen(text);

	while (length > 0 && isspace((unsigned char)text[length - 1]))
		text[--length] = '\0';
}

/* ---- why a port cannot be opened ---------------------------------------- */

/* A /proc entry or fd name: all digits, else -1. */
static long parse_number(const char *name)
{
	char *end;
	long value;

	if (!isdigit((unsigned char)name[0]))
		return -1;
	value = strtol(name, &end, 10);
	return *end ? -1 : value;
}

static bool read_comm(long pid, char *comm, size_t cap)
{
	char path[64];
	FILE *file;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	file = fopen(path, "r");
	if (!file)
		return false;
	ok = fgets(comm, (int)cap, file) != NULL;
	fclose(file);
	if (ok)
		chomp(comm);
	return ok;
}

static bool process_holds_device(long pid, dev_t device)
{
	char fd_dir_path[64];
	DIR *fd_dir;
	struct dirent *entry;
	bool holds = false;

	snprintf(fd_dir_path, sizeof(fd_dir_path), "/proc/%ld/fd", pid);
	/* Other users' processes are not readable unless we are root; the
	 * message says how to look with more rights when nothing is found. */
	fd_dir = opendir(fd_dir_path);
	if (!fd_dir)
		return false;
	while (!holds && (entry = readdir(fd_dir))) {
		long fd = parse_number(entry->d_name);
		char fd_path[96];
		struct stat target;

		if (fd < 0)
			continue;
		snprintf(fd_path, sizeof(fd_path), "/proc/%ld/fd/%ld", pid, fd);
		/* stat() follows the magic link without opening anything. */
		if (stat(fd_path, &target) == 0 && S_ISCHR(target.st_mode) &&
		    target.st_rdev == device)
			holds = true;
	}
	closedir(fd_dir);
	return holds;
}

/* Adds "name (pid N)" to the list of holders in err; found: named so far. */
static void append_holder(struct cg_error *err, long pid, int found)
{
	char comm[64];

	if (!read_comm(pid, comm, sizeof(comm)))
		snprintf(comm, sizeof(comm), "%s", "?");
	cg_error_append(err, "%s%s (pid %ld)", found ? ", " : "", comm, pid);
}

/* Names, in err, the programs that have device open. Returns how many. */
static int append_holders(struct cg_error *err, dev_t device)
{
	DIR *proc = opendir("/proc");
	struct dirent *entry;
	int found = 0;

	if (!proc)
		return 0;
	while ((entry = readdir(proc))) {
		long pid = parse_number(entry->d_name);

		if (pid <= 0 || !process_holds_device(pid, device))
			continue;
		append_holder(err, pid, found++);
	}
	closedir(proc);
	return found;
}

/*
 * When flock() refused us, /proc/locks says exactly who holds the lock;
 * the /proc/PID/fd scan would also list a socat or a simulator that merely
 * keeps the pty open. Lines look like
 * "1: FLOCK  ADVISORY  WRITE 5774 00:18:4 0 EOF" (device of the file system
 * in hex, then the inode). Returns how many holders were named.
 */
static int append_lock_holders(struct cg_error *err,
			       const struct stat *node)
{
	FILE *locks = fopen("/proc/locks", "r");
	char line[256];
	int found = 0;

	if (!locks)
		return 0;
	while (fgets(line, sizeof(line), locks)) {
		char type[16];
		unsigned int major_number, minor_number;
		unsigned long inode;
		long pid;

		if (sscanf(line, "%*d: %15s %*s %*s %ld %x:%x:%lu", type, &pid,
			   &major_number, &minor_number, &inode) != 5 ||
		    strcmp(type, "FLOCK") || pid <= 0 ||
		    major_number != major(node->st_dev) ||
		    minor_number != minor(node->st_dev) ||
		    inode != (unsigned long)node->st_ino)
			continue;
		append_holder(err, pid, found++);
	}
	fclose(locks);
	return found;
}

/* locked: flock() refused (else open() said EBUSY, from TIOCEXCL). */
static int fail_busy(struct cg_link *link, struct cg_error *err,
		     bool locked)
{
	struct stat device;

	cg_error_set(err, EX_UNAVAILABLE, "%s is in use by ", link->path);
	if (stat(link->resolved, &device) == 0 && S_ISCHR(device.st_mode) &&
	    ((locked && append_lock_holders(err, &device) > 0) ||
	     append_holders(err, device.st_rdev) > 0)) {
		cg_error_append(err, ". Close it, or stop ModemManager if it "
				"is probing the port (sudo systemctl stop "
				"ModemManager).");
		return -1;
	}
	return cg_error_set(err, EX_UNAVAILABLE, "%s is in use by another "
			    "program. Close it (see which with: sudo lsof "
			    "%s), or stop ModemManager if it is probing the "
			    "port (sudo systemctl stop ModemManager).",
			    link->path, link->resolved);
}

static int fail_missing(struct cg_link *link, struct cg_error *err,
			enum verbosity verbosity)
{
	struct cg_port_info ports[CG_PORTS_MAX];
	size_t used;
	FILE *table;
	int count;

	cg_error_set(err, EX_NOINPUT, "no such port %s", link->path);
	if (verbosity == QUIET)
		return -1;
	cg_error_append(err, ". Check that the adapter is plugged in (dmesg "
			"shows it), then name one of these:\n");
	count = cg_ports_list(ports, CG_PORTS_MAX);
	used = strlen(err->message);
	/* The table goes straight into what is left of the message. */
	table = fmemopen(err->message + used, sizeof(err->message) - used,
			 "w");
	if (!table)
		return -1;
	cg_ports_print(table, ports, count);
	fclose(table);
	chomp(err->message);
	return -1;
}

static bool in_group(gid_t group)
{
	gid_t groups[256];
	int count = getgroups(256, groups);

	if (getegid() == group)
		return true;
	for (int i = 0; i < count; i++)
		if (groups[i] == group)
			return true;
	return false;
}

static int fail_permission(struct cg_link *link, struct cg_error *err)
{
	struct passwd *user = getpwuid(getuid());
	const char *user_name = user ? user->pw_name : "$USER";
	struct stat device;
	struct group *group;
	char group_name[64];

	if (stat(link->resolved, &device) != 0)
		return cg_error_set(err, EX_NOPERM, "permission denied on %s: "
				    "%s. Ask the owner of the path for access.",
				    link->path, strerror(errno));
	group = getgrgid(device.st_gid);
	if (group)
		snprintf(group_name, sizeof(group_name), "%s", group->gr_name);
	else
		snprintf(group_name, sizeof(group_name), "%u",
			 (unsigned)device.st_gid);

	cg_error_set(err, EX_NOPERM, "permission denied on %s (owner group "
		     "%s, mode %03o). ", link->path, group_name,
		     (unsigned)device.st_mode & 0777u);
	if (device.st_gid == 0 || !(device.st_mode & S_IRGRP)) {
		/* Joining root's group, or a group without read access,
		 * would not help: the device's permissions must change. */
		cg_error_append(err, "Install the udev rule that gives USB "
				"serial adapters to group dialout: see the "
				"comments in %s.", UDEV_RULE);
	} else if (in_group(device.st_gid)) {
		cg_error_append(err, "You are in group %s, so another rule "
				"must be denying access: check with ls -l %s, "
				"or install the udev rule in %s.", group_name,
				link->resolved, UDEV_RULE);
	} else {
		cg_error_append(err, "Add yourself to that group:\n    sudo "
				"usermod -aG %s %s\nthen log out and back in "
				"(or run: newgrp %s). The udev rule in %s "
				"also stops ModemManager from probing the "
				"port.", group_name, user_name, group_name,
				UDEV_RULE);
	}
	return -1;
}

/* Classifies a failed open()/realpath() into the right message. */
static int fail_errno(struct cg_link *link, struct cg_error *err,
		      int error, enum verbosity verbosity)
{
	switch (error) {
	case ENOENT:
	case ENOTDIR:
	case ENXIO:
	case ENODEV:
		return fail_missing(link, err, verbosity);
	case EACCES:
	case EPERM:
		return fail_permission(link, err);
	case EBUSY:
		return fail_busy(link, err, false);
	default:
		return cg_error_set(err, EX_IOERR, "cannot open %s: %s",
				    link->path, strerror(error));
	}
}

/* ---- opening ------------------------------------------------------------ */

static int set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return -1;
	return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
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
	cfmakeraw(&settings);
	settings.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB | CRTSCTS);
	settings.c_cflag |= CS8 | CLOCAL | CREAD;
	settings.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	/* With O_NONBLOCK these make read() return what there is at once. */
	settings.c_cc[VMIN] = 0;
	settings.c_cc[VTIME] = 0;
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
		return fail_busy(link, err, true);
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
	    sp_set_flowcontrol(link->port, SP_FLOWCONTROL_NONE) != SP_OK) {
		fail_sp(err, EX_IOERR, "cannot set %s to %d 8N1", link);
		goto failed;
	}
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
		return fail_errno(link, err, errno, verbosity);
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
		return fail_errno(link, err, errno, verbosity);
	link->fd = fd;
	link->kind = CG_LINK_FILE;
	return 0;
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
		return fail_errno(link, err, errno, verbosity);
	}
	if (stat(link->resolved, &info) != 0)
		return fail_errno(link, err, errno, verbosity);
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
