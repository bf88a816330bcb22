/* CLI login: checks a password against the user's crypt(3) hash from the
 * config, and makes new SHA-512 hashes for it. Passwords are never logged,
 * and scratch copies are wiped. */
#include "mgmt.h"

#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Spent on a login for a name nobody has, when no real hash is configured
 * to borrow the cost from. */
static const char mgmt_auth_dummy_setting[] = "$6$dmvpnd.nouser$";

/* Compare in time that depends on the lengths only, not on where the
 * strings first differ. */
static int mgmt_auth_ct_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char diff = (unsigned char)(la != lb);

	for (i = 0; i < la; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)(i < lb ? b[i] : 0);
	return diff == 0;
}

static const struct cfg_user *mgmt_auth_user_lookup(const struct cfg_cli *cli, const char *user)
{
	unsigned i;

	for (i = 0; i < cli->n_users && i < CFG_MAX_USERS; i++)
		if (strcmp(cli->users[i].name, user) == 0)
			return &cli->users[i];
	return NULL;
}

/* Hash `password` with `setting` and compare with `want`. libxcrypt answers
 * a bad setting with NULL or a "*0"/"*1" failure token, which must never
 * count as a match, even against a stored "*0". */
static int mgmt_auth_crypt_matches(const char *password, const char *setting, const char *want)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *h;
	int ok = 0;

	if (cd == NULL)
		return 0;
	h = crypt_r(password, setting, cd);
	if (h != NULL && h[0] != '*' && want != NULL)
		ok = mgmt_auth_ct_equal(h, want);
	/* crypt_data holds the password and intermediate state. */
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

/* Runs on: a session thread (reads cli only; the caller owns a stable copy).
 * An unknown user still pays one crypt() at the cost of a real hash, so the
 * answer's timing does not tell which names exist. */
int mgmt_auth_check(const struct cfg_cli *cli, const char *user, const char *password)
{
	const struct cfg_user *u;
	const char *setting;

	if (cli == NULL || user == NULL || password == NULL)
		return 0;
	u = mgmt_auth_user_lookup(cli, user);
	if (u != NULL && u->hash[0] != '\0')
		return mgmt_auth_crypt_matches(password, u->hash, u->hash);
	setting = cli->n_users > 0 && cli->users[0].hash[0] != '\0' ? cli->users[0].hash
								    : mgmt_auth_dummy_setting;
	mgmt_auth_crypt_matches(password, setting, NULL);
	return 0;
}

/* Runs on: any thread. The salt comes from the OS (rbytes NULL). */
int mgmt_auth_hash(const char *password, char *out, size_t outlen)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *h;
	int rc = 0;

	if (password == NULL || out == NULL)
		return -EINVAL;
	errno = 0;
	if (crypt_gensalt_rn("$6$", 0, NULL, 0, setting, sizeof(setting)) == NULL)
		return errno != 0 ? -errno : -EINVAL;
	cd = calloc(1, sizeof(*cd));
	if (cd == NULL)
		return -ENOMEM;
	errno = 0;
	h = crypt_r(password, setting, cd);
	if (h == NULL || h[0] == '*')
		rc = errno != 0 ? -errno : -EINVAL;
	else if (strlen(h) >= outlen)
		rc = -ENOSPC;
	else
		memcpy(out, h, strlen(h) + 1);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}
