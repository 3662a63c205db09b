//! Finding playbooks and scenario files among paths given by a person, and reading files
//! within bounds.
//!
//! Playbooks and scenario files share folders (`playbooks/<id>.yaml` beside
//! `playbooks/<id>/…`), so a file is classified by its top-level keys, not by its name.
//!
//! Every file the crate reads goes through this module, which bounds it: a file read whole is
//! refused past a byte limit (a playbook's [`Limits::max_bytes`](crate::Limits)), a file read as
//! lines (traces, timelines) is refused at a line longer than [`MAX_LINE_BYTES`], and a FIFO,
//! socket or device, which could block or never end, is refused when named and skipped inside
//! a folder. Folders are walked without following a link back into a folder being walked, and
//! a file reached twice through links is listed once.
//!
//! ```
//! use crisis_playbook::files::{FileKind, select};
//!
//! let playbooks = select(&["playbooks".into()], FileKind::Playbook)?;
//! assert!(playbooks.iter().any(|p| p.ends_with("negative-comment-storm.yaml")));
//! let scenarios = select(&["playbooks".into()], FileKind::Scenario)?;
//! assert!(scenarios.iter().any(|p| p.ends_with("false-alarm.yaml")));
//! # Ok::<(), crisis_playbook::files::FileError>(())
//! ```

use std::collections::BTreeSet;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// What a YAML file holds, judged by its top-level keys.
///
/// ```
/// use crisis_playbook::files::{FileKind, kind_of};
/// assert_eq!(kind_of("playbook: storm\nversion: 1\n"), FileKind::Playbook);
/// assert_eq!(kind_of("scenario: quiet\nplaybook: storm.yaml\n"), FileKind::Scenario);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A top-level `playbook:` key.
    Playbook,
    /// A top-level `scenario:` or `scenarios:` key; or a `playbook:` key beside keys only
    /// scenarios have (`expect:`, `start:`…) and no `states:`.
    Scenario,
    /// Neither.
    Other,
}

/// Classifies a file's text.
///
/// ```
/// use crisis_playbook::files::{FileKind, kind_of};
/// assert_eq!(kind_of("playbook: x\n"), FileKind::Playbook);
/// assert_eq!(kind_of("scenario: y\nplaybook: x.yaml\n"), FileKind::Scenario);
/// // A scenario without its name is still a scenario, so that `test` says what it lacks.
/// assert_eq!(kind_of("playbook: x.yaml\nstart: 2026-03-02T00:00:00Z\nexpect: []\n"), FileKind::Scenario);
/// ```
pub fn kind_of(text: &str) -> FileKind {
    let has = |key: &str| {
        text.lines().any(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.starts_with(':'))
        })
    };
    // Scenario files name their playbook with a `playbook:` key too, so look for them first.
    // One that lost its `scenario:` line is still a scenario, and its loader says what is
    // missing: every playbook has `states:`, and these keys are a scenario's alone.
    const SCENARIO_ONLY: [&str; 8] = [
        "expect", "start", "step", "until", "inputs", "events", "with", "timeline",
    ];
    let nameless = has("playbook") && !has("states") && SCENARIO_ONLY.iter().any(|key| has(key));
    if has("scenario") || has("scenarios") || nameless {
        FileKind::Scenario
    } else if has("playbook") {
        FileKind::Playbook
    } else {
        FileKind::Other
    }
}

/// The longest line of a trace or a timeline, in bytes: 1 MiB, a thousand times a real record.
///
/// ```
/// use crisis_playbook::files::{MAX_LINE_BYTES, lines};
/// let long = vec![b'a'; MAX_LINE_BYTES + 1];
/// let error = lines(&long[..]).next().unwrap().unwrap_err();
/// assert!(error.to_string().starts_with("line 1 is longer than the limit of 1048576 bytes"));
/// ```
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// A file that could not be found or read, with its path.
///
/// ```
/// use crisis_playbook::files::{FileProblem, read_text};
/// let error = read_text("no/such.yaml".as_ref(), 1024).unwrap_err();
/// assert!(matches!(error.problem, FileProblem::Open(_)));
/// assert!(error.to_string().starts_with("no/such.yaml: cannot open: "));
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", path.display())]
#[non_exhaustive]
pub struct FileError {
    /// The path, as given.
    pub path: PathBuf,
    /// What is wrong with it.
    pub problem: FileProblem,
}

