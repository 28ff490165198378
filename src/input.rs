//! The bytes of user files: a whole file read (gunzipped when its name ends in `.gz`) or, for a
//! plain file, memory-mapped. Every loader (graphs, layers, seed lists, real cascades) reads
//! through here, so a missing file, a corrupt gzip stream or a non-UTF-8 text is reported the same
//! way everywhere: with the path.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::{Error, Result};

/// Whether `path` names a gzip file (by its extension).
pub(crate) fn is_gzip(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// A read error inside a gzip stream, naming the file.
pub(crate) fn gzip_error(path: &Path, e: std::io::Error) -> Error {
    Error::file(path, format!("corrupt or truncated gzip data: {e}"))
}

pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let size = file.metadata().map(|m| m.len() as usize).unwrap_or(0);
    let mut buf = Vec::with_capacity(size + 1);
    if is_gzip(path) {
        flate2::read::MultiGzDecoder::new(file)
            .read_to_end(&mut buf)
            .map_err(|e| gzip_error(path, e))?;
    } else {
        file.read_to_end(&mut buf).map_err(|e| Error::io(path, e))?;
    }
    Ok(buf)
}

/// A whole file as UTF-8 text (gunzipped for `.gz`).
pub(crate) fn read_text(path: &Path) -> Result<String> {
    String::from_utf8(read_bytes(path)?).map_err(|_| Error::file(path, "not UTF-8 text"))
}

/// A whole file's bytes: memory-mapped for a plain file (no copy), decompressed for `.gz`.
pub(crate) enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

pub(crate) fn map_or_read(path: &Path) -> Result<Bytes> {
    if !is_gzip(path) {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        if len > 0 {
            // SAFETY: the map is read-only and lives only while we parse; if another process
            // truncates the file meanwhile, reads past the new end fault (SIGBUS). hongbao accepts
            // that risk for files it only reads, as ripgrep does.
            if let Ok(m) = unsafe { memmap2::Mmap::map(&file) } {
                return Ok(Bytes::Mapped(m));
            }
        }
    }
    read_bytes(path).map(Bytes::Owned)
}

/// How many quiet sections are running (the reader's own worker threads panic too, so the flag is
/// global, not per thread).
static QUIET: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Runs `f`, turning a panic inside it into `Err(message)` without printing it: for third-party
/// readers (polars' Parquet decoder) that panic on corrupt files instead of returning an error.
pub(crate) fn catch_quietly<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                previous(info);
            }
        }));
    });
    QUIET.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    r.map_err(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "the reader failed".into())
    })
}

/// Reads a Parquet file into a frame; a file the decoder cannot read (even one that makes it
/// panic) is an error naming the file.
pub(crate) fn read_parquet(path: &Path) -> Result<polars::prelude::DataFrame> {
    use polars::prelude::{ParquetReader, SerReader};
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = ParquetReader::new(file);
    // A damaged footer can claim any number of rows, and the decoder allocates for them before
    // it looks (an abort, not a panic): check the claim against memory first.
    // A panic or an error of the decoder: the file is not readable.
    fn readable<T>(
        path: &Path,
        r: std::result::Result<polars::prelude::PolarsResult<T>, String>,
    ) -> Result<T> {
        r.and_then(|x| x.map_err(|e| e.to_string()))
            .map_err(|msg| Error::file(path, format!("not a readable Parquet file: {msg}")))
    }
    let rows = readable(path, catch_quietly(|| reader.num_rows()))? as u64;
    let columns = readable(path, catch_quietly(|| reader.schema().map(|s| s.len())))?.max(1) as u64;
    let need = rows.saturating_mul(columns).saturating_mul(16);
    if let Some(limit) = crate::mem::allowance()
        && need > limit
    {
        return Err(Error::file(
            path,
            format!(
                "claims {rows} rows in {columns} columns, about {} decoded, more than the {} available",
                crate::mem::human(need),
                crate::mem::human(limit)
            ),
        ));
    }
    catch_quietly(|| check_pages(path))
        .map_err(|msg| Error::file(path, format!("not a readable Parquet file: {msg}")))??;
    readable(path, catch_quietly(|| reader.finish()))
}

