/*
 * Unit tests for the recording format, the recorder, the replay reader and
 * the replay clock.
 *
 * Sessions come from the simulated BMS, are written through the real
 * recorder into files under /tmp, and are checked by decoding what the
 * replay hands out against decoding the simulator's bytes directly: a
 * recording is right when the pipeline cannot tell it from the wire. Crash
 * damage is made by cutting the file at every offset of its last block.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "decoder.h"
#include "framer.h"
#include "record.h"
#include "sim.h"

#define SESSION_MAX 65536
#define CHUNKS_MAX 2048
#define FRAMES_MAX 1024
#define BASE_US 1764000000000000ULL /* Nov 2025, a plausible wall time */

struct session {
	uint8_t bytes[SESSION_MAX];
	size_t len;
	size_t chunk_end[CHUNKS_MAX]; /* offset just after each chunk */
	uint64_t chunk_us[CHUNKS_MAX];
	size_t chunks;
};

struct frames {
	struct cg_frame frame[FRAMES_MAX];
	size_t count;
};

static struct session session; /* large: off the stack */

/* Seconds of simulated BMS, cut into read()-like chunks that also split
 * frames, as a serial port does. */
static void make_session(struct session *s, unsigned seconds, uint32_t seed)
{
	struct cg_sim_config config;
	struct cg_sim sim;
	uint8_t buf[512];
	uint32_t rng = seed;

	memset(s, 0, sizeof(*s));
	cg_sim_default_config(&config);
	config.seed = seed;
	cg_sim_init(&sim, &config, 0);
	for (uint64_t t = 250; t <= seconds * 1000ULL; t += 250) {
		size_t n = cg_sim_run(&sim, t, buf, sizeof(buf));
		size_t done = 0;

		while (done < n) {
			rng = rng * 1103515245u + 12345u;
			size_t part = 1 + (rng >> 16) % 40;
			if (part > n - done)
				part = n - done;
			assert_true(s->len + part <= SESSION_MAX);
			assert_true(s->chunks < CHUNKS_MAX);
			memcpy(s->bytes + s->len, buf + done, part);
			s->len += part;
			done += part;
			s->chunk_end[s->chunks] = s->len;
			s->chunk_us[s->chunks] = BASE_US + t * 1000 +
						 s->chunks % 7;
			s->chunks++;
		}
	}
	assert_true(s->chunks > 10);
}

static size_t chunk_start(const struct session *s, size_t i)
{
	return i ? s->chunk_end[i - 1] : 0;
}

static void frames_feed(struct cg_framer *framer, struct frames *out,
			const uint8_t *data, size_t len)
{
	struct cg_frame frame;

	while (cg_framer_next(framer, &data, &len, &frame)) {
		assert_true(out->count < FRAMES_MAX);
		out->frame[out->count++] = frame;
	}
}

