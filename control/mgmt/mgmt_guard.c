/* Failed logins per source address. Password guessing gets slower with
 * every miss, across connections and listeners, so three tries per
 * connection and a reconnect buy an attacker nothing. The table is small
 * and bounded: when full, the entry idle longest gives way. */
#include "mgmt.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define MGMT_GUARD_SLOTS 64
#define MGMT_GUARD_FIRST_MS 500
#define MGMT_GUARD_MAX_MS 30000
#define MGMT_GUARD_FORGET_SECS (15 * 60)

struct mgmt_guard_slot {
	uint32_t gs_src;
	unsigned gs_fails; /* 0 = free */
	time_t gs_last;    /* CLOCK_MONOTONIC seconds of the last failure */
};

struct mgmt_guard {
	pthread_mutex_t g_lock;
	struct mgmt_guard_slot g_slots[MGMT_GUARD_SLOTS];
};

static time_t mgmt_guard_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

struct mgmt_guard *mgmt_guard_create(void)
{
	struct mgmt_guard *g = calloc(1, sizeof(*g));

	if (g != NULL)
		pthread_mutex_init(&g->g_lock, NULL);
	return g;
}

void mgmt_guard_destroy(struct mgmt_guard *g)
{
	if (g == NULL)
		return;
	pthread_mutex_destroy(&g->g_lock);
	free(g);
}

/* Under g_lock. Expired entries are freed on the way. */
static struct mgmt_guard_slot *mgmt_guard_find(struct mgmt_guard *g, uint32_t src, time_t now)
{
	struct mgmt_guard_slot *gs;
	unsigned i;

	for (i = 0; i < MGMT_GUARD_SLOTS; i++) {
		gs = &g->g_slots[i];
		if (gs->gs_fails != 0 && now - gs->gs_last >= MGMT_GUARD_FORGET_SECS)
			gs->gs_fails = 0;
		if (gs->gs_fails != 0 && gs->gs_src == src)
			return gs;
	}
	return NULL;
}

unsigned mgmt_guard_delay_ms(struct mgmt_guard *g, uint32_t src)
{
	struct mgmt_guard_slot *gs;
	unsigned ms = 0;

	if (g == NULL)
		return 0;
	pthread_mutex_lock(&g->g_lock);
	gs = mgmt_guard_find(g, src, mgmt_guard_now());
	if (gs != NULL) {
		ms = MGMT_GUARD_FIRST_MS;
		for (unsigned i = 1; i < gs->gs_fails && ms < MGMT_GUARD_MAX_MS; i++)
			ms *= 2;
		if (ms > MGMT_GUARD_MAX_MS)
			ms = MGMT_GUARD_MAX_MS;
	}
	pthread_mutex_unlock(&g->g_lock);
	return ms;
}

void mgmt_guard_failed(struct mgmt_guard *g, uint32_t src)
{
	struct mgmt_guard_slot *gs, *oldest;
	time_t now = mgmt_guard_now();
	unsigned i;

	if (g == NULL)
		return;
	pthread_mutex_lock(&g->g_lock);
	gs = mgmt_guard_find(g, src, now);
	if (gs == NULL) {
		oldest = &g->g_slots[0];
		for (i = 0; i < MGMT_GUARD_SLOTS; i++) {
			if (g->g_slots[i].gs_fails == 0) {
				oldest = &g->g_slots[i];
				break;
			}
			if (g->g_slots[i].gs_last < oldest->gs_last)
				oldest = &g->g_slots[i];
		}
		gs = oldest;
		gs->gs_src = src;
		gs->gs_fails = 0;
	}
	if (gs->gs_fails < 64)
		gs->gs_fails++;
	gs->gs_last = now;
	pthread_mutex_unlock(&g->g_lock);
}

void mgmt_guard_succeeded(struct mgmt_guard *g, uint32_t src)
{
	struct mgmt_guard_slot *gs;

	if (g == NULL)
		return;
	pthread_mutex_lock(&g->g_lock);
	gs = mgmt_guard_find(g, src, mgmt_guard_now());
	if (gs != NULL)
		gs->gs_fails = 0;
	pthread_mutex_unlock(&g->g_lock);
}
