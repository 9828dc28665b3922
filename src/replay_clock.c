/*
 * replay_clock: an anchor (recorded time, monotonic time) and a speed.
 */
#include "replay_clock.h"

static double clamp_speed(double speed)
{
	if (speed != speed) /* NaN */
		return 1.0;
	if (speed < CG_REPLAY_SPEED_MIN)
		return CG_REPLAY_SPEED_MIN;
	if (speed > CG_REPLAY_SPEED_MAX)
		return CG_REPLAY_SPEED_MAX;
	return speed;
}

void cg_replay_clock_start(struct cg_replay_clock *clock, uint64_t first_us,
			   uint64_t now_ms, double speed)
{
	clock->anchor_us = first_us;
	clock->anchor_ms = now_ms;
	clock->speed = clamp_speed(speed);
	clock->paused = false;
}

uint64_t cg_replay_clock_position_us(const struct cg_replay_clock *clock,
				     uint64_t now_ms)
{
	if (clock->paused || now_ms <= clock->anchor_ms)
		return clock->anchor_us;
	double played_us = (double)(now_ms - clock->anchor_ms) * 1000.0 *
			   clock->speed;
	return clock->anchor_us + (uint64_t)(played_us + 0.5);
}

void cg_replay_clock_set_speed(struct cg_replay_clock *clock, double speed,
			       uint64_t now_ms)
{
	clock->anchor_us = cg_replay_clock_position_us(clock, now_ms);
	clock->anchor_ms = now_ms;
	clock->speed = clamp_speed(speed);
}

void cg_replay_clock_pause(struct cg_replay_clock *clock, uint64_t now_ms)
{
	if (clock->paused)
		return;
	clock->anchor_us = cg_replay_clock_position_us(clock, now_ms);
	clock->anchor_ms = now_ms;
	clock->paused = true;
}

void cg_replay_clock_resume(struct cg_replay_clock *clock, uint64_t now_ms)
{
	if (!clock->paused)
		return;
	clock->anchor_ms = now_ms;
	clock->paused = false;
}

void cg_replay_clock_jump(struct cg_replay_clock *clock, uint64_t recorded_us,
			  uint64_t now_ms)
{
	clock->anchor_us = recorded_us;
	clock->anchor_ms = now_ms;
}

uint64_t cg_replay_clock_due_ms(const struct cg_replay_clock *clock,
				uint64_t recorded_us)
{
	if (clock->paused)
		return UINT64_MAX;
	if (recorded_us <= clock->anchor_us)
		return clock->anchor_ms;
	double wait_ms = (double)(recorded_us - clock->anchor_us) /
			 (1000.0 * clock->speed);
	/* Round up, so the position has reached recorded_us when due; the
	 * slack keeps an exact 1000.0 from becoming 1001 by rounding noise. */
	uint64_t whole = (uint64_t)wait_ms;
	if ((double)whole < wait_ms - 1e-6)
		whole++;
	return clock->anchor_ms + whole;
}

double cg_replay_speed_step(double speed, bool faster)
{
	double step;

	speed = clamp_speed(speed);
	if (faster) {
		for (step = CG_REPLAY_SPEED_MIN; step < CG_REPLAY_SPEED_MAX;
		     step *= 2)
			if (step > speed * (1 + 1e-9))
				break;
	} else {
		for (step = CG_REPLAY_SPEED_MAX; step > CG_REPLAY_SPEED_MIN;
		     step /= 2)
			if (step < speed * (1 - 1e-9))
				break;
	}
	return step;
}
