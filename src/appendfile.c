/*
 * appendfile: open, append whole records, sync, close; the same rules for
 * every file chargery-top writes.
 */
#include "appendfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

int cg_appendfile_open_error(const char *path,
			     const struct cg_appendfile_kind *kind, int e,
			     struct cg_error *err)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return cg_error_set(err, EX_CANTCREAT, "cannot create %s: its "
				    "directory does not exist; create the "
				    "directory or %s somewhere else", path,
				    kind->verb);
	case EACCES:
	case EPERM:
		return cg_error_set(err, EX_NOPERM, "cannot write %s: "
				    "permission denied; %s to a directory you "
				    "own (e.g. your home) or fix its "
				    "permissions", path, kind->verb);
	case EISDIR:
		return cg_error_set(err, EX_CANTCREAT, "%s is a directory: "
				    "name a file in it, such as %s/%s", path,
				    path, kind->example);
	case EROFS:
		return cg_error_set(err, EX_CANTCREAT, "cannot write %s: the "
				    "file system is read-only; %s somewhere "
				    "else", path, kind->verb);
	case ENOSPC:
	case EDQUOT:
		return cg_error_set(err, EX_CANTCREAT, "cannot create %s: "
				    "disk full; free some space or %s to "
				    "another disk", path, kind->verb);
	default:
		return cg_error_set(err, EX_CANTCREAT, "cannot open %s: %s; "
				    "give %s another file name", path,
				    strerror(e), kind->option);
	}
}

int cg_appendfile_write_error(const struct cg_appendfile *file, int e,
			      struct cg_error *err)
{
	const char *verb = file->kind->verb;

	if (e == ENOSPC || e == EDQUOT)
		cg_error_set(err, EX_IOERR, "cannot write %s: disk full; free "
			     "some space or %s to another disk", file->path,
			     verb);
	else if (e == EFBIG)
		cg_error_set(err, EX_IOERR, "cannot write %s: the file is as "
			     "large as this file system allows; %s to a new "
			     "file", file->path, verb);
	else if (e == EPIPE)
		cg_error_set(err, EX_IOERR, "cannot write %s: its reader went "
			     "away; start the reader first, or %s to a "
			     "file", file->path, verb);
	else
		cg_error_set(err, EX_IOERR, "cannot write %s: %s; check the "
			     "disk (dmesg) or %s somewhere else", file->path,
			     strerror(e), verb);
	if (file->kind->stopped && file->kind->stopped[0])
		cg_error_append(err, "%s", file->kind->stopped);
	return -1;
}

/* ENOENT or ENOTDIR from open(O_CREAT): the directory is missing, or it
 * is there and its file system takes no new files (/proc, /sys). */
static int missing_error(const char *path,
			 const struct cg_appendfile_kind *kind,
			 struct cg_error *err)
{
	char copy[PATH_MAX];
	struct stat st;

	snprintf(copy, sizeof(copy), "%s", path);
	const char *dir = dirname(copy);
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return cg_error_set(err, EX_CANTCREAT, "cannot create %s: "
				    "the file system of %s takes no new "
				    "files; %s somewhere else", path, dir,
				    kind->verb);
	return cg_appendfile_open_error(path, kind, ENOENT, err);
}

/* A new file's name must survive a power cut too, not only its data. */
static void sync_directory(const char *path)
{
	char copy[PATH_MAX];

	snprintf(copy, sizeof(copy), "%s", path);
	int dir = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0) {
		fsync(dir);
		close(dir);
	}
}

static int fail_open(struct cg_appendfile *file)
{
	if (file->fd >= 0)
		close(file->fd);
	file->fd = -1;
	if (file->created)
		unlink(file->path);
	return -1;
}

int cg_appendfile_open(struct cg_appendfile *file, const char *path,
		       const struct cg_appendfile_kind *kind,
		       struct cg_error *err)
{
	struct stat st;
	bool exists;
	int flags = (kind->flags & CG_APPEND_READ ? O_RDWR : O_WRONLY) |
		    O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY;

