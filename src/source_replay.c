/*
 * source_replay: a recording or a raw dump (record.h) played as a source
 * (source.h). Paced, chunks are handed out when the replay clock says
 * they are due, long silences skipped with a note; unpaced (no screen, no
 * --speed), as fast as they decode, a bounded batch per loop turn so the
 * loop still sees signals.
 */
#include "source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "clock.h"
#include "record.h"

#define GAP_US (10u * 1000000u) /* silences longer than this are skipped */
#define BATCH 256               /* chunks per loop turn, unpaced */

struct replay_state {
	struct cg_replay replay;
	struct cg_replay_clock clock;
	struct cg_replay_chunk chunk; /* the next chunk to hand out */
	bool have_chunk;
	bool need_next;   /* the chunk was handed out: fetch the next */
	bool ended;
	unsigned batch;   /* chunks handed out this loop turn */
	uint64_t bytes;   /* BMS bytes handed out */
};

/* What END says: where a damaged recording stopped and how much was read,
 * why nothing was readable, or what a torn tail left out. */
static void describe_end(struct cg_source *src, const struct replay_state *r)
{
	const struct cg_replay *p = &r->replay;
	const struct cg_rec_scan *s = &p->scan;
	unsigned long long chunks = (unsigned long long)p->handed;
	unsigned long long bytes = (unsigned long long)r->bytes;
	/* The status bar names the file; events are short: its base name. */
	const char *slash = strrchr(p->path, '/');
	const char *name = slash && slash[1] ? slash + 1 : p->path;

	src->end_empty = p->handed == 0;
	if (p->kind == CG_REPLAY_RECORDING && s->damaged) {
		src->end_code = EX_DATAERR;
		snprintf(src->text, sizeof(src->text), "%.300s is damaged at "
			 "byte %zu: the replay stopped there after %llu blocks "
			 "(%llu bytes from the BMS); %zu bytes after it were "
			 "not read", name, s->end, chunks, bytes, s->ignored);
		return;
	}
	if (p->handed == 0) {
		const char *why =
			p->kind == CG_REPLAY_RAW ? "no bytes" :
			s->kind == CG_REC_FILE_EMPTY ? "it is empty" :
			s->kind == CG_REC_FILE_TORN_MAGIC ?
				"only the start of a recording's first line" :
			s->ignored ? "only an unfinished block" :
			s->blocks ? "only blocks of kinds this version skips" :
				    "only the recording's first line";
		snprintf(src->text, sizeof(src->text), "%.300s holds no data "
			 "to replay (%s)", name, why);
		return;
	}
	snprintf(src->text, sizeof(src->text), "%s", p->warning);
}

static int replay_poll_fd(const struct cg_source *src)
{
	(void)src;
	return -1;
}

static uint64_t replay_due_ms(const struct cg_source *src, uint64_t now_ms)
{
	const struct replay_state *r = src->state;

	if (r->ended)
		return UINT64_MAX;
	if (!src->paced || !r->have_chunk || r->need_next)
		return now_ms;
	return cg_replay_clock_due_ms(&r->clock, r->chunk.time_us);
}

static enum cg_source_event replay_pump(struct cg_source *src,
					uint64_t now_ms, bool readable,
					struct cg_source_chunk *chunk)
{
	struct replay_state *r = src->state;

	(void)readable;
	if (r->ended)
		return CG_SOURCE_IDLE;
	if (r->need_next) {
		uint64_t played_us = r->chunk.time_us;

		r->need_next = false;
		r->have_chunk = cg_replay_next(&r->replay, &r->chunk) == 1;
		/* A recording appended to days later would stall the table:
		 * skip long silences, and say so. */
		if (r->have_chunk && src->paced &&
		    r->chunk.time_us > played_us + GAP_US) {
			snprintf(src->text, sizeof(src->text),
				 "replay skips %llu s without data",
				 (unsigned long long)((r->chunk.time_us - played_us) / 1000000u));
			cg_replay_clock_jump(&r->clock, r->chunk.time_us - 1000000u,
					     now_ms);
			return CG_SOURCE_NOTE;
		}
	}
	if (!r->have_chunk) {
		r->ended = true;
		describe_end(src, r);
		return CG_SOURCE_END;
	}
	if (r->batch >= BATCH) {
		r->batch = 0;
		return CG_SOURCE_IDLE;
	}
	if (src->paced &&
	    cg_replay_clock_due_ms(&r->clock, r->chunk.time_us) > now_ms) {
		r->batch = 0;
		return CG_SOURCE_IDLE;
	}
	r->batch++;
	r->need_next = true;
	r->bytes += r->chunk.len;
	*chunk = (struct cg_source_chunk){
		.data = r->chunk.data,
		.len = r->chunk.len,
		.data_ms = r->chunk.time_us / 1000u,
		.wall_ms = r->chunk.time_us / 1000u,
		.synthetic_time = r->chunk.synthetic_time,
	};
	return CG_SOURCE_DATA;
}

