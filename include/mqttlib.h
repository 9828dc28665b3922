/*
 * mqttlib: libmosquitto, loaded with dlopen() only by the runs that talk
 * to a broker (--mqtt publishing, an mqtt:// source, --list mqtt://).
 * With its TLS libraries it would add about 2 MB to every run's memory
 * (the replay and logging budgets, tests/e2e_recfile.sh), so nothing else
 * links it: its functions are called through the table cg_mosq, which
 * cg_mosq_load() fills once per process.
 *
 * Not pure: the dynamic loader. Never unloaded.
 */
#ifndef CG_MQTTLIB_H
#define CG_MQTTLIB_H

#include <mosquitto.h>

#include "error.h"

#define CG_MOSQ_FUNCS(X) \
	X(mosquitto_connack_string) \
	X(mosquitto_connect_async) \
	X(mosquitto_connect_callback_set) \
	X(mosquitto_destroy) \
	X(mosquitto_disconnect) \
	X(mosquitto_disconnect_callback_set) \
	X(mosquitto_lib_cleanup) \
	X(mosquitto_lib_init) \
	X(mosquitto_loop_misc) \
	X(mosquitto_loop_read) \
	X(mosquitto_loop_write) \
	X(mosquitto_message_callback_set) \
	X(mosquitto_new) \
	X(mosquitto_publish) \
	X(mosquitto_socket) \
	X(mosquitto_strerror) \
	X(mosquitto_subscribe) \
	X(mosquitto_tls_set) \
	X(mosquitto_username_pw_set) \
	X(mosquitto_want_write) \
	X(mosquitto_will_set)

struct cg_mosq_funcs {
#define CG_MOSQ_FIELD(f) __typeof__(&f) f;
	CG_MOSQ_FUNCS(CG_MOSQ_FIELD)
#undef CG_MOSQ_FIELD
};

/* Filled by cg_mosq_load(); every field is NULL before. */
extern struct cg_mosq_funcs cg_mosq;

/* Loads libmosquitto.so.1 once (later calls return 0 at once). what names
 * the option that needs it in the message ("--mqtt", "mqtt://"). Returns
 * -1 with EX_UNAVAILABLE, saying which package to install. */
int cg_mosq_load(const char *what, struct cg_error *err);

/* The words for a libmosquitto return code (errno's for MOSQ_ERR_ERRNO). */
const char *cg_mosq_why(int rc);

/* TLS for mosq with cafile's CA, or the system's (/etc/ssl/certs) when
 * cafile is NULL. Returns -1 with EX_USAGE naming --mqtt-cafile when
 * libmosquitto refuses it. */
int cg_mosq_tls(struct mosquitto *mosq, const char *cafile,
		struct cg_error *err);

#endif
