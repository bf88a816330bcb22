/* The request queue between CLI session threads (many producers) and the
 * control thread (the one consumer): a lock-free MPSC stack that the consumer
 * empties in one exchange, so the control thread never waits on a session. */
#include "mgmt.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mgmt_queue {
	/* Producers push here with CAS; newest first. Holds &mq_closed once the
	 * queue is closed, so a push and a close can never miss each other. */
	_Atomic(struct mgmt_req *) mq_head;
	/* Requests taken from mq_head but not yet answered, oldest first.
	 * Touched only by the consumer (poll/close). */
	struct mgmt_req *mq_pending;
	struct mgmt_req mq_closed; /* only its address is used: the marker */
};

#define MQ_CLOSED(q) (&(q)->mq_closed)

struct mgmt_queue *mgmt_queue_create(void)
{
	struct mgmt_queue *q = calloc(1, sizeof(*q));

	if (q != NULL)
		atomic_init(&q->mq_head, NULL);
	return q;
}

void mgmt_queue_destroy(struct mgmt_queue *q)
{
	if (q == NULL)
		return;
	mgmt_queue_close(q);
	free(q);
}

/* Runs on: any thread. The request belongs to the caller until mgmt_call. */
void mgmt_req_init(struct mgmt_req *req, enum mgmt_cmd cmd, const char *arg)
{
	req->mr_cmd = cmd;
	req->mr_arg[0] = '\0';
	if (arg != NULL)
		snprintf(req->mr_arg, sizeof(req->mr_arg), "%s", arg);
	strbuf_init(&req->mr_out);
	req->mr_rc = 0;
	memset(&req->mr_page, 0, sizeof(req->mr_page));
	req->mr_more = false;
	sem_init(&req->mr_done, 0, 0);
	req->mr_next = NULL;
}

void mgmt_req_fini(struct mgmt_req *req)
{
	strbuf_fini(&req->mr_out);
	sem_destroy(&req->mr_done);
}

/* Release on success: the consumer's acquire then sees the request filled. */
static int mgmt_queue_push(struct mgmt_queue *q, struct mgmt_req *req)
{
	struct mgmt_req *old = atomic_load_explicit(&q->mq_head, memory_order_relaxed);

	do {
		if (old == MQ_CLOSED(q))
			return -ESHUTDOWN;
		req->mr_next = old;
	} while (!atomic_compare_exchange_weak_explicit(
		&q->mq_head, &old, req, memory_order_release, memory_order_relaxed));
	return 0;
}

/* Runs on: a session thread. Blocks until the control thread answers. */
int mgmt_call(struct mgmt_queue *q, struct mgmt_req *req)
{
	int rc;

	/* Once pushed, req belongs to the control thread until it posts
	 * mr_done: not even mr_rc may be written here in between. */
	req->mr_rc = 0;
	rc = mgmt_queue_push(q, req);
	if (rc != 0) {
		req->mr_rc = rc;
		return rc;
	}
	/* Signals (none are expected: session threads block them) restart the
	 * wait; the request is on the queue and will be answered exactly once. */
	while (sem_wait(&req->mr_done) != 0 && errno == EINTR)
		;
	return req->mr_rc;
}

int mgmt_call_pages(struct mgmt_queue *q, struct mgmt_req *req,
		    void (*take)(void *arg, const struct mgmt_req *req), void *arg)
{
	int rc;

	for (;;) {
		rc = mgmt_call(q, req);
		if (take != NULL)
			take(arg, req);
		if (rc != 0 || !req->mr_more || req->mr_out.sb_oom)
			return rc;
		if (take != NULL)
			strbuf_reset(&req->mr_out);
	}
}

/* Reverses the newest-first list from mq_head and appends it to mq_pending,
 * so requests are answered in arrival order. Runs on: the consumer. */
static void mgmt_queue_take(struct mgmt_queue *q, struct mgmt_req *list)
{
	struct mgmt_req *fifo = NULL, *next, **tail;

	for (; list != NULL; list = next) {
		next = list->mr_next;
		list->mr_next = fifo;
		fifo = list;
	}
	for (tail = &q->mq_pending; *tail != NULL; tail = &(*tail)->mr_next)
		;
	*tail = fifo;
}

/* Grab whatever producers pushed, unless the queue is closed (the marker
 * must stay in place). Runs on: the consumer. */
static void mgmt_queue_grab(struct mgmt_queue *q)
{
	struct mgmt_req *old = atomic_load_explicit(&q->mq_head, memory_order_acquire);

	while (old != NULL && old != MQ_CLOSED(q)) {
		if (atomic_compare_exchange_weak_explicit(
			    &q->mq_head, &old, NULL, memory_order_acquire, memory_order_acquire)) {
			mgmt_queue_take(q, old);
			return;
		}
	}
}

/* The caller may free `req` as soon as the post lands: nothing touches it
 * afterwards. */
static void mgmt_req_answer(struct mgmt_req *req)
{
	req->mr_next = NULL;
	sem_post(&req->mr_done);
}

/* Runs on: the control thread. Never blocks: one CAS, then the handler. */
unsigned mgmt_queue_poll(struct mgmt_queue *q, mgmt_handler_fn fn, void *ctx, unsigned max)
{
	struct mgmt_req *req;
	unsigned n = 0;

	if (q->mq_pending == NULL)
		mgmt_queue_grab(q);
	while (n < max && (req = q->mq_pending) != NULL) {
		q->mq_pending = req->mr_next;
		req->mr_rc = 0;
		req->mr_more = false;
		fn(ctx, req);
		mgmt_req_answer(req);
		n++;
	}
	return n;
}

/* Runs on: the control thread (the only consumer), at shutdown. Idempotent.
 * Installing the marker first means every later push fails fast, and every
 * earlier one is in the list we take here. */
void mgmt_queue_close(struct mgmt_queue *q)
{
	struct mgmt_req *old, *req;

	old = atomic_exchange_explicit(&q->mq_head, MQ_CLOSED(q), memory_order_acq_rel);
	if (old != MQ_CLOSED(q))
		mgmt_queue_take(q, old);
	while ((req = q->mq_pending) != NULL) {
		q->mq_pending = req->mr_next;
		req->mr_rc = -ESHUTDOWN;
		mgmt_req_answer(req);
	}
}
