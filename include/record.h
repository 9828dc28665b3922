/*
 * record: --record FILE keeps every byte the BMS sent, with the time it
 * arrived; --replay FILE plays such a recording (or a plain raw dump made
 * with `cat /dev/ttyUSB0 > dump.bin`) back through the normal pipeline.
 *
 * File format, version 1 (all integers little-endian):
 *
 *   magic   "CHARGERY-REC 1\n"  15 bytes, once, at the start
 *   block   tag      u8        'B' (0x42): bytes received from the BMS
 *           time_us  u64       wall clock at receipt, microseconds since
 *                              the Unix epoch (UTC)
 *           len      u16       number of data bytes (one read() chunk)
 *           data     len bytes exactly as received
 *           crc      u32       CRC-32 (IEEE 802.3, as zlib's crc32())
 *                              over tag, time_us, len and data
 *   block   ...
 *
 * 15 bytes of overhead per block; a BMS sends about 50 bytes a second, so
 * an hour is a few hundred kB. Blocks are only ever appended, each with one
 * write(2), and the file is fdatasync()ed at most once a second: a kill -9
 * loses nothing already written and a power cut at most the last second.
 * Readers treat a block that is cut short or fails its CRC, with no good
 * block anywhere after it, as a torn tail: the replay ends there, and the
 * recorder cuts it off before appending. A bad block WITH good blocks after
 * it is damage: the replay stops there and says so; the recorder refuses to
 * append. Blocks with a tag other than 'B' and a good CRC are skipped, so
 * later versions can add kinds of block without breaking this reader.
 *
 * Pure part (no I/O, no allocation, no globals): CRC-32, block encode and
 * decode, scanning a whole file image, and the replay clock. I/O part: the
 * recorder and the replay reader.
 *
 * Conventions: functions that can fail return 0 on success and -1 on
 * failure, with an exit code from <sysexits.h> and a message that tells the
 * user what to do in a struct cg_error (error.h). cg_replay_next() returns 1 for a
 * chunk and 0 at the end. Times: *_us are recorded wall-clock microseconds,
 * *_ms are the caller's monotonic milliseconds (cg_clock_ms()).
 */
#ifndef CG_RECORD_H
#define CG_RECORD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "framer.h"

#define CG_REC_MAGIC "CHARGERY-REC 1\n"
#define CG_REC_MAGIC_LEN 15
#define CG_REC_MAGIC_STEM "CHARGERY-REC " /* any version */
#define CG_REC_TAG_BYTES 'B'
#define CG_REC_HEADER_LEN 11 /* tag, time_us, len */
#define CG_REC_CRC_LEN 4
#define CG_REC_OVERHEAD (CG_REC_HEADER_LEN + CG_REC_CRC_LEN)
#define CG_REC_DATA_MAX 65535 /* what len can say */
#define CG_REC_WRITE_MAX 4096 /* the recorder splits bigger chunks */
#define CG_REC_SYNC_MS 1000   /* fdatasync at most this often */

/* ------------------------------------------------------------------ */
/* Pure: CRC, blocks, file scan                                        */

/* CRC-32 of len bytes, continuing from crc (pass 0 to start). */
uint32_t cg_crc32(uint32_t crc, const void *data, size_t len);

/* Encodes one block into out. Returns its size (CG_REC_OVERHEAD + len), or
 * 0 if len > CG_REC_DATA_MAX or cap is too small. */
size_t cg_rec_encode_block(uint8_t tag, uint64_t time_us, const uint8_t *data,
			   size_t len, uint8_t *out, size_t cap);

struct cg_rec_block {
	uint8_t tag;
	uint64_t time_us;
	uint16_t len;
	const uint8_t *data; /* points into the buffer given to decode */
	size_t size;         /* whole block: CG_REC_OVERHEAD + len */
};

enum cg_rec_decode_result {
	CG_REC_BLOCK_OK = 0,
	CG_REC_BLOCK_SHORT = -1,   /* the buffer ends inside the block */
	CG_REC_BLOCK_BAD_CRC = -2,
};

