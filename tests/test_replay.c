/*
 * Unit tests for the replay reader and the replay clock: raw dumps paced
 * by their status frames, files replay refuses, and the clock's speed and
 * pause.
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
#include <time.h>
#include <unistd.h>

#include "decoder.h"
#include "framer.h"
#include "record.h"
#include "sim.h"
#include "record_fixture.h"

static struct session session; /* large: off the stack */

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

/* A recording bigger than the replay's buffer, so blocks are read again
 * after the scan at open: while the file is unchanged they are handed out
 * without their CRC computed a second time; a block changed after the
 * scan (the file's time moves) is still caught and nothing after it is
 * played. */
static void test_change_after_scan_is_caught(void **state)
{
	enum { BLOCKS = 20000, LEN = 20 };
	static uint8_t file[CG_REC_MAGIC_LEN + BLOCKS * (CG_REC_OVERHEAD + LEN)];
	struct cg_replay_chunk chunk;
	struct cg_error err;
	static struct cg_replay replay;
	char path[64];
	size_t size = CG_REC_MAGIC_LEN, n = 0;
	uint8_t data[LEN];
	(void)state;

	memcpy(file, CG_REC_MAGIC, CG_REC_MAGIC_LEN);
	for (unsigned i = 0; i < BLOCKS; i++) {
		memset(data, (int)(i & 0x7f), sizeof(data));
		size += cg_rec_encode_block(CG_REC_TAG_BYTES,
					    BASE_US + (uint64_t)i * 1000, data,
					    sizeof(data), file + size,
					    sizeof(file) - size);
	}
	assert_true(size > 2 * CG_REPLAY_BUF);
	temp_path(path);
	write_file(path, file, size);

	/* Unchanged: every block, whole. */
	assert_int_equal(cg_replay_open(&replay, path, &err), 0);
	while (cg_replay_next(&replay, &chunk) == 1) {
		assert_int_equal(chunk.len, LEN);
		assert_int_equal(chunk.data[0], (uint8_t)(n & 0x7f));
		n++;
	}
	assert_int_equal(n, BLOCKS);
	assert_string_equal(replay.warning, "");
	cg_replay_close(&replay);

	/* Changed after the scan, in a block past the first buffer. */
	assert_int_equal(cg_replay_open(&replay, path, &err), 0);
	size_t victim = BLOCKS - 10;
	off_t at = (off_t)(CG_REC_MAGIC_LEN +
			   victim * (CG_REC_OVERHEAD + LEN) + CG_REC_HEADER_LEN);
	int fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	/* 0xff: no block's own data (0x00..0x7f). */
	assert_int_equal(pwrite(fd, "\xff", 1, at), 1);
	/* Its time moves on, as any write's does (set here, as two writes
	 * within one clock tick could share a time). */
	struct timespec times[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
	clock_gettime(CLOCK_REALTIME, &times[1]);
	times[1].tv_sec += 1;
	assert_int_equal(futimens(fd, times), 0);
	close(fd);
	n = 0;
	while (cg_replay_next(&replay, &chunk) == 1) {
		assert_true(chunk.data[0] != 0xff);
		n++;
	}
	assert_int_equal(n, victim);
	assert_non_null(strstr(replay.warning, "changed while it was replayed"));
	cg_replay_close(&replay);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_dump_replays_by_status_frame),
		cmocka_unit_test(test_replay_refuses_what_it_cannot_play),
		cmocka_unit_test(test_change_after_scan_is_caught),
		cmocka_unit_test(test_clock_speed),
		cmocka_unit_test(test_clock_pause),
		cmocka_unit_test(test_clock_speed_change_keeps_position),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
