//! The host file: one `host:port` line per process, in process order (timely's convention).
//! Blank lines and lines starting with `#` are skipped. Every mistake is reported before any
//! work starts, with the file and line.

use crate::error::{Error, Result};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;

/// One process's address, as the host file writes it, and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Host {
    /// `host:port` as written (a name, an IPv4 address, or `[IPv6]`).
    pub address: String,
    pub line: u64,
}

impl std::fmt::Display for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.address)
    }
}

impl Host {
    /// The socket addresses the name resolves to.
    pub fn resolve(&self) -> std::io::Result<Vec<SocketAddr>> {
        Ok(self.address.to_socket_addrs()?.collect())
    }
}

/// Read the host file at `path`, which must name `processes` processes.
pub fn read_hostfile(path: &Path, processes: usize) -> Result<Vec<Host>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_hosts(path, &text, processes)
}

/// The hosts in `text` (the host file `path`), checked: each line a `host:port`, no address
/// twice, one line per process.
pub fn parse_hosts(path: &Path, text: &str, processes: usize) -> Result<Vec<Host>> {
    let mut hosts: Vec<Host> = Vec::new();
    // A byte-order mark (a Windows editor's) would stay glued to the first host's name.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        let address = line.trim();
        if address.is_empty() || address.starts_with('#') {
            continue;
        }
        let bad = |why: &str| {
            Error::config(format!(
                "{}:{line_no}: {why}: found '{address}' (expected one host:port per line, \
                 e.g. 10.0.0.2:2101)",
                path.display()
            ))
        };
        let Some((host, port)) = address.rsplit_once(':') else {
            return Err(bad("no port"));
        };
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(bad("no host"));
        }
        if host.contains(':') && !(host.starts_with('[') && host.ends_with(']')) {
            return Err(bad("an IPv6 address goes in brackets"));
        }
        match port.parse::<u16>() {
            Ok(p) if p > 0 => {}
            _ => return Err(bad("the port is not a number from 1 to 65535")),
        }
        if let Some(first) = hosts
            .iter()
            .position(|h| h.address.eq_ignore_ascii_case(address))
        {
            return Err(Error::config(format!(
                "{}:{line_no}: {address} is already process {first}'s (line {}): each process \
                 needs a port of its own",
                path.display(),
                hosts[first].line
            )));
        }
        hosts.push(Host {
            address: address.to_string(),
            line: line_no,
        });
    }
    if hosts.len() != processes {
        return Err(Error::config(format!(
            "{} names {} process(es) but --processes is {processes}: write one host:port line \
             per process, in process order",
            path.display(),
            hosts.len()
        )));
    }
    Ok(hosts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, n: usize) -> Result<Vec<Host>> {
        parse_hosts(Path::new("hosts.txt"), text, n)
    }

    #[test]
    fn hosts_are_read_in_order_skipping_blanks_and_comments() {
        let bom = parse("\u{feff}127.0.0.1:2101\n127.0.0.1:2102\n", 2).unwrap();
        assert_eq!(bom[0].address, "127.0.0.1:2101");
        let h = parse("# two hosts\n10.0.0.1:2101\n\n  [::1]:2102  \n", 2).unwrap();
        assert_eq!(h[0].address, "10.0.0.1:2101");
        assert_eq!(h[1].address, "[::1]:2102");
        assert_eq!(h[1].line, 4);
    }

    #[test]
    fn mistakes_name_the_line_and_what_is_expected() {
        let cases = [
            ("a:1\nlocalhost\n", "hosts.txt:2: no port"),
            ("a:1\nb:http\n", "hosts.txt:2: the port is not a number"),
            ("a:1\nb:0\n", "hosts.txt:2: the port is not a number"),
            ("a:1\n:5\n", "hosts.txt:2: no host"),
            (
                "a:1\n::1:5\n",
                "hosts.txt:2: an IPv6 address goes in brackets",
            ),
            (
                "a:1\nA:1\n",
                "hosts.txt:2: A:1 is already process 0's (line 1)",
            ),
        ];
        for (text, want) in cases {
            let e = parse(text, 2).unwrap_err().to_string();
            assert!(e.starts_with(want), "{text:?}: {e}");
        }
        let e = parse("a:1\nb:2\nc:3\n", 2).unwrap_err().to_string();
        assert!(
            e.contains("names 3 process(es) but --processes is 2"),
            "{e}"
        );
    }
}
