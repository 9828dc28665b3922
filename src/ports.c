/*
 * ports: the serial ports libserialport can see, with what udev knows about
 * them, so the user can pick one and we can find an adapter again by its
 * USB serial number after it re-enumerates as another ttyUSB.
 */
#include "ports.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libserialport.h>

#include "sanitize.h"

#define BY_ID_DIR "/dev/serial/by-id"

/* Truncating copy; udev strings are short, PATH_MAX buffers are not. */
static void copy_string(char *to, size_t cap, const char *from)
{
	size_t length = from ? strlen(from) : 0;

	if (length >= cap)
		length = cap - 1;
	memcpy(to, from ? from : "", length);
	to[length] = '\0';
}

/*
 * udev's stable names are the ones worth giving to the user: /dev/ttyUSB0
 * changes with plug order, the by-id name does not. A missing directory
 * (no udev, a container, no USB adapter) just leaves the name empty.
 */
static void find_by_id(const char *port_path, char *out, size_t cap)
{
	char real_port[PATH_MAX];
	DIR *dir;
	struct dirent *entry;

	out[0] = '\0';
	if (!realpath(port_path, real_port))
		copy_string(real_port, sizeof(real_port), port_path);
	dir = opendir(BY_ID_DIR);
	if (!dir)
		return;
	while ((entry = readdir(dir))) {
		char link_path[PATH_MAX];
		char target[PATH_MAX];

		if (entry->d_name[0] == '.')
			continue;
		if (snprintf(link_path, sizeof(link_path), "%s/%s", BY_ID_DIR,
			     entry->d_name) >= (int)sizeof(link_path))
			continue;
		if (!realpath(link_path, target) || strcmp(target, real_port))
			continue;
		copy_string(out, cap, link_path);
		break;
	}
	closedir(dir);
}

static void describe_port(const struct sp_port *port, struct cg_port_info *info)
{
	memset(info, 0, sizeof(*info));
	copy_string(info->path, sizeof(info->path), sp_get_port_name(port));
	find_by_id(info->path, info->by_id, sizeof(info->by_id));
	if (sp_get_port_transport(port) != SP_TRANSPORT_USB)
		return;
	info->usb = true;
	if (sp_get_port_usb_vid_pid(port, &info->vid, &info->pid) != SP_OK)
		info->vid = info->pid = 0;
	copy_string(info->manufacturer, sizeof(info->manufacturer),
		    sp_get_port_usb_manufacturer(port));
	copy_string(info->product, sizeof(info->product),
		    sp_get_port_usb_product(port));
	copy_string(info->serial, sizeof(info->serial),
		    sp_get_port_usb_serial(port));
}

static int by_path(const void *a, const void *b)
{
	const struct cg_port_info *left = a, *right = b;

	return strcmp(left->path, right->path);
}

int cg_ports_list(struct cg_port_info *out, int cap)
{
	struct sp_port **ports;
	int count = 0;

	if (sp_list_ports(&ports) != SP_OK)
		return -1;
	for (int i = 0; ports[i] && count < cap; i++)
		describe_port(ports[i], &out[count++]);
	sp_free_port_list(ports);
	qsort(out, (size_t)count, sizeof(*out), by_path);
	return count;
}

static const char *or_dash(const char *text)
{
	return text[0] ? text : "-";
}

/* The by-id directory is the same for every row; its last part says it all. */
static const char *by_id_name(const struct cg_port_info *port)
{
	const char *slash = strrchr(port->by_id, '/');

	return or_dash(slash ? slash + 1 : port->by_id);
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

/* The strings of a port as they may reach a terminal: udev passes on what
 * the USB device says about itself, and a device can say anything. */
static void sanitize_port(struct cg_port_info *safe,
			  const struct cg_port_info *port)
{
	*safe = *port;
	cg_sanitize(safe->path, sizeof(safe->path), port->path);
	cg_sanitize(safe->by_id, sizeof(safe->by_id), port->by_id);
	cg_sanitize(safe->manufacturer, sizeof(safe->manufacturer),
		    port->manufacturer);
	cg_sanitize(safe->product, sizeof(safe->product), port->product);
	cg_sanitize(safe->serial, sizeof(safe->serial), port->serial);
}

void cg_ports_print(FILE *to, const struct cg_port_info *ports, int count)
{
	int path_width = (int)strlen("PORT");
	int by_id_width = (int)strlen("BY-ID");
	int maker_width = (int)strlen("MANUFACTURER");
	int product_width = (int)strlen("PRODUCT");
	struct cg_port_info safe;

	if (count < 0) {
		fprintf(to, "the serial ports cannot be listed\n");
		return;
	}
	if (count == 0) {
		fprintf(to, "no serial ports found\n");
		return;
	}
	for (int i = 0; i < count; i++) {
		sanitize_port(&safe, &ports[i]);
		path_width = max_int(path_width, (int)strlen(safe.path));
		by_id_width = max_int(by_id_width,
				      (int)strlen(by_id_name(&safe)));
		maker_width = max_int(maker_width,
				      (int)strlen(or_dash(safe.manufacturer)));
		product_width = max_int(product_width,
					(int)strlen(or_dash(safe.product)));
	}
	fprintf(to, "%-*s  %-*s  %-9s  %-*s  %-*s  %s\n", path_width, "PORT",
		by_id_width, "BY-ID", "VID:PID", maker_width, "MANUFACTURER",
		product_width, "PRODUCT", "SERIAL");
	for (int i = 0; i < count; i++) {
		const struct cg_port_info *port = &safe;
		char vid_pid[16] = "-";

		sanitize_port(&safe, &ports[i]);
		if (port->usb)
			snprintf(vid_pid, sizeof(vid_pid), "%04x:%04x",
				 (unsigned)port->vid & 0xffffu,
				 (unsigned)port->pid & 0xffffu);
		fprintf(to, "%-*s  %-*s  %-9s  %-*s  %-*s  %s\n", path_width,
			port->path, by_id_width, by_id_name(port), vid_pid,
			maker_width, or_dash(port->manufacturer), product_width,
			or_dash(port->product), or_dash(port->serial));
	}
}
