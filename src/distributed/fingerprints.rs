//! What every process must agree on before a run: the same arguments and the same inputs
//! ([`Fingerprint`]).

use super::*;

/// What must be the same on every process of a run, each part a 64-bit digest of its own so
/// that a mismatch names the part (see [`fingerprint`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fingerprint {
    pub arguments: u64,
    pub inputs: u64,
    pub build: u64,
}

/// The part of two fingerprints that differs, the first by the order of the checks: another
/// build explains different arguments, and arguments name the inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mismatch {
    Arguments = 1,
    Inputs = 2,
    Build = 3,
}

impl Mismatch {
    /// The part, in the words of what to change.
    pub fn words(self) -> &'static str {
        match self {
            Mismatch::Build => {
                "another build of coordnet: install the same version on every host (compare \
                 `coordnet --version`)"
            }
            Mismatch::Arguments => {
                "other arguments: give every process the same flags with the same values, in \
                 the same order (--process, --threads, --connect-timeout, --memory-limit, \
                 --temp-dir and --quiet may differ)"
            }
            Mismatch::Inputs => {
                "other inputs: every process needs the same files, under the same names and \
                 with the same sizes"
            }
        }
    }

    /// The mismatch a byte on the wire stands for (`self as u8`).
    pub fn from_byte(b: u8) -> Option<Mismatch> {
        [Mismatch::Arguments, Mismatch::Inputs, Mismatch::Build]
            .into_iter()
            .find(|m| *m as u8 == b)
    }
}

impl Fingerprint {
    /// The part of `other` that differs from this; `None` if nothing.
    pub fn mismatch(&self, other: &Fingerprint) -> Option<Mismatch> {
        match () {
            _ if self.build != other.build => Some(Mismatch::Build),
            _ if self.arguments != other.arguments => Some(Mismatch::Arguments),
            _ if self.inputs != other.inputs => Some(Mismatch::Inputs),
            _ => None,
        }
    }

    /// What in `other` differs from this, in the words of what to change; `None` if nothing.
    pub fn differs(&self, other: &Fingerprint) -> Option<&'static str> {
        self.mismatch(other).map(Mismatch::words)
    }
}

/// This process's fingerprint: the arguments (`args`, less those that may differ: the
/// process's number, its threads and the host's own memory and disk), the inputs as they
/// expand (each file and zip entry's name and size, and samples of its content), and the
/// build (version, target, and the string hash the interners trust from other processes).
pub fn fingerprint(args: &[String], inputs: &[std::path::PathBuf]) -> Result<Fingerprint> {
    use crate::ingest::source;
    let (sources, _) = source::expand_noting(inputs)?;
    let mut files: Vec<Vec<u8>> = Vec::new();
    for s in &sources {
        files.push(s.display_path().to_string_lossy().as_bytes().to_vec());
        // A zip entry by its archive's size and samples: the entries' own are read later.
        let size = std::fs::metadata(&s.path).map_or(u64::MAX, |m| m.len());
        files.push(size.to_le_bytes().to_vec());
        files.push(samples(&s.path, size).unwrap_or_default());
    }
    let probe = crate::dataset::interner::hash_bytes(b"coordnet").to_le_bytes();
    let build: [&[u8]; 3] = [
        env!("CARGO_PKG_VERSION").as_bytes(),
        std::env::consts::ARCH.as_bytes(),
        &probe,
    ];
    Ok(Fingerprint {
        arguments: digest(args.iter().map(|a| a.as_bytes())),
        inputs: digest(files.iter().map(|p| p.as_slice())),
        build: digest(build),
    })
}

/// The first, middle and last MiB of the file at `path` (of `size` bytes; all of it when
/// smaller): copies of one size that differ (another version, an edited copy) are told apart
/// before connecting, without reading whole files. A plain file split by byte ranges is also
/// checked chunk by chunk in full as it is read.
fn samples(path: &std::path::Path, size: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    const MIB: u64 = 1 << 20;
    let mut f = std::fs::File::open(path)?;
    let mut out = Vec::new();
    for start in [
        0,
        (size / 2).saturating_sub(MIB / 2),
        size.saturating_sub(MIB),
    ] {
        f.seek(SeekFrom::Start(start))?;
        (&mut f).take(MIB).read_to_end(&mut out)?;
    }
    Ok(out)
}

/// A stable 64-bit digest of `parts`, the same on every host and build.
fn digest<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> u64 {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    u64::from_le_bytes(h.finalize()[..8].try_into().unwrap())
}
