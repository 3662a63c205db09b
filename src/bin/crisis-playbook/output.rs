//! Everything a command writes as its result goes through [`Output`], so that write errors are
//! handled once, the same way for every command: a closed pipe ends the command quietly with
//! [`CLOSED_PIPE`] (the reader has what it wanted, as with `| head`), and any other failure is
//! reported on standard error with [`INPUT`].

use std::fmt::Display;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use crate::{CLOSED_PIPE, INPUT};

/// Where a result goes: standard output, or a file; buffered, so that a long timeline costs
/// few system calls.
pub struct Output {
    /// How error messages name it.
    name: String,
    writer: BufWriter<Box<dyn Write>>,
}

impl Output {
    /// Standard output.
    pub fn stdout() -> Output {
        Output {
            name: "standard output".to_string(),
            writer: BufWriter::new(Box::new(io::stdout().lock())),
        }
    }

    /// Standard error, for a result for people when standard output carries one for machines.
    pub fn stderr() -> Output {
        Output {
            name: "standard error".to_string(),
            writer: BufWriter::new(Box::new(io::stderr().lock())),
        }
    }

    /// The file at `path`, created or truncated; `-` is standard output.
    pub fn create(path: &Path) -> Result<Output, ExitCode> {
        if path == Path::new("-") {
            return Ok(Output::stdout());
        }
        let file = std::fs::File::create(path).map_err(|e| {
            say!(
                "error: {}: cannot create: {e}: check the folder exists and is writable",
                path.display()
            );
            ExitCode::from(INPUT)
        })?;
        Ok(Output {
            name: path.display().to_string(),
            writer: BufWriter::new(Box::new(file)),
        })
    }

    /// Writes `text` as it is.
    pub fn text(&mut self, text: &str) -> Result<(), ExitCode> {
        self.writer
            .write_all(text.as_bytes())
            .map_err(|e| self.failed(&e))
    }

    /// Writes `line` and a line end.
    pub fn line(&mut self, line: impl Display) -> Result<(), ExitCode> {
        writeln!(self.writer, "{line}").map_err(|e| self.failed(&e))
    }

    /// Writes `value` as pretty JSON and a line end.
    pub fn json(&mut self, value: &impl serde::Serialize) -> Result<(), ExitCode> {
        serde_json::to_writer_pretty(&mut self.writer, value)
            .map_err(io::Error::from)
            .and_then(|()| self.writer.write_all(b"\n"))
            .map_err(|e| self.failed(&e))
    }

    /// Writes out what is buffered: a result is complete only once this succeeds (dropping an
    /// `Output` would flush too, but ignore the error).
    pub fn finish(mut self) -> Result<(), ExitCode> {
        self.writer.flush().map_err(|e| self.failed(&e))
    }

    fn failed(&self, error: &io::Error) -> ExitCode {
        if error.kind() == io::ErrorKind::BrokenPipe {
            return ExitCode::from(CLOSED_PIPE);
        }
        say!("error: cannot write to {}: {error}", self.name);
        ExitCode::from(INPUT)
    }
}
