/*
 * resolve: numeric addresses read in place (no child), a name looked up
 * in a child and read from its pipe, a name that does not exist, and a
 * lookup cancelled: every child is reaped. A name server that never
 * answers is tests/e2e_dns.sh's (it needs a mount namespace).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/wait.h>

#include "clock.h"
#include "resolve.h"

/* The child is gone: nothing left to reap. */
static void assert_reaped(pid_t pid)
{
	errno = 0;
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_numeric_v4(void **state)
{
	struct cg_resolve r;
	(void)state;

	cg_resolve_init(&r);
	assert_int_equal(cg_resolve_start(&r, "127.0.0.1", "4001", SOCK_STREAM,
					  1000), CG_RESOLVE_DONE);
	assert_int_equal(cg_resolve_fd(&r), -1);
	assert_int_equal(r.pid, -1);
	assert_true(cg_resolve_due_ms(&r) == UINT64_MAX);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.addr[0].family, AF_INET);
	assert_int_equal(r.addr[0].socktype, SOCK_STREAM);
	const struct sockaddr_in *in = (const void *)&r.addr[0].addr;
	assert_int_equal(ntohs(in->sin_port), 4001);
	assert_int_equal(ntohl(in->sin_addr.s_addr), INADDR_LOOPBACK);
	char text[64], tiny[4];
	assert_int_equal(cg_resolve_text(&r.addr[0], text, sizeof(text)), 0);
	assert_string_equal(text, "127.0.0.1");
	assert_int_equal(cg_resolve_text(&r.addr[0], tiny, sizeof(tiny)), -1);
}

static void test_numeric_v6(void **state)
{
	struct cg_resolve r;
	(void)state;

	cg_resolve_init(&r);
	assert_int_equal(cg_resolve_start(&r, "::1", "1883", SOCK_STREAM, 0),
			 CG_RESOLVE_DONE);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.addr[0].family, AF_INET6);
	const struct sockaddr_in6 *in6 = (const void *)&r.addr[0].addr;
	assert_int_equal(ntohs(in6->sin6_port), 1883);
	assert_true(IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr));
	char text[64];
	assert_int_equal(cg_resolve_text(&r.addr[0], text, sizeof(text)), 0);
	assert_string_equal(text, "::1");
}

static void test_numeric_words(void **state)
{
	(void)state;
	assert_true(cg_resolve_numeric("192.0.2.7"));
	assert_true(cg_resolve_numeric("fe80::1"));
	assert_false(cg_resolve_numeric("localhost"));
	assert_false(cg_resolve_numeric("bridge.lan"));
	assert_false(cg_resolve_numeric("300.1.1.1"));
}

/* Whether this machine resolves "localhost" at all: a bare debootstrap
 * tree has no /etc/hosts. Where it does not, the tests that need it are
 * skipped (and say why) rather than failed. */
static void need_localhost(void)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;

	if (getaddrinfo("localhost", "80", &hints, &ai) == 0) {
		freeaddrinfo(ai);
		return;
	}
	print_message("localhost does not resolve here (no /etc/hosts?)\n");
	skip();
}

static void test_localhost_in_a_child(void **state)
{
	struct cg_resolve r;
	(void)state;
	need_localhost();

	cg_resolve_init(&r);
	assert_int_equal(cg_resolve_start(&r, "localhost", "4001", SOCK_STREAM,
					  cg_clock_ms()), CG_RESOLVE_RUNNING);
	assert_true(cg_resolve_fd(&r) >= 0);
	pid_t pid = r.pid;
	assert_true(pid > 0);
	assert_true(cg_resolve_due_ms(&r) < UINT64_MAX);
	assert_int_equal(cg_resolve_wait(&r, UINT64_MAX), CG_RESOLVE_DONE);
	assert_int_equal(cg_resolve_fd(&r), -1);
	assert_reaped(pid);
	assert_true(r.n >= 1);
	for (unsigned i = 0; i < r.n; i++) {
		const struct cg_resolve_addr *a = &r.addr[i];
		assert_int_equal(a->socktype, SOCK_STREAM);
		if (a->family == AF_INET) {
			const struct sockaddr_in *in = (const void *)&a->addr;
			assert_int_equal(ntohs(in->sin_port), 4001);
			assert_int_equal(ntohl(in->sin_addr.s_addr) >> 24, 127);
		} else {
			assert_int_equal(a->family, AF_INET6);
			const struct sockaddr_in6 *in6 = (const void *)&a->addr;
			assert_int_equal(ntohs(in6->sin6_port), 4001);
			assert_true(IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr));
		}
	}
}

/* RFC 6761: .invalid never exists. Whatever the resolver answers (no
 * such name, or no server reachable), it is a failure with words. */
