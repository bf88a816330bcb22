#!/usr/bin/env bash
# The per-packet path may not allocate, lock, log, sleep or make system
# calls. This greps dataplane/ for the calls that would; the idle back-off's
# rte_delay_us_sleep in worker.c is the one sanctioned sleep.
set -u
cd "${DMVPND_SRCDIR:-.}"
pattern='\b(malloc|calloc|realloc|free|rte_malloc|rte_zmalloc|rte_free|printf|fprintf|RTE_LOG|pthread_mutex_[a-z]+|rte_spinlock_[a-z]+|getpid|clock_gettime|gettimeofday|usleep|nanosleep|sleep|rte_panic|rte_exit|__sync_[a-z_]+|syscall)\s*\('
hits=$(grep -nE "$pattern" dataplane/*.c dataplane/*.h | grep -v 'rte_pktmbuf_free' || true)
attr=$(grep -n '__attribute__' dataplane/*.c dataplane/*.h || true)
if [ -n "$hits$attr" ]; then
  echo "forbidden on the packet path:"; echo "$hits"; echo "$attr"
  echo "0 passed, 1 failed"; exit 1
fi
echo "dataplane/: no allocation, lock, log, sleep or syscall"
echo "1 passed, 0 failed"
