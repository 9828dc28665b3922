/*
 * framer: turns a Chargery byte stream, cut into chunks of any size, into
 * whole frames whose header, length-for-command and checksum are right.
 *
 * Pure: no I/O, no allocation, no globals. All state lives in struct
 * cg_framer, which the caller owns. Junk between or inside frames is skipped
 * and counted; after a rejected frame the framer rescans the bytes it had
 * buffered, so a real frame that starts inside a damaged one is not lost.
 */
#ifndef CG_FRAMER_H
#define CG_FRAMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CG_HEADER_BYTE 0x24
#define CG_FRAME_MAX 64 /* the longest allowed frame is 61 bytes */

enum cg_cmd {
	CG_CMD_CELLS = 0x56,     /* cell voltages, every ~2 s */
	CG_CMD_STATUS = 0x57,    /* measurements, every ~1 s */
	CG_CMD_IMPEDANCE = 0x58, /* impedances, on charge/discharge switch */
};

/* A frame exactly as received: bytes[0..1] = 0x24 0x24, bytes[2] = cmd,
 * bytes[3] = len, bytes[len-1] = checksum. */
struct cg_frame {
	uint8_t len;
	uint8_t bytes[CG_FRAME_MAX];
};

/* Checksum-valid frames of a known command but a length this version
 * cannot read (a firmware variant not known yet), by command and length. */
#define CG_FRAMER_VARIANTS 4
struct cg_framer_variant {
	uint8_t cmd;
	uint8_t len;
	uint32_t count;
};

struct cg_framer_stats {
	uint64_t bytes;        /* bytes given to the framer */
	uint64_t frames;       /* frames passed on */
	uint64_t junk_bytes;   /* bytes dropped while hunting for a header */
	uint64_t bad_checksum; /* frames dropped: checksum mismatch */
	uint64_t bad_length;   /* headers dropped: len not allowed for cmd */
	uint64_t unknown_cmd;  /* headers dropped: cmd not 0x56/0x57/0x58 */
	uint64_t resyncs;      /* times the framer lost sync and hunted again */
	uint64_t rejected;     /* frames handed back by cg_framer_reject */
	/* Checksum-valid frames whose length is not allowed for their cmd
	 * (also counted in bad_length): all of them, and the first kinds. */
	uint64_t unknown_variants;
	struct cg_framer_variant variants[CG_FRAMER_VARIANTS];
};

/* A header of a known cmd with a length it may not have, followed in the
 * input to see whether its sum comes right. */
struct cg_framer_watch {
	uint8_t cmd, len, got, sum;
};

struct cg_framer {
	uint8_t buf[CG_FRAME_MAX]; /* the frame being assembled */
	uint8_t fill;
	uint8_t replay[CG_FRAME_MAX]; /* bytes of a rejected frame to rescan */
	uint8_t replay_len;
	uint8_t replay_pos;
	/* The last three input bytes and the headers being watched: apart
	 * from the state machine, so a wrong length costs it no delay. */
	uint32_t recent; /* the oldest in bits 16-23, the latest in 0-7: one
			  * load and one store per byte, which the CPU
			  * forwards (three byte stores it could not) */
	uint8_t watching;
	struct cg_framer_watch watch[4];
	struct cg_framer_stats stats;
};

void cg_framer_init(struct cg_framer *framer);

/*
 * Consumes bytes from *data (advancing *data, shrinking *len) until a frame
 * is complete. Returns true with the frame in *out, or false once every
 * input byte has been consumed (a partial frame stays buffered for the next
 * call). Call in a loop until it returns false.
 */
bool cg_framer_next(struct cg_framer *framer, const uint8_t **data,
		    size_t *len, struct cg_frame *out);

/*
 * Hands back the frame cg_framer_next just returned, which the decoder
 * refused (implausible values: a false header whose bytes summed right by
 * chance). Its first byte is dropped as junk and the rest scanned again
 * before any new input, so real frames that began inside it are found.
 * frames goes back down by one, rejected up. Call it before the next
 * cg_framer_next, with the frame unchanged.
 */
void cg_framer_reject(struct cg_framer *framer, const struct cg_frame *frame);

/*
 * Whether a frame of this cmd may be this long (both firmware variants).
 * The one table of lengths, for the framer and the decoder alike; inline
 * and one bit per length, since both ask it for every frame.
 */
static inline bool cg_frame_length_allowed(uint8_t cmd, uint8_t len)
{
	uint64_t allowed;

	switch (cmd) {
	case CG_CMD_CELLS:
		/* V1.24+: 13 + 2N for 8, 16, 24 slots. V1.22/V1.23: 6 + 2N
		 * (N cells and the SOC byte): 22, 38, 54, seen on real 8T
		 * and 24T units. */
		allowed = 1ull << 29 | 1ull << 45 | 1ull << 61 |
			  1ull << 22 | 1ull << 38 | 1ull << 54;
		break;
	case CG_CMD_STATUS:
		/* before V1.21: 13 (no mode, no SOC); then 15; V1.26: 19 */
		allowed = 1ull << 13 | 1ull << 15 | 1ull << 19;
		break;
	case CG_CMD_IMPEDANCE:
		/* 8 + 2N for 1..24 wired cells: the even lengths 10..56. */
		allowed = 0x5555555555555555ull & ~((1ull << 10) - 1) &
			  ((1ull << 57) - 1);
		break;
	default:
		return false;
	}
	return len < 64 && (allowed >> len & 1u);
}

/*
 * One line for the kind i of stats->variants (i < CG_FRAMER_VARIANTS,
 * count > 0), e.g. "33 checksum-valid 0x57 frames of 13 bytes that this
 * version cannot read: please send a recording (--record)". Returns its
 * length (cut to cap), 0 if there is no such kind.
 */
size_t cg_framer_variant_text(const struct cg_framer_stats *stats,
			      unsigned i, char *out, size_t cap);

/* The 8-bit sum of the first n bytes: what a frame's last byte must be. */
uint8_t cg_checksum(const uint8_t *bytes, size_t n);

/* Bytes the framer has read past the frame it last returned and will scan
 * again (a rejected frame's tail): they come after that frame in the
 * stream. */
static inline size_t cg_framer_rescan_pending(const struct cg_framer *f)
{
	return (size_t)(f->replay_len - f->replay_pos);
}

#endif
