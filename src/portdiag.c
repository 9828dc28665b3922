/*
 * portdiag: every way a serial port can refuse to open has a message that
 * says what to do about it.
 */
#include "portdiag.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sysexits.h>
#include <unistd.h>

#include "ports.h"
#include "sanitize.h"

#define UDEV_RULE "udev/99-chargery.rules"

static void chomp(char *text)
{
	size_t length = strlen(text);

	while (length > 0 && isspace((unsigned char)text[length - 1]))
		text[--length] = '\0';
}

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
	char comm[64], safe[64];

	if (!read_comm(pid, comm, sizeof(comm)))
		snprintf(comm, sizeof(comm), "%s", "?");
	/* Anyone can name a process: never let its name drive a terminal. */
	cg_sanitize(safe, sizeof(safe), comm);
	cg_error_append(err, "%s%s (pid %ld)", found ? ", " : "", safe, pid);
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

int cg_portdiag_busy(const char *path, const char *resolved, bool locked,
		     struct cg_error *err)
{
	struct stat device;

	cg_error_set(err, EX_UNAVAILABLE, "%s is in use by ", path);
	if (stat(resolved, &device) == 0 && S_ISCHR(device.st_mode) &&
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
			    path, resolved);
}

static int fail_missing(const char *path, struct cg_error *err, bool verbose)
{
	struct cg_port_info ports[CG_PORTS_MAX];
	size_t used;
	FILE *table;
	int count;

	cg_error_set(err, EX_NOINPUT, "no such port %s", path);
	if (!verbose)
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

static int fail_permission(const char *path, const char *resolved,
			   struct cg_error *err)
{
	struct passwd *user = getpwuid(getuid());
	const char *user_name = user ? user->pw_name : "$USER";
	struct stat device;
	struct group *group;
	char group_name[64];

	if (stat(resolved, &device) != 0)
		return cg_error_set(err, EX_NOPERM, "permission denied on %s: "
				    "%s. Ask the owner of the path for access.",
				    path, strerror(errno));
	group = getgrgid(device.st_gid);
	if (group)
		snprintf(group_name, sizeof(group_name), "%s", group->gr_name);
	else
		snprintf(group_name, sizeof(group_name), "%u",
			 (unsigned)device.st_gid);

	cg_error_set(err, EX_NOPERM, "permission denied on %s (owner group "
		     "%s, mode %03o). ", path, group_name,
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
				resolved, UDEV_RULE);
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

int cg_portdiag_errno(const char *path, const char *resolved, int error,
		      bool verbose, struct cg_error *err)
{
	switch (error) {
	case ENOENT:
	case ENOTDIR:
	case ENXIO:
	case ENODEV:
		return fail_missing(path, err, verbose);
	case EACCES:
	case EPERM:
		return fail_permission(path, resolved, err);
	case EBUSY:
		return cg_portdiag_busy(path, resolved, false, err);
	default:
		return cg_error_set(err, EX_IOERR, "cannot open %s: %s",
				    path, strerror(error));
	}
}