/// Reads every page header of a Parquet file and refuses counts the decoder would trust for an
/// allocation: a negative count (cast to a size, it asks for 2^61 bytes and aborts the process,
/// which no error handling can catch), more values in a page than in its column, or a page or
/// column that could not fit in memory. The pages themselves are not decoded.
fn check_pages(path: &Path) -> Result<()> {
    use polars_parquet::parquet::page::{CompressedPage, DataPageHeader};
    use polars_parquet::parquet::read::{get_page_iterator, read_metadata};
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let bad = |msg: String| Error::file(path, format!("not a readable Parquet file: {msg}"));
    let meta =
        read_metadata(&mut std::io::Cursor::new(&bytes[..])).map_err(|e| bad(e.to_string()))?;
    let limit = crate::mem::allowance().unwrap_or(u64::MAX);
    let fits = |values: u64| values.saturating_mul(16) <= limit;
    let buffer = polars_buffer::Buffer::from(bytes);
    for rg in &meta.row_groups {
        for col in rg.parquet_columns() {
            let total = col.num_values();
            if total < 0 || !fits(total as u64) {
                return Err(bad(format!("a column claims {total} values")));
            }
            let max_page = usize::try_from(limit).unwrap_or(usize::MAX).min(1 << 31);
            let pages = get_page_iterator(
                col,
                std::io::Cursor::new(buffer.clone()),
                Vec::new(),
                max_page,
            )
            .map_err(|e| bad(e.to_string()))?;
            for page in pages {
                let page = page.map_err(|e| bad(e.to_string()))?;
                match page {
                    CompressedPage::Data(p) => {
                        let (values, others) = match p.header() {
                            DataPageHeader::V1(h) => (h.num_values, vec![]),
                            DataPageHeader::V2(h) => (
                                h.num_values,
                                vec![
                                    h.num_nulls,
                                    h.num_rows,
                                    h.definition_levels_byte_length,
                                    h.repetition_levels_byte_length,
                                ],
                            ),
                        };
                        if values < 0 || values as i64 > total {
                            return Err(bad(format!(
                                "a page header gives {values} values in a column of {total}"
                            )));
                        }
                        if let Some(c) = others.iter().find(|&&c| c < 0) {
                            return Err(bad(format!("a page header gives a count of {c}")));
                        }
                        if p.uncompressed_size() as u64 > limit {
                            return Err(bad(format!(
                                "a page claims {} bytes uncompressed",
                                p.uncompressed_size()
                            )));
                        }
                    }
                    CompressedPage::Dict(d) => {
                        // Its entry count is only readable decompressed (dictionaries are small).
                        let mut scratch = Vec::new();
                        let page = polars_parquet::parquet::read::decompress(
                            CompressedPage::Dict(d),
                            &mut scratch,
                            &mut polars_parquet::parquet::compression::DecompressionContext::Unset,
                        )
                        .map_err(|e| bad(e.to_string()))?;
                        if let polars_parquet::parquet::page::Page::Dict(d) = page
                            && !fits(d.num_values as u64)
                        {
                            return Err(bad(format!(
                                "a dictionary claims {} entries",
                                d.num_values
                            )));
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// Writes `bytes` gzipped to `path` (for tests).
#[cfg(test)]
pub(crate) fn write_gzip(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    std::fs::write(path, e.finish().unwrap()).unwrap();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_gzip_and_missing_files() {
        let d = tempfile::tempdir().unwrap();
        let plain = d.path().join("a.txt");
        std::fs::write(&plain, b"0 1\n").unwrap();
        assert_eq!(&*map_or_read(&plain).unwrap(), b"0 1\n");
        let gz = d.path().join("a.txt.gz");
        write_gzip(&gz, b"2 3\n");
        assert_eq!(read_text(&gz).unwrap(), "2 3\n");
        assert_eq!(&*map_or_read(&gz).unwrap(), b"2 3\n");
        // A truncated stream and a file that is not gzip at all are named, not a panic.
        let bytes = std::fs::read(&gz).unwrap();
        std::fs::write(&gz, &bytes[..bytes.len() / 2]).unwrap();
        let e = read_bytes(&gz).unwrap_err().to_string();
        assert!(e.contains("a.txt.gz") && e.contains("gzip"), "{e}");
        let e = read_text(&d.path().join("missing.txt"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing.txt"), "{e}");
        std::fs::write(&plain, [0xff, 0xfe]).unwrap();
        assert!(read_text(&plain).unwrap_err().to_string().contains("UTF-8"));
    }
}
