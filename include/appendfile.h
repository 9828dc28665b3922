/*
 * appendfile: the one way chargery-top appends to a file of its own (the
 * --log CSV, the --events file, the --record recording), so all three open,
 * write, sync and fail alike.
 *
 *  - Open: O_APPEND | O_CREAT, mode 0644 before umask. One errno-to-exit-
 *    code rule: EACCES and EPERM are EX_NOPERM (the user lacks a right);
 *    everything else the file system refuses (no such directory, a
 *    directory, read-only, full, ...) is EX_CANTCREAT, as sysexits.h asks
 *    for an output file that cannot be created. Each message says what to
 *    do, in the words of the file's kind (struct cg_appendfile_kind).
 *  - Write: a record (a row, a line, a block) goes whole or not at all: one
 *    write(2) nearly always does it, and if the file refuses part of it (a
 *    full disk, the file size limit) what did get written is cut off again
 *    (ftruncate to the size before), so a record is never half on disk.
 *    Errors are EX_IOERR.
 *  - Sync: data is fdatasync()ed when the caller's tick finds it waiting:
 *    the first time at once, then at most every kind->sync_ms; and on
 *    close. Pipes, terminals and /dev/null cannot be synced, nor need it.
 *  - Same file: each open file knows its device and inode, so two outputs
 *    on one file can be told apart from two files (cg_appendfile_same);
 *    cg_appendfile_same_path tells it from two names before either is
 *    opened, so a clash is refused before anything is written.
 *  - FIFOs: opened without blocking, so a FIFO nobody reads is refused at
 *    once (EX_CANTCREAT, "start the reader first"), never a wait in open()
 *    that no signal could end; once open, writes block as usual.
 *
 * I/O module. Functions that can fail return 0, or -1 with the <sysexits.h>
 * code and what to do in *err (error.h).
 */
#ifndef CG_APPENDFILE_H
#define CG_APPENDFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* Open flags. */
#define CG_APPEND_READ 1u         /* read-write: the owner reads it back */
#define CG_APPEND_REGULAR_ONLY 2u /* refuse anything but a regular file,
				   * looking before opening (opening a tty
				   * or FIFO has side effects) */
#define CG_APPEND_LOCK 4u         /* exclusive flock(): a second writer of
				   * the same kind is refused, EX_TEMPFAIL */

/* What the file is, for the messages and the sync policy. */
struct cg_appendfile_kind {
	const char *option;  /* "--log": "give --log a new file name" */
	const char *verb;    /* "log": "... or log somewhere else" */
	const char *example; /* "chargery.csv": "name a file in it, such as
			      * DIR/chargery.csv" */
	const char *stopped; /* appended to write errors ("" for none):
			      * what became of the output */
	uint64_t sync_ms;    /* fdatasync at most this often */
	unsigned flags;      /* CG_APPEND_* */
};

struct cg_appendfile {
	char path[PATH_MAX];
	const struct cg_appendfile_kind *kind; /* must outlive the file */
	int fd;              /* -1 when closed */
	bool regular;        /* a regular file: rollback and sizes apply */
	bool created;        /* this open made the file */
	dev_t dev;           /* of the open file, for cg_appendfile_same */
	ino_t ino;
	uint64_t size;       /* bytes in the file after our last change
			      * (regular files) */
	uint64_t records;    /* whole records written by us */
	uint64_t syncs;      /* fdatasync() calls */
	bool unsynced;       /* written since the last fdatasync() */
	bool sync_clock_set; /* synced_at_ms holds a time */
	uint64_t synced_at_ms;
};

/* Opens path for appending. Fails with EX_NOPERM, EX_CANTCREAT, EX_TEMPFAIL
 * (CG_APPEND_LOCK) or EX_IOERR; the file is closed on failure. */
int cg_appendfile_open(struct cg_appendfile *file, const char *path,
		       const struct cg_appendfile_kind *kind,
		       struct cg_error *err);

/* The open-failure message for errno e, as cg_appendfile_open gives it:
 * for owners that open the file again by other means (to read it). */
int cg_appendfile_open_error(const char *path,
			     const struct cg_appendfile_kind *kind, int e,
			     struct cg_error *err);

/* Appends len bytes as one record: whole, or not at all (see above). */
int cg_appendfile_write(struct cg_appendfile *file, const void *buf,
			size_t len, struct cg_error *err);

/* Cuts a regular file back to size bytes and syncs it (a torn tail off,
 * or a fresh start at 0). */
int cg_appendfile_truncate(struct cg_appendfile *file, uint64_t size,
			   struct cg_error *err);

/* Syncs if data is waiting and it is time (see above); now_ms is the
 * monotonic clock. Fails with EX_IOERR. */
int cg_appendfile_sync_due(struct cg_appendfile *file, uint64_t now_ms,
			   struct cg_error *err);

/* Syncs now if data is waiting, whatever the time. */
int cg_appendfile_sync(struct cg_appendfile *file, uint64_t now_ms,
		       struct cg_error *err);

/* Syncs what is waiting and closes. Safe on a closed file. Fails with
 * EX_IOERR (the file is closed either way). */
int cg_appendfile_close(struct cg_appendfile *file, struct cg_error *err);

/* The write-error message for errno e (EX_IOERR), with kind->stopped. */
int cg_appendfile_write_error(const struct cg_appendfile *file, int e,
			      struct cg_error *err);

/* True when both are open on the same file (device and inode). */
bool cg_appendfile_same(const struct cg_appendfile *a,
			const struct cg_appendfile *b);

/* True when a and b name the same file: the same device and inode, or,
 * for names not there yet, the same directory and last name. False when
 * either cannot be looked at (a missing directory). */
bool cg_appendfile_same_path(const char *a, const char *b);

/* True when the file at path is the one open in file (a later open of
 * path would append to it); false if path does not exist. */
bool cg_appendfile_is(const struct cg_appendfile *file, const char *path);

#endif