/// What is wrong with a file.
///
/// ```
/// use crisis_playbook::files::{FileProblem, read_text};
/// let error = read_text("playbooks/negative-comment-storm.yaml".as_ref(), 100).unwrap_err();
/// assert!(matches!(error.problem, FileProblem::TooLarge { limit: 100 }));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileProblem {
    /// Nothing at that path.
    #[error("no such file or folder")]
    Missing,
    /// A folder, FIFO, socket or device where a file is expected: reading it could block
    /// forever or never end.
    #[error("is a {0}, not a regular file: give a regular file, or `-` to read standard input")]
    Special(&'static str),
    /// The file could not be opened.
    #[error("cannot open: {0}")]
    Open(io::Error),
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Read(io::Error),
    /// The file is longer than the limit, which was read and no further.
    #[error(
        "the file is larger than the limit of {limit} bytes (Limits::max_bytes): check that it \
         is the right file, or raise the limit"
    )]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The file is not UTF-8 text.
    #[error("the file is not valid UTF-8: save it as UTF-8")]
    NotUtf8 {
        /// The line of the first invalid byte, from 1.
        line: usize,
        /// Its column, in bytes from 1.
        column: usize,
    },
}

impl FileError {
    fn new(path: &Path, problem: FileProblem) -> Self {
        FileError {
            path: path.to_path_buf(),
            problem,
        }
    }
}

/// A line longer than [`MAX_LINE_BYTES`], inside the [`io::Error`] that [`LineLimit`] returns.
///
/// ```
/// use crisis_playbook::files::{LineTooLong, MAX_LINE_BYTES, lines};
/// let text = [&b"short\n"[..], &vec![b'a'; MAX_LINE_BYTES + 1]].concat();
/// let error = lines(&text[..]).nth(1).unwrap().unwrap_err();
/// let inner = error.get_ref().and_then(|e| e.downcast_ref::<LineTooLong>()).unwrap();
/// assert_eq!((inner.line, inner.limit), (2, MAX_LINE_BYTES));
/// ```
#[derive(Debug, thiserror::Error)]
#[error(
    "line {line} is longer than the limit of {limit} bytes (files::MAX_LINE_BYTES): check that it \
     is the right file; a record must fit on one line"
)]
#[non_exhaustive]
pub struct LineTooLong {
    /// The line, from 1.
    pub line: usize,
    /// The limit, in bytes.
    pub limit: usize,
}

/// A line that is not valid UTF-8, inside the [`io::Error`] that [`Lines`] returns. The lines
/// after it can still be read.
///
/// ```
/// use crisis_playbook::files::{LineNotUtf8, lines};
/// let mut found = lines(&b"first\n\xff\nthird\n"[..]);
/// found.next();
/// let error = found.next().unwrap().unwrap_err();
/// let inner = error.get_ref().and_then(|e| e.downcast_ref::<LineNotUtf8>()).unwrap();
/// assert_eq!(inner.line, 2);
/// assert_eq!(found.next().unwrap()?, (3, "third".to_string()));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[error("line {line} is not valid UTF-8: save the file as UTF-8")]
#[non_exhaustive]
pub struct LineNotUtf8 {
    /// The line, from 1.
    pub line: usize,
}

/// Whether `path` stands for standard input: `-`, or `/dev/stdin`.
///
/// ```
/// use crisis_playbook::files::is_stdin;
/// assert!(is_stdin("-".as_ref()) && is_stdin("/dev/stdin".as_ref()));
/// assert!(!is_stdin("playbooks/tone-deaf-post.yaml".as_ref()));
/// ```
pub fn is_stdin(path: &Path) -> bool {
    path == Path::new("-") || path == Path::new("/dev/stdin")
}

/// What kind of special file a file type is, if it is not a regular file.
fn special(file_type: std::fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("FIFO");
        }
        if file_type.is_socket() {
            return Some("socket");
        }
        if file_type.is_char_device() {
            return Some("character device");
        }
        if file_type.is_block_device() {
            return Some("block device");
        }
    }
    Some("special file")
}

