/*
 * fsutil.c - temp file + fsync + rename, directory fsync, moves, hashing.
 *
 * The rename is the commit point: before it the destination shows the old
 * content or nothing, after it the new content, fully on disk. A directory
 * fsync after the rename makes the new name itself durable.
 */
#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <openssl/evp.h>

#include "fsutil.h"
#include "log.h"
#include "rules.h"
#include "testhook.h"
#include "tte.h"

char *fs_fit_name(const char *name, size_t max)
{
	size_t n = strlen(name), ext = 0, stem;
	const char *dot = strrchr(name, '.');
	char hex[65];

	if (n <= max)
		return g_strdup(name);
	/* Keep a short extension: it is what tells a reader the file's type. */
	if (dot && dot != name && strlen(dot) <= FS_EXT_MAX)
		ext = strlen(dot);
	fs_sha256_hex(name, n, hex);
	stem = max - ext - 13;		/* "~" and 12 hex digits */
	while (stem > 0 && ((unsigned char)name[stem] & 0xC0) == 0x80)
		stem--;			/* never half a UTF-8 character */
	return g_strdup_printf("%.*s~%.12s%s", (int)stem, name, hex, ext ? dot : "");
}

char *fs_temp_name(const char *final)
{
	char *dir = g_path_get_dirname(final);
	char *base = g_path_get_basename(final);
	char *fit = fs_fit_name(base, FS_NAME_ROOM);
	char *tmp = g_strdup_printf("%s/.%s.tmp-%ld", dir, fit, (long)getpid());

	g_free(fit);
	g_free(dir);
	g_free(base);
	return tmp;
}

