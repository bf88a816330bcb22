/* Registration of the user.dmvpn.* log types. */
#include "log.h"

#include <string.h>

RTE_LOG_REGISTER(dmvpn_logtype_main, user.dmvpn.main, INFO);
RTE_LOG_REGISTER(dmvpn_logtype_ctl, user.dmvpn.ctl, INFO);
RTE_LOG_REGISTER(dmvpn_logtype_dp, user.dmvpn.dp, INFO);
RTE_LOG_REGISTER(dmvpn_logtype_arp, user.dmvpn.arp, INFO);
RTE_LOG_REGISTER(dmvpn_logtype_mgmt, user.dmvpn.mgmt, INFO);
RTE_LOG_REGISTER(dmvpn_logtype_ike, user.dmvpn.ike, INFO);

int log_level_parse(const char *name)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {
		{"error", RTE_LOG_ERR},   {"warning", RTE_LOG_WARNING},
		{"notice", RTE_LOG_NOTICE}, {"info", RTE_LOG_INFO},
		{"debug", RTE_LOG_DEBUG},
	};

	for (size_t i = 0; i < RTE_DIM(levels); i++)
		if (strcmp(name, levels[i].name) == 0)
			return levels[i].level;
	return -1;
}

void log_set_level(int level)
{
	rte_log_set_level_pattern("user.dmvpn.*", (uint32_t)level);
}