/// Opens a file to read, refusing anything but a regular file (a FIFO would block, a device
/// never end); `-` and `/dev/stdin` open standard input, which callers bound like any file.
///
/// ```
/// use crisis_playbook::files::open;
/// use std::io::Read;
/// let mut text = String::new();
/// open("playbooks/tone-deaf-post.yaml".as_ref())?.read_to_string(&mut text)?;
/// assert!(text.contains("playbook: tone-deaf-post"));
/// let error = open("playbooks".as_ref()).err().unwrap();
/// assert_eq!(error.to_string(), "playbooks: is a folder, not a regular file: give a regular file, or `-` to read standard input");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn open(path: &Path) -> Result<Box<dyn Read + Send>, FileError> {
    if is_stdin(path) {
        return Ok(Box::new(io::stdin()));
    }
    // Checked before opening, since opening a FIFO blocks until someone writes to it.
    let metadata =
        std::fs::metadata(path).map_err(|e| FileError::new(path, FileProblem::Open(e)))?;
    if let Some(kind) = special(metadata.file_type()) {
        return Err(FileError::new(path, FileProblem::Special(kind)));
    }
    let file = std::fs::File::open(path).map_err(|e| FileError::new(path, FileProblem::Open(e)))?;
    Ok(Box::new(file))
}

/// Reads at most `max_bytes` of a reader, refusing it when it holds more: the one place where
/// the crate reads something whole.
pub(crate) fn read_limited(reader: impl Read, max_bytes: usize) -> Result<Vec<u8>, FileProblem> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(max_bytes).unwrap_or(u64::MAX);
    // One byte more than allowed tells a file at the limit from one over it.
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(FileProblem::Read)?;
    if bytes.len() > max_bytes {
        return Err(FileProblem::TooLarge { limit: max_bytes });
    }
    Ok(bytes)
}

/// Bytes as UTF-8 text, or where the first invalid byte is.
pub(crate) fn utf8(bytes: Vec<u8>) -> Result<String, FileProblem> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let before = e.as_bytes().get(..offset).unwrap_or_default();
        let line = before
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            .saturating_add(1);
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |p| p.saturating_add(1));
        let column = offset.saturating_sub(line_start).saturating_add(1);
        FileProblem::NotUtf8 { line, column }
    })
}

/// Reads a file of at most `max_bytes` bytes.
fn read_bytes(path: &Path, max_bytes: usize) -> Result<Vec<u8>, FileError> {
    read_limited(open(path)?, max_bytes).map_err(|problem| FileError::new(path, problem))
}

/// Reads a UTF-8 text file of at most `max_bytes` bytes, never reading further; `-` reads
/// standard input.
///
/// ```
/// use crisis_playbook::files::read_text;
/// let text = read_text("playbooks/tone-deaf-post.yaml".as_ref(), 1 << 20)?;
/// assert!(text.starts_with("# yaml-language-server"));
/// let error = read_text("playbooks/tone-deaf-post.yaml".as_ref(), 10).unwrap_err();
/// assert_eq!(error.to_string(), "playbooks/tone-deaf-post.yaml: the file is larger than the limit of 10 bytes (Limits::max_bytes): check that it is the right file, or raise the limit");
/// # Ok::<(), crisis_playbook::files::FileError>(())
/// ```
pub fn read_text(path: &Path, max_bytes: usize) -> Result<String, FileError> {
    utf8(read_bytes(path, max_bytes)?).map_err(|problem| FileError::new(path, problem))
}

/// A reader that fails with [`LineTooLong`] at the first line longer than [`MAX_LINE_BYTES`],
/// so that whatever reads lines or records from it (a trace, a timeline, a CSV file) holds one
/// bounded line at a time. After that error it reads as ended.
///
/// ```
/// use crisis_playbook::files::LineLimit;
/// use std::io::Read;
/// let mut endless = LineLimit::new(std::io::repeat(b'a'));
/// let error = endless.read_to_end(&mut Vec::new()).unwrap_err();
/// assert!(error.to_string().starts_with("line 1 is longer than the limit"));
/// assert_eq!(endless.read(&mut [0; 8])?, 0);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct LineLimit<R> {
    inner: R,
    /// The current line, from 1.
    line: usize,
    /// Its bytes so far.
    length: usize,
    failed: bool,
}

