/*
 * replay_clock: when is a recorded moment due, at a speed that can change
 * and with pauses, without the position ever jumping.
 *
 * Pure: no I/O, no allocation, no globals. Times: *_us are recorded
 * wall-clock microseconds, *_ms the caller's monotonic milliseconds.
 */
#ifndef CG_REPLAY_CLOCK_H
#define CG_REPLAY_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

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
