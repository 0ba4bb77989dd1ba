/*
 * fsutil.h - files the crash-safe way.
 *
 * Every output tte writes is entered like a maildir message: written to a
 * dot-named temporary file in the destination directory, flushed, fsynced,
 * closed (checked), renamed into place, and the directory fsynced. Readers
 * (and tte's own inbox scan) skip dot-files; leftovers of a killed run are
 * removed by the next run (fs_clean_temps), which holds the lock.
 *
 * All functions report their own errors through log_error() and return
 * 0 on success, -1 on failure, unless said otherwise.
 */
#ifndef TTE_FSUTIL_H
#define TTE_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* An output file being written. */
struct afile {
	int fd;
	char *tmp;		/* dot-named temporary path */
	char *final;		/* destination path */
};

/* Start writing FINAL: creates "<dir>/.<name>.tmp-<pid>" with O_EXCL. */
int afile_open(struct afile *af, const char *final);

/* Write all of BUF. */
int afile_write(struct afile *af, const void *buf, size_t len);

/* fsync, close, rename to the final name, fsync the directory. The afile
 * is released either way. */
int afile_commit(struct afile *af);

/* afile_commit without the directory fsync, for a caller that commits many
 * files into one directory and then calls fs_sync_dir once, before it
 * records them anywhere. */
int afile_commit_nodirsync(struct afile *af);

/* Close and remove the temporary file; safe on a released afile. */
void afile_abort(struct afile *af);

/*
 * Names tte derives from a name it was given (moves, temporaries, ".why"
 * files, verification results) must fit NAME_MAX whatever that name's
 * length. A derived base name is at most FS_NAME_ROOM bytes, which leaves
 * room for a ".N" before the extension, a ".why" after it, and the
 * ".NAME.tmp-PID" of its temporary file.
 */
#define FS_NAME_ROOM 200
#define FS_EXT_MAX 16

/* NAME itself when it is at most MAX bytes (MAX >= 32), else its first
 * bytes (whole UTF-8 characters), "~", 12 hex digits of its SHA-256 and
 * its extension (when at most FS_EXT_MAX bytes): at most MAX bytes, and
 * two long names differ when they did. New string. */
char *fs_fit_name(const char *name, size_t max);

/* The temporary name for FINAL (its base name shortened by fs_fit_name),
 * for libraries that write a file by path
 * themselves (libxlsxwriter, cairo, libarchive). Newly allocated. */
char *fs_temp_name(const char *final);

/* Finish such a file: fsync TMP, rename it to FINAL, fsync the directory.
 * On failure TMP is removed. */
int fs_commit_path(const char *tmp, const char *final);

/* Write BUF to PATH atomically (afile_open + write + commit). */
int fs_write_atomic(const char *path, const void *buf, size_t len);

/* fsync a directory. */
int fs_sync_dir(const char *dir);

/* mkdir -p with MODE (before umask). */
int fs_mkdir_p(const char *path, mode_t mode);

/*
 * Move SRC into directory DSTDIR under its own base name (shortened to
 * FS_NAME_ROOM by fs_fit_name), or with ".1", ".2"... inserted before the
 * extension when that name is taken. Never
 * replaces a file, whatever the count: each name is tried with
 * renameat2(RENAME_NOREPLACE), or where the file system lacks that, with
 * link + unlink (and where it lacks hard links too, rename after checking
 * the name is free: the run lock keeps other tte processes out). Does not
 * follow a symlink at SRC (the link itself moves). Both directories are
 * fsynced. *DST gets the new path (g_free) when DST is not NULL.
 *
 * Across file systems (EXDEV: an inbox on a Samba or NFS mount) SRC is
 * copied to a temporary file in DSTDIR, fsynced, renamed within DSTDIR
 * as above, and only then removed; a crash in between leaves both copies,
 * never none. Regular files and symlinks only.
 *
 * A SRC that is gone returns -1 with errno ENOENT and is not logged (the
 * caller says what that means); any other failure is logged.
 */
int fs_move_into(const char *src, const char *dstdir, char **dst);

/* Write BUF as a new file in DIR named NAME (which must leave room for a
 * ".N": fs_fit_name a name from outside first), or the first free
 * numbered name as fs_move_into takes it: never replaces a file. Temp + fsync + rename + directory fsync. *DST (may be
 * NULL) gets the path written. */
int fs_write_new(const char *dir, const char *name, const void *buf, size_t len, char **dst);

/* Remove leftover temporaries (".*.tmp-*") in DIR. Returns how many. */
int fs_clean_temps(const char *dir);

/*
 * NAME (a file name, or any text from outside) fit for display: in the
 * workbook, JSON, notices, on stderr and in the log. The result is valid
 * UTF-8 on one line: a byte that is not UTF-8 becomes "\xNN" (its hex
 * value), a line break or other control character "\n", "\r", "\xNN"
 * (C0, DEL) or "\uNNNN" (C1, U+2028/9), and a bidi or invisible
 * character (rules_char_hazard) "\uNNNN". Everything else, backslashes
 * included, is kept as it is. New string.
 */
char *fs_display_name(const char *name);

/* SHA-256 of everything readable from FD (from offset 0, by pread), as 64
 * lower-case hex digits into HEX. */
int fs_sha256_fd(int fd, char hex[65]);

/* N bytes as 2N lower-case hex digits and a NUL into HEX. */
void fs_hex(const unsigned char *bytes, size_t n, char *hex);

/* SHA-256 of a buffer as hex. */
void fs_sha256_hex(const void *buf, size_t len, char hex[65]);

/* Remove a file and fsync its directory; ENOENT is success. */
int fs_unlink(const char *path);

#endif