/* Decodes the block at the start of buf (avail bytes). */
enum cg_rec_decode_result cg_rec_decode_block(const uint8_t *buf, size_t avail,
					      struct cg_rec_block *out);

enum cg_rec_file_kind {
	CG_REC_FILE_EMPTY,        /* 0 bytes */
	CG_REC_FILE_RECORDING,    /* starts with CG_REC_MAGIC */
	CG_REC_FILE_TORN_MAGIC,   /* shorter than the magic and a prefix of
				   * it: a recording torn while created */
	CG_REC_FILE_NEWER,        /* a recording of a later format version */
	CG_REC_FILE_OTHER,        /* not a recording (e.g. a raw dump) */
};

/* What a whole recording holds. Offsets are from the start of the file. */
struct cg_rec_scan {
	enum cg_rec_file_kind kind;
	size_t end;         /* just after the last good block (or magic) */
	uint64_t blocks;    /* good blocks, of any tag */
	uint64_t data_blocks; /* good 'B' blocks */
	uint64_t first_us;  /* time of the first 'B' block, 0 if none */
	uint64_t last_us;   /* time of the last 'B' block, 0 if none */
	size_t ignored;     /* bytes after end: torn tail or after damage */
	bool damaged;       /* a bad block at end, with good blocks after it */
	size_t good_after;  /* when damaged: offset of the next good block */
};

/* Classifies a file image and, for a recording, walks its blocks. */
void cg_rec_scan(const uint8_t *file, size_t size, struct cg_rec_scan *out);

/* ------------------------------------------------------------------ */
/* Recorder (I/O)                                                      */

struct cg_recorder {
	char path[PATH_MAX];
	int fd;                /* -1 when closed */
	uint64_t size;         /* bytes in the file */
	uint64_t blocks;       /* blocks this session wrote */
	uint64_t bytes;        /* BMS bytes this session recorded */
	uint64_t syncs;        /* fdatasync() calls */
	uint64_t synced_at_ms;
	bool unsynced;         /* written since the last fdatasync() */
	size_t cut_bytes;      /* torn tail cut off at open */
};

/* Wall clock now in microseconds since the epoch: the time to record. */
uint64_t cg_rec_wall_us(void);

/*
 * Opens path for recording: creates it with the magic, or checks that an
 * existing file is a recording, cuts off a torn tail (rec->cut_bytes says
 * how much) and appends after it. Refuses anything else (EX_DATAERR), a
 * recording locked by another recorder (EX_TEMPFAIL), and reports open
 * failures (EX_NOPERM, EX_CANTCREAT) and I/O errors (EX_IOERR).
 */
int cg_recorder_open(struct cg_recorder *rec, const char *path,
		     uint64_t now_ms, struct cg_error *err);

/*
 * Appends len bytes received at wall time time_us: one block per
 * CG_REC_WRITE_MAX bytes, one write(2) each; then fdatasync() if the last
 * one is CG_REC_SYNC_MS old. On failure (a full disk, EIO) the block being
 * written is taken back so the file stays a clean recording; the caller
 * should say err->message and cg_recorder_close().
 */
int cg_recorder_write(struct cg_recorder *rec, const uint8_t *data,
		      size_t len, uint64_t time_us, uint64_t now_ms,
		      struct cg_error *err);

/* Call from a periodic tick: syncs what the last writes left unsynced once
 * it is CG_REC_SYNC_MS old, so the tail is safe even when the BMS stops. */
int cg_recorder_tick(struct cg_recorder *rec, uint64_t now_ms,
		     struct cg_error *err);

/* fdatasync() and close. Safe on a closed recorder (returns 0). */
int cg_recorder_close(struct cg_recorder *rec, struct cg_error *err);

/* ------------------------------------------------------------------ */
/* Replay reader (I/O at open and close; madvise as it moves on)       */

enum cg_replay_kind {
	CG_REPLAY_RECORDING, /* timestamped blocks */
	CG_REPLAY_RAW,       /* a raw dump, paced by its 0x57 frames */
};

