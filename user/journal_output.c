// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one place that talks to journald. libsystemd's sd_journal_sendv()
 * writes the native protocol (fields with any bytes, large entries through
 * a memfd), which a hand-written datagram writer would have to copy.
 */
#include "journal_output.h"

#include <errno.h>

#ifdef UG_HAVE_JOURNAL
#include <systemd/sd-journal.h>

bool ug_journal_built_in(void)
{
	return true;
}

int ug_journal_send(const struct ug_journal_entry *e)
{
	return sd_journal_sendv(e->iov, (int)e->n);
}
#else
bool ug_journal_built_in(void)
{
	return false;
}

int ug_journal_send(const struct ug_journal_entry *e)
{
	(void)e;
	return -EOPNOTSUPP;
}
#endif
