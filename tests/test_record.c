/*
 * Unit tests for the recorder: a session recorded and replayed, crash
 * damage, and what --record refuses.
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
#include "record_fixture.h"

static struct session session; /* large: off the stack */

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_replay_matches_wire),
		cmocka_unit_test(test_big_chunk_is_split),
		cmocka_unit_test(test_torn_tail_every_offset),
		cmocka_unit_test(test_reopen_torn_recording_appends),
		cmocka_unit_test(test_damage_in_the_middle_stops_replay),
		cmocka_unit_test(test_record_refuses_other_files),
		cmocka_unit_test(test_write_error_leaves_clean_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
