/*
 * bms: one Chargery's pipeline, from its source to its outputs. The bytes
 * a source hands out go through the framer, the decoder and the pack; the
 * doctor watches the link; alarms, events and the history follow the pack;
 * the CSV log, the events file, the recording and the JSON lines are
 * written from here. The main loop owns the wait (ppoll), the view and the
 * keys; it opens the source and the outputs into a struct cg_bms and then
 * only pumps, ticks and asks.
 *
 * One struct per pack, so several packs are several of these in one loop,
 * each with its own framer, pack, doctor, alarms and reconnection.
 *
 * Calls that can end the run return 0 or an exit code from sysexits.h
 * (the reason in fatal_error when it is a file's).
 */
#ifndef CG_BMS_H
#define CG_BMS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "alarm.h"
#include "clock.h"
#include "csvlog.h"
#include "doctor.h"
#include "eventlog.h"
#include "events.h"
#include "framer.h"
#include "history.h"
#include "inspect.h"
#include "mqtt.h"
#include "options.h"
#include "pack.h"
#include "packname.h"
#include "record.h"
#include "source.h"

#define CG_BMS_FPS_WINDOW_S 10

/* Frames per second over the last CG_BMS_FPS_WINDOW_S ticks. */
struct cg_bms_rate {
	uint64_t per_tick[CG_BMS_FPS_WINDOW_S];
	unsigned head;
	unsigned filled;
	uint64_t last_total;
};

struct cg_bms {
	const struct cg_options *opt; /* alarms, bell, --json, --once */
	bool tui;            /* the table shows what stderr would say */
	char label[CG_PACKNAME_MAX]; /* the pack's name (packname.h) */
	bool labelled;       /* one of several: --json lines and --once say
			      * which ("bms":"label") */
	const char *path;    /* what it reads: a port, URL or file */
	bool replay;         /* a --replay FILE */
	/* Its files (the --record, --events, --log, --plot of the command
	 * line, %n made its label); "" = not asked for. */
	char record_path[PATH_MAX];
	char events_path[PATH_MAX];
	char log_path[PATH_MAX];
	char plot_path[PATH_MAX];

	struct cg_source *src;
	bool ended;          /* the source has no more input */
	bool time_derived;   /* the chunk's time is derived (a raw dump) */
	char link_detail[1024];
	uint64_t opened_at_ms;

	struct cg_framer framer;
	struct cg_pack pack;
	struct cg_hist hist; /* how the pack moved: --plot, the table */
	bool keeping_history;
	bool synthetic;      /* a raw dump: data times are made up, 1 s per
			      * 0x57 frame, and the history runs on them */
	uint64_t synthetic_ms;
	uint64_t implausible;
	struct cg_bms_rate rate;
	bool dirty;          /* something to show changed */

	uint64_t data_wall_ms; /* when the bytes being decoded were received */
	struct cg_iso_cache stamp; /* data_wall_ms as text, for JSON and --log */
	struct cg_alarms alarms;
	struct cg_events events;
	struct cg_eventlog eventlog; /* --events file */
	bool writing_events;
	struct cg_inspect inspect;
	uint16_t worst_delta_seen_mv;
	uint64_t worst_delta_wall_ms;
	bool bell_due;

	struct cg_recorder recorder;
	bool recording;

	struct cg_doctor doctor;
	bool doctoring; /* a live source: its diagnosis is shown; files and
			 * replays keep the doctor for the link state only */
	enum cg_diagnosis diagnosis;

	struct cg_csvlog log;
	bool logging;
	struct cg_mqtt *mqtt; /* --mqtt, NULL without */
	int stop;            /* an EX_ code an output failure asks the loop to
			      * end with, 0 = none (the reason in fatal_error) */
	struct cg_error fatal_error; /* why a file ended the run */
};

/* Fills the pack's files from the command line's, %n made its label.
 * Returns 0, or -1 with err filled when a name does not fit. */
int cg_bms_set_paths(struct cg_bms *bms, const struct cg_options *opt,
		     struct cg_error *err);

/* The pipeline's state, empty; the first event says what was opened.
 * bms must be all zero before (static storage or calloc, as the program's
 * packs are). The history is kept only when keep_history, and its
 * megabyte is touched only as data fills it. */
void cg_bms_init(struct cg_bms *bms, bool keep_history, const char *what);

/* Opens its --record, --events and --log files. Returns 0, or -1 with
 * err filled. */
int cg_bms_open_outputs(struct cg_bms *bms, struct cg_error *err);

/* Good frames of a length this version cannot read, one line each after
 * prefix. Returns how many. */
unsigned cg_bms_say_variants(const struct cg_bms *bms, FILE *to,
			     const char *prefix);

/* Prints the --once picture (text, --json or --csv) on stdout, said to be
 * this pack's when labelled. Returns a cg_snapshot_status, or an exit
 * code above 2 (stdout failed). */
int cg_bms_print_once(struct cg_bms *bms);

/* Pumps the source until it is idle, acting on what it hands out.
 * readable: its poll fd had input. Returns 0 or an exit code. */
int cg_bms_pump(struct cg_bms *bms, uint64_t now_ms, bool readable);

/* The 1 s tick: the frame rate, syncing the files. Returns 0 or an exit
 * code (the CSV log could not be synced). */
int cg_bms_tick(struct cg_bms *bms, uint64_t now_ms);

/* Asks the doctor what is wrong (and lets it hunt the baud); a change of
 * diagnosis is an event, and a line on stderr without the table. */
void cg_bms_consult_doctor(struct cg_bms *bms, uint64_t now_ms);

/* Appends an event to the list, the history and the --events file. */
void cg_bms_note_event(struct cg_bms *bms, const char *text);

/* A recording that failed: said, closed, the run goes on. */
void cg_bms_stop_recording(struct cg_bms *bms, const struct cg_error *err);

/* Standard output refused what it was given (errno e): returns 74. A
 * reader that went away (head -1, a closed pipe) chose to: that ends the
 * run quietly; anything else (a full disk) is said, with what to do, in
 * fatal_error. */
int cg_bms_stdout_failed(struct cg_bms *bms, int e);

double cg_bms_frames_per_s(const struct cg_bms *bms);

#endif
