/*
 * portpick: choosing the port when none is named, and --list (see
 * portpick.h).
 */
#include "portpick.h"

#include <stdio.h>
#include <sysexits.h>
#include <unistd.h>

#include "options.h"
#include "ports.h"
#include "probe.h"
#include "sanitize.h"

#define PROGRAM CG_PROGRAM

/* Listens on every USB serial port at once for CG_PROBE_LISTEN_MS.
 * Returns the index in ports of the one carrying the most Chargery frames,
 * or -1; *usb counts the USB ports. */
static int probe_usb_ports(const struct cg_port_info *ports, int n, int baud,
			   int *usb, struct cg_probe_result *results,
			   int *map)
{
	const char *paths[CG_PORTS_MAX];
	int count = 0;

	for (int i = 0; i < n; i++)
		if (ports[i].usb) {
			map[count] = i;
			paths[count++] = ports[i].path;
		}
	*usb = count;
	if (count == 0)
		return -1;
	int best = cg_probe_ports(paths, count, baud, CG_PROBE_LISTEN_MS,
				  results);
	return best >= 0 && results[best].frames > 0 ? map[best] : -1;
}

int cg_portpick_list(int baud)
{
	struct cg_port_info ports[CG_PORTS_MAX];
	struct cg_probe_result results[CG_PORTS_MAX];
	int map[CG_PORTS_MAX], usb;
	int n = cg_ports_list(ports, CG_PORTS_MAX);

	if (n < 0) {
		fprintf(stderr, PROGRAM ": cannot list serial ports (is /sys mounted?)\n");
		return EX_OSERR;
	}
	cg_ports_print(stdout, ports, n);
	if (n > 0 && isatty(STDERR_FILENO))
		fprintf(stderr, "(listening %d s on USB ports for Chargery frames...)\n",
			CG_PROBE_LISTEN_MS / 1000);
	probe_usb_ports(ports, n, baud, &usb, results, map);
	for (int j = 0; j < usb; j++) {
		const struct cg_probe_result *r = &results[j];
		char path[sizeof(ports[0].path)], error[sizeof(r->error)];
		cg_sanitize(path, sizeof(path), ports[map[j]].path);
		cg_sanitize(error, sizeof(error), r->error);
		printf("%s: %s\n", path,
		       !r->opened ? error :
		       r->frames ? "Chargery frames  <- this one" :
		       r->inverted_frames ? "inverted Chargery frames (a TTL adapter?)" :
		       r->bytes ? "bytes, but no Chargery frames" : "silent");
	}
	return EX_OK;
}

/* No PORT given: the only USB serial port, else list them and stop. */
int cg_portpick_choose(char *path, size_t cap, int baud)
{
	struct cg_port_info ports[CG_PORTS_MAX];
	int n = cg_ports_list(ports, CG_PORTS_MAX);
	int usb = 0, pick = -1;

	for (int i = 0; i < n; i++)
		if (ports[i].usb) {
			usb++;
			pick = i;
		}
	if (usb == 1) {
		snprintf(path, cap, "%s", ports[pick].path);
		return -1;
	}
	if (usb > 1) {
		struct cg_probe_result results[CG_PORTS_MAX];
		int map[CG_PORTS_MAX];
		int found = probe_usb_ports(ports, n, baud, &usb, results, map);
		if (found >= 0) {
			char safe[sizeof(ports[0].path)];
			cg_sanitize(safe, sizeof(safe), ports[found].path);
			fprintf(stderr, PROGRAM ": %d USB serial ports; Chargery "
				"frames found on %s, using it\n", usb, safe);
			snprintf(path, cap, "%s", ports[found].path);
			return -1;
		}
	}
	if (usb == 0)
		fprintf(stderr, PROGRAM ": no USB serial port found. Plug in the "
			"USB-RS232 adapter, or name a PORT (try --demo to see the "
			"table without a BMS).\n");
	else
		fprintf(stderr, PROGRAM ": %d USB serial ports found and none "
			"carries Chargery frames; name the one wired to the BMS's "
			"COM3:\n", usb);
	if (n > 0)
		cg_ports_print(stderr, ports, n);
	return EX_USAGE;
}

