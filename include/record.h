/*
 * record: --record FILE and --replay FILE, for callers that use both. The
 * parts, each with its own promises:
 *
 *   recfile.h       the file format: CRC-32, blocks, scan of a file image
 *                   (pure)
 *   replay_clock.h  when a recorded moment is due, at a speed (pure)
 *   recorder.h      appends what the BMS sends to a recording (I/O)
 *   replay.h        reads a recording or a raw dump back, chunk by chunk
 *                   (I/O: mmap)
 */
#ifndef CG_RECORD_H
#define CG_RECORD_H

#include "recfile.h"
#include "recorder.h"
#include "replay.h"
#include "replay_clock.h"

#endif