	memset(file, 0, sizeof(*file));
	file->fd = -1;
	file->kind = kind;
	if ((size_t)snprintf(file->path, sizeof(file->path), "%s", path) >=
	    sizeof(file->path))
		return cg_error_set(err, EX_CANTCREAT, "%s: the file name is "
				    "too long; pick a shorter one",
				    kind->option);

	exists = stat(path, &st) == 0;
	if (exists && (kind->flags & CG_APPEND_REGULAR_ONLY) &&
	    !S_ISREG(st.st_mode))
		return cg_error_set(err, EX_CANTCREAT, "%s is not a regular "
				    "file; give %s a new file name, such as "
				    "%s", path, kind->option, kind->example);

	/* O_NONBLOCK: a FIFO without a reader fails at once (ENXIO) instead
	 * of blocking in open() where no signal can end the wait. */
	file->fd = open(path, flags | O_NONBLOCK, 0644);
	if (file->fd < 0 && errno == ENXIO && exists && S_ISFIFO(st.st_mode))
		return cg_error_set(err, EX_CANTCREAT, "%s is a FIFO and no "
				    "program is reading it: start the reader "
				    "first, or give %s a file name", path,
				    kind->option);
	if (file->fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return missing_error(path, kind, err);
	if (file->fd < 0)
		return cg_appendfile_open_error(path, kind, errno, err);
	file->created = !exists;
	int fl = fcntl(file->fd, F_GETFL);
	if (fl < 0 || fcntl(file->fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		cg_error_set(err, EX_IOERR, "cannot use %s: %s", path,
			     strerror(errno));
		return fail_open(file);
	}
	if ((kind->flags & CG_APPEND_LOCK) &&
	    flock(file->fd, LOCK_EX | LOCK_NB) < 0) {
		file->created = false; /* the other writer's file now */
		cg_error_set(err, EX_TEMPFAIL, "%s is being written by another "
			     "program right now; give %s another file name",
			     path, kind->option);
		return fail_open(file);
	}
	if (fstat(file->fd, &st) < 0) {
		cg_error_set(err, EX_IOERR, "cannot stat %s: %s", path,
			     strerror(errno));
		return fail_open(file);
	}
	if ((kind->flags & CG_APPEND_REGULAR_ONLY) && !S_ISREG(st.st_mode)) {
		cg_error_set(err, EX_CANTCREAT, "%s is not a regular file; "
			     "give %s a new file name, such as %s", path,
			     kind->option, kind->example);
		return fail_open(file);
	}
	file->regular = S_ISREG(st.st_mode);
	file->dev = st.st_dev;
	file->ino = st.st_ino;
	file->size = file->regular ? (uint64_t)st.st_size : 0;
	if (file->created)
		sync_directory(path);
	return 0;
}

/* Takes back the done bytes of a record the file refused the rest of. */
static void roll_back(struct cg_appendfile *file, size_t done)
{
	struct stat st;

	if (!done || !file->regular)
		return;
	/* From the file's own size: O_APPEND wrote at its end. */
	if (fstat(file->fd, &st) == 0 && (uint64_t)st.st_size >= done &&
	    ftruncate(file->fd, st.st_size - (off_t)done) == 0)
		return;
	/* Then a cut record stays; owners that can read their file back
	 * (recorder, CSV log) find it at the next open. */
}

int cg_appendfile_write(struct cg_appendfile *file, const void *buf,
			size_t len, struct cg_error *err)
{
	const char *p = buf;
	size_t done = 0;

	if (file->fd < 0)
		return cg_error_set(err, EX_SOFTWARE, "%s is not open",
				    file->path);
	while (done < len) {
		ssize_t n = write(file->fd, p + done, len - done);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		/* A short write came first: this one says why. */
		int e = n < 0 ? errno : ENOSPC;
		roll_back(file, done);
		return cg_appendfile_write_error(file, e, err);
	}
	if (file->regular)
		file->size += len;
	file->records++;
	file->unsynced = true;
	return 0;
}

int cg_appendfile_truncate(struct cg_appendfile *file, uint64_t size,
			   struct cg_error *err)
{
	if (ftruncate(file->fd, (off_t)size) < 0 || fdatasync(file->fd) < 0)
		return cg_appendfile_write_error(file, errno, err);
	file->size = size;
	return 0;
}

int cg_appendfile_sync(struct cg_appendfile *file, uint64_t now_ms,
		       struct cg_error *err)
{
	if (file->fd < 0 || !file->unsynced)
		return 0;
	file->unsynced = false;
	file->sync_clock_set = true;
	file->synced_at_ms = now_ms;
	file->syncs++;
	if (fdatasync(file->fd) == 0)
		return 0;
	/* Pipes, terminals and /dev/null cannot be synced, nor need it. */
	if (errno == EINVAL || errno == EROFS)
		return 0;
	return cg_appendfile_write_error(file, errno, err);
}

int cg_appendfile_sync_due(struct cg_appendfile *file, uint64_t now_ms,
			   struct cg_error *err)
{
	if (file->fd < 0 || !file->unsynced)
		return 0;
	if (file->sync_clock_set &&
	    now_ms - file->synced_at_ms < file->kind->sync_ms)
		return 0;
	return cg_appendfile_sync(file, now_ms, err);
}

int cg_appendfile_close(struct cg_appendfile *file, struct cg_error *err)
{
	int rc = 0;

	if (file->fd < 0)
		return 0;
	rc = cg_appendfile_sync(file, file->synced_at_ms, err);
	if (close(file->fd) < 0 && rc == 0)
		rc = cg_appendfile_write_error(file, errno, err);
	file->fd = -1;
	return rc;
}

bool cg_appendfile_same(const struct cg_appendfile *a,
			const struct cg_appendfile *b)
{
	return a->fd >= 0 && b->fd >= 0 && a->dev == b->dev &&
	       a->ino == b->ino;
}

/* The file path names, existing or not: its device and inode, or (not
 * there yet) its directory's and its last name. A dangling symbolic link
 * names the file it points to, which an open would create. */
static bool identify(const char *path, struct stat *st, char *name,
		     size_t cap)
{
	char at[PATH_MAX], copy[PATH_MAX], base[PATH_MAX], target[PATH_MAX];

	snprintf(at, sizeof(at), "%s", path);
	for (int hops = 0; hops < 8; hops++) {
		name[0] = '\0';
		if (stat(at, st) == 0)
			return true;
		if (errno != ENOENT)
			return false;
		ssize_t n = readlink(at, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			snprintf(copy, sizeof(copy), "%s", at);
			if (target[0] == '/')
				snprintf(at, sizeof(at), "%s", target);
			else
				snprintf(at, sizeof(at), "%.2000s/%.2000s",
					 dirname(copy), target);
			continue;
		}
		snprintf(copy, sizeof(copy), "%s", at);
		snprintf(base, sizeof(base), "%s", at);
		if (stat(dirname(copy), st) < 0)
			return false;
		snprintf(name, cap, "%s", basename(base));
		return name[0] != '\0';
	}
	return false;
}

bool cg_appendfile_same_path(const char *a, const char *b)
{
	struct stat sa, sb;
	char na[NAME_MAX + 1], nb[NAME_MAX + 1];

	if (!identify(a, &sa, na, sizeof(na)) ||
	    !identify(b, &sb, nb, sizeof(nb)))
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino &&
	       strcmp(na, nb) == 0;
}

bool cg_appendfile_is(const struct cg_appendfile *file, const char *path)
{
	struct stat st;

	return file->fd >= 0 && stat(path, &st) == 0 &&
	       st.st_dev == file->dev && st.st_ino == file->ino;
}