impl<R: Read> LineLimit<R> {
    /// Wraps `inner`.
    ///
    /// ```
    /// use crisis_playbook::files::LineLimit;
    /// use std::io::Read;
    /// let mut text = String::new();
    /// LineLimit::new(&b"a\nb\n"[..]).read_to_string(&mut text)?;
    /// assert_eq!(text, "a\nb\n");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(inner: R) -> Self {
        LineLimit {
            inner,
            line: 1,
            length: 0,
            failed: false,
        }
    }
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.failed {
            return Ok(0);
        }
        let read = self.inner.read(buf)?;
        let mut pieces = buf.get(..read).unwrap_or_default().split(|b| *b == b'\n');
        // The first piece continues the current line; each later one starts a new line.
        let mut piece = pieces.next();
        while let Some(bytes) = piece {
            self.length = self.length.saturating_add(bytes.len());
            if self.length > MAX_LINE_BYTES {
                self.failed = true;
                let too_long = LineTooLong {
                    line: self.line,
                    limit: MAX_LINE_BYTES,
                };
                return Err(io::Error::new(io::ErrorKind::InvalidData, too_long));
            }
            piece = pieces.next();
            if piece.is_some() {
                self.line = self.line.saturating_add(1);
                self.length = 0;
            }
        }
        Ok(read)
    }
}

/// The lines of a reader without their line ends, numbered from 1, each at most
/// [`MAX_LINE_BYTES`] long; a longer line ends them with a [`LineTooLong`] error.
///
/// ```
/// use crisis_playbook::files::lines;
/// let found: Vec<(usize, String)> = lines(&b"first\r\n\nthird"[..]).collect::<Result<_, _>>()?;
/// assert_eq!(found, [(1, "first".into()), (2, "".into()), (3, "third".into())]);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn lines<R: Read>(reader: R) -> Lines<R> {
    Lines {
        inner: BufReader::new(LineLimit::new(reader)).lines(),
        number: 0,
    }
}

/// The bounded, numbered lines of a reader, from [`lines`].
///
/// ```
/// use crisis_playbook::files::lines;
/// let mut found = lines(&b"a\nb\n"[..]);
/// assert_eq!(found.next().unwrap()?, (1, "a".to_string()));
/// assert_eq!(found.count(), 1);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Lines<R> {
    inner: io::Lines<BufReader<LineLimit<R>>>,
    number: usize,
}

impl<R: Read> Iterator for Lines<R> {
    type Item = io::Result<(usize, String)>;

    fn next(&mut self) -> Option<Self::Item> {
        let line = self.inner.next()?;
        self.number = self.number.saturating_add(1);
        Some(match line {
            Ok(text) => Ok((self.number, text)),
            // `BufRead::lines` says only "stream did not contain valid UTF-8": name the line.
            Err(e)
                if e.kind() == io::ErrorKind::InvalidData
                    && e.get_ref().is_none_or(|inner| !inner.is::<LineTooLong>()) =>
            {
                Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    LineNotUtf8 { line: self.number },
                ))
            }
            Err(e) => Err(e),
        })
    }
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// The regular files under `folder`, at most `depth` folders down (1: its own files only),
/// depth first in name order, skipping hidden entries, FIFOs, sockets and devices. Links are
/// followed, except one back into a folder being walked (`ln -s . again` would otherwise repeat
/// the folder until paths grow too long); a file reached through several links is listed once,
/// by the first path in name order.
///
/// ```
/// use crisis_playbook::files::walk;
/// let files = walk("playbooks/tone-deaf-post".as_ref(), 1)?;
/// assert!(files.iter().any(|f| f.ends_with("scenarios.yaml")));
/// # Ok::<(), crisis_playbook::files::FileError>(())
/// ```
pub fn walk(folder: &Path, depth: usize) -> Result<Vec<PathBuf>, FileError> {
    let entries = walkdir::WalkDir::new(folder)
        .follow_links(true)
        .max_depth(depth)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.')
        });
    let mut seen = BTreeSet::new();
    let mut found = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            // A link back into a folder being walked, or to nothing: there is nothing new
            // behind it.
            Err(e)
                if e.loop_ancestor().is_some()
                    || (e.depth() > 0
                        && e.io_error()
                            .is_some_and(|e| e.kind() == io::ErrorKind::NotFound)) =>
            {
                continue;
            }
            Err(e) => {
                let path = e.path().unwrap_or(folder).to_path_buf();
                let problem = FileProblem::Read(e.into());
                return Err(FileError { path, problem });
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let identity = std::fs::canonicalize(entry.path()).unwrap_or_else(|_| entry.path().into());
        if seen.insert(identity) {
            found.push(entry.into_path());
        }
    }
    Ok(found)
}

