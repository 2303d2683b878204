//! Which format and layout a file is in, from its header or first line.

use super::*;

/// How one file's records are laid out: its format and, for CSVs, where its columns are.
#[derive(Debug)]
pub(super) enum Layout {
    IoTweets(io_archive::TweetColumns),
    IoUsers(io_archive::UserColumns),
    Ira(ira::Columns),
    Actions(actions::Columns),
    Cnt(cnt::Columns),
    TwarcCsv(twarc_csv::Columns),
    TwitterV2,
    TwitterV1,
    Snscrape,
}

impl Layout {
    /// A CSV layout's header.
    pub(super) fn header(&self) -> Option<&csv_rows::Header> {
        match self {
            Layout::IoTweets(c) => Some(&c.header),
            Layout::IoUsers(c) => Some(&c.header),
            Layout::Ira(c) => Some(&c.header),
            Layout::Actions(c) => Some(&c.header),
            Layout::Cnt(c) => Some(&c.header),
            Layout::TwarcCsv(c) => Some(&c.header),
            Layout::TwitterV2 | Layout::TwitterV1 | Layout::Snscrape => None,
        }
    }

    pub(super) fn format(&self) -> Format {
        match self {
            Layout::IoTweets(_) => Format::IoTweets,
            Layout::IoUsers(_) => Format::IoUsers,
            Layout::Ira(_) => Format::Ira,
            Layout::Actions(_) => Format::Actions,
            Layout::Cnt(_) => Format::Cnt,
            Layout::TwarcCsv(_) => Format::TwarcCsv,
            Layout::TwitterV2 => Format::TwitterV2,
            Layout::TwitterV1 => Format::TwitterV1,
            Layout::Snscrape => Format::Snscrape,
        }
    }

    pub(super) fn parse(&self, chunk: &RawChunk, batch: &mut RecordBatch) {
        match self {
            Layout::IoTweets(c) => csv_rows::parse(chunk, &c.header, batch, |r, b| c.row(r, b)),
            Layout::IoUsers(c) => csv_rows::parse(chunk, &c.header, batch, |r, b| c.row(r, b)),
            Layout::Ira(c) => csv_rows::parse(chunk, &c.header, batch, |r, b| c.row(r, b)),
            Layout::Actions(c) => csv_rows::parse(chunk, &c.header, batch, |r, b| c.row(r, b)),
            Layout::Cnt(c) => csv_rows::parse(chunk, &c.header, batch, |r, b| c.row(r, b)),
            Layout::TwarcCsv(c) => csv_rows::parse(chunk, &c.header, batch, |r, b| c.row(r, b)),
            Layout::TwitterV2 => twitter_json::parse_v2(chunk, batch),
            Layout::TwitterV1 => twitter_json::parse_v1(chunk, batch),
            Layout::Snscrape => twitter_json::parse_snscrape(chunk, batch),
        }
    }
}

/// The layout of the stream `chunker` reads, named `name`; `None` when it is empty.
pub(super) fn recognise_stream(
    chunker: &mut Chunker,
    name: &std::path::Path,
    opts: &IngestOptions,
) -> Result<Option<Layout>> {
    recognise(chunker, name, opts).map_err(|e| match e {
        RecogniseError::Io(e) => read_error(name, e),
        RecogniseError::Unknown { error, .. } | RecogniseError::Other(error) => error,
    })
}

pub(super) enum RecogniseError {
    Io(std::io::Error),
    /// No layout recognised: `reason` says why in a sentence without the file's name.
    Unknown {
        reason: String,
        error: Error,
    },
    Other(Error),
}

impl From<std::io::Error> for RecogniseError {
    fn from(e: std::io::Error) -> RecogniseError {
        RecogniseError::Io(e)
    }
}

impl From<Error> for RecogniseError {
    fn from(e: Error) -> RecogniseError {
        RecogniseError::Other(e)
    }
}

