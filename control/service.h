/* Telling a service manager how the node is doing: systemd's readiness
 * protocol (sd_notify(3)) without libsystemd. A no-op when dmvpnd was not
 * started by one ($NOTIFY_SOCKET unset). */
#ifndef DMVPND_SERVICE_H
#define DMVPND_SERVICE_H

/* Sends `state` ("READY=1", "STOPPING=1", "STATUS=...", newline separated)
 * to $NOTIFY_SOCKET. 0 sent or nothing to send to, else -errno. */
int service_notify(const char *state);

#endif
