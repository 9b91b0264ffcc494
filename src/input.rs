//! Opening files: a FIFO, socket or device given where a file is expected (a spec, a
//! snapshot, a credentials file, a host file) is refused instead of read, so nothing blocks
//! or streams forever.

use std::fs;
use std::io;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// What a file that is not a regular file is, for messages.
pub(crate) fn file_kind(kind: fs::FileType) -> &'static str {
    if kind.is_dir() {
        "directory"
    } else if kind.is_fifo() {
        "FIFO"
    } else if kind.is_socket() {
        "socket"
    } else if kind.is_char_device() {
        "character device"
    } else if kind.is_block_device() {
        "block device"
    } else {
        "special file"
    }
}

/// Opens a file named on the command line or in a config (a spec, a snapshot, credentials)
/// for reading, refusing anything but a regular file *before* opening it, so that a FIFO or
/// a device never blocks or streams forever; the open itself does not block either.
pub(crate) fn open_regular(path: &Path) -> io::Result<fs::File> {
    let refuse = |kind: fs::FileType| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("it is a {}, not a regular file", file_kind(kind)),
        )
    };
    let kind = fs::metadata(path)?.file_type();
    if !kind.is_file() {
        return Err(refuse(kind));
    }
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    // Checked again on what was opened: the name may point elsewhere by now.
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        return Err(refuse(kind));
    }
    Ok(file)
}

/// Reads a regular file ([`open_regular`]) of at most `max` bytes; a larger one is an error
/// (`larger than N bytes`), found while reading rather than after.
pub(crate) fn read_regular(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    io::Read::read_to_end(
        &mut io::Read::take(open_regular(path)?, max + 1),
        &mut bytes,
    )?;
    if bytes.len() as u64 > max {
        return Err(io::Error::other(format!("larger than {max} bytes")));
    }
    Ok(bytes)
}