/// The layout of a file from its first line (JSON: its first line of tweets); `None` for an
/// empty file.
pub(super) fn recognise(
    chunker: &mut Chunker,
    name: &std::path::Path,
    opts: &IngestOptions,
) -> std::result::Result<Option<Layout>, RecogniseError> {
    let first = chunker.peek_line()?.to_vec();
    if let Some(what) = source::contents_unread(chunker.peek(512)?, &first) {
        return Err(Error::format(name, what).into());
    }
    let trimmed = first.trim_ascii();
    if trimmed.is_empty() {
        if chunker.peek(1 << 16)?.trim_ascii().is_empty() {
            return Ok(None);
        }
        let m = "starts with a blank line; expected a CSV header or a JSON object on line 1";
        return Err(Error::format(name, m).into());
    }
    // Old Mac exports end lines with a lone carriage return: the whole file would read as its
    // first line.
    if memchr::memchr(b'\r', trimmed).is_some() {
        let m = "ends its lines with lone carriage returns (an old Mac export?); convert them to \
                 newlines first (tr '\\r' '\\n')";
        return Err(Error::format(name, m).into());
    }
    let looks_json =
        trimmed.first().is_some_and(|&c| c == b'{' || c == b'[') || source::named_json_lines(name);
    let wanted = opts.format;
    if looks_json || wanted.is_some_and(Format::is_json) {
        let format = match wanted {
            Some(f) if f.is_json() => f,
            Some(f) => {
                return Err(Error::format(
                    name,
                    format!("is JSON, not the {} CSV that was asked for", f.name()),
                )
                .with_setting(Setting::Format)
                .into())
            }
            None => match twitter_json::recognise(chunker, opts.max_record_bytes)? {
                Ok(format) => format,
                Err(reason) => {
                    let error = Error::format(name, &reason);
                    return Err(RecogniseError::Unknown { reason, error });
                }
            },
        };
        chunker.set_quoted(false);
        return Ok(Some(match format {
            Format::TwitterV2 => Layout::TwitterV2,
            Format::Snscrape => Layout::Snscrape,
            _ => Layout::TwitterV1,
        }));
    }
    chunker.set_quoted(true);
    let head = chunker.peek_line()?.to_vec();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&head[..]);
    let mut header = csv::StringRecord::new();
    let ok = rdr
        .read_record(&mut header)
        .map_err(|e| Error::format(name, format!("unreadable CSV header: {e}")))?;
    if !ok {
        return Ok(None);
    }
    let header: Vec<String> = header
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let consumed = (head.len() + 1).min(chunker.peek(head.len() + 1)?.len());
    chunker.skip(consumed, 1);
    let Some(format) = csv_format(&header, opts) else {
        // API v2 tweets flattened by another tool than twarc2: say why they are not read.
        let v2 = twarc_csv::Columns::is_v2_tweets(&header);
        if let (true, Err(why)) = (v2, twarc_csv::Columns::new(&header)) {
            let reason = format!("API v2 tweets as CSV, but {why}");
            let error = Error::format(name, &reason).with_setting(Setting::ActionColumns);
            return Err(RecogniseError::Unknown { reason, error });
        }
        if let [only] = &header[..] {
            let other = match (only.contains('\t'), only.contains(';')) {
                (true, _) => Some(("tab", "-t")),
                (false, true) => Some(("semicolon", "-d ';'")),
                _ => None,
            };
            if let Some((by, flag)) = other {
                let reason = format!(
                    "{by}-separated values; coordnet reads comma-separated CSV (convert it \
                     first, e.g. with csvkit: csvformat {flag} FILE > FILE.csv)"
                );
                let error = Error::format(name, &reason);
                return Err(RecogniseError::Unknown { reason, error });
            }
        }
        let reason = format!("unknown CSV layout (columns: {})", header.join(", "));
        let error = Error::format(
            name,
            format!(
                "{reason}; name its account, time and object columns as an action CSV, or give \
                 its format"
            ),
        )
        .with_setting(Setting::ActionColumns);
        return Err(RecogniseError::Unknown { reason, error });
    };
    Ok(Some(csv_layout(&header, format, opts, name)?))
}

/// The format a CSV of this header is read as: `opts`' or the one its columns say, if any.
fn csv_format(header: &[String], opts: &IngestOptions) -> Option<Format> {
    let has = |n: &str| header.iter().any(|h| h == n);
    let count = |names: &[&str]| names.iter().filter(|n| has(n)).count();
    // A layout is known by a few of its own columns, so that a file lacking one it needs is
    // told so, rather than taken for another layout or none.
    let io_tweets = count(&["tweetid", "tweet_time", "tweet_text"]);
    let ira = count(&[
        "content",
        "publish_date",
        "harvested_date",
        "post_type",
        "region",
    ]);
    Some(match opts.format {
        Some(f) => f,
        None if opts.mapping.is_some() => Format::Actions,
        None if io_tweets >= 2 || io_tweets == 1 && has("userid") => Format::IoTweets,
        None if has("userid") && has("account_creation_date") => Format::IoUsers,
        None if has("content") && has("publish_date") || ira >= 3 => Format::Ira,
        None if actions::Columns::is_coortweet(header) => Format::Actions,
        None if cnt::Columns::is_cnt(header) => Format::Cnt,
        None if twarc_csv::Columns::is_twarc_csv(header) => Format::TwarcCsv,
        None => return None,
    })
}

fn csv_layout(
    header: &[String],
    format: Format,
    opts: &IngestOptions,
    name: &std::path::Path,
) -> Result<Layout> {
    let err = |m: String| Error::format(name, m);
    Ok(match format {
        Format::IoTweets => Layout::IoTweets(io_archive::TweetColumns::new(header).map_err(err)?),
        Format::IoUsers => Layout::IoUsers(io_archive::UserColumns::new(header).map_err(err)?),
        Format::Ira => Layout::Ira(ira::Columns::new(header).map_err(err)?),
        Format::Cnt => Layout::Cnt(cnt::Columns::new(header).map_err(err)?),
        Format::TwarcCsv => Layout::TwarcCsv(twarc_csv::Columns::new(header).map_err(err)?),
        Format::Actions => Layout::Actions(
            actions::Columns::new(header, opts.mapping.as_ref(), opts.slash_dates)
                .map_err(|m| err(m).with_setting(Setting::ActionColumns))?,
        ),
        Format::TwitterV2 | Format::TwitterV1 | Format::Snscrape => {
            unreachable!("JSON handled before")
        }
    })
}