static void temp_path(char path[64])
{
	snprintf(path, 64, "/tmp/cg-test-record-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static size_t read_file(const char *path, uint8_t *out, size_t cap)
{
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	size_t n = fread(out, 1, cap, f);
	assert_true(n < cap);
	fclose(f);
	return n;
}

/* Records chunks [from, to) of the session into path (appending). */
static void record_chunks(const char *path, const struct session *s,
			  size_t from, size_t to)
{
	struct cg_recorder rec;
	struct cg_error err;

	assert_int_equal(cg_recorder_open(&rec, path, 0, &err), 0);
	for (size_t i = from; i < to; i++) {
		size_t start = chunk_start(s, i);
		uint64_t now_ms = (s->chunk_us[i] - BASE_US) / 1000;

		assert_int_equal(cg_recorder_write(&rec, s->bytes + start,
						   s->chunk_end[i] - start,
						   s->chunk_us[i], now_ms, &err),
				 0);
	}
	assert_int_equal(cg_recorder_close(&rec, &err), 0);
}

/* The number of chunks a replay of path hands out, checking each against
 * the session chunk of the same index. */
static size_t replay_count(const char *path, const struct session *s,
			   struct cg_replay *replay)
{
	struct cg_replay_chunk chunk;
	struct cg_error err;
	size_t n = 0;

	assert_int_equal(cg_replay_open(replay, path, &err), 0);
	assert_int_equal(replay->kind, CG_REPLAY_RECORDING);
	while (cg_replay_next(replay, &chunk) == 1) {
		size_t start = chunk_start(s, n);

		assert_true(n < s->chunks);
		assert_int_equal(chunk.len, s->chunk_end[n] - start);
		assert_memory_equal(chunk.data, s->bytes + start, chunk.len);
		assert_true(chunk.time_us == s->chunk_us[n]);
		assert_false(chunk.synthetic_time);
		n++;
	}
	assert_int_equal(cg_replay_next(replay, &chunk), 0);
	return n;
}

/* Offset of each block in a recording image; returns the count. */
static size_t block_offsets(const uint8_t *file, size_t size, size_t *out,
			    size_t cap)
{
	struct cg_rec_block block;
	size_t pos = CG_REC_MAGIC_LEN, n = 0;

	while (pos < size &&
	       cg_rec_decode_block(file + pos, size - pos, &block) ==
		       CG_REC_BLOCK_OK) {
		assert_true(n < cap);
		out[n++] = pos;
		pos += block.size;
	}
	assert_int_equal(pos, size);
	return n;
}

/* ------------------------------------------------------------------ */
/* Pure: CRC and blocks                                                */

static void test_crc_known_vector(void **state)
{
	(void)state;
	assert_int_equal(cg_crc32(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(cg_crc32(0, "", 0), 0);
	/* Continued over pieces, as a streaming caller would. */
	assert_int_equal(cg_crc32(cg_crc32(0, "1234", 4), "56789", 5),
			 0xCBF43926u);
}

/* The CRC the slow way, a bit at a time, straight from the polynomial. */
static uint32_t crc32_bitwise(uint32_t crc, const uint8_t *p, size_t len)
{
	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

/* Four bytes at a time, then the rest: the same CRC as the bitwise one at
 * every length and start alignment, on data that reaches every entry of
 * every table (about 50,000 lookups per table). */
static void test_crc_matches_bitwise(void **state)
{
	static uint8_t data[4096];
	uint32_t x = 2463534242u;
	(void)state;

	for (size_t i = 0; i < sizeof(data); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		data[i] = (uint8_t)x;
	}
	for (size_t start = 0; start < 4; start++)
		for (size_t len = 0; len <= 300; len++)
			assert_int_equal(cg_crc32(0, data + start, len),
					 crc32_bitwise(0, data + start, len));
	for (size_t start = 0; start < 4; start++)
		assert_int_equal(cg_crc32(0x12345678u, data + start,
					  sizeof(data) - start),
				 crc32_bitwise(0x12345678u, data + start,
					       sizeof(data) - start));
}

static void test_block_round_trip(void **state)
{
	uint8_t data[300], block[400];
	struct cg_rec_block got;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	size_t size = cg_rec_encode_block('B', BASE_US + 123456, data,
					  sizeof(data), block, sizeof(block));
	assert_int_equal(size, CG_REC_OVERHEAD + sizeof(data));
	assert_int_equal(block[0], 'B');
	assert_int_equal(block[9], sizeof(data) & 0xff); /* LE length */
	assert_int_equal(block[10], sizeof(data) >> 8);

	assert_int_equal(cg_rec_decode_block(block, size, &got),
			 CG_REC_BLOCK_OK);
	assert_int_equal(got.tag, 'B');
	assert_true(got.time_us == BASE_US + 123456);
	assert_int_equal(got.len, sizeof(data));
	assert_ptr_equal(got.data, block + CG_REC_HEADER_LEN);
	assert_memory_equal(got.data, data, sizeof(data));
	assert_int_equal(got.size, size);

	/* Every cut is "short", never a false block. */
	for (size_t cut = 0; cut < size; cut++)
		assert_int_equal(cg_rec_decode_block(block, cut, &got),
				 CG_REC_BLOCK_SHORT);
	/* Every single-bit error in the time, data or CRC is caught. */
	for (size_t bit = 8; bit < size * 8; bit++) {
		if (bit / 8 == 9 || bit / 8 == 10)
			continue; /* the length: short or bad, either way */
		block[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(cg_rec_decode_block(block, size, &got),
				 CG_REC_BLOCK_BAD_CRC);
		block[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}

	/* Limits: too long for the length field, too small a buffer. */
	assert_int_equal(cg_rec_encode_block('B', 0, data, CG_REC_DATA_MAX + 1,
					     block, SIZE_MAX), 0);
	assert_int_equal(cg_rec_encode_block('B', 0, data, 10, block,
					     CG_REC_OVERHEAD + 9), 0);
	/* An empty block is still a well-formed block. */
	size = cg_rec_encode_block('N', 5, NULL, 0, block, sizeof(block));
	assert_int_equal(size, CG_REC_OVERHEAD);
	assert_int_equal(cg_rec_decode_block(block, size, &got),
			 CG_REC_BLOCK_OK);
	assert_int_equal(got.len, 0);
}

/* ------------------------------------------------------------------ */
/* Record and replay a session                                         */

static void test_record_replay_matches_wire(void **state)
{
	static struct frames direct, replayed;
	struct cg_framer framer;
	struct cg_replay replay;
	struct cg_replay_chunk chunk;
	struct cg_recorder rec;
	struct cg_error err;
	char path[64];

	(void)state;
	make_session(&session, 120, 7);
	temp_path(path);

	assert_int_equal(cg_recorder_open(&rec, path, 0, &err), 0);
	for (size_t i = 0; i < session.chunks; i++) {
		size_t start = chunk_start(&session, i);
		uint64_t now_ms = (session.chunk_us[i] - BASE_US) / 1000;

		assert_int_equal(cg_recorder_write(&rec, session.bytes + start,
						   session.chunk_end[i] - start,
						   session.chunk_us[i], now_ms,
						   &err), 0);
	}
	/* At most one fdatasync() a second of recording. */
	assert_true(rec.file.syncs >= 100 && rec.file.syncs <= 121);
	assert_int_equal(rec.blocks, session.chunks);
	assert_int_equal(rec.bytes, session.len);
	assert_int_equal(cg_recorder_close(&rec, &err), 0);

	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal((size_t)st.st_size, CG_REC_MAGIC_LEN + session.len +
				     session.chunks * CG_REC_OVERHEAD);

	/* The wire, decoded in one go. */
	memset(&direct, 0, sizeof(direct));
	cg_framer_init(&framer);
	frames_feed(&framer, &direct, session.bytes, session.len);
	assert_true(direct.count >= 170); /* 120 x 0x57 + 60 x 0x56 - edges */

	/* The replay, decoded chunk by chunk. */
	memset(&replayed, 0, sizeof(replayed));
	cg_framer_init(&framer);
	assert_int_equal(cg_replay_open(&replay, path, &err), 0);
	assert_int_equal(replay.kind, CG_REPLAY_RECORDING);
	assert_string_equal(replay.warning, "");
	assert_int_equal(replay.chunks, session.chunks);
	size_t n = 0;
	while (cg_replay_next(&replay, &chunk) == 1) {
		assert_true(chunk.time_us == session.chunk_us[n]);
		assert_false(chunk.synthetic_time);
		frames_feed(&framer, &replayed, chunk.data, chunk.len);
		n++;
	}
	assert_int_equal(n, session.chunks);
	double want_s = (double)(session.chunk_us[n - 1] - session.chunk_us[0]) /
			1e6;
	assert_true(cg_replay_length_s(&replay) == want_s);
	cg_replay_close(&replay);

	assert_int_equal(replayed.count, direct.count);
	for (size_t i = 0; i < direct.count; i++) {
		struct cg_record a, b;

		assert_int_equal(replayed.frame[i].len, direct.frame[i].len);
		assert_memory_equal(replayed.frame[i].bytes,
				    direct.frame[i].bytes, direct.frame[i].len);
		assert_int_equal(cg_decode(&direct.frame[i], &a), CG_DECODE_OK);
		assert_int_equal(cg_decode(&replayed.frame[i], &b),
				 CG_DECODE_OK);
		assert_int_equal(a.type, b.type);
	}
	unlink(path);
}

/* A chunk bigger than one block is split, and replays as several. */
static void test_big_chunk_is_split(void **state)
{
	static uint8_t big[CG_REC_WRITE_MAX * 2 + 100];
	struct cg_recorder rec;
	struct cg_replay replay;
	struct cg_replay_chunk chunk;
	struct cg_error err;
	char path[64];
	size_t total = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i ^ (i >> 8));
	temp_path(path);
	assert_int_equal(cg_recorder_open(&rec, path, 0, &err), 0);
	assert_int_equal(cg_recorder_write(&rec, big, sizeof(big), BASE_US, 0,
					   &err), 0);
	assert_int_equal(rec.blocks, 3);
	assert_int_equal(cg_recorder_close(&rec, &err), 0);

	assert_int_equal(cg_replay_open(&replay, path, &err), 0);
	while (cg_replay_next(&replay, &chunk) == 1) {
		assert_memory_equal(chunk.data, big + total, chunk.len);
		total += chunk.len;
	}
	assert_int_equal(total, sizeof(big));
	cg_replay_close(&replay);
	unlink(path);
}

/* ------------------------------------------------------------------ */
/* Crash damage                                                        */

static void test_torn_tail_every_offset(void **state)
{
	static uint8_t file[SESSION_MAX * 2];
	size_t offsets[CHUNKS_MAX];
	struct cg_replay replay;
	struct cg_error err;
	char path[64], cut_path[64];

	(void)state;
	make_session(&session, 20, 3);
	temp_path(path);
	temp_path(cut_path);
	record_chunks(path, &session, 0, session.chunks);
	size_t size = read_file(path, file, sizeof(file));
	size_t blocks = block_offsets(file, size, offsets, CHUNKS_MAX);
	assert_int_equal(blocks, session.chunks);

	/* Whole file: every block, nothing ignored. */
	assert_int_equal(replay_count(path, &session, &replay), blocks);
	assert_int_equal(replay.scan.ignored, 0);
	cg_replay_close(&replay);

	/* Cut anywhere inside the last block: the blocks before it. */
	size_t last = offsets[blocks - 1];
	for (size_t cut = last; cut < size; cut++) {
		write_file(cut_path, file, cut);
		assert_int_equal(replay_count(cut_path, &session, &replay),
				 blocks - 1);
		assert_int_equal(replay.scan.ignored, cut - last);
		assert_false(replay.scan.damaged);
		assert_int_equal(replay.warning[0] != '\0', cut > last);
		cg_replay_close(&replay);
	}

	/* Cut inside the magic: a recording with nothing in it. */
	for (size_t cut = 0; cut <= CG_REC_MAGIC_LEN; cut++) {
		write_file(cut_path, file, cut);
		assert_int_equal(replay_count(cut_path, &session, &replay), 0);
		assert_true(cg_replay_length_s(&replay) == 0.0);
		cg_replay_close(&replay);
	}

	/* Zeros where the last second should be (a power cut before the
	 * data reached the disk): a torn tail too. */
	memset(file + last, 0, size - last);
	write_file(cut_path, file, size);
	assert_int_equal(replay_count(cut_path, &session, &replay), blocks - 1);
	assert_false(replay.scan.damaged);
	cg_replay_close(&replay);

	(void)err;
	unlink(path);
	unlink(cut_path);
}

static void test_reopen_torn_recording_appends(void **state)
{
	static uint8_t file[SESSION_MAX * 2];
	size_t offsets[CHUNKS_MAX];
	struct cg_recorder rec;
	struct cg_replay replay;
	struct cg_error err;
	char path[64];

	(void)state;
	make_session(&session, 30, 11);
	size_t half = session.chunks / 2;
	temp_path(path);
	record_chunks(path, &session, 0, half + 1);

	/* Tear the last block, as a power cut would. */
	size_t size = read_file(path, file, sizeof(file));
	size_t blocks = block_offsets(file, size, offsets, CHUNKS_MAX);
	assert_int_equal(blocks, half + 1);
	assert_int_equal(truncate(path, (off_t)(offsets[half] + 5)), 0);

	/* Reopen: the torn block is cut, new blocks follow the good ones. */
	assert_int_equal(cg_recorder_open(&rec, path, 0, &err), 0);
	assert_int_equal(rec.cut_bytes, 5);
	assert_int_equal(rec.file.size, offsets[half]);
	assert_int_equal(cg_recorder_close(&rec, &err), 0);
	record_chunks(path, &session, half, session.chunks);

	assert_int_equal(replay_count(path, &session, &replay), session.chunks);
	assert_int_equal(replay.scan.ignored, 0);
	cg_replay_close(&replay);

	/* A recording torn inside its magic cannot be told from a file
	 * "CHARGE" of its own (issue 11): refused and left as it is. */
	assert_int_equal(truncate(path, 6), 0);
	assert_int_equal(cg_recorder_open(&rec, path, 0, &err), -1);
	assert_int_equal(err.exit_code, EX_DATAERR);
	assert_int_equal(read_file(path, file, sizeof(file)), 6);
	assert_memory_equal(file, CG_REC_MAGIC, 6);
	unlink(path);
}

static void test_damage_in_the_middle_stops_replay(void **state)
{
	static uint8_t file[SESSION_MAX * 2];
	size_t offsets[CHUNKS_MAX];
	struct cg_recorder rec;
	struct cg_replay replay;
	struct cg_error err;
	char path[64];

	(void)state;
	make_session(&session, 20, 5);
	temp_path(path);
	record_chunks(path, &session, 0, session.chunks);
	size_t size = read_file(path, file, sizeof(file));
	size_t blocks = block_offsets(file, size, offsets, CHUNKS_MAX);

	size_t bad = blocks / 2;
	file[offsets[bad] + CG_REC_HEADER_LEN] ^= 0x10; /* a data byte */
	write_file(path, file, size);

	assert_int_equal(replay_count(path, &session, &replay), bad);
	assert_true(replay.scan.damaged);
	assert_int_equal(replay.scan.end, offsets[bad]);
	assert_int_equal(replay.scan.good_after, offsets[bad + 1]);
	assert_int_equal(replay.scan.ignored, size - offsets[bad]);
	assert_non_null(strstr(replay.warning, "damaged"));
	cg_replay_close(&replay);

	/* Appending after damage would bury good blocks: refused. */
	assert_int_equal(cg_recorder_open(&rec, path, 0, &err), -1);
	assert_int_equal(err.exit_code, EX_DATAERR);
	assert_non_null(strstr(err.message, "damaged"));
	assert_int_equal(read_file(path, file, sizeof(file)), size);
	unlink(path);
}

/* ------------------------------------------------------------------ */
/* What --record refuses                                               */

static void test_record_refuses_other_files(void **state)
{
	static uint8_t back[SESSION_MAX];
	struct cg_recorder rec;
	struct cg_error err;
	char path[64];
	const char text[] = "my notes about the pack\n";

	(void)state;
	temp_path(path);

	/* Some other file: refused, and left as it was. */
	write_file(path, text, sizeof(text) - 1);
	assert_int_equal(cg_recorder_open(&rec, path, 0, &err), -1);
	assert_int_equal(err.exit_code, EX_DATAERR);
	assert_non_null(strstr(err.message, "is not a chargery-top recording"));
	assert_non_null(strstr(err.message, "pick a new name"));
	assert_int_equal(read_file(path, back, sizeof(back)), sizeof(text) - 1);
	assert_memory_equal(back, text, sizeof(text) - 1);

	/* A raw dump is not a recording either. */
	make_session(&session, 5, 2);
	write_file(path, session.bytes, session.len);
	assert_int_equal(cg_recorder_open(&rec, path, 0, &err), -1);
	assert_int_equal(err.exit_code, EX_DATAERR);

	/* A later format version. */
	write_file(path, "CHARGERY-REC 2\n", 15);
	assert_int_equal(cg_recorder_open(&rec, path, 0, &err), -1);
	assert_int_equal(err.exit_code, EX_DATAERR);
	assert_non_null(strstr(err.message, "newer"));

	/* Not files at all: never opened (a tty would be disturbed). */
	assert_int_equal(cg_recorder_open(&rec, "/dev/null", 0, &err), -1);
	assert_int_equal(err.exit_code, EX_CANTCREAT);
	assert_int_equal(cg_recorder_open(&rec, "/tmp", 0, &err), -1);
	assert_int_equal(err.exit_code, EX_CANTCREAT);
	assert_int_equal(cg_recorder_open(&rec, "/nonexistent-dir/x.rec", 0,
					  &err), -1);
	assert_int_equal(err.exit_code, EX_CANTCREAT);
	assert_non_null(strstr(err.message, "directory"));

	/* An empty file (what mkstemp made) becomes a recording. */
	write_file(path, "", 0);
	assert_int_equal(cg_recorder_open(&rec, path, 0, &err), 0);
	/* A second recorder on the same file is refused while it runs. */
	struct cg_recorder other;
	assert_int_equal(cg_recorder_open(&other, path, 0, &err), -1);
	assert_int_equal(err.exit_code, EX_TEMPFAIL);
	assert_int_equal(cg_recorder_close(&rec, &err), 0);
	assert_int_equal(read_file(path, back, sizeof(back)), CG_REC_MAGIC_LEN);
	assert_memory_equal(back, CG_REC_MAGIC, CG_REC_MAGIC_LEN);
	unlink(path);
}

/* A full disk mid-block: the half block is taken back, the file stays a
 * clean recording and the error says what happened. RLIMIT_FSIZE stands
 * in for a full disk. */
static void test_write_error_leaves_clean_file(void **state)
{
	static uint8_t big[2000];
	struct cg_recorder rec;
	struct cg_replay replay;
	struct cg_error err;
	struct rlimit old, limit;
	char path[64];

	(void)state;
	make_session(&session, 5, 9);
	temp_path(path);
	assert_int_equal(cg_recorder_open(&rec, path, 0, &err), 0);
	assert_int_equal(cg_recorder_write(&rec, session.bytes,
					   session.chunk_end[0],
					   session.chunk_us[0], 0, &err), 0);

	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	limit = old;
	limit.rlim_cur = (rlim_t)rec.file.size + 1000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &limit), 0);
	int rc = cg_recorder_write(&rec, big, sizeof(big), BASE_US + 1, 10,
				   &err);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);

	assert_int_equal(rc, -1);
	assert_int_equal(err.exit_code, EX_IOERR);
	assert_non_null(strstr(err.message, "recording stopped"));
	cg_recorder_close(&rec, &err);

	assert_int_equal(replay_count(path, &session, &replay), 1);
	assert_int_equal(replay.scan.ignored, 0);
	cg_replay_close(&replay);
	unlink(path);
}

/* ------------------------------------------------------------------ */
/* Raw dumps                                                           */

static bool ends_with_status_frame(const uint8_t *data, size_t len)
{
	static const uint8_t lens[] = { 15, 19 };

	for (size_t i = 0; i < sizeof(lens); i++) {
		size_t l = lens[i];
		if (len >= l && data[len - l] == 0x24 &&
		    data[len - l + 1] == 0x24 &&
		    data[len - l + 2] == CG_CMD_STATUS &&
		    data[len - l + 3] == l)
			return true;
	}
	return false;
}

static void test_raw_dump_replays_by_status_frame(void **state)
{
	static struct frames frames;
	struct cg_framer framer;
	struct cg_replay replay;
	struct cg_replay_chunk chunk;
	struct cg_error err;
	char path[64];
	size_t statuses = 0;

	(void)state;
	make_session(&session, 30, 13);

	/* Cut the dump just after its last 0x57 frame. */
	memset(&frames, 0, sizeof(frames));
	cg_framer_init(&framer);
	frames_feed(&framer, &frames, session.bytes, session.len);
	for (size_t i = 0; i < frames.count; i++)
		statuses += frames.frame[i].bytes[2] == CG_CMD_STATUS;
	size_t len = session.len;
	while (!ends_with_status_frame(session.bytes, len))
		len--;
	assert_true(statuses >= 28);

	temp_path(path);
	write_file(path, session.bytes, len);
	assert_int_equal(cg_replay_open(&replay, path, &err), 0);
	assert_int_equal(replay.kind, CG_REPLAY_RAW);
	assert_int_equal(replay.chunks, statuses);
	assert_true(cg_replay_length_s(&replay) == (double)(statuses - 1));

	size_t n = 0, at = 0;
	uint64_t first = 0;
	while (cg_replay_next(&replay, &chunk) == 1) {
		assert_true(chunk.synthetic_time);
		assert_true(ends_with_status_frame(chunk.data, chunk.len));
		assert_true(chunk.data >= replay.buf &&
			    chunk.data + chunk.len <= replay.buf + sizeof(replay.buf));
		assert_memory_equal(chunk.data, session.bytes + at, chunk.len);
		if (n == 0)
			first = chunk.time_us;
		assert_true(chunk.time_us == first + n * 1000000ULL);
		at += chunk.len;
		n++;
	}
	assert_int_equal(n, statuses);
	assert_int_equal(at, len);
	cg_replay_close(&replay);

	/* Bytes after the last 0x57 come out as one last chunk. */
	write_file(path, session.bytes, len + 7);
	assert_int_equal(cg_replay_open(&replay, path, &err), 0);
	assert_int_equal(replay.chunks, statuses + 1);
	cg_replay_close(&replay);
	unlink(path);
}

static void test_replay_refuses_what_it_cannot_play(void **state)
{
	struct cg_replay replay;
	struct cg_error err;
	char path[64];

	(void)state;
	assert_int_equal(cg_replay_open(&replay, "/nonexistent.rec", &err), -1);
	assert_int_equal(err.exit_code, EX_NOINPUT);
	assert_int_equal(cg_replay_open(&replay, "/dev/null", &err), -1);
	assert_int_equal(err.exit_code, EX_DATAERR);
	assert_non_null(strstr(err.message, "PORT"));

	temp_path(path);
	write_file(path, "CHARGERY-REC 3\nxxxxxxxx", 23);
	assert_int_equal(cg_replay_open(&replay, path, &err), -1);
	assert_int_equal(err.exit_code, EX_DATAERR);
	unlink(path);
}

/* ------------------------------------------------------------------ */
/* Replay clock                                                        */

static void test_clock_speed(void **state)
{
	struct cg_replay_clock clock;
	const uint64_t t0 = BASE_US;

	(void)state;
	cg_replay_clock_start(&clock, t0, 5000, 10.0);
	assert_true(cg_replay_clock_due_ms(&clock, t0 + 10000000) == 6000);
	assert_true(cg_replay_clock_due_ms(&clock, t0) == 5000);
	assert_true(cg_replay_clock_due_ms(&clock, t0 - 1) == 5000);
	assert_true(cg_replay_clock_position_us(&clock, 6000) == t0 + 10000000);
	assert_true(cg_replay_clock_position_us(&clock, 4000) == t0);

	cg_replay_clock_start(&clock, t0, 5000, 1.0);
	assert_true(cg_replay_clock_due_ms(&clock, t0 + 1500) == 5002);
	assert_true(cg_replay_clock_due_ms(&clock, t0 + 3000000) == 8000);
}

static void test_clock_pause(void **state)
{
	struct cg_replay_clock clock;
	const uint64_t t0 = BASE_US;

	(void)state;
	cg_replay_clock_start(&clock, t0, 1000, 1.0);
	cg_replay_clock_pause(&clock, 3000);
	assert_true(cg_replay_clock_position_us(&clock, 3000) == t0 + 2000000);
	assert_true(cg_replay_clock_position_us(&clock, 60000) == t0 + 2000000);
	assert_true(cg_replay_clock_due_ms(&clock, t0 + 2500000) == UINT64_MAX);
	cg_replay_clock_pause(&clock, 9000); /* twice: no change */
	assert_true(cg_replay_clock_position_us(&clock, 9000) == t0 + 2000000);

	cg_replay_clock_resume(&clock, 10000);
	assert_true(cg_replay_clock_position_us(&clock, 10000) == t0 + 2000000);
	assert_true(cg_replay_clock_due_ms(&clock, t0 + 2500000) == 10500);
	cg_replay_clock_resume(&clock, 20000); /* not paused: no change */
	assert_true(cg_replay_clock_position_us(&clock, 11000) == t0 + 3000000);
}

static void test_clock_speed_change_keeps_position(void **state)
{
	struct cg_replay_clock clock;
	const uint64_t t0 = BASE_US;

	(void)state;
	cg_replay_clock_start(&clock, t0, 0, 1.0);
	uint64_t before = cg_replay_clock_position_us(&clock, 4000);
	cg_replay_clock_set_speed(&clock, 8.0, 4000);
	assert_true(cg_replay_clock_position_us(&clock, 4000) == before);
	assert_true(cg_replay_clock_position_us(&clock, 5000) ==
		    before + 8000000);
	cg_replay_clock_set_speed(&clock, 0.5, 5000);
	assert_true(cg_replay_clock_position_us(&clock, 5000) ==
		    before + 8000000);
	assert_true(cg_replay_clock_position_us(&clock, 7000) ==
		    before + 9000000);

	/* Speed changes while paused apply on resume, without a jump. */
	cg_replay_clock_pause(&clock, 7000);
	cg_replay_clock_set_speed(&clock, 2.0, 8000);
	assert_true(cg_replay_clock_position_us(&clock, 8000) ==
		    before + 9000000);
	cg_replay_clock_resume(&clock, 9000);
	assert_true(cg_replay_clock_position_us(&clock, 10000) ==
		    before + 11000000);

	/* Skipping a gap. */
	cg_replay_clock_jump(&clock, t0 + 86400000000ULL, 10000);
	assert_true(cg_replay_clock_due_ms(&clock, t0 + 86401000000ULL) ==
		    10500);

	/* Clamping and the speed ladder. */
	cg_replay_clock_set_speed(&clock, 0.0, 10000);
	assert_true(clock.speed == CG_REPLAY_SPEED_MIN);
	assert_true(cg_replay_speed_step(1.0, true) == 2.0);
	assert_true(cg_replay_speed_step(1.0, false) == 0.5);
	assert_true(cg_replay_speed_step(3.0, true) == 4.0);
	assert_true(cg_replay_speed_step(3.0, false) == 2.0);
	assert_true(cg_replay_speed_step(CG_REPLAY_SPEED_MAX, true) ==
		    CG_REPLAY_SPEED_MAX);
	assert_true(cg_replay_speed_step(CG_REPLAY_SPEED_MIN, false) ==
		    CG_REPLAY_SPEED_MIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc_known_vector),
		cmocka_unit_test(test_crc_matches_bitwise),
		cmocka_unit_test(test_block_round_trip),
		cmocka_unit_test(test_record_replay_matches_wire),
		cmocka_unit_test(test_big_chunk_is_split),
		cmocka_unit_test(test_torn_tail_every_offset),
		cmocka_unit_test(test_reopen_torn_recording_appends),
		cmocka_unit_test(test_damage_in_the_middle_stops_replay),
		cmocka_unit_test(test_record_refuses_other_files),
		cmocka_unit_test(test_write_error_leaves_clean_file),
		cmocka_unit_test(test_raw_dump_replays_by_status_frame),
		cmocka_unit_test(test_replay_refuses_what_it_cannot_play),
		cmocka_unit_test(test_clock_speed),
		cmocka_unit_test(test_clock_pause),
		cmocka_unit_test(test_clock_speed_change_keeps_position),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