static void test_name_that_does_not_exist(void **state)
{
	struct cg_resolve r;
	(void)state;

	cg_resolve_init(&r);
	assert_int_equal(cg_resolve_start(&r, "name.invalid", "80", SOCK_STREAM,
					  cg_clock_ms()), CG_RESOLVE_RUNNING);
	pid_t pid = r.pid;
	assert_int_equal(cg_resolve_wait(&r, UINT64_MAX), CG_RESOLVE_FAILED);
	assert_reaped(pid);
	assert_int_not_equal(r.gai, 0);
	assert_int_not_equal(r.gai, EAI_SYSTEM);
	assert_true(r.why[0] != '\0');
	assert_int_equal(r.n, 0);
}

/* Not waited for: a running lookup's child is killed and reaped. */
static void test_cancel_reaps_the_child(void **state)
{
	struct cg_resolve r;
	(void)state;
	need_localhost();

	cg_resolve_init(&r);
	assert_int_equal(cg_resolve_start(&r, "localhost", "80", SOCK_STREAM,
					  cg_clock_ms()), CG_RESOLVE_RUNNING);
	pid_t pid = r.pid;
	cg_resolve_cancel(&r);
	assert_int_equal(r.state, CG_RESOLVE_IDLE);
	assert_int_equal(cg_resolve_fd(&r), -1);
	assert_reaped(pid);
	/* A new start on the same struct works, and so does a second
	 * cancel on an idle one. */
	assert_int_equal(cg_resolve_start(&r, "localhost", "80", SOCK_STREAM,
					  cg_clock_ms()), CG_RESOLVE_RUNNING);
	pid = r.pid;
	assert_int_equal(cg_resolve_wait(&r, UINT64_MAX), CG_RESOLVE_DONE);
	assert_reaped(pid);
	cg_resolve_cancel(&r);
	assert_int_equal(r.state, CG_RESOLVE_DONE);
}

/* A wait with a limit in the past returns at once, still running. */
static void test_wait_until(void **state)
{
	struct cg_resolve r;
	(void)state;
	need_localhost();

	cg_resolve_init(&r);
	assert_int_equal(cg_resolve_start(&r, "localhost", "80", SOCK_STREAM,
					  cg_clock_ms()), CG_RESOLVE_RUNNING);
	pid_t pid = r.pid;
	enum cg_resolve_state s = cg_resolve_wait(&r, 0);
	/* The child may have answered already: a step reads it. */
	assert_true(s == CG_RESOLVE_RUNNING || s == CG_RESOLVE_DONE);
	/* Waited for without a limit, it ends with the answer. */
	assert_int_equal(cg_resolve_wait(&r, UINT64_MAX), CG_RESOLVE_DONE);
	assert_reaped(pid);
}

/* Each try the next address, round the list, and on across a new lookup;
 * none before one is DONE. */
static void test_next_address_goes_round(void **state)
{
	struct cg_resolve r, v4;
	char text[64];
	(void)state;

	cg_resolve_init(&r);
	assert_int_equal(cg_resolve_next_text(&r, text, sizeof(text)), -1);
	cg_resolve_init(&v4);
	assert_int_equal(cg_resolve_start(&r, "::1", "80", SOCK_STREAM, 0),
			 CG_RESOLVE_DONE);
	assert_int_equal(cg_resolve_start(&v4, "127.0.0.1", "80", SOCK_STREAM,
					  0), CG_RESOLVE_DONE);
	r.addr[1] = v4.addr[0]; /* a name that is ::1, then 127.0.0.1 */
	r.n = 2;
	static const char *const want[] = { "::1", "127.0.0.1", "::1" };
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(cg_resolve_next_text(&r, text, sizeof(text)), 0);
		assert_string_equal(text, want[i]);
	}
	/* Looked up again: the turn goes on where it was. */
	assert_int_equal(cg_resolve_start(&r, "::1", "80", SOCK_STREAM, 0),
			 CG_RESOLVE_DONE);
	r.addr[1] = v4.addr[0];
	r.n = 2;
	assert_int_equal(cg_resolve_next_text(&r, text, sizeof(text)), 0);
	assert_string_equal(text, "127.0.0.1");
	/* Too small a buffer: -1. */
	assert_int_equal(cg_resolve_next_text(&r, text, 3), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numeric_v4),
		cmocka_unit_test(test_numeric_v6),
		cmocka_unit_test(test_numeric_words),
		cmocka_unit_test(test_localhost_in_a_child),
		cmocka_unit_test(test_name_that_does_not_exist),
		cmocka_unit_test(test_cancel_reaps_the_child),
		cmocka_unit_test(test_wait_until),
		cmocka_unit_test(test_next_address_goes_round),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