int afile_open(struct afile *af, const char *final)
{
	af->final = g_strdup(final);
	af->tmp = fs_temp_name(final);
	/* A leftover from a killed process with our pid: ours to replace. */
	unlink(af->tmp);
	af->fd = open(af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (af->fd < 0) {
		int e = errno;

		log_error("tidak dapat membuat %s: %s", af->tmp, strerror(e));
		g_free(af->final);
		g_free(af->tmp);
		af->final = af->tmp = NULL;
		return -1;
	}
	return 0;
}

int afile_write(struct afile *af, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(af->fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return log_error("gagal menulis %s: %s", af->final, strerror(errno));
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fs_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return log_error("tidak dapat membuka folder %s: %s", dir, strerror(errno));
	if (fsync(fd) && errno != EINVAL)
		rc = log_error("fsync folder %s: %s", dir, strerror(errno));
	close(fd);
	return rc;
}

static int sync_parent(const char *path)
{
	char *dir = g_path_get_dirname(path);
	int rc = fs_sync_dir(dir);

	g_free(dir);
	return rc;
}

static int commit(struct afile *af, bool sync_dir)
{
	int rc = -1;

	if (fsync(af->fd)) {
		log_error("fsync %s: %s", af->final, strerror(errno));
		close(af->fd);
		goto fail;
	}
	if (close(af->fd)) {
		log_error("close %s: %s", af->final, strerror(errno));
		goto fail;
	}
	af->fd = -1;
	tte_test_point("rename");
	if (rename(af->tmp, af->final)) {
		log_error("rename %s: %s", af->final, strerror(errno));
		goto fail;
	}
	rc = sync_dir ? sync_parent(af->final) : 0;
	g_free(af->tmp);
	g_free(af->final);
	af->tmp = af->final = NULL;
	return rc;
fail:
	af->fd = -1;
	afile_abort(af);
	return rc;
}

int afile_commit(struct afile *af)
{
	return commit(af, true);
}

int afile_commit_nodirsync(struct afile *af)
{
	return commit(af, false);
}

void afile_abort(struct afile *af)
{
	if (af->fd >= 0)
		close(af->fd);
	af->fd = -1;
	if (af->tmp)
		unlink(af->tmp);
	g_free(af->tmp);
	g_free(af->final);
	af->tmp = af->final = NULL;
}

int fs_commit_path(const char *tmp, const char *final)
{
	int fd = open(tmp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		log_error("tidak dapat membuka %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (fsync(fd)) {
		log_error("fsync %s: %s", final, strerror(errno));
		close(fd);
		goto fail;
	}
	if (close(fd)) {
		log_error("close %s: %s", final, strerror(errno));
		goto fail;
	}
	tte_test_point("rename");
	if (rename(tmp, final)) {
		log_error("rename %s: %s", final, strerror(errno));
		goto fail;
	}
	return sync_parent(final);
fail:
	unlink(tmp);
	return -1;
}

int fs_write_atomic(const char *path, const void *buf, size_t len)
{
	struct afile af;

	if (afile_open(&af, path))
		return -1;
	if (afile_write(&af, buf, len)) {
		afile_abort(&af);
		return -1;
	}
	return afile_commit(&af);
}

int fs_mkdir_p(const char *path, mode_t mode)
{
	if (g_mkdir_with_parents(path, (int)mode))
		return log_error("tidak dapat membuat folder %s: %s", path, strerror(errno));
	return 0;
}

/* "name.csv" + n -> "name.n.csv"; names without an extension get ".n". */
static char *numbered(const char *base, unsigned long n)
{
	const char *dot = strrchr(base, '.');

	if (!dot || dot == base)
		return g_strdup_printf("%s.%lu", base, n);
	return g_strdup_printf("%.*s.%lu%s", (int)(dot - base), base, n, dot);
}

/*
 * rename(2) that fails with EEXIST instead of replacing DST. Where the
 * file system has no RENAME_NOREPLACE (EINVAL, or ENOSYS from an old
 * kernel), link(2), which never replaces either, then unlink(2) the old
 * name. Where it has no hard links either (some network and FAT mounts),
 * a plain rename after checking that DST is free: only one tte process
 * runs at a time (the lock), so nothing of ours can take the name in
 * between.
 */
static int rename_noreplace(const char *src, const char *dst)
{
	struct stat st;

	if (!tte_test_value("NO_RENAMEAT2")) {
		if (!renameat2(AT_FDCWD, src, AT_FDCWD, dst, RENAME_NOREPLACE))
			return 0;
		if (errno != EINVAL && errno != ENOSYS)
			return -1;
	}
	if (!link(src, dst)) {
		int e;

		if (!unlink(src))
			return 0;
		e = errno;
		unlink(dst);
		errno = e;
		return -1;
	}
	if (errno != EPERM && errno != EOPNOTSUPP)
		return -1;
	if (!lstat(dst, &st)) {
		errno = EEXIST;
		return -1;
	}
	if (errno != ENOENT)
		return -1;
	return rename(src, dst);
}

/*
 * Rename FROM into DSTDIR as BASE or the first free numbered BASE, never
 * replacing a file; *PATH gets the name taken. -1 with errno on failure
 * (not logged).
 */
static int place(const char *from, const char *dstdir, const char *base, bool exdev,
		 char **path)
{
	for (unsigned long n = 0;; n++) {
		char *name = n ? numbered(base, n) : g_strdup(base);

		g_free(*path);
		*path = g_build_filename(dstdir, name, NULL);
		g_free(name);
		if (exdev) {
			/* TTE_TEST_EXDEV: as if FROM were on another file system. */
			errno = EXDEV;
			return -1;
		}
		if (!rename_noreplace(from, *path))
			return 0;
		if (errno != EEXIST)
			return -1;
	}
}

/*
 * A copy of SRC (a regular file or a symlink, not followed) as a synced
 * temporary file in DSTDIR named after BASE; *TMP gets its path. For a
 * move across file systems. -1 with errno (not logged).
 */
static int copy_to_temp(const char *src, const char *dstdir, const char *base, char **tmp)
{
	char *final = g_build_filename(dstdir, base, NULL);
	char buf[1 << 16];
	struct stat st;
	int in = -1, out = -1, rc = -1, e;
	ssize_t k;

	*tmp = fs_temp_name(final);
	g_free(final);
	unlink(*tmp);
	if (lstat(src, &st))
		goto out;
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t len = readlink(src, target, sizeof(target) - 1);

		if (len < 0)
			goto out;
		target[len] = 0;
		rc = symlink(target, *tmp);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		errno = EXDEV;		/* a device or a pipe: nothing to copy */
		goto out;
	}
	in = open(src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (in < 0)
		goto out;
	out = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (out < 0)
		goto out;
	while ((k = read(in, buf, sizeof(buf))) != 0) {
		const char *p = buf;

		if (k < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		while (k > 0) {
			ssize_t w = write(out, p, (size_t)k);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				goto out;
			}
			p += w;
			k -= w;
		}
	}
	if (fsync(out))
		goto out;
	k = close(out);
	out = -1;
	if (k)
		goto out;
	rc = 0;
out:
	e = errno;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (rc) {
		unlink(*tmp);
		g_free(*tmp);
		*tmp = NULL;
	}
	errno = e;
	return rc;
}

int fs_move_into(const char *src, const char *dstdir, char **dst)
{
	char *whole = g_path_get_basename(src);
	char *base = fs_fit_name(whole, FS_NAME_ROOM);
	const char *fail = tte_test_value("MOVE_FAIL");
	bool exdev = tte_test_value("EXDEV") != NULL;
	char *path = NULL, *tmp = NULL;
	struct stat st;
	int rc = -1;

	if (fail && !strcmp(fail, whole)) {
		log_error("tidak dapat memindahkan %s ke %s: %s (TTE_TEST_MOVE_FAIL)", src, dstdir,
			  strerror(EIO));
		goto out;
	}
	/* The first free name, taken in the same step that checks it. */
	if (!place(src, dstdir, base, exdev, &path))
		goto placed;
	if (errno == ENOENT && lstat(src, &st) && errno == ENOENT)
		goto out;	/* gone: the caller says so */
	if (errno != EXDEV) {
		log_error("tidak dapat memindahkan %s ke %s: %s", src, dstdir, strerror(errno));
		goto out;
	}
	/*
	 * Another file system (an inbox on a network share): copy into DSTDIR,
	 * sync, rename within DSTDIR, and only then remove SRC. A crash in
	 * between leaves both copies, never none; the caller's record (the
	 * file's hash) recognises the repeat.
	 */
	if (copy_to_temp(src, dstdir, base, &tmp)) {
		if (errno == ENOENT && lstat(src, &st) && errno == ENOENT)
			goto out;
		log_error("tidak dapat menyalin %s ke %s: %s", src, dstdir, strerror(errno));
		goto out;
	}
	if (place(tmp, dstdir, base, false, &path)) {
		log_error("tidak dapat memindahkan %s ke %s: %s", src, dstdir, strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (fs_sync_dir(dstdir))
		goto out;
	if (unlink(src) && errno != ENOENT) {
		/* Keep the file in one place: the inbox, as before. */
		log_error("tidak dapat menghapus %s setelah disalin: %s", src, strerror(errno));
		unlink(path);
		fs_sync_dir(dstdir);
		goto out;
	}
	if (sync_parent(src))
		goto out;
	goto moved;
placed:
	if (fs_sync_dir(dstdir) || sync_parent(src))
		goto out;
moved:
	rc = 0;
	if (dst) {
		*dst = path;
		path = NULL;
	}
out:
	if (rc && errno != ENOENT)
		errno = EIO;
	g_free(tmp);
	g_free(whole);
	g_free(base);
	g_free(path);
	return rc;
}

int fs_write_new(const char *dir, const char *name, const void *buf, size_t len, char **dst)
{
	char *final = g_build_filename(dir, name, NULL);
	char *path = NULL;
	struct afile af;
	int rc = -1;

	if (afile_open(&af, final))
		goto out;
	if (afile_write(&af, buf, len))
		goto abort;
	if (fsync(af.fd)) {
		log_error("fsync %s: %s", final, strerror(errno));
		goto abort;
	}
	rc = close(af.fd);
	af.fd = -1;
	if (rc) {
		log_error("close %s: %s", final, strerror(errno));
		goto abort;
	}
	tte_test_point("rename");
	if (place(af.tmp, dir, name, false, &path)) {
		rc = log_error("tidak dapat menulis %s: %s", final, strerror(errno));
		goto abort;
	}
	g_free(af.tmp);		/* renamed: nothing to remove */
	g_free(af.final);
	rc = fs_sync_dir(dir);
	if (!rc && dst) {
		*dst = path;
		path = NULL;
	}
	goto out;
abort:
	rc = -1;
	afile_abort(&af);
out:
	g_free(path);
	g_free(final);
	return rc;
}

int fs_clean_temps(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' && strstr(e->d_name, ".tmp-")) {
			char *p = g_build_filename(dir, e->d_name, NULL);

			if (!unlink(p))
				n++;
			g_free(p);
		}
	}
	closedir(d);
	if (n)
		fs_sync_dir(dir);
	return n;
}

void fs_hex(const unsigned char *md, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * n] = 0;
}

int fs_sha256_fd(int fd, char hex[65])
{
	EVP_MD_CTX *mdctx = EVP_MD_CTX_new();
	unsigned char md[32];
	unsigned int mdlen = 0;
	size_t bufsz = 1 << 20;
	unsigned char *buf = g_malloc(bufsz);
	off_t off = 0;
	int rc = -1;

	if (!mdctx || !EVP_DigestInit_ex(mdctx, EVP_sha256(), NULL))
		goto out;
	for (;;) {
		ssize_t n = pread(fd, buf, bufsz, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("gagal membaca berkas: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(mdctx, buf, (size_t)n);
		off += n;
	}
	if (!EVP_DigestFinal_ex(mdctx, md, &mdlen))
		goto out;
	fs_hex(md, 32, hex);
	rc = 0;
out:
	EVP_MD_CTX_free(mdctx);
	g_free(buf);
	return rc;
}

void fs_sha256_hex(const void *buf, size_t len, char hex[65])
{
	unsigned char md[32];

	EVP_Digest(buf, len, md, NULL, EVP_sha256(), NULL);
	fs_hex(md, 32, hex);
}

int fs_unlink(const char *path)
{
	if (unlink(path) && errno != ENOENT)
		return log_error("tidak dapat menghapus %s: %s", path, strerror(errno));
	return sync_parent(path);
}

char *fs_display_name(const char *name)
{
	const char *p = name ? name : "", *end = p + strlen(p);
	GString *o = g_string_sized_new((gsize)(end - p) + 8);

	while (p < end) {
		gunichar c = g_utf8_get_char_validated(p, end - p);
		const char *next;

		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append_printf(o, "\\x%02X", (unsigned char)*p++);
			continue;
		}
		next = g_utf8_next_char(p);
		if (rules_char_hazard(c) == HAZARD_NONE)
			g_string_append_len(o, p, next - p);
		else if (c == '\n')
			g_string_append(o, "\\n");
		else if (c == '\r')
			g_string_append(o, "\\r");
		else if (c < 0x80)
			g_string_append_printf(o, "\\x%02X", (unsigned)c);
		else
			g_string_append_printf(o, "\\u%04X", (unsigned)c);
		p = next;
	}
	return g_string_free(o, FALSE);
}