static void replay_pause(struct cg_source *src, uint64_t now_ms)
{
	struct replay_state *r = src->state;

	if (r->clock.paused)
		cg_replay_clock_resume(&r->clock, now_ms);
	else
		cg_replay_clock_pause(&r->clock, now_ms);
}

static void replay_speed_step(struct cg_source *src, bool faster,
			      uint64_t now_ms)
{
	struct replay_state *r = src->state;

	cg_replay_clock_set_speed(&r->clock,
				  cg_replay_speed_step(r->clock.speed, faster),
				  now_ms);
}

static void replay_position(const struct cg_source *src, uint64_t now_ms,
			    struct cg_source_position *out)
{
	const struct replay_state *r = src->state;
	uint64_t pos_us = r->ended || !src->paced
		? r->replay.last_us
		: cg_replay_clock_position_us(&r->clock, now_ms);

	if (pos_us < r->replay.first_us)
		pos_us = r->replay.first_us;
	if (pos_us > r->replay.last_us)
		pos_us = r->replay.last_us;
	*out = (struct cg_source_position){
		.replay = true,
		.speed = r->clock.speed,
		.paused = r->clock.paused,
		.position_s = (double)(pos_us - r->replay.first_us) / 1e6,
		.length_s = cg_replay_length_s(&r->replay),
		.timestamped = r->replay.kind == CG_REPLAY_RECORDING,
		.now_us = pos_us,
		.start_us = r->replay.first_us,
	};
}

static void replay_close(struct cg_source *src)
{
	struct replay_state *r = src->state;

	cg_replay_close(&r->replay);
}

static const struct cg_source_ops replay_ops = {
	.poll_fd = replay_poll_fd,
	.due_ms = replay_due_ms,
	.pump = replay_pump,
	.pause = replay_pause,
	.speed_step = replay_speed_step,
	.position = replay_position,
	.close = replay_close,
};

struct cg_source *cg_source_replay_open(const char *path, bool paced,
					double speed, uint64_t now_ms,
					struct cg_error *err)
{
	struct cg_source *src = calloc(1, sizeof(*src));
	struct replay_state *r = calloc(1, sizeof(*r));

	if (!src || !r) {
		free(src);
		free(r);
		cg_error_set(err, EX_OSERR, "out of memory opening %s", path);
		return NULL;
	}
	if (cg_replay_open(&r->replay, path, err) < 0) {
		free(src);
		free(r);
		return NULL;
	}
	r->have_chunk = cg_replay_next(&r->replay, &r->chunk) == 1;
	cg_replay_clock_start(&r->clock, r->replay.first_us, now_ms,
			      speed > 0 ? speed : 1.0);
	src->ops = &replay_ops;
	src->state = r;
	src->paced = paced;
	snprintf(src->label, sizeof(src->label), "replay %s", path);
	snprintf(src->text, sizeof(src->text), "%s", r->replay.warning);
	return src;
}

void cg_source_replay_start_at(struct cg_source *src, uint64_t start_us,
			       uint64_t now_ms)
{
	struct replay_state *r = src->state;
	uint64_t was = r->replay.first_us;

	if (r->replay.kind != CG_REPLAY_RAW || r->replay.handed > 1)
		return;
	cg_replay_start_at(&r->replay, start_us);
	if (r->have_chunk)
		r->chunk.time_us = r->chunk.time_us - was + start_us;
	cg_replay_clock_start(&r->clock, start_us, now_ms, r->clock.speed);
}
