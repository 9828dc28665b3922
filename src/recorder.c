/*
 * recorder: appends timestamped blocks to a recording. A block reaches the
 * file whole or not at all (appendfile), so a killed process leaves whole
 * blocks only; an existing file is scanned first so new blocks never follow
 * a torn one.
 */
#include "recorder.h"

#include <errno.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "replay.h"

#define US_PER_S 1000000ULL

static const struct cg_appendfile_kind recording = {
	.option = "--record",
	.verb = "record",
	.example = "bms.rec",
	.stopped = "; recording stopped. The recording is intact up to here.",
	.sync_ms = CG_REC_SYNC_MS,
	.flags = CG_APPEND_READ | CG_APPEND_REGULAR_ONLY | CG_APPEND_LOCK,
};

uint64_t cg_rec_wall_us(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (uint64_t)now.tv_sec * US_PER_S + (uint64_t)now.tv_nsec / 1000u;
}

static int start_file(struct cg_recorder *rec, struct cg_error *err)
{
	if (cg_appendfile_truncate(&rec->file, 0, err) < 0 ||
	    cg_appendfile_write(&rec->file, CG_REC_MAGIC, CG_REC_MAGIC_LEN,
				err) < 0)
		return -1;
	rec->file.records = 0;
	rec->file.unsynced = true;
	return cg_appendfile_sync(&rec->file, 0, err);
}

/* Checks an existing file and cuts its torn tail. */
static int adopt_file(struct cg_recorder *rec, size_t size,
		      struct cg_error *err)
{
	const char *path = rec->file.path;
	struct cg_rec_scan scan;
	uint8_t buf[CG_REC_BLOCK_MAX];

	if (cg_rec_scan_fd(rec->file.fd, size, buf, sizeof(buf), &scan, path,
			   err) < 0)
		return -1;

	switch (scan.kind) {
	case CG_REC_FILE_EMPTY:
		return start_file(rec, err);
	case CG_REC_FILE_TORN_MAGIC:
		/* "C" or "CHARGERY" is as likely a file of its own as a
		 * recording torn while created: never touched. */
		return cg_error_set(err, EX_DATAERR, "%s holds only %zu "
				    "bytes, not a chargery-top recording; pick "
				    "a new name for --record (nothing was "
				    "written to it).", path, size);
	case CG_REC_FILE_MANGLED:
		return cg_error_set(err, EX_DATAERR, "%s is not a recording "
				    "(its line endings were changed?); pick a "
				    "new name for --record (nothing was "
				    "written to it).", path);
	case CG_REC_FILE_OTHER:
		return cg_error_set(err, EX_DATAERR, "%s is not a "
				    "chargery-top recording; pick a new name "
				    "for --record (nothing was written to it).",
				    path);
	case CG_REC_FILE_NEWER:
		return cg_error_set(err, EX_DATAERR, "%s was recorded by a "
				    "newer chargery-top; pick a new name for "
				    "--record.", path);
	case CG_REC_FILE_RECORDING:
		break;
	}
	if (scan.damaged) {
		return cg_error_set(err, EX_DATAERR, "%s is a damaged "
				    "recording: a bad block at byte %zu, %zu "
				    "bytes after it. Pick a new name for "
				    "--record (nothing was written to it); "
				    "--replay still plays it up to the "
				    "damage.", path, scan.end, scan.ignored);
	}
	if (scan.ignored) {
		/* A torn block from a crash; new blocks must not follow it. */
		if (cg_appendfile_truncate(&rec->file, scan.end, err) < 0)
			return -1;
		rec->cut_bytes = scan.ignored;
	}
	return 0;
}

int cg_recorder_open(struct cg_recorder *rec, const char *path,
		     uint64_t now_ms, struct cg_error *err)
{
	memset(rec, 0, sizeof(*rec));
	if (cg_appendfile_open(&rec->file, path, &recording, err) < 0)
		return -1;

	int rc = rec->file.size == 0 ?
		 start_file(rec, err) :
		 adopt_file(rec, (size_t)rec->file.size, err);
	if (rc < 0) {
		struct cg_error ignored;
		bool created = rec->file.created;

		rec->file.unsynced = false;
		cg_appendfile_close(&rec->file, &ignored);
		if (created)
			unlink(path);
		return -1;
	}
	/* Opening synced what it wrote (or there was nothing to write). */
	rec->file.unsynced = false;
	rec->file.sync_clock_set = true;
	rec->file.synced_at_ms = now_ms;
	return 0;
}

int cg_recorder_write(struct cg_recorder *rec, const uint8_t *data,
		      size_t len, uint64_t time_us, uint64_t now_ms,
		      struct cg_error *err)
{
	uint8_t block[CG_REC_OVERHEAD + CG_REC_WRITE_MAX];

	if (rec->file.fd < 0)
		return cg_error_set(err, EX_SOFTWARE, "%s: the recording is %s",
				    rec->file.path, "closed");
	while (len > 0) {
		size_t part = len < CG_REC_WRITE_MAX ? len : CG_REC_WRITE_MAX;
		size_t size = cg_rec_encode_block(CG_REC_TAG_BYTES, time_us,
						  data, part, block,
						  sizeof(block));

		if (cg_appendfile_write(&rec->file, block, size, err) < 0)
			return -1;
		rec->blocks++;
		rec->bytes += part;
		data += part;
		len -= part;
	}
	return cg_recorder_tick(rec, now_ms, err);
}

int cg_recorder_tick(struct cg_recorder *rec, uint64_t now_ms,
		     struct cg_error *err)
{
	return cg_appendfile_sync_due(&rec->file, now_ms, err);
}

int cg_recorder_close(struct cg_recorder *rec, struct cg_error *err)
{
	return cg_appendfile_close(&rec->file, err);
}
