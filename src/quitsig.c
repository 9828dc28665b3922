/* quitsig: see include/quitsig.h. */
#include "quitsig.h"

#include <stddef.h>

static const int quit[] = { SIGINT, SIGTERM, SIGHUP };
#define NQUIT (sizeof(quit) / sizeof(quit[0]))

void cg_quitsig_install(void (*handler)(int))
{
	struct sigaction sa = { .sa_handler = handler };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NQUIT; i++)
		sigaction(quit[i], &sa, NULL);
}

static void less_quit(sigset_t *mask)
{
	for (size_t i = 0; i < NQUIT; i++)
		sigdelset(mask, quit[i]);
}

void cg_quitsig_block(sigset_t *wait_mask)
{
	sigset_t block;

	sigemptyset(&block);
	for (size_t i = 0; i < NQUIT; i++)
		sigaddset(&block, quit[i]);
	sigprocmask(SIG_BLOCK, &block, wait_mask);
	less_quit(wait_mask);
}

void cg_quitsig_wait_mask(sigset_t *wait_mask)
{
	sigprocmask(SIG_SETMASK, NULL, wait_mask);
	less_quit(wait_mask);
}

int cg_quitsig_pending(void)
{
	sigset_t pending;

	if (sigpending(&pending) < 0)
		return 0;
	for (size_t i = 0; i < NQUIT; i++)
		if (sigismember(&pending, quit[i]))
			return quit[i];
	return 0;
}
