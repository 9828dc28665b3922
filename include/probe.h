/*
 * probe: listens on several ports at once for a moment and says which
 * carry Chargery frames. Used when no PORT is named and several USB serial
 * ports are present, and by --list to mark the port wired to the BMS.
 *
 * Passive, like everything here: the BMS only talks, so nothing is sent.
 * Each port goes through cg_link_open() (so it is locked while probed) and
 * is closed again before cg_probe_ports() returns.
 */
#ifndef CG_PROBE_H
#define CG_PROBE_H

#include <stdbool.h>
#include <stdint.h>

/* A BMS sends a frame every second: 2.5 s sees at least two. */
#define CG_PROBE_LISTEN_MS 2500

struct cg_probe_result {
	bool opened;
	int exit_code;      /* EX_* of a failed open, 0 if it opened */
	char error[160];    /* first line of the open error, "" if none */
	uint64_t bytes;     /* bytes received */
	uint64_t frames;    /* frames that passed the framer */
	uint64_t inverted_frames; /* frames in the complemented bytes */
};

/*
 * Opens every one of the n paths at baud, listens to all of them together
 * for listen_ms and fills results[i] for paths[i]. Returns the index of the
 * port with the most frames, or -1 if none had any (or on an allocation
 * failure, when no result says opened).
 */
int cg_probe_ports(const char *const paths[], int n, int baud, int listen_ms,
		   struct cg_probe_result results[]);

#endif
