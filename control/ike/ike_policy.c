/* Who may authenticate how (see ike_policy.h). */
#include "ike_policy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* A PSK from a file nobody else may read (like ssh's keys): the first
 * line, 16..128 bytes. */
static int psk_file_read(const char *path, struct ike_secret *out, char *err, size_t len)
{
	char buf[CFG_IKE_PSK_MAX + 2];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = -errno;
		snprintf(err, len, "psk-file %s: %s", path, strerror(errno));
	} else if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, len,
			 "psk-file %s may be read by others (mode %03o): refused; "
			 "chmod 600 it",
			 path, (unsigned)(st.st_mode & 0777));
		rc = -EACCES;
	} else if ((n = read(fd, buf, sizeof(buf) - 1)) < 0) {
		rc = -errno;
		snprintf(err, len, "psk-file %s: %s", path, strerror(errno));
	} else {
		buf[n] = '\0';
		buf[strcspn(buf, "\r\n")] = '\0';
		n = (ssize_t)strlen(buf);
		if (n < 16 || n > CFG_IKE_PSK_MAX) {
			snprintf(err, len, "psk-file %s: the key must be 16..%u bytes, got %zd",
				 path, CFG_IKE_PSK_MAX, n);
			rc = -EINVAL;
		} else {
			memcpy(out->ps_key, buf, (size_t)n);
			out->ps_len = (uint8_t)n;
		}
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Inline or from a file; *has false when neither is given. */
static int psk_take(const uint8_t *psk, uint8_t psk_len, const char *file, struct ike_secret *out,
		    bool *has, char *err, size_t len)
{
	*has = false;
	if (psk_len != 0) {
		memcpy(out->ps_key, psk, psk_len);
		out->ps_len = psk_len;
		*has = true;
		return 0;
	}
	if (file[0] == '\0')
		return 0;
	*has = true;
	return psk_file_read(file, out, err, len);
}

static int peers_load(struct ike_policy *p, const struct cfg_ike *k, char *err, size_t len)
{
	int rc = 0;

	if (k->n_peers == 0)
		return 0;
	p->po_peers = calloc(k->n_peers, sizeof(*p->po_peers));
	if (p->po_peers == NULL)
		return -ENOMEM;
	p->po_n_peers = k->n_peers;
	for (unsigned i = 0; rc == 0 && i < k->n_peers; i++) {
		const struct cfg_ike_peer *c = &k->peers[i];
		struct ike_policy_peer *e = &p->po_peers[i];

		e->pp_addr = c->addr;
		if (c->id.type != 0 && ike_ident_from_cfg(&c->id, &e->pp_id) != 0) {
			snprintf(err, len, "peers[%u].id '%s' cannot be encoded", i, c->id.text);
			rc = -EINVAL;
			break;
		}
		rc = psk_take(c->psk, c->psk_len, c->psk_file, &e->pp_psk, &e->pp_has_psk, err,
			      len);
		e->pp_auth = c->has_auth ? c->auth : e->pp_has_psk ? CFG_IKE_AUTH_PSK : k->auth;
	}
	return rc;
}

int ike_policy_load(struct ike_policy *p, const struct cfg_ike *k, char *err, size_t len)
{
	int rc;

	memset(p, 0, sizeof(*p));
	p->po_auth = k->auth;
	p->po_frag = k->fragmentation;
	p->po_frag_size = k->fragment_size;
	if (k->local_id.type != 0 && ike_ident_from_cfg(&k->local_id, &p->po_local_id) != 0) {
		snprintf(err, len, "local-id '%s' cannot be encoded", k->local_id.text);
		return -EINVAL;
	}
	rc = psk_take(k->psk, k->psk_len, k->psk_file, &p->po_psk, &p->po_has_psk, err, len);
	if (rc == 0 && k->cert[0] != '\0') {
		rc = ike_creds_load(&p->po_creds, k->cert, k->key, k->ca, k->crl, err, len);
		p->po_has_creds = rc == 0;
	}
	if (rc == 0)
		rc = peers_load(p, k, err, len);
	if (rc != 0)
		ike_policy_free(p);
	return rc;
}

void ike_policy_free(struct ike_policy *p)
{
	if (p->po_has_creds)
		ike_creds_free(&p->po_creds);
	if (p->po_peers != NULL) {
		OPENSSL_cleanse(p->po_peers, p->po_n_peers * sizeof(*p->po_peers));
		free(p->po_peers);
	}
	OPENSSL_cleanse(p, sizeof(*p));
}

static void auth_of(const struct ike_policy *p, enum cfg_ike_auth a, const struct ike_secret *own,
		    struct ike_peer_auth *out)
{
	if (a == CFG_IKE_AUTH_CERT) {
		out->pa_kind = p->po_has_creds ? IKE_PA_CERT : IKE_PA_REFUSE;
		return;
	}
	out->pa_psk = own != NULL ? own : p->po_has_psk ? &p->po_psk : NULL;
	out->pa_kind = out->pa_psk != NULL ? IKE_PA_PSK : IKE_PA_REFUSE;
}

void ike_policy_lookup(const struct ike_policy *p, uint32_t addr, const struct ike_ident *id,
		       struct ike_peer_auth *out)
{
	*out = (struct ike_peer_auth){.pa_kind = IKE_PA_REFUSE, .pa_peer = -1};
	for (unsigned i = 0; i < p->po_n_peers; i++) {
		const struct ike_policy_peer *e = &p->po_peers[i];

		if (e->pp_addr != 0 && e->pp_addr != addr)
			continue;
		if (e->pp_id.id_len != 0) {
			if (id == NULL && e->pp_addr == 0)
				continue; /* who it is shows in its ID */
			if (id != NULL && !ike_ident_eq(id, &e->pp_id)) {
				if (e->pp_addr != 0)
					return; /* that address must be that identity */
				continue;
			}
		}
		out->pa_peer = (int)i;
		auth_of(p, e->pp_auth, e->pp_has_psk ? &e->pp_psk : NULL, out);
		return;
	}
	auth_of(p, p->po_auth, NULL, out);
}

void ike_policy_local_id(const struct ike_policy *p, enum ike_pa_kind kind, uint32_t self,
			 struct ike_ident *out)
{
	if (p->po_local_id.id_len != 0)
		*out = p->po_local_id;
	else if (kind == IKE_PA_CERT && p->po_has_creds)
		*out = p->po_creds.cr_subject;
	else
		ike_ident_ipv4(self, out);
}
