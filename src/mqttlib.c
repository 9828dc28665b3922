/*
 * mqttlib: libmosquitto loaded on demand (see mqttlib.h).
 */
#include "mqttlib.h"

#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <sysexits.h>

struct cg_mosq_funcs cg_mosq;

int cg_mosq_load(const char *what, struct cg_error *err)
{
	static void *handle;
	struct cg_mosq_funcs f;

	if (handle)
		return 0;
	void *h = dlopen("libmosquitto.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return cg_error_set(err, EX_UNAVAILABLE, "%s needs libmosquitto "
				    "(%.300s); install it: apt install libmosquitto1",
				    what, dlerror());
#define CG_MOSQ_LOAD(name) \
	if (!(f.name = (__typeof__(&name))dlsym(h, #name))) { \
		dlclose(h); \
		return cg_error_set(err, EX_UNAVAILABLE, "%s: libmosquitto " \
				    "has no " #name ": install libmosquitto1 " \
				    "2.0 or later", what); \
	}
	CG_MOSQ_FUNCS(CG_MOSQ_LOAD)
#undef CG_MOSQ_LOAD
	cg_mosq = f;
	handle = h;
	return 0;
}

const char *cg_mosq_why(int rc)
{
	return rc == MOSQ_ERR_ERRNO ? strerror(errno) : cg_mosq.mosquitto_strerror(rc);
}

int cg_mosq_tls(struct mosquitto *mosq, const char *cafile,
		struct cg_error *err)
{
	int rc = cg_mosq.mosquitto_tls_set(mosq, cafile,
					   cafile ? NULL : "/etc/ssl/certs",
					   NULL, NULL, NULL);
	if (rc)
		return cg_error_set(err, EX_USAGE, "--mqtt-cafile %.400s: %s; "
				    "give a readable PEM file with the CA that "
				    "signed the broker's certificate",
				    cafile ? cafile : "(system CAs)",
				    cg_mosq_why(rc));
	return 0;
}