/// What a file found in a folder holds, if it is of a `wanted` kind. A file too large to read is
/// kept, as [`FileKind::Other`], so that its loader says why it is refused; one that cannot be
/// read is passed over.
fn found_kind(file: &Path, wanted: &[FileKind]) -> Option<FileKind> {
    match read_bytes(file, crate::Limits::default().max_bytes) {
        Ok(bytes) => Some(kind_of(&String::from_utf8_lossy(&bytes))).filter(|k| wanted.contains(k)),
        Err(e) => matches!(e.problem, FileProblem::TooLarge { .. }).then_some(FileKind::Other),
    }
}

/// The files to treat as `wanted`: those named directly that are not the other kind, and the
/// YAML files of that kind inside the folders named, in name order. A path that does not exist,
/// or that names a FIFO, socket or device, is an error; `-` (standard input) is taken as it is.
///
/// ```
/// use crisis_playbook::files::{FileKind, select};
/// let found = select(&["playbooks".into()], FileKind::Playbook)?;
/// assert_eq!(found.len(), 10);
/// let scenarios = select(&["playbooks/tone-deaf-post".into()], FileKind::Scenario)?;
/// assert_eq!(scenarios, [std::path::PathBuf::from("playbooks/tone-deaf-post/scenarios.yaml")]);
/// let error = select(&["no/such/folder".into()], FileKind::Playbook).unwrap_err();
/// assert_eq!(error.to_string(), "no/such/folder: no such file or folder");
/// # Ok::<(), crisis_playbook::files::FileError>(())
/// ```
pub fn select(paths: &[PathBuf], wanted: FileKind) -> Result<Vec<PathBuf>, FileError> {
    let found = select_kinds(paths, &[wanted])?;
    Ok(found.into_iter().map(|(path, _)| path).collect())
}

/// Like [`select`], for several kinds at once, with what each file holds: a file named directly
/// is kept unless it is of a kind not wanted. Standard input, which cannot be read twice, and a
/// file too large to classify are [`FileKind::Other`].
///
/// ```
/// use crisis_playbook::files::{FileKind, select_kinds};
/// use std::path::PathBuf;
/// let both = [FileKind::Playbook, FileKind::Scenario];
/// let found = select_kinds(&["playbooks/tone-deaf-post".into(), "-".into()], &both)?;
/// assert_eq!(found, [
///     (PathBuf::from("playbooks/tone-deaf-post/scenarios.yaml"), FileKind::Scenario),
///     (PathBuf::from("-"), FileKind::Other),
/// ]);
/// # Ok::<(), crisis_playbook::files::FileError>(())
/// ```
pub fn select_kinds(
    paths: &[PathBuf],
    wanted: &[FileKind],
) -> Result<Vec<(PathBuf, FileKind)>, FileError> {
    let mut selected = Vec::new();
    for path in paths {
        // Reading standard input to classify it would leave nothing for its loader.
        if is_stdin(path) {
            selected.push((path.clone(), FileKind::Other));
            continue;
        }
        let metadata = std::fs::metadata(path).map_err(|e| {
            let problem = if e.kind() == io::ErrorKind::NotFound {
                FileProblem::Missing
            } else {
                FileProblem::Open(e)
            };
            FileError::new(path, problem)
        })?;
        if metadata.is_dir() {
            let found = walk(path, usize::MAX)?;
            selected.extend(
                found
                    .into_iter()
                    .filter(|f| is_yaml(f))
                    .filter_map(|f| found_kind(&f, wanted).map(|kind| (f, kind))),
            );
            continue;
        }
        let kind = match read_bytes(path, crate::Limits::default().max_bytes) {
            Ok(bytes) => kind_of(&String::from_utf8_lossy(&bytes)),
            Err(FileError {
                problem: FileProblem::TooLarge { .. },
                ..
            }) => FileKind::Other,
            Err(e) => return Err(e),
        };
        if kind == FileKind::Other || wanted.contains(&kind) {
            selected.push((path.clone(), kind));
        }
    }
    Ok(selected)
}