/*
 * data points into the replay's mapping of the file. Read it before the
 * next cg_replay_next(): that call hands the pages behind it back to the
 * kernel, so the replay's memory stays bounded however long the file. (The
 * bytes stay readable until cg_replay_close(), but an old chunk read again
 * is paged in again, which is what the bound is there to avoid.)
 */
struct cg_replay_chunk {
	const uint8_t *data; /* see above: until the next cg_replay_next() */
	size_t len;
	uint64_t time_us;    /* recorded (or synthetic) wall time */
	bool synthetic_time; /* true for a raw dump: 1 s per 0x57 frame */
};

struct cg_replay {
	char path[PATH_MAX];
	enum cg_replay_kind kind;
	const uint8_t *map; /* the whole file, read-only; NULL if empty */
	size_t size;
	size_t pos;          /* next byte to hand out */
	size_t released;     /* pages before this were given back */
	uint64_t chunks;     /* in the file (known at open) */
	uint64_t handed;     /* chunks handed out so far */
	uint64_t first_us, last_us;
	struct cg_rec_scan scan;   /* recordings: what open found */
	struct cg_framer framer;   /* raw dumps: finds the 0x57 frames */
	const uint8_t *scan_at;    /* raw dumps: how far the framer read */
	char warning[512];   /* "" or why the replay ends early; show it */
};

/*
 * Opens a recording or raw dump. Fails for a missing or unreadable file
 * (EX_NOINPUT, EX_NOPERM), something that is not a regular file or a
 * recording of a later version (EX_DATAERR). A torn tail or damage is not
 * a failure: replay->warning says what will be left out.
 */
int cg_replay_open(struct cg_replay *replay, const char *path,
		   struct cg_error *err);

/* Hands out the next chunk in file order. 1: *out is set; 0: the end. */
int cg_replay_next(struct cg_replay *replay, struct cg_replay_chunk *out);

/* Recorded seconds from the first chunk to the last (0 if fewer than 2). */
double cg_replay_length_s(const struct cg_replay *replay);

void cg_replay_close(struct cg_replay *replay);

/* ------------------------------------------------------------------ */
/* Replay clock (pure): when is a recorded moment due                  */

#define CG_REPLAY_SPEED_MIN 0.125
#define CG_REPLAY_SPEED_MAX 1024.0

/* The anchor pairs a recorded time with the monotonic time it played at;
 * every speed change or pause moves the anchor, so positions never jump. */
struct cg_replay_clock {
	uint64_t anchor_us; /* recorded time at the anchor */
	uint64_t anchor_ms; /* monotonic time at the anchor */
	double speed;       /* recorded seconds per real second */
	bool paused;
};

/* Plays first_us at now_ms, at speed (clamped to the limits above). */
void cg_replay_clock_start(struct cg_replay_clock *clock, uint64_t first_us,
			   uint64_t now_ms, double speed);
void cg_replay_clock_set_speed(struct cg_replay_clock *clock, double speed,
			       uint64_t now_ms);
void cg_replay_clock_pause(struct cg_replay_clock *clock, uint64_t now_ms);
void cg_replay_clock_resume(struct cg_replay_clock *clock, uint64_t now_ms);

/* Makes recorded_us the position now: skips a long gap in a recording
 * (e.g. one appended to the next day), or seeks. */
void cg_replay_clock_jump(struct cg_replay_clock *clock, uint64_t recorded_us,
			  uint64_t now_ms);

/* The monotonic ms at which recorded_us is due: the anchor time for any
 * moment at or before the position, UINT64_MAX while paused. */
uint64_t cg_replay_clock_due_ms(const struct cg_replay_clock *clock,
				uint64_t recorded_us);

/* The recorded time being played at now_ms. */
uint64_t cg_replay_clock_position_us(const struct cg_replay_clock *clock,
				     uint64_t now_ms);

/* The next speed up or down the ladder 1/8, 1/4, ..., 1, 2, 4, ..., 1024. */
double cg_replay_speed_step(double speed, bool faster);

#endif
