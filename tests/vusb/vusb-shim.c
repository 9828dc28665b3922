/*
 * vusb-shim: a test-only LD_PRELOAD library for the virtual USB-serial
 * adapter harness (tests/vusb/vusb.sh). Never linked into the programs.
 *
 * libserialport's sp_open() reads and sets the modem lines (TIOCMGET, and
 * TIOCMBIS/TIOCMBIC for RTS and DTR) and gives up when they fail. A pty has
 * no modem lines, so the harness's fake /dev/ttyUSB<n>, a pty slave, would
 * fall back to plain termios and the libserialport path would go untested.
 * This shim answers those four requests for pty slaves only, and only once
 * the kernel has refused them: a real adapter is never touched. Everything
 * else goes straight to the next ioctl() (libc's, or a sanitizer's).
 *
 * With VUSB_SHIM_LOG=FILE set, every answered request is appended to FILE
 * as "PID REQUEST PATH" (the path the descriptor was opened by, such as
 * /dev/ttyUSB0), so a test can prove libserialport opened that port.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Unix98 pty slaves use majors 136..143 (UNIX98_PTY_SLAVE_MAJOR). */
#define PTY_SLAVE_MAJOR_FIRST 136
#define PTY_SLAVE_MAJOR_LAST 143

/* What an idle adapter with nothing on its handshake pins reports: DTR and
 * RTS asserted by the host, DSR/CTS/DCD as a null-modem cable loops them. */
#define LINES_AT_OPEN (TIOCM_DTR | TIOCM_RTS | TIOCM_DSR | TIOCM_CTS | TIOCM_CAR)

/* Lines per descriptor; a descriptor beyond the table shares the last slot,
 * good enough for a test shim. */
#define TRACKED_FDS 1024
static int lines_by_fd[TRACKED_FDS];
static bool seen_fd[TRACKED_FDS];

typedef int (*ioctl_function)(int, unsigned long, ...);

static bool is_pty_slave(int fd)
{
	struct stat info;

	if (fstat(fd, &info) != 0 || !S_ISCHR(info.st_mode))
		return false;
	return major(info.st_rdev) >= PTY_SLAVE_MAJOR_FIRST &&
	       major(info.st_rdev) <= PTY_SLAVE_MAJOR_LAST;
}

static const char *request_name(unsigned long request)
{
	switch (request) {
	case TIOCMGET:
		return "TIOCMGET";
	case TIOCMSET:
		return "TIOCMSET";
	case TIOCMBIS:
		return "TIOCMBIS";
	default:
		return "TIOCMBIC";
	}
}

/* One line per answer, in a single write so parallel probes do not mix. */
static void log_answer(int fd, unsigned long request)
{
	const char *path = getenv("VUSB_SHIM_LOG");
	char fd_link[64], opened_as[256], line[384];
	ssize_t link_length;
	int length, log_fd;

	if (!path || !path[0])
		return;
	snprintf(fd_link, sizeof(fd_link), "/proc/self/fd/%d", fd);
	link_length = readlink(fd_link, opened_as, sizeof(opened_as) - 1);
	if (link_length < 0)
		link_length = 0;
	opened_as[link_length] = '\0';
	length = snprintf(line, sizeof(line), "%ld %s %s\n", (long)getpid(),
			  request_name(request), opened_as);
	log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (log_fd < 0)
		return;
	if (write(log_fd, line, (size_t)length) < 0) {
		/* Only a diagnostic: the ioctl's answer matters more. */
	}
	close(log_fd);
}

static int answer_modem_request(int fd, unsigned long request, int *bits)
{
	int slot = fd < TRACKED_FDS ? fd : TRACKED_FDS - 1;
	int *lines = &lines_by_fd[slot];

	if (!bits) {
		errno = EFAULT;
		return -1;
	}
	if (!seen_fd[slot]) {
		seen_fd[slot] = true;
		*lines = LINES_AT_OPEN;
	}
	switch (request) {
	case TIOCMGET:
		*bits = *lines;
		break;
	case TIOCMSET:
		*lines = *bits;
		break;
	case TIOCMBIS:
		*lines |= *bits;
		break;
	case TIOCMBIC:
		*lines &= ~*bits;
		break;
	}
	log_answer(fd, request);
	return 0;
}

static bool is_modem_request(unsigned long request)
{
	return request == TIOCMGET || request == TIOCMSET ||
	       request == TIOCMBIS || request == TIOCMBIC;
}

int ioctl(int fd, unsigned long request, ...)
{
	static ioctl_function next_ioctl;
	va_list args;
	void *argument;
	int result, saved_errno;

	va_start(args, request);
	argument = va_arg(args, void *);
	va_end(args);

	if (!next_ioctl) {
		/* dlsym hands back an object pointer; POSIX guarantees it
		 * converts to a function pointer. */
		*(void **)&next_ioctl = dlsym(RTLD_NEXT, "ioctl");
		if (!next_ioctl) {
			errno = ENOSYS;
			return -1;
		}
	}
	result = next_ioctl(fd, request, argument);
	if (result == 0 || !is_modem_request(request))
		return result;
	saved_errno = errno;
	/* Only what a pty lacks: ENOTTY/EINVAL from a pty slave. */
	if ((saved_errno != ENOTTY && saved_errno != EINVAL) || fd < 0 ||
	    !is_pty_slave(fd)) {
		errno = saved_errno;
		return result;
	}
	return answer_modem_request(fd, request, argument);
}
